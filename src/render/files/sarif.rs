//! `results.sarif`: findings in SARIF 2.1.0, so code-scanning UIs annotate the evidence.
//!
//! Rules are the finding codes, with their meaning as help text. Each finding becomes a
//! result located at its evidence file (and line where known) under the `EVIDENCE` base
//! id. Findings about a requirement rather than a file are anchored at the config file
//! under the `PROJECT` base id and name the requirement as a logical location, because
//! GitHub code scanning rejects a whole upload when any result has no location. With
//! `evidence.repository_root` set, both are located from the repository root instead
//! (`%SRCROOT%`), which is how code scanning matches results to files.
//! Paths are percent-encoded (RFC 3986), and nothing machine-specific or time-dependent
//! is written, so the file is reproducible.

use serde_json::{Value, json};

use std::io::Write;

use crate::diag::{Error, Result};
use crate::digest::Sha256Digest;
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding, Severity};
use crate::render::{Output, Phase, RenderContext};

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

/// Base id of paths relative to the evidence root.
const EVIDENCE_BASE: &str = "EVIDENCE";
/// Base id of paths relative to the directory that holds the config file.
const PROJECT_BASE: &str = "PROJECT";
/// Base id of paths relative to the repository root (the name GitHub's examples use).
const REPOSITORY_BASE: &str = "%SRCROOT%";

/// Where the locations in `results.sarif` are anchored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchors {
    /// Base id for evidence files, and the path that goes before each evidence path.
    evidence: (&'static str, String),
    /// Base id and path of the config file, when there is one.
    config: Option<(&'static str, String)>,
}

impl Anchors {
    /// Evidence paths under `EVIDENCE`, the config file (its name, `config_file`) under
    /// `PROJECT`.
    pub fn separate(config_file: Option<&str>) -> Self {
        Anchors { evidence: (EVIDENCE_BASE, String::new()), config: config_file.map(|f| (PROJECT_BASE, f.to_owned())) }
    }

    /// Everything under the repository root: the evidence root is at `evidence_dir` in the
    /// repository (`""` for the root itself), and the config file is at `config_file`
    /// when it is in the repository too, or else `config_name` under `PROJECT`.
    pub fn repository(evidence_dir: &str, config_file: Option<&str>, config_name: Option<&str>) -> Self {
        let evidence = if evidence_dir.is_empty() { String::new() } else { format!("{evidence_dir}/") };
        let config = match (config_file, config_name) {
            (Some(file), _) => Some((REPOSITORY_BASE, file.to_owned())),
            (None, Some(name)) => Some((PROJECT_BASE, name.to_owned())),
            (None, None) => None,
        };
        Anchors { evidence: (REPOSITORY_BASE, evidence), config }
    }

    fn evidence_location(&self, path: &str) -> Value {
        json!({"uri": uri_path(&format!("{}{path}", self.evidence.1)), "uriBaseId": self.evidence.0})
    }

    /// The base ids in use, each with what it stands for.
    fn bases(&self) -> Value {
        let mut bases = serde_json::Map::new();
        for base in std::iter::once(self.evidence.0).chain(self.config.as_ref().map(|c| c.0)) {
            let text = match base {
                EVIDENCE_BASE => "The evidence root the package was built from.",
                PROJECT_BASE => "The directory that holds dossier.yaml.",
                _ => "The root of the repository that holds the evidence (evidence.repository_root).",
            };
            bases.insert(base.to_owned(), json!({"description": {"text": text}}));
        }
        Value::Object(bases)
    }
}

/// `results.sarif`.
pub struct Sarif;

impl Output for Sarif {
    fn file(&self) -> &'static str {
        SARIF_FILE
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let a = cx.assessment()?;
        out.write_all(render(&a.findings, &a.artifacts, cx.anchors).as_bytes())
            .map_err(|e| Error::io("write", SARIF_FILE, e))
    }
}

/// Renders `results.sarif`, with locations anchored as `anchors` says.
fn render(findings: &[Finding], artifacts: &[Artifact], anchors: &Anchors) -> String {
    // A build only emits codes it knows; a finding read back from a later version's
    // package has no rule here and is left without a rule index.
    let mut codes: Vec<Code> = findings.iter().filter_map(|f| f.code.known()).collect();
    codes.sort();
    codes.dedup();
    let index_of = |c: Option<Code>| c.and_then(|c| codes.binary_search(&c).ok());
    // Only the artifacts a result points at are listed: code-scanning tools need those,
    // and listing every file would make the log grow with the evidence, not the findings.
    let mut cited: Vec<&Artifact> = findings
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
                "ruleIndex": index_of(f.code.known()),
                "level": level(f.severity),
                "message": {"text": f.message},
            });
            let region = json!({"startLine": f.line.unwrap_or(1).max(1)});
            let location = match (&f.path, &anchors.config) {
                (Some(path), _) => {
                    let mut artifact = anchors.evidence_location(path);
                    if let Some(i) = artifact_index(path) {
                        artifact["index"] = json!(i);
                    }
                    Some(json!({"physicalLocation": {"artifactLocation": artifact, "region": region}}))
                }
                (None, Some((base, config))) => Some(json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_path(config), "uriBaseId": base},
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
            "originalUriBaseIds": anchors.bases(),
            "artifacts": cited.iter().map(|a| json!({
                "location": anchors.evidence_location(&a.path),
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
    fn anchors_place_evidence_and_config_under_their_bases() {
        let separate = Anchors::separate(Some("dossier.yaml"));
        assert_eq!(separate.evidence_location("a b.json"), json!({"uri": "a%20b.json", "uriBaseId": "EVIDENCE"}));
        assert_eq!(separate.bases().as_object().unwrap().len(), 2);

        let nested = Anchors::repository("compliance/evidence", Some("dossier.yaml"), Some("dossier.yaml"));
        assert_eq!(
            nested.evidence_location("fairness/bias.json"),
            json!({"uri": "compliance/evidence/fairness/bias.json", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(nested.config, Some(("%SRCROOT%", "dossier.yaml".to_owned())));
        assert_eq!(nested.bases().as_object().unwrap().keys().collect::<Vec<_>>(), ["%SRCROOT%"]);

        let at_root = Anchors::repository("", None, Some("outside.yaml"));
        assert_eq!(at_root.evidence_location("x.json")["uri"], "x.json");
        assert_eq!(at_root.config, Some(("PROJECT", "outside.yaml".to_owned())));
        assert_eq!(at_root.bases().as_object().unwrap().len(), 2);
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal("threshold-failed"), "ThresholdFailed");
    }
}
