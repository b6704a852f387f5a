//! Smoothness measures of a fitted $f = \sum_u c_u\\,\kappa(\langle x_u, \cdot\rangle)$: RKHS norm,
//! spectral Sobolev seminorms, one-sided derivatives and their jumps on the circle, gradient
//! bounds.

use std::f64::consts::{PI, TAU};

use rayon::prelude::*;

use super::RegressionError;
use super::fit::{KernelRegressor, circle_points, require_circle, unit_points};
use crate::gegenbauer::{legendre_all, ln_gamma, ln_gamma_ratio, ln_gamma_signed, ln_multiplicity};
use crate::kernel::{AngleDerivative, Points, angle_between};
use crate::spectrum::{decay, mercer_spectrum};

/// A center at angle at most `KINK_ANGLE` from an evaluation point (or from its antipode) is
/// treated as sitting exactly on its kink: its term contributes the one-sided slope
/// ($h(\varphi) - h(0^+) = O(\varphi)$, far below rounding).
pub const KINK_ANGLE: f64 = 1e-12;

/// Default truncation degree of [`KernelRegressor::h1_seminorm`].
pub const H1_KMAX: usize = 2000;

/// Largest grid of [`KernelRegressor::max_abs_derivative`]: $2^{24}$ points (each costs one
/// kernel-derivative evaluation per center).
pub const MAX_GRID_POINTS: usize = 1 << 24;

/// Terms of the tail of a Sobolev seminorm summed explicitly (with exact multiplicities) beyond
/// $k_{\max}$, as a multiple of $k_{\max}$, before the integral remainder.
const TAIL_EXPLICIT_FACTOR: usize = 8;

/// A spectral Sobolev seminorm with its truncation (see
/// [`KernelRegressor::sobolev_seminorm`]). `partial_sum` and `tail_estimate` are *squared*
/// quantities; `value` $= \sqrt{\text{partial\\_sum} + \text{tail\\_estimate}}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolevSeminorm {
    /// The order $s$.
    pub s: f64,
    /// The last degree summed exactly.
    pub kmax: usize,
    /// $\sum_{k\le k_{\max}} (k(k+d-2))^s\\,\\|f_k\\|^2$.
    pub partial_sum: f64,
    /// The estimated remainder $\sum_{k > k_{\max}}$ (asymptotic eigenvalues, diagonal and
    /// antipodal part of $Q_k$; see [`KernelRegressor::sobolev_seminorm`]).
    pub tail_estimate: f64,
    /// $|f|\_{H^s}$, including the tail estimate.
    pub value: f64,
}

/// A side of a point of the circle, for one-sided derivatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitSide {
    /// $\theta^-$ (limit from below).
    Left,
    /// $\theta^+$ (limit from above).
    Right,
}

/// $\varphi$ reduced to $(-\pi, \pi]$.
fn wrap(phi: f64) -> f64 {
    let r = phi.rem_euclid(TAU);
    if r > PI { r - TAU } else { r }
}

impl KernelRegressor {
    /// The RKHS norm $\\|f\\|\_{\mathcal H} = \sqrt{c^\top K c}$ (reproducing property:
    /// $\langle \kappa(\langle x_u,\cdot\rangle), \kappa(\langle x_v,\cdot\rangle)\rangle_{\mathcal H}
    /// = K_{uv}$). For the interpolant, $c = K^{-1}y$ and $\\|f\\|^2 = y^\top K^{-1} y$, the smallest
    /// norm of any interpolant.
    pub fn rkhs_norm(&self) -> f64 {
        let c = &self.coefficients;
        let q: f64 = (0..c.len())
            .map(|i| {
                c[i] * self
                    .gram
                    .row(i)
                    .iter()
                    .zip(c)
                    .map(|(k, cj)| k * cj)
                    .sum::<f64>()
            })
            .sum();
        q.max(0.0).sqrt()
    }

    /// The spectral Sobolev seminorm of order $s \ge 0$ on $S^{d-1}$:
    /// $$|f|\_{H^s}^2 = \sum_{k\ge0} \big(k(k+d-2)\big)^s\\,\\|f_k\\|^2_{L^2(\tau)},\qquad
    ///   \\|f_k\\|^2_{L^2(\tau)} = \mu_k^2\\,N(d,k)\sum_{u,v} c_u c_v\\,P_k(\langle x_u,x_v\rangle),$$
    /// where $k(k+d-2)$ are the eigenvalues of the Laplace–Beltrami operator and $f_k$ is the
    /// degree-$k$ component of $f$ (for $s = 1$, $|f|^2_{H^1} = \int\\|\nabla_S f\\|^2 d\tau$ by
    /// Green's formula; for $s = 0$ it is $\\|f\\|^2_{L^2(\tau)}$).
    ///
    /// *Derivation.* By Mercer/Funk–Hecke, $\kappa(\langle x,y\rangle) = \sum_k \mu_k N(d,k)
    /// P_k(\langle x,y\rangle)$, so $f_k = \mu_k N(d,k)\sum_u c_u P_k(\langle x_u,\cdot\rangle)$,
    /// and the addition theorem gives $\int P_k(\langle x,z\rangle) P_k(\langle z,y\rangle)
    /// d\tau(z) = P_k(\langle x,y\rangle)/N(d,k)$ (Atkinson & Han 2012, Thm. 2.9 and (2.79);
    /// conventions of docs/conventions.md).
    ///
    /// *Truncation.* Degrees $k \le k_{\max}$ use [`mercer_spectrum`]. The remainder is estimated
    /// from the decay law ([`decay`]) in the form $\mu_k \approx C_{k \bmod 2}\\,k^{e}
    /// \cdot k^{-e}\Gamma(k-\nu)/\Gamma(k+\nu+d-1)$ — the Gamma ratio is the exact $k$-dependence
    /// of the eigenvalues of $(1-t)^\nu$ and tends to $k^{e}$, $e = -(d-1+2\nu)$, but unlike the
    /// bare power it stays accurate for $k \lesssim d$, where $k^e$ overestimates by
    /// $e^{O(d^2/k)}$ — and the non-oscillating
    /// part of $Q_k = \sum_{u,v} c_uc_vP_k(\langle x_u,x_v\rangle)$, namely
    /// $\sum_u c_u^2 + (-1)^k\sum_{u,v\ \text{antipodal}} c_uc_v$ (for $t \in (-1,1)$, $P_k(t)$
    /// oscillates and is $O(k^{-(d-2)/2})$; on the circle, $\sum_{k>K} k^{-2}\cos k\theta =
    /// O(1/(K^2\theta))$, and likewise $O(1/(K^2\varepsilon))$ for a pair at angle
    /// $\pi - \varepsilon$: nearly coincident or nearly antipodal centers make the estimate
    /// coarser). It is summed with exact $(k(k+d-2))^s N(d,k)$ up to
    /// $8k_{\max}$ and by the integral of the asymptotic power law beyond. The terms decay like
    /// $k^q$, $q = 2s + 2e + d - 2$ (for the ReLU NTK $e = -d$, so $H^s$ is finite for
    /// $s < (d+1)/2$; $q \ge -1$ is [`RegressionError::SobolevDiverges`]). The relative error of
    /// the estimate is $O(1/k_{\max})$ of the tail, so `value` is accurate to
    /// $O(\text{tail}/k_{\max})$ plus the oscillating part.
    ///
    /// Errors: [`RegressionError::InvalidSobolevOrder`], [`RegressionError::SobolevDiverges`],
    /// spectrum errors ($d < 2$, $k_{\max}$ too large).
    pub fn sobolev_seminorm(
        &self,
        s: f64,
        kmax: usize,
    ) -> Result<SobolevSeminorm, RegressionError> {
        if !(s.is_finite() && s >= 0.0) {
            return Err(RegressionError::InvalidSobolevOrder { s });
        }
        let d = self.kernel.dim();
        let spectrum = mercer_spectrum(&self.kernel, kmax, true)?;
        let law = decay(&self.kernel, true)?;
        let k1 = self.kernel.value_at_one()?;
        let n = self.centers.len();
        let c = &self.coefficients;

        // Q_k = Σ_u c_u² + 2 Σ_{u<v} c_u c_v P_k(t_uv); D and A for the tail.
        let diag: f64 = c.iter().map(|x| x * x).sum();
        let mut q = vec![diag; kmax + 1];
        let mut antipodal = 0.0;
        for u in 0..n {
            for v in (u + 1)..n {
                let theta = angle_between(self.centers.row(u), 1.0, self.centers.row(v), 1.0);
                if theta >= PI - super::COINCIDENCE_ANGLE {
                    antipodal += 2.0 * c[u] * c[v];
                }
                let p = legendre_all(d, kmax, theta.cos())
                    .map_err(crate::spectrum::SpectrumError::from)?;
                for (qk, pk) in q.iter_mut().zip(&p) {
                    *qk += 2.0 * c[u] * c[v] * pk;
                }
            }
        }
        let laplace = |k: f64| -> f64 {
            let lam = k * (k + d as f64 - 2.0);
            if s == 0.0 { 1.0 } else { lam.powf(s) }
        };
        let partial: f64 = spectrum
            .eigenvalues
            .iter()
            .zip(&q)
            .map(|(e, qk)| laplace(e.k as f64) * e.mu * e.mu * e.multiplicity * qk)
            .sum::<f64>()
            * k1
            * k1;

        // Tail.
        let mut tail = 0.0;
        // (with the logarithms of the decay constants: at large d the constants overflow while
        // the powers of k underflow, and only their product is of ordinary size)
        let has_law = law.exponent.is_finite()
            && (law.log_constant_even.is_some() || law.log_constant_odd.is_some());
        if has_law {
            let qexp = 2.0 * s + 2.0 * law.exponent + d as f64 - 2.0;
            if qexp >= -1.0 {
                return Err(RegressionError::SobolevDiverges { s, exponent: qexp });
            }
            // C_k² (D ± A) e^{ln_rest}, with C_k the constant of k's parity (0 if it vanishes).
            let term = |k: usize, ln_rest: f64| -> f64 {
                let (ln_c, sign) = if k % 2 == 0 {
                    (law.log_constant_even, 1.0)
                } else {
                    (law.log_constant_odd, -1.0)
                };
                ln_c.map_or(0.0, |ln_c| {
                    (2.0 * ln_c + ln_rest).exp() * (diag + sign * antipodal)
                })
            };
            // ln of Γ(k−ν)/Γ(k+ν+d−1), the exact k-dependence of the eigenvalues of (1−t)^ν,
            // → k^exponent for k ≫ d (for k ≲ d the power law overestimates by e^{O(d²/k)}).
            let (nu, df) = (law.nu, d as f64);
            let ln_shape = |k: f64| -> f64 {
                if k - nu > 0.0 {
                    -ln_gamma_ratio(k - nu, 2.0 * nu + df - 1.0)
                } else {
                    ln_gamma_signed(k - nu).1 - ln_gamma(k + nu + df - 1.0)
                }
            };
            let k_end = kmax.saturating_mul(TAIL_EXPLICIT_FACTOR).max(kmax + 1000);
            for k in (kmax + 1)..=k_end {
                let kf = k as f64;
                let ln_n = ln_multiplicity(d, k).map_err(crate::spectrum::SpectrumError::from)?;
                tail += laplace(kf) * term(k, 2.0 * ln_shape(kf) + ln_n);
            }
            // Beyond: N(d,k) ~ 2k^{d-2}/(d-2)!, (k(k+d-2))^s ~ k^{2s}, μ_k ~ C k^exponent times
            // the ratio of the Gamma form to the power at k_end; parity-averaged constant.
            let a = k_end as f64 + 0.5;
            let ln_rest = 2f64.ln() - ln_gamma(df - 1.0)
                + (qexp + 1.0) * a.ln()
                + 2.0 * (ln_shape(a) - law.exponent * a.ln());
            let avg = 0.5 * (term(k_end + 1, ln_rest) + term(k_end + 2, ln_rest));
            tail += avg / (-qexp - 1.0);
            tail *= k1 * k1;
        }
        let total = (partial + tail).max(0.0);
        Ok(SobolevSeminorm {
            s,
            kmax,
            partial_sum: partial,
            tail_estimate: tail,
            value: total.sqrt(),
        })
    }

    /// $|f|\_{H^1} = \big(\int_{S^{d-1}}\\|\nabla_S f\\|^2 d\tau\big)^{1/2}$:
    /// [`KernelRegressor::sobolev_seminorm`] with $s = 1$ and $k_{\max}$ = [`H1_KMAX`]. On the
    /// circle it equals $\big(\frac1{2\pi}\int_{-\pi}^{\pi}|f'(\theta)|^2d\theta\big)^{1/2}$.
    pub fn h1_seminorm(&self) -> Result<SobolevSeminorm, RegressionError> {
        self.sobolev_seminorm(1.0, H1_KMAX)
    }

    /// Center angles $\theta_u = \operatorname{atan2}(x_{u,2}, x_{u,1})$ on the circle.
    fn center_angles(&self) -> Vec<f64> {
        (0..self.centers.len())
            .map(|u| {
                let r = self.centers.row(u);
                r[1].atan2(r[0])
            })
            .collect()
    }

    /// $(f'(\theta^-), f'(\theta^+))$ on the circle, from precomputed pieces.
    fn one_sided_pair(
        &self,
        h: &AngleDerivative,
        angles: &[f64],
        theta: f64,
    ) -> Result<(f64, f64), RegressionError> {
        let (h0, hpi) = (h.at_zero(), h.at_pi());
        let (mut left, mut right) = (0.0, 0.0);
        for (c, &tu) in self.coefficients.iter().zip(angles) {
            let phi = wrap(theta - tu);
            let a = phi.abs();
            if a <= KINK_ANGLE {
                right += c * h0;
                left -= c * h0;
            } else if a >= PI - KINK_ANGLE {
                right -= c * hpi;
                left += c * hpi;
            } else {
                let v = c * phi.signum() * h.eval(a)?;
                right += v;
                left += v;
            }
        }
        Ok((left, right))
    }

    /// The one-sided derivative $f'(\theta^\pm)$ of $\theta \mapsto f(\cos\theta, \sin\theta)$ on
    /// the circle ($d = 2$):
    /// $$f'(\theta) = \sum_u c_u\\,\operatorname{sgn}(\varphi_u)\\,h(|\varphi_u|),\qquad
    ///   \varphi_u = \theta - \theta_u \in (-\pi, \pi],$$
    /// with $h(\varphi) = \frac{d}{d\varphi}\kappa(\cos\varphi) = -\sin\varphi\\,\kappa'(\cos\varphi)$
    /// ([`AngleDerivative`]). At a center ($\varphi_u = 0$) the term is $\pm c_u h(0^+)$ on the
    /// right/left, $h(0^+) = -\kappa(1)c_+/\sqrt2$; at its antipode ($|\varphi_u| = \pi$) it is
    /// $\mp c_u h(\pi^-)$, $h(\pi^-) = \kappa(1)c_-/\sqrt2$ (both from $\kappa(1\mp u) =
    /// \kappa(\pm1) - \kappa(1)c_\pm\sqrt u + O(u)$ with $1 - \cos\varphi = \varphi^2/2 + O(\varphi^4)$).
    ///
    /// Errors: [`RegressionError::NotCircle`], [`RegressionError::NonFiniteAngle`], kernel errors.
    pub fn derivative_angle(&self, theta: f64, side: LimitSide) -> Result<f64, RegressionError> {
        require_circle(&self.kernel)?;
        if !theta.is_finite() {
            return Err(RegressionError::NonFiniteAngle {
                index: 0,
                value: theta,
            });
        }
        let h = AngleDerivative::new(&self.kernel)?;
        let (l, r) = self.one_sided_pair(&h, &self.center_angles(), theta)?;
        Ok(match side {
            LimitSide::Left => l,
            LimitSide::Right => r,
        })
    }

    /// The signed derivative jumps $f'(\theta_u^+) - f'(\theta_u^-)$ at the centers on the circle,
    /// in center order. Only terms with a kink at $\theta_u$ contribute:
    /// $$f'(\theta_u^+) - f'(\theta_u^-) = -\sqrt2\\,\kappa(1)\Big(c_+\\,c_u + c_-\\!\\!
    ///   \sum_{v\ \text{antipodal to}\ u}\\! c_v\Big).$$
    /// (The kinks at the antipodes of the centers are not data points and are not included.)
    pub fn derivative_jumps(&self) -> Result<Vec<f64>, RegressionError> {
        require_circle(&self.kernel)?;
        let h = AngleDerivative::new(&self.kernel)?;
        let angles = self.center_angles();
        angles
            .iter()
            .map(|&t| {
                let (l, r) = self.one_sided_pair(&h, &angles, t)?;
                Ok(r - l)
            })
            .collect()
    }

    /// $\sum_u |f'(\theta_u^+) - f'(\theta_u^-)|$ over the (merged) training points on the circle:
    /// the total size of the kinks of the fitted function at the data, the quantity by which
    /// Tirer, Bruna & Giryes (2021, the 1-D regression experiment) compare the sharpness of MLP and
    /// ResNet interpolants. See [`KernelRegressor::derivative_jumps`].
    pub fn derivative_jump_sum(&self) -> Result<f64, RegressionError> {
        Ok(self.derivative_jumps()?.iter().map(|j| j.abs()).sum())
    }

    /// $\max_\theta |f'(\theta)|$ on the circle ($d = 2$), estimated as the largest of
    /// $|f'(\theta_j)|$ on the uniform grid $\theta_j = -\pi + 2\pi j/n$, $j < n$, and of both
    /// one-sided values $|f'(\theta^\pm)|$ at every center and every antipode of a center (the
    /// kinks, where $|f'|$ typically peaks). Between grid points $|f'|$ is smooth, so the
    /// estimate misses at most $O(n^{-1}\max|f''|)$ there.
    ///
    /// Errors: [`RegressionError::InvalidGrid`] for $n = 0$ and $n >$ [`MAX_GRID_POINTS`];
    /// those of [`KernelRegressor::derivative_angle`].
    pub fn max_abs_derivative(&self, n: usize) -> Result<f64, RegressionError> {
        require_circle(&self.kernel)?;
        if n == 0 || n > MAX_GRID_POINTS {
            return Err(RegressionError::InvalidGrid { n });
        }
        let h = AngleDerivative::new(&self.kernel)?;
        let angles = self.center_angles();
        let grid = (0..n).map(|j| -PI + TAU * j as f64 / n as f64);
        let kinks = angles.iter().flat_map(|&t| [t, wrap(t + PI)]);
        let points: Vec<f64> = grid.chain(kinks).collect();
        // one recursion pass per point and center: in parallel (rayon)
        points
            .par_iter()
            .map(|&theta| {
                let (l, r) = self.one_sided_pair(&h, &angles, theta)?;
                Ok(l.abs().max(r.abs()))
            })
            .try_reduce(|| 0.0, |a, b| Ok(a.max(b)))
    }

    /// The largest one-sided directional slope at each unit point $x$,
    /// $\sup_{v \perp x, \\|v\\|=1} |D_v^+ f(x)|$; where $f$ is differentiable this is the norm of
    /// the spherical gradient
    /// $$\nabla_S f(x) = \sum_u c_u\\,\kappa'(t_u)\\,(x_u - t_u x) = -\sum_u c_u\\,h(\varphi_u)\\,e_u,$$
    /// $t_u = \cos\varphi_u = \langle x_u, x\rangle$, $e_u = (x_u - t_ux)/\sin\varphi_u$ the unit
    /// tangent towards $x_u$, $h$ as in [`AngleDerivative`]. A center at $x$ (angle $\le$
    /// [`KINK_ANGLE`]) adds the same one-sided slope $a = c_u h(0^+)$ in every direction (the
    /// angle grows at unit rate), an antipodal center $a = -c_u h(\pi^-)$; then the supremum is
    /// $\\|G\\| + |a|$ with $G$ the gradient of the other terms. On the circle this is
    /// $\max(|f'(\theta^-)|, |f'(\theta^+)|)$.
    ///
    /// Errors: [`RegressionError::DimensionMismatch`], [`RegressionError::NotUnit`], kernel
    /// errors.
    pub fn gradient_norms(&self, x: &Points) -> Result<Vec<f64>, RegressionError> {
        let x = unit_points(&self.kernel, x)?;
        let h = AngleDerivative::new(&self.kernel)?;
        let (h0, hpi) = (h.at_zero(), h.at_pi());
        let d = self.kernel.dim();
        let mut out = Vec::with_capacity(x.len());
        let mut g = vec![0.0; d];
        for i in 0..x.len() {
            let xi = x.row(i);
            g.iter_mut().for_each(|v| *v = 0.0);
            let mut a = 0.0;
            for (u, c) in self.coefficients.iter().enumerate() {
                let xu = self.centers.row(u);
                let phi = angle_between(xu, 1.0, xi, 1.0);
                if phi <= KINK_ANGLE {
                    a += c * h0;
                } else if phi >= PI - KINK_ANGLE {
                    a -= c * hpi;
                } else {
                    let t: f64 = xu.iter().zip(xi).map(|(p, q)| p * q).sum();
                    let e: Vec<f64> = xu.iter().zip(xi).map(|(p, q)| p - t * q).collect();
                    let ne = e.iter().map(|v| v * v).sum::<f64>().sqrt();
                    let w = -c * h.eval(phi)? / ne;
                    for (gv, ev) in g.iter_mut().zip(&e) {
                        *gv += w * ev;
                    }
                }
            }
            out.push(g.iter().map(|v| v * v).sum::<f64>().sqrt() + a.abs());
        }
        Ok(out)
    }

    /// The largest of [`KernelRegressor::gradient_norms`] over a supplied point set: an estimate
    /// (from below) of $\sup_{S^{d-1}}\\|\nabla_S f\\|$, exact in the limit of dense sets that
    /// include the centers and their antipodes.
    pub fn max_gradient_norm(&self, x: &Points) -> Result<f64, RegressionError> {
        Ok(self.gradient_norms(x)?.into_iter().fold(0.0, f64::max))
    }

    /// [`KernelRegressor::gradient_norms`] on the circle at angles (convenience; $d = 2$).
    pub fn gradient_norms_angles(&self, theta: &[f64]) -> Result<Vec<f64>, RegressionError> {
        require_circle(&self.kernel)?;
        match circle_points(theta)? {
            Some(p) => self.gradient_norms(&p),
            None => Ok(Vec::new()),
        }
    }
}
