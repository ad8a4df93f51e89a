//! JSON Lines, read record by record as the bytes are hashed, so a file of any size is
//! read in bounded memory. The first record tells the format:
//!
//! - SageMaker Data Capture (`captureData`, `eventMetadata`), Amazon Bedrock model
//!   invocation logs (`schemaType: ModelInvocationLog`) and OpenTelemetry OTLP JSON
//!   (`resourceSpans`, one export request per line; each GenAI span is a record) are
//!   logs whose record-keeping fields the reader knows by the format's own names;
//! - garak's `report.jsonl` (`entry_type`) is a red-team run: its `eval` entries give
//!   passed and total attempts per probe and detector;
//! - a format described in `dossier.yaml` (`readers:`) names its time and id fields;
//! - any other JSON Lines file of a log type is a plain log, its fields named by
//!   `checks.log_fields` and `checks.rag_fields`.
//!
//! For logs: records and bad lines, the time span and the largest gap, which keys the
//! records carry, how many carry each record-keeping field, the actions of override logs
//! and the faithfulness scores of RAG logs.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::custom::CustomFormat;
use super::source::{Source, epoch, number, string, timestamp};
use super::{FieldNames, MAX_DOCUMENT_BYTES, Readers};
use crate::collect::{ContentReader, Reading};
use crate::model::document::{CitationMiss, Citations, Document, LogStats, TestCounts};
use crate::model::finding::{Code, Finding};
use crate::model::genai::WatermarkReport;

/// The record-keeping fields a log's statistics count, under each format's own names.
pub(super) const RECORD_FIELDS: [&str; 8] =
    ["time", "id", "input", "output", "actor", "confidence", "latency", "model"];

/// A field's name as the statistics keep it: the eight record-keeping fields without an
/// allocation (a log's statistics are kept for every one of thousands of files).
fn field_name(field: &str) -> Cow<'static, str> {
    RECORD_FIELDS.iter().find(|f| **f == field).map_or_else(|| Cow::Owned(field.to_string()), |f| Cow::Borrowed(*f))
}

/// What the lines of a file are.
enum Kind {
    /// Not decided yet: no record has been read.
    Undecided,
    /// A log in one of the known formats.
    Log(LogFormat),
    /// A garak report.
    Garak(TestCounts),
    /// A text watermark detector's results, one sample per record.
    Watermark(WatermarkReport),
    /// Not a format dossier reads: the rest is not parsed.
    Inert,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Plain,
    DataCapture,
    Bedrock,
    Otlp,
    Custom(usize),
}

impl LogFormat {
    fn id(self, custom: &[CustomFormat]) -> String {
        match self {
            LogFormat::Plain => "jsonl".into(),
            LogFormat::DataCapture => "sagemaker-data-capture".into(),
            LogFormat::Bedrock => "bedrock-invocation-log".into(),
            LogFormat::Otlp => "otel-genai-spans".into(),
            LogFormat::Custom(i) => custom[i].id.clone(),
        }
    }

    /// The record-keeping fields the format has no place for.
    fn not_carried(self) -> &'static [&'static str] {
        match self {
            LogFormat::DataCapture => &["actor", "confidence", "latency", "model"],
            LogFormat::Bedrock => &["confidence"],
            LogFormat::Otlp => &["confidence"],
            LogFormat::Plain | LogFormat::Custom(_) => &[],
        }
    }

    /// Recognises a tool's log format from its first record.
    fn of(record: &Map<String, Value>) -> Option<LogFormat> {
        if record.contains_key("captureData") && record.contains_key("eventMetadata") {
            return Some(LogFormat::DataCapture);
        }
        let bedrock_schema = record.get("schemaType").and_then(Value::as_str) == Some("ModelInvocationLog");
        if bedrock_schema || (["modelId", "requestId", "timestamp"].iter().all(|k| record.contains_key(*k))) {
            return Some(LogFormat::Bedrock);
        }
        if record.get("resourceSpans").is_some_and(Value::is_array) {
            return Some(LogFormat::Otlp);
        }
        None
    }
}

/// The statistics of a log as its records pass.
#[derive(Default)]
pub(super) struct Accumulator {
    pub stats: LogStats,
    previous: Option<DateTime<Utc>>,
    earliest: Option<DateTime<Utc>>,
    latest: Option<DateTime<Utc>>,
}

impl Accumulator {
    /// One record: when it happened (as written, and parsed), and the record-keeping
    /// fields it carries.
    fn record<'a>(&mut self, time: Option<(String, DateTime<Utc>)>, carried: impl IntoIterator<Item = &'a str>) {
        self.stats.records += 1;
        for field in carried {
            self.carry(field, 1);
        }
        if let Some((written, parsed)) = time {
            self.time(parsed, || written);
        }
    }

    /// `n` more records carry `field`.
    pub(super) fn carry(&mut self, field: &str, n: u64) {
        self.stats.fields.add(field, n, || field_name(field));
    }

    /// The next record's time, in file order; `written` gives it as the file writes it,
    /// asked for only when it becomes the earliest or the latest.
    pub(super) fn time(&mut self, parsed: DateTime<Utc>, written: impl FnOnce() -> String) {
        let stats = &mut self.stats;
        if let Some(previous) = self.previous {
            let gap = (parsed - previous).num_seconds();
            stats.largest_gap_seconds = Some(stats.largest_gap_seconds.map_or(gap, |g| g.max(gap)));
        }
        self.previous = Some(parsed);
        let earliest = self.earliest.is_none_or(|e| parsed < e);
        let latest = self.latest.is_none_or(|l| parsed > l);
        if earliest || latest {
            let text = written();
            if earliest {
                self.earliest = Some(parsed);
                stats.first = Some(text.clone());
            }
            if latest {
                self.latest = Some(parsed);
                stats.last = Some(text);
            }
        }
    }

    /// The statistics, with the fields the format cannot carry stated.
    pub fn finish(mut self, format: String, not_carried: &[&str]) -> LogStats {
        // Every field the format has a place for is counted, none carried included.
        for field in RECORD_FIELDS.iter().filter(|f| !not_carried.contains(f)) {
            self.stats.fields.add(field, 0, || Cow::Borrowed(*field));
        }
        self.stats.format = Some(format);
        self.stats.not_carried = not_carried.iter().map(|s| s.to_string()).collect();
        self.stats.not_carried.sort();
        self.stats
    }

    /// The day of the latest record, to date the file.
    pub(super) fn latest_day(&self) -> Option<String> {
        self.latest.map(|t| t.to_rfc3339())
    }
}

/// A time as a plain log writes it: RFC 3339 (other shapes are kept as written but not
/// used for the span).
fn parsed_time(text: &str) -> Option<(String, DateTime<Utc>)> {
    timestamp(text).map(|t| (text.to_string(), t))
}

/// A time in nanoseconds since the epoch (OTLP writes them as strings), as RFC 3339.
fn nanos(v: Option<&Value>) -> Option<(String, DateTime<Utc>)> {
    let n = v.and_then(|v| match v {
        Value::String(s) => s.parse::<u64>().ok(),
        other => other.as_u64(),
    })?;
    let t = DateTime::from_timestamp((n / 1_000_000_000) as i64, (n % 1_000_000_000) as u32)?;
    Some((t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), t))
}

/// Reads a JSON Lines file as its bytes stream past.
pub(super) struct LineReader {
    path: String,
    /// The file's type calls for a log: a plain log unless a format is recognised.
    expected: bool,
    fields: Arc<FieldIndex>,
    custom: Arc<Vec<CustomFormat>>,
    kind: Kind,
    log: Accumulator,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// Lines seen so far (blank ones included), for line numbers.
    lines: u64,
    first_bad: Option<(u64, String)>,
    kept: Option<Vec<u8>>,
    started: Option<String>,
}

impl LineReader {
    pub(super) fn new(readers: &Readers, path: &str, expected: bool, keep: bool) -> Self {
        LineReader {
            path: path.to_string(),
            expected,
            fields: readers.field_index.clone(),
            custom: readers.custom.clone(),
            kind: Kind::Undecided,
            log: Accumulator::default(),
            partial: Vec::new(),
            lines: 0,
            first_bad: None,
            kept: keep.then(Vec::new),
            started: None,
        }
    }

    fn line(&mut self, line: &[u8]) {
        self.lines += 1;
        if matches!(self.kind, Kind::Inert) {
            return;
        }
        let text = String::from_utf8_lossy(line);
        if text.trim().is_empty() {
            return;
        }
        // A plain log's records, once the format is known, are read without building a
        // tree: keys borrowed, values left as text until one is wanted. A line that does
        // not read so (not an object, malformed) goes the general way below, which says why.
        if matches!(self.kind, Kind::Log(LogFormat::Plain))
            && let Ok(record) = serde_json::from_str::<LazyRecord<'_>>(&text)
        {
            plain(&mut self.log, &record, &self.fields, self.lines);
            return;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(record)) => {
                if matches!(self.kind, Kind::Undecided) {
                    self.kind = self.decide(&record);
                }
                if matches!(self.kind, Kind::Log(LogFormat::Plain)) {
                    // The record that decided the format: read as every later one is. An
                    // object that parsed as a tree also reads lazily.
                    if let Ok(lazy) = serde_json::from_str::<LazyRecord<'_>>(&text) {
                        plain(&mut self.log, &lazy, &self.fields, self.lines);
                    }
                } else {
                    self.record(&record);
                }
            }
            other => {
                if matches!(self.kind, Kind::Undecided) && !self.expected {
                    self.kind = Kind::Inert;
                    return;
                }
                self.log.stats.bad_lines += 1;
                if self.first_bad.is_none() {
                    let why = other.err().map_or("not a JSON object".into(), |e| e.to_string());
                    self.first_bad = Some((self.lines, why));
                }
            }
        }
    }

    fn decide(&self, record: &Map<String, Value>) -> Kind {
        let path = self.path.as_str();
        if let Some(i) = self.custom.iter().position(|f| f.matches_record(path, record)) {
            return Kind::Log(LogFormat::Custom(i));
        }
        if record.get("entry_type").is_some_and(Value::is_string) {
            return Kind::Garak(TestCounts::default());
        }
        if is_watermark_detection(record) {
            return Kind::Watermark(WatermarkReport::default());
        }
        match LogFormat::of(record) {
            Some(format) => Kind::Log(format),
            None if self.expected => Kind::Log(LogFormat::Plain),
            None => Kind::Inert,
        }
    }

    fn record(&mut self, record: &Map<String, Value>) {
        match &mut self.kind {
            Kind::Log(LogFormat::DataCapture) => data_capture(&mut self.log, record),
            Kind::Log(LogFormat::Bedrock) => bedrock(&mut self.log, record),
            Kind::Log(LogFormat::Otlp) => otlp(&mut self.log, record),
            Kind::Log(LogFormat::Custom(i)) => {
                let format = &self.custom[*i];
                let (time, carried) = format.record_facts(record);
                self.log.record(time.as_deref().and_then(parsed_time), carried.iter().map(String::as_str));
            }
            Kind::Garak(counts) => garak(counts, record, &mut self.started),
            Kind::Watermark(report) => watermark(report, record),
            // Plain records are read in `line`, without a tree.
            Kind::Log(LogFormat::Plain) | Kind::Undecided | Kind::Inert => {}
        }
    }
}

/// A JSON object's members in file order, keys borrowed from the line where they hold no
/// escapes, values unparsed.
struct LazyRecord<'a>(Vec<(Cow<'a, str>, &'a serde_json::value::RawValue)>);

impl<'a> LazyRecord<'a> {
    /// The value of `key`: the last one when the object repeats it, as a parsed object
    /// would keep.
    fn get(&self, key: &str) -> Option<&'a serde_json::value::RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The value of `key` when it is a string.
    fn str(&self, key: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        serde_json::from_str::<Text<'a>>(raw.get()).ok().map(|t| t.0)
    }
}

impl<'de> serde::Deserialize<'de> for LazyRecord<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = LazyRecord<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(16);
                while let Some((key, value)) = map.next_entry::<Text<'de>, &'de serde_json::value::RawValue>()? {
                    members.push((key.0, value));
                }
                Ok(LazyRecord(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// A JSON string, borrowed from the input when it holds no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Chars;
        impl<'de> serde::de::Visitor<'de> for Chars {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(Chars)
    }
}

/// One record of a plain log (at `line`): its time, the record-keeping fields it carries,
/// and the override actions, faithfulness scores and citations that logs of those kinds
/// carry.
fn plain(log: &mut Accumulator, record: &LazyRecord<'_>, index: &FieldIndex, line: u64) {
    let stats = &mut log.stats;
    if let Some(cited) = record.get("citations") {
        read_citations(stats, record, index, cited, line);
    }
    if let Some(action) = record.str("action")
        && (stats.actions.len() < 64 || stats.actions.contains_key(action.as_ref()))
    {
        *stats.actions.entry(action.into_owned()).or_default() += 1;
    }
    let score = record.get("faithfulness_score").or_else(|| record.get("faithfulness"));
    if let Some(score) = score.and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok()).and_then(|v| v.as_f64()) {
        stats.faithfulness.push(score);
    }
    let time = TIME_KEYS.iter().find_map(|k| record.str(k)).or_else(|| {
        let meta = serde_json::from_str::<Value>(record.get("eventMetadata")?.get()).ok()?;
        meta.get("inferenceTime").and_then(Value::as_str).map(|t| Cow::Owned(t.to_string()))
    });
    let parsed =
        time.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok().map(|p| (t.to_string(), p.to_utc())));
    let mut seen = vec![false; index.fields.len()];
    for (key, _) in &record.0 {
        for &i in index.by_key.get(key.as_ref()).into_iter().flatten() {
            seen[i] = true;
        }
    }
    let carried = index
        .fields
        .iter()
        .zip(seen)
        .filter(|(_, seen)| *seen)
        .map(|(field, _)| field.as_str())
        .chain(time.is_some().then_some("time"));
    log.record(parsed, carried);
}

/// Keys under which a RAG record lists the chunks it retrieved (`citations` aside, which
/// `checks.rag_fields` also accepts for them but which here is what the answer cites).
const RETRIEVED_KEYS: [&str; 3] = ["retrieved_chunks", "contexts", "sources"];

/// Keys that name a chunk, in a retrieved chunk or a citation written as an object.
const CHUNK_ID_KEYS: [&str; 3] = ["chunk_id", "chunkId", "id"];

/// The chunk ids of a list of chunks or citations: strings, or objects naming the chunk.
/// `None` when any entry names none, so that a record is checked only when both sides can be.
fn chunk_ids(list: &Value) -> Option<Vec<&str>> {
    list.as_array()?
        .iter()
        .map(|item| match item {
            Value::String(id) => Some(id.as_str()),
            Value::Object(o) => CHUNK_ID_KEYS.iter().find_map(|k| o.get(*k).and_then(Value::as_str)),
            _ => None,
        })
        .collect()
}

/// Holds a record's citations against the chunks it retrieved; a miss names the record by
/// its id, under the keys the record-keeping `id` field is read from.
fn read_citations(
    stats: &mut LogStats,
    record: &LazyRecord<'_>,
    index: &FieldIndex,
    cited: &serde_json::value::RawValue,
    line: u64,
) {
    let Ok(cited) = serde_json::from_str::<Value>(cited.get()) else { return };
    let Some(retrieved) = RETRIEVED_KEYS.iter().find_map(|k| record.get(k)) else { return };
    let Ok(retrieved) = serde_json::from_str::<Value>(retrieved.get()) else { return };
    let (Some(cited), Some(retrieved)) = (chunk_ids(&cited), chunk_ids(&retrieved)) else { return };
    let citations = stats.citations.get_or_insert_with(Default::default);
    citations.records += 1;
    citations.cited += cited.len() as u64;
    for chunk in cited.into_iter().filter(|c| !retrieved.contains(c)) {
        citations.not_retrieved += 1;
        if citations.misses.len() < Citations::KEPT {
            citations.misses.push(CitationMiss {
                line,
                record: record
                    .0
                    .iter()
                    .find(|(k, _)| index.carries(k, "id"))
                    .and_then(|(k, _)| record.str(k))
                    .map(Cow::into_owned),
                chunk: chunk.to_string(),
                retrieved: retrieved.len() as u64,
            });
        }
    }
}

/// Keys a plain log's record time is written under.
const TIME_KEYS: [&str; 6] = ["timestamp", "time", "inferenceTime", "event_time", "ts", "@timestamp"];

/// The record-keeping fields of plain logs by the keys that carry them: a record's keys
/// are looked up once each, rather than every accepted name in every record.
#[derive(Debug, Default)]
pub(super) struct FieldIndex {
    fields: Vec<String>,
    by_key: BTreeMap<String, Vec<usize>>,
}

impl FieldIndex {
    /// Whether `key` is one of the names `field` is read from.
    fn carries(&self, key: &str, field: &str) -> bool {
        self.by_key.get(key).is_some_and(|fields| fields.iter().any(|&i| self.fields[i] == field))
    }

    pub(super) fn new(names: &FieldNames) -> Self {
        let mut index = FieldIndex::default();
        for (i, (field, keys)) in names.iter().enumerate() {
            index.fields.push(field.clone());
            for key in keys {
                index.by_key.entry(key.clone()).or_default().push(i);
            }
        }
        index
    }
}

fn data_capture(log: &mut Accumulator, record: &Map<String, Value>) {
    let meta = record.get("eventMetadata");
    let capture = record.get("captureData");
    let time = meta.and_then(|m| m.get("inferenceTime")).and_then(Value::as_str).and_then(parsed_time);
    let has = |v: Option<&Value>| v.is_some_and(|x| !x.is_null());
    let carried = [
        ("time", time.is_some()),
        ("id", has(meta.and_then(|m| m.get("eventId"))) || has(meta.and_then(|m| m.get("inferenceId")))),
        ("input", has(capture.and_then(|c| c.get("endpointInput")))),
        ("output", has(capture.and_then(|c| c.get("endpointOutput")))),
    ];
    log.record(time, carried.into_iter().filter(|(_, c)| *c).map(|(f, _)| f));
}

fn bedrock(log: &mut Accumulator, record: &Map<String, Value>) {
    let time = record.get("timestamp").and_then(Value::as_str).and_then(parsed_time);
    let has = |v: Option<&Value>| v.is_some_and(|x| !x.is_null());
    let input = record.get("input");
    let output = record.get("output");
    let carried = [
        ("time", time.is_some()),
        ("id", has(record.get("requestId"))),
        ("input", has(input.and_then(|i| i.get("inputBodyJson"))) || has(input.and_then(|i| i.get("inputBodyS3Path")))),
        (
            "output",
            has(output.and_then(|o| o.get("outputBodyJson"))) || has(output.and_then(|o| o.get("outputBodyS3Path"))),
        ),
        ("actor", has(record.get("identity").and_then(|i| i.get("arn")))),
        ("model", has(record.get("modelId"))),
        // Not a field of the log schema, but in the response body: the Converse API's
        // `metrics.latencyMs`, or a stream's last chunk's invocation metrics.
        ("latency", output.and_then(|o| o.get("outputBodyJson")).is_some_and(bedrock_latency)),
    ];
    log.record(time, carried.into_iter().filter(|(_, c)| *c).map(|(f, _)| f));
    bedrock_guardrail(
        &mut log.stats,
        input.and_then(|i| i.get("inputBodyJson")),
        output.and_then(|o| o.get("outputBodyJson")),
    );
}

/// The guardrail policies whose actions a trace reports.
const GUARDRAIL_POLICIES: [&str; 6] = [
    "contentPolicy",
    "topicPolicy",
    "wordPolicy",
    "sensitiveInformationPolicy",
    "contextualGroundingPolicy",
    "automatedReasoningPolicy",
];

/// A Bedrock invocation's guardrail: whether one was applied (the Converse request's
/// `guardrailConfig`, or the guardrail fields InvokeModel adds to the response), whether
/// it intervened (`stopReason: guardrail_intervened`, `amazon-bedrock-guardrailAction:
/// INTERVENED`), and which policies acted in its trace.
fn bedrock_guardrail(stats: &mut LogStats, request: Option<&Value>, response: Option<&Value>) {
    let response = response.filter(|r| r.is_object());
    let action = response.and_then(|r| r.get("amazon-bedrock-guardrailAction")).and_then(Value::as_str);
    let trace =
        response.and_then(|r| r.pointer("/trace/guardrail").or_else(|| r.pointer("/amazon-bedrock-trace/guardrail")));
    let guarded = request.is_some_and(|r| r.get("guardrailConfig").is_some()) || action.is_some() || trace.is_some();
    if !guarded {
        return;
    }
    let g = stats.guardrail.get_or_insert_with(Default::default);
    g.guarded += 1;
    let stop = response.and_then(|r| r.get("stopReason")).and_then(Value::as_str);
    if action == Some("INTERVENED") || stop == Some("guardrail_intervened") {
        g.intervened += 1;
    }
    let mut acted = std::collections::BTreeSet::new();
    if let Some(trace) = trace {
        policies_acting(trace, None, &mut acted);
    }
    for policy in acted {
        *g.by_policy.entry(policy.to_string()).or_default() += 1;
    }
}

/// Walks a guardrail trace, noting each policy under which some entry took an action
/// other than `NONE`.
fn policies_acting(v: &Value, policy: Option<&'static str>, acted: &mut std::collections::BTreeSet<&'static str>) {
    match v {
        Value::Object(map) => {
            if let Some(p) = policy
                && map.get("action").and_then(Value::as_str).is_some_and(|a| a != "NONE")
            {
                acted.insert(p);
            }
            for (key, value) in map {
                let here = GUARDRAIL_POLICIES.iter().find(|p| **p == key).copied().or(policy);
                policies_acting(value, here, acted);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| policies_acting(i, policy, acted)),
        _ => {}
    }
}

/// Whether a Bedrock response body states the call's latency.
fn bedrock_latency(body: &Value) -> bool {
    match body {
        Value::Array(chunks) => chunks.iter().any(bedrock_latency),
        other => {
            other.pointer("/metrics/latencyMs").is_some()
                || other.pointer("/amazon-bedrock-invocationMetrics/invocationLatency").is_some()
        }
    }
}

/// The attributes of an OTLP span or event, by key.
fn attributes(v: &Value) -> BTreeMap<&str, &Value> {
    v.get("attributes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a.get("key")?.as_str()?, a.get("value")?)))
        .collect()
}

/// Each span of an OTLP export request that carries GenAI attributes is one record.
fn otlp(log: &mut Accumulator, request: &Map<String, Value>) {
    let spans = request
        .get("resourceSpans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|rs| rs.get("scopeSpans").and_then(Value::as_array).into_iter().flatten())
        .flat_map(|ss| ss.get("spans").and_then(Value::as_array).into_iter().flatten());
    for span in spans {
        let attrs = attributes(span);
        if !attrs.keys().any(|k| k.starts_with("gen_ai.")) {
            continue;
        }
        // Content may sit on the span's events instead (the older semantic conventions:
        // events carrying `gen_ai.prompt` and `gen_ai.completion` attributes).
        let event_keys: Vec<&str> = span
            .get("events")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|e| attributes(e).into_keys())
            .collect();
        let has = |keys: &[&str]| keys.iter().any(|k| attrs.contains_key(k) || event_keys.contains(k));
        let start = nanos(span.get("startTimeUnixNano"));
        let end = nanos(span.get("endTimeUnixNano"));
        // The span id is the tracer's, on every span; the record's own id is the response's.
        let carried = [
            ("time", start.is_some()),
            ("id", has(&["gen_ai.response.id"])),
            ("input", has(&["gen_ai.input.messages", "gen_ai.prompt"])),
            ("output", has(&["gen_ai.output.messages", "gen_ai.completion"])),
            ("actor", has(&["user.id", "enduser.id"])),
            ("latency", start.is_some() && end.is_some()),
            ("model", has(&["gen_ai.request.model", "gen_ai.response.model"])),
        ];
        log.record(start, carried.into_iter().filter(|(_, c)| *c).map(|(f, _)| f));
    }
}

/// A garak report's `eval` entries: passed of total attempts per probe and detector.
fn garak(counts: &mut TestCounts, record: &Map<String, Value>, started: &mut Option<String>) {
    match record.get("entry_type").and_then(Value::as_str) {
        Some("init") => *started = record.get("start_time").and_then(string),
        Some("eval") => {
            // garak 0.17 writes `total_evaluated`; earlier versions `total`.
            let total = ["total_evaluated", "total"]
                .iter()
                .find_map(|k| record.get(*k).and_then(number))
                .unwrap_or(0.0)
                .max(0.0) as u32;
            let passed = (record.get("passed").and_then(number).unwrap_or(0.0).max(0.0) as u32).min(total);
            counts.tests += total;
            counts.failures += total - passed;
            let probe = record.get("probe").and_then(string).unwrap_or_default();
            let detector = record.get("detector").and_then(string).unwrap_or_default();
            if passed < total {
                counts.failed.push(format!("{probe}/{detector}"));
            }
            // Attacks by probe family (`encoding` of `encoding.InjectBase64`): an attempt
            // a detector flags is an attack that got through.
            let family = probe.split('.').next().unwrap_or_default().to_string();
            let attacks = counts.attacks.entry(family).or_default();
            attacks.attempts += total;
            attacks.record_success(total - passed, || format!("{probe}/{detector}"));
        }
        _ => {}
    }
}

/// The fields of a watermark detection record: at the top, or under `result` (where a
/// detector's own JSON output is kept whole beside the sample it was run on).
fn detection_field<'a>(record: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    record.get(key).or_else(|| record.get("result").and_then(|r| r.get(key)))
}

/// A watermark detector's record: a score (`z_score` or `score`) with a verdict
/// (`detected`, or a `verdict` naming the watermark).
fn is_watermark_detection(record: &Map<String, Value>) -> bool {
    let scored = ["z_score", "score"].iter().any(|k| detection_field(record, k).is_some_and(Value::is_number));
    let judged = detection_field(record, "detected").is_some_and(Value::is_boolean)
        || detection_field(record, "verdict").and_then(Value::as_str).is_some_and(|v| v.contains("watermark"));
    scored && judged
}

/// One sample's detection: generated, or a human-written control (`set` or `label` of
/// `human` or `control`, or `control: true`).
fn watermark(report: &mut WatermarkReport, record: &Map<String, Value>) {
    let detected = match detection_field(record, "detected").and_then(Value::as_bool) {
        Some(d) => d,
        None => detection_field(record, "verdict")
            .and_then(Value::as_str)
            .is_some_and(|v| matches!(v, "watermark_detected" | "watermarked" | "detected")),
    };
    let label =
        ["set", "label", "kind"].iter().find_map(|k| record.get(*k).and_then(Value::as_str)).unwrap_or_default();
    let control = matches!(label.to_ascii_lowercase().as_str(), "human" | "control" | "human-written" | "negative")
        || record.get("control").and_then(Value::as_bool) == Some(true);
    if report.detector.is_none() {
        report.detector = ["detector", "tool"].iter().find_map(|k| record.get(*k).and_then(string));
    }
    if control {
        report.controls += 1;
        report.false_positives += u64::from(detected);
    } else {
        report.samples += 1;
        if detected {
            report.detected += 1;
        } else if report.missed.len() < WatermarkReport::NAMED {
            let name = ["sample", "id", "file"].iter().find_map(|k| record.get(*k).and_then(string));
            report.missed.push(name.unwrap_or_else(|| format!("sample {}", report.samples)));
        }
    }
}

impl ContentReader for LineReader {
    fn feed(&mut self, chunk: &[u8]) {
        if let Some(kept) = self.kept.as_mut()
            && (kept.len() + chunk.len()) as u64 <= MAX_DOCUMENT_BYTES
        {
            kept.extend_from_slice(chunk);
        }
        if matches!(self.kind, Kind::Inert) {
            return;
        }
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            if self.partial.is_empty() {
                self.line(&rest[..end]);
            } else {
                self.partial.extend_from_slice(&rest[..end]);
                let line = std::mem::take(&mut self.partial);
                self.line(&line);
            }
            rest = &rest[end + 1..];
        }
        self.partial.extend_from_slice(rest);
    }

    fn finish(mut self: Box<Self>) -> Reading {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
        }
        let mut reading = Reading { kept: self.kept.take(), ..Reading::default() };
        if let Some((line, why)) = self.first_bad.take() {
            let bad = self.log.stats.bad_lines;
            let more = if bad > 1 { format!(" ({bad} bad lines in all)") } else { String::new() };
            reading.findings.push(
                Finding::at(
                    Code::LogLineInvalid,
                    &self.path,
                    format!("log line is not a JSON record: {why}{more}; the other records are used"),
                )
                .on_line(line),
            );
        }
        let LineReader { kind, log, custom, started, expected, .. } = *self;
        match kind {
            Kind::Log(format) => {
                let id = format.id(&custom);
                reading.date = log
                    .latest_day()
                    .and_then(|t| super::source::day_of(&t).map(|d| super::content_date(d, "the latest record")));
                if let LogFormat::Custom(i) = format {
                    reading.implied_type = Some(custom[i].evidence_type.clone());
                } else if format != LogFormat::Plain {
                    reading.implied_type = Some("inference-log".into());
                }
                reading.document = Some(Box::new(Document::Log(log.finish(id.clone(), format.not_carried())).finish()));
                reading.format = Some(id);
            }
            Kind::Garak(counts) => {
                reading.date = started
                    .as_deref()
                    .and_then(super::source::day_of)
                    .map(|d| super::content_date(d, "the run's start_time"));
                reading.document = Some(Box::new(Document::TestResults(counts).finish()));
                reading.format = Some("garak-report".into());
                reading.implied_type = Some("red-team-report".into());
            }
            Kind::Watermark(report) => {
                reading.document = Some(Box::new(Document::Watermark(report)));
                reading.format = Some("watermark-detections".into());
                reading.implied_type = Some("watermark-report".into());
            }
            // A log that held no record at all is still a log, with none.
            Kind::Undecided if expected => {
                reading.document = Some(Box::new(Document::Log(log.finish("jsonl".into(), &[])).finish()));
                reading.format = Some("jsonl".into());
            }
            Kind::Undecided | Kind::Inert => {}
        }
        reading
    }
}

/// An OTLP export request in one JSON document (rather than one per line).
pub(super) fn is_otlp_request(v: &Value) -> bool {
    v.get("resourceSpans").is_some_and(Value::is_array)
}

pub(super) fn otlp_request(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut log = Accumulator::default();
    otlp(&mut log, v.as_object()?);
    if let Some(t) = log.latest_day() {
        source.date_from(&t, "the latest span");
    }
    Some(Document::Log(log.finish("otel-genai-spans".into(), LogFormat::Otlp.not_carried())))
}

/// A time in Unix seconds, milliseconds, micro- or nanoseconds (told by its size), as
/// custom logs may hold it, with its RFC 3339 text.
pub(super) fn epoch_time(x: f64) -> Option<(String, DateTime<Utc>)> {
    epoch(x).map(|t| (t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), t))
}

pub(super) use Accumulator as LogAccumulator;

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, text: &str, expected: bool) -> Reading {
        let readers = Readers::default().with_fields(crate::model::measure::ChecksConfig::default().record_fields());
        let mut reader: Box<dyn ContentReader> = Box::new(LineReader::new(&readers, path, expected, false));
        reader.feed(text.as_bytes());
        reader.finish()
    }

    #[test]
    fn records_gaps_and_bad_lines_whatever_the_chunks() {
        let text = "{\"timestamp\": \"2026-11-18T10:00:00Z\", \"input\": 1}\nnot json\n\n{\"timestamp\": \"2026-11-18T10:30:00Z\", \"input\": 2, \"actor\": \"svc\", \"action\": \"override\"}";
        let readers = Readers::default().with_fields(crate::model::measure::ChecksConfig::default().record_fields());
        for size in [1, 3, 7, 64, 4096] {
            let mut reader: Box<dyn ContentReader> = Box::new(LineReader::new(&readers, "logs/a.jsonl", true, false));
            for chunk in text.as_bytes().chunks(size) {
                reader.feed(chunk);
            }
            let reading = reader.finish();
            let Some(Document::Log(s)) = reading.document.as_deref() else { panic!() };
            assert_eq!((s.records, s.bad_lines), (2, 1), "chunks of {size}");
            assert_eq!(s.largest_gap_seconds, Some(1800));
            assert_eq!((s.fields["input"], s.fields["actor"], s.fields["time"]), (2, 1, 2));
            assert_eq!(s.override_rate, Some(1.0));
            assert_eq!(reading.findings[0].code, Code::LogLineInvalid);
            assert_eq!(reading.findings[0].line, Some(2));
        }
    }

    #[test]
    fn citations_are_held_against_the_chunks_of_their_own_record() {
        let mut text = String::new();
        // Objects on both sides, a string list, a record with an id-less chunk (not checked),
        // then 25 records each citing one chunk they did not retrieve.
        text.push_str(
            r#"{"id":"a","retrieved_chunks":[{"chunk_id":"c1"},{"chunk_id":"c2"}],"citations":[{"chunk_id":"c2"}]}"#,
        );
        text.push('\n');
        text.push_str(r#"{"id":"b","contexts":["c1","c2"],"citations":["c1","c3"]}"#);
        text.push('\n');
        text.push_str(r#"{"id":"c","sources":[{"text":"no id"}],"citations":["c9"]}"#);
        text.push('\n');
        for i in 0..25 {
            text.push_str(&format!("{{\"request_id\":\"r{i}\",\"retrieved_chunks\":[\"x\"],\"citations\":[\"y\"]}}\n"));
        }
        let reading = read("rag/audit.jsonl", &text, true);
        let Some(Document::Log(s)) = reading.document.as_deref() else { panic!() };
        let c = s.citations.as_deref().unwrap();
        assert_eq!((c.records, c.cited, c.not_retrieved), (27, 28, 26));
        assert_eq!(c.misses.len(), Citations::KEPT);
        assert_eq!(c.misses[0], CitationMiss { line: 2, record: Some("b".into()), chunk: "c3".into(), retrieved: 2 });
        assert_eq!((c.misses[1].line, c.misses[1].record.as_deref()), (4, Some("r0")));
        // Taken together, logs keep the counts but not the lines.
        let merged = LogStats::merge([s, s]);
        let m = merged.citations.unwrap();
        assert_eq!((m.records, m.not_retrieved, m.misses.len()), (54, 52, 0));
    }

    #[test]
    fn data_capture_records_carry_time_id_input_and_output_and_say_what_they_cannot() {
        let record = r#"{"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": "1,2", "encoding": "CSV"}, "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": "0.9", "encoding": "CSV"}}, "eventMetadata": {"eventId": "e1", "inferenceTime": "2026-11-30T10:00:00Z"}, "eventVersion": "0"}"#;
        let text = format!("{record}\n{}\n", record.replace("10:00:00", "10:05:00"));
        let reading = read("capture/ep/v/2026/11/30/10/a.jsonl", &text, false);
        let Some(Document::Log(s)) = reading.document.as_deref() else { panic!("{reading:?}") };
        assert_eq!(s.format.as_deref(), Some("sagemaker-data-capture"));
        assert_eq!(
            (s.records, s.first.as_deref(), s.largest_gap_seconds),
            (2, Some("2026-11-30T10:00:00Z"), Some(300))
        );
        assert_eq!(s.fields.get("output"), Some(&2));
        assert_eq!(s.not_carried, ["actor", "confidence", "latency", "model"]);
        assert_eq!(reading.implied_type.as_deref(), Some("inference-log"));
        assert_eq!(reading.date.unwrap().date.to_string(), "2026-11-30");
    }

    #[test]
    fn an_untyped_file_of_no_known_format_is_left_alone() {
        let reading = read("misc/events.jsonl", "{\"a\": 1}\n{\"a\": 2}\n", false);
        assert!(reading.document.is_none() && reading.findings.is_empty());
    }
}
