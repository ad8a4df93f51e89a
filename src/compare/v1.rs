//! Reading `assessment.json` schema 1, as dossier 0.1 wrote it, into today's model.
//!
//! Schema 1 kept the documents in a list beside the artifacts, the JSON and YAML
//! documents (sign-offs, waivers, registers, manifests) as raw values, and no measures.
//! This reader joins each document to its artifact, reads the raw ones with today's
//! readers, and works out what schema 1 did not hold (measures, log statistics,
//! datasets, coverage percentages) with the same functions a build uses, so an old
//! package compares with a new one on equal terms.

use std::collections::BTreeMap;

use chrono::DateTime;
use serde::Deserialize;
use serde_json::Value;

use crate::assess::{self, readers};
use crate::digest::Sha256Digest;
use crate::model::Tool;
use crate::model::assessment::Assessment;
use crate::model::decision::{SignOffRecord, Waiver};
use crate::model::document::{
    BiasReport, Confusion, DatasetRef, Document, FeatureResult, GroupResult, LogStats, Metrics, ModelCard, TestCounts,
};
use crate::model::evidence::{Artifact, Facts};
use crate::model::finding::Finding;
use crate::model::matrix::{Coverage, FrameworkResult};
use crate::model::measure::ChecksConfig;
use crate::model::system::{System, SystemScope};
use crate::seal::manifest::Manifest;

#[derive(Deserialize)]
struct V1 {
    tool: Tool,
    assessed_at: String,
    system: System,
    config_sha256: Sha256Digest,
    frameworks: Vec<FrameworkResult>,
    artifacts: Vec<V1Artifact>,
    #[serde(default)]
    documents: Vec<V1Entry>,
    #[serde(default)]
    findings: Vec<Finding>,
    #[serde(default)]
    sign_offs: Vec<SignOffRecord>,
    #[serde(default)]
    waivers: Vec<Waiver>,
    #[serde(default)]
    checks: Option<ChecksConfig>,
}

#[derive(Deserialize)]
struct V1Artifact {
    path: String,
    sha256: Sha256Digest,
    size: u64,
    #[serde(flatten)]
    facts: Facts,
}

#[derive(Deserialize)]
struct V1Entry {
    path: String,
    evidence_type: String,
    document: Value,
}

/// A sensitive feature as schema 1 wrote it: two named aggregates, no metric map.
#[derive(Deserialize)]
struct V1Feature {
    name: String,
    reference_group: Option<String>,
    #[serde(default)]
    groups: Vec<GroupResult>,
    demographic_parity_difference: Option<f64>,
    equalized_odds_difference: Option<f64>,
}

impl From<V1Feature> for FeatureResult {
    fn from(f: V1Feature) -> Self {
        let metrics = [
            ("demographic_parity_difference", f.demographic_parity_difference),
            ("equalized_odds_difference", f.equalized_odds_difference),
        ]
        .into_iter()
        .filter_map(|(name, v)| Some((name.to_string(), v?)))
        .collect();
        FeatureResult { name: f.name, reference_group: f.reference_group, groups: f.groups, metrics }
    }
}

/// The documents of schema 1.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum V1Document {
    BiasReport {
        #[serde(default)]
        features: Vec<V1Feature>,
        #[serde(default)]
        datasets: Vec<(String, String)>,
    },
    TestResults(TestCounts),
    Metrics {
        #[serde(default)]
        metrics: BTreeMap<String, f64>,
        #[serde(default)]
        datasets: Vec<(String, String)>,
        #[serde(default)]
        confusion: Option<Confusion>,
    },
    ModelCard(ModelCard),
    Data {
        value: Value,
    },
    Log(LogStats),
    #[serde(other)]
    Unknown,
}

fn refs(pairs: Vec<(String, String)>) -> Vec<DatasetRef> {
    pairs
        .into_iter()
        .filter_map(|(name, sha)| Some(DatasetRef { name, sha256: readers::normalize_sha256(&sha)? }))
        .collect()
}

impl V1Document {
    fn into_document(self, evidence_type: &str, path: &str) -> Option<Document> {
        let document = match self {
            V1Document::BiasReport { features, datasets } => Document::BiasReport(BiasReport {
                features: features.into_iter().map(FeatureResult::from).collect(),
                overall: BTreeMap::new(),
                datasets: refs(datasets),
            }),
            V1Document::TestResults(counts) => Document::TestResults(counts),
            V1Document::Metrics { metrics, datasets, confusion } => {
                Document::Metrics(Metrics { metrics, datasets: refs(datasets), confusion, ..Metrics::default() })
            }
            V1Document::ModelCard(card) => Document::ModelCard(card),
            V1Document::Data { value } => return readers::from_value(evidence_type, path, &value),
            V1Document::Log(stats) => Document::Log(stats),
            V1Document::Unknown => Document::Unknown,
        };
        Some(document.finish())
    }
}

/// Reads a schema-1 assessment; `manifest` is its package's (for the system's name).
pub(super) fn read(bytes: &[u8], manifest: &Manifest) -> Result<Assessment, String> {
    let v1: V1 = serde_json::from_slice(bytes).map_err(|e| format!("does not match assessment schema 1 ({e})"))?;
    let mut documents: BTreeMap<String, Document> = BTreeMap::new();
    for entry in v1.documents {
        let document = serde_json::from_value::<V1Document>(entry.document)
            .ok()
            .and_then(|d| d.into_document(&entry.evidence_type, &entry.path))
            .unwrap_or(Document::Unknown);
        documents.insert(entry.path, document);
    }
    let artifacts: Vec<Artifact> = v1
        .artifacts
        .into_iter()
        .map(|a| {
            let document = documents.remove(&a.path);
            Artifact {
                path: a.path,
                sha256: a.sha256,
                size: a.size,
                md5: None,
                facts: a.facts,
                document: document.map(Box::new),
                stored: None,
                worm_copy: None,
            }
        })
        .collect();
    let mut frameworks = v1.frameworks;
    for f in &mut frameworks {
        // Schema 1 held no percentage: the coverage rule works it out from the statuses.
        f.coverage = Coverage::of(f.requirements.iter().filter(|r| !r.heading).map(|r| r.status));
    }
    let assessed_on = DateTime::parse_from_rfc3339(&v1.assessed_at)
        .map_err(|e| format!("assessed_at {:?} is not an RFC 3339 time ({e})", v1.assessed_at))?
        .date_naive();
    let scope = SystemScope::of(&v1.system, manifest.system.name.clone());
    let mut assessment = assess::conclude(assess::Concluded {
        tool: v1.tool,
        assessed_at: v1.assessed_at,
        assessed_on,
        system: v1.system,
        scope,
        applicability: Default::default(),
        config_sha256: v1.config_sha256,
        frameworks,
        artifacts,
        findings: v1.findings,
        sign_offs: v1.sign_offs,
        waivers: v1.waivers,
        checks: v1.checks.unwrap_or_default(),
        bias_audit: None,
        infrastructure: None,
    });
    assessment.schema_version = 1;
    Ok(assessment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::measure::MeasureKind;

    fn manifest() -> Manifest {
        let text = r#"{"format": "dossier-manifest", "schema_version": 1, "tool": {"name": "dossier", "version": "0.1.0"},
            "assessed_at": "2026-01-01T00:00:00Z", "system": {"name": "s", "version": null},
            "config_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "evidence": {"artifact_count": 0, "ignore": [], "include_hidden": false, "included": false, "root_hint": null, "total_bytes": 0},
            "artifacts": [], "symlinks": [], "skipped": [], "outputs": [],
            "package_digest": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#;
        serde_json::from_str(text).unwrap()
    }

    fn artifact(path: &str, evidence_type: &str) -> String {
        format!(
            r#"{{"path": "{path}", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "size": 1, "evidence_type": "{evidence_type}", "by": "unmatched"}}"#
        )
    }

    #[test]
    fn schema_one_documents_are_read_into_todays_model() {
        let text = format!(
            r#"{{"format": "dossier-assessment", "schema_version": 1, "tool": {{"name": "dossier", "version": "0.1.0"}},
               "assessed_at": "2026-01-01T00:00:00Z", "system": {{"name": "s"}},
               "config_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "verdict": "pass", "frameworks": [],
               "artifacts": [{}, {}, {}, {}],
               "documents": [
                 {{"path": "a.jsonl", "evidence_type": "override-log", "document": {{"kind": "log", "records": 10, "actions": {{"accept": 8, "override": 2}}}}}},
                 {{"path": "b.jsonl", "evidence_type": "override-log", "document": {{"kind": "log", "records": 10, "actions": {{"accept": 10}}}}}},
                 {{"path": "r.yaml", "evidence_type": "risk-register", "document": {{"kind": "data", "value": {{"entries": [{{"id": "R-1", "title": "drift", "residual": "high"}}]}}}}}},
                 {{"path": "x", "evidence_type": "y", "document": {{"kind": "from-the-future", "z": 1}}}}
               ]}}"#,
            artifact("a.jsonl", "override-log"),
            artifact("b.jsonl", "override-log"),
            artifact("r.yaml", "risk-register"),
            artifact("x", "y"),
        );
        let a = read(text.as_bytes(), &manifest()).unwrap();
        assert_eq!(a.schema_version, 1);
        let rate = a.measures.iter().find(|m| m.kind == MeasureKind::OverrideRate).unwrap();
        assert_eq!((rate.value, rate.path.as_str()), (0.1, "2 files"), "a rate over every log of the type");
        // Two logs make a small set, so they stay listed with the files read into documents.
        assert_eq!(
            a.artifacts.iter().map(|x| x.path.as_str()).collect::<Vec<_>>(),
            ["a.jsonl", "b.jsonl", "r.yaml", "x"]
        );
        let logs = a.evidence_sets.iter().find(|s| s.name() == "override-log").unwrap();
        assert_eq!((logs.count, logs.members.len()), (2, 2));
        let Some(Document::RiskRegister(r)) = a.artifacts[2].document() else { panic!("{:?}", a.artifacts[2]) };
        assert_eq!(r.entries[0].risk.as_deref(), Some("drift"));
        assert!(r.entries[0].carried);
        assert_eq!(a.artifacts[3].document(), Some(&Document::Unknown), "an unknown kind is kept as unknown");
        assert_eq!(a.scope.name, "s");
    }
}
