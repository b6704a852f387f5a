//! The positive power-series route (DESIGN.md §3; `notes/literature.md` §5.2):
//! $$\mu_k = \sum_{n\ge k,\ n\equiv k\ (2)} b_n\\,\mu_k(t^n),\qquad
//!   \mu_k(t^n) = \frac{\Gamma(d/2)\\,n!}{2^n\\,\Gamma(\frac{n-k}2+1)\\,\Gamma(\frac{n+k+d}2)},$$
//! with the Maclaurin coefficients $b_n \ge 0$ of the kernel (Schoenberg 1942 on $S^\infty$;
//! computed by [`crate::series::maclaurin_coefficients_normalized`]). Every term is $\ge 0$, so
//! there is no cancellation and tiny eigenvalues keep their relative accuracy; consecutive terms
//! are related by the exact ratio
//! $\mu_k(t^{n+2})/\mu_k(t^n) = (n+1)(n+2)/((n-k+2)(n+k+d))$. For $n\to\infty$ the terms decay
//! like $n^{-(d-1)/2}\\,b_n$ with $b_n = O(n^{-3/2})$, so the route is fast for large $d$; the
//! truncated tail is estimated from the last term and that power law. The coefficients carry
//! the rounding of the series arithmetic, which grows with the depth $L$ (measured against
//! 110-digit mpmath values: $\approx 5\cdot10^{-13}$ at $L = 100$); the estimate adds
//! [`coefficient_accuracy`]`(L)`.

use crate::gegenbauer::monomial_eigenvalue;

/// A power-series value: $\ln\mu_k$ and the estimated relative truncation error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PowerValue {
    pub ln_abs: f64,
    pub rel_error: f64,
}

/// Relative accuracy assumed for the Maclaurin coefficients of a depth-$L$ kernel (series
/// arithmetic in `f64`, a few ulps per layer): $10^{-15}(1 + 5L)$.
pub(crate) fn coefficient_accuracy(depth: usize) -> f64 {
    1e-15 * (1.0 + 5.0 * depth as f64)
}

/// $\mu_k$ from the Maclaurin coefficients `b` ($b_0..b_{N-1}$), each accurate to the relative
/// `coeff_rel`. `None` if every available coefficient of the parity of $k$ is zero.
pub(crate) fn power_value(d: usize, k: usize, b: &[f64], coeff_rel: f64) -> Option<PowerValue> {
    if k >= b.len() {
        return None;
    }
    let df = d as f64;
    let kf = k as f64;
    // mu_k(t^k) > 0 (crate::gegenbauer::monomial_eigenvalue)
    let ln0 = monomial_eigenvalue(d, k, k)
        .ok()
        .filter(|v| v.sign > 0)?
        .ln_abs;
    let mut ratio = 1.0; // mu_k(t^n) / mu_k(t^k)
    let mut sum = 0.0;
    let mut last = 0.0;
    let mut last_n = k;
    let mut n = k;
    while n < b.len() {
        let term = b[n] * ratio;
        sum += term;
        if term > 0.0 {
            last = term;
            last_n = n;
        }
        let nf = n as f64;
        ratio *= (nf + 1.0) * (nf + 2.0) / ((nf - kf + 2.0) * (nf + kf + df));
        n += 2;
    }
    if sum <= 0.0 || !sum.is_finite() {
        return None;
    }
    // Tail beyond the last coefficient: terms ~ n^{-q}, q = (d-1)/2 + 3/2 (slowest b_n decay),
    // summed over every other n: about last * n / (2 (q - 1)); the factor 2 is a safety margin.
    let q = (df - 1.0) / 2.0 + 1.5;
    let tail = 2.0 * last * (last_n as f64) / (2.0 * (q - 1.0)).max(1e-300);
    Some(PowerValue {
        ln_abs: ln0 + sum.ln(),
        rel_error: tail / sum + coeff_rel,
    })
}
