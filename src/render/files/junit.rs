//! `junit.xml`: the compliance gate as a test report, so any CI system can show it.
//!
//! One `<testsuite>` per framework and one `<testcase>` per requirement (headings, which
//! only summarise their parts, are left out). A requirement that is failed, missing,
//! stale or partial is a `<failure>` whose `type` is its status; one that is not
//! applicable or waived is `<skipped>`. The layout satisfies both the Apache Ant and the
//! Jenkins JUnit schemas: `<properties>` first, then the cases, then `<system-out>` and
//! `<system-err>`; no attributes on `<testsuites>`; timestamps without a zone (UTC).

use std::fmt::Write as _;
use std::io::Write;

use chrono::NaiveDateTime;

use crate::diag::{Error, Result};
use crate::model::matrix::{FrameworkResult, Status};
use crate::render::{Output, Phase, RenderContext};

/// File name in the package.
pub const JUNIT_XML: &str = "junit.xml";

/// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids and
/// writing newlines in attributes as character references.
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `junit.xml`.
pub struct Junit;

impl Output for Junit {
    fn file(&self) -> &'static str {
        JUNIT_XML
    }

    fn phase(&self) -> Phase {
        Phase::Sealed
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let a = cx.assessment()?;
        let at = chrono::DateTime::parse_from_rfc3339(&a.assessed_at)
            .map_err(|e| Error::Render(format!("assessment time {:?}: {e}", a.assessed_at)))?
            .naive_utc();
        out.write_all(render(&a.frameworks, at).as_bytes()).map_err(|e| Error::io("write", JUNIT_XML, e))
    }
}

/// Renders `junit.xml` for the frameworks.
fn render(frameworks: &[FrameworkResult], assessed_at: NaiveDateTime) -> String {
    let timestamp = assessed_at.format("%Y-%m-%dT%H:%M:%S");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (index, f) in frameworks.iter().enumerate() {
        let cases: Vec<_> = f.requirements.iter().filter(|r| !r.heading).collect();
        let failing = Status::is_gap;
        let failures = cases.iter().filter(|r| failing(r.status)).count();
        let skipped = cases
            .iter()
            .filter(|r| matches!(r.status, Status::NotApplicable | Status::NotYetApplicable | Status::Waived))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" package=\"dossier\" id=\"{index}\" hostname=\"dossier\" timestamp=\"{timestamp}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            escape(&f.id, true),
            cases.len()
        );
        let _ = writeln!(
            out,
            "    <properties>\n      <property name=\"framework.title\" value=\"{}\"/>\n      <property name=\"framework.version\" value=\"{}\"/>\n      <property name=\"framework.binding\" value=\"{}\"/>\n    </properties>",
            escape(&f.title, true),
            escape(&f.version, true),
            f.binding
        );
        for r in cases {
            let name = escape(&format!("{} {}", r.reference, r.title), true);
            let open = format!("    <testcase classname=\"{}\" name=\"{name}\" time=\"0\"", escape(&f.id, true));
            let status = r.status.as_str().to_string();
            if failing(r.status) {
                let mut detail = format!("{}: {}\n{}", r.id, r.summary, status);
                for cause in &r.failed_by {
                    let _ = write!(detail, "\nfailed by {cause}");
                }
                let _ = writeln!(
                    out,
                    "{open}>\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(&status, true),
                    escape(&r.summary, true),
                    escape(&detail, false)
                );
            } else if matches!(r.status, Status::NotApplicable | Status::NotYetApplicable | Status::Waived) {
                let _ = writeln!(
                    out,
                    "{open}>\n      <skipped message=\"{}: {}\"/>\n    </testcase>",
                    escape(&status, true),
                    escape(&r.summary, true)
                );
            } else {
                let _ = writeln!(out, "{open}/>");
            }
        }
        out.push_str("    <system-out/>\n    <system-err/>\n  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(escape("a<b>&\"c\"\u{1}\n", true), "a&lt;b&gt;&amp;&quot;c&quot;&#10;");
        assert_eq!(escape("a\nb", false), "a\nb");
    }
}
