//! Quick start (mirrored in the README, checked by `tests/readme.rs`): NTKs of a ReLU MLP and a
//! ReLU ResNet on the circle, normalized values at an angle, and a Gram matrix of arbitrary
//! points.
//!
//! Run with `cargo run --release --example quickstart`.

use std::io::Write;

use ntk_sphere::{KernelKind, Mlp, Points, ResNet, SphereKernel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    quickstart(&mut std::io::stdout())
}

/// Prints the quick start to `out` (`tests/readme.rs` compares it with the README).
pub fn quickstart(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    // The setting of Tirer, Bruna & Giryes (2021): depth L = 5, σ_w² = σ_v² = 1, d = 2.
    let mlp = Mlp::new(5, 1.0)?; // 5 hidden ReLU layers, σ_w² = 1
    let resnet = ResNet::builder(5).alpha(0.1).build()?; // 5 blocks, α = 0.1, σ_w² = σ_v² = 1

    let k_mlp = SphereKernel::new(mlp, KernelKind::Ntk, 2)?;
    let k_res = SphereKernel::new(resnet, KernelKind::Ntk, 2)?;

    // κ(t) for unit vectors at inner product t (the kernels carry the factor 1/d).
    writeln!(out, "MLP    κ(1) = {:.6}", k_mlp.eval(1.0)?)?;
    // Normalized kernel κ(cos θ)/κ(1), evaluated from the angle.
    let theta = std::f64::consts::FRAC_PI_4;
    writeln!(out, "MLP    κ̃(π/4) = {:.6}", k_mlp.normalized_angle(theta)?)?;
    writeln!(out, "ResNet κ̃(π/4) = {:.6}", k_res.normalized_angle(theta)?)?;

    // Gram matrix of arbitrary (not necessarily unit) points: K(x,y) = ‖x‖‖y‖ κ(cos∠(x,y)).
    // Entries are accurate to ~1e-15 relative; 12 significant digits print the same everywhere.
    let x = Points::from_rows(&[[1.0, 0.0], [0.6, 0.8], [0.0, -2.0]])?;
    let k = k_res.gram(&x, None)?;
    for i in 0..k.rows {
        let row: Vec<String> = k.row(i).iter().map(|v| format!("{v:>19.11e}")).collect();
        writeln!(out, "{}", row.join(" "))?;
    }
    Ok(())
}
