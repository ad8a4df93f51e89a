//! `assessment.json`: the whole assessment in one file, for tools that want everything
//! dossier concluded without reading five formats, and for `dossier diff`, which reads
//! it back with the same types.
//!
//! It is the [`Assessment`](crate::model::assessment::Assessment) serialized: the system
//! as configured, the verdict and counts, every framework with every requirement, every
//! artifact with its classification and what it says, the measures, log statistics and
//! datasets, every finding, the sign-offs and the waivers in force. The schema is
//! versioned (`format: dossier-assessment`, `schema_version: 2`) and documented in the
//! book; fields are only ever added within a version.

use std::io::Write;

use super::pretty_json;
use crate::diag::{Error, Result};
use crate::render::{Output, Phase, RenderContext};

/// File name in the package.
pub const ASSESSMENT_JSON: &str = "assessment.json";

/// `assessment.json`.
pub struct AssessmentJson;

impl Output for AssessmentJson {
    fn file(&self) -> &'static str {
        ASSESSMENT_JSON
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        pretty_json(cx.assessment()?, out).map_err(|e| Error::io("write", ASSESSMENT_JSON, e))
    }
}
