//! Collection: walk the evidence root, hash every regular file, record everything else.
//!
//! The walk is sequential; hashing runs in parallel (rayon), each worker
//! streaming through its own fixed buffer, so memory stays bounded whatever the file
//! sizes. Symbolic links are recorded and never followed (so a link loop cannot trap
//! the walk). Anything that cannot be collected (an unreadable file, a non-UTF-8 name,
//! a FIFO, a file that changes while it is hashed) becomes a finding and the run goes on.
//!
//! Hidden entries (names starting with `.`) are skipped unless `include_hidden` is set;
//! the gitignore-style `ignore` patterns are matched against root-relative paths, and an
//! ignored directory is not descended into.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use ignore::gitignore::Gitignore;
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::classify::{Classifier, Facts};
use crate::digest::{self, Hashed};
use crate::error::{Error, Result};
use crate::findings::{Code, Finding};
use crate::inspect::HEAD_LIMIT;
use crate::manifest::{ArtifactEntry, SkippedEntry, SymlinkEntry};

/// What to collect and how.
pub struct CollectOptions<'a> {
    /// The evidence root.
    pub root: PathBuf,
    /// Collect names starting with `.`.
    pub include_hidden: bool,
    /// Matcher built from the config's ignore patterns.
    pub ignore: Gitignore,
    /// When set, each file is copied here (same relative path) while it is hashed.
    pub copy_to: Option<PathBuf>,
    /// Progress sink.
    pub progress: &'a dyn Progress,
    /// When set, each file is classified from its first bytes while it is hashed.
    pub classifier: Option<&'a Classifier>,
}

/// Receives progress while files are hashed.
pub trait Progress: Sync {
    /// Whether this sink shows byte totals. Sizing every file costs one `lstat` per file
    /// during the walk, so it is only done for a sink that will show the result.
    fn wants_sizes(&self) -> bool {
        false
    }
    /// The walk is done: `files` files will be hashed, totalling `bytes` bytes when
    /// [`Progress::wants_sizes`] asked for sizes.
    fn start_hashing(&self, files: u64, bytes: Option<u64>);
    /// `bytes` more bytes were hashed.
    fn hashed_bytes(&self, bytes: u64);
    /// Hashing is done.
    fn finish(&self);
}

/// Everything the walk found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Hashed regular files, sorted by path.
    pub artifacts: Vec<ArtifactEntry>,
    /// Symbolic links, sorted by path.
    pub symlinks: Vec<SymlinkEntry>,
    /// Paths met but not collected, sorted by path.
    pub skipped: Vec<SkippedEntry>,
    /// Findings about the evidence, sorted by path then code.
    pub findings: Vec<Finding>,
    /// Entries left out because they are hidden or match an ignore pattern.
    pub ignored: u64,
    /// Classification of each artifact by path (only when a classifier was given).
    pub facts: BTreeMap<String, Facts>,
}

impl Evidence {
    /// Sum of artifact sizes.
    pub fn total_bytes(&self) -> u64 {
        self.artifacts.iter().map(|a| a.size).sum()
    }
}

/// A regular file found by the walk, waiting to be hashed.
struct Pending {
    rel: String,
    abs: PathBuf,
    size_hint: u64,
}

enum Hashing {
    Done(ArtifactEntry, Option<Facts>),
    Skipped(Code, String),
}

/// Walks and hashes the evidence root.
pub fn collect(options: &CollectOptions<'_>) -> Result<Evidence> {
    let root = &options.root;
    let meta = fs::metadata(root).map_err(|e| Error::io("read the evidence root", root, e))?;
    if !meta.is_dir() {
        return Err(Error::input(format!("evidence root {} is not a directory", root.display())));
    }
    let canonical_root = fs::canonicalize(root).map_err(|e| Error::io("resolve", root, e))?;

    let mut evidence = Evidence::default();
    let mut pending = Vec::new();
    walk(options, &canonical_root, &mut evidence, &mut pending);

    let total = options.progress.wants_sizes().then(|| pending.iter().map(|p| p.size_hint).sum());
    options.progress.start_hashing(pending.len() as u64, total);
    let results: Vec<(String, Hashing)> = pending
        .par_iter()
        .map_init(|| vec![0u8; digest::BUFFER_SIZE], |buf, file| (file.rel.clone(), hash_file(file, buf, options)))
        .collect();
    options.progress.finish();

    for (rel, outcome) in results {
        match outcome {
            Hashing::Done(entry, facts) => {
                if let Some(facts) = facts {
                    evidence.facts.insert(entry.path.clone(), facts);
                }
                if entry.size == 0 {
                    evidence.findings.push(Finding::at(Code::EmptyArtifact, &rel, "file is empty (0 bytes)"));
                }
                evidence.artifacts.push(entry);
            }
            Hashing::Skipped(code, message) => skip(&mut evidence, code, rel, message),
        }
    }
    evidence.artifacts.sort();
    evidence.symlinks.sort_by(|a, b| a.path.cmp(&b.path));
    evidence.skipped.sort();
    evidence.findings.sort_by(|a, b| (&a.path, a.code).cmp(&(&b.path, b.code)));
    Ok(evidence)
}

fn skip(evidence: &mut Evidence, code: Code, rel: String, message: String) {
    evidence.findings.push(Finding::at(code, rel.clone(), message));
    evidence.skipped.push(SkippedEntry { path: rel, reason: code });
}

fn walk(options: &CollectOptions<'_>, canonical_root: &Path, evidence: &mut Evidence, pending: &mut Vec<Pending>) {
    let root = &options.root;
    // No per-directory sort here: every list is sorted by path once at the end, which
    // is the order that matters (and cheaper than sorting each directory by file name).
    let mut entries = WalkDir::new(root).follow_links(false).into_iter();
    while let Some(next) = entries.next() {
        let entry = match next {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err.path().map(|p| lossy_relative(root, p)).unwrap_or_else(|| ".".into());
                let why = err.io_error().map_or_else(|| err.to_string(), ToString::to_string);
                skip(evidence, Code::Unreadable, rel, format!("could not read: {why}"));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let file_type = entry.file_type();
        let Some(rel) = utf8_relative(root, entry.path()) else {
            let rel = lossy_relative(root, entry.path());
            let what = if file_type.is_dir() { "directory (and everything below it)" } else { "file" };
            skip(evidence, Code::NonUtf8Path, rel, format!("name is not valid UTF-8; rename the {what} to collect it"));
            if file_type.is_dir() {
                entries.skip_current_dir();
            }
            continue;
        };
        let hidden = entry.file_name().as_encoded_bytes().first() == Some(&b'.');
        let ignored = (hidden && !options.include_hidden)
            || options.ignore.matched(Path::new(&rel), file_type.is_dir()).is_ignore();
        if ignored {
            evidence.ignored += 1;
            if file_type.is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        if file_type.is_dir() {
            continue;
        }
        if file_type.is_symlink() {
            record_symlink(entry.path(), rel, canonical_root, evidence);
        } else if file_type.is_file() {
            let size_hint =
                if options.progress.wants_sizes() { entry.metadata().map(|m| m.len()).unwrap_or(0) } else { 0 };
            pending.push(Pending { rel, abs: entry.into_path(), size_hint });
        } else {
            skip(evidence, Code::SpecialFile, rel, "not a regular file (device, socket or FIFO); skipped".into());
        }
    }
}

fn record_symlink(abs: &Path, rel: String, canonical_root: &Path, evidence: &mut Evidence) {
    let target = match fs::read_link(abs) {
        Ok(t) => t,
        Err(e) => {
            skip(evidence, Code::Unreadable, rel, format!("could not read symbolic link: {e}"));
            return;
        }
    };
    let target_text = target.to_string_lossy().into_owned();
    let outside_root = link_leaves_root(&rel, &target, canonical_root);
    if outside_root {
        evidence.findings.push(Finding::at(
            Code::SymlinkOutsideRoot,
            &rel,
            format!("symbolic link points outside the evidence root (to {target_text:?}); its target is not collected"),
        ));
    } else if let Err(e) = fs::metadata(abs) {
        let why = if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            "it is part of a symbolic link loop".to_string()
        } else {
            format!("its target {target_text:?} cannot be reached ({e})")
        };
        evidence.findings.push(Finding::at(Code::SymlinkBroken, &rel, format!("broken symbolic link: {why}")));
    }
    evidence.symlinks.push(SymlinkEntry { path: rel, target: target_text, outside_root });
}

/// Whether a link at root-relative `rel` with `target` resolves (lexically) outside the root.
fn link_leaves_root(rel: &str, target: &Path, canonical_root: &Path) -> bool {
    if target.is_absolute() {
        return !target.starts_with(canonical_root);
    }
    // Depth of the directory holding the link, then walk the target's components.
    let mut depth: i64 = rel.matches('/').count() as i64;
    for component in target.components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return true,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

fn hash_file(file: &Pending, buf: &mut [u8], options: &CollectOptions<'_>) -> Hashing {
    // One retry: a file that changes twice in a row is reported, not recorded.
    match hash_once(file, buf, options) {
        Attempt::Changed => match hash_once(file, buf, options) {
            Attempt::Changed => Hashing::Skipped(
                Code::ChangedDuringCollection,
                "file changed while it was being hashed (twice); rerun when writers are done".into(),
            ),
            Attempt::Finished(outcome) => outcome,
        },
        Attempt::Finished(outcome) => outcome,
    }
}

enum Attempt {
    Finished(Hashing),
    Changed,
}

fn hash_once(file: &Pending, buf: &mut [u8], options: &CollectOptions<'_>) -> Attempt {
    let unreadable = |e: io::Error| {
        if e.kind() == io::ErrorKind::NotFound {
            Attempt::Finished(Hashing::Skipped(
                Code::VanishedDuringCollection,
                "file disappeared before it could be hashed".into(),
            ))
        } else {
            Attempt::Finished(Hashing::Skipped(Code::Unreadable, format!("could not read: {e}")))
        }
    };
    let handle = match open_no_follow(&file.abs) {
        Ok(f) => f,
        Err(e) => return unreadable(e),
    };
    let before = match handle.metadata() {
        Ok(m) => m,
        Err(e) => return unreadable(e),
    };
    if !before.is_file() {
        return Attempt::Finished(Hashing::Skipped(
            Code::SpecialFile,
            "no longer a regular file when opened; skipped".into(),
        ));
    }
    let mut copy = match &options.copy_to {
        Some(dir) => match create_copy(dir, &file.rel) {
            Ok(f) => Some(f),
            Err(e) => {
                return Attempt::Finished(Hashing::Skipped(
                    Code::Unreadable,
                    format!("could not copy into the package: {e}"),
                ));
            }
        },
        None => None,
    };
    // Read no more than the size seen at open: a file that keeps growing (a live log)
    // must not keep the hash loop chasing its end. Growth shows up in `changed` below.
    let progress = ProgressReader { inner: &handle, progress: options.progress };
    let bounded = io::Read::take(progress, before.len());
    // Classify from the first chunk as it passes through the hashing buffer. A regular
    // file's first read fills the buffer, so the head is complete when the file fits.
    let mut facts = None;
    let mut classify = |head: &[u8]| {
        facts = options.classifier.map(|c| c.classify_head(&file.rel, head, head.len() as u64 >= before.len()));
    };
    let on_head = options.classifier.map(|_| (&mut classify as &mut dyn FnMut(&[u8]), HEAD_LIMIT));
    let copy = copy.as_mut().map(|f| f as &mut dyn io::Write);
    let hashed = match digest::hash_reader(bounded, buf, copy, on_head) {
        Ok(h) => h,
        Err(e) => return unreadable(e),
    };
    let after = match handle.metadata() {
        Ok(m) => m,
        Err(e) => return unreadable(e),
    };
    if changed(&before, &after, &hashed) {
        return Attempt::Changed;
    }
    let entry = ArtifactEntry { path: file.rel.clone(), sha256: hashed.digest, size: hashed.bytes };
    Attempt::Finished(Hashing::Done(entry, facts))
}

fn changed(before: &Metadata, after: &Metadata, hashed: &Hashed) -> bool {
    let mtime = |m: &Metadata| m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    before.len() != after.len() || hashed.bytes != after.len() || mtime(before) != mtime(after)
}

fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        // Refuse a symlink swapped in after the walk, and never block on a FIFO.
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(path)
}

fn create_copy(dir: &Path, rel: &str) -> io::Result<File> {
    let dest = dir.join(rel);
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent)?;
    }
    File::create(dest)
}

struct ProgressReader<'a> {
    inner: &'a File,
    progress: &'a dyn Progress,
}

impl io::Read for ProgressReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = io::Read::read(&mut self.inner, buf)?;
        self.progress.hashed_bytes(n as u64);
        Ok(n)
    }
}

/// `path` relative to `root`, `/`-separated, if it is UTF-8. Walk paths are `root`
/// joined with plain names, so on Unix the remainder already uses `/`.
fn utf8_relative(root: &Path, path: &Path) -> Option<String> {
    path.strip_prefix(root).ok()?.to_str().map(str::to_owned)
}

/// `path` relative to `root`, with invalid UTF-8 replaced, for messages.
fn lossy_relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_link_escape() {
        let root = Path::new("/ev");
        assert!(!link_leaves_root("a/link", Path::new("../b.txt"), root));
        assert!(link_leaves_root("a/link", Path::new("../../b.txt"), root));
        assert!(link_leaves_root("link", Path::new("../x"), root));
        assert!(!link_leaves_root("link", Path::new("./x/../y"), root));
        assert!(link_leaves_root("link", Path::new("x/../../y"), root));
        assert!(link_leaves_root("link", Path::new("/etc/passwd"), root));
        assert!(!link_leaves_root("link", Path::new("/ev/inside"), root));
    }
}
