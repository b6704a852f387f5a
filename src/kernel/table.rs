//! Piecewise-polynomial tables of a normalized sphere kernel $g(t) = \kappa(t)/\kappa(1)$ for the
//! fast Gram path, with a proven bound (in $t$) and an a-posteriori verified error.
//!
//! **Layout.** Three tables of piecewise degree-$p$ polynomials ($p$ = [`TABLE_DEGREE`]) on
//! uniform panels:
//! * in $t$ on $[-\tau, \tau]$, $\tau$ = [`T_SWITCH`] (no `acos` needed);
//! * in $\theta$ on $[0, \theta_m]$ and on $[\pi - \theta_m, \pi]$, $\theta_m$ = [`THETA_MAX`]
//!   $> \arccos\tau$, where the angle is computed accurately from the points
//!   ([`super::angle_between`]); $\kappa(\cos\theta)$ is analytic in $\theta$ on $[0,\pi]$
//!   (docs/design.md §3), whereas $\kappa(t)$ has $\sqrt{1\mp t}$ branch points at $t = \pm1$.
//!
//! On each panel $[x_0 - h, x_0 + h]$ the polynomial interpolates $g$ at the $p+1$
//! Chebyshev–Lobatto points $x_0 + h\cos(j\pi/p)$; node values come from the exact
//! double-double evaluation ([`SphereKernel::normalized`], [`SphereKernel::normalized_angle`],
//! correct to about one ulp). It is stored in the monomial basis of the local variable
//! $s = (x - x_0)/h \in [-1, 1]$ and evaluated by Horner's rule.
//!
//! **Proven (table in $t$).** Every kernel of [`crate::arch`] on the sphere is a power series
//! $\kappa(t) = \sum_n b_n t^n$ with $b_n \ge 0$: the ReLU dual maps
//! $\kappa_0(\rho) = \tfrac12 + \arcsin(\rho)/\pi$ and
//! $\kappa_1(\rho) = (\sqrt{1-\rho^2} + \rho(\tfrac\pi2 + \arcsin\rho))/\pi$ have non-negative
//! Taylor coefficients (Daniely, Frostig & Singer 2016, §8), the diagonal of every layer is
//! constant on the sphere, and the recursions only add, multiply and compose such series.
//! Hence $|g(z)| \le g(1) = 1$ on the closed unit disk. The Bernstein ellipse $E_\rho$ of a panel
//! lies in that disk when $|x_0| + h(\rho+\rho^{-1})/2 \le 1$, and Chebyshev interpolation of
//! degree $p$ then errs by at most $4\rho^{-p}/(\rho-1)$ on the panel (Trefethen, *Approximation
//! Theory and Approximation Practice*, Thm. 8.2). The panel count in $t$ and, per panel, the
//! smallest degree $p_k \in [4, p]$ are chosen a priori so that this bound,
//! [`GramTable::t_error_bound`], is below [`TABLE_TARGET`]/4 (inner panels, far from the branch
//! points $\pm1$, need fewer nodes; unused coefficients are zero). The bound is for
//! exact arithmetic on exact node values; the rounding of node values (≈ 1 ulp, amplified by the
//! Lebesgue constant $< 3$ for $p = 12$), of the monomial conversion and of Horner's rule is not
//! bounded rigorously but is covered by the verification below.
//!
//! **Estimated (tables in $\theta$).** No rigorous bound on the analytic continuation in
//! $\theta$ is available here, so the panel count is doubled until, on every panel, the two
//! trailing Chebyshev coefficients and the interpolation error at the $p$ Chebyshev points of the
//! first kind (half-way between the nodes) are below [`TABLE_TARGET`].
//!
//! **Verified (all tables).** After construction, every table (as stored and evaluated, in
//! floating point) is compared with the exact evaluation at [`VERIFY_PER_PANEL`] further points
//! per panel (offsets from the golden-ratio sequence, independent of the nodes and of the
//! construction checks). The maximum is [`GramTable::max_error`]; construction fails with
//! [`KernelError::TableAccuracy`] if it exceeds [`TABLE_TARGET`] (never observed). This is a
//! measurement on a dense grid, not a proof between the grid points.

use std::f64::consts::PI;

use rayon::prelude::*;

use super::SphereKernel;
use crate::error::KernelError;
use crate::scalar::{DoubleDouble, KernelScalar};

/// Polynomial degree $p$ on each panel.
pub const TABLE_DEGREE: usize = 12;
/// The $t$-table covers $|t| \le \tau$; beyond, the angle is computed from the points.
pub const T_SWITCH: f64 = 0.9;
/// The $\theta$-tables cover $[0, \theta_m]$ and $[\pi-\theta_m, \pi]$, $\theta_m = 0.5 >
/// \arccos(0.9) \approx 0.451$ (margin for rounded inner products near $\pm\tau$).
pub const THETA_MAX: f64 = 0.5;
/// Target (and accepted maximum) of the table error in $g = \kappa/\kappa(1)$, i.e. relative to
/// $\kappa(1)$.
pub const TABLE_TARGET: f64 = 4e-15;
/// Independent verification points per panel.
pub const VERIFY_PER_PANEL: usize = 3;
/// Panel-count limit of the adaptive $\theta$-tables ($2^{12}$ panels).
const MAX_THETA_PANELS: usize = 1 << 12;

const NP: usize = TABLE_DEGREE + 1;

/// Uniform panels on `[lo, lo + n·w]`, one local monomial polynomial each.
#[derive(Debug, Clone)]
pub(crate) struct Panels {
    lo: f64,
    /// Panels per unit length, $1/w$.
    scale: f64,
    n: usize,
    /// `n * NP` monomial coefficients in $s \in [-1,1]$, lowest degree first.
    coefs: Vec<f64>,
}

impl Panels {
    /// The interpolant at `x` (clamped to the first/last panel outside the range).
    #[inline(always)]
    pub(crate) fn eval(&self, x: f64) -> f64 {
        let u = (x - self.lo) * self.scale;
        // `as usize` saturates: negative u goes to panel 0.
        let k = (u as usize).min(self.n - 1);
        let s = 2.0 * (u - k as f64) - 1.0;
        let c: &[f64; NP] = self.coefs[k * NP..(k + 1) * NP]
            .try_into()
            .expect("panel slice");
        let mut acc = c[NP - 1];
        for &ci in c[..NP - 1].iter().rev() {
            acc = acc * s + ci;
        }
        acc
    }

    /// [`Panels::eval`] at `L` points at once (the same operations in the same order, so the
    /// same results), interleaved for instruction-level parallelism.
    #[inline(always)]
    pub(crate) fn eval_lanes<const L: usize>(&self, x: &[f64; L]) -> [f64; L] {
        let mut s = [0.0; L];
        let mut cs: [&[f64; NP]; L] = [&[0.0; NP]; L];
        for l in 0..L {
            let u = (x[l] - self.lo) * self.scale;
            let k = (u as usize).min(self.n - 1);
            s[l] = 2.0 * (u - k as f64) - 1.0;
            cs[l] = self.coefs[k * NP..(k + 1) * NP]
                .try_into()
                .expect("panel slice");
        }
        let mut acc = [0.0; L];
        for l in 0..L {
            acc[l] = cs[l][NP - 1];
        }
        for i in (0..NP - 1).rev() {
            for l in 0..L {
                acc[l] = acc[l] * s[l] + cs[l][i];
            }
        }
        acc
    }

    /// The derivative $dP/dx$ at the outer end of panel `k` (0: left end, `n-1`: right end).
    fn slope(&self, k: usize) -> f64 {
        let c = &self.coefs[k * NP..(k + 1) * NP];
        let s: f64 = if k == 0 { -1.0 } else { 1.0 };
        let mut acc = 0.0;
        for i in (1..NP).rev() {
            acc = acc * s + i as f64 * c[i];
        }
        2.0 * self.scale * acc
    }

    fn width(&self) -> f64 {
        1.0 / self.scale
    }
}

/// Monomial coefficients of $T_0, \dots, T_p$: `t[m][i]` is the coefficient of $s^i$ in $T_m$.
fn chebyshev_monomials() -> [[f64; NP]; NP] {
    let mut t = [[0.0; NP]; NP];
    t[0][0] = 1.0;
    if NP > 1 {
        t[1][1] = 1.0;
    }
    for m in 1..NP - 1 {
        for i in 0..NP {
            let up = if i > 0 { 2.0 * t[m][i - 1] } else { 0.0 };
            t[m + 1][i] = up - t[m - 1][i];
        }
    }
    t
}

/// One panel built: monomial coefficients and the construction-time error estimate.
struct BuiltPanel {
    coefs: [f64; NP],
    estimate: f64,
}

/// Builds the interpolant on $[a, b]$ from the exact function `f`.
fn build_panel(
    a: f64,
    b: f64,
    f: &(dyn Fn(f64) -> Result<f64, KernelError> + Sync),
    tm: &[[f64; NP]; NP],
    check: bool,
    p: usize,
) -> Result<BuiltPanel, KernelError> {
    let mid = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let at = |s: f64| (mid + h * s).clamp(a, b);
    let mut v = [0.0; NP];
    for (j, vj) in v.iter_mut().enumerate().take(p + 1) {
        // Exact endpoints, so neighbouring panels share node values.
        let x = match j {
            0 => b,
            _ if j == p => a,
            _ => at((j as f64 * PI / p as f64).cos()),
        };
        *vj = f(x)?;
    }
    // Chebyshev coefficients by the DCT-I of the Lobatto values.
    let mut cheb = [0.0; NP];
    for (m, cm) in cheb.iter_mut().enumerate().take(p + 1) {
        let mut sum = 0.0;
        for (j, vj) in v.iter().enumerate().take(p + 1) {
            let w = if j == 0 || j == p { 0.5 } else { 1.0 };
            sum += w * vj * ((j * m) as f64 * PI / p as f64).cos();
        }
        let scale = if m == 0 || m == p { 1.0 } else { 2.0 };
        *cm = scale * sum / p as f64;
    }
    let mut coefs = [0.0; NP];
    for (m, cm) in cheb.iter().enumerate() {
        for (i, ci) in coefs.iter_mut().enumerate() {
            *ci += cm * tm[m][i];
        }
    }
    let mut estimate = cheb[p].abs() + cheb[p - 1].abs();
    if check {
        let horner = |s: f64| {
            let mut acc = coefs[NP - 1];
            for &ci in coefs[..NP - 1].iter().rev() {
                acc = acc * s + ci;
            }
            acc
        };
        for j in 0..p {
            let s = ((j as f64 + 0.5) * PI / p as f64).cos();
            let err = (horner(s) - f(at(s))?).abs();
            estimate = estimate.max(err);
        }
    }
    Ok(BuiltPanel { coefs, estimate })
}

/// Builds `n` uniform panels on `[lo, hi]` (in parallel), panel `k` of degree `degree(k)`
/// $\le p$; returns them with the largest construction estimate.
fn build_panels(
    lo: f64,
    hi: f64,
    n: usize,
    f: &(dyn Fn(f64) -> Result<f64, KernelError> + Sync),
    check: bool,
    degree: &(dyn Fn(usize) -> usize + Sync),
) -> Result<(Panels, f64), KernelError> {
    let tm = chebyshev_monomials();
    let w = (hi - lo) / n as f64;
    let built: Vec<BuiltPanel> = (0..n)
        .into_par_iter()
        .map(|k| {
            let a = lo + k as f64 * w;
            let b = if k + 1 == n {
                hi
            } else {
                lo + (k + 1) as f64 * w
            };
            build_panel(a, b, f, &tm, check, degree(k))
        })
        .collect::<Result<_, _>>()?;
    let estimate = built.iter().fold(0.0_f64, |m, p| m.max(p.estimate));
    let mut coefs = Vec::with_capacity(n * NP);
    for p in &built {
        coefs.extend_from_slice(&p.coefs);
    }
    Ok((
        Panels {
            lo,
            scale: n as f64 / (hi - lo),
            n,
            coefs,
        },
        estimate,
    ))
}

/// Maximum of $|P(x) - f(x)|$ over [`VERIFY_PER_PANEL`] golden-ratio points per panel.
fn verify(
    panels: &Panels,
    f: &(dyn Fn(f64) -> Result<f64, KernelError> + Sync),
) -> Result<f64, KernelError> {
    const GOLDEN: f64 = 0.618_033_988_749_894_8;
    let w = panels.width();
    (0..panels.n)
        .into_par_iter()
        .map(|k| {
            let mut e = 0.0_f64;
            for i in 0..VERIFY_PER_PANEL {
                let frac = ((i + 1) as f64 * GOLDEN + 0.5 * (k % 7) as f64 / 7.0).fract();
                let x = panels.lo + (k as f64 + frac) * w;
                e = e.max((panels.eval(x) - f(x)?).abs());
            }
            Ok(e)
        })
        .try_reduce(|| 0.0, |a, b| Ok(a.max(b)))
}

/// Smallest degree used on a $t$-panel.
const MIN_DEGREE: usize = 4;

/// The a-priori bound $4\rho^{-p}/(\rho - 1)$ on panel `k` of `n` uniform panels on
/// $[-\tau,\tau]$ at degree $p$, $\rho = r + \sqrt{r^2 - 1}$, $r = (1 - |x_k|)/h$ (module docs).
fn panel_bound(n: usize, k: usize, p: usize) -> f64 {
    let h = T_SWITCH / n as f64;
    let x0 = -T_SWITCH + (2 * k + 1) as f64 * h;
    let r = (1.0 - x0.abs()) / h;
    let rho = r + (r * r - 1.0).sqrt();
    4.0 * rho.powi(-(p as i32)) / (rho - 1.0)
}

/// The degree of $t$-panel `k`: the smallest $p \in$ [`MIN_DEGREE`]..=[`TABLE_DEGREE`] whose
/// bound is below `TABLE_TARGET / 4` (else [`TABLE_DEGREE`]).
fn t_degree(n: usize, k: usize) -> usize {
    (MIN_DEGREE..=TABLE_DEGREE)
        .find(|&p| panel_bound(n, k, p) <= TABLE_TARGET / 4.0)
        .unwrap_or(TABLE_DEGREE)
}

/// The proven $t$-table bound: the maximum over panels of [`panel_bound`] at [`t_degree`].
fn t_bound(n: usize) -> f64 {
    (0..n)
        .map(|k| panel_bound(n, k, t_degree(n, k)))
        .fold(0.0, f64::max)
}

/// Tables of the normalized kernel $g(t) = \kappa(t)/\kappa(1)$ of one [`SphereKernel`], for
/// the fast Gram path ([`GramTable::gram_into`]); see the module documentation of
/// `kernel::table` for the construction and the error statements.
///
/// ```
/// use ntk_sphere::{KernelKind, ResNet, SphereKernel};
/// use ntk_sphere::kernel::GramTable;
/// let k = SphereKernel::new(ResNet::new(10, 0.1, 1.0, 1.0).unwrap(), KernelKind::Ntk, 16).unwrap();
/// let table = GramTable::new(&k).unwrap();
/// assert!(table.max_error() <= 4e-15);
/// let exact = k.normalized(0.3).unwrap();
/// assert!((table.normalized(0.3) - exact).abs() <= 4e-15);
/// ```
#[derive(Debug, Clone)]
pub struct GramTable {
    kernel: SphereKernel,
    /// $\kappa(1) = $ `kappa_one.0` $\cdot 2^{\texttt{kappa\_one.1}}$, `.0` in $[0.5, 1)$.
    kappa_one: (f64, i64),
    t: Panels,
    near_zero: Panels,
    near_pi: Panels,
    t_bound: f64,
    slope: f64,
    estimate: f64,
    verified: f64,
}

impl GramTable {
    /// Builds and verifies the tables of `kernel` (cost: about $10^3$ exact evaluations, a few
    /// milliseconds at depth 10 on two cores).
    ///
    /// Errors: [`KernelError::ZeroNormalization`] if $\kappa(1) = 0$,
    /// [`KernelError::TableAccuracy`] if the verified error exceeds [`TABLE_TARGET`].
    pub fn new(kernel: &SphereKernel) -> Result<Self, KernelError> {
        Self::build(kernel, None)
    }

    /// The tables of $F(t) = K(x, y)$ for inputs of norms $\\|x\\| = r_x$, $\\|y\\| = r_y$ at
    /// $\langle \hat x, \hat y\rangle = t$ (normalized by $F(1)$, reported by
    /// [`Self::kappa_one`]): the same construction and verification as [`Self::new`]. With
    /// biases $F$ is again a power series in $t$ with non-negative coefficients for the ReLU
    /// family (the input covariance $\sigma_w^2 r_x r_y t/d + \sigma_b^2$ is one), and
    /// $|F(t)| \le F(1) \le \sqrt{K(x,x)K(y,y)}$ (Cauchy–Schwarz), so errors relative to
    /// $F(1)$ bound those relative to the diagonal.
    pub(crate) fn at_radii(kernel: &SphereKernel, rx: f64, ry: f64) -> Result<Self, KernelError> {
        Self::build(kernel, Some((rx, ry)))
    }

    fn build(kernel: &SphereKernel, radii: Option<(f64, f64)>) -> Result<Self, KernelError> {
        let kernel = kernel.clone();
        let at = |c: DoubleDouble| kernel.scaled_at_cos(c, radii);
        let one = at(DoubleDouble::from(1.0));
        let m1 = one.mantissa.to_f64();
        super::check_normalizer(m1, false)?;
        let (mk, ek) = super::gram::frexp(m1);
        let kappa_one = (mk, ek + one.exp2);

        let ft = |t: f64| {
            let t = super::inner_product(t)?;
            kernel.ratio(at(DoubleDouble::from(t)), one.clone())
        };
        let fa = |th: f64| {
            let c = DoubleDouble::cos_angle(th.clamp(0.0, PI));
            kernel.ratio(at(c), one.clone())
        };

        // Table in t: panel count from the a-priori bound.
        let mut nt = 8;
        while t_bound(nt) > TABLE_TARGET / 4.0 {
            nt *= 2;
        }
        let (t, _) = build_panels(-T_SWITCH, T_SWITCH, nt, &ft, false, &|k| t_degree(nt, k))?;
        let t_err = verify(&t, &ft)?;

        // Tables in θ: adaptive doubling.
        let adaptive = |lo: f64, hi: f64| -> Result<(Panels, f64), KernelError> {
            let mut n = 4;
            loop {
                let (p, est) = build_panels(lo, hi, n, &fa, true, &|_| TABLE_DEGREE)?;
                if est <= TABLE_TARGET / 2.0 || n >= MAX_THETA_PANELS {
                    return Ok((p, est));
                }
                n *= 2;
            }
        };
        let (near_zero, e0) = adaptive(0.0, THETA_MAX)?;
        let (near_pi, e1) = adaptive(PI - THETA_MAX, PI)?;
        let v0 = verify(&near_zero, &fa)?;
        let v1 = verify(&near_pi, &fa)?;
        let verified = t_err.max(v0).max(v1);
        if verified > TABLE_TARGET {
            return Err(KernelError::TableAccuracy {
                error: verified,
                target: TABLE_TARGET,
            });
        }
        let slope = t.slope(0).abs().max(t.slope(t.n - 1).abs());
        Ok(Self {
            kernel,
            kappa_one,
            slope,
            t_bound: t_bound(nt),
            t,
            near_zero,
            near_pi,
            estimate: e0.max(e1),
            verified,
        })
    }

    /// The kernel tabulated.
    pub fn kernel(&self) -> &SphereKernel {
        &self.kernel
    }

    /// $\kappa(1) = m\cdot 2^e$ as $(m, e)$, $m \in [0.5, 1)$ (never overflows).
    pub fn kappa_one(&self) -> (f64, i64) {
        self.kappa_one
    }

    /// The tabulated $g(t) = \kappa(t)/\kappa(1)$ for $|t| \le \tau$ ([`T_SWITCH`]); for
    /// $|t| > \tau$ it falls back to [`GramTable::normalized_angle`] at $\arccos t$ (whose
    /// rounding error in $\theta$ is then yours; prefer the angle form near $\pm1$).
    pub fn normalized(&self, t: f64) -> f64 {
        if t.abs() <= T_SWITCH {
            self.t.eval(t)
        } else {
            self.normalized_angle(t.clamp(-1.0, 1.0).acos())
        }
    }

    /// The tabulated $g(\cos\theta)$ for $\theta \in [0, \pi]$.
    #[inline]
    pub fn normalized_angle(&self, theta: f64) -> f64 {
        if theta <= THETA_MAX {
            self.near_zero.eval(theta)
        } else if theta >= PI - THETA_MAX {
            self.near_pi.eval(theta)
        } else {
            self.t.eval(theta.cos())
        }
    }

    /// The t-table evaluated directly (caller guarantees $|t| \le \tau$).
    #[inline(always)]
    pub(crate) fn eval_t_inner(&self, t: f64) -> f64 {
        self.t.eval(t)
    }

    /// The t-table at `L` points at once (caller guarantees $|t| \le \tau$).
    #[inline(always)]
    pub(crate) fn eval_t_lanes<const L: usize>(&self, t: &[f64; L]) -> [f64; L] {
        self.t.eval_lanes(t)
    }

    /// The verified maximum error $\max |g_{\text{table}} - g_{\text{exact}}|$ over the
    /// independent check grid of all three tables (relative to $\kappa(1)$).
    pub fn max_error(&self) -> f64 {
        self.verified
    }

    /// The proven bound (exact arithmetic, exact nodes) of the $t$-table error relative to
    /// $\kappa(1)$: $4\rho^{-p}/(\rho-1)$ on the worst panel.
    pub fn t_error_bound(&self) -> f64 {
        self.t_bound
    }

    /// $\max_{|t|\le\tau} |g'(t)| = g'(\tau)$ (as $g$ has non-negative Taylor coefficients,
    /// $|g'(t)| \le g'(|t|)$ and $g'$ increases), taken from the table's derivative at $\pm\tau$.
    pub fn max_slope(&self) -> f64 {
        self.slope
    }

    /// The error bound of a fast Gram entry for points of $\mathbb R^D$, relative to
    /// $\\|x\\|\\,\\|y\\|\\,\kappa(1)$:
    /// $$\epsilon_{\text{table}} + 1.01\\,g'(\tau)\\,(D+4)\\,u + 8u,\qquad u = 2^{-53},$$
    /// with $\epsilon_{\text{table}}$ = [`GramTable::max_error`]. The middle term bounds the effect
    /// of the rounding of $c = \langle\hat x,\hat y\rangle$ (normalization: $2u$ per vector;
    /// dot product: $\gamma_D\\|\hat x\\|\\|\hat y\\|$, Higham, *Accuracy and Stability of Numerical
    /// Algorithms*, §3.1) on the $t$-table path; the angle path has the few-ulp angle error of
    /// [`super::angle_between`], shared with the exact path. The last term covers the final
    /// products. Valid up to the verification caveat of [`GramTable::max_error`].
    pub fn entry_error_bound(&self, dim: usize) -> f64 {
        let u = f64::EPSILON / 2.0;
        self.verified + 1.01 * self.slope * (dim as f64 + 4.0) * u + 8.0 * u
    }

    /// The construction-time estimate for the $\theta$-tables (trailing Chebyshev coefficients
    /// and mid-node checks, relative to $\kappa(1)$).
    pub fn theta_error_estimate(&self) -> f64 {
        self.estimate
    }

    /// Panel counts of the tables: $(t, \theta \approx 0, \theta \approx \pi)$.
    pub fn panel_counts(&self) -> (usize, usize, usize) {
        (self.t.n, self.near_zero.n, self.near_pi.n)
    }
}
