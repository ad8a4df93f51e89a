//! Human decisions kept as evidence: sign-offs and waivers, and the sidecars
//! (`FILE.dossier.yaml`) that date or type another file.

use serde_json::Value;

use super::source::Source;
use crate::collect::inspect::parse_date;
use crate::model::document::{Document, Sidecar, SignOff, WaiverText};
use crate::model::finding::Code;

/// Non-empty text at the first of `keys`; an object there gives its `name`.
fn text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    })
}

pub(super) fn sign_off(value: &Value) -> Document {
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
    Document::SignOff(SignOff {
        reviewer,
        role,
        decision,
        date: text(value, &["date", "signed_at", "approved_at"]),
        version,
        approved,
    })
}

pub(super) fn waiver(value: &Value) -> Document {
    let requirements: Vec<String> = match (value.get("requirement"), value.get("requirements")) {
        (Some(Value::String(r)), _) => vec![r.clone()],
        (_, Some(Value::Array(list))) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let expires = value.get("expires").or_else(|| value.get("expiry")).and_then(|v| match v {
        Value::String(s) => parse_date(s),
        _ => None,
    });
    Document::Waiver(WaiverText {
        requirements,
        justification: text(value, &["justification", "reason"]),
        approver: text(value, &["approver", "approved_by"]),
        expires,
    })
}

pub(super) fn sidecar(source: &mut Source<'_>) -> Option<Document> {
    match serde_yaml::from_str::<Sidecar>(source.text) {
        Ok(side) => Some(Document::Sidecar(side)),
        Err(e) => {
            source.finding(Code::EvidenceUnparseable, format!("sidecar is not valid: {e}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use super::*;

    #[test]
    fn a_sign_off_reads_reviewer_role_and_date() {
        let (doc, _) =
            read("s.yaml", "sign-off", "reviewer: {name: A, role: MRO}\ndecision: Approve\ndate: 2026-11-10\n");
        let Some(Document::SignOff(s)) = doc else { panic!() };
        assert_eq!((s.reviewer.as_deref(), s.role.as_deref()), (Some("A"), Some("MRO")));
        assert_eq!(s.date.as_deref(), Some("2026-11-10"));
        assert!(s.approved);
        let (doc, _) = read("s.yaml", "sign-off", "approvers: [{name: A}, {name: B}]\ndecision: reject\n");
        let Some(Document::SignOff(s)) = doc else { panic!() };
        assert_eq!(s.reviewer.as_deref(), Some("A, B"));
        assert!(!s.approved);
    }

    #[test]
    fn a_waiver_reads_its_requirements_approver_and_expiry() {
        let (doc, _) = read(
            "w.yaml",
            "waiver",
            "requirement: eu-ai-act/art-49/1\njustification: pending\napprover: {name: CRO}\nexpires: 2026-12-31\n",
        );
        let Some(Document::Waiver(w)) = doc else { panic!() };
        assert_eq!(w.requirements, ["eu-ai-act/art-49/1"]);
        assert_eq!(w.approver.as_deref(), Some("CRO"));
        assert_eq!(w.expires, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
    }
}
