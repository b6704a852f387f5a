//! Exact Puiseux coefficients at $t = 1$ (`ntk_sphere::symbolic::exact_series`): the derived
//! kink coefficients $c_+$ against the closed forms of Theorems 1–2 by exact equality, the
//! exact coefficients against the `f64` series, and against an independent sympy expansion of
//! the arc-cosine closed forms (`tests/fixtures/exact_series.py` → `exact_series.json`).

mod common;

use std::time::Instant;

use ntk_sphere::scalar::QuadDouble;
use ntk_sphere::series::{Endpoint, endpoint_expansion_normalized};
use ntk_sphere::smoothness::closed_form::{mlp_c_plus_in, resnet_c_plus_in};
use ntk_sphere::symbolic::exact::Exact;
use ntk_sphere::symbolic::exact_series::{
    ExactSeriesError, MAX_EXACT_ORDER, endpoint_expansion_exact, mlp_c_plus_exact,
    mlp_c_plus_exact_by_depth, resnet_c_plus_exact, resnet_c_plus_exact_by_depth,
    resnet_endpoint_expansion_symbolic,
};
use ntk_sphere::symbolic::rational::Rational;
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};

/// Relative agreement of an exact coefficient, evaluated in quad-double, with the 40-digit
/// sympy/mpmath value (the reference's own precision limits it).
const SYMPY_TOL: f64 = 1e-28;

/// The exact coefficients rounded to `f64` against `endpoint_expansion_normalized`: its
/// recurrences have the relative accuracy of the `f64` series tests (`tests/series.rs`,
/// `CLOSED_FORM_TOL`), measured relative to the largest coefficient.
const F64_SERIES_TOL: f64 = 1e-13;

fn r(p: i64, q: i64) -> Rational {
    Rational::new(p.into(), q.into())
}

fn qd_to_f64(x: QuadDouble) -> f64 {
    x.to_f64()
}

/// Theorem 1 and Theorem 2 (symbolic a): the derived c₊ equals the closed form exactly, for
/// every L ≤ 50.
#[test]
fn derived_c_plus_equals_closed_forms_exactly() {
    let start = Instant::now();
    let mlp = mlp_c_plus_exact_by_depth(50).unwrap();
    for (l, got) in mlp.iter().enumerate() {
        let depth = l + 1;
        assert_eq!(*got, mlp_c_plus_in::<Exact>(depth), "MLP L = {depth}");
    }
    let mlp_time = start.elapsed();
    let start = Instant::now();
    let resnet = resnet_c_plus_exact_by_depth(50).unwrap();
    let resnet_time = start.elapsed();
    assert_eq!(resnet.len(), 50);
    for (l, got) in resnet.iter().enumerate() {
        let depth = l + 1;
        let want = resnet_c_plus_in(depth, Exact::symbol());
        assert_eq!(*got, want, "ResNet L = {depth}: {got} vs {want}");
    }
    // the single-depth functions (the full network each time) agree
    let start = Instant::now();
    assert_eq!(resnet_c_plus_exact(50).unwrap(), resnet[49]);
    let single_time = start.elapsed();
    for depth in [1, 2, 7] {
        assert_eq!(mlp_c_plus_exact(depth).unwrap(), mlp[depth - 1]);
        assert_eq!(resnet_c_plus_exact(depth).unwrap(), resnet[depth - 1]);
    }
    eprintln!(
        "exact c+ for L = 1..=50: MLP {mlp_time:.2?}, ResNet (symbolic a) {resnet_time:.2?}; \
         ResNet L = 50 alone {single_time:.2?}"
    );
    assert_eq!(
        resnet[0].to_plain(),
        format!("{}", resnet_c_plus_in(1, Exact::symbol()))
    );
}

/// Theorem 2 at rational a (a = 1/2, 1/10, 3), with the scale read from the doubles α, σ_w².
#[test]
fn derived_c_plus_at_rational_a() {
    // (alpha, sigma_w2) with a = alpha² sigma_w2 / 2
    for (alpha, sw, a) in [
        (1.0, 1.0, r(1, 2)),
        (1.0, 0.2, r(1, 10)),
        (0.1, 600.0, r(3, 1)),
    ] {
        for depth in [1, 2, 5, 17, 50] {
            let net = ResNet::new(depth, alpha, sw, 1.0).unwrap();
            let k = SphereKernel::new(net, KernelKind::Ntk, 3).unwrap();
            let c = endpoint_expansion_exact(&k, 1).unwrap();
            let want = resnet_c_plus_in(depth, Exact::rational(a.clone()));
            assert_eq!(-c[1].clone(), want, "L = {depth}, a = {a}");
            assert!(!c[1].has_symbol());
        }
    }
}

/// The exact coefficients (order 10) against the `f64` endpoint expansion.
#[test]
fn exact_coefficients_agree_with_f64_series() {
    let order = 10;
    let cases: Vec<(SphereKernel, &str)> = vec![
        (
            SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap(),
            "mlp1 ntk",
        ),
        (
            SphereKernel::new(Mlp::new(3, 2.0).unwrap(), KernelKind::Ntk, 5).unwrap(),
            "mlp3 ntk",
        ),
        (
            SphereKernel::new(Mlp::new(4, 1.0).unwrap(), KernelKind::Nngp, 5).unwrap(),
            "mlp4 nngp",
        ),
        (
            SphereKernel::new(ResNet::new(3, 0.5, 1.0, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap(),
            "resnet3 ntk",
        ),
        (
            SphereKernel::new(ResNet::new(2, 0.1, 1.0, 2.0).unwrap(), KernelKind::Nngp, 3).unwrap(),
            "resnet2 nngp",
        ),
    ];
    for (k, name) in cases {
        let exact = endpoint_expansion_exact(&k, order).unwrap();
        let float = endpoint_expansion_normalized(&k, Endpoint::Plus, order).unwrap();
        assert_eq!(exact.len(), order + 1);
        let scale = float.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for (j, (e, f)) in exact.iter().zip(&float).enumerate() {
            let e = qd_to_f64(e.to_quad_double().unwrap());
            assert!(
                (e - f).abs() <= F64_SERIES_TOL * scale,
                "{name}, c_{j}: exact {e} vs f64 {f}"
            );
        }
    }
}

/// Against the sympy expansion of the arc-cosine closed forms (L = 1, 2; MLP and ResNet).
#[test]
fn exact_coefficients_match_sympy() {
    let fixture = common::load("exact_series.json");
    let order = fixture["order"].as_u64().unwrap() as usize;
    for case in fixture["cases"].as_array().unwrap() {
        let depth = case["depth"].as_u64().unwrap() as usize;
        let arch = case["arch"].as_str().unwrap();
        let values = case["values"].as_object().unwrap();
        let exact = match arch {
            "mlp" => {
                let k =
                    SphereKernel::new(Mlp::new(depth, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
                endpoint_expansion_exact(&k, order).unwrap()
            }
            _ => {
                let net = ResNet::new(depth, 1.0, 1.0, 1.0).unwrap();
                resnet_endpoint_expansion_symbolic(&net, KernelKind::Ntk, order).unwrap()
            }
        };
        for (a, want) in values {
            let want = want.as_array().unwrap();
            assert_eq!(want.len(), order + 1);
            for (j, (e, w)) in exact.iter().zip(want).enumerate() {
                let e = if a == "-" {
                    e.clone()
                } else {
                    let (p, q) = a.split_once('/').unwrap_or((a, "1"));
                    e.substitute(&r(p.parse().unwrap(), q.parse().unwrap()))
                };
                let got = e.to_quad_double().unwrap();
                // compare in quad-double against the 40-digit string
                let wq = common::parse_qd(w.as_str().unwrap());
                let err = qd_to_f64(got - wq).abs();
                let scale = qd_to_f64(wq).abs().max(1e-3);
                assert!(
                    err <= SYMPY_TOL * scale,
                    "{arch} L = {depth}, a = {a}, c_{j}: {e} = {} vs {w} (err {err:e})",
                    qd_to_f64(got)
                );
            }
        }
    }
}

#[test]
fn refusals_are_typed() {
    let k = SphereKernel::new(Mlp::with_bias(2, 1.0, 0.5).unwrap(), KernelKind::Ntk, 3).unwrap();
    let e = endpoint_expansion_exact(&k, 3).unwrap_err();
    assert_eq!(e, ExactSeriesError::Biased { sigma_b2: 0.5 });
    assert!(e.to_string().contains("sigma_b^2 = 0.5"));
    let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert!(matches!(
        endpoint_expansion_exact(&k, 1000),
        Err(ExactSeriesError::OrderTooLarge {
            order: 1000,
            max: MAX_EXACT_ORDER
        })
    ));
    // erf leaves the field
    use ntk_sphere::activation::Activation;
    use ntk_sphere::arch::{Layer, Serial};
    let net = Serial::new(vec![
        Layer::dense(1.0, 0.0).unwrap(),
        Layer::activation(Activation::erf(1.0, 1.0, 0.0).unwrap()),
        Layer::dense(1.0, 0.0).unwrap(),
    ])
    .unwrap();
    let k = SphereKernel::new(net, KernelKind::Ntk, 3).unwrap();
    assert!(matches!(
        endpoint_expansion_exact(&k, 3),
        Err(ExactSeriesError::NotExpressible { .. })
    ));
}

#[test]
fn printed_forms() {
    let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    let c = endpoint_expansion_exact(&k, 3).unwrap();
    assert_eq!(c[0].to_plain(), "1");
    assert_eq!(c[1].to_plain(), "-sqrt(2)/(2*pi)");
    assert_eq!(c[2].to_plain(), "-1");
    assert_eq!(c[1].to_latex(), r"-\frac{\sqrt{2}}{2 \pi}");
}

/// `ntk series`: exact strings at t = 1, numbers without --exact, typed refusals.
#[test]
fn cli_series() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ntk"))
            .arg("series")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, _) = run(&[
        "--arch", "mlp", "--depth", "1", "--at", "1", "--order", "2", "--exact",
    ]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["variable"], "s");
    assert_eq!(v["definition"], "s = sqrt(1 - t)");
    assert_eq!(v["normalized"], true);
    assert_eq!(
        v["coefficients"],
        serde_json::json!(["1", "-sqrt(2)/(2*pi)", "-1"])
    );
    // --alpha 1/2 and 0.5 read the same rational
    let (_, a, _) = run(&[
        "--arch", "resnet", "--depth", "2", "--alpha", "1/2", "--at", "1", "--order", "3",
        "--exact",
    ]);
    let (_, b, _) = run(&[
        "--arch", "resnet", "--depth", "2", "--alpha", "0.5", "--at", "1", "--order", "3",
        "--exact",
    ]);
    assert_eq!(a, b);
    let (code, out, _) = run(&["--arch", "mlp", "--depth", "2", "--at", "0", "--order", "3"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["variable"], "t");
    assert_eq!(v["coefficients"].as_array().unwrap().len(), 4);
    // t = −1: expressions (the sympy/mpmath values of tests/expr_series.rs)
    let (code, out, err) = run(&[
        "--arch", "mlp", "--depth", "2", "--at", "-1", "--order", "3", "--exact",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["definition"], "s = sqrt(1 + t)");
    assert_eq!(
        v["coefficients"],
        serde_json::json!(["1/(3*pi)", "-sqrt(2)/(6*pi)", "0", "3*sqrt(2)/(8*pi)"])
    );
    // t = 0 of the two-layer MLP: shared constants named once
    let (code, out, err) = run(&[
        "--arch", "mlp", "--depth", "2", "--at", "0", "--order", "3", "--exact",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["coefficients"].as_array().unwrap().len(), 4);
    let defs = v["definitions"].as_array().unwrap();
    assert!(!defs.is_empty());
    assert!(
        v["coefficients"][3].as_str().unwrap().contains("u1"),
        "{out}"
    );
    // a bias: the expressions hold its square roots (the issue's example)
    let (code, out, err) = run(&[
        "--arch",
        "mlp",
        "--depth",
        "1",
        "--sigma-b2",
        "1",
        "--dim",
        "2",
        "--at",
        "1",
        "--order",
        "1",
        "--exact",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["coefficients"],
        serde_json::json!(["1", "-sqrt(6)/(10*pi)"])
    );
    let (code, _, err) = run(&[
        "--arch",
        "resnet",
        "--depth",
        "2",
        "--at",
        "0",
        "--order",
        "3",
        "--exact",
        "--symbolic-a",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("t = 1 only"), "{err}");
    let (code, _, _) = run(&[
        "--arch", "mlp", "--depth", "2", "--at", "1", "--order", "25", "--exact",
    ]);
    assert_eq!(code, Some(2));
}
