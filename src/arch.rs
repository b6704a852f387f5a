//! Networks as data: [`Layer`]s composed into an [`Architecture`] (the layer rules are in the
//! [`layer`] module and `docs/design.md` §2), and the two presets of the paper as
//! compositions (`docs/conventions.md` §4).
//!
//! **MLP with $L$ hidden layers** (NTK parametrization, all layers trained; Jacot et al. 2018,
//! Arora et al. 2019; the `kernel_value_mlp` model of the paper's code): the layers
//! `dense(1, σ_b²)`, then $L$ times `relu, dense(σ_w², σ_b²)`, which run the recursion
//! $\Sigma_0 = \langle x,y\rangle/d + \sigma_b^2$,
//! $\Sigma_l = \sigma_w^2\\,\mathbb E[\phi(u)\phi(v)] + \sigma_b^2$,
//! $\dot\Sigma_l = \sigma_w^2\\,\mathbb E[\phi'(u)\phi'(v)]$, $(u,v)\sim\mathcal N(0,\Sigma_{l-1})$,
//! $\Theta_0 = \Sigma_0$, $\Theta_l = \Sigma_l + \Theta_{l-1}\dot\Sigma_l$. NNGP $=\Sigma_L$, NTK $=\Theta_L$.
//!
//! **ResNet with $L$ residual blocks** (Tirer, Bruna & Giryes 2021; `kernel_value_resnet` of
//! their code): the layers `dense(1, 0)`, $L$ times
//! `residual(α, [dense(σ_w², 0), relu, dense(σ_v², 0)])`, `dense(1, 0)`, which run
//! $K_0 = \langle x,y\rangle/d$, $\Sigma_l = \sigma_v^2\sigma_w^2\\,\mathbb E[\phi(u)\phi(v)]$,
//! $\dot\Sigma_l = \sigma_v^2\sigma_w^2\\,\mathbb E[\phi'(u)\phi'(v)]$, $(u,v)\sim\mathcal N(0,K_{l-1})$,
//! $K_l = K_{l-1} + \alpha^2\Sigma_l$ and
//! $$\Theta = K_L + \sum_{l=1}^{L}\alpha^2\Big[\prod_{j=l+1}^{L}(1+\alpha^2\dot\Sigma_j)\Big]
//!   (\Sigma_l + K_{l-1}\dot\Sigma_l) + \Big[\prod_{j=1}^{L}(1+\alpha^2\dot\Sigma_j)\Big]K_0 :$$
//! the residual rule $\Theta' = \Theta + \alpha^2\Theta_B$ accumulates the sum forward (Horner),
//! $T_0 = K_0$, $T_l = (1+\alpha^2\dot\Sigma_l)T_{l-1} + \alpha^2(\Sigma_l + K_{l-1}\dot\Sigma_l)$,
//! and the output layer gives $\Theta = K_L + T_L$.
//!
//! **Scaling.** The covariance state carries a common power of two ([`CovState::exp2`],
//! [`Scaled::exp2`]): depth $10^5$ neither overflows nor underflows, and the shape of the kernel
//! (its normalized values) is kept to full precision.

pub mod layer;
pub mod spec;

pub use layer::{CovState, Dense, DynLayer, KernelLayer, Layer, Residual, Serial};

use crate::activation::Activation;
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

/// A ReLU MLP with `depth` $= L \ge 0$ hidden layers (docs/conventions.md). Construct with
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
/// (docs/conventions.md). Construct with [`ResNet::new`] or [`ResNet::with_depth_scaling`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResNet {
    depth: usize,
    alpha: f64,
    sigma_w2: f64,
    sigma_v2: f64,
}

/// Builder of a [`ResNet`] ([`ResNet::builder`]); the parameters are checked by
/// [`ResNetBuilder::build`] as by [`ResNet::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct ResNetBuilder {
    depth: usize,
    alpha: f64,
    sigma_w2: f64,
    sigma_v2: f64,
}

impl ResNetBuilder {
    /// Residual scale $\alpha \ge 0$ (default 1).
    pub fn alpha(self, alpha: f64) -> Self {
        Self { alpha, ..self }
    }
    /// Weight variance $\sigma_w^2 > 0$ (default 1).
    pub fn sigma_w2(self, sigma_w2: f64) -> Self {
        Self { sigma_w2, ..self }
    }
    /// Variance $\sigma_v^2 > 0$ of the second weight matrix of each block (default 1).
    pub fn sigma_v2(self, sigma_v2: f64) -> Self {
        Self { sigma_v2, ..self }
    }
    /// The network, or the error of [`ResNet::new`].
    pub fn build(self) -> Result<ResNet, ArchError> {
        ResNet::new(self.depth, self.alpha, self.sigma_w2, self.sigma_v2)
    }
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
    /// A builder with the defaults $\alpha = \sigma_w^2 = \sigma_v^2 = 1$, so that only the
    /// parameters that differ are named:
    ///
    /// ```
    /// use ntk_sphere::ResNet;
    /// let r = ResNet::builder(5).alpha(0.1).build().unwrap();
    /// assert_eq!(r, ResNet::new(5, 0.1, 1.0, 1.0).unwrap());
    /// assert!(ResNet::builder(5).sigma_w2(-1.0).build().is_err());
    /// ```
    pub fn builder(depth: usize) -> ResNetBuilder {
        ResNetBuilder {
            depth,
            alpha: 1.0,
            sigma_w2: 1.0,
            sigma_v2: 1.0,
        }
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

/// What a network is, for the analysis modules: a [`Serial`] composition of layers, built from
/// a preset ([`Mlp`], [`ResNet`]) or from any layers. Cheap to clone.
///
/// ```
/// use ntk_sphere::arch::{Architecture, Layer, Serial};
/// use ntk_sphere::activation::Activation;
/// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
/// // The MLP with one hidden ReLU layer, written out as layers.
/// let layers = vec![
///     Layer::dense(1.0, 0.0).unwrap(),
///     Layer::activation(Activation::relu()),
///     Layer::dense(1.0, 0.0).unwrap(),
/// ];
/// let net = Architecture::from(Serial::new(layers).unwrap());
/// let a = SphereKernel::new(net, KernelKind::Ntk, 3).unwrap();
/// let b = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// assert_eq!(a.eval(0.3).unwrap(), b.eval(0.3).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct Architecture {
    net: Serial,
    preset: Option<Preset>,
}

/// The preset an [`Architecture`] was built from, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Preset {
    /// A ReLU MLP.
    Mlp(Mlp),
    /// A ReLU ResNet.
    ResNet(ResNet),
}

impl From<Mlp> for Architecture {
    fn from(m: Mlp) -> Self {
        Self {
            net: m.layers(),
            preset: Some(Preset::Mlp(m)),
        }
    }
}

impl From<ResNet> for Architecture {
    fn from(r: ResNet) -> Self {
        Self {
            net: r.layers(),
            preset: Some(Preset::ResNet(r)),
        }
    }
}

impl From<Serial> for Architecture {
    fn from(net: Serial) -> Self {
        Self { net, preset: None }
    }
}

impl Architecture {
    /// The network's layers.
    pub fn net(&self) -> &Serial {
        &self.net
    }
    /// The preset it was built from (`None` for a general composition).
    pub fn preset(&self) -> Option<Preset> {
        self.preset
    }
    /// Runs the network's layers on an input covariance.
    pub fn recursion<S: KernelScalar>(&self, input: InputCovariance<S>) -> KernelPair<S> {
        let InputCovariance { xx, yy, xy } = input;
        let s = self.net.apply(CovState::input(xx, yy, xy));
        KernelPair {
            ntk: Scaled {
                mantissa: s.ntk,
                exp2: s.exp2,
            },
            nngp: Scaled {
                mantissa: s.nngp,
                exp2: s.exp2,
            },
        }
    }
    /// The number of nonlinear layers on the longest path ([`Serial::depth`]): $L$ for the
    /// presets.
    pub fn depth(&self) -> usize {
        self.net.depth()
    }
    /// The degree $h$ of positive homogeneity, $K(cx, y) = c^hK(x, y)$ for $c > 0$, if any.
    pub fn homogeneity(&self) -> Option<u32> {
        self.net.homogeneity(Some(1))
    }
    /// Whether the kernels are positively homogeneous of degree 1, $K(cx, y) = cK(x,y)$ for
    /// $c > 0$ (bias-free ReLU networks), so that $K(x,y) = \\|x\\|\\|y\\|\kappa(\cos\angle(x,y))$.
    pub fn is_homogeneous(&self) -> bool {
        self.homogeneity() == Some(1)
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

impl Mlp {
    /// The layers: `dense(1, σ_b²)`, then $L$ times `relu, dense(σ_w², σ_b²)`.
    pub fn layers(&self) -> Serial {
        let dense = |w: f64| Layer::Dense(Dense::new(w, self.sigma_b2).expect("validated"));
        let mut layers = vec![dense(1.0)];
        for _ in 0..self.depth {
            layers.push(Layer::activation(Activation::relu()));
            layers.push(dense(self.sigma_w2));
        }
        Serial::new(layers).expect("non-empty")
    }
    /// The MLP recursion on a generic number type (its [`Architecture`]'s layers).
    pub fn recursion<S: KernelScalar>(&self, input: InputCovariance<S>) -> KernelPair<S> {
        Architecture::from(*self).recursion(input)
    }
}

impl ResNet {
    /// The layers: `dense(1, 0)`, $L$ times `residual(α, [dense(σ_w², 0), relu, dense(σ_v², 0)])`,
    /// `dense(1, 0)`.
    pub fn layers(&self) -> Serial {
        let dense = |w: f64| Layer::Dense(Dense::new(w, 0.0).expect("validated"));
        let branch = Serial::new(vec![
            dense(self.sigma_w2),
            Layer::activation(Activation::relu()),
            dense(self.sigma_v2),
        ])
        .expect("non-empty");
        let block = Layer::Residual(Residual::new(self.alpha, branch).expect("validated"));
        let mut layers = vec![dense(1.0)];
        layers.extend(std::iter::repeat_n(block, self.depth));
        layers.push(dense(1.0));
        Serial::new(layers).expect("non-empty")
    }
    /// The ResNet recursion on a generic number type (its [`Architecture`]'s layers).
    pub fn recursion<S: KernelScalar>(&self, input: InputCovariance<S>) -> KernelPair<S> {
        Architecture::from(*self).recursion(input)
    }
}
