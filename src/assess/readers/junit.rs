//! JUnit XML test results (pytest, the ART and Garak harnesses, any JUnit writer): the
//! counts of cases, failures, errors and skips, and the names of the failed cases.

use quick_xml::events::Event;

use super::value::line_at;
use crate::model::document::TestCounts;
use crate::model::finding::{Code, Finding};

pub(super) fn read(path: &str, text: &str, findings: &mut Vec<Finding>) -> Option<TestCounts> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut counts = TestCounts::default();
    let mut root: Option<String> = None;
    let mut current: Option<String> = None;
    loop {
        let position = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
                if root.is_none() {
                    if name != "testsuites" && name != "testsuite" {
                        findings.push(
                            Finding::at(
                                Code::EvidenceUnparseable,
                                path,
                                format!("not JUnit XML: the root element is <{name}>, not <testsuites> or <testsuite>"),
                            )
                            .on_line(line_at(text, position as usize)),
                        );
                        return None;
                    }
                    root = Some(name.clone());
                }
                match name.as_str() {
                    "testcase" => {
                        counts.tests += 1;
                        let attr = |key: &[u8]| {
                            e.try_get_attribute(key).ok().flatten().map(|a| match a.unescape_value() {
                                Ok(v) => v.into_owned(),
                                Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
                            })
                        };
                        let id =
                            format!("{}.{}", attr(b"classname").unwrap_or_default(), attr(b"name").unwrap_or_default());
                        current = Some(id.trim_start_matches('.').to_string());
                    }
                    "failure" | "error" => {
                        if name == "failure" {
                            counts.failures += 1
                        } else {
                            counts.errors += 1
                        }
                        if let Some(id) = current.clone() {
                            counts.failed.push(id);
                        }
                    }
                    "skipped" => counts.skipped += 1,
                    _ => {}
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"testcase" => current = None,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                findings.push(
                    Finding::at(Code::EvidenceUnparseable, path, format!("not well-formed XML: {e}"))
                        .on_line(line_at(text, position as usize)),
                );
                return None;
            }
        }
    }
    if root.is_none() {
        findings.push(Finding::at(Code::EvidenceUnparseable, path, "not JUnit XML: no root element"));
        return None;
    }
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use crate::model::document::Document;

    #[test]
    fn counts_and_html_is_not_junit() {
        let xml = r#"<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
<testcase classname="t" name="a"/>
<testcase classname="t" name="b &amp; &lt;c&gt;"><failure message="drop 7%"/></testcase>
<testcase classname="t" name="c"><skipped/></testcase>
</testsuite></testsuites>"#;
        let (doc, findings) = read("r.xml", "robustness-report", xml);
        let Some(Document::TestResults(c)) = doc else { panic!() };
        assert_eq!((c.tests, c.failures, c.errors, c.skipped), (3, 1, 0, 1));
        assert_eq!(c.failed, ["t.b & <c>"]);
        assert_eq!(c.pass_rate, Some(0.5), "the skipped case neither passes nor fails");
        assert!(findings.is_empty());
        let (doc, findings) = read("r.xml", "robustness-report", "<!DOCTYPE html>\n<html><body>502</body></html>");
        assert!(doc.is_none());
        assert!(findings[0].message.contains("root element is <html>"), "{}", findings[0].message);
        assert_eq!(findings[0].line, Some(2));
    }
}
