//! A downstream activation: the softplus $\log(1 + e^x)$, which the crate does not know, given
//! as a closure with its derivative, in a two-hidden-layer network; its kernel, Mercer spectrum
//! and decay on $S^2$. Run with `cargo run --release --example custom_activation`.
//!
//! A closure runs on `f64` only: eigenvalues below about $10^{-15}\kappa(1)$ sit at the floor of
//! `f64` dual maps (they show as noise of either sign, with large estimated errors), and the
//! decay analysis, which needs the endpoint series, reports an error. Implement
//! `DualActivation` generically to get those too.

use ntk_sphere::activation::{Activation, ClosureActivation};
use ntk_sphere::arch::{Architecture, Layer, Serial};
use ntk_sphere::spectrum::{decay, mercer_spectrum};
use ntk_sphere::{KernelKind, SphereKernel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // φ(x) = log(1 + eˣ), φ'(x) = 1/(1 + e⁻ˣ): smooth, so no kinks to declare.
    let softplus = ClosureActivation::new("softplus", |x: f64| x.exp().ln_1p().max(x))
        .with_derivative(|x: f64| 1.0 / (1.0 + (-x).exp()));
    let phi = Activation::closure(softplus);
    let net = Serial::new(vec![
        Layer::dense(1.0, 0.0)?,
        Layer::activation(phi.clone()),
        Layer::dense(2.0, 0.0)?,
        Layer::activation(phi),
        Layer::dense(1.0, 0.0)?,
    ])?;
    let kernel = SphereKernel::new(Architecture::from(net), KernelKind::Ntk, 3)?;

    println!("softplus network NTK on S^2 (d = 3)");
    for t in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        println!("  kappa({t:+.1}) = {:.12}", kernel.eval(t)?);
    }
    let spectrum = mercer_spectrum(&kernel, 20, true)?;
    println!("  normalized Mercer eigenvalues mu_k, k = 0..20:");
    for e in &spectrum.eigenvalues {
        println!("    k = {:2}  mu = {:.6e}", e.k, e.mu);
    }
    match decay(&kernel, true) {
        Ok(d) => println!("  decay: {d:?}"),
        Err(e) => println!("  decay: {e}"),
    }
    Ok(())
}
