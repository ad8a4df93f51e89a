//! The machine outputs: the matrix for spreadsheets and tools, the findings, the whole
//! assessment, and files for the systems around a package (CI test reports,
//! code-scanning UIs, job summaries, GRC tools), plus `diff.json`. Each is rendered from
//! the same assessment as the reports.

pub mod assessment;
pub mod diff;
pub mod findings;
pub mod junit;
pub mod matrix;
pub mod oscal;
pub mod sarif;
pub mod summary;

use std::io::{self, Write};

use serde::{Serialize, Serializer};

pub use assessment::ASSESSMENT_JSON;

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

/// Writes `value` as pretty JSON with a final newline, as every JSON output is written.
pub(crate) fn pretty_json(value: &impl Serialize, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(256 * 1024, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
