//! The finite-width network of a general layer composition ([`FiniteComposed`]): its backward
//! pass against central finite differences, its empirical NTK against the Gram matrix of the
//! flattened parameter gradients, the presets' layers against the hand-written
//! [`FiniteMlp`] / [`FiniteResNet`], convergence to the analytic NTK like $m^{-1/2}$
//! (Jacot, Gabriel & Hongler 2018; Arora et al. 2019), and the typed errors.

use ntk_sphere::activation::{Activation, ClosureActivation};
use ntk_sphere::arch::{Architecture, CovState, KernelLayer, Layer, Serial};
use ntk_sphere::empirical::{
    EmpiricalError, FiniteComposed, FiniteMlp, FiniteNetwork, FiniteResNet, MAX_PARAMETERS,
    MAX_TAPE_ENTRIES,
};
use ntk_sphere::kernel::{Matrix, Points, gram};
use ntk_sphere::scalar::KernelScalar;
use ntk_sphere::{KernelKind, Mlp, ResNet, SphereKernel};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

/// Widths of the convergence study.
const WIDTHS: [usize; 3] = [64, 256, 1024];
/// Number of random networks averaged at width `m`: $8\cdot1024/m$, so that every width costs
/// about the same (the $m\times m$ sampling dominates) and the small widths are less noisy.
fn seeds_at(width: usize) -> u64 {
    (8 * 1024 / width) as u64
}
/// The fitted slope of $\log(\text{error})$ against $\log m$ must lie in this range (the
/// fluctuations of the empirical NTK are $O(m^{-1/2})$).
const SLOPE_RANGE: (f64, f64) = (-0.75, -0.3);
/// Bound on the mean relative Frobenius error at $m = 1024$.
const MAX_ERROR_AT_1024: f64 = 0.1;
/// Relative agreement of central finite differences (step [`FD_STEP`]) with the backward pass.
const FD_TOL: f64 = 1e-6;
/// Step of the central finite differences.
const FD_STEP: f64 = 1e-6;
/// Agreement of quantities equal in exact arithmetic, computed along different roundings.
const ROUNDING_TOL: f64 = 1e-12;
/// Cases of each property test.
const CASES: u32 = 24;

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

fn serial(layers: Vec<Layer>) -> Architecture {
    Architecture::from(Serial::new(layers).unwrap())
}

fn dense(w: f64, b: f64) -> Layer {
    Layer::dense(w, b).unwrap()
}

fn act(a: Activation) -> Layer {
    Layer::activation(a)
}

/// $\tanh$ as a closure activation with its exact derivative.
fn tanh() -> Activation {
    Activation::closure(
        ClosureActivation::new("tanh", f64::tanh).with_derivative(|x: f64| {
            let c = x.cosh();
            1.0 / (c * c)
        }),
    )
}

/// The smooth activations of the gradient checks.
fn smooth_activation(k: usize) -> Activation {
    match k % 4 {
        0 => Activation::erf(1.0, 1.0, 0.0).unwrap(),
        1 => Activation::gelu(),
        2 => tanh(),
        _ => Activation::erf(0.7, 1.5, 0.2).unwrap(),
    }
}

/// A tiny network: dense, φ₁, then a residual block `[dense, φ₂]` or a plain `dense, φ₂`
/// (inside a nested serial), then the dense readout; biases and variances as given.
fn tiny_arch(acts: (usize, usize), residual: bool, bias: f64, w_var: f64) -> Architecture {
    let inner = vec![dense(w_var, bias), act(smooth_activation(acts.1))];
    let middle = if residual {
        Layer::residual(0.7, inner).unwrap()
    } else {
        Layer::Serial(Serial::new(inner).unwrap())
    };
    serial(vec![
        dense(1.0, bias),
        act(smooth_activation(acts.0)),
        middle,
        dense(w_var, bias),
    ])
}

/// Central finite differences of `forward` with respect to every parameter (column-major
/// within each tensor, tensors in order), for all points: `grads[p][i]` $= \partial f(x_i)/\partial p$.
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

/// The rows of the Jacobian, $J_{i\cdot} = \nabla_p f(x_i)$, flattened from
/// [`FiniteNetwork::gradient`] with $\lambda = e_i$.
fn jacobian_rows(net: &FiniteNetwork, x: &Points) -> Vec<Vec<f64>> {
    (0..x.len())
        .map(|i| {
            let mut e = vec![0.0; x.len()];
            e[i] = 1.0;
            net.gradient(x, &e)
                .unwrap()
                .iter()
                .flat_map(|g| {
                    (0..g.ncols()).flat_map(move |c| (0..g.nrows()).map(move |r| g[(r, c)]))
                })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// (a) The reverse-mode gradients of tiny random smooth networks agree with central finite
    /// differences of the forward pass, entry by entry, relative to the gradient's norm.
    #[test]
    fn backward_pass_matches_finite_differences(
        seed in 0u64..1_000_000,
        a0 in 0usize..4,
        a1 in 0usize..4,
        residual in any::<bool>(),
        bias in prop::sample::select(vec![0.0, 0.3]),
        w_var in 0.5f64..2.0,
    ) {
        let arch = tiny_arch((a0, a1), residual, bias, w_var);
        let x = sphere_points(3, 3, seed ^ 0x5eed);
        let net = FiniteNetwork::sample(&arch, 3, 4, seed).unwrap();
        prop_assert!(matches!(net, FiniteNetwork::Composed(_)));
        let fd = finite_difference_gradients(&net, &x);
        let rows = jacobian_rows(&net, &x);
        prop_assert_eq!(fd.len(), net.num_parameters());
        for (i, row) in rows.iter().enumerate() {
            prop_assert_eq!(row.len(), fd.len());
            let norm = row.iter().map(|g| g * g).sum::<f64>().sqrt();
            for (p, (a, g)) in row.iter().zip(&fd).enumerate() {
                prop_assert!(
                    (a - g[i]).abs() <= FD_TOL * norm,
                    "parameter {}, point {}: backward {} vs finite difference {}", p, i, a, g[i]
                );
            }
        }
    }

    /// (b) The empirical NTK (assembled per tensor, no Jacobian) equals $J(X)J(Y)^\top$ with
    /// $J$ built naively from the flattened gradients, for the joint and the cross kernel;
    /// ReLU networks included (the identity is exact wherever the gradient exists).
    #[test]
    fn empirical_ntk_is_the_gram_matrix_of_the_gradients(
        seed in 0u64..1_000_000,
        a0 in 0usize..5,
        a1 in 0usize..5,
        residual in any::<bool>(),
        bias in prop::sample::select(vec![0.0, 0.3]),
    ) {
        let pick = |k: usize| if k == 4 { Activation::relu() } else { smooth_activation(k) };
        let inner = vec![act(pick(a1)), dense(1.3, bias)];
        let middle = if residual {
            Layer::residual(0.5, inner).unwrap()
        } else {
            Layer::Serial(Serial::new(inner).unwrap())
        };
        let arch = serial(vec![dense(1.0, bias), middle, act(pick(a0)), dense(0.8, bias)]);
        let x = sphere_points(4, 3, seed ^ 1);
        let y = sphere_points(3, 3, seed ^ 2);
        let net = FiniteNetwork::sample(&arch, 3, 6, seed).unwrap();
        let (jx, jy) = (jacobian_rows(&net, &x), jacobian_rows(&net, &y));
        for (other, jo) in [(None, &jx), (Some(&y), &jy)] {
            let k = net.empirical_ntk(&x, other).unwrap();
            prop_assert_eq!((k.rows, k.cols), (jx.len(), jo.len()));
            for (i, gi) in jx.iter().enumerate() {
                for (j, gj) in jo.iter().enumerate() {
                    let want: f64 = gi.iter().zip(gj).map(|(a, b)| a * b).sum();
                    let scale = gi.iter().map(|g| g * g).sum::<f64>().sqrt()
                        * gj.iter().map(|g| g * g).sum::<f64>().sqrt();
                    prop_assert!(
                        (k.get(i, j) - want).abs() <= ROUNDING_TOL * scale,
                        "Θ̂({}, {}) = {} vs JJᵀ {}", i, j, k.get(i, j), want
                    );
                }
            }
        }
    }
}

/// The presets' layers, sampled as a general composition, give exactly the parameters of the
/// hand-written networks, and the same outputs and empirical NTK up to rounding.
#[test]
fn preset_layers_reproduce_the_hand_written_networks() {
    let x = sphere_points(5, 4, 8);
    let mlp = Mlp::with_bias(3, 1.3, 0.4).unwrap();
    let res = ResNet::new(2, 0.8, 1.5, 0.7).unwrap();
    let nets: [(FiniteNetwork, Architecture); 2] = [
        (
            FiniteMlp::sample(&mlp, 4, 12, 3).unwrap().into(),
            Architecture::from(mlp.layers()),
        ),
        (
            FiniteResNet::sample(&res, 4, 12, 3).unwrap().into(),
            Architecture::from(res.layers()),
        ),
    ];
    for (preset, layers) in nets {
        let general = FiniteComposed::sample(&layers, 4, 12, 3).unwrap();
        assert_eq!(general.parameters(), preset.parameters());
        let (a, b) = (general.forward(&x).unwrap(), preset.forward(&x).unwrap());
        for (u, v) in a.iter().zip(&b) {
            assert!((u - v).abs() <= ROUNDING_TOL * v.abs().max(1.0));
        }
        let (ka, kb) = (
            general.empirical_ntk(&x, None).unwrap(),
            preset.empirical_ntk(&x, None).unwrap(),
        );
        assert!(frobenius_distance(&ka, &kb) <= ROUNDING_TOL * frobenius_norm(&kb));
    }
}

/// Mean over seeds of $\|\hat\Theta - \Theta\|_F / \|\Theta\|_F$ at width `m`.
fn mean_relative_error(arch: &Architecture, x: &Points, theta: &Matrix, width: usize) -> f64 {
    let seeds = seeds_at(width);
    let total: f64 = (0..seeds)
        .map(|s| {
            let net = FiniteNetwork::sample(arch, x.dim(), width, 2000 + s).unwrap();
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

/// (c) The empirical NTK tends to the analytic one ([`gram`] of the [`SphereKernel`]) like
/// $m^{-1/2}$.
fn check_convergence(name: &str, arch: Architecture) {
    let dim = 5;
    let x = sphere_points(8, dim, 42);
    let theta = gram(&arch, KernelKind::Ntk, &x, None).unwrap();
    // The Gram matrix is the sphere kernel at the inner products.
    let kernel = SphereKernel::new(arch.clone(), KernelKind::Ntk, dim).unwrap();
    let t: f64 = x.row(0).iter().zip(x.row(1)).map(|(a, b)| a * b).sum();
    let want = kernel.eval(t.clamp(-1.0, 1.0)).unwrap();
    assert!((theta.get(0, 1) - want).abs() < 1e-10 * kernel.value_at_one().unwrap());
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
        last < MAX_ERROR_AT_1024,
        "{name}: error {last} at m = 1024 exceeds {MAX_ERROR_AT_1024}"
    );
}

#[test]
fn erf_network_converges_like_inverse_sqrt_width() {
    let erf = || act(Activation::erf(1.0, 1.0, 0.0).unwrap());
    check_convergence(
        "erf [dense, erf, dense, erf, dense]",
        serial(vec![
            dense(1.0, 0.0),
            erf(),
            dense(2.0, 0.1),
            erf(),
            dense(1.0, 0.0),
        ]),
    );
}

#[test]
fn leaky_relu_network_converges_like_inverse_sqrt_width() {
    let leaky = || act(Activation::leaky_relu(0.1).unwrap());
    check_convergence(
        "leaky ReLU(0.1) [dense, leaky, dense, leaky, dense]",
        serial(vec![
            dense(1.0, 0.0),
            leaky(),
            dense(2.0, 0.0),
            leaky(),
            dense(1.0, 0.0),
        ]),
    );
}

#[test]
fn preactivation_resnet_converges_like_inverse_sqrt_width() {
    let relu = || act(Activation::relu());
    let block =
        || Layer::residual(0.5, vec![relu(), dense(1.0, 0.0), relu(), dense(1.0, 0.0)]).unwrap();
    check_convergence(
        "pre-activation ResNet [dense, residual(0.5, [relu, dense, relu, dense]) x2, dense]",
        serial(vec![dense(1.0, 0.0), block(), block(), dense(1.0, 0.0)]),
    );
}

/// A single dense layer: $f(x) = w^\top x/\sqrt d\cdot\sigma_w + \sigma_b b$ is linear in its
/// parameters, so $\hat\Theta = \sigma_w^2\langle x,y\rangle/d + \sigma_b^2$ exactly, at every
/// width and seed; and a nested serial composition is the flat one.
#[test]
fn linear_network_is_exact_and_nesting_is_transparent() {
    let x = sphere_points(4, 3, 1);
    let y = Points::from_rows(&[[0.5, -2.0, 1.0], [0.0, 0.0, 0.0]]).unwrap();
    let arch = serial(vec![dense(2.0, 0.3)]);
    let net = FiniteComposed::sample(&arch, 3, 7, 9).unwrap();
    let emp = net.empirical_ntk(&x, Some(&y)).unwrap();
    let theta = gram(&arch, KernelKind::Ntk, &x, Some(&y)).unwrap();
    assert!(frobenius_distance(&emp, &theta) < ROUNDING_TOL * frobenius_norm(&theta));

    let flat = serial(vec![
        dense(1.0, 0.0),
        act(Activation::gelu()),
        dense(1.0, 0.0),
        act(tanh()),
        dense(1.0, 0.0),
    ]);
    let nested = serial(vec![
        Layer::Serial(
            Serial::new(vec![
                dense(1.0, 0.0),
                Layer::Serial(Serial::new(vec![act(Activation::gelu())]).unwrap()),
            ])
            .unwrap(),
        ),
        dense(1.0, 0.0),
        Layer::Serial(Serial::new(vec![act(tanh()), dense(1.0, 0.0)]).unwrap()),
    ]);
    let a = FiniteComposed::sample(&flat, 3, 5, 4).unwrap();
    let b = FiniteComposed::sample(&nested, 3, 5, 4).unwrap();
    assert_eq!(a.parameters(), b.parameters());
    assert_eq!(a.forward(&x).unwrap(), b.forward(&x).unwrap());
    assert_eq!(
        a.empirical_ntk(&x, None).unwrap(),
        b.empirical_ntk(&x, None).unwrap()
    );
}

/// Sampling is reproducible and the seed matters.
#[test]
fn sampling_is_reproducible() {
    let arch = serial(vec![
        dense(1.0, 0.1),
        act(Activation::gelu()),
        dense(1.0, 0.0),
    ]);
    let a = FiniteNetwork::sample(&arch, 3, 16, 5).unwrap();
    let b = FiniteNetwork::sample(&arch, 3, 16, 5).unwrap();
    let c = FiniteNetwork::sample(&arch, 3, 16, 6).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!((a.input_dim(), a.width()), (3, 16));
    assert_eq!(a.num_parameters(), 16 * 3 + 16 + 16);
}

/// A custom layer for the error test.
#[derive(Debug)]
struct Identity;
impl KernelLayer for Identity {
    fn apply<S: KernelScalar>(&self, s: CovState<S>) -> CovState<S> {
        s
    }
}

#[test]
fn invalid_architectures_and_sizes_are_typed_errors() {
    let ok = serial(vec![
        dense(1.0, 0.0),
        act(Activation::relu()),
        dense(1.0, 0.0),
    ]);
    let sample = |a: &Architecture, d: usize, m: usize| FiniteComposed::sample(a, d, m, 1);
    assert_eq!(
        sample(&ok, 3, 0),
        Err(EmpiricalError::ZeroWidth { width: 0 })
    );
    assert_eq!(
        sample(&ok, 0, 3),
        Err(EmpiricalError::ZeroInputDimension { dim: 0 })
    );
    // Custom layers, anywhere.
    let custom = serial(vec![
        dense(1.0, 0.0),
        Layer::custom(Identity),
        dense(1.0, 0.0),
    ]);
    assert_eq!(
        FiniteNetwork::sample(&custom, 3, 4, 1),
        Err(EmpiricalError::UnsupportedLayer { kind: "custom" })
    );
    let nested_custom = serial(vec![
        dense(1.0, 0.0),
        Layer::residual(1.0, vec![Layer::custom(Identity)]).unwrap(),
        dense(1.0, 0.0),
    ]);
    assert_eq!(
        sample(&nested_custom, 3, 4),
        Err(EmpiricalError::UnsupportedLayer { kind: "custom" })
    );
    // The last layer must be dense (nested serials are expanded first).
    for bad in [
        serial(vec![dense(1.0, 0.0), act(Activation::relu())]),
        serial(vec![
            dense(1.0, 0.0),
            Layer::residual(0.5, vec![dense(1.0, 0.0)]).unwrap(),
        ]),
    ] {
        assert_eq!(sample(&bad, 3, 4), Err(EmpiricalError::LastLayerNotDense));
    }
    let nested_last = serial(vec![Layer::Serial(
        Serial::new(vec![
            dense(1.0, 0.0),
            act(Activation::gelu()),
            dense(1.0, 0.0),
        ])
        .unwrap(),
    )]);
    assert!(sample(&nested_last, 3, 4).is_ok());
    // A residual branch must keep the width: a dense branch on the d-dimensional input changes it
    // (unless d = m); an activation-only branch does not.
    let early = serial(vec![
        Layer::residual(0.5, vec![dense(1.0, 0.0)]).unwrap(),
        dense(1.0, 0.0),
    ]);
    assert_eq!(
        sample(&early, 3, 4),
        Err(EmpiricalError::ResidualWidthMismatch {
            input: 3,
            output: 4
        })
    );
    assert!(sample(&early, 4, 4).is_ok());
    let act_branch = serial(vec![
        Layer::residual(0.5, vec![act(Activation::gelu())]).unwrap(),
        dense(1.0, 0.0),
    ]);
    assert!(sample(&act_branch, 3, 4).is_ok());
    // Too many parameters: rejected before allocating (m² alone overflows).
    let deep = serial(vec![dense(1.0, 0.0); 4]);
    match sample(&deep, 3, usize::MAX) {
        Err(EmpiricalError::TooManyParameters { count, cap }) => {
            assert_eq!((count, cap), (usize::MAX, MAX_PARAMETERS));
        }
        other => panic!("expected TooManyParameters, got {other:?}"),
    }
    // 3 square layers of width 2^14: 3·2^28 parameters.
    assert!(matches!(
        sample(&deep, 3, 1 << 14),
        Err(EmpiricalError::TooManyParameters { .. })
    ));
    // Too many points for one pass.
    let wide = FiniteComposed::sample(
        &serial(vec![dense(1.0, 0.0), dense(1.0, 0.0)]),
        1,
        1 << 13,
        1,
    )
    .unwrap();
    let n = MAX_TAPE_ENTRIES / (1 << 13);
    let many = Points::new(vec![1.0; n], n, 1).unwrap();
    assert!(matches!(
        wide.forward(&many),
        Err(EmpiricalError::TapeTooLarge { points, .. }) if points == n
    ));
    // Input dimension mismatch.
    let net = sample(&ok, 3, 4).unwrap();
    let x4 = sphere_points(2, 4, 0);
    assert_eq!(
        net.empirical_ntk(&x4, None),
        Err(EmpiricalError::InputDimensionMismatch {
            expected: 3,
            found: 4
        })
    );
}

/// Overflowing networks report non-finite results as errors, never as `Ok`.
#[test]
fn non_finite_results_are_typed_errors() {
    let arch = serial(vec![
        dense(1.0, 0.0),
        act(Activation::exp(1.0, 1e3).unwrap()),
        dense(1.0, 0.0),
    ]);
    let net = FiniteComposed::sample(&arch, 2, 64, 3).unwrap();
    let x = Points::from_rows(&[[1.0, 1.0], [-1.0, 1.0]]).unwrap();
    let is_non_finite = |e: EmpiricalError| matches!(e, EmpiricalError::NonFinite { .. });
    assert!(is_non_finite(net.forward(&x).unwrap_err()));
    assert!(is_non_finite(net.empirical_ntk(&x, None).unwrap_err()));
    assert!(is_non_finite(net.gradient(&x, &[1.0, 1.0]).unwrap_err()));
}
