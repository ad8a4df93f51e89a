//! Guardrail configurations, read into a [`Guardrail`]:
//! - Amazon Bedrock's `get-guardrail` output (the AWS CLI's JSON, the same as boto3's
//!   response): content filter strengths per category and direction, denied topics, word
//!   filters, PII rules with their actions, contextual grounding and relevance thresholds,
//!   and the blocked messages;
//! - a NeMo Guardrails `config.yml`: the rails it runs on input, output and retrieval,
//!   each known flow given its kind (moderation, jailbreak detection, PII masking or
//!   blocking, fact checking), and the PII entities each stage looks for.

use serde_json::Value;

use super::source::{Source, has_keys, line_of_pointer, string};
use crate::model::document::Document;
use crate::model::genai::{ContentFilter, Guardrail, PiiRule, Rail, RailKind, Strength, Threshold};

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

/// A NeMo Guardrails `config.yml`: the rails it runs on input, output and retrieval.
pub(super) fn is_nemo(v: &Value) -> bool {
    let rails = v.get("rails");
    rails.is_some_and(|r| ["input", "output", "retrieval", "dialog", "config"].iter().any(|k| r.get(*k).is_some()))
        && (v.get("models").is_some() || v.get("prompts").is_some() || v.get("instructions").is_some())
}

pub(super) fn nemo(_: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut g = Guardrail { engine: "nemo".into(), ..Guardrail::default() };
    for stage in ["input", "output", "retrieval"] {
        for flow in v.pointer(&format!("/rails/{stage}/flows")).and_then(Value::as_array).into_iter().flatten() {
            let Some(flow) = flow.as_str() else { continue };
            g.rails.push(Rail { stage: stage.into(), flow: flow.to_string(), kind: RailKind::of_flow(flow) });
        }
    }
    // Personal data: the entities each stage's sensitive-data rail looks for, masked
    // (anonymised) or detected (blocked) as the stage's flows say.
    let entities = |stage: &str| -> Vec<String> {
        v.pointer(&format!("/rails/config/sensitive_data_detection/{stage}/entities"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect()
    };
    let action = |stage: &str, entity: &str| {
        if !entities(stage).iter().any(|e| e == entity) {
            "NONE"
        } else if g.has_rail(stage, RailKind::BlockPii) {
            "BLOCK"
        } else if g.has_rail(stage, RailKind::MaskPii) {
            "ANONYMIZE"
        } else {
            "NONE"
        }
    };
    let mut all: Vec<String> = entities("input");
    all.extend(entities("output"));
    all.sort();
    all.dedup();
    g.pii = all
        .iter()
        .map(|e| PiiRule {
            entity: e.clone(),
            input: action("input", e).into(),
            output: action("output", e).into(),
            line: None,
        })
        .collect();
    Some(Document::Guardrail(g))
}
