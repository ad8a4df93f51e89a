//! `dossier diff`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dossier::config::ReportFormat;
use dossier::diag::Result;
use dossier::model::diff::{CatalogRow, Diff};
use dossier::model::matrix::Status;
use dossier::pipeline::{self, Compared, DiffRequest};
use dossier::render::templates::TemplateSet;

use super::ui::{Ui, show, show_path};
use super::{ExitStatus, plural};

/// What `dossier diff` is asked to do.
pub struct Options {
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
    pub formats: Vec<ReportFormat>,
    /// Exit 1 when a requirement got worse.
    pub fail_on_regression: bool,
}

/// `dossier diff OLD NEW`: verifies both packages, compares them, writes diff.json and
/// the reports, and prints what changed.
pub fn diff(options: &Options, ui: &Ui) -> Result<ExitStatus> {
    // Templates first: a broken one should stop the run before any hashing.
    let templates = TemplateSet::load(options.templates.as_deref())?;
    dossier::render::html::engine(&templates)?;
    let progress = ui.hashing_progress("checking");
    let request = DiffRequest {
        old: &options.old,
        new: &options.new,
        output: &options.output,
        old_key: options.old_key.as_deref(),
        new_key: options.new_key.as_deref(),
        templates: &templates,
        formats: &options.formats,
    };
    match pipeline::diff(&request, &progress)? {
        Compared::Tampered(label, path, report) => {
            ui.findings(&report.problems);
            let n = report.problems.len();
            ui.summary(&format!(
                "dossier diff: not compared: {label} package {} failed verification ({n} integrity problem{}); run `dossier verify {}` for the details\n",
                show_path(&path),
                plural(n),
                show_path(&path)
            ));
            Ok(ExitStatus::Integrity)
        }
        Compared::Done(d, dir, written) => {
            ui.summary(&summary(&d, &dir, &written));
            Ok(if options.fail_on_regression && d.summary.regression { ExitStatus::Findings } else { ExitStatus::Ok })
        }
    }
}

/// The terminal summary of a diff.
fn summary(d: &Diff, dir: &Path, written: &[String]) -> String {
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
        let version = side.version.as_deref().map(|v| format!(" {}", show(v))).unwrap_or_default();
        let signature: &str = side.signature.into();
        let _ = writeln!(
            text,
            "  {label:<10} {} ({}{version}, assessed {}, {}, {signature}), intact",
            show(&side.package),
            show(&side.system),
            side.assessed_at,
            side.verdict
        );
    }
    for note in &d.notes {
        let _ = writeln!(text, "  note       {}", show(note));
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
    let mut lines: Vec<String> = a.changed.iter().map(|x| format!("changed  {}", show(&x.path))).collect();
    lines.extend(a.added.iter().map(|x| format!("added    {}", show(&x.path))));
    lines.extend(a.removed.iter().map(|x| format!("removed  {}", show(&x.path))));
    lines.extend(a.moved.iter().map(|x| format!("moved    {} -> {}", show(&x.from), show(&x.to))));
    list(&mut text, lines);
    let _ = writeln!(
        text,
        "  matrix     {} regressed, {} fixed, {} otherwise changed",
        s.requirements_regressed, s.requirements_fixed, s.requirements_other
    );
    let status = |s: Option<Status>| s.map_or("-", |s| s.as_str());
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
                show(&m.measure),
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
    if !d.infrastructure.is_empty() {
        let regressed = d.infrastructure.iter().filter(|t| t.regressed).count();
        let _ = writeln!(text, "  infra      {} rules changed, {regressed} regressed", d.infrastructure.len());
        let lines = d
            .infrastructure
            .iter()
            .map(|t| {
                let side = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
                format!(
                    "{}: {} -> {}, {} -> {} violations{}",
                    t.rule,
                    side(&t.old),
                    side(&t.new),
                    t.violations.0,
                    t.violations.1,
                    if t.regressed { " (regressed)" } else { "" }
                )
            })
            .collect();
        list(&mut text, lines);
    }
    let notes: Vec<&CatalogRow> = d.catalogs.iter().filter(|c| c.note.is_some()).collect();
    if notes.is_empty() {
        let _ = writeln!(text, "  catalogs   the same versions on both sides");
    }
    for c in notes {
        let _ = writeln!(text, "  catalogs   {}: {}", c.framework, c.note.as_deref().unwrap_or_default());
    }
    let _ = writeln!(text, "  written    {} in {}", written.join(", "), show_path(dir));
    text
}
