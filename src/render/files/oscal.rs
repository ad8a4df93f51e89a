//! `oscal/assessment-results.json`: the assessment as NIST OSCAL assessment results
//! (OSCAL 1.2.1), for GRC tools.
//!
//! - One result, with one observation per evidence set (every file of one evidence type;
//!   method `EXAMINE`, collected at the assessment time) whose relevant evidence points at
//!   a back-matter resource for the set: its count, pattern and set digest as properties,
//!   a link to `manifest.json` (which lists the members), and, for a set small enough to
//!   list its members, a link per member carrying the member's SHA-256.
//! - One finding per requirement (headings left out), targeting the requirement as an
//!   objective, with state `satisfied` or `not-satisfied` and dossier's own status as the
//!   reason, related to the observations of the sets that count for it.
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
use crate::model::evidence::EvidenceSet;
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

    // One observation and one back-matter resource per evidence set; the members are
    // in the manifest, which the set's digest ties them to.
    let sets = &assessment.evidence_sets;
    let set_key = |s: &EvidenceSet| format!("set:{}", s.name());
    let observation_of: BTreeMap<&str, String> =
        sets.iter().filter_map(|s| Some((s.evidence_type.as_deref()?, uuid("observation", &set_key(s))))).collect();
    let observation = |s: &EvidenceSet| {
        let key = set_key(s);
        let mut o = json!({
            "uuid": uuid("observation", &key),
            "title": line(&format!("Evidence set {}", s.name())),
            "description": line(&format!(
                "{} was collected, hashed and examined by dossier ({} bytes; manifest.json lists each file).",
                s.describe(),
                s.bytes
            )),
            "methods": ["EXAMINE"],
            "relevant-evidence": [{
                "href": format!("#{}", uuid("resource", &key)),
                "description": line(&format!("{} files, SHA-256 over their SHA256SUMS lines {}", s.count, s.digest)),
                "props": [prop("set-sha256", &s.digest.to_string()), prop("artifact-count", &s.count.to_string())],
            }],
            "collected": assessed_at,
        });
        if let Some(t) = &s.evidence_type {
            o["props"] = json!([prop("evidence-type", t)]);
        }
        o
    };
    let finding = |r: &RequirementResult| {
        let status = r.status.as_str();
        let state = if r.status.is_met() { "satisfied" } else { "not-satisfied" };
        let reason = match r.status {
            Status::Satisfied => "pass",
            Status::NotApplicable | Status::NotYetApplicable | Status::Waived => status,
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
            .evidence
            .iter()
            .filter(|n| n.found > 0 && !matches!(r.status, Status::NotApplicable | Status::NotYetApplicable))
            .filter_map(|n| observation_of.get(n.evidence_type.as_str()))
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
    let resource = |s: &EvidenceSet| {
        let mut links = vec![json!({"href": "../manifest.json", "media-type": "application/json"})];
        links.extend(s.members.iter().map(|m| {
            json!({
                "href": format!("../evidence/{}", super::sarif::uri_path(&m.path)),
                "media-type": media_type(&m.path),
                "hashes": [{"algorithm": "SHA-256", "value": m.sha256.to_string()}],
            })
        }));
        let mut props = vec![
            prop("set-sha256", &s.digest.to_string()),
            prop("artifact-count", &s.count.to_string()),
            prop("pattern", &line(&s.pattern)),
        ];
        if let Some(t) = &s.evidence_type {
            props.insert(0, prop("evidence-type", t));
        }
        json!({
            "uuid": uuid("resource", &set_key(s)),
            "title": line(&format!("Evidence set {} ({} file{})", s.name(), s.count, if s.count == 1 { "" } else { "s" })),
            "props": props,
            "rlinks": links,
        })
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
                observations: (!sets.is_empty()).then_some(Streamed(|| sets.iter().map(observation))),
                findings: (!requirements.is_empty()).then_some(Streamed(|| requirements.iter().map(|r| finding(r)))),
            }],
            back_matter: BackMatter {
                resources: Streamed(|| std::iter::once(manifest_entry.clone()).chain(sets.iter().map(resource))),
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
