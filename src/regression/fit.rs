//! Fitting and prediction: $c = (K + \lambda W^{-1})^{-1}\bar y$ on merged centers.

use faer::Mat;
use faer::linalg::solvers::{Llt, LltError, Solve};

use super::RegressionError;
use crate::kernel::{Matrix, Points, SphereKernel, angle_between, gram_exact};

/// Points are accepted as unit vectors when $|\\,\\|x\\| - 1| \le$ `UNIT_TOLERANCE`; they are then
/// projected onto the sphere ($x/\\|x\\|$). Farther points are rejected
/// ([`RegressionError::NotUnit`]): the kernels are not constant along rays
/// ($K(x,y) = \\|x\\|\\,\\|y\\|\\,\kappa(\cos\angle(x,y))$), so silently normalizing would change the
/// problem.
pub const UNIT_TOLERANCE: f64 = 1e-12;

/// Two points at an angle at most `COINCIDENCE_ANGLE` are the same point of the sphere (e.g. the
/// angles $-\pi$ and $\pi$ on the circle, $2.4\cdot10^{-16}$ apart after rounding).
pub const COINCIDENCE_ANGLE: f64 = 1e-12;

/// Coincident points have *equal* targets when they differ by at most
/// `MERGE_TARGET_REL` $\cdot \max_i |y_i|$ (absorbs the rounding of a target function evaluated
/// at $-\pi$ and $\pi$).
pub const MERGE_TARGET_REL: f64 = 1e-12;

/// A Cholesky pivot with $L_{ii}^2/A_{ii}$ below `SINGULAR_PIVOT` means a numerically singular
/// system ([`RegressionError::Singular`]): the coefficients would carry no correct digits.
pub const SINGULAR_PIVOT: f64 = 1e-13;

/// Kernel ridge regression (and, for ridge $\lambda = 0$, exact interpolation) with a dot-product
/// kernel on $S^{d-1}$.
///
/// **Model.** Given unit points $x_1..x_n$ and targets $y_i$, the minimizer over the RKHS
/// $\mathcal H_\kappa$ of $\sum_i (f(x_i) - y_i)^2 + \lambda\\|f\\|\_{\mathcal H}^2$ is
/// $f(x) = \sum_i c_i\\,\kappa(\langle x_i, x\rangle)$, $c = (K + \lambda I)^{-1}y$, $K_{ij} =
/// \kappa(\langle x_i, x_j\rangle)$ (representer theorem; Schölkopf, Herbrich & Smola 2001); for
/// $\lambda \to 0$ it is the minimum-norm interpolant $c = K^{-1}y$.
///
/// **Coincident points.** Points closer than [`COINCIDENCE_ANGLE`] are merged into one center
/// $u$ with multiplicity $w_u$ and mean target $\bar y_u$. Since $\sum_{i\in u}(f(x_u) - y_i)^2
/// = w_u (f(x_u) - \bar y_u)^2 + \text{const}$, the same $f$ is $f = \sum_u c_u\\,\kappa(\langle
/// x_u,\cdot\rangle)$ with
/// $$c = (K + \lambda W^{-1})^{-1}\bar y,\qquad W = \operatorname{diag}(w_u),$$
/// $K$ the (invertible) Gram matrix of the centers. With $\lambda = 0$ this needs equal targets at
/// coincident points ([`RegressionError::ConflictingTargets`] otherwise). The system is solved by
/// a Cholesky factorization (`faer`).
///
/// ```
/// use ntk_sphere::{KernelKind, Mlp, SphereKernel};
/// use ntk_sphere::regression::KernelRegressor;
/// let k = SphereKernel::new(Mlp::new(2, 1.0).unwrap(), KernelKind::Ntk, 2).unwrap();
/// let theta = [-3.0, -1.0, 0.5, 2.0];
/// let y = [1.0, -0.5, 0.25, 2.0];
/// let f = KernelRegressor::fit_angles(&k, &theta, &y, 0.0).unwrap();
/// let pred = f.predict_angles(&theta).unwrap();
/// for (p, t) in pred.iter().zip(y) {
///     assert!((p - t).abs() < 1e-12);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct KernelRegressor {
    pub(crate) kernel: SphereKernel,
    pub(crate) centers: Points,
    pub(crate) center_of: Vec<usize>,
    pub(crate) multiplicities: Vec<usize>,
    pub(crate) center_targets: Vec<f64>,
    pub(crate) ridge: f64,
    pub(crate) gram: Matrix,
    pub(crate) coefficients: Vec<f64>,
}

/// Validates that `points` are unit vectors of $\mathbb R^d$ and returns them projected onto the
/// sphere.
pub(crate) fn unit_points(
    kernel: &SphereKernel,
    points: &Points,
) -> Result<Points, RegressionError> {
    let d = kernel.dim();
    if points.dim() != d {
        return Err(RegressionError::DimensionMismatch {
            expected: d,
            found: points.dim(),
        });
    }
    let mut data = Vec::with_capacity(points.len() * d);
    for i in 0..points.len() {
        let row = points.row(i);
        let m = row.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let norm = if m == 0.0 {
            0.0
        } else {
            m * row.iter().map(|v| (v / m) * (v / m)).sum::<f64>().sqrt()
        };
        if (norm - 1.0).abs() > UNIT_TOLERANCE {
            return Err(RegressionError::NotUnit { index: i, norm });
        }
        data.extend(row.iter().map(|v| v / norm));
    }
    Ok(Points::new(data, points.len(), d)?)
}

/// Points $(\cos\theta_i, \sin\theta_i)$ of the circle.
pub(crate) fn circle_points(theta: &[f64]) -> Result<Option<Points>, RegressionError> {
    if let Some(i) = theta.iter().position(|t| !t.is_finite()) {
        return Err(RegressionError::NonFiniteAngle {
            index: i,
            value: theta[i],
        });
    }
    if theta.is_empty() {
        return Ok(None);
    }
    let data: Vec<f64> = theta.iter().flat_map(|t| [t.cos(), t.sin()]).collect();
    Ok(Some(Points::new(data, theta.len(), 2)?))
}

pub(crate) fn require_circle(kernel: &SphereKernel) -> Result<(), RegressionError> {
    if kernel.dim() == 2 {
        Ok(())
    } else {
        Err(RegressionError::NotCircle { dim: kernel.dim() })
    }
}

/// [`RegressionError::Overflow`] at the first non-finite value.
fn overflow_check(
    quantity: &'static str,
    values: &[f64],
    max_target: f64,
    kernel_scale: f64,
) -> Result<(), RegressionError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(RegressionError::Overflow {
            quantity,
            index,
            value: values[index],
            max_target,
            kernel_scale,
        }),
        None => Ok(()),
    }
}

impl KernelRegressor {
    /// Fits $f = \sum_u c_u\\,\kappa(\langle x_u, \cdot\rangle)$ to `targets` at the unit `points`
    /// with ridge $\lambda$ = `ridge` $\ge 0$ (absolute, in the units of $\kappa$; $0$ =
    /// interpolation), see the [type documentation](Self).
    ///
    /// Errors: [`RegressionError::InvalidRidge`], [`RegressionError::DimensionMismatch`] (points
    /// not in $\mathbb R^d$ of the kernel), [`RegressionError::LengthMismatch`],
    /// [`RegressionError::NonFiniteTarget`], [`RegressionError::NotUnit`],
    /// [`RegressionError::ConflictingTargets`] (ridge 0 only),
    /// [`RegressionError::NotPositiveDefinite`] / [`RegressionError::Singular`] (with the pivot
    /// index), [`RegressionError::Overflow`] (coefficients beyond `f64`), kernel errors.
    pub fn fit(
        kernel: &SphereKernel,
        points: &Points,
        targets: &[f64],
        ridge: f64,
    ) -> Result<Self, RegressionError> {
        if !(ridge.is_finite() && ridge >= 0.0) {
            return Err(RegressionError::InvalidRidge { ridge });
        }
        if targets.len() != points.len() {
            return Err(RegressionError::LengthMismatch {
                points: points.len(),
                targets: targets.len(),
            });
        }
        if let Some(i) = targets.iter().position(|y| !y.is_finite()) {
            return Err(RegressionError::NonFiniteTarget {
                index: i,
                value: targets[i],
            });
        }
        let x = unit_points(kernel, points)?;
        let d = kernel.dim();
        let ymax = targets.iter().fold(0.0_f64, |m, y| m.max(y.abs()));
        let target_tol = MERGE_TARGET_REL * ymax;

        // Merge coincident points: first representative of each center.
        let mut reps: Vec<usize> = Vec::new();
        let mut center_of = Vec::with_capacity(x.len());
        let mut sums: Vec<f64> = Vec::new();
        let mut multiplicities: Vec<usize> = Vec::new();
        for i in 0..x.len() {
            let found = reps
                .iter()
                .position(|&r| angle_between(x.row(r), 1.0, x.row(i), 1.0) <= COINCIDENCE_ANGLE);
            match found {
                Some(u) => {
                    let r = reps[u];
                    if ridge == 0.0 && (targets[i] - targets[r]).abs() > target_tol {
                        return Err(RegressionError::ConflictingTargets {
                            first: r,
                            second: i,
                            first_target: targets[r],
                            second_target: targets[i],
                        });
                    }
                    // Running mean (a sum of targets near f64::MAX would overflow).
                    multiplicities[u] += 1;
                    sums[u] += (targets[i] - sums[u]) / multiplicities[u] as f64;
                    center_of.push(u);
                }
                None => {
                    center_of.push(reps.len());
                    reps.push(i);
                    sums.push(targets[i]);
                    multiplicities.push(1);
                }
            }
        }
        let n = reps.len();
        let data: Vec<f64> = reps.iter().flat_map(|&r| x.row(r).to_vec()).collect();
        let centers = Points::new(data, n, d)?;
        let center_targets = sums;

        let gram = gram_exact(kernel.arch(), kernel.kind(), &centers, None)?;
        let a = Mat::from_fn(n, n, |i, j| {
            let mut v = gram.get(i, j);
            if i == j {
                v += ridge / multiplicities[i] as f64;
            }
            v
        });
        let llt = Llt::new(a.as_ref(), faer::Side::Lower).map_err(|e| match e {
            LltError::NonPositivePivot { index } => RegressionError::NotPositiveDefinite { index },
        })?;
        let l = llt.L();
        for i in 0..n {
            let relative_pivot = l[(i, i)] * l[(i, i)] / a[(i, i)];
            if relative_pivot.is_nan() || relative_pivot < SINGULAR_PIVOT {
                return Err(RegressionError::Singular {
                    index: i,
                    relative_pivot,
                });
            }
        }
        let rhs = Mat::from_fn(n, 1, |i, _| center_targets[i]);
        let sol = llt.solve(&rhs);
        crate::vector_state::clear_upper_state_everywhere();
        let coefficients: Vec<f64> = (0..n).map(|i| sol[(i, 0)]).collect();
        let kernel_scale = (0..n).fold(0.0_f64, |m, i| m.max(gram.get(i, i).abs()));
        overflow_check("coefficient", &coefficients, ymax, kernel_scale)?;
        Ok(Self {
            kernel: kernel.clone(),
            centers,
            center_of,
            multiplicities,
            center_targets,
            ridge,
            gram,
            coefficients,
        })
    }

    /// [`KernelRegressor::fit`] on the circle ($d = 2$) from angles: $x_i = (\cos\theta_i,
    /// \sin\theta_i)$ (any finite angles; $\theta$ and $\theta + 2\pi$ are the same point and are
    /// merged).
    ///
    /// Errors: [`RegressionError::NotCircle`] if the kernel has $d \ne 2$,
    /// [`RegressionError::NonFiniteAngle`], [`RegressionError::EmptyInput`], and those of
    /// [`KernelRegressor::fit`].
    pub fn fit_angles(
        kernel: &SphereKernel,
        theta: &[f64],
        targets: &[f64],
        ridge: f64,
    ) -> Result<Self, RegressionError> {
        require_circle(kernel)?;
        if theta.len() != targets.len() {
            return Err(RegressionError::LengthMismatch {
                points: theta.len(),
                targets: targets.len(),
            });
        }
        let points = circle_points(theta)?.ok_or(RegressionError::EmptyInput {
            what: "no training angles",
        })?;
        Self::fit(kernel, &points, targets, ridge)
    }

    /// The kernel.
    pub fn kernel(&self) -> &SphereKernel {
        &self.kernel
    }
    /// The merged centers $x_u$ (unit vectors, in order of first appearance).
    pub fn centers(&self) -> &Points {
        &self.centers
    }
    /// For each input point, the index of its center.
    pub fn center_of(&self) -> &[usize] {
        &self.center_of
    }
    /// The multiplicities $w_u$ of the centers.
    pub fn multiplicities(&self) -> &[usize] {
        &self.multiplicities
    }
    /// The mean targets $\bar y_u$ of the centers.
    pub fn center_targets(&self) -> &[f64] {
        &self.center_targets
    }
    /// The ridge $\lambda$.
    pub fn ridge(&self) -> f64 {
        self.ridge
    }
    /// The Gram matrix $K$ of the centers (exact path, [`gram_exact`]).
    pub fn gram(&self) -> &Matrix {
        &self.gram
    }
    /// The coefficients $c = (K + \lambda W^{-1})^{-1}\bar y$, one per center.
    pub fn coefficients(&self) -> &[f64] {
        &self.coefficients
    }

    /// $f(x) = \sum_u c_u\\,\kappa(\langle x_u, x\rangle)$ at each unit point $x$ (kernel values by
    /// the exact path [`gram_exact`]).
    ///
    /// Errors: [`RegressionError::DimensionMismatch`], [`RegressionError::NotUnit`],
    /// [`RegressionError::Overflow`].
    pub fn predict(&self, x: &Points) -> Result<Vec<f64>, RegressionError> {
        let x = unit_points(&self.kernel, x)?;
        let k = gram_exact(
            self.kernel.arch(),
            self.kernel.kind(),
            &x,
            Some(&self.centers),
        )?;
        let out: Vec<f64> = (0..x.len())
            .map(|i| {
                k.row(i)
                    .iter()
                    .zip(&self.coefficients)
                    .map(|(a, c)| a * c)
                    .sum()
            })
            .collect();
        let ymax = self
            .center_targets
            .iter()
            .fold(0.0_f64, |m, y| m.max(y.abs()));
        let n = self.centers.len();
        let kernel_scale = (0..n).fold(0.0_f64, |m, i| m.max(self.gram.get(i, i).abs()));
        overflow_check("prediction", &out, ymax, kernel_scale)?;
        Ok(out)
    }

    /// $f(\cos\theta, \sin\theta)$ on the circle ($d = 2$); an empty slice gives an empty vector.
    ///
    /// Errors: [`RegressionError::NotCircle`], [`RegressionError::NonFiniteAngle`].
    pub fn predict_angles(&self, theta: &[f64]) -> Result<Vec<f64>, RegressionError> {
        require_circle(&self.kernel)?;
        match circle_points(theta)? {
            Some(p) => self.predict(&p),
            None => Ok(Vec::new()),
        }
    }

    /// Root-mean-square error $\big(\frac1m\sum_j (f(x_j) - g(x_j))^2\big)^{1/2}$ against a target
    /// function $g$ on the unit test points.
    ///
    /// Errors: those of [`KernelRegressor::predict`]; [`RegressionError::NonFiniteTarget`] if
    /// $g$ returns a non-finite value (index of the test point).
    pub fn rmse(&self, target: impl Fn(&[f64]) -> f64, x: &Points) -> Result<f64, RegressionError> {
        let pred = self.predict(x)?;
        let mut sum = 0.0;
        for (j, p) in pred.iter().enumerate() {
            let g = target(x.row(j));
            if !g.is_finite() {
                return Err(RegressionError::NonFiniteTarget { index: j, value: g });
            }
            sum += (p - g) * (p - g);
        }
        Ok((sum / pred.len() as f64).sqrt())
    }

    /// [`KernelRegressor::rmse`] on the circle, with the target a function of the angle.
    ///
    /// Errors: [`RegressionError::EmptyInput`] for no angles, and those of
    /// [`KernelRegressor::predict_angles`] and [`KernelRegressor::rmse`].
    pub fn rmse_angles(
        &self,
        target: impl Fn(f64) -> f64,
        theta: &[f64],
    ) -> Result<f64, RegressionError> {
        require_circle(&self.kernel)?;
        let p = circle_points(theta)?.ok_or(RegressionError::EmptyInput {
            what: "no test angles",
        })?;
        let pred = self.predict(&p)?;
        let mut sum = 0.0;
        for (j, (p, &t)) in pred.iter().zip(theta).enumerate() {
            let g = target(t);
            if !g.is_finite() {
                return Err(RegressionError::NonFiniteTarget { index: j, value: g });
            }
            sum += (p - g) * (p - g);
        }
        Ok((sum / pred.len() as f64).sqrt())
    }
}
