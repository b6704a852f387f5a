//! The fast Gram path for every architecture: [`GramPlan`], the tables a Gram computation needs.
//!
//! A homogeneous (bias-free) architecture needs one [`GramTable`] of the kernel on the sphere
//! (`kernel::gram_fast`). With biases (or another non-homogeneous layer) the entry
//! $K(x, y)$ depends on $\\|x\\|$, $\\|y\\|$ and $t = \langle\hat x, \hat y\rangle$ separately, but for
//! two fixed norms $r_x$, $r_y$ it is again a function of $t$ alone,
//! $$F_{r_x r_y}(t) = K(r_x\hat x, r_y\hat y),$$
//! which a [`GramTable`] tabulates as well as the sphere kernel (same construction, same
//! verification; `GramTable::at_radii`). Inputs with equal norms are the usual case — points on
//! the sphere, normalized data — and their computed norms take only a few distinct `f64` values
//! (4 or 5 for 4000 normalized Gaussian vectors in $\mathbb R^{16}$, all within two ulps of 1).
//!
//! So the plan groups the points by their computed norm: norms within [`MERGE_RELATIVE`]
//! ($16\cdot 2^{-52}$, relative) of a class's representative — its most frequent norm — join
//! that class (up to [`MAX_NORM_CLASSES`] classes). For each pair of classes that holds at least
//! [`MIN_TABLE_PAIRS`] entries it builds the table of $F_{r_a r_b}$ at the representatives
//! ($F_{r_a r_b} = F_{r_b r_a}$, one table per unordered pair), and checks by the exact
//! recursion that every pair of member norms gives the same kernel within [`MERGE_TOLERANCE`]
//! (relative to $F_{r_a r_b}(1)$, at the [`MERGE_CHECKS`] angles $\theta = \pi k/12$): the
//! few-ulp spread of the norms of normalized data changes a ReLU network's kernel by about
//! $10^{-16}$ (measured: median $2\cdot10^{-16}$, largest $2.2\cdot10^{-15}$ over the random
//! biased and composed exp/erf/GELU networks of `tests/gram_fast.rs`). Entries between tabulated
//! classes are $F_{r_a r_b}(1)\\,g(c_{ij})$ from the inner products of the normalized rows (one
//! matrix product) and the table — evaluated eight at a time per table — with the accurate angle
//! ([`super::angle_between`]) for $|c_{ij}| > \tau$, exactly as in the homogeneous path; every
//! other entry (rare norms, zero vectors, norms whose covariance does not fit `f64`, a table that
//! could not be built or verified, a class pair whose members deviate more) comes from the
//! recursion on [`Bounded`](crate::scalar::Bounded) doubles when its proved error bound is at
//! most [`BOUNDED_TOLERANCE`](super::BOUNDED_TOLERANCE) $= 10^{-14}$ of
//! $\sqrt{K(x,x)K(y,y)}$ (the diagonal entries are computed exactly first), and otherwise from
//! the exact double-double recursion ([`super::gram_exact`]'s per-pair formula). The symmetric
//! case computes the upper triangle and mirrors it.
//!
//! **Accuracy.** A tabulated entry errs by at most [`GramTable::entry_error_bound`] plus the
//! measured member deviation relative to $|F_{r_a r_b}(1)|$, and
//! $|F_{r_a r_b}(1)| = |K(r_a u, r_b u)| \le \sqrt{K(x,x)K(y,y)}$ by Cauchy–Schwarz (the kernel is
//! positive semi-definite and $K(x, x)$ depends on $\\|x\\|$ only; up to the few-ulp spread of
//! the norms within a class); so the error relative to $\sqrt{K(x,x)K(y,y)}$ is at most
//! [`GramPlan::entry_error_bound`] (about $5\cdot10^{-15}$ plus $(D+4)u$ times the table's
//! slope), with the caveats of the table verification (a dense grid, not a proof between its
//! points) and of the member check (13 angles). Exact entries are correct to about one ulp.
//!
//! **Cost.** A table costs about $2\cdot10^3$ exact evaluations, i.e. as much as a few hundred
//! exact entries; [`MIN_TABLE_PAIRS`] keeps tables to class pairs where they pay many times
//! over. Data with all-distinct norms (e.g. Gaussian points) builds no table: its entries take
//! the bounded double path, [`LANE_COUNT`] columns of a row at a time through one recursion on
//! [`BoundedLanes`](crate::scalar::BoundedLanes) (each lane's value and bound are those of the
//! scalar recursion on its pair; the row point's variances are computed once per pass; a column
//! that does not fit the lanes' shared scaling gets an infinite bound and the exact path). The
//! bound grows with depth (about $20u$ per layer for the NTK of a biased ReLU MLP from
//! $L = 5$ on, as the correlations approach 1 and the arc-cosine's slope grows, while the
//! actual error stays at a few $u$: at most $7u$ up to $L = 8$, $14u$ at $L = 10$). Measured on
//! 80 000 pairs of Gaussian points in $d = 16$, MLP with $\sigma_b^2 = 0.1$,
//! $\sigma_w^2 = 1$: every entry accepted for $L \le 4$, all but 0.03% at
//! $L = 5$, 98.8% at $L = 6$, 70% at $L = 7$, none from $L = 8$; a row stops trying once fewer
//! than half of its first 16 tries were accepted, so deep networks lose little time on it. The
//! 4000-point matrix of such points (two cores of the development machine, AVX2): 1.2 s at
//! $L = 3$, 1.65 s at $L = 5$ (the exact path: 20.4 s; largest difference $5.7\cdot10^{-16}$ of
//! $\sqrt{K(x,x)K(y,y)}$), 2.2 s at $L = 6$ — about neural-tangents' time for the same matrix —
//! then 11 s at $L = 7$ and 32 s (the exact path's time) at $L = 8$.

use std::collections::HashMap;

use rayon::prelude::*;

use super::gram::{BOUNDED_TOLERANCE, BoundedColumn, angle_between, entries_bounded, pair_exact};
use super::gram_fast::{LANES, SAFE_HI, SAFE_LO, UnitRows, blocked_rows, shapes};
use super::points::{Points, norm};
use super::table::{GramTable, T_SWITCH};
use super::{Matrix, SphereKernel, scaled_to_f64};
use crate::error::KernelError;
use crate::scalar::{DoubleDouble, KernelScalar, LANE_COUNT};

/// Smallest number of entries between two norm classes for which a table is built.
pub const MIN_TABLE_PAIRS: usize = 4096;
/// At most this many norm classes (the most frequent) get tables.
pub const MAX_NORM_CLASSES: usize = 32;

/// "No class" / "no table".
const NONE: u32 = u32::MAX;

/// The tables for the Gram matrices of one kernel (module `kernel::gram_plan`): one
/// [`GramTable`] for a homogeneous architecture, one per pair of frequent input norms otherwise.
/// Build it once for the points you will use (e.g. to compute a large matrix block by block)
/// and call [`GramPlan::gram_into`]; [`super::gram`] builds one per call.
///
/// ```
/// use ntk_sphere::arch::{Architecture, Mlp};
/// use ntk_sphere::kernel::{GramPlan, gram_exact};
/// use ntk_sphere::{KernelKind, Points, SphereKernel};
/// // An MLP with biases on 100 points of the unit circle: one norm class, one table.
/// let arch: Architecture = Mlp::with_bias(3, 1.0, 0.1).unwrap().into();
/// let rows: Vec<[f64; 2]> = (0..100)
///     .map(|i| [f64::cos(0.1 * i as f64), f64::sin(0.1 * i as f64)])
///     .collect();
/// let x = Points::from_rows(&rows).unwrap();
/// let kernel = SphereKernel::new(arch.clone(), KernelKind::Ntk, 2).unwrap();
/// let plan = GramPlan::new(&kernel, &x, None).unwrap();
/// assert!(plan.table_count() >= 1);
/// let fast = plan.gram(&x, None).unwrap();
/// let exact = gram_exact(&arch, KernelKind::Ntk, &x, None).unwrap();
/// let scale = exact.get(0, 0);
/// for (a, b) in fast.data.iter().zip(&exact.data) {
///     assert!((a - b).abs() <= plan.entry_error_bound() * scale);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct GramPlan {
    kernel: SphereKernel,
    plan: Plan,
}

#[derive(Debug, Clone)]
enum Plan {
    Homogeneous(GramTable),
    Norms(NormTables),
}

/// Tables per pair of norm classes.
#[derive(Debug, Clone)]
struct NormTables {
    /// Class index of each tabulated norm, by its bits.
    class_of: HashMap<u64, u32>,
    /// Number of classes $B$.
    classes: usize,
    /// `slot[a * B + b]`: index into `tables`, or [`NONE`].
    slot: Vec<u32>,
    tables: Vec<GramTable>,
    /// $F_{r_a r_b}(1)$ of each table, as `f64` (inside $[2^{-1000}, 2^{1000}]$).
    scale: Vec<f64>,
    /// Of each table: the largest measured $|F_{r r'}(\cos\theta) - F_{r_a r_b}(\cos\theta)|
    /// / F_{r_a r_b}(1)$ over the member norms $r$, $r'$ of its classes ([`member_deviation`]).
    deviation: Vec<f64>,
}

/// Norms within this relative distance ($16\cdot2^{-52}$) of a class's representative (its most
/// frequent norm) join the class and use the representative's tables.
pub const MERGE_RELATIVE: f64 = 16.0 * f64::EPSILON;
/// Largest accepted deviation of a member pair's kernel from the representatives' (relative to
/// $F_{r_a r_b}(1)$, at the [`MERGE_CHECKS`] angles); beyond, that class pair uses the exact
/// path.
pub const MERGE_TOLERANCE: f64 = 2e-15;
/// The member-pair check compares at the angles $\theta = \pi k/12$, $k = 0, \dots, 12$.
pub const MERGE_CHECKS: usize = 13;

/// $\max |F_{r r'}(\cos\theta_k) - F_{r_a r_b}(\cos\theta_k)| / |F_{r_a r_b}(1)|$ over the
/// members $r$ of class `a`, $r'$ of class `b` (the representatives first in each list) and
/// the [`MERGE_CHECKS`] angles, by the exact recursion; `None` if an evaluation fails. The
/// members differ from the representative by a few ulps, so this is of the order of
/// $2^{-52}$ times $|\partial\log F/\partial\log r|$.
fn member_deviation(kernel: &SphereKernel, a: &[u64], b: &[u64], scale: f64) -> Option<f64> {
    if a.len() == 1 && b.len() == 1 {
        return Some(0.0);
    }
    let at = |theta: f64, ra: u64, rb: u64| -> Option<f64> {
        let c = DoubleDouble::cos_angle(theta);
        let s = kernel.scaled_at_cos(c, Some((f64::from_bits(ra), f64::from_bits(rb))));
        scaled_to_f64(s.mantissa.to_f64(), s.exp2).ok()
    };
    let mut worst = 0.0_f64;
    for k in 0..MERGE_CHECKS {
        let theta = std::f64::consts::PI * k as f64 / (MERGE_CHECKS - 1) as f64;
        let reference = at(theta, a[0], b[0])?;
        for &ra in a {
            for &rb in b {
                if (ra, rb) != (a[0], b[0]) {
                    worst = worst.max((at(theta, ra, rb)? - reference).abs() / scale.abs());
                }
            }
        }
    }
    Some(worst)
}

/// Occurrences of each norm (by bits) among the non-zero, finite norms whose covariance
/// $r^2/d$ fits `f64`.
fn norm_counts(norms: &[f64], dim: usize) -> HashMap<u64, usize> {
    let mut counts = HashMap::new();
    for &r in norms {
        if r > 0.0 && (r * r / dim as f64).is_finite() {
            *counts.entry(r.to_bits()).or_insert(0) += 1;
        }
    }
    counts
}

impl NormTables {
    fn new(kernel: &SphereKernel, x: &Points, y: Option<&Points>) -> Self {
        let d = kernel.dim();
        let nx: Vec<f64> = (0..x.len()).map(|i| norm(x.row(i))).collect();
        let cx = norm_counts(&nx, d);
        let cy = match y {
            Some(y) => {
                let ny: Vec<f64> = (0..y.len()).map(|j| norm(y.row(j))).collect();
                norm_counts(&ny, d)
            }
            None => cx.clone(),
        };
        let count = |c: &HashMap<u64, usize>, b: u64| *c.get(&b).unwrap_or(&0);
        // Norms by decreasing frequency (ties by value, so the choice is deterministic); each
        // joins the first class whose representative is within MERGE_RELATIVE, or starts one.
        let mut all: Vec<(u64, usize)> = cx
            .keys()
            .chain(cy.keys())
            .map(|&b| (b, count(&cx, b) + count(&cy, b)))
            .collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all.dedup_by_key(|e| e.0);
        let mut reps: Vec<f64> = Vec::new();
        let mut members: Vec<Vec<u64>> = Vec::new();
        let mut class_of = HashMap::new();
        for &(bits, _) in &all {
            let r = f64::from_bits(bits);
            let joined = reps
                .iter()
                .position(|&r0| (r - r0).abs() <= MERGE_RELATIVE * r0);
            let class = match joined {
                Some(c) => c,
                None if reps.len() < MAX_NORM_CLASSES => {
                    reps.push(r);
                    members.push(Vec::new());
                    reps.len() - 1
                }
                None => continue,
            };
            members[class].push(bits);
            class_of.insert(bits, class as u32);
        }
        let class_count = |c: &HashMap<u64, usize>, a: usize| -> usize {
            members[a].iter().map(|&b| count(c, b)).sum()
        };
        // Unordered class pairs with enough entries.
        let mut pairs = Vec::new();
        for a in 0..reps.len() {
            for b in a..reps.len() {
                let mut entries = class_count(&cx, a) * class_count(&cy, b);
                if a != b {
                    entries += class_count(&cx, b) * class_count(&cy, a);
                }
                if entries >= MIN_TABLE_PAIRS {
                    pairs.push((a, b));
                }
            }
        }
        // A pair whose table cannot be built or verified, or whose members deviate from the
        // representatives by more than MERGE_TOLERANCE, falls back to the exact path.
        let built: Vec<Option<(GramTable, f64, f64)>> = pairs
            .par_iter()
            .map(|&(a, b)| {
                let table = GramTable::at_radii(kernel, reps[a], reps[b]).ok()?;
                let (m, e) = table.kappa_one();
                let scale = scaled_to_f64(m, e).ok()?;
                if !(SAFE_LO..=SAFE_HI).contains(&scale.abs()) {
                    return None;
                }
                let deviation = member_deviation(kernel, &members[a], &members[b], scale)?;
                (deviation <= MERGE_TOLERANCE).then_some((table, scale, deviation))
            })
            .collect();
        let classes = reps.len();
        let mut slot = vec![NONE; classes * classes];
        let (mut tables, mut scale, mut deviation) = (Vec::new(), Vec::new(), Vec::new());
        for (&(a, b), t) in pairs.iter().zip(built) {
            if let Some((table, s, dev)) = t {
                let k = tables.len() as u32;
                slot[a * classes + b] = k;
                slot[b * classes + a] = k;
                tables.push(table);
                scale.push(s);
                deviation.push(dev);
            }
        }
        Self {
            class_of,
            classes,
            slot,
            tables,
            scale,
            deviation,
        }
    }

    fn class(&self, r: f64) -> u32 {
        *self.class_of.get(&r.to_bits()).unwrap_or(&NONE)
    }

    fn gram_into(
        &self,
        kernel: &SphereKernel,
        x: &Points,
        y: Option<&Points>,
        out: &mut [f64],
    ) -> Result<(), KernelError> {
        let (_, m) = shapes(x, y, out.len())?;
        let symmetric = y.is_none();
        let yy = y.unwrap_or(x);
        let rows = UnitRows::new(x, y);
        let (nx, ny) = (&rows.nx, &rows.ny);
        let (yh, dim) = (rows.yh(), x.dim());
        let bx: Vec<u32> = nx.iter().map(|&r| self.class(r)).collect();
        let by: Vec<u32> = ny.iter().map(|&r| self.class(r)).collect();
        let (arch, kind) = (kernel.arch(), kernel.kind());
        let b = self.classes;
        let tables = self.tables.len();
        // K(x, x) of the points that may need the bounded path (unclassed norms, or a class
        // without its diagonal table); the tolerance of that path is relative to √(K(x,x)K(y,y)).
        let diagonal = |points: &Points, norms: &[f64], class: &[u32]| -> Vec<f64> {
            (0..points.len())
                .into_par_iter()
                .map(|i| {
                    let a = class[i];
                    if a != NONE {
                        let k = self.slot[a as usize * b + a as usize];
                        if k != NONE {
                            return self.scale[k as usize];
                        }
                    }
                    let (p, r) = (points.row(i), norms[i]);
                    pair_exact(arch, kind, p, r, p, r).unwrap_or(f64::NAN)
                })
                .collect()
        };
        let dx = diagonal(x, nx, &bx);
        let dy = if symmetric {
            dx.clone()
        } else {
            diagonal(yy, ny, &by)
        };
        let entries = |i: usize, row: &mut [f64]| -> Result<(), KernelError> {
            let start = if symmetric { i } else { 0 };
            let (a, xi, nxi) = (bx[i], x.row(i), nx[i]);
            // Pass 1: the diagonal and the angle-path entries now; the entries without a table
            // are collected for pass 2; the others (|c| ≤ τ) are counted per table and
            // evaluated in pass 3, eight at a time with one table.
            let mut slot_of = vec![NONE; m - start];
            let mut pending = Vec::new();
            let mut count = vec![0usize; tables + 1];
            for (j, v) in row.iter_mut().enumerate().skip(start) {
                let c = by[j];
                let k = if a == NONE || c == NONE {
                    NONE
                } else {
                    self.slot[a as usize * b + c as usize]
                };
                if k == NONE {
                    if symmetric && j == i && dx[i].is_finite() {
                        *v = dx[i];
                    } else {
                        pending.push(j);
                    }
                } else if v.abs() > T_SWITCH {
                    let table = &self.tables[k as usize];
                    let g = if symmetric && j == i {
                        1.0
                    } else {
                        table.normalized_angle(angle_between(xi, nxi, yy.row(j), ny[j]))
                    };
                    *v = g * self.scale[k as usize];
                } else {
                    slot_of[j - start] = k;
                    count[k as usize + 1] += 1;
                }
            }
            // Pass 2: the entries without a table, LANE_COUNT at a time on the bounded path
            // (while it pays), the exact path for the rest.
            let mut bounded = Acceptance::default();
            let xh = &rows.xh[i * dim..(i + 1) * dim];
            for chunk in pending.chunks(LANE_COUNT) {
                let got = if bounded.worth_trying() {
                    let cols: Vec<BoundedColumn<'_>> = chunk
                        .iter()
                        .map(|&j| {
                            let tolerance = BOUNDED_TOLERANCE * (dx[i] * dy[j]).sqrt();
                            BoundedColumn {
                                unit: &yh[j * dim..(j + 1) * dim],
                                ny: ny[j],
                                // (a NaN diagonal accepts nothing)
                                tolerance: if tolerance.is_finite() {
                                    tolerance
                                } else {
                                    -1.0
                                },
                            }
                        })
                        .collect();
                    let got = entries_bounded(arch, kind, xh, nxi, &cols);
                    got[..chunk.len()]
                        .iter()
                        .for_each(|e| bounded.record(e.is_some()));
                    got
                } else {
                    [None; LANE_COUNT]
                };
                for (&j, entry) in chunk.iter().zip(got) {
                    row[j] = match entry {
                        Some(e) => e,
                        None => pair_exact(arch, kind, xi, nxi, yy.row(j), ny[j])?,
                    };
                }
            }
            // Pass 3: the t-table entries grouped by table (a counting sort of the columns).
            for k in 1..=tables {
                count[k] += count[k - 1];
            }
            let mut order = vec![0usize; count[tables]];
            let mut next = count.clone();
            for (jj, &k) in slot_of.iter().enumerate() {
                if k != NONE {
                    order[next[k as usize]] = start + jj;
                    next[k as usize] += 1;
                }
            }
            for k in 0..tables {
                let (table, scale) = (&self.tables[k], self.scale[k]);
                for cols in order[count[k]..count[k + 1]].chunks(LANES) {
                    let mut c = [0.0; LANES];
                    for (l, &j) in cols.iter().enumerate() {
                        c[l] = row[j];
                    }
                    let g = table.eval_t_lanes(&c);
                    for (l, &j) in cols.iter().enumerate() {
                        row[j] = g[l] * scale;
                    }
                }
            }
            Ok(())
        };
        blocked_rows(&rows, x.dim(), m, symmetric, out, &entries)
    }
}

/// The bounded double path's acceptance in one row: it is tried on the first
/// [`Acceptance::PROBE`] entries, and on the rest only while at least half of the tries were
/// accepted (deep networks, whose bounds grow with depth, then lose no time on it).
#[derive(Debug, Default)]
struct Acceptance {
    tried: usize,
    accepted: usize,
}

impl Acceptance {
    const PROBE: usize = 16;
    fn worth_trying(&self) -> bool {
        self.tried < Self::PROBE || 2 * self.accepted >= self.tried
    }
    fn record(&mut self, accepted: bool) {
        self.tried += 1;
        self.accepted += usize::from(accepted);
    }
}

impl GramPlan {
    /// The plan for Gram matrices of `kernel` between the rows of `x` and of `y` (`x` with
    /// itself when `None`): for a homogeneous architecture the table of the sphere kernel; else
    /// the tables of the frequent norm pairs of these points (module docs). The points must have
    /// [`SphereKernel::dim`] coordinates. Errors: those of [`GramTable::new`] (homogeneous
    /// case), [`KernelError::DimensionMismatch`].
    pub fn new(kernel: &SphereKernel, x: &Points, y: Option<&Points>) -> Result<Self, KernelError> {
        kernel.check_points(x, y)?;
        let plan = if kernel.arch().is_homogeneous() {
            Plan::Homogeneous(GramTable::new(kernel)?)
        } else {
            Plan::Norms(NormTables::new(kernel, x, y))
        };
        Ok(Self {
            kernel: kernel.clone(),
            plan,
        })
    }

    /// The kernel.
    pub fn kernel(&self) -> &SphereKernel {
        &self.kernel
    }

    /// Number of interpolation tables built (1 for a homogeneous architecture).
    pub fn table_count(&self) -> usize {
        match &self.plan {
            Plan::Homogeneous(_) => 1,
            Plan::Norms(t) => t.tables.len(),
        }
    }

    /// The bound on the error of a tabulated entry, relative to
    /// $\\|x\\|\\,\\|y\\|\\,\kappa(1)$ (homogeneous; [`GramTable::entry_error_bound`]) or to
    /// $\sqrt{K(x,x)K(y,y)}$ (module docs; the table's bound plus its measured member
    /// deviation): the largest over the tables (the exact entries are correct to about one ulp);
    /// $2^{-52}$ when no table was built.
    pub fn entry_error_bound(&self) -> f64 {
        let d = self.kernel.dim();
        match &self.plan {
            Plan::Homogeneous(t) => t.entry_error_bound(d),
            Plan::Norms(t) => t
                .tables
                .iter()
                .zip(&t.deviation)
                .map(|(t, dev)| t.entry_error_bound(d) + dev)
                .fold(f64::EPSILON, f64::max),
        }
    }

    /// Fills `out` (row-major, `x.len() * y.len()` entries; $K(X, X)$, exactly symmetric, when
    /// `y` is `None`) with the Gram matrix. Any points of the right dimension may be given;
    /// those whose norms were not frequent when the plan was built use the exact path.
    pub fn gram_into(
        &self,
        x: &Points,
        y: Option<&Points>,
        out: &mut [f64],
    ) -> Result<(), KernelError> {
        self.kernel.check_points(x, y)?;
        match &self.plan {
            Plan::Homogeneous(t) => t.gram_into(x, y, out),
            Plan::Norms(t) => t.gram_into(&self.kernel, x, y, out),
        }
    }

    /// The Gram matrix ([`Self::gram_into`] into a new matrix).
    pub fn gram(&self, x: &Points, y: Option<&Points>) -> Result<Matrix, KernelError> {
        let rows = x.len();
        let cols = y.unwrap_or(x).len();
        let mut data = super::gram::gram_buffer(rows, cols)?;
        self.gram_into(x, y, &mut data)?;
        Ok(Matrix { rows, cols, data })
    }
}
