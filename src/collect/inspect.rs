//! Content inspection: what the first bytes of an evidence file say about it.
//!
//! [`Inspection::of`] looks at the head of a file (at most [`HEAD_LIMIT`] bytes, captured
//! while the file is hashed, so nothing is read twice) and records its format, top-level
//! keys, XML root element, front-matter keys, headings, a few telling words, and a date
//! when the content states one. It never fails: malformed or binary content just yields
//! fewer facts. Classification rules are then matched against this summary.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::catalog::taxonomy::Format;

/// How much of each file is inspected.
pub const HEAD_LIMIT: usize = 64 * 1024;

/// Top-level keys whose string value dates a document, in order of preference.
const DATE_KEYS: &[&str] = &[
    "generated_at",
    "date",
    "report_date",
    "assessment_date",
    "created_at",
    "validation_time",
    "signed_at",
    "approved_at",
    "reviewed_at",
    "timestamp",
    "last_updated",
    "updated_at",
    "start_time",
];

/// What the head of a file says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// The recognised format, if any.
    pub format: Option<Format>,
    /// Top-level keys (json, yaml), first-record keys (jsonl) or header cells (csv).
    pub keys: BTreeSet<String>,
    /// Top-level short string values, by key.
    pub values: BTreeMap<String, String>,
    /// XML root element name.
    pub xml_root: Option<String>,
    /// Markdown front-matter keys.
    pub front_matter_keys: BTreeSet<String>,
    /// Markdown headings, lowercased.
    pub headings: BTreeSet<String>,
    /// The date the content states, if any.
    pub date: Option<ContentDate>,
}

/// A date found in a file's content, and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ContentDate {
    /// The date.
    pub date: NaiveDate,
    /// Where it came from, e.g. `generated_at` or `front matter date`.
    pub source: String,
}

impl Inspection {
    /// Inspects `head` (the first bytes of the file at `path`); `complete` says whether
    /// `head` is the whole file.
    pub fn of(path: &str, head: &[u8], complete: bool) -> Inspection {
        let mut out = Inspection::default();
        if head.contains(&0) {
            return out; // binary
        }
        let text = match std::str::from_utf8(head) {
            Ok(t) => t,
            // A multi-byte character cut at the end of the head is fine; anything else is not text.
            Err(e) if !complete && e.valid_up_to() + 4 > head.len() => {
                std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => return out,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        out.format = detect_format(text, &extension);
        match out.format {
            Some(Format::Json) => inspect_json(text, complete, &mut out),
            Some(Format::Jsonl) => inspect_jsonl(text, &mut out),
            Some(Format::Xml) => inspect_xml(text, &mut out),
            Some(Format::Markdown) => inspect_markdown(text, &mut out),
            Some(Format::Yaml) => inspect_yaml(text, complete, &mut out),
            Some(Format::Csv) => inspect_csv(text, &mut out),
            None => {}
        }
        out
    }
}

fn detect_format(text: &str, extension: &str) -> Option<Format> {
    // Extensions that say what a text file is win: a Markdown file may open with an HTML
    // comment or `[TOC]`, a YAML file with a flow sequence.
    match extension {
        "md" | "markdown" => return Some(Format::Markdown),
        "yaml" | "yml" => return Some(Format::Yaml),
        "csv" => return Some(Format::Csv),
        _ => {}
    }
    // Otherwise the content decides, so a misnamed report is still recognised.
    let start = text.trim_start();
    if start.starts_with('<') {
        return Some(Format::Xml);
    }
    if start.starts_with('{') || start.starts_with('[') {
        if matches!(extension, "jsonl" | "ndjson") {
            return Some(Format::Jsonl);
        }
        let mut lines = start.lines().filter(|l| !l.trim().is_empty());
        let first = lines.next().unwrap_or_default();
        let second = lines.next();
        let first_is_whole = serde_json::from_str::<IgnoredAny>(first).is_ok();
        return Some(if first_is_whole && second.is_some_and(|l| l.trim_start().starts_with('{')) {
            Format::Jsonl
        } else {
            Format::Json
        });
    }
    match extension {
        "json" => Some(Format::Json),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        _ if start.starts_with("---") => Some(Format::Yaml),
        _ => None,
    }
}

/// Collects top-level keys and short string values of a JSON object, even from a head
/// that is cut off mid-document: whatever was read before the cut is kept.
struct TopLevel<'a>(&'a mut Inspection);

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let value: ScalarOrSkip = map.next_value()?;
            if let ScalarOrSkip::Text(text) = value
                && text.len() <= 200
            {
                self.0.values.insert(key.clone(), text);
            }
            self.0.keys.insert(key);
        }
        Ok(())
    }
}

enum ScalarOrSkip {
    Text(String),
    Other,
}

impl<'de> de::Deserialize<'de> for ScalarOrSkip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScalarOrSkip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ScalarOrSkip, E> {
                Ok(ScalarOrSkip::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<ScalarOrSkip, E> {
                Ok(ScalarOrSkip::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<ScalarOrSkip, E> {
                Ok(ScalarOrSkip::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<ScalarOrSkip, E> {
                Ok(ScalarOrSkip::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<ScalarOrSkip, E> {
                Ok(ScalarOrSkip::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<ScalarOrSkip, E> {
                Ok(ScalarOrSkip::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<ScalarOrSkip, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ScalarOrSkip::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ScalarOrSkip, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(ScalarOrSkip::Other)
            }
        }
        d.deserialize_any(V)
    }
}

fn inspect_json(text: &str, complete: bool, out: &mut Inspection) {
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = de.deserialize_map(TopLevel(out));
    date_from_values(out);
    if out.date.is_none() && complete {
        // Dates nested one or two levels down, as common report formats put them.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            for pointer in
                ["/meta/validation_time", "/meta/run_id/run_time", "/analysis/date_end", "/metadata/timestamp"]
            {
                if let Some(date) = value.pointer(pointer).and_then(|v| v.as_str()).and_then(parse_date) {
                    out.date = Some(ContentDate { date, source: pointer.trim_start_matches('/').replace('/', ".") });
                    break;
                }
            }
        }
    }
}

fn inspect_jsonl(text: &str, out: &mut Inspection) {
    let mut newest: Option<ContentDate> = None;
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let mut record = Inspection::default();
        let mut de = serde_json::Deserializer::from_str(line);
        if de.deserialize_map(TopLevel(&mut record)).is_err() {
            continue; // a cut-off last line, or a bad one: later stages report bad lines
        }
        if i == 0 {
            out.keys = record.keys.clone();
            out.values = record.values.clone();
        }
        date_from_values(&mut record);
        if let Some(date) = record.date
            && newest.as_ref().is_none_or(|n| date.date > n.date)
        {
            newest = Some(ContentDate { date: date.date, source: format!("newest record {}", date.source) });
        }
    }
    out.date = newest;
}

fn inspect_xml(text: &str, out: &mut Inspection) {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>').map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    if let Some(after) = rest.strip_prefix('<') {
        let name: String = after.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
        // Compare roots without a namespace prefix: <ns2:testsuites> is a testsuites file.
        let local = name.rsplit(':').next().unwrap_or_default();
        if !local.is_empty() {
            out.xml_root = Some(local.to_ascii_lowercase());
        }
    }
    if let Some((_, after)) = rest.split_once("timestamp=\"")
        && let Some(date) = after.split('"').next().and_then(parse_date)
    {
        out.date = Some(ContentDate { date, source: "timestamp attribute".into() });
    }
}

fn inspect_markdown(text: &str, out: &mut Inspection) {
    let mut body = text;
    if let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) {
        let end = rest.find("\n---").unwrap_or(rest.len());
        let front = &rest[..end];
        out.front_matter_keys = top_level_yaml_keys(front);
        if let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(front) {
            for key in DATE_KEYS {
                if let Some(date) = map.get(*key).and_then(yaml_date) {
                    out.date = Some(ContentDate { date, source: format!("front matter {key}") });
                    break;
                }
            }
        }
        body = rest.get(end + 4..).unwrap_or_default();
    }
    let mut in_fence = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && trimmed.starts_with('#') {
            let heading = trimmed.trim_start_matches('#').trim();
            if !heading.is_empty() && out.headings.len() < 100 {
                out.headings.insert(heading.to_lowercase());
            }
        }
    }
}

fn inspect_yaml(text: &str, complete: bool, out: &mut Inspection) {
    out.keys = top_level_yaml_keys(text);
    let parsed = if complete { serde_yaml::from_str::<serde_yaml::Value>(text).ok() } else { None };
    if let Some(serde_yaml::Value::Mapping(map)) = parsed {
        for (key, value) in &map {
            if let (Some(key), Some(text)) = (key.as_str(), value.as_str())
                && text.len() <= 200
            {
                out.values.insert(key.to_string(), text.to_string());
            }
        }
        for key in DATE_KEYS {
            if let Some(date) = map.get(*key).and_then(yaml_date) {
                out.date = Some(ContentDate { date, source: (*key).to_string() });
                break;
            }
        }
    }
}

fn inspect_csv(text: &str, out: &mut Inspection) {
    if let Some(header) = text.lines().next() {
        out.keys =
            header.split(',').map(|cell| cell.trim().trim_matches('"').to_string()).filter(|c| !c.is_empty()).collect();
    }
}

/// Keys of a YAML mapping at column 0 (`key:`), found line by line so that a truncated or
/// partly broken document still yields its keys.
fn top_level_yaml_keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().trim_matches('"').trim_matches('\'')))
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .map(str::to_string)
        .collect()
}

fn date_from_values(out: &mut Inspection) {
    if out.date.is_some() {
        return;
    }
    for key in DATE_KEYS {
        if let Some(date) = out.values.get(*key).and_then(|v| parse_date(v)) {
            out.date = Some(ContentDate { date, source: (*key).to_string() });
            return;
        }
    }
}

fn yaml_date(value: &serde_yaml::Value) -> Option<NaiveDate> {
    match value {
        serde_yaml::Value::String(s) => parse_date(s),
        serde_yaml::Value::Tagged(t) => yaml_date(&t.value),
        _ => None,
    }
}

/// Reads the date at the start of an ISO-8601 date or date-time.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect(path: &str, text: &str) -> Inspection {
        Inspection::of(path, text.as_bytes(), true)
    }

    #[test]
    fn json_keys_values_and_dates() {
        let i = inspect("a.json", r#"{"generated_at": "2026-10-20T10:00:00Z", "metrics": {"x": 1}, "n": 3}"#);
        assert_eq!(i.format, Some(Format::Json));
        assert_eq!(i.keys.iter().map(String::as_str).collect::<Vec<_>>(), ["generated_at", "metrics", "n"]);
        assert_eq!(i.date.unwrap().date, NaiveDate::from_ymd_opt(2026, 10, 20).unwrap());
    }

    #[test]
    fn truncated_json_still_yields_the_keys_before_the_cut() {
        let text = r#"{"sensitive_features": ["sex"], "metrics": {"selection_rate": {"overall": 0.4, "by_gro"#;
        let i = Inspection::of("bias.json", text.as_bytes(), false);
        assert!(i.keys.contains("sensitive_features"));
    }

    #[test]
    fn misnamed_junit_is_xml_by_content() {
        let text = "<?xml version=\"1.0\"?>\n<!-- adversarial harness -->\n<testsuites><testsuite timestamp=\"2026-11-02T09:00:00\">";
        let i = inspect("eval/results.txt", text);
        assert_eq!(i.format, Some(Format::Xml));
        assert_eq!(i.xml_root.as_deref(), Some("testsuites"));
        assert_eq!(i.date.unwrap().source, "timestamp attribute");
    }

    #[test]
    fn markdown_is_markdown_whatever_it_opens_with() {
        let i = inspect("card.md", "<!-- generated -->\n# Model Details\n");
        assert_eq!(i.format, Some(Format::Markdown));
        assert!(i.headings.contains("model details"));
        assert_eq!(inspect("toc.md", "[TOC]\n# Uses\n").format, Some(Format::Markdown));
    }

    #[test]
    fn markdown_front_matter_and_headings() {
        let i = inspect("card.md", "---\nmodel-index: []\ndate: 2026-10-28\n---\n# Model Details\ntext\n## Uses\n");
        assert!(i.front_matter_keys.contains("model-index"));
        assert!(i.headings.contains("model details"));
        let fenced = inspect("r.md", "```sh\n# Model Details\n```\n# Usage\n");
        assert!(!fenced.headings.contains("model details") && fenced.headings.contains("usage"));
        let ns = inspect("r.xml", "<ns2:testsuites xmlns:ns2=\"x\"/>");
        assert_eq!(ns.xml_root.as_deref(), Some("testsuites"));
        assert_eq!(i.date.unwrap().source, "front matter date");
    }

    #[test]
    fn jsonl_takes_first_record_keys_and_newest_date() {
        let text = "{\"timestamp\": \"2026-11-18T00:00:00Z\", \"query\": \"q\"}\n{\"timestamp\": \"2026-11-20T00:00:00Z\", \"query\": \"r\"}\nnot json\n";
        let i = inspect("log.jsonl", text);
        assert_eq!(i.format, Some(Format::Jsonl));
        assert!(i.keys.contains("query"));
        assert_eq!(i.date.unwrap().date, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    }

    #[test]
    fn binary_and_garbage_yield_nothing_but_do_not_fail() {
        assert_eq!(Inspection::of("x.bin", &[0, 159, 146, 150], true), Inspection::default());
        let i = inspect("x.json", "{ not json at all");
        assert_eq!(i.format, Some(Format::Json));
        assert!(i.keys.is_empty());
    }
}
