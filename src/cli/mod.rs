//! The command line: parse, resolve, run a pipeline, print what it found, decide the
//! exit status. Everything dossier prints is printed here, through [`ui`].

pub mod args;
mod build;
mod catalog;
mod diff;
mod explain;
mod init;
mod render;
pub mod ui;
mod verify;

use std::path::Path;

use clap::CommandFactory;
use dossier::diag::{Error, Result};
use dossier::model::finding::{Code, Finding, Severity};

use args::{CatalogCommand, Cli, Command, ReportsArg};
use ui::Ui;

/// Documented process exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the job was done and nothing crossed the `--fail-on` threshold.
    Ok = 0,
    /// 1: the job was done, but there are findings at or above the `--fail-on` threshold.
    Findings = 1,
    /// 2: usage, configuration or input error; the job could not be done.
    Error = 2,
    /// 3: integrity failure: a package or its evidence does not match its digests.
    Integrity = 3,
}

impl From<&Error> for ExitStatus {
    fn from(error: &Error) -> Self {
        if error.is_integrity() { ExitStatus::Integrity } else { ExitStatus::Error }
    }
}

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> ExitStatus {
    let ui = Ui::new(cli.quiet);
    let outcome = match cli.command {
        Command::Init { templates: Some(dir), .. } => init::templates(&dir, &ui),
        Command::Init { dir, force, templates: None } => init::config(&dir, force, &ui),
        Command::Build {
            evidence_dir,
            config,
            output,
            include_evidence,
            manifest_only,
            templates,
            sign,
            bundle,
            previous,
            previous_key,
            fail_on,
        } => {
            let request = dossier::config::plan::Request {
                evidence_dir,
                config,
                output: Some(output),
                include_evidence,
                manifest_only,
                templates,
                sign,
                bundle,
                previous,
                previous_key,
            };
            build::build(&request, fail_on.into(), &ui)
        }
        Command::Check { evidence_dir, config, fail_on } => {
            let request = dossier::config::plan::Request { evidence_dir, config, ..Default::default() };
            build::check(&request, fail_on.into(), &ui)
        }
        Command::Verify { package, evidence, key } => verify::verify(package, evidence, key, &ui),
        Command::Render { package, output, templates, model } => {
            render::render(&package, &output, templates.as_deref(), model, &ui)
        }
        Command::Keygen { prefix } => init::keygen(&prefix, &ui),
        Command::Diff { old, new, output, key, old_key, new_key, templates, reports, fail_on_regression } => {
            let formats = if reports.contains(&ReportsArg::None) {
                Vec::new()
            } else {
                reports.iter().filter_map(|r| r.format()).collect()
            };
            diff::diff(
                &diff::Options {
                    old,
                    new,
                    output,
                    old_key: old_key.or_else(|| key.clone()),
                    new_key: new_key.or(key),
                    templates,
                    formats,
                    fail_on_regression,
                },
                &ui,
            )
        }
        Command::Catalog { command } => match command {
            CatalogCommand::List { config } => catalog::list(config.as_deref(), &ui),
            CatalogCommand::Show { id, requirement, config } => {
                catalog::show(config.as_deref(), &id, requirement.as_deref(), &ui)
            }
            CatalogCommand::Types => catalog::types(&ui),
        },
        Command::Explain { path, config, evidence } => {
            explain::explain(&path, config.as_deref(), evidence.as_deref(), &ui)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dossier", &mut script);
            write_stdout(&script)
        }
    };
    outcome.unwrap_or_else(|err| {
        ui.error(&err.to_string());
        ExitStatus::from(&err)
    })
}

/// Writes `bytes` to standard output whatever `--quiet` says (it is the command's
/// product, not a summary). A reader that stops early (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    match std::io::Write::write_all(&mut out, bytes).and_then(|()| std::io::Write::flush(&mut out)) {
        Ok(()) => Ok(ExitStatus::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Ok),
        Err(e) => Err(Error::io("write to", Path::new("standard output"), e)),
    }
}

/// `s` when `n` is not one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints findings about files and policies one per line. Requirement gaps can number in
/// the hundreds; they count for the gate but are summarised (see `gap_line`) and listed
/// in matrix.csv and matrix.json.
fn print_findings(ui: &Ui, findings: &[Finding]) {
    ui.findings(findings.iter().filter(|f| !f.is_gap()));
    // Gaps that fail the gate get one line on stderr, so even --quiet says why it failed.
    let blocking: Vec<&Finding> = findings.iter().filter(|f| f.is_gap() && f.severity == Severity::Error).collect();
    if !blocking.is_empty() {
        let ids: Vec<&str> = blocking.iter().flat_map(|f| f.requirements.iter().map(String::as_str)).take(5).collect();
        let more = if blocking.len() > ids.len() {
            format!(" and {} more", blocking.len() - ids.len())
        } else {
            String::new()
        };
        ui.error_line(&format!(
            "error[{}] {} requirement{} of binding frameworks {} no evidence: {}{more}",
            Code::RequirementMissing,
            blocking.len(),
            plural(blocking.len()),
            if blocking.len() == 1 { "has" } else { "have" },
            ids.join(", ")
        ));
    }
}
