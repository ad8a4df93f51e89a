//! Model cards and model registry entries: Hugging Face cards (Markdown with a YAML front
//! matter whose `model-index` holds the metrics), SageMaker Model Card content, and
//! SageMaker model package descriptions.

use std::collections::BTreeMap;

use serde_json::Value;

use super::MAX_MARKDOWN_BYTES;
use super::source::{Source, has_any, has_keys, number, string, string_at, timestamp};
use crate::markdown::strip_front_matter;
use crate::model::document::{Document, ModelCard, ModelMetadata};

/// The YAML front matter of a Markdown file, parsed; null when there is none.
fn front_matter(text: &str) -> Value {
    let front = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .and_then(|rest| rest.find("\n---").map(|end| &rest[..end]));
    front.and_then(|f| serde_yaml::from_str(f).ok()).unwrap_or(Value::Null)
}

/// A Hugging Face model card: Markdown whose front matter has a `model-index`.
pub(super) fn hugging_face(source: &mut Source<'_>) -> Option<Document> {
    let front = front_matter(source.text);
    front.get("model-index")?;
    Some(card(source.text, &front))
}

/// A model card in Markdown, with or without front matter.
pub(super) fn markdown(text: &str) -> Document {
    card(text, &front_matter(text))
}

fn card(text: &str, front: &Value) -> Document {
    let version = ["model_version", "version"]
        .iter()
        .find_map(|k| front.get(*k))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    let mut metrics = BTreeMap::new();
    for entry in front.get("model-index").and_then(Value::as_array).into_iter().flatten() {
        for result in entry.get("results").and_then(Value::as_array).into_iter().flatten() {
            for m in result.get("metrics").and_then(Value::as_array).into_iter().flatten() {
                if let (Some(name), Some(x)) = (m.get("type").and_then(Value::as_str), m.get("value").and_then(number))
                {
                    metrics.insert(name.to_string(), x);
                }
            }
        }
    }
    let model_id = ["model_id", "model_name"]
        .iter()
        .find_map(|k| front.get(*k))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| front.pointer("/model-index/0/name").and_then(string));
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

/// SageMaker Model Card content: `model_overview`, `intended_uses`, `evaluation_details`, ...
pub(super) fn is_sagemaker_card(v: &Value) -> bool {
    described_card(v).is_some_and(|inner| is_sagemaker_card(&inner))
        || has_any(v, &["model_overview", "intended_uses"])
            && has_any(v, &["evaluation_details", "training_details", "additional_information", "business_details"])
}

fn non_empty(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Object(m)) => m.values().any(|x| non_empty(Some(x))),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}

/// `DescribeModelCard` output keeps the card as a JSON string under `Content`.
fn described_card(v: &Value) -> Option<Value> {
    if !has_keys(v, &["ModelCardArn", "Content"]) {
        return None;
    }
    serde_json::from_str(v.get("Content")?.as_str()?).ok()
}

pub(super) fn sagemaker_card(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if let Some(inner) = described_card(v) {
        for key in ["LastModifiedTime", "CreationTime"] {
            let time = v.get(key).and_then(|t| match t {
                Value::Number(_) => super::source::epoch(number(t)?),
                other => timestamp(&string(other)?),
            });
            if let Some(t) = time {
                source.date_from(&t.to_rfc3339(), key);
                break;
            }
        }
        return sagemaker_card(source, &inner);
    }
    let mut metrics = BTreeMap::new();
    for evaluation in v.get("evaluation_details").and_then(Value::as_array).into_iter().flatten() {
        for group in evaluation.get("metric_groups").and_then(Value::as_array).into_iter().flatten() {
            for m in group.get("metric_data").and_then(Value::as_array).into_iter().flatten() {
                if let (Some(name), Some(x)) = (m.get("name").and_then(string), m.get("value").and_then(Value::as_f64))
                {
                    metrics.insert(name, x);
                }
            }
        }
    }
    let limitations = non_empty(v.pointer("/additional_information/caveats_and_recommendations"))
        || non_empty(v.pointer("/intended_uses/factors_affecting_model_efficiency"));
    Some(Document::ModelCard(ModelCard {
        version: string_at(v, "/model_overview/model_version"),
        model_id: string_at(v, "/model_overview/model_name").or_else(|| string_at(v, "/model_overview/model_id")),
        metrics,
        has_intended_use: non_empty(v.pointer("/intended_uses/intended_uses"))
            || non_empty(v.pointer("/intended_uses/purpose_of_model")),
        has_limitations: limitations,
        text: None,
    }))
}

/// `DescribeModelPackage` output: `ModelPackageArn` with `ModelApprovalStatus` or a group.
pub(super) fn is_sagemaker_package(v: &Value) -> bool {
    has_keys(v, &["ModelPackageArn"])
        && has_any(v, &["ModelApprovalStatus", "ModelPackageGroupName", "ModelPackageStatus"])
}

pub(super) fn sagemaker_package(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let created = v.get("CreationTime").and_then(|t| match t {
        Value::Number(_) => super::source::epoch(number(t)?),
        other => timestamp(&string(other)?),
    });
    if let Some(t) = created {
        source.date_from(&t.to_rfc3339(), "CreationTime");
    }
    Some(Document::ModelMetadata(ModelMetadata {
        model_id: ["ModelPackageArn", "ModelPackageGroupName", "ModelPackageName"]
            .iter()
            .find_map(|k| v.get(*k).and_then(string)),
        version: v.get("ModelPackageVersion").and_then(string),
        created: created.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        status: v.get("ModelApprovalStatus").or_else(|| v.get("ModelPackageStatus")).and_then(string),
        ..ModelMetadata::default()
    }))
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
