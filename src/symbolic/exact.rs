//! An exact coefficient field for the kernel series at $t = 1$: finite sums
//! $$x = \sum_{i\in\\{0,1\\},\ j\in\mathbb Z} c_{ij}(a)\\,\sqrt2^{\\,i}\\,\pi^{j},\qquad
//!   c_{ij}\in\mathbb Q(a),$$
//! with $a$ the ResNet parameter $a = \alpha^2\sigma_w^2\sigma_v^2/2$ as a symbol (or no symbol
//! at all: rational parameters give $\mathbb Q(\sqrt2, \pi)$ coefficients).
//!
//! **Why this field suffices at $t = 1$.** Running the layer recursion of [`crate::arch`] on
//! [`crate::series::PuiseuxSeries`]`<Exact>` at $t = 1 - s^2$, every correlation of a bias-free
//! ReLU network has constant term exactly $1$ and gap $g = s^2(1 + O(s))$, so the endpoint
//! branch of the dual maps only needs $\sqrt{1/2} = \sqrt2/2$ (the square root of the leading gap
//! coefficient), division by $\pi$, and field operations on coefficients; variances are
//! constants $q$ whose products $q_xq_y = q^2$ have exact square roots (powers of
//! $1 + a$ and of rationals). Biases break this: the variance becomes $q + \sigma_b^2$ and the
//! correlation's constant term stays 1, but the normalizing square roots are of sums such as
//! $1/2 + \sigma_b^2$ — square roots of rationals which this field refuses
//! ([`crate::symbolic::exact_series`] rejects biased networks up front with a typed error).
//!
//! **Representation.** A `BTreeMap` from $(i, j)$ to reduced non-zero rational functions
//! (`poly::RatFunc`: numerator and monic denominator coprime, by Euclid's algorithm on primitive
//! integer polynomials); so equality of values is equality of representations (this relies on
//! $\pi$ being transcendental over $\mathbb Q(a, \sqrt2)$ — Lindemann 1882 — and on
//! $\sqrt 2\notin\mathbb Q(a)$). Division is supported by elements with a single power of $\pi$,
//! $\pi^j(p + q\sqrt2)$, inverted by the conjugate: $1/(p+q\sqrt2) = (p - q\sqrt2)/(p^2-2q^2)$;
//! square roots only when the result is in the representation ($r^2P^2/Q^2$, $2r^2P^2/Q^2$, with
//! even powers of $\pi$); $\arccos$ and $\arcsin$ of the constants $0, \pm\tfrac12, \pm\tfrac{\sqrt2}2,
//! \pm1$ where the result is representable. Anything else gives the *invalid* value, and a series
//! holding it is degenerate ([`crate::series::Coefficient`]).
//!
//! **Printing.** [`Exact::to_plain`] writes a CAS-parseable expression in integers,
//! `+ - * / **`, parentheses, `sqrt`, `pi` and `a` (e.g. `-sqrt(2)/(2*pi)`; sympy's
//! `sympify` reads it), [`Exact::to_latex`] a LaTeX formula.
//!
//! **The symbol.** [`with_symbolic_alpha`] runs a computation in which every residual scale
//! $\alpha^2$ is read as `factor·a` ([`KernelScalar::residual_scale`]); outside it $\alpha^2$ is
//! the square of the simplest rational of $\alpha$ (so $\alpha = 0.1$ gives exactly $1/100$).
//! [`Exact::approx`] evaluates $a$ at the sample point $a = 1/2$ (the default network
//! $\alpha = \sigma_w^2 = \sigma_v^2 = 1$): the recursion only reads signs of variances from it,
//! which are positive for every $a > 0$.
//!
//! [`KernelScalar::residual_scale`]: crate::scalar::KernelScalar::residual_scale

pub(crate) mod poly;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

use self::poly::{Poly, RatFunc};
use super::rational::{Rational, simplest_rational};
use crate::activation::DynActivation;
use crate::arch::CovState;
use crate::scalar::{KernelScalar, QuadDouble};
use crate::series::{Coefficient, PuiseuxSeries};

/// An element of $\mathbb Q(a)(\sqrt2, \pi)$ as a finite sum (see the module documentation),
/// or the invalid value (an operation without an exact result).
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// `None`: invalid. Keys $(i, j)$ for $\sqrt2^i\pi^j$; values non-zero.
    terms: Option<BTreeMap<(u8, i32), RatFunc>>,
}

thread_local! {
    static SYMBOLIC_ALPHA: RefCell<Option<Rational>> = const { RefCell::new(None) };
}

/// Runs `f` with the residual scales read symbolically: $\alpha^2 = \text{factor}\cdot a$
/// (for the [`crate::ResNet`] preset, `factor` $= 2/(\sigma_w^2\sigma_v^2)$, so that
/// $a = \alpha^2\sigma_w^2\sigma_v^2/2$). Every residual block of the network gets the same
/// symbol. The previous setting is restored afterwards (also on panic-free early returns).
pub fn with_symbolic_alpha<R>(factor: Rational, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rational>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            SYMBOLIC_ALPHA.with(|s| *s.borrow_mut() = old);
        }
    }
    let old = SYMBOLIC_ALPHA.with(|s| s.borrow_mut().replace(factor));
    let _restore = Restore(old);
    f()
}

/// The factor of the active [`with_symbolic_alpha`] scope, if any (read by every exact and
/// symbolic number type's `residual_scale`).
pub(crate) fn symbolic_alpha_factor() -> Option<Rational> {
    SYMBOLIC_ALPHA.with(|s| s.borrow().clone())
}

fn rat(p: i64, q: i64) -> Rational {
    Rational::new(BigInt::from(p), BigInt::from(q))
}

impl Exact {
    /// The invalid value.
    pub fn invalid() -> Self {
        Self { terms: None }
    }
    fn from_terms(terms: BTreeMap<(u8, i32), RatFunc>) -> Self {
        Self { terms: Some(terms) }
    }
    fn term(i: u8, j: i32, c: RatFunc) -> Self {
        let mut m = BTreeMap::new();
        if !c.is_zero() {
            m.insert((i, j), c);
        }
        Self::from_terms(m)
    }
    /// A rational number.
    pub fn rational(r: Rational) -> Self {
        Self::term(0, 0, RatFunc::constant(r))
    }
    /// The symbol $a$.
    pub fn symbol() -> Self {
        Self::term(0, 0, RatFunc::symbol(Rational::one()))
    }
    /// $\sqrt2$.
    pub fn sqrt2() -> Self {
        Self::term(1, 0, RatFunc::constant(Rational::one()))
    }
    /// $\pi^j$.
    pub fn pi_pow(j: i32) -> Self {
        Self::term(0, j, RatFunc::constant(Rational::one()))
    }
    /// Whether the value is valid.
    pub fn is_valid(&self) -> bool {
        self.terms.is_some()
    }
    /// Whether the value depends on the symbol $a$.
    pub fn has_symbol(&self) -> bool {
        self.terms
            .as_ref()
            .is_some_and(|m| m.values().any(|c| c.as_constant().is_none()))
    }
    /// The rational value, if the value is a rational number.
    pub fn as_rational(&self) -> Option<Rational> {
        let m = self.terms.as_ref()?;
        match m.len() {
            0 => Some(Rational::zero()),
            1 => {
                let (&(i, j), c) = m.iter().next()?;
                (i == 0 && j == 0).then(|| c.as_constant()).flatten()
            }
            _ => None,
        }
    }
    /// The value with the symbol $a$ replaced by a rational (invalid at a pole).
    pub fn substitute(&self, a: &Rational) -> Self {
        let Some(m) = &self.terms else {
            return Self::invalid();
        };
        let mut out = Self::zero();
        for (&(i, j), c) in m {
            let Some(v) = c.eval(a) else {
                return Self::invalid();
            };
            out = out + Self::term(i, j, RatFunc::constant(v));
        }
        out
    }
    /// The value in quad-double precision (about 63 digits); `None` if invalid or if it depends
    /// on the symbol $a$.
    pub fn to_quad_double(&self) -> Option<QuadDouble> {
        let m = self.terms.as_ref()?;
        let pi = <QuadDouble as KernelScalar>::pi();
        let root2 = KernelScalar::sqrt(&QuadDouble::from(2.0));
        let mut acc = QuadDouble::from(0.0);
        for (&(i, j), c) in m {
            let r = c.as_constant()?;
            let mut x = super::expr::rational_to::<QuadDouble>(&r);
            if i == 1 {
                x = x * root2;
            }
            for _ in 0..j.unsigned_abs() {
                x = if j > 0 { x * pi } else { x / pi };
            }
            acc = acc + x;
        }
        Some(acc)
    }
    /// A double approximation, with the symbol at the sample point $a = 1/2$ (`NaN` if
    /// invalid).
    pub fn approx(&self) -> f64 {
        let Some(m) = &self.terms else {
            return f64::NAN;
        };
        let half = rat(1, 2);
        let mut acc = 0.0;
        for (&(i, j), c) in m {
            let v = match c.eval(&half) {
                Some(v) => v.to_f64().unwrap_or(f64::NAN),
                None => return f64::NAN,
            };
            acc += v * 2f64.sqrt().powi(i as i32) * std::f64::consts::PI.powi(j);
        }
        acc
    }
    /// The multiplicative inverse, if the value has a single power of $\pi$.
    fn recip(&self) -> Option<Self> {
        let m = self.terms.as_ref()?;
        let mut js = m.keys().map(|&(_, j)| j);
        let j = js.next()?;
        if js.any(|k| k != j) {
            return None;
        }
        let z = RatFunc::zero();
        let p = m.get(&(0, j)).unwrap_or(&z);
        let q = m.get(&(1, j)).unwrap_or(&z);
        // 1/(p + q√2) = (p − q√2)/(p² − 2q²)
        let norm = p.mul(p).sub(&q.mul(q).scale(&rat(2, 1)));
        let inv = norm.recip()?;
        let mut out = BTreeMap::new();
        let a = p.mul(&inv);
        let b = q.neg().mul(&inv);
        if !a.is_zero() {
            out.insert((0, -j), a);
        }
        if !b.is_zero() {
            out.insert((1, -j), b);
        }
        Some(Self::from_terms(out))
    }
    /// The exact square root, if it is in the representation.
    fn exact_sqrt(&self) -> Option<Self> {
        let m = self.terms.as_ref()?;
        if m.is_empty() {
            return Some(Self::zero());
        }
        if m.len() != 1 {
            return None;
        }
        let (&(i, j), c) = m.iter().next()?;
        if i != 0 || j % 2 != 0 || self.approx() < 0.0 {
            return None;
        }
        let (r, root2) = c.sqrt()?;
        // the sign: the positive root (at the sample point)
        let x = Self::term(u8::from(root2), j / 2, r);
        Some(if x.approx() < 0.0 { -x } else { x })
    }
    /// A constant's arc-cosine angle as a rational multiple of $\pi$, for the representable
    /// arguments $0, \pm1/2, \pm\sqrt2/2, \pm1$.
    fn acos_over_pi(&self) -> Option<Rational> {
        let table: [(Exact, Rational); 7] = [
            (Self::one(), rat(0, 1)),
            (-Self::one(), rat(1, 1)),
            (Self::zero(), rat(1, 2)),
            (Self::rational(rat(1, 2)), rat(1, 3)),
            (Self::rational(rat(-1, 2)), rat(2, 3)),
            (Self::sqrt2() * Self::rational(rat(1, 2)), rat(1, 4)),
            (Self::sqrt2() * Self::rational(rat(-1, 2)), rat(3, 4)),
        ];
        table.into_iter().find(|(x, _)| x == self).map(|(_, t)| t)
    }
    /// $\sin(\pi r)$ for the angles of [`Exact::acos_over_pi`] whose sine is representable.
    fn sin_pi(r: &Rational) -> Option<Self> {
        let half = Self::rational(rat(1, 2));
        if r.is_zero() || r.is_one() {
            Some(Self::zero())
        } else if *r == rat(1, 2) {
            Some(Self::one())
        } else if *r == rat(1, 4) || *r == rat(3, 4) {
            Some(Self::sqrt2() * half)
        } else {
            None // sin(π/3) = √3/2
        }
    }
    /// Plain CAS-parseable text (see the module documentation); `nan` if invalid.
    pub fn to_plain(&self) -> String {
        self.format(false)
    }
    /// LaTeX; `\mathrm{NaN}` if invalid.
    pub fn to_latex(&self) -> String {
        self.format(true)
    }

    fn format(&self, latex: bool) -> String {
        let Some(m) = &self.terms else {
            return if latex {
                r"\mathrm{NaN}".into()
            } else {
                "nan".into()
            };
        };
        if m.is_empty() {
            return "0".into();
        }
        let mut out = String::new();
        for (k, (&(i, j), c)) in m.iter().enumerate() {
            let (neg, body) = format_term(i, j, c, latex);
            match (k, neg) {
                (0, true) => out.push('-'),
                (0, false) => {}
                (_, true) => out.push_str(" - "),
                (_, false) => out.push_str(" + "),
            }
            out.push_str(&body);
        }
        out
    }
}

/// One term $c\\,\sqrt2^i\pi^j$ as (negative?, text of its absolute value).
fn format_term(i: u8, j: i32, c: &RatFunc, latex: bool) -> (bool, String) {
    let mut num: Vec<String> = Vec::new();
    let mut den: Vec<String> = Vec::new();
    let pi_pow = |k: u32| -> String {
        match (k, latex) {
            (1, false) => "pi".into(),
            (1, true) => r"\pi".into(),
            (k, false) => format!("pi**{k}"),
            (k, true) => format!(r"\pi^{{{k}}}"),
        }
    };
    let neg;
    if let Some(r) = c.as_constant() {
        neg = r.is_negative();
        let (p, q) = (r.numer().abs(), r.denom().clone());
        if !p.is_one() {
            num.push(p.to_string());
        }
        if !q.is_one() {
            den.push(q.to_string());
        }
    } else {
        // c = r · a^m P(a) / Q(a) with P, Q primitive integer polynomials (positive leading
        // coefficients, P(0) ≠ 0): printed as r's numerator, a^m, (P) over r's denominator, (Q).
        let (rn, m, pn) = integer_form(&c.num);
        let (rd, _, qd) = integer_form(&c.den);
        let r = rn / rd;
        neg = r.is_negative();
        let (p, q) = (r.numer().abs(), r.denom().clone());
        let paren = |x: String| {
            if latex {
                format!(r"\left({x}\right)")
            } else {
                format!("({x})")
            }
        };
        if !p.is_one() {
            num.push(p.to_string());
        }
        match (m, latex) {
            (0, _) => {}
            (1, _) => num.push("a".into()),
            (m, false) => num.push(format!("a**{m}")),
            (m, true) => num.push(format!("a^{{{m}}}")),
        }
        if !pn.is_constant() {
            num.push(paren(format_poly(&pn, latex)));
        }
        if !q.is_one() {
            den.push(q.to_string());
        }
        if !qd.is_constant() {
            let text = format_poly(&qd, latex);
            den.push(if den.is_empty() && j >= 0 && latex {
                text
            } else {
                paren(text)
            });
        }
    }
    if i == 1 {
        num.push(if latex {
            r"\sqrt{2}".into()
        } else {
            "sqrt(2)".into()
        });
    }
    match j.cmp(&0) {
        std::cmp::Ordering::Greater => num.push(pi_pow(j.unsigned_abs())),
        std::cmp::Ordering::Less => den.push(pi_pow(j.unsigned_abs())),
        std::cmp::Ordering::Equal => {}
    }
    let sep = if latex { " " } else { "*" };
    let n = if num.is_empty() {
        "1".to_string()
    } else {
        num.join(sep)
    };
    let body = if den.is_empty() {
        n
    } else if latex {
        format!(r"\frac{{{n}}}{{{}}}", den.join(sep))
    } else if den.len() == 1 {
        format!("{n}/{}", den[0])
    } else {
        format!("{n}/({})", den.join(sep))
    };
    (neg, body)
}

/// $p = r\\,a^m P(a)$ with $P$ a primitive integer polynomial with positive leading coefficient
/// and $P(0) \ne 0$: returns $(r, m, P)$ (for $p \ne 0$).
fn integer_form(p: &Poly) -> (Rational, usize, Poly) {
    use num_integer::Integer;
    let m = p.c.iter().position(|x| !x.is_zero()).unwrap_or(0);
    let c = &p.c[m..];
    let lcm = c.iter().fold(BigInt::one(), |acc, x| acc.lcm(x.denom()));
    let ints: Vec<BigInt> = c.iter().map(|x| (x * &lcm).to_integer()).collect();
    let mut gcd = ints.iter().fold(BigInt::zero(), |acc, x| acc.gcd(x));
    if gcd.is_zero() {
        return (Rational::zero(), 0, Poly::zero());
    }
    if ints.last().is_some_and(|x| x.is_negative()) {
        gcd = -gcd;
    }
    let poly = Poly::from_vec(
        ints.iter()
            .map(|x| Rational::from_integer(x / &gcd))
            .collect(),
    );
    (Rational::new(gcd, lcm), m, poly)
}

fn format_poly(p: &Poly, latex: bool) -> String {
    if p.is_zero() {
        return "0".into();
    }
    let mut out = String::new();
    let mut first = true;
    for (k, c) in p.c.iter().enumerate().rev() {
        if c.is_zero() {
            continue;
        }
        let neg = c.is_negative();
        let (n, d) = (c.numer().abs(), c.denom().clone());
        let var = match (k, latex) {
            (0, _) => String::new(),
            (1, _) => "a".into(),
            (k, false) => format!("a**{k}"),
            (k, true) => format!("a^{{{k}}}"),
        };
        let coef = if !d.is_one() {
            if latex {
                format!(r"\frac{{{n}}}{{{d}}}")
            } else {
                format!("{n}/{d}")
            }
        } else if n.is_one() && !var.is_empty() {
            String::new()
        } else {
            n.to_string()
        };
        let term = match (coef.is_empty(), var.is_empty()) {
            (true, _) => var,
            (false, true) => coef,
            (false, false) => {
                if latex {
                    format!("{coef} {var}")
                } else {
                    format!("{coef}*{var}")
                }
            }
        };
        match (first, neg) {
            (true, true) => out.push('-'),
            (true, false) => {}
            (false, true) => out.push_str(" - "),
            (false, false) => out.push_str(" + "),
        }
        out.push_str(&term);
        first = false;
    }
    out
}

impl fmt::Display for Exact {
    /// The plain form ([`Exact::to_plain`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

impl Add for Exact {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        let (Some(mut m), Some(o)) = (self.terms, o.terms) else {
            return Self::invalid();
        };
        for (k, c) in o {
            let s = match m.remove(&k) {
                Some(x) => x.add(&c),
                None => c,
            };
            if !s.is_zero() {
                m.insert(k, s);
            }
        }
        Self::from_terms(m)
    }
}

impl Neg for Exact {
    type Output = Self;
    fn neg(self) -> Self {
        Self {
            terms: self
                .terms
                .map(|m| m.into_iter().map(|(k, c)| (k, c.neg())).collect()),
        }
    }
}

impl Sub for Exact {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self + (-o)
    }
}

impl Mul for Exact {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        let (Some(x), Some(y)) = (&self.terms, &o.terms) else {
            return Self::invalid();
        };
        let mut out: BTreeMap<(u8, i32), RatFunc> = BTreeMap::new();
        for (&(i1, j1), c1) in x {
            for (&(i2, j2), c2) in y {
                let mut c = c1.mul(c2);
                let mut i = i1 + i2;
                if i == 2 {
                    c = c.scale(&rat(2, 1));
                    i = 0;
                }
                let k = (i, j1 + j2);
                let s = match out.remove(&k) {
                    Some(p) => p.add(&c),
                    None => c,
                };
                if !s.is_zero() {
                    out.insert(k, s);
                }
            }
        }
        Self::from_terms(out)
    }
}

impl Div for Exact {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        match o.recip() {
            Some(r) => Mul::mul(self, r),
            None => Self::invalid(),
        }
    }
}

impl num_traits::Zero for Exact {
    fn zero() -> Self {
        Self::from_terms(BTreeMap::new())
    }
    fn is_zero(&self) -> bool {
        self.terms.as_ref().is_some_and(|m| m.is_empty())
    }
}

impl num_traits::One for Exact {
    fn one() -> Self {
        Self::rational(Rational::one())
    }
}

impl Coefficient for Exact {
    const EXACT: bool = true;
    /// The simplest rational rounding to `x` (integers and half-integers directly).
    fn from_f64(x: f64) -> Self {
        if x.is_finite() && (2.0 * x).fract() == 0.0 && x.abs() < 1e15 {
            return Self::rational(rat((2.0 * x) as i64, 2));
        }
        match simplest_rational(x) {
            Some(r) => Self::rational(r),
            None => Self::invalid(),
        }
    }
    fn from_i64(n: i64) -> Self {
        Self::rational(rat(n, 1))
    }
    fn invalid() -> Self {
        Exact::invalid()
    }
    fn is_valid(&self) -> bool {
        Exact::is_valid(self)
    }
    fn approx(&self) -> f64 {
        Exact::approx(self)
    }
    fn sqrt(&self) -> Self {
        self.exact_sqrt().unwrap_or_else(Self::invalid)
    }
    fn pi() -> Self {
        Self::pi_pow(1)
    }
    /// $\kappa_0 = 1 - \theta/\pi$, $\kappa_1 = (\sin\theta + (\pi-\theta)\cos\theta)/\pi$ with
    /// $\theta = \arccos\rho$, for the representable constants.
    fn arc_cosine(&self) -> (Self, Self) {
        let Some(t) = self.acos_over_pi() else {
            return (Self::invalid(), Self::invalid());
        };
        let Some(sin) = Self::sin_pi(&t) else {
            return (Self::invalid(), Self::invalid());
        };
        let k0 = Self::rational(Rational::one() - &t);
        let k1 = sin * Self::pi_pow(-1) + k0.clone() * self.clone();
        (k0, k1)
    }
    fn asin(&self) -> Self {
        match self.acos_over_pi() {
            Some(t) => Self::rational(rat(1, 2) - t) * Self::pi_pow(1),
            None => Self::invalid(),
        }
    }
    fn exp(&self) -> Self {
        if num_traits::Zero::is_zero(self) {
            Self::one()
        } else {
            Self::invalid()
        }
    }
    fn scale_pow2(&self, e: i32) -> Self {
        let p = Rational::from_integer(BigInt::one() << e.unsigned_abs());
        let f = if e >= 0 { p } else { p.recip() };
        self.clone() * Self::rational(f)
    }
    fn residual_scale(alpha: f64) -> Option<Self> {
        if let Some(factor) = SYMBOLIC_ALPHA.with(|s| s.borrow().clone()) {
            return Some(Self::term(0, 0, RatFunc::symbol(factor)));
        }
        let r = simplest_rational(alpha)?;
        Some(Self::rational(&r * &r))
    }
    fn dispatch_dual_puiseux(
        act: &dyn DynActivation,
        qx: &PuiseuxSeries<Self>,
        qy: &PuiseuxSeries<Self>,
        c: &PuiseuxSeries<Self>,
    ) -> (PuiseuxSeries<Self>, PuiseuxSeries<Self>) {
        act.dual_puiseux_exact(qx, qy, c)
    }
    fn dispatch_layer_puiseux(
        layer: &dyn crate::arch::DynLayer,
        s: CovState<PuiseuxSeries<Self>>,
    ) -> CovState<PuiseuxSeries<Self>> {
        layer.apply_puiseux_exact(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(p: i64, q: i64) -> Exact {
        Exact::rational(rat(p, q))
    }

    #[test]
    fn field_operations_and_printing() {
        let x = -(Exact::sqrt2() / (r(2, 1) * Exact::pi_pow(1)));
        assert_eq!(x.to_plain(), "-sqrt(2)/(2*pi)");
        assert_eq!(x.to_latex(), r"-\frac{\sqrt{2}}{2 \pi}");
        // (1 + √2)(1 − √2) = −1; inverse by the conjugate
        let y = r(1, 1) + Exact::sqrt2();
        assert_eq!(y.clone() * (r(1, 1) - Exact::sqrt2()), r(-1, 1));
        assert_eq!(y.clone() / y.clone(), r(1, 1));
        // mixed powers of π cannot be inverted
        assert!(!(r(1, 1) / (r(1, 1) + Exact::pi_pow(1))).is_valid());
        // square roots
        assert_eq!(Coefficient::sqrt(&r(1, 2)), Exact::sqrt2() * r(1, 2));
        assert_eq!(Coefficient::sqrt(&r(9, 4)), r(3, 2));
        assert!(!Coefficient::sqrt(&r(3, 1)).is_valid());
        // symbol: ((1 + a)²)^{1/2} = 1 + a, and rational functions reduce
        let a = Exact::symbol();
        let p = r(1, 1) + a.clone();
        assert_eq!(Coefficient::sqrt(&(p.clone() * p.clone())), p.clone());
        let q = (p.clone() * p.clone() - r(1, 1)) / (p.clone() - r(1, 1));
        assert_eq!(q, p + r(1, 1));
        assert_eq!((a.clone() / (r(1, 1) + a.clone())).to_plain(), "a/(a + 1)");
        // integer polynomials, the power of a and the rational factor pulled out
        let x = (a.clone() * a.clone() * r(1, 3) + a.clone() * r(1, 6))
            / (a.clone() * a.clone() + r(1, 2))
            * Exact::sqrt2();
        assert_eq!(x.to_plain(), "a*(2*a + 1)*sqrt(2)/(3*(2*a**2 + 1))");
        assert_eq!(
            (-x).to_latex(),
            r"-\frac{a \left(2 a + 1\right) \sqrt{2}}{3 \left(2 a^{2} + 1\right)}"
        );
        assert_eq!(Exact::symbol().substitute(&rat(1, 2)).to_plain(), "1/2");
    }

    #[test]
    fn arc_cosine_of_constants() {
        let (k0, k1) = Coefficient::arc_cosine(&Exact::zero());
        assert_eq!(k0, r(1, 2));
        assert_eq!(k1, Exact::pi_pow(-1));
        assert_eq!(Coefficient::arc_cosine(&r(1, 1)), (r(1, 1), r(1, 1)));
        assert_eq!(Coefficient::arc_cosine(&r(-1, 1)), (r(0, 1), r(0, 1)));
        assert!(!Coefficient::arc_cosine(&r(1, 3)).0.is_valid());
        assert_eq!(Coefficient::asin(&r(1, 2)), Exact::pi_pow(1) * r(1, 6));
    }
}
