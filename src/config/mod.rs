//! `dossier.yaml`: what is being assessed and where its evidence lives, and the
//! validated [`plan`] a run follows.
//!
//! Loading happens in two steps, as in cargo-deny: serde structs with
//! `deny_unknown_fields` catch typos and wrong types with the file, line and key; then
//! [`Config::validate`] checks what serde cannot and reports every problem at once. The
//! [`plan`] then checks everything the config points at (catalogs, rules, policies,
//! templates, keys, the previous package) before any evidence is read. Every field has a
//! default, so `dossier build some/dir` works with no config at all.

pub mod plan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::Override;
use crate::collect::IgnorePattern;
use crate::collect::classify::ClassificationRule;
use crate::collect::store::StoreSource;
use crate::diag::yaml::{self, line_of};
use crate::diag::{Error, Problem, Problems, Result};
use crate::digest::Sha256Digest;
use crate::model::finding::Severity;
use crate::model::measure::ChecksConfig;
use crate::model::system::System;

/// The name dossier looks for when no `--config` is given.
pub const CONFIG_FILE_NAME: &str = "dossier.yaml";

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The AI system under assessment.
    pub system: System,
    /// Where the evidence is and which files count.
    pub evidence: EvidenceConfig,
    /// Catalog ids to assess against. Default: every loaded catalog that has a requirement
    /// in the system's scope.
    pub frameworks: Option<Vec<String>>,
    /// Extra catalog files (your own frameworks or control sets), relative to this file.
    pub catalogs: Vec<PathBuf>,
    /// Replacement evidence mappings, by requirement id.
    pub overrides: BTreeMap<String, Override>,
    /// Path rules that classify artifacts, tried before the built-in ones.
    pub classification: Vec<ClassificationRule>,
    /// Rego policies to evaluate.
    pub policies: Vec<PolicyConfig>,
    /// Thresholds for the built-in checks.
    pub checks: ChecksConfig,
    /// Which application dates count, and whether duties not yet in force are assessed
    /// ahead. Left out of the config digest when default, so configs without it keep
    /// their digests.
    #[serde(skip_serializing_if = "crate::config::is_default")]
    pub applicability: crate::model::matrix::Applicability,
    /// Which cloud resources the infrastructure rules are about, their parameters, and
    /// rules switched off. Left out of the config digest when default.
    #[serde(skip_serializing_if = "crate::config::is_default")]
    pub infrastructure: crate::assess::infra::InfraConfig,
    /// How generated outputs must be marked: C2PA trust anchors, the share of samples
    /// marked, watermark detection rates.
    #[serde(skip_serializing_if = "crate::model::genai::MarkingRules::is_default")]
    pub content_marking: crate::model::genai::MarkingRules,
    /// How the HTML and PDF reports look.
    pub report: ReportConfig,
    /// In-house evidence formats, read into dossier's documents by JSON pointer. Left
    /// out of the config digest when empty, so configs without it keep their digests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<crate::assess::readers::custom::ReaderConfig>,
}

/// The `report:` section: branding, template overrides and which formats to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// Organisation named on the cover and in the header. Default: `system.provider`.
    pub organisation: Option<String>,
    /// A PNG, JPEG or SVG logo, relative to this file, shown on the cover and in the header.
    pub logo: Option<PathBuf>,
    /// A directory whose `html/` and `typst/` files replace the built-in templates of the
    /// same name, relative to this file. `--templates` overrides it.
    pub templates: Option<PathBuf>,
    /// Which reports to render. Default: both.
    pub formats: Vec<ReportFormat>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            organisation: None,
            logo: None,
            templates: None,
            formats: vec![ReportFormat::Html, ReportFormat::Pdf],
        }
    }
}

/// A rendered report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// `index.html`.
    Html,
    /// `report.pdf`.
    Pdf,
}

/// One Rego policy to evaluate over the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The `.rego` file, relative to this config file.
    pub file: PathBuf,
    /// An evidence file (relative to the evidence root) whose JSON or YAML content is the
    /// policy's `input`. Default: the assessment document (system, artifacts, findings).
    #[serde(default)]
    pub input: Option<String>,
    /// The rule to evaluate. Default: `data.<package>.deny`.
    #[serde(default)]
    pub query: Option<String>,
    /// Requirement ids that the policy's findings fail.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Severity of its findings. Default: error.
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// Where the evidence lives and which files count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    /// Evidence root, relative to the config file. Default: the config file's directory.
    pub root: Option<PathBuf>,
    /// Collect hidden files and directories (names starting with `.`). Default: false.
    pub include_hidden: bool,
    /// Gitignore-style patterns, relative to the evidence root, for files to leave out.
    pub ignore: Vec<IgnorePattern>,
    /// Root of the source repository that holds the evidence, relative to the config file.
    /// When set, `results.sarif` locates findings relative to it, as code scanning expects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_root: Option<PathBuf>,
    /// Object-store prefixes collected beside the root (`s3://`, `gs://`, `az://`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<StoreSource>,
    /// With `--trust-store-checksums`: the share of objects taken at the store's SHA-256
    /// that are downloaded anyway and compared. Default: 0.05.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_sample: Option<f64>,
    /// Evidence types that must (true) or need not (false) be kept on write-once storage,
    /// over the taxonomy's defaults (which apply to high-risk systems).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub worm: BTreeMap<String, bool>,
}

/// `path` resolved against `base` without `./` noise: absolute paths stay, `.` parts drop.
/// Whether a value is its type's default (for leaving default sections out of the
/// config digest).
fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let mut out: PathBuf = base.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
    out.extend(path.components().filter(|c| !matches!(c, std::path::Component::CurDir)));
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// A config as loaded: the values plus where they came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The configuration values.
    pub config: Config,
    /// The file it was read from; `None` when running on defaults.
    pub file: Option<PathBuf>,
    /// The file's text, to point problems found later at a line.
    pub text: String,
    /// Directory relative paths in the config resolve against.
    pub base_dir: PathBuf,
}

impl LoadedConfig {
    /// Defaults, as if an empty `dossier.yaml` sat in `base_dir`.
    pub fn defaults(base_dir: impl Into<PathBuf>) -> Self {
        LoadedConfig { config: Config::default(), file: None, text: String::new(), base_dir: base_dir.into() }
    }

    /// Reads and validates `file`.
    pub fn load(file: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io("read config", file, e))?;
        let config = Config::parse(&text, file)?;
        let base_dir = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(LoadedConfig { config, file: Some(file.to_path_buf()), text, base_dir })
    }

    /// A problem with the setting at `key` (a dotted path), located at its line when the
    /// config file has one.
    pub fn problem(&self, key: &str, message: impl Into<String>) -> Problem {
        let problem = match &self.file {
            Some(file) => {
                let leaf = key.rsplit('.').next().unwrap_or(key);
                let leaf = leaf.split('[').next().unwrap_or(leaf);
                Problem::in_file(file, message).at(line_of(&self.text, &format!("{leaf}:"), 1), None)
            }
            None => Problem::new(message),
        };
        problem.key(key)
    }

    /// The config file and its text, for locating problems in it.
    pub fn source(&self) -> Option<(&Path, &str)> {
        self.file.as_deref().map(|f| (f, self.text.as_str()))
    }

    /// Finds the config for a run: `--config` if given, else `dossier.yaml` in the evidence
    /// directory, else `dossier.yaml` in the current directory, else defaults.
    pub fn discover(explicit: Option<&Path>, evidence_dir: Option<&Path>) -> Result<Self> {
        if let Some(file) = explicit {
            return Self::load(file);
        }
        let mut candidates = Vec::new();
        if let Some(dir) = evidence_dir {
            candidates.push(dir.join(CONFIG_FILE_NAME));
        }
        candidates.push(PathBuf::from(CONFIG_FILE_NAME));
        for candidate in candidates {
            if candidate.is_file() {
                return Self::load(&candidate);
            }
        }
        Ok(Self::defaults(evidence_dir.unwrap_or(Path::new("."))))
    }

    /// The evidence root: the command-line directory if given, else `evidence.root`
    /// resolved against the config's directory.
    pub fn evidence_root(&self, cli_dir: Option<&Path>) -> PathBuf {
        if let Some(dir) = cli_dir {
            return dir.to_path_buf();
        }
        match &self.config.evidence.root {
            Some(root) => resolve(&self.base_dir, root),
            None => self.base_dir.clone(),
        }
    }

    /// A policy file, resolved against the config's directory.
    pub fn policy_file(&self, policy: &PolicyConfig) -> PathBuf {
        resolve(&self.base_dir, &policy.file)
    }

    /// A path from the config (logo, templates), resolved against the config's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        resolve(&self.base_dir, path)
    }

    /// The user catalog files, resolved against the config's directory.
    pub fn catalog_files(&self) -> Vec<PathBuf> {
        self.config.catalogs.iter().map(|p| resolve(&self.base_dir, p)).collect()
    }

    /// Digest of the effective configuration (defaults filled in), in canonical JSON.
    /// Comments and formatting in the file do not change it; any value that matters does.
    pub fn digest(&self) -> Sha256Digest {
        let value = serde_json::to_value(&self.config).expect("config serializes to JSON");
        Sha256Digest::of(crate::seal::manifest::canonical_json(&value).as_bytes())
    }
}

impl Config {
    /// Parses YAML text; `file` is used in error messages only.
    pub fn parse(text: &str, file: &Path) -> Result<Self> {
        let parsed: Option<Config> = yaml::from_str(text, file)?;
        let config = parsed.unwrap_or_default();
        let mut problems = Problems::default();
        for (key, message) in config.validate() {
            let leaf = key.rsplit('.').next().unwrap_or(&key);
            let leaf = leaf.split('[').next().unwrap_or(leaf);
            problems.push(Problem::in_file(file, message).at(line_of(text, &format!("{leaf}:"), 1), None).key(key));
        }
        problems.into_result()?;
        Ok(config)
    }

    /// Checks what the types cannot; returns every problem found as (key, message),
    /// empty when valid.
    pub fn validate(&self) -> Vec<(String, String)> {
        let mut problems: Vec<(String, String)> = Vec::new();
        let mut push = |key: &str, message: String| problems.push((key.to_string(), message));
        let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
        for (key, value) in [
            ("system.name", &self.system.name),
            ("system.version", &self.system.version),
            ("system.provider", &self.system.provider),
            ("system.intended_purpose", &self.system.intended_purpose),
        ] {
            if blank(value) {
                push(key, "must not be empty; remove the key or give it a value".into());
            }
        }
        if self.frameworks.as_ref().is_some_and(Vec::is_empty) {
            push(
                "frameworks",
                "must not be empty; name at least one catalog, or remove the key to use them all".into(),
            );
        }
        for problem in self.infrastructure.problems() {
            push("infrastructure.disabled", problem);
        }
        for (i, source) in self.evidence.sources.iter().enumerate() {
            for problem in source.problems() {
                push(&format!("evidence.sources[{i}]"), problem);
            }
        }
        if self.evidence.store_sample.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            push("evidence.store_sample", "must be a share between 0 and 1".into());
        }
        if let Some(name) = &self.system.name
            && name.chars().any(char::is_control)
        {
            push("system.name", "must not contain control characters".into());
        }
        for (key, list) in [
            ("system.inputs", &self.system.inputs),
            ("system.outputs", &self.system.outputs),
            ("system.known_limitations", &self.system.known_limitations),
        ] {
            if let Some(i) = list.iter().position(|s| s.trim().is_empty()) {
                push(&format!("{key}[{i}]"), "must not be empty".into());
            }
        }
        if let Some(logo) = &self.report.logo {
            let ext = logo.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "svg")) {
                push("report.logo", format!("{} must be a .png, .jpg or .svg file", logo.display()));
            }
        }
        if let Some(org) = &self.report.organisation
            && org.trim().is_empty()
        {
            push("report.organisation", "must not be empty; remove the key or give it a value".into());
        }
        for (name, max) in &self.checks.max_metrics {
            if let Some(min) = self.checks.min_metrics.get(name)
                && min > max
            {
                push(
                    &format!("checks.max_metrics.{name}"),
                    format!("{name} has a minimum ({min}) above its maximum ({max}), so no value passes"),
                );
            }
        }
        problems
    }
}

/// The commented starter config written by `dossier init`.
pub const STARTER: &str = include_str!("../../templates/init/dossier.yaml");

/// Writes the starter config into `dir` (made if missing), named after the directory;
/// an existing `dossier.yaml` is replaced only with `force`.
pub fn write_starter(dir: &Path, force: bool) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let file = dir.join(CONFIG_FILE_NAME);
    if file.exists() && !force {
        return Err(Error::Exists { path: file, advice: "pass --force to overwrite it" });
    }
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    std::fs::write(&file, starter_for(&name)).map_err(|e| Error::io("write", &file, e))?;
    Ok(file)
}

/// The starter config with the system name filled in.
pub fn starter_for(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '-' })
        .collect();
    let safe = if safe.trim_matches('-').is_empty() { "my-ai-system".to_string() } else { safe };
    STARTER.replace("my-ai-system", &safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("dossier.yaml"))
    }

    #[test]
    fn empty_and_comment_only_files_give_defaults() {
        use crate::model::system::{RiskCategory, Role};
        assert_eq!(parse("").unwrap(), Config::default());
        assert_eq!(parse("# nothing here\n").unwrap(), Config::default());
        assert_eq!(Config::default().system.risk_category, RiskCategory::High);
        assert_eq!(Config::default().system.role, Role::Provider);
    }

    #[test]
    fn the_starter_configs_store_keys_are_valid_and_bad_ones_are_named() {
        let starter = include_str!("../../templates/init/dossier.yaml");
        // The commented store keys under `evidence:`, uncommented: the YAML lines among the
        // prose (a key, or an indented continuation).
        let block: Vec<String> = starter
            .lines()
            .skip_while(|l| !l.starts_with("  # sources:"))
            .take_while(|l| l.starts_with("  #"))
            .filter_map(|l| l.strip_prefix("  # "))
            .filter(|l| l.starts_with(' ') || l.split_whitespace().next().is_some_and(|w| w.ends_with(':')))
            .map(|l| format!("  {l}"))
            .collect();
        let config = parse(&format!("evidence:\n{}\n", block.join("\n"))).unwrap();
        assert_eq!(config.evidence.sources[0].url.to_string(), "s3://ml-evidence/credit-scoring/inference");
        assert_eq!(config.evidence.store_sample, Some(0.05));
        assert_eq!(config.evidence.worm.get("rag-audit-log"), Some(&true));

        let err = parse("evidence:\n  sources:\n    - url: https://bucket/x\n").unwrap_err().to_string();
        assert!(err.contains("evidence.sources") && err.contains("not an object-store URL"), "{err}");
        let err = parse("evidence:\n  sources:\n    - url: s3://b/p\n      path: ../up\n").unwrap_err().to_string();
        assert!(err.contains("evidence.sources[0]") && err.contains("`..`"), "{err}");
        let err = parse("evidence:\n  store_sample: 2\n").unwrap_err().to_string();
        assert!(err.contains("evidence.store_sample"), "{err}");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("system:\n  name: x\n  versoin: 1.0\n").unwrap_err().to_string();
        assert!(err.starts_with("dossier.yaml:3:"), "{err}");
        assert!(err.contains("unknown field `versoin`"), "{err}");
        assert!(err.contains("system"), "{err}");
    }

    #[test]
    fn wrong_type_and_bad_enum_name_the_key() {
        let err = parse("system:\n  risk_category: hgh\n").unwrap_err().to_string();
        assert!(err.starts_with("dossier.yaml:2:"), "{err}");
        assert!(err.contains("system.risk_category"), "{err}");
        assert!(err.contains("hgh"), "{err}");

        let err = parse("evidence:\n  include_hidden: maybe\n").unwrap_err().to_string();
        assert!(err.contains("evidence.include_hidden"), "{err}");
    }

    #[test]
    fn bad_ignore_pattern_is_located() {
        let err = parse("evidence:\n  ignore:\n    - \"logs/{a,b\"\n").unwrap_err().to_string();
        assert!(err.starts_with("dossier.yaml:3:"), "{err}");
        assert!(err.contains("invalid ignore pattern"), "{err}");
    }

    #[test]
    fn validate_reports_every_problem_at_once() {
        let err = parse("system:\n  name: ''\n  version: ' '\n  inputs: [a, '']\n").unwrap_err().to_string();
        assert!(err.contains("dossier.yaml:2: system.name: must not be empty"), "{err}");
        assert!(err.contains("dossier.yaml:3: system.version: must not be empty"), "{err}");
        assert!(err.contains("system.inputs[1]: must not be empty"), "{err}");
    }

    #[test]
    fn starter_config_parses_and_names_the_system() {
        let text = starter_for("credit score");
        let config = parse(&text).unwrap();
        assert_eq!(config.system.name.as_deref(), Some("credit-score"));
        assert!(text.lines().filter(|l| l.trim_start().starts_with('#')).count() > 10);
    }

    #[test]
    fn digest_ignores_formatting_but_not_values() {
        let a = LoadedConfig { config: parse("system: {name: a}").unwrap(), ..LoadedConfig::defaults(".") };
        let b =
            LoadedConfig { config: parse("# comment\nsystem:\n  name: a\n").unwrap(), ..LoadedConfig::defaults(".") };
        let c = LoadedConfig { config: parse("system: {name: b}").unwrap(), ..LoadedConfig::defaults(".") };
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), c.digest());
    }
}
