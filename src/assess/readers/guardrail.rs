//! Guardrail configurations: Amazon Bedrock's `get-guardrail` output (the AWS CLI's JSON,
//! the same as boto3's response), read into a [`Guardrail`]: content filter strengths
//! per category and direction, denied topics, word filters, PII rules with their actions,
//! contextual grounding and relevance thresholds, and the blocked messages.

use serde_json::Value;

use super::source::{Source, has_keys, line_of_pointer, string};
use crate::model::document::Document;
use crate::model::genai::{ContentFilter, Guardrail, PiiRule, Strength, Threshold};

/// `aws bedrock get-guardrail`: a guardrail id with its ARN or one of its policies.
pub(super) fn is_bedrock(v: &Value) -> bool {
    has_keys(v, &["guardrailId"])
        && ["guardrailArn", "contentPolicy", "topicPolicy", "sensitiveInformationPolicy", "contextualGroundingPolicy"]
            .iter()
            .any(|k| v.get(*k).is_some())
}

fn list<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    v.pointer(pointer).and_then(Value::as_array).into_iter().flatten().enumerate()
}

fn enabled(item: &Value, key: &str) -> bool {
    item.get(key).and_then(Value::as_bool).unwrap_or(true)
}

pub(super) fn bedrock(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let text = source.text;
    let mut g = Guardrail {
        engine: "bedrock".into(),
        name: v.get("name").and_then(string),
        id: v.get("guardrailId").and_then(string),
        version: v.get("version").and_then(string),
        blocked_input_message: v.get("blockedInputMessaging").and_then(string),
        blocked_output_message: v.get("blockedOutputsMessaging").and_then(string),
        ..Guardrail::default()
    };
    for (i, f) in list(v, "/contentPolicy/filters") {
        let Some(category) = f.get("type").and_then(string) else { continue };
        let strength = |key: &str| f.get(key).and_then(Value::as_str).and_then(Strength::parse).unwrap_or_default();
        g.filters.push(ContentFilter {
            category,
            input: strength("inputStrength"),
            output: strength("outputStrength"),
            input_enabled: enabled(f, "inputEnabled"),
            output_enabled: enabled(f, "outputEnabled"),
            line: line_of_pointer(text, &format!("/contentPolicy/filters/{i}")),
        });
    }
    g.denied_topics = list(v, "/topicPolicy/topics")
        .filter(|(_, t)| t.get("type").and_then(Value::as_str).is_none_or(|k| k.eq_ignore_ascii_case("DENY")))
        .filter_map(|(_, t)| t.get("name").and_then(string))
        .collect();
    g.words = list(v, "/wordPolicy/words").count() as u64;
    g.managed_word_lists =
        list(v, "/wordPolicy/managedWordLists").filter_map(|(_, w)| w.get("type").and_then(string)).collect();
    for (i, p) in list(v, "/sensitiveInformationPolicy/piiEntities") {
        let Some(entity) = p.get("type").and_then(string) else { continue };
        // `action` is the older single setting; the per-direction ones override it, and a
        // direction switched off does nothing.
        let action = |key: &str, on: &str| {
            if !enabled(p, on) {
                return "NONE".to_string();
            }
            p.get(key).or_else(|| p.get("action")).and_then(string).unwrap_or_else(|| "NONE".into())
        };
        g.pii.push(PiiRule {
            entity,
            input: action("inputAction", "inputEnabled"),
            output: action("outputAction", "outputEnabled"),
            line: line_of_pointer(text, &format!("/sensitiveInformationPolicy/piiEntities/{i}")),
        });
    }
    g.regexes = list(v, "/sensitiveInformationPolicy/regexes").count() as u64;
    for (i, f) in list(v, "/contextualGroundingPolicy/filters") {
        let (Some(kind), Some(value)) =
            (f.get("type").and_then(Value::as_str), f.get("threshold").and_then(Value::as_f64))
        else {
            continue;
        };
        if !enabled(f, "enabled") {
            continue;
        }
        let threshold =
            Some(Threshold { value, line: line_of_pointer(text, &format!("/contextualGroundingPolicy/filters/{i}")) });
        match kind.to_ascii_uppercase().as_str() {
            "GROUNDING" => g.grounding = threshold,
            "RELEVANCE" => g.relevance = threshold,
            _ => {}
        }
    }
    for key in ["updatedAt", "createdAt"] {
        if let Some(t) = v.get(key).and_then(Value::as_str) {
            source.date_from(t, key);
            break;
        }
    }
    Some(Document::Guardrail(g))
}
