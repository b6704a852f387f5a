//! Quick start (mirrored in the README): NTKs of a ReLU MLP and a ReLU ResNet on the circle,
//! normalized values at an angle, and a Gram matrix of arbitrary points.
//!
//! Run with `cargo run --release --example quickstart`.

use ntk_sphere::kernel::gram;
use ntk_sphere::{Architecture, KernelKind, Mlp, Points, ResNet, SphereKernel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The setting of Tirer, Bruna & Giryes (2021): depth L = 5, σ_w² = σ_v² = 1, d = 2.
    let mlp = Mlp::new(5, 1.0)?; // 5 hidden ReLU layers, σ_w² = 1
    let resnet = ResNet::new(5, 0.1, 1.0, 1.0)?; // 5 blocks, α = 0.1, σ_w² = σ_v² = 1

    let k_mlp = SphereKernel::new(mlp, KernelKind::Ntk, 2)?;
    let k_res = SphereKernel::new(resnet, KernelKind::Ntk, 2)?;

    // κ(t) for unit vectors at inner product t (the kernels carry the factor 1/d).
    println!("MLP    κ(1) = {:.6}", k_mlp.eval(1.0)?);
    // Normalized kernel κ(cos θ)/κ(1), evaluated from the angle.
    let theta = std::f64::consts::FRAC_PI_4;
    println!("MLP    κ̃(π/4) = {:.6}", k_mlp.normalized_angle(theta)?);
    println!("ResNet κ̃(π/4) = {:.6}", k_res.normalized_angle(theta)?);

    // Gram matrix of arbitrary (not necessarily unit) points: K(x,y) = ‖x‖‖y‖ κ(cos∠(x,y)).
    let x = Points::from_rows(&[[1.0, 0.0], [0.6, 0.8], [0.0, -2.0]])?;
    let k = gram(&Architecture::from(resnet), KernelKind::Ntk, &x, None)?;
    for i in 0..k.rows {
        println!("{:?}", k.row(i));
    }
    Ok(())
}
