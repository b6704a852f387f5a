//! Funk–Hecke coefficients (Mercer eigenvalues) in the normalization of docs/conventions.md:
//! $$\mu_k(f) = c_d\int_{-1}^1 f(t)P_k(t)(1-t^2)^{(d-3)/2}\\,dt
//! = c_d\int_0^\pi f(\cos\theta)P_k(\cos\theta)\sin^{d-2}\theta\\,d\theta,\qquad
//! c_d=\frac{\Gamma(d/2)}{\sqrt\pi\\,\Gamma((d-1)/2)},$$
//! so that $f(t)=\sum_k N(d,k)\mu_k(f)P_k(t)$ (Funk–Hecke formula, Atkinson & Han (2012)
//! Thm 2.22; Bietti & Bach 2021, App. A). Exact formulas for $t^p$ and $(1\mp t)^\nu$ are
//! returned as [`LogValue`]s since they underflow for large $d$ and $k$.

use super::counting::ln_funk_hecke_constant;
use super::error::{GegenbauerError, MAX_ALLOC_DEGREE, Result, alloc_ok, dim_at_least, finite};
use super::gamma::{ln_gamma, ln_gamma_ratio, ln_gamma_signed};
use super::log_value::LogValue;
use super::polynomial::normalized_all;
use super::quadrature::gauss_angle;

/// Exact $\mu_k(t^p)$ (docs/literature.md §5.2, verified against mpmath quadrature):
/// $$\mu_k(t^p) = \frac{\Gamma(d/2)\\,p!}{2^p\\,\Gamma(\frac{p-k}2+1)\\,\Gamma(\frac{p+k+d}2)}
/// \quad (p\ge k,\ p\equiv k \bmod 2),\qquad 0\ \text{otherwise};$$
/// all non-zero values are positive. Evaluated in log space with Legendre's duplication formula
/// and stable Gamma ratios (no cancellation of huge $\ln\Gamma$ values). Source: Rodrigues'
/// formula and $k$ integrations by parts; agrees with Murray et al. (arXiv 2211.07844) after the
/// change of measure.
///
/// ```
/// use ntk_sphere::gegenbauer::monomial_eigenvalue;
/// // mu_0(t^2) = mu_1(t) = 1/d
/// assert!((monomial_eigenvalue(7, 2, 0).unwrap().value() - 1.0 / 7.0).abs() < 1e-15);
/// assert!(monomial_eigenvalue(7, 3, 0).unwrap().is_zero());
/// ```
pub fn monomial_eigenvalue(d: usize, p: usize, k: usize) -> Result<LogValue> {
    dim_at_least(d, 2)?;
    if k > p || (p - k) % 2 == 1 {
        return Ok(LogValue::ZERO);
    }
    let (df, pf, kf) = (d as f64, p as f64, k as f64);
    let half_ln_pi = 0.5 * std::f64::consts::PI.ln();
    let common = ln_gamma_ratio((pf - kf) / 2.0 + 1.0, kf / 2.0) - half_ln_pi;
    let ln = if p <= d {
        // ln G(d/2) - ln G((p+k+d)/2) paired; ln G((p+1)/2) is small
        -ln_gamma_ratio(df / 2.0, (pf + kf) / 2.0) + ln_gamma((pf + 1.0) / 2.0) + common
    } else {
        ln_gamma(df / 2.0) - ln_gamma_ratio((pf + 1.0) / 2.0, (kf + df - 1.0) / 2.0) + common
    };
    Ok(LogValue::new(1.0, ln))
}

/// $\mu_0(t^p),\dots,\mu_p(t^p)$ (see [`monomial_eigenvalue`]).
pub fn monomial_eigenvalues(d: usize, p: usize) -> Result<Vec<LogValue>> {
    alloc_ok("p", p, MAX_ALLOC_DEGREE)?;
    (0..=p).map(|k| monomial_eigenvalue(d, p, k)).collect()
}

fn check_nu(d: usize, nu: f64) -> Result<()> {
    dim_at_least(d, 2)?;
    if !nu.is_finite() || nu <= -(d as f64 - 1.0) / 2.0 {
        return Err(GegenbauerError::InvalidExponent { nu, d });
    }
    Ok(())
}

/// Exact $\mu_k((1-t)^\nu)$ for real $\nu>-(d-1)/2$ (the integrability condition):
/// $$\mu_k\big((1-t)^\nu\big) = \frac{\Gamma(d/2)}{\sqrt\pi}\\,2^{\nu+d-2}\\,
/// \frac{\Gamma(\nu+\frac{d-1}2)}{\Gamma(-\nu)}\\,\frac{\Gamma(k-\nu)}{\Gamma(k+\nu+d-1)}
/// = 2^\nu\\,\frac{\Gamma(\nu+\frac{d-1}2)}{\Gamma(\frac{d-1}2)}\\,\frac{\Gamma(d-1)\\,(-\nu)_k}{\Gamma(k+\nu+d-1)}$$
/// (docs/literature.md §3.4, derived by Rodrigues' formula and a Beta integral; re-verified here
/// against 30-digit mpmath quadrature for $d\in\\{2,3,5,10\\}$, $\nu\in\\{0.3,0.5,1.5,2.7\\}$, $k\le5$).
/// The Pochhammer form covers integer $\nu\ge0$ (then $\mu_k=0$ for $k>\nu$). The sign is
/// $(-1)^{\min(k,\lceil\nu\rceil)}$ for non-integer $\nu>0$; for large $k$ the magnitude decays
/// like $k^{-d-2\nu+1}$ (Bietti & Bach 2021).
///
/// ```
/// use ntk_sphere::gegenbauer::one_minus_pow_eigenvalue;
/// // d = 3: mu_0((1-t)^{1/2}) = (1/2) int_{-1}^1 sqrt(1-t) dt = 2 sqrt(2)/3
/// let v = one_minus_pow_eigenvalue(3, 0.5, 0).unwrap();
/// assert!((v.value() - 2.0 * 2f64.sqrt() / 3.0).abs() < 1e-15);
/// assert_eq!(one_minus_pow_eigenvalue(3, 0.5, 1).unwrap().sign, -1);
/// ```
pub fn one_minus_pow_eigenvalue(d: usize, nu: f64, k: usize) -> Result<LogValue> {
    let v = one_minus_pow_log(d, nu, k)?;
    if v.ln_abs.is_nan() || v.ln_abs == f64::INFINITY {
        return Err(GegenbauerError::OutOfRange {
            name: "nu",
            value: nu,
            expected: "too large: ln |mu_k((1-t)^nu)| exceeds f64",
        });
    }
    Ok(v)
}

fn one_minus_pow_log(d: usize, nu: f64, k: usize) -> Result<LogValue> {
    check_nu(d, nu)?;
    let (df, kf) = (d as f64, k as f64);
    let base = nu * std::f64::consts::LN_2 + ln_gamma_ratio((df - 1.0) / 2.0, nu);
    if nu >= 0.0 && nu == nu.floor() {
        // (-nu)_k = (-1)^k nu! / (nu - k)!, zero for k > nu
        if kf > nu {
            return Ok(LogValue::ZERO);
        }
        let ln =
            base + ln_gamma(nu + 1.0) - ln_gamma(nu - kf + 1.0) - ln_gamma_ratio(df - 1.0, kf + nu);
        return Ok(LogValue::new(1.0, ln).alternate(k));
    }
    let flips = if nu < 0.0 {
        0
    } else {
        k.min(nu.ceil() as usize)
    };
    let (_, ln_g_mnu) = ln_gamma_signed(-nu);
    let ln = if kf - nu > 0.0 && k >= d {
        // Gamma(k - nu) / Gamma(k + nu + d - 1) as a ratio; Gamma(d-1) / |Gamma(-nu)| left over
        base - ln_gamma_ratio(kf - nu, 2.0 * nu + df - 1.0) + ln_gamma(df - 1.0) - ln_g_mnu
    } else {
        let (_, ln_g_k) = ln_gamma_signed(kf - nu);
        base - ln_gamma_ratio(df - 1.0, kf + nu) + ln_g_k - ln_g_mnu
    };
    Ok(LogValue::new(1.0, ln).alternate(flips))
}

/// Exact $\mu_k((1+t)^\nu) = (-1)^k\mu_k((1-t)^\nu)$ (substitute $t\to-t$, $P_k(-t)=(-1)^kP_k(t)$);
/// see [`one_minus_pow_eigenvalue`].
pub fn one_plus_pow_eigenvalue(d: usize, nu: f64, k: usize) -> Result<LogValue> {
    Ok(one_minus_pow_eigenvalue(d, nu, k)?.alternate(k))
}

/// Multiplication by $t$ (from $tP_k = \frac{k}{2k+d-2}P_{k-1}+\frac{k+d-2}{2k+d-2}P_{k+1}$,
/// Atkinson & Han (2012) eq. (2.76), and $N(d,k)$-weighted orthogonality):
/// $$\mu_k(tf) = \frac{k}{2k+d-2}\mu_{k-1}(f) + \frac{k+d-2}{2k+d-2}\mu_{k+1}(f),\qquad
/// \mu_0(tf)=\mu_1(f).$$
/// Input $\mu_0..\mu_K$ of $f$ (`mu`, $K\ge0$), output $\mu_0..\mu_{K-1}$ of $tf$ in `out`
/// (length `mu.len() - 1`).
pub fn times_t_into(d: usize, mu: &[f64], out: &mut [f64]) -> Result<()> {
    dim_at_least(d, 2)?;
    if mu.is_empty() {
        return Err(GegenbauerError::EmptyBuffer { name: "mu" });
    }
    if out.len() + 1 != mu.len() {
        return Err(GegenbauerError::BufferLength {
            name: "out",
            expected: mu.len().saturating_sub(1),
            got: out.len(),
        });
    }
    let dm2 = d as f64 - 2.0;
    for (k, o) in out.iter_mut().enumerate() {
        *o = if k == 0 {
            mu[1]
        } else {
            let kf = k as f64;
            let den = 2.0 * kf + dm2;
            kf / den * mu[k - 1] + (kf + dm2) / den * mu[k + 1]
        };
    }
    Ok(())
}

/// Vec-returning [`times_t_into`] (returns $\mu_0..\mu_{K-1}$ of $tf$; `mu` must be non-empty).
pub fn times_t(d: usize, mu: &[f64]) -> Result<Vec<f64>> {
    let mut out = vec![0.0; mu.len().saturating_sub(1)];
    times_t_into(d, mu, &mut out)?;
    Ok(out)
}

/// Funk–Hecke transform by quadrature in the angle: $\mu_k \approx c_d\sum_j w_j
/// f(\theta_j)P_k(\cos\theta_j)$, $k=0..K$ (`out.len() = K+1`), with the $n$-node rule
/// [`gauss_angle`](super::gauss_angle) (exponentially convergent when $f(\theta)$ is analytic
/// on $[0,\pi]$ — the ReLU kernels are; docs/literature.md §5.5). Absolute accuracy is limited
/// to $\approx10^{-17}\max|f|$ (docs/design.md §3): use the exact formulas for tiny $\mu_k$.
pub fn funk_hecke_theta_into<F: FnMut(f64) -> f64>(
    d: usize,
    n: usize,
    mut f: F,
    out: &mut [f64],
) -> Result<()> {
    let rule = gauss_angle(n, d)?;
    let c = ln_funk_hecke_constant(d)?.exp();
    let lambda = (d as f64 - 2.0) / 2.0;
    out.iter_mut().for_each(|v| *v = 0.0);
    let mut p = vec![0.0; out.len()];
    for (&theta, &w) in rule.nodes().iter().zip(rule.weights()) {
        let fv = finite("f(theta)", f(theta))?;
        normalized_all(lambda, theta.cos(), &mut p);
        let cw = c * w * fv;
        for (o, pk) in out.iter_mut().zip(&p) {
            *o += cw * pk;
        }
    }
    Ok(())
}

/// $\mu_0..\mu_{k_{\max}}$ of $f(\theta)$ (a function of the angle) with $n$ nodes; see
/// [`funk_hecke_theta_into`].
///
/// ```
/// use ntk_sphere::gegenbauer::funk_hecke_theta;
/// // kappa(t) = t^2 on S^2: mu_0 = 1/3, mu_2 = 2/15 (= mu_2(t^2))
/// let mu = funk_hecke_theta(3, 3, 16, |th: f64| th.cos().powi(2)).unwrap();
/// assert!((mu[0] - 1.0 / 3.0).abs() < 1e-15 && (mu[2] - 2.0 / 15.0).abs() < 1e-15);
/// ```
pub fn funk_hecke_theta<F: FnMut(f64) -> f64>(
    d: usize,
    kmax: usize,
    n: usize,
    f: F,
) -> Result<Vec<f64>> {
    alloc_ok("kmax", kmax, MAX_ALLOC_DEGREE)?;
    let mut out = vec![0.0; kmax + 1];
    funk_hecke_theta_into(d, n, f, &mut out)?;
    Ok(out)
}

/// $\mu_0..\mu_{k_{\max}}$ of $f(t)$ (a function of $t=\cos\theta$), by the angular rule with $n$
/// nodes; see [`funk_hecke_theta_into`].
pub fn funk_hecke<F: FnMut(f64) -> f64>(
    d: usize,
    kmax: usize,
    n: usize,
    mut f: F,
) -> Result<Vec<f64>> {
    funk_hecke_theta(d, kmax, n, |theta: f64| f(theta.cos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monomial_small_cases() {
        // d = 3: t^2 = 1/3 P_0 + 2/3 P_2, so mu_0 = 1/3, N(3,2) mu_2 = 2/3 -> mu_2 = 2/15
        assert!((monomial_eigenvalue(3, 2, 0).unwrap().value() - 1.0 / 3.0).abs() < 1e-15);
        assert!((monomial_eigenvalue(3, 2, 2).unwrap().value() - 2.0 / 15.0).abs() < 1e-15);
        // both pairings agree where they overlap
        for &(d, p, k) in &[(20usize, 20usize, 4usize), (21, 21, 7)] {
            let (df, pf, kf) = (d as f64, p as f64, k as f64);
            let common =
                ln_gamma_ratio((pf - kf) / 2.0 + 1.0, kf / 2.0) - 0.5 * std::f64::consts::PI.ln();
            let a = -ln_gamma_ratio(df / 2.0, (pf + kf) / 2.0) + ln_gamma((pf + 1.0) / 2.0);
            let b = ln_gamma(df / 2.0) - ln_gamma_ratio((pf + 1.0) / 2.0, (kf + df - 1.0) / 2.0);
            assert!((a - b).abs() < 1e-12, "{a} {b} {common}");
        }
    }

    #[test]
    fn power_integer_nu_and_errors() {
        // (1-t)^1 = 1 - t: mu_0 = 1, mu_1 = -mu_1(t) = -1/d, rest 0
        let d = 5;
        assert!((one_minus_pow_eigenvalue(d, 1.0, 0).unwrap().value() - 1.0).abs() < 1e-15);
        assert!((one_minus_pow_eigenvalue(d, 1.0, 1).unwrap().value() + 0.2).abs() < 1e-15);
        assert!(one_minus_pow_eigenvalue(d, 1.0, 2).unwrap().is_zero());
        assert!(one_minus_pow_eigenvalue(2, -0.5, 0).is_err());
        assert!(one_minus_pow_eigenvalue(3, f64::NAN, 0).is_err());
        assert!(times_t(3, &[]).is_err());
    }

    #[test]
    fn huge_dimension_underflows_only_in_value() {
        // mpmath (30 digits): -6.5631993652679162477e-238, ln|.| = -546.13377394039771666
        let v = one_minus_pow_eigenvalue(1000, 0.5, 200).unwrap();
        assert_eq!(v.sign, -1);
        assert!((v.ln_abs + 546.133_773_940_397_7).abs() < 1e-12 * 546.0);
        // mpmath: ln mu_200(t^400) at d = 1000 = -580.64781840494011958
        let m = monomial_eigenvalue(1000, 400, 200).unwrap();
        assert!((m.ln_abs + 580.647_818_404_940_1).abs() < 1e-12 * 580.0);
    }
}
