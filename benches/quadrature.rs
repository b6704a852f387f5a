//! Gauss-rule construction times (goal: each rule <= 50 ms at n = 10^4).
//! Run with `cargo bench --bench quadrature`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ntk_sphere::gegenbauer::{gauss_angle, gauss_legendre, gauss_sphere};
use std::hint::black_box;

fn rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("gauss");
    group.sample_size(20);
    for &n in &[1_000usize, 10_000] {
        group.bench_with_input(BenchmarkId::new("legendre", n), &n, |b, &n| {
            b.iter(|| gauss_legendre(black_box(n)).unwrap())
        });
        for &d in &[3usize, 10, 100] {
            group.bench_with_input(
                BenchmarkId::new(format!("gegenbauer_d{d}"), n),
                &n,
                |b, &n| b.iter(|| gauss_sphere(black_box(n), d).unwrap()),
            );
            group.bench_with_input(BenchmarkId::new(format!("angle_d{d}"), n), &n, |b, &n| {
                b.iter(|| gauss_angle(black_box(n), d).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
