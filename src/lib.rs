//! dossier turns a directory of AI compliance evidence into a verifiable audit package.
//!
//! The pipeline is a chain of plain data: [`collect`] walks and hashes the evidence,
//! [`build`] writes the package ([`manifest`], `SHA256SUMS`) atomically through
//! [`package`], and [`verify`] re-checks a package later. Problems in the evidence are
//! [`findings`] (data); problems that stop the tool are [`error::Error`]s.

pub mod attest;
pub mod build;
pub mod bundle;
pub mod catalog;
pub mod check;
pub mod classify;
pub mod clock;
pub mod collect;
pub mod commands;
pub mod config;
pub mod decisions;
pub mod diff;
pub mod digest;
pub mod documents;
pub mod error;
pub mod findings;
pub mod inspect;
pub mod interchange;
pub mod manifest;
pub mod matrix;
pub mod package;
pub mod policy;
pub mod report;
pub mod taxonomy;
pub mod ui;
pub mod verify;
pub mod yaml;

pub use error::{Error, Result};
