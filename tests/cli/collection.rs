//! What the walk collects, skips and reports, on awkward real trees.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use dossier::collect::{self, CollectOptions, Progress};
use dossier::collect::{IgnorePattern, ignore_matcher};
use dossier::model::finding::Code;

use crate::support::*;

#[test]
fn hidden_entries_are_skipped_unless_asked_for() {
    let ws = Workspace::new(&[("a.txt", "a"), (".DS_Store", "junk"), (".git/config", "[core]"), ("d/.secret", "s")]);
    let a = ws.build(&[]).success();
    assert_eq!(ws.artifact_paths(), ["a.txt"]);
    assert!(stdout_of(&a).contains("3 ignored"), "{}", stdout_of(&a));

    fs::write(
        ws.dir.path().join("hidden.yaml"),
        "system:\n  risk_category: minimal\nframeworks: [nist-ai-rmf-1.0, iso-42001, aws-genai-best-practices]\nevidence:\n  include_hidden: true\n",
    )
    .unwrap();
    ws.build(&["-c", "hidden.yaml"]).success();
    assert_eq!(ws.artifact_paths(), [".DS_Store", ".git/config", "a.txt", "d/.secret"]);
    assert_eq!(ws.manifest()["evidence"]["include_hidden"], true);
}

#[test]
fn ignore_patterns_use_gitignore_rules_and_prune_directories() {
    let ws = Workspace::new(&[
        ("keep.json", "{}"),
        ("scratch/a.txt", "a"),
        ("scratch/deep/b.txt", "b"),
        ("notes.tmp", "t"),
        ("sub/notes.tmp", "t"),
        ("sub/keep.tmp", "k"),
    ]);
    fs::write(
        ws.dir.path().join("c.yaml"),
        "system:\n  risk_category: minimal\nframeworks: [nist-ai-rmf-1.0, iso-42001, aws-genai-best-practices]\nevidence:\n  root: ev\n  ignore:\n    - scratch/\n    - \"*.tmp\"\n    - \"!sub/keep.tmp\"\n",
    )
    .unwrap();
    ws.run(&["build", "-c", "c.yaml", "-o", "pkg"]).success();
    assert_eq!(ws.artifact_paths(), ["keep.json", "sub/keep.tmp"]);
}

#[test]
fn symlinks_are_recorded_not_followed_and_escapes_are_findings() {
    let ws = Workspace::new(&[("inside.txt", "in")]);
    let outside = ws.dir.path().join("outside-secret.txt");
    fs::write(&outside, "outside").unwrap();
    symlink("inside.txt", ws.evidence().join("ok-link")).unwrap();
    symlink("../outside-secret.txt", ws.evidence().join("escape")).unwrap();
    symlink(&outside, ws.evidence().join("absolute-escape")).unwrap();
    symlink("loop-b", ws.evidence().join("loop-a")).unwrap();
    symlink("loop-a", ws.evidence().join("loop-b")).unwrap();
    symlink(".", ws.evidence().join("self")).unwrap();

    let a = ws.build(&[]).success(); // warnings only
    assert_eq!(ws.artifact_paths(), ["inside.txt"]);
    let links = ws.manifest()["symlinks"].clone();
    let paths: Vec<_> = links.as_array().unwrap().iter().map(|l| l["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["absolute-escape", "escape", "loop-a", "loop-b", "ok-link", "self"]);
    assert_eq!(links[1]["target"], "../outside-secret.txt");
    assert_eq!(links[1]["outside_root"], true);
    assert_eq!(links[4]["outside_root"], false);

    let err = stderr_of(&a);
    assert!(err.contains("warning[symlink-outside-root] escape:"), "{err}");
    assert!(err.contains("warning[symlink-outside-root] absolute-escape:"), "{err}");
    assert!(
        err.contains("warning[symlink-broken] loop-a: broken symbolic link: it is part of a symbolic link loop"),
        "{err}"
    );
    assert!(!err.contains("ok-link"), "{err}");
    ws.build(&["--fail-on", "warning"]).code(1);
}

#[test]
fn special_files_are_skipped_without_blocking() {
    let ws = Workspace::new(&[("a.txt", "a")]);
    let fifo = ws.evidence().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let a = ws.build(&[]).success();
    assert_stderr_has(&a, "warning[special-file] pipe:");
    assert_eq!(ws.manifest()["skipped"][0]["path"], "pipe");
    assert_eq!(ws.manifest()["skipped"][0]["reason"], "special-file");
}

#[test]
fn non_utf8_names_are_reported_and_the_rest_is_collected() {
    let ws = Workspace::new(&[("good.txt", "g")]);
    let bad = ws.evidence().join(OsStr::from_bytes(b"bad-\xff-name.txt"));
    fs::write(&bad, "x").unwrap();
    let bad_dir = ws.evidence().join(OsStr::from_bytes(b"dir-\xfe"));
    fs::create_dir(&bad_dir).unwrap();
    fs::write(bad_dir.join("inner.txt"), "y").unwrap();

    let a = ws.build(&[]).code(1); // an error finding trips the default --fail-on error
    let err = stderr_of(&a);
    assert!(err.contains("error[non-utf8-path] bad-\u{fffd}-name.txt: name is not valid UTF-8"), "{err}");
    assert!(err.contains("directory (and everything below it)"), "{err}");
    assert_eq!(ws.artifact_paths(), ["good.txt"]);
    assert!(ws.package().join("manifest.json").exists(), "the package is still written");
}

#[test]
fn empty_files_are_recorded_with_a_note() {
    let ws = Workspace::new(&[("empty.json", "")]);
    let a = ws.build(&[]).success();
    assert!(stderr_of(&a).contains("note[empty-artifact] empty.json"));
    assert_eq!(
        ws.manifest()["artifacts"][0]["sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn sparse_files_hash_like_coreutils() {
    let ws = Workspace::new(&[]);
    let file = fs::File::create(ws.evidence().join("sparse.bin")).unwrap();
    file.set_len(96 * 1024 * 1024 + 7).unwrap();
    ws.build(&[]).success();
    let out = std::process::Command::new("sha256sum").arg(ws.evidence().join("sparse.bin")).output().unwrap();
    let expected = String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string();
    assert_eq!(ws.manifest()["artifacts"][0]["sha256"], expected);
    assert_eq!(ws.manifest()["artifacts"][0]["size"], 96 * 1024 * 1024 + 7);
}

fn options(root: PathBuf, progress: &dyn Progress) -> CollectOptions<'_> {
    let ignore = ignore_matcher(&root, &[] as &[IgnorePattern]).unwrap();
    CollectOptions {
        root,
        include_hidden: false,
        ignore,
        copy_to: None,
        progress,
        classifier: None,
        interpret: None,
        cache: None,
    }
}

/// Appends to a file every time hashing makes progress: the file never holds still.
struct Writer(PathBuf);

impl Progress for Writer {
    fn start_hashing(&self, _: u64, _: Option<u64>) {}
    fn hashed_bytes(&self, n: u64) {
        if n > 0 {
            use std::io::Write;
            let mut f = fs::OpenOptions::new().append(true).open(&self.0).unwrap();
            f.write_all(b"more").unwrap();
        }
    }
    fn finish(&self) {}
}

#[test]
fn a_file_that_changes_while_hashed_is_a_finding_not_a_digest() {
    let ws = Workspace::new(&[("growing.log", "start\n")]);
    let progress = Writer(ws.evidence().join("growing.log"));
    let evidence = collect::collect(&options(ws.evidence(), &progress)).unwrap();
    assert!(evidence.artifacts.is_empty(), "{:?}", evidence.artifacts);
    assert_eq!(evidence.findings[0].code, Code::ChangedDuringCollection);
    assert_eq!(evidence.findings[0].path.as_deref(), Some("growing.log"));
}

/// Deletes a file after the walk has listed it, before it is hashed.
struct Deleter(PathBuf, AtomicBool);

impl Progress for Deleter {
    fn start_hashing(&self, _: u64, _: Option<u64>) {
        if !self.1.swap(true, Ordering::SeqCst) {
            fs::remove_file(&self.0).unwrap();
        }
    }
    fn hashed_bytes(&self, _: u64) {}
    fn finish(&self) {}
}

#[test]
fn a_file_that_vanishes_after_the_walk_is_reported_and_the_rest_collected() {
    let ws = Workspace::new(&[("gone.txt", "bye"), ("stays.txt", "hi")]);
    let progress = Deleter(ws.evidence().join("gone.txt"), AtomicBool::new(false));
    let evidence = collect::collect(&options(ws.evidence(), &progress)).unwrap();
    assert_eq!(evidence.artifacts.len(), 1);
    assert_eq!(evidence.artifacts[0].path, "stays.txt");
    assert_eq!(evidence.findings[0].code, Code::VanishedDuringCollection);
}

#[test]
fn unreadable_files_are_reported_and_the_rest_collected() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new(&[("locked.txt", "secret"), ("open.txt", "ok"), ("closed/inner.txt", "x")]);
    let mode = |p: PathBuf, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
    mode(ws.dir.path().to_path_buf(), 0o777);
    mode(ws.evidence(), 0o755);
    mode(ws.evidence().join("open.txt"), 0o644);
    mode(ws.evidence().join("locked.txt"), 0o000);
    mode(ws.evidence().join("closed"), 0o000);
    // Permission bits do not bind root, so as root run the binary as `nobody`.
    let binary = ws.dir.path().join("dossier");
    fs::copy(assert_cmd::cargo::cargo_bin("dossier"), &binary).unwrap();
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    let mut cmd = if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        let mut c = assert_cmd::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&binary);
        c
    } else {
        assert_cmd::Command::new(&binary)
    };
    let a = cmd
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .args(["build", "ev", "-o", "pkg"])
        .assert()
        .code(1);
    let err = stderr_of(&a);
    assert!(err.contains("error[unreadable] locked.txt: could not read: Permission denied"), "{err}");
    assert!(err.contains("error[unreadable] closed:"), "{err}");
    assert_eq!(ws.artifact_paths(), ["open.txt"]);
    let skipped = ws.manifest()["skipped"].clone();
    assert_eq!(skipped[1]["path"], "locked.txt");
    assert_eq!(skipped[1]["reason"], "unreadable");
    mode(ws.evidence().join("closed"), 0o755);
}
