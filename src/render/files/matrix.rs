//! `matrix.json` and `matrix.csv`: the traceability matrix on its own, every framework
//! with every requirement, and the evidence sets the requirements draw on.

use std::io::{self, Write};

use chrono::NaiveDate;
use serde::Serialize;

use std::collections::BTreeMap;

use super::pretty_json;
use crate::diag::{Error, Result};
use crate::model::evidence::EvidenceSet;
use crate::model::matrix::{Applicability, EvidenceMode, FrameworkResult};
use crate::model::system::SystemScope;
use crate::render::{Output, Phase, RenderContext};

/// The value of the matrix's `format` field.
pub const FORMAT: &str = "dossier-matrix";
/// The matrix schema version. Version 2 lists evidence sets where version 1 listed every
/// artifact, and rows no longer list their artifacts: each need names its set. Version 3
/// adds the status `not-yet-applicable`, each row's `applies_on` day and the file's
/// `applicability` (which dates counted).
pub const SCHEMA_VERSION: u32 = 3;
/// File name of the matrix data in a package.
pub const MATRIX_JSON: &str = "matrix.json";
/// File name of the spreadsheet form in a package.
pub const MATRIX_CSV: &str = "matrix.csv";

/// The matrix file (schema version 3).
#[derive(Serialize)]
struct MatrixFile<'a> {
    format: &'static str,
    schema_version: u32,
    assessed_on: NaiveDate,
    applicability: Applicability,
    system: &'a SystemScope,
    frameworks: &'a [FrameworkResult],
    evidence_sets: &'a [EvidenceSet],
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
            applicability: a.applicability,
            system: &a.scope,
            frameworks: &a.frameworks,
            evidence_sets: &a.evidence_sets,
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
        let a = cx.assessment()?;
        write_csv(&a.frameworks, &a.evidence_sets, &mut out)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("write", MATRIX_CSV, e))
    }
}

/// The matrix as CSV (RFC 4180), one row per requirement, for spreadsheets. Cells that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) are prefixed with `'`.
fn write_csv(frameworks: &[FrameworkResult], sets: &[EvidenceSet], out: &mut dyn Write) -> io::Result<()> {
    let set_of: BTreeMap<&str, &EvidenceSet> =
        sets.iter().filter_map(|s| Some((s.evidence_type.as_deref()?, s))).collect();
    let header = [
        "framework",
        "requirement",
        "reference",
        "title",
        "status",
        "applies_on",
        "summary",
        "evidence_needed",
        "evidence_found",
        "set_sha256",
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
            let found: Vec<&EvidenceSet> =
                r.evidence.iter().filter_map(|n| set_of.get(n.evidence_type.as_str()).copied()).collect();
            push_row(
                out,
                [
                    f.id.clone(),
                    r.id.clone(),
                    r.reference.clone(),
                    r.title.clone(),
                    r.status.to_string(),
                    r.applies_on.map(|d| d.to_string()).unwrap_or_default(),
                    r.summary.clone(),
                    needed,
                    found.iter().map(|s| s.describe()).collect::<Vec<_>>().join("; "),
                    found.iter().map(|s| s.digest.to_string()).collect::<Vec<_>>().join("; "),
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
