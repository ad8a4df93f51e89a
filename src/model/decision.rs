//! Human decisions recorded as evidence, as the assessment takes them: the sign-offs it
//! read and the waivers in force on the assessment date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::document::SignOff;

/// A sign-off and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SignOffRecord {
    /// The sign-off file.
    pub path: String,
    /// Who signed (one reviewer, or approvers joined by commas).
    #[serde(default)]
    pub reviewer: Option<String>,
    /// The reviewer's role, when given.
    #[serde(default)]
    pub role: Option<String>,
    /// The decision as written, lower-cased.
    #[serde(default)]
    pub decision: Option<String>,
    /// When, as written.
    #[serde(default)]
    pub date: Option<String>,
    /// The version the sign-off is for.
    #[serde(default)]
    pub version: Option<String>,
    /// Whether the decision is an approval.
    #[serde(default)]
    pub approved: bool,
}

impl SignOffRecord {
    /// The sign-off in `path`.
    pub fn new(path: &str, s: &SignOff) -> Self {
        SignOffRecord {
            path: path.to_string(),
            reviewer: s.reviewer.clone(),
            role: s.role.clone(),
            decision: s.decision.clone(),
            date: s.date.clone(),
            version: s.version.clone(),
            approved: s.approved,
        }
    }
}

/// A waiver in force.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Waiver {
    /// The waiver file.
    pub path: String,
    /// Requirement ids it waives.
    pub requirements: Vec<String>,
    /// Why.
    #[serde(default)]
    pub justification: String,
    /// Who approved it.
    #[serde(default)]
    pub approver: String,
    /// Last day it holds.
    pub expires: NaiveDate,
}
