//! Composed networks (erf, leaky ReLU, GELU, ReLU², pre-activation ResNet, …) against two
//! independent references, through the CLI's `--net` specs: mpmath Gaussian integrals at 40
//! digits (`tests/fixtures/composed_kernels.py`) and neural-tangents in float64
//! (`tests/fixtures/neural_tangents_kernels.py`).

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ntk");

/// Agreement with the 40-digit mpmath values, relative to κ(1) of the network.
const MPMATH_TOL: f64 = 1e-13;
/// Agreement with neural-tangents (float64), relative to κ(1): the 1e-11.
const NEURAL_TANGENTS_TOL: f64 = 1e-11;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    // neural-tangents writes NaN where its own formula breaks down (e.g. sign at t = 1): read
    // it as null and skip those entries.
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("NaN", "null");
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Null => f64::NAN,
        _ => v.as_f64().unwrap(),
    }
}

fn kernel(spec: &Value, kind: &str, dim: u64, t: &[f64]) -> Vec<f64> {
    let us: Vec<String> = t.iter().map(|x| format!("{x:?}")).collect();
    let out = Command::new(BIN)
        .args([
            "kernel",
            "--net",
            &spec.to_string(),
            "--kind",
            kind,
            "--dim",
            &dim.to_string(),
            "--u",
            &us.join(","),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{spec}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["value"].as_array().unwrap().iter().map(num).collect()
}

fn check(fixture: &str, tol: f64) {
    let f = load(fixture);
    let mut worst: f64 = 0.0;
    for net in f["networks"].as_array().unwrap() {
        let t: Vec<f64> = net["t"].as_array().unwrap().iter().map(num).collect();
        let dim = net["dim"].as_u64().unwrap();
        for kind in ["ntk", "nngp"] {
            let want: Vec<f64> = net[kind].as_array().unwrap().iter().map(num).collect();
            let got = kernel(&net["spec"], kind, dim, &t);
            let scale = want
                .iter()
                .filter(|x| x.is_finite())
                .fold(0.0_f64, |m, x| m.max(x.abs()));
            for ((g, w), t) in got.iter().zip(&want).zip(&t) {
                if !w.is_finite() {
                    continue;
                }
                let err = (g - w).abs() / scale;
                worst = worst.max(err);
                assert!(
                    err <= tol,
                    "{} {kind} at t = {t}: {g:e} vs {w:e} (relative to max |κ| {err:e})",
                    net["name"]
                );
            }
        }
    }
    eprintln!("{fixture}: worst relative error {worst:e}");
}

#[test]
fn composed_networks_match_mpmath() {
    check("composed_kernels.json", MPMATH_TOL);
}

#[test]
fn composed_networks_match_neural_tangents() {
    check("neural_tangents_kernels.json", NEURAL_TANGENTS_TOL);
}
