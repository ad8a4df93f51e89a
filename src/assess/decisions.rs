//! Human decisions recorded as evidence: sign-offs and waivers.
//!
//! A **sign-off** (reviewer, role, decision, date, scope) is a person's approval of a
//! release; a rejected one fails the gate. A **waiver** (requirement id, justification,
//! approver, expiry date) is a documented, time-limited decision that a requirement need
//! not be met for this release: while valid it turns the requirement to *waived*; once
//! expired it no longer counts and says so.

use chrono::NaiveDate;

use crate::catalog::CatalogSet;
use crate::model::decision::{SignOffRecord, Waiver};
use crate::model::document::Document;
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding};

/// The sign-offs among the artifacts, in path order.
pub fn sign_offs(artifacts: &[Artifact]) -> Vec<SignOffRecord> {
    artifacts
        .iter()
        .filter_map(|a| match a.document() {
            Some(Document::SignOff(s)) => Some(SignOffRecord::new(&a.path, s)),
            _ => None,
        })
        .collect()
}

/// The release date: the newest date among the approving sign-offs.
pub fn release_date(sign_offs: &[SignOffRecord]) -> Option<String> {
    sign_offs.iter().filter(|s| s.approved).filter_map(|s| s.date.clone()).max()
}

/// Findings about sign-offs: a rejected decision fails the gate, a sign-off for another
/// version than the release does too, and a missing field is noted.
pub fn sign_off_findings(sign_offs: &[SignOffRecord], release_version: Option<&str>) -> Vec<Finding> {
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

/// The waivers in force on `today`, and findings about the others (expired,
/// incomplete, naming a requirement no loaded catalog has).
pub fn waivers(artifacts: &[Artifact], today: NaiveDate, catalogs: &CatalogSet) -> (Vec<Waiver>, Vec<Finding>) {
    let mut valid = Vec::new();
    let mut findings = Vec::new();
    for a in artifacts {
        let Some(Document::Waiver(w)) = a.document() else { continue };
        let path = a.path.as_str();
        let mut lacking = Vec::new();
        if w.requirements.is_empty() {
            lacking.push("requirement");
        }
        if w.justification.is_none() {
            lacking.push("justification");
        }
        if w.approver.is_none() {
            lacking.push("approver");
        }
        if w.expires.is_none() {
            lacking.push("expires (YYYY-MM-DD)");
        }
        match (&w.justification, &w.approver, w.expires) {
            (Some(justification), Some(approver), Some(expires)) if lacking.is_empty() => {
                if expires < today {
                    let mut f = Finding::at(
                        Code::WaiverExpired,
                        path,
                        format!("waiver for {} expired on {expires}; it no longer counts", w.requirements.join(", ")),
                    );
                    f.requirements = w.requirements.clone();
                    findings.push(f);
                } else {
                    valid.push(Waiver {
                        path: path.to_string(),
                        requirements: w.requirements.clone(),
                        justification: justification.clone(),
                        approver: approver.clone(),
                        expires,
                    });
                }
            }
            _ => findings.push(Finding::at(
                Code::EvidenceIncomplete,
                path,
                format!("waiver lacks {}; it does not count", lacking.join(", ")),
            )),
        }
    }
    for w in &valid {
        for id in w.requirements.iter().filter(|id| catalogs.requirement(id).is_none()) {
            findings.push(Finding::at(
                Code::WaiverUnknownRequirement,
                w.path.as_str(),
                format!("waiver names {id:?}, which no loaded catalog has"),
            ));
        }
    }
    (valid, findings)
}
