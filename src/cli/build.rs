//! `dossier build` and `dossier check`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use dossier::config::plan::{Plan, Request};
use dossier::diag::Result;
use dossier::model::assessment::Assessment;
use dossier::model::finding::{Counts, FailOn, Finding, Severity};
use dossier::pipeline;
use dossier::text::human_bytes;

use super::ui::{Ui, show, show_path};
use super::{ExitStatus, plural, print_findings};

/// `dossier build`: collects the evidence and writes the package.
pub fn build(request: &Request, fail_on: FailOn, ui: &Ui) -> Result<ExitStatus> {
    let started = Instant::now();
    let progress = ui.hashing_progress("hashing");
    let plan = Plan::new(request, &progress)?;
    let root = plan.walk_root.then(|| plan.root.clone());
    let config_file = plan.config.file.clone();
    let built = pipeline::build(plan, &progress)?;
    let elapsed = started.elapsed();
    for note in &built.notes {
        ui.note(note);
    }
    print_findings(ui, &built.findings, built.assessment.as_ref().map_or(&[], |a| a.artifacts.as_slice()));

    let m = &built.manifest;
    let mut text = String::new();
    let _ = writeln!(text, "dossier build: package written");
    if let Some(root) = &root {
        let _ = writeln!(text, "  evidence   {}", show_path(root));
    }
    store_lines(&mut text, &m.evidence.stores);
    config_line(&mut text, config_file.as_deref());
    let _ = writeln!(
        text,
        "  artifacts  {} ({}); {} symbolic links, {} skipped, {} ignored",
        m.artifacts.len(),
        human_bytes(m.evidence.total_bytes),
        m.symlinks.len(),
        m.skipped.len(),
        built.ignored
    );
    if let Some(hits) = built.from_cache {
        let _ = writeln!(
            text,
            "  cache      {hits} of {} files from the digest cache (unchanged since the last build)",
            m.artifacts.len()
        );
    }
    findings_line(&mut text, &built.findings);
    match &built.assessment {
        Some(a) => {
            coverage_lines(&mut text, a);
            gap_line(&mut text, &built.findings, "see matrix.csv");
            let (evidence, classified) = a.classified();
            let _ = writeln!(
                text,
                "  classified {classified} of {evidence} evidence files ({} unclassified; see `dossier explain`)",
                evidence - classified
            );
        }
        None => {
            let _ = writeln!(text, "  matrix     not assessed (--manifest-only)");
        }
    }
    if !m.reports.is_empty() {
        let names: Vec<&str> = m.reports.iter().map(|r| r.path.as_str()).collect();
        let _ = writeln!(text, "  reports    {}", names.join(", "));
    }
    let public: Vec<&str> =
        m.outputs.iter().map(|o| o.path.as_str()).filter(|p| p.starts_with("bias-audit-summary.")).collect();
    if !public.is_empty() {
        let _ = writeln!(text, "  ll144      {} (the bias-audit summary to publish)", public.join(", "));
    }
    if let Some(c) = &built.changes {
        let s = &c.summary;
        let _ = writeln!(
            text,
            "  previous   {}: {} requirement{} got worse, {} fixed; {} evidence files changed, {} added, {} removed",
            show(&c.old.package),
            s.requirements_regressed,
            plural(s.requirements_regressed),
            s.requirements_fixed,
            s.artifacts_changed,
            s.artifacts_added,
            s.artifacts_removed
        );
    }
    let _ = writeln!(text, "  digest     {}", m.package_digest);
    let _ = writeln!(text, "  time       {:.2} s", elapsed.as_secs_f64());
    let _ = writeln!(text, "  package    {}", show_path(&built.package));
    if let Some(bundle) = &built.bundle {
        let _ = writeln!(text, "  bundle     {}", show_path(bundle));
    }
    ui.summary(&text);
    Ok(if fail_on.is_tripped_by(&built.findings) { ExitStatus::Findings } else { ExitStatus::Ok })
}

/// `dossier check`: collection and assessment without writing a package, for a fast gate.
pub fn check(request: &Request, fail_on: FailOn, ui: &Ui) -> Result<ExitStatus> {
    let started = Instant::now();
    let progress = ui.hashing_progress("checking");
    let plan = Plan::new(request, &progress)?;
    let checked = pipeline::check(&plan, &progress)?;
    for note in &checked.notes {
        ui.note(note);
    }
    let a = &checked.assessment;
    print_findings(ui, &a.findings, &a.artifacts);
    let mut text = String::new();
    let mut places: Vec<String> = plan.sources.iter().map(|s| s.url.to_string()).collect();
    if plan.walk_root {
        places.insert(0, show_path(&plan.root));
    }
    let _ = writeln!(text, "dossier check: {} artifacts in {}", checked.artifacts, places.join(" and "));
    config_line(&mut text, plan.config.file.as_deref());
    findings_line(&mut text, &a.findings);
    coverage_lines(&mut text, a);
    gap_line(&mut text, &a.findings, "`dossier build` lists them in matrix.csv");
    let tripped = fail_on.is_tripped_by(&a.findings);
    let _ = writeln!(text, "  gate       {} (--fail-on {fail_on})", if tripped { "FAIL" } else { "pass" });
    let _ = writeln!(text, "  time       {:.2} s", started.elapsed().as_secs_f64());
    ui.summary(&text);
    Ok(if tripped { ExitStatus::Findings } else { ExitStatus::Ok })
}

fn config_line(text: &mut String, file: Option<&Path>) {
    let _ = writeln!(text, "  config     {}", file.map_or("(defaults)".into(), show_path));
}

fn findings_line(text: &mut String, findings: &[Finding]) {
    let c = Counts::of(findings);
    let count = |n: usize, word: &str| format!("{n} {word}{}", plural(n));
    let _ = writeln!(
        text,
        "  findings   {}, {}, {}",
        count(c.errors, "error"),
        count(c.warnings, "warning"),
        count(c.notes, "note")
    );
}

/// One summary line for the requirement gaps, by severity.
fn gap_line(text: &mut String, findings: &[Finding], listed_in: &str) {
    let gaps: Vec<&Finding> = findings.iter().filter(|f| f.is_gap()).collect();
    if !gaps.is_empty() {
        let errors = gaps.iter().filter(|f| f.severity == Severity::Error).count();
        let _ = writeln!(
            text,
            "  gaps       {} requirement{} not satisfied ({errors} in binding frameworks); {listed_in}",
            gaps.len(),
            plural(gaps.len())
        );
    }
}

fn coverage_lines(text: &mut String, a: &Assessment) {
    for f in &a.frameworks {
        let c = &f.coverage;
        let _ = writeln!(
            text,
            "  coverage   {:<26} {:>3}/{:<3} satisfied ({:>3}%), {} waived, {} failed, {} partial, {} stale, {} missing; {} not applicable",
            f.id,
            c.satisfied,
            c.applicable,
            c.percent,
            c.waived,
            c.failed,
            c.partial,
            c.stale,
            c.missing,
            c.not_applicable
        );
        if c.not_yet_applicable > 0 {
            text.pop();
            let _ = writeln!(text, ", {} apply later", c.not_yet_applicable);
        }
    }
}

/// One line per object-store root: what was read, and how.
fn store_lines(text: &mut String, stores: &[dossier::model::evidence::StoreInfo]) {
    for store in stores {
        let at = if store.path.is_empty() { String::new() } else { format!(" (as {}/)", store.path) };
        let trusted = if store.store_checksums > 0 {
            format!(", {} at the store's SHA-256", store.store_checksums)
        } else {
            String::new()
        };
        let lock = match (store.versioning.as_deref(), store.object_lock) {
            (Some(v), Some(true)) => format!("; versioning {v}, Object Lock on"),
            (Some(v), _) => format!("; versioning {v}, no Object Lock"),
            _ => String::new(),
        };
        let _ = writeln!(
            text,
            "  store      {}{at}: {} object{}, {} downloaded{trusted}{lock}",
            store.url,
            store.objects,
            plural(store.objects as usize),
            store.downloaded
        );
    }
}
