//! Mercer spectra of dot-product kernels on $S^{d-1}$: eigenvalues, decay, positivity.
//!
//! **Eigenvalues** (Funk–Hecke formula; Atkinson & Han, *Spherical Harmonics and Approximations
//! on the Unit Sphere*, 2012, Thm. 2.22; conventions of docs/conventions.md):
//! $$\mu_k = \frac{\Gamma(d/2)}{\sqrt\pi\\,\Gamma(\frac{d-1}2)}\int_{-1}^{1}\kappa(t)\\,P_k(t)\\,
//!   (1-t^2)^{\frac{d-3}2}\\,dt,\qquad \kappa(t) = \sum_k \mu_k\\,N(d,k)\\,P_k(t),$$
//! each with multiplicity $N(d,k)$, so $\sum_k N(d,k)\mu_k = \kappa(1)$.
//!
//! **Methods** ([`mercer_spectrum`] picks per degree the one with the smallest error estimate
//! and records where two agree, [`Spectrum::cross_checks`]):
//! * double-double Gauss–Legendre quadrature in $\theta$ (exponential convergence, absolute
//!   floor $\approx10^{-31}\int|\kappa|$), and the same in quad-double (floor
//!   $\approx10^{-62}\int|\kappa|$) for the degrees no other method resolves;
//! * the endpoint tail: Puiseux expansions of $\kappa$ in $\sqrt{1\mp t}$ (the kernel recursion on
//!   series numbers) with the exact coefficients of $(1\mp t)^{j/2}$ — an asymptotic series in
//!   $k^{-2}$ for large $k$ (Bietti & Bach, *Deep Equals Shallow for ReLU Networks in Kernel
//!   Regimes*, ICLR 2021, Thm. 1 for its leading term);
//! * the positive power series $\sum_n b_n\mu_k(t^n)$, $b_n \ge 0$ (no cancellation; large $d$).
//!   For kernels analytic beyond $[-1,1]$ (smooth activations: erf, GELU, sin, …) whose $\mu_k$
//!   fall below every quadrature floor, the series is run on $\kappa(ct)$ with $c$ near the
//!   estimated radius of convergence, so $\ln\mu_k$ stays accurate after $\mu_k$ underflows
//!   (`log_mu` holds it; `mu` is then 0).
//!
//! The endpoint tail: with $\kappa(1-s^2) = \sum_j a^+\_j s^j$ and $\kappa(-1+s^2) = \sum_j a^-\_j
//! s^j$ (the kernel recursion run on Puiseux series, [`crate::series`]) and the exact
//! coefficients $M_k(\nu) = \mu_k((1-t)^\nu)$, $\mu_k((1+t)^\nu) = (-1)^kM_k(\nu)$
//! ([`crate::gegenbauer::one_minus_pow_eigenvalue`]),
//! $$\mu_k \simeq \sum_{j\ \mathrm{odd}}\big(a^+\_j + (-1)^k a^-\_j\big)M_k(j/2),$$
//! an asymptotic series in $k^{-2}$ (integer powers of $1\mp t$ are polynomials and do not
//! contribute for large $k$); it misses contributions decaying exponentially in $k$ (complex
//! singularities of deep kernels near $[-1,1]$), so it is used only from the degree on which it
//! agrees with the quadrature or the power series on a window of degrees.
//!
//! The power series: $\mu_k(t^n) = \Gamma(d/2)\\,n!/(2^n\Gamma(\frac{n-k}2+1)\Gamma(\frac{n+k+d}2))$
//! for $n \ge k$, $n\equiv k$ ([`crate::gegenbauer::monomial_eigenvalue`]); consecutive terms
//! follow the exact ratio $(n+1)(n+2)/((n-k+2)(n+k+d))$ and the truncation is estimated from
//! the power-law decay $n^{-(d+2)/2}$ of the terms.
//!
//! **Ranges and accuracy** (estimated relative error of every non-zero $\mu_k$, checked against
//! 60- and 110-digit mpmath values, closed forms and between methods computed independently,
//! [`spectrum_by_method`]): $\le 10^{-10}$ for $2\le d\le 10$, $k \le 10^4$ and for
//! $10 \le d \le 10^4$, $k \le 200$, MLP/ResNet, NTK/NNGP, depth $\le 100$. For
//! $20 \lesssim d \lesssim 80$ with depth $\gtrsim 50$ and $k \gtrsim 100$ only the
//! quad-double quadrature reaches the goal (a few seconds at depth 100). Each [`Eigenvalue`]
//! carries its own estimate ([`Eigenvalue::rel_error`]).
//!
//! **Decay** ([`decay`]): $\mu_k \sim (c_1 \pm c_{-1})\\,C(d,\nu)\\,k^{-(d-1+2\nu)}$ for even/odd
//! $k$ with $C(d,\nu)$ of [`decay_constant`] (twice the value printed by Bietti & Bach), for
//! kernels with an endpoint singularity $(1\mp t)^\nu$ ([`DecayClass::Polynomial`]); kernels
//! analytic on $[-1,1]$ (smooth activations) decay geometrically or faster
//! ([`DecayClass::Geometric`], with a measured rate) and polynomial kernels have finitely many
//! non-zero $\mu_k$ ([`DecayClass::Finite`]).
//!
//! **Positivity** (Schoenberg, *Positive definite functions on spheres*, Duke Math. J. 9, 1942):
//! $\kappa(\langle x,y\rangle)$ is positive definite on $S^{d-1}$ iff all $\mu_k \ge 0$, and on
//! every sphere iff all Maclaurin coefficients $b_n \ge 0$ ([`schoenberg_sphere`],
//! [`schoenberg_all_spheres`]).

mod decay;
mod endpoint;
mod error;
mod mercer;
mod power;
mod quadrature;
mod schoenberg;

pub use decay::{Decay, DecayClass, RATE_FIT_DEGREE, decay, fitted_exponent, fitted_rate};
pub use endpoint::decay_constant;
pub use error::SpectrumError;
pub use mercer::{
    CrossCheck, Eigenvalue, Method, MethodValue, Spectrum, TARGET_REL_ERROR, mercer_spectrum,
    spectrum_by_method,
};
pub use quadrature::{MAX_QUADRATURE_NODES, default_nodes, spectrum_of_angle_function};
pub use schoenberg::{
    MACLAURIN_TOLERANCE, Violation, first_negative, schoenberg_all_spheres, schoenberg_sphere,
};

/// Whether a spectrum or decay law is of $\kappa$ or of the normalized kernel $\kappa/\kappa(1)$.
///
/// The functions that take it accept a `bool` too (`true` = [`Normalization::Normalized`]):
///
/// ```
/// use ntk_sphere::spectrum::{Normalization, mercer_spectrum};
/// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
/// let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// let a = mercer_spectrum(&k, 4, Normalization::Normalized).unwrap();
/// assert_eq!(a, mercer_spectrum(&k, 4, true).unwrap());
/// assert_eq!(a.eigenvalues[0].mu, 0.25);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Normalization {
    /// The kernel $\kappa$ as it is.
    Unnormalized,
    /// $\kappa/\kappa(1)$.
    Normalized,
}

impl From<bool> for Normalization {
    fn from(normalized: bool) -> Self {
        if normalized {
            Normalization::Normalized
        } else {
            Normalization::Unnormalized
        }
    }
}

impl Normalization {
    /// Whether this is [`Normalization::Normalized`].
    pub fn is_normalized(self) -> bool {
        self == Normalization::Normalized
    }
}

/// Largest supported ambient dimension $d$.
pub const MAX_DIM: usize = 100_000;

/// Largest supported degree $k_{\max}$.
pub const MAX_DEGREE: usize = 1_000_000;

pub(crate) fn check_dim(d: usize) -> Result<(), SpectrumError> {
    if (2..=MAX_DIM).contains(&d) {
        Ok(())
    } else {
        Err(SpectrumError::DimensionOutOfRange {
            dim: d,
            max: MAX_DIM,
        })
    }
}
