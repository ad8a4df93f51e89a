//! The digest cache: an unchanged re-run takes each file's digest and facts from the cache
//! instead of hashing and reading it, and writes the same package; anything that could
//! hide a change makes the file be read again.

use std::fs;
use std::path::Path;
use std::process::Command as Process;
use std::time::Duration;

use crate::support::*;

/// The credit-scoring sample with two files large enough to be cached (a dataset and a
/// day of inference logs, which is read into a document), old enough to be recorded
/// (files changed in the last seconds before a run are not).
fn settled() -> Workspace {
    let ws = sample_workspace("credit-scoring");
    let rows: String = (0..8000).map(|i| format!("{i},{},{}\n", 18 + i % 47, 20_000 + i * 7)).collect();
    ws.write("data/train.csv", format!("id,age,income\n{rows}").as_bytes());
    let lines: String = (0..600)
        .map(|i| {
            format!(
                "{{\"timestamp\":\"2026-11-21T{:02}:{:02}:00Z\",\"request_id\":\"r{i}\",\"model_version\":\"4.2.1\",\"prediction\":\"approve\",\"confidence\":0.8,\"actor\":\"svc:api\"}}\n",
                i / 60 % 24,
                i % 60
            )
        })
        .collect();
    ws.write("logs/inference/2026/11/21/audit-000.jsonl", lines.as_bytes());
    for big in ["data/train.csv", "logs/inference/2026/11/21/audit-000.jsonl"] {
        assert!(fs::metadata(ws.evidence().join(big)).unwrap().len() >= 64 * 1024, "{big} is too small to be cached");
    }
    std::thread::sleep(Duration::from_millis(3100));
    ws
}

fn build_with_cache(ws: &Workspace, out: &str) -> String {
    let cache = ws.dir.path().join("cache");
    let out = ws.run(&["build", "ev", "-o", out, "--cache-dir", cache.to_str().unwrap()]).success();
    stdout_of(&out) + &String::from_utf8_lossy(&out.get_output().stderr)
}

fn cache_line(text: &str) -> &str {
    text.lines().find(|l| l.trim_start().starts_with("cache ")).unwrap_or_else(|| panic!("no cache line:\n{text}"))
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn an_unchanged_rerun_takes_digests_from_the_cache_and_writes_the_same_package() {
    let ws = settled();
    let first = build_with_cache(&ws, "first");
    assert!(cache_line(&first).contains(" 0 of 39 files"), "{first}");
    let second = build_with_cache(&ws, "second");
    // The two large files; the small ones are read afresh, which costs no more.
    assert!(cache_line(&second).contains(" 2 of 39 files"), "{second}");
    ws.run(&["build", "ev", "-o", "uncached", "--no-cache"]).success();
    let (a, b, c) = (ws.dir.path().join("first"), ws.dir.path().join("second"), ws.dir.path().join("uncached"));
    assert!(files_of(&a) == files_of(&b), "the cached build wrote a different package");
    assert!(files_of(&a) == files_of(&c), "--no-cache wrote a different package");
}

#[test]
fn a_file_rewritten_with_its_old_mtime_is_hashed_again_and_verify_catches_it() {
    let ws = settled();
    build_with_cache(&ws, "pkg");
    let data = ws.evidence().join("data/train.csv");
    let stamp = ws.dir.path().join("stamp");
    let touch = |args: &[&Path]| assert!(Process::new("touch").arg("-r").args(args).status().unwrap().success());
    touch(&[&data, &stamp]);
    let text = fs::read_to_string(&data).unwrap();
    let edited = text.replacen("7,25,", "7,26,", 1);
    assert!(edited != text && edited.len() == text.len(), "same size, so only the times can tell");
    fs::write(&data, edited).unwrap();
    touch(&[&stamp, &data]);
    assert_eq!(fs::metadata(&data).unwrap().modified().unwrap(), fs::metadata(&stamp).unwrap().modified().unwrap());

    // The package built before does not match the evidence any more, cache or not.
    let out = ws.verify(&[]).code(3);
    assert_stderr_has(&out, "data/train.csv");

    let again = build_with_cache(&ws, "pkg");
    assert!(cache_line(&again).contains(" 1 of 39 files"), "{again}");
    let entry = manifest_entry(&ws, "data/train.csv");
    assert_eq!(entry["sha256"], sha256_hex(&fs::read(&data).unwrap()), "the manifest has the new digest");
    ws.verify(&[]).success();
}

#[test]
fn a_corrupt_cache_is_ignored_with_a_note_and_replaced() {
    let ws = settled();
    build_with_cache(&ws, "first");
    let cache = ws.dir.path().join("cache");
    let file = fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("{\"path\": \"model_card.md\", \"key\": [1, 2]\n");
    fs::write(&file, text).unwrap();
    let out = build_with_cache(&ws, "second");
    assert!(out.contains("note: digest cache") && out.contains("ignored: line 4 is corrupt"), "{out}");
    assert!(cache_line(&out).contains(" 0 of 39 files"), "{out}");
    assert!(files_of(&ws.dir.path().join("first")) == files_of(&ws.dir.path().join("second")));
    // It was written afresh, and serves the next run.
    let third = build_with_cache(&ws, "third");
    assert!(cache_line(&third).contains(" 2 of 39 files"), "{third}");
}

#[test]
fn a_cache_inside_the_evidence_is_refused_and_nothing_is_written_there() {
    let ws = Workspace::new(&[("model_card.md", "# Model Details\n")]);
    let out = ws.build(&["--cache-dir", "ev/.cache"]).success();
    assert_stderr_has(&out, "inside the evidence; not used");
    assert!(!ws.evidence().join(".cache").exists());
    // verify does not take a cache at all.
    ws.run(&["verify", "pkg", "--no-cache"]).code(2);
}

#[test]
fn content_credentials_are_judged_again_when_the_trust_anchors_change() {
    // A signed sample large enough to be cached, and the sample's trust root.
    let ws = sample_workspace("support-chatbot");
    let c2pa = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/genai/c2pa");
    fs::copy(c2pa.join("ai-generated-large.png"), ws.evidence().join("generated-samples/large.png")).unwrap();
    assert!(fs::metadata(ws.evidence().join("generated-samples/large.png")).unwrap().len() >= 64 * 1024);
    std::thread::sleep(Duration::from_millis(3100));
    build_with_cache(&ws, "first");
    let second = build_with_cache(&ws, "second");
    assert!(cache_line(&second).contains(" 1 of "), "{}", cache_line(&second));
    // The anchor's file keeps its name but now holds another root: the cached reading
    // (signer trusted) must not be reused.
    fs::copy(c2pa.join("trust/other-root.pem"), ws.evidence().join("trust/c2pa-root.pem")).unwrap();
    let third = build_with_cache(&ws, "third");
    assert!(cache_line(&third).contains(" 0 of "), "{}", cache_line(&third));
    assert!(third.contains("content-signer-untrusted"), "{third}");
    let findings = read_json(&ws.dir.path().join("third/findings.json"));
    assert!(
        findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "content-signer-untrusted" && f["path"] == "generated-samples/large.png"),
        "the cached reading was reused"
    );
}
