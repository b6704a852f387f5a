//! `ntk derive`: derivation documents.

use std::path::Path;

use clap::{Args, ValueEnum};
use ntk_sphere::derivation::{Instance, PAGES, instance_document, regenerate_page};
use ntk_sphere::symbolic::rational::{Rational, simplest_rational};
use ntk_sphere::{Architecture, KernelKind};

use super::{ArchArgs, ArchName, Failure, atomic, parse_count};

/// Output format of `ntk derive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DeriveFormat {
    /// Markdown with LaTeX math ($…$, $$…$$).
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct DeriveArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Ambient dimension D ≥ 1.
    #[arg(long, value_name = "D", value_parser = parse_count, allow_hyphen_values = true,
          default_value = "3")]
    dim: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: DeriveFormat,
    /// Regenerate the generated blocks of every page of docs/derivations in --out (the prose
    /// of a page already there is kept) instead of deriving one instance.
    #[arg(long, requires = "out", conflicts_with_all = ["arch", "depth", "net"])]
    pub(crate) all: bool,
    /// Directory for --all (created if missing; each page replaces its file atomically).
    #[arg(long, value_name = "DIR", requires = "all")]
    out: Option<String>,
}

pub(crate) fn run_derive(args: &DeriveArgs) -> Result<(), Failure> {
    let DeriveFormat::Markdown = args.format;
    if args.all {
        let dir = Path::new(args.out.as_deref().unwrap_or("docs/derivations"));
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", dir.display())))?;
        for (name, template) in PAGES {
            let path = dir.join(name);
            // The page on disk is the source of its prose (a binary built before an edit must
            // not revert it); the built-in template only fills a missing page.
            let page = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => template.to_string(),
                Err(e) => {
                    return Err(Failure::Usage(format!(
                        "cannot read {}: {e}",
                        path.display()
                    )));
                }
            };
            let text = regenerate_page(&page).map_err(|e| Failure::Usage(e.to_string()))?;
            atomic::write_bytes(&path, text.as_bytes())
                .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
        }
        return Ok(());
    }
    let arch_args = &args.arch;
    let arch: Architecture = arch_args.build()?;
    let (label, factor) = match (arch_args.arch, arch_args.depth) {
        (Some(ArchName::Mlp), Some(l)) => (format!("MLP, $L = {l}$"), None),
        (Some(ArchName::Resnet), Some(l)) => {
            let w = simplest_rational(arch_args.sigma_w2.unwrap_or(1.0));
            let v = simplest_rational(arch_args.sigma_v2.unwrap_or(1.0));
            let factor = match (w, v) {
                (Some(w), Some(v)) => Some(Rational::from_integer(2.into()) / (w * v)),
                _ => None,
            };
            (format!("ResNet, $L = {l}$"), factor)
        }
        _ => ("network from --net".to_string(), None),
    };
    let inst = Instance {
        arch,
        kind: arch_args.kind,
        dim: args.dim,
        label,
        symbolic_a_factor: factor,
    };
    let _: KernelKind = inst.kind;
    let doc = instance_document(&inst).map_err(|e| Failure::Usage(e.to_string()))?;
    super::stdout::print_bytes(doc.as_bytes())
}
