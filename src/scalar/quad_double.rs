//! Quad-double arithmetic: an unevaluated sum $x_0 + x_1 + x_2 + x_3$ of four doubles, about 212
//! significant bits (≈ 63 digits).
//!
//! Algorithms: Hida, Li & Bailey, *Algorithms for quad-double precision floating point
//! arithmetic* (ARITH 2001), §4–5 ("sloppy" addition and multiplication: errors relative to the
//! operands, about $2^{-208}(|a|+|b|)$, which is all the quadrature floor
//! $\varepsilon\sum|\text{terms}|$ assumes), with renormalization by a cascade of error-free
//! TwoSums. Only what the kernel recursion and the quadrature need is provided: `+ − × ÷`,
//! `sqrt`, $(\sin, \cos)$ and the arc-cosine maps.

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

impl QuadDouble {
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
    fn exp(&self) -> Self {
        // Placeholder (double precision only), replaced by a quad-double implementation.
        Self::from(self.0[0].exp())
    }
    fn asin(&self) -> Self {
        // Placeholder (double precision only), replaced by a quad-double implementation.
        Self::from(self.0[0].clamp(-1.0, 1.0).asin())
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
