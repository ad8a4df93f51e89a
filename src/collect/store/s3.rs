//! The S3 API calls `object_store` does not make: the object's version, checksum and
//! Object Lock (one `HeadObject` with checksum mode on), and the bucket's versioning and
//! Object Lock configuration. Requests are signed with `object_store`'s SigV4 signer and
//! the credentials it resolved, and sent through its HTTP client, so they go where the
//! listing and the reads go, with the same credentials.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use http::{HeaderMap, Method, StatusCode};
use object_store::CredentialProvider;
use object_store::aws::{AwsAuthorizer, AwsCredential};
use object_store::client::{HttpClient, HttpRequest, HttpRequestBody, HttpResponseBody};

use crate::model::evidence::{ObjectLock, StoreChecksum};

/// Characters of a key left as they are in a request path (RFC 3986 unreserved, and `/`).
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Percent-encodes a query value.
fn encode_value(value: &str) -> String {
    encode_key(value).replace('/', "%2F")
}

/// Signed calls to one bucket's S3 API.
#[derive(Debug, Clone)]
pub struct S3Api {
    http: HttpClient,
    credentials: Arc<dyn CredentialProvider<Credential = AwsCredential>>,
    region: String,
    /// `https://bucket.s3.region.amazonaws.com`, or `ENDPOINT/bucket` for path-style.
    base: String,
}

/// What `HeadObject` says of one object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The version id (`null` for an object written while versioning was off).
    pub version_id: Option<String>,
    /// The entity tag.
    pub etag: Option<String>,
    /// The size in bytes.
    pub size: u64,
    /// When the version was written.
    pub last_modified: Option<DateTime<Utc>>,
    /// The store's checksum, when it keeps one.
    pub checksum: Option<StoreChecksum>,
    /// Object Lock, when any is reported.
    pub lock: Option<ObjectLock>,
}

/// The bucket's versioning and Object Lock.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketFacts {
    /// `Enabled`, `Suspended`, or `Off` (never enabled).
    pub versioning: String,
    /// Whether Object Lock is enabled on the bucket.
    pub object_lock: bool,
    /// The default retention: mode and period (`30 days`, `7 years`).
    pub default_retention: Option<String>,
}

/// A failed call, in a line.
pub type Failure = String;

impl S3Api {
    /// Calls to `bucket`, at `endpoint` (path-style) or AWS's own host for `region`.
    pub fn new(
        http: HttpClient,
        credentials: Arc<dyn CredentialProvider<Credential = AwsCredential>>,
        region: &str,
        endpoint: Option<&str>,
        bucket: &str,
    ) -> Self {
        let base = match endpoint {
            Some(endpoint) => format!("{}/{}", endpoint.trim_end_matches('/'), encode_key(bucket)),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
        };
        S3Api { http, credentials, region: region.to_string(), base }
    }

    async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), Failure> {
        let (status, headers, body) = self.send(method, path_and_query, headers).await?;
        let body = body.bytes().await.map_err(|e| e.to_string())?;
        Ok((status, headers, body.to_vec()))
    }

    /// Sends a signed request; the answer's body is left to stream.
    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, HeaderMap, HttpResponseBody), Failure> {
        let credential = self.credentials.get_credential().await.map_err(|e| format!("no credentials: {e}"))?;
        let mut builder = http::Request::builder().method(method).uri(format!("{}{path_and_query}", self.base));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request: HttpRequest = builder.body(HttpRequestBody::empty()).map_err(|e| e.to_string())?;
        AwsAuthorizer::new(&credential, "s3", &self.region)
            .try_authorize(&mut request, None)
            .map_err(|e| format!("could not sign the request: {e}"))?;
        let response = self.http.execute(request).await.map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        Ok((parts.status, parts.headers, body))
    }

    /// `GetObject` of `key`'s current version, with checksum mode on: what `HeadObject`
    /// would say of the version served, and its bytes as a stream, from one request (so
    /// the version named is the version read). `Ok(None)` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<(Head, HttpResponseBody)>, Failure> {
        let path = format!("/{}", encode_key(key));
        let (status, headers, body) = self.send(Method::GET, &path, &[("x-amz-checksum-mode", "ENABLED")]).await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(format!("GetObject answered {status}"));
        }
        Ok(Some((head_from(&headers), body)))
    }

    /// `HeadObject` of `key` (its current version, or `version`), with checksum mode on;
    /// `Ok(None)` when there is no such object or version.
    pub async fn head(&self, key: &str, version: Option<&str>) -> Result<Option<Head>, Failure> {
        let mut path = format!("/{}", encode_key(key));
        if let Some(v) = version {
            path.push_str(&format!("?versionId={}", encode_value(v)));
        }
        let (status, headers, _) = self.call(Method::HEAD, &path, &[("x-amz-checksum-mode", "ENABLED")]).await?;
        if status == StatusCode::NOT_FOUND || (status == StatusCode::BAD_REQUEST && version.is_some()) {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(format!("HeadObject answered {status}"));
        }
        Ok(Some(head_from(&headers)))
    }

    /// The bucket's versioning status and Object Lock configuration.
    pub async fn bucket(&self) -> Result<BucketFacts, Failure> {
        let (status, _, body) = self.call(Method::GET, "/?versioning", &[]).await?;
        if !status.is_success() {
            return Err(format!("GetBucketVersioning answered {status}"));
        }
        let versioning = xml_text(&body, "Status").unwrap_or_else(|| "Off".to_string());
        let (status, _, body) = self.call(Method::GET, "/?object-lock", &[]).await?;
        let mut facts = BucketFacts { versioning, ..BucketFacts::default() };
        if status.is_success() {
            facts.object_lock = xml_text(&body, "ObjectLockEnabled").as_deref() == Some("Enabled");
            if let Some(mode) = xml_text(&body, "Mode") {
                let period = match (xml_text(&body, "Days"), xml_text(&body, "Years")) {
                    (Some(d), _) => format!("{d} days"),
                    (None, Some(y)) => format!("{y} years"),
                    (None, None) => "no period".into(),
                };
                facts.default_retention = Some(format!("{mode}, {period}"));
            }
        } else if status != StatusCode::NOT_FOUND {
            return Err(format!("GetObjectLockConfiguration answered {status}"));
        }
        Ok(facts)
    }
}

/// Reads a `HeadObject` (or `GetObject`) response's headers.
fn head_from(headers: &HeaderMap) -> Head {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let checksum = ["SHA256", "SHA1", "CRC64NVME", "CRC32C", "CRC32"].iter().find_map(|algorithm| {
        let value = text(&format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()))?;
        // A composite checksum (of a multipart upload's parts) ends in `-PARTS`; S3 also
        // says so in `x-amz-checksum-type`, which some S3-compatible stores leave out.
        let kind = text("x-amz-checksum-type")
            .unwrap_or_else(|| if value.contains('-') { "COMPOSITE".into() } else { "FULL_OBJECT".into() });
        Some(StoreChecksum { algorithm: (*algorithm).to_string(), kind, value })
    });
    let mode = text("x-amz-object-lock-mode");
    let retain_until = text("x-amz-object-lock-retain-until-date").map(|d| normalise_time(&d));
    let legal_hold = text("x-amz-object-lock-legal-hold").is_some_and(|h| h.eq_ignore_ascii_case("ON"));
    let lock = (mode.is_some() || retain_until.is_some() || legal_hold).then_some(ObjectLock {
        legal_hold,
        mode,
        retain_until,
    });
    Head {
        version_id: text("x-amz-version-id"),
        etag: text("etag"),
        size: text("content-length").and_then(|l| l.parse().ok()).unwrap_or(0),
        last_modified: text("last-modified")
            .and_then(|d| DateTime::parse_from_rfc2822(&d).ok())
            .map(|d| d.with_timezone(&Utc)),
        checksum,
        lock,
    }
}

/// An RFC 3339 time in UTC with whole seconds, as the manifest writes times.
pub fn normalise_time(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| text.to_string())
}

/// The text of the first `<tag>` in an S3 XML answer.
fn xml_text(body: &[u8], tag: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut inside = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            quick_xml::events::Event::Start(e) => inside = e.local_name().as_ref() == tag.as_bytes(),
            quick_xml::events::Event::Text(t) if inside => {
                return Some(String::from_utf8_lossy(t.as_ref()).trim().to_string());
            }
            quick_xml::events::Event::End(_) => inside = false,
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_for_the_request_path() {
        assert_eq!(encode_key("logs/2026 11/a+b.jsonl"), "logs/2026%2011/a%2Bb.jsonl");
        assert_eq!(encode_value("3/x+y"), "3%2Fx%2By");
    }

    #[test]
    fn a_head_answer_gives_version_checksum_and_lock() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-version-id", "v1".parse().unwrap());
        headers.insert("content-length", "8".parse().unwrap());
        headers.insert("last-modified", "Thu, 03 Dec 2026 08:46:32 GMT".parse().unwrap());
        headers.insert("x-amz-checksum-sha256", "uxV4YaFk41zd6dcmsK+c4nZaj1MMNdnkVzK5TuZelVc=".parse().unwrap());
        headers.insert("x-amz-object-lock-mode", "COMPLIANCE".parse().unwrap());
        headers.insert("x-amz-object-lock-retain-until-date", "2027-12-01T00:00:00.000Z".parse().unwrap());
        headers.insert("x-amz-object-lock-legal-hold", "OFF".parse().unwrap());
        let head = head_from(&headers);
        assert_eq!(head.version_id.as_deref(), Some("v1"));
        let checksum = head.checksum.unwrap();
        assert_eq!((checksum.algorithm.as_str(), checksum.kind.as_str()), ("SHA256", "FULL_OBJECT"));
        assert!(checksum.full_sha256().is_some());
        let lock = head.lock.unwrap();
        assert_eq!(lock.retain_until.as_deref(), Some("2027-12-01T00:00:00Z"));
        assert!(!lock.legal_hold);
    }

    #[test]
    fn a_composite_checksum_is_not_taken_for_the_content() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-checksum-sha256", "uxV4YaFk41zd6dcmsK+c4nZaj1MMNdnkVzK5TuZelVc=-3".parse().unwrap());
        let checksum = head_from(&headers).checksum.unwrap();
        assert_eq!(checksum.kind, "COMPOSITE");
        assert_eq!(checksum.full_sha256(), None);
    }

    #[test]
    fn xml_answers_are_read_by_tag() {
        let body = b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
        assert_eq!(xml_text(body, "Status").as_deref(), Some("Enabled"));
        assert_eq!(xml_text(b"<VersioningConfiguration/>", "Status"), None);
    }
}
