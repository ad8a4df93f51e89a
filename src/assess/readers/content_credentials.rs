//! C2PA content credentials of generated outputs (images, video, audio, PDF), checked with
//! the C2PA SDK (`c2pa`): whether a manifest is there, whether its signature and its hard
//! binding to the content validate, whether its signer chains to a configured trust
//! anchor, and what it declares (generator, signer, actions, digital source type).
//!
//! The SDK reads the bytes that were hashed, gathered as they pass, and never goes to the
//! network: remote manifests and certificate revocation (OCSP) are not fetched.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::sync::Arc;

use serde_json::Value;

use super::MAX_DOCUMENT_BYTES;
use crate::collect::{ContentReader, Reading};
use crate::model::document::Document;
use crate::model::genai::ContentCredentials;

/// The media type of a file the SDK can check, by its extension.
pub(super) fn media_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "tif" | "tiff" => "image/tiff",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// Gathers a generated output's bytes, then has the SDK validate its credentials. A file
/// larger than [`MAX_DOCUMENT_BYTES`] (a video, say) is not held in memory: the SDK reads it
/// from the open file, which collection then hashes again to be sure it read the same bytes.
pub(super) struct CredentialsReader {
    media_type: &'static str,
    trust: Arc<Option<String>>,
    bytes: Vec<u8>,
    in_memory: bool,
}

impl CredentialsReader {
    pub(super) fn new(media_type: &'static str, trust: Arc<Option<String>>, size: u64) -> Self {
        Self::with_limit(media_type, trust, size, MAX_DOCUMENT_BYTES)
    }

    fn with_limit(media_type: &'static str, trust: Arc<Option<String>>, size: u64, limit: u64) -> Self {
        let in_memory = size <= limit;
        let capacity = if in_memory { size as usize } else { 0 };
        CredentialsReader { media_type, trust, bytes: Vec::with_capacity(capacity), in_memory }
    }

    fn reading(credentials: ContentCredentials) -> Reading {
        Reading {
            document: Some(Box::new(Document::ContentCredentials(credentials))),
            format: Some("c2pa-content-credentials".into()),
            ..Reading::default()
        }
    }
}

impl ContentReader for CredentialsReader {
    fn feed(&mut self, chunk: &[u8]) {
        if self.in_memory {
            self.bytes.extend_from_slice(chunk);
        }
    }

    fn needs_file(&self) -> bool {
        !self.in_memory
    }

    fn finish(self: Box<Self>) -> Reading {
        let credentials = check(self.media_type, Cursor::new(self.bytes), self.trust.as_deref());
        Self::reading(credentials)
    }

    fn finish_with_file(self: Box<Self>, file: &File) -> Reading {
        if self.in_memory {
            return self.finish();
        }
        let opened = file.try_clone().and_then(|mut f| f.seek(SeekFrom::Start(0)).map(|_| f));
        let credentials = match opened {
            Ok(f) => check(self.media_type, f, self.trust.as_deref()),
            Err(e) => ContentCredentials {
                unreadable: Some(format!("could not read the file again: {e}")),
                ..Default::default()
            },
        };
        Self::reading(credentials)
    }
}

/// The SDK's settings: trust checked against `anchors` (none: every signer is untrusted),
/// nothing fetched.
fn settings(anchors: Option<&str>) -> String {
    let mut settings = serde_json::json!({
        "verify": {"verify_trust": true, "remote_manifest_fetch": false, "ocsp_fetch": false},
    });
    if let Some(pem) = anchors {
        settings["trust"] = serde_json::json!({"trust_anchors": pem});
    }
    settings.to_string()
}

/// Validates the credentials in `stream`. The SDK parses untrusted bytes: should it panic
/// on them, the file is reported as unreadable rather than ending the build.
pub fn check(media_type: &str, stream: impl Read + Seek + Send, anchors: Option<&str>) -> ContentCredentials {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| validate(media_type, stream, anchors))).unwrap_or_else(
        |_| ContentCredentials {
            manifest: true,
            state: Some("Invalid".into()),
            failures: vec!["manifest unreadable: the C2PA SDK failed on its structure".into()],
            ..Default::default()
        },
    )
}

fn validate(media_type: &str, stream: impl Read + Seek + Send, anchors: Option<&str>) -> ContentCredentials {
    let context = match c2pa::Context::new().with_settings(settings(anchors).as_str()) {
        Ok(c) => c,
        Err(e) => {
            return ContentCredentials {
                unreadable: Some(format!("trust anchors not usable: {e}")),
                ..Default::default()
            };
        }
    };
    let reader = match c2pa::Reader::from_context(context).with_stream(media_type, stream) {
        Ok(r) => r,
        // No manifest store in the file: no credentials, which is what is being checked.
        Err(c2pa::Error::JumbfNotFound) | Err(c2pa::Error::ProvenanceMissing) => return ContentCredentials::default(),
        Err(e) => {
            return ContentCredentials {
                manifest: true,
                state: Some("Invalid".into()),
                failures: vec![format!("manifest unreadable: {e}")],
                ..Default::default()
            };
        }
    };
    let report: Value = serde_json::from_str(&reader.json()).unwrap_or_default();
    of_report(&report)
}

fn codes(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("code").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Reads the SDK's JSON report of a manifest store.
fn of_report(report: &Value) -> ContentCredentials {
    let active = report.get("active_manifest").and_then(Value::as_str);
    let manifest =
        active.and_then(|id| report.pointer(&format!("/manifests/{}", id.replace('~', "~0").replace('/', "~1"))));
    let results = report.pointer("/validation_results/activeManifest");
    let mut failures = codes(results.and_then(|r| r.get("failure")));
    // Older reports list failures under `validation_status` only.
    for code in codes(report.get("validation_status")) {
        if !failures.contains(&code) && !code.ends_with(".validated") && !code.ends_with(".match") {
            failures.push(code);
        }
    }
    let mut out = ContentCredentials {
        manifest: true,
        state: report.get("validation_state").and_then(Value::as_str).map(str::to_string),
        failures,
        successes: codes(results.and_then(|r| r.get("success"))),
        ..Default::default()
    };
    let Some(m) = manifest else { return out };
    out.claim_version = m.get("claim_version").and_then(Value::as_u64);
    let info = m.pointer("/claim_generator_info/0");
    out.generator = m.get("claim_generator").and_then(Value::as_str).map(str::to_string).or_else(|| {
        let name = info?.get("name")?.as_str()?;
        Some(match info?.get("version").and_then(Value::as_str) {
            Some(v) => format!("{name}/{v}"),
            None => name.to_string(),
        })
    });
    let signature = m.get("signature_info");
    out.signer = match (
        signature.and_then(|s| s.get("issuer")).and_then(Value::as_str),
        signature.and_then(|s| s.get("common_name")).and_then(Value::as_str),
    ) {
        (Some(org), Some(cn)) if org != cn => Some(format!("{cn}, {org}")),
        (Some(one), _) | (None, Some(one)) => Some(one.to_string()),
        (None, None) => None,
    };
    for assertion in m.get("assertions").and_then(Value::as_array).into_iter().flatten() {
        let label = assertion.get("label").and_then(Value::as_str).unwrap_or_default();
        if !label.starts_with("c2pa.actions") {
            continue;
        }
        for action in assertion.pointer("/data/actions").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = action.get("action").and_then(Value::as_str) {
                out.actions.push(name.to_string());
            }
            if let Some(source) = action.get("digitalSourceType").and_then(Value::as_str) {
                let short = source.rsplit('/').next().unwrap_or(source).to_string();
                if !out.source_types.contains(&short) {
                    out.source_types.push(short);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/genai/c2pa").join(name)
    }

    fn read_by(reader: CredentialsReader, bytes: &[u8], file: &File) -> ContentCredentials {
        let mut reader: Box<dyn ContentReader> = Box::new(reader);
        for chunk in bytes.chunks(4096) {
            reader.feed(chunk);
        }
        let reading = if reader.needs_file() { reader.finish_with_file(file) } else { reader.finish() };
        match reading.document.as_deref() {
            Some(Document::ContentCredentials(c)) => c.clone(),
            other => panic!("not credentials: {other:?}"),
        }
    }

    #[test]
    fn a_file_too_large_to_hold_is_read_from_disk_with_the_same_result() {
        let anchors = Arc::new(Some(std::fs::read_to_string(fixture("trust/root.pem")).unwrap()));
        for name in ["ai-generated.jpg", "tampered.jpg", "unsigned.jpg"] {
            let bytes = std::fs::read(fixture(name)).unwrap();
            let file = File::open(fixture(name)).unwrap();
            let size = bytes.len() as u64;
            let held = read_by(CredentialsReader::with_limit("image/jpeg", anchors.clone(), size, size), &bytes, &file);
            let streamed = CredentialsReader::with_limit("image/jpeg", anchors.clone(), size, 0);
            assert!(streamed.needs_file());
            let streamed = read_by(streamed, &bytes, &file);
            assert_eq!(held, streamed, "{name}");
        }
        let ai = read_by(
            CredentialsReader::with_limit("image/jpeg", anchors.clone(), 1, 0),
            &[],
            &File::open(fixture("ai-generated.jpg")).unwrap(),
        );
        assert!(ai.marked() && !ai.untrusted(), "{ai:?}");
    }
}
