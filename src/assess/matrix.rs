//! The traceability matrix: requirement -> evidence needed -> artifacts found -> status.
//!
//! [`assess`] walks every requirement of every selected catalog, decides whether it
//! applies to this system (risk category and role), and compares what it needs with the
//! classified artifacts: enough of each type, and fresh enough where a maximum age is
//! set. Headings (requirements whose children carry the evidence) take their status
//! from their children. One artifact counts for every requirement, in every framework,
//! that its type satisfies; the crosswalk ids are shown on each row.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::catalog::{Catalog, CatalogSet, EvidenceNeed, Requirement};
use crate::diag::Result;
use crate::model::decision::Waiver;
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding, Severity};
use crate::model::matrix::{
    Applicability, Coverage, EvidenceMode, FrameworkResult, NeedResult, RequirementResult, Status,
};
use crate::model::system::SystemScope;

/// What the matrix is built from, besides the catalogs and the system.
pub struct Inputs<'a> {
    /// Which dates count, and whether later obligations are assessed ahead.
    pub applicability: Applicability,
    /// The classified artifacts.
    pub artifacts: &'a [Artifact],
    /// Findings from checks and policies (error findings fail requirements).
    pub findings: &'a [Finding],
    /// Waivers in force.
    pub waivers: &'a [Waiver],
    /// Notes that say why some evidence of a requirement was not checked (a rule switched
    /// off in `dossier.yaml`), by requirement id; each row shows its own.
    pub notes: &'a BTreeMap<String, Vec<String>>,
}

/// The matrix of the `selected` catalogs, one result per framework with every
/// requirement and its status. When none are selected, every catalog with at least one
/// requirement in the system's scope: a framework that cannot apply to the system (the
/// generative-AI profile for a credit model, a New York hiring law for a chatbot) is
/// left out rather than listed as wholly not applicable.
pub fn assess(
    set: &CatalogSet,
    selected: Option<&[String]>,
    system: &SystemScope,
    inputs: Inputs<'_>,
    assessed_on: NaiveDate,
) -> Result<Vec<FrameworkResult>> {
    let mut catalogs = set.select(selected)?;
    if selected.is_none() {
        catalogs.retain(|c| c.requirements.iter().any(|r| r.applies_to.as_ref().is_none_or(|a| a.includes(system))));
    }
    let Inputs { applicability, artifacts, findings, waivers, notes } = inputs;
    let mut by_type: BTreeMap<&str, Vec<&Artifact>> = BTreeMap::new();
    for a in artifacts {
        if let Some(t) = a.evidence_type() {
            by_type.entry(t).or_default().push(a);
        }
    }
    // What marking evidence shows, worked out once per type rather than per requirement.
    let found = Found { by_type, verified: super::genai::verified_by_type(artifacts) };
    // The error findings that fail whatever requirement counts their file, with the
    // file's type (the artifacts are sorted by path).
    let file_types: Vec<Option<&str>> = findings
        .iter()
        .map(|f| {
            if f.severity != Severity::Error || !f.requirements.is_empty() {
                return None;
            }
            let path = f.path.as_deref()?;
            let at = artifacts.binary_search_by(|a| a.path.as_str().cmp(path)).ok()?;
            artifacts[at].evidence_type()
        })
        .collect();
    let failing = Failing { findings, file_types: &file_types };
    Ok(catalogs
        .into_iter()
        .map(|catalog| {
            let when = When { today: assessed_on, applicability };
            let mut result = assess_catalog(set, catalog, system, &found, &failing, waivers, when);
            for row in &mut result.requirements {
                for note in notes.get(&row.id).into_iter().flatten() {
                    row.summary.push_str(&format!(" (note: {note})"));
                }
            }
            result
        })
        .collect())
}

/// The artifacts of each evidence type, and what was verified in those that carry marking
/// (see [`super::genai::verified_by_type`]).
struct Found<'a> {
    by_type: BTreeMap<&'a str, Vec<&'a Artifact>>,
    verified: BTreeMap<&'a str, Vec<String>>,
}

/// The day of the assessment and which application dates count.
#[derive(Clone, Copy)]
struct When {
    today: NaiveDate,
    applicability: Applicability,
}

/// The error findings that can fail a requirement.
struct Failing<'a> {
    /// Every finding (those naming a requirement fail it).
    findings: &'a [Finding],
    /// Per finding, when it is an error on a file and names no requirement, the file's
    /// evidence type: it fails every requirement that counts files of that type.
    file_types: &'a [Option<&'a str>],
}

fn assess_catalog(
    set: &CatalogSet,
    catalog: &Catalog,
    system: &SystemScope,
    found: &Found<'_>,
    failing: &Failing<'_>,
    waivers: &[Waiver],
    when: When,
) -> FrameworkResult {
    let mut rows: Vec<RequirementResult> =
        catalog.requirements.iter().map(|req| assess_requirement(set, catalog, req, system, found, when)).collect();
    // An error finding on an artifact a requirement counts, or one that names the
    // requirement, fails it: the evidence is there, but it says the wrong thing.
    for row in
        rows.iter_mut().filter(|r| !r.heading && !matches!(r.status, Status::NotApplicable | Status::NotYetApplicable))
    {
        let counts = |t: &str| row.evidence.iter().any(|n| n.evidence_type == t);
        let failing: Vec<String> = failing
            .findings
            .iter()
            .zip(failing.file_types)
            .filter(|(f, file_type)| {
                (f.severity == Severity::Error && f.requirements.contains(&row.id)) || file_type.is_some_and(counts)
            })
            .map(|(f, _)| format!("{}: {}", f.code, f.message))
            .collect();
        if !failing.is_empty() {
            row.status = Status::Failed;
            row.summary = format!("failed: {}", failing[0]);
            row.failed_by = failing;
        }
        // A waiver in force covers whatever is wrong, and the row says whose decision it is.
        if row.status != Status::Satisfied
            && let Some(w) = waivers.iter().find(|w| w.requirements.contains(&row.id))
        {
            row.summary = format!(
                "waived until {} by {} ({}): {}; was {}",
                w.expires, w.approver, w.path, w.justification, row.summary
            );
            row.status = Status::Waived;
        }
    }
    // Headings take their status from their children, so resolve the deepest headings
    // first: whatever order the catalog lists them in, every child is final before its
    // parent looks at it. (Validation has ruled out parent cycles.)
    let parent_of: BTreeMap<&str, &str> =
        catalog.requirements.iter().filter_map(|r| r.parent.as_deref().map(|p| (r.id.as_str(), p))).collect();
    let depth = |id: &str| std::iter::successors(Some(id), |at| parent_of.get(at).copied()).count();
    let mut headings: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].heading).collect();
    headings.sort_by_key(|&i| std::cmp::Reverse(depth(&rows[i].id)));
    for i in headings {
        let id = rows[i].id.clone();
        let children: Vec<Status> =
            rows.iter().filter(|r| r.parent.as_deref() == Some(id.as_str())).map(|r| r.status).collect();
        if !matches!(rows[i].status, Status::NotApplicable | Status::NotYetApplicable) {
            let (status, summary) = heading_status(&children);
            rows[i].status = status;
            rows[i].summary = summary;
        }
    }
    let coverage = Coverage::of(rows.iter().filter(|r| !r.heading).map(|r| r.status));
    FrameworkResult {
        id: catalog.id.clone(),
        title: catalog.title.clone(),
        version: catalog.version.clone(),
        as_of: catalog.as_of,
        completeness: catalog.completeness,
        binding: catalog.binding,
        origin: catalog.origin.to_string(),
        coverage,
        requirements: rows,
    }
}

fn assess_requirement(
    set: &CatalogSet,
    catalog: &Catalog,
    req: &Requirement,
    system: &SystemScope,
    found: &Found<'_>,
    when: When,
) -> RequirementResult {
    let applies = req.applies_to.as_ref().is_none_or(|a| a.includes(system));
    let from = catalog.applies_on(req, system, when.applicability.timeline);
    let later = from.filter(|d| d.date > when.today && !when.applicability.readiness);
    let needs: Vec<NeedResult> = req.evidence.iter().map(|n| evaluate_need(n, &found.by_type, when.today)).collect();
    let ahead = from.filter(|d| d.date > when.today && when.applicability.readiness);
    let (status, mut summary) = if !applies {
        (Status::NotApplicable, not_applicable_summary(req))
    } else if let Some(later) = later {
        (Status::NotYetApplicable, format!("applies from {} ({}, {})", later.date, later.reference, later.basis))
    } else if needs.is_empty() {
        (Status::Missing, "heading: status follows its requirements".to_string())
    } else {
        combine(&needs, req.evidence_mode)
    };
    if let Some(ahead) = ahead.filter(|_| applies && !req.evidence.is_empty()) {
        summary.push_str(&format!(" (assessed ahead: applies from {})", ahead.date));
    }
    // Marking evidence says what was verified in it, not only that it is there.
    let verified: Vec<&str> = req
        .evidence
        .iter()
        .filter_map(|n| found.verified.get(n.evidence_type.as_str()))
        .flatten()
        .map(String::as_str)
        .collect();
    if matches!(status, Status::Satisfied | Status::Partial | Status::Stale) && !verified.is_empty() {
        summary.push_str(&format!("; verified: {}", verified.join("; ")));
    }
    RequirementResult {
        id: req.id.clone(),
        reference: req.reference.clone(),
        title: req.title.clone(),
        group: req.group.clone(),
        parent: req.parent.clone(),
        heading: req.evidence.is_empty(),
        status,
        summary,
        evidence_mode: req.evidence_mode,
        evidence: needs,
        related: set.related(req),
        applies_from: req.applies_from.clone(),
        applies_on: from.map(|d| d.date),
        failed_by: Vec::new(),
    }
}

fn evaluate_need(need: &EvidenceNeed, by_type: &BTreeMap<&str, Vec<&Artifact>>, today: NaiveDate) -> NeedResult {
    let found = by_type.get(need.evidence_type.as_str()).map(Vec::as_slice).unwrap_or_default();
    let undated = found.iter().filter(|a| a.facts.date.is_none()).count() as u32;
    let newest = found.iter().filter_map(|a| a.facts.date).max();
    let count = found.len() as u32;
    let status = if count == 0 {
        Status::Missing
    } else if count < need.min {
        Status::Partial
    } else {
        match need.max_age_days {
            // Undated artifacts cannot be shown to be old; they count, and the row says so.
            Some(max) => {
                let fresh = found
                    .iter()
                    .filter(|a| a.facts.date.is_none_or(|d| (today - d).num_days() <= i64::from(max)))
                    .count() as u32;
                if fresh >= need.min { Status::Satisfied } else { Status::Stale }
            }
            None => Status::Satisfied,
        }
    };
    NeedResult {
        evidence_type: need.evidence_type.clone(),
        min: need.min,
        max_age_days: need.max_age_days,
        found: count,
        undated,
        newest,
        status,
    }
}

fn combine(needs: &[NeedResult], mode: EvidenceMode) -> (Status, String) {
    let names = |s: Status| -> Vec<String> {
        needs.iter().filter(|n| n.status == s).map(|n| n.evidence_type.clone()).collect()
    };
    let stale_detail = || {
        needs
            .iter()
            .filter(|n| n.status == Status::Stale)
            .map(|n| {
                format!(
                    "{} newest {} is older than {} days",
                    n.evidence_type,
                    n.newest.map_or("?".into(), |d| d.to_string()),
                    n.max_age_days.unwrap_or(0)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let undated: Vec<String> = needs
        .iter()
        .filter(|n| n.status == Status::Satisfied && n.max_age_days.is_some() && n.undated > 0)
        .map(|n| n.evidence_type.clone())
        .collect();
    let undated_note = if undated.is_empty() {
        String::new()
    } else {
        format!(" (freshness unproven: undated {})", undated.join(", "))
    };
    let satisfied = names(Status::Satisfied);
    let all = needs.iter().map(|n| n.evidence_type.clone()).collect::<Vec<_>>();
    match mode {
        EvidenceMode::All => {
            if satisfied.len() == needs.len() {
                (Status::Satisfied, format!("present: {}{undated_note}", satisfied.join(", ")))
            } else if needs.iter().all(|n| matches!(n.status, Status::Satisfied | Status::Stale)) {
                (Status::Stale, format!("stale: {}", stale_detail()))
            } else if needs.iter().all(|n| n.status == Status::Missing) {
                (Status::Missing, format!("missing: {}", all.join(", ")))
            } else {
                let mut gaps = names(Status::Missing);
                gaps.extend(
                    needs
                        .iter()
                        .filter(|n| n.status == Status::Partial)
                        .map(|n| format!("{} ({} of {})", n.evidence_type, n.found, n.min)),
                );
                let mut text = format!("missing: {}", gaps.join(", "));
                if needs.iter().any(|n| n.status == Status::Stale) {
                    text.push_str(&format!("; stale: {}", stale_detail()));
                }
                (Status::Partial, text)
            }
        }
        EvidenceMode::Any => {
            if !satisfied.is_empty() {
                (Status::Satisfied, format!("present: {}{undated_note}", satisfied.join(", ")))
            } else if needs.iter().any(|n| n.status == Status::Stale) {
                (Status::Stale, format!("stale: {}", stale_detail()))
            } else if needs.iter().any(|n| n.status == Status::Partial) {
                let short: Vec<String> = needs
                    .iter()
                    .filter(|n| n.status == Status::Partial)
                    .map(|n| format!("{} ({} of {})", n.evidence_type, n.found, n.min))
                    .collect();
                (Status::Partial, format!("not enough: {}", short.join(", ")))
            } else {
                (Status::Missing, format!("missing: one of {}", all.join(", ")))
            }
        }
    }
}

fn heading_status(children: &[Status]) -> (Status, String) {
    let in_scope: Vec<Status> = children.iter().copied().filter(|s| *s != Status::NotApplicable).collect();
    if in_scope.is_empty() {
        return (Status::NotApplicable, "no part applies to this system".into());
    }
    let applicable: Vec<Status> = in_scope.iter().copied().filter(|s| *s != Status::NotYetApplicable).collect();
    let later = in_scope.len() - applicable.len();
    if applicable.is_empty() {
        return (Status::NotYetApplicable, "no part applies yet".into());
    }
    let n = applicable.len();
    let count = |s: Status| applicable.iter().filter(|c| **c == s).count();
    let status = if count(Status::Failed) > 0 {
        Status::Failed
    } else if count(Status::Satisfied) + count(Status::Waived) == n && count(Status::Waived) > 0 {
        Status::Waived
    } else if count(Status::Satisfied) == n {
        Status::Satisfied
    } else if count(Status::Missing) == n {
        Status::Missing
    } else if count(Status::Satisfied) + count(Status::Stale) == n {
        Status::Stale
    } else {
        Status::Partial
    };
    let mut summary = format!("{} of {n} parts satisfied", count(Status::Satisfied));
    if later > 0 {
        summary.push_str(&format!("; {later} more apply later"));
    }
    (status, summary)
}

fn not_applicable_summary(req: &Requirement) -> String {
    match &req.applies_to {
        Some(scope) => format!("applies only to {}", scope.describe()),
        None => "does not apply".into(),
    }
}

/// A waiver decides that a requirement need not be met; so an error finding whose every
/// failed requirement is waived no longer gates the release. It stays listed, as a note
/// that says which waivers cover it.
pub fn apply_waivers(frameworks: &[FrameworkResult], findings: &mut [Finding]) {
    for finding in findings.iter_mut().filter(|f| f.severity == Severity::Error) {
        let key = format!("{}: {}", finding.code, finding.message);
        let affected: Vec<&RequirementResult> =
            frameworks.iter().flat_map(|f| &f.requirements).filter(|r| r.failed_by.contains(&key)).collect();
        if !affected.is_empty() && affected.iter().all(|r| r.status == Status::Waived) {
            finding.severity = Severity::Note;
            let ids: Vec<&str> = affected.iter().map(|r| r.id.as_str()).collect();
            finding.message.push_str(&format!(" (waived: {})", ids.join(", ")));
        }
    }
}

/// Findings for requirements that are not satisfied, so the gate sees the gaps: missing
/// evidence is an error in a binding framework and a warning in a voluntary one; partial
/// and stale evidence are warnings. (Failed requirements already have their finding.)
pub fn gaps(frameworks: &[FrameworkResult]) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in frameworks {
        for r in f.requirements.iter().filter(|r| !r.heading) {
            let code = match r.status {
                Status::Missing => Code::RequirementMissing,
                Status::Partial => Code::RequirementPartial,
                Status::Stale => Code::RequirementStale,
                _ => continue,
            };
            let severity =
                if code == Code::RequirementMissing && !f.binding { Severity::Warning } else { code.severity() };
            out.push(Finding {
                code: code.into(),
                severity,
                message: format!("{} {} ({}): {}", f.id, r.reference, r.title, r.summary),
                path: None,
                line: None,
                requirements: vec![r.id.clone()],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Sha256Digest;
    use crate::model::evidence::{Facts, Reason};

    fn need(found: &[Option<&str>], min: u32, max_age: Option<u32>) -> NeedResult {
        let artifacts: Vec<Artifact> = found
            .iter()
            .enumerate()
            .map(|(i, d)| Artifact {
                path: format!("a{i}"),
                sha256: Sha256Digest::of(&[i as u8]),
                size: 1,
                md5: None,
                stored: None,
                worm_copy: None,
                facts: Facts {
                    evidence_type: Some("bias-report".into()),
                    reason: Reason::Unmatched,
                    date: d.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
                    date_source: None,
                    format: None,
                },
                document: None,
            })
            .collect();
        let mut by_type: BTreeMap<&str, Vec<&Artifact>> = BTreeMap::new();
        by_type.insert("bias-report", artifacts.iter().collect());
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        evaluate_need(
            &EvidenceNeed { evidence_type: "bias-report".into(), min, max_age_days: max_age },
            &by_type,
            today,
        )
    }

    #[test]
    fn need_status_counts_and_freshness() {
        assert_eq!(need(&[], 1, None).status, Status::Missing);
        assert_eq!(need(&[None], 2, None).status, Status::Partial);
        assert_eq!(need(&[Some("2026-11-01")], 1, Some(30)).status, Status::Satisfied);
        assert_eq!(need(&[Some("2025-01-01")], 1, Some(30)).status, Status::Stale);
        assert_eq!(need(&[Some("2025-01-01"), Some("2026-11-20")], 1, Some(30)).status, Status::Satisfied);
        let undated = need(&[None], 1, Some(30));
        assert_eq!((undated.status, undated.undated), (Status::Satisfied, 1));
    }

    #[test]
    fn combining_needs() {
        let ok = need(&[None], 1, None);
        let missing = need(&[], 1, None);
        let stale = need(&[Some("2020-01-01")], 1, Some(30));
        assert_eq!(combine(&[ok.clone(), ok.clone()], EvidenceMode::All).0, Status::Satisfied);
        assert_eq!(combine(&[ok.clone(), missing.clone()], EvidenceMode::All).0, Status::Partial);
        assert_eq!(combine(&[missing.clone(), missing.clone()], EvidenceMode::All).0, Status::Missing);
        assert_eq!(combine(&[ok.clone(), stale.clone()], EvidenceMode::All).0, Status::Stale);
        assert_eq!(combine(&[missing.clone(), ok], EvidenceMode::Any).0, Status::Satisfied);
        assert_eq!(combine(&[missing.clone(), stale], EvidenceMode::Any).0, Status::Stale);
        assert_eq!(combine(&[missing.clone(), missing], EvidenceMode::Any).0, Status::Missing);
    }

    #[test]
    fn headings_follow_children() {
        use Status::*;
        assert_eq!(heading_status(&[Satisfied, Satisfied, NotApplicable]).0, Satisfied);
        assert_eq!(heading_status(&[Satisfied, Missing]).0, Partial);
        assert_eq!(heading_status(&[Missing, Missing]).0, Missing);
        assert_eq!(heading_status(&[Satisfied, Stale]).0, Stale);
        assert_eq!(heading_status(&[NotApplicable]).0, NotApplicable);
    }
}
