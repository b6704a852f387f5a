//! Gegenbauer toolkit: Legendre polynomials $P_k^{(d)}$ of $S^{d-1}$ and Gegenbauer polynomials
//! $C_k^\lambda$, multiplicities $N(d,k)$ and sphere constants, Gauss rules, Funk–Hecke
//! coefficients (numerical and exact for $t^p$ and $(1\mp t)^\nu$) and spherical harmonics.
//!
//! Conventions (docs/conventions.md): $P_k(1)=1$, $\lambda=(d-2)/2$, probability measure $\tau$ on
//! $S^{d-1}$ and
//! $$\mu_k(f) = \frac{\Gamma(d/2)}{\sqrt\pi\\,\Gamma((d-1)/2)}\int_{-1}^1 f(t)\\,P_k(t)\\,(1-t^2)^{(d-3)/2}\\,dt,
//! \qquad f(t)=\sum_k N(d,k)\\,\mu_k(f)\\,P_k(t).$$
//!
//! * Polynomials ([`legendre_all_into`], [`gegenbauer`], …): normalized three-term recurrence
//!   (Szegő (1975) §4.7), log space for $C_k^\lambda(1)$.
//! * Counting ([`multiplicity`], [`ln_multiplicity`], [`sphere_area`], [`funk_hecke_constant`]):
//!   Atkinson & Han (2012) §2.1; log-Gamma and stable Gamma ratios ([`ln_gamma_ratio`]).
//! * Quadrature ([`gauss_gegenbauer`], [`gauss_legendre`], [`gauss_angle`], [`GaussRule`]):
//!   Prüfer-ODE initial guesses (Glaser, Liu & Rokhlin 2007) and Newton on the recurrence,
//!   $O(n^2)$, about 25 ms at $n=10^4$ (criterion, two threads).
//! * Coefficients ([`monomial_eigenvalue`], [`one_minus_pow_eigenvalue`], [`times_t`],
//!   [`funk_hecke`]): exact formulas as [`LogValue`]s, quadrature in $\theta$.
//! * Harmonics ([`zonal_harmonic`], [`real_spherical_harmonics`],
//!   [`complex_spherical_harmonics`]): orthonormal for the probability measure.
//!
//! Every fallible function validates its input and returns [`GegenbauerError`]; nothing panics.

mod coefficients;
mod counting;
mod error;
mod gamma;
mod harmonics;
mod log_value;
mod polynomial;
mod quadrature;

pub use coefficients::{
    funk_hecke, funk_hecke_theta, funk_hecke_theta_into, monomial_eigenvalue, monomial_eigenvalues,
    one_minus_pow_eigenvalue, one_plus_pow_eigenvalue, times_t, times_t_into,
};
pub use counting::{
    funk_hecke_constant, ln_funk_hecke_constant, ln_multiplicity, ln_sphere_area, multiplicity,
    multiplicity_u64, sphere_area,
};
pub use error::{GegenbauerError, MAX_ALLOC_DEGREE, Result};
pub use gamma::{ln_gamma, ln_gamma_ratio, ln_gamma_signed};
pub use harmonics::{
    MAX_SH_DEGREE, UNIT_TOLERANCE, complex_spherical_harmonic, complex_spherical_harmonics,
    complex_spherical_harmonics_into, real_spherical_harmonic, real_spherical_harmonics,
    real_spherical_harmonics_into, sh_index, zonal_harmonic,
};
pub use log_value::LogValue;
pub use polynomial::{
    gegenbauer, gegenbauer_all_into, gegenbauer_at_one, gegenbauer_derivative, gegenbauer_log,
    legendre, legendre_all, legendre_all_into, legendre_derivatives, legendre_derivatives_all_into,
};
pub use quadrature::{
    GaussRule, MAX_NODES, gauss_angle, gauss_gegenbauer, gauss_gegenbauer_into, gauss_legendre,
    gauss_sphere,
};
