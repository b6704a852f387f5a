//! Mercer spectra to the accuracy goal (relative 1e-9 for every non-zero eigenvalue):
//! d = 10, ResNet L = 10, α = 0.5, all k ≤ 10⁴ (goal ≤ 50 ms); also d = 3 (k ≤ 10⁴) and
//! d = 1000 (k ≤ 200).

use criterion::{Criterion, criterion_group, criterion_main};
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

criterion_group!(benches, bench);
criterion_main!(benches);
