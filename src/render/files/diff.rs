//! `diff.json`: what changed from one package to the next. `dossier diff` writes it; a
//! build with `--previous` keeps it in the package beside the reports that show it.

use std::io::Write;

use super::pretty_json;
use crate::diag::{Error, Result};
use crate::render::{Output, Phase, RenderContext};

/// File name of the machine-readable diff.
pub const DIFF_JSON: &str = "diff.json";

/// `diff.json`.
pub struct DiffJson;

impl Output for DiffJson {
    fn file(&self) -> &'static str {
        DIFF_JSON
    }

    fn phase(&self) -> Phase {
        // It names the package digest of the package it is in.
        Phase::Report
    }

    fn applies(&self, cx: &RenderContext) -> bool {
        cx.changes.is_some()
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let changes = cx.changes.ok_or_else(|| Error::Render("diff.json needs a comparison".into()))?;
        pretty_json(changes, out).map_err(|e| Error::io("write", DIFF_JSON, e))
    }
}
