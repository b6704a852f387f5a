//! Sweep of the Mercer-spectrum driver's own error estimates (issue 4): for every case, the
//! worst estimated relative error over the non-zero eigenvalues, where it occurs and which
//! method produced it.
//!
//! Run with `cargo run --release --example spectrum_accuracy [quick]`.

use ntk_sphere::spectrum::{Method, mercer_spectrum};
use ntk_sphere::{Architecture, KernelKind, Mlp, ResNet, SphereKernel};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quick = std::env::args().any(|a| a == "quick");
    let mut archs: Vec<(String, Architecture)> = Vec::new();
    for depth in [1usize, 10, 50, 100] {
        archs.push((format!("mlp L={depth}"), Mlp::new(depth, 1.0)?.into()));
        for alpha in [0.5, 1.0, 5.0] {
            archs.push((
                format!("resnet L={depth} a={alpha}"),
                ResNet::new(depth, alpha, 1.0, 1.0)?.into(),
            ));
        }
    }
    let mut grid: Vec<(usize, usize)> = [10usize, 20, 30, 50, 80, 100, 200, 1000, 10_000]
        .iter()
        .map(|&d| (d, 200))
        .collect();
    if !quick {
        grid.extend([
            (2usize, 10_000usize),
            (3, 10_000),
            (5, 10_000),
            (10, 10_000),
        ]);
    }
    let mut overall = 0.0f64;
    let mut failing = 0;
    for &(d, kmax) in &grid {
        for (name, arch) in &archs {
            for kind in [KernelKind::Ntk, KernelKind::Nngp] {
                let kernel = SphereKernel::new(arch.clone(), kind, d)?;
                let t0 = Instant::now();
                let s = mercer_spectrum(&kernel, kmax, true)?;
                let ms = t0.elapsed().as_secs_f64() * 1e3;
                let worst = s
                    .eigenvalues
                    .iter()
                    .filter(|e| !e.exact_zero)
                    .max_by(|a, b| a.rel_error.total_cmp(&b.rel_error));
                let Some(w) = worst else { continue };
                let mut counts = [0usize; 4];
                for e in &s.eigenvalues {
                    match e.method {
                        Method::Quadrature => counts[0] += 1,
                        Method::EndpointTail => counts[1] += 1,
                        Method::PowerSeries => counts[2] += 1,
                        Method::QuadDoubleQuadrature => counts[3] += 1,
                        _ => {}
                    }
                }
                overall = overall.max(w.rel_error);
                let flag = if w.rel_error > 1e-9 {
                    failing += 1;
                    "  <-- above 1e-9"
                } else {
                    ""
                };
                println!(
                    "d={d:5} kmax={kmax:5} {name:22} {kind:?}: worst est {:.1e} at k={} ({:?}); \
                     q/t/p/qd = {}/{}/{}/{}; {ms:.0} ms{flag}",
                    w.rel_error, w.k, w.method, counts[0], counts[1], counts[2], counts[3]
                );
            }
        }
    }
    println!("overall worst estimate {overall:.2e}; {failing} cases above 1e-9");
    Ok(())
}
