//! Dual numbers $v + d\\,\varepsilon$, $\varepsilon^2 = 0$: running the kernel recursion on
//! $t + \varepsilon$ gives $\kappa(t)$ and $\kappa'(t)$ in one pass (forward-mode automatic
//! differentiation), without allocation.

use std::f64::consts::PI;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::{KernelScalar, scale_f64};

/// A dual number: `value` $+$ `deriv`$\\,\varepsilon$.
///
/// ```
/// use ntk_sphere::scalar::{Dual, KernelScalar};
/// // d/dρ κ₁(ρ) = κ₀(ρ) (Cho & Saul 2009)
/// let (k0, k1) = Dual::variable(0.3).arc_cosine();
/// assert!((k1.deriv - k0.value).abs() < 1e-16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dual {
    /// The value.
    pub value: f64,
    /// The derivative with respect to the variable.
    pub deriv: f64,
}

impl Dual {
    /// The independent variable at `x`: $x + \varepsilon$.
    pub fn variable(x: f64) -> Self {
        Self {
            value: x,
            deriv: 1.0,
        }
    }
}

impl Add for Dual {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self {
            value: self.value + o.value,
            deriv: self.deriv + o.deriv,
        }
    }
}

impl Sub for Dual {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Self {
            value: self.value - o.value,
            deriv: self.deriv - o.deriv,
        }
    }
}

impl Mul for Dual {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Self {
            value: self.value * o.value,
            deriv: self.deriv * o.value + self.value * o.deriv,
        }
    }
}

impl Div for Dual {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        let q = self.value / o.value;
        Self {
            value: q,
            deriv: (self.deriv - q * o.deriv) / o.value,
        }
    }
}

impl Neg for Dual {
    type Output = Self;
    fn neg(self) -> Self {
        Self {
            value: -self.value,
            deriv: -self.deriv,
        }
    }
}

impl KernelScalar for Dual {
    fn from_f64(x: f64) -> Self {
        Self {
            value: x,
            deriv: 0.0,
        }
    }
    fn sqrt(&self) -> Self {
        let r = self.value.sqrt();
        Self {
            value: r,
            // a constant stays constant (also at 0)
            deriv: if self.deriv == 0.0 {
                0.0
            } else {
                self.deriv / (2.0 * r)
            },
        }
    }
    /// $\kappa_0' = 1/(\pi\sqrt{1-\rho^2})$ and $\kappa_1' = \kappa_0$; the derivative is
    /// infinite at $\rho = \pm1$ unless $\rho$ is constant.
    fn arc_cosine(&self) -> (Self, Self) {
        let (k0, k1) = self.value.arc_cosine();
        let dk0 = if self.deriv == 0.0 {
            0.0
        } else {
            self.deriv / (PI * ((1.0 - self.value) * (1.0 + self.value)).sqrt())
        };
        (
            Self {
                value: k0,
                deriv: dk0,
            },
            Self {
                value: k1,
                deriv: k0 * self.deriv,
            },
        )
    }
    /// $(e^x)' = e^x$.
    fn exp(&self) -> Self {
        let e = self.value.exp();
        Self {
            value: e,
            deriv: e * self.deriv,
        }
    }
    /// $\arcsin' x = 1/\sqrt{1-x^2}$ (infinite at $\pm1$ unless $x$ is constant).
    fn asin(&self) -> Self {
        let x = self.value.clamp(-1.0, 1.0);
        Self {
            value: x.asin(),
            deriv: if self.deriv == 0.0 {
                0.0
            } else {
                self.deriv / ((1.0 - x) * (1.0 + x)).sqrt()
            },
        }
    }
    fn approx(&self) -> f64 {
        self.value
    }
    super::dispatch_methods!(dual_dual, apply_dual);
    fn to_number(&self) -> Option<f64> {
        None
    }
    fn scale_pow2(&self, e: i32) -> Self {
        Self {
            value: scale_f64(self.value, e),
            deriv: scale_f64(self.deriv, e),
        }
    }
}

crate::scalar::impl_zero_one!(Dual, |x| x.value == 0.0 && x.deriv == 0.0);
