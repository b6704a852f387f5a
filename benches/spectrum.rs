//! Mercer spectra to the accuracy goal (relative 1e-9 for every non-zero eigenvalue):
//! d = 10, ResNet L = 10, α = 0.5, all k ≤ 10⁴ (goal ≤ 50 ms); also d = 3 (k ≤ 10⁴) and
//! d = 1000 (k ≤ 200). Compositions: a leaky-ReLU ResNet (slope 0.1, L = 10, α = 0.5:
//! dense, 10 × residual(0.5, [dense, leaky_relu, dense]), dense) at d = 10, k ≤ 10⁴ (goal
//! ≤ 50 ms), and an erf MLP (dense, (erf, dense) × 3) at d = 10, k ≤ 1000 (goal ≤ 50 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use ntk_sphere::activation::Activation;
use ntk_sphere::arch::{Layer, Serial};
use ntk_sphere::spectrum::mercer_spectrum;
use ntk_sphere::{KernelKind, ResNet, SphereKernel};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let resnet = ResNet::new(10, 0.5, 1.0, 1.0).unwrap();
    let mut group = c.benchmark_group("spectrum_resnet_L10_a0.5_ntk");
    group.sample_size(20);
    for (d, kmax) in [(10usize, 10_000usize), (3, 10_000), (1000, 200)] {
        let kernel = SphereKernel::new(resnet, KernelKind::Ntk, d).unwrap();
        group.bench_function(format!("d{d}_k{kmax}"), |b| {
            b.iter(|| mercer_spectrum(black_box(&kernel), kmax, true).unwrap())
        });
    }
    group.finish();
}

fn dense() -> Layer {
    Layer::dense(1.0, 0.0).unwrap()
}

fn bench_compositions(c: &mut Criterion) {
    let mut leaky = vec![dense()];
    for _ in 0..10 {
        let branch = vec![
            dense(),
            Layer::activation(Activation::leaky_relu(0.1).unwrap()),
            dense(),
        ];
        leaky.push(Layer::residual(0.5, branch).unwrap());
    }
    leaky.push(dense());
    let leaky = Serial::new(leaky).unwrap();
    let mut erf = vec![dense()];
    for _ in 0..3 {
        erf.push(Layer::activation(Activation::erf(1.0, 1.0, 0.0).unwrap()));
        erf.push(dense());
    }
    let erf = Serial::new(erf).unwrap();
    let mut group = c.benchmark_group("spectrum_compositions_ntk_d10");
    group.sample_size(10);
    for (name, net, kmax) in [
        ("leaky_resnet_L10", leaky, 10_000usize),
        ("erf_mlp_L3", erf, 1000),
    ] {
        let kernel = SphereKernel::new(net, KernelKind::Ntk, 10).unwrap();
        group.bench_function(format!("{name}_k{kmax}"), |b| {
            b.iter(|| mercer_spectrum(black_box(&kernel), kmax, true).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_compositions);
criterion_main!(benches);
