//! Attestation and signing: who vouches for a package.
//!
//! - `attestation.intoto.json` is an in-toto Statement v1. Its subjects are the package's
//!   files (the manifest, every output, every report) with their SHA-256; its predicate
//!   summarises the assessment. It is written for every assessed package.
//! - `dossier keygen` makes an Ed25519 key pair (PKCS#8 and SPKI PEM, as OpenSSL writes
//!   them). `build --sign KEY` signs the statement as a DSSE envelope,
//!   `attestation.dsse.json`.
//! - `verify --key PUB` checks the envelope's signature over the DSSE pre-authentication
//!   encoding, then that the statement's subjects are exactly the package's files with
//!   the digests they have now.
//!
//! The key fingerprint is the SHA-256 of the raw 32-byte public key, shown as
//! `SHA256:<hex>`; it is the envelope's `keyid` and appears in the reports.

use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::diag::{Error, Problem, Result};
use crate::digest::Sha256Digest;

/// Standard base64: written with padding, read with or without it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The unsigned statement in a package.
pub const STATEMENT_FILE: &str = "attestation.intoto.json";
/// The signed envelope in a package (with `--sign`).
pub const ENVELOPE_FILE: &str = "attestation.dsse.json";
/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of dossier's assessment summary.
pub const PREDICATE_TYPE: &str = "https://dossier.dev/attestation/assessment/v1";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// One subject: a package file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Path relative to the package.
    pub name: String,
    /// `{"sha256": hex}`.
    pub digest: std::collections::BTreeMap<String, String>,
}

/// An in-toto Statement v1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The package files.
    pub subject: Vec<Subject>,
    /// Always [`PREDICATE_TYPE`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The assessment summary.
    pub predicate: Value,
}

impl Statement {
    /// A statement over `files` (package path, digest), sorted by path.
    pub fn new(files: &[(String, Sha256Digest)], predicate: Value) -> Self {
        let mut subject: Vec<Subject> = files
            .iter()
            .map(|(name, digest)| Subject {
                name: name.clone(),
                digest: [("sha256".to_string(), digest.to_string())].into(),
            })
            .collect();
        subject.sort_by(|a, b| a.name.cmp(&b.name));
        Statement { statement_type: STATEMENT_TYPE.into(), subject, predicate_type: PREDICATE_TYPE.into(), predicate }
    }

    /// Pretty JSON with a trailing newline: the bytes that are signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).expect("statement serializes");
        text.push('\n');
        text.into_bytes()
    }
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The payload's media type.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The payload, base64.
    pub payload: String,
    /// Signatures over the pre-authentication encoding.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The signing key's fingerprint.
    pub keyid: String,
    /// The Ed25519 signature, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: `DSSEv1 <len> <type> <len> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// `SHA256:<hex>` of the raw public key.
pub fn fingerprint(key: &VerifyingKey) -> String {
    format!("SHA256:{}", Sha256Digest::of(key.as_bytes()))
}

/// Writes a new key pair: `PREFIX.key` (private, mode 0600) and `PREFIX.pub`.
pub fn keygen(private: &Path, public: &Path) -> Result<String> {
    for path in [private, public] {
        if path.exists() || path.is_symlink() {
            return Err(Error::Exists { path: path.to_path_buf(), advice: "dossier will not overwrite a key" });
        }
    }
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| Error::key(private, format!("no randomness for a key: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    let private_pem = private_pem(&seed);
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Error::key(public, format!("encode: {e}")))?;
    write_private(private, private_pem.as_bytes())?;
    std::fs::write(public, public_pem.as_bytes()).map_err(|e| Error::io("write", public, e))?;
    Ok(fingerprint(&key.verifying_key()))
}

/// The private key as PKCS#8 v1 PEM (RFC 8410), the form OpenSSL reads and writes.
fn private_pem(seed: &[u8; 32]) -> String {
    const PREFIX: [u8; 16] =
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(seed);
    format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", BASE64.encode(&der))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    file.write_all(bytes).map_err(|e| Error::io("write", path, e))
}

/// Reads a PKCS#8 PEM Ed25519 private key; a key that cannot be read is a problem with
/// what the user gave.
pub fn read_private(path: &Path) -> Result<SigningKey> {
    let invalid = |message: String| Error::invalid(Problem::in_file(path, message));
    let text = std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot read this signing key: {e}")))?;
    SigningKey::from_pkcs8_pem(&text)
        .map_err(|e| invalid(format!("not an Ed25519 private key in PKCS#8 PEM ({e}); make one with `dossier keygen`")))
}

/// Reads an SPKI PEM Ed25519 public key; a key that cannot be read is a problem with what
/// the user gave.
pub fn read_public(path: &Path) -> Result<VerifyingKey> {
    let invalid = |message: String| Error::invalid(Problem::in_file(path, message));
    let text = std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot read this public key: {e}")))?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| {
        invalid(format!("not an Ed25519 public key in PEM ({e}); use the .pub file `dossier keygen` wrote"))
    })
}

/// Signs `statement` bytes into a DSSE envelope.
pub fn sign(key: &SigningKey, payload: &[u8]) -> Envelope {
    let signature = key.sign(&pae(PAYLOAD_TYPE, payload));
    Envelope {
        payload_type: PAYLOAD_TYPE.into(),
        payload: BASE64.encode(payload),
        signatures: vec![EnvelopeSignature {
            keyid: fingerprint(&key.verifying_key()),
            sig: BASE64.encode(signature.to_bytes()),
        }],
    }
}

/// Checks the envelope against `key`; returns the payload, or why it does not verify.
pub fn open(envelope: &Envelope, key: &VerifyingKey) -> std::result::Result<Vec<u8>, String> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(format!("payload type is {:?}, not {PAYLOAD_TYPE}", envelope.payload_type));
    }
    let payload = base64_decode(&envelope.payload).ok_or("the payload is not valid base64")?;
    let message = pae(&envelope.payload_type, &payload);
    let expected = fingerprint(key);
    let mut reasons = Vec::new();
    for s in &envelope.signatures {
        let Some(bytes) = base64_decode(&s.sig) else {
            reasons.push(format!("signature by {} is not valid base64", s.keyid));
            continue;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            reasons.push(format!("signature by {} is not an Ed25519 signature", s.keyid));
            continue;
        };
        if key.verify(&message, &signature).is_ok() {
            return Ok(payload);
        }
        reasons.push(if s.keyid == expected {
            format!("the signature by {} does not match the content", s.keyid)
        } else {
            format!("signed by {}, not by the given key {expected}", s.keyid)
        });
    }
    if reasons.is_empty() {
        reasons.push("the envelope has no signatures".into());
    }
    Err(reasons.join("; "))
}

/// Standard base64 decoding (with or without padding); `None` on bad input.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    BASE64.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_specification_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn the_private_key_pem_reads_back() {
        let seed = [9u8; 32];
        let key = SigningKey::from_pkcs8_pem(&private_pem(&seed)).unwrap();
        assert_eq!(key.to_bytes(), seed);
    }

    #[test]
    fn base64_round_trips() {
        for input in [&b""[..], b"f", b"fo", b"foo", b"foob", b"\xff\x00\x10"] {
            assert_eq!(base64_decode(&BASE64.encode(input)).unwrap(), input);
        }
        assert!(base64_decode("a*b").is_none());
    }

    #[test]
    fn a_signature_verifies_only_with_its_key_and_content() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let envelope = sign(&key, b"{\"a\":1}");
        assert_eq!(open(&envelope, &key.verifying_key()).unwrap(), b"{\"a\":1}");
        let err = open(&envelope, &other.verifying_key()).unwrap_err();
        assert!(err.contains("not by the given key"), "{err}");
        let mut tampered = envelope.clone();
        tampered.payload = BASE64.encode(b"{\"a\":2}");
        assert!(open(&tampered, &key.verifying_key()).unwrap_err().contains("does not match"));
    }
}
