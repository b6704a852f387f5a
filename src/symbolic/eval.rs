//! Numerical evaluation of an [`Expr`] on any number type of the crate, each shared node once.

use std::collections::HashMap;

use super::expr::{Expr, Func, Kind, Symbol, rational_to};
use crate::scalar::{DoubleDouble, KernelScalar, QuadDouble};

/// The value of `e` at $t$ and $a$ in the number type `S` (`f64`, [`crate::scalar::DoubleDouble`],
/// [`crate::scalar::QuadDouble`], …). Each node of the DAG is evaluated once. $\arccos x$ is
/// formed as $2\arcsin\sqrt{(1-x)/2}$ for $x > \tfrac12$ (and symmetrically for $x < -\tfrac12$),
/// so that it keeps the relative accuracy of the gap $1 \mp x$; a radicand that is negative
/// only by rounding (down to $-10^{-12}$) is taken as zero; an undefined node gives `NaN`.
pub fn eval<S: KernelScalar>(e: &Expr, t: &S, a: &S) -> S {
    let mut memo: HashMap<*const (), S> = HashMap::new();
    eval_memo(e, t, a, &mut memo)
}

/// [`eval`] to `f64` accuracy: computed in [`DoubleDouble`] and rounded once, so that the
/// cancellations of the closed form (such as $1 - t^2$ near $t = \pm1$) cost no accuracy.
pub fn eval_f64(e: &Expr, t: f64, a: f64) -> f64 {
    eval(e, &DoubleDouble::from(t), &DoubleDouble::from(a)).to_f64()
}

/// [`eval`] to double-double accuracy: computed in [`QuadDouble`] and rounded once. (Evaluated
/// in double-double arithmetic itself, the closed form loses up to about $1/\sqrt{1-|t|}$
/// units in the last place near $t = \pm1$ — $10^{-27}$ relative at $1 - |t| = 10^{-6}$ for a
/// depth-4 MLP — because sums such as $t(\pi - \arccos t) + \sqrt{1-t^2}$ cancel to the
/// small gap $1 - \kappa_1(t)$ that the next layer's $\arccos$ amplifies.)
pub fn eval_dd(e: &Expr, t: DoubleDouble, a: DoubleDouble) -> DoubleDouble {
    let q = |x: DoubleDouble| QuadDouble::from_f64(x.hi()) + QuadDouble::from_f64(x.lo());
    eval(e, &q(t), &q(a)).to_double_double()
}

fn eval_memo<S: KernelScalar>(e: &Expr, t: &S, a: &S, memo: &mut HashMap<*const (), S>) -> S {
    if let Some(v) = memo.get(&e.id()) {
        return v.clone();
    }
    let v = match e.kind() {
        Kind::Num(r) => rational_to::<S>(r),
        Kind::Sym(Symbol::T) => t.clone(),
        Kind::Sym(Symbol::A) => a.clone(),
        Kind::Pi => S::pi(),
        Kind::Undefined => S::from_f64(f64::NAN),
        Kind::Sum(terms) => {
            let mut acc = S::zero();
            for (x, c) in terms {
                let xv = eval_memo(x, t, a, memo);
                let term = if num_traits::One::is_one(c) {
                    xv
                } else if *c == -<super::rational::Rational as num_traits::One>::one() {
                    -xv
                } else {
                    rational_to::<S>(c) * xv
                };
                acc = acc + term;
            }
            acc
        }
        Kind::Product(factors) => {
            let mut num = S::one();
            let mut den = S::one();
            for (x, p) in factors {
                let xv = eval_memo(x, t, a, memo);
                for _ in 0..p.unsigned_abs() {
                    if *p > 0 {
                        num = num * xv.clone();
                    } else {
                        den = den * xv.clone();
                    }
                }
            }
            num / den
        }
        Kind::Apply(f, x) => {
            let xv = eval_memo(x, t, a, memo);
            match f {
                Func::Sqrt => radicand(xv).sqrt(),
                Func::Asin => xv.asin(),
                Func::Exp => xv.exp(),
                Func::Acos => acos(xv),
                // Arguments of cos are constants (KernelScalar::cos_angle).
                Func::Cos => S::cos_angle(xv.approx()),
            }
        }
    };
    memo.insert(e.id(), v.clone());
    v
}

/// A radicand that is negative by rounding only is zero.
fn radicand<S: KernelScalar>(x: S) -> S {
    let v = x.approx();
    if (-1e-12..0.0).contains(&v) {
        S::zero()
    } else {
        x
    }
}

/// $\arccos x$ through $\arcsin$, accurate near $\pm1$.
fn acos<S: KernelScalar>(x: S) -> S {
    let v = x.approx();
    let half = S::from_f64(0.5);
    if v > 0.5 {
        let g = radicand((S::one() - x) * half);
        g.sqrt().asin().scale_pow2(1)
    } else if v < -0.5 {
        let g = radicand((S::one() + x) * half);
        S::pi() - g.sqrt().asin().scale_pow2(1)
    } else {
        S::pi().scale_pow2(-1) - x.asin()
    }
}
