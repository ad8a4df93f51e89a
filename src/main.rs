//! The `dossier` binary: parse the command line, run the command, map the outcome to an
//! exit code. The commands and everything printed live in [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let status = cli::run(cli::args::Cli::parse());
    ExitCode::from(status as u8)
}
