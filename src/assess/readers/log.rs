//! JSON Lines logs (inference, human-override and RAG audit logs), read line by line as
//! the bytes are hashed, so a log of any size is read in bounded memory: records and bad
//! lines, the time span and the largest gap, which keys the records carry, the actions
//! of override logs and the faithfulness scores of RAG logs.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::MAX_DOCUMENT_BYTES;
use crate::collect::{ContentReader, Reading};
use crate::model::document::{Document, LogStats};
use crate::model::finding::{Code, Finding};

/// Reads a log as it streams past.
pub(super) struct LogReader {
    path: String,
    stats: LogStats,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// Lines seen so far (blank ones included), for line numbers.
    lines: u64,
    previous: Option<DateTime<FixedOffset>>,
    first_bad: Option<(u64, String)>,
    kept: Option<Vec<u8>>,
}

impl LogReader {
    pub(super) fn new(path: &str, keep: bool) -> Self {
        LogReader {
            path: path.to_string(),
            stats: LogStats::default(),
            partial: Vec::new(),
            lines: 0,
            previous: None,
            first_bad: None,
            kept: keep.then(Vec::new),
        }
    }

    fn line(&mut self, line: &[u8]) {
        self.lines += 1;
        let text = String::from_utf8_lossy(line);
        if text.trim().is_empty() {
            return;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(record)) => self.record(&record),
            Ok(_) | Err(_) => {
                self.stats.bad_lines += 1;
                if self.first_bad.is_none() {
                    let why = serde_json::from_str::<Value>(&text)
                        .err()
                        .map_or("not a JSON object".into(), |e| e.to_string());
                    self.first_bad = Some((self.lines, why));
                }
            }
        }
    }

    fn record(&mut self, record: &serde_json::Map<String, Value>) {
        let stats = &mut self.stats;
        stats.records += 1;
        for key in record.keys() {
            *stats.key_counts.entry(key.clone()).or_default() += 1;
        }
        if let Some(action) = record.get("action").and_then(Value::as_str)
            && (stats.actions.len() < 64 || stats.actions.contains_key(action))
        {
            *stats.actions.entry(action.to_string()).or_default() += 1;
        }
        if let Some(score) =
            record.get("faithfulness_score").or_else(|| record.get("faithfulness")).and_then(Value::as_f64)
        {
            stats.faithfulness.push(score);
        }
        let time = ["timestamp", "time", "inferenceTime", "event_time"]
            .iter()
            .find_map(|k| record.get(*k).and_then(Value::as_str))
            .or_else(|| record.get("eventMetadata").and_then(|m| m.get("inferenceTime")).and_then(Value::as_str));
        if let Some(parsed) = time.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
            if let Some(prev) = self.previous {
                let gap = (parsed - prev).num_seconds();
                stats.largest_gap_seconds = Some(stats.largest_gap_seconds.map_or(gap, |g| g.max(gap)));
            }
            self.previous = Some(parsed);
            let stamp = time.unwrap_or_default().to_string();
            if stats.first.is_none() {
                stats.first = Some(stamp.clone());
            }
            stats.last = Some(stamp);
        }
    }
}

impl ContentReader for LogReader {
    fn feed(&mut self, chunk: &[u8]) {
        if let Some(kept) = self.kept.as_mut()
            && (kept.len() + chunk.len()) as u64 <= MAX_DOCUMENT_BYTES
        {
            kept.extend_from_slice(chunk);
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
        let mut findings = Vec::new();
        if let Some((line, why)) = self.first_bad.take() {
            let bad = self.stats.bad_lines;
            let more = if bad > 1 { format!(" ({bad} bad lines in all)") } else { String::new() };
            findings.push(
                Finding::at(
                    Code::LogLineInvalid,
                    &self.path,
                    format!("log line is not a JSON record: {why}{more}; the other records are used"),
                )
                .on_line(line),
            );
        }
        let LogReader { stats, kept, .. } = *self;
        Reading { document: Some(Box::new(Document::Log(stats).finish())), findings, kept }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_gaps_and_bad_lines_whatever_the_chunks() {
        let text = "{\"timestamp\": \"2026-11-18T10:00:00Z\", \"input\": 1}\nnot json\n\n{\"timestamp\": \"2026-11-18T10:30:00Z\", \"input\": 2, \"actor\": \"svc\", \"action\": \"override\"}";
        for size in [1, 3, 7, 64, 4096] {
            let mut reader: Box<dyn ContentReader> = Box::new(LogReader::new("logs/a.jsonl", false));
            for chunk in text.as_bytes().chunks(size) {
                reader.feed(chunk);
            }
            let reading = reader.finish();
            let Some(Document::Log(s)) = reading.document.as_deref() else { panic!() };
            assert_eq!((s.records, s.bad_lines), (2, 1), "chunks of {size}");
            assert_eq!(s.largest_gap_seconds, Some(1800));
            assert_eq!((s.key_counts["input"], s.key_counts["actor"]), (2, 1));
            assert_eq!(s.override_rate, Some(1.0));
            assert_eq!(reading.findings[0].code, Code::LogLineInvalid);
            assert_eq!(reading.findings[0].line, Some(2));
        }
    }
}
