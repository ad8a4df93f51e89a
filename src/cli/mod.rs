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

use std::collections::BTreeMap;
use std::path::Path;

use clap::CommandFactory;
use dossier::diag::{Error, Result};
use dossier::model::evidence::Artifact;
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
            cache,
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
                cache_dir: cache.cache_dir,
                no_cache: cache.no_cache,
                trust_store_checksums: cache.trust_store_checksums,
            };
            build::build(&request, fail_on.into(), &ui)
        }
        Command::Check { evidence_dir, config, fail_on, cache } => {
            let request = dossier::config::plan::Request {
                evidence_dir,
                config,
                cache_dir: cache.cache_dir,
                no_cache: cache.no_cache,
                trust_store_checksums: cache.trust_store_checksums,
                ..Default::default()
            };
            build::check(&request, fail_on.into(), &ui)
        }
        Command::Verify { package, evidence, key, latest } => verify::verify(package, evidence, key, latest, &ui),
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
            CatalogCommand::Crosswalks { config } => catalog::crosswalks(config.as_deref(), &ui),
            CatalogCommand::Types => catalog::types(&ui),
            CatalogCommand::Formats => catalog::formats(&ui),
        },
        Command::Explain { path, config, evidence, json } => {
            explain::explain(&path, config.as_deref(), evidence.as_deref(), json, &ui)
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

/// From how many files one finding is printed as a single line.
const GROUP_FROM: usize = 4;
/// How many of a group's paths that line names.
const GROUP_NAMES: usize = 3;

/// The finding lines for the terminal. Where several files share a finding (the same
/// code, the same reader and the same message but for its numbers), they are one line
/// with the count, the format and the first few paths; findings.json and SARIF keep
/// each. A group is printed where its first finding would have been.
fn grouped_lines<'a>(findings: impl Iterator<Item = &'a Finding>, artifacts: &[Artifact]) -> Vec<String> {
    let format_of = |path: Option<&str>| {
        let path = path?;
        let i = artifacts.binary_search_by(|a| a.path.as_str().cmp(path)).ok()?;
        artifacts[i].facts.format.as_deref()
    };
    let shape = |message: &str| message.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    let findings: Vec<&Finding> = findings.collect();
    let mut groups: Vec<(Vec<&Finding>, Option<&str>)> = Vec::new();
    let mut index: BTreeMap<(String, Option<&str>, String), usize> = BTreeMap::new();
    for f in &findings {
        let format = format_of(f.path.as_deref());
        let key = (f.code.to_string(), format, shape(&f.message));
        match index.get(&key).filter(|_| f.path.is_some()) {
            Some(&i) => groups[i].0.push(f),
            None => {
                index.insert(key, groups.len());
                groups.push((vec![f], format));
            }
        }
    }
    let mut lines = Vec::new();
    for (members, format) in groups {
        if members.len() < GROUP_FROM {
            lines.extend(members.iter().map(|f| f.to_string()));
            continue;
        }
        let first = members[0];
        let same = members.iter().all(|f| f.message == first.message);
        let what = if same { first.message.clone() } else { format!("for example {}", first.message) };
        let format = format.map(|f| format!(" ({f})")).unwrap_or_default();
        let names: Vec<&str> = members.iter().filter_map(|f| f.path.as_deref()).take(GROUP_NAMES).collect();
        lines.push(format!(
            "{}[{}] {} files{format}: {what}; {} and {} more (findings.json lists each)",
            first.severity,
            first.code,
            members.len(),
            names.join(", "),
            members.len() - names.len()
        ));
    }
    lines
}

/// `s` when `n` is not one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints findings about files and policies one per line. Requirement gaps can number in
/// the hundreds; they count for the gate but are summarised (see `gap_line`) and listed
/// in matrix.csv and matrix.json.
fn print_findings(ui: &Ui, findings: &[Finding], artifacts: &[Artifact]) {
    for line in grouped_lines(findings.iter().filter(|f| !f.is_gap()), artifacts) {
        ui.error_line(&line);
    }
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
