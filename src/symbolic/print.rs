//! Printing of expressions: a plain grammar that computer-algebra systems parse, and LaTeX.
//!
//! **Plain grammar.** Integers, `+ - * / **`, parentheses, the functions `sqrt`, `acos`,
//! `asin`, `exp`, `cos`, the constant `pi`, the symbols `t` (and `a`, the ResNet scale), and names of
//! definitions. `a/b*c` never occurs (a denominator with several factors is parenthesized), so
//! the usual precedence of Python, SymPy, Mathematica's `ToExpression[…, TraditionalForm]`-free
//! input and Maxima reads it the same way: for instance
//! `(t*(pi - acos(t)) + sqrt(1 - t**2))/pi`.
//!
//! **Shared subexpressions.** A node used by two or more parents whose inline text would exceed
//! [`INLINE_LIMIT`] characters is printed once, as a definition `u1 = …`, and referred to by its
//! name (names `u1`, `u2`, … in text, $u_{1}, u_{2}, \ldots$ in LaTeX; each definition uses
//! only $t$, $a$ and earlier names). Small expressions need no definitions.

use std::collections::{HashMap, HashSet};

use num_traits::{One, Signed};

use super::expr::{Expr, Func, Kind, Symbol};
use super::rational::Rational;

/// Shared subexpressions whose inline text is longer than this many characters get a name.
pub const INLINE_LIMIT: usize = 24;

/// An expression printed with its definitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// `(name, expression)` pairs, each using only earlier names.
    pub definitions: Vec<(String, String)>,
    /// The expression itself.
    pub expression: String,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The plain grammar of the module documentation.
    Text,
    /// LaTeX (math mode).
    Latex,
}

/// Prints `e` in `format`, with shared subexpressions as named definitions.
pub fn print(e: &Expr, format: Format) -> Printed {
    let mut p = Printer::new(format);
    p.plan(std::slice::from_ref(e));
    let expression = p.render(e, true);
    Printed {
        definitions: p.definitions,
        expression,
    }
}

/// Several expressions printed with one list of definitions (the nodes they share, e.g. the
/// constants common to the coefficients of a series, are named once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedList {
    /// `(name, expression)` pairs, each using only earlier names.
    pub definitions: Vec<(String, String)>,
    /// The expressions, in order.
    pub expressions: Vec<String>,
}

/// Prints every expression of `es` in `format`; a node used more than once, within one
/// expression or across several, is named as in [`print()`].
pub fn print_all(es: &[Expr], format: Format) -> PrintedList {
    let mut p = Printer::new(format);
    p.plan(es);
    let expressions = es.iter().map(|e| p.render(e, true)).collect();
    PrintedList {
        definitions: p.definitions,
        expressions,
    }
}

/// Prints `e` in the plain grammar without definitions (every shared node inline).
pub fn to_text_inline(e: &Expr) -> String {
    let mut p = Printer::new(Format::Text);
    p.render(e, true)
}

struct Printer {
    format: Format,
    names: HashMap<*const (), String>,
    definitions: Vec<(String, String)>,
    memo: HashMap<*const (), String>,
}

fn children(e: &Expr) -> Vec<Expr> {
    match e.kind() {
        Kind::Sum(terms) => terms.iter().map(|(x, _)| x.clone()).collect(),
        Kind::Product(f) => f.iter().map(|(x, _)| x.clone()).collect(),
        Kind::Apply(_, x) => vec![x.clone()],
        _ => vec![],
    }
}

fn is_leaf(e: &Expr) -> bool {
    matches!(
        e.kind(),
        Kind::Num(_) | Kind::Sym(_) | Kind::Pi | Kind::Undefined
    )
}

impl Printer {
    fn new(format: Format) -> Self {
        Self {
            format,
            names: HashMap::new(),
            definitions: Vec::new(),
            memo: HashMap::new(),
        }
    }

    /// Counts the parents of every node, then names the large shared ones in post-order (the
    /// roots themselves are printed in place, never named).
    fn plan(&mut self, roots: &[Expr]) {
        let mut parents: HashMap<*const (), usize> = HashMap::new();
        let mut order: Vec<Expr> = Vec::new();
        let mut seen: HashSet<*const ()> = HashSet::new();
        let root_ids: HashSet<*const ()> = roots.iter().map(Expr::id).collect();
        // Iterative post-order.
        let mut stack: Vec<(Expr, bool)> = roots.iter().rev().map(|r| (r.clone(), false)).collect();
        while let Some((e, expanded)) = stack.pop() {
            if expanded {
                order.push(e);
                continue;
            }
            if !seen.insert(e.id()) {
                continue;
            }
            stack.push((e.clone(), true));
            for c in children(&e) {
                *parents.entry(c.id()).or_default() += 1;
                stack.push((c, false));
            }
        }
        for e in order {
            if root_ids.contains(&e.id()) || is_leaf(&e) {
                continue;
            }
            let shared = parents.get(&e.id()).copied().unwrap_or(0) >= 2;
            if shared {
                let text = self.render(&e, true);
                if text.chars().count() > INLINE_LIMIT {
                    let k = self.definitions.len() + 1;
                    let name = match self.format {
                        Format::Text => format!("u{k}"),
                        Format::Latex => format!("u_{{{k}}}"),
                    };
                    self.definitions.push((name.clone(), text));
                    self.names.insert(e.id(), name);
                }
            }
        }
    }

    /// The text of `e` at top level (`top`: a sum needs no parentheses).
    fn render(&mut self, e: &Expr, top: bool) -> String {
        if let Some(name) = self.names.get(&e.id()) {
            return name.clone();
        }
        let body = if let Some(s) = self.memo.get(&e.id()) {
            s.clone()
        } else {
            let s = self.render_body(e);
            self.memo.insert(e.id(), s.clone());
            s
        };
        if !top && self.needs_parens(e) {
            self.paren(&body)
        } else {
            body
        }
    }

    fn needs_parens(&self, e: &Expr) -> bool {
        match e.kind() {
            Kind::Sum(_) => true,
            Kind::Product(_) => true,
            Kind::Num(r) => r.is_negative() || !r.denom().is_one(),
            _ => false,
        }
    }

    fn paren(&self, s: &str) -> String {
        match self.format {
            Format::Text => format!("({s})"),
            Format::Latex => format!("\\left({s}\\right)"),
        }
    }

    fn render_body(&mut self, e: &Expr) -> String {
        match e.kind() {
            Kind::Num(r) => self.number(r),
            Kind::Sym(Symbol::T) => "t".into(),
            Kind::Sym(Symbol::A) => "a".into(),
            Kind::Pi => match self.format {
                Format::Text => "pi".into(),
                Format::Latex => "\\pi".into(),
            },
            Kind::Undefined => match self.format {
                Format::Text => "nan".into(),
                Format::Latex => "\\mathrm{NaN}".into(),
            },
            Kind::Apply(f, x) => self.function(*f, x),
            Kind::Product(_) => self.monomial(&Rational::one(), e),
            Kind::Sum(terms) if terms.len() == 1 => {
                let (x, c) = &terms[0];
                let (sign, body) = self.signed_monomial(c, x);
                if sign { format!("-{body}") } else { body }
            }
            Kind::Sum(terms) => {
                let mut out = String::new();
                for (i, (x, c)) in terms.iter().enumerate() {
                    let (negative, body) = self.signed_monomial(c, x);
                    match (i, negative) {
                        (0, false) => out.push_str(&body),
                        (0, true) => {
                            out.push('-');
                            out.push_str(&body);
                        }
                        (_, false) => {
                            out.push_str(" + ");
                            out.push_str(&body);
                        }
                        (_, true) => {
                            out.push_str(" - ");
                            out.push_str(&body);
                        }
                    }
                }
                out
            }
        }
    }

    fn number(&self, r: &Rational) -> String {
        let sign = if r.is_negative() { "-" } else { "" };
        let (n, d) = (r.numer().abs(), r.denom().clone());
        if d.is_one() {
            format!("{sign}{n}")
        } else {
            match self.format {
                Format::Text => format!("{sign}{n}/{d}"),
                Format::Latex => format!("{sign}\\frac{{{n}}}{{{d}}}"),
            }
        }
    }

    fn function(&mut self, f: Func, x: &Expr) -> String {
        let arg = self.render(x, true);
        match self.format {
            Format::Text => format!("{}({arg})", f.name()),
            Format::Latex => {
                // `\arccos t`, `\arccos u_{1}`, `\arccos 2`; parentheses around anything
                // else (fractions and negative numbers included).
                let simple = self.names.contains_key(&x.id())
                    || match x.kind() {
                        Kind::Sym(_) | Kind::Pi => true,
                        Kind::Num(r) => r.is_integer() && !r.is_negative(),
                        _ => false,
                    };
                match f {
                    Func::Sqrt => format!("\\sqrt{{{arg}}}"),
                    Func::Exp => format!("e^{{{arg}}}"),
                    Func::Cos => format!("\\cos\\left({arg}\\right)"),
                    Func::Acos | Func::Asin => {
                        let name = if f == Func::Acos {
                            "\\arccos"
                        } else {
                            "\\arcsin"
                        };
                        if simple {
                            format!("{name} {arg}")
                        } else {
                            format!("{name}\\left({arg}\\right)")
                        }
                    }
                }
            }
        }
    }

    /// `(negative, |c| x)` for a term $c\\,x$ of a sum.
    fn signed_monomial(&mut self, c: &Rational, x: &Expr) -> (bool, String) {
        let negative = c.is_negative();
        let body = self.monomial(&c.abs(), x);
        (negative, body)
    }

    /// $c\cdot x$ with $c > 0$ as a fraction of factors.
    fn monomial(&mut self, c: &Rational, x: &Expr) -> String {
        let mut num: Vec<String> = Vec::new();
        let mut den: Vec<String> = Vec::new();
        let cn = c.numer().clone();
        let cd = c.denom().clone();
        let one_base = x.as_rational().is_some_and(|r| r.is_one());
        if !cn.is_one() || one_base {
            num.push(cn.to_string());
        }
        if !cd.is_one() {
            den.push(cd.to_string());
        }
        if !one_base {
            let factors: Vec<(Expr, i32)> = match x.kind() {
                Kind::Product(f) if !self.names.contains_key(&x.id()) => f.clone(),
                _ => vec![(x.clone(), 1)],
            };
            let n_pos = factors.iter().filter(|(_, p)| *p > 0).count() + num.len();
            let n_neg = factors.iter().filter(|(_, p)| *p < 0).count() + den.len();
            for (b, p) in factors {
                // A lone sum in a LaTeX numerator or denominator needs no parentheses.
                let alone = if p > 0 { n_pos == 1 } else { n_neg == 1 };
                let top =
                    self.format == Format::Latex && alone && p.abs() == 1 && !(p > 0 && n_neg == 0);
                let mut base = self.render(&b, top);
                if p.abs() != 1
                    && self.format == Format::Latex
                    && matches!(
                        b.kind(),
                        Kind::Apply(Func::Acos | Func::Asin | Func::Exp | Func::Cos, _)
                    )
                    && !self.names.contains_key(&b.id())
                {
                    base = self.paren(&base);
                }
                let text = if p.abs() == 1 {
                    base
                } else {
                    match self.format {
                        Format::Text => format!("{base}**{}", p.abs()),
                        Format::Latex => format!("{base}^{{{}}}", p.abs()),
                    }
                };
                if p > 0 {
                    num.push(text);
                } else {
                    den.push(text);
                }
            }
        }
        let sep = match self.format {
            Format::Text => "*",
            Format::Latex => " ",
        };
        let numerator = if num.is_empty() {
            "1".to_string()
        } else {
            num.join(sep)
        };
        if den.is_empty() {
            return numerator;
        }
        match self.format {
            Format::Text => {
                let denominator = if den.len() == 1 {
                    den.pop().expect("one factor")
                } else {
                    format!("({})", den.join("*"))
                };
                format!("{numerator}/{denominator}")
            }
            Format::Latex => format!("\\frac{{{numerator}}}{{{}}}", den.join(" ")),
        }
    }
}
