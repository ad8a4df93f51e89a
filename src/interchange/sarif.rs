//! `results.sarif`: findings in SARIF 2.1.0, so code-scanning UIs annotate the evidence.
//!
//! Rules are the finding codes, with their meaning as help text. Each finding becomes a
//! result located at its evidence file (and line where known) under the `EVIDENCE` base
//! id. Findings about a requirement rather than a file are anchored at the config file
//! under the `PROJECT` base id and name the requirement as a logical location, because
//! GitHub code scanning rejects a whole upload when any result has no location.
//! Paths are percent-encoded (RFC 3986), and nothing machine-specific or time-dependent
//! is written, so the file is reproducible.

use serde_json::{Value, json};

use crate::digest::Sha256Digest;
use crate::findings::{Code, Finding, Severity};
use crate::manifest::ArtifactEntry;

/// File name in the package.
pub const SARIF_FILE: &str = "results.sarif";
const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Percent-encodes every byte outside the RFC 3986 unreserved set and `/`.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `threshold-failed` -> `ThresholdFailed`.
fn pascal(id: &str) -> String {
    id.split('-').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

fn rule(code: Code) -> Value {
    let summary = code.summary();
    json!({
        "id": code.id(),
        "name": pascal(code.id()),
        "shortDescription": {"text": summary.split_once(". ").map_or(summary, |(first, _)| first)},
        "fullDescription": {"text": summary},
        "help": {
            "text": format!("{summary} See the finding codes reference in the dossier book, and `dossier explain FILE` for how a file was read."),
            "markdown": format!("{summary}\n\nSee *Reference › Finding codes* in the dossier book, and run `dossier explain FILE` to see how a file was read."),
        },
        "defaultConfiguration": {"level": level(code.severity())},
    })
}

/// Renders `results.sarif`. `config_file` is the config's name relative to the directory
/// that holds it (the `PROJECT` base), when there is one.
pub fn render(findings: &[Finding], artifacts: &[ArtifactEntry], config_file: Option<&str>) -> String {
    let mut codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    let index_of = |c: Code| codes.binary_search(&c).unwrap_or(0);
    // Only the artifacts a result points at are listed: code-scanning tools need those,
    // and listing every file would make the log grow with the evidence, not the findings.
    let mut cited: Vec<&ArtifactEntry> = findings
        .iter()
        .filter_map(|f| f.path.as_deref())
        .filter_map(|path| artifacts.binary_search_by(|a| a.path.as_str().cmp(path)).ok())
        .map(|i| &artifacts[i])
        .collect();
    cited.sort_by(|a, b| a.path.cmp(&b.path));
    cited.dedup_by(|a, b| a.path == b.path);
    let artifact_index = |path: &str| cited.binary_search_by(|a| a.path.as_str().cmp(path)).ok();

    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.code.id(),
                "ruleIndex": index_of(f.code),
                "level": level(f.severity),
                "message": {"text": f.message},
            });
            let region = json!({"startLine": f.line.unwrap_or(1).max(1)});
            let location = match (&f.path, config_file) {
                (Some(path), _) => {
                    let mut artifact = json!({"uri": uri_path(path), "uriBaseId": "EVIDENCE"});
                    if let Some(i) = artifact_index(path) {
                        artifact["index"] = json!(i);
                    }
                    Some(json!({"physicalLocation": {"artifactLocation": artifact, "region": region}}))
                }
                (None, Some(config)) => Some(json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_path(config), "uriBaseId": "PROJECT"},
                        "region": {"startLine": 1},
                    }
                })),
                (None, None) => None,
            };
            if let Some(mut location) = location {
                if !f.requirements.is_empty() {
                    location["logicalLocations"] = f
                        .requirements
                        .iter()
                        .map(|r| json!({"fullyQualifiedName": r, "kind": "requirement"}))
                        .collect();
                }
                result["locations"] = json!([location]);
            }
            // A fingerprint from what identifies the finding, not from numbers that change.
            let key = format!("{}|{}|{}", f.code.id(), f.path.as_deref().unwrap_or(""), f.requirements.join(","));
            let key = if f.path.is_none() && f.requirements.is_empty() { format!("{key}|{}", f.message) } else { key };
            result["partialFingerprints"] =
                json!({"dossierFinding/v1": Sha256Digest::of(key.as_bytes()).to_string()[..16]});
            if !f.requirements.is_empty() {
                result["properties"] = json!({"requirements": f.requirements});
            }
            result
        })
        .collect();

    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dossier",
                "fullName": "dossier AI compliance audit packager",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/dossier",
                "rules": codes.iter().map(|c| rule(*c)).collect::<Vec<_>>(),
            }},
            "automationDetails": {"id": "dossier/"},
            "originalUriBaseIds": {
                "PROJECT": {"description": {"text": "The directory that holds dossier.yaml."}},
                "EVIDENCE": {"description": {"text": "The evidence root the package was built from."}},
            },
            "artifacts": cited.iter().map(|a| json!({
                "location": {"uri": uri_path(&a.path), "uriBaseId": "EVIDENCE"},
                "length": a.size,
                "hashes": {"sha-256": a.sha256.to_string()},
            })).collect::<Vec<_>>(),
            "invocations": [{"executionSuccessful": true}],
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).expect("SARIF serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(uri_path("a b/c#d%é.json"), "a%20b/c%23d%25%C3%A9.json");
        assert_eq!(uri_path("fairness/bias_analysis.json"), "fairness/bias_analysis.json");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal("threshold-failed"), "ThresholdFailed");
    }
}
