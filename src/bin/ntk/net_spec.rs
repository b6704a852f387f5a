//! `--net SPEC`: a network written as JSON, `{"layers": [LAYER, …]}`, inline or `@file.json`.
//! The grammar and its parser are the library's ([`ntk_sphere::arch::spec`]); this module reads
//! the option value (inline or `@FILE`) and renders the errors with the option's name.

use std::io::Read;

use ntk_sphere::arch::Serial;
pub use ntk_sphere::arch::spec::{MAX_SPEC_BYTES, SpecError, network, read_json};
use serde_json::Value;

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The JSON text of a `--net` value: the value itself, or the contents of `FILE` for `@FILE`.
fn spec_text(arg: &str, label: &str) -> Result<String, String> {
    let Some(path) = arg.strip_prefix('@') else {
        if arg.len() > MAX_SPEC_BYTES {
            return Err(format!(
                "{label}: the spec has {} bytes, more than the limit of {MAX_SPEC_BYTES}",
                arg.len()
            ));
        }
        return Ok(arg.to_owned());
    };
    let file = std::fs::File::open(path)
        .map_err(|e| format!("{label}: cannot read spec file {}: {e}", quoted(path)))?;
    let mut bytes = Vec::new();
    file.take(MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{label}: cannot read spec file {}: {e}", quoted(path)))?;
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(format!(
            "{label}: spec file {} is larger than the limit of {MAX_SPEC_BYTES} bytes",
            quoted(path)
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("{label}: spec file {} is not UTF-8: {e}", quoted(path)))
}

/// A parsed `--net` value: the JSON document and its network.
#[derive(Debug)]
pub struct NetSpec {
    /// The spec as JSON.
    pub json: Value,
    /// The network.
    pub net: Serial,
}

/// Parses a `--net` value (inline JSON or `@FILE`); errors are one line starting with `label`
/// (and the file name for `@FILE`).
pub fn load(arg: &str, label: &str) -> Result<NetSpec, String> {
    let text = spec_text(arg, label)?;
    let render = |e: SpecError| match arg.strip_prefix('@') {
        None => e.render(label),
        Some(path) if e.pointer.is_empty() => format!("{label} @{path}: {}", e.message),
        Some(path) => format!("{label} @{path}: {}: {}", e.pointer, e.message),
    };
    let json = read_json(&text).map_err(render)?;
    let net = network(&json).map_err(render)?;
    Ok(NetSpec { json, net })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files() {
        let missing = load("@/nonexistent/net.json", "--net").unwrap_err();
        assert!(missing.contains("/nonexistent/net.json"), "{missing}");
        let big = format!(
            "{{\"layers\": [{}{{\"dense\": {{}}}}]}}",
            " ".repeat(MAX_SPEC_BYTES)
        );
        assert!(load(&big, "--net").unwrap_err().contains("limit"));
    }
}
