//! `findings.json`: every finding of the run, sorted by path, line and code.

use std::io::Write;

use serde::Serialize;

use super::pretty_json;
use crate::diag::{Error, Result};
use crate::model::finding::Finding;
use crate::render::{Output, Phase, RenderContext};

/// File name of the findings list in a package.
pub const FINDINGS_JSON: &str = "findings.json";

#[derive(Serialize)]
struct FindingsFile<'a> {
    format: &'static str,
    schema_version: u32,
    findings: &'a [Finding],
}

/// `findings.json`.
pub struct FindingsJson;

impl Output for FindingsJson {
    fn file(&self) -> &'static str {
        FINDINGS_JSON
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let file = FindingsFile { format: "dossier-findings", schema_version: 1, findings: &cx.assessment()?.findings };
        pretty_json(&file, out).map_err(|e| Error::io("write", FINDINGS_JSON, e))
    }
}
