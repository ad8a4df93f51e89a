//! Model cards (Hugging Face style Markdown with YAML front matter): the model's id and
//! version, metrics from `model-index`, whether the card covers intended use and
//! limitations, and its text for the reports.

use std::collections::BTreeMap;

use serde_json::Value;

use super::MAX_MARKDOWN_BYTES;
use crate::markdown::strip_front_matter;
use crate::model::document::{Document, ModelCard};

pub(super) fn read(text: &str) -> Document {
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
                if let (Some(name), Some(x)) =
                    (m.get("type").and_then(Value::as_str), m.get("value").and_then(Value::as_f64))
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
    Document::ModelCard(ModelCard {
        version,
        model_id,
        metrics,
        has_intended_use: has(&["uses", "intended use", "intended purpose"]),
        has_limitations: has(&["limitation"]),
        text: (text.len() as u64 <= MAX_MARKDOWN_BYTES).then(|| strip_front_matter(text).to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use crate::model::document::Document;

    #[test]
    fn version_metrics_sections_and_text() {
        let text = "---\nmodel_version: \"4.2.1\"\nmodel-index:\n  - name: m\n    results:\n      - metrics:\n          - {type: accuracy, value: 0.95}\n---\n# Card\n## Uses\n";
        let (doc, _) = read("model_card.md", "model-card", text);
        let Some(Document::ModelCard(card)) = doc else { panic!() };
        assert_eq!(card.version.as_deref(), Some("4.2.1"));
        assert_eq!(card.metrics["accuracy"], 0.95);
        assert!(card.has_intended_use && !card.has_limitations);
        assert_eq!(card.text.as_deref(), Some("# Card\n## Uses\n"));
    }
}
