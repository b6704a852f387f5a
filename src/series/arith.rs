//! Truncated power series in one variable $x$ with coefficients in a [`Coefficient`] field
//! (`f64` by default): the arithmetic shared by [`super::PowerSeries`] ($x = t$) and
//! [`super::PuiseuxSeries`] ($x = s = \sqrt{1\mp t}$).
//!
//! A [`Core`] is either an *exact constant* (what [`crate::scalar::KernelScalar::from_f64`]
//! produces: it carries no truncation order) or a *truncated series* $\sum_{k<n} c_k x^k +
//! O(x^n)$ with `n = c.len() ≥ 1` known coefficients. Binary operations keep the smaller number
//! of known coefficients. Operations that have no power-series result (division by a series with
//! zero constant term, square root of a series of odd valuation, …) return a series of invalid
//! coefficients (`NaN` for `f64`: "poisoned"), like `f64` does for invalid operations; the public
//! functions of [`super`] detect it and return [`super::SeriesError::Degenerate`].

use super::coefficient::Coefficient;

/// See the module documentation. Invariant: `exact ⇒ c.len() == 1`, and `c.len() ≥ 1` always.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Core<C = f64> {
    pub(crate) c: Vec<C>,
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
/// exactly $\pm1$ (floating-point coefficients; exact ones are compared exactly). The recursion
/// produces exactly $\pm1$ in the cases that matter (see the [`super`] module documentation); the
/// tolerance only absorbs rounding in unforeseen paths.
pub(crate) const ENDPOINT_ULPS: f64 = 8.0;

/// A relative size below which the $x^1$ coefficient of the gap $1\mp\rho$ is treated as a
/// rounding residue of an exact zero (floating-point coefficients only).
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

/// The branch of a constant term: [`classify`] for floating-point types, exact comparisons with
/// $\pm1$ for exact ones.
fn classify_coefficient<C: Coefficient>(rho0: &C) -> Branch {
    if !C::EXACT {
        return classify(rho0.approx());
    }
    if !rho0.is_valid() {
        Branch::Outside
    } else if rho0.is_one() {
        Branch::Plus
    } else if (-rho0.clone()).is_one() {
        Branch::Minus
    } else if rho0.approx().abs() < 1.0 {
        Branch::Interior
    } else {
        Branch::Outside
    }
}

impl<C: Coefficient> Core<C> {
    pub(crate) fn constant(x: C) -> Self {
        Self {
            c: vec![x],
            exact: true,
        }
    }

    /// A truncated series from its known coefficients (`c` must be non-empty).
    pub(crate) fn truncated(c: Vec<C>) -> Self {
        debug_assert!(!c.is_empty());
        Self { c, exact: false }
    }

    pub(crate) fn nan(n: usize) -> Self {
        Self::truncated(vec![C::invalid(); n.max(1)])
    }

    /// A poisoned value of the right kind (exact constant stays a constant).
    pub(crate) fn nan_like(&self) -> Self {
        if self.exact {
            Self::constant(C::invalid())
        } else {
            Self::nan(self.c.len())
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.c.len()
    }

    /// All coefficients beyond the constant term are zero.
    pub(crate) fn is_constant(&self) -> bool {
        self.exact || self.c[1..].iter().all(|x| x.is_zero())
    }

    /// A series with the same kind/length as `self` and constant value `x`.
    fn constant_like(&self, x: C) -> Self {
        if self.exact {
            Self::constant(x)
        } else {
            let mut c = vec![C::zero(); self.c.len()];
            c[0] = x;
            Self::truncated(c)
        }
    }

    fn map(&self, f: impl Fn(&C) -> C) -> Self {
        Self {
            c: self.c.iter().map(f).collect(),
            exact: self.exact,
        }
    }

    pub(crate) fn neg(&self) -> Self {
        self.map(|x| -x.clone())
    }

    pub(crate) fn scale_pow2(&self, e: i32) -> Self {
        self.map(|x| x.scale_pow2(e))
    }

    pub(crate) fn add(&self, o: &Self) -> Self {
        match (self.exact, o.exact) {
            (true, true) => Self::constant(self.c[0].clone() + o.c[0].clone()),
            (true, false) => {
                let mut r = o.clone();
                r.c[0] = r.c[0].clone() + self.c[0].clone();
                r
            }
            (false, true) => {
                let mut r = self.clone();
                r.c[0] = r.c[0].clone() + o.c[0].clone();
                r
            }
            (false, false) => {
                let n = self.len().min(o.len());
                Self::truncated((0..n).map(|k| self.c[k].clone() + o.c[k].clone()).collect())
            }
        }
    }

    pub(crate) fn sub(&self, o: &Self) -> Self {
        self.add(&o.neg())
    }

    pub(crate) fn mul(&self, o: &Self) -> Self {
        match (self.exact, o.exact) {
            (true, true) => Self::constant(self.c[0].clone() * o.c[0].clone()),
            (true, false) => o.map(|x| self.c[0].clone() * x.clone()),
            (false, true) => self.map(|x| x.clone() * o.c[0].clone()),
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
            if C::EXACT && (o.c[0].is_zero() || !o.c[0].is_valid()) {
                return self.nan_like();
            }
            return self.map(|x| x.clone() / o.c[0].clone());
        }
        let b0 = &o.c[0];
        let n = if self.exact {
            o.len()
        } else {
            self.len().min(o.len())
        };
        if b0.is_zero() || !b0.is_valid() {
            return Self::nan(n);
        }
        let mut a = vec![C::zero(); n];
        if self.exact {
            a[0] = self.c[0].clone();
        } else {
            a.clone_from_slice(&self.c[..n]);
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
        let Some(v) = self.c.iter().position(|x| !x.is_zero()) else {
            return self.clone();
        };
        let cv = &self.c[v];
        if v % 2 == 1 || cv.approx().is_nan() || cv.approx() < 0.0 {
            return Self::nan(n);
        }
        let m = v / 2;
        let r = sqrt_unit(&self.c[v..]);
        let mut c = vec![C::zero(); m];
        c.extend(r);
        Self::truncated(c)
    }

    /// The ReLU dual maps of a correlation series, given the branch of its constant term.
    /// `allow_endpoints = false` (power series in $t$) poisons non-constant series at $\pm1$.
    pub(crate) fn arc_cosine(&self, allow_endpoints: bool) -> (Self, Self) {
        if self.is_constant() {
            let (k0, k1) = self.c[0].arc_cosine();
            return (self.constant_like(k0), self.constant_like(k1));
        }
        let n = self.len();
        match classify_coefficient(&self.c[0]) {
            Branch::Interior => arc_cosine_interior(&self.c),
            Branch::Plus if allow_endpoints => arc_cosine_endpoint(&self.c, true),
            Branch::Minus if allow_endpoints => arc_cosine_endpoint(&self.c, false),
            _ => (Self::nan(n), self.nan_like()),
        }
    }

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
            return self.constant_like(self.c[0].asin());
        }
        match classify_coefficient(&self.c[0]) {
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
fn exp_series<C: Coefficient>(u: &[C]) -> Vec<C> {
    let n = u.len();
    let du = derivative(u);
    let mut f = vec![C::zero(); n];
    f[0] = u[0].exp();
    for k in 1..n {
        f[k] = C::dot_rev(&du[..k], &f[..k]) / C::from_i64(k as i64);
    }
    f
}

/// $(1-\rho^2)^{-1/2}$ for $|\rho_0| < 1$ (`n` coefficients in, `n` out), with
/// $1-\rho^2 = (1-\rho_0)(1+\rho_0) - r(2\rho_0 + r)$, $r = \rho - \rho_0$ (no cancellation in
/// the constant term), by Miller's recurrence ([`pow_series`]).
fn inv_sqrt_one_minus_square<C: Coefficient>(rho: &[C]) -> Vec<C> {
    let rho0 = rho[0].clone();
    let mut r = rho.to_vec();
    r[0] = C::zero();
    let mut two_rho0_r = r.clone();
    two_rho0_r[0] = C::from_i64(2) * rho0.clone();
    let mut q: Vec<C> = cauchy(&r, &two_rho0_r).into_iter().map(|x| -x).collect();
    q[0] = (C::one() - rho0.clone()) * (C::one() + rho0);
    pow_series_neg_half(&q)
}

/// The parity $p$ of a series whose coefficients of the other parity are exact zeros, i.e.
/// $c(x) = x^pC(x^2)$ (`Some(0)` for the zero series; `None` if it has both parities). The
/// kernels of bias-free networks with odd activations (erf, sine without phase, ...) are odd,
/// and every series of their recursion has a parity: the operations below then work on $C$ in
/// $y = x^2$, with a quarter of the operations of the quadratic recurrences and the same
/// products, in the same order, as on the full series (only products with an exact-zero
/// factor are left out).
fn parity<C: Coefficient>(c: &[C]) -> Option<usize> {
    if c.iter().skip(1).step_by(2).all(|x| x.is_zero()) {
        Some(0)
    } else if c.iter().step_by(2).all(|x| x.is_zero()) {
        Some(1)
    } else {
        None
    }
}

/// $C$ of $c = x^pC(x^2)$: every other coefficient from $p$ on.
fn compact<C: Coefficient>(c: &[C], p: usize) -> Vec<C> {
    c.iter().skip(p).step_by(2).cloned().collect()
}

/// $x^pC(x^2)$ with `n` coefficients (the inverse of [`compact`]).
fn spread<C: Coefficient>(c: &[C], p: usize, n: usize) -> Vec<C> {
    let mut out = vec![C::zero(); n];
    for (o, x) in out.iter_mut().skip(p).step_by(2).zip(c) {
        *o = x.clone();
    }
    out
}

/// $a/b$ for slices of the same length, $b_0 \ne 0$: $q_k = (a_k - \sum_{i=1}^k b_iq_{k-i})/b_0$.
fn div_dense<C: Coefficient>(a: &[C], b: &[C]) -> Vec<C> {
    let n = a.len().min(b.len());
    let b0 = &b[0];
    let mut q = vec![C::zero(); n];
    for k in 0..n {
        q[k] = (a[k].clone() - C::dot_rev(&b[1..=k], &q[..k])) / b0.clone();
    }
    q
}

/// Truncated Cauchy product of two slices of the same length (of the compact series in
/// $x^2$ if both have a parity, see [`parity`]).
fn cauchy<C: Coefficient>(a: &[C], b: &[C]) -> Vec<C> {
    let n = a.len().min(b.len());
    if let (Some(pa), Some(pb)) = (parity(&a[..n]), parity(&b[..n])) {
        let p = pa + pb;
        if p >= n {
            return vec![C::zero(); n];
        }
        let m = (n - p).div_ceil(2);
        let c = cauchy_dense(&compact(&a[..n], pa)[..m], &compact(&b[..n], pb)[..m]);
        return spread(&c, p, n);
    }
    cauchy_dense(a, b)
}

/// Truncated Cauchy product of two slices of the same length, term by term.
fn cauchy_dense<C: Coefficient>(a: &[C], b: &[C]) -> Vec<C> {
    let n = a.len().min(b.len());
    let mut c = vec![C::zero(); n];
    for (i, ai) in a.iter().enumerate().take(n) {
        if ai.is_zero() {
            continue;
        }
        for (ck, bj) in c[i..].iter_mut().zip(&b[..n - i]) {
            add_product(ck, ai, bj);
        }
    }
    c
}

/// `acc += a·b` (in place for `f64`; the exact types clone).
#[inline]
fn add_product<C: Coefficient>(acc: &mut C, a: &C, b: &C) {
    let x = std::mem::replace(acc, C::zero());
    *acc = x + a.clone() * b.clone();
}

/// $\sqrt{u}$ for $u_0 > 0$: $r_0 = \sqrt{u_0}$, $r_k = (u_k - \sum_{i=1}^{k-1} r_i r_{k-i})/(2r_0)$
/// (the symmetric sum as twice its first half plus the middle square).
fn sqrt_unit<C: Coefficient>(u: &[C]) -> Vec<C> {
    let n = u.len();
    if n > 1 && parity(u) == Some(0) {
        // √(U(x²)) = (√U)(x²)
        return spread(&sqrt_unit(&compact(u, 0)), 0, n);
    }
    let mut r = vec![C::zero(); n];
    r[0] = u[0].sqrt();
    let two = C::from_i64(2);
    for k in 1..n {
        // i = 1..=h pairs with k - i = k-1..k-h (h = (k-1)/2), then the middle term if k is even.
        let h = (k - 1) / 2;
        let mut sum = two.clone() * C::dot_rev(&r[1..=h], &r[k - h..k]);
        if k % 2 == 0 {
            sum = sum + r[k / 2].clone() * r[k / 2].clone();
        }
        r[k] = (u[k].clone() - sum) / (two.clone() * r[0].clone());
    }
    r
}

/// $q^{-1/2}$ for $q_0 > 0$ by J. C. P. Miller's recurrence (Knuth, TAOCP vol. 2, §4.7), with
/// $\alpha = -\tfrac12$: $f_0 = q_0^\alpha$,
/// $f_k = \frac{1}{k q_0}\sum_{i=1}^{k}\big((\alpha+1)i - k\big) q_i f_{k-i}$.
/// For $q = q_0 - (\text{non-negative series})$ every term is non-negative: no cancellation.
fn pow_series_neg_half<C: Coefficient>(q: &[C]) -> Vec<C> {
    const ALPHA: f64 = -0.5;
    let n = q.len();
    if n > 1 && parity(q) == Some(0) {
        // Q(x²)^α = (Q^α)(x²); the weights of the recurrence in y = x² are those in x halved,
        // exactly.
        return spread(&pow_series_neg_half(&compact(q, 0)), 0, n);
    }
    let mut f = vec![C::zero(); n];
    f[0] = q[0].inv_sqrt();
    for k in 1..n {
        // i = 1 + j: weight (alpha + 1)(1 + j) - k
        let kf = k as f64;
        let acc = C::weighted_dot_rev(ALPHA + 1.0 - kf, ALPHA + 1.0, &q[1..=k], &f[..k]);
        f[k] = acc / (C::from_i64(k as i64) * q[0].clone());
    }
    f
}

/// Derivative: `n` coefficients give `n − 1`.
fn derivative<C: Coefficient>(c: &[C]) -> Vec<C> {
    c.iter()
        .enumerate()
        .skip(1)
        .map(|(k, x)| C::from_i64(k as i64) * x.clone())
        .collect()
}

/// Antiderivative with constant term `c0`: `n` coefficients give `n + 1`.
fn integral<C: Coefficient>(c: &[C], c0: C) -> Vec<C> {
    let mut r = Vec::with_capacity(c.len() + 1);
    r.push(c0);
    r.extend(
        c.iter()
            .enumerate()
            .map(|(k, x)| x.clone() / C::from_i64(k as i64 + 1)),
    );
    r
}

/// $\kappa_0(\rho(x))$, $\kappa_1(\rho(x))$ for $\rho_0 \in (-1, 1)$, by the differential equations
/// $\frac{d}{dx}\kappa_0(\rho) = \rho'/(\pi\sqrt{1-\rho^2})$ and $\frac{d}{dx}\kappa_1(\rho) =
/// \kappa_0(\rho)\\,\rho'$ (so $O(n^2)$ instead of an $O(n^3)$ Taylor composition), with
/// $1-\rho^2 = (1-\rho_0)(1+\rho_0) - r(2\rho_0 + r)$, $r = \rho - \rho_0$.
fn arc_cosine_interior<C: Coefficient>(rho: &[C]) -> (Core<C>, Core<C>) {
    let n = rho.len();
    let w = inv_sqrt_one_minus_square(rho);
    let drho = derivative(rho);
    let pi = C::pi();
    let integrand: Vec<C> = cauchy(&drho, &w[..n - 1])
        .into_iter()
        .map(|x| x / pi.clone())
        .collect();
    let (k00, k10) = rho[0].arc_cosine();
    let k0 = integral(&integrand, k00);
    let k1 = integral(&cauchy(&k0[..n - 1], &drho), k10);
    (Core::truncated(k0), Core::truncated(k1))
}

/// The endpoint branches $\rho = \sigma(1 - g)$, $\sigma = \pm1$ (`plus`: $\sigma = 1$),
/// $g = x^2 u(x)$, $u_0 > 0$: with $\vartheta = 2\arcsin\sqrt{g/2}$ (the angle $\theta$ for
/// $\sigma = 1$, $\pi-\theta$ for $\sigma=-1$), $\kappa_0 = 1 - \vartheta/\pi$ resp.
/// $\vartheta/\pi$, and $\kappa_1 = \kappa_1(\sigma) + \int\kappa_0\\,\rho'\\,dx$. The arcsine is
/// $\int v'/\sqrt{1-v^2}$ with $v = x\sqrt{u/2}$ (Bietti & Bach 2021, eq. (3) and §3).
fn arc_cosine_endpoint<C: Coefficient>(rho: &[C], plus: bool) -> (Core<C>, Core<C>) {
    let n = rho.len();
    // κ₀(σ) = κ₁(σ) = 1 at σ = 1, 0 at σ = −1.
    let at_sigma = || if plus { C::one() } else { C::zero() };
    if n < 3 {
        // Not enough known coefficients to see g = x²u: only the constant terms are known.
        return (
            Core::truncated(vec![at_sigma()]),
            Core::truncated(vec![at_sigma()]),
        );
    }
    // g = 1 − σρ with its constant term exactly 0 (−σ·x is exactly −x or x).
    let g: Vec<C> = rho
        .iter()
        .map(|x| if plus { -x.clone() } else { x.clone() })
        .collect();
    let g2 = &g[2];
    let bad_gap = if C::EXACT {
        !g2.is_valid() || g2.approx() <= 0.0 || !g[1].is_zero()
    } else {
        let (g1, g2) = (g[1].approx(), g2.approx());
        g2.is_nan() || g2 <= 0.0 || g1.abs() > GAP_LINEAR_TOL * g2
    };
    if bad_gap {
        return (Core::nan(n), Core::nan(n));
    }
    // v = x·√(u/2), n − 1 known coefficients.
    let half = C::from_f64(0.5);
    let half_u: Vec<C> = g[2..].iter().map(|x| half.clone() * x.clone()).collect();
    let mut v = vec![C::zero()];
    v.extend(sqrt_unit(&half_u));
    // 1 − v² and its −1/2 power.
    let mut q: Vec<C> = cauchy(&v, &v).into_iter().map(|x| -x).collect();
    q[0] = C::one();
    let w = pow_series_neg_half(&q);
    let dv = derivative(&v);
    let m = dv.len();
    let two = C::from_i64(2);
    let pi = C::pi();
    let dtheta: Vec<C> = cauchy(&dv, &w[..m])
        .into_iter()
        .map(|x| two.clone() * x / pi.clone())
        .collect();
    // ϑ/π, n − 1 known coefficients, constant 0.
    let theta_pi = integral(&dtheta, C::zero());
    let k0: Vec<C> = if plus {
        let mut k: Vec<C> = theta_pi.into_iter().map(|x| -x).collect();
        k[0] = C::one();
        k
    } else {
        theta_pi
    };
    let drho = derivative(rho);
    let k1 = integral(&cauchy(&k0, &drho[..k0.len()]), at_sigma());
    (Core::truncated(k0), Core::truncated(k1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

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
        let f = pow_series_neg_half(&q);
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
        close(&pow_series_neg_half(&even), &f);
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
