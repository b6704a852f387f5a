//! # ntk-sphere
//!
//! Spectral and smoothness analysis of the neural tangent kernels (NTK) and NNGP kernels of
//! ReLU multilayer perceptrons and residual networks on the unit sphere $S^{d-1}$, following
//! Tirer, Bruna & Giryes, *Kernel-Based Smoothness Analysis of Residual Networks* (MSML 2021,
//! arXiv:2009.10008) and Bietti & Bach, *Deep Equals Shallow for ReLU Networks in Kernel Regimes*
//! (ICLR 2021).
//!
//! Conventions (measure, normalizations, network models) are those of `DESIGN.md` and are
//! summarised in the crate README.
//!
//! * [`activation`] — the ReLU dual activations (arc-cosine maps $\kappa_0$, $\kappa_1$).
//! * [`scalar`] — the number types the single kernel recursion runs on ([`scalar::KernelScalar`]).
//! * [`arch`] — the [`arch::Mlp`] and [`arch::ResNet`] layer recursions, written once.
//! * [`kernel`] — dot-product kernels on the sphere and Gram matrices for arbitrary inputs.
//! * [`gegenbauer`] — Gegenbauer/Legendre polynomials, Gauss rules, Funk–Hecke coefficients.
//! * [`series`] — power series at $t = 0$ and Puiseux series at $t = \pm1$ of every kernel.
//! * [`spectrum`] — Mercer eigenvalues to relative accuracy, decay exponents and constants,
//!   Schoenberg positivity checks.
//! * [`smoothness`] — kink coefficients, slopes, decay constants, and the proved ResNet-vs-MLP
//!   ordering ([`smoothness::closed_form`]).
//! * [`empirical`] — finite-width random networks and their exact empirical NTK.
//! * [`regression`] — kernel interpolation / ridge regression on the sphere and smoothness
//!   measures of the fitted functions (RKHS norm, Sobolev seminorms, derivative jumps).

pub mod activation;
pub mod arch;
pub mod empirical;
pub mod error;
pub mod gegenbauer;
pub mod kernel;
pub mod regression;
pub mod scalar;
pub mod series;
pub mod smoothness;
pub mod spectrum;

pub use arch::{Architecture, KernelKind, Mlp, ResNet};
pub use error::{ArchError, KernelError};
pub use kernel::{Points, SphereKernel};
