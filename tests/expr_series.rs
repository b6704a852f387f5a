//! Symbolic series coefficients (`ntk_sphere::symbolic::expr_series`) at t = 0, t = −1, and at
//! t = 1 with biases: against mpmath's Taylor coefficients of the arc-cosine closed forms
//! (`tests/fixtures/expr_series.py` → `expr_series.json`, 40 digits; compared in quad-double),
//! and — for random networks, composed activations included — the printed coefficients, read
//! back by an independent parser of the plain grammar, against the `f64` series.

mod common;

use std::collections::HashMap;

use common::grammar::{Parser, is_valid_name};
use ntk_sphere::activation::{Activation, ClosureActivation};
use ntk_sphere::arch::{Layer, Serial};
use ntk_sphere::scalar::QuadDouble;
use ntk_sphere::series::{
    Endpoint, endpoint_expansion_normalized, maclaurin_coefficients_normalized,
};
use ntk_sphere::symbolic::eval::eval;
use ntk_sphere::symbolic::exact_series::ExactSeriesError;
use ntk_sphere::symbolic::expr_series::{
    MAX_EXPRESSION_ORDER, MAX_EXPRESSION_WORK, endpoint_expansion_expression, maclaurin_expression,
};
use ntk_sphere::symbolic::print::{print_all, to_text_inline};
use ntk_sphere::symbolic::{Expr, Format};
use ntk_sphere::{Architecture, KernelKind, Mlp, ResNet, SphereKernel};
use proptest::prelude::*;

/// Relative agreement (to the largest coefficient) of a symbolic coefficient evaluated in
/// quad-double with the 40-digit reference; the reference's precision and the quad-double
/// evaluation of nested arc-cosines bound it.
const REFERENCE_TOL: f64 = 1e-28;

fn expand(k: &SphereKernel, at: &str, order: usize) -> Result<Vec<Expr>, ExactSeriesError> {
    match at {
        "0" => maclaurin_expression(k, order),
        "-1" => endpoint_expansion_expression(k, Endpoint::Minus, order),
        _ => endpoint_expansion_expression(k, Endpoint::Plus, order),
    }
}

fn parse_rational(s: &str) -> f64 {
    let (p, q) = s.split_once('/').unwrap_or((s, "1"));
    p.parse::<f64>().unwrap() / q.parse::<f64>().unwrap()
}

#[test]
fn coefficients_match_mpmath() {
    let fixture = common::load("expr_series.json");
    for case in fixture["cases"].as_array().unwrap() {
        let depth = case["depth"].as_u64().unwrap() as usize;
        let dim = case["dim"].as_u64().unwrap() as usize;
        let kind = common::kind_of(case);
        let at = case["at"].as_str().unwrap();
        let params = &case["params"];
        let arch: Architecture = match case["arch"].as_str().unwrap() {
            "mlp" => {
                let b = params["sigma_b2"].as_str().map_or(0.0, parse_rational);
                Mlp::with_bias(depth, 1.0, b).unwrap().into()
            }
            _ => {
                let alpha = parse_rational(params["alpha"].as_str().unwrap());
                ResNet::new(depth, alpha, 1.0, 1.0).unwrap().into()
            }
        };
        let k = SphereKernel::new(arch, kind, dim).unwrap();
        let want: Vec<QuadDouble> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| common::parse_qd(v.as_str().unwrap()))
            .collect();
        let got = expand(&k, at, want.len() - 1).unwrap();
        assert_eq!(got.len(), want.len());
        let scale = want.iter().map(|w| w.to_f64().abs()).fold(0.0, f64::max);
        for (j, (e, w)) in got.iter().zip(&want).enumerate() {
            let v: QuadDouble = eval(e, &QuadDouble::from(0.0), &QuadDouble::from(1.0));
            let err = (v - *w).to_f64().abs();
            assert!(
                err <= REFERENCE_TOL * scale,
                "{case} c_{j} = {} = {} vs {} (err {err:e})",
                to_text_inline(e),
                v.to_f64(),
                w.to_f64()
            );
        }
    }
}

/// Literature values: the one-hidden-layer NTK (d = 3) at t = 0 is
/// (t κ₀(t) + κ₁(t))/2 = 1/(2π) + t/2 + 3t²/(4π) + 0 t³ + …; at t = −1,
/// κ₀(−1 + s²) = √2 s/π + O(s³) and κ₁(−1 + s²) = O(s³) give c₀ = 0 and c₁ = −√2/(2π) for the
/// normalized kernel in s (the t κ₀ term); with a bias (L = 1, d = 2, σ_b² = 1) the slope
/// at t = 1 is −√6/(10π) (the example).
#[test]
fn small_cases_print_as_the_literature() {
    let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    let c: Vec<String> = maclaurin_expression(&k, 3)
        .unwrap()
        .iter()
        .map(to_text_inline)
        .collect();
    assert_eq!(c, ["1/(2*pi)", "1/2", "3/(4*pi)", "0"]);
    let c: Vec<String> = endpoint_expansion_expression(&k, Endpoint::Minus, 1)
        .unwrap()
        .iter()
        .map(to_text_inline)
        .collect();
    assert_eq!(c, ["0", "-sqrt(2)/(2*pi)"]);
    let m = Mlp::with_bias(1, 1.0, 1.0).unwrap();
    let k = SphereKernel::new(m, KernelKind::Ntk, 2).unwrap();
    let c = endpoint_expansion_expression(&k, Endpoint::Plus, 1).unwrap();
    assert_eq!(to_text_inline(&c[1]), "-sqrt(6)/(10*pi)");
}

/// The deeper constants appear as arc-cosines of earlier constants, not as numbers: the
/// two-layer MLP NTK at t = 0 has κ₁(0) = 1/π inside acos.
#[test]
fn interior_constants_are_symbolic() {
    let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    let c = maclaurin_expression(&k, 1).unwrap();
    let text = to_text_inline(&c[0]);
    assert!(text.contains("acos(1/pi)"), "{text}");
    assert!(!text.contains('.'), "{text}");
}

#[test]
fn limits_are_typed_errors() {
    let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert_eq!(
        maclaurin_expression(&k, MAX_EXPRESSION_ORDER + 1),
        Err(ExactSeriesError::OrderTooLarge {
            order: MAX_EXPRESSION_ORDER + 1,
            max: MAX_EXPRESSION_ORDER
        })
    );
    let deep = MAX_EXPRESSION_WORK / 4 + 1;
    let k = SphereKernel::new(Mlp::new(deep, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert!(matches!(
        endpoint_expansion_expression(&k, Endpoint::Minus, 4),
        Err(ExactSeriesError::TooDeep { depth, .. }) if depth == deep
    ));
    // A closure activation is known only numerically.
    let phi = Activation::closure(ClosureActivation::new("tanh", f64::tanh));
    let net = Serial::new(vec![
        Layer::dense(1.0, 0.0).unwrap(),
        Layer::activation(phi),
        Layer::dense(1.0, 0.0).unwrap(),
    ])
    .unwrap();
    let k = SphereKernel::new(net, KernelKind::Ntk, 2).unwrap();
    assert!(matches!(
        maclaurin_expression(&k, 2),
        Err(ExactSeriesError::NotExpressible { .. } | ExactSeriesError::Float(_))
    ));
}

/// Networks with dyadic parameters (read exactly by both paths), presets and compositions of
/// the built-in activations.
fn dyadic_architecture() -> impl Strategy<Value = Architecture> {
    let w = prop::sample::select(vec![0.5, 1.0, 2.0]);
    let b = prop::sample::select(vec![0.0, 0.25, 0.5]);
    let alpha = prop::sample::select(vec![0.25, 0.5, 1.0, 2.0]);
    let act = prop::sample::select(vec![0usize, 1, 2, 3, 4, 5]);
    prop_oneof![
        (1usize..=3, w.clone(), b.clone())
            .prop_map(|(l, w, b)| Mlp::with_bias(l, w, b).unwrap().into()),
        (1usize..=3, alpha.clone(), w.clone())
            .prop_map(|(l, a, w)| ResNet::new(l, a, w, 1.0).unwrap().into()),
        (1usize..=2, act, w, b, alpha).prop_map(|(l, act, w, b, alpha)| {
            let phi = match act {
                0 => Activation::leaky_relu(0.25).unwrap(),
                1 => Activation::erf(1.0, 0.5, 0.25).unwrap(),
                2 => Activation::abs(),
                3 => Activation::exp(1.0, 0.5).unwrap(),
                4 => Activation::polynomial(&[0.5, 1.0, 0.25]).unwrap(),
                _ => Activation::rectified_monomial(2).unwrap(),
            };
            let mut layers = Vec::new();
            for i in 0..l {
                let block = vec![Layer::dense(w, b).unwrap(), Layer::activation(phi.clone())];
                if i % 2 == 1 {
                    layers.push(Layer::residual(alpha, block).unwrap());
                } else {
                    layers.extend(block);
                }
            }
            layers.push(Layer::dense(1.0, 0.0).unwrap());
            Serial::new(layers).unwrap().into()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The printed coefficients (one list of definitions), read back by the independent
    /// parser, are the `f64` series' coefficients.
    #[test]
    fn printed_coefficients_read_back_as_the_float_series(
        arch in dyadic_architecture(),
        kind in prop::sample::select(vec![KernelKind::Ntk, KernelKind::Nngp]),
        at in prop::sample::select(vec!["0", "-1"]),
        dim in 1usize..=4,
        order in 0usize..=5,
    ) {
        let k = SphereKernel::new(arch, kind, dim).unwrap();
        let want = match at {
            "0" => maclaurin_coefficients_normalized(&k, order + 1),
            _ => endpoint_expansion_normalized(&k, Endpoint::Minus, order),
        };
        let got = expand(&k, at, order);
        let (want, got) = match (want, got) {
            (Ok(w), Ok(g)) => (w, g),
            // Both refuse (e.g. an expansion the series do not support), or the symbolic
            // path forwards the float path's own error.
            (Err(_), Err(ExactSeriesError::Float(_))) => return Ok(()),
            (w, g) => panic!("float {w:?} vs symbolic {g:?}"),
        };
        let printed = print_all(&got, Format::Text);
        let mut env: HashMap<String, f64> = HashMap::new();
        for (name, text) in &printed.definitions {
            prop_assert!(is_valid_name(name), "{name}");
            let v = Parser::new(text, &env).parse().unwrap();
            env.insert(name.clone(), v);
        }
        let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for (j, (text, w)) in printed.expressions.iter().zip(&want).enumerate() {
            let v = Parser::new(text, &env).parse().unwrap();
            prop_assert!((v - w).abs() <= 1e-9 * scale, "c_{j} = {text} = {v} vs {w}");
        }
    }
}

/// c₋ of a ResNet with a small residual scale: the double series at t = −1 against the exact
/// expression (rational arithmetic, evaluated in double-double), down to a = α²/2 = 2^-41.
/// (Below a ≈ 1e-15 the correlation −1/(1+a) of the double recursion rounds to −1 and c₋ is
/// lost — the documented limit of `Decay::c_minus`; the exact expression keeps it.)
#[test]
fn small_residual_scale_c_minus_matches_the_exact_expression() {
    use ntk_sphere::scalar::DoubleDouble;
    use ntk_sphere::symbolic::eval::eval_dd;
    for e in [5i32, 10, 15, 20] {
        let alpha = 2f64.powi(-e);
        let k = SphereKernel::new(ResNet::new(2, alpha, 1.0, 1.0).unwrap(), KernelKind::Ntk, 3)
            .unwrap();
        let c = endpoint_expansion_expression(&k, Endpoint::Minus, 1).unwrap();
        let zero = DoubleDouble::from(0.0);
        let exact = -eval_dd(&c[1], zero, zero).to_f64();
        let (_, c_minus) = ntk_sphere::series::kink_coefficients(&k).unwrap();
        assert!(exact > 0.0);
        assert!(
            (c_minus / exact - 1.0).abs() < 1e-12,
            "α = 2^-{e}: {c_minus} vs {exact}"
        );
    }
}
