//! The evidence-type taxonomy: what kinds of evidence exist and how to recognise them.
//!
//! Each type (model card, bias report, ...) has path rules (gitignore-style globs,
//! case-insensitive) and content rules ("sniff" rules over the first 64 KiB of a file).
//! The data lives in `catalogs/evidence-types.yaml`, embedded in the binary.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use globset::{Glob, GlobBuilder};

use crate::diag::yaml;
use crate::diag::{Error, Problem, Result};

/// The taxonomy file, embedded.
pub const EVIDENCE_TYPES: &str = include_str!("../../catalogs/evidence-types.yaml");

/// All evidence types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// The types, in priority order (the first type whose rule matches wins).
    pub types: Vec<EvidenceType>,
}

/// One kind of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceType {
    /// Stable kebab-case id, e.g. `bias-report`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// What it is.
    pub description: String,
    /// Typical file names and formats.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Gitignore-style path globs, matched case-insensitively against root-relative paths.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Content rules, tried when no path rule of any type matched.
    #[serde(default)]
    pub sniff: Vec<SniffRule>,
    /// Whether a high-risk system must keep this evidence on write-once storage
    /// (`evidence.worm` in dossier.yaml decides for any system).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub worm: bool,
}

/// A content rule: what the start of a file must look like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SniffRule {
    /// The format the file must have.
    pub format: Format,
    /// json/yaml: top-level keys that must all be present; jsonl: in the first record;
    /// csv: in the header row.
    #[serde(default)]
    pub keys: Vec<String>,
    /// json/jsonl: top-level keys that must hold exactly these string values.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// xml: the root element's name.
    #[serde(default)]
    pub root: Option<String>,
    /// markdown: front-matter keys that must all be present.
    #[serde(default)]
    pub front_matter_keys: Vec<String>,
    /// markdown: a heading whose text equals one of these (case-insensitive).
    #[serde(default)]
    pub headings_any: Vec<String>,
    /// any format: the inspected text contains one of these words (case-insensitive).
    #[serde(default)]
    pub contains_any: Vec<String>,
}

/// File formats dossier can recognise from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Format {
    /// A JSON document.
    Json,
    /// JSON Lines: one JSON value per line.
    Jsonl,
    /// XML.
    Xml,
    /// Markdown, possibly with YAML front matter.
    Markdown,
    /// YAML.
    Yaml,
    /// Comma-separated values with a header row.
    Csv,
}

/// Compiles a path rule: gitignore-like, case-insensitive, `*` stops at `/`; a pattern
/// without `/` matches the file name at any depth.
pub fn compile_glob(pattern: &str) -> std::result::Result<Glob, globset::Error> {
    let pattern = pattern.trim_start_matches("./");
    let anchored =
        if pattern.contains('/') { pattern.trim_start_matches('/').to_string() } else { format!("**/{pattern}") };
    GlobBuilder::new(&anchored).case_insensitive(true).literal_separator(true).build()
}

impl Taxonomy {
    /// The built-in taxonomy, validated.
    pub fn builtin() -> Result<Self> {
        let taxonomy: Taxonomy = yaml::from_str(EVIDENCE_TYPES, Path::new("catalogs/evidence-types.yaml"))?;
        let problems = taxonomy.problems();
        if problems.is_empty() {
            Ok(taxonomy)
        } else {
            let file = Path::new("catalogs/evidence-types.yaml");
            Err(Error::Invalid(crate::diag::Problems(
                problems.into_iter().map(|p| Problem::in_file(file, p)).collect(),
            )))
        }
    }

    /// The type with this id.
    pub fn get(&self, id: &str) -> Option<&EvidenceType> {
        self.types.iter().find(|t| t.id == id)
    }

    /// Everything wrong with the taxonomy (duplicate ids, bad globs, xml rules without a root).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.types {
            if !seen.insert(t.id.as_str()) {
                problems.push(format!("duplicate evidence type id {:?}", t.id));
            }
            for glob in &t.paths {
                if let Err(e) = compile_glob(glob) {
                    problems.push(format!("{}: invalid path rule {glob:?}: {e}", t.id));
                }
            }
            for rule in &t.sniff {
                if rule.format == Format::Xml && rule.root.is_none() {
                    problems.push(format!("{}: an xml sniff rule needs `root`", t.id));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_is_valid_and_has_the_core_types() {
        let t = Taxonomy::builtin().unwrap();
        for id in [
            "model-card",
            "bias-report",
            "robustness-report",
            "evaluation-metrics",
            "data-profile",
            "dataset-manifest",
            "inference-log",
            "override-log",
            "oversight-plan",
            "risk-register",
            "intended-use",
            "impact-assessment",
            "incident-log",
            "monitoring-plan",
            "sign-off",
            "waiver",
            "policy",
            "infrastructure-config",
            "rag-audit-log",
        ] {
            assert!(t.get(id).is_some(), "missing evidence type {id}");
        }
    }
}
