//! One full-batch gradient-descent step (forward, backward, update) of the finite-width ResNet
//! with L = 5 blocks, width m = 1024, n = 64 points of S^15 (d = 16): about 6·m²·n·(2L) ≈ 4.0
//! GFLOP in ten m × m matrix products of each kind, against faer's dgemm at the same shape
//! (m × m times m × n) in the same run, sequential and parallel. Run with
//! `cargo bench --bench training -- --measurement-time 20`; the rate is FLOP / time of each
//! line. Measured on the 2-core CI machine (2026-12-03): step 107.5 ms (37.5 GFLOP/s), dgemm
//! 2.35 ms parallel (57.2 GFLOP/s) and 4.95 ms sequential (27.1 GFLOP/s): the step runs at 66%
//! of the parallel dgemm rate.

use criterion::{Criterion, criterion_group, criterion_main};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ntk_sphere::ResNet;
use ntk_sphere::empirical::FiniteNetwork;
use ntk_sphere::regression::uniform_sphere_points;
use ntk_sphere::training::{gradient_step, sphere_target};
use std::hint::black_box;

const M: usize = 1024;
const N: usize = 64;
const D: usize = 16;

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("training");
    group.sample_size(10);
    let arch = ResNet::new(5, 0.5, 1.0, 1.0).unwrap().into();
    let x = uniform_sphere_points(N, D, 1).unwrap();
    let y: Vec<f64> = (0..N).map(|i| sphere_target(x.row(i))).collect();
    let mut net = FiniteNetwork::sample(&arch, D, M, 2).unwrap();
    group.bench_function("gradient_step_resnet_L5_m1024_n64_d16", |b| {
        b.iter(|| gradient_step(&mut net, &x, &y, black_box(1e-6)).unwrap())
    });
    let w = Mat::<f64>::from_fn(M, M, |i, j| ((i * 7 + j * 13) % 17) as f64 - 8.0);
    let a = Mat::<f64>::from_fn(M, N, |i, j| ((i * 5 + j * 3) % 11) as f64 - 5.0);
    let mut out = Mat::<f64>::zeros(M, N);
    group.bench_function("dgemm_1024x1024_by_1024x64_seq", |b| {
        b.iter(|| matmul(&mut out, Accum::Replace, &w, &a, 1.0, Par::Seq))
    });
    group.bench_function("dgemm_1024x1024_by_1024x64_par", |b| {
        b.iter(|| matmul(&mut out, Accum::Replace, &w, &a, 1.0, Par::rayon(0)))
    });
    group.finish();
}

criterion_group!(benches, step);
criterion_main!(benches);
