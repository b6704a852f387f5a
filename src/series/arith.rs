//! Truncated power series in one variable $x$ with `f64` coefficients: the arithmetic shared by
//! [`super::PowerSeries`] ($x = t$) and [`super::PuiseuxSeries`] ($x = s = \sqrt{1\mp t}$).
//!
//! A [`Core`] is either an *exact constant* (what [`crate::scalar::KernelScalar::from_f64`]
//! produces: it carries no truncation order) or a *truncated series* $\sum_{k<n} c_k x^k +
//! O(x^n)$ with `n = c.len() ≥ 1` known coefficients. Binary operations keep the smaller number
//! of known coefficients. Operations that have no power-series result (division by a series with
//! zero constant term, square root of a series of odd valuation, …) return a series of `NaN`
//! ("poisoned"), like `f64` does for invalid operations; the public functions of
//! [`super`] detect it and return [`super::SeriesError::Degenerate`].

use std::f64::consts::PI;

use crate::scalar::scale_f64;

/// See the module documentation. Invariant: `exact ⇒ c.len() == 1`, and `c.len() ≥ 1` always.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Core {
    pub(crate) c: Vec<f64>,
    pub(crate) exact: bool,
}

/// Where the constant term $\rho_0$ of a correlation lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Branch {
    /// $|\rho_0| < 1$ (and not within [`ENDPOINT_ULPS`] ulps of $\pm1$).
    Interior,
    /// $\rho_0 = 1$ up to [`ENDPOINT_ULPS`] ulps.
    Plus,
    /// $\rho_0 = -1$ up to [`ENDPOINT_ULPS`] ulps.
    Minus,
    /// $|\rho_0| > 1$ or not finite: no expansion.
    Outside,
}

/// Constant terms of a correlation within this many ulps ($2^{-52}$) of $\pm1$ are taken to be
/// exactly $\pm1$. The recursion produces exactly $\pm1$ in the cases that matter (see the
/// [`super`] module documentation); the tolerance only absorbs rounding in unforeseen paths.
pub(crate) const ENDPOINT_ULPS: f64 = 8.0;

/// A relative size below which the $x^1$ coefficient of the gap $1\mp\rho$ is treated as a
/// rounding residue of an exact zero.
const GAP_LINEAR_TOL: f64 = 1e-13;

pub(crate) fn classify(rho0: f64) -> Branch {
    let tol = ENDPOINT_ULPS * f64::EPSILON;
    if !rho0.is_finite() {
        Branch::Outside
    } else if (rho0 - 1.0).abs() <= tol {
        Branch::Plus
    } else if (rho0 + 1.0).abs() <= tol {
        Branch::Minus
    } else if rho0.abs() < 1.0 {
        Branch::Interior
    } else {
        Branch::Outside
    }
}

impl Core {
    pub(crate) fn constant(x: f64) -> Self {
        Self {
            c: vec![x],
            exact: true,
        }
    }

    /// A truncated series from its known coefficients (`c` must be non-empty).
    pub(crate) fn truncated(c: Vec<f64>) -> Self {
        debug_assert!(!c.is_empty());
        Self { c, exact: false }
    }

    pub(crate) fn nan(n: usize) -> Self {
        Self::truncated(vec![f64::NAN; n.max(1)])
    }

    /// A poisoned value of the right kind (exact constant stays a constant).
    fn nan_like(&self) -> Self {
        if self.exact {
            Self::constant(f64::NAN)
        } else {
            Self::nan(self.c.len())
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.c.len()
    }

    /// All coefficients beyond the constant term are zero.
    pub(crate) fn is_constant(&self) -> bool {
        self.exact || self.c[1..].iter().all(|&x| x == 0.0)
    }

    /// A series with the same kind/length as `self` and constant value `x`.
    fn constant_like(&self, x: f64) -> Self {
        if self.exact {
            Self::constant(x)
        } else {
            let mut c = vec![0.0; self.c.len()];
            c[0] = x;
            Self::truncated(c)
        }
    }

    fn map(&self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            c: self.c.iter().map(|&x| f(x)).collect(),
            exact: self.exact,
        }
    }

    pub(crate) fn neg(&self) -> Self {
        self.map(|x| -x)
    }

    pub(crate) fn scale_pow2(&self, e: i32) -> Self {
        self.map(|x| scale_f64(x, e))
    }

    pub(crate) fn add(&self, o: &Self) -> Self {
        match (self.exact, o.exact) {
            (true, true) => Self::constant(self.c[0] + o.c[0]),
            (true, false) => {
                let mut r = o.clone();
                r.c[0] += self.c[0];
                r
            }
            (false, true) => {
                let mut r = self.clone();
                r.c[0] += o.c[0];
                r
            }
            (false, false) => {
                let n = self.len().min(o.len());
                Self::truncated((0..n).map(|k| self.c[k] + o.c[k]).collect())
            }
        }
    }

    pub(crate) fn sub(&self, o: &Self) -> Self {
        self.add(&o.neg())
    }

    pub(crate) fn mul(&self, o: &Self) -> Self {
        match (self.exact, o.exact) {
            (true, true) => Self::constant(self.c[0] * o.c[0]),
            (true, false) => o.map(|x| self.c[0] * x),
            (false, true) => self.map(|x| x * o.c[0]),
            (false, false) => {
                let n = self.len().min(o.len());
                Self::truncated(cauchy(&self.c[..n], &o.c[..n]))
            }
        }
    }

    pub(crate) fn div(&self, o: &Self) -> Self {
        if o.exact {
            // Coefficient-wise division (not multiplication by a rounded reciprocal), so that the
            // constant term is the `f64` quotient — see the correlation discussion in `super`.
            return self.map(|x| x / o.c[0]);
        }
        let b0 = o.c[0];
        let n = if self.exact {
            o.len()
        } else {
            self.len().min(o.len())
        };
        if b0 == 0.0 || !b0.is_finite() {
            return Self::nan(n);
        }
        let mut a = vec![0.0; n];
        if self.exact {
            a[0] = self.c[0];
        } else {
            a.copy_from_slice(&self.c[..n]);
        }
        let b = &o.c[..n];
        // x^p A(x²) / B(x²) = x^p (A/B)(x²): a quarter of the work.
        if let (Some(0), Some(p)) = (parity(b), parity(&a)) {
            let m = (n - p).div_ceil(2);
            let q = div_dense(&compact(&a, p)[..m], &compact(b, 0)[..m]);
            return Self::truncated(spread(&q, p, n));
        }
        Self::truncated(div_dense(&a, b))
    }

    /// Square root. A series $x^{2m}u(x)$ with $u_0 > 0$ gives $x^m\sqrt{u}$ (with $m$ fewer known
    /// coefficients); the zero series gives zero; anything else is poisoned.
    pub(crate) fn sqrt(&self) -> Self {
        if self.exact {
            return Self::constant(self.c[0].sqrt());
        }
        let n = self.len();
        let Some(v) = self.c.iter().position(|&x| x != 0.0) else {
            return self.clone();
        };
        if v % 2 == 1 || self.c[v].is_nan() || self.c[v] < 0.0 {
            return Self::nan(n);
        }
        let m = v / 2;
        let r = sqrt_unit(&self.c[v..]);
        let mut c = vec![0.0; m];
        c.extend(r);
        Self::truncated(c)
    }

    /// The ReLU dual maps of a correlation series, given the branch of its constant term.
    /// `allow_endpoints = false` (power series in $t$) poisons non-constant series at $\pm1$.
    pub(crate) fn arc_cosine(&self, allow_endpoints: bool) -> (Self, Self) {
        if self.is_constant() {
            let (k0, k1) = crate::scalar::KernelScalar::arc_cosine(&self.c[0]);
            return (self.constant_like(k0), self.constant_like(k1));
        }
        let n = self.len();
        match classify(self.c[0]) {
            Branch::Interior => arc_cosine_interior(&self.c),
            Branch::Plus if allow_endpoints => arc_cosine_endpoint(&self.c, 1.0),
            Branch::Minus if allow_endpoints => arc_cosine_endpoint(&self.c, -1.0),
            _ => (Self::nan(n), self.nan_like()),
        }
    }
}

impl Core {
    /// $e^{u}$ of a series by the differential equation $f' = f\\,u'$: $f_0 = e^{u_0}$,
    /// $f_k = \frac1k\sum_{i=1}^{k} i\\,u_i\\,f_{k-i}$ ($O(n^2)$; the classical recurrence, cf. Knuth,
    /// TAOCP vol. 2, §4.7). Same number of known coefficients; an exact constant stays exact.
    pub(crate) fn exp(&self) -> Self {
        if self.is_constant() {
            return self.constant_like(self.c[0].exp());
        }
        Self::truncated(exp_series(&self.c))
    }

    /// $\arcsin u$ of a series with $|u_0| < 1$ by $\frac{d}{dx}\arcsin u = u'/\sqrt{1-u^2}$:
    /// $\arcsin u = \arcsin u_0 + \int_0^x u'(1-u^2)^{-1/2}\\,dx$, with
    /// $1-u^2 = (1-u_0)(1+u_0) - r(2u_0 + r)$, $r = u - u_0$, raised to the power $-\tfrac12$ by
    /// Miller's recurrence (as for $\kappa_0$ in `arc_cosine_interior`; $O(n^2)$). Same number of
    /// known coefficients; an exact constant stays exact (clamped to $[-1,1]$ like `f64`). A
    /// non-constant series with $u_0 = \pm1$ (within [`ENDPOINT_ULPS`]: the arcsine has a
    /// square-root branch point there, no power series) or $|u_0| > 1$ is poisoned.
    pub(crate) fn asin(&self) -> Self {
        if self.is_constant() {
            return self.constant_like(crate::scalar::KernelScalar::asin(&self.c[0]));
        }
        match classify(self.c[0]) {
            Branch::Interior => {
                let u = &self.c;
                let n = u.len();
                let w = inv_sqrt_one_minus_square(u);
                let integrand = cauchy(&derivative(u), &w[..n - 1]);
                Self::truncated(integral(&integrand, u[0].asin()))
            }
            _ => Self::nan(self.len()),
        }
    }
}

/// $e^{u}$ for a series $u$ (`n` coefficients in, `n` out): $f' = f\\,u'$, i.e.
/// $k f_k = \sum_{j=0}^{k-1} (u')_j\\,f_{k-1-j}$.
fn exp_series(u: &[f64]) -> Vec<f64> {
    let n = u.len();
    let du = derivative(u);
    let mut f = vec![0.0; n];
    f[0] = u[0].exp();
    for k in 1..n {
        f[k] = dot_rev(&du[..k], &f[..k]) / k as f64;
    }
    f
}

/// $(1-\rho^2)^{-1/2}$ for $|\rho_0| < 1$ (`n` coefficients in, `n` out), with
/// $1-\rho^2 = (1-\rho_0)(1+\rho_0) - r(2\rho_0 + r)$, $r = \rho - \rho_0$ (no cancellation in
/// the constant term), by Miller's recurrence ([`pow_series`]).
fn inv_sqrt_one_minus_square(rho: &[f64]) -> Vec<f64> {
    let rho0 = rho[0];
    let mut r = rho.to_vec();
    r[0] = 0.0;
    let mut two_rho0_r = r.clone();
    two_rho0_r[0] = 2.0 * rho0;
    let mut q: Vec<f64> = cauchy(&r, &two_rho0_r).iter().map(|&x| -x).collect();
    q[0] = (1.0 - rho0) * (1.0 + rho0);
    pow_series(&q, -0.5)
}

/// The parity $p$ of a series whose coefficients of the other parity are exact zeros, i.e.
/// $c(x) = x^pC(x^2)$ (`Some(0)` for the zero series; `None` if it has both parities). The
/// kernels of bias-free networks with odd activations (erf, sine without phase, ...) are odd,
/// and every series of their recursion has a parity: the operations below then work on $C$ in
/// $y = x^2$, with a quarter of the operations of the quadratic recurrences and the same
/// products, in the same order, as on the full series (only products with an exact-zero
/// factor are left out).
fn parity(c: &[f64]) -> Option<usize> {
    if c.iter().skip(1).step_by(2).all(|&x| x == 0.0) {
        Some(0)
    } else if c.iter().step_by(2).all(|&x| x == 0.0) {
        Some(1)
    } else {
        None
    }
}

/// $C$ of $c = x^pC(x^2)$: every other coefficient from $p$ on.
fn compact(c: &[f64], p: usize) -> Vec<f64> {
    c.iter().skip(p).step_by(2).copied().collect()
}

/// $x^pC(x^2)$ with `n` coefficients (the inverse of [`compact`]).
fn spread(c: &[f64], p: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for (o, &x) in out.iter_mut().skip(p).step_by(2).zip(c) {
        *o = x;
    }
    out
}

/// $a/b$ for slices of the same length, $b_0 \ne 0$: $q_k = (a_k - \sum_{i=1}^k b_iq_{k-i})/b_0$.
fn div_dense(a: &[f64], b: &[f64]) -> Vec<f64> {
    let n = a.len().min(b.len());
    let b0 = b[0];
    let mut q = vec![0.0; n];
    for k in 0..n {
        q[k] = (a[k] - dot_rev(&b[1..=k], &q[..k])) / b0;
    }
    q
}

/// Truncated Cauchy product of two slices of the same length (of the compact series in
/// $x^2$ if both have a parity, see [`parity`]).
fn cauchy(a: &[f64], b: &[f64]) -> Vec<f64> {
    let n = a.len().min(b.len());
    if let (Some(pa), Some(pb)) = (parity(&a[..n]), parity(&b[..n])) {
        let p = pa + pb;
        if p >= n {
            return vec![0.0; n];
        }
        let m = (n - p).div_ceil(2);
        let c = cauchy_dense(&compact(&a[..n], pa)[..m], &compact(&b[..n], pb)[..m]);
        return spread(&c, p, n);
    }
    cauchy_dense(a, b)
}

/// Truncated Cauchy product of two slices of the same length, term by term.
fn cauchy_dense(a: &[f64], b: &[f64]) -> Vec<f64> {
    let n = a.len().min(b.len());
    let mut c = vec![0.0; n];
    for (i, &ai) in a.iter().enumerate().take(n) {
        if ai == 0.0 {
            continue;
        }
        for (ck, &bj) in c[i..].iter_mut().zip(&b[..n - i]) {
            *ck += ai * bj;
        }
    }
    c
}

/// Independent partial sums of [`dot_rev`] and [`weighted_dot_rev`]: the recurrences below
/// are sums of products whose one sequential accumulator is bound by the latency of the
/// addition; [`LANES`] accumulators let the products pipeline (and vectorize). The summation
/// order differs from the sequential one only in rounding (each partial sum has at most
/// $n/$`LANES` terms, so the error bound does not grow).
const LANES: usize = 8;

/// $\sum_{i<n} a_i b_{n-1-i}$ for slices of the same length $n$ (the convolution sum of the
/// recurrences, with [`LANES`] partial sums).
#[inline]
fn dot_rev(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let m = n - n % LANES;
    let mut acc = [0.0f64; LANES];
    for (ca, cb) in a[..m]
        .chunks_exact(LANES)
        .zip(b[n - m..].rchunks_exact(LANES))
    {
        for j in 0..LANES {
            acc[j] += ca[j] * cb[LANES - 1 - j];
        }
    }
    let mut rest = 0.0;
    for i in m..n {
        rest += a[i] * b[n - 1 - i];
    }
    acc.iter().sum::<f64>() + rest
}

/// $\sum_{i<n} (w_0 + w_1 i)\\,a_i b_{n-1-i}$ (weights exact for the small integers and
/// half-integers of Miller's recurrence), with [`LANES`] partial sums.
#[inline]
fn weighted_dot_rev(w0: f64, w1: f64, a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let m = n - n % LANES;
    let mut acc = [0.0f64; LANES];
    let mut idx: [f64; LANES] = std::array::from_fn(|j| j as f64);
    for (ca, cb) in a[..m]
        .chunks_exact(LANES)
        .zip(b[n - m..].rchunks_exact(LANES))
    {
        for j in 0..LANES {
            acc[j] += (w0 + w1 * idx[j]) * ca[j] * cb[LANES - 1 - j];
            idx[j] += LANES as f64;
        }
    }
    let mut rest = 0.0;
    for i in m..n {
        rest += (w0 + w1 * i as f64) * a[i] * b[n - 1 - i];
    }
    acc.iter().sum::<f64>() + rest
}

/// $\sqrt{u}$ for $u_0 > 0$: $r_0 = \sqrt{u_0}$, $r_k = (u_k - \sum_{i=1}^{k-1} r_i r_{k-i})/(2r_0)$
/// (the symmetric sum as twice its first half plus the middle square).
fn sqrt_unit(u: &[f64]) -> Vec<f64> {
    let n = u.len();
    if n > 1 && parity(u) == Some(0) {
        // √(U(x²)) = (√U)(x²)
        return spread(&sqrt_unit(&compact(u, 0)), 0, n);
    }
    let mut r = vec![0.0; n];
    r[0] = u[0].sqrt();
    for k in 1..n {
        // i = 1..=h pairs with k - i = k-1..k-h (h = (k-1)/2), then the middle term if k is even.
        let h = (k - 1) / 2;
        let mut sum = 2.0 * dot_rev(&r[1..=h], &r[k - h..k]);
        if k % 2 == 0 {
            sum += r[k / 2] * r[k / 2];
        }
        r[k] = (u[k] - sum) / (2.0 * r[0]);
    }
    r
}

/// $q^{\alpha}$ for $q_0 > 0$ by J. C. P. Miller's recurrence (Knuth, TAOCP vol. 2, §4.7):
/// $f_0 = q_0^\alpha$, $f_k = \frac{1}{k q_0}\sum_{i=1}^{k}\big((\alpha+1)i - k\big) q_i f_{k-i}$.
/// For $\alpha = -\tfrac12$ and $q = q_0 - (\text{non-negative series})$ every term is
/// non-negative: no cancellation.
fn pow_series(q: &[f64], alpha: f64) -> Vec<f64> {
    let n = q.len();
    if n > 1 && parity(q) == Some(0) {
        // Q(x²)^α = (Q^α)(x²); the weights of the recurrence in y = x² are those in x halved,
        // exactly.
        return spread(&pow_series(&compact(q, 0), alpha), 0, n);
    }
    let mut f = vec![0.0; n];
    f[0] = q[0].powf(alpha);
    for k in 1..n {
        // i = 1 + j: weight (alpha + 1)(1 + j) - k
        let kf = k as f64;
        let acc = weighted_dot_rev(alpha + 1.0 - kf, alpha + 1.0, &q[1..=k], &f[..k]);
        f[k] = acc / (kf * q[0]);
    }
    f
}

/// Derivative: `n` coefficients give `n − 1`.
fn derivative(c: &[f64]) -> Vec<f64> {
    c.iter()
        .enumerate()
        .skip(1)
        .map(|(k, &x)| k as f64 * x)
        .collect()
}

/// Antiderivative with constant term `c0`: `n` coefficients give `n + 1`.
fn integral(c: &[f64], c0: f64) -> Vec<f64> {
    let mut r = Vec::with_capacity(c.len() + 1);
    r.push(c0);
    r.extend(c.iter().enumerate().map(|(k, &x)| x / (k as f64 + 1.0)));
    r
}

/// $\kappa_0(\rho(x))$, $\kappa_1(\rho(x))$ for $\rho_0 \in (-1, 1)$, by the differential equations
/// $\frac{d}{dx}\kappa_0(\rho) = \rho'/(\pi\sqrt{1-\rho^2})$ and $\frac{d}{dx}\kappa_1(\rho) =
/// \kappa_0(\rho)\\,\rho'$ (so $O(n^2)$ instead of an $O(n^3)$ Taylor composition), with
/// $1-\rho^2 = (1-\rho_0)(1+\rho_0) - r(2\rho_0 + r)$, $r = \rho - \rho_0$.
fn arc_cosine_interior(rho: &[f64]) -> (Core, Core) {
    let n = rho.len();
    let rho0 = rho[0];
    let w = inv_sqrt_one_minus_square(rho);
    let drho = derivative(rho);
    let integrand: Vec<f64> = cauchy(&drho, &w[..n - 1]).iter().map(|&x| x / PI).collect();
    let (k00, k10) = crate::scalar::KernelScalar::arc_cosine(&rho0);
    let k0 = integral(&integrand, k00);
    let k1 = integral(&cauchy(&k0[..n - 1], &drho), k10);
    (Core::truncated(k0), Core::truncated(k1))
}

/// The endpoint branches $\rho = \sigma(1 - g)$, $\sigma = \pm1$, $g = x^2 u(x)$, $u_0 > 0$:
/// with $\vartheta = 2\arcsin\sqrt{g/2}$ (the angle $\theta$ for $\sigma = 1$, $\pi-\theta$ for
/// $\sigma=-1$), $\kappa_0 = 1 - \vartheta/\pi$ resp. $\vartheta/\pi$, and $\kappa_1 =
/// \kappa_1(\sigma) + \int\kappa_0\\,\rho'\\,dx$. The arcsine is $\int v'/\sqrt{1-v^2}$ with
/// $v = x\sqrt{u/2}$ (Bietti & Bach 2021, eq. (3) and §3).
fn arc_cosine_endpoint(rho: &[f64], sigma: f64) -> (Core, Core) {
    let n = rho.len();
    if n < 3 {
        // Not enough known coefficients to see g = x²u: only the constant terms are known.
        let (k0, k1) = crate::scalar::KernelScalar::arc_cosine(&sigma);
        return (Core::truncated(vec![k0]), Core::truncated(vec![k1]));
    }
    // g = 1 − σρ with its constant term exactly 0.
    let g: Vec<f64> = rho.iter().map(|&x| -sigma * x).collect();
    let g2 = g[2];
    if g2.is_nan() || g2 <= 0.0 || g[1].abs() > GAP_LINEAR_TOL * g2 {
        return (Core::nan(n), Core::nan(n));
    }
    // v = x·√(u/2), n − 1 known coefficients.
    let half_u: Vec<f64> = g[2..].iter().map(|&x| 0.5 * x).collect();
    let mut v = vec![0.0];
    v.extend(sqrt_unit(&half_u));
    // 1 − v² and its −1/2 power.
    let mut q: Vec<f64> = cauchy(&v, &v).iter().map(|&x| -x).collect();
    q[0] = 1.0;
    let w = pow_series(&q, -0.5);
    let dv = derivative(&v);
    let m = dv.len();
    let dtheta: Vec<f64> = cauchy(&dv, &w[..m]).iter().map(|&x| 2.0 * x / PI).collect();
    // ϑ/π, n − 1 known coefficients, constant 0.
    let theta_pi = integral(&dtheta, 0.0);
    let k0: Vec<f64> = if sigma > 0.0 {
        let mut k: Vec<f64> = theta_pi.iter().map(|&x| -x).collect();
        k[0] = 1.0;
        k
    } else {
        theta_pi
    };
    let drho = derivative(rho);
    let k1 = integral(
        &cauchy(&k0, &drho[..k0.len()]),
        if sigma > 0.0 { 1.0 } else { 0.0 },
    );
    (Core::truncated(k0), Core::truncated(k1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_inverts_multiplication() {
        let a = Core::truncated(vec![2.0, -1.0, 0.5, 3.0]);
        let b = Core::truncated(vec![1.5, 0.25, -2.0, 1.0]);
        let q = a.mul(&b).div(&b);
        for (x, y) in q.c.iter().zip(&a.c) {
            assert!((x - y).abs() < 1e-14);
        }
        assert!(a.div(&Core::truncated(vec![0.0, 1.0, 0.0, 0.0])).c[0].is_nan());
    }

    #[test]
    fn sqrt_squares_back_and_handles_even_valuation() {
        let a = Core::truncated(vec![0.0, 0.0, 4.0, 1.0, 2.0, -1.0]);
        let r = a.sqrt();
        assert_eq!(r.len(), 5);
        let back = r.mul(&r);
        for k in 0..5 {
            assert!((back.c[k] - a.c[k]).abs() < 1e-14, "{k}");
        }
        assert!(Core::truncated(vec![0.0, 1.0, 2.0]).sqrt().c[0].is_nan());
        assert!(Core::truncated(vec![-1.0, 1.0]).sqrt().c[0].is_nan());
    }

    #[test]
    fn miller_power_matches_binomial_series() {
        // (1 − x)^{−1/2} = Σ binom(2k,k)/4^k x^k
        let mut q = vec![0.0; 10];
        q[0] = 1.0;
        q[1] = -1.0;
        let f = pow_series(&q, -0.5);
        let mut want = 1.0;
        for (k, &fk) in f.iter().enumerate() {
            assert!((fk - want).abs() < 1e-15);
            want *= (2.0 * k as f64 + 1.0) / (2.0 * k as f64 + 2.0);
        }
    }

    /// Relative accuracy of the `f64` series recurrences at low order.
    const SERIES_TOL: f64 = 1e-14;

    #[test]
    fn exp_series_inverts_and_matches_closed_form() {
        // e^{x} = Σ x^k/k!
        let mut x = vec![0.0; 12];
        x[1] = 1.0;
        let e = Core::truncated(x).exp();
        let mut want = 1.0;
        for (k, &c) in e.c.iter().enumerate() {
            if k > 0 {
                want /= k as f64;
            }
            assert!((c - want).abs() <= SERIES_TOL * want, "{k}");
        }
        // e^{u} e^{−u} = 1
        let u = Core::truncated(vec![0.4, -1.0, 0.3, 2.0, -0.5, 0.1]);
        let one = u.exp().mul(&u.neg().exp());
        assert!((one.c[0] - 1.0).abs() < SERIES_TOL);
        for &c in &one.c[1..] {
            assert!(c.abs() < SERIES_TOL, "{:?}", one.c);
        }
        // exact constants stay exact
        assert_eq!(Core::constant(2.0).exp(), Core::constant(2f64.exp()));
    }

    #[test]
    fn asin_series_agrees_with_the_arc_cosine_map() {
        // κ₀(ρ) = 1/2 + asin(ρ)/π: the two recurrences share (1 − ρ²)^{−1/2}
        let rho = Core::truncated(vec![0.3, 0.5, -0.2, 0.1, 0.0, 0.05, -0.01]);
        let (k0, _) = rho.arc_cosine(false);
        let a = rho.asin();
        assert_eq!(a.len(), rho.len());
        for (k, (&x, &y)) in k0.c.iter().zip(&a.c).enumerate() {
            let want = if k == 0 { 0.5 + y / PI } else { y / PI };
            assert!((x - want).abs() <= SERIES_TOL * want.abs().max(1e-3), "{k}");
        }
        // first-order coefficient u₁/√(1 − u₀²)
        let u = Core::truncated(vec![0.6, 0.8, 0.0]);
        let a = u.asin();
        assert!((a.c[1] - 0.8 / 0.8).abs() < SERIES_TOL);
        // endpoints and outside: poisoned unless constant
        assert!(
            Core::truncated(vec![1.0, 0.1])
                .asin()
                .c
                .iter()
                .all(|x| x.is_nan())
        );
        assert!(
            Core::truncated(vec![-1.0 + 4.0 * f64::EPSILON, 0.1])
                .asin()
                .c[0]
                .is_nan()
        );
        assert!(Core::truncated(vec![2.0, 0.1]).asin().c[1].is_nan());
        assert_eq!(Core::constant(1.0).asin(), Core::constant(PI / 2.0));
        assert_eq!(
            Core::truncated(vec![-1.0, 0.0]).asin(),
            Core::truncated(vec![-PI / 2.0, 0.0])
        );
    }

    /// Series with a parity are computed in $x^2$ (fewer products, same values): against the
    /// term-by-term recurrences on the full series.
    #[test]
    fn parity_paths_match_the_full_recurrences() {
        let n = 41;
        let even: Vec<f64> = (0..n)
            .map(|k| {
                if k % 2 == 0 {
                    1.0 / (1.0 + k as f64)
                } else {
                    0.0
                }
            })
            .collect();
        let odd: Vec<f64> = (0..n)
            .map(|k| {
                if k % 2 == 1 {
                    0.5f64.powi(k as i32)
                } else {
                    0.0
                }
            })
            .collect();
        let close = |x: &[f64], y: &[f64]| {
            assert_eq!(x.len(), y.len());
            for (k, (a, b)) in x.iter().zip(y).enumerate() {
                assert!(
                    (a - b).abs() <= SERIES_TOL * b.abs().max(1e-300),
                    "{k}: {a} {b}"
                );
                assert_eq!(*a == 0.0, *b == 0.0, "{k}");
            }
        };
        assert_eq!(parity(&even), Some(0));
        assert_eq!(parity(&odd), Some(1));
        assert_eq!(parity(&[1.0, 1.0]), None);
        for (a, b) in [(&even, &odd), (&odd, &odd), (&even, &even)] {
            close(&cauchy(a, b), &cauchy_dense(a, b));
        }
        for a in [&even, &odd] {
            close(&div_dense(a, &even), &{
                let q = Core::truncated(a.clone()).div(&Core::truncated(even.clone()));
                q.c
            });
        }
        // the full recurrences, written out as before the parity paths
        let mut r = vec![0.0; n];
        r[0] = even[0].sqrt();
        for k in 1..n {
            let mut acc = even[k];
            for i in 1..k {
                acc -= r[i] * r[k - i];
            }
            r[k] = acc / (2.0 * r[0]);
        }
        close(&sqrt_unit(&even), &r);
        let mut f = vec![0.0; n];
        f[0] = even[0].powf(-0.5);
        for k in 1..n {
            let mut acc = 0.0;
            for i in 1..=k {
                acc += (0.5 * i as f64 - k as f64) * even[i] * f[k - i];
            }
            f[k] = acc / (k as f64 * even[0]);
        }
        close(&pow_series(&even, -0.5), &f);
    }

    #[test]
    fn classify_branches() {
        assert_eq!(classify(1.0), Branch::Plus);
        assert_eq!(classify(1.0 - 2.0 * f64::EPSILON), Branch::Plus);
        assert_eq!(classify(-1.0), Branch::Minus);
        assert_eq!(classify(0.3), Branch::Interior);
        assert_eq!(classify(1.5), Branch::Outside);
        assert_eq!(classify(f64::NAN), Branch::Outside);
    }
}
