//! Built-in checks: what the evidence says, held against the thresholds in `checks`.
//!
//! Each check reads parsed [`Document`]s and emits findings located at the file (and line)
//! that failed: a group's disparate impact ratio outside the four-fifths band, a metric
//! under its minimum, failing robustness tests, a model card for another version, inference
//! logs missing record-keeping fields or with long gaps. Thresholds have defaults and are
//! set under `checks` in `dossier.yaml`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use serde_json::Value;

use crate::documents::{Document, LogStats, TestCounts};
use crate::findings::{Code, Finding};
use crate::manifest::ArtifactEntry;

/// Thresholds for the built-in checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChecksConfig {
    /// Allowed band for every group's disparate impact ratio (four-fifths rule by default).
    pub disparate_impact: Band,
    /// Minimum value per metric name, checked in evaluation reports and model cards.
    pub min_metrics: BTreeMap<String, f64>,
    /// Maximum value per metric name, for metrics where lower is better (error rates,
    /// calibration error, log loss). None by default; left out of the digest when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub max_metrics: BTreeMap<String, f64>,
    /// Minimum share of passing tests in robustness and red-team results (1.0 = all pass).
    pub min_test_pass_rate: f64,
    /// Longest allowed gap between inference-log records, in minutes; none by default,
    /// since request traffic has natural quiet hours.
    pub max_log_gap_minutes: Option<u64>,
    /// Fields every inference-log record should carry, each with the key names accepted for it.
    pub log_fields: BTreeMap<String, Vec<String>>,
    /// Check that the model card's version equals `system.version`.
    pub version_consistency: bool,
    /// Fields every RAG audit-log record should carry, each with the key names accepted for it.
    pub rag_fields: BTreeMap<String, Vec<String>>,
    /// Lowest acceptable faithfulness score of a RAG answer.
    pub min_faithfulness: f64,
    /// Fail on `contains_pii: true` in model metadata and dataset manifests.
    pub pii_flag: bool,
    /// Check dataset manifests' SHA-256 values against the files present in the evidence.
    pub dataset_hashes: bool,
}

/// An inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lowest allowed value.
    pub min: f64,
    /// Highest allowed value.
    pub max: f64,
}

impl Band {
    /// Whether `value` lies in the band (ends included).
    pub fn contains(&self, value: f64) -> bool {
        value >= self.min && value <= self.max
    }
}

/// A limit the checks hold a measure to, as `diff` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Limit {
    /// Must lie in `[min, max]`.
    Band {
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
    },
    /// Must be at least `min`.
    AtLeast {
        /// Lowest allowed.
        min: f64,
    },
    /// Must be at most `max`.
    AtMost {
        /// Highest allowed.
        max: f64,
    },
}

impl Limit {
    /// Whether `value` passes.
    pub fn holds(&self, value: f64) -> bool {
        match *self {
            Limit::Band { min, max } => Band { min, max }.contains(value),
            Limit::AtLeast { min } => value >= min,
            Limit::AtMost { max } => value <= max,
        }
    }

    /// The lower bound, if any.
    pub fn min(&self) -> Option<f64> {
        match *self {
            Limit::Band { min, .. } | Limit::AtLeast { min } => Some(min),
            Limit::AtMost { .. } => None,
        }
    }

    /// The upper bound, if any.
    pub fn max(&self) -> Option<f64> {
        match *self {
            Limit::Band { max, .. } | Limit::AtMost { max } => Some(max),
            Limit::AtLeast { .. } => None,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Band { min, max } => write!(f, "[{min}, {max}]"),
            Limit::AtLeast { min } => write!(f, ">= {min}"),
            Limit::AtMost { max } => write!(f, "<= {max}"),
        }
    }
}

/// The share of the tests that ran (skipped cases neither pass nor fail) that passed;
/// 1.0 when none ran.
pub fn pass_rate(counts: &TestCounts) -> f64 {
    let ran = counts.tests.saturating_sub(counts.skipped);
    let failed = (counts.failures + counts.errors).min(ran);
    if ran == 0 { 1.0 } else { f64::from(ran - failed) / f64::from(ran) }
}

impl Default for ChecksConfig {
    fn default() -> Self {
        let fields = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ChecksConfig {
            disparate_impact: Band { min: 0.8, max: 1.25 },
            min_metrics: [("accuracy".to_string(), 0.7), ("roc_auc".to_string(), 0.7)].into_iter().collect(),
            max_metrics: BTreeMap::new(),
            min_test_pass_rate: 1.0,
            max_log_gap_minutes: None,
            log_fields: [
                ("input", fields(&["input", "input_hash", "query", "captureData", "prompt"])),
                ("output", fields(&["output", "prediction", "decision", "answer", "response"])),
                ("confidence", fields(&["confidence", "score", "probability", "faithfulness_score"])),
                ("latency", fields(&["latency_ms", "latency", "duration_ms"])),
                ("actor", fields(&["actor", "user_id", "caller", "session_id", "principal"])),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            version_consistency: true,
            rag_fields: [
                ("query", fields(&["query", "question", "prompt"])),
                ("retrieved", fields(&["retrieved_chunks", "contexts", "citations", "sources"])),
                ("answer", fields(&["answer", "response", "output"])),
                ("faithfulness", fields(&["faithfulness_score", "faithfulness"])),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            min_faithfulness: 0.7,
            pii_flag: true,
            dataset_hashes: true,
        }
    }
}

impl ChecksConfig {
    /// The limit a metric is held to: its minimum, its maximum, or both as a band.
    pub fn metric_limit(&self, name: &str) -> Option<Limit> {
        match (self.min_metrics.get(name).copied(), self.max_metrics.get(name).copied()) {
            (Some(min), Some(max)) => Some(Limit::Band { min, max }),
            (Some(min), None) => Some(Limit::AtLeast { min }),
            (None, Some(max)) => Some(Limit::AtMost { max }),
            (None, None) => None,
        }
    }
}

/// Runs every built-in check over the parsed documents (path, evidence type, document).
pub fn run(
    config: &ChecksConfig,
    release_version: Option<&str>,
    documents: &[(String, String, Document)],
    artifacts: &[ArtifactEntry],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (path, evidence_type, document) in documents {
        match document {
            Document::Data { value } if matches!(evidence_type.as_str(), "model-metadata" | "dataset-manifest") => {
                if config.pii_flag && flags_pii(value) {
                    findings.push(Finding::at(
                        Code::PiiFlagged,
                        path,
                        "data-governance metadata sets contains_pii: true: raw personal data in the training data must be redacted or tokenized",
                    ));
                }
                if config.dataset_hashes && evidence_type == "dataset-manifest" {
                    check_dataset_hashes(path, value, artifacts, &mut findings);
                }
            }
            Document::BiasReport { features, .. } => {
                let band = config.disparate_impact;
                for feature in features {
                    for group in &feature.groups {
                        let Some(ratio) = group.disparate_impact_ratio else { continue };
                        if !band.contains(ratio) {
                            let mut f = Finding::at(
                                Code::ThresholdFailed,
                                path,
                                format!(
                                    "group {:?} of sensitive feature {:?} has disparate impact ratio {} outside [{}, {}] (reference group {})",
                                    group.name,
                                    feature.name,
                                    round(ratio),
                                    band.min,
                                    band.max,
                                    feature.reference_group.as_deref().unwrap_or("the most favoured")
                                ),
                            );
                            f.line = group.line;
                            findings.push(f);
                        }
                    }
                }
            }
            Document::Metrics { metrics, .. } => check_metric_limits(config, path, metrics, &mut findings),
            Document::ModelCard { version, metrics, has_intended_use, has_limitations, .. } => {
                check_metric_limits(config, path, metrics, &mut findings);
                if let (true, Some(expected), Some(found)) = (config.version_consistency, release_version, version)
                    && expected != found
                {
                    findings.push(Finding::at(
                        Code::VersionMismatch,
                        path,
                        format!("model card describes version {found}, but dossier.yaml releases version {expected}"),
                    ));
                }
                let lacking: Vec<&str> = [(*has_intended_use, "intended use"), (*has_limitations, "limitations")]
                    .into_iter()
                    .filter(|(has, _)| !has)
                    .map(|(_, what)| what)
                    .collect();
                if !lacking.is_empty() {
                    findings.push(Finding::at(
                        Code::ModelCardSections,
                        path,
                        format!("model card has no section on {}", lacking.join(" or ")),
                    ));
                }
            }
            Document::TestResults(counts) if counts.tests > 0 => {
                let rate = pass_rate(counts);
                if rate < config.min_test_pass_rate {
                    findings.push(Finding::at(
                        Code::TestsFailed,
                        path,
                        format!(
                            "{} of {} tests failed or errored (pass rate {}, required {}): {}",
                            counts.failures + counts.errors,
                            counts.tests,
                            round(rate),
                            config.min_test_pass_rate,
                            counts.failed.join(", ")
                        ),
                    ));
                }
            }
            Document::Log(stats) if evidence_type == "inference-log" => {
                check_fields(&config.log_fields, "record-keeping", path, stats, &mut findings);
                check_gap(config, path, stats, &mut findings);
            }
            Document::Log(stats) if evidence_type == "rag-audit-log" => {
                check_fields(&config.rag_fields, "RAG audit", path, stats, &mut findings);
                let low = stats.faithfulness.iter().filter(|s| **s < config.min_faithfulness).count();
                if low > 0 {
                    findings.push(Finding::at(
                        Code::FaithfulnessLow,
                        path,
                        format!(
                            "{low} of {} scored answers have a faithfulness score below {} (lowest {})",
                            stats.faithfulness.len(),
                            config.min_faithfulness,
                            round(stats.faithfulness.iter().copied().fold(f64::INFINITY, f64::min))
                        ),
                    ));
                }
            }
            Document::Data { value } if evidence_type == "risk-register" => {
                check_risk_register(path, value, &mut findings)
            }
            _ => {}
        }
    }
    if config.dataset_hashes {
        check_dataset_references(documents, &mut findings);
    }
    findings
}

/// Datasets named with a digest elsewhere (evaluation, bias report, lineage, model
/// metadata) must carry the digest the dataset manifest records under the same name.
fn check_dataset_references(documents: &[(String, String, Document)], findings: &mut Vec<Finding>) {
    let references = |d: &Document| match d {
        Document::Data { value } => crate::documents::dataset_references(value),
        Document::Metrics { datasets, .. } | Document::BiasReport { datasets, .. } => datasets.clone(),
        _ => Vec::new(),
    };
    let mut recorded: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for (path, _, doc) in documents.iter().filter(|(_, t, _)| t == "dataset-manifest") {
        for (name, sha) in references(doc) {
            recorded.entry(name).or_insert((sha, path.as_str()));
        }
    }
    for (path, _, doc) in documents.iter().filter(|(_, t, _)| t != "dataset-manifest") {
        for (name, sha) in references(doc) {
            if let Some((expected, manifest)) = recorded.get(&name)
                && &sha != expected
            {
                findings.push(Finding::at(
                    Code::DatasetHashMismatch,
                    path,
                    format!("names dataset {name:?} with sha256 {sha}, but {manifest} records {expected}"),
                ));
            }
        }
    }
}

/// Whether any object in the document says `contains_pii: true`.
fn flags_pii(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| (k == "contains_pii" && v == &Value::Bool(true)) || flags_pii(v)),
        Value::Array(items) => items.iter().any(flags_pii),
        _ => false,
    }
}

/// Entries that name a file present in the evidence (`path` or `file`) with a `sha256`
/// must carry that file's actual digest.
fn check_dataset_hashes(path: &str, value: &Value, artifacts: &[ArtifactEntry], findings: &mut Vec<Finding>) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                let file = map.get("path").or_else(|| map.get("file")).and_then(Value::as_str);
                let recorded = map.get("sha256").and_then(Value::as_str);
                if let (Some(file), Some(recorded)) = (file, recorded) {
                    let file = file.trim_start_matches("./");
                    if let Some(actual) = artifacts.iter().find(|a| a.path == file)
                        && actual.sha256.to_string() != recorded.to_ascii_lowercase()
                    {
                        findings.push(Finding::at(
                            Code::DatasetHashMismatch,
                            path,
                            format!(
                                "records sha256 {recorded} for {file}, but the file in the evidence hashes to {}",
                                actual.sha256
                            ),
                        ));
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

fn check_metric_limits(
    config: &ChecksConfig,
    path: &str,
    metrics: &BTreeMap<String, f64>,
    findings: &mut Vec<Finding>,
) {
    for (name, &value) in metrics {
        let Some(limit) = config.metric_limit(name) else { continue };
        if limit.holds(value) {
            continue;
        }
        let message = match (limit.min(), limit.max()) {
            (Some(min), _) if value < min => format!("{name} is {}, below the minimum {min}", round(value)),
            (_, Some(max)) => format!("{name} is {}, above the maximum {max}", round(value)),
            _ => format!("{name} is {}, outside {limit}", round(value)),
        };
        findings.push(Finding::at(Code::ThresholdFailed, path, message));
    }
}

fn check_fields(
    wanted: &BTreeMap<String, Vec<String>>,
    kind: &str,
    path: &str,
    stats: &LogStats,
    findings: &mut Vec<Finding>,
) {
    if stats.records == 0 {
        return;
    }
    let mut short = Vec::new();
    for (field, names) in wanted {
        let carrying = names.iter().filter_map(|n| stats.key_counts.get(n)).max().copied().unwrap_or(0);
        if carrying < stats.records {
            short.push(format!("{field} in {carrying} of {} records", stats.records));
        }
    }
    if !short.is_empty() {
        findings.push(Finding::at(
            Code::LogFieldsMissing,
            path,
            format!("records lack {kind} fields: {}", short.join(", ")),
        ));
    }
}

fn check_gap(config: &ChecksConfig, path: &str, stats: &LogStats, findings: &mut Vec<Finding>) {
    if let (Some(max), Some(gap)) = (config.max_log_gap_minutes, stats.largest_gap_seconds)
        && gap > (max * 60) as i64
    {
        findings.push(Finding::at(
            Code::LogGap,
            path,
            format!("largest gap between records is {} minutes, more than {max}", gap / 60),
        ));
    }
}

/// Every risk-register entry should name the risk, its mitigation, the residual risk and
/// an owner.
fn check_risk_register(path: &str, value: &Value, findings: &mut Vec<Finding>) {
    let entries = ["risks", "entries", "register", "items"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_array))
        .or_else(|| value.as_array());
    let Some(entries) = entries else {
        findings.push(Finding::at(
            Code::EvidenceIncomplete,
            path,
            "risk register has no list of risks (risks, entries or register)",
        ));
        return;
    };
    let needs: [(&str, &[&str]); 4] = [
        ("risk", &["risk", "title", "description", "hazard"]),
        ("mitigation", &["mitigation", "mitigations", "controls", "treatment"]),
        ("residual risk", &["residual_risk", "residual", "residual_rating"]),
        ("owner", &["owner", "risk_owner", "accountable"]),
    ];
    let mut incomplete = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let lacking: Vec<&str> = needs
            .iter()
            .filter(|(_, keys)| !keys.iter().any(|k| entry.get(*k).is_some_and(|v| !v.is_null())))
            .map(|(n, _)| *n)
            .collect();
        if !lacking.is_empty() {
            let id = entry.get("id").and_then(Value::as_str).map_or_else(|| format!("entry {}", i + 1), str::to_string);
            incomplete.push(format!("{id} lacks {}", lacking.join(", ")));
        }
    }
    if !incomplete.is_empty() {
        findings.push(Finding::at(
            Code::EvidenceIncomplete,
            path,
            format!("risk register entries are incomplete: {}", incomplete.join("; ")),
        ));
    }
}

/// Rounds for messages, so 0.7500000001 prints as 0.75.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::{FeatureResult, GroupResult, TestCounts};

    fn bias(ratio: f64) -> Document {
        Document::BiasReport {
            features: vec![FeatureResult {
                name: "sex".into(),
                reference_group: Some("male".into()),
                groups: vec![GroupResult { name: "female".into(), disparate_impact_ratio: Some(ratio), line: Some(7) }],
                demographic_parity_difference: None,
                equalized_odds_difference: None,
            }],
            datasets: Vec::new(),
        }
    }

    #[test]
    fn four_fifths_rule_names_group_feature_and_line() {
        let config = ChecksConfig::default();
        assert!(run(&config, None, &[("b.json".into(), "bias-report".into(), bias(0.85))], &[]).is_empty());
        let findings = run(&config, None, &[("b.json".into(), "bias-report".into(), bias(0.75))], &[]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, Some(7));
        assert!(
            findings[0]
                .message
                .contains("group \"female\" of sensitive feature \"sex\" has disparate impact ratio 0.75")
        );
        assert_eq!(run(&config, None, &[("b.json".into(), "bias-report".into(), bias(1.3))], &[]).len(), 1);
    }

    #[test]
    fn failing_tests_versions_and_metrics() {
        let config = ChecksConfig::default();
        let skipped =
            TestCounts { tests: 8, failures: 1, skipped: 2, failed: vec!["t.a".into()], ..TestCounts::default() };
        let f =
            run(&config, None, &[("r.xml".into(), "robustness-report".into(), Document::TestResults(skipped))], &[]);
        assert_eq!(f.len(), 1, "skipped cases must not hide a failure");
        let counts = TestCounts { tests: 4, failures: 1, failed: vec!["t.pgd".into()], ..TestCounts::default() };
        let f = run(&config, None, &[("r.xml".into(), "robustness-report".into(), Document::TestResults(counts))], &[]);
        assert_eq!(f[0].code, Code::TestsFailed);
        assert!(f[0].message.contains("t.pgd"));
        let card = Document::ModelCard {
            version: Some("4.2.0".into()),
            model_id: None,
            metrics: [("accuracy".to_string(), 0.5)].into_iter().collect(),
            has_intended_use: true,
            has_limitations: true,
        };
        let f = run(&config, Some("4.2.1"), &[("card.md".into(), "model-card".into(), card)], &[]);
        let codes: Vec<Code> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::ThresholdFailed, Code::VersionMismatch]);
    }
}
