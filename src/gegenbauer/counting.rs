//! Multiplicities and sphere constants.
//!
//! * $N(d,k) = \frac{2k+d-2}{k}\binom{k+d-3}{d-2}$, $N(d,0)=1$: the dimension of the space of
//!   spherical harmonics of degree $k$ on $S^{d-1}$ (Atkinson & Han, *Spherical Harmonics and
//!   Approximations on the Unit Sphere* (2012), eq. (2.10)).
//! * $\omega_{d-1} = 2\pi^{d/2}/\Gamma(d/2)$, the area of $S^{d-1}\subset\mathbb R^d$.
//! * The Funk–Hecke constant $c_d = \omega_{d-2}/\omega_{d-1} = \Gamma(d/2)/(\sqrt\pi\\,\Gamma((d-1)/2))$
//!   of docs/conventions.md (Bietti & Bach 2021, App. A).

use super::error::{GegenbauerError, Result, dim_at_least};
use super::gamma::{ln_gamma, ln_gamma_ratio};

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let r = a % b;
        a = b;
        b = r;
    }
    a
}

/// $c\cdot m / q$ exactly, knowing that $q \mid c\\,m$; `None` on overflow.
fn mul_div_exact(c: u128, m: u128, q: u128) -> Option<u128> {
    let g = gcd(c, q);
    let (c, q) = (c / g, q / g);
    // now q | m
    c.checked_mul(m / q)
}

/// $\binom{n}{r}$ exactly in `u128`, `None` on overflow.
fn binomial_u128(n: u128, r: u128) -> Option<u128> {
    let r = r.min(n - r);
    let mut c: u128 = 1;
    for i in 1..=r {
        // c = C(n - r + i - 1, i - 1) -> C(n - r + i, i) = c (n - r + i) / i
        c = mul_div_exact(c, n - r + i, i)?;
    }
    Some(c)
}

/// Exact multiplicity $N(d,k)=\frac{2k+d-2}{k}\binom{k+d-3}{d-2}$ ($N(d,0)=1$) of the spherical
/// harmonics of degree $k$ on $S^{d-1}$, as `u128`.
///
/// Source: Atkinson & Han (2012), eq. (2.10). Errors: $d<2$, or
/// [`GegenbauerError::MultiplicityOverflow`] when the value exceeds `u128`.
///
/// ```
/// use ntk_sphere::gegenbauer::multiplicity;
/// assert_eq!(multiplicity(3, 4).unwrap(), 9);
/// assert_eq!(multiplicity(10, 8).unwrap(), 19305);
/// ```
pub fn multiplicity(d: usize, k: usize) -> Result<u128> {
    dim_at_least(d, 2)?;
    if k == 0 {
        return Ok(1);
    }
    let overflow = GegenbauerError::MultiplicityOverflow { d, k };
    let (du, ku) = (d as u128, k as u128);
    // C(k+d-3, d-2) = C(k+d-3, k-1)
    let b = binomial_u128(ku + du - 3, du - 2).ok_or(overflow.clone())?;
    mul_div_exact(b, 2 * ku + du - 2, ku).ok_or(overflow)
}

/// [`multiplicity`] as `u64` (overflow reported as [`GegenbauerError::MultiplicityOverflow`]).
pub fn multiplicity_u64(d: usize, k: usize) -> Result<u64> {
    let n = multiplicity(d, k)?;
    u64::try_from(n).map_err(|_| GegenbauerError::MultiplicityOverflow { d, k })
}

/// $\ln N(d,k)$, finite for all $d\ge2$, $k$ (exact integer when it fits in `u128`, otherwise
/// $\ln(2k+d-2)-\ln k+[\ln\Gamma(k+d-2)-\ln\Gamma(k)]-\ln\Gamma(d-1)$ with a stable Gamma ratio).
///
/// ```
/// use ntk_sphere::gegenbauer::ln_multiplicity;
/// assert!((ln_multiplicity(3, 10).unwrap() - 21f64.ln()).abs() < 1e-15);
/// assert!(ln_multiplicity(10_000, 100_000).unwrap().is_finite());
/// ```
pub fn ln_multiplicity(d: usize, k: usize) -> Result<f64> {
    dim_at_least(d, 2)?;
    if let Ok(n) = multiplicity(d, k) {
        return Ok((n as f64).ln());
    }
    let (df, kf) = (d as f64, k as f64);
    Ok((2.0 * kf + df - 2.0).ln() - kf.ln() + ln_gamma_ratio(kf, df - 2.0) - ln_gamma(df - 1.0))
}

/// $\omega_{d-1} = 2\pi^{d/2}/\Gamma(d/2)$, the surface area of $S^{d-1}\subset\mathbb R^d$
/// ($d\ge1$; underflows to 0 for $d\gtrsim 350$, use [`ln_sphere_area`]).
///
/// ```
/// use ntk_sphere::gegenbauer::sphere_area;
/// assert!((sphere_area(3).unwrap() - 4.0 * std::f64::consts::PI).abs() < 1e-14);
/// ```
pub fn sphere_area(d: usize) -> Result<f64> {
    Ok(ln_sphere_area(d)?.exp())
}

/// $\ln\omega_{d-1} = \ln 2 + \tfrac d2\ln\pi - \ln\Gamma(d/2)$ ($d\ge1$).
pub fn ln_sphere_area(d: usize) -> Result<f64> {
    dim_at_least(d, 1)?;
    let h = d as f64 / 2.0;
    Ok(std::f64::consts::LN_2 + h * std::f64::consts::PI.ln() - ln_gamma(h))
}

/// The Funk–Hecke constant $c_d = \omega_{d-2}/\omega_{d-1} =
/// \Gamma(d/2)/(\sqrt\pi\\,\Gamma((d-1)/2))$ ($d\ge2$; $c_2 = 1/\pi$, $c_3=1/2$), the prefactor of
/// $\mu_k = c_d\int_{-1}^1\kappa(t)P_k(t)(1-t^2)^{(d-3)/2}\\,dt$ (docs/conventions.md).
pub fn funk_hecke_constant(d: usize) -> Result<f64> {
    Ok(ln_funk_hecke_constant(d)?.exp())
}

/// $\ln c_d = [\ln\Gamma(\tfrac{d-1}2+\tfrac12)-\ln\Gamma(\tfrac{d-1}2)] - \tfrac12\ln\pi$, with
/// the bracket from the stable ratio [`ln_gamma_ratio`](super::ln_gamma_ratio)
/// (so $c_d\sim\sqrt{d/(2\pi)}$ is accurate for $d$ in the millions).
pub fn ln_funk_hecke_constant(d: usize) -> Result<f64> {
    dim_at_least(d, 2)?;
    Ok(ln_gamma_ratio((d as f64 - 1.0) / 2.0, 0.5) - 0.5 * std::f64::consts::PI.ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_multiplicities() {
        for k in 0..50 {
            assert_eq!(multiplicity(3, k).unwrap(), 2 * k as u128 + 1);
            assert_eq!(multiplicity(4, k).unwrap(), (k as u128 + 1).pow(2));
            assert_eq!(multiplicity(2, k).unwrap(), if k == 0 { 1 } else { 2 });
        }
        let n5: Vec<u128> = (0..7).map(|k| multiplicity(5, k).unwrap()).collect();
        assert_eq!(n5, vec![1, 5, 14, 30, 55, 91, 140]);
        assert_eq!(multiplicity(10, 8).unwrap(), 19305);
        assert_eq!(multiplicity_u64(10, 8).unwrap(), 19305);
    }

    #[test]
    fn overflow_is_reported() {
        assert_eq!(
            multiplicity(1000, 1000),
            Err(GegenbauerError::MultiplicityOverflow { d: 1000, k: 1000 })
        );
        assert!(multiplicity_u64(100, 100).is_err());
        assert!(multiplicity(1, 3).is_err());
    }

    #[test]
    fn ln_multiplicity_large_matches_exact_where_both_exist() {
        // Compare the Gamma route with the exact value for a large but representable case.
        let (d, k) = (40usize, 60usize);
        let exact = (multiplicity(d, k).unwrap() as f64).ln();
        let (df, kf) = (d as f64, k as f64);
        let via_gamma = (2.0 * kf + df - 2.0).ln() - kf.ln() + ln_gamma_ratio(kf, df - 2.0)
            - ln_gamma(df - 1.0);
        assert!((exact - via_gamma).abs() < 1e-12 * exact);
    }

    #[test]
    fn constants() {
        assert!((funk_hecke_constant(2).unwrap() - 1.0 / std::f64::consts::PI).abs() < 1e-15);
        assert!((funk_hecke_constant(3).unwrap() - 0.5).abs() < 1e-15);
        for d in 2..30 {
            let r = sphere_area(d - 1).unwrap() / sphere_area(d).unwrap();
            assert!((funk_hecke_constant(d).unwrap() - r).abs() < 1e-13 * r);
        }
    }
}
