//! The build stage: config + evidence root -> collected evidence -> package on disk.
//!
//! This module only orchestrates; walking and hashing live in [`crate::collect`], the
//! manifest format in [`crate::manifest`], atomic writing in [`crate::package`].

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::attest;
use crate::bundle;
use crate::catalog::CatalogSet;
use crate::check;
use crate::classify::Classifier;
use crate::clock;
use crate::collect::{self, CollectOptions, Evidence, Progress};
use crate::config::{LoadedConfig, PolicyConfig, ReportFormat, ignore_matcher};
use crate::decisions;
use crate::diff::{self, Diff};
use crate::digest::Sha256Digest;
use crate::documents::{self, Document};
use crate::error::{Error, Result};
use crate::findings::Code;
use crate::findings::Finding;
use crate::interchange::{assessment, junit, oscal, sarif, summary};
use crate::manifest::{
    self, EVIDENCE_DIR, EvidenceInfo, MANIFEST_FILE, Manifest, OutputEntry, SUMS_FILE, SystemRef, Tool,
};
use crate::matrix::{self, Matrix, SystemScope};
use crate::package::{self, Staging};
use crate::policy;
use crate::report::{self, Report, templates::TemplateSet};
use crate::verify::Signature;

/// File name of the findings list in a package.
pub const FINDINGS_JSON: &str = "findings.json";

/// `findings.json`: every finding of the run, sorted by path, line and code.
#[derive(serde::Serialize)]
struct FindingsFile<'a> {
    format: &'static str,
    schema_version: u32,
    findings: &'a [Finding],
}

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
    /// Template directory overriding the built-in report templates (over `report.templates`).
    pub templates: Option<PathBuf>,
    /// Ed25519 private key (PKCS#8 PEM) to sign the attestation with.
    pub sign: Option<PathBuf>,
    /// Also write the package as one deterministic `OUT.tar.gz`.
    pub bundle: bool,
    /// An earlier package (directory or bundle) to compare with: the reports get a
    /// "changes since the previous package" section.
    pub previous: Option<PathBuf>,
    /// Public key the previous package's signature must verify with.
    pub previous_key: Option<PathBuf>,
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildReport {
    /// The final package directory.
    pub package: PathBuf,
    /// The bundle, with `--bundle`.
    pub bundle: Option<PathBuf>,
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
    /// The comparison with the previous package (`--previous`).
    pub changes: Option<Diff>,
}

/// Runs a build.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let loaded = LoadedConfig::discover(options.config.as_deref(), options.evidence_dir.as_deref())?;
    let root = loaded.evidence_root(options.evidence_dir.as_deref());
    check_root(&root)?;
    let assessed_at = clock::now()?;
    // Catalogs and classification rules are checked before anything is read or written.
    let assessment = if options.manifest_only { None } else { Some(prepare_assessment(&loaded, &root)?) };
    let anchors = if options.manifest_only { None } else { Some(sarif_anchors(&loaded, &root)?) };
    // So are the report templates and the logo.
    let reporting =
        if options.manifest_only { None } else { Some(Reporting::prepare(&loaded, options.templates.as_deref())?) };
    // And the signing key.
    let signing_key = options.sign.as_deref().map(attest::read_private).transpose()?;
    let signer = signing_key.as_ref().map(|k| attest::fingerprint(&k.verifying_key()));
    let mut reporting = reporting.map(|r| Reporting { signer: signer.clone(), ..r });
    // And the previous package, which must be intact before it is compared with.
    let previous = match &options.previous {
        Some(_) if options.manifest_only => {
            return Err(Error::input("--previous compares assessments, and --manifest-only makes none; drop one"));
        }
        Some(path) => Some(load_previous(path, options.previous_key.as_deref(), progress)?),
        None => None,
    };

    let output = options.output.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT));
    let mut staging = Staging::prepare(&output, &root)?;
    let copy_to = options.include_evidence.then(|| staging.path().join(EVIDENCE_DIR));
    if let Some(dir) = &copy_to {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    }

    let mut run = collect_and_assess(&loaded, &root, copy_to.as_deref(), progress, assessment.as_ref(), assessed_at)?;
    if let Some(dir) = &copy_to {
        copy_symlinks(&run.evidence, dir)?;
    }
    let evidence_config = &loaded.config.evidence;
    let system = &loaded.config.system;
    let system_name = system.name.clone().unwrap_or_else(|| default_system_name(&root));
    staging.write_output(SUMS_FILE, manifest::format_sums(&run.evidence.artifacts).as_bytes())?;
    if let Some(matrix) = &run.matrix {
        let assessed = clock::format(&assessed_at);
        let inputs = assessment::Inputs {
            system: &loaded.config.system,
            config_sha256: loaded.digest().to_string(),
            assessed_at: &assessed,
            matrix,
            findings: &run.findings,
            documents: &run.documents,
            sign_offs: &run.sign_offs,
            waivers: &run.waivers,
            checks: &loaded.config.checks,
        };
        // The three outputs that grow with the evidence are written side by side.
        let ((matrix_json, matrix_csv), (oscal_json, assessment_json)) = rayon::join(
            || {
                (
                    staging.stream_json(matrix::MATRIX_JSON, matrix),
                    staging.stream(matrix::MATRIX_CSV, |out| matrix::write_csv(matrix, out)),
                )
            },
            || {
                rayon::join(
                    || staging.stream(oscal::OSCAL_FILE, |out| oscal::write(matrix, &assessed, out)),
                    || assessment::write(&inputs, &staging),
                )
            },
        );
        for entry in [matrix_json, matrix_csv, oscal_json, assessment_json] {
            staging.record(entry?);
        }
        let report = FindingsFile { format: "dossier-findings", schema_version: 1, findings: &run.findings };
        staging.write_json_output(FINDINGS_JSON, &report)?;
        staging.write_output(junit::JUNIT_XML, junit::render(matrix, assessed_at.naive_utc()).as_bytes())?;
        let anchors = anchors.as_ref().expect("an assessed build has SARIF anchors");
        let sarif = sarif::render(&run.findings, &run.evidence.artifacts, anchors);
        staging.write_output(sarif::SARIF_FILE, sarif.as_bytes())?;
        let summary = summary::render(
            matrix,
            &run.findings,
            &assessed,
            run.evidence.artifacts.len() as u64,
            run.evidence.total_bytes(),
        );
        staging.write_output(summary::SUMMARY_MD, summary.as_bytes())?;
    }

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
            artifact_count: run.evidence.artifacts.len() as u64,
            total_bytes: run.evidence.total_bytes(),
        },
        artifacts: std::mem::take(&mut run.evidence.artifacts),
        symlinks: std::mem::take(&mut run.evidence.symlinks),
        skipped: std::mem::take(&mut run.evidence.skipped),
        outputs: staging.outputs(),
        package_digest: Sha256Digest::of(b""),
        reports: Vec::new(),
    };
    manifest.seal();
    let ignored = std::mem::take(&mut run.evidence.ignored);
    let changes = match &previous {
        Some(old) => Some(compare_with(old, &staging, &manifest, signer.as_deref())?),
        None => None,
    };
    if let Some(reporting) = reporting.as_mut() {
        reporting.changes = changes.clone();
    }
    if let (Some(reporting), Some(matrix)) = (&reporting, &run.matrix) {
        manifest.reports = reporting.render(&mut staging, &loaded, &root, &manifest, matrix, &run)?;
    }
    let manifest_json = manifest.to_pretty_json();
    staging.write_raw(MANIFEST_FILE, manifest_json.as_bytes())?;
    // The attestation covers every package file, the manifest included.
    let mut files: Vec<(String, Sha256Digest)> =
        manifest.outputs.iter().chain(&manifest.reports).map(|o| (o.path.clone(), o.sha256)).collect();
    files.push((MANIFEST_FILE.to_string(), Sha256Digest::of(manifest_json.as_bytes())));
    let statement =
        attest::Statement::new(&files, predicate(&manifest, run.matrix.as_ref(), &run.findings, signer.as_deref()));
    let payload = statement.to_bytes();
    staging.write_raw(attest::STATEMENT_FILE, &payload)?;
    if let Some(key) = &signing_key {
        let mut envelope = serde_json::to_string_pretty(&attest::sign(key, &payload)).expect("envelope serializes");
        envelope.push('\n');
        staging.write_raw(attest::ENVELOPE_FILE, envelope.as_bytes())?;
    }
    let package = staging.commit()?;
    let bundle = if options.bundle {
        let path = PathBuf::from(format!("{}.tar.gz", package.display()));
        bundle::write(&package, &path, assessed_at.timestamp().max(0) as u64)?;
        Some(path)
    } else {
        None
    };

    Ok(BuildReport {
        package,
        bundle,
        evidence_root: root,
        config_file: loaded.file,
        manifest,
        findings: run.findings,
        ignored,
        matrix: run.matrix,
        changes,
    })
}

/// Reads and verifies the previous package; an altered one stops the build (exit 3).
fn load_previous(path: &Path, key: Option<&Path>, progress: &dyn Progress) -> Result<diff::Side> {
    match diff::load(path, key, progress)? {
        Ok(side) => Ok(side),
        Err(report) => Err(Error::Integrity(format!(
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
        ))),
    }
}

/// Compares the package being built (its staged `assessment.json` and sealed manifest)
/// with the previous one.
fn compare_with(old: &diff::Side, staging: &Staging, manifest: &Manifest, signer: Option<&str>) -> Result<Diff> {
    let file = staging.path().join(assessment::ASSESSMENT_JSON);
    let bytes = std::fs::read(&file).map_err(|e| Error::io("read", &file, e))?;
    let assessment = diff::Assessment::parse(&bytes).map_err(|e| Error::input(format!("{}: {e}", file.display())))?;
    let new = diff::Side {
        // Not the output path: the reports must not depend on where the package goes.
        source: "this package".to_string(),
        manifest: manifest.clone(),
        assessment,
        signature: signer.map_or(Signature::Unsigned, |s| Signature::NotChecked(s.to_string())),
        evidence_checked: true,
    };
    Ok(diff::compare(old, &new))
}

/// The attestation's predicate: what was assessed, when, with what outcome.
fn predicate(
    manifest: &Manifest,
    matrix: Option<&Matrix>,
    findings: &[Finding],
    signer: Option<&str>,
) -> serde_json::Value {
    let counts = crate::findings::Counts::of(findings);
    serde_json::json!({
        "tool": manifest.tool,
        "system": manifest.system,
        "assessed_at": manifest.assessed_at,
        "package_digest": manifest.package_digest,
        "config_sha256": manifest.config_sha256,
        "artifacts": {"count": manifest.evidence.artifact_count, "bytes": manifest.evidence.total_bytes},
        "verdict": if matrix.is_none() { "not-assessed" } else if counts.errors == 0 { "pass" } else { "fail" },
        "findings": counts,
        "frameworks": matrix.map(|m| m.frameworks.iter().map(|f| serde_json::json!({
            "id": f.id, "version": f.version, "binding": f.binding, "coverage": f.coverage,
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "signer": signer,
    })
}

/// Report templates and branding, loaded before anything is read or written.
struct Reporting {
    /// Fingerprint of the signing key, shown in the reports.
    signer: Option<String>,
    /// The comparison with the previous package, shown in the reports.
    changes: Option<Diff>,
    templates: TemplateSet,
    logo: Option<(String, Vec<u8>)>,
    formats: Vec<ReportFormat>,
}

impl Reporting {
    fn prepare(loaded: &LoadedConfig, templates: Option<&Path>) -> Result<Self> {
        let report = &loaded.config.report;
        let dir = templates.map(Path::to_path_buf).or_else(|| report.templates.as_deref().map(|d| loaded.resolve(d)));
        let templates = TemplateSet::load(dir.as_deref())?;
        let logo = match &report.logo {
            Some(file) => {
                let path = loaded.resolve(file);
                let bytes = std::fs::read(&path).map_err(|e| Error::io("read report.logo", &path, e))?;
                let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("logo.png").to_string();
                Some((name, bytes))
            }
            None => None,
        };
        let mut formats = report.formats.clone();
        formats.sort();
        formats.dedup();
        Ok(Reporting { signer: None, changes: None, templates, logo, formats })
    }

    /// Renders the reports into the staging directory and returns their entries.
    fn render(
        &self,
        staging: &mut Staging,
        loaded: &LoadedConfig,
        root: &Path,
        manifest: &Manifest,
        matrix: &Matrix,
        run: &Run,
    ) -> Result<Vec<OutputEntry>> {
        let cx = report::Context {
            config: loaded,
            root,
            manifest,
            matrix,
            findings: &run.findings,
            documents: &run.documents,
            sign_offs: &run.sign_offs,
            waivers: &run.waivers,
            logo: self.logo.as_ref().map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
            signer: self.signer.as_deref(),
            changes: self.changes.as_ref(),
        };
        let model = Report::build(&cx);
        // Pinning hook for the golden-snapshot tests (removed once reports render from a package).
        if let Some(path) = std::env::var_os("DOSSIER_TEST_REPORT_MODEL") {
            std::fs::write(&path, model.to_json()).map_err(|e| Error::io("write", path, e))?;
        }
        let mut entries = Vec::new();
        let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
            staging.write_raw(name, bytes)?;
            entries.push(OutputEntry {
                path: name.to_string(),
                sha256: Sha256Digest::of(bytes),
                size: bytes.len() as u64,
            });
            Ok(())
        };
        for format in &self.formats {
            match format {
                ReportFormat::Html => {
                    write(report::HTML_FILE, report::html::render(&model, &self.templates)?.as_bytes())?
                }
                ReportFormat::Pdf => {
                    let model_json = model.to_json();
                    let manifest_json = manifest.to_pretty_json();
                    let matrix_json = std::fs::read(staging.path().join(matrix::MATRIX_JSON))
                        .map_err(|e| Error::io("read", staging.path().join(matrix::MATRIX_JSON), e))?;
                    let mut data: Vec<report::pdf::DataFile> = vec![
                        ("/report.json", model_json.as_bytes()),
                        ("/manifest.json", manifest_json.as_bytes()),
                        ("/matrix.json", &matrix_json),
                    ];
                    let logo_file = model.header.logo_file.clone();
                    if let (Some(file), Some((_, bytes))) = (&logo_file, &self.logo) {
                        data.push((file.as_str(), bytes));
                    }
                    let assessed_at = chrono::DateTime::parse_from_rfc3339(&manifest.assessed_at)
                        .map_err(|e| Error::input(format!("assessment time: {e}")))?
                        .with_timezone(&chrono::Utc);
                    let ident = format!("dossier:{}", manifest.package_digest);
                    write(report::PDF_FILE, &report::pdf::render(&self.templates, &data, &assessed_at, &ident)?)?;
                }
            }
        }
        entries.sort();
        Ok(entries)
    }
}

/// What collection and assessment found, before anything is written.
pub struct Run {
    /// The collected evidence.
    pub evidence: Evidence,
    /// The matrix, unless assessment was skipped.
    pub matrix: Option<Matrix>,
    /// Every finding: collection, evidence content, policies and requirement gaps, sorted.
    pub findings: Vec<Finding>,
    /// What the evidence documents say: (path, evidence type, document), in path order.
    pub documents: Vec<(String, String, Document)>,
    /// Sign-offs found in the evidence.
    pub sign_offs: Vec<decisions::SignOff>,
    /// Waivers in force.
    pub waivers: Vec<decisions::Waiver>,
}

/// Collects the evidence and, when `assessment` is given, parses the documents, runs the
/// checks and policies, and fills the matrix.
fn collect_and_assess(
    loaded: &LoadedConfig,
    root: &Path,
    copy_to: Option<&Path>,
    progress: &dyn Progress,
    assessment: Option<&(CatalogSet, Classifier)>,
    assessed_at: chrono::DateTime<chrono::Utc>,
) -> Result<Run> {
    let evidence_config = &loaded.config.evidence;
    let mut evidence = collect::collect(&CollectOptions {
        root: root.to_path_buf(),
        include_hidden: evidence_config.include_hidden,
        ignore: ignore_matcher(root, &evidence_config.ignore)?,
        copy_to: copy_to.map(Path::to_path_buf),
        progress,
        classifier: assessment.map(|(_, classifier)| classifier),
    })?;
    let mut findings = std::mem::take(&mut evidence.findings);
    let Some((catalogs, _)) = assessment else {
        return Ok(Run {
            evidence,
            matrix: None,
            findings,
            documents: Vec::new(),
            sign_offs: Vec::new(),
            waivers: Vec::new(),
        });
    };
    let system = &loaded.config.system;
    let scope = SystemScope {
        name: system.name.clone().unwrap_or_else(|| default_system_name(root)),
        version: system.version.clone(),
        risk_category: system.risk_category,
        role: system.role,
        capabilities: system.capabilities.clone(),
    };

    findings.extend(decisions::apply_sidecars(root, &evidence.artifacts, &mut evidence.facts, &catalogs.taxonomy));
    // What the documents say, then the checks and policies over it.
    let typed: Vec<(&str, &str)> = evidence
        .artifacts
        .iter()
        .filter_map(|a| evidence.facts.get(&a.path)?.evidence_type.as_deref().map(|t| (a.path.as_str(), t)))
        .collect();
    let parsed: Vec<(String, String, Option<Document>, Vec<Finding>)> = typed
        .par_iter()
        .map(|(path, t)| {
            let (doc, problems) = documents::parse(root, path, t);
            (path.to_string(), t.to_string(), doc, problems)
        })
        .collect();
    let mut docs = Vec::new();
    for (path, t, doc, problems) in parsed {
        findings.extend(problems);
        if let Some(doc) = doc {
            docs.push((path, t, doc));
        }
    }
    findings.extend(check::run(&loaded.config.checks, system.version.as_deref(), &docs, &evidence.artifacts));
    let sign_offs = decisions::read_sign_offs(&docs);
    findings.extend(decisions::sign_off_findings(&sign_offs, system.version.as_deref()));
    let (waivers, waiver_findings) = decisions::waivers(&docs, assessed_at.date_naive());
    findings.extend(waiver_findings);
    for w in &waivers {
        for id in w.requirements.iter().filter(|id| catalogs.requirement(id).is_none()) {
            findings.push(Finding::at(
                Code::WaiverUnknownRequirement,
                w.path.as_str(),
                format!("waiver names {id:?}, which no loaded catalog has"),
            ));
        }
    }
    for policy in &loaded.config.policies {
        findings.extend(run_policy(loaded, root, policy, &scope, &evidence, &docs));
    }

    let inputs = matrix::Inputs {
        artifacts: &evidence.artifacts,
        facts: &evidence.facts,
        findings: &findings,
        waivers: &waivers,
    };
    let matrix =
        matrix::assess(catalogs, loaded.config.frameworks.as_deref(), scope, inputs, assessed_at.date_naive())?;
    matrix::apply_waivers(&matrix, &mut findings);
    findings.extend(matrix::gaps(&matrix));
    findings.sort_by(|a, b| (&a.path, a.line, a.code, &a.message).cmp(&(&b.path, b.line, b.code, &b.message)));
    Ok(Run { evidence, matrix: Some(matrix), findings, documents: docs, sign_offs, waivers })
}

/// Evaluates one configured policy; its input is the named evidence file's content, or
/// else the assessment document (system, classified artifacts, parsed documents).
fn run_policy(
    loaded: &LoadedConfig,
    root: &Path,
    policy: &PolicyConfig,
    scope: &SystemScope,
    evidence: &Evidence,
    docs: &[(String, String, Document)],
) -> Vec<Finding> {
    let file = loaded.policy_file(policy);
    let name = policy::display_name(&file, &loaded.base_dir);
    let source = match std::fs::read_to_string(&file) {
        Ok(s) => s,
        Err(e) => {
            return policy::findings(
                policy,
                &name,
                &name,
                policy::Outcome::Broken(format!("could not read {}: {e}", file.display())),
            );
        }
    };
    let (input, located_at) = match &policy.input {
        Some(path) => {
            let value = docs.iter().find(|(p, _, _)| p == path).and_then(|(_, _, d)| match d {
                Document::Data { value } => Some(value.clone()),
                _ => None,
            });
            let value = value.or_else(|| {
                let text = std::fs::read_to_string(root.join(path)).ok()?;
                serde_json::from_str(&text).ok().or_else(|| serde_yaml::from_str(&text).ok())
            });
            match value {
                Some(v) => (v, path.clone()),
                None => {
                    let why = format!("its input {path:?} is not a JSON or YAML file in the evidence");
                    return policy::findings(policy, &name, &name, policy::Outcome::Broken(why));
                }
            }
        }
        None => {
            let artifacts: Vec<serde_json::Value> = evidence
                .artifacts
                .iter()
                .map(|a| {
                    let facts = evidence.facts.get(&a.path);
                    serde_json::json!({
                        "path": a.path, "sha256": a.sha256, "size": a.size,
                        "evidence_type": facts.and_then(|f| f.evidence_type.clone()),
                        "date": facts.and_then(|f| f.date),
                    })
                })
                .collect();
            let documents: serde_json::Map<String, serde_json::Value> =
                docs.iter().map(|(p, _, d)| (p.clone(), serde_json::to_value(d).unwrap_or_default())).collect();
            (serde_json::json!({"system": scope, "artifacts": artifacts, "documents": documents}), name.clone())
        }
    };
    let outcome = policy::evaluate(&name, &source, policy.query.as_deref(), &input);
    policy::findings(policy, &name, &located_at, outcome)
}

/// Runs collection and assessment without writing a package (`dossier check`).
pub fn check(options: &BuildOptions, progress: &dyn Progress) -> Result<(LoadedConfig, PathBuf, Run)> {
    let loaded = LoadedConfig::discover(options.config.as_deref(), options.evidence_dir.as_deref())?;
    let root = loaded.evidence_root(options.evidence_dir.as_deref());
    check_root(&root)?;
    let assessed_at = clock::now()?;
    let assessment = prepare_assessment(&loaded, &root)?;
    sarif_anchors(&loaded, &root)?;
    let run = collect_and_assess(&loaded, &root, None, progress, Some(&assessment), assessed_at)?;
    Ok((loaded, root, run))
}

/// Loads the catalogs and builds the classifier, checking the config's `frameworks`.
fn prepare_assessment(loaded: &LoadedConfig, root: &Path) -> Result<(CatalogSet, Classifier)> {
    let catalogs = CatalogSet::load(&loaded.catalog_files(), &loaded.config.overrides, loaded.file.as_deref())?;
    let classifier = Classifier::new(
        catalogs.taxonomy.clone(),
        &loaded.config.classification,
        loaded.file.as_deref().and_then(|file| path_within(file, root)),
    )
    .map_err(|e| Error::input(format!("{}: {e}", config_name(loaded))))?;
    // Checked here too, so a typo fails before any file is read.
    catalogs
        .select(loaded.config.frameworks.as_deref())
        .map_err(|e| Error::input(format!("{}: {e}", config_name(loaded))))?;
    let unknown: Vec<String> = loaded
        .config
        .policies
        .iter()
        .flat_map(|p| p.requirements.iter().map(move |id| (p, id)))
        .filter(|(_, id)| catalogs.requirement(id).is_none())
        .map(|(p, id)| format!("policies ({}): unknown requirement id {id:?}", p.file.display()))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::input(format!("{}: {}", config_name(loaded), unknown.join("; "))));
    }
    Ok((catalogs, classifier))
}

/// Where `results.sarif` anchors its locations: from `evidence.repository_root` when it
/// is set (which must hold the evidence root), else the evidence root and config directory.
fn sarif_anchors(loaded: &LoadedConfig, root: &Path) -> Result<sarif::Anchors> {
    let file_name = loaded.file.as_deref().and_then(Path::file_name).and_then(|n| n.to_str());
    let Some(repository) = &loaded.config.evidence.repository_root else {
        return Ok(sarif::Anchors::separate(file_name));
    };
    let setting = || format!("{}: evidence.repository_root {}", config_name(loaded), repository.display());
    let resolved = loaded.resolve(repository);
    let repository = std::fs::canonicalize(&resolved).map_err(|e| {
        Error::input(format!(
            "{}: cannot resolve {}: {e}; give the repository's root directory",
            setting(),
            resolved.display()
        ))
    })?;
    if !repository.is_dir() {
        return Err(Error::input(format!("{}: {} is not a directory", setting(), resolved.display())));
    }
    let evidence_dir = path_within(root, &repository).ok_or_else(|| {
        Error::input(format!(
            "{}: the evidence root {} is not inside it; set it to the repository that holds the evidence",
            setting(),
            root.display()
        ))
    })?;
    let config_file = loaded.file.as_deref().and_then(|f| path_within(f, &repository));
    Ok(sarif::Anchors::repository(&evidence_dir, config_file.as_deref(), file_name))
}

/// `path` relative to `dir` with `/` separators (`""` when they are the same), when it
/// lies inside it once both are resolved; `None` otherwise, or when it is not UTF-8.
fn path_within(path: &Path, dir: &Path) -> Option<String> {
    let path = std::fs::canonicalize(path).ok()?;
    let dir = std::fs::canonicalize(dir).ok()?;
    let parts: Option<Vec<&str>> = path.strip_prefix(dir).ok()?.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
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
