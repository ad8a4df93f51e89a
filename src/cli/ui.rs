//! The terminal: the one writer of everything dossier prints. Progress goes to stderr
//! (only when it is a terminal), findings and errors to stderr, summaries to stdout.
//!
//! Untrusted text (file names, evidence text, messages quoting it) is shown with its
//! control characters escaped, so a file name cannot set the terminal's title, move the
//! cursor or split one line into two that imitate the summary.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dossier::collect::Progress;
use dossier::model::finding::Finding;
use dossier::text;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
        TerminalProgress { bar, label, state: Mutex::new(PhaseState::default()) }
    }

    /// Prints summary text to stdout, unless quiet. Control characters other than line
    /// breaks are shown escaped; values that come from the evidence are escaped to one
    /// line where they are put in (see [`show`]). A closed pipe is not an error.
    pub fn summary(&self, text: &str) {
        if !self.quiet {
            let mut out = io::stdout().lock();
            let _ = out.write_all(text::multi_line(text).as_bytes()).and_then(|_| out.flush());
        }
    }

    /// Prints one finding per line to stderr, each kept to its one line.
    pub fn findings<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) {
        let mut err = io::stderr().lock();
        for f in findings {
            let _ = writeln!(err, "{}", text::one_line(&f.to_string()));
        }
    }

    /// Prints a note to stderr (`note: ...`, escaped to one line), unless quiet.
    pub fn note(&self, line: &str) {
        if !self.quiet {
            self.error_line(&format!("note: {line}"));
        }
    }

    /// Prints a line to stderr, escaped to one line.
    pub fn error_line(&self, line: &str) {
        let _ = writeln!(io::stderr().lock(), "{}", text::one_line(line));
    }

    /// Prints an error to stderr: `error: ` and the message, each of its lines escaped.
    pub fn error(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "error: {}", text::multi_line(message));
    }
}

/// A value from the evidence or the user, shown on one line.
pub fn show(value: &str) -> std::borrow::Cow<'_, str> {
    text::one_line(value)
}

/// A path, shown on one line.
pub fn show_path(path: &std::path::Path) -> String {
    text::one_line(&path.display().to_string()).into_owned()
}

/// Progress through a run, on stderr when it is a terminal (hidden otherwise): a bar for
/// hashing, then one spinner per later phase; each phase leaves a line saying how long it
/// took.
pub struct TerminalProgress {
    bar: ProgressBar,
    label: &'static str,
    state: Mutex<PhaseState>,
}

#[derive(Default)]
struct PhaseState {
    files: u64,
    cached: u64,
    hashing_started: Option<Instant>,
    current: Option<(ProgressBar, &'static str, Instant)>,
}

impl TerminalProgress {
    fn end_phase(&self, state: &mut PhaseState) {
        if let Some((spinner, name, started)) = state.current.take() {
            spinner.finish_and_clear();
            let _ = writeln!(io::stderr().lock(), "{name:>10} done in {}", seconds(started.elapsed()));
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

impl Progress for TerminalProgress {
    fn wants_sizes(&self) -> bool {
        !self.bar.is_hidden()
    }

    fn start_hashing(&self, files: u64, bytes: Option<u64>) {
        let mut state = self.state.lock().expect("progress state");
        state.files = files;
        state.hashing_started = Some(Instant::now());
        self.bar.set_length(bytes.unwrap_or(0));
        self.bar.set_message(format!("{files} files"));
    }

    fn hashed_bytes(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn cache_hits(&self, files: u64) {
        let mut state = self.state.lock().expect("progress state");
        // Two workers may report out of order; the count only grows.
        state.cached = state.cached.max(files);
        self.bar.set_message(format!("{} files, {} digests from the cache", state.files, state.cached));
    }

    fn finish(&self) {
        let state = self.state.lock().expect("progress state");
        self.bar.finish_and_clear();
        if let (false, Some(started)) = (self.bar.is_hidden(), state.hashing_started) {
            let cached = if state.cached > 0 { format!(" ({} from the cache)", state.cached) } else { String::new() };
            let line = format!("{:>10} {} files{cached} in {}", self.label, state.files, seconds(started.elapsed()));
            let _ = writeln!(io::stderr().lock(), "{line}");
        }
    }

    fn phase(&self, name: &'static str) {
        if self.bar.is_hidden() {
            return;
        }
        let mut state = self.state.lock().expect("progress state");
        self.end_phase(&mut state);
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        spinner.set_style(
            ProgressStyle::with_template("{prefix:>10} {spinner} {elapsed} {msg}").expect("progress template is valid"),
        );
        spinner.set_prefix(name);
        spinner.enable_steady_tick(Duration::from_millis(120));
        state.current = Some((spinner, name, Instant::now()));
    }

    fn done(&self) {
        let mut state = self.state.lock().expect("progress state");
        self.end_phase(&mut state);
    }

    fn objects(&self, met: u64, read: u64) {
        let state = self.state.lock().expect("progress state");
        if let Some((spinner, ..)) = &state.current {
            spinner.set_message(format!("{met} objects met, {read} read"));
        }
    }
}
