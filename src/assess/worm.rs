//! Write-once storage: evidence that must not be changeable (the logs record-keeping
//! relies on, the data snapshots a model was trained on) is checked object by object.
//!
//! An object meets the rule when its store keeps versions of it and a retention or a legal
//! hold protects this version: a retention must still be running at the assessment and
//! last the keeping period from when the version was written (`worm-not-enforced`, an
//! error that fails the record-keeping requirements). A file read from a local directory
//! cannot show any of that: it is `worm-unproven`, a warning, unless its sidecar names a
//! write-once copy holding the same bytes (`worm_copy:`), which is then judged in its place.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use crate::catalog::taxonomy::Taxonomy;
use crate::model::evidence::{Artifact, StoredObject};
use crate::model::finding::{Code, Finding};
use crate::model::system::RiskCategory;

/// The most objects of one type named one finding each; the rest are counted in one.
pub const MAX_NAMED: usize = 20;

/// Requirements a log that can be changed fails: the logs must be kept (Art. 12(1),
/// 19(1), 26(6)), and a log anyone can rewrite keeps nothing.
const LOGS: &[&str] = &["eu-ai-act/art-12/1", "eu-ai-act/art-19/1", "eu-ai-act/art-26/6"];
/// Requirements a training-data snapshot that can be changed fails (Art. 10(2)).
const DATA: &[&str] = &["eu-ai-act/art-10/2"];

/// Which evidence must be write-once, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WormRules {
    /// The evidence types.
    pub types: BTreeSet<String>,
    /// The keeping period, in days from when a version was written.
    pub keep_days: u64,
}

impl WormRules {
    /// The taxonomy's write-once types for a high-risk system, then `overrides`
    /// (`evidence.worm`) for any system.
    pub fn of(taxonomy: &Taxonomy, overrides: &BTreeMap<String, bool>, risk: RiskCategory, keep_days: u64) -> Self {
        let mut types: BTreeSet<String> = if risk == RiskCategory::High {
            taxonomy.types.iter().filter(|t| t.worm).map(|t| t.id.clone()).collect()
        } else {
            BTreeSet::new()
        };
        for (id, on) in overrides {
            if *on {
                types.insert(id.clone());
            } else {
                types.remove(id);
            }
        }
        WormRules { types, keep_days }
    }
}

/// Why a stored object does not meet the rule, if it does not.
pub fn shortfall(object: &StoredObject, keep_days: u64, now: DateTime<Utc>) -> Option<String> {
    if !object.is_versioned() {
        return Some("the store keeps no versions of it, so it can be overwritten in place".into());
    }
    let lock = object.lock.as_ref();
    if lock.is_some_and(|l| l.legal_hold) {
        return None;
    }
    let Some(until) = lock.and_then(|l| l.retain_until.as_deref()) else {
        return Some("no Object Lock retention or legal hold protects this version".into());
    };
    let Ok(until) = DateTime::parse_from_rfc3339(until).map(|d| d.with_timezone(&Utc)) else {
        return Some(format!("its retain-until date {until:?} cannot be read"));
    };
    if until <= now {
        return Some(format!("its retention ended on {}", until.format("%Y-%m-%d")));
    }
    let written = DateTime::parse_from_rfc3339(&object.last_modified).map(|d| d.with_timezone(&Utc)).ok()?;
    let needed = written + Duration::days(i64::try_from(keep_days).unwrap_or(i64::MAX / 86_400_000));
    (until < needed).then(|| {
        format!(
            "its retention ends on {}, before the {keep_days}-day keeping period does ({})",
            until.format("%Y-%m-%d"),
            needed.format("%Y-%m-%d")
        )
    })
}

/// The findings of the write-once rule: `worm-not-enforced` for each stored object (or
/// named write-once copy) that falls short, the first [`MAX_NAMED`] of each type by name
/// and the rest counted in one more; and one `worm-unproven` per type for the local files
/// that name no copy, at the first of them.
pub fn check(rules: &WormRules, artifacts: &[Artifact], now: DateTime<Utc>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut named: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unnamed: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut local: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for artifact in artifacts.iter().filter(|a| a.facts.is_evidence()) {
        let Some(kind) = artifact.evidence_type().filter(|t| rules.types.contains(*t)) else { continue };
        let Some(object) = artifact.stored.as_ref().or(artifact.worm_copy.as_ref()) else {
            // A copy that was named but cannot stand in for the file: collection said why.
            if !worm_copy_claimed(artifact, artifacts) {
                local.entry(kind).or_default().push(&artifact.path);
            }
            continue;
        };
        let Some(why) = shortfall(object, rules.keep_days, now) else { continue };
        let count = named.entry(kind).or_default();
        if *count < MAX_NAMED {
            *count += 1;
            findings.push(
                Finding::at(
                    Code::WormNotEnforced,
                    artifact.path.clone(),
                    format!("{kind} must be write-once: {}: {why}", object.url),
                )
                .failing(requirements(kind)),
            );
        } else {
            unnamed.entry(kind).or_insert((0, artifact.path.as_str())).0 += 1;
        }
    }
    for (kind, (count, first)) in unnamed {
        findings.push(
            Finding::at(
                Code::WormNotEnforced,
                first.to_string(),
                format!("{count} more {kind} objects are not write-once either (from {first} on)"),
            )
            .failing(requirements(kind)),
        );
    }
    for (kind, paths) in local {
        let files = if paths.len() == 1 { "1 file was".to_string() } else { format!("{} files were", paths.len()) };
        findings.push(Finding::at(
            Code::WormUnproven,
            paths[0].to_string(),
            format!(
                "{kind} must be write-once, and {files} read from a local directory, which cannot show that; collect the files from their Object Lock bucket, or name each one's write-once copy in its sidecar (worm_copy)"
            ),
        ));
    }
    findings
}

/// Whether the artifact's sidecar names a write-once copy (pinned or not).
fn worm_copy_claimed(artifact: &Artifact, artifacts: &[Artifact]) -> bool {
    let sidecar = format!("{}{}", artifact.path, crate::collect::sidecar::SIDECAR_SUFFIX);
    artifacts
        .binary_search_by(|a| a.path.as_str().cmp(&sidecar))
        .ok()
        .and_then(|i| match artifacts[i].document() {
            Some(crate::model::document::Document::Sidecar(side)) => side.worm_copy.as_ref(),
            _ => None,
        })
        .is_some()
}

/// The requirements evidence of this type that is not write-once fails.
pub fn requirements(kind: &str) -> &'static [&'static str] {
    match kind {
        "inference-log" => LOGS,
        "data-snapshot" => DATA,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::evidence::{DigestFrom, ObjectLock};

    fn object(version: Option<&str>, lock: Option<ObjectLock>) -> StoredObject {
        StoredObject {
            checksum: None,
            digest_from: DigestFrom::Content,
            etag: None,
            last_modified: "2026-11-01T00:00:00Z".into(),
            lock,
            url: "s3://b/logs/a.jsonl".into(),
            version_id: version.map(str::to_string),
        }
    }

    fn retained(until: &str) -> Option<ObjectLock> {
        Some(ObjectLock { legal_hold: false, mode: Some("COMPLIANCE".into()), retain_until: Some(until.into()) })
    }

    #[test]
    fn each_shortfall_is_named() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").unwrap().with_timezone(&Utc);
        assert!(shortfall(&object(None, None), 183, now).unwrap().contains("no versions"));
        assert!(shortfall(&object(Some("null"), retained("2030-01-01T00:00:00Z")), 183, now).is_some());
        assert!(shortfall(&object(Some("v1"), None), 183, now).unwrap().contains("no Object Lock"));
        assert!(shortfall(&object(Some("v1"), retained("2026-11-20T00:00:00Z")), 183, now).unwrap().contains("ended"));
        let short = shortfall(&object(Some("v1"), retained("2027-01-01T00:00:00Z")), 183, now).unwrap();
        assert!(short.contains("before the 183-day keeping period does (2027-05-03)"), "{short}");
        assert_eq!(shortfall(&object(Some("v1"), retained("2027-06-01T00:00:00Z")), 183, now), None);
        let held = Some(ObjectLock { legal_hold: true, mode: None, retain_until: None });
        assert_eq!(shortfall(&object(Some("v1"), held), 183, now), None);
    }
}
