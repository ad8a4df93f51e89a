//! Evaluation reports: named numeric metrics, the datasets they were measured on, and a
//! confusion matrix when there is one.

use std::collections::BTreeMap;

use serde_json::Value;

use super::datasets::refs;
use crate::model::document::{Confusion, Document, Metrics};

pub(super) fn read(v: &Value) -> Document {
    Document::Metrics(Metrics { metrics: metrics_of(v), datasets: refs(v), confusion: confusion_of(v) })
}

/// Numeric metrics: `metrics: {name: number}` (or `{name: {value: n}}`), else top-level numbers.
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
    (square && labels.len() == matrix.len()).then_some(Confusion { labels, matrix, total: 0 })
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
}
