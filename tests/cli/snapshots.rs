//! Golden files: the report model, `assessment.json`, `findings.json`, `matrix.json` and
//! `diff.json` for both samples and the quarterly review, pinned with insta.
//!
//! Every change to what dossier concludes shows up here as a reviewed snapshot diff
//! (`cargo insta review`, or `INSTA_UPDATE=always` and `git diff`). Only what varies
//! between releases is redacted: the tool version and the package digests that depend
//! on it.

use std::path::Path;

use serde_json::Value;

use crate::diff::{Q4, build_at, quarter_pair};
use crate::support::*;

/// Replaces what depends on the dossier version: `tool.version`-shaped objects, the
/// report header's `tool_version`, and package digests (the manifest names the version).
fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // Keys sorted, so a golden file changes with values, not with field order.
            map.sort_keys();
            if map.get("name").and_then(Value::as_str) == Some("dossier") && map.contains_key("version") {
                map.insert("version".into(), "[version]".into());
            }
            for (key, item) in map.iter_mut() {
                match key.as_str() {
                    "tool_version" => *item = "[version]".into(),
                    "package_digest" => *item = "[package-digest]".into(),
                    _ => redact(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn pin(name: &str, file: &Path) {
    let mut value = read_json(file);
    redact(&mut value);
    insta::with_settings!({prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_json_snapshot!(name, value);
    });
}

/// The report model of `package`, as the templates receive it (`dossier render --model`).
fn report_model(ws: &Workspace, package: &str) -> std::path::PathBuf {
    ws.run(&["render", package, "-o", "model", "--model"]).success();
    ws.dir.path().join("model/report.json")
}

/// Builds sample `name` and pins what its package concludes.
fn pin_sample(name: &str) {
    let ws = sample_workspace(name);
    ws.build(&["--fail-on", "never"]).success();
    pin(&format!("{name}.report-model"), &report_model(&ws, "pkg"));
    for file in ["assessment.json", "findings.json", "matrix.json"] {
        pin(&format!("{name}.{file}"), &ws.package().join(file));
    }
}

#[test]
fn the_credit_scoring_sample() {
    pin_sample("credit-scoring");
}

#[test]
fn the_support_chatbot_sample() {
    pin_sample("support-chatbot");
}

#[test]
fn the_quarterly_review() {
    let ws = quarter_pair(&[]);
    ws.run(&["diff", "q3", "q4", "-o", "review", "--reports", "none"]).success();
    pin("quarterly.diff.json", &ws.dir.path().join("review/diff.json"));
    pin("quarterly.q4.findings.json", &ws.dir.path().join("q4/findings.json"));
    build_at(&ws, Q4, "q4p", &["--previous", "q3"]).code(1);
    pin("quarterly.q4-previous.report-model", &report_model(&ws, "q4p"));
}
