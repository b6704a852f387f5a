//! Gaussian expectations of user functions (draft; documentation below is filled in later).

use std::sync::OnceLock;

use crate::gegenbauer::gauss_legendre;

/// $1/\sqrt{2\pi}$.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Default truncation $T$ of each standard-normal variable to $[-T, T]$.
pub const DEFAULT_TRUNCATION: f64 = 12.0;
/// Width $W$ of the panels of the base grid, in standard deviations.
pub const PANEL_WIDTH: f64 = 3.0;
/// Gauss–Legendre order of a panel whose nearest point to $0$ is at distance $r$:
/// `PANEL_ORDERS[min(floor(r / W), 4)]`.
pub const PANEL_ORDERS: [usize; 5] = [16, 14, 11, 8, 6];
/// Default feature scale $\ell$ (in the functions' own variable).
pub const DEFAULT_FEATURE_SCALE: f64 = 1.0;
/// Default layer ratio: boundary layers of width $s/|\rho|$ are resolved when $s < r|\rho|$.
pub const DEFAULT_LAYER_RATIO: f64 = 1.0;

/// Below this conditional standard deviation $s=\sqrt{1-\rho^2}$ the pair is treated as exactly
/// degenerate ($v = (c/\sigma_x)\\,u/\sigma_x$); the error of doing so is $O(s)$ relative.
const MIN_GAP: f64 = 1e-17;

/// Tunable parameters of [`GaussianQuadrature`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadratureOptions {
    /// Each standard-normal variable is integrated over $[-T, T]$.
    pub truncation: f64,
    /// Feature scale $\ell$: between kinks, $f$ and $g$ are assumed analytic at scale $\ell$
    /// around the centres $\{0\}\cup$ kinks (and at scale proportional to the distance from them
    /// farther out). `f64::INFINITY` switches the graded refinement off.
    pub feature_scale: f64,
    /// Boundary layers of the inner integral are resolved when $s < r\\,|\rho|$.
    pub layer_ratio: f64,
    /// Refinement factor $\kappa$: a panel at distance $d$ from a centre of scale $\lambda$ has
    /// width at most $\kappa\max(\lambda, d)$.
    pub refinement: f64,
}

impl Default for QuadratureOptions {
    fn default() -> Self {
        Self {
            truncation: DEFAULT_TRUNCATION,
            feature_scale: DEFAULT_FEATURE_SCALE,
            layer_ratio: DEFAULT_LAYER_RATIO,
            refinement: 2.0,
        }
    }
}

/// A Gauss–Legendre rule on $[-1, 1]$.
#[derive(Debug, Clone, Default)]
struct Legendre {
    x: Vec<f64>,
    w: Vec<f64>,
}

/// A reusable rule for Gaussian expectations: the Gauss–Legendre rules of the orders in
/// [`PANEL_ORDERS`] and the standard-normal weights of the fixed base grid, computed once.
#[derive(Debug, Clone)]
pub struct GaussianQuadrature {
    options: QuadratureOptions,
    /// `rules[n]`: the $n$-point Gauss–Legendre rule (empty for unused orders).
    rules: Vec<Legendre>,
    /// Base grid $-T = e_0 < \dots < e_m = T$.
    edges: Vec<f64>,
    /// Offset of each base panel's nodes in `base_nodes` (length $m+1$).
    offsets: Vec<usize>,
    /// Nodes of the base panels, panel after panel.
    base_nodes: Vec<f64>,
    /// Weights $\tfrac{h}{2} w_k \varphi(z_k)$ of the base panels.
    base_weights: Vec<f64>,
}

/// $\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}$.
#[inline]
fn phi(z: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * z * z).exp()
}

/// $q_x q_y - c^2$ with one rounding error relative to the result (products split exactly by
/// fused multiply–add), clamped at zero.
fn covariance_determinant(qx: f64, qy: f64, c: f64) -> f64 {
    let p = qx * qy;
    let ep = qx.mul_add(qy, -p);
    let c2 = c * c;
    let ec = c.mul_add(c, -c2);
    (p - c2) + (ep - ec)
}

/// A feature centre in a standard variable: position $z$ and scale $\lambda$.
#[derive(Debug, Clone, Copy)]
struct Centre {
    z: f64,
    lambda: f64,
}

/// Sorted, deduplicated centres $\{0\}\cup$ kinks.
fn centres(kinks: &[f64]) -> Vec<f64> {
    let mut c: Vec<f64> = kinks.to_vec();
    c.push(0.0);
    c.sort_by(f64::total_cmp);
    c.dedup();
    c
}

/// Gauss–Legendre order for the panel $[a, b]$ (from its distance to $0$).
#[inline]
fn panel_order(a: f64, b: f64) -> usize {
    let r = if a < 0.0 && b > 0.0 {
        0.0
    } else {
        a.abs().min(b.abs())
    };
    PANEL_ORDERS[((r / PANEL_WIDTH) as usize).min(PANEL_ORDERS.len() - 1)]
}

impl GaussianQuadrature {
    /// Builds the rule.
    ///
    /// # Panics
    /// If `truncation` is not positive and finite, `feature_scale` is not positive, or
    /// `layer_ratio` is negative.
    pub fn new(options: QuadratureOptions) -> Self {
        let QuadratureOptions {
            truncation: t,
            feature_scale,
            layer_ratio,
            ..
        } = options;
        assert!(t.is_finite() && t > 0.0, "truncation must be positive");
        assert!(feature_scale > 0.0, "feature scale must be positive");
        assert!(layer_ratio >= 0.0, "layer ratio must be non-negative");
        let max_order = *PANEL_ORDERS.iter().max().unwrap_or(&1);
        let mut rules = vec![Legendre::default(); max_order + 1];
        for &n in &PANEL_ORDERS {
            if rules[n].x.is_empty() {
                let r = gauss_legendre(n).expect("Gauss–Legendre order in range");
                rules[n] = Legendre {
                    x: r.nodes().to_vec(),
                    w: r.weights().to_vec(),
                };
            }
        }
        // panels of width W from 0 outwards, the last one on each side shorter
        let mut half = vec![0.0];
        while *half.last().unwrap_or(&t) < t {
            let e = half[half.len() - 1] + PANEL_WIDTH;
            half.push(if e > t - 1e-12 * t { t } else { e });
        }
        let mut edges: Vec<f64> = half.iter().rev().map(|&e| -e).collect();
        edges.extend_from_slice(&half[1..]);
        let mut offsets = vec![0];
        let mut base_nodes = Vec::new();
        let mut base_weights = Vec::new();
        for p in edges.windows(2) {
            let n = panel_order(p[0], p[1]);
            let h = 0.5 * (p[1] - p[0]);
            let mid = 0.5 * (p[1] + p[0]);
            for (&xk, &wk) in rules[n].x.iter().zip(&rules[n].w) {
                let z = mid + h * xk;
                base_nodes.push(z);
                base_weights.push(h * wk * phi(z));
            }
            offsets.push(base_nodes.len());
        }
        Self {
            options,
            rules,
            edges,
            offsets,
            base_nodes,
            base_weights,
        }
    }

    /// The rule with [`QuadratureOptions::default`], built once per process.
    pub fn standard() -> &'static Self {
        static RULE: OnceLock<GaussianQuadrature> = OnceLock::new();
        RULE.get_or_init(|| Self::new(QuadratureOptions::default()))
    }

    /// The options the rule was built with.
    pub fn options(&self) -> &QuadratureOptions {
        &self.options
    }

    /// $\int_a^b \varphi(z) F(z)\\,dz$ by one Gauss–Legendre panel of order $n$.
    #[inline]
    fn panel(&self, n: usize, a: f64, b: f64, f: &mut impl FnMut(f64) -> f64) -> f64 {
        let h = 0.5 * (b - a);
        let mid = 0.5 * (a + b);
        let rule = &self.rules[n];
        let mut acc = 0.0;
        for (&xk, &wk) in rule.x.iter().zip(&rule.w) {
            let z = mid + h * xk;
            acc += wk * phi(z) * f(z);
        }
        h * acc
    }

    /// Largest admissible width of a panel at distance `dist` from a centre of scale `lambda`.
    #[inline]
    fn admissible(&self, lambda: f64, dist: f64) -> f64 {
        self.options.refinement * lambda.max(dist)
    }

    /// Pushes the centres $z_c = (c - \text{shift})\\,\mu$ with scale $\lambda$ that can force a
    /// base panel to be refined (those with $\kappa\lambda < W$ and $|z_c| < T + W/\kappa$).
    fn push_centres(
        &self,
        out: &mut Vec<Centre>,
        centres: &[f64],
        mul: f64,
        shift: f64,
        lambda: f64,
    ) {
        let kappa = self.options.refinement;
        if !(kappa * lambda < PANEL_WIDTH) {
            return;
        }
        let reach = self.options.truncation + PANEL_WIDTH / kappa;
        for &c in centres {
            let z = (c - shift) * mul;
            if z.abs() < reach {
                out.push(Centre { z, lambda });
            }
        }
    }

    /// Pushes the kinks $z = (k - \text{shift})\\,\mu$ inside $(-T, T)$.
    fn push_kinks(&self, out: &mut Vec<f64>, kinks: &[f64], mul: f64, shift: f64) {
        let t = self.options.truncation;
        for &k in kinks {
            let z = (k - shift) * mul;
            if z.abs() < t {
                out.push(z);
            }
        }
    }

    /// Splits $[a, b]$ by bisection until every piece is admissible for every centre, and
    /// calls `emit` on the pieces, left to right.
    fn refine(
        &self,
        a: f64,
        b: f64,
        centres: &[Centre],
        stack: &mut Vec<(f64, f64)>,
        emit: &mut impl FnMut(f64, f64),
    ) {
        stack.clear();
        stack.push((a, b));
        while let Some((lo, hi)) = stack.pop() {
            let w = hi - lo;
            let fine = centres.iter().all(|c| {
                let dist = if c.z < lo {
                    lo - c.z
                } else if c.z > hi {
                    c.z - hi
                } else {
                    0.0
                };
                w <= self.admissible(c.lambda, dist)
            });
            let mid = 0.5 * (lo + hi);
            if fine || !(mid > lo && mid < hi) {
                emit(lo, hi);
            } else {
                stack.push((mid, hi));
                stack.push((lo, mid));
            }
        }
    }

    /// $\int_{-T}^{T}\varphi(z)F(z)\\,dz$: the base grid, each base panel split at the sorted
    /// `hard` points inside it and refined around `centres`; untouched base panels use the
    /// stored weights.
    fn integrate(
        &self,
        hard: &[f64],
        centres: &[Centre],
        stack: &mut Vec<(f64, f64)>,
        mut f: impl FnMut(f64) -> f64,
    ) -> f64 {
        let kappa = self.options.refinement;
        let mut acc = 0.0;
        let mut k = 0;
        for (j, e) in self.edges.windows(2).enumerate() {
            let (lo, hi) = (e[0], e[1]);
            while k < hard.len() && hard[k] <= lo {
                k += 1;
            }
            let split = k < hard.len() && hard[k] < hi;
            let w = hi - lo;
            let refine = centres.iter().any(|c| {
                let dist = (lo - c.z).max(c.z - hi).max(0.0);
                w > kappa * c.lambda.max(dist)
            });
            if !split && !refine {
                let r = self.offsets[j]..self.offsets[j + 1];
                for (&z, &wt) in self.base_nodes[r.clone()].iter().zip(&self.base_weights[r]) {
                    acc += wt * f(z);
                }
                continue;
            }
            let mut emit = |a: f64, b: f64| acc += self.panel(panel_order(a, b), a, b, &mut f);
            let mut a = lo;
            while k < hard.len() && hard[k] < hi {
                let b = hard[k];
                if b > a {
                    self.refine(a, b, centres, stack, &mut emit);
                }
                a = b;
                k += 1;
            }
            if hi > a {
                self.refine(a, hi, centres, stack, &mut emit);
            }
        }
        acc
    }

    /// $\mathbb E[f(u)g(u)]$ for $u\sim\mathcal N(0,q)$.
    ///
    /// # Panics
    /// If `q` is negative or not finite, or a kink is not finite.
    pub fn univariate(
        &self,
        f: &dyn Fn(f64) -> f64,
        g: &dyn Fn(f64) -> f64,
        kinks: &[f64],
        q: f64,
    ) -> f64 {
        assert!(
            q.is_finite() && q >= 0.0,
            "variance must be finite and >= 0"
        );
        assert!(kinks.iter().all(|k| k.is_finite()), "kinks must be finite");
        if q == 0.0 {
            return f(0.0) * g(0.0);
        }
        let sd = q.sqrt();
        let ell = self.options.feature_scale;
        let cs = centres(kinks);
        let mut hard = Vec::new();
        self.push_kinks(&mut hard, kinks, 1.0 / sd, 0.0);
        hard.sort_by(f64::total_cmp);
        let mut cen = Vec::new();
        self.push_centres(&mut cen, &cs, 1.0 / sd, 0.0, ell / sd);
        self.integrate(&hard, &cen, &mut Vec::new(), |z| {
            let u = sd * z;
            f(u) * g(u)
        })
    }

    /// $\mathbb E[f(u)g(v)]$ for $(u,v)\sim\mathcal N\big(0,\left(\begin{smallmatrix}q_x & c\\\\ c & q_y\end{smallmatrix}\right)\big)$.
    ///
    /// # Panics
    /// If a variance is negative or not finite, $c$ is not finite, $c^2$ exceeds $q_xq_y$ by
    /// more than rounding, or a kink is not finite.
    pub fn bivariate(
        &self,
        f: &dyn Fn(f64) -> f64,
        g: &dyn Fn(f64) -> f64,
        kinks: &[f64],
        qx: f64,
        qy: f64,
        c: f64,
    ) -> f64 {
        assert!(
            qx.is_finite() && qx >= 0.0 && qy.is_finite() && qy >= 0.0,
            "variances must be finite and >= 0"
        );
        assert!(c.is_finite(), "covariance must be finite");
        assert!(kinks.iter().all(|k| k.is_finite()), "kinks must be finite");
        let det = covariance_determinant(qx, qy, c);
        assert!(
            det >= -8.0 * f64::EPSILON * qx * qy,
            "covariance matrix is not positive semi-definite"
        );
        let det = det.max(0.0);
        // zero variances: the variable is identically 0
        if qx == 0.0 && qy == 0.0 {
            return f(0.0) * g(0.0);
        }
        if qx == 0.0 {
            return f(0.0) * self.univariate(&|_| 1.0, g, kinks, qy);
        }
        if qy == 0.0 {
            return g(0.0) * self.univariate(f, &|_| 1.0, kinks, qx);
        }
        // the outer variable is the one with the larger variance
        let (f, g, qx, qy) = if qy > qx {
            (g, f, qy, qx)
        } else {
            (f, g, qx, qy)
        };
        let sx = qx.sqrt();
        let sy = qy.sqrt();
        let ell = self.options.feature_scale;
        let t = self.options.truncation;
        let cs = centres(kinks);
        let s = (det / qx / qy).sqrt();
        let mut stack = Vec::new();
        // outer break points and centres: those of f ...
        let mut hard = Vec::new();
        let mut cen = Vec::new();
        self.push_kinks(&mut hard, kinks, 1.0 / sx, 0.0);
        self.push_centres(&mut cen, &cs, 1.0 / sx, 0.0, ell / sx);
        if s < MIN_GAP {
            // degenerate: v = kappa z with kappa = c / sx, |kappa| = sy
            let kappa = c / sx;
            self.push_kinks(&mut hard, kinks, 1.0 / kappa, 0.0);
            self.push_centres(&mut cen, &cs, 1.0 / kappa, 0.0, ell / sy);
            hard.sort_by(f64::total_cmp);
            return self.integrate(&hard, &cen, &mut stack, |z| f(sx * z) * g(kappa * z));
        }
        let rho = (c / sx / sy).clamp(-1.0, 1.0);
        let inv_sy = 1.0 / sy;
        // g in t-units (v = sy t)
        let kinks_t: Vec<f64> = kinks.iter().map(|&k| k * inv_sy).collect();
        let centres_t: Vec<f64> = cs.iter().map(|&k| k * inv_sy).collect();
        // ... and those of h(z1) = E[g(sy (rho z1 + s z2))]: g's centres at t = rho z1, on the
        // scale max(l, sy s) (g smoothed over sy s), and the boundary layers of width s/|rho|
        // around g's kinks, resolved by the images of the base grid
        if rho != 0.0 {
            self.push_centres(
                &mut cen,
                &centres_t,
                1.0 / rho,
                0.0,
                ell.max(sy * s) / (sy * rho.abs()),
            );
            if s < self.options.layer_ratio * rho.abs() {
                for &b in &kinks_t {
                    for &e in &self.edges {
                        let z = (b - s * e) / rho;
                        if z.abs() < t {
                            hard.push(z);
                        }
                    }
                }
            }
        }
        hard.sort_by(f64::total_cmp);
        hard.dedup();
        // inner integral h(z1) over z2 on its own scale (w = s z2 in t-units)
        let bsy = sy * s;
        let lambda_in = ell / bsy;
        let inv_s = 1.0 / s;
        let mut ihard: Vec<f64> = Vec::new();
        let mut icen: Vec<Centre> = Vec::new();
        let mut istack = Vec::new();
        let mut inner = |z1: f64| -> f64 {
            let a = rho * z1;
            ihard.clear();
            icen.clear();
            self.push_kinks(&mut ihard, &kinks_t, inv_s, a);
            ihard.sort_by(f64::total_cmp);
            self.push_centres(&mut icen, &centres_t, inv_s, a, lambda_in);
            let asy = sy * a;
            self.integrate(&ihard, &icen, &mut istack, |z| g(asy + bsy * z))
        };
        self.integrate(&hard, &cen, &mut stack, |z1| {
            let fv = f(sx * z1);
            if fv == 0.0 { 0.0 } else { fv * inner(z1) }
        })
    }
}

/// $\mathbb E[f(u)g(v)]$ for $(u, v)\sim\mathcal N\big(0, \left(\begin{smallmatrix}q_x & c\\\\ c & q_y\end{smallmatrix}\right)\big)$,
/// $q_x, q_y\ge 0$, $c^2\le q_xq_y$ (up to rounding), with the standard rule
/// ([`GaussianQuadrature::standard`]).
pub fn bivariate_expectation(
    f: &dyn Fn(f64) -> f64,
    g: &dyn Fn(f64) -> f64,
    kinks: &[f64],
    qx: f64,
    qy: f64,
    c: f64,
) -> f64 {
    GaussianQuadrature::standard().bivariate(f, g, kinks, qx, qy, c)
}

/// $\mathbb E[f(u)g(u)]$ for $u\sim\mathcal N(0, q)$, with the standard rule.
pub fn univariate_expectation(
    f: &dyn Fn(f64) -> f64,
    g: &dyn Fn(f64) -> f64,
    kinks: &[f64],
    q: f64,
) -> f64 {
    GaussianQuadrature::standard().univariate(f, g, kinks, q)
}
