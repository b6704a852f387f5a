//! Exact Puiseux coefficients of the normalized kernel at $t = 1$, and the exact derivation of
//! the kink coefficients $c_+$ of Theorems 1–2 ([`crate::smoothness::closed_form`]).
//!
//! The layer recursion of [`crate::arch`] runs unchanged on
//! [`PuiseuxSeries`]`<`[`Exact`]`>` at $t = 1 - s^2$ (see [`crate::series`] for the endpoint
//! branch of the ReLU dual maps and [`crate::symbolic::exact`] for the field), giving
//! $$\frac{\kappa(1 - s^2)}{\kappa(1)} = \sum_{j=0}^{N} c_j s^j + O(s^{N+1}),\qquad
//!   c_0 = 1,\quad c_1 = -c_+,$$
//! with every $c_j \in \mathbb Q(a)(\sqrt2, \pi)$ — e.g. the one-hidden-layer NTK has
//! $c_1 = -\sqrt2/(2\pi)$, $c_2 = -1$. For the ResNet the scale enters as the symbol
//! $a = \alpha^2\sigma_w^2\sigma_v^2/2$ ([`resnet_endpoint_expansion_symbolic`]), so the result
//! holds for every $a > 0$ at once.
//!
//! **Scope.** Bias-free networks of ReLU-type layers (the presets, and compositions whose
//! constants the field expresses; ABReLU variants with rational slopes work too). A network
//! with a bias is refused ([`ExactSeriesError::Biased`]: the variances $q + \sigma_b^2$ lead to
//! square roots of sums that the field does not represent), and a computation that leaves the
//! field (a non-ReLU activation, a custom layer, ...) is reported as
//! [`ExactSeriesError::NotExpressible`].
//!
//! ```
//! use ntk_sphere::{KernelKind, Mlp, SphereKernel};
//! use ntk_sphere::symbolic::exact_series::endpoint_expansion_exact;
//! let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
//! let c = endpoint_expansion_exact(&k, 2).unwrap();
//! let text: Vec<String> = c.iter().map(|x| x.to_plain()).collect();
//! assert_eq!(text, ["1", "-sqrt(2)/(2*pi)", "-1"]);
//! ```

use num_traits::{One, Zero};

use thiserror::Error;

use super::exact::{Exact, with_symbolic_alpha};
use super::rational::{Rational, simplest_rational};
use crate::arch::{CovState, KernelKind, KernelLayer, Layer, Serial};
use crate::kernel::SphereKernel;
use crate::series::{Coefficient, Endpoint, PuiseuxSeries, SeriesError, endpoint_scaled_in};
use crate::{Mlp, ResNet};

/// The largest order accepted by the exact expansions (the coefficients grow quickly; this
/// keeps absurd requests from running for hours).
pub const MAX_EXACT_ORDER: usize = 24;

/// The deepest network (nonlinear layers, [`crate::arch::Serial::depth`]) whose exact expansion
/// is attempted, and the largest product depth × order: the coefficients are polynomials in
/// $1/\pi$ whose degree and rational coefficients grow with both (measured for the MLP: depth
/// 200 and order 10 take 5 s, depth 100 and order 20 about 30 s, depth 10 and order 40 about
/// 40 s, order 50 at depth 50 over two minutes), so larger requests are refused up front
/// rather than left running.
pub const MAX_EXACT_DEPTH: usize = 200;

/// See [`MAX_EXACT_DEPTH`].
pub const MAX_EXACT_WORK: usize = 2000;

/// The deepest ResNet expanded with the symbol $a$ (rational functions of growing degree:
/// $L = 50$ takes about ten seconds).
pub const MAX_SYMBOLIC_DEPTH: usize = 50;

/// Errors of the exact expansions.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ExactSeriesError {
    /// The network has a bias: its variances $q + \sigma_b^2$ need square roots of sums of
    /// rationals, which the exact field $\mathbb Q(a)(\sqrt2,\pi)$ does not represent.
    #[error(
        "exact series need a bias-free network: a dense layer has sigma_b^2 = {sigma_b2} \
         (square roots of q + sigma_b^2 are outside Q(a)(sqrt 2, pi))"
    )]
    Biased {
        /// The offending bias variance $\sigma_b^2$.
        sigma_b2: f64,
    },
    /// A coefficient left the exact field (a non-ReLU activation, a custom layer, ...).
    #[error(
        "coefficient {index} of the exact expansion is not expressible in Q(a)(sqrt 2, pi) \
         (only bias-free ReLU-type networks are supported)"
    )]
    NotExpressible {
        /// Index of the first invalid coefficient.
        index: usize,
    },
    /// The order exceeds the maximum ([`MAX_EXACT_ORDER`], or
    /// [`super::expr_series::MAX_EXPRESSION_ORDER`] for expressions).
    #[error("exact series order {order} exceeds the maximum {max}")]
    OrderTooLarge {
        /// The requested order.
        order: usize,
        /// The limit.
        max: usize,
    },
    /// The network is deeper than the exact computation allows ([`MAX_EXACT_DEPTH`], or
    /// [`MAX_SYMBOLIC_DEPTH`] with the symbol $a$).
    #[error(
        "exact series of a network of depth {depth} are refused (at most {max}: the time grows quickly with the depth)"
    )]
    TooDeep {
        /// The network's depth.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// A parameter is not a finite rational.
    #[error("parameter {name} = {value} is not a finite number")]
    Parameter {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A symbolic coefficient, evaluated, disagrees with the `f64` series
    /// ([`super::expr_series`]): a defect, to be reported.
    #[error(
        "symbolic coefficient {index} evaluates to {symbolic:e} but the floating-point series \
         gives {float:e} (please report this as a bug)"
    )]
    Disagreement {
        /// Index of the coefficient.
        index: usize,
        /// Its value, evaluated in double-double and rounded.
        symbolic: f64,
        /// The `f64` series' value.
        float: f64,
    },
    /// The `f64` series used as the check failed (its message).
    #[error("{0}")]
    Float(String),
    /// $\kappa(1) = 0$ (or not invertible in the field): no normalized kernel.
    #[error("the kernel vanishes at t = 1 (or is not invertible exactly): no normalized expansion")]
    ZeroNormalizer,
}

/// The first dense layer with a bias, if any (nested blocks included).
fn find_bias(net: &Serial) -> Option<f64> {
    net.layers().iter().find_map(|l| match l {
        Layer::Dense(d) if d.b_var() != 0.0 => Some(d.b_var()),
        Layer::Residual(r) => find_bias(r.branch()),
        Layer::Serial(s) => find_bias(s),
        _ => None,
    })
}

fn first_invalid(c: &[Exact]) -> Option<usize> {
    c.iter().position(|x| !x.is_valid())
}

/// The exact coefficients $c_0, \dots, c_N$ ($N$ = `order`) of the normalized kernel
/// $\kappa(1-s^2)/\kappa(1) = \sum_j c_j s^j + O(s^{N+1})$ (see the module documentation).
/// Parameters given as doubles are read as their simplest rationals (`0.1` is $1/10$); residual
/// scales too, unless the call runs inside [`with_symbolic_alpha`].
///
/// Errors: [`ExactSeriesError::Biased`], [`ExactSeriesError::NotExpressible`],
/// [`ExactSeriesError::OrderTooLarge`] (above [`MAX_EXACT_ORDER`]),
/// [`ExactSeriesError::ZeroNormalizer`].
pub fn endpoint_expansion_exact(
    kernel: &SphereKernel,
    order: usize,
) -> Result<Vec<Exact>, ExactSeriesError> {
    if order > MAX_EXACT_ORDER {
        return Err(ExactSeriesError::OrderTooLarge {
            order,
            max: MAX_EXACT_ORDER,
        });
    }
    let depth = kernel.arch().net().depth();
    if depth > MAX_EXACT_DEPTH || depth * order.max(1) > MAX_EXACT_WORK {
        return Err(ExactSeriesError::TooDeep {
            depth,
            max: MAX_EXACT_DEPTH.min(MAX_EXACT_WORK / order.max(1)),
        });
    }
    if let Some(sigma_b2) = find_bias(kernel.arch().net()) {
        return Err(ExactSeriesError::Biased { sigma_b2 });
    }
    // κ(1): the same recursion on the exact constant 1.
    let one = kernel.eval_generic(PuiseuxSeries::<Exact>::constant_in(Exact::one()));
    let norm = one.mantissa.coefficients()[0].clone();
    if !norm.is_valid() {
        return Err(ExactSeriesError::NotExpressible { index: 0 });
    }
    if norm.is_zero() {
        return Err(ExactSeriesError::ZeroNormalizer);
    }
    let (c, exp2) =
        endpoint_scaled_in::<Exact>(kernel, Endpoint::Plus, order).map_err(|e| match e {
            SeriesError::Degenerate { index, .. } => ExactSeriesError::NotExpressible { index },
            _ => ExactSeriesError::OrderTooLarge {
                order,
                max: MAX_EXACT_ORDER,
            },
        })?;
    let e = i32::try_from(exp2 - one.exp2).unwrap_or(i32::MAX);
    let out: Vec<Exact> = c
        .into_iter()
        .map(|x| (x / norm.clone()).scale_pow2(e))
        .collect();
    if let Some(index) = first_invalid(&out) {
        return Err(if index == 0 {
            ExactSeriesError::ZeroNormalizer
        } else {
            ExactSeriesError::NotExpressible { index }
        });
    }
    Ok(out)
}

fn rational_param(name: &'static str, value: f64) -> Result<Rational, ExactSeriesError> {
    simplest_rational(value)
        .filter(|r| !r.is_zero())
        .ok_or(ExactSeriesError::Parameter { name, value })
}

/// [`endpoint_expansion_exact`] of the ResNet preset with the residual parameter as the symbol
/// $a = \alpha^2\sigma_w^2\sigma_v^2/2$ (the $\alpha$ of `resnet` is ignored; the normalized
/// kernel depends on the parameters only through $a$).
pub fn resnet_endpoint_expansion_symbolic(
    resnet: &ResNet,
    kind: KernelKind,
    order: usize,
) -> Result<Vec<Exact>, ExactSeriesError> {
    if resnet.depth() > MAX_SYMBOLIC_DEPTH {
        return Err(ExactSeriesError::TooDeep {
            depth: resnet.depth(),
            max: MAX_SYMBOLIC_DEPTH,
        });
    }
    let w = rational_param("sigma_w2", resnet.sigma_w2())?;
    let v = rational_param("sigma_v2", resnet.sigma_v2())?;
    let factor = Rational::from_integer(2.into()) / (w * v);
    // α = 1 in the double-valued network: the symbol replaces α² wherever it enters.
    let net =
        ResNet::new(resnet.depth(), 1.0, resnet.sigma_w2(), resnet.sigma_v2()).map_err(|_| {
            ExactSeriesError::Parameter {
                name: "resnet",
                value: f64::NAN,
            }
        })?;
    let kernel = SphereKernel::new(net, kind, 1).map_err(|_| ExactSeriesError::Parameter {
        name: "resnet",
        value: f64::NAN,
    })?;
    with_symbolic_alpha(factor, || endpoint_expansion_exact(&kernel, order))
}

/// Theorem 1, derived: $c_+ = -c_1$ of the normalized NTK of the bias-free MLP with `depth`
/// hidden layers ($\sigma_w^2 = 1$; the normalized kernel does not depend on it), exactly.
pub fn mlp_c_plus_exact(depth: usize) -> Result<Exact, ExactSeriesError> {
    let mlp = Mlp::new(depth, 1.0).map_err(|_| ExactSeriesError::Parameter {
        name: "depth",
        value: depth as f64,
    })?;
    let k =
        SphereKernel::new(mlp, KernelKind::Ntk, 1).map_err(|_| ExactSeriesError::Parameter {
            name: "depth",
            value: depth as f64,
        })?;
    Ok(-endpoint_expansion_exact(&k, 1)?[1].clone())
}

/// Theorem 2, derived: $c_+ = -c_1$ of the normalized NTK of the bias-free ResNet with `depth`
/// blocks, as a rational function of the symbol $a$.
pub fn resnet_c_plus_exact(depth: usize) -> Result<Exact, ExactSeriesError> {
    let r = ResNet::new(depth, 1.0, 1.0, 1.0).map_err(|_| ExactSeriesError::Parameter {
        name: "depth",
        value: depth as f64,
    })?;
    Ok(-resnet_endpoint_expansion_symbolic(&r, KernelKind::Ntk, 1)?[1].clone())
}

type ExactState = CovState<PuiseuxSeries<Exact>>;

/// $c_+ = -c_1$ of the normalized NTK from the states at $t = 1 - s^2$ and at $t = 1$.
fn c_plus_of(at_t: &ExactState, at_one: &ExactState) -> Result<Exact, ExactSeriesError> {
    let c = at_t.ntk.coefficients();
    let norm = &at_one.ntk.coefficients()[0];
    if c.len() < 2 {
        return Err(ExactSeriesError::NotExpressible { index: c.len() });
    }
    if !c[1].is_valid() || !norm.is_valid() {
        return Err(ExactSeriesError::NotExpressible { index: 1 });
    }
    if norm.is_zero() {
        return Err(ExactSeriesError::ZeroNormalizer);
    }
    let e = i32::try_from(at_t.exp2 - at_one.exp2).unwrap_or(i32::MAX);
    Ok(-(c[1].clone() / norm.clone()).scale_pow2(e))
}

/// Runs `prefix`, then `blocks` one at a time, on the states at $t = 1 - s^2$ (order 3) and
/// $t = 1$, reading $c_+$ after each block through `output` (the layers that end the network).
fn c_plus_by_blocks(
    prefix: &[Layer],
    blocks: &[Vec<Layer>],
    output: &[Layer],
) -> Result<Vec<Exact>, ExactSeriesError> {
    let s = PuiseuxSeries::<Exact>::variable_in(3).expect("small order");
    let one = PuiseuxSeries::constant_in(Exact::one());
    let t = one.clone() - s.clone() * s;
    let run = |layers: &[Layer], st: ExactState| layers.iter().fold(st, |st, l| l.apply(st));
    let mut at_t = run(prefix, CovState::input(one.clone(), one.clone(), t));
    let mut at_one = run(prefix, CovState::input(one.clone(), one.clone(), one));
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        at_t = run(block, at_t);
        at_one = run(block, at_one);
        out.push(c_plus_of(
            &run(output, at_t.clone()),
            &run(output, at_one.clone()),
        )?);
    }
    Ok(out)
}

/// Theorem 1 derived for every depth at once: $c_+$ of the normalized NTK of the bias-free MLP
/// with $L = 1, \dots,$ `max_depth` hidden layers (one pass of the recursion: the depth-$L$
/// network is the depth-$(L-1)$ one followed by one more `relu, dense` block).
pub fn mlp_c_plus_exact_by_depth(max_depth: usize) -> Result<Vec<Exact>, ExactSeriesError> {
    let layers = Mlp::new(max_depth, 1.0)
        .map_err(|_| ExactSeriesError::Parameter {
            name: "depth",
            value: max_depth as f64,
        })?
        .layers();
    let l = layers.layers();
    let blocks: Vec<Vec<Layer>> = l[1..].chunks(2).map(|c| c.to_vec()).collect();
    c_plus_by_blocks(&l[..1], &blocks, &[])
}

/// Theorem 2 derived for every depth at once: $c_+$ of the normalized NTK of the bias-free
/// ResNet with $L = 1, \dots,$ `max_depth` blocks, as rational functions of the symbol $a$
/// (one pass of the recursion, reading the output layer after each block).
pub fn resnet_c_plus_exact_by_depth(max_depth: usize) -> Result<Vec<Exact>, ExactSeriesError> {
    let net = ResNet::new(max_depth, 1.0, 1.0, 1.0).map_err(|_| ExactSeriesError::Parameter {
        name: "depth",
        value: max_depth as f64,
    })?;
    let layers = net.layers();
    let l = layers.layers();
    let blocks: Vec<Vec<Layer>> = l[1..=max_depth].iter().map(|b| vec![b.clone()]).collect();
    let factor = Rational::from_integer(2.into());
    with_symbolic_alpha(factor, || {
        c_plus_by_blocks(&l[..1], &blocks, &l[max_depth + 1..])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlp_one_layer_ntk() {
        let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
        let c = endpoint_expansion_exact(&k, 4).unwrap();
        let text: Vec<String> = c.iter().map(|x| x.to_plain()).collect();
        assert_eq!(text[..3], ["1", "-sqrt(2)/(2*pi)", "-1"]);
    }

    #[test]
    fn biased_networks_are_refused() {
        let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
        assert!(endpoint_expansion_exact(&k, 2).is_ok());
        let m = Mlp::with_bias(2, 1.0, 0.1).unwrap();
        let k = SphereKernel::new(m, KernelKind::Ntk, 3).unwrap();
        assert_eq!(
            endpoint_expansion_exact(&k, 2),
            Err(ExactSeriesError::Biased { sigma_b2: 0.1 })
        );
    }
}
