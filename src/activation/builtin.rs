//! The built-in activations and their closed-form dual maps, each written once, generically over
//! the number type. Notation: $(u,v)\sim\mathcal N(0, [[q_x, k], [k, q_y]])$,
//! $\rho = k/\sqrt{q_xq_y} = \cos\theta$, and $\kappa_0$, $\kappa_1$ the arc-cosine maps of
//! [`crate::activation`].
//!
//! | activation | $\mathbb E[\phi(u)\phi(v)]$ | $\mathbb E[\phi'(u)\phi'(v)]$ | source |
//! |---|---|---|---|
//! | ABReLU $a\min(x,0)+b\max(x,0)$ | $\tfrac12\big[(a-b)^2\sqrt{q_xq_y}\\,\kappa_1(\rho) + 2abk\big]$ | $\tfrac12\big[(a-b)^2\kappa_0(\rho) + 2ab\big]$ | Cho & Saul 2009; Xiao et al. 2018 |
//! | ReLU, leaky ReLU$(s)$, abs | ABReLU$(0,1)$, $(s,1)$, $(-1,1)$ | | |
//! | sign | $2\kappa_0(\rho) - 1$ | $0$ (Dirac mass dropped, as neural-tangents) | |
//! | $\max(x,0)^n$ | $(q_xq_y)^{n/2} j_n/2$ | $n^2 (q_xq_y)^{(n-1)/2} j_{n-1}/2$ | Cho & Saul 2009 |
//! | $a\\,\mathrm{erf}(bx)+c$ | $\frac{2a^2}{\pi}\arcsin\frac{2b^2k}{\sqrt{(1+2b^2q_x)(1+2b^2q_y)}} + c^2$ | $\frac{4a^2b^2}{\pi\sqrt{(1+2b^2q_x)(1+2b^2q_y)-4b^4k^2}}$ | Williams 1997 |
//! | GELU $x\Phi(x)$ | $\frac k4 + \frac{1}{2\pi}\Big[\frac{k^2+q_xq_y\Delta^2}{P\Delta} + k\vartheta\Big]$ | $\frac14 + \frac{\vartheta}{2\pi} + \frac{k}{2\pi\Delta}\Big[\frac1{\Delta^2} + \frac{1-q_xq_y}{P} + 1\Big]$ | Tsuchida et al. 2021 |
//! | $a\sin(bx+c)$ | $\frac{a^2}2\big[e^{-b^2(q_x+q_y-2k)/2} - \cos 2c\\,e^{-b^2(q_x+q_y+2k)/2}\big]$ | $\frac{a^2b^2}2\big[\dots + \dots\big]$ | Pearce et al. 2019 |
//! | $a\cos(bx+c)$ | $\frac{a^2}2\big[e^{-b^2(q_x+q_y-2k)/2} + \cos 2c\\,e^{-b^2(q_x+q_y+2k)/2}\big]$ | $\frac{a^2b^2}2\big[\dots - \dots\big]$ | |
//! | $a e^{bx^2}$ | $a^2 D^{-1/2}$ | $4a^2b^2 k D^{-3/2}$ | Gaussian integral |
//! | $a e^{bx}$ | $a^2e^{b^2(q_x+q_y+2k)/2}$ | $a^2b^2e^{b^2(q_x+q_y+2k)/2}$ | |
//! | $\sum_i p_ix^i$ | $\sum_{i,j}p_ip_j\\,\mathbb E[u^iv^j]$ (Isserlis) | the same for $p'$ | Isserlis 1918 |
//!
//! Here $j_0 = \kappa_0$, $j_1 = \kappa_1$, $j_n = (2n-1)\rho j_{n-1} + (n-1)^2(1-\rho^2)j_{n-2}$
//! (the arc-cosine kernels $J_n/\pi$ of Cho & Saul); for GELU $P = (1+q_x)(1+q_y)$,
//! $\Delta = \sqrt{P-k^2}$, $\vartheta = \arcsin(k/\sqrt P)$; for the Gaussian
//! $D = (1-2bq_x)(1-2bq_y) - 4b^2k^2$ (which must stay positive: $b < 0$ always works); and
//! $\mathbb E[u^iv^j] = \sum_m \binom im\binom jm m!\\,(i-m-1)!!\\,(j-m-1)!!\\,q_x^{(i-m)/2}q_y^{(j-m)/2}k^m$
//! over $m \le \min(i,j)$ with $i-m$, $j-m$ even. Every closed form is checked against the
//! quadrature path ([`super::quadrature`]) in the property tests.

use std::sync::Arc;

use super::closure::ClosureActivation;
use super::dual::{DualActivation, DynActivation};
use crate::error::ArchError;
use crate::scalar::KernelScalar;

/// Largest degree of a monomial, rectified monomial or polynomial activation.
pub const MAX_ACTIVATION_DEGREE: u32 = 64;

/// An activation function of a network layer: one of the built-in closed forms, a user type
/// implementing [`DualActivation`], or a user closure integrated numerically. Cheap to clone.
///
/// ```
/// use ntk_sphere::activation::{Activation, DualActivation};
/// let relu = Activation::relu();
/// // E[relu(u) relu(v)] at unit variances and correlation 0: 1/(2π).
/// let (e, ed) = relu.dual(&1.0_f64, &1.0, &0.0);
/// assert!((e - 1.0 / (2.0 * std::f64::consts::PI)).abs() < 1e-16);
/// assert!((ed - 0.25).abs() < 1e-16);
/// assert!(Activation::leaky_relu(f64::NAN).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Activation(Kind);

#[derive(Debug, Clone)]
enum Kind {
    AbRelu {
        a: f64,
        b: f64,
    },
    Sign,
    RectifiedMonomial {
        degree: u32,
    },
    Erf {
        a: f64,
        b: f64,
        c: f64,
    },
    Gelu,
    Sinusoid {
        a: f64,
        b: f64,
        c: f64,
        cosine: bool,
    },
    Gaussian {
        a: f64,
        b: f64,
    },
    Exp {
        a: f64,
        b: f64,
    },
    Polynomial {
        coef: Arc<[f64]>,
    },
    Custom(Arc<dyn DynActivation>),
}

fn finite(name: &'static str, value: f64) -> Result<f64, ArchError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ArchError::NotFinite { name, value })
    }
}

fn degree_ok(degree: u32) -> Result<u32, ArchError> {
    if degree > MAX_ACTIVATION_DEGREE {
        Err(ArchError::DegreeTooLarge {
            degree: degree as u64,
            max: MAX_ACTIVATION_DEGREE,
        })
    } else {
        Ok(degree)
    }
}

impl Activation {
    /// The ReLU $\max(x, 0)$ (= ABReLU$(0, 1)$).
    pub fn relu() -> Self {
        Self(Kind::AbRelu { a: 0.0, b: 1.0 })
    }
    /// Leaky ReLU $s\min(x,0) + \max(x,0)$ (= ABReLU$(s, 1)$).
    pub fn leaky_relu(slope: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::AbRelu {
            a: finite("slope", slope)?,
            b: 1.0,
        }))
    }
    /// ABReLU $a\min(x,0) + b\max(x,0)$ (neural-tangents' `ABRelu`).
    pub fn abrelu(a: f64, b: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::AbRelu {
            a: finite("a", a)?,
            b: finite("b", b)?,
        }))
    }
    /// $|x|$ (= ABReLU$(-1, 1)$).
    pub fn abs() -> Self {
        Self(Kind::AbRelu { a: -1.0, b: 1.0 })
    }
    /// $\mathrm{sign}(x)$. Its derivative is a Dirac mass at 0: the term
    /// $\mathbb E[\phi'(u)\phi'(v)]$ is taken as 0 (as in neural-tangents), so a network whose
    /// earlier layers feed a sign layer gets no NTK contribution from them.
    pub fn sign() -> Self {
        Self(Kind::Sign)
    }
    /// The rectified monomial $\max(x,0)^n$ (arc-cosine kernel of order $n$, Cho & Saul 2009);
    /// $n = 0$ is the step function (derivative term 0, as for [`Activation::sign`]).
    pub fn rectified_monomial(degree: u32) -> Result<Self, ArchError> {
        Ok(Self(Kind::RectifiedMonomial {
            degree: degree_ok(degree)?,
        }))
    }
    /// $a\\,\mathrm{erf}(bx) + c$.
    pub fn erf(a: f64, b: f64, c: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::Erf {
            a: finite("a", a)?,
            b: finite("b", b)?,
            c: finite("c", c)?,
        }))
    }
    /// The exact GELU $x\Phi(x)$, $\Phi$ the standard normal distribution function (not the
    /// tanh approximation).
    pub fn gelu() -> Self {
        Self(Kind::Gelu)
    }
    /// $a\sin(bx + c)$.
    pub fn sin(a: f64, b: f64, c: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::Sinusoid {
            a: finite("a", a)?,
            b: finite("b", b)?,
            c: finite("c", c)?,
            cosine: false,
        }))
    }
    /// $a\cos(bx + c)$.
    pub fn cos(a: f64, b: f64, c: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::Sinusoid {
            a: finite("a", a)?,
            b: finite("b", b)?,
            c: finite("c", c)?,
            cosine: true,
        }))
    }
    /// The Gaussian $a e^{bx^2}$ (its dual maps exist while $1 - 2bq > 0$ for the variances
    /// $q$ it meets; $b \le 0$ always works).
    pub fn gaussian(a: f64, b: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::Gaussian {
            a: finite("a", a)?,
            b: finite("b", b)?,
        }))
    }
    /// The exponential $a e^{bx}$.
    pub fn exp(a: f64, b: f64) -> Result<Self, ArchError> {
        Ok(Self(Kind::Exp {
            a: finite("a", a)?,
            b: finite("b", b)?,
        }))
    }
    /// The monomial $x^n$.
    pub fn monomial(degree: u32) -> Result<Self, ArchError> {
        let n = degree_ok(degree)? as usize;
        let mut coef = vec![0.0; n + 1];
        coef[n] = 1.0;
        Ok(Self(Kind::Polynomial { coef: coef.into() }))
    }
    /// The polynomial $\sum_i c_i x^i$ from its coefficients $c_0, c_1, \dots$ (at least one;
    /// degree at most [`MAX_ACTIVATION_DEGREE`]).
    pub fn polynomial(coef: &[f64]) -> Result<Self, ArchError> {
        if coef.is_empty() {
            return Err(ArchError::EmptyPolynomial);
        }
        degree_ok((coef.len() - 1).min(u32::MAX as usize) as u32)?;
        for &c in coef {
            finite("coef", c)?;
        }
        Ok(Self(Kind::Polynomial { coef: coef.into() }))
    }
    /// The identity $x$ (a linear layer).
    pub fn identity() -> Self {
        Self(Kind::Polynomial {
            coef: vec![0.0, 1.0].into(),
        })
    }
    /// A user activation implemented through [`DualActivation`] (closed form, generic over the
    /// number type: it gets everything a built-in activation gets).
    pub fn custom(activation: impl DualActivation) -> Self {
        Self(Kind::Custom(Arc::new(activation)))
    }
    /// A user activation given as a closure, integrated numerically
    /// ([`ClosureActivation`]): `f64` accuracy only.
    pub fn closure(activation: ClosureActivation) -> Self {
        Self::custom(activation)
    }
}

/// $\big(\mathbb E[\phi\phi], \mathbb E[\phi'\phi']\big)$ of ABReLU$(a, b)$.
#[inline]
fn abrelu_dual<S: KernelScalar>(a: f64, b: f64, qx: &S, qy: &S, k: &S) -> (S, S) {
    if qx.approx() <= 0.0 || qy.approx() <= 0.0 {
        return (S::zero(), S::zero());
    }
    let half = S::from_f64(0.5);
    let norm = (qx.clone() * qy.clone()).sqrt();
    let rho = k.clone() / norm.clone();
    let (k0, k1) = rho.arc_cosine();
    let d2 = (a - b) * (a - b);
    let ab2 = 2.0 * a * b;
    if d2 == 1.0 && ab2 == 0.0 {
        // ReLU-like: no extra roundings (halving is exact).
        return ((norm * k1).scale_pow2(-1), k0.scale_pow2(-1));
    }
    let e = S::from_f64(d2) * (norm * k1) + S::from_f64(ab2) * k.clone();
    let ed = S::from_f64(d2) * k0 + S::from_f64(ab2);
    (half.clone() * e, half * ed)
}

/// The normalized arc-cosine kernels $j_{n-1}, j_n$ ($J_n/\pi$ of Cho & Saul) at a correlation.
fn arc_cosine_orders<S: KernelScalar>(rho: &S, n: u32) -> (S, S) {
    let (k0, k1) = rho.arc_cosine();
    if n == 0 {
        return (S::zero(), k0);
    }
    let one = S::one();
    let sin2 = (one.clone() - rho.clone()) * (one + rho.clone());
    let (mut prev, mut cur) = (k0, k1);
    for m in 2..=n {
        let mf = m as f64;
        let next = S::from_f64(2.0 * mf - 1.0) * rho.clone() * cur.clone()
            + S::from_f64((mf - 1.0) * (mf - 1.0)) * sin2.clone() * prev;
        prev = cur;
        cur = next;
    }
    (prev, cur)
}

fn powi<S: KernelScalar>(x: &S, n: u32) -> S {
    let mut r = S::one();
    for _ in 0..n {
        r = r * x.clone();
    }
    r
}

fn rectified_monomial_dual<S: KernelScalar>(n: u32, qx: &S, qy: &S, k: &S) -> (S, S) {
    if qx.approx() <= 0.0 || qy.approx() <= 0.0 {
        return (S::zero(), S::zero());
    }
    let half = S::from_f64(0.5);
    let prod = qx.clone() * qy.clone();
    let norm = prod.clone().sqrt();
    let rho = k.clone() / norm.clone();
    let (j_prev, j_n) = arc_cosine_orders(&rho, n);
    // (q_x q_y)^{m/2} = prod^{⌊m/2⌋} · norm^{m mod 2}
    let scale = |m: u32| {
        let p = powi(&prod, m / 2);
        if m % 2 == 1 { p * norm.clone() } else { p }
    };
    let e = half.clone() * scale(n) * j_n;
    let ed = if n == 0 {
        S::zero()
    } else {
        let nf = n as f64;
        half * S::from_f64(nf * nf) * scale(n - 1) * j_prev
    };
    (e, ed)
}

fn erf_dual<S: KernelScalar>(a: f64, b: f64, c: f64, qx: &S, qy: &S, k: &S) -> (S, S) {
    let one = S::one();
    let two_b2 = S::from_f64(2.0 * b * b);
    let px = one.clone() + two_b2.clone() * qx.clone();
    let py = one + two_b2.clone() * qy.clone();
    let prod = px * py;
    let arg = two_b2.clone() * k.clone() / prod.clone().sqrt();
    let pi = S::pi();
    let e = S::from_f64(2.0 * a * a) * arg.asin() / pi.clone() + S::from_f64(c * c);
    let det = prod - two_b2.clone() * two_b2 * k.clone() * k.clone();
    let ed = S::from_f64(4.0 * a * a * b * b) / (pi * det.sqrt());
    (e, ed)
}

fn gelu_dual<S: KernelScalar>(qx: &S, qy: &S, k: &S) -> (S, S) {
    let one = S::one();
    let quarter = S::from_f64(0.25);
    let pi = S::pi();
    let two_pi = S::from_f64(2.0) * pi;
    let p = (one.clone() + qx.clone()) * (one.clone() + qy.clone());
    let qq = qx.clone() * qy.clone();
    let delta2 = p.clone() - k.clone() * k.clone();
    let delta = delta2.clone().sqrt();
    let angle = (k.clone() / p.clone().sqrt()).asin();
    let e = quarter.clone() * k.clone()
        + ((k.clone() * k.clone() + qq.clone() * delta2.clone()) / (p.clone() * delta.clone())
            + k.clone() * angle.clone())
            / two_pi.clone();
    let ed = quarter
        + angle / two_pi.clone()
        + k.clone() / (two_pi * delta) * (one.clone() / delta2 + (one.clone() - qq) / p + one);
    (e, ed)
}

fn sinusoid_dual<S: KernelScalar>(
    a: f64,
    b: f64,
    c: f64,
    cosine: bool,
    qx: &S,
    qy: &S,
    k: &S,
) -> (S, S) {
    let half_b2 = S::from_f64(0.5 * b * b);
    let sum = qx.clone() + qy.clone();
    let two_k = S::from_f64(2.0) * k.clone();
    let s1 = (-(half_b2.clone() * (sum.clone() - two_k.clone()))).exp();
    let s2 = (-(half_b2 * (sum + two_k))).exp() * S::cos_angle(2.0 * c);
    let half_a2 = S::from_f64(0.5 * a * a);
    let half_a2b2 = S::from_f64(0.5 * a * a * b * b);
    if cosine {
        (half_a2 * (s1.clone() + s2.clone()), half_a2b2 * (s1 - s2))
    } else {
        (half_a2 * (s1.clone() - s2.clone()), half_a2b2 * (s1 + s2))
    }
}

fn gaussian_dual<S: KernelScalar>(a: f64, b: f64, qx: &S, qy: &S, k: &S) -> (S, S) {
    let one = S::one();
    let two_b = S::from_f64(2.0 * b);
    let d = (one.clone() - two_b.clone() * qx.clone()) * (one - two_b.clone() * qy.clone())
        - two_b.clone() * two_b * k.clone() * k.clone();
    let root = d.clone().sqrt();
    let e = S::from_f64(a * a) / root.clone();
    let ed = S::from_f64(4.0 * a * a * b * b) * k.clone() / (d * root);
    (e, ed)
}

fn exp_dual<S: KernelScalar>(a: f64, b: f64, qx: &S, qy: &S, k: &S) -> (S, S) {
    let g =
        (S::from_f64(0.5 * b * b) * (qx.clone() + qy.clone() + S::from_f64(2.0) * k.clone())).exp();
    (
        S::from_f64(a * a) * g.clone(),
        S::from_f64(a * a * b * b) * g,
    )
}

/// $\mathbb E[p(u)\\,p(v)]$ for a polynomial with coefficients `p`, by Isserlis' theorem.
fn polynomial_expectation<S: KernelScalar>(p: &[f64], qx: &S, qy: &S, k: &S) -> S {
    let n = p.len();
    if n == 0 {
        return S::zero();
    }
    let pow = |x: &S| {
        let mut v = Vec::with_capacity(n);
        let mut acc = S::one();
        for _ in 0..n {
            v.push(acc.clone());
            acc = acc * x.clone();
        }
        v
    };
    let (px, py, pk) = (pow(qx), pow(qy), pow(k));
    // double factorial (m−1)!! for even m (the number of pairings of m items), as f64
    let pairings = |m: usize| -> f64 { (1..m).step_by(2).map(|j| j as f64).product() };
    let binom = |n: usize, k: usize| -> f64 {
        (0..k).fold(1.0, |acc, j| acc * (n - j) as f64 / (j + 1) as f64)
    };
    let mut total = S::zero();
    for (i, &pi) in p.iter().enumerate() {
        if pi == 0.0 {
            continue;
        }
        for (j, &pj) in p.iter().enumerate() {
            if pj == 0.0 || (i + j) % 2 == 1 {
                continue;
            }
            let mut m = i % 2;
            while m <= i.min(j) {
                let coef = pi
                    * pj
                    * binom(i, m)
                    * binom(j, m)
                    * (1..=m).map(|x| x as f64).product::<f64>()
                    * pairings(i - m)
                    * pairings(j - m);
                let term = S::from_f64(coef)
                    * px[(i - m) / 2].clone()
                    * py[(j - m) / 2].clone()
                    * pk[m].clone();
                total = total + term;
                m += 2;
            }
        }
    }
    total
}

fn polynomial_dual<S: KernelScalar>(p: &[f64], qx: &S, qy: &S, k: &S) -> (S, S) {
    let dp: Vec<f64> = p
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &c)| i as f64 * c)
        .collect();
    (
        polynomial_expectation(p, qx, qy, k),
        polynomial_expectation(&dp, qx, qy, k),
    )
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * special::Error::compl_error(-x / std::f64::consts::SQRT_2)
}

fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

impl DualActivation for Activation {
    #[inline]
    fn dual<S: KernelScalar>(&self, qx: &S, qy: &S, c: &S) -> (S, S) {
        match &self.0 {
            Kind::AbRelu { a, b } => abrelu_dual(*a, *b, qx, qy, c),
            Kind::Sign => {
                if qx.approx() <= 0.0 || qy.approx() <= 0.0 {
                    return (S::zero(), S::zero());
                }
                // (2/π) asin ρ = 2κ₀(ρ) − 1: asin keeps ρ = 0 ↦ 0 exact (an odd kernel has no
                // constant term), the arc-cosine form keeps the gaps 1 ∓ ρ exact near ±1.
                let rho = c.clone() / (qx.clone() * qy.clone()).sqrt();
                let e = if rho.approx().abs() <= 0.5 {
                    S::from_f64(2.0) * rho.asin() / S::pi()
                } else {
                    let (k0, _) = rho.arc_cosine();
                    S::from_f64(2.0) * k0 - S::one()
                };
                (e, S::zero())
            }
            Kind::RectifiedMonomial { degree } => rectified_monomial_dual(*degree, qx, qy, c),
            Kind::Erf { a, b, c: shift } => erf_dual(*a, *b, *shift, qx, qy, c),
            Kind::Gelu => gelu_dual(qx, qy, c),
            Kind::Sinusoid {
                a,
                b,
                c: phase,
                cosine,
            } => sinusoid_dual(*a, *b, *phase, *cosine, qx, qy, c),
            Kind::Gaussian { a, b } => gaussian_dual(*a, *b, qx, qy, c),
            Kind::Exp { a, b } => exp_dual(*a, *b, qx, qy, c),
            Kind::Polynomial { coef } => polynomial_dual(coef, qx, qy, c),
            Kind::Custom(act) => S::dispatch_dual(act.as_ref(), qx, qy, c),
        }
    }

    fn homogeneity(&self) -> Option<u32> {
        match &self.0 {
            Kind::AbRelu { .. } => Some(1),
            Kind::Sign => Some(0),
            Kind::RectifiedMonomial { degree } => Some(*degree),
            Kind::Polynomial { coef } => {
                let nonzero: Vec<usize> = (0..coef.len()).filter(|&i| coef[i] != 0.0).collect();
                match nonzero.as_slice() {
                    [i] => Some(*i as u32),
                    _ => None,
                }
            }
            Kind::Custom(act) => act.dyn_homogeneity(),
            _ => None,
        }
    }

    fn value(&self, x: f64) -> f64 {
        match &self.0 {
            Kind::AbRelu { a, b } => {
                if x > 0.0 {
                    b * x
                } else {
                    a * x
                }
            }
            Kind::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Kind::RectifiedMonomial { degree } => {
                if x > 0.0 {
                    x.powi(*degree as i32)
                } else {
                    0.0
                }
            }
            Kind::Erf { a, b, c } => a * special::Error::error(b * x) + c,
            Kind::Gelu => x * normal_cdf(x),
            Kind::Sinusoid { a, b, c, cosine } => {
                if *cosine {
                    a * (b * x + c).cos()
                } else {
                    a * (b * x + c).sin()
                }
            }
            Kind::Gaussian { a, b } => a * (b * x * x).exp(),
            Kind::Exp { a, b } => a * (b * x).exp(),
            Kind::Polynomial { coef } => coef.iter().rev().fold(0.0, |acc, &c| acc * x + c),
            Kind::Custom(act) => act.dyn_value(x),
        }
    }

    fn derivative(&self, x: f64) -> f64 {
        match &self.0 {
            Kind::AbRelu { a, b } => {
                if x > 0.0 {
                    *b
                } else {
                    *a
                }
            }
            Kind::Sign => 0.0,
            Kind::RectifiedMonomial { degree } => {
                if *degree == 0 || x <= 0.0 {
                    0.0
                } else {
                    *degree as f64 * x.powi(*degree as i32 - 1)
                }
            }
            Kind::Erf { a, b, .. } => {
                a * b * 2.0 / std::f64::consts::PI.sqrt() * (-(b * x) * (b * x)).exp()
            }
            Kind::Gelu => normal_cdf(x) + x * normal_pdf(x),
            Kind::Sinusoid { a, b, c, cosine } => {
                if *cosine {
                    -a * b * (b * x + c).sin()
                } else {
                    a * b * (b * x + c).cos()
                }
            }
            Kind::Gaussian { a, b } => 2.0 * a * b * x * (b * x * x).exp(),
            Kind::Exp { a, b } => a * b * (b * x).exp(),
            Kind::Polynomial { coef } => coef
                .iter()
                .enumerate()
                .skip(1)
                .rev()
                .fold(0.0, |acc, (i, &c)| acc * x + i as f64 * c),
            Kind::Custom(act) => act.dyn_derivative(x),
        }
    }

    fn kinks(&self) -> Vec<f64> {
        match &self.0 {
            Kind::AbRelu { .. } | Kind::Sign | Kind::RectifiedMonomial { .. } => vec![0.0],
            Kind::Custom(act) => act.dyn_kinks(),
            _ => Vec::new(),
        }
    }

    fn name(&self) -> String {
        match &self.0 {
            Kind::AbRelu { a, b } => {
                if *a == 0.0 && *b == 1.0 {
                    "relu".into()
                } else if *a == -1.0 && *b == 1.0 {
                    "abs".into()
                } else if *b == 1.0 {
                    format!("leaky_relu(slope={a})")
                } else {
                    format!("abrelu(a={a}, b={b})")
                }
            }
            Kind::Sign => "sign".into(),
            Kind::RectifiedMonomial { degree } => format!("rectified_monomial(degree={degree})"),
            Kind::Erf { a, b, c } => format!("erf(a={a}, b={b}, c={c})"),
            Kind::Gelu => "gelu".into(),
            Kind::Sinusoid { a, b, c, cosine } => {
                let f = if *cosine { "cos" } else { "sin" };
                format!("{f}(a={a}, b={b}, c={c})")
            }
            Kind::Gaussian { a, b } => format!("gaussian(a={a}, b={b})"),
            Kind::Exp { a, b } => format!("exp(a={a}, b={b})"),
            Kind::Polynomial { coef } => {
                let cs: Vec<String> = coef.iter().map(|c| c.to_string()).collect();
                format!("polynomial(coef=[{}])", cs.join(", "))
            }
            Kind::Custom(act) => act.dyn_name(),
        }
    }
}
