//! The NYC Local Law 144 bias-audit summary, worked out once from the newest bias report
//! for every output that shows it.
//!
//! The report's sensitive features are sorted into the three kinds of category the
//! rules ask for by their names: a feature naming both sex (or gender) and race (or
//! ethnicity) is the intersection, one naming only one of them is that kind. Groups
//! called unknown (or not reported, undisclosed, declined) are left out of the rates and
//! counted apart. The impact ratio is the rule's own: a category's selection rate over
//! the highest selection rate among the known categories of its kind, whatever
//! reference group the report used.

use crate::model::bias_audit::{Aedt, BiasAuditSummary, CategoryKind, CategoryRow, CategoryTable};
use crate::model::document::{Document, FeatureResult, GroupResult};
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding};

/// The summary from the newest bias report among `artifacts` (by its date, then path),
/// with a finding for each thing it cannot show; none without a bias report.
pub fn summarise(aedt: &Aedt, artifacts: &[Artifact]) -> (Option<BiasAuditSummary>, Vec<Finding>) {
    let newest = artifacts
        .iter()
        .filter_map(|a| match a.document() {
            Some(Document::BiasReport(report)) => Some((a, report)),
            _ => None,
        })
        .max_by(|(a, _), (b, _)| (a.facts.date, &b.path).cmp(&(b.facts.date, &a.path)));
    let Some((artifact, report)) = newest else { return (None, Vec::new()) };
    let mut categories = Vec::new();
    let mut unknown_count: Option<u64> = None;
    let mut gaps = Vec::new();
    for kind in [CategoryKind::Sex, CategoryKind::RaceEthnicity, CategoryKind::Intersectional] {
        let Some(feature) = report.features.iter().find(|f| kind_of(&f.name) == Some(kind)) else {
            gaps.push(format!("the report has no {} categories", describe(kind)));
            continue;
        };
        let unknown: Vec<&GroupResult> = feature.groups.iter().filter(|g| is_unknown(&g.name)).collect();
        if !unknown.is_empty() {
            let counted: Option<u64> = unknown.iter().map(|g| g.count).sum();
            unknown_count = unknown_count.max(counted);
        }
        if feature.groups.iter().any(|g| g.count.is_none()) {
            gaps.push(format!(
                "the {} categories of feature {:?} give no applicant counts",
                describe(kind),
                feature.name
            ));
        }
        categories.push(table(kind, feature));
    }
    if artifact.facts.date.is_none() {
        gaps.push("the report states no date, so the audit date is unknown".to_string());
    }
    let findings = gaps
        .iter()
        .map(|gap| Finding::at(Code::BiasAuditIncomplete, artifact.path.clone(), format!("bias-audit summary: {gap}")))
        .collect();
    let summary = BiasAuditSummary {
        source_path: artifact.path.clone(),
        source_sha256: artifact.sha256.to_string(),
        audit_date: artifact.facts.date,
        aedt: aedt.clone(),
        unknown_count,
        categories,
        gaps,
    };
    (Some(summary), findings)
}

fn describe(kind: CategoryKind) -> &'static str {
    match kind {
        CategoryKind::Sex => "sex",
        CategoryKind::RaceEthnicity => "race/ethnicity",
        CategoryKind::Intersectional => "intersectional (sex by race/ethnicity)",
    }
}

/// Which kind of category a sensitive feature holds, by its name.
fn kind_of(feature: &str) -> Option<CategoryKind> {
    let name = feature.to_ascii_lowercase();
    let sex = name.contains("sex") || name.contains("gender");
    let race = name.contains("race") || name.contains("ethnic");
    match (sex, race) {
        (true, true) => Some(CategoryKind::Intersectional),
        (true, false) => Some(CategoryKind::Sex),
        (false, true) => Some(CategoryKind::RaceEthnicity),
        (false, false) => None,
    }
}

/// Whether a group is an unknown category (in an intersection, any unknown part).
fn is_unknown(group: &str) -> bool {
    let name = group.to_ascii_lowercase();
    ["unknown", "not reported", "not_reported", "undisclosed", "declined", "prefer not"]
        .iter()
        .any(|u| name.contains(u))
}

fn table(kind: CategoryKind, feature: &FeatureResult) -> CategoryTable {
    let known: Vec<&GroupResult> = feature.groups.iter().filter(|g| !is_unknown(&g.name)).collect();
    let highest = known
        .iter()
        .filter_map(|g| g.selection_rate)
        .fold(None, |max: Option<f64>, r| Some(max.map_or(r, |m| m.max(r))));
    let rows = known
        .iter()
        .map(|g| CategoryRow {
            category: g.name.clone(),
            applicants: g.count,
            selection_rate: g.selection_rate,
            impact_ratio: match (g.selection_rate, highest) {
                (Some(rate), Some(top)) if top > 0.0 => Some(rate / top),
                _ => None,
            },
        })
        .collect();
    CategoryTable { kind, feature: feature.name.clone(), rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_sort_into_the_three_kinds() {
        assert_eq!(kind_of("sex"), Some(CategoryKind::Sex));
        assert_eq!(kind_of("Gender"), Some(CategoryKind::Sex));
        assert_eq!(kind_of("race_ethnicity"), Some(CategoryKind::RaceEthnicity));
        assert_eq!(kind_of("sex_race_ethnicity"), Some(CategoryKind::Intersectional));
        assert_eq!(kind_of("age_band"), None);
        assert!(is_unknown("Female / Unknown") && is_unknown("Not reported") && !is_unknown("Asian"));
    }

    #[test]
    fn impact_ratios_are_over_the_highest_known_rate() {
        let group = |name: &str, rate: f64| GroupResult {
            name: name.into(),
            selection_rate: Some(rate),
            count: Some(10),
            ..GroupResult::default()
        };
        let feature = FeatureResult {
            name: "race".into(),
            reference_group: Some("B".into()),
            groups: vec![group("A", 0.5), group("B", 0.4), group("Unknown", 0.9)],
            metrics: Default::default(),
        };
        let t = table(CategoryKind::RaceEthnicity, &feature);
        let ratios: Vec<(String, Option<f64>)> = t.rows.iter().map(|r| (r.category.clone(), r.impact_ratio)).collect();
        assert_eq!(ratios, vec![("A".into(), Some(1.0)), ("B".into(), Some(0.8))]);
    }
}
