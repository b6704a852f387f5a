//! Networks written as JSON, `{"layers": [LAYER, …]}`: the grammar of the CLI's `--net SPEC` and
//! of the Python package's dict/list specs (one parser for both).
//!
//! LAYER is one of
//! * `{"dense": {"w_var": 1.0, "b_var": 0.0}}` (both optional, defaults shown; w_var > 0,
//!   b_var ≥ 0);
//! * `{"activation": {NAME: {PARAMS}}}`, NAME one of [`ACTIVATIONS`] (see there for the
//!   parameters and their defaults);
//! * `{"residual": {"alpha": α, "branch": [LAYER, …]}}` (α ≥ 0 required, branch non-empty).
//!
//! The grammar is strict: unknown or duplicate keys are errors, an activation object has exactly
//! one key and its parameter object is required (`{}` when empty), degrees are non-negative
//! integer literals. Every error names the place of the fault as a JSON Pointer (RFC 6901).
//! The JSON is read through `serde_json` into a [`Value`] tree (rejecting duplicate keys and
//! nesting deeper than [`MAX_NESTING`]) and validated by hand.

use std::cell::RefCell;

use crate::activation::Activation;
use crate::arch::{Layer, Serial};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Largest accepted spec (inline or file, in the CLI), in bytes.
pub const MAX_SPEC_BYTES: usize = 1 << 20;
/// Deepest accepted nesting of JSON arrays and objects.
pub const MAX_NESTING: usize = 64;

/// Parameter kinds of an activation.
#[derive(Clone, Copy)]
enum Param {
    /// A finite number, with a default when optional.
    Number(Option<f64>),
    /// A non-negative integer (required).
    Degree,
    /// A non-empty array of finite numbers (required).
    Numbers,
}

/// The activations and their parameters (name, kind/default).
pub const ACTIVATIONS: &[&str] = &[
    "relu",
    "leaky_relu",
    "abrelu",
    "abs",
    "sign",
    "rectified_monomial",
    "erf",
    "gelu",
    "sin",
    "cos",
    "gaussian",
    "exp",
    "monomial",
    "polynomial",
    "identity",
];

fn activation_params(name: &str) -> Option<&'static [(&'static str, Param)]> {
    use Param::{Degree, Number, Numbers};
    const ABC: &[(&str, Param)] = &[
        ("a", Number(Some(1.0))),
        ("b", Number(Some(1.0))),
        ("c", Number(Some(0.0))),
    ];
    Some(match name {
        "relu" | "abs" | "sign" | "gelu" | "identity" => &[],
        "leaky_relu" => &[("slope", Number(None))],
        "abrelu" => &[("a", Number(None)), ("b", Number(None))],
        "rectified_monomial" | "monomial" => &[("degree", Degree)],
        "erf" | "sin" | "cos" => ABC,
        "gaussian" => &[("a", Number(Some(1.0))), ("b", Number(Some(-1.0)))],
        "exp" => &[("a", Number(Some(1.0))), ("b", Number(Some(1.0)))],
        "polynomial" => &[("coef", Numbers)],
        _ => return None,
    })
}

/// A fault in a spec: where (a JSON Pointer, `""` for the whole document) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// RFC 6901 JSON Pointer of the faulty value.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    fn new(pointer: &str, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
    /// `LABEL POINTER: MESSAGE` (no pointer for the whole document).
    pub fn render(&self, label: &str) -> String {
        if self.pointer.is_empty() {
            format!("{label}: {}", self.message)
        } else {
            format!("{label} {}: {}", self.pointer, self.message)
        }
    }
}

/// Appends a reference token to a JSON Pointer (`~` → `~0`, `/` → `~1`).
fn child(pointer: &str, token: &str) -> String {
    let mut p = String::with_capacity(pointer.len() + token.len() + 1);
    p.push_str(pointer);
    p.push('/');
    for ch in token.chars() {
        match ch {
            '~' => p.push_str("~0"),
            '/' => p.push_str("~1"),
            c => p.push(c),
        }
    }
    p
}

fn index(pointer: &str, i: usize) -> String {
    format!("{pointer}/{i}")
}

/// A short description of a JSON value for messages: the value itself for scalars (strings
/// quoted, at most 40 characters), `an array` / `an object` otherwise.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let t: String = s.chars().take(40).collect();
            let quoted = serde_json::to_string(&t).unwrap_or_default();
            if t.len() < s.len() {
                format!("{}…\"", &quoted[..quoted.len() - 1])
            } else {
                quoted
            }
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Reading JSON: serde_json into a Value tree, rejecting duplicate keys and deep nesting, and
// remembering the pointer of the first fault.

/// The first fault seen while reading (innermost value first).
type Fault = RefCell<Option<SpecError>>;

struct Node<'f> {
    pointer: String,
    depth: usize,
    fault: &'f Fault,
}

impl Node<'_> {
    fn record(&self, message: String) {
        let mut f = self.fault.borrow_mut();
        if f.is_none() {
            *f = Some(SpecError::new(&self.pointer, message));
        }
    }
    fn nested<E: de::Error>(&self, what: &str) -> Result<(), E> {
        if self.depth >= MAX_NESTING {
            let msg = format!("{what} nested deeper than {MAX_NESTING} levels");
            self.record(msg.clone());
            return Err(E::custom(msg));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let pointer = self.pointer.clone();
        let fault = self.fault;
        d.deserialize_any(self).inspect_err(|e| {
            let mut f = fault.borrow_mut();
            if f.is_none() {
                *f = Some(SpecError::new(&pointer, format!("invalid JSON: {e}")));
            }
        })
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        match serde_json::Number::from_f64(v) {
            Some(n) => Ok(Value::Number(n)),
            None => {
                let msg = format!("the number {v} is not finite");
                self.record(msg.clone());
                Err(E::custom(msg))
            }
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.nested::<A::Error>("arrays and objects")?;
        let mut v = Vec::new();
        while let Some(x) = seq.next_element_seed(Node {
            pointer: index(&self.pointer, v.len()),
            depth: self.depth + 1,
            fault: self.fault,
        })? {
            v.push(x);
        }
        Ok(Value::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.nested::<A::Error>("arrays and objects")?;
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let pointer = child(&self.pointer, &k);
            if m.contains_key(&k) {
                let msg = format!("duplicate key {}", quoted(&k));
                let mut f = self.fault.borrow_mut();
                if f.is_none() {
                    *f = Some(SpecError::new(&pointer, msg.clone()));
                }
                return Err(de::Error::custom(msg));
            }
            let v = map.next_value_seed(Node {
                pointer,
                depth: self.depth + 1,
                fault: self.fault,
            })?;
            m.insert(k, v);
        }
        Ok(Value::Object(m))
    }
}

/// Parses JSON text into a [`Value`] (strict: duplicate keys and nesting deeper than
/// [`MAX_NESTING`] are faults).
pub fn read_json(text: &str) -> Result<Value, SpecError> {
    let fault = Fault::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Node {
        pointer: String::new(),
        depth: 0,
        fault: &fault,
    };
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(fault
            .into_inner()
            .map(|f| {
                // Our own faults get the position of the parser appended.
                if f.message.starts_with("invalid JSON") {
                    f
                } else {
                    SpecError::new(
                        &f.pointer,
                        format!("{} (line {}, column {})", f.message, e.line(), e.column()),
                    )
                }
            })
            .unwrap_or_else(|| SpecError::new("", format!("invalid JSON: {e}")))),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation.

fn object<'v>(
    v: &'v Value,
    pointer: &str,
    what: &str,
) -> Result<&'v Map<String, Value>, SpecError> {
    v.as_object().ok_or_else(|| {
        SpecError::new(
            pointer,
            format!("expected {what} (an object), got {}", describe(v)),
        )
    })
}

/// Checks that every key of `m` is in `allowed`.
fn known_keys(
    m: &Map<String, Value>,
    pointer: &str,
    allowed: &[&str],
    what: &str,
) -> Result<(), SpecError> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            let expected = if allowed.is_empty() {
                "none".to_owned()
            } else {
                allowed.join(", ")
            };
            return Err(SpecError::new(
                &child(pointer, k),
                format!("unknown key {} in {what} (expected: {expected})", quoted(k)),
            ));
        }
    }
    Ok(())
}

/// The only entry of an object that must have exactly one key.
fn single_entry<'v>(
    m: &'v Map<String, Value>,
    pointer: &str,
    what: &str,
    choices: &[&str],
) -> Result<(&'v String, &'v Value), SpecError> {
    let mut it = m.iter();
    match (it.next(), it.next()) {
        (Some(entry), None) => Ok(entry),
        (None, _) => Err(SpecError::new(
            pointer,
            format!(
                "expected {what} with exactly one key ({}), got an empty object",
                choices.join(", ")
            ),
        )),
        (Some(_), Some(_)) => {
            let keys: Vec<String> = m.keys().map(|k| quoted(k)).collect();
            Err(SpecError::new(
                pointer,
                format!(
                    "expected {what} with exactly one key, got {} keys: {}",
                    keys.len(),
                    keys.join(", ")
                ),
            ))
        }
    }
}

fn number(v: &Value, pointer: &str) -> Result<f64, SpecError> {
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        Some(x) => Err(SpecError::new(
            pointer,
            format!("expected a finite number, got {x}"),
        )),
        None => Err(SpecError::new(
            pointer,
            format!("expected a number, got {}", describe(v)),
        )),
    }
}

fn degree(v: &Value, pointer: &str) -> Result<u32, SpecError> {
    v.as_u64()
        .and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| {
            SpecError::new(
                pointer,
                format!(
                    "expected a non-negative integer degree, got {}",
                    describe(v)
                ),
            )
        })
}

fn numbers(v: &Value, pointer: &str) -> Result<Vec<f64>, SpecError> {
    let a = v.as_array().ok_or_else(|| {
        SpecError::new(
            pointer,
            format!("expected an array of numbers, got {}", describe(v)),
        )
    })?;
    if a.is_empty() {
        return Err(SpecError::new(
            pointer,
            "expected at least one coefficient, got an empty array",
        ));
    }
    a.iter()
        .enumerate()
        .map(|(i, x)| number(x, &index(pointer, i)))
        .collect()
}

/// A variance-like parameter: finite and > 0 (`positive`) or ≥ 0.
fn bounded(v: &Value, pointer: &str, name: &str, positive: bool) -> Result<f64, SpecError> {
    let x = number(v, pointer)?;
    let ok = if positive { x > 0.0 } else { x >= 0.0 };
    if ok {
        Ok(x)
    } else {
        let bound = if positive { "> 0" } else { ">= 0" };
        Err(SpecError::new(
            pointer,
            format!("{name} must be {bound}, got {x}"),
        ))
    }
}

fn lib<T>(r: Result<T, crate::ArchError>, pointer: &str) -> Result<T, SpecError> {
    r.map_err(|e| SpecError::new(pointer, e.to_string()))
}

/// The network of a parsed spec.
pub fn network(v: &Value) -> Result<Serial, SpecError> {
    let m = object(v, "", "a network {\"layers\": [...]}")?;
    known_keys(m, "", &["layers"], "a network")?;
    let layers = m
        .get("layers")
        .ok_or_else(|| SpecError::new("", "missing required key \"layers\""))?;
    Ok(Serial::new(layer_list(layers, "/layers")?).expect("non-empty"))
}

/// A non-empty array of layers.
fn layer_list(v: &Value, pointer: &str) -> Result<Vec<Layer>, SpecError> {
    let a = v.as_array().ok_or_else(|| {
        SpecError::new(
            pointer,
            format!("expected an array of layers, got {}", describe(v)),
        )
    })?;
    if a.is_empty() {
        return Err(SpecError::new(
            pointer,
            "expected at least one layer, got an empty array",
        ));
    }
    a.iter()
        .enumerate()
        .map(|(i, l)| layer(l, &index(pointer, i)))
        .collect()
}

const LAYER_KINDS: &[&str] = &["dense", "activation", "residual"];

fn layer(v: &Value, pointer: &str) -> Result<Layer, SpecError> {
    let m = object(v, pointer, "a layer")?;
    let (kind, body) = single_entry(m, pointer, "a layer", LAYER_KINDS)?;
    let p = child(pointer, kind);
    match kind.as_str() {
        "dense" => dense(body, &p),
        "activation" => Ok(Layer::activation(activation(body, &p)?)),
        "residual" => residual(body, &p),
        other => Err(SpecError::new(
            &p,
            format!(
                "unknown layer {} (expected dense, activation or residual)",
                quoted(other)
            ),
        )),
    }
}

fn dense(v: &Value, pointer: &str) -> Result<Layer, SpecError> {
    let m = object(v, pointer, "dense parameters")?;
    known_keys(m, pointer, &["w_var", "b_var"], "dense")?;
    let w_var = match m.get("w_var") {
        Some(x) => bounded(x, &child(pointer, "w_var"), "w_var", true)?,
        None => 1.0,
    };
    let b_var = match m.get("b_var") {
        Some(x) => bounded(x, &child(pointer, "b_var"), "b_var", false)?,
        None => 0.0,
    };
    lib(Layer::dense(w_var, b_var), pointer)
}

fn residual(v: &Value, pointer: &str) -> Result<Layer, SpecError> {
    let m = object(v, pointer, "residual parameters")?;
    known_keys(m, pointer, &["alpha", "branch"], "residual")?;
    let alpha = m
        .get("alpha")
        .ok_or_else(|| SpecError::new(pointer, "missing required key \"alpha\""))?;
    let alpha = bounded(alpha, &child(pointer, "alpha"), "alpha", false)?;
    let branch = m
        .get("branch")
        .ok_or_else(|| SpecError::new(pointer, "missing required key \"branch\""))?;
    let branch = layer_list(branch, &child(pointer, "branch"))?;
    lib(Layer::residual(alpha, branch), pointer)
}

fn activation(v: &Value, pointer: &str) -> Result<Activation, SpecError> {
    let m = object(v, pointer, "an activation {NAME: {PARAMS}}")?;
    let (name, params) = single_entry(m, pointer, "an activation", &["NAME: {PARAMS}"])?;
    let p = child(pointer, name);
    let Some(spec) = activation_params(name) else {
        return Err(SpecError::new(
            &p,
            format!(
                "unknown activation {} (expected one of {})",
                quoted(name),
                ACTIVATIONS.join(", ")
            ),
        ));
    };
    let pm = object(params, &p, &format!("the parameters of {name}"))?;
    let allowed: Vec<&str> = spec.iter().map(|(k, _)| *k).collect();
    known_keys(pm, &p, &allowed, name)?;
    let mut nums = Vec::new();
    let mut deg = 0;
    let mut coef = Vec::new();
    let mut place = p.clone();
    for &(key, kind) in spec {
        let kp = child(&p, key);
        match (pm.get(key), kind) {
            (Some(x), Param::Number(_)) => nums.push(number(x, &kp)?),
            (None, Param::Number(Some(default))) => nums.push(default),
            (Some(x), Param::Degree) => {
                deg = degree(x, &kp)?;
                place = kp;
            }
            (Some(x), Param::Numbers) => {
                coef = numbers(x, &kp)?;
                place = kp;
            }
            (None, _) => {
                return Err(SpecError::new(
                    &p,
                    format!("{name}: missing required parameter {}", quoted(key)),
                ));
            }
        }
    }
    let act = match name.as_str() {
        "relu" => Ok(Activation::relu()),
        "leaky_relu" => Activation::leaky_relu(nums[0]),
        "abrelu" => Activation::abrelu(nums[0], nums[1]),
        "abs" => Ok(Activation::abs()),
        "sign" => Ok(Activation::sign()),
        "rectified_monomial" => Activation::rectified_monomial(deg),
        "erf" => Activation::erf(nums[0], nums[1], nums[2]),
        "gelu" => Ok(Activation::gelu()),
        "sin" => Activation::sin(nums[0], nums[1], nums[2]),
        "cos" => Activation::cos(nums[0], nums[1], nums[2]),
        "gaussian" => Activation::gaussian(nums[0], nums[1]),
        "exp" => Activation::exp(nums[0], nums[1]),
        "monomial" => Activation::monomial(deg),
        "polynomial" => Activation::polynomial(&coef),
        "identity" => Ok(Activation::identity()),
        _ => unreachable!("every name of activation_params is built"),
    };
    lib(act, &place)
}

/// Parses and validates a spec given as JSON text: [`read_json`], then [`network`].
///
/// ```
/// use ntk_sphere::arch::spec::parse;
/// let net = parse(r#"{"layers": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}"#).unwrap();
/// assert_eq!(net.layers().len(), 3);
/// let e = parse(r#"{"layers": [{"dense": {"w_var": -1}}]}"#).unwrap_err();
/// assert_eq!(e.render("net"), "net /layers/0/dense/w_var: w_var must be > 0, got -1");
/// ```
pub fn parse(text: &str) -> Result<Serial, SpecError> {
    network(&read_json(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{Architecture, KernelLayer};
    use crate::{KernelKind, Mlp, ResNet, SphereKernel};

    fn parse(text: &str) -> Result<Serial, SpecError> {
        network(&read_json(text)?)
    }

    fn fault(text: &str) -> (String, String) {
        let e = parse(text).expect_err(text);
        (e.pointer, e.message)
    }

    fn assert_fault(text: &str, pointer: &str, needle: &str) {
        let (p, m) = fault(text);
        assert_eq!(p, pointer, "{text}: {m}");
        assert!(m.contains(needle), "{text}: {m:?} lacks {needle:?}");
    }

    const RESNET: &str = r#"{"layers": [{"dense": {}},
        {"residual": {"alpha": 0.1, "branch": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}},
        {"residual": {"alpha": 0.1, "branch": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}},
        {"dense": {"w_var": 1.0, "b_var": 0.0}}]}"#;

    fn same_kernel(a: Architecture, b: Architecture) {
        let ka = SphereKernel::new(a, KernelKind::Ntk, 3).unwrap();
        let kb = SphereKernel::new(b, KernelKind::Ntk, 3).unwrap();
        for u in [-1.0, -0.3, 0.0, 0.7, 1.0] {
            assert_eq!(ka.eval(u).unwrap(), kb.eval(u).unwrap());
        }
    }

    #[test]
    fn presets_written_out() {
        let net = parse(RESNET).unwrap();
        same_kernel(net.into(), ResNet::new(2, 0.1, 1.0, 1.0).unwrap().into());
        let mlp = r#"{"layers": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}},
                      {"activation": {"relu": {}}}, {"dense": {}}]}"#;
        same_kernel(parse(mlp).unwrap().into(), Mlp::new(2, 1.0).unwrap().into());
    }

    #[test]
    fn every_activation_parses() {
        let acts = [
            r#"{"relu": {}}"#,
            r#"{"leaky_relu": {"slope": 0.1}}"#,
            r#"{"abrelu": {"a": -0.5, "b": 2}}"#,
            r#"{"abs": {}}"#,
            r#"{"sign": {}}"#,
            r#"{"rectified_monomial": {"degree": 2}}"#,
            r#"{"erf": {}}"#,
            r#"{"erf": {"a": 2, "b": 0.5, "c": 0.1}}"#,
            r#"{"gelu": {}}"#,
            r#"{"sin": {"b": 2}}"#,
            r#"{"cos": {}}"#,
            r#"{"gaussian": {}}"#,
            r#"{"exp": {"b": 0.5}}"#,
            r#"{"monomial": {"degree": 3}}"#,
            r#"{"polynomial": {"coef": [0, 1, 0.5]}}"#,
            r#"{"identity": {}}"#,
        ];
        assert_eq!(acts.len(), ACTIVATIONS.len() + 1);
        for a in acts {
            let text = format!(
                r#"{{"layers": [{{"dense": {{}}}}, {{"activation": {a}}}, {{"dense": {{}}}}]}}"#
            );
            let net = parse(&text).unwrap_or_else(|e| panic!("{a}: {e:?}"));
            assert_eq!(net.layers().len(), 3);
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let a = parse(r#"{"layers": [{"dense": {}}, {"activation": {"erf": {}}}, {"dense": {}}]}"#)
            .unwrap();
        let b = Serial::new(vec![
            Layer::dense(1.0, 0.0).unwrap(),
            Layer::activation(Activation::erf(1.0, 1.0, 0.0).unwrap()),
            Layer::dense(1.0, 0.0).unwrap(),
        ])
        .unwrap();
        let s = crate::arch::CovState::input(1.0_f64, 1.0, 0.4);
        let (x, y) = (a.apply(s.clone()), KernelLayer::apply(&b, s));
        assert_eq!((x.nngp, x.ntk), (y.nngp, y.ntk));
        let g = parse(r#"{"layers": [{"dense": {}}, {"activation": {"gaussian": {}}}]}"#).unwrap();
        let h = Serial::new(vec![
            Layer::dense(1.0, 0.0).unwrap(),
            Layer::activation(Activation::gaussian(1.0, -1.0).unwrap()),
        ])
        .unwrap();
        let s = crate::arch::CovState::input(1.0_f64, 1.0, 0.4);
        assert_eq!(g.apply(s.clone()).nngp, h.apply(s).nngp);
    }

    #[test]
    fn structural_faults() {
        assert_fault("[]", "", "expected a network");
        assert_fault("{}", "", "missing required key \"layers\"");
        assert_fault(r#"{"layers": [], "x": 1}"#, "/x", "unknown key \"x\"");
        assert_fault(r#"{"layers": []}"#, "/layers", "at least one layer");
        assert_fault(
            r#"{"layers": {}}"#,
            "/layers",
            "expected an array of layers",
        );
        assert_fault(r#"{"layers": [3]}"#, "/layers/0", "expected a layer");
        assert_fault(r#"{"layers": [{}]}"#, "/layers/0", "exactly one key");
        assert_fault(
            r#"{"layers": [{"dense": {}, "activation": {"relu": {}}}]}"#,
            "/layers/0",
            "got 2 keys",
        );
        assert_fault(
            r#"{"layers": [{"conv": {}}]}"#,
            "/layers/0/conv",
            "unknown layer \"conv\"",
        );
        assert_fault(
            r#"{"layers": [{"dense": 1}]}"#,
            "/layers/0/dense",
            "expected dense parameters",
        );
        assert_fault(
            r#"{"layers": [{"dense": {"w": 1}}]}"#,
            "/layers/0/dense/w",
            "unknown key \"w\"",
        );
        assert_fault(
            r#"{"layers": [{"residual": {"alpha": 1, "branch": []}}]}"#,
            "/layers/0/residual/branch",
            "at least one layer",
        );
        assert_fault(
            r#"{"layers": [{"residual": {"branch": [{"dense": {}}]}}]}"#,
            "/layers/0/residual",
            "missing required key \"alpha\"",
        );
        assert_fault(
            r#"{"layers": [{"residual": {"alpha": 1}}]}"#,
            "/layers/0/residual",
            "missing required key \"branch\"",
        );
        assert_fault(
            r#"{"layers": [{"residual": {"alpha": 1, "branch": [{"dense": {}}, {"dense": {"b_var": -1}}]}}]}"#,
            "/layers/0/residual/branch/1/dense/b_var",
            "b_var must be >= 0, got -1",
        );
    }

    #[test]
    fn activation_faults() {
        let act = |a: &str| format!(r#"{{"layers": [{{"activation": {a}}}]}}"#);
        assert_fault(
            &act(r#""relu""#),
            "/layers/0/activation",
            "expected an activation",
        );
        assert_fault(&act("{}"), "/layers/0/activation", "exactly one key");
        assert_fault(
            &act(r#"{"relu": {}, "gelu": {}}"#),
            "/layers/0/activation",
            "got 2 keys",
        );
        assert_fault(
            &act(r#"{"tanh": {}}"#),
            "/layers/0/activation/tanh",
            "unknown activation \"tanh\"",
        );
        assert_fault(
            &act(r#"{"relu": null}"#),
            "/layers/0/activation/relu",
            "expected the parameters of relu",
        );
        assert_fault(
            &act(r#"{"relu": {"slope": 1}}"#),
            "/layers/0/activation/relu/slope",
            "unknown key \"slope\" in relu (expected: none)",
        );
        assert_fault(
            &act(r#"{"erf": {"a": 1, "b": "x"}}"#),
            "/layers/0/activation/erf/b",
            "expected a number, got \"x\"",
        );
        assert_fault(
            &act(r#"{"leaky_relu": {}}"#),
            "/layers/0/activation/leaky_relu",
            "missing required parameter \"slope\"",
        );
        for bad in ["2.5", "-1", "\"2\"", "2.0", "1e3", "true"] {
            assert_fault(
                &act(&format!(r#"{{"monomial": {{"degree": {bad}}}}}"#)),
                "/layers/0/activation/monomial/degree",
                "expected a non-negative integer degree",
            );
        }
        assert_fault(
            &act(r#"{"rectified_monomial": {"degree": 100000}}"#),
            "/layers/0/activation/rectified_monomial/degree",
            "exceeds",
        );
        assert_fault(
            &act(r#"{"polynomial": {"coef": []}}"#),
            "/layers/0/activation/polynomial/coef",
            "at least one coefficient",
        );
        assert_fault(
            &act(r#"{"polynomial": {"coef": [1, null]}}"#),
            "/layers/0/activation/polynomial/coef/1",
            "expected a number, got null",
        );
    }

    #[test]
    fn json_faults() {
        assert_fault("", "", "invalid JSON");
        assert_fault("{\"layers\": [", "/layers", "invalid JSON");
        assert_fault(
            r#"{"layers": [{"dense": {}}] } x"#,
            "",
            "trailing characters",
        );
        assert_fault(
            r#"{"layers": [{"dense": {"w_var": 1e400}}]}"#,
            "/layers/0/dense/w_var",
            "invalid JSON: number out of range",
        );
        assert_fault(
            r#"{"layers": [{"dense": {"w_var": NaN}}]}"#,
            "/layers/0/dense/w_var",
            "invalid JSON",
        );
        assert_fault(
            r#"{"layers": [{"dense": {"w_var": 1, "w_var": 2}}]}"#,
            "/layers/0/dense/w_var",
            "duplicate key \"w_var\"",
        );
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let (p, m) = fault(&deep);
        assert!(m.contains("deeper than 64"), "{m}");
        assert_eq!(p, "/0".repeat(64));
        // 64 levels are fine (the fault is then about the shape)
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert_fault(&ok, "", "expected a network");
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_fault(r#"{"layers": [], "a/b~c": 1}"#, "/a~1b~0c", "unknown key");
        assert_eq!(
            SpecError::new("/a", "m").render("--net"),
            "--net /a: m".to_owned()
        );
        assert_eq!(
            SpecError::new("", "m").render("--net"),
            "--net: m".to_owned()
        );
    }

    #[test]
    fn describe_truncates_long_strings() {
        let s = "x".repeat(100);
        let d = describe(&Value::String(s));
        assert!(d.len() < 50 && d.ends_with("…\""), "{d}");
    }
}
