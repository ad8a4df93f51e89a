//! Files for the systems around a package: CI test reports, code-scanning UIs, job
//! summaries. Each is rendered from the same assessment as the reports and listed in the
//! manifest's `outputs`, so the package digest covers it.

pub mod assessment;
pub mod junit;
pub mod oscal;
pub mod sarif;
pub mod summary;
