//! JSON documents: every tool format and dossier's own shapes, as a file of each type that reads JSON.
#![no_main]

use dossier::assess::readers::{Readers, read_bytes};
use dossier::model::evidence::Facts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let readers = Readers::default();
    for evidence_type in &["bias-report", "evaluation-metrics", "model-metadata", "dataset-manifest", "risk-register", "sbom", "data-quality-report"] {
        let facts = Facts { evidence_type: Some(evidence_type.to_string()), ..Facts::unmatched() };
        let _ = read_bytes(&readers, "report.json", &facts, data);
    }
    // And as a file no rule typed: only content recognition decides.
    let _ = read_bytes(&readers, "report.json", &Facts::unmatched(), data);
});
