//! End-to-end tests of the `dossier` binary on real files.

mod book;
mod build;
mod checks;
mod collection;
mod compat;
mod completions;
mod diff;
mod init;
mod interchange;
mod matrix;
mod reports;
mod signing;
mod snapshots;
mod support;
mod verify;
