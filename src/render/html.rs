//! `index.html`: the report model through Tera.
//!
//! Autoescaping is on for every template, whatever its name, so evidence text is always
//! escaped; the only value templates may mark `safe` is Markdown already sanitised by
//! [`super::markdown`]. The page is one self-contained file: the templates include the
//! stylesheet and script inline, the logo is a `data:` URI, and nothing is fetched. The
//! page's Content-Security-Policy allows only the one script, by its SHA-256.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use tera::{Context, Tera};

use super::templates::{HTML_MAIN, TemplateSet};
use super::{Output, Phase, RenderContext};
use crate::diag::{Error, Problem, Result};
use crate::digest::Sha256Digest;
use crate::model::diff::Diff;
use crate::text::{human_bytes, thousands};

/// File name of the HTML report inside a package.
pub const HTML_FILE: &str = "index.html";
/// HTML report of a diff.
pub const DIFF_HTML: &str = "diff.html";
/// The script the page runs, inlined as the `script_js` value.
const SCRIPT: &str = "html/script.js";

/// `index.html`: the package report.
pub struct ReportHtml;

impl Output for ReportHtml {
    fn file(&self) -> &'static str {
        HTML_FILE
    }

    fn phase(&self) -> Phase {
        Phase::Report
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let page = render_page(cx.report()?, cx.templates, HTML_MAIN)?;
        out.write_all(page.as_bytes()).map_err(|e| Error::io("write", HTML_FILE, e))
    }
}

/// `diff.html`: the comparison of two packages.
pub struct DiffHtml;

/// What the diff page sees: the diff as `changes`, like the package report's section.
#[derive(Serialize)]
struct DiffPage<'a> {
    changes: &'a Diff,
}

impl Output for DiffHtml {
    fn file(&self) -> &'static str {
        DIFF_HTML
    }

    fn phase(&self) -> Phase {
        Phase::Report
    }

    fn applies(&self, cx: &RenderContext) -> bool {
        cx.changes.is_some()
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let changes = cx.changes.ok_or_else(|| Error::Render("diff.html needs a comparison".into()))?;
        let page = render_page(&DiffPage { changes }, cx.templates, DIFF_HTML)?;
        out.write_all(page.as_bytes()).map_err(|e| Error::io("write", DIFF_HTML, e))
    }
}

/// The HTML templates parsed, with dossier's filters and escaping; problems in them are
/// reported before anything is rendered.
pub fn engine(templates: &TemplateSet) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![""]);
    tera.set_escape_fn(escape);
    let mut sources = Vec::new();
    for (name, template) in templates.of_kind("html") {
        let text = std::str::from_utf8(&template.bytes).map_err(|_| {
            Error::invalid(Problem::new(format!("{}: HTML templates must be UTF-8 text", template.describe(name))))
        })?;
        sources.push((name, text));
    }
    tera.add_raw_templates(sources).map_err(|e| Error::invalid(Problem::new(template_error(templates, &e))))?;
    tera.register_filter("bytes", bytes_filter);
    tera.register_filter("dec", dec_filter);
    tera.register_filter("fixed", fixed_filter);
    tera.register_filter("num", num_filter);
    tera.register_filter("percent", percent_filter);
    Ok(tera)
}

/// HTML-escapes text, and shows control characters from the evidence as escapes rather
/// than passing them into the page.
fn escape(text: &str) -> String {
    tera::escape_html(&crate::text::multi_line(text))
}

/// Renders the HTML template `main` (a name under `html/`) with `model` as its context.
/// The package report and the diff report both come through here.
pub fn render_page(model: &impl Serialize, templates: &TemplateSet, main: &str) -> Result<String> {
    let tera = engine(templates)?;
    let mut context = Context::from_serialize(model).map_err(|e| Error::Render(format!("report model: {e}")))?;
    // The script goes in as a value, so the Content-Security-Policy can allow exactly
    // these bytes by their hash and no other script.
    let script = templates.get(SCRIPT).map(|t| String::from_utf8_lossy(&t.bytes).into_owned()).unwrap_or_default();
    context.insert("script_sha256", &crate::digest::base64(Sha256Digest::of(script.as_bytes()).as_bytes()));
    context.insert("script_js", &script);
    tera.render(main, &context).map_err(|e| Error::Render(template_error(templates, &e)))
}

/// One line naming the template and the cause, from Tera's error chain.
fn template_error(templates: &TemplateSet, error: &tera::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    let origin = templates
        .overrides()
        .first()
        .map(|p| format!(" (templates from {})", p.parent().and_then(|p| p.parent()).unwrap_or(p).display()))
        .unwrap_or_default();
    format!("HTML report template error{origin}: {}", parts.join(": ").replace('\n', " "))
}

fn number(value: &Value, filter: &str) -> tera::Result<f64> {
    value.as_f64().ok_or_else(|| tera::Error::msg(format!("filter `{filter}` needs a number, got {value}")))
}

/// `1536 | bytes` gives `1.5 KiB`.
fn bytes_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(human_bytes(number(value, "bytes")? as u64)))
}

/// `0.91234 | fixed(digits=3)` gives `0.912`.
fn fixed_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let digits = args.get("digits").and_then(Value::as_u64).unwrap_or(3) as usize;
    Ok(Value::String(format!("{:.*}", digits, number(value, "fixed")?)))
}

/// `0.91234 | dec(digits=3)` gives `0.912`, as `fixed` does, for a decimal from the
/// evidence; from a million up (either sign) it is written in exponent form, `1.235e6`,
/// so a hostile `1e300` cannot print as three hundred digits. Four digits unless told.
fn dec_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let digits = args.get("digits").and_then(Value::as_u64).unwrap_or(4) as usize;
    let x = number(value, "dec")?;
    let text = if x.abs() >= 1e6 { format!("{x:.3e}") } else { format!("{x:.digits$}") };
    Ok(Value::String(text))
}

/// `1248630 | num` gives `1,248,630`: a whole number with thousands separators. A
/// number with a fraction prints as it is.
fn num_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Value::Number(n) = value else {
        return Err(tera::Error::msg(format!("filter `num` needs a number, got {value}")));
    };
    let text = match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => thousands(u),
        (None, Some(i), _) => thousands(i),
        // Whole values stored as floats; beyond 2^53 a float is no longer a whole count.
        (None, None, Some(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => thousands(x as i64),
        _ => n.to_string(),
    };
    Ok(Value::String(text))
}

/// `0.9512 | percent` gives `95.1%`.
fn percent_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let digits = args.get("digits").and_then(Value::as_u64).unwrap_or(1) as usize;
    Ok(Value::String(format!("{:.*}%", digits, number(value, "percent")? * 100.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(filter: fn(&Value, &HashMap<String, Value>) -> tera::Result<Value>, value: Value, digits: u64) -> String {
        let args = HashMap::from([("digits".to_string(), json!(digits))]);
        filter(&value, &args).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn num_separates_thousands_of_whole_numbers_only() {
        let num = |v: Value| apply(num_filter, v, 0);
        assert_eq!(num(json!(0)), "0");
        assert_eq!(num(json!(1_248_630)), "1,248,630");
        assert_eq!(num(json!(12_345_678_901_234_567_u64)), "12,345,678,901,234,567");
        assert_eq!(num(json!(-4500)), "-4,500");
        assert_eq!(num(json!(3000.0)), "3,000");
        assert_eq!(num(json!(1234.5)), "1234.5");
        assert!(num_filter(&json!("12"), &HashMap::new()).is_err());
    }

    #[test]
    fn dec_keeps_fixed_digits_and_writes_huge_values_as_exponents() {
        assert_eq!(apply(dec_filter, json!(0.91234), 3), "0.912");
        assert_eq!(apply(dec_filter, json!(-0.0123), 4), "-0.0123");
        assert_eq!(apply(dec_filter, json!(999_999.5), 1), "999999.5");
        assert_eq!(apply(dec_filter, json!(1_234_567.0), 4), "1.235e6");
        assert_eq!(apply(dec_filter, json!(-2_500_000.5), 4), "-2.500e6");
        assert_eq!(apply(dec_filter, json!(9_999_999.6), 4), "1.000e7");
        assert_eq!(apply(dec_filter, json!(1e300), 4), "1.000e300");
        assert_eq!(dec_filter(&json!(0.5), &HashMap::new()).unwrap(), json!("0.5000"));
    }
}
