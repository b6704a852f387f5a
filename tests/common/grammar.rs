//! An independent reader of the crate's plain expression grammar
//! (`ntk_sphere::symbolic::print`), shared by the symbolic tests.

use std::collections::HashMap;
use std::f64::consts::PI;

/// Whether `n` is an admissible definition name: `[a-z][a-z0-9_]*`, none of the grammar's words.
pub fn is_valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|c| c.is_ascii_lowercase())
        && c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !["t", "pi", "sqrt", "acos", "asin", "exp", "cos", "a"].contains(&n)
}

/// An independent reader of the plain grammar: integers, decimal point numbers, + - * / **,
/// parentheses, sqrt, acos, asin, exp, cos, pi and names from an environment.
pub struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    env: &'a HashMap<String, f64>,
}

impl<'a> Parser<'a> {
    pub fn new(s: &'a str, env: &'a HashMap<String, f64>) -> Self {
        Self {
            s: s.as_bytes(),
            i: 0,
            env,
        }
    }
    pub fn parse(mut self) -> Result<f64, String> {
        let v = self.sum()?;
        self.ws();
        if self.i != self.s.len() {
            return Err(format!("trailing input at {}", self.i));
        }
        Ok(v)
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i] == b' ' {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn sum(&mut self) -> Result<f64, String> {
        let mut v = self.product()?;
        while let Some(c) = self.peek() {
            match c {
                b'+' => {
                    self.i += 1;
                    v += self.product()?;
                }
                b'-' => {
                    self.i += 1;
                    v -= self.product()?;
                }
                _ => break,
            }
        }
        Ok(v)
    }
    fn product(&mut self) -> Result<f64, String> {
        let mut v = self.unary()?;
        loop {
            match self.peek() {
                Some(b'*') if self.s.get(self.i + 1) != Some(&b'*') => {
                    self.i += 1;
                    v *= self.unary()?;
                }
                Some(b'/') => {
                    self.i += 1;
                    v /= self.unary()?;
                }
                _ => return Ok(v),
            }
        }
    }
    fn unary(&mut self) -> Result<f64, String> {
        if self.peek() == Some(b'-') {
            self.i += 1;
            return Ok(-self.unary()?);
        }
        self.power()
    }
    fn power(&mut self) -> Result<f64, String> {
        let base = self.atom()?;
        if self.peek() == Some(b'*') && self.s.get(self.i + 1) == Some(&b'*') {
            self.i += 2;
            let e = self.unary()?;
            return Ok(base.powf(e));
        }
        Ok(base)
    }
    fn atom(&mut self) -> Result<f64, String> {
        match self.peek() {
            Some(b'(') => {
                self.i += 1;
                let v = self.sum()?;
                if self.peek() != Some(b')') {
                    return Err("missing )".into());
                }
                self.i += 1;
                Ok(v)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.')
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                text.parse().map_err(|e| format!("{text}: {e}"))
            }
            Some(c) if c.is_ascii_lowercase() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.i])
                    .unwrap()
                    .to_string();
                let f: Option<fn(f64) -> f64> = match name.as_str() {
                    "sqrt" => Some(f64::sqrt),
                    "acos" => Some(|x: f64| x.clamp(-1.0, 1.0).acos()),
                    "asin" => Some(|x: f64| x.clamp(-1.0, 1.0).asin()),
                    "exp" => Some(f64::exp),
                    "cos" => Some(f64::cos),
                    _ => None,
                };
                if let Some(f) = f {
                    let arg = self.atom()?;
                    return Ok(f(arg.max(if name == "sqrt" { 0.0 } else { f64::MIN })));
                }
                if name == "pi" {
                    return Ok(PI);
                }
                self.env
                    .get(&name)
                    .copied()
                    .ok_or(format!("unknown name {name}"))
            }
            other => Err(format!(
                "unexpected {:?} at {}",
                other.map(char::from),
                self.i
            )),
        }
    }
}
