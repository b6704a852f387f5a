//! A validated set of points of $\mathbb R^D$ (rows), stored row-major.

use crate::error::KernelError;

/// $n \ge 1$ points of $\mathbb R^D$, $D \ge 1$, all coordinates finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    data: Vec<f64>,
    n: usize,
    dim: usize,
}

impl Points {
    /// From a row-major buffer of `n * dim` coordinates.
    pub fn new(data: Vec<f64>, n: usize, dim: usize) -> Result<Self, KernelError> {
        if n == 0 {
            return Err(KernelError::EmptyInput { what: "no points" });
        }
        if dim == 0 {
            return Err(KernelError::EmptyInput {
                what: "points have no coordinates",
            });
        }
        if data.len() != n * dim {
            return Err(KernelError::DimensionMismatch {
                expected: n * dim,
                found: data.len(),
            });
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(KernelError::NonFiniteInput {
                row: i / dim,
                col: i % dim,
                value: data[i],
            });
        }
        Ok(Self { data, n, dim })
    }

    /// From rows, which must all have the same length.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self, KernelError> {
        let first = rows
            .first()
            .ok_or(KernelError::EmptyInput { what: "no points" })?;
        let dim = first.as_ref().len();
        let mut data = Vec::with_capacity(rows.len() * dim);
        for r in rows {
            let r = r.as_ref();
            if r.len() != dim {
                return Err(KernelError::DimensionMismatch {
                    expected: dim,
                    found: r.len(),
                });
            }
            data.extend_from_slice(r);
        }
        Self::new(data, rows.len(), dim)
    }

    /// Number of points $n$.
    pub fn len(&self) -> usize {
        self.n
    }
    /// Always false: a point set has at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// Dimension $D$.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Point `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
    /// The row-major coordinates.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
}

/// Euclidean norm without overflow or underflow (scaled by the largest coordinate).
pub(crate) fn norm(x: &[f64]) -> f64 {
    let m = x.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if m == 0.0 {
        return 0.0;
    }
    let s: f64 = x.iter().map(|v| (v / m) * (v / m)).sum();
    m * s.sqrt()
}
