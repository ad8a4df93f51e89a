//! `matrix.json` and `matrix.csv`: the traceability matrix on its own, every framework
//! with every requirement, and every artifact with its classification.

use std::io::{self, Write};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Streamed, pretty_json};
use crate::diag::{Error, Result};
use crate::digest::Sha256Digest;
use crate::model::evidence::Facts;
use crate::model::matrix::{EvidenceMode, FrameworkResult};
use crate::model::system::SystemScope;
use crate::render::{Output, Phase, RenderContext};

/// The value of the matrix's `format` field.
pub const FORMAT: &str = "dossier-matrix";
/// The matrix schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// File name of the matrix data in a package.
pub const MATRIX_JSON: &str = "matrix.json";
/// File name of the spreadsheet form in a package.
pub const MATRIX_CSV: &str = "matrix.csv";

/// The matrix file (schema version 1).
#[derive(Serialize)]
#[serde(bound(serialize = "Streamed<F>: Serialize"))]
struct MatrixFile<'a, F> {
    format: &'static str,
    schema_version: u32,
    assessed_on: NaiveDate,
    system: &'a SystemScope,
    frameworks: &'a [FrameworkResult],
    artifacts: Streamed<F>,
}

/// An artifact as the matrix lists it: its classification, not what it says.
#[derive(Serialize)]
struct Classified<'a> {
    path: &'a str,
    sha256: Sha256Digest,
    size: u64,
    #[serde(flatten)]
    facts: &'a Facts,
}

/// `matrix.json`.
pub struct MatrixJson;

impl Output for MatrixJson {
    fn file(&self) -> &'static str {
        MATRIX_JSON
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let a = cx.assessment()?;
        let file = MatrixFile {
            format: FORMAT,
            schema_version: SCHEMA_VERSION,
            assessed_on: a.assessed_on,
            system: &a.scope,
            frameworks: &a.frameworks,
            artifacts: Streamed(|| {
                a.artifacts.iter().map(|x| Classified {
                    path: &x.path,
                    sha256: x.sha256,
                    size: x.size,
                    facts: &x.facts,
                })
            }),
        };
        pretty_json(&file, out).map_err(|e| Error::io("write", MATRIX_JSON, e))
    }
}

/// `matrix.csv`.
pub struct MatrixCsv;

impl Output for MatrixCsv {
    fn file(&self) -> &'static str {
        MATRIX_CSV
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let mut out = io::BufWriter::with_capacity(256 * 1024, out);
        write_csv(&cx.assessment()?.frameworks, &mut out)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("write", MATRIX_CSV, e))
    }
}

/// The matrix as CSV (RFC 4180), one row per requirement, for spreadsheets. Cells that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) are prefixed with `'`.
fn write_csv(frameworks: &[FrameworkResult], out: &mut dyn Write) -> io::Result<()> {
    let header = [
        "framework",
        "requirement",
        "reference",
        "title",
        "status",
        "summary",
        "evidence_needed",
        "artifacts",
        "sha256",
        "related",
    ];
    push_row(out, header.iter().map(|s| s.to_string()))?;
    for f in frameworks {
        for r in &f.requirements {
            let needed = r
                .evidence
                .iter()
                .map(|n| {
                    let mut s = n.evidence_type.clone();
                    if n.min > 1 {
                        s.push_str(&format!(" x{}", n.min));
                    }
                    if let Some(days) = n.max_age_days {
                        s.push_str(&format!(" (max {days} days)"));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join(if r.evidence_mode == EvidenceMode::Any { " | " } else { "; " });
            push_row(
                out,
                [
                    f.id.clone(),
                    r.id.clone(),
                    r.reference.clone(),
                    r.title.clone(),
                    r.status.to_string(),
                    r.summary.clone(),
                    needed,
                    r.artifacts.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join("; "),
                    r.artifacts.iter().map(|a| a.sha256.to_string()).collect::<Vec<_>>().join("; "),
                    r.related.join("; "),
                ]
                .into_iter(),
            )?;
        }
    }
    Ok(())
}

fn push_row(out: &mut dyn Write, cells: impl Iterator<Item = String>) -> io::Result<()> {
    let cells: Vec<String> = cells.map(|c| csv_cell(&c)).collect();
    out.write_all(cells.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
    }
}
