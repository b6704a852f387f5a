//! Errors of the [`gegenbauer`](crate::gegenbauer) module.

use thiserror::Error;

/// Everything that can go wrong in the Gegenbauer toolkit; each variant carries the offending
/// value so that callers (and the `ntk` command line) can name it.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum GegenbauerError {
    /// The ambient dimension $d$ of $S^{d-1}\subset\mathbb R^d$ is below the minimum (usually 2).
    #[error("dimension d = {d} is too small (need d >= {min})")]
    DimensionTooSmall {
        /// The offending dimension.
        d: usize,
        /// The smallest admissible dimension.
        min: usize,
    },
    /// A real input (named `name`) is NaN or infinite.
    #[error("{name} = {value} is not finite", value = crate::error::num(*value))]
    NonFinite {
        /// Name of the argument.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A real input lies outside its admissible range (e.g. $t\notin[-1,1]$, $\lambda\le -1/2$).
    #[error("{name} = {value} is out of range ({expected})", value = crate::error::num(*value))]
    OutOfRange {
        /// Name of the argument.
        name: &'static str,
        /// Its value.
        value: f64,
        /// Human-readable admissible range.
        expected: &'static str,
    },
    /// The exponent $\nu$ of $(1\mp t)^\nu$ makes the Funk–Hecke integral diverge
    /// (need $\nu > -(d-1)/2$) or is not finite.
    #[error("exponent nu = {nu} is invalid for d = {d} (need nu > -(d-1)/2 and finite)", nu = crate::error::num(*nu))]
    InvalidExponent {
        /// The exponent.
        nu: f64,
        /// The dimension.
        d: usize,
    },
    /// A Gauss rule was requested with zero nodes.
    #[error("a Gauss rule needs at least one node (got n = {n})")]
    TooFewNodes {
        /// Requested number of nodes.
        n: usize,
    },
    /// A Gauss rule was requested with more nodes than supported.
    #[error("n = {n} nodes exceeds the supported maximum {max}")]
    TooManyNodes {
        /// Requested number of nodes.
        n: usize,
        /// Supported maximum.
        max: usize,
    },
    /// The exact multiplicity $N(d,k)$ does not fit the requested integer type.
    #[error("multiplicity N(d = {d}, k = {k}) overflows the integer type")]
    MultiplicityOverflow {
        /// Dimension.
        d: usize,
        /// Degree.
        k: usize,
    },
    /// An output or input buffer has the wrong length.
    #[error("buffer `{name}` has length {got}, expected {expected}")]
    BufferLength {
        /// Name of the buffer.
        name: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// An input buffer that needs at least one value is empty.
    #[error("buffer `{name}` is empty (need at least one value)")]
    EmptyBuffer {
        /// Name of the buffer.
        name: &'static str,
    },
    /// Two vectors (or a vector and the dimension) disagree in length.
    #[error("dimension mismatch: expected length {expected}, got {got}")]
    DimensionMismatch {
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A point that should lie on the unit sphere has norm `norm` (tolerance `1e-8`).
    #[error("point is not on the unit sphere (norm = {norm})", norm = crate::error::num(*norm))]
    NotUnitVector {
        /// The Euclidean norm of the point.
        norm: f64,
    },
    /// The order $m$ of a spherical harmonic violates $|m|\le \ell$.
    #[error("order m = {m} is invalid for degree l = {l} (need |m| <= l)")]
    InvalidOrder {
        /// Degree.
        l: usize,
        /// Order.
        m: i64,
    },
    /// A size parameter (degree, number of coefficients) exceeds what is allocated in memory.
    #[error("{name} = {value} exceeds the supported maximum {max}")]
    TooLarge {
        /// Name of the argument.
        name: &'static str,
        /// Its value.
        value: usize,
        /// Supported maximum.
        max: usize,
    },
    /// The Newton iteration for the nodes of a Gauss rule did not converge (should not happen
    /// for admissible inputs; reported rather than returning inaccurate nodes).
    #[error("the Gauss rule nodes did not converge for n = {n}, lambda = {lambda} \
         (too many nodes for this lambda; use fewer nodes)", lambda = crate::error::num(*lambda))]
    NoConvergence {
        /// Number of nodes.
        n: usize,
        /// Gegenbauer parameter.
        lambda: f64,
    },
    /// A value (named `name`) exceeds `f64`; its logarithm is given. The `_log` variants of
    /// the functions return it as a [`crate::gegenbauer::LogValue`].
    #[error("{name} of magnitude 10^{log10_abs:.1} does not fit in f64")]
    ValueOverflow {
        /// What was computed.
        name: &'static str,
        /// $\log_{10}$ of its magnitude.
        log10_abs: f64,
    },
}

/// Result alias of the module.
pub type Result<T> = std::result::Result<T, GegenbauerError>;

/// Checks that `value` is finite.
pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(GegenbauerError::NonFinite { name, value })
    }
}

/// Checks $d\ge$ `min`.
pub(crate) fn dim_at_least(d: usize, min: usize) -> Result<()> {
    if d < min {
        Err(GegenbauerError::DimensionTooSmall { d, min })
    } else {
        Ok(())
    }
}

/// Largest polynomial degree accepted by the evaluators (bounds memory of the buffer-allocating
/// conveniences and the $O(k)$ time of single evaluations): $10^8$.
pub const MAX_ALLOC_DEGREE: usize = 100_000_000;

/// Checks an allocation size parameter against [`MAX_ALLOC_DEGREE`].
pub(crate) fn alloc_ok(name: &'static str, value: usize, max: usize) -> Result<()> {
    if value > max {
        Err(GegenbauerError::TooLarge { name, value, max })
    } else {
        Ok(())
    }
}

/// Checks that `t` is finite and in $[-1,1]$.
pub(crate) fn unit_interval(t: f64) -> Result<f64> {
    finite("t", t)?;
    if (-1.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(GegenbauerError::OutOfRange {
            name: "t",
            value: t,
            expected: "[-1, 1]",
        })
    }
}
