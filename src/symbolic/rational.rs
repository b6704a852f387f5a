//! Exact rationals ([`Rational`], arbitrary precision) and the conversion of a double to *the
//! simplest rational that rounds to it*.
//!
//! **Convention.** A parameter given as a double $x$ (for instance $\alpha = 0.1$, read from the
//! command line as the double nearest to $1/10$) stands for the rational $p/q$ with the smallest
//! denominator $q > 0$ among those whose nearest double is $x$ — so `0.1` is $1/10$, `1/3` (the
//! double $0.333\ldots3$) is $1/3$, and every double that is a short decimal is that decimal. The
//! rational is found by the continued-fraction (Stern–Brocot) search for the simplest rational in
//! the open rounding interval $(x - u/2, x + u/2)$, $u$ the spacing of doubles at $x$ (Khinchin,
//! *Continued fractions*, 1964, §6: the simplest rational in an interval is obtained by
//! truncating the common part of the two endpoints' continued fractions).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// An exact rational number (arbitrary-precision numerator and denominator, always reduced).
pub type Rational = num_rational::BigRational;

/// The exact value of a finite double (`None` for `NaN` and infinities).
pub fn exact_value(x: f64) -> Option<Rational> {
    Rational::from_float(x)
}

/// The simplest rational that rounds to the finite double `x` (see the module documentation);
/// `None` for `NaN` and infinities.
///
/// ```
/// use ntk_sphere::symbolic::rational::{Rational, simplest_rational};
/// let r = |p: i64, q: i64| Rational::new(p.into(), q.into());
/// assert_eq!(simplest_rational(0.1), Some(r(1, 10)));
/// assert_eq!(simplest_rational(1.0 / 3.0), Some(r(1, 3)));
/// assert_eq!(simplest_rational(-2.5), Some(r(-5, 2)));
/// assert_eq!(simplest_rational(0.0), Some(r(0, 1)));
/// ```
pub fn simplest_rational(x: f64) -> Option<Rational> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some(Rational::zero());
    }
    if x < 0.0 {
        return simplest_rational(-x).map(|r| -r);
    }
    let exact = exact_value(x)?;
    // Neighbouring doubles: the rounding interval is the open interval between the midpoints.
    let below = f64::from_bits(x.to_bits() - 1);
    let above = f64::from_bits(x.to_bits() + 1);
    let two = Rational::from_integer(BigInt::from(2));
    let lo = (exact_value(below)? + exact.clone()) / two.clone();
    let hi = if above.is_finite() {
        (exact_value(above)? + exact.clone()) / two
    } else {
        // Beyond the largest double: the interval is unbounded above; the integer part of x
        // is the simplest choice.
        return Some(exact);
    };
    let r = simplest_in_open_interval(&lo, &hi);
    // Ties at the interval ends never occur for the open interval; guard anyway.
    if r.to_f64() == Some(x) {
        Some(r)
    } else {
        Some(exact)
    }
}

/// The rational with the smallest denominator (then smallest numerator) strictly between
/// `lo < hi`, both positive.
fn simplest_in_open_interval(lo: &Rational, hi: &Rational) -> Rational {
    let fl = lo.floor();
    // An integer strictly inside: the smallest one.
    let next = fl.clone() + Rational::one();
    if &next < hi {
        // The smallest integer strictly above lo.
        return next;
    }
    // Both ends share the integer part n: recurse on the reciprocals of the fractional parts.
    let n = fl;
    let flo = lo - &n;
    let fhi = hi - &n;
    if flo.is_zero() {
        // lo = n exactly: anything in (n, hi); the simplest is n + 1/m with m the smallest
        // integer with 1/m < hi - n.
        let m = (fhi.recip()).floor() + Rational::one();
        return n + m.recip();
    }
    // x in (lo, hi)  <=>  1/(x - n) in (1/fhi, 1/flo).
    let inner = simplest_in_open_interval(&fhi.recip(), &flo.recip());
    n + inner.recip()
}

/// `true` when `r` is an integer.
pub fn is_integer(r: &Rational) -> bool {
    r.denom().is_one()
}

/// The exact square root of a rational that is the square of a rational, else `None`.
pub fn exact_sqrt(r: &Rational) -> Option<Rational> {
    if r.is_negative() {
        return None;
    }
    let n = r.numer().sqrt();
    let d = r.denom().sqrt();
    (&n * &n == *r.numer() && &d * &d == *r.denom()).then(|| Rational::new(n, d))
}

/// The square-free decomposition $r = m^2 k$ of a positive rational, $k$ a square-free positive
/// integer and $m$ rational (so $\sqrt r = m\sqrt k$). Trial division: meant for the small
/// numbers that occur in kernel parameters (`None` if a factor above $10^6$ remains unresolved).
pub fn square_free_part(r: &Rational) -> Option<(Rational, BigInt)> {
    if !r.is_positive() {
        return None;
    }
    // r = p/q = p q / q^2.
    let pq = r.numer() * r.denom();
    let (m, k) = square_free_integer(&pq)?;
    Some((Rational::new(m, r.denom().clone()), k))
}

fn square_free_integer(n: &BigInt) -> Option<(BigInt, BigInt)> {
    let mut rest = n.clone();
    let mut m = BigInt::one();
    let mut k = BigInt::one();
    let mut p = BigInt::from(2u32);
    while &p * &p <= rest {
        if p > BigInt::from(1_000_000u32) {
            // Only a square-free remainder may stay: check it is not a perfect square.
            let s = rest.sqrt();
            if &s * &s == rest {
                return Some((m * s, k));
            }
            return if rest.bits() <= 40 {
                Some((m, k * rest))
            } else {
                None
            };
        }
        let mut e = 0u32;
        while rest.is_multiple_of(&p) {
            rest /= &p;
            e += 1;
        }
        for _ in 0..e / 2 {
            m *= &p;
        }
        if e % 2 == 1 {
            k *= &p;
        }
        p += 1;
    }
    Some((m, k * rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(p: i64, q: i64) -> Rational {
        Rational::new(p.into(), q.into())
    }

    #[test]
    fn short_decimals_and_small_fractions_are_recovered() {
        for (x, want) in [
            (0.5, r(1, 2)),
            (0.25, r(1, 4)),
            (1.0, r(1, 1)),
            (2.0, r(2, 1)),
            (0.01, r(1, 100)),
            (1.0 / 7.0, r(1, 7)),
            (2.0 / 3.0, r(2, 3)),
            (1e-3, r(1, 1000)),
            (123.456, r(123456, 1000)),
        ] {
            assert_eq!(simplest_rational(x), Some(want), "{x}");
        }
    }

    /// Every result rounds back to the double, and no rational with a smaller denominator
    /// does (brute force over small denominators).
    #[test]
    fn result_rounds_back_and_is_simplest() {
        let mut x = 0.0137_f64;
        for _ in 0..200 {
            x = (x * 7.31 + 0.123).fract() * 3.0;
            let s = simplest_rational(x).unwrap();
            assert_eq!(s.to_f64(), Some(x));
            let q = s.denom().to_u64().unwrap_or(u64::MAX);
            for d in 1..q.min(2000) {
                let n = (x * d as f64).round();
                assert_ne!(n / d as f64, x, "{x}: {n}/{d} is simpler than {s}");
            }
        }
    }

    #[test]
    fn square_free_parts() {
        let (m, k) = square_free_part(&r(6, 25)).unwrap();
        assert_eq!((m, k), (r(1, 5), BigInt::from(6)));
        let (m, k) = square_free_part(&r(1, 2)).unwrap();
        assert_eq!((m, k), (r(1, 2), BigInt::from(2)));
        assert_eq!(exact_sqrt(&r(9, 4)), Some(r(3, 2)));
        assert_eq!(exact_sqrt(&r(2, 1)), None);
    }
}
