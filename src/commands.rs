//! The commands behind the CLI: run a stage, print what it found, decide the exit status.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use std::collections::BTreeSet;

use crate::build::{self, BuildOptions};
use crate::catalog::{CatalogSet, EvidenceMode};
use crate::classify::{Classifier, Reason};
use crate::config::{self, CONFIG_FILE_NAME, LoadedConfig};
use crate::diff;
use crate::error::{Error, Result};
use crate::findings::{Code, FailOn, Finding, Severity};
use crate::inspect::HEAD_LIMIT;
use crate::matrix::Matrix;
use crate::taxonomy::Taxonomy;
use crate::ui::{Ui, human_bytes};
use crate::verify::{self, VerifyOptions};

/// Documented process exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the job was done and nothing crossed the `--fail-on` threshold.
    Ok = 0,
    /// 1: the job was done, but there are findings at or above the `--fail-on` threshold.
    Findings = 1,
    /// 2: usage, configuration or input error; the job could not be done.
    Error = 2,
    /// 3: integrity failure: a package or its evidence does not match its manifest.
    Integrity = 3,
}

impl From<&Error> for ExitStatus {
    fn from(error: &Error) -> Self {
        match error {
            Error::Integrity(_) => ExitStatus::Integrity,
            _ => ExitStatus::Error,
        }
    }
}

/// `dossier init [DIR]`: writes a commented starter `dossier.yaml`.
pub fn init(dir: &Path, force: bool, ui: &Ui) -> Result<ExitStatus> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let file = dir.join(CONFIG_FILE_NAME);
    if file.exists() && !force {
        return Err(Error::input(format!("{} already exists; pass --force to overwrite it", file.display())));
    }
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    std::fs::write(&file, config::starter_for(&name)).map_err(|e| Error::io("write", &file, e))?;
    ui.summary(&format!("wrote {}\nnext: edit it, then run `dossier build {}`\n", file.display(), dir.display()));
    Ok(ExitStatus::Ok)
}

/// `dossier init --templates DIR`: writes the built-in report templates for editing.
pub fn init_templates(dir: &Path, ui: &Ui) -> Result<ExitStatus> {
    let written = crate::report::templates::write_builtins(dir)?;
    let mut text = String::new();
    for file in &written {
        let _ = writeln!(text, "wrote {}", file.display());
    }
    let _ = writeln!(
        text,
        "next: edit them, then set `report: {{templates: {}}}` in dossier.yaml or pass `--templates {}` to build",
        dir.display(),
        dir.display()
    );
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// Writes `bytes` to standard output whatever `--quiet` says (it is the command's
/// product, not a summary). A reader that stops early (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    match std::io::Write::write_all(&mut out, bytes).and_then(|()| std::io::Write::flush(&mut out)) {
        Ok(()) => Ok(ExitStatus::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Ok),
        Err(e) => Err(Error::io("write to", Path::new("standard output"), e)),
    }
}

/// `dossier keygen PREFIX`: writes an Ed25519 key pair and prints its fingerprint.
pub fn keygen(prefix: &Path, ui: &Ui) -> Result<ExitStatus> {
    let private = PathBuf::from(format!("{}.key", prefix.display()));
    let public = PathBuf::from(format!("{}.pub", prefix.display()));
    let fingerprint = crate::attest::keygen(&private, &public)?;
    ui.summary(&format!(
        "wrote {} (private: keep it secret) and {} (public: give it to whoever verifies)
  fingerprint {fingerprint}
next: dossier build --sign {} ...; dossier verify PACKAGE --key {}\n",
        private.display(),
        public.display(),
        private.display(),
        public.display()
    ));
    Ok(ExitStatus::Ok)
}

/// `dossier build`: collects the evidence and writes the package.
pub fn build(options: &BuildOptions, fail_on: FailOn, ui: &Ui) -> Result<ExitStatus> {
    let started = Instant::now();
    let progress = ui.hashing_progress("hashing");
    let report = build::build(options, &progress)?;
    let elapsed = started.elapsed();
    print_findings(ui, &report.findings);

    let m = &report.manifest;
    let mut text = String::new();
    let _ = writeln!(text, "dossier build: package written");
    let _ = writeln!(text, "  evidence   {}", report.evidence_root.display());
    config_line(&mut text, report.config_file.as_deref());
    let _ = writeln!(
        text,
        "  artifacts  {} ({}); {} symbolic links, {} skipped, {} ignored",
        m.artifacts.len(),
        human_bytes(m.evidence.total_bytes),
        m.symlinks.len(),
        m.skipped.len(),
        report.ignored
    );
    findings_line(&mut text, &report.findings);
    if let Some(matrix) = &report.matrix {
        coverage_lines(&mut text, matrix);
        gap_line(&mut text, &report.findings, "see matrix.csv");
        let config_files = matrix
            .artifacts
            .iter()
            .filter(|a| matches!(a.facts.reason, Reason::Config | Reason::Sidecar { .. }))
            .count();
        let unclassified = matrix.artifacts.iter().filter(|a| a.facts.evidence_type.is_none()).count() - config_files;
        let _ = writeln!(
            text,
            "  classified {} of {} evidence files ({unclassified} unclassified; see `dossier explain`)",
            m.artifacts.len() - config_files - unclassified,
            m.artifacts.len() - config_files
        );
    } else {
        let _ = writeln!(text, "  matrix     not assessed (--manifest-only)");
    }
    if !m.reports.is_empty() {
        let names: Vec<&str> = m.reports.iter().map(|r| r.path.as_str()).collect();
        let _ = writeln!(text, "  reports    {}", names.join(", "));
    }
    if let Some(c) = &report.changes {
        let _ = writeln!(
            text,
            "  previous   {}: {} requirement{} got worse, {} fixed; {} evidence files changed, {} added, {} removed",
            c.old.package,
            c.summary.requirements_regressed,
            if c.summary.requirements_regressed == 1 { "" } else { "s" },
            c.summary.requirements_fixed,
            c.summary.artifacts_changed,
            c.summary.artifacts_added,
            c.summary.artifacts_removed
        );
    }
    let _ = writeln!(text, "  digest     {}", m.package_digest);
    let _ = writeln!(text, "  time       {:.2} s", elapsed.as_secs_f64());
    let _ = writeln!(text, "  package    {}", report.package.display());
    if let Some(bundle) = &report.bundle {
        let _ = writeln!(text, "  bundle     {}", bundle.display());
    }
    ui.summary(&text);

    Ok(if fail_on.is_tripped_by(&report.findings) { ExitStatus::Findings } else { ExitStatus::Ok })
}

fn config_line(text: &mut String, file: Option<&Path>) {
    let _ = writeln!(text, "  config     {}", file.map_or("(defaults)".into(), |p| p.display().to_string()));
}

fn findings_line(text: &mut String, findings: &[Finding]) {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        text,
        "  findings   {}, {}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note")
    );
}

fn is_gap(f: &Finding) -> bool {
    matches!(f.code, Code::RequirementMissing | Code::RequirementPartial | Code::RequirementStale)
}

/// Prints findings about files and policies one per line. Requirement gaps can number in
/// the hundreds; they count for the gate but are summarised (see [`gap_line`]) and listed
/// in matrix.csv and matrix.json.
fn print_findings(ui: &Ui, findings: &[Finding]) {
    ui.findings(findings.iter().filter(|f| !is_gap(f)));
    // Gaps that fail the gate get one line on stderr, so even --quiet says why it failed.
    let blocking: Vec<&Finding> = findings.iter().filter(|f| is_gap(f) && f.severity == Severity::Error).collect();
    if !blocking.is_empty() {
        let ids: Vec<&str> = blocking.iter().flat_map(|f| f.requirements.iter().map(String::as_str)).take(5).collect();
        let more = if blocking.len() > ids.len() {
            format!(" and {} more", blocking.len() - ids.len())
        } else {
            String::new()
        };
        ui.error_line(&format!(
            "error[requirement-missing] {} requirement{} of binding frameworks {} no evidence: {}{more}",
            blocking.len(),
            if blocking.len() == 1 { "" } else { "s" },
            if blocking.len() == 1 { "has" } else { "have" },
            ids.join(", ")
        ));
    }
}

/// One summary line for the requirement gaps, by severity.
fn gap_line(text: &mut String, findings: &[Finding], listed_in: &str) {
    let gaps: Vec<&Finding> = findings.iter().filter(|f| is_gap(f)).collect();
    if !gaps.is_empty() {
        let errors = gaps.iter().filter(|f| f.severity == Severity::Error).count();
        let _ = writeln!(
            text,
            "  gaps       {} not satisfied ({errors} in binding frameworks); {listed_in}",
            if gaps.len() == 1 { "1 requirement".to_string() } else { format!("{} requirements", gaps.len()) }
        );
    }
}

fn coverage_lines(text: &mut String, matrix: &Matrix) {
    for f in &matrix.frameworks {
        let c = &f.coverage;
        let _ = writeln!(
            text,
            "  coverage   {:<26} {:>3}/{:<3} satisfied ({:>3}%), {} waived, {} failed, {} partial, {} stale, {} missing; {} not applicable",
            f.id,
            c.satisfied,
            c.applicable,
            c.percent(),
            c.waived,
            c.failed,
            c.partial,
            c.stale,
            c.missing,
            c.not_applicable
        );
    }
}

/// `dossier check`: collection and assessment without writing a package, for a fast gate.
pub fn check(options: &BuildOptions, fail_on: FailOn, ui: &Ui) -> Result<ExitStatus> {
    let started = Instant::now();
    let progress = ui.hashing_progress("checking");
    let (loaded, root, run) = build::check(options, &progress)?;
    print_findings(ui, &run.findings);
    let mut text = String::new();
    let _ = writeln!(text, "dossier check: {} artifacts in {}", run.evidence.artifacts.len(), root.display());
    config_line(&mut text, loaded.file.as_deref());
    findings_line(&mut text, &run.findings);
    if let Some(matrix) = &run.matrix {
        coverage_lines(&mut text, matrix);
    }
    gap_line(&mut text, &run.findings, "`dossier build` lists them in matrix.csv");
    let tripped = fail_on.is_tripped_by(&run.findings);
    let _ = writeln!(text, "  gate       {} (--fail-on {})", if tripped { "FAIL" } else { "pass" }, fail_on.as_str());
    let _ = writeln!(text, "  time       {:.2} s", started.elapsed().as_secs_f64());
    ui.summary(&text);
    Ok(if tripped { ExitStatus::Findings } else { ExitStatus::Ok })
}

/// `dossier verify PACKAGE`: re-checks a package and its evidence.
pub fn verify(package: PathBuf, evidence: Option<PathBuf>, key: Option<PathBuf>, ui: &Ui) -> Result<ExitStatus> {
    let progress = ui.hashing_progress("checking");
    let report = verify::verify(&VerifyOptions {
        package: package.clone(),
        evidence,
        key,
        progress: &progress,
        package_only: false,
        keep: &[],
    })?;
    ui.findings(&report.problems);
    let mut text = String::new();
    if report.is_intact() {
        let manifest = report.manifest.as_ref().expect("an intact package has a manifest");
        let _ = writeln!(text, "dossier verify: OK, {} is intact", package.display());
        let _ = writeln!(
            text,
            "  artifacts  {} match their recorded sha256 ({})",
            manifest.artifacts.len(),
            human_bytes(manifest.evidence.total_bytes)
        );
        let _ = writeln!(text, "  outputs    {} package files match", manifest.outputs.len());
        if !manifest.reports.is_empty() {
            let names: Vec<&str> = manifest.reports.iter().map(|r| r.path.as_str()).collect();
            let _ = writeln!(text, "  reports    {} match", names.join(", "));
        }
        let _ = writeln!(text, "  digest     {}", manifest.package_digest);
        if let Some(root) = &report.evidence_root {
            let _ = writeln!(text, "  evidence   {}", root.display());
        }
        let _ = match &report.signature {
            verify::Signature::Verified(fp) => writeln!(text, "  signature  valid, signed by {fp}"),
            verify::Signature::NotChecked(id) => {
                writeln!(text, "  signature  present (key {id}) but not checked: pass --key PUB to check it")
            }
            verify::Signature::Unsigned | verify::Signature::Failed => {
                writeln!(text, "  signature  none (the package is unsigned)")
            }
        };
        ui.summary(&text);
        Ok(ExitStatus::Ok)
    } else {
        let _ = writeln!(
            text,
            "dossier verify: FAILED, {} integrity problem{} in {}",
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" },
            package.display()
        );
        ui.summary(&text);
        Ok(ExitStatus::Integrity)
    }
}

/// Loads the catalogs a command should see: the built-ins plus the config's own.
fn catalogs_for(config: Option<&Path>) -> Result<(LoadedConfig, CatalogSet)> {
    let loaded = LoadedConfig::discover(config, None)?;
    let set = CatalogSet::load(&loaded.catalog_files(), &loaded.config.overrides, loaded.file.as_deref())?;
    Ok((loaded, set))
}

/// `dossier catalog list`: every loaded catalog.
pub fn catalog_list(config: Option<&Path>, ui: &Ui) -> Result<ExitStatus> {
    let (_, set) = catalogs_for(config)?;
    let mut text =
        format!("{:<26} {:<10} {:<10} {:<9} {:>12}  {}\n", "ID", "VERSION", "AS OF", "SCOPE", "REQUIREMENTS", "ORIGIN");
    for c in &set.catalogs {
        let _ = writeln!(
            text,
            "{:<26} {:<10} {:<10} {:<9} {:>12}  {}",
            c.id,
            c.version,
            c.as_of.to_string(),
            c.completeness.to_string(),
            c.requirements.len(),
            c.origin
        );
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier catalog show ID [--requirement REQ]`.
pub fn catalog_show(config: Option<&Path>, id: &str, requirement: Option<&str>, ui: &Ui) -> Result<ExitStatus> {
    let (_, set) = catalogs_for(config)?;
    let catalog = set
        .get(id)
        .ok_or_else(|| Error::input(format!("no catalog {id:?}; loaded catalogs: {}", set.ids().join(", "))))?;
    let mut text = String::new();
    if let Some(req_id) = requirement {
        let req = catalog
            .requirements
            .iter()
            .find(|r| r.id == req_id || r.reference.eq_ignore_ascii_case(req_id))
            .ok_or_else(|| {
                Error::input(format!(
                    "catalog {id} has no requirement {req_id:?} (ids look like {})",
                    catalog.requirements[0].id
                ))
            })?;
        let _ = writeln!(text, "{}  {}", req.reference, req.title);
        let _ = writeln!(text, "  id           {}", req.id);
        if let Some(group) = &req.group {
            let _ = writeln!(text, "  group        {group}");
        }
        if let Some(parent) = &req.parent {
            let _ = writeln!(text, "  part of      {parent}");
        }
        if let Some(description) = &req.description {
            let _ = writeln!(text, "  description  {}", description.trim());
        }
        let scope = req.applies_to.as_ref().map_or("every system".to_string(), |a| {
            let mut parts = Vec::new();
            if let Some(r) = &a.risk {
                parts.push(format!("risk {}", r.iter().map(ToString::to_string).collect::<Vec<_>>().join("/")));
            }
            if let Some(r) = &a.role {
                parts.push(format!("role {}", r.iter().map(ToString::to_string).collect::<Vec<_>>().join("/")));
            }
            if let Some(c) = &a.capabilities {
                parts
                    .push(format!("capability {}", c.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")));
            }
            parts.join("; ")
        });
        let _ = writeln!(text, "  applies to   {scope}");
        if let Some(from) = &req.applies_from {
            for d in catalog.application_dates.iter().filter(|d| &d.id == from) {
                let _ = writeln!(text, "  applies from {} ({}: {})", d.date, d.basis, d.reference);
            }
        }
        if req.evidence.is_empty() {
            let _ = writeln!(text, "  evidence     none of its own: see its parts");
        }
        for (i, need) in req.evidence.iter().enumerate() {
            let label = if i == 0 {
                match req.evidence_mode {
                    EvidenceMode::All => "  evidence    ",
                    EvidenceMode::Any => "  any one of  ",
                }
            } else {
                "              "
            };
            let mut line = format!("{label} {}", need.evidence_type);
            if need.min > 1 {
                line.push_str(&format!(" (at least {})", need.min));
            }
            if let Some(days) = need.max_age_days {
                line.push_str(&format!(" (at most {days} days old)"));
            }
            let _ = writeln!(text, "{line}");
        }
        let related = set.related(req);
        if !related.is_empty() {
            let _ = writeln!(text, "  related      {}", related.join(", "));
        }
    } else {
        let _ = writeln!(text, "{} ({})", catalog.title, catalog.id);
        let _ = writeln!(text, "  version      {}", catalog.version);
        let _ = writeln!(text, "  source       {}", catalog.source);
        let _ = writeln!(text, "  as of        {}", catalog.as_of);
        let _ = writeln!(text, "  scope        {}", catalog.completeness);
        let _ = writeln!(text, "  origin       {}", catalog.origin);
        if let Some(notes) = &catalog.notes {
            let _ = writeln!(text, "  notes        {}", notes.trim());
        }
        for d in &catalog.application_dates {
            let _ =
                writeln!(text, "  date         {}  {:<9} {} ({})", d.date, d.basis.to_string(), d.title, d.reference);
        }
        let _ = writeln!(text);
        for r in &catalog.requirements {
            let needs = r.evidence.iter().map(|n| n.evidence_type.as_str()).collect::<Vec<_>>();
            let joiner = if r.evidence_mode == EvidenceMode::Any { " | " } else { ", " };
            let _ = writeln!(text, "{:<16} {:<60} {}", r.reference, truncate(&r.title, 60), needs.join(joiner));
        }
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier catalog types`: the evidence-type taxonomy.
pub fn catalog_types(ui: &Ui) -> Result<ExitStatus> {
    let taxonomy = Taxonomy::builtin()?;
    let mut text = String::new();
    for t in &taxonomy.types {
        let _ = writeln!(text, "{:<26} {}", t.id, t.title);
        if !t.paths.is_empty() {
            let _ = writeln!(text, "{:<26} paths: {}", "", t.paths.join(" "));
        }
        if !t.sniff.is_empty() {
            let formats: BTreeSet<String> = t.sniff.iter().map(|r| r.format.to_string()).collect();
            let _ =
                writeln!(text, "{:<26} content rules for: {}", "", formats.into_iter().collect::<Vec<_>>().join(", "));
        }
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// `dossier explain PATH`: which evidence type a file gets, why, and what it counts for.
pub fn explain(path: &Path, config: Option<&Path>, evidence: Option<&Path>, ui: &Ui) -> Result<ExitStatus> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(Error::input(format!("{} is not a file; explain takes one evidence file", path.display())));
    }
    let file = std::fs::canonicalize(path).map_err(|e| Error::io("resolve", path, e))?;
    // The config: --config, else the nearest dossier.yaml above the file.
    let config_file = config
        .map(Path::to_path_buf)
        .or_else(|| file.ancestors().skip(1).map(|d| d.join(CONFIG_FILE_NAME)).find(|c| c.is_file()));
    let loaded = match &config_file {
        Some(c) => LoadedConfig::load(c)?,
        None => LoadedConfig::defaults(file.parent().unwrap_or(Path::new("."))),
    };
    let root = loaded.evidence_root(evidence);
    let root_abs = std::fs::canonicalize(&root).map_err(|e| Error::io("resolve the evidence root", &root, e))?;
    let rel = file
        .strip_prefix(&root_abs)
        .map_err(|_| {
            Error::input(format!(
                "{} is not inside the evidence root {}; pass --evidence DIR",
                path.display(),
                root.display()
            ))
        })?
        .to_str()
        .ok_or_else(|| Error::input("the path is not valid UTF-8"))?
        .to_string();
    let set = CatalogSet::load(&loaded.catalog_files(), &loaded.config.overrides, loaded.file.as_deref())?;
    let config_rel = loaded
        .file
        .as_ref()
        .and_then(|c| std::fs::canonicalize(c).ok())
        .and_then(|c| c.strip_prefix(&root_abs).ok().and_then(|p| p.to_str()).map(str::to_owned));
    let classifier = Classifier::new(set.taxonomy.clone(), &loaded.config.classification, config_rel)?;

    let handle = std::fs::File::open(&file).map_err(|e| Error::io("read", path, e))?;
    let mut buf = vec![0u8; crate::digest::BUFFER_SIZE];
    let mut facts = None;
    let mut classify =
        |head: &[u8]| facts = Some(classifier.classify_head(&rel, head, head.len() as u64 >= meta.len()));
    let hashed = crate::digest::hash_reader(handle, &mut buf, None, Some((&mut classify, HEAD_LIMIT)))
        .map_err(|e| Error::io("read", path, e))?;
    let mut facts = facts.expect("the head callback always runs");
    // A sidecar is not evidence: say what it describes.
    if let Some(of) = rel.strip_suffix(crate::decisions::SIDECAR_SUFFIX)
        && root_abs.join(of).is_file()
    {
        facts.evidence_type = None;
        facts.reason = Reason::Sidecar { of: of.to_string() };
    }
    // A sidecar next to the file can date it and name its type, as in a build.
    let sidecar_rel = format!("{rel}{}", crate::decisions::SIDECAR_SUFFIX);
    if root_abs.join(&sidecar_rel).is_file() {
        let sidecar =
            crate::manifest::ArtifactEntry { path: sidecar_rel, sha256: crate::digest::Sha256Digest::of(b""), size: 0 };
        let mut all = std::collections::BTreeMap::from([(rel.clone(), facts)]);
        let problems =
            crate::decisions::apply_sidecars(&root_abs, std::slice::from_ref(&sidecar), &mut all, &set.taxonomy);
        ui.findings(&problems);
        facts = all.remove(&rel).expect("the file's facts are kept");
    }

    let mut text = String::new();
    let _ = writeln!(text, "{rel}");
    let _ = writeln!(text, "  evidence root  {}", root.display());
    let _ = writeln!(text, "  sha256         {} ({})", hashed.digest, human_bytes(hashed.bytes));
    match &facts.evidence_type {
        Some(t) => {
            let title = set.taxonomy.get(t).map_or("", |t| t.title.as_str());
            let _ = writeln!(text, "  type           {t} ({title})");
        }
        None => {
            let _ = writeln!(text, "  type           unclassified");
        }
    }
    let _ = writeln!(text, "  because        {}", facts.reason);
    match (&facts.date, &facts.date_source) {
        (Some(d), Some(source)) => {
            let _ = writeln!(text, "  dated          {d} (from {source})");
        }
        _ => {
            let _ = writeln!(text, "  dated          no date found in the content");
        }
    }
    if let Some(t) = &facts.evidence_type {
        let selected: Option<BTreeSet<&str>> =
            loaded.config.frameworks.as_ref().map(|f| f.iter().map(String::as_str).collect());
        let used: Vec<(&str, &crate::catalog::Requirement)> = set
            .catalogs
            .iter()
            .filter(|c| selected.as_ref().is_none_or(|s| s.contains(c.id.as_str())))
            .flat_map(|c| c.requirements.iter().map(move |r| (c.id.as_str(), r)))
            .filter(|(_, r)| r.evidence.iter().any(|n| &n.evidence_type == t))
            .collect();
        let system = &loaded.config.system;
        let (applies, elsewhere): (Vec<_>, Vec<_>) = used.into_iter().partition(|(_, r)| {
            r.applies_to.as_ref().is_none_or(|a| a.includes(system.risk_category, system.role, &system.capabilities))
        });
        let _ = writeln!(text, "  counts for     {} requirements that apply to this system:", applies.len());
        for (_, r) in applies {
            let _ = writeln!(text, "    {:<34} {:<16} {}", r.id, r.reference, truncate(&r.title, 50));
        }
        if !elsewhere.is_empty() {
            let _ = writeln!(
                text,
                "  and would count for {} more that do not apply ({} risk, {})",
                elsewhere.len(),
                system.risk_category,
                system.role
            );
        }
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// What `dossier diff` is asked to do.
pub struct DiffOptions {
    /// The earlier package.
    pub old: PathBuf,
    /// The later package.
    pub new: PathBuf,
    /// Output directory.
    pub output: PathBuf,
    /// Public key OLD's signature must verify with.
    pub old_key: Option<PathBuf>,
    /// Public key NEW's signature must verify with.
    pub new_key: Option<PathBuf>,
    /// Report template directory.
    pub templates: Option<PathBuf>,
    /// Reports to write besides diff.json.
    pub formats: Vec<crate::config::ReportFormat>,
    /// Exit 1 when a requirement got worse.
    pub fail_on_regression: bool,
}

/// `dossier diff OLD NEW`: verifies both packages, compares them, writes diff.json and
/// the reports, and prints what changed.
pub fn diff(options: &DiffOptions, ui: &Ui) -> Result<ExitStatus> {
    // Templates first: a broken one should stop the run before any hashing.
    let templates = crate::report::templates::TemplateSet::load(options.templates.as_deref())?;
    let progress = ui.hashing_progress("checking");
    let mut sides = Vec::new();
    for (label, path, key) in [("OLD", &options.old, &options.old_key), ("NEW", &options.new, &options.new_key)] {
        match diff::load(path, key.as_deref(), &progress)? {
            Ok(side) => sides.push(side),
            Err(report) => {
                ui.findings(&report.problems);
                let n = report.problems.len();
                ui.summary(&format!(
                    "dossier diff: not compared: {label} package {} failed verification ({n} integrity problem{}); run `dossier verify {}` for the details\n",
                    path.display(),
                    if n == 1 { "" } else { "s" },
                    path.display()
                ));
                return Ok(ExitStatus::Integrity);
            }
        }
    }
    let (old, new) = (&sides[0], &sides[1]);
    let d = diff::compare(old, new);
    let (dir, written) = diff::write(
        &d,
        &diff::WriteOptions {
            output: &options.output,
            packages: [&options.old, &options.new],
            templates: &templates,
            formats: &options.formats,
        },
    )?;
    ui.summary(&diff_summary(&d, &dir, &written));
    Ok(if options.fail_on_regression && d.summary.regression { ExitStatus::Findings } else { ExitStatus::Ok })
}

/// The terminal summary of a diff.
fn diff_summary(d: &diff::Diff, dir: &Path, written: &[String]) -> String {
    const LISTED: usize = 10;
    let s = &d.summary;
    let mut text = String::new();
    let _ = if s.regression {
        writeln!(
            text,
            "dossier diff: {} requirement{} got worse",
            s.requirements_regressed,
            if s.requirements_regressed == 1 { "" } else { "s" }
        )
    } else {
        writeln!(text, "dossier diff: no requirement got worse")
    };
    for (label, side) in [("before", &d.old), ("now", &d.new)] {
        let version = side.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
        let _ = writeln!(
            text,
            "  {label:<10} {} ({}{version}, assessed {}, {}, {}), intact",
            side.package, side.system, side.assessed_at, side.verdict, side.signature
        );
    }
    for note in &d.notes {
        let _ = writeln!(text, "  note       {note}");
    }
    let _ = writeln!(
        text,
        "  evidence   {} added, {} removed, {} changed, {} moved, {} unchanged",
        s.artifacts_added, s.artifacts_removed, s.artifacts_changed, s.artifacts_moved, s.artifacts_unchanged
    );
    let list = |text: &mut String, lines: Vec<String>| {
        let total = lines.len();
        for line in lines.into_iter().take(LISTED) {
            let _ = writeln!(text, "    {line}");
        }
        if total > LISTED {
            let _ = writeln!(text, "    ... and {} more in diff.json", total - LISTED);
        }
    };
    let a = &d.artifacts;
    let mut lines: Vec<String> = a.changed.iter().map(|x| format!("changed  {}", x.path)).collect();
    lines.extend(a.added.iter().map(|x| format!("added    {}", x.path)));
    lines.extend(a.removed.iter().map(|x| format!("removed  {}", x.path)));
    lines.extend(a.moved.iter().map(|x| format!("moved    {} -> {}", x.from, x.to)));
    list(&mut text, lines);
    let _ = writeln!(
        text,
        "  matrix     {} regressed, {} fixed, {} otherwise changed",
        s.requirements_regressed, s.requirements_fixed, s.requirements_other
    );
    let status = |s: Option<crate::matrix::Status>| s.map_or("-", |s| s.as_str());
    let lines = d
        .frameworks
        .iter()
        .flat_map(|f| {
            f.transitions.iter().map(move |t| {
                format!("{} {}: {} -> {} ({})", f.id, t.reference, status(t.old), status(t.new), t.change.as_str())
            })
        })
        .collect();
    list(&mut text, lines);
    let _ = writeln!(text, "  measures   {} changed, {} regressed", s.measures_changed, s.measures_regressed);
    let number = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{}", (v * 10_000.0).round() / 10_000.0));
    let lines = d
        .measures
        .iter()
        .map(|m| {
            let limit = m.limit_text.as_deref().map(|l| format!(", threshold {l}")).unwrap_or_default();
            format!(
                "{} ({}): {} -> {}{limit} ({})",
                m.measure,
                m.evidence_type,
                number(m.old),
                number(m.new),
                m.verdict.as_str()
            )
        })
        .collect();
    list(&mut text, lines);
    let _ = writeln!(
        text,
        "  findings   {} new, {} resolved, {} persisting",
        s.findings_new, s.findings_resolved, s.findings_persisting
    );
    let w = &d.waivers;
    if w.expired.len() + w.added.len() + w.withdrawn.len() > 0 {
        let _ = writeln!(
            text,
            "  waivers    {} expired, {} added, {} withdrawn",
            w.expired.len(),
            w.added.len(),
            w.withdrawn.len()
        );
    }
    if d.sign_offs.added.len() + d.sign_offs.withdrawn.len() > 0 {
        let _ =
            writeln!(text, "  sign-offs  {} added, {} withdrawn", d.sign_offs.added.len(), d.sign_offs.withdrawn.len());
    }
    let notes: Vec<&diff::CatalogRow> = d.catalogs.iter().filter(|c| c.note.is_some()).collect();
    if notes.is_empty() {
        let _ = writeln!(text, "  catalogs   the same versions on both sides");
    }
    for c in notes {
        let _ = writeln!(text, "  catalogs   {}: {}", c.framework, c.note.as_deref().unwrap_or_default());
    }
    let _ = writeln!(text, "  written    {} in {}", written.join(", "), dir.display());
    text
}
