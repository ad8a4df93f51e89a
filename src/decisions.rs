//! Human decisions recorded as evidence: sign-offs and waivers.
//!
//! A **sign-off** (reviewer, role, decision, date, scope) is a person's approval of a
//! release; a rejected one fails the gate. A **waiver** (requirement id, justification,
//! approver, expiry date) is a documented, time-limited decision that a requirement need
//! not be met for this release: while valid it turns the requirement to *waived*; once
//! expired it no longer counts and says so.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::documents::Document;
use crate::findings::{Code, Finding};
use crate::inspect::parse_date;

/// A waiver in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    /// The waiver file.
    pub path: String,
    /// Requirement ids it waives.
    pub requirements: Vec<String>,
    /// Why.
    pub justification: String,
    /// Who approved it.
    pub approver: String,
    /// Last day it holds.
    pub expires: NaiveDate,
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    })
}

/// Reads the waivers among `docs`: those in force on `today`, and findings about the rest.
pub fn waivers(docs: &[(String, String, Document)], today: NaiveDate) -> (Vec<Waiver>, Vec<Finding>) {
    let mut valid = Vec::new();
    let mut findings = Vec::new();
    for (path, t, doc) in docs {
        let (Document::Data { value }, "waiver") = (doc, t.as_str()) else { continue };
        let requirements: Vec<String> = match (value.get("requirement"), value.get("requirements")) {
            (Some(Value::String(r)), _) => vec![r.clone()],
            (_, Some(Value::Array(list))) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        };
        let justification = text(value, &["justification", "reason"]);
        let approver = text(value, &["approver", "approved_by"]);
        let expires = value.get("expires").or_else(|| value.get("expiry")).and_then(|v| match v {
            Value::String(s) => parse_date(s),
            _ => None,
        });
        let mut lacking = Vec::new();
        if requirements.is_empty() {
            lacking.push("requirement");
        }
        if justification.is_none() {
            lacking.push("justification");
        }
        if approver.is_none() {
            lacking.push("approver");
        }
        if expires.is_none() {
            lacking.push("expires (YYYY-MM-DD)");
        }
        match (lacking.is_empty(), justification, approver, expires) {
            (true, Some(justification), Some(approver), Some(expires)) => {
                if expires < today {
                    let mut f = Finding::at(
                        Code::WaiverExpired,
                        path.as_str(),
                        format!("waiver for {} expired on {expires}; it no longer counts", requirements.join(", ")),
                    );
                    f.requirements = requirements;
                    findings.push(f);
                } else {
                    valid.push(Waiver { path: path.clone(), requirements, justification, approver, expires });
                }
            }
            _ => findings.push(Finding::at(
                Code::EvidenceIncomplete,
                path.as_str(),
                format!("waiver lacks {}; it does not count", lacking.join(", ")),
            )),
        }
    }
    (valid, findings)
}

/// The suffix of a sidecar: `report.pdf.dossier.yaml` describes `report.pdf`.
pub const SIDECAR_SUFFIX: &str = ".dossier.yaml";

/// What a sidecar may say about its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// The date of the evidence (YYYY-MM-DD), for files whose content carries none.
    #[serde(default)]
    pub date: Option<String>,
    /// The evidence type, overriding classification.
    #[serde(default, rename = "type")]
    pub evidence_type: Option<String>,
}

/// Applies sidecars to the classification: each `FILE.dossier.yaml` next to `FILE` gives
/// it a date (when its content has none) and, if stated, its type. Returns findings about
/// sidecars that cannot be used.
pub fn apply_sidecars(
    root: &std::path::Path,
    artifacts: &[crate::manifest::ArtifactEntry],
    facts: &mut std::collections::BTreeMap<String, crate::classify::Facts>,
    taxonomy: &crate::taxonomy::Taxonomy,
) -> Vec<Finding> {
    use crate::classify::Reason;
    let mut findings = Vec::new();
    for sidecar in artifacts.iter().filter(|a| a.path.ends_with(SIDECAR_SUFFIX)) {
        let of = sidecar.path.trim_end_matches(SIDECAR_SUFFIX).to_string();
        if !facts.contains_key(&of) {
            continue; // not next to a classified file: an ordinary YAML file
        }
        let parsed: Result<Sidecar, String> = std::fs::read_to_string(root.join(&sidecar.path))
            .map_err(|e| e.to_string())
            .and_then(|t| serde_yaml::from_str(&t).map_err(|e| e.to_string()));
        let side = match parsed {
            Ok(s) => s,
            Err(e) => {
                findings.push(Finding::at(
                    Code::EvidenceUnparseable,
                    sidecar.path.as_str(),
                    format!("sidecar is not valid: {e}"),
                ));
                continue;
            }
        };
        if let Some(f) = facts.get_mut(&sidecar.path) {
            // The sidecar itself is not evidence.
            f.evidence_type = None;
            f.reason = Reason::Sidecar { of: of.clone() };
        }
        let Some(target) = facts.get_mut(&of) else { continue };
        if let Some(t) = side.evidence_type {
            if taxonomy.get(&t).is_some() {
                target.evidence_type = Some(t);
                target.reason = Reason::SidecarType { sidecar: sidecar.path.clone() };
            } else {
                findings.push(Finding::at(
                    Code::EvidenceUnparseable,
                    sidecar.path.as_str(),
                    format!("sidecar names unknown evidence type {t:?}"),
                ));
            }
        }
        if target.date.is_none() {
            match side.date.as_deref().map(|d| (d, parse_date(d))) {
                Some((_, Some(date))) => {
                    target.date = Some(date);
                    target.date_source = Some(format!("sidecar {}", sidecar.path));
                }
                Some((text, None)) => findings.push(Finding::at(
                    Code::EvidenceUnparseable,
                    sidecar.path.as_str(),
                    format!("sidecar date {text:?} is not YYYY-MM-DD"),
                )),
                None => {}
            }
        }
    }
    findings
}

/// A sign-off as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOff {
    /// The sign-off file.
    pub path: String,
    /// Who signed (one reviewer, or approvers joined by commas).
    pub reviewer: Option<String>,
    /// The reviewer's role, when given.
    pub role: Option<String>,
    /// The decision as written, lower-cased.
    pub decision: Option<String>,
    /// When, as written.
    pub date: Option<String>,
    /// The version the sign-off is for.
    pub version: Option<String>,
    /// Whether the decision is an approval.
    pub approved: bool,
}

/// Reads the sign-offs among `docs`, in path order.
pub fn read_sign_offs(docs: &[(String, String, Document)]) -> Vec<SignOff> {
    let mut out = Vec::new();
    for (path, t, doc) in docs {
        let (Document::Data { value }, "sign-off") = (doc, t.as_str()) else { continue };
        let decision = text(value, &["decision", "status", "outcome"]).map(|d| d.to_ascii_lowercase());
        // One reviewer, or a list of approvers (`approvers: [{name, role}]`).
        let reviewer = text(value, &["reviewer", "signed_by", "approver"]).or_else(|| {
            let names: Vec<&str> = value
                .get("approvers")
                .or_else(|| value.get("reviewers"))
                .and_then(Value::as_array)?
                .iter()
                .filter_map(|a| a.get("name").and_then(Value::as_str).or_else(|| a.as_str()))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        });
        let role = ["reviewer", "signed_by", "approver"]
            .iter()
            .find_map(|k| value.get(*k)?.get("role")?.as_str())
            .map(str::to_string);
        let version = value
            .get("version")
            .or_else(|| value.pointer("/scope/version"))
            .and_then(|v| v.as_str().map(str::to_string).or_else(|| v.is_number().then(|| v.to_string())));
        let approved = decision
            .as_deref()
            .is_some_and(|d| matches!(d, "approve" | "approved" | "accept" | "accepted" | "pass" | "go"));
        out.push(SignOff {
            path: path.clone(),
            reviewer,
            role,
            decision,
            date: text(value, &["date", "signed_at", "approved_at"]),
            version,
            approved,
        });
    }
    out
}

/// Findings about sign-offs: a rejected decision fails the gate, a sign-off for another
/// version than the release does too, and a missing field is noted.
pub fn sign_off_findings(sign_offs: &[SignOff], release_version: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for s in sign_offs {
        let path = s.path.as_str();
        let lacking: Vec<&str> =
            [("reviewer", s.reviewer.is_none()), ("decision", s.decision.is_none()), ("date", s.date.is_none())]
                .into_iter()
                .filter_map(|(field, absent)| absent.then_some(field))
                .collect();
        if !lacking.is_empty() {
            findings.push(Finding::at(
                Code::EvidenceIncomplete,
                path,
                format!("sign-off lacks {}", lacking.join(", ")),
            ));
        }
        if let (Some(signed), Some(release)) = (&s.version, release_version)
            && signed != release
        {
            findings.push(Finding::at(
                Code::VersionMismatch,
                path,
                format!("sign-off approves version {signed}, but dossier.yaml releases version {release}"),
            ));
        }
        if let (Some(d), false) = (&s.decision, s.approved) {
            findings.push(Finding::at(
                Code::SignOffNotApproved,
                path,
                format!(
                    "sign-off by {} records decision {d:?}, not an approval",
                    s.reviewer.as_deref().unwrap_or("an unnamed reviewer")
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(t: &str, yaml: &str) -> (String, String, Document) {
        ("w.yaml".into(), t.into(), Document::Data { value: serde_yaml::from_str(yaml).unwrap() })
    }

    #[test]
    fn waivers_hold_until_they_expire_and_must_be_complete() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let good = doc(
            "waiver",
            "requirement: eu-ai-act/art-49/1\njustification: pending\napprover: {name: CRO}\nexpires: 2026-12-31\n",
        );
        let (valid, findings) = waivers(&[good], today);
        assert_eq!(valid[0].requirements, ["eu-ai-act/art-49/1"]);
        assert_eq!(valid[0].approver, "CRO");
        assert!(findings.is_empty());
        let old = doc("waiver", "requirement: x\njustification: j\napprover: a\nexpires: 2026-01-01\n");
        let (valid, findings) = waivers(&[old], today);
        assert!(valid.is_empty());
        assert_eq!(findings[0].code, Code::WaiverExpired);
        let partial = doc("waiver", "requirement: x\n");
        let (_, findings) = waivers(&[partial], today);
        assert!(findings[0].message.contains("justification, approver, expires"), "{}", findings[0].message);
    }

    fn sign_offs(docs: &[(String, String, Document)], release: Option<&str>) -> Vec<Finding> {
        sign_off_findings(&read_sign_offs(docs), release)
    }

    #[test]
    fn a_sign_off_reads_reviewer_role_and_date() {
        let ok = doc("sign-off", "reviewer: {name: A, role: MRO}\ndecision: Approve\ndate: 2026-11-10\n");
        let read = read_sign_offs(&[ok]);
        assert_eq!(read[0].reviewer.as_deref(), Some("A"));
        assert_eq!(read[0].role.as_deref(), Some("MRO"));
        assert_eq!(read[0].date.as_deref(), Some("2026-11-10"));
        assert!(read[0].approved);
    }

    #[test]
    fn a_rejected_sign_off_is_a_finding() {
        let ok = doc("sign-off", "reviewer: {name: A, role: MRO}\ndecision: approve\ndate: 2026-11-10\n");
        assert!(sign_offs(&[ok], None).is_empty());
        let panel = doc("sign-off", "approvers: [{name: A}, {name: B}]\ndecision: approve\ndate: 2026-11-07\n");
        assert!(sign_offs(&[panel], None).is_empty());
        let no = doc("sign-off", "reviewer: {name: A}\ndecision: reject\ndate: 2026-11-10\n");
        assert_eq!(sign_offs(&[no], None)[0].code, Code::SignOffNotApproved);
        let other = doc("sign-off", "reviewer: A\ndecision: approve\ndate: 2026-11-10\nversion: '4.2.0'\n");
        assert_eq!(sign_offs(&[other], Some("4.2.1"))[0].code, Code::VersionMismatch);
    }
}
