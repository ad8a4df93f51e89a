//! The build stage: config + evidence root -> collected evidence -> package on disk.
//!
//! This module only orchestrates; walking and hashing live in [`crate::collect`], the
//! manifest format in [`crate::manifest`], atomic writing in [`crate::package`].

use std::path::{Path, PathBuf};

use crate::catalog::CatalogSet;
use crate::classify::Classifier;
use crate::clock;
use crate::collect::{self, CollectOptions, Evidence, Progress};
use crate::config::{LoadedConfig, ignore_matcher};
use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::manifest::{self, EVIDENCE_DIR, EvidenceInfo, MANIFEST_FILE, Manifest, SUMS_FILE, SystemRef, Tool};
use crate::matrix::{self, Matrix, SystemScope};
use crate::package::{self, Staging};

/// Where the package goes when `-o` is not given (relative to the current directory).
pub const DEFAULT_OUTPUT: &str = "dossier-package";

/// Inputs of a build, resolved from the command line.
pub struct BuildOptions {
    /// Evidence directory from the command line (overrides `evidence.root`).
    pub evidence_dir: Option<PathBuf>,
    /// Explicit config file.
    pub config: Option<PathBuf>,
    /// Package directory; default [`DEFAULT_OUTPUT`].
    pub output: Option<PathBuf>,
    /// Copy the evidence into the package.
    pub include_evidence: bool,
    /// Collect and hash only: no classification, no matrix (an integrity-only package).
    pub manifest_only: bool,
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildReport {
    /// The final package directory.
    pub package: PathBuf,
    /// The evidence root that was collected.
    pub evidence_root: PathBuf,
    /// The config file used, if any.
    pub config_file: Option<PathBuf>,
    /// The manifest as written (artifacts, links, skipped paths, digest).
    pub manifest: Manifest,
    /// Findings from collection, sorted by path.
    pub findings: Vec<Finding>,
    /// Entries left out as hidden or ignored.
    pub ignored: u64,
    /// The traceability matrix written to the package (none with `manifest_only`).
    pub matrix: Option<Matrix>,
}

/// Runs a build.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let loaded = LoadedConfig::discover(options.config.as_deref(), options.evidence_dir.as_deref())?;
    let root = loaded.evidence_root(options.evidence_dir.as_deref());
    check_root(&root)?;
    let assessed_at = clock::now()?;
    // Catalogs and classification rules are checked before anything is read or written.
    let assessment = if options.manifest_only { None } else { Some(prepare_assessment(&loaded, &root)?) };

    let output = options.output.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT));
    let mut staging = Staging::prepare(&output, &root)?;
    let copy_to = options.include_evidence.then(|| staging.path().join(EVIDENCE_DIR));
    if let Some(dir) = &copy_to {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    }

    let evidence_config = &loaded.config.evidence;
    let mut evidence = collect::collect(&CollectOptions {
        root: root.clone(),
        include_hidden: evidence_config.include_hidden,
        ignore: ignore_matcher(&root, &evidence_config.ignore)?,
        copy_to: copy_to.clone(),
        progress,
        classifier: assessment.as_ref().map(|(_, classifier)| classifier),
    })?;
    if let Some(dir) = &copy_to {
        copy_symlinks(&evidence, dir)?;
    }

    let system = &loaded.config.system;
    let system_name = system.name.clone().unwrap_or_else(|| default_system_name(&root));
    let scope = SystemScope {
        name: system_name.clone(),
        version: system.version.clone(),
        risk_category: system.risk_category,
        role: system.role,
        capabilities: system.capabilities.clone(),
    };
    staging.write_output(SUMS_FILE, manifest::format_sums(&evidence.artifacts).as_bytes())?;
    let matrix = match &assessment {
        None => None,
        Some((catalogs, _)) => {
            let matrix = matrix::assess(
                catalogs,
                loaded.config.frameworks.as_deref(),
                scope,
                &evidence.artifacts,
                &evidence.facts,
                assessed_at.date_naive(),
            )?;
            let mut json = serde_json::to_string_pretty(&matrix).expect("matrix serializes to JSON");
            json.push('\n');
            staging.write_output(matrix::MATRIX_JSON, json.as_bytes())?;
            staging.write_output(matrix::MATRIX_CSV, matrix::to_csv(&matrix).as_bytes())?;
            Some(matrix)
        }
    };

    let root_hint = staging
        .target()
        .parent()
        .and_then(|parent| package::relative_path(parent, &root))
        .map(|rel| if rel == "." { "..".to_string() } else { format!("../{rel}") });
    let mut manifest = Manifest {
        format: manifest::FORMAT.into(),
        schema_version: manifest::SCHEMA_VERSION,
        tool: Tool::current(),
        assessed_at: clock::format(&assessed_at),
        system: SystemRef { name: system_name, version: system.version.clone() },
        config_sha256: loaded.digest(),
        evidence: EvidenceInfo {
            root_hint,
            included: options.include_evidence,
            include_hidden: evidence_config.include_hidden,
            ignore: evidence_config.ignore.iter().map(|p| p.as_str().to_string()).collect(),
            artifact_count: evidence.artifacts.len() as u64,
            total_bytes: evidence.total_bytes(),
        },
        artifacts: std::mem::take(&mut evidence.artifacts),
        symlinks: std::mem::take(&mut evidence.symlinks),
        skipped: std::mem::take(&mut evidence.skipped),
        outputs: staging.outputs(),
        package_digest: Sha256Digest::of(b""),
    };
    manifest.seal();
    staging.write_raw(MANIFEST_FILE, manifest.to_pretty_json().as_bytes())?;
    let package = staging.commit()?;

    Ok(BuildReport {
        package,
        evidence_root: root,
        config_file: loaded.file,
        manifest,
        findings: evidence.findings,
        ignored: evidence.ignored,
        matrix,
    })
}

/// Loads the catalogs and builds the classifier, checking the config's `frameworks`.
fn prepare_assessment(loaded: &LoadedConfig, root: &Path) -> Result<(CatalogSet, Classifier)> {
    let catalogs = CatalogSet::load(&loaded.catalog_files(), &loaded.config.overrides, loaded.file.as_deref())?;
    let classifier = Classifier::new(
        catalogs.taxonomy.clone(),
        &loaded.config.classification,
        config_path_in_root(loaded.file.as_deref(), root),
    )
    .map_err(|e| Error::input(format!("{}: {e}", config_name(loaded))))?;
    if let Some(ids) = &loaded.config.frameworks {
        if let Some(unknown) = ids.iter().find(|id| catalogs.get(id).is_none()) {
            return Err(Error::input(format!(
                "{}: frameworks: unknown catalog {unknown:?}; loaded catalogs: {}",
                config_name(loaded),
                catalogs.ids().join(", ")
            )));
        }
    }
    Ok((catalogs, classifier))
}

/// The config file's path relative to the evidence root, when it lies inside it.
fn config_path_in_root(file: Option<&Path>, root: &Path) -> Option<String> {
    let file = std::fs::canonicalize(file?).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    file.strip_prefix(root).ok()?.to_str().map(str::to_owned)
}

fn config_name(loaded: &LoadedConfig) -> String {
    loaded.file.as_deref().map_or_else(|| "configuration".into(), |p| p.display().to_string())
}

fn check_root(root: &Path) -> Result<()> {
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {
            std::fs::read_dir(root).map(drop).map_err(|e| Error::io("read the evidence root", root, e))
        }
        Ok(_) => Err(Error::input(format!(
            "evidence root {} is a file; pass the directory that holds the evidence",
            root.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::input(format!(
            "evidence root {} does not exist; pass an existing directory or set evidence.root in dossier.yaml",
            root.display()
        ))),
        Err(e) => Err(Error::io("read the evidence root", root, e)),
    }
}

fn default_system_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unnamed-system".into())
}

fn copy_symlinks(evidence: &Evidence, dir: &Path) -> Result<()> {
    for link in &evidence.symlinks {
        let dest = dir.join(&link.path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        }
        std::os::unix::fs::symlink(&link.target, &dest).map_err(|e| Error::io("create symbolic link", &dest, e))?;
    }
    Ok(())
}
