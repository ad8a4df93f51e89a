//! Crosswalks: the links between requirements of different frameworks, each with where
//! it comes from.
//!
//! A crosswalk file (`catalogs/crosswalks/*.yaml` for the built-ins, embedded through
//! [`BUILTIN`]) holds the links of one source: a published crosswalk (`kind: published`,
//! its citation in `source`) or dossier's own reading (`kind: ours`, where every link
//! gives its reason in `why`). A user catalog may still list `related` ids on its
//! requirements; those links have the user's catalog as their source. Links read both
//! ways, and one pair is made by one source only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Catalog, Source, problem};
use crate::diag::{Problems, Result, yaml};

/// The built-in crosswalks, embedded from `catalogs/crosswalks/`. A test checks this
/// table against the folder.
pub const BUILTIN: &[(&str, &str)] = &[
    ("eu-ai-act.yaml", include_str!("../../catalogs/crosswalks/eu-ai-act.yaml")),
    ("nist-ai-rmf-iso-42001.yaml", include_str!("../../catalogs/crosswalks/nist-ai-rmf-iso-42001.yaml")),
    ("nist-ai-rmf.yaml", include_str!("../../catalogs/crosswalks/nist-ai-rmf.yaml")),
    ("iso-42001.yaml", include_str!("../../catalogs/crosswalks/iso-42001.yaml")),
    ("nist-ai-600-1.yaml", include_str!("../../catalogs/crosswalks/nist-ai-600-1.yaml")),
];

/// The links of one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crosswalk {
    /// Unique id, e.g. `nist-ai-rmf-iso-42001`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// A published crosswalk, or dossier's own links.
    pub kind: LinkKind,
    /// The publication (citation and address), or who drew the links and how.
    pub source: String,
    /// The links.
    pub links: Vec<Link>,
}

/// Whose judgement a link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum LinkKind {
    /// A crosswalk someone published; `source` cites it.
    Published,
    /// Drawn by whoever wrote the file; every link says why.
    Ours,
}

/// One link between two requirements of different frameworks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// A requirement id.
    pub from: String,
    /// A requirement id in another catalog.
    pub to: String,
    /// Why the two ask for the same thing (required for `kind: ours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Where one link comes from, as shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Provenance {
    /// The crosswalk id, or `catalog:<id>` for a user catalog's `related`.
    pub source: String,
    /// Published or ours.
    pub kind: LinkKind,
    /// The reason given, if any.
    pub why: Option<String>,
}

/// Every link of the loaded catalogs, by requirement id in both directions.
#[derive(Debug, Clone, Default)]
pub struct Links {
    by_id: BTreeMap<String, BTreeMap<String, Provenance>>,
    /// The crosswalks loaded, for `dossier catalog show`.
    pub crosswalks: Vec<Crosswalk>,
}

impl Links {
    /// Reads the built-in crosswalks and the user catalogs' `related` lists, and checks
    /// every link: both ends loaded, in different catalogs, a reason where the source
    /// is ours, and no pair made twice.
    pub(super) fn load(catalogs: &[Catalog], sources: &[Source]) -> Result<Links> {
        let mut crosswalks = Vec::new();
        let mut texts = Vec::new();
        for (name, text) in BUILTIN {
            let file = PathBuf::from(format!("catalogs/crosswalks/{name}"));
            let crosswalk: Crosswalk = yaml::from_str(text, &file)?;
            crosswalks.push(crosswalk);
            texts.push(Source { file, text: text.to_string() });
        }
        Self::build(crosswalks, &texts, catalogs, sources)
    }

    /// The links of `crosswalks` (with their files' text, for locating problems) and
    /// of the `related` lists of `catalogs` (with theirs), checked.
    pub(super) fn build(
        crosswalks: Vec<Crosswalk>,
        texts: &[Source],
        catalogs: &[Catalog],
        sources: &[Source],
    ) -> Result<Links> {
        let mut problems = Problems::default();
        let catalog_of: BTreeMap<&str, &str> =
            catalogs.iter().flat_map(|c| c.requirements.iter().map(move |r| (r.id.as_str(), c.id.as_str()))).collect();
        let mut links = Links::default();
        let mut made_by: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut add = |from: &str, to: &str, provenance: Provenance, at: &dyn Fn(String) -> crate::diag::Problem| {
            let (Some(a), Some(b)) = (catalog_of.get(from), catalog_of.get(to)) else {
                let missing = if catalog_of.contains_key(from) { to } else { from };
                return Err(at(format!("dangling crosswalk to {missing:?}: no loaded catalog has that id")));
            };
            if a == b {
                return Err(at(format!(
                    "crosswalk to {to:?} within its own catalog: use `parent` within one framework"
                )));
            }
            let pair = if from < to { (from.to_string(), to.to_string()) } else { (to.to_string(), from.to_string()) };
            if let Some(first) = made_by.insert(pair, provenance.source.clone()) {
                return Err(at(format!("crosswalk to {to:?} that {first} also makes: keep one source per pair")));
            }
            links.by_id.entry(from.to_string()).or_default().insert(to.to_string(), provenance.clone());
            links.by_id.entry(to.to_string()).or_default().insert(from.to_string(), provenance);
            Ok(())
        };
        let mut ids = BTreeSet::new();
        for (crosswalk, source) in crosswalks.iter().zip(texts) {
            if !ids.insert(crosswalk.id.clone()) {
                problems.push(problem(source, "id:", 1, format!("duplicate crosswalk id {:?}", crosswalk.id)));
            }
            for link in &crosswalk.links {
                let needle = format!("from: {}, to: {}", link.from, link.to);
                let at = |message: String| problem(source, &needle, 1, format!("{}: {message}", link.from));
                let why = link.why.as_deref().map(str::trim).filter(|w| !w.is_empty() && *w != "TODO");
                if crosswalk.kind == LinkKind::Ours && why.is_none() {
                    problems.push(at(format!(
                        "the link {} -> {} gives no reason: a link of ours needs `why`",
                        link.from, link.to
                    )));
                    continue;
                }
                let provenance =
                    Provenance { source: crosswalk.id.clone(), kind: crosswalk.kind, why: why.map(str::to_string) };
                if let Err(p) = add(&link.from, &link.to, provenance, &at) {
                    problems.push(p);
                }
            }
        }
        for (catalog, source) in catalogs.iter().zip(sources) {
            for req in &catalog.requirements {
                let start = yaml::line_of(&source.text, &format!("id: {}", req.id), 1).unwrap_or(1);
                for other in &req.related {
                    let at = |message: String| {
                        problem(source, other, start, format!("requirement {} has a {message}", req.id))
                    };
                    let provenance =
                        Provenance { source: format!("catalog:{}", catalog.id), kind: LinkKind::Ours, why: None };
                    if let Err(p) = add(&req.id, other, provenance, &at) {
                        problems.push(p);
                    }
                }
            }
        }
        problems.into_result()?;
        links.crosswalks = crosswalks;
        Ok(links)
    }

    /// The requirements linked to `id`, with where each link comes from, sorted by id.
    pub fn of(&self, id: &str) -> impl Iterator<Item = (&str, &Provenance)> {
        self.by_id.get(id).into_iter().flatten().map(|(other, p)| (other.as_str(), p))
    }

    /// Every link once, as (from, to, provenance) with `from` < `to`.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str, &Provenance)> {
        self.by_id
            .iter()
            .flat_map(|(a, others)| others.iter().map(move |(b, p)| (a.as_str(), b.as_str(), p)))
            .filter(|(a, b, _)| a < b)
    }
}
