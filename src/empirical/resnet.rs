//! The finite-width ReLU ResNet of docs/conventions.md and its exact empirical NTK.

use faer::{Mat, MatMut, MatRef};

use super::error::{EmpiricalError, check_finite};
use super::tape::{
    Tape, TensorTape, check_sizes, checked_gradient, mask_relu_derivative, ntk_from_tapes,
    points_matrix, product, relu, sample_gaussian, scaled_product,
};
use crate::arch::ResNet;
use crate::kernel::{Matrix, Points};

/// A ReLU ResNet with $L$ residual blocks of width $m$, input dimension $d$, in the NTK
/// parametrization with i.i.d. $\mathcal N(0,1)$ parameters (Tirer, Bruna & Giryes 2021, the
/// model of their code; docs/conventions.md):
/// $$g_0 = \tfrac{1}{\sqrt d}A x,\qquad
///   g_l = g_{l-1} + \alpha\tfrac{\sigma_v}{\sqrt m}V_l\\,\phi\big(\tfrac{\sigma_w}{\sqrt m}W_l g_{l-1}\big)
///   \ (1\le l\le L),\qquad f(x) = \tfrac{1}{\sqrt m}v^\top g_L,$$
/// with $A\in\mathbb R^{m\times d}$, $V_l, W_l\in\mathbb R^{m\times m}$, $v\in\mathbb R^m$. As
/// $m\to\infty$ the empirical NTK tends to $\Theta$ of [`ResNet`].
///
/// Parameter order (see [`FiniteResNet::parameters`]): $A, W_1, V_1, \dots, W_L, V_L, v^\top$
/// ($v^\top$ as a $1\times m$ row).
///
/// ```
/// use ntk_sphere::empirical::FiniteResNet;
/// use ntk_sphere::{Points, ResNet};
/// let net = FiniteResNet::sample(&ResNet::new(2, 0.5, 1.0, 1.0).unwrap(), 3, 16, 7).unwrap();
/// let x = Points::from_rows(&[[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]]).unwrap();
/// let k = net.empirical_ntk(&x, None).unwrap();
/// assert!(k.get(0, 0) > 0.0 && k.get(1, 1) > 0.0);
/// assert_eq!(net.num_parameters(), 16 * 3 + 2 * 2 * 16 * 16 + 16);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FiniteResNet {
    arch: ResNet,
    input_dim: usize,
    width: usize,
    a: Mat<f64>,
    w: Vec<Mat<f64>>,
    v: Vec<Mat<f64>>,
    readout: Mat<f64>,
}

/// The forward pass: $g_0..g_L$, the block pre-activations $u_l$ and activations $\phi(u_l)$,
/// the input matrix and the outputs.
struct Forward {
    x: Mat<f64>,
    g: Vec<Mat<f64>>,
    u: Vec<Mat<f64>>,
    act: Vec<Mat<f64>>,
    outputs: Vec<f64>,
}

impl FiniteResNet {
    /// Samples the network of `resnet` (its depth $L$, $\alpha$, $\sigma_w^2$, $\sigma_v^2$) at
    /// input dimension $d \ge 1$ and width $m \ge 1$; the parameters are i.i.d.
    /// $\mathcal N(0,1)$ drawn from `seed` (reproducibly, independent of the thread count).
    pub fn sample(
        resnet: &ResNet,
        input_dim: usize,
        width: usize,
        seed: u64,
    ) -> Result<Self, EmpiricalError> {
        check_sizes(input_dim, width)?;
        let depth = resnet.depth();
        let mut shapes = vec![(width, input_dim)];
        shapes.extend(std::iter::repeat_n((width, width), 2 * depth));
        shapes.push((1, width));
        let mut tensors = sample_gaussian(seed, &shapes).into_iter();
        let mut next = || tensors.next().unwrap_or_else(|| Mat::zeros(0, 0));
        let a = next();
        let mut w = Vec::with_capacity(depth);
        let mut v = Vec::with_capacity(depth);
        for _ in 0..depth {
            w.push(next());
            v.push(next());
        }
        let readout = next();
        Ok(Self {
            arch: *resnet,
            input_dim,
            width,
            a,
            w,
            v,
            readout,
        })
    }

    /// The architecture (depth, $\alpha$ and variances).
    pub fn arch(&self) -> &ResNet {
        &self.arch
    }
    /// The input dimension $d$.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }
    /// The width $m$.
    pub fn width(&self) -> usize {
        self.width
    }

    fn inv_sqrt_m(&self) -> f64 {
        1.0 / (self.width as f64).sqrt()
    }
    /// $c_w = \sigma_w/\sqrt m$.
    fn c_w(&self) -> f64 {
        (self.arch.sigma_w2() / self.width as f64).sqrt()
    }
    /// $\alpha c_v = \alpha\sigma_v/\sqrt m$.
    fn c_v(&self) -> f64 {
        self.arch.alpha() * (self.arch.sigma_v2() / self.width as f64).sqrt()
    }

    fn propagate(&self, x: &Points) -> Result<Forward, EmpiricalError> {
        let x = points_matrix(x, self.input_dim)?;
        let depth = self.arch.depth();
        let mut g = Vec::with_capacity(depth + 1);
        let mut u = Vec::with_capacity(depth);
        let mut act = Vec::with_capacity(depth);
        let mut cur = product(
            self.a.as_ref(),
            x.as_ref(),
            1.0 / (self.input_dim as f64).sqrt(),
        );
        for (wl, vl) in self.w.iter().zip(&self.v) {
            let ul = product(wl.as_ref(), cur.as_ref(), self.c_w());
            let al = relu(&ul);
            let mut next = cur.clone();
            scaled_product(&mut next, true, vl.as_ref(), al.as_ref(), self.c_v());
            g.push(std::mem::replace(&mut cur, next));
            u.push(ul);
            act.push(al);
        }
        let out = product(self.readout.as_ref(), cur.as_ref(), self.inv_sqrt_m());
        g.push(cur);
        let outputs = (0..out.ncols()).map(|j| out[(0, j)]).collect();
        Ok(Forward {
            x,
            g,
            u,
            act,
            outputs,
        })
    }

    pub(crate) fn tape(&self, x: &Points) -> Result<Tape, EmpiricalError> {
        let Forward {
            x,
            mut g,
            mut u,
            mut act,
            outputs,
        } = self.propagate(x)?;
        let n = outputs.len();
        let mut tensors = Vec::with_capacity(2 * self.w.len() + 2);
        // Readout: f = (1/√m) vᵀ g_L.
        tensors.push(TensorTape {
            scale: self.inv_sqrt_m(),
            delta: Mat::from_fn(1, n, |_, _| 1.0),
            input: g.pop(),
        });
        // γ = ∂f/∂g_L.
        let mut gamma = Mat::from_fn(self.width, n, |i, _| {
            self.readout[(0, i)] * self.inv_sqrt_m()
        });
        for l in (0..self.w.len()).rev() {
            let (ul, al, g_prev) = match (u.pop(), act.pop(), g.pop()) {
                (Some(ul), Some(al), Some(gp)) => (ul, al, gp),
                _ => break,
            };
            let mut du = product(self.v[l].transpose(), gamma.as_ref(), self.c_v());
            mask_relu_derivative(&mut du, &ul);
            tensors.push(TensorTape {
                scale: self.c_v(),
                delta: gamma.clone(),
                input: Some(al),
            });
            scaled_product(
                &mut gamma,
                true,
                self.w[l].transpose(),
                du.as_ref(),
                self.c_w(),
            );
            tensors.push(TensorTape {
                scale: self.c_w(),
                delta: du,
                input: Some(g_prev),
            });
        }
        tensors.push(TensorTape {
            scale: 1.0 / (self.input_dim as f64).sqrt(),
            delta: gamma,
            input: Some(x),
        });
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
    /// ($Y = X$ when `y` is `None`). With $\gamma_l = \partial f/\partial g_l$ (so
    /// $\gamma_L = v/\sqrt m$, $\gamma_{l-1} = \gamma_l + c_w W_l^\top\delta_l$) and
    /// $\delta_l = \partial f/\partial u_l = \phi'(u_l)\circ(\alpha c_v V_l^\top\gamma_l)$,
    /// $u_l = c_w W_l g_{l-1}$, $c_w = \sigma_w/\sqrt m$, $c_v = \sigma_v/\sqrt m$:
    /// $$\hat\Theta = \tfrac1m G_L + \sum_{l=1}^L\Big[\alpha^2c_v^2\\,\Gamma_l\circ\Phi_l +
    ///   c_w^2\\,D_l\circ G_{l-1}\Big] + \tfrac1d\\,\Gamma_0\circ(X^\top Y),$$
    /// where $G_l$, $\Phi_l$, $\Gamma_l$, $D_l$ are the cross Gram matrices of $g_l$,
    /// $\phi(u_l)$, $\gamma_l$, $\delta_l$ (Tirer, Bruna & Giryes 2021; Jacot, Gabriel &
    /// Hongler 2018). No Jacobian is formed.
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
    /// in the order of [`FiniteResNet::parameters`].
    pub fn gradient(
        &self,
        x: &Points,
        coefficients: &[f64],
    ) -> Result<Vec<Mat<f64>>, EmpiricalError> {
        checked_gradient(&self.tape(x)?, coefficients)
    }

    /// The parameter tensors in order $A, W_1, V_1, \dots, W_L, V_L, v^\top$.
    pub fn parameters(&self) -> Vec<MatRef<'_, f64>> {
        let mut out = vec![self.a.as_ref()];
        for (w, v) in self.w.iter().zip(&self.v) {
            out.push(w.as_ref());
            out.push(v.as_ref());
        }
        out.push(self.readout.as_ref());
        out
    }

    /// Mutable views of the parameter tensors, in the order of [`FiniteResNet::parameters`].
    pub fn parameters_mut(&mut self) -> Vec<MatMut<'_, f64>> {
        let mut out = vec![self.a.as_mut()];
        for (w, v) in self.w.iter_mut().zip(self.v.iter_mut()) {
            out.push(w.as_mut());
            out.push(v.as_mut());
        }
        out.push(self.readout.as_mut());
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
