//! End-to-end tests of the `ntk` binary (docs/design.md §4): JSON shapes and values against the
//! library, the `.npy`/`.csv` outputs, CSV input, the default report, and the error contract
//! (exit status 2, exactly one stderr line `error: …` naming the bad value, never a panic).
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use ntk_sphere::kernel::gram;
use ntk_sphere::{Architecture, KernelKind, Mlp, Points, ResNet, SphereKernel};
use proptest::prelude::*;
use serde_json::Value;

/// Relative tolerance for numbers that went through JSON text: serde_json prints the shortest
/// round-trip representation, and its default parser is correct to within a few ulps.
const JSON_REL_TOL: f64 = 1e-15;

const BIN: &str = env!("CARGO_BIN_EXE_ntk");

fn ntk(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the ntk binary runs")
}

/// Runs a command that must succeed and print one JSON document.
fn ntk_json(args: &[&str]) -> Value {
    let out = ntk(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Asserts the error contract and returns the message line.
fn assert_usage_error(args: &[&str]) -> String {
    let out = ntk(args);
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr:?}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}: stdout not empty");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one line: {stderr:?}");
    assert!(lines[0].starts_with("error: "), "{args:?}: {stderr:?}");
    lines[0].to_owned()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= JSON_REL_TOL * a.abs().max(b.abs()) || a == b
}

fn assert_all_close(found: &[f64], expected: &[f64]) {
    assert_eq!(found.len(), expected.len());
    for (f, e) in found.iter().zip(expected) {
        assert!(close(*f, *e), "{f} vs {e}");
    }
}

/// A fresh path in Cargo's per-test temporary directory.
fn temp_path(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-{}-{n}-{name}", std::process::id()))
}

fn write_temp(name: &str, contents: &str) -> String {
    let p = temp_path(name);
    std::fs::write(&p, contents).unwrap();
    p.to_str().unwrap().to_owned()
}

/// The architectures the value tests run on, with their command-line options.
fn architectures() -> Vec<(Vec<&'static str>, Architecture)> {
    vec![
        (
            vec!["--arch", "mlp", "--depth", "5"],
            Mlp::new(5, 1.0).unwrap().into(),
        ),
        (
            vec![
                "--arch",
                "mlp",
                "--depth",
                "3",
                "--sigma-w2",
                "2",
                "--sigma-b2",
                "0.5",
            ],
            Mlp::with_bias(3, 2.0, 0.5).unwrap().into(),
        ),
        (
            vec!["--arch", "resnet", "--depth", "5", "--alpha", "0.1"],
            ResNet::new(5, 0.1, 1.0, 1.0).unwrap().into(),
        ),
        (
            vec![
                "--arch",
                "resnet",
                "--depth",
                "4",
                "--sigma-w2",
                "1.5",
                "--sigma-v2",
                "0.5",
            ],
            ResNet::new(4, 1.0, 1.5, 0.5).unwrap().into(),
        ),
    ]
}

#[test]
fn kernel_at_inner_products_matches_library() {
    let us = [-1.0, -0.5, 0.0, 0.3, 0.999, 1.0];
    let u_arg = "-1,-0.5,0,0.3,0.999,1";
    for (opts, arch) in architectures() {
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            for normalize in [false, true] {
                let kind_name = if kind == KernelKind::Ntk {
                    "ntk"
                } else {
                    "nngp"
                };
                let mut args = vec!["kernel"];
                args.extend(&opts);
                args.extend(["--kind", kind_name, "--dim", "3", "--u", u_arg]);
                if normalize {
                    args.push("--normalize");
                }
                let v = ntk_json(&args);
                let obj = v.as_object().unwrap();
                assert_eq!(obj.len(), 3, "keys u, theta, value");
                let k = SphereKernel::new(arch.clone(), kind, 3).unwrap();
                let expected: Vec<f64> = us
                    .iter()
                    .map(|&u| {
                        if normalize {
                            k.normalized(u).unwrap()
                        } else {
                            k.eval(u).unwrap()
                        }
                    })
                    .collect();
                assert_all_close(&numbers(&v["value"]), &expected);
                assert_all_close(&numbers(&v["u"]), &us);
                let thetas: Vec<f64> = us.iter().map(|u| u.acos()).collect();
                assert_all_close(&numbers(&v["theta"]), &thetas);
            }
        }
    }
}

#[test]
fn kernel_at_angles_matches_library() {
    let thetas = [
        0.0,
        1e-9,
        0.5,
        std::f64::consts::FRAC_PI_2,
        3.0,
        std::f64::consts::PI,
    ];
    let arg = thetas.map(|t| t.to_string()).join(",");
    for (opts, arch) in architectures() {
        for normalize in [false, true] {
            let mut args = vec!["kernel"];
            args.extend(&opts);
            args.extend(["--dim", "2", "--theta", &arg]);
            if normalize {
                args.push("--normalize");
            }
            let v = ntk_json(&args);
            let k = SphereKernel::new(arch.clone(), KernelKind::Ntk, 2).unwrap();
            let expected: Vec<f64> = thetas
                .iter()
                .map(|&t| {
                    if normalize {
                        k.normalized_angle(t).unwrap()
                    } else {
                        k.eval_angle(t).unwrap()
                    }
                })
                .collect();
            assert_all_close(&numbers(&v["value"]), &expected);
            assert_all_close(&numbers(&v["theta"]), &thetas);
            assert_all_close(&numbers(&v["u"]), &thetas.map(f64::cos));
        }
    }
}

/// $d\\,\Theta_{\rm MLP}(x, x) = (L+1)/2^L$ for unit $x$ ($\sigma_w^2 = 1$, no bias): each layer
/// halves $\Sigma$ and $\dot\Sigma = 1/2$ on the diagonal (Arora et al. 2019 recursion).
#[test]
fn mlp_ntk_diagonal_from_the_cli() {
    for depth in 0..=8u32 {
        for dim in [1usize, 2, 7] {
            let v = ntk_json(&[
                "kernel",
                "--arch",
                "mlp",
                "--depth",
                &depth.to_string(),
                "--dim",
                &dim.to_string(),
                "--u",
                "1",
            ]);
            let value = numbers(&v["value"])[0];
            let expected = f64::from(depth + 1) / 2f64.powi(depth as i32);
            assert!(
                close(dim as f64 * value, expected),
                "L = {depth}, d = {dim}: {value}"
            );
        }
    }
}

/// The ResNet diagonal $d\\,\Theta(x,x) = 2(1+a)^L + 2aL(1+a)^{L-1}$ (docs/literature.md §1.2).
#[test]
fn resnet_ntk_diagonal_from_the_cli() {
    for (depth, alpha) in [(5, 0.1), (5, 1.0), (2, 0.7)] {
        let v = ntk_json(&[
            "kernel",
            "--arch",
            "resnet",
            "--depth",
            &depth.to_string(),
            "--alpha",
            &alpha.to_string(),
            "--dim",
            "4",
            "--theta",
            "0",
        ]);
        let a: f64 = alpha * alpha / 2.0;
        let expected =
            2.0 * (1.0 + a).powi(depth) + 2.0 * a * f64::from(depth) * (1.0 + a).powi(depth - 1);
        assert!((4.0 * numbers(&v["value"])[0] - expected).abs() < 1e-13 * expected);
    }
}

const X_CSV: &str = "# three points of R^2 (comments and blank lines are ignored)\n\
                     1, 0\n\
                     \n  0.6 ,0.8   # a unit vector\n\
                     0,-2\n";
const Y_CSV: &str = "0.5,0.5\n-1,0\n";

fn x_points() -> Points {
    Points::from_rows(&[[1.0, 0.0], [0.6, 0.8], [0.0, -2.0]]).unwrap()
}

fn y_points() -> Points {
    Points::from_rows(&[[0.5, 0.5], [-1.0, 0.0]]).unwrap()
}

fn json_matrix(v: &Value) -> (Vec<u64>, Vec<f64>) {
    let shape = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    let data = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(numbers)
        .collect();
    (shape, data)
}

#[test]
fn gram_json_matches_library() {
    let x = write_temp("x.csv", X_CSV);
    let y = write_temp("y.csv", Y_CSV);
    for (opts, arch) in architectures() {
        let mut args = vec!["gram"];
        args.extend(&opts);
        args.extend(["--input", &x]);
        let v = ntk_json(&args);
        assert_eq!(v.as_object().unwrap().len(), 2);
        let (shape, data) = json_matrix(&v);
        assert_eq!(shape, [3, 3]);
        let k = gram(&arch, KernelKind::Ntk, &x_points(), None).unwrap();
        assert_all_close(&data, &k.data);

        args.extend(["--input2", &y, "--kind", "nngp"]);
        let (shape, data) = json_matrix(&ntk_json(&args));
        assert_eq!(shape, [3, 2]);
        let k = gram(&arch, KernelKind::Nngp, &x_points(), Some(&y_points())).unwrap();
        assert_all_close(&data, &k.data);
    }
}

/// The `.npy` file: exact header bytes (format 1.0, 64-byte aligned) and a bit-exact
/// little-endian payload equal to the library's Gram matrix.
#[test]
fn gram_npy_header_and_payload() {
    let x = write_temp("x.csv", X_CSV);
    let y = write_temp("y.csv", Y_CSV);
    let out = temp_path("K.npy");
    let out_s = out.to_str().unwrap();
    let o = ntk(&[
        "gram", "--arch", "resnet", "--depth", "5", "--alpha", "0.1", "--input", &x, "--input2",
        &y, "--output", out_s,
    ]);
    assert!(o.status.success() && o.stdout.is_empty() && o.stderr.is_empty());
    let bytes = std::fs::read(&out).unwrap();
    let dict = b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    assert_eq!(&bytes[6..8], &[1, 0]);
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0);
    assert_eq!(&bytes[10..10 + dict.len()], dict);
    assert!(
        bytes[10 + dict.len()..9 + header_len]
            .iter()
            .all(|&b| b == b' ')
    );
    assert_eq!(bytes[9 + header_len], b'\n');
    let payload: Vec<f64> = bytes[10 + header_len..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let arch: Architecture = ResNet::new(5, 0.1, 1.0, 1.0).unwrap().into();
    let k = gram(&arch, KernelKind::Ntk, &x_points(), Some(&y_points())).unwrap();
    assert_eq!(bytes.len(), 10 + header_len + 8 * 6);
    assert_eq!(payload, k.data);
}

#[test]
fn gram_csv_output_round_trips() {
    let x = write_temp("x.csv", X_CSV);
    let out = temp_path("K.CSV");
    let o = ntk(&[
        "gram",
        "--arch",
        "mlp",
        "--depth",
        "2",
        "--input",
        &x,
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let arch: Architecture = Mlp::new(2, 1.0).unwrap().into();
    let k = gram(&arch, KernelKind::Ntk, &x_points(), None).unwrap();
    assert_eq!(rows.len(), 3);
    // Rust's parser is exact, so the shortest round-trip text gives back the same bits.
    assert_eq!(rows.concat(), k.data);
}

/// The default report (`cargo run --release`): the slopes at θ = 0⁺ against the closed forms of
/// docs/literature.md §1.4 (MLP: $-L/(2\pi)$; ResNet: $-c_+/\sqrt2$ with
/// $c_+ = (\sqrt2/\pi)\\,aL[b(L-1)+2]/(2(1+a)+2aL)$, $a = \alpha^2/2$, $b = a/(1+a)$), the
/// normalized values of the notes' table, and the paper's ordering of the interpolants.
#[test]
fn default_report() {
    let out = ntk(&[]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    let text = String::from_utf8(out.stdout).unwrap();
    let section = |marker: &str| text.split(marker).nth(1).expect(marker).to_owned();
    // Tokens of the first line of `sec` that starts with `name`, after the name's tokens.
    let row = |sec: &str, name: &str| -> Vec<f64> {
        let line = sec
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no row {name:?}"));
        line.split_whitespace()
            .skip(name.split_whitespace().count())
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let pi = std::f64::consts::PI;
    let l = 5.0;
    let kinks = section("2. Kinks");
    let slope_mlp = row(&kinks, "MLP")[2];
    assert!(
        (slope_mlp / (-l / (2.0 * pi)) - 1.0).abs() < 1e-6,
        "{slope_mlp}"
    );
    let a: f64 = 0.1 * 0.1 / 2.0;
    let b = a / (1.0 + a);
    let c_plus =
        (2f64.sqrt() / pi) * a * l * (b * (l - 1.0) + 2.0) / (2.0 * (1.0 + a) + 2.0 * a * l);
    let resnet = row(&kinks, "ResNet α=0.1");
    assert!((resnet[0] / c_plus - 1.0).abs() < 1e-6, "{resnet:?}");
    assert!((resnet[2] / (-c_plus / 2f64.sqrt()) - 1.0).abs() < 1e-6);
    assert!(
        (resnet[5] / c_plus - 1.0).abs() < 1e-10,
        "closed-form column"
    );
    // Normalized values at π/4 (docs/literature.md §1.4 table): MLP, α = 0.1, α = 1.
    let cols = row(&section("1. Normalized NTK"), "π/4");
    assert!((cols[0] - 0.505134062960).abs() < 1e-9);
    assert!((cols[1] - 0.703966060036).abs() < 1e-9);
    assert!((cols[3] - 0.594307303985).abs() < 1e-9);
    // The interpolation experiment: the ResNet (α = 0.1) interpolant has smaller derivative
    // jumps than the MLP one (docs/literature.md §1.4: 6.83 against 0.023).
    let exp = section("3. The paper's experiment");
    let (jm, jr) = (row(&exp, "MLP")[0], row(&exp, "ResNet α=0.1")[0]);
    assert!(jr < jm / 10.0, "{jr} vs {jm}");
    assert!(text.contains("docs/figures") && text.contains("ntk compare"));
}

#[test]
fn help_and_version_exit_zero() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["kernel", "--help"],
        &["gram", "--help"],
    ] {
        let out = ntk(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
        assert!(out.stderr.is_empty());
    }
    let v = String::from_utf8(ntk(&["--version"]).stdout).unwrap();
    assert_eq!(v.trim(), format!("ntk {}", env!("CARGO_PKG_VERSION")));
}

/// Every error class of the contract: exit status 2, one line `error: …`, naming the value.
#[test]
fn usage_and_input_errors() {
    let x = write_temp("x.csv", X_CSV);
    let y3 = write_temp("y3.csv", "1,0,0\n");
    let nan = write_temp("nan.csv", "1,2\n3,NaN\n");
    let inf = write_temp("inf.csv", "1,2\n# c\n-inf,4\n");
    let ragged = write_temp("ragged.csv", "1,2\n3,4,5\n");
    let empty = write_temp("empty.csv", "# nothing here\n\n");
    let word = write_temp("word.csv", "1,2\n3, four\n");
    let missing = temp_path("does-not-exist.csv");
    let missing = missing.to_str().unwrap();
    let k = ["kernel", "--arch", "mlp", "--depth", "2"];
    let r = ["kernel", "--arch", "resnet", "--depth", "2"];
    let g = ["gram", "--arch", "mlp", "--depth", "2"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        ([&k[..], &["--dim", "0", "--u", "0.5"]].concat(), "got 0"),
        ([&k[..], &["--dim", "-3", "--u", "0.5"]].concat(), "'-3'"),
        ([&k[..], &["--dim", "two", "--u", "0.5"]].concat(), "'two'"),
        (
            vec![
                "kernel", "--arch", "mlp", "--depth", "-1", "--dim", "2", "--u", "0",
            ],
            "'-1'",
        ),
        (
            [&r[..], &["--alpha", "-0.5", "--dim", "2", "--u", "0"]].concat(),
            "-0.5",
        ),
        (
            [&r[..], &["--alpha", "nan", "--dim", "2", "--u", "0"]].concat(),
            "NaN",
        ),
        (
            [&r[..], &["--sigma-w2", "inf", "--dim", "2", "--u", "0"]].concat(),
            "inf",
        ),
        (
            [&r[..], &["--sigma-v2", "-1", "--dim", "2", "--u", "0"]].concat(),
            "-1",
        ),
        (
            [&k[..], &["--sigma-w2", "0", "--dim", "2", "--u", "0"]].concat(),
            "got 0",
        ),
        (
            [&k[..], &["--sigma-b2", "-2", "--dim", "2", "--u", "0"]].concat(),
            "-2",
        ),
        ([&k[..], &["--dim", "2", "--u", "0.5,1.5"]].concat(), "1.5"),
        ([&k[..], &["--dim", "2", "--u", "-1.01"]].concat(), "-1.01"),
        ([&k[..], &["--dim", "2", "--u", "nan"]].concat(), "NaN"),
        ([&k[..], &["--dim", "2", "--u", "0.1,zz"]].concat(), "'zz'"),
        ([&k[..], &["--dim", "2", "--theta", "3.5"]].concat(), "3.5"),
        (
            [&k[..], &["--dim", "2", "--theta", "-0.1"]].concat(),
            "-0.1",
        ),
        ([&k[..], &["--dim", "2", "--theta", "inf"]].concat(), "inf"),
        (
            [&k[..], &["--dim", "2", "--u", "0", "--theta", "1"]].concat(),
            "--theta",
        ),
        ([&k[..], &["--dim", "2"]].concat(), "--u"),
        ([&k[..], &["--u", "0"]].concat(), "--dim"),
        (
            vec!["kernel", "--depth", "2", "--dim", "2", "--u", "0"],
            "--arch",
        ),
        (
            vec!["kernel", "--arch", "mlp", "--dim", "2", "--u", "0"],
            "--depth",
        ),
        (
            [&k[..], &["--dim", "2", "--u", "0", "--frobnicate"]].concat(),
            "--frobnicate",
        ),
        (
            [&k[..], &["--dim", "2", "--u", "0", "--kind", "gp"]].concat(),
            "'gp'",
        ),
        (
            vec![
                "kernel", "--arch", "cnn", "--depth", "2", "--dim", "2", "--u", "0",
            ],
            "'cnn'",
        ),
        (
            [&k[..], &["--alpha", "0.5", "--dim", "2", "--u", "0"]].concat(),
            "--alpha",
        ),
        (
            [&k[..], &["--sigma-v2", "2", "--dim", "2", "--u", "0"]].concat(),
            "--sigma-v2",
        ),
        (
            [&r[..], &["--sigma-b2", "0.1", "--dim", "2", "--u", "0"]].concat(),
            "--sigma-b2",
        ),
        (
            vec!["spectrum", "--arch", "mlp", "--dim", "3", "--kmax", "3"],
            "--depth",
        ),
        (
            vec![
                "spectrum", "--arch", "mlp", "--depth", "1", "--dim", "1", "--kmax", "3",
            ],
            "1",
        ),
        (
            vec!["decay", "--arch", "resnet", "--depth", "2", "--dim", "0"],
            "0",
        ),
        (vec!["frobnicate"], "'frobnicate'"),
        (
            [&g[..], &["--input", &nan]].concat(),
            ":2: column 2: \"NaN\"",
        ),
        (
            [&g[..], &["--input", &inf]].concat(),
            ":3: column 1: \"-inf\"",
        ),
        (
            [&g[..], &["--input", &ragged]].concat(),
            ":2: ragged rows: 3 columns",
        ),
        ([&g[..], &["--input", &empty]].concat(), "no points"),
        (
            [&g[..], &["--input", &word]].concat(),
            ":2: column 2: \"four\"",
        ),
        (
            [&g[..], &["--input", missing]].concat(),
            "does-not-exist.csv",
        ),
        (
            [&g[..], &["--input", &x, "--input2", &y3]].concat(),
            "dimension mismatch",
        ),
        (
            [&g[..], &["--input", &x, "--output", "K.txt"]].concat(),
            "K.txt",
        ),
        (
            [&g[..], &["--input", &x, "--output", "K"]].concat(),
            "\"K\"",
        ),
        (
            [
                &g[..],
                &["--input", &x, "--output", "/nonexistent-dir/K.npy"],
            ]
            .concat(),
            "/nonexistent-dir/K.npy",
        ),
        (g.to_vec(), "--input"),
    ];
    for (args, needle) in cases {
        let line = assert_usage_error(&args);
        assert!(line.contains(needle), "{args:?}: {line:?} lacks {needle:?}");
    }
}

/// Tokens from which random command lines are built: valid pieces, edge values and junk.
const TOKENS: &[&str] = &[
    "kernel",
    "gram",
    "spectrum",
    "--arch",
    "mlp",
    "resnet",
    "--depth",
    "--dim",
    "--alpha",
    "--sigma-w2",
    "--sigma-v2",
    "--sigma-b2",
    "--kind",
    "ntk",
    "nngp",
    "--u",
    "--theta",
    "--normalize",
    "--input",
    "--input2",
    "--output",
    "0",
    "1",
    "2",
    "3",
    "-1",
    "0.5",
    "-0.5",
    "1.5",
    "3.2",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e-320",
    "0,0.5,1",
    "-1,1",
    ",",
    "",
    "--",
    "-",
    "é",
    "--u=",
    "--dim=0",
    "--theta=3.14159",
    "--help",
];

/// Fewer cases than the default: each case spawns the binary.
const GARBAGE_CASES: u32 = 32;

fn assert_no_panic(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    match out.status.code() {
        Some(0) => {}
        Some(2) => {
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{what}: {stderr:?}");
            assert!(lines[0].starts_with("error: "), "{what}: {stderr:?}");
        }
        other => panic!("{what}: exit status {other:?}, stderr {stderr:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(GARBAGE_CASES))]

    #[test]
    fn garbage_arguments_never_panic(
        picks in prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(TOKENS).prop_map(str::to_owned),
                1 => "[-a-z0-9.,=#é ]{0,8}",
            ],
            0..10,
        )
    ) {
        let args: Vec<&str> = picks.iter().map(String::as_str).collect();
        assert_no_panic(&ntk(&args), &format!("{args:?}"));
    }

    #[test]
    fn garbage_csv_never_panics(
        text in "[-0-9.,e# \n\ta-z]{0,60}",
        arch in prop::sample::select(&["mlp", "resnet"][..]),
    ) {
        let path = write_temp("garbage.csv", &text);
        let out = ntk(&["gram", "--arch", arch, "--depth", "2", "--input", &path]);
        assert_no_panic(&out, &format!("{text:?}"));
        if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let (shape, data) = json_matrix(&v);
            prop_assert_eq!(shape[0], shape[1]);
            prop_assert_eq!(data.len() as u64, shape[0] * shape[1]);
        }
    }
}

/// Lists may contain spaces around their entries, and options may use `--opt=value`.
#[test]
fn lists_with_spaces_and_equals_syntax() {
    let v = ntk_json(&[
        "kernel",
        "--arch=resnet",
        "--depth=3",
        "--alpha= 0.5",
        "--dim",
        "5",
        "--u= -0.25 , 0.75",
    ]);
    let k = SphereKernel::new(ResNet::new(3, 0.5, 1.0, 1.0).unwrap(), KernelKind::Ntk, 5).unwrap();
    assert_all_close(
        &numbers(&v["value"]),
        &[k.eval(-0.25).unwrap(), k.eval(0.75).unwrap()],
    );
}

/// The 2-layer NTK u κ₀(u) + κ₁(u) at d = 3 has μ₀..₄ = 1/2, 1/3, 5/64, 0, 1/192 (literature
/// notes §7 item 4); our MLP with L = 1 is that kernel divided by 2d, normalized by κ(1) = 2.
#[test]
fn spectrum_subcommand_matches_closed_form() {
    let v = ntk_json(&[
        "spectrum",
        "--arch",
        "mlp",
        "--depth",
        "1",
        "--dim",
        "3",
        "--kmax",
        "4",
        "--normalize",
    ]);
    assert_eq!(v["dim"], 3);
    let want = [0.25, 1.0 / 6.0, 5.0 / 128.0, 0.0, 1.0 / 384.0];
    let mu = numbers(&v["mu"]);
    for (k, (&m, &w)) in mu.iter().zip(&want).enumerate() {
        assert!(
            (m - w).abs() <= 1e-13 * w.max(1e-300),
            "mu_{k} = {m}, want {w}"
        );
    }
    assert!(
        v["log_mu"][3].is_null(),
        "structural zero must have log_mu null"
    );
    assert!((v["log_mu"][1].as_f64().unwrap() - (1.0f64 / 6.0).ln()).abs() < 1e-13);
    assert_eq!(numbers(&v["multiplicity"]), vec![1.0, 3.0, 5.0, 7.0, 9.0]);
}

/// μ_k(NTK2)·k^d → 2^{d−1}Γ(d/2)²/π² on even k (literature §7 item 10): 1/π at d = 3, for the
/// normalized kernel that is 1/(2π); odd eigenvalues vanish beyond k = 1, so their constant is 0.
#[test]
fn decay_subcommand_matches_closed_form() {
    let v = ntk_json(&[
        "decay",
        "--arch",
        "mlp",
        "--depth",
        "1",
        "--dim",
        "3",
        "--normalize",
    ]);
    assert_eq!(v["exponent"].as_f64().unwrap(), -3.0);
    let c = v["constant_even"].as_f64().unwrap();
    let want = 1.0 / (2.0 * std::f64::consts::PI);
    assert!((c - want).abs() < 1e-12, "{c} vs {want}");
    assert!(v["constant_odd"].as_f64().unwrap().abs() < 1e-14);
    // c_plus = L sqrt(2)/(2 pi) normalized, times kappa(1) = (L+1)/(d 2^L) = 1/3 otherwise.
    let c_plus = v["c_plus"].as_f64().unwrap();
    let want = std::f64::consts::SQRT_2 / (2.0 * std::f64::consts::PI);
    assert!((c_plus - want).abs() < 1e-14, "{c_plus} vs {want}");
    let raw = ntk_json(&["decay", "--arch", "mlp", "--depth", "1", "--dim", "3"]);
    let raw_c = raw["c_plus"].as_f64().unwrap();
    assert!(
        (raw_c - want / 3.0).abs() < 1e-14,
        "{raw_c} vs {}",
        want / 3.0
    );
}

/// An inner product rounded past ±1 by up to 4 ulp is ±1 (theta 0 or π); beyond, exit 2.
#[test]
fn kernel_accepts_inner_products_rounded_past_one() {
    let v = ntk_json(&[
        "kernel",
        "--arch",
        "mlp",
        "--depth",
        "2",
        "--dim",
        "3",
        "--u",
        "1.0000000000000002,-1.0000000000000004,1",
    ]);
    let theta: Vec<f64> = v["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(theta, [0.0, std::f64::consts::PI, 0.0]);
    let value = v["value"].as_array().unwrap();
    assert_eq!(value[0], value[2]);
    let out = ntk(&[
        "kernel",
        "--arch",
        "mlp",
        "--depth",
        "2",
        "--dim",
        "3",
        "--u",
        "1.000000000000001",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("outside [-1, 1]"), "{stderr}");
}

/// `ntk compare`: the JSON contract of issue 5, the kink coefficients against Theorems 1–2
/// (written out here), and the paper's ordering of the interpolants.
#[test]
fn compare_subcommand() {
    let v = ntk_json(&["compare", "--depth", "5", "--alpha", "0.1", "--angles", "7"]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["mlp", "resnet", "interpolation", "setting"]);
    let pi = std::f64::consts::PI;
    let a: f64 = 0.005;
    let b = a / (1.0 + a);
    let want_resnet = 2f64.sqrt() / pi * a * 5.0 * (b * 4.0 + 2.0) / (2.0 * (1.0 + a) + 10.0 * a);
    for (model, want) in [("mlp", 5.0 / (2f64.sqrt() * pi)), ("resnet", want_resnet)] {
        let m = &v[model];
        let kv: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            kv,
            [
                "c_plus",
                "c_minus",
                "slope_at_zero",
                "decay_exponent",
                "decay_constant_even",
                "decay_constant_odd",
                "normalized_kernel"
            ]
        );
        let c = m["c_plus"].as_f64().unwrap();
        assert!((c / want - 1.0).abs() < 1e-11, "{model}: {c} vs {want}");
        let slope = m["slope_at_zero"].as_f64().unwrap();
        assert!((slope + c / 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(m["decay_exponent"].as_f64(), Some(-2.0));
        let theta = numbers(&m["normalized_kernel"]["theta"]);
        let value = numbers(&m["normalized_kernel"]["value"]);
        assert_eq!((theta.len(), value.len()), (7, 7));
        assert_eq!((theta[0], value[0], theta[6]), (0.0, 1.0, pi));
    }
    let interp = &v["interpolation"];
    for model in ["mlp", "resnet"] {
        let kv: Vec<&str> = interp[model]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            kv,
            [
                "derivative_jump_sum",
                "rkhs_norm",
                "h1_seminorm",
                "max_abs_derivative",
                "test_rmse"
            ]
        );
    }
    let jump = |m: &str| interp[m]["derivative_jump_sum"].as_f64().unwrap();
    assert!(jump("resnet") < jump("mlp") / 10.0);
    // the decay constants are ordered (Proposition 7 holds at L = 5, α = 0.1)
    for key in ["decay_constant_even", "decay_constant_odd"] {
        assert!(v["resnet"][key].as_f64().unwrap() < v["mlp"][key].as_f64().unwrap());
    }
}

#[test]
fn compare_rejects_bad_values() {
    for (args, needle) in [
        (
            &["compare", "--depth", "0", "--alpha", "0.1"][..],
            "--depth 0",
        ),
        (&["compare", "--depth", "5", "--alpha", "-1"], "--alpha -1"),
        (
            &["compare", "--depth", "5", "--alpha", "nan"],
            "--alpha NaN",
        ),
        (
            &["compare", "--depth", "5", "--alpha", "inf"],
            "--alpha inf",
        ),
        (
            &["compare", "--depth", "5", "--alpha", "0.1", "--dim", "1"],
            "--dim 1",
        ),
        (
            &["compare", "--depth", "5", "--alpha", "0.1", "--angles", "1"],
            "n = 1",
        ),
        (&["compare", "--alpha", "0.1"], "--depth"),
        (
            &["compare", "--depth", "5", "--alpha", "1e200"],
            "alpha = 1e200",
        ),
        (&["compare", "--depth", "-2", "--alpha", "1"], "-2"),
        // Below the stated range the interpolation experiment's Gram matrix is singular: the
        // error says why and what to do.
        (
            &["compare", "--depth", "5", "--alpha", "1e-8"],
            "use --alpha ≥ 1e-6",
        ),
    ] {
        let line = assert_usage_error(args);
        assert!(line.contains(needle), "{args:?}: {line}");
    }
}

/// `ntk figures`: five SVG files, byte-for-byte identical on a second run.
#[test]
fn figures_are_written_and_deterministic() {
    let dir1 = temp_path("figures1");
    let dir2 = temp_path("figures2");
    for dir in [&dir1, &dir2] {
        let v = ntk_json(&["figures", "--out", dir.to_str().unwrap()]);
        assert_eq!(v["figures"].as_array().unwrap().len(), 6);
    }
    for name in [
        "kernel_shapes.svg",
        "eigenvalue_decay.svg",
        "interpolation.svg",
        "c_plus_depth.svg",
        "decay_constant_alpha.svg",
    ] {
        let a = std::fs::read(dir1.join(name)).unwrap();
        let b = std::fs::read(dir2.join(name)).unwrap();
        assert!(a.starts_with(b"<svg"), "{name}");
        assert!(a == b, "{name} differs between runs");
    }
    // an output path that cannot be a directory
    let file = write_temp("not_a_dir", "x");
    assert_usage_error(&["figures", "--out", &file]);
}

/// `ntk spectrum` reports each eigenvalue's method and estimated error, and `--output` writes
/// the same result as JSON or as CSV with the documented header.
#[test]
fn spectrum_reports_methods_and_writes_files() {
    let args = [
        "spectrum", "--arch", "resnet", "--depth", "3", "--alpha", "0.5", "--dim", "5", "--kmax",
        "40",
    ];
    let v = ntk_json(&args);
    let k = v["k"].as_array().unwrap();
    let rel = v["rel_error"].as_array().unwrap();
    let method = v["method"].as_array().unwrap();
    assert_eq!((rel.len(), method.len()), (k.len(), k.len()));
    for (r, m) in rel.iter().zip(method) {
        assert!(r.as_f64().unwrap() <= 1e-9, "rel_error {r}");
        let m = m.as_str().unwrap();
        assert!(
            [
                "exact_zero",
                "quadrature",
                "quad_double_quadrature",
                "endpoint_tail",
                "power_series"
            ]
            .contains(&m),
            "{m}"
        );
    }
    let json_path = temp_path("spectrum.json");
    let json_str = json_path.to_string_lossy().into_owned();
    let out = ntk(&[&args[..], &["--output", &json_str]].concat());
    assert!(out.status.success() && out.stdout.is_empty());
    let from_file: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(from_file, v);
    let csv_path = temp_path("spectrum.csv");
    let csv_str = csv_path.to_string_lossy().into_owned();
    let out = ntk(&[&args[..], &["--output", &csv_str]].concat());
    assert!(out.status.success() && out.stdout.is_empty());
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("k,mu,log_mu,multiplicity,log_multiplicity,rel_error,method")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), k.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0].parse::<u64>().unwrap(), k[i].as_u64().unwrap());
        // serde_json's float parser may be 1 ulp off the shortest round-trip digits.
        let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * b.abs();
        let mu = v["mu"][i].as_f64().unwrap();
        assert!(
            close(row[1].parse::<f64>().unwrap(), mu),
            "{} vs {mu}",
            row[1]
        );
        match v["log_mu"][i].as_f64() {
            Some(l) => assert!(close(row[2].parse::<f64>().unwrap(), l)),
            None => assert_eq!(row[2], ""),
        }
        assert_eq!(row[6], method[i].as_str().unwrap());
    }
    let out = ntk(&[&args[..], &["--output", "spectrum.txt"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected .json or .csv"));
    let _ = std::fs::remove_file(json_path);
    let _ = std::fs::remove_file(csv_path);
}

/// `compare` takes the architecture options of the other subcommands: α defaults to 1,
/// `--kind`, `--sigma-w2`, `--sigma-v2` (ResNet), `--sigma-b2` (MLP), echoed in `setting`.
#[test]
fn compare_takes_the_common_architecture_options() {
    let base = ["compare", "--depth", "3", "--angles", "5"];
    let default = ntk_json(&base);
    assert_eq!(default, ntk_json(&[&base[..], &["--alpha", "1"]].concat()));
    assert_eq!(default["setting"]["alpha"].as_f64(), Some(1.0));
    // NNGP of ReLU networks: no square-root kink (ν = 3/2), decay k^-(d-1+3) = k^-4 at d = 2.
    let nngp = ntk_json(&[&base[..], &["--kind", "nngp"]].concat());
    assert_eq!(nngp["setting"]["kind"], "nngp");
    for m in ["mlp", "resnet"] {
        assert_eq!(nngp[m]["c_plus"].as_f64(), Some(0.0));
        assert_eq!(nngp[m]["slope_at_zero"].as_f64(), Some(0.0));
        assert_eq!(nngp[m]["decay_exponent"].as_f64(), Some(-4.0));
    }
    // A bias changes the MLP only; σ_v² the ResNet only.
    let bias = ntk_json(&[&base[..], &["--sigma-b2", "0.1"]].concat());
    assert_eq!(bias["resnet"], default["resnet"]);
    assert_ne!(bias["mlp"], default["mlp"]);
    assert_eq!(bias["setting"]["sigma_b2"].as_f64(), Some(0.1));
    let sv = ntk_json(&[&base[..], &["--sigma-v2", "0.5"]].concat());
    assert_eq!(sv["mlp"], default["mlp"]);
    assert_ne!(sv["resnet"], default["resnet"]);
    // Variances are validated like everywhere else.
    let out = ntk(&[&base[..], &["--sigma-w2", "-1"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sigma"),
        "{:?}",
        out.stderr
    );
}

/// Progress (spinner, Gram row bar) is drawn only on a terminal: with stderr a pipe, the long
/// commands write nothing there.
#[test]
fn progress_is_silent_when_stderr_is_not_a_terminal() {
    let pts: String = (0..300)
        .map(|i| {
            let a = i as f64 * 0.1;
            format!("{},{},{}\n", a.cos(), a.sin(), 0.5)
        })
        .collect();
    let x = write_temp("progress.csv", &pts);
    let out_path = temp_path("progress.npy");
    let out_str = out_path.to_string_lossy().into_owned();
    for args in [
        vec![
            "gram", "--arch", "mlp", "--depth", "3", "--input", &x, "--output", &out_str,
        ],
        vec!["gram", "--arch", "mlp", "--depth", "3", "--input", &x],
        vec![
            "spectrum", "--arch", "resnet", "--depth", "10", "--dim", "10", "--kmax", "500",
        ],
        vec!["decay", "--arch", "mlp", "--depth", "3", "--dim", "3"],
    ] {
        let out = ntk(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?} wrote {:?}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_file(out_path);
}

/// `ntk expr`: the documented document shape, the closed form of the one-hidden-layer NTK,
/// definitions for deeper networks, exact fractions, LaTeX, and errors.
#[test]
fn expr_prints_closed_forms() {
    let v = ntk_json(&[
        "expr",
        "--arch",
        "mlp",
        "--depth",
        "1",
        "--dim",
        "2",
        "--sigma-w2",
        "2",
    ]);
    assert_eq!(v["definitions"], serde_json::json!([]));
    assert_eq!(
        v["expression"],
        "((t*(pi - acos(t)) + sqrt(1 - t**2))/pi + t*(pi - acos(t))/pi)/2"
    );
    let v = ntk_json(&[
        "expr",
        "--arch",
        "mlp",
        "--depth",
        "3",
        "--dim",
        "4",
        "--normalize",
    ]);
    let defs = v["definitions"].as_array().unwrap();
    assert!(!defs.is_empty());
    for d in defs {
        let name = d[0].as_str().unwrap();
        assert!(name.starts_with('u') && name[1..].chars().all(|c| c.is_ascii_digit()));
    }
    // --alpha 1/2 and --alpha 0.5 are the same number; 0.1 is 1/10: alpha^2 sigma_w^2/2 = 1/200.
    let half = ntk_json(&[
        "expr", "--arch", "resnet", "--depth", "1", "--alpha", "1/2", "--dim", "1",
    ]);
    let point5 = ntk_json(&[
        "expr", "--arch", "resnet", "--depth", "1", "--alpha", "0.5", "--dim", "1",
    ]);
    assert_eq!(half, point5);
    let tenth = ntk_json(&[
        "expr", "--arch", "resnet", "--depth", "1", "--alpha", "0.1", "--dim", "1", "--kind",
        "nngp",
    ]);
    assert!(
        tenth["expression"].as_str().unwrap().contains("/(200*pi)"),
        "{tenth}"
    );
    let latex = ntk_json(&[
        "expr",
        "--arch",
        "mlp",
        "--depth",
        "1",
        "--dim",
        "1",
        "--kind",
        "nngp",
        "--normalize",
        "--format",
        "latex",
    ]);
    assert!(
        latex["expression"].as_str().unwrap().contains("\\arccos t"),
        "{latex}"
    );
    let msg = assert_usage_error(&[
        "expr",
        "--arch",
        "mlp",
        "--depth",
        "1",
        "--dim",
        "2",
        "--sigma-w2",
        "1/0",
    ]);
    assert!(msg.contains("1/0"), "{msg}");
    let msg = assert_usage_error(&["expr", "--arch", "mlp", "--depth", "1", "--dim", "0"]);
    assert!(msg.contains("dim") || msg.contains("D"), "{msg}");
}

/// `ntk compare --output FILE.json` writes exactly the document it would print; other
/// extensions are refused before any work.
#[test]
fn compare_writes_its_document_to_a_file() {
    let dir = std::env::temp_dir().join(format!("ntk-compare-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("c.json");
    let args = ["compare", "--depth", "2", "--angles", "3"];
    let printed = ntk_json(&args);
    let mut with_output: Vec<&str> = args.to_vec();
    let p = path.to_str().unwrap();
    with_output.extend(["--output", p]);
    let out = ntk(&with_output);
    assert!(out.status.success() && out.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written, printed);
    let bad = dir.join("c.csv");
    let msg = assert_usage_error(&["compare", "--depth", "2", "--output", bad.to_str().unwrap()]);
    assert!(msg.contains(".json"), "{msg}");
    assert!(!bad.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `ntk train`: the JSON document (keys, lengths, the default learning rate 1/λ_max) equals the
/// library's report for the same run; CSV input; the width sweep; bad input and divergence are
/// usage errors with one `error:` line.
#[test]
fn train_prints_the_report_and_rejects_bad_input() {
    use ntk_sphere::training::{TrainingData, TrainingOptions, circle_data, circle_test_points};
    let v = ntk_json(&[
        "train",
        "--arch",
        "mlp",
        "--depth",
        "2",
        "--width",
        "64",
        "--steps",
        "40",
        "--data",
        "circle",
        "--test-points",
        "8",
        "--seed",
        "3",
    ]);
    for key in [
        "lr",
        "lr_max_stable",
        "steps",
        "loss",
        "ntk_drift",
        "ntk_init_error",
        "test_prediction",
        "kernel_prediction",
        "distance_to_kernel_prediction",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    let (inputs, targets) = circle_data();
    let data = TrainingData {
        inputs,
        targets,
        test: circle_test_points(8).unwrap(),
    };
    let arch: Architecture = Mlp::new(2, 1.0).unwrap().into();
    let options = TrainingOptions {
        seed: 3,
        ..TrainingOptions::new(64, 40)
    };
    let r = ntk_sphere::training::train(&arch, &data, &options, &mut |_| {}).unwrap();
    // (serde_json's float parsing may be one ulp off: compare with `close`)
    assert!(close(v["lr"].as_f64().unwrap(), r.lr));
    assert_eq!(v["steps"].as_array().unwrap().len(), r.steps.len());
    assert_all_close(&numbers(&v["test_prediction"]), &r.test_prediction);
    assert_all_close(&numbers(&v["kernel_prediction"]), &r.kernel_prediction);
    assert_all_close(&numbers(&v["ntk_drift"]), &r.ntk_drift);
    // the same data from CSV files
    let x = write_temp(
        "train_x.csv",
        &(0..5)
            .map(|i| format!("{:e},{:e}\n", data.inputs.row(i)[0], data.inputs.row(i)[1]))
            .collect::<String>(),
    );
    let y = write_temp(
        "train_y.csv",
        &data
            .targets
            .iter()
            .map(|t| format!("{t:e}\n"))
            .collect::<String>(),
    );
    let w = ntk_json(&[
        "train",
        "--arch",
        "mlp",
        "--depth",
        "2",
        "--width",
        "64",
        "--steps",
        "40",
        "--input",
        &x,
        "--targets",
        &y,
        "--seed",
        "3",
    ]);
    assert_eq!(w["loss"], v["loss"]);
    let s = ntk_json(&[
        "train",
        "--arch",
        "resnet",
        "--depth",
        "2",
        "--steps",
        "20",
        "--data",
        "sphere",
        "--points",
        "6",
        "--dim",
        "3",
        "--sweep-widths",
        "16,32",
        "--seeds",
        "2",
    ]);
    assert_eq!(s["widths"], serde_json::json!([16, 32]));
    assert_eq!(s["final_drift"].as_array().unwrap().len(), 2);
    assert!(s["slope"].as_f64().unwrap().is_finite());
    let base = ["train", "--arch", "mlp", "--depth", "1", "--data", "circle"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    for (extra, needle) in [
        (&["--width", "0", "--steps", "5"][..], "width"),
        (&["--width", "8", "--steps", "0"][..], "steps"),
        (
            &["--width", "8", "--steps", "5", "--kind", "nngp"][..],
            "--kind",
        ),
        (
            &["--width", "8", "--steps", "5", "--lr", "-1"][..],
            "learning rate",
        ),
        (
            &["--width", "8", "--steps", "5", "--lr", "nan"][..],
            "learning rate",
        ),
        (
            &["--width", "8", "--steps", "300", "--lr", "40"][..],
            "diverged",
        ),
    ] {
        let err = assert_usage_error(&with(extra));
        assert!(err.contains(needle), "{extra:?}: {err}");
    }
    let bad_y = write_temp("train_y_short.csv", "1\n2\n");
    let nan_y = write_temp("train_y_nan.csv", "1\n2\nnan\n4\n5\n");
    for (targets, needles) in [
        (&bad_y, &["2 targets for 5 inputs"][..]),
        (&nan_y, &["nan", "finite"]),
    ] {
        let err = assert_usage_error(&[
            "train",
            "--arch",
            "mlp",
            "--depth",
            "1",
            "--width",
            "8",
            "--steps",
            "5",
            "--input",
            &x,
            "--targets",
            targets,
        ]);
        let lower = err.to_lowercase();
        assert!(
            needles.iter().any(|n| lower.contains(&n.to_lowercase())),
            "{err}"
        );
    }
}
