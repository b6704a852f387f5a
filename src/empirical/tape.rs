//! Shared machinery: Gaussian sampling of parameter tensors, the record of a forward/backward
//! pass ("tape") and the assembly of the empirical NTK and of gradients from it.
//!
//! For a tensor used as $z = c\\,W a$ (or a bias used as $z = c\\,b$, i.e. $a \equiv 1$), the
//! tape holds $c$, the backward gradients $\Delta = [\partial f(x_i)/\partial z]_i$ and the
//! inputs $A = [a(x_i)]_i$ (points as columns). Then
//! $\partial f(x_i)/\partial W = c\\,\Delta_{:,i} A_{:,i}^\top$ and the tensor's contribution to the
//! empirical NTK is $c^2\\,(\Delta_x^\top\Delta_y)\circ(A_x^\top A_y)$ (Jacot, Gabriel & Hongler 2018).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::error::{EmpiricalError, check_finite};
use crate::kernel::{Matrix, Points};

/// The record of one parameter tensor in a forward/backward pass over $n$ points.
pub(crate) struct TensorTape {
    /// The scalar $c$ in $z = c\\,W a$.
    pub scale: f64,
    /// $\partial f/\partial z$ for every point (out × n).
    pub delta: Mat<f64>,
    /// The input $a$ for every point (in × n); `None` for a bias ($a \equiv 1$).
    pub input: Option<Mat<f64>>,
}

/// A forward/backward pass: the outputs and one record per parameter tensor, in parameter order.
pub(crate) struct Tape {
    pub outputs: Vec<f64>,
    pub tensors: Vec<TensorTape>,
}

/// Validates the width $m \ge 1$ and the input dimension $d \ge 1$, and that the $m\times m$
/// and $m\times d$ weight matrices are addressable.
pub(crate) fn check_sizes(input_dim: usize, width: usize) -> Result<(), EmpiricalError> {
    if input_dim == 0 {
        return Err(EmpiricalError::ZeroInputDimension { dim: input_dim });
    }
    if width == 0 {
        return Err(EmpiricalError::ZeroWidth { width });
    }
    let limit = (isize::MAX as usize) / std::mem::size_of::<f64>();
    let fits = |rows: usize, cols: usize| rows.checked_mul(cols).is_some_and(|n| n <= limit);
    if fits(width, width) && fits(width, input_dim) {
        Ok(())
    } else {
        Err(EmpiricalError::TooLarge { width, input_dim })
    }
}

/// The points as the columns of a $d\times n$ matrix, after checking the dimension.
pub(crate) fn points_matrix(x: &Points, input_dim: usize) -> Result<Mat<f64>, EmpiricalError> {
    if x.dim() != input_dim {
        return Err(EmpiricalError::InputDimensionMismatch {
            expected: input_dim,
            found: x.dim(),
        });
    }
    Ok(Mat::from_fn(input_dim, x.len(), |i, j| x.row(j)[i]))
}

/// Samples tensors of the given shapes with i.i.d. $\mathcal N(0,1)$ entries.
///
/// A master `Xoshiro256PlusPlus` seeded with `seed` draws one 64-bit seed per tensor; each tensor
/// is filled column-major from its own stream, so the result is reproducible and independent of
/// the thread count.
pub(crate) fn sample_gaussian(seed: u64, shapes: &[(usize, usize)]) -> Vec<Mat<f64>> {
    let mut master = Xoshiro256PlusPlus::seed_from_u64(seed);
    let seeds: Vec<u64> = shapes.iter().map(|_| master.next_u64()).collect();
    shapes
        .par_iter()
        .zip(seeds)
        .map(|(&(rows, cols), s)| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(s);
            let mut m = Mat::<f64>::zeros(rows, cols);
            for j in 0..cols {
                for v in m.col_as_slice_mut(j) {
                    *v = StandardNormal.sample(&mut rng);
                }
            }
            m
        })
        .collect()
}

/// Products with at least this many multiply-adds run in parallel.
const PARALLEL_PRODUCT_SIZE: usize = 1 << 22;

/// $\mathrm{dst} = c\\,W a$ (or $\mathrm{dst} \mathrel{+}= c\\,W a$ with `accumulate`).
pub(crate) fn scaled_product(
    dst: &mut Mat<f64>,
    accumulate: bool,
    w: MatRef<'_, f64>,
    a: MatRef<'_, f64>,
    c: f64,
) {
    let accum = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    product_into(dst.as_mut(), accum, w, a, c);
}

/// $\mathrm{dst} = c\\,W a$ or $\mathrm{dst} \mathrel{+}= c\\,W a$ into a view. Large products
/// use every thread of the current rayon pool; faer splits the output, not the inner sum, so
/// the result does not depend on the thread count (tested).
fn product_into(
    dst: faer::MatMut<'_, f64>,
    accum: Accum,
    w: MatRef<'_, f64>,
    a: MatRef<'_, f64>,
    c: f64,
) {
    let flops = w
        .nrows()
        .saturating_mul(w.ncols())
        .saturating_mul(a.ncols());
    let par = if flops >= PARALLEL_PRODUCT_SIZE {
        Par::rayon(0)
    } else {
        Par::Seq
    };
    matmul(dst, accum, w, a, c, par);
    // The scalar code that follows would run slowly with dirty AVX upper halves.
    match par {
        Par::Seq => crate::vector_state::clear_upper_state(),
        _ => crate::vector_state::clear_upper_state_everywhere(),
    }
}

/// $c\\,W a$ as a new matrix.
pub(crate) fn product(w: MatRef<'_, f64>, a: MatRef<'_, f64>, c: f64) -> Mat<f64> {
    let mut dst = Mat::<f64>::zeros(w.nrows(), a.ncols());
    scaled_product(&mut dst, false, w, a, c);
    dst
}

/// Adds $c\\,b$ to every column of `z`.
pub(crate) fn add_bias(z: &mut Mat<f64>, b: MatRef<'_, f64>, c: f64) {
    for j in 0..z.ncols() {
        for (i, v) in z.col_as_slice_mut(j).iter_mut().enumerate() {
            *v += c * b[(i, 0)];
        }
    }
}

/// ReLU, entrywise: $\phi(z) = \max(z, 0)$.
pub(crate) fn relu(z: &Mat<f64>) -> Mat<f64> {
    Mat::from_fn(z.nrows(), z.ncols(), |i, j| z[(i, j)].max(0.0))
}

/// Multiplies `g` entrywise by $\phi'(z) = \mathbf 1[z > 0]$.
pub(crate) fn mask_relu_derivative(g: &mut Mat<f64>, z: &Mat<f64>) {
    for j in 0..g.ncols() {
        let zc = z.col_as_slice(j);
        for (v, &zi) in g.col_as_slice_mut(j).iter_mut().zip(zc) {
            if zi <= 0.0 {
                *v = 0.0;
            }
        }
    }
}

/// The empirical NTK $\hat\Theta(X, Y) = \sum_{\text{tensors}} c^2\\,(\Delta_x^\top\Delta_y)\circ
/// (A_x^\top A_y)$ from the tapes of $X$ and $Y$ (same network).
pub(crate) fn ntk_from_tapes(tx: &Tape, ty: &Tape) -> Matrix {
    let (nx, ny) = (tx.outputs.len(), ty.outputs.len());
    let mut k = Mat::<f64>::zeros(nx, ny);
    for (a, b) in tx.tensors.iter().zip(&ty.tensors) {
        let c2 = a.scale * a.scale;
        let gd = product(a.delta.transpose(), b.delta.as_ref(), 1.0);
        match (&a.input, &b.input) {
            (Some(ax), Some(ay)) => {
                let ga = product(ax.transpose(), ay.as_ref(), 1.0);
                for j in 0..ny {
                    for i in 0..nx {
                        k[(i, j)] += c2 * gd[(i, j)] * ga[(i, j)];
                    }
                }
            }
            _ => {
                for j in 0..ny {
                    for i in 0..nx {
                        k[(i, j)] += c2 * gd[(i, j)];
                    }
                }
            }
        }
    }
    let mut data = Vec::with_capacity(nx * ny);
    for i in 0..nx {
        for j in 0..ny {
            data.push(k[(i, j)]);
        }
    }
    Matrix {
        rows: nx,
        cols: ny,
        data,
    }
}

/// [`gradient_from_tape`], with every entry checked finite (an error otherwise).
pub(crate) fn checked_gradient(
    tape: &Tape,
    coefficients: &[f64],
) -> Result<Vec<Mat<f64>>, EmpiricalError> {
    let g = gradient_from_tape(tape, coefficients)?;
    for m in &g {
        check_finite(
            "gradient entry",
            (0..m.ncols()).flat_map(|j| (0..m.nrows()).map(move |i| m[(i, j)])),
        )?;
    }
    Ok(g)
}

/// The number of points of the pass, after checking one finite coefficient per point.
fn check_coefficients(tape: &Tape, coefficients: &[f64]) -> Result<usize, EmpiricalError> {
    let n = tape.outputs.len();
    if coefficients.len() != n {
        return Err(EmpiricalError::CoefficientCountMismatch {
            expected: n,
            found: coefficients.len(),
        });
    }
    if let Some(index) = coefficients.iter().position(|c| !c.is_finite()) {
        return Err(EmpiricalError::NonFiniteCoefficient {
            index,
            value: coefficients[index],
        });
    }
    Ok(n)
}

/// $\Delta\\,\mathrm{diag}(\lambda)$ of one tensor.
fn weighted_delta(t: &TensorTape, coefficients: &[f64]) -> Mat<f64> {
    Mat::from_fn(t.delta.nrows(), coefficients.len(), |i, j| {
        t.delta[(i, j)] * coefficients[j]
    })
}

/// The gradient $\nabla_p \sum_i \lambda_i f(x_i)$ per tensor: $c\\,\Delta\\,\mathrm{diag}(\lambda)
/// A^\top$ (a bias: $c\\,\Delta\lambda$), in parameter order.
pub(crate) fn gradient_from_tape(
    tape: &Tape,
    coefficients: &[f64],
) -> Result<Vec<Mat<f64>>, EmpiricalError> {
    let n = check_coefficients(tape, coefficients)?;
    Ok(tape
        .tensors
        .iter()
        .map(|t| {
            let weighted = weighted_delta(t, coefficients);
            match &t.input {
                Some(a) => product(weighted.as_ref(), a.transpose(), t.scale),
                None => Mat::from_fn(t.delta.nrows(), 1, |i, _| {
                    t.scale * (0..n).map(|j| weighted[(i, j)]).sum::<f64>()
                }),
            }
        })
        .collect())
}

/// $\theta \mathrel{-}= \eta\\,\nabla_\theta\sum_i\lambda_i f(x_i)$ in place: each weight
/// tensor receives $-\eta c\\,\Delta\\,\mathrm{diag}(\lambda)A^\top$ by one accumulating
/// matrix product (no gradient is materialized), each bias $-\eta c\\,\Delta\lambda$.
pub(crate) fn descend_from_tape(
    tape: &Tape,
    coefficients: &[f64],
    step: f64,
    params: Vec<faer::MatMut<'_, f64>>,
) -> Result<(), EmpiricalError> {
    let n = check_coefficients(tape, coefficients)?;
    let shapes_match = params.len() == tape.tensors.len()
        && params.iter().zip(&tape.tensors).all(|(p, t)| {
            p.nrows() == t.delta.nrows() && p.ncols() == t.input.as_ref().map_or(1, |a| a.nrows())
        });
    if !shapes_match {
        return Err(EmpiricalError::PassMismatch);
    }
    for (mut p, t) in params.into_iter().zip(&tape.tensors) {
        let weighted = weighted_delta(t, coefficients);
        match &t.input {
            Some(a) => product_into(
                p.as_mut(),
                Accum::Add,
                weighted.as_ref(),
                a.transpose(),
                -step * t.scale,
            ),
            None => {
                for i in 0..p.nrows() {
                    let g: f64 = (0..n).map(|j| weighted[(i, j)]).sum();
                    p[(i, 0)] -= step * t.scale * g;
                }
            }
        }
    }
    Ok(())
}
