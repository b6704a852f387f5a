//! Finite-width training by full-batch gradient descent, with the empirical NTK tracked along
//! the way: the measurement behind the kernel regime (Jacot, Gabriel & Hongler 2018; for the
//! ResNet of the paper, Tirer, Bruna & Giryes 2021, Section 3: its NTK stays stable during
//! training).
//!
//! **The model.** The finite-width networks of [`crate::empirical`] (exactly the
//! parametrization and initialization whose infinite-width NTK is [`SphereKernel`]), trained on
//! $$\mathcal L(\theta) = \tfrac12\sum_{i=1}^n \big(f(x_i;\theta) - y_i\big)^2$$
//! (a sum, not a mean) by $\theta \leftarrow \theta - \eta\nabla\mathcal L(\theta)$. Two
//! initializations ([`Initialization`]):
//! * `Standard`: $f = g$, one network $g$ with i.i.d. $\mathcal N(0,1)$ parameters;
//! * `Symmetric`: $f = (g_1 - g_2)/\sqrt2$ with two copies whose initial parameters are
//!   identical, both trained. Then $f_0 \equiv 0$ and the NTK at initialization is unchanged:
//!   $\hat\Theta_f = (\hat\Theta_{g_1} + \hat\Theta_{g_2})/2 = \hat\Theta_g$.
//!
//! **Learning rate.** With $\lambda_{\max}$ the largest eigenvalue of the analytic NTK Gram
//! matrix $\Theta(X, X)$, gradient descent on the linearized model is stable for
//! $\eta < 2/\lambda_{\max}$; the default is $\eta = 1/\lambda_{\max}$.
//!
//! **What is measured** ([`TrainingReport`]): the loss and the relative drift
//! $\\|\hat\Theta_t - \hat\Theta_0\\|_F/\\|\hat\Theta_0\\|_F$ of the empirical NTK on the training
//! inputs at the recorded steps; the relative distance $\\|\hat\Theta_0 - \Theta\\|_F/\\|\Theta\\|_F$
//! of the initial empirical NTK to the analytic one; and the network's predictions at test
//! inputs after $T$ steps against the infinite-width prediction at the same step,
//! $$f\_T(x) = \Theta(x, X)\\,\eta\sum\_{k<T}\big(I - \eta\Theta(X, X)\big)^k y$$
//! (the linearized dynamics: from zero outputs, each step maps the outputs $u$ on $X$ to
//! $u - \eta\Theta(u - y)$; no inverse, so repeated inputs are fine), with the analytic $\Theta$ for the symmetric
//! initialization; for the standard one the same map is applied to $y - f_0(X)$ with the
//! empirical $\hat\Theta_0$ and added to $f_0$. The sum is accumulated as
//! $v\_{k+1} = \eta y + (I - \eta\Theta)v\_k$, and $f\_T(x) = \Theta(x, X)v\_T$.
//!
//! Deterministic given the seed (the sampling of [`FiniteNetwork::sample`]; the matrix products
//! are sequential per call).

use faer::{Mat, Side};
use thiserror::Error;

use crate::arch::{Architecture, KernelKind};
use crate::empirical::{EmpiricalError, FiniteNetwork};
use crate::error::KernelError;
use crate::kernel::{Points, SphereKernel};
use crate::regression::{paper_target, paper_training_angles, uniform_sphere_points};
use crate::spectrum::fitted_exponent;

/// The largest number of gradient steps accepted (a bound on the run time).
pub const MAX_STEPS: usize = 1_000_000;

/// The loss may grow by this factor over its initial value before the run is declared
/// diverged (gradient descent below the stable rate never increases it on the linearized model).
pub const DIVERGENCE_FACTOR: f64 = 1e6;

/// How the parameters start ([module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Initialization {
    /// One network, i.i.d. $\mathcal N(0,1)$ parameters.
    Standard,
    /// $f = (g_1 - g_2)/\sqrt2$ with identical initial copies: $f_0 \equiv 0$.
    #[default]
    Symmetric,
}

impl std::str::FromStr for Initialization {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "standard" => Ok(Self::Standard),
            "symmetric" => Ok(Self::Symmetric),
            other => Err(format!("expected standard or symmetric, got {other:?}")),
        }
    }
}

/// The settings of a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingOptions {
    /// Hidden width $m \ge 1$.
    pub width: usize,
    /// Number of gradient steps $T \ge 1$ (at most [`MAX_STEPS`]).
    pub steps: usize,
    /// $\eta > 0$; `None`: $1/\lambda_{\max}$ of the analytic NTK Gram matrix.
    pub learning_rate: Option<f64>,
    /// Seed of the initial parameters.
    pub seed: u64,
    /// [`Initialization::Symmetric`] by default.
    pub init: Initialization,
    /// Record every this many steps (`None`: $\lceil T/50\rceil$); step $T$ is always recorded.
    pub record_every: Option<usize>,
}

impl TrainingOptions {
    /// Width and steps; the learning rate $1/\lambda_{\max}$, seed 0, symmetric
    /// initialization, about 50 records.
    pub fn new(width: usize, steps: usize) -> Self {
        Self {
            width,
            steps,
            learning_rate: None,
            seed: 0,
            init: Initialization::Symmetric,
            record_every: None,
        }
    }
}

/// Training inputs $X$, targets $y$ and test inputs (same dimension as $X$).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingData {
    /// The training inputs $X$ (rows).
    pub inputs: Points,
    /// The targets $y_i$, one per input.
    pub targets: Vec<f64>,
    /// The test inputs at which predictions are compared.
    pub test: Points,
}

/// The outcome of [`train`] (see the [module documentation](self) for the definitions).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingReport {
    /// The learning rate used.
    pub lr: f64,
    /// $2/\lambda_{\max}$: the stability limit of the linearized dynamics.
    pub lr_max_stable: f64,
    /// $\lambda_{\max}$ of the analytic NTK Gram matrix on the training inputs.
    pub lambda_max: f64,
    /// The recorded step indices ($0, K, 2K, \dots$ and $T$).
    pub steps: Vec<usize>,
    /// The loss $\frac12\sum_i(f(x_i) - y_i)^2$ after each recorded number of steps.
    pub loss: Vec<f64>,
    /// $\\|\hat\Theta_t - \hat\Theta_0\\|_F/\\|\hat\Theta_0\\|_F$ on the training inputs.
    pub ntk_drift: Vec<f64>,
    /// $\\|\hat\Theta_0 - \Theta\\|_F/\\|\Theta\\|_F$ on the training inputs.
    pub ntk_init_error: f64,
    /// The network's outputs at the test inputs after $T$ steps.
    pub test_prediction: Vec<f64>,
    /// The infinite-width (kernel) prediction $f_T$ at the test inputs.
    pub kernel_prediction: Vec<f64>,
    /// $\\|\text{test\\_prediction} - \text{kernel\\_prediction}\\|_2 /
    /// \\|\text{kernel\\_prediction}\\|_2$ (absolute when the kernel prediction is 0).
    pub distance_to_kernel_prediction: f64,
    /// For training points on the unit circle ($d = 2$): the kinks at the data of the trained
    /// network and of the infinite-width prediction; `None` otherwise.
    pub derivative_jumps: Option<DerivativeJumps>,
}

/// Errors of [`train`] and [`sweep_widths`].
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum TrainingError {
    /// A count that must be positive is 0 (or too large).
    #[error("{name} = {value} is out of range (expected 1 ..= {max})")]
    Count {
        /// Which count.
        name: &'static str,
        /// Its value.
        value: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// The learning rate is not a positive finite number.
    #[error("learning rate {} must be positive and finite", crate::error::num(*value))]
    LearningRate {
        /// The rejected value.
        value: f64,
    },
    /// Targets and inputs differ in number.
    #[error("{targets} targets for {inputs} inputs")]
    TargetCount {
        /// Number of inputs.
        inputs: usize,
        /// Number of targets.
        targets: usize,
    },
    /// A target is NaN or infinite.
    #[error("target {index} is {}", crate::error::num(*value))]
    NonFiniteTarget {
        /// Its index.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Test and training inputs differ in dimension.
    #[error("test inputs have dimension {test}, training inputs {train}")]
    DimensionMismatch {
        /// Training input dimension.
        train: usize,
        /// Test input dimension.
        test: usize,
    },
    /// The analytic NTK Gram matrix has no positive largest eigenvalue (or it is not finite).
    #[error("the NTK Gram matrix on the training inputs has largest eigenvalue {}", crate::error::num(*lambda_max))]
    Gram {
        /// The computed $\lambda_{\max}$.
        lambda_max: f64,
    },
    /// The loss grew by more than [`DIVERGENCE_FACTOR`] or became non-finite.
    #[error(
        "training diverged at step {step} (loss {}): {}",
        crate::error::num(*loss),
        divergence_cause(*lr, *lr_max_stable)
    )]
    Diverged {
        /// The step at which the loss was found too large.
        step: usize,
        /// That loss.
        loss: f64,
        /// The learning rate.
        lr: f64,
        /// $2/\lambda_{\max}$.
        lr_max_stable: f64,
    },
    /// A width sweep whose NTK did not move (zero final drift) at all but one width: no
    /// exponent to fit.
    #[error("the NTK did not move (zero drift) at enough widths to fit an exponent")]
    NoDrift,
    /// From the finite-width network.
    #[error(transparent)]
    Empirical(#[from] EmpiricalError),
    /// From the analytic kernel.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// From the data generators.
    #[error(transparent)]
    Data(#[from] crate::regression::RegressionError),
}

/// Why a run diverged, for [`TrainingError::Diverged`].
fn divergence_cause(lr: f64, lr_max_stable: f64) -> String {
    use crate::error::num;
    if lr >= lr_max_stable {
        format!(
            "learning rate {} is above the stable limit 2/lambda_max = {} of the analytic NTK",
            num(lr),
            num(lr_max_stable)
        )
    } else {
        format!(
            "learning rate {} is below 2/lambda_max = {} of the analytic NTK, but the \
             finite-width network's NTK is larger: it is far from the kernel regime at this \
             width and depth (try a wider network or a smaller learning rate)",
            num(lr),
            num(lr_max_stable)
        )
    }
}

/// The network being trained: one copy, or two for the symmetric initialization.
struct Model {
    first: FiniteNetwork,
    second: Option<FiniteNetwork>,
}

impl Model {
    fn outputs(&self, x: &Points) -> Result<Vec<f64>, EmpiricalError> {
        let a = self.first.forward(x)?;
        Ok(match &self.second {
            None => a,
            Some(n) => {
                let b = n.forward(x)?;
                a.iter()
                    .zip(&b)
                    .map(|(a, b)| (a - b) * std::f64::consts::FRAC_1_SQRT_2)
                    .collect()
            }
        })
    }

    /// The empirical NTK of $f$: $\hat\Theta_{g}$, or $(\hat\Theta_{g_1} + \hat\Theta_{g_2})/2$.
    fn ntk(&self, x: &Points, y: Option<&Points>) -> Result<Mat<f64>, EmpiricalError> {
        let a = self.first.empirical_ntk(x, y)?.to_faer();
        Ok(match &self.second {
            None => a,
            Some(n) => {
                let b = n.empirical_ntk(x, y)?.to_faer();
                Mat::from_fn(a.nrows(), a.ncols(), |i, j| 0.5 * (a[(i, j)] + b[(i, j)]))
            }
        })
    }

    /// One gradient step on the squared loss; returns the loss before the step.
    fn step(&mut self, x: &Points, y: &[f64], lr: f64) -> Result<f64, TrainingError> {
        let Some(second) = &mut self.second else {
            return gradient_step(&mut self.first, x, y, lr);
        };
        let p1 = self.first.forward_pass(x)?;
        let p2 = second.forward_pass(x)?;
        let r: Vec<f64> = p1
            .outputs()
            .iter()
            .zip(p2.outputs())
            .zip(y)
            .map(|((a, b), y)| (a - b) * std::f64::consts::FRAC_1_SQRT_2 - y)
            .collect();
        // ∂L/∂θ₁ = Σ rᵢ ∇g₁(xᵢ)/√2, ∂L/∂θ₂ = −Σ rᵢ ∇g₂(xᵢ)/√2
        let c: Vec<f64> = r
            .iter()
            .map(|r| r * std::f64::consts::FRAC_1_SQRT_2)
            .collect();
        p1.descend(&mut self.first, &c, lr)?;
        p2.descend(second, &c, -lr)?;
        Ok(0.5 * r.iter().map(|r| r * r).sum::<f64>())
    }
}

/// One full-batch gradient-descent step of a single network on
/// $\mathcal L = \tfrac12\sum_i(f(x_i) - y_i)^2$: forward, backward, $\theta \leftarrow
/// \theta - \eta\nabla\mathcal L$ (one pass, [`FiniteNetwork::forward_pass`]). Returns the
/// loss before the step. The step of [`train`] with the standard initialization.
///
/// Errors: [`TrainingError::LearningRate`] ($\eta$ not finite and positive),
/// [`TrainingError::TargetCount`], and the network's errors.
pub fn gradient_step(
    net: &mut FiniteNetwork,
    x: &Points,
    y: &[f64],
    lr: f64,
) -> Result<f64, TrainingError> {
    if !(lr.is_finite() && lr > 0.0) {
        return Err(TrainingError::LearningRate { value: lr });
    }
    if y.len() != x.len() {
        return Err(TrainingError::TargetCount {
            inputs: x.len(),
            targets: y.len(),
        });
    }
    let pass = net.forward_pass(x)?;
    let r: Vec<f64> = pass.outputs().iter().zip(y).map(|(f, y)| f - y).collect();
    pass.descend(net, &r, lr)?;
    Ok(0.5 * r.iter().map(|r| r * r).sum::<f64>())
}

fn frobenius(m: &Mat<f64>) -> f64 {
    m.norm_l2()
}

fn relative_distance(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let d = Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)] - b[(i, j)]);
    let nb = frobenius(b);
    if nb > 0.0 {
        frobenius(&d) / nb
    } else {
        frobenius(&d)
    }
}

fn check_count(name: &'static str, value: usize, max: usize) -> Result<(), TrainingError> {
    if value == 0 || value > max {
        return Err(TrainingError::Count { name, value, max });
    }
    Ok(())
}

/// The largest eigenvalue of the analytic NTK Gram matrix $\Theta(X, X)$ of `arch` on `x`.
pub fn ntk_lambda_max(arch: &Architecture, x: &Points) -> Result<f64, TrainingError> {
    let kernel = SphereKernel::new(arch.clone(), KernelKind::Ntk, x.dim())?;
    lambda_max_of(&kernel.gram(x, None)?.to_faer())
}

fn lambda_max_of(theta: &Mat<f64>) -> Result<f64, TrainingError> {
    let ev = theta.self_adjoint_eigenvalues(Side::Lower);
    crate::vector_state::clear_upper_state_everywhere();
    let ev = ev.map_err(|_| TrainingError::Gram {
        lambda_max: f64::NAN,
    })?;
    let lambda_max = ev.last().copied().unwrap_or(f64::NAN);
    if !(lambda_max.is_finite() && lambda_max > 0.0) {
        return Err(TrainingError::Gram { lambda_max });
    }
    Ok(lambda_max)
}

/// Trains the finite-width network of `arch` (input dimension `data.inputs.dim()`) on the
/// inputs and targets of `data`, and compares it with the infinite-width kernel at the test
/// inputs (see the [module documentation](self)). `progress` is called after every step with
/// the number of steps done.
///
/// ```
/// use ntk_sphere::{Mlp, Points};
/// use ntk_sphere::training::{train, TrainingData, TrainingOptions};
/// let arch = Mlp::new(1, 1.0).unwrap().into();
/// let x = Points::new(vec![1.0, 0.0, 0.0, 1.0, -1.0, 0.0], 3, 2).unwrap();
/// let data = TrainingData { inputs: x.clone(), targets: vec![0.5, -0.25, 1.0], test: x };
/// let report = train(&arch, &data, &TrainingOptions::new(256, 200), &mut |_| {}).unwrap();
/// assert!(report.loss.last().unwrap() < &(1e-3 * report.loss[0]));
/// assert!(report.ntk_drift.last().unwrap() < &0.1);
/// ```
pub fn train(
    arch: &Architecture,
    data: &TrainingData,
    options: &TrainingOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<TrainingReport, TrainingError> {
    let (x, y, test) = (&data.inputs, &data.targets[..], &data.test);
    check_count("steps", options.steps, MAX_STEPS)?;
    check_count("width", options.width, usize::MAX)?;
    if let Some(k) = options.record_every {
        check_count("record_every", k, usize::MAX)?;
    }
    if let Some(lr) = options.learning_rate
        && !(lr.is_finite() && lr > 0.0)
    {
        return Err(TrainingError::LearningRate { value: lr });
    }
    if y.len() != x.len() {
        return Err(TrainingError::TargetCount {
            inputs: x.len(),
            targets: y.len(),
        });
    }
    if let Some(index) = y.iter().position(|v| !v.is_finite()) {
        return Err(TrainingError::NonFiniteTarget {
            index,
            value: y[index],
        });
    }
    if test.dim() != x.dim() {
        return Err(TrainingError::DimensionMismatch {
            train: x.dim(),
            test: test.dim(),
        });
    }
    let kernel = SphereKernel::new(arch.clone(), KernelKind::Ntk, x.dim())?;
    let theta = kernel.gram(x, None)?.to_faer();
    let lambda_max = lambda_max_of(&theta)?;
    let lr = options.learning_rate.unwrap_or(1.0 / lambda_max);
    let lr_max_stable = 2.0 / lambda_max;

    let first = FiniteNetwork::sample(arch, x.dim(), options.width, options.seed)?;
    let second = match options.init {
        Initialization::Standard => None,
        Initialization::Symmetric => Some(first.clone()),
    };
    let mut model = Model { first, second };
    let theta0 = model.ntk(x, None)?;
    let ntk_init_error = relative_distance(&theta0, &theta);

    // The infinite-width prediction at step T.
    let (k_train, k_test, base_train, base_test) = match options.init {
        Initialization::Symmetric => (
            theta.clone(),
            kernel.gram(test, Some(x))?.to_faer(),
            vec![0.0; x.len()],
            vec![0.0; test.len()],
        ),
        Initialization::Standard => (
            theta0.clone(),
            model.ntk(test, Some(x))?,
            model.outputs(x)?,
            model.outputs(test)?,
        ),
    };
    let v = linearized_coefficients(&k_train, &base_train, y, lr, options.steps);
    let kernel_prediction = apply_coefficients(&k_test, &base_test, &v);
    // On the circle: the kinks of the infinite-width prediction at the data.
    let on_circle = x.dim() == 2
        && (0..x.len()).all(|i| {
            let p = x.row(i);
            (p[0].hypot(p[1]) - 1.0).abs() <= 1e-12
        });
    let kernel_jumps = if on_circle {
        let stencil = jump_stencil(x)?;
        let (k, base) = match options.init {
            Initialization::Symmetric => (
                kernel.gram(&stencil, Some(x))?.to_faer(),
                vec![0.0; stencil.len()],
            ),
            Initialization::Standard => (model.ntk(&stencil, Some(x))?, model.outputs(&stencil)?),
        };
        Some((
            stencil,
            jumps_from_values(&apply_coefficients(&k, &base, &v)),
        ))
    } else {
        None
    };

    let every = options
        .record_every
        .unwrap_or_else(|| options.steps.div_ceil(50));
    let mut steps = Vec::new();
    let mut loss = Vec::new();
    let mut ntk_drift = Vec::new();
    let mut first_loss = None;
    for step in 0..options.steps {
        // The drift of the state after `step` updates, read before the next update (the loss
        // of the same state comes from the step's own forward pass).
        let drift = if step % every == 0 && step > 0 {
            Some(relative_distance(&model.ntk(x, None)?, &theta0))
        } else {
            None
        };
        let l = model.step(x, y, lr)?;
        let l0 = *first_loss.get_or_insert(l);
        if !l.is_finite() || l > DIVERGENCE_FACTOR * l0.max(f64::MIN_POSITIVE) {
            return Err(TrainingError::Diverged {
                step,
                loss: l,
                lr,
                lr_max_stable,
            });
        }
        if step % every == 0 {
            steps.push(step);
            loss.push(l);
            ntk_drift.push(drift.unwrap_or(0.0));
        }
        progress(step + 1);
    }
    // The final state (after T steps).
    let f = model.outputs(x)?;
    let l = 0.5 * f.iter().zip(y).map(|(f, y)| (f - y).powi(2)).sum::<f64>();
    if !l.is_finite() || l > DIVERGENCE_FACTOR * first_loss.unwrap_or(l).max(f64::MIN_POSITIVE) {
        return Err(TrainingError::Diverged {
            step: options.steps,
            loss: l,
            lr,
            lr_max_stable,
        });
    }
    steps.push(options.steps);
    loss.push(l);
    ntk_drift.push(relative_distance(&model.ntk(x, None)?, &theta0));

    let derivative_jumps = match kernel_jumps {
        Some((stencil, kernel)) => Some(DerivativeJumps {
            network: jumps_from_values(&model.outputs(&stencil)?),
            kernel,
        }),
        None => None,
    };
    let test_prediction = model.outputs(test)?;
    let diff: f64 = test_prediction
        .iter()
        .zip(&kernel_prediction)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    let norm: f64 = kernel_prediction.iter().map(|b| b * b).sum::<f64>().sqrt();
    let distance_to_kernel_prediction = if norm > 0.0 { diff / norm } else { diff };
    Ok(TrainingReport {
        lr,
        lr_max_stable,
        lambda_max,
        steps,
        loss,
        ntk_drift,
        ntk_init_error,
        test_prediction,
        kernel_prediction,
        distance_to_kernel_prediction,
        derivative_jumps,
    })
}

/// $v_T$ of $v_{k+1} = \eta(y - b(X)) + (I - \eta K(X,X))v_k$, $v_0 = 0$: the linearized
/// network after `steps` steps of gradient descent is $f_T(x) = b(x) + K(x, X)v_T$.
fn linearized_coefficients(
    k_train: &Mat<f64>,
    base_train: &[f64],
    y: &[f64],
    lr: f64,
    steps: usize,
) -> Vec<f64> {
    let n = y.len();
    let r: Vec<f64> = y
        .iter()
        .zip(base_train)
        .map(|(y, b)| lr * (y - b))
        .collect();
    let mut v = vec![0.0; n];
    let mut kv = vec![0.0; n];
    for _ in 0..steps {
        for (i, kvi) in kv.iter_mut().enumerate() {
            *kvi = (0..n).map(|j| k_train[(i, j)] * v[j]).sum();
        }
        for i in 0..n {
            v[i] += r[i] - lr * kv[i];
        }
    }
    v
}

/// $b(x_i) + \sum_j K(x_i, X_j)v_j$ for the rows of `k` ($K(x, X)$).
fn apply_coefficients(k: &Mat<f64>, base: &[f64], v: &[f64]) -> Vec<f64> {
    (0..k.nrows())
        .map(|i| {
            base[i]
                + v.iter()
                    .enumerate()
                    .map(|(j, vj)| k[(i, j)] * vj)
                    .sum::<f64>()
        })
        .collect()
}

/// The scale $h$ (radians) of the kink measure of [`DerivativeJumps`].
pub const JUMP_STEP: f64 = 1e-2;

/// The kinks of the trained functions at the training points on the circle ($d = 2$): at each
/// training angle $\theta_i$, the difference of one-sided slopes at scale $h$ = [`JUMP_STEP`],
/// $$J_i = \frac{f(\theta_i + h) - f(\theta_i)}{h} - \frac{f(\theta_i) - f(\theta_i - h)}{h},$$
/// for the trained network and for the infinite-width prediction $f_T$: the paper's smoothness
/// measure ([`crate::regression::KernelRegressor::derivative_jumps`]) carried over to finite
/// networks. A kink of size $J$ at $\theta_i$ contributes $J$, a smooth part $h f''(\theta_i)
/// = O(h)$. The scale is needed because a finite ReLU network has its kinks at finitely many
/// angles, almost never exactly at the data: the kernel's kink at a data point is the limit of
/// many small kinks of the network *near* it, so the network's $J_i$ approaches the kernel's
/// at a fixed scale as the width grows (the networks converge uniformly), not at
/// $h \to 0$.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivativeJumps {
    /// The network's jump at each training point (input order).
    pub network: Vec<f64>,
    /// The infinite-width prediction's jump at each training point.
    pub kernel: Vec<f64>,
}

impl DerivativeJumps {
    /// $\sum_i |\text{jump}_i|$ of the network.
    pub fn network_sum(&self) -> f64 {
        self.network.iter().map(|v| v.abs()).sum()
    }
    /// $\sum_i |\text{jump}_i|$ of the infinite-width prediction.
    pub fn kernel_sum(&self) -> f64 {
        self.kernel.iter().map(|v| v.abs()).sum()
    }
}

/// The points $(\cos(\theta_i + k h), \sin(\theta_i + kh))$, $k = -1, 0, 1$, for every
/// training point, in that order.
fn jump_stencil(x: &Points) -> Result<Points, TrainingError> {
    let mut data = Vec::with_capacity(6 * x.len());
    for i in 0..x.len() {
        let p = x.row(i);
        let t = p[1].atan2(p[0]);
        for k in [-1.0, 0.0, 1.0] {
            let a = t + k * JUMP_STEP;
            data.extend([a.cos(), a.sin()]);
        }
    }
    Ok(Points::new(data, 3 * x.len(), 2)?)
}

/// Jumps $(f_+ - f_0)/h - (f_0 - f_-)/h$ from values on [`jump_stencil`].
fn jumps_from_values(f: &[f64]) -> Vec<f64> {
    f.chunks_exact(3)
        .map(|c| ((c[2] - c[1]) - (c[1] - c[0])) / JUMP_STEP)
        .collect()
}

/// The paper's circle data ($d = 2$): the angles $2\pi\\,\mathrm{linspace}(0,1,6) - \pi$ with the
/// duplicate $\pm\pi$ merged (5 points, $\theta = -\pi, -3\pi/5, -\pi/5, \pi/5, 3\pi/5$) and the
/// targets $g(\theta) = \tfrac12\cos\theta + \sin 4\theta$
/// ([`crate::regression::paper_target`]).
pub fn circle_data() -> (Points, Vec<f64>) {
    let mut angles = paper_training_angles();
    angles.pop(); // π duplicates −π on the circle
    let data: Vec<f64> = angles.iter().flat_map(|t| [t.cos(), t.sin()]).collect();
    let y = angles.iter().map(|&t| paper_target(t)).collect();
    let points = Points::new(data, angles.len(), 2).expect("five points of the circle");
    (points, y)
}

/// `n` test points of the circle at $\theta_j = -\pi + 2\pi j/n$.
pub fn circle_test_points(n: usize) -> Result<Points, TrainingError> {
    check_count("test points", n, 10_000_000)?;
    let data: Vec<f64> = (0..n)
        .flat_map(|j| {
            let t = -std::f64::consts::PI + std::f64::consts::TAU * j as f64 / n as f64;
            [t.cos(), t.sin()]
        })
        .collect();
    Ok(Points::new(data, n, 2)?)
}

/// The target on the sphere: $y(x) = \tfrac12x_1 + \sin(4x_d)$ (the paper's target written in
/// coordinates; on the circle $x = (\cos\theta, \sin\theta)$).
pub fn sphere_target(x: &[f64]) -> f64 {
    0.5 * x[0] + (4.0 * x[x.len() - 1]).sin()
}

/// `n` seeded uniform points of $S^{d-1}$ ([`crate::regression::uniform_sphere_points`]) and
/// their targets [`sphere_target`].
pub fn sphere_data(n: usize, dim: usize, seed: u64) -> Result<(Points, Vec<f64>), TrainingError> {
    let points = uniform_sphere_points(n, dim, seed)?;
    let y = (0..points.len())
        .map(|i| sphere_target(points.row(i)))
        .collect();
    Ok((points, y))
}

/// The outcome of [`sweep_widths`].
#[derive(Debug, Clone, PartialEq)]
pub struct WidthSweep {
    /// The widths, in the order given.
    pub widths: Vec<usize>,
    /// The final NTK drift, per width (outer) and per seed (inner).
    pub final_drift: Vec<Vec<f64>>,
    /// The least-squares slope of $\log(\text{drift})$ against $\log m$ over all runs (the
    /// fitted exponent $p$ of drift $\propto m^{p}$; theory: $p \le -1/2$).
    pub slope: f64,
    /// The standard deviation of the per-seed slopes (0 for one seed).
    pub slope_spread: f64,
}

/// Runs [`train`] for every width and seed (`seeds` consecutive seeds from `options.seed`) and
/// fits the exponent of the final drift against the width.
pub fn sweep_widths(
    arch: &Architecture,
    data: &TrainingData,
    widths: &[usize],
    seeds: usize,
    options: &TrainingOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<WidthSweep, TrainingError> {
    check_count("seeds", seeds, 10_000)?;
    if widths.len() < 2 {
        return Err(TrainingError::Count {
            name: "number of widths",
            value: widths.len(),
            max: usize::MAX,
        });
    }
    let mut final_drift = Vec::with_capacity(widths.len());
    let mut done = 0;
    for &w in widths {
        let mut per_seed = Vec::with_capacity(seeds);
        for s in 0..seeds {
            let o = TrainingOptions {
                width: w,
                seed: options.seed.wrapping_add(s as u64),
                ..options.clone()
            };
            let r = train(arch, data, &o, &mut |_| {})?;
            per_seed.push(*r.ntk_drift.last().unwrap_or(&f64::NAN));
            done += 1;
            progress(done);
        }
        final_drift.push(per_seed);
    }
    // log drift against log width, by the crate's one log-log fit (zero drifts are left out;
    // fewer than two left is an error, not a NaN slope)
    let fit =
        |k: Vec<usize>, d: Vec<f64>| fitted_exponent(&k, &d).map_err(|_| TrainingError::NoDrift);
    let slope = fit(
        widths
            .iter()
            .flat_map(|&w| std::iter::repeat_n(w, seeds))
            .collect(),
        final_drift.iter().flatten().copied().collect(),
    )?;
    let per_seed: Vec<f64> = (0..seeds)
        .map(|s| fit(widths.to_vec(), final_drift.iter().map(|d| d[s]).collect()))
        .collect::<Result<_, _>>()?;
    let mean = per_seed.iter().sum::<f64>() / seeds as f64;
    let slope_spread = if seeds > 1 {
        (per_seed.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64).sqrt()
    } else {
        0.0
    };
    Ok(WidthSweep {
        widths: widths.to_vec(),
        final_drift,
        slope,
        slope_spread,
    })
}
