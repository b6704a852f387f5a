//! [`BoundedLanes`]: [`LANE_COUNT`] independent [`Bounded`] doubles that go through one kernel
//! recursion together — the Gram path for inputs of distinct norms evaluates a row's entries
//! [`LANE_COUNT`] at a time.
//!
//! Every operation is the [`Bounded`] operation applied lane by lane (the same formulas for the
//! value and its bound, so a lane's result is bitwise the one of the scalar recursion whenever
//! the recursion takes the same branches). What the lanes share is the control flow of the
//! generic recursion, which branches on [`KernelScalar::approx`] in two ways only: to pick a
//! power-of-two scaling exponent, and to tell zero variances (and, for a few activations, the
//! range of a correlation) apart. [`BoundedLanes::approx`] is lane 0's value when every lane has
//! the sign of lane 0 (all positive, all zero or all negative), and `NaN` otherwise, so that no
//! test on it succeeds: the recursion then takes its general formulas, which are valid for every
//! lane (a zero variance divides by zero there, and that lane's bound becomes infinite).
//! Scaling exponents chosen from lane 0 are exact for every lane; a lane whose magnitude is then
//! far from 1 is protected by [`Bounded`]'s underflow rule (a product or quotient below
//! [`Bounded::TINY`] gets an infinite bound), so a lane never keeps a value whose bound the
//! model does not cover.

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::{Bounded, KernelScalar};

/// The number of lanes of [`BoundedLanes`].
pub const LANE_COUNT: usize = 32;

/// [`LANE_COUNT`] bounded doubles evaluated together (module documentation).
///
/// A value built from one number ([`KernelScalar::from_f64`], `pi`, `cos_angle`) is *uniform*:
/// every lane holds the same value and bound, and operations among uniform values compute
/// lane 0 once and share it (the row point's variance and an activation's unit variance in
/// the Gram path). `uniform` is only ever a statement about identical lanes, so the results
/// are the same as lane by lane.
///
/// ```
/// use ntk_sphere::scalar::{Bounded, BoundedLanes, KernelScalar, LANE_COUNT};
/// let x = BoundedLanes::from_fn(|l| Bounded::from_f64(l as f64 + 1.0));
/// let y = (x * x).sqrt() - x;
/// for l in 0..LANE_COUNT {
///     assert_eq!(y.lane(l).value, 0.0);
///     assert!(y.lane(l).err <= 4.0 * f64::EPSILON * (l as f64 + 1.0));
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BoundedLanes {
    value: [f64; LANE_COUNT],
    err: [f64; LANE_COUNT],
    /// Every lane equals lane 0.
    uniform: bool,
}

impl BoundedLanes {
    /// The lanes `f(0), …, f(LANE_COUNT − 1)`.
    #[inline]
    pub fn from_fn(mut f: impl FnMut(usize) -> Bounded) -> Self {
        let (mut value, mut err) = ([0.0; LANE_COUNT], [0.0; LANE_COUNT]);
        for l in 0..LANE_COUNT {
            let b = f(l);
            (value[l], err[l]) = (b.value, b.err);
        }
        Self {
            value,
            err,
            uniform: false,
        }
    }
    /// Every lane `b`.
    #[inline]
    pub fn splat(b: Bounded) -> Self {
        Self {
            value: [b.value; LANE_COUNT],
            err: [b.err; LANE_COUNT],
            uniform: true,
        }
    }
    /// Lane `l` (`l < LANE_COUNT`).
    #[inline]
    pub fn lane(&self, l: usize) -> Bounded {
        Bounded::new(self.value[l], self.err[l])
    }
    #[inline(always)]
    fn map(&self, f: impl Fn(Bounded) -> Bounded + Copy) -> Self {
        if self.uniform {
            return Self::splat(f(self.lane(0)));
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (checked just above).
                return unsafe { wide::map_avx2(self, f) };
            }
        }
        map_lanes(self, f)
    }
    #[inline(always)]
    fn zip(&self, o: &Self, f: impl Fn(Bounded, Bounded) -> Bounded + Copy) -> Self {
        if self.uniform && o.uniform {
            return Self::splat(f(self.lane(0), o.lane(0)));
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (checked just above).
                return unsafe { wide::zip_avx2(self, o, f) };
            }
        }
        zip_lanes(self, o, f)
    }
}

/// `f` on every lane of `a` (the loop that the compiler vectorizes).
#[inline(always)]
fn map_lanes(a: &BoundedLanes, f: impl Fn(Bounded) -> Bounded) -> BoundedLanes {
    let (mut value, mut err) = ([0.0; LANE_COUNT], [0.0; LANE_COUNT]);
    for l in 0..LANE_COUNT {
        let r = f(Bounded::new(a.value[l], a.err[l]));
        (value[l], err[l]) = (r.value, r.err);
    }
    BoundedLanes {
        value,
        err,
        uniform: false,
    }
}

/// `f` on every pair of lanes of `a` and `b`.
#[inline(always)]
fn zip_lanes(
    a: &BoundedLanes,
    b: &BoundedLanes,
    f: impl Fn(Bounded, Bounded) -> Bounded,
) -> BoundedLanes {
    let (mut value, mut err) = ([0.0; LANE_COUNT], [0.0; LANE_COUNT]);
    for l in 0..LANE_COUNT {
        let r = f(
            Bounded::new(a.value[l], a.err[l]),
            Bounded::new(b.value[l], b.err[l]),
        );
        (value[l], err[l]) = (r.value, r.err);
    }
    BoundedLanes {
        value,
        err,
        uniform: false,
    }
}

/// The lane loops compiled for AVX2, chosen at run time: the same IEEE operations (no fused
/// multiply-adds: Rust does not contract `a * b + c`), so both instruction sets give bitwise the
/// same lanes (AVX-512 would gain another 8% on the Gram path but needs Rust 1.89).
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::{Bounded, BoundedLanes, map_lanes, zip_lanes};

    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn map_avx2(
        a: &BoundedLanes,
        f: impl Fn(Bounded) -> Bounded,
    ) -> BoundedLanes {
        map_lanes(a, f)
    }
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn zip_avx2(
        a: &BoundedLanes,
        b: &BoundedLanes,
        f: impl Fn(Bounded, Bounded) -> Bounded,
    ) -> BoundedLanes {
        zip_lanes(a, b, f)
    }
}

/// Equal lanes (whether or not either value is marked uniform).
impl PartialEq for BoundedLanes {
    fn eq(&self, o: &Self) -> bool {
        self.value == o.value && self.err == o.err
    }
}

macro_rules! lane_binary {
    ($trait:ident, $method:ident) => {
        impl $trait for BoundedLanes {
            type Output = Self;
            #[inline]
            fn $method(self, o: Self) -> Self {
                self.zip(&o, |a, b| $trait::$method(a, b))
            }
        }
    };
}
lane_binary!(Add, add);
lane_binary!(Sub, sub);
lane_binary!(Mul, mul);
lane_binary!(Div, div);

impl Neg for BoundedLanes {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.map(|a| -a)
    }
}

/// The sign class of a value: −1, 0, 1, or 2 for `NaN`.
#[inline]
fn sign_class(x: f64) -> i32 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else if x == 0.0 {
        0
    } else {
        2
    }
}

impl KernelScalar for BoundedLanes {
    const HOMOGENEOUS_DIAGONAL: bool = Bounded::HOMOGENEOUS_DIAGONAL;
    fn from_f64(x: f64) -> Self {
        Self::splat(Bounded::from_f64(x))
    }
    fn cos_angle(theta: f64) -> Self {
        Self::splat(Bounded::cos_angle(theta))
    }
    fn sqrt(&self) -> Self {
        self.map(|a| a.sqrt())
    }
    fn arc_cosine(&self) -> (Self, Self) {
        if self.uniform {
            let (a, b) = self.lane(0).arc_cosine();
            return (Self::splat(a), Self::splat(b));
        }
        let (mut k0, mut k1) = (*self, *self);
        for l in 0..LANE_COUNT {
            let (a, b) = self.lane(l).arc_cosine();
            (k0.value[l], k0.err[l]) = (a.value, a.err);
            (k1.value[l], k1.err[l]) = (b.value, b.err);
        }
        (k0, k1)
    }
    fn exp(&self) -> Self {
        self.map(|a| a.exp())
    }
    fn asin(&self) -> Self {
        self.map(|a| a.asin())
    }
    /// Lane 0's value if every lane has its sign (or is zero with it), else `NaN` (module
    /// documentation).
    fn approx(&self) -> f64 {
        if self.uniform {
            return self.value[0];
        }
        let first = sign_class(self.value[0]);
        if self.value.iter().all(|&v| sign_class(v) == first) {
            self.value[0]
        } else {
            f64::NAN
        }
    }
    /// `None`, as for [`Bounded`].
    fn to_number(&self) -> Option<f64> {
        None
    }
    fn scale_pow2(&self, e: i32) -> Self {
        self.map(|a| a.scale_pow2(e))
    }
    fn pi() -> Self {
        Self::splat(Bounded::pi())
    }
    super::dispatch_methods!(dual_lanes, apply_lanes);
}

crate::scalar::impl_zero_one!(BoundedLanes, |x| x
    .value
    .iter()
    .chain(&x.err)
    .all(|&v| v == 0.0));

#[cfg(test)]
mod tests {
    use super::*;

    /// Operations among uniform values (computed once) give lane by lane what the same lanes
    /// built one by one give.
    #[test]
    fn uniform_values_compute_as_their_lanes() {
        let a = BoundedLanes::splat(Bounded::new(0.7, 3e-16));
        let b = BoundedLanes::from_f64(1.3);
        let (la, lb) = (
            BoundedLanes::from_fn(|_| a.lane(0)),
            BoundedLanes::from_fn(|_| b.lane(0)),
        );
        assert!(a.uniform && b.uniform && !la.uniform);
        let ops = |x: BoundedLanes, y: BoundedLanes| {
            let (k0, k1) = (x / y).arc_cosine();
            [
                x + y,
                x - y,
                x * y,
                x / y,
                y.sqrt(),
                x.exp(),
                x.asin(),
                k0,
                k1,
                -x,
                x.scale_pow2(-3),
            ]
        };
        for (u, l) in ops(a, b).iter().zip(ops(la, lb)) {
            assert!(u.uniform && !l.uniform);
            for lane in 0..LANE_COUNT {
                assert_eq!(u.lane(lane), l.lane(lane));
            }
        }
        // one non-uniform operand makes the result non-uniform; equality sees the lanes only
        assert!(!(a + la).uniform);
        assert_eq!(a, la);
        assert_ne!(a, b);
    }

    /// The loops chosen at run time (AVX2 where the CPU has it) give bitwise the lanes of the
    /// plain loops, which are also the scalar operations.
    #[test]
    fn every_instruction_set_gives_the_same_lanes() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut next = move || rng.random_range(0.0..1.0);
        for round in 0..200 {
            // values of both signs, zeros, powers of two, tiny and huge magnitudes
            let mut pick = |l: usize| {
                let v = match (round + l) % 7 {
                    0 => 0.0,
                    1 => 2f64.powi((next() * 60.0) as i32 - 30),
                    2 => 1e-280 * next(),
                    3 => 1e250 * next(),
                    _ => 4.0 * next() - 2.0,
                };
                Bounded::new(v, 1e-16 * next() * v.abs())
            };
            let a = BoundedLanes::from_fn(&mut pick);
            let b = BoundedLanes::from_fn(&mut pick);
            let dispatched = [a + b, a - b, a * b, a / b, a.sqrt(), a.scale_pow2(-7), -a];
            let plain = [
                zip_lanes(&a, &b, |x, y| x + y),
                zip_lanes(&a, &b, |x, y| x - y),
                zip_lanes(&a, &b, |x, y| x * y),
                zip_lanes(&a, &b, |x, y| x / y),
                map_lanes(&a, |x| x.sqrt()),
                map_lanes(&a, |x| x.scale_pow2(-7)),
                map_lanes(&a, |x| -x),
            ];
            let scalar: [fn(Bounded, Bounded) -> Bounded; 7] = [
                |x, y| x + y,
                |x, y| x - y,
                |x, y| x * y,
                |x, y| x / y,
                |x, _| x.sqrt(),
                |x, _| x.scale_pow2(-7),
                |x, _| Bounded::new(-x.value, x.err),
            ];
            for ((d, p), f) in dispatched.iter().zip(&plain).zip(scalar) {
                for l in 0..LANE_COUNT {
                    let want = f(a.lane(l), b.lane(l));
                    for got in [d.lane(l), p.lane(l)] {
                        assert_eq!(got.value.to_bits(), want.value.to_bits());
                        assert_eq!(got.err.to_bits(), want.err.to_bits());
                    }
                }
            }
        }
    }

    #[test]
    fn approx_is_lane_zero_only_when_all_lanes_share_its_sign() {
        let positive = BoundedLanes::from_fn(|l| Bounded::from_f64(1.0 + l as f64));
        assert_eq!(positive.approx(), 1.0);
        let zero = BoundedLanes::from_f64(0.0);
        assert_eq!(zero.approx(), 0.0);
        let mut mixed = positive;
        mixed.value[LANE_COUNT - 1] = 0.0;
        assert!(mixed.approx().is_nan());
        mixed.value[LANE_COUNT - 1] = -1.0;
        assert!(mixed.approx().is_nan());
        let mut nan = positive;
        nan.value[3] = f64::NAN;
        assert!(nan.approx().is_nan());
        // lanes built one by one (not uniform) that agree in sign: lane 0
        let negative = BoundedLanes::from_fn(|l| Bounded::from_f64(-1.0 - l as f64));
        assert_eq!(negative.approx(), -1.0);
        let zeros = BoundedLanes::from_fn(|_| Bounded::from_f64(0.0));
        assert!(!zeros.uniform);
        assert_eq!(zeros.approx(), 0.0);
        let mut zero_then_negative = zeros;
        zero_then_negative.value[LANE_COUNT - 1] = -1.0;
        assert!(zero_then_negative.approx().is_nan());
        let mut negative_then_nan = negative;
        negative_then_nan.value[1] = f64::NAN;
        assert!(negative_then_nan.approx().is_nan());
    }

    /// Like [`Bounded`], the lanes hold no plain number: an activation known only as an `f64`
    /// closure poisons them (its entries take the exact path).
    #[test]
    fn closures_poison_the_lanes() {
        use crate::activation::{Activation, ClosureActivation, DualActivation};
        assert_eq!(BoundedLanes::from_f64(0.5).to_number(), None);
        let relu = Activation::closure(ClosureActivation::new("relu", |x: f64| x.max(0.0)));
        let q = BoundedLanes::from_fn(|l| Bounded::from_f64(1.0 + l as f64));
        let c = BoundedLanes::from_fn(|l| Bounded::from_f64(0.1 * (l % 7) as f64));
        let (e, ed) = relu.dual(&BoundedLanes::from_f64(2.0), &q, &c);
        for l in 0..LANE_COUNT {
            assert!(
                e.lane(l).err.is_infinite() || e.lane(l).value.is_nan(),
                "{l}"
            );
            assert!(
                ed.lane(l).err.is_infinite() || ed.lane(l).value.is_nan(),
                "{l}"
            );
        }
    }
}
