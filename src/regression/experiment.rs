//! The 1-D regression experiment of Tirer, Bruna & Giryes (2021): kernel interpolation on the
//! circle with MLP and ResNet NTKs.

use std::f64::consts::{PI, TAU};

use super::RegressionError;
use super::fit::KernelRegressor;
use super::measures::SobolevSeminorm;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

use crate::error::KernelError;
use crate::kernel::{Points, SphereKernel};

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
#[derive(Debug, Clone)]
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

/// Number of test points of [`sphere_experiment`].
pub const SPHERE_TEST_POINTS: usize = 2000;

/// The target of [`sphere_experiment`], $g(x) = \tfrac12 x_1 + \sin 4x_2$ (on the circle,
/// $x = (\cos\theta, \sin\theta)$, it has the same linear part as [`paper_target`] and an
/// oscillating part of comparable frequency).
pub fn sphere_target(x: &[f64]) -> f64 {
    0.5 * x[0] + (4.0 * x.get(1).copied().unwrap_or(0.0)).sin()
}

/// Largest sample of [`uniform_sphere_points`]: $n \cdot d \le 2^{31}$ coordinates (16 GiB).
pub const MAX_SAMPLE_COORDINATES: usize = 1 << 31;

/// `n` points drawn uniformly on $S^{d-1}$ (normalized standard Gaussian vectors) from the
/// deterministic generator seeded with `seed`.
///
/// Errors ([`RegressionError::Kernel`]): [`KernelError::DimensionTooSmall`] for $d = 0$,
/// [`KernelError::EmptyInput`] for $n = 0$, [`KernelError::TooLarge`] if $n \cdot d$ exceeds
/// [`MAX_SAMPLE_COORDINATES`] or cannot be allocated.
pub fn uniform_sphere_points(n: usize, dim: usize, seed: u64) -> Result<Points, RegressionError> {
    if dim == 0 {
        return Err(KernelError::DimensionTooSmall { dim }.into());
    }
    if n == 0 {
        return Err(KernelError::EmptyInput { what: "no points" }.into());
    }
    let too_large = |limit| KernelError::TooLarge {
        what: "point set",
        rows: n,
        cols: dim,
        limit,
    };
    let len = n
        .checked_mul(dim)
        .filter(|&l| l <= MAX_SAMPLE_COORDINATES)
        .ok_or(too_large(Some(MAX_SAMPLE_COORDINATES)))?;
    let mut data = Vec::new();
    data.try_reserve_exact(len).map_err(|_| too_large(None))?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for _ in 0..n {
        loop {
            let v: Vec<f64> = (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect();
            let norm = v.iter().map(|x: &f64| x * x).sum::<f64>().sqrt();
            if norm > 1e-8 {
                data.extend(v.iter().map(|x| x / norm));
                break;
            }
        }
    }
    Ok(Points::new(data, n, dim)?)
}

/// The measures of the interpolant of one kernel in [`sphere_experiment`].
#[derive(Debug, Clone)]
pub struct SphereExperiment {
    /// The fitted interpolant (ridge 0).
    pub regressor: KernelRegressor,
    /// [`KernelRegressor::rkhs_norm`].
    pub rkhs_norm: f64,
    /// [`KernelRegressor::h1_seminorm`].
    pub h1_seminorm: SobolevSeminorm,
    /// [`KernelRegressor::max_gradient_norm`] over the test points, the training points and
    /// their antipodes (the kinks of the interpolant).
    pub max_gradient_norm: f64,
    /// RMSE against [`sphere_target`] on [`SPHERE_TEST_POINTS`] uniform test points.
    pub test_rmse: f64,
}

/// The paper's comparison beyond the circle: interpolation (ridge 0) of [`sphere_target`] at
/// `n_train` uniform random points of $S^{d-1}$ ($d$ = `kernel.dim()`, seed `seed`; the test
/// points come from the seed `seed + 1`), with the measures of [`SphereExperiment`].
///
/// Errors: `n_train = 0` ([`RegressionError::EmptyInput`]), and those of the fit and the measures
/// (e.g. a singular Gram matrix).
pub fn sphere_experiment(
    kernel: &SphereKernel,
    n_train: usize,
    seed: u64,
) -> Result<SphereExperiment, RegressionError> {
    if n_train == 0 {
        return Err(RegressionError::EmptyInput {
            what: "training points",
        });
    }
    let d = kernel.dim();
    let train = uniform_sphere_points(n_train, d, seed)?;
    let test = uniform_sphere_points(SPHERE_TEST_POINTS, d, seed.wrapping_add(1))?;
    let y: Vec<f64> = (0..n_train).map(|i| sphere_target(train.row(i))).collect();
    let regressor = KernelRegressor::fit(kernel, &train, &y, 0.0)?;
    let mut probe = test.as_slice().to_vec();
    probe.extend_from_slice(train.as_slice());
    probe.extend(train.as_slice().iter().map(|x| -x));
    let probe = Points::new(probe, SPHERE_TEST_POINTS + 2 * n_train, d)?;
    Ok(SphereExperiment {
        rkhs_norm: regressor.rkhs_norm(),
        h1_seminorm: regressor.h1_seminorm()?,
        max_gradient_norm: regressor.max_gradient_norm(&probe)?,
        test_rmse: regressor.rmse(sphere_target, &test)?,
        regressor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes that cannot be sampled are typed errors (no abort in the allocator, no endless
    /// loop for d = 0).
    #[test]
    fn uniform_sphere_points_rejects_impossible_sizes() {
        match uniform_sphere_points(1e12 as usize, 3, 7) {
            Err(RegressionError::Kernel(KernelError::TooLarge {
                rows, cols, limit, ..
            })) => {
                assert_eq!(
                    (rows, cols, limit),
                    (1e12 as usize, 3, Some(MAX_SAMPLE_COORDINATES))
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(uniform_sphere_points(usize::MAX, 2, 7).is_err());
        assert_eq!(
            uniform_sphere_points(10, 0, 1).unwrap_err(),
            RegressionError::Kernel(KernelError::DimensionTooSmall { dim: 0 })
        );
        assert!(matches!(
            uniform_sphere_points(0, 3, 1),
            Err(RegressionError::Kernel(KernelError::EmptyInput { .. }))
        ));
        let p = uniform_sphere_points(5, 1, 3).unwrap();
        assert!(p.as_slice().iter().all(|v| v.abs() == 1.0));
    }

    #[test]
    fn max_abs_derivative_rejects_huge_grids() {
        let k =
            SphereKernel::new(crate::Mlp::new(2, 1.0).unwrap(), crate::KernelKind::Ntk, 2).unwrap();
        let r = KernelRegressor::fit_angles(&k, &[0.0, 1.0], &[1.0, -1.0], 0.0).unwrap();
        for n in [usize::MAX, super::super::MAX_GRID_POINTS + 1, 0] {
            let e = r.max_abs_derivative(n).unwrap_err();
            assert_eq!(e, RegressionError::InvalidGrid { n });
            assert_eq!(
                e.to_string(),
                format!("a grid needs between 1 and 16777216 points, got {n}")
            );
        }
        assert!(r.max_abs_derivative(100).unwrap().is_finite());
    }
}
