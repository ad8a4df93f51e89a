//! XML: JUnit from every writer, and XML that is not JUnit.
#![no_main]

use dossier::assess::readers::{Readers, read_bytes};
use dossier::model::evidence::Facts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let readers = Readers::default();
    for evidence_type in &["robustness-report", "red-team-report"] {
        let facts = Facts { evidence_type: Some(evidence_type.to_string()), ..Facts::unmatched() };
        let _ = read_bytes(&readers, "results.xml", &facts, data);
    }
    // And as a file no rule typed: only content recognition decides.
    let _ = read_bytes(&readers, "results.xml", &Facts::unmatched(), data);
});
