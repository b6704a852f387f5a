//! `ntk series`: the expansion of the normalized kernel κ(t)/κ(1) at t = 1, 0 or −1, as
//! numbers (the `f64` series of `ntk_sphere::series`) or, with `--exact`, as exact expressions
//! (`ntk_sphere::symbolic::exact_series` at t = 1 for bias-free networks,
//! `ntk_sphere::symbolic::expr_series` elsewhere: at t = 0, t = −1, and with biases).

use ntk_sphere::series::{
    Endpoint, endpoint_expansion_normalized, maclaurin_coefficients_normalized,
};
use ntk_sphere::symbolic::Format;
use ntk_sphere::symbolic::exact_series::{
    ExactSeriesError, endpoint_expansion_exact, resnet_endpoint_expansion_symbolic,
};
use ntk_sphere::symbolic::expr_series::{endpoint_expansion_expression, maclaurin_expression};
use ntk_sphere::symbolic::print::print_all;
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
    let mut definitions: Vec<(String, String)> = Vec::new();
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
        Mode::Symbolic(r) => {
            if at != Point::One {
                return Err("--symbolic-a is available at t = 1 only (--at 1)".into());
            }
            let c = resnet_endpoint_expansion_symbolic(&r, kernel.kind(), order)
                .map_err(|e| e.to_string())?;
            serde_json::Value::from(c.iter().map(|x| x.to_plain()).collect::<Vec<_>>())
        }
        Mode::Exact => {
            let exact = match at {
                Point::One => match endpoint_expansion_exact(kernel, order) {
                    Ok(c) => Some(c),
                    // A bias leaves the exact field: the expressions hold its square roots.
                    Err(ExactSeriesError::Biased { .. }) => None,
                    Err(e) => return Err(e.to_string()),
                },
                Point::Zero | Point::MinusOne => None,
            };
            if let Some(c) = exact {
                serde_json::Value::from(c.iter().map(|x| x.to_plain()).collect::<Vec<_>>())
            } else {
                let c = match at {
                    Point::Zero => maclaurin_expression(kernel, order),
                    Point::One => endpoint_expansion_expression(kernel, Endpoint::Plus, order),
                    Point::MinusOne => {
                        endpoint_expansion_expression(kernel, Endpoint::Minus, order)
                    }
                }
                .map_err(|e| e.to_string())?;
                let printed = print_all(&c, Format::Text);
                definitions = printed.definitions;
                serde_json::Value::from(printed.expressions)
            }
        }
    };
    let mut doc = serde_json::json!({
        "variable": variable,
        "definition": definition,
        "normalized": true,
        "coefficients": coefficients,
    });
    if !definitions.is_empty() {
        doc["definitions"] = serde_json::to_value(definitions).map_err(|e| e.to_string())?;
    }
    Ok(doc.to_string())
}
