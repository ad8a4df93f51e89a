//! `manifest.json` and `SHA256SUMS`: the package's index of everything it vouches for.
//!
//! The manifest lists every evidence artifact (path, size, sha256), every symbolic link
//! (recorded, never followed), every path that could not be collected and why, and every
//! other file of the package with its digest. Its `package_digest` is the SHA-256 of the
//! manifest's canonical form (see [`Manifest::canonical_bytes`]), so a hand edit anywhere
//! in the manifest, or in any file it lists, is caught by `dossier verify`. The rendered
//! reports are the one exception: they display the package digest, so they are listed
//! in `reports`, outside the digest, and `verify` checks each against its hash.
//!
//! `SHA256SUMS` holds the same artifact digests in coreutils format, so
//! `cd EVIDENCE && sha256sum -c PACKAGE/SHA256SUMS` checks the evidence without dossier.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::digest::Sha256Digest;
use crate::model::Tool;
use crate::model::evidence::{ArtifactEntry, SkippedEntry, StoreInfo, SymlinkEntry};

/// The value of the manifest's `format` field.
pub const FORMAT: &str = "dossier-manifest";
/// The manifest schema version this build writes for evidence from directories. Version 2
/// added each artifact's `evidence_type`, the evidence set it belongs to.
pub const SCHEMA_VERSION: u32 = 2;
/// The version written when evidence came from an object store: version 3 added each
/// stored artifact's `stored` object (URL, version, lock) and `evidence.stores`.
pub const STORE_SCHEMA_VERSION: u32 = 3;
/// The oldest manifest schema version this build reads.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;
/// File name of the manifest inside a package.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the coreutils checksum list inside a package.
pub const SUMS_FILE: &str = "SHA256SUMS";
/// Directory inside a package that holds a copy of the evidence (`--include-evidence`).
pub const EVIDENCE_DIR: &str = "evidence";

/// The package manifest (schema version 2; version 1 reads as the same type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `dossier-manifest`.
    pub format: String,
    /// Schema version; readers refuse versions they do not know.
    pub schema_version: u32,
    /// The tool that wrote the package.
    pub tool: Tool,
    /// When the assessment was made (RFC 3339, UTC).
    pub assessed_at: String,
    /// The system under assessment.
    pub system: SystemRef,
    /// SHA-256 of the effective configuration in canonical JSON.
    pub config_sha256: Sha256Digest,
    /// How the evidence was collected, so `verify` can walk it the same way.
    pub evidence: EvidenceInfo,
    /// Every collected file, sorted by path.
    pub artifacts: Vec<ArtifactEntry>,
    /// Every symbolic link met, sorted by path. Links are recorded, not followed.
    pub symlinks: Vec<SymlinkEntry>,
    /// Paths that could not be collected, with the reason.
    pub skipped: Vec<SkippedEntry>,
    /// The other files of the package (reports, data, `SHA256SUMS`), sorted by path.
    pub outputs: Vec<OutputEntry>,
    /// SHA-256 of the canonical form of this manifest without this field and `reports`.
    pub package_digest: Sha256Digest,
    /// The rendered reports (`index.html`, `report.pdf`), added after sealing. They show
    /// the package digest, so they cannot be inside it; `verify` checks their hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<OutputEntry>,
}

/// The system, as named in the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemRef {
    /// System name.
    pub name: String,
    /// Release version, when configured.
    pub version: Option<String>,
}

/// Collection settings and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInfo {
    /// Number of artifacts.
    pub artifact_count: u64,
    /// The ignore patterns in force.
    pub ignore: Vec<String>,
    /// Whether hidden files were collected.
    pub include_hidden: bool,
    /// Whether a copy of the evidence is inside the package under `evidence/`.
    pub included: bool,
    /// Where the evidence was, relative to the package directory, when that can be said.
    pub root_hint: Option<String>,
    /// The object-store roots read (schema 3), in the order configured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<StoreInfo>,
    /// Sum of artifact sizes in bytes.
    pub total_bytes: u64,
}

/// One package file other than `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputEntry {
    /// Path relative to the package directory.
    pub path: String,
    /// SHA-256 of the content.
    pub sha256: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
}

impl Manifest {
    /// The canonical form the package digest is computed over: the manifest as JSON
    /// without `package_digest`, object keys sorted, no insignificant whitespace, UTF-8.
    /// For this schema (ASCII keys, integer numbers) that is the same text as RFC 8785
    /// (JCS) and as Python's `json.dumps(m, sort_keys=True, separators=(",", ":"),
    /// ensure_ascii=False)`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&CanonicalView::from(self)).expect("manifest serializes to JSON")
    }

    /// The digest this manifest should carry in `package_digest`: its canonical form,
    /// streamed through SHA-256 (a manifest of a million files is never held as text).
    pub fn compute_digest(&self) -> Sha256Digest {
        let sink = crate::digest::HashingWriter::new(std::io::sink());
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, sink);
        serde_json::to_writer(&mut out, &CanonicalView::from(self)).expect("manifest serializes to JSON");
        let hasher = out.into_inner().map_err(|e| e.into_error()).expect("a sink does not fail");
        hasher.finish().expect("a sink does not fail").1.digest
    }

    /// Sets `package_digest` from the current content.
    pub fn seal(&mut self) {
        self.package_digest = self.compute_digest();
    }

    /// Whether `package_digest` matches the content.
    pub fn is_sealed(&self) -> bool {
        self.package_digest == self.compute_digest()
    }

    /// The manifest as written to disk: pretty JSON with a trailing newline.
    pub fn to_pretty_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("manifest serializes to JSON");
        text.push('\n');
        text
    }

    /// Writes the manifest as [`Manifest::to_pretty_json`] has it, without holding it.
    pub fn write_pretty(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// The manifest minus `package_digest`, with fields declared in sorted key order, so that
/// plain compact serialization is the canonical form. The nested entry types declare
/// their fields in sorted order too; a test checks the result against [`canonical_json`].
/// Serializing this view streams straight to bytes, with no intermediate JSON tree,
/// which matters for manifests of 100,000 artifacts.
#[derive(Serialize)]
struct CanonicalView<'a> {
    artifacts: &'a [ArtifactEntry],
    assessed_at: &'a str,
    config_sha256: &'a Sha256Digest,
    evidence: &'a EvidenceInfo,
    format: &'a str,
    outputs: &'a [OutputEntry],
    schema_version: u32,
    skipped: &'a [SkippedEntry],
    symlinks: &'a [SymlinkEntry],
    system: &'a SystemRef,
    tool: &'a Tool,
}

impl<'a> From<&'a Manifest> for CanonicalView<'a> {
    fn from(m: &'a Manifest) -> Self {
        CanonicalView {
            artifacts: &m.artifacts,
            assessed_at: &m.assessed_at,
            config_sha256: &m.config_sha256,
            evidence: &m.evidence,
            format: &m.format,
            outputs: &m.outputs,
            schema_version: m.schema_version,
            skipped: &m.skipped,
            symlinks: &m.symlinks,
            system: &m.system,
            tool: &m.tool,
        }
    }
}

/// Serializes a JSON value with object keys sorted and no whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).expect("string serializes"));
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).expect("scalar serializes")),
    }
}

/// Renders `SHA256SUMS` in the format `sha256sum` writes and `sha256sum -c` reads:
/// `<hex>  <path>`; a path holding a backslash or newline is escaped and the line is
/// prefixed with a backslash, as coreutils does.
pub fn format_sums(artifacts: &[ArtifactEntry]) -> String {
    let mut out = Vec::new();
    write_sums(artifacts, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("paths are UTF-8")
}

/// Writes `SHA256SUMS` (see [`format_sums`]) line by line.
pub fn write_sums(artifacts: &[ArtifactEntry], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut line = String::with_capacity(256);
    for a in artifacts {
        line.clear();
        crate::digest::push_sums_line(&mut line, &a.path, &a.sha256);
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Parses `SHA256SUMS` text back into `(path, digest)` pairs, undoing the escaping.
pub fn parse_sums(text: &str) -> Result<Vec<(String, Sha256Digest)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (hex, path) =
            line.split_once("  ").ok_or_else(|| format!("line {}: expected `<sha256>  <path>`", i + 1))?;
        let digest = hex.parse().map_err(|e| format!("line {}: {e}", i + 1))?;
        let path = if escaped { unescape_sums_path(path) } else { path.to_string() };
        out.push((path, digest));
    }
    Ok(out)
}

fn unescape_sums_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, content: &[u8]) -> ArtifactEntry {
        ArtifactEntry {
            evidence_type: None,
            path: path.into(),
            size: content.len() as u64,
            sha256: Sha256Digest::of(content),
            stored: None,
            worm_copy: None,
        }
    }

    fn sample_manifest() -> Manifest {
        let mut m = Manifest {
            format: FORMAT.into(),
            schema_version: SCHEMA_VERSION,
            tool: Tool::current(),
            assessed_at: "2026-01-01T00:00:00Z".into(),
            system: SystemRef { name: "s\u{e9}\n\"q\"".into(), version: None },
            config_sha256: Sha256Digest::of(b"c"),
            evidence: EvidenceInfo {
                artifact_count: 2,
                ignore: vec!["*.tmp".into()],
                include_hidden: false,
                included: true,
                root_hint: Some("../ev".into()),
                stores: Vec::new(),
                total_bytes: 3,
            },
            artifacts: vec![entry("a", b"1"), entry("b/\u{1F600}", b"22")],
            symlinks: vec![SymlinkEntry { outside_root: true, path: "l".into(), target: "../x".into() }],
            skipped: vec![SkippedEntry { path: "p".into(), reason: crate::model::finding::Code::SpecialFile }],
            outputs: vec![OutputEntry { path: "SHA256SUMS".into(), sha256: Sha256Digest::of(b"s"), size: 1 }],
            package_digest: Sha256Digest::of(b""),
            reports: Vec::new(),
        };
        m.seal();
        m
    }

    #[test]
    fn canonical_view_is_the_sorted_key_form_of_the_manifest() {
        let m = sample_manifest();
        let mut value = serde_json::to_value(&m).unwrap();
        value.as_object_mut().unwrap().remove("package_digest");
        assert_eq!(String::from_utf8(m.canonical_bytes()).unwrap(), canonical_json(&value));
    }

    #[test]
    fn sealing_detects_any_edit() {
        let mut m = sample_manifest();
        assert!(m.is_sealed());
        m.artifacts[0].size += 1;
        assert!(!m.is_sealed());
        let mut m = sample_manifest();
        m.evidence.ignore.clear();
        assert!(!m.is_sealed());
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{"b": [1, {"z": 1, "a": "x\ny"}], "a": null}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":null,"b":[1,{"a":"x\ny","z":1}]}"#);
    }

    #[test]
    fn sums_escape_like_coreutils_and_round_trip() {
        let artifacts = vec![entry("a b.txt", b"1"), entry("odd\nname", b"2"), entry("back\\slash", b"3")];
        let text = format_sums(&artifacts);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("{}  a b.txt", Sha256Digest::of(b"1")));
        assert_eq!(lines[1], format!("\\{}  odd\\nname", Sha256Digest::of(b"2")));
        assert_eq!(lines[2], format!("\\{}  back\\\\slash", Sha256Digest::of(b"3")));
        let parsed = parse_sums(&text).unwrap();
        let expected: Vec<_> = artifacts.iter().map(|a| (a.path.clone(), a.sha256)).collect();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn parse_sums_rejects_garbage_with_line_number() {
        let err = parse_sums("not a sums line\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
    }
}
