//! Time per call of the bivariate Gaussian expectations of `activation::quadrature`
//! (goal: <= 50 us for a typical kinked function). Run with
//! `cargo bench --bench activation_quadrature`.

use criterion::{Criterion, criterion_group, criterion_main};
use ntk_sphere::activation::quadrature::{bivariate_expectation, univariate_expectation};
use std::hint::black_box;

fn relu(x: f64) -> f64 {
    x.max(0.0)
}

fn expectations(c: &mut Criterion) {
    let mut group = c.benchmark_group("gaussian_expectation");
    group.bench_function("relu_relu_rho_0.5", |b| {
        b.iter(|| bivariate_expectation(&relu, &relu, &[0.0], black_box(1.0), 1.0, 0.5))
    });
    group.bench_function("relu_relu_rho_1-1e-10", |b| {
        b.iter(|| bivariate_expectation(&relu, &relu, &[0.0], black_box(1.0), 1.0, 1.0 - 1e-10))
    });
    group.bench_function("relu_relu_q_1e4_1", |b| {
        b.iter(|| bivariate_expectation(&relu, &relu, &[0.0], black_box(1e4), 1.0, 50.0))
    });
    group.bench_function("abs_sign_rho_-0.3", |b| {
        b.iter(|| bivariate_expectation(&f64::abs, &f64::signum, &[0.0], black_box(2.0), 0.5, -0.3))
    });
    group.bench_function("tanh_tanh_rho_0.5", |b| {
        b.iter(|| bivariate_expectation(&f64::tanh, &f64::tanh, &[], black_box(1.0), 1.0, 0.5))
    });
    group.bench_function("univariate_relu", |b| {
        b.iter(|| univariate_expectation(&relu, &relu, &[0.0], black_box(1.0)))
    });
    group.finish();
}

criterion_group!(benches, expectations);
criterion_main!(benches);
