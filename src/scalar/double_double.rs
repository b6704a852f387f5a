//! Double-double arithmetic: an unevaluated sum `hi + lo` of two doubles, $|lo| \le \tfrac12
//! \mathrm{ulp}(hi)$, about 106 significant bits.
//!
//! Algorithms: Dekker (1971), Knuth's TwoSum, and the FMA-based TwoProd; see Hida, Li & Bailey,
//! *Algorithms for quad-double precision floating point arithmetic* (ARITH 2001), §2–3.
//! Only what the kernel recursion needs is provided: `+ − × ÷`, `sqrt`, $\exp$, $\arcsin$ and the
//! arc-cosine maps.

use std::cmp::Ordering;
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::OnceLock;

use super::KernelScalar;
use super::quad_double::{
    ASIN_SPLIT, EXP_OVERFLOW, EXP_TABLE_HALF, EXP_TABLE_SCALE, EXP_UNDERFLOW, exp_table,
};
use crate::scalar::scale_f64;

/// $\ln 2$ as an expansion of three doubles (nearest double to each remainder; mpmath, see
/// `tests/fixtures/generate_elementary.py`). Three components: $k\ln 2$ for $|k| \le 1075$ must be
/// exact to about $2^{-110}$ *absolute* for the reduction $x - k\ln 2$.
const LN2: [f64; 3] = [
    std::f64::consts::LN_2,
    2.319_046_813_846_299_6e-17,
    5.707_708_438_416_212e-34,
];

/// Below this $|x|$, $\arcsin x = x$ to double-double precision ($x^2/6 < 2^{-110}$).
const ASIN_TINY: f64 = 1.0e-17;

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
    /// $\ln 2$ to double-double precision (the first two components of the constant used by
    /// [`KernelScalar::exp`]; digits from mpmath).
    pub const LN2: Self = Self {
        hi: LN2[0],
        lo: LN2[1],
    };
}

/// $\arcsin a$ for $0 \le a \le 3/4$: the `f64` arcsine $y_0$ refined by one Newton step on
/// $\sin y = a$ with its second-order term, $y = y_0 + \delta + \tfrac12\delta^2\tan y_0$,
/// $\delta = (a - \sin y_0)/\cos y_0$ (error $O(\delta^3) \approx 10^{-48}$).
fn asin_newton(a: DoubleDouble) -> DoubleDouble {
    let y0 = a.hi.asin();
    let (s, c) = DoubleDouble::from(y0).sin_cos();
    let delta = (a - s) / c;
    let d = delta.to_f64();
    DoubleDouble::from(y0) + delta + DoubleDouble::from(0.5 * d * d * (s.hi / c.hi))
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

    /// $e^x$ to about $10^{-32}$ relative: reduction $x = k\ln2 + m/256 + s$ with
    /// $k = \mathrm{round}(x/\ln 2)$, $m = \mathrm{round}(256(x - k\ln 2))$, $|s| \le 1/512$,
    /// where $k\ln 2$ is formed exactly from a three-double $\ln 2$ (TwoProd) and the cancellation
    /// $x - k\ln 2 - m/256$ happens in error-free TwoSums; then
    /// $e^x = 2^k\\,T_m\\,(1 + \mathrm{expm1}(s))$ with $T_m = e^{m/256}$ (the quad-double table
    /// rounded to double-double) and $\mathrm{expm1}(s) = \sum_{j=1}^{11} s^j/j!$ (truncation
    /// below $10^{-37}$). Table-driven method of P. T. P. Tang (ACM TOMS 15, 1989).
    /// Overflow gives $+\infty$, underflow $0$ (thresholds of `f64`); results below about
    /// $10^{-276}$ lose the trailing double to subnormal underflow; `NaN` stays `NaN`.
    fn exp(&self) -> Self {
        if self.hi.is_nan() {
            return Self::from(f64::NAN);
        }
        if self.hi > EXP_OVERFLOW {
            return Self::from(f64::INFINITY);
        }
        if self.hi < EXP_UNDERFLOW {
            return Self::from(0.0);
        }
        let k = (self.hi / LN2[0]).round();
        let (p0, e0) = two_prod(k, LN2[0]);
        let (p1, e1) = two_prod(k, LN2[1]);
        let p2 = k * LN2[2];
        let (t, te) = two_sum(self.hi, -p0);
        let m = (t * EXP_TABLE_SCALE)
            .round()
            .clamp(-f64::from(EXP_TABLE_HALF), f64::from(EXP_TABLE_HALF));
        let (u, ue) = two_sum(t, -m / EXP_TABLE_SCALE);
        // s = u + ue + te + lo − e₀ − p₁ − (e₁ + p₂): partial sums are O(|s| + 1e−13).
        let s = Self::new(u, ue) + Self::from(te) + Self::from(self.lo)
            - Self::new(p1, e0)
            - Self::from(e1 + p2);
        const TERMS: usize = 11;
        static INV_FACT: OnceLock<[DoubleDouble; TERMS + 1]> = OnceLock::new();
        let inv_fact = INV_FACT.get_or_init(|| {
            let mut f = [DoubleDouble::from(1.0); TERMS + 1];
            for j in 1..=TERMS {
                f[j] = f[j - 1] / DoubleDouble::from(j as f64);
            }
            f
        });
        static TABLE: OnceLock<Vec<DoubleDouble>> = OnceLock::new();
        let table =
            TABLE.get_or_init(|| exp_table().iter().map(|q| q.to_double_double()).collect());
        // expm1(s) = s·Σ_{j=1}^{11} s^{j−1}/j!
        let mut p = inv_fact[TERMS];
        for f in inv_fact[1..TERMS].iter().rev() {
            p = p * s + *f;
        }
        let tm = table[(m as i32 + EXP_TABLE_HALF) as usize];
        let e = tm + tm * (p * s);
        let r = e.scale_pow2(k as i32);
        if !r.hi.is_finite() || r.hi == 0.0 {
            return Self::from(r.hi);
        }
        r
    }

    /// $\arcsin x$ to about $10^{-32}$ relative, for $x \in [-1, 1]$ (beyond: $\pm\pi/2$; `NaN`
    /// stays `NaN`), odd by construction ($\arcsin(-x) = -\arcsin x$ exactly). For
    /// $|x| < 10^{-17}$ the value is $x$. For $|x| \le 3/4$: one Newton step on $\sin y = |x|$
    /// from the `f64` arcsine, with [`DoubleDouble::sin_cos`] and the second-order term (relative
    /// error about $(\tan y/y)$ times that of $\sin$, at most 1.34). For $|x| > 3/4$ the
    /// half-angle form $\arcsin|x| = \pi/2 - 2\arcsin\sqrt{(1-|x|)/2}$ with the gap $1-|x|$ exact
    /// in double-double, so that inputs near $\pm1$ keep full relative accuracy (error factor
    /// $2b/(\pi/2 - 2b) \le 0.85$ on $b = \arcsin\sqrt{(1-|x|)/2}$).
    fn asin(&self) -> Self {
        if self.hi.is_nan() {
            return Self::from(f64::NAN);
        }
        let a = self.abs();
        let half_pi = Self::PI.scale_pow2(-1);
        let y = if a.hi < ASIN_TINY {
            a
        } else if a.hi <= ASIN_SPLIT {
            asin_newton(a)
        } else {
            let gap = Self::from(1.0) - a;
            if gap.hi <= 0.0 {
                half_pi
            } else {
                half_pi - asin_newton(gap.scale_pow2(-1).sqrt()).scale_pow2(1)
            }
        };
        if self.hi < 0.0 { -y } else { y }
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

    /// Relative accuracy of `exp` and `asin` (about three double-double units $2^{-106}$).
    const ELEMENTARY_TOL: f64 = 4e-32;

    fn rel(got: DoubleDouble, want: DoubleDouble) -> f64 {
        ((got - want).to_f64() / want.to_f64()).abs()
    }

    #[test]
    fn exp_is_double_double_accurate() {
        // e and e^{−100} (digits from mpmath), e^{ln 2} = 2
        let e = DoubleDouble::new(std::f64::consts::E, 1.445_646_891_729_250_2e-16);
        assert!(rel(DoubleDouble::from(1.0).exp(), e) < ELEMENTARY_TOL);
        let small = DoubleDouble::new(3.720_075_976_020_836e-44, -1.570_502_490_773_200_8e-60);
        assert!(rel(DoubleDouble::from(-100.0).exp(), small) < ELEMENTARY_TOL);
        assert!(rel(DoubleDouble::LN2.exp(), DoubleDouble::from(2.0)) < ELEMENTARY_TOL);
        // the table: T_m T_{−m} = 1
        for m in 1..=EXP_TABLE_HALF {
            let x = DoubleDouble::from(f64::from(m) / EXP_TABLE_SCALE);
            let one = x.exp() * (-x).exp();
            assert!(
                rel(one, DoubleDouble::from(1.0)) < 2.0 * ELEMENTARY_TOL,
                "{m}"
            );
        }
        // tiny arguments: e^x = 1 + x + x²/2 without cancellation in the trailing double
        let x = DoubleDouble::from(1e-20);
        let got = DoubleDouble::from(1e-20).exp() - DoubleDouble::from(1.0);
        assert!(rel(got, x + DoubleDouble::from(5e-41)) < 1e-15);
        assert_eq!(DoubleDouble::from(800.0).exp().hi(), f64::INFINITY);
        assert_eq!(DoubleDouble::from(-800.0).exp().hi(), 0.0);
        assert!(DoubleDouble::from(f64::NAN).exp().hi().is_nan());
    }

    #[test]
    fn asin_is_double_double_accurate() {
        let sixth = DoubleDouble::new(std::f64::consts::FRAC_PI_6, -5.360_408_832_255_455e-17);
        assert!(rel(DoubleDouble::from(0.5).asin(), sixth) < ELEMENTARY_TOL);
        assert!(rel(DoubleDouble::from(-0.5).asin(), -sixth) < ELEMENTARY_TOL);
        let half_pi = DoubleDouble::PI.scale_pow2(-1);
        assert_eq!(DoubleDouble::from(1.0).asin(), half_pi);
        assert_eq!(DoubleDouble::from(-1.0 - f64::EPSILON).asin(), -half_pi);
        // tiny: asin x = x, no cancellation
        assert_eq!(
            DoubleDouble::from(1e-300).asin(),
            DoubleDouble::from(1e-300)
        );
        let x = DoubleDouble::from(1e-12);
        let cubic = (x.asin() - x).to_f64();
        assert!((cubic / (1e-36 / 6.0) - 1.0).abs() < 1e-15, "{cubic:e}");
        // sin(asin x) = x on both branches
        for x in [0.3, 0.74, 0.76, 0.9999] {
            let xd = DoubleDouble::from(x);
            let (s, _) = xd.asin().sin_cos();
            assert!(rel(s, xd) < 2.0 * ELEMENTARY_TOL, "{x}");
        }
        // near 1: π/2 − asin(1 − g) = √(2g)(1 + g/12 + …), with g = 2^−80 given exactly
        let g = 2f64.powi(-80);
        let angle = half_pi - DoubleDouble::new(1.0, -g).asin();
        let want = (2.0 * g).sqrt();
        assert!((angle.to_f64() / want - 1.0).abs() < 1e-15);
        assert!(DoubleDouble::from(f64::NAN).asin().hi().is_nan());
    }

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

crate::scalar::impl_zero_one!(DoubleDouble, |x| x.hi == 0.0 && x.lo == 0.0);
