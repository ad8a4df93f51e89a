//! What changed from one assessment to the next, as `diff.json` holds it.
//!
//! `dossier diff` and `build --previous` make it (see `compare`); the diff reports and
//! the package report's changes section show it.

use serde::{Deserialize, Serialize};

use super::Tool;
use super::decision::{SignOffRecord, Waiver};
use super::finding::{Finding, Verdict};
use super::matrix::{Coverage, Status};
use super::measure::Limit;

/// The value of `diff.json`'s `format` field.
pub const FORMAT: &str = "dossier-diff";
/// The schema version this dossier writes.
pub const SCHEMA_VERSION: u32 = 1;

/// What a comparison knows of a package's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SignatureState {
    /// Not signed.
    Unsigned,
    /// Signed, but no key was given to check it.
    Signed,
    /// Signed, and the signature verified with the given key.
    Verified,
}

/// `diff.json`: everything that changed from `old` to `new` (schema version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// Always `dossier-diff`.
    pub format: String,
    /// Schema version.
    pub schema_version: u32,
    /// The tool that compared them.
    pub tool: Tool,
    /// The earlier package.
    pub old: SideInfo,
    /// The later package.
    pub new: SideInfo,
    /// Counts, and whether anything regressed.
    pub summary: Summary,
    /// Artifacts added, removed, changed and moved.
    pub artifacts: ArtifactChanges,
    /// Catalog versions per framework.
    pub catalogs: Vec<CatalogRow>,
    /// Requirement transitions and coverage per framework.
    pub frameworks: Vec<FrameworkChanges>,
    /// Measures from the evidence documents that changed.
    pub measures: Vec<MeasureChange>,
    /// Notes on the thresholds the measures were judged by.
    pub thresholds_note: Option<String>,
    /// Things to know before reading the comparison: different systems, or a `new`
    /// package assessed before the `old` one (arguments swapped?).
    pub notes: Vec<String>,
    /// Findings new, resolved and persisting.
    pub findings: FindingChanges,
    /// Waivers expired, added and withdrawn.
    pub waivers: WaiverChanges,
    /// Sign-offs added and withdrawn.
    pub sign_offs: SignOffChanges,
    /// Infrastructure rules whose result changed (absent when neither side has
    /// infrastructure exports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infrastructure: Vec<RuleTransition>,
}

/// An infrastructure rule whose result changed between the packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTransition {
    /// The rule id.
    pub rule: String,
    /// Its result before (`pass`, `fail`, `gap`, `disabled`), none when it did not run.
    pub old: Option<String>,
    /// Its result now.
    pub new: Option<String>,
    /// Violations before and now.
    pub violations: (usize, usize),
    /// Whether it got worse: from pass to fail or gap, or more violations.
    pub regressed: bool,
}

/// One side, as the diff names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideInfo {
    /// The path given on the command line.
    pub package: String,
    /// System name.
    pub system: String,
    /// Release version.
    pub version: Option<String>,
    /// Assessment time.
    pub assessed_at: String,
    /// Package digest.
    pub package_digest: String,
    /// `pass` or `fail`.
    pub verdict: Verdict,
    /// Evidence files.
    pub artifact_count: u64,
    /// `unsigned`, `signed` (not checked) or `verified`.
    pub signature: SignatureState,
    /// The signing key's fingerprint, when signed.
    pub signer: Option<String>,
    /// Whether its evidence was re-hashed (only when the package carries it).
    pub evidence_checked: bool,
}

/// Counts of what changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Artifacts added.
    pub artifacts_added: usize,
    /// Artifacts removed.
    pub artifacts_removed: usize,
    /// Artifacts whose content changed.
    pub artifacts_changed: usize,
    /// Artifacts moved.
    pub artifacts_moved: usize,
    /// Artifacts the same on both sides.
    pub artifacts_unchanged: usize,
    /// Requirements that got worse.
    pub requirements_regressed: usize,
    /// Requirements that were gaps and are met now.
    pub requirements_fixed: usize,
    /// Other status changes (including requirements added or removed by a catalog change).
    pub requirements_other: usize,
    /// Measures that now fail their threshold and passed it before.
    pub measures_regressed: usize,
    /// Measures that changed.
    pub measures_changed: usize,
    /// New findings.
    pub findings_new: usize,
    /// Findings no longer raised.
    pub findings_resolved: usize,
    /// Findings on both sides.
    pub findings_persisting: usize,
    /// Whether any requirement regressed (what `--fail-on-regression` acts on).
    pub regression: bool,
}

/// Artifact changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArtifactChanges {
    /// Only in the new package.
    pub added: Vec<ArtifactRow>,
    /// Only in the old package.
    pub removed: Vec<ArtifactRow>,
    /// Same path, different content.
    pub changed: Vec<ChangedArtifact>,
    /// Same content, different path.
    pub moved: Vec<MovedArtifact>,
}

/// An artifact on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactRow {
    /// Path.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Evidence type.
    pub evidence_type: Option<String>,
}

/// An artifact whose content changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedArtifact {
    /// Path.
    pub path: String,
    /// Evidence type (new side).
    pub evidence_type: Option<String>,
    /// Old SHA-256.
    pub old_sha256: String,
    /// New SHA-256.
    pub new_sha256: String,
    /// Old size.
    pub old_size: u64,
    /// New size.
    pub new_size: u64,
}

/// An artifact that moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovedArtifact {
    /// Old path.
    pub from: String,
    /// New path.
    pub to: String,
    /// Its SHA-256 (the same on both sides).
    pub sha256: String,
    /// Evidence type (new side).
    pub evidence_type: Option<String>,
}

/// The catalog a framework was assessed against, on each side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogRow {
    /// Framework id.
    pub framework: String,
    /// Title.
    pub title: String,
    /// Old catalog version (none: not assessed then).
    pub old_version: Option<String>,
    /// New catalog version (none: not assessed now).
    pub new_version: Option<String>,
    /// Old as-of date.
    pub old_as_of: Option<String>,
    /// New as-of date.
    pub new_as_of: Option<String>,
    /// Set when the two differ: what that means for the comparison.
    pub note: Option<String>,
}

/// One framework's changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkChanges {
    /// Framework id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Binding law.
    pub binding: bool,
    /// Coverage in the old package (none: not assessed then).
    pub old_coverage: Option<Coverage>,
    /// Coverage in the new package (none: not assessed now).
    pub new_coverage: Option<Coverage>,
    /// Requirements whose status changed, regressions first.
    pub transitions: Vec<Transition>,
}

/// How a requirement's status moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Change {
    /// Worse: a gap now, and a worse one than before.
    Regressed,
    /// A gap before, met (or not applicable) now.
    Fixed,
    /// Changed otherwise (a gap of another kind, waived, ...).
    Changed,
    /// Only in the new catalog.
    Added,
    /// Only in the old catalog.
    Removed,
}

impl Change {
    /// The kebab-case name, as in `diff.json`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A requirement whose status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// Requirement id.
    pub requirement: String,
    /// Legal reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Status before.
    pub old: Option<Status>,
    /// Status now.
    pub new: Option<Status>,
    /// What kind of change.
    pub change: Change,
    /// Why it has its new status (its matrix summary).
    pub summary: String,
}

/// How a measure moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum MeasureVerdict {
    /// Passed its threshold before, fails it now (or is new and fails it).
    Regressed,
    /// Failed before, passes now.
    Recovered,
    /// Fails on both sides.
    StillFailing,
    /// Changed within its threshold, or has none.
    Changed,
    /// Only in the new package.
    Added,
    /// Only in the old package.
    Removed,
}

impl MeasureVerdict {
    /// The kebab-case name, as in `diff.json`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A measure from the evidence documents that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureChange {
    /// What is measured, e.g. `disparate impact ratio, sex = female`.
    pub measure: String,
    /// The evidence type it comes from.
    pub evidence_type: String,
    /// The file on the old side.
    pub old_path: Option<String>,
    /// The file on the new side.
    pub new_path: Option<String>,
    /// Value before.
    pub old: Option<f64>,
    /// Value now.
    pub new: Option<f64>,
    /// `new - old`, when both exist.
    pub delta: Option<f64>,
    /// The threshold the checks hold it to, if any.
    pub limit: Option<Limit>,
    /// The threshold as text (`[0.8, 1.25]`, `>= 0.7`).
    pub limit_text: Option<String>,
    /// What the change amounts to.
    pub verdict: MeasureVerdict,
}

/// Findings compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingChanges {
    /// Only in the new package.
    pub new: Vec<Finding>,
    /// Only in the old package.
    pub resolved: Vec<Finding>,
    /// In both (the new side's wording).
    pub persisting: Vec<Finding>,
}

/// Waivers compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaiverChanges {
    /// In force before, expired by the new assessment date.
    pub expired: Vec<Waiver>,
    /// In force now, not before.
    pub added: Vec<Waiver>,
    /// In force before, gone now though not expired (withdrawn or edited).
    pub withdrawn: Vec<Waiver>,
}

/// Sign-offs compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignOffChanges {
    /// Only in the new package.
    pub added: Vec<SignOffRecord>,
    /// Only in the old package.
    pub withdrawn: Vec<SignOffRecord>,
}
