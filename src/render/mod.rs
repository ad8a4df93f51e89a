//! Rendering: every file a package or a comparison holds, laid out from one context.
//!
//! An [`Output`] is one file (`matrix.json`, `index.html`, `diff.pdf`, ...) rendered from
//! a [`RenderContext`]: the assessment, the sealed manifest, the comparison with a
//! previous package, the branding and the templates. The context needs no evidence, so
//! a package's reports can be rendered again from the package alone (`dossier render`).
//! Outputs only lay out: every figure they show was worked out by the assessment.
//!
//! Outputs come in two phases. The machine outputs are written before the manifest is
//! sealed and are inside the package digest; the reports show that digest, so they are
//! rendered after sealing and listed apart ([`Phase`]).

pub mod bias_audit;
pub mod files;
pub mod html;
pub mod pdf;
pub mod report;
pub mod templates;

use std::io::Write;
use std::sync::OnceLock;

use crate::diag::{Error, Result};
use crate::model::assessment::Assessment;
use crate::model::diff::Diff;
use crate::seal::manifest::Manifest;
use files::sarif::Anchors;
use report::{Branding, Report};
use templates::TemplateSet;

/// When an output is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before sealing: the file is inside the package digest.
    Sealed,
    /// After sealing: the file shows the package digest and is listed apart.
    Report,
}

/// One file rendered from the context.
pub trait Output: Sync {
    /// Its path in the package (or the comparison's output directory).
    fn file(&self) -> &'static str;
    /// When it is written.
    fn phase(&self) -> Phase;
    /// Whether the context has what this output shows (the changes file needs a
    /// comparison, the package files an assessment).
    fn applies(&self, cx: &RenderContext) -> bool {
        cx.assessment.is_some()
    }
    /// Writes the file.
    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()>;
}

/// Reads files already written to the package being rendered (the PDF report attaches
/// `matrix.json` exactly as it is in the package).
pub trait PackageFiles: Sync {
    /// The bytes of the package file at `rel`.
    fn read(&self, rel: &str) -> Result<Vec<u8>>;
}

/// Everything the outputs are rendered from.
pub struct RenderContext<'a> {
    /// The assessment (none when rendering a comparison only).
    pub assessment: Option<&'a Assessment>,
    /// The sealed manifest, without the reports (for the reports).
    pub manifest: Option<&'a Manifest>,
    /// The comparison with a previous package, or the one `dossier diff` made.
    pub changes: Option<&'a Diff>,
    /// Organisation and logo.
    pub branding: &'a Branding,
    /// Fingerprint of the key the package is signed with.
    pub signer: Option<&'a str>,
    /// The report templates.
    pub templates: &'a TemplateSet,
    /// Where `results.sarif` anchors its locations.
    pub anchors: &'a Anchors,
    /// The package's files written so far.
    pub package: &'a dyn PackageFiles,
    report: OnceLock<Report>,
}

impl<'a> RenderContext<'a> {
    /// A context over what `assessment`, `manifest` and `changes` hold.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        assessment: Option<&'a Assessment>,
        manifest: Option<&'a Manifest>,
        changes: Option<&'a Diff>,
        branding: &'a Branding,
        signer: Option<&'a str>,
        templates: &'a TemplateSet,
        anchors: &'a Anchors,
        package: &'a dyn PackageFiles,
    ) -> Self {
        RenderContext {
            assessment,
            manifest,
            changes,
            branding,
            signer,
            templates,
            anchors,
            package,
            report: OnceLock::new(),
        }
    }

    /// The assessment, which package outputs need.
    pub fn assessment(&self) -> Result<&'a Assessment> {
        self.assessment.ok_or_else(|| Error::Render("this output needs an assessment".into()))
    }

    /// The report model, laid out once for both reports.
    pub fn report(&self) -> Result<&Report> {
        if let Some(report) = self.report.get() {
            return Ok(report);
        }
        let assessment = self.assessment()?;
        let manifest = self.manifest.ok_or_else(|| Error::Render("the reports need the sealed manifest".into()))?;
        let report = Report::build(&report::Input {
            assessment,
            manifest,
            changes: self.changes,
            branding: self.branding,
            signer: self.signer,
        });
        Ok(self.report.get_or_init(|| report))
    }
}

/// Every output of a package, in the order they are written.
pub fn package_outputs() -> Vec<&'static dyn Output> {
    vec![
        &files::matrix::MatrixJson,
        &files::matrix::MatrixCsv,
        &files::oscal::Oscal,
        &files::assessment::AssessmentJson,
        &files::findings::FindingsJson,
        &files::junit::Junit,
        &files::sarif::Sarif,
        &files::summary::Summary,
        &files::diff::DiffJson,
        &bias_audit::BiasAuditHtml,
        &bias_audit::BiasAuditPdf,
        &html::ReportHtml,
        &pdf::ReportPdf,
    ]
}

/// The outputs of `dossier diff`.
pub fn diff_outputs() -> Vec<&'static dyn Output> {
    vec![&files::diff::DiffJson, &html::DiffHtml, &pdf::DiffPdf]
}

/// The report outputs `dossier render` writes again.
pub fn report_outputs() -> Vec<&'static dyn Output> {
    package_outputs().into_iter().filter(|o| o.phase() == Phase::Report).collect()
}

/// Renders one output into memory.
pub fn to_bytes(output: &dyn Output, cx: &RenderContext) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    output.render(cx, &mut bytes)?;
    Ok(bytes)
}
