//! `dossier render PACKAGE`: the reports again, from the package alone, byte for byte.

use std::fs;
use std::path::Path;

use crate::diff::{Q4, build_at, quarter_pair};
use crate::support::*;

fn same_reports(package: &Path, rendered: &Path) {
    for file in ["index.html", "report.pdf"] {
        let built = fs::read(package.join(file)).unwrap();
        let again = fs::read(rendered.join(file)).unwrap();
        assert!(built == again, "{file} rendered from {} differs from the build's", package.display());
    }
}

#[test]
fn the_reports_of_both_samples_render_again_byte_for_byte() {
    for sample in ["credit-scoring", "support-chatbot"] {
        let ws = sample_workspace(sample);
        ws.build(&["--fail-on", "never", "--bundle"]).success();
        let before = snapshot(&ws.package());
        // The evidence is not needed: render reads the package only.
        fs::remove_dir_all(ws.evidence()).unwrap();
        let out = ws.run(&["render", "pkg", "-o", "again"]).success();
        assert!(stdout_of(&out).contains("written    index.html, report.pdf in "), "{}", stdout_of(&out));
        same_reports(&ws.package(), &ws.dir.path().join("again"));
        ws.run(&["render", "pkg.tar.gz", "-o", "from-bundle"]).success();
        same_reports(&ws.package(), &ws.dir.path().join("from-bundle"));
        assert!(snapshot(&ws.package()) == before, "render must not write into the package");
    }
}

#[test]
fn the_changes_section_and_the_signer_render_again_too() {
    let ws = quarter_pair(&[]);
    ws.run(&["keygen", "k"]).success();
    build_at(&ws, Q4, "q4p", &["--previous", "q3", "--sign", "k.key"]).code(1);
    let listed: Vec<String> = ws_manifest(&ws, "q4p")["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ["diff.json", "index.html", "report.pdf"], "the comparison is kept beside the reports");
    ws.run(&["verify", "q4p", "--key", "k.pub", "--evidence", "ev"]).success();
    ws.run(&["render", "q4p", "-o", "again"]).success();
    same_reports(&ws.dir.path().join("q4p"), &ws.dir.path().join("again"));
    let html = fs::read_to_string(ws.dir.path().join("again/index.html")).unwrap();
    assert!(html.contains("Changes since the previous package"));
}

fn ws_manifest(ws: &Workspace, package: &str) -> serde_json::Value {
    read_json(&ws.dir.path().join(package).join("manifest.json"))
}

#[test]
fn other_templates_change_the_reports_and_an_altered_package_is_refused() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&[]).success();
    fs::create_dir_all(ws.dir.path().join("mine/html")).unwrap();
    fs::write(ws.dir.path().join("mine/html/style.css"), "body { color: rebeccapurple }").unwrap();
    ws.run(&["render", "pkg", "-o", "styled", "--templates", "mine"]).success();
    let html = fs::read_to_string(ws.dir.path().join("styled/index.html")).unwrap();
    assert!(html.contains("rebeccapurple"));
    // The PDF did not change: its templates are the built-ins.
    let built = fs::read(ws.package().join("report.pdf")).unwrap();
    assert!(fs::read(ws.dir.path().join("styled/report.pdf")).unwrap() == built);

    // A package edited after the build is not rendered: its reports would describe
    // something the manifest does not vouch for.
    let assessment = ws.package().join("assessment.json");
    let text = fs::read_to_string(&assessment).unwrap();
    fs::write(&assessment, text.replacen("\"verdict\": \"pass\"", "\"verdict\": \"fail\"", 1)).unwrap();
    let out = ws.run(&["render", "pkg", "-o", "forged"]).code(3);
    assert_stderr_has(&out, "error[output-modified] assessment.json");
    assert!(!ws.dir.path().join("forged").exists());
    // Nor is the output allowed inside the package.
    fs::write(&assessment, text).unwrap();
    let out = ws.run(&["render", "pkg", "-o", "pkg/again"]).code(2);
    assert_stderr_has(&out, "inside the package pkg");
}
