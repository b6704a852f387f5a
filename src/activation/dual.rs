//! The dual-activation abstraction: an activation $\phi$ is known to the kernel recursions
//! through its dual maps (Cho & Saul 2009; Daniely, Frostig & Singer 2016):
//!
//! $$\big(q_x, q_y, c\big) \mapsto \Big(\mathbb E[\phi(u)\phi(v)],\ \mathbb E[\phi'(u)\phi'(v)]\Big),
//!   \qquad (u, v) \sim \mathcal N\Big(0, \begin{pmatrix} q_x & c \\ c & q_y\end{pmatrix}\Big),$$
//!
//! whose diagonal $q \mapsto \mathbb E[\phi(u)^2]$, $u\sim\mathcal N(0,q)$, is the same map at
//! $(q, q, q)$. [`DualActivation`] is the trait a new activation implements, once, generically
//! over the number type ([`KernelScalar`]: its elementary functions `sqrt`, `exp`, `asin` and the
//! arc-cosine maps are implemented once per number type). [`DynActivation`] is its object-safe
//! mirror (one method per number type of the crate, provided by a blanket implementation), so
//! that activations chosen at run time can be stored as `Arc<dyn DynActivation>`.

use std::fmt::Debug;

use crate::scalar::{Bounded, BoundedLanes, DoubleDouble, Dual, KernelScalar, QuadDouble};
use crate::series::{PowerSeries, PuiseuxSeries};
use crate::symbolic::Expr;
use crate::symbolic::exact::Exact;

/// An activation $\phi$ given by its dual maps, written once for every number type.
///
/// Implement this trait in a downstream crate to add an activation; wrap it with
/// [`crate::activation::Activation::custom`] to use it in a network.
///
/// ```
/// use ntk_sphere::activation::{Activation, DualActivation};
/// use ntk_sphere::scalar::KernelScalar;
///
/// /// The linear activation φ(x) = 2x: E[φ(u)φ(v)] = 4c, E[φ'φ'] = 4.
/// #[derive(Debug)]
/// struct Double;
/// impl DualActivation for Double {
///     fn dual<S: KernelScalar>(&self, _qx: &S, _qy: &S, c: &S) -> (S, S) {
///         (S::from_f64(4.0) * c.clone(), S::from_f64(4.0))
///     }
///     fn homogeneity(&self) -> Option<u32> { Some(1) }
///     fn value(&self, x: f64) -> f64 { 2.0 * x }
///     fn derivative(&self, _x: f64) -> f64 { 2.0 }
///     fn name(&self) -> String { "double".into() }
/// }
/// let act = Activation::custom(Double);
/// let (e, ed) = act.dual(&1.0_f64, &1.0, &0.5);
/// assert_eq!((e, ed), (2.0, 4.0));
/// ```
pub trait DualActivation: Debug + Send + Sync + 'static {
    /// $\big(\mathbb E[\phi(u)\phi(v)], \mathbb E[\phi'(u)\phi'(v)]\big)$ for
    /// $(u,v)\sim\mathcal N(0, [[q_x, c], [c, q_y]])$. A zero variance means the variable is
    /// identically zero.
    fn dual<S: KernelScalar>(&self, qx: &S, qy: &S, c: &S) -> (S, S);
    /// The degree $p$ of positive homogeneity, $\phi(\lambda x) = \lambda^p\phi(x)$ for
    /// $\lambda > 0$, if $\phi$ has one (ReLU: 1, sign: 0, $x^n$: $n$). The recursions then
    /// rescale covariances freely (deep networks neither overflow nor underflow) and Gram
    /// matrices of degree-1 networks use the fast homogeneous path.
    fn homogeneity(&self) -> Option<u32> {
        None
    }
    /// $\phi(x)$ in double precision (finite-width networks).
    fn value(&self, x: f64) -> f64;
    /// $\phi'(x)$ in double precision (finite-width networks; a Dirac part is dropped).
    fn derivative(&self, x: f64) -> f64;
    /// The points where $\phi$ or $\phi'$ is not smooth (used by quadrature cross-checks).
    fn kinks(&self) -> Vec<f64> {
        Vec::new()
    }
    /// A short name, e.g. `erf(a=1, b=1, c=0)`.
    fn name(&self) -> String;
}

/// The object-safe form of [`DualActivation`]: one dual map per number type of the crate. Every
/// `DualActivation` implements it (blanket implementation); do not implement it directly.
pub trait DynActivation: Debug + Send + Sync {
    /// [`DualActivation::dual`] on `f64`.
    fn dual_f64(&self, qx: &f64, qy: &f64, c: &f64) -> (f64, f64);
    /// [`DualActivation::dual`] on [`DoubleDouble`].
    fn dual_dd(
        &self,
        qx: &DoubleDouble,
        qy: &DoubleDouble,
        c: &DoubleDouble,
    ) -> (DoubleDouble, DoubleDouble);
    /// [`DualActivation::dual`] on [`QuadDouble`].
    fn dual_qd(&self, qx: &QuadDouble, qy: &QuadDouble, c: &QuadDouble)
    -> (QuadDouble, QuadDouble);
    /// [`DualActivation::dual`] on [`Dual`].
    fn dual_dual(&self, qx: &Dual, qy: &Dual, c: &Dual) -> (Dual, Dual);
    /// [`DualActivation::dual`] on [`Bounded`].
    fn dual_bounded(&self, qx: &Bounded, qy: &Bounded, c: &Bounded) -> (Bounded, Bounded);
    /// [`DualActivation::dual`] on [`BoundedLanes`].
    fn dual_lanes(
        &self,
        qx: &BoundedLanes,
        qy: &BoundedLanes,
        c: &BoundedLanes,
    ) -> (BoundedLanes, BoundedLanes);
    /// [`DualActivation::dual`] on [`PowerSeries`].
    fn dual_power(
        &self,
        qx: &PowerSeries,
        qy: &PowerSeries,
        c: &PowerSeries,
    ) -> (PowerSeries, PowerSeries);
    /// [`DualActivation::dual`] on [`PuiseuxSeries`].
    fn dual_puiseux(
        &self,
        qx: &PuiseuxSeries,
        qy: &PuiseuxSeries,
        c: &PuiseuxSeries,
    ) -> (PuiseuxSeries, PuiseuxSeries);
    /// [`DualActivation::dual`] on symbolic expressions ([`Expr`]).
    fn dual_expr(&self, qx: &Expr, qy: &Expr, c: &Expr) -> (Expr, Expr);
    /// [`DualActivation::dual`] on [`PuiseuxSeries`] with exact coefficients
    /// ([`crate::symbolic::exact::Exact`]).
    fn dual_puiseux_exact(
        &self,
        qx: &PuiseuxSeries<Exact>,
        qy: &PuiseuxSeries<Exact>,
        c: &PuiseuxSeries<Exact>,
    ) -> (PuiseuxSeries<Exact>, PuiseuxSeries<Exact>);
    /// [`DualActivation::dual`] on [`PowerSeries`] with symbolic coefficients ([`Expr`]).
    fn dual_power_expr(
        &self,
        qx: &PowerSeries<Expr>,
        qy: &PowerSeries<Expr>,
        c: &PowerSeries<Expr>,
    ) -> (PowerSeries<Expr>, PowerSeries<Expr>);
    /// [`DualActivation::dual`] on [`PuiseuxSeries`] with symbolic coefficients ([`Expr`]).
    fn dual_puiseux_expr(
        &self,
        qx: &PuiseuxSeries<Expr>,
        qy: &PuiseuxSeries<Expr>,
        c: &PuiseuxSeries<Expr>,
    ) -> (PuiseuxSeries<Expr>, PuiseuxSeries<Expr>);
    /// [`DualActivation::homogeneity`].
    fn dyn_homogeneity(&self) -> Option<u32>;
    /// [`DualActivation::value`].
    fn dyn_value(&self, x: f64) -> f64;
    /// [`DualActivation::derivative`].
    fn dyn_derivative(&self, x: f64) -> f64;
    /// [`DualActivation::kinks`].
    fn dyn_kinks(&self) -> Vec<f64>;
    /// [`DualActivation::name`].
    fn dyn_name(&self) -> String;
}

impl<A: DualActivation> DynActivation for A {
    fn dual_f64(&self, qx: &f64, qy: &f64, c: &f64) -> (f64, f64) {
        self.dual(qx, qy, c)
    }
    fn dual_dd(
        &self,
        qx: &DoubleDouble,
        qy: &DoubleDouble,
        c: &DoubleDouble,
    ) -> (DoubleDouble, DoubleDouble) {
        self.dual(qx, qy, c)
    }
    fn dual_qd(
        &self,
        qx: &QuadDouble,
        qy: &QuadDouble,
        c: &QuadDouble,
    ) -> (QuadDouble, QuadDouble) {
        self.dual(qx, qy, c)
    }
    fn dual_dual(&self, qx: &Dual, qy: &Dual, c: &Dual) -> (Dual, Dual) {
        self.dual(qx, qy, c)
    }
    fn dual_bounded(&self, qx: &Bounded, qy: &Bounded, c: &Bounded) -> (Bounded, Bounded) {
        self.dual(qx, qy, c)
    }
    fn dual_lanes(
        &self,
        qx: &BoundedLanes,
        qy: &BoundedLanes,
        c: &BoundedLanes,
    ) -> (BoundedLanes, BoundedLanes) {
        self.dual(qx, qy, c)
    }
    fn dual_power(
        &self,
        qx: &PowerSeries,
        qy: &PowerSeries,
        c: &PowerSeries,
    ) -> (PowerSeries, PowerSeries) {
        self.dual(qx, qy, c)
    }
    fn dual_puiseux(
        &self,
        qx: &PuiseuxSeries,
        qy: &PuiseuxSeries,
        c: &PuiseuxSeries,
    ) -> (PuiseuxSeries, PuiseuxSeries) {
        self.dual(qx, qy, c)
    }
    fn dual_expr(&self, qx: &Expr, qy: &Expr, c: &Expr) -> (Expr, Expr) {
        self.dual(qx, qy, c)
    }
    fn dual_puiseux_exact(
        &self,
        qx: &PuiseuxSeries<Exact>,
        qy: &PuiseuxSeries<Exact>,
        c: &PuiseuxSeries<Exact>,
    ) -> (PuiseuxSeries<Exact>, PuiseuxSeries<Exact>) {
        self.dual(qx, qy, c)
    }
    fn dual_power_expr(
        &self,
        qx: &PowerSeries<Expr>,
        qy: &PowerSeries<Expr>,
        c: &PowerSeries<Expr>,
    ) -> (PowerSeries<Expr>, PowerSeries<Expr>) {
        self.dual(qx, qy, c)
    }
    fn dual_puiseux_expr(
        &self,
        qx: &PuiseuxSeries<Expr>,
        qy: &PuiseuxSeries<Expr>,
        c: &PuiseuxSeries<Expr>,
    ) -> (PuiseuxSeries<Expr>, PuiseuxSeries<Expr>) {
        self.dual(qx, qy, c)
    }
    fn dyn_homogeneity(&self) -> Option<u32> {
        self.homogeneity()
    }
    fn dyn_value(&self, x: f64) -> f64 {
        self.value(x)
    }
    fn dyn_derivative(&self, x: f64) -> f64 {
        self.derivative(x)
    }
    fn dyn_kinks(&self) -> Vec<f64> {
        self.kinks()
    }
    fn dyn_name(&self) -> String {
        self.name()
    }
}
