//! Object-store evidence roots: `s3://bucket/prefix`, `gs://bucket/prefix` and
//! `az://container/prefix`, listed and read through `object_store`.
//!
//! Each object under the prefix is pinned to the version the store holds when it is met.
//! On S3 one `GetObject` (see [`s3`]) serves the current version and names it, with the
//! store's checksum and the Object Lock, in the same answer; with store checksums to weigh,
//! a `HeadObject` asks first and the version is then read by its id. For GCS and Azure a
//! `HEAD` gives the generation or version id, and the read asks for that version. Either
//! way the version recorded is the version read, streamed to a spool directory laid out
//! as the evidence tree while it is hashed.
//! Collection then reads the spool like any evidence directory (classified and read from
//! the bytes it hashes), and every artifact's digest must equal the one taken as the bytes
//! arrived. With `--trust-store-checksums`, an object whose store keeps a full-object
//! SHA-256 and whose content dossier does not read is taken at that checksum instead of
//! being downloaded; a share of them, picked from their URL and version, is downloaded
//! anyway and compared.
//!
//! Listing is paginated and streamed into at most [`CONCURRENCY`] object reads at once,
//! each through a bounded stream, so memory does not grow with the objects' sizes.

pub mod profile;
pub mod s3;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use ignore::gitignore::Gitignore;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::MicrosoftAzureBuilder;
use object_store::client::{HttpConnector, ReqwestConnector};
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path as StorePath;
use object_store::{ClientOptions, GetOptions, ObjectMeta, ObjectStore, ObjectStoreExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::{Error, Result};
use crate::digest::Sha256Digest;
use crate::model::evidence::{ArtifactEntry, DigestFrom, SkippedEntry, StoreChecksum, StoreInfo, StoredObject};
use crate::model::finding::{Code, Finding};

use super::Interpret;
use super::classify::Classifier;
use s3::S3Api;

/// How many objects are read at once.
pub const CONCURRENCY: usize = 16;

/// The share of store-checksummed objects downloaded anyway with `--trust-store-checksums`,
/// unless `evidence.store_sample` says otherwise.
pub const DEFAULT_SAMPLE: f64 = 0.05;

/// Which object store a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Amazon S3, or an S3-compatible store at an endpoint.
    S3,
    /// Google Cloud Storage.
    Gs,
    /// Azure Blob Storage.
    Az,
}

/// A bucket (or container) and a prefix in it: `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StoreUrl {
    /// The store.
    pub scheme: Scheme,
    /// The bucket or container.
    pub bucket: String,
    /// The prefix, without leading or trailing `/` (empty for the whole bucket).
    pub prefix: String,
}

impl StoreUrl {
    /// Whether `text` names an object store rather than a directory.
    pub fn is_store_url(text: &str) -> bool {
        ["s3://", "gs://", "az://"].iter().any(|s| text.starts_with(s))
    }

    /// The URL of the object with this key.
    pub fn object(&self, key: &str) -> String {
        let scheme = match self.scheme {
            Scheme::S3 => "s3",
            Scheme::Gs => "gs",
            Scheme::Az => "az",
        };
        format!("{scheme}://{}/{key}", self.bucket)
    }

    /// The key of an object URL in this URL's bucket.
    pub fn key_of<'u>(&self, url: &'u str) -> Option<&'u str> {
        let root = self.object("");
        url.strip_prefix(root.as_str())
    }

    /// Whether the object at `object_url` lies under this root.
    pub fn holds(&self, object_url: &str) -> bool {
        self.key_of(object_url).and_then(|key| self.relative(key)).is_some()
    }

    /// The key, relative to the prefix, of an object under it.
    fn relative<'k>(&self, key: &'k str) -> Option<&'k str> {
        if self.prefix.is_empty() {
            return Some(key);
        }
        key.strip_prefix(self.prefix.as_str())?.strip_prefix('/')
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.object(&self.prefix))
    }
}

impl TryFrom<String> for StoreUrl {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<Self, String> {
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("s3://") {
            (Scheme::S3, rest)
        } else if let Some(rest) = text.strip_prefix("gs://") {
            (Scheme::Gs, rest)
        } else if let Some(rest) = text.strip_prefix("az://") {
            (Scheme::Az, rest)
        } else {
            return Err(format!("{text:?} is not an object-store URL (s3://, gs:// or az://BUCKET/PREFIX)"));
        };
        if text.chars().any(char::is_control) {
            return Err(format!("{text:?} holds control characters"));
        }
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() || bucket.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!("{text:?} names no bucket"));
        }
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() && has_bad_parts(prefix) {
            return Err(format!("{text:?}: the prefix must not hold empty, `.` or `..` parts"));
        }
        Ok(StoreUrl { scheme, bucket: bucket.to_string(), prefix: prefix.to_string() })
    }
}

impl From<StoreUrl> for String {
    fn from(url: StoreUrl) -> String {
        url.to_string()
    }
}

/// One object-store root of the evidence, as `evidence.sources` (or the command line)
/// gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSource {
    /// Where the objects are.
    pub url: StoreUrl,
    /// Where they appear in the evidence tree (a relative directory; empty: at the root).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// An S3-compatible endpoint (MinIO, Ceph, a local test server) instead of AWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The bucket's region, when the environment does not say and it cannot be asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl StoreSource {
    /// A source at the root of the evidence tree.
    pub fn at_root(url: StoreUrl) -> Self {
        StoreSource { url, path: String::new(), endpoint: None, region: None }
    }

    /// Problems with the settings.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let path = self.path.trim_matches('/');
        if self.path.starts_with('/') || (!path.is_empty() && has_bad_parts(path)) {
            problems.push(format!("path {:?} must be a relative directory without `.` or `..` parts", self.path));
        }
        if self.endpoint.is_some() && self.url.scheme != Scheme::S3 {
            problems.push(format!("{}: an endpoint applies to s3:// sources only", self.url));
        }
        problems
    }

    /// The evidence path of the object at `rel` (relative to the prefix).
    fn evidence_path(&self, rel: &str) -> String {
        let mount = self.path.trim_matches('/');
        if mount.is_empty() { rel.to_string() } else { format!("{mount}/{rel}") }
    }
}

/// How the stores are read.
pub struct FetchOptions<'a> {
    /// The roots.
    pub sources: &'a [StoreSource],
    /// Where the objects' bytes go, laid out as the evidence tree.
    pub spool: &'a Path,
    /// Take a full-object SHA-256 kept by the store instead of downloading.
    pub trust_store_checksums: bool,
    /// The share of those objects downloaded anyway and compared.
    pub sample: f64,
    /// Collect names starting with `.`.
    pub include_hidden: bool,
    /// The ignore rules (matched against evidence paths).
    pub ignore: &'a Gitignore,
    /// How paths are classified, to tell which objects dossier reads.
    pub classifier: Option<&'a Classifier>,
    /// The readers.
    pub interpret: Option<&'a dyn Interpret>,
    /// Where the counts go as objects are read.
    pub progress: &'a dyn super::Progress,
}

/// What reading the stores gave.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The downloaded objects by evidence path: the object, and the digest of the bytes as
    /// they arrived.
    pub downloaded: BTreeMap<String, (StoredObject, Sha256Digest)>,
    /// Objects taken at the store's checksum: evidence path, size, digest, object.
    pub trusted: Vec<(String, u64, Sha256Digest, StoredObject)>,
    /// Objects that could not be read, and store checksums that disagree with the bytes.
    pub findings: Vec<Finding>,
    /// Objects met but not collected.
    pub skipped: Vec<SkippedEntry>,
    /// Objects left out as hidden or ignored.
    pub ignored: u64,
    /// Each root, with its bucket's settings and what was read.
    pub stores: Vec<StoreInfo>,
    /// What the run should tell the user (one line each).
    pub notes: Vec<String>,
}

/// A store opened for reading.
struct Opened {
    store: Arc<dyn ObjectStore>,
    s3: Option<S3Api>,
}

/// The runtime the store clients run on: two workers, enough to keep the reads in flight.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Store(format!("could not start the object-store client: {e}")))
}

fn store_error(url: &StoreUrl, what: &str, e: impl fmt::Display) -> Error {
    Error::Store(format!("{url}: could not {what}: {}", explain(&e.to_string())))
}

/// A store's error in one line: the S3 error code and message when the answer carries
/// them (rather than the whole XML body), and what to do when no credentials were found.
fn explain(text: &str) -> String {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{name}>"))? + start;
        Some(&text[start..end])
    };
    if let (Some(code), Some(message)) = (tag("Code"), tag("Message")) {
        return crate::text::one_line(&format!("{code}: {message}")).into_owned();
    }
    if text.contains("169.254.169.254") {
        return "no credentials: none in the environment or the AWS profile files, and no instance metadata service answered (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)".into();
    }
    crate::text::one_line(text).into_owned()
}

/// Opens the store a source names, with credentials from the environment (and, for S3,
/// the shared AWS profile files).
async fn open(url: &StoreUrl, endpoint: Option<&str>, region: Option<&str>) -> Result<Opened> {
    let fail = |e: object_store::Error| store_error(url, "open the store", e);
    match url.scheme {
        Scheme::S3 => {
            let mut builder = profile::apply(AmazonS3Builder::from_env()).with_bucket_name(&url.bucket);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(region) = region {
                builder = builder.with_region(region);
            }
            let endpoint = builder
                .get_config_value(&AmazonS3ConfigKey::S3Endpoint)
                .or_else(|| builder.get_config_value(&AmazonS3ConfigKey::Endpoint));
            let plain_http = endpoint.as_deref().is_some_and(|e| e.starts_with("http://"));
            let options = ClientOptions::new().with_allow_http(plain_http);
            let region = match builder.get_config_value(&AmazonS3ConfigKey::Region) {
                Some(region) => region,
                None if endpoint.is_none() => object_store::aws::resolve_bucket_region(&url.bucket, &options)
                    .await
                    .unwrap_or_else(|_| "us-east-1".into()),
                None => "us-east-1".into(),
            };
            let store = builder.with_region(&region).with_allow_http(plain_http).build().map_err(fail)?;
            let http = ReqwestConnector::default().connect(&options).map_err(fail)?;
            let api = S3Api::new(http, Arc::clone(store.credentials()), &region, endpoint.as_deref(), &url.bucket);
            Ok(Opened { store: Arc::new(store), s3: Some(api) })
        }
        Scheme::Gs => {
            let store = GoogleCloudStorageBuilder::from_env().with_bucket_name(&url.bucket).build().map_err(fail)?;
            Ok(Opened { store: Arc::new(store), s3: None })
        }
        Scheme::Az => {
            let store = MicrosoftAzureBuilder::from_env().with_container_name(&url.bucket).build().map_err(fail)?;
            Ok(Opened { store: Arc::new(store), s3: None })
        }
    }
}

/// What became of one listed object.
enum Met {
    Downloaded(String, StoredObject, Sha256Digest, u64, Option<Finding>),
    Trusted(String, u64, Sha256Digest, StoredObject),
    Skipped(String, Code, String),
    Ignored,
    /// A zero-byte "directory" marker (`prefix/`), which is not evidence.
    Marker,
}

/// Lists and reads every source into the spool (see the module docs).
pub fn fetch(options: &FetchOptions<'_>) -> Result<Fetched> {
    let runtime = runtime()?;
    let mut fetched = Fetched::default();
    for source in options.sources {
        runtime.block_on(fetch_source(source, options, &mut fetched))?;
    }
    fetched.findings.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    fetched.skipped.sort();
    fetched.trusted.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(fetched)
}

async fn fetch_source(source: &StoreSource, options: &FetchOptions<'_>, fetched: &mut Fetched) -> Result<()> {
    let url = &source.url;
    let opened = open(url, source.endpoint.as_deref(), source.region.as_deref()).await?;
    // The bucket's settings are recorded, not relied on: without the permission to read
    // them, the objects' own versions and locks still are.
    let bucket = match &opened.s3 {
        Some(api) => match api.bucket().await {
            Ok(facts) => Some(facts),
            Err(why) => {
                fetched.notes.push(format!(
                    "{url}: the bucket's versioning and Object Lock settings could not be read ({}); each object's version and lock still are",
                    crate::text::one_line(&why)
                ));
                None
            }
        },
        None => None,
    };
    let prefix = (!url.prefix.is_empty()).then(|| StorePath::from(url.prefix.as_str()));
    let listing = opened.store.list(prefix.as_ref());
    let mut results = listing
        .map(|meta| async {
            match meta {
                Ok(meta) => Ok(one(source, &opened, meta, options).await),
                Err(e) => Err(store_error(url, "list the objects", e)),
            }
        })
        .buffer_unordered(CONCURRENCY);
    let mut info = StoreInfo {
        url: url.to_string(),
        path: source.path.trim_matches('/').to_string(),
        endpoint: source.endpoint.clone(),
        versioning: bucket.as_ref().map(|b| b.versioning.clone()),
        object_lock: bucket.as_ref().map(|b| b.object_lock),
        default_retention: bucket.and_then(|b| b.default_retention),
        objects: 0,
        bytes: 0,
        downloaded: 0,
        store_checksums: 0,
    };
    let (mut met_so_far, mut read_so_far) = (0, 0);
    while let Some(met) = results.try_next().await? {
        met_so_far += 1;
        if matches!(met, Met::Downloaded(..) | Met::Trusted(..)) {
            read_so_far += 1;
        }
        if met_so_far % 64 == 0 {
            options.progress.objects(met_so_far, read_so_far);
        }
        match met {
            Met::Downloaded(path, object, digest, size, finding) => {
                info.objects += 1;
                info.bytes += size;
                info.downloaded += 1;
                fetched.findings.extend(finding);
                fetched.downloaded.insert(path, (object, digest));
            }
            Met::Trusted(path, size, digest, object) => {
                info.objects += 1;
                info.store_checksums += 1;
                info.bytes += size;
                fetched.trusted.push((path, size, digest, object));
            }
            Met::Skipped(path, code, message) => {
                fetched.findings.push(Finding::at(code, path.clone(), message));
                fetched.skipped.push(SkippedEntry { path, reason: code });
            }
            Met::Ignored => fetched.ignored += 1,
            Met::Marker => {}
        }
    }
    options.progress.objects(met_so_far, read_so_far);
    fetched.stores.push(info);
    Ok(())
}

/// Pins, and reads or takes at its checksum, one listed object.
async fn one(source: &StoreSource, opened: &Opened, meta: ObjectMeta, options: &FetchOptions<'_>) -> Met {
    let url = &source.url;
    let key = meta.location.as_ref().to_string();
    let object_url = url.object(&key);
    let Some(rel) = url.relative(&key) else { return Met::Marker };
    if rel.is_empty() || (rel.ends_with('/') && meta.size == 0) {
        return Met::Marker;
    }
    let path = source.evidence_path(rel);
    if let Some(why) = unusable(rel) {
        return Met::Skipped(path, Code::ObjectUnreadable, format!("{object_url}: {why}; not collected"));
    }
    if left_out(&path, options.ignore, options.include_hidden) {
        return Met::Ignored;
    }
    let mut object = StoredObject {
        checksum: None,
        digest_from: DigestFrom::Content,
        etag: meta.e_tag.clone(),
        last_modified: time(meta.last_modified),
        lock: None,
        url: object_url.clone(),
        version_id: meta.version.clone(),
    };
    let vanished = |path: String| {
        Met::Skipped(
            path,
            Code::VanishedDuringCollection,
            format!("{object_url}: deleted between the listing and reading it"),
        )
    };
    let spooled = options.spool.join(&path);
    // S3 without store checksums to weigh: one GetObject pins the version and reads it,
    // its headers saying what HeadObject would of the very version served.
    if let Some(api) = &opened.s3
        && !options.trust_store_checksums
    {
        return match api.get(&key).await {
            Ok(Some((head, body))) => {
                let size = pin(&mut object, head);
                let read = stream_through(body.bytes_stream(), Some(&spooled)).await.map_err(String::from);
                settle(path, object, size, read)
            }
            Ok(None) => vanished(path),
            Err(why) => Met::Skipped(path, Code::ObjectUnreadable, format!("{object_url}: {why}")),
        };
    }
    // Otherwise pin first: S3's HeadObject gives the version, checksum and lock; GCS and
    // Azure name the version (generation, version id) in the object's headers.
    let size = match &opened.s3 {
        Some(api) => match api.head(&key, None).await {
            Ok(Some(head)) => pin(&mut object, head),
            Ok(None) => return vanished(path),
            Err(why) => return Met::Skipped(path, Code::ObjectUnreadable, format!("{object_url}: {why}")),
        },
        None => match opened.store.head(&meta.location).await {
            Ok(now) => {
                object.version_id = now.version;
                object.etag = now.e_tag.or(object.etag);
                object.last_modified = time(now.last_modified);
                now.size
            }
            Err(object_store::Error::NotFound { .. }) => return vanished(path),
            Err(e) => return Met::Skipped(path, Code::ObjectUnreadable, format!("{object_url}: {}", one_line(&e))),
        },
    };
    if options.trust_store_checksums
        && let Some(digest) = object.checksum.as_ref().and_then(StoreChecksum::full_sha256)
        && !sampled(&object, options.sample)
        && !is_read(&path, size, options)
    {
        object.digest_from = DigestFrom::StoreChecksum;
        return Met::Trusted(path, size, digest, object);
    }
    let read =
        read_version(opened, &meta.location, object.version_id.as_deref(), Some(&spooled)).await.map_err(String::from);
    settle(path, object, size, read)
}

/// Records what the store said of the version in `object`; its size.
fn pin(object: &mut StoredObject, head: s3::Head) -> u64 {
    object.version_id = head.version_id;
    object.etag = head.etag.or(object.etag.take());
    object.checksum = head.checksum;
    object.lock = head.lock;
    if let Some(at) = head.last_modified {
        object.last_modified = time(at);
    }
    head.size
}

/// What a read of a `size`-byte version came to: downloaded (with a finding when the
/// store's own SHA-256 disagrees with the bytes), or skipped.
fn settle(
    path: String,
    object: StoredObject,
    size: u64,
    read: std::result::Result<(Sha256Digest, u64), String>,
) -> Met {
    let url = object.url.clone();
    match read {
        Ok((_, bytes)) if bytes != size => Met::Skipped(
            path,
            Code::ChangedDuringCollection,
            format!("{url}: the store gave {bytes} bytes of a {size}-byte version"),
        ),
        Ok((digest, bytes)) => {
            let store_digest = object.checksum.as_ref().and_then(StoreChecksum::full_sha256);
            let finding = store_digest.filter(|d| *d != digest).map(|d| {
                Finding::at(
                    Code::StoreChecksumMismatch,
                    path.clone(),
                    format!("{url}: the store's SHA-256 is {d}, the bytes read hash to {digest}"),
                )
            });
            Met::Downloaded(path, object, digest, bytes, finding)
        }
        Err(why) => Met::Skipped(path, Code::ObjectUnreadable, format!("{url}: {why}")),
    }
}

/// Whether a `/`-separated path has an empty, `.` or `..` part.
fn has_bad_parts(path: &str) -> bool {
    path.split('/').any(|s| s.is_empty() || s == "." || s == "..")
}

/// Whether the ignore rules or the hidden-name rule leave out the object at this evidence
/// path, as they would a file there.
fn left_out(path: &str, ignore: &Gitignore, include_hidden: bool) -> bool {
    let hidden = path.split('/').any(|s| s.starts_with('.'));
    (hidden && !include_hidden) || ignore.matched_path_or_any_parents(path, false).is_ignore()
}

/// Why a key (relative to the prefix) cannot be an evidence path, if it cannot.
fn unusable(rel: &str) -> Option<&'static str> {
    if has_bad_parts(rel) {
        return Some("the key has empty, `.` or `..` parts, which no evidence path can hold");
    }
    if rel.contains('\0') {
        return Some("the key holds a NUL character");
    }
    if rel.split('/').any(|s| s.len() > 255) {
        return Some("a part of the key is longer than a file name may be (255 bytes)");
    }
    None
}

/// Whether an object is among the share downloaded anyway: picked by its URL and
/// version, so the same objects are picked on every run and nobody can choose them by
/// writing order.
fn sampled(object: &StoredObject, share: f64) -> bool {
    let mut hash = Sha256::new();
    hash.update(object.url.as_bytes());
    hash.update([0]);
    hash.update(object.version_id.as_deref().unwrap_or("").as_bytes());
    let digest: [u8; 32] = hash.finalize().into();
    let point = u64::from_be_bytes(digest[..8].try_into().expect("eight bytes")) as f64 / u64::MAX as f64;
    point < share
}

/// Whether dossier reads this object's content (so it must be downloaded).
fn is_read(path: &str, size: u64, options: &FetchOptions<'_>) -> bool {
    let (Some(classifier), Some(interpret)) = (options.classifier, options.interpret) else { return false };
    if path.ends_with(super::sidecar::SIDECAR_SUFFIX) {
        return true;
    }
    let (facts, _) = classifier.classify_head(path, &[], false);
    interpret.reader(path, &facts, None, size).is_some()
}

/// Why a read failed: the version is gone, or something else went wrong.
enum ReadFailure {
    Gone,
    Other(String),
}

impl From<ReadFailure> for String {
    fn from(failure: ReadFailure) -> String {
        match failure {
            ReadFailure::Gone => "the store has no such object or version".into(),
            ReadFailure::Other(why) => why,
        }
    }
}

/// Reads one version, into `to` when given, hashing it as it arrives.
async fn read_version(
    opened: &Opened,
    location: &StorePath,
    version: Option<&str>,
    to: Option<&Path>,
) -> std::result::Result<(Sha256Digest, u64), ReadFailure> {
    let options = GetOptions { version: version.map(str::to_string), ..GetOptions::default() };
    let result = match opened.store.get_opts(location, options).await {
        Ok(result) => result,
        Err(object_store::Error::NotFound { .. }) => return Err(ReadFailure::Gone),
        Err(e) => return Err(ReadFailure::Other(one_line(&e))),
    };
    stream_through(result.into_stream(), to).await
}

/// Streams a body through SHA-256, into `to` when given; its digest and length.
async fn stream_through<B: AsRef<[u8]>, E: fmt::Display>(
    mut stream: futures::stream::BoxStream<'static, std::result::Result<B, E>>,
    to: Option<&Path>,
) -> std::result::Result<(Sha256Digest, u64), ReadFailure> {
    let mut file = match to {
        Some(to) => {
            let lay_out = |e: std::io::Error| ReadFailure::Other(format!("cannot be laid out in the spool ({e})"));
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(lay_out)?;
            }
            Some(fs::File::create(to).map_err(lay_out)?)
        }
        None => None,
    };
    let mut hash = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ReadFailure::Other(one_line(&e)))?;
        let chunk = chunk.as_ref();
        hash.update(chunk);
        bytes += chunk.len() as u64;
        if let Some(file) = &mut file {
            file.write_all(chunk).map_err(|e| ReadFailure::Other(format!("could not be spooled: {e}")))?;
        }
    }
    let digest: [u8; 32] = hash.finalize().into();
    Ok((Sha256Digest::from(digest), bytes))
}

fn one_line(e: &dyn fmt::Display) -> String {
    explain(&e.to_string())
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A local file whose sidecar names its write-once copy.
pub struct CopyClaim {
    /// The file's evidence path.
    pub path: String,
    /// Its digest.
    pub sha256: Sha256Digest,
    /// The copy, as the sidecar names it: `s3://bucket/key`, optionally `?versionId=V`.
    pub copy: String,
}

/// Pins each claimed write-once copy (the named version, else the current one) and checks
/// it holds the file's bytes: by the store's full-object SHA-256 where it keeps one, else
/// by reading the version. Each claim gets the pinned copy, or why it cannot stand in for
/// the file.
pub fn pin_copies(claims: &[CopyClaim]) -> Result<Vec<std::result::Result<StoredObject, String>>> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let mut out = Vec::with_capacity(claims.len());
        let mut stores: BTreeMap<(Scheme, String), Opened> = BTreeMap::new();
        for claim in claims {
            let (location, version) = match claim.copy.split_once("?versionId=") {
                Some((location, version)) => (location, Some(version)),
                None => (claim.copy.as_str(), None),
            };
            let url = match StoreUrl::try_from(location.to_string()) {
                Ok(url) if !url.prefix.is_empty() => url,
                Ok(_) => {
                    out.push(Err(format!("{:?} names a bucket, not an object", claim.copy)));
                    continue;
                }
                Err(why) => {
                    out.push(Err(why));
                    continue;
                }
            };
            let slot = (url.scheme, url.bucket.clone());
            if !stores.contains_key(&slot) {
                stores.insert(slot.clone(), open(&url, None, None).await?);
            }
            let opened = &stores[&slot];
            out.push(pin_copy(opened, &url, version, claim).await);
        }
        Ok(out)
    })
}

async fn pin_copy(
    opened: &Opened,
    url: &StoreUrl,
    version: Option<&str>,
    claim: &CopyClaim,
) -> std::result::Result<StoredObject, String> {
    let key = url.prefix.as_str();
    let location = StorePath::from(key);
    let mut object = StoredObject {
        checksum: None,
        digest_from: DigestFrom::Content,
        etag: None,
        last_modified: String::new(),
        lock: None,
        url: url.object(key),
        version_id: version.map(str::to_string),
    };
    match &opened.s3 {
        Some(api) => match api.head(key, version).await? {
            Some(head) => {
                object.version_id = head.version_id;
                object.etag = head.etag;
                object.checksum = head.checksum;
                object.lock = head.lock;
                object.last_modified = head.last_modified.map(time).unwrap_or_default();
            }
            None => return Err(format!("{}: no such object or version", object.url)),
        },
        None => {
            let meta = opened.store.head(&location).await.map_err(|e| format!("{}: {}", object.url, one_line(&e)))?;
            object.version_id = object.version_id.or(meta.version);
            object.etag = meta.e_tag;
            object.last_modified = time(meta.last_modified);
        }
    }
    let digest = match object.checksum.as_ref().and_then(StoreChecksum::full_sha256) {
        Some(digest) => {
            object.digest_from = DigestFrom::StoreChecksum;
            digest
        }
        None => {
            read_version(opened, &location, object.version_id.as_deref(), None)
                .await
                .map_err(|e| format!("{}: {}", object.url, String::from(e)))?
                .0
        }
    };
    if digest != claim.sha256 {
        return Err(format!("{} holds other bytes (sha256 {digest}, the file's is {})", object.url, claim.sha256));
    }
    Ok(object)
}

/// Checks a package's stored artifacts against their stores: each pinned version is read
/// again by its version id and hashed. A version that is gone is `artifact-missing`, one
/// that hashes differently `artifact-modified`. With `latest`, each root is listed again
/// and objects written since (a newer version, a deletion, a new key) are reported as
/// warnings: the pinned versions still vouch for the package.
pub fn reverify(
    artifacts: &[&ArtifactEntry],
    stores: &[StoreInfo],
    latest: bool,
    ignore: &Gitignore,
    include_hidden: bool,
) -> Result<Vec<Finding>> {
    let runtime = runtime()?;
    runtime.block_on(reverify_all(artifacts, stores, latest, ignore, include_hidden))
}

/// The source a manifest's store entry describes, with the endpoint it recorded unless the
/// environment names one (the auditor's copy of an S3-compatible store may sit elsewhere).
fn recorded_source(info: &StoreInfo) -> Result<StoreSource> {
    let url = StoreUrl::try_from(info.url.clone()).map_err(Error::Store)?;
    let from_env =
        ["AWS_ENDPOINT_URL", "AWS_ENDPOINT", "AWS_ENDPOINT_URL_S3"].iter().any(|v| std::env::var_os(v).is_some());
    Ok(StoreSource {
        url,
        path: info.path.clone(),
        endpoint: if from_env { None } else { info.endpoint.clone() },
        region: None,
    })
}

async fn reverify_all(
    artifacts: &[&ArtifactEntry],
    stores: &[StoreInfo],
    latest: bool,
    ignore: &Gitignore,
    include_hidden: bool,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for info in stores {
        let source = recorded_source(info)?;
        let opened = open(&source.url, source.endpoint.as_deref(), source.region.as_deref()).await?;
        let mine: Vec<&ArtifactEntry> =
            artifacts.iter().copied().filter(|a| a.stored.as_ref().is_some_and(|o| source.url.holds(&o.url))).collect();
        let checks = futures::stream::iter(mine.iter().map(|entry| {
            let object = entry.stored.as_ref().expect("only stored artifacts are checked");
            check_pinned(&source.url, &opened, object, entry)
        }))
        .buffer_unordered(CONCURRENCY);
        let results: Vec<Result<Option<Finding>>> = checks.collect().await;
        for result in results {
            findings.extend(result?);
        }
        if latest {
            findings.extend(newer(&source, &opened, &mine, ignore, include_hidden).await?);
        }
    }
    findings.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    Ok(findings)
}

/// Reads the write-once copies the package pinned for local files again, by version, and
/// compares them with the files' recorded digests, as [`reverify`] does for stored artifacts.
pub fn reverify_copies(artifacts: &[&ArtifactEntry]) -> Result<Vec<Finding>> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let mut findings = Vec::new();
        let mut stores: BTreeMap<(Scheme, String), (StoreUrl, Opened)> = BTreeMap::new();
        for entry in artifacts {
            let Some(copy) = &entry.worm_copy else { continue };
            let url = StoreUrl::try_from(copy.url.clone()).map_err(Error::Store)?;
            let slot = (url.scheme, url.bucket.clone());
            if !stores.contains_key(&slot) {
                let opened = open(&url, None, None).await?;
                stores.insert(slot.clone(), (StoreUrl { prefix: String::new(), ..url }, opened));
            }
            let (bucket, opened) = &stores[&slot];
            findings.extend(check_pinned(bucket, opened, copy, entry).await?);
        }
        Ok(findings)
    })
}

/// Reads one pinned version (`object`, which stands for `entry`) again and compares its
/// digest with the entry's.
async fn check_pinned(
    url: &StoreUrl,
    opened: &Opened,
    object: &StoredObject,
    entry: &ArtifactEntry,
) -> Result<Option<Finding>> {
    let key = url.key_of(&object.url).expect("filtered by bucket");
    let version = object.version_id.as_deref().filter(|v| *v != "null");
    let which = version.map_or_else(|| "the object".to_string(), |v| format!("version {v}"));
    match read_version(opened, &StorePath::from(key), version, None).await {
        Ok((digest, _)) if digest == entry.sha256 => Ok(None),
        Ok((digest, _)) => Ok(Some(Finding::at(
            Code::ArtifactModified,
            entry.path.clone(),
            format!("{}: {which} hashes to {digest}, the manifest records {}", object.url, entry.sha256),
        ))),
        Err(ReadFailure::Gone) => Ok(Some(Finding::at(
            Code::ArtifactMissing,
            entry.path.clone(),
            format!("{}: {which} is gone from the store", object.url),
        ))),
        Err(ReadFailure::Other(why)) => Err(Error::Store(format!("{}: could not read {which}: {why}", object.url))),
    }
}

/// What was written under a root since the package: newer versions, deletions and new keys.
async fn newer(
    source: &StoreSource,
    opened: &Opened,
    pinned: &[&ArtifactEntry],
    ignore: &Gitignore,
    include_hidden: bool,
) -> Result<Vec<Finding>> {
    let url = &source.url;
    let mut by_url: BTreeMap<&str, &ArtifactEntry> =
        pinned.iter().filter_map(|a| a.stored.as_ref().map(|o| (o.url.as_str(), *a))).collect();
    let prefix = (!url.prefix.is_empty()).then(|| StorePath::from(url.prefix.as_str()));
    let listed: Vec<ObjectMeta> =
        opened.store.list(prefix.as_ref()).try_collect().await.map_err(|e| store_error(url, "list the objects", e))?;
    let current = futures::stream::iter(listed.into_iter().map(|meta| async move {
        let key = meta.location.as_ref().to_string();
        let version = match &opened.s3 {
            Some(api) => api.head(&key, None).await.map(|h| h.and_then(|h| h.version_id)),
            None => Ok(meta.version.clone()),
        };
        (key, version)
    }))
    .buffer_unordered(CONCURRENCY)
    .collect::<Vec<_>>()
    .await;
    let mut findings = Vec::new();
    for (key, version) in current {
        let object_url = url.object(&key);
        let Some(rel) = url.relative(&key) else { continue };
        if rel.is_empty() || rel.ends_with('/') || unusable(rel).is_some() {
            continue;
        }
        let path = source.evidence_path(rel);
        let version = version.map_err(|why| Error::Store(format!("{object_url}: {why}")))?;
        match by_url.remove(object_url.as_str()) {
            Some(entry) => {
                let pinned = entry.stored.as_ref().and_then(|o| o.version_id.clone());
                if version != pinned {
                    findings.push(Finding::at(
                        Code::ObjectOverwritten,
                        path,
                        format!(
                            "{object_url}: overwritten since the package (pinned version {}, latest {})",
                            pinned.as_deref().unwrap_or("none"),
                            version.as_deref().unwrap_or("none")
                        ),
                    ));
                }
            }
            None => {
                if left_out(&path, ignore, include_hidden) {
                    continue;
                }
                findings.push(Finding::at(Code::ObjectAdded, path, format!("{object_url}: added since the package")));
            }
        }
    }
    for (object_url, entry) in by_url {
        findings.push(Finding::at(
            Code::ObjectOverwritten,
            entry.path.clone(),
            format!("{object_url}: deleted since the package (its latest version is a delete marker, or it is gone)"),
        ));
    }
    Ok(findings)
}

/// A spool directory for the objects' bytes, removed when dropped.
pub fn spool() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("dossier-store-")
        .tempdir()
        .map_err(|e| Error::Store(format!("could not make a spool directory for the object store: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_parse_and_print() {
        let url = StoreUrl::try_from("s3://ml-evidence/releases/2026-q4/".to_string()).unwrap();
        assert_eq!((url.bucket.as_str(), url.prefix.as_str()), ("ml-evidence", "releases/2026-q4"));
        assert_eq!(url.to_string(), "s3://ml-evidence/releases/2026-q4");
        assert_eq!(url.relative("releases/2026-q4/logs/a.jsonl"), Some("logs/a.jsonl"));
        assert_eq!(url.relative("releases/2026-q40/a"), None);
        assert_eq!(url.key_of("s3://ml-evidence/releases/x"), Some("releases/x"));
        for bad in ["s3://", "s3:///x", "http://x/y", "gs://b/a/../c", "az://b/a//c"] {
            assert!(StoreUrl::try_from(bad.to_string()).is_err(), "{bad}");
        }
        assert!(StoreUrl::is_store_url("gs://b") && !StoreUrl::is_store_url("./s3"));
    }

    #[test]
    fn store_errors_are_cut_to_their_code_and_message() {
        let xml = "Generic S3 error: 404 Not Found: <?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
        assert_eq!(explain(xml), "NoSuchBucket: The specified bucket does not exist");
        assert!(explain("PUT http://169.254.169.254/latest/api/token: 403").starts_with("no credentials"));
        assert_eq!(explain("line one\nline two"), crate::text::one_line("line one\nline two"));
    }

    #[test]
    fn keys_that_cannot_be_paths_are_named() {
        assert!(unusable("logs/a.jsonl").is_none());
        assert!(unusable("logs//a").is_some());
        assert!(unusable("../etc/passwd").is_some());
        assert!(unusable("a/./b").is_some());
    }

    #[test]
    fn the_sample_is_stable_and_near_its_share() {
        let object = |i: u32| StoredObject {
            checksum: None,
            digest_from: DigestFrom::Content,
            etag: None,
            last_modified: String::new(),
            lock: None,
            url: format!("s3://b/k{i}"),
            version_id: Some("v".into()),
        };
        let picked = (0..10_000).filter(|i| sampled(&object(*i), 0.05)).count();
        assert!((400..600).contains(&picked), "{picked}");
        assert_eq!(sampled(&object(7), 0.05), sampled(&object(7), 0.05));
        assert!(!(0..1000).any(|i| sampled(&object(i), 0.0)));
    }
}
