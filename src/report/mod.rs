//! The audit report: one model, two renderers.
//!
//! [`Report`] gathers everything a reader needs (header, executive summary, conformity
//! assessment, Annex IV index, matrix, data certificate, performance, robustness, human
//! oversight, findings, inventory, how to verify) from a finished assessment. It is
//! plain data: the HTML renderer ([`html`]) hands it to Tera, the PDF renderer ([`pdf`])
//! hands it to Typst as a JSON file. Neither renderer computes anything of its own, so
//! the two reports cannot disagree.
//!
//! Evidence text only ever reaches a renderer as data: Tera escapes it, Typst shows JSON
//! strings as text. The one exception is Markdown evidence, which [`markdown`] turns into
//! HTML with raw HTML, scripts and remote images neutralised.
//!
//! Reports stay readable at any scale: similar artifacts are summarised in groups
//! ([`inventory`]), long lists are cut with a count of what was left out, and the
//! machine-readable files keep every entry.

pub mod html;
pub mod inventory;
pub mod markdown;
pub mod pdf;
pub mod templates;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::config::LoadedConfig;
use crate::decisions::{SignOff, Waiver};
use crate::documents::{Confusion, Document, LogStats, TestCounts};
use crate::findings::{Finding, Severity};
use crate::manifest::Manifest;
use crate::matrix::{Coverage, Matrix, RequirementResult, Status};

/// The value of the report model's `format` field.
pub const FORMAT: &str = "dossier-report";
/// Report model schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// File name of the HTML report inside a package.
pub const HTML_FILE: &str = "index.html";
/// File name of the PDF report inside a package.
pub const PDF_FILE: &str = "report.pdf";

/// At most this many artifacts are listed per matrix row; the rest are counted.
const MAX_ROW_ARTIFACTS: usize = 8;
/// At most this many findings are listed per finding code; the rest are counted.
const MAX_FINDINGS_PER_CODE: usize = 25;
/// Findings shown in the executive summary.
const TOP_FINDINGS: usize = 10;
/// At most this many failing test names are listed per test-results file.
const MAX_FAILED_NAMES: usize = 20;
/// At most this many rows of a structured document are shown as facts.
const MAX_FACTS: usize = 40;

/// Everything the report is made from.
pub struct Context<'a> {
    /// The configuration (system description, report branding).
    pub config: &'a LoadedConfig,
    /// The evidence root, to read Markdown sections (model card, datasheet, oversight plan).
    pub root: &'a Path,
    /// The sealed manifest (before the reports are added to it).
    pub manifest: &'a Manifest,
    /// The traceability matrix.
    pub matrix: &'a Matrix,
    /// Every finding.
    pub findings: &'a [Finding],
    /// Parsed evidence documents: (path, evidence type, document).
    pub documents: &'a [(String, String, Document)],
    /// Sign-offs in the evidence.
    pub sign_offs: &'a [SignOff],
    /// Waivers in force.
    pub waivers: &'a [Waiver],
    /// The organisation's logo, already read: (file name, bytes).
    pub logo: Option<(&'a str, &'a [u8])>,
    /// Fingerprint of the key the package is signed with, when signed.
    pub signer: Option<&'a str>,
    /// What changed since the previous package (`build --previous`).
    pub changes: Option<&'a crate::diff::Diff>,
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
    /// The evidence inventory, with large groups summarised.
    pub inventory: inventory::Inventory,
    /// The model card, rendered (first model card in path order).
    pub model_card: Option<MarkdownDoc>,
    /// Lists cut short to keep the report readable, with how many entries were left out
    /// (`robustness`, `metrics`, `fairness`, `confusion`, `datasets`, `risks`). Absent keys: nothing left out.
    pub omitted: BTreeMap<&'static str, usize>,
    /// What changed since the previous package, when the build was given one
    /// (`build --previous`): the diff model, as in `diff.json`.
    pub changes: Option<crate::diff::Diff>,
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
}

/// The executive summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `pass` when no error finding exists, else `fail`.
    pub verdict: &'static str,
    /// Coverage per framework.
    pub frameworks: Vec<FrameworkSummary>,
    /// Totals over all frameworks.
    pub totals: Coverage,
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
    /// Satisfied or waived share of applicable requirements, 0-100, rounded down.
    pub percent: u32,
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

/// One risk from a register.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// Risk id.
    pub id: Option<String>,
    /// What could go wrong.
    pub risk: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Likelihood.
    pub likelihood: Option<String>,
    /// Impact.
    pub impact: Option<String>,
    /// Mitigation.
    pub mitigation: Option<String>,
    /// Residual level.
    pub residual: Option<String>,
    /// Status (mitigated, accepted, open, ...).
    pub status: Option<String>,
    /// Owner.
    pub owner: Option<String>,
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

/// A confusion matrix with its source.
#[derive(Debug, Clone, Serialize)]
pub struct ConfusionView {
    /// Source file.
    pub source: String,
    /// Labels and counts.
    #[serde(flatten)]
    pub confusion: Confusion,
    /// Sum of all cells.
    pub total: u64,
}

/// One test-results file.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    /// The file.
    pub path: String,
    /// Evidence type (robustness-report, red-team-report).
    pub evidence_type: String,
    /// Counts.
    #[serde(flatten)]
    pub counts: TestCounts,
    /// Passed share, 0-1, when there were tests.
    pub pass_rate: Option<f64>,
    /// Failed case names left out of `failed` (it lists at most 20).
    pub failed_more: usize,
}

/// Human oversight in practice.
#[derive(Debug, Clone, Serialize)]
pub struct Oversight {
    /// Override and audit logs.
    pub logs: Vec<LogView>,
    /// Sign-offs.
    pub sign_offs: Vec<SignOff>,
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

/// The parts of [`LogStats`] a reader needs.
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
        let mean_faithfulness =
            (!s.faithfulness.is_empty()).then(|| s.faithfulness.iter().sum::<f64>() / s.faithfulness.len() as f64);
        LogStatsView {
            records: s.records,
            bad_lines: s.bad_lines,
            first: s.first.clone(),
            last: s.last.clone(),
            actions: s.actions.clone(),
            override_rate: s.override_rate(),
            mean_faithfulness,
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
    /// Why.
    pub summary: String,
    /// Evidence types required, with how many were found.
    pub needs: Vec<String>,
    /// The first artifacts.
    pub artifacts: Vec<ArtifactLink>,
    /// Artifacts left out.
    pub more_artifacts: usize,
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
    pub blocks: Vec<markdown::Block>,
}

impl Report {
    /// Builds the report model from a finished assessment.
    pub fn build(cx: &Context) -> Report {
        let sign_offs = cx.sign_offs.to_vec();
        let typed = |wanted: &[&str]| -> Vec<&(String, String, Document)> {
            cx.documents.iter().filter(|(_, t, _)| wanted.contains(&t.as_str())).collect()
        };
        let frameworks: Vec<FrameworkView> = cx.matrix.frameworks.iter().map(framework_view).collect();
        let annex_iv = frameworks
            .iter()
            .filter(|f| f.id == "eu-ai-act")
            .flat_map(|f| f.rows.iter().filter(|r| r.id.starts_with("eu-ai-act/annex-iv")).cloned())
            .collect();
        let datasets = datasets(cx);
        let paths_of = |types: &[&str]| -> Vec<String> {
            cx.matrix
                .artifacts
                .iter()
                .filter(|a| a.facts.evidence_type.as_deref().is_some_and(|t| types.contains(&t)))
                .map(|a| a.path.clone())
                .collect()
        };
        let conformity = Conformity {
            general: General {
                system: cx.matrix.system.name.clone(),
                version: cx.matrix.system.version.clone(),
                release_date: sign_offs.iter().filter(|s| s.approved).filter_map(|s| s.date.clone()).max(),
                provider: cx.config.config.system.provider.clone(),
                risk_category: label(&cx.matrix.system.risk_category),
                role: label(&cx.matrix.system.role),
            },
            intended_purpose: IntendedPurpose {
                description: cx.config.config.system.intended_purpose.clone(),
                inputs: cx.config.config.system.inputs.clone(),
                outputs: cx.config.config.system.outputs.clone(),
                limitations: cx.config.config.system.known_limitations.clone(),
                sources: paths_of(&["intended-use", "instructions-for-use"]),
            },
            risk_management: risk_management(&typed(&["risk-register"])),
            data_governance: DataGovernance {
                datasets: datasets.clone(),
                representativeness: markdown_sections(cx, &paths_of(&["datasheet"]), &["representativ"]),
                profiles: profiles(cx, &paths_of(&["data-profile"])),
            },
            human_oversight: human_oversight(cx, &paths_of(&["oversight-plan"])),
        };
        Report {
            format: FORMAT,
            schema_version: SCHEMA_VERSION,
            header: header(cx),
            summary: summary(cx),
            conformity,
            annex_iv,
            frameworks,
            data: DataCertificate {
                datasets,
                lineage: typed(&["data-lineage"])
                    .into_iter()
                    .filter_map(|(path, _, doc)| match doc {
                        Document::Data { value } => Some(fact_sheet(path, value)),
                        _ => None,
                    })
                    .collect(),
            },
            performance: performance(cx),
            robustness: cx
                .documents
                .iter()
                .filter_map(|(path, t, doc)| match doc {
                    Document::TestResults(counts) => Some(TestRun {
                        path: path.clone(),
                        evidence_type: t.clone(),
                        failed_more: counts.failed.len().saturating_sub(MAX_FAILED_NAMES),
                        counts: TestCounts {
                            failed: counts.failed.iter().take(MAX_FAILED_NAMES).cloned().collect(),
                            ..counts.clone()
                        },
                        pass_rate: (counts.tests > 0).then(|| {
                            f64::from(counts.tests.saturating_sub(counts.failures + counts.errors + counts.skipped))
                                / f64::from(counts.tests)
                        }),
                    }),
                    _ => None,
                })
                .collect(),
            oversight: Oversight { logs: log_views(cx.documents), sign_offs },
            findings: findings_view(cx.findings),
            waivers: cx.waivers.to_vec(),
            inventory: inventory::Inventory::build(&cx.matrix.artifacts),
            model_card: paths_of(&["model-card"])
                .into_iter()
                .filter(|p| p.to_ascii_lowercase().ends_with(".md"))
                .find_map(|p| read_markdown(cx.root, &p).map(|text| markdown_doc(&p, &text))),
            omitted: BTreeMap::new(),
            changes: cx.changes.cloned(),
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

/// The kebab-case name serde gives an enum value.
fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn header(cx: &Context) -> Header {
    let report = &cx.config.config.report;
    let system = &cx.config.config.system;
    let (logo_data_uri, logo_file) = match cx.logo {
        Some((name, bytes)) => {
            let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            let mime = match ext.as_str() {
                "svg" => "image/svg+xml",
                "jpg" | "jpeg" => "image/jpeg",
                _ => "image/png",
            };
            (Some(format!("data:{mime};base64,{}", base64(bytes))), Some(format!("/logo.{ext}")))
        }
        None => (None, None),
    };
    Header {
        organisation: report.organisation.clone().or_else(|| system.provider.clone()),
        logo_data_uri,
        logo_file,
        system: cx.manifest.system.name.clone(),
        version: cx.manifest.system.version.clone(),
        provider: system.provider.clone(),
        risk_category: label(&system.risk_category),
        role: label(&system.role),
        capabilities: system.capabilities.iter().map(label).collect(),
        assessed_at: cx.manifest.assessed_at.clone(),
        assessed_on: cx.matrix.assessed_on.to_string(),
        package_digest: cx.manifest.package_digest.to_string(),
        config_sha256: cx.manifest.config_sha256.to_string(),
        tool: cx.manifest.tool.name.clone(),
        tool_version: cx.manifest.tool.version.clone(),
        evidence_hint: cx.manifest.evidence.root_hint.clone(),
        evidence_included: cx.manifest.evidence.included,
        signer: cx.signer.map(str::to_string),
        artifact_count: cx.manifest.evidence.artifact_count,
        total_bytes: cx.manifest.evidence.total_bytes,
    }
}

fn summary(cx: &Context) -> Summary {
    let counts = crate::findings::Counts::of(cx.findings);
    let mut totals = Coverage::default();
    let frameworks = cx
        .matrix
        .frameworks
        .iter()
        .map(|f| {
            let c = f.coverage;
            totals.applicable += c.applicable;
            totals.satisfied += c.satisfied;
            totals.partial += c.partial;
            totals.stale += c.stale;
            totals.missing += c.missing;
            totals.failed += c.failed;
            totals.waived += c.waived;
            totals.not_applicable += c.not_applicable;
            let percent = ((c.satisfied + c.waived) * 100).checked_div(c.applicable).unwrap_or(100);
            FrameworkSummary {
                id: f.id.clone(),
                title: f.title.clone(),
                version: f.version.clone(),
                binding: f.binding,
                coverage: c,
                percent,
            }
        })
        .collect();
    let mut top: Vec<&Finding> = cx.findings.iter().filter(|f| f.severity != Severity::Note).collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Summary {
        verdict: if counts.errors == 0 { "pass" } else { "fail" },
        frameworks,
        totals,
        errors: counts.errors,
        warnings: counts.warnings,
        notes: counts.notes,
        top_findings: top.into_iter().take(TOP_FINDINGS).cloned().collect(),
    }
}

fn framework_view(f: &crate::matrix::FrameworkResult) -> FrameworkView {
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
        .map(|r| MatrixRow {
            id: r.id.clone(),
            reference: r.reference.clone(),
            title: r.title.clone(),
            parent: r.parent.clone(),
            depth: depth(r),
            heading: r.heading,
            status: r.status,
            summary: r.summary.clone(),
            needs: r.evidence.iter().map(|n| format!("{} ({} found)", n.evidence_type, n.found)).collect(),
            artifacts: r
                .artifacts
                .iter()
                .take(MAX_ROW_ARTIFACTS)
                .map(|a| ArtifactLink {
                    path: a.path.clone(),
                    sha256: a.sha256.to_string(),
                    date: a.date.map(|d| d.to_string()),
                })
                .collect(),
            more_artifacts: r.artifacts.len().saturating_sub(MAX_ROW_ARTIFACTS),
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
            meaning: items[0].code.summary(),
            count: items.len(),
            more: items.len().saturating_sub(MAX_FINDINGS_PER_CODE),
            items: items.into_iter().take(MAX_FINDINGS_PER_CODE).cloned().collect(),
        })
        .collect();
    groups.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.code.cmp(&b.code)));
    FindingsView { total: findings.len(), groups }
}

fn string_at(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(*k)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn risk_management(registers: &[&(String, String, Document)]) -> RiskManagement {
    let mut risks = Vec::new();
    let mut residual = Vec::new();
    for (path, _, doc) in registers {
        let Document::Data { value } = doc else { continue };
        let list = value.get("risks").or_else(|| value.get("risk_register")).or_else(|| value.get("items"));
        let list = list.and_then(Value::as_array).cloned().or_else(|| value.as_array().cloned()).unwrap_or_default();
        for r in &list {
            let risk = Risk {
                id: string_at(r, &["id", "risk_id"]),
                risk: string_at(r, &["risk", "title", "description", "name"]),
                category: string_at(r, &["category"]),
                likelihood: string_at(r, &["likelihood", "probability"]),
                impact: string_at(r, &["impact", "severity"]),
                mitigation: string_at(r, &["mitigation", "mitigations", "controls"]),
                residual: string_at(r, &["residual_risk", "residual"]),
                status: string_at(r, &["status"]),
                owner: string_at(r, &["owner"]),
                source: path.clone(),
            };
            let accepted = risk.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("accepted"));
            let not_low = risk.residual.as_deref().is_some_and(|s| !s.eq_ignore_ascii_case("low"));
            if accepted || not_low {
                residual.push(risk.clone());
            }
            risks.push(risk);
        }
    }
    RiskManagement { registers: registers.iter().map(|(p, _, _)| p.clone()).collect(), risks, residual }
}

fn datasets(cx: &Context) -> Vec<Dataset> {
    // Digests other evidence cites, to show which reports used which dataset.
    let mut cited: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (path, _, doc) in cx.documents {
        if let Document::Metrics { datasets, .. } | Document::BiasReport { datasets, .. } = doc {
            for (_, sha) in datasets {
                cited.entry(sha.as_str()).or_default().push(path.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (path, t, doc) in cx.documents {
        let (Document::Data { value }, "dataset-manifest") = (doc, t.as_str()) else { continue };
        let list = value.get("datasets").and_then(Value::as_array).cloned().unwrap_or_else(|| vec![value.clone()]);
        for d in &list {
            let Some(name) = string_at(d, &["name", "id", "uri", "path"]) else { continue };
            let sha256 =
                string_at(d, &["sha256", "hash", "digest"]).map(|s| s.trim_start_matches("sha256:").to_string());
            let referenced_by = sha256.as_deref().and_then(|s| cited.get(s)).cloned().unwrap_or_default();
            out.push(Dataset {
                role: string_at(d, &["role", "split"]),
                name,
                uri: string_at(d, &["uri", "location", "path"]),
                sha256,
                rows: d.get("rows").or_else(|| d.get("n")).and_then(Value::as_u64),
                source: path.clone(),
                referenced_by,
            });
        }
    }
    out
}

fn profiles(cx: &Context, paths: &[String]) -> Vec<Profile> {
    paths
        .iter()
        .filter_map(|path| {
            let text = read_small(cx.root, path)?;
            let v: Value = serde_json::from_str(&text).ok()?;
            let table = v.get("table").unwrap_or(&v);
            Some(Profile {
                path: path.clone(),
                rows: table.get("n").and_then(Value::as_u64),
                variables: table.get("n_var").and_then(Value::as_u64),
                missing_share: table.get("p_cells_missing").and_then(Value::as_f64),
                duplicates: table.get("n_duplicates").and_then(Value::as_u64),
            })
        })
        .collect()
}

fn performance(cx: &Context) -> Performance {
    let checks = &cx.config.config.checks;
    // Judged by the same limits the checks apply, in evaluation reports and model cards.
    let metric = |source: &String, name: &String, value: f64| {
        let limit = checks.metric_limit(name);
        Metric {
            source: source.clone(),
            name: name.clone(),
            value,
            minimum: limit.and_then(|l| l.min()),
            maximum: limit.and_then(|l| l.max()),
            limit: limit.map(|l| l.to_string()),
            passes: limit.map(|l| l.holds(value)),
        }
    };
    let (lo, hi) = (checks.disparate_impact.min, checks.disparate_impact.max);
    let mut metrics = Vec::new();
    let mut fairness = Vec::new();
    let mut confusion = Vec::new();
    for (path, _, doc) in cx.documents {
        match doc {
            Document::Metrics { metrics: m, confusion: c, .. } => {
                metrics.extend(m.iter().map(|(name, value)| metric(path, name, *value)));
                if let Some(c) = c {
                    let total = c.matrix.iter().flatten().sum();
                    confusion.push(ConfusionView { source: path.clone(), confusion: c.clone(), total });
                }
            }
            Document::ModelCard { metrics: m, .. } => {
                metrics.extend(m.iter().map(|(name, value)| metric(path, name, *value)));
            }
            Document::BiasReport { features, .. } => {
                for f in features {
                    fairness.push(Fairness {
                        source: path.clone(),
                        feature: f.name.clone(),
                        reference_group: f.reference_group.clone(),
                        demographic_parity_difference: f.demographic_parity_difference,
                        equalized_odds_difference: f.equalized_odds_difference,
                        groups: f
                            .groups
                            .iter()
                            .map(|g| GroupView {
                                name: g.name.clone(),
                                ratio: g.disparate_impact_ratio,
                                within: g.disparate_impact_ratio.map(|r| (lo..=hi).contains(&r)),
                                line: g.line,
                            })
                            .collect(),
                    });
                }
            }
            _ => {}
        }
    }
    Performance { metrics, fairness, confusion, impact_bounds: (lo, hi) }
}

/// Logs of one type are listed one by one up to this many; more are summarised in one row.
const MAX_LOGS_LISTED: usize = 12;

/// One row per log, or per evidence type when a type has many logs (daily files).
fn log_views(documents: &[(String, String, Document)]) -> Vec<LogView> {
    let mut by_type: BTreeMap<&str, Vec<(&str, &LogStats)>> = BTreeMap::new();
    for (path, t, doc) in documents {
        if let Document::Log(stats) = doc {
            by_type.entry(t.as_str()).or_default().push((path.as_str(), stats));
        }
    }
    let mut out = Vec::new();
    for (t, logs) in by_type {
        if logs.len() <= MAX_LOGS_LISTED {
            out.extend(logs.iter().map(|(path, stats)| LogView {
                path: path.to_string(),
                files: 1,
                evidence_type: t.to_string(),
                stats: (*stats).into(),
            }));
            continue;
        }
        let mut merged = LogStats::default();
        for (_, s) in &logs {
            merged.records += s.records;
            merged.bad_lines += s.bad_lines;
            merged.first = match (merged.first.take(), &s.first) {
                (Some(a), Some(b)) => Some(a.min(b.clone())),
                (a, b) => a.or_else(|| b.clone()),
            };
            merged.last = match (merged.last.take(), &s.last) {
                (Some(a), Some(b)) => Some(a.max(b.clone())),
                (a, b) => a.or_else(|| b.clone()),
            };
            for (action, n) in &s.actions {
                *merged.actions.entry(action.clone()).or_default() += n;
            }
            merged.faithfulness.extend(&s.faithfulness);
        }
        let (first, last) = (logs[0].0, logs[logs.len() - 1].0);
        out.push(LogView {
            path: format!("{} files: {first} … {last}", logs.len()),
            files: logs.len(),
            evidence_type: t.to_string(),
            stats: (&merged).into(),
        });
    }
    out
}

fn human_oversight(cx: &Context, plans: &[String]) -> HumanOversight {
    let mut measures = Vec::new();
    for path in plans.iter().filter(|p| p.to_ascii_lowercase().ends_with(".md")) {
        let Some(text) = read_markdown(cx.root, path) else { continue };
        for (title, body) in markdown::sections(&text) {
            measures.push(Measure { title, text: body, source: path.clone() });
        }
    }
    HumanOversight { measures, sources: plans.to_vec() }
}

/// Sections of Markdown files whose heading contains one of `needles` (case-insensitive).
fn markdown_sections(cx: &Context, paths: &[String], needles: &[&str]) -> Vec<MarkdownDoc> {
    let mut out = Vec::new();
    for path in paths.iter().filter(|p| p.to_ascii_lowercase().ends_with(".md")) {
        let Some(text) = read_markdown(cx.root, path) else { continue };
        for section in markdown::section_sources(&text, needles) {
            out.push(markdown_doc(path, &section));
        }
    }
    out
}

fn markdown_doc(path: &str, text: &str) -> MarkdownDoc {
    MarkdownDoc { path: path.to_string(), html: markdown::to_html(text), blocks: markdown::to_blocks(text) }
}

/// Markdown evidence larger than this is listed, not rendered.
const MAX_MARKDOWN_BYTES: u64 = 1024 * 1024;

fn read_markdown(root: &Path, path: &str) -> Option<String> {
    let text = read_small(root, path)?;
    Some(markdown::strip_front_matter(&text).to_string())
}

fn read_small(root: &Path, path: &str) -> Option<String> {
    let file = root.join(path);
    if std::fs::metadata(&file).ok()?.len() > MAX_MARKDOWN_BYTES {
        return None;
    }
    Some(String::from_utf8_lossy(&std::fs::read(file).ok()?).into_owned())
}

fn fact_sheet(path: &str, value: &Value) -> FactSheet {
    let mut facts = Vec::new();
    flatten(value, String::new(), &mut facts);
    let more = facts.len().saturating_sub(MAX_FACTS);
    facts.truncate(MAX_FACTS);
    FactSheet { path: path.to_string(), facts, more }
}

fn flatten(value: &Value, prefix: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(v, key, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, format!("{prefix}[{i}]"), out);
            }
        }
        Value::String(s) => out.push((prefix, s.clone())),
        Value::Null => out.push((prefix, "null".into())),
        other => out.push((prefix, other.to_string())),
    }
}

/// Standard base64 (RFC 4648, with padding), for the logo's `data:` URI.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (input, expected) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn many_logs_of_one_type_are_summarised_in_one_row() {
        let log = |i: u64, action: &str| LogStats {
            records: 10,
            first: Some(format!("2026-11-{:02}T00:00:00Z", i + 1)),
            last: Some(format!("2026-11-{:02}T23:00:00Z", i + 1)),
            actions: [(action.to_string(), 10)].into(),
            ..LogStats::default()
        };
        let mut docs: Vec<(String, String, Document)> = (0..20)
            .map(|i| {
                (
                    format!("logs/day-{i:02}.jsonl"),
                    "override-log".into(),
                    Document::Log(log(i, if i < 5 { "override" } else { "accept" })),
                )
            })
            .collect();
        docs.push(("audit.jsonl".into(), "inference-log".into(), Document::Log(log(0, "accept"))));
        let views = log_views(&docs);
        assert_eq!(views.len(), 2);
        let summary = views.iter().find(|v| v.evidence_type == "override-log").unwrap();
        assert_eq!(summary.files, 20);
        assert_eq!(summary.stats.records, 200);
        assert_eq!(summary.stats.first.as_deref(), Some("2026-11-01T00:00:00Z"));
        assert_eq!(summary.stats.last.as_deref(), Some("2026-11-20T23:00:00Z"));
        assert_eq!(summary.stats.override_rate, Some(0.25));
    }

    #[test]
    fn findings_are_grouped_by_code_errors_first_and_capped() {
        use crate::findings::Code;
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
}
