//! Measures: the figures the evidence states (an impact ratio, a metric, a pass rate, an
//! override rate), each with the limit the checks hold it to and whether it holds.
//!
//! They are worked out once, in the assessment, and every output uses them: the reports
//! show them, the gate fails on them, `dossier diff` compares them from one package to
//! the next.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::genai::GuardrailRules;

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
    /// The minimums guardrail configurations are held to; left out of the digest while
    /// they are the defaults.
    #[serde(skip_serializing_if = "GuardrailRules::is_default")]
    pub guardrails: GuardrailRules,
    /// The ceilings red-team attack success rates are held to; left out of the digest
    /// while they are the defaults.
    #[serde(skip_serializing_if = "RedTeamRules::is_default")]
    pub red_team: RedTeamRules,
}

/// The highest share of attacks that may get through, per red-team category
/// (`checks.red_team`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedTeamRules {
    /// The ceiling for every category (0: no attack may get through).
    pub max_attack_success_rate: f64,
    /// Ceilings for named categories (a promptfoo plugin id, a garak probe family).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, f64>,
}

impl RedTeamRules {
    /// Whether these are the defaults.
    pub fn is_default(&self) -> bool {
        *self == RedTeamRules::default()
    }

    /// The ceiling for `category`.
    pub fn ceiling(&self, category: &str) -> f64 {
        self.categories.get(category).copied().unwrap_or(self.max_attack_success_rate)
    }
}

impl ChecksConfig {
    /// Every record field a log check asks for (`log_fields`, then `rag_fields`), with the
    /// key names accepted for it: what a plain log reader counts per record.
    pub fn record_fields(&self) -> BTreeMap<String, Vec<String>> {
        let mut fields = self.log_fields.clone();
        // A record's id and model are counted too (for the log's statistics; no check
        // asks for them unless `log_fields` does), under the usual names.
        let usual = [
            ("id", &["id", "request_id", "requestId", "inference_id", "event_id", "trace_id"][..]),
            ("model", &["model", "model_id", "modelId", "model_name", "model_version"][..]),
        ];
        for (field, names) in usual {
            fields.entry(field.to_string()).or_insert_with(|| names.iter().map(|n| n.to_string()).collect());
        }
        for (field, names) in &self.rag_fields {
            let known = fields.entry(field.clone()).or_default();
            for name in names {
                if !known.contains(name) {
                    known.push(name.clone());
                }
            }
        }
        fields
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
            guardrails: GuardrailRules::default(),
            red_team: RedTeamRules::default(),
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

/// What a measure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeasureKind {
    /// A group's selection rate over the reference group's.
    DisparateImpact,
    /// A feature's demographic parity difference.
    DemographicParityDifference,
    /// A feature's equalized odds difference.
    EqualizedOddsDifference,
    /// A named metric from an evaluation report or a model card.
    Metric,
    /// The share of passing tests in a test-results file.
    TestPassRate,
    /// The number of tests in a test-results file.
    Tests,
    /// The share of overridden or reversed outputs over every log of a type.
    OverrideRate,
    /// The lowest faithfulness score over every log of a type.
    LowestFaithfulness,
    /// A kind this version does not know (a package written by a later one).
    #[serde(other)]
    Other,
}

/// One figure from the evidence, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// What is measured, as people read it: `disparate impact ratio, sex = female`,
    /// `accuracy`, `test pass rate`.
    pub measure: String,
    /// Its kind.
    pub kind: MeasureKind,
    /// The sensitive feature, for fairness measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// The group, for disparate impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The evidence type it comes from.
    pub evidence_type: String,
    /// The file it comes from, or `N files` for a rate over every log of a type.
    pub path: String,
    /// The value.
    pub value: f64,
    /// The limit the checks hold it to, if any.
    #[serde(default)]
    pub limit: Option<Limit>,
    /// Whether the value holds its limit (none without a limit).
    #[serde(default)]
    pub passes: Option<bool>,
}

impl Measure {
    /// A measure judged by `limit`.
    pub fn judged(mut self, limit: Option<Limit>) -> Self {
        self.limit = limit;
        self.passes = limit.map(|l| l.holds(self.value));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_inclusively_and_print_as_the_book_shows() {
        let band = Limit::Band { min: 0.8, max: 1.25 };
        assert!(band.holds(0.8) && band.holds(1.25) && !band.holds(0.79));
        assert_eq!(band.to_string(), "[0.8, 1.25]");
        assert_eq!(Limit::AtLeast { min: 0.7 }.to_string(), ">= 0.7");
        assert_eq!(Limit::AtMost { max: 0.08 }.to_string(), "<= 0.08");
        let checks = ChecksConfig::default();
        assert_eq!(checks.metric_limit("accuracy"), Some(Limit::AtLeast { min: 0.7 }));
        assert_eq!(checks.metric_limit("brier_score"), None);
    }
}
