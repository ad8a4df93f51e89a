//! Policy as code: Rego policies evaluated in-process with regorus (no OPA binary).
//!
//! Each configured policy is read and parsed when the run is planned, as Rego v1 and,
//! failing that, as the older v0 syntax, so existing OPA policies run unchanged; a policy
//! that cannot be read or parsed stops the run before any evidence is read. Its `deny`
//! rule (or the configured query) is evaluated over an input document: the named
//! evidence file, read from the bytes that were hashed, or the assessment so far (with
//! the infrastructure inventory the built-in rules read, under `inventory`). Every
//! message it produces becomes a `policy-denied` finding attached to the requirements the
//! policy names; a policy whose input is missing or whose query fails is a `policy-error`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::diag::{Error, Problem};
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding, Severity};
use crate::model::system::SystemScope;

/// A policy ready to run: parsed, with its settings.
#[derive(Clone)]
pub struct Policy {
    /// How findings name it: the file, relative to the config's directory.
    pub name: String,
    /// The parsed module.
    engine: regorus::Engine,
    /// The rule to evaluate.
    rule: String,
    /// An evidence file whose content is the input; none for the assessment document.
    pub input: Option<String>,
    /// Requirement ids its findings fail.
    pub requirements: Vec<String>,
    /// Severity of its findings.
    pub severity: Severity,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("name", &self.name).field("rule", &self.rule).finish_non_exhaustive()
    }
}

impl Policy {
    /// Reads and parses the policy at `file` (shown as `name`). A policy that cannot be
    /// read or parsed is a problem located at its file.
    pub fn load(
        file: &Path,
        name: &str,
        query: Option<&str>,
        input: Option<String>,
        requirements: Vec<String>,
        severity: Severity,
    ) -> Result<Policy, Error> {
        let invalid = |why: String| Error::invalid(Problem::in_file(file, why));
        let source = std::fs::read_to_string(file).map_err(|e| invalid(format!("cannot read this policy: {e}")))?;
        let package = package_of(&source).ok_or_else(|| invalid("no `package` declaration".into()))?;
        let engine = engine_for(name, &source)
            .map_err(|e| Error::invalid(Problem::in_file(file, e.message).at(e.at.map(|a| a.0), e.at.map(|a| a.1))))?;
        let rule = query.map_or_else(|| format!("data.{package}.deny"), str::to_string);
        Ok(Policy { name: name.to_string(), engine, rule, input, requirements, severity })
    }

    /// Runs the policy over the evidence: its input file (from `kept`, the bytes that were
    /// hashed), or the assessment document made from `system` and `artifacts`.
    pub fn run(&self, system: &SystemScope, artifacts: &[Artifact], kept: &BTreeMap<String, Vec<u8>>) -> Vec<Finding> {
        let (input, located_at) = match &self.input {
            Some(path) => {
                let value = kept.get(path).and_then(|bytes| {
                    let text = String::from_utf8_lossy(bytes);
                    serde_json::from_str::<Value>(&text).ok().or_else(|| serde_yaml::from_str(&text).ok())
                });
                match value {
                    Some(v) => (v, path.clone()),
                    None => {
                        let why = format!("its input {path:?} is not a JSON or YAML file in the evidence");
                        return self.findings(&self.name, Outcome::Broken(why));
                    }
                }
            }
            None => (assessment_input(system, artifacts), self.name.clone()),
        };
        let outcome = evaluate(self.engine.clone(), &self.rule, &input);
        self.findings(&located_at, outcome)
    }

    /// Turns an outcome into findings located at `path` (the input file or the policy).
    fn findings(&self, path: &str, outcome: Outcome) -> Vec<Finding> {
        match outcome {
            Outcome::Denied(messages) => messages
                .into_iter()
                .map(|m| {
                    let mut f = Finding::at(Code::PolicyDenied, path, format!("{m} (policy {})", self.name));
                    f.severity = self.severity;
                    f.requirements = self.requirements.clone();
                    f
                })
                .collect(),
            Outcome::Broken(why) => {
                let mut f = Finding::at(Code::PolicyError, &self.name, format!("policy could not run: {why}"));
                f.requirements = self.requirements.clone();
                vec![f]
            }
        }
    }
}

/// The input of a policy without `input`: the system, every artifact and every document.
fn assessment_input(system: &SystemScope, artifacts: &[Artifact]) -> Value {
    let listed: Vec<Value> = artifacts
        .iter()
        .map(|a| {
            json!({
                "path": a.path, "sha256": a.sha256, "size": a.size,
                "evidence_type": a.facts.evidence_type, "date": a.facts.date,
            })
        })
        .collect();
    let documents: serde_json::Map<String, Value> =
        artifacts.iter().filter_map(|a| Some((a.path.clone(), serde_json::to_value(a.document()?).ok()?))).collect();
    let inventory = super::infra::inventory(artifacts);
    json!({"system": system, "artifacts": listed, "documents": documents, "inventory": inventory})
}

/// What evaluating one policy produced: its denial messages, or why it could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The messages of the deny rule (empty when it allows everything).
    Denied(Vec<String>),
    /// The policy could not be parsed or evaluated.
    Broken(String),
}

/// The package a Rego module declares.
fn package_of(source: &str) -> Option<String> {
    source.lines().map(str::trim).find_map(|line| {
        line.strip_prefix("package ").map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string())
    })
}

/// Evaluates `rule` of a parsed policy with `input`.
fn evaluate(mut engine: regorus::Engine, rule: &str, input: &Value) -> Outcome {
    let input = match regorus::Value::from_json_str(&input.to_string()) {
        Ok(v) => v,
        Err(e) => return Outcome::Broken(format!("input is not valid JSON for Rego: {e}")),
    };
    engine.set_input(input);
    match engine.eval_rule(rule.to_string()) {
        Ok(value) => Outcome::Denied(messages(&value)),
        Err(e) => Outcome::Broken(format!("evaluating {rule}: {}", first_line(&e.to_string()))),
    }
}

/// Why a policy does not parse, and where (the position the parse that got furthest
/// stopped at).
struct NotRego {
    message: String,
    at: Option<(usize, usize)>,
}

/// Parses the policy as Rego v1, then as v0; reports both errors if neither works.
fn engine_for(name: &str, source: &str) -> Result<regorus::Engine, NotRego> {
    let mut v1 = regorus::Engine::new();
    let v1_error = match v1.add_policy(name.to_string(), source.to_string()) {
        Ok(_) => return Ok(v1),
        Err(e) => e.to_string(),
    };
    let mut v0 = regorus::Engine::new();
    v0.set_rego_v0(true);
    match v0.add_policy(name.to_string(), source.to_string()) {
        Ok(_) => Ok(v0),
        Err(v0_error) => {
            let v0_error = v0_error.to_string();
            Err(NotRego {
                message: format!("not valid Rego (as v1: {}; as v0: {})", first_line(&v1_error), first_line(&v0_error)),
                at: position(name, &v1_error).max(position(name, &v0_error)),
            })
        }
    }
}

/// The line and column a regorus error points at (`--> NAME:LINE:COLUMN`).
fn position(name: &str, error: &str) -> Option<(usize, usize)> {
    let rest = &error[error.find(&format!("--> {name}:"))? + name.len() + 5..];
    let mut numbers = rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
    Some((numbers.next()?.parse().ok()?, numbers.next()?.parse().ok()?))
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

    fn eval(name: &str, source: &str, input: &Value) -> Result<Outcome, String> {
        let package = package_of(source).ok_or("no package")?;
        Ok(evaluate(engine_for(name, source).map_err(|e| e.message)?, &format!("data.{package}.deny"), input))
    }

    #[test]
    fn the_seed_policy_in_v0_syntax_runs_unchanged() {
        assert_eq!(eval("seed.rego", SEED, &input(false, 0.85)), Ok(Outcome::Denied(vec![])));
        assert_eq!(
            eval("seed.rego", SEED, &input(true, 0.85)),
            Ok(Outcome::Denied(vec!["Training data contains raw PII. Must be redacted or tokenized.".into()]))
        );
        let Ok(Outcome::Denied(msgs)) = eval("seed.rego", SEED, &input(false, 0.7)) else { panic!() };
        assert_eq!(msgs, ["Disparate Impact Ratio 0.7 is too low (potential bias against protected group)."]);
    }

    #[test]
    fn rego_v1_policies_run_too() {
        let v1 = "package acme\nimport rego.v1\ndeny contains msg if {\n  input.n > 3\n  msg := \"too many\"\n}\n";
        assert_eq!(eval("v1.rego", v1, &serde_json::json!({"n": 5})), Ok(Outcome::Denied(vec!["too many".into()])));
        assert_eq!(eval("v1.rego", v1, &serde_json::json!({"n": 1})), Ok(Outcome::Denied(vec![])));
    }

    #[test]
    fn broken_policies_say_why() {
        let why = eval("x.rego", "package p\ndeny[ {", &Value::Null).unwrap_err();
        assert!(why.contains("not valid Rego"), "{why}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("y.rego");
        std::fs::write(&file, "deny = true").unwrap();
        let err = Policy::load(&file, "y.rego", None, None, vec![], Severity::Error).unwrap_err().to_string();
        assert!(err.ends_with("y.rego: no `package` declaration"), "{err}");
        std::fs::write(&file, "package p\ndeny[msg] {\n  msg := 1\n").unwrap();
        let err = Policy::load(&file, "y.rego", None, None, vec![], Severity::Error).unwrap_err().to_string();
        assert!(err.contains("y.rego:4:1: not valid Rego (as v1: "), "{err}");
    }
}
