//! `dossier init`, `dossier init --templates` and `dossier keygen`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dossier::diag::Result;

use super::ExitStatus;
use super::ui::{Ui, show_path};

/// `dossier init [DIR]`: writes a commented starter `dossier.yaml`.
pub fn config(dir: &Path, force: bool, ui: &Ui) -> Result<ExitStatus> {
    let file = dossier::config::write_starter(dir, force)?;
    ui.summary(&format!("wrote {}\nnext: edit it, then run `dossier build {}`\n", show_path(&file), show_path(dir)));
    Ok(ExitStatus::Ok)
}

/// `dossier init --templates DIR`: writes the built-in report templates for editing.
pub fn templates(dir: &Path, ui: &Ui) -> Result<ExitStatus> {
    let written = dossier::render::templates::write_builtins(dir)?;
    let mut text = String::new();
    for file in &written {
        let _ = writeln!(text, "wrote {}", show_path(file));
    }
    let _ = writeln!(
        text,
        "next: edit them, then set `report: {{templates: {}}}` in dossier.yaml or pass `--templates {}` to build",
        show_path(dir),
        show_path(dir)
    );
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier keygen PREFIX`: writes an Ed25519 key pair and prints its fingerprint.
pub fn keygen(prefix: &Path, ui: &Ui) -> Result<ExitStatus> {
    let private = PathBuf::from(format!("{}.key", prefix.display()));
    let public = PathBuf::from(format!("{}.pub", prefix.display()));
    let fingerprint = dossier::seal::attest::keygen(&private, &public)?;
    ui.summary(&format!(
        "wrote {} (private: keep it secret) and {} (public: give it to whoever verifies)
  fingerprint {fingerprint}
next: dossier build --sign {} ...; dossier verify PACKAGE --key {}\n",
        show_path(&private),
        show_path(&public),
        show_path(&private),
        show_path(&public)
    ));
    Ok(ExitStatus::Ok)
}
