//! Comparing two packages: what changed between one assessment and the next.
//!
//! Both sides are read from what the packages themselves carry, `manifest.json` and
//! `assessment.json`, after both have been verified (see [`load`]), so a diff never
//! describes files that differ from what was sealed. The comparison covers:
//!
//! - artifacts added, removed, changed (same path, new SHA-256) and moved (same SHA-256,
//!   new path);
//! - the catalog version each framework was assessed against;
//! - requirement status transitions per framework, with coverage before and after;
//! - measures read from the evidence documents (disparate impact per group, metrics,
//!   test pass rates, override rates), judged by the newer package's check thresholds;
//! - findings new, resolved and persisting; waivers that expired or were added or
//!   withdrawn; sign-offs added or withdrawn.
//!
//! A requirement *regressed* when its new status is a gap (partial, stale, missing,
//! failed) worse than its old one. A measure *regressed* when it passed its threshold
//! before and does not now.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{ChecksConfig, Limit, pass_rate};
use crate::collect::Progress;
use crate::config::ReportFormat;
use crate::documents::{Document, LogStats};
use crate::error::{Error, Result};
use crate::interchange::assessment::ASSESSMENT_JSON;
use crate::manifest::{Manifest, Tool};
use crate::matrix::{Coverage, Status};
use crate::package::Staging;
use crate::report::{self, templates::TemplateSet};
use crate::verify::{self, Signature, VerifyOptions, VerifyReport};

/// File name of the machine-readable diff.
pub const DIFF_JSON: &str = "diff.json";
/// HTML report of a diff.
pub const DIFF_HTML: &str = "diff.html";
/// PDF report of a diff.
pub const DIFF_PDF: &str = "diff.pdf";

/// One verified package, ready to compare.
#[derive(Debug)]
pub struct Side {
    /// The path it was read from, as given.
    pub source: String,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its assessment.
    pub assessment: Assessment,
    /// The state of its signature.
    pub signature: Signature,
    /// Whether its evidence was verified too (only when the package carries it).
    pub evidence_checked: bool,
}

/// Reads and verifies the package at `path`. An integrity failure comes back as the
/// verification report (`Err` inside `Ok`), so the caller can name every problem.
pub fn load(
    path: &Path,
    key: Option<&Path>,
    progress: &dyn Progress,
) -> Result<std::result::Result<Side, VerifyReport>> {
    let report = verify::verify(&VerifyOptions {
        package: path.to_path_buf(),
        evidence: None,
        key: key.map(Path::to_path_buf),
        progress,
        package_only: true,
        keep: &[ASSESSMENT_JSON],
    })?;
    if !report.is_intact() {
        return Ok(Err(report));
    }
    let manifest = report.manifest.expect("an intact package has a manifest");
    let Some(bytes) = report.contents.get(ASSESSMENT_JSON) else {
        return Err(Error::input(format!(
            "{} has no {ASSESSMENT_JSON}: it was built with --manifest-only or by an older dossier, so there is no assessment to compare. Rebuild it without --manifest-only",
            path.display()
        )));
    };
    let assessment =
        Assessment::parse(bytes).map_err(|e| Error::input(format!("{}: {ASSESSMENT_JSON}: {e}", path.display())))?;
    Ok(Ok(Side {
        source: path.display().to_string(),
        manifest,
        assessment,
        signature: report.signature,
        evidence_checked: report.evidence_root.is_some(),
    }))
}

/// The parts of `assessment.json` a diff reads. Unknown fields are ignored, so packages
/// written by later versions of schema 1 still compare.
#[derive(Debug, Clone, Deserialize)]
pub struct Assessment {
    /// When it was assessed (RFC 3339).
    pub assessed_at: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// Frameworks with their requirements.
    pub frameworks: Vec<FrameworkIn>,
    /// Classified artifacts.
    pub artifacts: Vec<ArtifactIn>,
    /// Parsed documents.
    #[serde(default)]
    pub documents: Vec<DocumentIn>,
    /// Findings.
    #[serde(default)]
    pub findings: Vec<FindingRow>,
    /// Sign-offs.
    #[serde(default)]
    pub sign_offs: Vec<SignOffRow>,
    /// Waivers in force.
    #[serde(default)]
    pub waivers: Vec<WaiverRow>,
    /// The check thresholds (absent in the earliest packages).
    #[serde(default)]
    pub checks: Option<ChecksConfig>,
}

impl Assessment {
    /// Parses `assessment.json` (schema 1). The format and version are checked first, in
    /// a pass that keeps nothing else, so a large file is never held as a JSON tree.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            schema_version: Option<u64>,
        }
        let head: Head = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON ({e})"))?;
        if head.format.as_deref() != Some("dossier-assessment") {
            return Err("not a dossier assessment (format is not \"dossier-assessment\")".into());
        }
        match head.schema_version {
            Some(1) => {}
            Some(v) => return Err(format!("schema_version {v} is not supported by this dossier (it reads 1)")),
            None => return Err("schema_version is missing".into()),
        }
        serde_json::from_slice(bytes).map_err(|e| format!("does not match the assessment schema ({e})"))
    }
}

/// A framework as assessed.
#[derive(Debug, Clone, Deserialize)]
pub struct FrameworkIn {
    /// Catalog id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Catalog version.
    pub version: String,
    /// Date the catalog content was checked against its source.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Binding law or voluntary.
    #[serde(default)]
    pub binding: bool,
    /// Counts per status.
    pub coverage: Coverage,
    /// Requirements.
    pub requirements: Vec<RequirementIn>,
}

/// A requirement as assessed.
#[derive(Debug, Clone, Deserialize)]
pub struct RequirementIn {
    /// Requirement id.
    pub id: String,
    /// Legal reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Grouping heading only.
    #[serde(default)]
    pub heading: bool,
    /// Status.
    pub status: Status,
    /// What was found.
    #[serde(default)]
    pub summary: String,
}

/// An artifact's classification.
#[derive(Debug, Clone, Deserialize)]
pub struct ArtifactIn {
    /// Path.
    pub path: String,
    /// Evidence type.
    #[serde(default)]
    pub evidence_type: Option<String>,
}

/// A parsed evidence document.
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentIn {
    /// Path.
    pub path: String,
    /// Evidence type.
    pub evidence_type: String,
    /// What it says; none for a kind this dossier does not know (a later schema 1).
    #[serde(deserialize_with = "known_document")]
    pub document: Option<Document>,
}

/// A document of a kind this version reads, or none: a newer package may carry kinds
/// that did not exist yet, and they must not make the whole assessment unreadable.
fn known_document<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Document>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

/// A finding, as both sides record it. Unlike [`crate::findings::Finding`], the code and
/// severity stay text: a package written by another dossier version may use codes this
/// one does not know, and it must still compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    /// Finding code.
    pub code: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
    /// What it says.
    pub message: String,
    /// File it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Requirements it is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
}

impl FindingRow {
    /// What identifies a finding from one run to the next: its code, file and
    /// requirements (as for SARIF fingerprints), or its message when it has neither.
    fn key(&self) -> (String, String, String) {
        let rest = if self.path.is_none() && self.requirements.is_empty() {
            self.message.clone()
        } else {
            self.requirements.join(",")
        };
        (self.code.clone(), self.path.clone().unwrap_or_default(), rest)
    }
}

/// A sign-off.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SignOffRow {
    /// The file.
    pub path: String,
    /// Who.
    #[serde(default)]
    pub reviewer: Option<String>,
    /// In what role.
    #[serde(default)]
    pub role: Option<String>,
    /// Their decision.
    #[serde(default)]
    pub decision: Option<String>,
    /// When.
    #[serde(default)]
    pub date: Option<String>,
    /// For which release.
    #[serde(default)]
    pub version: Option<String>,
}

/// A waiver.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WaiverRow {
    /// The file.
    pub path: String,
    /// Requirements waived.
    pub requirements: Vec<String>,
    /// Who approved it.
    #[serde(default)]
    pub approver: String,
    /// Last day it holds (YYYY-MM-DD).
    pub expires: String,
}

// ---------------------------------------------------------------------------------------
// The diff

/// `diff.json`: everything that changed from `old` to `new` (schema version 1).
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// Always `dossier-diff`.
    pub format: &'static str,
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
}

/// One side, as the diff names it.
#[derive(Debug, Clone, Serialize)]
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
    pub verdict: String,
    /// Evidence files.
    pub artifact_count: u64,
    /// `unsigned`, `signed` (not checked) or `verified`.
    pub signature: &'static str,
    /// The signing key's fingerprint, when signed.
    pub signer: Option<String>,
    /// Whether its evidence was re-hashed (only when the package carries it).
    pub evidence_checked: bool,
}

/// Counts of what changed.
#[derive(Debug, Clone, Default, Serialize)]
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
#[derive(Debug, Clone, Default, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
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
        match self {
            Change::Regressed => "regressed",
            Change::Fixed => "fixed",
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }
}

/// A requirement whose status changed.
#[derive(Debug, Clone, Serialize)]
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

/// How bad a status is, for deciding what got worse: met, waived, then the gaps.
fn rank(status: Status) -> u8 {
    match status {
        Status::Satisfied | Status::NotApplicable => 0,
        Status::Waived => 1,
        Status::Partial => 2,
        Status::Stale => 3,
        Status::Missing => 4,
        Status::Failed => 5,
    }
}

fn is_gap(status: Status) -> bool {
    rank(status) >= 2
}

/// How a measure moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
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
        match self {
            MeasureVerdict::Regressed => "regressed",
            MeasureVerdict::Recovered => "recovered",
            MeasureVerdict::StillFailing => "still-failing",
            MeasureVerdict::Changed => "changed",
            MeasureVerdict::Added => "added",
            MeasureVerdict::Removed => "removed",
        }
    }
}

/// A measure from the evidence documents that changed.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingChanges {
    /// Only in the new package.
    pub new: Vec<FindingRow>,
    /// Only in the old package.
    pub resolved: Vec<FindingRow>,
    /// In both (the new side's wording).
    pub persisting: Vec<FindingRow>,
}

/// Waivers compared.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WaiverChanges {
    /// In force before, expired by the new assessment date.
    pub expired: Vec<WaiverRow>,
    /// In force now, not before.
    pub added: Vec<WaiverRow>,
    /// In force before, gone now though not expired (withdrawn or edited).
    pub withdrawn: Vec<WaiverRow>,
}

/// Sign-offs compared.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignOffChanges {
    /// Only in the new package.
    pub added: Vec<SignOffRow>,
    /// Only in the old package.
    pub withdrawn: Vec<SignOffRow>,
}

fn side_info(side: &Side) -> SideInfo {
    let m = &side.manifest;
    let (signature, signer) = match &side.signature {
        Signature::Unsigned | Signature::Failed => ("unsigned", None),
        Signature::NotChecked(id) => ("signed", Some(id.clone())),
        Signature::Verified(fp) => ("verified", Some(fp.clone())),
    };
    SideInfo {
        package: side.source.clone(),
        system: m.system.name.clone(),
        version: m.system.version.clone(),
        assessed_at: m.assessed_at.clone(),
        package_digest: m.package_digest.to_string(),
        verdict: side.assessment.verdict.clone(),
        artifact_count: m.artifacts.len() as u64,
        signature,
        signer,
        evidence_checked: side.evidence_checked,
    }
}

/// Compares two verified packages.
pub fn compare(old: &Side, new: &Side) -> Diff {
    let artifacts = compare_artifacts(old, new);
    let (catalogs, frameworks) = compare_frameworks(&old.assessment, &new.assessment);
    let checks = new.assessment.checks.clone().or_else(|| old.assessment.checks.clone()).unwrap_or_default();
    let thresholds_note = match (&old.assessment.checks, &new.assessment.checks) {
        (Some(a), Some(b)) if a != b => Some(
            "the two packages were checked with different thresholds; both sides are judged here by the new package's"
                .to_string(),
        ),
        _ => None,
    };
    let measures = compare_measures(&old.assessment, &new.assessment, &checks);
    let findings = compare_findings(&old.assessment.findings, &new.assessment.findings);
    let waivers = compare_waivers(&old.assessment.waivers, &new.assessment.waivers, &new.assessment.assessed_at);
    let sign_offs = compare_sign_offs(&old.assessment.sign_offs, &new.assessment.sign_offs);

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
        regression: count(Change::Regressed) > 0,
    };
    Diff {
        format: "dossier-diff",
        schema_version: 1,
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
    }
}

fn compare_artifacts(old: &Side, new: &Side) -> ArtifactChanges {
    let types = |side: &Side| -> BTreeMap<String, Option<String>> {
        side.assessment.artifacts.iter().map(|a| (a.path.clone(), a.evidence_type.clone())).collect()
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
    let old_by_id: BTreeMap<&str, &FrameworkIn> = old.frameworks.iter().map(|f| (f.id.as_str(), f)).collect();
    let new_by_id: BTreeMap<&str, &FrameworkIn> = new.frameworks.iter().map(|f| (f.id.as_str(), f)).collect();
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
            (Some(b), Some(a)) if b.as_of != a.as_of => Some(format!(
                "same catalog version, content checked as of {} before and {} now",
                b.as_of.as_deref().unwrap_or("an unknown date"),
                a.as_of.as_deref().unwrap_or("an unknown date")
            )),
            (None, Some(_)) => Some("not assessed in the old package".into()),
            (Some(_), None) => Some("not assessed in the new package".into()),
            _ => None,
        };
        catalogs.push(CatalogRow {
            framework: id.to_string(),
            title: either.title.clone(),
            old_version: before.map(|f| f.version.clone()),
            new_version: after.map(|f| f.version.clone()),
            old_as_of: before.and_then(|f| f.as_of.clone()),
            new_as_of: after.and_then(|f| f.as_of.clone()),
            note,
        });

        let requirements = |f: Option<&FrameworkIn>| -> BTreeMap<String, RequirementIn> {
            f.map(|f| f.requirements.iter().filter(|r| !r.heading).map(|r| (r.id.clone(), r.clone())).collect())
                .unwrap_or_default()
        };
        let (old_reqs, new_reqs) = (requirements(before), requirements(after));
        let mut order: Vec<&String> = after.map(|f| f.requirements.iter().map(|r| &r.id).collect()).unwrap_or_default();
        let in_new: BTreeSet<&String> = order.iter().copied().collect();
        order.extend(old_reqs.keys().filter(|id| !in_new.contains(id)));
        let mut transitions = Vec::new();
        for rid in order {
            let (b, a) = (old_reqs.get(rid), new_reqs.get(rid));
            let change = match (b, a) {
                (Some(b), Some(a)) if b.status == a.status => continue,
                (Some(b), Some(a)) if is_gap(a.status) && rank(a.status) > rank(b.status) => Change::Regressed,
                (Some(b), Some(a)) if is_gap(b.status) && rank(a.status) == 0 => Change::Fixed,
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

/// One measure read from one side's documents.
struct Measure {
    label: String,
    evidence_type: String,
    path: String,
    value: f64,
    limit: Option<Limit>,
}

/// The measures one side's documents give, with the thresholds the checks hold them to.
fn measures(a: &Assessment, checks: &ChecksConfig) -> Vec<Measure> {
    let mut out = Vec::new();
    // Logs are summed per evidence type: (actions over every file, lowest faithfulness, files).
    let mut logs: BTreeMap<&str, (LogStats, Option<f64>, Vec<&str>)> = BTreeMap::new();
    let band = Limit::Band { min: checks.disparate_impact.min, max: checks.disparate_impact.max };
    for d in &a.documents {
        let Some(doc) = &d.document else { continue };
        let mut push = |label: String, value: f64, limit: Option<Limit>| {
            if value.is_finite() {
                out.push(Measure { label, evidence_type: d.evidence_type.clone(), path: d.path.clone(), value, limit });
            }
        };
        match doc {
            Document::BiasReport { features, .. } => {
                for feature in features {
                    let name = &feature.name;
                    for group in &feature.groups {
                        if let Some(v) = group.disparate_impact_ratio {
                            push(format!("disparate impact ratio, {name} = {}", group.name), v, Some(band));
                        }
                    }
                    if let Some(v) = feature.demographic_parity_difference {
                        push(format!("demographic parity difference, {name}"), v, None);
                    }
                    if let Some(v) = feature.equalized_odds_difference {
                        push(format!("equalized odds difference, {name}"), v, None);
                    }
                }
            }
            Document::Metrics { metrics, .. } | Document::ModelCard { metrics, .. } => {
                for (name, v) in metrics {
                    let limit = checks.metric_limit(name);
                    push(name.clone(), *v, limit);
                }
            }
            Document::TestResults(counts) if counts.tests > 0 => {
                push(
                    "test pass rate".into(),
                    pass_rate(counts),
                    Some(Limit::AtLeast { min: checks.min_test_pass_rate }),
                );
                push("tests".into(), f64::from(counts.tests), None);
            }
            Document::Log(stats) => {
                let (sum, lowest, files) = logs.entry(d.evidence_type.as_str()).or_default();
                for (action, n) in &stats.actions {
                    *sum.actions.entry(action.clone()).or_default() += n;
                }
                for score in stats.faithfulness.iter().copied().filter(|x| x.is_finite()) {
                    *lowest = Some(lowest.map_or(score, |low: f64| low.min(score)));
                }
                files.push(&d.path);
            }
            _ => {}
        }
    }
    // Rates over logs are over every log of the type: a day's file more or less should
    // move the rate, not make it a different measure.
    for (t, (sum, lowest, files)) in logs {
        let path = if files.len() == 1 { files[0].to_string() } else { format!("{} files", files.len()) };
        let mut push = |label: &str, value: f64, limit: Option<Limit>| {
            out.push(Measure { label: label.into(), evidence_type: t.to_string(), path: path.clone(), value, limit })
        };
        if let Some(rate) = sum.override_rate() {
            push("override rate", rate, None);
        }
        if let Some(low) = lowest {
            push("lowest faithfulness score", low, Some(Limit::AtLeast { min: checks.min_faithfulness }));
        }
    }
    out
}

/// Measures are matched by evidence type and label, so a report replaced under another
/// name still compares; when one side has the same measure in several files, the path
/// is part of the match.
fn compare_measures(old: &Assessment, new: &Assessment, checks: &ChecksConfig) -> Vec<MeasureChange> {
    let (before, after) = (measures(old, checks), measures(new, checks));
    let mut repeated: BTreeSet<(String, String)> = BTreeSet::new();
    for list in [&before, &after] {
        let mut seen = BTreeSet::new();
        for m in list {
            let key = (m.evidence_type.clone(), m.label.clone());
            if !seen.insert(key.clone()) {
                repeated.insert(key);
            }
        }
    }
    let key = |m: &Measure| {
        let base = (m.evidence_type.clone(), m.label.clone());
        let path = if repeated.contains(&base) { m.path.clone() } else { String::new() };
        (base.0, base.1, path)
    };
    type Pair<'m> = (Option<&'m Measure>, Option<&'m Measure>);
    let mut both: BTreeMap<(String, String, String), Pair> = BTreeMap::new();
    for m in &before {
        both.entry(key(m)).or_default().0 = Some(m);
    }
    for m in &after {
        both.entry(key(m)).or_default().1 = Some(m);
    }
    let mut out = Vec::new();
    for ((evidence_type, label, _), (b, a)) in both {
        let limit = a.or(b).and_then(|m| m.limit);
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

fn compare_findings(old: &[FindingRow], new: &[FindingRow]) -> FindingChanges {
    let old_keys: BTreeSet<_> = old.iter().map(FindingRow::key).collect();
    let new_keys: BTreeSet<_> = new.iter().map(FindingRow::key).collect();
    FindingChanges {
        new: new.iter().filter(|f| !old_keys.contains(&f.key())).cloned().collect(),
        resolved: old.iter().filter(|f| !new_keys.contains(&f.key())).cloned().collect(),
        persisting: new.iter().filter(|f| old_keys.contains(&f.key())).cloned().collect(),
    }
}

fn compare_waivers(old: &[WaiverRow], new: &[WaiverRow], new_assessed_at: &str) -> WaiverChanges {
    let today = new_assessed_at.get(..10).unwrap_or(new_assessed_at);
    let mut out = WaiverChanges::default();
    for w in old.iter().filter(|w| !new.contains(w)) {
        // Dates are YYYY-MM-DD, so text order is date order.
        if w.expires.as_str() < today {
            out.expired.push(w.clone());
        } else {
            out.withdrawn.push(w.clone());
        }
    }
    out.added = new.iter().filter(|w| !old.contains(w)).cloned().collect();
    out
}

fn compare_sign_offs(old: &[SignOffRow], new: &[SignOffRow]) -> SignOffChanges {
    SignOffChanges {
        added: new.iter().filter(|s| !old.contains(s)).cloned().collect(),
        withdrawn: old.iter().filter(|s| !new.contains(s)).cloned().collect(),
    }
}

impl Diff {
    /// Pretty JSON with a final newline.
    pub fn to_pretty_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("the diff serializes");
        text.push('\n');
        text
    }
}

/// What the diff reports see: the diff as `changes`, like the package report's section.
#[derive(Serialize)]
struct Page<'a> {
    changes: &'a Diff,
}

/// Where `dossier diff` writes, and how.
pub struct WriteOptions<'a> {
    /// Output directory.
    pub output: &'a Path,
    /// The two packages, which the output must not touch.
    pub packages: [&'a Path; 2],
    /// Report templates (the package reports' set).
    pub templates: &'a TemplateSet,
    /// Reports to write besides `diff.json`.
    pub formats: &'a [ReportFormat],
}

/// Writes `diff.json` and the reports into the output directory, atomically: a staging
/// directory replaces an earlier diff output in one step. Returns the files written.
pub fn write(diff: &Diff, options: &WriteOptions) -> Result<(PathBuf, Vec<String>)> {
    let protected: Vec<(&str, &Path, &str)> =
        options.packages.iter().map(|p| ("the package", *p, "a package being compared")).collect();
    let mut staging = Staging::prepare_for(options.output, &protected, DIFF_JSON, "dossier diff output")?;
    let json = diff.to_pretty_json();
    staging.write_output(DIFF_JSON, json.as_bytes())?;
    let mut written = vec![DIFF_JSON.to_string()];
    for format in options.formats {
        match format {
            ReportFormat::Html => {
                let html = report::html::render_page(&Page { changes: diff }, options.templates, "diff.html")?;
                staging.write_output(DIFF_HTML, html.as_bytes())?;
                written.push(DIFF_HTML.to_string());
            }
            ReportFormat::Pdf => {
                let at = chrono::DateTime::parse_from_rfc3339(&diff.new.assessed_at)
                    .map_err(|e| Error::input(format!("assessment time of the new package: {e}")))?
                    .with_timezone(&chrono::Utc);
                let ident = format!("dossier-diff:{}:{}", diff.old.package_digest, diff.new.package_digest);
                let data: [report::pdf::DataFile; 1] = [("/diff.json", json.as_bytes())];
                let pdf = report::pdf::render_document(options.templates, "diff.typ", &data, &at, &ident)?;
                staging.write_output(DIFF_PDF, &pdf)?;
                written.push(DIFF_PDF.to_string());
            }
        }
    }
    Ok((staging.commit()?, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_worse_gap_is_a_regression() {
        use Status::*;
        let regressed = |a: Status, b: Status| is_gap(b) && rank(b) > rank(a);
        assert!(regressed(Satisfied, Failed));
        assert!(regressed(Satisfied, Partial));
        assert!(regressed(Stale, Missing));
        assert!(regressed(Waived, Stale));
        assert!(!regressed(Satisfied, Waived), "a waiver is a recorded decision, not a gap");
        assert!(!regressed(Failed, Missing));
        assert!(!regressed(Missing, Satisfied));
    }

    fn assessment(documents: &str) -> Assessment {
        let text = format!(
            r#"{{"format": "dossier-assessment", "schema_version": 1, "assessed_at": "2026-01-01T00:00:00Z",
               "verdict": "pass", "frameworks": [], "artifacts": [], "documents": {documents}}}"#
        );
        Assessment::parse(text.as_bytes()).unwrap()
    }

    fn log(path: &str, actions: &str, faithfulness: &str) -> String {
        format!(
            r#"{{"path": "{path}", "evidence_type": "override-log",
                 "document": {{"kind": "log", "records": 1, "actions": {actions}, "faithfulness": {faithfulness}}}}}"#
        )
    }

    #[test]
    fn log_rates_are_over_every_file_of_a_type_and_unknown_kinds_are_skipped() {
        let before = assessment(&format!(
            "[{}, {}, {}]",
            log("a.jsonl", r#"{"accept": 8, "override": 2}"#, "[0.9]"),
            log("b.jsonl", r#"{"accept": 10}"#, "[0.95, 0.6]"),
            r#"{"path": "x", "evidence_type": "y", "document": {"kind": "from-the-future", "z": 1}}"#
        ));
        let after = assessment(&format!("[{}]", log("a.jsonl", r#"{"accept": 8, "override": 2}"#, "[0.9]")));
        let checks = ChecksConfig::default();
        let m = measures(&before, &checks);
        let rate = m.iter().find(|m| m.label == "override rate").unwrap();
        assert_eq!((rate.value, rate.path.as_str()), (0.1, "2 files"));
        let low = m.iter().find(|m| m.label == "lowest faithfulness score").unwrap();
        assert_eq!(low.value, 0.6);

        // One file fewer moves the rate (0.1 -> 0.2) and lifts the lowest score back over
        // the threshold: the same measures, compared.
        let changes = compare_measures(&before, &after, &checks);
        let rate = changes.iter().find(|c| c.measure == "override rate").unwrap();
        assert_eq!((rate.old, rate.new, rate.verdict), (Some(0.1), Some(0.2), MeasureVerdict::Changed));
        let low = changes.iter().find(|c| c.measure == "lowest faithfulness score").unwrap();
        assert_eq!(low.verdict, MeasureVerdict::Recovered);
    }

    #[test]
    fn findings_keep_their_identity_when_the_wording_changes() {
        let f = |message: &str| FindingRow {
            code: "threshold-failed".into(),
            severity: "error".into(),
            message: message.into(),
            path: Some("fairness/bias.json".into()),
            line: Some(3),
            requirements: vec![],
        };
        let changes = compare_findings(&[f("ratio 0.79")], &[f("ratio 0.75")]);
        assert_eq!((changes.new.len(), changes.resolved.len(), changes.persisting.len()), (0, 0, 1));
        assert_eq!(changes.persisting[0].message, "ratio 0.75");
    }

    #[test]
    fn a_waiver_past_its_date_expired_and_one_before_it_was_withdrawn() {
        let w = |path: &str, expires: &str| WaiverRow {
            path: path.into(),
            requirements: vec!["x".into()],
            approver: "a".into(),
            expires: expires.into(),
        };
        let changes = compare_waivers(
            &[w("a.yaml", "2026-01-31"), w("b.yaml", "2027-01-01"), w("c.yaml", "2027-01-01")],
            &[w("c.yaml", "2027-01-01"), w("d.yaml", "2027-06-30")],
            "2026-04-01T00:00:00Z",
        );
        assert_eq!(changes.expired, vec![w("a.yaml", "2026-01-31")]);
        assert_eq!(changes.withdrawn, vec![w("b.yaml", "2027-01-01")]);
        assert_eq!(changes.added, vec![w("d.yaml", "2027-06-30")]);
    }
}
