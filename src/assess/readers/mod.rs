//! Readers: the bytes of an evidence file, as they are hashed, turned into a typed
//! [`Document`]. One file per format; nothing downstream sees a file's own syntax.
//!
//! [`Readers`] is what collection asks for a reader once it has classified a file from
//! its first bytes. Structured documents (JSON, YAML, XML, Markdown) are gathered whole,
//! up to [`MAX_DOCUMENT_BYTES`], and parsed when the last byte has been hashed; logs are
//! read line by line as the bytes pass, so a log of any size is read in bounded memory.
//! Reading never fails the run: a file that cannot be read as its type yields a finding
//! naming the file and line, and the rest goes on.

mod datasets;
mod decisions;
mod fairness;
mod junit;
mod log;
mod markdown_docs;
mod metrics;
mod model_card;
mod risk;
mod value;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::collect::{ContentReader, Interpret, Reading};
use crate::model::document::Document;
use crate::model::evidence::{Facts, Reason};
use crate::model::finding::{Code, Finding};

pub use datasets::normalize_sha256;

/// Files larger than this are not parsed as documents (logs stream and have no limit).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Markdown shown in the reports (a model card, datasheet sections, oversight measures)
/// is read from files up to this size.
pub const MAX_MARKDOWN_BYTES: u64 = 1024 * 1024;

/// The readers for one run: which files are read as what, and which files' bytes are
/// kept whole (the inputs of Rego policies).
#[derive(Debug, Clone, Default)]
pub struct Readers {
    keep: BTreeSet<String>,
}

impl Readers {
    /// Readers that also keep the bytes of the files at `keep` (evidence-relative paths).
    pub fn new(keep: impl IntoIterator<Item = String>) -> Self {
        Readers { keep: keep.into_iter().collect() }
    }
}

impl Interpret for Readers {
    fn reader(&self, path: &str, facts: &Facts, size: u64) -> Option<Box<dyn ContentReader>> {
        let keep = self.keep.contains(path);
        let kind = Kind::of(path, facts);
        match kind {
            Some(Kind::Log) => Some(Box::new(log::LogReader::new(path, keep))),
            Some(kind) => Some(Box::new(Whole::new(path, Some(kind), keep, size))),
            None if keep => Some(Box::new(Whole::new(path, None, true, size))),
            None => None,
        }
    }
}

/// The formats dossier reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bias,
    Junit,
    Metrics,
    ModelCard,
    ModelMetadata,
    SignOff,
    Waiver,
    RiskRegister,
    DatasetManifest,
    DataLineage,
    DataProfile,
    Datasheet,
    OversightPlan,
    Log,
    Sidecar,
}

impl Kind {
    /// What a file of this classification is read as, if anything.
    fn of(path: &str, facts: &Facts) -> Option<Kind> {
        if matches!(facts.reason, Reason::Sidecar { .. }) {
            return Some(Kind::Sidecar);
        }
        let lower = path.to_ascii_lowercase();
        let ends = |exts: &[&str]| exts.iter().any(|e| lower.ends_with(e));
        // Structured kinds are read from JSON or YAML files only: a risk register kept as
        // a spreadsheet or a sign-off as a PDF is still evidence, just not one dossier reads.
        let structured = ends(&[".json", ".yaml", ".yml"]);
        let kind = match facts.evidence_type.as_deref()? {
            "bias-report" if structured => Kind::Bias,
            "robustness-report" | "red-team-report" if ends(&[".xml"]) => Kind::Junit,
            "evaluation-metrics" if structured => Kind::Metrics,
            "model-card" if ends(&[".md"]) => Kind::ModelCard,
            "model-metadata" if structured => Kind::ModelMetadata,
            "sign-off" if structured => Kind::SignOff,
            "waiver" if structured => Kind::Waiver,
            "risk-register" if structured => Kind::RiskRegister,
            "dataset-manifest" if structured => Kind::DatasetManifest,
            "data-lineage" if structured => Kind::DataLineage,
            "data-profile" => Kind::DataProfile,
            "datasheet" if ends(&[".md"]) => Kind::Datasheet,
            "oversight-plan" if ends(&[".md"]) => Kind::OversightPlan,
            "inference-log" | "override-log" | "rag-audit-log" if ends(&[".jsonl", ".ndjson"]) => Kind::Log,
            _ => return None,
        };
        Some(kind)
    }

    /// The most bytes read for this kind; a larger file is left unread.
    fn limit(self) -> u64 {
        match self {
            Kind::DataProfile | Kind::Datasheet | Kind::OversightPlan => MAX_MARKDOWN_BYTES,
            _ => MAX_DOCUMENT_BYTES,
        }
    }

    /// Whether a file too large to read is a finding (the reports' extras are not).
    fn reports_size(self) -> bool {
        !matches!(self, Kind::DataProfile | Kind::Datasheet | Kind::OversightPlan)
    }
}

/// A document gathered whole, then parsed.
struct Whole {
    path: String,
    kind: Option<Kind>,
    keep: bool,
    bytes: Vec<u8>,
    too_large: bool,
}

impl Whole {
    fn new(path: &str, kind: Option<Kind>, keep: bool, size: u64) -> Self {
        let limit = kind.map_or(MAX_DOCUMENT_BYTES, Kind::limit);
        let too_large = size > limit && !keep;
        let capacity = if too_large { 0 } else { size.min(limit) as usize };
        Whole { path: path.to_string(), kind, keep, bytes: Vec::with_capacity(capacity), too_large }
    }
}

impl ContentReader for Whole {
    fn feed(&mut self, chunk: &[u8]) {
        if !self.too_large {
            self.bytes.extend_from_slice(chunk);
        }
    }

    fn finish(self: Box<Self>) -> Reading {
        let Whole { path, kind, keep, bytes, too_large } = *self;
        let mut reading = Reading::default();
        if let Some(kind) = kind {
            if too_large || bytes.len() as u64 > kind.limit() {
                if kind.reports_size() {
                    reading.findings.push(Finding::at(
                        Code::EvidenceUnparseable,
                        &path,
                        format!("could not read: larger than {} MiB", kind.limit() >> 20),
                    ));
                }
            } else {
                let text = String::from_utf8_lossy(&bytes);
                reading.document = parse(kind, &path, &text, &mut reading.findings).map(|d| Box::new(d.finish()));
            }
        }
        if keep {
            reading.kept = Some(bytes);
        }
        reading
    }
}

fn parse(kind: Kind, path: &str, text: &str, findings: &mut Vec<Finding>) -> Option<Document> {
    match kind {
        Kind::Bias => value::structured(path, text, findings).map(|v| fairness::read(path, text, &v, findings)),
        Kind::Metrics => value::structured(path, text, findings).map(|v| metrics::read(&v)),
        Kind::Junit => junit::read(path, text, findings).map(Document::TestResults),
        Kind::ModelCard => Some(model_card::read(text)),
        Kind::ModelMetadata => value::structured(path, text, findings).map(|v| datasets::model_metadata(&v)),
        Kind::DatasetManifest => value::structured(path, text, findings).map(|v| datasets::manifest(&v)),
        Kind::DataLineage => value::structured(path, text, findings).map(|v| datasets::lineage(&v)),
        Kind::RiskRegister => value::structured(path, text, findings).map(|v| risk::read(path, &v, findings)),
        Kind::SignOff => value::structured(path, text, findings).map(|v| decisions::sign_off(&v)),
        Kind::Waiver => value::structured(path, text, findings).map(|v| decisions::waiver(&v)),
        Kind::Sidecar => decisions::sidecar(path, text, findings),
        Kind::DataProfile => datasets::profile(text),
        Kind::Datasheet => Some(markdown_docs::datasheet(text)),
        Kind::OversightPlan => Some(markdown_docs::oversight_plan(text)),
        Kind::Log => unreachable!("logs are read as they stream"),
    }
}

/// What a JSON or YAML document of `evidence_type` says, read from its parsed value
/// (schema-1 assessments kept these documents as raw values).
pub fn from_value(evidence_type: &str, path: &str, value: &Value) -> Option<Document> {
    let mut ignored = Vec::new();
    let document = match evidence_type {
        "model-metadata" => datasets::model_metadata(value),
        "sign-off" => decisions::sign_off(value),
        "waiver" => decisions::waiver(value),
        "risk-register" => risk::read(path, value, &mut ignored),
        "dataset-manifest" => datasets::manifest(value),
        "data-lineage" => datasets::lineage(value),
        _ => return None,
    };
    Some(document.finish())
}

/// Reads one file's bytes as a document of `facts`' type, in one go (tests, `explain`).
pub fn read_bytes(readers: &Readers, path: &str, facts: &Facts, bytes: &[u8]) -> Reading {
    match readers.reader(path, facts, bytes.len() as u64) {
        Some(mut reader) => {
            reader.feed(bytes);
            reader.finish()
        }
        None => Reading::default(),
    }
}

/// A JSON value as text: strings trimmed, numbers and booleans as written, lists of
/// such values joined with `; `, an object by its `name`; nothing for null.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(map) => map.get("name").and_then(text_of).or_else(|| Some(v.to_string())),
        Value::Null => None,
    }
}

/// The text at the first of `keys` that holds a value.
fn text_at(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| v.get(*k).and_then(text_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn read(path: &str, evidence_type: &str, text: &str) -> (Option<Document>, Vec<Finding>) {
        let facts = Facts { evidence_type: Some(evidence_type.into()), ..Facts::unmatched() };
        let reading = read_bytes(&Readers::default(), path, &facts, text.as_bytes());
        (reading.document.map(|d| *d), reading.findings)
    }

    #[test]
    fn only_the_formats_dossier_reads_get_a_reader() {
        let facts = |t: &str| Facts { evidence_type: Some(t.into()), ..Facts::unmatched() };
        assert_eq!(Kind::of("risk/register.xlsx", &facts("risk-register")), None);
        assert_eq!(Kind::of("risk/register.yaml", &facts("risk-register")), Some(Kind::RiskRegister));
        assert_eq!(Kind::of("logs/a.jsonl", &facts("inference-log")), Some(Kind::Log));
        assert_eq!(Kind::of("logs/a.csv", &facts("inference-log")), None);
        let kept = Readers::new(["input.json".to_string()]);
        assert!(kept.reader("input.json", &Facts::unmatched(), 2).is_some());
        assert!(kept.reader("other.json", &Facts::unmatched(), 2).is_none());
    }

    #[test]
    fn a_document_too_large_to_read_is_a_finding_and_its_kept_bytes_are_whole() {
        let facts = Facts { evidence_type: Some("bias-report".into()), ..Facts::unmatched() };
        let reader = Readers::default().reader("b.json", &facts, MAX_DOCUMENT_BYTES + 1).unwrap();
        let reading = reader.finish();
        assert!(reading.document.is_none());
        assert!(reading.findings[0].message.contains("larger than 64 MiB"));
        let keep = Readers::new(["m.json".to_string()]);
        let mut reader = keep.reader("m.json", &Facts::unmatched(), 4).unwrap();
        reader.feed(b"{}");
        reader.feed(b"\n\n");
        assert_eq!(reader.finish().kept.as_deref(), Some(&b"{}\n\n"[..]));
    }
}
