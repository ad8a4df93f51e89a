//! `dossier render`.

use std::fmt::Write as _;
use std::path::Path;

use dossier::diag::Result;
use dossier::pipeline;
use dossier::render::templates::TemplateSet;

use super::ui::{Ui, show_path};
use super::{ExitStatus, plural};

/// `dossier render PACKAGE`: the package's reports laid out again from the package alone.
pub fn render(package: &Path, output: &Path, templates: Option<&Path>, model: bool, ui: &Ui) -> Result<ExitStatus> {
    let templates = TemplateSet::load(templates)?;
    let progress = ui.hashing_progress("checking");
    match pipeline::render_package(package, output, &templates, model, &progress)? {
        Ok(rendered) => {
            let mut text = String::new();
            let _ = writeln!(text, "dossier render: reports of {} written", show_path(package));
            let _ = writeln!(text, "  written    {} in {}", rendered.files.join(", "), show_path(&rendered.dir));
            ui.summary(&text);
            Ok(ExitStatus::Ok)
        }
        Err(report) => {
            ui.findings(&report.problems);
            let n = report.problems.len();
            ui.summary(&format!(
                "dossier render: not rendered: {} failed verification ({n} integrity problem{}); run `dossier verify {}` for the details\n",
                show_path(package),
                plural(n),
                show_path(package)
            ));
            Ok(ExitStatus::Integrity)
        }
    }
}
