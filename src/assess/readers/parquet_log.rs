//! Parquet logs (`inference_audit_logs/YYYY/MM/DD/*.parquet`), read with the same
//! statistics and checks as JSON Lines logs: records, time span and gaps, and how many
//! records carry each record-keeping field.
//!
//! Parquet keeps its index at the end of the file, so it cannot be read as the bytes
//! stream past: once the file is hashed, it is read again through the same open file,
//! one row group at a time and only the time column in full; field coverage comes from
//! each column chunk's null count (or its definition levels where the writer kept no
//! statistics). Collection then hashes the file once more: if the bytes are not the ones
//! hashed first, the file changed while it was read, and nothing read from it is kept.

use std::fs::File;
use std::sync::Arc;

use parquet::basic::{LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, SerializedFileReader};

use chrono::{DateTime, SecondsFormat, Utc};

use super::log::{LogAccumulator, RECORD_FIELDS};
use super::source::{epoch, timestamp};
use super::{FieldNames, MAX_DOCUMENT_BYTES, Readers};
use crate::collect::{ContentReader, Reading};
use crate::model::document::Document;
use crate::model::finding::{Code, Finding};

/// Column names a log's record time is kept under, in order of preference.
const TIME_COLUMNS: [&str; 6] = ["timestamp", "time", "event_time", "inference_time", "ts", "@timestamp"];
/// Values read from the time column at a time.
const BATCH: usize = 16 * 1024;

/// Reads a Parquet log once its bytes are hashed.
pub(super) struct ParquetReader {
    path: String,
    fields: Arc<FieldNames>,
    kept: Option<Vec<u8>>,
}

impl ParquetReader {
    pub(super) fn new(readers: &Readers, path: &str, keep: bool) -> Self {
        ParquetReader { path: path.to_string(), fields: readers.fields.clone(), kept: keep.then(Vec::new) }
    }
}

impl ContentReader for ParquetReader {
    fn feed(&mut self, chunk: &[u8]) {
        if let Some(kept) = self.kept.as_mut()
            && (kept.len() + chunk.len()) as u64 <= MAX_DOCUMENT_BYTES
        {
            kept.extend_from_slice(chunk);
        }
    }

    fn needs_file(&self) -> bool {
        true
    }

    fn finish(self: Box<Self>) -> Reading {
        Reading { kept: self.kept, ..Reading::default() }
    }

    fn finish_with_file(self: Box<Self>, file: &File) -> Reading {
        let mut reading = Reading { kept: self.kept.clone(), ..Reading::default() };
        // The parquet crate reads untrusted footers and pages; should it panic on one, the
        // file is reported as unreadable rather than ending the build.
        let fields = &self.fields;
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            file.try_clone().map_err(parquet::errors::ParquetError::from).and_then(|f| read(f, fields))
        }))
        .unwrap_or_else(|_| Err(parquet::errors::ParquetError::General("the file's structure is malformed".into())));
        match read {
            Ok((log, not_carried)) => {
                reading.date = log
                    .stats
                    .last
                    .as_deref()
                    .and_then(super::source::day_of)
                    .map(|d| super::content_date(d, "the latest record"));
                let stats = log.finish("parquet-log".into(), &not_carried);
                reading.document = Some(Box::new(Document::Log(stats).finish()));
                reading.format = Some("parquet-log".into());
                reading.implied_type = Some(super::formats::get("parquet-log").evidence_type.to_string());
            }
            Err(e) => reading.findings.push(Finding::at(
                Code::EvidenceUnparseable,
                &self.path,
                format!("not a readable Parquet file: {e}"),
            )),
        }
        reading
    }
}

/// How a column's values are times.
#[derive(Clone, Copy)]
enum TimeColumn {
    /// Integers counting this many units per second (a Parquet timestamp).
    Integer(i64),
    /// Numbers whose unit is told by their size (epoch seconds, milliseconds, ...).
    Epoch,
    /// Text, RFC 3339 or similar.
    Text,
}

fn read(file: File, fields: &FieldNames) -> parquet::errors::Result<(LogAccumulator, Vec<&'static str>)> {
    let reader = SerializedFileReader::new(file)?;
    let metadata = reader.metadata();
    let schema = metadata.file_metadata().schema_descr();
    let columns: Vec<(String, parquet::schema::types::ColumnDescPtr)> = (0..schema.num_columns())
        .map(|i| {
            let c = schema.column(i);
            (c.path().parts().first().cloned().unwrap_or_default(), c)
        })
        .collect();
    let index = |name: &str| columns.iter().position(|(n, _)| n == name);
    // The record-keeping fields whose names are columns, and the time column.
    let field_columns: Vec<(String, usize)> = fields
        .iter()
        .filter_map(|(field, names)| names.iter().find_map(|n| index(n)).map(|i| (field.clone(), i)))
        .collect();
    let time = TIME_COLUMNS.iter().find_map(|n| index(n)).and_then(|i| {
        let c = &columns[i].1;
        let kind = match (c.physical_type(), c.logical_type_ref()) {
            (Physical::INT64, Some(LogicalType::Timestamp(t))) => TimeColumn::Integer(match t.unit {
                TimeUnit::MILLIS => 1_000,
                TimeUnit::MICROS => 1_000_000,
                TimeUnit::NANOS => 1_000_000_000,
            }),
            (Physical::INT64 | Physical::INT32 | Physical::DOUBLE, _) => TimeColumn::Epoch,
            (Physical::BYTE_ARRAY, _) => TimeColumn::Text,
            _ => return None,
        };
        Some((i, kind, c.max_def_level()))
    });
    // A field the schema has no column for cannot be in any record.
    let not_carried: Vec<&'static str> = RECORD_FIELDS
        .into_iter()
        .filter(|f| match *f {
            "time" => time.is_none(),
            f => fields.contains_key(f) && !field_columns.iter().any(|(name, _)| name == f),
        })
        .collect();
    let mut log = LogAccumulator::default();
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g)?;
        let rows = group.metadata().num_rows().max(0) as u64;
        log.stats.records += rows;
        // How many of this group's records carry each field: rows less the column's nulls.
        for (field, i) in &field_columns {
            let nulls = match group.metadata().column(*i).statistics().and_then(|s| s.null_count_opt()) {
                Some(n) => n,
                None => count_nulls(group.get_column_reader(*i)?, columns[*i].1.max_def_level())?,
            };
            log.carry(field, rows.saturating_sub(nulls));
        }
        if let Some((i, kind, max_def)) = time {
            let timed = read_times(group.get_column_reader(i)?, kind, max_def, &mut log)?;
            log.carry("time", timed);
        }
    }
    Ok((log, not_carried))
}

/// Reads a column chunk in batches: `each` gets every present value; returns how many
/// values were null.
fn scan<T: parquet::data_type::DataType>(
    mut r: parquet::column::reader::ColumnReaderImpl<T>,
    max_def: i16,
    mut each: impl FnMut(&T::T),
) -> parquet::errors::Result<u64> {
    let (mut defs, mut values, mut nulls) = (Vec::new(), Vec::new(), 0u64);
    loop {
        defs.clear();
        values.clear();
        let (records, _, levels) = r.read_records(BATCH, (max_def > 0).then_some(&mut defs), None, &mut values)?;
        if max_def > 0 {
            nulls += defs[..levels].iter().filter(|d| **d < max_def).count() as u64;
        }
        values.iter().for_each(&mut each);
        if records == 0 {
            return Ok(nulls);
        }
    }
}

/// The nulls in a column chunk, from its definition levels.
fn count_nulls(column: ColumnReader, max_def: i16) -> parquet::errors::Result<u64> {
    if max_def == 0 {
        return Ok(0);
    }
    match column {
        ColumnReader::BoolColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::Int32ColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::Int64ColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::Int96ColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::FloatColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::DoubleColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::ByteArrayColumnReader(r) => scan(r, max_def, |_| {}),
        ColumnReader::FixedLenByteArrayColumnReader(r) => scan(r, max_def, |_| {}),
    }
}

/// Feeds a row group's record times, in order, to `log`; returns how many records had one.
fn read_times(
    column: ColumnReader,
    kind: TimeColumn,
    max_def: i16,
    log: &mut LogAccumulator,
) -> parquet::errors::Result<u64> {
    let mut timed = 0u64;
    let mut at = |t: Option<DateTime<Utc>>, written: &dyn Fn() -> String| {
        if let Some(t) = t {
            timed += 1;
            log.time(t, written);
        }
    };
    let iso = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    match column {
        ColumnReader::Int64ColumnReader(r) => {
            scan(r, max_def, |x| {
                let t = match kind {
                    TimeColumn::Integer(per_second) => DateTime::from_timestamp(
                        x.div_euclid(per_second),
                        (x.rem_euclid(per_second) * (1_000_000_000 / per_second)) as u32,
                    ),
                    _ => epoch(*x as f64),
                };
                at(t, &|| t.map(iso).unwrap_or_default());
            })?;
        }
        ColumnReader::Int32ColumnReader(r) => {
            scan(r, max_def, |x| {
                let t = epoch(f64::from(*x));
                at(t, &|| t.map(iso).unwrap_or_default());
            })?;
        }
        ColumnReader::DoubleColumnReader(r) => {
            scan(r, max_def, |x| {
                let t = epoch(*x);
                at(t, &|| t.map(iso).unwrap_or_default());
            })?;
        }
        ColumnReader::ByteArrayColumnReader(r) => {
            scan(r, max_def, |x| {
                let text = std::str::from_utf8(x.data()).unwrap_or_default();
                at(timestamp(text), &|| text.to_string());
            })?;
        }
        _ => {}
    }
    Ok(timed)
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use crate::model::finding::Code;

    #[test]
    fn bytes_that_are_not_parquet_are_a_finding_not_a_crash() {
        for junk in ["", "PAR1", "PAR1\0\0\0\0PAR1", "PAR1 not really a parquet file at all\u{7f}PAR1"] {
            let (doc, findings) = read("logs/part-0.parquet", "inference-log", junk);
            assert!(doc.is_none(), "{junk:?}");
            assert_eq!(findings.len(), 1, "{junk:?}");
            assert_eq!(findings[0].code, Code::EvidenceUnparseable);
            assert!(findings[0].message.starts_with("not a readable Parquet file"), "{}", findings[0].message);
        }
    }
}

#[cfg(test)]
mod fuzz_regressions {
    use super::super::{Readers, read_bytes};
    use crate::model::evidence::Facts;
    use crate::model::finding::Code;

    /// Found by the `parquet` fuzz target: a data page says it is dictionary-encoded, but
    /// the column chunk has no dictionary page, and the parquet crate (60.1) panics.
    #[test]
    fn a_data_page_without_its_dictionary_is_a_finding() {
        let bytes = include_bytes!("../../../tests/fixtures/fuzz/parquet-dictionary-page-missing.parquet");
        let facts = Facts { evidence_type: Some("inference-log".into()), ..Facts::unmatched() };
        let reading = read_bytes(&Readers::default(), "logs/part-0.parquet", &facts, bytes);
        assert!(reading.document.is_none());
        assert_eq!(reading.findings.len(), 1);
        assert_eq!(reading.findings[0].code, Code::EvidenceUnparseable);
    }
}
