//! `ntk figures --out DIR`: the five SVG figures of the smoothness comparison, or with `--net`
//! three figures of the given networks (plotters, SVG
//! backend, no system fonts: the output is byte-for-byte deterministic). Every number plotted
//! is computed here by the library.
//!
//! All figures are rendered in memory first; only then is each file written, atomically
//! (`atomic.rs`), so a failure leaves every old file intact.

use std::f64::consts::{LN_10, PI};
use std::path::{Path, PathBuf};

use ntk_sphere::arch::Architecture;
use ntk_sphere::regression::{paper_experiment, paper_target, paper_training_angles};
use ntk_sphere::series::kink_coefficients;
use ntk_sphere::smoothness::closed_form::DepthRegime;
use ntk_sphere::smoothness::{kernel_smoothness, normalized_profile};
use ntk_sphere::spectrum::mercer_spectrum;
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
use plotters::prelude::*;

use super::{atomic, text};

/// Depth of the paper's setting.
const DEPTH: usize = 5;
/// The residual scales compared in figures 1–2.
const ALPHAS: [f64; 4] = [0.1, 0.5, 1.0, 2.0];
/// Figure size in pixels.
const SIZE: (u32, u32) = (900, 600);

/// A figure-generation failure, as one line.
pub type FigureResult<T> = Result<T, String>;

/// A function drawing one figure into an SVG document.
type Draw<'a> = dyn Fn(&mut String) -> FigureResult<()> + 'a;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn palette(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 6] = [
        RGBColor(0, 0, 0),
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
    ];
    COLORS[i % COLORS.len()]
}

fn mlp(depth: usize, dim: usize) -> FigureResult<SphereKernel> {
    SphereKernel::new(Mlp::new(depth, 1.0).map_err(err)?, KernelKind::Ntk, dim).map_err(err)
}

fn resnet(depth: usize, alpha: f64, dim: usize) -> FigureResult<SphereKernel> {
    SphereKernel::new(
        ResNet::new(depth, alpha, 1.0, 1.0).map_err(err)?,
        KernelKind::Ntk,
        dim,
    )
    .map_err(err)
}

/// The label of a log-axis tick at $10^e$: "10ⁿ" with a superscript exponent when `e` is an
/// integer, else the value in scientific notation.
fn power_of_ten(e: f64) -> String {
    if (e - e.round()).abs() > 1e-9 {
        return format!("{:.1e}", 10f64.powf(e));
    }
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let n = e.round() as i64;
    let mut label = String::from("10");
    if n < 0 {
        label.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        label.push(DIGITS[c as usize - '0' as usize]);
    }
    label
}

/// Log-spaced values from `lo` to `hi` (`n` ≥ 2).
fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

/// One labelled line of a chart.
struct Curve {
    label: String,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    width: u32,
}

impl Curve {
    fn new(label: impl Into<String>, points: Vec<(f64, f64)>, color: RGBColor) -> Self {
        Self {
            label: label.into(),
            points,
            color,
            width: 2,
        }
    }
}

/// Draws the curves with legend entries.
fn draw_curves<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    curves: Vec<Curve>,
) -> FigureResult<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for c in curves {
        let style = c.color.stroke_width(c.width);
        chart
            .draw_series(LineSeries::new(c.points, style))
            .map_err(err)?
            .label(c.label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
    }
    Ok(())
}

/// Draws the legend box at `position`.
fn draw_legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> FigureResult<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(err)
}

/// Writes all figures into `dir` (created if needed) and returns their paths.
pub fn write_all(dir: &Path) -> FigureResult<Vec<PathBuf>> {
    let figures: [(&str, &Draw); 6] = [
        ("kernel_shapes.svg", &kernel_shapes),
        ("eigenvalue_decay.svg", &eigenvalue_decay),
        ("interpolation.svg", &interpolation),
        ("c_plus_depth.svg", &c_plus_depth),
        ("decay_constant_alpha.svg", &decay_constant_alpha),
        ("training_drift.svg", &training_drift),
    ];
    write_figures(dir, &figures)
}

/// Writes the figures of user networks into `dir`: the normalized kernels against θ
/// (`kernel_shapes.svg`, d = 3), their Mercer eigenvalues at d = 3 and 10
/// (`eigenvalue_decay.svg`) and the paper's interpolation experiment on the circle
/// (`interpolation.svg`, d = 2).
pub fn write_nets(
    dir: &Path,
    nets: &[(String, Architecture)],
    kind: KernelKind,
) -> FigureResult<Vec<PathBuf>> {
    let name = match kind {
        KernelKind::Ntk => "NTK",
        KernelKind::Nngp => "NNGP kernel",
    };
    let kernels = |dim: usize| -> FigureResult<Vec<(String, SphereKernel)>> {
        nets.iter()
            .map(|(label, a)| {
                let k =
                    SphereKernel::new(a.clone(), kind, dim).map_err(|e| format!("{label}: {e}"))?;
                Ok((label.clone(), k))
            })
            .collect()
    };
    let shapes = |svg: &mut String| -> FigureResult<()> {
        let caption = format!("Normalized {name} κ(cos θ)/κ(1), d = 3");
        shapes_figure(svg, &caption, &kernels(3)?)
    };
    let spectra = |svg: &mut String| eigenvalue_figure(svg, name, &kernels);
    let fits = |svg: &mut String| -> FigureResult<()> {
        let caption = format!("{name} interpolation of 0.5 cos x + sin 4x on the circle");
        interpolation_figure(svg, &caption, &kernels(2)?)
    };
    let figures: [(&str, &Draw); 3] = [
        ("kernel_shapes.svg", &shapes),
        ("eigenvalue_decay.svg", &spectra),
        ("interpolation.svg", &fits),
    ];
    write_figures(dir, &figures)
}

/// Renders every figure in memory, then writes each atomically into `dir`.
fn write_figures(dir: &Path, figures: &[(&str, &Draw)]) -> FigureResult<Vec<PathBuf>> {
    let shown = |p: &Path| text::path(&p.to_string_lossy());
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", shown(dir)))?;
    let mut rendered = Vec::new();
    for (name, draw) in figures {
        let path = dir.join(name);
        let mut svg = String::new();
        draw(&mut svg).map_err(|e| format!("{}: {e}", shown(&path)))?;
        rendered.push((path, svg));
    }
    let mut paths = Vec::new();
    for (path, svg) in rendered {
        atomic::write_bytes(&path, svg.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", shown(&path)))?;
        paths.push(path);
    }
    Ok(paths)
}

/// (1) The normalized NTK against the angle: MLP and ResNets with several α (L = 5).
fn kernel_shapes(svg: &mut String) -> FigureResult<()> {
    let mut curves = vec![("MLP".to_owned(), mlp(DEPTH, 2)?)];
    for alpha in ALPHAS {
        curves.push((format!("ResNet α = {alpha}"), resnet(DEPTH, alpha, 2)?));
    }
    shapes_figure(
        svg,
        &format!("Normalized NTK κ(cos θ)/κ(1), L = {DEPTH}"),
        &curves,
    )
}

/// The normalized kernels κ(cos θ)/κ(1) of `curves` against θ on one chart.
fn shapes_figure(
    svg: &mut String,
    caption: &str,
    curves: &[(String, SphereKernel)],
) -> FigureResult<()> {
    let mut lines = Vec::new();
    for (i, (label, k)) in curves.iter().enumerate() {
        let p = normalized_profile(k, 361).map_err(err)?;
        lines.push(Curve::new(
            label.as_str(),
            p.theta.into_iter().zip(p.value).collect(),
            palette(i),
        ));
    }
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        // |κ(t)| ≤ κ(1) (Cauchy–Schwarz): the normalized kernel lies in [−1, 1].
        .build_cartesian_2d(0.0..PI, -1.0..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("θ")
        .y_desc("normalized kernel")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    draw_curves(&mut chart, lines)?;
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present().map_err(err)
}

/// (2) Mercer eigenvalues of the normalized kernels, even degrees, log-log, d = 3 and d = 10.
fn eigenvalue_decay(svg: &mut String) -> FigureResult<()> {
    let by_dim = |dim: usize| -> FigureResult<Vec<(String, SphereKernel)>> {
        Ok(vec![
            ("MLP".to_owned(), mlp(DEPTH, dim)?),
            ("ResNet α = 0.1".to_owned(), resnet(DEPTH, 0.1, dim)?),
            ("ResNet α = 1".to_owned(), resnet(DEPTH, 1.0, dim)?),
        ])
    };
    eigenvalue_figure(svg, "NTK", &by_dim)
}

/// Mercer eigenvalues μ_k > 0 of the normalized kernels `by_dim(d)` against k, log-log, for
/// d = 3 and d = 10: even k ≥ 2 (odd k for a kernel whose even eigenvalues all vanish).
fn eigenvalue_figure(
    svg: &mut String,
    kind: &str,
    by_dim: &dyn Fn(usize) -> FigureResult<Vec<(String, SphereKernel)>>,
) -> FigureResult<()> {
    const KMAX: usize = 1000;
    let root = SVGBackend::with_string(svg, (1200, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let panels = root.split_evenly((1, 2));
    for (panel, dim) in panels.iter().zip([3usize, 10]) {
        let mut data = Vec::new();
        let mut parities = Vec::new();
        for (label, k) in by_dim(dim)? {
            let s = mercer_spectrum(&k, KMAX, true).map_err(err)?;
            // log10 μ_k from the logarithm (μ_k of analytic kernels underflow f64).
            let of_parity = |parity: usize| -> Vec<(f64, f64)> {
                s.eigenvalues
                    .iter()
                    .filter(|e| e.k >= 2 && e.k % 2 == parity && e.sign > 0)
                    .filter_map(|e| e.log_mu.map(|l| (e.k as f64, l / LN_10)))
                    .collect()
            };
            let even = of_parity(0);
            let (pts, parity) = if even.is_empty() {
                (of_parity(1), "odd")
            } else {
                (even, "even")
            };
            parities.push(parity);
            data.push((label, pts));
        }
        let (lo, hi) = data
            .iter()
            .flat_map(|(_, p)| p.iter().map(|&(_, m)| m))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
                (lo.min(m), hi.max(m))
            });
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(format!("no positive eigenvalue to plot at d = {dim}"));
        }
        parities.dedup();
        let which = if parities.len() == 1 {
            parities[0]
        } else {
            "even/odd"
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!("μ_k of the normalized {kind}, {which} k, d = {dim}"),
                ("sans-serif", 20),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (2.0..KMAX as f64).log_scale(),
                (lo - 0.3).floor()..(hi + 0.3).ceil(),
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("k")
            .y_desc("μ_k")
            .x_label_formatter(&|v: &f64| power_of_ten(v.log10()))
            .y_label_formatter(&|v| power_of_ten(*v))
            .y_labels(8)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .draw()
            .map_err(err)?;
        let lines = data
            .into_iter()
            .enumerate()
            .map(|(i, (label, pts))| Curve::new(label, pts, palette(i)))
            .collect();
        draw_curves(&mut chart, lines)?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    }
    root.present().map_err(err)
}

/// (3) The paper's interpolation experiment on the circle: target, training points, and the
/// MLP and ResNet (α = 0.1) interpolants.
fn interpolation(svg: &mut String) -> FigureResult<()> {
    let models = [
        ("MLP".to_owned(), mlp(DEPTH, 2)?),
        ("ResNet α = 0.1".to_owned(), resnet(DEPTH, 0.1, 2)?),
    ];
    interpolation_figure(
        svg,
        &format!("Kernel interpolation of 0.5 cos x + sin 4x, L = {DEPTH}"),
        &models,
    )
}

/// The paper's interpolation experiment on the circle with the kernels `models` (d = 2).
fn interpolation_figure(
    svg: &mut String,
    caption: &str,
    models: &[(String, SphereKernel)],
) -> FigureResult<()> {
    let grid: Vec<f64> = (0..=720)
        .map(|i| -PI + 2.0 * PI * i as f64 / 720.0)
        .collect();
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(-PI..PI, -2.0..2.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("f(x)")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    let target = grid.iter().map(|&x| (x, paper_target(x))).collect();
    let mut lines = vec![Curve {
        width: 1,
        ..Curve::new("target", target, palette(0))
    }];
    for (i, (label, k)) in models.iter().enumerate() {
        let exp = paper_experiment(k).map_err(err)?;
        let pred = exp.regressor.predict_angles(&grid).map_err(err)?;
        lines.push(Curve::new(
            label.as_str(),
            grid.iter().copied().zip(pred).collect(),
            palette(i + 1),
        ));
    }
    draw_curves(&mut chart, lines)?;
    let training: Vec<(f64, f64)> = paper_training_angles()
        .into_iter()
        .map(|x| (x, paper_target(x)))
        .collect();
    chart
        .draw_series(
            training
                .into_iter()
                .map(|(x, y)| Circle::new((x, y), 5, palette(4).filled())),
        )
        .map_err(err)?
        .label("training points")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, palette(4).filled()));
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(err)
}

/// (4) c₊ (series computation) against the depth in the three regimes α = L^{−γ}, and the MLP.
fn c_plus_depth(svg: &mut String) -> FigureResult<()> {
    let depths: Vec<usize> = {
        let mut v: Vec<usize> = log_space(1.0, 1e4, 41)
            .into_iter()
            .map(|x| x.round() as usize)
            .collect();
        v.dedup();
        v
    };
    let regimes = [
        ("ResNet α = 1 (γ = 0)", DepthRegime::FixedAlpha(1.0)),
        ("ResNet α = L^(−1/2)", DepthRegime::InverseSqrtDepth),
        ("ResNet α = L^(−1)", DepthRegime::InverseDepth),
    ];
    let mut data: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut mlp_pts = Vec::new();
    for &l in &depths {
        mlp_pts.push((l as f64, kink_coefficients(&mlp(l, 2)?).map_err(err)?.0));
    }
    data.push(("MLP".to_owned(), mlp_pts));
    for (label, regime) in regimes {
        let mut pts = Vec::new();
        for &l in &depths {
            let k = resnet(l, regime.alpha(l), 2)?;
            pts.push((l as f64, kink_coefficients(&k).map_err(err)?.0));
        }
        data.push((label.to_owned(), pts));
    }
    let (lo, hi) = data
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, c)| c))
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), c| {
            (lo.min(c), hi.max(c))
        });
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Kink coefficient c₊ of the normalized NTK against depth",
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .margin_right(40)
        .build_cartesian_2d((1.0..1e4).log_scale(), (lo / 2.0..hi * 2.0).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("depth L")
        .y_desc("c₊")
        .x_label_formatter(&|v: &f64| power_of_ten(v.log10()))
        .y_label_formatter(&|v: &f64| power_of_ten(v.log10()))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    let lines = data
        .into_iter()
        .enumerate()
        .map(|(i, (label, pts))| Curve::new(label, pts, palette(i)))
        .collect();
    draw_curves(&mut chart, lines)?;
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(err)
}

/// (5) The normalized decay constants (even and odd k) of the ResNet (L = 5, d = 3) against α,
/// with the MLP's as horizontal lines.
fn decay_constant_alpha(svg: &mut String) -> FigureResult<()> {
    const DIM: usize = 3;
    let alphas = log_space(1e-2, 1e2, 61);
    // (at d = 3 the constants are of ordinary size; `None` would mean they do not fit in f64)
    let constants = |s: &ntk_sphere::smoothness::KernelSmoothness| {
        s.decay_constant_even
            .zip(s.decay_constant_odd)
            .ok_or_else(|| "a decay constant does not fit in f64".to_owned())
    };
    let (m_even, m_odd) = constants(&kernel_smoothness(&mlp(DEPTH, DIM)?).map_err(err)?)?;
    let (mut even, mut odd) = (Vec::new(), Vec::new());
    for &alpha in &alphas {
        let s = kernel_smoothness(&resnet(DEPTH, alpha, DIM)?).map_err(err)?;
        let (e, o) = constants(&s)?;
        even.push((alpha, e));
        odd.push((alpha, o));
    }
    let lo = even
        .iter()
        .chain(&odd)
        .map(|&(_, c)| c)
        .fold(f64::INFINITY, f64::min);
    let hi = m_even.max(m_odd);
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Decay constants of the normalized NTK, L = {DEPTH}, d = {DIM}"),
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .margin_right(40)
        .build_cartesian_2d((1e-2..1e2).log_scale(), (lo / 2.0..hi * 2.0).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("α")
        .y_desc("μ_k·k^d as k → ∞")
        .x_label_formatter(&|v: &f64| power_of_ten(v.log10()))
        .y_label_formatter(&|v: &f64| power_of_ten(v.log10()))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    let series = [
        ("ResNet, even k".to_owned(), even, palette(1)),
        ("ResNet, odd k".to_owned(), odd, palette(2)),
        (
            "MLP, even k".to_owned(),
            vec![(1e-2, m_even), (1e2, m_even)],
            palette(0),
        ),
        (
            "MLP, odd k".to_owned(),
            vec![(1e-2, m_odd), (1e2, m_odd)],
            palette(4),
        ),
    ];
    let lines = series
        .into_iter()
        .map(|(label, pts, color)| Curve::new(label, pts, color))
        .collect();
    draw_curves(&mut chart, lines)?;
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(err)
}

/// (6) The kernel regime measured: the final relative drift ‖Θ_T − Θ_0‖_F/‖Θ_0‖_F of the
/// empirical NTK after T = 100 gradient steps (widths 16 … 256: a few seconds; the README's
/// experiments go to 1024) on the paper's circle data, against the width
/// (geometric mean over 2 seeds; symmetric initialization, η = 1/λ_max), for the MLP and the
/// ResNet (L = 5), with the m^(−1/2) slope of the theory for reference.
fn training_drift(svg: &mut String) -> FigureResult<()> {
    use ntk_sphere::training::{
        TrainingData, TrainingOptions, circle_data, circle_test_points, sweep_widths,
    };
    const WIDTHS: [usize; 5] = [16, 32, 64, 128, 256];
    let (inputs, targets) = circle_data();
    let data = TrainingData {
        inputs,
        targets,
        test: circle_test_points(8).map_err(err)?,
    };
    let options = TrainingOptions {
        record_every: Some(100),
        ..TrainingOptions::new(1, 100)
    };
    let archs: [(&str, ntk_sphere::Architecture); 3] = [
        ("MLP", Mlp::new(DEPTH, 1.0).map_err(err)?.into()),
        (
            "ResNet α = 1",
            ResNet::new(DEPTH, 1.0, 1.0, 1.0).map_err(err)?.into(),
        ),
        (
            "ResNet α = 0.1",
            ResNet::new(DEPTH, 0.1, 1.0, 1.0).map_err(err)?.into(),
        ),
    ];
    let mut curves = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (i, (label, arch)) in archs.iter().enumerate() {
        let s = sweep_widths(arch, &data, &WIDTHS, 2, &options, &mut |_| {}).map_err(err)?;
        let pts: Vec<(f64, f64)> = s
            .widths
            .iter()
            .zip(&s.final_drift)
            .map(|(&w, d)| {
                let g = (d.iter().map(|v| v.ln()).sum::<f64>() / d.len() as f64).exp();
                (w as f64, g)
            })
            .collect();
        for &(_, d) in &pts {
            lo = lo.min(d);
            hi = hi.max(d);
        }
        curves.push(Curve::new(
            format!("{label} (slope {:.2})", s.slope),
            pts,
            palette(i),
        ));
    }
    // the m^(-1/2) reference through the geometric middle of the data
    let mid = (lo * hi).sqrt();
    let w0 = (WIDTHS[0] as f64 * WIDTHS[4] as f64).sqrt();
    let reference: Vec<(f64, f64)> = [WIDTHS[0] as f64, WIDTHS[4] as f64]
        .iter()
        .map(|&w| (w, mid * (w / w0).powf(-0.5)))
        .collect();
    for &(_, d) in &reference {
        lo = lo.min(d);
        hi = hi.max(d);
    }
    let mut r = Curve::new("m^(−1/2)", reference, RGBColor(120, 120, 120));
    r.width = 1;
    curves.push(r);
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "NTK drift after 100 gradient steps against width (L = 5, circle data)",
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .margin_right(40)
        .build_cartesian_2d(
            (WIDTHS[0] as f64 / 1.2..WIDTHS[4] as f64 * 1.2).log_scale(),
            (lo / 2.0..hi * 2.0).log_scale(),
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("width m")
        .y_desc("‖Θ_T − Θ_0‖_F / ‖Θ_0‖_F")
        .x_label_formatter(&|v: &f64| format!("{}", v.round()))
        .y_label_formatter(&|v: &f64| power_of_ten(v.log10()))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    draw_curves(&mut chart, curves)?;
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    root.present().map_err(err)
}
