//! Expansions of a [`SphereKernel`] at $t = 0$ and $t = \pm1$ (see the [module
//! documentation](super)).

use super::Coefficient;
use super::SeriesError;
use super::types::{PowerSeries, PuiseuxSeries};
use crate::arch::Scaled;
use crate::error::KernelError;
use crate::kernel::SphereKernel;
use crate::scalar::{DoubleDouble, scale_f64};

/// An end of the interval $[-1, 1]$ of inner products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// $t = 1$ (coincident inputs, $\theta = 0$); expansion variable $s = \sqrt{1-t}$.
    Plus,
    /// $t = -1$ (antipodal inputs, $\theta = \pi$); expansion variable $s = \sqrt{1+t}$.
    Minus,
}

/// First non-finite coefficient, as an error.
fn check_finite(c: &[f64], what: &'static str) -> Result<(), SeriesError> {
    match c.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(SeriesError::Degenerate { what, index }),
        None => Ok(()),
    }
}

/// `mantissa · 2^exp2` coefficient-wise, or an error if a coefficient overflows (coefficients
/// that underflow become 0).
fn unscale(c: &[f64], exp2: i64) -> Result<Vec<f64>, SeriesError> {
    let e = exp2.clamp(-(1 << 20), 1 << 20) as i32;
    let out: Vec<f64> = c.iter().map(|&x| scale_f64(x, e)).collect();
    if let Some(&x) = c
        .iter()
        .find(|&&x| x != 0.0 && !scale_f64(x, e).is_finite())
    {
        return Err(KernelError::NotRepresentable {
            log2_abs: x.abs().log2() + exp2 as f64,
        }
        .into());
    }
    Ok(out)
}

/// Coefficients divided by $\kappa(1)$ (computed in double-double by the same recursion).
fn normalize(kernel: &SphereKernel, c: &[f64], exp2: i64) -> Result<Vec<f64>, SeriesError> {
    let one: Scaled<DoubleDouble> = kernel.eval_generic(DoubleDouble::from(1.0));
    let den = one.mantissa.to_f64();
    crate::kernel::check_normalizer(den, false)?;
    let e = (exp2 - one.exp2).clamp(-(1 << 20), 1 << 20) as i32;
    Ok(c.iter().map(|&x| scale_f64(x / den, e)).collect())
}

fn maclaurin_scaled(kernel: &SphereKernel, n: usize) -> Result<(Vec<f64>, i64), SeriesError> {
    if n == 0 {
        return Ok((Vec::new(), 0));
    }
    let s = kernel.eval_generic(PowerSeries::variable(n - 1)?);
    let mut c = s.mantissa.coefficients().to_vec();
    check_finite(&c, "Maclaurin")?;
    c.resize(n, 0.0); // a constant kernel (depth 0 with bias) may come back exact
    Ok((c, s.exp2))
}

/// The first `n` Maclaurin coefficients $b_0, \dots, b_{n-1}$ of the kernel,
/// $\kappa(t) = \sum_n b_n t^n$ (not normalized: $\sum_n b_n = \kappa(1)$, and $b_n \ge 0$).
/// `n = 0` gives an empty vector. Cost $O(n^2 L)$ for depth $L$.
///
/// Errors: [`KernelError::NotRepresentable`] (wrapped) if a coefficient overflows `f64` (very deep
/// networks: use [`maclaurin_coefficients_normalized`]); coefficients that underflow are 0.
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::series::maclaurin_coefficients;
/// // 2-layer NTK (L = 1), d = 1: κ(t) = (t κ₀(t) + κ₁(t))/2 = 1/(2π) + t/2 + t²/(2π) + …
/// let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 1).unwrap();
/// let b = maclaurin_coefficients(&k, 4).unwrap();
/// let pi = std::f64::consts::PI;
/// assert!((b[0] - 0.5 / pi).abs() < 1e-15 && (b[1] - 0.5).abs() < 1e-15);
/// assert!((b[2] - 3.0 / (4.0 * pi)).abs() < 1e-15 && b[3] == 0.0);
/// ```
pub fn maclaurin_coefficients(kernel: &SphereKernel, n: usize) -> Result<Vec<f64>, SeriesError> {
    let (c, exp2) = maclaurin_scaled(kernel, n)?;
    unscale(&c, exp2)
}

/// The first `n` Maclaurin coefficients of the normalized kernel $\kappa(t)/\kappa(1)$ (they sum
/// to 1). Never overflows, whatever the depth.
pub fn maclaurin_coefficients_normalized(
    kernel: &SphereKernel,
    n: usize,
) -> Result<Vec<f64>, SeriesError> {
    let (c, exp2) = maclaurin_scaled(kernel, n)?;
    normalize(kernel, &c, exp2)
}

fn endpoint_scaled(
    kernel: &SphereKernel,
    endpoint: Endpoint,
    order: usize,
) -> Result<(Vec<f64>, i64), SeriesError> {
    endpoint_scaled_in(kernel, endpoint, order)
}

/// The first `order + 1` coefficients of the endpoint expansion with coefficients in `C` (not
/// normalized), as a mantissa vector and a power of two; the one loop behind the `f64`, exact
/// and symbolic endpoint expansions. An invalid coefficient is [`SeriesError::Degenerate`].
pub(crate) fn endpoint_scaled_in<C: Coefficient>(
    kernel: &SphereKernel,
    endpoint: Endpoint,
    order: usize,
) -> Result<(Vec<C>, i64), SeriesError> {
    // An endpoint branch of the dual maps returns κ₀ with one known coefficient fewer (κ₁, hence
    // the next correlation, keeps all of them), so one extra order suffices; retry with more if
    // an unforeseen path lost more.
    let mut work = order.saturating_add(2);
    loop {
        let s = PuiseuxSeries::<C>::variable_in(work)?;
        let s2 = s.clone() * s;
        let one = PuiseuxSeries::constant_in(C::one());
        let t = match endpoint {
            Endpoint::Plus => one - s2,
            Endpoint::Minus => s2 - one,
        };
        let r = kernel.eval_generic(t);
        let mut c = r.mantissa.coefficients().to_vec();
        if let Some(index) = c.iter().position(|x| !x.is_valid()) {
            return Err(SeriesError::Degenerate {
                what: "endpoint",
                index,
            });
        }
        if r.mantissa.order().is_none() {
            // An exact constant carries no order: pad it.
            c.resize(order + 1, C::zero());
        }
        if c.len() > order {
            c.truncate(order + 1);
            return Ok((c, r.exp2));
        }
        let deficit = order + 1 - c.len();
        if work > order.saturating_add(kernel.arch().depth().saturating_mul(2).saturating_add(8)) {
            return Err(SeriesError::Degenerate {
                what: "endpoint",
                index: c.len(),
            });
        }
        work = work.saturating_add(deficit);
    }
}

/// The coefficients $a_0, \dots, a_N$ ($N$ = `order`) of the endpoint expansion in
/// $s = \sqrt{1\mp t}$:
/// $$\kappa(1 - s^2) = \sum_{j=0}^{N} a_j s^j + O(s^{N+1})\ \ (\text{Plus}),\qquad
///   \kappa(-1 + s^2) = \sum_{j=0}^{N} a_j s^j + O(s^{N+1})\ \ (\text{Minus}).$$
/// Odd $j$ are the half-integer powers of $1\mp t$. Not normalized ($a_0 = \kappa(\pm1)$).
/// Cost $O(N^2 L)$ for depth $L$. Errors as for [`maclaurin_coefficients`].
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::series::{endpoint_expansion, Endpoint};
/// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 4).unwrap();
/// let a = endpoint_expansion(&k, Endpoint::Plus, 6).unwrap();
/// let s: f64 = 1e-2;
/// let sum: f64 = a.iter().rev().fold(0.0, |acc, c| acc * s + c);
/// assert!((sum - k.eval(1.0 - s * s).unwrap()).abs() < 1e-15);
/// ```
pub fn endpoint_expansion(
    kernel: &SphereKernel,
    endpoint: Endpoint,
    order: usize,
) -> Result<Vec<f64>, SeriesError> {
    let (c, exp2) = endpoint_scaled(kernel, endpoint, order)?;
    unscale(&c, exp2)
}

/// [`endpoint_expansion`] of the normalized kernel $\kappa(t)/\kappa(1)$ (never overflows).
pub fn endpoint_expansion_normalized(
    kernel: &SphereKernel,
    endpoint: Endpoint,
    order: usize,
) -> Result<Vec<f64>, SeriesError> {
    let (c, exp2) = endpoint_scaled(kernel, endpoint, order)?;
    normalize(kernel, &c, exp2)
}

/// The kink coefficients $(c_+, c_-)$ of the normalized kernel:
/// $$\frac{\kappa(1-g)}{\kappa(1)} = 1 - c_+\sqrt g + O(g),\qquad
///   \frac{\kappa(-1+g)}{\kappa(1)} = \frac{\kappa(-1)}{\kappa(1)} - c_-\sqrt g + O(g)$$
/// (sign convention of `docs/literature.md` §3.3: $c_-$ is the coefficient of $-\sqrt g$, so the
/// deep NTK has $c_- > 0$). So $c_\pm = -a_1^\pm/a_0^+$ with $a_j^\pm$ from
/// [`endpoint_expansion`]. The normalized NTK has slope $-c_+/\sqrt2$ in $\theta$ at
/// $\theta = 0^+$. Closed forms (Tirer-code parametrization, `docs/literature.md` §1.4):
/// MLP $c_+ = L\sqrt2/(2\pi)$.
pub fn kink_coefficients(kernel: &SphereKernel) -> Result<(f64, f64), SeriesError> {
    let plus = endpoint_expansion_normalized(kernel, Endpoint::Plus, 1)?;
    let minus = endpoint_expansion_normalized(kernel, Endpoint::Minus, 1)?;
    // 0 - a, not -a: an analytic end gives +0, not -0.
    Ok((0.0 - plus[1], 0.0 - minus[1]))
}
