//! Errors of the [`smoothness`](crate::smoothness) module.

use thiserror::Error;

use crate::error::{ArchError, KernelError};
use crate::series::SeriesError;
use crate::spectrum::SpectrumError;

/// Everything that can go wrong in a smoothness computation; each variant names the offending
/// value.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SmoothnessError {
    /// A real parameter (named `name`) is not finite or outside its range.
    #[error("{name} = {value} is invalid ({expected})", value = crate::error::num(*value))]
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The admissible range.
        expected: &'static str,
    },
    /// An integer parameter is outside its range.
    #[error("{name} = {value} is invalid ({expected})")]
    InvalidCount {
        /// Name of the parameter.
        name: &'static str,
        /// Its value.
        value: usize,
        /// The admissible range.
        expected: &'static str,
    },
    /// The architecture parameters are invalid.
    #[error(transparent)]
    Arch(#[from] ArchError),
    /// The kernel cannot be evaluated or normalized.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// A series expansion of the kernel failed.
    #[error(transparent)]
    Series(#[from] SeriesError),
    /// A spectrum computation failed.
    #[error(transparent)]
    Spectrum(#[from] SpectrumError),
}
