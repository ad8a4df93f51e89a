//! Fairness reports: per sensitive feature, each group's selection rate and disparate
//! impact ratio (stated by the tool, or worked out from the selection rates against the
//! reference group), the group's other metrics, and the feature's aggregates.
//!
//! Four shapes: dossier's own (the samples), fairlearn `MetricFrame` exports, AI Fairness
//! 360's `MetricJSONExplainer` output, and SageMaker Clarify's `analysis.json`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::datasets::refs;
use super::source::{Source, in_file_order, key_position, number, string};
use crate::diag::yaml::line_of;
use crate::model::document::{BiasReport, Document, FeatureResult, GroupResult};
use crate::model::finding::Code;

/// The line of `needle` in the source, at or after line `from`.
fn line(source: &Source<'_>, needle: &str, from: usize) -> Option<u64> {
    line_of(source.text, needle, from).map(|l| l as u64)
}

/// The group with the highest selection rate: the reference when the report names none
/// (fairlearn's ratios are taken against it too).
fn most_favoured(groups: &[GroupResult]) -> Option<&GroupResult> {
    groups
        .iter()
        .filter(|g| g.selection_rate.is_some())
        .max_by(|a, b| a.selection_rate.unwrap_or(0.0).total_cmp(&b.selection_rate.unwrap_or(0.0)))
}

/// Fills in each group's ratio from the selection rates, against the reference group
/// (or the most favoured one), where the report does not state it.
pub(super) fn ratios_from_rates(reference: &mut Option<String>, groups: &mut [GroupResult]) {
    if reference.is_none() {
        *reference = most_favoured(groups).map(|g| g.name.clone());
    }
    let base = reference.as_ref().and_then(|r| groups.iter().find(|g| &g.name == r)).and_then(|g| g.selection_rate);
    for g in groups.iter_mut() {
        if g.disparate_impact_ratio.is_none()
            && let (Some(rate), Some(base)) = (g.selection_rate, base)
            && base > 0.0
        {
            g.disparate_impact_ratio = Some(rate / base);
        }
    }
}

// ---------------------------------------------------------------------------------------
// dossier's own shape

/// `features: {sex: {groups, reference_group, group_counts, metrics: {m: {by_group,
/// overall}}, disparate_impact_ratio: {group: r}, <aggregate>: x}}`, or one feature
/// flat with `sensitive_feature`. None when the document is in neither shape.
pub(super) fn native(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let feature_map: Vec<(String, &Value)> = match v.get("features").and_then(Value::as_object) {
        Some(map) => map.iter().map(|(k, f)| (k.clone(), f)).collect(),
        None => vec![(v.get("sensitive_feature").and_then(Value::as_str)?.to_string(), v)],
    };
    let mut features = Vec::new();
    let mut overall = BTreeMap::new();
    for (name, f) in feature_map {
        let feature_line = line_of(source.text, &format!("\"{name}\""), 1).unwrap_or(1);
        let per_metric = f.get("metrics").and_then(Value::as_object);
        let rates = f.pointer("/metrics/selection_rate/by_group").and_then(Value::as_object);
        let ratios = f.get("disparate_impact_ratio").and_then(Value::as_object);
        let counts = f.get("group_counts").and_then(Value::as_object);
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
            source.findings.push(
                crate::model::finding::Finding::at(
                    Code::EvidenceIncomplete,
                    source.path,
                    format!("sensitive feature {name:?} lists no groups with results"),
                )
                .on_line(feature_line as u64),
            );
        }
        let ratio_line = line_of(source.text, "\"disparate_impact_ratio\"", feature_line).unwrap_or(feature_line);
        let mut groups: Vec<GroupResult> = names
            .into_iter()
            .map(|g| {
                let explicit = ratios.and_then(|m| m.get(&g)).and_then(Value::as_f64);
                let line =
                    line(source, &format!("\"{g}\""), if explicit.is_some() { ratio_line } else { feature_line });
                let mut metrics = BTreeMap::new();
                for (metric, m) in per_metric.into_iter().flatten() {
                    if metric != "selection_rate"
                        && let Some(x) = m.get("by_group").and_then(|b| b.get(&g)).and_then(number)
                    {
                        metrics.insert(metric.clone(), x);
                    }
                }
                GroupResult {
                    selection_rate: rates.and_then(|m| m.get(&g)).and_then(Value::as_f64),
                    disparate_impact_ratio: explicit,
                    count: counts.and_then(|c| c.get(&g)).and_then(Value::as_u64),
                    metrics,
                    line,
                    name: g,
                }
            })
            .collect();
        if f.get("groups").is_none() {
            in_file_order(source.text, key_position(source.text, &name, 0), &mut groups, |g| g.name.as_str());
        }
        let mut reference = f.get("reference_group").and_then(Value::as_str).map(str::to_string);
        ratios_from_rates(&mut reference, &mut groups);
        for g in &groups {
            if g.disparate_impact_ratio.is_none() {
                source.findings.push(
                    crate::model::finding::Finding::at(
                        Code::EvidenceIncomplete,
                        source.path,
                        format!(
                            "group {:?} of sensitive feature {name:?} has no disparate impact ratio or selection rate",
                            g.name
                        ),
                    )
                    .on_line(g.line.or(Some(feature_line as u64))),
                );
            }
        }
        let mut aggregates = BTreeMap::new();
        for (key, x) in f.as_object().into_iter().flatten() {
            if let Some(x) = x.as_f64()
                && key != "disparate_impact_ratio"
            {
                aggregates.insert(key.clone(), x);
            }
        }
        for (metric, m) in per_metric.into_iter().flatten() {
            if let Some(x) = m.get("overall").and_then(number) {
                overall.entry(metric.clone()).or_insert(x);
            }
        }
        features.push(FeatureResult { name, reference_group: reference, groups, metrics: aggregates });
    }
    in_file_order(source.text, 0, &mut features, |f| f.name.as_str());
    Some(Document::BiasReport(BiasReport { features, overall, datasets: refs(v) }))
}

// ---------------------------------------------------------------------------------------
// fairlearn

/// Aggregates fairlearn's functions compute over a feature's groups.
const FAIRLEARN_AGGREGATES: [&str; 4] =
    ["demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference", "equalized_odds_ratio"];

/// A MetricFrame export: an object with `by_group` (and usually `overall`), alone or one
/// per sensitive feature.
pub(super) fn is_fairlearn(v: &Value) -> bool {
    !fairlearn_features(v).is_empty()
}

/// The exported frames, each with its feature's name.
fn fairlearn_features(v: &Value) -> Vec<(String, &Map<String, Value>)> {
    fn frame(x: &Value) -> Option<&Map<String, Value>> {
        x.as_object().filter(|m| m.get("by_group").is_some_and(Value::is_object))
    }
    let named = |m: &Map<String, Value>, fallback: &str| {
        ["sensitive_feature", "feature", "name"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str))
            .unwrap_or(fallback)
            .to_string()
    };
    if let Some(m) = frame(v) {
        return vec![(named(m, "sensitive feature"), m)];
    }
    let mut found = Vec::new();
    fn look<'v>(
        container: &'v Value,
        found: &mut Vec<(String, &'v Map<String, Value>)>,
        named: &dyn Fn(&Map<String, Value>, &str) -> String,
    ) {
        match container {
            Value::Object(map) => {
                for (key, x) in map {
                    if let Some(m) = frame(x) {
                        found.push((named(m, key), m));
                    }
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    if let Some(m) = frame(x) {
                        found.push((named(m, &format!("feature {}", i + 1)), m));
                    }
                }
            }
            _ => {}
        }
    }
    look(v, &mut found, &named);
    if found.is_empty() {
        for key in ["features", "sensitive_features", "metric_frames", "fairness"] {
            if let Some(x) = v.get(key) {
                look(x, &mut found, &named);
            }
        }
    }
    found
}

pub(super) fn fairlearn(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut overall = BTreeMap::new();
    let mut features = Vec::new();
    for (name, frame) in fairlearn_features(v) {
        let by_group = frame.get("by_group")?.as_object()?;
        let metric_names: Vec<String> = match frame.get("overall") {
            Some(Value::Object(o)) => o.keys().cloned().collect(),
            _ => Vec::new(),
        };
        let from = line_of(source.text, &format!("\"{name}\""), 1).unwrap_or(1);
        let mut groups: Vec<GroupResult> = Vec::new();
        let group = |groups: &mut Vec<GroupResult>, g: &str| -> usize {
            if let Some(i) = groups.iter().position(|x| x.name == g) {
                return i;
            }
            groups.push(GroupResult {
                name: g.to_string(),
                line: line_of(source.text, &format!("\"{g}\""), from).map(|l| l as u64),
                ..GroupResult::default()
            });
            groups.len() - 1
        };
        // `by_group` is {group: {metric: x}} (orient="index") or {metric: {group: x}}
        // (pandas' default "columns"); the metric names tell which, where `overall` names
        // them, else the selection rate does.
        let is_metric = |k: &str| metric_names.iter().any(|m| m == k) || k == "selection_rate" || k == "count";
        let columns = by_group.keys().any(|k| is_metric(k));
        let mut cells: Vec<(String, String, f64)> = Vec::new();
        for (outer, inner) in by_group {
            match inner {
                Value::Object(m) => {
                    for (k, x) in m {
                        if let Some(x) = number(x) {
                            let (g, metric) = if columns { (k, outer) } else { (outer, k) };
                            cells.push((g.clone(), metric.clone(), x));
                        }
                    }
                }
                // A frame of one metric: {group: x}.
                x => {
                    if let Some(x) = number(x) {
                        let metric = frame.get("metric").and_then(Value::as_str).unwrap_or("selection_rate");
                        cells.push((outer.clone(), metric.to_string(), x));
                    }
                }
            }
        }
        if !columns {
            // Keep the groups in file order, which is the outer order here.
            for g in by_group.keys() {
                group(&mut groups, g);
            }
        }
        for (g, metric, x) in cells {
            let i = group(&mut groups, &g);
            let target = &mut groups[i];
            match metric.as_str() {
                "selection_rate" => target.selection_rate = Some(x),
                "count" if x >= 0.0 && x.fract() == 0.0 => target.count = Some(x as u64),
                _ => {
                    target.metrics.insert(metric, x);
                }
            }
        }
        in_file_order(source.text, key_position(source.text, &name, 0), &mut groups, |g| g.name.as_str());
        let mut reference = frame.get("reference_group").and_then(Value::as_str).map(str::to_string);
        ratios_from_rates(&mut reference, &mut groups);
        let mut metrics = BTreeMap::new();
        let nested = frame.get("aggregates").and_then(Value::as_object).into_iter().flatten();
        for (k, x) in frame.iter().chain(nested) {
            if let Some(x) = x.as_f64()
                && (FAIRLEARN_AGGREGATES.contains(&k.as_str()) || k.ends_with("_difference") || k.ends_with("_ratio"))
            {
                metrics.insert(k.clone(), x);
            }
        }
        if let Some(Value::Object(o)) = frame.get("overall") {
            for (k, x) in o {
                if let Some(x) = number(x) {
                    overall.entry(k.clone()).or_insert(x);
                }
            }
        }
        features.push(FeatureResult { name, reference_group: reference, groups, metrics });
    }
    in_file_order(source.text, 0, &mut features, |f| f.name.as_str());
    (!features.is_empty()).then(|| Document::BiasReport(BiasReport { features, overall, datasets: refs(v) }))
}

// ---------------------------------------------------------------------------------------
// AI Fairness 360

/// AIF360's `MetricJSONExplainer` writes one JSON object per metric:
/// `{"metric": "Disparate Impact", "message": "...: 0.99", "numUnprivileged": ..., ...}`,
/// the value only at the end of the message. An export keeps them per protected
/// attribute (`protected_attributes: [{protected_attribute, privileged_groups,
/// unprivileged_groups, protected_attribute_map, metrics: {method: entry}}]`), or one
/// attribute's at the top level, or a bare list of entries.
fn is_explainer_entry(x: &Value) -> bool {
    x.as_object().is_some_and(|m| m.get("metric").is_some_and(Value::is_string) && m.contains_key("message"))
}

/// The attribute sections of an export: the listed ones, else the document itself.
fn aif360_sections(v: &Value) -> Vec<&Value> {
    match v.get("protected_attributes").and_then(Value::as_array) {
        Some(list) => list.iter().filter(|s| s.is_object()).collect(),
        None => vec![v],
    }
}

/// A section's explainer entries, each with its method name.
fn aif360_entries(section: &Value) -> Vec<(String, &Map<String, Value>)> {
    let named = |key: Option<&str>, m: &Map<String, Value>| {
        let display = m.get("metric").and_then(Value::as_str).unwrap_or_default();
        key.filter(|k| !k.chars().any(char::is_whitespace))
            .map(str::to_string)
            .or_else(|| aif360_name(display).map(str::to_string))
            .unwrap_or_else(|| display.to_string())
    };
    let mut out = Vec::new();
    for container in [Some(section), section.get("metrics"), section.get("explanations")].into_iter().flatten() {
        match container {
            Value::Object(map) => {
                for (k, x) in map {
                    if is_explainer_entry(x) {
                        let m = x.as_object().expect("an entry is an object");
                        out.push((named(Some(k), m), m));
                    }
                }
            }
            Value::Array(items) => {
                for x in items.iter().filter(|x| is_explainer_entry(x)) {
                    let m = x.as_object().expect("an entry is an object");
                    out.push((named(None, m), m));
                }
            }
            _ => {}
        }
    }
    out
}

pub(super) fn is_aif360(v: &Value) -> bool {
    aif360_sections(v).iter().any(|s| {
        aif360_entries(s).iter().any(|(_, m)| m.get("metric").and_then(Value::as_str).and_then(aif360_name).is_some())
    })
}

/// The explainer method's name for a metric's display name.
fn aif360_name(display: &str) -> Option<&'static str> {
    let d = display.to_ascii_lowercase();
    let names = [
        ("disparate impact", "disparate_impact"),
        ("statistical parity difference", "statistical_parity_difference"),
        ("mean difference", "statistical_parity_difference"),
        ("equal opportunity difference", "equal_opportunity_difference"),
        ("true positive rate difference", "equal_opportunity_difference"),
        ("average odds difference", "average_odds_difference"),
        ("average abs odds difference", "average_abs_odds_difference"),
        ("theil index", "theil_index"),
        ("consistency", "consistency"),
    ];
    names.iter().find(|(k, _)| d.starts_with(k)).map(|(_, n)| *n)
}

/// An entry's value: its `value` field where it has one, else the number that ends
/// its message.
fn aif360_value(entry: &Map<String, Value>) -> Option<f64> {
    if let Some(x) = entry.get("value").and_then(number) {
        return Some(x);
    }
    let message = entry.get("message")?.as_str()?;
    let tail = message.rsplit(':').next()?.trim().trim_end_matches('.');
    tail.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A group as AIF360 writes privileged and unprivileged groups: a list of
/// `{attribute: value}` conditions (the value named through the attribute map where
/// there is one), or a plain name.
fn aif360_group(v: Option<&Value>, names: Option<&Map<String, Value>>) -> Option<(Option<String>, String)> {
    match v? {
        Value::String(s) => Some((None, s.clone())),
        Value::Array(items) => aif360_group(items.first(), names),
        Value::Object(m) => {
            let parts: Vec<(String, String)> = m
                .iter()
                .filter_map(|(k, x)| {
                    let raw = string(x)?;
                    let shown = names
                        .and_then(|n| n.get(&raw).or_else(|| x.as_f64().and_then(|f| n.get(&format!("{f:.1}")))))
                        .and_then(Value::as_str)
                        .map_or(raw, str::to_string);
                    Some((k.clone(), shown))
                })
                .collect();
            let feature = (parts.len() == 1).then(|| parts[0].0.clone());
            let name = match parts.as_slice() {
                [(_, only)] => only.clone(),
                _ => parts.iter().map(|(k, x)| format!("{k}={x}")).collect::<Vec<_>>().join(", "),
            };
            Some((feature, name))
        }
        _ => None,
    }
}

fn aif360_feature(source: &Source<'_>, section: &Value) -> Option<FeatureResult> {
    let entries = aif360_entries(section);
    if entries.is_empty() {
        return None;
    }
    let mut metrics = BTreeMap::new();
    for (name, m) in &entries {
        if let Some(x) = aif360_value(m) {
            metrics.insert(name.clone(), x);
        }
    }
    let names = section.get("protected_attribute_map").and_then(Value::as_object);
    let pick = |keys: [&str; 3]| keys.iter().find_map(|k| section.get(*k));
    let unprivileged = aif360_group(pick(["unprivileged_groups", "unprivileged_group", "unprivileged"]), names);
    let privileged = aif360_group(pick(["privileged_groups", "privileged_group", "privileged"]), names);
    let feature = section
        .get("protected_attribute")
        .or_else(|| section.get("sensitive_feature"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| unprivileged.as_ref().and_then(|(f, _)| f.clone()))
        .unwrap_or_else(|| "protected attribute".into());
    let group_name = unprivileged.map_or_else(|| "unprivileged".into(), |(_, n)| n);
    let reference = privileged.map(|(_, n)| n);
    // Group sizes and selection rates, from the counts the explainer wrote beside the
    // disparate impact (or the statistical parity difference).
    let count = |which: &str| {
        entries.iter().find_map(|(_, m)| {
            ["num", "numInstances"].iter().find_map(|k| m.get(&format!("{k}{which}")).and_then(number))
        })
    };
    let positives = |which: &str| {
        entries.iter().find_map(|(name, m)| {
            matches!(name.as_str(), "disparate_impact" | "statistical_parity_difference")
                .then(|| {
                    ["numPositivePredictions", "numPositives"]
                        .iter()
                        .find_map(|k| m.get(&format!("{k}{which}")).and_then(number))
                })
                .flatten()
        })
    };
    let group = |name: String, which: &str, ratio: Option<f64>, line: Option<u64>| {
        let n = count(which);
        GroupResult {
            name,
            selection_rate: positives(which).zip(n).filter(|(_, n)| *n > 0.0).map(|(p, n)| p / n),
            disparate_impact_ratio: ratio,
            count: n.filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as u64),
            line,
            ..GroupResult::default()
        }
    };
    let from = line_of(source.text, &format!("\"{feature}\""), 1).unwrap_or(1);
    let mut groups = vec![group(
        group_name,
        "Unprivileged",
        metrics.get("disparate_impact").copied(),
        line(source, "Disparate Impact", from),
    )];
    if let Some(r) = &reference {
        groups.push(group(r.clone(), "Privileged", Some(1.0), None));
    }
    Some(FeatureResult { name: feature, reference_group: reference, groups, metrics })
}

pub(super) fn aif360(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let features: Vec<FeatureResult> =
        aif360_sections(v).into_iter().filter_map(|s| aif360_feature(source, s)).collect();
    (!features.is_empty())
        .then(|| Document::BiasReport(BiasReport { features, overall: BTreeMap::new(), datasets: refs(v) }))
}

// ---------------------------------------------------------------------------------------
// SageMaker Clarify

pub(super) fn is_clarify(v: &Value) -> bool {
    ["pre_training_bias_metrics", "post_training_bias_metrics"]
        .iter()
        .any(|k| v.get(*k).and_then(|s| s.get("facets")).is_some_and(Value::is_object))
}

/// `{pre,post}_training_bias_metrics: {label, facets: {feature: [{value_or_threshold,
/// metrics: [{name, description, value}]}]}}`: each facet value is a group, compared with
/// the rest of the dataset; `DI` is its disparate impact ratio.
pub(super) fn clarify(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut features: Vec<FeatureResult> = Vec::new();
    for stage in ["pre_training_bias_metrics", "post_training_bias_metrics"] {
        let Some(facets) = v.get(stage).and_then(|s| s.get("facets")).and_then(Value::as_object) else { continue };
        for (facet, values) in facets {
            let index = match features.iter().position(|f| &f.name == facet) {
                Some(i) => i,
                None => {
                    features.push(FeatureResult {
                        name: facet.clone(),
                        reference_group: None,
                        groups: Vec::new(),
                        metrics: BTreeMap::new(),
                    });
                    features.len() - 1
                }
            };
            let single = values.as_array().is_some_and(|a| a.len() == 1);
            for value in values.as_array().into_iter().flatten() {
                let Some(group_name) = value.get("value_or_threshold").and_then(string) else { continue };
                let feature = &mut features[index];
                let gi = match feature.groups.iter().position(|g| g.name == group_name) {
                    Some(i) => i,
                    None => {
                        feature.groups.push(GroupResult {
                            line: line(source, &format!("\"value_or_threshold\": \"{group_name}\""), 1),
                            name: group_name.clone(),
                            ..GroupResult::default()
                        });
                        feature.groups.len() - 1
                    }
                };
                for m in value.get("metrics").and_then(Value::as_array).into_iter().flatten() {
                    let (Some(name), Some(x)) =
                        (m.get("name").and_then(Value::as_str), m.get("value").and_then(number))
                    else {
                        continue;
                    };
                    let group = &mut feature.groups[gi];
                    if name == "DI" {
                        group.disparate_impact_ratio = Some(x);
                    } else {
                        group.metrics.insert(name.to_string(), x);
                    }
                    // With one facet value the facet's metrics are the feature's.
                    if single {
                        feature.metrics.insert(name.to_string(), x);
                    }
                }
            }
        }
    }
    in_file_order(source.text, 0, &mut features, |f| f.name.as_str());
    // A facet value is compared with the rest of the dataset: "not female".
    for f in &mut features {
        if let [only] = f.groups.as_slice() {
            f.reference_group = Some(format!("not {}", only.name));
        }
    }
    (!features.is_empty())
        .then(|| Document::BiasReport(BiasReport { features, overall: BTreeMap::new(), datasets: refs(v) }))
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

    #[test]
    fn a_metricframe_in_either_orientation_reads_the_same() {
        let index = r#"{"sex": {"overall": {"selection_rate": 0.5, "accuracy": 0.8},
            "by_group": {"female": {"selection_rate": 0.4, "accuracy": 0.79, "count": 90},
                         "male": {"selection_rate": 0.6, "accuracy": 0.81, "count": 110}},
            "demographic_parity_ratio": 0.6667}}"#;
        let columns = r#"{"sex": {"overall": {"selection_rate": 0.5, "accuracy": 0.8},
            "by_group": {"selection_rate": {"female": 0.4, "male": 0.6},
                         "accuracy": {"female": 0.79, "male": 0.81}, "count": {"female": 90, "male": 110}},
            "demographic_parity_ratio": 0.6667}}"#;
        for text in [index, columns] {
            let (doc, findings) = read("q3/fairness.json", "bias-report", text);
            assert!(findings.is_empty(), "{findings:?}");
            let Some(Document::BiasReport(r)) = doc else { panic!("{doc:?}") };
            let f = &r.features[0];
            assert_eq!((f.name.as_str(), f.reference_group.as_deref()), ("sex", Some("male")));
            assert_eq!(f.groups[0].name, "female");
            assert!((f.groups[0].disparate_impact_ratio.unwrap() - 0.4 / 0.6).abs() < 1e-12);
            assert_eq!((f.groups[0].count, f.groups[0].metrics["accuracy"]), (Some(90), 0.79));
            assert_eq!(f.metrics["demographic_parity_ratio"], 0.6667);
            assert_eq!(r.overall["accuracy"], 0.8);
        }
    }

    #[test]
    fn clarify_facets_are_groups_with_di() {
        let text = r#"{"version": "1.0",
          "pre_training_bias_metrics": {"label": "Target", "facets": {"Gender": [{"value_or_threshold": "0",
              "metrics": [{"name": "CI", "description": "Class Imbalance (CI)", "value": 0.3}]}]}},
          "post_training_bias_metrics": {"label": "Target", "facets": {"Gender": [{"value_or_threshold": "0",
              "metrics": [{"name": "DI", "description": "Disparate Impact (DI)", "value": 0.67},
                          {"name": "DPPL", "value": 0.12}]}]}}}"#;
        let (doc, _) = read("clarify/analysis.json", "bias-report", text);
        let Some(Document::BiasReport(r)) = doc else { panic!("{doc:?}") };
        let f = &r.features[0];
        assert_eq!((f.name.as_str(), f.groups[0].name.as_str()), ("Gender", "0"));
        assert_eq!(f.groups[0].disparate_impact_ratio, Some(0.67));
        assert_eq!((f.metrics["CI"], f.metrics["DI"]), (0.3, 0.67));
    }
}
