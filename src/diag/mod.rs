//! Errors: what stops a command from doing its job, with enough context to act on.
//!
//! Problems found *in the evidence* (a missing artifact, a changed hash, an unreadable
//! file) are not errors: they are findings and travel as data. An [`Error`] means the run
//! itself could not go on. What the user gave (config, catalogs, rules, policies,
//! templates, keys) is checked before anything is read or written, and every problem
//! found then is reported together, each located by file, line and key ([`Problems`]).

pub mod yaml;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Anything that stops a command. Every variant maps to exit code 2, except
/// [`Error::Integrity`], which maps to 3.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the user gave is invalid: every problem found, located.
    #[error("{0}")]
    Invalid(Problems),
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
    /// The evidence root cannot be collected as asked.
    #[error("evidence root {} {reason}", .path.display())]
    EvidenceRoot {
        /// The root as given.
        path: PathBuf,
        /// What is wrong, with what to do, as it reads after the path ("does not exist; ...").
        reason: String,
    },
    /// Output would go somewhere it must not (into the evidence, over a stranger's files).
    #[error("output {} {reason}", .path.display())]
    Output {
        /// The output path as given.
        path: PathBuf,
        /// Why it is refused, with what to do, as it reads after the path ("is a file; ...").
        reason: String,
    },
    /// A file dossier would create is already there, and dossier does not overwrite it.
    #[error("{} already exists; {advice}", .path.display())]
    Exists {
        /// The file.
        path: PathBuf,
        /// What to do instead.
        advice: &'static str,
    },
    /// A path that should be a dossier package (or bundle) cannot be read as one.
    #[error("{}: {reason}", .path.display())]
    Package {
        /// The package as given.
        path: PathBuf,
        /// What is wrong, with what to do.
        reason: String,
    },
    /// A report could not be rendered from its templates.
    #[error("{0}")]
    Render(String),
    /// A signing key could not be made or used.
    #[error("{}: {reason}", .path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong, with what to do.
        reason: String,
    },
    /// An environment variable has a value dossier cannot use.
    #[error("{name}: {reason}")]
    Environment {
        /// The variable.
        name: &'static str,
        /// What is wrong, with what to do.
        reason: String,
    },
    /// An object store named as evidence could not be opened, listed or read.
    #[error("{0}")]
    Store(String),
    /// A package, or evidence being packaged, does not match its digests (exit code 3).
    #[error("{0}")]
    Integrity(String),
}

impl Error {
    /// Builds an [`Error::Io`] from a path and the action that failed on it.
    pub fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io { action, path: path.as_ref().to_path_buf(), source }
    }

    /// One located problem as an error.
    pub fn invalid(problem: Problem) -> Self {
        Error::Invalid(Problems(vec![problem]))
    }

    /// A problem with the command line or settings that no file holds.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::invalid(Problem::new(message))
    }

    /// A refused output path.
    pub fn output(path: impl AsRef<Path>, reason: impl Into<String>) -> Self {
        Error::Output { path: path.as_ref().to_path_buf(), reason: reason.into() }
    }

    /// A path that is not a readable package.
    pub fn package(path: impl AsRef<Path>, reason: impl Into<String>) -> Self {
        Error::Package { path: path.as_ref().to_path_buf(), reason: reason.into() }
    }

    /// A key that cannot be used.
    pub fn key(path: impl AsRef<Path>, reason: impl Into<String>) -> Self {
        Error::Key { path: path.as_ref().to_path_buf(), reason: reason.into() }
    }

    /// Whether the error is an integrity failure (exit code 3).
    pub fn is_integrity(&self) -> bool {
        matches!(self, Error::Integrity(_))
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One thing wrong with what the user gave, and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file, when the problem is in one.
    pub file: Option<PathBuf>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Dotted key path (`system.risk_category`), when known.
    pub key: Option<String>,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl Problem {
    /// A problem with no location (a command-line option, a combination of settings).
    pub fn new(message: impl Into<String>) -> Self {
        Problem { file: None, line: None, column: None, key: None, message: message.into() }
    }

    /// A problem in `file`.
    pub fn in_file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Problem { file: Some(file.as_ref().to_path_buf()), ..Problem::new(message) }
    }

    /// The same problem at `line` (and `column`).
    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// The same problem under `key`.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            f.write_str(": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found while checking what the user gave, in file and line order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Adds a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Adds the problems of an error, or returns the error when it is not about what the
    /// user gave (an I/O failure, an integrity failure).
    pub fn absorb(&mut self, error: Error) -> Result<()> {
        match error {
            Error::Invalid(more) => {
                self.0.extend(more.0);
                Ok(())
            }
            other => Err(other),
        }
    }

    /// Keeps the value of `result`, or absorbs its error (see [`Problems::absorb`]).
    pub fn take<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(e) => self.absorb(e).map(|()| None),
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was found, else every problem as one error.
    pub fn into_result(mut self) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        self.0.dedup();
        Err(Error::Invalid(self))
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}"),
            all => {
                write!(f, "{} problems:", all.len())?;
                for p in all {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_file_line_and_key() {
        let p =
            Problem::in_file("dossier.yaml", "unknown variant `hgh`").at(Some(4), Some(3)).key("system.risk_category");
        assert_eq!(p.to_string(), "dossier.yaml:4:3: system.risk_category: unknown variant `hgh`");
    }

    #[test]
    fn problems_are_reported_together_in_file_order() {
        let mut all = Problems::default();
        all.push(Problem::in_file("b.yaml", "second").at(Some(2), None));
        all.push(Problem::in_file("a.yaml", "first").at(Some(9), None));
        let err = all.into_result().unwrap_err().to_string();
        assert_eq!(err, "2 problems:\n  a.yaml:9: first\n  b.yaml:2: second");
    }

    #[test]
    fn io_error_names_action_and_path() {
        let err = Error::io("read", "x/y.json", io::Error::from(io::ErrorKind::NotFound));
        assert!(err.to_string().starts_with("could not read x/y.json: "));
    }
}
