//! The default report of `ntk` without arguments: the setting of Tirer, Bruna & Giryes (2021)
//! — a ReLU ResNet with $L = 5$ blocks and $\alpha = 0.1$ against a ReLU MLP with $L = 5$ hidden
//! layers on the circle ($d = 2$, $\sigma_w^2 = \sigma_v^2 = 1$) — with normalized NTK values at a
//! few angles and the slope of each normalized kernel at $\theta = 0^+$.

use std::f64::consts::PI;
use std::io::{self, Write};

use ntk_sphere::{KernelError, KernelKind, Mlp, ResNet, SphereKernel};

/// Step of the finite-difference slope estimate; see [`slope_at_zero`].
const SLOPE_STEP: f64 = 1e-3;

/// The one-sided derivative at $\theta = 0^+$ of the normalized kernel
/// $\tilde\kappa(\theta) = \kappa(\cos\theta)/\kappa(1)$.
///
/// $\tilde\kappa$ is analytic in $\theta$ on $[0, \pi]$ (one-sided at 0), so
/// $g(h) = (\tilde\kappa(h) - 1)/h = s + c_2 h + c_3 h^2 + O(h^3)$, and two Richardson steps on
/// $g(h), g(h/2), g(h/4)$ give $s$ with error $O(h^3)$. With $h = 10^{-3}$ the rounding error of
/// $\tilde\kappa$ (one ulp) contributes about $10^{-13}$. This is a small numerical helper for the
/// report only; the slope belongs in the library's `smoothness` module.
pub fn slope_at_zero(k: &SphereKernel) -> Result<f64, KernelError> {
    let g = |h: f64| -> Result<f64, KernelError> { Ok((k.normalized_angle(h)? - 1.0) / h) };
    let h = SLOPE_STEP;
    let (g1, g2, g4) = (g(h)?, g(h / 2.0)?, g(h / 4.0)?);
    let r1 = 2.0 * g2 - g1;
    let r2 = 2.0 * g4 - g2;
    Ok((4.0 * r2 - r1) / 3.0)
}

/// Depth of both networks in the report.
const DEPTH: usize = 5;
/// Residual scale of the ResNet in the report.
const ALPHA: f64 = 0.1;
/// Ambient dimension of the report (the unit circle).
const DIM: usize = 2;

/// Writes the report.
pub fn write_report<W: Write>(w: &mut W) -> Result<(), ReportError> {
    let mlp = SphereKernel::new(Mlp::new(DEPTH, 1.0)?, KernelKind::Ntk, DIM)?;
    let resnet = SphereKernel::new(ResNet::new(DEPTH, ALPHA, 1.0, 1.0)?, KernelKind::Ntk, DIM)?;
    let angles: [(&str, f64); 6] = [
        ("0", 0.0),
        ("π/8", PI / 8.0),
        ("π/4", PI / 4.0),
        ("π/2", PI / 2.0),
        ("3π/4", 3.0 * PI / 4.0),
        ("π", PI),
    ];

    writeln!(
        w,
        "ntk {} — NTK of ReLU networks on the unit sphere S^(d-1)",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "Setting of Tirer, Bruna & Giryes (2021): d = {DIM} (unit circle), σ_w² = σ_v² = 1, no biases,"
    )?;
    writeln!(
        w,
        "  MLP    with L = {DEPTH} hidden ReLU layers,  d·κ(1) = {:.10}",
        DIM as f64 * mlp.value_at_one()?
    )?;
    writeln!(
        w,
        "  ResNet with L = {DEPTH} residual blocks, α = {ALPHA},  d·κ(1) = {:.10}",
        DIM as f64 * resnet.value_at_one()?
    )?;
    writeln!(w)?;
    writeln!(w, "Normalized NTK κ(cos θ)/κ(1):")?;
    writeln!(
        w,
        "  {:<6} {:>10}  {:>14}  {:>14}",
        "θ", "cos θ", "MLP", "ResNet"
    )?;
    for (label, theta) in angles {
        writeln!(
            w,
            "  {:<6} {:>10.6}  {:>14.10}  {:>14.10}",
            label,
            theta.cos(),
            mlp.normalized_angle(theta)?,
            resnet.normalized_angle(theta)?
        )?;
    }
    writeln!(w)?;
    let s_mlp = slope_at_zero(&mlp)?;
    let s_res = slope_at_zero(&resnet)?;
    writeln!(
        w,
        "Slope of the normalized kernel at θ = 0⁺ (Richardson extrapolation of (κ̃(θ) − 1)/θ):"
    )?;
    writeln!(w, "  MLP     {s_mlp:>14.10}")?;
    writeln!(w, "  ResNet  {s_res:>14.10}")?;
    writeln!(
        w,
        "  The MLP kernel's kink at θ = 0 is {:.1}× steeper: the ResNet kernel is smoother.",
        s_mlp / s_res
    )?;
    writeln!(w)?;
    writeln!(w, "Next steps (JSON on stdout; `ntk <command> --help`):")?;
    writeln!(
        w,
        "  ntk kernel --arch resnet --depth 5 --alpha 0.1 --dim 2 --theta 0,0.7853981633974483 --normalize"
    )?;
    writeln!(
        w,
        "  ntk gram   --arch mlp --depth 5 --input X.csv --output K.npy"
    )?;
    Ok(())
}

/// Failure of the report: a kernel error or an output error.
#[derive(Debug)]
pub enum ReportError {
    /// The library refused an evaluation.
    Kernel(KernelError),
    /// Writing failed.
    Io(io::Error),
}

impl From<KernelError> for ReportError {
    fn from(e: KernelError) -> Self {
        Self::Kernel(e)
    }
}

impl From<ntk_sphere::ArchError> for ReportError {
    fn from(e: ntk_sphere::ArchError) -> Self {
        Self::Kernel(e.into())
    }
}

impl From<io::Error> for ReportError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agreement required between the extrapolated slope and the closed form.
    const SLOPE_TOL: f64 = 1e-9;

    /// The Richardson helper against the closed form of the MLP kink (literature notes §1.4):
    /// the normalized MLP NTK with $L$ hidden layers has slope $-L/(2\pi)$ at $\theta = 0^+$.
    #[test]
    fn slope_of_mlp_matches_closed_form() {
        for depth in [1, 2, 5, 9] {
            let k = SphereKernel::new(Mlp::new(depth, 1.0).unwrap(), KernelKind::Ntk, 3).unwrap();
            let s = slope_at_zero(&k).unwrap();
            let exact = -(depth as f64) / (2.0 * PI);
            assert!((s - exact).abs() < SLOPE_TOL, "L = {depth}: {s} vs {exact}");
        }
    }

    /// A smooth kernel: the linear NTK $\kappa(t) \propto t$ (depth 0) has slope exactly 0.
    #[test]
    fn slope_of_linear_kernel_is_zero() {
        let k = SphereKernel::new(Mlp::new(0, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
        assert!(slope_at_zero(&k).unwrap().abs() < SLOPE_TOL);
    }

    #[test]
    fn report_mentions_both_networks_and_next_steps() {
        let mut out = Vec::new();
        write_report(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for needle in [
            "MLP",
            "ResNet",
            "π/8",
            "3π/4",
            "Slope",
            "ntk kernel",
            "ntk gram",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
    }
}
