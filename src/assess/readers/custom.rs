//! Formats a team describes in `dossier.yaml` (`readers:`): an in-house report or log,
//! recognised by its path or its keys, read into the same documents the built-in readers
//! make (metrics, fairness groups, test counts, log records) by JSON pointer, so the
//! same checks, reports and comparisons apply to it.
//!
//! ```yaml
//! readers:
//!   - id: acme-fairness
//!     type: bias-report
//!     match: {path: "reports/fairness/*.json", keys: [run, cohorts]}
//!     date: /run/finished
//!     groups:
//!       feature: /sensitive_attribute      # or a name: sex
//!       list: /cohorts
//!       name: /label
//!       selection_rate: /approval_rate
//!       reference: /baseline
//! ```

use std::collections::{BTreeMap, BTreeSet};

use globset::GlobMatcher;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::source::{Source, number, string, timestamp};
use crate::catalog::taxonomy::{Taxonomy, compile_glob};
use crate::model::document::{BiasReport, Document, FeatureResult, GroupResult, Metrics, TestCounts};

/// One `readers:` entry as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderConfig {
    /// The format's id, shown by `explain` and recorded in the assessment.
    pub id: String,
    /// The evidence type files in this format are, unless a path rule says otherwise.
    #[serde(rename = "type")]
    pub evidence_type: String,
    /// How a file in the format is recognised.
    #[serde(rename = "match")]
    pub matching: Matching,
    /// JSON pointer to the date the document states.
    #[serde(default)]
    pub date: Option<String>,
    /// Named metrics: metric name to JSON pointer.
    #[serde(default)]
    pub metrics: BTreeMap<String, String>,
    /// Fairness groups.
    #[serde(default)]
    pub groups: Option<GroupsConfig>,
    /// Test counts.
    #[serde(default)]
    pub tests: Option<TestsConfig>,
    /// Log records (JSON Lines): where each record keeps its time and fields.
    #[serde(default)]
    pub log: Option<LogConfig>,
}

/// How a file is recognised: its path, its top-level keys (for JSON Lines, the first
/// record's), or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matching {
    /// A glob relative to the evidence root, as in `classification`.
    #[serde(default)]
    pub path: Option<String>,
    /// Top-level keys the document must all have.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// Where a fairness report keeps its groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsConfig {
    /// The sensitive feature: a JSON pointer into the document, or its name.
    pub feature: String,
    /// Pointer to the list of groups.
    pub list: String,
    /// Pointer, within a group, to its name.
    pub name: String,
    /// Pointer, within a group, to its selection rate.
    #[serde(default)]
    pub selection_rate: Option<String>,
    /// Pointer, within a group, to its disparate impact ratio.
    #[serde(default)]
    pub disparate_impact_ratio: Option<String>,
    /// Pointer, within a group, to its size.
    #[serde(default)]
    pub count: Option<String>,
    /// Pointer, in the document, to the reference group's name.
    #[serde(default)]
    pub reference: Option<String>,
}

/// Where a test report keeps its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestsConfig {
    /// Pointer to the number of tests.
    pub tests: String,
    /// Pointer to the number of failures.
    pub failures: String,
    /// Pointer to the number of errors.
    #[serde(default)]
    pub errors: Option<String>,
    /// Pointer to the number of skipped tests.
    #[serde(default)]
    pub skipped: Option<String>,
}

/// Where a log record keeps its time and record-keeping fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Pointer to the record's time (RFC 3339, or Unix seconds or milliseconds).
    pub time: String,
    /// Pointer to the record's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Record-keeping fields (input, output, actor, confidence, latency, model, ...) to
    /// pointers.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// A described format, checked and ready to match files.
#[derive(Debug, Clone)]
pub struct CustomFormat {
    /// Its id.
    pub id: String,
    /// The evidence type it implies.
    pub evidence_type: String,
    path: Option<GlobMatcher>,
    config: ReaderConfig,
}

impl CustomFormat {
    /// Checks one entry: `key` is where it is in the config (`readers[2]`). Every problem
    /// is returned, each with the key it is at.
    pub fn compile(
        config: &ReaderConfig,
        key: &str,
        taxonomy: &Taxonomy,
        taken: &BTreeSet<String>,
    ) -> Result<CustomFormat, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut problem = |at: &str, message: String| problems.push((format!("{key}{at}"), message));
        if config.id.is_empty() || !config.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            problem(".id", format!("{:?} is not a usable id: use letters, digits, `-` and `_`", config.id));
        } else if config.id.starts_with("dossier-") {
            problem(".id", format!("{:?}: ids starting with `dossier-` are dossier's own", config.id));
        } else if taken.contains(&config.id) || super::formats::FORMATS.iter().any(|f| f.id == config.id) {
            problem(".id", format!("{:?} is already the id of another reader", config.id));
        }
        if taxonomy.get(&config.evidence_type).is_none() {
            problem(".type", format!("unknown evidence type {:?} (see `dossier catalog types`)", config.evidence_type));
        }
        let path = match &config.matching.path {
            Some(p) => match compile_glob(p) {
                Ok(g) => Some(g.compile_matcher()),
                Err(e) => {
                    problem(".match.path", format!("invalid path pattern {p:?}: {e}"));
                    None
                }
            },
            None => None,
        };
        if config.matching.path.is_none() && config.matching.keys.is_empty() {
            problem(".match", "says neither `path` nor `keys`: every JSON file would match".into());
        }
        let what = [!config.metrics.is_empty(), config.groups.is_some(), config.tests.is_some(), config.log.is_some()];
        match what.iter().filter(|w| **w).count() {
            0 => problem("", "reads nothing: give one of `metrics`, `groups`, `tests` or `log`".into()),
            1 => {}
            _ => problem(
                "",
                "gives more than one of `metrics`, `groups`, `tests` and `log`; a format is read as one".into(),
            ),
        }
        let mut pointers: Vec<(String, &String)> = Vec::new();
        if let Some(d) = &config.date {
            pointers.push((".date".into(), d));
        }
        for (name, p) in &config.metrics {
            pointers.push((format!(".metrics.{name}"), p));
        }
        if let Some(g) = &config.groups {
            pointers.push((".groups.list".into(), &g.list));
            pointers.push((".groups.name".into(), &g.name));
            for (at, p) in [
                ("selection_rate", &g.selection_rate),
                ("disparate_impact_ratio", &g.disparate_impact_ratio),
                ("count", &g.count),
                ("reference", &g.reference),
            ] {
                if let Some(p) = p {
                    pointers.push((format!(".groups.{at}"), p));
                }
            }
            if g.selection_rate.is_none() && g.disparate_impact_ratio.is_none() {
                problem(".groups", "gives neither `selection_rate` nor `disparate_impact_ratio`".into());
            }
        }
        if let Some(t) = &config.tests {
            pointers.push((".tests.tests".into(), &t.tests));
            pointers.push((".tests.failures".into(), &t.failures));
            for (at, p) in [("errors", &t.errors), ("skipped", &t.skipped)] {
                if let Some(p) = p {
                    pointers.push((format!(".tests.{at}"), p));
                }
            }
        }
        if let Some(l) = &config.log {
            pointers.push((".log.time".into(), &l.time));
            if let Some(id) = &l.id {
                pointers.push((".log.id".into(), id));
            }
            for (name, p) in &l.fields {
                pointers.push((format!(".log.fields.{name}"), p));
            }
        }
        for (at, p) in pointers {
            if !p.is_empty() && !p.starts_with('/') {
                problem(&at, format!("{p:?} is not a JSON pointer: it must start with `/` (as in /scores/auc)"));
            }
        }
        if problems.is_empty() {
            Ok(CustomFormat {
                id: config.id.clone(),
                evidence_type: config.evidence_type.clone(),
                path,
                config: config.clone(),
            })
        } else {
            Err(problems)
        }
    }

    fn path_matches(&self, path: &str) -> bool {
        self.path.as_ref().is_none_or(|g| g.is_match(path))
    }

    /// Whether a JSON or YAML document at `path` is in this format (log formats read
    /// JSON Lines only).
    pub(super) fn matches(&self, path: &str, v: &Value) -> bool {
        self.config.log.is_none()
            && self.path_matches(path)
            && v.as_object().is_some_and(|m| self.config.matching.keys.iter().all(|k| m.contains_key(k)))
    }

    /// Whether a JSON Lines file whose first record is `record` is in this log format.
    pub(super) fn matches_record(&self, path: &str, record: &Map<String, Value>) -> bool {
        self.config.log.is_some()
            && self.path_matches(path)
            && self.config.matching.keys.iter().all(|k| record.contains_key(k))
    }

    /// Reads a document in this format.
    pub(super) fn read(&self, source: &mut Source<'_>, v: &Value) -> Document {
        let c = &self.config;
        if let Some(date) = c.date.as_deref().and_then(|p| v.pointer(p)).and_then(string) {
            source.date_from(&date, &format!("{} (readers: {})", c.date.as_deref().unwrap_or_default(), c.id));
        }
        let at = |p: &Option<String>, within: &Value| p.as_deref().and_then(|p| within.pointer(p)).and_then(number);
        if let Some(g) = &c.groups {
            let feature = if g.feature.starts_with('/') {
                v.pointer(&g.feature).and_then(string).unwrap_or_else(|| "sensitive feature".into())
            } else {
                g.feature.clone()
            };
            let mut groups: Vec<GroupResult> = v
                .pointer(&g.list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    Some(GroupResult {
                        name: item.pointer(&g.name).and_then(string)?,
                        selection_rate: at(&g.selection_rate, item),
                        disparate_impact_ratio: at(&g.disparate_impact_ratio, item),
                        count: at(&g.count, item).filter(|x| *x >= 0.0).map(|x| x as u64),
                        ..GroupResult::default()
                    })
                })
                .collect();
            let mut reference = g.reference.as_deref().and_then(|p| v.pointer(p)).and_then(string);
            super::fairness::ratios_from_rates(&mut reference, &mut groups);
            let feature = FeatureResult { name: feature, reference_group: reference, groups, metrics: BTreeMap::new() };
            return Document::BiasReport(BiasReport { features: vec![feature], ..BiasReport::default() });
        }
        if let Some(t) = &c.tests {
            let count = |p: &Option<String>| at(p, v).filter(|x| *x >= 0.0).map_or(0, |x| x as u32);
            return Document::TestResults(TestCounts {
                tests: count(&Some(t.tests.clone())),
                failures: count(&Some(t.failures.clone())),
                errors: count(&t.errors),
                skipped: count(&t.skipped),
                ..TestCounts::default()
            });
        }
        let metrics =
            c.metrics.iter().filter_map(|(name, p)| Some((name.clone(), v.pointer(p).and_then(number)?))).collect();
        Document::Metrics(Metrics { metrics, ..Metrics::default() })
    }

    /// A log record's time (as written) and the record-keeping fields it carries.
    pub(super) fn record_facts(&self, record: &Map<String, Value>) -> (Option<String>, Vec<String>) {
        let Some(log) = &self.config.log else { return (None, Vec::new()) };
        let time = pointer_in(record, &log.time).and_then(|t| match t {
            Value::Number(_) => super::log::epoch_time(number(t)?).map(|(s, _)| s),
            other => string(other).filter(|s| timestamp(s).is_some()),
        });
        let present = |p: &str| pointer_in(record, p).is_some_and(|x| !x.is_null());
        let mut carried: Vec<String> =
            log.fields.iter().filter(|(_, p)| present(p)).map(|(name, _)| name.clone()).collect();
        if time.is_some() {
            carried.push("time".into());
        }
        if log.id.as_deref().is_some_and(present) {
            carried.push("id".into());
        }
        (time, carried)
    }
}

/// The value at a JSON pointer inside a record, without copying the record.
fn pointer_in<'a>(record: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let rest = pointer.strip_prefix('/')?;
    let (first, rest) = rest.split_once('/').map_or((rest, ""), |(a, b)| (a, b));
    let key = first.replace("~1", "/").replace("~0", "~");
    let value = record.get(&key)?;
    if rest.is_empty() { Some(value) } else { value.pointer(&format!("/{rest}")) }
}
