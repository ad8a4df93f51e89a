//! Risk registers: the list of risks (under `risks`, `entries`, `register`,
//! `risk_register` or `items`, or the document itself as a list), each with what could
//! go wrong, its mitigation, the residual risk, its status and its owner.

use serde_json::Value;

use super::source::Source;
use super::text_at;
use crate::model::document::{Document, RiskEntry, RiskRegister};
use crate::model::finding::Code;

/// Keys a register keeps its list under, in the order they are tried.
const LIST_KEYS: [&str; 5] = ["risks", "entries", "register", "risk_register", "items"];

pub(super) fn read(source: &mut Source<'_>, v: &Value) -> Document {
    let found = LIST_KEYS
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_array).map(|list| (Some(k.to_string()), list)))
        .or_else(|| v.as_array().map(|list| (None, list)));
    let Some((list_key, list)) = found else {
        source.finding(
            Code::EvidenceIncomplete,
            format!("risk register has no list of risks ({})", LIST_KEYS.join(", ")),
        );
        return Document::RiskRegister(RiskRegister::default());
    };
    let entries = list
        .iter()
        .map(|r| RiskEntry {
            id: text_at(r, &["id", "risk_id"]),
            risk: text_at(r, &["risk", "title", "description", "hazard", "name"]),
            category: text_at(r, &["category"]),
            likelihood: text_at(r, &["likelihood", "probability"]),
            impact: text_at(r, &["impact", "severity"]),
            mitigation: text_at(r, &["mitigation", "mitigations", "controls", "treatment"]),
            residual: text_at(r, &["residual_risk", "residual", "residual_rating"]),
            status: text_at(r, &["status"]),
            owner: text_at(r, &["owner", "risk_owner", "accountable"]),
            carried: false,
        })
        .collect();
    Document::RiskRegister(RiskRegister { list_key, has_list: true, entries })
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use super::*;

    #[test]
    fn a_register_under_entries_is_read_like_one_under_risks() {
        for key in ["risks", "entries", "register"] {
            let text = format!(
                "{key}:\n  - id: R-1\n    title: Drift\n    controls: [monitoring, retraining]\n    residual_risk: medium\n    owner: {{name: ML lead}}\n"
            );
            let (doc, findings) = read("risk.yaml", "risk-register", &text);
            assert!(findings.is_empty(), "{findings:?}");
            let Some(Document::RiskRegister(r)) = doc else { panic!() };
            let e = &r.entries[0];
            assert_eq!(r.list_key.as_deref(), Some(key));
            assert_eq!(e.risk.as_deref(), Some("Drift"));
            assert_eq!(e.mitigation.as_deref(), Some("monitoring; retraining"));
            assert_eq!(e.owner.as_deref(), Some("ML lead"));
            assert!(e.carried, "a medium residual risk is carried");
        }
        let (_, findings) = read("risk.yaml", "risk-register", "owner: x\n");
        assert!(findings[0].message.contains("has no list of risks"));
    }
}
