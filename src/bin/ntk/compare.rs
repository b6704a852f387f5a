//! `ntk compare`: the smoothness comparison of the MLP and the ResNet at one depth and α, as
//! JSON (`{"mlp":{…},"resnet":{…},"interpolation":{…},"setting":{…}}`).

use ntk_sphere::regression::paper_experiment;
use ntk_sphere::smoothness::{KernelSmoothness, kernel_smoothness, normalized_profile};
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
use serde_json::{Value, json};

use super::{Failure, json_or_null};

/// The two kernels compared: MLP with `depth` hidden layers and ResNet with `depth` blocks and
/// residual scale `alpha` (σ_w² = σ_v² = 1, NTK), on S^{dim−1}.
pub fn kernels(depth: usize, alpha: f64, dim: usize) -> Result<[SphereKernel; 2], Failure> {
    Ok([
        SphereKernel::new(Mlp::new(depth, 1.0)?, KernelKind::Ntk, dim)?,
        SphereKernel::new(ResNet::new(depth, alpha, 1.0, 1.0)?, KernelKind::Ntk, dim)?,
    ])
}

fn smoothness(k: &SphereKernel) -> Result<KernelSmoothness, Failure> {
    kernel_smoothness(k).map_err(|e| Failure::Usage(e.to_string()))
}

/// The JSON object of one kernel.
fn kernel_object(k: &SphereKernel, angles: usize) -> Result<Value, Failure> {
    let s = smoothness(k)?;
    let p = normalized_profile(k, angles).map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(json!({
        "c_plus": json_or_null(s.c_plus),
        "c_minus": json_or_null(s.c_minus),
        "slope_at_zero": json_or_null(s.slope_at_zero),
        "decay_exponent": json_or_null(s.decay_exponent),
        "decay_constant_even": json_or_null(s.decay_constant_even),
        "decay_constant_odd": json_or_null(s.decay_constant_odd),
        "normalized_kernel": {"theta": p.theta, "value": p.value},
    }))
}

/// The whole comparison.
pub fn comparison(depth: usize, alpha: f64, dim: usize, angles: usize) -> Result<Value, Failure> {
    let [mlp, resnet] = kernels(depth, alpha, dim)?;
    Ok(json!({
        "mlp": kernel_object(&mlp, angles)?,
        "resnet": kernel_object(&resnet, angles)?,
        "interpolation": interpolation(depth, alpha)?,
        "setting": {"depth": depth, "alpha": alpha, "dim": dim, "kind": "ntk",
                    "sigma_w2": 1.0, "sigma_v2": 1.0},
    }))
}

/// The paper's experiment on the circle at this depth and α (always d = 2): per model the
/// measures of its interpolant.
fn interpolation(depth: usize, alpha: f64) -> Result<Value, Failure> {
    let [mlp, resnet] = kernels(depth, alpha, 2)?;
    let object = |k: &SphereKernel| -> Result<Value, Failure> {
        let e = paper_experiment(k).map_err(|e| Failure::Usage(e.to_string()))?;
        Ok(json!({
            "derivative_jump_sum": json_or_null(e.derivative_jump_sum),
            "rkhs_norm": json_or_null(e.rkhs_norm),
            "h1_seminorm": json_or_null(e.h1_seminorm.value),
            "max_abs_derivative": json_or_null(e.max_abs_derivative),
            "test_rmse": json_or_null(e.test_rmse),
        }))
    };
    Ok(json!({"mlp": object(&mlp)?, "resnet": object(&resnet)?}))
}
