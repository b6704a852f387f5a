//! Smoothness measures of a single kernel.

use std::f64::consts::{PI, SQRT_2};

use crate::kernel::SphereKernel;
use crate::series::{Endpoint, endpoint_expansion_normalized, kink_coefficients};
use crate::spectrum::{DecayClass, decay, mercer_spectrum};

use super::error::SmoothnessError;

/// Largest number of angles of a [`normalized_profile`].
pub const MAX_PROFILE_POINTS: usize = 1_000_000;

/// Order of the endpoint expansions searched for the leading singular power (exponents up to
/// $\nu = 20.5$).
pub const SINGULARITY_ORDER: usize = 41;

/// The leading singular term $c\\,(1\mp t)^\nu$ of the normalized kernel at one end of
/// $[-1, 1]$: $\kappa(1\mp u)/\kappa(1) = p(u) + c\\,u^\nu + \dots$ with a polynomial $p$ and
/// the smallest non-integer $\nu$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Singularity {
    /// The exponent $\nu$ (a half-integer for the library's activations).
    pub exponent: f64,
    /// The coefficient $c$ of $u^\nu$ (for $\nu = 1/2$: $c = -c_\pm$).
    pub coefficient: f64,
}

/// The leading singular term of $\kappa/\kappa(1)$ at `endpoint`, or `None` if the kernel has
/// no non-integer power of $1\mp t$ up to $u^{20.5}$ there (analytic at that end, e.g. erf,
/// GELU or polynomial activations). Every non-zero odd coefficient of the expansion in
/// $\sqrt g$ counts: the series arithmetic creates half-integer powers only from square roots of
/// the gap, so an analytic end has exact zeros, and genuine coefficients can be tiny (a ResNet's
/// $c_\pm \propto \alpha^2$).
///
/// ```
/// use ntk_sphere::activation::Activation;
/// use ntk_sphere::arch::{Layer, Serial};
/// use ntk_sphere::series::Endpoint;
/// use ntk_sphere::smoothness::leading_singularity;
/// use ntk_sphere::{KernelKind, SphereKernel};
/// // NNGP of dense-ReLU^2-dense: exponent 5/2 at t = 1.
/// let dense = Layer::dense(1.0, 0.0).unwrap();
/// let act = Layer::activation(Activation::rectified_monomial(2).unwrap());
/// let net = Serial::new(vec![dense.clone(), act, dense]).unwrap();
/// let k = SphereKernel::new(net, KernelKind::Nngp, 3).unwrap();
/// let s = leading_singularity(&k, Endpoint::Plus).unwrap().unwrap();
/// assert_eq!(s.exponent, 2.5);
/// ```
pub fn leading_singularity(
    kernel: &SphereKernel,
    endpoint: Endpoint,
) -> Result<Option<Singularity>, SmoothnessError> {
    let a = endpoint_expansion_normalized(kernel, endpoint, SINGULARITY_ORDER)?;
    Ok((1..a.len())
        .step_by(2)
        .find(|&j| a[j] != 0.0)
        .map(|j| Singularity {
            exponent: j as f64 / 2.0,
            coefficient: a[j],
        }))
}

/// The smoothness measures of one kernel (all for the normalized kernel $\kappa/\kappa(1)$).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelSmoothness {
    /// Kink coefficient at $t = 1$: $\kappa(1-g)/\kappa(1) = 1 - c_+\sqrt g + O(g)$.
    pub c_plus: f64,
    /// Kink coefficient at $t = -1$:
    /// $\kappa(-1+g)/\kappa(1) = \kappa(-1)/\kappa(1) - c_-\sqrt g + O(g)$.
    pub c_minus: f64,
    /// One-sided slope in $\theta$ of $\kappa(\cos\theta)/\kappa(1)$ at $\theta = 0^+$: exactly
    /// $-c_+/\sqrt2$.
    pub slope_at_zero: f64,
    /// Decay exponent $-(d-1+2\nu)$ of the Mercer eigenvalues ($-\infty$ for faster decay).
    pub decay_exponent: f64,
    /// Constant of $\mu_k \approx C_{\text{even}}k^{\text{exponent}}$ for even $k$ (normalized
    /// kernel); `None` where it does not fit in `f64` (see [`crate::spectrum::Decay`]).
    pub decay_constant_even: Option<f64>,
    /// Constant for odd $k$ (normalized kernel; `None` as for the even one).
    pub decay_constant_odd: Option<f64>,
    /// The decay class of the eigenvalues ([`DecayClass::Polynomial`] iff an endpoint
    /// singularity exists).
    pub decay_class: DecayClass,
    /// The measured geometric rate ([`DecayClass::Geometric`]; 0 for [`DecayClass::Finite`];
    /// `None` for [`DecayClass::Polynomial`]), see [`crate::spectrum::Decay::rate`].
    pub decay_rate: Option<f64>,
    /// Leading singular term at $t = 1$ (`None`: analytic there).
    pub singular_plus: Option<Singularity>,
    /// Leading singular term at $t = -1$ (`None`: analytic there).
    pub singular_minus: Option<Singularity>,
}

/// The [`KernelSmoothness`] of `kernel` on $S^{d-1}$, $d$ = `kernel.dim()` (the kink
/// coefficients and the slope do not depend on $d$ for bias-free networks; the decay constants
/// do). Every composition is accepted: a kernel analytic at an end has $c_\pm = 0$ and no
/// [`Singularity`] there, and an analytic kernel gets [`DecayClass::Geometric`] or
/// [`DecayClass::Finite`] with exponent $-\infty$ (not an error).
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::smoothness::kernel_smoothness;
/// // MLP with L hidden layers: c+ = L sqrt(2) / (2 pi), slope at 0+ = -L / (2 pi).
/// let k = SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
/// let s = kernel_smoothness(&k).unwrap();
/// let pi = std::f64::consts::PI;
/// assert!((s.c_plus - 5.0 * 2f64.sqrt() / (2.0 * pi)).abs() < 1e-14);
/// assert!((s.slope_at_zero + 5.0 / (2.0 * pi)).abs() < 1e-14);
/// assert_eq!(s.decay_exponent, -2.0);
/// ```
pub fn kernel_smoothness(kernel: &SphereKernel) -> Result<KernelSmoothness, SmoothnessError> {
    let (c_plus, c_minus) = kink_coefficients(kernel)?;
    let law = decay(kernel, true)?;
    Ok(KernelSmoothness {
        c_plus,
        c_minus,
        slope_at_zero: 0.0 - c_plus / SQRT_2,
        decay_exponent: law.exponent,
        decay_constant_even: law.constant_even,
        decay_constant_odd: law.constant_odd,
        decay_class: law.class,
        decay_rate: law.rate,
        singular_plus: leading_singularity(kernel, Endpoint::Plus)?,
        singular_minus: leading_singularity(kernel, Endpoint::Minus)?,
    })
}

/// The one-sided slope at $\theta = 0^+$ of $\kappa(\cos\theta)/\kappa(1)$, $-c_+/\sqrt2$
/// (see the [module documentation](super)).
pub fn slope_at_zero(kernel: &SphereKernel) -> Result<f64, SmoothnessError> {
    Ok(-kink_coefficients(kernel)?.0 / SQRT_2)
}

/// The normalized kernel sampled at equally spaced angles.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedProfile {
    /// Angles $\theta_j = j\pi/(n-1)$, $j = 0..n-1$.
    pub theta: Vec<f64>,
    /// $\kappa(\cos\theta_j)/\kappa(1)$.
    pub value: Vec<f64>,
}

/// $\kappa(\cos\theta)/\kappa(1)$ at `n` $\ge 2$ equally spaced angles of $[0, \pi]$
/// (both ends included), evaluated through the angle (no rounding of $\cos\theta$).
pub fn normalized_profile(
    kernel: &SphereKernel,
    n: usize,
) -> Result<NormalizedProfile, SmoothnessError> {
    if !(2..=MAX_PROFILE_POINTS).contains(&n) {
        return Err(SmoothnessError::InvalidCount {
            name: "n",
            value: n,
            expected: "need 2 <= n <= 1000000 angles",
        });
    }
    let step = PI / (n - 1) as f64;
    let theta: Vec<f64> = (0..n)
        .map(|j| if j + 1 == n { PI } else { j as f64 * step })
        .collect();
    let value = theta
        .iter()
        .map(|&t| kernel.normalized_angle(t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NormalizedProfile { theta, value })
}

/// The spectral mass of the normalized kernel above a degree, with an error bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TailMass {
    /// The first degree $K$ of the tail.
    pub degree: usize,
    /// $\sum_{k \ge K} N(d,k)\mu_k/\kappa(1)$.
    pub mass: f64,
    /// Bound on the absolute error of `mass`.
    pub abs_error: f64,
}

/// $\sum_{k\ge K} N(d,k)\mu_k/\kappa(1) = 1 - \sum_{k<K} N(d,k)\mu_k/\kappa(1)$ (Mercer's trace
/// identity $\sum_k N(d,k)\mu_k = \kappa(1)$, docs/conventions.md): the fraction of the kernel's
/// "energy" in degrees $\ge K$. Every term is $\ge 0$, so the mass decreases in $K$ from 1 at
/// $K = 0$. The eigenvalues below $K$ come from [`mercer_spectrum`]; the reported
/// `abs_error` is $\sum_{k<K} N\mu_k\\,\varepsilon_k + K\cdot 2^{-52}$ with the per-degree
/// relative error estimates $\varepsilon_k$ (absolute, so a tail far below $10^{-10}$ is not
/// resolved to relative accuracy).
pub fn tail_mass(kernel: &SphereKernel, degree: usize) -> Result<TailMass, SmoothnessError> {
    if degree == 0 {
        return Ok(TailMass {
            degree,
            mass: 1.0,
            abs_error: 0.0,
        });
    }
    let spectrum = mercer_spectrum(kernel, degree - 1, true)?;
    // Sum the small terms first (they decrease with k) in a compensated sum.
    let (mut sum, mut comp, mut err) = (0.0f64, 0.0f64, 0.0f64);
    for e in spectrum.eigenvalues.iter().rev() {
        // N(d,k) mu_k through logs: N may overflow and mu underflow for large d.
        let term = match e.log_mu {
            Some(ln_mu) => f64::from(e.sign) * (ln_mu + e.log_multiplicity).exp(),
            None => 0.0,
        };
        err += term.abs() * e.rel_error;
        let y = term - comp;
        let t = sum + y;
        comp = (t - sum) - y;
        sum = t;
    }
    Ok(TailMass {
        degree,
        mass: 1.0 - sum,
        abs_error: err + degree as f64 * f64::EPSILON,
    })
}
