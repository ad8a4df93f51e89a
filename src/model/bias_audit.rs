//! The public summary of a bias audit that New York City Local Law 144 asks an employer
//! or employment agency to publish before using an automated employment decision tool
//! (6 RCNY §5-303): the audit date, the data and where it came from, the tool's
//! distribution date, the number of people in an unknown category, and for sex,
//! race/ethnicity and their intersections each category's applicants, selection rate
//! and impact ratio.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What `system.aedt` in `dossier.yaml` says about an automated employment decision
/// tool: the facts of its audit that no report file states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aedt {
    /// The day the employer began using the tool (the distribution date of §5-303).
    pub distribution_date: NaiveDate,
    /// Whether the audit used the employer's own historical data or test data.
    pub data_source: DataSource,
    /// What the data is: whose applications, from when, and from which jobs.
    pub data_description: String,
    /// The independent auditor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor: Option<String>,
}

/// The data a bias audit used (6 RCNY §5-301(b), (c)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DataSource {
    /// The historical data of the employer, or of several employers using the tool.
    #[default]
    Historical,
    /// Test data, when historical data is insufficient.
    Test,
}

/// The published summary, worked out from the newest bias report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasAuditSummary {
    /// The bias report the figures come from.
    pub source_path: String,
    /// Its SHA-256.
    pub source_sha256: String,
    /// The audit date: the report's own date.
    pub audit_date: Option<NaiveDate>,
    /// The tool's facts from the configuration.
    pub aedt: Aedt,
    /// People whose race/ethnicity or sex is unknown, left out of the rates.
    pub unknown_count: Option<u64>,
    /// The three kinds of category, in the order the rules list them.
    pub categories: Vec<CategoryTable>,
    /// What the summary could not show, one sentence each.
    pub gaps: Vec<String>,
}

/// One kind of category: sex, race/ethnicity, or their intersection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryTable {
    /// `sex`, `race-ethnicity` or `intersectional`.
    pub kind: CategoryKind,
    /// The sensitive feature in the report.
    pub feature: String,
    /// One row per category, unknown categories excluded.
    pub rows: Vec<CategoryRow>,
}

/// The kinds of category §5-301 asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum CategoryKind {
    /// Sex.
    Sex,
    /// Race/ethnicity.
    RaceEthnicity,
    /// Sex crossed with race/ethnicity.
    Intersectional,
}

/// One category's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    /// The category, as the report names it.
    pub category: String,
    /// Applicants in it.
    pub applicants: Option<u64>,
    /// The share of them selected.
    pub selection_rate: Option<f64>,
    /// Its selection rate divided by the highest selection rate of the kind.
    pub impact_ratio: Option<f64>,
}
