//! Gauss–Gegenbauer, Gauss–Legendre and angular Gauss rules.
//!
//! A Gauss rule with $n$ nodes integrates $\int_{-1}^1 f(t)(1-t^2)^{\lambda-1/2}\\,dt \approx
//! \sum_j w_j f(t_j)$ exactly for polynomials of degree $\le 2n-1$; its nodes are the zeros of
//! $C_n^\lambda$ and, with $P_n$ the normalized polynomial ($P_n(1)=1$) and
//! $g = dP_n(\cos\theta)/d\theta$,
//! $$w_j = \frac{K_n}{g(\theta_j)^2},\qquad K_n = M_0\\,\frac{\Gamma(2\lambda+1)\\,n!}{\Gamma(n+2\lambda)},\qquad
//! M_0=\int_{-1}^1(1-t^2)^{\lambda-1/2}dt=\frac{\sqrt\pi\\,\Gamma(\lambda+\frac12)}{\Gamma(\lambda+1)}$$
//! (Christoffel numbers, Szegő (1975) eq. (15.3.2); $K_n=2$ for Legendre, $\pi n$ for Chebyshev).
//!
//! **Algorithm** ($O(n^2)$ with a small constant, no eigensolver; cf. Golub & Welsch (1969) for
//! the $O(n^3)$ alternative and Hale & Townsend (2013) / Bogaert (2014) for $O(n)$ asymptotics):
//! 1. *Initial guesses* from the Liouville normal form: $u(\theta)=\sin^\lambda\theta\\,C_n^\lambda(\cos\theta)$
//!    solves $u''+Q u=0$, $Q=(n+\lambda)^2+\lambda(1-\lambda)/\sin^2\theta$ (Szegő (1975) eq. (4.24.2)).
//!    With the Prüfer angle $u=r\sin\varphi$, $u'=r s\cos\varphi$, the zeros are exactly
//!    $\varphi\in\pi\mathbb Z$ and $d\theta/d\varphi = 1/(s\cos^2\varphi+(Q/s)\sin^2\varphi)$ is
//!    integrated by RK4 from zero to zero, starting at $\theta=\pi/2$ (Glaser, Liu & Rokhlin 2007).
//!    $O(n)$ work; $s=\sqrt Q$ is refreshed at each zero.
//! 2. *Newton in $\theta$* on the normalized three-term recurrence, evaluated in
//!    $s=1-t = 2\sin^2(\theta/2)$ near $t=1$ in the Reinsch-type difference form
//!    $d_{k+1}=b_kd_k-a_k s P_k$, $P_{k+1}=P_k+d_{k+1}$ (so nodes near $\pm1$ keep full relative
//!    accuracy and the $O(n^{2-2\lambda})$ error growth of the plain recurrence at $t\approx1$ is avoided),
//!    8 nodes per batch (SIMD-friendly), batches in parallel (rayon); $g$ from
//!    $(1-t^2)P_n' = n(P_{n-1}-tP_n)$. The derivative at the final iterate is corrected with the
//!    ODE $g' = -2\lambda\cot\theta\\,g - n(n+2\lambda)P_n$ before forming $w_j$.
//!
//! Finally the weights are rescaled by the exact $M_0/\sum_j w_j$ (removes the common rounding
//! error of $K_n$, whose logarithm is large for large $\lambda$). Symmetry $t_j = -t_{n+1-j}$
//! halves the work. $\lambda=0$ (Chebyshev, $d=2$) is explicit.

use rayon::prelude::*;
use std::f64::consts::{FRAC_PI_2, PI};

use super::error::{GegenbauerError, Result, dim_at_least};
use super::gamma::{ln_gamma, ln_gamma_ratio};
use super::polynomial::validate_lambda;

/// Largest supported number of nodes (the cost is $O(n^2)$: about 25 ms at $n=10^4$ on two
/// threads, 30–45 ms on one; see `benches/quadrature.rs`).
pub const MAX_NODES: usize = 100_000;

/// Nodes per Newton batch.
const LANES: usize = 8;

/// RK4 steps per half-period of the Prüfer angle.
const RK4_STEPS: usize = 8;

/// A Gauss-type quadrature rule $\sum_j w_j f(x_j)$ (nodes ascending, weights positive).
#[derive(Debug, Clone, PartialEq)]
pub struct GaussRule {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl GaussRule {
    /// The nodes $x_j$ (ascending).
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }

    /// The weights $w_j$.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// `true` if the rule has no nodes (never, for rules built by this module).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// $\sum_j w_j f(x_j)$.
    ///
    /// ```
    /// use ntk_sphere::gegenbauer::gauss_legendre;
    /// let rule = gauss_legendre(3).unwrap();
    /// // exact for degree <= 5: int_{-1}^1 t^4 dt = 2/5
    /// assert!((rule.integrate(|t| t.powi(4)) - 0.4).abs() < 1e-15);
    /// ```
    pub fn integrate<F: FnMut(f64) -> f64>(&self, mut f: F) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&x, &w)| w * f(x))
            .sum()
    }
}

fn check_n(n: usize) -> Result<()> {
    if n == 0 {
        Err(GegenbauerError::TooFewNodes { n })
    } else if n > MAX_NODES {
        Err(GegenbauerError::TooManyNodes { n, max: MAX_NODES })
    } else {
        Ok(())
    }
}

/// Half of a symmetric rule: angles $\theta_j\in(0,\pi/2]$ ascending (nodes $\cos\theta_j$) and
/// their weights; $\theta=\pi/2$ is included iff $n$ is odd.
struct HalfRule {
    theta: Vec<f64>,
    weights: Vec<f64>,
}

/// $\ln M_0 = \tfrac12\ln\pi - [\ln\Gamma(\lambda+1)-\ln\Gamma(\lambda+\tfrac12)]$.
fn ln_zeroth_moment(lambda: f64) -> f64 {
    0.5 * PI.ln() - ln_gamma_ratio(lambda + 0.5, 0.5)
}

/// $\ln K_n$ (module doc).
fn ln_christoffel_constant(n: usize, lambda: f64) -> f64 {
    ln_zeroth_moment(lambda) + ln_gamma(2.0 * lambda + 1.0)
        - ln_gamma_ratio(n as f64 + 1.0, 2.0 * lambda - 1.0)
}

/// Prüfer/RK4 initial guesses for the angles (ascending in $\theta$).
fn initial_angles(n: usize, lambda: f64) -> Result<Vec<f64>> {
    let m = n / 2;
    let nl = n as f64 + lambda;
    let a = nl * nl;
    let b = lambda * (1.0 - lambda);
    // sigma = pi/2 - theta, Q(sigma) = a + b / cos^2 sigma
    let q = |sigma: f64| {
        let c = sigma.cos();
        a + b / (c * c)
    };
    let fail = || GegenbauerError::NoConvergence { n, lambda };
    let h = PI / (2 * RK4_STEPS) as f64;
    // precomputed cos^2, sin^2 of phi at the RK4 stages over one period [0, pi)
    let stages = 4 * RK4_STEPS + 1;
    let mut c2 = Vec::with_capacity(stages);
    let mut s2 = Vec::with_capacity(stages);
    for i in 0..stages {
        let phi = i as f64 * h / 2.0; // half-step resolution
        let c = phi.cos();
        c2.push(c * c);
        s2.push(1.0 - c * c);
    }
    let mut sigmas = Vec::with_capacity(m + 1);
    let mut sigma = 0.0f64;
    if n % 2 == 1 {
        sigmas.push(0.0);
    }
    // offset into the stage tables: n even starts at phi = pi/2 (extremum at sigma = 0)
    let mut start = if n % 2 == 0 { 2 * RK4_STEPS } else { 0 };
    while sigmas.len() < m + (n % 2) {
        let qs = q(sigma);
        if qs.is_nan() || qs <= 0.0 {
            return Err(fail());
        }
        let s = qs.sqrt();
        let rhs = |i: usize, sg: f64| -> Result<f64> {
            let den = s * c2[i] + q(sg) / s * s2[i];
            if den > 0.0 {
                Ok(1.0 / den)
            } else {
                Err(fail())
            }
        };
        let mut i = start;
        while i < 4 * RK4_STEPS {
            let k1 = rhs(i, sigma)?;
            let k2 = rhs(i + 1, sigma + 0.5 * h * k1)?;
            let k3 = rhs(i + 1, sigma + 0.5 * h * k2)?;
            let k4 = rhs(i + 2, sigma + h * k3)?;
            sigma += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            i += 2;
        }
        if sigma.is_nan() || sigma >= FRAC_PI_2 {
            return Err(fail());
        }
        sigmas.push(sigma);
        start = 0;
    }
    // theta ascending = sigma descending
    Ok(sigmas.iter().rev().map(|s| FRAC_PI_2 - s).collect())
}

/// Newton polishing of one batch of angles; writes the polished angles and weights.
fn polish_batch(
    n: usize,
    lambda: f64,
    ab: &[(f64, f64)],
    ln_k: f64,
    theta: &mut [f64],
    weights: &mut [f64],
) -> Result<()> {
    let nf = n as f64;
    let tol = 1e-9 / (nf + lambda.abs() + 1.0);
    let len = theta.len();
    let mut th = [FRAC_PI_2; LANES];
    th[..len].copy_from_slice(theta);
    for _iter in 0..12 {
        let mut x = [0.0; LANES];
        let mut sv = [0.0; LANES];
        let mut near_one = [false; LANES];
        for l in 0..LANES {
            let half = (0.5 * th[l]).sin();
            sv[l] = 2.0 * half * half;
            x[l] = th[l].cos();
            near_one[l] = th[l] < PI / 3.0;
        }
        let (mut p0, mut p1) = ([1.0; LANES], x);
        if near_one.iter().any(|&b| b) {
            // Reinsch-type form in s = 1 - t: d_{k+1} = b_k d_k - a_k s P_k, P_{k+1} = P_k + d_{k+1}
            // (rounding errors relative to the small d_k; the plain recurrence loses
            // O(n^{2-2 lambda}) ulps near t = 1 when lambda < 1/2).
            let mut pr = [0.0; LANES];
            let mut dr = [0.0; LANES];
            for l in 0..LANES {
                pr[l] = 1.0 - sv[l];
                dr[l] = -sv[l];
            }
            for &(a, b) in &ab[1..n] {
                for l in 0..LANES {
                    dr[l] = b * dr[l] - a * sv[l] * pr[l];
                    pr[l] += dr[l];
                }
            }
            for l in 0..LANES {
                if near_one[l] {
                    p1[l] = pr[l];
                    p0[l] = pr[l] - dr[l];
                }
            }
        }
        if near_one.iter().any(|&b| !b) {
            let mut q0 = [1.0; LANES];
            let mut q1 = x;
            for &(a, b) in &ab[1..n] {
                for l in 0..LANES {
                    let q2 = a * x[l] * q1[l] - b * q0[l];
                    q0[l] = q1[l];
                    q1[l] = q2;
                }
            }
            for l in 0..LANES {
                if !near_one[l] {
                    p1[l] = q1[l];
                    p0[l] = q0[l];
                }
            }
        }
        // p1 = P_n, p0 = P_{n-1}
        let mut max_delta: f64 = 0.0;
        let mut delta = [0.0; LANES];
        let mut g = [0.0; LANES];
        for l in 0..len {
            let sn = th[l].sin();
            g[l] = -nf * (p0[l] - x[l] * p1[l]) / sn;
            delta[l] = -p1[l] / g[l];
            max_delta = max_delta.max(delta[l].abs());
        }
        if !max_delta.is_finite() {
            break;
        }
        if max_delta <= tol {
            for l in 0..len {
                let cot = x[l] / th[l].sin();
                let gp = -2.0 * lambda * cot * g[l] - nf * (nf + 2.0 * lambda) * p1[l];
                let gs = g[l] + delta[l] * gp;
                theta[l] = th[l] + delta[l];
                weights[l] = (ln_k - 2.0 * gs.abs().ln()).exp();
            }
            return Ok(());
        }
        for l in 0..len {
            th[l] += delta[l];
        }
    }
    Err(GegenbauerError::NoConvergence { n, lambda })
}

fn half_rule(n: usize, lambda: f64) -> Result<HalfRule> {
    check_n(n)?;
    validate_lambda(lambda)?;
    let m = n / 2 + n % 2;
    if lambda == 0.0 {
        // Gauss–Chebyshev (first kind): theta_j = (2j-1) pi / (2n), w = pi / n.
        let theta = (1..=m)
            .map(|j| (2 * j - 1) as f64 * PI / (2 * n) as f64)
            .collect();
        return Ok(HalfRule {
            theta,
            weights: vec![PI / n as f64; m],
        });
    }
    let mut theta = initial_angles(n, lambda)?;
    debug_assert_eq!(theta.len(), m);
    let two_l = 2.0 * lambda;
    let ab: Vec<(f64, f64)> = (0..n)
        .map(|k| {
            let kf = k as f64;
            ((2.0 * kf + two_l) / (kf + two_l), kf / (kf + two_l))
        })
        .collect();
    let ln_k = ln_christoffel_constant(n, lambda);
    let mut weights = vec![0.0; m];
    let work = |(th, w): (&mut [f64], &mut [f64])| polish_batch(n, lambda, &ab, ln_k, th, w);
    if n >= 512 {
        theta
            .par_chunks_mut(LANES)
            .zip(weights.par_chunks_mut(LANES))
            .try_for_each(work)?;
    } else {
        theta
            .chunks_mut(LANES)
            .zip(weights.chunks_mut(LANES))
            .try_for_each(work)?;
    }
    // Renormalize to the exact zeroth moment: removes the common rounding error of K_n
    // (|ln K_n| is large for large lambda); SciPy does the same.
    let total: f64 =
        2.0 * weights[..n / 2].iter().sum::<f64>() + if n % 2 == 1 { weights[m - 1] } else { 0.0 };
    let scale = ln_zeroth_moment(lambda).exp() / total;
    weights.iter_mut().for_each(|w| *w *= scale);
    // A NaN can slip past the convergence tests (comparisons with NaN are false) for huge
    // lambda and n: report it as the failure it is.
    if !theta.iter().chain(&weights).all(|x| x.is_finite()) {
        return Err(GegenbauerError::NoConvergence { n, lambda });
    }
    Ok(HalfRule { theta, weights })
}

/// Expands a half rule to the full symmetric rule on $[-1,1]$ (ascending nodes).
fn full_from_half(n: usize, half: &HalfRule, nodes: &mut [f64], weights: &mut [f64]) {
    let m = half.theta.len();
    for j in 0..n / 2 {
        let x = half.theta[j].cos();
        nodes[j] = -x;
        weights[j] = half.weights[j];
        nodes[n - 1 - j] = x;
        weights[n - 1 - j] = half.weights[j];
    }
    if n % 2 == 1 {
        nodes[n / 2] = 0.0;
        weights[n / 2] = half.weights[m - 1];
    }
}

/// Gauss–Gegenbauer rule for $\int_{-1}^1 f(t)(1-t^2)^{\lambda-1/2}\\,dt$, $\lambda>-1/2$
/// ($\lambda=(d-2)/2$ gives the weight $(1-t^2)^{(d-3)/2}$ of $S^{d-1}$), written into
/// `nodes`/`weights` (both of length $n\ge1$). Exact for degree $\le 2n-1$. Algorithm and
/// sources: module doc (Szegő (1975) §15.3, Glaser, Liu & Rokhlin (2007)).
pub fn gauss_gegenbauer_into(lambda: f64, nodes: &mut [f64], weights: &mut [f64]) -> Result<()> {
    let n = nodes.len();
    if weights.len() != n {
        return Err(GegenbauerError::BufferLength {
            name: "weights",
            expected: n,
            got: weights.len(),
        });
    }
    let half = half_rule(n, lambda)?;
    full_from_half(n, &half, nodes, weights);
    Ok(())
}

/// Gauss–Gegenbauer rule with $n$ nodes for the weight $(1-t^2)^{\lambda-1/2}$ (see
/// [`gauss_gegenbauer_into`]).
///
/// ```
/// use ntk_sphere::gegenbauer::gauss_gegenbauer;
/// // lambda = 1: weight sqrt(1-t^2), int t^2 sqrt(1-t^2) dt = pi/8
/// let r = gauss_gegenbauer(4, 1.0).unwrap();
/// assert!((r.integrate(|t| t * t) - std::f64::consts::PI / 8.0).abs() < 1e-15);
/// ```
pub fn gauss_gegenbauer(n: usize, lambda: f64) -> Result<GaussRule> {
    check_n(n)?;
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    gauss_gegenbauer_into(lambda, &mut nodes, &mut weights)?;
    Ok(GaussRule { nodes, weights })
}

/// Gauss–Legendre rule ($\lambda=1/2$, weight 1) with $n$ nodes on $[-1,1]$.
///
/// ```
/// use ntk_sphere::gegenbauer::gauss_legendre;
/// let r = gauss_legendre(5).unwrap(); // Abramowitz & Stegun Table 25.4
/// assert!((r.nodes()[4] - 0.906179845938664).abs() < 1e-15);
/// assert!((r.weights()[2] - 0.568888888888889).abs() < 1e-15);
/// ```
pub fn gauss_legendre(n: usize) -> Result<GaussRule> {
    gauss_gegenbauer(n, 0.5)
}

/// Gauss–Gegenbauer rule for the sphere $S^{d-1}$: weight $(1-t^2)^{(d-3)/2}$, $d\ge2$.
pub fn gauss_sphere(n: usize, d: usize) -> Result<GaussRule> {
    dim_at_least(d, 2)?;
    gauss_gegenbauer(n, (d as f64 - 2.0) / 2.0)
}

/// Rule in the angle for $\int_0^\pi f(\theta)\sin^{d-2}\theta\\,d\theta \approx \sum_j w_j f(\theta_j)$:
/// Gauss–Legendre on $[0,\pi]$, $\theta_j = \tfrac\pi2(1-t_j)$ (computed as $\pi\sin^2(\varphi_j/2)$
/// from the Legendre angle $\varphi_j$, so small angles keep full relative accuracy) and
/// $w_j = \tfrac\pi2 w_j^{GL}\sin^{d-2}\theta_j$. This is the rule the spectra use: the ReLU
/// kernels $\kappa(\cos\theta)$ are analytic in $\theta$ (docs/design.md §3; docs/literature.md §5.5),
/// so it converges exponentially where Gauss–Gegenbauer in $t$ converges algebraically. Nodes
/// ascending in $\theta$; $\sum_j w_j = \omega_{d-1}/\omega_{d-2}$.
///
/// ```
/// use ntk_sphere::gegenbauer::gauss_angle;
/// let r = gauss_angle(20, 3).unwrap();
/// assert!((r.integrate(|_| 1.0) - 2.0).abs() < 1e-14); // int_0^pi sin = 2
/// ```
pub fn gauss_angle(n: usize, d: usize) -> Result<GaussRule> {
    dim_at_least(d, 2)?;
    let half = half_rule(n, 0.5)?;
    let m = half.theta.len();
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let expo = d as f64 - 2.0;
    let scale = |theta: f64, w: f64| {
        if expo == 0.0 {
            FRAC_PI_2 * w
        } else {
            FRAC_PI_2 * w * (expo * theta.sin().ln()).exp()
        }
    };
    for j in 0..n / 2 {
        let hs = (0.5 * half.theta[j]).sin();
        let hc = (0.5 * half.theta[j]).cos();
        let lo = PI * hs * hs; // t = cos(phi) > 0  ->  theta small
        let hi = PI * hc * hc; // t = -cos(phi)     ->  theta near pi
        nodes[j] = lo;
        weights[j] = scale(lo, half.weights[j]);
        nodes[n - 1 - j] = hi;
        weights[n - 1 - j] = scale(hi, half.weights[j]);
    }
    if n % 2 == 1 {
        nodes[n / 2] = FRAC_PI_2;
        weights[n / 2] = scale(FRAC_PI_2, half.weights[m - 1]);
    }
    Ok(GaussRule { nodes, weights })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_rules_and_errors() {
        let r = gauss_legendre(1).unwrap();
        assert_eq!(r.nodes(), &[0.0]);
        assert!((r.weights()[0] - 2.0).abs() < 1e-15);
        assert!(gauss_legendre(0).is_err());
        assert!(gauss_legendre(MAX_NODES + 1).is_err());
        assert!(gauss_gegenbauer(3, -0.5).is_err());
        assert!(gauss_gegenbauer(3, f64::NAN).is_err());
        assert!(gauss_angle(3, 1).is_err());
        let c = gauss_gegenbauer(4, 0.0).unwrap();
        assert!((c.integrate(|_| 1.0) - PI).abs() < 1e-14);
    }
}
