//! Double-double arithmetic: an unevaluated sum `hi + lo` of two doubles, $|lo| \le \tfrac12
//! \mathrm{ulp}(hi)$, about 106 significant bits.
//!
//! Algorithms: Dekker (1971), Knuth's TwoSum, and the FMA-based TwoProd; see Hida, Li & Bailey,
//! *Algorithms for quad-double precision floating point arithmetic* (ARITH 2001), §2–3.
//! Only what the kernel recursion needs is provided: `+ − × ÷`, `sqrt`, and the arc-cosine maps.

use std::cmp::Ordering;
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::OnceLock;

use super::KernelScalar;
use crate::scalar::scale_f64;

/// A double-double number `hi + lo`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DoubleDouble {
    hi: f64,
    lo: f64,
}

#[inline]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    (s, err)
}

#[inline]
pub(crate) fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

#[inline]
pub(crate) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl DoubleDouble {
    /// The pair `(hi, lo)` normalized.
    pub fn new(hi: f64, lo: f64) -> Self {
        let (h, l) = two_sum(hi, lo);
        Self { hi: h, lo: l }
    }
    /// The leading double.
    pub fn hi(self) -> f64 {
        self.hi
    }
    /// The trailing double.
    pub fn lo(self) -> f64 {
        self.lo
    }
    /// The nearest double.
    pub fn to_f64(self) -> f64 {
        self.hi + self.lo
    }
    /// $\pi$ to double-double precision.
    pub const PI: Self = Self {
        hi: std::f64::consts::PI,
        lo: 1.224_646_799_147_353_2e-16,
    };
    /// $(\sin x, \cos x)$ to double-double accuracy for $|x| \le 4$ (reduction by multiples of
    /// $\pi/2$ with a double-double $\pi$, then Taylor series on $|r| \le \pi/4$).
    pub fn sin_cos(self) -> (Self, Self) {
        let half_pi = Self::PI * Self::from(0.5);
        let q = (self.hi / half_pi.hi).round();
        let r = self - half_pi * Self::from(q);
        let (s, c) = sin_cos_taylor(r);
        match (q as i64).rem_euclid(4) {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        }
    }
    /// Absolute value.
    pub fn abs(self) -> Self {
        if self.hi < 0.0 { -self } else { self }
    }
}

/// Taylor series of $\sin r$ and $\cos r$ in double-double, for $|r| \le \pi/4$ (terms up to
/// $r^{29}/29!$, below $10^{-33}$).
fn sin_cos_taylor(r: DoubleDouble) -> (DoubleDouble, DoubleDouble) {
    const TERMS: usize = 15;
    let r2 = r * r;
    // Horner: sin r = r Σ (−1)^n r^{2n}/(2n+1)!, cos r = Σ (−1)^n r^{2n}/(2n)!
    static INV_FACT: OnceLock<[DoubleDouble; 2 * TERMS + 2]> = OnceLock::new();
    let inv_fact = INV_FACT.get_or_init(|| {
        let mut f = [DoubleDouble::from(1.0); 2 * TERMS + 2];
        for i in 1..f.len() {
            f[i] = f[i - 1] / DoubleDouble::from(i as f64);
        }
        f
    });
    let mut s = DoubleDouble::from(0.0);
    let mut c = DoubleDouble::from(0.0);
    for n in (0..TERMS).rev() {
        let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
        s = s * r2 + inv_fact[2 * n + 1] * DoubleDouble::from(sign);
        c = c * r2 + inv_fact[2 * n] * DoubleDouble::from(sign);
    }
    (s * r, c)
}

impl From<f64> for DoubleDouble {
    fn from(x: f64) -> Self {
        Self { hi: x, lo: 0.0 }
    }
}

impl PartialOrd for DoubleDouble {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.hi.partial_cmp(&other.hi) {
            Some(Ordering::Equal) => self.lo.partial_cmp(&other.lo),
            o => o,
        }
    }
}

impl Add for DoubleDouble {
    type Output = Self;
    #[inline]
    fn add(self, b: Self) -> Self {
        let (s1, s2) = two_sum(self.hi, b.hi);
        let (t1, t2) = two_sum(self.lo, b.lo);
        let s2 = s2 + t1;
        let (s1, s2) = quick_two_sum(s1, s2);
        let s2 = s2 + t2;
        let (hi, lo) = quick_two_sum(s1, s2);
        Self { hi, lo }
    }
}

impl Neg for DoubleDouble {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
}

impl Sub for DoubleDouble {
    type Output = Self;
    #[inline]
    fn sub(self, b: Self) -> Self {
        self + (-b)
    }
}

impl Mul for DoubleDouble {
    type Output = Self;
    #[inline]
    fn mul(self, b: Self) -> Self {
        let (p1, p2) = two_prod(self.hi, b.hi);
        let p2 = p2 + (self.hi * b.lo + self.lo * b.hi);
        let (hi, lo) = quick_two_sum(p1, p2);
        Self { hi, lo }
    }
}

impl Div for DoubleDouble {
    type Output = Self;
    #[inline]
    fn div(self, b: Self) -> Self {
        // Long division: q1 = a/b, r = a − q1 b, q2 = r/b, r −= q2 b, q3 = r/b.
        let q1 = self.hi / b.hi;
        let r = self - b * Self::from(q1);
        let q2 = r.hi / b.hi;
        let r = r - b * Self::from(q2);
        let q3 = r.hi / b.hi;
        let (q1, q2) = quick_two_sum(q1, q2);
        Self { hi: q1, lo: q2 } + Self::from(q3)
    }
}

impl KernelScalar for DoubleDouble {
    fn from_f64(x: f64) -> Self {
        Self::from(x)
    }

    /// $\cos\theta = 1 - 2\sin^2(\theta/2)$ for $\theta \le \pi/2$ and $-1 + 2\cos^2(\theta/2)$
    /// otherwise, with the square formed exactly: the gaps $1\mp\cos\theta$ are accurate to a
    /// few ulps of themselves.
    fn cos_angle(theta: f64) -> Self {
        if theta <= std::f64::consts::FRAC_PI_2 {
            let s = (0.5 * theta).sin();
            let (p, e) = two_prod(2.0 * s, s);
            Self::from(1.0) - Self::new(p, e)
        } else {
            let c = (0.5 * theta).cos();
            let (p, e) = two_prod(2.0 * c, c);
            Self::new(p, e) - Self::from(1.0)
        }
    }

    fn sqrt(&self) -> Self {
        if self.hi <= 0.0 {
            return Self::from(0.0);
        }
        // One Newton step from the double square root (Karp & Markstein).
        let x = self.hi.sqrt();
        let (p, e) = two_prod(x, x);
        let r = (*self - Self::new(p, e)).to_f64();
        Self::new(x, r / (2.0 * x))
    }

    /// $(\kappa_0(\rho), \kappa_1(\rho))$ to double-double accuracy: $\theta = \arccos\rho$ from
    /// the accurate double estimate ([`crate::activation`]) refined by one Newton step in
    /// double-double, with $\cos\theta_0 - \rho$ formed from the gaps ($1-\rho$ or $1+\rho$) and
    /// $2\sin^2(\theta_0/2)$ or $2\cos^2(\theta_0/2)$; then
    /// $\kappa_0 = (\pi-\theta)/\pi$, $\kappa_1 = (\sin\theta + (\pi-\theta)\rho)/\pi$.
    fn arc_cosine(&self) -> (Self, Self) {
        let one = Self::from(1.0);
        let zero = Self::from(0.0);
        let gap = one - *self;
        let gap_plus = one + *self;
        if gap.hi <= 0.0 {
            return (one, one);
        }
        if gap_plus.hi <= 0.0 {
            return (zero, zero);
        }
        let theta0 = if self.hi >= 0.0 {
            2.0 * (0.5 * gap.to_f64()).sqrt().min(1.0).asin()
        } else {
            std::f64::consts::PI - 2.0 * (0.5 * gap_plus.to_f64()).sqrt().min(1.0).asin()
        };
        let (sh, ch) = Self::from(0.5 * theta0).sin_cos();
        let two = Self::from(2.0);
        let sin0 = two * sh * ch;
        let cos0 = one - two * sh * sh;
        // f(θ) = cos θ − ρ, f' = −sin θ: θ₁ = θ₀ + (cos θ₀ − ρ)/sin θ₀.
        let residual = if self.hi >= 0.0 {
            gap - two * sh * sh
        } else {
            two * ch * ch - gap_plus
        };
        let delta = if sin0.hi > 0.0 { residual / sin0 } else { zero };
        let theta = Self::from(theta0) + delta;
        let sin_theta = sin0 + cos0 * delta;
        let pi_minus = Self::PI - theta;
        let k0 = pi_minus / Self::PI;
        let k1 = (sin_theta + pi_minus * *self) / Self::PI;
        let k1 = if k1.hi < 0.0 { zero } else { k1 };
        (k0, k1)
    }

    fn exp(&self) -> Self {
        // Placeholder (double precision only), replaced by a double-double implementation.
        Self::from(self.hi.exp())
    }

    fn asin(&self) -> Self {
        // Placeholder (double precision only), replaced by a double-double implementation.
        Self::from(self.hi.clamp(-1.0, 1.0).asin())
    }

    fn approx(&self) -> f64 {
        self.hi
    }

    super::dispatch_methods!(dual_dd, apply_dd);
    fn pi() -> Self {
        Self::PI
    }
    fn to_number(&self) -> Option<f64> {
        Some(self.to_f64())
    }

    fn scale_pow2(&self, e: i32) -> Self {
        Self {
            hi: scale_f64(self.hi, e),
            lo: scale_f64(self.lo, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_has_double_double_precision() {
        let third = DoubleDouble::from(1.0) / DoubleDouble::from(3.0);
        let back = third * DoubleDouble::from(3.0) - DoubleDouble::from(1.0);
        assert!(back.to_f64().abs() < 1e-31);
        let two = DoubleDouble::from(2.0);
        let r = two.sqrt();
        let err = (r * r - two).to_f64();
        assert!(err.abs() < 1e-31, "{err}");
        // (1 + 2^-60) − 1 keeps the tiny part.
        let a = DoubleDouble::new(1.0, 2f64.powi(-60));
        assert_eq!((a - DoubleDouble::from(1.0)).to_f64(), 2f64.powi(-60));
    }

    #[test]
    fn sin_cos_and_arc_cosine_are_double_double_accurate() {
        // sin² + cos² = 1 and sin(π/6) = 1/2 to ~1e−31.
        for &x in &[0.1_f64, 0.7, 1.3, 2.0, 3.0] {
            let (s, c) = DoubleDouble::from(x).sin_cos();
            assert!((s * s + c * c - DoubleDouble::from(1.0)).to_f64().abs() < 1e-30);
        }
        let sixth = DoubleDouble::PI / DoubleDouble::from(6.0);
        let (s, _) = sixth.sin_cos();
        assert!((s - DoubleDouble::from(0.5)).to_f64().abs() < 1e-31);
        // κ₀(cos θ) = 1 − θ/π exactly for θ = π/3 (ρ = 1/2): κ₀ = 2/3, κ₁ = (√3/2 + π/3)/π.
        let (k0, k1) = DoubleDouble::from(0.5).arc_cosine();
        let two_thirds = DoubleDouble::from(2.0) / DoubleDouble::from(3.0);
        assert!((k0 - two_thirds).to_f64().abs() < 1e-31);
        let sqrt3 = DoubleDouble::from(3.0).sqrt();
        let want = (sqrt3 * DoubleDouble::from(0.5) + DoubleDouble::PI / DoubleDouble::from(3.0))
            / DoubleDouble::PI;
        assert!(
            (k1 - want).to_f64().abs() < 1e-31,
            "{:?}",
            (k1 - want).to_f64()
        );
        // ρ = −1/2 (θ = 2π/3): κ₀ = 1/3, κ₁ = (√3/2 − π/6)/π
        let (k0, k1) = DoubleDouble::from(-0.5).arc_cosine();
        assert!(
            (k0 - DoubleDouble::from(1.0) / DoubleDouble::from(3.0))
                .to_f64()
                .abs()
                < 1e-31
        );
        let want = (sqrt3 * DoubleDouble::from(0.5) - DoubleDouble::PI / DoubleDouble::from(6.0))
            / DoubleDouble::PI;
        assert!((k1 - want).to_f64().abs() < 1e-31);
    }

    #[test]
    fn cos_angle_gap_is_relative_accurate() {
        let th = 1e-9_f64;
        let c = DoubleDouble::cos_angle(th);
        let gap = (DoubleDouble::from(1.0) - c).to_f64();
        assert!((gap / (th * th / 2.0) - 1.0).abs() < 1e-15);
        let phi = 1e-9_f64;
        let c = DoubleDouble::cos_angle(std::f64::consts::PI - phi);
        let gp = (DoubleDouble::from(1.0) + c).to_f64();
        // π − φ is rounded: compare with the exact gap of the rounded angle
        let phi_eff = DoubleDouble::PI - DoubleDouble::from(std::f64::consts::PI - phi);
        let want = phi_eff.to_f64().powi(2) / 2.0;
        assert!((gp / want - 1.0).abs() < 1e-12, "{gp} {want}");
    }
}
