//! The assessment: everything one run concluded, as `assessment.json` holds it.
//!
//! It is the one value every output is rendered from and `dossier diff` compares:
//! the system, the evidence sets and the files read into documents, the matrix per framework, the measures
//! with their limits, the findings and the verdict, the decisions in force. Fields are
//! only ever added within a schema version.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Tool;
use super::decision::{SignOffRecord, Waiver};
use super::document::{Dataset, Document, LogStats};
use super::evidence::{Artifact, EvidenceSet};
use super::finding::{Counts, Finding, Verdict};
use super::matrix::{Applicability, Coverage, FrameworkResult};
use super::measure::{ChecksConfig, Measure};
use super::system::{System, SystemScope};
use crate::digest::Sha256Digest;

/// The value of `assessment.json`'s `format` field.
pub const FORMAT: &str = "dossier-assessment";
/// The schema version this dossier writes.
pub const SCHEMA_VERSION: u32 = 4;

/// Everything one run concluded (schema version 4: schema 3 with the status
/// `not-yet-applicable`, the applicability settings and the wider system scope).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Always `dossier-assessment`.
    pub format: String,
    /// Schema version.
    pub schema_version: u32,
    /// The tool that made it.
    pub tool: Tool,
    /// When (RFC 3339, UTC).
    pub assessed_at: String,
    /// The day freshness and waivers are measured against.
    pub assessed_on: NaiveDate,
    /// The system as configured.
    pub system: System,
    /// The system as assessed: its name resolved, with what decides applicability.
    pub scope: SystemScope,
    /// Which application dates counted, and whether later duties were assessed ahead.
    #[serde(default)]
    pub applicability: Applicability,
    /// SHA-256 of the effective configuration.
    pub config_sha256: Sha256Digest,
    /// `pass` (no error finding) or `fail`.
    pub verdict: Verdict,
    /// Findings per severity.
    pub counts: Counts,
    /// Coverage over every framework together.
    pub totals: Coverage,
    /// Every framework with every requirement.
    pub frameworks: Vec<FrameworkResult>,
    /// The evidence, one set per evidence type: what the matrix and the reports refer
    /// to. `manifest.json` lists every member.
    #[serde(default)]
    pub evidence_sets: Vec<EvidenceSet>,
    /// The files that say something a set cannot, with their classification and what
    /// they say: every file read into a document other than a log's, the run's
    /// configuration and sidecars, and files typed by a sidecar. (Schema 2 listed every
    /// file here; such an assessment is brought to this form when read.)
    pub artifacts: Vec<Artifact>,
    /// The figures the evidence states, each judged by its limit.
    pub measures: Vec<Measure>,
    /// Log statistics per evidence type, over every log of the type.
    pub logs: Vec<LogSummary>,
    /// Every dataset the dataset manifests list, checked against the evidence.
    pub datasets: Vec<DatasetRow>,
    /// Every finding, sorted by file, line and code.
    pub findings: Vec<Finding>,
    /// Sign-offs, in path order.
    pub sign_offs: Vec<SignOffRecord>,
    /// Waivers in force.
    pub waivers: Vec<Waiver>,
    /// The newest date among the approving sign-offs: the release date.
    pub release_date: Option<String>,
    /// The check thresholds the assessment applied (`checks` in the config).
    pub checks: ChecksConfig,
    /// The NYC Local Law 144 bias-audit summary, when the system is an automated
    /// employment decision tool (`system.aedt`) and a bias report exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bias_audit: Option<super::bias_audit::BiasAuditSummary>,
    /// The infrastructure rules' results (per rule: status, resources checked, violations,
    /// gaps), when the evidence holds infrastructure exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<super::infra::InfraResults>,
    /// How the reports present it, when the configuration says (`report` in the config).
    #[serde(default, skip_serializing_if = "Presentation::is_unset")]
    pub presentation: Presentation,
}

/// The branding of the reports, kept so they can be rendered again from the package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presentation {
    /// The organisation named on the cover (`report.organisation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The logo's file in the package (`assets/logo.<ext>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

impl Presentation {
    /// Whether nothing is set.
    pub fn is_unset(&self) -> bool {
        self.organisation.is_none() && self.logo.is_none()
    }
}

impl Assessment {
    /// The documents, with the artifact each comes from.
    pub fn documents(&self) -> impl Iterator<Item = (&Artifact, &Document)> {
        self.artifacts.iter().filter_map(|a| a.document().map(|d| (a, d)))
    }

    /// How many files were collected, and their total size: the evidence sets and the
    /// files that are not evidence (the configuration, sidecars).
    pub fn files(&self) -> (u64, u64) {
        let other = self.artifacts.iter().filter(|a| !a.facts.is_evidence());
        let (count, bytes) = other.fold((0, 0), |(n, b), a| (n + 1, b + a.size));
        self.evidence_sets.iter().fold((count, bytes), |(n, b), s| (n + s.count, b + s.bytes))
    }

    /// The evidence files, and how many of them are classified.
    pub fn classified(&self) -> (u64, u64) {
        let all = self.evidence_sets.iter().map(|s| s.count).sum();
        let classified = self.evidence_sets.iter().filter(|s| s.evidence_type.is_some()).map(|s| s.count).sum();
        (all, classified)
    }
}

/// Log statistics over every log of one evidence type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogSummary {
    /// The evidence type.
    pub evidence_type: String,
    /// How many log files.
    pub files: usize,
    /// The first log, in path order.
    pub first_path: String,
    /// The last log, in path order.
    pub last_path: String,
    /// The statistics taken together.
    pub stats: LogStats,
}

/// A dataset a manifest lists, with what the assessment found about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRow {
    /// The dataset as listed.
    #[serde(flatten)]
    pub dataset: Dataset,
    /// The manifest that lists it.
    pub source: String,
    /// Other evidence that names a dataset with the same digest.
    pub referenced_by: Vec<String>,
    /// When the dataset names a file in the evidence and records a SHA-256: whether the
    /// file's digest is the one recorded.
    pub verified: Option<bool>,
}
