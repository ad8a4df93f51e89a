//! Everything dossier prints: progress on stderr (only when it is a terminal), findings
//! and errors on stderr, summaries on stdout. Library code writes through [`Ui`] only.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::collect::Progress;
use crate::findings::Finding;

/// The terminal front end for one command.
pub struct Ui {
    quiet: bool,
    bars: bool,
}

impl Ui {
    /// A front end; `quiet` silences progress and summaries (findings and errors still print).
    pub fn new(quiet: bool) -> Self {
        Ui { quiet, bars: !quiet && io::stderr().is_terminal() }
    }

    /// A progress sink for hashing, drawn on stderr when it is a terminal.
    pub fn hashing_progress(&self, label: &'static str) -> TerminalProgress {
        let bar = if self.bars {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>8} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}")
                    .expect("progress template is valid")
                    .progress_chars("=> "),
            );
            bar.set_prefix(label);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        TerminalProgress { bar }
    }

    /// Prints summary text to stdout, unless quiet. A closed pipe is not an error.
    pub fn summary(&self, text: &str) {
        if !self.quiet {
            let mut out = io::stdout().lock();
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
        }
    }

    /// Prints one finding per line to stderr.
    pub fn findings<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) {
        let mut err = io::stderr().lock();
        for f in findings {
            let _ = writeln!(err, "{f}");
        }
    }

    /// Prints a line to stderr as it is.
    pub fn error_line(&self, line: &str) {
        let _ = writeln!(io::stderr().lock(), "{line}");
    }

    /// Prints an error line to stderr.
    pub fn error(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "error: {message}");
    }
}

/// Progress for hashing, backed by an indicatif bar (hidden when not a terminal).
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl Progress for TerminalProgress {
    fn wants_sizes(&self) -> bool {
        !self.bar.is_hidden()
    }

    fn start_hashing(&self, files: u64, bytes: Option<u64>) {
        self.bar.set_length(bytes.unwrap_or(0));
        self.bar.set_message(format!("{files} files"));
    }

    fn hashed_bytes(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Formats a byte count for people: `1.5 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
