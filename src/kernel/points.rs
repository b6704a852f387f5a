//! A validated set of points of $\mathbb R^D$ (rows), stored row-major.

use crate::error::KernelError;

/// Largest number of coordinates $n \cdot D$ of a point set: the most `f64` a `Vec` can hold
/// (`isize::MAX` bytes).
const MAX_ENTRIES: usize = isize::MAX as usize / std::mem::size_of::<f64>();

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
        let expected =
            n.checked_mul(dim)
                .filter(|&e| e <= MAX_ENTRIES)
                .ok_or(KernelError::TooLarge {
                    what: "point set",
                    rows: n,
                    cols: dim,
                    limit: Some(MAX_ENTRIES),
                })?;
        if data.len() != expected {
            return Err(KernelError::DimensionMismatch {
                expected,
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
        let too_large = |limit| KernelError::TooLarge {
            what: "point set",
            rows: rows.len(),
            cols: dim,
            limit,
        };
        let len = rows
            .len()
            .checked_mul(dim)
            .filter(|&e| e <= MAX_ENTRIES)
            .ok_or(too_large(Some(MAX_ENTRIES)))?;
        let mut data = Vec::new();
        data.try_reserve_exact(len).map_err(|_| too_large(None))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes whose product overflows are typed errors, not arithmetic panics.
    #[test]
    fn overflowing_sizes_are_errors() {
        let e = Points::new(vec![1.0], usize::MAX, 2).unwrap_err();
        assert!(
            matches!(
                e,
                KernelError::TooLarge {
                    what: "point set",
                    rows: usize::MAX,
                    cols: 2,
                    limit: Some(MAX_ENTRIES),
                }
            ),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with("the 18446744073709551615 x 2 point set needs 2.951e20 bytes"),
            "{msg}"
        );
        assert!(Points::new(vec![1.0], 2, usize::MAX).is_err());
        assert!(Points::new(vec![1.0], usize::MAX / 8 + 1, 1).is_err());
        // mismatched lengths name both counts
        let e = Points::new(vec![1.0; 5], 2, 3).unwrap_err();
        assert_eq!(
            e,
            KernelError::DimensionMismatch {
                expected: 6,
                found: 5
            }
        );
    }

    #[test]
    fn from_rows_of_many_references() {
        let row = [0.5; 4];
        let rows = vec![&row[..]; 3];
        let p = Points::from_rows(&rows).unwrap();
        assert_eq!((p.len(), p.dim()), (3, 4));
        let e = Points::from_rows(&[&[1.0, 2.0][..], &[3.0][..]]).unwrap_err();
        assert_eq!(
            e,
            KernelError::DimensionMismatch {
                expected: 2,
                found: 1
            }
        );
    }
}
