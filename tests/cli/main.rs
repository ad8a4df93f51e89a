//! End-to-end tests of the `dossier` binary on real files.

mod architecture;
mod book;
mod build;
mod cache;
mod checks;
mod collection;
mod compat;
mod completions;
mod diff;
mod formats;
mod genai;
mod infra;
mod init;
mod interchange;
mod law;
mod matrix;
mod model;
mod render;
mod reports;
mod signing;
mod snapshots;
mod store;
mod support;
mod terminal;
mod verify;
