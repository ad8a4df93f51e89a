//! Attestation and signing: `keygen`, `build --sign`, `verify --key`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command as Process;

use crate::support::*;

fn signed_sample(extra: &[&str]) -> Workspace {
    let ws = sample_workspace("support-chatbot");
    ws.run(&["keygen", "team"]).success();
    let mut args = vec!["--sign", "team.key"];
    args.extend_from_slice(extra);
    ws.build(&args).success();
    ws
}

fn package_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites() {
    let ws = Workspace::new(&[]);
    let out = ws.run(&["keygen", "team"]).success();
    assert!(stdout_of(&out).contains("fingerprint SHA256:") || stderr_of(&out).contains("fingerprint SHA256:"));
    let mode = fs::metadata(ws.dir.path().join("team.key")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(fs::read_to_string(ws.dir.path().join("team.pub")).unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    let again = ws.run(&["keygen", "team"]).code(2);
    assert_stderr_has(&again, "already exists");
    // The keys are ordinary Ed25519 PEM files: OpenSSL derives the same public key.
    if have("openssl") {
        let derived = Process::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(ws.dir.path().join("team.key"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&derived.stdout),
            fs::read_to_string(ws.dir.path().join("team.pub")).unwrap()
        );
    }
}

#[test]
fn a_signed_package_verifies_with_its_key_and_names_the_signer() {
    let ws = signed_sample(&[]);
    let out = ws.verify(&["--key", "team.pub"]).success();
    let text = stdout_of(&out) + &stderr_of(&out);
    assert!(text.contains("signature  valid, signed by SHA256:"), "{text}");
    // Without a key, verify says the signature is there but unchecked.
    let out = ws.verify(&[]).success();
    assert!((stdout_of(&out) + &stderr_of(&out)).contains("not checked: pass --key"));
    // The statement's subjects are every package file but the attestation itself.
    let statement = read_json(&ws.package().join("attestation.intoto.json"));
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    let mut subjects: Vec<String> =
        statement["subject"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
    subjects.sort();
    let mut files = package_files(&ws.package());
    files.retain(|f| !f.starts_with("attestation."));
    assert_eq!(subjects, files);
    assert!(
        fs::read_to_string(ws.package().join("index.html")).unwrap().contains("SHA256:"),
        "the report names the key"
    );
}

#[test]
fn any_flipped_byte_in_a_signed_package_fails_verification_naming_the_file() {
    let ws = signed_sample(&["--include-evidence"]);
    let pristine = ws.dir.path().join("pristine");
    copy_tree(&ws.package(), &pristine);
    for file in package_files(&pristine) {
        fs::remove_dir_all(ws.package()).unwrap();
        copy_tree(&pristine, &ws.package());
        let path = ws.package().join(&file);
        let mut bytes = fs::read(&path).unwrap();
        if bytes.is_empty() {
            continue;
        }
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        fs::write(&path, bytes).unwrap();
        let out = ws.verify(&["--key", "team.pub"]).code(3);
        let err = stderr_of(&out);
        let named = file.strip_prefix("evidence/").unwrap_or(&file);
        assert!(err.contains(named), "flipping a byte of {file} was not reported by name:\n{err}");
    }
}

#[test]
fn removed_and_added_files_and_another_key_fail_verification() {
    let ws = signed_sample(&[]);
    fs::write(ws.package().join("extra.txt"), "planted").unwrap();
    let out = ws.verify(&["--key", "team.pub"]).code(3);
    assert_stderr_has(&out, "extra.txt");
    fs::remove_file(ws.package().join("extra.txt")).unwrap();

    fs::remove_file(ws.package().join("summary.md")).unwrap();
    let out = ws.verify(&["--key", "team.pub"]).code(3);
    assert_stderr_has(&out, "summary.md");

    ws.build(&["--sign", "team.key"]).success();
    ws.run(&["keygen", "mallory"]).success();
    let out = ws.verify(&["--key", "mallory.pub"]).code(3);
    assert_stderr_has(&out, "error[signature-invalid]");
    assert_stderr_has(&out, "not by the given key");
}

#[test]
fn an_unsigned_package_says_so_and_fails_only_when_a_key_is_demanded() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&[]).success();
    let out = ws.verify(&[]).success();
    assert!((stdout_of(&out) + &stderr_of(&out)).contains("none (the package is unsigned)"));
    ws.run(&["keygen", "team"]).success();
    let out = ws.verify(&["--key", "team.pub"]).code(3);
    assert_stderr_has(&out, "error[signature-missing]");
}

#[test]
fn a_bad_key_file_is_a_clear_usage_error() {
    let ws = sample_workspace("support-chatbot");
    fs::write(ws.dir.path().join("junk.key"), "not a key").unwrap();
    let out = ws.build(&["--sign", "junk.key"]).code(2);
    assert_stderr_has(&out, "not an Ed25519 private key");
    assert!(!ws.package().exists(), "nothing is written when the key is bad");
}
