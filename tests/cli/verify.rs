//! `dossier verify`: every kind of tampering is caught, named by path, and exits 3.

use std::fs;

use serde_json::Value;

use crate::support::*;

fn built() -> Workspace {
    let ws = Workspace::new(&[
        ("model_card.md", "# card\n"),
        ("eval/results.xml", "<testsuites tests=\"3\"/>\n"),
        ("logs/day1.jsonl", "{\"a\":1}\n"),
        ("logs/day2.jsonl", "{\"a\":2}\n"),
    ]);
    ws.build(&[]).success();
    ws
}

fn assert_integrity_failure(ws: &Workspace, expected_lines: &[&str]) {
    let a = ws.verify(&[]).code(3);
    let err = stderr_of(&a);
    for line in expected_lines {
        assert!(err.contains(line), "expected {line:?} in:\n{err}");
    }
    assert!(stdout_of(&a).contains("FAILED"), "{}", stdout_of(&a));
}

#[test]
fn an_untouched_package_verifies() {
    let ws = built();
    let a = ws.verify(&[]).success();
    let out = stdout_of(&a);
    assert!(out.contains("OK"), "{out}");
    assert!(out.contains("artifacts  4 match"), "{out}");
    assert!(out.contains("unsigned"), "{out}");
    assert_eq!(stderr_of(&a), "");
}

#[test]
fn modified_missing_added_and_moved_artifacts_are_each_named() {
    let ws = built();
    ws.write("model_card.md", b"# card, edited\n");
    fs::remove_file(ws.evidence().join("logs/day1.jsonl")).unwrap();
    ws.write("surprise.txt", b"new\n");
    fs::rename(ws.evidence().join("eval/results.xml"), ws.evidence().join("eval/renamed.xml")).unwrap();
    assert_integrity_failure(
        &ws,
        &[
            "error[artifact-modified] model_card.md: sha256 is ",
            "error[artifact-missing] logs/day1.jsonl: recorded in the manifest but not found",
            "error[artifact-added] surprise.txt: present in the evidence but not in the manifest",
            "error[artifact-moved] eval/renamed.xml: same content as recorded artifact eval/results.xml",
        ],
    );
    let a = ws.verify(&[]).code(3);
    assert!(stdout_of(&a).contains("4 integrity problems"), "{}", stdout_of(&a));
}

#[test]
fn a_single_flipped_byte_in_the_evidence_is_caught() {
    let ws = built();
    let path = ws.evidence().join("logs/day2.jsonl");
    let mut bytes = fs::read(&path).unwrap();
    bytes[3] ^= 0x01;
    fs::write(&path, bytes).unwrap();
    assert_integrity_failure(&ws, &["error[artifact-modified] logs/day2.jsonl"]);
}

fn edit_manifest(ws: &Workspace, edit: impl FnOnce(&mut Value)) {
    let path = ws.package().join("manifest.json");
    let mut m: Value = read_json(&path);
    edit(&mut m);
    fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

#[test]
fn a_hand_edited_manifest_is_caught() {
    let ws = built();
    // Make the manifest agree with tampered evidence: the digest no longer matches.
    ws.write("model_card.md", b"# forged\n");
    edit_manifest(&ws, |m| {
        let forged = sha256_hex(b"# forged\n");
        m["artifacts"][3]["sha256"] = Value::String(forged);
        m["artifacts"][3]["size"] = 9.into();
    });
    assert_integrity_failure(
        &ws,
        &["error[manifest-digest-mismatch] manifest.json: content does not match package_digest"],
    );
}

#[test]
fn a_manifest_edit_that_also_recomputes_the_digest_is_still_caught_by_sha256sums() {
    let ws = built();
    ws.write("model_card.md", b"# forged\n");
    edit_manifest(&ws, |m| {
        m["artifacts"][3]["sha256"] = Value::String(sha256_hex(b"# forged\n"));
        m["artifacts"][3]["size"] = 9.into();
        let manifest: dossier::seal::manifest::Manifest = serde_json::from_value(m.clone()).unwrap();
        m["package_digest"] = Value::String(manifest.compute_digest().to_string());
    });
    assert_integrity_failure(&ws, &["error[sums-mismatch] SHA256SUMS"]);
}

#[test]
fn package_files_edited_removed_or_added_are_caught() {
    let ws = built();
    fs::write(ws.package().join("SHA256SUMS"), "tampered\n").unwrap();
    fs::write(ws.package().join("extra.html"), "<p>hi</p>").unwrap();
    assert_integrity_failure(
        &ws,
        &[
            "error[output-modified] SHA256SUMS: sha256 is ",
            "error[package-file-added] extra.html: not listed in the manifest",
        ],
    );
    fs::remove_file(ws.package().join("SHA256SUMS")).unwrap();
    assert_integrity_failure(&ws, &["error[output-missing] SHA256SUMS"]);
}

#[test]
fn a_garbage_manifest_is_an_integrity_failure_and_a_missing_one_a_usage_error() {
    let ws = built();
    fs::write(ws.package().join("manifest.json"), "{ truncated").unwrap();
    assert_integrity_failure(&ws, &["error[manifest-unreadable] manifest.json: not valid JSON"]);
    fs::remove_file(ws.package().join("manifest.json")).unwrap();
    let a = ws.verify(&[]).code(2);
    assert!(stderr_of(&a).contains("has no manifest.json"));
}

#[test]
fn evidence_elsewhere_is_found_with_the_flag_and_its_absence_is_explained() {
    let ws = built();
    let moved = ws.dir.path().join("archive");
    fs::rename(ws.evidence(), &moved).unwrap();
    let a = ws.verify(&[]).code(2);
    assert_stderr_has(&a, "Pass --evidence DIR");
    ws.verify(&["--evidence", "archive"]).success();
}

#[test]
fn a_changed_symlink_is_caught() {
    let ws = Workspace::new(&[("a.txt", "a"), ("b.txt", "b")]);
    std::os::unix::fs::symlink("a.txt", ws.evidence().join("current")).unwrap();
    ws.build(&[]).success();
    fs::remove_file(ws.evidence().join("current")).unwrap();
    std::os::unix::fs::symlink("b.txt", ws.evidence().join("current")).unwrap();
    assert_integrity_failure(&ws, &["error[symlink-changed] current: now points to \"b.txt\", recorded as \"a.txt\""]);
}
