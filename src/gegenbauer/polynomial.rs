//! Normalized Legendre polynomials $P_k^{(d)}$ of $S^{d-1}$ and Gegenbauer polynomials
//! $C_k^\lambda$.
//!
//! $P_k = P_k^{(d)} = C_k^\lambda / C_k^\lambda(1)$ with $\lambda=(d-2)/2$, $P_k(1)=1$, orthogonal
//! for $(1-t^2)^{(d-3)/2}$; for $d=2$ the limit $\lambda\to0$ gives Chebyshev $T_k$. All values
//! come from the normalized three-term recurrence (docs/conventions.md; Szegő (1975) §4.7; Atkinson &
//! Han (2012) eq. (2.76))
//! $$P_{k+1}(t) = \frac{(2k+d-2)\\,t\\,P_k(t) - k\\,P_{k-1}(t)}{k+d-2},\quad P_0=1,\ P_1=t,$$
//! which keeps $|P_k|\le1$ on $[-1,1]$ ($d\ge3$) and never forms $C_k^\lambda(1)=\binom{k+2\lambda-1}{k}$;
//! for $|t|>1/2$ its Reinsch-type difference form in $1-|t|$ is used (see `normalized_all`).
//! Derivatives follow by differentiating the recurrence. $C_k^\lambda$ itself is
//! $C_k^\lambda(1)\\,P_k$, with $\ln C_k^\lambda(1) = \ln\Gamma(k+2\lambda)-\ln\Gamma(k+1)-\ln\Gamma(2\lambda)$
//! evaluated by a stable Gamma ratio (available as a [`LogValue`] when it overflows).

use super::error::{
    GegenbauerError, MAX_ALLOC_DEGREE, Result, alloc_ok, dim_at_least, finite, unit_interval,
};
use super::gamma::{ln_gamma, ln_gamma_ratio, ln_gamma_signed};
use super::log_value::LogValue;

/// $\lambda = (d-2)/2$ of the dimension $d\ge2$.
fn lambda_of(d: usize) -> Result<f64> {
    dim_at_least(d, 2)?;
    Ok((d as f64 - 2.0) / 2.0)
}

/// Validates a Gegenbauer parameter: finite, $\lambda>-1/2$ and (if `nonzero`) $\lambda\ne0$.
fn check_lambda(lambda: f64, nonzero: bool) -> Result<f64> {
    finite("lambda", lambda)?;
    if lambda <= -0.5 || (nonzero && lambda == 0.0) {
        return Err(GegenbauerError::OutOfRange {
            name: "lambda",
            value: lambda,
            expected: if nonzero {
                "lambda > -1/2, lambda != 0"
            } else {
                "lambda > -1/2"
            },
        });
    }
    Ok(lambda)
}

/// Normalized recurrence $P_0..P_K$ for real $\lambda>-1/2$ (`out.len() = K+1`). For
/// $|t|>1/2$ the Reinsch-type difference form in $s=1-|t|$ (exact by Sterbenz) is used,
/// $d_{k+1} = b_kd_k - a_k s P_k$, $P_{k+1}=P_k+d_{k+1}$ with $a_k=\frac{2k+2\lambda}{k+2\lambda}$,
/// $b_k=\frac{k}{k+2\lambda}$ ($a_k-b_k=1$), with $P_k(-t)=(-1)^kP_k(t)$: it avoids the error
/// growth of the plain recurrence near $t=\pm1$ (Reinsch; cf. Oliver 1977).
pub(crate) fn normalized_all(lambda: f64, t: f64, out: &mut [f64]) {
    let two_l = 2.0 * lambda;
    let len = out.len();
    if len == 0 {
        return;
    }
    out[0] = 1.0;
    if len == 1 {
        return;
    }
    if t.abs() > 0.5 {
        let s = 1.0 - t.abs();
        let (mut p, mut d) = (1.0 - s, -s);
        out[1] = p;
        for k in 1..len - 1 {
            let kf = k as f64;
            let a = (2.0 * kf + two_l) / (kf + two_l);
            let b = kf / (kf + two_l);
            d = b * d - a * s * p;
            p += d;
            out[k + 1] = p;
        }
        if t < 0.0 {
            out.iter_mut().skip(1).step_by(2).for_each(|v| *v = -*v);
        }
        return;
    }
    out[1] = t;
    for k in 1..len - 1 {
        let kf = k as f64;
        out[k + 1] = ((2.0 * kf + two_l) * t * out[k] - kf * out[k - 1]) / (kf + two_l);
    }
}

/// Normalized recurrence with first and second derivatives.
pub(crate) fn normalized_all_deriv(
    lambda: f64,
    t: f64,
    p: &mut [f64],
    dp: &mut [f64],
    d2p: &mut [f64],
) {
    let two_l = 2.0 * lambda;
    let len = p.len();
    if len == 0 {
        return;
    }
    p[0] = 1.0;
    dp[0] = 0.0;
    d2p[0] = 0.0;
    if len == 1 {
        return;
    }
    p[1] = t;
    dp[1] = 1.0;
    d2p[1] = 0.0;
    for k in 1..len - 1 {
        let kf = k as f64;
        let a = (2.0 * kf + two_l) / (kf + two_l);
        let b = kf / (kf + two_l);
        p[k + 1] = a * t * p[k] - b * p[k - 1];
        dp[k + 1] = a * (p[k] + t * dp[k]) - b * dp[k - 1];
        d2p[k + 1] = a * (2.0 * dp[k] + t * d2p[k]) - b * d2p[k - 1];
    }
}

/// All $P_0^{(d)}(t),\dots,P_K^{(d)}(t)$ into `out` ($K+1$ = `out.len()`), in one pass of the
/// normalized recurrence (module doc). Stable for $K\sim10^5$, $d\sim10^4$.
///
/// Errors: $d<2$, $t\notin[-1,1]$ or non-finite.
///
/// ```
/// use ntk_sphere::gegenbauer::legendre_all_into;
/// let mut p = [0.0; 3];
/// legendre_all_into(3, 0.5, &mut p).unwrap();
/// assert!((p[2] - (1.5 * 0.25 - 0.5)).abs() < 1e-15); // classical Legendre P_2
/// ```
pub fn legendre_all_into(d: usize, t: f64, out: &mut [f64]) -> Result<()> {
    let lambda = lambda_of(d)?;
    unit_interval(t)?;
    normalized_all(lambda, t, out);
    Ok(())
}

/// All $P_0^{(d)}(t),\dots,P_{k_{\max}}^{(d)}(t)$ as a vector (see [`legendre_all_into`]).
pub fn legendre_all(d: usize, kmax: usize, t: f64) -> Result<Vec<f64>> {
    alloc_ok("kmax", kmax, MAX_ALLOC_DEGREE)?;
    let mut out = vec![0.0; kmax + 1];
    legendre_all_into(d, t, &mut out)?;
    Ok(out)
}

/// The single value $P_k^{(d)}(t)$, $P_k(1)=1$ ($O(k)$ time, $O(1)$ memory).
///
/// ```
/// use ntk_sphere::gegenbauer::legendre;
/// // d = 2: Chebyshev T_3(t) = 4t^3 - 3t
/// assert!((legendre(2, 3, 0.3).unwrap() - (4.0 * 0.027 - 0.9)).abs() < 1e-15);
/// ```
pub fn legendre(d: usize, k: usize, t: f64) -> Result<f64> {
    let lambda = lambda_of(d)?;
    unit_interval(t)?;
    alloc_ok("k", k, MAX_ALLOC_DEGREE)?;
    Ok(single(lambda, k, t))
}

/// $P_k$ for real $\lambda$ without allocation (same two forms as [`normalized_all`]).
pub(crate) fn single(lambda: f64, k: usize, t: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let two_l = 2.0 * lambda;
    if t.abs() > 0.5 {
        let s = 1.0 - t.abs();
        let (mut p, mut d) = (1.0 - s, -s);
        for j in 1..k {
            let jf = j as f64;
            let a = (2.0 * jf + two_l) / (jf + two_l);
            let b = jf / (jf + two_l);
            d = b * d - a * s * p;
            p += d;
        }
        return if t < 0.0 && k % 2 == 1 { -p } else { p };
    }
    let (mut p0, mut p1) = (1.0, t);
    for j in 1..k {
        let jf = j as f64;
        let p2 = ((2.0 * jf + two_l) * t * p1 - jf * p0) / (jf + two_l);
        p0 = p1;
        p1 = p2;
    }
    p1
}

/// $P_k^{(d)}$ and its first and second derivatives at $t$: returns
/// $[P_k(t), P_k'(t), P_k''(t)]$. They satisfy $(1-t^2)P'' + (1-d)tP' + k(k+d-2)P = 0$
/// (Atkinson & Han (2012) eq. (2.77)).
pub fn legendre_derivatives(d: usize, k: usize, t: f64) -> Result<[f64; 3]> {
    let lambda = lambda_of(d)?;
    unit_interval(t)?;
    alloc_ok("k", k, MAX_ALLOC_DEGREE)?;
    let n = k + 1;
    let (mut p, mut dp, mut d2p) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    normalized_all_deriv(lambda, t, &mut p, &mut dp, &mut d2p);
    Ok([p[k], dp[k], d2p[k]])
}

/// $P_j, P_j', P_j''$ for $j=0..K$ into three buffers of equal length $K+1$.
pub fn legendre_derivatives_all_into(
    d: usize,
    t: f64,
    p: &mut [f64],
    dp: &mut [f64],
    d2p: &mut [f64],
) -> Result<()> {
    let lambda = lambda_of(d)?;
    unit_interval(t)?;
    for (name, buf) in [("dp", dp.len()), ("d2p", d2p.len())] {
        if buf != p.len() {
            return Err(GegenbauerError::BufferLength {
                name,
                expected: p.len(),
                got: buf,
            });
        }
    }
    normalized_all_deriv(lambda, t, p, dp, d2p);
    Ok(())
}

/// $C_k^\lambda(1) = \binom{k+2\lambda-1}{k} = \Gamma(k+2\lambda)/(k!\\,\Gamma(2\lambda))$ as a
/// [`LogValue`] (negative for $-1/2<\lambda<0$, $k\ge1$). Szegő (1975) eq. (4.7.3).
///
/// ```
/// use ntk_sphere::gegenbauer::gegenbauer_at_one;
/// // lambda = 1/2: Legendre, C_k(1) = 1; lambda = 1: Chebyshev U_k(1) = k+1
/// assert!((gegenbauer_at_one(1.0, 7).unwrap().value() - 8.0).abs() < 1e-13);
/// // d = 1e4, k = 1e5 does not overflow in log space
/// assert!(gegenbauer_at_one(4999.0, 100_000).unwrap().ln_abs.is_finite());
/// ```
pub fn gegenbauer_at_one(lambda: f64, k: usize) -> Result<LogValue> {
    check_lambda(lambda, true)?;
    Ok(at_one(lambda, k))
}

fn at_one(lambda: f64, k: usize) -> LogValue {
    if k == 0 {
        return LogValue::from_f64(1.0);
    }
    let kf = k as f64;
    if 2.0 * lambda >= kf + 1.0 {
        // Gamma(k + 2 lambda) / Gamma(2 lambda) as one ratio, then / k!: the two-step form
        // below cancels catastrophically for huge lambda (ln Gamma(2 lambda) ~ 1e302).
        return LogValue::new(1.0, ln_gamma_ratio(2.0 * lambda, kf) - ln_gamma(kf + 1.0));
    }
    // Gamma(k + 2 lambda) / Gamma(k + 1), then / Gamma(2 lambda)
    let (s, lg) = ln_gamma_signed(2.0 * lambda);
    LogValue::new(s, ln_gamma_ratio(kf + 1.0, 2.0 * lambda - 1.0) - lg)
}

/// The Gegenbauer (ultraspherical) polynomial $C_k^\lambda(t)$, $\lambda>-1/2$, $\lambda\ne0$,
/// normalized as in Szegő (1975) §4.7 (generating function $(1-2tr+r^2)^{-\lambda}$).
/// A value beyond `f64` is [`GegenbauerError::ValueOverflow`]; [`gegenbauer_log`] never
/// overflows.
///
/// ```
/// use ntk_sphere::gegenbauer::gegenbauer;
/// // C_2^1(t) = U_2(t) = 4t^2 - 1
/// assert!((gegenbauer(1.0, 2, 0.3).unwrap() - (4.0 * 0.09 - 1.0)).abs() < 1e-15);
/// ```
pub fn gegenbauer(lambda: f64, k: usize, t: f64) -> Result<f64> {
    finite_value("C_k^lambda(t)", gegenbauer_log(lambda, k, t)?)
}

/// The `f64` value of `v`, or [`GegenbauerError::ValueOverflow`].
fn finite_value(name: &'static str, v: LogValue) -> Result<f64> {
    let x = v.value();
    if x.is_finite() {
        Ok(x)
    } else {
        Err(GegenbauerError::ValueOverflow {
            name,
            log10_abs: v.ln_abs / std::f64::consts::LN_10,
        })
    }
}

/// $C_k^\lambda(t) = C_k^\lambda(1)\\,P_k(t)$ as a [`LogValue`] (never overflows; the normalized
/// factor $P_k(t)$ is an `f64` and may underflow to 0 for huge $\lambda$, $k$ away from $t=\pm1$).
pub fn gegenbauer_log(lambda: f64, k: usize, t: f64) -> Result<LogValue> {
    check_lambda(lambda, true)?;
    unit_interval(t)?;
    alloc_ok("k", k, MAX_ALLOC_DEGREE)?;
    let v = at_one(lambda, k) * LogValue::from_f64(single(lambda, k, t));
    if v.ln_abs.is_nan() || v.ln_abs == f64::INFINITY {
        // Gamma(k + 2 lambda) of a lambda near f64::MAX.
        return Err(GegenbauerError::OutOfRange {
            name: "lambda",
            value: lambda,
            expected: "C_k^lambda(1) = Gamma(k + 2 lambda) / (k! Gamma(2 lambda)) is beyond \
                       even a logarithm in f64",
        });
    }
    Ok(v)
}

/// $C_0^\lambda(t),\dots,C_K^\lambda(t)$ into `out` ([`GegenbauerError::ValueOverflow`] for
/// huge $\lambda$, $K$, with `out` partly written; the normalized [`legendre_all_into`] never
/// overflows).
pub fn gegenbauer_all_into(lambda: f64, t: f64, out: &mut [f64]) -> Result<()> {
    check_lambda(lambda, true)?;
    unit_interval(t)?;
    normalized_all(lambda, t, out);
    for (k, v) in out.iter_mut().enumerate() {
        *v = finite_value("C_k^lambda(t)", at_one(lambda, k) * LogValue::from_f64(*v))?;
    }
    Ok(())
}

/// $\frac{d}{dt}C_k^\lambda(t) = C_k^\lambda(1)\\,P_k'(t)$ (computed from the differentiated
/// normalized recurrence; equals $2\lambda C_{k-1}^{\lambda+1}(t)$, Szegő (1975) eq. (4.7.14)).
pub fn gegenbauer_derivative(lambda: f64, k: usize, t: f64) -> Result<f64> {
    check_lambda(lambda, true)?;
    unit_interval(t)?;
    alloc_ok("k", k, MAX_ALLOC_DEGREE)?;
    let n = k + 1;
    let (mut p, mut dp, mut d2p) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    normalized_all_deriv(lambda, t, &mut p, &mut dp, &mut d2p);
    finite_value(
        "d/dt C_k^lambda(t)",
        at_one(lambda, k) * LogValue::from_f64(dp[k]),
    )
}

/// Validates a real $\lambda$ (used by other submodules).
pub(crate) fn validate_lambda(lambda: f64) -> Result<f64> {
    finite("lambda", lambda)?;
    check_lambda(lambda, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classical_cases() {
        for &t in &[-1.0, -0.7, 0.0, 0.2, 0.99, 1.0] {
            let p = legendre_all(3, 4, t).unwrap();
            assert!((p[3] - 0.5 * (5.0 * t * t * t - 3.0 * t)).abs() < 1e-15);
            let c = legendre_all(2, 5, t).unwrap();
            let th = f64::acos(t);
            for (k, v) in c.iter().enumerate() {
                assert!((v - (k as f64 * th).cos()).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn invalid_inputs() {
        assert!(legendre(1, 2, 0.0).is_err());
        assert!(legendre(3, 2, 1.5).is_err());
        assert!(legendre(3, 2, f64::NAN).is_err());
        assert!(gegenbauer(0.0, 2, 0.1).is_err());
        assert!(gegenbauer(-0.6, 2, 0.1).is_err());
        let mut a = [0.0; 3];
        let mut b = [0.0; 2];
        let mut c = [0.0; 3];
        assert!(legendre_derivatives_all_into(3, 0.1, &mut a, &mut b, &mut c).is_err());
    }

    #[test]
    fn huge_degree_and_dimension_stay_bounded() {
        let p = legendre_all(10_000, 100_000, 0.999).unwrap();
        assert!(p.iter().all(|v| v.is_finite() && v.abs() <= 1.0 + 1e-12));
        assert_eq!(legendre(10_000, 100_000, 1.0).unwrap(), 1.0);
    }

    #[test]
    fn negative_lambda_at_one() {
        // lambda = -1/4: C_1(1) = 2 lambda = -1/2
        let v = gegenbauer_at_one(-0.25, 1).unwrap();
        assert_eq!(v.sign, -1);
        assert!((v.value() + 0.5).abs() < 1e-15);
    }
}
