//! Readers of the mpmath fixtures in `tests/fixtures/`, shared by the integration tests.

use ntk_sphere::arch::Architecture;
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
