//! The infinite-width layer recursions of ReLU MLPs and ResNets (DESIGN.md §1), each written
//! once, generic over the number type ([`KernelScalar`]).
//!
//! **MLP with $L$ hidden layers** (NTK parametrization, all layers trained; Jacot et al. 2018,
//! Arora et al. 2019; the `kernel_value_mlp` model of the paper's code):
//! $\Sigma_0 = \langle x,y\rangle/d + \sigma_b^2$,
//! $\Sigma_l = \sigma_w^2\\,\mathbb E[\phi(u)\phi(v)] + \sigma_b^2$,
//! $\dot\Sigma_l = \sigma_w^2\\,\mathbb E[\phi'(u)\phi'(v)]$, $(u,v)\sim\mathcal N(0,\Sigma_{l-1})$,
//! $\Theta_0 = \Sigma_0$, $\Theta_l = \Sigma_l + \Theta_{l-1}\dot\Sigma_l$. NNGP $=\Sigma_L$, NTK $=\Theta_L$.
//!
//! **ResNet with $L$ residual blocks** (Tirer, Bruna & Giryes 2021; `kernel_value_resnet` of
//! their code): $K_0 = \langle x,y\rangle/d$, $\Sigma_l = \sigma_v^2\sigma_w^2\\,\mathbb E[\phi(u)\phi(v)]$,
//! $\dot\Sigma_l = \sigma_v^2\sigma_w^2\\,\mathbb E[\phi'(u)\phi'(v)]$, $(u,v)\sim\mathcal N(0,K_{l-1})$,
//! $K_l = K_{l-1} + \alpha^2\Sigma_l$ and
//! $$\Theta = K_L + \sum_{l=1}^{L}\alpha^2\Big[\prod_{j=l+1}^{L}(1+\alpha^2\dot\Sigma_j)\Big]
//!   (\Sigma_l + K_{l-1}\dot\Sigma_l) + \Big[\prod_{j=1}^{L}(1+\alpha^2\dot\Sigma_j)\Big]K_0 .$$
//! The sum is accumulated forward (Horner): $T_0 = K_0$,
//! $T_l = (1+\alpha^2\dot\Sigma_l)T_{l-1} + \alpha^2(\Sigma_l + K_{l-1}\dot\Sigma_l)$, $\Theta = K_L + T_L$.
//!
//! **Per-layer normalization.** All covariances of a layer are divided by a common power of two
//! whenever their scale leaves $[2^{-128}, 2^{128}]$; the exponent is carried in
//! [`Scaled::exp2`]. Depth $10^5$ therefore neither overflows nor underflows, and the shape of
//! the kernel (its normalized values) is kept to full precision.

use crate::error::ArchError;
use crate::scalar::KernelScalar;

/// Which infinite-width kernel: the neural tangent kernel or the NNGP (conjugate) kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelKind {
    /// Neural tangent kernel $\Theta$.
    Ntk,
    /// Gaussian-process kernel of the last layer ($\Sigma_L$ for the MLP, $K_L$ for the ResNet).
    Nngp,
}

impl std::str::FromStr for KernelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ntk" => Ok(Self::Ntk),
            "nngp" => Ok(Self::Nngp),
            other => Err(format!(
                "unknown kernel kind {other:?} (expected ntk or nngp)"
            )),
        }
    }
}

fn positive(name: &'static str, value: f64) -> Result<f64, ArchError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ArchError::NotPositive { name, value })
    }
}

fn non_negative(name: &'static str, value: f64) -> Result<f64, ArchError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ArchError::Negative { name, value })
    }
}

/// A ReLU MLP with `depth` $= L \ge 0$ hidden layers (DESIGN.md §1). Construct with
/// [`Mlp::new`] / [`Mlp::with_bias`]; the fields are validated and private.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mlp {
    depth: usize,
    sigma_w2: f64,
    sigma_b2: f64,
}

impl Mlp {
    /// $L$ hidden layers, weight variance $\sigma_w^2 > 0$, no biases.
    ///
    /// ```
    /// # use ntk_sphere::Mlp;
    /// let mlp = Mlp::new(5, 1.0).unwrap();
    /// assert_eq!(mlp.depth(), 5);
    /// assert!(Mlp::new(5, -1.0).is_err());
    /// ```
    pub fn new(depth: usize, sigma_w2: f64) -> Result<Self, ArchError> {
        Self::with_bias(depth, sigma_w2, 0.0)
    }
    /// $L$ hidden layers, $\sigma_w^2 > 0$ and bias variance $\sigma_b^2 \ge 0$.
    pub fn with_bias(depth: usize, sigma_w2: f64, sigma_b2: f64) -> Result<Self, ArchError> {
        Ok(Self {
            depth,
            sigma_w2: positive("sigma-w2", sigma_w2)?,
            sigma_b2: non_negative("sigma-b2", sigma_b2)?,
        })
    }
    /// Number of hidden layers $L$.
    pub fn depth(&self) -> usize {
        self.depth
    }
    /// $\sigma_w^2$.
    pub fn sigma_w2(&self) -> f64 {
        self.sigma_w2
    }
    /// $\sigma_b^2$.
    pub fn sigma_b2(&self) -> f64 {
        self.sigma_b2
    }
}

/// A ReLU ResNet with `depth` $= L \ge 0$ residual blocks scaled by $\alpha \ge 0$
/// (DESIGN.md §1). Construct with [`ResNet::new`] or [`ResNet::with_depth_scaling`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResNet {
    depth: usize,
    alpha: f64,
    sigma_w2: f64,
    sigma_v2: f64,
}

impl ResNet {
    /// $L$ blocks, residual scale $\alpha\ge0$, variances $\sigma_w^2, \sigma_v^2 > 0$.
    ///
    /// Errors: a negative or non-finite parameter, and parameters whose residual scale
    /// $a = \alpha^2\sigma_w^2\sigma_v^2/2$ overflows ([`ArchError::ResidualScaleOverflow`]).
    pub fn new(depth: usize, alpha: f64, sigma_w2: f64, sigma_v2: f64) -> Result<Self, ArchError> {
        let r = Self {
            depth,
            alpha: non_negative("alpha", alpha)?,
            sigma_w2: positive("sigma-w2", sigma_w2)?,
            sigma_v2: positive("sigma-v2", sigma_v2)?,
        };
        if !r.a().is_finite() {
            return Err(ArchError::ResidualScaleOverflow {
                alpha,
                sigma_w2,
                sigma_v2,
            });
        }
        Ok(r)
    }
    /// The depth-dependent preset $\alpha = L^{-\gamma}$ ($\gamma = 1/2$: stable kernel shape;
    /// $\gamma = 1$: the normalized kernel tends to the linear one; $L = 0$ gives $\alpha = 1$).
    pub fn with_depth_scaling(
        depth: usize,
        gamma: f64,
        sigma_w2: f64,
        sigma_v2: f64,
    ) -> Result<Self, ArchError> {
        if !gamma.is_finite() {
            return Err(ArchError::NotFinite {
                name: "gamma",
                value: gamma,
            });
        }
        let alpha = if depth == 0 {
            1.0
        } else {
            (depth as f64).powf(-gamma)
        };
        Self::new(depth, alpha, sigma_w2, sigma_v2)
    }
    /// Number of residual blocks $L$.
    pub fn depth(&self) -> usize {
        self.depth
    }
    /// Residual scale $\alpha$.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// $\sigma_w^2$.
    pub fn sigma_w2(&self) -> f64 {
        self.sigma_w2
    }
    /// $\sigma_v^2$.
    pub fn sigma_v2(&self) -> f64 {
        self.sigma_v2
    }
    /// $a = \alpha^2\sigma_w^2\sigma_v^2/2$: on the sphere the normalized kernel depends on the
    /// parameters only through $a$.
    pub fn a(&self) -> f64 {
        self.alpha * self.alpha * self.sigma_w2 * self.sigma_v2 / 2.0
    }
}

/// One of the supported architectures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Architecture {
    /// ReLU multilayer perceptron.
    Mlp(Mlp),
    /// ReLU residual network.
    ResNet(ResNet),
}

impl From<Mlp> for Architecture {
    fn from(m: Mlp) -> Self {
        Self::Mlp(m)
    }
}

impl From<ResNet> for Architecture {
    fn from(r: ResNet) -> Self {
        Self::ResNet(r)
    }
}

/// The input covariance of a pair of points: $(\langle x,x\rangle/d, \langle y,y\rangle/d,
/// \langle x,y\rangle/d)$.
#[derive(Debug, Clone)]
pub struct InputCovariance<S> {
    /// $\langle x,x\rangle/d$.
    pub xx: S,
    /// $\langle y,y\rangle/d$.
    pub yy: S,
    /// $\langle x,y\rangle/d$.
    pub xy: S,
}

/// A value represented as `mantissa` $\cdot 2^{\text{exp2}}$.
#[derive(Debug, Clone)]
pub struct Scaled<S> {
    /// The scaled value.
    pub mantissa: S,
    /// Base-2 exponent of the scale.
    pub exp2: i64,
}

/// The two kernels of a pair of inputs, as produced by one pass of the recursion.
#[derive(Debug, Clone)]
pub struct KernelPair<S> {
    /// NTK $\Theta(x,y)$.
    pub ntk: Scaled<S>,
    /// NNGP kernel $\Sigma_L(x,y)$ or $K_L(x,y)$.
    pub nngp: Scaled<S>,
}

impl<S> KernelPair<S> {
    /// The kernel of the given kind.
    pub fn get(self, kind: KernelKind) -> Scaled<S> {
        match kind {
            KernelKind::Ntk => self.ntk,
            KernelKind::Nngp => self.nngp,
        }
    }
}

/// Rescaling is triggered when a layer's scale leaves $[2^{-\text{RESCALE}}, 2^{\text{RESCALE}}]$.
const RESCALE_LOG2: i32 = 128;

/// The exponent $k$ to divide by ($2^{-k}$) so that `scale` comes back near 1, or 0.
fn rescale_exponent(scale: f64) -> i32 {
    if scale > 0.0 && scale.is_finite() {
        let e = scale.log2().floor() as i32;
        if e.abs() > RESCALE_LOG2 { e } else { 0 }
    } else {
        0
    }
}

/// The ReLU expectations in the form used by both recursions: for variances $s_x, s_y$ and
/// covariance $c$, returns $(\sqrt{s_x s_y}\\,\kappa_1(\rho), \kappa_0(\rho))$, i.e. twice
/// $\mathbb E[\phi\phi]$ and twice $\mathbb E[\phi'\phi']$; zero variance gives zeros.
fn dual<S: KernelScalar>(sx: &S, sy: &S, c: &S) -> (S, S) {
    if sx.approx() <= 0.0 || sy.approx() <= 0.0 {
        return (S::from_f64(0.0), S::from_f64(0.0));
    }
    let norm = (sx.clone() * sy.clone()).sqrt();
    let rho = c.clone() / norm.clone();
    let (k0, k1) = rho.arc_cosine();
    (norm * k1, k0)
}

impl Mlp {
    /// The MLP recursion on a generic number type; see the module documentation.
    pub fn recursion<S: KernelScalar>(&self, input: InputCovariance<S>) -> KernelPair<S> {
        let half_w = S::from_f64(self.sigma_w2 / 2.0);
        let b = self.sigma_b2;
        let bias = |exp2: i64| S::from_f64(crate::scalar::scale_f64(b, -(exp2 as i32)));
        let InputCovariance { xx, yy, xy } = input;
        let mut sxx = xx + bias(0);
        let mut syy = yy + bias(0);
        let mut sxy = xy + bias(0);
        let mut theta = sxy.clone();
        let mut exp2: i64 = 0;
        for _ in 0..self.depth {
            let geo = (sxx.approx() * syy.approx()).sqrt();
            let k = rescale_exponent(geo);
            if k != 0 {
                sxx = sxx.scale_pow2(-k);
                syy = syy.scale_pow2(-k);
                sxy = sxy.scale_pow2(-k);
                theta = theta.scale_pow2(-k);
                exp2 += k as i64;
            }
            let (e_phi, e_dphi) = dual(&sxx, &syy, &sxy);
            let sigma_dot = half_w.clone() * e_dphi;
            // The diagonal goes through the same operations as the cross term, so that x = y
            // gives bitwise-consistent covariances (correlation exactly 1 in f64).
            let diag_x = half_w.clone() * dual(&sxx, &sxx, &sxx).0;
            let diag_y = half_w.clone() * dual(&syy, &syy, &syy).0;
            sxy = half_w.clone() * e_phi + bias(exp2);
            sxx = diag_x + bias(exp2);
            syy = diag_y + bias(exp2);
            theta = sxy.clone() + theta * sigma_dot;
        }
        KernelPair {
            ntk: Scaled {
                mantissa: theta,
                exp2,
            },
            nngp: Scaled {
                mantissa: sxy,
                exp2,
            },
        }
    }
}

impl ResNet {
    /// The ResNet recursion on a generic number type; see the module documentation.
    pub fn recursion<S: KernelScalar>(&self, input: InputCovariance<S>) -> KernelPair<S> {
        let half_vw = S::from_f64(self.sigma_v2 * self.sigma_w2 / 2.0);
        let alpha2 = S::from_f64(self.alpha * self.alpha);
        let one = S::from_f64(1.0);
        let InputCovariance {
            mut xx,
            mut yy,
            mut xy,
        } = input;
        let mut t = xy.clone();
        let mut exp2: i64 = 0;
        for _ in 0..self.depth {
            let geo = (xx.approx() * yy.approx()).sqrt();
            let k = rescale_exponent(geo);
            if k != 0 {
                xx = xx.scale_pow2(-k);
                yy = yy.scale_pow2(-k);
                xy = xy.scale_pow2(-k);
                t = t.scale_pow2(-k);
                exp2 += k as i64;
            }
            let (e_phi, e_dphi) = dual(&xx, &yy, &xy);
            let sigma = half_vw.clone() * e_phi;
            let sigma_dot = half_vw.clone() * e_dphi;
            t = (one.clone() + alpha2.clone() * sigma_dot.clone()) * t
                + alpha2.clone() * (sigma.clone() + xy.clone() * sigma_dot);
            // Same operations as the cross term (bitwise-consistent diagonal, see the MLP).
            let sigma_xx = half_vw.clone() * dual(&xx, &xx, &xx).0;
            let sigma_yy = half_vw.clone() * dual(&yy, &yy, &yy).0;
            xx = xx + alpha2.clone() * sigma_xx;
            yy = yy + alpha2.clone() * sigma_yy;
            xy = xy + alpha2.clone() * sigma;
        }
        KernelPair {
            ntk: Scaled {
                mantissa: xy.clone() + t,
                exp2,
            },
            nngp: Scaled { mantissa: xy, exp2 },
        }
    }
}

impl Architecture {
    /// Runs the architecture's recursion on an input covariance.
    pub fn recursion<S: KernelScalar>(&self, input: InputCovariance<S>) -> KernelPair<S> {
        match self {
            Self::Mlp(m) => m.recursion(input),
            Self::ResNet(r) => r.recursion(input),
        }
    }
    /// Depth $L$ (hidden layers or residual blocks).
    pub fn depth(&self) -> usize {
        match self {
            Self::Mlp(m) => m.depth(),
            Self::ResNet(r) => r.depth(),
        }
    }
    /// Whether the kernels are positively homogeneous, $K(cx, y) = cK(x,y)$ for $c > 0$
    /// (true unless the MLP has biases).
    pub fn is_homogeneous(&self) -> bool {
        match self {
            Self::Mlp(m) => m.sigma_b2() == 0.0,
            Self::ResNet(_) => true,
        }
    }
}
