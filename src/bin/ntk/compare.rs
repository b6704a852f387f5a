//! `ntk compare`: the smoothness comparison of the MLP and the ResNet at one depth and α, as
//! JSON (`{"mlp":{…},"resnet":{…},"interpolation":{…},"setting":{…}}`), or of two networks
//! given by `--net` specs (`{"baseline":{…},"candidate":{…},"interpolation":{…},"setting":{…}}`).

use ntk_sphere::smoothness::summary::{OnRefusal, interpolation_summary, kernel_summary};
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
use serde_json::{Value, json};

use super::Failure;
use super::net_spec::NetSpec;

/// The MLP/ResNet comparison: depth, residual scale, variances and kernel kind (the paper's
/// setting is σ_w² = σ_v² = 1, σ_b² = 0, NTK).
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Hidden layers of the MLP and residual blocks of the ResNet.
    pub depth: usize,
    /// Residual scale α of the ResNet.
    pub alpha: f64,
    /// Weight variance of both networks.
    pub sigma_w2: f64,
    /// Variance of the ResNet's second weight matrix.
    pub sigma_v2: f64,
    /// Bias variance of the MLP.
    pub sigma_b2: f64,
    /// NTK or NNGP kernel.
    pub kind: KernelKind,
}

/// The two kernels compared: MLP with `depth` hidden layers and ResNet with `depth` blocks, on
/// S^{dim−1}.
pub fn kernels(s: &Setting, dim: usize) -> Result<[SphereKernel; 2], Failure> {
    Ok([
        SphereKernel::new(
            Mlp::with_bias(s.depth, s.sigma_w2, s.sigma_b2)?,
            s.kind,
            dim,
        )?,
        SphereKernel::new(
            ResNet::new(s.depth, s.alpha, s.sigma_w2, s.sigma_v2)?,
            s.kind,
            dim,
        )?,
    ])
}

/// The JSON object of one kernel.
fn kernel_object(k: &SphereKernel, angles: usize) -> Result<Value, Failure> {
    kernel_summary(k, angles, OnRefusal::Fail).map_err(|e| Failure::Usage(e.to_string()))
}

/// The comparison of two networks from `--net` specs (baseline first). The measures that the
/// library cannot compute for a network (e.g. kink coefficients of a kernel that is not of the
/// arc-cosine type) are null.
pub fn net_comparison(
    specs: [NetSpec; 2],
    kind: KernelKind,
    dim: usize,
    angles: usize,
) -> Result<Value, Failure> {
    let [a, b] = specs;
    let kernel = |s: &NetSpec, d: usize| SphereKernel::new(s.net.clone(), kind, d);
    let (ka, kb) = (kernel(&a, dim)?, kernel(&b, dim)?);
    let (ca, cb) = (kernel(&a, 2)?, kernel(&b, 2)?);
    Ok(json!({
        "baseline": general_kernel_object(&ka, angles)?,
        "candidate": general_kernel_object(&kb, angles)?,
        "interpolation": {"baseline": interpolation_object(&ca, true)?,
                          "candidate": interpolation_object(&cb, true)?},
        "setting": {"dim": dim, "kind": kind_name(kind), "nets": [a.json, b.json]},
    }))
}

fn kind_name(kind: KernelKind) -> &'static str {
    match kind {
        KernelKind::Ntk => "ntk",
        KernelKind::Nngp => "nngp",
    }
}

/// [`kernel_object`] for any network: the smoothness measures are null where the library
/// refuses them.
fn general_kernel_object(k: &SphereKernel, angles: usize) -> Result<Value, Failure> {
    kernel_summary(k, angles, OnRefusal::Null).map_err(|e| Failure::Usage(e.to_string()))
}

/// The whole comparison.
pub fn comparison(s: &Setting, dim: usize, angles: usize) -> Result<Value, Failure> {
    let [mlp, resnet] = kernels(s, dim)?;
    Ok(json!({
        "mlp": kernel_object(&mlp, angles)?,
        "resnet": kernel_object(&resnet, angles)?,
        "interpolation": interpolation(s)?,
        "setting": {"depth": s.depth, "alpha": s.alpha, "dim": dim, "kind": kind_name(s.kind),
                    "sigma_w2": s.sigma_w2, "sigma_v2": s.sigma_v2, "sigma_b2": s.sigma_b2},
    }))
}

/// The paper's experiment on the circle in this setting (always d = 2): per model the
/// measures of its interpolant.
fn interpolation(s: &Setting) -> Result<Value, Failure> {
    let [mlp, resnet] = kernels(s, 2)?;
    let resnet_object = interpolation_object(&resnet, false).map_err(|Failure::Usage(m)| {
        // The ResNet kernel is t + O(α²) on the circle: for small α its Gram matrix on the
        // experiment's five distinct angles has rank 2 up to O(α²) (measured: fine at α = 1e-6,
        // relative pivot 7e-14 at α = 1e-7).
        Failure::Usage(format!(
            "the interpolation experiment with the ResNet (α = {}): {m}; for small α the \
             ResNet kernel is linear up to O(α²) and its Gram matrix is singular in double \
             precision: use --alpha ≥ {MIN_INTERPOLATION_ALPHA:e}, or --net twice to get nulls",
            ntk_sphere::error::num(s.alpha)
        ))
    })?;
    Ok(json!({"mlp": interpolation_object(&mlp, false)?, "resnet": resnet_object}))
}

/// The smallest residual scale for which the paper's interpolation experiment is supported
/// (stated in `compare --help`; at α = 1e-7 its Gram matrix is numerically singular).
pub const MIN_INTERPOLATION_ALPHA: f64 = 1e-6;

/// The measures of the interpolant of the paper's experiment with kernel `k` (on the circle);
/// with `lenient`, a failed experiment gives nulls instead of an error.
fn interpolation_object(k: &SphereKernel, lenient: bool) -> Result<Value, Failure> {
    let on_refusal = if lenient {
        OnRefusal::Null
    } else {
        OnRefusal::Fail
    };
    interpolation_summary(k, on_refusal).map_err(|e| Failure::Usage(e.to_string()))
}
