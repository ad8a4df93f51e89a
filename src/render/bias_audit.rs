//! `bias-audit-summary.html` and `bias-audit-summary.pdf`: the NYC Local Law 144
//! summary of the newest bias audit, for an employer to publish. Both lay out the
//! assessment's `bias_audit` (worked out in `assess::bias_audit`) and nothing else, so
//! they show the same figures as `assessment.json`. They exist only for a system
//! configured as an automated employment decision tool with a bias report.

use std::io::Write;

use serde::Serialize;

use super::{Output, Phase, RenderContext};
use crate::diag::{Error, Result};
use crate::model::bias_audit::BiasAuditSummary;

/// File name of the HTML summary in a package.
pub const HTML_FILE: &str = "bias-audit-summary.html";
/// File name of the PDF summary in a package.
pub const PDF_FILE: &str = "bias-audit-summary.pdf";

/// What both templates see.
#[derive(Serialize)]
struct Page<'a> {
    system: String,
    employer: Option<&'a str>,
    assessed_on: String,
    tool: String,
    summary: &'a BiasAuditSummary,
}

fn page<'a>(cx: &RenderContext<'a>) -> Result<Page<'a>> {
    let a = cx.assessment()?;
    let summary =
        a.bias_audit.as_ref().ok_or_else(|| Error::Render("the bias-audit summary needs a bias audit".into()))?;
    let version = a.scope.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
    Ok(Page {
        system: format!("{}{version}", a.scope.name),
        employer: a.system.provider.as_deref(),
        assessed_on: a.assessed_on.to_string(),
        tool: format!("{} {}", a.tool.name, a.tool.version),
        summary,
    })
}

fn applies(cx: &RenderContext) -> bool {
    cx.assessment.is_some_and(|a| a.bias_audit.is_some())
}

/// `bias-audit-summary.html`.
pub struct BiasAuditHtml;

impl Output for BiasAuditHtml {
    fn file(&self) -> &'static str {
        HTML_FILE
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn applies(&self, cx: &RenderContext) -> bool {
        applies(cx)
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let text = super::html::render_page(&page(cx)?, cx.templates, "bias-audit.html")?;
        out.write_all(text.as_bytes()).map_err(|e| Error::io("write", HTML_FILE, e))
    }
}

/// `bias-audit-summary.pdf`.
pub struct BiasAuditPdf;

impl Output for BiasAuditPdf {
    fn file(&self) -> &'static str {
        PDF_FILE
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn applies(&self, cx: &RenderContext) -> bool {
        applies(cx)
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let a = cx.assessment()?;
        let json = serde_json::to_vec(&page(cx)?).map_err(|e| Error::Render(format!("bias-audit model: {e}")))?;
        let at = chrono::DateTime::parse_from_rfc3339(&a.assessed_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|e| Error::Render(format!("assessment time {:?}: {e}", a.assessed_at)))?;
        let ident = format!("dossier-bias-audit:{}", a.bias_audit.as_ref().map_or("", |s| s.source_sha256.as_str()));
        let data: [super::pdf::DataFile; 1] = [("/bias-audit.json", &json)];
        let pdf = super::pdf::render_document(cx.templates, "bias-audit.typ", &data, &at, &ident)?;
        out.write_all(&pdf).map_err(|e| Error::io("write", PDF_FILE, e))
    }
}
