//! Positive definiteness checks (Schoenberg, *Positive definite functions on spheres*, Duke
//! Math. J. 9 (1942) 96–108): $\kappa(\langle x,y\rangle)$ is positive definite on $S^{d-1}$ iff
//! every Mercer eigenvalue $\mu_k \ge 0$, and on every sphere (on $S^\infty$) iff every Maclaurin
//! coefficient $b_n \ge 0$ in $\kappa(t) = \sum_n b_n t^n$.

use crate::kernel::SphereKernel;
use crate::series::maclaurin_coefficients_normalized;

use super::error::SpectrumError;
use super::mercer::mercer_spectrum;

/// Maclaurin coefficients below $-$`tol` count as negative in [`schoenberg_all_spheres`]: the
/// rounding level of the series arithmetic relative to $\kappa(1)$.
pub const MACLAURIN_TOLERANCE: f64 = 1e-15;

/// The first coefficient that violates a positivity condition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Violation {
    /// Index: the degree $k$ (sphere) or the power $n$ (all spheres).
    pub index: usize,
    /// The offending (normalized) value.
    pub value: f64,
}

/// Schoenberg's condition on $S^{d-1}$ for degrees $0..=k_{\max}$: `Ok(None)` if every
/// $\mu_k$ of $\kappa/\kappa(1)$ is $\ge 0$ within its error estimate, otherwise the first
/// violation.
///
/// ```
/// use ntk_sphere::{ResNet, KernelKind, SphereKernel};
/// use ntk_sphere::spectrum::schoenberg_sphere;
/// let k = SphereKernel::new(ResNet::new(4, 0.7, 1.0, 1.0).unwrap(), KernelKind::Ntk, 5).unwrap();
/// assert_eq!(schoenberg_sphere(&k, 50).unwrap(), None);
/// ```
pub fn schoenberg_sphere(
    kernel: &SphereKernel,
    kmax: usize,
) -> Result<Option<Violation>, SpectrumError> {
    let s = mercer_spectrum(kernel, kmax, true)?;
    Ok(s.eigenvalues
        .iter()
        .find(|e| e.sign < 0 && e.rel_error < 1.0)
        .map(|e| Violation {
            index: e.k,
            value: e.mu,
        }))
}

/// Schoenberg's condition on every sphere, for powers $0..n_{\max}$: `Ok(None)` if every
/// Maclaurin coefficient of $\kappa/\kappa(1)$ is $\ge -$[`MACLAURIN_TOLERANCE`], otherwise
/// the first violation.
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::spectrum::schoenberg_all_spheres;
/// let k = SphereKernel::new(Mlp::new(3, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// assert_eq!(schoenberg_all_spheres(&k, 200).unwrap(), None);
/// ```
pub fn schoenberg_all_spheres(
    kernel: &SphereKernel,
    nmax: usize,
) -> Result<Option<Violation>, SpectrumError> {
    let b = maclaurin_coefficients_normalized(kernel, nmax.saturating_add(1))?;
    Ok(first_negative(&b, MACLAURIN_TOLERANCE))
}

/// The first entry below $-$`tol` of a coefficient sequence (eigenvalues of a kernel given as a
/// function, e.g. from [`super::spectrum_of_angle_function`], or Maclaurin coefficients).
///
/// ```
/// use ntk_sphere::spectrum::first_negative;
/// assert_eq!(first_negative(&[1.0, 0.5, -1e-20, -0.1], 1e-15).unwrap().index, 3);
/// ```
pub fn first_negative(values: &[f64], tol: f64) -> Option<Violation> {
    values
        .iter()
        .position(|&v| v < -tol || v.is_nan())
        .map(|index| Violation {
            index,
            value: values[index],
        })
}
