//! MLflow's file store: a run's `meta.yaml`, its `metrics/`, `params/` and `tags/` files
//! (one file per name), a model's `MLmodel`, and a registered model version's
//! `meta.yaml`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::source::{Source, epoch, has_keys, number, string, timestamp};
use crate::model::document::{Document, Metrics, ModelMetadata, RunRecord};

/// What kind of run file a path is: `.../<run id>/{metrics,params,tags}/<name>`, where a
/// run id is 32 hex digits and a name may itself hold `/`.
fn run_file(path: &str) -> Option<(&'static str, &str, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    let i = parts.iter().position(|p| matches!(*p, "metrics" | "params" | "tags"))?;
    let run = *parts.get(i.checked_sub(1)?)?;
    let is_run_id = run.len() == 32 && run.bytes().all(|b| b.is_ascii_hexdigit());
    let name = parts[i + 1..].join("/");
    let kind = match parts[i] {
        "metrics" => "mlflow-metric",
        "params" => "mlflow-param",
        _ => "mlflow-tag",
    };
    (is_run_id && !name.is_empty()).then_some((kind, run, name))
}

/// Whether `path` is one of a run's metric, parameter or tag files.
pub(super) fn is_run_file(path: &str) -> bool {
    run_file(path).is_some()
}

/// A metric file holds one `<timestamp ms> <value> <step>` line per logged value; the
/// value is the one logged at the last step (the latest, among equal steps). A
/// parameter or tag file holds its value.
pub(super) fn text_file(source: &mut Source<'_>) -> Option<(Document, &'static str)> {
    let (kind, run, name) = run_file(source.path)?;
    let run_id = Some(run.to_string());
    if kind != "mlflow-metric" {
        let value = source.text.trim_end_matches(['\n', '\r']).to_string();
        let mut record = RunRecord { run_id, ..RunRecord::default() };
        if kind == "mlflow-param" {
            record.params.insert(name, value);
        } else {
            record.tags.insert(name, value);
        }
        return Some((Document::Run(record), kind));
    }
    let mut last: Option<(i64, i64, f64)> = None;
    for line in source.text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split_whitespace();
        let (Some(time), Some(value)) = (fields.next(), fields.next()) else { return None };
        let time: i64 = time.parse().ok()?;
        let value: f64 = value.parse().ok()?;
        let step: i64 = fields.next().map_or(Some(0), |s| s.parse().ok())?;
        if last.is_none_or(|(s, t, _)| (step, time) >= (s, t)) {
            last = Some((step, time, value));
        }
    }
    let (_, time, value) = last?;
    if let Some(t) = epoch(time as f64) {
        source.date_from(&t.to_rfc3339(), "the metric's last timestamp");
    }
    let metrics = Metrics { metrics: BTreeMap::from([(name, value)]), run_id, ..Metrics::default() };
    Some((Document::Metrics(metrics), kind))
}

/// A run's `meta.yaml`: `run_id` (or `run_uuid`), `experiment_id`, `lifecycle_stage`.
pub(super) fn is_run_meta(v: &Value) -> bool {
    has_keys(v, &["experiment_id", "lifecycle_stage"]) && (has_keys(v, &["run_id"]) || has_keys(v, &["run_uuid"]))
}

/// MLflow's run status codes.
fn run_status(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(
            match n.as_u64()? {
                1 => "RUNNING",
                2 => "SCHEDULED",
                3 => "FINISHED",
                4 => "FAILED",
                5 => "KILLED",
                _ => return Some(n.to_string()),
            }
            .to_string(),
        ),
        other => string(other),
    }
}

/// A time in milliseconds since the epoch, as RFC 3339.
fn millis(v: Option<&Value>) -> Option<String> {
    epoch(number(v?)?).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

pub(super) fn run_meta(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let start = millis(v.get("start_time"));
    if let Some(end) = millis(v.get("end_time")).or_else(|| start.clone()) {
        source.date_from(&end, if v.get("end_time").is_some() { "end_time" } else { "start_time" });
    }
    Some(Document::Run(RunRecord {
        run_id: v.get("run_id").or_else(|| v.get("run_uuid")).and_then(string),
        name: v.get("run_name").and_then(string),
        status: v.get("status").and_then(run_status),
        start,
        end: millis(v.get("end_time")),
        ..RunRecord::default()
    }))
}

/// An `MLmodel` file: `flavors`, with `utc_time_created`, `run_id` or `artifact_path`.
pub(super) fn is_mlmodel(v: &Value) -> bool {
    v.get("flavors").is_some_and(Value::is_object)
        && ["utc_time_created", "run_id", "artifact_path", "model_uuid"].iter().any(|k| v.get(*k).is_some())
}

pub(super) fn mlmodel(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let created = v.get("utc_time_created").and_then(string);
    if let Some(c) = &created {
        source.date_from(c, "utc_time_created");
    }
    Some(Document::ModelMetadata(ModelMetadata {
        model_id: ["model_id", "model_uuid"].iter().find_map(|k| v.get(*k).and_then(string)),
        run_id: v.get("run_id").and_then(string),
        created: created.as_deref().and_then(timestamp).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        flavors: v.get("flavors").and_then(Value::as_object).map(|f| f.keys().cloned().collect()).unwrap_or_default(),
        ..ModelMetadata::default()
    }))
}

/// A registered model version's `meta.yaml`: `name`, `version`, `current_stage`,
/// `source`, `creation_timestamp`.
pub(super) fn is_model_version(v: &Value) -> bool {
    has_keys(v, &["name", "version", "current_stage", "creation_timestamp"])
}

pub(super) fn model_version(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let created = millis(v.get("creation_timestamp"));
    if let Some(c) = &created {
        source.date_from(c, "creation_timestamp");
    }
    // A version with no stage ("None") is described by its status (READY, ...).
    let stage = v.get("current_stage").and_then(string).filter(|s| s != "None");
    // Named as MLflow addresses a registered version: models:/<name>/<version>.
    let name = v.get("name").and_then(string);
    let version = v.get("version").and_then(string);
    let model_id = match (&name, &version) {
        (Some(n), Some(v)) => Some(format!("models:/{n}/{v}")),
        _ => name,
    };
    Some(Document::ModelMetadata(ModelMetadata {
        model_id,
        version,
        run_id: v.get("run_id").and_then(string),
        created,
        status: stage.or_else(|| v.get("status").and_then(string)),
        ..ModelMetadata::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_files_are_told_by_the_run_id_above_them() {
        let run = "0123456789abcdef0123456789abcdef";
        assert_eq!(run_file(&format!("mlruns/1/{run}/metrics/eval/acc")).map(|r| r.2), Some("eval/acc".into()));
        assert!(run_file(&format!("mlruns/1/{run}/params/lr")).is_some_and(|r| r.0 == "mlflow-param"));
        assert!(run_file("reports/metrics/acc").is_none());
        assert!(run_file(&format!("mlruns/1/{run}/metrics")).is_none());
    }

    #[test]
    fn a_metric_file_gives_the_value_at_its_last_step() {
        let path = "mlruns/1/0123456789abcdef0123456789abcdef/metrics/val_loss";
        let mut source = Source::new(path, "1796040000000 0.9 0\n1796040060000 0.5 2\n1796040030000 0.7 1\n");
        let (Document::Metrics(m), "mlflow-metric") = text_file(&mut source).unwrap() else { panic!() };
        assert_eq!(m.metrics["val_loss"], 0.5);
        assert_eq!(source.date.unwrap().date.to_string(), "2026-11-30");
    }
}
