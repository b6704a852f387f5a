//! Dual activations: the abstraction ([`DualActivation`]), the built-in activations
//! ([`Activation`]), closure activations integrated numerically ([`ClosureActivation`]), and
//! the arc-cosine maps $\kappa_0$, $\kappa_1$ behind every rectified activation.
//!
//! ## The arc-cosine maps
//!
//! For $(u, v) \sim \mathcal N(0, \Sigma)$ with $\Sigma = \begin{pmatrix} s_x & c \\ c & s_y\end{pmatrix}$
//! and $\cos\theta = c/\sqrt{s_x s_y}$ (Cho & Saul 2009; Bietti & Bach 2021, eq. (3)):
//!
//! $$\mathbb E[\phi(u)\phi(v)] = \tfrac12\sqrt{s_x s_y}\\,\kappa_1(\cos\theta),\qquad
//!   \mathbb E[\phi'(u)\phi'(v)] = \tfrac12\\,\kappa_0(\cos\theta),$$
//!
//! $$\kappa_0(\cos\theta) = \frac{\pi-\theta}{\pi},\qquad
//!   \kappa_1(\cos\theta) = \frac{\sin\theta + (\pi-\theta)\cos\theta}{\pi}.$$
//!
//! Everything here is evaluated through the angle. Near $\theta = 0$ the difference
//! $1-\kappa_1$ is formed from $1-\cos\theta = 2\sin^2(\theta/2)$ and from
//! $h(\theta) = \sin\theta - \theta\cos\theta$ (by its Maclaurin series for small $\theta$), so no
//! digits are lost to cancellation; near $\theta=\pi$ the same is done with $\varphi = \pi-\theta$.
//! These are the primitives behind [`crate::scalar::KernelScalar::arc_cosine`].

mod builtin;
mod closure;
mod dual;
pub mod quadrature;

pub use builtin::{Activation, MAX_ACTIVATION_DEGREE};
pub use closure::ClosureActivation;
pub use dual::{DualActivation, DynActivation};

use std::f64::consts::PI;

/// $h(\theta) = \sin\theta - \theta\cos\theta = \sum_{n\ge1} (-1)^{n+1}\frac{2n\\,\theta^{2n+1}}{(2n+1)!}$,
/// to full relative accuracy for $\theta \in [0, \pi]$.
///
/// The series is used for $\theta < 1$ (no cancellation: $h(\theta) \approx \theta^3/3$), the
/// direct formula otherwise (the two terms then do not cancel by more than a factor $\approx 3$).
pub fn sin_minus_theta_cos(theta: f64) -> f64 {
    if theta.abs() < 1.0 {
        // Horner in x = θ²: h = θ³ Σ_{n≥1} (−1)^{n+1} 2n x^{n−1}/(2n+1)!
        const COEFFS: [f64; 12] = {
            let mut coeffs = [0.0_f64; 12];
            let mut fact = 1.0_f64; // (2n+1)!
            let mut i = 0;
            while i < 12 {
                let n = (i + 1) as f64;
                fact *= (2.0 * n) * (2.0 * n + 1.0);
                let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                coeffs[i] = sign * 2.0 * n / fact;
                i += 1;
            }
            coeffs
        };
        let x = theta * theta;
        let mut acc = 0.0;
        for c in COEFFS.iter().rev() {
            acc = acc * x + c;
        }
        acc * x * theta
    } else {
        theta.sin() - theta * theta.cos()
    }
}

/// $\kappa_0$ at the angle $\theta\in[0,\pi]$: $(\pi-\theta)/\pi$.
pub fn kappa0_angle(theta: f64) -> f64 {
    (PI - theta) / PI
}

/// $\kappa_1$ at the angle $\theta\in[0,\pi]$: $(\sin\theta + (\pi-\theta)\cos\theta)/\pi$.
///
/// Computed as $\cos\theta + h(\theta)/\pi$ for $\theta \le \pi/2$ and as $h(\pi-\theta)/\pi$
/// for $\theta > \pi/2$, with $h$ from [`sin_minus_theta_cos`].
pub fn kappa1_angle(theta: f64) -> f64 {
    if theta <= PI / 2.0 {
        theta.cos() + sin_minus_theta_cos(theta) / PI
    } else {
        sin_minus_theta_cos(PI - theta) / PI
    }
}

/// $\kappa_0(u) = 1 - \arccos(u)/\pi$ for $u\in[-1,1]$ (values outside are clamped by rounding
/// only: callers validate the range).
pub fn kappa0(u: f64) -> f64 {
    let (k0, _) = arc_cosine_parts(u, 1.0 - u, 1.0 + u);
    k0
}

/// $\kappa_1(u) = \big(u(\pi - \arccos u) + \sqrt{1-u^2}\big)/\pi$ for $u\in[-1,1]$.
pub fn kappa1(u: f64) -> f64 {
    let (_, k1) = arc_cosine_parts(u, 1.0 - u, 1.0 + u);
    k1
}

/// The two ReLU expectations for a $2\times2$ covariance $(s_x, s_y, c)$:
/// $\big(\mathbb E[\phi(u)\phi(v)],\ \mathbb E[\phi'(u)\phi'(v)]\big)$.
///
/// A zero variance gives $(0, 0)$ (the unit is identically zero; $\phi'(0) = 0$).
pub fn relu_expectations(s_x: f64, s_y: f64, c: f64) -> (f64, f64) {
    if s_x <= 0.0 || s_y <= 0.0 {
        return (0.0, 0.0);
    }
    let norm = (s_x * s_y).sqrt();
    let rho = c / norm;
    let (k0, k1) = arc_cosine_parts(rho, 1.0 - rho, 1.0 + rho);
    (0.5 * norm * k1, 0.5 * k0)
}

/// Core of the arc-cosine maps at a correlation given with its two gaps.
///
/// Input: $\rho$ and accurate values of $g = 1-\rho$ and $p = 1+\rho$ (the caller may hold them
/// to more than double precision). Output: $(\kappa_0, \kappa_1 - \rho)$ for $\rho \ge 0$, where the
/// second entry is the small correction $\big(h(\theta) + \theta(\cos\theta - \rho)\big)/\pi$,
/// so that a caller with extra precision can add it to its own $\rho$; for $\rho < 0$ it returns
/// $(\kappa_0, \kappa_1)$. Use [`arc_cosine_parts`] for plain doubles.
pub(crate) fn arc_cosine_split(rho_hi: f64, gap: f64, gap_plus: f64) -> (f64, f64, bool) {
    if gap <= 0.0 {
        return (1.0, 0.0, true);
    }
    if gap_plus <= 0.0 {
        return (0.0, 0.0, false);
    }
    if rho_hi >= 0.0 {
        let s = (0.5 * gap).sqrt().min(1.0);
        let theta = 2.0 * s.asin();
        // cos θ − ρ = (1 − ρ) − 2 sin²(θ/2): second order in the rounding of θ.
        let sh = (0.5 * theta).sin();
        let corr = gap - 2.0 * sh * sh;
        let k0 = 1.0 - theta / PI;
        let dk1 = (sin_minus_theta_cos(theta) + theta * corr) / PI;
        (k0, dk1, true)
    } else {
        let s = (0.5 * gap_plus).sqrt().min(1.0);
        let phi = 2.0 * s.asin(); // φ = π − θ
        let sh = (0.5 * phi).sin();
        // ρ + cos φ = (1 + ρ) − 2 sin²(φ/2)
        let corr = gap_plus - 2.0 * sh * sh;
        let k0 = phi / PI;
        let k1 = (sin_minus_theta_cos(phi) + phi * corr) / PI;
        (k0, k1.max(0.0), false)
    }
}

/// $(\kappa_0(\rho), \kappa_1(\rho))$ in double precision from $\rho$, $1-\rho$ and $1+\rho$.
pub(crate) fn arc_cosine_parts(rho: f64, gap: f64, gap_plus: f64) -> (f64, f64) {
    let (k0, k1_part, relative) = arc_cosine_split(rho, gap, gap_plus);
    if relative {
        if gap <= 0.0 {
            (1.0, 1.0)
        } else {
            (k0, rho + k1_part)
        }
    } else {
        (k0, k1_part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agreement of the accurate and the naive formulas where the naive one is accurate.
    const NAIVE_TOL: f64 = 1e-14;

    #[test]
    fn h_series_matches_direct_away_from_zero() {
        for &t in &[0.5_f64, 0.9, 0.999, 1.0, 1.2] {
            let direct = t.sin() - t * t.cos();
            assert!(
                (sin_minus_theta_cos(t) - direct).abs() <= 4e-16 * direct.abs().max(1e-300) * 8.0
            );
        }
        // leading term
        let t = 1e-5;
        assert!((sin_minus_theta_cos(t) / (t * t * t / 3.0) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn kappas_match_naive_formulas_at_generic_points() {
        for &u in &[-0.9_f64, -0.5, -0.1, 0.0, 0.3, 0.7, 0.95] {
            let th = u.acos();
            let k0 = (PI - th) / PI;
            let k1 = (u * (PI - th) + (1.0 - u * u).sqrt()) / PI;
            assert!((kappa0(u) - k0).abs() < NAIVE_TOL, "k0 at {u}");
            assert!((kappa1(u) - k1).abs() < NAIVE_TOL, "k1 at {u}");
            assert!((kappa1_angle(th) - k1).abs() < NAIVE_TOL);
        }
        assert_eq!(kappa0(1.0), 1.0);
        assert_eq!(kappa1(1.0), 1.0);
        assert_eq!(kappa0(-1.0), 0.0);
        assert_eq!(kappa1(-1.0), 0.0);
    }

    #[test]
    fn kappa1_derivative_is_kappa0() {
        // κ₁' = κ₀ (central differences, step h: error O(h²)).
        let h = 1e-5;
        for &u in &[-0.8_f64, -0.2, 0.1, 0.6, 0.9] {
            let d = (kappa1(u + h) - kappa1(u - h)) / (2.0 * h);
            assert!(
                (d - kappa0(u)).abs() < 1e-9,
                "u = {u}: {d} vs {}",
                kappa0(u)
            );
        }
    }

    #[test]
    fn endpoint_expansion_near_minus_one() {
        // κ₁(cos θ) near θ = π: h(φ)/π ≈ φ³/(3π)
        let phi = 1e-6;
        let k1 = kappa1_angle(PI - phi);
        assert!((k1 / (phi.powi(3) / (3.0 * PI)) - 1.0).abs() < 1e-6);
    }
}
