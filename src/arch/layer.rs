//! Layers as data: every network is a [`Serial`] composition of [`Layer`]s acting on one
//! covariance state ([`CovState`]), as neural-tangents' `Kernel` flows through `serial`.
//!
//! For two inputs the state holds $q_x = K(x,x)$, $q_y = K(y,y)$, the NNGP kernel
//! $K(x,y)$ and the NTK $\Theta(x,y)$; the input state is $(\langle x,x\rangle/d,
//! \langle y,y\rangle/d, \langle x,y\rangle/d, 0)$. The layer rules (NTK parametrization, every
//! layer trained; Jacot et al. 2018, Arora et al. 2019, Novak et al. 2020):
//!
//! * **Dense** $(\sigma_w^2, \sigma_b^2)$: $K' = \sigma_w^2K + \sigma_b^2$ (and the same for
//!   $q_x$, $q_y$), $\Theta' = K' + \sigma_w^2\Theta$ — the first term is the gradient with
//!   respect to the layer's own weights and bias, the second the back-propagated one;
//! * **Activation** $\phi$: $K' = \mathbb E[\phi(u)\phi(v)]$, $q' = \mathbb E[\phi(u)^2]$,
//!   $\Theta' = \Theta\\,\mathbb E[\phi'(u)\phi'(v)]$, $(u,v)\sim\mathcal N\big(0,\begin{pmatrix}q_x & K \\ K & q_y\end{pmatrix}\big)$;
//! * **Residual** $(\alpha, B)$, $x\mapsto x + \alpha B(x)$: with $(K_B, \Theta_B) = B(K,\Theta)$,
//!   $K' = K + \alpha^2K_B$, $\Theta' = \Theta + \alpha^2\Theta_B$ (the cross terms vanish at
//!   infinite width: the branch weights are independent and centred);
//! * **Serial** $[L_1, \dots, L_n]$: the composition.
//!
//! **Scaling.** The state carries a common power of two, `exp2`: the true values are the
//! mantissas times $2^{\text{exp2}}$. Before a positively homogeneous activation of degree $p$
//! the mantissas are brought back near 1 when their scale leaves $[2^{-128}, 2^{128}]$, and the
//! exponent becomes $p\cdot$`exp2` after it; a non-homogeneous activation first folds the
//! exponent back into the mantissas. Depth $10^5$ ReLU networks therefore neither overflow nor
//! underflow.

use std::fmt::Debug;
use std::sync::Arc;

use crate::activation::{Activation, DualActivation};
use crate::error::ArchError;
use crate::scalar::{
    Bounded, BoundedLanes, DoubleDouble, Dual, KernelScalar, QuadDouble, scale_f64,
};
use crate::series::{PowerSeries, PuiseuxSeries};
use crate::symbolic::Expr;
use crate::symbolic::exact::Exact;

/// The covariance state of a pair of inputs flowing through the layers (see the module
/// documentation); every value is `mantissa` $\cdot 2^{\text{exp2}}$.
#[derive(Debug, Clone)]
pub struct CovState<S> {
    /// $q_x = K(x, x)$.
    pub xx: S,
    /// $q_y = K(y, y)$.
    pub yy: S,
    /// The NNGP kernel $K(x, y)$.
    pub nngp: S,
    /// The NTK $\Theta(x, y)$.
    pub ntk: S,
    /// Common base-2 exponent of the four values.
    pub exp2: i64,
}

/// Rescaling is triggered when a state's scale leaves $[2^{-\text{RESCALE}}, 2^{\text{RESCALE}}]$.
const RESCALE_LOG2: i32 = 128;

/// The exponent $k$ to divide by ($2^{-k}$) so that `scale` comes back near 1, or 0.
fn rescale_exponent(scale: f64) -> i32 {
    if scale > 0.0 && scale.is_finite() {
        let e = floor_log2(scale);
        if e.abs() > RESCALE_LOG2 { e } else { 0 }
    } else {
        0
    }
}

/// $\lfloor\log_2 x\rfloor$ of a finite $x > 0$, exactly: the exponent field of a normal
/// double, the position of the leading bit of a subnormal's mantissa ($x = m\\,2^{-1074}$).
#[inline]
fn floor_log2(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        let mantissa = bits & ((1u64 << 52) - 1);
        63 - mantissa.leading_zeros() as i32 - 1074
    } else {
        biased - 1023
    }
}

/// α² in this range is multiplied in directly by [`Residual`]; outside it (or zero), its power
/// of two is carried in the state's exponent.
const ORDINARY_SCALE_MIN: f64 = 1e-100;
/// See [`ORDINARY_SCALE_MIN`].
const ORDINARY_SCALE_MAX: f64 = 1e100;

/// A finite positive `x` as `(m, e)` with `x = m 2^e` exactly and `m` in $[1, 2)$ (subnormals
/// included).
fn split_pow2(x: f64) -> (f64, i64) {
    if !(x.is_finite() && x > 0.0) {
        return (x, 0);
    }
    let e = floor_log2(x);
    (scale_f64(x, -e), e as i64)
}

fn exp_to_i32(e: i64) -> i32 {
    e.clamp(i32::MIN as i64 / 2, i32::MAX as i64 / 2) as i32
}

impl<S: KernelScalar> CovState<S> {
    /// The input state $(q_x, q_y, K, 0)$ with exponent 0.
    pub fn input(xx: S, yy: S, nngp: S) -> Self {
        Self {
            xx,
            yy,
            nngp,
            ntk: S::zero(),
            exp2: 0,
        }
    }

    /// Multiplies all four mantissas by $2^{k}$ and lowers the exponent by $k$ (same values).
    #[inline]
    fn shift(self, k: i64) -> Self {
        if k == 0 {
            return self;
        }
        let e = exp_to_i32(k);
        Self {
            xx: self.xx.scale_pow2(e),
            yy: self.yy.scale_pow2(e),
            nngp: self.nngp.scale_pow2(e),
            ntk: self.ntk.scale_pow2(e),
            // (saturating: an exponent pinned at the end of i64 stays there — it stands for a
            // scale beyond every double — instead of wrapping to the other end)
            exp2: self.exp2.saturating_sub(e as i64),
        }
    }

    /// The same state with exponent 0 (values folded into the mantissas; may overflow).
    pub fn unscaled(self) -> Self {
        let e = self.exp2;
        self.shift(e)
    }

    /// The same state expressed with exponent `exp2`.
    pub fn with_exp2(self, exp2: i64) -> Self {
        let k = self.exp2.saturating_sub(exp2);
        self.shift(k)
    }
}

/// A layer of a network, acting on the covariance state; written once, generically over the
/// number type. Implement it in a downstream crate to add a layer, and wrap it with
/// [`Layer::custom`] to use it in a [`Serial`] network.
///
/// ```
/// use ntk_sphere::arch::{CovState, KernelLayer, Layer, Serial};
/// use ntk_sphere::scalar::KernelScalar;
///
/// /// Multiplies the features by a fixed (untrained) factor γ: covariances scale by γ².
/// #[derive(Debug)]
/// struct Scale(f64);
/// impl KernelLayer for Scale {
///     fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
///         let g = S::from_f64(self.0 * self.0);
///         CovState { xx: g.clone() * s.xx, yy: g.clone() * s.yy,
///                    nngp: g.clone() * s.nngp, ntk: g * s.ntk, exp2: s.exp2 }
///     }
///     fn homogeneity(&self, input: Option<u32>) -> Option<u32> { input }
/// }
/// let net = Serial::new(vec![Layer::dense(1.0, 0.0).unwrap(), Layer::custom(Scale(2.0))]).unwrap();
/// let s = net.apply(CovState::input(1.0_f64, 1.0, 0.5));
/// assert_eq!((s.nngp, s.ntk), (2.0, 2.0));
/// ```
pub trait KernelLayer: Debug + Send + Sync + 'static {
    /// The state after the layer.
    fn apply<S: KernelScalar>(&self, state: CovState<S>) -> CovState<S>;
    /// The degree of positive homogeneity of the layer's output features in the network
    /// input, given that of its input features (`None`: not homogeneous). A bias-free ReLU
    /// network has degree 1 throughout.
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        let _ = input;
        None
    }
}

/// The object-safe form of [`KernelLayer`] (one method per number type of the crate), provided
/// for every `KernelLayer` by a blanket implementation; do not implement it directly.
#[allow(missing_docs)]
pub trait DynLayer: Debug + Send + Sync {
    fn apply_f64(&self, state: CovState<f64>) -> CovState<f64>;
    fn apply_dd(&self, state: CovState<DoubleDouble>) -> CovState<DoubleDouble>;
    fn apply_qd(&self, state: CovState<QuadDouble>) -> CovState<QuadDouble>;
    fn apply_dual(&self, state: CovState<Dual>) -> CovState<Dual>;
    fn apply_bounded(&self, state: CovState<Bounded>) -> CovState<Bounded>;
    fn apply_lanes(&self, state: CovState<BoundedLanes>) -> CovState<BoundedLanes>;
    fn apply_power(&self, state: CovState<PowerSeries>) -> CovState<PowerSeries>;
    fn apply_puiseux(&self, state: CovState<PuiseuxSeries>) -> CovState<PuiseuxSeries>;
    fn apply_expr(&self, state: CovState<Expr>) -> CovState<Expr>;
    fn apply_puiseux_exact(
        &self,
        state: CovState<PuiseuxSeries<Exact>>,
    ) -> CovState<PuiseuxSeries<Exact>>;
    fn apply_power_expr(&self, state: CovState<PowerSeries<Expr>>) -> CovState<PowerSeries<Expr>>;
    fn apply_puiseux_expr(
        &self,
        state: CovState<PuiseuxSeries<Expr>>,
    ) -> CovState<PuiseuxSeries<Expr>>;
    fn dyn_homogeneity(&self, input: Option<u32>) -> Option<u32>;
}

impl<L: KernelLayer> DynLayer for L {
    fn apply_f64(&self, state: CovState<f64>) -> CovState<f64> {
        self.apply(state)
    }
    fn apply_dd(&self, state: CovState<DoubleDouble>) -> CovState<DoubleDouble> {
        self.apply(state)
    }
    fn apply_qd(&self, state: CovState<QuadDouble>) -> CovState<QuadDouble> {
        self.apply(state)
    }
    fn apply_dual(&self, state: CovState<Dual>) -> CovState<Dual> {
        self.apply(state)
    }
    fn apply_bounded(&self, state: CovState<Bounded>) -> CovState<Bounded> {
        self.apply(state)
    }
    fn apply_lanes(&self, state: CovState<BoundedLanes>) -> CovState<BoundedLanes> {
        self.apply(state)
    }
    fn apply_power(&self, state: CovState<PowerSeries>) -> CovState<PowerSeries> {
        self.apply(state)
    }
    fn apply_puiseux(&self, state: CovState<PuiseuxSeries>) -> CovState<PuiseuxSeries> {
        self.apply(state)
    }
    fn apply_expr(&self, state: CovState<Expr>) -> CovState<Expr> {
        self.apply(state)
    }
    fn apply_puiseux_exact(
        &self,
        state: CovState<PuiseuxSeries<Exact>>,
    ) -> CovState<PuiseuxSeries<Exact>> {
        self.apply(state)
    }
    fn apply_power_expr(&self, state: CovState<PowerSeries<Expr>>) -> CovState<PowerSeries<Expr>> {
        self.apply(state)
    }
    fn apply_puiseux_expr(
        &self,
        state: CovState<PuiseuxSeries<Expr>>,
    ) -> CovState<PuiseuxSeries<Expr>> {
        self.apply(state)
    }
    fn dyn_homogeneity(&self, input: Option<u32>) -> Option<u32> {
        self.homogeneity(input)
    }
}

/// A fully connected layer $h \mapsto (\sigma_w/\sqrt m)Wh + \sigma_b b$ with standard normal
/// $W$, $b$ (NTK parametrization). The first dense layer of a network sees
/// $\langle x,y\rangle/d$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dense {
    w_var: f64,
    b_var: f64,
}

impl Dense {
    /// Weight variance $\sigma_w^2 > 0$ and bias variance $\sigma_b^2 \ge 0$.
    pub fn new(w_var: f64, b_var: f64) -> Result<Self, ArchError> {
        if !(w_var.is_finite() && w_var > 0.0) {
            return Err(ArchError::NotPositive {
                name: "w_var",
                value: w_var,
            });
        }
        if !(b_var.is_finite() && b_var >= 0.0) {
            return Err(ArchError::Negative {
                name: "b_var",
                value: b_var,
            });
        }
        Ok(Self { w_var, b_var })
    }
    /// $\sigma_w^2$.
    pub fn w_var(&self) -> f64 {
        self.w_var
    }
    /// $\sigma_b^2$.
    pub fn b_var(&self) -> f64 {
        self.b_var
    }
}

impl KernelLayer for Dense {
    fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        if self.w_var == 1.0 && self.b_var == 0.0 {
            // The same values without the (exact) multiplications by 1 and additions of 0.
            let ntk = s.nngp.clone() + s.ntk;
            return CovState { ntk, ..s };
        }
        // w = wm 2^we with wm in [1, 2): the power of two goes into the exponent, so that
        // huge or tiny variances (1e±300) neither overflow nor underflow the mantissas.
        let (wm, we) = split_pow2(self.w_var);
        let exp2 = s.exp2.saturating_add(we);
        let w = S::from_f64(wm);
        let bias = || S::from_f64(scale_f64(self.b_var, exp_to_i32(-exp2)));
        let nngp = w.clone() * s.nngp + bias();
        CovState {
            xx: w.clone() * s.xx + bias(),
            yy: w.clone() * s.yy + bias(),
            ntk: nngp.clone() + w * s.ntk,
            nngp,
            exp2,
        }
    }
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        if self.b_var == 0.0 { input } else { None }
    }
}

impl KernelLayer for Activation {
    fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        let (s, p) = match DualActivation::homogeneity(self) {
            Some(p) => {
                // √q_x·√q_y: the product q_x q_y may overflow where the scale does not.
                let geo = s.xx.approx().sqrt() * s.yy.approx().sqrt();
                let k = rescale_exponent(geo);
                (s.shift(-(k as i64)), Some(p))
            }
            None => (s.unscaled(), None),
        };
        let (e, ed) = self.dual(&s.xx, &s.yy, &s.nngp);
        // The diagonal goes through the same operations as the cross term, so that x = y gives
        // bitwise-consistent covariances (correlation exactly 1); number types that ask for it
        // (`KernelScalar::HOMOGENEOUS_DIAGONAL`) get q^p E[φ(z)²] instead, which is exact.
        let unit = match p {
            Some(p) if S::HOMOGENEOUS_DIAGONAL => {
                let one = S::one();
                Some((p, self.dual(&one, &one, &one).0))
            }
            _ => None,
        };
        // (q^p E[φ(z)²] only for q > 0: a zero variance is an identically zero feature, also
        // for degree 0.)
        let diagonal = |q: &S| match &unit {
            Some((p, unit)) if q.approx() > 0.0 => {
                (0..*p).fold(unit.clone(), |acc, _| acc * q.clone())
            }
            _ => self.dual(q, q, q).0,
        };
        let xx = diagonal(&s.xx);
        let yy = diagonal(&s.yy);
        let exp2 = match p {
            Some(p) => s.exp2.saturating_mul(p as i64),
            None => 0,
        };
        CovState {
            xx,
            yy,
            nngp: e,
            ntk: s.ntk * ed,
            exp2,
        }
    }
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        let p = DualActivation::homogeneity(self)?;
        input.and_then(|h| h.checked_mul(p))
    }
}

/// A residual block $x \mapsto x + \alpha B(x)$ around a branch $B$ (a [`Serial`]).
#[derive(Debug, Clone)]
pub struct Residual {
    alpha: f64,
    branch: Serial,
}

impl Residual {
    /// Scale $\alpha \ge 0$ and a non-empty branch.
    pub fn new(alpha: f64, branch: Serial) -> Result<Self, ArchError> {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(ArchError::Negative {
                name: "alpha",
                value: alpha,
            });
        }
        Ok(Self { alpha, branch })
    }
    /// $\alpha$.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// The branch.
    pub fn branch(&self) -> &Serial {
        &self.branch
    }
}

impl KernelLayer for Residual {
    fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        let b = self.branch.apply(s.clone());
        let alpha2 = self.alpha * self.alpha;
        // Exact and symbolic types give alpha^2 themselves; an ordinary double alpha^2
        // multiplies the branch directly. Both at the branch's exponent (the result is the same
        // as below: both paths scale by exact powers of two).
        let direct = S::residual_scale(self.alpha).or_else(|| {
            (ORDINARY_SCALE_MIN..=ORDINARY_SCALE_MAX)
                .contains(&alpha2)
                .then(|| S::from_f64(alpha2))
        });
        if let Some(a2) = direct {
            let s = s.with_exp2(b.exp2);
            return CovState {
                xx: s.xx + a2.clone() * b.xx,
                yy: s.yy + a2.clone() * b.yy,
                nngp: s.nngp + a2.clone() * b.nngp,
                ntk: s.ntk + a2 * b.ntk,
                exp2: b.exp2,
            };
        }
        // alpha^2 = am^2 2^(2 ae): the power of two goes into the exponent (alpha = 1e200 or
        // 1e-200 neither overflows nor underflows).
        // Both terms are brought to the larger exponent (shifting down only: no overflow).
        let (am, ae) = split_pow2(self.alpha);
        let branch_exp2 = b.exp2.saturating_add(2 * ae);
        let exp2 = s.exp2.max(branch_exp2);
        let s = s.with_exp2(exp2);
        let b = b.with_exp2(exp2.saturating_sub(2 * ae));
        let a2 = S::from_f64(am * am);
        CovState {
            xx: s.xx + a2.clone() * b.xx,
            yy: s.yy + a2.clone() * b.yy,
            nngp: s.nngp + a2.clone() * b.nngp,
            ntk: s.ntk + a2 * b.ntk,
            exp2,
        }
    }
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        if self.alpha == 0.0 {
            return input;
        }
        let h = input?;
        (self.branch.homogeneity(Some(h)) == Some(h)).then_some(h)
    }
}

/// One layer of a network: a built-in layer or a user [`KernelLayer`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Layer {
    /// A [`Dense`] layer.
    Dense(Dense),
    /// An elementwise [`Activation`].
    Activation(Activation),
    /// A [`Residual`] block.
    Residual(Residual),
    /// A nested [`Serial`] composition.
    Serial(Serial),
    /// A user layer (see [`KernelLayer`]).
    Custom(Arc<dyn DynLayer>),
}

impl Layer {
    /// `Dense` with $\sigma_w^2 > 0$, $\sigma_b^2 \ge 0$.
    pub fn dense(w_var: f64, b_var: f64) -> Result<Self, ArchError> {
        Ok(Self::Dense(Dense::new(w_var, b_var)?))
    }
    /// An activation layer.
    pub fn activation(act: Activation) -> Self {
        Self::Activation(act)
    }
    /// A residual block $x\mapsto x+\alpha B(x)$; the branch must not be empty.
    pub fn residual(alpha: f64, branch: Vec<Layer>) -> Result<Self, ArchError> {
        Ok(Self::Residual(Residual::new(alpha, Serial::new(branch)?)?))
    }
    /// A user layer.
    pub fn custom(layer: impl KernelLayer) -> Self {
        Self::Custom(Arc::new(layer))
    }
}

impl KernelLayer for Layer {
    fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        match self {
            Self::Dense(l) => l.apply(s),
            Self::Activation(l) => l.apply(s),
            Self::Residual(l) => l.apply(s),
            Self::Serial(l) => l.apply(s),
            Self::Custom(l) => S::dispatch_layer(l.as_ref(), s),
        }
    }
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        match self {
            Self::Dense(l) => l.homogeneity(input),
            Self::Activation(l) => KernelLayer::homogeneity(l, input),
            Self::Residual(l) => l.homogeneity(input),
            Self::Serial(l) => l.homogeneity(input),
            Self::Custom(l) => l.dyn_homogeneity(input),
        }
    }
}

/// A non-empty sequence of layers applied in order. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Serial {
    layers: Arc<[Layer]>,
}

impl Serial {
    /// The composition of `layers` (at least one).
    pub fn new(layers: Vec<Layer>) -> Result<Self, ArchError> {
        if layers.is_empty() {
            return Err(ArchError::EmptyNetwork);
        }
        Ok(Self {
            layers: layers.into(),
        })
    }
    /// The layers.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }
    /// Runs the layers on a state.
    pub fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        self.layers.iter().fold(s, |s, l| l.apply(s))
    }
    /// The number of nonlinear layers on the longest path through the network (activations
    /// and custom layers; a residual block counts its branch): $L$ for the [`crate::Mlp`] and
    /// [`crate::ResNet`] presets. The accuracy estimates of the series and spectra grow with it.
    pub fn depth(&self) -> usize {
        self.layers
            .iter()
            .map(|l| match l {
                Layer::Dense(_) => 0,
                Layer::Activation(_) | Layer::Custom(_) => 1,
                Layer::Residual(r) => r.branch().depth(),
                Layer::Serial(s) => s.depth(),
            })
            .sum()
    }
    /// Degree of homogeneity of the output in the input (see [`KernelLayer::homogeneity`]).
    pub fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        self.layers.iter().fold(input, |h, l| l.homogeneity(h))
    }
}

impl KernelLayer for Serial {
    fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        Serial::apply(self, s)
    }
    fn homogeneity(&self, input: Option<u32>) -> Option<u32> {
        Serial::homogeneity(self, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// $2^e$ for every exponent of a finite positive double, subnormals included, built from
    /// bits independently of `scale_f64`.
    fn pow2(e: i32) -> f64 {
        if e >= -1022 {
            f64::from_bits(((e + 1023) as u64) << 52)
        } else {
            f64::from_bits(1u64 << (e + 1074))
        }
    }

    /// Test values: every power of two with its neighbours, normal and subnormal.
    fn samples() -> Vec<f64> {
        let mut v = Vec::new();
        for e in -1074..=1023 {
            let p = pow2(e);
            v.extend([p, p.next_up(), p.next_down(), 1.5 * p, 1.9 * p]);
        }
        v.retain(|x| x.is_finite() && *x > 0.0);
        v.push(f64::MAX);
        v.push(f64::MIN_POSITIVE.next_down());
        v
    }

    #[test]
    fn floor_log2_brackets_every_double() {
        for x in samples() {
            let e = floor_log2(x);
            assert!(pow2(e) <= x, "2^{e} > {x:e}");
            assert!(e == 1023 || x < pow2(e + 1), "2^{} <= {x:e}", e + 1);
        }
    }

    #[test]
    fn split_pow2_is_exact_with_mantissa_in_one_two() {
        for x in samples() {
            let (m, e) = split_pow2(x);
            assert!((1.0..2.0).contains(&m), "{x:e}: mantissa {m}");
            // m 2^e reassembled in two exact steps (2^e alone may not be a double).
            let half = (e / 2) as i32;
            let back = m * pow2(half) * pow2(e as i32 - half);
            assert_eq!(back, x, "{x:e} = {m} 2^{e}");
        }
        // Non-positive and non-finite inputs come back unchanged with exponent 0.
        for x in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            let (m, e) = split_pow2(x);
            assert!(e == 0 && (m == x || (m.is_nan() && x.is_nan())));
        }
    }

    #[test]
    fn rescale_exponent_fires_only_outside_the_band() {
        let limit = RESCALE_LOG2;
        // Inside [2^-128, 2^129): no rescaling.
        for x in [
            1.0,
            pow2(limit),
            pow2(limit + 1).next_down(),
            pow2(-limit),
            0.3,
        ] {
            assert_eq!(rescale_exponent(x), 0, "{x:e}");
        }
        // Outside: the exponent that brings the scale back to [1, 2).
        for (x, e) in [
            (pow2(limit + 1), limit + 1),
            (pow2(-limit).next_down(), -limit - 1),
            (3.0 * pow2(500), 501),
            (pow2(-1074), -1074),
            (f64::MAX, 1023),
        ] {
            assert_eq!(rescale_exponent(x), e, "{x:e}");
        }
        for x in [0.0, -pow2(300), f64::INFINITY, f64::NAN] {
            assert_eq!(rescale_exponent(x), 0);
        }
    }
}
