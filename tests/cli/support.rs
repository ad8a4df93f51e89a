//! Helpers shared by the CLI tests: temporary evidence trees and manifest access.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The `dossier` binary with a clean, pinned environment.
pub fn dossier() -> Command {
    let mut cmd = Command::cargo_bin("dossier").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1790000000").env_remove("RUST_BACKTRACE");
    // The digest cache goes to a scratch directory, never the user's.
    cmd.env("DOSSIER_CACHE_DIR", std::env::temp_dir().join("dossier-tests-cache"));
    cmd
}

/// A scratch directory holding an evidence tree at `ev/` and room for packages beside it.
pub struct Workspace {
    pub dir: TempDir,
}

impl Workspace {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace { dir };
        fs::create_dir_all(ws.evidence()).unwrap();
        // These small trees exercise collection and integrity, not compliance: a
        // minimal-risk system assessed against the voluntary frameworks only, so no binding
        // requirement applies (the EU AI Act's AI-literacy duty binds even minimal risk).
        fs::write(
            ws.dir.path().join("dossier.yaml"),
            "system:\n  risk_category: minimal\nframeworks: [nist-ai-rmf-1.0, iso-42001, aws-genai-best-practices]\nevidence:\n  root: ev\n",
        )
        .unwrap();
        for (path, content) in files {
            ws.write(path, content.as_bytes());
        }
        ws
    }

    pub fn evidence(&self) -> PathBuf {
        self.dir.path().join("ev")
    }

    pub fn package(&self) -> PathBuf {
        self.dir.path().join("pkg")
    }

    pub fn write(&self, rel: &str, content: &[u8]) {
        let path = self.evidence().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    /// `dossier build ev -o pkg` (plus extra args), run from the workspace.
    pub fn build(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        dossier().current_dir(self.dir.path()).args(["build", "ev", "-o", "pkg"]).args(extra).assert()
    }

    /// `dossier ARGS`, run from the workspace directory.
    pub fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        dossier().current_dir(self.dir.path()).args(args).assert()
    }

    pub fn verify(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        dossier().current_dir(self.dir.path()).args(["verify", "pkg"]).args(extra).assert()
    }

    pub fn manifest(&self) -> Value {
        read_json(&self.package().join("manifest.json"))
    }

    pub fn artifact_paths(&self) -> Vec<String> {
        self.manifest()["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["path"].as_str().unwrap().to_string())
            .collect()
    }
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The SHA-256 of `bytes` as coreutils prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    dossier::digest::Sha256Digest::of(bytes).to_string()
}

/// Every file under `dir` with its content, for before/after comparisons.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let content = if entry.file_type().is_file() { fs::read(entry.path()).unwrap() } else { Vec::new() };
        out.push((entry.path().to_path_buf(), content));
    }
    out
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Copies a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A workspace whose `ev/` is a copy of one of the bundled evidence samples.
pub fn sample_workspace(name: &str) -> Workspace {
    let ws = Workspace::new(&[]);
    fs::remove_file(ws.dir.path().join("dossier.yaml")).unwrap();
    fs::remove_dir_all(ws.evidence()).unwrap();
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("evidence-samples").join(name), &ws.evidence());
    ws
}

/// Replaces the first `from` in evidence file `rel` with `to` (which must be there).
pub fn edit(ws: &Workspace, rel: &str, from: &str, to: &str) {
    let path = ws.evidence().join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The text of a PDF (pdftotext), lines joined; none when poppler is not installed.
pub fn pdf_text(pdf: &Path) -> Option<String> {
    if !have("pdftotext") {
        return None;
    }
    let out = Process::new("pdftotext").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    Some(String::from_utf8_lossy(&out.stdout).replace('\n', " "))
}

/// The package's matrix.json.
pub fn matrix(ws: &Workspace) -> Value {
    read_json(&ws.package().join("matrix.json"))
}

/// The status of requirement `id` in the package's matrix.
pub fn status_of(ws: &Workspace, id: &str) -> String {
    let m = matrix(ws);
    for f in m["frameworks"].as_array().unwrap() {
        for r in f["requirements"].as_array().unwrap() {
            if r["id"] == id {
                return r["status"].as_str().unwrap().to_string();
            }
        }
    }
    panic!("no requirement {id} in the matrix");
}

/// Asserts that a command's stderr contains `needle`, showing the stderr when it does not.
pub fn assert_stderr_has(assert: &assert_cmd::assert::Assert, needle: &str) {
    let err = stderr_of(assert);
    assert!(err.contains(needle), "expected {needle:?} in stderr:\n{err}");
}

/// Paths of the package's artifacts that no rule classified (the config file aside).
pub fn unclassified(ws: &Workspace) -> Vec<String> {
    // The manifest gives every evidence file its type; the configuration and sidecars have
    // none either, and the assessment says which they are.
    let assessment = read_json(&ws.package().join("assessment.json"));
    let not_evidence: Vec<&Value> = assessment["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["by"] == "config" || a["by"] == "sidecar")
        .map(|a| &a["path"])
        .collect();
    ws.manifest()["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["evidence_type"].is_null() && !not_evidence.contains(&&a["path"]))
        .map(|a| a["path"].as_str().unwrap().to_string())
        .collect()
}

/// The manifest's entry for `path`: its digest, size and evidence type.
pub fn manifest_entry(ws: &Workspace, path: &str) -> Value {
    ws.manifest()["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not in the manifest"))
        .clone()
}

/// Whether an external program is installed. CI sets `DOSSIER_REQUIRE_TOOLS=1`, which turns
/// a missing tool into a failure; elsewhere the test says what it skipped.
#[allow(clippy::print_stderr)] // a skipped check says so
pub fn have(tool: &str) -> bool {
    let found =
        Process::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("DOSSIER_REQUIRE_TOOLS").is_none(),
            "{tool} is required (DOSSIER_REQUIRE_TOOLS is set)"
        );
        eprintln!("skipped: {tool} is not installed (Debian: poppler-utils / chromium)");
    }
    found
}

/// The Python with the interchange readers installed (`DOSSIER_PYTHON`, set by `.ci/run`).
#[allow(clippy::print_stderr)]
pub fn tools_python() -> Option<PathBuf> {
    match std::env::var_os("DOSSIER_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            assert!(std::env::var_os("DOSSIER_REQUIRE_TOOLS").is_none(), "DOSSIER_PYTHON is required");
            eprintln!("skipped: set DOSSIER_PYTHON to a Python with tests/tools/requirements.txt installed");
            None
        }
    }
}

/// Runs the headless-browser check (`tests/browser/check-report.mjs`) on `page` with
/// `args`; false when node, Chromium or the npm modules are missing (a failure when
/// `DOSSIER_REQUIRE_TOOLS` is set). A failed check fails the test.
#[allow(clippy::print_stderr)] // a skipped check says so
pub fn browser_check(args: &[&str], page: &Path) -> bool {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !have("node") || !have("chromium") {
        return false;
    }
    if !dir.join("node_modules/playwright-core").is_dir() {
        assert!(
            std::env::var_os("DOSSIER_REQUIRE_TOOLS").is_none(),
            "tests/browser/node_modules is missing: run `npm ci --prefix tests/browser`"
        );
        eprintln!("skipped: run `npm ci --prefix tests/browser` to enable the browser check");
        return false;
    }
    let out = Process::new("node").arg(dir.join("check-report.mjs")).args(args).arg(page).output().unwrap();
    assert!(
        out.status.success(),
        "browser check of {} failed:\n{}\n{}",
        page.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}
