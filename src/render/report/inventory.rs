//! The evidence inventory as the reports show it: every file, unless there are many
//! similar ones, which are summarised as one group row.
//!
//! Grouping is by shape, in up to three passes, each only as far as needed to keep the
//! inventory under [`MAX_ROWS`] rows:
//! 1. files of the same evidence type whose paths differ only in digits (daily logs,
//!    numbered shards: `logs/2026/11/18/audit-000.jsonl`), in groups of at least
//!    [`MIN_GROUP`];
//! 2. the files left, by directory and type (`logs/inference/*`), groups of at least [`MIN_GROUP`];
//! 3. the files left, by top-level directory and type (`data/**`), any group of two or more.
//!
//! A group row carries the count, total bytes, date range and one digest: the SHA-256 of
//! the group's lines of `SHA256SUMS`, in path order, so the group can be checked against
//! the package's own checksum list. `manifest.json` always lists every file.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::model::evidence::{Artifact, ArtifactEntry};
use crate::seal::manifest::format_sums;

/// Groups are formed only when the inventory would be longer than this.
pub const MAX_ROWS: usize = 300;
/// The smallest group of similar files summarised in passes 1 and 2.
pub const MIN_GROUP: usize = 10;

/// The inventory.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// Artifacts in all.
    pub count: usize,
    /// Their total size.
    pub bytes: u64,
    /// Rows: single files and groups, in path order.
    pub rows: Vec<Row>,
    /// How many artifacts are shown inside groups.
    pub grouped: usize,
    /// How many of the rows are groups.
    pub groups: usize,
}

/// One inventory row.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Row {
    /// One file.
    File {
        /// Path.
        path: String,
        /// Evidence type, or `unclassified`.
        evidence_type: String,
        /// Size.
        size: u64,
        /// SHA-256.
        sha256: String,
        /// Evidence date.
        date: Option<String>,
    },
    /// Similar files, summarised.
    Group {
        /// A glob that names the group's files (`*` for digits or names).
        pattern: String,
        /// Evidence type, or `unclassified`.
        evidence_type: String,
        /// Files in the group.
        count: usize,
        /// Their total size.
        bytes: u64,
        /// Earliest evidence date among them.
        first_date: Option<String>,
        /// Latest evidence date among them.
        last_date: Option<String>,
        /// SHA-256 of the group's `SHA256SUMS` lines, in path order.
        digest: String,
        /// First and last path, for orientation.
        first_path: String,
        /// Last path.
        last_path: String,
    },
}

impl Row {
    fn sort_key(&self) -> &str {
        match self {
            Row::File { path, .. } => path,
            Row::Group { first_path, .. } => first_path,
        }
    }
}

fn type_of(a: &Artifact) -> &str {
    a.facts.evidence_type.as_deref().unwrap_or("unclassified")
}

/// How a pass names the group of a path.
type Shape = fn(&str) -> String;

/// Pass 1: the path with each run of digits replaced by `*`.
fn digit_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('*');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Pass 2: the directory with `*`.
fn dir_shape(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/*"),
        None => "*".into(),
    }
}

/// Pass 3: the top-level directory with `**`.
fn top_shape(path: &str) -> String {
    match path.split_once('/') {
        Some((top, _)) => format!("{top}/**"),
        None => "*".into(),
    }
}

impl Inventory {
    /// Builds the inventory of `artifacts`.
    pub fn build(artifacts: &[Artifact]) -> Inventory {
        let bytes = artifacts.iter().map(|a| a.size).sum();
        let mut singles: Vec<&Artifact> = artifacts.iter().collect();
        let mut rows = Vec::new();
        let passes: [(Shape, usize); 3] = [(digit_shape, MIN_GROUP), (dir_shape, MIN_GROUP), (top_shape, 2)];
        for (shape, min) in passes {
            if singles.len() + rows.len() <= MAX_ROWS {
                break;
            }
            let mut buckets: BTreeMap<(String, &str), Vec<&Artifact>> = BTreeMap::new();
            for a in singles.drain(..) {
                buckets.entry((shape(&a.path), type_of(a))).or_default().push(a);
            }
            for ((pattern, evidence_type), members) in buckets {
                if members.len() >= min {
                    rows.push(group_row(pattern, evidence_type, &members));
                } else {
                    singles.extend(members);
                }
            }
        }
        let grouped = artifacts.len() - singles.len();
        rows.extend(singles.into_iter().map(|a| Row::File {
            path: a.path.clone(),
            evidence_type: type_of(a).to_string(),
            size: a.size,
            sha256: a.sha256.to_string(),
            date: a.facts.date.map(|d| d.to_string()),
        }));
        rows.sort_by(|a, b| a.sort_key().cmp(b.sort_key()));
        let groups = rows.iter().filter(|r| matches!(r, Row::Group { .. })).count();
        Inventory { count: artifacts.len(), bytes, rows, grouped, groups }
    }
}

fn group_row(pattern: String, evidence_type: &str, members: &[&Artifact]) -> Row {
    let mut sorted: Vec<&Artifact> = members.to_vec();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let entries: Vec<ArtifactEntry> =
        sorted.iter().map(|a| ArtifactEntry { path: a.path.clone(), sha256: a.sha256, size: a.size }).collect();
    let digest = Sha256Digest::of(format_sums(&entries).as_bytes());
    let dates: Vec<_> = sorted.iter().filter_map(|a| a.facts.date).collect();
    Row::Group {
        pattern,
        evidence_type: evidence_type.to_string(),
        count: sorted.len(),
        bytes: sorted.iter().map(|a| a.size).sum(),
        first_date: dates.iter().min().map(ToString::to_string),
        last_date: dates.iter().max().map(ToString::to_string),
        digest: digest.to_string(),
        first_path: sorted[0].path.clone(),
        last_path: sorted[sorted.len() - 1].path.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::evidence::{Facts, Reason};

    fn artifact(path: &str, t: Option<&str>) -> Artifact {
        Artifact {
            path: path.into(),
            sha256: Sha256Digest::of(path.as_bytes()),
            size: 10,
            md5: None,
            facts: Facts {
                evidence_type: t.map(str::to_string),
                reason: Reason::Config,
                date: None,
                date_source: None,
                format: None,
            },
            document: None,
        }
    }

    #[test]
    fn a_small_inventory_lists_every_file() {
        let inv = Inventory::build(&[artifact("a.md", Some("model-card")), artifact("b.json", None)]);
        assert_eq!(inv.rows.len(), 2);
        assert_eq!((inv.grouped, inv.groups), (0, 0));
    }

    #[test]
    fn thousands_of_daily_logs_become_one_row_whose_digest_matches_sha256sums() {
        let mut all: Vec<Artifact> = (0..2000)
            .map(|i| {
                artifact(&format!("logs/2026/{:02}/{:02}/audit-{i:04}.jsonl", i % 12, i % 28), Some("inference-log"))
            })
            .collect();
        all.push(artifact("model_card.md", Some("model-card")));
        all.sort_by(|a, b| a.path.cmp(&b.path));
        let inv = Inventory::build(&all);
        assert_eq!(inv.rows.len(), 2, "{:?}", inv.rows.iter().map(Row::sort_key).collect::<Vec<_>>());
        let Row::Group { pattern, count, digest, .. } = &inv.rows[0] else { panic!() };
        assert_eq!(pattern, "logs/*/*/*/audit-*.jsonl");
        assert_eq!(*count, 2000);
        let entries: Vec<ArtifactEntry> = all[..2000]
            .iter()
            .map(|a| ArtifactEntry { path: a.path.clone(), sha256: a.sha256, size: a.size })
            .collect();
        assert_eq!(*digest, Sha256Digest::of(format_sums(&entries).as_bytes()).to_string());
        assert_eq!((inv.grouped, inv.groups), (2000, 1));
    }

    #[test]
    fn files_with_unlike_names_fall_back_to_directory_groups() {
        let all: Vec<Artifact> = (0..400)
            .map(|i| artifact(&format!("blobs/{}.bin", Sha256Digest::of(&[i as u8, (i >> 8) as u8])), None))
            .collect();
        let inv = Inventory::build(&all);
        assert!(inv.rows.len() <= MAX_ROWS);
        assert!(matches!(&inv.rows[0], Row::Group { pattern, .. } if pattern == "blobs/*"));
    }
}
