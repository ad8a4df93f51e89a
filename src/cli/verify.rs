//! `dossier verify`.

use std::fmt::Write as _;
use std::path::PathBuf;

use dossier::diag::Result;
use dossier::seal::verify::{self, Signature, VerifyOptions};
use dossier::text::human_bytes;

use super::ui::{Ui, show_path};
use super::{ExitStatus, plural};

/// `dossier verify PACKAGE`: re-checks a package and its evidence.
pub fn verify(
    package: PathBuf,
    evidence: Option<PathBuf>,
    key: Option<PathBuf>,
    latest: bool,
    ui: &Ui,
) -> Result<ExitStatus> {
    let progress = ui.hashing_progress("checking");
    let report = verify::verify(&VerifyOptions {
        package: package.clone(),
        evidence,
        key,
        progress: &progress,
        package_only: false,
        keep: &[],
        latest,
    })?;
    ui.findings(&report.problems);
    let mut text = String::new();
    if !report.is_intact() {
        let n = report.problems.len();
        let _ = writeln!(text, "dossier verify: FAILED, {n} integrity problem{} in {}", plural(n), show_path(&package));
        ui.summary(&text);
        return Ok(ExitStatus::Integrity);
    }
    let manifest = report.manifest.as_ref().expect("an intact package has a manifest");
    let _ = writeln!(text, "dossier verify: OK, {} is intact", show_path(&package));
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
        let _ = writeln!(text, "  evidence   {}", show_path(root));
    }
    for store in &manifest.evidence.stores {
        let _ = writeln!(
            text,
            "  store      {}: {} pinned object version{} read again{}",
            store.url,
            store.objects,
            plural(store.objects as usize),
            if latest { "; listed again for later writes" } else { "" }
        );
    }
    let _ = match &report.signature {
        Signature::Verified(fp) => writeln!(text, "  signature  valid, signed by {fp}"),
        Signature::NotChecked(id) => {
            writeln!(text, "  signature  present (key {id}) but not checked: pass --key PUB to check it")
        }
        Signature::Unsigned | Signature::Failed => writeln!(text, "  signature  none (the package is unsigned)"),
    };
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}
