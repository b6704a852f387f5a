//! Series expansions of the kernels (module `series`): agreement with direct evaluation, closed
//! forms from `docs/literature.md` (§1.4, §3.3, §5.2, §7 items 8 and 11), Schoenberg positivity
//! and the trace identity $\sum_n b_n = \kappa(1)$.

use std::f64::consts::{PI, SQRT_2};

use ntk_sphere::arch::Architecture;
use ntk_sphere::scalar::KernelScalar;
use ntk_sphere::series::{
    Endpoint, MAX_ORDER, PowerSeries, PuiseuxSeries, SeriesError, endpoint_expansion,
    endpoint_expansion_normalized, kink_coefficients, maclaurin_coefficients,
    maclaurin_coefficients_normalized,
};
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
use proptest::prelude::*;

/// Agreement of a truncated series with the double-double evaluation of the kernel, relative to
/// $\kappa(1)$, at points where the truncation error is far below rounding (a few ulps of each
/// of the O(10) terms plus the ulp of the reference).
const SERIES_VS_EVAL_TOL: f64 = 1e-13;
/// Relative agreement of closed forms computed along different roundings (kink coefficients,
/// low-order Taylor coefficients).
const CLOSED_FORM_TOL: f64 = 1e-13;
/// Relative accuracy of Maclaurin coefficients up to order 2000 against closed forms (the
/// reference itself is built by a 2000-step product recurrence, ~1e-13).
const HIGH_ORDER_TOL: f64 = 1e-12;
/// Relative agreement of the tail estimate $2A/\sqrt N$ with $\kappa(1) - \sum_{n<N} b_n$ at
/// $N = 2000$ (the next term of the asymptotic expansion is $O(1/N)$ relative; measured ~1e-3).
const TAIL_TOL: f64 = 5e-3;
/// Agreement of the $O(N^2)$ ODE-based dual maps with the $O(N^3)$ Taylor composition, relative to
/// the largest coefficient. With mixed-sign tails both paths cancel, the Taylor composition badly
/// when $\rho_0$ is near $\pm1$ (its coefficients grow like $(1-|\rho_0|)^{-n}$), so the test keeps
/// $|\rho_0| < 0.6$ and a decaying tail.
const COMPOSITION_TOL: f64 = 1e-10;
/// Relative agreement, coefficient by coefficient, of the two dual-map paths when all terms are
/// non-negative (order 100; the Horner reference accumulates ~100 roundings).
const POSITIVE_COMPOSITION_TOL: f64 = 1e-13;
/// Agreement with 7–12-digit numbers printed in `docs/literature.md`.
const LITERATURE_TOL: f64 = 1e-6;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn horner(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ck| acc * x + ck)
}

fn arch_strategy() -> impl Strategy<Value = Architecture> {
    prop_oneof![
        (0usize..7, 0.3f64..3.0, prop_oneof![Just(0.0), 0.0f64..1.0])
            .prop_map(|(l, w, b)| Architecture::from(Mlp::with_bias(l, w, b).unwrap())),
        (0usize..7, 0.0f64..2.0, 0.3f64..3.0, 0.3f64..3.0)
            .prop_map(|(l, a, w, v)| Architecture::from(ResNet::new(l, a, w, v).unwrap())),
    ]
}

fn kind_strategy() -> impl Strategy<Value = KernelKind> {
    prop_oneof![Just(KernelKind::Ntk), Just(KernelKind::Nngp)]
}

/// $a_j$ of literature §5.2: $(2j)!/(4^j (j!)^2 (2j+1))$.
fn literature_a(n: usize) -> Vec<f64> {
    let mut c = 1.0; // binom(2j, j)/4^j
    (0..n)
        .map(|j| {
            if j > 0 {
                c *= (2 * j - 1) as f64 / (2 * j) as f64;
            }
            c / (2 * j + 1) as f64
        })
        .collect()
}

/// Reference path: the Taylor coefficients of $\kappa_0$, $\kappa_1$ at $\rho_0\in(-1,1)$ from the ODE
/// $(1-u^2)\kappa_0'' = u\kappa_0'$, i.e. $c_{n+2} = \frac{\rho_0(n+1)(2n+1)c_{n+1} + n^2c_n}
/// {(1-\rho_0^2)(n+1)(n+2)}$, $c_1 = 1/(\pi\sqrt{1-\rho_0^2})$, and $\kappa_1' = \kappa_0$; composed
/// with $\rho - \rho_0$ by Horner's rule in series arithmetic ($O(N^3)$).
fn dual_maps_by_composition(rho: &PowerSeries) -> (Vec<f64>, Vec<f64>) {
    let c = rho.coefficients();
    let n = c.len();
    let rho0 = c[0];
    let mut taylor0 = vec![0.0; n + 1];
    taylor0[0] = ntk_sphere::activation::kappa0(rho0);
    taylor0[1] = 1.0 / (PI * ((1.0 - rho0) * (1.0 + rho0)).sqrt());
    for m in 0..n - 1 {
        let mf = m as f64;
        taylor0[m + 2] = (rho0 * (mf + 1.0) * (2.0 * mf + 1.0) * taylor0[m + 1]
            + mf * mf * taylor0[m])
            / ((1.0 - rho0 * rho0) * (mf + 1.0) * (mf + 2.0));
    }
    let mut taylor1 = vec![ntk_sphere::activation::kappa1(rho0)];
    taylor1.extend((0..n).map(|m| taylor0[m] / (m as f64 + 1.0)));
    let mut r = c.to_vec();
    r[0] = 0.0;
    let r = PowerSeries::from_coefficients(r).unwrap();
    let compose = |taylor: &[f64]| {
        let mut acc = PowerSeries::constant(taylor[n - 1]);
        for &tk in taylor[..n - 1].iter().rev() {
            acc = acc * r.clone() + PowerSeries::constant(tk);
        }
        acc.coefficients().to_vec()
    };
    (compose(&taylor0), compose(&taylor1))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The $O(N^2)$ dual maps agree with the slow Taylor composition, for interior $\rho_0$ and
    /// mixed-sign tails.
    #[test]
    fn dual_maps_match_taylor_composition(rho0 in -0.6f64..0.6,
                                          tail in proptest::collection::vec(-0.2f64..0.2, 40)) {
        let mut c = vec![rho0];
        c.extend(tail.iter().enumerate().map(|(k, x)| x / ((k + 1) * (k + 1)) as f64));
        let rho = PowerSeries::from_coefficients(c).unwrap();
        let (k0, k1) = rho.arc_cosine();
        let (w0, w1) = dual_maps_by_composition(&rho);
        for (got, want) in [(k0.coefficients(), &w0), (k1.coefficients(), &w1)] {
            let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (j, (g, w)) in got.iter().zip(want.iter()).enumerate() {
                prop_assert!((g - w).abs() <= COMPOSITION_TOL * scale, "coefficient {j}: {g} vs {w}");
            }
        }
    }

    /// With $\rho_0 \ge 0$ and a non-negative tail (the situation at $t = 0$) both paths add
    /// non-negative terms only, so they agree coefficient by coefficient to near-double *relative*
    /// accuracy.
    #[test]
    fn dual_maps_relative_accuracy_positive_case(rho0 in 0.0f64..0.9,
                                                 tail in proptest::collection::vec(0.0f64..1.0, 100)) {
        let total: f64 = tail.iter().sum::<f64>() * 1.1 / (1.0 - rho0);
        let mut c = vec![rho0];
        c.extend(tail.iter().map(|x| x / total));
        let rho = PowerSeries::from_coefficients(c).unwrap();
        let (k0, k1) = rho.arc_cosine();
        let (w0, w1) = dual_maps_by_composition(&rho);
        for (got, want) in [(k0.coefficients(), &w0), (k1.coefficients(), &w1)] {
            for (j, (g, w)) in got.iter().zip(want.iter()).enumerate() {
                prop_assert!(*g >= 0.0 && rel(*g, *w) <= POSITIVE_COMPOSITION_TOL,
                             "coefficient {j}: {g:e} vs {w:e}");
            }
        }
    }

    /// (a) $\sum_j a_j s^j = \kappa(\pm1 \mp s^2)$ for small $s$, both endpoints. The error
    /// must be rounding plus a truncation error consistent with the order: deeper correlations
    /// close to $\pm1$ (small $\alpha$, $t = -1$) put a singularity near $s = 0$, so the last
    /// terms bound the remainder.
    #[test]
    fn endpoint_series_match_evaluation(arch in arch_strategy(), kind in kind_strategy(),
                                        dim in 1usize..20) {
        let k = SphereKernel::new(arch.clone(), kind, dim).unwrap();
        let scale = k.eval(1.0).unwrap().abs();
        let order = 30;
        for (endpoint, sign) in [(Endpoint::Plus, 1.0), (Endpoint::Minus, -1.0)] {
            let a = endpoint_expansion(&k, endpoint, order).unwrap();
            prop_assert_eq!(a.len(), order + 1);
            for gap in [1e-6_f64, 1e-4, 3e-3] {
                let t = sign * (1.0 - gap);
                // 1 ∓ t is exact: use the s of the rounded t.
                let s = (1.0 - sign * t).sqrt();
                let direct = k.eval(t).unwrap();
                let remainder: f64 = (order - 2..=order)
                    .map(|j| (a[j] * s.powi(j as i32)).abs())
                    .sum();
                let err = (horner(&a, s) - direct).abs();
                prop_assert!(err < SERIES_VS_EVAL_TOL * scale + 10.0 * remainder,
                             "{endpoint:?} gap {gap}: err {:e}, remainder {remainder:e}",
                             err / scale);
            }
        }
    }

    /// (a) the Maclaurin series reproduces the kernel for $|t| \le 1/2$.
    #[test]
    fn maclaurin_series_match_evaluation(arch in arch_strategy(), kind in kind_strategy(),
                                         dim in 1usize..20, t in -0.5f64..0.5) {
        let k = SphereKernel::new(arch.clone(), kind, dim).unwrap();
        let b = maclaurin_coefficients(&k, 80).unwrap();
        let err = (horner(&b, t) - k.eval(t).unwrap()).abs() / k.eval(1.0).unwrap();
        prop_assert!(err < SERIES_VS_EVAL_TOL, "t = {t}: err {err:e}");
    }

    /// (c) Schoenberg: the Maclaurin coefficients are non-negative (exactly: all the series
    /// arithmetic at t = 0 is sign-coherent), and (d) the partial sums increase towards κ(1).
    #[test]
    fn maclaurin_coefficients_are_nonnegative(arch in arch_strategy(), kind in kind_strategy(),
                                              dim in 1usize..20) {
        let k = SphereKernel::new(arch.clone(), kind, dim).unwrap();
        let b = maclaurin_coefficients_normalized(&k, 400).unwrap();
        for (n, &bn) in b.iter().enumerate() {
            prop_assert!(bn >= 0.0, "b_{n} = {bn:e}");
        }
        let partial: f64 = b.iter().sum();
        prop_assert!(partial <= 1.0 + CLOSED_FORM_TOL, "partial sum {partial}");
    }

    /// (b) the closed form of c₊ for the ResNet NTK (literature §1.4), normalized kernel.
    #[test]
    fn resnet_c_plus_closed_form(depth in 0usize..40, alpha in 0.0f64..2.0,
                                 sw in 0.3f64..3.0, sv in 0.3f64..3.0) {
        let r = ResNet::new(depth, alpha, sw, sv).unwrap();
        let (a, l) = (r.a(), depth as f64);
        let b = a / (1.0 + a);
        let want = SQRT_2 / PI * a * l * (b * (l - 1.0) + 2.0) / (2.0 * (1.0 + a) + 2.0 * a * l);
        let k = SphereKernel::new(r, KernelKind::Ntk, 5).unwrap();
        let (c_plus, _) = kink_coefficients(&k).unwrap();
        prop_assert!((c_plus - want).abs() <= CLOSED_FORM_TOL * want.max(1e-3),
                     "{c_plus} vs {want}");
    }
}

/// (b) MLP: $c_+ = L\sqrt2/(2\pi)$ for the normalized NTK, every depth and dimension.
#[test]
fn mlp_c_plus_closed_form() {
    for depth in 0..=40 {
        for dim in [1, 3, 50] {
            let k = SphereKernel::new(Mlp::new(depth, 1.7).unwrap(), KernelKind::Ntk, dim).unwrap();
            let (c_plus, _) = kink_coefficients(&k).unwrap();
            let want = depth as f64 * SQRT_2 / (2.0 * PI);
            assert!(
                (c_plus - want).abs() <= CLOSED_FORM_TOL * want.max(1.0),
                "L = {depth}: {c_plus} vs {want}"
            );
        }
    }
}

/// (b) Bietti–Bach §3.3: $\kappa_0(1-u) = 1 - (\sqrt2/\pi)\sqrt u + O(u^{3/2})$,
/// $\kappa_1(1-u) = 1 - u + (2\sqrt2/(3\pi))u^{3/2} + O(u^{5/2})$ and the mirrored forms at $-1$.
#[test]
fn arc_cosine_endpoint_coefficients() {
    let s = PuiseuxSeries::variable(8).unwrap();
    let one = PuiseuxSeries::constant(1.0);
    let s2 = s.clone() * s;
    let (k0p, k1p) = (one.clone() - s2.clone()).arc_cosine();
    let (k0m, k1m) = (s2 - one).arc_cosine();
    let c0 = SQRT_2 / PI;
    let c1 = 2.0 * SQRT_2 / (3.0 * PI);
    let want_k0p = [1.0, -c0, 0.0];
    let want_k1p = [1.0, 0.0, -1.0, c1, 0.0];
    let want_k0m = [0.0, c0, 0.0];
    let want_k1m = [0.0, 0.0, 0.0, c1, 0.0];
    for (got, want) in [
        (&k0p, &want_k0p[..]),
        (&k1p, &want_k1p[..]),
        (&k0m, &want_k0m[..]),
        (&k1m, &want_k1m[..]),
    ] {
        for (j, &w) in want.iter().enumerate() {
            let g = got.coefficients()[j];
            assert!(
                (g - w).abs() <= CLOSED_FORM_TOL,
                "coefficient {j}: {g} vs {w}"
            );
        }
    }
    // Literature §7 item 8, printed to 12 digits.
    assert!(rel(c0, 0.450158158079) < LITERATURE_TOL);
    assert!(rel(c1, 0.300105438719) < LITERATURE_TOL);
}

/// (b) Deep kernels of Bietti & Bach (literature §3.3, §7 item 8). The library's MLP with $L$
/// hidden layers is $\kappa^{L+1}_{NTK}(u)/(d\\,2^L)$ (literature §1.2) and its NNGP is
/// $\kappa^{L+1}(u)/(d\\,2^L)$.
#[test]
fn bietti_bach_deep_kernel_endpoints() {
    let c = SQRT_2 / PI;
    // ℓ, κ^ℓ_NTK(−1), c_ℓ⁻ (unnormalized).
    let table = [
        (2usize, 0.0, SQRT_2 / PI),
        (3, 1.0 / PI, SQRT_2 / (2.0 * PI)),
        (4, 0.6857086363, 0.1357486),
        (6, 1.430390497, 0.0637403),
    ];
    let dim = 7;
    for (ell, at_minus, c_minus) in table {
        let l = ell - 1;
        let factor = dim as f64 * 2f64.powi(l as i32);
        let k = SphereKernel::new(Mlp::new(l, 1.0).unwrap(), KernelKind::Ntk, dim).unwrap();
        let plus = endpoint_expansion(&k, Endpoint::Plus, 3).unwrap();
        let minus = endpoint_expansion(&k, Endpoint::Minus, 3).unwrap();
        let ellf = ell as f64;
        assert!(rel(plus[0] * factor, ellf) < CLOSED_FORM_TOL);
        let want_c_plus = ellf * (ellf - 1.0) / 2.0 * c;
        assert!(
            rel(-plus[1] * factor, want_c_plus) < CLOSED_FORM_TOL,
            "ℓ = {ell}"
        );
        assert!(
            (minus[0] * factor - at_minus).abs() < LITERATURE_TOL,
            "ℓ = {ell}"
        );
        let got_c_minus = -minus[1] * factor;
        assert!(
            (got_c_minus - c_minus).abs() < LITERATURE_TOL,
            "ℓ = {ell}: c⁻ = {got_c_minus} vs {c_minus}"
        );
        // kink_coefficients normalizes by κ(1) = ℓ/(d 2^L).
        let (cp, cm) = kink_coefficients(&k).unwrap();
        assert!(rel(cp, want_c_plus / ellf) < CLOSED_FORM_TOL);
        assert!((cm - c_minus / ellf).abs() < LITERATURE_TOL);
        // NNGP: κ^ℓ(1−u) = 1 − u + (ℓ−1)(2√2/(3π)) u^{3/2} + o(u^{3/2}).
        let g = SphereKernel::new(Mlp::new(l, 1.0).unwrap(), KernelKind::Nngp, dim).unwrap();
        let a = endpoint_expansion(&g, Endpoint::Plus, 3).unwrap();
        let want = [1.0, 0.0, -1.0, (ellf - 1.0) * 2.0 * SQRT_2 / (3.0 * PI)];
        for (j, w) in want.iter().enumerate() {
            assert!(
                (a[j] * factor - w).abs() < CLOSED_FORM_TOL,
                "NNGP ℓ = {ell}, a_{j}"
            );
        }
    }
}

/// (b) Tirer-code kernels, L = 5 (literature §1.4 and §7 item 11).
#[test]
fn tirer_code_c_plus_values() {
    let k = SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
    assert!(rel(kink_coefficients(&k).unwrap().0, 1.125395395) < LITERATURE_TOL);
    for (alpha, want) in [
        (0.1, 0.01103488698),
        (0.5, 0.1964976087),
        (1.0, 0.468914748),
    ] {
        let r = ResNet::new(5, alpha, 1.0, 1.0).unwrap();
        let k = SphereKernel::new(r, KernelKind::Ntk, 2).unwrap();
        let (c_plus, _) = kink_coefficients(&k).unwrap();
        assert!(rel(c_plus, want) < LITERATURE_TOL, "α = {alpha}: {c_plus}");
    }
}

/// (c) Maclaurin coefficients of $\kappa_0$, $\kappa_1$ up to order 2000 against literature §5.2:
/// $\kappa_0(u) = \tfrac12 + \tfrac1\pi\sum_j a_j u^{2j+1}$,
/// $\kappa_1(u) = \tfrac1\pi + \tfrac u2 + \tfrac1\pi\sum_j a_j u^{2j+2}/(2j+2)$.
#[test]
fn arc_cosine_maclaurin_closed_forms_to_order_2000() {
    let n = 2000;
    let (k0, k1) = PowerSeries::variable(n).unwrap().arc_cosine();
    let (k0, k1) = (k0.coefficients(), k1.coefficients());
    assert_eq!(k0.len(), n + 1);
    let a = literature_a(n / 2 + 1);
    let mut worst: f64 = 0.0;
    assert!(rel(k0[0], 0.5) < CLOSED_FORM_TOL);
    assert!(rel(k1[0], 1.0 / PI) < CLOSED_FORM_TOL);
    assert!(rel(k1[1], 0.5) < CLOSED_FORM_TOL);
    for m in 1..=n {
        let (w0, w1) = if m % 2 == 1 {
            (a[(m - 1) / 2] / PI, 0.0)
        } else if m >= 2 {
            (0.0, a[(m - 2) / 2] / (PI * m as f64))
        } else {
            (0.0, k1[1])
        };
        if w0 == 0.0 {
            assert_eq!(k0[m], 0.0, "κ₀ coefficient {m} must vanish");
        } else {
            worst = worst.max(rel(k0[m], w0));
        }
        if m >= 2 {
            if w1 == 0.0 {
                assert_eq!(k1[m], 0.0, "κ₁ coefficient {m} must vanish");
            } else {
                worst = worst.max(rel(k1[m], w1));
            }
        }
    }
    eprintln!("worst relative error of κ₀, κ₁ Maclaurin coefficients up to {n}: {worst:e}");
    assert!(worst < HIGH_ORDER_TOL, "{worst:e}");
}

/// (c) High-order Maclaurin coefficients of a deep kernel keep their relative accuracy: the
/// 2-layer NTK is $(t\kappa_0 + \kappa_1)/(2d)$, whose coefficients follow from §5.2.
#[test]
fn two_layer_ntk_maclaurin_to_order_2000() {
    let n = 2001;
    let dim = 3;
    let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, dim).unwrap();
    let b = maclaurin_coefficients(&k, n).unwrap();
    let a = literature_a(n);
    let norm = 2.0 * dim as f64;
    let mut worst: f64 = 0.0;
    for (m, &bm) in b.iter().enumerate().skip(2) {
        // t κ₀ contributes a_j/π at m = 2j+2; κ₁ contributes a_j/(π(2j+2)) at m = 2j+2.
        let want = if m % 2 == 0 {
            let j = (m - 2) / 2;
            a[j] / PI * (1.0 + 1.0 / m as f64) / norm
        } else {
            0.0
        };
        if want == 0.0 {
            assert_eq!(bm, 0.0, "b_{m}");
        } else {
            worst = worst.max(rel(bm, want));
        }
    }
    eprintln!("worst relative error of NTK2 Maclaurin coefficients up to {n}: {worst:e}");
    assert!(worst < HIGH_ORDER_TOL);
}

/// (d) $\sum_n b_n = \kappa(1)$: with the tail $\sum_{n>N} b_n \approx 2A/\sqrt N$ of
/// $b_n \approx A n^{-3/2}$ (NTK, $\nu = 1/2$; $A$ fitted on the last coefficients, both parities
/// averaged), the partial sum plus tail matches $\kappa(1)$.
#[test]
fn maclaurin_sum_is_value_at_one() {
    let n = 2000;
    for arch in [
        Architecture::from(Mlp::new(3, 1.0).unwrap()),
        Architecture::from(ResNet::new(5, 0.5, 1.0, 1.0).unwrap()),
        Architecture::from(ResNet::new(4, 1.0, 1.0, 1.0).unwrap()),
    ] {
        let k = SphereKernel::new(arch.clone(), KernelKind::Ntk, 4).unwrap();
        let b = maclaurin_coefficients_normalized(&k, n).unwrap();
        let partial: f64 = b.iter().sum();
        let window = 200;
        let amp: f64 = (n - window..n)
            .map(|m| b[m] * (m as f64).powf(1.5))
            .sum::<f64>()
            / window as f64;
        let tail = 2.0 * amp / (n as f64).sqrt();
        let gap = 1.0 - partial;
        eprintln!("{arch:?}: 1 − Σ b_n = {gap:e}, tail estimate {tail:e}");
        assert!(gap > 0.0);
        assert!(rel(gap, tail) < TAIL_TOL, "gap {gap:e} vs tail {tail:e}");
    }
}

/// Degenerate inputs give typed errors or documented values, never panics.
#[test]
fn degenerate_inputs() {
    assert_eq!(
        PowerSeries::from_coefficients(vec![]),
        Err(SeriesError::EmptySeries)
    );
    // An endpoint correlation has no power series in t.
    let t = PowerSeries::variable(4).unwrap();
    let (k0, k1) = (PowerSeries::constant(1.0) - t.clone() * t.clone()).arc_cosine();
    assert!(!k0.is_finite() && !k1.is_finite());
    // Division by a series with zero constant term.
    assert!(!(PowerSeries::constant(1.0) / t.clone()).is_finite());
    // A correlation beyond 1.
    let (k0, _) = (PowerSeries::constant(1.5) + t.clone()).arc_cosine();
    assert!(!k0.is_finite());
    // Absurd orders are typed errors.
    let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert_eq!(
        maclaurin_coefficients(&k, usize::MAX),
        Err(SeriesError::OrderTooLarge {
            order: usize::MAX - 1
        })
    );
    assert!(matches!(
        endpoint_expansion(&k, Endpoint::Plus, usize::MAX),
        Err(SeriesError::OrderTooLarge { .. })
    ));
    assert!(PuiseuxSeries::variable(MAX_ORDER + 1).is_err());
    // Orders 0.
    let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert!(maclaurin_coefficients(&k, 0).unwrap().is_empty());
    let b0 = maclaurin_coefficients(&k, 1).unwrap();
    assert!(rel(b0[0], k.eval(0.0).unwrap()) < CLOSED_FORM_TOL);
    let a0 = endpoint_expansion(&k, Endpoint::Minus, 0).unwrap();
    assert_eq!(a0.len(), 1);
    assert!(rel(a0[0], k.eval(-1.0).unwrap()) < CLOSED_FORM_TOL);
    // Depth 0 with bias: a polynomial kernel, exact.
    let k = SphereKernel::new(Mlp::with_bias(0, 1.0, 0.5).unwrap(), KernelKind::Ntk, 2).unwrap();
    assert_eq!(
        maclaurin_coefficients(&k, 4).unwrap(),
        vec![0.5, 0.5, 0.0, 0.0]
    );
}

/// Very deep networks: the normalized expansions stay finite where the raw kernel underflows.
#[test]
fn deep_networks_normalized() {
    let k = SphereKernel::new(Mlp::new(1200, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert!(matches!(
        maclaurin_coefficients(&k, 3),
        Err(SeriesError::Kernel(_)) | Ok(_)
    ));
    let b = maclaurin_coefficients_normalized(&k, 3).unwrap();
    assert!(b.iter().all(|x| x.is_finite() && *x >= 0.0));
    let a = endpoint_expansion_normalized(&k, Endpoint::Plus, 1).unwrap();
    assert!(rel(a[0], 1.0) < CLOSED_FORM_TOL);
    assert!(rel(-a[1], 1200.0 * SQRT_2 / (2.0 * PI)) < 1e-11);
}
