//! Decay of the Mercer eigenvalues: exponent and parity constants from the endpoint expansions
//! (Bietti & Bach 2021, Thm. 1, with the corrected constant), and fitted local exponents for
//! kernels known only through computed eigenvalues.
//!
//! If $\kappa(1-u) = p_1(u) + c_1u^\nu + \dots$ and $\kappa(-1+u) = p_{-1}(u) + c_{-1}u^\nu + \dots$
//! with polynomials $p_{\pm1}$ and the smallest non-integer exponent $\nu$ (for ReLU kernels a
//! half-integer: $\nu = 1/2$ for the NTK, $3/2$ for the NNGP kernel), then
//! $$\mu_k \sim (c_1 + (-1)^k c_{-1})\\,C(d,\nu)\\,k^{-(d-1+2\nu)},$$
//! from $\mu_k((1-t)^\nu) \sim C(d,\nu)k^{-(d-1+2\nu)}$ and $\mu_k((1+t)^\nu) = (-1)^k\mu_k((1-t)^\nu)$
//! ([`super::decay_constant`]).

use crate::kernel::SphereKernel;
use crate::series::{Endpoint, endpoint_expansion_normalized};

use super::endpoint::decay_constant;
use super::error::SpectrumError;
use super::mercer::{ln_kappa_one, zero_pattern};

/// Order of the endpoint expansions searched for the leading half-integer power.
const DECAY_ORDER: usize = 41;

/// Relative size below which $c_1 \pm c_{-1}$ counts as a cancellation (rounding level of the
/// series coefficients).
const CANCELLATION_REL: f64 = 1e-13;

/// The asymptotic law $\mu_k \approx$ `constant_parity` $\cdot k^{\text{exponent}}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decay {
    /// $-(d-1+2\nu)$; $-\infty$ if the kernel has no half-integer power up to order 41 at
    /// either end (decay faster than any power).
    pub exponent: f64,
    /// The leading non-integer exponent $\nu$ ($\infty$ if none).
    pub nu: f64,
    /// $(c_1 + c_{-1})\\,C(d,\nu)$: the constant for even $k$ (0 if it cancels or the even
    /// eigenvalues are structurally zero).
    pub constant_even: f64,
    /// $(c_1 - c_{-1})\\,C(d,\nu)$: the constant for odd $k$.
    pub constant_odd: f64,
    /// $\ln|$`constant_even`$|$ (finite even when the constant itself overflows `f64`).
    pub log_constant_even: Option<f64>,
    /// $\ln|$`constant_odd`$|$.
    pub log_constant_odd: Option<f64>,
    /// $c_1$, the coefficient of $(1-t)^\nu$ at $t = 1$.
    pub c_one: f64,
    /// $c_{-1}$, the coefficient of $(1+t)^\nu$ at $t = -1$.
    pub c_minus_one: f64,
    /// Whether the constants are for $\kappa/\kappa(1)$.
    pub normalized: bool,
}

/// The decay law of the Mercer eigenvalues of `kernel` on $S^{d-1}$ (see the [module
/// documentation](crate::spectrum)), for $\kappa$ or (`normalized`) $\kappa/\kappa(1)$.
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::spectrum::decay;
/// // Deep NTK kappa^3_NTK = 12 * (our MLP L = 2 at d = 3): mu_k k^3 -> 3.5/(2 pi) (even k).
/// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// let law = decay(&k, true).unwrap();
/// assert_eq!(law.exponent, -3.0);
/// let pi = std::f64::consts::PI;
/// assert!((3.0 * law.constant_even - 3.5 / (2.0 * pi)).abs() < 1e-13);
/// assert!((3.0 * law.constant_odd - 2.5 / (2.0 * pi)).abs() < 1e-13);
/// ```
pub fn decay(kernel: &SphereKernel, normalized: bool) -> Result<Decay, SpectrumError> {
    let d = kernel.dim();
    super::check_dim(d)?;
    let ap = endpoint_expansion_normalized(kernel, Endpoint::Plus, DECAY_ORDER)?;
    let am = endpoint_expansion_normalized(kernel, Endpoint::Minus, DECAY_ORDER)?;
    let zeros = zero_pattern(kernel);
    let ln_k1 = if normalized {
        0.0
    } else {
        ln_kappa_one(kernel)?
    };
    let Some(j) = (1..=DECAY_ORDER)
        .step_by(2)
        .find(|&j| ap[j] != 0.0 || am[j] != 0.0)
    else {
        return Ok(Decay {
            exponent: f64::NEG_INFINITY,
            nu: f64::INFINITY,
            constant_even: 0.0,
            constant_odd: 0.0,
            log_constant_even: None,
            log_constant_odd: None,
            c_one: 0.0,
            c_minus_one: 0.0,
            normalized,
        });
    };
    let nu = j as f64 / 2.0;
    let (c1, cm1) = (ap[j], am[j]);
    let (sc, ln_c) = decay_constant(d, nu)?;
    let scale = c1.abs() + cm1.abs();
    let parity_constant = |combo: f64, parity: usize| -> (f64, Option<f64>) {
        // Structural zeros of a parity make its constant exactly 0.
        let structural = zeros.parity_vanishes(parity);
        if structural || combo.abs() <= CANCELLATION_REL * scale {
            (0.0, None)
        } else {
            let ln = combo.abs().ln() + ln_c + ln_k1;
            (combo.signum() * sc * ln.exp(), Some(ln))
        }
    };
    let (even, ln_even) = parity_constant(c1 + cm1, 0);
    let (odd, ln_odd) = parity_constant(c1 - cm1, 1);
    Ok(Decay {
        exponent: -(d as f64 - 1.0 + 2.0 * nu),
        nu,
        constant_even: even,
        constant_odd: odd,
        log_constant_even: ln_even,
        log_constant_odd: ln_odd,
        c_one: c1,
        c_minus_one: cm1,
        normalized,
    })
}

/// Least-squares slope of $\ln\mu_k$ against $\ln k$ over the given degrees: a fitted local
/// decay exponent for kernels known only through computed eigenvalues (use one parity at a
/// time when the parities have different constants). Entries with $\mu_k \le 0$ or $k = 0$ are
/// skipped; at least two points are required.
///
/// ```
/// use ntk_sphere::spectrum::fitted_exponent;
/// let k: Vec<usize> = (10..20).collect();
/// let mu: Vec<f64> = k.iter().map(|&k| 3.0 * (k as f64).powf(-4.5)).collect();
/// assert!((fitted_exponent(&k, &mu).unwrap() + 4.5).abs() < 1e-12);
/// ```
pub fn fitted_exponent(k: &[usize], mu: &[f64]) -> Result<f64, SpectrumError> {
    let pts: Vec<(f64, f64)> = k
        .iter()
        .zip(mu)
        .filter(|&(&k, &m)| k > 0 && m > 0.0 && m.is_finite())
        .map(|(&k, &m)| ((k as f64).ln(), m.ln()))
        .collect();
    if pts.len() < 2 {
        return Err(SpectrumError::InvalidParameter {
            name: "points",
            value: pts.len() as f64,
            expected: "at least two degrees k > 0 with mu_k > 0",
        });
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    if sxx == 0.0 {
        return Err(SpectrumError::InvalidParameter {
            name: "points",
            value: n,
            expected: "at least two distinct degrees",
        });
    }
    Ok(sxy / sxx)
}
