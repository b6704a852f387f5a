//! The analyses of the CLI (`ntk spectrum`, `decay`, `compare`, `series`, `expr`) and the
//! smoothness measures, returned as JSON text with the CLI's keys.

use pyo3::prelude::*;
use serde_json::{Value, json};

use ntk_sphere::KernelKind;
use ntk_sphere::series::{
    Endpoint, endpoint_expansion_normalized, maclaurin_coefficients_normalized,
};
use ntk_sphere::smoothness::summary::{OnRefusal, interpolation_summary, kernel_summary};
use ntk_sphere::smoothness::{KernelSmoothness, kernel_smoothness, normalized_profile};
use ntk_sphere::spectrum::{SpectrumError, decay as decay_law, mercer_spectrum};
use ntk_sphere::symbolic::exact_series::{
    ExactSeriesError, endpoint_expansion_exact, resnet_endpoint_expansion_symbolic,
};
use ntk_sphere::symbolic::expr_series::{endpoint_expansion_expression, maclaurin_expression};
use ntk_sphere::symbolic::print::{print, print_all};
use ntk_sphere::symbolic::{Format, kernel_expression};

use crate::{Net, NtkSphereError, err, json_or_null, sphere_kernel};

/// Largest order of a floating-point series (as `ntk series`).
const MAX_FLOAT_ORDER: usize = 10_000;
/// Largest number of angles of a normalized profile.
const MAX_ANGLES: usize = 1_000_000;

fn text(v: &Value) -> String {
    v.to_string()
}

/// `ntk spectrum`: {"dim","k","mu","log_mu","multiplicity","log_multiplicity","rel_error","method"}.
#[pyfunction]
#[pyo3(signature = (net, dim, kmax, kind, normalize))]
fn spectrum(
    py: Python<'_>,
    net: &Net,
    dim: usize,
    kmax: usize,
    kind: &str,
    normalize: bool,
) -> PyResult<String> {
    let k = sphere_kernel(net, kind, dim)?;
    let sp = py
        .detach(|| mercer_spectrum(&k, kmax, normalize))
        .map_err(|e| match e {
            SpectrumError::EigenvalueOverflow { k, log10_abs } => NtkSphereError::new_err(
                format!(
                    "eigenvalue mu_{k} of magnitude 10^{log10_abs:.1} does not fit in f64; use normalize=True"
                ),
            ),
            e => err(e),
        })?;
    let mu = sp.mu();
    if let Some(i) = mu.iter().position(|m| !m.is_finite()) {
        return Err(NtkSphereError::new_err(format!(
            "eigenvalue mu_{i} does not fit in f64 (ln mu = {}); use normalize=True",
            sp.log_mu()[i].map_or_else(|| "-inf".to_owned(), |l| format!("{l}"))
        )));
    }
    let v = json!({
        "dim": dim,
        "k": sp.k(),
        "mu": mu,
        "log_mu": sp.log_mu().into_iter().map(|l| l.map_or(Value::Null, json_or_null)).collect::<Vec<_>>(),
        "multiplicity": sp.multiplicity().into_iter().map(json_or_null).collect::<Vec<_>>(),
        "log_multiplicity": sp.log_multiplicity().into_iter().map(json_or_null).collect::<Vec<_>>(),
        "rel_error": sp.eigenvalues.iter().map(|e| json_or_null(e.rel_error)).collect::<Vec<_>>(),
        "method": sp.eigenvalues.iter().map(|e| e.method.as_str()).collect::<Vec<_>>(),
    });
    Ok(text(&v))
}

/// `ntk decay`.
#[pyfunction]
#[pyo3(signature = (net, dim, kind, normalize))]
fn decay(py: Python<'_>, net: &Net, dim: usize, kind: &str, normalize: bool) -> PyResult<String> {
    let k = sphere_kernel(net, kind, dim)?;
    let d = py.detach(|| decay_law(&k, normalize)).map_err(err)?;
    let v = json!({
        "class": d.class.as_str(),
        "rate": d.rate.map_or(Value::Null, json_or_null),
        "degree": d.degree,
        "exponent": json_or_null(d.exponent),
        "constant_even": json_or_null(d.constant_even),
        "constant_odd": json_or_null(d.constant_odd),
        "log_constant_even": d.log_constant_even.map_or(Value::Null, json_or_null),
        "log_constant_odd": d.log_constant_odd.map_or(Value::Null, json_or_null),
        "nu": json_or_null(d.nu),
        "c_plus": json_or_null(d.c_plus),
        "c_minus": json_or_null(d.c_minus),
        "normalized": d.normalized,
    });
    Ok(text(&v))
}

fn smoothness_object(s: &KernelSmoothness) -> Value {
    let singular = |s: &Option<ntk_sphere::smoothness::Singularity>| match s {
        Some(s) => {
            json!({"exponent": json_or_null(s.exponent), "coefficient": json_or_null(s.coefficient)})
        }
        None => Value::Null,
    };
    json!({
        "c_plus": json_or_null(s.c_plus),
        "c_minus": json_or_null(s.c_minus),
        "slope_at_zero": json_or_null(s.slope_at_zero),
        "decay_exponent": json_or_null(s.decay_exponent),
        "decay_constant_even": json_or_null(s.decay_constant_even),
        "decay_constant_odd": json_or_null(s.decay_constant_odd),
        "decay_class": s.decay_class.as_str(),
        "decay_rate": s.decay_rate.map_or(Value::Null, json_or_null),
        "singular_plus": singular(&s.singular_plus),
        "singular_minus": singular(&s.singular_minus),
    })
}

/// `ntk_sphere::smoothness::kernel_smoothness`.
#[pyfunction]
#[pyo3(signature = (net, dim, kind))]
fn smoothness(py: Python<'_>, net: &Net, dim: usize, kind: &str) -> PyResult<String> {
    let k = sphere_kernel(net, kind, dim)?;
    let s = py.detach(|| kernel_smoothness(&k)).map_err(err)?;
    Ok(text(&smoothness_object(&s)))
}

fn check_angles(angles: usize) -> PyResult<()> {
    if !(2..=MAX_ANGLES).contains(&angles) {
        return Err(NtkSphereError::new_err(format!(
            "angles must be between 2 and {MAX_ANGLES}, got {angles}"
        )));
    }
    Ok(())
}

/// `ntk compare --net BASELINE --net CANDIDATE`.
#[pyfunction]
#[pyo3(signature = (baseline, candidate, dim, kind, angles))]
fn compare(
    py: Python<'_>,
    baseline: &Net,
    candidate: &Net,
    dim: usize,
    kind: &str,
    angles: usize,
) -> PyResult<String> {
    if dim < 2 {
        return Err(NtkSphereError::new_err(format!(
            "dim={dim} is invalid (the sphere S^(d-1) needs d >= 2)"
        )));
    }
    check_angles(angles)?;
    let (ka, kb) = (
        sphere_kernel(baseline, kind, dim)?,
        sphere_kernel(candidate, kind, dim)?,
    );
    let (ca, cb) = (
        sphere_kernel(baseline, kind, 2)?,
        sphere_kernel(candidate, kind, 2)?,
    );
    let v = py.detach(|| -> PyResult<Value> {
        Ok(json!({
            "baseline": kernel_summary(&ka, angles, OnRefusal::Null).map_err(err)?,
            "candidate": kernel_summary(&kb, angles, OnRefusal::Null).map_err(err)?,
            "interpolation": {
                "baseline": interpolation_summary(&ca, OnRefusal::Null).map_err(err)?,
                "candidate": interpolation_summary(&cb, OnRefusal::Null).map_err(err)?,
            },
            "setting": {"dim": dim, "kind": kind_name(ka.kind())},
        }))
    })?;
    Ok(text(&v))
}

/// `normalized_profile`: κ(cos θ_j)/κ(1) at θ_j = jπ/(n−1).
#[pyfunction]
#[pyo3(signature = (net, dim, kind, angles))]
fn profile(net: &Net, dim: usize, kind: &str, angles: usize) -> PyResult<(Vec<f64>, Vec<f64>)> {
    check_angles(angles)?;
    let k = sphere_kernel(net, kind, dim)?;
    let p = normalized_profile(&k, angles).map_err(err)?;
    Ok((p.theta, p.value))
}

fn kind_name(kind: KernelKind) -> &'static str {
    match kind {
        KernelKind::Ntk => "ntk",
        KernelKind::Nngp => "nngp",
    }
}

/// `ntk series` (at = "1", "0" or "-1").
#[pyfunction]
#[pyo3(signature = (net, at, order, dim, kind, exact, symbolic_a))]
#[allow(clippy::too_many_arguments)]
fn series(
    py: Python<'_>,
    net: &Net,
    at: i32,
    order: usize,
    dim: usize,
    kind: &str,
    exact: bool,
    symbolic_a: bool,
) -> PyResult<String> {
    let kernel = sphere_kernel(net, kind, dim)?;
    let (variable, definition) = match at {
        1 => ("s", "s = sqrt(1 - t)"),
        0 => ("t", "t"),
        -1 => ("s", "s = sqrt(1 + t)"),
        other => {
            return Err(NtkSphereError::new_err(format!(
                "at must be 1, 0 or -1, got {other}"
            )));
        }
    };
    if symbolic_a && !exact {
        return Err(NtkSphereError::new_err("symbolic_a=True needs exact=True"));
    }
    let resnet = match (symbolic_a, net.arch.preset()) {
        (true, Some(ntk_sphere::arch::Preset::ResNet(r))) => Some(r),
        (true, _) => {
            return Err(NtkSphereError::new_err(
                "symbolic_a=True needs the ResNet preset (ResNet(...))",
            ));
        }
        (false, _) => None,
    };
    if !exact && order > MAX_FLOAT_ORDER {
        return Err(NtkSphereError::new_err(format!(
            "order={order} exceeds the maximum {MAX_FLOAT_ORDER}"
        )));
    }
    let mut definitions: Vec<(String, String)> = Vec::new();
    let coefficients = py.detach(|| -> Result<Value, String> {
        if !exact {
            let c = match at {
                1 => endpoint_expansion_normalized(&kernel, Endpoint::Plus, order),
                -1 => endpoint_expansion_normalized(&kernel, Endpoint::Minus, order),
                _ => maclaurin_coefficients_normalized(&kernel, order + 1),
            }
            .map_err(|e| e.to_string())?;
            if let Some(x) = c.iter().find(|x| !x.is_finite()) {
                return Err(format!("coefficient {x} is not finite"));
            }
            return Ok(json!(c));
        }
        if let Some(r) = resnet {
            if at != 1 {
                return Err("symbolic_a=True is available at t = 1 only (at=1)".into());
            }
            let c = resnet_endpoint_expansion_symbolic(&r, kernel.kind(), order)
                .map_err(|e| e.to_string())?;
            return Ok(Value::from(
                c.iter().map(|x| x.to_plain()).collect::<Vec<_>>(),
            ));
        }
        if at == 1 {
            match endpoint_expansion_exact(&kernel, order) {
                Ok(c) => {
                    return Ok(Value::from(
                        c.iter().map(|x| x.to_plain()).collect::<Vec<_>>(),
                    ));
                }
                // A bias leaves the exact field: the expressions hold its square roots.
                Err(ExactSeriesError::Biased { .. }) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        let c = match at {
            0 => maclaurin_expression(&kernel, order),
            1 => endpoint_expansion_expression(&kernel, Endpoint::Plus, order),
            _ => endpoint_expansion_expression(&kernel, Endpoint::Minus, order),
        }
        .map_err(|e| e.to_string())?;
        let printed = print_all(&c, Format::Text);
        definitions = printed.definitions;
        Ok(Value::from(printed.expressions))
    });
    let coefficients = coefficients.map_err(NtkSphereError::new_err)?;
    let mut doc = json!({
        "variable": variable,
        "definition": definition,
        "normalized": true,
        "coefficients": coefficients,
    });
    if !definitions.is_empty() {
        doc["definitions"] = json!(definitions);
    }
    Ok(text(&doc))
}

/// `ntk expr`: {"definitions": [[NAME, EXPR], …], "expression": EXPR}.
#[pyfunction]
#[pyo3(signature = (net, dim, kind, normalize, latex))]
fn expr(
    py: Python<'_>,
    net: &Net,
    dim: usize,
    kind: &str,
    normalize: bool,
    latex: bool,
) -> PyResult<String> {
    let k = sphere_kernel(net, kind, dim)?;
    let e = py
        .detach(|| kernel_expression(&k, normalize))
        .map_err(err)?;
    let p = print(&e, if latex { Format::Latex } else { Format::Text });
    Ok(text(&json!({
        "definitions": p.definitions.iter().map(|(n, d)| json!([n, d])).collect::<Vec<_>>(),
        "expression": p.expression,
    })))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(decay, m)?)?;
    m.add_function(wrap_pyfunction!(smoothness, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(profile, m)?)?;
    m.add_function(wrap_pyfunction!(series, m)?)?;
    m.add_function(wrap_pyfunction!(expr, m)?)?;
    Ok(())
}
