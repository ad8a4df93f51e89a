//! End-to-end tests of the `dossier` binary on real files.

mod book;
mod build;
mod checks;
mod collection;
mod completions;
mod diff;
mod init;
mod interchange;
mod matrix;
mod reports;
mod signing;
mod support;
mod verify;
