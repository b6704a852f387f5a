//! Gram matrices $K(X, Y)$ for arbitrary inputs: the exact (reference) path.

use rayon::prelude::*;

use super::points::{Points, norm};
use super::{SphereKernel, scaled_to_f64};
use crate::arch::{Architecture, KernelKind};
use crate::error::KernelError;
use crate::scalar::{Bounded, BoundedLanes, DoubleDouble, KernelScalar, LANE_COUNT, scale_f64};

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
    /// Entry $(i, j)$ (panics out of range, like indexing; `m[(i, j)]` is the same).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self[(i, j)]
    }
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }
    /// The entries in row-major order.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
    /// The entries in row-major order, by value.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }
    /// The rows as vectors.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.rows).map(|i| self.row(i).to_vec()).collect()
    }
    /// A copy as a [`faer::Mat`] (re-exported as [`crate::faer`]), for eigenvalues, Cholesky
    /// factors and solves:
    ///
    /// ```
    /// use ntk_sphere::kernel::gram;
    /// use ntk_sphere::{Architecture, KernelKind, Mlp, Points};
    /// let x = Points::from_rows(&[[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]).unwrap();
    /// let k = gram(&Architecture::from(Mlp::new(2, 1.0).unwrap()), KernelKind::Ntk, &x, None)
    ///     .unwrap();
    /// let m = k.to_faer();
    /// assert_eq!((m.nrows(), m.ncols()), k.shape());
    /// // The NTK Gram matrix of distinct points is positive definite.
    /// let eig = m.self_adjoint_eigenvalues(ntk_sphere::faer::Side::Lower).unwrap();
    /// assert!(eig.iter().all(|&l| l > 0.0));
    /// // Cholesky factor K = L Lᵀ and a solve K c = y.
    /// use ntk_sphere::faer::linalg::solvers::{Llt, Solve};
    /// let llt = Llt::new(m.as_ref(), ntk_sphere::faer::Side::Lower).unwrap();
    /// let y = ntk_sphere::faer::Mat::from_fn(3, 1, |i, _| i as f64);
    /// let c = llt.solve(&y);
    /// let r = &m * &c - &y;
    /// assert!(r.norm_max() < 1e-12);
    /// ```
    pub fn to_faer(&self) -> faer::Mat<f64> {
        faer::Mat::from_fn(self.rows, self.cols, |i, j| self[(i, j)])
    }
    /// The matrix of a [`faer::Mat`].
    pub fn from_faer(m: faer::MatRef<'_, f64>) -> Self {
        let (rows, cols) = (m.nrows(), m.ncols());
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(m[(i, j)]);
            }
        }
        Self { rows, cols, data }
    }
}

impl std::ops::Index<(usize, usize)> for Matrix {
    type Output = f64;
    /// Entry $(i, j)$; panics when `i >= rows` or `j >= cols`.
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        assert!(
            i < self.rows && j < self.cols,
            "index ({i}, {j}) out of range for a {} x {} matrix",
            self.rows,
            self.cols
        );
        &self.data[i * self.cols + j]
    }
}

/// The angle between two non-zero vectors with norms `nx`, `ny`, from the formula
/// $\theta = 2\arctan\big(\\|u - v\\| / \\|u + v\\|\big)$, $u = x/\\|x\\|$, $v = y/\\|y\\|$
/// (Kahan, *How futile are mindless assessments of roundoff*, 2006, §12): its absolute error is
/// a few ulps for every angle, whereas $\arccos\langle u,v\rangle$ has error $\sqrt{\varepsilon}$
/// near 0 and $\pi$.
pub fn angle_between(x: &[f64], nx: f64, y: &[f64], ny: f64) -> f64 {
    half_chord_angle(x.iter().zip(y).map(|(a, b)| (a / nx, b / ny)))
}

/// [`angle_between`] of rows already divided by their norms (bitwise the same angle when they
/// were divided as there, e.g. the unit rows of the fast Gram paths).
pub(crate) fn angle_between_unit(u: &[f64], v: &[f64]) -> f64 {
    half_chord_angle(u.iter().zip(v).map(|(&a, &b)| (a, b)))
}

/// $2\arctan(\\|u - v\\|/\\|u + v\\|)$ from the coordinate pairs $(u_k, v_k)$.
#[inline(always)]
fn half_chord_angle(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let mut dm = 0.0;
    let mut dp = 0.0;
    for (u, v) in pairs {
        dm += (u - v) * (u - v);
        dp += (u + v) * (u + v);
    }
    2.0 * dm.sqrt().atan2(dp.sqrt())
}

/// $(m, e)$ with $x = m\cdot 2^e$, $m \in [0.5, 1)$ (for finite $x > 0$); $(x, 0)$ for zero,
/// infinite and NaN $x$ (the caller then meets a non-finite or zero mantissa, never an
/// arithmetic overflow of the exponent).
pub(crate) fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let e = x.abs().log2().floor() as i64 + 1;
    (crate::scalar::scale_f64(x, -(e as i32)), e)
}

/// Largest Gram matrix that [`gram_buffer`] allocates: $2^{31}$ entries (16 GiB of `f64`).
pub const MAX_GRAM_ENTRIES: usize = 1 << 31;

/// A zeroed row-major buffer for a `rows × cols` Gram matrix, or
/// [`KernelError::TooLarge`] if `rows · cols` overflows, exceeds [`MAX_GRAM_ENTRIES`], or cannot
/// be allocated (`try_reserve`: an error, not an abort). For the in-memory Gram functions
/// (`kernel::gram`, `GramTable::gram`, [`gram_exact`]).
pub(crate) fn gram_buffer(rows: usize, cols: usize) -> Result<Vec<f64>, KernelError> {
    let too_large = |limit| KernelError::TooLarge {
        what: "Gram matrix",
        rows,
        cols,
        limit,
    };
    let len = rows
        .checked_mul(cols)
        .filter(|&n| n <= MAX_GRAM_ENTRIES)
        .ok_or(too_large(Some(MAX_GRAM_ENTRIES)))?;
    let mut data = Vec::new();
    data.try_reserve_exact(len).map_err(|_| too_large(None))?;
    data.resize(len, 0.0);
    Ok(data)
}

/// `x` divided by the power of two $2^e$ that brings its largest coordinate into $[0.5, 1)$
/// (exact up to underflow of coordinates far below the largest one), and $e$.
fn rescaled(x: &[f64]) -> (Vec<f64>, i64) {
    let m = x.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let (_, e) = frexp(m);
    let v = x
        .iter()
        .map(|&c| crate::scalar::scale_f64(c, -(e as i32)))
        .collect();
    (v, e)
}

/// [`pair_exact`] for points with finite coordinates whose Euclidean norm overflows `f64`
/// (coordinates near `f64::MAX`): a homogeneous kernel is evaluated on the points rescaled by
/// powers of two, $K(2^a x, 2^b y) = 2^{a+b} K(x, y)$, so the entry is returned whenever it
/// fits in `f64`; the covariance recursion of a non-homogeneous kernel does not fit
/// ([`KernelError::NotRepresentable`], with the magnitude of the input covariance).
fn pair_overflowing_norm(
    arch: &Architecture,
    kind: KernelKind,
    x: &[f64],
    y: &[f64],
) -> Result<f64, KernelError> {
    let (xs, ex) = rescaled(x);
    let (ys, ey) = rescaled(y);
    let (nxs, nys) = (norm(&xs), norm(&ys));
    if arch.is_homogeneous() {
        if nxs == 0.0 || nys == 0.0 {
            return Ok(0.0);
        }
        let k = SphereKernel::new(arch.clone(), kind, x.len())?;
        let s = k.eval_generic(DoubleDouble::cos_angle(angle_between(&xs, nxs, &ys, nys)));
        let (mx, fx) = frexp(nxs);
        let (my, fy) = frexp(nys);
        let m = s.mantissa.to_f64() * mx * my;
        return scaled_to_f64(m, s.exp2 + ex + fx + ey + fy);
    }
    let log2_norm = |n: f64, e: i64| n.log2() + e as f64;
    let log2_abs = 2.0 * log2_norm(nxs, ex).max(log2_norm(nys, ey));
    Err(KernelError::NotRepresentable { log2_abs })
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
    if !(nx.is_finite() && ny.is_finite()) {
        return pair_overflowing_norm(arch, kind, x, y);
    }
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
    let d = dim as f64;
    if !(nx * nx / d).is_finite() || !(ny * ny / d).is_finite() {
        let log2_abs = 2.0 * nx.max(ny).log2();
        return Err(KernelError::NotRepresentable { log2_abs });
    }
    let (c, x, y) = (
        DoubleDouble::cos_angle(theta),
        DoubleDouble::from(nx),
        DoubleDouble::from(ny),
    );
    let s = super::radial_recursion(arch, kind, dim, c, x, y);
    scaled_to_f64(s.mantissa.to_f64(), s.exp2)
}

/// Entries whose error bound from the recursion on [`Bounded`] doubles is at most this fraction
/// of $\sqrt{K(x,x)K(y,y)}$ are kept by the fast Gram path ([`super::GramPlan`]); the others
/// are recomputed by the exact double-double recursion.
pub const BOUNDED_TOLERANCE: f64 = 1e-14;

/// A column of one row's entries for [`entries_bounded`]: the point divided by its norm, the
/// norm, and the absolute tolerance of its entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoundedColumn<'a> {
    pub unit: &'a [f64],
    pub ny: f64,
    pub tolerance: f64,
}

/// The entries $K(x, y_l)$ of up to [`LANE_COUNT`] columns at once, by the recursion on
/// [`BoundedLanes`]: lane $l$ is `Some(value)` if its proved error bound is at most its
/// tolerance; `None` otherwise, and for zero vectors and norms whose covariance does not fit
/// `f64` (the caller then takes [`pair_exact`]). Each lane's value and bound are those of the
/// recursion on one [`Bounded`] pair (the lanes share only the recursion's control flow, see
/// [`BoundedLanes`]). Lanes beyond `cols.len()` (and unusable columns) repeat the first usable
/// column, so that they do not disturb the shared branches.
pub(crate) fn entries_bounded(
    arch: &Architecture,
    kind: KernelKind,
    x_unit: &[f64],
    nx: f64,
    cols: &[BoundedColumn<'_>],
) -> [Option<f64>; LANE_COUNT] {
    let mut out = [None; LANE_COUNT];
    let d = x_unit.len() as f64;
    let usable = |r: f64| r > 0.0 && (r * r / d).is_finite();
    let first = cols.iter().position(|c| usable(c.ny));
    let (true, Some(first)) = (usable(nx), first) else {
        return out;
    };
    let pick = |l: usize| match cols.get(l) {
        Some(c) if usable(c.ny) => c,
        _ => &cols[first],
    };
    let c = BoundedLanes::from_fn(|l| {
        let col = pick(l);
        Bounded::cos_angle(angle_between_unit(x_unit, col.unit))
    });
    let ry = BoundedLanes::from_fn(|l| Bounded::from_f64(pick(l).ny));
    let s = super::radial_recursion(arch, kind, x_unit.len(), c, BoundedLanes::from_f64(nx), ry);
    for (l, col) in cols.iter().enumerate().take(LANE_COUNT) {
        if !usable(col.ny) {
            continue;
        }
        let lane = s.mantissa.lane(l);
        let Ok(value) = scaled_to_f64(lane.value, s.exp2) else {
            continue;
        };
        // (an exponent beyond ±2000 saturates the bound to 0 or ∞, like the value's own check)
        let err = scale_f64(lane.err, s.exp2.clamp(-2000, 2000) as i32);
        if err <= col.tolerance {
            out[l] = Some(value);
        }
    }
    out
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
    let symmetric = y.is_none();
    let cols = yy.len();
    let mut data = gram_buffer(x.len(), cols)?;
    let nxs: Vec<f64> = (0..x.len()).map(|i| norm(x.row(i))).collect();
    let nys: Vec<f64> = (0..yy.len()).map(|j| norm(yy.row(j))).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mlp, ResNet};

    /// Standard normal points from a seeded generator.
    fn gaussian_rows(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n)
            .map(|_| (0..d).map(|_| StandardNormal.sample(&mut rng)).collect())
            .collect()
    }

    /// Each lane of the lane-parallel recursion gives bitwise the value and the bound of the
    /// scalar `Bounded` recursion on its pair (same formulas, same branches), for biased MLP
    /// and ResNet kernels of both kinds and a composed erf/GELU network.
    #[test]
    fn bounded_lanes_match_the_scalar_recursion() {
        use crate::activation::Activation;
        use crate::arch::{Layer, Residual, Serial};
        let composed: Architecture = Serial::new(vec![
            Layer::dense(1.5, 0.2).unwrap(),
            Layer::activation(Activation::erf(1.0, 1.3, 0.2).unwrap()),
            Layer::dense(1.0, 0.1).unwrap(),
            Layer::activation(Activation::gelu()),
            Layer::dense(1.0, 0.0).unwrap(),
        ])
        .unwrap()
        .into();
        let branch = Serial::new(vec![
            Layer::dense(1.0, 0.05).unwrap(),
            Layer::activation(Activation::relu()),
            Layer::dense(2.0, 0.0).unwrap(),
        ])
        .unwrap();
        let residual: Architecture = Serial::new(vec![
            Layer::dense(1.0, 0.1).unwrap(),
            Layer::Residual(Residual::new(0.3, branch.clone()).unwrap()),
            Layer::Residual(Residual::new(0.3, branch).unwrap()),
            Layer::dense(1.0, 0.1).unwrap(),
        ])
        .unwrap()
        .into();
        let archs: [Architecture; 4] = [
            Mlp::with_bias(4, 1.0, 0.1).unwrap().into(),
            ResNet::new(3, 0.3, 1.0, 1.0).unwrap().into(),
            residual,
            composed,
        ];
        let d = 7;
        let rows = gaussian_rows(1 + LANE_COUNT, d, 0x9e37_79b9_7f4a_7c15);
        let norms: Vec<f64> = rows.iter().map(|r| norm(r)).collect();
        for arch in &archs {
            for kind in [KernelKind::Ntk, KernelKind::Nngp] {
                let theta: Vec<f64> = (1..=LANE_COUNT)
                    .map(|j| angle_between(&rows[0], norms[0], &rows[j], norms[j]))
                    .collect();
                let lanes = crate::kernel::radial_recursion(
                    arch,
                    kind,
                    d,
                    BoundedLanes::from_fn(|l| Bounded::cos_angle(theta[l])),
                    BoundedLanes::from_f64(norms[0]),
                    BoundedLanes::from_fn(|l| Bounded::from_f64(norms[l + 1])),
                );
                for l in 0..LANE_COUNT {
                    let one = crate::kernel::radial_recursion(
                        arch,
                        kind,
                        d,
                        Bounded::cos_angle(theta[l]),
                        Bounded::from_f64(norms[0]),
                        Bounded::from_f64(norms[l + 1]),
                    );
                    assert_eq!(one.exp2, lanes.exp2);
                    assert_eq!(
                        one.mantissa,
                        lanes.mantissa.lane(l),
                        "{arch:?} {kind:?} {l}"
                    );
                    assert!(one.mantissa.err.is_finite() && one.mantissa.err > 0.0);
                }
            }
        }
    }

    /// Lanes that do not fit the recursion's shared scaling — a zero vector, norms scaled by
    /// 2^-700, 2^-30, 2^300 and 2^510 — are refused or correct: every accepted entry is within
    /// its tolerance of the exact entry, the ordinary columns beside them are accepted, and so
    /// is the norm near 2^511 whose square still fits a double.
    #[test]
    fn bounded_lanes_refuse_or_get_right_the_odd_columns() {
        let arch: Architecture = Mlp::with_bias(3, 1.0, 0.1).unwrap().into();
        let d = 5;
        let mut rows = gaussian_rows(LANE_COUNT, d, 0x2545_f491_4f6c_dd1d);
        rows[1] = vec![0.0; d];
        rows[2].iter_mut().for_each(|v| *v *= 2f64.powi(-700));
        rows[3].iter_mut().for_each(|v| *v *= 2f64.powi(300));
        rows[5].iter_mut().for_each(|v| *v *= 2f64.powi(-30));
        // ‖y‖² fits a double, ‖y‖²·d would not
        rows[6].iter_mut().for_each(|v| *v *= 2f64.powi(510));
        let norms: Vec<f64> = rows.iter().map(|r| norm(r)).collect();
        let (r2, d2) = (norms[6] * norms[6], d as f64);
        assert!((r2 / d2).is_finite() && !(r2 * d2).is_finite());
        let units: Vec<Vec<f64>> = rows
            .iter()
            .zip(&norms)
            .map(|(r, &n)| r.iter().map(|v| v / n).collect())
            .collect();
        let exact = |i: usize, j: usize| {
            pair_exact(
                &arch,
                KernelKind::Ntk,
                &rows[i],
                norms[i],
                &rows[j],
                norms[j],
            )
            .unwrap()
        };
        for first in [0, 2, 3] {
            let cols: Vec<BoundedColumn<'_>> = (0..LANE_COUNT)
                .map(|l| {
                    let j = (first + l) % LANE_COUNT;
                    BoundedColumn {
                        unit: &units[j],
                        ny: norms[j],
                        tolerance: BOUNDED_TOLERANCE * (exact(0, 0) * exact(j, j)).sqrt(),
                    }
                })
                .collect();
            let got = entries_bounded(&arch, KernelKind::Ntk, &units[0], norms[0], &cols);
            let mut accepted = 0;
            for (l, col) in cols.iter().enumerate() {
                let j = (first + l) % LANE_COUNT;
                if let Some(v) = got[l] {
                    accepted += 1;
                    let e = exact(0, j);
                    assert!(
                        (v - e).abs() <= col.tolerance,
                        "lane {l} (row {j}): {v} vs {e}"
                    );
                }
                if j == 1 {
                    assert!(got[l].is_none(), "a zero vector takes the exact path");
                }
                if j == 6 {
                    assert!(got[l].is_some(), "a norm of 2^511 is within reach");
                }
            }
            assert!(
                accepted >= LANE_COUNT - 4,
                "{accepted} accepted (first row {first})"
            );
        }
    }

    #[test]
    fn frexp_of_special_values() {
        assert_eq!(frexp(0.75), (0.75, 0));
        assert_eq!(frexp(6.0), (0.75, 3));
        assert_eq!(frexp(5e-324), (0.5, -1073));
        // log2 rounds up just below a power of two: m may be just below 0.5, m·2^e is exact
        for x in [f64::MAX, 5e-324, 1.0 - f64::EPSILON, 3.0e-310, 1e300] {
            let (m, e) = frexp(x);
            assert!((0.49..1.0).contains(&m), "{x}: {m}");
            assert_eq!(crate::scalar::scale_f64(m, e as i32), x);
        }
        assert_eq!(frexp(f64::INFINITY), (f64::INFINITY, 0));
        assert!(frexp(f64::NAN).0.is_nan());
        assert_eq!(frexp(0.0), (0.0, 0));
    }

    /// Coordinates at `f64::MAX` (norm beyond `f64`): no arithmetic overflow (this runs with
    /// overflow checks under `cargo test`), a typed error where the entry does not fit, and
    /// the entry where it does.
    #[test]
    fn gram_exact_with_huge_coordinates() {
        let resnet: Architecture = ResNet::new(3, 0.5, 1.0, 1.0).unwrap().into();
        let mlp_bias: Architecture = Mlp::with_bias(2, 1.0, 0.1).unwrap().into();
        let huge = Points::from_rows(&[[f64::MAX, f64::MAX]]).unwrap();
        let k = SphereKernel::new(resnet.clone(), KernelKind::Ntk, 2).unwrap();
        let log2_k1 = k.log2_abs(1.0).unwrap();
        match gram_exact(&resnet, KernelKind::Ntk, &huge, None) {
            Err(KernelError::NotRepresentable { log2_abs }) => {
                // ‖x‖² κ(1) = 2^(2·1024.5) κ(1)
                let expected = 2.0 * (f64::MAX.log2() + 0.5) + log2_k1;
                assert!(
                    (log2_abs - expected).abs() < 1e-9,
                    "{log2_abs} vs {expected}"
                );
            }
            other => panic!("{other:?}"),
        }
        match gram_exact(&mlp_bias, KernelKind::Ntk, &huge, None) {
            Err(KernelError::NotRepresentable { log2_abs }) => {
                assert!((log2_abs - 2.0 * (f64::MAX.log2() + 0.5)).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
        // ‖x‖‖y‖κ(cos π/4) fits: ‖x‖ = √2·MAX, ‖y‖ = 2^-1000
        let tiny = Points::from_rows(&[[2f64.powi(-1000), 0.0]]).unwrap();
        let g = gram_exact(&resnet, KernelKind::Ntk, &huge, Some(&tiny)).unwrap();
        let expected = (f64::MAX.log2() + 0.5 - 1000.0) + k.log2_abs(0.5f64.sqrt()).unwrap();
        assert!((g.get(0, 0).log2() - expected).abs() < 1e-12);
        // the fast path does not panic either
        assert!(crate::kernel::gram(&resnet, KernelKind::Ntk, &huge, None).is_err());
    }

    #[test]
    fn gram_buffer_limits() {
        assert_eq!(gram_buffer(3, 4).unwrap(), vec![0.0; 12]);
        for (r, c) in [
            (usize::MAX, 2),
            (1 << 16, (1 << 15) + 1),
            (100_000, 100_000),
        ] {
            match gram_buffer(r, c) {
                Err(KernelError::TooLarge {
                    what: "Gram matrix",
                    rows,
                    cols,
                    limit: Some(MAX_GRAM_ENTRIES),
                }) => assert_eq!((rows, cols), (r, c)),
                other => panic!("{r} x {c}: {other:?}"),
            }
        }
        let msg = gram_buffer(100_000, 100_000).unwrap_err().to_string();
        assert_eq!(
            msg,
            "the 100000 x 100000 Gram matrix needs 74.5 GiB (10000000000 entries of 8 bytes), \
             more than the limit of 16 GiB (2147483648 entries)"
        );
    }
}
