//! The coefficient types of the series ([`Coefficient`]): `f64` (the default, fast path) and
//! exact fields such as [`crate::symbolic::exact::Exact`].

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::types::{PowerSeries, PuiseuxSeries};
use crate::activation::DynActivation;
use crate::arch::{CovState, DynLayer};
use crate::scalar::{KernelScalar, scale_f64};

/// A coefficient field for [`PowerSeries`] and [`PuiseuxSeries`].
///
/// Required: the field operations (by value), exact `num_traits` identities and zero test
/// (`is_zero` must be exact: the parity shortcuts and the branch decisions rely on it), and a
/// handful of constants and functions *of constants*. An operation that the type cannot carry out
/// exactly (the arcsine of a generic rational, a square root outside the representation, division
/// by a non-invertible element, …) returns [`Coefficient::invalid`]; a series holding an invalid
/// coefficient is *degenerate*, exactly as a `NaN` coefficient makes an `f64` series degenerate
/// ([`super::SeriesError::Degenerate`]).
///
/// **Branch decisions.** For `EXACT = false` (floating point) a correlation's constant term
/// within 8 ulps of $\pm1$ is taken as the endpoint and the $s^1$ term of a gap is a rounding
/// residue below a relative `1e-13`; for `EXACT = true` the tests are exact equalities
/// (`ρ₀ == ±1`, gap coefficient `== 0`), and only signs (a positive variance, a positive gap
/// coefficient, $|\rho_0| < 1$) are read from [`Coefficient::approx`].
///
/// The provided methods `dot_rev` and `weighted_dot_rev` are the inner loops of the quadratic
/// recurrences; `f64` overrides them with pipelined versions (same results as before the series
/// became generic, bit for bit).
pub trait Coefficient:
    Clone
    + Debug
    + PartialEq
    + Send
    + Sync
    + 'static
    + num_traits::Zero
    + num_traits::One
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Whether branch decisions are exact (see the trait documentation).
    const EXACT: bool;
    /// Embeds a double (exact types: the simplest rational rounding to it,
    /// [`crate::symbolic::rational::simplest_rational`]; `NaN` gives an invalid value).
    fn from_f64(x: f64) -> Self;
    /// A small integer, exactly.
    fn from_i64(n: i64) -> Self {
        Self::from_f64(n as f64)
    }
    /// The invalid value (`NaN` for `f64`), produced by operations without a result in the type.
    fn invalid() -> Self;
    /// Whether the value is valid (finite for `f64`).
    fn is_valid(&self) -> bool;
    /// A double approximation: used for signs and scaling decisions only (exact types with a
    /// symbol evaluate it at a documented sample point).
    fn approx(&self) -> f64;
    /// $\sqrt{x}$ (invalid if the type cannot represent it).
    fn sqrt(&self) -> Self;
    /// $x^{-1/2}$ (by default `1/sqrt(x)`; `f64` uses `powf(-0.5)`).
    fn inv_sqrt(&self) -> Self {
        Self::one() / self.sqrt()
    }
    /// $\pi$.
    fn pi() -> Self;
    /// The ReLU dual maps $(\kappa_0(\rho), \kappa_1(\rho))$ of a constant $\rho$ (exactly
    /// $(1,1)$ at $\rho \ge 1$ and $(0,0)$ at $\rho \le -1$).
    fn arc_cosine(&self) -> (Self, Self);
    /// $\arcsin x$ of a constant, $|x| \le 1$.
    fn asin(&self) -> Self;
    /// $e^x$ of a constant.
    fn exp(&self) -> Self;
    /// Multiplication by $2^e$ (exact).
    fn scale_pow2(&self, e: i32) -> Self;
    /// The square $\alpha^2$ of a residual scale, if the type represents it better than
    /// `from_f64(α·α)` ([`KernelScalar::residual_scale`]; `None` by default).
    fn residual_scale(_alpha: f64) -> Option<Self> {
        None
    }

    /// $\sum_{i<n} a_i b_{n-1-i}$ for slices of the same length $n$.
    fn dot_rev(a: &[Self], b: &[Self]) -> Self {
        let n = a.len().min(b.len());
        let mut acc = Self::zero();
        for i in 0..n {
            acc = acc + a[i].clone() * b[n - 1 - i].clone();
        }
        acc
    }
    /// $\sum_{i<n} (w_0 + w_1 i)\\,a_i b_{n-1-i}$; the weights are small integers or
    /// half-integers.
    fn weighted_dot_rev(w0: f64, w1: f64, a: &[Self], b: &[Self]) -> Self {
        let n = a.len().min(b.len());
        let mut acc = Self::zero();
        for i in 0..n {
            let w = Self::from_f64(w0 + w1 * i as f64);
            acc = acc + w * a[i].clone() * b[n - 1 - i].clone();
        }
        acc
    }

    /// The run-time activation's dual map on power series with these coefficients (hidden
    /// dispatch; the default poisons the result: no object-safe method for this type).
    #[doc(hidden)]
    fn dispatch_dual_power(
        _act: &dyn DynActivation,
        _qx: &PowerSeries<Self>,
        _qy: &PowerSeries<Self>,
        c: &PowerSeries<Self>,
    ) -> (PowerSeries<Self>, PowerSeries<Self>) {
        (c.poisoned(), c.poisoned())
    }
    /// See [`Coefficient::dispatch_dual_power`].
    #[doc(hidden)]
    fn dispatch_dual_puiseux(
        _act: &dyn DynActivation,
        _qx: &PuiseuxSeries<Self>,
        _qy: &PuiseuxSeries<Self>,
        c: &PuiseuxSeries<Self>,
    ) -> (PuiseuxSeries<Self>, PuiseuxSeries<Self>) {
        (c.poisoned(), c.poisoned())
    }
    /// The run-time layer on power series (hidden dispatch; the default poisons the state).
    #[doc(hidden)]
    fn dispatch_layer_power(
        _layer: &dyn DynLayer,
        s: CovState<PowerSeries<Self>>,
    ) -> CovState<PowerSeries<Self>> {
        poison_state(s, |x| x.poisoned())
    }
    /// See [`Coefficient::dispatch_layer_power`].
    #[doc(hidden)]
    fn dispatch_layer_puiseux(
        _layer: &dyn DynLayer,
        s: CovState<PuiseuxSeries<Self>>,
    ) -> CovState<PuiseuxSeries<Self>> {
        poison_state(s, |x| x.poisoned())
    }
}

fn poison_state<S>(s: CovState<S>, f: impl Fn(&S) -> S) -> CovState<S> {
    CovState {
        xx: f(&s.xx),
        yy: f(&s.yy),
        nngp: f(&s.nngp),
        ntk: f(&s.ntk),
        exp2: s.exp2,
    }
}

/// Independent partial sums of the `f64` [`Coefficient::dot_rev`] and
/// [`Coefficient::weighted_dot_rev`]: the recurrences are sums of products whose one sequential
/// accumulator is bound by the latency of the addition; `LANES` accumulators let the products
/// pipeline (and vectorize). The summation order differs from the sequential one only in
/// rounding (each partial sum has at most $n/$`LANES` terms, so the error bound does not grow).
const LANES: usize = 8;

impl Coefficient for f64 {
    const EXACT: bool = false;
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn from_i64(n: i64) -> Self {
        n as f64
    }
    #[inline]
    fn invalid() -> Self {
        f64::NAN
    }
    #[inline]
    fn is_valid(&self) -> bool {
        self.is_finite()
    }
    #[inline]
    fn approx(&self) -> f64 {
        *self
    }
    #[inline]
    fn sqrt(&self) -> Self {
        f64::sqrt(*self)
    }
    #[inline]
    fn inv_sqrt(&self) -> Self {
        self.powf(-0.5)
    }
    #[inline]
    fn pi() -> Self {
        std::f64::consts::PI
    }
    fn arc_cosine(&self) -> (Self, Self) {
        KernelScalar::arc_cosine(self)
    }
    fn asin(&self) -> Self {
        KernelScalar::asin(self)
    }
    fn exp(&self) -> Self {
        f64::exp(*self)
    }
    #[inline]
    fn scale_pow2(&self, e: i32) -> Self {
        scale_f64(*self, e)
    }

    #[inline]
    fn dot_rev(a: &[f64], b: &[f64]) -> f64 {
        debug_assert_eq!(a.len(), b.len());
        let n = a.len().min(b.len());
        let m = n - n % LANES;
        let mut acc = [0.0f64; LANES];
        for (ca, cb) in a[..m]
            .chunks_exact(LANES)
            .zip(b[n - m..].rchunks_exact(LANES))
        {
            for j in 0..LANES {
                acc[j] += ca[j] * cb[LANES - 1 - j];
            }
        }
        let mut rest = 0.0;
        for i in m..n {
            rest += a[i] * b[n - 1 - i];
        }
        acc.iter().sum::<f64>() + rest
    }

    /// Weights exact for the small integers and half-integers of Miller's recurrence.
    #[inline]
    fn weighted_dot_rev(w0: f64, w1: f64, a: &[f64], b: &[f64]) -> f64 {
        debug_assert_eq!(a.len(), b.len());
        let n = a.len().min(b.len());
        let m = n - n % LANES;
        let mut acc = [0.0f64; LANES];
        let mut idx: [f64; LANES] = std::array::from_fn(|j| j as f64);
        for (ca, cb) in a[..m]
            .chunks_exact(LANES)
            .zip(b[n - m..].rchunks_exact(LANES))
        {
            for j in 0..LANES {
                acc[j] += (w0 + w1 * idx[j]) * ca[j] * cb[LANES - 1 - j];
                idx[j] += LANES as f64;
            }
        }
        let mut rest = 0.0;
        for i in m..n {
            rest += (w0 + w1 * i as f64) * a[i] * b[n - 1 - i];
        }
        acc.iter().sum::<f64>() + rest
    }

    fn dispatch_dual_power(
        act: &dyn DynActivation,
        qx: &PowerSeries,
        qy: &PowerSeries,
        c: &PowerSeries,
    ) -> (PowerSeries, PowerSeries) {
        act.dual_power(qx, qy, c)
    }
    fn dispatch_dual_puiseux(
        act: &dyn DynActivation,
        qx: &PuiseuxSeries,
        qy: &PuiseuxSeries,
        c: &PuiseuxSeries,
    ) -> (PuiseuxSeries, PuiseuxSeries) {
        act.dual_puiseux(qx, qy, c)
    }
    fn dispatch_layer_power(
        layer: &dyn DynLayer,
        s: CovState<PowerSeries>,
    ) -> CovState<PowerSeries> {
        layer.apply_power(s)
    }
    fn dispatch_layer_puiseux(
        layer: &dyn DynLayer,
        s: CovState<PuiseuxSeries>,
    ) -> CovState<PuiseuxSeries> {
        layer.apply_puiseux(s)
    }
}
