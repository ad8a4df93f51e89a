//! JSON and YAML documents parsed into a value the readers walk, with a parse error
//! turned into a finding that names the line.

use serde_json::Value;

use crate::model::finding::{Code, Finding};

/// JSON, or YAML for `.yaml`/`.yml`; a parse error becomes a finding with its line.
pub(super) fn structured(path: &str, text: &str, findings: &mut Vec<Finding>) -> Option<Value> {
    let lower = path.to_ascii_lowercase();
    let parsed: Result<Value, (String, Option<u64>)> = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        serde_yaml::from_str::<Value>(text).map_err(|e| (e.to_string(), e.location().map(|l| l.line() as u64)))
    } else {
        serde_json::from_str::<Value>(text).map_err(|e| (e.to_string(), Some(e.line() as u64)))
    };
    match parsed {
        Ok(v) => Some(v),
        Err((message, line)) => {
            let kind = if lower.ends_with(".json") { "JSON" } else { "JSON or YAML" };
            findings.push(
                Finding::at(Code::EvidenceUnparseable, path, format!("not valid {kind}: {message}")).on_line(line),
            );
            None
        }
    }
}

/// The 1-based line of `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1
}
