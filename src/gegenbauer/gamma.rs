//! Log-gamma function and stable log-ratios of Gamma functions.
//!
//! $\ln\Gamma(x)$ by the Stirling series
//! $\ln\Gamma(x) = (x-\tfrac12)\ln x - x + \tfrac12\ln(2\pi) + \sum_{j=1}^{8}
//! \frac{B_{2j}}{2j(2j-1)x^{2j-1}}$ for $x\ge 12$ (DLMF 5.11.1); below, recursion
//! $\Gamma(x+1)=x\Gamma(x)$ to $[1/2,3/2]$ and the series of $\ln\Gamma(1+z)$ in $\zeta(n)-1$
//! (Abramowitz & Stegun 6.1.41), reflection $\Gamma(x)\Gamma(1-x)=\pi/\sin(\pi x)$ for $x<0$ (DLMF 5.5.3).
//! Ratios $\ln\Gamma(x+a)-\ln\Gamma(x)$ for large $x$ use the difference of the Stirling series,
//! $(x-\tfrac12)\\,\mathrm{ln1p}(a/x) + a\ln(x+a) - a + S(x+a) - S(x)$, which avoids the
//! cancellation of two huge logarithms (absolute error $\approx 10^{-16}\\,|{\rm result}|$).

use std::f64::consts::PI;

/// $\tfrac12\ln(2\pi)$.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// Threshold above which the Stirling series is used directly.
const STIRLING_MIN: f64 = 12.0;

/// Stirling coefficients $B_{2j}/(2j(2j-1))$, $j=1..8$ (DLMF 5.11.1).
const STIRLING: [f64; 8] = [
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360_360.0,
    1.0 / 156.0,
    -3617.0 / 122_400.0,
];

/// $\zeta(n)-1$ for $n=2..29$ (mpmath), for the series of $\ln\Gamma(1+z)$, A&S 6.1.41.
#[allow(clippy::excessive_precision)]
const ZETA_M1: [f64; 28] = [
    6.44934066848226406e-01,
    2.02056903159594292e-01,
    8.23232337111381857e-02,
    3.69277551433699266e-02,
    1.73430619844491402e-02,
    8.34927738192282713e-03,
    4.07735619794433960e-03,
    2.00839282608221426e-03,
    9.94575127818085256e-04,
    4.94188604119464529e-04,
    2.46086553308048320e-04,
    1.22713347578489145e-04,
    6.12481350587048277e-05,
    3.05882363070204933e-05,
    1.52822594086518710e-05,
    7.63719763789976257e-06,
    3.81729326499984022e-06,
    1.90821271655393897e-06,
    9.53962033872796212e-07,
    4.76932986787806447e-07,
    2.38450502727733004e-07,
    1.19219925965311064e-07,
    5.96081890512594801e-08,
    2.98035035146522793e-08,
    1.49015548283650427e-08,
    7.45071178983543006e-09,
    3.72533402478845728e-09,
    1.86265972351304914e-09,
];

/// Euler's constant.
const EULER: f64 = 0.577_215_664_901_532_9;

/// The Stirling correction series $S(x)=\sum_j c_j x^{1-2j}$ for $x\ge 12$.
fn stirling_series(x: f64) -> f64 {
    let r = 1.0 / x;
    let r2 = r * r;
    let mut acc = 0.0;
    for c in STIRLING.iter().rev() {
        acc = acc * r2 + c;
    }
    acc * r
}

/// $\ln\Gamma(x)$ for finite $x>0$ (absolute error $\lesssim 10^{-15}\max(1,|\ln\Gamma(x)|)$).
/// Returns NaN for $x\le 0$ or NaN input; see [`ln_gamma_signed`] for negative arguments.
///
/// Source: Stirling series (DLMF 5.11.1) and Abramowitz & Stegun 6.1.41.
///
/// ```
/// use ntk_sphere::gegenbauer::ln_gamma;
/// assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-14);
/// ```
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    if x >= STIRLING_MIN {
        return (x - 0.5) * x.ln() - x + HALF_LN_2PI + stirling_series(x);
    }
    // Reduce to z = y - 1 in [-1/2, 1/2]: Gamma(x) = Gamma(y) * prod or / x.
    let (y, corr) = if x < 0.5 {
        (x + 1.0, -x.ln())
    } else {
        let mut y = x;
        let mut prod = 1.0;
        while y > 1.5 {
            y -= 1.0;
            prod *= y;
        }
        (y, prod.ln())
    };
    ln_gamma_1p(y - 1.0) + corr
}

/// $\ln\Gamma(1+z)$ for $|z|\le 1/2$: $-\mathrm{ln1p}(z) + z(1-\gamma) +
/// \sum_{n\ge2}(-1)^n(\zeta(n)-1)z^n/n$ (Abramowitz & Stegun 6.1.41).
fn ln_gamma_1p(z: f64) -> f64 {
    let mut acc = 0.0;
    for (i, c) in ZETA_M1.iter().enumerate().rev() {
        let n = (i + 2) as f64;
        acc = acc * (-z) + c / n;
    }
    // acc = sum_{n>=2} (-1)^n c_n z^{n-2} / n
    -z.ln_1p() + z * (1.0 - EULER) + acc * z * z
}

/// Sign and $\ln|\Gamma(x)|$ for any finite non-pole $x$ (reflection formula for $x<0$,
/// DLMF 5.5.3). At poles ($x\in\\{0,-1,-2,\dots\\}$) returns `(0.0, +inf)`.
pub fn ln_gamma_signed(x: f64) -> (f64, f64) {
    if x > 0.0 {
        return (1.0, ln_gamma(x));
    }
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    if x == x.floor() {
        return (0.0, f64::INFINITY);
    }
    // sin(pi x) with exact argument reduction modulo 2.
    let r = x.rem_euclid(2.0);
    let s = (PI * r).sin();
    let ln_abs = PI.ln() - s.abs().ln() - ln_gamma(1.0 - x);
    (s.signum(), ln_abs)
}

/// $\ln\Gamma(x+a)-\ln\Gamma(x)$ for $x>0$, $x+a>0$, accurate also when both Gamma values are
/// huge (difference of Stirling series; DLMF 5.11.1). NaN outside the domain.
///
/// ```
/// use ntk_sphere::gegenbauer::ln_gamma_ratio;
/// // Gamma(1e6 + 0.5) / Gamma(1e6) ~ sqrt(1e6) (1 - 1/(8e6))
/// let r = ln_gamma_ratio(1e6, 0.5).exp();
/// assert!((r / 1e3 - (1.0 - 1.0 / 8e6)).abs() < 1e-14);
/// ```
pub fn ln_gamma_ratio(x: f64, a: f64) -> f64 {
    let y = x + a;
    if x.is_nan() || y.is_nan() || x <= 0.0 || y <= 0.0 {
        return f64::NAN;
    }
    if a == 0.0 {
        return 0.0;
    }
    if x >= STIRLING_MIN && y >= STIRLING_MIN && x.is_finite() && y.is_finite() {
        (x - 0.5) * (a / x).ln_1p() + a * y.ln() - a + (stirling_series(y) - stirling_series(x))
    } else {
        ln_gamma(y) - ln_gamma(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_integers() {
        let mut f = 1.0f64;
        for n in 1..30 {
            // Gamma(n) = (n-1)!
            assert!((ln_gamma(n as f64) - f.ln()).abs() < 2e-14 * f.ln().max(1.0));
            f *= n as f64;
        }
        let e = ln_gamma(0.5) - 0.5 * PI.ln();
        assert!(e.abs() < 1e-15, "{e}");
    }

    #[test]
    fn reflection() {
        // Gamma(-0.5) = -2 sqrt(pi)
        let (s, l) = ln_gamma_signed(-0.5);
        assert_eq!(s, -1.0);
        assert!((l - (2.0 * PI.sqrt()).ln()).abs() < 1e-15);
        // Gamma(-1.5) = 4 sqrt(pi)/3
        let (s, l) = ln_gamma_signed(-1.5);
        assert_eq!(s, 1.0);
        assert!((l - (4.0 * PI.sqrt() / 3.0).ln()).abs() < 1e-15);
        assert_eq!(ln_gamma_signed(-2.0).0, 0.0);
    }

    #[test]
    fn ratio_matches_difference() {
        for &(x, a) in &[
            (0.3, 2.0),
            (15.0, 3.5),
            (1e3, -0.5),
            (50.0, 200.0),
            (2.0, -1.5),
        ] {
            let r = ln_gamma_ratio(x, a);
            let d = ln_gamma(x + a) - ln_gamma(x);
            assert!((r - d).abs() < 1e-12 * d.abs().max(1.0), "{x} {a}");
        }
        // mpmath: loggamma(1e8+3) - loggamma(1e8) = 55.262042231857...
        let r = ln_gamma_ratio(1e8, 3.0);
        let exact = (1e8f64).ln() + (1e8f64 + 1.0).ln() + (1e8f64 + 2.0).ln();
        assert!((r - exact).abs() < 1e-13);
    }
}
