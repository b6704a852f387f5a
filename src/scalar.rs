//! The number types on which the single kernel recursion of [`crate::arch`] runs.
//!
//! docs/design.md §2, "one recursion, many number types": each architecture's recursion is written
//! once, generic over [`KernelScalar`] — field operations, `sqrt`, and the ReLU dual maps
//! $\rho \mapsto (\kappa_0(\rho), \kappa_1(\rho))$. Instances:
//!
//! * `f64` — fast plain double evaluation;
//! * [`DoubleDouble`] — about 32 significant digits, so that the correlation gap $1-\rho$ stays
//!   accurate through deep recursions and for nearly coincident inputs (this is the default
//!   evaluation path of [`crate::kernel`]);
//! * [`QuadDouble`] — about 63 significant digits, for the Mercer-spectrum quadrature where the
//!   double-double floor is too high (moderate $d$, deep kernels);
//! * [`Bounded`] — a double with a running bound on its absolute error (the fast Gram path for
//!   inputs of distinct norms keeps an entry only when its bound proves it accurate), and
//!   [`BoundedLanes`], [`LANE_COUNT`] of them through one recursion;
//! * [`Dual`] — dual numbers $v + d\\,\varepsilon$: $\kappa(t)$ and $\kappa'(t)$ in one pass;
//! * the series types of [`crate::series`];
//! * [`crate::symbolic::Expr`] — symbolic expressions: the recursion returns the kernel as a
//!   closed form in $t$.

mod bounded;
mod double_double;
mod dual;
mod lanes;
mod quad_double;

pub use bounded::{ARC_COSINE_ROUNDING, Bounded};
pub use double_double::DoubleDouble;
pub use dual::Dual;
pub use lanes::{BoundedLanes, LANE_COUNT};
pub use quad_double::QuadDouble;

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// `num_traits::{Zero, One}` for a number type whose exact zero test is `$is_zero`.
macro_rules! impl_zero_one {
    ($t:ty, |$x:ident| $is_zero:expr) => {
        impl num_traits::Zero for $t {
            fn zero() -> Self {
                <$t as $crate::scalar::KernelScalar>::from_f64(0.0)
            }
            fn is_zero(&self) -> bool {
                let $x = self;
                $is_zero
            }
        }
        impl num_traits::One for $t {
            fn one() -> Self {
                <$t as $crate::scalar::KernelScalar>::from_f64(1.0)
            }
        }
    };
}
pub(crate) use impl_zero_one;

use crate::activation::{DynActivation, arc_cosine_parts};
use crate::arch::{CovState, DynLayer};

/// A number type for the layer recursions.
///
/// Laws expected of an implementation: the field operations are those of (an approximation of)
/// the real numbers; [`KernelScalar::arc_cosine`] returns exactly $(1, 1)$ at $\rho \ge 1$ and
/// $(0, 0)$ at $\rho \le -1$ (values beyond $\pm1$ only arise from rounding), and
/// [`KernelScalar::scale_pow2`] is exact. The additive and multiplicative identities come from
/// [`num_traits::Zero`] and [`num_traits::One`] (so code written against `num-traits` bounds
/// runs on every number type of the crate); `is_zero` is exact (every component zero).
pub trait KernelScalar:
    Clone
    + Debug
    + num_traits::Zero
    + num_traits::One
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Embeds a double.
    fn from_f64(x: f64) -> Self;
    /// $\cos\theta$ for an angle given as a double, as accurately as the type allows (in
    /// particular the gaps $1\mp\cos\theta$ keep their relative accuracy).
    fn cos_angle(theta: f64) -> Self {
        Self::from_f64(theta.cos())
    }
    /// Square root of a non-negative value.
    fn sqrt(&self) -> Self;
    /// The ReLU dual maps at a correlation: $(\kappa_0(\rho), \kappa_1(\rho))$, see
    /// [`crate::activation`].
    fn arc_cosine(&self) -> (Self, Self);
    /// The exponential $e^x$.
    fn exp(&self) -> Self;
    /// The arcsine $\arcsin x$ for $x\in[-1,1]$ (values beyond $\pm1$ only arise from
    /// rounding and are taken as $\pm1$).
    fn asin(&self) -> Self;
    /// A double approximation (for a series: the leading coefficient), used only to choose
    /// scaling exponents and to detect zero variances.
    fn approx(&self) -> f64;
    /// The value as a plain number, for number types that hold one (`f64`, double-double,
    /// quad-double: rounded to `f64`); `None` for dual numbers and series, which carry more than
    /// a value. Activations given only as `f64` closures evaluate through this and poison
    /// (`NaN`) the other types.
    fn to_number(&self) -> Option<f64>;
    /// Multiplication by $2^e$ (exact).
    fn scale_pow2(&self, e: i32) -> Self;
    /// The square $\alpha^2$ of a residual scale ([`crate::arch::Residual`]) as a number of this
    /// type, for types that represent it better than `from_f64(α·α)`: the exact and symbolic
    /// types of [`crate::symbolic`] square the simplest rational of $\alpha$ (so $\alpha = 0.1$
    /// gives exactly $1/100$), or return a symbol. `None` (the default) for the floating-point
    /// types, whose residual layer multiplies by $\alpha^2$ with its own scaling.
    fn residual_scale(_alpha: f64) -> Option<Self> {
        None
    }
    /// Whether an activation layer with a positively homogeneous activation of degree $p$
    /// computes the variances $\mathbb E[\phi(u)^2]$, $u\sim\mathcal N(0, q)$, as
    /// $q^p\\,\mathbb E[\phi(z)^2]$ (exact) instead of through the cross-term formulas at
    /// correlation 1. `false` (the default) keeps the two bitwise consistent, so that $x = y$
    /// gives correlation exactly 1 in every layer; [`Bounded`] sets it, because its bound cannot
    /// see that the correlation of a variance with itself is 1 (it would triple the bound of
    /// every variance in every layer).
    const HOMOGENEOUS_DIAGONAL: bool = false;
    /// $\pi$ to the precision of the type.
    fn pi() -> Self {
        Self::from_f64(std::f64::consts::PI)
    }
    /// Calls the method of a run-time activation for this number type (the object-safe
    /// dispatch behind [`crate::activation::Activation::custom`]; not for direct use).
    #[doc(hidden)]
    fn dispatch_dual(act: &dyn DynActivation, qx: &Self, qy: &Self, c: &Self) -> (Self, Self);
    /// Calls the method of a run-time layer for this number type (the object-safe dispatch
    /// behind [`crate::arch::Layer::custom`]; not for direct use).
    #[doc(hidden)]
    fn dispatch_layer(layer: &dyn DynLayer, state: CovState<Self>) -> CovState<Self>;
}

/// Implements the two dispatch methods of [`KernelScalar`] for a number type.
macro_rules! dispatch_methods {
    ($dual:ident, $layer:ident) => {
        fn dispatch_dual(
            act: &dyn crate::activation::DynActivation,
            qx: &Self,
            qy: &Self,
            c: &Self,
        ) -> (Self, Self) {
            act.$dual(qx, qy, c)
        }
        fn dispatch_layer(
            layer: &dyn crate::arch::DynLayer,
            state: crate::arch::CovState<Self>,
        ) -> crate::arch::CovState<Self> {
            layer.$layer(state)
        }
    };
}
pub(crate) use dispatch_methods;

impl KernelScalar for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn sqrt(&self) -> Self {
        f64::sqrt(*self)
    }
    fn arc_cosine(&self) -> (Self, Self) {
        let rho = *self;
        arc_cosine_parts(rho, 1.0 - rho, 1.0 + rho)
    }
    fn exp(&self) -> Self {
        f64::exp(*self)
    }
    fn asin(&self) -> Self {
        self.clamp(-1.0, 1.0).asin()
    }
    fn approx(&self) -> f64 {
        *self
    }
    fn to_number(&self) -> Option<f64> {
        Some(*self)
    }
    fn dispatch_dual(act: &dyn DynActivation, qx: &Self, qy: &Self, c: &Self) -> (Self, Self) {
        act.dual_f64(qx, qy, c)
    }
    fn dispatch_layer(layer: &dyn DynLayer, state: CovState<Self>) -> CovState<Self> {
        layer.apply_f64(state)
    }
    fn scale_pow2(&self, e: i32) -> Self {
        scale_f64(*self, e)
    }
}

/// $x\cdot 2^e$ without intermediate overflow (exact unless the result is subnormal).
#[inline]
pub(crate) fn scale_f64(x: f64, e: i32) -> f64 {
    if e == -1 {
        return 0.5 * x;
    }
    if (-1022..=1023).contains(&e) {
        // 2^e is a normal double: build it from its exponent field.
        return x * f64::from_bits(((e + 1023) as u64) << 52);
    }
    let mut x = x;
    let mut e = e;
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_exact_and_handles_large_exponents() {
        assert_eq!(scale_f64(3.0, 4), 48.0);
        assert_eq!(scale_f64(1.5 * 2f64.powi(-700), 1500), 1.5 * 2f64.powi(800));
        assert_eq!(scale_f64(1.0, 2000), f64::INFINITY);
    }

    /// The `num-traits` identities of every number type: exact, and neutral in the field
    /// operations.
    #[test]
    fn zero_and_one_are_identities() {
        use crate::series::{PowerSeries, PuiseuxSeries};
        fn check<S: KernelScalar>(x: S) {
            assert!(S::zero().is_zero());
            assert!(!S::one().is_zero());
            assert!(!x.is_zero());
            assert_eq!(format!("{:?}", x.clone() + S::zero()), format!("{x:?}"));
            assert_eq!(format!("{:?}", x.clone() * S::one()), format!("{x:?}"));
            assert!((x.clone() - x).is_zero());
        }
        check(0.3f64);
        check(DoubleDouble::from(0.3) / DoubleDouble::from(7.0));
        check(QuadDouble::from_f64(0.3) / QuadDouble::from_f64(7.0));
        check(Dual::variable(0.3));
        check(PowerSeries::variable(8).unwrap().exp());
        check(<PuiseuxSeries>::from_f64(0.25));
    }

    #[test]
    fn f64_arc_cosine_endpoints_exact() {
        assert_eq!(1.0_f64.arc_cosine(), (1.0, 1.0));
        assert_eq!((1.0_f64 + 1e-16).arc_cosine(), (1.0, 1.0));
        assert_eq!((-1.0_f64).arc_cosine(), (0.0, 0.0));
    }
}
