//! Microbenchmarks of the report pieces that grow with the evidence (`cargo bench`).
//!
//! Whole-run render times (HTML and PDF, samples and 100,000-artifact trees) come from
//! `benches/render.sh`; these isolate the making of evidence sets, which is the one step
//! after collection whose input is every artifact, and the Markdown rendering of evidence.

use divan::{Bencher, black_box};
use dossier::assess::sets;
use dossier::digest::Sha256Digest;
use dossier::markdown;
use dossier::model::evidence::{Artifact, Facts, Reason};

fn main() {
    divan::main();
}

fn artifacts(n: usize) -> Vec<Artifact> {
    let mut all: Vec<Artifact> = (0..n)
        .map(|i| Artifact {
            path: format!(
                "logs/inference/{}/{:02}/{:02}/audit-{:03}.jsonl",
                2024 + i / 146_000,
                i / 12_000 % 12 + 1,
                i / 400 % 28 + 1,
                i % 400
            ),
            sha256: Sha256Digest::of(&i.to_le_bytes()),
            size: 512,
            md5: None,
            stored: None,
            worm_copy: None,
            facts: Facts {
                evidence_type: Some("inference-log".into()),
                reason: Reason::PathRule { pattern: "**/logs/inference/**".into() },
                date: None,
                date_source: None,
                format: None,
            },
            document: None,
        })
        .collect();
    all.sort_by(|a, b| a.path.cmp(&b.path));
    all
}

/// Making the evidence sets (counts, spans, set digests): should grow linearly with the
/// artifacts.
#[divan::bench(args = [10_000, 100_000])]
fn evidence_sets(bencher: Bencher, n: usize) {
    let all = artifacts(n);
    bencher.bench_local(|| sets::of(black_box(&all)));
}

const MODEL_CARD: &str = include_str!("../evidence-samples/credit-scoring/model_card.md");

/// The sample model card to sanitised HTML.
#[divan::bench]
fn markdown_html() -> String {
    markdown::to_html(black_box(MODEL_CARD))
}

/// The sample model card to Typst blocks.
#[divan::bench]
fn markdown_blocks() -> usize {
    markdown::to_blocks(black_box(MODEL_CARD)).len()
}
