//! `summary.md`: a short Markdown summary for `$GITHUB_STEP_SUMMARY`, a GitLab job page or
//! a pull-request comment: the verdict, coverage per framework, and the first findings.

use std::fmt::Write as _;
use std::io::Write;

use crate::diag::{Error, Result};
use crate::model::assessment::Assessment;
use crate::model::finding::{Counts, Finding, Severity, Verdict};
use crate::render::{Output, Phase, RenderContext};
use crate::text::human_bytes;

/// File name in the package.
pub const SUMMARY_MD: &str = "summary.md";
/// Findings listed; the rest are counted.
const LISTED: usize = 10;

/// `summary.md`.
pub struct Summary;

impl Output for Summary {
    fn file(&self) -> &'static str {
        SUMMARY_MD
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        out.write_all(render(cx.assessment()?).as_bytes()).map_err(|e| Error::io("write", SUMMARY_MD, e))
    }
}

/// Escapes text so evidence cannot add Markdown or HTML structure, nor control
/// characters that a terminal showing the file would obey.
fn text(s: &str) -> String {
    let s = crate::text::one_line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders `summary.md`.
fn render(a: &Assessment) -> String {
    let findings = &a.findings;
    let Counts { errors, warnings, notes } = a.counts;
    let verdict = if a.verdict == Verdict::Pass { "✅ pass" } else { "❌ fail" };
    let assessed_at = &a.assessed_at;
    let (artifacts, bytes) = a.files();
    let system = &a.scope;
    let mut out = String::new();
    let version = system.version.as_deref().map(|v| format!(" {}", text(v))).unwrap_or_default();
    let _ = writeln!(out, "## dossier: {}{version}: {verdict}\n", text(&system.name));
    let _ = writeln!(
        out,
        "Assessed {assessed_at} · {artifacts} artifacts ({}) · dossier {}\n",
        human_bytes(bytes),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(
        "| Framework | Satisfied | Partial | Missing | Stale | Failed | Waived | Not applicable | Applies later |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for f in &a.frameworks {
        let c = &f.coverage;
        let _ = writeln!(
            out,
            "| {}{} | {}/{} | {} | {} | {} | {} | {} | {} | {} |",
            text(&f.id),
            if f.binding { " (binding)" } else { "" },
            c.satisfied,
            c.applicable,
            c.partial,
            c.missing,
            c.stale,
            c.failed,
            c.waived,
            c.not_applicable,
            c.not_yet_applicable
        );
    }
    let _ = writeln!(out, "\n**Findings:** {errors} errors, {warnings} warnings, {notes} notes.\n");
    let mut shown: Vec<&Finding> = findings.iter().filter(|f| f.severity != Severity::Note).collect();
    shown.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in shown.iter().take(LISTED) {
        let path = |p: &str| crate::text::one_line(p).replace('`', "'");
        let at = match (&f.path, f.line) {
            (Some(p), Some(l)) => format!(" `{}:{l}`", path(p)),
            (Some(p), None) => format!(" `{}`", path(p)),
            _ => String::new(),
        };
        let _ = writeln!(out, "- **{}** `{}`{at}: {}", f.severity, f.code, text(&f.message));
    }
    if shown.len() > LISTED {
        let _ = writeln!(out, "- … and {} more in `findings.json`", shown.len() - LISTED);
    }
    out.push_str("\nThe package holds the full matrix (`matrix.csv`), every finding (`findings.json`) and the reports (`index.html`, `report.pdf`).\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_text_cannot_add_markdown_or_html() {
        assert_eq!(text("<img src=x> *a* [l](u) | `c`"), "&lt;img src=x&gt; \\*a\\* \\[l\\](u) \\| \\`c\\`");
        assert_eq!(text("a\u{1b}]0;x\u{7}\nb"), "a\\\\x1b\\]0;x\\\\x07\\\\nb");
    }
}
