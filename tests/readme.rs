//! The README's library quick start: its code is `examples/quickstart.rs` verbatim, and its
//! printed output is what that code prints (issue 11, defect 3).

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

/// The lines of the first fenced block of `fence` (e.g. "```rust") after the heading `heading`.
fn block_after(readme: &str, heading: &str, fence: &str) -> String {
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README lacks {heading:?}"));
    let rest = &readme[start..];
    let open = rest
        .find(fence)
        .unwrap_or_else(|| panic!("no {fence} block after {heading:?}"));
    let body = &rest[open + fence.len()..];
    let body = body.strip_prefix('\n').unwrap();
    let close = body.find("\n```").expect("unclosed block");
    body[..close + 1].to_owned()
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn quickstart_code_is_the_example() {
    let code = block_after(&readme(), "## Library quick start", "```rust");
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/quickstart.rs"
    ))
    .unwrap();
    let example: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        code, example,
        "README quick start and examples/quickstart.rs differ"
    );
}

#[test]
fn quickstart_output_is_what_the_readme_prints() {
    let want = block_after(&readme(), "\nOutput:\n", "```text");
    let mut got = Vec::new();
    quickstart::quickstart(&mut got).unwrap();
    assert_eq!(String::from_utf8(got).unwrap(), want);
}
