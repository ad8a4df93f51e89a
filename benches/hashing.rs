//! Microbenchmarks of the hashing core and the manifest digest (`cargo bench`).
//!
//! Whole-run figures against coreutils and OpenSSL come from `benches/hash-throughput.sh`;
//! these isolate the pieces so a regression can be pinned to one of them.

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use dossier::digest::{self, Sha256Digest};
use dossier::model::Tool;
use dossier::model::evidence::ArtifactEntry;
use dossier::seal::manifest::{EvidenceInfo, FORMAT, Manifest, SCHEMA_VERSION, SystemRef, format_sums};

fn main() {
    divan::main();
}

/// Streaming SHA-256 through the fixed buffer, for small and large inputs.
#[divan::bench(args = [4 * 1024, 1024 * 1024, 64 * 1024 * 1024])]
fn hash_reader(bencher: Bencher, len: usize) {
    let data = vec![0x5au8; len];
    let mut buf = vec![0u8; digest::BUFFER_SIZE];
    bencher
        .counter(BytesCount::new(len))
        .bench_local(|| digest::hash_reader(black_box(&data[..]), &mut buf, &mut |_| Ok(())).unwrap());
}

fn manifest(artifacts: usize) -> Manifest {
    let artifacts = (0..artifacts)
        .map(|i| ArtifactEntry {
            evidence_type: None,
            path: format!("logs/2026/11/{:02}/audit-{i:06}.jsonl", i % 28 + 1),
            sha256: Sha256Digest::of(&i.to_le_bytes()),
            size: 4096,
            stored: None,
            worm_copy: None,
        })
        .collect();
    Manifest {
        format: FORMAT.into(),
        schema_version: SCHEMA_VERSION,
        tool: Tool::current(),
        assessed_at: "2026-11-22T00:00:00Z".into(),
        system: SystemRef { name: "bench".into(), version: Some("1.0".into()) },
        config_sha256: Sha256Digest::of(b""),
        evidence: EvidenceInfo {
            artifact_count: 0,
            ignore: Vec::new(),
            include_hidden: false,
            included: false,
            root_hint: None,
            stores: Vec::new(),
            total_bytes: 0,
        },
        artifacts,
        symlinks: Vec::new(),
        skipped: Vec::new(),
        outputs: Vec::new(),
        package_digest: Sha256Digest::of(b""),
        reports: Vec::new(),
    }
}

/// The package digest over manifests of growing size: should grow linearly.
#[divan::bench(args = [1_000, 10_000, 100_000])]
fn package_digest(bencher: Bencher, artifacts: usize) {
    let m = manifest(artifacts);
    bencher.bench_local(|| black_box(&m).compute_digest());
}

/// Writing manifest.json and SHA256SUMS text for 100,000 artifacts.
#[divan::bench]
fn render_manifest_and_sums(bencher: Bencher) {
    let m = manifest(100_000);
    bencher.bench_local(|| (black_box(&m).to_pretty_json().len(), format_sums(&m.artifacts).len()));
}
