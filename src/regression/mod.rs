//! Kernel interpolation and ridge regression on $S^{d-1}$, and smoothness measures of the fitted
//! functions (Tirer, Bruna & Giryes, *Kernel-Based Smoothness Analysis of Residual Networks*,
//! MSML 2021, §5: kernel regression with MLP and ResNet NTKs).
//!
//! A fit is $f(x) = \sum_u c_u\\,\kappa(\langle x_u, x\rangle)$ with
//! $c = (K + \lambda W^{-1})^{-1}\bar y$ on merged centers ([`KernelRegressor`]). Measures:
//! * [`KernelRegressor::rkhs_norm`]: $\\|f\\|\_{\mathcal H} = \sqrt{c^\top Kc}$;
//! * [`KernelRegressor::sobolev_seminorm`]: $|f|^2_{H^s} = \sum_k (k(k+d-2))^s\\,\mu_k^2 N(d,k)
//!   \sum_{u,v}c_uc_vP_k(\langle x_u,x_v\rangle)$, with a tail estimate;
//! * on the circle: one-sided derivatives [`KernelRegressor::derivative_angle`], the jumps at the
//!   data [`KernelRegressor::derivative_jump_sum`], [`KernelRegressor::max_abs_derivative`];
//!   in any dimension [`KernelRegressor::max_gradient_norm`] on a point set;
//! * [`KernelRegressor::rmse`] against a target function.
//!
//! [`paper_experiment`] runs the paper's 1-D experiment for one kernel, [`sphere_experiment`]
//! the same comparison with random points on $S^{d-1}$.

mod error;
mod experiment;
mod fit;
mod measures;

pub use error::RegressionError;
pub use experiment::{
    MAX_SAMPLE_COORDINATES, PAPER_DERIVATIVE_GRID, PAPER_TEST_POINTS, PAPER_TRAIN_POINTS,
    PaperExperiment, SPHERE_TEST_POINTS, SphereExperiment, paper_experiment, paper_target,
    paper_test_angles, paper_training_angles, sphere_experiment, sphere_target,
    uniform_sphere_points,
};
pub use fit::{
    COINCIDENCE_ANGLE, KernelRegressor, MERGE_TARGET_REL, SINGULAR_PIVOT, UNIT_TOLERANCE,
};
pub use measures::{H1_KMAX, KINK_ANGLE, LimitSide, MAX_GRID_POINTS, SobolevSeminorm};
