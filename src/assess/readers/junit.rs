//! JUnit XML test results, as pytest, Maven Surefire, jest-junit, go-junit-report and the
//! robustness harnesses write them: the counts of cases, failures, errors and skips, and
//! the names of the failed cases.
//!
//! Cases are counted from the `<testcase>` elements themselves, not from the suites'
//! attributes, which writers fill in differently (Surefire counts a flaky rerun, Jest
//! writes no `skipped` attribute). Two writers' quirks are undone: jest-junit reports a
//! test file that failed to load as a suite of `tests="0"` holding the same case twice
//! (once with `<error>`, once with `<failure>`), which is one error and no test; and a
//! case repeated back to back under the same name is counted once.

use quick_xml::events::Event;

use super::source::{Source, line_at};
use crate::model::document::TestCounts;
use crate::model::finding::{Code, Finding};

/// Reads JUnit XML. A file whose root is not `<testsuites>` or `<testsuite>` is a
/// finding when the file was expected to hold test results, and is left alone otherwise.
pub(super) fn read(source: &mut Source<'_>, expected: bool) -> Option<TestCounts> {
    let (path, text) = (source.path, source.text);
    let mut findings: Vec<Finding> = Vec::new();
    let counts = parse(path, text, &mut findings);
    if expected || counts.is_some() {
        source.findings.extend(findings);
    }
    counts
}

fn parse(path: &str, text: &str, findings: &mut Vec<Finding>) -> Option<TestCounts> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut counts = TestCounts::default();
    let mut root: Option<String> = None;
    let mut current: Option<String> = None;
    // The suite holds no tests (a suite-level error); the previous case's id, and
    // whether the current case repeats it.
    let mut empty_suite = false;
    let mut previous: Option<String> = None;
    let mut repeated = false;
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
                    "testsuite" => {
                        empty_suite =
                            e.try_get_attribute(b"tests").ok().flatten().is_some_and(|a| a.value.as_ref() == b"0");
                        previous = None;
                    }
                    "testcase" => {
                        let attr = |key: &[u8]| {
                            e.try_get_attribute(key).ok().flatten().map(|a| match a.unescape_value() {
                                Ok(v) => v.into_owned(),
                                Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
                            })
                        };
                        let id =
                            format!("{}.{}", attr(b"classname").unwrap_or_default(), attr(b"name").unwrap_or_default());
                        let id = id.trim_start_matches('.').to_string();
                        repeated = previous.as_ref() == Some(&id);
                        if !repeated && !empty_suite {
                            counts.tests += 1;
                        }
                        previous = Some(id.clone());
                        current = Some(id);
                    }
                    "failure" | "error" if repeated => {}
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
                    "skipped" if !repeated => counts.skipped += 1,
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
