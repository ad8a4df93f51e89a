//! The commands behind the CLI: run a stage, print what it found, decide the exit status.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::{self, BuildOptions};
use crate::config::{self, CONFIG_FILE_NAME};
use crate::error::{Error, Result};
use crate::findings::{FailOn, Severity};
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
    fn from(_: &Error) -> Self {
        ExitStatus::Error
    }
}

/// `dossier init [DIR]`: writes a commented starter `dossier.yaml`.
pub fn init(dir: &Path, force: bool, ui: &Ui) -> Result<ExitStatus> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let file = dir.join(CONFIG_FILE_NAME);
    if file.exists() && !force {
        return Err(Error::input(format!(
            "{} already exists; pass --force to overwrite it",
            file.display()
        )));
    }
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    std::fs::write(&file, config::starter_for(&name)).map_err(|e| Error::io("write", &file, e))?;
    ui.summary(&format!(
        "wrote {}\nnext: edit it, then run `dossier build {}`\n",
        file.display(),
        dir.display()
    ));
    Ok(ExitStatus::Ok)
}

/// `dossier build`: collects the evidence and writes the package.
pub fn build(options: &BuildOptions, fail_on: FailOn, ui: &Ui) -> Result<ExitStatus> {
    let started = Instant::now();
    let progress = ui.hashing_progress("hashing");
    let report = build::build(options, &progress)?;
    let elapsed = started.elapsed();
    ui.findings(&report.findings);

    let m = &report.manifest;
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let mut text = String::new();
    let _ = writeln!(text, "dossier build: package written");
    let _ = writeln!(text, "  evidence   {}", report.evidence_root.display());
    let _ = writeln!(
        text,
        "  config     {}",
        report
            .config_file
            .as_deref()
            .map_or("(defaults)".into(), |p| p.display().to_string())
    );
    let _ = writeln!(
        text,
        "  artifacts  {} ({}); {} symbolic links, {} skipped, {} ignored",
        m.artifacts.len(),
        human_bytes(m.evidence.total_bytes),
        m.symlinks.len(),
        m.skipped.len(),
        report.ignored
    );
    let _ = writeln!(
        text,
        "  findings   {} errors, {} warnings, {} notes",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    );
    let _ = writeln!(text, "  digest     {}", m.package_digest);
    let _ = writeln!(text, "  time       {:.2} s", elapsed.as_secs_f64());
    let _ = writeln!(text, "  package    {}", report.package.display());
    ui.summary(&text);

    Ok(if fail_on.is_tripped_by(&report.findings) {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}

/// `dossier verify PACKAGE`: re-checks a package and its evidence.
pub fn verify(package: PathBuf, evidence: Option<PathBuf>, ui: &Ui) -> Result<ExitStatus> {
    let progress = ui.hashing_progress("checking");
    let report = verify::verify(&VerifyOptions {
        package: package.clone(),
        evidence,
        progress: &progress,
    })?;
    ui.findings(&report.problems);
    let mut text = String::new();
    if report.is_intact() {
        let manifest = report
            .manifest
            .as_ref()
            .expect("an intact package has a manifest");
        let _ = writeln!(text, "dossier verify: OK, {} is intact", package.display());
        let _ = writeln!(
            text,
            "  artifacts  {} match their recorded sha256 ({})",
            manifest.artifacts.len(),
            human_bytes(manifest.evidence.total_bytes)
        );
        let _ = writeln!(
            text,
            "  outputs    {} package files match",
            manifest.outputs.len()
        );
        let _ = writeln!(text, "  digest     {}", manifest.package_digest);
        if let Some(root) = &report.evidence_root {
            let _ = writeln!(text, "  evidence   {}", root.display());
        }
        let _ = writeln!(text, "  signature  none (the package is unsigned)");
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
