//! Framework catalogs: the requirements an assessment checks evidence against.
//!
//! A catalog is a YAML file (`catalogs/*.yaml` for the built-ins, embedded in the binary
//! through [`BUILTIN`]; any file for a user catalog) listing requirements, each with the
//! evidence types that satisfy it, whom it applies to, and its crosswalk to other
//! frameworks. [`CatalogSet::load`] reads the built-ins and the user's catalogs, applies
//! the user's mapping overrides, and validates the whole set at once: unknown evidence
//! types, duplicate ids, missing parents and dangling crosswalks are errors naming the
//! file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::yaml;
use crate::diag::{Error, Problem, Problems, Result};
use crate::model::matrix::{Completeness, EvidenceMode, Timeline};
use crate::model::system::{AnnexIII, Capability, RiskCategory, Role, SystemScope};

pub mod crosswalk;
pub mod taxonomy;

pub use crosswalk::{Crosswalk, Link, LinkKind};
pub use taxonomy::{Taxonomy, compile_glob};

/// The built-in catalogs, embedded from `catalogs/`. A test checks this table against the
/// files on disk, so a catalog added to the folder cannot be forgotten here.
pub const BUILTIN: &[(&str, &str)] = &[
    ("eu-ai-act.yaml", include_str!("../../catalogs/eu-ai-act.yaml")),
    ("nist-ai-rmf-1.0.yaml", include_str!("../../catalogs/nist-ai-rmf-1.0.yaml")),
    ("nist-ai-600-1.yaml", include_str!("../../catalogs/nist-ai-600-1.yaml")),
    ("iso-42001.yaml", include_str!("../../catalogs/iso-42001.yaml")),
    ("aws-genai-best-practices.yaml", include_str!("../../catalogs/aws-genai-best-practices.yaml")),
    ("nyc-ll144.yaml", include_str!("../../catalogs/nyc-ll144.yaml")),
];

impl Catalog {
    /// The application date from which `req` applies to `system` on `timeline`: the
    /// legacy date when the system was placed on the market before its cut-off, and of
    /// the dates with one id, the one of the timeline's basis (amended or original),
    /// else the other. A date only proposed never counts.
    pub fn applies_on(&self, req: &Requirement, system: &SystemScope, timeline: Timeline) -> Option<&ApplicationDate> {
        let id = match &req.legacy {
            Some(legacy) if system.placed_on_market.is_some_and(|d| d < legacy.placed_before) => &legacy.applies_from,
            _ => req.applies_from.as_ref()?,
        };
        let want = match timeline {
            Timeline::Amended => Basis::Amended,
            Timeline::Original => Basis::Original,
        };
        let dates = || self.application_dates.iter().filter(|d| d.id == *id && d.basis != Basis::Proposed);
        dates().find(|d| d.basis == want).or_else(|| dates().next())
    }
}

/// One framework or control set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Catalog id, e.g. `eu-ai-act`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Version of the framework text.
    pub version: String,
    /// Citation of the source.
    pub source: String,
    /// When this catalog's facts were last checked (YYYY-MM-DD).
    #[serde(with = "date_text")]
    pub as_of: chrono::NaiveDate,
    /// Whether the catalog covers the whole framework.
    pub completeness: Completeness,
    /// Whether the framework is law for the systems it applies to (the EU AI Act) rather
    /// than voluntary guidance: then missing evidence is an error, not a warning.
    #[serde(default)]
    pub binding: bool,
    /// Free-text notes on scope.
    #[serde(default)]
    pub notes: Option<String>,
    /// Dates from which requirements apply, with their legal basis.
    #[serde(default)]
    pub application_dates: Vec<ApplicationDate>,
    /// Risks the framework names, which requirements say they address (NIST AI 600-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    /// The requirements, in document order.
    pub requirements: Vec<Requirement>,
    /// Where the catalog came from (set when loading).
    #[serde(skip)]
    pub origin: Origin,
}

/// Where a catalog was loaded from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origin {
    /// Built into dossier.
    #[default]
    Builtin,
    /// A user catalog file.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A date from which requirements apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDate {
    /// Id referenced by `applies_from`. The same id may appear once per basis.
    pub id: String,
    /// What applies from this date.
    pub title: String,
    /// The date.
    #[serde(with = "date_text")]
    pub date: chrono::NaiveDate,
    /// The legal basis of the date.
    pub basis: Basis,
    /// Where the date comes from.
    pub reference: String,
}

/// A risk a framework names, e.g. NIST AI 600-1's "confabulation".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// Id that requirements' `risks` refer to.
    pub id: String,
    /// Short title.
    pub title: String,
    /// One sentence.
    #[serde(default)]
    pub description: Option<String>,
}

/// The legal standing of an application date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Basis {
    /// The text as adopted.
    Original,
    /// The text as amended and in force.
    Amended,
    /// A pending amendment, reported but not confirmed in force.
    Proposed,
}

/// One requirement (article paragraph, subcategory, control).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Globally unique id, e.g. `eu-ai-act/art-10/2/f`.
    pub id: String,
    /// How a person cites it, e.g. `Art. 10(2)(f)`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Short title.
    pub title: String,
    /// One or two sentences.
    #[serde(default)]
    pub description: Option<String>,
    /// Id of the enclosing requirement in the same catalog.
    #[serde(default)]
    pub parent: Option<String>,
    /// Display group (article, function, control group).
    #[serde(default)]
    pub group: Option<String>,
    /// Which systems it applies to; absent means all.
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    /// Id of the application date it applies from.
    #[serde(default)]
    pub applies_from: Option<String>,
    /// A later date for systems placed on the market before a cut-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<Legacy>,
    /// Ids of the catalog's `risks` this requirement addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<String>,
    /// Evidence that satisfies it; empty for headings whose children carry the evidence.
    #[serde(default)]
    pub evidence: Vec<EvidenceNeed>,
    /// Whether every listed need must be met, or any one.
    #[serde(default)]
    pub evidence_mode: EvidenceMode,
    /// Crosswalk, in a user catalog: ids of related requirements in other catalogs,
    /// whose source is that catalog. The built-in catalogs keep their links in
    /// `catalogs/crosswalks/` instead, each with its source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// The date that replaces `applies_from` for systems placed on the market before a
/// cut-off (EU AI Act Art. 111).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Legacy {
    /// Systems first placed on the market before this day take the later date.
    pub placed_before: chrono::NaiveDate,
    /// Id of their application date.
    pub applies_from: String,
}

/// Applicability filter: every condition given must hold; one left out holds for all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    /// Risk categories it applies to.
    #[serde(default)]
    pub risk: Option<Vec<RiskCategory>>,
    /// Roles it applies to.
    #[serde(default)]
    pub role: Option<Vec<Role>>,
    /// Capabilities that bring it into scope (any one is enough).
    #[serde(default)]
    pub capabilities: Option<Vec<Capability>>,
    /// Annex III areas or points; the system's point must be one of them or lie in one.
    #[serde(default)]
    pub annex_iii: Option<Vec<AnnexIII>>,
    /// Whether the operator must (or must not) be a public body.
    #[serde(default)]
    pub public_body: Option<bool>,
    /// Whether the operator must (or must not) be a private entity providing public services.
    #[serde(default)]
    pub public_service: Option<bool>,
    /// Whether the system must (or must not) be used at the workplace.
    #[serde(default)]
    pub workplace: Option<bool>,
    /// Whether the provider must (or must not) be established outside the Union.
    #[serde(default)]
    pub outside_union: Option<bool>,
    /// Whether the general-purpose AI model must (or must not) have systemic risk.
    #[serde(default)]
    pub systemic_risk: Option<bool>,
    /// Whether the system must (or must not) be an automated employment decision tool
    /// used in New York City.
    #[serde(default)]
    pub aedt: Option<bool>,
    /// Alternatives, at least one of which must hold.
    #[serde(default)]
    pub any: Option<Vec<AppliesTo>>,
}

impl AppliesTo {
    /// The conditions in words, e.g. `high risk, deployer; a public body`.
    pub fn describe(&self) -> String {
        let join = |items: Vec<String>, with: &str| items.join(with);
        let names = |items: &[String]| items.join("/");
        let mut parts = Vec::new();
        let mut kind = Vec::new();
        if let Some(risk) = &self.risk {
            kind.push(format!("{} risk", names(&risk.iter().map(ToString::to_string).collect::<Vec<_>>())));
        }
        if let Some(role) = &self.role {
            kind.push(names(&role.iter().map(ToString::to_string).collect::<Vec<_>>()));
        }
        if !kind.is_empty() {
            parts.push(format!("{} systems", kind.join(", ")));
        }
        if let Some(c) = &self.capabilities {
            parts.push(format!("with the capability {}", join(c.iter().map(ToString::to_string).collect(), " or ")));
        }
        if let Some(points) = &self.annex_iii {
            parts.push(format!("in Annex III {}", join(points.iter().map(ToString::to_string).collect(), " or ")));
        }
        for (flag, yes, no) in [
            (self.public_body, "run by a public body", "not run by a public body"),
            (self.public_service, "providing a public service", "not providing a public service"),
            (self.workplace, "used at the workplace", "not used at the workplace"),
            (self.outside_union, "whose provider is outside the Union", "whose provider is in the Union"),
            (self.systemic_risk, "of a model with systemic risk", "of a model without systemic risk"),
            (
                self.aedt,
                "an automated employment decision tool used in New York City",
                "not an NYC employment decision tool",
            ),
        ] {
            if let Some(flag) = flag {
                parts.push(if flag { yes } else { no }.to_string());
            }
        }
        if let Some(any) = &self.any {
            parts.push(format!("either {}", join(any.iter().map(AppliesTo::describe).collect(), ", or ")));
        }
        parts.join("; ")
    }

    /// Whether the system is in scope.
    pub fn includes(&self, system: &SystemScope) -> bool {
        let flag = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        self.risk.as_ref().is_none_or(|r| r.contains(&system.risk_category))
            && self.role.as_ref().is_none_or(|r| r.contains(&system.role))
            && self.capabilities.as_ref().is_none_or(|c| c.iter().any(|c| system.capabilities.contains(c)))
            && self
                .annex_iii
                .as_ref()
                .is_none_or(|listed| system.annex_iii.as_ref().is_some_and(|p| listed.iter().any(|l| l.covers(p))))
            && flag(self.public_body, system.public_body)
            && flag(self.public_service, system.public_service)
            && flag(self.workplace, system.workplace)
            && flag(self.outside_union, system.outside_union)
            && flag(self.systemic_risk, system.systemic_risk)
            && flag(self.aedt, system.aedt)
            && self.any.as_ref().is_none_or(|alternatives| alternatives.iter().any(|a| a.includes(system)))
    }
}

/// Evidence of one type that a requirement needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceNeed {
    /// Evidence type id from the taxonomy.
    #[serde(rename = "type")]
    pub evidence_type: String,
    /// How many artifacts of that type are needed.
    #[serde(default = "one")]
    pub min: u32,
    /// The newest such artifact must be at most this many days old.
    #[serde(default)]
    pub max_age_days: Option<u32>,
}

fn one() -> u32 {
    1
}

/// A replacement evidence mapping for one requirement, from `dossier.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The evidence needs that replace the catalog's.
    pub evidence: Vec<EvidenceNeed>,
    /// How they combine; default: keep the catalog's mode.
    #[serde(default)]
    pub evidence_mode: Option<EvidenceMode>,
}

mod date_text {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&date.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a date in YYYY-MM-DD form")))
    }
}

/// Every catalog in play, with the taxonomy they refer to, validated together.
#[derive(Debug, Clone)]
pub struct CatalogSet {
    /// Catalogs in load order: built-ins first, then user catalogs.
    pub catalogs: Vec<Catalog>,
    /// The evidence-type taxonomy.
    pub taxonomy: Taxonomy,
    /// The crosswalk links, both ways, each with its source.
    pub links: crosswalk::Links,
}

/// A catalog file's text, kept to point validation errors at lines.
struct Source {
    file: PathBuf,
    text: String,
}

impl CatalogSet {
    /// The built-in catalogs only.
    pub fn builtin() -> Result<Self> {
        Self::load(&[], &BTreeMap::new(), None)
    }

    /// Built-ins plus user catalog files, with `overrides` applied (their keys are
    /// requirement ids; `config`, the config file and its text, locates them in errors).
    /// Every problem in every file is reported together.
    pub fn load(
        user_files: &[PathBuf],
        overrides: &BTreeMap<String, Override>,
        config: Option<(&Path, &str)>,
    ) -> Result<Self> {
        let taxonomy = Taxonomy::builtin()?;
        let mut sources = Vec::new();
        let mut catalogs = Vec::new();
        for (name, text) in BUILTIN {
            let file = PathBuf::from(format!("catalogs/{name}"));
            let catalog: Catalog = yaml::from_str(text, &file)?;
            catalogs.push(catalog);
            sources.push(Source { file, text: text.to_string() });
        }
        let mut problems = Problems::default();
        for file in user_files {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(Problem::in_file(file, format!("cannot read this catalog: {e}")));
                    continue;
                }
            };
            let Some(mut catalog) = problems.take(yaml::from_str::<Catalog>(&text, file))? else { continue };
            catalog.origin = Origin::File(file.clone());
            catalogs.push(catalog);
            sources.push(Source { file: file.clone(), text });
        }
        problems.into_result()?;
        let mut problems = Problems::default();
        problems.take(validate(&catalogs, &sources, &taxonomy))?;
        let links = problems.take(crosswalk::Links::load(&catalogs, &sources))?;
        problems.into_result()?;
        let links = links.expect("no problem, so the links loaded");
        apply_overrides(&mut catalogs, overrides, &taxonomy, config)?;
        Ok(CatalogSet { catalogs, taxonomy, links })
    }

    /// The catalog with this id.
    pub fn get(&self, id: &str) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| c.id == id)
    }

    /// The requirement with this id, and its catalog.
    pub fn requirement(&self, id: &str) -> Option<(&Catalog, &Requirement)> {
        self.catalogs.iter().find_map(|c| c.requirements.iter().find(|r| r.id == id).map(|r| (c, r)))
    }

    /// The crosswalk of a requirement in both directions, sorted.
    pub fn related(&self, requirement: &Requirement) -> Vec<String> {
        self.links.of(&requirement.id).map(|(id, _)| id.to_string()).collect()
    }

    /// The catalogs named by `ids` (the config's `frameworks`), in that order; every
    /// catalog when `None`. An unknown id is an error naming the loaded ones.
    pub fn select(&self, ids: Option<&[String]>) -> Result<Vec<&Catalog>> {
        match ids {
            None => Ok(self.catalogs.iter().collect()),
            Some(ids) => ids
                .iter()
                .map(|id| {
                    self.get(id).ok_or_else(|| {
                        Error::invalid(
                            Problem::new(format!("unknown catalog {id:?}; loaded catalogs: {}", self.ids().join(", ")))
                                .key("frameworks"),
                        )
                    })
                })
                .collect(),
        }
    }

    /// Ids of every catalog, in load order.
    pub fn ids(&self) -> Vec<&str> {
        self.catalogs.iter().map(|c| c.id.as_str()).collect()
    }
}

/// A problem at the first line holding `needle` at or after line `from` of a catalog file.
fn problem(source: &Source, needle: &str, from: usize, message: String) -> Problem {
    Problem::in_file(&source.file, message).at(yaml::line_of(&source.text, needle, from), None)
}

/// Checks the whole set; every problem is reported.
fn validate(catalogs: &[Catalog], sources: &[Source], taxonomy: &Taxonomy) -> Result<()> {
    let mut problems = Problems::default();
    let mut catalog_ids = BTreeSet::new();
    let mut all_ids: BTreeMap<&str, &str> = BTreeMap::new();
    for (catalog, source) in catalogs.iter().zip(sources) {
        if !catalog_ids.insert(catalog.id.as_str()) {
            problems.push(problem(source, "id:", 1, format!("duplicate catalog id {:?}", catalog.id)));
        }
        for req in &catalog.requirements {
            let needle = format!("id: {}", req.id);
            if let Some(first) = all_ids.insert(&req.id, &catalog.id) {
                let first_line = yaml::line_of(&source.text, &needle, 1).unwrap_or(1);
                problems.push(problem(
                    source,
                    &needle,
                    if first == catalog.id { first_line + 1 } else { 1 },
                    format!("duplicate requirement id {:?} (also in catalog {first})", req.id),
                ));
            }
        }
    }
    for (catalog, source) in catalogs.iter().zip(sources) {
        let own: BTreeSet<&str> = catalog.requirements.iter().map(|r| r.id.as_str()).collect();
        let dates: BTreeSet<&str> = catalog.application_dates.iter().map(|d| d.id.as_str()).collect();
        let has_children: BTreeSet<&str> = catalog.requirements.iter().filter_map(|r| r.parent.as_deref()).collect();
        for req in &catalog.requirements {
            let at = yaml::line_of(&source.text, &format!("id: {}", req.id), 1).unwrap_or(1);
            if let Some(parent) = &req.parent
                && !own.contains(parent.as_str())
            {
                problems.push(problem(
                    source,
                    "parent:",
                    at,
                    format!("requirement {} has parent {parent:?}, which is not in catalog {}", req.id, catalog.id),
                ));
            }
            for need in &req.evidence {
                if taxonomy.get(&need.evidence_type).is_none() {
                    problems.push(problem(
                        source,
                        &need.evidence_type,
                        at,
                        format!(
                            "requirement {} needs unknown evidence type {:?} (known types: `dossier catalog types`)",
                            req.id, need.evidence_type
                        ),
                    ));
                }
                if need.min == 0 {
                    problems.push(problem(
                        source,
                        "min:",
                        at,
                        format!("requirement {}: min must be at least 1", req.id),
                    ));
                }
            }
            for risk in &req.risks {
                if !catalog.risks.iter().any(|r| &r.id == risk) {
                    problems.push(problem(
                        source,
                        risk,
                        at,
                        format!(
                            "requirement {} addresses risk {risk:?}, which the catalog's `risks` do not list",
                            req.id
                        ),
                    ));
                }
            }
            if let Some(legacy) = &req.legacy
                && !dates.contains(legacy.applies_from.as_str())
            {
                problems.push(problem(
                    source,
                    "legacy:",
                    at,
                    format!(
                        "requirement {} has a legacy date {:?}, which is not in application_dates",
                        req.id, legacy.applies_from
                    ),
                ));
            }
            if let Some(from) = &req.applies_from
                && !dates.contains(from.as_str())
            {
                problems.push(problem(
                    source,
                    "applies_from:",
                    at,
                    format!("requirement {} applies from {from:?}, which is not in application_dates", req.id),
                ));
            }
            if req.evidence.is_empty() && !has_children.contains(req.id.as_str()) {
                problems.push(problem(
                    source,
                    "evidence:",
                    at,
                    format!("requirement {} lists no evidence and has no child requirements", req.id),
                ));
            }
        }
    }
    // Parent chains must end: a cycle would leave a heading's status undefined.
    for (catalog, source) in catalogs.iter().zip(sources) {
        let parents: BTreeMap<&str, &str> =
            catalog.requirements.iter().filter_map(|r| r.parent.as_deref().map(|p| (r.id.as_str(), p))).collect();
        for start in parents.keys() {
            let mut at = *start;
            for _ in 0..=parents.len() {
                match parents.get(at) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            if parents.contains_key(at) {
                let needle = format!("id: {start}");
                problems.push(problem(source, &needle, 1, format!("requirement {start} is part of a parent cycle")));
            }
        }
    }
    problems.into_result()
}

fn apply_overrides(
    catalogs: &mut [Catalog],
    overrides: &BTreeMap<String, Override>,
    taxonomy: &Taxonomy,
    config: Option<(&Path, &str)>,
) -> Result<()> {
    let mut problems = Problems::default();
    let at = |id: &str, message: String| {
        let problem = match config {
            Some((file, text)) => Problem::in_file(file, message).at(yaml::line_of(text, &format!("{id}:"), 1), None),
            None => Problem::new(message),
        };
        problem.key(format!("overrides.{id}"))
    };
    for (id, replacement) in overrides {
        let Some(req) = catalogs.iter_mut().flat_map(|c| c.requirements.iter_mut()).find(|r| &r.id == id) else {
            problems.push(at(id, "no loaded catalog has a requirement with that id".into()));
            continue;
        };
        for need in &replacement.evidence {
            if taxonomy.get(&need.evidence_type).is_none() {
                problems.push(at(id, format!("unknown evidence type {:?}", need.evidence_type)));
            }
        }
        req.evidence = replacement.evidence.clone();
        if let Some(mode) = replacement.evidence_mode {
            req.evidence_mode = mode;
        }
    }
    problems.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> CatalogSet {
        CatalogSet::builtin().expect("built-in catalogs are valid")
    }

    #[test]
    fn every_catalog_file_on_disk_is_in_the_builtin_table() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogs");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") && n != "evidence-types.yaml")
            .collect();
        on_disk.sort();
        let mut table: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        table.sort();
        assert_eq!(on_disk, table);
    }

    #[test]
    fn nist_has_19_categories_and_72_subcategories() {
        let set = set();
        let nist = set.get("nist-ai-rmf-1.0").unwrap();
        let (subs, cats): (Vec<_>, Vec<_>) = nist.requirements.iter().partition(|r| r.reference.contains('.'));
        assert_eq!(cats.len(), 19);
        assert_eq!(subs.len(), 72);
        for (function, count) in [("GOVERN", 19), ("MAP", 18), ("MEASURE", 22), ("MANAGE", 13)] {
            let n = subs.iter().filter(|r| r.reference.starts_with(&format!("{function} "))).count();
            assert_eq!(n, count, "{function}");
        }
        assert_eq!(subs.first().unwrap().reference, "GOVERN 1.1");
        assert_eq!(subs.last().unwrap().reference, "MANAGE 4.3");
    }

    #[test]
    fn nist_ai_600_1_has_12_risks_and_212_actions_under_49_subcategories() {
        let set = set();
        let profile = set.get("nist-ai-600-1").unwrap();
        assert_eq!(profile.risks.len(), 12);
        let (actions, headings): (Vec<&Requirement>, Vec<&Requirement>) =
            profile.requirements.iter().partition(|r| r.parent.is_some());
        assert_eq!(headings.len(), 49);
        assert_eq!(actions.len(), 212);
        // The counts per function, as the profile's tables give them.
        for (prefix, subcategories, count) in [("GV-", 15, 58), ("MP-", 9, 39), ("MS-", 16, 72), ("MG-", 9, 43)] {
            assert_eq!(actions.iter().filter(|r| r.reference.starts_with(prefix)).count(), count, "{prefix}");
            assert_eq!(
                headings.iter().filter(|r| r.id.contains(&format!("/{prefix}"))).count(),
                subcategories,
                "{prefix}"
            );
        }
        for a in &actions {
            assert!(!a.risks.is_empty(), "{} addresses no risk", a.id);
            let scope = a.applies_to.as_ref().and_then(|s| s.capabilities.as_ref());
            assert_eq!(scope.map(Vec::as_slice), Some(&[Capability::GeneratesContent][..]), "{}", a.id);
        }
        // Each subcategory heading links to its AI RMF subcategory, by the profile's own placing.
        let (_, gv11) = set.requirement("nist-ai-600-1/GV-1.1").unwrap();
        assert_eq!(set.related(gv11), ["nist-ai-rmf/GOVERN-1.1"]);
    }

    #[test]
    fn eu_ai_act_has_every_annex_iv_point_and_the_named_articles() {
        let set = set();
        let eu = set.get("eu-ai-act").unwrap();
        let ids: BTreeSet<&str> = eu.requirements.iter().map(|r| r.id.as_str()).collect();
        for part in ["1", "2"] {
            for point in ["a", "b", "c", "d", "e", "f", "g", "h"] {
                let id = format!("eu-ai-act/annex-iv/{part}/{point}");
                assert!(ids.contains(id.as_str()), "missing {id}");
            }
        }
        for point in 3..=9 {
            let id = format!("eu-ai-act/annex-iv/{point}");
            assert!(ids.contains(id.as_str()), "missing {id}");
        }
        for letter in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            let id = format!("eu-ai-act/art-10/2/{letter}");
            assert!(ids.contains(id.as_str()), "missing {id}");
        }
        for article in
            ["9", "10", "11", "12", "13", "14", "15", "17", "18", "19", "26", "27", "43", "47", "49", "50", "72", "73"]
        {
            let exact = format!("eu-ai-act/art-{article}");
            let prefix = format!("{exact}/");
            assert!(ids.iter().any(|id| *id == exact || id.starts_with(&prefix)), "no requirement for Art. {article}");
        }
        assert!(ids.contains("eu-ai-act/art-10/3") && ids.contains("eu-ai-act/art-10/5"));
        assert!(eu.application_dates.iter().any(|d| d.basis == Basis::Original));
        // The dates Regulation (EU) 2026/1744 moved, each with the point of the act.
        let amended: Vec<_> = eu.application_dates.iter().filter(|d| d.basis == Basis::Amended).collect();
        for (id, date) in [
            ("high-risk-annex-iii", "2027-12-02"),
            ("high-risk-annex-i", "2028-08-02"),
            ("transparency-art-50-2-legacy", "2026-12-02"),
            ("prohibitions-2026", "2026-12-02"),
        ] {
            let d = amended.iter().find(|d| d.id == id).unwrap_or_else(|| panic!("no amended date {id}"));
            assert_eq!(d.date.to_string(), date);
            assert!(d.reference.contains("2026/1744, Art. 1("), "{}", d.reference);
        }
        assert!(!eu.application_dates.iter().any(|d| d.basis == Basis::Proposed), "nothing left only reported");
    }

    #[test]
    fn iso_has_38_annex_a_controls_and_aws_is_marked_partial() {
        let set = set();
        let iso = set.get("iso-42001").unwrap();
        let controls: Vec<&Requirement> =
            iso.requirements.iter().filter(|r| r.id.starts_with("iso-42001/A.") && !r.evidence.is_empty()).collect();
        assert_eq!(controls.len(), 38);
        assert_eq!(controls[0].reference, "A.2.2");
        // Clauses 4 to 10 sit next to Annex A, the Statement of Applicability among them.
        for clause in ["4", "5", "6", "7", "8", "9", "10"] {
            let prefix = format!("iso-42001/{clause}.");
            assert!(iso.requirements.iter().any(|r| r.id.starts_with(&prefix)), "no clause {clause}");
        }
        let (_, soa) = set.requirement("iso-42001/6.1.3").unwrap();
        assert!(soa.evidence.iter().any(|n| n.evidence_type == "statement-of-applicability"));
        for id in ["iso-42001/9.2", "iso-42001/9.3"] {
            assert!(set.requirement(id).is_some(), "{id}");
        }
        let aws = set.get("aws-genai-best-practices").unwrap();
        assert_eq!(aws.completeness, Completeness::Partial);
        assert_eq!(aws.requirements.len(), 12);
    }

    #[test]
    fn eu_ai_act_items_are_scoped_and_chapter_v_is_for_model_providers_only() {
        let set = set();
        for r in &set.get("eu-ai-act").unwrap().requirements {
            assert!(r.applies_from.is_some(), "{} has no application date", r.id);
            // AI literacy and the prohibited practices bind every operator.
            let everyone = r.id == "eu-ai-act/art-4" || r.id.starts_with("eu-ai-act/art-5/");
            let Some(roles) = r.applies_to.as_ref().and_then(|s| s.role.as_ref()) else {
                assert!(everyone, "{} names no role", r.id);
                continue;
            };
            let chapter_v = [
                "eu-ai-act/art-53",
                "eu-ai-act/art-54",
                "eu-ai-act/art-55",
                "eu-ai-act/annex-xi",
                "eu-ai-act/annex-xii",
            ]
            .iter()
            .any(|p| r.id.starts_with(p));
            assert_eq!(
                roles.contains(&Role::GpaiProvider),
                chapter_v,
                "{}: the gpai-provider role is Chapter V's",
                r.id
            );
        }
    }

    #[test]
    fn every_crosswalk_file_on_disk_is_in_the_builtin_table() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogs/crosswalks");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        on_disk.sort();
        let mut table: Vec<String> = crosswalk::BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        table.sort();
        assert_eq!(on_disk, table);
    }

    #[test]
    fn every_link_has_a_source_and_ours_say_why() {
        let set = set();
        for c in &set.catalogs {
            for r in &c.requirements {
                assert!(r.related.is_empty(), "{}: built-in links belong in catalogs/crosswalks/", r.id);
            }
        }
        let mut count = 0;
        for (from, to, provenance) in set.links.all() {
            count += 1;
            let crosswalk = set.links.crosswalks.iter().find(|c| c.id == provenance.source);
            let crosswalk = crosswalk.unwrap_or_else(|| panic!("{from} -> {to} has no crosswalk"));
            assert!(!crosswalk.source.trim().is_empty(), "{} names no source", crosswalk.id);
            if provenance.kind == LinkKind::Ours {
                assert!(provenance.why.as_ref().is_some_and(|w| w.len() > 10), "{from} -> {to} says no why");
            }
        }
        assert!(count > 100, "only {count} links");
    }

    #[test]
    fn a_link_of_ours_without_a_reason_is_an_error() {
        let catalogs = set().catalogs;
        let text =
            "id: t\ntitle: t\nkind: ours\nsource: us\nlinks:\n  - {from: eu-ai-act/art-9/1, to: iso-42001/A.9.2}\n";
        let crosswalk: Crosswalk = serde_yaml::from_str(text).unwrap();
        let texts = [Source { file: "t.yaml".into(), text: text.into() }];
        let err = crosswalk::Links::build(vec![crosswalk], &texts, &catalogs, &[]).unwrap_err().to_string();
        assert!(err.contains("t.yaml:6: eu-ai-act/art-9/1: the link"), "{err}");
        assert!(err.contains("needs `why`"), "{err}");
    }

    #[test]
    fn crosswalk_reads_both_ways() {
        let set = set();
        let (_, art10) = set.requirement("eu-ai-act/art-10/2/f").unwrap();
        let related = set.related(art10);
        assert!(related.iter().any(|r| r.starts_with("nist-ai-rmf/")), "{related:?}");
        for other in &related {
            let (_, back) = set.requirement(other).unwrap();
            assert!(set.related(back).contains(&art10.id), "{other} does not point back");
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const USER: &str = "id: acme-controls\ntitle: Acme internal controls\nversion: \"3\"\nsource: Acme policy handbook\nas_of: 2026-10-01\ncompleteness: complete\nrequirements:\n";

    #[test]
    fn user_catalog_errors_name_file_line_and_problem() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{USER}  - id: acme/AC-1\n    ref: AC-1\n    title: Model card kept\n    evidence:\n      - {{type: model-cards}}\n    related: [nist-ai-rmf/GOVERN-9.9]\n  - id: acme/AC-1\n    ref: AC-1 again\n    title: Duplicate\n    evidence: [{{type: model-card}}]\n"
        );
        let file = write(dir.path(), "acme.yaml", &text);
        let err = CatalogSet::load(&[file], &BTreeMap::new(), None).unwrap_err().to_string();
        assert!(
            err.contains("acme.yaml:12: requirement acme/AC-1 needs unknown evidence type \"model-cards\""),
            "{err}"
        );
        assert!(
            err.contains("acme.yaml:13: requirement acme/AC-1 has a dangling crosswalk to \"nist-ai-rmf/GOVERN-9.9\""),
            "{err}"
        );
        assert!(err.contains("acme.yaml:14: duplicate requirement id \"acme/AC-1\""), "{err}");
    }

    #[test]
    fn parent_cycles_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{USER}  - id: acme/A\n    ref: A\n    title: a\n    parent: acme/B\n    evidence: []\n  - id: acme/B\n    ref: B\n    title: b\n    parent: acme/A\n    evidence: []\n"
        );
        let file = write(dir.path(), "cycle.yaml", &text);
        let err = CatalogSet::load(&[file], &BTreeMap::new(), None).unwrap_err().to_string();
        assert!(err.contains("cycle.yaml:8: requirement acme/A is part of a parent cycle"), "{err}");
    }

    #[test]
    fn user_catalog_loads_and_overrides_apply() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{USER}  - id: acme/AC-1\n    ref: AC-1\n    title: Model card kept\n    evidence: [{{type: model-card, max_age_days: 90}}]\n    related: [eu-ai-act/art-11/1]\n"
        );
        let file = write(dir.path(), "acme.yaml", &text);
        let mut overrides = BTreeMap::new();
        overrides.insert(
            "eu-ai-act/art-12/1".to_string(),
            Override {
                evidence: vec![EvidenceNeed { evidence_type: "inference-log".into(), min: 3, max_age_days: Some(7) }],
                evidence_mode: None,
            },
        );
        let set = CatalogSet::load(std::slice::from_ref(&file), &overrides, None).unwrap();
        assert_eq!(set.get("acme-controls").unwrap().origin, Origin::File(file));
        let (_, art12) = set.requirement("eu-ai-act/art-12/1").unwrap();
        assert_eq!(art12.evidence[0].min, 3);
        let (_, art11) = set.requirement("eu-ai-act/art-11/1").unwrap();
        assert!(set.related(art11).contains(&"acme/AC-1".to_string()));

        overrides.insert("eu-ai-act/art-99/1".into(), Override { evidence: vec![], evidence_mode: None });
        let err = CatalogSet::load(&[], &overrides, Some((Path::new("dossier.yaml"), ""))).unwrap_err().to_string();
        assert!(err.contains("dossier.yaml: overrides.eu-ai-act/art-99/1: no loaded catalog"), "{err}");
    }
}
