//! Series expansions of the kernels at $t = 0$ (power series in $t$) and at $t = \pm1$ (Puiseux
//! series in $s = \sqrt{1\mp t}$), produced by running *the same* recursion of [`crate::arch`] on
//! series number types (docs/design.md §2, "one recursion, many number types").
//!
//! # Number types
//!
//! [`PowerSeries`] and [`PuiseuxSeries`] are truncated power series in one variable $x$
//! ($x = t$, resp. $x = s$) with coefficients in a [`Coefficient`] field — `f64` by default
//! (`PowerSeries` = `PowerSeries<f64>`), or an exact field such as
//! [`crate::symbolic::exact::Exact`] ($\mathbb Q(a)(\sqrt2,\pi)$, for exact expansions at $t = 1$,
//! [`crate::symbolic::exact_series`]) — implementing [`crate::scalar::KernelScalar`]:
//! truncated Cauchy products, quotients $q_k = (a_k - \sum_{i\ge1} b_i q_{k-i})/b_0$, square roots
//! $r_k = (u_k - \sum_{0<i<k} r_i r_{k-i})/(2r_0)$, and the ReLU dual maps (arc-cosine kernels,
//! Cho & Saul 2009) $\kappa_0(\rho) = 1 - \arccos(\rho)/\pi$,
//! $\kappa_1(\rho) = \big(\rho(\pi-\arccos\rho) + \sqrt{1-\rho^2}\big)/\pi$ of a series
//! $\rho(x)$. A constant from `from_f64` is *exact* (it has no truncation order); a binary
//! operation keeps the smaller truncation order.
//!
//! **Interior branch**, $\rho_0 = \rho(0) \in (-1, 1)$. Instead of composing the Taylor series of
//! $\kappa_0$ at $\rho_0$ with $\rho - \rho_0$ ($O(N^3)$), both maps are obtained from their
//! differential equations in $x$ ($O(N^2)$):
//! $$\frac{d}{dx}\kappa_0(\rho) = \frac{\rho'}{\pi\sqrt{1-\rho^2}},\qquad
//!   \frac{d}{dx}\kappa_1(\rho) = \kappa_0(\rho)\\,\rho',$$
//! with $1-\rho^2 = (1-\rho_0)(1+\rho_0) - r(2\rho_0 + r)$, $r = \rho-\rho_0$, raised to the power
//! $-\tfrac12$ by J. C. P. Miller's recurrence. (This is the series form of the ODE
//! $(1-u^2)\kappa_0'' = u\\,\kappa_0'$; and $\kappa_1' = \kappa_0$.) At $t = 0$ all series involved
//! have coefficients of one sign, so there is no cancellation: the Maclaurin coefficients keep
//! near-double *relative* accuracy up to high order (tested to $n = 2000$).
//!
//! **Endpoint branches** ([`PuiseuxSeries`] only), $\rho = \sigma(1 - g)$ with $\sigma = \pm 1$ and
//! gap $g = s^2 u(s)$, $u_0 > 0$. With $\vartheta = 2\arcsin\sqrt{g/2}$ (the angle $\theta$ if
//! $\sigma = 1$, $\pi - \theta$ if $\sigma = -1$; Bietti & Bach 2021, eq. (3)):
//! $$\kappa_0(1-g) = 1 - \frac{\vartheta}{\pi},\quad \kappa_0(-1+g) = \frac{\vartheta}{\pi},\quad
//!   \kappa_1 = \kappa_1(\sigma) + \int_0^s \kappa_0(\rho)\\,\rho'\\,ds,$$
//! where $\sqrt{g/2} = s\sqrt{u/2}$ is a series in $s$ and $\arcsin v = \int v'/\sqrt{1-v^2}$.
//! So $\kappa_0(1-s^2) = 1 - \tfrac{\sqrt2}{\pi}s + O(s^3)$ and
//! $\kappa_1(1-s^2) = 1 - s^2 + \tfrac{2\sqrt2}{3\pi}s^3 + O(s^5)$ (Bietti & Bach 2021, §3).
//! An endpoint branch returns $\kappa_0$ with one known coefficient fewer ($\sqrt g$ needs $g$ to
//! one order beyond); $\kappa_1$, hence the next correlation, keeps them all, so
//! [`endpoint_expansion`] works at order $N + 2$ whatever the depth.
//!
//! **Choosing the branch.** The branch is decided from the constant term $\rho_0$ alone: within
//! 8 ulps of $\pm1$ it is $\pm1$, otherwise interior if $|\rho_0| < 1$ (exact coefficient types,
//! [`Coefficient::EXACT`], test $\rho_0 = \pm1$ and a vanishing $s^1$ gap term exactly). In the recursion the
//! constant term is in fact *exactly* $\pm1$ whenever the input is at $t = \pm1$: the correlation is
//! $\rho = c/\sqrt{q_xq_y}$, the diagonal covariances $q_x = q_y$ are exact constants computed by
//! the same `f64` operations as the constant term of $c$ (the recursion evaluates the diagonal
//! through the same code path, and the dual maps return exactly $\kappa_{0,1}(1) = 1$,
//! $\kappa_{0,1}(-1) = 0$), $\sqrt{q^2} = q$ in IEEE arithmetic, and a series is divided by a
//! constant coefficient-wise. The $s^1$ coefficient of the gap is then an exact zero too (the
//! endpoint branch builds $\kappa_1 - \kappa_1(\pm1)$ as an integral whose $s^1$ term vanishes), so
//! $\sqrt g$ is a series in $s$. Deeper layers at $t = -1$ map $\rho_0 = -1$ to an interior
//! correlation (e.g. $\kappa_1(-1) = 0$), handled by the interior branch in powers of $s$.
//! A correlation outside $[-1,1]$, an endpoint correlation in a [`PowerSeries`], a gap without a
//! positive $s^2$ term, or a division by a series with zero constant term gives `NaN`
//! coefficients; the functions below report it as [`SeriesError::Degenerate`].
//!
//! # Expansions of a kernel
//!
//! * [`maclaurin_coefficients`]: $\kappa(t) = \sum_n b_n t^n$. By Schoenberg's theorem on
//!   $S^\infty$ and since the kernels are dot-product kernels of every dimension (Daniely, Frostig
//!   & Singer 2016), $b_n \ge 0$ and $\sum_n b_n = \kappa(1)$; for the NTK
//!   $b_n \sim (c_1 \pm c_{-1})\\,C(\tfrac12)\\,n^{-3/2}$ by parity (Bietti & Bach 2021, appendix,
//!   Corollary "Taylor coefficients"), a slowly convergent sum. With the positive-term route
//!   $\mu_k = \sum_n b_n\\,\mu_k(t^n)$ they give Mercer eigenvalues without cancellation
//!   (docs/design.md §3).
//! * [`endpoint_expansion`]: $\kappa(1 - s^2) = \sum_j a_j s^j$ ([`Endpoint::Plus`]) and
//!   $\kappa(-1 + s^2) = \sum_j a_j s^j$ ([`Endpoint::Minus`]), i.e. expansions in half-integer
//!   powers of $1\mp t$ (Bietti & Bach 2021, §3 and appendix; Chen & Xu 2021, *Deep neural
//!   tangent kernel and Laplace kernel have the same RKHS*; Geifman et al. 2020, *On the
//!   similarity between the Laplace and neural tangent kernels*).
//! * [`kink_coefficients`]: $(c_+, c_-)$ of the normalized kernel,
//!   $$\frac{\kappa(1-g)}{\kappa(1)} = 1 - c_+\sqrt g + O(g),\qquad
//!   \frac{\kappa(-1+g)}{\kappa(1)} = \frac{\kappa(-1)}{\kappa(1)} - c_-\sqrt g + O(g),$$
//!   with the sign convention of `docs/literature.md` §3.3 ($c_\ell^-$ of the deep NTK is
//!   positive). In Bietti & Bach's notation $c_1 = -c_+$, $c_{-1} = -c_-$, and the NTK
//!   eigenvalues of the normalized kernel decay as
//!   $\mu_k \sim -(c_+ \pm c_-)\\,C(d,\tfrac12)\\,k^{-d}$ for even/odd $k$, with the corrected
//!   constant $C(d,\nu)$ of `docs/literature.md` §3.4.
//!
//! ```
//! use ntk_sphere::{Mlp, KernelKind, SphereKernel};
//! use ntk_sphere::series::kink_coefficients;
//! // MLP with L hidden layers: c₊ = L√2/(2π).
//! let k = SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
//! let (c_plus, _c_minus) = kink_coefficients(&k).unwrap();
//! assert!((c_plus - 5.0 * 2f64.sqrt() / (2.0 * std::f64::consts::PI)).abs() < 1e-13);
//! ```

mod arith;
mod coefficient;
mod expansion;
mod types;

pub use coefficient::Coefficient;
pub(crate) use expansion::endpoint_scaled_in;
pub use expansion::{
    Endpoint, endpoint_expansion, endpoint_expansion_normalized, kink_coefficients,
    maclaurin_coefficients, maclaurin_coefficients_normalized,
};
pub use types::{PowerSeries, PuiseuxSeries};

use crate::error::KernelError;
use thiserror::Error;

/// The largest truncation order accepted by the constructors and expansion functions (the
/// operations cost $O(N^2)$; this bound only keeps absurd requests from exhausting memory).
pub const MAX_ORDER: usize = 1 << 20;

/// Errors of the series expansions.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SeriesError {
    /// The kernel cannot be evaluated or normalized (e.g. coefficients that do not fit in
    /// `f64`: use the normalized functions).
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// A truncation order above [`MAX_ORDER`] was requested.
    #[error("series order {order} exceeds the maximum {}", MAX_ORDER)]
    OrderTooLarge {
        /// The requested order.
        order: usize,
    },
    /// A series was constructed from no coefficients.
    #[error("a series needs at least one coefficient")]
    EmptySeries,
    /// The expansion produced an invalid (`NaN`) coefficient: some operation had no series result
    /// (a correlation outside $[-1,1]$, a division by a series with zero constant term, …).
    #[error(
        "the {what} expansion is degenerate: coefficient {index} is not finite (a correlation \
         within rounding of +-1 where the series needs an interior point, as in deep networks \
         with biases whose kernel is constant to double precision, or a division by a \
         vanishing series)"
    )]
    Degenerate {
        /// Which expansion.
        what: &'static str,
        /// Index of the first non-finite coefficient.
        index: usize,
    },
}
