//! Exact Funk–Hecke coefficients of $(1\mp t)^\nu$ and the large-$k$ tail of the spectrum from the
//! endpoint (Puiseux) expansions of the kernel.
//!
//! **Coefficients of $(1-t)^\nu$** (Rodrigues' formula and $k$ integrations by parts, then a Beta
//! integral; `docs/literature.md` §3.4):
//! $$M_k(\nu) := \mu_k\big((1-t)^\nu\big) = \frac{\Gamma(d/2)}{\sqrt\pi}\\,2^{\nu+d-2}\\,
//!   \frac{\Gamma(\nu+\frac{d-1}2)}{\Gamma(-\nu)}\\,\frac{\Gamma(k-\nu)}{\Gamma(k+\nu+d-1)},\qquad
//!   \mu_k\big((1+t)^\nu\big) = (-1)^k M_k(\nu),$$
//! valid for non-integer $\nu > -(d-1)/2$ and every $k \ge 0$. Consecutive half-integer exponents are
//! related by the exact ratio
//! $$\frac{M_k(\nu+1)}{M_k(\nu)} = \frac{2(\nu+\frac{d-1}2)(-\nu-1)}{(k-\nu-1)(k+\nu+d-1)}.$$
//! Hence $M_k(\nu) \sim C(d,\nu)\\,k^{-(d-1+2\nu)}$ with
//! $C(d,\nu) = 2^{\nu+d-2}\Gamma(d/2)\Gamma(\nu+\frac{d-1}2)/(\sqrt\pi\\,\Gamma(-\nu))$ — twice the
//! constant printed by Bietti & Bach (2021), see [`decay_constant`].
//!
//! **Tail.** With the endpoint expansions $\kappa(1-s^2) = \sum_j a^+\_j s^j$ and
//! $\kappa(-1+s^2) = \sum_j a^-\_j s^j$ (computed by running the kernel recursion on Puiseux series,
//! [`crate::series::endpoint_expansion_normalized`]), the kernel equals
//! $\sum_{j\le J} a^+\_j(1-t)^{j/2} + \sum_{j\le J}a^-\_j(1+t)^{j/2}$ plus a function that is
//! $C^{\lfloor J/2\rfloor}$ at both ends and analytic inside. Integer powers are polynomials of
//! degree $\le J/2$ and do not contribute for $k > J/2$, so
//! $$\mu_k = \sum_{j\ \mathrm{odd}\le J}\big(a^+\_j + (-1)^k a^-\_j\big)\\,M_k(j/2) +
//!   O\big(k^{-(d+J)}\big),$$
//! an asymptotic series in $k^{-2}$ whose terms shrink by about $2(\nu+d/2)(\nu+1)/(k(k+d))$
//! (Darboux's method for Gegenbauer coefficients; Bietti & Bach 2021, Thm. 1 for the leading
//! term).

use crate::gegenbauer::{ln_gamma, ln_gamma_signed, one_minus_pow_eigenvalue};

use super::error::SpectrumError;

const LN_PI: f64 = 1.144_729_885_849_400_2;

/// Sign and $\ln|M_k(\nu)|$ for $\mu_k((1-t)^\nu)$, non-integer $\nu > -(d-1)/2$ (the exact
/// coefficient of [`crate::gegenbauer::one_minus_pow_eigenvalue`]).
pub(crate) fn ln_coefficient_one_minus_t(d: usize, k: usize, nu: f64) -> Option<(f64, f64)> {
    let v = one_minus_pow_eigenvalue(d, nu, k).ok()?;
    if v.sign == 0 {
        return None;
    }
    Some((f64::from(v.sign), v.ln_abs))
}

/// The decay constant $C(d,\nu) = 2^{\nu+d-2}\Gamma(d/2)\Gamma(\nu+\frac{d-1}2)/(\sqrt\pi\\,
/// \Gamma(-\nu))$ of $\mu_k((1-t)^\nu) \sim C(d,\nu)\\,k^{-(d-1+2\nu)}$, as `(sign, ln|C|)`.
///
/// Derived from the exact coefficient of the [module documentation](crate::spectrum) with
/// $\Gamma(k-\nu)/\Gamma(k+\nu+d-1) \sim k^{-(2\nu+d-1)}$. Bietti & Bach (2021, App. "phi_nu")
/// print a value smaller by exactly a factor 2 (`docs/literature.md` §3.4).
///
/// ```
/// use ntk_sphere::spectrum::decay_constant;
/// let (s, ln) = decay_constant(3, 0.5).unwrap();
/// assert!((s * ln.exp() + 2f64.sqrt() / 4.0).abs() < 1e-15); // C(3, 1/2) = -sqrt(2)/4
/// ```
pub fn decay_constant(d: usize, nu: f64) -> Result<(f64, f64), SpectrumError> {
    super::check_dim(d)?;
    if !nu.is_finite() || nu == nu.round() || nu <= -(d as f64 - 1.0) / 2.0 {
        return Err(SpectrumError::InvalidParameter {
            name: "nu",
            value: nu,
            expected: "finite, not an integer, > -(d-1)/2",
        });
    }
    let df = d as f64;
    let (s_g, ln_g) = ln_gamma_signed(-nu);
    let ln = (nu + df - 2.0) * std::f64::consts::LN_2
        + ln_gamma(df / 2.0)
        + ln_gamma(nu + (df - 1.0) / 2.0)
        - 0.5 * LN_PI
        - ln_g;
    Ok((s_g, ln))
}

/// One tail value: sign, $\ln|\mu_k|$ and an estimate of the relative error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TailValue {
    pub sign: f64,
    pub ln_abs: f64,
    pub rel_error: f64,
}

/// Relative accuracy assumed for the endpoint coefficients $a^\pm\_j$ (double precision series
/// arithmetic, a few ulps each).
const COEFF_REL_ACCURACY: f64 = 1e-15;

/// The tail value of $\mu_k$ from odd endpoint coefficients `a_plus[j]`, `a_minus[j]`
/// ($j = 0..=J$, only odd $j$ used). Returns `None` if $k \le 1$.
pub(crate) fn tail_value(d: usize, k: usize, a_plus: &[f64], a_minus: &[f64]) -> Option<TailValue> {
    if k < 2 {
        return None;
    }
    let jmax = a_plus.len().min(a_minus.len()).saturating_sub(1);
    let df = d as f64;
    let kf = k as f64;
    let parity = if k % 2 == 0 { 1.0 } else { -1.0 };
    let (s0, ln0) = ln_coefficient_one_minus_t(d, k, 0.5)?;
    // Sum of c_j M_k(j/2)/M_k(1/2) over odd j.
    let mut ratio = 1.0; // M_k(nu)/M_k(1/2)
    let mut sum = 0.0;
    let mut abs_sum = 0.0;
    let mut last = f64::INFINITY;
    let mut smallest = f64::INFINITY;
    let mut nu = 0.5;
    let mut j = 1;
    let mut truncated_at_minimum = false;
    while j <= jmax && nu < kf / 2.0 {
        let c = a_plus[j] + parity * a_minus[j];
        let term = c * ratio;
        let size = ratio.abs() * (a_plus[j].abs() + a_minus[j].abs());
        if size == 0.0 {
            // Structurally absent power (e.g. no sqrt term in an NNGP kernel).
            ratio *= 2.0 * (nu + (df - 1.0) / 2.0) * (-nu - 1.0)
                / ((kf - nu - 1.0) * (kf + nu + df - 1.0));
            nu += 1.0;
            j += 2;
            continue;
        }
        if size > smallest && last.is_finite() {
            // The asymptotic series started to grow: stop at its smallest term.
            truncated_at_minimum = true;
            break;
        }
        smallest = smallest.min(size);
        sum += term;
        abs_sum += term.abs();
        last = size;
        // advance nu -> nu + 1
        ratio *=
            2.0 * (nu + (df - 1.0) / 2.0) * (-nu - 1.0) / ((kf - nu - 1.0) * (kf + nu + df - 1.0));
        nu += 1.0;
        j += 2;
    }
    if sum == 0.0 || !sum.is_finite() {
        return None;
    }
    // The first omitted term is bounded by the last included one (conservative, whether the
    // loop stopped at the smallest term of the asymptotic series or ran out of coefficients).
    let _ = truncated_at_minimum;
    let rel_error = (last + COEFF_REL_ACCURACY * abs_sum) / sum.abs() + 4.0 * f64::EPSILON;
    Some(TailValue {
        sign: s0 * sum.signum(),
        ln_abs: ln0 + sum.abs().ln(),
        rel_error,
    })
}
