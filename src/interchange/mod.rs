//! Files for the systems around a package: CI test reports, code-scanning UIs, job
//! summaries. Each is rendered from the same assessment as the reports and listed in the
//! manifest's `outputs`, so the package digest covers it.

pub mod assessment;
pub mod junit;
pub mod oscal;
pub mod sarif;
pub mod summary;

use serde::{Serialize, Serializer};

/// A JSON array made item by item while it is being written, so an output that lists
/// every artifact never exists whole in memory. The closure is called once per
/// serialization and returns a fresh iterator.
pub(crate) struct Streamed<F>(pub F);

impl<F, I> Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}
