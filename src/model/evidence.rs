//! The evidence as collected: every file with its digest, its classification and what it
//! says, plus the links and paths that were met but not collected.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::document::Document;
use super::finding::Code;
use crate::digest::Sha256Digest;

/// One evidence file as the manifest records it. Fields are declared in sorted order:
/// the manifest's canonical form relies on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactEntry {
    /// The evidence type it was classified as, which names the evidence set it belongs
    /// to; absent for unclassified files, the run's configuration and sidecars, and in
    /// manifests of schema version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_type: Option<String>,
    /// Path relative to the evidence root, `/`-separated.
    pub path: String,
    /// SHA-256 of the content.
    pub sha256: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
    /// For an object read from an object store: the object as the store described it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<StoredObject>,
    /// For a local file whose sidecar names its write-once copy: that copy, pinned, which
    /// holds the same bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worm_copy: Option<StoredObject>,
}

/// An evidence artifact that came from an object store, pinned: the version that was read
/// and what the store said of it, including whether it is write-once. Fields are declared
/// in sorted order, as in [`ArtifactEntry`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredObject {
    /// The store's own checksum of the object, when it keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<StoreChecksum>,
    /// Where the artifact's `sha256` comes from: the bytes, downloaded and hashed, or the
    /// store's full-object SHA-256 (`--trust-store-checksums`).
    pub digest_from: DigestFrom,
    /// The store's entity tag, as it gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// When the store says the version was written (RFC 3339, UTC).
    pub last_modified: String,
    /// S3 Object Lock on this version, as the store reported it; absent for stores that
    /// have none (GCS and Azure here) and for objects the store reported no lock for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<ObjectLock>,
    /// The object's URL (`s3://bucket/key`).
    pub url: String,
    /// The version read, by which `verify` reads it again: S3's version id, GCS's
    /// generation, Azure's version id. Absent when the store keeps no versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

impl StoredObject {
    /// Whether the store keeps versions of this object: it named one, and not S3's
    /// `null` (an object written while versioning was off).
    pub fn is_versioned(&self) -> bool {
        self.version_id.as_deref().is_some_and(|v| v != "null")
    }
}

/// Where a stored artifact's digest comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DigestFrom {
    /// dossier downloaded the bytes and hashed them.
    Content,
    /// The store's full-object SHA-256, taken without downloading.
    StoreChecksum,
}

/// A checksum the store keeps of an object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreChecksum {
    /// The algorithm (`SHA256`, `CRC64NVME`, ...).
    pub algorithm: String,
    /// `FULL_OBJECT` (of the whole content) or `COMPOSITE` (of the parts' checksums).
    pub kind: String,
    /// The value as the store gives it (base64, with `-N` parts for a composite).
    pub value: String,
}

impl StoreChecksum {
    /// The object's SHA-256, when this is a full-object SHA-256.
    pub fn full_sha256(&self) -> Option<Sha256Digest> {
        use base64::Engine as _;
        if !self.algorithm.eq_ignore_ascii_case("SHA256") || self.kind != "FULL_OBJECT" {
            return None;
        }
        let bytes = base64::engine::general_purpose::STANDARD.decode(&self.value).ok()?;
        Some(Sha256Digest::from(<[u8; 32]>::try_from(bytes.as_slice()).ok()?))
    }
}

/// S3 Object Lock on one object version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    /// Whether a legal hold is on: the version cannot be deleted until it is lifted.
    pub legal_hold: bool,
    /// `COMPLIANCE` or `GOVERNANCE`, when the version has a retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Until when the retention keeps the version (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until: Option<String>,
}

/// One object-store root of the evidence, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreInfo {
    /// Bytes of the objects collected.
    pub bytes: u64,
    /// The bucket's default Object Lock retention (`COMPLIANCE, 365 days`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_retention: Option<String>,
    /// Objects downloaded and hashed.
    pub downloaded: u64,
    /// The S3-compatible endpoint read, when not AWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Whether the bucket has Object Lock enabled (S3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_lock: Option<bool>,
    /// Objects collected.
    pub objects: u64,
    /// Where the objects appear in the evidence tree (empty: at its root).
    pub path: String,
    /// Objects taken at the store's full-object SHA-256 without downloading.
    pub store_checksums: u64,
    /// The root: `s3://bucket/prefix`.
    pub url: String,
    /// The bucket's versioning: `Enabled`, `Suspended` or `Off` (S3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<String>,
}

/// One symbolic link in the evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymlinkEntry {
    /// Whether the target lies outside the evidence root.
    pub outside_root: bool,
    /// Path of the link relative to the evidence root.
    pub path: String,
    /// The link's target, as stored in the link.
    pub target: String,
}

/// One path that was met but not collected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippedEntry {
    /// Path relative to the evidence root (lossy for non-UTF-8 names).
    pub path: String,
    /// The finding code that explains why.
    pub reason: Code,
}

/// The most members an evidence set lists by name; a larger set is described by its
/// count, span and digest, and its members are listed in `manifest.json`.
pub const MAX_LISTED_MEMBERS: usize = 10;

/// Every evidence file of one evidence type, described compactly: what an output refers
/// to instead of listing the files. `manifest.json` lists the members (each entry names
/// its `evidence_type`); [`EvidenceSet::digest`] ties the two together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSet {
    /// The evidence type, or `None` for the files no rule classified.
    pub evidence_type: Option<String>,
    /// How many files.
    pub count: u64,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The glob that covers every member: their longest common directory, then `**`.
    pub pattern: String,
    /// The first member, in path order.
    pub first_path: String,
    /// The last member, in path order.
    pub last_path: String,
    /// The earliest date the members' content states.
    pub first_date: Option<NaiveDate>,
    /// The latest.
    pub last_date: Option<NaiveDate>,
    /// How many members state no date.
    pub undated: u64,
    /// SHA-256 over the members' `SHA256SUMS` lines in path order: the lines of the
    /// package's `SHA256SUMS` whose path the manifest gives this `evidence_type`.
    pub digest: Sha256Digest,
    /// Why the members got their type, with how many each reason covers.
    pub classified_by: Vec<ReasonCount>,
    /// The members by name, when there are at most [`MAX_LISTED_MEMBERS`]; empty for a
    /// larger set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<SetMember>,
}

impl EvidenceSet {
    /// The set's name as outputs show it: its evidence type, or `unclassified`.
    pub fn name(&self) -> &str {
        self.evidence_type.as_deref().unwrap_or("unclassified")
    }

    /// One line naming the set: its members when it lists them, else its count and the
    /// glob that covers them (`inference-log: 100000 files in logs/**`).
    pub fn describe(&self) -> String {
        if self.members.is_empty() {
            let files = if self.count == 1 { "file" } else { "files" };
            format!("{}: {} {files} in {}", self.name(), self.count, self.pattern)
        } else {
            let paths: Vec<&str> = self.members.iter().map(|m| m.path.as_str()).collect();
            format!("{}: {}", self.name(), paths.join(", "))
        }
    }
}

/// A reason for classification shared by some members of a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The reason, as `explain` words it.
    pub reason: String,
    /// How many members it covers.
    pub count: u64,
}

/// A member of a small evidence set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetMember {
    /// Path relative to the evidence root.
    pub path: String,
    /// Its SHA-256.
    pub sha256: Sha256Digest,
    /// Its size in bytes.
    pub size: u64,
    /// The date its content states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// Which evidence type a file is, why, and the date its content states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The evidence type, or `None` when nothing matched.
    pub evidence_type: Option<String>,
    /// Why.
    #[serde(flatten)]
    pub reason: Reason,
    /// The date the content states, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Where that date came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_source: Option<String>,
    /// The reader that read the file (a format id such as `fairlearn-metricframe`), when
    /// one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl Facts {
    /// The facts of a file no rule matched.
    pub fn unmatched() -> Self {
        Facts { evidence_type: None, reason: Reason::Unmatched, date: None, date_source: None, format: None }
    }

    /// Whether the file is evidence at all (the run's config file and sidecars are not).
    pub fn is_evidence(&self) -> bool {
        !matches!(self.reason, Reason::Config | Reason::Sidecar { .. })
    }
}

/// Why an artifact got its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Reason {
    /// A path rule in `dossier.yaml`.
    UserRule {
        /// The glob that matched.
        pattern: String,
    },
    /// A built-in path rule.
    PathRule {
        /// The glob that matched.
        pattern: String,
    },
    /// A built-in content rule.
    Content {
        /// What the rule looked for.
        rule: String,
    },
    /// A reader recognised the file's format (a tool's, or one described in
    /// `readers:`), and the format says what the file is; `format` names it.
    Format,
    /// The configuration file of this run: not evidence.
    Config,
    /// A sidecar (`FILE.dossier.yaml`) describing another file: not evidence itself.
    Sidecar {
        /// The file it describes.
        of: String,
    },
    /// The type comes from the file's sidecar.
    SidecarType {
        /// The sidecar.
        sidecar: String,
    },
    /// No rule matched.
    Unmatched,
    /// A reason this version does not know (a package written by a later one).
    #[serde(other)]
    Other,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::UserRule { pattern } => write!(f, "path matches the rule {pattern:?} in dossier.yaml"),
            Reason::PathRule { pattern } => write!(f, "path matches the built-in rule {pattern:?}"),
            Reason::Content { rule } => write!(f, "content: {rule}"),
            Reason::Format => f.write_str("content: its reader recognised the format"),
            Reason::Config => f.write_str("it is this run's dossier configuration, not evidence"),
            Reason::Sidecar { of } => write!(f, "it is the sidecar describing {of}, not evidence itself"),
            Reason::SidecarType { sidecar } => write!(f, "its sidecar {sidecar} says so"),
            Reason::Unmatched => {
                f.write_str("no path or content rule matched; add a `classification` rule to dossier.yaml")
            }
            Reason::Other => f.write_str("a rule of a later dossier version"),
        }
    }
}

/// One evidence file: its digest, its classification and, for the kinds dossier reads,
/// what it says, all read from the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ArtifactFields")]
pub struct Artifact {
    /// Path relative to the evidence root, `/`-separated.
    pub path: String,
    /// SHA-256 of the content.
    pub sha256: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
    /// Type, reason and date.
    #[serde(flatten)]
    pub facts: Facts,
    /// What the file says, for the evidence kinds dossier reads. A kind from a later
    /// dossier version reads as [`Document::Unknown`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Box<Document>>,
    /// The file's MD5, worked out only for files a DVC record names (to check it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// For an object read from an object store: the version read and what the store said
    /// of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<StoredObject>,
    /// For a local file whose sidecar names its write-once copy: that copy, pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worm_copy: Option<StoredObject>,
}

/// An artifact as `assessment.json` writes it, field by field: reading it through this
/// (rather than through the flattened classification) keeps reading a package of
/// 100,000 artifacts quick.
#[derive(Deserialize)]
struct ArtifactFields {
    path: String,
    sha256: Sha256Digest,
    size: u64,
    #[serde(default)]
    evidence_type: Option<String>,
    by: String,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    of: Option<String>,
    #[serde(default)]
    sidecar: Option<String>,
    #[serde(default)]
    date: Option<NaiveDate>,
    #[serde(default)]
    date_source: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    document: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    md5: Option<String>,
    #[serde(default)]
    stored: Option<StoredObject>,
    #[serde(default)]
    worm_copy: Option<StoredObject>,
}

impl From<ArtifactFields> for Artifact {
    fn from(a: ArtifactFields) -> Self {
        let text = |s: Option<String>| s.unwrap_or_default();
        let reason = match a.by.as_str() {
            "user-rule" => Reason::UserRule { pattern: text(a.pattern) },
            "path-rule" => Reason::PathRule { pattern: text(a.pattern) },
            "content" => Reason::Content { rule: text(a.rule) },
            "format" => Reason::Format,
            "config" => Reason::Config,
            "sidecar" => Reason::Sidecar { of: text(a.of) },
            "sidecar-type" => Reason::SidecarType { sidecar: text(a.sidecar) },
            "unmatched" => Reason::Unmatched,
            _ => Reason::Other,
        };
        // A document of a known kind whose fields do not match this version (a later one
        // changed them) reads as unknown rather than failing the whole assessment.
        let document = a.document.map(|raw| Box::new(serde_json::from_str(raw.get()).unwrap_or(Document::Unknown)));
        Artifact {
            path: a.path,
            sha256: a.sha256,
            size: a.size,
            facts: Facts {
                evidence_type: a.evidence_type,
                reason,
                date: a.date,
                date_source: a.date_source,
                format: a.format,
            },
            document,
            md5: a.md5,
            stored: a.stored,
            worm_copy: a.worm_copy,
        }
    }
}

impl Artifact {
    /// The manifest's view of the file.
    pub fn entry(&self) -> ArtifactEntry {
        let evidence_type = if self.facts.is_evidence() { self.facts.evidence_type.clone() } else { None };
        ArtifactEntry {
            evidence_type,
            path: self.path.clone(),
            sha256: self.sha256,
            size: self.size,
            stored: self.stored.clone(),
            worm_copy: self.worm_copy.clone(),
        }
    }

    /// What the file says, when dossier read it.
    pub fn document(&self) -> Option<&Document> {
        self.document.as_deref()
    }

    /// The evidence type, when the file has one.
    pub fn evidence_type(&self) -> Option<&str> {
        self.facts.evidence_type.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_artifact_reads_back_as_it_was_written() {
        let artifacts = [
            Artifact {
                path: "a.json".into(),
                sha256: Sha256Digest::of(b"a"),
                size: 1,
                md5: None,
                stored: None,
                worm_copy: None,
                facts: Facts {
                    evidence_type: Some("bias-report".into()),
                    reason: Reason::PathRule { pattern: "**/fairness/**".into() },
                    date: NaiveDate::from_ymd_opt(2026, 11, 2),
                    date_source: Some("generated_at".into()),
                    format: None,
                },
                document: Some(Box::new(Document::Sidecar(Default::default()))),
            },
            Artifact {
                path: "b.pdf.dossier.yaml".into(),
                sha256: Sha256Digest::of(b"b"),
                size: 2,
                md5: None,
                stored: None,
                worm_copy: None,
                facts: Facts { reason: Reason::Sidecar { of: "b.pdf".into() }, ..Facts::unmatched() },
                document: None,
            },
        ];
        for a in artifacts {
            let text = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<Artifact>(&text).unwrap(), a, "{text}");
        }
        let later: Artifact = serde_json::from_str(
            r#"{"path": "x", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "size": 0, "evidence_type": null, "by": "a-later-rule", "document": {"kind": "bias-report", "features": 3}}"#,
        )
        .unwrap();
        assert_eq!((later.facts.reason, later.document.as_deref()), (Reason::Other, Some(&Document::Unknown)));
    }
}
