//! Either finite network, sampled from an [`Architecture`].

use faer::{Mat, MatMut, MatRef};

use super::composed::FiniteComposed;
use super::error::EmpiricalError;
use super::mlp::FiniteMlp;
use super::resnet::FiniteResNet;
use super::tape::Tape;
use crate::arch::{Architecture, Preset};
use crate::kernel::{Matrix, Points};

/// A finite-width network of an [`Architecture`]: the hand-written [`FiniteMlp`] and
/// [`FiniteResNet`] for the presets, [`FiniteComposed`] for any other composition of built-in
/// layers. Its empirical NTK tends to the analytic NTK of the architecture as the width
/// $m\to\infty$ (Jacot, Gabriel & Hongler 2018; Arora et al. 2019).
///
/// ```
/// use ntk_sphere::empirical::FiniteNetwork;
/// use ntk_sphere::{Architecture, Mlp, Points};
/// let arch = Architecture::from(Mlp::new(0, 1.0).unwrap());
/// // L = 0: f(x) = w·x/√d, so Θ̂(x, y) = ⟨x, y⟩/d exactly, at any width.
/// let net = FiniteNetwork::sample(&arch, 2, 1, 3).unwrap();
/// let x = Points::from_rows(&[[3.0, 4.0]]).unwrap();
/// assert!((net.empirical_ntk(&x, None).unwrap().get(0, 0) - 12.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FiniteNetwork {
    /// A finite ReLU MLP.
    Mlp(FiniteMlp),
    /// A finite ReLU ResNet.
    ResNet(FiniteResNet),
    /// A finite network of a general composition of layers.
    Composed(FiniteComposed),
}

impl From<FiniteMlp> for FiniteNetwork {
    fn from(n: FiniteMlp) -> Self {
        Self::Mlp(n)
    }
}

impl From<FiniteResNet> for FiniteNetwork {
    fn from(n: FiniteResNet) -> Self {
        Self::ResNet(n)
    }
}

impl From<FiniteComposed> for FiniteNetwork {
    fn from(n: FiniteComposed) -> Self {
        Self::Composed(n)
    }
}

impl FiniteNetwork {
    /// Samples the finite network of `arch` at input dimension $d\ge1$ and width $m\ge1$ with
    /// i.i.d. $\mathcal N(0,1)$ parameters drawn from `seed`: [`FiniteMlp::sample`] and
    /// [`FiniteResNet::sample`] for the presets, [`FiniteComposed::sample`] otherwise (whose
    /// errors it reports: custom layers, a last layer that is not dense, too many
    /// parameters).
    pub fn sample(
        arch: &Architecture,
        input_dim: usize,
        width: usize,
        seed: u64,
    ) -> Result<Self, EmpiricalError> {
        Ok(match arch.preset() {
            Some(Preset::Mlp(m)) => Self::Mlp(FiniteMlp::sample(&m, input_dim, width, seed)?),
            Some(Preset::ResNet(r)) => {
                Self::ResNet(FiniteResNet::sample(&r, input_dim, width, seed)?)
            }
            _ => Self::Composed(FiniteComposed::sample(arch, input_dim, width, seed)?),
        })
    }

    /// The architecture the network was sampled from.
    pub fn arch(&self) -> Architecture {
        match self {
            Self::Mlp(n) => Architecture::from(*n.arch()),
            Self::ResNet(n) => Architecture::from(*n.arch()),
            Self::Composed(n) => n.arch().clone(),
        }
    }
    /// The input dimension $d$.
    pub fn input_dim(&self) -> usize {
        match self {
            Self::Mlp(n) => n.input_dim(),
            Self::ResNet(n) => n.input_dim(),
            Self::Composed(n) => n.input_dim(),
        }
    }
    /// The width $m$.
    pub fn width(&self) -> usize {
        match self {
            Self::Mlp(n) => n.width(),
            Self::ResNet(n) => n.width(),
            Self::Composed(n) => n.width(),
        }
    }
    /// The outputs $f(x_i)$.
    pub fn forward(&self, x: &Points) -> Result<Vec<f64>, EmpiricalError> {
        match self {
            Self::Mlp(n) => n.forward(x),
            Self::ResNet(n) => n.forward(x),
            Self::Composed(n) => n.forward(x),
        }
    }
    /// The empirical NTK $\hat\Theta(X, Y) = \sum_p \partial_p f(x_i)\\,\partial_p f(y_j)$
    /// ($Y = X$ when `y` is `None`).
    pub fn empirical_ntk(&self, x: &Points, y: Option<&Points>) -> Result<Matrix, EmpiricalError> {
        match self {
            Self::Mlp(n) => n.empirical_ntk(x, y),
            Self::ResNet(n) => n.empirical_ntk(x, y),
            Self::Composed(n) => n.empirical_ntk(x, y),
        }
    }
    /// The gradient $\nabla_p\sum_i\lambda_i f(x_i)$ per parameter tensor, in the order of
    /// [`FiniteNetwork::parameters`].
    pub fn gradient(
        &self,
        x: &Points,
        coefficients: &[f64],
    ) -> Result<Vec<Mat<f64>>, EmpiricalError> {
        match self {
            Self::Mlp(n) => n.gradient(x, coefficients),
            Self::ResNet(n) => n.gradient(x, coefficients),
            Self::Composed(n) => n.gradient(x, coefficients),
        }
    }
    /// One forward and backward pass over the points `x`, kept so that gradients of any
    /// weighting of the outputs can be read from it ([`ForwardPass::gradient`]) — for
    /// training, the residuals are known only after the outputs.
    pub fn forward_pass(&self, x: &Points) -> Result<ForwardPass, EmpiricalError> {
        let tape = match self {
            Self::Mlp(n) => n.tape(x)?,
            Self::ResNet(n) => n.tape(x)?,
            Self::Composed(n) => n.tape(x)?,
        };
        super::error::check_finite("output", tape.outputs.iter().copied())?;
        Ok(ForwardPass { tape })
    }
    /// The parameter tensors ([`FiniteMlp::parameters`], [`FiniteResNet::parameters`],
    /// [`FiniteComposed::parameters`]).
    pub fn parameters(&self) -> Vec<MatRef<'_, f64>> {
        match self {
            Self::Mlp(n) => n.parameters(),
            Self::ResNet(n) => n.parameters(),
            Self::Composed(n) => n.parameters(),
        }
    }
    /// Mutable views of the parameter tensors, in the order of [`FiniteNetwork::parameters`].
    pub fn parameters_mut(&mut self) -> Vec<MatMut<'_, f64>> {
        match self {
            Self::Mlp(n) => n.parameters_mut(),
            Self::ResNet(n) => n.parameters_mut(),
            Self::Composed(n) => n.parameters_mut(),
        }
    }
    /// The total number of scalar parameters.
    pub fn num_parameters(&self) -> usize {
        match self {
            Self::Mlp(n) => n.num_parameters(),
            Self::ResNet(n) => n.num_parameters(),
            Self::Composed(n) => n.num_parameters(),
        }
    }
}

/// The record of one forward and backward pass ([`FiniteNetwork::forward_pass`]).
pub struct ForwardPass {
    tape: Tape,
}

impl std::fmt::Debug for ForwardPass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardPass")
            .field("outputs", &self.tape.outputs)
            .field("tensors", &self.tape.tensors.len())
            .finish()
    }
}

impl ForwardPass {
    /// The outputs $f(x_i)$, in input order.
    pub fn outputs(&self) -> &[f64] {
        &self.tape.outputs
    }
    /// The gradient $\nabla_p\sum_i\lambda_i f(x_i)$ per parameter tensor (in the order of
    /// [`FiniteNetwork::parameters`]); with $\lambda_i = f(x_i) - y_i$ it is the gradient of
    /// the squared loss $\tfrac12\sum_i(f(x_i) - y_i)^2$.
    pub fn gradient(&self, coefficients: &[f64]) -> Result<Vec<Mat<f64>>, EmpiricalError> {
        super::tape::checked_gradient(&self.tape, coefficients)
    }
    /// The gradient step $\theta \leftarrow \theta - \eta\\,\nabla_\theta\sum_i\lambda_i
    /// f(x_i)$ applied in place to `net` (the network this pass was recorded on, or one with the
    /// same parameter shapes), without materializing the gradient: one accumulating matrix
    /// product per weight tensor. Same result as subtracting `step` times
    /// [`ForwardPass::gradient`], up to rounding.
    pub fn descend(
        &self,
        net: &mut FiniteNetwork,
        coefficients: &[f64],
        step: f64,
    ) -> Result<(), EmpiricalError> {
        super::tape::descend_from_tape(&self.tape, coefficients, step, net.parameters_mut())
    }
}
