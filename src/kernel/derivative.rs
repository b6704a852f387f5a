//! Derivatives of a dot-product kernel: $\kappa'(t)$ in the inner product and
//! $\frac{d}{d\theta}\kappa(\cos\theta)$ in the angle, both from the single recursion of
//! [`crate::arch`] run on other number types (docs/design.md §2). The formulas are in the
//! documentation of [`AngleDerivative`].

use super::{SphereKernel, scaled_to_f64};
use crate::error::KernelError;
use crate::scalar::Dual;
use crate::series::{Endpoint, SeriesError, endpoint_expansion};

/// Angles within this distance of $0$ or $\pi$ use the endpoint expansions in
/// [`AngleDerivative::eval`] (there $s \le \sqrt2\sin(0.01) \approx 0.0141$, so the truncation
/// error $O(s^{\text{ORDER}})$ is far below rounding; farther out the interior formula loses at
/// most $\varepsilon/(1-\cos\theta) \approx 2\cdot10^{-12}$ relative accuracy to the rounding of
/// $\cos\theta$).
pub const ENDPOINT_ANGLE: f64 = 0.02;

/// Order of the endpoint expansions used near $\theta = 0, \pi$.
const ENDPOINT_ORDER: usize = 16;

fn series_to_kernel_error(endpoint: f64, e: SeriesError) -> KernelError {
    match e {
        SeriesError::Kernel(k) => k,
        other => KernelError::EndpointExpansion {
            endpoint,
            reason: other.to_string(),
        },
    }
}

impl SphereKernel {
    /// The derivative $\kappa'(t)$ at an interior inner product $t \in (-1, 1)$, by running the
    /// kernel recursion on the dual number $t + \varepsilon$ (the coefficient of $\varepsilon$ of
    /// the result). At $t = \pm1$ the NTK of a ReLU network has an infinite derivative (the kink
    /// $\kappa(1-g) = \kappa(1)(1 - c_+\sqrt g + O(g))$); use [`AngleDerivative`] for the
    /// derivative in the angle, which stays finite.
    ///
    /// Errors: [`KernelError::DerivativeUndefined`] for $t \notin (-1, 1)$,
    /// [`KernelError::DerivativeAtKink`] for a correlation of an inner layer that reaches $\pm1$
    /// within rounding, [`KernelError::NotRepresentable`] if the value does not fit in `f64`.
    ///
    /// ```
    /// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
    /// // 2-layer NTK (L = 1): κ(t) = (t κ₀(t) + κ₁(t))/(2d), so
    /// // κ'(t) = (2κ₀(t) + t/(π√(1−t²)))/(2d) with κ₀(t) = 1 − arccos(t)/π.
    /// let d = 3;
    /// let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, d).unwrap();
    /// let (t, pi) = (0.3_f64, std::f64::consts::PI);
    /// let k0 = 1.0 - t.acos() / pi;
    /// let want = (2.0 * k0 + t / (pi * (1.0 - t * t).sqrt())) / (2.0 * d as f64);
    /// assert!((k.derivative(t).unwrap() - want).abs() < 1e-14);
    /// ```
    pub fn derivative(&self, t: f64) -> Result<f64, KernelError> {
        if !(t > -1.0 && t < 1.0) {
            return Err(KernelError::DerivativeUndefined { u: t });
        }
        let s = self.eval_generic(Dual::variable(t));
        let d1 = s.mantissa.deriv;
        if !s.mantissa.value.is_finite() {
            return Err(KernelError::NonFiniteRecursion {
                value: s.mantissa.value,
            });
        }
        if !d1.is_finite() {
            // t is interior, but an inner layer's correlation rounded to +-1, where the
            // ReLU kink makes the derivative infinite.
            return Err(KernelError::DerivativeAtKink { u: t });
        }
        scaled_to_f64(d1, s.exp2)
    }

    /// $\frac{d}{d\theta}\kappa(\cos\theta)$ for $\theta \in [0, \pi]$, one-sided at the ends
    /// (see [`AngleDerivative`], which this builds; build it once for many evaluations).
    pub fn angle_derivative(&self, theta: f64) -> Result<f64, KernelError> {
        AngleDerivative::new(self)?.eval(theta)
    }
}

/// The derivative in the angle, $h(\theta) = \frac{d}{d\theta}\kappa(\cos\theta)
/// = -\sin\theta\\,\kappa'(\cos\theta)$ on $[0, \pi]$, with the one-sided limits
/// $h(0^+) = a^+\_1/\sqrt2 = -\kappa(1)c_+/\sqrt2$ and $h(\pi^-) = -a^-\_1/\sqrt2 = \kappa(1)c_-/\sqrt2$
/// at the ends. Holds the endpoint expansions, so that each evaluation costs one recursion
/// pass.
///
/// * Interior: the recursion on the dual number $t_0 + \varepsilon$ ([`Dual`]) returns
///   $\kappa(t_0) + \kappa'(t_0)\\,\varepsilon$ (forward-mode differentiation, no allocation),
///   so $\frac{d}{d\theta}\kappa(\cos\theta) = -\sin\theta\\,\kappa'(\cos\theta)$.
/// * Near the ends $\theta \to 0$ and $\theta \to \pi$, where $\kappa'$ has a $(1\mp t)^{-1/2}$
///   singularity (the kink of ReLU kernels), the endpoint expansions
///   $\kappa(1 - s^2) = \sum_j a^+\_j s^j$ with $s = \sqrt{1-\cos\theta} = \sqrt2\sin(\theta/2)$ and
///   $\kappa(-1 + s^2) = \sum_j a^-\_j s^j$ with $s = \sqrt{1+\cos\theta} = \sqrt2\cos(\theta/2)$
///   ([`crate::series::endpoint_expansion`]) give
///   $$\frac{d}{d\theta}\kappa(\cos\theta) = \frac{\sqrt2}{2}\cos\tfrac\theta2\sum_{j\ge1} j a^+\_j s^{j-1}
///   \quad(\theta\ \text{small}),\qquad
///   -\frac{\sqrt2}{2}\sin\tfrac\theta2\sum_{j\ge1} j a^-\_j s^{j-1}\quad(\theta\ \text{near}\ \pi),$$
///   with the one-sided limits $a^+\_1/\sqrt2$ at $\theta = 0^+$ and $-a^-\_1/\sqrt2$ at
///   $\theta = \pi^-$. With the kink coefficients of [`crate::series::kink_coefficients`],
///   $a^+\_1 = -\kappa(1)\\,c_+$ and $a^-\_1 = -\kappa(1)\\,c_-$, i.e. slopes $-\kappa(1)c_+/\sqrt2$ and
///   $\kappa(1)c_-/\sqrt2$ (from $1-\cos\theta = \theta^2/2 + O(\theta^4)$).
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::kernel::AngleDerivative;
/// use ntk_sphere::series::kink_coefficients;
/// let k = SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
/// let h = AngleDerivative::new(&k).unwrap();
/// let (c_plus, _) = kink_coefficients(&k).unwrap();
/// let slope0 = -k.value_at_one().unwrap() * c_plus / 2f64.sqrt();
/// assert!((h.eval(0.0).unwrap() - slope0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone)]
pub struct AngleDerivative {
    kernel: SphereKernel,
    plus: Vec<f64>,
    minus: Vec<f64>,
}

/// $\sum_{j\ge1} j a_j s^{j-1}$ (Horner).
fn series_derivative(a: &[f64], s: f64) -> f64 {
    a.iter()
        .enumerate()
        .skip(1)
        .rev()
        .fold(0.0, |acc, (j, &c)| acc * s + j as f64 * c)
}

impl AngleDerivative {
    /// Precomputes the endpoint expansions of `kernel` at $t = \pm1$.
    pub fn new(kernel: &SphereKernel) -> Result<Self, KernelError> {
        let plus = endpoint_expansion(kernel, Endpoint::Plus, ENDPOINT_ORDER)
            .map_err(|e| series_to_kernel_error(1.0, e))?;
        let minus = endpoint_expansion(kernel, Endpoint::Minus, ENDPOINT_ORDER)
            .map_err(|e| series_to_kernel_error(-1.0, e))?;
        Ok(Self {
            kernel: kernel.clone(),
            plus,
            minus,
        })
    }

    /// The kernel.
    pub fn kernel(&self) -> &SphereKernel {
        &self.kernel
    }

    /// The one-sided slope at $\theta = 0^+$, $a^+\_1/\sqrt2 = -\kappa(1)c_+/\sqrt2$.
    pub fn at_zero(&self) -> f64 {
        self.plus.get(1).copied().unwrap_or(0.0) / std::f64::consts::SQRT_2
    }

    /// The one-sided slope at $\theta = \pi^-$, $-a^-\_1/\sqrt2 = \kappa(1)c_-/\sqrt2$.
    pub fn at_pi(&self) -> f64 {
        -self.minus.get(1).copied().unwrap_or(0.0) / std::f64::consts::SQRT_2
    }

    /// $h(\theta) = \frac{d}{d\theta}\kappa(\cos\theta)$ for $\theta \in [0, \pi]$ (right limit at
    /// $0$, left limit at $\pi$). Within [`ENDPOINT_ANGLE`] of an end the endpoint expansion is
    /// used, elsewhere $-\sin\theta\\,\kappa'(\cos\theta)$ from [`SphereKernel::derivative`].
    ///
    /// Errors: [`KernelError::AngleOutOfRange`] for $\theta \notin [0, \pi]$; those of
    /// [`SphereKernel::derivative`].
    pub fn eval(&self, theta: f64) -> Result<f64, KernelError> {
        use std::f64::consts::{FRAC_1_SQRT_2, PI, SQRT_2};
        if !(0.0..=PI).contains(&theta) {
            return Err(KernelError::AngleOutOfRange { theta });
        }
        let half = 0.5 * theta;
        if theta <= ENDPOINT_ANGLE {
            let s = SQRT_2 * half.sin();
            Ok(FRAC_1_SQRT_2 * half.cos() * series_derivative(&self.plus, s))
        } else if theta >= PI - ENDPOINT_ANGLE {
            // cos(θ/2) = sin((π − θ)/2), accurate near π.
            let s = SQRT_2 * (0.5 * (PI - theta)).sin();
            Ok(-FRAC_1_SQRT_2 * half.sin() * series_derivative(&self.minus, s))
        } else {
            Ok(-theta.sin() * self.kernel.derivative(theta.cos())?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KernelKind, Mlp, ResNet};

    /// Agreement of the endpoint and interior formulas at the switch angle (the interior one
    /// carries the rounding of $\cos\theta$, amplified by $1/(1-\cos\theta) \approx 5000$).
    const SWITCH_TOL: f64 = 1e-11;

    #[test]
    fn endpoint_and_interior_formulas_agree_at_the_switch() {
        for k in [
            SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap(),
            SphereKernel::new(ResNet::new(5, 0.1, 1.0, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap(),
            SphereKernel::new(Mlp::new(3, 1.0).unwrap(), KernelKind::Nngp, 2).unwrap(),
        ] {
            let h = AngleDerivative::new(&k).unwrap();
            let k1 = k.value_at_one().unwrap();
            for theta in [ENDPOINT_ANGLE, std::f64::consts::PI - ENDPOINT_ANGLE] {
                let series = h.eval(theta).unwrap();
                let interior = -theta.sin() * k.derivative(theta.cos()).unwrap();
                assert!(
                    (series - interior).abs() <= SWITCH_TOL * k1,
                    "{k:?} θ={theta}: {series} vs {interior}"
                );
            }
        }
    }

    #[test]
    fn derivative_rejects_endpoints() {
        let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
        for t in [1.0, -1.0, 1.5, f64::NAN] {
            assert!(matches!(
                k.derivative(t),
                Err(KernelError::DerivativeUndefined { .. })
            ));
        }
        assert!(matches!(
            k.angle_derivative(-0.1),
            Err(KernelError::AngleOutOfRange { .. })
        ));
    }
}
