//! The `dossier` binary: parse the command line, run the command, map the outcome to an
//! exit code. Everything else lives in the library.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use dossier::build::BuildOptions;
use dossier::commands::{self, ExitStatus};
use dossier::ui::Ui;

use cli::{CatalogCommand, Cli, Command, ReportsArg};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui::new(cli.quiet);
    let outcome = match cli.command {
        Command::Init { templates: Some(dir), .. } => commands::init_templates(&dir, &ui),
        Command::Init { dir, force, templates: None } => commands::init(&dir, force, &ui),
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
            let options = BuildOptions {
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
            commands::build(&options, fail_on.into(), &ui)
        }
        Command::Check { evidence_dir, config, fail_on } => {
            let options = BuildOptions {
                evidence_dir,
                config,
                output: None,
                include_evidence: false,
                manifest_only: false,
                templates: None,
                sign: None,
                bundle: false,
                previous: None,
                previous_key: None,
            };
            commands::check(&options, fail_on.into(), &ui)
        }
        Command::Verify { package, evidence, key } => commands::verify(package, evidence, key, &ui),
        Command::Keygen { prefix } => commands::keygen(&prefix, &ui),
        Command::Diff { old, new, output, key, old_key, new_key, templates, reports, fail_on_regression } => {
            let formats = if reports.contains(&ReportsArg::None) {
                Vec::new()
            } else {
                reports.iter().filter_map(|r| r.format()).collect()
            };
            commands::diff(
                &commands::DiffOptions {
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
            CatalogCommand::List { config } => commands::catalog_list(config.as_deref(), &ui),
            CatalogCommand::Show { id, requirement, config } => {
                commands::catalog_show(config.as_deref(), &id, requirement.as_deref(), &ui)
            }
            CatalogCommand::Types => commands::catalog_types(&ui),
        },
        Command::Explain { path, config, evidence } => {
            commands::explain(&path, config.as_deref(), evidence.as_deref(), &ui)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dossier", &mut script);
            commands::write_stdout(&script)
        }
    };
    let status = outcome.unwrap_or_else(|err| {
        ui.error(&err.to_string());
        ExitStatus::from(&err)
    });
    ExitCode::from(status as u8)
}
