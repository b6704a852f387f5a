"""Kernel regression, the empirical NTK of finite-width networks, and training."""

from __future__ import annotations

import json as _json
from typing import Any

import numpy as np

from . import _native
from ._native import InputError, NtkSphereError


def _api():
    from . import _float_array, _matrix, _net

    return _net, _matrix, _float_array


def _vector(a: Any, name: str) -> np.ndarray:
    _, _, _float_array = _api()
    arr = _float_array(a, name)
    if arr.ndim != 1:
        raise InputError(f"{name} must be a 1-D array, got shape {arr.shape}")
    return arr


class KernelRegression:
    """Kernel ridge regression with the network's kernel on the unit sphere, with
    scikit-learn's names (``fit``, ``predict``, ``score``, fitted attributes ending in ``_``).

    ``fit(X, y)`` minimizes Σ_i (f(x_i) − y_i)² + λ‖f‖²_H over the rows of X (unit vectors;
    coinciding points are merged into one center with the mean target and its multiplicity as
    weight; ridge=0 requires their targets to agree) by a Cholesky factorization, and the fitted function is f(x) = Σ_u c_u κ(⟨x_u, x⟩), κ the kernel of
    :func:`ntk_sphere.kernel` at dim = X.shape[1]. ``ridge`` = λ ≥ 0 is absolute, in the units
    of κ (0 = interpolation).

    Fitted attributes: ``coef_`` (c_u), ``centers_`` (x_u), ``rkhs_norm_`` = √(cᵀ K c),
    ``n_features_in_``.

    >>> import numpy as np, ntk_sphere as ns
    >>> th = np.linspace(-np.pi, np.pi, 6, endpoint=False)
    >>> X = np.c_[np.cos(th), np.sin(th)]
    >>> model = ns.KernelRegression(ns.ResNet(3, alpha=0.5)).fit(X, np.sin(th))
    >>> bool(np.allclose(model.predict(X), np.sin(th)))
    True
    """

    def __init__(self, net: Any, *, kind: str = "ntk", ridge: float = 0.0) -> None:
        self.net = net
        self.kind = kind
        self.ridge = ridge

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (scikit-learn protocol)."""
        return {"net": self.net, "kind": self.kind, "ridge": self.ridge}

    def set_params(self, **params: Any) -> "KernelRegression":
        """Sets constructor parameters (scikit-learn protocol)."""
        for k, v in params.items():
            if k not in ("net", "kind", "ridge"):
                raise NtkSphereError(f"unknown parameter {k!r} (expected net, kind, ridge)")
            setattr(self, k, v)
        return self

    def fit(self, X: Any, y: Any) -> "KernelRegression":
        """Fits to targets ``y`` (n,) at the unit rows of ``X`` (n, d); returns self."""
        _net, _matrix, _ = _api()
        x = _matrix(X, "X")
        t = _vector(y, "y")
        self._model = _native.Regressor.fit(_net(self.net), x, t, self.kind, float(self.ridge))
        self.coef_ = self._model.coefficients
        self.centers_ = self._model.centers
        self.rkhs_norm_ = self._model.rkhs_norm()
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """f(x) = Σ_u c_u κ(⟨x_u, x⟩) at the unit rows of ``X`` (m, d)."""
        model = getattr(self, "_model", None)
        if model is None:
            raise NtkSphereError("this KernelRegression is not fitted yet: call fit(X, y) first")
        _, _matrix, _ = _api()
        return model.predict(_matrix(X, "X"))

    def score(self, X: Any, y: Any) -> float:
        """Coefficient of determination R² = 1 − Σ(y − f(x))²/Σ(y − ȳ)² on (X, y)."""
        t = _vector(y, "y")
        r = t - self.predict(X)
        return float(1.0 - (r @ r) / ((t - t.mean()) @ (t - t.mean())))


def empirical_ntk(
    net: Any, X: Any, Y: Any = None, *, width: int, seed: int = 0
) -> np.ndarray:
    """The exact empirical NTK Θ̂(x, y) = Σ_p ∂f(x)/∂p · ∂f(y)/∂p of the finite-width network
    (hidden width ``width``, all weights i.i.d. N(0, 1), NTK parametrization, seeded by
    ``seed``) at the rows of ``X`` (n, d) and ``Y`` (m, d; X without it).

    As width → ∞, Θ̂ → the analytic NTK of :func:`ntk_sphere.gram`, with fluctuations of order
    width^(−1/2) (Jacot et al. 2018; Arora et al. 2019). Returns a float64 (n, m) array.
    """
    _net, _matrix, _ = _api()
    x = _matrix(X, "X")
    y = None if Y is None else _matrix(Y, "Y")
    return _native.empirical_ntk(_net(net), x, y, _positive(width, "width"), _seed(seed))


def network_outputs(net: Any, X: Any, *, width: int, seed: int = 0) -> np.ndarray:
    """Outputs f(x) at the rows of ``X`` of the finite-width network of :func:`empirical_ntk`
    (same ``width`` and ``seed``, same weights)."""
    _net, _matrix, _ = _api()
    return _native.network_outputs(_net(net), _matrix(X, "X"), _positive(width, "width"), _seed(seed))


def train(
    net: Any,
    X: Any,
    y: Any,
    X_test: Any = None,
    *,
    width: int,
    steps: int,
    lr: float | None = None,
    seed: int = 0,
    init: str = "symmetric",
    record_every: int | None = None,
) -> dict[str, Any]:
    """Trains the finite-width network (as :func:`empirical_ntk`) by full-batch gradient
    descent on the loss ½Σ(f(x_i) − y_i)² and tracks its NTK (``ntk train``).

    ``lr`` = η defaults to 1/λ_max of the analytic NTK Gram matrix (stable below 2/λ_max);
    ``init="symmetric"`` starts from f₀ = 0 (antisymmetric copies), ``"standard"`` from plain
    random weights. ``X_test`` defaults to ``X``.

    Returns a dict with the CLI's keys: ``lr``, ``lr_max_stable``, ``lambda_max``, ``width``,
    ``init``, ``steps`` (recorded steps), ``loss``, ``ntk_drift`` (‖Θ_t − Θ₀‖_F/‖Θ₀‖_F),
    ``ntk_init_error`` (relative distance of Θ₀ to the analytic NTK), ``test_prediction``
    (network after T steps), ``kernel_prediction`` (f_T = Θ(x, X) η Σ_{k<T} (I − ηΘ)^k y),
    ``distance_to_kernel_prediction`` and on the circle (d = 2) ``derivative_jumps``; arrays as
    numpy arrays.
    """
    _net, _matrix, _ = _api()
    x = _matrix(X, "X")
    t = _vector(y, "y")
    xt = x if X_test is None else _matrix(X_test, "X_test")
    doc = _json.loads(
        _native.train(
            _net(net),
            x,
            t,
            xt,
            _positive(width, "width"),
            _positive(steps, "steps"),
            None if lr is None else float(lr),
            _seed(seed),
            init,
            None if record_every is None else _positive(record_every, "record_every"),
        )
    )
    for key in ("loss", "ntk_drift", "test_prediction", "kernel_prediction"):
        doc[key] = np.array([np.nan if v is None else v for v in doc[key]], dtype=np.float64)
    doc["steps"] = np.asarray(doc["steps"], dtype=np.int64)
    return doc


def _positive(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise NtkSphereError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _seed(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**64:
        raise NtkSphereError(f"seed must be an integer in [0, 2**64), got {v!r}")
    return int(v)
