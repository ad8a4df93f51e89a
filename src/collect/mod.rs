//! Collection: walk the evidence root, hash every regular file, and read what it says
//! from the same bytes.
//!
//! The walk is sequential; hashing runs in parallel (rayon), each worker streaming
//! through its own fixed buffer, so memory stays bounded whatever the file sizes. As a
//! file's bytes pass through the hash, its first chunk is classified ([`classify`]) and,
//! for the kinds dossier reads, fed to a reader ([`Interpret`]), so what a document says
//! is read from exactly the bytes the manifest vouches for. Symbolic links are recorded
//! and never followed (so a link loop cannot trap the walk). Anything that cannot be
//! collected (an unreadable file, a non-UTF-8 name, a FIFO, a file that changes while it
//! is hashed) becomes a finding and the run goes on.
//!
//! Hidden entries (names starting with `.`) are skipped unless `include_hidden` is set;
//! the gitignore-style `ignore` patterns are matched against root-relative paths, and an
//! ignored directory is not descended into.

pub mod cache;
pub mod classify;
pub mod inspect;
pub mod sidecar;
pub mod store;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

use crate::diag::{Error, Problem, Result};
use crate::digest::{self, Hashed, Sha256Digest};
use crate::model::document::Document;
use crate::model::evidence::{Artifact, Facts, Reason, SkippedEntry, SymlinkEntry};
use crate::model::finding::{Code, Finding};
use classify::Classifier;
use inspect::{ContentDate, HEAD_LIMIT, Inspection};
use sidecar::SIDECAR_SUFFIX;

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
    /// When set, the files it has a reader for are read while they are hashed.
    pub interpret: Option<&'a dyn Interpret>,
    /// When set, files unchanged since the run that made the cache are taken from it
    /// instead of being hashed and read, and every file read is recorded in it.
    pub cache: Option<&'a cache::DigestCache>,
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
    /// So far, `files` of the files to hash had an unchanged entry in the digest cache:
    /// their digests come from there (their bytes were counted as hashed). Called as the
    /// count grows, and once more when hashing is done.
    fn cache_hits(&self, _files: u64) {}
    /// A later phase of the run begins (`assessing`, `writing`, `PDF report`...); the
    /// one before it, if any, is over.
    fn phase(&self, _name: &'static str) {}
    /// The last phase is over.
    fn done(&self) {}
    /// So far `met` objects were met under the object-store roots, `read` of them pinned
    /// and read (or taken at the store's checksum). Called as the counts grow.
    fn objects(&self, _met: u64, _read: u64) {}
}

/// A progress sink that shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn start_hashing(&self, _: u64, _: Option<u64>) {}
    fn hashed_bytes(&self, _: u64) {}
    fn finish(&self) {}
}

/// Turns a file's bytes, as they are hashed, into what the file says.
pub trait Interpret: Sync {
    /// A reader for the file at `path`, classified as `facts`, of `size` bytes (as seen
    /// when it was opened), given what its first bytes showed (`head`, absent when a file
    /// is read again); none when nothing is read from such a file.
    fn reader(&self, path: &str, facts: &Facts, head: Option<&Inspection>, size: u64)
    -> Option<Box<dyn ContentReader>>;

    /// Whether the file at `path` must be read before the others: a record of other
    /// files' digests (a DVC file), whose named files then get an MD5 as they are hashed.
    fn reads_first(&self, _path: &str) -> bool {
        false
    }
}

/// Reads one file as its bytes stream past.
pub trait ContentReader: Send {
    /// The next bytes of the file.
    fn feed(&mut self, chunk: &[u8]);
    /// The file is done.
    fn finish(self: Box<Self>) -> Reading;
    /// Whether the reader needs the file itself once its bytes have passed (a format
    /// that keeps its index at the end, as Parquet does). Collection then hands it the
    /// open file and hashes the file again afterwards, to be sure it read the bytes that
    /// were hashed.
    fn needs_file(&self) -> bool {
        false
    }
    /// The file is done, and here it is, open (see [`ContentReader::needs_file`]).
    fn finish_with_file(self: Box<Self>, _file: &File) -> Reading {
        self.finish()
    }
}

/// What a reader made of a file.
#[derive(Debug, Default)]
pub struct Reading {
    /// What the file says, when it could be read as its kind.
    pub document: Option<Box<Document>>,
    /// Problems with the file's content (malformed, incomplete).
    pub findings: Vec<Finding>,
    /// The file's bytes, when the run asked to keep them (policy inputs).
    pub kept: Option<Vec<u8>>,
    /// The reader that read it (a format id).
    pub format: Option<String>,
    /// The evidence type the format implies, for a file no path rule classified.
    pub implied_type: Option<String>,
    /// The date the content states, where the reader knows the format keeps it.
    pub date: Option<ContentDate>,
}

impl Reading {
    /// Records in `facts` what reading found: the reader; the type its format implies,
    /// when no rule had classified the file; the date, when the head showed none.
    pub fn apply_to(&self, facts: &mut Facts) {
        facts.format.clone_from(&self.format);
        if facts.evidence_type.is_none()
            && matches!(facts.reason, Reason::Unmatched)
            && let Some(t) = &self.implied_type
        {
            facts.evidence_type = Some(t.clone());
            facts.reason = Reason::Format;
        }
        if facts.date.is_none()
            && let Some(d) = &self.date
        {
            facts.date = Some(d.date);
            facts.date_source = Some(d.source.clone());
        }
    }
}

/// Everything the walk found.
#[derive(Debug, Default)]
pub struct Evidence {
    /// Hashed regular files, sorted by path, each with its classification (unmatched when
    /// no classifier was given) and what it says.
    pub artifacts: Vec<Artifact>,
    /// Symbolic links, sorted by path.
    pub symlinks: Vec<SymlinkEntry>,
    /// Paths met but not collected, sorted by path.
    pub skipped: Vec<SkippedEntry>,
    /// Findings about the evidence, sorted by path then code.
    pub findings: Vec<Finding>,
    /// Entries left out because they are hidden or match an ignore pattern.
    pub ignored: u64,
    /// The bytes of the files the run asked to keep, by path, exactly as hashed.
    pub kept: BTreeMap<String, Vec<u8>>,
    /// How many files were taken from the digest cache rather than hashed; none when the
    /// run used no cache.
    pub from_cache: Option<u64>,
    /// What the run should tell the user about the cache (one line each).
    pub notes: Vec<String>,
    /// The object-store roots read, with their buckets' settings.
    pub stores: Vec<crate::model::evidence::StoreInfo>,
}

impl Evidence {
    /// Sum of artifact sizes.
    pub fn total_bytes(&self) -> u64 {
        self.artifacts.iter().map(|a| a.size).sum()
    }
}

/// One gitignore-style pattern, checked when the config is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IgnorePattern(String);

impl IgnorePattern {
    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IgnorePattern {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<Self, String> {
        if text.trim().is_empty() {
            return Err("an ignore pattern must not be empty".into());
        }
        GitignoreBuilder::new("").add_line(None, &text).map_err(|e| format!("invalid ignore pattern {text:?}: {e}"))?;
        Ok(IgnorePattern(text))
    }
}

impl From<IgnorePattern> for String {
    fn from(p: IgnorePattern) -> String {
        p.0
    }
}

/// Builds the matcher for a set of ignore patterns, rooted at `root`.
pub fn ignore_matcher(root: &Path, patterns: &[IgnorePattern]) -> Result<Gitignore> {
    let mut builder = GitignoreBuilder::new(root);
    for p in patterns {
        builder.add_line(None, p.as_str()).map_err(|e| {
            Error::invalid(Problem::new(format!("invalid ignore pattern {:?}: {e}", p.as_str())).key("evidence.ignore"))
        })?;
    }
    builder
        .build()
        .map_err(|e| Error::invalid(Problem::new(format!("the ignore rules do not build: {e}")).key("evidence.ignore")))
}

/// A regular file found by the walk, waiting to be hashed.
struct Pending {
    rel: String,
    size_hint: u64,
    /// For a sidecar (`FILE.dossier.yaml` next to `FILE`): the file it describes.
    sidecar_of: Option<String>,
    /// Work out its MD5 too: a DVC record names it.
    md5: bool,
}

/// A file as collection keeps it until the walk is done: its artifact, the findings
/// reading it made, and its bytes when the run keeps them.
struct Collected {
    artifact: Artifact,
    findings: Vec<Finding>,
    kept: Option<Vec<u8>>,
}

/// What became of one file.
enum Outcome {
    Done(Box<Collected>),
    Skipped(String, Code, String),
}

enum Hashing {
    /// The artifact and what was read from it (boxed: most of a walk is done files).
    Done(Box<(Artifact, Reading)>),
    Skipped(Code, String),
}

/// Walks and hashes the evidence root.
pub fn collect(options: &CollectOptions<'_>) -> Result<Evidence> {
    let root = &options.root;
    let meta = fs::metadata(root).map_err(|e| Error::io("read the evidence root", root, e))?;
    if !meta.is_dir() {
        return Err(Error::EvidenceRoot { path: root.clone(), reason: "is not a directory".into() });
    }
    let canonical_root = fs::canonicalize(root).map_err(|e| Error::io("resolve", root, e))?;

    let mut evidence = Evidence::default();
    let mut pending = Vec::new();
    walk(options, &canonical_root, &mut evidence, &mut pending);
    if options.classifier.is_some() {
        let paths: BTreeSet<&str> = pending.iter().map(|p| p.rel.as_str()).collect();
        let sidecars: Vec<(usize, String)> = pending
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let of = p.rel.strip_suffix(SIDECAR_SUFFIX)?;
                paths.contains(of).then(|| (i, of.to_string()))
            })
            .collect();
        for (i, of) in sidecars {
            pending[i].sidecar_of = Some(of);
        }
    }

    let total = options.progress.wants_sizes().then(|| pending.iter().map(|p| p.size_hint).sum());
    options.progress.start_hashing(pending.len() as u64, total);
    // Records of other files' digests (DVC files) go first, so the files they name can
    // get an MD5 as they are hashed, in the one pass.
    let (first, mut rest): (Vec<Pending>, Vec<Pending>) =
        pending.into_iter().partition(|p| options.interpret.is_some_and(|i| i.reads_first(&p.rel)));
    let hash_all = |files: &[Pending]| -> Vec<Outcome> {
        files
            .par_iter()
            .map_init(
                || vec![0u8; digest::BUFFER_SIZE],
                |buf, file| match hash_file(&canonical_root, file, buf, options) {
                    Hashing::Done(done) => {
                        let (artifact, reading) = *done;
                        Outcome::Done(Box::new(Collected { artifact, findings: reading.findings, kept: reading.kept }))
                    }
                    Hashing::Skipped(code, message) => Outcome::Skipped(file.rel.clone(), code, message),
                },
            )
            .collect()
    };
    let mut results = hash_all(&first);
    let named: BTreeSet<&str> = results
        .iter()
        .filter_map(|h| match h {
            Outcome::Done(done) => match done.artifact.document() {
                Some(Document::DataVersion(v)) => Some(v.outs.iter().filter_map(|o| o.file.as_deref())),
                _ => None,
            },
            Outcome::Skipped(..) => None,
        })
        .flatten()
        .collect();
    for p in &mut rest {
        p.md5 = named.contains(p.rel.as_str());
    }
    results.extend(hash_all(&rest));
    if let Some(cache) = options.cache {
        options.progress.cache_hits(cache.hits());
    }
    options.progress.finish();

    drop(rest);
    evidence.artifacts.reserve_exact(results.len());
    for outcome in results {
        match outcome {
            Outcome::Done(done) => {
                let Collected { artifact, findings, kept } = *done;
                if artifact.size == 0 {
                    evidence.findings.push(Finding::at(Code::EmptyArtifact, &artifact.path, "file is empty (0 bytes)"));
                }
                evidence.findings.extend(findings);
                if let Some(bytes) = kept {
                    evidence.kept.insert(artifact.path.clone(), bytes);
                }
                evidence.artifacts.push(artifact);
            }
            Outcome::Skipped(rel, code, message) => skip(&mut evidence, code, rel, message),
        }
    }
    // Paths are unique, so an unstable sort gives the one order, in place: a stable sort
    // would borrow a buffer half the size of every artifact together.
    evidence.artifacts.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    evidence.symlinks.sort_by(|a, b| a.path.cmp(&b.path));
    evidence.skipped.sort();
    evidence.findings.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    Ok(evidence)
}

/// Applies the sidecars among the collected files (see [`sidecar`]) and reads again, as
/// its new type, every file a sidecar retyped. A file that changed since it was hashed
/// stops the run (see [`reread`]).
pub fn apply_sidecars(
    evidence: &mut Evidence,
    root: &Path,
    classifier: &Classifier,
    interpret: &dyn Interpret,
) -> Result<()> {
    let applied = sidecar::apply(&mut evidence.artifacts, classifier.taxonomy());
    evidence.findings.extend(applied.findings);
    for index in applied.retyped {
        let artifact = &mut evidence.artifacts[index];
        // What the file was read as before no longer applies.
        evidence
            .findings
            .retain(|f| f.path.as_deref() != Some(artifact.path.as_str()) || f.code == Code::EmptyArtifact);
        let reading = reread(root, artifact, interpret)?;
        // The reader of its new type replaces the one of its old type.
        reading.apply_to(&mut artifact.facts);
        artifact.document = reading.document;
        evidence.findings.extend(reading.findings);
        if let Some(bytes) = reading.kept {
            evidence.kept.insert(artifact.path.clone(), bytes);
        }
    }
    evidence.findings.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    Ok(())
}

/// Collects one file as a build would (classified and read from the bytes it hashes), for
/// `dossier explain`. `rel` is its path relative to `root`.
pub fn collect_one(
    root: &Path,
    rel: &str,
    classifier: &Classifier,
    interpret: &dyn Interpret,
    sidecar_of: Option<String>,
) -> Result<(Artifact, Reading)> {
    let file = Pending { rel: rel.to_string(), size_hint: 0, sidecar_of, md5: false };
    let options = CollectOptions {
        root: root.to_path_buf(),
        include_hidden: true,
        ignore: Gitignore::empty(),
        copy_to: None,
        progress: &Silent,
        classifier: Some(classifier),
        interpret: Some(interpret),
        cache: None,
    };
    let mut buf = vec![0u8; digest::BUFFER_SIZE];
    match hash_file(root, &file, &mut buf, &options) {
        Hashing::Done(done) => Ok(*done),
        Hashing::Skipped(code, message) => {
            Err(Error::io("read", root.join(rel), io::Error::other(format!("{message} ({})", code.id()))))
        }
    }
}

/// Reads a collected file again, as its (new) facts say, hashing the bytes as they pass:
/// when they are not the bytes the manifest records, the file changed while the package
/// was being built, and the run stops (an integrity failure).
pub fn reread(root: &Path, artifact: &Artifact, interpret: &dyn Interpret) -> Result<Reading> {
    let Some(mut reader) = interpret.reader(&artifact.path, &artifact.facts, None, artifact.size) else {
        return Ok(Reading::default());
    };
    let path = root.join(&artifact.path);
    test_hook_before_reread();
    let handle = open_no_follow(&path).map_err(|e| Error::io("read", &path, e))?;
    let mut buf = vec![0u8; digest::BUFFER_SIZE];
    let hashed = digest::hash_reader(&handle, &mut buf, &mut |chunk: &[u8]| {
        reader.feed(chunk);
        Ok(())
    })
    .map_err(|e| Error::io("read", &path, e))?;
    if hashed.digest != artifact.sha256 || hashed.bytes != artifact.size {
        return Err(changed_while_building(&artifact.path, artifact.sha256, hashed.digest));
    }
    if reader.needs_file() {
        let reading = reader.finish_with_file(&handle);
        let again = rehash(&handle, &mut buf).map_err(|e| Error::io("read", &path, e))?;
        if again.digest != artifact.sha256 {
            return Err(changed_while_building(&artifact.path, artifact.sha256, again.digest));
        }
        return Ok(reading);
    }
    Ok(reader.finish())
}

/// Hashes an open file again from its start.
fn rehash(file: &File, buf: &mut [u8]) -> io::Result<Hashed> {
    use std::os::unix::fs::FileExt;
    struct At<'a>(&'a File, u64);
    impl io::Read for At<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.read_at(buf, self.1)?;
            self.1 += n as u64;
            Ok(n)
        }
    }
    digest::hash_reader(At(file, 0), buf, &mut |_: &[u8]| Ok(()))
}

/// The integrity error for evidence whose bytes changed between two reads of one build.
pub fn changed_while_building(path: &str, recorded: Sha256Digest, now: Sha256Digest) -> Error {
    Error::Integrity(format!(
        "{}: changed while the package was being built (hashed as {recorded}, read again as {now}); nothing was written. Rebuild when writers are done",
        crate::text::one_line(path)
    ))
}

/// A pause a test can hold a build in, between hashing a file and reading it again, to
/// change the file under it (`DOSSIER_TEST_PAUSE_BEFORE_REREAD=MARKER`: the build creates
/// MARKER and waits, at most 60 s, until it is removed). Not for use outside tests.
fn test_hook_before_reread() {
    let Some(marker) = std::env::var_os("DOSSIER_TEST_PAUSE_BEFORE_REREAD") else { return };
    let marker = PathBuf::from(marker);
    if fs::write(&marker, b"").is_err() {
        return;
    }
    for _ in 0..600 {
        if !marker.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
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
            pending.push(Pending { rel, size_hint, sidecar_of: None, md5: false });
        } else {
            skip(evidence, Code::SpecialFile, rel, "not a regular file (device, socket or FIFO); skipped".into());
        }
    }
}

fn hash_file(root: &Path, file: &Pending, buf: &mut [u8], options: &CollectOptions<'_>) -> Hashing {
    // Built when needed rather than kept per file: a walk of a million files holds them all.
    let abs = root.join(&file.rel);
    // Only a file the cache knows costs a metadata read here; most files of a tree of
    // small logs never enter it.
    if let Some(cache) = options.cache
        && cache.knows(&file.rel)
        && let Ok(meta) = fs::symlink_metadata(&abs)
        && meta.is_file()
        && let Some((artifact, findings)) = cache.lookup(&file.rel, &meta, file.md5, file.sidecar_of.as_deref())
    {
        options.progress.hashed_bytes(artifact.size);
        options.progress.cache_hits(cache.hits());
        return Hashing::Done(Box::new((artifact, Reading { findings, ..Reading::default() })));
    }
    // One retry: a file that changes twice in a row is reported, not recorded.
    hash_once(&abs, file, buf, options).or_else(|| hash_once(&abs, file, buf, options)).unwrap_or_else(|| {
        Hashing::Skipped(
            Code::ChangedDuringCollection,
            "file changed while it was being hashed (twice); rerun when writers are done".into(),
        )
    })
}

/// Hashes (and classifies, reads, copies) a file once; none when it changed meanwhile.
fn hash_once(abs: &Path, file: &Pending, buf: &mut [u8], options: &CollectOptions<'_>) -> Option<Hashing> {
    let unreadable = |e: io::Error| {
        if e.kind() == io::ErrorKind::NotFound {
            Some(Hashing::Skipped(Code::VanishedDuringCollection, "file disappeared before it could be hashed".into()))
        } else {
            Some(Hashing::Skipped(Code::Unreadable, format!("could not read: {e}")))
        }
    };
    let handle = match open_no_follow(abs) {
        Ok(f) => f,
        Err(e) => return unreadable(e),
    };
    let before = match handle.metadata() {
        Ok(m) => m,
        Err(e) => return unreadable(e),
    };
    if !before.is_file() {
        return Some(Hashing::Skipped(Code::SpecialFile, "no longer a regular file when opened; skipped".into()));
    }
    let mut copy = match &options.copy_to {
        Some(dir) => match create_copy(dir, &file.rel) {
            Ok(f) => Some(f),
            Err(e) => {
                return Some(Hashing::Skipped(Code::Unreadable, format!("could not copy into the package: {e}")));
            }
        },
        None => None,
    };
    // Read no more than the size seen at open: a file that keeps growing (a live log)
    // must not keep the hash loop chasing its end. Growth shows up in `changed` below.
    let size = before.len();
    let progress = ProgressReader { inner: &handle, progress: options.progress };
    let bounded = io::Read::take(progress, size);
    // The first chunk is classified as it passes through the hashing buffer (a regular
    // file's first read fills the buffer, so the head is complete when the file fits);
    // then every chunk goes to the reader the classification calls for.
    let mut facts: Option<Facts> = None;
    let mut reader: Option<Box<dyn ContentReader>> = None;
    let mut md5 = file.md5.then(Md5s::default);
    let mut first = true;
    let mut on_chunk = |chunk: &[u8]| -> io::Result<()> {
        if first {
            first = false;
            let (f, head) = classify(file, chunk, size, options).unzip();
            reader = options.interpret.zip(f.as_ref()).and_then(|(i, f)| i.reader(&file.rel, f, head.as_ref(), size));
            facts = f;
        }
        if let Some(r) = reader.as_mut() {
            r.feed(chunk);
        }
        if let Some(m) = md5.as_mut() {
            m.update(chunk);
        }
        if let Some(out) = copy.as_mut() {
            out.write_all(chunk)?;
        }
        Ok(())
    };
    let hashed = match digest::hash_reader(bounded, buf, &mut on_chunk) {
        Ok(h) => h,
        Err(e) => return unreadable(e),
    };
    if first {
        // An empty file: classified (and read) as empty.
        let (f, head) = classify(file, &[], 0, options).unzip();
        reader = options.interpret.zip(f.as_ref()).and_then(|(i, f)| i.reader(&file.rel, f, head.as_ref(), 0));
        facts = f;
    }
    let after = match handle.metadata() {
        Ok(m) => m,
        Err(e) => return unreadable(e),
    };
    if changed(&before, &after, &hashed) {
        return None;
    }
    let mut reading = match reader {
        Some(r) if r.needs_file() => {
            let reading = r.finish_with_file(&handle);
            // The reader read the file again: it must still be the bytes just hashed.
            match rehash(&handle, buf) {
                Ok(again) if again.digest == hashed.digest => reading,
                Ok(_) => return None,
                Err(e) => return unreadable(e),
            }
        }
        Some(r) => r.finish(),
        None => Reading::default(),
    };
    let mut facts = facts.unwrap_or_else(Facts::unmatched);
    reading.apply_to(&mut facts);
    let artifact = Artifact {
        path: file.rel.clone(),
        sha256: hashed.digest,
        size: hashed.bytes,
        facts,
        document: reading.document.take(),
        md5: md5.map(Md5s::finish),
        stored: None,
        worm_copy: None,
    };
    if let Some(cache) = options.cache
        && reading.kept.is_none()
    {
        cache.record(&after, file.md5, file.sidecar_of.as_deref(), &artifact, &reading.findings);
    }
    Some(Hashing::Done(Box::new((artifact, reading))))
}

/// The MD5 of a file as DVC records it: of the bytes (DVC 3), and of the bytes with
/// Windows line endings made Unix ones (DVC 2 hashed text files so). Both are kept as
/// `md5[:md5-of-text]`, the second only when it differs.
#[derive(Default)]
struct Md5s {
    raw: md5::Md5,
    text: md5::Md5,
    /// A `\r` held back: whether it is dropped depends on the next byte.
    carriage_return: bool,
    changed: bool,
}

impl Md5s {
    fn update(&mut self, chunk: &[u8]) {
        use md5::Digest;
        self.raw.update(chunk);
        let mut rest = chunk;
        if self.carriage_return && !rest.is_empty() {
            self.carriage_return = false;
            if rest[0] == b'\n' {
                self.changed = true;
            } else {
                self.text.update(b"\r");
            }
        }
        while let Some(i) = rest.iter().position(|b| *b == b'\r') {
            self.text.update(&rest[..i]);
            match rest.get(i + 1) {
                Some(b'\n') => {
                    self.changed = true;
                    rest = &rest[i + 1..];
                }
                Some(_) => {
                    self.text.update(b"\r");
                    rest = &rest[i + 1..];
                }
                None => {
                    self.carriage_return = true;
                    rest = &[];
                }
            }
        }
        self.text.update(rest);
    }

    fn finish(mut self) -> String {
        use md5::Digest;
        if self.carriage_return {
            self.text.update(b"\r");
        }
        let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let raw = hex(&self.raw.finalize());
        if self.changed { format!("{raw}:{}", hex(&self.text.finalize())) } else { raw }
    }
}

/// Classifies a file from its first bytes; a sidecar is marked as one whatever its rules say.
fn classify(file: &Pending, head: &[u8], size: u64, options: &CollectOptions<'_>) -> Option<(Facts, Inspection)> {
    let classifier = options.classifier?;
    let head = &head[..head.len().min(HEAD_LIMIT)];
    let (mut facts, inspection) = classifier.classify_head(&file.rel, head, head.len() as u64 >= size);
    if let Some(of) = &file.sidecar_of {
        facts.evidence_type = None;
        facts.reason = Reason::Sidecar { of: of.clone() };
    }
    Some((facts, inspection))
}

fn changed(before: &Metadata, after: &Metadata, hashed: &Hashed) -> bool {
    let mtime = |m: &Metadata| m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    before.len() != after.len() || hashed.bytes != after.len() || mtime(before) != mtime(after)
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
    use std::sync::{Arc, Mutex};

    /// A reader that keeps every byte it is fed.
    struct Recorder(Arc<Mutex<BTreeMap<String, Vec<u8>>>>);

    struct Recording(String, Vec<u8>, Arc<Mutex<BTreeMap<String, Vec<u8>>>>);

    impl Interpret for Recorder {
        fn reader(&self, path: &str, _: &Facts, _: Option<&Inspection>, _: u64) -> Option<Box<dyn ContentReader>> {
            Some(Box::new(Recording(path.to_string(), Vec::new(), self.0.clone())))
        }
    }

    impl ContentReader for Recording {
        fn feed(&mut self, chunk: &[u8]) {
            self.1.extend_from_slice(chunk);
        }

        fn finish(self: Box<Self>) -> Reading {
            self.2.lock().unwrap().insert(self.0.clone(), self.1.clone());
            Reading::default()
        }
    }

    #[test]
    fn readers_see_exactly_the_bytes_that_were_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..3 * digest::BUFFER_SIZE as u32 + 17).map(|i| (i % 251) as u8).collect();
        fs::write(dir.path().join("big.bin"), &big).unwrap();
        fs::write(dir.path().join("small.json"), b"{\"a\": 1}").unwrap();
        fs::write(dir.path().join("empty.txt"), b"").unwrap();
        let seen = Arc::new(Mutex::new(BTreeMap::new()));
        let taxonomy = crate::catalog::Taxonomy::builtin().unwrap();
        let classifier = Classifier::new(taxonomy, &[], None).unwrap();
        let evidence = collect(&CollectOptions {
            root: dir.path().to_path_buf(),
            include_hidden: false,
            ignore: Gitignore::empty(),
            copy_to: None,
            progress: &Silent,
            classifier: Some(&classifier),
            interpret: Some(&Recorder(seen.clone())),
            cache: None,
        })
        .unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(evidence.artifacts.len(), 3);
        for a in &evidence.artifacts {
            let bytes = &seen[&a.path];
            assert_eq!(Sha256Digest::of(bytes), a.sha256, "{}", a.path);
            assert_eq!(bytes.len() as u64, a.size);
        }
        assert_eq!(seen["big.bin"], big);
    }

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
