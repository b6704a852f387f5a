//! Errors of the [`regression`](crate::regression) module.

use thiserror::Error;

use crate::error::KernelError;
use crate::spectrum::SpectrumError;

/// Everything that can go wrong when fitting or measuring a kernel regressor; each variant
/// carries the offending value.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum RegressionError {
    /// The kernel cannot be evaluated (or differentiated) at the data.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// The Mercer spectrum needed by a spectral measure failed.
    #[error(transparent)]
    Spectrum(#[from] SpectrumError),
    /// The ridge parameter must be finite and $\ge 0$.
    #[error("ridge must be finite and >= 0, got {ridge}", ridge = crate::error::num(*ridge))]
    InvalidRidge {
        /// The rejected value.
        ridge: f64,
    },
    /// The points do not live in $\mathbb R^d$ of the kernel.
    #[error(
        "points have {found} coordinates but the kernel lives on S^{{d-1}} with d = {expected}"
    )]
    DimensionMismatch {
        /// The kernel's ambient dimension $d$.
        expected: usize,
        /// The number of coordinates of the points.
        found: usize,
    },
    /// A point is not on the unit sphere (tolerance [`super::UNIT_TOLERANCE`]).
    #[error("point {index} has norm {norm}, not 1 (points must lie on the unit sphere)", norm = crate::error::num(*norm))]
    NotUnit {
        /// Index of the point.
        index: usize,
        /// Its Euclidean norm.
        norm: f64,
    },
    /// Different numbers of points and targets.
    #[error("{points} points but {targets} targets")]
    LengthMismatch {
        /// Number of points.
        points: usize,
        /// Number of targets.
        targets: usize,
    },
    /// A target (or a value of a target function) is not finite.
    #[error("target {index} is not finite ({value})", value = crate::error::num(*value))]
    NonFiniteTarget {
        /// Index of the target (or of the test point).
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// An angle is not finite.
    #[error("angle {index} is not finite ({value})", value = crate::error::num(*value))]
    NonFiniteAngle {
        /// Index of the angle.
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// No data.
    #[error("empty input: {what}")]
    EmptyInput {
        /// What was empty.
        what: &'static str,
    },
    /// Two coincident points (angle below [`super::COINCIDENCE_ANGLE`]) carry different targets;
    /// exact interpolation (ridge 0) is impossible.
    #[error("points {first} and {second} coincide but have different targets {first_target} and {second_target} (use a ridge > 0)", first_target = crate::error::num(*first_target), second_target = crate::error::num(*second_target))]
    ConflictingTargets {
        /// Index of the first point.
        first: usize,
        /// Index of the second point.
        second: usize,
        /// Target of the first point.
        first_target: f64,
        /// Target of the second point.
        second_target: f64,
    },
    /// The Cholesky factorization of $K + \lambda W^{-1}$ met a non-positive pivot: the system
    /// matrix is not positive definite.
    #[error("the regularized Gram matrix is not positive definite (pivot {index})")]
    NotPositiveDefinite {
        /// Index (among the merged centers) of the failing pivot.
        index: usize,
    },
    /// A Cholesky pivot is positive but negligible: $L_{ii}^2 / A_{ii}$ below
    /// [`super::SINGULAR_PIVOT`], so the Gram matrix is numerically singular.
    #[error(
        "the regularized Gram matrix is numerically singular: relative pivot {relative_pivot:e} at index {index}"
    )]
    Singular {
        /// Index (among the merged centers) of the pivot.
        index: usize,
        /// $L_{ii}^2/A_{ii}$.
        relative_pivot: f64,
    },
    /// A fitted coefficient or a prediction exceeds `f64`: the targets are too large for the
    /// scale of the kernel values (rescale the targets, or the kernel's variances).
    #[error("{quantity} {index} overflows f64 ({value}): targets up to {max_target:e} are too large \
         for kernel values of order {kernel_scale:e}; rescale the targets", value = crate::error::num(*value))]
    Overflow {
        /// `coefficient` or `prediction`.
        quantity: &'static str,
        /// Its index (center or point).
        index: usize,
        /// The non-finite value.
        value: f64,
        /// The largest absolute target.
        max_target: f64,
        /// The largest diagonal Gram entry $\kappa(1)$.
        kernel_scale: f64,
    },
    /// The operation is defined only on the circle $S^1$ ($d = 2$).
    #[error("this operation needs the circle (d = 2), the kernel has d = {dim}")]
    NotCircle {
        /// The kernel's dimension.
        dim: usize,
    },
    /// A Sobolev order must be finite and $\ge 0$.
    #[error("Sobolev order s must be finite and >= 0, got {s}", s = crate::error::num(*s))]
    InvalidSobolevOrder {
        /// The rejected order.
        s: f64,
    },
    /// The seminorm is infinite: its terms decay like $k^{q}$ with $q \ge -1$.
    #[error("the H^{s} seminorm is infinite for this kernel (terms decay like k^{exponent})", s = crate::error::num(*s), exponent = crate::error::num(*exponent))]
    SobolevDiverges {
        /// The order.
        s: f64,
        /// The decay exponent $q$ of the terms.
        exponent: f64,
    },
    /// A grid needs at least one point and at most [`super::MAX_GRID_POINTS`].
    #[error(
        "a grid needs between 1 and {} points, got {n}",
        super::MAX_GRID_POINTS
    )]
    InvalidGrid {
        /// The rejected size.
        n: usize,
    },
}
