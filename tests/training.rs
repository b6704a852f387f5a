//! Finite-width training (`ntk_sphere::training`): the loss gradient against central finite
//! differences, gradient descent below the stable rate, the symmetric initialization, the
//! infinite-width prediction against kernel regression (its T → ∞ limit), the kernel regime
//! (drift and distance to the kernel prediction fall with the width), and typed errors.

use ntk_sphere::empirical::FiniteNetwork;
use ntk_sphere::regression::KernelRegressor;
use ntk_sphere::training::{
    Initialization, TrainingData, TrainingError, TrainingOptions, circle_data, circle_test_points,
    sphere_data, sweep_widths, train,
};
use ntk_sphere::{Architecture, KernelKind, Mlp, Points, ResNet, SphereKernel};

fn circle(test_points: usize) -> TrainingData {
    let (inputs, targets) = circle_data();
    TrainingData {
        inputs,
        targets,
        test: circle_test_points(test_points).unwrap(),
    }
}

fn loss(net: &FiniteNetwork, x: &Points, y: &[f64]) -> f64 {
    let f = net.forward(x).unwrap();
    0.5 * f.iter().zip(y).map(|(f, y)| (f - y).powi(2)).sum::<f64>()
}

/// ∇L from one forward/backward pass with the residuals as weights, against central finite
/// differences of the loss (relative 1e-6 of the gradient norm).
#[test]
fn loss_gradient_matches_finite_differences() {
    for arch in [
        Architecture::from(Mlp::with_bias(2, 1.3, 0.2).unwrap()),
        ResNet::new(2, 0.5, 1.0, 1.5).unwrap().into(),
    ] {
        let (x, y) = sphere_data(4, 3, 7).unwrap();
        let mut net = FiniteNetwork::sample(&arch, 3, 6, 5).unwrap();
        let pass = net.forward_pass(&x).unwrap();
        let r: Vec<f64> = pass.outputs().iter().zip(&y).map(|(f, y)| f - y).collect();
        let grads = pass.gradient(&r).unwrap();
        let norm = grads
            .iter()
            .map(|g| g.norm_l2().powi(2))
            .sum::<f64>()
            .sqrt();
        let h = 1e-6;
        for (t, g) in grads.iter().enumerate() {
            for j in 0..g.ncols() {
                for i in 0..g.nrows() {
                    let orig = net.parameters()[t][(i, j)];
                    net.parameters_mut()[t][(i, j)] = orig + h;
                    let plus = loss(&net, &x, &y);
                    net.parameters_mut()[t][(i, j)] = orig - h;
                    let minus = loss(&net, &x, &y);
                    net.parameters_mut()[t][(i, j)] = orig;
                    let fd = (plus - minus) / (2.0 * h);
                    assert!(
                        (fd - g[(i, j)]).abs() <= 1e-6 * norm,
                        "tensor {t} ({i}, {j}): backward {} vs finite difference {fd}",
                        g[(i, j)]
                    );
                }
            }
        }
        // the in-place step is θ − η∇L
        let before: Vec<Vec<f64>> = net
            .parameters()
            .iter()
            .map(|p| {
                (0..p.ncols())
                    .flat_map(|j| (0..p.nrows()).map(move |i| p[(i, j)]))
                    .collect()
            })
            .collect();
        let eta = 0.37;
        pass.descend(&mut net, &r, eta).unwrap();
        for (t, (p, g)) in net.parameters().iter().zip(&grads).enumerate() {
            for j in 0..p.ncols() {
                for i in 0..p.nrows() {
                    let want = before[t][j * p.nrows() + i] - eta * g[(i, j)];
                    assert!((p[(i, j)] - want).abs() <= 1e-14 * (1.0 + want.abs()));
                }
            }
        }
        // a pass cannot be applied to a network of other shapes
        let mut other = FiniteNetwork::sample(&arch, 3, 7, 5).unwrap();
        assert!(pass.descend(&mut other, &r, eta).is_err());
    }
}

/// Below the stable rate (the default η = 1/λ_max) the loss never increases, for both
/// initializations; the symmetric one starts at f₀ = 0 (loss ½‖y‖²) with the same initial NTK
/// as the single network.
#[test]
fn gradient_descent_decreases_the_loss() {
    let data = circle(16);
    let arch: Architecture = Mlp::new(2, 1.0).unwrap().into();
    let mut init_errors = Vec::new();
    for init in [Initialization::Standard, Initialization::Symmetric] {
        let options = TrainingOptions {
            init,
            record_every: Some(1),
            ..TrainingOptions::new(128, 150)
        };
        let r = train(&arch, &data, &options, &mut |_| {}).unwrap();
        assert_eq!(r.steps.len(), 151);
        assert_eq!(r.lr, 1.0 / r.lambda_max);
        // (down to rounding: the loss reaches 1e-30)
        let floor = 1e-24 * r.loss[0];
        for w in r.loss.windows(2) {
            assert!(
                w[1] <= w[0] * (1.0 + 1e-12) + floor,
                "{init:?}: loss rose {:e} -> {:e}",
                w[0],
                w[1]
            );
        }
        assert!(
            r.loss[150] < 1e-3 * r.loss[0],
            "{init:?}: {:?}",
            &r.loss[140..]
        );
        if init == Initialization::Symmetric {
            let half_norm = 0.5 * data.targets.iter().map(|y| y * y).sum::<f64>();
            assert_eq!(r.loss[0], half_norm);
        }
        init_errors.push(r.ntk_init_error);
    }
    // the symmetric pair has the NTK of one copy: the same error against the analytic kernel
    assert!((init_errors[0] - init_errors[1]).abs() <= 1e-12 * init_errors[0]);
}

/// f_T = Θ(x, X) η Σ_{k<T} (I − ηΘ)^k y tends to the kernel interpolant Θ(x, X)Θ⁻¹y
/// (`KernelRegressor`, ridge 0) as T grows; and the symmetric network follows it.
#[test]
fn kernel_prediction_tends_to_kernel_regression() {
    let data = circle(12);
    let arch: Architecture = ResNet::new(2, 0.5, 1.0, 1.0).unwrap().into();
    let options = TrainingOptions {
        record_every: Some(20_000),
        ..TrainingOptions::new(4, 20_000)
    };
    let r = train(&arch, &data, &options, &mut |_| {}).unwrap();
    let k = SphereKernel::new(arch, KernelKind::Ntk, 2).unwrap();
    let reg = KernelRegressor::fit(&k, &data.inputs, &data.targets, 0.0).unwrap();
    let want = reg.predict(&data.test).unwrap();
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in r.kernel_prediction.iter().zip(&want) {
        assert!((a - b).abs() < 1e-6 * scale, "{a} vs {b}");
    }
    // its kinks at the data, read at the scale h = JUMP_STEP, are the interpolant's jumps up
    // to the O(h) curvature term
    let jumps = r.derivative_jumps.expect("circle data");
    let exact = reg.derivative_jumps().unwrap();
    assert_eq!(jumps.kernel.len(), exact.len());
    for (a, b) in jumps.kernel.iter().zip(&exact) {
        assert!((a - b).abs() < 0.1 + 0.05 * b.abs(), "jump {a} vs {b}");
    }
    assert_eq!(jumps.network.len(), 5);
}

/// The kernel regime on a small seeded configuration: the final NTK drift falls with the
/// width (fitted exponent ≤ −0.2; theory −1/2) and so does the distance of the network's test
/// predictions to the infinite-width prediction.
#[test]
fn drift_and_distance_fall_with_width() {
    let data = circle(32);
    let arch: Architecture = Mlp::new(2, 1.0).unwrap().into();
    let options = TrainingOptions {
        record_every: Some(100),
        ..TrainingOptions::new(1, 100)
    };
    let widths = [64, 128, 256, 512];
    let s = sweep_widths(&arch, &data, &widths, 2, &options, &mut |_| {}).unwrap();
    assert!(
        s.slope <= -0.2,
        "slope {} (drift {:?})",
        s.slope,
        s.final_drift
    );
    assert!(s.slope_spread.is_finite());
    let distance = |w: usize| {
        let o = TrainingOptions {
            width: w,
            ..options.clone()
        };
        train(&arch, &data, &o, &mut |_| {})
            .unwrap()
            .distance_to_kernel_prediction
    };
    let (narrow, wide) = (distance(64), distance(1024));
    assert!(
        wide < 0.7 * narrow,
        "distance {narrow} at m = 64, {wide} at m = 1024"
    );
}

#[test]
fn bad_input_and_divergence_are_typed_errors() {
    let data = circle(4);
    let arch: Architecture = Mlp::new(1, 1.0).unwrap().into();
    let run = |o: TrainingOptions, d: &TrainingData| train(&arch, d, &o, &mut |_| {});
    assert!(matches!(
        run(TrainingOptions::new(0, 10), &data),
        Err(TrainingError::Count { name: "width", .. })
    ));
    assert!(matches!(
        run(TrainingOptions::new(8, 0), &data),
        Err(TrainingError::Count { name: "steps", .. })
    ));
    for lr in [-1.0, 0.0, f64::NAN, f64::INFINITY] {
        let o = TrainingOptions {
            learning_rate: Some(lr),
            ..TrainingOptions::new(8, 10)
        };
        assert!(matches!(
            run(o, &data),
            Err(TrainingError::LearningRate { .. })
        ));
    }
    let mut short = data.clone();
    short.targets.pop();
    assert!(matches!(
        run(TrainingOptions::new(8, 10), &short),
        Err(TrainingError::TargetCount {
            inputs: 5,
            targets: 4
        })
    ));
    let mut nan = data.clone();
    nan.targets[2] = f64::NAN;
    assert!(matches!(
        run(TrainingOptions::new(8, 10), &nan),
        Err(TrainingError::NonFiniteTarget { index: 2, .. })
    ));
    // far above 2/λ_max: stopped with an error, not NaN
    let lambda = ntk_sphere::training::ntk_lambda_max(&arch, &data.inputs).unwrap();
    let o = TrainingOptions {
        learning_rate: Some(50.0 / lambda),
        ..TrainingOptions::new(64, 500)
    };
    match run(o, &data) {
        Err(TrainingError::Diverged { lr_max_stable, .. }) => {
            assert!((lr_max_stable - 2.0 / lambda).abs() < 1e-12 * lr_max_stable)
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}

/// The large matrix products run on every thread of the rayon pool: the step is bit-identical
/// with one thread and with several.
#[test]
fn gradient_step_does_not_depend_on_the_thread_count() {
    use ntk_sphere::training::gradient_step;
    let arch: Architecture = ResNet::new(2, 0.5, 1.0, 1.0).unwrap().into();
    let (x, y) = sphere_data(40, 8, 3).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut net = FiniteNetwork::sample(&arch, 8, 512, 4).unwrap();
            for _ in 0..3 {
                gradient_step(&mut net, &x, &y, 1e-3).unwrap();
            }
            net.forward(&x).unwrap()
        })
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
}

/// The report's quantities recomputed by hand from the public pieces: T steps of
/// `gradient_step` (standard initialization, same seed and η), the empirical NTKs before and
/// after, the analytic Gram matrix, and the test outputs; and the sweep's slope as the
/// least-squares fit of its own drifts.
#[test]
fn report_quantities_match_a_manual_run() {
    use ntk_sphere::training::gradient_step;
    let data = circle(6);
    let arch: Architecture = ResNet::new(2, 0.5, 1.0, 1.0).unwrap().into();
    let (width, steps, seed, lr) = (32, 7, 9, 0.05);
    let options = TrainingOptions {
        init: Initialization::Standard,
        learning_rate: Some(lr),
        seed,
        record_every: Some(3),
        ..TrainingOptions::new(width, steps)
    };
    let r = train(&arch, &data, &options, &mut |_| {}).unwrap();
    assert_eq!(r.steps, [0, 3, 6, 7]);

    let frob = |a: &ntk_sphere::kernel::Matrix, b: &ntk_sphere::kernel::Matrix| {
        let d: f64 = a
            .data
            .iter()
            .zip(&b.data)
            .map(|(x, y)| (x - y).powi(2))
            .sum();
        let n: f64 = b.data.iter().map(|y| y * y).sum();
        (d / n).sqrt()
    };
    let mut net = FiniteNetwork::sample(&arch, 2, width, seed).unwrap();
    let theta0 = net.empirical_ntk(&data.inputs, None).unwrap();
    let k = SphereKernel::new(arch.clone(), KernelKind::Ntk, 2).unwrap();
    let analytic = k.gram(&data.inputs, None).unwrap();
    assert!((r.ntk_init_error - frob(&theta0, &analytic)).abs() < 1e-12);
    let mut losses = Vec::new();
    for _ in 0..steps {
        losses.push(gradient_step(&mut net, &data.inputs, &data.targets, lr).unwrap());
    }
    assert_eq!(r.loss[..3], [losses[0], losses[3], losses[6]]);
    let theta_t = net.empirical_ntk(&data.inputs, None).unwrap();
    let drift = frob(&theta_t, &theta0);
    assert!(
        (r.ntk_drift[3] - drift).abs() <= 1e-12 * drift,
        "{} vs {drift}",
        r.ntk_drift[3]
    );
    assert_eq!(r.test_prediction, net.forward(&data.test).unwrap());
    let d: f64 = r
        .test_prediction
        .iter()
        .zip(&r.kernel_prediction)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    let n: f64 = r
        .kernel_prediction
        .iter()
        .map(|b| b * b)
        .sum::<f64>()
        .sqrt();
    assert!((r.distance_to_kernel_prediction - d / n).abs() <= 1e-14);

    // the sweep's slope: least squares of log drift against log width over all runs
    let s = sweep_widths(&arch, &data, &[16, 32, 64], 2, &options, &mut |_| {}).unwrap();
    let pts: Vec<(f64, f64)> = s
        .widths
        .iter()
        .zip(&s.final_drift)
        .flat_map(|(&w, d)| d.iter().map(move |v| ((w as f64).ln(), v.ln())))
        .collect();
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let slope = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
        / pts.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    assert!((s.slope - slope).abs() < 1e-12);
    // and each final drift is that of a single run with that width and seed
    let one = train(
        &arch,
        &data,
        &TrainingOptions {
            width: 32,
            seed: seed + 1,
            ..options.clone()
        },
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(s.final_drift[1][1], *one.ntk_drift.last().unwrap());
}

/// One small step is the NTK step: f₁(X) − f₀(X) = −ηΘ̂₀(f₀(X) − y) + O(η²), with Θ̂₀ the
/// empirical NTK of one copy — for the symmetric pair (f₀ = 0, both copies trained, the 1/√2
/// factors) and for the standard initialization.
#[test]
fn one_small_step_is_the_ntk_step() {
    let (x, y) = sphere_data(6, 3, 11).unwrap();
    let arch: Architecture = ResNet::new(2, 0.7, 1.0, 1.0).unwrap().into();
    let (width, seed) = (48, 21);
    let net = FiniteNetwork::sample(&arch, 3, width, seed).unwrap();
    let theta0 = net.empirical_ntk(&x, None).unwrap();
    let f0_single = net.forward(&x).unwrap();
    let lambda = ntk_sphere::training::ntk_lambda_max(&arch, &x).unwrap();
    let eta = 1e-5 / lambda;
    for init in [Initialization::Symmetric, Initialization::Standard] {
        let data = TrainingData {
            inputs: x.clone(),
            targets: y.clone(),
            test: x.clone(),
        };
        let options = TrainingOptions {
            init,
            seed,
            learning_rate: Some(eta),
            ..TrainingOptions::new(width, 1)
        };
        let r = train(&arch, &data, &options, &mut |_| {}).unwrap();
        let f0: Vec<f64> = match init {
            Initialization::Symmetric => vec![0.0; x.len()],
            Initialization::Standard => f0_single.clone(),
        };
        let resid: Vec<f64> = f0.iter().zip(&y).map(|(f, y)| f - y).collect();
        let mut worst: f64 = 0.0;
        let mut scale: f64 = 0.0;
        for (i, (f1, f0)) in r.test_prediction.iter().zip(&f0).enumerate() {
            let want: f64 = -eta
                * resid
                    .iter()
                    .enumerate()
                    .map(|(j, rj)| theta0.get(i, j) * rj)
                    .sum::<f64>();
            let got = f1 - f0;
            worst = worst.max((got - want).abs());
            scale = scale.max(want.abs());
        }
        assert!(
            worst <= 1e-4 * scale,
            "{init:?}: error {worst:e} of a change {scale:e}"
        );
    }
}
