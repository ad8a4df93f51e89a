//! What the evidence says: one typed document per evidence kind dossier reads.
//!
//! A reader (see `assess::readers`) turns the bytes of a file, the same bytes that were
//! hashed, into one of these; nothing downstream sees the file's own syntax. Figures a
//! document implies (a pass rate, an override rate, a matrix total) are worked out once,
//! by [`Document::finish`], through the functions defined here.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What one evidence file says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Document {
    /// A fairness report: per sensitive feature, per group.
    BiasReport(BiasReport),
    /// JUnit-style test results.
    TestResults(TestCounts),
    /// Named numeric metrics (evaluation reports).
    Metrics(Metrics),
    /// A model card: identity, metrics, sections.
    ModelCard(ModelCard),
    /// A JSON Lines log.
    Log(LogStats),
    /// A risk register.
    RiskRegister(RiskRegister),
    /// A dataset manifest.
    DatasetManifest(DatasetManifest),
    /// Model metadata (training data, performance claims).
    ModelMetadata(ModelMetadata),
    /// A data-lineage record, as key facts.
    DataLineage(FactSheet),
    /// A data profile's headline figures.
    DataProfile(DataProfile),
    /// A datasheet's representativeness sections.
    Datasheet(Datasheet),
    /// A human-oversight plan's measures.
    OversightPlan(OversightPlan),
    /// A sign-off.
    SignOff(SignOff),
    /// A waiver.
    Waiver(WaiverText),
    /// A sidecar describing another file.
    Sidecar(Sidecar),
    /// Data-quality checks and drift (Great Expectations, Evidently).
    DataValidation(DataValidation),
    /// Data versions recorded by digest (DVC).
    DataVersion(DataVersion),
    /// A bill of materials (CycloneDX ML-BOM, SPDX 3 AI and dataset packages).
    Bom(Bom),
    /// A training or evaluation run's record (MLflow run metadata, parameters, tags).
    Run(RunRecord),
    /// Cloud resources an infrastructure export describes (AWS CLI, Terraform).
    Infrastructure(InfraExport),
    /// A guardrail's configuration (Amazon Bedrock).
    Guardrail(crate::model::genai::Guardrail),
    /// A generated output's C2PA content credentials.
    ContentCredentials(crate::model::genai::ContentCredentials),
    /// A text watermark detector's results.
    Watermark(crate::model::genai::WatermarkReport),
    /// A kind this version does not know (a package written by a later one).
    #[serde(other)]
    Unknown,
}

impl Document {
    /// Works out the figures the document implies, once, where it is read.
    pub fn finish(mut self) -> Self {
        match &mut self {
            Document::TestResults(counts) => counts.pass_rate = counts.compute_pass_rate(),
            Document::Log(stats) => stats.finish(),
            Document::Metrics(m) => {
                if let Some(c) = &mut m.confusion {
                    c.total = c.matrix.iter().flatten().sum();
                }
            }
            Document::RiskRegister(r) => {
                for e in &mut r.entries {
                    e.carried = e.is_carried();
                }
            }
            _ => {}
        }
        self
    }

    /// Datasets the document names with a SHA-256.
    pub fn dataset_refs(&self) -> &[DatasetRef] {
        match self {
            Document::BiasReport(d) => &d.datasets,
            Document::Metrics(d) => &d.datasets,
            Document::ModelMetadata(d) => &d.datasets,
            Document::DataLineage(d) => &d.datasets,
            _ => &[],
        }
    }
}

/// A dataset named with its digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DatasetRef {
    /// The dataset's name (or id).
    pub name: String,
    /// Its SHA-256, 64 lowercase hex digits.
    pub sha256: String,
}

/// A fairness report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BiasReport {
    /// Sensitive features with their groups.
    pub features: Vec<FeatureResult>,
    /// Overall values, over every group (fairlearn's `MetricFrame.overall`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub overall: BTreeMap<String, f64>,
    /// Datasets the report names with a digest.
    pub datasets: Vec<DatasetRef>,
}

/// Fairness results for one sensitive feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureResult {
    /// Feature name, e.g. `sex`.
    pub name: String,
    /// The group others are compared with.
    pub reference_group: Option<String>,
    /// Each group's results.
    pub groups: Vec<GroupResult>,
    /// Aggregates over the feature's groups, by the tool's own names
    /// (`demographic_parity_difference`, `statistical_parity_difference`, Clarify's `DPL`, ...).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
}

impl FeatureResult {
    /// The aggregate named `name`, when the report gives it.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).copied()
    }
}

/// Fairness results for one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// Group name.
    pub name: String,
    /// The share of the group's cases with the favourable outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_rate: Option<f64>,
    /// Selection rate divided by the reference group's.
    pub disparate_impact_ratio: Option<f64>,
    /// How many cases the group has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Other per-group values, by the tool's own names (`accuracy`, `false_positive_rate`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// Line of the ratio (or the group) in the file.
    pub line: Option<u64>,
}

/// JUnit counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestCounts {
    /// Test cases.
    pub tests: u32,
    /// Cases with a `<failure>`.
    pub failures: u32,
    /// Cases with an `<error>`.
    pub errors: u32,
    /// Cases with `<skipped>`.
    pub skipped: u32,
    /// Names of the failed or errored cases, `classname.name`.
    pub failed: Vec<String>,
    /// The share of the cases that ran (skipped ones neither pass nor fail) that passed;
    /// none when no case ran.
    pub pass_rate: Option<f64>,
    /// Mean score per metric over the cases, for tools that score each case.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// For red-team runs, the attacks per category (a promptfoo plugin, a garak probe
    /// family): red-team results are judged by these rather than by the pass rate.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attacks: BTreeMap<String, Attacks>,
}

/// The attacks of one red-team category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attacks {
    /// Attacks made (attempts that errored are left out: they neither failed nor held).
    pub attempts: u32,
    /// Attacks that got through: the target did what the attack asked.
    pub succeeded: u32,
    /// The severity the tool gives the category, when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The probes that got through, by name (at most [`Attacks::NAMED`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<String>,
    /// How many probes got through, named or not.
    #[serde(skip_serializing_if = "is_zero")]
    pub failing_probes: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Attacks {
    /// How many failing probes a category names; the rest are counted.
    pub const NAMED: usize = 10;

    /// The attack success rate: attacks that got through over attacks made; none when
    /// none was made.
    pub fn success_rate(&self) -> Option<f64> {
        (self.attempts > 0).then(|| f64::from(self.succeeded) / f64::from(self.attempts))
    }

    /// One more attack, which got through or not, with the probe's name.
    pub fn add(&mut self, succeeded: bool, probe: impl FnOnce() -> String) {
        self.attempts += 1;
        if succeeded {
            self.record_success(1, probe);
        }
    }

    /// `n` attacks of a probe got through.
    pub fn record_success(&mut self, n: u32, probe: impl FnOnce() -> String) {
        self.succeeded += n;
        if n > 0 {
            self.failing_probes += 1;
            if self.failing.len() < Attacks::NAMED {
                self.failing.push(probe());
            }
        }
    }
}

impl TestCounts {
    /// The pass rate rule: passed cases over cases that ran; skipped cases are left out.
    fn compute_pass_rate(&self) -> Option<f64> {
        let ran = self.tests.saturating_sub(self.skipped);
        let failed = (self.failures + self.errors).min(ran);
        (ran > 0).then(|| f64::from(ran - failed) / f64::from(ran))
    }
}

/// Named metrics from an evaluation report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metrics {
    /// Metric name to value.
    pub metrics: BTreeMap<String, f64>,
    /// Datasets the report names with a digest.
    pub datasets: Vec<DatasetRef>,
    /// The confusion matrix, when the report has one.
    pub confusion: Option<Confusion>,
    /// The run that produced the figures (an MLflow run id, an evaluation id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The model evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The version of the model evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// How many examples were evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<u64>,
}

/// A confusion matrix: `matrix[actual][predicted]`, rows and columns in `labels` order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Confusion {
    /// Class labels.
    pub labels: Vec<String>,
    /// Counts, one row per actual class.
    pub matrix: Vec<Vec<u64>>,
    /// Sum of all cells.
    pub total: u64,
}

/// A model card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelCard {
    /// `model_version` (or `version`) from the front matter.
    pub version: Option<String>,
    /// `model_id` (or `model_name`) from the front matter.
    pub model_id: Option<String>,
    /// Metrics from the front matter's model-index.
    pub metrics: BTreeMap<String, f64>,
    /// Whether a section on intended use (`Uses`, `Intended use`) is present.
    pub has_intended_use: bool,
    /// Whether a section on limitations (`Limitations`, `Bias, Risks, and Limitations`) is present.
    pub has_limitations: bool,
    /// The card's Markdown without its front matter, when it is small enough to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Log statistics: JSON Lines and Parquet logs, whatever tool wrote them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogStats {
    /// The log format (a reader id: `jsonl`, `sagemaker-data-capture`, `parquet-log`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Records that parsed.
    pub records: u64,
    /// Lines that did not.
    pub bad_lines: u64,
    /// Earliest timestamp.
    pub first: Option<String>,
    /// Latest timestamp.
    pub last: Option<String>,
    /// Largest gap between consecutive records, in seconds.
    pub largest_gap_seconds: Option<i64>,
    /// For each top-level key, how many records carry it: written by dossier 0.1, whose
    /// checks counted keys; kept to read its packages. Readers now count `fields`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub key_counts: BTreeMap<String, u64>,
    /// For each record-keeping field (time, id, input, output, actor, confidence,
    /// latency, model), how many records carry it under the format's own name for it.
    #[serde(default, skip_serializing_if = "FieldCounts::is_empty")]
    pub fields: FieldCounts,
    /// The record-keeping fields the format has no place for, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_carried: Vec<String>,
    /// Counts of the `action` field's values (override logs: accept, override, reverse, halt).
    pub actions: BTreeMap<String, u64>,
    /// Faithfulness scores of RAG answers (`faithfulness_score` or `faithfulness`), in order.
    pub faithfulness: Vec<f64>,
    /// Share of acted-on records whose action overrides or reverses the system's output.
    pub override_rate: Option<f64>,
    /// Mean faithfulness score.
    pub mean_faithfulness: Option<f64>,
    /// Lowest faithfulness score.
    pub lowest_faithfulness: Option<f64>,
    /// RAG records that cite chunks, held against the chunks each retrieved (records
    /// whose citations or retrieved chunks carry no ids are not counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<Box<Citations>>,
    /// Guardrail traces of model invocations (Amazon Bedrock invocation logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<Box<GuardrailTraces>>,
}

/// What the guardrail did across a log's model invocations, from the traces the service
/// writes into each response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardrailTraces {
    /// Invocations that went through a guardrail.
    pub guarded: u64,
    /// Invocations where it intervened (blocked or masked something).
    pub intervened: u64,
    /// Per policy (`contentPolicy`, `topicPolicy`, `wordPolicy`,
    /// `sensitiveInformationPolicy`, `contextualGroundingPolicy`...), the invocations
    /// where it acted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_policy: BTreeMap<String, u64>,
}

impl GuardrailTraces {
    /// Invocations where the guardrail intervened, over those it guarded.
    pub fn intervention_rate(&self) -> Option<f64> {
        (self.guarded > 0).then(|| self.intervened as f64 / self.guarded as f64)
    }
}

/// Citation integrity of a RAG audit log: every chunk an answer cites should be one the
/// same record retrieved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Citations {
    /// Records whose citations were checked.
    pub records: u64,
    /// Citations checked, over those records.
    pub cited: u64,
    /// Citations naming a chunk the record did not retrieve.
    pub not_retrieved: u64,
    /// The first of those, in file order (at most [`Citations::KEPT`]; none once logs are
    /// taken together, where a line would not say which file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misses: Vec<CitationMiss>,
}

/// One citation of a chunk its record did not retrieve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitationMiss {
    /// The record's line in the log.
    pub line: u64,
    /// The record's id, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The chunk cited.
    pub chunk: String,
    /// How many chunks the record retrieved.
    pub retrieved: u64,
}

impl Citations {
    /// How many misses a log keeps with their lines; the rest are counted.
    pub const KEPT: usize = 20;

    /// Adds another log's counts (not its misses, whose lines belong to that file).
    fn add(&mut self, other: &Citations) {
        self.records += other.records;
        self.cited += other.cited;
        self.not_retrieved += other.not_retrieved;
    }
}

impl LogStats {
    /// How many records carry the record-keeping `field`: as the reader counted it under
    /// the format's own name, else (a package from before readers counted fields) by the
    /// top-level keys accepted for it.
    pub fn carrying(&self, field: &str, names: &[String]) -> u64 {
        match self.fields.get(field) {
            Some(n) => *n,
            None if self.format.is_some() => 0,
            None => names.iter().filter_map(|n| self.key_counts.get(n)).max().copied().unwrap_or(0),
        }
    }

    /// Works out the rates from the counts (after reading, and after merging).
    pub fn finish(&mut self) {
        let acted: u64 = self.actions.values().sum();
        self.override_rate = (acted > 0).then(|| {
            let overridden: u64 =
                self.actions.iter().filter(|(a, _)| matches!(a.as_str(), "override" | "reverse")).map(|(_, n)| n).sum();
            overridden as f64 / acted as f64
        });
        let scores: Vec<f64> = self.faithfulness.iter().copied().filter(|x| x.is_finite()).collect();
        self.mean_faithfulness = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        self.lowest_faithfulness = scores.iter().copied().reduce(f64::min);
    }

    /// The statistics of several logs taken together: counts summed, the time span
    /// widened, the rates worked out again over the sums.
    pub fn merge<'a>(logs: impl IntoIterator<Item = &'a LogStats>) -> LogStats {
        let mut merged = LogStats::default();
        for s in logs {
            merged.records += s.records;
            merged.bad_lines += s.bad_lines;
            merged.first = match (merged.first.take(), &s.first) {
                (Some(a), Some(b)) => Some(a.min(b.clone())),
                (a, b) => a.or_else(|| b.clone()),
            };
            merged.last = match (merged.last.take(), &s.last) {
                (Some(a), Some(b)) => Some(a.max(b.clone())),
                (a, b) => a.or_else(|| b.clone()),
            };
            merged.largest_gap_seconds = match (merged.largest_gap_seconds, s.largest_gap_seconds) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            add_counts(&mut merged.key_counts, &s.key_counts);
            merged.fields.add_all(&s.fields);
            if merged.format.is_none() {
                merged.format.clone_from(&s.format);
            } else if merged.format != s.format {
                merged.format = Some("mixed".into());
            }
            for field in &s.not_carried {
                if !merged.not_carried.contains(field) {
                    merged.not_carried.push(field.clone());
                }
            }
            add_counts(&mut merged.actions, &s.actions);
            merged.faithfulness.extend(&s.faithfulness);
            if let Some(c) = &s.citations {
                merged.citations.get_or_insert_with(Default::default).add(c);
            }
            if let Some(g) = &s.guardrail {
                let m = merged.guardrail.get_or_insert_with(Default::default);
                m.guarded += g.guarded;
                m.intervened += g.intervened;
                add_counts(&mut m.by_policy, &g.by_policy);
            }
        }
        merged.not_carried.sort();
        merged.finish();
        merged
    }
}

/// Adds `more` to `counts`, key by key (a key is copied only the first time it is seen).
/// How many records carry each record-keeping field, by name, sorted by name. A log
/// file has a handful, and a build may hold a million log files' counts at once, so they
/// are kept in one small sorted vector (the names mostly static), not a tree of nodes. It
/// reads and writes as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldCounts(Vec<(Cow<'static, str>, u64)>);

impl FieldCounts {
    /// The count for `field`, when it was counted.
    pub fn get(&self, field: &str) -> Option<&u64> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(field)).ok().map(|i| &self.0[i].1)
    }

    /// Adds `n` to the count for `field` (naming it `name` when it is new).
    pub fn add(&mut self, field: &str, n: u64, name: impl FnOnce() -> Cow<'static, str>) {
        match self.0.binary_search_by(|(k, _)| k.as_ref().cmp(field)) {
            Ok(i) => self.0[i].1 += n,
            Err(i) => self.0.insert(i, (name(), n)),
        }
    }

    /// Adds every count of `more`.
    pub fn add_all(&mut self, more: &FieldCounts) {
        for (field, n) in &more.0 {
            self.add(field, *n, || field.clone());
        }
    }

    /// Each field and its count, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(k, n)| (k.as_ref(), *n))
    }

    /// Whether no field was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Index<&str> for FieldCounts {
    type Output = u64;

    fn index(&self, field: &str) -> &u64 {
        self.get(field).unwrap_or_else(|| panic!("no count for field {field:?}"))
    }
}

impl Serialize for FieldCounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, n)| (k.as_ref(), n)))
    }
}

impl<'de> Deserialize<'de> for FieldCounts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let map = BTreeMap::<String, u64>::deserialize(deserializer)?;
        Ok(FieldCounts(map.into_iter().map(|(k, n)| (Cow::Owned(k), n)).collect()))
    }
}

fn add_counts<K: Ord + Clone>(counts: &mut BTreeMap<K, u64>, more: &BTreeMap<K, u64>) {
    for (key, n) in more {
        match counts.get_mut(key) {
            Some(count) => *count += n,
            None => {
                counts.insert(key.clone(), *n);
            }
        }
    }
}

/// A risk register.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskRegister {
    /// The key that holds the list of risks (`risks`, `entries`, ...); none for a
    /// register that is a list itself.
    pub list_key: Option<String>,
    /// Whether a list of risks was found at all.
    pub has_list: bool,
    /// The risks, in file order.
    pub entries: Vec<RiskEntry>,
}

/// One risk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskEntry {
    /// Risk id.
    pub id: Option<String>,
    /// What could go wrong.
    pub risk: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Likelihood.
    pub likelihood: Option<String>,
    /// Impact.
    pub impact: Option<String>,
    /// Mitigation.
    pub mitigation: Option<String>,
    /// Residual level.
    pub residual: Option<String>,
    /// Status (mitigated, accepted, open, ...).
    pub status: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Whether a residual risk is carried: the risk was accepted, or its residual level
    /// is not low.
    pub carried: bool,
}

impl RiskEntry {
    /// The fields every entry should have that this one lacks: risk, mitigation, residual
    /// risk, owner.
    pub fn lacking(&self) -> Vec<&'static str> {
        [
            ("risk", self.risk.is_none()),
            ("mitigation", self.mitigation.is_none()),
            ("residual risk", self.residual.is_none()),
            ("owner", self.owner.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect()
    }

    /// The residual-risk rule: accepted risks, and risks whose residual level is not low,
    /// are carried.
    fn is_carried(&self) -> bool {
        let accepted = self.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("accepted"));
        let not_low = self.residual.as_deref().is_some_and(|s| !s.eq_ignore_ascii_case("low"));
        accepted || not_low
    }
}

/// A dataset manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatasetManifest {
    /// Every dataset it lists.
    pub datasets: Vec<Dataset>,
    /// Whether it flags raw personal data (`contains_pii: true` anywhere).
    pub contains_pii: bool,
}

/// A dataset listed in a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dataset {
    /// Role: training, validation, test, ...
    pub role: Option<String>,
    /// Name.
    pub name: String,
    /// Where it lives.
    pub uri: Option<String>,
    /// A file it names by path (`path` or `file`), relative to the evidence root.
    pub file: Option<String>,
    /// Its SHA-256 as recorded, normalised to 64 lowercase hex digits.
    pub sha256: Option<String>,
    /// Rows.
    pub rows: Option<u64>,
}

/// Model metadata: a model as a registry or a model file describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMetadata {
    /// `model_id` (or `model_name`), when given.
    pub model_id: Option<String>,
    /// The model's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The training run that produced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// When it was created (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The flavors or frameworks it is saved in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flavors: Vec<String>,
    /// Its approval status or stage in a registry (`Approved`, `Production`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Whether it flags raw personal data (`contains_pii: true` anywhere).
    pub contains_pii: bool,
    /// Datasets it names with a digest.
    pub datasets: Vec<DatasetRef>,
}

/// A structured document shown as `key: value` facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FactSheet {
    /// Flattened facts (`a.b[0].c`, value), the first forty.
    pub facts: Vec<(String, String)>,
    /// Facts left out.
    pub more: usize,
    /// Datasets it names with a digest.
    pub datasets: Vec<DatasetRef>,
}

/// A data profile's headline figures (ydata-profiling's `table`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataProfile {
    /// Rows profiled.
    pub rows: Option<u64>,
    /// Variables.
    pub variables: Option<u64>,
    /// Share of missing cells, 0-1.
    pub missing_share: Option<f64>,
    /// Duplicate rows.
    pub duplicates: Option<u64>,
}

/// A datasheet's sections on representativeness, as Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Datasheet {
    /// Each section whose heading mentions representativeness, heading included.
    pub representativeness: Vec<String>,
}

/// A human-oversight plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OversightPlan {
    /// Each section heading with its first paragraph.
    pub measures: Vec<OversightMeasure>,
}

/// One oversight measure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OversightMeasure {
    /// The section heading.
    pub title: String,
    /// Its first paragraph, as plain text.
    pub text: String,
}

/// A sign-off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignOff {
    /// Who signed (one reviewer, or approvers joined by commas).
    pub reviewer: Option<String>,
    /// The reviewer's role, when given.
    pub role: Option<String>,
    /// The decision as written, lower-cased.
    pub decision: Option<String>,
    /// When, as written.
    pub date: Option<String>,
    /// The version the sign-off is for.
    pub version: Option<String>,
    /// Whether the decision is an approval.
    pub approved: bool,
}

/// A waiver as written (whether it is in force is the assessment's call).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WaiverText {
    /// Requirement ids it waives.
    pub requirements: Vec<String>,
    /// Why.
    pub justification: Option<String>,
    /// Who approved it.
    pub approver: Option<String>,
    /// Last day it holds.
    pub expires: Option<chrono::NaiveDate>,
}

/// Data-quality checks (Great Expectations expectations, Evidently tests) and drift.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataValidation {
    /// The suite or report checked.
    pub suite: Option<String>,
    /// The tool's overall verdict, when it gives one.
    pub success: Option<bool>,
    /// Checks evaluated.
    pub checks: u64,
    /// Checks that passed.
    pub passed: u64,
    /// The checks that failed, in file order.
    pub failed: Vec<FailedCheck>,
    /// The drift verdict, for reports that test for drift.
    pub drift: Option<Drift>,
}

/// One failed data-quality check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailedCheck {
    /// The expectation type or test name.
    pub name: String,
    /// The column it checks, when it checks one.
    pub column: Option<String>,
    /// What it expected, briefly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A drift verdict over a dataset's columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Drift {
    /// Whether the tool judged the dataset drifted.
    pub detected: bool,
    /// Columns judged drifted.
    pub drifted_columns: Option<u64>,
    /// Columns compared.
    pub columns: Option<u64>,
    /// Share of drifted columns.
    pub share: Option<f64>,
}

/// Data files recorded by digest (a DVC `.dvc` file or `dvc.lock`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataVersion {
    /// Each recorded output.
    pub outs: Vec<DataOut>,
}

/// One recorded data file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataOut {
    /// The path as written, relative to the recording file.
    pub path: String,
    /// The path relative to the evidence root, when it stays inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The MD5 recorded (a directory's ends in `.dir`).
    pub md5: Option<String>,
    /// The size recorded, in bytes.
    pub size: Option<u64>,
    /// The hash DVC says it used (`md5` in DVC 3; absent before, where text files were
    /// hashed with Windows line endings turned into Unix ones).
    pub hash: Option<String>,
}

/// A bill of materials for a model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bom {
    /// `cyclonedx` or `spdx`.
    pub format: String,
    /// The specification version.
    pub spec_version: Option<String>,
    /// Every component or package, in file order.
    pub components: Vec<BomComponent>,
}

/// One component of a bill of materials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BomComponent {
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Type: `machine-learning-model`, `data`, `library`, `ai-package`, `dataset-package`, ...
    #[serde(rename = "type")]
    pub component_type: Option<String>,
    /// Its SHA-256, lowercase hex, when listed.
    pub sha256: Option<String>,
}

/// A run as a tracking server records it; MLflow keeps each parameter and tag in a file
/// of its own, so one record may hold a single parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunRecord {
    /// The run id.
    pub run_id: Option<String>,
    /// The run's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its status (`FINISHED`, `FAILED`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When it started (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// When it ended (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Parameters.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// Tags.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// What a sidecar (`FILE.dossier.yaml`) says about its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// The date of the evidence (YYYY-MM-DD), for files whose content carries none.
    #[serde(default)]
    pub date: Option<String>,
    /// The evidence type, overriding classification.
    #[serde(default, rename = "type")]
    pub evidence_type: Option<String>,
    /// The file's write-once copy in an object store (`s3://bucket/key`, optionally
    /// `?versionId=V`), which the write-once rule then judges in the file's place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worm_copy: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_cases_neither_pass_nor_fail() {
        let counts = |tests, failures, skipped| match Document::TestResults(TestCounts {
            tests,
            failures,
            skipped,
            ..TestCounts::default()
        })
        .finish()
        {
            Document::TestResults(c) => c.pass_rate,
            _ => unreachable!(),
        };
        assert_eq!(counts(7, 0, 1), Some(1.0));
        assert_eq!(counts(8, 1, 2).map(|r| (r * 1000.0).round()), Some(833.0));
        assert_eq!(counts(2, 0, 2), None);
    }

    #[test]
    fn merged_logs_work_out_their_rates_over_the_sums() {
        let log = |actions: &[(&str, u64)], scores: &[f64]| {
            let mut s = LogStats {
                records: 10,
                actions: actions.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
                faithfulness: scores.to_vec(),
                ..LogStats::default()
            };
            s.finish();
            s
        };
        let a = log(&[("accept", 8), ("override", 2)], &[0.9]);
        let b = log(&[("accept", 10)], &[0.95, 0.6]);
        assert_eq!(a.override_rate, Some(0.2));
        let m = LogStats::merge([&a, &b]);
        assert_eq!((m.records, m.override_rate, m.lowest_faithfulness), (20, Some(0.1), Some(0.6)));
    }

    #[test]
    fn accepted_and_not_low_risks_are_carried() {
        let entry = |residual: &str, status: &str| RiskEntry {
            residual: Some(residual.into()),
            status: Some(status.into()),
            ..RiskEntry::default()
        };
        let carried =
            |e: RiskEntry| match Document::RiskRegister(RiskRegister { entries: vec![e], ..RiskRegister::default() })
                .finish()
            {
                Document::RiskRegister(r) => r.entries[0].carried,
                _ => unreachable!(),
            };
        assert!(!carried(entry("low", "mitigated")));
        assert!(carried(entry("medium", "mitigated")));
        assert!(carried(entry("Low", "Accepted")));
        assert_eq!(entry("low", "x").lacking(), ["risk", "mitigation", "owner"]);
    }

    #[test]
    fn a_kind_from_a_later_version_reads_as_unknown() {
        let d: Document = serde_json::from_str(r#"{"kind": "from-the-future", "x": 1}"#).unwrap();
        assert_eq!(d, Document::Unknown);
    }
}

/// The resources one infrastructure export describes, each fact with where it was read.
/// The assessment merges the exports into one [`Inventory`](super::infra::Inventory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfraExport {
    /// The resources, in the order the file gives them.
    pub resources: Vec<super::infra::Resource>,
}
