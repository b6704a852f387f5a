//! `ntk expr`: the kernel as a closed form in t.

use clap::{Args, ValueEnum};
use ntk_sphere::SphereKernel;
use ntk_sphere::symbolic::{Format, kernel_expression, print::print};

use super::{ArchArgs, Failure, parse_count, print_json};

/// Output format of `ntk expr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExprFormat {
    /// The plain grammar: integers, + - * / **, parentheses, sqrt, acos, asin, exp, pi, t.
    Text,
    /// LaTeX math.
    Latex,
}

#[derive(Debug, Args)]
pub(crate) struct ExprArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Ambient dimension D ≥ 1 (the kernel carries the factor 1/D).
    #[arg(long, value_name = "D", value_parser = parse_count, allow_hyphen_values = true)]
    dim: usize,
    /// The normalized kernel κ(t)/κ(1).
    #[arg(long)]
    normalize: bool,
    /// Output format of each expression.
    #[arg(long, value_enum, default_value = "text")]
    format: ExprFormat,
}

pub(crate) fn run_expr(args: &ExprArgs) -> Result<(), Failure> {
    let arch = args.arch.build()?;
    let k = SphereKernel::new(arch, args.arch.kind, args.dim)?;
    let e = kernel_expression(&k, args.normalize).map_err(|e| Failure::Usage(e.to_string()))?;
    let format = match args.format {
        ExprFormat::Text => Format::Text,
        ExprFormat::Latex => Format::Latex,
    };
    let p = print(&e, format);
    let definitions: Vec<serde_json::Value> = p
        .definitions
        .iter()
        .map(|(n, d)| serde_json::json!([n, d]))
        .collect();
    print_json(&serde_json::json!({
        "definitions": definitions,
        "expression": p.expression,
    }))
}
