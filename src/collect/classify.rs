//! Classification: which evidence type each artifact is, and why.
//!
//! Rules are tried in a fixed order, and the first match wins:
//! 1. the user's path rules from `dossier.yaml` (`classification`), in file order;
//! 2. the built-in path rules of each evidence type, in taxonomy order;
//! 3. the built-in content rules, matched against the file's [`Inspection`];
//! 4. otherwise the artifact is *unclassified*: listed, never dropped.
//!
//! The reason travels with the result, so `dossier explain` and the reports can say why.

use globset::{GlobMatcher, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use super::inspect::{ContentDate, Inspection};
use crate::catalog::taxonomy::{SniffRule, Taxonomy, compile_glob};
use crate::diag::{Error, Problem, Problems, Result};
use crate::model::evidence::{Facts, Reason};

/// A user path rule (`classification` in `dossier.yaml`): files matching `path` are
/// evidence of `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationRule {
    /// Gitignore-like glob relative to the evidence root, case-insensitive.
    pub path: String,
    /// Evidence type id.
    #[serde(rename = "type")]
    pub evidence_type: String,
}

/// Classifies artifacts; built once per run from the taxonomy and the user's rules.
pub struct Classifier {
    taxonomy: Taxonomy,
    user: Vec<(GlobMatcher, String, String)>,
    builtin: GlobSet,
    builtin_rules: Vec<(usize, String)>,
    config_path: Option<String>,
}

impl Classifier {
    /// Builds the classifier. `config_path` is the run's config file relative to the
    /// evidence root, when it lies inside it.
    pub fn new(taxonomy: Taxonomy, user_rules: &[ClassificationRule], config_path: Option<String>) -> Result<Self> {
        let mut user = Vec::new();
        let mut problems = Problems::default();
        for (i, rule) in user_rules.iter().enumerate() {
            let key = format!("classification[{i}]");
            if taxonomy.get(&rule.evidence_type).is_none() {
                problems.push(
                    Problem::new(format!(
                        "unknown evidence type {:?} (see `dossier catalog types`)",
                        rule.evidence_type
                    ))
                    .key(&key),
                );
            }
            match compile_glob(&rule.path) {
                Ok(glob) => user.push((glob.compile_matcher(), rule.path.clone(), rule.evidence_type.clone())),
                Err(e) => problems.push(Problem::new(format!("invalid path pattern {:?}: {e}", rule.path)).key(&key)),
            }
        }
        problems.into_result()?;
        let mut builder = GlobSetBuilder::new();
        let mut builtin_rules = Vec::new();
        for (index, t) in taxonomy.types.iter().enumerate() {
            for pattern in &t.paths {
                let glob = compile_glob(pattern)
                    .map_err(|e| Error::invalid(Problem::new(format!("evidence type {}: {e}", t.id))))?;
                builder.add(glob);
                builtin_rules.push((index, pattern.clone()));
            }
        }
        let builtin = builder
            .build()
            .map_err(|e| Error::invalid(Problem::new(format!("the built-in path rules do not compile: {e}"))))?;
        Ok(Classifier { taxonomy, user, builtin, builtin_rules, config_path })
    }

    /// The evidence-type taxonomy the classifier uses.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Inspects the head of a file and classifies it; the inspection comes back too, for
    /// choosing the file's reader.
    pub fn classify_head(&self, path: &str, head: &[u8], complete: bool) -> (Facts, Inspection) {
        let inspection = Inspection::of(path, head, complete);
        let (evidence_type, reason) = self.decide(path, &inspection, head);
        let (date, date_source) = match &inspection.date {
            Some(ContentDate { date, source }) => (Some(*date), Some(source.clone())),
            None => (None, None),
        };
        (Facts { evidence_type, reason, date, date_source, format: None }, inspection)
    }

    fn decide(&self, path: &str, inspection: &Inspection, head: &[u8]) -> (Option<String>, Reason) {
        if self.config_path.as_deref() == Some(path) {
            return (None, Reason::Config);
        }
        for (matcher, pattern, evidence_type) in &self.user {
            if matcher.is_match(path) {
                return (Some(evidence_type.clone()), Reason::UserRule { pattern: pattern.clone() });
            }
        }
        if let Some(first) = self.builtin.matches(path).into_iter().min_by_key(|&i| (self.builtin_rules[i].0, i)) {
            let (index, pattern) = &self.builtin_rules[first];
            return (Some(self.taxonomy.types[*index].id.clone()), Reason::PathRule { pattern: pattern.clone() });
        }
        // Lowercased text for `contains_any`, made only if a rule gets that far.
        let lower = std::cell::OnceCell::new();
        let text = || lower.get_or_init(|| String::from_utf8_lossy(head).to_lowercase());
        for t in &self.taxonomy.types {
            if let Some(rule) = t.sniff.iter().find(|r| rule_matches(r, inspection, &text)) {
                return (Some(t.id.clone()), Reason::Content { rule: describe(rule) });
            }
        }
        (None, Reason::Unmatched)
    }
}

fn rule_matches<'a>(rule: &SniffRule, i: &Inspection, text: &dyn Fn() -> &'a String) -> bool {
    i.format == Some(rule.format)
        && rule.keys.iter().all(|k| i.keys.contains(k))
        && rule.values.iter().all(|(k, v)| i.values.get(k) == Some(v))
        && rule.root.as_ref().is_none_or(|r| i.xml_root.as_deref() == Some(r.to_ascii_lowercase().as_str()))
        && rule.front_matter_keys.iter().all(|k| i.front_matter_keys.contains(k))
        && (rule.headings_any.is_empty() || rule.headings_any.iter().any(|h| i.headings.contains(&h.to_lowercase())))
        && (rule.contains_any.is_empty() || rule.contains_any.iter().any(|w| text().contains(&w.to_lowercase())))
}

fn describe(rule: &SniffRule) -> String {
    let mut parts = vec![format!("{} file", rule.format)];
    if let Some(root) = &rule.root {
        parts.push(format!("with root element <{root}>"));
    }
    if !rule.keys.is_empty() {
        parts.push(format!("with keys {}", rule.keys.join(", ")));
    }
    for (k, v) in &rule.values {
        parts.push(format!("where {k} = {v:?}"));
    }
    if !rule.front_matter_keys.is_empty() {
        parts.push(format!("with front matter keys {}", rule.front_matter_keys.join(", ")));
    }
    if !rule.headings_any.is_empty() {
        parts.push(format!("with a heading among {}", rule.headings_any.join(", ")));
    }
    if !rule.contains_any.is_empty() {
        parts.push(format!("mentioning one of {}", rule.contains_any.join(", ")));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier(rules: &[ClassificationRule]) -> Classifier {
        Classifier::new(Taxonomy::builtin().unwrap(), rules, Some("dossier.yaml".into())).unwrap()
    }

    #[test]
    fn globs_are_case_insensitive_and_bare_names_match_at_any_depth() {
        let g = compile_glob("model_card*.md").unwrap().compile_matcher();
        assert!(g.is_match("docs/deep/MODEL_CARD_v2.md"));
        assert!(!g.is_match("docs/model_card.json"));
        let g = compile_glob("reports/*.json").unwrap().compile_matcher();
        assert!(g.is_match("reports/a.json"));
        assert!(!g.is_match("reports/sub/a.json"));
    }

    #[test]
    fn user_rules_win_and_the_config_file_is_not_evidence() {
        let rule = ClassificationRule { path: "reports/fairness/*.json".into(), evidence_type: "bias-report".into() };
        let c = classifier(&[rule]);
        let facts = c.classify_head("reports/fairness/q3.json", b"{}", true).0;
        assert_eq!(facts.evidence_type.as_deref(), Some("bias-report"));
        assert!(matches!(facts.reason, Reason::UserRule { .. }));
        assert_eq!(c.classify_head("dossier.yaml", b"system: {}", true).0.reason, Reason::Config);
    }

    #[test]
    fn misnamed_pytest_junit_is_recognised_by_content() {
        let c = classifier(&[]);
        let head = b"<?xml version=\"1.0\"?><testsuites><testsuite name=\"pytest\" timestamp=\"2026-11-02T09:00:00\"><testcase classname=\"tests.robustness.test_adversarial\" name=\"test_fgsm\"/></testsuite></testsuites>";
        let facts = c.classify_head("eval/results.xml", head, true).0;
        assert_eq!(facts.evidence_type.as_deref(), Some("robustness-report"), "{facts:?}");
        assert!(matches!(facts.reason, Reason::Content { .. }));
        assert_eq!(facts.date, chrono::NaiveDate::from_ymd_opt(2026, 11, 2));
    }

    #[test]
    fn unknown_files_are_unclassified_with_advice() {
        let facts = classifier(&[]).classify_head("misc/notes.txt", b"hello", true).0;
        assert_eq!(facts.evidence_type, None);
        assert!(facts.reason.to_string().contains("classification"));
    }

    #[test]
    fn bad_user_rules_are_reported_together() {
        let rules = [
            ClassificationRule { path: "a/{b".into(), evidence_type: "model-card".into() },
            ClassificationRule { path: "x.json".into(), evidence_type: "bias-reprot".into() },
        ];
        let err = Classifier::new(Taxonomy::builtin().unwrap(), &rules, None).err().unwrap().to_string();
        assert!(err.contains("classification[0]: invalid path pattern"), "{err}");
        assert!(err.contains("classification[1]: unknown evidence type \"bias-reprot\""), "{err}");
    }
}
