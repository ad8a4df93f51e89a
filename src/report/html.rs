//! `index.html`: the report model through Tera.
//!
//! Autoescaping is on for every template, whatever its name, so evidence text is always
//! escaped; the only value templates may mark `safe` is Markdown already sanitised by
//! [`super::markdown`]. The page is one self-contained file: the templates include the
//! stylesheet and script inline, the logo is a `data:` URI, and nothing is fetched. The
//! page's Content-Security-Policy allows only the one script, by its SHA-256.

use std::collections::HashMap;

use serde_json::Value;
use tera::{Context, Tera};

use super::Report;
use super::templates::{HTML_MAIN, TemplateSet};
use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::ui::human_bytes;

/// The script the page runs, inlined as the `script_js` value.
const SCRIPT: &str = "html/script.js";

/// Renders `index.html`.
pub fn render(report: &Report, templates: &TemplateSet) -> Result<String> {
    render_page(report, templates, HTML_MAIN)
}

/// Renders the HTML template `main` (a name under `html/`) with `model` as its context.
/// The package report and the diff report both come through here.
pub fn render_page(model: &impl serde::Serialize, templates: &TemplateSet, main: &str) -> Result<String> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![""]);
    let mut sources = Vec::new();
    for (name, template) in templates.of_kind("html") {
        let text = std::str::from_utf8(&template.bytes)
            .map_err(|_| Error::input(format!("{}: HTML templates must be UTF-8 text", template.describe(name))))?;
        sources.push((name, text));
    }
    tera.add_raw_templates(sources).map_err(|e| template_error(templates, &e))?;
    tera.register_filter("bytes", bytes_filter);
    tera.register_filter("fixed", fixed_filter);
    tera.register_filter("percent", percent_filter);
    let mut context = Context::from_serialize(model).map_err(|e| Error::input(format!("report model: {e}")))?;
    // The script goes in as a value, so the Content-Security-Policy can allow exactly
    // these bytes by their hash and no other script.
    let script = templates.get(SCRIPT).map(|t| String::from_utf8_lossy(&t.bytes).into_owned()).unwrap_or_default();
    context.insert("script_sha256", &super::base64(Sha256Digest::of(script.as_bytes()).as_bytes()));
    context.insert("script_js", &script);
    tera.render(main, &context).map_err(|e| template_error(templates, &e))
}

/// One line naming the template and the cause, from Tera's error chain.
fn template_error(templates: &TemplateSet, error: &tera::Error) -> Error {
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
    Error::input(format!("HTML report template error{origin}: {}", parts.join(": ").replace('\n', " ")))
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

/// `0.9512 | percent` gives `95.1%`.
fn percent_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let digits = args.get("digits").and_then(Value::as_u64).unwrap_or(1) as usize;
    Ok(Value::String(format!("{:.*}%", digits, number(value, "percent")? * 100.0)))
}
