//! Built-in checks: what the evidence says, held against the thresholds in `checks`.
//!
//! Each check reads typed documents and emits findings located at the file (and line)
//! that failed: a group's disparate impact ratio outside the four-fifths band, a metric
//! past its limit, failing robustness tests, a model card for another version, inference
//! logs missing record-keeping fields or with long gaps, an incomplete risk register, a
//! dataset whose file does not have the digest its manifest records. Thresholds have
//! defaults and are set under `checks` in `dossier.yaml`.

use std::collections::BTreeMap;

use super::measures::limit;
use crate::model::document::{Bom, DataValidation, DataVersion, Document, LogStats, TestCounts};
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding};
use crate::model::measure::{ChecksConfig, MeasureKind};
use crate::text::percent;

/// Runs every built-in check over the artifacts' documents.
pub fn run(config: &ChecksConfig, release_version: Option<&str>, artifacts: &[Artifact]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for artifact in artifacts {
        let (Some(document), Some(evidence_type)) = (artifact.document(), artifact.evidence_type()) else { continue };
        let path = artifact.path.as_str();
        match document {
            Document::ModelMetadata(m) if config.pii_flag && m.contains_pii => findings.push(pii(path)),
            Document::DatasetManifest(m) => {
                if config.pii_flag && m.contains_pii {
                    findings.push(pii(path));
                }
                if config.dataset_hashes {
                    for d in &m.datasets {
                        let (Some(file), Some(recorded)) = (&d.file, &d.sha256) else { continue };
                        if let Some(actual) = find(artifacts, file)
                            && actual.sha256.to_string() != *recorded
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
                }
            }
            Document::BiasReport(report) => {
                let band = config.disparate_impact;
                let limit = limit(MeasureKind::DisparateImpact, "", config);
                for feature in &report.features {
                    for group in &feature.groups {
                        let Some(ratio) = group.disparate_impact_ratio else { continue };
                        if limit.is_some_and(|l| !l.holds(ratio)) {
                            findings.push(
                                Finding::at(
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
                                )
                                .on_line(group.line),
                            );
                        }
                    }
                }
            }
            Document::Metrics(m) => check_metric_limits(config, path, &m.metrics, &mut findings),
            Document::ModelCard(card) => {
                check_metric_limits(config, path, &card.metrics, &mut findings);
                if let (true, Some(expected), Some(found)) =
                    (config.version_consistency, release_version, &card.version)
                    && expected != found
                {
                    findings.push(Finding::at(
                        Code::VersionMismatch,
                        path,
                        format!("model card describes version {found}, but dossier.yaml releases version {expected}"),
                    ));
                }
                let lacking: Vec<&str> =
                    [(card.has_intended_use, "intended use"), (card.has_limitations, "limitations")]
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
            Document::TestResults(counts) if !counts.attacks.is_empty() => {
                check_attacks(config, path, counts, &mut findings)
            }
            Document::TestResults(counts) => {
                let limit = limit(MeasureKind::TestPassRate, "", config);
                if let (Some(rate), Some(limit)) = (counts.pass_rate, limit)
                    && !limit.holds(rate)
                {
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
                // Where a guardrail is in use, a call that bypassed it is worth a look.
                if let Some(g) = stats.guardrail.as_deref()
                    && g.guarded < stats.records
                {
                    findings.push(Finding::at(
                        Code::GuardrailNotApplied,
                        path,
                        format!(
                            "{} of {} model invocations ran without a guardrail (the others went through one)",
                            stats.records - g.guarded,
                            stats.records
                        ),
                    ));
                }
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
                            round(stats.lowest_faithfulness.unwrap_or(f64::NAN))
                        ),
                    ));
                }
                check_citations(path, stats, &mut findings);
            }
            Document::DataValidation(d) => check_data_validation(path, d, &mut findings),
            Document::DataVersion(v) if config.dataset_hashes => check_data_version(artifacts, path, v, &mut findings),
            Document::Bom(b) if config.dataset_hashes => check_bom(artifacts, path, b, &mut findings),
            Document::RiskRegister(register) => {
                let incomplete: Vec<String> = register
                    .entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, entry)| {
                        let lacking = entry.lacking();
                        (!lacking.is_empty()).then(|| {
                            let id = entry.id.clone().unwrap_or_else(|| format!("entry {}", i + 1));
                            format!("{id} lacks {}", lacking.join(", "))
                        })
                    })
                    .collect();
                if !incomplete.is_empty() {
                    findings.push(Finding::at(
                        Code::EvidenceIncomplete,
                        path,
                        format!("risk register entries are incomplete: {}", incomplete.join("; ")),
                    ));
                }
            }
            _ => {}
        }
    }
    if config.dataset_hashes {
        check_dataset_references(artifacts, &mut findings);
    }
    findings
}

fn find<'a>(artifacts: &'a [Artifact], path: &str) -> Option<&'a Artifact> {
    artifacts.binary_search_by(|a| a.path.as_str().cmp(path)).ok().map(|i| &artifacts[i])
}

fn pii(path: &str) -> Finding {
    Finding::at(
        Code::PiiFlagged,
        path,
        "data-governance metadata sets contains_pii: true: raw personal data in the training data must be redacted or tokenized",
    )
}

/// Datasets named with a digest elsewhere (evaluation, bias report, lineage, model
/// metadata) must carry the digest the dataset manifest records under the same name.
fn check_dataset_references(artifacts: &[Artifact], findings: &mut Vec<Finding>) {
    let mut recorded: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for a in artifacts {
        let Some(Document::DatasetManifest(m)) = a.document() else { continue };
        for d in &m.datasets {
            if let Some(sha) = &d.sha256 {
                recorded.entry(d.name.as_str()).or_insert((sha.as_str(), a.path.as_str()));
            }
        }
    }
    for a in artifacts {
        let Some(document) = a.document() else { continue };
        if matches!(document, Document::DatasetManifest(_)) {
            continue;
        }
        for r in document.dataset_refs() {
            if let Some((expected, manifest)) = recorded.get(r.name.as_str())
                && r.sha256 != *expected
            {
                findings.push(Finding::at(
                    Code::DatasetHashMismatch,
                    a.path.as_str(),
                    format!("names dataset {:?} with sha256 {}, but {manifest} records {expected}", r.name, r.sha256),
                ));
            }
        }
    }
}

/// Failed expectations or tests, each named with its column; a drifted dataset.
fn check_data_validation(path: &str, d: &DataValidation, findings: &mut Vec<Finding>) {
    if !d.failed.is_empty() {
        let named: Vec<String> = d
            .failed
            .iter()
            .map(|f| match &f.column {
                Some(column) => format!("{} on column {column}", f.name),
                None => f.name.clone(),
            })
            .collect();
        let of = if d.checks > 0 { format!(" of {}", d.checks) } else { String::new() };
        findings.push(Finding::at(
            Code::DataValidationFailed,
            path,
            format!("{}{of} data checks failed: {}", d.failed.len(), named.join(", ")),
        ));
    }
    if let Some(drift) = d.drift.as_ref().filter(|d| d.detected) {
        let columns = match (drift.drifted_columns, drift.columns) {
            (Some(n), Some(of)) => format!(": {n} of {of} columns drifted"),
            (Some(n), None) => format!(": {n} columns drifted"),
            _ => String::new(),
        };
        let share = drift.share.map(|s| format!(" (share {})", round(s))).unwrap_or_default();
        findings.push(Finding::at(
            Code::DataDrift,
            path,
            format!("the dataset drifted from its reference{columns}{share}"),
        ));
    }
}

/// Each DVC output's MD5 and size, against the file it names where that file is in the
/// evidence. A record without `hash: md5` (before DVC 3) hashed text files with Windows
/// line endings made Unix ones, so either digest of the file matches it.
fn check_data_version(artifacts: &[Artifact], path: &str, v: &DataVersion, findings: &mut Vec<Finding>) {
    for out in &v.outs {
        let (Some(file), Some(recorded)) = (&out.file, &out.md5) else { continue };
        let Some(actual) = find(artifacts, file) else { continue };
        let mut wrong = Vec::new();
        if let Some(md5) = &actual.md5
            && !recorded.ends_with(".dir")
        {
            let (raw, text) = md5.split_once(':').map_or((md5.as_str(), None), |(r, t)| (r, Some(t)));
            let legacy = out.hash.is_none();
            let matches = recorded.eq_ignore_ascii_case(raw)
                || (legacy && text.is_some_and(|t| recorded.eq_ignore_ascii_case(t)));
            if !matches {
                wrong.push(format!("md5 {recorded}, but the file's is {raw}"));
            }
        }
        if let Some(size) = out.size
            && size != actual.size
        {
            wrong.push(format!("size {size}, but the file has {} bytes", actual.size));
        }
        if !wrong.is_empty() {
            findings.push(Finding::at(
                Code::DataVersionMismatch,
                path,
                format!("records for {file} {}: the data changed since it was versioned", wrong.join(" and ")),
            ));
        }
    }
}

/// A component listed with a SHA-256, against the evidence file of its name (the file
/// named so, anywhere in the evidence, when exactly one is).
fn check_bom(artifacts: &[Artifact], path: &str, bom: &Bom, findings: &mut Vec<Finding>) {
    for c in &bom.components {
        let Some(listed) = &c.sha256 else { continue };
        let named: Vec<&Artifact> = match find(artifacts, &c.name) {
            Some(a) => vec![a],
            None => artifacts.iter().filter(|a| a.path.rsplit('/').next() == Some(c.name.as_str())).collect(),
        };
        if let [file] = named.as_slice()
            && file.sha256.to_string() != *listed
        {
            findings.push(Finding::at(
                Code::BomHashMismatch,
                path,
                format!("lists {} with sha256 {listed}, but {} has {}", c.name, file.path, file.sha256),
            ));
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
        let Some(limit) = limit(MeasureKind::Metric, name, config) else { continue };
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

/// Red-team results: each category's attack success rate against its ceiling, one
/// finding per category over it, naming the probes that got through.
fn check_attacks(config: &ChecksConfig, path: &str, counts: &TestCounts, findings: &mut Vec<Finding>) {
    for (category, attacks) in &counts.attacks {
        let ceiling = config.red_team.ceiling(category);
        let Some(rate) = attacks.success_rate().filter(|r| *r > ceiling) else { continue };
        let unnamed = (attacks.failing_probes as usize).saturating_sub(attacks.failing.len());
        let more = if unnamed > 0 { format!(" and {unnamed} more") } else { String::new() };
        let severity = attacks.severity.as_ref().map_or_else(String::new, |s| format!(", severity {s}"));
        findings.push(Finding::at(
            Code::AttackSuccessHigh,
            path,
            format!(
                "red-team category {category}: {} of {} attacks got through ({}, ceiling {}{severity}): {}{more}",
                attacks.succeeded,
                attacks.attempts,
                percent(rate),
                percent(ceiling),
                attacks.failing.join(", ")
            ),
        ));
    }
}

/// One finding per citation of a chunk its record did not retrieve, at the record's line,
/// and one more counting those past the ones a log keeps.
fn check_citations(path: &str, stats: &LogStats, findings: &mut Vec<Finding>) {
    let Some(citations) = &stats.citations else { return };
    for miss in &citations.misses {
        let record = miss.record.as_ref().map_or_else(String::new, |id| format!("record {id} "));
        findings.push(
            Finding::at(
                Code::CitationNotRetrieved,
                path,
                format!(
                    "{record}cites chunk {:?}, which is not among the {} chunks it retrieved",
                    miss.chunk, miss.retrieved
                ),
            )
            .on_line(miss.line),
        );
    }
    let rest = citations.not_retrieved.saturating_sub(citations.misses.len() as u64);
    if rest > 0 {
        findings.push(Finding::at(
            Code::CitationNotRetrieved,
            path,
            format!(
                "{rest} more citations name chunks their records did not retrieve ({} of {} citations in {} records)",
                citations.not_retrieved, citations.cited, citations.records
            ),
        ));
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
    let mut absent = Vec::new();
    for (field, names) in wanted {
        if stats.not_carried.iter().any(|f| f == field) {
            absent.push(field.as_str());
            continue;
        }
        let carrying = stats.carrying(field, names);
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
    if !absent.is_empty() {
        let format = stats.format.as_deref().unwrap_or("this log format");
        findings.push(Finding::at(
            Code::LogFieldsNotCarried,
            path,
            format!("{format} records have no field for {}: not checked", absent.join(", ")),
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

/// Rounds for messages, so 0.7500000001 prints as 0.75.
pub(crate) fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Sha256Digest;
    use crate::model::document::{BiasReport, FeatureResult, GroupResult, ModelCard, TestCounts};
    use crate::model::evidence::Facts;

    fn artifact(path: &str, evidence_type: &str, document: Document) -> Artifact {
        Artifact {
            path: path.into(),
            sha256: Sha256Digest::of(path.as_bytes()),
            size: 1,
            md5: None,
            stored: None,
            worm_copy: None,
            facts: Facts { evidence_type: Some(evidence_type.into()), ..Facts::unmatched() },
            document: Some(Box::new(document.finish())),
        }
    }

    fn bias(ratio: f64) -> Artifact {
        let report = BiasReport {
            features: vec![FeatureResult {
                name: "sex".into(),
                reference_group: Some("male".into()),
                groups: vec![GroupResult {
                    name: "female".into(),
                    disparate_impact_ratio: Some(ratio),
                    line: Some(7),
                    ..GroupResult::default()
                }],
                metrics: BTreeMap::new(),
            }],
            overall: BTreeMap::new(),
            datasets: Vec::new(),
        };
        artifact("b.json", "bias-report", Document::BiasReport(report))
    }

    #[test]
    fn four_fifths_rule_names_group_feature_and_line() {
        let config = ChecksConfig::default();
        assert!(run(&config, None, &[bias(0.85)]).is_empty());
        let findings = run(&config, None, &[bias(0.75)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, Some(7));
        assert!(
            findings[0]
                .message
                .contains("group \"female\" of sensitive feature \"sex\" has disparate impact ratio 0.75")
        );
        assert_eq!(run(&config, None, &[bias(1.3)]).len(), 1);
    }

    #[test]
    fn failing_tests_versions_and_metrics() {
        let config = ChecksConfig::default();
        let skipped =
            TestCounts { tests: 8, failures: 1, skipped: 2, failed: vec!["t.a".into()], ..TestCounts::default() };
        let f = run(&config, None, &[artifact("r.xml", "robustness-report", Document::TestResults(skipped))]);
        assert_eq!(f.len(), 1, "skipped cases must not hide a failure");
        assert!(f[0].message.contains("pass rate 0.8333"), "{}", f[0].message);
        let all_ran = TestCounts { tests: 7, skipped: 1, ..TestCounts::default() };
        assert!(
            run(&config, None, &[artifact("r.xml", "robustness-report", Document::TestResults(all_ran))]).is_empty()
        );
        let card = ModelCard {
            version: Some("4.2.0".into()),
            metrics: [("accuracy".to_string(), 0.5)].into_iter().collect(),
            has_intended_use: true,
            has_limitations: true,
            ..ModelCard::default()
        };
        let f = run(&config, Some("4.2.1"), &[artifact("card.md", "model-card", Document::ModelCard(card))]);
        let codes: Vec<Code> = f.iter().filter_map(|f| f.code.known()).collect();
        assert_eq!(codes, [Code::ThresholdFailed, Code::VersionMismatch]);
    }
}
