//! The model: plain data that every stage hands on, with no I/O.
//!
//! `collect` fills [`evidence`] (artifacts with their digests, classification and
//! [`document`]s); `assess` makes the [`assessment::Assessment`] (matrix, measures,
//! findings, decisions); every output is rendered from it; `compare` makes the
//! [`diff::Diff`] of two of them. `assessment.json` and `diff.json` are these types
//! serialized, and are read back with the same types.

pub mod assessment;
pub mod bias_audit;
pub mod decision;
pub mod diff;
pub mod document;
pub mod evidence;
pub mod finding;
pub mod genai;
pub mod infra;
pub mod matrix;
pub mod measure;
pub mod system;

use serde::{Deserialize, Serialize};

/// The `schema_version` of a dossier JSON file (`manifest.json`, `assessment.json`...),
/// after checking its `format` is `format`; `what` names the kind in the error. Read in a
/// pass that keeps nothing else, so a large file is checked before it is parsed.
pub fn schema_version(bytes: &[u8], format: &str, what: &str) -> Result<u64, String> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        schema_version: Option<u64>,
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON ({e})"))?;
    if head.format.as_deref() != Some(format) {
        return Err(format!("not a dossier {what} (format is not {format:?})"));
    }
    head.schema_version.ok_or_else(|| "schema_version is missing".to_string())
}

/// Name and version of the tool that wrote a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// `dossier`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Tool {
    /// This build of dossier.
    pub fn current() -> Self {
        Tool { name: env!("CARGO_PKG_NAME").into(), version: env!("CARGO_PKG_VERSION").into() }
    }
}
