//! The error type for "the tool could not do its job".
//!
//! Problems found *in the evidence* (a missing artifact, a changed hash, an unreadable
//! file) are not errors: they are [`crate::findings::Finding`]s and travel as data.
//! An [`Error`] means the run itself could not go on: a config that does not parse, an
//! evidence root that does not exist, an output path that would clobber something.

use std::io;
use std::path::{Path, PathBuf};

/// Anything that stops a command from doing its job. Every variant maps to exit code 2,
/// except [`Error::Integrity`], which maps to 3.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file is malformed or invalid.
    #[error("{}", config_message(.file, *.line, *.column, .key.as_deref(), .message))]
    Config {
        /// The config file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Dotted key path (`system.risk_category`), when known.
        key: Option<String>,
        /// What is wrong, in words a person can act on.
        message: String,
    },
    /// An I/O operation the run depends on failed.
    #[error("could not {action} {}: {source}", .path.display())]
    Io {
        /// What we were doing, as a verb phrase ("read", "create directory").
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The user asked for something that cannot be done as asked.
    #[error("{0}")]
    Input(String),
    /// A package the command depends on does not match its manifest (exit code 3).
    #[error("{0}")]
    Integrity(String),
}

impl Error {
    /// Builds an [`Error::Io`] from a path and the action that failed on it.
    pub fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io { action, path: path.as_ref().to_path_buf(), source }
    }

    /// Builds an [`Error::Input`] from a message.
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input(message.into())
    }
}

fn config_message(file: &Path, line: Option<usize>, column: Option<usize>, key: Option<&str>, message: &str) -> String {
    let mut out = file.display().to_string();
    if let Some(line) = line {
        out.push_str(&format!(":{line}"));
        if let Some(column) = column {
            out.push_str(&format!(":{column}"));
        }
    }
    out.push_str(": ");
    if let Some(key) = key {
        out.push_str(&format!("{key}: "));
    }
    out.push_str(message);
    out
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_error_names_file_line_and_key() {
        let err = Error::Config {
            file: "dossier.yaml".into(),
            line: Some(4),
            column: Some(3),
            key: Some("system.risk_category".into()),
            message: "unknown variant `hgh`".into(),
        };
        assert_eq!(err.to_string(), "dossier.yaml:4:3: system.risk_category: unknown variant `hgh`");
    }

    #[test]
    fn io_error_names_action_and_path() {
        let err = Error::io("read", "x/y.json", io::Error::from(io::ErrorKind::NotFound));
        assert!(err.to_string().starts_with("could not read x/y.json: "));
    }
}
