//! Errors of the finite-width networks.

use thiserror::Error;

/// Invalid arguments of the finite-width networks (see [`crate::empirical`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum EmpiricalError {
    /// The architecture is a general composition, which has no finite-width sampler yet.
    #[error("finite-width networks are available for the mlp and resnet presets only")]
    UnsupportedArchitecture,
    /// The hidden width $m$ must be at least 1.
    #[error("width must be >= 1, got {width}")]
    ZeroWidth {
        /// The rejected width.
        width: usize,
    },
    /// The width or the input dimension is so large that a weight matrix ($m\times m$ or
    /// $m\times d$) cannot be addressed.
    #[error(
        "width {width} with input dimension {input_dim} is too large: a weight matrix does not fit in memory"
    )]
    TooLarge {
        /// The requested width $m$.
        width: usize,
        /// The requested input dimension $d$.
        input_dim: usize,
    },
    /// The input dimension $d$ must be at least 1.
    #[error("input dimension must be >= 1, got {dim}")]
    ZeroInputDimension {
        /// The rejected dimension.
        dim: usize,
    },
    /// The points do not have the network's input dimension.
    #[error("input dimension mismatch: the network expects {expected} coordinates, got {found}")]
    InputDimensionMismatch {
        /// The network's input dimension $d$.
        expected: usize,
        /// The dimension of the points.
        found: usize,
    },
    /// The coefficient vector of [`crate::empirical::FiniteMlp::gradient`] does not have one
    /// entry per point.
    #[error("expected {expected} coefficients (one per point), got {found}")]
    CoefficientCountMismatch {
        /// The number of points.
        expected: usize,
        /// The number of coefficients.
        found: usize,
    },
    /// A non-finite coefficient.
    #[error("coefficient {index} is not finite: {value}")]
    NonFiniteCoefficient {
        /// Index of the coefficient.
        index: usize,
        /// The rejected value.
        value: f64,
    },
}
