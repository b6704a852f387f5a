//! End-to-end tests of `--net SPEC`: networks from JSON specs on every subcommand that takes
//! `--arch`, bit-identical to the presets they write out, a closed-form erf kernel, and the
//! error contract (exit status 2, one line `error: …` with the JSON Pointer of the fault).
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ntk");

fn ntk(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the ntk binary runs")
}

/// The stdout of a command that must succeed silently on stderr.
fn ntk_ok(args: &[&str]) -> Vec<u8> {
    let out = ntk(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    out.stdout
}

fn ntk_json(args: &[&str]) -> Value {
    serde_json::from_slice(&ntk_ok(args)).expect("stdout is JSON")
}

/// Asserts the error contract and returns the message line.
fn usage_error(args: &[&str]) -> String {
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

fn temp_file(name: &str, contents: &[u8]) -> String {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-net-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).unwrap();
    p.to_str().unwrap().to_owned()
}

const DENSE: &str = r#"{"dense": {}}"#;
const RELU: &str = r#"{"activation": {"relu": {}}}"#;

fn net(layers: &[String]) -> String {
    format!(r#"{{"layers": [{}]}}"#, layers.join(", "))
}

/// The paper's ResNet: dense, `depth` × residual(α, [dense, relu, dense]), dense.
fn resnet_spec(depth: usize, alpha: f64) -> String {
    let block =
        format!(r#"{{"residual": {{"alpha": {alpha}, "branch": [{DENSE}, {RELU}, {DENSE}]}}}}"#);
    let mut layers = vec![DENSE.to_owned()];
    layers.extend(std::iter::repeat_n(block, depth));
    layers.push(DENSE.to_owned());
    net(&layers)
}

/// The MLP with `depth` hidden layers: dense, then `depth` × (relu, dense).
fn mlp_spec(depth: usize) -> String {
    let mut layers = vec![DENSE.to_owned()];
    for _ in 0..depth {
        layers.push(RELU.to_owned());
        layers.push(DENSE.to_owned());
    }
    net(&layers)
}

const U: &str = "-1,-0.9,-0.5,-0.1,0,0.2,0.5,0.77,0.99,1";

#[test]
fn paper_resnet_spec_is_bit_identical_to_the_preset() {
    let spec = resnet_spec(5, 0.1);
    let preset = ["--arch", "resnet", "--depth", "5", "--alpha", "0.1"];
    for kind in ["ntk", "nngp"] {
        let with = |arch: &[&str]| {
            let mut a = vec!["kernel", "--dim", "2", "--u", U, "--kind", kind];
            a.extend_from_slice(arch);
            ntk_ok(&a)
        };
        assert_eq!(with(&["--net", &spec]), with(&preset), "kernel {kind}");
    }
    let spectrum = |arch: &[&str]| {
        let mut a = vec!["spectrum", "--dim", "3", "--kmax", "12"];
        a.extend_from_slice(arch);
        ntk_ok(&a)
    };
    assert_eq!(spectrum(&["--net", &spec]), spectrum(&preset));
    let decay = |arch: &[&str]| {
        let mut a = vec!["decay", "--dim", "3", "--normalize"];
        a.extend_from_slice(arch);
        ntk_ok(&a)
    };
    assert_eq!(decay(&["--net", &spec]), decay(&preset));
}

#[test]
fn mlp_spec_is_bit_identical_to_the_preset() {
    let spec = mlp_spec(2);
    let preset = ["--arch", "mlp", "--depth", "2"];
    let kernel = |arch: &[&str]| {
        let mut a = vec!["kernel", "--dim", "2", "--theta", "0,0.3,1.5,3.14159"];
        a.extend_from_slice(arch);
        ntk_ok(&a)
    };
    assert_eq!(kernel(&["--net", &spec]), kernel(&preset));
    let spectrum = |arch: &[&str]| {
        let mut a = vec!["spectrum", "--dim", "4", "--kmax", "8"];
        a.extend_from_slice(arch);
        ntk_ok(&a)
    };
    assert_eq!(spectrum(&["--net", &spec]), spectrum(&preset));
    // gram over CSV points
    let x = temp_file("x.csv", b"1,0,0\n0.6,0.8,0\n0,0,2\n");
    let gram = |arch: &[&str]| {
        let mut a = vec!["gram", "--input", &x];
        a.extend_from_slice(arch);
        ntk_ok(&a)
    };
    assert_eq!(gram(&["--net", &spec]), gram(&preset));
}

/// dense, erf, dense on S² (d = 3): q_x = q_y = 1/3 and c = t/3 at the erf layer, so the NNGP
/// is E[erf(u)erf(v)] = (2/π) asin(2c/√((1+2q_x)(1+2q_y))) = (2/π) asin(2t/5).
#[test]
fn erf_network_matches_the_closed_form_nngp() {
    let spec = net(&[
        DENSE.to_owned(),
        r#"{"activation": {"erf": {}}}"#.to_owned(),
        DENSE.to_owned(),
    ]);
    let v = ntk_json(&[
        "kernel",
        "--dim",
        "3",
        "--u",
        "0.3,-0.8,1",
        "--kind",
        "nngp",
        "--net",
        &spec,
    ]);
    let values: Vec<f64> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (t, found) in [0.3_f64, -0.8, 1.0].into_iter().zip(values) {
        let want = 2.0 / std::f64::consts::PI * (2.0 * t / 5.0).asin();
        assert!(
            (found - want).abs() <= 4e-16 * want.abs().max(1e-300) + 1e-17,
            "t = {t}: {found} vs {want}"
        );
    }
    // explicit defaults give the same bytes
    let explicit = net(&[
        r#"{"dense": {"w_var": 1, "b_var": 0}}"#.to_owned(),
        r#"{"activation": {"erf": {"a": 1, "b": 1, "c": 0}}}"#.to_owned(),
        r#"{"dense": {"w_var": 1.0}}"#.to_owned(),
    ]);
    let run = |s: &str| {
        ntk_ok(&[
            "kernel", "--dim", "3", "--u", "0.3", "--kind", "nngp", "--net", s,
        ])
    };
    assert_eq!(run(&spec), run(&explicit));
}

fn kernel_with(spec: &str) -> String {
    usage_error(&["kernel", "--dim", "3", "--u", "0.5", "--net", spec])
}

/// Every class of bad spec: exit 2, one line, naming the exact JSON Pointer.
#[test]
fn bad_specs_name_the_pointer() {
    let d = DENSE;
    let cases: Vec<(String, &str)> = vec![
        // invalid JSON
        (
            "{\"layers\": [".into(),
            "error: --net /layers: invalid JSON",
        ),
        ("layers".into(), "error: --net: invalid JSON"),
        // not a network
        ("[]".into(), "error: --net: expected a network"),
        (
            r#"{"layer": []}"#.into(),
            "error: --net /layer: unknown key \"layer\"",
        ),
        // empty network / branch
        (
            r#"{"layers": []}"#.into(),
            "error: --net /layers: expected at least one layer",
        ),
        (
            format!(r#"{{"layers": [{d}, {{"residual": {{"alpha": 0.5, "branch": []}}}}]}}"#),
            "error: --net /layers/1/residual/branch: expected at least one layer",
        ),
        // unknown layer / activation
        (
            format!(r#"{{"layers": [{d}, {{"conv": {{}}}}]}}"#),
            "error: --net /layers/1/conv: unknown layer \"conv\"",
        ),
        (
            format!(r#"{{"layers": [{d}, {d}, {{"activation": {{"tanh": {{}}}}}}]}}"#),
            "error: --net /layers/2/activation/tanh: unknown activation \"tanh\"",
        ),
        // wrong parameter types
        (
            format!(r#"{{"layers": [{d}, {d}, {{"activation": {{"erf": {{"b": "x"}}}}}}]}}"#),
            "error: --net /layers/2/activation/erf/b: expected a number, got \"x\"",
        ),
        (
            format!(r#"{{"layers": [{d}, {{"dense": {{"w_var": true}}}}]}}"#),
            "error: --net /layers/1/dense/w_var: expected a number, got true",
        ),
        (
            r#"{"layers": [{"activation": {"polynomial": {"coef": [1, "2"]}}}]}"#.into(),
            "error: --net /layers/0/activation/polynomial/coef/1: expected a number, got \"2\"",
        ),
        // degrees
        (
            r#"{"layers": [{"activation": {"monomial": {"degree": 2.5}}}]}"#.into(),
            "error: --net /layers/0/activation/monomial/degree: expected a non-negative integer degree, got 2.5",
        ),
        (
            r#"{"layers": [{"activation": {"rectified_monomial": {"degree": -1}}}]}"#.into(),
            "error: --net /layers/0/activation/rectified_monomial/degree: expected a non-negative integer degree, got -1",
        ),
        (
            r#"{"layers": [{"activation": {"monomial": {"degree": "2"}}}]}"#.into(),
            "error: --net /layers/0/activation/monomial/degree: expected a non-negative integer degree, got \"2\"",
        ),
        // negative variances and scales
        (
            r#"{"layers": [{"dense": {"w_var": -1}}]}"#.to_string(),
            "error: --net /layers/0/dense/w_var: w_var must be > 0, got -1",
        ),
        (
            r#"{"layers": [{"dense": {"b_var": -0.5}}]}"#.to_string(),
            "error: --net /layers/0/dense/b_var: b_var must be >= 0, got -0.5",
        ),
        (
            format!(r#"{{"layers": [{{"residual": {{"alpha": -1, "branch": [{d}]}}}}]}}"#),
            "error: --net /layers/0/residual/alpha: alpha must be >= 0, got -1",
        ),
        // non-finite numbers
        (
            r#"{"layers": [{"dense": {"w_var": 1e999}}]}"#.into(),
            "error: --net /layers/0/dense/w_var: invalid JSON: number out of range",
        ),
        (
            r#"{"layers": [{"dense": {"b_var": NaN}}]}"#.into(),
            "error: --net /layers/0/dense/b_var: invalid JSON",
        ),
        // missing required parameters
        (
            r#"{"layers": [{"activation": {"leaky_relu": {}}}]}"#.into(),
            "error: --net /layers/0/activation/leaky_relu: leaky_relu: missing required parameter \"slope\"",
        ),
        (
            format!(r#"{{"layers": [{{"residual": {{"branch": [{d}]}}}}]}}"#),
            "error: --net /layers/0/residual: missing required key \"alpha\"",
        ),
        // unknown keys, shorthands, several keys
        (
            r#"{"layers": [{"activation": {"erf": {"d": 1}}}]}"#.into(),
            "error: --net /layers/0/activation/erf/d: unknown key \"d\" in erf",
        ),
        (
            r#"{"layers": [{"activation": "relu"}]}"#.into(),
            "error: --net /layers/0/activation: expected an activation",
        ),
        (
            r#"{"layers": [{"activation": {"relu": null}}]}"#.into(),
            "error: --net /layers/0/activation/relu: expected the parameters of relu",
        ),
        (
            r#"{"layers": [{"activation": {"relu": {}, "gelu": {}}}]}"#.into(),
            "error: --net /layers/0/activation: expected an activation with exactly one key",
        ),
        (
            r#"{"layers": ["dense"]}"#.into(),
            "error: --net /layers/0: expected a layer",
        ),
        (
            r#"{"layers": [{"dense": {}, "residual": {}}]}"#.into(),
            "error: --net /layers/0: expected a layer with exactly one key",
        ),
        (
            r#"{"layers": [{"dense": {"b_var": 0, "b_var": 1}}]}"#.into(),
            "error: --net /layers/0/dense/b_var: duplicate key \"b_var\"",
        ),
        // RFC 6901 escaping of ~ and /
        (
            r#"{"layers": [{"dense": {"a/b~c": 1}}]}"#.into(),
            "error: --net /layers/0/dense/a~1b~0c: unknown key \"a/b~c\"",
        ),
    ];
    for (spec, prefix) in &cases {
        let line = kernel_with(spec);
        assert!(
            line.starts_with(prefix),
            "{spec}\n  got:  {line}\n  want: {prefix}…"
        );
    }
    // the same faults on the other subcommands
    let spec = &cases[8].0;
    for args in [
        &["spectrum", "--dim", "3", "--kmax", "4", "--net", spec][..],
        &["decay", "--dim", "3", "--net", spec],
        &["gram", "--input", "x.csv", "--net", spec],
    ] {
        assert!(usage_error(args).starts_with(cases[8].1), "{args:?}");
    }
}

#[test]
fn specs_from_files() {
    let path = temp_file("resnet.json", resnet_spec(5, 0.1).as_bytes());
    let at = format!("@{path}");
    let args = |arch: &[&str]| {
        let mut a = vec!["kernel", "--dim", "2", "--u", U];
        a.extend_from_slice(arch);
        ntk_ok(&a)
    };
    assert_eq!(
        args(&["--net", &at]),
        args(&["--arch", "resnet", "--depth", "5", "--alpha", "0.1"])
    );
    // a missing file is named
    let line = kernel_with("@/nonexistent/dir/net.json");
    assert!(
        line.starts_with("error: --net: cannot read spec file \"/nonexistent/dir/net.json\""),
        "{line}"
    );
    // a fault in a file names the file and the pointer
    let bad = temp_file("bad.json", br#"{"layers": [{"dense": {"w_var": 0}}]}"#);
    let line = kernel_with(&format!("@{bad}"));
    assert_eq!(
        line,
        format!("error: --net @{bad}: /layers/0/dense/w_var: w_var must be > 0, got 0")
    );
    // size cap
    let mut big = resnet_spec(1, 0.1).into_bytes();
    big.extend(std::iter::repeat_n(b' ', 1 << 20));
    let big = temp_file("big.json", &big);
    let line = kernel_with(&format!("@{big}"));
    assert!(
        line.contains("larger than the limit of 1048576 bytes"),
        "{line}"
    );
    // nesting cap: each nested residual block takes 3 levels (layer, body, branch)
    let mut nested = DENSE.to_owned();
    for _ in 0..30 {
        nested = format!(r#"{{"residual": {{"alpha": 1, "branch": [{nested}]}}}}"#);
    }
    let line = kernel_with(&net(&[nested]));
    assert!(line.contains("nested deeper than 64 levels"), "{line}");
    // not UTF-8
    let latin = temp_file("latin1.json", b"{\"layers\": [\xff]}");
    assert!(kernel_with(&format!("@{latin}")).contains("not UTF-8"));
}

#[test]
fn net_excludes_the_architecture_options() {
    let spec = mlp_spec(1);
    for extra in [
        &["--arch", "mlp"][..],
        &["--depth", "2"],
        &["--alpha", "0.1"],
        &["--sigma-w2", "2"],
        &["--sigma-v2", "2"],
        &["--sigma-b2", "0.1"],
    ] {
        let mut args = vec!["kernel", "--dim", "3", "--u", "0.5", "--net", &spec];
        args.extend_from_slice(extra);
        let line = usage_error(&args);
        assert!(
            line.contains("--net") && line.contains("cannot be used with"),
            "{extra:?}: {line}"
        );
    }
    // neither --net nor --arch
    let line = usage_error(&["kernel", "--dim", "3", "--u", "0.5"]);
    assert!(line.contains("--arch"), "{line}");
    // --kind still applies
    let ntk = ntk_json(&["kernel", "--dim", "3", "--u", "0.5", "--net", &spec]);
    let nngp = ntk_json(&[
        "kernel", "--dim", "3", "--u", "0.5", "--net", &spec, "--kind", "nngp",
    ]);
    assert_ne!(ntk["value"], nngp["value"]);
}

#[test]
fn compare_takes_two_nets() {
    let mlp = mlp_spec(5);
    let resnet = resnet_spec(5, 0.1);
    let v = ntk_json(&["compare", "--net", &mlp, "--net", &resnet, "--angles", "7"]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["baseline", "candidate", "interpolation", "setting"]);
    // the same numbers as the preset comparison
    let p = ntk_json(&["compare", "--depth", "5", "--alpha", "0.1", "--angles", "7"]);
    assert_eq!(v["baseline"], p["mlp"]);
    assert_eq!(v["candidate"], p["resnet"]);
    assert_eq!(v["interpolation"]["baseline"], p["interpolation"]["mlp"]);
    assert_eq!(
        v["interpolation"]["candidate"],
        p["interpolation"]["resnet"]
    );
    assert_eq!(v["setting"]["kind"], "ntk");
    assert_eq!(
        v["setting"]["nets"][0]["layers"].as_array().unwrap().len(),
        11
    );

    // errors: once, with --depth/--alpha, a bad second spec
    let line = usage_error(&["compare", "--net", &mlp]);
    assert!(line.contains("--net twice"), "{line}");
    let line = usage_error(&["compare", "--net", &mlp, "--net", &resnet, "--depth", "5"]);
    assert!(line.contains("cannot be used with"), "{line}");
    let line = usage_error(&["compare", "--net", &mlp, "--net", r#"{"layers": []}"#]);
    assert!(
        line.starts_with("error: --net (candidate) /layers: expected at least one layer"),
        "{line}"
    );
    // --kind applies to the preset comparison too (the common architecture options).
    let v = ntk_json(&[
        "compare", "--depth", "5", "--alpha", "0.1", "--kind", "nngp", "--angles", "3",
    ]);
    assert_eq!(v["setting"]["kind"], "nngp");
}

/// `figures --net`: three SVG files for user networks, labels in the legend, and the error
/// contract for a bad spec (the pointer names the network) and mismatched labels.
#[test]
fn figures_of_user_networks() {
    let dir = std::env::temp_dir().join(format!("ntk_figures_net_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_string_lossy().into_owned();
    // GELU has non-zero even eigenvalues; sign (an odd kernel) only odd ones beyond k = 0.
    let erf = net(&[
        r#"{"dense": {}}"#.into(),
        r#"{"activation": {"gelu": {}}}"#.into(),
        r#"{"dense": {}}"#.into(),
    ]);
    let sign = net(&[
        r#"{"dense": {}}"#.into(),
        r#"{"activation": {"sign": {}}}"#.into(),
        r#"{"dense": {}}"#.into(),
    ]);
    let v = ntk_json(&[
        "figures", "--out", &out, "--net", &erf, "--net", &sign, "--label", "gelu net", "--label",
        "sign net", "--kind", "nngp",
    ]);
    let names: Vec<&str> = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for (name, file) in names.iter().zip([
        "kernel_shapes.svg",
        "eigenvalue_decay.svg",
        "interpolation.svg",
    ]) {
        assert!(name.ends_with(file), "{name}");
        let svg = std::fs::read_to_string(name).unwrap();
        assert!(
            svg.contains("gelu net") && svg.contains("sign net"),
            "{name} lacks the labels"
        );
        assert!(svg.contains("NNGP"), "{name} lacks the kernel kind");
    }
    // The sign kernel is odd: its even eigenvalues vanish, so its curve shows odd k.
    let spectra = std::fs::read_to_string(names[1]).unwrap();
    assert!(
        spectra.contains("even/odd k"),
        "mixed parities are not announced"
    );
    let bad = r#"{"layers": [{"dense": {"w_var": -1}}]}"#;
    let msg = usage_error(&["figures", "--out", &out, "--net", &erf, "--net", bad]);
    assert!(
        msg.contains("--net #2") && msg.contains("/layers/0/dense/w_var"),
        "{msg}"
    );
    let msg = usage_error(&[
        "figures", "--out", &out, "--net", &erf, "--label", "a", "--label", "b",
    ]);
    assert!(msg.contains("one --label per --net"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}
