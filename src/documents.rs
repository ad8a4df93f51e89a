//! Evidence documents: what the evidence says, parsed per evidence type.
//!
//! Classification says *what* a file is; this module reads *what it says*: the impact
//! ratio of every group in a bias report, the pass/fail counts of a JUnit file, the
//! metrics of an evaluation, the version in a model card's front matter, the records of
//! an inference log. Parsing never fails the run: a file that cannot be read as its type
//! (truncated JSON, a JUnit file that is really HTML, a log line that is not JSON) yields
//! a finding naming the file and line, and the rest goes on.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::findings::{Code, Finding};
use crate::yaml::line_of;

/// Files larger than this are not parsed as documents (logs stream and have no limit).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// What one evidence file says. It is written into `assessment.json` and read back from
/// there by `diff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Document {
    /// A fairness report: per sensitive feature, per group.
    BiasReport {
        /// Sensitive features with their groups.
        features: Vec<FeatureResult>,
        /// Datasets the report names with a digest: (name, sha256).
        datasets: Vec<(String, String)>,
    },
    /// JUnit-style test results.
    TestResults(TestCounts),
    /// Named numeric metrics (evaluation reports, model-card model-index).
    Metrics {
        /// Metric name to value.
        metrics: BTreeMap<String, f64>,
        /// Datasets the report names with a digest: (name, sha256).
        datasets: Vec<(String, String)>,
        /// The confusion matrix, when the report has one.
        confusion: Option<Confusion>,
    },
    /// A model card's identity.
    ModelCard {
        /// `model_version` (or `version`) from the front matter.
        version: Option<String>,
        /// `model_id` (or `model_name`) from the front matter.
        model_id: Option<String>,
        /// Metrics from the front matter's model-index.
        metrics: BTreeMap<String, f64>,
        /// Whether a section on intended use (`Uses`, `Intended use`) is present.
        has_intended_use: bool,
        /// Whether a section on limitations (`Limitations`, `Bias, Risks, and Limitations`) is present.
        has_limitations: bool,
    },
    /// A JSON or YAML document kept whole (policy input).
    Data {
        /// The parsed content.
        value: Value,
    },
    /// A JSON Lines log.
    Log(LogStats),
}

/// Fairness results for one sensitive feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureResult {
    /// Feature name, e.g. `sex`.
    pub name: String,
    /// The group others are compared with.
    pub reference_group: Option<String>,
    /// Each group's results.
    pub groups: Vec<GroupResult>,
    /// Largest gap in selection rate between groups.
    pub demographic_parity_difference: Option<f64>,
    /// Largest gap in true- or false-positive rate between groups.
    pub equalized_odds_difference: Option<f64>,
}

/// Fairness results for one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// Group name.
    pub name: String,
    /// Selection rate divided by the reference group's.
    pub disparate_impact_ratio: Option<f64>,
    /// Line of the ratio (or the group) in the file.
    pub line: Option<u64>,
}

/// A confusion matrix: `matrix[actual][predicted]`, rows and columns in `labels` order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Class labels.
    pub labels: Vec<String>,
    /// Counts, one row per actual class.
    pub matrix: Vec<Vec<u64>>,
}

/// JUnit counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestCounts {
    /// Test cases.
    pub tests: u32,
    /// Cases with a `<failure>`.
    pub failures: u32,
    /// Cases with an `<error>`.
    pub errors: u32,
    /// Cases with `<skipped>`.
    pub skipped: u32,
    /// Names of the failed or errored cases, `classname.name`.
    pub failed: Vec<String>,
}

/// JSON Lines log statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogStats {
    /// Records that parsed.
    pub records: u64,
    /// Lines that did not.
    pub bad_lines: u64,
    /// Earliest and latest timestamps.
    pub first: Option<String>,
    /// Latest timestamp.
    pub last: Option<String>,
    /// Largest gap between consecutive records, in seconds.
    pub largest_gap_seconds: Option<i64>,
    /// For each top-level key, how many records carry it.
    pub key_counts: BTreeMap<String, u64>,
    /// Counts of the `action` field's values (override logs: accept, override, reverse, halt).
    pub actions: BTreeMap<String, u64>,
    /// Faithfulness scores of RAG answers (`faithfulness_score` or `faithfulness`), in order.
    pub faithfulness: Vec<f64>,
}

impl LogStats {
    /// Share of records whose action overrides or reverses the system's output.
    pub fn override_rate(&self) -> Option<f64> {
        let acted: u64 = self.actions.values().sum();
        (acted > 0).then(|| {
            let overridden: u64 =
                self.actions.iter().filter(|(a, _)| matches!(a.as_str(), "override" | "reverse")).map(|(_, n)| n).sum();
            overridden as f64 / acted as f64
        })
    }
}

/// Reads the document at `root/path` as `evidence_type`. Returns the document (when the
/// type is one dossier reads) and findings about the file.
pub fn parse(root: &Path, path: &str, evidence_type: &str) -> (Option<Document>, Vec<Finding>) {
    let file = root.join(path);
    let mut findings = Vec::new();
    let kind = match evidence_type {
        "bias-report" => Kind::Bias,
        "robustness-report" | "red-team-report" if path.to_ascii_lowercase().ends_with(".xml") => Kind::Junit,
        "evaluation-metrics" => Kind::Metrics,
        "model-card" if path.to_ascii_lowercase().ends_with(".md") => Kind::ModelCard,
        "model-metadata" | "sign-off" | "waiver" | "risk-register" | "dataset-manifest" | "data-lineage" => Kind::Data,
        "inference-log" | "override-log" | "rag-audit-log" if is_jsonl(path) => Kind::Log,
        _ => return (None, findings),
    };
    // Structured kinds are read from JSON or YAML files only: a risk register kept as a
    // spreadsheet or a sign-off as a PDF is still evidence, just not one dossier reads.
    let lower = path.to_ascii_lowercase();
    if matches!(kind, Kind::Bias | Kind::Metrics | Kind::Data)
        && ![".json", ".yaml", ".yml"].iter().any(|ext| lower.ends_with(ext))
    {
        return (None, findings);
    }
    if kind == Kind::Log {
        return match std::fs::File::open(&file) {
            Ok(f) => (Some(Document::Log(log_stats(std::io::BufReader::new(f), path, &mut findings))), findings),
            Err(e) => (None, vec![Finding::at(Code::EvidenceUnparseable, path, format!("could not read: {e}"))]),
        };
    }
    let text = match std::fs::metadata(&file).and_then(|m| {
        if m.len() > MAX_DOCUMENT_BYTES {
            Err(std::io::Error::other(format!("larger than {} MiB", MAX_DOCUMENT_BYTES >> 20)))
        } else {
            std::fs::read(&file)
        }
    }) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return (None, vec![Finding::at(Code::EvidenceUnparseable, path, format!("could not read: {e}"))]),
    };
    let document = match kind {
        Kind::Bias => structured(path, &text, &mut findings).map(|v| bias_report(path, &text, &v, &mut findings)),
        Kind::Metrics => structured(path, &text, &mut findings).map(|v| Document::Metrics {
            metrics: metrics_of(&v),
            datasets: dataset_references(&v),
            confusion: confusion_of(&v),
        }),
        Kind::Data => structured(path, &text, &mut findings).map(|value| Document::Data { value }),
        Kind::Junit => junit(path, &text, &mut findings).map(Document::TestResults),
        Kind::ModelCard => Some(model_card(&text)),
        Kind::Log => unreachable!("handled above"),
    };
    (document, findings)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bias,
    Junit,
    Metrics,
    ModelCard,
    Data,
    Log,
}

fn is_jsonl(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".jsonl") || lower.ends_with(".ndjson")
}

/// JSON, or YAML for `.yaml`/`.yml`; a parse error becomes a finding with its line.
fn structured(path: &str, text: &str, findings: &mut Vec<Finding>) -> Option<Value> {
    let lower = path.to_ascii_lowercase();
    let parsed: Result<Value, (String, Option<u64>)> = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        serde_yaml::from_str::<Value>(text).map_err(|e| (e.to_string(), e.location().map(|l| l.line() as u64)))
    } else {
        serde_json::from_str::<Value>(text).map_err(|e| (e.to_string(), Some(e.line() as u64)))
    };
    match parsed {
        Ok(v) => Some(v),
        Err((message, line)) => {
            let mut f = Finding::at(
                Code::EvidenceUnparseable,
                path,
                format!("not valid {}: {message}", if lower.ends_with(".json") { "JSON" } else { "JSON or YAML" }),
            );
            f.line = line;
            findings.push(f);
            None
        }
    }
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn bias_report(path: &str, text: &str, v: &Value, findings: &mut Vec<Finding>) -> Document {
    let mut features = Vec::new();
    let feature_map: Vec<(String, &Value)> = match v.get("features").and_then(Value::as_object) {
        Some(map) => map.iter().map(|(k, f)| (k.clone(), f)).collect(),
        // A flat report for one feature: {"sensitive_feature": "sex", "metrics": ...}.
        None => {
            let name = v.get("sensitive_feature").and_then(Value::as_str).unwrap_or("sensitive feature").to_string();
            vec![(name, v)]
        }
    };
    for (name, f) in feature_map {
        let feature_line = line_of(text, &format!("\"{name}\""), 1).unwrap_or(1);
        let rates = f.pointer("/metrics/selection_rate/by_group").and_then(Value::as_object);
        let ratios = f.get("disparate_impact_ratio").and_then(Value::as_object);
        let reference = f.get("reference_group").and_then(Value::as_str).map(str::to_string).or_else(|| {
            rates.and_then(|r| {
                r.iter()
                    .filter_map(|(g, v)| number(v).map(|x| (g, x)))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(g, _)| g.clone())
            })
        });
        let mut names: Vec<String> = f
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        for map in [ratios, rates].into_iter().flatten() {
            for g in map.keys() {
                if !names.contains(g) {
                    names.push(g.clone());
                }
            }
        }
        if names.is_empty() {
            let mut finding = Finding::at(
                Code::EvidenceIncomplete,
                path,
                format!("sensitive feature {name:?} lists no groups with results"),
            );
            finding.line = Some(feature_line as u64);
            findings.push(finding);
        }
        let ratio_line = line_of(text, "\"disparate_impact_ratio\"", feature_line).unwrap_or(feature_line);
        let reference_rate = reference.as_ref().and_then(|r| rates.and_then(|m| m.get(r)).and_then(number));
        let mut groups = Vec::new();
        for g in names {
            let explicit = ratios.and_then(|m| m.get(&g)).and_then(number);
            let computed = rates
                .and_then(|m| m.get(&g))
                .and_then(number)
                .zip(reference_rate)
                .and_then(|(r, base)| (base > 0.0).then(|| r / base));
            let line = line_of(text, &format!("\"{g}\""), if explicit.is_some() { ratio_line } else { feature_line })
                .map(|l| l as u64);
            let ratio = explicit.or(computed);
            if ratio.is_none() {
                let mut finding = Finding::at(
                    Code::EvidenceIncomplete,
                    path,
                    format!(
                        "group {g:?} of sensitive feature {name:?} has no disparate impact ratio or selection rate"
                    ),
                );
                finding.line = line.or(Some(feature_line as u64));
                findings.push(finding);
            }
            groups.push(GroupResult { name: g, disparate_impact_ratio: ratio, line });
        }
        features.push(FeatureResult {
            name,
            reference_group: reference,
            groups,
            demographic_parity_difference: f.get("demographic_parity_difference").and_then(number),
            equalized_odds_difference: f.get("equalized_odds_difference").and_then(number),
        });
    }
    Document::BiasReport { features, datasets: dataset_references(v) }
}

/// Numeric metrics: `metrics: {name: number}` (or `{name: {value: n}}`), else top-level numbers.
fn metrics_of(v: &Value) -> BTreeMap<String, f64> {
    let source = v.get("metrics").and_then(Value::as_object).or_else(|| v.as_object());
    source
        .map(|m| {
            m.iter()
                .filter_map(|(k, x)| number(x).or_else(|| x.get("value").and_then(number)).map(|n| (k.clone(), n)))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads `confusion_matrix: {labels, matrix}` (or a bare square array of counts), when
/// its shape is consistent.
fn confusion_of(v: &Value) -> Option<Confusion> {
    let cm = v.get("confusion_matrix").or_else(|| v.pointer("/metrics/confusion_matrix"))?;
    let rows = cm.get("matrix").unwrap_or(cm).as_array()?;
    let matrix: Vec<Vec<u64>> =
        rows.iter().map(|r| r.as_array()?.iter().map(Value::as_u64).collect()).collect::<Option<_>>()?;
    let labels: Vec<String> = match cm.get("labels").and_then(Value::as_array) {
        Some(l) => l.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect(),
        None => (0..matrix.len()).map(|i| i.to_string()).collect(),
    };
    let square = !matrix.is_empty() && matrix.iter().all(|r| r.len() == matrix.len());
    (square && labels.len() == matrix.len()).then_some(Confusion { labels, matrix })
}

fn model_card(text: &str) -> Document {
    let front = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .and_then(|rest| rest.find("\n---").map(|end| &rest[..end]));
    let value: Value = front.and_then(|f| serde_yaml::from_str(f).ok()).unwrap_or(Value::Null);
    let version = ["model_version", "version"]
        .iter()
        .find_map(|k| value.get(*k))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    let mut metrics = BTreeMap::new();
    for entry in value.get("model-index").and_then(Value::as_array).into_iter().flatten() {
        for result in entry.get("results").and_then(Value::as_array).into_iter().flatten() {
            for m in result.get("metrics").and_then(Value::as_array).into_iter().flatten() {
                if let (Some(name), Some(x)) = (m.get("type").and_then(Value::as_str), m.get("value").and_then(number))
                {
                    metrics.insert(name.to_string(), x);
                }
            }
        }
    }
    let model_id =
        ["model_id", "model_name"].iter().find_map(|k| value.get(*k)).and_then(Value::as_str).map(str::to_string);
    let headings: Vec<String> = text
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim().to_lowercase())
        .collect();
    let has = |words: &[&str]| headings.iter().any(|h| words.iter().any(|w| h.contains(w)));
    Document::ModelCard {
        version,
        model_id,
        metrics,
        has_intended_use: has(&["uses", "intended use", "intended purpose"]),
        has_limitations: has(&["limitation"]),
    }
}

/// Datasets a document names with a digest: objects under `dataset`, `datasets`,
/// `training_data` or `data` that carry a `name` (or `id`) and a `sha256`.
pub fn dataset_references(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                let name = map.get("name").or_else(|| map.get("id")).and_then(Value::as_str);
                if let (Some(name), Some(sha)) = (name, map.get("sha256").and_then(Value::as_str)) {
                    out.push((name.to_string(), sha.to_ascii_lowercase()));
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

fn junit(path: &str, text: &str, findings: &mut Vec<Finding>) -> Option<TestCounts> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut counts = TestCounts::default();
    let mut root: Option<String> = None;
    let mut current: Option<String> = None;
    loop {
        let position = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
                if root.is_none() {
                    if name != "testsuites" && name != "testsuite" {
                        let mut f = Finding::at(
                            Code::EvidenceUnparseable,
                            path,
                            format!("not JUnit XML: the root element is <{name}>, not <testsuites> or <testsuite>"),
                        );
                        f.line = Some(line_at(text, position as usize));
                        findings.push(f);
                        return None;
                    }
                    root = Some(name.clone());
                }
                match name.as_str() {
                    "testcase" => {
                        counts.tests += 1;
                        let attr = |key: &[u8]| {
                            e.try_get_attribute(key).ok().flatten().map(|a| match a.unescape_value() {
                                Ok(v) => v.into_owned(),
                                Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
                            })
                        };
                        let id =
                            format!("{}.{}", attr(b"classname").unwrap_or_default(), attr(b"name").unwrap_or_default());
                        current = Some(id.trim_start_matches('.').to_string());
                    }
                    "failure" | "error" => {
                        if name == "failure" {
                            counts.failures += 1
                        } else {
                            counts.errors += 1
                        }
                        if let Some(id) = current.clone() {
                            counts.failed.push(id);
                        }
                    }
                    "skipped" => counts.skipped += 1,
                    _ => {}
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"testcase" => current = None,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let mut f = Finding::at(Code::EvidenceUnparseable, path, format!("not well-formed XML: {e}"));
                f.line = Some(line_at(text, position as usize));
                findings.push(f);
                return None;
            }
        }
    }
    if root.is_none() {
        findings.push(Finding::at(Code::EvidenceUnparseable, path, "not JUnit XML: no root element"));
        return None;
    }
    Some(counts)
}

fn line_at(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

fn log_stats(reader: impl BufRead, path: &str, findings: &mut Vec<Finding>) -> LogStats {
    let mut stats = LogStats::default();
    let mut previous: Option<DateTime<chrono::FixedOffset>> = None;
    let mut first_bad: Option<(u64, String)> = None;
    for (i, line) in reader.split(b'\n').enumerate() {
        let Ok(line) = line else { break };
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(record)) => {
                stats.records += 1;
                for key in record.keys() {
                    *stats.key_counts.entry(key.clone()).or_default() += 1;
                }
                if let Some(action) = record.get("action").and_then(Value::as_str)
                    && (stats.actions.len() < 64 || stats.actions.contains_key(action))
                {
                    *stats.actions.entry(action.to_string()).or_default() += 1;
                }
                if let Some(score) =
                    record.get("faithfulness_score").or_else(|| record.get("faithfulness")).and_then(number)
                {
                    stats.faithfulness.push(score);
                }
                let time = ["timestamp", "time", "inferenceTime", "event_time"]
                    .iter()
                    .find_map(|k| record.get(*k).and_then(Value::as_str))
                    .or_else(|| {
                        record.get("eventMetadata").and_then(|m| m.get("inferenceTime")).and_then(Value::as_str)
                    });
                if let Some(parsed) = time.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
                    if let Some(prev) = previous {
                        let gap = (parsed - prev).num_seconds();
                        stats.largest_gap_seconds = Some(stats.largest_gap_seconds.map_or(gap, |g| g.max(gap)));
                    }
                    previous = Some(parsed);
                    let stamp = time.unwrap_or_default().to_string();
                    if stats.first.is_none() {
                        stats.first = Some(stamp.clone());
                    }
                    stats.last = Some(stamp);
                }
            }
            Ok(_) | Err(_) => {
                stats.bad_lines += 1;
                if first_bad.is_none() {
                    let why = serde_json::from_str::<Value>(&text)
                        .err()
                        .map_or("not a JSON object".into(), |e| e.to_string());
                    first_bad = Some((i as u64 + 1, why));
                }
            }
        }
    }
    if let Some((line, why)) = first_bad {
        let more = if stats.bad_lines > 1 { format!(" ({} bad lines in all)", stats.bad_lines) } else { String::new() };
        let mut f = Finding::at(
            Code::LogLineInvalid,
            path,
            format!("log line is not a JSON record: {why}{more}; the other records are used"),
        );
        f.line = Some(line);
        findings.push(f);
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(path: &str, evidence_type: &str, text: &str) -> (Option<Document>, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        parse(dir.path(), path, evidence_type)
    }

    #[test]
    fn bias_report_ratios_explicit_or_computed_and_missing_groups_reported() {
        let text = r#"{
  "features": {
    "sex": {
      "groups": ["male", "female", "other"],
      "reference_group": "male",
      "metrics": {"selection_rate": {"by_group": {"male": 0.6, "female": 0.45}}},
      "disparate_impact_ratio": {
        "male": 1.0
      }
    }
  }
}"#;
        let (doc, findings) = parse_text("bias.json", "bias-report", text);
        let Some(Document::BiasReport { features, .. }) = doc else { panic!("{doc:?}") };
        let groups = &features[0].groups;
        assert_eq!(groups[0].disparate_impact_ratio, Some(1.0));
        assert!((groups[1].disparate_impact_ratio.unwrap() - 0.75).abs() < 1e-9);
        assert_eq!(groups[2].disparate_impact_ratio, None);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, Code::EvidenceIncomplete);
        assert!(findings[0].message.contains("\"other\""), "{}", findings[0].message);
    }

    #[test]
    fn truncated_json_is_a_finding_with_a_line() {
        let (doc, findings) = parse_text("bias.json", "bias-report", "{\n  \"features\": {\n    \"sex\": {");
        assert!(doc.is_none());
        assert_eq!(findings[0].code, Code::EvidenceUnparseable);
        assert_eq!(findings[0].line, Some(3));
    }

    #[test]
    fn junit_counts_and_html_is_not_junit() {
        let xml = r#"<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
<testcase classname="t" name="a"/>
<testcase classname="t" name="b &amp; &lt;c&gt;"><failure message="drop 7%"/></testcase>
<testcase classname="t" name="c"><skipped/></testcase>
</testsuite></testsuites>"#;
        let (doc, findings) = parse_text("r.xml", "robustness-report", xml);
        let Some(Document::TestResults(c)) = doc else { panic!() };
        assert_eq!((c.tests, c.failures, c.errors, c.skipped), (3, 1, 0, 1));
        assert_eq!(c.failed, ["t.b & <c>"]);
        assert!(findings.is_empty());
        let (doc, findings) =
            parse_text("r.xml", "robustness-report", "<!DOCTYPE html>\n<html><body>502</body></html>");
        assert!(doc.is_none());
        assert!(findings[0].message.contains("root element is <html>"), "{}", findings[0].message);
        assert_eq!(findings[0].line, Some(2));
    }

    #[test]
    fn logs_count_records_gaps_and_bad_lines() {
        let text = "{\"timestamp\": \"2026-11-18T10:00:00Z\", \"input\": 1}\nnot json\n{\"timestamp\": \"2026-11-18T10:30:00Z\", \"input\": 2, \"actor\": \"svc\"}\n";
        let (doc, findings) = parse_text("logs/a.jsonl", "inference-log", text);
        let Some(Document::Log(s)) = doc else { panic!() };
        assert_eq!((s.records, s.bad_lines), (2, 1));
        assert_eq!(s.largest_gap_seconds, Some(1800));
        assert_eq!(s.key_counts["input"], 2);
        assert_eq!(s.key_counts["actor"], 1);
        assert_eq!(findings[0].code, Code::LogLineInvalid);
        assert_eq!(findings[0].line, Some(2));
    }

    #[test]
    fn model_card_version_and_metrics() {
        let text = "---\nmodel_version: \"4.2.1\"\nmodel-index:\n  - name: m\n    results:\n      - metrics:\n          - {type: accuracy, value: 0.95}\n---\n# Card\n";
        let (doc, _) = parse_text("model_card.md", "model-card", text);
        let Some(Document::ModelCard { version, metrics, .. }) = doc else { panic!() };
        assert_eq!(version.as_deref(), Some("4.2.1"));
        assert_eq!(metrics["accuracy"], 0.95);
    }
}
