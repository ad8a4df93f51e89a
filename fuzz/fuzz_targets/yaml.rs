//! YAML documents: DVC records, MLflow files, sign-offs, waivers, risk registers.
#![no_main]

use dossier::assess::readers::{Readers, read_bytes};
use dossier::model::evidence::Facts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let readers = Readers::default();
    for evidence_type in &["dataset-manifest", "model-metadata", "sign-off", "waiver", "risk-register", "evaluation-metrics"] {
        let facts = Facts { evidence_type: Some(evidence_type.to_string()), ..Facts::unmatched() };
        let _ = read_bytes(&readers, "report.yaml", &facts, data);
    }
    // And as a file no rule typed: only content recognition decides.
    let _ = read_bytes(&readers, "report.yaml", &Facts::unmatched(), data);
});
