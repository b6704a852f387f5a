//! The Mercer spectrum of a [`SphereKernel`]: the driver combining quadrature, the endpoint tail
//! and the power series, choosing per degree the value with the smallest error estimate and
//! recording the agreement where two methods are valid.

use crate::arch::Scaled;
use crate::gegenbauer::{ln_multiplicity, multiplicity};
use crate::kernel::SphereKernel;
use crate::scalar::{DoubleDouble, QuadDouble};
use crate::series::{Endpoint, endpoint_expansion_normalized, maclaurin_coefficients_normalized};

use super::endpoint::{TailValue, tail_value};
use super::error::SpectrumError;
use super::power::{
    MIN_SCALED_RADIUS, coefficient_accuracy, estimated_radius, power_value, power_value_scaled,
    scaled_coefficients,
};
use super::quadrature::{QuadScalar, default_nodes, quadrature_normalized};
use super::{MAX_DEGREE, check_dim};

/// Target relative accuracy for choosing a method (the documented goal is $10^{-9}$).
pub const TARGET_REL_ERROR: f64 = 1e-11;

/// Order of the endpoint expansions used for the tail ($s^0..s^{J}$).
const ENDPOINT_ORDER: usize = 61;

/// Number of Maclaurin coefficients inspected for structural zeros.
const ZERO_PATTERN_TERMS: usize = 65;

/// Smallest number of consecutive zero coefficients of one parity (at the end of the inspected
/// range) taken as a structural zero pattern.
const ZERO_PATTERN_MIN_RUN: usize = 12;

/// Below this residual scale the zeros of the Maclaurin coefficients are not taken as structural:
/// a ResNet's odd coefficients are of order $a^2 \propto \alpha^4$ and underflow to exact zeros
/// relative to the main path for $\alpha \lesssim 10^{-77}$ (a margin of $10^{68}$ is kept for
/// high orders and deep branches). The spectrum is then computed without the zero shortcut.
const STRUCTURAL_ZERO_MIN_ALPHA: f64 = 1e-60;

/// The smallest non-zero residual scale α of the network ($\infty$ if none).
fn smallest_residual_scale(net: &crate::arch::Serial) -> f64 {
    use crate::arch::Layer;
    net.layers()
        .iter()
        .map(|l| match l {
            Layer::Residual(r) => {
                let own = if r.alpha() > 0.0 {
                    r.alpha()
                } else {
                    f64::INFINITY
                };
                own.min(smallest_residual_scale(r.branch()))
            }
            Layer::Serial(s) => smallest_residual_scale(s),
            _ => f64::INFINITY,
        })
        .fold(f64::INFINITY, f64::min)
}

/// Degrees below this never use the tail (the asymptotic series needs $k \gg 1$).
const TAIL_MIN_DEGREE: usize = 24;

/// Largest number of Maclaurin coefficients for the power-series route.
const MAX_POWER_TERMS: usize = 2400;

/// First quadrature range (doubled until the tail is verified or $k_{\max}$ is reached).
const QUAD_START_DEGREE: usize = 96;

/// The quadrature range is never doubled beyond this degree (cost $O(k^2)$).
const QUAD_MAX_DEGREE: usize = 8192;

/// From this dimension on, the power series is the main method and the quadrature only covers
/// degrees up to [`QUAD_LARGE_D_DEGREE`] (a cross-check).
const POWER_DIM: usize = 100;

/// Quadrature range for $d \ge$ [`POWER_DIM`].
const QUAD_LARGE_D_DEGREE: usize = 24;

/// Degrees beyond this are never computed by the quad-double quadrature (cost $O(k^2)$ in
/// quad-double arithmetic).
const QUAD_DOUBLE_MAX_DEGREE: usize = 1000;

/// Degrees beyond this are never computed by the power series (it needs about $2k$ terms).
const POWER_MAX_DEGREE: usize = 600;

/// The scaled power series uses $c = $ `SCALED_RADIUS_FRACTION` $\cdot\hat R$ ($\hat R$ the
/// estimated radius of convergence), so the scaled coefficients decay slowly and never
/// overflow.
const SCALED_RADIUS_FRACTION: f64 = 0.95;

/// Terms of the scaled power series beyond $3k_{\max}/2$ (an upper bound; see
/// [`scaled_terms`]).
const SCALED_EXTRA_TERMS: usize = 400;

/// The scaled power series is truncated where its modelled terms fall this far (in $\ln$)
/// below their peak ($e^{-40}\approx 4\cdot10^{-18}$).
const SCALED_TAIL_LN: f64 = 40.0;

/// Scaled coefficients computed beyond the modelled truncation point.
const SCALED_MARGIN_TERMS: usize = 64;

/// Maclaurin coefficients computed first, to detect coefficients that underflow (see
/// [`power_coefficients`]).
const POWER_PROBE_TERMS: usize = 512;

/// A run of this many exact zeros at the end of the probe means the coefficients underflowed.
const UNDERFLOW_RUN: usize = 64;

/// Largest number of scaled Maclaurin coefficients.
const MAX_SCALED_TERMS: usize = 4000;

/// Smallest window of consecutive degrees on which the tail must agree with a reference.
const SWITCH_WINDOW: usize = 12;

/// Largest required window (the window is a fifth of the quadrature range in between).
const MAX_SWITCH_WINDOW: usize = 48;

/// Start of the tail, and the largest discrepancy observed on the verification window: the
/// topmost run $[s, t] \subseteq [0, k_q]$ (at least [`SWITCH_WINDOW`] degrees, a fifth of
/// $k_q$ up to [`MAX_SWITCH_WINDOW`]) on which every non-zero degree has a valid tail and a valid reference that agree to
/// [`TARGET_REL_ERROR`]/10 (degrees above $t$, where the references reached their floor, are
/// skipped).
fn find_switch(
    refs: &[Vec<Candidate>],
    tails: &[Option<Candidate>],
    zeros: &ZeroPattern,
    kq: usize,
) -> Option<(usize, f64)> {
    let window = SWITCH_WINDOW.max((kq / 5).min(MAX_SWITCH_WINDOW));
    let mut start = None;
    let mut observed = 0.0f64;
    let mut top = None;
    for k in (0..=kq).rev() {
        if zeros.is_zero(k) {
            continue;
        }
        let tail = tails.get(k).copied().flatten();
        let reference = refs[k]
            .iter()
            .filter(|c| c.rel_error <= TARGET_REL_ERROR)
            .min_by(|a, b| a.rel_error.total_cmp(&b.rel_error));
        let (Some(t), Some(r)) = (tail, reference) else {
            // Above the run: the references may have reached their floor; skip. Inside: stop.
            if top.is_none() {
                continue;
            }
            break;
        };
        let diff = rel_diff(r, &t);
        if t.rel_error > TARGET_REL_ERROR || diff > TARGET_REL_ERROR / 10.0 {
            if top.is_none() {
                continue;
            }
            break;
        }
        top.get_or_insert(k);
        observed = observed.max(diff);
        start = Some(k);
    }
    match (start, top) {
        (Some(s), Some(t)) if t + 1 - s >= window => Some((s, observed)),
        _ => None,
    }
}

/// How a Mercer eigenvalue was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Structural zero (decided from the Maclaurin coefficients, see [`Spectrum`]).
    ExactZero,
    /// Double-double Gauss–Legendre quadrature in $\theta$.
    Quadrature,
    /// Quad-double Gauss–Legendre quadrature in $\theta$ (absolute floor
    /// $\approx 10^{-62}\int|\kappa|$), used where no other method reaches the target.
    QuadDoubleQuadrature,
    /// Endpoint (Puiseux) expansion with exact coefficients of $(1\mp t)^{j/2}$.
    EndpointTail,
    /// Positive power series $\sum_n b_n\mu_k(t^n)$.
    PowerSeries,
}

impl Method {
    /// A stable snake-case name (`exact_zero`, `quadrature`, `quad_double_quadrature`,
    /// `endpoint_tail`, `power_series`), as printed by `ntk spectrum`.
    ///
    /// ```
    /// assert_eq!(ntk_sphere::spectrum::Method::EndpointTail.as_str(), "endpoint_tail");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Method::ExactZero => "exact_zero",
            Method::Quadrature => "quadrature",
            Method::QuadDoubleQuadrature => "quad_double_quadrature",
            Method::EndpointTail => "endpoint_tail",
            Method::PowerSeries => "power_series",
        }
    }
}

/// One Mercer eigenvalue $\mu_k$ with its multiplicity $N(d,k)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eigenvalue {
    /// Degree $k$.
    pub k: usize,
    /// $\mu_k$ as `f64` ($0$ on underflow, then [`Eigenvalue::log_mu`] still holds it; exactly
    /// $0$ for a structural zero).
    pub mu: f64,
    /// $\ln|\mu_k|$, `None` for an exact (structural) zero.
    pub log_mu: Option<f64>,
    /// Sign of $\mu_k$: $1$, $-1$ (only from rounding of a kernel that is not positive
    /// definite), or $0$ for an exact zero.
    pub sign: i8,
    /// $N(d,k)$ as `f64` (may be `inf` for huge $d, k$; see `log_multiplicity`).
    pub multiplicity: f64,
    /// $\ln N(d,k)$.
    pub log_multiplicity: f64,
    /// Whether $\mu_k$ is a structural zero.
    pub exact_zero: bool,
    /// The method that produced the value.
    pub method: Method,
    /// Estimated relative error (0 for exact zeros).
    pub rel_error: f64,
}

/// The relative difference of two methods at one degree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossCheck {
    /// Degree $k$.
    pub k: usize,
    /// First method (the one reported).
    pub first: Method,
    /// Second method.
    pub second: Method,
    /// $|\mu^{(1)}_k/\mu^{(2)}_k - 1|$.
    pub rel_diff: f64,
}

/// The Mercer spectrum $\mu_0..\mu_K$ of a kernel on $S^{d-1}$.
///
/// Structural zeros: $\mu_k = \sum_{n\ge k,\\,n\equiv k} b_n\mu_k(t^n)$ with $\mu_k(t^n) > 0$, so
/// $\mu_k = 0$ exactly when every Maclaurin coefficient $b_n$ with $n \ge k$ of the parity of
/// $k$ vanishes. The series arithmetic produces exact zeros for such coefficients (e.g. the
/// odd $b_n$, $n \ge 3$, of the 2-layer kernels); a run of zeros of one parity up to order 64
/// is taken as structural.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    /// Ambient dimension $d$.
    pub dim: usize,
    /// Whether the kernel was divided by $\kappa(1)$.
    pub normalized: bool,
    /// $\ln\kappa(1)$ of the (un-normalized) kernel.
    pub ln_kappa_one: f64,
    /// $\mu_0, \dots, \mu_K$.
    pub eigenvalues: Vec<Eigenvalue>,
    /// Agreement of the methods where two of them are valid.
    pub cross_checks: Vec<CrossCheck>,
}

impl Spectrum {
    /// The degrees $k$.
    pub fn k(&self) -> Vec<usize> {
        self.eigenvalues.iter().map(|e| e.k).collect()
    }
    /// The values $\mu_k$.
    pub fn mu(&self) -> Vec<f64> {
        self.eigenvalues.iter().map(|e| e.mu).collect()
    }
    /// $\ln|\mu_k|$ (`None` for exact zeros).
    pub fn log_mu(&self) -> Vec<Option<f64>> {
        self.eigenvalues.iter().map(|e| e.log_mu).collect()
    }
    /// $N(d,k)$.
    pub fn multiplicity(&self) -> Vec<f64> {
        self.eigenvalues.iter().map(|e| e.multiplicity).collect()
    }
    /// $\ln N(d,k)$.
    pub fn log_multiplicity(&self) -> Vec<f64> {
        self.eigenvalues
            .iter()
            .map(|e| e.log_multiplicity)
            .collect()
    }
    /// Exact-zero flags.
    pub fn exact_zero(&self) -> Vec<bool> {
        self.eigenvalues.iter().map(|e| e.exact_zero).collect()
    }
    /// The largest relative difference among the cross-checks (0 if there are none).
    pub fn max_cross_check(&self) -> f64 {
        self.cross_checks
            .iter()
            .map(|c| c.rel_diff)
            .fold(0.0, f64::max)
    }
}

/// Parity zero pattern: for parity $p$, the smallest $n_0$ from which all $b_n$ of parity $p$
/// vanish.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ZeroPattern {
    from: [Option<usize>; 2],
}

impl ZeroPattern {
    pub(crate) fn is_zero(&self, k: usize) -> bool {
        matches!(self.from[k % 2], Some(n0) if k >= n0)
    }
    /// Whether all large degrees of parity `p` vanish.
    pub(crate) fn parity_vanishes(&self, p: usize) -> bool {
        self.from[p % 2].is_some()
    }
}

pub(crate) fn zero_pattern(kernel: &SphereKernel) -> ZeroPattern {
    if smallest_residual_scale(kernel.arch().net()) < STRUCTURAL_ZERO_MIN_ALPHA {
        return ZeroPattern::default();
    }
    let Ok(b) = maclaurin_coefficients_normalized(kernel, ZERO_PATTERN_TERMS) else {
        return ZeroPattern::default();
    };
    zero_pattern_of(&b)
}

pub(crate) fn zero_pattern_of(b: &[f64]) -> ZeroPattern {
    let mut from = [None, None];
    for (p, slot) in from.iter_mut().enumerate() {
        let mut n0 = None;
        let mut run = 0;
        let mut n = b.len();
        // walk down from the top of parity p
        while n > 0 {
            n -= 1;
            if n % 2 != p {
                continue;
            }
            if b[n] == 0.0 {
                n0 = Some(n);
                run += 1;
            } else {
                break;
            }
        }
        if run >= ZERO_PATTERN_MIN_RUN {
            *slot = n0;
        }
    }
    ZeroPattern { from }
}

/// $\ln\kappa(1)$ (the kernel recursion in double-double, scaled form).
pub(crate) fn ln_kappa_one(kernel: &SphereKernel) -> Result<f64, SpectrumError> {
    let one: Scaled<DoubleDouble> = kernel.eval_generic(DoubleDouble::from(1.0));
    let m = one.mantissa.to_f64();
    crate::kernel::check_normalizer(m, true)?;
    Ok(m.ln() + one.exp2 as f64 * std::f64::consts::LN_2)
}

/// Candidate value of one method at one degree.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    sign: f64,
    ln_abs: f64,
    rel_error: f64,
    method: Method,
}

fn rel_diff(a: &Candidate, b: &Candidate) -> f64 {
    if a.sign != b.sign {
        return f64::INFINITY;
    }
    (a.ln_abs - b.ln_abs).exp_m1().abs()
}

/// The endpoint-tail candidate at every degree $0..=k_{\max}$ (`None` below
/// [`TAIL_MIN_DEGREE`], at structural zeros, or if the expansions fail).
fn tail_candidates(
    kernel: &SphereKernel,
    kmax: usize,
    zeros: &ZeroPattern,
) -> Vec<Option<Candidate>> {
    let d = kernel.dim();
    let plus = endpoint_expansion_normalized(kernel, Endpoint::Plus, ENDPOINT_ORDER);
    let minus = endpoint_expansion_normalized(kernel, Endpoint::Minus, ENDPOINT_ORDER);
    match (plus, minus) {
        // (a kernel analytic at an endpoint has exact zeros as its odd coefficients there, and
        // then an empty tail)
        (Ok(ap), Ok(am)) => (0..=kmax)
            .map(|k| {
                if k < TAIL_MIN_DEGREE || zeros.is_zero(k) {
                    return None;
                }
                tail_value(d, k, &ap, &am).map(|t: TailValue| Candidate {
                    sign: t.sign,
                    ln_abs: t.ln_abs,
                    rel_error: t.rel_error,
                    method: Method::EndpointTail,
                })
            })
            .collect(),
        _ => vec![None; kmax + 1],
    }
}

/// The Maclaurin coefficients used by the power series for degrees up to $k_{\max}$ (about
/// $3k + 1200$ of them, at most [`MAX_POWER_TERMS`]; empty if the series fails).
///
/// The first [`POWER_PROBE_TERMS`] are computed first: if their last
/// [`UNDERFLOW_RUN`] are exact zeros (both parities underflowed, as for kernels analytic
/// beyond $[-1,1]$, or a polynomial kernel), every further coefficient is an exact zero too
/// and the probe is returned (the power series gives `None` beyond it, as it would for the
/// zeros); otherwise the full count is computed (cost $O(N^2L)$, so the probe adds at most
/// $5\\%$).
fn power_coefficients(kernel: &SphereKernel, kmax: usize) -> Vec<f64> {
    let terms = (3 * kmax.min(POWER_MAX_DEGREE) + 1200).min(MAX_POWER_TERMS);
    if terms > POWER_PROBE_TERMS {
        let Ok(probe) = maclaurin_coefficients_normalized(kernel, POWER_PROBE_TERMS) else {
            return Vec::new();
        };
        if probe[POWER_PROBE_TERMS - UNDERFLOW_RUN..]
            .iter()
            .all(|&x| x == 0.0)
        {
            return probe;
        }
    }
    maclaurin_coefficients_normalized(kernel, terms).unwrap_or_default()
}

/// The number of scaled coefficients $\tilde b_n = b_nc^n$ for degrees up to `top`, for
/// coefficients $b_n \approx R^{-n}$ ($R$ = `radius`, the fitted radius of convergence): the
/// terms $b_n\mu_k(t^n)$ of the largest degree peak near $n = kR/\sqrt{R^2-1}$ and then
/// shrink by about $R^{-2}$ per step of 2; the count reaches [`SCALED_TAIL_LN`] below the
/// peak (with $R$ lowered to $R^{0.9}$ and [`SCALED_MARGIN_TERMS`] more, a margin for the
/// fit and for power-law factors), at most $3k/2 +$ [`SCALED_EXTRA_TERMS`] and
/// [`MAX_SCALED_TERMS`]. Too few terms show in the truncation estimate of
/// [`power_value_scaled`] (then a later method takes over), never in a wrong value.
fn scaled_terms(top: usize, d: usize, radius: f64) -> usize {
    let cap = (top + top / 2 + SCALED_EXTRA_TERMS).min(MAX_SCALED_TERMS);
    let two_ln_r = 2.0 * 0.9 * radius.ln();
    let (kf, df) = (top as f64, d as f64);
    let (mut ln_term, mut peak) = (0.0f64, 0.0f64);
    let mut n = top;
    while n < cap {
        if ln_term < peak - SCALED_TAIL_LN {
            return (n + SCALED_MARGIN_TERMS).min(cap);
        }
        let nf = n as f64;
        ln_term += ((nf + 1.0) * (nf + 2.0) / ((nf - kf + 2.0) * (nf + kf + df))).ln() - two_ln_r;
        peak = peak.max(ln_term);
        n += 2;
    }
    cap
}

/// A quadrature value with its absolute error estimate, as a candidate (`None` for an exact 0).
fn quadrature_candidate<T: QuadScalar>(v: T, err: f64, method: Method) -> Option<Candidate> {
    (v.hi() != 0.0).then(|| Candidate {
        sign: v.hi().signum(),
        ln_abs: v.ln_abs(),
        rel_error: err / v.hi().abs(),
        method,
    })
}

/// One eigenvalue of the normalized kernel $\kappa/\kappa(1)$ computed by a single, forced
/// method ([`spectrum_by_method`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodValue {
    /// Sign of $\mu_k$.
    pub sign: f64,
    /// $\ln|\mu_k|$.
    pub log_mu: f64,
    /// The method's own estimate of its relative error.
    pub rel_error: f64,
}

/// The normalized eigenvalues $\mu_0..\mu_{k_{\max}}$ of `kernel` by one method alone, with no
/// switching and no cross-checking: the values behind [`mercer_spectrum`], for independent
/// comparisons between methods. `None` where the method does not apply (structural zeros; the
/// tail below degree 24; the power series beyond its coefficients).
///
/// * [`Method::Quadrature`]: double-double Gauss–Legendre in $\theta$ with
///   [`super::default_nodes`]`(k_max, d)` and $5/4$ as many nodes (cost $O(k_{\max}^2)$);
/// * [`Method::QuadDoubleQuadrature`]: the same in quad-double (about 20 times slower);
/// * [`Method::EndpointTail`]: the endpoint (Puiseux) asymptotic series at every degree;
/// * [`Method::PowerSeries`]: $\sum_n b_n\mu_k(t^n)$ with $\min(3k_{\max}+1200, 2400)$
///   coefficients.
///
/// Errors: as [`mercer_spectrum`], and [`SpectrumError::InvalidParameter`] for
/// [`Method::ExactZero`].
pub fn spectrum_by_method(
    kernel: &SphereKernel,
    kmax: usize,
    method: Method,
) -> Result<Vec<Option<MethodValue>>, SpectrumError> {
    let d = kernel.dim();
    check_dim(d)?;
    if kmax > MAX_DEGREE {
        return Err(SpectrumError::DegreeTooLarge {
            kmax,
            max: MAX_DEGREE,
        });
    }
    ln_kappa_one(kernel)?;
    let zeros = zero_pattern(kernel);
    let cands: Vec<Option<Candidate>> = match method {
        Method::Quadrature => {
            let (mu, err) =
                quadrature_normalized::<DoubleDouble>(kernel, kmax, default_nodes(kmax, d))?;
            mu.iter()
                .zip(&err)
                .map(|(&v, &e)| quadrature_candidate(v, e, method))
                .collect()
        }
        Method::QuadDoubleQuadrature => {
            let (mu, err) =
                quadrature_normalized::<QuadDouble>(kernel, kmax, default_nodes(kmax, d))?;
            mu.iter()
                .zip(&err)
                .map(|(&v, &e)| quadrature_candidate(v, e, method))
                .collect()
        }
        Method::EndpointTail => tail_candidates(kernel, kmax, &zeros),
        Method::PowerSeries => {
            let b = power_coefficients(kernel, kmax);
            let coeff_rel = coefficient_accuracy(kernel.arch().depth());
            (0..=kmax)
                .map(|k| {
                    power_value(d, k, &b, coeff_rel).map(|p| Candidate {
                        sign: 1.0,
                        ln_abs: p.ln_abs,
                        rel_error: p.rel_error,
                        method,
                    })
                })
                .collect()
        }
        _ => {
            return Err(SpectrumError::InvalidParameter {
                name: "method",
                value: f64::NAN,
                expected: "Quadrature, QuadDoubleQuadrature, EndpointTail or PowerSeries",
            });
        }
    };
    Ok(cands
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            c.filter(|_| !zeros.is_zero(k)).map(|c| MethodValue {
                sign: c.sign,
                log_mu: c.ln_abs,
                rel_error: c.rel_error,
            })
        })
        .collect())
}

/// The Mercer eigenvalues $\mu_0, \dots, \mu_{k_{\max}}$ of `kernel` on $S^{d-1}$
/// ($d$ = `kernel.dim()`), of $\kappa$ itself or ([`super::Normalization::Normalized`], or `true`) of $\kappa/\kappa(1)$.
///
/// Methods (see the [module documentation](super)): double-double quadrature in $\theta$ where
/// its absolute error floor ($\approx 10^{-31}\int|\kappa|$) is small relative to $\mu_k$; the
/// endpoint tail for large $k$; the positive power series otherwise (large $d$). Each value
/// carries the estimated relative error and the method; [`Spectrum::cross_checks`] records the
/// agreement in the overlaps.
///
/// Errors: $d < 2$ or $d >$ [`super::MAX_DIM`], $k_{\max} >$ [`MAX_DEGREE`], a kernel that cannot
/// be normalized ($\kappa(1) = 0$), [`SpectrumError::EigenvalueOverflow`] for an
/// un-normalized eigenvalue beyond `f64`.
///
/// ```
/// use ntk_sphere::{Mlp, KernelKind, SphereKernel};
/// use ntk_sphere::spectrum::mercer_spectrum;
/// // 2-layer NTK at d = 3 (our MLP L = 1 is NTK2 / (2d)): 2 mu_k = 1/2, 1/3, 5/64, 0, 1/192, ...
/// let k = SphereKernel::new(Mlp::new(1, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
/// let s = mercer_spectrum(&k, 8, true).unwrap();
/// assert!((2.0 * s.eigenvalues[2].mu - 5.0 / 64.0).abs() < 1e-15);
/// assert!(s.eigenvalues[3].exact_zero && s.eigenvalues[3].mu == 0.0);
/// ```
pub fn mercer_spectrum(
    kernel: &SphereKernel,
    kmax: usize,
    normalization: impl Into<super::Normalization>,
) -> Result<Spectrum, SpectrumError> {
    let normalized = normalization.into().is_normalized();
    let d = kernel.dim();
    check_dim(d)?;
    if kmax > MAX_DEGREE {
        return Err(SpectrumError::DegreeTooLarge {
            kmax,
            max: MAX_DEGREE,
        });
    }
    let ln_k1 = ln_kappa_one(kernel)?;
    let zeros = zero_pattern(kernel);
    let coeff_rel = coefficient_accuracy(kernel.arch().depth());

    // Endpoint tail at every degree (cheap); `None` where it does not apply.
    let tails = tail_candidates(kernel, kmax, &zeros);

    // Reference values (quadrature, else power series) on 0..=kq, with kq doubled until the
    // tail is verified against them on a window of degrees (the tail misses contributions that
    // decay exponentially in k, from complex singularities of the kernel near [-1, 1]).
    let mut power: Option<Vec<f64>> = None;
    let large_d = d >= POWER_DIM;
    let mut kq = kmax.min(if large_d {
        QUAD_LARGE_D_DEGREE
    } else {
        QUAD_START_DEGREE
    });
    let (refs, switch) = loop {
        let n = default_nodes(kq, d);
        let (mu_q, err_q) = quadrature_normalized::<DoubleDouble>(kernel, kq, n)?;
        let mut refs: Vec<Vec<Candidate>> = vec![Vec::new(); kq + 1];
        for k in 0..=kq {
            if zeros.is_zero(k) {
                continue;
            }
            refs[k].extend(quadrature_candidate(mu_q[k], err_q[k], Method::Quadrature));
        }
        let need: Vec<usize> = (0..=kq)
            .filter(|&k| {
                !zeros.is_zero(k) && refs[k].iter().all(|c| c.rel_error > TARGET_REL_ERROR)
            })
            .collect();
        // Once the coefficients exist, the power series is also evaluated where the quadrature
        // is accurate: a cross-check that costs little.
        let need: Vec<usize> = if need.is_empty() {
            need
        } else {
            (0..=kq).filter(|&k| !zeros.is_zero(k)).collect()
        };
        if !need.is_empty() {
            if power.is_none() {
                power = Some(power_coefficients(kernel, kmax));
            }
            let b = power.as_deref().unwrap_or(&[]);
            for &k in &need {
                if let Some(p) = power_value(d, k, b, coeff_rel) {
                    refs[k].push(Candidate {
                        sign: 1.0,
                        ln_abs: p.ln_abs,
                        rel_error: p.rel_error,
                        method: Method::PowerSeries,
                    });
                }
            }
        }
        let switch = find_switch(&refs, &tails, &zeros, kq);
        let quad_exhausted = err_q
            .iter()
            .zip(&mu_q)
            .skip(kq / 2)
            .all(|(e, m)| *e > TARGET_REL_ERROR * m.hi().abs());
        // Without tail values beyond kq (kernels analytic at the endpoints: the tail is empty),
        // a longer range cannot verify a tail; once the quadrature has also reached its floor,
        // doubling it only costs O(kq^2) in double-double for nothing.
        let tail_ahead = tails.iter().skip(kq + 1).any(Option::is_some);
        if large_d
            || switch.is_some()
            || kq == kmax.min(QUAD_MAX_DEGREE)
            || (quad_exhausted && (!tail_ahead || need.iter().all(|&k| refs[k].len() < 2)))
        {
            break (refs, switch);
        }
        kq = kmax.min(QUAD_MAX_DEGREE).min(2 * kq);
    };
    let kq = refs.len() - 1;

    let mut cands: Vec<Vec<Candidate>> = vec![Vec::new(); kmax + 1];
    for (k, r) in refs.into_iter().enumerate() {
        cands[k] = r;
    }
    for (k, t) in tails.iter().enumerate() {
        if let Some(mut t) = *t {
            match switch {
                Some((s, observed)) if k >= s => {
                    t.rel_error = t.rel_error.max(observed);
                    cands[k].push(t);
                }
                // Unverified tail values compete only beyond the reference range.
                None if k > kq => cands[k].push(t),
                _ if k <= kq => {
                    // Keep for the cross-check only if the references are not accurate.
                    t.rel_error = t.rel_error.max(f64::MIN_POSITIVE);
                    if cands[k].iter().all(|c| c.rel_error > TARGET_REL_ERROR) {
                        cands[k].push(t);
                    }
                }
                _ => {}
            }
        }
    }

    // Power series wherever no method is accurate yet (in particular beyond the quadrature
    // range for large d).
    let missing: Vec<usize> = (kq + 1..=kmax)
        .filter(|&k| {
            !zeros.is_zero(k)
                && (large_d || cands[k].iter().all(|c| c.rel_error > TARGET_REL_ERROR))
        })
        .collect();
    if !missing.is_empty() {
        if power.is_none() {
            power = Some(power_coefficients(kernel, kmax));
        }
        let b = power.as_deref().unwrap_or(&[]);
        for k in missing {
            if let Some(p) = power_value(d, k, b, coeff_rel) {
                cands[k].push(Candidate {
                    sign: 1.0,
                    ln_abs: p.ln_abs,
                    rel_error: p.rel_error,
                    method: Method::PowerSeries,
                });
            }
        }
    }

    // Scaled power series for kernels analytic beyond [-1, 1] whose eigenvalues fell below
    // every floor (the unscaled b_n underflow): coefficients of kappa(c t), c ~ the radius of
    // convergence.
    let unresolved: Vec<usize> = (0..=kmax)
        .filter(|&k| !zeros.is_zero(k) && cands[k].iter().all(|c| c.rel_error > TARGET_REL_ERROR))
        .collect();
    if let Some(&top) = unresolved.last() {
        if power.is_none() {
            power = Some(power_coefficients(kernel, kmax));
        }
        let radius = estimated_radius(power.as_deref().unwrap_or(&[]));
        if let Some(r) = radius.filter(|&r| r >= MIN_SCALED_RADIUS && r.is_finite()) {
            let c = SCALED_RADIUS_FRACTION * r;
            let terms = scaled_terms(top, d, r);
            if let Some(bt) = scaled_coefficients(kernel, terms, c) {
                for &k in &unresolved {
                    if let Some(p) = power_value_scaled(d, k, &bt, c, coeff_rel) {
                        cands[k].push(Candidate {
                            sign: 1.0,
                            ln_abs: p.ln_abs,
                            rel_error: p.rel_error,
                            method: Method::PowerSeries,
                        });
                    }
                }
            }
        }
    }

    // Quad-double quadrature where no method reached the target yet (moderate d, deep kernels,
    // k in the hundreds: the double-double floor is too high relative to mu_k, the tail is not
    // valid yet and the power series converges slowly).
    let unresolved: Vec<usize> = (0..=kmax)
        .filter(|&k| !zeros.is_zero(k) && cands[k].iter().all(|c| c.rel_error > TARGET_REL_ERROR))
        .collect();
    if let Some(&top) = unresolved.last()
        && top <= QUAD_DOUBLE_MAX_DEGREE
    {
        let (mu_x, err_x) =
            quadrature_normalized::<QuadDouble>(kernel, top, default_nodes(top, d))?;
        for &k in &unresolved {
            cands[k].extend(quadrature_candidate(
                mu_x[k],
                err_x[k],
                Method::QuadDoubleQuadrature,
            ));
        }
    }

    // The tail misses exponentially small terms its own estimate cannot see: where a
    // quadrature or power-series value is accurate, the tail's error is at least the
    // discrepancy.
    for cs in cands.iter_mut() {
        let reference = cs
            .iter()
            .filter(|c| c.method != Method::EndpointTail && c.rel_error <= TARGET_REL_ERROR)
            .min_by(|a, b| a.rel_error.total_cmp(&b.rel_error))
            .copied();
        if let Some(r) = reference {
            for c in cs.iter_mut().filter(|c| c.method == Method::EndpointTail) {
                c.rel_error = c.rel_error.max(rel_diff(&r, c));
            }
        }
    }

    let shift = if normalized { 0.0 } else { ln_k1 };
    let mut eigenvalues = Vec::with_capacity(kmax + 1);
    let mut cross_checks = Vec::new();
    for (k, cs) in cands.iter().enumerate() {
        // One exact (u128) multiplicity per degree: ln_multiplicity would recompute it.
        let (multiplicity_f, log_multiplicity) = match multiplicity(d, k) {
            Ok(m) => (m as f64, (m as f64).ln()),
            Err(_) => {
                let ln = ln_multiplicity(d, k)?;
                (ln.exp(), ln)
            }
        };
        if zeros.is_zero(k) || cs.is_empty() {
            eigenvalues.push(Eigenvalue {
                k,
                mu: 0.0,
                log_mu: None,
                sign: 0,
                multiplicity: multiplicity_f,
                log_multiplicity,
                exact_zero: zeros.is_zero(k),
                method: Method::ExactZero,
                rel_error: if zeros.is_zero(k) { 0.0 } else { f64::INFINITY },
            });
            continue;
        }
        let best = cs
            .iter()
            .min_by(|a, b| a.rel_error.total_cmp(&b.rel_error))
            .copied()
            .unwrap_or(cs[0]);
        for c in cs {
            if c.method != best.method
                && c.rel_error <= TARGET_REL_ERROR
                && best.rel_error <= TARGET_REL_ERROR
            {
                cross_checks.push(CrossCheck {
                    k,
                    first: best.method,
                    second: c.method,
                    rel_diff: rel_diff(&best, c),
                });
            }
        }
        let ln_abs = best.ln_abs + shift;
        let mu = best.sign * ln_abs.exp();
        if !mu.is_finite() {
            return Err(SpectrumError::EigenvalueOverflow {
                k,
                log10_abs: ln_abs / std::f64::consts::LN_10,
            });
        }
        eigenvalues.push(Eigenvalue {
            k,
            mu,
            log_mu: Some(ln_abs),
            sign: best.sign as i8,
            multiplicity: multiplicity_f,
            log_multiplicity,
            exact_zero: false,
            method: best.method,
            rel_error: best.rel_error,
        });
    }
    Ok(Spectrum {
        dim: d,
        normalized,
        ln_kappa_one: ln_k1,
        eigenvalues,
        cross_checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_pattern_needs_a_long_run_of_exact_zeros() {
        // 2-layer shape: odd coefficients vanish from n = 3 on.
        let b: Vec<f64> = (0..65)
            .map(|n| {
                if n % 2 == 1 && n >= 3 {
                    0.0
                } else {
                    1.0 / (n as f64 + 1.0)
                }
            })
            .collect();
        let z = zero_pattern_of(&b);
        assert!(z.is_zero(3) && z.is_zero(63) && z.is_zero(10_001));
        assert!(!z.is_zero(1) && !z.is_zero(2) && !z.is_zero(10_000));
        // a few isolated zeros are not structural
        let mut b = vec![1.0; 65];
        b[60] = 0.0;
        b[62] = 0.0;
        b[64] = 0.0;
        let z = zero_pattern_of(&b);
        assert!(!z.is_zero(64) && !z.parity_vanishes(0));
    }
}
