//! Fairness reports: per sensitive feature, the groups with their disparate impact ratio
//! (stated, or worked out from the selection rates against the reference group).

use serde_json::Value;

use super::datasets::refs;
use crate::diag::yaml::line_of;
use crate::model::document::{BiasReport, Document, FeatureResult, GroupResult};
use crate::model::finding::{Code, Finding};

pub(super) fn read(path: &str, text: &str, v: &Value, findings: &mut Vec<Finding>) -> Document {
    let mut features = Vec::new();
    let feature_map: Vec<(String, &Value)> = match v.get("features").and_then(Value::as_object) {
        Some(map) => map.iter().map(|(k, f)| (k.clone(), f)).collect(),
        // A flat report for one feature: {"sensitive_feature": "sex", "metrics": ...}.
        None => {
            let name = v.get("sensitive_feature").and_then(Value::as_str).unwrap_or("sensitive feature").to_string();
            vec![(name, v)]
        }
    };
    for (name, f) in feature_map {
        let feature_line = line_of(text, &format!("\"{name}\""), 1).unwrap_or(1);
        let rates = f.pointer("/metrics/selection_rate/by_group").and_then(Value::as_object);
        let ratios = f.get("disparate_impact_ratio").and_then(Value::as_object);
        let reference = f.get("reference_group").and_then(Value::as_str).map(str::to_string).or_else(|| {
            rates.and_then(|r| {
                r.iter()
                    .filter_map(|(g, v)| v.as_f64().map(|x| (g, x)))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(g, _)| g.clone())
            })
        });
        let mut names: Vec<String> = f
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        for map in [ratios, rates].into_iter().flatten() {
            for g in map.keys() {
                if !names.contains(g) {
                    names.push(g.clone());
                }
            }
        }
        if names.is_empty() {
            findings.push(
                Finding::at(
                    Code::EvidenceIncomplete,
                    path,
                    format!("sensitive feature {name:?} lists no groups with results"),
                )
                .on_line(feature_line as u64),
            );
        }
        let ratio_line = line_of(text, "\"disparate_impact_ratio\"", feature_line).unwrap_or(feature_line);
        let reference_rate = reference.as_ref().and_then(|r| rates.and_then(|m| m.get(r)).and_then(Value::as_f64));
        let mut groups = Vec::new();
        for g in names {
            let explicit = ratios.and_then(|m| m.get(&g)).and_then(Value::as_f64);
            let computed = rates
                .and_then(|m| m.get(&g))
                .and_then(Value::as_f64)
                .zip(reference_rate)
                .and_then(|(r, base)| (base > 0.0).then(|| r / base));
            let line = line_of(text, &format!("\"{g}\""), if explicit.is_some() { ratio_line } else { feature_line })
                .map(|l| l as u64);
            let ratio = explicit.or(computed);
            if ratio.is_none() {
                findings.push(
                    Finding::at(
                        Code::EvidenceIncomplete,
                        path,
                        format!(
                            "group {g:?} of sensitive feature {name:?} has no disparate impact ratio or selection rate"
                        ),
                    )
                    .on_line(line.or(Some(feature_line as u64))),
                );
            }
            groups.push(GroupResult { name: g, disparate_impact_ratio: ratio, line });
        }
        features.push(FeatureResult {
            name,
            reference_group: reference,
            groups,
            demographic_parity_difference: f.get("demographic_parity_difference").and_then(Value::as_f64),
            equalized_odds_difference: f.get("equalized_odds_difference").and_then(Value::as_f64),
        });
    }
    Document::BiasReport(BiasReport { features, datasets: refs(v) })
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use super::*;

    #[test]
    fn ratios_explicit_or_computed_and_missing_groups_reported() {
        let text = r#"{
  "features": {
    "sex": {
      "groups": ["male", "female", "other"],
      "reference_group": "male",
      "metrics": {"selection_rate": {"by_group": {"male": 0.6, "female": 0.45}}},
      "disparate_impact_ratio": {
        "male": 1.0
      }
    }
  }
}"#;
        let (doc, findings) = read("bias.json", "bias-report", text);
        let Some(Document::BiasReport(report)) = doc else { panic!("{doc:?}") };
        let groups = &report.features[0].groups;
        assert_eq!(groups[0].disparate_impact_ratio, Some(1.0));
        assert!((groups[1].disparate_impact_ratio.unwrap() - 0.75).abs() < 1e-9);
        assert_eq!(groups[2].disparate_impact_ratio, None);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, Code::EvidenceIncomplete);
        assert!(findings[0].message.contains("\"other\""), "{}", findings[0].message);
    }

    #[test]
    fn truncated_json_is_a_finding_with_a_line() {
        let (doc, findings) = read("bias.json", "bias-report", "{\n  \"features\": {\n    \"sex\": {");
        assert!(doc.is_none());
        assert_eq!(findings[0].code, Code::EvidenceUnparseable);
        assert_eq!(findings[0].line, Some(3));
    }
}
