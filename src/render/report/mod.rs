//! The report model: what the HTML and PDF reports show, laid out from one assessment.
//!
//! [`Report`] gathers everything a reader needs (header, executive summary, conformity
//! assessment, Annex IV index, matrix, data certificate, performance, robustness, human
//! oversight, findings, inventory, how to verify) from a finished [`Assessment`] and its
//! sealed manifest. It judges nothing the assessment has not: rates, verdicts,
//! coverage, limits and dates are the assessment's; the model selects, orders, groups
//! and cuts long lists, and works out the few figures the reports print beside them
//! (section numbers, coverage bars, confusion-matrix sums and shares, counts), so the
//! templates only lay things out. The HTML renderer hands it to Tera, the PDF renderer
//! to Typst as a JSON file, so the two reports cannot disagree.
//!
//! Evidence text only ever reaches a renderer as data: Tera escapes it, Typst shows JSON
//! strings as text. The one exception is Markdown evidence, which [`crate::markdown`]
//! turns into HTML with raw HTML, scripts and remote images neutralised.
//!
//! Reports stay readable at any scale: similar artifacts are summarised in groups
//! ([`inventory`]), long lists are cut with a count of what was left out, and the
//! machine-readable files keep every entry.

pub mod inventory;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::markdown;
use crate::model::assessment::Assessment;
use crate::model::decision::{SignOffRecord, Waiver};
use crate::model::diff::Diff;
use crate::model::document::{Confusion, Document, LogStats, RiskEntry, TestCounts};
use crate::model::evidence::{EvidenceSet, SetMember};
use crate::model::finding::{Finding, Severity, Verdict};
use crate::model::matrix::{Coverage, FrameworkResult, RequirementResult, Status};
use crate::model::measure::MeasureKind;
use crate::seal::manifest::Manifest;

/// The value of the report model's `format` field.
pub const FORMAT: &str = "dossier-report";
/// Report model schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// At most this many artifacts are listed per matrix row; the rest are counted.
const MAX_ROW_ARTIFACTS: usize = 8;
/// At most this many findings are listed per finding code; the rest are counted.
const MAX_FINDINGS_PER_CODE: usize = 25;
/// Findings shown in the executive summary.
const TOP_FINDINGS: usize = 10;
/// At most this many failing test names are listed per test-results file.
const MAX_FAILED_NAMES: usize = 20;
/// Logs of one type are listed one by one up to this many; more are summarised in one row.
const MAX_LOGS_LISTED: usize = crate::model::evidence::MAX_LISTED_MEMBERS;

/// The sections of the report, in order: id and title. Numbering, the table of contents
/// and the order of the sections in both reports come from this one list.
const SECTIONS: &[(&str, &str)] = &[
    ("summary", "Executive summary"),
    ("conformity", "Conformity assessment"),
    ("annex-iv", "Annex IV technical documentation"),
    ("matrix", "Traceability matrix"),
    ("data", "Data certificate"),
    ("performance", "Model performance"),
    ("robustness", "Robustness"),
    ("oversight", "Human oversight"),
    ("genai", "Generative AI controls"),
    ("infrastructure", "Infrastructure controls"),
    ("findings", "Findings"),
    ("waivers", "Waivers"),
    ("model-card", "Model card"),
    ("inventory", "Evidence inventory"),
    ("verify", "How to verify this package"),
    ("changes", "Changes since the previous package"),
];

/// The branding of the reports: who they are for, with what logo.
#[derive(Debug, Clone, Default)]
pub struct Branding {
    /// Organisation named on the cover; default: the system's provider.
    pub organisation: Option<String>,
    /// The logo: its file name and bytes.
    pub logo: Option<(String, Vec<u8>)>,
}

/// What the report is made from.
pub struct Input<'a> {
    /// The assessment.
    pub assessment: &'a Assessment,
    /// The sealed manifest (before the reports are added to it).
    pub manifest: &'a Manifest,
    /// What changed since the previous package (`build --previous`).
    pub changes: Option<&'a Diff>,
    /// Organisation and logo.
    pub branding: &'a Branding,
    /// Fingerprint of the key the package is signed with, when signed.
    pub signer: Option<&'a str>,
}

/// The report model (schema version 1). Field names are the template API.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always `dossier-report`.
    pub format: &'static str,
    /// Schema version.
    pub schema_version: u32,
    /// Who, what, when, and the package identity.
    pub header: Header,
    /// Status per framework, totals and the most important findings.
    pub summary: Summary,
    /// The conformity assessment, sections A to E.
    pub conformity: Conformity,
    /// Each Annex IV point and where its evidence is (empty when the EU AI Act is not assessed).
    pub annex_iv: Vec<MatrixRow>,
    /// The traceability matrix, per framework.
    pub frameworks: Vec<FrameworkView>,
    /// Datasets with their digests, and lineage records.
    pub data: DataCertificate,
    /// Metrics, fairness per group, confusion matrices.
    pub performance: Performance,
    /// Robustness and red-team test results.
    pub robustness: Vec<TestRun>,
    /// Override statistics and sign-offs.
    pub oversight: Oversight,
    /// Findings grouped by code.
    pub findings: FindingsView,
    /// Waivers in force.
    pub waivers: Vec<Waiver>,
    /// Generative-AI controls as read from their evidence: output marking, guardrails,
    /// red-team attacks per category, RAG audit logs. Absent when the evidence has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genai: Option<GenAi>,
    /// The infrastructure rules' results, when the evidence holds infrastructure exports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<crate::model::infra::InfraResults>,
    /// The evidence inventory, with large groups summarised.
    pub inventory: inventory::Inventory,
    /// The model card, rendered (first model card in path order).
    pub model_card: Option<MarkdownDoc>,
    /// Lists cut short to keep the report readable, with how many entries were left out
    /// (`robustness`, `metrics`, `fairness`, `confusion`, `datasets`, `risks`). Absent keys: nothing left out.
    pub omitted: BTreeMap<&'static str, usize>,
    /// What changed since the previous package, when the build was given one
    /// (`build --previous`): the diff model, as in `diff.json`.
    pub changes: Option<Diff>,
    /// The sections in the order the reports show them, numbered, with the count the
    /// table of contents shows beside each.
    pub sections: Vec<Section>,
}

/// One section of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Its id: the anchor in the HTML report and the name of its template file
    /// (`html/sections/<id>.html`, `typst/sections/<id>.typ`).
    pub id: &'static str,
    /// Its number, from 1.
    pub number: usize,
    /// Its title.
    pub title: &'static str,
    /// What the table of contents counts beside it (rows, findings, files), if anything.
    pub count: Option<usize>,
}

/// The report header.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// Organisation named on the cover.
    pub organisation: Option<String>,
    /// Logo as a `data:` URI (for HTML).
    pub logo_data_uri: Option<String>,
    /// Logo file name in the Typst world (for PDF), e.g. `/logo.png`.
    pub logo_file: Option<String>,
    /// System name.
    pub system: String,
    /// Release version.
    pub version: Option<String>,
    /// Provider.
    pub provider: Option<String>,
    /// EU AI Act risk category.
    pub risk_category: String,
    /// Role (provider, deployer, ...).
    pub role: String,
    /// Capabilities that bring transparency duties.
    pub capabilities: Vec<String>,
    /// When the assessment was made (RFC 3339, UTC).
    pub assessed_at: String,
    /// The assessment day (YYYY-MM-DD).
    pub assessed_on: String,
    /// The package digest from `manifest.json`.
    pub package_digest: String,
    /// SHA-256 of the effective configuration.
    pub config_sha256: String,
    /// Tool name.
    pub tool: String,
    /// Tool version.
    pub tool_version: String,
    /// Where the evidence was, relative to the package directory, when known.
    pub evidence_hint: Option<String>,
    /// Whether the package carries a copy of the evidence (`evidence/`).
    pub evidence_included: bool,
    /// Fingerprint (`SHA256:<hex>`) of the Ed25519 key that signs the package's
    /// attestation, when it is signed.
    pub signer: Option<String>,
    /// Number of evidence artifacts.
    pub artifact_count: u64,
    /// Their total size in bytes.
    pub total_bytes: u64,
    /// Whether the PDF carries `manifest.json` as an attachment (see
    /// [`MAX_ATTACHED_MANIFEST_FILES`]).
    pub manifest_attached: bool,
    /// The object-store roots the evidence came from, with what their objects' versions
    /// and locks were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<StoreView>,
}

/// One object-store root as the report shows it: the bucket's settings from the manifest,
/// and counts over its objects' pinned versions.
#[derive(Debug, Clone, Serialize)]
pub struct StoreView {
    /// The root and what was read, as the manifest records it.
    #[serde(flatten)]
    pub info: crate::model::evidence::StoreInfo,
    /// Objects pinned to a version id.
    pub versioned: u64,
    /// Objects under an Object Lock retention.
    pub retained: u64,
    /// Objects under a legal hold.
    pub legal_hold: u64,
    /// The earliest retain-until date among them.
    pub earliest_retain_until: Option<String>,
}

/// The report's view of each store root, counted over the manifest's stored artifacts.
fn store_views(m: &Manifest) -> Vec<StoreView> {
    m.evidence
        .stores
        .iter()
        .map(|info| {
            let root = crate::collect::store::StoreUrl::try_from(info.url.clone()).ok();
            let objects: Vec<&crate::model::evidence::StoredObject> = m
                .artifacts
                .iter()
                .filter_map(|a| a.stored.as_ref())
                .filter(|o| root.as_ref().is_some_and(|r| r.holds(&o.url)))
                .collect();
            let count = |f: &dyn Fn(&crate::model::evidence::StoredObject) -> bool| {
                objects.iter().filter(|o| f(o)).count() as u64
            };
            StoreView {
                info: info.clone(),
                versioned: count(&|o| o.is_versioned()),
                retained: count(&|o| o.lock.as_ref().is_some_and(|l| l.retain_until.is_some())),
                legal_hold: count(&|o| o.lock.as_ref().is_some_and(|l| l.legal_hold)),
                earliest_retain_until: objects.iter().filter_map(|o| o.lock.as_ref()?.retain_until.clone()).min(),
            }
        })
        .collect()
}

/// The PDF report attaches `manifest.json` when it lists at most this many files (about
/// 5 MiB of manifest). A larger manifest would make the PDF grow with the evidence, by
/// about 40 bytes a file even compressed; the package holds it, and the set digests in
/// the report tie the two together.
pub const MAX_ATTACHED_MANIFEST_FILES: u64 = 25_000;

/// The executive summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `pass` when no error finding exists, else `fail`.
    pub verdict: Verdict,
    /// Coverage per framework.
    pub frameworks: Vec<FrameworkSummary>,
    /// Totals over all frameworks.
    pub totals: Coverage,
    /// The totals' coverage bar.
    pub totals_bar: Vec<Segment>,
    /// Findings per severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
    /// The first findings by severity (errors first).
    pub top_findings: Vec<Finding>,
}

/// One framework's coverage line.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkSummary {
    /// Catalog id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Catalog version.
    pub version: String,
    /// Whether it is binding law.
    pub binding: bool,
    /// Counts per status.
    pub coverage: Coverage,
    /// Satisfied share of applicable requirements, 0-100, rounded down (the coverage's own).
    pub percent: u32,
    /// The coverage bar: one segment per status present, in bar order.
    pub bar: Vec<Segment>,
}

/// One segment of a coverage bar.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// The status it shows.
    pub status: Status,
    /// How many requirements have it.
    pub count: u32,
    /// Where it starts, 0-100.
    pub start: f64,
    /// Its width, 0-100.
    pub width: f64,
}

/// The conformity assessment, in the structure of a formal conformity-assessment record.
#[derive(Debug, Clone, Serialize)]
pub struct Conformity {
    /// A: general information.
    pub general: General,
    /// B: intended purpose.
    pub intended_purpose: IntendedPurpose,
    /// C: risk management system.
    pub risk_management: RiskManagement,
    /// D: data governance.
    pub data_governance: DataGovernance,
    /// E: human oversight measures.
    pub human_oversight: HumanOversight,
}

/// Section A.
#[derive(Debug, Clone, Serialize)]
pub struct General {
    /// System name.
    pub system: String,
    /// Version.
    pub version: Option<String>,
    /// Release date: the date of the newest approving sign-off, when there is one.
    pub release_date: Option<String>,
    /// Provider.
    pub provider: Option<String>,
    /// Risk category.
    pub risk_category: String,
    /// Role.
    pub role: String,
}

/// Section B.
#[derive(Debug, Clone, Serialize)]
pub struct IntendedPurpose {
    /// `system.intended_purpose`.
    pub description: Option<String>,
    /// `system.inputs`.
    pub inputs: Vec<String>,
    /// `system.outputs`.
    pub outputs: Vec<String>,
    /// `system.known_limitations`.
    pub limitations: Vec<String>,
    /// Evidence files that state the intended use.
    pub sources: Vec<String>,
}

/// Section C.
#[derive(Debug, Clone, Serialize)]
pub struct RiskManagement {
    /// Risk registers read.
    pub registers: Vec<String>,
    /// Every identified risk.
    pub risks: Vec<Risk>,
    /// Risks whose residual level is not low, or that were accepted rather than mitigated.
    pub residual: Vec<Risk>,
}

/// One risk from a register, with the register it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// The risk as the register states it, and whether a residual risk is carried.
    #[serde(flatten)]
    pub entry: RiskEntry,
    /// The register it came from.
    pub source: String,
}

/// Section D.
#[derive(Debug, Clone, Serialize)]
pub struct DataGovernance {
    /// Datasets with their digests.
    pub datasets: Vec<Dataset>,
    /// Representativeness sections from datasheets.
    pub representativeness: Vec<MarkdownDoc>,
    /// Data profiles: (path, rows, missing-cell share) where the profile says so.
    pub profiles: Vec<Profile>,
}

/// A data profile's headline figures.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// The profile file.
    pub path: String,
    /// Rows profiled.
    pub rows: Option<u64>,
    /// Variables.
    pub variables: Option<u64>,
    /// Share of missing cells, 0-1.
    pub missing_share: Option<f64>,
    /// Duplicate rows.
    pub duplicates: Option<u64>,
}

/// Section E.
#[derive(Debug, Clone, Serialize)]
pub struct HumanOversight {
    /// Oversight measures: each section heading of the oversight plans with its first paragraph.
    pub measures: Vec<Measure>,
    /// Oversight plans read.
    pub sources: Vec<String>,
}

/// One oversight measure.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// The section heading.
    pub title: String,
    /// Its first paragraph, as plain text.
    pub text: String,
    /// The plan it came from.
    pub source: String,
}

/// A dataset named by the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    /// Role: training, validation, test, ...
    pub role: Option<String>,
    /// Name.
    pub name: String,
    /// Where it lives.
    pub uri: Option<String>,
    /// Its SHA-256 as the manifest records it.
    pub sha256: Option<String>,
    /// Rows.
    pub rows: Option<u64>,
    /// The file that lists it.
    pub source: String,
    /// Other evidence that names this dataset with the same digest.
    pub referenced_by: Vec<String>,
    /// A file in the evidence the dataset names by path.
    pub file: Option<String>,
    /// Whether that file's digest is the one recorded (none when there is nothing to check).
    pub verified: Option<bool>,
}

/// The data certificate: datasets and lineage.
#[derive(Debug, Clone, Serialize)]
pub struct DataCertificate {
    /// Every dataset listed in a dataset manifest.
    pub datasets: Vec<Dataset>,
    /// Lineage records, as key facts.
    pub lineage: Vec<FactSheet>,
}

/// A structured document shown as `key: value` facts.
#[derive(Debug, Clone, Serialize)]
pub struct FactSheet {
    /// The file.
    pub path: String,
    /// Flattened facts (`a.b[0].c`, value), at most 40.
    pub facts: Vec<(String, String)>,
    /// Facts left out.
    pub more: usize,
}

/// Model performance.
#[derive(Debug, Clone, Serialize)]
pub struct Performance {
    /// Every metric, per source file.
    pub metrics: Vec<Metric>,
    /// Fairness per sensitive feature.
    pub fairness: Vec<Fairness>,
    /// Confusion matrices.
    pub confusion: Vec<ConfusionView>,
    /// The disparate-impact bounds the checks use.
    pub impact_bounds: (f64, f64),
}

/// One metric.
#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    /// Source file.
    pub source: String,
    /// Metric name.
    pub name: String,
    /// Value.
    pub value: f64,
    /// The configured minimum, when there is one.
    pub minimum: Option<f64>,
    /// The configured maximum, when there is one (for lower-is-better metrics).
    pub maximum: Option<f64>,
    /// The limit as text (`>= 0.7`, `<= 0.05`, `[0.7, 0.95]`), when there is one.
    pub limit: Option<String>,
    /// Whether the value meets the limit (`None` without one).
    pub passes: Option<bool>,
}

/// Fairness results for one feature of one report.
#[derive(Debug, Clone, Serialize)]
pub struct Fairness {
    /// Source file.
    pub source: String,
    /// Sensitive feature.
    pub feature: String,
    /// Reference group.
    pub reference_group: Option<String>,
    /// Demographic parity difference.
    pub demographic_parity_difference: Option<f64>,
    /// Equalized odds difference.
    pub equalized_odds_difference: Option<f64>,
    /// Each group.
    pub groups: Vec<GroupView>,
    /// How many groups are outside the disparate-impact bounds.
    pub outside: usize,
}

/// One group's disparate impact ratio.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// Group name.
    pub name: String,
    /// Ratio to the reference group.
    pub ratio: Option<f64>,
    /// Whether the ratio is inside the bounds.
    pub within: Option<bool>,
    /// Line in the report.
    pub line: Option<u64>,
}

/// A confusion matrix with its source, and the sums and shares a reader sees beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ConfusionView {
    /// Source file.
    pub source: String,
    /// Labels, counts and their total.
    #[serde(flatten)]
    pub confusion: Confusion,
    /// Cases per actual class (the sum of each row).
    pub row_totals: Vec<u64>,
    /// Cases per predicted class (the sum of each column), one per label.
    pub column_totals: Vec<u64>,
    /// Each cell's share of all cases, 0-1, shaped like `matrix`; null when there are no cases.
    pub shares: Vec<Vec<Option<f64>>>,
}

impl ConfusionView {
    fn new(source: &str, confusion: &Confusion) -> Self {
        let row_totals = confusion.matrix.iter().map(|row| row.iter().sum()).collect();
        let column_totals =
            (0..confusion.labels.len()).map(|j| confusion.matrix.iter().filter_map(|row| row.get(j)).sum()).collect();
        let shares = confusion
            .matrix
            .iter()
            .map(|row| row.iter().map(|&n| (confusion.total > 0).then(|| n as f64 / confusion.total as f64)).collect())
            .collect();
        ConfusionView { source: source.to_string(), confusion: confusion.clone(), row_totals, column_totals, shares }
    }
}

/// One test-results file.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    /// The file.
    pub path: String,
    /// Evidence type (robustness-report, red-team-report).
    pub evidence_type: String,
    /// Counts, with the pass rate (the share of the cases that ran that passed).
    #[serde(flatten)]
    pub counts: TestCounts,
    /// Failed case names left out of `failed` (it lists at most 20).
    pub failed_more: usize,
}

/// Human oversight in practice.
#[derive(Debug, Clone, Serialize)]
pub struct Oversight {
    /// Override and audit logs.
    pub logs: Vec<LogView>,
    /// Sign-offs.
    pub sign_offs: Vec<SignOffRecord>,
}

/// One log's statistics.
#[derive(Debug, Clone, Serialize)]
pub struct LogView {
    /// The file, or for a summary of many logs, `N files: FIRST … LAST`.
    pub path: String,
    /// How many log files this row covers.
    pub files: usize,
    /// Evidence type.
    pub evidence_type: String,
    /// Statistics.
    #[serde(flatten)]
    pub stats: LogStatsView,
}

/// The parts of a log's statistics a reader needs.
#[derive(Debug, Clone, Serialize)]
pub struct LogStatsView {
    /// Records.
    pub records: u64,
    /// Lines that were not records.
    pub bad_lines: u64,
    /// First timestamp.
    pub first: Option<String>,
    /// Last timestamp.
    pub last: Option<String>,
    /// Action counts.
    pub actions: BTreeMap<String, u64>,
    /// Share of overridden or reversed outputs.
    pub override_rate: Option<f64>,
    /// Mean faithfulness score, when the log has them.
    pub mean_faithfulness: Option<f64>,
}

impl From<&LogStats> for LogStatsView {
    fn from(s: &LogStats) -> Self {
        LogStatsView {
            records: s.records,
            bad_lines: s.bad_lines,
            first: s.first.clone(),
            last: s.last.clone(),
            actions: s.actions.clone(),
            override_rate: s.override_rate,
            mean_faithfulness: s.mean_faithfulness,
        }
    }
}

/// A framework's matrix.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    /// Catalog id.
    pub id: String,
    /// Whether it is binding law.
    pub binding: bool,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Rows in catalog order.
    pub rows: Vec<MatrixRow>,
}

/// One matrix row.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// Requirement id.
    pub id: String,
    /// Short reference (`Art. 10(2)(f)`).
    pub reference: String,
    /// Title.
    pub title: String,
    /// The heading this row belongs to, if any.
    pub parent: Option<String>,
    /// Nesting depth (0 for top level).
    pub depth: usize,
    /// Whether the row is a heading summarising its parts.
    pub heading: bool,
    /// Status.
    pub status: Status,
    /// The day it applies from, when the catalog dates it.
    pub applies_on: Option<String>,
    /// Why.
    pub summary: String,
    /// Evidence types required, with how many were found.
    pub needs: Vec<String>,
    /// The first files of the small evidence sets it draws on.
    pub artifacts: Vec<ArtifactLink>,
    /// Files of small sets left out.
    pub more_artifacts: usize,
    /// The evidence sets it draws on that are too large to list.
    pub sets: Vec<SetLink>,
}

/// An evidence set named in a row, too large to list its files.
#[derive(Debug, Clone, Serialize)]
pub struct SetLink {
    /// The evidence type.
    pub evidence_type: String,
    /// How many files.
    pub count: u64,
    /// The glob covering them.
    pub pattern: String,
    /// The set digest (SHA-256 over its `SHA256SUMS` lines).
    pub digest: String,
}

/// An artifact named in a row.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactLink {
    /// Path.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Evidence date.
    pub date: Option<String>,
}

/// Findings grouped by code.
#[derive(Debug, Clone, Serialize)]
pub struct FindingsView {
    /// Total findings.
    pub total: usize,
    /// One group per code, errors first.
    pub groups: Vec<FindingGroup>,
}

/// The findings of one code.
#[derive(Debug, Clone, Serialize)]
pub struct FindingGroup {
    /// Code.
    pub code: String,
    /// Severity.
    pub severity: Severity,
    /// What the code means.
    pub meaning: &'static str,
    /// How many.
    pub count: usize,
    /// The first ones.
    pub items: Vec<Finding>,
    /// Findings left out.
    pub more: usize,
}

/// A Markdown document (or section), rendered for both outputs.
#[derive(Debug, Clone, Serialize)]
pub struct MarkdownDoc {
    /// The file.
    pub path: String,
    /// Sanitised HTML.
    pub html: String,
    /// Blocks for Typst.
    pub blocks: Vec<crate::markdown::Block>,
}

impl Report {
    /// Lays out the report from a finished assessment.
    pub fn build(input: &Input) -> Report {
        let a = input.assessment;
        let sets: BTreeMap<&str, &EvidenceSet> =
            a.evidence_sets.iter().filter_map(|s| Some((s.evidence_type.as_deref()?, s))).collect();
        let frameworks: Vec<FrameworkView> = a.frameworks.iter().map(|f| framework_view(f, &sets)).collect();
        let annex_iv = frameworks
            .iter()
            .filter(|f| f.id == "eu-ai-act")
            .flat_map(|f| f.rows.iter().filter(|r| r.id.starts_with("eu-ai-act/annex-iv")).cloned())
            .collect();
        let datasets: Vec<Dataset> = a
            .datasets
            .iter()
            .map(|row| Dataset {
                role: row.dataset.role.clone(),
                name: row.dataset.name.clone(),
                uri: row.dataset.uri.clone(),
                sha256: row.dataset.sha256.clone(),
                rows: row.dataset.rows,
                source: row.source.clone(),
                referenced_by: row.referenced_by.clone(),
                file: row.dataset.file.clone(),
                verified: row.verified,
            })
            .collect();
        // The files behind a section: the members of small sets, a description of large ones.
        let paths_of = |types: &[&str]| -> Vec<String> {
            let mut paths: Vec<String> = types
                .iter()
                .filter_map(|t| sets.get(t))
                .flat_map(|s| -> Vec<String> {
                    if s.members.is_empty() {
                        vec![s.describe()]
                    } else {
                        s.members.iter().map(|m| m.path.clone()).collect()
                    }
                })
                .collect();
            paths.sort();
            paths
        };
        let system = &a.system;
        let conformity = Conformity {
            general: General {
                system: a.scope.name.clone(),
                version: a.scope.version.clone(),
                release_date: a.release_date.clone(),
                provider: system.provider.clone(),
                risk_category: a.scope.risk_category.to_string(),
                role: a.scope.role.to_string(),
            },
            intended_purpose: IntendedPurpose {
                description: system.intended_purpose.clone(),
                inputs: system.inputs.clone(),
                outputs: system.outputs.clone(),
                limitations: system.known_limitations.clone(),
                sources: paths_of(&["intended-use", "instructions-for-use"]),
            },
            risk_management: risk_management(a),
            data_governance: DataGovernance {
                datasets: datasets.clone(),
                representativeness: a
                    .documents()
                    .flat_map(|(x, d)| match d {
                        Document::Datasheet(sheet) => {
                            sheet.representativeness.iter().map(|text| markdown_doc(&x.path, text)).collect()
                        }
                        _ => Vec::new(),
                    })
                    .collect(),
                profiles: a
                    .documents()
                    .filter_map(|(x, d)| match d {
                        Document::DataProfile(p) => Some(Profile {
                            path: x.path.clone(),
                            rows: p.rows,
                            variables: p.variables,
                            missing_share: p.missing_share,
                            duplicates: p.duplicates,
                        }),
                        _ => None,
                    })
                    .collect(),
            },
            human_oversight: HumanOversight {
                measures: a
                    .documents()
                    .flat_map(|(x, d)| match d {
                        Document::OversightPlan(plan) => plan
                            .measures
                            .iter()
                            .map(|m| Measure { title: m.title.clone(), text: m.text.clone(), source: x.path.clone() })
                            .collect(),
                        _ => Vec::new(),
                    })
                    .collect(),
                sources: paths_of(&["oversight-plan"]),
            },
        };
        let findings = findings_view(&a.findings);
        let inventory =
            inventory::Inventory::build(&a.evidence_sets, a.artifacts.iter().filter(|x| !x.facts.is_evidence()));
        let changes = input.changes.cloned();
        let genai = genai(a);
        let shown =
            Shown { changes: changes.is_some(), infrastructure: a.infrastructure.is_some(), genai: genai.is_some() };
        let sections = sections(&frameworks, &findings, a.waivers.len(), inventory.count, shown);
        Report {
            format: FORMAT,
            schema_version: SCHEMA_VERSION,
            header: header(input),
            summary: summary(a),
            conformity,
            annex_iv,
            frameworks,
            data: DataCertificate {
                datasets,
                lineage: a
                    .documents()
                    .filter_map(|(x, d)| match d {
                        Document::DataLineage(sheet) => {
                            Some(FactSheet { path: x.path.clone(), facts: sheet.facts.clone(), more: sheet.more })
                        }
                        _ => None,
                    })
                    .collect(),
            },
            performance: performance(a),
            robustness: a
                .documents()
                .filter_map(|(x, d)| match d {
                    Document::TestResults(counts) => Some(TestRun {
                        path: x.path.clone(),
                        evidence_type: x.evidence_type().unwrap_or_default().to_string(),
                        failed_more: counts.failed.len().saturating_sub(MAX_FAILED_NAMES),
                        counts: TestCounts {
                            failed: counts.failed.iter().take(MAX_FAILED_NAMES).cloned().collect(),
                            ..counts.clone()
                        },
                    }),
                    _ => None,
                })
                .collect(),
            oversight: Oversight { logs: log_views(a), sign_offs: a.sign_offs.clone() },
            findings,
            waivers: a.waivers.clone(),
            genai,
            infrastructure: a.infrastructure.clone(),
            inventory,
            model_card: a.documents().find_map(|(x, d)| match d {
                Document::ModelCard(card) => card.text.as_deref().map(|text| markdown_doc(&x.path, text)),
                _ => None,
            }),
            omitted: BTreeMap::new(),
            changes,
            sections,
        }
        .cap()
    }

    /// Cuts the long lists to their limits and records what was left out.
    fn cap(mut self) -> Self {
        fn cut<T>(list: &mut Vec<T>, limit: usize, name: &'static str, omitted: &mut BTreeMap<&'static str, usize>) {
            if list.len() > limit {
                omitted.insert(name, list.len() - limit);
                list.truncate(limit);
            }
        }
        let o = &mut self.omitted;
        cut(&mut self.robustness, 50, "robustness", o);
        cut(&mut self.performance.metrics, 200, "metrics", o);
        cut(&mut self.performance.fairness, 50, "fairness", o);
        cut(&mut self.performance.confusion, 10, "confusion", o);
        cut(&mut self.data.datasets, 200, "datasets", o);
        cut(&mut self.conformity.data_governance.datasets, 200, "datasets", o);
        cut(&mut self.conformity.risk_management.risks, 200, "risks", o);
        self
    }

    /// The model as pretty JSON (what Typst templates read as `/report.json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serializes to JSON")
    }
}

/// The sections shown only when the package has what they show.
struct Shown {
    changes: bool,
    infrastructure: bool,
    genai: bool,
}

fn sections(
    frameworks: &[FrameworkView],
    findings: &FindingsView,
    waivers: usize,
    artifacts: usize,
    shown: Shown,
) -> Vec<Section> {
    SECTIONS
        .iter()
        .filter(|(id, _)| match *id {
            "changes" => shown.changes,
            "infrastructure" => shown.infrastructure,
            "genai" => shown.genai,
            _ => true,
        })
        .enumerate()
        .map(|(i, (id, title))| Section {
            id,
            number: i + 1,
            title,
            count: match *id {
                "matrix" => Some(frameworks.iter().map(|f| f.rows.len()).sum()),
                "findings" => Some(findings.total),
                "waivers" => Some(waivers),
                "inventory" => Some(artifacts),
                _ => None,
            },
        })
        .collect()
}

fn header(input: &Input) -> Header {
    let a = input.assessment;
    let m = input.manifest;
    let system = &a.system;
    let (logo_data_uri, logo_file) = match &input.branding.logo {
        Some((name, bytes)) => {
            let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            let mime = match ext.as_str() {
                "svg" => "image/svg+xml",
                "jpg" | "jpeg" => "image/jpeg",
                _ => "image/png",
            };
            (Some(format!("data:{mime};base64,{}", crate::digest::base64(bytes))), Some(format!("/logo.{ext}")))
        }
        None => (None, None),
    };
    Header {
        organisation: input.branding.organisation.clone().or_else(|| system.provider.clone()),
        logo_data_uri,
        logo_file,
        system: m.system.name.clone(),
        version: m.system.version.clone(),
        provider: system.provider.clone(),
        risk_category: system.risk_category.to_string(),
        role: system.role.to_string(),
        capabilities: system.capabilities.iter().map(ToString::to_string).collect(),
        assessed_at: m.assessed_at.clone(),
        assessed_on: a.assessed_on.to_string(),
        package_digest: m.package_digest.to_string(),
        config_sha256: m.config_sha256.to_string(),
        tool: m.tool.name.clone(),
        tool_version: m.tool.version.clone(),
        evidence_hint: m.evidence.root_hint.clone(),
        evidence_included: m.evidence.included,
        signer: input.signer.map(str::to_string),
        artifact_count: m.evidence.artifact_count,
        total_bytes: m.evidence.total_bytes,
        manifest_attached: m.evidence.artifact_count <= MAX_ATTACHED_MANIFEST_FILES,
        stores: store_views(m),
    }
}

/// The order of the segments in a coverage bar.
const BAR: [Status; 6] =
    [Status::Satisfied, Status::Waived, Status::Partial, Status::Stale, Status::Missing, Status::Failed];

/// A coverage bar: each status present as a share of the applicable requirements.
fn bar(c: &Coverage) -> Vec<Segment> {
    let mut start = 0.0;
    let mut out = Vec::new();
    if c.applicable == 0 {
        return out;
    }
    for status in BAR {
        let count = c.count_of(status);
        if count == 0 {
            continue;
        }
        let width = f64::from(count) * 100.0 / f64::from(c.applicable);
        out.push(Segment { status, count, start: round3(start), width: round3(width) });
        start += width;
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn summary(a: &Assessment) -> Summary {
    let frameworks = a
        .frameworks
        .iter()
        .map(|f| FrameworkSummary {
            id: f.id.clone(),
            title: f.title.clone(),
            version: f.version.clone(),
            binding: f.binding,
            coverage: f.coverage,
            percent: f.coverage.percent,
            bar: bar(&f.coverage),
        })
        .collect();
    let mut top: Vec<&Finding> = a.findings.iter().filter(|f| f.severity != Severity::Note).collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Summary {
        verdict: a.verdict,
        frameworks,
        totals: a.totals,
        totals_bar: bar(&a.totals),
        errors: a.counts.errors,
        warnings: a.counts.warnings,
        notes: a.counts.notes,
        top_findings: top.into_iter().take(TOP_FINDINGS).cloned().collect(),
    }
}

fn framework_view(f: &FrameworkResult, sets: &BTreeMap<&str, &EvidenceSet>) -> FrameworkView {
    let parents: BTreeMap<&str, Option<&str>> =
        f.requirements.iter().map(|r| (r.id.as_str(), r.parent.as_deref())).collect();
    let depth = |r: &RequirementResult| {
        let mut d = 0;
        let mut at = r.parent.as_deref();
        while let Some(p) = at {
            d += 1;
            at = parents.get(p).copied().flatten();
            if d > 16 {
                break;
            }
        }
        d
    };
    let rows = f
        .requirements
        .iter()
        .map(|r| {
            let found: Vec<&EvidenceSet> = if matches!(r.status, Status::NotApplicable | Status::NotYetApplicable) {
                Vec::new()
            } else {
                r.evidence.iter().filter_map(|n| sets.get(n.evidence_type.as_str()).copied()).collect()
            };
            let mut members: Vec<&SetMember> = found.iter().flat_map(|s| &s.members).collect();
            members.sort_by(|a, b| a.path.cmp(&b.path));
            members.dedup_by(|a, b| a.path == b.path);
            MatrixRow {
                id: r.id.clone(),
                reference: r.reference.clone(),
                title: r.title.clone(),
                parent: r.parent.clone(),
                depth: depth(r),
                heading: r.heading,
                status: r.status,
                applies_on: r.applies_on.map(|d| d.to_string()),
                summary: r.summary.clone(),
                needs: r.evidence.iter().map(|n| format!("{} ({} found)", n.evidence_type, n.found)).collect(),
                artifacts: members
                    .iter()
                    .take(MAX_ROW_ARTIFACTS)
                    .map(|m| ArtifactLink {
                        path: m.path.clone(),
                        sha256: m.sha256.to_string(),
                        date: m.date.map(|d| d.to_string()),
                    })
                    .collect(),
                more_artifacts: members.len().saturating_sub(MAX_ROW_ARTIFACTS),
                sets: found
                    .iter()
                    .filter(|s| s.members.is_empty())
                    .map(|s| SetLink {
                        evidence_type: s.name().to_string(),
                        count: s.count,
                        pattern: s.pattern.clone(),
                        digest: s.digest.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    FrameworkView { id: f.id.clone(), binding: f.binding, title: f.title.clone(), version: f.version.clone(), rows }
}

fn findings_view(findings: &[Finding]) -> FindingsView {
    let mut by_code: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_code.entry(f.code.id()).or_default().push(f);
    }
    let mut groups: Vec<FindingGroup> = by_code
        .into_values()
        .map(|items| FindingGroup {
            code: items[0].code.id().to_string(),
            severity: items[0].severity,
            meaning: items[0].code.summary().unwrap_or("A finding code of a later dossier version."),
            count: items.len(),
            more: items.len().saturating_sub(MAX_FINDINGS_PER_CODE),
            items: items.into_iter().take(MAX_FINDINGS_PER_CODE).cloned().collect(),
        })
        .collect();
    groups.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.code.cmp(&b.code)));
    FindingsView { total: findings.len(), groups }
}

fn risk_management(a: &Assessment) -> RiskManagement {
    let mut registers = Vec::new();
    let mut risks = Vec::new();
    for (x, d) in a.documents() {
        let Document::RiskRegister(register) = d else { continue };
        registers.push(x.path.clone());
        risks.extend(register.entries.iter().map(|e| Risk { entry: e.clone(), source: x.path.clone() }));
    }
    let residual = risks.iter().filter(|r| r.entry.carried).cloned().collect();
    RiskManagement { registers, risks, residual }
}

/// The measure of `kind` a document gave, for one feature and group where that matters.
fn measure<'a>(
    a: &'a Assessment,
    path: &str,
    kind: MeasureKind,
    feature: Option<&str>,
    group: Option<&str>,
) -> Option<&'a crate::model::measure::Measure> {
    a.measures
        .iter()
        .find(|m| m.kind == kind && m.path == path && m.feature.as_deref() == feature && m.group.as_deref() == group)
}

fn performance(a: &Assessment) -> Performance {
    let metrics = a
        .measures
        .iter()
        .filter(|m| m.kind == MeasureKind::Metric)
        .map(|m| Metric {
            source: m.path.clone(),
            name: m.measure.clone(),
            value: m.value,
            minimum: m.limit.and_then(|l| l.min()),
            maximum: m.limit.and_then(|l| l.max()),
            limit: m.limit.map(|l| l.to_string()),
            passes: m.passes,
        })
        .collect();
    let mut fairness = Vec::new();
    let mut confusion = Vec::new();
    for (x, d) in a.documents() {
        match d {
            Document::Metrics(m) => {
                if let Some(c) = &m.confusion {
                    confusion.push(ConfusionView::new(&x.path, c));
                }
            }
            Document::BiasReport(report) => {
                for f in &report.features {
                    let groups: Vec<GroupView> = f
                        .groups
                        .iter()
                        .map(|g| GroupView {
                            name: g.name.clone(),
                            ratio: g.disparate_impact_ratio,
                            within: measure(a, &x.path, MeasureKind::DisparateImpact, Some(&f.name), Some(&g.name))
                                .and_then(|m| m.passes),
                            line: g.line,
                        })
                        .collect();
                    fairness.push(Fairness {
                        source: x.path.clone(),
                        feature: f.name.clone(),
                        reference_group: f.reference_group.clone(),
                        demographic_parity_difference: f.metric("demographic_parity_difference"),
                        equalized_odds_difference: f.metric("equalized_odds_difference"),
                        outside: groups.iter().filter(|g| g.within == Some(false)).count(),
                        groups,
                    });
                }
            }
            _ => {}
        }
    }
    let band = a.checks.disparate_impact;
    Performance { metrics, fairness, confusion, impact_bounds: (band.min, band.max) }
}

/// One row per log, or per evidence type when a type has many logs (daily files).
fn log_views(a: &Assessment) -> Vec<LogView> {
    listed_logs(a)
        .into_iter()
        .map(|l| LogView {
            path: l.path,
            files: l.files,
            evidence_type: l.evidence_type.to_string(),
            stats: l.stats.into(),
        })
        .collect()
}

/// A log as the reports list it: one file, or every log of a type taken together.
struct ListedLog<'a> {
    path: String,
    files: usize,
    evidence_type: &'a str,
    stats: &'a LogStats,
}

/// The logs the reports list: one by one while a type has few, else one row per type
/// with the statistics taken together (the files are not listed in the assessment then).
fn listed_logs(a: &Assessment) -> Vec<ListedLog<'_>> {
    let mut out = Vec::new();
    for summary in &a.logs {
        if summary.files <= MAX_LOGS_LISTED {
            for (x, d) in a.documents() {
                if let (Document::Log(stats), Some(t)) = (d, x.evidence_type())
                    && t == summary.evidence_type
                {
                    out.push(ListedLog { path: x.path.clone(), files: 1, evidence_type: t, stats });
                }
            }
        } else {
            out.push(ListedLog {
                path: format!("{} files: {} … {}", summary.files, summary.first_path, summary.last_path),
                files: summary.files,
                evidence_type: &summary.evidence_type,
                stats: &summary.stats,
            });
        }
    }
    out
}

/// The "Generative AI controls" section.
#[derive(Debug, Clone, Serialize)]
pub struct GenAi {
    /// Sampled generated outputs and their content credentials.
    pub samples: Vec<MarkedSample>,
    /// How many of them count as marked (valid credentials declaring AI generation).
    pub marked: usize,
    /// Watermark detection reports.
    pub watermarks: Vec<WatermarkView>,
    /// Guardrail configurations.
    pub guardrails: Vec<GuardrailView>,
    /// Red-team results with attack categories.
    pub red_team: Vec<RedTeamView>,
    /// RAG audit logs.
    pub rag: Vec<RagView>,
    /// Invocation logs with guardrail traces.
    pub interventions: Vec<InterventionView>,
}

/// A log's guardrail traces.
#[derive(Debug, Clone, Serialize)]
pub struct InterventionView {
    /// Its path.
    pub path: String,
    /// Invocations in the log.
    pub records: u64,
    /// What the guardrail did.
    pub traces: crate::model::document::GuardrailTraces,
    /// Interventions over guarded invocations.
    pub intervention_rate: Option<f64>,
}

/// One sampled output.
#[derive(Debug, Clone, Serialize)]
pub struct MarkedSample {
    /// Its path.
    pub path: String,
    /// Whether it counts as marked.
    pub marked: bool,
    /// Whether its signer is outside the trust anchors.
    pub untrusted: bool,
    /// What its credentials say.
    pub credentials: crate::model::genai::ContentCredentials,
    /// The codes of the findings about it.
    pub findings: Vec<String>,
}

/// One watermark report, with its rates.
#[derive(Debug, Clone, Serialize)]
pub struct WatermarkView {
    /// Its path.
    pub path: String,
    /// What it holds.
    pub report: crate::model::genai::WatermarkReport,
    /// Detected over generated samples.
    pub detection_rate: Option<f64>,
    /// Flagged over human-written controls.
    pub false_positive_rate: Option<f64>,
    /// The codes of the findings about it.
    pub findings: Vec<String>,
}

/// One guardrail configuration.
#[derive(Debug, Clone, Serialize)]
pub struct GuardrailView {
    /// Its path.
    pub path: String,
    /// What it configures.
    pub guardrail: crate::model::genai::Guardrail,
    /// The codes of the findings about it.
    pub findings: Vec<String>,
}

/// One red-team result, by attack category.
#[derive(Debug, Clone, Serialize)]
pub struct RedTeamView {
    /// Its path.
    pub path: String,
    /// The categories, with their attack success rates.
    pub categories: Vec<AttackView>,
    /// The codes of the findings about it.
    pub findings: Vec<String>,
}

/// One attack category.
#[derive(Debug, Clone, Serialize)]
pub struct AttackView {
    /// The category.
    pub name: String,
    /// Its attacks.
    pub attacks: crate::model::document::Attacks,
    /// Attacks that got through over attacks made.
    pub success_rate: Option<f64>,
}

/// One RAG audit log.
#[derive(Debug, Clone, Serialize)]
pub struct RagView {
    /// Its path.
    pub path: String,
    /// Records read.
    pub records: u64,
    /// Mean and lowest faithfulness.
    pub mean_faithfulness: Option<f64>,
    /// Lowest faithfulness.
    pub lowest_faithfulness: Option<f64>,
    /// Citation integrity, when the records cite chunks.
    pub citations: Option<crate::model::document::Citations>,
    /// The codes of the findings about it.
    pub findings: Vec<String>,
}

fn genai(a: &Assessment) -> Option<GenAi> {
    let codes = |path: &str| -> Vec<String> {
        let mut codes: Vec<String> =
            a.findings.iter().filter(|f| f.path.as_deref() == Some(path)).map(|f| f.code.to_string()).collect();
        codes.dedup();
        codes
    };
    let mut out = GenAi {
        samples: Vec::new(),
        marked: 0,
        watermarks: Vec::new(),
        guardrails: Vec::new(),
        red_team: Vec::new(),
        rag: Vec::new(),
        interventions: Vec::new(),
    };
    for (x, d) in a.documents() {
        let path = x.path.clone();
        match d {
            Document::ContentCredentials(c) => out.samples.push(MarkedSample {
                findings: codes(&path),
                path,
                marked: c.marked(),
                untrusted: c.untrusted(),
                credentials: c.clone(),
            }),
            Document::Watermark(w) => out.watermarks.push(WatermarkView {
                findings: codes(&path),
                path,
                report: w.clone(),
                detection_rate: w.detection_rate(),
                false_positive_rate: w.false_positive_rate(),
            }),
            Document::Guardrail(g) => {
                out.guardrails.push(GuardrailView { findings: codes(&path), path, guardrail: g.clone() })
            }
            Document::TestResults(t) if !t.attacks.is_empty() => out.red_team.push(RedTeamView {
                findings: codes(&path),
                path,
                categories: t
                    .attacks
                    .iter()
                    .map(|(name, attacks)| AttackView {
                        name: name.clone(),
                        attacks: attacks.clone(),
                        success_rate: attacks.success_rate(),
                    })
                    .collect(),
            }),
            _ => {}
        }
    }
    // Logs as the oversight section lists them, so that a large set shows taken together.
    for l in listed_logs(a) {
        if let Some(g) = l.stats.guardrail.as_deref() {
            out.interventions.push(InterventionView {
                path: l.path.clone(),
                records: l.stats.records,
                traces: g.clone(),
                intervention_rate: g.intervention_rate(),
            });
        }
        if l.evidence_type == "rag-audit-log" {
            out.rag.push(RagView {
                findings: codes(&l.path),
                path: l.path,
                records: l.stats.records,
                mean_faithfulness: l.stats.mean_faithfulness,
                lowest_faithfulness: l.stats.lowest_faithfulness,
                citations: l.stats.citations.as_deref().cloned(),
            });
        }
    }
    out.marked = out.samples.iter().filter(|s| s.marked).count();
    let empty = out.samples.is_empty()
        && out.watermarks.is_empty()
        && out.guardrails.is_empty()
        && out.red_team.is_empty()
        && out.rag.is_empty()
        && out.interventions.is_empty();
    (!empty).then_some(out)
}

fn markdown_doc(path: &str, text: &str) -> MarkdownDoc {
    MarkdownDoc { path: path.to_string(), html: markdown::to_html(text), blocks: markdown::to_blocks(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_grouped_by_code_errors_first_and_capped() {
        use crate::model::finding::Code;
        let mut findings: Vec<Finding> =
            (0..30).map(|i| Finding::at(Code::EmptyArtifact, format!("f{i}"), "empty")).collect();
        findings.push(Finding::at(Code::ThresholdFailed, "bias.json", "too low"));
        let view = findings_view(&findings);
        assert_eq!(view.total, 31);
        assert_eq!(view.groups[0].code, "threshold-failed");
        assert_eq!(view.groups[1].count, 30);
        assert_eq!(view.groups[1].items.len(), MAX_FINDINGS_PER_CODE);
        assert_eq!(view.groups[1].more, 5);
    }

    #[test]
    fn a_confusion_matrix_comes_with_its_sums_and_shares() {
        let c = Confusion { labels: vec!["no".into(), "yes".into()], matrix: vec![vec![6, 2], vec![1, 11]], total: 20 };
        let view = ConfusionView::new("m.json", &c);
        assert_eq!(view.row_totals, [8, 12]);
        assert_eq!(view.column_totals, [7, 13]);
        assert_eq!(view.shares, [[Some(0.3), Some(0.1)], [Some(0.05), Some(0.55)]]);
        let empty = Confusion { labels: vec!["a".into()], matrix: vec![vec![0]], total: 0 };
        assert_eq!(ConfusionView::new("m.json", &empty).shares, [[None]]);
    }

    #[test]
    fn a_coverage_bar_spans_the_applicable_requirements() {
        let c = Coverage::of([Status::Satisfied, Status::Satisfied, Status::Missing, Status::NotApplicable]);
        let segments = bar(&c);
        assert_eq!(segments.len(), 2);
        assert_eq!((segments[0].start, segments[0].width), (0.0, 66.667));
        assert_eq!((segments[1].status, segments[1].start, segments[1].width), (Status::Missing, 66.667, 33.333));
        assert!(bar(&Coverage::of([Status::NotApplicable])).is_empty());
    }
}
