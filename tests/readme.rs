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

/// The README's copy of the default report (`ntk` without arguments) is what the tool prints,
/// and its summary states the caveats with the numbers of the tables above it.
#[cfg(feature = "cli")]
#[test]
fn default_report_is_what_the_readme_prints() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ntk"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = String::from_utf8(out.stdout).unwrap();
    let block = block_after(&readme(), "### Without arguments", "```text");
    assert_eq!(block.strip_prefix("$ ntk\n").unwrap(), report);
    // The test RMSEs of the circle experiment (last column of its MLP and ResNet α=0.1 rows)
    // reappear, rounded, in the summary's caveat.
    let section = &report[report.find("3. The paper's experiment").unwrap()..];
    let rmse = |model: &str| -> f64 {
        let row = section
            .lines()
            .find(|l| l.trim_start().starts_with(model))
            .unwrap();
        row.split_whitespace().last().unwrap().parse().unwrap()
    };
    let (mlp, resnet) = (rmse("MLP"), rmse("ResNet α=0.1"));
    assert!(resnet > mlp, "the caveat is about a worse ResNet fit");
    let caveat = format!("test RMSE on the circle is {resnet:.3} against the MLP's {mlp:.3}");
    assert!(report.contains(&caveat), "summary lacks {caveat:?}");
    assert!(
        report.contains("κ̃(−1+g) = κ̃(−1) − c₋√g"),
        "c₋ is not defined"
    );
    assert!(report.contains("Theorem 1 (MLP) and Theorem 2 (ResNet)"));
}
