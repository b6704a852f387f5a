//! Reliability of the `ntk` binary's input and output: no data loss on failed writes (atomic
//! replacement of output files), every failed write to stdout reported (exit status 2, one
//! `error:` line), bounded memory and input, and readable messages.
//!
//! Some tests run the binary under `sh` to close stdout (`>&-`) or to make writes fail
//! (`ulimit -f` with `SIGXFSZ` ignored, so that `write` returns `EFBIG`).
#![cfg(all(feature = "cli", unix))]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ntk_sphere::kernel::gram;
use ntk_sphere::{Architecture, KernelKind, Points, ResNet};

const BIN: &str = env!("CARGO_BIN_EXE_ntk");

/// A fresh empty directory in Cargo's per-test temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("rel-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `ntk args` under `sh -c`, with `prefix` (shell commands) before and `redirect` after.
fn ntk_sh(prefix: &str, args: &[&str], redirect: &str) -> Output {
    let script = format!("{prefix} exec \"$0\" \"$@\" {redirect}");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .args(args)
        .output()
        .expect("sh runs")
}

fn ntk(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("ntk runs")
}

/// Exit status 2, exactly one stderr line `error: …` containing every needle; the line.
fn assert_error(out: &Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line: {stderr:?}");
    assert!(lines[0].starts_with("error: "), "{stderr:?}");
    for n in needles {
        assert!(lines[0].contains(n), "{:?} lacks {n:?}", lines[0]);
    }
    lines[0].to_owned()
}

/// The names in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `n` points in R^2 on a spiral (norms between 0.5 and 2), as CSV text.
fn spiral_csv(n: usize) -> String {
    (0..n)
        .map(|i| {
            let t = i as f64 * 0.37;
            let r = 0.5 + 1.5 * (i as f64 / n as f64);
            format!("{},{}\n", r * t.cos(), r * t.sin())
        })
        .collect()
}

const GRAM: [&str; 7] = ["gram", "--arch", "resnet", "--depth", "3", "--alpha", "0.5"];

// ---------------------------------------------------------------------------------------------
// stdout

/// `ntk … >&-`: the runtime would silently discard the output; it is an error instead.
#[test]
fn closed_stdout_is_an_error() {
    let dir = temp_dir("closed");
    let x = dir.join("x.csv");
    std::fs::write(&x, spiral_csv(5)).unwrap();
    let commands: [&[&str]; 4] = [
        &[
            "kernel", "--arch", "mlp", "--depth", "2", "--dim", "3", "--u", "0.5",
        ],
        &["gram", "--arch", "mlp", "--depth", "2", "--input", s(&x)],
        &["decay", "--arch", "mlp", "--depth", "2", "--dim", "3"],
        &["--version"],
    ];
    for args in commands {
        let out = ntk_sh("", args, ">&-");
        assert_error(&out, &["cannot write stdout", "closed"]);
    }
    // refused before any work: no figures written
    let figs = dir.join("figs");
    let out = ntk_sh("", &["figures", "--out", s(&figs)], ">&-");
    assert_error(&out, &["standard output is closed"]);
    assert!(!figs.exists());
    // `gram --output` does not use stdout
    let k = dir.join("K.npy");
    let out = ntk_sh(
        "",
        &[
            "gram",
            "--arch",
            "mlp",
            "--depth",
            "2",
            "--input",
            s(&x),
            "--output",
            s(&k),
        ],
        ">&-",
    );
    assert!(out.status.success(), "{out:?}");
    assert!(k.exists());
}

/// A reader that went away (`EPIPE`) is reported: the output is incomplete.
#[test]
fn closed_pipe_is_an_error() {
    let mut child = Command::new(BIN)
        .args(["spectrum", "--arch", "mlp", "--depth", "3", "--dim", "3"])
        .args(["--kmax", "200"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the read end is closed before the child writes anything
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{stderr:?}");
    assert!(
        stderr.starts_with("error: cannot write stdout: the reader closed the pipe"),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn full_stdout_is_an_error() {
    let out = ntk_sh(
        "",
        &[
            "kernel", "--arch", "mlp", "--depth", "2", "--dim", "3", "--u", "0.5",
        ],
        ">/dev/full",
    );
    assert_error(&out, &["cannot write stdout", "No space left on device"]);
}

/// Output to /dev/null opened for reading and writing (as Python's `subprocess.DEVNULL`) is a
/// valid stdout, not a closed one.
#[test]
fn read_write_dev_null_is_fine() {
    let out = ntk_sh(
        "",
        &[
            "kernel", "--arch", "mlp", "--depth", "2", "--dim", "3", "--u", "0.5",
        ],
        "1<>/dev/null",
    );
    assert!(out.status.success(), "{:?}", out);
}

// ---------------------------------------------------------------------------------------------
// atomic output files

/// Writes fail half-way (`ulimit -f`: files above one block cannot grow): the old file is
/// intact and no temporary file is left, for .npy and .csv.
#[test]
fn failed_gram_write_keeps_the_old_file() {
    for ext in ["npy", "csv"] {
        let dir = temp_dir("fsize");
        let x = dir.join("x.csv");
        std::fs::write(&x, spiral_csv(40)).unwrap();
        let target = dir.join(format!("K.{ext}"));
        std::fs::write(&target, "old contents\n").unwrap();
        let args = [&GRAM[..], &["--input", s(&x), "--output", s(&target)]].concat();
        let out = ntk_sh("trap '' XFSZ; ulimit -f 1;", &args, "");
        assert_error(&out, &["cannot write", s(&target)]);
        assert_eq!(std::fs::read(&target).unwrap(), b"old contents\n", "{ext}");
        assert_eq!(entries(&dir), [format!("K.{ext}"), "x.csv".into()]);
        // the same command without the limit succeeds and replaces the file
        let out = ntk(&args);
        assert!(out.status.success(), "{out:?}");
        assert!(std::fs::metadata(&target).unwrap().len() > 40 * 40 * 8);
        assert_eq!(entries(&dir), [format!("K.{ext}"), "x.csv".into()]);
    }
}

/// The rename cannot replace a directory: error, the directory intact, no temporary left.
#[test]
fn gram_output_onto_a_directory() {
    let dir = temp_dir("ontodir");
    let x = dir.join("x.csv");
    std::fs::write(&x, spiral_csv(4)).unwrap();
    let target = dir.join("K.npy");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "x").unwrap();
    let args = [&GRAM[..], &["--input", s(&x), "--output", s(&target)]].concat();
    assert_error(&ntk(&args), &[s(&target)]);
    assert_eq!(entries(&dir), ["K.npy", "x.csv"]);
    assert_eq!(entries(&target), ["keep"]);
}

/// A kernel value that does not fit in f64 in the second block of rows: the first block has
/// been written to the temporary file, which is removed; the old file stays.
#[test]
fn computation_error_after_the_first_block_keeps_the_old_file() {
    let dir = temp_dir("midway");
    let mut xs = spiral_csv(299);
    xs.push_str("1e300,1e300\n");
    let x = dir.join("x.csv");
    std::fs::write(&x, xs).unwrap();
    let y = dir.join("y.csv");
    std::fs::write(&y, "1e10,0\n0,1e10\n").unwrap();
    let target = dir.join("K.csv");
    std::fs::write(&target, "old\n").unwrap();
    let args = [
        &GRAM[..],
        &["--input", s(&x), "--input2", s(&y), "--output", s(&target)],
    ]
    .concat();
    assert_error(&ntk(&args), &["does not fit in f64"]);
    assert_eq!(std::fs::read(&target).unwrap(), b"old\n");
    assert_eq!(entries(&dir), ["K.csv", "x.csv", "y.csv"]);
}

#[test]
fn figures_need_a_directory_name() {
    let cwd = temp_dir("empty-out");
    let o = Command::new(BIN)
        .args(["figures", "--out", ""])
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert_error(&o, &["--out needs a directory name"]);
    assert!(entries(&cwd).is_empty());
}

/// Figures are rendered first and written atomically: failed writes leave the old files and
/// no temporary file.
#[test]
fn failed_figure_writes_keep_the_old_files() {
    let dir = temp_dir("figures");
    std::fs::write(dir.join("kernel_shapes.svg"), "old").unwrap();
    let out = ntk_sh(
        "trap '' XFSZ; ulimit -f 1;",
        &["figures", "--out", s(&dir)],
        "",
    );
    assert_eq!(
        std::fs::read(dir.join("kernel_shapes.svg")).unwrap(),
        b"old"
    );
    assert_eq!(entries(&dir), ["kernel_shapes.svg"]);
    assert_error(
        &out,
        &["cannot write", "kernel_shapes.svg", "File too large"],
    );
}

// ---------------------------------------------------------------------------------------------
// bounded memory and input

/// 100 000 points: the 10^10-entry matrix is refused before anything is allocated, with the
/// memory it needs.
#[test]
fn huge_gram_on_stdout_is_refused_up_front() {
    let dir = temp_dir("huge");
    let x = dir.join("x.csv");
    std::fs::write(&x, spiral_csv(100_000)).unwrap();
    let start = Instant::now();
    let out = ntk(&["gram", "--arch", "mlp", "--depth", "2", "--input", s(&x)]);
    assert_error(
        &out,
        &[
            "100000 x 100000 Gram matrix needs 74.5 GiB",
            "limit of 16 GiB",
            "--output",
        ],
    );
    assert!(out.stdout.is_empty());
    assert!(start.elapsed() < Duration::from_secs(20));
}

/// Endless or binary input fails at once, in bounded memory (the limit of 1 GiB of virtual
/// memory would make an unbounded read abort).
#[test]
fn endless_input_fails_fast() {
    let start = Instant::now();
    let out = ntk_sh(
        "ulimit -v 1048576;",
        &[
            "gram",
            "--arch",
            "mlp",
            "--depth",
            "2",
            "--input",
            "/dev/zero",
        ],
        "",
    );
    assert_error(&out, &["/dev/zero:1: NUL byte", "not a text file"]);
    assert!(start.elapsed() < Duration::from_secs(20));
}

/// Streamed `--output` over several blocks of rows: K(X, X) exactly symmetric and equal to the
/// library's in-memory matrix within its accuracy.
#[test]
fn streamed_npy_matches_the_library() {
    let dir = temp_dir("stream");
    let text = spiral_csv(600);
    let x = dir.join("x.csv");
    std::fs::write(&x, &text).unwrap();
    let target = dir.join("K.npy");
    let args = [&GRAM[..], &["--input", s(&x), "--output", s(&target)]].concat();
    let out = ntk(&args);
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(&target).unwrap();
    let header_len = 10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let k: Vec<f64> = bytes[header_len..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let n = 600;
    assert_eq!(k.len(), n * n);
    let rows: Vec<Vec<f64>> = text
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let arch: Architecture = ResNet::new(3, 0.5, 1.0, 1.0).unwrap().into();
    let lib = gram(
        &arch,
        KernelKind::Ntk,
        &Points::from_rows(&rows).unwrap(),
        None,
    )
    .unwrap();
    for i in 0..n {
        for j in 0..n {
            assert_eq!(k[i * n + j].to_bits(), k[j * n + i].to_bits());
            let scale = (lib.get(i, i) * lib.get(j, j)).sqrt();
            assert!((k[i * n + j] - lib.get(i, j)).abs() <= 1e-13 * scale);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// messages

/// A bad field is echoed with at most 60 characters, control characters escaped.
#[test]
fn bad_fields_are_cut_and_escaped() {
    let dir = temp_dir("fields");
    let long = dir.join("long.csv");
    std::fs::write(&long, format!("1,2\n3,{}\n", "7x".repeat(5000))).unwrap();
    let g = ["gram", "--arch", "mlp", "--depth", "2", "--input"];
    let line = assert_error(
        &ntk(&[&g[..], &[s(&long)]].concat()),
        &[":2: column 2: \"7x7x", "…\" is not a decimal number"],
    );
    assert!(line.len() < 150 + s(&long).len(), "{line}");
    let esc = dir.join("esc.csv");
    std::fs::write(&esc, "1,2\n3,\u{1b}[2J\n").unwrap();
    assert_error(
        &ntk(&[&g[..], &[s(&esc)]].concat()),
        &[":2: column 2: \"\\u{001B}[2J\" is not a decimal number"],
    );
}

/// Numbers in messages: scientific notation instead of hundreds of digits.
#[test]
fn huge_numbers_in_messages_are_short() {
    let line = assert_error(
        &ntk(&["compare", "--depth", "5", "--alpha", "-1e300"]),
        &["--alpha -1e300 is invalid"],
    );
    assert!(line.len() < 80, "{line}");
}

/// A path with a newline stays on the one error line, escaped.
#[test]
fn paths_in_messages_are_escaped() {
    let dir = temp_dir("paths");
    let bad = dir.join("a\nb.csv");
    assert_error(
        &ntk(&["gram", "--arch", "mlp", "--depth", "2", "--input", s(&bad)]),
        &["a\\nb.csv"],
    );
}
