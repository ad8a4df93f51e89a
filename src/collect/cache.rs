//! The digest cache: what a build learnt about each file (its digest, classification,
//! document and reading findings), kept outside the evidence so that an unchanged re-run
//! neither hashes nor reads the file again.
//!
//! An entry is used only when the file's device, inode, size, modification time and
//! status-change time (both to the nanosecond) are all as recorded. Rewriting a file and
//! putting its modification time back still changes its status-change time, which only
//! the kernel sets, so such a file is read again. Files changed less than
//! [`RACY_SECONDS`] before the run began are not recorded: a second write within the
//! same clock tick could leave every time unchanged.
//!
//! Only files of at least [`MIN_SIZE`] bytes are recorded. For a smaller file, opening and
//! reading it costs no more than reading its entry back (an entry carries the document
//! read from the file, often as long as the file itself), so a tree of many tiny logs is
//! read afresh every run and the cache stays small; datasets, model weights and large
//! reports are what it saves reading.
//!
//! The cache is tied to one evidence root and one configuration (its digest), which name
//! its file, and to one dossier binary; a cache made by another binary, or one that does
//! not parse, is ignored with a note and replaced. `dossier verify` never uses it: verification always hashes.

use std::collections::HashMap;
use std::fs::{self, Metadata};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::digest::Sha256Digest;
use crate::model::evidence::Artifact;
use crate::model::finding::Finding;

/// The value of the cache file's `format` field.
pub const FORMAT: &str = "dossier-digest-cache";
/// The layout version of the cache file.
pub const VERSION: u32 = 1;
/// Files whose status changed less than this many seconds before the run began are not
/// recorded.
pub const RACY_SECONDS: i64 = 2;
/// The smallest file the cache records.
pub const MIN_SIZE: u64 = 64 * 1024;
/// The environment variable naming the cache directory.
pub const ENV_DIR: &str = "DOSSIER_CACHE_DIR";

/// A file's identity and state, as the cache compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatKey([i64; 7]);

impl StatKey {
    /// The key of a file's metadata.
    pub fn of(meta: &Metadata) -> StatKey {
        StatKey([
            meta.dev() as i64,
            meta.ino() as i64,
            meta.size() as i64,
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec(),
        ])
    }

    fn changed_at(&self) -> i64 {
        self.0[3].max(self.0[5])
    }
}

/// What the cache file says it belongs to; every field must match for it to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    /// The dossier binary: its version, size and modification time.
    binary: String,
    /// The digest of the configuration the facts were read under.
    config: Sha256Digest,
    /// The canonical evidence root.
    root: String,
}

/// One file's entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    path: String,
    key: StatKey,
    /// Whether the MD5 was worked out (the file is named by a DVC record).
    md5: bool,
    /// The file it is the sidecar of, when it is one.
    sidecar_of: Option<String>,
    artifact: Artifact,
    findings: Vec<Finding>,
}

/// The cache of one run.
pub struct DigestCache {
    file: PathBuf,
    header: Header,
    old: HashMap<String, Entry>,
    new: Mutex<Vec<Entry>>,
    hits: AtomicU64,
    started: i64,
    note: Option<String>,
}

/// Where the cache lives: `dir`, else `$DOSSIER_CACHE_DIR`, else the user's cache
/// directory (`$XDG_CACHE_HOME/dossier`, `~/.cache/dossier`); none when there is none.
pub fn directory(dir: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = dir {
        return Some(dir.to_path_buf());
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    env(ENV_DIR)
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("dossier")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("dossier")))
}

impl DigestCache {
    /// Opens the cache for `root` (canonical) in `dir`, under the configuration digest
    /// `config`. A cache inside the evidence root is refused (nothing is ever written into
    /// the evidence). A missing cache is empty; one that cannot be used is empty with a
    /// note saying why.
    pub fn open(dir: &Path, root: &Path, config: Sha256Digest) -> std::result::Result<DigestCache, String> {
        let absolute = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            std::env::current_dir().map_err(|e| e.to_string())?.join(dir)
        };
        let resolved = nearest_existing(&absolute);
        if resolved.starts_with(root) {
            return Err(format!("the digest cache directory {} is inside the evidence; not used", absolute.display()));
        }
        let root_text = root.to_string_lossy().into_owned();
        // One file per evidence directory and configuration: builds of one tree under two
        // configurations keep a cache each.
        let name = &Sha256Digest::of(format!("{root_text}\n{config}").as_bytes()).to_string()[..24];
        let header = Header { format: FORMAT.into(), version: VERSION, binary: binary_id(), config, root: root_text };
        let file = absolute.join(format!("digests-{name}.jsonl"));
        let started = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let mut cache = DigestCache {
            file,
            header,
            old: HashMap::new(),
            new: Mutex::new(Vec::new()),
            hits: AtomicU64::new(0),
            started,
            note: None,
        };
        match cache.load() {
            Ok(old) => cache.old = old,
            Err(why) => cache.note = Some(format!("digest cache {} ignored: {why}", cache.file.display())),
        }
        Ok(cache)
    }

    fn load(&self) -> std::result::Result<HashMap<String, Entry>, String> {
        let handle = match fs::File::open(&self.file) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashMap::new()),
            Err(e) => return Err(format!("could not read it ({e})")),
        };
        let mut lines = BufReader::new(handle).lines();
        let head = match lines.next() {
            Some(Ok(line)) => line,
            Some(Err(e)) => return Err(format!("could not read it ({e})")),
            None => return Err("it is empty".into()),
        };
        let header: Header = serde_json::from_str(&head).map_err(|_| "it is not a dossier digest cache".to_string())?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(format!(
                "it has layout {} {}, this dossier writes {FORMAT} {VERSION}",
                header.format, header.version
            ));
        }
        if header.binary != self.header.binary {
            return Err("it was made by another dossier binary".into());
        }
        if header.config != self.header.config {
            return Err("it was made under another configuration".into());
        }
        if header.root != self.header.root {
            return Err("it belongs to another evidence directory".into());
        }
        let mut entries = HashMap::new();
        for (i, line) in lines.enumerate() {
            let line = line.map_err(|e| format!("could not read it ({e})"))?;
            let entry: Entry = serde_json::from_str(&line).map_err(|e| format!("line {} is corrupt ({e})", i + 2))?;
            entries.insert(entry.path.clone(), entry);
        }
        Ok(entries)
    }

    /// Why the stored cache could not be used, when it could not.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// How many files were taken from the cache.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Whether the cache has an entry for `rel` (no system call: the entry's times are
    /// compared in [`DigestCache::lookup`]).
    pub fn knows(&self, rel: &str) -> bool {
        self.old.contains_key(rel)
    }

    /// The file's artifact and reading findings, when the cache holds it unchanged.
    pub fn lookup(
        &self,
        rel: &str,
        meta: &Metadata,
        md5: bool,
        sidecar_of: Option<&str>,
    ) -> Option<(Artifact, Vec<Finding>)> {
        if meta.len() < MIN_SIZE {
            return None;
        }
        let entry = self.old.get(rel)?;
        if entry.key != StatKey::of(meta) || entry.md5 != md5 || entry.sidecar_of.as_deref() != sidecar_of {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        self.new.lock().expect("cache entries").push(entry.clone());
        Some((entry.artifact.clone(), entry.findings.clone()))
    }

    /// Records what was learnt about a file whose metadata before and after reading was
    /// `meta`, unless it changed too recently to be told apart from a later write.
    pub fn record(
        &self,
        meta: &Metadata,
        md5: bool,
        sidecar_of: Option<&str>,
        artifact: &Artifact,
        findings: &[Finding],
    ) {
        let key = StatKey::of(meta);
        if meta.len() < MIN_SIZE || key.changed_at() >= self.started - RACY_SECONDS {
            return;
        }
        self.new.lock().expect("cache entries").push(Entry {
            path: artifact.path.clone(),
            key,
            md5,
            sidecar_of: sidecar_of.map(str::to_string),
            artifact: artifact.clone(),
            findings: findings.to_vec(),
        });
    }

    /// Writes the entries of this run, replacing the stored cache atomically (a temporary
    /// file renamed over it). Entries of files not met this run are dropped.
    pub fn save(self) -> io::Result<()> {
        let dir = self.file.parent().expect("the cache file is in a directory");
        fs::create_dir_all(dir)?;
        let mut entries = self.new.into_inner().expect("cache entries");
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        {
            let mut out = io::BufWriter::new(tmp.as_file_mut());
            serde_json::to_writer(&mut out, &self.header)?;
            out.write_all(b"\n")?;
            for entry in &entries {
                serde_json::to_writer(&mut out, entry)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
        tmp.persist(&self.file).map_err(|e| e.error)?;
        Ok(())
    }
}

/// This dossier binary: its version, and the size and modification time of its file, so
/// that a rebuilt binary (whose readers may read differently) starts a fresh cache.
fn binary_id() -> String {
    let meta = std::env::current_exe().and_then(fs::metadata);
    match meta {
        Ok(m) => format!("{} {} {}.{}", env!("CARGO_PKG_VERSION"), m.size(), m.mtime(), m.mtime_nsec()),
        Err(_) => format!("{} unknown", env!("CARGO_PKG_VERSION")),
    }
}

/// The longest existing ancestor of `path`, canonicalized, with the rest appended: where
/// `path` is or would be, links resolved.
fn nearest_existing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = fs::canonicalize(at) {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}
