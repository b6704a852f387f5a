//! `ntk series`: the expansion of the normalized kernel κ(t)/κ(1) at t = 1, 0 or −1, as
//! numbers (the `f64` series of `ntk_sphere::series`) or, with `--exact`, as exact expressions
//! (`ntk_sphere::symbolic::exact_series`, at t = 1).

use ntk_sphere::series::{
    Endpoint, endpoint_expansion_normalized, maclaurin_coefficients_normalized,
};
use ntk_sphere::symbolic::exact_series::{
    MAX_EXACT_ORDER, endpoint_expansion_exact, resnet_endpoint_expansion_symbolic,
};
use ntk_sphere::{ResNet, SphereKernel};

/// The largest order of the floating-point expansions of this command.
pub(crate) const MAX_FLOAT_ORDER: usize = 10_000;

/// Where to expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Point {
    /// t = 1, variable s = √(1 − t).
    One,
    /// t = 0, variable t.
    Zero,
    /// t = −1, variable s = √(1 + t).
    MinusOne,
}

pub(crate) fn parse_point(s: &str) -> Result<Point, String> {
    match s.trim() {
        "1" | "+1" => Ok(Point::One),
        "0" => Ok(Point::Zero),
        "-1" => Ok(Point::MinusOne),
        other => Err(format!("expected 1, 0 or -1, got {other:?}")),
    }
}

/// How the coefficients are computed.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    /// `f64` series.
    Float,
    /// Exact coefficients, parameters read as rationals.
    Exact,
    /// Exact coefficients of the ResNet preset with a = α²σ_w²σ_v²/2 as a symbol.
    Symbolic(ResNet),
}

/// The JSON document of the expansion.
pub(crate) fn run(
    kernel: &SphereKernel,
    at: Point,
    order: usize,
    mode: Mode,
) -> Result<String, String> {
    let (variable, definition) = match at {
        Point::One => ("s", "s = sqrt(1 - t)"),
        Point::Zero => ("t", "t"),
        Point::MinusOne => ("s", "s = sqrt(1 + t)"),
    };
    let coefficients = match mode {
        Mode::Float => {
            if order > MAX_FLOAT_ORDER {
                return Err(format!(
                    "--order {order} exceeds the maximum {MAX_FLOAT_ORDER}"
                ));
            }
            let c = match at {
                Point::One => endpoint_expansion_normalized(kernel, Endpoint::Plus, order),
                Point::MinusOne => endpoint_expansion_normalized(kernel, Endpoint::Minus, order),
                Point::Zero => maclaurin_coefficients_normalized(kernel, order + 1),
            }
            .map_err(|e| e.to_string())?;
            if let Some(x) = c.iter().find(|x| !x.is_finite()) {
                return Err(format!("coefficient {x} is not finite"));
            }
            serde_json::to_value(c).map_err(|e| e.to_string())?
        }
        Mode::Exact | Mode::Symbolic(_) => {
            if at != Point::One {
                return Err("exact coefficients at t = 0/-1 need the symbolic type \
                            (not yet available); use --at 1 or drop --exact"
                    .into());
            }
            if order > MAX_EXACT_ORDER {
                return Err(format!(
                    "--order {order} exceeds the maximum {MAX_EXACT_ORDER} of --exact"
                ));
            }
            let c = match &mode {
                Mode::Symbolic(r) => resnet_endpoint_expansion_symbolic(r, kernel.kind(), order),
                _ => endpoint_expansion_exact(kernel, order),
            }
            .map_err(|e| e.to_string())?;
            serde_json::Value::from(c.iter().map(|x| x.to_plain()).collect::<Vec<_>>())
        }
    };
    let doc = serde_json::json!({
        "variable": variable,
        "definition": definition,
        "normalized": true,
        "coefficients": coefficients,
    });
    Ok(doc.to_string())
}
