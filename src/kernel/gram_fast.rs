//! The fast Gram path: $K_{ij} = \\|x_i\\|\\,\\|y_j\\|\\,\kappa(1)\\,g(\cos\theta_{ij})$ from one
//! matrix product and table look-ups.
//!
//! For a homogeneous (bias-free) architecture, $K(x,y) = \\|x\\|\\,\\|y\\|\\,\kappa(\cos\angle(x,y))$
//! (docs/conventions.md). The path
//! 1. normalizes the rows, $\hat x_i = x_i/\\|x_i\\|$ (zero rows stay zero);
//! 2. forms the $c_{ij} = \langle \hat x_i, \hat y_j\rangle$ by `faer` matrix products, one per
//!    block of 32 rows (blocks in parallel; only $j \ge$ the block's first row in the
//!    symmetric case), written straight into the output buffer;
//! 3. replaces each $c_{ij}$ by the entry, in parallel over rows: for $|c_{ij}| \le \tau$
//!    ([`T_SWITCH`]) by the $t$-table of [`GramTable`] at $c_{ij}$; otherwise it recomputes the
//!    angle accurately with [`angle_between`] (Kahan's formula, as the exact path does; $O(D)$
//!    per such pair) and uses a $\theta$-table;
//! 4. in the symmetric case $K(X,X)$ computes only the upper triangle (the diagonal is exactly
//!    $\\|x_i\\|^2\kappa(1)$) and mirrors it, so the output is exactly symmetric.
//!
//! **Accuracy.** Relative to the scale $\\|x_i\\|\\,\\|y_j\\|\\,\kappa(1)$ (not to $|K_{ij}|$, which
//! may be tiny, e.g. near $t=-1$), the entry differs from the exact value
//! ([`gram_exact`](super::gram_exact)) by at most [`GramTable::entry_error_bound`]$(D)$: the
//! table error ([`GramTable::max_error`], verified $\le$ [`TABLE_TARGET`]) plus
//! $g'(\tau)$ times the rounding error of the inner product of normalized rows ($\le (D+4)u$)
//! plus a few ulps. For the kernels of this crate $g'(\tau) \approx 1$ (0.9–1.4 observed for depths
//! 0–20), so the bound is below $10^{-13}$ for $D$ up to several hundred; beyond, the worst-case
//! term grows like $D u$ (the typical rounding like $\sqrt D u$). Observed in `tests/gram_fast.rs`
//! over random architectures, $D \in [2, 50]$, arbitrary norms, nearly coincident, antipodal,
//! scaled and zero points: at most $1.8\cdot10^{-15}$.
//!
//! **Scaling.** Products are formed in `f64` when $\\|x_i\\|\kappa(1)$, $\\|x_i\\|\\|y_j\\|\kappa(1)$
//! and the entry lie in $[2^{-1000}, 2^{1000}]$; otherwise the entry goes through the scaled
//! representation like the exact path, with the same [`KernelError::NotRepresentable`] on
//! overflow or underflow — except that an underflowing entry whose table value is within the
//! table error of 0 is returned as 0. Zero vectors give exactly 0.
//!
//! **Non-homogeneous architectures** (MLP with $\sigma_b^2 > 0$) depend on $\\|x\\|$, $\\|y\\|$
//! separately; they use one table per pair of frequent input norms, on the same skeleton
//! (matrix product, table look-ups, symmetric fill), and the exact per-pair recursion
//! of [`gram_exact`](super::gram_exact) for the other entries: [`GramPlan`].

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

use super::GramPlan;
use super::gram::{Matrix, angle_between, frexp};
use super::points::{Points, norm};
use super::table::{GramTable, T_SWITCH, TABLE_TARGET};
use super::{SphereKernel, scaled_to_f64};
use crate::arch::{Architecture, KernelKind};
use crate::error::KernelError;
use crate::scalar::scale_f64;
use crate::vector_state::clear_upper_state;

/// Products are formed in plain `f64` inside $[2^{-1000}, 2^{1000}]$.
pub(super) const SAFE_LO: f64 = 9.332_636_185_032_189e-302; // 2^-1000
pub(super) const SAFE_HI: f64 = 1.071_508_607_186_267_3e301; // 2^1000

/// Entries evaluated together by the interleaved table evaluation.
pub(super) const LANES: usize = 8;
/// Rows per parallel work item (matrix product and entries fused per block).
const ROW_BLOCK: usize = 32;

impl GramTable {
    /// $g(c)$ from the $t$-table if $|c| \le \tau$, else NaN (angle to be recomputed).
    #[inline(always)]
    fn g_or_nan(&self, c: f64) -> f64 {
        if c.abs() <= T_SWITCH {
            self.eval_t_inner(c)
        } else {
            f64::NAN
        }
    }
}

/// Checks the shapes and returns $(n, m)$, the output dimensions.
pub(super) fn shapes(
    x: &Points,
    y: Option<&Points>,
    out_len: usize,
) -> Result<(usize, usize), KernelError> {
    let yy = y.unwrap_or(x);
    if yy.dim() != x.dim() {
        return Err(KernelError::DimensionMismatch {
            expected: x.dim(),
            found: yy.dim(),
        });
    }
    let (n, m) = (x.len(), yy.len());
    if out_len != n * m {
        return Err(KernelError::DimensionMismatch {
            expected: n * m,
            found: out_len,
        });
    }
    Ok((n, m))
}

/// The norms and the normalized rows of $X$ and $Y$ (of $X$ alone, shared, for $K(X, X)$): the
/// inputs of the fast paths.
pub(super) struct UnitRows {
    /// $\\|x_i\\|$.
    pub nx: Vec<f64>,
    /// $\\|y_j\\|$ (a copy of `nx` for $K(X, X)$).
    pub ny: Vec<f64>,
    /// Row-major $\hat x_i$.
    pub xh: Vec<f64>,
    /// Row-major $\hat y_j$, `None` for $K(X, X)$.
    yh: Option<Vec<f64>>,
}

impl UnitRows {
    pub(super) fn new(x: &Points, y: Option<&Points>) -> Self {
        let nx: Vec<f64> = (0..x.len()).map(|i| norm(x.row(i))).collect();
        let xh = normalized_rows(x, &nx);
        match y {
            None => Self {
                ny: nx.clone(),
                nx,
                xh,
                yh: None,
            },
            Some(y) => {
                let ny: Vec<f64> = (0..y.len()).map(|j| norm(y.row(j))).collect();
                let yh = Some(normalized_rows(y, &ny));
                Self { nx, ny, xh, yh }
            }
        }
    }

    /// Row-major $\hat y_j$.
    pub(super) fn yh(&self) -> &[f64] {
        self.yh.as_deref().unwrap_or(&self.xh)
    }
}

/// Row-major $\hat x_i = x_i/\\|x_i\\|$ (zero rows stay zero).
fn normalized_rows(p: &Points, norms: &[f64]) -> Vec<f64> {
    let mut v = p.as_slice().to_vec();
    for (row, &nr) in v.chunks_exact_mut(p.dim()).zip(norms) {
        if nr > 0.0 {
            for c in row {
                *c /= nr;
            }
        }
    }
    v
}

/// A raw pointer to the output that may be shared between threads for the mirroring step.
#[derive(Clone, Copy)]
struct SharedOut(*mut f64);
// SAFETY: used only in `mirror_lower`, where each thread writes only the strict lower triangle
// of its own block of rows and reads other blocks only in the strict upper triangle, which no
// thread writes.
unsafe impl Sync for SharedOut {}
unsafe impl Send for SharedOut {}

/// Copies the strict upper triangle of the row-major $n\times n$ `out` to the lower one, in
/// parallel over blocks of rows. Each $B\times B$ tile is read row by row into a local buffer and
/// written row by row transposed, so that both memory streams are contiguous.
fn mirror_lower(out: &mut [f64], n: usize) {
    const B: usize = 64;
    assert_eq!(out.len(), n * n);
    let ptr = SharedOut(out.as_mut_ptr());
    (0..n.div_ceil(B)).into_par_iter().for_each(|bi| {
        let p = ptr;
        let mut tile = vec![0.0; B * B];
        let (i0, i1) = (bi * B, ((bi + 1) * B).min(n));
        for j0 in (0..i1).step_by(B) {
            let j1 = (j0 + B).min(i1);
            // Source: rows j0..j1, columns i0..i1 (upper triangle where j < i).
            for j in j0..j1 {
                // SAFETY: j < n and i0..i1 ⊂ 0..n, so the row segment is in bounds. For j < i0
                // (other blocks) it lies in the strict upper triangle, which no thread writes
                // during mirroring; for the diagonal tile (j0 = i0) row j belongs to this block,
                // whose entries only this thread writes, and not while `src` is alive.
                let src = unsafe { std::slice::from_raw_parts(p.0.add(j * n + i0), i1 - i0) };
                tile[(j - j0) * B..(j - j0) * B + (i1 - i0)].copy_from_slice(src);
            }
            for i in i0..i1 {
                let jend = j1.min(i);
                if jend <= j0 {
                    continue;
                }
                // SAFETY: row i belongs to this block; columns j0..jend < i are its strict
                // lower triangle, written only by this thread and never read by others.
                let dst = unsafe { std::slice::from_raw_parts_mut(p.0.add(i * n + j0), jend - j0) };
                for (jj, d) in dst.iter_mut().enumerate() {
                    *d = tile[jj * B + (i - i0)];
                }
            }
        }
    });
}

/// Replaces the inner products of row `i` by the entries (see [`blocked_rows`]).
pub(super) type RowEntries<'a> = dyn Fn(usize, &mut [f64]) -> Result<(), KernelError> + Sync + 'a;

/// The skeleton of the fast paths. For each block of [`ROW_BLOCK`] rows of the row-major
/// $n\times m$ `out` (blocks in parallel): the inner products $c_{ij} = \langle\hat x_i,
/// \hat y_j\rangle$ of the normalized rows `rows` (dimension `d`) by one matrix product
/// (only $j \ge$ the block's first row when `symmetric`), then `entries(i, row)` replaces the
/// $c_{ij}$ of row $i$ (from column $i$ on when `symmetric`) by the entries, while the block is
/// still in cache. In the symmetric case the upper triangle is then mirrored, so the result is
/// exactly symmetric.
pub(super) fn blocked_rows(
    rows: &UnitRows,
    d: usize,
    m: usize,
    symmetric: bool,
    out: &mut [f64],
    entries: &RowEntries<'_>,
) -> Result<(), KernelError> {
    if m == 0 {
        return Ok(());
    }
    let n = out.len() / m;
    let (xh, yh) = (&rows.xh, rows.yh());
    out.par_chunks_mut(ROW_BLOCK * m).enumerate().try_for_each(
        |(b, block)| -> Result<(), KernelError> {
            let i0 = b * ROW_BLOCK;
            let rb = block.len() / m;
            let cs = if symmetric { i0 } else { 0 };
            matmul(
                MatMut::from_row_major_slice_mut(&mut *block, rb, m).subcols_mut(cs, m - cs),
                Accum::Replace,
                MatRef::from_row_major_slice(&xh[i0 * d..(i0 + rb) * d], rb, d),
                MatRef::from_row_major_slice(&yh[cs * d..], m - cs, d).transpose(),
                1.0,
                Par::Seq,
            );
            clear_upper_state();
            for (r, row) in block.chunks_mut(m).enumerate() {
                entries(i0 + r, row)?;
            }
            Ok(())
        },
    )?;
    if symmetric {
        mirror_lower(out, n);
    }
    Ok(())
}

/// The entry through the scaled representation: $g\cdot\kappa(1)\\|x\\|\\|y\\|$ (see "Scaling").
fn scaled_entry(g: f64, kappa_one: (f64, i64), nx: f64, ny: f64) -> Result<f64, KernelError> {
    if nx == 0.0 || ny == 0.0 || g == 0.0 {
        return Ok(0.0);
    }
    let (mx, ex) = frexp(nx);
    let (my, ey) = frexp(ny);
    match scaled_to_f64(g * kappa_one.0 * mx * my, kappa_one.1 + ex + ey) {
        Err(KernelError::NotRepresentable { log2_abs })
            if log2_abs < 0.0 && g.abs() <= TABLE_TARGET =>
        {
            Ok(0.0)
        }
        r => r,
    }
}

impl GramTable {
    /// Fills `out` (row-major, `x.len() * y.len()` entries; $K(X,X)$ when `y` is `None`) with
    /// the Gram matrix by the fast path (module `kernel::gram_fast`). The table's dimension must
    /// be that of the points. For a non-homogeneous architecture this builds and uses the
    /// [`GramPlan`] of the points (tables per pair of frequent norms).
    pub fn gram_into(
        &self,
        x: &Points,
        y: Option<&Points>,
        out: &mut [f64],
    ) -> Result<(), KernelError> {
        let (_, m) = shapes(x, y, out.len())?;
        let k = self.kernel();
        if k.dim() != x.dim() {
            return Err(KernelError::DimensionMismatch {
                expected: k.dim(),
                found: x.dim(),
            });
        }
        if !k.arch().is_homogeneous() {
            return GramPlan::new(k, x, y)?.gram_into(x, y, out);
        }
        let symmetric = y.is_none();
        let yy = y.unwrap_or(x);
        let d = x.dim();
        let rows = UnitRows::new(x, y);
        let (nx, ny) = (&rows.nx, &rows.ny);
        let kappa_one = self.kappa_one();
        // a_i = ‖x_i‖ κ(1), or NaN (→ scaled path) outside the safe range.
        let a: Vec<f64> = nx
            .iter()
            .map(|&v| {
                if v == 0.0 {
                    return f64::NAN;
                }
                let (mx, ex) = frexp(v);
                let r = scale_f64(
                    kappa_one.0 * mx,
                    (kappa_one.1 + ex).clamp(-3000, 3000) as i32,
                );
                if (SAFE_LO..=SAFE_HI).contains(&r) {
                    r
                } else {
                    f64::NAN
                }
            })
            .collect();
        let process_row = |i: usize, row: &mut [f64]| -> Result<(), KernelError> {
            let start = if symmetric { i } else { 0 };
            let (ai, nxi, xi) = (a[i], nx[i], x.row(i));
            if nxi == 0.0 {
                row[start..].fill(0.0);
                return Ok(());
            }
            // g from the table, or NaN where the angle must be recomputed.
            let mut j0 = start;
            for chunk in row[start..].chunks_mut(LANES) {
                if let Ok(c) = <&mut [f64; LANES]>::try_from(&mut *chunk) {
                    if c.iter().all(|v| v.abs() <= T_SWITCH) {
                        *c = self.eval_t_lanes(c);
                    } else {
                        for v in c.iter_mut() {
                            *v = self.g_or_nan(*v);
                        }
                    }
                } else {
                    for v in chunk.iter_mut() {
                        *v = self.g_or_nan(*v);
                    }
                }
                for (l, v) in chunk.iter_mut().enumerate() {
                    let j = j0 + l;
                    let nyj = ny[j];
                    let mut g = *v;
                    if g.is_nan() {
                        g = if symmetric && j == i {
                            1.0
                        } else if nyj == 0.0 {
                            0.0
                        } else {
                            self.normalized_angle(angle_between(xi, nxi, yy.row(j), nyj))
                        };
                    }
                    let w = ai * nyj;
                    let e = g * w;
                    *v = if (SAFE_LO..=SAFE_HI).contains(&w) && (e.abs() >= SAFE_LO || g == 0.0) {
                        e
                    } else {
                        scaled_entry(g, kappa_one, nxi, nyj)?
                    };
                }
                j0 += chunk.len();
            }
            Ok(())
        };
        blocked_rows(&rows, d, m, symmetric, out, &process_row)
    }

    /// Rows `rows` of $K(X, Y)$ ($Y = X$ when `y` is `None`) into `out` (row-major,
    /// `rows.len() * y.len()` entries): for streaming a large matrix block by block (e.g. to a
    /// file) without holding it whole. Each block is computed as the rectangular matrix
    /// $K(X_{\text{rows}}, Y)$, so the symmetry of $K(X,X)$ is not exploited and holds to the
    /// stated accuracy, not necessarily bitwise; the error bound is that of
    /// [`GramTable::gram_into`].
    pub fn gram_rows_into(
        &self,
        x: &Points,
        y: Option<&Points>,
        rows: std::ops::Range<usize>,
        out: &mut [f64],
    ) -> Result<(), KernelError> {
        if rows.start >= rows.end || rows.end > x.len() {
            return Err(KernelError::EmptyInput {
                what: "row range empty or beyond the points",
            });
        }
        let d = x.dim();
        let block = Points::new(
            x.as_slice()[rows.start * d..rows.end * d].to_vec(),
            rows.len(),
            d,
        )?;
        self.gram_into(&block, Some(y.unwrap_or(x)), out)
    }

    /// The Gram matrix by the fast path ([`GramTable::gram_into`]).
    pub fn gram(&self, x: &Points, y: Option<&Points>) -> Result<Matrix, KernelError> {
        let rows = x.len();
        let cols = y.unwrap_or(x).len();
        let mut data = vec![0.0; rows * cols];
        self.gram_into(x, y, &mut data)?;
        Ok(Matrix { rows, cols, data })
    }
}

/// Fills `out` (row-major, $n\times m$) with the Gram matrix $K(X, Y)$ ($K(X,X)$ when `y` is
/// `None`): the explicit-buffer form of [`gram`](super::gram). It builds the [`GramPlan`] of
/// these points for dimension $D$ = `x.dim()` (one [`GramTable`] without biases, one per pair of
/// frequent norms with them) and uses it.
pub fn gram_into(
    arch: &Architecture,
    kind: KernelKind,
    x: &Points,
    y: Option<&Points>,
    out: &mut [f64],
) -> Result<(), KernelError> {
    shapes(x, y, out.len())?;
    GramPlan::new(&SphereKernel::new(arch.clone(), kind, x.dim())?, x, y)?.gram_into(x, y, out)
}
