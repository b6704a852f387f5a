//! Errors of the finite-width networks.

use thiserror::Error;

/// Invalid arguments of the finite-width networks (see [`crate::empirical`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum EmpiricalError {
    /// A forward pass applied to a network whose parameter shapes differ from those of the
    /// network that recorded it ([`crate::empirical::ForwardPass::descend`]).
    #[error("the forward pass was recorded on a network with other parameter shapes")]
    PassMismatch,
    /// The architecture has no finite-width sampler. No longer returned by
    /// [`crate::empirical::FiniteNetwork::sample`], which samples every composition of built-in
    /// layers and reports [`EmpiricalError::UnsupportedLayer`] otherwise; kept for
    /// compatibility.
    #[error("this architecture has no finite-width sampler")]
    UnsupportedArchitecture,
    /// The architecture contains a layer with no finite-width counterpart (a custom layer).
    #[error("a {kind} layer has no finite-width counterpart")]
    UnsupportedLayer {
        /// The kind of the rejected layer (`"custom"`).
        kind: &'static str,
    },
    /// The last layer of the network (after expanding nested serial compositions) must be a
    /// dense layer, whose output of width 1 is $f(x)$.
    #[error("the last layer of a finite-width network must be dense (the scalar output)")]
    LastLayerNotDense,
    /// A residual branch must map the width of its input to itself.
    #[error("a residual branch maps width {input} to width {output}")]
    ResidualWidthMismatch {
        /// The width of the residual block's input.
        input: usize,
        /// The width of the branch's output.
        output: usize,
    },
    /// The network has more scalar parameters than
    /// [`crate::empirical::MAX_PARAMETERS`] (counted with saturating arithmetic, before any
    /// allocation).
    #[error("the network has {count} parameters, more than the cap {cap}")]
    TooManyParameters {
        /// The parameter count (saturated at `usize::MAX`).
        count: usize,
        /// The cap.
        cap: usize,
    },
    /// A forward/backward pass over this many points would record more values than
    /// [`crate::empirical::MAX_TAPE_ENTRIES`]; pass fewer points at a time.
    #[error("a pass over {points} points records {entries} values, more than the cap {cap}")]
    TapeTooLarge {
        /// The number of points.
        points: usize,
        /// The number of recorded values (saturated at `usize::MAX`).
        entries: usize,
        /// The cap.
        cap: usize,
    },
    /// A computed quantity (an output, an empirical NTK entry or a gradient entry) is not
    /// finite: the network overflows on these inputs.
    #[error("{quantity} {index} is {value}: the network overflows f64 on these inputs", value = crate::error::num(*value))]
    NonFinite {
        /// What was computed.
        quantity: &'static str,
        /// Its index (row-major for matrices, column-major within a gradient tensor).
        index: usize,
        /// The non-finite value.
        value: f64,
    },
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
    #[error("coefficient {index} is not finite: {value}", value = crate::error::num(*value))]
    NonFiniteCoefficient {
        /// Index of the coefficient.
        index: usize,
        /// The rejected value.
        value: f64,
    },
}

/// The first non-finite entry of an iterator, as a typed error.
pub(crate) fn check_finite(
    quantity: &'static str,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), EmpiricalError> {
    match values.into_iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, value)) => Err(EmpiricalError::NonFinite {
            quantity,
            index,
            value,
        }),
        None => Ok(()),
    }
}
