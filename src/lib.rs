//! dossier turns a directory of AI compliance evidence into a verifiable audit package.
//!
//! The library is the pipeline, stage by stage, each a folder that returns plain data
//! the next one reads (the command line in `src/cli` only parses, prints and picks the
//! exit code):
//!
//! ```text
//! config::plan ─▶ collect ─▶ assess ─▶ compare? ─▶ render ─▶ seal
//!  (validated)    (walk,      (checks,   (diff with   (outputs   (manifest,
//!                  hash,       policies,  a previous   from one   attestation,
//!                  classify,   matrix,    package)     context)   bundle, verify)
//!                  read)       measures)
//! ```
//!
//! - [`model`]: the one typed model every stage hands on (artifacts with what they
//!   say, the assessment, the diff); `assessment.json` and `diff.json` are it serialized.
//! - [`config`]: `dossier.yaml`, and the [`config::plan`] that checks a run up front.
//! - [`catalog`]: framework catalogs and the evidence-type taxonomy.
//! - [`collect`]: walking, hashing, classifying, and reading files from the hashed bytes.
//! - [`assess`]: the only place evidence is interpreted and every rule computed.
//! - [`compare`]: two assessments compared, for `dossier diff` and `build --previous`.
//! - [`render`]: every output file, from one render context.
//! - [`seal`]: the package on disk: staging, manifest, attestation, bundle, verification.
//! - [`pipeline`]: the stages in order, per command.
//! - [`diag`]: errors, and problems located by file, line and key.
//!
//! Problems found in the evidence are findings (data); problems that stop the tool are
//! [`Error`]s.

pub mod assess;
pub mod catalog;
pub mod clock;
pub mod collect;
pub mod compare;
pub mod config;
pub mod diag;
pub mod digest;
pub mod markdown;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod seal;
pub mod text;

pub use diag::{Error, Result};
