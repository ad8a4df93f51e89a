//! `assessment.json`: the whole assessment in one file, for tools that want everything
//! dossier concluded without reading five formats.
//!
//! It holds the system as configured, the verdict and counts, every framework with every
//! requirement (as in `matrix.json`), every artifact with its classification, what each
//! evidence document says (as parsed), every finding, the sign-offs and the waivers in
//! force. The schema is versioned (`format: dossier-assessment`, `schema_version: 1`) and
//! documented in the book; fields are only ever added within a version.

use serde::Serialize;

use crate::check::ChecksConfig;
use crate::config::System;
use crate::decisions::{SignOff, Waiver};
use crate::documents::Document;
use crate::error::Result;
use crate::findings::{Counts, Finding};
use crate::manifest::{OutputEntry, Tool};
use crate::matrix::{ClassifiedArtifact, FrameworkResult, Matrix};
use crate::package::Staging;

/// File name in the package.
pub const ASSESSMENT_JSON: &str = "assessment.json";

/// The assessment file (schema version 1).
#[derive(Serialize)]
pub struct Assessment<'a> {
    /// Always `dossier-assessment`.
    pub format: &'static str,
    /// Schema version.
    pub schema_version: u32,
    /// The tool that made it.
    pub tool: Tool,
    /// When (RFC 3339, UTC).
    pub assessed_at: &'a str,
    /// The system as configured.
    pub system: &'a System,
    /// SHA-256 of the effective configuration.
    pub config_sha256: String,
    /// `pass` (no error finding) or `fail`.
    pub verdict: &'static str,
    /// Findings per severity.
    pub counts: Counts,
    /// Every framework with every requirement.
    pub frameworks: &'a [FrameworkResult],
    /// Every artifact with its classification.
    pub artifacts: &'a [ClassifiedArtifact],
    /// What each evidence document says.
    pub documents: Vec<DocumentEntry<'a>>,
    /// Every finding.
    pub findings: &'a [Finding],
    /// Sign-offs.
    pub sign_offs: &'a [SignOff],
    /// Waivers in force.
    pub waivers: &'a [Waiver],
    /// The check thresholds the assessment applied (`checks` in the config).
    pub checks: &'a ChecksConfig,
}

/// One parsed evidence document.
#[derive(Serialize)]
pub struct DocumentEntry<'a> {
    /// The file.
    pub path: &'a str,
    /// Its evidence type.
    pub evidence_type: &'a str,
    /// What it says (`kind` tells the shape).
    pub document: &'a Document,
}

/// What the assessment file is made from.
pub struct Inputs<'a> {
    /// The system as configured.
    pub system: &'a System,
    /// The config digest.
    pub config_sha256: String,
    /// The assessment time.
    pub assessed_at: &'a str,
    /// The matrix.
    pub matrix: &'a Matrix,
    /// Every finding.
    pub findings: &'a [Finding],
    /// Parsed documents.
    pub documents: &'a [(String, String, Document)],
    /// Sign-offs.
    pub sign_offs: &'a [SignOff],
    /// Waivers.
    pub waivers: &'a [Waiver],
    /// The check thresholds.
    pub checks: &'a ChecksConfig,
}

/// Writes `assessment.json` into the package, streamed, and returns its entry.
pub fn write(i: &Inputs, staging: &Staging) -> Result<OutputEntry> {
    let counts = Counts::of(i.findings);
    let assessment = Assessment {
        format: "dossier-assessment",
        schema_version: 1,
        tool: Tool::current(),
        assessed_at: i.assessed_at,
        system: i.system,
        config_sha256: i.config_sha256.clone(),
        verdict: if counts.errors == 0 { "pass" } else { "fail" },
        counts,
        frameworks: &i.matrix.frameworks,
        artifacts: &i.matrix.artifacts,
        documents: i
            .documents
            .iter()
            .map(|(path, t, document)| DocumentEntry { path, evidence_type: t, document })
            .collect(),
        findings: i.findings,
        sign_offs: i.sign_offs,
        waivers: i.waivers,
        checks: i.checks,
    };
    staging.stream_json(ASSESSMENT_JSON, &assessment)
}
