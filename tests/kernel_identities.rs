//! Identities the kernels must satisfy (docs/conventions.md, issue "Foundation" §6), checked on random
//! architectures with proptest, plus reference values from docs/literature.md.

use std::f64::consts::PI;

use ntk_sphere::arch::Architecture;
use ntk_sphere::kernel::{Points, gram_exact};
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
use proptest::prelude::*;

/// Agreement of quantities that are equal in exact arithmetic and computed along different
/// roundings of the same double-double recursion.
const IDENTITY_TOL: f64 = 1e-13;
/// Agreement with 12-digit reference numbers printed in `docs/literature.md`.
const LITERATURE_TOL: f64 = 1e-11;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mlp_diagonal_closed_form(depth in 0usize..60, dim in 1usize..200) {
        // d·Θ_MLP(x,x) = (L+1)/2^L for unit x, σ_w² = 1.
        let k = SphereKernel::new(Mlp::new(depth, 1.0).unwrap(), KernelKind::Ntk, dim).unwrap();
        let want = (depth as f64 + 1.0) / 2f64.powi(depth as i32);
        prop_assert!(rel(dim as f64 * k.eval(1.0).unwrap(), want) < IDENTITY_TOL);
    }

    #[test]
    fn resnet_diagonal_closed_form(depth in 0usize..60, alpha in 0.0f64..3.0,
                                   sw in 0.2f64..3.0, sv in 0.2f64..3.0, dim in 1usize..200) {
        let r = ResNet::new(depth, alpha, sw, sv).unwrap();
        let a = r.a();
        let l = depth as f64;
        let want = 2.0 * (1.0 + a).powf(l) + 2.0 * a * l * (1.0 + a).powf(l - 1.0);
        let k = SphereKernel::new(r, KernelKind::Ntk, dim).unwrap();
        prop_assert!(rel(dim as f64 * k.eval(1.0).unwrap(), want) < IDENTITY_TOL);
    }

    #[test]
    fn resnet_alpha_zero_is_twice_linear(depth in 0usize..30, t in -1.0f64..=1.0, dim in 1usize..50) {
        let k = SphereKernel::new(ResNet::new(depth, 0.0, 1.0, 1.0).unwrap(), KernelKind::Ntk, dim).unwrap();
        let want = 2.0 * t / dim as f64;
        prop_assert!((k.eval(t).unwrap() - want).abs() <= IDENTITY_TOL * 2.0 / dim as f64);
    }

    #[test]
    fn normalized_resnet_depends_only_on_a(depth in 1usize..30, alpha in 0.01f64..3.0,
                                           s1 in 0.2f64..4.0, s2 in 0.2f64..4.0, t in -1.0f64..1.0) {
        // Same a = α²σ_w²σ_v²/2 with (α, σ_w², σ_v²) and (α', 1, 1).
        let r1 = ResNet::new(depth, alpha, s1, s2).unwrap();
        let alpha2 = (alpha * alpha * s1 * s2).sqrt();
        let r2 = ResNet::new(depth, alpha2, 1.0, 1.0).unwrap();
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let k1 = SphereKernel::new(r1, kind, 7).unwrap().normalized(t).unwrap();
            let k2 = SphereKernel::new(r2, kind, 7).unwrap().normalized(t).unwrap();
            prop_assert!((k1 - k2).abs() < IDENTITY_TOL, "{kind:?}: {k1} vs {k2}");
        }
    }

    #[test]
    fn homogeneity(depth in 0usize..8, c in 0.01f64..100.0, resnet in any::<bool>(),
                   x in prop::collection::vec(-2.0f64..2.0, 5), y in prop::collection::vec(-2.0f64..2.0, 5)) {
        let arch: Architecture = if resnet {
            ResNet::new(depth, 0.7, 1.0, 1.0).unwrap().into()
        } else {
            Mlp::new(depth, 1.5).unwrap().into()
        };
        let cx: Vec<f64> = x.iter().map(|v| c * v).collect();
        let p = Points::from_rows(&[x.clone(), cx]).unwrap();
        let q = Points::from_rows(&[y]).unwrap();
        let g = gram_exact(&arch, KernelKind::Ntk, &p, Some(&q)).unwrap();
        prop_assert!((g.get(1, 0) - c * g.get(0, 0)).abs() <= IDENTITY_TOL * (c * g.get(0, 0)).abs().max(1e-300) * 10.0);
    }

    #[test]
    fn plain_f64_recursion_agrees_with_double_double(depth in 0usize..20, t in -0.99f64..0.99,
                                                       alpha in 0.0f64..2.0, resnet in any::<bool>()) {
        // The f64 and double-double instances of the same recursion, away from t = ±1.
        let arch: Architecture = if resnet {
            ResNet::new(depth, alpha, 1.0, 1.0).unwrap().into()
        } else {
            Mlp::with_bias(depth, 1.0, alpha).unwrap().into()
        };
        let k = SphereKernel::new(arch.clone(), KernelKind::Ntk, 3).unwrap();
        let plain = k.eval_generic(t);
        let want = k.eval(t).unwrap();
        let got = plain.mantissa * 2f64.powi(plain.exp2 as i32);
        prop_assert!((got - want).abs() < 1e-12 * want.abs().max(k.eval(1.0).unwrap()));
    }
}

#[test]
fn zero_vector_gives_exact_zero() {
    let arch: Architecture = ResNet::new(3, 1.0, 1.0, 1.0).unwrap().into();
    let p = Points::from_rows(&[vec![0.0, 0.0, 0.0], vec![1.0, 2.0, 3.0]]).unwrap();
    let g = gram_exact(&arch, KernelKind::Ntk, &p, None).unwrap();
    assert_eq!(g.get(0, 0), 0.0);
    assert_eq!(g.get(0, 1), 0.0);
    assert_eq!(g.get(1, 0), 0.0);
    assert!(g.get(1, 1) > 0.0);
}

#[test]
fn literature_normalized_values_at_quarter_pi() {
    // docs/literature.md §7 item 11 (verified there against the paper's official code).
    let mlp = SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
    assert!(rel(mlp.normalized_angle(PI / 4.0).unwrap(), 0.505134062960) < LITERATURE_TOL);
    for (alpha, want) in [(0.1, 0.703966060036), (1.0, 0.594307303985)] {
        let r = SphereKernel::new(ResNet::new(5, alpha, 1.0, 1.0).unwrap(), KernelKind::Ntk, 2)
            .unwrap();
        assert!(
            rel(r.normalized_angle(PI / 4.0).unwrap(), want) < LITERATURE_TOL,
            "alpha {alpha}"
        );
    }
    // d·Θ_res(x,x) for L = 5: 2.101510031287 (α = 0.1), 40.5 (α = 1)
    let r = SphereKernel::new(ResNet::new(5, 0.1, 1.0, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert!(rel(3.0 * r.eval(1.0).unwrap(), 2.101510031287) < LITERATURE_TOL);
}

#[test]
fn two_layer_ntk_is_u_kappa0_plus_kappa1_over_2d() {
    // Bietti & Bach: κ_NTK²(u) = u κ₀(u) + κ₁(u); our MLP with L = 1 is that divided by 2d.
    use ntk_sphere::activation::{kappa0, kappa1};
    let d = 4;
    let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, d).unwrap();
    for &u in &[-0.95, -0.3, 0.0, 0.4, 0.99] {
        let want = (u * kappa0(u) + kappa1(u)) / (2.0 * d as f64);
        assert!(rel(k.eval(u).unwrap(), want) < 1e-15, "u = {u}");
    }
}

#[test]
fn depth_1e5_neither_overflows_nor_loses_shape() {
    // α = 1: (1 + 1/2)^L overflows f64 at L = 10⁵; the normalized kernel must stay finite and in
    // [−1, 1], monotone in the angle, and the unnormalized value must be a typed error.
    let r = ResNet::new(100_000, 1.0, 1.0, 1.0).unwrap();
    let k = SphereKernel::new(r, KernelKind::Ntk, 3).unwrap();
    assert!(matches!(
        k.eval(0.5),
        Err(ntk_sphere::KernelError::NotRepresentable { .. })
    ));
    let mut prev = 1.0;
    for i in 1..=8 {
        let v = k.normalized_angle(i as f64 * PI / 8.0).unwrap();
        assert!(v.is_finite() && v <= prev && v >= -1.0, "{i}: {v}");
        prev = v;
    }
    // log2 of the diagonal: d·Θ(x,x) = 2(1+a)^L + 2aL(1+a)^{L−1} with a = 1/2.
    let l = 100_000f64;
    // = (1.5^L (2 + L/1.5))/3, in log space
    let want = ((2.0 + l / 1.5).ln() + l * 1.5f64.ln() - 3f64.ln()) / 2f64.ln();
    assert!(rel(k.log2_abs(1.0).unwrap(), want) < 1e-12);
    let mlp = SphereKernel::new(Mlp::new(100_000, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    assert!(mlp.normalized(0.0).unwrap().is_finite());
}

/// The inner product of a normalized random `f64` vector with itself is often $1 + 2^{-52}$
/// (rounding); it must evaluate as $t = 1$, at both ends, and beyond 4 ulp be an error.
#[test]
fn inner_products_rounded_past_one_are_accepted() {
    use rand::{RngExt, SeedableRng};
    let k = SphereKernel::new(ResNet::new(5, 0.1, 1.0, 1.0).unwrap(), KernelKind::Ntk, 10).unwrap();
    let one = k.eval(1.0).unwrap();
    let minus_one = k.eval(-1.0).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut above = 0;
    for _ in 0..999 {
        let v: Vec<f64> = (0..10).map(|_| rng.random_range(-1.0..1.0)).collect();
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let u: Vec<f64> = v.iter().map(|x| x / norm).collect();
        let t: f64 = u.iter().map(|x| x * x).sum();
        let s: f64 = u.iter().map(|x| -x * x).sum();
        above += usize::from(t > 1.0);
        // Below 1 the value is κ(t) itself; at or above 1 exactly κ(1).
        let (vt, vs) = (k.eval(t).unwrap(), k.eval(s).unwrap());
        if t >= 1.0 {
            assert_eq!(vt, one, "t = {t:e}");
        }
        if s <= -1.0 {
            assert_eq!(vs, minus_one, "t = {s:e}");
        }
    }
    assert!(
        above > 50,
        "only {above} of 999 rounded above 1: the test lost its point"
    );
    for t in [1.0 + 4.0 * f64::EPSILON, -1.0 - 4.0 * f64::EPSILON] {
        assert_eq!(k.eval(t).unwrap(), if t > 0.0 { one } else { minus_one });
        assert_eq!(k.normalized(t).unwrap(), k.normalized(t.signum()).unwrap());
    }
    for t in [
        1.0 + 5.0 * f64::EPSILON,
        -1.0 - 5.0 * f64::EPSILON,
        1.5,
        f64::NAN,
    ] {
        let err = k.eval(t).unwrap_err().to_string();
        assert!(err.contains("outside [-1, 1]"), "{t}: {err}");
    }
}

/// `kernel::Matrix`: indexing, shape, rows and the round trip through `faer`.
#[test]
fn matrix_accessors_and_faer_round_trip() {
    use ntk_sphere::kernel::{Matrix, gram};
    let x = Points::from_rows(&[[1.0, 0.0], [0.6, 0.8], [0.0, -2.0]]).unwrap();
    let y = Points::from_rows(&[[0.0, 1.0], [1.0, 1.0]]).unwrap();
    let arch: Architecture = Mlp::new(3, 1.0).unwrap().into();
    let k = gram(&arch, KernelKind::Ntk, &x, Some(&y)).unwrap();
    assert_eq!(k.shape(), (3, 2));
    let rows = k.to_rows();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.as_slice(), k.row(i));
        for (j, &v) in row.iter().enumerate() {
            assert_eq!(k[(i, j)], v);
            assert_eq!(k.get(i, j), v);
            assert_eq!(k.as_slice()[i * 2 + j], v);
        }
    }
    let m = k.to_faer();
    assert_eq!((m.nrows(), m.ncols()), (3, 2));
    assert_eq!(Matrix::from_faer(m.as_ref()), k);
    assert_eq!(k.clone().into_vec(), k.as_slice());
    let caught = std::panic::catch_unwind(|| k[(3, 0)]);
    assert!(
        caught.is_err(),
        "out-of-range indexing must panic, not read another entry"
    );
}

/// Batch evaluation is the per-point evaluation, in order, for t and θ, raw and normalized.
#[test]
fn batch_evaluation_matches_pointwise() {
    let k = SphereKernel::new(
        ResNet::builder(4).alpha(0.3).build().unwrap(),
        KernelKind::Nngp,
        5,
    )
    .unwrap();
    let t: Vec<f64> = (0..=400).map(|i| -1.0 + i as f64 / 200.0).collect();
    let th: Vec<f64> = (0..=400).map(|i| PI * i as f64 / 400.0).collect();
    let each = |f: &dyn Fn(f64) -> f64, xs: &[f64]| xs.iter().map(|&x| f(x)).collect::<Vec<_>>();
    assert_eq!(k.eval_many(&t).unwrap(), each(&|x| k.eval(x).unwrap(), &t));
    assert_eq!(
        k.normalized_many(&t).unwrap(),
        each(&|x| k.normalized(x).unwrap(), &t)
    );
    assert_eq!(
        k.eval_angles(&th).unwrap(),
        each(&|x| k.eval_angle(x).unwrap(), &th)
    );
    assert_eq!(
        k.normalized_angles(&th).unwrap(),
        each(&|x| k.normalized_angle(x).unwrap(), &th)
    );
    assert!(k.eval_angles(&[0.0, -0.1]).is_err());
}

/// The ResNet recursion run on inputs of different norms: the NTK and NNGP kernels of bias-free
/// networks are positively homogeneous, K(λx, μy) = λμ K(x, y), so the recursion on the
/// covariance (λ²/d, μ²/d, λμt/d) must give λμ κ(t) — a path the Gram matrices never take (they
/// rescale to unit norm first).
#[test]
fn resnet_recursion_with_unequal_norms_is_homogeneous() {
    use ntk_sphere::arch::InputCovariance;
    let d = 3.0;
    for (alpha, sw, sv) in [(0.1, 1.0, 1.0), (0.7, 2.0, 0.5), (2.0, 0.5, 3.0)] {
        let r = ResNet::new(4, alpha, sw, sv).unwrap();
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let k = SphereKernel::new(r, kind, 3).unwrap();
            for &(lam, mu, t) in &[(2.0, 0.5, 0.3), (0.1, 3.0, -0.8), (1.7, 1.7, 0.99)] {
                let s = r
                    .recursion(InputCovariance {
                        xx: lam * lam / d,
                        yy: mu * mu / d,
                        xy: lam * mu * t / d,
                    })
                    .get(kind);
                let got = s.mantissa * 2f64.powi(s.exp2 as i32);
                let want = lam * mu * k.eval(t).unwrap();
                assert!(
                    rel(got, want) < 1e-13,
                    "α = {alpha}, {kind:?}, λ = {lam}, μ = {mu}, t = {t}: {got} vs {want}"
                );
            }
        }
    }
}

/// `log2 |mantissa · 2^exp2|` of a scaled recursion value.
fn log2_scaled(s: &ntk_sphere::arch::Scaled<f64>) -> f64 {
    s.mantissa.abs().log2() + s.exp2 as f64
}

/// The rescaling of the activation layers (mantissas brought back near 1 when their scale
/// leaves [2^-128, 2^128], the power of two carried in `exp2`): homogeneous networks evaluated
/// at input covariances scaled by 2^(2k) give exactly the homogeneity law, also when the scale
/// jumps past 2^128 in one layer (cubic activations) and when q_x q_y itself overflows `f64`;
/// a zero variance gives exact zeros.
#[test]
fn rescaling_keeps_homogeneous_recursions_exact() {
    use ntk_sphere::activation::Activation;
    use ntk_sphere::arch::{InputCovariance, Layer, Serial};
    let input = |scale: f64| InputCovariance {
        xx: scale,
        yy: 0.7 * scale,
        xy: 0.3 * scale,
    };
    // Degree 3 per layer: four layers multiply log2 of the input scale by 3^4 = 81; the
    // mantissas reach 2^240 after the first layer, beyond the rescaling threshold in one jump.
    let mut layers = Vec::new();
    for _ in 0..4 {
        layers.push(Layer::dense(2.0, 0.0).unwrap());
        layers.push(Layer::activation(
            Activation::rectified_monomial(3).unwrap(),
        ));
    }
    let cubic: Architecture = Serial::new(layers).unwrap().into();
    let unit = cubic.recursion(input(1.0));
    let big = cubic.recursion(input(2f64.powi(80)));
    for (u, b) in [(&unit.nngp, &big.nngp), (&unit.ntk, &big.ntk)] {
        assert!(b.mantissa.is_finite() && b.mantissa != 0.0, "{b:?}");
        let want = log2_scaled(u) + 81.0 * 80.0;
        assert!(
            (log2_scaled(b) - want).abs() < 1e-9,
            "{} vs {want}",
            log2_scaled(b)
        );
    }
    // Degree 1 (ReLU MLP): q_x q_y = 1e400 overflows, the kernel 1e200·K(1, 0.7, 0.3) does not.
    let mlp: Architecture = Mlp::new(4, 1.0).unwrap().into();
    let unit = mlp.recursion(input(1.0)).ntk;
    let big = mlp.recursion(input(1e200)).ntk;
    let want = log2_scaled(&unit) + 1e200f64.log2();
    assert!((log2_scaled(&big) - want).abs() < 1e-9, "{big:?}");
    // A zero input variance (the zero vector): exact zeros, no arithmetic overflow in the
    // rescaling (this test also runs with overflow checks).
    let zero = mlp.recursion(InputCovariance {
        xx: 0.0,
        yy: 1.0,
        xy: 0.0,
    });
    assert_eq!((zero.nngp.mantissa, zero.ntk.mantissa), (0.0, 0.0));
}

/// The NTK Gram matrix of three points of different norms (0.5, √5, 0.5) by `kernel::gram`,
/// which rescales by |x||y| when the network says it is homogeneous, against the exact
/// per-pair recursion, which does not use the homogeneity.
fn assert_gram_matches_exact(arch: &Architecture) {
    let x = Points::new(vec![0.3, 0.4, 2.0, -1.0, 0.0, 0.5], 3, 2).unwrap();
    let fast = ntk_sphere::kernel::gram(arch, KernelKind::Ntk, &x, None).unwrap();
    let exact = gram_exact(arch, KernelKind::Ntk, &x, None).unwrap();
    for i in 0..3 {
        for j in 0..3 {
            assert!(
                rel(fast.get(i, j), exact.get(i, j)) < IDENTITY_TOL,
                "({i}, {j})"
            );
        }
    }
}

/// A user layer that adds a constant to every covariance (a bias without weights): not
/// homogeneous, and it does not say so — the default of `KernelLayer::homogeneity` must be
/// `None`.
#[derive(Debug)]
struct AddConstant(f64);

impl ntk_sphere::arch::KernelLayer for AddConstant {
    fn apply<S: ntk_sphere::scalar::KernelScalar>(
        &self,
        s: ntk_sphere::arch::CovState<S>,
    ) -> ntk_sphere::arch::CovState<S> {
        let s = s.unscaled();
        let c = || S::from_f64(self.0);
        ntk_sphere::arch::CovState {
            xx: s.xx + c(),
            yy: s.yy + c(),
            nngp: s.nngp + c(),
            ntk: s.ntk,
            exp2: 0,
        }
    }
}

/// A user layer that multiplies the features by 2 and declares itself homogeneous.
#[derive(Debug)]
struct Double;

impl ntk_sphere::arch::KernelLayer for Double {
    fn apply<S: ntk_sphere::scalar::KernelScalar>(
        &self,
        s: ntk_sphere::arch::CovState<S>,
    ) -> ntk_sphere::arch::CovState<S> {
        let four = || S::from_f64(4.0);
        ntk_sphere::arch::CovState {
            xx: four() * s.xx,
            yy: four() * s.yy,
            nngp: four() * s.nngp,
            ntk: four() * s.ntk,
            exp2: s.exp2,
        }
    }
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        input
    }
}

#[test]
fn user_layers_report_their_homogeneity() {
    use ntk_sphere::activation::Activation;
    use ntk_sphere::arch::{Layer, Serial};
    let relu = || Layer::activation(Activation::relu());
    let dense = || Layer::dense(1.0, 0.0).unwrap();
    let net = |l: Layer| Serial::new(vec![dense(), relu(), l, dense()]).unwrap();
    assert_eq!(net(Layer::custom(Double)).homogeneity(Some(1)), Some(1));
    assert_eq!(
        net(Layer::custom(AddConstant(0.1))).homogeneity(Some(1)),
        None
    );
    // A Serial is a KernelLayer too (as a user layer it answers through the trait).
    let inner = |b_var: f64| Serial::new(vec![Layer::dense(1.0, b_var).unwrap(), relu()]).unwrap();
    assert_eq!(net(Layer::custom(inner(0.0))).homogeneity(Some(1)), Some(1));
    assert_eq!(net(Layer::custom(inner(0.0))).homogeneity(Some(2)), Some(2));
    assert_eq!(net(Layer::custom(inner(0.1))).homogeneity(Some(1)), None);
    // The Gram matrix of points of different norms uses the homogeneity (rescaling by
    // |x||y| when it holds): against the exact per-pair recursion, which does not.
    assert_gram_matches_exact(&net(Layer::custom(AddConstant(0.1))).into());
}

/// Variances of 2^(2^40) and beyond (ReLU² layers with σ_w² = 4 square the scale per layer,
/// so the carried base-2 exponent passes 2^31 and, at 64 layers, the end of i64) before a
/// non-homogeneous activation: erf of such a variance is the sign function, so the kernel is
/// either refused with an error or equal to the same network with `sign` (a degree-0
/// homogeneous activation, evaluated without folding the exponent in). Before the fix, an
/// exponent that wrapped around i64 gave Ok(0.0).
#[test]
fn astronomical_variances_before_erf_are_refused_or_exact() {
    use ntk_sphere::activation::Activation;
    use ntk_sphere::arch::{Layer, Serial};
    for n in [40usize, 63, 64, 70] {
        let net = |last: Activation| {
            let mut layers = Vec::new();
            for _ in 0..n {
                layers.push(Layer::dense(4.0, 0.0).unwrap());
                layers.push(Layer::activation(
                    Activation::rectified_monomial(2).unwrap(),
                ));
            }
            layers.push(Layer::dense(1.0, 0.0).unwrap());
            layers.push(Layer::activation(last));
            layers.push(Layer::dense(1.0, 0.0).unwrap());
            SphereKernel::new(Serial::new(layers).unwrap(), KernelKind::Nngp, 3).unwrap()
        };
        let erf = net(Activation::erf(1.0, 1.0, 0.0).unwrap());
        let sign = net(Activation::sign());
        for t in [-0.5, 0.3, 1.0] {
            if let Ok(v) = erf.eval(t) {
                let want = sign.eval(t).unwrap();
                assert!(
                    (v - want).abs() < 1e-12,
                    "n = {n}, t = {t}: {v} vs sign {want}"
                );
            }
        }
    }
    // The other end: σ_w² = 1/4 squares a scale below 1, so the variances before erf are
    // 2^(-2^40) and below and erf acts linearly: the kernel is of that size too, and its
    // double is 0 (or an error), never a value of ordinary size.
    for n in [40usize, 70] {
        let mut layers = Vec::new();
        for _ in 0..n {
            layers.push(Layer::dense(0.25, 0.0).unwrap());
            layers.push(Layer::activation(
                Activation::rectified_monomial(2).unwrap(),
            ));
        }
        layers.push(Layer::activation(Activation::erf(1.0, 1.0, 0.0).unwrap()));
        layers.push(Layer::dense(1.0, 0.0).unwrap());
        let k = SphereKernel::new(Serial::new(layers).unwrap(), KernelKind::Nngp, 3).unwrap();
        for t in [-0.5, 0.3, 1.0] {
            if let Ok(v) = k.eval(t) {
                assert_eq!(v, 0.0, "n = {n}, t = {t}");
            }
        }
    }
}

/// Residual scales whose square leaves [1e-100, 1e100] go through the exponent of the scaled
/// state (not multiplied in): the diagonal closed form d·Θ(x,x) = 2(1+a)^L + 2aL(1+a)^{L-1},
/// a = α²/2, compared in logarithms for α = 1e60 … 1e150 (values beyond f64, up to 1e600, come
/// back as `NotRepresentable`, whose `log2_abs` is compared).
#[test]
fn huge_residual_scales_match_the_diagonal_closed_form() {
    for (alpha, depth) in [(1e60f64, 1usize), (1e60, 2), (1e100, 2), (1e150, 1)] {
        let dim = 3;
        let k = SphereKernel::new(
            ResNet::new(depth, alpha, 1.0, 1.0).unwrap(),
            KernelKind::Ntk,
            dim,
        )
        .unwrap();
        let a = alpha * alpha / 2.0;
        let l = depth as f64;
        let ln_want = 2f64.ln() + l * a.ln_1p() + (a * l / (1.0 + a)).ln_1p();
        let got = match k.eval(1.0) {
            Ok(v) => (dim as f64 * v).ln(),
            Err(ntk_sphere::KernelError::NotRepresentable { log2_abs }) => {
                log2_abs * 2f64.ln() + (dim as f64).ln()
            }
            Err(e) => panic!("α = {alpha:e}, L = {depth}: {e}"),
        };
        assert!(
            rel(got, ln_want) < 1e-13,
            "α = {alpha:e}, L = {depth}: {got} vs {ln_want}"
        );
    }
}

/// A residual block is homogeneous of degree h exactly when its branch is (or α = 0): a bias or
/// a degree-2 activation in the branch breaks it, and then the Gram matrix of points of
/// different norms must not be rescaled as if it held (checked against the exact per-pair path).
#[test]
fn residual_blocks_report_their_homogeneity() {
    use ntk_sphere::activation::Activation;
    use ntk_sphere::arch::{Layer, Serial};
    let branch = |b_var: f64, act: Activation| {
        vec![
            Layer::dense(1.0, b_var).unwrap(),
            Layer::activation(act),
            Layer::dense(1.0, 0.0).unwrap(),
        ]
    };
    let net = |alpha: f64, b: Vec<Layer>| {
        Serial::new(vec![
            Layer::dense(1.0, 0.0).unwrap(),
            Layer::residual(alpha, b).unwrap(),
        ])
        .unwrap()
    };
    let relu = Activation::relu;
    let square = || Activation::rectified_monomial(2).unwrap();
    assert_eq!(net(0.5, branch(0.0, relu())).homogeneity(Some(1)), Some(1));
    assert_eq!(net(0.5, branch(0.1, relu())).homogeneity(Some(1)), None);
    assert_eq!(net(0.5, branch(0.0, square())).homogeneity(Some(1)), None);
    assert_eq!(net(0.0, branch(0.1, relu())).homogeneity(Some(1)), Some(1));
    assert_gram_matches_exact(&net(0.5, branch(0.1, relu())).into());
}
