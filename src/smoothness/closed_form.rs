//! Closed forms and proved inequalities for the kink coefficient $c_+$ of the normalized NTK of
//! bias-free ReLU networks (proofs: `docs/derivations/07-smoothness-theorems.md`).
//!
//! With $a = \alpha^2\sigma_w^2\sigma_v^2/2$ and $b = a/(1+a)$ (docs/conventions.md parametrization):
//!
//! * **Theorem 1 (MLP).** $c_+ = L\sqrt2/(2\pi) = L/(\sqrt2\\,\pi)$ for every $\sigma_w^2 > 0$.
//! * **Theorem 2 (ResNet).** $c_+ = \dfrac{\sqrt2}{\pi}\\,\dfrac{aL\\,[b(L-1)+2]}{2(1+a)+2aL}
//!   = \dfrac{b}{\sqrt2\\,\pi}\\,L\left(1 + \dfrac{1}{1+a(L+1)}\right)$
//!   (the first form is the one of `docs/literature.md` §1.4).
//! * **Theorem 3 (ordering).** $c_+(\text{ResNet}(L,\alpha)) = h_L(a)\\,c_+(\text{MLP}(L))$ with
//!   $h_L(a) = a((L+1)a+2)/((1+a)(1+(L+1)a)) \in (0, 1)$, strictly increasing in $a$, with
//!   $h_L(a)\to1$ as $a\to\infty$, and strictly *decreasing* in $L$ (towards $b$ as
//!   $L\to\infty$); so $c_+(\text{ResNet}) < c_+(\text{MLP})$ for all $L\ge1$ and $\alpha > 0$ (at
//!   $L = 0$ both are 0), and $c_+(\text{ResNet})$ itself increases strictly with $\alpha$ and $L$.
//! * **Theorem 4 (depth regimes, $\alpha = L^{-\gamma}$, $A = \sigma_w^2\sigma_v^2/2$).**
//!   $\gamma = 0$: $c_+ = \frac{b}{\sqrt2\pi}L + \frac{1}{\sqrt2\pi(1+a)} + o(1)$ (linear growth);
//!   $\gamma = 1/2$: $c_+ \to \frac{A(A+2)}{\sqrt2\pi(1+A)}$;
//!   $\gamma = 1$: $L\\,c_+ \to 2A/(\sqrt2\pi)$, so $c_+\to0$.
//! * **Theorem 5 (distance to the linear kernel).** For every $L$, $a$ and $t\in[-1,1]$, the
//!   normalized ResNet NTK satisfies $|\Theta(t)/\Theta(1) - t| \le 2\delta/(2+\delta)$ with
//!   $\delta = 2((1+a)^L - 1) + 2aL(1+a)^{L-1}$; for $\gamma = 1$, $aL\to0$ and the normalized
//!   kernel tends to $t$ uniformly, at rate $O(1/L)$.
//! * **Lemma 6, Proposition 7** — bounds on $c_-$ and a proved region of the ordering of the
//!   normalized decay constants ([`decay_ordering_is_proved`]).

use std::f64::consts::{PI, SQRT_2};

use super::error::SmoothnessError;

fn check_depth(depth: usize) -> Result<(), SmoothnessError> {
    if depth == 0 {
        return Err(SmoothnessError::InvalidCount {
            name: "depth",
            value: depth,
            expected: "the closed forms need L >= 1",
        });
    }
    Ok(())
}

fn check_a(a: f64) -> Result<(), SmoothnessError> {
    if !(a.is_finite() && a > 0.0) {
        return Err(SmoothnessError::InvalidParameter {
            name: "a",
            value: a,
            expected: "need a finite a > 0",
        });
    }
    Ok(())
}

/// A number type in which the closed forms of Theorems 1–3 are evaluated: `f64` (the public
/// functions below) and the exact field [`crate::symbolic::exact::Exact`], in which
/// `tests/exact_series.rs` compares them, by exact equality, with the coefficients *derived* by
/// running the layer recursion on exact series ([`crate::symbolic::exact_series`]).
pub trait ClosedFormField:
    Clone
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    /// A small integer.
    fn from_int(n: i64) -> Self;
    /// $\sqrt2$.
    fn sqrt2() -> Self;
    /// $\pi$.
    fn pi() -> Self;
}

impl ClosedFormField for f64 {
    fn from_int(n: i64) -> Self {
        n as f64
    }
    fn sqrt2() -> Self {
        SQRT_2
    }
    fn pi() -> Self {
        PI
    }
}

impl ClosedFormField for crate::symbolic::exact::Exact {
    fn from_int(n: i64) -> Self {
        <Self as crate::series::Coefficient>::from_i64(n)
    }
    fn sqrt2() -> Self {
        Self::sqrt2()
    }
    fn pi() -> Self {
        Self::pi_pow(1)
    }
}

/// Theorem 1 in any [`ClosedFormField`]: $L/(\sqrt2\\,\pi)$ (no validation; `depth` $\ge 1$).
pub fn mlp_c_plus_in<T: ClosedFormField>(depth: usize) -> T {
    T::from_int(depth as i64) / (T::sqrt2() * T::pi())
}

/// Theorem 3 in any [`ClosedFormField`]: $h_L(a) = b\left(1 + \frac{1}{1+(L+1)a}\right)$,
/// $b = a/(1+a)$ (no validation).
pub fn resnet_mlp_ratio_in<T: ClosedFormField>(depth: usize, a: T) -> T {
    let one = T::from_int(1);
    let m = T::from_int(depth as i64 + 1);
    let b = a.clone() / (one.clone() + a.clone());
    b * (one.clone() + one.clone() / (one + m * a))
}

/// Theorem 2 in any [`ClosedFormField`]: $c_+ = h_L(a)\\,L/(\sqrt2\pi)$ (no validation). With
/// `a` the symbol of [`crate::symbolic::exact::Exact`] this is the rational function of $a$
/// compared with the derived coefficient.
pub fn resnet_c_plus_in<T: ClosedFormField>(depth: usize, a: T) -> T {
    resnet_mlp_ratio_in(depth, a) * mlp_c_plus_in(depth)
}

/// Theorem 1: $c_+$ of the normalized NTK of the bias-free MLP with $L \ge 1$ hidden layers,
/// $L/(\sqrt2\\,\pi)$ (independent of $\sigma_w^2$ and $d$).
pub fn mlp_c_plus(depth: usize) -> Result<f64, SmoothnessError> {
    check_depth(depth)?;
    Ok(mlp_c_plus_in(depth))
}

/// Theorem 3: the ratio $h_L(a) = c_+(\text{ResNet})/c_+(\text{MLP}) =
/// \frac{a((L+1)a+2)}{(1+a)(1+(L+1)a)} = b\left(1 + \frac{1}{1+(L+1)a}\right) \in (0, 1)$,
/// $b = a/(1+a)$ (the second form is evaluated: no overflow for huge $a$, no cancellation).
/// Strictly increasing in $a$ and strictly decreasing in $L$, towards $b$ (while
/// $c_+(\text{ResNet}) = h_L(a)\\,L/(\sqrt2\\,\pi)$ increases in $L$).
pub fn resnet_mlp_ratio(depth: usize, a: f64) -> Result<f64, SmoothnessError> {
    check_depth(depth)?;
    check_a(a)?;
    Ok(resnet_mlp_ratio_in(depth, a))
}

/// Theorem 2: $c_+$ of the normalized NTK of the bias-free ResNet with $L \ge 1$ blocks and
/// $a = \alpha^2\sigma_w^2\sigma_v^2/2 > 0$:
/// $c_+ = \frac{b}{\sqrt2\pi}L\left(1 + \frac{1}{1+a(L+1)}\right)$, $b = a/(1+a)$.
///
/// ```
/// use ntk_sphere::smoothness::closed_form::resnet_c_plus;
/// // docs/literature.md §1.4: L = 5, alpha = 1 (a = 1/2) gives 0.468914748.
/// assert!((resnet_c_plus(5, 0.5).unwrap() - 0.468914748).abs() < 1e-9);
/// ```
pub fn resnet_c_plus(depth: usize, a: f64) -> Result<f64, SmoothnessError> {
    Ok(resnet_mlp_ratio(depth, a)? * mlp_c_plus(depth)?)
}

/// The residual scalings $\alpha = L^{-\gamma}$ of Theorem 4.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DepthRegime {
    /// $\gamma = 0$: a fixed $\alpha$ (the argument), independent of the depth.
    FixedAlpha(f64),
    /// $\gamma = 1/2$: $\alpha = L^{-1/2}$.
    InverseSqrtDepth,
    /// $\gamma = 1$: $\alpha = L^{-1}$.
    InverseDepth,
}

impl DepthRegime {
    /// $\alpha$ at depth $L \ge 1$.
    pub fn alpha(self, depth: usize) -> f64 {
        let l = depth.max(1) as f64;
        match self {
            Self::FixedAlpha(alpha) => alpha,
            Self::InverseSqrtDepth => l.sqrt().recip(),
            Self::InverseDepth => l.recip(),
        }
    }
}

/// The $L\to\infty$ behaviour of $c_+$ in a [`DepthRegime`] (Theorem 4), for
/// $\sigma^2 = \sigma_w^2\sigma_v^2 > 0$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DepthLimit {
    /// $c_+ = \text{slope}\cdot L + \text{offset} + o(1)$ (fixed $\alpha$: spiky, like the MLP,
    /// whose slope is $1/(\sqrt2\pi)$).
    Linear {
        /// $b/(\sqrt2\pi)$.
        slope: f64,
        /// $1/(\sqrt2\pi(1+a))$.
        offset: f64,
    },
    /// $c_+ \to$ the value ($\alpha = L^{-1/2}$: a stable kernel shape).
    Finite(f64),
    /// $L\\,c_+ \to$ the value, so $c_+ \to 0$ ($\alpha = L^{-1}$: the normalized kernel tends to
    /// the linear kernel $t$).
    InverseDepth(f64),
}

/// Theorem 4: the limit law of $c_+$ of the ResNet NTK as $L\to\infty$ in `regime`, for
/// $\sigma^2 = \sigma_w^2\sigma_v^2$ (`sigma2`).
pub fn depth_limit(regime: DepthRegime, sigma2: f64) -> Result<DepthLimit, SmoothnessError> {
    if !(sigma2.is_finite() && sigma2 > 0.0) {
        return Err(SmoothnessError::InvalidParameter {
            name: "sigma_w2 * sigma_v2",
            value: sigma2,
            expected: "need a finite positive product",
        });
    }
    let big_a = sigma2 / 2.0;
    let root = SQRT_2 * PI;
    Ok(match regime {
        DepthRegime::FixedAlpha(alpha) => {
            if !(alpha.is_finite() && alpha > 0.0) {
                return Err(SmoothnessError::InvalidParameter {
                    name: "alpha",
                    value: alpha,
                    expected: "need a finite alpha > 0",
                });
            }
            let a = alpha * alpha * big_a;
            if !(a.is_finite() && a > 0.0) {
                return Err(SmoothnessError::InvalidParameter {
                    name: "alpha",
                    value: alpha,
                    expected: if a > 0.0 {
                        "a = alpha^2 * sigma2 / 2 overflows f64"
                    } else {
                        "a = alpha^2 * sigma2 / 2 underflows to 0"
                    },
                });
            }
            check_a(a)?;
            DepthLimit::Linear {
                slope: a / (1.0 + a) / root,
                offset: 1.0 / (root * (1.0 + a)),
            }
        }
        DepthRegime::InverseSqrtDepth => {
            // A (A + 2) / (1 + A) without overflowing A (A + 2) for huge A.
            DepthLimit::Finite(big_a * ((big_a + 2.0) / (1.0 + big_a)) / root)
        }
        DepthRegime::InverseDepth => DepthLimit::InverseDepth(2.0 * big_a / root),
    })
}

/// Theorem 5: the bound $2\delta/(2+\delta)$, $\delta = 2((1+a)^L-1) + 2aL(1+a)^{L-1}$, on
/// $\sup_{t\in[-1,1]}|\Theta(t)/\Theta(1) - t|$ for the bias-free ResNet NTK with $L$ blocks
/// ($L = 0$ gives 0: the kernel is linear). Computed with `exp_m1`/`ln_1p`, so it is accurate
/// for tiny $aL$.
pub fn linear_kernel_deviation_bound(depth: usize, a: f64) -> Result<f64, SmoothnessError> {
    if !(a.is_finite() && a >= 0.0) {
        return Err(SmoothnessError::InvalidParameter {
            name: "a",
            value: a,
            expected: "need a finite a >= 0",
        });
    }
    let l = depth as f64;
    let ln1a = a.ln_1p();
    let growth = (l * ln1a).exp_m1(); // (1+a)^L - 1
    let second = if depth == 0 {
        0.0
    } else {
        2.0 * a * l * ((l - 1.0) * ln1a).exp()
    };
    let delta = 2.0 * growth + second;
    if delta.is_infinite() {
        return Ok(2.0); // the limit of 2δ/(2+δ)
    }
    Ok(2.0 * delta / (2.0 + delta))
}

/// Lemma 6 (bound on $c_-$ of the ResNet NTK): only the first block's
/// $\dot\Sigma_1 = \sigma^2\kappa_0(t)/2$ carries a $\sqrt{1+t}$ term at $t = -1$, so
/// $c_- = \frac{\sqrt2}{\pi}\\,\frac{2a\prod_{l=2}^{L}(1+a\kappa_0(r_{l-1}))}{2(1+a)^L+2aL(1+a)^{L-1}}
/// \le \frac{\sqrt2}{\pi}\\,\frac{a}{1+a+aL}$, with $r_l$ the layer correlations at $t = -1$ and
/// $0 \le \kappa_0 \le 1$.
pub fn resnet_c_minus_bound(depth: usize, a: f64) -> Result<f64, SmoothnessError> {
    check_depth(depth)?;
    check_a(a)?;
    Ok(SQRT_2 / PI * (a / (1.0 + a * (1.0 + depth as f64))))
}

/// Lemma 6 for the MLP: $c_- = \frac{\sqrt2}{\pi}\frac{\prod_{l=2}^{L}\kappa_0(r_{l-1})}{L+1}$ with
/// $r_1 = \kappa_1(-1) = 0$, so $c_- = \frac{\sqrt2}{2\pi}$ for $L = 1$ and
/// $c_- \le \frac{\sqrt2}{2\pi(L+1)}$ for $L \ge 2$ (equality at $L = 2$, as $\kappa_0(0) = 1/2$).
pub fn mlp_c_minus_bound(depth: usize) -> Result<f64, SmoothnessError> {
    check_depth(depth)?;
    let l = depth as f64;
    Ok(if depth == 1 {
        SQRT_2 / (2.0 * PI)
    } else {
        SQRT_2 / (2.0 * PI * (l + 1.0))
    })
}

/// Proposition 7: whether the ordering of the normalized decay constants,
/// $C_{\text{even}}(\text{ResNet}) < C_{\text{even}}(\text{MLP})$ and
/// $C_{\text{odd}}(\text{ResNet}) < C_{\text{odd}}(\text{MLP})$ (the constants are
/// $|C(d,\tfrac12)|(c_+ \pm c_-)$), follows from Theorems 1–3 and Lemma 6 at $(L, a)$:
/// always for $L = 1$ ($c_+ = c_-$, odd constants vanish), and for $L \ge 2$ when
/// $L + aL^2 > 2a(1+a)$ (even) and $L(L+1)(1+La) > (1+a)(1+(L+1)a)$ (odd). Outside this
/// region the ordering is verified numerically (tests/smoothness.rs), not proved.
pub fn decay_ordering_is_proved(depth: usize, a: f64) -> Result<bool, SmoothnessError> {
    check_depth(depth)?;
    check_a(a)?;
    if depth == 1 {
        return Ok(true);
    }
    let l = depth as f64;
    let even = l + a * l * l > 2.0 * a * (1.0 + a);
    let odd = l * (l + 1.0) * (1.0 + l * a) > (1.0 + a) * (1.0 + (l + 1.0) * a);
    Ok(even && odd)
}
