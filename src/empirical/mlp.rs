//! The finite-width ReLU MLP of docs/conventions.md and its exact empirical NTK.

use faer::{Mat, MatMut, MatRef};

use super::error::{EmpiricalError, check_finite};
use super::tape::{
    Tape, TensorTape, add_bias, check_sizes, checked_gradient, mask_relu_derivative,
    ntk_from_tapes, points_matrix, product, relu, sample_gaussian,
};
use crate::arch::Mlp;
use crate::kernel::{Matrix, Points};

/// A ReLU MLP with $L$ hidden layers of width $m$, input dimension $d$, in the NTK
/// parametrization with i.i.d. $\mathcal N(0,1)$ parameters (Jacot, Gabriel & Hongler 2018;
/// Arora et al. 2019; docs/conventions.md):
/// $$z_0 = \tfrac{1}{\sqrt d}W_0 x + \sigma_b b_0,\qquad
///   z_k = \tfrac{\sigma_w}{\sqrt m} W_k\\,\phi(z_{k-1}) + \sigma_b b_k\ (1\le k\le L),\qquad f(x) = z_L,$$
/// with $W_0\in\mathbb R^{m\times d}$, $W_k\in\mathbb R^{m\times m}$ for $1\le k<L$ and
/// $W_L\in\mathbb R^{1\times m}$ (for $L = 0$: $W_0 \in \mathbb R^{1\times d}$, $f$ is linear).
/// The hidden layers are $h^{k} = z_{k-1}$; as $m\to\infty$ the empirical NTK tends to
/// $\Theta_L$ of [`Mlp`] (whose $\Sigma_0$ is the covariance of $z_0$).
///
/// Biases are parameters only when $\sigma_b^2 > 0$. Parameter order (see
/// [`FiniteMlp::parameters`]): $W_0, b_0, W_1, b_1, \dots, W_L, b_L$ (the $b_k$ only with biases),
/// biases as columns.
///
/// ```
/// use ntk_sphere::empirical::FiniteMlp;
/// use ntk_sphere::{Mlp, Points};
/// let net = FiniteMlp::sample(&Mlp::new(2, 1.0).unwrap(), 3, 16, 7).unwrap();
/// let x = Points::from_rows(&[[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]]).unwrap();
/// let k = net.empirical_ntk(&x, None).unwrap();
/// assert_eq!((k.rows, k.cols), (2, 2));
/// assert!((k.get(0, 1) - k.get(1, 0)).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FiniteMlp {
    arch: Mlp,
    input_dim: usize,
    width: usize,
    weights: Vec<Mat<f64>>,
    biases: Vec<Mat<f64>>,
}

/// The forward pass: the inputs $a_k$ of every layer and the hidden pre-activations
/// $z_0, \dots, z_{L-1}$ (points as columns), and the outputs.
struct Forward {
    inputs: Vec<Mat<f64>>,
    preacts: Vec<Mat<f64>>,
    outputs: Vec<f64>,
}

impl FiniteMlp {
    /// Samples the network of `mlp` (its depth $L$, $\sigma_w^2$, $\sigma_b^2$) at input
    /// dimension $d \ge 1$ and width $m \ge 1$; the parameters are i.i.d. $\mathcal N(0,1)$
    /// drawn from `seed` (reproducibly, independent of the thread count).
    pub fn sample(
        mlp: &Mlp,
        input_dim: usize,
        width: usize,
        seed: u64,
    ) -> Result<Self, EmpiricalError> {
        check_sizes(input_dim, width)?;
        let depth = mlp.depth();
        let has_bias = mlp.sigma_b2() > 0.0;
        let mut shapes = Vec::new();
        for k in 0..=depth {
            let rows = if k == depth { 1 } else { width };
            let cols = if k == 0 { input_dim } else { width };
            shapes.push((rows, cols));
            if has_bias {
                shapes.push((rows, 1));
            }
        }
        let mut tensors = sample_gaussian(seed, &shapes).into_iter();
        let mut weights = Vec::with_capacity(depth + 1);
        let mut biases = Vec::new();
        while let Some(w) = tensors.next() {
            weights.push(w);
            if has_bias {
                biases.extend(tensors.next());
            }
        }
        Ok(Self {
            arch: *mlp,
            input_dim,
            width,
            weights,
            biases,
        })
    }

    /// The architecture (depth and variances).
    pub fn arch(&self) -> &Mlp {
        &self.arch
    }
    /// The input dimension $d$.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }
    /// The hidden width $m$.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The scale $c_k$ of layer $k$: $1/\sqrt d$ for $k = 0$, $\sigma_w/\sqrt m$ otherwise.
    fn scale(&self, k: usize) -> f64 {
        if k == 0 {
            1.0 / (self.input_dim as f64).sqrt()
        } else {
            (self.arch.sigma_w2() / self.width as f64).sqrt()
        }
    }

    fn sigma_b(&self) -> f64 {
        self.arch.sigma_b2().sqrt()
    }

    /// $z_k = c_k W_k a_k + \sigma_b b_k$.
    fn layer(&self, k: usize, a: &Mat<f64>) -> Mat<f64> {
        let mut z = product(self.weights[k].as_ref(), a.as_ref(), self.scale(k));
        if let Some(b) = self.biases.get(k) {
            add_bias(&mut z, b.as_ref(), self.sigma_b());
        }
        z
    }

    fn propagate(&self, x: &Points) -> Result<Forward, EmpiricalError> {
        let mut a = points_matrix(x, self.input_dim)?;
        let depth = self.arch.depth();
        let mut inputs = Vec::with_capacity(depth + 1);
        let mut preacts = Vec::with_capacity(depth);
        for k in 0..depth {
            let z = self.layer(k, &a);
            inputs.push(std::mem::replace(&mut a, relu(&z)));
            preacts.push(z);
        }
        let z = self.layer(depth, &a);
        inputs.push(a);
        let outputs = (0..z.ncols()).map(|j| z[(0, j)]).collect();
        Ok(Forward {
            inputs,
            preacts,
            outputs,
        })
    }

    pub(crate) fn tape(&self, x: &Points) -> Result<Tape, EmpiricalError> {
        let Forward {
            inputs,
            preacts,
            outputs,
        } = self.propagate(x)?;
        let n = outputs.len();
        let has_bias = !self.biases.is_empty();
        let mut delta = Mat::<f64>::from_fn(1, n, |_, _| 1.0);
        let mut tensors = Vec::new();
        for (k, a) in inputs.into_iter().enumerate().rev() {
            if has_bias {
                tensors.push(TensorTape {
                    scale: self.sigma_b(),
                    delta: delta.clone(),
                    input: None,
                });
            }
            let next = if k > 0 {
                let mut g = product(self.weights[k].transpose(), delta.as_ref(), self.scale(k));
                mask_relu_derivative(&mut g, &preacts[k - 1]);
                Some(g)
            } else {
                None
            };
            tensors.push(TensorTape {
                scale: self.scale(k),
                delta,
                input: Some(a),
            });
            match next {
                Some(g) => delta = g,
                None => break,
            }
        }
        tensors.reverse();
        Ok(Tape { outputs, tensors })
    }

    /// The network outputs $f(x_i)$ for the points $x_i$ (rows of `x`, dimension $d$).
    pub fn forward(&self, x: &Points) -> Result<Vec<f64>, EmpiricalError> {
        let out = self.propagate(x)?.outputs;
        check_finite("output", out.iter().copied())?;
        Ok(out)
    }

    /// The empirical NTK $\hat\Theta(X, Y) = \sum_p \partial_p f(x_i)\\,\partial_p f(y_j)$
    /// ($Y = X$ when `y` is `None`), computed per layer as
    /// $\sum_k c_k^2\\,(\Delta_{k,X}^\top\Delta_{k,Y})\circ(A_{k,X}^\top A_{k,Y}) +
    /// \sigma_b^2\\,\Delta_{k,X}^\top\Delta_{k,Y}$ with $\Delta_k = \partial f/\partial z_k$ and
    /// $A_k$ the layer inputs (Jacot, Gabriel & Hongler 2018); no Jacobian is formed.
    pub fn empirical_ntk(&self, x: &Points, y: Option<&Points>) -> Result<Matrix, EmpiricalError> {
        let tx = self.tape(x)?;
        let m = match y {
            Some(y) => ntk_from_tapes(&tx, &self.tape(y)?),
            None => ntk_from_tapes(&tx, &tx),
        };
        check_finite("empirical NTK entry", m.data.iter().copied())?;
        Ok(m)
    }

    /// The gradient $\nabla_p \sum_i \lambda_i f(x_i)$ with respect to every parameter tensor,
    /// in the order of [`FiniteMlp::parameters`] (with $\lambda = e_i$ it is
    /// $\nabla_p f(x_i)$; with the residuals it is the gradient of the squared loss).
    pub fn gradient(
        &self,
        x: &Points,
        coefficients: &[f64],
    ) -> Result<Vec<Mat<f64>>, EmpiricalError> {
        checked_gradient(&self.tape(x)?, coefficients)
    }

    /// The parameter tensors in order $W_0, b_0, \dots, W_L, b_L$ (the $b_k$ only when
    /// $\sigma_b^2 > 0$).
    pub fn parameters(&self) -> Vec<MatRef<'_, f64>> {
        let mut out = Vec::with_capacity(self.weights.len() + self.biases.len());
        for (k, w) in self.weights.iter().enumerate() {
            out.push(w.as_ref());
            if let Some(b) = self.biases.get(k) {
                out.push(b.as_ref());
            }
        }
        out
    }

    /// Mutable views of the parameter tensors, in the order of [`FiniteMlp::parameters`].
    pub fn parameters_mut(&mut self) -> Vec<MatMut<'_, f64>> {
        let mut out = Vec::with_capacity(self.weights.len() + self.biases.len());
        let mut biases = self.biases.iter_mut();
        for w in self.weights.iter_mut() {
            out.push(w.as_mut());
            if let Some(b) = biases.next() {
                out.push(b.as_mut());
            }
        }
        out
    }

    /// The total number of scalar parameters.
    pub fn num_parameters(&self) -> usize {
        self.parameters()
            .iter()
            .map(|p| p.nrows() * p.ncols())
            .sum()
    }
}
