//! The traceability matrix: requirement -> evidence needed -> artifacts found -> status,
//! per framework, with the coverage counts.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a requirement stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    /// Every needed evidence type is present, and fresh where freshness matters.
    Satisfied,
    /// Some, not all, of the needed evidence is present.
    Partial,
    /// No needed evidence is present.
    Missing,
    /// The evidence is present but older than the requirement allows.
    Stale,
    /// The requirement does not apply to this system's risk category or role.
    NotApplicable,
    /// The requirement will apply to this system, from a date that has not come yet.
    NotYetApplicable,
    /// Evidence is present but a check or policy failed it.
    Failed,
    /// Not satisfied, but covered by a waiver in force.
    Waived,
}

impl Status {
    /// The kebab-case name, as in every output.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether the status is a gap: partial, stale, missing or failed.
    pub fn is_gap(self) -> bool {
        self.badness() >= 2
    }

    /// Whether a requirement that was `before` and is `self` now got worse: it is a gap,
    /// and a worse one than before (a waiver is a decision, not a gap).
    pub fn regressed_from(self, before: Status) -> bool {
        self.is_gap() && self.badness() > before.badness()
    }

    /// Whether a requirement that was `before` and is `self` now was fixed: a gap before,
    /// met now.
    pub fn fixed_from(self, before: Status) -> bool {
        before.is_gap() && self.is_met()
    }

    /// Whether the requirement is met: satisfied, or not one that applies.
    pub fn is_met(self) -> bool {
        self.badness() == 0
    }

    /// How bad a status is, for deciding what got worse: met, waived, then the gaps.
    pub fn badness(self) -> u8 {
        match self {
            Status::Satisfied | Status::NotApplicable | Status::NotYetApplicable => 0,
            Status::Waived => 1,
            Status::Partial => 2,
            Status::Stale => 3,
            Status::Missing => 4,
            Status::Failed => 5,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which application dates an assessment uses, and whether obligations whose date has
/// not come are assessed ahead of time (`applicability` in `dossier.yaml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Applicability {
    /// The dates as adopted, or as amended.
    pub timeline: Timeline,
    /// Assess every obligation as if its date had come (the readiness view); the rows
    /// still show the date.
    pub readiness: bool,
}

/// Which application dates count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Timeline {
    /// The dates as the law stands today, amendments included (the default).
    #[default]
    Amended,
    /// The dates as first adopted.
    Original,
}

/// Whether a catalog covers all of its framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Completeness {
    /// Every item of the framework is present.
    Complete,
    /// Only part of the framework is present.
    Partial,
}

/// How a requirement's evidence needs combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceMode {
    /// Every need must be met.
    #[default]
    All,
    /// One met need is enough.
    Any,
}

/// One framework's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkResult {
    /// Catalog id.
    pub id: String,
    /// Catalog title.
    pub title: String,
    /// Framework version.
    pub version: String,
    /// When the catalog was last checked.
    pub as_of: NaiveDate,
    /// Whether the catalog covers the whole framework.
    pub completeness: Completeness,
    /// Whether the framework is law for this system (missing evidence is an error).
    pub binding: bool,
    /// `built-in` or the catalog file.
    pub origin: String,
    /// Counts by status over requirements that carry evidence (headings excluded).
    pub coverage: Coverage,
    /// Every requirement, in catalog order.
    pub requirements: Vec<RequirementResult>,
}

/// Counts of requirements by status, and the coverage they make.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Requirements that apply to this system.
    pub applicable: u32,
    /// Of those, satisfied.
    pub satisfied: u32,
    /// Partly evidenced.
    pub partial: u32,
    /// Stale.
    pub stale: u32,
    /// Without evidence.
    pub missing: u32,
    /// Failed by a check or policy.
    pub failed: u32,
    /// Covered by a waiver.
    pub waived: u32,
    /// Requirements that do not apply.
    pub not_applicable: u32,
    /// Requirements that will apply from a later date (not counted as applicable).
    #[serde(default)]
    pub not_yet_applicable: u32,
    /// Satisfied requirements as a whole percentage of the applicable ones, rounded
    /// down; 100 when none applies. Waived requirements are not satisfied.
    #[serde(default)]
    pub percent: u32,
}

impl Coverage {
    /// Counts the statuses of `statuses`.
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Coverage {
        let mut c = Coverage::default();
        for status in statuses {
            c.count(status);
        }
        c.finish()
    }

    /// The counts of several frameworks added up.
    pub fn total<'a>(all: impl IntoIterator<Item = &'a Coverage>) -> Coverage {
        let mut t = Coverage::default();
        for c in all {
            t.applicable += c.applicable;
            t.satisfied += c.satisfied;
            t.partial += c.partial;
            t.stale += c.stale;
            t.missing += c.missing;
            t.failed += c.failed;
            t.waived += c.waived;
            t.not_applicable += c.not_applicable;
            t.not_yet_applicable += c.not_yet_applicable;
        }
        t.finish()
    }

    fn count(&mut self, status: Status) {
        let slot = match status {
            Status::NotApplicable => {
                self.not_applicable += 1;
                return;
            }
            Status::NotYetApplicable => {
                self.not_yet_applicable += 1;
                return;
            }
            Status::Satisfied => &mut self.satisfied,
            Status::Partial => &mut self.partial,
            Status::Stale => &mut self.stale,
            Status::Missing => &mut self.missing,
            Status::Failed => &mut self.failed,
            Status::Waived => &mut self.waived,
        };
        *slot += 1;
        self.applicable += 1;
    }

    /// The coverage rule, in one place.
    fn finish(mut self) -> Self {
        self.percent = (self.satisfied * 100).checked_div(self.applicable).unwrap_or(100);
        self
    }

    /// The count of one status.
    pub fn count_of(&self, status: Status) -> u32 {
        match status {
            Status::Satisfied => self.satisfied,
            Status::Partial => self.partial,
            Status::Stale => self.stale,
            Status::Missing => self.missing,
            Status::Failed => self.failed,
            Status::Waived => self.waived,
            Status::NotApplicable => self.not_applicable,
            Status::NotYetApplicable => self.not_yet_applicable,
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementResult {
    /// Requirement id.
    pub id: String,
    /// How a person cites it.
    pub reference: String,
    /// Short title.
    pub title: String,
    /// Display group.
    #[serde(default)]
    pub group: Option<String>,
    /// Enclosing requirement.
    #[serde(default)]
    pub parent: Option<String>,
    /// Whether this row is a heading (its children carry the evidence).
    #[serde(default)]
    pub heading: bool,
    /// The outcome.
    pub status: Status,
    /// One line saying why.
    #[serde(default)]
    pub summary: String,
    /// How the needs combine.
    #[serde(default)]
    pub evidence_mode: EvidenceMode,
    /// Each evidence need and what was found for it.
    #[serde(default)]
    pub evidence: Vec<NeedResult>,
    /// Crosswalk ids in other frameworks, both directions.
    #[serde(default)]
    pub related: Vec<String>,
    /// The application-date id it applies from, if any.
    #[serde(default)]
    pub applies_from: Option<String>,
    /// The day it applies from on the assessment's timeline, when the catalog dates it.
    #[serde(default)]
    pub applies_on: Option<NaiveDate>,
    /// The findings that failed it (code and message), when failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_by: Vec<String>,
}

/// One evidence need, evaluated. The files behind it are the evidence set of its type
/// (the assessment's `evidence_sets`, and `manifest.json` member by member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedResult {
    /// Evidence type id.
    pub evidence_type: String,
    /// How many are needed.
    pub min: u32,
    /// Maximum age in days, if freshness matters.
    pub max_age_days: Option<u32>,
    /// How many artifacts of the type exist.
    pub found: u32,
    /// Of those, how many carry no date in their content.
    pub undated: u32,
    /// The newest content date among them.
    pub newest: Option<NaiveDate>,
    /// The outcome for this need.
    pub status: Status,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn coverage_counts_statuses_and_the_percent_leaves_waivers_out() {
        let c = Coverage::of([Satisfied, Satisfied, Waived, Missing, NotApplicable]);
        assert_eq!((c.applicable, c.satisfied, c.waived, c.not_applicable), (4, 2, 1, 1));
        assert_eq!(c.percent, 50);
        assert_eq!(Coverage::of([NotApplicable]).percent, 100);
        let t = Coverage::total([&c, &Coverage::of([Satisfied])]);
        assert_eq!((t.applicable, t.satisfied, t.percent), (5, 3, 60));
    }

    #[test]
    fn only_partial_stale_missing_and_failed_are_gaps() {
        assert!(!Satisfied.is_gap() && !Waived.is_gap() && !NotApplicable.is_gap() && !NotYetApplicable.is_gap());
        assert!(Partial.is_gap() && Stale.is_gap() && Missing.is_gap() && Failed.is_gap());
        assert_eq!(NotApplicable.as_str(), "not-applicable");
    }
}
