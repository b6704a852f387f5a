//! The open kernel algebra: every closed-form dual activation against the quadrature path
//! (independent: it only evaluates φ and φ'), composition identities, and positive
//! definiteness of composed kernels.

use std::f64::consts::PI;

use ntk_sphere::activation::quadrature::{bivariate_expectation, univariate_expectation};
use ntk_sphere::activation::{Activation, ClosureActivation, DualActivation};
use ntk_sphere::arch::{Architecture, CovState, Layer, Serial};
use ntk_sphere::kernel::gram_exact;
use ntk_sphere::scalar::DoubleDouble;
use ntk_sphere::{KernelKind, Mlp, Points, ResNet, SphereKernel};
use proptest::prelude::*;

/// Closed form against quadrature, relative to the scale
/// $\sqrt{\mathbb E[\phi(u)^2]\,\mathbb E[\phi(v)^2]}$ (resp. $\phi'$), for kinked and smooth φ
/// alike, including $|\rho| = 1$ exactly and $1 - |\rho| \in [10^{-15}, 10^{-6}]$. Measured
/// (5000 random covariances per activation and range): at most $6.3\times10^{-14}$
/// ($\mathbb E[\phi'\phi']$ of $0.5\,\mathrm{erf}(2x) + 0.1$; $8.3\times10^{-15}$ for all other
/// maps) for variances in $[0.01, 10]$, and $5.5\times10^{-14}$ on $[0.01, 2]$, where $\sin$
/// and $\cos$ are checked (at most $6.8\times10^{-15}$; see `closed_forms_match_quadrature`).
const DUAL_TOL: f64 = 1e-12;

fn all_activations() -> Vec<Activation> {
    vec![
        Activation::relu(),
        Activation::leaky_relu(0.1).unwrap(),
        Activation::abrelu(-0.3, 1.7).unwrap(),
        Activation::abs(),
        Activation::sign(),
        Activation::rectified_monomial(0).unwrap(),
        Activation::rectified_monomial(2).unwrap(),
        Activation::rectified_monomial(3).unwrap(),
        Activation::erf(1.0, 1.0, 0.0).unwrap(),
        Activation::erf(0.5, 2.0, 0.1).unwrap(),
        Activation::gelu(),
        Activation::sin(1.0, 1.0, 0.0).unwrap(),
        Activation::sin(1.3, 0.7, 0.4).unwrap(),
        Activation::cos(1.0, 1.5, 0.2).unwrap(),
        Activation::gaussian(1.0, -1.0).unwrap(),
        Activation::exp(1.0, 0.5).unwrap(),
        Activation::monomial(3).unwrap(),
        Activation::polynomial(&[0.1, 1.0, 0.5]).unwrap(),
        Activation::identity(),
    ]
}

/// The dual maps by quadrature of φ and φ' only.
fn quadrature_dual(act: &Activation, qx: f64, qy: f64, c: f64) -> (f64, f64, f64, f64) {
    let kinks = act.kinks();
    let f = |x: f64| act.value(x);
    let df = |x: f64| act.derivative(x);
    let e = bivariate_expectation(&f, &f, &kinks, qx, qy, c);
    let ed = bivariate_expectation(&df, &df, &kinks, qx, qy, c);
    let scale = (univariate_expectation(&f, &f, &kinks, qx)
        * univariate_expectation(&f, &f, &kinks, qy))
    .sqrt();
    let dscale = (univariate_expectation(&df, &df, &kinks, qx)
        * univariate_expectation(&df, &df, &kinks, qy))
    .sqrt();
    (e, ed, scale, dscale)
}

fn closed_dual(act: &Activation, qx: f64, qy: f64, c: f64) -> (f64, f64) {
    let dd = |x: f64| DoubleDouble::from(x);
    let (e, ed) = act.dual(&dd(qx), &dd(qy), &dd(c));
    (e.to_f64(), ed.to_f64())
}

fn check_dual(act: &Activation, qx: f64, qy: f64, rho: f64) -> Result<(), TestCaseError> {
    let c = rho * (qx * qy).sqrt();
    let (e, ed) = closed_dual(act, qx, qy, c);
    let (qe, qed, scale, dscale) = quadrature_dual(act, qx, qy, c);
    prop_assert!(
        (e - qe).abs() <= DUAL_TOL * scale.max(f64::MIN_POSITIVE),
        "{}: E[φφ] at ({qx}, {qy}, ρ = {rho}): closed {e:e}, quadrature {qe:e}, scale {scale:e}",
        act.name()
    );
    prop_assert!(
        (ed - qed).abs() <= DUAL_TOL * dscale.max(f64::MIN_POSITIVE),
        "{}: E[φ'φ'] at ({qx}, {qy}, ρ = {rho}): closed {ed:e}, quadrature {qed:e}, scale {dscale:e}",
        act.name()
    );
    Ok(())
}

fn correlation() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1.0..1.0f64,
        Just(1.0),
        Just(-1.0),
        Just(0.0),
        (1e-15..1e-6f64).prop_map(|g| 1.0 - g),
        (1e-15..1e-6f64).prop_map(|g| g - 1.0),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every closed form agrees with the quadrature of its φ and φ' on random covariances,
    /// including nearly degenerate and unequal-variance ones.
    #[test]
    fn closed_forms_match_quadrature(
        lq in -2.0..1.0f64, lq2 in -2.0..1.0f64, rho in correlation(),
    ) {
        // Variances in [0.01, 10]. Oscillating φ = a sin(bx + c), a cos(bx + c) get [0.01, 2]
        // (the same draws mapped linearly in log scale): the quadrature resolves oscillations
        // only near the centres, so they hold 1e-12 only while b²q ≲ 8 (measured for
        // cos(1.5x + 0.2): 6.3e-14 up to q = 3.2, 8.5e-13 up to q = 4, 3.1e-12 up to q = 5,
        // 2.5e-9 up to q = 10; sin(x): 9.8e-13 up to q = 10).
        let log_q = |l: f64, oscillating: bool| {
            if oscillating { -2.0 + (l + 2.0) * (2.3 / 3.0) } else { l }
        };
        for act in all_activations() {
            let name = act.name();
            let oscillating = name.starts_with("sin(") || name.starts_with("cos(");
            let qx = 10f64.powf(log_q(lq, oscillating));
            let qy = 10f64.powf(log_q(lq2, oscillating));
            check_dual(&act, qx, qy, rho)?;
        }
    }
}

/// The diagonal maps: $\mathbb E[\phi(u)^2]$ at $c = q_x = q_y$ against the 1-D quadrature.
#[test]
fn diagonal_maps_match_quadrature() {
    for act in all_activations() {
        for &q in &[0.01, 0.3, 1.0, 4.0] {
            let (e, _) = closed_dual(&act, q, q, q);
            let f = |x: f64| act.value(x);
            let want = univariate_expectation(&f, &f, &act.kinks(), q);
            assert!(
                (e - want).abs() <= DUAL_TOL * want.abs().max(1e-300),
                "{} at q = {q}: {e:e} vs {want:e}",
                act.name()
            );
        }
    }
}

/// Textbook values, independent of both paths: ReLU at ρ = 0 gives $\sqrt{q_xq_y}/(2\pi)$ and
/// $1/4$; sign at ρ = 1/2 gives $(2/\pi)\arcsin(1/2) = 1/3$; erf at unit variances and $c=1/2$
/// gives $(2/\pi)\arcsin(1/3)$; $x^3$ gives $\mathbb E[u^3v^3] = 9c + 6c^3$ at unit variances.
#[test]
fn textbook_values() {
    let (e, ed) = Activation::relu().dual(&2.0_f64, &8.0, &0.0);
    assert!((e - 4.0 / (2.0 * PI)).abs() < 1e-15 && (ed - 0.25).abs() < 1e-16);
    let (e, ed) = Activation::sign().dual(&1.0_f64, &1.0, &0.5);
    assert!((e - 1.0 / 3.0).abs() < 1e-15 && ed == 0.0);
    let (e, _) = Activation::erf(1.0, 1.0, 0.0)
        .unwrap()
        .dual(&1.0_f64, &1.0, &0.5);
    assert!((e - 2.0 / PI * (1.0_f64 / 3.0).asin()).abs() < 1e-15);
    let (e, ed) = Activation::monomial(3).unwrap().dual(&1.0_f64, &1.0, &0.4);
    assert!((e - (9.0 * 0.4 + 6.0 * 0.064)).abs() < 1e-14);
    // φ' = 3x²: E[9u²v²] = 9(1 + 2c²)
    assert!((ed - 9.0 * (1.0 + 2.0 * 0.16)).abs() < 1e-13);
}

fn dense(w: f64, b: f64) -> Layer {
    Layer::dense(w, b).unwrap()
}

fn act(a: Activation) -> Layer {
    Layer::activation(a)
}

fn eval_dd(net: &Serial, t: f64, d: usize) -> (DoubleDouble, DoubleDouble, i64) {
    let inv = DoubleDouble::from(1.0) / DoubleDouble::from(d as f64);
    let s = net.apply(CovState::input(inv, inv, DoubleDouble::from(t) * inv));
    (s.nngp, s.ntk, s.exp2)
}

/// A residual block with α = 0 is the identity; `Serial` is associative (bit for bit);
/// ABReLU(0, 1) and leaky ReLU with slope 0 are the ReLU bit for bit.
#[test]
fn composition_identities() {
    let erf = Activation::erf(1.0, 1.0, 0.0).unwrap();
    let base = Serial::new(vec![
        dense(1.0, 0.1),
        act(erf.clone()),
        dense(2.0, 0.0),
        act(Activation::gelu()),
        dense(1.0, 0.0),
    ])
    .unwrap();
    let with_zero_residual = Serial::new(vec![
        dense(1.0, 0.1),
        act(erf.clone()),
        Layer::residual(
            0.0,
            vec![dense(1.0, 0.0), act(Activation::relu()), dense(1.0, 0.0)],
        )
        .unwrap(),
        dense(2.0, 0.0),
        act(Activation::gelu()),
        dense(1.0, 0.0),
    ])
    .unwrap();
    let nested = Serial::new(vec![
        Layer::Serial(Serial::new(vec![dense(1.0, 0.1), act(erf.clone())]).unwrap()),
        Layer::Serial(
            Serial::new(vec![
                dense(2.0, 0.0),
                Layer::Serial(Serial::new(vec![act(Activation::gelu())]).unwrap()),
            ])
            .unwrap(),
        ),
        dense(1.0, 0.0),
    ])
    .unwrap();
    for &t in &[-1.0, -0.4, 0.0, 0.3, 0.999, 1.0] {
        let a = eval_dd(&base, t, 3);
        assert_eq!(
            a,
            eval_dd(&with_zero_residual, t, 3),
            "residual α = 0 at t = {t}"
        );
        assert_eq!(a, eval_dd(&nested, t, 3), "associativity at t = {t}");
    }
    let relu_net = |a: Activation| {
        Serial::new(vec![
            dense(1.0, 0.0),
            act(a),
            dense(1.5, 0.2),
            act(Activation::relu()),
        ])
        .unwrap()
    };
    for &t in &[-0.9, 0.1, 0.7, 1.0] {
        let r = eval_dd(&relu_net(Activation::relu()), t, 4);
        assert_eq!(
            r,
            eval_dd(&relu_net(Activation::abrelu(0.0, 1.0).unwrap()), t, 4)
        );
        assert_eq!(
            r,
            eval_dd(&relu_net(Activation::leaky_relu(0.0).unwrap()), t, 4)
        );
    }
}

/// The presets are the compositions the docs state: the paper's ResNet written out as layers
/// gives the same kernel bit for bit.
#[test]
fn presets_are_compositions() {
    let block = || {
        Layer::residual(
            0.1,
            vec![dense(1.0, 0.0), act(Activation::relu()), dense(1.0, 0.0)],
        )
        .unwrap()
    };
    let mut layers = vec![dense(1.0, 0.0)];
    layers.extend((0..5).map(|_| block()));
    layers.push(dense(1.0, 0.0));
    let net = Architecture::from(Serial::new(layers).unwrap());
    let a = SphereKernel::new(net, KernelKind::Ntk, 2).unwrap();
    let b = SphereKernel::new(ResNet::new(5, 0.1, 1.0, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
    for i in 0..=20 {
        let t = -1.0 + 0.1 * i as f64;
        assert_eq!(a.eval(t).unwrap(), b.eval(t).unwrap());
    }
    assert!(a.arch().is_homogeneous());
    assert_eq!(a.arch().depth(), 5);
    let mlp = Architecture::from(Mlp::with_bias(3, 1.0, 0.1).unwrap());
    assert_eq!(mlp.homogeneity(), None);
    assert_eq!(mlp.depth(), 3);
}

/// Homogeneity degrees of compositions: ReLU² networks have degree 2 (features scale like
/// $c^2$), sign networks 0, biases or smooth activations none.
#[test]
fn homogeneity_degrees() {
    let net = |layers: Vec<Layer>| Architecture::from(Serial::new(layers).unwrap());
    let relu2 = net(vec![
        dense(1.0, 0.0),
        act(Activation::rectified_monomial(2).unwrap()),
        dense(1.0, 0.0),
    ]);
    assert_eq!(relu2.homogeneity(), Some(2));
    let sign = net(vec![
        dense(1.0, 0.0),
        act(Activation::sign()),
        dense(1.0, 0.0),
    ]);
    assert_eq!(sign.homogeneity(), Some(0));
    let erf = net(vec![
        dense(1.0, 0.0),
        act(Activation::erf(1.0, 1.0, 0.0).unwrap()),
    ]);
    assert_eq!(erf.homogeneity(), None);
    // K(cx, y) = c² K(x, y) for the ReLU² network, checked on the Gram matrix.
    let x = Points::from_rows(&[[0.3, -1.2, 0.5], [1.0, 0.4, -0.2]]).unwrap();
    let cx = Points::from_rows(&[[0.9, -3.6, 1.5], [1.0, 0.4, -0.2]]).unwrap();
    let k = gram_exact(&relu2, KernelKind::Ntk, &x, None).unwrap();
    let kc = gram_exact(&relu2, KernelKind::Ntk, &cx, None).unwrap();
    assert!((kc.get(0, 1) - 9.0 * k.get(0, 1)).abs() <= 1e-14 * kc.get(0, 1).abs());
}

/// A random composed network (dense layers with random variances, activations drawn from the
/// built-ins, optional residual blocks).
fn random_net() -> impl Strategy<Value = Architecture> {
    let activation = prop_oneof![
        Just(Activation::relu()),
        Just(Activation::leaky_relu(0.2).unwrap()),
        Just(Activation::abs()),
        Just(Activation::erf(1.0, 1.0, 0.0).unwrap()),
        Just(Activation::gelu()),
        Just(Activation::sin(1.0, 1.0, 0.3).unwrap()),
        Just(Activation::gaussian(1.0, -0.5).unwrap()),
        Just(Activation::rectified_monomial(2).unwrap()),
        Just(Activation::polynomial(&[0.2, 1.0, 0.3]).unwrap()),
    ];
    let block = (
        activation,
        0.2..2.0f64,
        0.0..0.5f64,
        any::<bool>(),
        0.0..1.5f64,
    );
    proptest::collection::vec(block, 1..4).prop_map(|blocks| {
        let mut layers = vec![dense(1.0, 0.0)];
        for (a, w, b, residual, alpha) in blocks {
            if residual {
                layers.push(
                    Layer::residual(alpha, vec![dense(w, b), act(a), dense(1.0, 0.0)]).unwrap(),
                );
            } else {
                layers.push(act(a));
                layers.push(dense(w, b));
            }
        }
        Architecture::from(Serial::new(layers).unwrap())
    })
}

/// Smallest allowed Gram eigenvalue, relative to the largest (rounding of the entries).
const PSD_TOL: f64 = 1e-11;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Schoenberg: every composed kernel is positive semidefinite — the Gram matrix of random
    /// points of the sphere has no eigenvalue below $-10^{-11}\lambda_{\max}$.
    #[test]
    fn composed_kernels_are_positive_definite(net in random_net(), seed in 0u64..1000) {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let n = 12;
        let d = 3;
        let mut data = Vec::with_capacity(n * d);
        for _ in 0..n {
            let v: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-3);
            data.extend(v.iter().map(|x| x / norm));
        }
        let x = Points::new(data, n, d).unwrap();
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let k = gram_exact(&net, kind, &x, None).unwrap();
            let m = faer::Mat::<f64>::from_fn(n, n, |i, j| k.get(i, j));
            let eig = m.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
            let max = eig.iter().cloned().fold(0.0, f64::max);
            let min = eig.iter().cloned().fold(f64::INFINITY, f64::min);
            prop_assert!(min >= -PSD_TOL * max, "{net:?} {kind:?}: eigenvalues in [{min:e}, {max:e}]");
        }
    }
}

/// A closure activation (ReLU given as a closure with its kink) reproduces the built-in ReLU
/// network kernel to the f64 accuracy the docs state.
#[test]
fn closure_activation_network_matches_builtin() {
    let relu = ClosureActivation::new("relu_closure", |x: f64| x.max(0.0))
        .with_derivative(|x: f64| if x > 0.0 { 1.0 } else { 0.0 })
        .with_kinks(&[0.0]);
    let net = |a: Activation| {
        Architecture::from(
            Serial::new(vec![
                dense(1.0, 0.0),
                act(a.clone()),
                dense(1.0, 0.0),
                act(a),
                dense(1.0, 0.0),
            ])
            .unwrap(),
        )
    };
    let a = SphereKernel::new(net(Activation::closure(relu)), KernelKind::Ntk, 3).unwrap();
    let b = SphereKernel::new(net(Activation::relu()), KernelKind::Ntk, 3).unwrap();
    let scale = b.eval(1.0).unwrap();
    for &t in &[-1.0, -0.5, 0.0, 0.5, 0.9, 1.0] {
        let (x, y) = (a.eval(t).unwrap(), b.eval(t).unwrap());
        assert!((x - y).abs() <= 1e-11 * scale, "t = {t}: {x} vs {y}");
    }
}

/// `relu_expectations` (the f64 ReLU dual maps of the finite-width code) against the kink-aware
/// quadrature of max(x, 0) and its step derivative, and its zero-variance convention.
#[test]
fn relu_expectations_match_quadrature() {
    use ntk_sphere::activation::relu_expectations;
    let relu = |x: f64| x.max(0.0);
    let step = |x: f64| if x > 0.0 { 1.0 } else { 0.0 };
    for &(qx, qy, rho) in &[
        (1.0, 1.0, 0.0),
        (0.3, 2.0, 0.7),
        (1.5, 0.2, -0.4),
        (0.5, 0.5, 1.0),
        (2.0, 1.0, -1.0),
    ] {
        let c = rho * f64::sqrt(qx * qy);
        let (e, ed) = relu_expectations(qx, qy, c);
        let want_e = bivariate_expectation(&relu, &relu, &[0.0], qx, qy, c);
        let want_ed = bivariate_expectation(&step, &step, &[0.0], qx, qy, c);
        let scale = f64::sqrt(qx * qy) / 2.0;
        assert!(
            (e - want_e).abs() <= 1e-12 * scale,
            "({qx}, {qy}, {rho}): {e} vs {want_e}"
        );
        assert!(
            (ed - want_ed).abs() <= 1e-12,
            "({qx}, {qy}, {rho}): {ed} vs {want_ed}"
        );
    }
    // The two entries are not interchangeable: at ρ = 0, sqrt(qx qy)/(2π) and 1/4.
    let (e, ed) = relu_expectations(4.0, 1.0, 0.0);
    assert!((e - 2.0 / (2.0 * PI)).abs() < 1e-15 && (ed - 0.25).abs() < 1e-15);
    assert_eq!(relu_expectations(0.0, 1.0, 0.0), (0.0, 0.0));
}

/// `ResNet::with_depth_scaling(L, γ, …)` is the ResNet with α = L^(−γ) (α = 1 at L = 0), and a
/// non-finite γ is an error.
#[test]
fn depth_scaling_preset() {
    for (depth, gamma) in [
        (1usize, 0.5),
        (4, 0.5),
        (100, 1.0),
        (7, 0.0),
        (0, 0.5),
        (9, -0.5),
    ] {
        let r = ResNet::with_depth_scaling(depth, gamma, 1.5, 0.5).unwrap();
        let alpha = if depth == 0 {
            1.0
        } else {
            (depth as f64).powf(-gamma)
        };
        assert_eq!(
            r,
            ResNet::new(depth, alpha, 1.5, 0.5).unwrap(),
            "L = {depth}, γ = {gamma}"
        );
    }
    assert_eq!(
        ResNet::with_depth_scaling(16, 0.5, 1.0, 1.0)
            .unwrap()
            .alpha(),
        0.25
    );
    assert!(ResNet::with_depth_scaling(4, f64::NAN, 1.0, 1.0).is_err());
    assert!(ResNet::with_depth_scaling(4, f64::INFINITY, 1.0, 1.0).is_err());
}
