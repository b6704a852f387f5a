//! Quad-double arithmetic: an unevaluated sum $x_0 + x_1 + x_2 + x_3$ of four doubles, about 212
//! significant bits (≈ 63 digits).
//!
//! Algorithms: Hida, Li & Bailey, *Algorithms for quad-double precision floating point
//! arithmetic* (ARITH 2001), §4–5 ("sloppy" addition and multiplication: errors relative to the
//! operands, about $2^{-208}(|a|+|b|)$, which is all the quadrature floor
//! $\varepsilon\sum|\text{terms}|$ assumes), with renormalization by a cascade of error-free
//! TwoSums. Only what the kernel recursion and the quadrature need is provided: `+ − × ÷`,
//! `sqrt`, $(\sin, \cos)$, $\exp$, $\arcsin$ and the arc-cosine maps.

use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::OnceLock;

use super::KernelScalar;
use super::double_double::{DoubleDouble, two_prod, two_sum};
use crate::scalar::scale_f64;

/// A quad-double number $x_0 + x_1 + x_2 + x_3$ (components of decreasing magnitude).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuadDouble([f64; 4]);

/// Renormalizes five overlapping components into four non-overlapping ones (two cascades of
/// error-free TwoSums; no assumption on the ordering of the inputs).
#[inline]
fn renorm(c: [f64; 5]) -> QuadDouble {
    // first cascade: leading term and four errors
    let (s, e4) = two_sum(c[3], c[4]);
    let (s, e3) = two_sum(c[2], s);
    let (s, e2) = two_sum(c[1], s);
    let (s0, e1) = two_sum(c[0], s);
    // second cascade on the errors
    let (t, f4) = two_sum(e3, e4);
    let (t, f3) = two_sum(e2, t);
    let (s1, f2) = two_sum(e1, t);
    let (u, g) = two_sum(f3, f4);
    let (s2, g2) = two_sum(f2, u);
    let s3 = g2 + g;
    // a final pass so that each component is below half an ulp of the previous one
    let (s2, s3) = two_sum(s2, s3);
    let (s1, s2) = two_sum(s1, s2);
    let (s0, s1) = two_sum(s0, s1);
    QuadDouble([s0, s1, s2, s3])
}

/// $\ln 2$ as an expansion of five doubles (each the nearest double to the remainder; computed
/// with mpmath by `tests/fixtures/generate_elementary.py`, which also records them in
/// `elementary.json` for the tests). Five components, not four: $k\ln 2$ for $|k| \le 1075$
/// must be exact to $2^{-212}$ *absolute* for the reduction $x - k\ln 2$.
const LN2: [f64; 5] = [
    std::f64::consts::LN_2,
    2.319_046_813_846_299_6e-17,
    5.707_708_438_416_212e-34,
    -3.582_432_210_601_811_4e-50,
    -1.352_169_675_798_863e-66,
];

/// Above this $e^x$ overflows (as for `f64`: $\ln(\text{f64::MAX}) \approx 709.7827$).
pub(super) const EXP_OVERFLOW: f64 = 709.79;
/// Below this $e^x$ underflows to zero (as for `f64`: $e^{-745.14} < 2^{-1075}$).
pub(super) const EXP_UNDERFLOW: f64 = -745.2;

/// Granularity of the exponential table: $e^{m/256}$.
pub(super) const EXP_TABLE_SCALE: f64 = 256.0;
/// The table covers $|m| \le$ this ($|x - k\ln 2| \le \ln 2/2 < 89/256$, with one spare).
pub(super) const EXP_TABLE_HALF: i32 = 90;

/// $e^{m/256}$ for $m = -90, \dots, 90$ (index $m + 90$) to quad-double accuracy, built once by
/// the Taylor series $\sum_{j \le 44} v^j/j!$ at $v = m/256$ (Horner; $|v| < 0.36$, truncation
/// below $10^{-66}$, all terms of one sign for $m \ge 0$ and a condition number below $e^{0.72}$
/// otherwise). Shared with [`DoubleDouble`], which rounds the entries.
pub(super) fn exp_table() -> &'static [QuadDouble] {
    const TERMS: usize = 44;
    static TABLE: OnceLock<Vec<QuadDouble>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let inv_fact = inv_factorials(TERMS);
        (-EXP_TABLE_HALF..=EXP_TABLE_HALF)
            .map(|m| {
                let v = QuadDouble::from(f64::from(m) / EXP_TABLE_SCALE);
                let mut acc = inv_fact[TERMS];
                for f in inv_fact[..TERMS].iter().rev() {
                    acc = acc * v + *f;
                }
                acc
            })
            .collect()
    })
}

/// $1/j!$ for $j = 0, \dots, n$ (successive quad-double divisions; the error of $1/j!$ grows like
/// $j$ quad-double ulps, harmless for the Taylor series where it multiplies $v^j$).
fn inv_factorials(n: usize) -> Vec<QuadDouble> {
    let mut f = vec![QuadDouble::from(1.0); n + 1];
    for j in 1..=n {
        f[j] = f[j - 1] / QuadDouble::from(j as f64);
    }
    f
}

/// Below this $|x|$, $\arcsin x = x$ to quad-double precision ($x^2/6 < 2^{-218}$).
const ASIN_TINY: f64 = 1.0e-33;
/// $\arcsin$ switches from the direct Newton step to the half-angle form above this $|x|$ (the
/// error factors $\tan y/y$ of the first and $2b/(\pi/2-2b)$ of the second are both below 1.35
/// there; see [`DoubleDouble`]'s `asin`).
pub(super) const ASIN_SPLIT: f64 = 0.75;

impl QuadDouble {
    /// $\ln 2$ to quad-double precision (the first four components of the constant used by
    /// [`KernelScalar::exp`]; digits from mpmath).
    pub const LN2: Self = Self([LN2[0], LN2[1], LN2[2], LN2[3]]);

    /// $\pi$ to quad-double precision.
    pub const PI: Self = Self([
        std::f64::consts::PI,
        1.224_646_799_147_353_2e-16,
        -2.994_769_809_718_339_7e-33,
        1.112_454_220_863_365_3e-49,
    ]);

    /// The leading double.
    pub fn hi(self) -> f64 {
        self.0[0]
    }

    /// The components $(x_0, x_1, x_2, x_3)$.
    pub fn components(self) -> [f64; 4] {
        self.0
    }

    /// The nearest double-double ($x_0 + x_1$, renormalized).
    pub fn to_double_double(self) -> DoubleDouble {
        DoubleDouble::new(self.0[0], self.0[1] + (self.0[2] + self.0[3]))
    }

    /// The nearest double.
    pub fn to_f64(self) -> f64 {
        self.0[0] + (self.0[1] + (self.0[2] + self.0[3]))
    }

    /// $(\sin x, \cos x)$ to quad-double accuracy for $|x| \le 4$ (reduction by multiples of
    /// $\pi/2$ with a quad-double $\pi$, Taylor series of $r/4$, $|r| \le \pi/4$, up to
    /// $(r/4)^{33}/33!$, below $10^{-70}$, then two double-angle steps).
    pub fn sin_cos(self) -> (Self, Self) {
        let half_pi = Self::PI * Self::from(0.5);
        let q = (self.0[0] / half_pi.0[0]).round();
        let r = self - half_pi * Self::from(q);
        let (s, c) = sin_cos_taylor(r);
        match (q as i64).rem_euclid(4) {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        }
    }
}

/// $\arcsin a$ for $0 \le a \le 3/4$: the double-double value refined by one Newton step on
/// $\sin y = a$ including its second-order term (see [`KernelScalar::asin`]).
fn asin_newton(a: QuadDouble) -> QuadDouble {
    let y0 = QuadDouble::from(a.to_double_double().asin());
    let (s, c) = y0.sin_cos();
    let delta = (a - s) / c;
    let d = delta.to_f64();
    y0 + delta + QuadDouble::from(0.5 * d * d * (s.to_f64() / c.to_f64()))
}

fn sin_cos_taylor(r: QuadDouble) -> (QuadDouble, QuadDouble) {
    const TERMS: usize = 17;
    static INV_FACT: OnceLock<Vec<QuadDouble>> = OnceLock::new();
    let inv_fact = INV_FACT.get_or_init(|| {
        let mut f = vec![QuadDouble::from(1.0); 2 * TERMS + 2];
        for i in 1..f.len() {
            f[i] = f[i - 1] / QuadDouble::from(i as f64);
        }
        f
    });
    let r = r * QuadDouble::from(0.25);
    let r2 = r * r;
    let mut s = QuadDouble::from(0.0);
    let mut c = QuadDouble::from(0.0);
    for n in (0..TERMS).rev() {
        let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
        s = s * r2 + inv_fact[2 * n + 1] * QuadDouble::from(sign);
        c = c * r2 + inv_fact[2 * n] * QuadDouble::from(sign);
    }
    let mut s = s * r;
    let two = QuadDouble::from(2.0);
    for _ in 0..2 {
        // sin 2x = 2 sin x cos x, cos 2x = 1 - 2 sin^2 x
        let s2 = two * s * c;
        c = QuadDouble::from(1.0) - two * s * s;
        s = s2;
    }
    (s, c)
}

impl From<f64> for QuadDouble {
    fn from(x: f64) -> Self {
        Self([x, 0.0, 0.0, 0.0])
    }
}

impl From<DoubleDouble> for QuadDouble {
    fn from(x: DoubleDouble) -> Self {
        Self([x.hi(), x.lo(), 0.0, 0.0])
    }
}

impl Add for QuadDouble {
    type Output = Self;
    #[inline]
    fn add(self, b: Self) -> Self {
        let a = self.0;
        let b = b.0;
        let (s0, e0) = two_sum(a[0], b[0]);
        let (s1, e1) = two_sum(a[1], b[1]);
        let (s2, e2) = two_sum(a[2], b[2]);
        let s3 = a[3] + b[3];
        let (s1, t1) = two_sum(s1, e0);
        let (s2, t2) = two_sum(s2, e1);
        let (s2, t3) = two_sum(s2, t1);
        let s3 = s3 + (e2 + (t2 + t3));
        renorm([s0, s1, s2, s3, 0.0])
    }
}

impl Neg for QuadDouble {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self(self.0.map(|x| -x))
    }
}

impl Sub for QuadDouble {
    type Output = Self;
    #[inline]
    fn sub(self, b: Self) -> Self {
        self + (-b)
    }
}

impl Mul for QuadDouble {
    type Output = Self;
    #[inline]
    fn mul(self, b: Self) -> Self {
        let a = self.0;
        let b = b.0;
        let (p0, q0) = two_prod(a[0], b[0]);
        let (p1, q1) = two_prod(a[0], b[1]);
        let (p2, q2) = two_prod(a[1], b[0]);
        let (p3, q3) = two_prod(a[0], b[2]);
        let (p4, q4) = two_prod(a[1], b[1]);
        let (p5, q5) = two_prod(a[2], b[0]);
        // order eps: q0, p1, p2
        let (r1, e1) = two_sum(p1, p2);
        let (r1, e2) = two_sum(q0, r1);
        // order eps^2: q1, q2, p3, p4, p5, e1, e2
        let (r2, f1) = two_sum(q1, q2);
        let (r2, f2) = two_sum(r2, p3);
        let (r2, f3) = two_sum(r2, p4);
        let (r2, f4) = two_sum(r2, p5);
        let (r2, f5) = two_sum(r2, e1);
        let (r2, f6) = two_sum(r2, e2);
        // order eps^3
        let r3 = (a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0])
            + (q3 + q4 + q5)
            + (f1 + f2 + f3 + f4 + f5 + f6);
        renorm([p0, r1, r2, r3, 0.0])
    }
}

impl Div for QuadDouble {
    type Output = Self;
    #[inline]
    fn div(self, b: Self) -> Self {
        // Long division: q_i = r_0 / b_0, r -= q_i b.
        let q0 = self.0[0] / b.0[0];
        let r = self - b * Self::from(q0);
        let q1 = r.0[0] / b.0[0];
        let r = r - b * Self::from(q1);
        let q2 = r.0[0] / b.0[0];
        let r = r - b * Self::from(q2);
        let q3 = r.0[0] / b.0[0];
        let r = r - b * Self::from(q3);
        let q4 = r.0[0] / b.0[0];
        renorm([q0, q1, q2, q3, q4])
    }
}

impl KernelScalar for QuadDouble {
    fn from_f64(x: f64) -> Self {
        Self::from(x)
    }
    /// $\cos\theta = 1 - 2\sin^2(\theta/2)$ (or $-1 + 2\cos^2(\theta/2)$ beyond $\pi/2$) in
    /// quad-double, so that the gaps $1\mp\cos\theta$ keep their relative accuracy.
    fn cos_angle(theta: f64) -> Self {
        let (s, c) = (Self::from(theta) * Self::from(0.5)).sin_cos();
        let two = Self::from(2.0);
        if theta <= std::f64::consts::FRAC_PI_2 {
            Self::from(1.0) - two * s * s
        } else {
            two * c * c - Self::from(1.0)
        }
    }
    fn sqrt(&self) -> Self {
        if self.0[0] <= 0.0 {
            return Self::from(0.0);
        }
        // Newton steps y <- y + (a - y^2)/(2y): 53 -> 106 -> 212 bits.
        let mut y = Self::from(self.0[0].sqrt());
        for _ in 0..2 {
            y = y + (*self - y * y) / (Self::from(2.0) * y);
        }
        y
    }
    /// $(\kappa_0(\rho), \kappa_1(\rho))$ to quad-double accuracy: $\theta = \arccos\rho$ from the
    /// double estimate on the gap $1\mp\rho$, refined by one Newton step on
    /// $2\sin^2(\theta/2) = 1-\rho$ (or $2\cos^2(\theta/2) = 1+\rho$) in double-double and one
    /// in quad-double (quadratic convergence: 53, 106, 212 bits); then
    /// $\kappa_0 = (\pi-\theta)/\pi$, $\kappa_1 = (\sin\theta + (\pi-\theta)\rho)/\pi$ (as for
    /// [`DoubleDouble`]).
    fn arc_cosine(&self) -> (Self, Self) {
        let one = Self::from(1.0);
        let zero = Self::from(0.0);
        let two = Self::from(2.0);
        let gap = one - *self;
        let gap_plus = one + *self;
        if gap.0[0] <= 0.0 {
            return (one, one);
        }
        if gap_plus.0[0] <= 0.0 {
            return (zero, zero);
        }
        let upper = self.0[0] >= 0.0;
        let theta0 = if upper {
            2.0 * (0.5 * gap.to_f64()).sqrt().min(1.0).asin()
        } else {
            std::f64::consts::PI - 2.0 * (0.5 * gap_plus.to_f64()).sqrt().min(1.0).asin()
        };
        // Newton step in double-double: f(θ) = cos θ − ρ, f' = −sin θ.
        let theta1 = {
            let ddh = DoubleDouble::from(0.5 * theta0);
            let (sh, ch) = ddh.sin_cos();
            let two = DoubleDouble::from(2.0);
            let residual = if upper {
                gap.to_double_double() - two * sh * sh
            } else {
                two * ch * ch - gap_plus.to_double_double()
            };
            let sin0 = two * sh * ch;
            if sin0.hi() > 0.0 {
                DoubleDouble::from(theta0) + residual / sin0
            } else {
                DoubleDouble::from(theta0)
            }
        };
        let mut theta = Self::from(theta1);
        let (sh, ch) = (theta * Self::from(0.5)).sin_cos();
        let mut sin_theta = two * sh * ch;
        let residual = if upper {
            gap - two * sh * sh
        } else {
            two * ch * ch - gap_plus
        };
        if sin_theta.0[0] > 0.0 {
            let delta = residual / sin_theta;
            theta = theta + delta;
            let cos_theta = one - two * sh * sh;
            sin_theta = sin_theta + cos_theta * delta;
        }
        let pi_minus = Self::PI - theta;
        let k0 = pi_minus / Self::PI;
        let k1 = (sin_theta + pi_minus * *self) / Self::PI;
        let k1 = if k1.0[0] < 0.0 { zero } else { k1 };
        (k0, k1)
    }
    /// $e^x$ to about $10^{-62}$ relative. Reduction $x = k\ln2 + m/256 + s$ with
    /// $k = \mathrm{round}(x/\ln 2)$, $m = \mathrm{round}(256(x - k\ln 2))$, $|s| \le 1/512$:
    /// $k\ln 2$ is formed exactly from a five-double $\ln 2$ (TwoProd) and $s$ as an exact sum of
    /// doubles (the cancellation happens in an error-free TwoSum), so $s$ is accurate to
    /// $2^{-212}$ absolute; then $e^x = 2^k\\,T_m\\,(1 + \mathrm{expm1}(s))$ with the table
    /// $T_m = e^{m/256}$ and the Taylor series $\mathrm{expm1}(s) = \sum_{j=1}^{19} s^j/j!$
    /// (truncation below $10^{-67}$). This is the table-driven method of P. T. P. Tang (ACM TOMS
    /// 15, 1989) in multi-double arithmetic (the QD library of Hida, Li & Bailey uses squarings
    /// instead).
    /// Overflow gives $+\infty$, underflow $0$ (thresholds of `f64`); results below about
    /// $10^{-244}$ lose trailing components to subnormal underflow; `NaN` stays `NaN`.
    fn exp(&self) -> Self {
        let x = self.0;
        if x[0].is_nan() {
            return Self::from(f64::NAN);
        }
        if x[0] > EXP_OVERFLOW {
            return Self::from(f64::INFINITY);
        }
        if x[0] < EXP_UNDERFLOW {
            return Self::from(0.0);
        }
        let k = (x[0] / LN2[0]).round();
        let prods = LN2.map(|l| two_prod(k, l));
        // x₀ − k·ln2₀ exactly, then the multiple of 1/256 removed exactly.
        let (t, te) = two_sum(x[0], -prods[0].0);
        let m = (t * EXP_TABLE_SCALE)
            .round()
            .clamp(-f64::from(EXP_TABLE_HALF), f64::from(EXP_TABLE_HALF));
        let (u, ue) = two_sum(t, -m / EXP_TABLE_SCALE);
        // s = u + ue + te + x₁ + x₂ + x₃ − (k·ln2 − p₀): every partial sum is O(|s| + 1e−13).
        let mut s = Self::from(u);
        for v in [ue, te, x[1], x[2], x[3], -prods[0].1] {
            s = s + Self::from(v);
        }
        for &(p, e) in &prods[1..] {
            s = s - Self::from(p) - Self::from(e);
        }
        const TERMS: usize = 19;
        static INV_FACT: OnceLock<Vec<QuadDouble>> = OnceLock::new();
        let inv_fact = INV_FACT.get_or_init(|| inv_factorials(TERMS));
        // expm1(s) = s·Σ_{j=1}^{19} s^{j−1}/j!
        let mut p = inv_fact[TERMS];
        for f in inv_fact[1..TERMS].iter().rev() {
            p = p * s + *f;
        }
        let table = exp_table()[(m as i32 + EXP_TABLE_HALF) as usize];
        let e = table + table * (p * s);
        let r = e.scale_pow2(k as i32);
        if !r.0[0].is_finite() {
            return Self::from(r.0[0]);
        }
        r
    }
    /// $\arcsin x$ to about $10^{-62}$ relative, for $x \in [-1, 1]$ (beyond: $\pm\pi/2$; `NaN`
    /// stays `NaN`), odd by construction ($\arcsin(-x) = -\arcsin x$ exactly). For
    /// $|x| < 10^{-33}$ the value is $x$. For $|x| \le 3/4$: the double-double arcsine $y_0$
    /// ([`DoubleDouble`], ~$10^{-32}$) refined by one Newton step on $\sin y = |x|$ with
    /// [`QuadDouble::sin_cos`] and its second-order term, $y = y_0 + \delta +
    /// \tfrac12\delta^2\tan y_0$, $\delta = (|x| - \sin y_0)/\cos y_0$ (error $O(\delta^3)$).
    /// For $|x| > 3/4$ the half-angle form $\arcsin|x| = \pi/2 - 2\arcsin\sqrt{(1-|x|)/2}$ with
    /// the gap $1 - |x|$ exact in quad-double, so that inputs near $\pm1$ keep full relative
    /// accuracy of the result (the gap is what determines $\pi/2 - \arcsin|x|$).
    fn asin(&self) -> Self {
        let x = *self;
        if x.0[0].is_nan() {
            return Self::from(f64::NAN);
        }
        let negative = x.0[0] < 0.0;
        let a = if negative { -x } else { x };
        let half_pi = Self::PI.scale_pow2(-1);
        let y = if a.0[0] < ASIN_TINY {
            a
        } else if a.0[0] <= ASIN_SPLIT {
            asin_newton(a)
        } else {
            let gap = Self::from(1.0) - a;
            if gap.0[0] <= 0.0 {
                half_pi
            } else {
                let w = gap.scale_pow2(-1).sqrt();
                half_pi - asin_newton(w).scale_pow2(1)
            }
        };
        if negative { -y } else { y }
    }
    fn approx(&self) -> f64 {
        self.0[0]
    }
    super::dispatch_methods!(dual_qd, apply_qd);
    fn pi() -> Self {
        Self::PI
    }
    fn to_number(&self) -> Option<f64> {
        Some(self.to_f64())
    }
    fn scale_pow2(&self, e: i32) -> Self {
        Self(self.0.map(|x| scale_f64(x, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(x: f64) -> QuadDouble {
        QuadDouble::from(x)
    }

    /// Relative accuracy of `exp` and `asin` (a few quad-double units $2^{-212}$).
    const ELEMENTARY_TOL: f64 = 1e-62;

    fn rel(got: QuadDouble, want: QuadDouble) -> f64 {
        ((got - want).to_f64() / want.to_f64()).abs()
    }

    fn qd(c: [f64; 4]) -> QuadDouble {
        q(c[0]) + q(c[1]) + q(c[2]) + q(c[3])
    }

    #[test]
    fn ln2_components_match_the_mpmath_fixture() {
        // All five components (the fifth, −1.35e−66, shifts e^x by |k|·1.35e−66 relative, below
        // the tolerance of the `exp` tests, so it is checked here directly).
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/elementary.json"
        );
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let want: Vec<f64> = fixture["constants"]["ln2"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(want, LN2);
    }

    #[test]
    fn exp_is_quad_double_accurate() {
        // e and e^{−100} (digits from mpmath), e^{ln 2} = 2
        let e = qd([
            std::f64::consts::E,
            1.445_646_891_729_250_2e-16,
            -2.127_717_108_038_176_8e-33,
            1.515_630_159_841_219_1e-49,
        ]);
        assert!(rel(q(1.0).exp(), e) < ELEMENTARY_TOL);
        let small = qd([
            3.720_075_976_020_836e-44,
            -1.570_502_490_773_200_8e-60,
            -1.420_577_626_387_684e-77,
            1.732_218_341_427_02e-95,
        ]);
        assert!(rel(q(-100.0).exp(), small) < ELEMENTARY_TOL);
        // e^{ln 2} = 2 up to the fifth component of ln 2 (−1.35e−66)
        assert!(rel(QuadDouble::LN2.exp(), q(2.0)) < ELEMENTARY_TOL);
        // the table: T_m T_{−m} = 1
        let t = exp_table();
        for m in 1..=EXP_TABLE_HALF as usize {
            let h = EXP_TABLE_HALF as usize;
            assert!(rel(t[h + m] * t[h - m], q(1.0)) < ELEMENTARY_TOL, "{m}");
        }
        assert_eq!(q(800.0).exp().hi(), f64::INFINITY);
        assert_eq!(q(-800.0).exp().hi(), 0.0);
        assert!(q(f64::NAN).exp().hi().is_nan());
    }

    #[test]
    fn asin_is_quad_double_accurate() {
        let sixth = qd([
            std::f64::consts::FRAC_PI_6,
            -5.360_408_832_255_455e-17,
            -4.991_283_016_197_232e-34,
            -3.847_807_680_091_075_2e-50,
        ]);
        assert!(rel(q(0.5).asin(), sixth) < ELEMENTARY_TOL);
        assert!(rel(q(-0.5).asin(), -sixth) < ELEMENTARY_TOL);
        let half_pi = QuadDouble::PI.scale_pow2(-1);
        assert_eq!(q(1.0).asin(), half_pi);
        assert_eq!(q(-1.0 - f64::EPSILON).asin(), -half_pi);
        assert_eq!(q(1e-40).asin(), q(1e-40));
        // sin(asin x) = x on both branches
        for x in [1e-20, 0.3, 0.74, 0.76, 0.9999] {
            let (s, _) = q(x).asin().sin_cos();
            assert!(rel(s, q(x)) < 3.0 * ELEMENTARY_TOL, "{x}");
        }
        // near 1: π/2 − asin(1 − g) = √(2g)(1 + g/12 + …) with g = 2^−180 given exactly
        let g = 2f64.powi(-180);
        let angle = half_pi - (q(1.0) - q(g)).asin();
        assert!((angle.to_f64() / (2.0 * g).sqrt() - 1.0).abs() < 1e-15);
        assert!(q(f64::NAN).asin().hi().is_nan());
    }

    #[test]
    fn arithmetic_has_quad_double_precision() {
        let third = q(1.0) / q(3.0);
        assert!((third * q(3.0) - q(1.0)).to_f64().abs() < 1e-62);
        let r = q(2.0).sqrt();
        assert!((r * r - q(2.0)).to_f64().abs() < 1e-62);
        // (1 + 2^-150) - 1 keeps the tiny part.
        let a = q(1.0) + q(2f64.powi(-150));
        assert_eq!((a - q(1.0)).to_f64(), 2f64.powi(-150));
    }

    #[test]
    fn pi_components_and_trigonometry() {
        // sin(π/6) = 1/2 and sin² + cos² = 1 to ~1e-62 (π/6 uses the 4-component π).
        let (s, c) = (QuadDouble::PI / q(6.0)).sin_cos();
        assert!((s - q(0.5)).to_f64().abs() < 1e-62);
        assert!((c * c - q(0.75)).to_f64().abs() < 1e-62);
        for x in [0.1, 1.3, 3.0] {
            let (s, c) = q(x).sin_cos();
            assert!((s * s + c * c - q(1.0)).to_f64().abs() < 1e-61);
        }
    }

    #[test]
    fn arc_cosine_is_quad_double_accurate() {
        // ρ = 1/2: κ₀ = 2/3, κ₁ = (√3/2 + π/3)/π; ρ = −1/2: κ₀ = 1/3, κ₁ = (√3/2 − π/6)/π.
        let sqrt3 = q(3.0).sqrt();
        let (k0, k1) = q(0.5).arc_cosine();
        assert!((k0 - q(2.0) / q(3.0)).to_f64().abs() < 1e-62);
        let want = (sqrt3 * q(0.5) + QuadDouble::PI / q(3.0)) / QuadDouble::PI;
        assert!((k1 - want).to_f64().abs() < 1e-62);
        let (k0, k1) = q(-0.5).arc_cosine();
        assert!((k0 - q(1.0) / q(3.0)).to_f64().abs() < 1e-62);
        let want = (sqrt3 * q(0.5) - QuadDouble::PI / q(6.0)) / QuadDouble::PI;
        assert!((k1 - want).to_f64().abs() < 1e-62);
        assert_eq!(q(1.0).arc_cosine(), (q(1.0), q(1.0)));
    }
}

crate::scalar::impl_zero_one!(QuadDouble, |x| x.0.iter().all(|&c| c == 0.0));
