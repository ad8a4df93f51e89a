//! The stages in order, for each command: a build is plan -> collect -> assess ->
//! compare? -> render -> seal. Each stage returns plain data the next one reads; this
//! module only hands it on, and returns what happened for the command line to print.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::assess;
use crate::clock;
use crate::collect::cache::DigestCache;
use crate::collect::{self, CollectOptions, Evidence, Progress, store};
use crate::compare::{self, Side};
use crate::config::plan::{Plan, Reporting};
use crate::config::{LoadedConfig, ReportFormat};
use crate::diag::{Error, Result};
use crate::digest::Sha256Digest;
use crate::model::Tool;
use crate::model::assessment::{Assessment, Presentation};
use crate::model::diff::Diff;
use crate::model::finding::{Counts, Finding, Verdict};
use crate::render::files::diff::DIFF_JSON;
use crate::render::files::matrix::MATRIX_JSON;
use crate::render::files::sarif::Anchors;
use crate::render::report::Branding;
use crate::render::templates::TemplateSet;
use crate::render::{self, Output, PackageFiles, Phase, RenderContext, html, pdf};
use crate::seal::attest;
use crate::seal::manifest::{
    self, EVIDENCE_DIR, EvidenceInfo, MANIFEST_FILE, Manifest, OutputEntry, SUMS_FILE, SystemRef,
};
use crate::seal::staging::{self, Staging};
use crate::seal::verify::{self, Signature, VerifyOptions};

/// Where `dossier render --model` writes the report model.
pub const REPORT_MODEL_FILE: &str = "report.json";

/// Where the package keeps the report logo (with the logo's own extension).
const LOGO_STEM: &str = "assets/logo";

/// What a build did.
#[derive(Debug)]
pub struct Built {
    /// The package directory.
    pub package: PathBuf,
    /// The bundle, with `--bundle`.
    pub bundle: Option<PathBuf>,
    /// The manifest as written.
    pub manifest: Manifest,
    /// The assessment (none with `--manifest-only`).
    pub assessment: Option<Assessment>,
    /// Every finding: the assessment's, or collection's with `--manifest-only`.
    pub findings: Vec<Finding>,
    /// Entries left out as hidden or ignored.
    pub ignored: u64,
    /// The comparison with the previous package (`--previous`).
    pub changes: Option<Diff>,
    /// How many files came from the digest cache; none when the run used none.
    pub from_cache: Option<u64>,
    /// Notes about the digest cache, one line each.
    pub notes: Vec<String>,
}

/// What a check found (nothing written).
#[derive(Debug)]
pub struct Checked {
    /// The assessment.
    pub assessment: Assessment,
    /// Files collected.
    pub artifacts: usize,
    /// Notes about the digest cache, one line each.
    pub notes: Vec<String>,
}

/// Collects the evidence as the plan says: walked, hashed, classified and read from the
/// hashed bytes, sidecars applied.
fn collect(plan: &Plan, copy_to: Option<&Path>, progress: &dyn Progress) -> Result<Evidence> {
    let mut evidence = if plan.walk_root { collect_root(plan, copy_to, progress)? } else { Evidence::default() };
    pin_worm_copies(&mut evidence)?;
    if !plan.sources.is_empty() {
        progress.phase("object stores");
        let stored = collect_stores(plan, copy_to, progress)?;
        merge(&mut evidence, stored)?;
    }
    Ok(evidence)
}

/// Collects the object-store roots: each object pinned and spooled as it is hashed (see
/// [`store`]), the spool then collected as a directory, every artifact's digest checked
/// against the bytes that arrived, and the objects taken at the store's checksum added.
fn collect_stores(plan: &Plan, copy_to: Option<&Path>, progress: &dyn Progress) -> Result<Evidence> {
    let spool = store::spool()?;
    let interpret = plan.classifier.as_ref().map(|_| &plan.readers as &dyn collect::Interpret);
    let fetched = store::fetch(&store::FetchOptions {
        sources: &plan.sources,
        spool: spool.path(),
        trust_store_checksums: plan.trust_store_checksums,
        sample: plan.store_sample,
        include_hidden: plan.config.config.evidence.include_hidden,
        ignore: &plan.ignore,
        classifier: plan.classifier.as_ref(),
        interpret,
        progress,
    })?;
    let mut evidence = collect::collect(&CollectOptions {
        root: spool.path().to_path_buf(),
        include_hidden: true,
        ignore: ignore::gitignore::Gitignore::empty(),
        copy_to: copy_to.map(Path::to_path_buf),
        progress: &collect::Silent,
        classifier: plan.classifier.as_ref(),
        interpret,
        cache: None,
    })?;
    if let Some(classifier) = &plan.classifier {
        collect::apply_sidecars(&mut evidence, spool.path(), classifier, &plan.readers)?;
    }
    let store::Fetched { mut downloaded, trusted, findings, skipped, ignored, stores, notes } = fetched;
    for artifact in &mut evidence.artifacts {
        let Some((object, digest)) = downloaded.remove(&artifact.path) else {
            return Err(Error::Integrity(format!(
                "{}: found in the object-store spool but never downloaded; nothing was written",
                crate::text::one_line(&artifact.path)
            )));
        };
        if artifact.sha256 != digest {
            return Err(collect::changed_while_building(&artifact.path, digest, artifact.sha256));
        }
        artifact.stored = Some(object);
    }
    for (path, size, sha256, object) in trusted {
        let facts = match &plan.classifier {
            Some(classifier) => classifier.classify_head(&path, &[], false).0,
            None => crate::model::evidence::Facts::unmatched(),
        };
        evidence.artifacts.push(crate::model::evidence::Artifact {
            path,
            sha256,
            size,
            facts,
            document: None,
            md5: None,
            stored: Some(object),
            worm_copy: None,
        });
    }
    evidence.artifacts.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    evidence.findings.extend(findings);
    evidence.skipped.extend(skipped);
    evidence.ignored += ignored;
    evidence.stores = stores;
    evidence.notes = notes;
    Ok(evidence)
}

/// Pins the write-once copies the sidecars name (`worm_copy:`), each checked to hold its
/// file's bytes. A copy that does not is a `worm-not-enforced` finding on the file. A run
/// whose sidecars name no copy reads no store.
fn pin_worm_copies(evidence: &mut Evidence) -> Result<()> {
    use crate::model::document::Document;
    use crate::model::evidence::Reason;
    let claims: Vec<store::CopyClaim> = evidence
        .artifacts
        .iter()
        .filter_map(|a| match (&a.facts.reason, a.document()) {
            (Reason::Sidecar { of }, Some(Document::Sidecar(side))) => Some((of, side.worm_copy.as_ref()?)),
            _ => None,
        })
        .filter_map(|(of, copy)| {
            let file = evidence.artifacts.binary_search_by(|a| a.path.as_str().cmp(of)).ok()?;
            let file = &evidence.artifacts[file];
            Some(store::CopyClaim { path: file.path.clone(), sha256: file.sha256, copy: copy.clone() })
        })
        .collect();
    if claims.is_empty() {
        return Ok(());
    }
    let pinned = store::pin_copies(&claims)?;
    for (claim, result) in claims.iter().zip(pinned) {
        let index = evidence.artifacts.binary_search_by(|a| a.path.as_str().cmp(&claim.path)).expect("found above");
        let artifact = &mut evidence.artifacts[index];
        match result {
            Ok(copy) => artifact.worm_copy = Some(copy),
            Err(why) => {
                let kind = artifact.evidence_type().unwrap_or("evidence").to_string();
                evidence.findings.push(
                    Finding::at(
                        crate::model::finding::Code::WormNotEnforced,
                        claim.path.clone(),
                        format!("{kind}: its sidecar names a write-once copy that cannot stand in for it: {why}"),
                    )
                    .failing(assess::worm::requirements(&kind)),
                );
            }
        }
    }
    evidence.findings.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    Ok(())
}

/// Adds the evidence collected from object stores to the directory's. One path can be
/// only one artifact: a local file and an object at the same evidence path stop the run.
fn merge(evidence: &mut Evidence, stored: Evidence) -> Result<()> {
    let local: std::collections::BTreeSet<&str> = evidence.artifacts.iter().map(|a| a.path.as_str()).collect();
    if let Some(clash) = stored.artifacts.iter().find(|a| local.contains(a.path.as_str())) {
        return Err(Error::Store(format!(
            "{}: both a file in the evidence directory and {}; give the source a `path:` of its own",
            crate::text::one_line(&clash.path),
            clash.stored.as_ref().map_or("an object", |o| o.url.as_str())
        )));
    }
    evidence.artifacts.extend(stored.artifacts);
    evidence.artifacts.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    evidence.symlinks.extend(stored.symlinks);
    evidence.skipped.extend(stored.skipped);
    evidence.skipped.sort();
    evidence.findings.extend(stored.findings);
    evidence.findings.sort_by(|a, b| (&a.path, &a.code).cmp(&(&b.path, &b.code)));
    evidence.ignored += stored.ignored;
    evidence.kept.extend(stored.kept);
    evidence.stores = stored.stores;
    evidence.notes.extend(stored.notes);
    Ok(())
}

/// Walks and collects the evidence directory.
fn collect_root(plan: &Plan, copy_to: Option<&Path>, progress: &dyn Progress) -> Result<Evidence> {
    let mut notes = Vec::new();
    let cache = match (&plan.cache_dir, &plan.classifier, fs::canonicalize(&plan.root)) {
        (Some(dir), Some(_), Ok(root)) => match DigestCache::open(dir, &root, reading_key(plan)) {
            Ok(cache) => {
                notes.extend(cache.note().map(str::to_string));
                Some(cache)
            }
            Err(why) => {
                notes.push(why);
                None
            }
        },
        _ => None,
    };
    let mut evidence = collect::collect(&CollectOptions {
        root: plan.root.clone(),
        include_hidden: plan.config.config.evidence.include_hidden,
        ignore: plan.ignore.clone(),
        copy_to: copy_to.map(Path::to_path_buf),
        progress,
        classifier: plan.classifier.as_ref(),
        interpret: plan.classifier.as_ref().map(|_| &plan.readers as &dyn collect::Interpret),
        cache: cache.as_ref(),
    })?;
    if let Some(cache) = cache {
        evidence.from_cache = Some(cache.hits());
        if let Err(e) = cache.save() {
            notes.push(format!("the digest cache could not be saved: {e}"));
        }
    }
    evidence.notes = notes;
    if let Some(classifier) = &plan.classifier {
        collect::apply_sidecars(&mut evidence, &plan.root, classifier, &plan.readers)?;
    }
    Ok(evidence)
}

/// What the digest cache is keyed by besides the evidence: everything that changes how a
/// file is read. That is the configuration, and the trust anchors' contents, which the
/// configuration names only by path (a file's content credentials are judged against them).
fn reading_key(plan: &Plan) -> Sha256Digest {
    let config = plan.config.digest();
    match plan.readers.trust() {
        Some(pem) => {
            let mut bytes = config.as_bytes().to_vec();
            bytes.extend_from_slice(pem.as_bytes());
            Sha256Digest::of(&bytes)
        }
        None => config,
    }
}

/// Collects and assesses without writing anything (`dossier check`).
pub fn check(plan: &Plan, progress: &dyn Progress) -> Result<Checked> {
    let setup = plan.assess.as_ref().expect("a check plan assesses");
    let mut evidence = collect(plan, None, progress)?;
    let artifacts = evidence.artifacts.len();
    let findings = std::mem::take(&mut evidence.findings);
    progress.phase("assessing");
    let assessment =
        assess::assess(setup, std::mem::take(&mut evidence.artifacts), findings, &evidence.kept, plan.assessed_at)?;
    progress.done();
    Ok(Checked { assessment, artifacts, notes: evidence.notes })
}

/// Package files read from a directory (the staging directory, or a package).
struct FilesIn<'a>(&'a Path);

impl PackageFiles for FilesIn<'_> {
    fn read(&self, rel: &str) -> Result<Vec<u8>> {
        let path = self.0.join(rel);
        fs::read(&path).map_err(|e| Error::io("read", &path, e))
    }
}

/// Streams `output` into the staging directory and returns its entry.
fn stream(staging: &Staging, output: &dyn Output, cx: &RenderContext) -> Result<OutputEntry> {
    let mut failure = None;
    let entry = staging.stream(output.file(), |out| {
        output.render(cx, out).map_err(|e| {
            let message = e.to_string();
            failure = Some(e);
            std::io::Error::other(message)
        })
    });
    match (entry, failure) {
        (_, Some(e)) => Err(e),
        (entry, None) => entry,
    }
}

/// Runs a build.
pub fn build(plan: Plan, progress: &dyn Progress) -> Result<Built> {
    let output = plan.output.clone().unwrap_or_else(|| PathBuf::from(crate::config::plan::DEFAULT_OUTPUT));
    // With only an object store to read, no directory holds evidence to protect.
    let mut staging = if plan.walk_root {
        Staging::prepare(&output, &plan.root)?
    } else {
        Staging::prepare_for(&output, &[], manifest::MANIFEST_FILE, "dossier package")?
    };
    let copy_to = plan.include_evidence.then(|| staging.path().join(EVIDENCE_DIR));
    if let Some(dir) = &copy_to {
        fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    }
    let mut evidence = collect(&plan, copy_to.as_deref(), progress)?;
    if let Some(dir) = &copy_to {
        copy_symlinks(&evidence, dir)?;
    }
    let total_bytes = evidence.total_bytes();

    // The artifacts go on to the assessment, which hands back the manifest's entries as it
    // lets go of the files it does not keep; without one, the entries are made here.
    let artifacts = std::mem::take(&mut evidence.artifacts);
    let (mut assessment, entries) = match &plan.assess {
        Some(setup) => {
            progress.phase("assessing");
            let findings = std::mem::take(&mut evidence.findings);
            let (a, entries) =
                assess::assess_for_package(setup, artifacts, findings, &evidence.kept, plan.assessed_at)?;
            (Some(a), entries)
        }
        None => (None, artifacts.iter().map(|a| a.entry()).collect()),
    };
    staging.stream_output(SUMS_FILE, |out| manifest::write_sums(&entries, out))?;
    let reporting = plan.reporting.as_ref();
    let branding = reporting.map(|r| r.branding.clone()).unwrap_or_default();
    if let Some(a) = assessment.as_mut() {
        a.presentation = Presentation {
            organisation: branding.organisation.clone(),
            logo: branding.logo.as_ref().map(|(name, _)| logo_path(name)),
        };
        if let Some((name, bytes)) = &branding.logo {
            staging.write_output(&logo_path(name), bytes)?;
        }
    }

    // The outputs inside the package digest, the large ones side by side.
    let builtin_templates;
    let templates = match reporting {
        Some(r) => &r.templates,
        None => {
            builtin_templates = TemplateSet::load(None)?;
            &builtin_templates
        }
    };
    if let Some(a) = &assessment {
        progress.phase("writing");
        let files = FilesIn(staging.path());
        let cx = RenderContext::new(Some(a), None, None, &branding, None, templates, &plan.anchors, &files);
        let sealed: Vec<&dyn Output> =
            render::package_outputs().into_iter().filter(|o| o.phase() == Phase::Sealed && o.applies(&cx)).collect();
        let written: Vec<Result<OutputEntry>> = sealed.par_iter().map(|o| stream(&staging, *o, &cx)).collect();
        for entry in written {
            staging.record(entry?);
        }
    }

    let root_hint = plan
        .walk_root
        .then(|| staging.target())
        .and_then(Path::parent)
        .and_then(|parent| staging::relative_path(parent, &plan.root))
        .map(|rel| if rel == "." { "..".to_string() } else { format!("../{rel}") });
    let evidence_config = &plan.config.config.evidence;
    let mut manifest = Manifest {
        format: manifest::FORMAT.into(),
        schema_version: if evidence.stores.is_empty() && entries.iter().all(|e| e.worm_copy.is_none()) {
            manifest::SCHEMA_VERSION
        } else {
            manifest::STORE_SCHEMA_VERSION
        },
        tool: Tool::current(),
        assessed_at: clock::format(&plan.assessed_at),
        system: SystemRef { name: plan.system_name(), version: plan.config.config.system.version.clone() },
        config_sha256: plan.config.digest(),
        evidence: EvidenceInfo {
            root_hint,
            included: plan.include_evidence,
            include_hidden: evidence_config.include_hidden,
            ignore: evidence_config.ignore.iter().map(|p| p.as_str().to_string()).collect(),
            artifact_count: entries.len() as u64,
            stores: std::mem::take(&mut evidence.stores),
            total_bytes,
        },
        artifacts: entries,
        symlinks: std::mem::take(&mut evidence.symlinks),
        skipped: std::mem::take(&mut evidence.skipped),
        outputs: staging.outputs(),
        package_digest: Sha256Digest::of(b""),
        reports: Vec::new(),
    };
    manifest.seal();

    // The comparison with the previous package, in memory.
    let changes = match (&plan.previous, &assessment) {
        (Some(old), Some(a)) => {
            progress.phase("comparing");
            let new = Side {
                // Not the output path: the reports must not depend on where the package goes.
                source: "this package".to_string(),
                manifest: manifest.clone(),
                assessment: a.clone(),
                signature: plan.signer.clone().map_or(Signature::Unsigned, Signature::NotChecked),
                evidence_checked: true,
            };
            Some(compare::compare(old, &new))
        }
        _ => None,
    };

    // The reports, which show the package digest, and the comparison they show.
    if let (Some(a), Some(reporting)) = (&assessment, reporting) {
        let files = FilesIn(staging.path());
        let cx = RenderContext::new(
            Some(a),
            Some(&manifest),
            changes.as_ref(),
            &branding,
            plan.signer.as_deref(),
            &reporting.templates,
            &plan.anchors,
            &files,
        );
        manifest.reports = render_reports(&cx, reporting, progress, |name, bytes| staging.write_raw(name, bytes))?;
    }
    let findings = match &assessment {
        Some(a) => a.findings.clone(),
        None => std::mem::take(&mut evidence.findings),
    };
    progress.phase("sealing");
    let manifest_file = staging.stream(MANIFEST_FILE, |out| manifest.write_pretty(out))?;
    // The attestation covers every package file, the manifest included.
    let mut files: Vec<(String, Sha256Digest)> =
        manifest.outputs.iter().chain(&manifest.reports).map(|o| (o.path.clone(), o.sha256)).collect();
    files.push((MANIFEST_FILE.to_string(), manifest_file.sha256));
    let predicate = predicate(&manifest, assessment.as_ref(), &findings, plan.signer.as_deref());
    let payload = attest::Statement::new(&files, predicate).to_bytes();
    staging.write_raw(attest::STATEMENT_FILE, &payload)?;
    if let Some(key) = &plan.signing_key {
        let mut envelope = serde_json::to_string_pretty(&attest::sign(key, &payload)).expect("envelope serializes");
        envelope.push('\n');
        staging.write_raw(attest::ENVELOPE_FILE, envelope.as_bytes())?;
    }
    let package = staging.commit()?;
    let bundle = if plan.bundle {
        let path = PathBuf::from(format!("{}.tar.gz", package.display()));
        progress.phase("bundling");
        crate::seal::bundle::write(&package, &path, plan.assessed_at.timestamp().max(0) as u64)?;
        Some(path)
    } else {
        None
    };
    progress.done();
    Ok(Built {
        package,
        bundle,
        manifest,
        assessment,
        findings,
        ignored: evidence.ignored,
        changes,
        from_cache: evidence.from_cache,
        notes: evidence.notes,
    })
}

/// The package path of the report logo.
fn logo_path(name: &str) -> String {
    let ext = name.rsplit('.').next().unwrap_or("png").to_ascii_lowercase();
    format!("{LOGO_STEM}.{ext}")
}

/// Renders the reports the plan asks for (and `diff.json` when there is a comparison),
/// writing each through `write`; returns their entries, sorted.
fn render_reports(
    cx: &RenderContext,
    reporting: &Reporting,
    progress: &dyn Progress,
    mut write: impl FnMut(&str, &[u8]) -> Result<()>,
) -> Result<Vec<OutputEntry>> {
    let wanted = |o: &dyn Output| match o.file() {
        html::HTML_FILE => reporting.formats.contains(&ReportFormat::Html),
        pdf::PDF_FILE => reporting.formats.contains(&ReportFormat::Pdf),
        _ => true,
    };
    let mut entries = Vec::new();
    for output in render::report_outputs().into_iter().filter(|o| wanted(*o) && o.applies(cx)) {
        progress.phase(match output.file() {
            html::HTML_FILE => "HTML report",
            pdf::PDF_FILE => "PDF report",
            _ => "reports",
        });
        let bytes = render::to_bytes(output, cx)?;
        write(output.file(), &bytes)?;
        entries.push(OutputEntry {
            path: output.file().to_string(),
            sha256: Sha256Digest::of(&bytes),
            size: bytes.len() as u64,
        });
    }
    entries.sort();
    Ok(entries)
}

/// The attestation's predicate: what was assessed, when, with what outcome.
fn predicate(
    manifest: &Manifest,
    assessment: Option<&Assessment>,
    findings: &[Finding],
    signer: Option<&str>,
) -> serde_json::Value {
    let verdict = assessment.map_or(Verdict::NotAssessed, |a| a.verdict);
    serde_json::json!({
        "tool": manifest.tool,
        "system": manifest.system,
        "assessed_at": manifest.assessed_at,
        "package_digest": manifest.package_digest,
        "config_sha256": manifest.config_sha256,
        "artifacts": {"count": manifest.evidence.artifact_count, "bytes": manifest.evidence.total_bytes},
        "verdict": verdict,
        "findings": Counts::of(findings),
        "frameworks": assessment.map(|a| a.frameworks.iter().map(|f| serde_json::json!({
            "id": f.id, "version": f.version, "binding": f.binding, "coverage": f.coverage,
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "signer": signer,
    })
}

fn copy_symlinks(evidence: &Evidence, dir: &Path) -> Result<()> {
    for link in &evidence.symlinks {
        let dest = dir.join(&link.path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        }
        std::os::unix::fs::symlink(&link.target, &dest).map_err(|e| Error::io("create symbolic link", &dest, e))?;
    }
    Ok(())
}

/// What `dossier render` wrote.
#[derive(Debug)]
pub struct Rendered {
    /// The directory.
    pub dir: PathBuf,
    /// The files, in the order written.
    pub files: Vec<String>,
}

/// Renders a package's reports again from the package alone (`dossier render`): it is
/// verified first, then its assessment, manifest, comparison and branding are read back.
/// With the templates the build used, the reports are the build's, byte for byte.
pub fn render_package(
    package: &Path,
    out: &Path,
    templates: &TemplateSet,
    with_model: bool,
    progress: &dyn Progress,
) -> Result<std::result::Result<Rendered, verify::VerifyReport>> {
    // Everything the reports are made from is read in the pass that verifies it.
    let logos = ["png", "jpg", "jpeg", "svg"].map(|ext| format!("{LOGO_STEM}.{ext}"));
    let mut kept = vec![crate::render::files::ASSESSMENT_JSON, DIFF_JSON, MATRIX_JSON];
    kept.extend(logos.iter().map(String::as_str));
    let report = verify::verify(&VerifyOptions {
        package: package.to_path_buf(),
        evidence: None,
        key: None,
        progress,
        package_only: true,
        keep: &kept,
        latest: false,
    })?;
    if !report.is_intact() {
        return Ok(Err(report));
    }
    let signer = match &report.signature {
        Signature::NotChecked(id) | Signature::Verified(id) => Some(id.clone()),
        Signature::Unsigned | Signature::Failed => None,
    };
    let mut manifest = report.manifest.clone().expect("an intact package has a manifest");
    let listed: Vec<String> = manifest.reports.iter().map(|r| r.path.clone()).collect();
    manifest.reports.clear();
    let assessment_bytes = report.contents.get(crate::render::files::ASSESSMENT_JSON).ok_or_else(|| {
        Error::package(
            package,
            "has no assessment.json: it was built with --manifest-only, so it has no reports to render",
        )
    })?;
    let assessment = compare::parse_assessment(assessment_bytes, &mut manifest)
        .map_err(|why| Error::package(package, format!("assessment.json: {why}")))?;
    let changes: Option<Diff> = match report.contents.get(DIFF_JSON) {
        Some(bytes) if listed.iter().any(|r| r == DIFF_JSON) => {
            Some(serde_json::from_slice(bytes).map_err(|e| Error::package(package, format!("{DIFF_JSON}: {e}")))?)
        }
        _ => None,
    };
    let files = Kept(report.contents);
    let logo = match &assessment.presentation.logo {
        Some(path) => Some((path.rsplit('/').next().unwrap_or(path).to_string(), files.read(path)?)),
        None => None,
    };
    let branding = Branding { organisation: assessment.presentation.organisation.clone(), logo };
    let formats: Vec<ReportFormat> = [(html::HTML_FILE, ReportFormat::Html), (pdf::PDF_FILE, ReportFormat::Pdf)]
        .into_iter()
        .filter(|(file, _)| listed.is_empty() || listed.iter().any(|r| r == file))
        .map(|(_, f)| f)
        .collect();
    let reporting = Reporting { templates: templates.clone(), formats, branding: branding.clone() };
    let anchors = Anchors::separate(None);
    let cx = RenderContext::new(
        Some(&assessment),
        Some(&manifest),
        changes.as_ref(),
        &branding,
        signer.as_deref(),
        templates,
        &anchors,
        &files,
    );
    let protected = [("the package", package, "a package")];
    let mut staging = Staging::prepare_for(out, &protected, html::HTML_FILE, "dossier render output")?;
    let entries = render_reports(&cx, &reporting, progress, |name, bytes| staging.write_output(name, bytes))?;
    let mut files: Vec<String> = entries.into_iter().map(|e| e.path).collect();
    if with_model {
        let mut json = cx.report()?.to_json();
        json.push('\n');
        staging.write_output(REPORT_MODEL_FILE, json.as_bytes())?;
        files.push(REPORT_MODEL_FILE.to_string());
    }
    progress.done();
    Ok(Ok(Rendered { dir: staging.commit()?, files }))
}

/// Package files kept from the pass that verified them: the bytes that were hashed.
struct Kept(std::collections::BTreeMap<String, Vec<u8>>);

impl PackageFiles for Kept {
    fn read(&self, rel: &str) -> Result<Vec<u8>> {
        self.0
            .get(rel)
            .cloned()
            .ok_or_else(|| Error::io("read", rel, std::io::Error::from(std::io::ErrorKind::NotFound)))
    }
}

/// What `dossier diff` asks for.
pub struct DiffRequest<'a> {
    /// The earlier package.
    pub old: &'a Path,
    /// The later package.
    pub new: &'a Path,
    /// Output directory.
    pub output: &'a Path,
    /// Public key OLD's signature must verify with.
    pub old_key: Option<&'a Path>,
    /// Public key NEW's signature must verify with.
    pub new_key: Option<&'a Path>,
    /// The report templates.
    pub templates: &'a TemplateSet,
    /// Reports to write besides `diff.json`.
    pub formats: &'a [ReportFormat],
}

/// What `dossier diff` did: the comparison and where it went, or the side that failed
/// verification ("OLD" or "NEW") with its report.
pub enum Compared {
    /// Both sides intact: the comparison, its directory and the files written.
    Done(Box<Diff>, PathBuf, Vec<String>),
    /// A side failed verification.
    Tampered(&'static str, PathBuf, Box<verify::VerifyReport>),
}

/// Verifies both packages, compares them and writes `diff.json` and the reports.
pub fn diff(request: &DiffRequest, progress: &dyn Progress) -> Result<Compared> {
    let mut sides = Vec::new();
    for (label, path, key) in [("OLD", request.old, request.old_key), ("NEW", request.new, request.new_key)] {
        match compare::load(path, key, progress)? {
            Ok(side) => sides.push(side),
            Err(report) => return Ok(Compared::Tampered(label, path.to_path_buf(), Box::new(report))),
        }
    }
    let diff = compare::compare(&sides[0], &sides[1]);
    let protected: Vec<(&str, &Path, &str)> =
        [request.old, request.new].iter().map(|p| ("the package", *p, "a package being compared")).collect();
    let mut staging = Staging::prepare_for(request.output, &protected, DIFF_JSON, "dossier diff output")?;
    let branding = Branding::default();
    let anchors = Anchors::separate(None);
    let files = FilesIn(staging.path());
    let mut written = Vec::new();
    {
        let cx = RenderContext::new(None, None, Some(&diff), &branding, None, request.templates, &anchors, &files);
        for output in render::diff_outputs() {
            let wanted = match output.file() {
                html::DIFF_HTML => request.formats.contains(&ReportFormat::Html),
                pdf::DIFF_PDF => request.formats.contains(&ReportFormat::Pdf),
                _ => true,
            };
            if wanted {
                let bytes = render::to_bytes(output, &cx)?;
                written.push((output.file(), bytes));
            }
        }
    }
    let mut names = Vec::new();
    for (name, bytes) in written {
        staging.write_output(name, &bytes)?;
        names.push(name.to_string());
    }
    Ok(Compared::Done(Box::new(diff), staging.commit()?, names))
}

/// A config found as `dossier explain` and `dossier catalog` find it.
pub fn discover_config(config: Option<&Path>) -> Result<LoadedConfig> {
    LoadedConfig::discover(config, None)
}

/// What `dossier explain` found about one file.
#[derive(Debug)]
pub struct Explained {
    /// The file, relative to the evidence root.
    pub artifact: crate::model::evidence::Artifact,
    /// The evidence root.
    pub root: PathBuf,
    /// The config it was classified with.
    pub config: LoadedConfig,
    /// The catalogs the config loads.
    pub catalogs: crate::catalog::CatalogSet,
    /// Findings about the file and its sidecar, as a build would make them.
    pub findings: Vec<Finding>,
}

/// Collects one file as a build would (classified and read from the bytes it hashes,
/// with its sidecar applied) and says which config and catalogs it was seen with
/// (`dossier explain`). The config is `config`, else the nearest `dossier.yaml` above
/// the file; the evidence root is `evidence`, else the config's.
pub fn explain(path: &Path, config: Option<&Path>, evidence: Option<&Path>) -> Result<Explained> {
    use crate::collect::sidecar::SIDECAR_SUFFIX;
    use crate::diag::Problem;
    let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(Error::invalid(Problem::in_file(path, "is not a file; explain takes one evidence file")));
    }
    let file = fs::canonicalize(path).map_err(|e| Error::io("resolve", path, e))?;
    let config_file = config
        .map(Path::to_path_buf)
        .or_else(|| file.ancestors().skip(1).map(|d| d.join(crate::config::CONFIG_FILE_NAME)).find(|c| c.is_file()));
    let loaded = match &config_file {
        Some(c) => LoadedConfig::load(c)?,
        None => LoadedConfig::defaults(file.parent().unwrap_or(Path::new("."))),
    };
    let root = loaded.evidence_root(evidence);
    let root_abs = fs::canonicalize(&root).map_err(|e| Error::io("resolve the evidence root", &root, e))?;
    let rel = file
        .strip_prefix(&root_abs)
        .map_err(|_| {
            Error::invalid(Problem::in_file(
                path,
                format!("is not inside the evidence root {}; pass --evidence DIR", root.display()),
            ))
        })?
        .to_str()
        .ok_or_else(|| Error::invalid(Problem::in_file(path, "the path is not valid UTF-8")))?
        .to_string();
    let catalogs = crate::config::plan::catalogs(&loaded)?;
    let classifier = crate::config::plan::classifier(&loaded, &catalogs, &root_abs)?;
    let custom = crate::config::plan::custom_readers(&loaded, &catalogs)?;
    let readers = crate::assess::readers::Readers::default()
        .with_fields(loaded.config.checks.record_fields())
        .with_custom(custom)
        .with_trust(crate::config::plan::trust_anchors(&loaded)?);
    // A sidecar is not evidence: say what it describes.
    let sidecar_of = rel.strip_suffix(SIDECAR_SUFFIX).filter(|of| root_abs.join(of).is_file()).map(str::to_string);
    let (artifact, reading) = collect::collect_one(&root_abs, &rel, &classifier, &readers, sidecar_of)?;
    let mut evidence = Evidence { artifacts: vec![artifact], findings: reading.findings, ..Evidence::default() };
    // A sidecar next to the file can date it and name its type, as in a build.
    let sidecar_rel = format!("{rel}{SIDECAR_SUFFIX}");
    if root_abs.join(&sidecar_rel).is_file() {
        let (side, reading) = collect::collect_one(&root_abs, &sidecar_rel, &classifier, &readers, Some(rel.clone()))?;
        evidence.findings.extend(reading.findings);
        evidence.artifacts.push(side);
        evidence.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
        collect::apply_sidecars(&mut evidence, &root_abs, &classifier, &readers)?;
    }
    let artifact = evidence.artifacts.into_iter().find(|a| a.path == rel).expect("the file was collected");
    // What the document checks make of it on its own (cross-file checks need the rest).
    let version = loaded.config.system.version.as_deref();
    evidence.findings.extend(crate::assess::checks::run(
        &loaded.config.checks,
        version,
        std::slice::from_ref(&artifact),
    ));
    Ok(Explained { artifact, root, config: loaded, catalogs, findings: evidence.findings })
}
