//! SHA-256 digests: the hex value type and streaming hashing through a fixed buffer.
//!
//! Hashing never reads a whole file into memory: bytes flow through a caller-owned
//! buffer, so memory stays bounded whatever the file sizes. `sha2` picks the CPU's SHA
//! extensions at run time when they are present.

use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Size of the buffer each hashing worker streams through.
pub const BUFFER_SIZE: usize = 256 * 1024;

/// A SHA-256 digest, shown and stored as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Digest(Sha256::digest(bytes).into())
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl From<[u8; 32]> for Sha256Digest {
    fn from(bytes: [u8; 32]) -> Self {
        Sha256Digest(bytes)
    }
}

impl Sha256Digest {
    /// The 64 lowercase hex digits, without going through `fmt` once per byte (digests
    /// are printed several times per artifact, so this shows up in large runs).
    pub fn to_hex(&self) -> [u8; 64] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (i, byte) in self.0.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(byte >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(byte & 0x0f)];
        }
        out
    }
}

/// Appends one `SHA256SUMS` line, in the format `sha256sum` writes and `sha256sum -c`
/// reads: `<hex>  <path>`. A path holding a backslash or a newline is escaped and the
/// line is prefixed with a backslash, as coreutils does.
pub fn push_sums_line(out: &mut String, path: &str, digest: &Sha256Digest) {
    let hex = digest.to_hex();
    let hex = std::str::from_utf8(&hex).expect("hex digits are ASCII");
    if path.contains(['\\', '\n']) {
        out.push('\\');
        out.push_str(hex);
        out.push_str("  ");
        out.push_str(&path.replace('\\', "\\\\").replace('\n', "\\n"));
    } else {
        out.push_str(hex);
        out.push_str("  ");
        out.push_str(path);
    }
    out.push('\n');
}

/// The digest of a set of files: the SHA-256 of their `SHA256SUMS` lines, fed in path
/// order. Anyone can recompute it from the package's checksum list with standard tools.
#[derive(Clone, Default)]
pub struct SetDigest {
    hasher: Sha256,
    line: String,
}

impl SetDigest {
    /// Adds the next member, in path order.
    pub fn add(&mut self, path: &str, digest: &Sha256Digest) {
        self.line.clear();
        push_sums_line(&mut self.line, path, digest);
        self.hasher.update(self.line.as_bytes());
    }

    /// The digest over every member added.
    pub fn finish(self) -> Sha256Digest {
        Sha256Digest(self.hasher.finalize().into())
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.to_hex();
        f.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

/// Why a string is not a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 digest (expected 64 lowercase hex digits): {0:?}")]
pub struct ParseDigestError(String);

impl FromStr for Sha256Digest {
    type Err = ParseDigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseDigestError(s.chars().take(80).collect());
        if s.len() != 64 {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks_exact(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or_else(bad)?;
            let lo = hex_value(pair[1]).ok_or_else(bad)?;
            out[i] = (hi << 4) | lo;
        }
        Ok(Sha256Digest(out))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The result of streaming a reader through SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashed {
    /// The digest of every byte read.
    pub digest: Sha256Digest,
    /// How many bytes were read.
    pub bytes: u64,
}

/// Streams `reader` through SHA-256 using `buf`, handing every chunk to `on_chunk` as it
/// passes (to classify, read or copy the same bytes that are hashed, with no second read).
pub fn hash_reader(
    mut reader: impl Read,
    buf: &mut [u8],
    on_chunk: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<Hashed> {
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        on_chunk(&buf[..n])?;
        bytes += n as u64;
    }
    Ok(Hashed { digest: Sha256Digest(hasher.finalize().into()), bytes })
}

/// Standard base64 with padding (RFC 4648), for `data:` URIs and Content-Security-Policy
/// hashes.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A writer that hashes every byte it passes on, so a file can be written and digested
/// in one pass without holding it in memory.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        HashingWriter { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// Flushes and returns the inner writer with the digest of everything written.
    pub fn finish(mut self) -> io::Result<(W, Hashed)> {
        self.inner.flush()?;
        Ok((self.inner, Hashed { digest: Sha256Digest(self.hasher.finalize().into()), bytes: self.bytes }))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn known_vectors() {
        assert_eq!(Sha256Digest::of(b"").to_string(), EMPTY);
        assert_eq!(
            Sha256Digest::of(b"abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn streaming_matches_one_shot_across_buffer_boundaries() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut buf = [0u8; 97];
        let mut copy = Vec::new();
        let mut chunks = 0;
        let hashed = hash_reader(&data[..], &mut buf, &mut |chunk: &[u8]| {
            chunks += 1;
            copy.extend_from_slice(chunk);
            Ok(())
        })
        .unwrap();
        assert_eq!(hashed.digest, Sha256Digest::of(&data));
        assert_eq!(hashed.bytes, data.len() as u64);
        assert_eq!(copy, data, "every hashed byte is handed on, in order");
        assert_eq!(chunks, data.len().div_ceil(97));
    }

    #[test]
    fn the_hashing_writer_digests_what_it_writes() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
        let mut w = HashingWriter::new(io::BufWriter::with_capacity(1000, Vec::new()));
        for chunk in data.chunks(333) {
            w.write_all(chunk).unwrap();
        }
        let (inner, hashed) = w.finish().unwrap();
        assert_eq!(inner.into_inner().unwrap(), data);
        assert_eq!(hashed, Hashed { digest: Sha256Digest::of(&data), bytes: data.len() as u64 });
    }

    #[test]
    fn hex_round_trip_and_rejects_bad_text() {
        let d: Sha256Digest = EMPTY.parse().unwrap();
        assert_eq!(d.to_string(), EMPTY);
        assert!("abc".parse::<Sha256Digest>().is_err());
        assert!(EMPTY.to_uppercase().parse::<Sha256Digest>().is_err());
        assert!(format!("{}g", &EMPTY[..63]).parse::<Sha256Digest>().is_err());
    }
}
