//! Writing a package atomically, and refusing to write where it would do harm.
//!
//! A package is built in a hidden staging directory next to its final place, then swapped
//! in with one `rename` (on Linux, `renameat2(RENAME_EXCHANGE)` swaps old and new in one
//! step), so an interrupted run leaves the previous package whole. Before anything is
//! written, the output path is checked: it must not lie inside the evidence root, must not
//! contain the evidence root, must not be a file, and must not be a directory that holds
//! something other than a previous dossier package.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::manifest::{MANIFEST_FILE, OutputEntry};
use crate::diag::{Error, Result};
use crate::digest::{HashingWriter, Sha256Digest};

/// A package being written.
pub struct Staging {
    dir: TempDir,
    target: PathBuf,
    outputs: Vec<OutputEntry>,
}

impl Staging {
    /// Checks `target` against `evidence_root` and prepares a staging directory beside it.
    pub fn prepare(target: &Path, evidence_root: &Path) -> Result<Self> {
        Self::prepare_for(
            target,
            &[("the evidence root", evidence_root, "the evidence")],
            MANIFEST_FILE,
            "dossier package",
        )
    }

    /// Checks `target` against directories it must neither be inside of nor contain
    /// (`protected`: what it is, its path, and what writing there would harm), and prepares a staging directory beside
    /// it. An existing `target` is replaced only when it is empty or holds `marker` (the
    /// file that shows it is an earlier output of the same kind, named `kind`).
    pub fn prepare_for(target: &Path, protected: &[(&str, &Path, &str)], marker: &str, kind: &str) -> Result<Self> {
        let target_abs = absolute_lexical(target)?;
        // Compare and write with the existing part of the path resolved, so `a/../b` and
        // symlinked parents cannot hide where the output really goes.
        let resolved = resolve_existing_prefix(&target_abs)?;
        let target_abs = resolved.clone();
        for (what, root, harmed) in protected {
            let root_abs = fs::canonicalize(root).map_err(|e| Error::io("resolve", root, e))?;
            if resolved.starts_with(&root_abs) {
                return Err(Error::output(
                    target,
                    format!(
                        "is inside {what} {}; dossier never writes into {harmed}. Pass -o with a path outside it",
                        root.display()
                    ),
                ));
            }
            if root_abs.starts_with(&resolved) {
                return Err(Error::output(
                    target,
                    format!(
                        "contains {what} {}; replacing it would destroy {harmed}. Pass -o with another path",
                        root.display()
                    ),
                ));
            }
        }
        match fs::symlink_metadata(target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::output(target, "is a symbolic link; pass the real directory path with -o"));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(Error::output(target, "is a file, not a directory; pass -o with a directory path"));
            }
            Ok(_) => {
                let empty = fs::read_dir(target).map_err(|e| Error::io("read", target, e))?.next().is_none();
                if !empty && !target.join(marker).is_file() {
                    return Err(Error::output(
                        target,
                        format!(
                            "already exists and is not a {kind} (no {marker}); refusing to replace it. Pass -o with a new or empty directory"
                        ),
                    ));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("inspect the output", target, e)),
        }
        let parent = target_abs.parent().unwrap_or(Path::new("/")).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io("create directory", &parent, e))?;
        let name = target_abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "package".into());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.tmp-"))
            .tempdir_in(&parent)
            .map_err(|e| Error::io("create a staging directory in", &parent, e))?;
        Ok(Staging { dir, target: target_abs, outputs: Vec::new() })
    }

    /// The staging directory (the package-to-be).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The final package directory.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes a package file at package-relative `rel` and records it as an output.
    pub fn write_output(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_raw(rel, bytes)?;
        self.outputs.push(OutputEntry {
            path: rel.to_string(),
            size: bytes.len() as u64,
            sha256: Sha256Digest::of(bytes),
        });
        Ok(())
    }

    /// Streams a package file at package-relative `rel` through `write`, hashing as it is
    /// written, and records it as an output. Large outputs never exist whole in memory.
    pub fn stream_output(&mut self, rel: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        let entry = self.stream(rel, write)?;
        self.record(entry);
        Ok(())
    }

    /// Streams a package file like [`Staging::stream_output`] but only returns its entry,
    /// for [`Staging::record`] later; takes `&self`, so several files can be written at
    /// once from different threads.
    pub fn stream(&self, rel: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<OutputEntry> {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        }
        let file = fs::File::create(&path).map_err(|e| Error::io("create", &path, e))?;
        let mut out = io::BufWriter::with_capacity(256 * 1024, HashingWriter::new(file));
        write(&mut out).map_err(|e| Error::io("write", &path, e))?;
        let (_, hashed) = out
            .into_inner()
            .map_err(|e| Error::io("write", &path, e.into_error()))?
            .finish()
            .map_err(|e| Error::io("write", &path, e))?;
        Ok(OutputEntry { path: rel.to_string(), size: hashed.bytes, sha256: hashed.digest })
    }

    /// Records a file written with [`Staging::stream`] as an output.
    pub fn record(&mut self, entry: OutputEntry) {
        self.outputs.push(entry);
    }

    /// Streams `value` as pretty-printed JSON with a final newline into the package file
    /// `rel`, recorded as an output.
    pub fn write_json_output(&mut self, rel: &str, value: &impl serde::Serialize) -> Result<()> {
        let entry = self.stream_json(rel, value)?;
        self.record(entry);
        Ok(())
    }

    /// [`Staging::write_json_output`] without recording (see [`Staging::stream`]).
    pub fn stream_json(&self, rel: &str, value: &impl serde::Serialize) -> Result<OutputEntry> {
        self.stream(rel, |out| {
            serde_json::to_writer_pretty(&mut *out, value)?;
            out.write_all(b"\n")
        })
    }

    /// Writes a package file that is not listed among the outputs (the manifest itself).
    pub fn write_raw(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        }
        let mut file = fs::File::create(&path).map_err(|e| Error::io("create", &path, e))?;
        file.write_all(bytes).map_err(|e| Error::io("write", &path, e))?;
        Ok(())
    }

    /// The outputs written so far, sorted by path.
    pub fn outputs(&self) -> Vec<OutputEntry> {
        let mut outputs = self.outputs.clone();
        outputs.sort();
        outputs
    }

    /// Moves the staged package into place, replacing a previous package in one step.
    pub fn commit(self) -> Result<PathBuf> {
        let staged = self.dir.keep();
        let target = self.target;
        if fs::symlink_metadata(&target).is_ok() {
            match rustix::fs::renameat_with(
                rustix::fs::CWD,
                &staged,
                rustix::fs::CWD,
                &target,
                rustix::fs::RenameFlags::EXCHANGE,
            ) {
                Ok(()) => {}
                // Filesystems without RENAME_EXCHANGE: move the old package aside first.
                Err(_) => {
                    let aside = staged.with_extension("old");
                    fs::rename(&target, &aside).map_err(|e| Error::io("move aside", &target, e))?;
                    fs::rename(&staged, &target).map_err(|e| Error::io("move into place", &staged, e))?;
                    fs::rename(&aside, &staged).map_err(|e| Error::io("move", &aside, e))?;
                }
            }
            // `staged` now holds the previous package.
            fs::remove_dir_all(&staged).map_err(|e| Error::io("remove the previous package at", &staged, e))?;
        } else {
            fs::rename(&staged, &target).map_err(|e| Error::io("move into place", &target, e))?;
        }
        Ok(target)
    }
}

/// `path` made absolute against the current directory, without touching the filesystem.
fn absolute_lexical(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io("resolve", path, e))
}

/// Canonicalizes the longest existing ancestor of `path` and appends the rest, so paths
/// that do not exist yet still compare correctly against canonical ones.
fn resolve_existing_prefix(path: &Path) -> Result<PathBuf> {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(&existing) {
            Ok(canonical) => {
                let mut out = canonical;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => return Ok(path.to_path_buf()),
            },
        }
    }
}

/// The path from directory `from` to `to`, when both resolve; `/`-separated.
pub fn relative_path(from: &Path, to: &Path) -> Option<String> {
    let from = fs::canonicalize(from).ok()?;
    let to = fs::canonicalize(to).ok()?;
    let from_parts: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_parts.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from_parts.len() - common];
    for part in &to_parts[common..] {
        parts.push(part.as_os_str().to_str()?.to_string());
    }
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}
