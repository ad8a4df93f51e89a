//! Peak memory and time of reading a large Parquet audit log (`cargo bench --bench
//! parquet_log`): the target is a log of 10 million records read in under 200 MiB.
//!
//! Writes `ROWS` records (default 10,000,000) as pyarrow lays out such a log: a
//! millisecond timestamp column, a request id, an output and a latency with some nulls,
//! in row groups of 1,000,000 rows, Snappy-compressed. Then runs the release `dossier
//! explain --json` on it under `/usr/bin/time` and reports the wall time, the peak
//! resident memory, and the statistics read (so a reader that skipped rows shows).
//! Baseline: `sha256sum` of the same file under the same timer (every byte read and
//! hashed once, which dossier does too before it reads the log).

// The figures printed are this program's whole output.
#![allow(clippy::print_stdout)]

use std::fs::File;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

const GROUP: usize = 1_000_000;

fn write_log(path: &Path, rows: usize) {
    let schema = parse_message_type(
        "message audit {
            REQUIRED INT64 timestamp (TIMESTAMP(MILLIS,true));
            REQUIRED BYTE_ARRAY request_id (UTF8);
            OPTIONAL BYTE_ARRAY output (UTF8);
            OPTIONAL DOUBLE latency_ms;
        }",
    )
    .unwrap();
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), Arc::new(schema), Arc::new(props)).unwrap();
    let start: i64 = 1_796_000_000_000;
    let mut written = 0;
    while written < rows {
        let n = GROUP.min(rows - written);
        let mut group = writer.next_row_group().unwrap();
        let times: Vec<i64> = (0..n).map(|i| start + ((written + i) as i64) * 250).collect();
        let mut c = group.next_column().unwrap().unwrap();
        c.typed::<Int64Type>().write_batch(&times, None, None).unwrap();
        c.close().unwrap();
        let ids: Vec<ByteArray> = (0..n).map(|i| ByteArray::from(format!("req-{:09}", written + i).as_str())).collect();
        let mut c = group.next_column().unwrap().unwrap();
        c.typed::<ByteArrayType>().write_batch(&ids, None, None).unwrap();
        c.close().unwrap();
        // One record in a thousand has no output; one in a hundred no latency.
        let defs: Vec<i16> = (0..n).map(|i| i16::from((written + i) % 1000 != 0)).collect();
        let outputs: Vec<ByteArray> = defs.iter().filter(|d| **d == 1).map(|_| ByteArray::from("approve")).collect();
        let mut c = group.next_column().unwrap().unwrap();
        c.typed::<ByteArrayType>().write_batch(&outputs, Some(&defs), None).unwrap();
        c.close().unwrap();
        let defs: Vec<i16> = (0..n).map(|i| i16::from((written + i) % 100 != 0)).collect();
        let latencies: Vec<f64> = defs.iter().filter(|d| **d == 1).map(|_| 12.5).collect();
        let mut c = group.next_column().unwrap().unwrap();
        c.typed::<DoubleType>().write_batch(&latencies, Some(&defs), None).unwrap();
        c.close().unwrap();
        group.close().unwrap();
        written += n;
    }
    writer.close().unwrap();
}

/// Runs `program args` under `/usr/bin/time`: (seconds, peak MiB, stdout).
fn measured(program: &str, args: &[&str]) -> (f64, f64, String) {
    let out = Command::new("/usr/bin/time").args(["-f", "%e %M"]).arg(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} failed: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let mut parts = last.split_whitespace();
    let seconds: f64 = parts.next().unwrap().parse().unwrap();
    let kib: f64 = parts.next().unwrap().parse().unwrap();
    (seconds, kib / 1024.0, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    let rows: usize = std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(10_000_000);
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("inference_audit_logs/2026/11/30");
    std::fs::create_dir_all(&logs).unwrap();
    let file = logs.join("part-0.parquet");
    write_log(&file, rows);
    let size = std::fs::metadata(&file).unwrap().len();
    let file = file.to_str().unwrap();
    let root = dir.path().to_str().unwrap();

    let (base_s, base_mib, _) = measured("sha256sum", &[file]);
    let (s, mib, out) = measured(env!("CARGO_BIN_EXE_dossier"), &["explain", file, "--evidence", root, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let doc = &v["artifact"]["document"];
    println!("parquet log: {rows} records, {:.1} MiB on disk", size as f64 / 1048576.0);
    println!("  read       records {}, first {}, last {}", doc["records"], doc["first"], doc["last"]);
    println!("  fields     {}", doc["fields"]);
    println!("  dossier    {s:.2} s, peak {mib:.1} MiB");
    println!("  sha256sum  {base_s:.2} s, peak {base_mib:.1} MiB (baseline: every byte hashed once)");
    println!(
        "  ratio      {:.1}x the baseline's time; target: peak under 200 MiB: {}",
        s / base_s.max(0.01),
        if mib < 200.0 { "met" } else { "MISSED" }
    );
    assert_eq!(doc["records"].as_u64(), Some(rows as u64));
}
