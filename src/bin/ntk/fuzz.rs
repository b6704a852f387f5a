//! Fuzz harnesses of the command line's parsers on stable Rust (no nightly, so no cargo-fuzz):
//! proptest drives the CSV reader, the `--net` JSON reader and the argument parser with
//! arbitrary and grammar-shaped inputs. Each must return a value or an error, never panic, and
//! what it accepts must be valid (finite coordinates, a network whose kernel evaluates to
//! finite values or a typed error).
//!
//! CI runs 1000 cases per harness (about a second). To fuzz longer, set `FUZZ_CASES` and,
//! for fresh inputs, a new seed:
//!
//! ```text
//! FUZZ_CASES=200000 PROPTEST_RNG_SEED=$RANDOM cargo test --release --bin ntk fuzz
//! ```

use clap::Parser;
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{Cli, csv, net_spec};

/// Cases per harness: `FUZZ_CASES` from the environment, else `default`.
fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// CSV-like text: numbers in many spellings, separators, comments, junk.
fn csv_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("0".to_owned()),
        Just("-1.5".to_owned()),
        Just("1e308".to_owned()),
        Just("1e400".to_owned()),
        Just("-0".to_owned()),
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("4.9e-324".to_owned()),
        Just(",".to_owned()),
        Just(", ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("#".to_owned()),
        Just("\"".to_owned()),
        Just(" ".to_owned()),
        Just("\u{0}".to_owned()),
        any::<f64>().prop_map(|x| format!("{x}")),
        "[a-z.+-]{0,4}",
    ];
    proptest::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

/// JSON values shaped like `--net` specs (the grammar's words, wrong types, deep nesting).
fn spec_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("layers"),
        Just("dense"),
        Just("activation"),
        Just("residual"),
        Just("alpha"),
        Just("branch"),
        Just("w_var"),
        Just("b_var"),
        Just("relu"),
        Just("erf"),
        Just("polynomial"),
        Just("coef"),
        Just("degree"),
        Just("rectified_monomial"),
        Just("monomial"),
        Just("slope"),
        Just("leaky_relu"),
        Just("gaussian"),
        Just("exp"),
        Just("a"),
        Just("b"),
        Just("c"),
        Just("sin"),
        Just("x"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(0.0),
            Just(1.0),
            Just(-1.0),
            Just(1e300),
            Just(1e-300),
            Just(40.0),
            Just(1e9),
            -5.0..5.0f64
        ]
        .prop_map(|x| serde_json::json!(x)),
        (0u64..100).prop_map(|n| serde_json::json!(n)),
        Just(serde_json::json!(u64::MAX)),
        "[a-z]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..3).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// Command lines built from the tool's vocabulary.
fn argv() -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        Just("kernel"),
        Just("gram"),
        Just("spectrum"),
        Just("decay"),
        Just("compare"),
        Just("--arch"),
        Just("mlp"),
        Just("resnet"),
        Just("--depth"),
        Just("--alpha"),
        Just("--dim"),
        Just("--kmax"),
        Just("--u"),
        Just("--theta"),
        Just("--kind"),
        Just("nngp"),
        Just("--net"),
        Just("--normalize"),
        Just("--sigma-w2"),
        Just("--sigma-b2"),
        Just("1"),
        Just("-1"),
        Just("0.5,0.25"),
        Just("nan"),
        Just("1e999"),
        Just("18446744073709551616"),
        Just("--"),
        Just("="),
    ];
    proptest::collection::vec(word.prop_map(str::to_owned), 0..8)
}

proptest! {
    #![proptest_config(cases(1000))]

    /// Arbitrary bytes and CSV-shaped text: a `Points` with finite coordinates or an error.
    #[test]
    fn fuzz_csv_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512), text in csv_text()) {
        for input in [bytes.as_slice(), text.as_bytes()] {
            if let Ok(p) = csv::parse_reader("fuzz.csv", input) {
                prop_assert!(!p.is_empty() && p.dim() > 0);
                for i in 0..p.len() {
                    prop_assert!(p.row(i).iter().all(|x| x.is_finite()));
                }
            }
        }
    }

    /// Arbitrary text and spec-shaped JSON: a network or an error with a JSON Pointer; an
    /// accepted network evaluates to finite values or a typed error.
    #[test]
    fn fuzz_net_spec(text in "\\PC{0,64}", value in spec_value()) {
        let _ = net_spec::read_json(&text);
        let wrapped = serde_json::json!({ "layers": [value.clone()] });
        for v in [value, wrapped] {
            match net_spec::network(&v) {
                Ok(net) => {
                    let k = ntk_sphere::SphereKernel::new(net, ntk_sphere::KernelKind::Ntk, 3);
                    if let Ok(k) = k {
                        for t in [-1.0, 0.3, 1.0] {
                            if let Ok(x) = k.eval(t) {
                                prop_assert!(x.is_finite());
                            }
                        }
                    }
                }
                Err(e) => prop_assert!(e.pointer.is_empty() || e.pointer.starts_with('/')),
            }
        }
    }

    /// Arbitrary command lines: parsed or rejected by clap, never a panic.
    #[test]
    fn fuzz_arguments(args in argv()) {
        let _ = Cli::try_parse_from(std::iter::once("ntk".to_owned()).chain(args));
    }
}
