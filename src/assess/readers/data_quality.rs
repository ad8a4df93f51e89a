//! Data-quality results: Great Expectations validation results (1.x and 0.18) and
//! Evidently reports and test suites (0.7 and the legacy 0.4 shape): how many checks ran
//! and passed, each failed one with its column, and the drift verdict.

use serde_json::{Map, Value};

use super::source::{Source, has_keys, number, string, string_at};
use crate::model::document::{DataValidation, Document, Drift, FailedCheck};

// ---------------------------------------------------------------------------------------
// Great Expectations

/// A validation result: `results` (each with an `expectation_config`) and `statistics`.
pub(super) fn is_gx(v: &Value) -> bool {
    v.get("statistics").is_some_and(|s| has_keys(s, &["evaluated_expectations"]))
        && (v.get("results").is_some_and(Value::is_array) || v.get("expectations").is_some_and(Value::is_array))
}

/// Keyword arguments worth showing beside a failed expectation (not the batch's id).
fn kwargs_detail(kwargs: &Map<String, Value>) -> Option<String> {
    let parts: Vec<String> = kwargs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "column" | "batch_id" | "result_format"))
        .map(|(k, x)| format!("{k}={}", string(x).unwrap_or_else(|| x.to_string())))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

pub(super) fn gx(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let stats = v.get("statistics")?;
    let mut failed = Vec::new();
    // `results` in a serialized result; `expectations` in `describe()` output.
    let results = v.get("results").or_else(|| v.get("expectations")).and_then(Value::as_array);
    for r in results.into_iter().flatten() {
        if r.get("success") != Some(&Value::Bool(false)) {
            continue;
        }
        let config = r.get("expectation_config").unwrap_or(r);
        let name = ["type", "expectation_type"].iter().find_map(|k| config.get(*k).and_then(string));
        let kwargs = config.get("kwargs").and_then(Value::as_object);
        failed.push(FailedCheck {
            name: name.unwrap_or_else(|| "expectation".into()),
            column: kwargs.and_then(|k| k.get("column")).and_then(string),
            detail: kwargs.and_then(kwargs_detail),
        });
    }
    for key in ["/meta/validation_time", "/meta/run_id/run_time", "/meta/validation_id"] {
        if let Some(t) = string_at(v, key) {
            source.date_from(&t, key.trim_start_matches('/').replace('/', ".").as_str());
        }
    }
    let count = |k: &str| stats.get(k).and_then(number).map_or(0, |x| x as u64);
    Some(Document::DataValidation(DataValidation {
        suite: string_at(v, "/suite_name").or_else(|| string_at(v, "/meta/expectation_suite_name")),
        success: v.get("success").and_then(Value::as_bool),
        checks: count("evaluated_expectations"),
        passed: count("successful_expectations"),
        failed,
        drift: None,
    }))
}

// ---------------------------------------------------------------------------------------
// Evidently

/// An Evidently report or test suite: `metrics` entries named by `metric` (legacy) or
/// `metric_id` (0.7), or `tests` entries with a `status`.
pub(super) fn is_evidently(v: &Value) -> bool {
    let metric = |m: &Value| {
        has_keys(m, &["metric", "result"])
            || has_keys(m, &["metric_id", "value"])
            || has_keys(m, &["metric_name", "value"])
    };
    let test = |t: &Value| has_keys(t, &["name", "status"]);
    v.get("metrics").and_then(Value::as_array).is_some_and(|m| !m.is_empty() && m.iter().all(metric))
        || v.get("tests").and_then(Value::as_array).is_some_and(|t| !t.is_empty() && t.iter().all(test))
}

/// The drift verdict of the legacy `DatasetDriftMetric`, or of 0.7's `DriftedColumnsCount`
/// against the share its id names (`drift_share=0.5`, Evidently's default).
fn evidently_drift(metrics: &[Value]) -> Option<Drift> {
    for m in metrics {
        if let Some(r) =
            m.get("result").filter(|_| m.get("metric").and_then(Value::as_str) == Some("DatasetDriftMetric"))
        {
            return Some(Drift {
                detected: r.get("dataset_drift").and_then(Value::as_bool).unwrap_or(false),
                drifted_columns: r.get("number_of_drifted_columns").and_then(Value::as_u64),
                columns: r.get("number_of_columns").and_then(Value::as_u64),
                share: r.get("share_of_drifted_columns").and_then(number),
            });
        }
        // 0.7 names a metric `metric_name` (0.6 `metric_id`), parameters in brackets.
        let id = m.get("metric_name").or_else(|| m.get("metric_id")).and_then(Value::as_str).unwrap_or_default();
        if let Some(params) = id.strip_prefix("DriftedColumnsCount") {
            let value = m.get("value")?;
            let threshold = m
                .pointer("/config/drift_share")
                .and_then(number)
                .or_else(|| {
                    params
                        .split(['(', ')', ','])
                        .find_map(|p| p.trim().strip_prefix("drift_share="))
                        .and_then(|x| x.parse::<f64>().ok())
                })
                .unwrap_or(0.5);
            let share = value.get("share").and_then(number);
            let count = value.get("count").and_then(number).map(|c| c as u64);
            // The columns tested are the per-column drift metrics beside it, else what
            // the count and the share imply.
            let per_column = metrics
                .iter()
                .filter(|x| {
                    x.get("metric_name")
                        .or_else(|| x.get("metric_id"))
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.starts_with("ValueDrift"))
                })
                .count() as u64;
            let columns = match (count, share) {
                _ if per_column > 0 => Some(per_column),
                (Some(c), Some(s)) if s > 0.0 => Some((c as f64 / s).round() as u64),
                _ => None,
            };
            return Some(Drift {
                detected: share.is_some_and(|s| s >= threshold),
                drifted_columns: count,
                columns,
                share,
            });
        }
    }
    None
}

pub(super) fn evidently(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let empty = Vec::new();
    let metrics = v.get("metrics").and_then(Value::as_array).unwrap_or(&empty);
    let tests = v.get("tests").and_then(Value::as_array).unwrap_or(&empty);
    let mut failed = Vec::new();
    let mut passed = 0;
    for t in tests {
        let status = t.get("status").and_then(Value::as_str).unwrap_or_default().to_ascii_uppercase();
        match status.as_str() {
            "SUCCESS" => passed += 1,
            "FAIL" | "ERROR" => failed.push(FailedCheck {
                name: t.get("name").and_then(string).unwrap_or_else(|| "test".into()),
                column: t
                    .pointer("/parameters/column_name")
                    .or_else(|| t.pointer("/metric_config/params/column"))
                    .and_then(string),
                detail: t.get("description").and_then(string),
            }),
            _ => {}
        }
    }
    if let Some(t) = string_at(v, "/timestamp") {
        source.date_from(&t, "timestamp");
    }
    let drift = evidently_drift(metrics);
    // Failed when a test failed or the dataset drifted; unknown when it says neither.
    let drifted = drift.as_ref().map(|d| d.detected);
    let success = match (tests.is_empty(), drifted) {
        (true, None) => None,
        (_, drifted) => Some(failed.is_empty() && drifted != Some(true)),
    };
    Some(Document::DataValidation(DataValidation {
        suite: None,
        success,
        checks: tests.len() as u64,
        passed,
        failed,
        drift,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use crate::model::document::Document;

    #[test]
    fn a_gx_result_names_the_failed_expectation_and_column() {
        let text = r#"{"success": false, "suite_name": "loans",
          "statistics": {"evaluated_expectations": 2, "successful_expectations": 1, "unsuccessful_expectations": 1},
          "results": [
            {"success": true, "expectation_config": {"type": "expect_column_to_exist", "kwargs": {"column": "id"}}},
            {"success": false, "expectation_config": {"type": "expect_column_values_to_not_be_null",
               "kwargs": {"column": "income", "mostly": 0.99, "batch_id": "b"}}}]}"#;
        let (doc, _) = read("gx/result.json", "data-quality-report", text);
        let Some(Document::DataValidation(d)) = doc else { panic!("{doc:?}") };
        assert_eq!((d.checks, d.passed, d.success), (2, 1, Some(false)));
        assert_eq!(d.failed[0].name, "expect_column_values_to_not_be_null");
        assert_eq!(d.failed[0].column.as_deref(), Some("income"));
        assert_eq!(d.failed[0].detail.as_deref(), Some("mostly=0.99"));
    }
}
