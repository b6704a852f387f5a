//! Standard output. Every byte the CLI prints on stdout goes through [`print_with`], which
//! reports every failure (exit status 2 and an `error:` line), so that output lost on the way
//! never looks like success:
//!
//! * a full device, an I/O error, or a reader that closed the pipe (`EPIPE`; e.g. `| head`);
//! * a **closed** stdout (`ntk … >&-`). The Rust runtime re-opens a closed descriptor 1 on
//!   `/dev/null` before `main` runs, and `std::io::stdout()` silently discards output when the
//!   descriptor is invalid (`EBADF`); neither is visible to the program afterwards. On Linux a
//!   constructor ([`probe_stdout`], run from `.init_array` before the runtime starts) records
//!   whether descriptor 1 was open, and [`print_with`] writes to a duplicate of descriptor 1, for
//!   which errors are reported as they are.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Failure;

/// Set before `main` if descriptor 1 was closed when the process started.
static CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Records whether descriptor 1 is open: `/proc/self/fd/1` exists iff it is (checked only where
/// `/proc/self/fd` itself is available).
#[cfg(target_os = "linux")]
extern "C" fn probe_stdout() {
    let proc_fd = std::fs::symlink_metadata("/proc/self/fd").is_ok();
    if proc_fd && std::fs::symlink_metadata("/proc/self/fd/1").is_err() {
        CLOSED_AT_START.store(true, Ordering::Relaxed);
    }
}

/// Runs [`probe_stdout`] before the Rust runtime sanitizes the standard descriptors.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static PROBE_STDOUT: extern "C" fn() = probe_stdout;

/// The error of a failed write to stdout.
fn failure(e: &io::Error) -> Failure {
    let why = match e.kind() {
        io::ErrorKind::BrokenPipe => "the reader closed the pipe, output is incomplete".to_owned(),
        _ => e.to_string(),
    };
    Failure::Usage(format!("cannot write stdout: {why}"))
}

/// An error if stdout was closed when the process started (checked before a command computes
/// output that would be lost).
pub fn ensure_open() -> Result<(), Failure> {
    if CLOSED_AT_START.load(Ordering::Relaxed) {
        return Err(Failure::Usage(
            "cannot write stdout: standard output is closed".into(),
        ));
    }
    Ok(())
}

/// Writes to stdout through `body` (buffered), then flushes. Any failure, including a closed
/// stdout, is an error.
pub fn print_with(body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    ensure_open()?;
    let fd = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| failure(&e))?;
    let mut w = BufWriter::with_capacity(1 << 16, File::from(fd));
    body(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| failure(&e))
}

/// Writes `bytes` to stdout.
pub fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    print_with(|w| w.write_all(bytes))
}
