//! One model, every output: a figure is worked out once, from the bytes that were
//! hashed, and every output that shows it shows the same value.

use std::fs;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::diff::{Q3, Q4, build_at};
use crate::support::*;

const ADVERSARIAL: &str = "robustness/adversarial_test_results.xml";

/// A JUnit file with 8 cases: 5 pass, 1 fails, 2 are skipped. 5 of the 6 that ran passed.
const EIGHT_ONE_FAILED_TWO_SKIPPED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="pytest" tests="8" failures="1" errors="0" skipped="2" timestamp="2026-12-18T09:00:00">
    <testcase classname="robustness" name="fgsm_eps_0_03"/>
    <testcase classname="robustness" name="fgsm_eps_0_10"/>
    <testcase classname="robustness" name="pgd_eps_0_03"><failure message="accuracy drop 12%">adv_acc=0.83</failure></testcase>
    <testcase classname="robustness" name="pgd_eps_0_05"/>
    <testcase classname="robustness" name="hopskipjump"/>
    <testcase classname="robustness" name="feature_noise"/>
    <testcase classname="robustness" name="carlini_wagner"><skipped message="no GPU on the runner"/></testcase>
    <testcase classname="robustness" name="boundary_attack"><skipped message="budget"/></testcase>
  </testsuite>
</testsuites>
"#;

fn measure<'a>(assessment: &'a Value, name: &str) -> &'a Value {
    assessment["measures"].as_array().unwrap().iter().find(|m| m["measure"] == name).unwrap()
}

#[test]
fn a_pass_rate_with_skipped_tests_reads_the_same_everywhere() {
    let ws = sample_workspace("credit-scoring");
    build_at(&ws, Q3, "q3", &[]).success();
    fs::write(ws.evidence().join(ADVERSARIAL), EIGHT_ONE_FAILED_TWO_SKIPPED).unwrap();
    let out = build_at(&ws, Q4, "q4", &["--previous", "q3"]).code(1);

    // The gate: 1 of the 6 cases that ran failed.
    assert_stderr_has(&out, "1 of 8 tests failed or errored (pass rate 0.8333, required 1)");
    // assessment.json: in the document and in its measure, once.
    let a = read_json(&ws.dir.path().join("q4/assessment.json"));
    let doc = &a["artifacts"].as_array().unwrap().iter().find(|x| x["path"] == ADVERSARIAL).unwrap()["document"];
    assert_eq!((doc["tests"].as_u64(), doc["skipped"].as_u64()), (Some(8), Some(2)));
    let rate = doc["pass_rate"].as_f64().unwrap();
    assert!((rate - 5.0 / 6.0).abs() < 1e-12, "{rate}");
    assert_eq!(measure(&a, "test pass rate")["value"].as_f64(), Some(rate));
    // Both reports.
    let html = fs::read_to_string(ws.dir.path().join("q4/index.html")).unwrap();
    assert!(html.contains("83.3%"), "index.html does not show 83.3%");
    assert!(!html.contains("62.5%"), "index.html counts the skipped cases against the rate");
    if let Some(text) = pdf_text(&ws.dir.path().join("q4/report.pdf")) {
        assert!(text.contains("83.3%"), "report.pdf does not show 83.3%");
        assert!(!text.contains("62.5%"));
    }
    // The comparison, in the package and from `dossier diff`.
    for diff in [ws.dir.path().join("q4/diff.json"), {
        ws.run(&["diff", "q3", "q4", "-o", "review", "--reports", "none"]).success();
        ws.dir.path().join("review/diff.json")
    }] {
        let d = read_json(&diff);
        let m = d["measures"].as_array().unwrap().iter().find(|m| m["measure"] == "test pass rate").unwrap();
        assert_eq!((m["old"].as_f64(), m["new"].as_f64()), (Some(1.0), Some(rate)), "{}", diff.display());
        assert_eq!(m["verdict"], "regressed");
    }
}

#[test]
fn a_risk_register_under_entries_shows_its_risks_in_both_reports() {
    let ws = sample_workspace("credit-scoring");
    edit(&ws, "risk/risk_register.yaml", "\nrisks:\n", "\nentries:\n");
    ws.build(&["--fail-on", "never"]).success();
    let html = fs::read_to_string(ws.package().join("index.html")).unwrap();
    let section_c = &html[html.find("id=\"conformity-risk\"").unwrap()..html.find("id=\"conformity-data\"").unwrap()];
    // Every risk, and the carried ones (R-004 was accepted with a medium residual risk).
    assert!(section_c.contains("Bias against protected groups"), "section C lacks the risks");
    assert!(section_c.contains("Use on out-of-scope applicants"));
    assert!(section_c.contains("R-004"));
    let a = read_json(&ws.package().join("assessment.json"));
    let register = &a["artifacts"].as_array().unwrap().iter().find(|x| x["path"] == "risk/risk_register.yaml").unwrap()
        ["document"];
    assert_eq!(register["list_key"], "entries");
    assert_eq!(register["entries"].as_array().unwrap().len(), 9);
    let carried: Vec<&str> = register["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["carried"] == true)
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(carried, ["R-004"]);
    if let Some(text) = pdf_text(&ws.package().join("report.pdf")) {
        assert!(text.contains("Bias against protected groups"), "report.pdf lacks the risks");
        assert!(text.contains("R-004"));
    }
}

const GOLDEN: &str = "cbdea9cdc9b7ec42882badbfee5ca20e7d41068c6e050e903ce6e5274568d035";

#[test]
fn a_prefixed_upper_case_dataset_digest_is_checked_against_its_file_and_shown() {
    let ws = sample_workspace("credit-scoring");
    let written = format!("\"digest\": \"sha256:{}\"", GOLDEN.to_uppercase());
    edit(&ws, "data/dataset_manifest.json", &format!("\"sha256\": \"{GOLDEN}\""), &written);
    ws.build(&["--fail-on", "never"]).success();
    let a = read_json(&ws.package().join("assessment.json"));
    let row = a["datasets"].as_array().unwrap().iter().find(|d| d["name"] == "golden_set_sample").unwrap();
    assert_eq!((row["sha256"].as_str(), &row["verified"]), (Some(GOLDEN), &Value::Bool(true)));
    let html = fs::read_to_string(ws.package().join("index.html")).unwrap();
    assert!(html.contains(GOLDEN), "the data certificate does not show the digest");

    // The file changes; the manifest's digest no longer matches it.
    let csv = ws.evidence().join("data/golden_set_sample.csv");
    let mut bytes = fs::read(&csv).unwrap();
    bytes.extend_from_slice(b"APP-99999,41,52000,700,3,12000,approve\n");
    fs::write(&csv, bytes).unwrap();
    let out = ws.build(&[]).code(1);
    assert_stderr_has(
        &out,
        &format!(
            "error[dataset-hash-mismatch] data/dataset_manifest.json: records sha256 {GOLDEN} for data/golden_set_sample.csv"
        ),
    );
    let a = read_json(&ws.package().join("assessment.json"));
    let row = a["datasets"].as_array().unwrap().iter().find(|d| d["name"] == "golden_set_sample").unwrap();
    assert_eq!(row["verified"], false);
}

#[test]
fn evidence_that_changes_between_two_reads_stops_the_build_with_exit_3() {
    // A file a sidecar retypes is read a second time, as its new type; the second read is
    // hashed, and a file that changed in between ends the build before anything is written.
    let ws = sample_workspace("credit-scoring");
    let report = fs::read_to_string(ws.evidence().join("evaluation/evaluation_metrics.json")).unwrap();
    ws.write("exports/q3_groups.json", report.as_bytes());
    ws.write("exports/q3_groups.json.dossier.yaml", b"type: bias-report\n");
    // Unhindered, the sidecar's type holds and the file is read again, as a fairness
    // report: metrics are no fairness report, so it says no reader understood it.
    let out = ws.build(&["--fail-on", "never"]).success();
    let a = read_json(&ws.package().join("assessment.json"));
    let file = a["artifacts"].as_array().unwrap().iter().find(|x| x["path"] == "exports/q3_groups.json").unwrap();
    assert_eq!(file["by"], "sidecar-type");
    assert_eq!((&file["evidence_type"], &file["document"]), (&Value::from("bias-report"), &Value::Null));
    assert_eq!(file["format"], Value::Null, "the reader of its old type still named");
    assert_stderr_has(&out, "note[format-unrecognised] exports/q3_groups.json: no reader understood its content");
    let before = snapshot(&ws.package());

    let marker = ws.dir.path().join("paused");
    let child = Process::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", Q4)
        .env("DOSSIER_TEST_PAUSE_BEFORE_REREAD", &marker)
        .args(["build", "ev", "-o", "pkg"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marker.exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the build never reached the second read");
        std::thread::sleep(Duration::from_millis(20));
    }
    ws.write("exports/q3_groups.json", report.replacen("0.95", "0.5", 1).as_bytes());
    fs::remove_file(&marker).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("exports/q3_groups.json: changed while the package was being built"), "{stderr}");
    assert!(snapshot(&ws.package()) == before, "the previous package must be left as it was");
}
