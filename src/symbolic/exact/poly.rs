//! Dense univariate polynomials over $\mathbb Q$ (ascending coefficients, no trailing zeros)
//! and reduced rational functions $\mathbb Q(a)$ built on them.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

use crate::symbolic::rational::{Rational, exact_sqrt};

/// A polynomial $\sum_k c_k a^k$ over $\mathbb Q$; `c` has no trailing zeros (the zero
/// polynomial is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Poly {
    pub(crate) c: Vec<Rational>,
}

impl Poly {
    pub(crate) fn zero() -> Self {
        Self { c: Vec::new() }
    }
    pub(crate) fn constant(r: Rational) -> Self {
        Self::from_vec(vec![r])
    }
    pub(crate) fn from_vec(mut c: Vec<Rational>) -> Self {
        while c.last().is_some_and(|x| x.is_zero()) {
            c.pop();
        }
        Self { c }
    }
    /// The monomial $r\\,a^k$.
    pub(crate) fn monomial(r: Rational, k: usize) -> Self {
        let mut c = vec![Rational::zero(); k + 1];
        c[k] = r;
        Self::from_vec(c)
    }
    pub(crate) fn is_zero(&self) -> bool {
        self.c.is_empty()
    }
    /// Degree (`None` for zero).
    pub(crate) fn degree(&self) -> Option<usize> {
        self.c.len().checked_sub(1)
    }
    pub(crate) fn is_constant(&self) -> bool {
        self.c.len() <= 1
    }
    pub(crate) fn constant_term(&self) -> Rational {
        self.c.first().cloned().unwrap_or_else(Rational::zero)
    }
    pub(crate) fn lead(&self) -> Rational {
        self.c.last().cloned().unwrap_or_else(Rational::zero)
    }
    pub(crate) fn add(&self, o: &Self) -> Self {
        let n = self.c.len().max(o.c.len());
        let z = Rational::zero();
        Self::from_vec(
            (0..n)
                .map(|k| self.c.get(k).unwrap_or(&z) + o.c.get(k).unwrap_or(&z))
                .collect(),
        )
    }
    pub(crate) fn neg(&self) -> Self {
        Self {
            c: self.c.iter().map(|x| -x).collect(),
        }
    }
    pub(crate) fn scale(&self, r: &Rational) -> Self {
        if r.is_zero() {
            return Self::zero();
        }
        Self {
            c: self.c.iter().map(|x| x * r).collect(),
        }
    }
    pub(crate) fn mul(&self, o: &Self) -> Self {
        if self.is_zero() || o.is_zero() {
            return Self::zero();
        }
        if o.c.len() == 1 {
            return self.scale(&o.c[0]);
        }
        if self.c.len() == 1 {
            return o.scale(&self.c[0]);
        }
        let mut c = vec![Rational::zero(); self.c.len() + o.c.len() - 1];
        for (i, x) in self.c.iter().enumerate() {
            if x.is_zero() {
                continue;
            }
            for (j, y) in o.c.iter().enumerate() {
                c[i + j] += x * y;
            }
        }
        Self::from_vec(c)
    }
    /// Quotient and remainder (`o` non-zero).
    pub(crate) fn div_rem(&self, o: &Self) -> (Self, Self) {
        let d = o.c.len() - 1;
        if self.c.len() <= d {
            return (Self::zero(), self.clone());
        }
        if d == 0 {
            return (self.scale(&o.c[0].recip()), Self::zero());
        }
        let inv = o.c[d].recip();
        let mut r = self.c.clone();
        let mut q = vec![Rational::zero(); self.c.len() - d];
        for k in (0..q.len()).rev() {
            let f = &r[k + d] * &inv;
            if f.is_zero() {
                continue;
            }
            for (j, y) in o.c.iter().enumerate() {
                r[k + j] -= &f * y;
            }
            q[k] = f;
        }
        r.truncate(d);
        (Self::from_vec(q), Self::from_vec(r))
    }
    /// The monic associate (zero stays zero).
    pub(crate) fn monic(&self) -> Self {
        if self.is_zero() {
            return Self::zero();
        }
        self.scale(&self.lead().recip())
    }
    /// The monic greatest common divisor (Euclid over $\mathbb Q$ on primitive integer
    /// associates, which keeps the coefficients small).
    pub(crate) fn gcd(&self, o: &Self) -> Self {
        if self.is_zero() {
            return o.monic();
        }
        if o.is_zero() {
            return self.monic();
        }
        if self.is_constant() || o.is_constant() {
            return Self::constant(Rational::one());
        }
        // Cheap cases first: one divides the other, or coprime modulo a prime.
        let (small, big) = if self.c.len() <= o.c.len() {
            (self, o)
        } else {
            (o, self)
        };
        if big.div_rem(small).1.is_zero() {
            return small.monic();
        }
        if coprime_mod_p(self, o) {
            return Self::constant(Rational::one());
        }
        let (mut x, mut y) = (self.primitive(), o.primitive());
        if x.c.len() < y.c.len() {
            std::mem::swap(&mut x, &mut y);
        }
        while !y.is_zero() {
            let r = x.div_rem(&y).1;
            x = y;
            y = r.primitive();
            if y.is_constant() && !y.is_zero() {
                return Self::constant(Rational::one());
            }
        }
        x.monic()
    }
    /// The primitive integer associate: integer coefficients without common factor, positive
    /// leading coefficient.
    pub(crate) fn primitive(&self) -> Self {
        if self.is_zero() {
            return Self::zero();
        }
        let l = self
            .c
            .iter()
            .fold(BigInt::one(), |acc, x| acc.lcm(x.denom()));
        let ints: Vec<BigInt> = self.c.iter().map(|x| (x * &l).to_integer()).collect();
        let g = ints.iter().fold(BigInt::zero(), |acc, x| acc.gcd(x));
        let sign = if self.lead().is_negative() {
            -BigInt::one()
        } else {
            BigInt::one()
        };
        let g = g * sign;
        Self {
            c: ints
                .into_iter()
                .map(|x| Rational::from_integer(x / &g))
                .collect(),
        }
    }
    /// The value at a rational point.
    pub(crate) fn eval(&self, x: &Rational) -> Rational {
        self.c
            .iter()
            .rev()
            .fold(Rational::zero(), |acc, c| acc * x + c)
    }
    /// The exact square root of a monic polynomial that is the square of a polynomial.
    pub(crate) fn sqrt_monic(&self) -> Option<Self> {
        let d = self.degree()?;
        if d % 2 == 1 || !self.lead().is_one() {
            return None;
        }
        let m = d / 2;
        // Top-down: r = a^m + r_{m-1} a^{m-1} + ..., matching coefficients d-1, ..., m.
        let mut r = vec![Rational::zero(); m + 1];
        r[m] = Rational::one();
        let two = Rational::from_integer(BigInt::from(2));
        for k in (0..m).rev() {
            // coefficient of a^{m+k} in r^2: 2 r_m r_k + Σ_{i+j=m+k, k<i,j<m} r_i r_j
            let mut s = Rational::zero();
            for i in (k + 1)..m {
                let j = m + k - i;
                if j > k && j < m {
                    s += &r[i] * &r[j];
                }
            }
            r[k] = (&self.c[m + k] - s) / &two;
        }
        let r = Self::from_vec(r);
        (r.mul(&r) == *self).then_some(r)
    }
}

/// A reduced rational function $p/q$ in $a$ over $\mathbb Q$: $\gcd(p, q) = 1$, $q$ monic
/// (the zero function is $0/1$). Equality is equality of functions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RatFunc {
    pub(crate) num: Poly,
    pub(crate) den: Poly,
}

impl RatFunc {
    pub(crate) fn zero() -> Self {
        Self {
            num: Poly::zero(),
            den: Poly::constant(Rational::one()),
        }
    }
    pub(crate) fn constant(r: Rational) -> Self {
        Self {
            num: Poly::constant(r),
            den: Poly::constant(Rational::one()),
        }
    }
    /// The symbol $a$ times `r`.
    pub(crate) fn symbol(r: Rational) -> Self {
        Self {
            num: Poly::monomial(r, 1),
            den: Poly::constant(Rational::one()),
        }
    }
    /// `p/q` reduced (q non-zero).
    pub(crate) fn new(num: Poly, den: Poly) -> Self {
        if num.is_zero() {
            return Self::zero();
        }
        let g = num.gcd(&den);
        let (num, den) = if g.is_constant() {
            (num, den)
        } else {
            (num.div_rem(&g).0, den.div_rem(&g).0)
        };
        let l = den.lead().recip();
        Self {
            num: num.scale(&l),
            den: den.scale(&l),
        }
    }
    pub(crate) fn is_zero(&self) -> bool {
        self.num.is_zero()
    }
    /// The value if it does not depend on $a$.
    pub(crate) fn as_constant(&self) -> Option<Rational> {
        (self.num.is_constant() && self.den.is_constant()).then(|| self.num.constant_term())
    }
    pub(crate) fn add(&self, o: &Self) -> Self {
        if self.is_zero() {
            return o.clone();
        }
        if o.is_zero() {
            return self.clone();
        }
        if self.den == o.den {
            if self.den.is_constant() {
                let num = self.num.add(&o.num);
                return Self {
                    num,
                    den: self.den.clone(),
                };
            }
            return Self::new(self.num.add(&o.num), self.den.clone());
        }
        let g = self.den.gcd(&o.den);
        let (d1, d2) = (self.den.div_rem(&g).0, o.den.div_rem(&g).0);
        let num = self.num.mul(&d2).add(&o.num.mul(&d1));
        let den = self.den.mul(&d2);
        if g.is_constant() {
            // gcd(num, den) = 1 already: num ≡ p1 d2 (mod d1) etc.
            return Self::normalized(num, den);
        }
        Self::new(num, den)
    }
    fn normalized(num: Poly, den: Poly) -> Self {
        if num.is_zero() {
            return Self::zero();
        }
        let l = den.lead().recip();
        Self {
            num: num.scale(&l),
            den: den.scale(&l),
        }
    }
    pub(crate) fn neg(&self) -> Self {
        Self {
            num: self.num.neg(),
            den: self.den.clone(),
        }
    }
    pub(crate) fn sub(&self, o: &Self) -> Self {
        self.add(&o.neg())
    }
    pub(crate) fn mul(&self, o: &Self) -> Self {
        if self.is_zero() || o.is_zero() {
            return Self::zero();
        }
        // Cross cancellation keeps the factors small.
        let g1 = self.num.gcd(&o.den);
        let g2 = o.num.gcd(&self.den);
        let (n1, d2) = (self.num.div_rem(&g1).0, o.den.div_rem(&g1).0);
        let (n2, d1) = (o.num.div_rem(&g2).0, self.den.div_rem(&g2).0);
        Self::normalized(n1.mul(&n2), d1.mul(&d2))
    }
    pub(crate) fn recip(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        Some(Self::normalized(self.den.clone(), self.num.clone()))
    }
    pub(crate) fn scale(&self, r: &Rational) -> Self {
        if r.is_zero() {
            return Self::zero();
        }
        Self {
            num: self.num.scale(r),
            den: self.den.clone(),
        }
    }
    /// The value at a rational point (`None` at a pole).
    pub(crate) fn eval(&self, x: &Rational) -> Option<Rational> {
        let d = self.den.eval(x);
        (!d.is_zero()).then(|| self.num.eval(x) / d)
    }
    /// $\sqrt{f} = r\sqrt{k}\\,P/Q$ with $r$ rational, $k \in \\{1, 2\\}$, if $f = r^2 k P^2/Q^2$:
    /// `(sqrt without the factor √k, k == 2)`.
    pub(crate) fn sqrt(&self) -> Option<(Self, bool)> {
        if self.is_zero() {
            return Some((Self::zero(), false));
        }
        let lc = self.num.lead();
        let p = self.num.monic().sqrt_monic()?;
        let q = self.den.sqrt_monic()?;
        let two = Rational::from_integer(BigInt::from(2));
        let (r, root2) = match exact_sqrt(&lc) {
            Some(r) => (r, false),
            None => (exact_sqrt(&(lc / &two))?, true),
        };
        Some((Self::normalized(p.scale(&r), q), root2))
    }
}

/// The Mersenne prime $2^{61} - 1$ of the modular coprimality test.
const P: u64 = (1 << 61) - 1;

fn mul_mod(a: u64, b: u64) -> u64 {
    ((a as u128 * b as u128) % P as u128) as u64
}

fn pow_mod(mut a: u64, mut e: u64) -> u64 {
    let mut r = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = mul_mod(r, a);
        }
        a = mul_mod(a, a);
        e >>= 1;
    }
    r
}

fn inv_mod(a: u64) -> u64 {
    pow_mod(a, P - 2)
}

/// A rational modulo $P$ (`None` if $P$ divides the denominator).
fn rat_mod(r: &Rational) -> Option<u64> {
    let p = BigInt::from(P);
    let n = r.numer().mod_floor(&p);
    let d = r.denom().mod_floor(&p);
    let n: u64 = n.try_into().ok()?;
    let d: u64 = d.try_into().ok()?;
    (d != 0).then(|| mul_mod(n, inv_mod(d)))
}

/// `true` only if $\gcd(f, g) = 1$ over $\mathbb Q$: the gcd modulo $P$ is a unit and $P$
/// divides neither leading coefficient (then the reduction of the rational gcd, which divides the
/// modular one, is a unit too). `false` means "unknown".
fn coprime_mod_p(f: &Poly, g: &Poly) -> bool {
    let red = |p: &Poly| -> Option<Vec<u64>> { p.c.iter().map(rat_mod).collect() };
    let (Some(mut x), Some(mut y)) = (red(f), red(g)) else {
        return false;
    };
    if x.last() == Some(&0) || y.last() == Some(&0) {
        return false;
    }
    let trim = |v: &mut Vec<u64>| {
        while v.last() == Some(&0) {
            v.pop();
        }
    };
    while !y.is_empty() {
        if y.len() == 1 {
            return true;
        }
        // x mod y
        let inv = inv_mod(*y.last().expect("non-empty"));
        while x.len() >= y.len() {
            let f = mul_mod(*x.last().expect("non-empty"), inv);
            let shift = x.len() - y.len();
            for (j, &c) in y.iter().enumerate() {
                let t = mul_mod(f, c);
                x[shift + j] = (x[shift + j] + P - t) % P;
            }
            trim(&mut x);
        }
        std::mem::swap(&mut x, &mut y);
    }
    x.len() == 1
}
