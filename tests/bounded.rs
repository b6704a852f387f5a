//! The running error bounds of [`Bounded`] are valid: for random networks (every built-in
//! activation, biases, residual blocks) and random inputs, the double value of the recursion on
//! `Bounded` lies within its bound of the double-double recursion; and the fast Gram path keeps
//! such entries for inputs of distinct norms, within `BOUNDED_TOLERANCE` of the exact path.

use ntk_sphere::activation::Activation;
use ntk_sphere::arch::{InputCovariance, Layer, Serial};
use ntk_sphere::kernel::{BOUNDED_TOLERANCE, gram, gram_exact};
use ntk_sphere::scalar::{Bounded, DoubleDouble, KernelScalar};
use ntk_sphere::{Architecture, KernelKind, Mlp, Points, ResNet};
use proptest::prelude::*;

mod common;
use common::{Rng, composed_network};

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::relu()),
        (-1.0f64..1.0).prop_map(|s| Activation::leaky_relu(s).unwrap()),
        Just(Activation::abs()),
        Just(Activation::sign()),
        (0u32..=3).prop_map(|n| Activation::rectified_monomial(n).unwrap()),
        (0.5f64..2.0, 0.2f64..2.0, -0.5f64..0.5)
            .prop_map(|(a, b, c)| Activation::erf(a, b, c).unwrap()),
        Just(Activation::gelu()),
        (0.5f64..2.0, 0.2f64..1.5, -1.0f64..1.0)
            .prop_map(|(a, b, c)| Activation::sin(a, b, c).unwrap()),
        (0.5f64..2.0, 0.2f64..1.5).prop_map(|(a, b)| Activation::gaussian(a, b).unwrap()),
        (0.5f64..2.0, 0.1f64..0.7).prop_map(|(a, b)| Activation::exp(a, b).unwrap()),
        prop::collection::vec(-1.0f64..1.0, 1..4).prop_map(|c| Activation::polynomial(&c).unwrap()),
    ]
}

/// Up to four blocks `dense(w, b), φ`, every second one inside a residual block, then a
/// readout; or the MLP / ResNet presets (flagged `true`: ReLU networks, whose bounds are
/// always finite).
fn architecture() -> impl Strategy<Value = (Architecture, bool)> {
    prop_oneof![
        (0usize..=10, 0.5f64..3.0, 0.0f64..2.0)
            .prop_map(|(l, w, b)| (Mlp::with_bias(l, w, b).unwrap().into(), true)),
        (1usize..=10, 0.05f64..1.5)
            .prop_map(|(l, a)| (ResNet::new(l, a, 1.0, 1.0).unwrap().into(), true)),
        (
            prop::collection::vec(activation(), 1..=4),
            0.3f64..2.0,
            0.0f64..1.0,
            0.0f64..1.5
        )
            .prop_map(|(acts, w, b, alpha)| (composed_network(acts, w, b, alpha), false)),
    ]
}

/// `value · 2^exp2` of a double-double, as a double-double.
fn dd_scaled(m: DoubleDouble, exp2: i64) -> DoubleDouble {
    m.scale_pow2(exp2 as i32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]

    /// |Bounded value − double-double value| ≤ Bounded bound, for both kernels, at random
    /// input covariances (q_x, q_y, c) with |c| ≤ √(q_x q_y), correlations near ±1 included.
    #[test]
    fn bounds_cover_the_double_double_recursion((arch, relu) in architecture(),
                                                 qx in 0.01f64..4.0, qy in 0.01f64..4.0,
                                                 rho in -1.0f64..=1.0, squeeze in 0usize..4) {
        // correlations pushed towards ±1 (gaps down to 1e-12)
        let rho = match squeeze {
            0 => rho,
            k => rho.signum() * (1.0 - (1.0 - rho.abs()) * 10f64.powi(-4 * k as i32)),
        };
        let c = rho * (qx * qy).sqrt();
        let b = arch.recursion(InputCovariance {
            xx: Bounded::from_f64(qx), yy: Bounded::from_f64(qy), xy: Bounded::from_f64(c),
        });
        let x = arch.recursion(InputCovariance {
            xx: DoubleDouble::from(qx), yy: DoubleDouble::from(qy), xy: DoubleDouble::from(c),
        });
        for (got, exact) in [(b.ntk, x.ntk), (b.nngp, x.nngp)] {
            let m = got.mantissa;
            if !m.err.is_finite() {
                prop_assert!(!relu, "{arch:?}: no bound");
                continue; // no bound claimed
            }
            let diff = dd_scaled(DoubleDouble::from(m.value), got.exp2)
                - dd_scaled(exact.mantissa, exact.exp2);
            let err = dd_scaled(DoubleDouble::from(m.err), got.exp2).to_f64();
            prop_assert!(diff.to_f64().abs() <= err,
                         "{arch:?}: value {:e}, error {:e} > bound {err:e}",
                         m.value, diff.to_f64().abs());
        }
    }
}

/// Gaussian points (all-distinct norms) with biases: most entries come from the bounded double
/// path — so the matrix is not bitwise the exact one — and every entry is within
/// `BOUNDED_TOLERANCE` of it relative to √(K(x,x)K(y,y)).
#[test]
fn distinct_norms_take_the_bounded_path() {
    let mut rng = Rng(0x853c_49e6_748f_ea9b);
    let (n, d) = (60, 12);
    let x = Points::new((0..n * d).map(|_| rng.gauss()).collect(), n, d).unwrap();
    for depth in [1, 3, 5] {
        let arch: Architecture = Mlp::with_bias(depth, 1.2, 0.3).unwrap().into();
        for kind in [KernelKind::Ntk, KernelKind::Nngp] {
            let fast = gram(&arch, kind, &x, None).unwrap();
            let exact = gram_exact(&arch, kind, &x, None).unwrap();
            let mut differing = 0;
            for i in 0..n {
                for j in 0..n {
                    let (f, e) = (fast.get(i, j), exact.get(i, j));
                    differing += usize::from(f != e);
                    let scale = (exact.get(i, i) * exact.get(j, j)).sqrt();
                    assert!(
                        (f - e).abs() <= BOUNDED_TOLERANCE * scale,
                        "L = {depth} ({i}, {j}): {f} vs {e}"
                    );
                    assert_eq!(f.to_bits(), fast.get(j, i).to_bits());
                }
            }
            assert!(differing > n, "L = {depth}: {differing} entries differ");
        }
    }
}

/// A zero input variance (the zero vector, no bias) with degree-0 activations (sign, step):
/// the feature is identically zero, so the variance stays 0 — the homogeneous diagonal
/// q^0·E[φ(z)²] = 1 must not be used there. Bounded agrees with double-double.
#[test]
fn zero_variance_through_degree_zero_activations() {
    for phi in [
        Activation::sign(),
        Activation::rectified_monomial(0).unwrap(),
    ] {
        let arch: Architecture = Serial::new(vec![
            Layer::dense(1.0, 0.0).unwrap(),
            Layer::activation(phi),
            Layer::dense(1.0, 0.0).unwrap(),
            Layer::activation(Activation::relu()),
        ])
        .unwrap()
        .into();
        let b = arch.recursion(InputCovariance {
            xx: Bounded::from_f64(0.0),
            yy: Bounded::from_f64(1.0),
            xy: Bounded::from_f64(0.0),
        });
        let x = arch.recursion(InputCovariance {
            xx: DoubleDouble::from(0.0),
            yy: DoubleDouble::from(1.0),
            xy: DoubleDouble::from(0.0),
        });
        for (got, exact) in [(b.ntk, x.ntk), (b.nngp, x.nngp)] {
            let want = exact.mantissa.to_f64();
            assert!(
                (got.mantissa.value - want).abs() <= got.mantissa.err,
                "{got:?} vs {want}"
            );
        }
    }
}
