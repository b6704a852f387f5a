//! Gram-matrix benchmarks (issue "Benchmarks"): n = 4000 Gaussian points in d = 16, the ResNet
//! NTK (L = 10, α = 0.1) and the MLP NTK (L = 10), by the fast path `kernel::gram` (table build
//! and allocation included), into a preallocated buffer with a prebuilt table, streamed by
//! 256-row blocks into a reused buffer, and the table construction alone.
//!
//! Reference points on the 2-core development machine: neural-tangents 0.6.5 (JAX, CPU,
//! float64, jit) 2.4–6.6 s for the ResNet matrix, the paper's numpy code 14 s. Measured here
//! (2 cores, shared with other jobs; 2026-11-27): `gram` 69 ms (ResNet) / 67 ms (MLP),
//! prebuilt table into a buffer 39.5 / 39.6 ms, 256-row streaming 61 / 61 ms, table build
//! 1.9 / 1.3 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use ntk_sphere::arch::Architecture;
use ntk_sphere::kernel::{self, GramPlan, GramTable};
use ntk_sphere::{KernelKind, Mlp, Points, ResNet, SphereKernel};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

const N: usize = 4000;
const D: usize = 16;
const DEPTH: usize = 10;

fn points() -> Points {
    let mut rng = StdRng::seed_from_u64(20_210_301);
    let data: Vec<f64> = (0..N * D).map(|_| rng.sample(StandardNormal)).collect();
    Points::new(data, N, D).unwrap()
}

fn bench_gram(c: &mut Criterion) {
    let x = points();
    let archs: [(&str, Architecture); 2] = [
        (
            "resnet_ntk_L10_a0.1",
            ResNet::new(DEPTH, 0.1, 1.0, 1.0).unwrap().into(),
        ),
        ("mlp_ntk_L10", Mlp::new(DEPTH, 1.0).unwrap().into()),
    ];
    let mut group = c.benchmark_group("gram_n4000_d16");
    group.sample_size(10);
    for (name, arch) in &archs {
        group.bench_function(format!("{name}/gram"), |b| {
            b.iter(|| kernel::gram(arch, KernelKind::Ntk, &x, None).unwrap())
        });
        let table =
            GramTable::new(&SphereKernel::new(arch.clone(), KernelKind::Ntk, D).unwrap()).unwrap();
        let mut buf = vec![0.0; N * N];
        group.bench_function(format!("{name}/gram_into_prebuilt_table"), |b| {
            b.iter(|| table.gram_into(&x, None, &mut buf).unwrap())
        });
        let mut block = vec![0.0; 256 * N];
        group.bench_function(format!("{name}/gram_rows_into_256_row_blocks"), |b| {
            b.iter(|| {
                for start in (0..N).step_by(256) {
                    let end = (start + 256).min(N);
                    let out = &mut block[..(end - start) * N];
                    table.gram_rows_into(&x, None, start..end, out).unwrap();
                    std::hint::black_box(&out[0]);
                }
            })
        });
        group.bench_function(format!("{name}/table_build"), |b| {
            b.iter(|| {
                GramTable::new(&SphereKernel::new(arch.clone(), KernelKind::Ntk, D).unwrap())
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// The fast path with biases (issue 11): the MLP NTK of depth 5 with σ_b² = 0.1 on n = 4000
/// normalized Gaussian points of d = 16 (points on the sphere; their computed norms take a few
/// `f64` values within ulps of 1, one table per pair of them), `kernel::gram` with the plan
/// built inside, and the plan alone. The exact path (`gram_exact`, double-double per pair) takes
/// about 31 s for this matrix on the 2-core development machine; neural-tangents 1.4–3 s.
fn bench_gram_biased(c: &mut Criterion) {
    let mut x = points();
    let unit: Vec<f64> = x
        .as_slice()
        .chunks(D)
        .flat_map(|r| {
            let n = r.iter().map(|v| v * v).sum::<f64>().sqrt();
            r.iter().map(move |v| v / n)
        })
        .collect();
    x = Points::new(unit, N, D).unwrap();
    let arch: Architecture = Mlp::with_bias(5, 1.0, 0.1).unwrap().into();
    let kernel = SphereKernel::new(arch.clone(), KernelKind::Ntk, D).unwrap();
    let mut group = c.benchmark_group("gram_n4000_d16_sphere");
    group.sample_size(10);
    group.bench_function("mlp_bias_ntk_L5_b0.1/gram", |b| {
        b.iter(|| kernel::gram(&arch, KernelKind::Ntk, &x, None).unwrap())
    });
    group.bench_function("mlp_bias_ntk_L5_b0.1/plan_build", |b| {
        b.iter(|| GramPlan::new(&kernel, &x, None).unwrap())
    });
    group.finish();
}

/// Biases with all-distinct norms (Gaussian points, no table): the bounded double path (32
/// columns at a time on `scalar::BoundedLanes`) against the exact double-double path, n = 1000,
/// d = 16, MLP NTK L = 5 with σ_b² = 0.1 (all but 0.03% of the entries are accepted by the
/// bound). Measured (2 cores, quiet, 2026-12-04): 133 ms against 1272 ms for `gram_exact`
/// before the AVX2 lane loops (before the lanes: 562 ms, at load 4.9); 4000 points in 1.65 s
/// against 20.4 s, largest difference 5.7e-16 of √(K(x,x)K(y,y)); neural-tangents on the same
/// 4000 points 1.7 s.
fn bench_gram_distinct_norms(c: &mut Criterion) {
    let full = points();
    let x = Points::new(full.as_slice()[..1000 * D].to_vec(), 1000, D).unwrap();
    let arch: Architecture = Mlp::with_bias(5, 1.0, 0.1).unwrap().into();
    let mut group = c.benchmark_group("gram_n1000_d16_gaussian");
    group.sample_size(10);
    group.bench_function("mlp_bias_ntk_L5_b0.1/gram", |b| {
        b.iter(|| kernel::gram(&arch, KernelKind::Ntk, &x, None).unwrap())
    });
    group.bench_function("mlp_bias_ntk_L5_b0.1/gram_exact", |b| {
        b.iter(|| kernel::gram_exact(&arch, KernelKind::Ntk, &x, None).unwrap())
    });
    group.finish();
}

/// Kernel evaluation per point: κ(t) of the paper's ResNet (L = 5, α = 0.1) and the MLP
/// (L = 5) at d = 2, on the double-double path, 1000 inner products per iteration.
fn bench_kernel_eval(c: &mut Criterion) {
    let ts: Vec<f64> = (0..1000).map(|i| -1.0 + 2.0 * i as f64 / 999.0).collect();
    let mut group = c.benchmark_group("kernel_eval_1000_points");
    let kernels = [
        (
            "resnet_L5_a0.1",
            SphereKernel::new(ResNet::new(5, 0.1, 1.0, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap(),
        ),
        (
            "mlp_L5",
            SphereKernel::new(Mlp::new(5, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap(),
        ),
    ];
    for (name, k) in &kernels {
        group.bench_function(*name, |b| {
            b.iter(|| ts.iter().map(|&t| k.eval(t).unwrap()).sum::<f64>())
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_kernel_eval,
    bench_gram,
    bench_gram_biased,
    bench_gram_distinct_norms
);
criterion_main!(benches);
