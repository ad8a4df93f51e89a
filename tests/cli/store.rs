//! Object-store evidence against a real S3 API: moto's server mode on loopback, set up
//! through boto3 (`tests/s3/`). Buckets with and without Object Lock and versioning;
//! objects with and without checksums; overwrites and deletions after the build.
//!
//! Skipped where moto is not installed, a failure in CI (`DOSSIER_REQUIRE_TOOLS`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use serde_json::{Value, json};

use crate::support::*;

/// A moto S3 server, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
    python: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python with moto: `DOSSIER_PYTHON` (set by `.ci/run`), else `python3` if it has it.
#[allow(clippy::print_stderr)] // a skipped test says so
fn moto_python() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> =
        std::env::var_os("DOSSIER_PYTHON").map(PathBuf::from).into_iter().chain([PathBuf::from("python3")]).collect();
    let found = candidates.into_iter().find(|python| {
        Process::new(python).args(["-c", "import moto.server, boto3"]).output().is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("DOSSIER_REQUIRE_TOOLS").is_none(),
            "moto is required (DOSSIER_REQUIRE_TOOLS is set): pip install -r tests/tools/requirements.txt"
        );
        eprintln!("skipped: moto is not installed (pip install 'moto[server]')");
    }
    found
}

fn s3_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/s3")
}

impl Moto {
    /// Starts a server; `bulk` fills `BUCKET/PREFIX:N` before it serves.
    fn start(bulk: &[&str]) -> Option<Moto> {
        let python = moto_python()?;
        let mut command = Process::new(&python);
        command.arg(s3_dir().join("moto_server.py"));
        for spec in bulk {
            command.args(["--bulk", spec]);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("start moto");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).expect("moto says its port");
        let port = line.trim().strip_prefix("PORT ").unwrap_or_else(|| panic!("moto said {line:?}"));
        Some(Moto { child, endpoint: format!("http://127.0.0.1:{port}"), python })
    }

    /// Runs operations through boto3 (see `tests/s3/s3ctl.py`); their results.
    fn ctl(&self, operations: Value) -> Vec<Value> {
        let mut child = Process::new(&self.python)
            .arg(s3_dir().join("s3ctl.py"))
            .arg(&self.endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run s3ctl");
        child.stdin.take().expect("piped").write_all(operations.to_string().as_bytes()).expect("write");
        let output = child.wait_with_output().expect("s3ctl");
        assert!(output.status.success(), "s3ctl failed");
        serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("s3ctl prints JSON")
    }

    /// `dossier ARGS` with this server as the S3 endpoint and test credentials.
    fn dossier(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        dossier()
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("SOURCE_DATE_EPOCH", "1796083200") // 2026-12-01
            .args(args)
            .assert()
    }
}

const LOG: &str = "{\"request_id\": \"r1\", \"timestamp\": \"2026-11-20T10:00:00Z\", \"prediction\": \"approve\"}\n";

fn put(bucket: &str, key: &str, body: &str) -> Value {
    json!({"op": "put", "bucket": bucket, "key": key, "body": body, "checksum": true})
}

fn locked_put(bucket: &str, key: &str, body: &str, until: &str) -> Value {
    json!({"op": "put", "bucket": bucket, "key": key, "body": body, "checksum": true,
           "mode": "COMPLIANCE", "retain_until": until})
}

fn findings_of(package: &Path, code: &str) -> Vec<Value> {
    let findings = read_json(&package.join("findings.json"));
    findings["findings"].as_array().expect("findings").iter().filter(|f| f["code"] == code).cloned().collect()
}

fn stored<'a>(manifest: &'a Value, path: &str) -> &'a Value {
    let artifact = manifest["artifacts"].as_array().unwrap().iter().find(|a| a["path"] == path);
    &artifact.unwrap_or_else(|| panic!("{path} is not in the manifest"))["stored"]
}

#[test]
fn an_object_lock_bucket_is_pinned_and_meets_the_worm_rule() {
    let Some(moto) = Moto::start(&[]) else { return };
    let versions = moto.ctl(json!([
        {"op": "bucket", "bucket": "locked", "lock": true},
        locked_put("locked", "release/logs/inference/2026-11-20.jsonl", LOG, "2028-01-01T00:00:00Z"),
        {"op": "put", "bucket": "locked", "key": "release/data/snapshots/train.csv", "body": "a,b\n1,2\n",
         "checksum": true, "legal_hold": true},
        put("locked", "release/model_card.md", "# Model card\n"),
    ]));
    let out = tempfile::tempdir().unwrap();
    let package = out.path().join("pkg");
    moto.dossier(&["build", "s3://locked/release", "-o", package.to_str().unwrap(), "--fail-on", "never"]).success();

    let manifest = read_json(&package.join("manifest.json"));
    assert_eq!(manifest["schema_version"], 3);
    let store = &manifest["evidence"]["stores"][0];
    assert_eq!(store["url"], "s3://locked/release");
    assert_eq!(store["versioning"], "Enabled");
    assert_eq!(store["object_lock"], true);
    assert_eq!(store["objects"], 3);
    let log = stored(&manifest, "logs/inference/2026-11-20.jsonl");
    assert_eq!(log["version_id"], versions[1]);
    assert_eq!(log["url"], "s3://locked/release/logs/inference/2026-11-20.jsonl");
    assert_eq!(log["lock"]["mode"], "COMPLIANCE");
    assert_eq!(log["lock"]["retain_until"], "2028-01-01T00:00:00Z");
    assert_eq!(log["digest_from"], "content");
    assert_eq!(log["checksum"]["algorithm"], "SHA256");
    assert_eq!(log["checksum"]["kind"], "FULL_OBJECT");
    let snapshot = stored(&manifest, "data/snapshots/train.csv");
    assert_eq!(snapshot["lock"]["legal_hold"], true);
    // The bytes hashed are the object's: the manifest's digest is the content's.
    let entry = manifest_entry_in(&manifest, "logs/inference/2026-11-20.jsonl");
    assert_eq!(entry["sha256"], sha256_hex(LOG.as_bytes()));

    // Both write-once types are protected; the model card need not be.
    assert_eq!(findings_of(&package, "worm-not-enforced"), Vec::<Value>::new());
    moto.dossier(&["verify", package.to_str().unwrap()]).success();

    // The reports show the root, its bucket's settings and what the pinned versions hold.
    let html = std::fs::read_to_string(package.join("index.html")).unwrap().replace("&#x2F;", "/");
    assert!(html.contains("<code class=\"path\">s3://locked/release</code>"), "no store row in index.html");
    assert!(html.contains(
        "3 with a version id; 1 under retention (the earliest until 2028-01-01T00:00:00Z); 1 under legal hold"
    ));
    if let Some(text) = pdf_text(&package.join("report.pdf")) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("s3://locked/release") && text.contains("1 under legal hold"), "{text}");
    }
}

fn manifest_entry_in<'a>(manifest: &'a Value, path: &str) -> &'a Value {
    manifest["artifacts"].as_array().unwrap().iter().find(|a| a["path"] == path).expect("in the manifest")
}

#[test]
fn without_object_lock_the_worm_rule_names_each_object() {
    let Some(moto) = Moto::start(&[]) else { return };
    moto.ctl(json!([
        {"op": "bucket", "bucket": "plain", "versioning": true},
        put("plain", "logs/inference/a.jsonl", LOG),
        put("plain", "logs/inference/b.jsonl", LOG),
        {"op": "bucket", "bucket": "unversioned"},
        put("unversioned", "logs/inference/c.jsonl", LOG),
        {"op": "bucket", "bucket": "short", "lock": true},
        locked_put("short", "logs/inference/d.jsonl", LOG, "2027-01-01T00:00:00Z"),
    ]));
    let out = tempfile::tempdir().unwrap();
    for (url, expect) in [
        (
            "s3://plain",
            vec![
                ("logs/inference/a.jsonl", "no Object Lock retention"),
                ("logs/inference/b.jsonl", "no Object Lock retention"),
            ],
        ),
        ("s3://unversioned", vec![("logs/inference/c.jsonl", "keeps no versions")]),
        ("s3://short", vec![("logs/inference/d.jsonl", "before the 183-day keeping period")]),
    ] {
        let package = out.path().join(url.trim_start_matches("s3://"));
        let assert = moto.dossier(&["build", url, "-o", package.to_str().unwrap()]).code(1);
        let found = findings_of(&package, "worm-not-enforced");
        assert_eq!(found.len(), expect.len(), "{url}: {found:?}");
        for ((path, why), finding) in expect.iter().zip(&found) {
            assert_eq!(finding["path"], *path);
            let message = finding["message"].as_str().unwrap();
            assert!(message.contains(why) && message.contains(&format!("{url}/{path}")), "{message}");
            assert!(finding["requirements"].as_array().unwrap().contains(&json!("eu-ai-act/art-19/1")));
        }
        assert_stderr_has(&assert, "worm-not-enforced");
    }
}

#[test]
fn verify_reads_the_pinned_versions_and_latest_names_what_changed() {
    let Some(moto) = Moto::start(&[]) else { return };
    let key = "logs/inference/a.jsonl";
    let versions = moto.ctl(json!([
        {"op": "bucket", "bucket": "evidence", "versioning": true},
        put("evidence", key, LOG),
        put("evidence", "logs/inference/b.jsonl", LOG),
    ]));
    let out = tempfile::tempdir().unwrap();
    let package = out.path().join("pkg");
    let pkg = package.to_str().unwrap();
    moto.dossier(&["build", "s3://evidence", "-o", pkg, "--fail-on", "never"]).success();
    moto.dossier(&["verify", pkg]).success();

    // Overwritten after the build: the pinned version still verifies; --latest says so.
    moto.ctl(json!([
        put("evidence", key, "{\"rewritten\": true}\n"),
        put("evidence", "logs/inference/new.jsonl", LOG)
    ]));
    moto.dossier(&["verify", pkg]).success();
    let latest = moto.dossier(&["verify", pkg, "--latest"]).success();
    let stderr = stderr_of(&latest);
    assert!(
        stderr.contains("object-overwritten")
            && stderr.contains(&format!("pinned version {}", versions[1].as_str().unwrap())),
        "{stderr}"
    );
    assert!(stderr.contains("object-added") && stderr.contains("s3://evidence/logs/inference/new.jsonl"), "{stderr}");

    // The pinned version deleted: integrity failure, naming the object and version.
    moto.ctl(json!([{"op": "delete_version", "bucket": "evidence", "key": key, "version": versions[1]}]));
    let failed = moto.dossier(&["verify", pkg]).code(3);
    let stderr = stderr_of(&failed);
    assert!(stderr.contains("artifact-missing") && stderr.contains(&format!("s3://evidence/{key}")), "{stderr}");
    assert!(stderr.contains(versions[1].as_str().unwrap()), "{stderr}");
}

#[test]
fn a_directory_and_a_bucket_make_one_manifest_and_one_matrix() {
    let Some(moto) = Moto::start(&[]) else { return };
    moto.ctl(json!([
        {"op": "bucket", "bucket": "logs", "lock": true},
        locked_put("logs", "prod/2026-11-20.jsonl", LOG, "2028-01-01T00:00:00Z"),
    ]));
    let ws = Workspace::new(&[
        ("model_card.md", "# Model card\n\nIntended use: credit decisions.\n"),
        (
            "dossier.yaml",
            "system:\n  name: mixed\nevidence:\n  sources:\n    - url: s3://logs/prod\n      path: logs/inference\n",
        ),
    ]);
    let package = ws.package();
    moto.dossier(&["build", ws.evidence().to_str().unwrap(), "-o", package.to_str().unwrap(), "--fail-on", "never"])
        .success();
    let manifest = read_json(&package.join("manifest.json"));
    let paths: Vec<&str> =
        manifest["artifacts"].as_array().unwrap().iter().map(|a| a["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["dossier.yaml", "logs/inference/2026-11-20.jsonl", "model_card.md"]);
    assert!(manifest_entry_in(&manifest, "model_card.md").get("stored").is_none());
    assert_eq!(stored(&manifest, "logs/inference/2026-11-20.jsonl")["url"], "s3://logs/prod/2026-11-20.jsonl");
    // One matrix: the bucket's log and the directory's card both count.
    let assessment = read_json(&package.join("assessment.json"));
    let types: Vec<&str> =
        assessment["evidence_sets"].as_array().unwrap().iter().filter_map(|s| s["evidence_type"].as_str()).collect();
    assert!(types.contains(&"inference-log") && types.contains(&"model-card"), "{types:?}");
    moto.dossier(&["verify", package.to_str().unwrap()]).success();
    // A local file and an object at one path: refused, naming both.
    ws.write("logs/inference/2026-11-20.jsonl", LOG.as_bytes());
    let clash = moto.dossier(&["build", ws.evidence().to_str().unwrap(), "-o", package.to_str().unwrap()]).code(2);
    assert_stderr_has(&clash, "both a file in the evidence directory and s3://logs/prod/2026-11-20.jsonl");
}

#[test]
fn store_checksums_stand_in_for_unread_objects_and_a_sample_is_compared() {
    let Some(moto) = Moto::start(&[]) else { return };
    let mut ops = vec![json!({"op": "bucket", "bucket": "data", "versioning": true})];
    for i in 0..40 {
        ops.push(put("data", &format!("snapshots/part-{i:03}.bin"), &format!("row {i}\n")));
    }
    ops.push(put("data", "logs/inference/a.jsonl", LOG));
    ops.push(json!({"op": "put", "bucket": "data", "key": "snapshots/no-checksum.bin", "body": "x"}));
    moto.ctl(Value::Array(ops));
    let out = tempfile::tempdir().unwrap();
    // The share downloaded anyway: none, half (picked from each object's URL and version,
    // which moto makes afresh each run), all.
    let mut trusted_at = Vec::new();
    for share in ["0", "0.5", "1"] {
        let config = out.path().join(format!("sample-{share}.yaml"));
        std::fs::write(&config, format!("system:\n  name: data\nevidence:\n  store_sample: {share}\n")).unwrap();
        let package = out.path().join(format!("pkg-{share}"));
        let pkg = package.to_str().unwrap();
        moto.dossier(&[
            "build",
            "s3://data",
            "-c",
            config.to_str().unwrap(),
            "-o",
            pkg,
            "--fail-on",
            "never",
            "--trust-store-checksums",
        ])
        .success();
        let manifest = read_json(&package.join("manifest.json"));
        let from = |path: &str| stored(&manifest, path)["digest_from"].as_str().unwrap().to_string();
        // The log is read, so downloaded; an object with no SHA-256 in the store is too.
        assert_eq!(from("logs/inference/a.jsonl"), "content");
        assert_eq!(from("snapshots/no-checksum.bin"), "content");
        for i in 0..40 {
            let path = format!("snapshots/part-{i:03}.bin");
            // Whichever way, the digest is the content's.
            assert_eq!(manifest_entry_in(&manifest, &path)["sha256"], sha256_hex(format!("row {i}\n").as_bytes()));
        }
        let store = &manifest["evidence"]["stores"][0];
        assert_eq!(store["objects"], 42);
        trusted_at.push(store["store_checksums"].as_u64().unwrap());
        // verify downloads everything, store checksum or not.
        moto.dossier(&["verify", pkg]).success();
    }
    assert_eq!(trusted_at[0], 40);
    assert!((5..35).contains(&trusted_at[1]), "{trusted_at:?}");
    assert_eq!(trusted_at[2], 0);
}

#[test]
fn a_listing_of_100000_objects_is_paged_through() {
    let Some(moto) = Moto::start(&["bulk/p:100000"]) else { return };
    let out = tempfile::tempdir().unwrap();
    let package = out.path().join("pkg");
    let config = out.path().join("dossier.yaml");
    // The listing is under test here (S3 pages it 1,000 keys at a time): every object is
    // listed and matched against the ignore rules, and the ten kept are pinned and read.
    // Reading all 100,000 through moto, one request each, is what the benchmark measures.
    std::fs::write(
        &config,
        "system:\n  name: bulk\nevidence:\n  ignore:\n    - \"*.jsonl\"\n    - \"!part-00000?.jsonl\"\n",
    )
    .unwrap();
    let built = moto
        .dossier(&[
            "build",
            "s3://bulk/p",
            "-c",
            config.to_str().unwrap(),
            "-o",
            package.to_str().unwrap(),
            "--manifest-only",
        ])
        .success();
    assert!(stdout_of(&built).contains("99990 ignored"), "{}", stdout_of(&built));
    let manifest = read_json(&package.join("manifest.json"));
    assert_eq!(manifest["evidence"]["stores"][0]["objects"], 10);
    let paths: Vec<&str> =
        manifest["artifacts"].as_array().unwrap().iter().map(|a| a["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 10);
    assert_eq!(paths[0], "logs/inference/2026-11-01/part-000000.jsonl");
    assert_eq!(paths[9], "logs/inference/2026-11-10/part-000009.jsonl");
    for artifact in manifest["artifacts"].as_array().unwrap() {
        assert!(artifact["stored"]["version_id"].as_str().is_some_and(|v| !v.is_empty()), "{artifact}");
    }
}

#[test]
fn a_local_log_meets_the_worm_rule_through_the_copy_its_sidecar_names() {
    let Some(moto) = Moto::start(&[]) else { return };
    let versions = moto.ctl(json!([
        {"op": "bucket", "bucket": "archive", "lock": true},
        // Governance mode, so the test can delete the version (with the bypass) later.
        {"op": "put", "bucket": "archive", "key": "logs/a.jsonl", "body": LOG, "checksum": true,
         "mode": "GOVERNANCE", "retain_until": "2028-01-01T00:00:00Z"},
        {"op": "put", "bucket": "archive", "key": "logs/b.jsonl", "body": "{\"other\": 1}\n",
         "mode": "COMPLIANCE", "retain_until": "2028-01-01T00:00:00Z"},
    ]));
    let ws = Workspace::new(&[
        ("logs/inference/a.jsonl", LOG),
        ("logs/inference/a.jsonl.dossier.yaml", "worm_copy: s3://archive/logs/a.jsonl\n"),
        ("logs/inference/b.jsonl", LOG),
        ("logs/inference/b.jsonl.dossier.yaml", "worm_copy: s3://archive/logs/b.jsonl\n"),
        ("logs/inference/c.jsonl", LOG),
        ("dossier.yaml", "system:\n  name: local-logs\n"),
    ]);
    let package = ws.package();
    let pkg = package.to_str().unwrap();
    moto.dossier(&["build", ws.evidence().to_str().unwrap(), "-o", pkg, "--fail-on", "never"]).success();
    let manifest = read_json(&package.join("manifest.json"));
    assert_eq!(manifest["schema_version"], 3);
    let copy = &manifest_entry_in(&manifest, "logs/inference/a.jsonl")["worm_copy"];
    assert_eq!(copy["url"], "s3://archive/logs/a.jsonl");
    assert_eq!(copy["version_id"], versions[1]);
    assert_eq!(copy["digest_from"], "store-checksum");
    assert_eq!(copy["lock"]["mode"], "GOVERNANCE");
    // a's copy holds its bytes and is locked; b's copy holds other bytes; c names none.
    let not_enforced = findings_of(&package, "worm-not-enforced");
    assert_eq!(not_enforced.len(), 1, "{not_enforced:?}");
    assert_eq!(not_enforced[0]["path"], "logs/inference/b.jsonl");
    assert!(not_enforced[0]["message"].as_str().unwrap().contains("s3://archive/logs/b.jsonl holds other bytes"));
    let unproven = findings_of(&package, "worm-unproven");
    assert_eq!(unproven.len(), 1, "{unproven:?}");
    assert_eq!(unproven[0]["path"], "logs/inference/c.jsonl");

    // verify reads the pinned copy again: gone, it is an integrity failure naming it.
    moto.dossier(&["verify", pkg]).success();
    moto.ctl(json!([{"op": "delete_version", "bucket": "archive", "key": "logs/a.jsonl", "version": versions[1]}]));
    let failed = moto.dossier(&["verify", pkg]).code(3);
    assert_stderr_has(&failed, "s3://archive/logs/a.jsonl");
}

#[test]
fn same_bucket_same_epoch_gives_the_same_package() {
    let Some(moto) = Moto::start(&[]) else { return };
    moto.ctl(json!([
        {"op": "bucket", "bucket": "repro", "lock": true},
        locked_put("repro", "logs/inference/a.jsonl", LOG, "2028-01-01T00:00:00Z"),
        put("repro", "model_card.md", "# Model card\n"),
    ]));
    let out = tempfile::tempdir().unwrap();
    let (one, two) = (out.path().join("one"), out.path().join("two"));
    for package in [&one, &two] {
        moto.dossier(&["build", "s3://repro", "-o", package.to_str().unwrap(), "--fail-on", "never"]).success();
    }
    let relative = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        snapshot(dir).into_iter().map(|(p, bytes)| (p.strip_prefix(dir).unwrap().to_path_buf(), bytes)).collect()
    };
    let (first, second) = (relative(&one), relative(&two));
    assert!(first.iter().any(|(p, _)| p == Path::new("manifest.json")));
    assert!(first == second, "two builds of the same bucket differ");
}
