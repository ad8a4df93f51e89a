//! Readers: the bytes of an evidence file, as they are hashed, turned into a typed
//! [`Document`]. Nothing downstream sees a file's own syntax or the tool that wrote it.
//!
//! A file is read by the first of these that understands it:
//! 1. a format the user described in `dossier.yaml` (`readers:`, see [`custom`]);
//! 2. a format some tool writes, recognised by its content (keys, root element, the
//!    first record), whatever the file is called: the table in [`formats`];
//! 3. dossier's own reader for the file's evidence type (the shapes of the bundled
//!    samples: risk registers, sign-offs, waivers, dataset manifests, ...).
//!
//! A file its type says should be read but that none of them understands gets a note
//! saying so, never an error about fields it was never going to have.
//!
//! [`Readers`] is what collection asks for a reader once it has classified a file from
//! its first bytes. Structured documents (JSON, YAML, XML, Markdown) are gathered whole,
//! up to [`MAX_DOCUMENT_BYTES`], and parsed when the last byte has been hashed; logs are
//! read record by record as the bytes pass, so a log of any size is read in bounded
//! memory. Reading never fails the run: a file that cannot be read yields a finding
//! naming the file and line, and the rest goes on.

mod aws;
mod bom;
pub mod content_credentials;
pub mod custom;
mod data_quality;
mod datasets;
mod decisions;
mod dvc;
mod fairness;
pub mod formats;
mod guardrail;
mod junit;
mod llm_tests;
mod log;
mod markdown_docs;
mod metrics;
mod mlflow;
mod model_card;
mod parquet_log;
mod risk;
mod source;
mod terraform;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

use crate::collect::inspect::{ContentDate, Inspection};
use crate::collect::{ContentReader, Interpret, Reading};
use crate::model::document::Document;
use crate::model::evidence::{Facts, Reason};
use crate::model::finding::{Code, Finding};
use custom::CustomFormat;
use formats::{Format, Syntax};
use source::Source;

pub use datasets::normalize_sha256;
pub use dvc::{DVC_LOCK, is_dvc_record};

/// The evidence type of sampled generated outputs, whose content credentials are checked.
pub const GENERATED_OUTPUT: &str = "generated-output-sample";

/// Files larger than this are not parsed as documents (logs stream and have no limit).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Markdown shown in the reports (a model card, datasheet sections, oversight measures)
/// is read from files up to this size.
pub const MAX_MARKDOWN_BYTES: u64 = 1024 * 1024;

/// The record-keeping fields of logs, each with the key names a plain JSON Lines or
/// Parquet log may use for it (`checks.log_fields` and `checks.rag_fields`). Formats
/// that tools write name their fields themselves.
pub type FieldNames = BTreeMap<String, Vec<String>>;

/// The readers for one run: the formats the user described, the log field names, and
/// which files' bytes are kept whole (the inputs of Rego policies).
#[derive(Debug, Clone, Default)]
pub struct Readers {
    keep: BTreeSet<String>,
    fields: Arc<FieldNames>,
    field_index: Arc<log::FieldIndex>,
    custom: Arc<Vec<CustomFormat>>,
    /// The PEM certificates C2PA signers are checked against (`content_marking.trust_anchors`).
    trust: Arc<Option<String>>,
}

impl Readers {
    /// Readers that also keep the bytes of the files at `keep` (evidence-relative paths).
    pub fn new(keep: impl IntoIterator<Item = String>) -> Self {
        Readers { keep: keep.into_iter().collect(), ..Readers::default() }
    }

    /// The record-keeping field names plain logs are read with.
    pub fn with_fields(mut self, fields: FieldNames) -> Self {
        self.field_index = Arc::new(log::FieldIndex::new(&fields));
        self.fields = Arc::new(fields);
        self
    }

    /// The trust anchors (PEM certificates, concatenated) content credentials are
    /// checked against.
    pub fn with_trust(mut self, pem: Option<String>) -> Self {
        self.trust = Arc::new(pem);
        self
    }

    /// The trust anchors content credentials are checked against, when there are any.
    pub fn trust(&self) -> Option<&str> {
        self.trust.as_deref()
    }

    /// The formats described in `dossier.yaml`, tried before the built-in ones.
    pub fn with_custom(mut self, custom: Vec<CustomFormat>) -> Self {
        self.custom = Arc::new(custom);
        self
    }
}

impl Interpret for Readers {
    fn reads_first(&self, path: &str) -> bool {
        dvc::is_dvc_record(path)
    }

    fn reader(
        &self,
        path: &str,
        facts: &Facts,
        head: Option<&Inspection>,
        size: u64,
    ) -> Option<Box<dyn ContentReader>> {
        let keep = self.keep.contains(path);
        if facts.evidence_type.as_deref() == Some(GENERATED_OUTPUT)
            && let Some(media_type) = content_credentials::media_type(path)
        {
            return Some(Box::new(content_credentials::CredentialsReader::new(media_type, self.trust.clone(), size)));
        }
        let native = Native::of(path, facts);
        let syntax = Syntax::of(path, head).or(native.and_then(Native::syntax));
        match syntax {
            Some(Syntax::Lines) => Some(Box::new(log::LineReader::new(self, path, native.is_some(), keep))),
            Some(Syntax::Parquet) => Some(Box::new(parquet_log::ParquetReader::new(self, path, keep))),
            Some(syntax) if native.is_some() || keep || syntax.may_hold_a_format(head) => {
                Some(Box::new(Whole::new(self, path, syntax, native, keep, size)))
            }
            _ if keep => Some(Box::new(Whole::new(self, path, Syntax::Json, native, keep, size))),
            _ => None,
        }
    }
}

/// Whether a path lies in the layout the infrastructure export script writes.
fn in_export_layout(lower_path: &str) -> bool {
    lower_path.split('/').rev().skip(1).any(|dir| dir == "aws" || dir == "terraform")
}

/// dossier's own readers, chosen by the file's evidence type when no tool's format is
/// recognised in it: the shapes of the bundled samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Native {
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
    Infrastructure,
}

/// Who wrote a file read by the reader `id`: the tool of a format in the table, "dossier's
/// own shape" for dossier's readers, none for an id this run does not know (a format
/// described under `readers:`).
pub fn reader_origin(id: &str) -> Option<&'static str> {
    let native = || {
        Native::ALL.iter().find(|n| n.id() == id).map(|n| match n {
            Native::DataProfile => "ydata-profiling",
            Native::ModelCard => "a Markdown model card",
            _ => "dossier's own shape",
        })
    };
    formats::FORMATS.iter().find(|f| f.id == id).map(|f| f.tool).or_else(native)
}

impl Native {
    /// Every native reader.
    const ALL: [Native; 16] = [
        Native::Bias,
        Native::Junit,
        Native::Metrics,
        Native::ModelCard,
        Native::ModelMetadata,
        Native::SignOff,
        Native::Waiver,
        Native::RiskRegister,
        Native::DatasetManifest,
        Native::DataLineage,
        Native::DataProfile,
        Native::Datasheet,
        Native::OversightPlan,
        Native::Log,
        Native::Sidecar,
        Native::Infrastructure,
    ];

    /// The reader a file of this classification gets when no tool format claims it.
    fn of(path: &str, facts: &Facts) -> Option<Native> {
        if matches!(facts.reason, Reason::Sidecar { .. }) {
            return Some(Native::Sidecar);
        }
        let lower = path.to_ascii_lowercase();
        let ends = |exts: &[&str]| exts.iter().any(|e| lower.ends_with(e));
        // Structured kinds are read from JSON or YAML files only: a risk register kept as
        // a spreadsheet or a sign-off as a PDF is still evidence, just not one dossier reads.
        let structured = ends(&[".json", ".yaml", ".yml"]);
        let native = match facts.evidence_type.as_deref()? {
            "bias-report" if structured => Native::Bias,
            "robustness-report" | "red-team-report" if ends(&[".xml"]) => Native::Junit,
            "evaluation-metrics" if structured => Native::Metrics,
            "model-card" if ends(&[".md"]) => Native::ModelCard,
            "model-metadata" if structured => Native::ModelMetadata,
            "sign-off" if structured => Native::SignOff,
            "waiver" if structured => Native::Waiver,
            "risk-register" if structured => Native::RiskRegister,
            "dataset-manifest" if structured => Native::DatasetManifest,
            "data-lineage" if structured => Native::DataLineage,
            "data-profile" => Native::DataProfile,
            "datasheet" if ends(&[".md"]) => Native::Datasheet,
            "oversight-plan" if ends(&[".md"]) => Native::OversightPlan,
            "inference-log" | "override-log" | "rag-audit-log" if ends(&[".jsonl", ".ndjson"]) => Native::Log,
            // Infrastructure exports are read by the tools' formats; in the export layout
            // (an `aws/` or `terraform/` folder) this makes a JSON export that does not
            // parse, or that no format knows, say so.
            "infrastructure-config" if ends(&[".json"]) && in_export_layout(&lower) => Native::Infrastructure,
            _ => return None,
        };
        Some(native)
    }

    /// The reader's id, as `explain` and `assessment.json` name it.
    fn id(self) -> &'static str {
        match self {
            Native::Bias => "dossier-fairness",
            Native::Junit => "junit",
            Native::Metrics => "dossier-metrics",
            Native::ModelCard => "model-card-markdown",
            Native::ModelMetadata => "dossier-model-metadata",
            Native::SignOff => "dossier-sign-off",
            Native::Waiver => "dossier-waiver",
            Native::RiskRegister => "dossier-risk-register",
            Native::DatasetManifest => "dossier-dataset-manifest",
            Native::DataLineage => "dossier-data-lineage",
            Native::DataProfile => "ydata-profile",
            Native::Datasheet => "dossier-datasheet",
            Native::OversightPlan => "dossier-oversight-plan",
            Native::Log => "jsonl",
            Native::Sidecar => "dossier-sidecar",
            Native::Infrastructure => "dossier-infrastructure",
        }
    }

    /// The syntax of a file this reader takes whatever its name (the others are told by
    /// their extension).
    fn syntax(self) -> Option<Syntax> {
        match self {
            Native::DataProfile => Some(Syntax::Json),
            Native::Sidecar => Some(Syntax::Yaml),
            _ => None,
        }
    }

    /// The most bytes read for this kind; a larger file is left unread.
    fn limit(self) -> u64 {
        match self {
            Native::DataProfile | Native::Datasheet | Native::OversightPlan => MAX_MARKDOWN_BYTES,
            _ => MAX_DOCUMENT_BYTES,
        }
    }

    /// Whether a file too large to read is a finding (the reports' extras are not).
    fn reports_size(self) -> bool {
        !matches!(self, Native::DataProfile | Native::Datasheet | Native::OversightPlan)
    }

    /// Reads `value`; none when the file is not in the shape this reader knows.
    fn read_value(self, source: &mut Source<'_>, v: &Value) -> Option<Document> {
        match self {
            Native::Bias => fairness::native(source, v),
            Native::Metrics => metrics::native(v),
            Native::ModelMetadata => Some(datasets::model_metadata(v)),
            Native::DatasetManifest => Some(datasets::manifest(v)),
            Native::DataLineage => Some(datasets::lineage(v)),
            Native::RiskRegister => Some(risk::read(source, v)),
            Native::SignOff => Some(decisions::sign_off(v)),
            Native::Waiver => Some(decisions::waiver(v)),
            Native::DataProfile => datasets::profile(v),
            Native::Infrastructure => aws::by_name(source, v),
            _ => None,
        }
    }
}

/// A document gathered whole, then parsed.
struct Whole {
    path: String,
    syntax: Syntax,
    native: Option<Native>,
    keep: bool,
    bytes: Vec<u8>,
    too_large: bool,
    custom: Arc<Vec<CustomFormat>>,
}

impl Whole {
    fn new(readers: &Readers, path: &str, syntax: Syntax, native: Option<Native>, keep: bool, size: u64) -> Self {
        let limit = native.map_or(MAX_DOCUMENT_BYTES, Native::limit);
        let too_large = size > limit && !keep;
        let capacity = if too_large { 0 } else { size.min(limit) as usize };
        Whole {
            path: path.to_string(),
            syntax,
            native,
            keep,
            bytes: Vec::with_capacity(capacity),
            too_large,
            custom: readers.custom.clone(),
        }
    }
}

impl ContentReader for Whole {
    fn feed(&mut self, chunk: &[u8]) {
        if !self.too_large {
            self.bytes.extend_from_slice(chunk);
        }
    }

    fn finish(self: Box<Self>) -> Reading {
        let Whole { path, syntax, native, keep, bytes, too_large, custom } = *self;
        let limit = native.map_or(MAX_DOCUMENT_BYTES, Native::limit);
        let mut reading = Reading::default();
        if too_large || bytes.len() as u64 > limit {
            if native.is_some_and(Native::reports_size) {
                reading.findings.push(Finding::at(
                    Code::EvidenceUnparseable,
                    &path,
                    format!("could not read: larger than {} MiB", limit >> 20),
                ));
            }
        } else {
            let text = String::from_utf8_lossy(&bytes);
            let mut source = Source::new(&path, &text);
            let read = read_whole(&mut source, syntax, native, &custom);
            if let Some((document, by)) = read {
                reading.format = Some(by.id());
                reading.implied_type = by.implied_type();
                reading.document = Some(Box::new(document.finish()));
            }
            reading.findings = source.findings;
            reading.date = source.date;
        }
        if keep {
            reading.kept = Some(bytes);
        }
        reading
    }
}

/// Which reader read a file.
#[derive(Debug, Clone)]
enum ReadBy {
    Tool(&'static Format),
    Custom(String, String),
    Native(Native),
}

impl ReadBy {
    fn id(&self) -> String {
        match self {
            ReadBy::Tool(f) => f.id.to_string(),
            ReadBy::Custom(id, _) => id.clone(),
            ReadBy::Native(n) => n.id().to_string(),
        }
    }

    fn implied_type(&self) -> Option<String> {
        match self {
            ReadBy::Tool(f) => Some(f.evidence_type.to_string()),
            ReadBy::Custom(_, t) => Some(t.clone()),
            ReadBy::Native(_) => None,
        }
    }
}

/// Reads a whole document: the user's formats, then the tools', then dossier's own.
fn read_whole(
    source: &mut Source<'_>,
    syntax: Syntax,
    native: Option<Native>,
    custom: &[CustomFormat],
) -> Option<(Document, ReadBy)> {
    if native == Some(Native::Sidecar) {
        return decisions::sidecar(source).map(|d| (d, ReadBy::Native(Native::Sidecar)));
    }
    match syntax {
        Syntax::Xml => {
            return junit::read(source, native.is_some())
                .map(|counts| (Document::TestResults(counts), ReadBy::Tool(formats::get("junit"))));
        }
        Syntax::Markdown => {
            if let Some(document) = model_card::hugging_face(source) {
                return Some((document, ReadBy::Tool(formats::get("huggingface-model-card"))));
            }
            return match native {
                Some(Native::ModelCard) => Some((model_card::markdown(source.text), ReadBy::Native(Native::ModelCard))),
                Some(Native::Datasheet) => {
                    Some((markdown_docs::datasheet(source.text), ReadBy::Native(Native::Datasheet)))
                }
                Some(Native::OversightPlan) => {
                    Some((markdown_docs::oversight_plan(source.text), ReadBy::Native(Native::OversightPlan)))
                }
                _ => None,
            };
        }
        Syntax::Text => {
            if aws::is_error_file(source.path) {
                return aws::error(source).map(|d| (d, ReadBy::Tool(formats::get("aws-cli-error"))));
            }
            return mlflow::text_file(source).map(|(d, id)| (d, ReadBy::Tool(formats::get(id))));
        }
        Syntax::Json | Syntax::Yaml => {}
        Syntax::Lines | Syntax::Parquet | Syntax::Media => return None,
    }
    // A file we were asked to read (its type has a reader) must parse; any other JSON or
    // YAML is only looked at, and silently left alone when it does not parse.
    let value = source.parse(syntax, native.is_some())?;
    for format in custom {
        if format.matches(source.path, &value) {
            let document = format.read(source, &value);
            return Some((document, ReadBy::Custom(format.id.clone(), format.evidence_type.clone())));
        }
    }
    if let Some((document, format)) = formats::read_value(source, &value) {
        return Some((document, ReadBy::Tool(format)));
    }
    let native = native?;
    match native.read_value(source, &value) {
        Some(document) => Some((document, ReadBy::Native(native))),
        None => {
            source.findings.push(Finding::at(
                Code::FormatUnrecognised,
                source.path,
                "no reader understood its content: it counts as evidence by its path, but nothing in it was read (add a `readers:` entry to dossier.yaml to read it)",
            ));
            None
        }
    }
}

/// What a JSON or YAML document of `evidence_type` says, read from its parsed value
/// (schema-1 assessments kept these documents as raw values).
pub fn from_value(evidence_type: &str, path: &str, value: &Value) -> Option<Document> {
    let mut source = Source::new(path, "");
    let native = match evidence_type {
        "model-metadata" => Native::ModelMetadata,
        "sign-off" => Native::SignOff,
        "waiver" => Native::Waiver,
        "risk-register" => Native::RiskRegister,
        "dataset-manifest" => Native::DatasetManifest,
        "data-lineage" => Native::DataLineage,
        _ => return None,
    };
    native.read_value(&mut source, value).map(Document::finish)
}

/// Reads one file's bytes as a build would (tests, fuzzing).
pub fn read_bytes(readers: &Readers, path: &str, facts: &Facts, bytes: &[u8]) -> Reading {
    let head = &bytes[..bytes.len().min(crate::collect::inspect::HEAD_LIMIT)];
    let inspection = Inspection::of(path, head, head.len() == bytes.len());
    match readers.reader(path, facts, Some(&inspection), bytes.len() as u64) {
        Some(mut reader) => {
            reader.feed(bytes);
            // A reader that needs the file (Parquet) gets the bytes as an unnamed one.
            if reader.needs_file()
                && let Ok(mut file) = tempfile::tempfile()
                && std::io::Write::write_all(&mut file, bytes).is_ok()
            {
                return reader.finish_with_file(&file);
            }
            reader.finish()
        }
        None => Reading::default(),
    }
}

/// A date a reader found, as the artifact records it.
fn content_date(date: chrono::NaiveDate, source: &str) -> ContentDate {
    ContentDate { date, source: source.to_string() }
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
    fn every_reader_id_says_where_its_format_comes_from() {
        assert_eq!(reader_origin("fairlearn-metricframe"), Some("Fairlearn"));
        for own in ["dossier-fairness", "dossier-metrics", "dossier-sidecar"] {
            assert_eq!(reader_origin(own), Some("dossier's own shape"), "{own}");
        }
        assert_eq!(reader_origin("ydata-profile"), Some("ydata-profiling"));
        assert_eq!(reader_origin("model-card-markdown"), Some("a Markdown model card"));
        assert_eq!(reader_origin("acme-fairness"), None);
    }

    #[test]
    fn only_the_formats_dossier_reads_get_a_reader() {
        let facts = |t: &str| Facts { evidence_type: Some(t.into()), ..Facts::unmatched() };
        assert_eq!(Native::of("risk/register.xlsx", &facts("risk-register")), None);
        assert_eq!(Native::of("risk/register.yaml", &facts("risk-register")), Some(Native::RiskRegister));
        assert_eq!(Native::of("logs/a.jsonl", &facts("inference-log")), Some(Native::Log));
        assert_eq!(Native::of("logs/a.csv", &facts("inference-log")), None);
        let readers = Readers::default();
        assert!(readers.reader("risk/register.xlsx", &facts("risk-register"), None, 2).is_none());
        assert!(readers.reader("notes.txt", &Facts::unmatched(), None, 2).is_none());
        let kept = Readers::new(["input.json".to_string()]);
        assert!(kept.reader("input.json", &Facts::unmatched(), None, 2).is_some());
    }

    #[test]
    fn a_document_too_large_to_read_is_a_finding_and_its_kept_bytes_are_whole() {
        let facts = Facts { evidence_type: Some("bias-report".into()), ..Facts::unmatched() };
        let reader = Readers::default().reader("b.json", &facts, None, MAX_DOCUMENT_BYTES + 1).unwrap();
        let reading = reader.finish();
        assert!(reading.document.is_none());
        assert!(reading.findings[0].message.contains("larger than 64 MiB"));
        let keep = Readers::new(["m.json".to_string()]);
        let mut reader = keep.reader("m.json", &Facts::unmatched(), None, 4).unwrap();
        reader.feed(b"{}");
        reader.feed(b"\n\n");
        assert_eq!(reader.finish().kept.as_deref(), Some(&b"{}\n\n"[..]));
    }

    #[test]
    fn a_typed_file_no_reader_understands_gets_a_note_and_an_untyped_one_nothing() {
        let (doc, findings) = read("fairness/q3.json", "bias-report", r#"{"owner": "risk office", "rows": [1, 2]}"#);
        assert!(doc.is_none());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, Code::FormatUnrecognised);
        let reading = read_bytes(&Readers::default(), "misc/x.json", &Facts::unmatched(), br#"{"a": 1}"#);
        assert!(reading.document.is_none() && reading.findings.is_empty() && reading.format.is_none());
    }
}
