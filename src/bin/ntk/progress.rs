//! Progress on stderr for work that can take more than a second: a spinner with the elapsed
//! time, or a bar over the rows of a Gram matrix. Both are drawn only when stderr is a terminal
//! (indicatif hides them otherwise), so pipes, files and the tests see no progress output.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The draw target: stderr when it is a terminal, else nothing.
fn target() -> ProgressDrawTarget {
    if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// A spinner shown after a short delay until dropped (then cleared).
pub struct Spinner(ProgressBar);

impl Spinner {
    /// Starts a spinner labelled `what` (e.g. "computing the spectrum").
    pub fn start(what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, target());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(bar)
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A bar over `total` rows, cleared when dropped.
pub struct RowBar(ProgressBar);

impl RowBar {
    /// A bar for `total` rows of a matrix.
    pub fn new(total: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total as u64), target());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({elapsed}, eta {eta})")
        {
            bar.set_style(style);
        }
        Self(bar)
    }

    /// Advances by `rows`.
    pub fn advance(&self, rows: usize) {
        self.0.inc(rows as u64);
    }
}

impl Drop for RowBar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A bar over `total` units (steps, runs) that appears only after a second (short runs
/// draw nothing) and only on a terminal; cleared when dropped.
pub struct StepBar {
    bar: ProgressBar,
    start: std::time::Instant,
    shown: std::cell::Cell<bool>,
}

impl StepBar {
    /// A bar for `total` units named `unit`.
    pub fn new(total: usize, unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {unit} ({{elapsed}}, eta {{eta}})"
        )) {
            bar.set_style(style);
        }
        Self {
            bar,
            start: std::time::Instant::now(),
            shown: std::cell::Cell::new(false),
        }
    }

    /// Sets the number of units done.
    pub fn set(&self, done: usize) {
        self.bar.set_position(done as u64);
        if !self.shown.get() && self.start.elapsed() > Duration::from_secs(1) {
            self.shown.set(true);
            self.bar.set_draw_target(target());
        }
    }
}

impl Drop for StepBar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under `cargo test` stderr is captured (not a terminal): nothing is drawn.
    #[test]
    fn hidden_without_a_terminal() {
        if std::io::stderr().is_terminal() {
            return;
        }
        assert!(target().is_hidden());
        let bar = RowBar::new(10);
        bar.advance(3);
        assert!(bar.0.is_hidden());
        let s = Spinner::start("x");
        assert!(s.0.is_hidden());
    }
}
