//! Integration and property tests of `ntk_sphere::gegenbauer`.
//!
//! Tolerances (all named here, used everywhere below):
//! * [`REL`]: relative accuracy of double-precision identities at moderate degree (recurrence,
//!   ODE, derivative identity, closed forms against each other).
//! * [`QUAD`]: accuracy of Gauss-rule integrals of polynomials and of analytic integrands.
//! * [`TABLE`]: published 15-digit tables (Abramowitz & Stegun 25.4) are rounded to 1e-15.
//! * [`FIXTURE`]: relative agreement with the 40-digit mpmath fixture (nodes and weights).
//! * [`SINGULAR`]: quadrature of the endpoint-singular $(1\mp t)^\nu$ after the $\theta=v^4$
//!   substitution (algebraic, not exponential, convergence).
//! * [`MC_SIGMAS`]: Monte-Carlo checks allow this many estimated standard errors.

mod common;

use approx::assert_relative_eq;
use common::NTK2_D3_EIGENVALUES;
use ntk_sphere::gegenbauer::*;
use proptest::prelude::*;
use rand::{SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

const REL: f64 = 1e-12;
const QUAD: f64 = 1e-13;
const TABLE: f64 = 1e-15;
const FIXTURE: f64 = 2e-14;
const SINGULAR: f64 = 1e-10;
const MC_SIGMAS: f64 = 6.0;

fn random_unit(rng: &mut StdRng, d: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
    let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    v.into_iter().map(|a| a / n).collect()
}

/// Exact moment $\int_{-1}^1 t^{2j}(1-t^2)^{\lambda-1/2}dt = \Gamma(j+1/2)\Gamma(\lambda+1/2)/\Gamma(j+\lambda+1)$.
fn even_moment(j: usize, lambda: f64) -> f64 {
    (ln_gamma(j as f64 + 0.5) + ln_gamma(lambda + 0.5) - ln_gamma(j as f64 + lambda + 1.0)).exp()
}

// ---------------------------------------------------------------- polynomials

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn three_term_recurrence(d in 2usize..60, k in 1usize..300, t in -1.0f64..=1.0) {
        let p = legendre_all(d, k + 1, t).unwrap();
        let (kf, df) = (k as f64, d as f64);
        // t P_k = k/(2k+d-2) P_{k-1} + (k+d-2)/(2k+d-2) P_{k+1}
        let rhs = (kf * p[k - 1] + (kf + df - 2.0) * p[k + 1]) / (2.0 * kf + df - 2.0);
        prop_assert!((t * p[k] - rhs).abs() <= REL * 10.0, "{} vs {}", t * p[k], rhs);
        // single-degree evaluator agrees with the all-degrees one
        prop_assert!((legendre(d, k, t).unwrap() - p[k]).abs() <= REL);
        // |P_k| <= 1 on [-1, 1]
        prop_assert!(p.iter().all(|v| v.abs() <= 1.0 + REL));
    }

    #[test]
    fn legendre_ode(d in 2usize..40, k in 0usize..80, t in -0.999f64..0.999) {
        let [p, dp, d2p] = legendre_derivatives(d, k, t).unwrap();
        let (kf, df) = (k as f64, d as f64);
        let lhs = (1.0 - t * t) * d2p + (1.0 - df) * t * dp + kf * (kf + df - 2.0) * p;
        let scale = (1.0 - t * t) * d2p.abs() + df * dp.abs() + kf * (kf + df - 2.0) + 1.0;
        prop_assert!(lhs.abs() <= REL * scale, "residual {lhs} scale {scale}");
    }

    #[test]
    fn gegenbauer_derivative_identity(lambda in 0.05f64..10.0, k in 1usize..60, t in -1.0f64..=1.0) {
        // d/dt C_k^lambda = 2 lambda C_{k-1}^{lambda+1}   (Szegő (4.7.14))
        let lhs = gegenbauer_derivative(lambda, k, t).unwrap();
        let rhs = 2.0 * lambda * gegenbauer(lambda + 1.0, k - 1, t).unwrap();
        let scale = 2.0 * lambda * gegenbauer_at_one(lambda + 1.0, k - 1).unwrap().value();
        prop_assert!((lhs - rhs).abs() <= REL * scale, "{lhs} vs {rhs}");
    }

    #[test]
    fn chebyshev_limit(k in 0usize..500, theta in 0.0f64..PI) {
        // P_k^{(2)}(t) = T_k(t) = cos(k arccos t). The reference takes the angle of the rounded
        // argument t (libm's acos is accurate for every double): comparing with cos(k θ) instead
        // would charge the polynomial with the rounding of cos θ, amplified by |T_k'(t)| =
        // k |sin kθ| / sin θ, which reaches k² near the ends.
        let t = theta.cos();
        let reference = (k as f64 * t.acos()).cos();
        let value = legendre(2, k, t).unwrap();
        prop_assert!((value - reference).abs() <= 1e-12, "k = {k}, t = {t}: {value} vs {reference}");
    }

    #[test]
    fn no_panic_on_arbitrary_input(d in 0usize..6, k in 0usize..50, t in any::<f64>(), nu in any::<f64>(), n in 0usize..40) {
        let _ = legendre(d, k, t);
        let _ = legendre_derivatives(d, k, t);
        let _ = gegenbauer(t, k, 0.5);
        let _ = gauss_gegenbauer(n, t);
        let _ = gauss_angle(n, d);
        let _ = one_minus_pow_eigenvalue(d, nu, k);
        let _ = monomial_eigenvalue(d, k, n);
        let _ = ln_multiplicity(d, k);
        let _ = real_spherical_harmonics(k % 5, &[t, nu, 0.0]);
    }

    #[test]
    fn huge_sizes_are_errors_not_panics(d in 2usize..6, big in (usize::MAX - 10)..=usize::MAX) {
        prop_assert!(legendre_all(d, big, 0.5).is_err());
        prop_assert!(legendre_derivatives(d, big, 0.5).is_err());
        prop_assert!(funk_hecke(d, big, 10, |t| t).is_err());
        prop_assert!(monomial_eigenvalues(d, big).is_err());
        prop_assert!(real_spherical_harmonics(big, &[0.0, 0.0, 1.0]).is_err());
        prop_assert!(complex_spherical_harmonic(big, 0, &[0.0, 0.0, 1.0]).is_err());
        prop_assert!(gauss_legendre(big).is_err());
        prop_assert!(gegenbauer_derivative(1.0, big, 0.5).is_err());
    }
}

#[test]
fn huge_degree_and_dimension() {
    let mut p = vec![0.0; 100_001];
    for &(d, t) in &[(3usize, 0.3), (10_000, -0.999), (10_000, 0.5), (2, 0.9999)] {
        legendre_all_into(d, t, &mut p).unwrap();
        assert!(p.iter().all(|v| v.is_finite() && v.abs() <= 1.0 + REL));
    }
    // C_k^lambda(1) = binom(k + 2 lambda - 1, k) ~ e^{33497}: fine in log space
    let c = gegenbauer_log(4999.0, 100_000, 1.0).unwrap();
    assert!(c.ln_abs.is_finite() && c.ln_abs > 30_000.0);
}

// ---------------------------------------------------------------- counting

#[test]
fn multiplicities_known_values() {
    for k in 0..100usize {
        assert_eq!(multiplicity(3, k).unwrap(), 2 * k as u128 + 1);
        assert_eq!(multiplicity(4, k).unwrap(), (k as u128 + 1).pow(2));
        assert_eq!(multiplicity(2, k).unwrap(), if k == 0 { 1 } else { 2 });
    }
    let n5: Vec<u128> = (0..7).map(|k| multiplicity(5, k).unwrap()).collect();
    assert_eq!(n5, [1, 5, 14, 30, 55, 91, 140]);
    assert_eq!(multiplicity(10, 8).unwrap(), 19305);
    assert!(matches!(
        multiplicity_u64(200, 200),
        Err(GegenbauerError::MultiplicityOverflow { d: 200, k: 200 })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn ln_multiplicity_consistent(d in 2usize..2000, k in 0usize..2000) {
        let l = ln_multiplicity(d, k).unwrap();
        prop_assert!(l.is_finite() && l >= 0.0);
        // N(d,k) = N(d-1,k) + N(d,k-1)  (dimension recursion, Atkinson & Han (2012) (2.12))
        if d >= 3 && k >= 1 {
            let a = ln_multiplicity(d - 1, k).unwrap();
            let b = ln_multiplicity(d, k - 1).unwrap();
            let m = a.max(b);
            let sum = m + ((a - m).exp() + (b - m).exp()).ln();
            prop_assert!((l - sum).abs() <= REL * l.abs().max(1.0), "{l} {sum}");
        }
    }
}

#[test]
fn sphere_constants() {
    assert_relative_eq!(sphere_area(2).unwrap(), 2.0 * PI, max_relative = REL);
    assert_relative_eq!(sphere_area(4).unwrap(), 2.0 * PI * PI, max_relative = REL);
    for d in 2..200 {
        let r = (ln_sphere_area(d - 1).unwrap() - ln_sphere_area(d).unwrap()).exp();
        assert_relative_eq!(funk_hecke_constant(d).unwrap(), r, max_relative = REL);
    }
    // c_d ~ sqrt(d / (2 pi)) (1 - 3/(4d) + ...) at d = 1e7
    let d = 1e7f64;
    let c = ln_funk_hecke_constant(1e7 as usize).unwrap().exp();
    assert_relative_eq!(
        c,
        (d / (2.0 * PI)).sqrt() * (1.0 - 3.0 / (4.0 * d)),
        max_relative = 1e-12
    );
}

// ---------------------------------------------------------------- quadrature

#[test]
fn gauss_legendre_abramowitz_stegun() {
    let r = gauss_legendre(5).unwrap();
    let x = [
        -0.906179845938664,
        -0.538469310105683,
        0.0,
        0.538469310105683,
        0.906179845938664,
    ];
    let w = [
        0.236926885056189,
        0.478628670499366,
        0.568888888888889,
        0.478628670499366,
        0.236926885056189,
    ];
    for j in 0..5 {
        assert!((r.nodes()[j] - x[j]).abs() <= TABLE, "node {j}");
        assert!((r.weights()[j] - w[j]).abs() <= TABLE, "weight {j}");
    }
}

#[test]
fn gauss_gegenbauer_mpmath_fixture() {
    let txt = include_str!("fixtures/gegenbauer/gauss_gegenbauer.json");
    let v: serde_json::Value = serde_json::from_str(txt).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let n = c["n"].as_u64().unwrap() as usize;
        let lambda = c["lambda"].as_f64().unwrap();
        let r = gauss_gegenbauer(n, lambda).unwrap();
        for j in 0..n {
            let x = c["nodes"][j].as_f64().unwrap();
            let w = c["weights"][j].as_f64().unwrap();
            assert!(
                (r.nodes()[j] - x).abs() <= FIXTURE * x.abs().max(1e-3),
                "n {n} lambda {lambda} node {j}"
            );
            assert!(
                (r.weights()[j] / w - 1.0).abs() <= FIXTURE,
                "n {n} lambda {lambda} weight {j}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn gauss_exact_for_degree_2n_minus_1(n in 1usize..80, lambda in -0.45f64..30.0) {
        let r = gauss_gegenbauer(n, lambda).unwrap();
        prop_assert!(r.nodes().windows(2).all(|w| w[0] < w[1]));
        prop_assert!(r.weights().iter().all(|&w| w > 0.0));
        for j in 0..n {
            // even moments up to degree 2n-2, odd moments (degree 2j+1 <= 2n-1) vanish
            let m = r.integrate(|t| t.powi(2 * j as i32));
            let e = even_moment(j, lambda);
            prop_assert!((m / e - 1.0).abs() <= QUAD * 10.0, "n {n} lambda {lambda} j {j}: {m} vs {e}");
            let o = r.integrate(|t| t.powi(2 * j as i32 + 1));
            prop_assert!(o.abs() <= QUAD * even_moment(0, lambda));
        }
    }
}

#[test]
fn orthogonality_with_the_rules() {
    for &d in &[2usize, 3, 5, 10, 50] {
        let n = 40;
        let kmax = n - 1;
        let norm = (ln_sphere_area(d).unwrap() - ln_sphere_area(d - 1).unwrap()).exp();
        let rule = gauss_sphere(n, d).unwrap();
        let angle = gauss_angle(200, d).unwrap();
        let p_t: Vec<Vec<f64>> = rule
            .nodes()
            .iter()
            .map(|&t| legendre_all(d, kmax, t).unwrap())
            .collect();
        let p_a: Vec<Vec<f64>> = angle
            .nodes()
            .iter()
            .map(|&th| legendre_all(d, kmax, th.cos()).unwrap())
            .collect();
        for j in 0..=kmax {
            for k in 0..=kmax {
                let exact = if j == k {
                    norm / multiplicity(d, k).unwrap() as f64
                } else {
                    0.0
                };
                let g: f64 = rule
                    .weights()
                    .iter()
                    .zip(&p_t)
                    .map(|(w, p)| w * p[j] * p[k])
                    .sum();
                let a: f64 = angle
                    .weights()
                    .iter()
                    .zip(&p_a)
                    .map(|(w, p)| w * p[j] * p[k])
                    .sum();
                assert!(
                    (g - exact).abs() <= QUAD * norm,
                    "t-rule d {d} j {j} k {k}: {g} vs {exact}"
                );
                assert!(
                    (a - exact).abs() <= QUAD * norm,
                    "angle rule d {d} j {j} k {k}: {a} vs {exact}"
                );
            }
        }
    }
}

#[test]
fn large_rules() {
    let n = 10_000;
    let gl = gauss_legendre(n).unwrap();
    assert_relative_eq!(gl.integrate(|_| 1.0), 2.0, max_relative = QUAD);
    assert_relative_eq!(gl.integrate(|t| t * t), 2.0 / 3.0, max_relative = QUAD);
    assert_relative_eq!(
        gl.integrate(|t| t.powi(10)),
        2.0 / 11.0,
        max_relative = QUAD
    );
    assert!(gl.integrate(|t| t.powi(7)).abs() <= QUAD);
    // endpoints: the first node is the zero of P_n nearest -1, about -cos(j_{0,1}/(n+1/2))
    assert_relative_eq!(
        1.0 + gl.nodes()[0],
        1.0 - (2.404825557695773 / (n as f64 + 0.5)).cos(),
        max_relative = 1e-6
    );
    for &lambda in &[4.0, 49.0] {
        let g = gauss_gegenbauer(n, lambda).unwrap();
        assert_relative_eq!(
            g.integrate(|_| 1.0),
            even_moment(0, lambda),
            max_relative = QUAD
        );
        assert_relative_eq!(
            g.integrate(|t| t.powi(6)),
            even_moment(3, lambda),
            max_relative = QUAD
        );
    }
    let a = gauss_angle(n, 3).unwrap();
    assert_relative_eq!(a.integrate(|_| 1.0), 2.0, max_relative = QUAD);
    assert_relative_eq!(
        a.integrate(|th| th.cos().powi(2)),
        2.0 / 3.0,
        max_relative = QUAD
    );
}

// ---------------------------------------------------------------- product formula (Monte Carlo)

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn product_formula_monte_carlo(seed in any::<u64>(), d in 3usize..8, j in 0usize..4, k in 0usize..4) {
        // int P_j(<w,x>) P_k(<w,y>) dtau(w) = delta_jk P_k(<x,y>) / N(d,k)
        let mut rng = StdRng::seed_from_u64(seed);
        let x = random_unit(&mut rng, d);
        let y = random_unit(&mut rng, d);
        let samples = 20_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..samples {
            let w = random_unit(&mut rng, d);
            let a: f64 = w.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>().clamp(-1.0, 1.0);
            let b: f64 = w.iter().zip(&y).map(|(p, q)| p * q).sum::<f64>().clamp(-1.0, 1.0);
            let v = legendre(d, j, a).unwrap() * legendre(d, k, b).unwrap();
            s += v;
            s2 += v * v;
        }
        let nf = samples as f64;
        let mean = s / nf;
        let se = ((s2 / nf - mean * mean).max(0.0) / (nf - 1.0)).sqrt();
        let xy: f64 = x.iter().zip(&y).map(|(p, q)| p * q).sum();
        let exact = if j == k { legendre(d, k, xy.clamp(-1.0, 1.0)).unwrap() / multiplicity(d, k).unwrap() as f64 } else { 0.0 };
        prop_assert!((mean - exact).abs() <= MC_SIGMAS * se + 1e-12, "mean {mean} exact {exact} se {se}");
    }
}

// ---------------------------------------------------------------- coefficients

#[test]
fn monomial_coefficients_against_quadrature_and_reconstruction() {
    for &d in &[2usize, 3, 6, 10] {
        for p in 0..=12usize {
            let mu_q = funk_hecke(d, p + 2, 64, |t| t.powi(p as i32)).unwrap();
            for (k, q) in mu_q.iter().enumerate() {
                let exact = monomial_eigenvalue(d, p, k).unwrap();
                assert!(exact.sign >= 0);
                assert!(
                    (exact.value() - q).abs() <= QUAD,
                    "d {d} p {p} k {k}: {} vs {q}",
                    exact.value()
                );
            }
            // t^p = sum_k N(d,k) mu_k(t^p) P_k(t), and at t = 1 the trace identity
            for &t in &[-0.9, -0.3, 0.0, 0.45, 1.0] {
                let pk = legendre_all(d, p, t).unwrap();
                let s: f64 = (0..=p)
                    .map(|k| {
                        multiplicity(d, k).unwrap() as f64
                            * monomial_eigenvalue(d, p, k).unwrap().value()
                            * pk[k]
                    })
                    .sum();
                assert!(
                    (s - t.powi(p as i32)).abs() <= REL,
                    "d {d} p {p} t {t}: {s}"
                );
            }
        }
    }
}

#[test]
fn times_t_rule_on_monomials() {
    for &d in &[2usize, 3, 7, 25] {
        for p in 0..15usize {
            let mu: Vec<f64> = (0..=p + 1)
                .map(|k| monomial_eigenvalue(d, p, k).unwrap().value())
                .collect();
            let tmu = times_t(d, &mu).unwrap();
            for (k, v) in tmu.iter().enumerate() {
                let exact = monomial_eigenvalue(d, p + 1, k).unwrap().value();
                assert!(
                    (v - exact).abs() <= REL * exact.abs().max(1e-3),
                    "d {d} p {p} k {k}"
                );
            }
        }
    }
}

/// Independent quadrature of $\mu_k(f)$ for endpoint-singular $f$: split $[0,\pi]$ at $\pi/2$ and
/// substitute $\theta=\frac\pi2v^4$, $\theta=\pi-\frac\pi2v^4$ (Gauss–Legendre in $v$).
fn mu_singular(d: usize, k: usize, f: impl Fn(f64) -> f64) -> f64 {
    let gl = gauss_legendre(400).unwrap();
    let c = funk_hecke_constant(d).unwrap();
    let mut s = 0.0;
    for (&x, &w) in gl.nodes().iter().zip(gl.weights()) {
        let v = 0.5 * (x + 1.0);
        let jac = 0.5 * w * PI / 2.0 * 4.0 * v.powi(3);
        for th in [PI / 2.0 * v.powi(4), PI - PI / 2.0 * v.powi(4)] {
            let t = th.cos();
            s += jac * f(th) * legendre(d, k, t).unwrap() * th.sin().powi(d as i32 - 2);
        }
    }
    c * s
}

#[test]
fn power_coefficients_against_quadrature() {
    for &d in &[2usize, 3, 5, 10] {
        for &nu in &[0.5, 1.5, 0.3, 2.7] {
            for k in 0..=8usize {
                // (1 - cos th)^nu = (2 sin^2(th/2))^nu, (1 + cos th)^nu = (2 cos^2(th/2))^nu
                let qm = mu_singular(d, k, |th: f64| (2.0 * (th / 2.0).sin().powi(2)).powf(nu));
                let qp = mu_singular(d, k, |th: f64| (2.0 * (th / 2.0).cos().powi(2)).powf(nu));
                let em = one_minus_pow_eigenvalue(d, nu, k).unwrap().value();
                let ep = one_plus_pow_eigenvalue(d, nu, k).unwrap().value();
                assert!(
                    (em - qm).abs() <= SINGULAR * em.abs().max(1e-6),
                    "(1-t)^{nu} d {d} k {k}: {em} vs {qm}"
                );
                assert!(
                    (ep - qp).abs() <= SINGULAR * ep.abs().max(1e-6),
                    "(1+t)^{nu} d {d} k {k}: {ep} vs {qp}"
                );
            }
        }
    }
}

#[test]
fn power_coefficients_trace_and_integer_case() {
    // (1-t)^2 = 1 - 2t + t^2: coefficients from the monomial formula
    for &d in &[2usize, 3, 9] {
        for k in 0..5 {
            let m = |p: usize| monomial_eigenvalue(d, p, k).unwrap().value();
            let exact = m(0) - 2.0 * m(1) + m(2);
            let v = one_minus_pow_eigenvalue(d, 2.0, k).unwrap().value();
            assert!((v - exact).abs() <= REL, "d {d} k {k}: {v} vs {exact}");
        }
    }
    // sum_k N(d,k) mu_k((1+t)^nu) = 2^nu (slowly convergent: check with a tail bound at k ~ 4000)
    let (d, nu) = (3usize, 1.5);
    let s: f64 = (0..4000)
        .map(|k| (2 * k + 1) as f64 * one_plus_pow_eigenvalue(d, nu, k).unwrap().value())
        .sum();
    assert!((s - 2f64.powf(nu)).abs() < 1e-6, "{s}");
}

#[test]
fn funk_hecke_trace_identity() {
    // NTK2 = u kappa0(u) + kappa1(u) at d = 3: mu_0..2 = 1/2, 1/3, 5/64 (docs/literature.md §7.4)
    let ntk2 = |th: f64| {
        let u = th.cos();
        let k0 = (PI - th) / PI;
        let k1 = (u * (PI - th) + th.sin()) / PI;
        u * k0 + k1
    };
    let mu = funk_hecke_theta(3, 8, 400, ntk2).unwrap();
    let expect = NTK2_D3_EIGENVALUES;
    for (k, (a, b)) in mu.iter().zip(expect).enumerate() {
        assert!((a - b).abs() <= QUAD, "k {k}: {a} vs {b}");
    }
}

// ---------------------------------------------------------------- spherical harmonics

#[test]
fn spherical_harmonics_orthonormal_on_s2() {
    let lmax = 8;
    let len = (lmax + 1) * (lmax + 1);
    let gl = gauss_legendre(lmax + 1).unwrap();
    let nphi = 2 * lmax + 2;
    let mut gram_r = vec![0.0; len * len];
    let mut gram_c = vec![num_complex::Complex64::new(0.0, 0.0); len * len];
    for (&t, &w) in gl.nodes().iter().zip(gl.weights()) {
        let st = (1.0 - t * t).sqrt();
        for i in 0..nphi {
            let phi = 2.0 * PI * i as f64 / nphi as f64;
            let x = [st * phi.cos(), st * phi.sin(), t];
            // probability measure: (1/4 pi) dt dphi
            let wt = w / (2.0 * nphi as f64);
            let yr = real_spherical_harmonics(lmax, &x).unwrap();
            let yc = complex_spherical_harmonics(lmax, &x).unwrap();
            for a in 0..len {
                for b in 0..len {
                    gram_r[a * len + b] += wt * yr[a] * yr[b];
                    gram_c[a * len + b] += wt * yc[a] * yc[b].conj();
                }
            }
        }
    }
    for a in 0..len {
        for b in 0..len {
            let e = if a == b { 1.0 } else { 0.0 };
            assert!((gram_r[a * len + b] - e).abs() <= QUAD, "real {a} {b}");
            assert!((gram_c[a * len + b] - e).norm() <= QUAD, "complex {a} {b}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn addition_theorem(seed in any::<u64>(), l in 0usize..40) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = random_unit(&mut rng, 3);
        let y = random_unit(&mut rng, 3);
        let (xa, ya) = ([x[0], x[1], x[2]], [y[0], y[1], y[2]]);
        let yr_x = real_spherical_harmonics(l, &xa).unwrap();
        let yr_y = real_spherical_harmonics(l, &ya).unwrap();
        let yc_x = complex_spherical_harmonics(l, &xa).unwrap();
        let yc_y = complex_spherical_harmonics(l, &ya).unwrap();
        let base = l * l;
        let sr: f64 = (base..base + 2 * l + 1).map(|i| yr_x[i] * yr_y[i]).sum();
        let sc: num_complex::Complex64 = (base..base + 2 * l + 1).map(|i| yc_x[i] * yc_y[i].conj()).sum();
        let z = zonal_harmonic(3, l, &x, &y).unwrap();
        let xy: f64 = x.iter().zip(&y).map(|(p, q)| p * q).sum::<f64>().clamp(-1.0, 1.0);
        let exact = (2 * l + 1) as f64 * legendre(3, l, xy).unwrap();
        let tol = REL * (2 * l + 1) as f64;
        prop_assert!((sr - exact).abs() <= tol, "real {sr} vs {exact}");
        prop_assert!((sc.re - exact).abs() <= tol && sc.im.abs() <= tol, "complex {sc} vs {exact}");
        prop_assert!((z - exact).abs() <= tol);
    }
}
