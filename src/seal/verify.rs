//! Verification: re-check a package against itself and against the evidence.
//!
//! Three layers, each reported by path: the manifest must match its own package digest;
//! every package file must match the digest the manifest lists for it (and nothing else
//! may be in the package); and the evidence, walked again with the recorded collection
//! rules, must hold exactly the recorded artifacts. Differences are classified as
//! modified, missing, added or moved (same content, new path).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::attest;
use super::bundle::{self, PackageFiles};
use super::manifest::{self, EVIDENCE_DIR, MANIFEST_FILE, Manifest, SUMS_FILE};
use crate::collect::store;
use crate::collect::{self, CollectOptions, IgnorePattern, Progress, ignore_matcher};
use crate::diag::{Error, Result};
use crate::digest::Sha256Digest;
use crate::model::evidence::{Artifact, ArtifactEntry, Facts};
use crate::model::finding::{Code, Finding, Severity};

/// What to verify.
pub struct VerifyOptions<'a> {
    /// The package directory.
    pub package: PathBuf,
    /// The evidence directory; default: the copy inside the package, else the recorded hint.
    pub evidence: Option<PathBuf>,
    /// Public key to check the signature with.
    pub key: Option<PathBuf>,
    /// Progress sink for re-hashing.
    pub progress: &'a dyn Progress,
    /// Check the package's own files, and the evidence only when the package carries it
    /// (for `diff`, which reads the package and not the evidence).
    pub package_only: bool,
    /// Package files to return whole in [`VerifyReport::contents`], read in the same
    /// pass that hashes them.
    pub keep: &'a [&'a str],
    /// Also list each object-store root again and report what was written since.
    pub latest: bool,
}

/// What verification says about the package's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// No signed attestation in the package.
    Unsigned,
    /// Signed, but no key was given to check it: the key id it claims.
    NotChecked(String),
    /// The signature verified with the given key: its fingerprint.
    Verified(String),
    /// A key was given and the signature did not verify (see the problems).
    Failed,
}

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The manifest that was checked (when it could be read).
    pub manifest: Option<Manifest>,
    /// Where the evidence was looked for.
    pub evidence_root: Option<PathBuf>,
    /// Integrity problems, in a stable order.
    pub problems: Vec<Finding>,
    /// The signature's state.
    pub signature: Signature,
    /// The kept package files (see [`VerifyOptions::keep`]), as hashed.
    pub contents: BTreeMap<String, Vec<u8>>,
}

impl VerifyReport {
    /// Whether the package and evidence are intact.
    pub fn is_intact(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Verifies a package directory or a `.tar.gz` bundle.
pub fn verify(options: &VerifyOptions<'_>) -> Result<VerifyReport> {
    let package = &options.package;
    let in_bundle = bundle::is_bundle(package);
    let mut files = if in_bundle {
        PackageFiles::from_bundle(package, options.keep)?
    } else if package.is_dir() {
        PackageFiles::from_dir(package, options.keep)?
    } else {
        return Err(Error::package(package, "is not a directory or a .tar.gz bundle"));
    };
    if !files.rejected.is_empty() {
        return Ok(VerifyReport {
            manifest: None,
            evidence_root: None,
            problems: files.rejected,
            signature: Signature::Failed,
            contents: BTreeMap::new(),
        });
    }
    let Some(text) = files.contents.get(MANIFEST_FILE) else {
        return Err(Error::package(package, format!("is not a dossier package: it has no {MANIFEST_FILE}")));
    };
    let manifest = match parse_manifest(&String::from_utf8_lossy(text)) {
        Ok(m) => m,
        Err(message) => {
            return Ok(VerifyReport {
                manifest: None,
                evidence_root: None,
                problems: vec![Finding::at(Code::ManifestUnreadable, MANIFEST_FILE, message)],
                signature: Signature::Failed,
                contents: BTreeMap::new(),
            });
        }
    };

    // The signature first: with a key, nothing else is trusted before it holds.
    let mut problems = Vec::new();
    let signature = check_attestation(&files, options.key.as_deref(), &mut problems)?;
    if !manifest.is_sealed() {
        problems.push(Finding::at(
            Code::ManifestDigestMismatch,
            MANIFEST_FILE,
            format!(
                "content does not match package_digest {} (it hashes to {}): the manifest was edited after the build",
                manifest.package_digest,
                manifest.compute_digest()
            ),
        ));
    }
    check_outputs(&files, &manifest, &mut problems);
    check_sums(&files, &manifest, &mut problems);

    if options.package_only && !manifest.evidence.included && options.evidence.is_none() {
        return Ok(without_evidence(manifest, problems, signature, files.contents));
    }

    // Objects from a store are read again from it, by their pinned versions.
    let stored: Vec<&ArtifactEntry> = manifest.artifacts.iter().filter(|a| a.stored.is_some()).collect();
    if !stored.is_empty() {
        let ignore = ignore_matcher(Path::new(""), &recorded_ignore(options, &manifest)?)?;
        problems.extend(store::reverify(
            &stored,
            &manifest.evidence.stores,
            options.latest,
            &ignore,
            manifest.evidence.include_hidden,
        )?);
    }
    let copies: Vec<&ArtifactEntry> = manifest.artifacts.iter().filter(|a| a.worm_copy.is_some()).collect();
    if !copies.is_empty() {
        problems.extend(store::reverify_copies(&copies)?);
    }
    let only_stored = stored.len() == manifest.artifacts.len();
    drop(stored);
    if !manifest.evidence.included && options.evidence.is_none() && !manifest.evidence.stores.is_empty() && only_stored
    {
        // Nothing came from a directory: the store was the whole of the evidence.
        return Ok(without_evidence(manifest, problems, signature, files.contents));
    }

    // The evidence: the copy inside a bundle, else a directory walked again.
    let contents = std::mem::take(&mut files.contents);
    let (evidence, evidence_root) = if in_bundle && options.evidence.is_none() {
        if !manifest.evidence.included {
            return Err(Error::package(
                package,
                "carries no evidence (it was built without --include-evidence): pass --evidence DIR",
            ));
        }
        let artifacts = std::mem::take(&mut files.evidence)
            .into_iter()
            .map(|e| Artifact {
                path: e.path,
                sha256: e.sha256,
                size: e.size,
                md5: None,
                facts: Facts::unmatched(),
                document: None,
                stored: None,
                worm_copy: None,
            })
            .collect();
        let evidence = collect::Evidence { artifacts, ..collect::Evidence::default() };
        (evidence, PathBuf::from(format!("{}!/{EVIDENCE_DIR}", package.display())))
    } else {
        let root = if in_bundle {
            options.evidence.clone().expect("checked above")
        } else {
            locate_evidence(options, &manifest)?
        };
        let evidence = collect::collect(&CollectOptions {
            root: root.clone(),
            include_hidden: manifest.evidence.include_hidden,
            ignore: ignore_matcher(&root, &recorded_ignore(options, &manifest)?)?,
            copy_to: None,
            progress: options.progress,
            classifier: None,
            interpret: None,
            // Verification always hashes.
            cache: None,
        })?;
        (evidence, root)
    };
    if manifest.evidence.included || manifest.evidence.stores.is_empty() {
        compare_evidence(&manifest, &evidence, &mut problems);
    } else {
        // The directory holds only what did not come from a store.
        let local = Manifest {
            artifacts: manifest.artifacts.iter().filter(|a| a.stored.is_none()).cloned().collect(),
            ..manifest.clone()
        };
        compare_evidence(&local, &evidence, &mut problems);
    }

    problems.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    Ok(VerifyReport { manifest: Some(manifest), evidence_root: Some(evidence_root), problems, signature, contents })
}

/// The report of a verification that ends before the evidence: the package's own checks
/// (and any store's), in their stable order.
fn without_evidence(
    manifest: Manifest,
    mut problems: Vec<Finding>,
    signature: Signature,
    contents: BTreeMap<String, Vec<u8>>,
) -> VerifyReport {
    problems.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    VerifyReport { manifest: Some(manifest), evidence_root: None, problems, signature, contents }
}

/// The ignore patterns the build recorded, which the evidence is walked (or a store listed)
/// with again.
fn recorded_ignore(options: &VerifyOptions<'_>, manifest: &Manifest) -> Result<Vec<IgnorePattern>> {
    manifest
        .evidence
        .ignore
        .iter()
        .map(|p| {
            IgnorePattern::try_from(p.clone())
                .map_err(|why| Error::package(&options.package, format!("{MANIFEST_FILE}: evidence.ignore: {why}")))
        })
        .collect()
}

fn parse_manifest(text: &str) -> std::result::Result<Manifest, String> {
    let v = crate::model::schema_version(text.as_bytes(), manifest::FORMAT, "manifest")?;
    let known = u64::from(manifest::OLDEST_SCHEMA_VERSION)..=u64::from(manifest::STORE_SCHEMA_VERSION);
    if !known.contains(&v) {
        return Err(format!(
            "schema_version {v} is not supported by this dossier (it reads {} to {})",
            manifest::OLDEST_SCHEMA_VERSION,
            manifest::SCHEMA_VERSION
        ));
    }
    serde_json::from_str(text).map_err(|e| format!("does not match the manifest schema ({e})"))
}

fn check_outputs(files: &PackageFiles, manifest: &Manifest, problems: &mut Vec<Finding>) {
    // Reports are outside the package digest (they display it) but verified all the same.
    let all = || manifest.outputs.iter().chain(&manifest.reports);
    let listed: BTreeSet<&str> = all().map(|o| o.path.as_str()).collect();
    for output in all() {
        match files.files.get(&output.path) {
            Some(actual) if *actual != output.sha256 => problems.push(Finding::at(
                Code::OutputModified,
                &output.path,
                format!("sha256 is {actual}, the manifest records {}", output.sha256),
            )),
            Some(_) => {}
            None => problems.push(Finding::at(
                Code::OutputMissing,
                &output.path,
                "listed in the manifest but not in the package",
            )),
        }
    }
    // Anything else in the package was not put there by the build.
    for rel in files.files.keys() {
        let attestation = rel == attest::STATEMENT_FILE || rel == attest::ENVELOPE_FILE;
        if rel != MANIFEST_FILE && !attestation && !listed.contains(rel.as_str()) {
            problems.push(Finding::at(Code::PackageFileAdded, rel.as_str(), "not listed in the manifest"));
        }
    }
    if !manifest.evidence.included {
        for path in &files.evidence_paths {
            problems.push(Finding::at(
                Code::PackageFileAdded,
                format!("{EVIDENCE_DIR}/{path}"),
                "not listed in the manifest (the package was built without --include-evidence)",
            ));
        }
    }
}

/// Checks the signed envelope (when `key` is given) and that the attestation's subjects
/// are exactly the package's files with their current digests.
fn check_attestation(files: &PackageFiles, key: Option<&Path>, problems: &mut Vec<Finding>) -> Result<Signature> {
    let envelope: Option<attest::Envelope> = match files.contents.get(attest::ENVELOPE_FILE) {
        Some(text) => match serde_json::from_slice(text) {
            Ok(e) => Some(e),
            Err(e) => {
                problems.push(Finding::at(
                    Code::SignatureInvalid,
                    attest::ENVELOPE_FILE,
                    format!("not a DSSE envelope: {e}"),
                ));
                return Ok(Signature::Failed);
            }
        },
        None => None,
    };
    let (statement_bytes, signature) = match (key, &envelope) {
        (Some(key), Some(envelope)) => {
            let key = attest::read_public(key)?;
            match attest::open(envelope, &key) {
                Ok(payload) => (Some(payload), Signature::Verified(attest::fingerprint(&key))),
                Err(why) => {
                    problems.push(Finding::at(Code::SignatureInvalid, attest::ENVELOPE_FILE, why));
                    return Ok(Signature::Failed);
                }
            }
        }
        (Some(_), None) => {
            problems.push(Finding::at(
                Code::SignatureMissing,
                attest::ENVELOPE_FILE,
                "the package is not signed; it was built without --sign",
            ));
            return Ok(Signature::Failed);
        }
        (None, Some(envelope)) => {
            (None, Signature::NotChecked(envelope.signatures.first().map(|s| s.keyid.clone()).unwrap_or_default()))
        }
        (None, None) => (None, Signature::Unsigned),
    };
    // The unsigned copy of the statement must be the signed one, when there is one.
    let on_disk = files.contents.get(attest::STATEMENT_FILE).cloned();
    if let (Some(signed), Some(copy)) = (&statement_bytes, &on_disk)
        && signed != copy
    {
        problems.push(Finding::at(
            Code::AttestationMismatch,
            attest::STATEMENT_FILE,
            "differs from the statement inside the signed envelope",
        ));
    }
    let Some(bytes) = statement_bytes.or(on_disk) else { return Ok(signature) };
    let statement: attest::Statement = match serde_json::from_slice(&bytes) {
        Ok(s) => s,
        Err(e) => {
            problems.push(Finding::at(
                Code::AttestationMismatch,
                attest::STATEMENT_FILE,
                format!("not an in-toto statement: {e}"),
            ));
            return Ok(signature);
        }
    };
    let subjects: BTreeMap<&str, &str> = statement
        .subject
        .iter()
        .map(|s| (s.name.as_str(), s.digest.get("sha256").map_or("", String::as_str)))
        .collect();
    let mut present = BTreeSet::new();
    for (rel, actual) in &files.files {
        if rel == attest::STATEMENT_FILE || rel == attest::ENVELOPE_FILE {
            continue;
        }
        match subjects.get(rel.as_str()) {
            None => problems.push(Finding::at(Code::AttestationMismatch, rel.as_str(), "not in the attestation")),
            Some(recorded) if *recorded != actual.to_string() => problems.push(Finding::at(
                Code::AttestationMismatch,
                rel.as_str(),
                format!("sha256 is {actual}, the attestation records {recorded}"),
            )),
            Some(_) => {}
        }
        present.insert(rel.as_str());
    }
    for name in subjects.keys().filter(|n| !present.contains(**n)) {
        problems.push(Finding::at(Code::AttestationMismatch, *name, "in the attestation but not in the package"));
    }
    Ok(signature)
}

fn check_sums(files: &PackageFiles, manifest: &Manifest, problems: &mut Vec<Finding>) {
    let Some(text) = files.contents.get(SUMS_FILE).map(|b| String::from_utf8_lossy(b).into_owned()) else {
        return; // reported by check_outputs
    };
    let expected: Vec<(String, Sha256Digest)> = manifest.artifacts.iter().map(|a| (a.path.clone(), a.sha256)).collect();
    match manifest::parse_sums(&text) {
        Ok(listed) if listed == expected => {}
        Ok(_) => problems.push(Finding::at(
            Code::SumsMismatch,
            SUMS_FILE,
            "does not list the same artifacts and digests as manifest.json",
        )),
        Err(e) => problems.push(Finding::at(Code::SumsMismatch, SUMS_FILE, format!("unreadable: {e}"))),
    }
}

fn locate_evidence(options: &VerifyOptions<'_>, manifest: &Manifest) -> Result<PathBuf> {
    if let Some(dir) = &options.evidence {
        return Ok(dir.clone());
    }
    if manifest.evidence.included {
        return Ok(options.package.join(EVIDENCE_DIR));
    }
    if let Some(hint) = &manifest.evidence.root_hint {
        let candidate = options.package.join(hint);
        if candidate.is_dir() {
            return Ok(tidy(&candidate));
        }
    }
    Err(Error::package(
        &options.package,
        format!(
            "cannot find its evidence: the package does not include it and the recorded location ({}) does not exist. Pass --evidence DIR",
            manifest.evidence.root_hint.as_deref().unwrap_or("none recorded")
        ),
    ))
}

/// `pkg/../ev` becomes `ev` when both name the same directory (a symlinked package
/// directory would make them differ; then the path is kept as it was).
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir
                if matches!(out.components().next_back(), Some(std::path::Component::Normal(_))) =>
            {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    match (fs::canonicalize(&out), fs::canonicalize(path)) {
        (Ok(a), Ok(b)) if a == b => out,
        _ => path.to_path_buf(),
    }
}

fn compare_evidence(manifest: &Manifest, evidence: &collect::Evidence, problems: &mut Vec<Finding>) {
    let recorded: BTreeMap<&str, Sha256Digest> =
        manifest.artifacts.iter().map(|a| (a.path.as_str(), a.sha256)).collect();
    let found: BTreeMap<&str, Sha256Digest> = evidence.artifacts.iter().map(|a| (a.path.as_str(), a.sha256)).collect();
    let known_skipped: BTreeSet<&str> = manifest.skipped.iter().map(|s| s.path.as_str()).collect();

    let mut missing: Vec<(&str, Sha256Digest)> = Vec::new();
    for (path, digest) in &recorded {
        match found.get(path) {
            Some(now) if now != digest => problems.push(Finding::at(
                Code::ArtifactModified,
                *path,
                format!("sha256 is {now}, the manifest records {digest}"),
            )),
            Some(_) => {}
            None => missing.push((path, *digest)),
        }
    }
    let mut added: Vec<(&str, Sha256Digest)> = found
        .iter()
        .filter(|(path, _)| !recorded.contains_key(*path) && !known_skipped.contains(*path))
        .map(|(p, d)| (*p, *d))
        .collect();

    // A missing file whose exact content turns up at a new path was moved.
    for (old_path, digest) in missing {
        if let Some(i) = added.iter().position(|(_, d)| *d == digest) {
            let (new_path, _) = added.remove(i);
            problems.push(Finding::at(
                Code::ArtifactMoved,
                new_path,
                format!("same content as recorded artifact {old_path}, which is gone from its recorded path"),
            ));
        } else {
            let why = evidence
                .findings
                .iter()
                .find(|f| f.path.as_deref() == Some(old_path))
                .map(|f| format!(": {}", f.message))
                .unwrap_or_default();
            problems.push(Finding::at(
                Code::ArtifactMissing,
                old_path,
                format!("recorded in the manifest but not found{why}"),
            ));
        }
    }
    for (path, _) in added {
        problems.push(Finding::at(Code::ArtifactAdded, path, "present in the evidence but not in the manifest"));
    }

    let links_then: BTreeMap<&str, &str> =
        manifest.symlinks.iter().map(|l| (l.path.as_str(), l.target.as_str())).collect();
    let links_now: BTreeMap<&str, &str> =
        evidence.symlinks.iter().map(|l| (l.path.as_str(), l.target.as_str())).collect();
    for (path, target) in &links_then {
        match links_now.get(path) {
            Some(now) if now != target => problems.push(Finding::at(
                Code::SymlinkChanged,
                *path,
                format!("now points to {now:?}, recorded as {target:?}"),
            )),
            Some(_) => {}
            None => problems.push(Finding::at(Code::SymlinkChanged, *path, "recorded symbolic link is gone")),
        }
    }
    for path in links_now.keys().filter(|p| !links_then.contains_key(*p)) {
        problems.push(Finding::at(Code::SymlinkChanged, *path, "symbolic link was not there at build time"));
    }
}
