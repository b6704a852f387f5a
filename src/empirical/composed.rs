//! The finite-width network of any composition of [`Layer`]s (Dense, Activation, Residual,
//! Serial), with its forward pass, reverse-mode gradients and exact empirical NTK.

use faer::{Mat, MatMut, MatRef};

use super::error::{EmpiricalError, check_finite};
use super::tape::{
    Tape, TensorTape, add_bias, checked_gradient, ntk_from_tapes, points_matrix, product,
    sample_gaussian,
};
use crate::activation::{Activation, DualActivation};
use crate::arch::{Architecture, Layer};
use crate::kernel::{Matrix, Points};

/// Cap on the number of scalar parameters of a [`FiniteComposed`] network,
/// $\sum_{\text{dense}} (m_{\text{out}}m_{\text{in}} + m_{\text{out}}) \le 2^{28}$ (2 GiB of `f64`).
/// Larger requests are rejected with [`EmpiricalError::TooManyParameters`] before anything is
/// allocated.
pub const MAX_PARAMETERS: usize = 1 << 28;

/// Cap on the number of `f64` entries a forward/backward pass over $n$ points records
/// (about $2n$ times the sum of the layer widths); larger batches are rejected with
/// [`EmpiricalError::TapeTooLarge`] before the pass starts.
pub const MAX_TAPE_ENTRIES: usize = 1 << 28;

/// A compiled dense layer $z = c\\,W a + \sigma_b b$.
#[derive(Debug, Clone, Copy)]
struct DenseOp {
    /// Index of $W$ in the parameter list.
    weight: usize,
    /// Index of $b$ (only when $\sigma_b^2 > 0$).
    bias: Option<usize>,
    /// $c = \sigma_w/\sqrt{m_{\text{in}}}$.
    scale: f64,
    /// $\sigma_b$.
    bias_scale: f64,
}

/// One step of the compiled network (nested [`crate::arch::Serial`]s are flattened).
#[derive(Debug, Clone)]
enum Op {
    Dense(DenseOp),
    Activation(Activation),
    Residual { alpha: f64, branch: Vec<Op> },
}

/// What the backward pass needs from the forward pass, one record per [`Op`].
enum Record {
    /// The input $a$ of a dense layer (in × n).
    Dense(Mat<f64>),
    /// $\phi'(z)$ at the pre-activations of an activation layer.
    Activation(Mat<f64>),
    /// The records of a residual branch.
    Residual(Vec<Record>),
}

/// The finite-width network of an arbitrary composition of [`Layer::Dense`],
/// [`Layer::Activation`], [`Layer::Residual`] and [`Layer::Serial`] layers, at input dimension
/// $d$ and width $m$, in the NTK parametrization of [`crate::arch`] with i.i.d.
/// $\mathcal N(0,1)$ parameters:
///
/// * Dense $(\sigma_w^2, \sigma_b^2)$: $h \mapsto \tfrac{\sigma_w}{\sqrt{m_{\text{in}}}}W h +
///   \sigma_b b$, $W \in \mathbb R^{m_{\text{out}}\times m_{\text{in}}}$, $b\in\mathbb
///   R^{m_{\text{out}}}$ (a parameter only when $\sigma_b^2 > 0$); $m_{\text{in}}$ is the
///   current feature width ($d$ before the first dense layer), $m_{\text{out}} = m$, except
///   for the last layer of the network, which must be dense and has $m_{\text{out}} = 1$:
///   its output is $f(x)$;
/// * Activation $\phi$: elementwise, $h \mapsto \phi(h)$;
/// * Residual $(\alpha, B)$: $h \mapsto h + \alpha B(h)$; the branch must map the width of $h$
///   to itself ([`EmpiricalError::ResidualWidthMismatch`] otherwise);
/// * Serial: the composition.
///
/// Custom layers have no finite-width counterpart ([`EmpiricalError::UnsupportedLayer`]).
///
/// The empirical NTK $\hat\Theta(X, Y) = J(X)J(Y)^\top$, $J_{ip} = \partial f(x_i)/\partial p$
/// over all parameters $p$, is assembled from one reverse-mode pass per batch (every point is
/// a column, back-propagated independently) without forming $J$: a weight used as
/// $z = c\\,Wa$ contributes $c^2\\,(\Delta_X^\top\Delta_Y)\circ(A_X^\top A_Y)$, with
/// $\Delta = \partial f/\partial z$ and $A$ the layer inputs (Jacot, Gabriel & Hongler 2018).
/// Through an activation $\partial f/\partial h = \phi'(h)\circ\partial f/\partial\phi(h)$;
/// through a residual block $\partial f/\partial h = \delta + J_B(h)^\top(\alpha\delta)$,
/// $\delta = \partial f/\partial(h + \alpha B(h))$.
///
/// As $m\to\infty$ (when the first layer is dense) $\hat\Theta$ tends to the analytic NTK of the
/// [`Architecture`] with fluctuations $O(m^{-1/2})$.
///
/// Parameters are ordered as the dense layers appear in the layers (depth first through
/// residual branches), each weight followed by its bias; they are drawn from `seed` as in
/// [`crate::empirical::FiniteMlp`] and [`crate::empirical::FiniteResNet`], so the presets' layers
/// give exactly those networks' parameters.
///
/// ```
/// use ntk_sphere::activation::Activation;
/// use ntk_sphere::arch::{Architecture, Layer, Serial};
/// use ntk_sphere::empirical::FiniteComposed;
/// use ntk_sphere::Points;
/// let layers = vec![
///     Layer::dense(1.0, 0.1).unwrap(),
///     Layer::activation(Activation::gelu()),
///     Layer::residual(0.5, vec![Layer::dense(1.0, 0.0).unwrap(), Layer::activation(Activation::gelu())]).unwrap(),
///     Layer::dense(1.0, 0.0).unwrap(),
/// ];
/// let arch = Architecture::from(Serial::new(layers).unwrap());
/// let net = FiniteComposed::sample(&arch, 3, 16, 7).unwrap();
/// assert_eq!(net.num_parameters(), (16 * 3 + 16) + 16 * 16 + 16);
/// let x = Points::from_rows(&[[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]]).unwrap();
/// let k = net.empirical_ntk(&x, None).unwrap();
/// assert!(k.get(0, 0) > 0.0 && (k.get(0, 1) - k.get(1, 0)).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct FiniteComposed {
    arch: Architecture,
    input_dim: usize,
    width: usize,
    ops: Vec<Op>,
    params: Vec<Mat<f64>>,
    /// $\sum$ of the output widths of all layers (for the tape size check).
    tape_rows: usize,
}

/// Two networks are equal when they were sampled from the same [`Architecture`] object (or a
/// clone of it: the layers are compared by identity, since activations have no equality) at
/// the same $d$, $m$, with equal parameters.
impl PartialEq for FiniteComposed {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.arch.net().layers(), other.arch.net().layers())
            && self.input_dim == other.input_dim
            && self.width == other.width
            && self.params == other.params
    }
}

/// The layers with nested [`crate::arch::Serial`]s expanded in place.
fn flatten<'a>(layers: &'a [Layer], out: &mut Vec<&'a Layer>) {
    for l in layers {
        match l {
            Layer::Serial(s) => flatten(s.layers(), out),
            other => out.push(other),
        }
    }
}

/// Compilation state: the parameter shapes, the running parameter count (saturating) and the
/// running sum of layer output widths.
struct Builder {
    width: usize,
    shapes: Vec<(usize, usize)>,
    count: usize,
    tape_rows: usize,
}

impl Builder {
    /// Compiles `layers` acting on features of width `m_in`; `last_is_output` marks the top
    /// level, whose last layer must be the dense output layer. Returns the output width.
    fn compile(
        &mut self,
        layers: &[Layer],
        mut m_in: usize,
        last_is_output: bool,
        ops: &mut Vec<Op>,
    ) -> Result<usize, EmpiricalError> {
        let mut flat = Vec::new();
        flatten(layers, &mut flat);
        if last_is_output && !matches!(flat.last(), Some(Layer::Dense(_))) {
            return Err(EmpiricalError::LastLayerNotDense);
        }
        let n = flat.len();
        for (k, layer) in flat.into_iter().enumerate() {
            match layer {
                Layer::Dense(d) => {
                    let m_out = if last_is_output && k + 1 == n {
                        1
                    } else {
                        self.width
                    };
                    let weight = self.shapes.len();
                    self.shapes.push((m_out, m_in));
                    self.count = self.count.saturating_add(m_out.saturating_mul(m_in));
                    let bias = (d.b_var() > 0.0).then(|| {
                        self.shapes.push((m_out, 1));
                        self.count = self.count.saturating_add(m_out);
                        weight + 1
                    });
                    if self.count > MAX_PARAMETERS {
                        return Err(EmpiricalError::TooManyParameters {
                            count: self.count,
                            cap: MAX_PARAMETERS,
                        });
                    }
                    ops.push(Op::Dense(DenseOp {
                        weight,
                        bias,
                        scale: (d.w_var() / m_in as f64).sqrt(),
                        bias_scale: d.b_var().sqrt(),
                    }));
                    m_in = m_out;
                }
                Layer::Activation(a) => ops.push(Op::Activation(a.clone())),
                Layer::Residual(r) => {
                    let mut branch = Vec::new();
                    let out = self.compile(r.branch().layers(), m_in, false, &mut branch)?;
                    if out != m_in {
                        return Err(EmpiricalError::ResidualWidthMismatch {
                            input: m_in,
                            output: out,
                        });
                    }
                    ops.push(Op::Residual {
                        alpha: r.alpha(),
                        branch,
                    });
                }
                Layer::Custom(_) => {
                    return Err(EmpiricalError::UnsupportedLayer { kind: "custom" });
                }
                _ => return Err(EmpiricalError::UnsupportedLayer { kind: "unknown" }),
            }
            self.tape_rows = self.tape_rows.saturating_add(m_in);
        }
        Ok(m_in)
    }
}

/// Applies $\phi$ elementwise; with `derivative`, also returns $\phi'$ at the same entries.
fn activate(act: &Activation, z: &Mat<f64>, derivative: bool) -> (Mat<f64>, Option<Mat<f64>>) {
    let out = Mat::from_fn(z.nrows(), z.ncols(), |i, j| act.value(z[(i, j)]));
    let d =
        derivative.then(|| Mat::from_fn(z.nrows(), z.ncols(), |i, j| act.derivative(z[(i, j)])));
    (out, d)
}

impl FiniteComposed {
    /// Samples the finite network of `arch` at input dimension $d \ge 1$ and width $m \ge 1$,
    /// with i.i.d. $\mathcal N(0,1)$ parameters drawn from `seed` (reproducibly, independent of
    /// the thread count).
    ///
    /// Errors: $d = 0$ or $m = 0$; a custom layer; a last layer that is not dense; a residual
    /// branch that changes the width; more than [`MAX_PARAMETERS`] parameters (checked before
    /// any allocation of parameters).
    pub fn sample(
        arch: &Architecture,
        input_dim: usize,
        width: usize,
        seed: u64,
    ) -> Result<Self, EmpiricalError> {
        if input_dim == 0 {
            return Err(EmpiricalError::ZeroInputDimension { dim: input_dim });
        }
        if width == 0 {
            return Err(EmpiricalError::ZeroWidth { width });
        }
        let mut builder = Builder {
            width,
            shapes: Vec::new(),
            count: 0,
            tape_rows: input_dim,
        };
        let mut ops = Vec::new();
        builder.compile(arch.net().layers(), input_dim, true, &mut ops)?;
        let params = sample_gaussian(seed, &builder.shapes);
        Ok(Self {
            arch: arch.clone(),
            input_dim,
            width,
            ops,
            params,
            tape_rows: builder.tape_rows,
        })
    }

    /// The architecture the network was sampled from.
    pub fn arch(&self) -> &Architecture {
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

    /// Checks that a pass over `n` points records at most [`MAX_TAPE_ENTRIES`] values.
    fn check_tape(&self, n: usize) -> Result<(), EmpiricalError> {
        let entries = self.tape_rows.saturating_mul(2).saturating_mul(n);
        if entries > MAX_TAPE_ENTRIES {
            return Err(EmpiricalError::TapeTooLarge {
                points: n,
                entries,
                cap: MAX_TAPE_ENTRIES,
            });
        }
        Ok(())
    }

    /// Runs `ops` on the columns of `h`, recording what the backward pass needs when
    /// `records` is given.
    fn run(&self, ops: &[Op], mut h: Mat<f64>, mut records: Option<&mut Vec<Record>>) -> Mat<f64> {
        for op in ops {
            match op {
                Op::Dense(d) => {
                    let mut z = product(self.params[d.weight].as_ref(), h.as_ref(), d.scale);
                    if let Some(b) = d.bias {
                        add_bias(&mut z, self.params[b].as_ref(), d.bias_scale);
                    }
                    let input = std::mem::replace(&mut h, z);
                    if let Some(r) = records.as_deref_mut() {
                        r.push(Record::Dense(input));
                    }
                }
                Op::Activation(act) => {
                    let (out, dphi) = activate(act, &h, records.is_some());
                    h = out;
                    if let (Some(r), Some(dphi)) = (records.as_deref_mut(), dphi) {
                        r.push(Record::Activation(dphi));
                    }
                }
                Op::Residual { alpha, branch } => {
                    let mut inner = Vec::new();
                    let b = self.run(branch, h.clone(), records.is_some().then_some(&mut inner));
                    for j in 0..h.ncols() {
                        for (v, &bv) in h.col_as_slice_mut(j).iter_mut().zip(b.col_as_slice(j)) {
                            *v += alpha * bv;
                        }
                    }
                    if let Some(r) = records.as_deref_mut() {
                        r.push(Record::Residual(inner));
                    }
                }
            }
        }
        h
    }

    /// Back-propagates $\delta = \partial f/\partial(\text{output of `ops`})$ through `ops`,
    /// filling the tensor records; returns $\partial f/\partial(\text{input of `ops`})$ (not
    /// computed, `None`, when `need_input` is false).
    fn back(
        &self,
        ops: &[Op],
        records: Vec<Record>,
        mut delta: Mat<f64>,
        tensors: &mut [Option<TensorTape>],
        need_input: bool,
    ) -> Option<Mat<f64>> {
        for (k, (op, rec)) in ops.iter().zip(records).enumerate().rev() {
            // The gradient at the input of the first op is needed only by the caller.
            let propagate = k > 0 || need_input;
            match (op, rec) {
                (Op::Dense(d), Record::Dense(a)) => {
                    if let Some(b) = d.bias {
                        tensors[b] = Some(TensorTape {
                            scale: d.bias_scale,
                            delta: delta.clone(),
                            input: None,
                        });
                    }
                    let next = propagate.then(|| {
                        product(self.params[d.weight].transpose(), delta.as_ref(), d.scale)
                    });
                    tensors[d.weight] = Some(TensorTape {
                        scale: d.scale,
                        delta: std::mem::replace(&mut delta, Mat::zeros(0, 0)),
                        input: Some(a),
                    });
                    match next {
                        Some(n) => delta = n,
                        None => return None,
                    }
                }
                (Op::Activation(_), Record::Activation(dphi)) => {
                    for j in 0..delta.ncols() {
                        for (v, &g) in delta
                            .col_as_slice_mut(j)
                            .iter_mut()
                            .zip(dphi.col_as_slice(j))
                        {
                            *v *= g;
                        }
                    }
                }
                (Op::Residual { alpha, branch }, Record::Residual(inner)) => {
                    let scaled =
                        Mat::from_fn(delta.nrows(), delta.ncols(), |i, j| alpha * delta[(i, j)]);
                    if let Some(g) = self.back(branch, inner, scaled, tensors, true) {
                        for j in 0..delta.ncols() {
                            for (v, &gv) in
                                delta.col_as_slice_mut(j).iter_mut().zip(g.col_as_slice(j))
                            {
                                *v += gv;
                            }
                        }
                    }
                }
                _ => unreachable!("one record per op, of the op's kind"),
            }
        }
        need_input.then_some(delta)
    }

    /// The forward and backward pass over the points, as a tape in parameter order.
    pub(crate) fn tape(&self, x: &Points) -> Result<Tape, EmpiricalError> {
        self.check_tape(x.len())?;
        let input = points_matrix(x, self.input_dim)?;
        let mut records = Vec::with_capacity(self.ops.len());
        let out = self.run(&self.ops, input, Some(&mut records));
        let outputs: Vec<f64> = (0..out.ncols()).map(|j| out[(0, j)]).collect();
        check_finite("output", outputs.iter().copied())?;
        let mut tensors: Vec<Option<TensorTape>> = (0..self.params.len()).map(|_| None).collect();
        let seed = Mat::from_fn(1, out.ncols(), |_, _| 1.0);
        self.back(&self.ops, records, seed, &mut tensors, false);
        let tensors = tensors
            .into_iter()
            .map(|t| t.expect("every dense layer is visited once"))
            .collect();
        Ok(Tape { outputs, tensors })
    }

    /// The network outputs $f(x_i)$ for the points $x_i$ (rows of `x`, dimension $d$).
    /// A non-finite output is an error ([`EmpiricalError::NonFinite`]).
    pub fn forward(&self, x: &Points) -> Result<Vec<f64>, EmpiricalError> {
        self.check_tape(x.len())?;
        let input = points_matrix(x, self.input_dim)?;
        let out = self.run(&self.ops, input, None);
        let outputs: Vec<f64> = (0..out.ncols()).map(|j| out[(0, j)]).collect();
        check_finite("output", outputs.iter().copied())?;
        Ok(outputs)
    }

    /// The empirical NTK $\hat\Theta(X, Y) = J(X)J(Y)^\top = \sum_p \partial_p f(x_i)\\,
    /// \partial_p f(y_j)$ ($Y = X$ when `y` is `None`), assembled per parameter tensor as
    /// $c^2\\,(\Delta_X^\top\Delta_Y)\circ(A_X^\top A_Y)$ (see [`FiniteComposed`]); $J$ is never
    /// formed. Non-finite outputs or entries are errors ([`EmpiricalError::NonFinite`]).
    pub fn empirical_ntk(&self, x: &Points, y: Option<&Points>) -> Result<Matrix, EmpiricalError> {
        let tx = self.tape(x)?;
        let k = match y {
            Some(y) => ntk_from_tapes(&tx, &self.tape(y)?),
            None => ntk_from_tapes(&tx, &tx),
        };
        check_finite("empirical NTK entry", k.data.iter().copied())?;
        Ok(k)
    }

    /// The gradient $\nabla_p \sum_i \lambda_i f(x_i)$ with respect to every parameter tensor,
    /// in the order of [`FiniteComposed::parameters`] (with $\lambda = e_i$ it is
    /// $\nabla_p f(x_i)$, a row of $J$). Non-finite entries are errors.
    pub fn gradient(
        &self,
        x: &Points,
        coefficients: &[f64],
    ) -> Result<Vec<Mat<f64>>, EmpiricalError> {
        checked_gradient(&self.tape(x)?, coefficients)
    }

    /// The parameter tensors: for every dense layer in order, $W$ ($m_{\text{out}}\times
    /// m_{\text{in}}$) and then $b$ ($m_{\text{out}}\times 1$, only when $\sigma_b^2 > 0$).
    pub fn parameters(&self) -> Vec<MatRef<'_, f64>> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }

    /// Mutable views of the parameter tensors, in the order of [`FiniteComposed::parameters`].
    pub fn parameters_mut(&mut self) -> Vec<MatMut<'_, f64>> {
        self.params.iter_mut().map(|p| p.as_mut()).collect()
    }

    /// The total number of scalar parameters.
    pub fn num_parameters(&self) -> usize {
        self.params.iter().map(|p| p.nrows() * p.ncols()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Serial;
    use crate::empirical::tape::scaled_product;

    fn arch(layers: Vec<Layer>) -> Architecture {
        Architecture::from(Serial::new(layers).unwrap())
    }

    #[test]
    fn residual_scaled_product_matches_manual_sum() {
        // h + α·(c W h) for a single dense branch, against the explicit formula.
        let a = arch(vec![
            Layer::dense(1.0, 0.0).unwrap(),
            Layer::residual(0.5, vec![Layer::dense(2.0, 0.0).unwrap()]).unwrap(),
            Layer::dense(1.0, 0.0).unwrap(),
        ]);
        let net = FiniteComposed::sample(&a, 2, 3, 1).unwrap();
        let x = Points::from_rows(&[[0.3, -0.4]]).unwrap();
        let p = net.parameters();
        let xm = points_matrix(&x, 2).unwrap();
        let h0 = product(p[0], xm.as_ref(), 1.0 / 2f64.sqrt());
        let mut h1 = h0.clone();
        scaled_product(
            &mut h1,
            true,
            p[1],
            h0.as_ref(),
            0.5 * (2.0f64 / 3.0).sqrt(),
        );
        let f = product(p[2], h1.as_ref(), 1.0 / 3f64.sqrt());
        let got = net.forward(&x).unwrap()[0];
        assert!((got - f[(0, 0)]).abs() < 1e-14);
    }
}
