//! Reliability: no public entry point panics or returns a non-finite number inside `Ok`
//! (except values documented as exact, like ln 0 = -inf), for extreme arguments: 0, ±huge,
//! subnormal, NaN, ±inf, `usize::MAX` counts. Regression tests for the cases the audit found
//! first, then property tests over the main entry points (fixed case counts; the seed is set
//! in .cargo/config.toml).

use ntk_sphere::empirical::{EmpiricalError, FiniteNetwork};
use ntk_sphere::gegenbauer::{
    GegenbauerError, gauss_sphere, gegenbauer, gegenbauer_derivative, one_minus_pow_eigenvalue,
    times_t_into,
};
use ntk_sphere::kernel::gram;
use ntk_sphere::regression::{KernelRegressor, RegressionError};
use ntk_sphere::series::maclaurin_coefficients;
use ntk_sphere::smoothness::closed_form::{DepthLimit, DepthRegime, depth_limit};
use ntk_sphere::smoothness::{kernel_smoothness, normalized_profile};
use ntk_sphere::spectrum::{SpectrumError, decay, mercer_spectrum};
use ntk_sphere::{Architecture, KernelError, KernelKind, Mlp, Points, ResNet, SphereKernel};
use proptest::prelude::*;

fn kernel(arch: impl Into<Architecture>, kind: KernelKind, d: usize) -> SphereKernel {
    SphereKernel::new(arch, kind, d).unwrap()
}

/// The normalized MLP kernel does not depend on σ_w² (each layer multiplies both κ(t) and κ(1)
/// by σ_w²): σ_w² = 1e±300 and subnormal give the values of σ_w² = 1, where the recursion used to
/// overflow to NaN.
#[test]
fn normalized_mlp_kernel_is_independent_of_extreme_sigma_w2() {
    for depth in [1, 3, 50] {
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let reference = kernel(Mlp::new(depth, 1.0).unwrap(), kind, 3);
            for sw in [1e300, 1e308, f64::MAX, 1e-300, 5e-324] {
                let k = kernel(Mlp::new(depth, sw).unwrap(), kind, 3);
                for t in [-1.0, -0.3, 0.0, 0.3, 0.99, 1.0] {
                    let (a, b) = (k.normalized(t).unwrap(), reference.normalized(t).unwrap());
                    assert!(
                        (a - b).abs() <= 1e-15,
                        "L={depth} sw={sw:e} t={t}: {a} vs {b}"
                    );
                }
                let (a, b) = (
                    k.normalized_angle(1.0).unwrap(),
                    reference.normalized_angle(1.0).unwrap(),
                );
                assert!((a - b).abs() <= 1e-15);
                let p = normalized_profile(&k, 7).unwrap();
                let q = normalized_profile(&reference, 7).unwrap();
                for (a, b) in p.value.iter().zip(&q.value) {
                    assert!((a - b).abs() <= 1e-15);
                }
                // log2 |κ| is finite and shifted by L log2 σ_w² exactly (up to rounding).
                let l2 = k.log2_abs(0.3).unwrap();
                let want = reference.log2_abs(0.3).unwrap() + depth as f64 * sw.log2();
                assert!(
                    (l2 - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{l2} vs {want}"
                );
            }
        }
    }
}

/// The same for huge and tiny residual scales: the kernel is evaluated, not NaN.
#[test]
fn resnet_extreme_alpha_is_finite() {
    for alpha in [1e-200, 1e-160, 1e150] {
        let r = ResNet::new(3, alpha, 1.0, 1.0).unwrap();
        let k = kernel(r, KernelKind::Ntk, 3);
        // (Not t = 0, where κ(0) ~ α² is below the common exponent of the state.)
        for t in [-1.0, -0.5, 0.5, 1.0] {
            let v = k.normalized(t).unwrap();
            assert!(
                v.is_finite() && v.abs() <= 1.0 + 1e-12,
                "alpha={alpha:e} t={t}: {v}"
            );
            assert!(k.log2_abs(t).unwrap().is_finite());
        }
    }
}

#[test]
fn unnormalized_spectrum_overflow_is_an_error() {
    let k = kernel(Mlp::new(1000, 1e10).unwrap(), KernelKind::Ntk, 3);
    match mercer_spectrum(&k, 4, false) {
        Err(SpectrumError::EigenvalueOverflow { k: 0, log10_abs }) => {
            assert!(log10_abs > 9000.0, "{log10_abs}");
        }
        other => panic!("{other:?}"),
    }
    let s = mercer_spectrum(&k, 4, true).unwrap();
    assert!(s.mu().iter().all(|m| m.is_finite()));
    let msg = mercer_spectrum(&k, 4, false).unwrap_err().to_string();
    assert!(msg.contains("mu_0") && msg.contains("normalized"), "{msg}");
}

#[test]
fn gegenbauer_extremes_are_errors_not_nan() {
    assert!(gauss_sphere(2000, 100001).is_err());
    if let Ok(r) = gauss_sphere(200, 100001) {
        assert!(r.nodes().iter().chain(r.weights()).all(|x| x.is_finite()));
    }
    match gegenbauer(1e308, 5, 0.3) {
        Err(GegenbauerError::OutOfRange { name: "lambda", .. }) => {}
        other => panic!("{other:?}"),
    }
    // C_100^(1e300)(0.3) ~ (2 lambda t)^100 / 100! overflows: a typed error with its size.
    match gegenbauer(1e300, 100, 0.9) {
        Err(GegenbauerError::ValueOverflow { log10_abs, .. }) => assert!(log10_abs > 308.0),
        other => panic!("{other:?}"),
    }
    assert!(gegenbauer_derivative(1e300, 100, 0.9).is_err());
    // The LogValue of one_minus_pow_eigenvalue is finite in ln even where the value is not.
    for (nu, k) in [(usize::MAX as f64, 30), (1e300, 30), (0.5, usize::MAX)] {
        if let Ok(v) = one_minus_pow_eigenvalue(4, nu, k) {
            assert!(v.ln_abs.is_finite(), "nu={nu:e} k={k}: {v:?}");
        }
    }
    let mut out = [];
    let msg = times_t_into(3, &[], &mut out).unwrap_err().to_string();
    assert_eq!(msg, "buffer `mu` is empty (need at least one value)");
}

#[test]
fn depth_limit_extremes() {
    match depth_limit(DepthRegime::InverseSqrtDepth, 1e308).unwrap() {
        DepthLimit::Finite(v) => assert!(v.is_finite() && v > 1e306, "{v}"),
        other => panic!("{other:?}"),
    }
    for (alpha, sigma2, why) in [
        (1e300, 1e308, "overflows f64"),
        (5e-324, 1e-300, "underflows to 0"),
        (1e300, 5e-324, "underflows to 0"),
        (0.0, 1.0, "need a finite alpha > 0"),
    ] {
        let e = depth_limit(DepthRegime::FixedAlpha(alpha), sigma2).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("alpha = "), "{msg}");
        // the message says which: an invalid alpha, or a = α²σ²/2 out of range
        assert!(msg.contains(why), "{msg}");
        assert!(!msg.contains("NaN") && !msg.contains("= inf"), "{msg}");
    }
}

#[test]
fn empirical_overflow_is_an_error() {
    let x = Points::new(vec![1.0, 0.0, 0.0, 0.0, 1e300, 0.0], 2, 3).unwrap();
    for arch in [
        Architecture::from(Mlp::new(2, 1e300).unwrap()),
        Architecture::from(ResNet::new(2, 1.0, 1e300, 1.0).unwrap()),
        Architecture::from(Mlp::new(5, 1e-300).unwrap()),
    ] {
        let net = FiniteNetwork::sample(&arch, 3, 4, 1).unwrap();
        match net.forward(&x) {
            Ok(v) => assert!(v.iter().all(|y| y.is_finite())),
            Err(EmpiricalError::NonFinite { .. }) => {}
            other => panic!("{other:?}"),
        }
        match net.empirical_ntk(&x, None) {
            Err(EmpiricalError::NonFinite { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn regression_overflow_is_an_error() {
    // Kernel values ~1e-200, targets ~1e300: coefficients ~1e500.
    let k = kernel(Mlp::new(2, 1e-100).unwrap(), KernelKind::Ntk, 2);
    let x = Points::new(vec![1.0, 0.0, 0.0, 1.0], 2, 2).unwrap();
    match KernelRegressor::fit(&k, &x, &[1e300, -1e300], 0.0) {
        Err(RegressionError::Overflow { quantity, .. }) => assert_eq!(quantity, "coefficient"),
        other => panic!("{other:?}"),
    }
    // Coincident points with targets near f64::MAX: the mean does not overflow.
    let y = Points::new(vec![1.0, 0.0, 1.0, 0.0], 2, 2).unwrap();
    let k1 = kernel(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 2);
    let f = KernelRegressor::fit(&k1, &y, &[1e308, 1e308], 1.0).unwrap();
    assert!(f.center_targets()[0] == 1e308);
    assert!(f.coefficients().iter().all(|c| c.is_finite()));
}

/// Messages: which way a value left f64, no 2^NaN, no 300-digit decimals.
#[test]
fn kernel_messages() {
    let k = kernel(Mlp::new(3, 1e300).unwrap(), KernelKind::Ntk, 3);
    let msg = k.eval(1.0).unwrap_err().to_string();
    assert!(
        msg.contains("does not fit in f64 (overflow)") && msg.contains("10^89"),
        "{msg}"
    );
    assert!(!msg.contains("NaN") && !msg.contains("--"), "{msg}");
    let k = kernel(Mlp::new(3, 1e-300).unwrap(), KernelKind::Ntk, 3);
    let msg = k.eval(1.0).unwrap_err().to_string();
    assert!(msg.contains("(underflow of a non-zero value)"), "{msg}");
    let e = KernelError::NotRepresentable { log2_abs: f64::NAN };
    assert_eq!(e.to_string(), "kernel value does not fit in f64");
    let e = KernelError::AngleOutOfRange { theta: 1e300 };
    assert_eq!(e.to_string(), "angle theta must lie in [0, pi], got 1e300");
    let e = KernelError::InnerProductOutOfRange { u: -1e-300 };
    assert!(e.to_string().contains("t = -1e-300"), "{e}");
    let e = KernelError::DerivativeUndefined { u: -1e300 };
    assert_eq!(
        e.to_string(),
        "the kernel derivative is defined for u in (-1, 1), got -1e300"
    );
    let e = RegressionError::InvalidRidge { ridge: -1e-300 };
    assert_eq!(e.to_string(), "ridge must be finite and >= 0, got -1e-300");
    let e = Mlp::new(2, -1e300).unwrap_err();
    assert_eq!(e.to_string(), "sigma-w2 must be finite and > 0, got -1e300");
    let x = Points::new(vec![1.0, 0.0, 1.0, 0.0], 2, 2).unwrap();
    let k1 = kernel(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 2);
    let msg = KernelRegressor::fit(&k1, &x, &[0.0, 1e300], 0.0)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("targets 0 and 1e300"), "{msg}");
    assert_eq!(
        KernelError::ZeroNormalization.to_string(),
        "kernel value at t = 1 is exactly zero (not an underflow: values carry their own \
         exponent); the kernel cannot be normalized"
    );
}

/// The derivative at an interior u that fails is reported as the kink of an inner layer, not
/// as "defined for u in (-1, 1), got 0.3".
#[test]
fn derivative_messages() {
    let k = kernel(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3);
    let msg = k.derivative(1.0).unwrap_err().to_string();
    assert!(msg.contains("(-1, 1), got 1"), "{msg}");
    for depth in [200, 2000, 20000] {
        let k = kernel(Mlp::new(depth, 1.0).unwrap(), KernelKind::Ntk, 3);
        for t in [0.3, 0.999_999] {
            match k.derivative(t) {
                Ok(v) => assert!(v.is_finite()),
                Err(e) => {
                    let msg = e.to_string();
                    assert!(!msg.contains("defined for u in"), "{msg}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------- property tests

fn extreme_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(-f64::MAX),
        Just(1e300),
        Just(1e-300),
        Just(5e-324),
        Just(f64::MIN_POSITIVE),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1.0),
        Just(2.0),
        -3.0..3.0f64,
        any::<f64>(),
    ]
}

fn variance() -> impl Strategy<Value = f64> {
    prop_oneof![extreme_f64(), 0.01..100.0f64]
}

fn inner() -> impl Strategy<Value = f64> {
    prop_oneof![
        extreme_f64(),
        -1.0..=1.0f64,
        Just(-1.0),
        Just(1.0 + f64::EPSILON)
    ]
}

fn count() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(1),
        Just(usize::MAX),
        Just(usize::MAX / 2),
        0..8usize
    ]
}

fn kind() -> impl Strategy<Value = KernelKind> {
    prop_oneof![Just(KernelKind::Ntk), Just(KernelKind::Nngp)]
}

/// An architecture from possibly invalid parameters (`None` if rejected).
fn arch() -> impl Strategy<Value = Option<Architecture>> {
    prop_oneof![
        (0..6usize, variance()).prop_map(|(l, w)| Mlp::new(l, w).ok().map(Architecture::from)),
        (0..6usize, variance(), variance())
            .prop_map(|(l, w, b)| Mlp::with_bias(l, w, b).ok().map(Architecture::from)),
        (0..6usize, variance(), variance(), variance()).prop_map(|(l, a, w, v)| ResNet::new(
            l, a, w, v
        )
        .ok()
        .map(Architecture::from)),
        (prop_oneof![Just(50usize), Just(400)], variance())
            .prop_map(|(l, w)| Mlp::new(l, w).ok().map(Architecture::from)),
    ]
}

fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(1),
        Just(2),
        Just(3),
        Just(10),
        Just(1000),
        Just(usize::MAX)
    ]
}

fn finite_ok<T: std::fmt::Debug, E: std::fmt::Debug>(
    what: &str,
    r: &Result<T, E>,
    values: impl Fn(&T) -> Vec<f64>,
) {
    if let Ok(v) = r {
        for x in values(v) {
            assert!(x.is_finite(), "{what}: non-finite {x} in Ok({v:?})");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn kernel_values(a in arch(), kind in kind(), d in dim(), t in inner(), theta in extreme_f64()) {
        let Some(a) = a else { return Ok(()) };
        let Ok(k) = SphereKernel::new(a, kind, d) else { return Ok(()) };
        finite_ok("eval", &k.eval(t), |v| vec![*v]);
        finite_ok("eval_angle", &k.eval_angle(theta), |v| vec![*v]);
        finite_ok("normalized", &k.normalized(t), |v| vec![*v]);
        finite_ok("normalized_angle", &k.normalized_angle(theta), |v| vec![*v]);
        finite_ok("derivative", &k.derivative(t), |v| vec![*v]);
        // log2 |κ| is -inf exactly for an exact zero.
        if let Ok(l) = k.log2_abs(t) {
            prop_assert!(l.is_finite() || (l == f64::NEG_INFINITY && k.eval(t) == Ok(0.0)));
        }
    }

    #[test]
    fn gram_and_points(a in arch(), kind in kind(), c in prop::collection::vec(extreme_f64(), 0..7),
                       n in count(), dm in count()) {
        let _ = Points::new(c.clone(), n, dm);
        let Some(a) = a else { return Ok(()) };
        if a.depth() > 6 { return Ok(()) }
        let k = c.len();
        let dim = if k >= 2 { 2 } else { 1 };
        if let Ok(p) = Points::new(c[..k - k % dim].to_vec(), k / dim, dim) {
            finite_ok("gram", &gram(&a, kind, &p, None), |m| m.data.clone());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn spectra_and_series(a in arch(), kind in kind(), d in dim(), kmax in count(),
                          normalized in any::<bool>()) {
        let Some(a) = a else { return Ok(()) };
        if a.depth() > 6 { return Ok(()) }
        let Ok(k) = SphereKernel::new(a, kind, d) else { return Ok(()) };
        let kmax = kmax.min(12) | (kmax & (1 << 40));
        finite_ok("mercer_spectrum", &mercer_spectrum(&k, kmax, normalized), |s| {
            s.eigenvalues.iter().flat_map(|e| [e.mu, e.rel_error, e.log_multiplicity]).collect()
        });
        finite_ok("maclaurin", &maclaurin_coefficients(&k, kmax.min(20)), |c| c.clone());
        // A decay constant that does not fit in f64 (large d) is None, its logarithm finite;
        // the exponent is -inf only for decay faster than any power (then nu = inf).
        let law = decay(&k, normalized);
        finite_ok("decay", &law, |l| vec![l.c_plus, l.c_minus]);
        if let Ok(l) = law {
            prop_assert!(!l.exponent.is_nan() && !l.nu.is_nan());
            prop_assert_eq!(l.exponent == f64::NEG_INFINITY, l.nu == f64::INFINITY);
            for (c, lc) in [(l.constant_even, l.log_constant_even), (l.constant_odd, l.log_constant_odd)] {
                prop_assert!(c.is_none_or(f64::is_finite), "constant {:?}", c);
                prop_assert!(lc.is_none_or(f64::is_finite), "log constant {:?}", lc);
                prop_assert!(c.is_some() || lc.is_some(), "neither constant nor its log");
            }
        }
        finite_ok("kernel_smoothness", &kernel_smoothness(&k), |s| {
            vec![s.c_plus, s.c_minus, s.slope_at_zero]
        });
        finite_ok("normalized_profile", &normalized_profile(&k, kmax), |p| p.value.clone());
    }

    #[test]
    fn gegenbauer_functions(lambda in extreme_f64(), k in count(), t in inner(), n in count(),
                            d in dim(), nu in extreme_f64()) {
        let k = if k > 100_000 { k } else { k * 13 };
        finite_ok("gegenbauer", &gegenbauer(lambda, k.min(1 << 20), t), |v| vec![*v]);
        finite_ok("gegenbauer_derivative", &gegenbauer_derivative(lambda, k.min(4000), t),
                  |v| vec![*v]);
        finite_ok("gauss_sphere", &gauss_sphere(n.min(300) | (n & (1 << 40)), d.min(1 << 17)),
                  |r| r.nodes().iter().chain(r.weights()).copied().collect());
        if let Ok(v) = one_minus_pow_eigenvalue(d.min(1 << 17), nu, k) {
            prop_assert!(v.ln_abs.is_finite() || (v.sign == 0 && v.ln_abs == f64::NEG_INFINITY));
        }
    }

    #[test]
    fn closed_forms(alpha in extreme_f64(), sigma2 in extreme_f64()) {
        for regime in [DepthRegime::FixedAlpha(alpha), DepthRegime::InverseSqrtDepth,
                       DepthRegime::InverseDepth] {
            finite_ok("depth_limit", &depth_limit(regime, sigma2), |l| match *l {
                DepthLimit::Linear { slope, offset } => vec![slope, offset],
                DepthLimit::Finite(v) | DepthLimit::InverseDepth(v) => vec![v],
            });
        }
    }

    #[test]
    fn regression_fit_predict(a in arch(), kind in kind(), theta in prop::collection::vec(extreme_f64(), 0..5),
                              y in prop::collection::vec(extreme_f64(), 0..5),
                              ridge in extreme_f64(), eps in prop_oneof![Just(0.0), Just(1e-12), Just(1e-7)]) {
        let Some(a) = a else { return Ok(()) };
        let Ok(k) = SphereKernel::new(a, kind, 2) else { return Ok(()) };
        // Angles with a nearly coincident pair.
        let mut th: Vec<f64> = theta.iter().map(|t| if t.is_finite() { t % 7.0 } else { *t }).collect();
        if let Some(&t0) = th.first() { th.push(t0 + eps); }
        let y: Vec<f64> = y.iter().cycle().take(th.len()).copied().collect();
        let fit = KernelRegressor::fit_angles(&k, &th, &y, ridge);
        finite_ok("fit", &fit, |f| f.coefficients().to_vec());
        if let Ok(f) = fit {
            finite_ok("predict", &f.predict_angles(&[0.0, 1.0, 3.0]), |p| p.clone());
        }
    }

    #[test]
    fn empirical_networks(a in arch(), width in prop_oneof![Just(0usize), Just(1), Just(3), Just(usize::MAX)],
                          d in prop_oneof![Just(0usize), Just(1), Just(3), Just(usize::MAX)],
                          c in prop::collection::vec(extreme_f64(), 6)) {
        let Some(a) = a else { return Ok(()) };
        if a.depth() > 6 { return Ok(()) }
        let Ok(net) = FiniteNetwork::sample(&a, d, width, 7) else { return Ok(()) };
        let Ok(x) = Points::new(c[..2 * d.min(3)].to_vec(), 2, d.min(3)) else { return Ok(()) };
        finite_ok("forward", &net.forward(&x), |v| v.clone());
        finite_ok("empirical_ntk", &net.empirical_ntk(&x, None), |m| m.data.clone());
        finite_ok("gradient", &net.gradient(&x, &[1.0, -1.0]), |g| {
            g.iter().flat_map(|m| (0..m.ncols()).flat_map(move |j| (0..m.nrows()).map(move |i| m[(i, j)]))).collect()
        });
    }
}
