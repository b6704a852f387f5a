//! `ntk_sphere._native`: the Rust side of the Python package `ntk_sphere` (PyO3 + numpy).
//!
//! Thin over the `ntk-sphere` library: networks ([`Net`]), kernel values and Gram matrices on
//! numpy arrays (the GIL released during the computation), and the analyses of the CLI
//! (spectrum, decay, smoothness, comparison, series, closed forms, regression, empirical NTK,
//! training), whose structured results are returned as JSON text with the CLI's keys (the
//! pure-Python layer `ntk_sphere/__init__.py` turns them into dicts and numpy arrays).
//!
//! Every failure is a Python exception (a subclass of `ValueError`) with the library's message;
//! no panic is reachable from Python through these functions (inputs are validated first).

use numpy::{
    PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadonlyArrayDyn, PyUntypedArrayMethods,
};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use ntk_sphere::arch::spec;
use ntk_sphere::kernel::gram_into;
use ntk_sphere::{Architecture, KernelKind, Mlp, Points, ResNet, SphereKernel};

mod analysis;
mod learning;

create_exception!(
    ntk_sphere,
    NtkSphereError,
    PyValueError,
    "An invalid argument or a failed computation of ntk_sphere (a ValueError)."
);
create_exception!(
    ntk_sphere,
    NetSpecError,
    NtkSphereError,
    "An invalid network spec: the message names the place of the fault as a JSON Pointer."
);
create_exception!(
    ntk_sphere,
    InputError,
    NtkSphereError,
    "An invalid input array (wrong shape, non-finite entries, mismatched dimensions)."
);

/// The error of a library call, with its Display text; the few parameter names that the
/// library spells like the CLI's flags (`sigma-w2`) are given their Python names (`sigma_w2`).
pub(crate) fn err(e: impl std::fmt::Display) -> PyErr {
    NtkSphereError::new_err(python_names(&e.to_string()))
}

/// `sigma-w2` → `sigma_w2` (likewise `sigma-v2`, `sigma-b2`), `--name` → `name=`.
pub(crate) fn python_names(message: &str) -> String {
    let mut m = message
        .replace("sigma-w2", "sigma_w2")
        .replace("sigma-v2", "sigma_v2")
        .replace("sigma-b2", "sigma_b2");
    while let Some(i) = m.find("--") {
        let rest = &m[i + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        let name = rest[..end].replace('-', "_");
        m = format!("{}{name}={}", &m[..i], rest[end..].trim_start());
    }
    m
}

/// Arrays with at most this many entries are computed in the calling thread, holding the GIL
/// (waking the thread pool and releasing the GIL cost more than the work); larger ones in
/// parallel with the GIL released.
const SERIAL_THRESHOLD: usize = 4;

/// A network: an architecture of the library (an MLP, a ResNet, or layers from a JSON spec).
#[pyclass(module = "ntk_sphere._native", frozen)]
#[derive(Clone)]
pub struct Net {
    pub(crate) arch: Architecture,
    repr: String,
}

#[pymethods]
impl Net {
    /// The MLP preset: L hidden ReLU layers, weight variance σ_w², bias variance σ_b².
    #[staticmethod]
    #[pyo3(signature = (depth, sigma_w2 = 1.0, sigma_b2 = 0.0))]
    fn mlp(depth: usize, sigma_w2: f64, sigma_b2: f64) -> PyResult<Self> {
        let arch = Mlp::with_bias(depth, sigma_w2, sigma_b2).map_err(err)?;
        Ok(Self {
            arch: arch.into(),
            repr: format!("Mlp(depth={depth}, sigma_w2={sigma_w2:?}, sigma_b2={sigma_b2:?})"),
        })
    }

    /// The ResNet preset: L residual blocks g + α(σ_v/√m)V relu((σ_w/√m)W g), variances σ_w²,
    /// σ_v².
    #[staticmethod]
    #[pyo3(signature = (depth, alpha = 1.0, sigma_w2 = 1.0, sigma_v2 = 1.0))]
    fn resnet(depth: usize, alpha: f64, sigma_w2: f64, sigma_v2: f64) -> PyResult<Self> {
        let arch = ResNet::new(depth, alpha, sigma_w2, sigma_v2).map_err(err)?;
        Ok(Self {
            arch: arch.into(),
            repr: format!(
                "ResNet(depth={depth}, alpha={alpha:?}, sigma_w2={sigma_w2:?}, sigma_v2={sigma_v2:?})"
            ),
        })
    }

    /// A network from the JSON text of a spec `{"layers": [...]}` (the grammar of `ntk --net`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        if text.len() > spec::MAX_SPEC_BYTES {
            return Err(NetSpecError::new_err(format!(
                "net: the spec has {} bytes, more than the limit of {}",
                text.len(),
                spec::MAX_SPEC_BYTES
            )));
        }
        let net = spec::parse(text).map_err(|e| NetSpecError::new_err(e.render("net")))?;
        Ok(Self {
            arch: net.into(),
            repr: format!("Network({text})"),
        })
    }

    /// Number of layers of the network (hidden layers of an MLP, blocks of a ResNet).
    #[getter]
    fn depth(&self) -> usize {
        self.arch.depth()
    }

    /// Whether the network is positively homogeneous (no biases): then
    /// K(x, y) = ‖x‖‖y‖κ(cos∠(x, y)).
    #[getter]
    fn is_homogeneous(&self) -> bool {
        self.arch.is_homogeneous()
    }

    fn __repr__(&self) -> String {
        self.repr.clone()
    }
}

pub(crate) fn parse_kind(kind: &str) -> PyResult<KernelKind> {
    kind.parse::<KernelKind>()
        .map_err(|e| NtkSphereError::new_err(format!("kind: {e}")))
}

pub(crate) fn sphere_kernel(net: &Net, kind: &str, dim: usize) -> PyResult<SphereKernel> {
    SphereKernel::new(net.arch.clone(), parse_kind(kind)?, dim).map_err(err)
}

/// Kernel values κ(t) (or κ(cos θ) with `angles`) of a C-contiguous float64 array, same shape.
#[pyfunction]
#[pyo3(signature = (net, values, angles, dim, kind, normalize))]
fn kernel_values<'py>(
    py: Python<'py>,
    net: &Net,
    values: PyReadonlyArrayDyn<'py, f64>,
    angles: bool,
    dim: usize,
    kind: &str,
    normalize: bool,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let k = sphere_kernel(net, kind, dim)?;
    let input = values
        .as_slice()
        .map_err(|_| InputError::new_err("t: the array must be C-contiguous"))?;
    let out = if input.len() <= SERIAL_THRESHOLD {
        // Few values: in this thread, without waking the thread pool (~10 µs) or releasing the
        // GIL.
        let one = |v: f64| match (angles, normalize) {
            (false, false) => k.eval(v),
            (false, true) => k.normalized(v),
            (true, false) => k.eval_angle(v),
            (true, true) => k.normalized_angle(v),
        };
        input.iter().map(|&v| one(v)).collect::<Result<Vec<_>, _>>()
    } else {
        py.detach(|| match (angles, normalize) {
            (false, false) => k.eval_many(input),
            (false, true) => k.normalized_many(input),
            (true, false) => k.eval_angles(input),
            (true, true) => k.normalized_angles(input),
        })
    }
    .map_err(err)?;
    if let Some(v) = out.iter().find(|v| !v.is_finite()) {
        return Err(NtkSphereError::new_err(format!(
            "kernel value {v} is not finite"
        )));
    }
    let shape = values.shape().to_vec();
    let arr = PyArray1::from_vec(py, out);
    arr.reshape(shape)
}

/// The rows of a 2-D float64 array as validated [`Points`] (one row-major copy: C order is
/// copied as is, other layouts are gathered).
pub(crate) fn points(x: &PyReadonlyArray2<'_, f64>, name: &str) -> PyResult<Points> {
    let [n, d] = [x.shape()[0], x.shape()[1]];
    let data = match x.as_slice() {
        Ok(s) if x.is_c_contiguous() => s.to_vec(),
        _ => x.as_array().iter().copied().collect(),
    };
    Points::new(data, n, d).map_err(|e| InputError::new_err(format!("{name}: {e}")))
}

/// The Gram matrix K(X, Y) (K(X, X) without Y) as a new float64 C-order array, filled in
/// place by `ntk_sphere::kernel::gram_into` with the GIL released.
#[pyfunction]
#[pyo3(signature = (net, x, y, kind))]
fn gram<'py>(
    py: Python<'py>,
    net: &Net,
    x: PyReadonlyArray2<'py, f64>,
    y: Option<PyReadonlyArray2<'py, f64>>,
    kind: &str,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let kind = parse_kind(kind)?;
    let px = points(&x, "X")?;
    let py_points = match &y {
        Some(y) => Some(points(y, "Y")?),
        None => None,
    };
    if let Some(q) = &py_points
        && q.dim() != px.dim()
    {
        return Err(InputError::new_err(format!(
            "dimension mismatch: Y has {} coordinates per point, X has {}",
            q.dim(),
            px.dim()
        )));
    }
    let rows = px.len();
    let cols = py_points.as_ref().map_or(rows, Points::len);
    let out = PyArray2::<f64>::zeros(py, [rows, cols], false);
    {
        let mut guard = out.try_readwrite().map_err(err)?;
        let buf = guard
            .as_slice_mut()
            .map_err(|_| NtkSphereError::new_err("internal: the output is not contiguous"))?;
        let arch = &net.arch;
        py.detach(|| gram_into(arch, kind, &px, py_points.as_ref(), buf))
            .map_err(err)?;
    }
    Ok(out)
}

/// A 1-D float64 array as a `Vec`, checked finite, with the Python parameter name in errors.
pub(crate) fn vector(v: &PyReadonlyArray1<'_, f64>, name: &str) -> PyResult<Vec<f64>> {
    let data: Vec<f64> = match v.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => v.as_array().iter().copied().collect(),
    };
    if let Some(i) = data.iter().position(|x| !x.is_finite()) {
        return Err(InputError::new_err(format!(
            "{name}[{i}] is not finite ({})",
            data[i]
        )));
    }
    Ok(data)
}

/// A finite number as JSON, or null.
pub(crate) use ntk_sphere::smoothness::summary::finite_or_null as json_or_null;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("NtkSphereError", py.get_type::<NtkSphereError>())?;
    m.add("NetSpecError", py.get_type::<NetSpecError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add_class::<Net>()?;
    m.add_function(wrap_pyfunction!(kernel_values, m)?)?;
    m.add_function(wrap_pyfunction!(gram, m)?)?;
    analysis::register(m)?;
    learning::register(m)?;
    Ok(())
}
