//! Signed numbers in log space, $x = s\\,e^{\ell}$ with $s\in\\{-1,0,1\\}$, for coefficients that
//! underflow or overflow `f64` (e.g. $\mu_k$ at $d=1000$, $k=200$; docs/design.md §3).

/// A real number stored as sign and log-magnitude: $x = \mathrm{sign}\cdot e^{\mathrm{ln\\_abs}}$.
///
/// Invariant: `sign` is $-1$, $0$ or $1$; `sign == 0` exactly when `ln_abs == -inf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogValue {
    /// $-1$, $0$ or $+1$.
    pub sign: i8,
    /// $\ln|x|$ ($-\infty$ for $x=0$).
    pub ln_abs: f64,
}

impl LogValue {
    /// Exact zero.
    pub const ZERO: LogValue = LogValue {
        sign: 0,
        ln_abs: f64::NEG_INFINITY,
    };

    /// Builds $\pm e^{\ell}$ from a sign ($<0$, $0$, $>0$) and $\ell$.
    pub fn new(sign: f64, ln_abs: f64) -> Self {
        if sign == 0.0 || ln_abs == f64::NEG_INFINITY {
            Self::ZERO
        } else if sign > 0.0 {
            LogValue { sign: 1, ln_abs }
        } else {
            LogValue { sign: -1, ln_abs }
        }
    }

    /// From an ordinary float.
    pub fn from_f64(x: f64) -> Self {
        if x == 0.0 {
            Self::ZERO
        } else {
            Self::new(x.signum(), x.abs().ln())
        }
    }

    /// The value as `f64` (may underflow to $\pm0$ or overflow to $\pm\infty$).
    pub fn value(&self) -> f64 {
        match self.sign {
            0 => 0.0,
            s => f64::from(s) * self.ln_abs.exp(),
        }
    }

    /// `true` for an exact zero.
    pub fn is_zero(&self) -> bool {
        self.sign == 0
    }

    /// The value times $(-1)^k$.
    pub fn alternate(self, k: usize) -> LogValue {
        if k % 2 == 1 {
            LogValue {
                sign: -self.sign,
                ln_abs: self.ln_abs,
            }
        } else {
            self
        }
    }
}

impl std::ops::Mul for LogValue {
    type Output = LogValue;

    /// Product of two log-values: signs multiply, logarithms add.
    fn mul(self, other: LogValue) -> LogValue {
        if self.sign == 0 || other.sign == 0 {
            LogValue::ZERO
        } else {
            LogValue {
                sign: self.sign * other.sign,
                ln_abs: self.ln_abs + other.ln_abs,
            }
        }
    }
}
