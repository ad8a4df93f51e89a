//! Comparing two packages: what changed between one assessment and the next.
//!
//! Both sides are read from what the packages themselves carry, `manifest.json` and
//! `assessment.json`, after both have been verified (see [`load`]), so a diff never
//! describes files that differ from what was sealed; `build --previous` compares the
//! assessment it has just made, in memory, with the previous package's. The comparison
//! covers:
//!
//! - artifacts added, removed, changed (same path, new SHA-256) and moved (same SHA-256,
//!   new path);
//! - the catalog version each framework was assessed against;
//! - requirement status transitions per framework, with coverage before and after;
//! - the measures both assessments worked out (disparate impact per group, metrics, test
//!   pass rates, override rates), both sides judged by the newer package's limits;
//! - findings new, resolved and persisting; waivers that expired or were added or
//!   withdrawn; sign-offs added or withdrawn.
//!
//! A requirement *regressed* when its new status is a gap (partial, stale, missing,
//! failed) worse than its old one. A measure *regressed* when it passed its limit before
//! and does not now.

pub mod load;
mod v1;

use std::collections::{BTreeMap, BTreeSet};

pub use load::{Side, load, parse_assessment};

use crate::assess;
use crate::model::Tool;
use crate::model::assessment::Assessment;
use crate::model::decision::{SignOffRecord, Waiver};
use crate::model::diff::*;
use crate::model::finding::Finding;
use crate::model::matrix::{FrameworkResult, RequirementResult};
use crate::model::measure::{ChecksConfig, Measure};
use crate::seal::verify::Signature;

fn side_info(side: &Side) -> SideInfo {
    let m = &side.manifest;
    let (signature, signer) = match &side.signature {
        Signature::Unsigned | Signature::Failed => (SignatureState::Unsigned, None),
        Signature::NotChecked(id) => (SignatureState::Signed, Some(id.clone())),
        Signature::Verified(fp) => (SignatureState::Verified, Some(fp.clone())),
    };
    SideInfo {
        package: side.source.clone(),
        system: m.system.name.clone(),
        version: m.system.version.clone(),
        assessed_at: m.assessed_at.clone(),
        package_digest: m.package_digest.to_string(),
        verdict: side.assessment.verdict,
        artifact_count: m.artifacts.len() as u64,
        signature,
        signer,
        evidence_checked: side.evidence_checked,
    }
}

/// Compares two assessed packages.
pub fn compare(old: &Side, new: &Side) -> Diff {
    let artifacts = compare_artifacts(old, new);
    let (catalogs, frameworks) = compare_frameworks(&old.assessment, &new.assessment);
    let checks = &new.assessment.checks;
    let thresholds_note = (old.assessment.checks != *checks).then(|| {
        "the two packages were checked with different thresholds; both sides are judged here by the new package's"
            .to_string()
    });
    let measures = compare_measures(&old.assessment.measures, &new.assessment.measures, checks);
    let findings = compare_findings(&old.assessment.findings, &new.assessment.findings);
    let waivers = compare_waivers(&old.assessment.waivers, &new.assessment.waivers, new.assessment.assessed_on);
    let sign_offs = compare_sign_offs(&old.assessment.sign_offs, &new.assessment.sign_offs);
    let infrastructure = compare_infrastructure(&old.assessment, &new.assessment);

    let mut notes = Vec::new();
    let (a, b) = (&old.manifest.system, &new.manifest.system);
    if a.name != b.name {
        notes.push(format!(
            "the packages are of different systems ({} and {}): the comparison is of their evidence, not of one system over time",
            a.name, b.name
        ));
    }
    // RFC 3339 UTC times from the same writer: text order is time order.
    if new.manifest.assessed_at < old.manifest.assessed_at {
        notes.push(format!(
            "the new package was assessed ({}) before the old one ({}): were OLD and NEW given the wrong way round?",
            new.manifest.assessed_at, old.manifest.assessed_at
        ));
    }

    let transitions = || frameworks.iter().flat_map(|f| &f.transitions);
    let count = |c: Change| transitions().filter(|t| t.change == c).count();
    let summary = Summary {
        artifacts_added: artifacts.added.len(),
        artifacts_removed: artifacts.removed.len(),
        artifacts_changed: artifacts.changed.len(),
        artifacts_moved: artifacts.moved.len(),
        artifacts_unchanged: new.manifest.artifacts.len()
            - artifacts.added.len()
            - artifacts.changed.len()
            - artifacts.moved.len(),
        requirements_regressed: count(Change::Regressed),
        requirements_fixed: count(Change::Fixed),
        requirements_other: count(Change::Changed) + count(Change::Added) + count(Change::Removed),
        measures_regressed: measures.iter().filter(|m| m.verdict == MeasureVerdict::Regressed).count(),
        measures_changed: measures.len(),
        findings_new: findings.new.len(),
        findings_resolved: findings.resolved.len(),
        findings_persisting: findings.persisting.len(),
        regression: count(Change::Regressed) > 0 || infrastructure.iter().any(|t| t.regressed),
    };
    Diff {
        format: FORMAT.into(),
        schema_version: SCHEMA_VERSION,
        tool: Tool::current(),
        old: side_info(old),
        new: side_info(new),
        summary,
        artifacts,
        catalogs,
        frameworks,
        measures,
        thresholds_note,
        notes,
        findings,
        waivers,
        sign_offs,
        infrastructure,
    }
}

/// The infrastructure rules whose result or number of violations changed.
fn compare_infrastructure(
    old: &crate::model::assessment::Assessment,
    new: &crate::model::assessment::Assessment,
) -> Vec<crate::model::diff::RuleTransition> {
    use crate::model::infra::RuleStatus;
    let rules = |a: &crate::model::assessment::Assessment| -> std::collections::BTreeMap<String, (RuleStatus, usize)> {
        a.infrastructure.iter().flat_map(|i| &i.rules).map(|r| (r.id.clone(), (r.status, r.violations.len()))).collect()
    };
    let (before, now) = (rules(old), rules(new));
    let ids: std::collections::BTreeSet<&String> = before.keys().chain(now.keys()).collect();
    let rank = |s: Option<RuleStatus>| match s {
        Some(RuleStatus::Pass) | Some(RuleStatus::Disabled) | Some(RuleStatus::NotApplicable) | None => 0,
        Some(RuleStatus::Gap) => 1,
        Some(RuleStatus::Fail) => 2,
    };
    ids.into_iter()
        .filter_map(|id| {
            let (a, b) = (before.get(id).copied(), now.get(id).copied());
            if a == b {
                return None;
            }
            let (sa, va) = (a.map(|x| x.0), a.map_or(0, |x| x.1));
            let (sb, vb) = (b.map(|x| x.0), b.map_or(0, |x| x.1));
            Some(crate::model::diff::RuleTransition {
                rule: id.clone(),
                old: sa.map(|s| s.to_string()),
                new: sb.map(|s| s.to_string()),
                violations: (va, vb),
                regressed: rank(sb) > rank(sa) || (sb == Some(RuleStatus::Fail) && vb > va),
            })
        })
        .collect()
}

fn compare_artifacts(old: &Side, new: &Side) -> ArtifactChanges {
    let types = |side: &Side| -> BTreeMap<String, Option<String>> {
        side.manifest.artifacts.iter().map(|a| (a.path.clone(), a.evidence_type.clone())).collect()
    };
    let (old_types, new_types) = (types(old), types(new));
    let old_by_path: BTreeMap<&str, _> = old.manifest.artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    let new_by_path: BTreeMap<&str, _> = new.manifest.artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    let mut out = ArtifactChanges::default();
    let mut gone = Vec::new();
    let mut came = Vec::new();
    for (path, a) in &new_by_path {
        match old_by_path.get(path) {
            Some(before) if before.sha256 != a.sha256 => out.changed.push(ChangedArtifact {
                path: path.to_string(),
                evidence_type: new_types.get(*path).cloned().flatten(),
                old_sha256: before.sha256.to_string(),
                new_sha256: a.sha256.to_string(),
                old_size: before.size,
                new_size: a.size,
            }),
            Some(_) => {}
            None => came.push(*a),
        }
    }
    for (path, a) in &old_by_path {
        if !new_by_path.contains_key(path) {
            gone.push(*a);
        }
    }
    // A removed file whose exact content reappears under a new path moved. Identical
    // copies pair up in path order, so the result does not depend on anything else.
    let mut gone_by_hash: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for a in &gone {
        gone_by_hash.entry(a.sha256).or_default().push(*a);
    }
    for list in gone_by_hash.values_mut() {
        list.reverse();
    }
    let mut moved_from = BTreeSet::new();
    for a in came {
        if let Some(from) = gone_by_hash.get_mut(&a.sha256).and_then(Vec::pop) {
            moved_from.insert(from.path.as_str());
            out.moved.push(MovedArtifact {
                from: from.path.clone(),
                to: a.path.clone(),
                sha256: a.sha256.to_string(),
                evidence_type: new_types.get(&a.path).cloned().flatten(),
            });
        } else {
            out.added.push(ArtifactRow {
                path: a.path.clone(),
                sha256: a.sha256.to_string(),
                size: a.size,
                evidence_type: new_types.get(&a.path).cloned().flatten(),
            });
        }
    }
    for a in gone {
        if !moved_from.contains(a.path.as_str()) {
            out.removed.push(ArtifactRow {
                path: a.path.clone(),
                sha256: a.sha256.to_string(),
                size: a.size,
                evidence_type: old_types.get(&a.path).cloned().flatten(),
            });
        }
    }
    out
}

fn compare_frameworks(old: &Assessment, new: &Assessment) -> (Vec<CatalogRow>, Vec<FrameworkChanges>) {
    let old_by_id: BTreeMap<&str, &FrameworkResult> = old.frameworks.iter().map(|f| (f.id.as_str(), f)).collect();
    let new_by_id: BTreeMap<&str, &FrameworkResult> = new.frameworks.iter().map(|f| (f.id.as_str(), f)).collect();
    // The new package's order, then frameworks only the old one had.
    let mut ids: Vec<&str> = new.frameworks.iter().map(|f| f.id.as_str()).collect();
    ids.extend(old.frameworks.iter().map(|f| f.id.as_str()).filter(|id| !new_by_id.contains_key(id)));

    let mut catalogs = Vec::new();
    let mut frameworks = Vec::new();
    for id in ids {
        let (before, after) = (old_by_id.get(id).copied(), new_by_id.get(id).copied());
        let either = after.or(before).expect("listed on one side");
        let note = match (before, after) {
            (Some(b), Some(a)) if b.version != a.version => Some(format!(
                "assessed against catalog version {} before and {} now: requirements added or removed by the catalog are listed as such, not as regressions",
                b.version, a.version
            )),
            (Some(b), Some(a)) if b.as_of != a.as_of => {
                Some(format!("same catalog version, content checked as of {} before and {} now", b.as_of, a.as_of))
            }
            (None, Some(_)) => Some("not assessed in the old package".into()),
            (Some(_), None) => Some("not assessed in the new package".into()),
            _ => None,
        };
        catalogs.push(CatalogRow {
            framework: id.to_string(),
            title: either.title.clone(),
            old_version: before.map(|f| f.version.clone()),
            new_version: after.map(|f| f.version.clone()),
            old_as_of: before.map(|f| f.as_of.to_string()),
            new_as_of: after.map(|f| f.as_of.to_string()),
            note,
        });

        fn requirements(f: Option<&FrameworkResult>) -> BTreeMap<String, &RequirementResult> {
            f.map(|f| f.requirements.iter().filter(|r| !r.heading).map(|r| (r.id.clone(), r)).collect())
                .unwrap_or_default()
        }
        let (old_reqs, new_reqs) = (requirements(before), requirements(after));
        let mut order: Vec<&String> = after.map(|f| f.requirements.iter().map(|r| &r.id).collect()).unwrap_or_default();
        let in_new: BTreeSet<&String> = order.iter().copied().collect();
        order.extend(old_reqs.keys().filter(|id| !in_new.contains(id)));
        let mut transitions = Vec::new();
        for rid in order {
            let (b, a) = (old_reqs.get(rid), new_reqs.get(rid));
            let change = match (b, a) {
                (Some(b), Some(a)) if b.status == a.status => continue,
                (Some(b), Some(a)) if a.status.regressed_from(b.status) => Change::Regressed,
                (Some(b), Some(a)) if a.status.fixed_from(b.status) => Change::Fixed,
                (Some(_), Some(_)) => Change::Changed,
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (None, None) => continue,
            };
            let r = a.or(b).expect("on one side");
            transitions.push(Transition {
                requirement: r.id.clone(),
                reference: r.reference.clone(),
                title: r.title.clone(),
                old: b.map(|r| r.status),
                new: a.map(|r| r.status),
                change,
                summary: r.summary.clone(),
            });
        }
        // Regressions first, then fixes, then the rest; catalog order within each.
        transitions.sort_by_key(|t| t.change);
        frameworks.push(FrameworkChanges {
            id: id.to_string(),
            title: either.title.clone(),
            binding: either.binding,
            old_coverage: before.map(|f| f.coverage),
            new_coverage: after.map(|f| f.coverage),
            transitions,
        });
    }
    (catalogs, frameworks)
}

/// Measures are matched by evidence type and label, so a report replaced under another
/// name still compares; when one side has the same measure in several files, the path
/// is part of the match.
fn compare_measures(before: &[Measure], after: &[Measure], checks: &ChecksConfig) -> Vec<MeasureChange> {
    let mut repeated: BTreeSet<(String, String)> = BTreeSet::new();
    for list in [before, after] {
        let mut seen = BTreeSet::new();
        for m in list {
            let key = (m.evidence_type.clone(), m.measure.clone());
            if !seen.insert(key.clone()) {
                repeated.insert(key);
            }
        }
    }
    let key = |m: &Measure| {
        let base = (m.evidence_type.clone(), m.measure.clone());
        let path = if repeated.contains(&base) { m.path.clone() } else { String::new() };
        (base.0, base.1, path)
    };
    type Pair<'m> = (Option<&'m Measure>, Option<&'m Measure>);
    let mut both: BTreeMap<(String, String, String), Pair> = BTreeMap::new();
    for m in before {
        both.entry(key(m)).or_default().0 = Some(m);
    }
    for m in after {
        both.entry(key(m)).or_default().1 = Some(m);
    }
    let mut out = Vec::new();
    for ((evidence_type, label, _), (b, a)) in both {
        // Both sides are judged by the new package's limits.
        let limit = a.or(b).and_then(|m| assess::measure_limit(m, checks));
        let holds = |m: Option<&Measure>| m.map(|m| limit.is_none_or(|l| l.holds(m.value)));
        let verdict = match (b, a) {
            (Some(b), Some(a)) if b.value == a.value => continue,
            (Some(_), Some(_)) => match (holds(b), holds(a)) {
                (Some(true), Some(false)) => MeasureVerdict::Regressed,
                (Some(false), Some(true)) => MeasureVerdict::Recovered,
                (Some(false), Some(false)) => MeasureVerdict::StillFailing,
                _ => MeasureVerdict::Changed,
            },
            (None, Some(_)) if holds(a) == Some(false) => MeasureVerdict::Regressed,
            (None, Some(_)) => MeasureVerdict::Added,
            (Some(_), None) => MeasureVerdict::Removed,
            (None, None) => continue,
        };
        out.push(MeasureChange {
            measure: label,
            evidence_type,
            old_path: b.map(|m| m.path.clone()),
            new_path: a.map(|m| m.path.clone()),
            old: b.map(|m| m.value),
            new: a.map(|m| m.value),
            // Rounded to nine decimals, so 0.75 - 0.918 reads -0.168 and not -0.16800000000000004.
            delta: b.zip(a).map(|(b, a)| ((a.value - b.value) * 1e9).round() / 1e9),
            limit,
            limit_text: limit.map(|l| l.to_string()),
            verdict,
        });
    }
    out.sort_by(|x, y| (x.verdict, &x.evidence_type, &x.measure).cmp(&(y.verdict, &y.evidence_type, &y.measure)));
    out
}

fn compare_findings(old: &[Finding], new: &[Finding]) -> FindingChanges {
    let old_keys: BTreeSet<_> = old.iter().map(Finding::identity).collect();
    let new_keys: BTreeSet<_> = new.iter().map(Finding::identity).collect();
    FindingChanges {
        new: new.iter().filter(|f| !old_keys.contains(&f.identity())).cloned().collect(),
        resolved: old.iter().filter(|f| !new_keys.contains(&f.identity())).cloned().collect(),
        persisting: new.iter().filter(|f| old_keys.contains(&f.identity())).cloned().collect(),
    }
}

fn compare_waivers(old: &[Waiver], new: &[Waiver], today: chrono::NaiveDate) -> WaiverChanges {
    let mut out = WaiverChanges::default();
    for w in old.iter().filter(|w| !new.contains(w)) {
        if w.expires < today {
            out.expired.push(w.clone());
        } else {
            out.withdrawn.push(w.clone());
        }
    }
    out.added = new.iter().filter(|w| !old.contains(w)).cloned().collect();
    out
}

fn compare_sign_offs(old: &[SignOffRecord], new: &[SignOffRecord]) -> SignOffChanges {
    SignOffChanges {
        added: new.iter().filter(|s| !old.contains(s)).cloned().collect(),
        withdrawn: old.iter().filter(|s| !new.contains(s)).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::matrix::Status;
    use crate::model::measure::{Limit, MeasureKind};

    #[test]
    fn only_a_worse_gap_is_a_regression() {
        use Status::*;
        let regressed = |a: Status, b: Status| b.regressed_from(a);
        assert!(regressed(Satisfied, Failed));
        assert!(regressed(Satisfied, Partial));
        assert!(regressed(Stale, Missing));
        assert!(regressed(Waived, Stale));
        assert!(!regressed(Satisfied, Waived), "a waiver is a recorded decision, not a gap");
        assert!(!regressed(Failed, Missing));
        assert!(!regressed(Missing, Satisfied));
    }

    fn measure(kind: MeasureKind, label: &str, path: &str, value: f64) -> Measure {
        Measure {
            measure: label.into(),
            kind,
            feature: None,
            group: None,
            evidence_type: "evaluation-metrics".into(),
            path: path.into(),
            value,
            limit: None,
            passes: None,
        }
    }

    #[test]
    fn both_sides_are_judged_by_the_new_limits() {
        let checks = ChecksConfig::default();
        let before = [
            measure(MeasureKind::Metric, "accuracy", "a.json", 0.9),
            measure(MeasureKind::Tests, "tests", "r.xml", 8.0),
        ];
        let after = [
            measure(MeasureKind::Metric, "accuracy", "b.json", 0.6),
            measure(MeasureKind::Tests, "tests", "r.xml", 4.0),
        ];
        let changes = compare_measures(&before, &after, &checks);
        let accuracy = changes.iter().find(|c| c.measure == "accuracy").unwrap();
        assert_eq!(accuracy.verdict, MeasureVerdict::Regressed, "0.9 held >= 0.7, 0.6 does not");
        assert_eq!(accuracy.limit, Some(Limit::AtLeast { min: 0.7 }));
        assert_eq!((accuracy.old_path.as_deref(), accuracy.new_path.as_deref()), (Some("a.json"), Some("b.json")));
        let tests = changes.iter().find(|c| c.measure == "tests").unwrap();
        assert_eq!((tests.verdict, tests.delta), (MeasureVerdict::Changed, Some(-4.0)));
        let stricter = ChecksConfig { min_metrics: [("accuracy".to_string(), 0.95)].into(), ..ChecksConfig::default() };
        let back = compare_measures(&after, &before, &stricter);
        assert_eq!(back.iter().find(|c| c.measure == "accuracy").unwrap().verdict, MeasureVerdict::StillFailing);
    }

    #[test]
    fn findings_keep_their_identity_when_the_wording_changes() {
        let f = |message: &str| Finding {
            message: message.into(),
            line: Some(3),
            ..Finding::at(crate::model::finding::Code::ThresholdFailed, "fairness/bias.json", "")
        };
        let changes = compare_findings(&[f("ratio 0.79")], &[f("ratio 0.75")]);
        assert_eq!((changes.new.len(), changes.resolved.len(), changes.persisting.len()), (0, 0, 1));
        assert_eq!(changes.persisting[0].message, "ratio 0.75");
    }

    #[test]
    fn a_waiver_past_its_date_expired_and_one_before_it_was_withdrawn() {
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let w = |path: &str, expires: &str| Waiver {
            path: path.into(),
            requirements: vec!["x".into()],
            justification: "j".into(),
            approver: "a".into(),
            expires: date(expires),
        };
        let changes = compare_waivers(
            &[w("a.yaml", "2026-01-31"), w("b.yaml", "2027-01-01"), w("c.yaml", "2027-01-01")],
            &[w("c.yaml", "2027-01-01"), w("d.yaml", "2027-06-30")],
            date("2026-04-01"),
        );
        assert_eq!(changes.expired, vec![w("a.yaml", "2026-01-31")]);
        assert_eq!(changes.withdrawn, vec![w("b.yaml", "2027-01-01")]);
        assert_eq!(changes.added, vec![w("d.yaml", "2027-06-30")]);
    }
}
