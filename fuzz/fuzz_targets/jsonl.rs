//! JSON Lines: plain logs, Data Capture, Bedrock, OTLP, garak, streamed in uneven chunks.
#![no_main]

use dossier::assess::readers::{Readers, read_bytes};
use dossier::model::evidence::Facts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let readers = Readers::default();
    for evidence_type in &["inference-log", "rag-audit-log", "override-log", "red-team-report"] {
        let facts = Facts { evidence_type: Some(evidence_type.to_string()), ..Facts::unmatched() };
        let _ = read_bytes(&readers, "log.jsonl", &facts, data);
    }
    // And as a file no rule typed: only content recognition decides.
    let _ = read_bytes(&readers, "log.jsonl", &Facts::unmatched(), data);
});
