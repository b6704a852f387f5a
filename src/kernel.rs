//! Dot-product kernels on the sphere and Gram matrices for arbitrary inputs.
//!
//! For unit vectors $x, y \in S^{d-1}$ with $t = \langle x,y\rangle = \cos\theta$, every kernel of
//! [`crate::arch`] is a function $\kappa(t)$ (it carries the factor $1/d$ of the first layer).
//! Without biases the kernels are positively homogeneous, so for arbitrary inputs
//! $K(x,y) = \\|x\\|\\,\\|y\\|\\,\kappa(\cos\angle(x,y))$ (docs/conventions.md); a zero vector gives exactly 0.
//!
//! Evaluation runs the single recursion of [`crate::arch`] on [`DoubleDouble`] numbers, from an
//! input correlation whose gaps $1\mp t$ are exact, so values are correct to about one ulp of
//! `f64` for every $t$, including $t \to \pm 1$ and depth $10^5$. Normalized values
//! $\kappa(t)/\kappa(1)$ are formed from the scaled representation and never overflow.

mod derivative;
mod gram;
mod gram_fast;
mod gram_plan;
mod points;
pub mod table;

pub use derivative::{AngleDerivative, ENDPOINT_ANGLE};
pub use gram::{BOUNDED_TOLERANCE, Matrix, angle_between, gram_exact};
pub use gram_fast::gram_into;
pub use gram_plan::{GramPlan, MAX_NORM_CLASSES, MIN_TABLE_PAIRS};
pub use points::Points;
pub use table::GramTable;

use crate::arch::{Architecture, InputCovariance, KernelKind, Scaled};
use crate::error::KernelError;
use crate::scalar::{DoubleDouble, KernelScalar, scale_f64};

/// How far beyond $\pm1$ an inner product may lie and still be taken as $\pm1$: $4\cdot2^{-52}$.
///
/// The rounded inner product of two unit vectors (themselves rounded) can exceed 1 by a few ulp:
/// for normalized random `f64` vectors $\langle u, u\rangle = 1 + 2^{-52}$ is common. Every
/// function of this crate that takes $t = \langle x, y\rangle$ accepts
/// $|t| \le 1 +$ `INNER_PRODUCT_ROUNDING` and evaluates at $\operatorname{sign}(t)$ there; beyond,
/// it returns [`KernelError::InnerProductOutOfRange`].
pub const INNER_PRODUCT_ROUNDING: f64 = 4.0 * f64::EPSILON;

/// $t$ checked and, within [`INNER_PRODUCT_ROUNDING`] beyond $\pm1$, set to $\pm1$.
///
/// ```
/// use ntk_sphere::kernel::inner_product;
/// assert_eq!(inner_product(1.0 + f64::EPSILON).unwrap(), 1.0);
/// assert_eq!(inner_product(-1.0 - 4.0 * f64::EPSILON).unwrap(), -1.0);
/// assert_eq!(inner_product(0.25).unwrap(), 0.25);
/// assert!(inner_product(1.0 + 8.0 * f64::EPSILON).is_err());
/// assert!(inner_product(f64::NAN).is_err());
/// ```
pub fn inner_product(t: f64) -> Result<f64, KernelError> {
    if (-1.0..=1.0).contains(&t) {
        Ok(t)
    } else if t.abs() <= 1.0 + INNER_PRODUCT_ROUNDING {
        Ok(t.signum())
    } else {
        Err(KernelError::InnerProductOutOfRange { u: t })
    }
}

/// A dot-product kernel $\kappa(\langle x,y\rangle)$ of unit vectors of $\mathbb R^d$: an
/// architecture, a kernel kind and the ambient dimension $d$.
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// // d·Θ_MLP(x, x) = (L+1)/2^L for unit x (σ_w² = 1, no bias).
/// let k = SphereKernel::new(Mlp::new(3, 1.0).unwrap(), KernelKind::Ntk, 10).unwrap();
/// assert!((10.0 * k.eval(1.0).unwrap() - 4.0 / 8.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone)]
pub struct SphereKernel {
    arch: Architecture,
    kind: KernelKind,
    dim: usize,
}

/// The kernel of `arch` for two inputs of norms `rx`, `ry` in $\mathbb R^{d}$ at cosine `c`: the
/// recursion from the input covariance $(r_x^2/d,\ r_y^2/d,\ r_x r_y c/d)$, on any number type
/// (the one formula of the exact Gram path and of the per-norm tables, in double-double, and of
/// the bounded double path).
pub(crate) fn radial_recursion<S: KernelScalar>(
    arch: &Architecture,
    kind: KernelKind,
    dim: usize,
    c: S,
    x: S,
    y: S,
) -> Scaled<S> {
    let d = S::from_f64(dim as f64);
    let input = InputCovariance {
        xx: x.clone() * x.clone() / d.clone(),
        yy: y.clone() * y.clone() / d.clone(),
        xy: x * y / d * c,
    };
    arch.recursion(input).get(kind)
}

/// Converts a scaled value to `f64`, or reports that it does not fit.
pub(crate) fn scaled_to_f64(m: f64, exp2: i64) -> Result<f64, KernelError> {
    if m == 0.0 {
        return Ok(0.0);
    }
    if !m.is_finite() {
        return Err(KernelError::NonFiniteRecursion { value: m });
    }
    let log2_abs = m.abs().log2() + exp2 as f64;
    if !(-1022.0..1024.0).contains(&log2_abs) || !m.is_finite() {
        return Err(KernelError::NotRepresentable { log2_abs });
    }
    Ok(scale_f64(m, exp2 as i32))
}

/// Checks the mantissa of $\kappa(1)$ before dividing by it: a non-finite mantissa is an
/// overflow of the recursion ([`KernelError::NonFiniteRecursion`]), zero is an exact zero
/// ([`KernelError::ZeroNormalization`]; the scaled representation does not underflow), and a
/// negative value cannot normalize a kernel ([`KernelError::NegativeNormalization`]) where
/// `positive` is asked.
pub(crate) fn check_normalizer(m: f64, positive: bool) -> Result<(), KernelError> {
    if !m.is_finite() {
        Err(KernelError::NonFiniteRecursion { value: m })
    } else if m == 0.0 {
        Err(KernelError::ZeroNormalization)
    } else if positive && m < 0.0 {
        Err(KernelError::NegativeNormalization)
    } else {
        Ok(())
    }
}

impl SphereKernel {
    /// The kernel of `arch` of the given kind on $S^{d-1}$, $d \ge 1$.
    pub fn new(
        arch: impl Into<Architecture>,
        kind: KernelKind,
        dim: usize,
    ) -> Result<Self, KernelError> {
        if dim < 1 {
            return Err(KernelError::DimensionTooSmall { dim });
        }
        Ok(Self {
            arch: arch.into(),
            kind,
            dim,
        })
    }
    /// The architecture.
    pub fn arch(&self) -> &Architecture {
        &self.arch
    }
    /// The kernel kind.
    pub fn kind(&self) -> KernelKind {
        self.kind
    }
    /// The ambient dimension $d$.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Runs the recursion on any number type, with $t = \langle x,y\rangle$ given in that type:
    /// the input covariance is $(1/d, 1/d, t/d)$. This is the entry point for series and
    /// symbolic instances.
    pub fn eval_generic<S: KernelScalar>(&self, t: S) -> Scaled<S> {
        let inv_d = S::one() / S::from_f64(self.dim as f64);
        let input = InputCovariance {
            xx: inv_d.clone(),
            yy: inv_d.clone(),
            xy: t * inv_d,
        };
        self.arch.recursion(input).get(self.kind)
    }

    /// The recursion at cosine `c` for inputs of norms `radii` $= (r_x, r_y)$: input covariance
    /// $(r_x^2/d,\ r_y^2/d,\ r_x r_y c/d)$, formed in double-double as written; `None` is the
    /// sphere, [`Self::eval_generic`]. For a homogeneous architecture this is
    /// $r_x r_y\\,\kappa(c)$; with biases the norms enter the recursion.
    pub(crate) fn scaled_at_cos(
        &self,
        c: DoubleDouble,
        radii: Option<(f64, f64)>,
    ) -> Scaled<DoubleDouble> {
        match radii {
            None => self.eval_generic(c),
            Some((rx, ry)) => {
                let (x, y) = (DoubleDouble::from(rx), DoubleDouble::from(ry));
                radial_recursion(&self.arch, self.kind, self.dim, c, x, y)
            }
        }
    }

    fn scaled_at_t(&self, t: f64) -> Result<Scaled<DoubleDouble>, KernelError> {
        let t = inner_product(t)?;
        Ok(self.eval_generic(DoubleDouble::from(t)))
    }

    fn scaled_at_angle(&self, theta: f64) -> Result<Scaled<DoubleDouble>, KernelError> {
        if !(0.0..=std::f64::consts::PI).contains(&theta) {
            return Err(KernelError::AngleOutOfRange { theta });
        }
        Ok(self.eval_generic(DoubleDouble::cos_angle(theta)))
    }

    /// $\kappa(t)$ for $t \in [-1, 1]$.
    pub fn eval(&self, t: f64) -> Result<f64, KernelError> {
        let s = self.scaled_at_t(t)?;
        scaled_to_f64(s.mantissa.to_f64(), s.exp2)
    }

    /// $\kappa(\cos\theta)$ for $\theta \in [0, \pi]$, with the input correlation formed from the
    /// angle (accurate for tiny $\theta$ and for $\theta$ near $\pi$).
    pub fn eval_angle(&self, theta: f64) -> Result<f64, KernelError> {
        let s = self.scaled_at_angle(theta)?;
        scaled_to_f64(s.mantissa.to_f64(), s.exp2)
    }

    /// $\kappa(t)$ at every `t` of a slice, in parallel (the same values as [`Self::eval`]; the
    /// first bad `t` is the error).
    ///
    /// ```
    /// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
    /// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
    /// let v = k.eval_many(&[-1.0, 0.0, 1.0]).unwrap();
    /// assert_eq!(v[2], k.eval(1.0).unwrap());
    /// assert!(k.eval_many(&[0.0, 2.0]).is_err());
    /// ```
    pub fn eval_many(&self, t: &[f64]) -> Result<Vec<f64>, KernelError> {
        use rayon::prelude::*;
        t.par_iter().map(|&t| self.eval(t)).collect()
    }

    /// $\kappa(\cos\theta)$ at every angle of a slice, in parallel (see [`Self::eval_angle`]).
    pub fn eval_angles(&self, theta: &[f64]) -> Result<Vec<f64>, KernelError> {
        use rayon::prelude::*;
        theta.par_iter().map(|&th| self.eval_angle(th)).collect()
    }

    /// $\kappa(t)/\kappa(1)$ at every `t` of a slice, in parallel (see [`Self::normalized`]).
    pub fn normalized_many(&self, t: &[f64]) -> Result<Vec<f64>, KernelError> {
        use rayon::prelude::*;
        t.par_iter().map(|&t| self.normalized(t)).collect()
    }

    /// $\kappa(\cos\theta)/\kappa(1)$ at every angle of a slice, in parallel.
    pub fn normalized_angles(&self, theta: &[f64]) -> Result<Vec<f64>, KernelError> {
        use rayon::prelude::*;
        theta
            .par_iter()
            .map(|&th| self.normalized_angle(th))
            .collect()
    }

    /// [`KernelError::DimensionMismatch`] unless the points of `x` (and `y`) have
    /// [`Self::dim`] coordinates.
    pub(crate) fn check_points(&self, x: &Points, y: Option<&Points>) -> Result<(), KernelError> {
        match std::iter::once(x).chain(y).find(|p| p.dim() != self.dim) {
            Some(p) => Err(KernelError::DimensionMismatch {
                expected: self.dim,
                found: p.dim(),
            }),
            None => Ok(()),
        }
    }

    /// The Gram matrix $K(X, Y)$ of this kernel ($K(X, X)$ without `y`): [`gram`] with this
    /// kernel's architecture and kind; the points must have [`Self::dim`] coordinates.
    ///
    /// ```
    /// use ntk_sphere::{KernelKind, Mlp, Points, SphereKernel};
    /// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
    /// let x = Points::from_rows(&[[1.0, 0.0], [0.0, 1.0]]).unwrap();
    /// let g = k.gram(&x, None).unwrap();
    /// assert!((g[(0, 1)] - k.eval(0.0).unwrap()).abs() < 1e-15);
    /// let x3 = Points::from_rows(&[[1.0, 0.0, 0.0]]).unwrap();
    /// assert!(k.gram(&x3, None).is_err());
    /// ```
    pub fn gram(&self, x: &Points, y: Option<&Points>) -> Result<Matrix, KernelError> {
        self.check_points(x, y)?;
        gram(&self.arch, self.kind, x, y)
    }

    /// $\kappa(1)$, the value on the diagonal.
    pub fn value_at_one(&self) -> Result<f64, KernelError> {
        self.eval(1.0)
    }

    /// $\log_2|\kappa(t)|$ (finite for all depths; $-\infty$ for an exact zero).
    pub fn log2_abs(&self, t: f64) -> Result<f64, KernelError> {
        let s = self.scaled_at_t(t)?;
        let m = s.mantissa.to_f64();
        if !m.is_finite() {
            return Err(KernelError::NonFiniteRecursion { value: m });
        }
        Ok(m.abs().log2() + s.exp2 as f64)
    }

    fn ratio(
        &self,
        num: Scaled<DoubleDouble>,
        den: Scaled<DoubleDouble>,
    ) -> Result<f64, KernelError> {
        let d = den.mantissa.to_f64();
        let n = num.mantissa.to_f64();
        if !n.is_finite() {
            return Err(KernelError::NonFiniteRecursion { value: n });
        }
        check_normalizer(d, false)?;
        let q = (num.mantissa / den.mantissa).to_f64();
        scaled_to_f64(q, num.exp2.saturating_sub(den.exp2))
    }

    /// The normalized kernel $\kappa(t)/\kappa(1)$ (never overflows).
    pub fn normalized(&self, t: f64) -> Result<f64, KernelError> {
        let num = self.scaled_at_t(t)?;
        let den = self.scaled_at_t(1.0)?;
        self.ratio(num, den)
    }

    /// The normalized kernel at an angle, $\kappa(\cos\theta)/\kappa(1)$.
    pub fn normalized_angle(&self, theta: f64) -> Result<f64, KernelError> {
        let num = self.scaled_at_angle(theta)?;
        let den = self.scaled_at_t(1.0)?;
        self.ratio(num, den)
    }
}

/// The Gram matrix $K(X, Y)$ of `arch`'s kernel of kind `kind` for the dimension $D$ of the
/// points — the same computation as [`SphereKernel::gram`] (which fixes $D$ in the kernel and
/// checks the points against it; prefer it when you have a [`SphereKernel`]).
///
/// $K(X,X)$ when `y` is `None`, exactly symmetric; by the fast path:
/// for homogeneous architectures $K_{ij} = \\|x_i\\|\\,\\|y_j\\|\\,\kappa(1)\\,g(\cos\theta_{ij})$
/// with the inner products from one matrix product and $g$ from a verified interpolation
/// [`GramTable`] (error relative to $\\|x_i\\|\\|y_j\\|\kappa(1)$ below $10^{-13}$; see the module
/// docs of `kernel::gram_fast` and `kernel::table`). With biases, $K(x,y)$ is tabulated in
/// $t$ for each pair of frequent input norms — all points on one sphere is the usual case —
/// and computed by the exact recursion for the other pairs ([`GramPlan`]; error relative to
/// $\sqrt{K(x,x)K(y,y)}$ below $10^{-13}$). [`gram_into`] fills a caller-provided buffer
/// instead; [`GramPlan`] reuses the tables across calls; [`gram_exact`] is the reference path.
///
/// ```
/// use ntk_sphere::{KernelKind, ResNet, Points};
/// use ntk_sphere::kernel::{gram, gram_exact};
/// let arch = ResNet::new(10, 0.1, 1.0, 1.0).unwrap().into();
/// let x = Points::from_rows(&[[1.0, 0.0, 2.0], [0.5, -1.0, 0.0], [0.0, 0.0, 0.0]]).unwrap();
/// let fast = gram(&arch, KernelKind::Ntk, &x, None).unwrap();
/// let exact = gram_exact(&arch, KernelKind::Ntk, &x, None).unwrap();
/// for (a, b) in fast.data.iter().zip(&exact.data) {
///     assert!((a - b).abs() <= 1e-13 * 5.0 * exact.get(0, 0));
/// }
/// assert_eq!(fast.get(2, 1), 0.0);
/// ```
pub fn gram(
    arch: &Architecture,
    kind: KernelKind,
    x: &Points,
    y: Option<&Points>,
) -> Result<Matrix, KernelError> {
    let rows = x.len();
    let cols = y.unwrap_or(x).len();
    let mut data = vec![0.0; rows * cols];
    gram_into(arch, kind, x, y, &mut data)?;
    Ok(Matrix { rows, cols, data })
}
