//! One side of a comparison: a package, verified, with its assessment read back.

use std::path::Path;

use crate::collect::Progress;
use crate::diag::{Error, Result};
use crate::model::assessment::{self, Assessment};
use crate::render::files::ASSESSMENT_JSON;
use crate::seal::manifest::Manifest;
use crate::seal::verify::{self, Signature, VerifyOptions, VerifyReport};

/// One assessed package, ready to compare.
#[derive(Debug, Clone)]
pub struct Side {
    /// How the comparison names it: the path given, or `this package`.
    pub source: String,
    /// Its manifest (sealed; the reports need not be listed yet).
    pub manifest: Manifest,
    /// Its assessment.
    pub assessment: Assessment,
    /// The state of its signature.
    pub signature: Signature,
    /// Whether its evidence was verified too (only when the package carries it).
    pub evidence_checked: bool,
}

/// Reads and verifies the package at `path`. An integrity failure comes back as the
/// verification report (`Err` inside `Ok`), so the caller can name every problem.
pub fn load(
    path: &Path,
    key: Option<&Path>,
    progress: &dyn Progress,
) -> Result<std::result::Result<Side, VerifyReport>> {
    let report = verify::verify(&VerifyOptions {
        package: path.to_path_buf(),
        evidence: None,
        key: key.map(Path::to_path_buf),
        progress,
        package_only: true,
        keep: &[ASSESSMENT_JSON],
        latest: false,
    })?;
    if !report.is_intact() {
        return Ok(Err(report));
    }
    let mut manifest = report.manifest.expect("an intact package has a manifest");
    let Some(bytes) = report.contents.get(ASSESSMENT_JSON) else {
        return Err(Error::package(
            path,
            format!(
                "has no {ASSESSMENT_JSON}: it was built with --manifest-only, so there is no assessment to compare. Rebuild it without --manifest-only"
            ),
        ));
    };
    let assessment = parse_assessment(bytes, &mut manifest)
        .map_err(|why| Error::package(path, format!("{ASSESSMENT_JSON}: {why}")))?;
    Ok(Ok(Side {
        source: path.display().to_string(),
        manifest,
        assessment,
        signature: report.signature,
        evidence_checked: report.evidence_root.is_some(),
    }))
}

/// Reads `assessment.json` of any schema this dossier knows: the current one as it is,
/// schema 1 (dossier 0.1) through its own reader, schema 2 as it is. The format and
/// version are checked first, in a pass that keeps nothing else, so a large file is never
/// held as a tree. An assessment of schema 1 or 2 lists every file; it is brought to the
/// current form ([`upgrade`]), which also gives the manifest's entries their evidence
/// types, as a manifest of schema 1 does not record them.
pub fn parse_assessment(bytes: &[u8], manifest: &mut Manifest) -> std::result::Result<Assessment, String> {
    let parse =
        |bytes| serde_json::from_slice(bytes).map_err(|e| format!("does not match the assessment schema ({e})"));
    match crate::model::schema_version(bytes, assessment::FORMAT, "assessment")? {
        1 => Ok(upgrade(super::v1::read(bytes, manifest)?, manifest)),
        2 => Ok(upgrade(parse(bytes)?, manifest)),
        // Schema 4 only added to schema 3; what 3 lacks reads as its default.
        3 => parse(bytes),
        v if v == u64::from(assessment::SCHEMA_VERSION) => parse(bytes),
        v => Err(format!(
            "schema_version {v} is not supported by this dossier (it reads 1 to {})",
            assessment::SCHEMA_VERSION
        )),
    }
}

/// Brings an assessment that lists every file (schemas 1 and 2) to the current form:
/// evidence sets made from the files, only the files a set cannot speak for kept, and
/// each manifest entry given the evidence type the assessment recorded for it.
fn upgrade(mut a: Assessment, manifest: &mut Manifest) -> Assessment {
    a.artifacts.sort_by(|x, y| x.path.cmp(&y.path));
    for entry in manifest.artifacts.iter_mut().filter(|e| e.evidence_type.is_none()) {
        if let Ok(at) = a.artifacts.binary_search_by(|x| x.path.cmp(&entry.path)) {
            entry.evidence_type = a.artifacts[at].entry().evidence_type;
        }
    }
    a.evidence_sets = crate::assess::sets::of(&a.artifacts);
    a.artifacts = crate::assess::sets::listed(std::mem::take(&mut a.artifacts), &a.findings);
    a
}
