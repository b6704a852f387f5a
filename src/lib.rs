//! # ntk-sphere
//!
//! Spectral and smoothness analysis of the neural tangent kernels (NTK) and NNGP kernels of
//! ReLU multilayer perceptrons and residual networks on the unit sphere $S^{d-1}$, following
//! Tirer, Bruna & Giryes, *Kernel-Based Smoothness Analysis of Residual Networks* (MSML 2021,
//! arXiv:2009.10008) and Bietti & Bach, *Deep Equals Shallow for ReLU Networks in Kernel Regimes*
//! (ICLR 2021).
//!
//! Conventions (measure, normalizations, network models) are those of `docs/conventions.md` and are
//! summarised in the crate README.
//!
//! * [`activation`] — dual activations: built-in closed forms (ReLU family, erf, GELU, sin/cos,
//!   Gaussian, exp, polynomials), closure activations by quadrature, and the
//!   [`activation::DualActivation`] trait for your own.
//! * [`scalar`] — the number types the single kernel recursion runs on ([`scalar::KernelScalar`]).
//! * [`arch`] — networks as data: [`arch::Layer`]s (dense, activation, residual, serial, your
//!   own [`arch::KernelLayer`]) composed into an [`Architecture`]; [`arch::Mlp`] and
//!   [`arch::ResNet`] are two such compositions.
//! * [`kernel`] — dot-product kernels on the sphere and Gram matrices for arbitrary inputs.
//! * [`gegenbauer`] — Gegenbauer/Legendre polynomials, Gauss rules, Funk–Hecke coefficients.
//! * [`series`] — power series at $t = 0$ and Puiseux series at $t = \pm1$ of every kernel.
//! * [`spectrum`] — Mercer eigenvalues to relative accuracy, decay exponents and constants,
//!   Schoenberg positivity checks.
//! * [`smoothness`] — kink coefficients, slopes, decay constants, and the proved ResNet-vs-MLP
//!   ordering ([`smoothness::closed_form`]).
//! * [`empirical`] — finite-width random networks and their exact empirical NTK.
//! * [`training`] — full-batch gradient descent of the finite-width networks, the drift of
//!   their NTK, and the distance to the infinite-width prediction (the kernel regime measured).
//! * [`regression`] — kernel interpolation / ridge regression on the sphere and smoothness
//!   measures of the fitted functions (RKHS norm, Sobolev seminorms, derivative jumps).
//! * [`symbolic`] — the recursions on expressions and exact numbers: closed forms, exact
//!   series, the smoothness theorems derived; [`derivation`] and [`derivations`] — the
//!   generated derivation documents.

//!
//! ## Writing your own activation or layer
//!
//! An activation is known to the recursions through its dual maps
//! $(q_x, q_y, c) \mapsto (\mathbb E[\phi(u)\phi(v)], \mathbb E[\phi'(u)\phi'(v)])$. Give it
//! as a closure ([`activation::ClosureActivation`]: numerical, `f64` accuracy) or implement
//! [`activation::DualActivation`] once, generically over the number type, and wrap it with
//! [`activation::Activation::custom`]. A new layer implements [`arch::KernelLayer`] and is
//! wrapped with [`arch::Layer::custom`].
//!
//! ```
//! use ntk_sphere::activation::{Activation, ClosureActivation};
//! use ntk_sphere::arch::{Architecture, Layer, Serial};
//! use ntk_sphere::{KernelKind, SphereKernel};
//! // The softplus log(1 + eˣ) as a closure, in a one-hidden-layer network on S².
//! let softplus = ClosureActivation::new("softplus", |x: f64| x.exp().ln_1p().max(x))
//!     .with_derivative(|x: f64| 1.0 / (1.0 + (-x).exp()));
//! let net = Serial::new(vec![
//!     Layer::dense(1.0, 0.0).unwrap(),
//!     Layer::activation(Activation::closure(softplus)),
//!     Layer::dense(1.0, 0.0).unwrap(),
//! ]).unwrap();
//! let k = SphereKernel::new(Architecture::from(net), KernelKind::Nngp, 3).unwrap();
//! // NNGP at t = 1: E[softplus(u)²], u ~ N(0, 1/3), is between E[relu(u)²] = 1/6 and E[(relu(u) + log 2)²].
//! let v = k.eval(1.0).unwrap();
//! assert!(v > 1.0 / 6.0 && v < 1.0);
//! ```

pub mod activation;
pub mod arch;
pub mod derivation;
pub mod derivations;
pub mod empirical;
pub mod error;
pub mod gegenbauer;
pub mod kernel;
pub mod regression;
pub mod scalar;
pub mod series;
pub mod smoothness;
pub mod spectrum;
pub mod symbolic;
pub mod training;
mod vector_state;

/// The linear-algebra crate of [`kernel::Matrix::to_faer`] and of the regression solver,
/// re-exported so that its version always matches.
pub use faer;

pub use arch::{Architecture, KernelKind, Mlp, ResNet};
pub use error::{ArchError, KernelError};
pub use kernel::{Points, SphereKernel};
