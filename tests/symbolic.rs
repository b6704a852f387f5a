//! The symbolic kernel (`ntk_sphere::symbolic`): the closed form derived by running the layer
//! recursion on expressions agrees with the numeric recursion (f64 to 1e-14 and double-double to
//! 1e-28, relative to κ(1), for |t| ≤ 1 − 1e-6), its printed text — read back by an independent
//! parser in this file — evaluates to the same kernel, and the small cases print as the closed
//! forms of the literature.

mod common;

use ntk_sphere::activation::Activation;
use ntk_sphere::arch::{Layer, Serial};
use ntk_sphere::scalar::{DoubleDouble, KernelScalar};
use ntk_sphere::symbolic::eval::{eval_dd, eval_f64};
use ntk_sphere::symbolic::print::print;
use ntk_sphere::symbolic::{Format, kernel_expression};
use ntk_sphere::{Architecture, KernelKind, Mlp, ResNet, SphereKernel};
use proptest::prelude::*;
use std::collections::HashMap;

use common::grammar::{Parser, is_valid_name};
use std::f64::consts::PI;

/// The numeric recursion in double-double: κ(t) (or κ(t)/κ(1)).
fn numeric_dd(k: &SphereKernel, t: f64, normalize: bool) -> DoubleDouble {
    let at = |t: DoubleDouble| {
        let s = k.eval_generic(t);
        s.mantissa.scale_pow2(s.exp2 as i32)
    };
    let v = at(DoubleDouble::from(t));
    if normalize {
        v / at(DoubleDouble::from(1.0))
    } else {
        v
    }
}

/// Networks whose parameters are dyadic (exact doubles), so that the symbolic path (which reads
/// a parameter as the simplest rational rounding to it) and the numeric path use the same
/// numbers and can agree to 1e-28.
fn dyadic_architecture() -> impl Strategy<Value = Architecture> {
    let w = prop::sample::select(vec![0.5, 1.0, 2.0, 3.0]);
    let b = prop::sample::select(vec![0.0, 0.25, 0.5]);
    let alpha = prop::sample::select(vec![0.0, 0.25, 0.5, 1.0, 2.0]);
    let act = prop::sample::select(vec![0usize, 1, 2, 3, 4, 5, 6]);
    prop_oneof![
        (1usize..=4, w.clone(), b.clone())
            .prop_map(|(l, w, b)| Mlp::with_bias(l, w, b).unwrap().into()),
        (1usize..=4, alpha.clone(), w.clone(), w.clone()).prop_map(|(l, a, w, v)| ResNet::new(
            l, a, w, v
        )
        .unwrap()
        .into()),
        (1usize..=3, act, w, b, alpha).prop_map(|(l, act, w, b, alpha)| {
            let phi = match act {
                0 => Activation::leaky_relu(0.25).unwrap(),
                1 => Activation::erf(1.0, 0.5, 0.25).unwrap(),
                2 => Activation::gelu(),
                3 => Activation::abs(),
                4 => Activation::exp(1.0, 0.5).unwrap(),
                5 => Activation::polynomial(&[0.5, 1.0, 0.25]).unwrap(),
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
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The closed form evaluates to the numeric kernel: 1e-14 in f64, 1e-28 in double-double,
    /// relative to κ(1).
    #[test]
    fn symbolic_kernel_matches_numeric_recursion(
        arch in dyadic_architecture(),
        ntk in any::<bool>(),
        normalize in any::<bool>(),
        dim in 1usize..=8,
        mut ts in prop::collection::vec(-1.0 + 1e-6..=1.0 - 1e-6, 4),
    ) {
        // The ends of the range, where the closed form cancels most.
        ts.extend([-1.0 + 1e-6, 1.0 - 1e-6]);
        let kind = if ntk { KernelKind::Ntk } else { KernelKind::Nngp };
        let k = SphereKernel::new(arch, kind, dim).unwrap();
        let e = kernel_expression(&k, normalize).unwrap();
        let scale = numeric_dd(&k, 1.0, normalize).to_f64().abs();
        for t in ts {
            let want = numeric_dd(&k, t, normalize);
            let got = eval_dd(&e, DoubleDouble::from(t), DoubleDouble::from(0.0));
            let err = (got - want).to_f64().abs() / scale;
            prop_assert!(err <= 1e-28, "double-double: t = {t}: error {err:e} ({e})");
            let want64 = if normalize { k.normalized(t).unwrap() } else { k.eval(t).unwrap() };
            let err64 = (eval_f64(&e, t, 0.0) - want64).abs() / scale;
            prop_assert!(err64 <= 1e-14, "f64: t = {t}: error {err64:e}");
        }
    }

    /// The printed text, read back by the independent parser below, is the same kernel
    /// (definitions included).
    #[test]
    fn printed_text_reads_back_as_the_kernel(
        arch in dyadic_architecture(),
        normalize in any::<bool>(),
        dim in 1usize..=5,
        t in -1.0 + 1e-6..=1.0 - 1e-6,
    ) {
        let k = SphereKernel::new(arch, KernelKind::Ntk, dim).unwrap();
        let e = kernel_expression(&k, normalize).unwrap();
        let p = print(&e, Format::Text);
        let mut env: HashMap<String, f64> = HashMap::new();
        env.insert("t".into(), t);
        for (name, text) in &p.definitions {
            prop_assert!(is_valid_name(name), "{name}");
            let v = Parser::new(text, &env).parse().unwrap();
            env.insert(name.clone(), v);
        }
        let got = Parser::new(&p.expression, &env).parse().unwrap();
        let want = if normalize { k.normalized(t).unwrap() } else { k.eval(t).unwrap() };
        let scale = if normalize { 1.0 } else { k.value_at_one().unwrap() };
        prop_assert!((got - want).abs() <= 1e-11 * scale, "{got} vs {want}: {}", p.expression);
    }
}

/// The one-hidden-layer NTK prints as the literature's closed form (Jacot et al. 2018; Bietti
/// & Mairal 2019, eq. (8)): κ(t) = [κ₁(t) + t κ₀(t)]·σ²/d with κ₀ = (π − arccos t)/π and
/// κ₁ = (t(π − arccos t) + √(1−t²))/π — without definitions.
#[test]
fn depth_one_prints_as_the_known_closed_form() {
    let k = SphereKernel::new(Mlp::new(1, 2.0).unwrap(), KernelKind::Ntk, 2).unwrap();
    let p = print(&kernel_expression(&k, false).unwrap(), Format::Text);
    assert!(p.definitions.is_empty());
    assert_eq!(
        p.expression,
        "((t*(pi - acos(t)) + sqrt(1 - t**2))/pi + t*(pi - acos(t))/pi)/2"
    );
    // And it is that function: the hand-written form against the numeric kernel.
    for t in [-0.9, -0.3, 0.0, 0.4, 0.99] {
        let k1 = (t * (PI - f64::acos(t)) + (1.0 - t * t).sqrt()) / PI;
        let k0 = (PI - f64::acos(t)) / PI;
        assert!(((k1 + t * k0) / 2.0 - k.eval(t).unwrap()).abs() < 1e-15);
    }
    let nngp = SphereKernel::new(Mlp::new(1, 2.0).unwrap(), KernelKind::Nngp, 1).unwrap();
    let p = print(&kernel_expression(&nngp, true).unwrap(), Format::Text);
    assert_eq!(p.expression, "(t*(pi - acos(t)) + sqrt(1 - t**2))/pi");
    let latex = print(&kernel_expression(&nngp, true).unwrap(), Format::Latex);
    assert_eq!(
        latex.expression,
        "\\frac{t \\left(\\pi - \\arccos t\\right) + \\sqrt{1 - t^{2}}}{\\pi}"
    );
}

/// Depth 2: one definition, the first layer's π·κ₁(t), and compact otherwise; the expanded
/// size stays linear in the depth (definitions), not 3^L.
#[test]
fn deeper_networks_share_subexpressions() {
    let k = SphereKernel::new(Mlp::new(2, 2.0).unwrap(), KernelKind::Ntk, 1).unwrap();
    let p = print(&kernel_expression(&k, true).unwrap(), Format::Text);
    assert_eq!(
        p.definitions,
        vec![(
            "u1".to_string(),
            "t*(pi - acos(t)) + sqrt(1 - t**2)".to_string()
        )]
    );
    let mut sizes = Vec::new();
    for depth in [4, 8, 16, 32] {
        let k = SphereKernel::new(Mlp::new(depth, 2.0).unwrap(), KernelKind::Ntk, 1).unwrap();
        let p = print(&kernel_expression(&k, true).unwrap(), Format::Text);
        let size: usize =
            p.definitions.iter().map(|(_, d)| d.len()).sum::<usize>() + p.expression.len();
        sizes.push(size);
    }
    // Doubling the depth at most a little more than doubles the printed size.
    for w in sizes.windows(2) {
        assert!(w[1] < 3 * w[0], "{sizes:?}");
    }
}

/// α = 0.1 is exactly 1/10 (α² = 1/100), σ_w² = 1/3 exactly 1/3.
#[test]
fn parameters_are_read_as_simplest_rationals() {
    let k = SphereKernel::new(ResNet::new(1, 0.1, 2.0, 1.0).unwrap(), KernelKind::Nngp, 1).unwrap();
    let p = print(&kernel_expression(&k, false).unwrap(), Format::Text);
    assert!(p.expression.contains("/(100*pi)"), "{}", p.expression);
    let k = SphereKernel::new(Mlp::new(1, 1.0 / 3.0).unwrap(), KernelKind::Nngp, 1).unwrap();
    let p = print(&kernel_expression(&k, false).unwrap(), Format::Text);
    assert!(p.expression.contains("/(6*pi)"), "{}", p.expression);
}

/// A closure activation has no closed form: a typed error, not a NaN expression.
#[test]
fn closure_activations_are_refused() {
    use ntk_sphere::activation::ClosureActivation;
    let phi = Activation::closure(ClosureActivation::new("tanh", f64::tanh));
    let net = Serial::new(vec![
        Layer::dense(1.0, 0.0).unwrap(),
        Layer::activation(phi),
        Layer::dense(1.0, 0.0).unwrap(),
    ])
    .unwrap();
    let k = SphereKernel::new(net, KernelKind::Ntk, 2).unwrap();
    let err = kernel_expression(&k, false).unwrap_err();
    assert!(err.to_string().contains("no closed form"), "{err}");
}
