//! Typed errors, one small enum per domain, each variant carrying the offending value.

use thiserror::Error;

/// Invalid network parameters (see [`crate::arch`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ArchError {
    /// A parameter that must be finite and strictly positive was not.
    #[error("{name} must be finite and > 0, got {value}", value = crate::error::num(*value))]
    NotPositive {
        /// Parameter name as used on the command line (`sigma-w2`, …).
        name: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A parameter that must be finite and non-negative was not.
    #[error("{name} must be finite and >= 0, got {value}", value = crate::error::num(*value))]
    Negative {
        /// Parameter name as used on the command line (`alpha`, `sigma-b2`, …).
        name: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A parameter that must be finite was not.
    #[error("{name} must be finite, got {value}", value = crate::error::num(*value))]
    NotFinite {
        /// Parameter name.
        name: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// The combination of options does not describe an architecture (e.g. `alpha` for an MLP).
    #[error("option {option} does not apply to the {arch} architecture")]
    OptionNotApplicable {
        /// The option that does not apply.
        option: &'static str,
        /// The architecture name.
        arch: &'static str,
    },
    /// The residual-branch scale $a = \alpha^2\sigma_w^2\sigma_v^2/2$ of a ResNet is not a finite
    /// double (every kernel of the ResNet depends on it).
    #[error(
        "the residual scale a = alpha^2 * sigma-w2 * sigma-v2 / 2 overflows for alpha = {alpha:e}, \
         sigma-w2 = {sigma_w2:e}, sigma-v2 = {sigma_v2:e}"
    )]
    ResidualScaleOverflow {
        /// The residual scale α.
        alpha: f64,
        /// σ_w².
        sigma_w2: f64,
        /// σ_v².
        sigma_v2: f64,
    },
    /// A network or residual branch without layers.
    #[error("a network or residual branch needs at least one layer")]
    EmptyNetwork,
    /// A polynomial activation without coefficients.
    #[error("a polynomial activation needs at least one coefficient")]
    EmptyPolynomial,
    /// A (rectified) monomial or polynomial degree above the supported maximum.
    #[error("activation degree {degree} exceeds the supported maximum {max}")]
    DegreeTooLarge {
        /// The rejected degree.
        degree: u64,
        /// The maximum.
        max: u32,
    },
}

/// Invalid inputs of kernel evaluation and Gram matrices (see [`crate::kernel`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum KernelError {
    /// Invalid architecture parameters.
    #[error(transparent)]
    Arch(#[from] ArchError),
    /// The ambient dimension must be at least 1.
    #[error("dimension must be >= 1, got {dim}")]
    DimensionTooSmall {
        /// The rejected dimension.
        dim: usize,
    },
    /// An inner product of unit vectors outside $[-1, 1]$ beyond the rounding allowance
    /// [`crate::kernel::INNER_PRODUCT_ROUNDING`] (or not finite).
    #[error("inner product t = {u} is outside [-1, 1] (values within 4 ulp, |t| <= 1 + 8.9e-16, are taken as +-1)", u = crate::error::num(*u))]
    InnerProductOutOfRange {
        /// The rejected inner product.
        u: f64,
    },
    /// An angle outside $[0, \pi]$ (or not finite).
    #[error("angle theta must lie in [0, pi], got {theta}", theta = crate::error::num(*theta))]
    AngleOutOfRange {
        /// The rejected angle.
        theta: f64,
    },
    /// A non-finite coordinate in an input point.
    #[error("input point {row} has a non-finite coordinate {value} at column {col}", value = crate::error::num(*value))]
    NonFiniteInput {
        /// Row (point) index, from 0.
        row: usize,
        /// Column (coordinate) index, from 0.
        col: usize,
        /// The rejected value.
        value: f64,
    },
    /// The point sets have different dimensions, or the data are ragged.
    #[error("dimension mismatch: expected {expected} coordinates, got {found}")]
    DimensionMismatch {
        /// The expected number of coordinates.
        expected: usize,
        /// The number found.
        found: usize,
    },
    /// A point set with no points or no coordinates.
    #[error("empty input: {what}")]
    EmptyInput {
        /// What was empty.
        what: &'static str,
    },
    /// A kernel value exists but does not fit in an `f64` (overflow, or underflow of a non-zero
    /// value); its base-2 logarithm is given.
    #[error("{}", not_representable(*log2_abs))]
    NotRepresentable {
        /// $\log_2 |K|$.
        log2_abs: f64,
    },
    /// The recursion produced a non-finite number (an overflow of the intermediate arithmetic,
    /// not of the kernel value, which is carried with a separate exponent).
    #[error("the kernel recursion overflowed its arithmetic (intermediate value {value}); \
         the parameters are too extreme to evaluate", value = crate::error::num(*value))]
    NonFiniteRecursion {
        /// The non-finite intermediate value.
        value: f64,
    },
    /// The kernel value at $t = 1$ is zero, so the kernel cannot be normalized.
    #[error(
        "kernel value at t = 1 is exactly zero (not an underflow: values carry their own \
         exponent); the kernel cannot be normalized"
    )]
    ZeroNormalization,
    /// The kernel value at $t = 1$ is negative (a composition that is not a positive
    /// definite kernel), so it has no logarithm and no spectrum normalized by it.
    #[error("kernel value at t = 1 is negative; the kernel is not positive definite")]
    NegativeNormalization,
    /// The derivative $\kappa'(u)$ is only defined (finite) for interior inner products
    /// $u \in (-1, 1)$; ReLU NTKs have a square-root kink at $u = \pm1$.
    #[error("the kernel derivative is defined for u in (-1, 1), got {u}", u = crate::error::num(*u))]
    DerivativeUndefined {
        /// The rejected inner product.
        u: f64,
    },
    /// The derivative at an interior $u$ is infinite in `f64`: the correlation of an inner layer
    /// rounds to $\pm1$, where the ReLU kink makes $\kappa'$ infinite (deep networks near
    /// $u = 1$).
    #[error("the kernel derivative at u = {u} is not finite in f64: an inner layer's correlation \
         rounds to +-1 (the ReLU kink); use the derivative in the angle (AngleDerivative)", u = crate::error::num(*u))]
    DerivativeAtKink {
        /// The inner product.
        u: f64,
    },
    /// The power series of the kernel at an endpoint $t = \pm1$ could not be formed.
    #[error("the expansion of the kernel at t = {endpoint} failed: {reason}", endpoint = crate::error::num(*endpoint))]
    EndpointExpansion {
        /// The endpoint, $1$ or $-1$.
        endpoint: f64,
        /// Why.
        reason: String,
    },
    /// An interpolation table of the fast Gram path missed its verified accuracy target.
    #[error("interpolation table error {error:e} exceeds the target {target:e}")]
    TableAccuracy {
        /// The verified maximum error, relative to $\kappa(1)$.
        error: f64,
        /// The target.
        target: f64,
    },
    /// An array of `rows × cols` entries of 8 bytes is too large: the count overflows `usize`,
    /// exceeds the documented limit `limit` (e.g. `kernel::MAX_GRAM_ENTRIES` for Gram
    /// matrices), or, with `limit` `None`, the memory cannot be allocated.
    #[error("{}", too_large(what, *rows, *cols, *limit))]
    TooLarge {
        /// What was to be stored (e.g. `Gram matrix`, `point set`).
        what: &'static str,
        /// Number of rows (points).
        rows: usize,
        /// Number of columns (coordinates).
        cols: usize,
        /// The largest allowed number of entries, or `None` if the allocation failed.
        limit: Option<usize>,
    },
}

/// A number for messages: plain decimal (`0.3`, `12.5`, `-2`) for $10^{-4} \le |x| < 10^{16}$,
/// scientific otherwise (`1e300`, `5e-324`), and `0`, `NaN`, `inf`, `-inf` as such.
///
/// ```
/// use ntk_sphere::error::num;
/// assert_eq!(num(0.3), "0.3");
/// assert_eq!(num(1e300), "1e300");
/// assert_eq!(num(-2.5e-7), "-2.5e-7");
/// assert_eq!(num(f64::NAN), "NaN");
/// ```
pub fn num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-4..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The message of [`KernelError::NotRepresentable`]: which way the value left `f64`.
fn not_representable(log2_abs: f64) -> String {
    if !log2_abs.is_finite() {
        return "kernel value does not fit in f64".to_string();
    }
    let log10 = log2_abs * std::f64::consts::LOG10_2;
    let way = if log2_abs > 0.0 {
        "overflow"
    } else {
        "underflow of a non-zero value"
    };
    format!(
        "kernel value of magnitude 2^{log2_abs:.3} (about 10^{log10:.1}) does not fit in f64 \
         ({way}); the normalized kernel kappa(t)/kappa(1) does"
    )
}

/// The message of [`KernelError::TooLarge`], with sizes in binary units.
fn too_large(what: &str, rows: usize, cols: usize, limit: Option<usize>) -> String {
    let entries = rows as f64 * cols as f64;
    let need = format!(
        "the {rows} x {cols} {what} needs {} ({} entries of 8 bytes)",
        format_bytes(8.0 * entries),
        if entries < 1e17 {
            format!("{entries}")
        } else {
            format!("{entries:e}")
        }
    );
    match limit {
        Some(l) => format!(
            "{need}, more than the limit of {} ({l} entries)",
            format_bytes(8.0 * l as f64)
        ),
        None => format!("{need}, which cannot be allocated"),
    }
}

/// A byte count in binary units for messages (`512 bytes`, `7.6 MiB`), in scientific notation
/// beyond PiB.
///
/// ```
/// assert_eq!(ntk_sphere::error::format_bytes(8.0 * 1024.0 * 1024.0), "8 MiB");
/// ```
pub fn format_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if b < 1024.0 {
        return format!("{b} bytes");
    }
    let mut v = b;
    for unit in UNITS {
        v /= 1024.0;
        if v < 1024.0 {
            return format!("{} {unit}", (v * 10.0).round() / 10.0);
        }
    }
    format!("{b:.3e} bytes")
}
