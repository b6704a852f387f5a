//! `ntk` — the command line of `ntk-sphere` (docs/design.md §4), thin over the library: argument
//! parsing, validation and output formatting only.
//!
//! * `ntk` without arguments prints a short human-readable report (the paper's setting).
//! * `ntk kernel` and `ntk gram` print JSON on stdout (or write a `.npy`/`.csv` matrix).
//! * Every usage or input error exits with status 2 and exactly one line `error: …` on stderr;
//!   so does every failure to write the output (a full disk, a closed stdout or pipe: see
//!   `stdout.rs`). Files are replaced atomically (`atomic.rs`): a failed run leaves the old file.

// The doc comments of the clap types are the --help texts (JSON shapes such as [n,m] are not
// links).
#![allow(rustdoc::broken_intra_doc_links)]

mod atomic;
mod compare;
mod csv;
mod derive;
mod expr;
mod figures;
#[cfg(test)]
mod fuzz;
mod gram;
mod net_spec;
mod npy;
mod progress;
mod report;
mod series;
mod stdout;
mod text;
mod train;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ntk_sphere::spectrum::{SpectrumError, decay, mercer_spectrum};
use ntk_sphere::{ArchError, Architecture, KernelError, KernelKind, Mlp, ResNet, SphereKernel};

/// Neural tangent kernels (NTK) and NNGP kernels of ReLU MLPs and ResNets on the unit sphere,
/// and of any network of dense, activation and residual layers given as a JSON spec (--net).
///
/// Without a command, prints the smoothness report of the paper's setting (NTK, L = 5, MLP
/// against ResNets with α = 0.1, 0.5, 1, 2): the normalized kernels on the circle, their kink
/// coefficients c₊, c₋ and decay constants (with the closed forms of Theorems 1–2), the
/// interpolation experiment on the circle and on S², the depth regimes α = L^(−γ), and a
/// summary with its caveats.
#[derive(Debug, Parser)]
#[command(name = "ntk", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Kernel values κ(u) of two unit vectors of R^D at inner products u (or angles θ).
    ///
    /// Prints {"u":[…],"theta":[…],"value":[…]} with θ = acos(u) or u = cos θ.
    Kernel(KernelArgs),
    /// Gram matrix K(X, Y) of the rows of CSV files (K(X, X) without --input2).
    ///
    /// Prints {"shape":[n,m],"data":[[…],…]}, or writes K to --output (.npy: float64, C order;
    /// .csv: one row per line).
    ///
    /// Limits: a CSV input holds at most 1 GiB, 2^27 numbers and lines of 16 MiB. On stdout the
    /// n×m matrix is held in memory (8·n·m bytes) and refused up front above 2^31 entries
    /// (16 GiB) or above the available memory (MemAvailable). --output files are computed and
    /// written in blocks of B = clamp(2^22/m, 32, 256) rows, so memory stays O(B·m) for any n;
    /// the file replaces its target only when complete.
    Gram(GramArgs),
    /// Mercer eigenvalues μ_k, k = 0..=K, on S^{D−1} (one per spherical harmonic of degree k).
    ///
    /// Prints {"dim":D,"k":[…],"mu":[…],"log_mu":[…],"multiplicity":[…],"log_multiplicity":[…],
    /// "rel_error":[…],"method":[…]} with natural logarithms; mu is 0.0 on underflow (log_mu
    /// still holds it) and an exact zero is mu 0.0 with log_mu null; rel_error is the estimated
    /// relative error of each μ_k and method the way it was computed (quadrature,
    /// quad_double_quadrature, endpoint_tail, power_series, exact_zero).
    Spectrum(SpectrumArgs),
    /// Decay law μ_k ≈ constant_parity · k^exponent as k → ∞, from the endpoint expansions.
    ///
    /// Prints {"class","rate","degree","exponent","constant_even","constant_odd",
    /// "log_constant_even","log_constant_odd","nu","c_plus","c_minus","normalized"}: class is
    /// "polynomial" (an endpoint singularity (1∓t)^nu: exponent = −(D−1+2·nu), μ_k ≈
    /// constant_even·k^exponent for even k and constant_odd·k^exponent for odd k), "geometric"
    /// (analytic kernel: rate is the measured ratio with μ_k ≈ C·rate^k, exponent null) or
    /// "finite" (polynomial kernel: μ_k = 0 beyond degree). c_plus, c_minus: the coefficients
    /// of κ(1−g) = κ(1) − c_plus·g^nu + … and κ(−1+g) = κ(−1) − c_minus·g^nu + … (g the gap
    /// to the end); log_constant_* are natural logarithms of |constant_*| (null for a zero
    /// constant), given also where constant_* is null because it does not fit in a double
    /// (large D: at D = 1000, ln C ≈ 5900).
    Decay(DecayArgs),
    /// Smoothness comparison of the MLP (L hidden layers) and the ResNet (L blocks, α); by
    /// default the paper's setting: NTK, α = 1, σ_w² = σ_v² = 1, σ_b² = 0 (the same options as
    /// the other subcommands' --arch presets).
    ///
    /// Prints {"mlp":{…},"resnet":{…},"interpolation":{…},"setting":{…}}: per kernel c_plus,
    /// c_minus, slope_at_zero, decay_exponent, decay_constant_even, decay_constant_odd and
    /// normalized_kernel {"theta":[…],"value":[…]}; the interpolation object holds the paper's
    /// experiment on the circle (training angles 2π·linspace(0,1,6) − π, target
    /// 0.5 cos x + sin 4x) in this setting.
    ///
    /// With --net BASELINE --net CANDIDATE (JSON specs) instead of --depth and --alpha, compares
    /// two networks: {"baseline":{…},"candidate":{…},"interpolation":{…},"setting":{…}}, the
    /// same fields per kernel (null where the library cannot compute a measure), --kind
    /// selectable.
    Compare(CompareArgs),
    /// The kernel as a closed form in t = ⟨x, y⟩, derived by running the layer recursion on
    /// symbolic expressions.
    ///
    /// Prints {"definitions":[[NAME, EXPR],…],"expression":EXPR}: the kernel exactly as `ntk
    /// kernel` evaluates it (same options, same factor 1/D), each EXPR in t and the names defined
    /// before it. Text format: integers, + - * / **, parentheses, sqrt, acos, asin, exp, pi, t
    /// (parsed alike by SymPy, Python and Maxima); latex: LaTeX math. Parameters are read
    /// exactly as the simplest rational rounding to the given number (--alpha 0.1 is 1/10,
    /// --alpha 1/3 is 1/3). Shared subexpressions longer than 24 characters are printed once, as
    /// definitions u1, u2, … (the fully expanded expression grows like 3^L).
    Expr(expr::ExprArgs),
    /// A derivation document for one network (markdown with LaTeX math): the network, the
    /// kernel recursion and where each term comes from, the sphere and the normalization, the
    /// closed form, the endpoint expansions, c₊, c₋, the decay law with C(d, ν), the first
    /// eigenvalues and the positivity certificate. With --all --out DIR: regenerates every
    /// page of docs/derivations (their generated blocks) into DIR.
    Derive(derive::DeriveArgs),
    /// Expansion of the normalized kernel κ(t)/κ(1) at t = 1, 0 or −1.
    ///
    /// Prints {"variable","definition","normalized":true,"coefficients":[…]}: at t = 1 the
    /// coefficients c_0..c_N of κ(1 − s²)/κ(1) = Σ c_j s^j (variable "s", "s = sqrt(1 - t)"),
    /// at t = −1 the same in s = sqrt(1 + t), at t = 0 the Maclaurin coefficients in t. With
    /// --exact the coefficients are exact expressions as strings in integers, + - * / **,
    /// parentheses, sqrt, acos, asin, exp, pi (and a with --symbolic-a), e.g.
    /// "-sqrt(2)/(2*pi)"; parameters are then read as exact rationals (--alpha 0.1 is 1/10,
    /// --alpha 1/3 is 1/3). Large shared subexpressions (at t = 0 and −1, or with biases) are
    /// named once: the document then has "definitions": [[NAME, EXPR], …], each EXPR using
    /// the names before it, and the coefficients use the names.
    Series(SeriesArgs),
    /// Trains a finite-width network by full-batch gradient descent and tracks its NTK.
    ///
    /// Prints {"lr","lr_max_stable","lambda_max","width","init","steps","loss","ntk_drift",
    /// "ntk_init_error","test_prediction","kernel_prediction","distance_to_kernel_prediction"}:
    /// the loss ½Σ(f(x_i) − y_i)² and the relative drift ‖Θ_t − Θ_0‖_F/‖Θ_0‖_F of the empirical
    /// NTK at the recorded steps, the relative distance of Θ_0 to the analytic NTK, and the
    /// network's test outputs after T steps against the infinite-width prediction
    /// f_T = Θ(x, X) η Σ_{k<T} (I − ηΘ)^k y; on the circle (D = 2) also "derivative_jumps"
    /// {"network","kernel","network_sum","kernel_sum"}: the difference of the one-sided slopes
    /// at scale h = 0.01 at each training point, for the trained network and for f_T (the
    /// --kind option does not apply: training compares with the NTK). With --sweep-widths: {"widths","final_drift"
    /// (per width, per seed),"slope","slope_spread"}, the fitted exponent of drift ∝ m^slope.
    Train(train::TrainArgs),
    /// Writes the SVG figures of the smoothness comparison into a directory.
    ///
    /// Each file replaces its target only when complete (temporary file, fsync, rename).
    Figures(FiguresArgs),
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// Depth L ≥ 1: hidden layers of the MLP and residual blocks of the ResNet.
    #[arg(long, value_name = "L", value_parser = parse_count, allow_hyphen_values = true)]
    depth: Option<usize>,
    /// Residual scale α > 0 of the ResNet (default 1); the interpolation experiment needs
    /// α ≥ 1e-6 (below, the ResNet kernel is linear up to O(α²) and its Gram matrix on the
    /// circle is numerically singular: an error that says so).
    #[arg(long, value_name = "A", value_parser = parse_real, allow_hyphen_values = true)]
    alpha: Option<f64>,
    /// Weight variance σ_w² of both networks (default 1).
    #[arg(long = "sigma-w2", value_name = "S", value_parser = parse_real, allow_hyphen_values = true)]
    sigma_w2: Option<f64>,
    /// Variance σ_v² of the ResNet's second weight matrix (default 1).
    #[arg(long = "sigma-v2", value_name = "S", value_parser = parse_real, allow_hyphen_values = true)]
    sigma_v2: Option<f64>,
    /// Bias variance σ_b² of the MLP (default 0).
    #[arg(long = "sigma-b2", value_name = "S", value_parser = parse_real, allow_hyphen_values = true)]
    sigma_b2: Option<f64>,
    /// Compare two networks from JSON specs instead (given twice: baseline, then candidate;
    /// inline or @FILE, the grammar of `ntk kernel --net`); prints
    /// {"baseline":{…},"candidate":{…},"interpolation":{…},"setting":{…}}.
    #[arg(long, value_name = "SPEC",
          conflicts_with_all = ["depth", "alpha", "sigma_w2", "sigma_v2", "sigma_b2"])]
    net: Vec<String>,
    /// Kernel compared: ntk (default) or nngp.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    kind: Option<KernelKind>,
    /// Ambient dimension D ≥ 2 of the spectral measures (the kink coefficients do not depend
    /// on it).
    #[arg(long, value_name = "D", default_value = "2", value_parser = parse_count, allow_hyphen_values = true)]
    dim: usize,
    /// Number of equally spaced angles in [0, π] of normalized_kernel (≥ 2).
    #[arg(long, value_name = "N", default_value = "181", value_parser = parse_count, allow_hyphen_values = true)]
    angles: usize,
    /// Write the JSON document to FILE (extension .json) instead of stdout. Written
    /// atomically.
    #[arg(long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(Debug, Args)]
struct FiguresArgs {
    /// Output directory (created if missing; not empty); the repository's copies live in
    /// docs/figures.
    #[arg(long, value_name = "DIR")]
    out: String,
    /// Networks to plot instead of the paper's comparison (1 to 6, each inline JSON or @FILE,
    /// the grammar of `ntk kernel --net`): writes kernel_shapes.svg (normalized kernels, d = 3),
    /// eigenvalue_decay.svg (μ_k, d = 3 and 10) and interpolation.svg (the paper's experiment
    /// on the circle).
    #[arg(long, value_name = "SPEC")]
    net: Vec<String>,
    /// Legend labels of the --net networks, in the same order (default "net 1", "net 2", …).
    #[arg(long, value_name = "NAME", requires = "net")]
    label: Vec<String>,
    /// Kernel of the --net figures.
    #[arg(long, value_name = "KIND", value_parser = parse_kind, requires = "net")]
    kind: Option<KernelKind>,
}

fn run_compare(args: &CompareArgs) -> Result<(), Failure> {
    if args.dim < 2 {
        return Err(Failure::Usage(format!(
            "--dim {} is invalid (the sphere S^(d-1) needs d >= 2)",
            args.dim
        )));
    }
    if !args.net.is_empty() {
        let [baseline, candidate] = args.net.as_slice() else {
            return Err(Failure::Usage(format!(
                "compare takes --net twice (baseline, then candidate), got it {} time(s)",
                args.net.len()
            )));
        };
        let a = net_spec::load(baseline, "--net (baseline)").map_err(Failure::Usage)?;
        let b = net_spec::load(candidate, "--net (candidate)").map_err(Failure::Usage)?;
        let kind = args.kind.unwrap_or(KernelKind::Ntk);
        let v = compare::net_comparison([a, b], kind, args.dim, args.angles)?;
        return emit_json(&v, args.output.as_deref());
    }
    let Some(depth) = args.depth else {
        return Err(Failure::Usage(
            "compare needs --depth (and optionally --alpha, --sigma-*), or --net twice".into(),
        ));
    };
    let alpha = args.alpha.unwrap_or(1.0);
    if depth == 0 {
        return Err(Failure::Usage(
            "--depth 0 is invalid (the comparison needs L >= 1)".into(),
        ));
    }
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(Failure::Usage(format!(
            "--alpha {} is invalid (need a finite alpha > 0)",
            text::num(alpha)
        )));
    }
    let setting = compare::Setting {
        depth,
        alpha,
        sigma_w2: args.sigma_w2.unwrap_or(1.0),
        sigma_v2: args.sigma_v2.unwrap_or(1.0),
        sigma_b2: args.sigma_b2.unwrap_or(0.0),
        kind: args.kind.unwrap_or(KernelKind::Ntk),
    };
    let v = compare::comparison(&setting, args.dim, args.angles)?;
    emit_json(&v, args.output.as_deref())
}

/// A JSON document to stdout, or atomically to `output` (which must end in .json).
fn emit_json(v: &serde_json::Value, output: Option<&str>) -> Result<(), Failure> {
    let Some(path) = output else {
        return print_json(v);
    };
    let ext = Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if ext.as_deref() != Some("json") {
        return Err(Failure::Usage(format!(
            "unknown output extension of --output {} (expected .json)",
            text::quoted(path, text::PATH_CHARS)
        )));
    }
    let mut bytes = serde_json::to_vec(v).map_err(|e| Failure::Usage(e.to_string()))?;
    bytes.push(b'\n');
    atomic::write_bytes(Path::new(path), &bytes).map_err(|e| {
        Failure::Usage(format!(
            "cannot write {}: {e}",
            text::quoted(path, text::PATH_CHARS)
        ))
    })
}

fn run_figures(args: &FiguresArgs) -> Result<(), Failure> {
    if args.out.is_empty() {
        return Err(Failure::Usage(
            "--out needs a directory name (got an empty one)".into(),
        ));
    }
    let paths = if args.net.is_empty() {
        figures::write_all(Path::new(&args.out))
    } else {
        if args.net.len() > 6 {
            return Err(Failure::Usage(format!(
                "figures takes at most 6 --net networks, got {}",
                args.net.len()
            )));
        }
        if !args.label.is_empty() && args.label.len() != args.net.len() {
            return Err(Failure::Usage(format!(
                "give one --label per --net ({} --net, {} --label)",
                args.net.len(),
                args.label.len()
            )));
        }
        let mut nets = Vec::new();
        for (i, spec) in args.net.iter().enumerate() {
            let which = format!("--net #{}", i + 1);
            let net = net_spec::load(spec, &which).map_err(Failure::Usage)?.net;
            let label = args
                .label
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("net {}", i + 1));
            nets.push((label, net.into()));
        }
        figures::write_nets(
            Path::new(&args.out),
            &nets,
            args.kind.unwrap_or(KernelKind::Ntk),
        )
    }
    .map_err(Failure::Usage)?;
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    print_json(&serde_json::json!({ "figures": names }))
}

#[derive(Debug, Args)]
struct SpectrumArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Ambient dimension D ≥ 2.
    #[arg(long, value_name = "D", value_parser = parse_count, allow_hyphen_values = true)]
    dim: usize,
    /// Largest degree K.
    #[arg(long, value_name = "K", value_parser = parse_count, allow_hyphen_values = true)]
    kmax: usize,
    /// Eigenvalues of the normalized kernel κ(t)/κ(1).
    #[arg(long)]
    normalize: bool,
    /// Write the result to FILE instead of stdout: .json (the same document) or .csv (header
    /// k,mu,log_mu,multiplicity,log_multiplicity,rel_error,method; empty fields for null).
    /// Written atomically.
    #[arg(long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(Debug, Args)]
struct DecayArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Ambient dimension D ≥ 2.
    #[arg(long, value_name = "D", value_parser = parse_count, allow_hyphen_values = true)]
    dim: usize,
    /// Constants of the normalized kernel κ(t)/κ(1).
    #[arg(long)]
    normalize: bool,
}

/// A finite number as JSON, or null.
use ntk_sphere::smoothness::summary::finite_or_null as json_or_null;

fn print_json(v: &serde_json::Value) -> Result<(), Failure> {
    stdout::print_with(|w| {
        serde_json::to_writer(&mut *w, v).map_err(io::Error::from)?;
        w.write_all(b"\n")
    })
}

fn run_spectrum(args: &SpectrumArgs) -> Result<(), Failure> {
    let arch = args.arch.build()?;
    let k = SphereKernel::new(arch.clone(), args.arch.kind, args.dim)?;
    let sp = mercer_spectrum(&k, args.kmax, args.normalize).map_err(|e| match e {
        SpectrumError::EigenvalueOverflow { k, log10_abs } => Failure::Usage(format!(
            "eigenvalue mu_{k} of magnitude 10^{log10_abs:.1} does not fit in f64; use --normalize"
        )),
        e => Failure::Usage(e.to_string()),
    })?;
    let mu = sp.mu();
    if let Some(i) = mu.iter().position(|m| !m.is_finite()) {
        return Err(Failure::Usage(format!(
            "eigenvalue mu_{i} does not fit in f64 (ln mu = {}); use --normalize",
            sp.log_mu()[i].map_or_else(|| "-inf".to_owned(), text::num)
        )));
    }
    let output = table_output(args.output.as_deref())?;
    let rel_error: Vec<f64> = sp.eigenvalues.iter().map(|e| e.rel_error).collect();
    let method: Vec<&str> = sp.eigenvalues.iter().map(|e| e.method.as_str()).collect();
    if let TableOutput::Csv(path) = output {
        let mut csv = String::from("k,mu,log_mu,multiplicity,log_multiplicity,rel_error,method\n");
        let field = |v: Option<f64>| {
            v.filter(|v| v.is_finite())
                .map_or(String::new(), |v| format!("{v:?}"))
        };
        for e in &sp.eigenvalues {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                e.k,
                field(Some(e.mu)),
                field(e.log_mu),
                field(Some(e.multiplicity)),
                field(Some(e.log_multiplicity)),
                field(Some(e.rel_error)),
                e.method.as_str()
            ));
        }
        return write_file(&path, csv.as_bytes());
    }
    let v = serde_json::json!({
        "dim": args.dim,
        "k": sp.k(),
        "mu": mu,
        "log_mu": sp.log_mu().into_iter().map(|l| l.map_or(serde_json::Value::Null, json_or_null)).collect::<Vec<_>>(),
        "multiplicity": sp.multiplicity().into_iter().map(json_or_null).collect::<Vec<_>>(),
        "log_multiplicity": sp.log_multiplicity().into_iter().map(json_or_null).collect::<Vec<_>>(),
        "rel_error": rel_error.into_iter().map(json_or_null).collect::<Vec<_>>(),
        "method": method,
    });
    match output {
        TableOutput::Json(path) => {
            let mut bytes = serde_json::to_vec(&v).map_err(|e| Failure::Usage(e.to_string()))?;
            bytes.push(b'\n');
            write_file(&path, &bytes)
        }
        _ => print_json(&v),
    }
}

/// Where a command with `--output` writes its result.
enum TableOutput {
    Stdout,
    Json(String),
    Csv(String),
}

/// The `--output` target of a table-like result, by extension (.json or .csv).
fn table_output(path: Option<&str>) -> Result<TableOutput, Failure> {
    let Some(path) = path else {
        return Ok(TableOutput::Stdout);
    };
    match output_extension(path, ["json", "csv"])? {
        "json" => Ok(TableOutput::Json(path.to_owned())),
        _ => Ok(TableOutput::Csv(path.to_owned())),
    }
}

/// The lower-case extension of an `--output` path, if it is one of `allowed`; otherwise a usage
/// error that lists them.
fn output_extension(path: &str, allowed: [&'static str; 2]) -> Result<&'static str, Failure> {
    let ext = std::path::Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    allowed
        .into_iter()
        .find(|&e| ext.as_deref() == Some(e))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "unknown output extension of --output {} (expected .{} or .{})",
                text::quoted(path, text::PATH_CHARS),
                allowed[0],
                allowed[1]
            ))
        })
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
fn write_file(path: &str, bytes: &[u8]) -> Result<(), Failure> {
    atomic::write_bytes(Path::new(path), bytes).map_err(|e| Failure::write(path, &e))
}

fn run_decay(args: &DecayArgs) -> Result<(), Failure> {
    let arch = args.arch.build()?;
    let k = SphereKernel::new(arch.clone(), args.arch.kind, args.dim)?;
    let d = decay(&k, args.normalize).map_err(|e| Failure::Usage(e.to_string()))?;
    let v = serde_json::json!({
        "class": d.class.as_str(),
        "rate": d.rate.map_or(serde_json::Value::Null, json_or_null),
        "degree": d.degree,
        "exponent": json_or_null(d.exponent),
        "constant_even": json_or_null(d.constant_even),
        "constant_odd": json_or_null(d.constant_odd),
        "log_constant_even": d.log_constant_even.map_or(serde_json::Value::Null, json_or_null),
        "log_constant_odd": d.log_constant_odd.map_or(serde_json::Value::Null, json_or_null),
        "nu": json_or_null(d.nu),
        "c_plus": json_or_null(d.c_plus),
        "c_minus": json_or_null(d.c_minus),
        "normalized": d.normalized,
    });
    print_json(&v)
}

/// Network architecture options, shared by every command: a preset (`--arch`, `--depth`, …)
/// or a network from a spec (`--net`).
#[derive(Debug, Args)]
struct ArchArgs {
    /// Architecture preset (or give the network with --net).
    #[arg(long, value_enum)]
    arch: Option<ArchName>,
    /// Depth L: hidden layers of the MLP, residual blocks of the ResNet.
    #[arg(long, value_name = "L", value_parser = parse_count, allow_hyphen_values = true)]
    depth: Option<usize>,
    /// Residual scale α ≥ 0 (ResNet only) [default: 1]; a fraction p/q is accepted.
    #[arg(long, value_name = "A", value_parser = parse_real, allow_hyphen_values = true)]
    alpha: Option<f64>,
    /// Weight variance σ_w² > 0 [default: 1]; a decimal or a fraction p/q.
    #[arg(long = "sigma-w2", value_name = "S", value_parser = parse_real, allow_hyphen_values = true)]
    sigma_w2: Option<f64>,
    /// Residual-branch output variance σ_v² > 0 (ResNet only) [default: 1]; a decimal or a fraction p/q.
    #[arg(long = "sigma-v2", value_name = "S", value_parser = parse_real, allow_hyphen_values = true)]
    sigma_v2: Option<f64>,
    /// Bias variance σ_b² ≥ 0 (MLP only) [default: 0]; a decimal or a fraction p/q.
    #[arg(long = "sigma-b2", value_name = "S", value_parser = parse_real, allow_hyphen_values = true)]
    sigma_b2: Option<f64>,
    /// Network from a JSON spec, inline or @FILE, instead of --arch and its options (see
    /// --help).
    ///
    /// SPEC is {"layers": [LAYER, …]}, LAYER one of {"dense": {"w_var": 1, "b_var": 0}},
    /// {"activation": {NAME: {PARAMS}}} and {"residual": {"alpha": A, "branch": [LAYER, …]}};
    /// NAME: relu, leaky_relu {slope}, abrelu {a, b}, abs, sign, rectified_monomial {degree},
    /// erf {a=1, b=1, c=0}, gelu, sin/cos {a=1, b=1, c=0}, gaussian {a=1, b=-1}, exp {a=1, b=1},
    /// monomial {degree}, polynomial {coef: [c0, c1, …]}, identity (params {} when none).
    #[arg(long, value_name = "SPEC",
          conflicts_with_all = ["arch", "depth", "alpha", "sigma_w2", "sigma_v2", "sigma_b2"])]
    net: Option<String>,
    /// Kernel: neural tangent kernel or NNGP (last-layer Gaussian-process) kernel.
    #[arg(long, value_name = "KIND", default_value = "ntk", value_parser = parse_kind)]
    kind: KernelKind,
}

#[derive(Debug, Args)]
struct SeriesArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Expansion point: 1, 0 or -1.
    #[arg(long, value_name = "T", value_parser = series::parse_point, allow_hyphen_values = true)]
    at: series::Point,
    /// Highest power N (N + 1 coefficients); at most 10000, with --exact at most 24 at t = 1
    /// for bias-free networks and 16 otherwise (and depth × N at most 2000, resp. 128).
    #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    order: usize,
    /// Ambient dimension D ≥ 1 (the normalized kernel of a bias-free network does not depend
    /// on it).
    #[arg(long, value_name = "D", default_value = "1", value_parser = parse_count,
          allow_hyphen_values = true)]
    dim: usize,
    /// Exact coefficients (strings) instead of floating-point numbers.
    #[arg(long)]
    exact: bool,
    /// With --exact, --at 1 and --arch resnet: the coefficients as functions of the symbol
    /// a = α²σ_w²σ_v²/2 (--alpha is then not used).
    #[arg(long = "symbolic-a", requires = "exact")]
    symbolic_a: bool,
}

fn run_series(args: &SeriesArgs) -> Result<(), Failure> {
    let arch = args.arch.build()?;
    let k = SphereKernel::new(arch.clone(), args.arch.kind, args.dim)?;
    let mode = match (args.exact, args.symbolic_a, arch.preset()) {
        (false, _, _) => series::Mode::Float,
        (true, false, _) => series::Mode::Exact,
        (true, true, Some(ntk_sphere::arch::Preset::ResNet(r))) => series::Mode::Symbolic(r),
        (true, true, _) => {
            return Err(Failure::Usage(
                "--symbolic-a needs the ResNet preset (--arch resnet)".into(),
            ));
        }
    };
    let doc = series::run(&k, args.at, args.order, mode).map_err(Failure::Usage)?;
    stdout::print_bytes(format!("{doc}\n").as_bytes())
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ArchName {
    /// ReLU multilayer perceptron.
    Mlp,
    /// ReLU residual network.
    Resnet,
}

#[derive(Debug, Args)]
struct KernelArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Ambient dimension D ≥ 1 (the kernel carries the factor 1/D).
    #[arg(long, value_name = "D", value_parser = parse_count, allow_hyphen_values = true)]
    dim: usize,
    #[command(flatten)]
    points: KernelPoints,
    /// Normalized values κ(u)/κ(1).
    #[arg(long)]
    normalize: bool,
    /// Write the result to FILE instead of stdout: .json (the same document) or .csv (header
    /// u,theta,value). Written atomically.
    #[arg(long, value_name = "FILE")]
    output: Option<String>,
}

/// Where to evaluate the kernel: exactly one of `--u` and `--theta`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct KernelPoints {
    /// Inner products u in [-1, 1], comma-separated (within 4 ulp beyond ±1 taken as ±1).
    #[arg(
        long,
        value_name = "U",
        value_delimiter = ',',
        num_args = 1,
        value_parser = parse_real,
        allow_hyphen_values = true
    )]
    u: Vec<f64>,
    /// Angles θ in [0, π], comma-separated.
    #[arg(
        long,
        value_name = "T",
        value_delimiter = ',',
        num_args = 1,
        value_parser = parse_real,
        allow_hyphen_values = true
    )]
    theta: Vec<f64>,
}

#[derive(Debug, Args)]
struct GramArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// CSV file of points X (one point per row).
    #[arg(long, value_name = "X.csv")]
    input: String,
    /// CSV file of points Y (default: X).
    #[arg(long, value_name = "Y.csv")]
    input2: Option<String>,
    /// Output file, K.npy (float64, C order) or K.csv; JSON on stdout without it.
    #[arg(long, value_name = "FILE")]
    output: Option<String>,
}

/// A non-negative integer, with a message that names the value.
fn parse_count(s: &str) -> Result<usize, String> {
    let t = s.trim();
    match t.parse::<usize>() {
        Ok(v) => Ok(v),
        Err(_) if t.parse::<i128>().is_ok_and(|v| v < 0) => {
            Err("must be a non-negative integer".into())
        }
        Err(e) => Err(format!("not a non-negative integer ({e})")),
    }
}

/// A real number; surrounding spaces are allowed. Range checks are the library's.
/// A decimal number, or a fraction `p/q` of two decimal numbers (read as the double nearest to
/// p/q; the exact subcommands read every parameter as the simplest rational rounding to its
/// double, so `1/3` and `0.1` stand exactly for 1/3 and 1/10).
fn parse_real(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let decimal = |x: &str| -> Result<f64, String> {
        x.trim()
            .parse::<f64>()
            .map_err(|e| format!("not a decimal number or fraction p/q ({e})"))
    };
    match s.split_once('/') {
        None => decimal(s),
        Some((p, q)) => {
            let (p, q) = (decimal(p)?, decimal(q)?);
            if q == 0.0 {
                return Err(format!("the fraction {s} divides by zero"));
            }
            let x = p / q;
            if x.is_finite() {
                Ok(x)
            } else {
                Err(format!("the fraction {s} is not a finite number"))
            }
        }
    }
}

fn parse_kind(s: &str) -> Result<KernelKind, String> {
    s.parse()
}

/// An error to report on one line (exit status 2).
#[derive(Debug)]
enum Failure {
    /// A usage, input or output error.
    Usage(String),
}

impl From<KernelError> for Failure {
    fn from(e: KernelError) -> Self {
        Self::Usage(e.to_string())
    }
}

impl From<ArchError> for Failure {
    fn from(e: ArchError) -> Self {
        Self::Usage(e.to_string())
    }
}

impl Failure {
    /// An I/O error while writing the file `path`.
    fn write(path: &str, e: &io::Error) -> Self {
        Self::Usage(format!("cannot write {}: {e}", text::path(path)))
    }
}

impl ArchArgs {
    /// The architecture; options that do not apply to it are errors.
    fn build(&self) -> Result<Architecture, Failure> {
        if let Some(spec) = &self.net {
            return Ok(net_spec::load(spec, "--net")
                .map_err(Failure::Usage)?
                .net
                .into());
        }
        let (Some(arch), Some(depth)) = (self.arch, self.depth) else {
            return Err(Failure::Usage(
                "give the network with --arch and --depth, or with --net".into(),
            ));
        };
        let not_applicable = |option: &'static str, arch: &'static str| {
            Failure::from(ArchError::OptionNotApplicable { option, arch })
        };
        let sigma_w2 = self.sigma_w2.unwrap_or(1.0);
        Ok(match arch {
            ArchName::Mlp => {
                if self.alpha.is_some() {
                    return Err(not_applicable("--alpha", "mlp"));
                }
                if self.sigma_v2.is_some() {
                    return Err(not_applicable("--sigma-v2", "mlp"));
                }
                Mlp::with_bias(depth, sigma_w2, self.sigma_b2.unwrap_or(0.0))?.into()
            }
            ArchName::Resnet => {
                if self.sigma_b2.is_some() {
                    return Err(not_applicable("--sigma-b2", "resnet"));
                }
                ResNet::new(
                    depth,
                    self.alpha.unwrap_or(1.0),
                    sigma_w2,
                    self.sigma_v2.unwrap_or(1.0),
                )?
                .into()
            }
        })
    }
}

/// Writes one JSON number (shortest round-trip representation).
fn json_number<W: Write + ?Sized>(w: &mut W, v: f64) -> io::Result<()> {
    serde_json::to_writer(&mut *w, &v).map_err(io::Error::from)
}

/// Checks that every entry is finite (the library validates its inputs; this guards the
/// output contract that JSON never holds non-finite numbers).
fn ensure_finite(values: &[f64]) -> Result<(), Failure> {
    match values.iter().find(|v| !v.is_finite()) {
        Some(v) => Err(Failure::Usage(format!("kernel value {v} is not finite"))),
        None => Ok(()),
    }
}

fn run_kernel(args: &KernelArgs) -> Result<(), Failure> {
    let output = table_output(args.output.as_deref())?;
    let arch = args.arch.build()?;
    let k = SphereKernel::new(arch.clone(), args.arch.kind, args.dim)?;
    let KernelPoints { u, theta } = &args.points;
    let (u, theta, value): (Vec<f64>, Vec<f64>, Vec<f64>) = if !u.is_empty() {
        let value = u
            .iter()
            .map(|&u| {
                if args.normalize {
                    k.normalized(u)
                } else {
                    k.eval(u)
                }
            })
            .collect::<Result<_, _>>()?;
        // Every u passed the kernel's check, so inner_product succeeds (±1 within rounding).
        let theta = u
            .iter()
            .map(|&u| ntk_sphere::kernel::inner_product(u).map(f64::acos))
            .collect::<Result<_, _>>()?;
        (u.clone(), theta, value)
    } else {
        let value = theta
            .iter()
            .map(|&t| {
                if args.normalize {
                    k.normalized_angle(t)
                } else {
                    k.eval_angle(t)
                }
            })
            .collect::<Result<_, _>>()?;
        (
            theta.iter().map(|t| t.cos()).collect(),
            theta.clone(),
            value,
        )
    };
    ensure_finite(&value)?;
    match output {
        TableOutput::Stdout => stdout::print_with(|w| write_kernel_json(w, &u, &theta, &value)),
        TableOutput::Json(path) => {
            let mut bytes = Vec::new();
            write_kernel_json(&mut bytes, &u, &theta, &value)
                .map_err(|e| Failure::write(&path, &e))?;
            write_file(&path, &bytes)
        }
        TableOutput::Csv(path) => {
            let mut csv = String::from("u,theta,value\n");
            for ((u, t), v) in u.iter().zip(&theta).zip(&value) {
                csv.push_str(&format!("{u:?},{t:?},{v:?}\n"));
            }
            write_file(&path, csv.as_bytes())
        }
    }
}

/// `{"u":[…],"theta":[…],"value":[…]}` followed by a newline.
fn write_kernel_json<W: Write + ?Sized>(
    w: &mut W,
    u: &[f64],
    theta: &[f64],
    value: &[f64],
) -> io::Result<()> {
    for (i, (key, values)) in [("u", u), ("theta", theta), ("value", value)]
        .into_iter()
        .enumerate()
    {
        w.write_all(if i == 0 { b"{" } else { b"," })?;
        write!(w, "\"{key}\":")?;
        write_json_array(w, values)?;
    }
    w.write_all(b"}\n")
}

/// `[v1,v2,…]`.
fn write_json_array<W: Write + ?Sized>(w: &mut W, values: &[f64]) -> io::Result<()> {
    w.write_all(b"[")?;
    for (j, &v) in values.iter().enumerate() {
        if j > 0 {
            w.write_all(b",")?;
        }
        json_number(w, v)?;
    }
    w.write_all(b"]")
}

/// Output format of `ntk gram`.
enum GramOutput {
    Json,
    Npy(String),
    Csv(String),
}

fn gram_output(path: Option<&str>) -> Result<GramOutput, Failure> {
    let Some(path) = path else {
        return Ok(GramOutput::Json);
    };
    match output_extension(path, ["npy", "csv"])? {
        "npy" => Ok(GramOutput::Npy(path.to_owned())),
        _ => Ok(GramOutput::Csv(path.to_owned())),
    }
}

fn run_gram(args: &GramArgs) -> Result<(), Failure> {
    let arch = args.arch.build()?;
    let output = gram_output(args.output.as_deref())?;
    let x = csv::read_points(&args.input).map_err(Failure::Usage)?;
    let y = match &args.input2 {
        Some(path) => {
            let y = csv::read_points(path).map_err(Failure::Usage)?;
            if y.dim() != x.dim() {
                return Err(Failure::Usage(format!(
                    "dimension mismatch: {} has {} coordinates per point, {} has {}",
                    text::path(path),
                    y.dim(),
                    text::path(&args.input),
                    x.dim()
                )));
            }
            Some(y)
        }
        None => None,
    };
    let kind = args.arch.kind;
    let (path, npy) = match output {
        GramOutput::Json => {
            let spinner = progress::Spinner::start("computing the Gram matrix");
            let data = gram::in_memory(&arch, kind, &x, y.as_ref())?;
            drop(spinner);
            ensure_finite(&data)?;
            let (rows, cols) = (x.len(), y.as_ref().unwrap_or(&x).len());
            return stdout::print_with(|w| {
                write_json_matrix(w, rows, cols, data.chunks_exact(cols))
            });
        }
        GramOutput::Npy(path) => (path, true),
        GramOutput::Csv(path) => (path, false),
    };
    let streamer = gram::Streamer::new(&arch, kind, &x, y.as_ref())?;
    let mut file = atomic::AtomicFile::create(Path::new(&path))
        .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", text::path(&path))))?;
    if npy {
        file.write_all(&npy::header(streamer.rows(), streamer.cols()))
            .map_err(|e| Failure::write(&path, &e))?;
    }
    let cols = streamer.cols();
    let bar = progress::RowBar::new(streamer.rows());
    streamer.run(|block| {
        bar.advance(block.len() / cols.max(1));
        let rows = block.chunks_exact(cols);
        if npy {
            npy::write_rows(&mut file, rows)
        } else {
            write_csv_matrix(&mut file, rows)
        }
        .map_err(|e| Failure::write(&path, &e))
    })?;
    drop(bar);
    // On an error above, dropping `file` removes the temporary file.
    file.commit().map_err(|e| Failure::write(&path, &e))
}

/// `{"shape":[n,m],"data":[[…],…]}` followed by a newline, streamed row by row.
fn write_json_matrix<'a, W: Write + ?Sized>(
    w: &mut W,
    rows: usize,
    cols: usize,
    data: impl Iterator<Item = &'a [f64]>,
) -> io::Result<()> {
    write!(w, "{{\"shape\":[{rows},{cols}],\"data\":[")?;
    for (i, row) in data.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_json_array(w, row)?;
    }
    w.write_all(b"]}\n")
}

/// One matrix row per line, entries separated by commas.
fn write_csv_matrix<'a, W: Write + ?Sized>(
    w: &mut W,
    data: impl Iterator<Item = &'a [f64]>,
) -> io::Result<()> {
    for row in data {
        for (j, &v) in row.iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            json_number(w, v)?;
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

fn run_report() -> Result<(), Failure> {
    // A few kilobytes: composed in memory, so that a library error prints nothing.
    let mut text = Vec::new();
    match report::write_report(&mut text) {
        Ok(()) => stdout::print_bytes(&text),
        Err(report::ReportError::Library(msg)) => Err(Failure::Usage(msg)),
        Err(report::ReportError::Io(e)) => Err(Failure::Usage(format!("cannot write stdout: {e}"))),
    }
}

/// clap's (multi-line) message as one line: its first paragraph, lines joined by spaces,
/// without the leading `error: `.
fn one_line(rendered: &str) -> String {
    let paragraph: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let joined = paragraph.join(" ");
    joined.strip_prefix("error: ").unwrap_or(&joined).to_owned()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            return match stdout::print_bytes(e.render().to_string().as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => report_failure(f),
            };
        }
        Err(e) => {
            eprintln!("error: {}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    // Every command but `gram --output` prints its result: fail before computing it if stdout
    // is closed.
    let prints = !matches!(&cli.command, Some(Command::Gram(a)) if a.output.is_some())
        && !matches!(&cli.command, Some(Command::Spectrum(a)) if a.output.is_some())
        && !matches!(&cli.command, Some(Command::Kernel(a)) if a.output.is_some())
        && !matches!(&cli.command, Some(Command::Compare(a)) if a.output.is_some())
        && !matches!(&cli.command, Some(Command::Derive(a)) if a.all);
    if prints {
        if let Err(f) = stdout::ensure_open() {
            return report_failure(f);
        }
    }
    // A spinner on stderr for work that may take more than a second; drawn only when stderr
    // is a terminal (progress.rs).
    let _spinner = match &cli.command {
        None => Some(progress::Spinner::start("computing the report")),
        Some(Command::Spectrum(_)) => Some(progress::Spinner::start("computing the spectrum")),
        Some(Command::Decay(_)) => Some(progress::Spinner::start("computing the decay law")),
        Some(Command::Compare(_)) => Some(progress::Spinner::start("comparing the kernels")),
        Some(Command::Figures(_)) => Some(progress::Spinner::start("drawing the figures")),
        Some(Command::Series(_)) => Some(progress::Spinner::start("expanding the kernel")),
        Some(Command::Kernel(_) | Command::Gram(_) | Command::Expr(_)) => None,
        Some(Command::Derive(_)) => Some(progress::Spinner::start("deriving")),
        Some(Command::Train(_)) => None,
    };
    let result = match &cli.command {
        None => run_report(),
        Some(Command::Kernel(args)) => run_kernel(args),
        Some(Command::Gram(args)) => run_gram(args),
        Some(Command::Spectrum(args)) => run_spectrum(args),
        Some(Command::Decay(args)) => run_decay(args),
        Some(Command::Compare(args)) => run_compare(args),
        Some(Command::Figures(args)) => run_figures(args),
        Some(Command::Expr(args)) => expr::run_expr(args),
        Some(Command::Derive(args)) => derive::run_derive(args),
        Some(Command::Series(args)) => run_series(args),
        Some(Command::Train(args)) => train::run_train(args),
    };
    drop(_spinner);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report_failure(f),
    }
}

/// Prints the one-line `error: …` and returns exit status 2.
fn report_failure(f: Failure) -> ExitCode {
    let Failure::Usage(msg) = f;
    let msg = msg.replace(['\n', '\r'], " ");
    // stderr may be gone too; there is nowhere else to report that.
    let _ = writeln!(io::stderr(), "error: {msg}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn one_line_takes_the_first_paragraph() {
        let msg = "error: the following required arguments were not provided:\n  --dim <D>\n\n\
                   Usage: ntk kernel --dim <D>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(msg),
            "the following required arguments were not provided: --dim <D>"
        );
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count(" 7 "), Ok(7));
        assert_eq!(
            parse_count("-3"),
            Err("must be a non-negative integer".to_owned())
        );
        assert!(
            parse_count("1.5")
                .unwrap_err()
                .contains("not a non-negative integer")
        );
    }

    #[test]
    fn json_and_csv_matrices() {
        let rows: [&[f64]; 2] = [&[1.0, 0.25], &[-1e-300, 3.0]];
        let mut j = Vec::new();
        write_json_matrix(&mut j, 2, 2, rows.into_iter()).unwrap();
        assert_eq!(
            String::from_utf8(j).unwrap(),
            "{\"shape\":[2,2],\"data\":[[1.0,0.25],[-1e-300,3.0]]}\n"
        );
        let mut c = Vec::new();
        write_csv_matrix(&mut c, rows.into_iter()).unwrap();
        assert_eq!(String::from_utf8(c).unwrap(), "1.0,0.25\n-1e-300,3.0\n");
    }
}
