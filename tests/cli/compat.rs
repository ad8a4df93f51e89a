//! Packages already in users' hands keep working: bundles written by dossier 0.1.0
//! (`tests/fixtures/packages/0.1.0`, assessment schema 1) and by the last version before
//! evidence sets (`tests/fixtures/packages/a37e651`, manifest schema 1 and assessment
//! schema 2) still verify, still compare with a new package, and still serve as
//! `build --previous`, as bundles and unpacked.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::support::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages/0.1.0").join(name)
}

/// The bundle written before evidence sets.
fn before_sets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packages/a37e651/unsigned.tar.gz")
}

/// Unpacks a fixture bundle into `ws/<name>` (the package directory it was made from).
fn unpack(ws: &Workspace, bundle: &str, name: &str) -> PathBuf {
    unpack_path(ws, &fixture(bundle), name)
}

fn unpack_path(ws: &Workspace, bundle: &Path, name: &str) -> PathBuf {
    let dir = ws.dir.path().join(name);
    fs::create_dir_all(&dir).unwrap();
    let status = Process::new("tar").arg("-xzf").arg(bundle).arg("-C").arg(&dir).status().unwrap();
    assert!(status.success(), "tar could not unpack {}", bundle.display());
    dir
}

#[test]
fn old_packages_still_verify_as_bundles_and_directories() {
    let ws = sample_workspace("credit-scoring");
    let key = fixture("fixture.pub");
    let key = key.to_str().unwrap();
    for bundle in ["unsigned.tar.gz", "signed.tar.gz"] {
        let out = ws.run(&["verify", fixture(bundle).to_str().unwrap()]).success();
        assert!(stdout_of(&out).contains("is intact"), "{}", stdout_of(&out));
    }
    let out = ws.run(&["verify", fixture("signed.tar.gz").to_str().unwrap(), "--key", key]).success();
    assert!(stdout_of(&out).contains("signature  valid, signed by SHA256:"), "{}", stdout_of(&out));
    unpack(&ws, "unsigned.tar.gz", "old-unsigned");
    unpack(&ws, "signed.tar.gz", "old-signed");
    ws.run(&["verify", "old-unsigned"]).success();
    ws.run(&["verify", "old-signed", "--key", key]).success();
    // An unsigned package is not taken for a signed one.
    ws.run(&["verify", "old-unsigned", "--key", key]).code(3);
}

#[test]
fn old_packages_still_compare_with_a_new_one() {
    let ws = sample_workspace("credit-scoring");
    unpack(&ws, "signed.tar.gz", "old");
    ws.build(&["--fail-on", "never"]);
    let key = fixture("fixture.pub");
    for old in [fixture("signed.tar.gz"), ws.dir.path().join("old")] {
        let out = ws
            .run(&["diff", old.to_str().unwrap(), "pkg", "-o", "review", "--old-key", key.to_str().unwrap()])
            .success();
        let stdout = stdout_of(&out);
        assert!(stdout.contains("no requirement got worse"), "{stdout}");
        // The evidence of then, plus the records the sample gained for Art. 4, 5 and 25(4)
        // and its configuration's scope keys; nothing got worse.
        assert!(stdout.contains("evidence   3 added, 0 removed, 1 changed, 0 moved, 33 unchanged"), "{stdout}");
        let diff = read_json(&ws.dir.path().join("review/diff.json"));
        assert_eq!(diff["old"]["verdict"], "pass");
        assert_eq!(diff["old"]["signature"], "verified");
        assert!(diff["measures"].as_array().unwrap().is_empty(), "{:#}", diff["measures"]);
    }
    // And the other way round: the old package as the newer side.
    ws.run(&["diff", "pkg", fixture("unsigned.tar.gz").to_str().unwrap(), "-o", "back"]).success();
}

#[test]
fn old_packages_still_serve_as_the_previous_package() {
    let ws = sample_workspace("credit-scoring");
    // One changed fact, so the changes section has something to say.
    let bias = ws.evidence().join("fairness/bias_analysis.json");
    let text = fs::read_to_string(&bias).unwrap();
    fs::write(&bias, text.replacen("\"female\": 0.918", "\"female\": 0.75", 1)).unwrap();
    let old = fixture("unsigned.tar.gz");
    let out = ws.build(&["--previous", old.to_str().unwrap()]).code(1);
    let stdout = stdout_of(&out);
    assert!(stdout.contains("previous   "), "{stdout}");
    assert!(stdout.contains("2 evidence files changed, 3 added"), "{stdout}");
    let html = fs::read_to_string(ws.package().join("index.html")).unwrap();
    assert!(html.contains("Changes since the previous package"));
    assert!(html.contains("disparate impact ratio, sex = female"));
}

#[test]
fn packages_from_before_evidence_sets_verify_compare_render_and_serve_as_previous() {
    let ws = sample_workspace("credit-scoring");
    let old = before_sets();
    let old = old.to_str().unwrap();
    let out = ws.run(&["verify", old]).success();
    assert!(stdout_of(&out).contains("is intact"), "{}", stdout_of(&out));
    unpack_path(&ws, &before_sets(), "old");
    ws.run(&["verify", "old"]).success();

    // Compared with a package of today, file by file: the same evidence, nothing changed.
    ws.build(&["--fail-on", "never"]);
    for side in [old, "old"] {
        let out = ws.run(&["diff", side, "pkg", "-o", "review"]).success();
        let stdout = stdout_of(&out);
        assert!(stdout.contains("no requirement got worse"), "{stdout}");
        assert!(stdout.contains("evidence   3 added, 0 removed, 1 changed, 0 moved, 33 unchanged"), "{stdout}");
        let diff = read_json(&ws.dir.path().join("review/diff.json"));
        let transitions =
            diff["frameworks"].as_array().unwrap().iter().flat_map(|f| f["transitions"].as_array().unwrap());
        assert!(transitions.clone().all(|t| t["change"] != "regressed"), "{diff:#}");
    }

    // A file changed since: the diff names it with the type the old package gave it.
    let bias = ws.evidence().join("fairness/bias_analysis.json");
    let text = fs::read_to_string(&bias).unwrap();
    fs::write(&bias, text.replacen("\"female\": 0.918", "\"female\": 0.75", 1)).unwrap();
    let out = ws.build(&["--previous", old]).code(1);
    assert!(stdout_of(&out).contains("2 evidence files changed"), "{}", stdout_of(&out));
    let diff = read_json(&ws.package().join("diff.json"));
    let changed = diff["artifacts"]["changed"].as_array().unwrap();
    let bias = changed.iter().find(|c| c["path"] == "fairness/bias_analysis.json").unwrap();
    assert_eq!(bias["evidence_type"], "bias-report");

    // Its reports render again, in today's layout, from what it holds.
    ws.run(&["render", "old", "-o", "again"]).success();
    let html = fs::read_to_string(ws.dir.path().join("again/index.html")).unwrap();
    assert!(html.contains("audit-000.jsonl"), "the small log set is listed by name");
}
