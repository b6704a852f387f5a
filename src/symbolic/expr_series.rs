//! Symbolic series coefficients of the normalized kernel at $t = 0$, $t = -1$, and at $t = 1$
//! for networks with biases: the layer recursion of [`crate::arch`] runs unchanged on
//! [`PowerSeries`]`<`[`Expr`]`>` and [`PuiseuxSeries`](crate::series::PuiseuxSeries)`<`[`Expr`]`>`.
//!
//! At an interior point the correlations have constant terms strictly inside $(-1, 1)$, and the
//! dual maps are expanded around them: for the ReLU,
//! $\kappa_0(\rho_0 + \delta) = \kappa_0(\rho_0) + \delta/(\pi\sqrt{1-\rho_0^2}) + \dots$ and
//! $\kappa_1' = \kappa_0$. The constants are therefore values such as
//! $\kappa_1(0) = 1/\pi$ and $\arccos(1/\pi)$ — not members of a finite extension of
//! $\mathbb Q$, so the coefficients are expressions ([`Expr`], shared subexpressions printed
//! once by [`crate::symbolic::print::print_all`]). For the two-hidden-layer MLP NTK,
//! $$\frac{\kappa(t)}{\kappa(1)} = \frac{1}{3\pi}\Big(\sqrt{1 - \pi^{-2}} + \frac1\pi\big(\pi - \arccos\tfrac1\pi\big)\Big) + \dots$$
//!
//! * [`maclaurin_expression`]: $\kappa(t)/\kappa(1) = \sum_{n \le N} c_n t^n + O(t^{N+1})$;
//! * [`endpoint_expansion_expression`]: $\kappa(\pm(1 - s^2))/\kappa(1)
//!   = \sum_{j \le N} c_j s^j + O(s^{N+1})$.
//!
//! **Scope.** Every network whose layers run on expressions (the presets, with or without
//! biases, and compositions of the built-in activations); parameters given as doubles are read
//! as their simplest rationals, as in [`crate::symbolic::kernel_expression`]. Bias-free
//! networks at $t = 1$ are better served by the exact field
//! ([`crate::symbolic::exact_series`]), whose canonical form decides equality.
//!
//! **Checked, not trusted.** The zero test of an expression is structural (its canonical form
//! is the rational 0), so a branch decision of the recursion could in principle miss a zero;
//! each function therefore evaluates every coefficient in double-double and compares it with
//! the `f64` series of [`crate::series`] (tolerance `1e-10` relative to the largest
//! coefficient, far above the series' rounding and far below any real disagreement), returning
//! [`ExactSeriesError::Disagreement`] otherwise.
//!
//! ```
//! use ntk_sphere::{KernelKind, Mlp, SphereKernel};
//! use ntk_sphere::symbolic::expr_series::maclaurin_expression;
//! use ntk_sphere::symbolic::print::to_text_inline;
//! // One hidden layer: κ(t)/κ(1) = (t κ₀(t) + κ₁(t))/2 = 1/(2π) + t/2 + 3t²/(4π) + …
//! let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
//! let c = maclaurin_expression(&k, 2).unwrap();
//! let text: Vec<String> = c.iter().map(to_text_inline).collect();
//! assert_eq!(text, ["1/(2*pi)", "1/2", "3/(4*pi)"]);
//! ```

use num_traits::{One, Zero};

use super::Expr;
use super::eval::eval_dd;
use super::exact_series::ExactSeriesError;
use crate::kernel::SphereKernel;
use crate::scalar::DoubleDouble;
use crate::series::{
    Endpoint, PowerSeries, SeriesError, endpoint_expansion_normalized, endpoint_scaled_in,
    maclaurin_coefficients_normalized,
};

/// The largest order of the symbolic expansions (the expressions grow with the order and the
/// depth; see [`MAX_EXPRESSION_WORK`]).
pub const MAX_EXPRESSION_ORDER: usize = 16;

/// The largest product depth × order of the symbolic expansions: the $n$-th coefficient at
/// depth $L$ is a polynomial of degree growing with $n L$ in the constants of the layers.
pub const MAX_EXPRESSION_WORK: usize = 128;

/// Relative tolerance of the check against the `f64` series.
const CHECK_TOLERANCE: f64 = 1e-10;

fn check_limits(kernel: &SphereKernel, order: usize) -> Result<(), ExactSeriesError> {
    if order > MAX_EXPRESSION_ORDER {
        return Err(ExactSeriesError::OrderTooLarge {
            order,
            max: MAX_EXPRESSION_ORDER,
        });
    }
    let depth = kernel.arch().net().depth();
    if depth.saturating_mul(order.max(1)) > MAX_EXPRESSION_WORK {
        return Err(ExactSeriesError::TooDeep {
            depth,
            max: MAX_EXPRESSION_WORK / order.max(1),
        });
    }
    Ok(())
}

/// $\kappa(1)$ as an expression, by the same recursion on the constant 1, with its power of two.
fn normalizer(kernel: &SphereKernel) -> Result<(Expr, i64), ExactSeriesError> {
    let one = kernel.eval_generic(PowerSeries::<Expr>::constant_in(Expr::one()));
    let norm = one.mantissa.coefficients()[0].clone();
    if norm.is_undefined() {
        return Err(ExactSeriesError::NotExpressible { index: 0 });
    }
    if norm.is_zero() {
        return Err(ExactSeriesError::ZeroNormalizer);
    }
    Ok((norm, one.exp2))
}

/// Divides by the normalizer, applies the power of two, and checks against `reference`.
fn finish(
    c: Vec<Expr>,
    exp2: i64,
    (norm, norm_exp2): (Expr, i64),
    reference: &[f64],
) -> Result<Vec<Expr>, ExactSeriesError> {
    let e = i32::try_from(exp2 - norm_exp2).unwrap_or(i32::MAX);
    let out: Vec<Expr> = c
        .into_iter()
        .map(|x| crate::series::Coefficient::scale_pow2(&(x / norm.clone()), e))
        .collect();
    if let Some(index) = out.iter().position(Expr::is_undefined) {
        return Err(ExactSeriesError::NotExpressible { index });
    }
    let scale = reference.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for (index, (x, &want)) in out.iter().zip(reference).enumerate() {
        let got = eval_dd(x, DoubleDouble::from(0.0), DoubleDouble::from(1.0)).to_f64();
        // (a NaN on either side is a disagreement too)
        let close = (got - want).abs() <= CHECK_TOLERANCE * scale;
        if !close {
            return Err(ExactSeriesError::Disagreement {
                index,
                symbolic: got,
                float: want,
            });
        }
    }
    Ok(out)
}

/// The coefficients $c_0, \dots, c_N$ ($N$ = `order`) of the normalized kernel at $t = 0$,
/// $\kappa(t)/\kappa(1) = \sum_{n=0}^{N} c_n t^n + O(t^{N+1})$, as expressions (see the module
/// documentation).
///
/// Errors: [`ExactSeriesError::OrderTooLarge`] (above [`MAX_EXPRESSION_ORDER`]),
/// [`ExactSeriesError::TooDeep`] (depth × order above [`MAX_EXPRESSION_WORK`]),
/// [`ExactSeriesError::NotExpressible`] (a layer that does not run on expressions),
/// [`ExactSeriesError::ZeroNormalizer`], [`ExactSeriesError::Disagreement`], and the `f64`
/// series' own errors as [`ExactSeriesError::Float`].
pub fn maclaurin_expression(
    kernel: &SphereKernel,
    order: usize,
) -> Result<Vec<Expr>, ExactSeriesError> {
    check_limits(kernel, order)?;
    let reference = maclaurin_coefficients_normalized(kernel, order + 1)
        .map_err(|e| ExactSeriesError::Float(e.to_string()))?;
    let norm = normalizer(kernel)?;
    let t =
        PowerSeries::<Expr>::variable_in(order).map_err(|_| ExactSeriesError::OrderTooLarge {
            order,
            max: MAX_EXPRESSION_ORDER,
        })?;
    let r = kernel.eval_generic(t);
    let mut c = r.mantissa.coefficients().to_vec();
    if let Some(index) = c.iter().position(Expr::is_undefined) {
        return Err(ExactSeriesError::NotExpressible { index });
    }
    c.resize(order + 1, Expr::zero());
    finish(c, r.exp2, norm, &reference)
}

/// The coefficients $c_0, \dots, c_N$ ($N$ = `order`) of the normalized kernel at an end,
/// $\kappa(1 - s^2)/\kappa(1)$ (`Plus`) or $\kappa(-1 + s^2)/\kappa(1)$ (`Minus`)
/// $= \sum_{j=0}^{N} c_j s^j + O(s^{N+1})$, as expressions. Errors as for
/// [`maclaurin_expression`].
///
/// ```
/// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
/// use ntk_sphere::series::Endpoint;
/// use ntk_sphere::symbolic::expr_series::endpoint_expansion_expression;
/// use ntk_sphere::symbolic::print::to_text_inline;
/// // A bias adds square roots: L = 1, d = 2, σ_b² = 1 has c₁ = −√6/(10π) at t = 1.
/// let m = Mlp::with_bias(1, 1.0, 1.0).unwrap();
/// let k = SphereKernel::new(m, KernelKind::Ntk, 2).unwrap();
/// let c = endpoint_expansion_expression(&k, Endpoint::Plus, 1).unwrap();
/// assert_eq!(to_text_inline(&c[1]), "-sqrt(6)/(10*pi)");
/// ```
pub fn endpoint_expansion_expression(
    kernel: &SphereKernel,
    endpoint: Endpoint,
    order: usize,
) -> Result<Vec<Expr>, ExactSeriesError> {
    check_limits(kernel, order)?;
    let reference = endpoint_expansion_normalized(kernel, endpoint, order)
        .map_err(|e| ExactSeriesError::Float(e.to_string()))?;
    let norm = normalizer(kernel)?;
    let (c, exp2) = endpoint_scaled_in::<Expr>(kernel, endpoint, order).map_err(|e| match e {
        SeriesError::Degenerate { index, .. } => ExactSeriesError::NotExpressible { index },
        _ => ExactSeriesError::OrderTooLarge {
            order,
            max: MAX_EXPRESSION_ORDER,
        },
    })?;
    finish(c, exp2, norm, &reference)
}
