//! Readers of the mpmath fixtures in `tests/fixtures/` and reference values from the literature,
//! shared by the integration tests.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

pub mod grammar;

use ntk_sphere::activation::Activation;
use ntk_sphere::arch::{Architecture, Layer, Serial};
use ntk_sphere::scalar::QuadDouble;
use ntk_sphere::{KernelKind, Mlp, ResNet};
use serde_json::Value;

/// The parsed JSON fixture `tests/fixtures/<name>`.
pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The architecture described by a fixture case (`arch`, `depth`, `alpha`, `sigma_*`).
pub fn arch_of(c: &Value) -> Architecture {
    let depth = c["depth"].as_u64().unwrap() as usize;
    let sw = c["sigma_w2"].as_f64().unwrap();
    match c["arch"].as_str().unwrap() {
        "mlp" => Mlp::with_bias(depth, sw, c["sigma_b2"].as_f64().unwrap())
            .unwrap()
            .into(),
        _ => ResNet::new(
            depth,
            c["alpha"].as_f64().unwrap(),
            sw,
            c["sigma_v2"].as_f64().unwrap(),
        )
        .unwrap()
        .into(),
    }
}

/// The kernel kind of a fixture case.
pub fn kind_of(c: &Value) -> KernelKind {
    c["kind"].as_str().unwrap().parse().unwrap()
}

/// A number stored as a decimal string.
pub fn num(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// Mercer eigenvalues μ₀..μ₈ on S² (d = 3) of the 2-layer NTK u κ₀(u) + κ₁(u) (docs/literature.md
/// §7 item 4 and the §2 table): 1/2, 1/3, 5/64, 0, 1/192, 0, 23/16384, 0, 19/32768.
/// Our normalized MLP with L = 1 is this kernel divided by 2.
pub const NTK2_D3_EIGENVALUES: [f64; 9] = [
    0.5,
    1.0 / 3.0,
    5.0 / 64.0,
    0.0,
    1.0 / 192.0,
    0.0,
    23.0 / 16384.0,
    0.0,
    19.0 / 32768.0,
];

/// A decimal string in quad-double (digits accumulated exactly in blocks of 15).
pub fn parse_qd(text: &str) -> QuadDouble {
    let text = text.trim();
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (mant, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap()),
        None => (body, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: String = format!("{int}{frac}");
    let exp10 = exp - frac.len() as i32;
    let mut acc = QuadDouble::from(0.0);
    for chunk in digits.as_bytes().chunks(15) {
        let s = std::str::from_utf8(chunk).unwrap();
        let v: f64 = s.parse().unwrap();
        acc = acc * QuadDouble::from(10f64.powi(chunk.len() as i32)) + QuadDouble::from(v);
    }
    let ten = QuadDouble::from(10.0);
    for _ in 0..exp10.unsigned_abs() {
        acc = if exp10 > 0 { acc * ten } else { acc / ten };
    }
    if neg { -acc } else { acc }
}

/// Deterministic pseudo-random generator (splitmix64) for point clouds from a proptest seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn gauss(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// One block `dense(w, b), φ` per activation, every second block inside a residual block of
/// scale `alpha`, then a `dense(1, 0)` readout.
pub fn composed_network(acts: Vec<Activation>, w: f64, b: f64, alpha: f64) -> Architecture {
    let mut layers = Vec::new();
    for (i, phi) in acts.into_iter().enumerate() {
        let block = vec![Layer::dense(w, b).unwrap(), Layer::activation(phi)];
        if i % 2 == 1 {
            layers.push(Layer::residual(alpha, block).unwrap());
        } else {
            layers.extend(block);
        }
    }
    layers.push(Layer::dense(1.0, 0.0).unwrap());
    Serial::new(layers).unwrap().into()
}
