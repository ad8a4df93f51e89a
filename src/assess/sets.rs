//! Evidence sets: every evidence file of one type, described by count, size, date span and
//! one digest, so that outputs refer to the evidence without listing it file by file.
//!
//! The package lists every file once, in `manifest.json` (with its evidence type) and in
//! `SHA256SUMS`. Everything else names sets. A set's digest is the SHA-256 of its
//! members' `SHA256SUMS` lines in path order, so an auditor can recompute it from the
//! manifest with standard tools. The assessment keeps a file of its own only when it says
//! something a set cannot: a document read from it (a model card, a bias report, a
//! sign-off...), or its being the run's configuration or a sidecar. Logs are many and
//! alike; their statistics are merged per type, so a log file is a set member only.

use std::collections::{BTreeMap, BTreeSet};

use crate::digest::SetDigest;
use crate::model::document::Document;
use crate::model::evidence::{
    Artifact, ArtifactEntry, EvidenceSet, MAX_LISTED_MEMBERS, Reason, ReasonCount, SetMember,
};
use crate::model::finding::Finding;

/// The evidence sets of `artifacts` (sorted by path), one per evidence type, the
/// unclassified files last. Files that are not evidence (the configuration, sidecars)
/// belong to no set.
pub fn of(artifacts: &[Artifact]) -> Vec<EvidenceSet> {
    let mut builders: BTreeMap<Option<&str>, Builder<'_>> = BTreeMap::new();
    for a in artifacts.iter().filter(|a| a.facts.is_evidence()) {
        builders.entry(a.evidence_type()).or_insert_with(|| Builder::new(a)).add(a);
    }
    // `None` sorts first in the map; the unclassified set reads best after the others.
    let unclassified = builders.remove(&None);
    builders.into_values().chain(unclassified).map(Builder::finish).collect()
}

/// Whether the assessment lists `a` on its own, besides the set it belongs to: it was
/// read into a document other than a log's, or it is not evidence, or a sidecar gave it
/// its type. (Logs of a small set, and files a finding names, are listed too: see
/// [`listed`].)
pub fn is_listed(a: &Artifact) -> bool {
    !a.facts.is_evidence()
        || matches!(a.facts.reason, Reason::SidecarType { .. })
        || a.document().is_some_and(|d| !matches!(d, Document::Log(_)))
}

/// Keeps the artifacts the assessment lists on their own: those [`is_listed`] accepts,
/// the logs of a type with at most [`MAX_LISTED_MEMBERS`] files (a handful of logs reads
/// best file by file; many are merged per type), and those a finding names, so every
/// file a finding points at has its digest and classification at hand.
pub fn listed(artifacts: Vec<Artifact>, findings: &[Finding]) -> Vec<Artifact> {
    split(artifacts, findings).0
}

/// [`listed`], and the manifest's entry of every artifact, made as the others are let go
/// (their paths move into the entries), so the two lists are never both whole in memory.
pub fn split(artifacts: Vec<Artifact>, findings: &[Finding]) -> (Vec<Artifact>, Vec<ArtifactEntry>) {
    let named: BTreeSet<&str> = findings.iter().filter_map(|f| f.path.as_deref()).collect();
    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    for t in artifacts.iter().filter(|a| a.facts.is_evidence()).filter_map(Artifact::evidence_type) {
        *per_type.entry(t).or_default() += 1;
    }
    let small: BTreeSet<String> =
        per_type.into_iter().filter(|(_, n)| *n <= MAX_LISTED_MEMBERS).map(|(t, _)| t.to_string()).collect();
    let keep = |a: &Artifact| {
        is_listed(a) || named.contains(a.path.as_str()) || a.evidence_type().is_some_and(|t| small.contains(t))
    };
    let mut entries = Vec::with_capacity(artifacts.len());
    let mut kept = Vec::new();
    for a in artifacts {
        if keep(&a) {
            entries.push(a.entry());
            kept.push(a);
        } else {
            let evidence_type = if a.facts.is_evidence() { a.facts.evidence_type } else { None };
            entries.push(ArtifactEntry {
                evidence_type,
                path: a.path,
                sha256: a.sha256,
                size: a.size,
                stored: a.stored,
                worm_copy: a.worm_copy,
            });
        }
    }
    (kept, entries)
}

struct Builder<'a> {
    set: EvidenceSet,
    first: &'a str,
    last: &'a str,
    digest: SetDigest,
    reasons: Vec<(&'a Reason, u64)>,
}

impl<'a> Builder<'a> {
    fn new(first: &'a Artifact) -> Self {
        Builder {
            set: EvidenceSet {
                evidence_type: first.facts.evidence_type.clone(),
                count: 0,
                bytes: 0,
                pattern: String::new(),
                first_path: String::new(),
                last_path: String::new(),
                first_date: None,
                last_date: None,
                undated: 0,
                digest: SetDigest::default().finish(),
                classified_by: Vec::new(),
                members: Vec::new(),
            },
            first: &first.path,
            last: &first.path,
            digest: SetDigest::default(),
            reasons: Vec::new(),
        }
    }

    fn add(&mut self, a: &'a Artifact) {
        let set = &mut self.set;
        set.count += 1;
        set.bytes += a.size;
        self.last = &a.path;
        match a.facts.date {
            Some(d) => {
                set.first_date = Some(set.first_date.map_or(d, |f| f.min(d)));
                set.last_date = Some(set.last_date.map_or(d, |l| l.max(d)));
            }
            None => set.undated += 1,
        }
        self.digest.add(&a.path, &a.sha256);
        match self.reasons.iter_mut().find(|(r, _)| *r == &a.facts.reason) {
            Some((_, n)) => *n += 1,
            None => self.reasons.push((&a.facts.reason, 1)),
        }
        if set.members.len() <= MAX_LISTED_MEMBERS {
            set.members.push(SetMember { path: a.path.clone(), sha256: a.sha256, size: a.size, date: a.facts.date });
        }
    }

    fn finish(self) -> EvidenceSet {
        let mut set = self.set;
        if set.members.len() > MAX_LISTED_MEMBERS {
            set.members = Vec::new();
        }
        set.pattern = pattern(self.first, self.last);
        set.first_path = self.first.to_string();
        set.last_path = self.last.to_string();
        set.digest = self.digest.finish();
        set.classified_by =
            self.reasons.into_iter().map(|(reason, count)| ReasonCount { reason: reason.to_string(), count }).collect();
        set.classified_by.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
        set
    }
}

/// The glob covering every path between `first` and `last` in path order: their longest
/// common directory followed by `**`. (In sorted order, what the first and last paths
/// share, every path between them shares.) A set of one file is that file.
fn pattern(first: &str, last: &str) -> String {
    if first == last {
        return first.to_string();
    }
    let common = first.bytes().zip(last.bytes()).take_while(|(a, b)| a == b).count();
    match first[..common].rfind('/') {
        Some(slash) => format!("{}/**", &first[..slash]),
        None => "**".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::digest::Sha256Digest;
    use crate::model::evidence::Facts;

    fn artifact(path: &str, kind: Option<&str>, date: Option<u32>) -> Artifact {
        Artifact {
            path: path.into(),
            sha256: Sha256Digest::of(path.as_bytes()),
            size: path.len() as u64,
            facts: Facts {
                evidence_type: kind.map(Into::into),
                reason: match kind {
                    Some(_) => Reason::PathRule { pattern: "logs/**".into() },
                    None => Reason::Unmatched,
                },
                date: date.map(|d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap()),
                date_source: None,
                format: None,
            },
            document: None,
            md5: None,
            stored: None,
            worm_copy: None,
        }
    }

    #[test]
    fn a_set_counts_spans_and_digests_its_members_as_sha256sums_lists_them() {
        let artifacts: Vec<Artifact> = (1..=12)
            .map(|d| artifact(&format!("logs/2026/11/{d:02}/audit.jsonl"), Some("inference-log"), Some(d)))
            .chain([artifact("notes.txt", None, None), artifact("logs/undated.jsonl", Some("inference-log"), None)])
            .collect::<Vec<_>>();
        let mut sorted = artifacts;
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let sets = of(&sorted);
        assert_eq!(sets.iter().map(EvidenceSet::name).collect::<Vec<_>>(), ["inference-log", "unclassified"]);
        let logs = &sets[0];
        assert_eq!((logs.count, logs.undated), (13, 1));
        assert_eq!(logs.pattern, "logs/**");
        assert_eq!(logs.first_date, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(logs.last_date, NaiveDate::from_ymd_opt(2026, 11, 12));
        assert!(logs.members.is_empty(), "13 members are too many to list");
        let mut sums = String::new();
        for a in sorted.iter().filter(|a| a.evidence_type() == Some("inference-log")) {
            crate::digest::push_sums_line(&mut sums, &a.path, &a.sha256);
        }
        assert_eq!(logs.digest, Sha256Digest::of(sums.as_bytes()));
        assert_eq!(
            logs.classified_by,
            [ReasonCount { reason: Reason::PathRule { pattern: "logs/**".into() }.to_string(), count: 13 }]
        );
        let rest = &sets[1];
        assert_eq!((rest.count, rest.pattern.as_str(), rest.members.len()), (1, "notes.txt", 1));
    }

    #[test]
    fn the_pattern_is_the_common_directory() {
        assert_eq!(pattern("a/b/c1.json", "a/b/d/e.json"), "a/b/**");
        assert_eq!(pattern("a1.json", "b.json"), "**");
        assert_eq!(pattern("logs/x", "logs2/y"), "**");
    }
}
