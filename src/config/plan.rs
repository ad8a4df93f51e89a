//! The plan: a run's configuration resolved and checked in full before any evidence is
//! read or anything is written (ripgrep's `HiArgs`, cargo-deny's `ValidConfig`).
//!
//! The config, the catalogs and overrides, the classification rules, the policies, the
//! report templates and logo, the signing key and the previous package's key are all
//! checked here, and every problem found is reported together, each with its file, line
//! and key. Only then is the previous package verified, and only then does the run read
//! the evidence.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use ignore::gitignore::Gitignore;

use super::{LoadedConfig, ReportFormat};
use crate::assess::Setup;
use crate::assess::policy::{self, Policy};
use crate::assess::readers::Readers;
use crate::assess::readers::custom::CustomFormat;
use crate::catalog::CatalogSet;
use crate::clock;
use crate::collect::classify::Classifier;
use crate::collect::store::{StoreSource, StoreUrl};
use crate::collect::{Progress, ignore_matcher};
use crate::compare::{self, Side};
use crate::diag::yaml::line_of;
use crate::diag::{Error, Problem, Problems, Result};
use crate::model::finding::Severity;
use crate::model::system::SystemScope;
use crate::render::files::sarif::Anchors;
use crate::render::report::Branding;
use crate::render::templates::TemplateSet;
use crate::render::{html, templates};
use crate::seal::attest;
use crate::seal::verify::VerifyReport;

/// Where the package goes when `-o` is not given (relative to the current directory).
pub const DEFAULT_OUTPUT: &str = "dossier-package";

/// What the command line asks of a build (or of a check, which writes nothing).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Evidence directory from the command line (overrides `evidence.root`).
    pub evidence_dir: Option<PathBuf>,
    /// Explicit config file.
    pub config: Option<PathBuf>,
    /// Package directory; none for a check.
    pub output: Option<PathBuf>,
    /// Copy the evidence into the package.
    pub include_evidence: bool,
    /// Collect and hash only: no classification, no assessment (an integrity-only package).
    pub manifest_only: bool,
    /// Template directory overriding the built-in report templates (over `report.templates`).
    pub templates: Option<PathBuf>,
    /// Ed25519 private key (PKCS#8 PEM) to sign the attestation with.
    pub sign: Option<PathBuf>,
    /// Also write the package as one deterministic `OUT.tar.gz`.
    pub bundle: bool,
    /// An earlier package (directory or bundle) to compare with.
    pub previous: Option<PathBuf>,
    /// Public key the previous package's signature must verify with.
    pub previous_key: Option<PathBuf>,
    /// Where the digest cache is kept (over `DOSSIER_CACHE_DIR` and the user's cache
    /// directory).
    pub cache_dir: Option<PathBuf>,
    /// Hash and read every file, using no digest cache and writing none.
    pub no_cache: bool,
    /// Take the full-object SHA-256 an object store keeps instead of downloading objects
    /// whose content dossier does not read.
    pub trust_store_checksums: bool,
}

/// How the reports are made.
#[derive(Debug, Clone)]
pub struct Reporting {
    /// The templates: the built-ins overlaid with the user's.
    pub templates: TemplateSet,
    /// Which reports to render.
    pub formats: Vec<ReportFormat>,
    /// Organisation and logo.
    pub branding: Branding,
}

/// A run, resolved and checked.
pub struct Plan {
    /// The configuration.
    pub config: LoadedConfig,
    /// The evidence root.
    pub root: PathBuf,
    /// Whether the root is walked: not when the command line names an object store
    /// instead of a directory.
    pub walk_root: bool,
    /// The object-store roots: `evidence.sources`, and the command line's URL.
    pub sources: Vec<StoreSource>,
    /// Take store checksums instead of downloading (`--trust-store-checksums`).
    pub trust_store_checksums: bool,
    /// The share of those downloaded anyway.
    pub store_sample: f64,
    /// The digest cache directory, when the run uses one.
    pub cache_dir: Option<PathBuf>,
    /// The assessment time (`SOURCE_DATE_EPOCH` when set).
    pub assessed_at: DateTime<Utc>,
    /// The ignore rules, rooted at the evidence root.
    pub ignore: Gitignore,
    /// How files are classified (none with `--manifest-only`).
    pub classifier: Option<Classifier>,
    /// How files are read (keeping the policies' input files).
    pub readers: Readers,
    /// What the assessment applies (none with `--manifest-only`).
    pub assess: Option<Setup>,
    /// Where `results.sarif` anchors its locations.
    pub anchors: Anchors,
    /// How the reports are made (none with `--manifest-only`).
    pub reporting: Option<Reporting>,
    /// The key to sign with.
    pub signing_key: Option<SigningKey>,
    /// Its fingerprint.
    pub signer: Option<String>,
    /// The previous package, verified.
    pub previous: Option<Side>,
    /// The package directory (none for a check).
    pub output: Option<PathBuf>,
    /// Copy the evidence into the package.
    pub include_evidence: bool,
    /// Also write a bundle.
    pub bundle: bool,
}

impl Plan {
    /// Resolves and checks a request. Every problem with what the user gave is reported
    /// together; a previous package that fails verification is an integrity failure.
    pub fn new(request: &Request, progress: &dyn Progress) -> Result<Plan> {
        // An object-store URL in place of the directory is a root of its own, and no
        // directory is walked.
        let store_arg = request.evidence_dir.as_deref().and_then(Path::to_str).filter(|t| StoreUrl::is_store_url(t));
        let local_dir = if store_arg.is_some() { None } else { request.evidence_dir.as_deref() };
        let config = LoadedConfig::discover(request.config.as_deref(), local_dir)?;
        let root = config.evidence_root(local_dir);
        let walk_root = store_arg.is_none();
        if walk_root {
            check_root(&root)?;
        }
        let assessed_at = clock::now()?;
        let mut problems = Problems::default();
        let mut sources = config.config.evidence.sources.clone();
        if let Some(text) = store_arg {
            match StoreUrl::try_from(text.to_string()) {
                Ok(url) => sources.push(StoreSource::at_root(url)),
                Err(why) => problems.push(Problem::new(why)),
            }
        }
        if request.trust_store_checksums && request.include_evidence {
            problems.push(Problem::new(
                "--trust-store-checksums leaves objects undownloaded, and --include-evidence copies every byte; drop one",
            ));
        }
        let assessing = !request.manifest_only;
        if request.manifest_only && request.previous.is_some() {
            problems.push(Problem::new("--previous compares assessments, and --manifest-only makes none; drop one"));
        }
        let ignore = problems.take(ignore_matcher(&root, &config.config.evidence.ignore))?;
        let catalogs = if assessing { problems.take(catalogs(&config))? } else { None };
        let classifier = match &catalogs {
            Some(set) => problems.take(classifier(&config, set, &root))?,
            None => None,
        };
        if let Some(set) = &catalogs
            && let Err(e) = set.select(config.config.frameworks.as_deref())
        {
            problems.absorb(locate(&config, e))?;
        }
        let policies = if assessing { problems.take(policies(&config, catalogs.as_ref()))? } else { None };
        let custom = match &catalogs {
            Some(set) => problems.take(custom_readers(&config, set))?.unwrap_or_default(),
            None => Vec::new(),
        };
        let anchors = if assessing { problems.take(sarif_anchors(&config, &root))? } else { None };
        let trust = if assessing { problems.take(trust_anchors(&config))?.flatten() } else { None };
        let reporting = if assessing && request.output.is_some() {
            problems.take(reporting(&config, request.templates.as_deref()))?
        } else {
            None
        };
        let signing_key = match &request.sign {
            Some(key) => problems.take(attest::read_private(key))?,
            None => None,
        };
        if let Some(key) = &request.previous_key {
            problems.take(attest::read_public(key))?;
        }
        problems.into_result()?;

        // Everything the user gave is sound: now the previous package, which must be
        // intact before it is compared with.
        let previous = match &request.previous {
            Some(path) => Some(load_previous(path, request.previous_key.as_deref(), progress)?),
            None => None,
        };
        let name = config.config.system.name.clone().unwrap_or_else(|| fallback_name(&root, walk_root, &sources));
        let scope = SystemScope::of(&config.config.system, name);
        let policies = policies.unwrap_or_default();
        let readers = Readers::new(policies.iter().filter_map(|p| p.input.clone()))
            .with_fields(config.config.checks.record_fields())
            .with_custom(custom)
            .with_trust(trust.clone());
        let assess = catalogs.map(|catalogs| Setup {
            worm: crate::assess::worm::WormRules::of(
                &catalogs.taxonomy,
                &config.config.evidence.worm,
                config.config.system.risk_category,
                config.config.infrastructure.min_lock_days,
            ),
            catalogs,
            frameworks: config.config.frameworks.clone(),
            checks: config.config.checks.clone(),
            policies,
            system: config.config.system.clone(),
            scope,
            applicability: config.config.applicability,
            infrastructure: config.config.infrastructure.clone(),
            marking: config.config.content_marking.clone(),
            config_sha256: config.digest(),
        });
        let signer = signing_key.as_ref().map(|k| attest::fingerprint(&k.verifying_key()));
        // The cache holds classified facts, so a run that classifies nothing (manifest
        // only) or copies the bytes into the package (which needs them) does without.
        let cache_dir = (!request.no_cache && !request.manifest_only && !request.include_evidence)
            .then(|| crate::collect::cache::directory(request.cache_dir.as_deref()))
            .flatten();
        Ok(Plan {
            root,
            walk_root,
            sources,
            trust_store_checksums: request.trust_store_checksums,
            store_sample: config.config.evidence.store_sample.unwrap_or(crate::collect::store::DEFAULT_SAMPLE),
            cache_dir,
            assessed_at,
            ignore: ignore.expect("checked above"),
            classifier,
            readers,
            assess,
            anchors: anchors.unwrap_or_else(|| Anchors::separate(None)),
            reporting,
            signing_key,
            signer,
            previous,
            output: request.output.clone(),
            include_evidence: request.include_evidence,
            bundle: request.bundle,
            config,
        })
    }

    /// The system's name: `system.name`, or the evidence directory's.
    pub fn system_name(&self) -> String {
        self.config
            .config
            .system
            .name
            .clone()
            .unwrap_or_else(|| fallback_name(&self.root, self.walk_root, &self.sources))
    }
}

/// A problem the config's settings caused, located at the setting when it names one.
fn locate(config: &LoadedConfig, error: Error) -> Error {
    match error {
        Error::Invalid(problems) => Error::Invalid(Problems(
            problems
                .0
                .into_iter()
                .map(|p| match (&p.file, &p.key) {
                    (None, Some(key)) => config.problem(key, p.message),
                    _ => p,
                })
                .collect(),
        )),
        other => other,
    }
}

/// The catalogs a run sees: the built-ins, the config's own, with its overrides.
pub fn catalogs(config: &LoadedConfig) -> Result<CatalogSet> {
    CatalogSet::load(&config.catalog_files(), &config.config.overrides, config.source()).map_err(|e| locate(config, e))
}

/// The classifier for a run whose evidence is at `root`.
pub fn classifier(config: &LoadedConfig, catalogs: &CatalogSet, root: &Path) -> Result<Classifier> {
    let config_path = config.file.as_deref().and_then(|file| path_within(file, root));
    Classifier::new(catalogs.taxonomy.clone(), &config.config.classification, config_path)
        .map_err(|e| locate(config, e))
}

/// The formats described under `readers:`, each checked; every problem is located at its
/// line in the config file.
pub fn custom_readers(config: &LoadedConfig, catalogs: &CatalogSet) -> Result<Vec<CustomFormat>> {
    let mut problems = Problems::default();
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    let section = line_of(&config.text, "readers:", 1).unwrap_or(1);
    for (i, entry) in config.config.readers.iter().enumerate() {
        match CustomFormat::compile(entry, &format!("readers[{i}]"), &catalogs.taxonomy, &taken) {
            Ok(format) => {
                taken.insert(format.id.clone());
                out.push(format);
            }
            Err(found) => {
                // The entry starts at its id; each problem is at its key's line after that.
                let start = line_of(&config.text, &entry.id, section).unwrap_or(section);
                for (key, message) in found {
                    let leaf = key.rsplit('.').next().unwrap_or(&key);
                    let leaf = leaf.split('[').next().unwrap_or(leaf);
                    let problem = match &config.file {
                        Some(file) => {
                            let line = line_of(&config.text, &format!("{leaf}:"), start).or(Some(start));
                            Problem::in_file(file, message).at(line, None)
                        }
                        None => Problem::new(message),
                    };
                    problems.push(problem.key(&key));
                }
            }
        }
    }
    problems.into_result()?;
    Ok(out)
}

/// The policies, read and parsed; each requirement they name must exist.
fn policies(config: &LoadedConfig, catalogs: Option<&CatalogSet>) -> Result<Vec<Policy>> {
    let mut problems = Problems::default();
    let mut out = Vec::new();
    for (i, p) in config.config.policies.iter().enumerate() {
        for id in &p.requirements {
            if catalogs.is_some_and(|c| c.requirement(id).is_none()) {
                problems.push(
                    config.problem(&format!("policies[{i}].requirements"), format!("unknown requirement id {id:?}")),
                );
            }
        }
        let file = config.policy_file(p);
        let name = policy::display_name(&file, &config.base_dir);
        let severity = p.severity.unwrap_or(Severity::Error);
        if let Some(policy) = problems.take(Policy::load(
            &file,
            &name,
            p.query.as_deref(),
            p.input.clone(),
            p.requirements.clone(),
            severity,
        ))? {
            out.push(policy);
        }
    }
    problems.into_result()?;
    Ok(out)
}

/// The report templates (parsed, so a broken one fails now) and the branding.
fn reporting(config: &LoadedConfig, templates_dir: Option<&Path>) -> Result<Reporting> {
    let report = &config.config.report;
    let mut problems = Problems::default();
    let dir = templates_dir.map(Path::to_path_buf).or_else(|| report.templates.as_deref().map(|d| config.resolve(d)));
    let templates = problems.take(TemplateSet::load(dir.as_deref()))?;
    if let Some(t) = &templates {
        problems.take(html::engine(t))?;
        for main in [templates::TYPST_MAIN, "diff.typ"] {
            if t.get(&format!("typst/{main}")).is_none() {
                problems.push(Problem::new(format!("the Typst templates have no {main}")));
            }
        }
    }
    let logo = match &report.logo {
        Some(file) => {
            let path = config.resolve(file);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("logo.png").to_string();
                    Some((name, bytes))
                }
                Err(e) => {
                    problems.push(config.problem("report.logo", format!("cannot read {}: {e}", path.display())));
                    None
                }
            }
        }
        None => None,
    };
    problems.into_result()?;
    let mut formats = report.formats.clone();
    formats.sort();
    formats.dedup();
    Ok(Reporting {
        templates: templates.expect("checked above"),
        formats,
        branding: Branding { organisation: report.organisation.clone(), logo },
    })
}

/// Where `results.sarif` anchors its locations: from `evidence.repository_root` when it
/// is set (which must hold the evidence root), else the evidence root and config directory.
fn sarif_anchors(config: &LoadedConfig, root: &Path) -> Result<Anchors> {
    let file_name = config.file.as_deref().and_then(Path::file_name).and_then(|n| n.to_str());
    let Some(repository) = &config.config.evidence.repository_root else {
        return Ok(Anchors::separate(file_name));
    };
    let problem = |message: String| Error::invalid(config.problem("evidence.repository_root", message));
    let resolved = config.resolve(repository);
    let repository = std::fs::canonicalize(&resolved).map_err(|e| {
        problem(format!("cannot resolve {}: {e}; give the repository's root directory", resolved.display()))
    })?;
    if !repository.is_dir() {
        return Err(problem(format!("{} is not a directory", resolved.display())));
    }
    let evidence_dir = path_within(root, &repository).ok_or_else(|| {
        problem(format!(
            "the evidence root {} is not inside {}; set it to the repository that holds the evidence",
            root.display(),
            resolved.display()
        ))
    })?;
    let config_file = config.file.as_deref().and_then(|f| path_within(f, &repository));
    Ok(Anchors::repository(&evidence_dir, config_file.as_deref(), file_name))
}

/// The C2PA trust anchors `content_marking.trust_anchors` names, concatenated; none when
/// it names none. Each must be a readable PEM file holding at least one certificate.
pub fn trust_anchors(config: &LoadedConfig) -> Result<Option<String>> {
    let mut pem = String::new();
    for (i, file) in config.config.content_marking.trust_anchors.iter().enumerate() {
        let key = format!("content_marking.trust_anchors[{i}]");
        let path = config.resolve(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::invalid(config.problem(&key, format!("cannot read {}: {e}", path.display()))))?;
        if !text.contains("-----BEGIN CERTIFICATE-----") {
            return Err(Error::invalid(
                config.problem(
                    &key,
                    format!("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display()),
                ),
            ));
        }
        pem.push_str(text.trim_end());
        pem.push('\n');
    }
    Ok((!pem.is_empty()).then_some(pem))
}

/// Reads and verifies the previous package; an altered one stops the build (exit 3).
fn load_previous(path: &Path, key: Option<&Path>, progress: &dyn Progress) -> Result<Side> {
    match compare::load(path, key, progress)? {
        Ok(side) => Ok(side),
        Err(report) => Err(previous_failed(path, &report)),
    }
}

fn previous_failed(path: &Path, report: &VerifyReport) -> Error {
    Error::Integrity(format!(
        "previous package {} failed verification, so it cannot be compared with: {}. Run `dossier verify {}` for the details",
        path.display(),
        report
            .problems
            .iter()
            .take(3)
            .map(|p| format!("{}: {}", p.path.as_deref().unwrap_or("package"), p.message))
            .collect::<Vec<_>>()
            .join("; "),
        path.display()
    ))
}

/// `path` relative to `dir` with `/` separators (`""` when they are the same), when it
/// lies inside it once both are resolved; `None` otherwise, or when it is not UTF-8.
pub fn path_within(path: &Path, dir: &Path) -> Option<String> {
    let path = std::fs::canonicalize(path).ok()?;
    let dir = std::fs::canonicalize(dir).ok()?;
    let parts: Option<Vec<&str>> = path.strip_prefix(dir).ok()?.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

fn check_root(root: &Path) -> Result<()> {
    let refuse = |reason: &str| Err(Error::EvidenceRoot { path: root.to_path_buf(), reason: reason.to_string() });
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {
            std::fs::read_dir(root).map(drop).map_err(|e| Error::io("read the evidence root", root, e))
        }
        Ok(_) => refuse("is a file; pass the directory that holds the evidence"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            refuse("does not exist; pass an existing directory or set evidence.root in dossier.yaml")
        }
        Err(e) => Err(Error::io("read the evidence root", root, e)),
    }
}

/// The name for a system without `system.name`: the evidence directory's, or, when only
/// an object store is read, the last part of its prefix (else its bucket).
fn fallback_name(root: &Path, walk_root: bool, sources: &[StoreSource]) -> String {
    match sources.first() {
        Some(source) if !walk_root => {
            source.url.prefix.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(&source.url.bucket).to_string()
        }
        _ => default_system_name(root),
    }
}

/// The name of the evidence directory, for a system without `system.name`.
pub fn default_system_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unnamed-system".into())
}
