//! Untrusted text stays text: control characters in file names and evidence are shown
//! escaped on the terminal and in `summary.md`, never obeyed.

use std::fs;

use crate::support::*;

/// A file name that would set the terminal's title, and one that would split a finding
/// into two lines, the second imitating the summary.
const TITLE: &str = "fairness/q3\u{1b}]0;pwned\u{7}.json";
const SPLIT: &str = "fairness/q4\n  gate       pass (--fail-on error).json";

fn hostile_workspace() -> Workspace {
    let ws = sample_workspace("credit-scoring");
    // Malformed fairness reports: each is an error finding that names its file.
    ws.write(TITLE, b"{ not json");
    ws.write(SPLIT, b"{ not json");
    // A group whose name holds an escape sequence, with a failing ratio: the finding
    // quotes the evidence text.
    edit(&ws, "fairness/bias_analysis.json", "\"female\": 0.918", "\"fe\\u001b[2Jmale\": 0.5");
    ws
}

fn assert_no_controls(what: &str, text: &str) {
    for (i, line) in text.lines().enumerate() {
        assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "{what}, line {}: {line:?}", i + 1);
    }
    assert!(
        !text.lines().any(|l| l.starts_with("  gate       pass (--fail-on error).json")),
        "{what}: a name split a line"
    );
}

#[test]
fn control_characters_in_names_and_evidence_are_shown_escaped() {
    let ws = hostile_workspace();
    let out = ws.build(&[]).code(1);
    let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
    assert_no_controls("stdout", &stdout);
    assert_no_controls("stderr", &stderr);
    assert!(stderr.contains("error[evidence-unparseable] fairness/q3\\x1b]0;pwned\\x07.json:"), "{stderr}");
    assert!(
        stderr.contains("error[evidence-unparseable] fairness/q4\\n  gate       pass (--fail-on error).json:"),
        "{stderr}"
    );
    // Quoted evidence text arrives escaped too (here by the message's own quoting).
    assert!(stderr.contains("group \"fe\\u{1b}[2Jmale\""), "{stderr}");

    let summary = fs::read_to_string(ws.package().join("summary.md")).unwrap();
    assert_no_controls("summary.md", &summary);
    assert!(summary.contains("pwned"), "summary.md lists the finding");

    // The HTML report shows them escaped too (the PDF shows such characters as their
    // code point, U+1B, as it does for any character its fonts lack).
    let html = fs::read_to_string(ws.package().join("index.html")).unwrap();
    assert!(
        !html.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')),
        "index.html holds raw control characters"
    );
    assert!(html.contains("q3\\x1b]0;pwned\\x07.json"), "index.html does not show the name escaped");

    // The machine outputs keep the names as they are: they are data, not display.
    let findings = read_json(&ws.package().join("findings.json"));
    assert!(findings["findings"].as_array().unwrap().iter().any(|f| f["path"] == TITLE));

    // `check`, `verify` and `diff` print through the same writer.
    let out = ws.run(&["check", "ev"]).code(1);
    assert_no_controls("check stderr", &stderr_of(&out));
    ws.write(TITLE, b"{ still not json }");
    let out = ws.verify(&[]).code(3);
    assert_no_controls("verify stderr", &stderr_of(&out));
    assert_stderr_has(&out, "error[artifact-modified] fairness/q3\\x1b]0;pwned\\x07.json:");
}
