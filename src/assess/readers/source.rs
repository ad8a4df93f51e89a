//! The file a reader reads: its path and text, the findings and date the reader reports,
//! and the helpers every reader walks JSON and YAML with.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::formats::Syntax;
use crate::collect::inspect::{ContentDate, parse_date};
use crate::model::finding::{Code, Finding};

/// One file being read.
pub(super) struct Source<'a> {
    /// Path relative to the evidence root.
    pub path: &'a str,
    /// The file's text (invalid UTF-8 replaced).
    pub text: &'a str,
    /// Problems found while reading.
    pub findings: Vec<Finding>,
    /// The date the content states, when the reader knows where the format keeps it.
    pub date: Option<ContentDate>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Self {
        Source { path, text, findings: Vec::new(), date: None }
    }

    /// Parses the text as JSON or YAML. A parse error is a finding (with its line) only
    /// when the file was expected to be read; otherwise the file is left alone.
    pub fn parse(&mut self, syntax: Syntax, expected: bool) -> Option<Value> {
        let parsed: Result<Value, (String, Option<u64>)> = match syntax {
            Syntax::Yaml => serde_yaml::from_str::<Value>(self.text)
                .map_err(|e| (e.to_string(), e.location().map(|l| l.line() as u64))),
            _ => serde_json::from_str::<Value>(self.text).map_err(|e| (e.to_string(), Some(e.line() as u64))),
        };
        match parsed {
            Ok(v) => Some(v),
            Err((message, line)) => {
                if expected {
                    let kind = if syntax == Syntax::Yaml { "YAML" } else { "JSON" };
                    self.findings.push(
                        Finding::at(Code::EvidenceUnparseable, self.path, format!("not valid {kind}: {message}"))
                            .on_line(line),
                    );
                }
                None
            }
        }
    }

    /// Records the date the content states, from a timestamp or date as written, with
    /// where it was found; the first date a reader records wins.
    pub fn date_from(&mut self, text: &str, field: &str) {
        if self.date.is_none()
            && let Some(date) = day_of(text)
        {
            self.date = Some(ContentDate { date, source: field.to_string() });
        }
    }

    /// A finding about this file.
    pub fn finding(&mut self, code: Code, message: impl Into<String>) {
        self.findings.push(Finding::at(code, self.path, message));
    }
}

/// The UTC day of a timestamp or date as tools write them: RFC 3339, `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM:SS[.ffffff]` (taken as UTC), or Unix seconds, milliseconds or
/// nanoseconds.
pub(super) fn day_of(text: &str) -> Option<NaiveDate> {
    timestamp(text).map(|t| t.date_naive()).or_else(|| parse_date(text))
}

/// A timestamp as tools write it, in UTC.
pub(super) fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y%m%dT%H%M%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let digits = text.split('.').next().unwrap_or(text);
    if !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return epoch(text.parse::<f64>().ok()?);
    }
    None
}

/// A Unix time in seconds, milliseconds, microseconds or nanoseconds, told apart by size
/// (any of them for a date between 1973 and 2286).
pub(super) fn epoch(n: f64) -> Option<DateTime<Utc>> {
    if !n.is_finite() || n < 1e8 {
        return None;
    }
    let seconds = match n {
        n if n < 1e10 => n,
        n if n < 1e13 => n / 1e3,
        n if n < 1e16 => n / 1e6,
        n => n / 1e9,
    };
    DateTime::from_timestamp(seconds.trunc() as i64, ((seconds.fract()) * 1e9) as u32)
}

/// The 1-based line of `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// A number, also when written as a string (`"0.91"`), as several tools do.
pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// A non-empty string, or a number as written.
pub(super) fn string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The string at a JSON pointer.
pub(super) fn string_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(string)
}

/// Whether `v` is an object holding every one of `keys`.
pub(super) fn has_keys(v: &Value, keys: &[&str]) -> bool {
    v.as_object().is_some_and(|m| keys.iter().all(|k| m.contains_key(*k)))
}

/// Whether `v` is an object holding at least one of `keys`.
pub(super) fn has_any(v: &Value, keys: &[&str]) -> bool {
    v.as_object().is_some_and(|m| keys.iter().any(|k| m.contains_key(*k)))
}

/// Where `key` first stands as a key in `text` at or after byte `from`: `"key"` in JSON,
/// `key:` at a line's start (after indentation) in YAML; the end of the text when it
/// does not.
pub(super) fn key_position(text: &str, key: &str, from: usize) -> usize {
    let rest = text.get(from..).unwrap_or_default();
    let quoted = format!("\"{key}\"");
    let json = rest.find(&quoted);
    let yaml = || {
        let bare = format!("{key}:");
        let mut at = 0;
        while let Some(i) = rest[at..].find(&bare) {
            let start = at + i;
            let line_start = rest[..start].rfind('\n').map_or(0, |n| n + 1);
            if rest[line_start..start].trim_start_matches([' ', '-']).is_empty() {
                return Some(start);
            }
            at = start + bare.len();
        }
        None
    };
    json.or_else(yaml).map_or(text.len(), |i| from + i)
}

/// Puts `items` in the order their keys stand in the text after byte `from`: the order of
/// the file, which a parsed map does not keep. Items whose key is not found keep their
/// order, at the end.
pub(super) fn in_file_order<T>(text: &str, from: usize, items: &mut [T], key: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|item| key_position(text, key(item), from));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_the_shapes_tools_write_them() {
        let day = |s: &str| day_of(s).map(|d| d.to_string());
        assert_eq!(day("2026-11-30T23:30:00-02:00").as_deref(), Some("2026-12-01"));
        assert_eq!(day("2026-11-30 10:00:00.123456").as_deref(), Some("2026-11-30"));
        assert_eq!(day("2026-11-30").as_deref(), Some("2026-11-30"));
        assert_eq!(day("1796040000").as_deref(), Some("2026-11-30"));
        assert_eq!(day("1796040000123").as_deref(), Some("2026-11-30"));
        assert_eq!(day("1796040000123456789").as_deref(), Some("2026-11-30"));
        assert_eq!(day("1796040000.5").as_deref(), Some("2026-11-30"));
        assert_eq!(day("soon"), None);
        assert_eq!(day("12"), None, "a small number is not a time");
    }
}

/// The 1-based line where the value at JSON `pointer` starts in the JSON `text`; none when
/// the text has no such value. A small scanner rather than a parse, as serde_json keeps no
/// positions: it follows object keys and array indices and knows strings and escapes.
pub(super) fn line_of_pointer(text: &str, pointer: &str) -> Option<u64> {
    let target: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
    };
    struct Frame {
        array: bool,
        index: usize,
        key: Option<String>,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut value_next = true;
    let mut key_next = false;
    let mut i = 0;
    let matches = |stack: &[Frame]| {
        stack.len() == target.len()
            && stack
                .iter()
                .zip(&target)
                .all(|(f, t)| if f.array { f.index.to_string() == *t } else { f.key.as_deref() == Some(t.as_str()) })
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let end = i.min(bytes.len() - 1);
            if key_next {
                let key = serde_json::from_str::<String>(&text[start..=end])
                    .unwrap_or_else(|_| text[start + 1..end].to_string());
                if let Some(frame) = stack.last_mut() {
                    frame.key = Some(key);
                }
                key_next = false;
            } else if value_next {
                if matches(&stack) {
                    return Some(line_at(text, start));
                }
                value_next = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'{' | b'[' => {
                if value_next && matches(&stack) {
                    return Some(line_at(text, i));
                }
                stack.push(Frame { array: b == b'[', index: 0, key: None });
                value_next = b == b'[';
                key_next = b == b'{';
            }
            b'}' | b']' => {
                stack.pop();
                value_next = false;
                key_next = false;
            }
            b':' => value_next = true,
            b',' => match stack.last_mut() {
                Some(frame) if frame.array => {
                    frame.index += 1;
                    value_next = true;
                }
                Some(_) => key_next = true,
                None => {}
            },
            _ => {
                if value_next {
                    if matches(&stack) {
                        return Some(line_at(text, i));
                    }
                    value_next = false;
                }
                while i + 1 < bytes.len() && !matches!(bytes[i + 1], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod pointer_tests {
    use super::line_of_pointer;

    #[test]
    fn pointers_find_their_lines() {
        let text = "{\n    \"a\": {\n        \"b\": [\n            1,\n            {\"c\": \"x,}\"},\n            \"d\"\n        ]\n    },\n    \"e\\\"f\": true\n}\n";
        assert_eq!(line_of_pointer(text, ""), Some(1));
        assert_eq!(line_of_pointer(text, "/a"), Some(2));
        assert_eq!(line_of_pointer(text, "/a/b"), Some(3));
        assert_eq!(line_of_pointer(text, "/a/b/0"), Some(4));
        assert_eq!(line_of_pointer(text, "/a/b/1/c"), Some(5));
        assert_eq!(line_of_pointer(text, "/a/b/2"), Some(6));
        assert_eq!(line_of_pointer(text, "/e\"f"), Some(9));
        assert_eq!(line_of_pointer(text, "/a/b/3"), None);
        assert_eq!(line_of_pointer(text, "/z"), None);
    }
}
