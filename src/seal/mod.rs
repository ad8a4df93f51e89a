//! Sealing: the package on disk and everything that vouches for it.
//!
//! A package is written through a [`staging`] directory swapped into place in one step;
//! its [`manifest`] lists every evidence file and package file with its digest and is
//! sealed by its own digest; [`attest`] adds the in-toto statement and, with a key, the
//! DSSE signature; [`bundle`] packs it into one deterministic `.tar.gz`; [`verify`]
//! checks all of it again, later and anywhere.

pub mod attest;
pub mod bundle;
pub mod manifest;
pub mod staging;
pub mod verify;
