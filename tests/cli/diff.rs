//! `dossier diff OLD NEW` and `build --previous`: the quarterly review.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

use crate::support::*;

/// 2026-09-21 and 90 days later, 2026-12-20.
pub(crate) const Q3: &str = "1790000000";
pub(crate) const Q4: &str = "1797776000";

const BIAS: &str = "fairness/bias_analysis.json";
const ADVERSARIAL: &str = "robustness/adversarial_test_results.xml";
const DELETED_LOG: &str = "logs/inference/2026/11/19/audit-000.jsonl";

pub(crate) fn build_at(ws: &Workspace, epoch: &str, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    dossier()
        .env("SOURCE_DATE_EPOCH", epoch)
        .current_dir(ws.dir.path())
        .args(["build", "ev", "-o", out])
        .args(extra)
        .assert()
}

/// The three changes of the quarter: one bias metric below its threshold, the adversarial
/// report replaced by a run with one failed attack, and one day's inference log deleted.
pub(crate) fn change_the_quarter(ws: &Workspace) {
    let bias = ws.evidence().join(BIAS);
    let text = fs::read_to_string(&bias).unwrap();
    assert_eq!(text.lines().nth(64).map(str::trim), Some("\"female\": 0.918"), "line 65 of the sample moved");
    fs::write(&bias, text.replacen("\"female\": 0.918", "\"female\": 0.75", 1)).unwrap();

    let report = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="adversarial" tests="4" failures="1" errors="0" skipped="0" timestamp="2026-12-18T09:00:00">
    <testcase classname="robustness" name="fgsm_eps_0_03" time="40.1"/>
    <testcase classname="robustness" name="fgsm_eps_0_10" time="41.7">
      <failure message="accuracy drop 12.1% above the 10% threshold">adv_acc=0.8292</failure>
    </testcase>
    <testcase classname="robustness" name="pgd_eps_0_03" time="120.4"/>
    <testcase classname="robustness" name="hopskipjump" time="301.9"/>
  </testsuite>
</testsuites>
"#;
    fs::write(ws.evidence().join(ADVERSARIAL), report).unwrap();
    fs::remove_file(ws.evidence().join(DELETED_LOG)).unwrap();
}

/// A credit-scoring workspace with `q3` built from the sample and `q4` from the changed
/// evidence 90 days later.
pub(crate) fn quarter_pair(extra: &[&str]) -> Workspace {
    let ws = sample_workspace("credit-scoring");
    build_at(&ws, Q3, "q3", extra).success();
    change_the_quarter(&ws);
    build_at(&ws, Q4, "q4", extra).code(1);
    ws
}

fn paths(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|a| a["path"].as_str().unwrap()).collect()
}

fn transitions(diff: &Value) -> Vec<(String, String, String, String)> {
    diff["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["transitions"].as_array().unwrap())
        .map(|t| {
            let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
            (s(&t["requirement"]), s(&t["old"]), s(&t["new"]), s(&t["change"]))
        })
        .collect()
}

#[test]
fn the_quarterly_review_names_exactly_what_changed() {
    let ws = quarter_pair(&[]);
    let out = ws.run(&["diff", "q3", "q4", "-o", "review"]).success();
    let stdout = stdout_of(&out);
    assert!(stdout.contains("requirements got worse"), "{stdout}");
    assert!(stdout.contains("evidence   0 added, 1 removed, 2 changed, 0 moved"), "{stdout}");
    let diff = read_json(&ws.dir.path().join("review/diff.json"));
    assert_eq!(diff["format"], "dossier-diff");

    // Artifacts: exactly the two replaced files and the deleted log.
    let a = &diff["artifacts"];
    assert_eq!(paths(&a["changed"]), [BIAS, ADVERSARIAL]);
    assert_eq!(paths(&a["removed"]), [DELETED_LOG]);
    assert!(a["added"].as_array().unwrap().is_empty());
    assert!(a["moved"].as_array().unwrap().is_empty());
    assert_eq!(diff["summary"]["artifacts_unchanged"], 34);

    // Requirements: Art. 10 and Art. 15 went from satisfied to failed, and everything that
    // moved got worse because of the bias or the robustness evidence.
    let moved = transitions(&diff);
    let has =
        |id: &str| moved.iter().any(|(r, o, n, c)| r == id && o == "satisfied" && n == "failed" && c == "regressed");
    assert!(has("eu-ai-act/art-10/2/f"), "{moved:?}");
    assert!(has("eu-ai-act/art-15/1"), "{moved:?}");
    assert!(has("eu-ai-act/art-15/5"), "{moved:?}");
    assert!(moved.iter().all(|(_, _, _, c)| c == "regressed"), "{moved:?}");
    let eu: Vec<&str> = moved.iter().map(|(r, ..)| r.as_str()).filter(|r| r.starts_with("eu-ai-act/")).collect();
    assert!(
        eu.iter().all(|r| r.starts_with("eu-ai-act/art-10/")
            || r.starts_with("eu-ai-act/art-15/")
            || r.starts_with("eu-ai-act/annex-iv/")),
        "{eu:?}"
    );
    let eu_fw = &diff["frameworks"][0];
    assert_eq!(eu_fw["id"], "eu-ai-act");
    assert_eq!(eu_fw["old_coverage"]["failed"], 0);
    assert_eq!(eu_fw["new_coverage"]["failed"].as_u64().unwrap() as usize, eu.len());

    // Measures: the disparate impact ratio and the adversarial pass rate regressed, by the
    // thresholds the checks use; the new report also ran fewer attacks. Nothing else moved.
    let measures = diff["measures"].as_array().unwrap();
    let names: Vec<&str> = measures.iter().map(|m| m["measure"].as_str().unwrap()).collect();
    assert_eq!(names, ["disparate impact ratio, sex = female", "test pass rate", "tests"]);
    let dir = measures.iter().find(|m| m["measure"] == "disparate impact ratio, sex = female").unwrap();
    assert_eq!((dir["old"].as_f64(), dir["new"].as_f64()), (Some(0.918), Some(0.75)));
    assert_eq!(dir["verdict"], "regressed");
    assert_eq!(dir["limit_text"], "[0.8, 1.25]");
    let rate = measures.iter().find(|m| m["measure"] == "test pass rate").unwrap();
    assert_eq!((rate["old"].as_f64(), rate["new"].as_f64()), (Some(1.0), Some(0.75)));
    assert_eq!(rate["verdict"], "regressed");
    assert_eq!(rate["new_path"], ADVERSARIAL);
    assert_eq!((measures[2]["old"].as_f64(), measures[2]["new"].as_f64()), (Some(8.0), Some(4.0)));
    assert_eq!(measures[2]["verdict"], "changed");

    // Findings: the two new errors; the voluntary frameworks' gaps persist.
    let new: Vec<(&str, &str)> = diff["findings"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["path"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(new, [("threshold-failed", BIAS), ("tests-failed", ADVERSARIAL)]);
    assert!(diff["findings"]["resolved"].as_array().unwrap().is_empty());
    assert!(!diff["findings"]["persisting"].as_array().unwrap().is_empty());
    assert!(diff["catalogs"].as_array().unwrap().iter().all(|c| c["note"].is_null()));
    assert!(diff["notes"].as_array().unwrap().is_empty());
    assert_eq!(diff["summary"]["regression"], true);

    // The gate.
    ws.run(&["diff", "q3", "q4", "-o", "review", "--fail-on-regression"]).code(1);

    // The reports carry the same content.
    let html = fs::read_to_string(ws.dir.path().join("review/diff.html")).unwrap();
    assert!(html.contains("Art. 10(2)(f)") && html.contains("ch-regressed"), "diff.html lacks the transitions");
    assert!(html.contains("disparate impact ratio, sex = female"));
    assert!(!html.contains("<script"), "the diff page runs no script");
    let pdf = ws.dir.path().join("review/diff.pdf");
    assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    if have("pdftotext") {
        let out = Process::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        for needle in [
            "Comparison of audit packages",
            "Art. 10(2)(f)",
            "Art. 15(1)",
            "disparate impact ratio, sex = female",
            DELETED_LOG,
        ] {
            assert!(text.contains(needle), "diff.pdf lacks {needle:?}");
        }
    }
}

#[test]
fn the_reverse_comparison_reports_fixes_and_recoveries() {
    let ws = quarter_pair(&[]);
    ws.run(&["diff", "q4", "q3", "-o", "back", "--fail-on-regression"]).success();
    let diff = read_json(&ws.dir.path().join("back/diff.json"));
    let moved = transitions(&diff);
    assert!(
        moved
            .iter()
            .any(|(r, o, n, c)| r == "eu-ai-act/art-10/2/f" && o == "failed" && n == "satisfied" && c == "fixed")
    );
    assert!(moved.iter().all(|(_, _, _, c)| c == "fixed"), "{moved:?}");
    assert_eq!(paths(&diff["artifacts"]["added"]), [DELETED_LOG]);
    let verdicts: Vec<&str> =
        diff["measures"].as_array().unwrap().iter().map(|m| m["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["recovered", "recovered", "changed"]);
    assert_eq!(diff["findings"]["resolved"].as_array().unwrap().len(), 2);
    assert_eq!(diff["summary"]["regression"], false);
    let notes = diff["notes"].as_array().unwrap();
    assert!(notes.len() == 1 && notes[0].as_str().unwrap().contains("the wrong way round"), "{notes:?}");
}

#[test]
fn identical_evidence_shows_no_change_and_the_output_is_reproducible() {
    let ws = sample_workspace("credit-scoring");
    build_at(&ws, Q3, "q3", &[]).success();
    build_at(&ws, Q4, "q4", &[]).success();
    let out = ws.run(&["diff", "q3", "q4", "-o", "one", "--fail-on-regression"]).success();
    assert!(stdout_of(&out).contains("no requirement got worse"));
    let diff = read_json(&ws.dir.path().join("one/diff.json"));
    let s = &diff["summary"];
    for key in [
        "artifacts_added",
        "artifacts_removed",
        "artifacts_changed",
        "artifacts_moved",
        "requirements_regressed",
        "measures_changed",
        "findings_new",
        "findings_resolved",
    ] {
        assert_eq!(s[key], 0, "{key}");
    }
    assert!(transitions(&diff).is_empty());

    // Same packages, same outputs, byte for byte; a second run replaces the first.
    ws.run(&["diff", "q3", "q4", "-o", "two"]).success();
    ws.run(&["diff", "q3", "q4", "-o", "one"]).success();
    for file in ["diff.json", "diff.html", "diff.pdf"] {
        let a = fs::read(ws.dir.path().join("one").join(file)).unwrap();
        let b = fs::read(ws.dir.path().join("two").join(file)).unwrap();
        assert!(a == b, "{file} differs between identical runs");
    }
    ws.run(&["diff", "q3", "q4", "-o", "json-only", "--reports", "none"]).success();
    let listing: Vec<String> = fs::read_dir(ws.dir.path().join("json-only"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(listing, ["diff.json"]);
}

#[test]
fn moves_expired_waivers_and_new_sign_offs_are_named() {
    let ws = sample_workspace("credit-scoring");
    // Q3: the EU database registration is pending, under a waiver that ends in October.
    fs::remove_file(ws.evidence().join("conformity/eu_database_registration.json")).unwrap();
    ws.write(
        "waivers/registration_waiver.yaml",
        b"requirements: [eu-ai-act/art-49/1, eu-ai-act/annex-viii/a]\njustification: registration submitted, receipt pending\napprover: Declan Byrne\nexpires: 2026-10-31\n",
    );
    build_at(&ws, Q3, "q3", &[]).success();
    // Q4: the waiver has lapsed, the changelog moved, and a second sign-off was added.
    fs::create_dir_all(ws.evidence().join("docs/history")).unwrap();
    fs::rename(ws.evidence().join("CHANGELOG.md"), ws.evidence().join("docs/history/CHANGELOG.md")).unwrap();
    ws.write(
        "signoff/ciso_signoff.yaml",
        b"reviewer: {name: Ines Duarte, role: \"CISO <img src=x onerror=window.__pwned=1> #set page(width: 1cm)\"}\ndecision: approve\ndate: 2026-12-15\nversion: \"4.2.1\"\n",
    );
    build_at(&ws, Q4, "q4", &[]).code(1);
    ws.run(&["diff", "q3", "q4", "-o", "review", "--fail-on-regression"]).code(1);
    let diff = read_json(&ws.dir.path().join("review/diff.json"));

    let moved = &diff["artifacts"]["moved"];
    assert_eq!(moved.as_array().unwrap().len(), 1, "{moved:#}");
    assert_eq!(
        (moved[0]["from"].as_str(), moved[0]["to"].as_str()),
        (Some("CHANGELOG.md"), Some("docs/history/CHANGELOG.md"))
    );
    assert_eq!(paths(&diff["artifacts"]["added"]), ["signoff/ciso_signoff.yaml"]);

    let expired = diff["waivers"]["expired"].as_array().unwrap();
    assert_eq!(paths(&diff["waivers"]["expired"]), ["waivers/registration_waiver.yaml"]);
    assert_eq!(expired[0]["expires"], "2026-10-31");
    assert!(transitions(&diff).contains(&(
        "eu-ai-act/art-49/1".into(),
        "waived".into(),
        "missing".into(),
        "regressed".into()
    )));
    let signed: Vec<&str> =
        diff["sign_offs"]["added"].as_array().unwrap().iter().map(|s| s["reviewer"].as_str().unwrap()).collect();
    assert_eq!(signed, ["Ines Duarte"]);
    assert!(diff["sign_offs"]["withdrawn"].as_array().unwrap().is_empty());

    // Evidence text stays text in both reports.
    let html = fs::read_to_string(ws.dir.path().join("review/diff.html")).unwrap();
    assert!(html.contains("CISO &lt;img src=x onerror=window.__pwned=1&gt;"), "the role is not escaped");
    assert!(!html.contains("<img src=x"));
    if have("pdftotext") {
        let out = Process::new("pdftotext").arg(ws.dir.path().join("review/diff.pdf")).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        assert!(text.contains("#set page(width: 1cm)"), "Typst markup in evidence must print literally");
    }
}

fn flip_byte(file: &Path) {
    let mut bytes = fs::read(file).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    fs::write(file, bytes).unwrap();
}

#[test]
fn a_tampered_side_is_an_integrity_error_not_a_diff() {
    let ws = quarter_pair(&[]);
    flip_byte(&ws.dir.path().join("q3/assessment.json"));
    let out = ws.run(&["diff", "q3", "q4", "-o", "review"]).code(3);
    let stderr = stderr_of(&out);
    assert!(stderr.contains("assessment.json"), "{stderr}");
    assert!(stdout_of(&out).contains("OLD package q3 failed verification"), "{}", stdout_of(&out));
    assert!(!ws.dir.path().join("review").exists(), "nothing is written for a tampered side");

    // `build --previous` refuses it the same way, and leaves no package behind.
    let out = build_at(&ws, Q4, "q4p", &["--previous", "q3"]).code(3);
    assert!(stderr_of(&out).contains("previous package q3 failed verification"), "{}", stderr_of(&out));
    assert!(!ws.dir.path().join("q4p").exists());

    // The manifest's own seal counts too.
    let manifest = ws.dir.path().join("q4/manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replacen("\"4.2.1\"", "\"4.2.2\"", 1)).unwrap();
    ws.run(&["diff", "q4", "q4", "-o", "review"]).code(3);
}

#[test]
fn bundles_compare_like_directories_and_signatures_are_checked() {
    let ws = sample_workspace("credit-scoring");
    ws.run(&["keygen", "team"]).success();
    ws.run(&["keygen", "other"]).success();
    build_at(&ws, Q3, "q3", &["--bundle", "--sign", "team.key"]).success();
    change_the_quarter(&ws);
    build_at(&ws, Q4, "q4", &["--bundle", "--sign", "team.key"]).code(1);

    let out = ws.run(&["diff", "q3.tar.gz", "q4.tar.gz", "-o", "from-bundles", "--key", "team.pub"]).success();
    assert!(stdout_of(&out).contains("verified"), "{}", stdout_of(&out));
    ws.run(&["diff", "q3", "q4", "-o", "from-dirs", "--key", "team.pub"]).success();
    let a = read_json(&ws.dir.path().join("from-bundles/diff.json"));
    let b = read_json(&ws.dir.path().join("from-dirs/diff.json"));
    for key in ["summary", "artifacts", "frameworks", "measures", "findings"] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert_eq!(a["new"]["signature"], "verified");

    // Signed by another key: integrity failure.
    ws.run(&["diff", "q3.tar.gz", "q4.tar.gz", "-o", "x", "--key", "other.pub"]).code(3);
    // A byte flipped inside a bundle: integrity failure.
    flip_byte(&ws.dir.path().join("q4.tar.gz"));
    ws.run(&["diff", "q3.tar.gz", "q4.tar.gz", "-o", "x"]).failure();
    assert!(!ws.dir.path().join("x").exists());
}

#[test]
fn a_key_rotated_between_the_quarters_is_checked_side_by_side() {
    let ws = sample_workspace("credit-scoring");
    ws.run(&["keygen", "q3-key"]).success();
    ws.run(&["keygen", "q4-key"]).success();
    build_at(&ws, Q3, "q3", &["--sign", "q3-key.key"]).success();
    change_the_quarter(&ws);
    build_at(&ws, Q4, "q4", &["--sign", "q4-key.key"]).code(1);
    let said = |out: &assert_cmd::assert::Assert| format!("{}{}", stdout_of(out), stderr_of(out));

    // One key for both sides: the older package's signature does not verify with it.
    let out = ws.run(&["diff", "q3", "q4", "-o", "one-key", "--key", "q4-key.pub"]).code(3);
    assert!(said(&out).contains("OLD package q3 failed verification"), "{}", said(&out));
    assert!(!ws.dir.path().join("one-key").exists());

    // Each side checked with its own key.
    ws.run(&["diff", "q3", "q4", "-o", "rotated", "--old-key", "q3-key.pub", "--new-key", "q4-key.pub"]).success();
    let d = read_json(&ws.dir.path().join("rotated/diff.json"));
    assert_eq!((&d["old"]["signature"], &d["new"]["signature"]), (&"verified".into(), &"verified".into()));
    assert_ne!(d["old"]["signer"], d["new"]["signer"], "two keys, two fingerprints");
    // --old-key takes OLD's place in --key, and only OLD's.
    ws.run(&["diff", "q3", "q4", "-o", "mixed", "--key", "q4-key.pub", "--old-key", "q3-key.pub"]).success();
    let out = ws.run(&["diff", "q3", "q4", "-o", "swapped", "--old-key", "q4-key.pub", "--new-key", "q3-key.pub"]);
    assert!(said(&out.code(3)).contains("OLD package q3"));

    // build --previous checks the previous package's signature with --previous-key, and
    // writes nothing when it fails.
    let out = build_at(&ws, Q4, "q4p", &["--previous", "q3", "--previous-key", "q4-key.pub"]).code(3);
    assert!(said(&out).contains("previous package q3 failed verification"), "{}", said(&out));
    assert!(!ws.dir.path().join("q4p").exists());
    build_at(&ws, Q4, "q4p", &["--previous", "q3", "--previous-key", "q3-key.pub"]).code(1);
    assert!(ws.dir.path().join("q4p/index.html").exists());
    // A key for a previous package that was not given is a usage error.
    build_at(&ws, Q4, "q4x", &["--previous-key", "q3-key.pub"]).code(2);
}

#[test]
fn build_previous_adds_the_changes_section_without_changing_the_package() {
    let ws = quarter_pair(&[]);
    let out = build_at(&ws, Q4, "q4p", &["--previous", "q3"]).code(1);
    assert!(stdout_of(&out).contains("previous   q3:"), "{}", stdout_of(&out));
    // The sealed package is the same as without --previous: only the reports differ.
    let digest = |dir: &str| read_json(&ws.dir.path().join(dir).join("manifest.json"))["package_digest"].clone();
    assert_eq!(digest("q4"), digest("q4p"));
    let html = fs::read_to_string(ws.dir.path().join("q4p/index.html")).unwrap();
    assert!(html.contains("id=\"changes\"") && html.contains("Changes since the previous package"));
    assert!(html.contains("Art. 10(2)(f)") && html.contains("ch-regressed"));
    let plain = fs::read_to_string(ws.dir.path().join("q4/index.html")).unwrap();
    assert!(!plain.contains("id=\"changes\""));
    if have("pdftotext") {
        let out = Process::new("pdftotext").arg(ws.dir.path().join("q4p/report.pdf")).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        assert!(text.contains("Changes since the previous package"));
        assert!(text.contains("disparate impact ratio, sex = female"));
    }
    ws.run(&["verify", "q4p", "--evidence", "ev"]).success();

    // The usual pipeline step: compare with the package the last run left at the same
    // path, which is read before it is replaced.
    build_at(&ws, Q4, "q3", &["--previous", "q3"]).code(1);
    let html = fs::read_to_string(ws.dir.path().join("q3/index.html")).unwrap();
    assert!(html.contains("Changes since the previous package") && html.contains("ch-regressed"));
    assert_eq!(digest("q3"), digest("q4"));
}

#[test]
fn the_output_never_lands_on_a_package_or_a_stranger() {
    let ws = quarter_pair(&[]);
    let out = ws.run(&["diff", "q3", "q4", "-o", "q3/review"]).code(2);
    assert_stderr_has(&out, "inside the package q3");
    let out = ws.run(&["diff", "q3", "q4", "-o", "."]).code(2);
    assert_stderr_has(&out, "contains the package");
    fs::create_dir_all(ws.dir.path().join("notes")).unwrap();
    fs::write(ws.dir.path().join("notes/todo.txt"), "keep me").unwrap();
    let out = ws.run(&["diff", "q3", "q4", "-o", "notes"]).code(2);
    assert_stderr_has(&out, "not a dossier diff output");
    assert_eq!(fs::read_to_string(ws.dir.path().join("notes/todo.txt")).unwrap(), "keep me");

    // A package without an assessment cannot be compared.
    build_at(&ws, Q3, "bare", &["--manifest-only"]).success();
    let out = ws.run(&["diff", "bare", "q4", "-o", "review"]).code(2);
    assert_stderr_has(&out, "has no assessment.json");
}

#[test]
fn the_diff_page_and_the_changes_section_pass_the_browser_check() {
    let ws = quarter_pair(&[]);
    ws.run(&["diff", "q3", "q4", "-o", "review", "--reports", "html"]).success();
    build_at(&ws, Q4, "q4p", &["--previous", "q3"]).code(1);
    browser_check(&["--diff"], &ws.dir.path().join("review/diff.html"));
    browser_check(&[], &ws.dir.path().join("q4p/index.html"));
}

#[test]
fn packages_of_different_systems_compare_with_a_note() {
    let ws = sample_workspace("credit-scoring");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("evidence-samples/support-chatbot"),
        &ws.dir.path().join("bot"),
    );
    build_at(&ws, Q3, "credit", &[]).success();
    dossier().current_dir(ws.dir.path()).args(["build", "bot", "-o", "chatbot"]).assert().success();
    let out = ws.run(&["diff", "credit", "chatbot", "-o", "review", "--reports", "none"]).success();
    assert!(
        stdout_of(&out).contains("note       the packages are of different systems (credit-score and "),
        "{}",
        stdout_of(&out)
    );
    let diff = read_json(&ws.dir.path().join("review/diff.json"));
    assert!(diff["summary"]["artifacts_added"].as_u64().unwrap() > 0);
    assert!(diff["summary"]["artifacts_removed"].as_u64().unwrap() > 0);
}

#[test]
fn a_new_catalog_version_is_noted_and_its_new_requirements_are_not_regressions() {
    let ws = Workspace::new(&[("CHANGELOG.md", "# 1.0\n")]);
    let catalog = |version: &str, extra: &str| {
        format!(
            "id: acme-controls\ntitle: Acme controls\nversion: \"{version}\"\nsource: internal\nas_of: 2026-10-01\ncompleteness: complete\nbinding: true\nrequirements:\n  - id: acme/C-1\n    ref: C-1\n    title: Release notes kept\n    evidence:\n      - {{type: change-log}}\n{extra}"
        )
    };
    fs::write(ws.dir.path().join("acme.yaml"), catalog("1.0", "")).unwrap();
    fs::write(
        ws.dir.path().join("dossier.yaml"),
        "system:\n  risk_category: minimal\nevidence:\n  root: ev\nframeworks: [acme-controls]\ncatalogs: [acme.yaml]\n",
    )
    .unwrap();
    build_at(&ws, Q3, "q3", &[]).success();
    let added =
        "  - id: acme/C-2\n    ref: C-2\n    title: Model card kept\n    evidence:\n      - {type: model-card}\n";
    fs::write(ws.dir.path().join("acme.yaml"), catalog("2.0", added)).unwrap();
    build_at(&ws, Q4, "q4", &[]).code(1);

    let out = ws.run(&["diff", "q3", "q4", "-o", "review", "--reports", "none", "--fail-on-regression"]).success();
    let stdout = stdout_of(&out);
    assert!(
        stdout.contains("catalogs   acme-controls: assessed against catalog version 1.0 before and 2.0 now"),
        "{stdout}"
    );
    let diff = read_json(&ws.dir.path().join("review/diff.json"));
    assert_eq!(
        transitions(&diff),
        [("acme/C-2".to_string(), "-".to_string(), "missing".to_string(), "added".to_string())]
    );
    assert_eq!(diff["catalogs"][0]["old_version"], "1.0");
    assert_eq!(diff["catalogs"][0]["new_version"], "2.0");
    assert_eq!(diff["summary"]["regression"], false);
}
