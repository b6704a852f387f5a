//! Decay of the Mercer eigenvalues: exponent and parity constants from the endpoint expansions
//! (Bietti & Bach 2021, Thm. 1, with the corrected constant), and fitted local exponents for
//! kernels known only through computed eigenvalues.
//!
//! With the gap $g \ge 0$ from an end of $[-1, 1]$: if $\kappa(1-g) = p_+(g) - c_+g^\nu + \dots$
//! and $\kappa(-1+g) = p_-(g) - c_-g^\nu + \dots$ with polynomials $p_\pm$ and the smallest
//! non-integer exponent $\nu$ (for ReLU kernels a half-integer: $\nu = 1/2$ for the NTK, $3/2$
//! for the NNGP kernel), then
//! $$\mu_k \sim -(c_+ + (-1)^k c_-)\\,C(d,\nu)\\,k^{-(d-1+2\nu)},$$
//! from $\mu_k((1-t)^\nu) \sim C(d,\nu)k^{-(d-1+2\nu)}$ and $\mu_k((1+t)^\nu) = (-1)^k\mu_k((1-t)^\nu)$
//! ([`super::decay_constant`]).
//!
//! **Classes.** The singular exponent $\nu$ is read from the Puiseux expansions in
//! $s = \sqrt{1\mp t}$: the first odd power $s^{2\nu}$ whose coefficient is non-zero beyond
//! rounding ([`SINGULAR_REL`] times the largest coefficient before it). Then
//! * [`DecayClass::Polynomial`]: a singular exponent exists at $t = 1$ or $t = -1$ — the law
//!   above (ReLU NTK $\nu = 1/2$, ReLU NNGP $3/2$, $\mathrm{ReLU}^n$: $n+1/2$ for the NNGP and
//!   $n-1/2$ for the NTK, sign NNGP $1/2$);
//! * [`DecayClass::Finite`]: no singular exponent and the Maclaurin series terminates (polynomial
//!   activations): $\mu_k = 0$ for $k >$ [`Decay::degree`]; `rate` is $0$;
//! * [`DecayClass::Geometric`]: no singular exponent up to order 41 and infinitely many
//!   Maclaurin coefficients (analytic activations: erf, GELU, sin, exp, Gaussian): $\mu_k$ decays
//!   faster than any power. A kernel analytic inside the Bernstein ellipse
//!   $\\{|t-1|+|t+1| < \rho+\rho^{-1}\\}$ has $\mu_k = O(k^p\rho^{-k})$; the reported `rate` is
//!   **measured**: $e^{\beta}$ from the least-squares fit
//!   $\ln\mu_k \approx a + p\ln k + \beta k$ over the resolved non-zero degrees
//!   $k\in[K/3, K]$, $K =$ [`RATE_FIT_DEGREE`], of [`super::mercer_spectrum`]. For entire
//!   kernels (e.g. exp, sin) the decay is super-geometric and the fitted rate depends on $K$.

use crate::kernel::SphereKernel;
use crate::series::{Endpoint, endpoint_expansion_normalized};

use super::endpoint::decay_constant;
use super::error::SpectrumError;
use super::mercer::{ln_kappa_one, mercer_spectrum, zero_pattern};
use crate::series::maclaurin_coefficients_normalized;

/// Order of the endpoint expansions searched for the leading half-integer power.
const DECAY_ORDER: usize = 41;

/// Relative size below which $c_+ \pm c_-$ counts as a cancellation (rounding level of the
/// series coefficients).
const CANCELLATION_REL: f64 = 1e-13;

/// Highest degree of the spectrum on which the geometric rate is fitted.
pub const RATE_FIT_DEGREE: usize = 120;

/// Largest relative error of an eigenvalue used in the rate fit.
const RATE_FIT_REL_ERROR: f64 = 1e-9;

/// Number of Maclaurin coefficients inspected for a terminating series ([`DecayClass::Finite`]).
const FINITE_TERMS: usize = 65;

/// How the Mercer eigenvalues decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecayClass {
    /// $\mu_k \sim C_\pm k^{-(d-1+2\nu)}$: an endpoint singularity $(1\mp t)^\nu$.
    Polynomial,
    /// Faster than any power, $\mu_k \approx C k^p\\,\text{rate}^k$ (measured): a kernel
    /// analytic on $[-1, 1]$.
    Geometric,
    /// $\mu_k = 0$ beyond a degree: a polynomial kernel.
    Finite,
}

impl DecayClass {
    /// `"polynomial"`, `"geometric"` or `"finite"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Polynomial => "polynomial",
            Self::Geometric => "geometric",
            Self::Finite => "finite",
        }
    }
}

/// The asymptotic law $\mu_k \approx$ `constant_parity` $\cdot k^{\text{exponent}}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decay {
    /// The decay class (see [`DecayClass`]).
    pub class: DecayClass,
    /// [`DecayClass::Geometric`]: the measured ratio $\mu_{k+1}/\mu_k$ ($\mu_k \approx
    /// Ck^p\\,\text{rate}^k$, fitted on the computed spectrum, see the module documentation);
    /// [`DecayClass::Finite`]: 0; [`DecayClass::Polynomial`]: `None`.
    pub rate: Option<f64>,
    /// [`DecayClass::Finite`]: the highest degree with $\mu_k \ne 0$ (the degree of the
    /// kernel polynomial); `None` otherwise.
    pub degree: Option<usize>,
    /// $-(d-1+2\nu)$; $-\infty$ if the kernel has no half-integer power up to order 41 at
    /// either end (decay faster than any power).
    pub exponent: f64,
    /// The leading non-integer exponent $\nu$ ($\infty$ if none).
    pub nu: f64,
    /// $-(c_+ + c_-)\\,C(d,\nu)$: the constant for even $k$ (`Some(0.0)` if it cancels or
    /// the even eigenvalues are structurally zero); `None` when its magnitude lies outside the
    /// range of `f64` (large $d$: $\ln C(d,\nu)$ grows like $d\ln d$), where
    /// `log_constant_even` still holds its logarithm.
    pub constant_even: Option<f64>,
    /// $-(c_+ - c_-)\\,C(d,\nu)$: the constant for odd $k$ (`None` as for `constant_even`).
    pub constant_odd: Option<f64>,
    /// $\ln|C_{\text{even}}|$, finite also where `constant_even` does not fit in `f64`
    /// (`None` when the constant is 0).
    pub log_constant_even: Option<f64>,
    /// $\ln|C_{\text{odd}}|$ (as `log_constant_even`).
    pub log_constant_odd: Option<f64>,
    /// $c_+$: minus the coefficient of the leading singular power at $t = 1$,
    /// $\kappa(1-g) = \kappa(1) - c_+ g^\nu + (\text{integer powers of } g) + o(g^\nu)$,
    /// of $\kappa/\kappa(1)$ when `normalized`, else of $\kappa$ (0 if the kernel is analytic
    /// at $t = 1$ or its leading singularity is only at $t = -1$). For $\nu = 1/2$ this is the
    /// kink coefficient of [`crate::smoothness::KernelSmoothness::c_plus`] (same sign: $c_+ > 0$
    /// for ReLU networks).
    pub c_plus: f64,
    /// $c_-$: minus the coefficient of the leading singular power at $t = -1$,
    /// $\kappa(-1+g) = \kappa(-1) - c_- g^\nu + \dots$ (normalized like `c_plus`). Limit: where
    /// a layer's correlation at $t = -1$ is $-1 + \delta$ with $\delta$ below the rounding of
    /// doubles ($\approx 10^{-15}$, e.g. a ResNet with $a = \alpha^2\sigma_w^2\sigma_v^2/2 <
    /// 10^{-15}$), $\delta$ is lost and $c_-$ is wrong ($c_+$ is not affected: the correlation
    /// at $t = 1$ is exactly 1).
    pub c_minus: f64,
    /// Whether the constants are for $\kappa/\kappa(1)$.
    pub normalized: bool,
}

/// The decay law of the Mercer eigenvalues of `kernel` on $S^{d-1}$ (see the [module
/// documentation](crate::spectrum)), for $\kappa$ or ([`super::Normalization::Normalized`], or `true`) $\kappa/\kappa(1)$.
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::spectrum::decay;
/// // Deep NTK kappa^3_NTK = 12 * (our MLP L = 2 at d = 3): mu_k k^3 -> 3.5/(2 pi) (even k).
/// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// let law = decay(&k, true).unwrap();
/// assert_eq!(law.exponent, -3.0);
/// let pi = std::f64::consts::PI;
/// assert!((3.0 * law.constant_even.unwrap() - 3.5 / (2.0 * pi)).abs() < 1e-13);
/// assert!((3.0 * law.constant_odd.unwrap() - 2.5 / (2.0 * pi)).abs() < 1e-13);
/// ```
pub fn decay(
    kernel: &SphereKernel,
    normalization: impl Into<super::Normalization>,
) -> Result<Decay, SpectrumError> {
    let normalized = normalization.into().is_normalized();
    let d = kernel.dim();
    super::check_dim(d)?;
    // Every non-zero odd coefficient is a singular power (1∓t)^{j/2}: the series arithmetic
    // creates half-integer powers only from square roots of the gap, so a kernel analytic at an
    // end has exact zeros there, while a genuine singular coefficient may be as small as a ResNet's
    // α²/2 (α = 1e-100 gives c₊ ≈ 1e-200). (A relative cut-off of 1e-10 made ResNets with
    // α ≤ 1e-6 "geometric" with c₊ = 0.)
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
        let (class, rate, degree) = smooth_class(kernel, &zeros)?;
        return Ok(Decay {
            class,
            rate,
            degree,
            exponent: f64::NEG_INFINITY,
            nu: f64::INFINITY,
            constant_even: Some(0.0),
            constant_odd: Some(0.0),
            log_constant_even: None,
            log_constant_odd: None,
            c_plus: 0.0,
            c_minus: 0.0,
            normalized,
        });
    };
    let nu = j as f64 / 2.0;
    let (c1, cm1) = (ap[j], am[j]);
    let (sc, ln_c) = decay_constant(d, nu)?;
    let scale = c1.abs() + cm1.abs();
    let parity_constant = |combo: f64, parity: usize| -> (Option<f64>, Option<f64>) {
        // Structural zeros of a parity make its constant exactly 0.
        let structural = zeros.parity_vanishes(parity);
        if structural || combo.abs() <= CANCELLATION_REL * scale {
            (Some(0.0), None)
        } else {
            let ln = combo.abs().ln() + ln_c + ln_k1;
            let value = combo.signum() * sc * ln.exp();
            // (outside the normal range of f64 the value would be ±∞ or lose digits)
            let fits = value.is_finite() && value.abs() >= f64::MIN_POSITIVE;
            (fits.then_some(value), Some(ln))
        }
    };
    let (even, ln_even) = parity_constant(c1 + cm1, 0);
    let (odd, ln_odd) = parity_constant(c1 - cm1, 1);
    Ok(Decay {
        class: DecayClass::Polynomial,
        rate: None,
        degree: None,
        exponent: -(d as f64 - 1.0 + 2.0 * nu),
        nu,
        constant_even: even,
        constant_odd: odd,
        log_constant_even: ln_even,
        log_constant_odd: ln_odd,
        c_plus: endpoint_constant(0.0 - c1, ln_k1, "c_plus")?,
        c_minus: endpoint_constant(0.0 - cm1, ln_k1, "c_minus")?,
        normalized,
    })
}

/// $c\\,\kappa(1)$ from $c$ and $\ln\kappa(1)$ (`ln_k1` = 0 for the normalized kernel); an
/// error if the product does not fit in `f64`.
fn endpoint_constant(c: f64, ln_k1: f64, name: &'static str) -> Result<f64, SpectrumError> {
    if c == 0.0 || ln_k1 == 0.0 {
        return Ok(c);
    }
    let v = c.signum() * (c.abs().ln() + ln_k1).exp();
    if v.is_finite() && v != 0.0 {
        Ok(v)
    } else {
        Err(SpectrumError::InvalidParameter {
            name,
            value: v,
            expected: "a constant of the unnormalized kernel within the f64 range (use the normalized kernel)",
        })
    }
}

/// Class, rate and degree of a kernel without endpoint singularity.
fn smooth_class(
    kernel: &SphereKernel,
    zeros: &super::mercer::ZeroPattern,
) -> Result<(DecayClass, Option<f64>, Option<usize>), SpectrumError> {
    if zeros.parity_vanishes(0) && zeros.parity_vanishes(1) {
        let b = maclaurin_coefficients_normalized(kernel, FINITE_TERMS)?;
        let degree = b.iter().rposition(|&x| x != 0.0).unwrap_or(0);
        return Ok((DecayClass::Finite, Some(0.0), Some(degree)));
    }
    let s = mercer_spectrum(kernel, RATE_FIT_DEGREE, true)?;
    let pts: Vec<(usize, f64)> = s
        .eigenvalues
        .iter()
        .filter(|e| e.k >= RATE_FIT_DEGREE / 3 && e.rel_error <= RATE_FIT_REL_ERROR)
        .filter_map(|e| e.log_mu.filter(|_| e.sign > 0).map(|l| (e.k, l)))
        .collect();
    let rate = fitted_rate(&pts);
    Ok((DecayClass::Geometric, rate, None))
}

/// The measured geometric rate $e^\beta$ of the least-squares fit
/// $\ln\mu_k \approx a + p\ln k + \beta k$ through the points $(k, \ln\mu_k)$, $k \ge 1$
/// (`None` with fewer than four points).
///
/// ```
/// use ntk_sphere::spectrum::fitted_rate;
/// let pts: Vec<(usize, f64)> =
///     (20..60).map(|k| (k, 2.0 - 1.5 * (k as f64).ln() + k as f64 * 0.3f64.ln())).collect();
/// assert!((fitted_rate(&pts).unwrap() - 0.3).abs() < 1e-12);
/// ```
pub fn fitted_rate(points: &[(usize, f64)]) -> Option<f64> {
    let pts: Vec<[f64; 4]> = points
        .iter()
        .filter(|p| p.0 > 0 && p.1.is_finite())
        .map(|&(k, y)| [1.0, (k as f64).ln(), k as f64, y])
        .collect();
    if pts.len() < 4 {
        return None;
    }
    // Normal equations A^T A x = A^T y (3 x 3), solved by Gaussian elimination with pivoting;
    // columns centred and scaled first for conditioning.
    let n = pts.len() as f64;
    let mean: Vec<f64> = (1..4)
        .map(|c| pts.iter().map(|p| p[c]).sum::<f64>() / n)
        .collect();
    let sd: Vec<f64> = (1..3)
        .map(|c| {
            (pts.iter()
                .map(|p| (p[c] - mean[c - 1]).powi(2))
                .sum::<f64>()
                / n)
                .sqrt()
                .max(f64::MIN_POSITIVE)
        })
        .collect();
    let x: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| [(p[1] - mean[0]) / sd[0], (p[2] - mean[1]) / sd[1]])
        .collect();
    let y: Vec<f64> = pts.iter().map(|p| p[3] - mean[2]).collect();
    let (mut s00, mut s01, mut s11, mut r0, mut r1) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (xi, yi) in x.iter().zip(&y) {
        s00 += xi[0] * xi[0];
        s01 += xi[0] * xi[1];
        s11 += xi[1] * xi[1];
        r0 += xi[0] * yi;
        r1 += xi[1] * yi;
    }
    let det = s00 * s11 - s01 * s01;
    if det.abs() <= 1e-12 * s00 * s11 {
        return None;
    }
    let beta = (s00 * r1 - s01 * r0) / det / sd[1];
    beta.is_finite().then(|| beta.exp())
}

/// Least-squares slope of $\ln\mu_k$ against $\ln k$ over the given degrees: a fitted local
/// decay exponent for kernels known only through computed eigenvalues (use one parity at a
/// time when the parities have different constants). Entries with $\mu_k \le 0$ or $k = 0$ are
/// skipped; at least two points are required, and `k` and `mu` must have the same length.
///
/// **Pre-asymptotic degrees.** The law $\mu_k \approx Ck^{-(d-1+2\nu)}$ holds only for
/// $k \gg d$: the Gegenbauer coefficients of $(1-t)^\nu$ are proportional to
/// $\Gamma(k-\nu)/\Gamma(k+d-1+\nu)$, whose local slope in $\ln k$ is about
/// $-(d-1+2\nu)\\,k/(k+(d-1)/2)$. A fit over $[k, 2k]$ is therefore within a fraction
/// $\varepsilon$ of the exponent only from about $k \approx (d-1)/(2\varepsilon)$ on: for
/// 1 % at $d = 10$, $k \gtrsim 450$; over $k = 20\dots49$ it gives about $-8.9$ instead of
/// $-10$ (`tests/spectrum.rs` checks both). Use [`decay`] for the asymptotic law itself.
///
/// ```
/// use ntk_sphere::spectrum::fitted_exponent;
/// let k: Vec<usize> = (10..20).collect();
/// let mu: Vec<f64> = k.iter().map(|&k| 3.0 * (k as f64).powf(-4.5)).collect();
/// assert!((fitted_exponent(&k, &mu).unwrap() + 4.5).abs() < 1e-12);
/// ```
pub fn fitted_exponent(k: &[usize], mu: &[f64]) -> Result<f64, SpectrumError> {
    if k.len() != mu.len() {
        return Err(SpectrumError::InvalidParameter {
            name: "mu.len()",
            value: mu.len() as f64,
            expected: "as many eigenvalues as degrees (k and mu of equal length)",
        });
    }
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
