//! One kernel's smoothness measures as JSON objects: those of `ntk compare` and of the Python
//! package's `compare`, written once so that every front end prints the same keys.

use serde_json::{Value, json};

use super::{SmoothnessError, kernel_smoothness, normalized_profile};
use crate::SphereKernel;
use crate::regression::{RegressionError, paper_experiment};

/// What a summary does where the library refuses a measure (e.g. the kink coefficients of a
/// kernel that is not of the arc-cosine type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRefusal {
    /// Return the library's error.
    Fail,
    /// Give the refused measures as `null`.
    Null,
}

/// A number as JSON: finite values as numbers, NaN and ±∞ (which JSON cannot hold) as `null`.
/// `None` (a value that is not available) is `null` too.
pub fn finite_or_null(v: impl Into<Option<f64>>) -> Value {
    match v.into() {
        Some(v) if v.is_finite() => json!(v),
        _ => Value::Null,
    }
}

/// The smoothness measures of `k` ([`kernel_smoothness`]): `c_plus`, `c_minus`,
/// `slope_at_zero`, `decay_exponent`, `decay_constant_even`, `decay_constant_odd`, and
/// `normalized_kernel` = `{"theta": […], "value": […]}`, the normalized kernel at `angles`
/// equally spaced angles of $[0, \pi]$ ([`normalized_profile`]; its errors are always returned).
///
/// ```
/// use ntk_sphere::smoothness::summary::{OnRefusal, kernel_summary};
/// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
/// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// let s = kernel_summary(&k, 5, OnRefusal::Fail).unwrap();
/// // Theorem 1: c₊ = L/(√2 π).
/// let c = s["c_plus"].as_f64().unwrap();
/// assert!((c - 2.0 / (std::f64::consts::SQRT_2 * std::f64::consts::PI)).abs() < 1e-12);
/// assert_eq!(s["normalized_kernel"]["value"].as_array().unwrap().len(), 5);
/// ```
pub fn kernel_summary(
    k: &SphereKernel,
    angles: usize,
    on_refusal: OnRefusal,
) -> Result<Value, SmoothnessError> {
    let profile = normalized_profile(k, angles)?;
    let s = match (kernel_smoothness(k), on_refusal) {
        (Ok(s), _) => Some(s),
        (Err(e), OnRefusal::Fail) => return Err(e),
        (Err(_), OnRefusal::Null) => None,
    };
    let field = |f: fn(&super::KernelSmoothness) -> Option<f64>| {
        s.as_ref().map_or(Value::Null, |s| finite_or_null(f(s)))
    };
    Ok(json!({
        "c_plus": field(|s| Some(s.c_plus)),
        "c_minus": field(|s| Some(s.c_minus)),
        "slope_at_zero": field(|s| Some(s.slope_at_zero)),
        "decay_exponent": field(|s| Some(s.decay_exponent)),
        "decay_constant_even": field(|s| s.decay_constant_even),
        "decay_constant_odd": field(|s| s.decay_constant_odd),
        "normalized_kernel": {"theta": profile.theta, "value": profile.value},
    }))
}

/// The measures of the interpolant of the paper's experiment on the circle with kernel `k`
/// ([`paper_experiment`]; `k` of dimension 2): `derivative_jump_sum`, `rkhs_norm`,
/// `h1_seminorm`, `max_abs_derivative`, `test_rmse`.
pub fn interpolation_summary(
    k: &SphereKernel,
    on_refusal: OnRefusal,
) -> Result<Value, RegressionError> {
    let keys = [
        "derivative_jump_sum",
        "rkhs_norm",
        "h1_seminorm",
        "max_abs_derivative",
        "test_rmse",
    ];
    let values = match (paper_experiment(k), on_refusal) {
        (Ok(e), _) => [
            e.derivative_jump_sum,
            e.rkhs_norm,
            e.h1_seminorm.value,
            e.max_abs_derivative,
            e.test_rmse,
        ],
        (Err(e), OnRefusal::Fail) => return Err(e),
        (Err(_), OnRefusal::Null) => [f64::NAN; 5],
    };
    Ok(Value::Object(
        keys.iter()
            .zip(values)
            .map(|(k, v)| ((*k).to_owned(), finite_or_null(v)))
            .collect(),
    ))
}
