//! Kernel regression, the empirical NTK of finite-width networks, and training.

use pyo3::prelude::*;

pub(crate) fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
