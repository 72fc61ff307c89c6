//! Progress on stderr for the steps that can take more than a second or two: reading a large
//! file, the analyses and plots of a report.
//!
//! Off in the library unless a front end turns it on with [`enable`] (the CLI does, unless
//! `--quiet`); even then indicatif draws nothing when stderr is not a terminal, so pipes, CI
//! logs and tests see no progress output. Progress never goes to stdout and never changes a
//! result.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static ENABLED: AtomicBool = AtomicBool::new(false);
/// One indicator at a time: a step started while another shows stays hidden (the outer one,
/// e.g. the report's bar, already tells the user that work goes on).
static SHOWING: AtomicBool = AtomicBool::new(false);

/// Files at least this large get a spinner while they are read (about a second of parsing).
pub const LARGE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Turn progress on or off for this process.
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Is progress on (and would it be drawn: stderr is a terminal)?
pub fn active() -> bool {
    ENABLED.load(Ordering::Relaxed) && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// A progress indicator; cleared from the terminal when dropped.
pub struct Step(Option<ProgressBar>);

impl Step {
    /// A step that shows nothing.
    pub fn hidden() -> Step {
        Step(None)
    }
    /// Advance a bar by one and show what comes next.
    pub fn next(&self, message: impl Into<String>) {
        if let Some(b) = &self.0 {
            b.inc(1);
            b.set_message(message.into());
        }
    }
    /// Change the message.
    pub fn message(&self, message: impl Into<String>) {
        if let Some(b) = &self.0 {
            b.set_message(message.into());
        }
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
            SHOWING.store(false, Ordering::Release);
        }
    }
}

/// Claim the terminal for a new indicator; false when one already shows.
fn claim() -> bool {
    active() && SHOWING.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok()
}

/// A spinner with the elapsed time, e.g. "reading adae.csv (661 MB)".
pub fn spinner(message: impl Into<String>) -> Step {
    if !claim() {
        return Step::hidden();
    }
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    b.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    b.set_message(message.into());
    b.enable_steady_tick(Duration::from_millis(120));
    Step(Some(b))
}

/// A bar over `len` steps, e.g. the analyses and plots of a report.
pub fn bar(len: u64, message: impl Into<String>) -> Step {
    if len == 0 || !claim() {
        return Step::hidden();
    }
    let b = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    b.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_bar()));
    b.set_message(message.into());
    b.enable_steady_tick(Duration::from_millis(200));
    Step(Some(b))
}

/// A spinner while a file of at least [`LARGE_FILE_BYTES`] is read; nothing for smaller files.
pub fn reading(path: &std::path::Path, name: &str) -> Step {
    if !active() {
        return Step::hidden();
    }
    match std::fs::metadata(path) {
        Ok(m) if m.len() >= LARGE_FILE_BYTES => spinner(format!("reading {name} ({} MB)", m.len() / 1_000_000)),
        _ => Step::hidden(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
        // Under `cargo test` stderr is captured or piped, as in CI logs.
        enable(true);
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            assert!(spinner("x").0.is_none());
            assert!(bar(3, "x").0.is_none());
        }
        enable(false);
        assert!(!active());
        assert!(spinner("x").0.is_none());
        assert!(bar(3, "x").0.is_none());
    }
}
