//! Measures: every figure the evidence states that a limit applies to or that a review
//! compares (impact ratios, metrics, test pass rates, override rates, faithfulness),
//! each judged by its limit, once. The reports show them, `dossier diff` compares them.

use std::collections::BTreeMap;

use crate::model::assessment::LogSummary;
use crate::model::document::{Document, LogStats};
use crate::model::evidence::Artifact;
use crate::model::measure::{ChecksConfig, Limit, Measure, MeasureKind};

/// Log statistics per evidence type, over every log of the type, in type order.
pub fn log_summaries(artifacts: &[Artifact]) -> Vec<LogSummary> {
    let mut by_type: BTreeMap<&str, Vec<(&str, &LogStats)>> = BTreeMap::new();
    for a in artifacts {
        if let (Some(Document::Log(stats)), Some(t)) = (a.document(), a.evidence_type()) {
            by_type.entry(t).or_default().push((a.path.as_str(), stats));
        }
    }
    by_type
        .into_iter()
        .map(|(t, logs)| LogSummary {
            evidence_type: t.to_string(),
            files: logs.len(),
            first_path: logs[0].0.to_string(),
            last_path: logs[logs.len() - 1].0.to_string(),
            stats: LogStats::merge(logs.iter().map(|(_, s)| *s)),
        })
        .collect()
}

/// The limit `checks` holds a measure of this kind and name to: the rule every output
/// and every comparison uses.
pub fn limit(kind: MeasureKind, name: &str, checks: &ChecksConfig) -> Option<Limit> {
    match kind {
        MeasureKind::DisparateImpact => {
            Some(Limit::Band { min: checks.disparate_impact.min, max: checks.disparate_impact.max })
        }
        MeasureKind::Metric => checks.metric_limit(name),
        MeasureKind::TestPassRate => Some(Limit::AtLeast { min: checks.min_test_pass_rate }),
        MeasureKind::LowestFaithfulness => Some(Limit::AtLeast { min: checks.min_faithfulness }),
        MeasureKind::DemographicParityDifference
        | MeasureKind::EqualizedOddsDifference
        | MeasureKind::Tests
        | MeasureKind::OverrideRate
        | MeasureKind::Other => None,
    }
}

/// The limit `checks` holds `measure` to (to judge a measure by another run's thresholds).
pub fn measure_limit(measure: &Measure, checks: &ChecksConfig) -> Option<Limit> {
    limit(measure.kind, &measure.measure, checks)
}

/// The measures the documents give, each judged by the limit `checks` holds it to.
pub fn measures(artifacts: &[Artifact], logs: &[LogSummary], checks: &ChecksConfig) -> Vec<Measure> {
    let mut out = Vec::new();
    for a in artifacts {
        let (Some(document), Some(evidence_type)) = (a.document(), a.evidence_type()) else { continue };
        let mut push = |kind: MeasureKind, label: String, value: f64, subject: Subject| {
            if value.is_finite() {
                let limit = limit(kind, &label, checks);
                out.push(
                    Measure {
                        measure: label,
                        kind,
                        feature: subject.0,
                        group: subject.1,
                        evidence_type: evidence_type.to_string(),
                        path: a.path.clone(),
                        value,
                        limit: None,
                        passes: None,
                    }
                    .judged(limit),
                );
            }
        };
        match document {
            Document::BiasReport(report) => {
                for feature in &report.features {
                    let name = &feature.name;
                    for group in &feature.groups {
                        if let Some(v) = group.disparate_impact_ratio {
                            push(
                                MeasureKind::DisparateImpact,
                                format!("disparate impact ratio, {name} = {}", group.name),
                                v,
                                (Some(name.clone()), Some(group.name.clone())),
                            );
                        }
                    }
                    if let Some(v) = feature.metric("demographic_parity_difference") {
                        push(
                            MeasureKind::DemographicParityDifference,
                            format!("demographic parity difference, {name}"),
                            v,
                            (Some(name.clone()), None),
                        );
                    }
                    if let Some(v) = feature.metric("equalized_odds_difference") {
                        push(
                            MeasureKind::EqualizedOddsDifference,
                            format!("equalized odds difference, {name}"),
                            v,
                            (Some(name.clone()), None),
                        );
                    }
                }
            }
            Document::Metrics(m) => {
                for (name, v) in &m.metrics {
                    push(MeasureKind::Metric, name.clone(), *v, (None, None));
                }
            }
            Document::ModelCard(card) => {
                for (name, v) in &card.metrics {
                    push(MeasureKind::Metric, name.clone(), *v, (None, None));
                }
            }
            Document::TestResults(counts) => {
                if let Some(rate) = counts.pass_rate {
                    push(MeasureKind::TestPassRate, "test pass rate".into(), rate, (None, None));
                }
                if counts.tests > 0 {
                    push(MeasureKind::Tests, "tests".into(), f64::from(counts.tests), (None, None));
                }
            }
            _ => {}
        }
    }
    // Rates over logs are over every log of the type: a day's file more or less should
    // move the rate, not make it a different measure.
    for log in logs {
        let path = if log.files == 1 { log.first_path.clone() } else { format!("{} files", log.files) };
        let mut push = |kind: MeasureKind, label: &str, value: f64| {
            let limit = limit(kind, label, checks);
            out.push(
                Measure {
                    measure: label.into(),
                    kind,
                    feature: None,
                    group: None,
                    evidence_type: log.evidence_type.clone(),
                    path: path.clone(),
                    value,
                    limit: None,
                    passes: None,
                }
                .judged(limit),
            )
        };
        if let Some(rate) = log.stats.override_rate {
            push(MeasureKind::OverrideRate, "override rate", rate);
        }
        if let Some(low) = log.stats.lowest_faithfulness {
            push(MeasureKind::LowestFaithfulness, "lowest faithfulness score", low);
        }
    }
    out
}

/// The feature and group a fairness measure is about.
type Subject = (Option<String>, Option<String>);
