//! `dossier build`: the package it writes and where it refuses to write.

use std::fs;
use std::process::Command as Process;

use crate::support::*;

const MODEL_CARD: &str = "---\nmodel_id: m\n---\n# Model card\n## Uses\n## Limitations\n";

fn sample() -> Workspace {
    Workspace::new(&[
        ("model_card.md", MODEL_CARD),
        ("eval/results.xml", "<testsuites/>\n"),
        ("logs/2026/11/01/a.jsonl", "{\"x\":1}\n"),
        ("fairness/bias.json", "{\"features\": {\"sex\": {\"disparate_impact_ratio\": {\"a\": 1.0, \"b\": 0.9}}}}\n"),
    ])
}

#[test]
fn manifest_lists_every_file_sorted_with_size_and_sha256() {
    let ws = sample();
    ws.build(&[]).success();
    let m = ws.manifest();
    assert_eq!(m["format"], "dossier-manifest");
    assert_eq!(m["schema_version"], 2);
    assert_eq!(m["tool"]["name"], "dossier");
    assert_eq!(m["assessed_at"], "2026-09-21T14:13:20Z");
    assert_eq!(
        ws.artifact_paths(),
        ["eval/results.xml", "fairness/bias.json", "logs/2026/11/01/a.jsonl", "model_card.md"]
    );
    let card = &m["artifacts"][3];
    assert_eq!(card["size"], MODEL_CARD.len());
    assert_eq!(card["sha256"], sha256_hex(MODEL_CARD.as_bytes()));
    assert_eq!(card["evidence_type"], "model-card", "each file names the evidence set it belongs to");
    assert_eq!(m["evidence"]["artifact_count"], 4);
    assert_eq!(m["evidence"]["root_hint"], "../ev");
    assert_eq!(m["outputs"][0]["path"], "SHA256SUMS");
}

#[test]
fn sha256sum_checks_the_evidence_without_dossier() {
    let ws = sample();
    ws.write("odd\nname.txt", b"newline in the name\n");
    ws.write("back\\slash.txt", b"backslash\n");
    ws.build(&[]).success();
    let out = Process::new("sha256sum")
        .arg("-c")
        .arg(ws.package().join("SHA256SUMS"))
        .current_dir(ws.evidence())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "sha256sum -c failed: {stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches(": OK").count(), 6, "{stdout}");

    // ... and a tampered file is caught by coreutils too.
    ws.write("model_card.md", b"changed");
    let out = Process::new("sha256sum")
        .arg("-c")
        .arg(ws.package().join("SHA256SUMS"))
        .current_dir(ws.evidence())
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn package_digest_can_be_recomputed_without_dossier() {
    let ws = sample();
    ws.build(&[]).success();
    // The recipe the book documents: canonical JSON of the manifest minus package_digest
    // and the report entries.
    let script = r#"
import hashlib, json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
claimed = m.pop("package_digest")
m.pop("reports", None)
canon = json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
print("OK" if hashlib.sha256(canon).hexdigest() == claimed else "MISMATCH")
"#;
    let out = Process::new("python3").args(["-c", script]).arg(ws.package().join("manifest.json")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "OK", "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn same_evidence_and_epoch_give_byte_identical_packages() {
    let ws = sample();
    ws.build(&[]).success();
    let first: Vec<_> = ["manifest.json", "SHA256SUMS"].map(|f| fs::read(ws.package().join(f)).unwrap()).into();
    ws.build(&[]).success();
    let second: Vec<_> = ["manifest.json", "SHA256SUMS"].map(|f| fs::read(ws.package().join(f)).unwrap()).into();
    assert_eq!(first, second);

    // A different epoch changes only the assessment time, and so the digest.
    dossier()
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", "1790000001")
        .args(["build", "ev", "-o", "pkg"])
        .assert()
        .success();
    assert_ne!(fs::read(ws.package().join("manifest.json")).unwrap(), first[0]);
}

#[test]
fn bad_source_date_epoch_is_a_usage_error() {
    let ws = sample();
    let a = dossier()
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", "last tuesday")
        .args(["build", "ev", "-o", "pkg"])
        .assert()
        .code(2);
    assert!(stderr_of(&a).contains("SOURCE_DATE_EPOCH"));
    assert!(!ws.package().exists());
}

#[test]
fn rebuild_replaces_the_previous_package_and_leaves_no_staging_behind() {
    let ws = sample();
    ws.build(&[]).success();
    ws.write("new.txt", b"new evidence\n");
    ws.build(&[]).success();
    assert!(ws.artifact_paths().contains(&"new.txt".to_string()));
    let leftovers: Vec<_> = fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging directories left behind: {leftovers:?}");
}

#[test]
fn include_evidence_makes_a_self_contained_package() {
    let ws = sample();
    std::os::unix::fs::symlink("model_card.md", ws.evidence().join("card-link")).unwrap();
    ws.build(&["--include-evidence"]).success();
    let copy = ws.package().join("evidence");
    assert_eq!(fs::read_to_string(copy.join("model_card.md")).unwrap(), MODEL_CARD);
    assert_eq!(fs::read_link(copy.join("card-link")).unwrap().to_str(), Some("model_card.md"));
    assert_eq!(ws.manifest()["evidence"]["included"], true);

    // The package verifies on its own, even with the original evidence gone.
    fs::remove_dir_all(ws.evidence()).unwrap();
    let a = ws.verify(&[]).success();
    assert!(stdout_of(&a).contains("OK"));
    let out = Process::new("sha256sum").args(["-c", "../SHA256SUMS"]).current_dir(&copy).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn output_inside_the_evidence_is_refused_and_nothing_is_written() {
    let ws = sample();
    let before = snapshot(&ws.evidence());
    let a = ws.run(&["build", "ev", "-o", "ev/package"]).code(2);
    assert_stderr_has(&a, "inside the evidence root");
    assert_eq!(snapshot(&ws.evidence()), before);

    // Building from inside the evidence directory with the default output is the same case.
    let a = dossier().current_dir(ws.evidence()).args(["build", "."]).assert().code(2);
    assert!(stderr_of(&a).contains("-o"));
    assert_eq!(snapshot(&ws.evidence()), before);
}

#[test]
fn output_that_contains_the_evidence_is_refused() {
    let ws = sample();
    let a = ws.run(&["build", "ev", "-o", "."]).code(2);
    assert_stderr_has(&a, "contains the evidence root");
    assert!(ws.evidence().join("model_card.md").exists());
}

#[test]
fn output_that_is_a_file_or_a_foreign_directory_is_left_alone() {
    let ws = sample();
    fs::write(ws.package(), b"not a directory").unwrap();
    let a = ws.build(&[]).code(2);
    assert!(stderr_of(&a).contains("is a file"));
    assert_eq!(fs::read(ws.package()).unwrap(), b"not a directory");

    fs::remove_file(ws.package()).unwrap();
    fs::create_dir(ws.package()).unwrap();
    fs::write(ws.package().join("thesis.docx"), b"precious").unwrap();
    let a = ws.build(&[]).code(2);
    assert!(stderr_of(&a).contains("not a dossier package"));
    assert_eq!(fs::read(ws.package().join("thesis.docx")).unwrap(), b"precious");
}

#[test]
fn the_build_never_writes_into_the_evidence() {
    let ws = sample();
    let before = snapshot(&ws.evidence());
    ws.build(&["--include-evidence"]).success();
    ws.build(&[]).success();
    assert_eq!(snapshot(&ws.evidence()), before);
}

#[test]
fn missing_or_file_evidence_root_is_a_clear_error() {
    let ws = sample();
    let a = ws.run(&["build", "nowhere", "-o", "pkg"]).code(2);
    assert_stderr_has(&a, "evidence root nowhere does not exist");
    let a = ws.run(&["build", "ev/model_card.md", "-o", "pkg"]).code(2);
    assert!(stderr_of(&a).contains("is a file"));
}

#[test]
fn config_typo_is_reported_with_file_line_and_key() {
    let ws = sample();
    ws.write("dossier.yaml", b"system:\n  name: credit\n  risk_catgory: high\n");
    let a = ws.build(&[]).code(2);
    let err = stderr_of(&a);
    assert!(err.contains("dossier.yaml:3:3: system.risk_catgory: unknown field `risk_catgory`"), "{err}");
    assert!(!ws.package().exists());
}

#[test]
fn config_in_the_evidence_dir_is_found_and_names_the_system() {
    let ws = sample();
    ws.write(
        "dossier.yaml",
        b"system:\n  name: credit-score\n  version: \"4.2.1\"\n  risk_category: minimal\nframeworks: [nist-ai-rmf-1.0, iso-42001, aws-genai-best-practices]\nevidence:\n  ignore: [\"logs/\"]\n",
    );
    let a = ws.build(&[]).success();
    assert!(stdout_of(&a).contains("config     ev/dossier.yaml"), "{}", stdout_of(&a));
    let m = ws.manifest();
    assert_eq!(m["system"]["name"], "credit-score");
    assert_eq!(m["system"]["version"], "4.2.1");
    assert_eq!(m["evidence"]["ignore"][0], "logs/");
    assert!(!ws.artifact_paths().iter().any(|p| p.starts_with("logs/")));
}

#[test]
fn summary_names_counts_time_and_package_and_quiet_silences_it() {
    let ws = sample();
    let a = ws.build(&[]).success();
    let out = stdout_of(&a);
    for needle in ["artifacts  4", "time ", "package ", "digest "] {
        assert!(out.contains(needle), "missing {needle:?} in {out}");
    }
    let a = ws.build(&["--quiet"]).success();
    assert_eq!(stdout_of(&a), "");
    assert_eq!(stderr_of(&a), "");
}

#[test]
fn an_interrupted_build_leaves_the_previous_package_intact() {
    let ws = sample();
    ws.build(&[]).success();
    let previous = fs::read(ws.package().join("manifest.json")).unwrap();
    // A large sparse file keeps the next build hashing long enough to be killed mid-way.
    fs::File::create(ws.evidence().join("huge.bin")).unwrap().set_len(64 << 30).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dossier"))
        .current_dir(ws.dir.path())
        .args(["build", "ev", "-o", "pkg", "--quiet"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert!(child.try_wait().unwrap().is_none(), "the build finished before it could be interrupted");
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(fs::read(ws.package().join("manifest.json")).unwrap(), previous);
    fs::remove_file(ws.evidence().join("huge.bin")).unwrap();
    ws.verify(&[]).success();
}

#[test]
fn manifest_only_writes_an_integrity_package_without_the_matrix() {
    let ws = sample();
    let a = ws.build(&["--manifest-only"]).success();
    assert!(stdout_of(&a).contains("matrix     not assessed (--manifest-only)"), "{}", stdout_of(&a));
    let outputs: Vec<_> =
        ws.manifest()["outputs"].as_array().unwrap().iter().map(|o| o["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(outputs, ["SHA256SUMS"]);
    assert!(!ws.package().join("matrix.json").exists());
    ws.verify(&[]).success();
}

/// Progress shows each phase on a terminal, and nothing when stderr is not one or with
/// `--quiet`. (`script` gives the build a terminal.)
#[test]
fn progress_shows_every_phase_on_a_terminal_only() {
    let ws = sample();
    let binary = assert_cmd::cargo::cargo_bin("dossier");
    let on_terminal = |extra: &str| {
        let command = format!("{} build ev -o pkg {extra}", binary.display());
        let out = std::process::Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(ws.dir.path())
            .env("SOURCE_DATE_EPOCH", "1790000000")
            .env("DOSSIER_CACHE_DIR", ws.dir.path().join("cache"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("");
    for phase in ["   hashing ", " assessing done in", "   writing done in", "PDF report done in", "   sealing done in"]
    {
        assert!(shown.contains(phase), "no {phase:?} on the terminal:\n{shown}");
    }
    assert!(!on_terminal("--quiet").contains("done in"), "--quiet still shows progress");
    let piped = ws.build(&[]).success();
    assert!(!String::from_utf8_lossy(&piped.get_output().stderr).contains("done in"));
}
