//! The 1-D regression experiment of Tirer, Bruna & Giryes (2021): kernel interpolation on the
//! circle with MLP and ResNet NTKs.

use std::f64::consts::{PI, TAU};

use super::RegressionError;
use super::fit::KernelRegressor;
use super::measures::SobolevSeminorm;
use crate::kernel::SphereKernel;

/// Number of training angles, $2\pi\\,\mathrm{linspace}(0, 1, 6) - \pi$ (the first and last are
/// the same point of the circle, so 5 distinct centers remain).
pub const PAPER_TRAIN_POINTS: usize = 6;
/// Number of test angles, $\theta_j = -\pi + 2\pi j/2000$.
pub const PAPER_TEST_POINTS: usize = 2000;
/// Grid size used for [`KernelRegressor::max_abs_derivative`] in [`paper_experiment`].
pub const PAPER_DERIVATIVE_GRID: usize = 20_000;

/// The target function of the experiment, $g(\theta) = \tfrac12\cos\theta + \sin 4\theta$.
pub fn paper_target(theta: f64) -> f64 {
    0.5 * theta.cos() + (4.0 * theta).sin()
}

/// The training angles $2\pi\\,\mathrm{linspace}(0,1,6) - \pi = -\pi, -3\pi/5, \dots, \pi$.
pub fn paper_training_angles() -> Vec<f64> {
    let m = (PAPER_TRAIN_POINTS - 1) as f64;
    (0..PAPER_TRAIN_POINTS)
        .map(|i| TAU * i as f64 / m - PI)
        .collect()
}

/// The uniform test grid $\theta_j = -\pi + 2\pi j/n$, $j < n$ = [`PAPER_TEST_POINTS`].
pub fn paper_test_angles() -> Vec<f64> {
    let n = PAPER_TEST_POINTS as f64;
    (0..PAPER_TEST_POINTS)
        .map(|j| -PI + TAU * j as f64 / n)
        .collect()
}

/// The measures of the interpolant of one kernel in the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperExperiment {
    /// The fitted interpolant (ridge 0).
    pub regressor: KernelRegressor,
    /// [`KernelRegressor::derivative_jump_sum`].
    pub derivative_jump_sum: f64,
    /// [`KernelRegressor::rkhs_norm`].
    pub rkhs_norm: f64,
    /// [`KernelRegressor::h1_seminorm`].
    pub h1_seminorm: SobolevSeminorm,
    /// [`KernelRegressor::max_abs_derivative`] on [`PAPER_DERIVATIVE_GRID`] points.
    pub max_abs_derivative: f64,
    /// [`KernelRegressor::rmse_angles`] against [`paper_target`] on [`paper_test_angles`].
    pub test_rmse: f64,
}

/// Runs the experiment for one kernel on the circle ($d = 2$): interpolation (ridge 0) of
/// [`paper_target`] at [`paper_training_angles`] ($-\pi$ and $\pi$ merged), then the smoothness
/// measures and the test RMSE. The paper's claim is that the ResNet NTK interpolant is smoother
/// (smaller derivative jumps at the data) than the MLP one.
///
/// Errors: [`RegressionError::NotCircle`] if $d \ne 2$, and those of the measures.
pub fn paper_experiment(kernel: &SphereKernel) -> Result<PaperExperiment, RegressionError> {
    let theta = paper_training_angles();
    let y: Vec<f64> = theta.iter().map(|&t| paper_target(t)).collect();
    let regressor = KernelRegressor::fit_angles(kernel, &theta, &y, 0.0)?;
    Ok(PaperExperiment {
        derivative_jump_sum: regressor.derivative_jump_sum()?,
        rkhs_norm: regressor.rkhs_norm(),
        h1_seminorm: regressor.h1_seminorm()?,
        max_abs_derivative: regressor.max_abs_derivative(PAPER_DERIVATIVE_GRID)?,
        test_rmse: regressor.rmse_angles(paper_target, &paper_test_angles())?,
        regressor,
    })
}
