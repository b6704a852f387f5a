//! Kernel regression (`ntk_sphere::regression::KernelRegressor`), the empirical NTK of
//! finite-width networks (`ntk_sphere::empirical`) and training (`ntk_sphere::training`).

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use serde_json::{Value, json};

use ntk_sphere::empirical::FiniteNetwork;
use ntk_sphere::kernel::Matrix;
use ntk_sphere::regression::KernelRegressor;
use ntk_sphere::training::{Initialization, TrainingData, TrainingOptions, train as train_net};

use crate::{InputError, Net, NtkSphereError, err, json_or_null, points, sphere_kernel, vector};

/// A fitted kernel regressor f = Σ_u c_u κ(⟨x_u, ·⟩) (duplicate points merged).
#[pyclass(module = "ntk_sphere._native", frozen)]
pub struct Regressor {
    inner: KernelRegressor,
}

fn matrix<'py>(py: Python<'py>, m: Matrix) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (rows, cols) = m.shape();
    PyArray1::from_vec(py, m.into_vec()).reshape([rows, cols])
}

#[pymethods]
impl Regressor {
    /// Fits to targets `y` at the unit rows of `x` with the given ridge (0 = interpolation).
    #[staticmethod]
    #[pyo3(signature = (net, x, y, kind, ridge))]
    fn fit(
        py: Python<'_>,
        net: &Net,
        x: PyReadonlyArray2<'_, f64>,
        y: PyReadonlyArray1<'_, f64>,
        kind: &str,
        ridge: f64,
    ) -> PyResult<Self> {
        let points = points(&x, "X")?;
        let targets = vector(&y, "y")?;
        let k = sphere_kernel(net, kind, points.dim())?;
        let inner = py
            .detach(|| KernelRegressor::fit(&k, &points, &targets, ridge))
            .map_err(err)?;
        Ok(Self { inner })
    }

    /// Predictions at the rows of `x` (unit vectors of the training dimension).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let points = points(&x, "X")?;
        let out = py.detach(|| self.inner.predict(&points)).map_err(err)?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// The coefficients c_u, one per merged center.
    #[getter]
    fn coefficients<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.inner.coefficients())
    }

    /// The merged centers x_u (rows).
    #[getter]
    fn centers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let c = self.inner.centers();
        PyArray1::from_slice(py, c.as_slice()).reshape([c.len(), c.dim()])
    }

    /// For each training point, the index of its center.
    #[getter]
    fn center_of(&self) -> Vec<usize> {
        self.inner.center_of().to_vec()
    }

    /// The ridge λ.
    #[getter]
    fn ridge(&self) -> f64 {
        self.inner.ridge()
    }

    /// The RKHS norm ‖f‖_H = √(cᵀ K c) of the fitted function.
    fn rkhs_norm(&self) -> f64 {
        self.inner.rkhs_norm()
    }
}

/// The exact empirical NTK Θ̂(x, y) = Σ_p ∂f(x)/∂p ∂f(y)/∂p of a finite-width network with
/// i.i.d. N(0, 1) weights (NTK parametrization), sampled with `seed`.
#[pyfunction]
#[pyo3(signature = (net, x, y, width, seed))]
fn empirical_ntk<'py>(
    py: Python<'py>,
    net: &Net,
    x: PyReadonlyArray2<'py, f64>,
    y: Option<PyReadonlyArray2<'py, f64>>,
    width: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let px = points(&x, "X")?;
    let qy = match &y {
        Some(y) => Some(points(y, "Y")?),
        None => None,
    };
    if let Some(q) = &qy
        && q.dim() != px.dim()
    {
        return Err(InputError::new_err(format!(
            "dimension mismatch: Y has {} coordinates per point, X has {}",
            q.dim(),
            px.dim()
        )));
    }
    let arch = &net.arch;
    let m = py
        .detach(|| {
            let f = FiniteNetwork::sample(arch, px.dim(), width, seed)?;
            f.empirical_ntk(&px, qy.as_ref())
        })
        .map_err(err)?;
    matrix(py, m)
}

/// Outputs f(x) of the finite-width network sampled with `seed` (as in `empirical_ntk`).
#[pyfunction]
#[pyo3(signature = (net, x, width, seed))]
fn network_outputs<'py>(
    py: Python<'py>,
    net: &Net,
    x: PyReadonlyArray2<'py, f64>,
    width: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let px = points(&x, "X")?;
    let arch = &net.arch;
    let out = py
        .detach(|| FiniteNetwork::sample(arch, px.dim(), width, seed)?.forward(&px))
        .map_err(err)?;
    Ok(PyArray1::from_vec(py, out))
}

/// `ntk train`: full-batch gradient descent of the finite-width network; the report as JSON
/// with the CLI's keys.
#[pyfunction]
#[pyo3(signature = (net, x, y, x_test, width, steps, lr, seed, init, record_every))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    net: &Net,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, f64>,
    x_test: PyReadonlyArray2<'_, f64>,
    width: usize,
    steps: usize,
    lr: Option<f64>,
    seed: u64,
    init: &str,
    record_every: Option<usize>,
) -> PyResult<String> {
    let inputs = points(&x, "X")?;
    let targets = vector(&y, "y")?;
    let test = points(&x_test, "X_test")?;
    if targets.len() != inputs.len() {
        return Err(InputError::new_err(format!(
            "{} points but {} targets",
            inputs.len(),
            targets.len()
        )));
    }
    if test.dim() != inputs.dim() {
        return Err(InputError::new_err(format!(
            "dimension mismatch: X_test has {} coordinates per point, X has {}",
            test.dim(),
            inputs.dim()
        )));
    }
    let init: Initialization = init
        .parse()
        .map_err(|e: String| NtkSphereError::new_err(format!("init: {e}")))?;
    let mut options = TrainingOptions::new(width, steps);
    options.learning_rate = lr;
    options.seed = seed;
    options.init = init;
    options.record_every = record_every;
    let data = TrainingData {
        inputs,
        targets,
        test,
    };
    let arch = &net.arch;
    let r = py
        .detach(|| train_net(arch, &data, &options, &mut |_| {}))
        .map_err(err)?;
    let nums = |v: &[f64]| v.iter().copied().map(json_or_null).collect::<Vec<_>>();
    let mut doc = json!({
        "lr": json_or_null(r.lr),
        "lr_max_stable": json_or_null(r.lr_max_stable),
        "lambda_max": json_or_null(r.lambda_max),
        "width": width,
        "init": match init { Initialization::Standard => "standard", Initialization::Symmetric => "symmetric" },
        "steps": r.steps,
        "loss": nums(&r.loss),
        "ntk_drift": nums(&r.ntk_drift),
        "ntk_init_error": json_or_null(r.ntk_init_error),
        "test_prediction": nums(&r.test_prediction),
        "kernel_prediction": nums(&r.kernel_prediction),
        "distance_to_kernel_prediction": json_or_null(r.distance_to_kernel_prediction),
    });
    if let Some(j) = &r.derivative_jumps {
        doc["derivative_jumps"] = json!({
            "network": nums(&j.network),
            "kernel": nums(&j.kernel),
            "network_sum": json_or_null(j.network_sum()),
            "kernel_sum": json_or_null(j.kernel_sum()),
        });
    }
    Ok(Value::to_string(&doc))
}

/// The analytic kernel of `net` on S^{dim-1} (used by the Python layer for checks).
#[pyfunction]
#[pyo3(signature = (net, dim, kind))]
fn value_at_one(net: &Net, dim: usize, kind: &str) -> PyResult<f64> {
    sphere_kernel(net, kind, dim)?.value_at_one().map_err(err)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Regressor>()?;
    m.add_function(wrap_pyfunction!(empirical_ntk, m)?)?;
    m.add_function(wrap_pyfunction!(network_outputs, m)?)?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(value_at_one, m)?)?;
    Ok(())
}
