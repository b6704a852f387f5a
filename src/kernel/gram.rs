//! Gram matrices $K(X, Y)$ for arbitrary inputs: the exact (reference) path.

use rayon::prelude::*;

use super::points::{Points, norm};
use super::{SphereKernel, scaled_to_f64};
use crate::arch::{Architecture, InputCovariance, KernelKind};
use crate::error::KernelError;
use crate::scalar::{DoubleDouble, KernelScalar};

/// A dense row-major matrix of `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Row-major entries, `rows * cols` of them.
    pub data: Vec<f64>,
}

impl Matrix {
    /// Entry $(i, j)$.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// The angle between two non-zero vectors with norms `nx`, `ny`, from the formula
/// $\theta = 2\arctan\big(\|u - v\| / \|u + v\|\big)$, $u = x/\|x\|$, $v = y/\|y\|$
/// (Kahan, *How futile are mindless assessments of roundoff*, 2006, §12): its absolute error is
/// a few ulps for every angle, whereas $\arccos\langle u,v\rangle$ has error $\sqrt{\varepsilon}$
/// near 0 and $\pi$.
pub fn angle_between(x: &[f64], nx: f64, y: &[f64], ny: f64) -> f64 {
    let mut dm = 0.0;
    let mut dp = 0.0;
    for (a, b) in x.iter().zip(y) {
        let u = a / nx;
        let v = b / ny;
        dm += (u - v) * (u - v);
        dp += (u + v) * (u + v);
    }
    2.0 * dm.sqrt().atan2(dp.sqrt())
}

/// $(m, e)$ with $x = m\cdot 2^e$, $m \in [0.5, 1)$ (for finite $x > 0$).
pub(crate) fn frexp(x: f64) -> (f64, i64) {
    let e = x.log2().floor() as i64 + 1;
    (crate::scalar::scale_f64(x, -(e as i32)), e)
}

/// The exact kernel entry $K(x, y)$ of two points of $\mathbb R^D$.
pub(crate) fn pair_exact(
    arch: &Architecture,
    kind: KernelKind,
    x: &[f64],
    nx: f64,
    y: &[f64],
    ny: f64,
) -> Result<f64, KernelError> {
    let dim = x.len();
    let zero_x = nx == 0.0;
    let zero_y = ny == 0.0;
    let theta = if zero_x || zero_y {
        std::f64::consts::FRAC_PI_2
    } else {
        angle_between(x, nx, y, ny)
    };
    if arch.is_homogeneous() {
        if zero_x || zero_y {
            return Ok(0.0);
        }
        let k = SphereKernel::new(arch.clone(), kind, dim)?;
        let s = k.eval_generic(DoubleDouble::cos_angle(theta));
        let (mx, ex) = frexp(nx);
        let (my, ey) = frexp(ny);
        let m = s.mantissa.to_f64() * mx * my;
        return scaled_to_f64(m, s.exp2 + ex + ey);
    }
    // Non-homogeneous (MLP with biases): full covariance recursion.
    let d = DoubleDouble::from(dim as f64);
    let nxd = DoubleDouble::from(nx);
    let nyd = DoubleDouble::from(ny);
    let xx = nxd * nxd / d;
    let yy = nyd * nyd / d;
    if !xx.to_f64().is_finite() || !yy.to_f64().is_finite() {
        let log2_abs = 2.0 * nx.max(ny).log2();
        return Err(KernelError::NotRepresentable { log2_abs });
    }
    let xy = nxd * nyd / d * DoubleDouble::cos_angle(theta);
    let s = arch.recursion(InputCovariance { xx, yy, xy }).get(kind);
    scaled_to_f64(s.mantissa.to_f64(), s.exp2)
}

/// The Gram matrix $K(X, Y)$ (or $K(X, X)$ when `y` is `None`, filled symmetrically), every
/// entry by the exact double-double recursion. This is the reference path; it costs a few
/// microseconds per entry.
pub fn gram_exact(
    arch: &Architecture,
    kind: KernelKind,
    x: &Points,
    y: Option<&Points>,
) -> Result<Matrix, KernelError> {
    let yy = y.unwrap_or(x);
    if yy.dim() != x.dim() {
        return Err(KernelError::DimensionMismatch {
            expected: x.dim(),
            found: yy.dim(),
        });
    }
    let nxs: Vec<f64> = (0..x.len()).map(|i| norm(x.row(i))).collect();
    let nys: Vec<f64> = (0..yy.len()).map(|j| norm(yy.row(j))).collect();
    let symmetric = y.is_none();
    let cols = yy.len();
    let rows: Result<Vec<Vec<f64>>, KernelError> = (0..x.len())
        .into_par_iter()
        .map(|i| {
            let start = if symmetric { i } else { 0 };
            let mut row = vec![0.0; cols];
            for j in start..cols {
                row[j] = pair_exact(arch, kind, x.row(i), nxs[i], yy.row(j), nys[j])?;
            }
            Ok(row)
        })
        .collect();
    let rows = rows?;
    let mut data = vec![0.0; x.len() * cols];
    for (i, r) in rows.iter().enumerate() {
        data[i * cols..(i + 1) * cols].copy_from_slice(r);
    }
    if symmetric {
        for i in 0..x.len() {
            for j in 0..i {
                data[i * cols + j] = data[j * cols + i];
            }
        }
    }
    Ok(Matrix {
        rows: x.len(),
        cols,
        data,
    })
}
