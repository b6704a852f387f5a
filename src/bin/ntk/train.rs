//! `ntk train`: full-batch gradient descent on a finite-width network, with the empirical NTK
//! tracked and the predictions compared with the infinite-width kernel
//! (`ntk_sphere::training`); `--sweep-widths` runs the stability experiment over widths.

use clap::{Args, ValueEnum};
use ntk_sphere::training::{
    Initialization, TrainingData, TrainingOptions, circle_data, circle_test_points, sphere_data,
    sweep_widths, train,
};

use super::{ArchArgs, Failure, csv, parse_count, parse_real, print_json, progress};

/// Built-in training sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DataSet {
    /// The paper's 6 angles on the circle with ±π merged (5 points), target ½cos θ + sin 4θ.
    Circle,
    /// Seeded uniform points of S^{D-1} (--points N --dim D), target ½x₁ + sin(4x_D).
    Sphere,
}

#[derive(Debug, Args)]
pub(crate) struct TrainArgs {
    #[command(flatten)]
    arch: ArchArgs,
    /// Hidden width m ≥ 1 (not with --sweep-widths).
    #[arg(long, value_name = "M", value_parser = parse_count, allow_hyphen_values = true)]
    width: Option<usize>,
    /// Number of gradient steps T ≥ 1.
    #[arg(long, value_name = "T", value_parser = parse_count, allow_hyphen_values = true)]
    steps: usize,
    /// Learning rate η > 0 [default: 1/λ_max of the analytic NTK Gram matrix].
    #[arg(long, value_name = "ETA", value_parser = parse_real, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Seed of the initial parameters (and of --data sphere points).
    #[arg(long, value_name = "S", default_value = "0", value_parser = parse_count)]
    seed: usize,
    /// Initialization: symmetric (f = (g₁ − g₂)/√2, f₀ = 0) or standard.
    #[arg(long, value_name = "INIT", default_value = "symmetric", value_parser = parse_init)]
    init: Initialization,
    /// Training inputs, one point per CSV row (with --targets).
    #[arg(
        long,
        value_name = "X.csv",
        requires = "targets",
        conflicts_with = "data"
    )]
    input: Option<String>,
    /// Targets, one number per line (with --input).
    #[arg(long, value_name = "y.csv", requires = "input")]
    targets: Option<String>,
    /// A built-in training set instead of --input/--targets.
    #[arg(long, value_enum)]
    data: Option<DataSet>,
    /// Number of training points of --data sphere.
    #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    points: Option<usize>,
    /// Dimension D of --data sphere (points of S^{D-1}).
    #[arg(long, value_name = "D", value_parser = parse_count, allow_hyphen_values = true)]
    dim: Option<usize>,
    /// Test inputs, one point per CSV row [default: --test-points].
    #[arg(
        long = "test-input",
        value_name = "Xt.csv",
        conflicts_with = "test_points"
    )]
    test_input: Option<String>,
    /// Number of test points: a uniform grid of the circle (--data circle) or seeded uniform
    /// points of the sphere [default: 64].
    #[arg(long = "test-points", value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    test_points: Option<usize>,
    /// Record the loss and the NTK drift every K steps [default: ⌈T/50⌉].
    #[arg(long = "record-every", value_name = "K", value_parser = parse_count, allow_hyphen_values = true)]
    record_every: Option<usize>,
    /// The stability experiment: train at each width (comma-separated, at least two) and fit
    /// the exponent of the final drift against the width.
    #[arg(long = "sweep-widths", value_name = "M1,M2,…", value_delimiter = ',',
          value_parser = parse_count, conflicts_with = "width")]
    sweep_widths: Option<Vec<usize>>,
    /// With --sweep-widths: seeds per width (consecutive from --seed).
    #[arg(long, value_name = "S", default_value = "1", value_parser = parse_count,
          requires = "sweep_widths")]
    seeds: usize,
}

fn parse_init(s: &str) -> Result<Initialization, String> {
    s.parse()
}

/// Reads targets: one finite number per line (blank lines skipped).
fn read_targets(path: &str) -> Result<Vec<f64>, Failure> {
    let p = csv::read_points(path).map_err(Failure::Usage)?;
    if p.dim() != 1 {
        return Err(Failure::Usage(format!(
            "--targets {path}: expected one number per line, got {} columns",
            p.dim()
        )));
    }
    Ok((0..p.len()).map(|i| p.row(i)[0]).collect())
}

fn data(args: &TrainArgs) -> Result<TrainingData, Failure> {
    let usage = |m: &str| Failure::Usage(m.to_owned());
    let test_n = args.test_points.unwrap_or(64);
    let (inputs, targets, default_test) = match (&args.input, args.data) {
        (Some(x), None) => {
            if args.points.is_some() || args.dim.is_some() {
                return Err(usage("--points and --dim apply to --data sphere"));
            }
            let inputs = csv::read_points(x).map_err(Failure::Usage)?;
            let targets = read_targets(args.targets.as_deref().unwrap_or_default())?;
            (inputs, targets, None)
        }
        (None, Some(DataSet::Circle)) => {
            if args.points.is_some() || args.dim.is_some() {
                return Err(usage(
                    "--points and --dim apply to --data sphere (the circle data has 5 points, D = 2)",
                ));
            }
            let (x, y) = circle_data();
            let test = circle_test_points(test_n).map_err(|e| Failure::Usage(e.to_string()))?;
            (x, y, Some(test))
        }
        (None, Some(DataSet::Sphere)) => {
            let (Some(n), Some(d)) = (args.points, args.dim) else {
                return Err(usage("--data sphere needs --points N and --dim D"));
            };
            let (x, y) =
                sphere_data(n, d, args.seed as u64).map_err(|e| Failure::Usage(e.to_string()))?;
            let (t, _) = sphere_data(test_n, d, (args.seed as u64).wrapping_add(1))
                .map_err(|e| Failure::Usage(e.to_string()))?;
            (x, y, Some(t))
        }
        _ => {
            return Err(usage(
                "give the training set: --input X.csv --targets y.csv, or --data circle|sphere",
            ));
        }
    };
    let test = match (&args.test_input, default_test) {
        (Some(path), _) => csv::read_points(path).map_err(Failure::Usage)?,
        (None, Some(t)) => t,
        (None, None) => {
            if args.test_points.is_some() {
                return Err(usage(
                    "--test-points needs --data; with --input give --test-input",
                ));
            }
            inputs.clone()
        }
    };
    Ok(TrainingData {
        inputs,
        targets,
        test,
    })
}

fn vec_json(v: &[f64]) -> serde_json::Value {
    serde_json::Value::from(v.to_vec())
}

pub(crate) fn run_train(args: &TrainArgs) -> Result<(), Failure> {
    if args.arch.kind != ntk_sphere::KernelKind::Ntk {
        return Err(Failure::Usage(
            "--kind does not apply to ntk train (training is compared with the NTK)".into(),
        ));
    }
    let arch = args.arch.build()?;
    let data = data(args)?;
    let options = TrainingOptions {
        width: args.width.unwrap_or(1),
        steps: args.steps,
        learning_rate: args.lr,
        seed: args.seed as u64,
        init: args.init,
        record_every: args.record_every,
    };
    let err = |e: ntk_sphere::training::TrainingError| {
        let msg = e.to_string();
        Failure::Usage(msg.replace("record_every", "--record-every"))
    };
    if let Some(widths) = &args.sweep_widths {
        let bar = progress::StepBar::new(widths.len() * args.seeds, "runs");
        let s = sweep_widths(&arch, &data, widths, args.seeds, &options, &mut |k| {
            bar.set(k)
        })
        .map_err(err)?;
        drop(bar);
        return print_json(&serde_json::json!({
            "widths": s.widths,
            "final_drift": s.final_drift,
            "slope": s.slope,
            "slope_spread": s.slope_spread,
        }));
    }
    if args.width.is_none() {
        return Err(Failure::Usage(
            "give --width M (or --sweep-widths M1,M2,…)".into(),
        ));
    }
    let bar = progress::StepBar::new(args.steps, "steps");
    let r = train(&arch, &data, &options, &mut |k| bar.set(k)).map_err(err)?;
    drop(bar);
    let mut doc = serde_json::json!({
        "lr": r.lr,
        "lr_max_stable": r.lr_max_stable,
        "lambda_max": r.lambda_max,
        "width": options.width,
        "init": match options.init {
            Initialization::Standard => "standard",
            Initialization::Symmetric => "symmetric",
        },
        "steps": r.steps,
        "loss": vec_json(&r.loss),
        "ntk_drift": vec_json(&r.ntk_drift),
        "ntk_init_error": r.ntk_init_error,
        "test_prediction": vec_json(&r.test_prediction),
        "kernel_prediction": vec_json(&r.kernel_prediction),
        "distance_to_kernel_prediction": r.distance_to_kernel_prediction,
    });
    if let Some(j) = &r.derivative_jumps {
        doc["derivative_jumps"] = serde_json::json!({
            "network": vec_json(&j.network),
            "kernel": vec_json(&j.kernel),
            "network_sum": j.network_sum(),
            "kernel_sum": j.kernel_sum(),
        });
    }
    print_json(&doc)
}
