//! Gaussian expectations of user functions with kinks:
//!
//! $$\mathbb E[f(u)\\,g(v)],\qquad (u, v)\sim\mathcal N\Big(0, \begin{pmatrix} q_x & c\\\\ c & q_y\end{pmatrix}\Big),
//!   \qquad\text{and}\qquad \mathbb E[f(u)\\,g(u)],\quad u\sim\mathcal N(0, q),$$
//!
//! accurate to $10^{-12}$ of the scale $\sqrt{\mathbb E[f(u)^2]\\,\mathbb E[g(v)^2]}$ for every
//! covariance, including $c = \pm\sqrt{q_xq_y}$ (exactly or up to $10^{-16}$), $c = 0$, a zero
//! variance and variances $10^{-8}\dots10^{8}$ apart, when $f$ and $g$ are piecewise analytic
//! with the declared kinks (ReLU, step, sign, abs, leaky ReLU, ReLU6, hard tanh, …, and smooth
//! activations such as erf, tanh, GELU, sigmoid, softplus). Product Gauss–Hermite rules (as in
//! neural-tangents) converge only algebraically for such functions; these rules split at the
//! kinks, so they converge exponentially.
//!
//! # Method
//!
//! With $\sigma_x = \sqrt{q_x}$, $\sigma_y = \sqrt{q_y}$, $\rho = c/(\sigma_x\sigma_y)$ and the
//! *gap*
//! $$s = \sqrt{1-\rho^2} = \sqrt{\frac{q_xq_y - c^2}{q_xq_y}}$$
//! (the determinant $q_xq_y - c^2$ is formed with fused multiply–adds, so $s$ has full relative
//! accuracy even when $1-\rho = 10^{-16}$), write $u = \sigma_x z_1$,
//! $v = \sigma_y(\rho z_1 + s z_2)$ with $z_1, z_2$ independent standard normal:
//! $$\mathbb E[f(u)g(v)] = \int\varphi(z_1)\\,f(\sigma_x z_1)\\,h(z_1)\\,dz_1,\qquad
//!   h(z_1) = \int\varphi(z_2)\\,g\big(\sigma_y(\rho z_1 + s z_2)\big)\\,dz_2 .$$
//! The inner variable is $z_2$ itself, i.e. $w = s z_2$ on its own scale: the inner Gaussian is
//! standard however small $s$ is. Both integrals are truncated to $[-T, T]$ ($T = 12$:
//! $P(|Z| > 12) = 3.6\cdot10^{-33}$) and computed by composite Gauss–Legendre rules
//! ([`crate::gegenbauer::gauss_legendre`], built once per process) on a base grid of panels
//! of width $W = 3$ with $16, 14, 11, 8, 6$ nodes by distance from $0$ (each panel integrates
//! $\varphi(z)\\,p(z)$ to $2\cdot10^{-16}$ of the total for $p \in \\{1, z^3, z^6, e^{\pm z},
//! e^{\pm 3z/2}, e^{\pm 2z}, \sin 2z\\}$). The outer and the one-dimensional integrals, whose
//! integrand is a product $f\\,g$ that can be much narrower than $\varphi$ (e.g.
//! $e^{-8\sigma^2z^2}$ for the derivative of $\operatorname{erf}(2x)$ at $\rho = \pm1$), use 20
//! nodes in the two central panels ([`OUTER_PANEL_ORDERS`]): they integrate
//! $\varphi(z)\\,e^{-az^2}$ to $2\cdot10^{-13}$ for $a \le 4$ (16 nodes: $4\cdot10^{-10}$). The
//! base panels carry precomputed weights $w_k\varphi(z_k)$; the panels are split or refined as
//! follows.
//!
//! * **Kinks.** A kink $k$ of $f$ splits the outer grid at $z_1 = k/\sigma_x$; a kink of $g$
//!   splits the inner grid at the moving point $z_2 = (k/\sigma_y - \rho z_1)/s$.
//! * **Boundary layers.** For $z_1$ near $k/(\sigma_y\rho)$ the inner Gaussian window crosses the
//!   kink, so $h$ has a layer of width $s/|\rho|$ there (a near-kink when $s \ll 1$). When
//!   $s < |\rho|$ the outer grid also gets the images $z_1 = (k/\sigma_y - s\\,e_j)/\rho$ of the
//!   base edges $e_j$: the layer is integrated on its own scale. Outside it, $h$ is analytic up
//!   to terms below $e^{-T^2/2}$.
//! * **Feature scale.** $f$ and $g$ are assumed analytic at scale $\ell$ (default $1$) around
//!   the centres $\\{0\\}\cup$ kinks and at a scale proportional to the distance from them farther
//!   out (true of erf, tanh, sigmoid, softplus, GELU, …, whose singularities or Gaussian growth
//!   sit at distance $\gtrsim 1$ from the real axis near $0$). In a standard variable a centre
//!   has scale $\lambda = \ell/\sigma_x$ (for $f$), $\ell/(\sigma_y s)$ (for $g$ in the inner
//!   integral) or $\max(\ell, \sigma_y s)/(\sigma_y|\rho|)$ (for $h$ in the outer integral), and
//!   a panel at distance $d$ from it is bisected until its width is at most
//!   $\kappa\max(\lambda, d)$, $\kappa = 2$. This matters only when a variance is large
//!   ($\sigma\gtrsim 1$), e.g. for $\operatorname{erf}(u)$ with $q_x = 10^8$.
//! * **Degenerate cases.** For $s < 10^{-17}$ (in particular $c = \pm\sqrt{q_xq_y}$ exactly) the
//!   pair is $v = (c/\sigma_x)\\,z_1$ and one integral remains (the error of this is $O(s)$ of
//!   the scale, i.e. below $10^{-17}$). A zero variance makes its variable identically $0$.
//!
//! The outer variable is the one with the larger variance, and the inner integral is skipped
//! where $f$ vanishes (half of the outer nodes for ReLU-like $f$). A call costs $9\\,000$ to
//! $27\\,000$ evaluations of $f$ and $g$ in the cases of `benches/activation_quadrature.rs`.
//!
//! **Rounding near $\rho = \pm1$.** The computed $v$ carries an absolute error
//! $O(\epsilon\\,\sigma_y)$, i.e. a relative $O(\epsilon/s)$ shift of the narrow conditional law
//! of $v$ given $z_1$. That shift changes the answer only by $O(\epsilon)\\,\mathbb E[f(u)g'(v)]$
//! (for a jump of $g$: by $O(\epsilon)$ times the density), because the $z_1$-range where it
//! matters is the layer of width $s/|\rho|$.
//!
//! # Accuracy
//!
//! Assumptions: (i) between the declared kinks $f$ and $g$ are restrictions of analytic functions
//! that extend across the kinks, with singularities no closer than $\ell$ to the real axis near
//! the centres (farther out, no closer than a fixed fraction of the distance to the centres);
//! (ii) $|f(x)|, |g(x)| \le C e^{a|x|}(1+|x|)^p$ with $a\sigma \lesssim 2$, so that the tails
//! beyond $T$ standard deviations are negligible. Under these the error is below $10^{-12}$ of
//! the scale; measured (tests in this module and `tests/quadrature_activation.rs`): at most a few
//! units of $10^{-15}$ against the closed forms for ReLU, step, sign, abs, erf, $e^u$,
//! $\sin$, $\cos$ and cubes on random covariances including near-degenerate ones and variances
//! $10^{-8}\dots10^{8}$, and against a Mehler (Hermite) expansion for tanh, GELU, sigmoid,
//! ReLU6, hard tanh, leaky ReLU and a shifted step. Against every closed-form dual map of
//! [`crate::activation`] (`tests/activations.rs`: $\mathbb E[\phi(u)\phi(v)]$ and
//! $\mathbb E[\phi'(u)\phi'(v)]$, 5000 random covariances per map, with $|\rho| = 1$ exactly and
//! $1 - |\rho| \in [10^{-15}, 10^{-6}]$ among them): at most $6.3\cdot10^{-14}$ for variances in
//! $[0.01, 10]$ ($\mathbb E[\phi'\phi']$ of $0.5\\,\operatorname{erf}(2x) + 0.1$; all other maps
//! $8.3\cdot10^{-15}$), and for $\sin$, $\cos$ $6.8\cdot10^{-15}$ on $[0.01, 2]$.
//!
//! Functions that oscillate on the scale $\ell$ everywhere (e.g. $\sin u$) are covered only
//! while the variance is moderate: the refinement assumes scales growing away from the centres,
//! and for $q \gg 1$ the expectations are dominated by cancellation over $\sim\sigma/\ell$
//! oscillations, which these fixed rules do not resolve. For $\sin(bu + c)$, $\cos(bu + c)$ the
//! error stays below $10^{-12}$ while $b^2q \lesssim 8$; measured for $\cos(1.5u + 0.2)$:
//! $6.3\cdot10^{-14}$ for $q \le 3.2$, $8.5\cdot10^{-13}$ for $q \le 4$, $3.1\cdot10^{-12}$ for
//! $q \le 5$ and $2.5\cdot10^{-9}$ for $q \le 10$; for $\sin u$, $9.8\cdot10^{-13}$ for $q \le 10$.

use std::sync::OnceLock;

use crate::gegenbauer::gauss_legendre;

/// $1/\sqrt{2\pi}$.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Default truncation $T$: each standard-normal variable is integrated over $[-T, T]$.
pub const DEFAULT_TRUNCATION: f64 = 12.0;
/// Width $W$ of the panels of the base grid, in standard deviations.
pub const PANEL_WIDTH: f64 = 3.0;
/// Gauss–Legendre order of a panel of the inner integral whose nearest point to $0$ is at
/// distance $r$: `PANEL_ORDERS[min(floor(r / W), 4)]`.
pub const PANEL_ORDERS: [usize; 5] = [16, 14, 11, 8, 6];
/// The same for the outer integral and the one-dimensional ones, whose integrand is a product
/// $f\\,g$ that can be much narrower than $\varphi$ (e.g. $e^{-8x^2}$ for the derivative of
/// $\operatorname{erf}(2x)$ at $\rho = \pm1$): more nodes in the central panels.
pub const OUTER_PANEL_ORDERS: [usize; 5] = [20, 14, 11, 8, 6];
/// Default feature scale $\ell$, in the functions' own variable.
pub const DEFAULT_FEATURE_SCALE: f64 = 1.0;
/// Default refinement factor $\kappa$.
pub const DEFAULT_REFINEMENT: f64 = 2.0;
/// Default layer ratio $r$: boundary layers of width $s/|\rho|$ are resolved when $s < r|\rho|$.
pub const DEFAULT_LAYER_RATIO: f64 = 1.0;

/// Smallest Gauss–Legendre order of a reduced panel (see `reduced_order`).
const MIN_ORDER: usize = 4;

/// Below this gap $s=\sqrt{1-\rho^2}$ the pair is treated as exactly degenerate,
/// $v = (c/\sigma_x)\\,z_1$; the error of doing so is $O(s)$ relative.
const MIN_GAP: f64 = 1e-17;

/// Tunable parameters of [`GaussianQuadrature`] (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadratureOptions {
    /// Truncation $T$: each standard-normal variable is integrated over $[-T, T]$. Raise it
    /// for functions growing like $e^{a|x|}$ with $a\sigma > 2$.
    pub truncation: f64,
    /// Feature scale $\ell$: around the centres $\\{0\\}\cup$ kinks, $f$ and $g$ are analytic at
    /// distance $\ell$ from the real axis. `f64::INFINITY` switches the refinement off (fine
    /// for piecewise polynomials such as ReLU, step, abs and their powers).
    pub feature_scale: f64,
    /// Refinement factor $\kappa$: a panel at distance $d$ from a centre of scale $\lambda$ has
    /// width at most $\kappa\max(\lambda, d)$.
    pub refinement: f64,
    /// Layer ratio $r$: the boundary layers of the inner integral get their own grid when
    /// $s < r\\,|\rho|$.
    pub layer_ratio: f64,
}

impl Default for QuadratureOptions {
    fn default() -> Self {
        Self {
            truncation: DEFAULT_TRUNCATION,
            feature_scale: DEFAULT_FEATURE_SCALE,
            refinement: DEFAULT_REFINEMENT,
            layer_ratio: DEFAULT_LAYER_RATIO,
        }
    }
}

/// A Gauss–Legendre rule on $[-1, 1]$.
#[derive(Debug, Clone, Default)]
struct Legendre {
    x: Vec<f64>,
    w: Vec<f64>,
}

/// The Gauss–Legendre rules with $1\dots\max$ [`OUTER_PANEL_ORDERS`] nodes (`rules[n]` has
/// $n$ nodes, `rules[0]` is empty), computed once per process by [`gauss_legendre`].
fn legendre_rules() -> &'static [Legendre] {
    static RULES: OnceLock<Vec<Legendre>> = OnceLock::new();
    RULES.get_or_init(|| {
        let max_order = PANEL_ORDERS
            .iter()
            .chain(&OUTER_PANEL_ORDERS)
            .copied()
            .max()
            .unwrap_or(1);
        let mut rules = vec![Legendre::default(); max_order + 1];
        for (n, rule) in rules.iter_mut().enumerate().skip(1) {
            let r = gauss_legendre(n).expect("Gauss–Legendre order in range");
            *rule = Legendre {
                x: r.nodes().to_vec(),
                w: r.weights().to_vec(),
            };
        }
        rules
    })
}

/// The nodes and standard-normal weights of the base grid for one table of panel orders.
#[derive(Debug, Clone)]
struct BaseGrid {
    /// Panel orders by distance from $0$ ([`PANEL_ORDERS`] or [`OUTER_PANEL_ORDERS`]).
    orders: &'static [usize; 5],
    /// Offset of each base panel's nodes in `nodes` (length $m+1$).
    offsets: Vec<usize>,
    /// Nodes of the base panels, panel after panel.
    nodes: Vec<f64>,
    /// Weights $\tfrac{h}{2} w_k \varphi(z_k)$ of the base panels.
    weights: Vec<f64>,
}

impl BaseGrid {
    fn new(orders: &'static [usize; 5], edges: &[f64], rules: &[Legendre]) -> Self {
        let mut offsets = vec![0];
        let mut nodes = Vec::new();
        let mut weights = Vec::new();
        for p in edges.windows(2) {
            let n = panel_order(orders, p[0], p[1]);
            let h = 0.5 * (p[1] - p[0]);
            let mid = 0.5 * (p[1] + p[0]);
            for (&xk, &wk) in rules[n].x.iter().zip(&rules[n].w) {
                let z = mid + h * xk;
                nodes.push(z);
                weights.push(h * wk * phi(z));
            }
            offsets.push(nodes.len());
        }
        Self {
            orders,
            offsets,
            nodes,
            weights,
        }
    }
}

/// A reusable rule for Gaussian expectations: the Gauss–Legendre rules of the orders in
/// [`PANEL_ORDERS`] and [`OUTER_PANEL_ORDERS`] and the standard-normal weights of the fixed
/// base grid, computed once.
#[derive(Debug, Clone)]
pub struct GaussianQuadrature {
    options: QuadratureOptions,
    /// `rules[n]`: the $n$-point Gauss–Legendre rule (empty for unused orders).
    rules: &'static [Legendre],
    /// Base grid $-T = e_0 < \dots < e_m = T$.
    edges: Vec<f64>,
    /// The base grid of the outer and one-dimensional integrals.
    outer: BaseGrid,
    /// The base grid of the inner integral.
    inner: BaseGrid,
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

/// Sorted, deduplicated centres $\\{0\\}\cup$ kinks.
fn centres(kinks: &[f64]) -> Vec<f64> {
    let mut c: Vec<f64> = kinks.to_vec();
    c.push(0.0);
    c.sort_by(f64::total_cmp);
    c.dedup();
    c
}

/// Gauss–Legendre order for the panel $[a, b]$ (from its distance to $0$) in the table
/// `orders`.
#[inline]
fn panel_order(orders: &[usize; 5], a: f64, b: f64) -> usize {
    let r = if a < 0.0 && b > 0.0 {
        0.0
    } else {
        a.abs().min(b.abs())
    };
    orders[((r / PANEL_WIDTH) as usize).min(orders.len() - 1)]
}

/// Order for a panel of relative size $\tau\le1$ (its width over the admissible width) whose
/// full-size order is $n$: $\max(4, \lceil n\tau^{0.4}\rceil)$. Both the Gaussian factor
/// (entire) and a singularity at a fixed distance get easier at least this fast as the panel
/// shrinks: by the tables behind [`PANEL_ORDERS`] (widths $1, 1.5, 2, 3$ need $9, 11, 12, 14$
/// nodes) and by the Bernstein-ellipse parameter, which grows like $1/\tau$.
#[inline]
fn reduced_order(n: usize, tau: f64) -> usize {
    ((n as f64 * tau.powf(0.4)).ceil() as usize).clamp(MIN_ORDER, n)
}

impl GaussianQuadrature {
    /// Builds the rule.
    ///
    /// # Panics
    /// If `truncation` or `refinement` is not positive and finite, `feature_scale` is not
    /// positive, or `layer_ratio` is negative.
    pub fn new(options: QuadratureOptions) -> Self {
        let QuadratureOptions {
            truncation: t,
            feature_scale,
            refinement,
            layer_ratio,
        } = options;
        assert!(t.is_finite() && t > 0.0, "truncation must be positive");
        assert!(feature_scale > 0.0, "feature scale must be positive");
        assert!(
            refinement.is_finite() && refinement > 0.0,
            "refinement factor must be positive"
        );
        assert!(layer_ratio >= 0.0, "layer ratio must be non-negative");
        let rules = legendre_rules();
        // panels of width W from 0 outwards, the last one on each side shorter
        let mut half = vec![0.0];
        while *half.last().unwrap_or(&t) < t {
            let e = half[half.len() - 1] + PANEL_WIDTH;
            half.push(if e > t - 1e-12 * t { t } else { e });
        }
        let mut edges: Vec<f64> = half.iter().rev().map(|&e| -e).collect();
        edges.extend_from_slice(&half[1..]);
        let outer = BaseGrid::new(&OUTER_PANEL_ORDERS, &edges, rules);
        let inner = BaseGrid::new(&PANEL_ORDERS, &edges, rules);
        Self {
            options,
            rules,
            edges,
            outer,
            inner,
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
        if kappa * lambda >= PANEL_WIDTH {
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
        emit: &mut impl FnMut(f64, f64, f64),
    ) {
        stack.clear();
        stack.push((a, b));
        while let Some((lo, hi)) = stack.pop() {
            let w = hi - lo;
            // the largest ratio of w to an admissible width (the base width W included)
            let tau = centres.iter().fold(w / PANEL_WIDTH, |t, c| {
                let dist = (lo - c.z).max(c.z - hi).max(0.0);
                t.max(w / self.admissible(c.lambda, dist))
            });
            let mid = 0.5 * (lo + hi);
            if tau <= 1.0 || mid <= lo || mid >= hi {
                emit(lo, hi, tau.min(1.0));
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
        grid: &BaseGrid,
        hard: &[f64],
        centres: &[Centre],
        reduce: bool,
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
                let r = grid.offsets[j]..grid.offsets[j + 1];
                for (&z, &wt) in grid.nodes[r.clone()].iter().zip(&grid.weights[r]) {
                    acc += wt * f(z);
                }
                continue;
            }
            let mut emit = |a: f64, b: f64, tau: f64| {
                let n = if reduce {
                    reduced_order(panel_order(grid.orders, a, b), tau)
                } else {
                    panel_order(grid.orders, a, b)
                };
                acc += self.panel(n, a, b, &mut f)
            };
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
        self.integrate(&self.outer, &hard, &cen, true, &mut Vec::new(), |z| {
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
            return self.integrate(&self.outer, &hard, &cen, true, &mut stack, |z| {
                f(sx * z) * g(kappa * z)
            });
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
            self.integrate(&self.inner, &ihard, &icen, true, &mut istack, |z| {
                g(asy + bsy * z)
            })
        };
        self.integrate(&self.outer, &hard, &cen, false, &mut stack, |z1| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Required accuracy, relative to the scale $\sqrt{\mathbb E f^2\\,\mathbb E g^2}$.
    const TOL: f64 = 1e-12;
    /// Quantities the rules must reproduce to rounding (exact identities of the construction).
    const ROUNDING_TOL: f64 = 1e-14;

    fn relu(x: f64) -> f64 {
        x.max(0.0)
    }

    fn sign(x: f64) -> f64 {
        if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        }
    }

    /// The angle between $u$ and $v$, $\cos\theta = \rho$, from the accurate determinant.
    fn angle(qx: f64, qy: f64, c: f64) -> f64 {
        covariance_determinant(qx, qy, c).max(0.0).sqrt().atan2(c)
    }

    fn relu_exact(qx: f64, qy: f64, c: f64) -> f64 {
        let t = angle(qx, qy, c);
        (qx * qy).sqrt() * (t.sin() + (PI - t) * t.cos()) / (2.0 * PI)
    }

    #[test]
    fn determinant_is_exact_for_representable_results() {
        // 1 - (1 - 2^-52)^2 = 2^-51 - 2^-104 = 2^-51 (1 - 2^-53): 53 significant bits
        let c = 1.0 - f64::EPSILON;
        let det = covariance_determinant(1.0, 1.0, c);
        assert_eq!(det, 2f64.powi(-51) * (1.0 - 2f64.powi(-53)));
        // the naive formula loses it
        assert_ne!(1.0 - c * c, det);
        assert_eq!(covariance_determinant(2.0, 8.0, 4.0), 0.0);
        assert_eq!(covariance_determinant(2.0, 8.0, -4.0), 0.0);
    }

    #[test]
    fn base_grid_is_symmetric_and_weights_sum_to_one() {
        let r = GaussianQuadrature::standard();
        let m = r.edges.len() - 1;
        for j in 0..=m {
            assert_eq!(r.edges[j], -r.edges[m - j]);
        }
        assert_eq!(r.edges[0], -DEFAULT_TRUNCATION);
        for grid in [&r.outer, &r.inner] {
            let total: f64 = grid.weights.iter().sum();
            assert!((total - 1.0).abs() < ROUNDING_TOL, "sum of weights {total}");
            // E[z^2] = 1, E[z^4] = 3
            let m2: f64 = grid
                .nodes
                .iter()
                .zip(&grid.weights)
                .map(|(z, w)| w * z * z)
                .sum();
            let m4: f64 = grid
                .nodes
                .iter()
                .zip(&grid.weights)
                .map(|(z, w)| w * z.powi(4))
                .sum();
            assert!((m2 - 1.0).abs() < ROUNDING_TOL && (m4 - 3.0).abs() < 3.0 * ROUNDING_TOL);
        }
        // a non-multiple truncation gets a shorter last panel
        let r10 = GaussianQuadrature::new(QuadratureOptions {
            truncation: 10.0,
            ..Default::default()
        });
        assert_eq!(
            r10.edges,
            vec![-10.0, -9.0, -6.0, -3.0, 0.0, 3.0, 6.0, 9.0, 10.0]
        );
    }

    #[test]
    fn standard_rule_is_built_once() {
        assert!(std::ptr::eq(
            GaussianQuadrature::standard(),
            GaussianQuadrature::standard()
        ));
        assert!(std::ptr::eq(legendre_rules(), legendre_rules()));
        assert_eq!(
            *GaussianQuadrature::standard().options(),
            QuadratureOptions::default()
        );
    }

    #[test]
    fn univariate_moments_and_kinked_functions() {
        for &q in &[1e-8, 0.3, 1.0, 7.0, 1e8] {
            let id = |x: f64| x;
            let m2 = univariate_expectation(&id, &id, &[], q);
            assert!((m2 - q).abs() <= TOL * q, "E[u^2] at q = {q}: {m2}");
            let r2 = univariate_expectation(&relu, &relu, &[0.0], q);
            assert!(
                (r2 - q / 2.0).abs() <= TOL * q,
                "E[relu^2] at q = {q}: {r2}"
            );
            // E[|u|] = sqrt(2q/pi)
            let a = univariate_expectation(&f64::abs, &|_| 1.0, &[0.0], q);
            let ea = (2.0 * q / PI).sqrt();
            assert!(
                (a - ea).abs() <= TOL * q.sqrt(),
                "E|u| at q = {q}: {a} vs {ea}"
            );
            // P(u > 1) for a kink away from 0
            let step1 = |x: f64| if x > 1.0 { 1.0 } else { 0.0 };
            let p = univariate_expectation(&step1, &step1, &[1.0], q);
            let ep = 0.5 * special::Error::compl_error(1.0 / (2.0 * q).sqrt());
            assert!((p - ep).abs() <= TOL, "P(u > 1) at q = {q}: {p} vs {ep}");
        }
        assert_eq!(univariate_expectation(&f64::cos, &f64::cos, &[], 0.0), 1.0);
    }

    #[test]
    fn relu_closed_form_including_degenerate_covariances() {
        for &(qx, qy) in &[(1.0_f64, 1.0_f64), (1e-8, 3.0), (2.5, 1e8), (1e-4, 1e4)] {
            let sxy = (qx * qy).sqrt();
            for &r in &[
                -1.0,
                -(1.0 - 1e-14),
                -0.6,
                0.0,
                0.3,
                1.0 - 1e-16,
                1.0 - 1e-14,
                1.0,
            ] {
                let c = r * sxy;
                let got = bivariate_expectation(&relu, &relu, &[0.0], qx, qy, c);
                let exact = relu_exact(qx, qy, c);
                let scale = sxy / 2.0;
                assert!(
                    (got - exact).abs() <= TOL * scale,
                    "relu at ({qx}, {qy}, rho = {r}): {got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn sign_near_plus_and_minus_one() {
        // E[sign u sign v] = 1 - 2 theta / pi: its slope in rho is unbounded at |rho| = 1, so
        // this checks the boundary layers and the accurate gap
        for k in [4, 8, 12, 14, 15, 16] {
            for sgn in [-1.0, 1.0] {
                let (qx, qy) = (0.7_f64, 3.0e3_f64);
                let c = sgn * (1.0 - 10f64.powi(-k)) * (qx * qy).sqrt();
                let got = bivariate_expectation(&sign, &sign, &[0.0], qx, qy, c);
                let exact = 1.0 - 2.0 * angle(qx, qy, c) / PI;
                assert!(
                    (got - exact).abs() <= TOL,
                    "sign at 1 - rho = 1e-{k}, sign {sgn}: {got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn zero_variances() {
        // u = 0: E[cos(0) cos v] = exp(-qy/2)
        let got = bivariate_expectation(&f64::cos, &f64::cos, &[], 0.0, 2.0, 0.0);
        assert!((got - (-1.0f64).exp()).abs() <= TOL);
        let got = bivariate_expectation(&f64::exp, &f64::cos, &[], 0.5, 0.0, 0.0);
        assert!((got - 0.25f64.exp()).abs() <= TOL * 0.5f64.exp());
        assert_eq!(
            bivariate_expectation(&f64::cos, &f64::exp, &[], 0.0, 0.0, 0.0),
            1.0
        );
        // relu(0) = 0 kills everything
        assert_eq!(
            bivariate_expectation(&relu, &f64::exp, &[0.0], 0.0, 1.0, 0.0),
            0.0
        );
    }

    #[test]
    fn swapping_the_variables_is_exact_and_layers_match_the_degenerate_path() {
        let step = |x: f64| if x > 0.3 { 1.0 } else { 0.0 };
        let (qx, qy, c) = (0.4, 2.0, 0.5);
        let a = bivariate_expectation(&step, &f64::tanh, &[0.3], qx, qy, c);
        let b = bivariate_expectation(&f64::tanh, &step, &[0.3], qy, qx, c);
        assert_eq!(a, b);
        // Lipschitz f, g: |E(c) - E(c')| <= |c - c'| sup|f'| sup|g'|; compare near-degenerate
        // (quadrature with boundary layers) with degenerate (one integral)
        let hardtanh = |x: f64| x.clamp(-1.0, 1.0);
        let (qx, qy) = (0.5_f64, 8.0_f64);
        let sxy = (qx * qy).sqrt();
        let d = bivariate_expectation(&hardtanh, &hardtanh, &[-1.0, 1.0], qx, qy, sxy);
        for k in [10, 13, 15] {
            let dc = 10f64.powi(-k) * sxy;
            let e = bivariate_expectation(&hardtanh, &hardtanh, &[-1.0, 1.0], qx, qy, sxy - dc);
            assert!((e - d).abs() <= TOL + dc, "1 - rho = 1e-{k}: {e} vs {d}");
        }
    }

    #[test]
    fn refinement_off_is_still_exact_for_piecewise_polynomials() {
        let rule = GaussianQuadrature::new(QuadratureOptions {
            feature_scale: f64::INFINITY,
            ..Default::default()
        });
        for &(qx, qy, r) in &[
            (1e6_f64, 1e-6_f64, 0.9),
            (3.0, 3.0, -0.999_999),
            (1.0, 2.0, 0.0),
        ] {
            let c = r * (qx * qy).sqrt();
            let got = rule.bivariate(&relu, &relu, &[0.0], qx, qy, c);
            let exact = relu_exact(qx, qy, c);
            assert!((got - exact).abs() <= TOL * (qx * qy).sqrt() / 2.0);
        }
    }

    #[test]
    #[should_panic(expected = "not positive semi-definite")]
    fn rejects_an_indefinite_covariance() {
        bivariate_expectation(&relu, &relu, &[0.0], 1.0, 1.0, 1.0 + 1e-10);
    }

    #[test]
    #[should_panic(expected = "variances must be finite")]
    fn rejects_a_negative_variance() {
        bivariate_expectation(&relu, &relu, &[0.0], -1.0, 1.0, 0.0);
    }

    #[test]
    #[should_panic(expected = "kinks must be finite")]
    fn rejects_an_infinite_kink() {
        univariate_expectation(&relu, &relu, &[f64::INFINITY], 1.0);
    }
}
