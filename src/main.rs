//! The `dossier` binary: parse the command line, run the command, map the outcome to an
//! exit code. The commands and everything printed live in [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: a build holds a few small strings per evidence file (paths, types, reasons),
/// and a million files are common. Its small size classes and per-thread free lists
/// keep them tighter and quicker to free than the system allocator does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let status = cli::run(cli::args::Cli::parse());
    ExitCode::from(status as u8)
}
