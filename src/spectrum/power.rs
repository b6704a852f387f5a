//! The positive power-series route (docs/design.md §3; `docs/literature.md` §5.2):
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

//!
//! **Scaled coefficients** (kernels analytic beyond $[-1,1]$, whose $b_n \approx R^{-n}$
//! underflow `f64` for $n \gtrsim 700/\ln R$): the kernel recursion is run on the series
//! variable $c\\,t$, which gives $\tilde b_n = b_n c^n$ with the same relative rounding (series
//! arithmetic is homogeneous in the degree), and
//! $$\mu_k = c^{-k}\sum_{n\ge k} \tilde b_n\\,c^{-(n-k)}\mu_k(t^n).$$
//! With $c \approx R$ (estimated from the unscaled coefficients, [`estimated_radius`]) the
//! $\tilde b_n$ stay near 1 and $\ln\mu_k$ is exact to rounding however small $\mu_k$ is.

use crate::arch::Scaled;
use crate::gegenbauer::monomial_eigenvalue;
use crate::kernel::SphereKernel;
use crate::scalar::{DoubleDouble, scale_f64};
use crate::series::PowerSeries;

use super::decay::fitted_rate;

/// Smallest estimated radius of convergence (in $t$) for which scaled coefficients are used.
pub(crate) const MIN_SCALED_RADIUS: f64 = 1.05;

/// The radius of convergence $R$ of $\sum_n b_n t^n$ estimated from coefficients: $1/$rate of
/// the fit $\ln b_n \approx a + p\ln n + n\ln(1/R)$ over the upper half of the positive
/// coefficients above $10^{-280}$ (`None` with too few).
pub(crate) fn estimated_radius(b: &[f64]) -> Option<f64> {
    let pts: Vec<(usize, f64)> = b
        .iter()
        .enumerate()
        .filter(|&(n, &x)| n > 0 && x > 1e-280 && x.is_finite())
        .map(|(n, &x)| (n, x.ln()))
        .collect();
    let half = &pts[pts.len() / 2..];
    fitted_rate(half).map(|r| 1.0 / r)
}

/// The first `n` coefficients $b_m c^m/\kappa(1)$ of $\kappa(ct)/\kappa(1)$ (`None` if the
/// series fails or a coefficient is not finite).
pub(crate) fn scaled_coefficients(kernel: &SphereKernel, n: usize, c: f64) -> Option<Vec<f64>> {
    let mut v = vec![0.0; n.max(2)];
    v[1] = c;
    let s = kernel.eval_generic(PowerSeries::from_coefficients(v).ok()?);
    let one: Scaled<DoubleDouble> = kernel.eval_generic(DoubleDouble::from(1.0));
    let den = one.mantissa.to_f64();
    if den == 0.0 || !den.is_finite() {
        return None;
    }
    let e = (s.exp2 - one.exp2).clamp(-(1 << 20), 1 << 20) as i32;
    let mut out: Vec<f64> = s
        .mantissa
        .coefficients()
        .iter()
        .map(|&x| scale_f64(x / den, e))
        .collect();
    out.resize(n, 0.0);
    out.iter().all(|x| x.is_finite()).then_some(out)
}

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
    power_value_scaled(d, k, b, 1.0, coeff_rel)
}

/// $\mu_k$ from scaled coefficients $\tilde b_n = b_n c^n$ (see the module documentation).
pub(crate) fn power_value_scaled(
    d: usize,
    k: usize,
    b: &[f64],
    c: f64,
    coeff_rel: f64,
) -> Option<PowerValue> {
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
    let inv_c2 = 1.0 / (c * c);
    let mut ratio = 1.0; // c^{-(n-k)} mu_k(t^n) / mu_k(t^k)
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
        ratio *= (nf + 1.0) * (nf + 2.0) / ((nf - kf + 2.0) * (nf + kf + df)) * inv_c2;
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
        ln_abs: ln0 + sum.ln() - kf * c.ln(),
        rel_error: tail / sum + coeff_rel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::arch::KernelKind;
    use crate::arch::{Layer, Serial};
    use crate::series::maclaurin_coefficients_normalized;

    /// Scaled and unscaled sums agree where both are representable (relative).
    const SCALED_AGREEMENT: f64 = 1e-12;

    #[test]
    fn scaled_coefficients_reach_below_the_underflow_of_b_n() {
        let dense = || Layer::dense(1.0, 0.0).unwrap();
        let mut v = vec![dense()];
        for _ in 0..3 {
            v.push(Layer::activation(Activation::erf(1.0, 1.0, 0.0).unwrap()));
            v.push(dense());
        }
        let k = SphereKernel::new(Serial::new(v).unwrap(), KernelKind::Nngp, 10).unwrap();
        let b = maclaurin_coefficients_normalized(&k, 1200).unwrap();
        assert_eq!(b[1199 - 1], 0.0); // underflow
        let r = estimated_radius(&b).unwrap();
        assert!(r > 3.0 && r < 6.0, "{r}");
        let c = 0.95 * r;
        let bt = scaled_coefficients(&k, 1900, c).unwrap();
        for kk in [51usize, 101, 201] {
            let p = power_value_scaled(10, kk, &bt, c, 1e-14).unwrap();
            let q = power_value(10, kk, &b, 1e-14).unwrap();
            assert!((p.ln_abs - q.ln_abs).abs() < SCALED_AGREEMENT, "k={kk}");
        }
        let p = power_value_scaled(10, 999, &bt, c, 1e-14).unwrap();
        assert!(p.ln_abs < -2000.0 && p.rel_error < 1e-12);
    }
}
