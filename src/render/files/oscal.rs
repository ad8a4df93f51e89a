//! `oscal/assessment-results.json`: the assessment as NIST OSCAL assessment results
//! (OSCAL 1.2.1), for GRC tools.
//!
//! - One result, with one observation per evidence artifact (method `EXAMINE`, collected at
//!   the assessment time) whose relevant evidence points at a back-matter resource
//!   carrying the artifact's SHA-256, the one place OSCAL has for a hash.
//! - One finding per requirement (headings left out), targeting the requirement as an
//!   objective, with state `satisfied` or `not-satisfied` and dossier's own status as the
//!   reason, related to the observations of the artifacts that count for it.
//! - OSCAL ids are tokens (no `/`), so `eu-ai-act/art-10/2/f` becomes
//!   `eu-ai-act_art-10_2_f`; the original id is kept in a `requirement-id` property.
//! - UUIDs are version 5, derived from the system, version, assessment time and the
//!   subject, so identical runs give identical files. The package digest cannot be used:
//!   this file is inside it.
//! - `import-ap` is required, and dossier has no assessment plan: it points at a resource
//!   for the package's `manifest.json`, which plays that part.

use std::collections::{BTreeMap, BTreeSet};

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Streamed;
use crate::diag::{Error, Result};
use crate::model::assessment::Assessment;
use crate::model::evidence::Artifact;
use crate::model::matrix::{RequirementResult, Status};
use crate::render::{Output, Phase, RenderContext};

/// Path in the package.
pub const OSCAL_FILE: &str = "oscal/assessment-results.json";
/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.2.1";
/// Namespace of dossier's own OSCAL properties.
pub const NS: &str = "urn:dossier:oscal";
/// UUID namespace for the version-5 UUIDs: uuid5(URL, "urn:dossier:oscal").
const UUID_NS: Uuid = Uuid::from_u128(0xb770daf0_e57b_5972_961f_495730d6cff8);

/// An OSCAL token for a requirement id: characters outside `[A-Za-z0-9._-]` become `_`,
/// and a leading character that is not a letter or `_` gets a `_` before it.
pub fn token(id: &str) -> String {
    let mut out: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// One line, no leading or trailing whitespace, no control characters (OSCAL strings).
fn line(text: &str) -> String {
    let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() { "-".into() } else { trimmed.to_string() }
}

fn media_type(path: &str) -> &'static str {
    match path.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("json") => "application/json",
        Some("jsonl") => "application/jsonl",
        Some("yaml" | "yml") => "application/yaml",
        Some("xml") => "application/xml",
        Some("md") => "text/markdown",
        Some("csv") => "text/csv",
        Some("pdf") => "application/pdf",
        Some("html" | "htm") => "text/html",
        Some("txt" | "rego") => "text/plain",
        _ => "application/octet-stream",
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": line(value)})
}

/// Writes the OSCAL assessment results for the matrix to `out`, pretty-printed, with a
/// final newline. Observations, findings and resources are made one at a time as they are
/// written, so memory does not grow with the number of artifacts.
/// `oscal/assessment-results.json`.
pub struct Oscal;

impl Output for Oscal {
    fn file(&self) -> &'static str {
        OSCAL_FILE
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let mut out = io::BufWriter::with_capacity(256 * 1024, out);
        write(cx.assessment()?, &mut out).and_then(|()| out.flush()).map_err(|e| Error::io("write", OSCAL_FILE, e))
    }
}

fn write(assessment: &Assessment, out: &mut dyn Write) -> io::Result<()> {
    let assessed_at = assessment.assessed_at.as_str();
    let system = &assessment.scope;
    let seed = format!("{}\n{}\n{assessed_at}", system.name, system.version.as_deref().unwrap_or(""));
    let uuid =
        |kind: &str, subject: &str| Uuid::new_v5(&UUID_NS, format!("{kind}\n{seed}\n{subject}").as_bytes()).to_string();

    // Requirement tokens, made unique if two ids map to the same token.
    let mut tokens: BTreeMap<&str, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let requirements: Vec<_> =
        assessment.frameworks.iter().flat_map(|f| f.requirements.iter().filter(|r| !r.heading)).collect();
    for r in &requirements {
        let mut t = token(&r.id);
        if taken.contains(&t) {
            t = format!("{t}-{}", &crate::digest::Sha256Digest::of(r.id.as_bytes()).to_string()[..8]);
        }
        taken.insert(t.clone());
        tokens.insert(&r.id, t);
    }

    let artifacts = &assessment.artifacts;
    let observation_of: BTreeMap<&str, String> =
        artifacts.iter().map(|a| (a.path.as_str(), uuid("observation", &a.path))).collect();
    let observation = |a: &Artifact| {
        let t = a.facts.evidence_type.as_deref();
        let mut o = json!({
            "uuid": observation_of[a.path.as_str()],
            "title": line(&format!("Evidence artifact {}", a.path)),
            "description": format!("Evidence artifact {} ({}) was collected and examined by dossier.", line(&a.path), t.unwrap_or("unclassified")),
            "methods": ["EXAMINE"],
            "relevant-evidence": [{
                "href": format!("#{}", uuid("resource", &a.path)),
                "description": line(&format!("{} (SHA-256 {})", a.path, a.sha256)),
                "props": [prop("sha256", &a.sha256.to_string())],
            }],
            "collected": assessed_at,
        });
        if let Some(t) = t {
            o["props"] = json!([prop("evidence-type", t)]);
        }
        o
    };
    let finding = |r: &RequirementResult| {
        let status = r.status.as_str();
        let state = if r.status.is_met() { "satisfied" } else { "not-satisfied" };
        let reason = match r.status {
            Status::Satisfied => "pass",
            Status::NotApplicable | Status::Waived => status,
            _ => "fail",
        };
        let mut f = json!({
            "uuid": uuid("finding", &r.id),
            "title": line(&format!("{} {}", r.reference, r.title)),
            "description": format!("Requirement {} is {status}: {}", r.id, line(&r.summary)),
            "props": [prop("requirement-id", &r.id), prop("status", status)],
            "target": {
                "type": "objective-id",
                "target-id": tokens[r.id.as_str()],
                "status": {"state": state, "reason": reason},
            },
        });
        let related: Vec<Value> = r
            .artifacts
            .iter()
            .filter_map(|a| observation_of.get(a.path.as_str()))
            .map(|u| json!({"observation-uuid": u}))
            .collect();
        if !related.is_empty() {
            f["related-observations"] = Value::Array(related);
        }
        if !r.failed_by.is_empty() {
            f["remarks"] = json!(r.failed_by.join("\n"));
        }
        f
    };

    let manifest_resource = uuid("resource", "manifest.json");
    let manifest_entry = json!({
        "uuid": manifest_resource,
        "title": "dossier package manifest (stands in for the assessment plan)",
        "rlinks": [{"href": "../manifest.json", "media-type": "application/json"}],
    });
    let resource = |a: &Artifact| {
        let mut r = json!({
            "uuid": uuid("resource", &a.path),
            "title": line(&a.path),
            "rlinks": [{
                "href": format!("../evidence/{}", super::sarif::uri_path(&a.path)),
                "media-type": media_type(&a.path),
                "hashes": [{"algorithm": "SHA-256", "value": a.sha256.to_string()}],
            }],
        });
        if let Some(t) = &a.facts.evidence_type {
            r["props"] = json!([prop("evidence-type", t)]);
        }
        r
    };

    let selections = if tokens.is_empty() {
        json!([{"include-all": {}}])
    } else {
        json!([{"include-controls": tokens.values().map(|t| json!({"control-id": t})).collect::<Vec<_>>()}])
    };
    let version = system.version.as_deref().map_or_else(|| "unversioned".to_string(), line);
    let head = json!({
        "uuid": uuid("result", ""),
        "title": line(&format!("dossier assessment of {} {}", system.name, version)),
        "description": format!(
            "Evidence collected and hashed by dossier {} and assessed against: {}.",
            env!("CARGO_PKG_VERSION"),
            assessment.frameworks.iter().map(|f| format!("{} ({})", f.title, f.version)).collect::<Vec<_>>().join(", ")
        ),
        "start": assessed_at,
        "end": assessed_at,
        "reviewed-controls": {"control-selections": selections},
    });

    /// One result: the fixed fields, then the long lists (left out when empty, as OSCAL
    /// requires at least one item in an array).
    #[derive(Serialize)]
    struct OneResult<O, F> {
        #[serde(flatten)]
        head: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        observations: Option<O>,
        #[serde(skip_serializing_if = "Option::is_none")]
        findings: Option<F>,
    }
    #[derive(Serialize)]
    struct BackMatter<R> {
        resources: R,
    }
    #[derive(Serialize)]
    struct Results<O, F, R> {
        uuid: String,
        metadata: Value,
        #[serde(rename = "import-ap")]
        import_ap: Value,
        results: [OneResult<O, F>; 1],
        #[serde(rename = "back-matter")]
        back_matter: BackMatter<R>,
    }
    #[derive(Serialize)]
    struct Document<O, F, R> {
        #[serde(rename = "assessment-results")]
        assessment_results: Results<O, F, R>,
    }

    let document = Document {
        assessment_results: Results {
            uuid: uuid("assessment-results", ""),
            metadata: json!({
                "title": line(&format!("dossier assessment results: {} {}", system.name, version)),
                "last-modified": assessed_at,
                "version": version,
                "oscal-version": OSCAL_VERSION,
                "props": [prop("tool", &format!("dossier {}", env!("CARGO_PKG_VERSION")))],
            }),
            import_ap: json!({"href": format!("#{manifest_resource}")}),
            results: [OneResult {
                head,
                observations: (!artifacts.is_empty()).then_some(Streamed(|| artifacts.iter().map(observation))),
                findings: (!requirements.is_empty()).then_some(Streamed(|| requirements.iter().map(|r| finding(r)))),
            }],
            back_matter: BackMatter {
                resources: Streamed(|| std::iter::once(manifest_entry.clone()).chain(artifacts.iter().map(resource))),
            },
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_ids_become_oscal_tokens() {
        assert_eq!(token("eu-ai-act/art-10/2/f"), "eu-ai-act_art-10_2_f");
        assert_eq!(token("nist-ai-rmf/GOVERN-1.1"), "nist-ai-rmf_GOVERN-1.1");
        assert_eq!(token("9.1 x"), "_9.1_x");
    }

    #[test]
    fn the_uuid_namespace_is_the_documented_one() {
        assert_eq!(UUID_NS, Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:dossier:oscal"));
        let id = Uuid::new_v5(&UUID_NS, b"x").to_string();
        assert_eq!(id.as_bytes()[14], b'5');
    }
}
