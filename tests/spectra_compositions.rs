//! Spectra, decay classes, smoothness measures and Schoenberg checks for compositions of
//! layers beyond the ReLU MLP/ResNet: polynomial decay with the singular exponent of the
//! activation, geometric decay of analytic kernels, finite spectra of polynomial networks.

use ntk_sphere::activation::Activation;
use ntk_sphere::arch::{Layer, Serial};
use ntk_sphere::gegenbauer::monomial_eigenvalue;
use ntk_sphere::series::Endpoint;
use ntk_sphere::smoothness::{kernel_smoothness, leading_singularity};
use ntk_sphere::spectrum::{
    DecayClass, decay, mercer_spectrum, schoenberg_all_spheres, schoenberg_sphere,
};
use ntk_sphere::{KernelKind, SphereKernel};

/// Goal for every Mercer eigenvalue (relative).
const SPECTRUM_REL: f64 = 1e-9;

/// Agreement of the measured geometric rate with $1/\rho$ of the Bernstein ellipse (the fit
/// over $k \le 120$ includes the algebraic prefactor $k^p$, so only higher-order corrections
/// remain).
const RATE_REL: f64 = 1e-2;

fn dense() -> Layer {
    Layer::dense(1.0, 0.0).unwrap()
}

fn act(a: Activation) -> Layer {
    Layer::activation(a)
}

/// dense, φ, dense.
fn one_layer(a: Activation) -> Serial {
    Serial::new(vec![dense(), act(a), dense()]).unwrap()
}

/// dense, (φ, dense) × L.
fn mlp(a: Activation, depth: usize) -> Serial {
    let mut v = vec![dense()];
    for _ in 0..depth {
        v.push(act(a.clone()));
        v.push(dense());
    }
    Serial::new(v).unwrap()
}

/// dense, L × residual(α, [dense, leaky_relu(slope), dense]), dense.
fn leaky_resnet(depth: usize, alpha: f64, slope: f64) -> Serial {
    let mut v = vec![dense()];
    for _ in 0..depth {
        v.push(
            Layer::residual(
                alpha,
                vec![
                    dense(),
                    act(Activation::leaky_relu(slope).unwrap()),
                    dense(),
                ],
            )
            .unwrap(),
        );
    }
    v.push(dense());
    Serial::new(v).unwrap()
}

fn kernel(s: Serial, kind: KernelKind, d: usize) -> SphereKernel {
    SphereKernel::new(s, kind, d).unwrap()
}

fn erf() -> Activation {
    Activation::erf(1.0, 1.0, 0.0).unwrap()
}

#[test]
fn singular_exponents_of_rectified_activations() {
    use KernelKind::{Nngp, Ntk};
    let cases = [
        (Activation::relu(), Ntk, 0.5),
        (Activation::relu(), Nngp, 1.5),
        (Activation::rectified_monomial(2).unwrap(), Nngp, 2.5),
        (Activation::rectified_monomial(2).unwrap(), Ntk, 1.5),
        (Activation::rectified_monomial(3).unwrap(), Nngp, 3.5),
        (Activation::rectified_monomial(3).unwrap(), Ntk, 2.5),
        (Activation::sign(), Nngp, 0.5),
        (Activation::leaky_relu(0.1).unwrap(), Ntk, 0.5),
    ];
    for (a, kind, nu) in cases {
        for d in [3usize, 10] {
            let k = kernel(one_layer(a.clone()), kind, d);
            let law = decay(&k, true).unwrap();
            assert_eq!(law.class, DecayClass::Polynomial, "{a:?} {kind:?}");
            assert_eq!(law.nu, nu, "{a:?} {kind:?}");
            assert_eq!(law.exponent, -(d as f64 - 1.0 + 2.0 * nu));
            assert_eq!(law.rate, None);
            let s = leading_singularity(&k, Endpoint::Plus).unwrap().unwrap();
            assert_eq!(s.exponent, nu);
            assert_eq!(-s.coefficient, law.c_plus);
        }
    }
    // Leaky-ReLU ResNet: a square-root kink, both parities non-zero.
    let k = kernel(leaky_resnet(10, 0.5, 0.1), Ntk, 10);
    let law = decay(&k, true).unwrap();
    assert_eq!((law.class, law.nu), (DecayClass::Polynomial, 0.5));
    assert!(law.constant_even.unwrap() > 0.0 && law.constant_odd.unwrap() > 0.0);
}

#[test]
fn polynomial_networks_have_finite_spectra() {
    // dense, (0.1 + x + x^2/2), dense, x^3, dense: NNGP of degree 2 * 3 = 6.
    let s = Serial::new(vec![
        dense(),
        act(Activation::polynomial(&[0.1, 1.0, 0.5]).unwrap()),
        dense(),
        act(Activation::monomial(3).unwrap()),
        dense(),
    ])
    .unwrap();
    let k = kernel(s, KernelKind::Nngp, 5);
    let law = decay(&k, true).unwrap();
    assert_eq!(law.class, DecayClass::Finite);
    assert_eq!(law.rate, Some(0.0));
    assert_eq!(law.degree, Some(6));
    assert_eq!(law.exponent, f64::NEG_INFINITY);
    let sp = mercer_spectrum(&k, 20, true).unwrap();
    assert!(sp.eigenvalues[..=6].iter().all(|e| e.mu > 0.0));
    assert!(
        sp.eigenvalues[7..]
            .iter()
            .all(|e| e.exact_zero && e.mu == 0.0)
    );
    let trace: f64 = sp.eigenvalues.iter().map(|e| e.mu * e.multiplicity).sum();
    assert!((trace - 1.0).abs() < SPECTRUM_REL, "trace {trace}");
}

/// $\ln b_n$ of $\kappa(t)/\kappa(1)$, $\kappa(t) = \arcsin(ct)$: $b_{2m+1} = \binom{2m}{m}
/// c^{2m+1}/(4^m(2m+1))$.
fn ln_asin_coefficient(m: usize, c: f64) -> f64 {
    let mf = m as f64;
    let ln_binom = ntk_sphere::gegenbauer::ln_gamma(2.0 * mf + 1.0)
        - 2.0 * ntk_sphere::gegenbauer::ln_gamma(mf + 1.0);
    ln_binom - mf * 4f64.ln() - (2.0 * mf + 1.0).ln() + (2.0 * mf + 1.0) * c.ln()
}

/// Independent reference for the one-layer erf NNGP, $\kappa(t) = \frac2\pi\arcsin\frac{2t}{d+2}$:
/// the closed-form Maclaurin coefficients against the closed-form $\mu_k(t^n)$, summed in logs.
fn erf_nngp_reference(d: usize, k: usize) -> Option<f64> {
    if k % 2 == 0 {
        return None;
    }
    let c = 2.0 / (d as f64 + 2.0);
    let ln_k1 = c.asin().ln();
    let mut terms = Vec::new();
    let mut n = k;
    loop {
        let t = ln_asin_coefficient((n - 1) / 2, c) + monomial_eigenvalue(d, n, k).unwrap().ln_abs;
        terms.push(t);
        if terms.len() > 20 && t < terms[0] - 60.0 {
            break;
        }
        n += 2;
    }
    let max = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    Some(max + s.ln() - ln_k1)
}

#[test]
fn erf_nngp_spectrum_matches_closed_form_coefficients() {
    for (d, kmax) in [(3usize, 150usize), (10, 150), (100, 60)] {
        let k = kernel(one_layer(erf()), KernelKind::Nngp, d);
        let sp = mercer_spectrum(&k, kmax, true).unwrap();
        let mut smallest = 0.0f64;
        for e in &sp.eigenvalues {
            match erf_nngp_reference(d, e.k) {
                None => assert!(e.exact_zero && e.mu == 0.0, "d={d} k={}", e.k),
                Some(want) => {
                    let got = e.log_mu.unwrap();
                    let rel = (got - want).exp_m1().abs();
                    assert!(
                        rel < SPECTRUM_REL && e.rel_error < SPECTRUM_REL,
                        "d={d} k={} rel {rel:e} est {:e} {:?}",
                        e.k,
                        e.rel_error,
                        e.method
                    );
                    smallest = smallest.min(got);
                }
            }
        }
        // far below the quadrature floor, and still resolved
        assert!(smallest < -100.0, "d={d}: ln mu_min = {smallest}");
    }
}

#[test]
fn analytic_kernels_decay_geometrically() {
    // One-layer erf NNGP: singularities at t = ±(d+2)/2, mu_k ~ k^p rho^{-k},
    // rho = r + sqrt(r^2 - 1).
    for d in [3usize, 10] {
        let k = kernel(one_layer(erf()), KernelKind::Nngp, d);
        let law = decay(&k, true).unwrap();
        assert_eq!(law.class, DecayClass::Geometric);
        assert_eq!(law.exponent, f64::NEG_INFINITY);
        let r = (d as f64 + 2.0) / 2.0;
        let want = 1.0 / (r + (r * r - 1.0).sqrt());
        let rate = law.rate.unwrap();
        assert!(
            (rate / want - 1.0).abs() < RATE_REL,
            "d={d}: {rate} vs {want}"
        );
        let s = kernel_smoothness(&k).unwrap();
        assert_eq!(s.singular_plus, None);
        assert_eq!(s.singular_minus, None);
        assert_eq!(s.decay_class, DecayClass::Geometric);
        assert_eq!(s.c_plus, 0.0);
    }
    for a in [
        erf(),
        Activation::gelu(),
        Activation::sin(1.0, 1.0, 0.3).unwrap(),
        Activation::exp(1.0, 0.5).unwrap(),
        Activation::gaussian(1.0, -0.5).unwrap(),
    ] {
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let k = kernel(mlp(a.clone(), 2), kind, 10);
            let law = decay(&k, true).unwrap();
            assert_eq!(law.class, DecayClass::Geometric, "{a:?} {kind:?}");
            let rate = law.rate.unwrap();
            assert!(rate > 0.0 && rate < 1.0, "{a:?} {kind:?}: rate {rate}");
        }
    }
}

#[test]
fn smooth_spectra_are_resolved_with_log_mu() {
    // erf MLP, L = 3, d = 10: every eigenvalue up to k = 300 to the goal, with ln mu reported.
    for kind in [KernelKind::Ntk, KernelKind::Nngp] {
        let k = kernel(mlp(erf(), 3), kind, 10);
        let sp = mercer_spectrum(&k, 300, true).unwrap();
        for e in &sp.eigenvalues {
            if e.exact_zero {
                continue;
            }
            assert!(
                e.rel_error < SPECTRUM_REL,
                "{kind:?} k={} {:e} {:?}",
                e.k,
                e.rel_error,
                e.method
            );
            assert!(e.log_mu.unwrap().is_finite());
            assert!(e.sign > 0);
        }
        for c in &sp.cross_checks {
            assert!(c.rel_diff < 10.0 * SPECTRUM_REL, "{c:?}");
        }
    }
}

#[test]
fn schoenberg_holds_for_every_composition() {
    let nets = [
        one_layer(erf()),
        mlp(Activation::gelu(), 3),
        mlp(Activation::sin(1.0, 1.0, 0.3).unwrap(), 2),
        one_layer(Activation::sign()),
        one_layer(Activation::rectified_monomial(2).unwrap()),
        leaky_resnet(4, 0.5, 0.1),
        mlp(Activation::polynomial(&[0.1, 1.0, 0.5]).unwrap(), 2),
    ];
    for s in nets {
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let k = kernel(s.clone(), kind, 5);
            assert_eq!(schoenberg_sphere(&k, 60).unwrap(), None, "{kind:?}");
            assert_eq!(schoenberg_all_spheres(&k, 60).unwrap(), None, "{kind:?}");
        }
    }
}

/// The sign network's NNGP kernel is $(2/\pi)\arcsin t$: Maclaurin coefficients
/// $(2/\pi)\binom{2n}{n}4^{-n}/(2n+1)$ at $t^{2n+1}$, and the even ones — the constant term
/// included — exactly zero (an odd kernel).
#[test]
fn sign_kernel_is_odd_with_arcsine_coefficients() {
    use ntk_sphere::series::maclaurin_coefficients;
    for d in [1usize, 3, 10] {
        let k = kernel(one_layer(Activation::sign()), KernelKind::Nngp, d);
        let b = maclaurin_coefficients(&k, 12).unwrap();
        let mut want = 2.0 / std::f64::consts::PI;
        for (j, &bj) in b.iter().enumerate() {
            if j % 2 == 0 {
                assert_eq!(bj, 0.0, "d = {d}: b_{j} = {bj:e}");
            } else {
                let n = (j / 2) as f64;
                if j > 1 {
                    // ratio of consecutive terms: (2n-1)^2 / (2n (2n+1))
                    want *= (2.0 * n - 1.0) * (2.0 * n - 1.0) / (2.0 * n * (2.0 * n + 1.0));
                }
                assert!(
                    (bj - want).abs() <= 1e-15 * want,
                    "d = {d}: b_{j} = {bj} vs {want}"
                );
            }
        }
    }
}

/// $\ln\mu_k$ of $\kappa/\kappa(1)$ for degrees $k\in$ `ks`, independently of the spectrum's
/// power-series route: the coefficients $b_nc^n$ of $\kappa(ct)$ from the public series API
/// (scale `c` and count `n` chosen here, not by the library), summed against the closed-form
/// $\mu_k(t^n)$ in logs.
fn scaled_series_reference(k: &SphereKernel, c: f64, n: usize, ks: &[usize]) -> Vec<f64> {
    use ntk_sphere::scalar::DoubleDouble;
    use ntk_sphere::series::PowerSeries;
    let mut v = vec![0.0; n];
    v[1] = c;
    let s = k.eval_generic(PowerSeries::from_coefficients(v).unwrap());
    let one = k.eval_generic(DoubleDouble::from(1.0));
    let ln2 = std::f64::consts::LN_2;
    let ln_one = one.mantissa.to_f64().ln() + one.exp2 as f64 * ln2;
    let ln_b: Vec<Option<f64>> = s
        .mantissa
        .coefficients()
        .iter()
        .enumerate()
        .map(|(m, &x)| (x > 0.0).then(|| x.ln() + s.exp2 as f64 * ln2 - ln_one - m as f64 * c.ln()))
        .collect();
    ks.iter()
        .map(|&kk| {
            let d = k.dim();
            let terms: Vec<f64> = (kk..ln_b.len())
                .step_by(2)
                .filter_map(|m| Some(ln_b[m]? + monomial_eigenvalue(d, m, kk).ok()?.ln_abs))
                .collect();
            let max = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            // the reference must have converged: its last term (before the coefficients
            // underflow, if they do) is negligible, and the terms decrease beyond it
            assert!(
                terms.last().unwrap() - max < -45.0,
                "k={kk}: {} {max}",
                terms.last().unwrap()
            );
            max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
        })
        .collect()
}

/// The fast paths for analytic compositions (quadrature range not doubled without a tail,
/// Maclaurin probe for underflow, scaled-series length from the fitted radius, series
/// recurrences with partial sums) against independent values, every $\mu_k$ to $10^{-9}$:
/// the quad-double quadrature ([`spectrum_by_method`], no series involved) where it is
/// accurate, and a scaled series with another scale and a generous length up to $k = 1000$.
#[test]
fn analytic_compositions_match_independent_paths() {
    use ntk_sphere::spectrum::{Method, spectrum_by_method};
    let cases = [
        (mlp(erf(), 3), KernelKind::Ntk, 1000usize),
        (mlp(erf(), 2), KernelKind::Nngp, 600),
        (mlp(Activation::gelu(), 2), KernelKind::Ntk, 400),
    ];
    for (net, kind, kmax) in cases {
        let k = kernel(net, kind, 10);
        // scale: 0.8 R, R from the ratio of two Maclaurin coefficients of one parity (the
        // library fits R and uses 0.95 R)
        let b = ntk_sphere::series::maclaurin_coefficients_normalized(&k, 302).unwrap();
        let m = if b[301] > 0.0 { 299 } else { 298 };
        let c = 0.8 * (b[m] / b[m + 2]).sqrt();
        let sp = mercer_spectrum(&k, kmax, true).unwrap();
        let qd = spectrum_by_method(&k, 120.min(kmax), Method::QuadDoubleQuadrature).unwrap();
        let mut checked = 0;
        for (e, q) in sp.eigenvalues.iter().zip(&qd) {
            let Some(q) = q.filter(|q| q.rel_error < 1e-12) else {
                continue;
            };
            let rel = (e.log_mu.unwrap() - q.log_mu).exp_m1().abs();
            assert!(rel < SPECTRUM_REL, "{kind:?} k={} rel {rel:e}", e.k);
            checked += 1;
        }
        assert!(checked > 10, "{kind:?}: {checked} quadrature checks");
        let ks: Vec<usize> = (0..=kmax)
            .filter(|&kk| !sp.eigenvalues[kk].exact_zero)
            .collect();
        let want = scaled_series_reference(&k, c, 2 * kmax + 600, &ks);
        for (&kk, w) in ks.iter().zip(want) {
            let e = &sp.eigenvalues[kk];
            let rel = (e.log_mu.unwrap() - w).exp_m1().abs();
            assert!(
                rel < SPECTRUM_REL && e.rel_error < SPECTRUM_REL,
                "{kind:?} k={kk} rel {rel:e} est {:e} {:?}",
                e.rel_error,
                e.method
            );
        }
    }
}
