//! The two public series number types, [`PowerSeries`] (in $t$, at $t = 0$) and
//! [`PuiseuxSeries`] (in $s = \sqrt{1\mp t}$, at $t = \pm1$), generic over their
//! [`Coefficient`] type (`f64` by default), sharing the arithmetic of [`super::arith`] and
//! differing only in which branches of the arc-cosine maps they accept.

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::arith::Core;
use super::coefficient::Coefficient;
use super::{MAX_ORDER, SeriesError};
use crate::scalar::KernelScalar;

macro_rules! series_type {
    ($(#[$meta:meta])* $name:ident, $var:literal, $endpoints:expr, $dual:ident, $layer:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name<C: Coefficient = f64>(pub(crate) Core<C>);

        impl $name {
            #[doc = concat!("The variable $", $var, "$ truncated at order $N$: $", $var,
                " + O(", $var, "^{N+1})$ (`order = 0` gives $0 + O(", $var, ")$). ",
                "Orders above [`MAX_ORDER`] are an error. `f64` coefficients; see ",
                "[`Self::variable_in`] for other coefficient types.")]
            pub fn variable(order: usize) -> Result<Self, SeriesError> {
                Self::variable_in(order)
            }

            #[doc = concat!("The truncated series $\\sum_{k<n} c_k ", $var, "^k + O(", $var,
                "^n)$ from its $n \\ge 1$ known coefficients; an empty vector is an error.")]
            pub fn from_coefficients(coefficients: Vec<f64>) -> Result<Self, SeriesError> {
                Self::from_coefficients_in(coefficients)
            }

            /// An exact constant (no truncation order; what `from_f64` returns).
            pub fn constant(value: f64) -> Self {
                Self::constant_in(value)
            }

            /// Whether every coefficient is finite (an invalid operation, such as division by
            /// a series with zero constant term, yields `NaN` coefficients).
            pub fn is_finite(&self) -> bool {
                self.is_valid()
            }

            #[doc = concat!("The truncated sum $\\sum_k c_k ", $var, "^k$ (Horner).")]
            pub fn eval(&self, x: f64) -> f64 {
                self.0.c.iter().rev().fold(0.0, |acc, &c| acc * x + c)
            }
        }

        impl<C: Coefficient> $name<C> {
            /// [`Self::variable`] with coefficients of type `C`.
            pub fn variable_in(order: usize) -> Result<Self, SeriesError> {
                if order > MAX_ORDER {
                    return Err(SeriesError::OrderTooLarge { order });
                }
                let mut c = vec![C::zero(); order + 1];
                if order >= 1 {
                    c[1] = C::one();
                }
                Ok(Self(Core::truncated(c)))
            }

            /// [`Self::from_coefficients`] with coefficients of type `C`.
            pub fn from_coefficients_in(coefficients: Vec<C>) -> Result<Self, SeriesError> {
                if coefficients.is_empty() {
                    return Err(SeriesError::EmptySeries);
                }
                Ok(Self(Core::truncated(coefficients)))
            }

            /// [`Self::constant`] with a coefficient of type `C`.
            pub fn constant_in(value: C) -> Self {
                Self(Core::constant(value))
            }

            /// The known coefficients $c_0, c_1, \dots$ (a single value for an exact constant).
            pub fn coefficients(&self) -> &[C] {
                &self.0.c
            }

            /// The truncation order $N$ (the error is $O(x^{N+1})$), or `None` for an exact
            /// constant.
            pub fn order(&self) -> Option<usize> {
                if self.0.exact { None } else { Some(self.0.c.len() - 1) }
            }

            /// Whether every coefficient is valid ([`Coefficient::is_valid`]: finite for
            /// `f64`).
            pub fn is_valid(&self) -> bool {
                self.0.c.iter().all(|x| x.is_valid())
            }

            /// A poisoned (invalid) series of the same kind and length.
            pub(crate) fn poisoned(&self) -> Self {
                Self(self.0.nan_like())
            }
        }

        impl<C: Coefficient> Add for $name<C> {
            type Output = Self;
            fn add(self, o: Self) -> Self {
                Self(self.0.add(&o.0))
            }
        }
        impl<C: Coefficient> Sub for $name<C> {
            type Output = Self;
            fn sub(self, o: Self) -> Self {
                Self(self.0.sub(&o.0))
            }
        }
        impl<C: Coefficient> Mul for $name<C> {
            type Output = Self;
            fn mul(self, o: Self) -> Self {
                Self(self.0.mul(&o.0))
            }
        }
        impl<C: Coefficient> Div for $name<C> {
            type Output = Self;
            fn div(self, o: Self) -> Self {
                Self(self.0.div(&o.0))
            }
        }
        impl<C: Coefficient> Neg for $name<C> {
            type Output = Self;
            fn neg(self) -> Self {
                Self(self.0.neg())
            }
        }

        impl<C: Coefficient> num_traits::Zero for $name<C> {
            fn zero() -> Self {
                Self::constant_in(C::zero())
            }
            fn is_zero(&self) -> bool {
                self.0.c.iter().all(|c| c.is_zero())
            }
        }
        impl<C: Coefficient> num_traits::One for $name<C> {
            fn one() -> Self {
                Self::constant_in(C::one())
            }
        }

        impl<C: Coefficient> KernelScalar for $name<C> {
            fn from_f64(x: f64) -> Self {
                Self::constant_in(C::from_f64(x))
            }
            fn sqrt(&self) -> Self {
                Self(self.0.sqrt())
            }
            fn arc_cosine(&self) -> (Self, Self) {
                let (k0, k1) = self.0.arc_cosine($endpoints);
                (Self(k0), Self(k1))
            }
            fn exp(&self) -> Self {
                Self(self.0.exp())
            }
            fn asin(&self) -> Self {
                Self(self.0.asin())
            }
            fn approx(&self) -> f64 {
                self.0.c[0].approx()
            }
            fn to_number(&self) -> Option<f64> {
                None
            }
            fn residual_scale(alpha: f64) -> Option<Self> {
                C::residual_scale(alpha).map(Self::constant_in)
            }
            fn pi() -> Self {
                Self::constant_in(C::pi())
            }
            fn dispatch_dual(
                act: &dyn crate::activation::DynActivation,
                qx: &Self,
                qy: &Self,
                c: &Self,
            ) -> (Self, Self) {
                C::$dual(act, qx, qy, c)
            }
            fn dispatch_layer(
                layer: &dyn crate::arch::DynLayer,
                state: crate::arch::CovState<Self>,
            ) -> crate::arch::CovState<Self> {
                C::$layer(layer, state)
            }
            fn scale_pow2(&self, e: i32) -> Self {
                Self(self.0.scale_pow2(e))
            }
        }
    };
}
series_type!(
    /// A truncated power series $\sum_{n=0}^{N} c_n t^n + O(t^{N+1})$ in $t$, with coefficients
    /// in a [`Coefficient`] field (`f64` by default), as a [`KernelScalar`]: running the kernel recursion on
    /// [`PowerSeries::variable`] gives the Maclaurin series of the kernel.
    ///
    /// Field operations are the truncated Cauchy product and the series quotient (divisor with
    /// non-zero constant term); `sqrt` needs a positive leading coefficient of even degree;
    /// [`KernelScalar::arc_cosine`] needs a correlation whose constant term $\rho_0$ lies in
    /// $(-1, 1)$ (or a constant). Invalid operations give `NaN` coefficients
    /// ([`PowerSeries::is_finite`]). See the [module documentation](super) for the formulas.
    ///
    /// ```
    /// use ntk_sphere::scalar::KernelScalar;
    /// use ntk_sphere::series::PowerSeries;
    /// // κ₀(t) = 1/2 + t/π + t³/(6π) + …
    /// let (k0, _k1) = PowerSeries::variable(3).unwrap().arc_cosine();
    /// let pi = std::f64::consts::PI;
    /// let want = [0.5, 1.0 / pi, 0.0, 1.0 / (6.0 * pi)];
    /// for (c, w) in k0.coefficients().iter().zip(want) {
    ///     assert!((c - w).abs() < 1e-15);
    /// }
    /// ```
    PowerSeries,
    "t",
    false,
    dispatch_dual_power,
    dispatch_layer_power
);

series_type!(
    /// A truncated power series $\sum_{j=0}^{N} a_j s^j + O(s^{N+1})$ in $s = \sqrt{1\mp t}$
    /// (a Puiseux series in $1\mp t$), with coefficients in a [`Coefficient`] field (`f64` by default), as a [`KernelScalar`]: running the
    /// kernel recursion on $t = 1 - s^2$ (or $-1 + s^2$) gives the endpoint expansion of the
    /// kernel.
    ///
    /// Field operations are those of [`PowerSeries`]; [`KernelScalar::arc_cosine`] additionally
    /// accepts correlations $\rho = \pm(1 - s^2u(s))$ (constant term $\pm1$, see the
    /// [module documentation](super) for the branch rules). Each endpoint branch costs one known
    /// coefficient (the square root of the gap).
    ///
    /// ```
    /// use ntk_sphere::scalar::KernelScalar;
    /// use ntk_sphere::series::PuiseuxSeries;
    /// // κ₀(1 − s²) = 1 − (√2/π) s + O(s³)
    /// let s = PuiseuxSeries::variable(4).unwrap();
    /// let rho = PuiseuxSeries::constant(1.0) - s.clone() * s;
    /// let (k0, _) = rho.arc_cosine();
    /// let c = k0.coefficients();
    /// assert!((c[1] + 2f64.sqrt() / std::f64::consts::PI).abs() < 1e-15);
    /// assert!(c[2].abs() < 1e-15);
    /// ```
    PuiseuxSeries,
    "s",
    true,
    dispatch_dual_puiseux,
    dispatch_layer_puiseux
);
