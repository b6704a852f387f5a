//! Independent check of the analytic NTK recursions against finite-width random networks
//! (docs/design.md §5): the exact empirical NTK of [`FiniteMlp`] / [`FiniteResNet`] converges to
//! [`gram_exact`] like $m^{-1/2}$ (Jacot, Gabriel & Hongler 2018; Arora et al. 2019), and the
//! backward pass agrees with finite differences of the forward pass.

use ntk_sphere::arch::Architecture;
use ntk_sphere::empirical::{EmpiricalError, FiniteMlp, FiniteNetwork, FiniteResNet};
use ntk_sphere::kernel::{Matrix, Points, gram_exact};
use ntk_sphere::{KernelKind, Mlp, ResNet};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

/// Widths of the convergence study.
const WIDTHS: [usize; 4] = [64, 256, 1024, 4096];
/// Number of random networks averaged at width `m`: $4\cdot 4096/m$, so that every width costs
/// about the same (the $m\times m$ sampling dominates) and the small widths are less noisy.
fn seeds_at(width: usize) -> u64 {
    (4 * 4096 / width) as u64
}
/// The fitted slope of $\log(\text{error})$ against $\log m$ must lie in this range (the
/// fluctuations of the empirical NTK are $O(m^{-1/2})$).
const SLOPE_RANGE: (f64, f64) = (-0.65, -0.35);
/// Bound on the mean relative Frobenius error at $m = 4096$ (a numpy sketch of the $L = 3$ MLP
/// gives about 4.5%).
const MAX_ERROR_AT_4096: f64 = 0.08;
/// Agreement of quantities equal in exact arithmetic, computed along different roundings.
const ROUNDING_TOL: f64 = 1e-12;
/// Relative agreement of central finite differences (step [`FD_STEP`]) with the backward pass.
const FD_TOL: f64 = 1e-6;
/// Step of the central finite differences.
const FD_STEP: f64 = 1e-6;

/// `n` points on $S^{d-1}$, i.i.d. uniform, from a fixed seed.
fn sphere_points(n: usize, dim: usize, seed: u64) -> Points {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut data = Vec::with_capacity(n * dim);
    for _ in 0..n {
        let v: Vec<f64> = (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect();
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        data.extend(v.iter().map(|x| x / norm));
    }
    Points::new(data, n, dim).unwrap()
}

fn frobenius_distance(a: &Matrix, b: &Matrix) -> f64 {
    assert_eq!((a.rows, a.cols), (b.rows, b.cols));
    a.data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

fn frobenius_norm(a: &Matrix) -> f64 {
    a.data.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Mean over seeds of $\|\hat\Theta - \Theta\|_F / \|\Theta\|_F$ at width `m`.
fn mean_relative_error(arch: &Architecture, x: &Points, theta: &Matrix, width: usize) -> f64 {
    let seeds = seeds_at(width);
    let total: f64 = (0..seeds)
        .map(|s| {
            let net = FiniteNetwork::sample(arch, x.dim(), width, 1000 + s).unwrap();
            let emp = net.empirical_ntk(x, None).unwrap();
            frobenius_distance(&emp, theta) / frobenius_norm(theta)
        })
        .sum();
    total / seeds as f64
}

/// Least-squares slope of $\log y$ against $\log x$.
fn log_log_slope(x: &[f64], y: &[f64]) -> f64 {
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let n = lx.len() as f64;
    let (mx, my) = (lx.iter().sum::<f64>() / n, ly.iter().sum::<f64>() / n);
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

fn check_convergence(name: &str, arch: Architecture) {
    let x = sphere_points(8, 5, 42);
    let theta = gram_exact(&arch, KernelKind::Ntk, &x, None).unwrap();
    let errors: Vec<f64> = WIDTHS
        .iter()
        .map(|&m| mean_relative_error(&arch, &x, &theta, m))
        .collect();
    let widths: Vec<f64> = WIDTHS.iter().map(|&m| m as f64).collect();
    let slope = log_log_slope(&widths, &errors);
    eprintln!("{name}: widths {WIDTHS:?} mean relative errors {errors:.4?} slope {slope:.3}");
    assert!(
        (SLOPE_RANGE.0..=SLOPE_RANGE.1).contains(&slope),
        "{name}: slope {slope} outside {SLOPE_RANGE:?} (errors {errors:?})"
    );
    let last = errors[errors.len() - 1];
    assert!(
        last < MAX_ERROR_AT_4096,
        "{name}: error {last} at m = 4096 exceeds {MAX_ERROR_AT_4096}"
    );
}

#[test]
fn mlp_depth3_converges_like_inverse_sqrt_width() {
    check_convergence("MLP L=3", Mlp::new(3, 1.0).unwrap().into());
}

#[test]
fn resnet_depth3_alpha_0_1_converges_like_inverse_sqrt_width() {
    check_convergence(
        "ResNet L=3 alpha=0.1",
        ResNet::new(3, 0.1, 1.0, 1.0).unwrap().into(),
    );
}

#[test]
fn resnet_depth3_alpha_1_converges_like_inverse_sqrt_width() {
    check_convergence(
        "ResNet L=3 alpha=1",
        ResNet::new(3, 1.0, 1.0, 1.0).unwrap().into(),
    );
}

/// $L = 0$: $f(x) = w^\top x/\sqrt d + \sigma_b b$ is linear in its parameters, so
/// $\hat\Theta = \Theta_0 = \langle x,y\rangle/d + \sigma_b^2$ exactly at every width and seed.
#[test]
fn linear_mlp_is_exact() {
    let x = sphere_points(6, 4, 1);
    let y = Points::from_rows(&[[0.5, -2.0, 1.0, 3.0], [0.0, 0.0, 0.0, 0.0]]).unwrap();
    for mlp in [
        Mlp::new(0, 1.0).unwrap(),
        Mlp::with_bias(0, 2.0, 0.3).unwrap(),
    ] {
        let arch = Architecture::from(mlp);
        let net = FiniteNetwork::sample(&arch, 4, 3, 9).unwrap();
        let emp = net.empirical_ntk(&x, Some(&y)).unwrap();
        let theta = gram_exact(&arch, KernelKind::Ntk, &x, Some(&y)).unwrap();
        assert!(frobenius_distance(&emp, &theta) < ROUNDING_TOL * frobenius_norm(&theta));
    }
}

/// Small depths, biases and non-unit variances (paths the $L = 3$ study does not exercise)
/// agree with the analytic NTK at a large width.
#[test]
fn shallow_networks_with_biases_and_variances_match_at_large_width() {
    let x = sphere_points(6, 5, 7);
    let archs: [Architecture; 3] = [
        Mlp::with_bias(1, 2.0, 0.5).unwrap().into(),
        Mlp::with_bias(2, 1.5, 0.2).unwrap().into(),
        ResNet::new(1, 0.7, 2.0, 0.5).unwrap().into(),
    ];
    for arch in archs {
        let theta = gram_exact(&arch, KernelKind::Ntk, &x, None).unwrap();
        let err = mean_relative_error(&arch, &x, &theta, 2048);
        eprintln!("{arch:?}: mean relative error {err:.4} at m = 2048");
        assert!(err < MAX_ERROR_AT_4096, "{arch:?}: error {err}");
    }
}

/// Central finite differences of `forward` with respect to every parameter, for all points:
/// `grads[p][i]` $= \partial f(x_i)/\partial p$.
fn finite_difference_gradients(net: &FiniteNetwork, x: &Points) -> Vec<Vec<f64>> {
    let mut net = net.clone();
    let shapes: Vec<(usize, usize)> = net
        .parameters()
        .iter()
        .map(|p| (p.nrows(), p.ncols()))
        .collect();
    let mut grads = Vec::new();
    for (t, &(rows, cols)) in shapes.iter().enumerate() {
        for j in 0..cols {
            for i in 0..rows {
                let orig = net.parameters()[t][(i, j)];
                net.parameters_mut()[t][(i, j)] = orig + FD_STEP;
                let plus = net.forward(x).unwrap();
                net.parameters_mut()[t][(i, j)] = orig - FD_STEP;
                let minus = net.forward(x).unwrap();
                net.parameters_mut()[t][(i, j)] = orig;
                grads.push(
                    plus.iter()
                        .zip(&minus)
                        .map(|(p, m)| (p - m) / (2.0 * FD_STEP))
                        .collect(),
                );
            }
        }
    }
    grads
}

fn check_against_finite_differences(arch: Architecture) {
    let x = sphere_points(4, 5, 3);
    let n = x.len();
    let net = FiniteNetwork::sample(&arch, 5, 8, 11).unwrap();
    let fd = finite_difference_gradients(&net, &x);
    assert_eq!(fd.len(), net.num_parameters());
    // Θ̂(x_i, x_j) = ⟨∇f(x_i), ∇f(x_j)⟩ with finite-difference gradients; the diagonal is
    // the squared norm of the gradient.
    let emp = net.empirical_ntk(&x, None).unwrap();
    for i in 0..n {
        for j in 0..n {
            let want: f64 = fd.iter().map(|g| g[i] * g[j]).sum();
            let scale = (emp.get(i, i) * emp.get(j, j)).sqrt();
            assert!(
                (emp.get(i, j) - want).abs() < FD_TOL * scale,
                "{arch:?}: Θ̂({i},{j}) = {} vs finite differences {want}",
                emp.get(i, j)
            );
        }
    }
    // The per-tensor gradients agree entry by entry with the finite differences.
    for i in 0..n {
        let mut e = vec![0.0; n];
        e[i] = 1.0;
        let grads = net.gradient(&x, &e).unwrap();
        let flat: Vec<f64> = grads
            .iter()
            .flat_map(|g| (0..g.ncols()).flat_map(move |c| (0..g.nrows()).map(move |r| g[(r, c)])))
            .collect();
        let norm = emp.get(i, i).sqrt();
        assert_eq!(flat.len(), fd.len());
        for (p, (a, g)) in flat.iter().zip(&fd).enumerate() {
            assert!(
                (a - g[i]).abs() < FD_TOL * norm,
                "{arch:?}: parameter {p}, point {i}: backward {a} vs finite difference {}",
                g[i]
            );
        }
    }
    // The cross kernel is the off-diagonal block of the joint kernel.
    let y = sphere_points(3, 5, 4);
    let cross = net.empirical_ntk(&x, Some(&y)).unwrap();
    let mut rows: Vec<Vec<f64>> = (0..n).map(|i| x.row(i).to_vec()).collect();
    rows.extend((0..y.len()).map(|j| y.row(j).to_vec()));
    let joint = net
        .empirical_ntk(&Points::from_rows(&rows).unwrap(), None)
        .unwrap();
    for i in 0..n {
        for j in 0..y.len() {
            let diff = (cross.get(i, j) - joint.get(i, n + j)).abs();
            assert!(diff < ROUNDING_TOL * joint.get(i, i).max(joint.get(n + j, n + j)));
        }
    }
}

#[test]
fn mlp_backward_pass_matches_finite_differences() {
    check_against_finite_differences(Mlp::with_bias(3, 1.3, 0.4).unwrap().into());
    check_against_finite_differences(Mlp::new(1, 1.0).unwrap().into());
}

#[test]
fn resnet_backward_pass_matches_finite_differences() {
    check_against_finite_differences(ResNet::new(3, 0.8, 1.5, 0.7).unwrap().into());
}

#[test]
fn invalid_inputs_are_typed_errors() {
    let mlp = Mlp::new(2, 1.0).unwrap();
    let res = ResNet::new(2, 1.0, 1.0, 1.0).unwrap();
    assert_eq!(
        FiniteMlp::sample(&mlp, 3, 0, 1),
        Err(EmpiricalError::ZeroWidth { width: 0 })
    );
    assert_eq!(
        FiniteResNet::sample(&res, 0, 4, 1),
        Err(EmpiricalError::ZeroInputDimension { dim: 0 })
    );
    assert_eq!(
        FiniteResNet::sample(&res, 3, usize::MAX, 1),
        Err(EmpiricalError::TooLarge {
            width: usize::MAX,
            input_dim: 3
        })
    );
    assert_eq!(
        FiniteMlp::sample(&mlp, usize::MAX, 2, 1),
        Err(EmpiricalError::TooLarge {
            width: 2,
            input_dim: usize::MAX
        })
    );
    let x = sphere_points(2, 4, 0);
    let net = FiniteMlp::sample(&mlp, 3, 4, 1).unwrap();
    let mismatch = EmpiricalError::InputDimensionMismatch {
        expected: 3,
        found: 4,
    };
    assert_eq!(net.forward(&x), Err(mismatch.clone()));
    assert_eq!(net.empirical_ntk(&x, None), Err(mismatch.clone()));
    let x3 = sphere_points(2, 3, 0);
    assert_eq!(net.empirical_ntk(&x3, Some(&x)), Err(mismatch));
    assert_eq!(
        net.gradient(&x3, &[1.0]),
        Err(EmpiricalError::CoefficientCountMismatch {
            expected: 2,
            found: 1
        })
    );
    assert_eq!(
        net.gradient(&x3, &[1.0, f64::NAN]).unwrap_err().to_string(),
        "coefficient 1 is not finite: NaN"
    );
}

/// Sampling is reproducible and the seed matters.
#[test]
fn sampling_is_reproducible() {
    let arch = Architecture::from(ResNet::new(2, 0.5, 1.0, 1.0).unwrap());
    let a = FiniteNetwork::sample(&arch, 3, 16, 5).unwrap();
    let b = FiniteNetwork::sample(&arch, 3, 16, 5).unwrap();
    let c = FiniteNetwork::sample(&arch, 3, 16, 6).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}
