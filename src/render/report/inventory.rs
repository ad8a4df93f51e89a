//! The evidence inventory as the reports show it: one row per evidence set (every file of
//! one evidence type), or one row per file for a set small enough to list its members.
//!
//! A set's row carries the count, total bytes, date range, the glob covering its files
//! and one digest: the SHA-256 of the set's lines of `SHA256SUMS`, in path order, so the
//! set can be checked against the package's own checksum list. `manifest.json` always
//! lists every file.

use serde::Serialize;

use crate::model::evidence::{Artifact, EvidenceSet};

/// The inventory.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// Artifacts in all.
    pub count: usize,
    /// Their total size.
    pub bytes: u64,
    /// Rows: single files and groups, in path order.
    pub rows: Vec<Row>,
    /// How many artifacts are shown inside group rows.
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
    /// An evidence set too large to list, summarised.
    Group {
        /// The glob that covers the set's files.
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

impl Inventory {
    /// Builds the inventory of the evidence `sets` and of the collected files that are
    /// not evidence (the configuration, sidecars), which are shown as unclassified.
    pub fn build<'a>(sets: &[EvidenceSet], others: impl Iterator<Item = &'a Artifact>) -> Inventory {
        let mut rows: Vec<Row> = others
            .map(|a| Row::File {
                path: a.path.clone(),
                evidence_type: "unclassified".to_string(),
                size: a.size,
                sha256: a.sha256.to_string(),
                date: a.facts.date.map(|d| d.to_string()),
            })
            .collect();
        let (mut count, mut bytes) = (rows.len(), rows.iter().map(Row::size).sum::<u64>());
        let mut grouped = 0;
        for set in sets {
            let evidence_type = set.name().to_string();
            if set.members.is_empty() {
                grouped += set.count as usize;
                rows.push(Row::Group {
                    pattern: set.pattern.clone(),
                    evidence_type,
                    count: set.count as usize,
                    bytes: set.bytes,
                    first_date: set.first_date.map(|d| d.to_string()),
                    last_date: set.last_date.map(|d| d.to_string()),
                    digest: set.digest.to_string(),
                    first_path: set.first_path.clone(),
                    last_path: set.last_path.clone(),
                });
            } else {
                rows.extend(set.members.iter().map(|m| Row::File {
                    path: m.path.clone(),
                    evidence_type: evidence_type.clone(),
                    size: m.size,
                    sha256: m.sha256.to_string(),
                    date: m.date.map(|d| d.to_string()),
                }));
            }
        }
        rows.sort_by(|a, b| a.sort_key().cmp(b.sort_key()));
        let groups = rows.iter().filter(|r| matches!(r, Row::Group { .. })).count();
        count += sets.iter().map(|s| s.count as usize).sum::<usize>();
        bytes += sets.iter().map(|s| s.bytes).sum::<u64>();
        Inventory { count, bytes, rows, grouped, groups }
    }
}

impl Row {
    fn size(&self) -> u64 {
        match self {
            Row::File { size, .. } => *size,
            Row::Group { bytes, .. } => *bytes,
        }
    }

    fn sort_key(&self) -> &str {
        match self {
            Row::File { path, .. } => path,
            Row::Group { first_path, .. } => first_path,
        }
    }
}
