//! The expression type [`Expr`]: a DAG of shared, hash-consed nodes with exact rational
//! constants, on which the layer recursion runs symbolically.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::rational::{Rational, exact_sqrt, simplest_rational, square_free_part};
use crate::activation::DynActivation;
use crate::arch::{CovState, DynLayer};
use crate::scalar::KernelScalar;

/// A function node of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// $\sqrt x$ (principal root of a non-negative radicand).
    Sqrt,
    /// $\arccos x \in [0, \pi]$.
    Acos,
    /// $\arcsin x \in [-\pi/2, \pi/2]$.
    Asin,
    /// $e^x$.
    Exp,
    /// $\cos x$ of a constant $x$ (the phases of the sine and cosine activations).
    Cos,
}

impl Func {
    /// The name in the plain grammar.
    pub fn name(self) -> &'static str {
        match self {
            Func::Sqrt => "sqrt",
            Func::Acos => "acos",
            Func::Asin => "asin",
            Func::Exp => "exp",
            Func::Cos => "cos",
        }
    }
}

/// The symbols an expression may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// The inner product $t = \langle x, y\rangle$ of two unit vectors.
    T,
    /// The ResNet scale $a = \alpha^2\sigma_w^2\sigma_v^2/2$ (when kept symbolic).
    A,
}

/// The kind of a node. Invariants kept by the constructors (so that like terms and like factors
/// are recognized by pointer equality of hash-consed nodes):
///
/// * `Sum`: at least two terms, no constant-only term except the canonical [`Expr::one`] base,
///   no nested sums, non-zero coefficients, the first coefficient is 1 (a multiple of a sum
///   is a one-term `Sum` whose base is the primitive sum);
/// * a one-term `Sum` is $c\cdot X$ with $c \ne 0, 1$ and $X$ not a number;
/// * `Product`: at least two factors or one factor with exponent $\ne 1$; no numbers, no
///   nested products, non-zero exponents, factors in a fixed order (by rank, then hash).
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Num(Rational),
    Sym(Symbol),
    Pi,
    /// The result of an undefined operation (division by zero, square root of a negative
    /// number, an activation known only as a floating-point closure).
    Undefined,
    Sum(Vec<(Expr, Rational)>),
    Product(Vec<(Expr, i32)>),
    Apply(Func, Expr),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    hash: u64,
    /// Contains the symbol t / a / an undefined node.
    has_t: bool,
    has_a: bool,
    undefined: bool,
    /// Known to be non-negative for every t in [-1, 1] and a >= 0.
    nonneg: bool,
}

/// A symbolic expression in $t$ (and the ResNet scale $a$): exact rationals, $\pi$, square
/// roots, $\arccos$, $\arcsin$, $\exp$, sums, products and integer powers, stored as a DAG of
/// shared nodes. Implements [`KernelScalar`], so the layer recursion of [`crate::arch`] runs on
/// it unchanged and returns the kernel as a closed form (see [`crate::symbolic`]).
///
/// Nodes are hash-consed in one process-wide table: structurally equal expressions are the same
/// node, so equality is a pointer comparison.
#[derive(Clone)]
pub struct Expr(pub(crate) Arc<Node>);

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", super::print::to_text_inline(self))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", super::print::to_text_inline(self))
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Expr {}

/// FNV-1a, a fixed hash so that node order (and so printed output) is the same on every run
/// and toolchain.
struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

fn hash_kind(kind: &Kind) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    match kind {
        Kind::Num(r) => {
            0u8.hash(&mut h);
            r.numer().to_signed_bytes_le().hash(&mut h);
            r.denom().to_signed_bytes_le().hash(&mut h);
        }
        Kind::Sym(s) => {
            1u8.hash(&mut h);
            (*s as u8).hash(&mut h);
        }
        Kind::Pi => 2u8.hash(&mut h),
        Kind::Undefined => 3u8.hash(&mut h),
        Kind::Sum(terms) => {
            4u8.hash(&mut h);
            for (e, c) in terms {
                e.0.hash.hash(&mut h);
                c.numer().to_signed_bytes_le().hash(&mut h);
                c.denom().to_signed_bytes_le().hash(&mut h);
            }
        }
        Kind::Product(factors) => {
            5u8.hash(&mut h);
            for (e, p) in factors {
                e.0.hash.hash(&mut h);
                p.hash(&mut h);
            }
        }
        Kind::Apply(f, e) => {
            6u8.hash(&mut h);
            f.hash(&mut h);
            e.0.hash.hash(&mut h);
        }
    }
    h.finish()
}

/// Shallow structural equality (children compared as nodes, which are hash-consed).
fn same_kind(a: &Kind, b: &Kind) -> bool {
    match (a, b) {
        (Kind::Num(x), Kind::Num(y)) => x == y,
        (Kind::Sym(x), Kind::Sym(y)) => x == y,
        (Kind::Pi, Kind::Pi) | (Kind::Undefined, Kind::Undefined) => true,
        (Kind::Sum(x), Kind::Sum(y)) => x == y,
        (Kind::Product(x), Kind::Product(y)) => x == y,
        (Kind::Apply(f, x), Kind::Apply(g, y)) => f == g && x == y,
        _ => false,
    }
}

/// The process-wide table of nodes (hash-consing).
static INTERNER: LazyLock<Mutex<Interner>> = LazyLock::new(|| Mutex::new(Interner::default()));

#[derive(Default)]
struct Interner {
    table: HashMap<u64, Vec<Weak<Node>>>,
    inserted_since_sweep: usize,
}

impl Interner {
    fn intern(&mut self, kind: Kind) -> Expr {
        let hash = hash_kind(&kind);
        if let Some(bucket) = self.table.get(&hash) {
            for w in bucket {
                if let Some(n) = w.upgrade()
                    && same_kind(&n.kind, &kind)
                {
                    return Expr(n);
                }
            }
        }
        let node = Arc::new(make_node(kind, hash));
        self.table
            .entry(hash)
            .or_default()
            .push(Arc::downgrade(&node));
        self.inserted_since_sweep += 1;
        if self.inserted_since_sweep > 4 * self.table.len().max(1024) {
            self.table.retain(|_, bucket| {
                bucket.retain(|w| w.strong_count() > 0);
                !bucket.is_empty()
            });
            self.inserted_since_sweep = 0;
        }
        Expr(node)
    }
}

fn make_node(kind: Kind, hash: u64) -> Node {
    let (mut has_t, mut has_a, mut undefined) = (false, false, false);
    let mut absorb = |e: &Expr| {
        has_t |= e.0.has_t;
        has_a |= e.0.has_a;
        undefined |= e.0.undefined;
    };
    let nonneg = match &kind {
        Kind::Num(r) => !r.is_negative(),
        Kind::Sym(Symbol::T) => {
            has_t = true;
            false
        }
        Kind::Sym(Symbol::A) => {
            has_a = true;
            true
        }
        Kind::Pi => true,
        Kind::Undefined => {
            undefined = true;
            false
        }
        Kind::Sum(terms) => {
            terms.iter().for_each(|(e, _)| absorb(e));
            terms.iter().all(|(e, c)| e.0.nonneg && !c.is_negative())
        }
        Kind::Product(factors) => {
            factors.iter().for_each(|(e, _)| absorb(e));
            factors.iter().all(|(e, p)| e.0.nonneg || p % 2 == 0)
        }
        Kind::Apply(f, e) => {
            absorb(e);
            matches!(f, Func::Sqrt | Func::Acos | Func::Exp)
        }
    };
    Node {
        kind,
        hash,
        has_t,
        has_a,
        undefined,
        nonneg,
    }
}

fn intern(kind: Kind) -> Expr {
    // A panic while the lock is held cannot leave the table inconsistent (entries are
    // inserted whole), so a poisoned lock is recovered.
    let mut table = INTERNER.lock().unwrap_or_else(|e| e.into_inner());
    table.intern(kind)
}

/// Rank of a factor for the canonical order in products: symbols first, then functions, sums,
/// and $\pi$ last (so that products print as `t*(pi - acos(t))/pi`).
fn rank(e: &Expr) -> u8 {
    match &e.0.kind {
        Kind::Num(_) => 0,
        Kind::Sym(Symbol::T) => 1,
        Kind::Sym(Symbol::A) => 2,
        Kind::Apply(..) => 4,
        Kind::Sum(_) | Kind::Product(_) => 5,
        Kind::Pi => 6,
        Kind::Undefined => 7,
    }
}

impl Expr {
    /// The rational `r`.
    pub fn num(r: Rational) -> Self {
        intern(Kind::Num(r))
    }
    /// The integer `n`.
    pub fn int(n: i64) -> Self {
        Self::num(Rational::from_integer(BigInt::from(n)))
    }
    /// The symbol $t$.
    pub fn t() -> Self {
        intern(Kind::Sym(Symbol::T))
    }
    /// The symbol $a$ (ResNet scale).
    pub fn a() -> Self {
        intern(Kind::Sym(Symbol::A))
    }
    /// $\pi$.
    pub fn pi_const() -> Self {
        intern(Kind::Pi)
    }
    /// The undefined value (poisons every expression it enters).
    pub fn undefined() -> Self {
        intern(Kind::Undefined)
    }

    pub(crate) fn kind(&self) -> &Kind {
        &self.0.kind
    }
    /// A stable identity of the node (for memoization while walking the DAG).
    pub(crate) fn id(&self) -> *const () {
        Arc::as_ptr(&self.0) as *const ()
    }
    /// `true` when the expression contains $t$.
    pub fn has_t(&self) -> bool {
        self.0.has_t
    }
    /// `true` when the expression contains the ResNet scale $a$.
    pub fn has_a(&self) -> bool {
        self.0.has_a
    }
    /// `true` when an undefined operation entered the expression.
    pub fn is_undefined(&self) -> bool {
        self.0.undefined
    }
    /// The value if the expression is a rational number.
    pub fn as_rational(&self) -> Option<&Rational> {
        match &self.0.kind {
            Kind::Num(r) => Some(r),
            _ => None,
        }
    }

    /// $c\cdot x$.
    pub fn scale(&self, c: &Rational) -> Self {
        if c.is_zero() {
            return Self::int(0);
        }
        if c.is_one() {
            return self.clone();
        }
        match &self.0.kind {
            Kind::Undefined => self.clone(),
            Kind::Num(r) => Self::num(r * c),
            _ => {
                let terms: Vec<(Expr, Rational)> = terms_of(self)
                    .into_iter()
                    .map(|(e, k)| (e, k * c))
                    .collect();
                build_sum(terms)
            }
        }
    }

    /// $x^n$ for an integer $n$ (a zero base with $n < 0$ is undefined).
    pub fn powi(&self, n: i32) -> Self {
        if n == 0 {
            return Self::int(1);
        }
        let (c, factors) = split(self);
        if c.is_zero() && n < 0 {
            return Self::undefined();
        }
        let c = pow_rational(&c, n);
        let factors = factors.into_iter().map(|(e, p)| (e, p * n)).collect();
        build_product(c, factors)
    }

    /// $\sqrt x$ with the simplifications $\sqrt{m^2k} = m\sqrt k$ for rationals, positive
    /// coefficients and even powers of non-negative factors pulled out.
    pub fn sqrt_expr(&self) -> Self {
        if self.is_undefined() {
            return self.clone();
        }
        if let Kind::Num(r) = &self.0.kind {
            if r.is_negative() {
                return Self::undefined();
            }
            if r.is_zero() {
                return self.clone();
            }
            if let Some(s) = exact_sqrt(r) {
                return Self::num(s);
            }
            if let Some((m, k)) = square_free_part(r) {
                let root = intern(Kind::Apply(
                    Func::Sqrt,
                    Self::num(Rational::from_integer(k)),
                ));
                return root.scale(&m);
            }
            return intern(Kind::Apply(Func::Sqrt, self.clone()));
        }
        let (c, factors) = split(self);
        let mut outside: Vec<(Expr, i32)> = Vec::new();
        let mut inside: Vec<(Expr, i32)> = Vec::new();
        for (e, p) in factors {
            if e.0.nonneg && p % 2 == 0 {
                outside.push((e, p / 2));
            } else if e.0.nonneg && p.abs() > 1 {
                outside.push((e.clone(), p / 2));
                inside.push((e, p % 2));
            } else {
                inside.push((e, p));
            }
        }
        let (c_out, c_in) = if c.is_negative() {
            (
                Self::num(-c.clone()).sqrt_expr(),
                Rational::from_integer((-1).into()),
            )
        } else {
            (Self::num(c).sqrt_expr(), Rational::one())
        };
        let rest = build_product(c_in, inside);
        let root = match rest.as_rational() {
            Some(r) if r.is_one() => Self::int(1),
            _ => intern(Kind::Apply(Func::Sqrt, rest)),
        };
        c_out * build_product(Rational::one(), outside) * root
    }

    /// $\arccos x$, with the exact values at $0, \pm\tfrac12, \pm1$.
    pub fn acos_expr(&self) -> Self {
        if let Some(r) = self.as_rational() {
            let pi = Self::pi_const();
            let half = Rational::new(1.into(), 2.into());
            let third = Rational::new(1.into(), 3.into());
            if r.is_one() {
                return Self::int(0);
            }
            if r.is_zero() {
                return pi.scale(&half);
            }
            if *r == -Rational::one() {
                return pi;
            }
            if *r == half {
                return pi.scale(&third);
            }
            if *r == -half.clone() {
                return pi.scale(&(third * Rational::from_integer(2.into())));
            }
            if r.abs() > Rational::one() {
                return Self::undefined();
            }
        }
        self.apply(Func::Acos)
    }

    /// $\arcsin x$, with the exact values at $0, \pm\tfrac12, \pm1$.
    pub fn asin_expr(&self) -> Self {
        if let Some(r) = self.as_rational() {
            let pi = Self::pi_const();
            let half = Rational::new(1.into(), 2.into());
            if r.is_zero() {
                return Self::int(0);
            }
            if r.abs() > Rational::one() {
                return Self::undefined();
            }
            if r.is_negative() {
                // odd: asin(−x) = −asin(x)
                return -Self::num(-r.clone()).asin_expr();
            }
            if r.abs().is_one() || r.abs() == half {
                let q = if r.abs().is_one() {
                    half
                } else {
                    Rational::new(1.into(), 6.into())
                };
                let v = pi.scale(&q);
                return if r.is_negative() { -v } else { v };
            }
        }
        self.apply(Func::Asin)
    }

    /// $e^x$ ($e^0 = 1$).
    pub fn exp_expr(&self) -> Self {
        if let Some(r) = self.as_rational()
            && r.is_zero()
        {
            return Self::int(1);
        }
        self.apply(Func::Exp)
    }

    fn apply(&self, f: Func) -> Self {
        if self.is_undefined() {
            return self.clone();
        }
        intern(Kind::Apply(f, self.clone()))
    }

    /// The ReLU dual maps $\kappa_0(\rho) = (\pi - \arccos\rho)/\pi$ and
    /// $\kappa_1(\rho) = \big(\rho(\pi - \arccos\rho) + \sqrt{1-\rho^2}\big)/\pi$ (Cho & Saul 2009),
    /// exact $(1, 1)$ and $(0, 0)$ at $\rho = \pm1$.
    pub fn arc_cosine_expr(&self) -> (Self, Self) {
        if let Some(r) = self.as_rational() {
            if *r >= Rational::one() {
                return (Self::int(1), Self::int(1));
            }
            if *r <= -Rational::one() {
                return (Self::int(0), Self::int(0));
            }
        }
        let pi = Self::pi_const();
        let angle_complement = pi.clone() - self.acos_expr();
        let k0 = angle_complement.clone() / pi.clone();
        let sine = (Self::int(1) - self.clone() * self.clone()).sqrt_expr();
        let k1 = (self.clone() * angle_complement + sine) / pi;
        (k0, k1)
    }
}

fn pow_rational(c: &Rational, n: i32) -> Rational {
    let mut out = Rational::one();
    let base = if n < 0 { c.recip() } else { c.clone() };
    for _ in 0..n.unsigned_abs() {
        out *= &base;
    }
    out
}

/// The terms $\sum c_i X_i$ of an expression (a number is a term with base 1).
fn terms_of(e: &Expr) -> Vec<(Expr, Rational)> {
    match &e.0.kind {
        Kind::Num(r) if r.is_zero() => vec![],
        Kind::Num(r) => vec![(Expr::int(1), r.clone())],
        Kind::Sum(terms) if terms.len() == 1 => {
            // c * X: X may itself be a primitive sum.
            let (x, c) = &terms[0];
            terms_of(x).into_iter().map(|(e, k)| (e, k * c)).collect()
        }
        Kind::Sum(terms) => terms.clone(),
        _ => vec![(e.clone(), Rational::one())],
    }
}

/// A sum from terms: like terms merged, zeros dropped, a common first coefficient pulled out.
fn build_sum(terms: Vec<(Expr, Rational)>) -> Expr {
    let mut merged: Vec<(Expr, Rational)> = Vec::with_capacity(terms.len());
    for (e, c) in terms {
        if e.is_undefined() {
            return e;
        }
        if let Some(slot) = merged.iter_mut().find(|(x, _)| *x == e) {
            slot.1 += c;
        } else {
            merged.push((e, c));
        }
    }
    merged.retain(|(_, c)| !c.is_zero());
    match merged.len() {
        0 => Expr::int(0),
        1 => {
            let (e, c) = merged.pop().expect("one term");
            if let Some(r) = e.as_rational() {
                return Expr::num(r * c);
            }
            if c.is_one() {
                e
            } else {
                intern(Kind::Sum(vec![(e, c)]))
            }
        }
        _ => {
            let lead = merged[0].1.clone();
            if lead.is_one() {
                intern(Kind::Sum(merged))
            } else {
                let primitive: Vec<(Expr, Rational)> =
                    merged.into_iter().map(|(e, c)| (e, c / &lead)).collect();
                intern(Kind::Sum(vec![(intern(Kind::Sum(primitive)), lead)]))
            }
        }
    }
}

/// An expression as coefficient times a product of powers.
fn split(e: &Expr) -> (Rational, Vec<(Expr, i32)>) {
    match &e.0.kind {
        Kind::Num(r) => (r.clone(), vec![]),
        Kind::Sum(terms) if terms.len() == 1 => {
            let (x, c) = &terms[0];
            let (k, f) = split(x);
            (k * c, f)
        }
        Kind::Product(f) => (Rational::one(), f.clone()),
        _ => (Rational::one(), vec![(e.clone(), 1)]),
    }
}

/// A product from a coefficient and factors: like bases merged, $\sqrt{X}^2 = X$, canonical
/// order.
fn build_product(c: Rational, factors: Vec<(Expr, i32)>) -> Expr {
    if c.is_zero() {
        return Expr::int(0);
    }
    let mut merged: Vec<(Expr, i32)> = Vec::with_capacity(factors.len());
    for (e, p) in factors {
        if e.is_undefined() {
            return e;
        }
        if let Some(slot) = merged.iter_mut().find(|(x, _)| *x == e) {
            slot.1 += p;
        } else {
            merged.push((e, p));
        }
    }
    merged.retain(|(_, p)| *p != 0);
    // sqrt(X)^p = X^(p div 2) sqrt(X)^(p mod 2).
    let mut extra = Expr::num(c);
    for slot in merged.iter_mut() {
        if let Kind::Apply(Func::Sqrt, x) = &slot.0.0.kind
            && slot.1.abs() >= 2
        {
            let q = slot.1 / 2;
            slot.1 -= 2 * q;
            extra = extra * x.powi(q);
        }
    }
    merged.retain(|(_, p)| *p != 0);
    merged.sort_by_key(|(x, _)| (rank(x), x.0.hash));
    let core = match merged.len() {
        0 => Expr::int(1),
        1 if merged[0].1 == 1 => merged.pop().expect("one factor").0,
        _ => intern(Kind::Product(merged)),
    };
    match extra.as_rational() {
        Some(r) => {
            let r = r.clone();
            core.scale(&r)
        }
        None => mul(&extra, &core),
    }
}

fn mul(x: &Expr, y: &Expr) -> Expr {
    if x.is_undefined() {
        return x.clone();
    }
    if y.is_undefined() {
        return y.clone();
    }
    if let Some(r) = x.as_rational() {
        return y.scale(r);
    }
    if let Some(r) = y.as_rational() {
        return x.scale(r);
    }
    let (c1, mut f1) = split(x);
    let (c2, f2) = split(y);
    f1.extend(f2);
    build_product(c1 * c2, f1)
}

impl Add for Expr {
    type Output = Expr;
    fn add(self, rhs: Expr) -> Expr {
        let mut terms = terms_of(&self);
        terms.extend(terms_of(&rhs));
        if self.is_undefined() {
            return self;
        }
        if rhs.is_undefined() {
            return rhs;
        }
        build_sum(terms)
    }
}
impl Sub for Expr {
    type Output = Expr;
    fn sub(self, rhs: Expr) -> Expr {
        self + (-rhs)
    }
}
impl Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        self.scale(&-Rational::one())
    }
}
impl Mul for Expr {
    type Output = Expr;
    fn mul(self, rhs: Expr) -> Expr {
        mul(&self, &rhs)
    }
}
impl Div for Expr {
    type Output = Expr;
    fn div(self, rhs: Expr) -> Expr {
        if let Some(r) = rhs.as_rational() {
            if r.is_zero() {
                return Expr::undefined();
            }
            return self.scale(&r.recip());
        }
        mul(&self, &rhs.powi(-1))
    }
}

crate::scalar::impl_zero_one!(Expr, |x| x.as_rational().is_some_and(|r| r.is_zero()));

impl KernelScalar for Expr {
    /// The simplest rational that rounds to `x` ([`crate::symbolic::rational`]); `NaN` and
    /// infinities give the undefined expression.
    fn from_f64(x: f64) -> Self {
        match simplest_rational(x) {
            Some(r) => Expr::num(r),
            None => Expr::undefined(),
        }
    }
    /// $\cos\theta$ of the simplest rational $\theta$ rounding to the double (`1` at 0).
    fn cos_angle(theta: f64) -> Self {
        let x = Expr::from_f64(theta);
        if x.as_rational().is_some_and(|r| r.is_zero()) {
            return Expr::int(1);
        }
        x.apply(Func::Cos)
    }
    fn sqrt(&self) -> Self {
        self.sqrt_expr()
    }
    fn arc_cosine(&self) -> (Self, Self) {
        self.arc_cosine_expr()
    }
    fn exp(&self) -> Self {
        self.exp_expr()
    }
    fn asin(&self) -> Self {
        self.asin_expr()
    }
    /// The value at $t = 1$, $a = 1$ (only used to choose scalings and to detect zero
    /// variances, which do not depend on $t$).
    fn approx(&self) -> f64 {
        super::eval::eval_f64(self, 1.0, 1.0)
    }
    fn to_number(&self) -> Option<f64> {
        (!self.has_t() && !self.has_a() && !self.is_undefined())
            .then(|| super::eval::eval_f64(self, 0.0, 0.0))
    }
    fn scale_pow2(&self, e: i32) -> Self {
        let two = Rational::from_integer(BigInt::from(2));
        self.scale(&pow_rational(&two, e))
    }
    fn pi() -> Self {
        Expr::pi_const()
    }
    /// $\alpha^2$ exactly: the square of the simplest rational of $\alpha$, or
    /// `factor`$\cdot a$ inside [`super::exact::with_symbolic_alpha`].
    fn residual_scale(alpha: f64) -> Option<Self> {
        if let Some(f) = super::exact::symbolic_alpha_factor() {
            return Some(Expr::a().scale(&f));
        }
        let a = Expr::from_f64(alpha);
        Some(a.clone() * a)
    }
    fn dispatch_dual(act: &dyn DynActivation, qx: &Self, qy: &Self, c: &Self) -> (Self, Self) {
        act.dual_expr(qx, qy, c)
    }
    fn dispatch_layer(layer: &dyn DynLayer, state: CovState<Self>) -> CovState<Self> {
        layer.apply_expr(state)
    }
}

/// A big integer as a number of type `S` (exact in pieces of 32 bits).
pub(crate) fn bigint_to<S: KernelScalar>(n: &BigInt) -> S {
    let (sign, digits) = n.to_u32_digits();
    let mut acc = S::zero();
    for d in digits.iter().rev() {
        acc = acc.scale_pow2(32) + S::from_f64(f64::from(*d));
    }
    if sign == num_bigint::Sign::Minus {
        -acc
    } else {
        acc
    }
}

/// A rational as a number of type `S` (one rounding in the division).
pub(crate) fn rational_to<S: KernelScalar>(r: &Rational) -> S {
    if let (Some(n), Some(d)) = (r.numer().to_i64(), r.denom().to_i64())
        && n.unsigned_abs() < (1 << 53)
        && d < (1 << 53)
    {
        return S::from_f64(n as f64) / S::from_f64(d as f64);
    }
    bigint_to::<S>(r.numer()) / bigint_to::<S>(r.denom())
}

/// Expressions as series coefficients: the expansions at interior points ($t = 0$) and at
/// $t = -1$, whose coefficients involve constants such as $\arccos(1/\pi)$ that no finite
/// field holds ([`crate::symbolic::expr_series`]).
///
/// Exactness: the zero test is structural (an expression is zero when its canonical form is
/// the rational 0). The branch decisions of the series ($\rho_0 = \pm1$, a vanishing gap
/// coefficient) are taken on such canonical forms; the expansions that use this type
/// ([`crate::symbolic::expr_series`]) check every coefficient against the `f64` series, so a
/// zero the canonical form missed would show as a disagreement, not pass silently.
impl crate::series::Coefficient for Expr {
    const EXACT: bool = true;
    fn from_f64(x: f64) -> Self {
        <Expr as KernelScalar>::from_f64(x)
    }
    fn from_i64(n: i64) -> Self {
        Expr::int(n)
    }
    fn invalid() -> Self {
        Expr::undefined()
    }
    fn is_valid(&self) -> bool {
        !self.is_undefined()
    }
    fn approx(&self) -> f64 {
        KernelScalar::approx(self)
    }
    fn sqrt(&self) -> Self {
        self.sqrt_expr()
    }
    fn pi() -> Self {
        Expr::pi_const()
    }
    fn arc_cosine(&self) -> (Self, Self) {
        self.arc_cosine_expr()
    }
    fn asin(&self) -> Self {
        self.asin_expr()
    }
    fn exp(&self) -> Self {
        self.exp_expr()
    }
    fn scale_pow2(&self, e: i32) -> Self {
        KernelScalar::scale_pow2(self, e)
    }
    fn residual_scale(alpha: f64) -> Option<Self> {
        <Expr as KernelScalar>::residual_scale(alpha)
    }
    fn dispatch_dual_power(
        act: &dyn DynActivation,
        qx: &crate::series::PowerSeries<Self>,
        qy: &crate::series::PowerSeries<Self>,
        c: &crate::series::PowerSeries<Self>,
    ) -> (
        crate::series::PowerSeries<Self>,
        crate::series::PowerSeries<Self>,
    ) {
        act.dual_power_expr(qx, qy, c)
    }
    fn dispatch_dual_puiseux(
        act: &dyn DynActivation,
        qx: &crate::series::PuiseuxSeries<Self>,
        qy: &crate::series::PuiseuxSeries<Self>,
        c: &crate::series::PuiseuxSeries<Self>,
    ) -> (
        crate::series::PuiseuxSeries<Self>,
        crate::series::PuiseuxSeries<Self>,
    ) {
        act.dual_puiseux_expr(qx, qy, c)
    }
    fn dispatch_layer_power(
        layer: &dyn DynLayer,
        s: CovState<crate::series::PowerSeries<Self>>,
    ) -> CovState<crate::series::PowerSeries<Self>> {
        layer.apply_power_expr(s)
    }
    fn dispatch_layer_puiseux(
        layer: &dyn DynLayer,
        s: CovState<crate::series::PuiseuxSeries<Self>>,
    ) -> CovState<crate::series::PuiseuxSeries<Self>> {
        layer.apply_puiseux_expr(s)
    }
}
