//! The kernels against an independent 50-digit mpmath evaluation of docs/conventions.md's recursions
//! (`tests/fixtures/generate_kernels.py`, which shares no code with the crate).

mod common;

use common::{arch_of, kind_of, load, num};
use ntk_sphere::SphereKernel;
use ntk_sphere::kernel::{Points, gram, gram_exact};

/// Required agreement with the high-precision reference (the issue asks for ≤ 1e−12 relative).
const REFERENCE_TOL: f64 = 1e-12;
/// What the double-double path actually achieves: a few ulps of f64.
const ULP_TOL: f64 = 8.0 * f64::EPSILON;

fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        (a - b).abs() / b.abs()
    }
}

#[test]
fn sphere_kernels_match_mpmath_reference() {
    let data = load("kernels.json");
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() > 200);
    let mut worst = (0.0f64, 0.0f64);
    for c in cases {
        let k =
            SphereKernel::new(arch_of(c), kind_of(c), c["dim"].as_u64().unwrap() as usize).unwrap();
        let theta = if c["theta"] == "pi" {
            std::f64::consts::PI
        } else {
            c["theta_f64"].as_f64().unwrap()
        };
        // θ = "pi" means the exact π: our input is the nearest double, whose correlation differs
        // from −1 by ~1e−32 — below the tolerance.
        let v = k.eval_angle(theta).unwrap();
        let n = k.normalized_angle(theta).unwrap();
        let e1 = rel(v, num(&c["value"]));
        let scale = num(&c["value_at_theta_0"]).abs();
        // Values that vanish at some angle (e.g. α = 0 at θ = π/2) are compared relative to κ(1).
        let e1 = e1.min((v - num(&c["value"])).abs() / scale);
        let e2 = (n - num(&c["normalized"])).abs();
        assert!(
            e1 <= ULP_TOL && e2 <= ULP_TOL,
            "case {c}: value err {e1:e}, normalized err {e2:e}"
        );
        assert!(e1 <= REFERENCE_TOL);
        worst = (worst.0.max(e1), worst.1.max(e2));
    }
    eprintln!(
        "worst relative error {:e}, normalized {:e}",
        worst.0, worst.1
    );
}

#[test]
fn gram_matrices_match_mpmath_reference() {
    let data = load("gram.json");
    for set in data["sets"].as_array().unwrap() {
        let rows = |key: &str| -> Points {
            let r: Vec<Vec<f64>> = set[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    row.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect()
                })
                .collect();
            Points::from_rows(&r).unwrap()
        };
        let (x, y) = (rows("X"), rows("Y"));
        for kc in set["kernels"].as_array().unwrap() {
            let arch = arch_of(kc);
            let kind = kind_of(kc);
            for (got, want) in [
                (gram_exact(&arch, kind, &x, None).unwrap(), &kc["K_XX"]),
                (gram_exact(&arch, kind, &x, Some(&y)).unwrap(), &kc["K_XY"]),
                (gram(&arch, kind, &x, None).unwrap(), &kc["K_XX"]),
                (gram(&arch, kind, &x, Some(&y)).unwrap(), &kc["K_XY"]),
            ] {
                let want = want.as_array().unwrap();
                // Scale of row i / column j: sqrt(K(x,x) K(y,y)) would need the diagonal of Y;
                // use the largest |entry| of the matrix as the absolute floor for exact zeros.
                let floor = want
                    .iter()
                    .flat_map(|r| r.as_array().unwrap().iter().map(num))
                    .fold(0.0f64, |m, v| m.max(v.abs()));
                for (i, r) in want.iter().enumerate() {
                    for (j, w) in r.as_array().unwrap().iter().enumerate() {
                        let w = num(w);
                        let g = got.get(i, j);
                        let err = if w == 0.0 { g.abs() / floor } else { rel(g, w) };
                        assert!(
                            err <= REFERENCE_TOL,
                            "{} {kc}: entry ({i},{j}) = {g:e}, want {w:e}, rel err {err:e}",
                            set["name"]
                        );
                    }
                }
            }
        }
    }
}
