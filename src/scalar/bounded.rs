//! Doubles with a running bound on their absolute error: the fast Gram path of inputs with
//! distinct norms runs the kernel recursion on [`Bounded`] and keeps an entry only when the
//! bound proves it accurate, falling back to the double-double recursion otherwise.
//!
//! **Model** (running error analysis: Wilkinson 1963; Higham, *Accuracy and Stability of
//! Numerical Algorithms*, 2nd ed., §3.3). A `Bounded` holds a double $v$ and a bound $e$ with
//! $|v - x| \le e$ for the real number $x$ that the same operations would give in exact
//! arithmetic on the same double inputs (constants such as $\sigma_w^2$ or $\alpha^2$ are taken
//! as the doubles the exact path also uses). With $u = 2^{-53}$, for $|a' - a| \le e_a$,
//! $|b' - b| \le e_b$:
//!
//! * $a \pm b$: $e = e_a + e_b + u|v|$;
//! * $ab$: $e = |a|e_b + |b|e_a + e_ae_b + u|v|$, without the last term when $a$ or $b$ is a
//!   power of two (the product is then exact: $\sigma_w^2 = 1$ costs no rounding);
//! * $a/b$: $e = (e_a + |a/b|\\,e_b)/(|b| - e_b) + u|v|$, infinite when $|b| \le e_b$;
//! * $\sqrt a$: $e = e_a/(\sqrt a + \sqrt{a - e_a}) + u|v|$, or $\sqrt{a + e_a}$ when
//!   $a \le e_a$;
//! * $e^a$: $e = e^a(e^{e_a} - 1)(1 + 2u) + 4u|v|$ (libm's `exp` within 2 ulps);
//! * $\arcsin a$: $e_a/\sqrt{1 - m^2}$ with $m = |a| + e_a < 1$, else the Hölder bound
//!   $|\arcsin x - \arcsin y| \le \pi\sqrt{|x-y|/2}$, plus 2 ulps;
//! * the arc-cosine maps: $\kappa_1' = \kappa_0$ is increasing, so
//!   $e_{\kappa_1} \le e_\rho\min\big(1, \kappa_0(\rho) + e_{\kappa_0}\big)$;
//!   $\kappa_0' = 1/(\pi\sqrt{1-\rho^2})$ with the Hölder bound $\sqrt{e_\rho/2}$ near
//!   $\pm 1$; plus [`ARC_COSINE_ROUNDING`] for the double formulas themselves (a test checks
//!   it against double-double).
//!
//! Every bound is then rounded up by the factor $1 + 4u$, which covers the roundings of the
//! bound arithmetic itself. Scaling by powers of two is exact (the recursions keep mantissas
//! near 1, far from underflow; a product, quotient or scaling below [`Bounded::TINY`]
//! $= 2^{-900}$ gets an infinite bound all the same). Branches taken on the value (a zero
//! variance, the sign of a correlation) choose between formulas of the same function, so the
//! bounds stay valid; a bound that cannot be given (division by an interval containing 0, a
//! `NaN`) is infinite.
//! Activations given only as `f64` closures poison the type ([`KernelScalar::to_number`] is
//! `None`), so their entries always take the exact path.

use std::f64::consts::PI;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::{KernelScalar, scale_f64};

/// The unit roundoff $u = 2^{-53}$.
const U: f64 = f64::EPSILON / 2.0;

/// Bound on the absolute error of [`Bounded`]'s double-precision arc-cosine maps
/// (`arc_cosine_absolute`) at an exact double $\rho$, for both $\kappa_0$ and $\kappa_1$
/// (which lie in $[0, 1]$): $5u$. First-order analysis, with libm's `acos` within 2 ulps
/// ($|\hat\theta - \theta| \le 4u\theta$), $|\hat\pi - \pi| \le 1.11u$ and each of the other
/// operations rounded to nearest: $|\hat\varphi - \varphi| \le (1.11 + 4\theta + \varphi)u$
/// for $\varphi = \pi - \theta$, so $|\hat\kappa_0 - \kappa_0| \le \big((1.11 + 4\theta +
/// \varphi)/\pi + 1.36\\,\kappa_0\big)u \le 4.35u$; $\sqrt{(1-\rho)(1+\rho)}$ is within $2.5u$
/// relative, and carrying the errors through $\big(\sin\theta + \varphi\rho\big)/\pi$ gives
/// at most $4.92u$ for $\kappa_1$ (maximized over $\rho$ on a grid of $2\cdot10^5$ points).
/// The measured maximum over $2\cdot10^5$ correlations (random and clustered at $0$ and
/// $\pm1$) is $2.3u$ (test `arc_cosine_rounding_bound_holds`).
pub const ARC_COSINE_ROUNDING: f64 = 5.0 * U;

/// A double `value` with a bound `err` on its absolute error (see the module documentation).
///
/// ```
/// use ntk_sphere::scalar::{Bounded, KernelScalar};
/// let x = Bounded::from_f64(0.1) * Bounded::from_f64(3.0) - Bounded::from_f64(0.3);
/// // In doubles 0.1·3 − 0.3 gives 2^-54; in exact arithmetic on the same doubles (which are
/// // not exactly 1/10 and 3/10) it is 2^-55. The bound covers the difference.
/// assert_eq!(x.value, 2f64.powi(-54));
/// assert!((x.value - 2f64.powi(-55)).abs() <= x.err);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    /// The computed value.
    pub value: f64,
    /// A bound on $|$`value` $- x|$, $x$ the exact result.
    pub err: f64,
}

/// Whether `x` is $\pm 2^k$ (a normal double with a zero significand) or zero: its products
/// are exact while they stay normal. (A float comparison, not integer ones, so that lanes
/// vectorize.)
#[inline(always)]
fn is_pow2(x: f64) -> bool {
    x.abs() == f64::from_bits(x.to_bits() & 0x7ff0_0000_0000_0000)
}

/// Rounds a freshly computed bound up (covers the roundings of the bound arithmetic).
#[inline(always)]
fn up(e: f64) -> f64 {
    e * (1.0 + 4.0 * U)
}

impl Bounded {
    /// A value with a given error bound.
    #[inline(always)]
    pub fn new(value: f64, err: f64) -> Self {
        Self { value, err }
    }
    /// `err` relative to `|value|`.
    pub fn relative_err(&self) -> f64 {
        self.err / self.value.abs()
    }
    /// The modulus of continuity of $\arccos$ (and $\arcsin$) at `x` for perturbations up to
    /// `e`: $e/\sqrt{1-m^2}$ with $m = |x| + e < 1$, else $\pi\sqrt{e/2}$ (the Hölder bound,
    /// attained at the endpoints).
    fn arc_modulus(x: f64, e: f64) -> f64 {
        let holder = PI * (0.5 * e).sqrt();
        let m = x.abs().min(1.0) + e;
        if m < 1.0 {
            (e / ((1.0 - m) * (1.0 + m)).sqrt()).min(holder)
        } else {
            holder
        }
    }
    /// Products and quotients of smaller magnitude than this, $2^{-900}$, get an infinite
    /// bound (as do those that underflow to zero from nonzero operands): the model's relative
    /// rounding error $u$ does not hold for subnormal results. The recursions keep the scalar's
    /// mantissas near 1, so this only fires for the lanes of [`super::BoundedLanes`] whose
    /// magnitudes are far from lane 0's, which chose the scaling.
    pub const TINY: f64 = f64::from_bits((1023 - 900) << 52);
    /// [`Self::checked`], and an infinite bound for a product or quotient `value` of nonzero
    /// `a` that is below [`Self::TINY`] (`b_zero`: the other operand makes an exact zero).
    #[inline(always)]
    fn checked_product(value: f64, err: f64, a: f64, b_zero: bool) -> Self {
        // (non-short-circuit `&`, `|` and a select: branch-free, so that lanes vectorize)
        let underflow = (value.abs() < Self::TINY) & (a != 0.0) & !b_zero;
        Self::checked_if(value, err, underflow)
    }
    /// Infinite error when the value is not finite.
    #[inline(always)]
    fn checked(value: f64, err: f64) -> Self {
        Self::checked_if(value, err, false)
    }
    /// [`Self::checked`], with an infinite error also when `bad`.
    #[inline(always)]
    fn checked_if(value: f64, err: f64, bad: bool) -> Self {
        let bad = bad | !value.is_finite() | err.is_nan();
        let err = if bad { f64::INFINITY } else { up(err) };
        Self { value, err }
    }
}

impl Add for Bounded {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        let v = self.value + o.value;
        Self::checked(v, self.err + o.err + U * v.abs())
    }
}

impl Sub for Bounded {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        let v = self.value - o.value;
        Self::checked(v, self.err + o.err + U * v.abs())
    }
}

impl Mul for Bounded {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let v = self.value * o.value;
        let e = self.value.abs() * o.err + o.value.abs() * self.err + self.err * o.err;
        // A product with a power of two (σ_w² = 1, say) is exact unless it leaves the normal
        // range, which `checked_product` refuses anyway.
        let exact = is_pow2(self.value) | is_pow2(o.value);
        let rounding = if exact { 0.0 } else { U * v.abs() };
        Self::checked_product(v, e + rounding, self.value, o.value == 0.0)
    }
}

impl Div for Bounded {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let v = self.value / o.value;
        let room = o.value.abs() - o.err;
        let e = if room > 0.0 {
            (self.err + (self.value / o.value).abs() * o.err) / room + U * v.abs()
        } else {
            f64::INFINITY
        };
        Self::checked_product(v, e, self.value, false)
    }
}

impl Neg for Bounded {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self {
            value: -self.value,
            err: self.err,
        }
    }
}

/// $(\kappa_0(\rho), \kappa_1(\rho))$ at a double $\rho$ to a small absolute error (all the
/// bound needs; cheaper than `f64`'s formulas, which keep $1 - \kappa_1$ to relative accuracy):
/// $\pi - \theta = \pi - \arccos\rho$ by libm, $\sin\theta = \sqrt{(1-\rho)(1+\rho)}$,
/// $\kappa_0 = (\pi - \theta)/\pi$, $\kappa_1 = \big(\sin\theta + (\pi-\theta)\rho\big)/\pi$
/// (clamped at its true lower bound 0); exactly $(1, 1)$ at $\rho \ge 1$ and $(0, 0)$ at
/// $\rho \le -1$. Its rounding error is covered by [`ARC_COSINE_ROUNDING`].
#[inline]
fn arc_cosine_absolute(rho: f64) -> (f64, f64) {
    if rho >= 1.0 {
        (1.0, 1.0)
    } else if rho <= -1.0 {
        (0.0, 0.0)
    } else {
        let phi = PI - rho.acos();
        let sin = ((1.0 - rho) * (1.0 + rho)).sqrt();
        (phi / PI, ((sin + phi * rho) / PI).max(0.0))
    }
}

impl KernelScalar for Bounded {
    const HOMOGENEOUS_DIAGONAL: bool = true;
    fn from_f64(x: f64) -> Self {
        Self { value: x, err: 0.0 }
    }
    /// $\cos\theta$ by libm's `cos` (within an ulp), with the bound $4u$.
    fn cos_angle(theta: f64) -> Self {
        Self::checked(f64::cos_angle(theta), 4.0 * U)
    }
    fn sqrt(&self) -> Self {
        let a = self.value.max(0.0);
        let v = a.sqrt();
        let lo = self.value - self.err;
        let e = if lo > 0.0 {
            self.err / (v + lo.sqrt())
        } else {
            (a + self.err).sqrt()
        };
        Self::checked(v, e + U * v)
    }
    fn arc_cosine(&self) -> (Self, Self) {
        let (k0, k1) = arc_cosine_absolute(self.value);
        let e = self.err;
        let e0 = if e == 0.0 {
            0.0
        } else {
            Self::arc_modulus(self.value, e) / PI
        };
        // κ₁' = κ₀ is increasing: on [ρ − e, ρ + e] it is at most κ₀(ρ + e) ≤ κ₀(ρ) + e₀.
        let slope1 = (k0 + e0 + ARC_COSINE_ROUNDING).min(1.0);
        (
            Self::checked(k0, e0 + ARC_COSINE_ROUNDING),
            Self::checked(k1, e * slope1 + ARC_COSINE_ROUNDING),
        )
    }
    fn exp(&self) -> Self {
        let v = self.value.exp();
        let e = v * self.err.exp_m1() * (1.0 + 2.0 * U) + 4.0 * U * v;
        Self::checked(v, e)
    }
    fn asin(&self) -> Self {
        let x = self.value.clamp(-1.0, 1.0);
        let v = x.asin();
        let e = if self.err == 0.0 {
            0.0
        } else {
            Self::arc_modulus(self.value, self.err)
        };
        Self::checked(v, e + 4.0 * U * v.abs())
    }
    fn approx(&self) -> f64 {
        self.value
    }
    /// `None`: an activation known only as an `f64` closure cannot bound its error.
    fn to_number(&self) -> Option<f64> {
        None
    }
    /// Exact, except below [`Bounded::TINY`] (the bound becomes infinite there).
    fn scale_pow2(&self, e: i32) -> Self {
        let value = scale_f64(self.value, e);
        let err = if value.abs() < Self::TINY && self.value != 0.0 {
            f64::INFINITY
        } else {
            scale_f64(self.err, e)
        };
        Self { value, err }
    }
    /// $\pi$ rounded to a double, with its rounding error $1.23\cdot10^{-16}$.
    fn pi() -> Self {
        Self {
            value: PI,
            err: 1.3e-16,
        }
    }
    super::dispatch_methods!(dual_bounded, apply_bounded);
}

crate::scalar::impl_zero_one!(Bounded, |x| x.value == 0.0 && x.err == 0.0);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::DoubleDouble;

    /// The exact value of a double-double computation, for the checks below.
    fn dd(x: DoubleDouble) -> f64 {
        x.to_f64()
    }

    /// `ARC_COSINE_ROUNDING` covers the double formulas with a factor 2 to spare, against the
    /// double-double maps, at random correlations and clusters near 0 and ±1.
    #[test]
    fn arc_cosine_rounding_bound_holds() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut worst = 0.0_f64;
        for i in 0..200_000 {
            let r = next();
            let rho = match i % 4 {
                0 => 2.0 * r - 1.0,
                1 => 1.0 - r * 10f64.powi(-(1 + (i % 15))),
                2 => -1.0 + r * 10f64.powi(-(1 + (i % 15))),
                _ => (r - 0.5) * 1e-6,
            };
            let (k0, k1) = arc_cosine_absolute(rho);
            let (d0, d1) = DoubleDouble::from(rho).arc_cosine();
            let err = |v: f64, x: DoubleDouble| dd(DoubleDouble::from(v) - x).abs();
            worst = worst.max(err(k0, d0)).max(err(k1, d1));
        }
        eprintln!("worst arc-cosine rounding {:.2} u", worst / U);
        assert!(worst <= ARC_COSINE_ROUNDING, "{worst:e}");
    }

    /// Each operation's bound covers its error against double-double on random operands with
    /// random error bounds (the exact operands at the far end of their intervals).
    #[test]
    fn operation_bounds_cover_the_errors() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let (a, b) = (4.0 * next() - 2.0, 4.0 * next() + 0.1);
            let (ea, eb) = (1e-12 * next(), 1e-12 * next());
            let (sa, sb) = (if next() < 0.5 { -1.0 } else { 1.0 }, 1.0);
            let xa = DoubleDouble::from(a) + DoubleDouble::from(sa * ea);
            let xb = DoubleDouble::from(b) + DoubleDouble::from(sb * eb);
            let (ba, bb) = (Bounded::new(a, ea), Bounded::new(b, eb));
            // a power of two, whose products carry no rounding term
            let p2 = Bounded::from_f64(2f64.powi((next() * 40.0) as i32 - 20));
            let xp2 = DoubleDouble::from(p2.value);
            let checks = [
                (ba * p2, xa * xp2),
                (p2 * bb, xp2 * xb),
                (ba + bb, xa + xb),
                (ba - bb, xa - xb),
                (ba * bb, xa * xb),
                (ba / bb, xa / xb),
                (bb.sqrt(), xb.sqrt()),
                (ba.exp(), xa.exp()),
                (
                    Bounded::new(a / 2.0, ea).asin(),
                    (xa * DoubleDouble::from(0.5)).asin(),
                ),
            ];
            for (i, (got, exact)) in checks.iter().enumerate() {
                let err = dd(DoubleDouble::from(got.value) - *exact).abs();
                assert!(
                    err <= got.err,
                    "op {i}: a={a} b={b}: {err:e} > {:e}",
                    got.err
                );
            }
            // the arc-cosine maps near the ends, with the correlation's own error
            let rho = 1.0 - 1e-6 * next();
            let e = 1e-9 * next();
            let x = DoubleDouble::from(rho) - DoubleDouble::from(e);
            let (g0, g1) = Bounded::new(rho, e).arc_cosine();
            let (x0, x1) = x.arc_cosine();
            assert!(dd(DoubleDouble::from(g0.value) - x0).abs() <= g0.err);
            assert!(dd(DoubleDouble::from(g1.value) - x1).abs() <= g1.err);
        }
    }

    #[test]
    fn powers_of_two_are_recognized() {
        // (zero and ±∞ count too: a product with zero is exact, one with ∞ is refused)
        for x in [
            1.0,
            0.5,
            -4.0,
            f64::MIN_POSITIVE,
            2f64.powi(1023),
            0.0,
            f64::INFINITY,
        ] {
            assert!(is_pow2(x), "{x:e}");
        }
        for x in [3.0, 1.0f64.next_up(), f64::MIN_POSITIVE / 2.0, f64::NAN] {
            assert!(!is_pow2(x), "{x:e}");
        }
        // exact products keep the operand's bound only
        let a = Bounded::new(0.3, 1e-17);
        assert_eq!((a * Bounded::from_f64(0.25)).err, up(0.25e-17));
        assert!((a * Bounded::from_f64(0.3)).err > 0.3e-17 + 0.09 * U);
    }

    /// Products below `TINY` (or underflowing to zero) have no bound; exact zeros and products
    /// at `TINY` itself keep theirs; an overflow has none even with an exact power of two.
    #[test]
    fn underflowing_and_overflowing_products_are_unbounded() {
        let p = |e: i32| Bounded::from_f64(2f64.powi(e));
        assert!(
            (Bounded::from_f64(1e-200) * Bounded::from_f64(1e-200))
                .err
                .is_infinite()
        );
        let below = Bounded::from_f64(1.5 * 2f64.powi(-450)) * p(-460);
        assert!(below.value > 0.0 && below.err.is_infinite());
        let above = Bounded::from_f64(1.5 * 2f64.powi(-450)) * p(-440);
        assert_eq!(above.err, 0.0);
        assert_eq!((p(-450) * p(-450)).value, Bounded::TINY);
        assert_eq!((p(-450) * p(-450)).err, 0.0);
        assert_eq!(
            (Bounded::from_f64(0.0) * Bounded::from_f64(1e-200)).err,
            0.0
        );
        assert_eq!(
            (Bounded::from_f64(1e-200) * Bounded::from_f64(0.0)).err,
            0.0
        );
        assert!(
            (Bounded::from_f64(1e-200) / Bounded::from_f64(1e200))
                .err
                .is_infinite()
        );
        assert!(p(-1000).scale_pow2(-10).err.is_infinite());
        assert_eq!(p(-890).scale_pow2(-10).value, Bounded::TINY);
        assert_eq!(p(-890).scale_pow2(-10).err, 0.0);
        let huge = Bounded::from_f64(1e308) * p(2);
        assert!(huge.value.is_infinite() && huge.err.is_infinite());
    }

    /// The second-order term of a product: operands 1 ± 1/2 give products in [1/4, 9/4].
    #[test]
    fn product_bound_includes_the_product_of_the_errors() {
        let a = Bounded::new(1.0, 0.5);
        let prod = a * a;
        assert!(prod.err >= 1.25, "{}", prod.err);
        assert!(prod.err <= 1.25 * (1.0 + 8.0 * U));
    }

    #[test]
    fn division_by_an_uncertain_zero_is_unbounded() {
        let q = Bounded::from_f64(1.0) / Bounded::new(1e-20, 1e-19);
        assert!(q.err.is_infinite());
        let n = Bounded::from_f64(f64::NAN) + Bounded::from_f64(1.0);
        assert!(n.err.is_infinite());
    }
}
