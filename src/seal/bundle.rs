//! Package files as `verify` sees them, from a directory or from a bundle, and the bundle
//! itself: one deterministic `.tar.gz` holding the package (and, with
//! `--include-evidence`, the evidence) for hand-over.
//!
//! A bundle is written with entries sorted by path, every timestamp set to the
//! assessment time, owners 0 and no user or group names, modes 0644 and 0755, and a gzip
//! header without a name or time: the same package gives the same bytes. Symbolic links
//! are not carried.
//!
//! `verify` reads a bundle as a stream, never unpacking it to disk: each regular file is
//! hashed as it passes, and only the small files verification reads (the manifest,
//! `SHA256SUMS`, the attestation) are kept. An entry with an absolute path, a `..`
//! component, or of any type other than file or directory (links above all) is refused.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path};

use flate2::Compression;
use flate2::read::GzDecoder;
use tar::{Archive, EntryType, Header};

use super::attest;
use super::manifest::{EVIDENCE_DIR, MANIFEST_FILE, SUMS_FILE};
use crate::diag::{Error, Result};
use crate::digest::{self, Sha256Digest};
use crate::model::evidence::ArtifactEntry;
use crate::model::finding::{Code, Finding};

/// Files kept whole when a package is read (everything else is only hashed).
const KEPT: [&str; 4] = [MANIFEST_FILE, SUMS_FILE, attest::STATEMENT_FILE, attest::ENVELOPE_FILE];

/// A package's files: digests of all, content of the few that verification reads.
#[derive(Debug, Default)]
pub struct PackageFiles {
    /// Every regular file outside `evidence/`, by package-relative path.
    pub files: BTreeMap<String, Sha256Digest>,
    /// The content of the manifest, `SHA256SUMS` and the attestation files, and of any
    /// other file the caller asked to keep, when present. Kept bytes are the bytes that
    /// were hashed, so once the digests check out, the content is the verified content.
    pub contents: BTreeMap<String, Vec<u8>>,
    /// Extra package files to keep whole, besides those verification reads.
    keep: Vec<String>,
    /// Paths of the files under `evidence/`, relative to it.
    pub evidence_paths: Vec<String>,
    /// Those files hashed (bundles only: a directory's evidence copy is walked and
    /// hashed by the evidence check itself, so it is not read twice).
    pub evidence: Vec<ArtifactEntry>,
    /// Entries refused (bundles only).
    pub rejected: Vec<Finding>,
}

impl PackageFiles {
    fn keeping(keep: &[&str]) -> Self {
        PackageFiles { keep: keep.iter().map(|k| k.to_string()).collect(), ..PackageFiles::default() }
    }

    fn add(&mut self, rel: String, reader: impl Read) -> std::io::Result<()> {
        let mut buf = vec![0u8; digest::BUFFER_SIZE];
        let keep = KEPT.contains(&rel.as_str()) || self.keep.contains(&rel);
        let mut kept = Vec::new();
        let hashed = digest::hash_reader(reader, &mut buf, &mut |chunk: &[u8]| {
            if keep {
                kept.extend_from_slice(chunk);
            }
            Ok(())
        })?;
        if let Some(inner) = rel.strip_prefix(&format!("{EVIDENCE_DIR}/")) {
            self.evidence_paths.push(inner.to_string());
            self.evidence.push(ArtifactEntry {
                evidence_type: None,
                path: inner.to_string(),
                sha256: hashed.digest,
                size: hashed.bytes,
                stored: None,
                worm_copy: None,
            });
        } else {
            if keep {
                self.contents.insert(rel.clone(), kept);
            }
            self.files.insert(rel, hashed.digest);
        }
        Ok(())
    }

    /// Reads a package directory (following no links).
    pub fn from_dir(dir: &Path, keep: &[&str]) -> Result<Self> {
        let mut out = PackageFiles::keeping(keep);
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::package(dir, format!("could not read the package: {e}")))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
            if let Some(inner) = rel.strip_prefix(&format!("{EVIDENCE_DIR}/")) {
                out.evidence_paths.push(inner.to_string());
                continue;
            }
            let file = fs::File::open(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
            out.add(rel, file).map_err(|e| Error::io("read", entry.path(), e))?;
        }
        out.evidence.sort();
        Ok(out)
    }

    /// Reads a `.tar.gz` bundle as a stream.
    pub fn from_bundle(file: &Path, keep: &[&str]) -> Result<Self> {
        let reader = fs::File::open(file).map_err(|e| Error::io("open bundle", file, e))?;
        let mut archive = Archive::new(GzDecoder::new(std::io::BufReader::new(reader)));
        let mut out = PackageFiles::keeping(keep);
        let unreadable = |e: std::io::Error| Error::package(file, format!("not a readable .tar.gz bundle: {e}"));
        for entry in archive.entries().map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let path = Path::new(&raw);
            let escapes = path.is_absolute()
                || path
                    .components()
                    .any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)));
            let kind = entry.header().entry_type();
            let why = if escapes {
                Some("its path is absolute or climbs out with `..`")
            } else if !matches!(kind, EntryType::Regular | EntryType::Directory | EntryType::Continuous) {
                Some("it is not a regular file or directory (links are not accepted)")
            } else {
                None
            };
            if let Some(why) = why {
                out.rejected.push(Finding::at(Code::BundleEntryRejected, raw.as_str(), format!("refused: {why}")));
                continue;
            }
            if kind == EntryType::Directory {
                continue;
            }
            let rel = raw.trim_start_matches("./").to_string();
            out.add(rel, entry).map_err(unreadable)?;
        }
        out.evidence.sort();
        Ok(out)
    }
}

/// Writes `package` as a deterministic `.tar.gz` at `bundle`, atomically (a temporary
/// file beside it, renamed into place). `mtime` is the assessment time in seconds.
pub fn write(package: &Path, bundle: &Path, mtime: u64) -> Result<()> {
    let parent = bundle.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".dossier-bundle-")
        .tempfile_in(parent)
        .map_err(|e| Error::io("create a temporary file in", parent, e))?;
    let gz = flate2::GzBuilder::new().mtime(0).write(std::io::BufWriter::new(tmp.as_file()), Compression::default());
    let mut tar = tar::Builder::new(gz);
    for entry in walkdir::WalkDir::new(package).sort_by_file_name().min_depth(1) {
        let entry = entry.map_err(|e| Error::package(package, format!("could not read the package: {e}")))?;
        let rel = entry.path().strip_prefix(package).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
        let mut header = Header::new_gnu();
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        let io = |e: std::io::Error| Error::io("write bundle", bundle, e);
        if entry.file_type().is_dir() {
            header.set_entry_type(EntryType::Directory);
            header.set_mode(0o755);
            header.set_size(0);
            tar.append_data(&mut header, format!("{rel}/"), std::io::empty()).map_err(io)?;
        } else if entry.file_type().is_file() {
            let file = fs::File::open(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
            let len = file.metadata().map_err(|e| Error::io("read", entry.path(), e))?.len();
            header.set_entry_type(EntryType::Regular);
            header.set_mode(0o644);
            header.set_size(len);
            tar.append_data(&mut header, &rel, file.take(len)).map_err(io)?;
        }
    }
    let gz = tar.into_inner().map_err(|e| Error::io("write bundle", bundle, e))?;
    let mut writer = gz.finish().map_err(|e| Error::io("write bundle", bundle, e))?;
    writer.flush().map_err(|e| Error::io("write bundle", bundle, e))?;
    drop(writer);
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io("write bundle", bundle, e))?;
    }
    tmp.persist(bundle).map_err(|e| Error::io("write bundle", bundle, e.error))?;
    Ok(())
}

/// Whether `path` names a bundle rather than a package directory.
pub fn is_bundle(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive_with(path: &str, kind: EntryType) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let gz = flate2::write::GzEncoder::new(file.reopen().unwrap(), Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut header = Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(if kind == EntryType::Regular { 2 } else { 0 });
        header.set_mode(0o644);
        if kind == EntryType::Symlink {
            header.set_link_name("/etc/passwd").unwrap();
        }
        // Bypass the tar crate's own path checks to write what an attacker would.
        let name = path.as_bytes();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_cksum();
        tar.append(&header, &b"hi"[..(header.size().unwrap() as usize)]).unwrap();
        tar.into_inner().unwrap().finish().unwrap();
        file
    }

    #[test]
    fn entries_that_would_escape_or_link_are_refused() {
        for (path, kind) in [
            ("../outside.txt", EntryType::Regular),
            ("/etc/cron.d/x", EntryType::Regular),
            ("evidence/a/../../../x", EntryType::Regular),
            ("evidence/link", EntryType::Symlink),
            ("evidence/hard", EntryType::Link),
        ] {
            let bundle = archive_with(path, kind);
            let read = PackageFiles::from_bundle(bundle.path(), &[]).unwrap();
            assert_eq!(read.rejected.len(), 1, "{path} was not refused");
            assert!(read.files.is_empty() && read.evidence.is_empty());
        }
        let ok = archive_with("evidence/fine.txt", EntryType::Regular);
        let read = PackageFiles::from_bundle(ok.path(), &[]).unwrap();
        assert!(read.rejected.is_empty());
        assert_eq!(read.evidence[0].path, "fine.txt");
    }
}
