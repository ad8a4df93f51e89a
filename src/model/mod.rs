//! The model: plain data that every stage hands on, with no I/O.
//!
//! `collect` fills [`evidence`] (artifacts with their digests, classification and
//! [`document`]s); `assess` makes the [`assessment::Assessment`] (matrix, measures,
//! findings, decisions); every output is rendered from it; `compare` makes the
//! [`diff::Diff`] of two of them. `assessment.json` and `diff.json` are these types
//! serialized, and are read back with the same types.

pub mod assessment;
pub mod decision;
pub mod diff;
pub mod document;
pub mod evidence;
pub mod finding;
pub mod matrix;
pub mod measure;
pub mod system;

use serde::{Deserialize, Serialize};

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
