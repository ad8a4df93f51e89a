//! Evaluation reports: named numeric metrics, the run and model they belong to, the
//! datasets they were measured on, and a confusion matrix when there is one.
//!
//! dossier's own shape (`metrics: {name: x}`), scikit-learn's `classification_report`,
//! W&B's `wandb-summary.json`, lm-evaluation-harness results, Inspect AI eval logs,
//! Ragas result records and Hugging Face eval results.

use std::collections::BTreeMap;

use serde_json::Value;

use super::datasets::refs;
use super::source::{Source, epoch, has_any, has_keys, number, string, string_at};
use crate::model::document::{Confusion, Document, Metrics};

/// Metrics with nothing else known about them.
fn metrics(metrics: BTreeMap<String, f64>) -> Metrics {
    Metrics { metrics, ..Metrics::default() }
}

// ---------------------------------------------------------------------------------------
// dossier's own shape

/// `metrics: {name: number}` (or `{name: {value: n}}`), else top-level numbers; a
/// confusion matrix under `confusion_matrix`. None when the file holds no metric at all.
pub(super) fn native(v: &Value) -> Option<Document> {
    let m = Metrics {
        metrics: metrics_of(v),
        datasets: refs(v),
        confusion: confusion_of(v),
        model: string_at(v, "/model/name"),
        model_version: string_at(v, "/model/version"),
        run_id: string_at(v, "/run/run_id"),
        ..Metrics::default()
    };
    (!m.metrics.is_empty() || m.confusion.is_some()).then_some(Document::Metrics(m))
}

fn metrics_of(v: &Value) -> BTreeMap<String, f64> {
    let source = v.get("metrics").and_then(Value::as_object).or_else(|| v.as_object());
    source
        .map(|m| {
            m.iter()
                .filter_map(|(k, x)| {
                    x.as_f64().or_else(|| x.get("value").and_then(Value::as_f64)).map(|n| (k.clone(), n))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Reads `confusion_matrix: {labels, matrix}`, a bare square array of counts, or
/// `{labels, confusion_matrix: [[...]]}` as a scikit-learn array is usually saved, when
/// its shape is consistent.
fn confusion_of(v: &Value) -> Option<Confusion> {
    let cm = v.get("confusion_matrix").or_else(|| v.pointer("/metrics/confusion_matrix"))?;
    let rows = cm.get("matrix").unwrap_or(cm).as_array()?;
    let matrix: Vec<Vec<u64>> =
        rows.iter().map(|r| r.as_array()?.iter().map(Value::as_u64).collect()).collect::<Option<_>>()?;
    let labels = cm.get("labels").or_else(|| v.get("labels")).and_then(Value::as_array);
    let labels: Vec<String> = match labels {
        Some(l) => l.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect(),
        None => (0..matrix.len()).map(|i| i.to_string()).collect(),
    };
    let square = !matrix.is_empty() && matrix.iter().all(|r| r.len() == matrix.len());
    (square && labels.len() == matrix.len()).then_some(Confusion { labels, matrix, total: 0 })
}

// ---------------------------------------------------------------------------------------
// scikit-learn

/// `classification_report(..., output_dict=True)`: per class and per average
/// `{precision, recall, f1-score, support}`, and `accuracy` (absent when there is none).
pub(super) fn is_classification_report(v: &Value) -> bool {
    let Some(map) = v.as_object() else { return false };
    let scores = |x: &Value| has_keys(x, &["precision", "recall", "f1-score", "support"]);
    map.contains_key("macro avg") && map.get("macro avg").is_some_and(scores)
}

/// `confusion_matrix(...)` saved with its labels: `{labels: [...], confusion_matrix:
/// [[...]]}`, a square matrix as wide as the label list.
pub(super) fn is_confusion_matrix(v: &Value) -> bool {
    let (Some(labels), Some(rows)) =
        (v.get("labels").and_then(Value::as_array), v.get("confusion_matrix").and_then(Value::as_array))
    else {
        return false;
    };
    !rows.is_empty()
        && rows.len() == labels.len()
        && rows.iter().all(|r| r.as_array().is_some_and(|r| r.len() == labels.len() && r.iter().all(Value::is_number)))
}

pub(super) fn confusion_matrix(_: &mut Source<'_>, v: &Value) -> Option<Document> {
    let confusion = confusion_of(v)?;
    Some(Document::Metrics(Metrics { confusion: Some(confusion), ..Metrics::default() }))
}

pub(super) fn classification_report(_: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut out = BTreeMap::new();
    let mut samples = None;
    for (key, x) in v.as_object()? {
        match x {
            Value::Object(scores) => {
                for (name, s) in scores {
                    if let Some(s) = number(s) {
                        out.insert(format!("{key}/{name}"), s);
                    }
                }
                if key == "macro avg" {
                    samples = scores.get("support").and_then(Value::as_f64).map(|s| s as u64);
                }
            }
            x => {
                if let Some(s) = number(x) {
                    out.insert(key.clone(), s);
                }
            }
        }
    }
    Some(Document::Metrics(Metrics { samples, confusion: confusion_of(v), ..metrics(out) }))
}

// ---------------------------------------------------------------------------------------
// Weights & Biases

/// `wandb-summary.json`: the run summary, with W&B's own `_runtime`, `_timestamp`,
/// `_step` or `_wandb` keys.
pub(super) fn is_wandb_summary(v: &Value) -> bool {
    has_any(v, &["_wandb", "_runtime"]) && has_any(v, &["_timestamp", "_step", "_runtime"])
}

pub(super) fn wandb_summary(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut out = BTreeMap::new();
    flatten_numbers(v, "", &mut out);
    out.retain(|k, _| !k.starts_with('_'));
    if let Some(t) = v.get("_timestamp").and_then(number).and_then(epoch) {
        source.date_from(&t.to_rfc3339(), "_timestamp");
    }
    Some(Document::Metrics(metrics(out)))
}

/// Every number in `v`, nested names joined with `/`.
fn flatten_numbers(v: &Value, prefix: &str, out: &mut BTreeMap<String, f64>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}/{k}") };
                flatten_numbers(x, &name, out);
            }
        }
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                out.insert(prefix.to_string(), x);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// lm-evaluation-harness

/// `results_<date>.json`: `results: {task: {"metric,filter": x}}`, with `configs`,
/// `versions` or `n-shot` beside it.
pub(super) fn is_lm_eval(v: &Value) -> bool {
    v.get("results").is_some_and(Value::is_object) && has_any(v, &["configs", "versions", "n-shot", "higher_is_better"])
}

/// The metric's name as lm-eval writes it, `acc,none` -> `acc`; other filters stay.
fn lm_eval_metric(key: &str) -> Option<String> {
    let (metric, filter) = key.split_once(',').unwrap_or((key, "none"));
    if metric == "alias" {
        return None;
    }
    Some(if filter == "none" { metric.to_string() } else { format!("{metric},{filter}") })
}

pub(super) fn lm_eval(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut out = BTreeMap::new();
    for (task, scores) in v.get("results")?.as_object()? {
        for (key, x) in scores.as_object().into_iter().flatten() {
            if let (Some(metric), Some(x)) = (lm_eval_metric(key), x.as_f64()) {
                out.insert(format!("{task}/{metric}"), x);
            }
        }
    }
    let samples: Option<u64> = v.get("n-samples").and_then(Value::as_object).map(|tasks| {
        tasks.values().filter_map(|t| t.get("effective").or_else(|| t.get("original")).and_then(Value::as_u64)).sum()
    });
    if let Some(t) = v.get("date").and_then(number).and_then(epoch) {
        source.date_from(&t.to_rfc3339(), "date");
    }
    let model = string_at(v, "/model_name")
        .or_else(|| string_at(v, "/config/model_args"))
        .or_else(|| string_at(v, "/config/model"));
    Some(Document::Metrics(Metrics { samples, model, ..metrics(out) }))
}

// ---------------------------------------------------------------------------------------
// Inspect AI

/// An Inspect eval log in JSON: `version`, `status`, `eval: {task, model, created}`,
/// `results: {total_samples, scores: [{name, metrics: {m: {value}}}]}`.
pub(super) fn is_inspect(v: &Value) -> bool {
    has_keys(v, &["eval", "status"]) && v.get("eval").is_some_and(|e| has_keys(e, &["task", "model"]))
}

pub(super) fn inspect(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut out = BTreeMap::new();
    for score in v.pointer("/results/scores").and_then(Value::as_array).into_iter().flatten() {
        let scorer = score.get("name").and_then(Value::as_str).unwrap_or("score");
        for (name, m) in score.get("metrics").and_then(Value::as_object).into_iter().flatten() {
            if let Some(x) = m.get("value").and_then(number).or_else(|| number(m)) {
                out.insert(format!("{scorer}/{name}"), x);
            }
        }
    }
    if let Some(created) = string_at(v, "/eval/created") {
        source.date_from(&created, "eval.created");
    }
    let samples =
        v.pointer("/results/completed_samples").or_else(|| v.pointer("/results/total_samples")).and_then(Value::as_u64);
    Some(Document::Metrics(Metrics {
        samples,
        model: string_at(v, "/eval/model"),
        run_id: string_at(v, "/eval/run_id").or_else(|| string_at(v, "/eval/eval_id")),
        ..metrics(out)
    }))
}

// ---------------------------------------------------------------------------------------
// Ragas

/// A Ragas result as records (`to_pandas().to_json(orient="records")`): one object per
/// sample with `user_input` (or `question`) and the metric columns.
/// Ragas' own metric names (their `name` attribute, which its results are keyed by).
const RAGAS_METRICS: [&str; 22] = [
    "faithfulness",
    "answer_relevancy",
    "response_relevancy",
    "context_precision",
    "context_recall",
    "context_entity_recall",
    "noise_sensitivity",
    "answer_correctness",
    "answer_similarity",
    "semantic_similarity",
    "factual_correctness",
    "bleu_score",
    "rouge_score",
    "chrf_score",
    "exact_match",
    "string_present",
    "non_llm_string_similarity",
    "non_llm_context_precision_with_reference",
    "non_llm_context_recall",
    "llm_context_precision_with_reference",
    "llm_context_precision_without_reference",
    "id_based_context_precision",
];

/// The aggregate a Ragas result prints (`{"faithfulness": 0.91, ...}`): every key a
/// Ragas metric name (a parameterised one as `rouge_score(mode=fmeasure)`), every value
/// a number.
fn is_ragas_scores(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        !m.is_empty()
            && m.iter().all(|(k, x)| {
                let base = k.split('(').next().unwrap_or(k);
                RAGAS_METRICS.iter().any(|r| base.starts_with(r)) && x.is_number()
            })
    })
}

pub(super) fn is_ragas(v: &Value) -> bool {
    is_ragas_scores(v)
        || v.as_array().is_some_and(|rows| {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    has_any(r, &["user_input", "question"])
                        && has_any(r, &["response", "answer", "reference", "ground_truth"])
                })
        })
}

/// The columns Ragas copies from the dataset; every other numeric column is a metric.
const RAGAS_INPUTS: [&str; 8] =
    ["user_input", "question", "response", "answer", "reference", "ground_truth", "retrieved_contexts", "contexts"];

pub(super) fn ragas(_: &mut Source<'_>, v: &Value) -> Option<Document> {
    if is_ragas_scores(v) {
        let out = v.as_object()?.iter().filter_map(|(k, x)| Some((k.clone(), x.as_f64()?))).collect();
        return Some(Document::Metrics(metrics(out)));
    }
    let rows = v.as_array()?;
    let mut sums: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    for row in rows {
        for (k, x) in row.as_object().into_iter().flatten() {
            if RAGAS_INPUTS.contains(&k.as_str()) {
                continue;
            }
            if let Some(x) = x.as_f64() {
                let entry = sums.entry(k.clone()).or_default();
                entry.0 += x;
                entry.1 += 1;
            }
        }
    }
    let out = sums.into_iter().map(|(k, (sum, n))| (k, sum / n as f64)).collect();
    Some(Document::Metrics(Metrics { samples: Some(rows.len() as u64), ..metrics(out) }))
}

// ---------------------------------------------------------------------------------------
// Hugging Face eval results

/// An eval-results file: a list (or `results:` list) of entries each with a metric
/// `type` and `value` and the dataset it was measured on.
pub(super) fn is_hf_eval_results(v: &Value) -> bool {
    hf_entries(v).is_some_and(|e| !e.is_empty())
}

fn hf_entries(v: &Value) -> Option<&Vec<Value>> {
    let list = v.as_array().or_else(|| v.get("results").and_then(Value::as_array))?;
    list.iter()
        .all(|e| {
            (e.get("dataset").is_some() || e.get("task").is_some())
                && (e.get("metrics").is_some_and(Value::is_array) || has_keys(e, &["value"]))
        })
        .then_some(list)
}

/// Each entry is a result: `{dataset: {id, task_id}, value, date?}` (one value, named by
/// its dataset and task: `cais/hle/hle_text_only`), or `{dataset, metrics: [{type,
/// value}]}` (named by the metric's type).
pub(super) fn hf_eval_results(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut out = BTreeMap::new();
    let mut latest: Option<String> = None;
    for e in hf_entries(v)? {
        if let Some(list) = e.get("metrics").and_then(Value::as_array) {
            for m in list {
                let name = m.get("type").or_else(|| m.get("name")).and_then(string);
                if let (Some(name), Some(x)) = (name, m.get("value").and_then(number)) {
                    out.insert(name, x);
                }
            }
            continue;
        }
        let dataset = e.pointer("/dataset/id").or_else(|| e.get("dataset")).and_then(string);
        let task = e.pointer("/dataset/task_id").or_else(|| e.get("task")).and_then(string);
        let name = [dataset, task].into_iter().flatten().collect::<Vec<_>>().join("/");
        if let Some(x) = e.get("value").and_then(number)
            && !name.is_empty()
        {
            out.insert(name, x);
        }
        if let Some(d) = e.get("date").and_then(string)
            && latest.as_ref().is_none_or(|l| &d > l)
        {
            latest = Some(d);
        }
    }
    if let Some(d) = latest {
        source.date_from(&d, "date");
    }
    Some(Document::Metrics(metrics(out)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use crate::model::document::Document;

    #[test]
    fn metrics_and_the_confusion_total() {
        let text = r#"{"metrics": {"accuracy": 0.91, "auc": {"value": 0.88}, "note": "x"},
                      "confusion_matrix": {"labels": ["no", "yes"], "matrix": [[5, 1], [2, 7]]}}"#;
        let (doc, _) = read("eval.json", "evaluation-metrics", text);
        let Some(Document::Metrics(m)) = doc else { panic!() };
        assert_eq!(m.metrics.len(), 2);
        assert_eq!(m.metrics["auc"], 0.88);
        assert_eq!(m.confusion.unwrap().total, 15);
    }

    #[test]
    fn lm_eval_names_drop_the_none_filter_and_keep_others() {
        assert_eq!(super::lm_eval_metric("acc,none").as_deref(), Some("acc"));
        assert_eq!(super::lm_eval_metric("exact_match,strict-match").as_deref(), Some("exact_match,strict-match"));
        assert_eq!(super::lm_eval_metric("acc_stderr,none").as_deref(), Some("acc_stderr"));
        assert_eq!(super::lm_eval_metric("alias"), None);
    }
}
