//! Policy as code: Rego policies evaluated in-process with regorus (no OPA binary).
//!
//! Each configured policy is parsed as Rego v1 and, failing that, as the older v0 syntax,
//! so existing OPA policies run unchanged. Its `deny` rule (or the configured query) is
//! evaluated over an input document, and every message it produces becomes a
//! `policy-denied` finding attached to the requirements the policy names.

use std::path::Path;

use serde_json::Value;

use crate::config::PolicyConfig;
use crate::findings::{Code, Finding, Severity};

/// What evaluating one policy produced: its denial messages, or why it could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The messages of the deny rule (empty when it allows everything).
    Denied(Vec<String>),
    /// The policy could not be parsed or evaluated.
    Broken(String),
}

/// The package a Rego module declares.
pub fn package_of(source: &str) -> Option<String> {
    source.lines().map(str::trim).find_map(|line| {
        line.strip_prefix("package ").map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string())
    })
}

/// Evaluates `source` (from `name`) with `input`, querying `query` or `data.<package>.deny`.
pub fn evaluate(name: &str, source: &str, query: Option<&str>, input: &Value) -> Outcome {
    let Some(package) = package_of(source) else {
        return Outcome::Broken("no `package` declaration".into());
    };
    let rule = query.map_or_else(|| format!("data.{package}.deny"), str::to_string);
    let engine = match engine_for(name, source) {
        Ok(engine) => engine,
        Err(e) => return Outcome::Broken(e),
    };
    let mut engine = engine;
    let input = match regorus::Value::from_json_str(&input.to_string()) {
        Ok(v) => v,
        Err(e) => return Outcome::Broken(format!("input is not valid JSON for Rego: {e}")),
    };
    engine.set_input(input);
    match engine.eval_rule(rule.clone()) {
        Ok(value) => Outcome::Denied(messages(&value)),
        Err(e) => Outcome::Broken(format!("evaluating {rule}: {}", first_line(&e.to_string()))),
    }
}

/// Parses the policy as Rego v1, then as v0; reports both errors if neither works.
fn engine_for(name: &str, source: &str) -> Result<regorus::Engine, String> {
    let mut v1 = regorus::Engine::new();
    let v1_error = match v1.add_policy(name.to_string(), source.to_string()) {
        Ok(_) => return Ok(v1),
        Err(e) => e.to_string(),
    };
    let mut v0 = regorus::Engine::new();
    v0.set_rego_v0(true);
    match v0.add_policy(name.to_string(), source.to_string()) {
        Ok(_) => Ok(v0),
        Err(v0_error) => Err(format!(
            "not valid Rego (as v1: {}; as v0: {})",
            first_line(&v1_error),
            first_line(&v0_error.to_string())
        )),
    }
}

/// The gist of a regorus error: its non-empty lines, except source excerpts, joined.
fn first_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^' || c == ' ' || c == '|'))
        .take(3)
        .collect();
    if lines.is_empty() { text.trim().to_string() } else { lines.join(" ") }
}

/// The messages in a deny result: a set or array of strings (others as JSON), `true` as
/// one generic denial, and undefined, `false` or empty as none.
fn messages(value: &regorus::Value) -> Vec<String> {
    let json: Value = value.to_json_str().ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    let mut out: Vec<String> = match json {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Value::Bool(true) => vec!["the policy denied the input".into()],
        Value::String(s) => vec![s],
        Value::Object(map) if !map.is_empty() => vec![Value::Object(map).to_string()],
        _ => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

/// Turns a policy outcome into findings located at `path` (the input file or the policy).
pub fn findings(policy: &PolicyConfig, policy_name: &str, path: &str, outcome: Outcome) -> Vec<Finding> {
    match outcome {
        Outcome::Denied(messages) => messages
            .into_iter()
            .map(|m| {
                let mut f = Finding::at(Code::PolicyDenied, path, format!("{m} (policy {policy_name})"));
                f.severity = policy.severity.unwrap_or(Severity::Error);
                f.requirements = policy.requirements.clone();
                f
            })
            .collect(),
        Outcome::Broken(why) => {
            let mut f = Finding::at(Code::PolicyError, policy_name, format!("policy could not run: {why}"));
            f.requirements = policy.requirements.clone();
            vec![f]
        }
    }
}

/// A display name for a policy file: relative to `base` when inside it.
pub fn display_name(file: &Path, base: &Path) -> String {
    file.strip_prefix(base).unwrap_or(file).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"package mlops.compliance
default allow = false
allow {
	input.risk_category == "Minimal"
}
deny[msg] {
	input.risk_category == "High"
	input.training_data.contains_pii == true
	msg := "Training data contains raw PII. Must be redacted or tokenized."
}
deny[msg] {
	input.risk_category == "High"
	input.performance.disparate_impact_ratio < 0.8
	msg := sprintf("Disparate Impact Ratio %v is too low (potential bias against protected group).", [input.performance.disparate_impact_ratio])
}
"#;

    fn input(pii: bool, dir: f64) -> Value {
        serde_json::json!({"risk_category": "High", "training_data": {"contains_pii": pii}, "performance": {"disparate_impact_ratio": dir}})
    }

    #[test]
    fn the_seed_policy_in_v0_syntax_runs_unchanged() {
        assert_eq!(evaluate("seed.rego", SEED, None, &input(false, 0.85)), Outcome::Denied(vec![]));
        assert_eq!(
            evaluate("seed.rego", SEED, None, &input(true, 0.85)),
            Outcome::Denied(vec!["Training data contains raw PII. Must be redacted or tokenized.".into()])
        );
        let Outcome::Denied(msgs) = evaluate("seed.rego", SEED, None, &input(false, 0.7)) else { panic!() };
        assert_eq!(msgs, ["Disparate Impact Ratio 0.7 is too low (potential bias against protected group)."]);
    }

    #[test]
    fn rego_v1_policies_run_too() {
        let v1 = "package acme\nimport rego.v1\ndeny contains msg if {\n  input.n > 3\n  msg := \"too many\"\n}\n";
        assert_eq!(
            evaluate("v1.rego", v1, None, &serde_json::json!({"n": 5})),
            Outcome::Denied(vec!["too many".into()])
        );
        assert_eq!(evaluate("v1.rego", v1, None, &serde_json::json!({"n": 1})), Outcome::Denied(vec![]));
    }

    #[test]
    fn broken_policies_say_why() {
        let Outcome::Broken(why) = evaluate("x.rego", "package p\ndeny[ {", None, &Value::Null) else { panic!() };
        assert!(why.contains("not valid Rego"), "{why}");
        assert!(matches!(evaluate("y.rego", "deny = true", None, &Value::Null), Outcome::Broken(_)));
    }
}
