//! Spherical harmonics, orthonormal in $L^2$ of the *probability* measure $\tau$.
//!
//! * Zonal harmonics on $S^{d-1}$: $Z_k(x,y) = N(d,k)\\,P_k(\langle x,y\rangle) =
//!   \sum_{j=1}^{N(d,k)} Y_{kj}(x)Y_{kj}(y)$ (addition theorem, Atkinson & Han (2012) Thm 2.9).
//! * On $S^2$ ($d=3$), with $x=(\sin\theta\cos\phi,\sin\theta\sin\phi,\cos\theta)$ and the
//!   normalized associated Legendre functions
//!   $\bar P_\ell^m(t) = \sqrt{(2\ell+1)\frac{(\ell-m)!}{(\ell+m)!}}\\,P_\ell^m(t)$ (no Condon–Shortley
//!   phase), computed by the stable recurrences (no factorials)
//!   $\bar P_m^m = \sqrt{\tfrac{2m+1}{2m}}\sin\theta\\,\bar P_{m-1}^{m-1}$,
//!   $\bar P_\ell^m = a_{\ell m}\big(t\bar P_{\ell-1}^m - \bar P_{\ell-2}^m/a_{\ell-1,m}\big)$,
//!   $a_{\ell m}=\sqrt{\frac{4\ell^2-1}{\ell^2-m^2}}$ (Holmes & Featherstone, J. Geodesy 76 (2002)):
//!   - real: $Y_{\ell0}=\bar P_\ell^0$, $Y_{\ell m}=\sqrt2\\,\bar P_\ell^m\cos m\phi$,
//!     $Y_{\ell,-m}=\sqrt2\\,\bar P_\ell^m\sin m\phi$ ($m>0$);
//!   - complex: $Y_\ell^m = (-1)^m\bar P_\ell^m e^{im\phi}$, $Y_\ell^{-m}=(-1)^m\overline{Y_\ell^m}$
//!     ($=\sqrt{4\pi}$ times the usual physics convention).
//!
//!   Both satisfy $\int Y\bar Y'\\,d\tau = \delta$ and $\sum_m Y_{\ell m}(x)Y_{\ell m}(y) =
//!   (2\ell+1)P_\ell(\langle x,y\rangle)$.
//!
//! Points must be unit vectors up to a tolerance [`UNIT_TOLERANCE`].

use num_complex::Complex64;

use super::counting::ln_multiplicity;
use super::error::{GegenbauerError, Result, alloc_ok, dim_at_least};

/// Largest degree $L$ of the $S^2$ harmonic tables ($(L+1)^2$ values, $O(L^2)$ memory).
pub const MAX_SH_DEGREE: usize = 10_000;
use super::polynomial::single;

/// Accepted deviation $|\\,\\|x\\|-1\\,|$ of an input point from the unit sphere.
pub const UNIT_TOLERANCE: f64 = 1e-8;

fn check_unit(x: &[f64]) -> Result<()> {
    let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !norm.is_finite() || (norm - 1.0).abs() > UNIT_TOLERANCE {
        return Err(GegenbauerError::NotUnitVector { norm });
    }
    Ok(())
}

/// The zonal harmonic $Z_k(x,y)=N(d,k)P_k^{(d)}(\langle x,y\rangle)$ for unit $x,y\in\mathbb R^d$,
/// $d\ge2$ (the inner product is clamped to $[-1,1]$). Reproducing kernel of the degree-$k$
/// harmonics in $L^2(\tau)$ (Atkinson & Han (2012) §2.1). May overflow to $\pm\infty$ when
/// $N(d,k)$ exceeds `f64`.
///
/// ```
/// use ntk_sphere::gegenbauer::zonal_harmonic;
/// let x = [1.0, 0.0, 0.0];
/// assert!((zonal_harmonic(3, 2, &x, &x).unwrap() - 5.0).abs() < 1e-14);
/// ```
pub fn zonal_harmonic(d: usize, k: usize, x: &[f64], y: &[f64]) -> Result<f64> {
    dim_at_least(d, 2)?;
    alloc_ok("k", k, super::error::MAX_ALLOC_DEGREE)?;
    for v in [x, y] {
        if v.len() != d {
            return Err(GegenbauerError::DimensionMismatch {
                expected: d,
                got: v.len(),
            });
        }
        check_unit(v)?;
    }
    let t = x
        .iter()
        .zip(y)
        .map(|(a, b)| a * b)
        .sum::<f64>()
        .clamp(-1.0, 1.0);
    let lambda = (d as f64 - 2.0) / 2.0;
    Ok(ln_multiplicity(d, k)?.exp() * single(lambda, k, t))
}

/// Index of $(\ell,m)$, $|m|\le\ell$, in the flat layouts below: $\ell^2+\ell+m$.
pub fn sh_index(l: usize, m: i64) -> Result<usize> {
    if m.unsigned_abs() as usize > l {
        return Err(GegenbauerError::InvalidOrder { l, m });
    }
    Ok((l * l + l).wrapping_add_signed(m as isize))
}

/// Table $\bar P_\ell^m(\cos\theta)$, $0\le m\le\ell\le L$, indexed $\ell(\ell+1)/2+m$.
fn assoc_legendre(lmax: usize, t: f64, u: f64) -> Vec<f64> {
    let idx = |l: usize, m: usize| l * (l + 1) / 2 + m;
    let mut p = vec![0.0; (lmax + 1) * (lmax + 2) / 2];
    let mut pmm = 1.0;
    for m in 0..=lmax {
        if m > 0 {
            let mf = m as f64;
            pmm *= ((2.0 * mf + 1.0) / (2.0 * mf)).sqrt() * u;
        }
        p[idx(m, m)] = pmm;
        if m < lmax {
            p[idx(m + 1, m)] = (2.0 * m as f64 + 3.0).sqrt() * t * pmm;
        }
        let mf = m as f64;
        let a = |l: usize| {
            let lf = l as f64;
            ((4.0 * lf * lf - 1.0) / (lf * lf - mf * mf)).sqrt()
        };
        for l in m + 2..=lmax {
            p[idx(l, m)] = a(l) * (t * p[idx(l - 1, m)] - p[idx(l - 2, m)] / a(l - 1));
        }
    }
    p
}

/// $(\cos\theta, \sin\theta, \phi)$ of a unit vector of $\mathbb R^3$.
fn angles(x: &[f64; 3]) -> Result<(f64, f64, f64)> {
    check_unit(x)?;
    let n = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
    let u = (x[0] * x[0] + x[1] * x[1]).sqrt() / n;
    Ok(((x[2] / n).clamp(-1.0, 1.0), u, x[1].atan2(x[0])))
}

/// All real spherical harmonics $Y_{\ell m}(x)$, $\ell\le L$, $|m|\le\ell$, of the unit vector
/// $x\in S^2$ into `out` (length $(L+1)^2$, index [`sh_index`]); module doc for the formulas.
pub fn real_spherical_harmonics_into(lmax: usize, x: &[f64; 3], out: &mut [f64]) -> Result<()> {
    alloc_ok("lmax", lmax, MAX_SH_DEGREE)?;
    let len = (lmax + 1) * (lmax + 1);
    if out.len() != len {
        return Err(GegenbauerError::BufferLength {
            name: "out",
            expected: len,
            got: out.len(),
        });
    }
    let (t, u, phi) = angles(x)?;
    let p = assoc_legendre(lmax, t, u);
    let s2 = std::f64::consts::SQRT_2;
    for l in 0..=lmax {
        let base = l * l + l;
        out[base] = p[l * (l + 1) / 2];
        for m in 1..=l {
            let (sn, cs) = (m as f64 * phi).sin_cos();
            let v = s2 * p[l * (l + 1) / 2 + m];
            out[base + m] = v * cs;
            out[base - m] = v * sn;
        }
    }
    Ok(())
}

/// Vec-returning [`real_spherical_harmonics_into`].
///
/// ```
/// use ntk_sphere::gegenbauer::real_spherical_harmonics;
/// let y = real_spherical_harmonics(1, &[0.0, 0.0, 1.0]).unwrap();
/// // Y_00 = 1, Y_10 = sqrt(3) cos(theta)
/// assert!((y[0] - 1.0).abs() < 1e-15 && (y[2] - 3f64.sqrt()).abs() < 1e-15);
/// ```
pub fn real_spherical_harmonics(lmax: usize, x: &[f64; 3]) -> Result<Vec<f64>> {
    alloc_ok("lmax", lmax, MAX_SH_DEGREE)?;
    let mut out = vec![0.0; (lmax + 1) * (lmax + 1)];
    real_spherical_harmonics_into(lmax, x, &mut out)?;
    Ok(out)
}

/// The single real harmonic $Y_{\ell m}(x)$ (see [`real_spherical_harmonics_into`]).
pub fn real_spherical_harmonic(l: usize, m: i64, x: &[f64; 3]) -> Result<f64> {
    alloc_ok("l", l, MAX_SH_DEGREE)?;
    let i = sh_index(l, m)?;
    Ok(real_spherical_harmonics(l, x)?[i])
}

/// All complex harmonics $Y_\ell^m(x)$ (probability-normalized, Condon–Shortley phase), into
/// `out` of length $(L+1)^2$ (index [`sh_index`]).
pub fn complex_spherical_harmonics_into(
    lmax: usize,
    x: &[f64; 3],
    out: &mut [Complex64],
) -> Result<()> {
    alloc_ok("lmax", lmax, MAX_SH_DEGREE)?;
    let len = (lmax + 1) * (lmax + 1);
    if out.len() != len {
        return Err(GegenbauerError::BufferLength {
            name: "out",
            expected: len,
            got: out.len(),
        });
    }
    let (t, u, phi) = angles(x)?;
    let p = assoc_legendre(lmax, t, u);
    for l in 0..=lmax {
        let base = l * l + l;
        for m in 0..=l {
            let sign = if m % 2 == 1 { -1.0 } else { 1.0 };
            let y = Complex64::from_polar(sign * p[l * (l + 1) / 2 + m], m as f64 * phi);
            out[base + m] = y;
            if m > 0 {
                out[base - m] = sign * y.conj();
            }
        }
    }
    Ok(())
}

/// Vec-returning [`complex_spherical_harmonics_into`].
pub fn complex_spherical_harmonics(lmax: usize, x: &[f64; 3]) -> Result<Vec<Complex64>> {
    alloc_ok("lmax", lmax, MAX_SH_DEGREE)?;
    let mut out = vec![Complex64::new(0.0, 0.0); (lmax + 1) * (lmax + 1)];
    complex_spherical_harmonics_into(lmax, x, &mut out)?;
    Ok(out)
}

/// The single complex harmonic $Y_\ell^m(x)$ (see [`complex_spherical_harmonics_into`]).
pub fn complex_spherical_harmonic(l: usize, m: i64, x: &[f64; 3]) -> Result<Complex64> {
    alloc_ok("l", l, MAX_SH_DEGREE)?;
    let i = sh_index(l, m)?;
    Ok(complex_spherical_harmonics(l, x)?[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_degree_closed_forms() {
        let x = [0.6, 0.0, 0.8];
        let y = real_spherical_harmonics(2, &x).unwrap();
        // Y_11 = sqrt(3) x, Y_1,-1 = sqrt(3) y, Y_10 = sqrt(3) z
        assert!((y[3] - 3f64.sqrt() * 0.6).abs() < 1e-15);
        assert!(y[1].abs() < 1e-15);
        // Y_20 = sqrt(5) (3 z^2 - 1)/2
        assert!((y[6] - 5f64.sqrt() * (3.0 * 0.64 - 1.0) / 2.0).abs() < 1e-14);
        let c = complex_spherical_harmonic(1, 1, &x).unwrap();
        // Y_1^1 = -sqrt(3/2) sin(theta) e^{i phi}
        assert!((c.re + (1.5f64).sqrt() * 0.6).abs() < 1e-15);
    }

    #[test]
    fn invalid_inputs() {
        assert!(real_spherical_harmonic(2, 3, &[0.0, 0.0, 1.0]).is_err());
        assert!(real_spherical_harmonic(2, 1, &[0.0, 0.0, 2.0]).is_err());
        assert!(real_spherical_harmonic(2, 1, &[f64::NAN, 0.0, 1.0]).is_err());
        assert!(zonal_harmonic(3, 1, &[1.0, 0.0], &[1.0, 0.0, 0.0]).is_err());
    }
}
