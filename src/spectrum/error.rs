//! Errors of the [`spectrum`](crate::spectrum) module.

use thiserror::Error;

use crate::error::KernelError;
use crate::gegenbauer::GegenbauerError;
use crate::series::SeriesError;

/// Everything that can go wrong when computing a Mercer spectrum; each variant carries the
/// offending value.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SpectrumError {
    /// The sphere $S^{d-1}$ needs $d \ge 2$ (and $d$ at most [`super::MAX_DIM`]).
    #[error("dimension d = {dim} is out of range (need 2 <= d <= {max})")]
    DimensionOutOfRange {
        /// The rejected dimension.
        dim: usize,
        /// The largest supported dimension.
        max: usize,
    },
    /// The largest degree asked for exceeds [`super::MAX_DEGREE`].
    #[error("kmax = {kmax} is too large (at most {max})")]
    DegreeTooLarge {
        /// The rejected degree.
        kmax: usize,
        /// The largest supported degree.
        max: usize,
    },
    /// A quadrature rule with an unsupported number of nodes was requested.
    #[error("quadrature with n = {n} nodes is not supported (need 1 <= n <= {max})")]
    NodeCount {
        /// The rejected node count.
        n: usize,
        /// The largest supported node count.
        max: usize,
    },
    /// A real parameter (named `name`) is not finite or out of its range.
    #[error("{name} = {value} is invalid ({expected})", value = crate::error::num(*value))]
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The admissible range.
        expected: &'static str,
    },
    /// A sampled function value (kernel given as a function) is not finite.
    #[error("the kernel value at theta = {theta} is not finite ({value})", theta = crate::error::num(*theta), value = crate::error::num(*value))]
    NonFiniteSample {
        /// The angle.
        theta: f64,
        /// The value returned.
        value: f64,
    },
    /// An eigenvalue of the un-normalized kernel exceeds `f64` (huge variances or depth); the
    /// normalized spectrum $\mu_k/\kappa(1)$ never overflows.
    #[error(
        "eigenvalue mu_{k} of magnitude 10^{log10_abs:.1} does not fit in f64; \
         ask for the normalized spectrum (mu_k / kappa(1))"
    )]
    EigenvalueOverflow {
        /// The degree.
        k: usize,
        /// $\log_{10}|\mu_k|$.
        log10_abs: f64,
    },
    /// The kernel cannot be evaluated or normalized.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// A series expansion of the kernel failed.
    #[error(transparent)]
    Series(#[from] SeriesError),
    /// A Gegenbauer-toolkit routine failed.
    #[error(transparent)]
    Gegenbauer(#[from] GegenbauerError),
}
