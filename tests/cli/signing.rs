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

/// Every entry of a `.tar.gz`: header and content.
fn read_bundle(bundle: &Path) -> Vec<(tar::Header, Vec<u8>)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(fs::File::open(bundle).unwrap()));
    let mut entries: Vec<(tar::Header, Vec<u8>)> = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        entries.push((entry.header().clone(), data));
    }
    entries
}

/// Writes `entries` as a `.tar.gz`, headers as given (sizes and checksums refreshed).
fn write_bundle(bundle: &Path, entries: Vec<(tar::Header, Vec<u8>)>) {
    let out = flate2::write::GzEncoder::new(fs::File::create(bundle).unwrap(), flate2::Compression::default());
    let mut builder = tar::Builder::new(out);
    for (mut header, data) in entries {
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, &data[..]).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

/// Rewrites a `.tar.gz` with `change` applied to the content of the entry at `index`.
fn rewrite_bundle(bundle: &Path, index: usize, change: impl Fn(&mut Vec<u8>)) -> String {
    let mut entries = read_bundle(bundle);
    let name = String::from_utf8_lossy(&entries[index].0.path_bytes()).into_owned();
    change(&mut entries[index].1);
    write_bundle(bundle, entries);
    name
}

fn bundle_file_count(bundle: &Path) -> usize {
    read_bundle(bundle).len()
}

#[test]
fn a_bundle_is_deterministic_and_verifies_without_being_unpacked() {
    let ws = signed_sample(&["--include-evidence", "--bundle"]);
    let bundle = ws.dir.path().join("pkg.tar.gz");
    let first = fs::read(&bundle).unwrap();
    ws.build(&["--sign", "team.key", "--include-evidence", "--bundle"]).success();
    assert!(fs::read(&bundle).unwrap() == first, "the bundle changed between identical builds");
    // The package directory is not needed: the bundle alone verifies.
    fs::remove_dir_all(ws.package()).unwrap();
    let before: Vec<_> = package_files(ws.dir.path());
    let out =
        dossier().current_dir(ws.dir.path()).args(["verify", "pkg.tar.gz", "--key", "team.pub"]).assert().success();
    assert!(stdout_of(&out).contains("signature  valid") || stderr_of(&out).contains("signature  valid"));
    assert_eq!(package_files(ws.dir.path()), before, "verify unpacked something");
}

#[test]
fn any_flipped_byte_in_a_signed_bundle_fails_verification_naming_the_file() {
    let ws = signed_sample(&["--include-evidence", "--bundle"]);
    let bundle = ws.dir.path().join("pkg.tar.gz");
    let pristine = fs::read(&bundle).unwrap();
    for index in 0..bundle_file_count(&bundle) {
        fs::write(&bundle, &pristine).unwrap();
        let name = rewrite_bundle(&bundle, index, |data| {
            let middle = data.len() / 2;
            if let Some(b) = data.get_mut(middle) {
                *b ^= 0x01;
            }
        });
        if name.ends_with('/') || fs::read(&bundle).unwrap() == pristine {
            continue; // a directory entry has no content to flip
        }
        let out =
            dossier().current_dir(ws.dir.path()).args(["verify", "pkg.tar.gz", "--key", "team.pub"]).assert().code(3);
        let named = name.strip_prefix("evidence/").unwrap_or(&name);
        assert!(stderr_of(&out).contains(named), "flipping {name} was not reported by name:\n{}", stderr_of(&out));
    }
}

#[test]
fn bundle_entries_that_escape_or_link_are_refused_and_never_extracted() {
    let ws = signed_sample(&["--include-evidence", "--bundle"]);
    let bundle = ws.dir.path().join("pkg.tar.gz");
    // Append a path-climbing file and a symbolic link to the genuine bundle.
    let mut entries = read_bundle(&bundle);
    let mut climb = tar::Header::new_gnu();
    climb.as_old_mut().name[..13].copy_from_slice(b"../planted.sh");
    climb.set_size(3);
    climb.set_mode(0o755);
    climb.set_cksum();
    let mut link = tar::Header::new_gnu();
    link.set_path("evidence/passwd").unwrap();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_link_name("/etc/passwd").unwrap();
    link.set_size(0);
    link.set_cksum();
    entries.push((climb, b"hi\n".to_vec()));
    entries.push((link, Vec::new()));
    write_bundle(&bundle, entries);

    let out = dossier().current_dir(ws.dir.path()).args(["verify", "pkg.tar.gz", "--key", "team.pub"]).assert().code(3);
    let err = stderr_of(&out);
    assert!(err.contains("error[bundle-entry-rejected] ../planted.sh"), "{err}");
    assert!(err.contains("error[bundle-entry-rejected] evidence/passwd"), "{err}");
    assert!(!ws.dir.path().parent().unwrap().join("planted.sh").exists());
}

#[test]
fn a_bundle_without_evidence_is_verified_against_an_evidence_directory() {
    let ws = signed_sample(&["--bundle"]);
    let out = dossier().current_dir(ws.dir.path()).args(["verify", "pkg.tar.gz"]).assert().code(2);
    assert!(stderr_of(&out).contains("pass --evidence DIR"));
    dossier()
        .current_dir(ws.dir.path())
        .args(["verify", "pkg.tar.gz", "--evidence", "ev", "--key", "team.pub"])
        .assert()
        .success();
}
