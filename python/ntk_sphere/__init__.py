"""ntk_sphere — neural tangent kernels (NTK) and NNGP kernels of ReLU MLPs, ResNets and composed
networks on the unit sphere, numpy in, numpy out.

The native extension ``ntk_sphere._native`` is built from the Rust library ``ntk-sphere`` (the
same code as the ``ntk`` command line); this module gives it Python idiom.

Conventions (``docs/conventions.md`` of the repository)
--------------------------------------------------------
* For unit vectors x, y of R^d with t = <x, y> = cos θ every kernel is a function κ(t); it
  carries the factor 1/d of the first layer, so for the one-hidden-layer ReLU network
  (``Mlp(1)``, σ_w² = 1) the NTK is
  d·κ(t) = [(t(π − acos t) + √(1 − t²))/π + t(π − acos t)/π]/2,
  and for an L-hidden-layer MLP d·Θ(x, x) = (L + 1)/2^L for unit x.
* Without biases the kernels are positively homogeneous: for arbitrary inputs
  K(x, y) = ‖x‖‖y‖κ(cos∠(x, y)) (what :func:`gram` computes); a zero vector gives 0.
* The ResNet of L blocks has residual scale α (``ResNet(L, alpha=α)``), the blocks
  g ↦ g + α(σ_v/√m)V relu((σ_w/√m)W g) as in Tirer, Bruna & Giryes (2021); see
  :class:`ResNet` for the recursion.

Networks
--------
A network is :class:`Mlp`, :class:`ResNet`, :class:`Network`, or a spec with the grammar of
the CLI's ``--net``: a dict ``{"layers": [LAYER, ...]}``, a bare list of layers, or the JSON
text of either. LAYER is ``{"dense": {"w_var": 1.0, "b_var": 0.0}}``,
``{"activation": {NAME: {PARAMS}}}`` or ``{"residual": {"alpha": α, "branch": [LAYER, ...]}}``.

Errors
------
Every invalid argument or failed computation raises :class:`NtkSphereError` (a ``ValueError``)
or one of its subclasses :class:`NetSpecError` (a bad spec, with the JSON Pointer of the fault)
and :class:`InputError` (a bad array: shape, non-finite entries, dimensions).
"""

from __future__ import annotations

import functools as _functools
import json as _json
from typing import Any, Mapping, Sequence

import numpy as np

from . import _native
from ._native import InputError, NetSpecError, NtkSphereError

__all__ = [
    "Mlp",
    "ResNet",
    "Network",
    "kernel",
    "gram",
    "spectrum",
    "decay",
    "smoothness",
    "normalized_profile",
    "compare",
    "series",
    "expr",
    "KernelRegression",
    "empirical_ntk",
    "network_outputs",
    "train",
    "NtkSphereError",
    "NetSpecError",
    "InputError",
]

__version__ = "0.1.0"

class _Net:
    """Base of the network classes: holds the native network and the constructor's arguments
    (so that networks pickle, e.g. to dask workers)."""

    __slots__ = ("_native", "_args")

    def __reduce__(self):
        return (_rebuild, (type(self).__name__, self._args))

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._args == other._args

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self._args)))

    def __repr__(self) -> str:
        return repr(self._native)

    @property
    def depth(self) -> int:
        """Number of layers (hidden layers of an MLP, blocks of a ResNet)."""
        return self._native.depth

    @property
    def is_homogeneous(self) -> bool:
        """Whether K(x, y) = ‖x‖‖y‖κ(cos∠(x, y)) holds (no biases)."""
        return self._native.is_homogeneous


class Mlp(_Net):
    """The ReLU MLP with ``depth`` = L hidden layers (the preset ``--arch mlp`` of the CLI).

    First layer x ↦ W₀x/√d, then h ↦ (σ_w/√m) W relu(h) + σ_b b, scalar output. With
    (u, v) ~ N(0, Σ_{l−1}) (docs/conventions.md §4.2):

        Σ₀ = ⟨x, y⟩/d + σ_b²,   Σ_l = σ_w² E[relu(u) relu(v)] + σ_b²,
        Σ̇_l = σ_w² E[relu'(u) relu'(v)],   Θ₀ = Σ₀,   Θ_l = Σ_l + Θ_{l−1} Σ̇_l;

    the NNGP kernel is Σ_L, the NTK Θ_L. For unit x, d·Θ_L(x, x) = (L + 1)/2^L (σ_w² = 1,
    σ_b² = 0), and Θ_L = κ^{L+1}_NTK(t)/(d 2^L) with the deep NTK of Bietti & Bach (2021).

    >>> import ntk_sphere as ns
    >>> d = 7
    >>> round(d * ns.kernel(ns.Mlp(3), 1.0, dim=d), 12)   # (L+1)/2^L
    0.5
    """

    __slots__ = ()

    def __init__(self, depth: int, *, sigma_w2: float = 1.0, sigma_b2: float = 0.0) -> None:
        self._args = (_count(depth, "depth"), {"sigma_w2": float(sigma_w2), "sigma_b2": float(sigma_b2)})
        self._native = _native.Net.mlp(self._args[0], float(sigma_w2), float(sigma_b2))


class ResNet(_Net):
    """The ReLU ResNet with ``depth`` = L residual blocks and residual scale ``alpha`` = α
    (the preset ``--arch resnet`` of the CLI; Tirer, Bruna & Giryes 2021).

    g₀ = A x/√d,  g_l = g_{l−1} + α (σ_v/√m) V_l relu((σ_w/√m) W_l g_{l−1}),  f = vᵀg_L/√m.
    With (u, v) ~ N(0, K_{l−1}) (docs/conventions.md §4.3):

        K₀ = ⟨x, y⟩/d,  Σ_l = σ_v²σ_w² E[relu(u) relu(v)],  Σ̇_l = σ_v²σ_w² E[relu'(u) relu'(v)],
        K_l = K_{l−1} + α² Σ_l,
        Θ = K_L + Σ_{l=1}^{L} α² [Π_{j>l} (1 + α² Σ̇_j)] (Σ_l + K_{l−1} Σ̇_l)
              + [Π_{j=1}^{L} (1 + α² Σ̇_j)] K₀;

    the NNGP kernel is K_L, the NTK Θ.
    """

    __slots__ = ()

    def __init__(
        self,
        depth: int,
        *,
        alpha: float = 1.0,
        sigma_w2: float = 1.0,
        sigma_v2: float = 1.0,
    ) -> None:
        kwargs = {"alpha": float(alpha), "sigma_w2": float(sigma_w2), "sigma_v2": float(sigma_v2)}
        self._args = (_count(depth, "depth"), kwargs)
        self._native = _native.Net.resnet(self._args[0], *kwargs.values())


class Network(_Net):
    """A network from a spec: a dict ``{"layers": [...]}``, a bare list of layers, or JSON text
    (the grammar of the CLI's ``--net``; one parser, in the Rust library).

    >>> import ntk_sphere as ns
    >>> net = ns.Network([{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}])
    >>> float(ns.kernel(net, 1.0, dim=1))   # one hidden ReLU layer, unit x: d·Θ(x,x) = 1
    1.0
    """

    __slots__ = ()

    def __init__(self, spec: Mapping[str, Any] | Sequence[Any] | str) -> None:
        text = _spec_text(spec)
        self._args = (text, {})
        self._native = _parsed(text)

    @property
    def spec(self) -> Any:
        """The spec as parsed JSON (a dict ``{"layers": [...]}``)."""
        return _json.loads(self._args[0])


def _rebuild(name: str, args: tuple) -> "_Net":
    cls = {"Mlp": Mlp, "ResNet": ResNet, "Network": Network}[name]
    return cls(args[0], **args[1])


def _spec_text(spec: Any) -> str:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, (list, tuple)):
        spec = {"layers": list(spec)}
    try:
        return _json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise NetSpecError(f"net: the spec is not JSON-serializable: {e}") from None


NetLike = _Net | Mapping[str, Any] | Sequence[Any] | str


def _net(net: Any) -> Any:
    """The native network of any accepted network value."""
    if isinstance(net, _Net):
        return net._native
    if isinstance(net, _native.Net):
        return net
    if isinstance(net, (dict, list, tuple, str)) or isinstance(net, Mapping):
        return _parsed(_spec_text(net))
    raise NtkSphereError(
        "net: expected Mlp(...), ResNet(...), Network(...), a dict {\"layers\": [...]}, "
        f"a list of layers or JSON text, got {type(net).__name__}"
    )


@_functools.lru_cache(maxsize=128)
def _parsed(text: str) -> Any:
    """The native network of a spec's JSON text (immutable, so shared between calls)."""
    return _native.Net.from_json(text)


def _count(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise NtkSphereError(f"{name} must be a non-negative integer, got {v!r}")
    if v < 0:
        raise NtkSphereError(f"{name} must be a non-negative integer, got {v}")
    return int(v)


def _float_array(a: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError(f"{name}: not convertible to a float64 array ({e})") from None


# ---------------------------------------------------------------------------------------------
# Kernel values and Gram matrices.


def kernel(
    net: NetLike,
    t: Any = None,
    *,
    theta: Any = None,
    dim: int,
    kind: str = "ntk",
    normalize: bool = False,
) -> Any:
    """Kernel values κ(t) of two unit vectors of R^dim at inner products ``t`` (or at angles
    ``theta``, t = cos θ), vectorized over numpy arrays.

    κ carries the factor 1/d of the first layer (docs/conventions.md); with ``normalize=True``
    the value is κ(t)/κ(1). Exactly one of ``t`` (in [-1, 1]; values within 4 ulp beyond ±1
    are taken as ±1) and ``theta`` (in [0, π]) is given. Values are correct to about one ulp
    (double-double recursion), including t → ±1 and great depths.

    One hidden ReLU layer (``Mlp(1)``, σ_w² = 1), NTK:
    d·κ(t) = [(t(π − acos t) + √(1 − t²))/π + t(π − acos t)/π]/2 (so d·κ(1) = 1).

    Returns a float for a scalar input, else a float64 array of the input's shape (C order).
    Raises :class:`NtkSphereError` for t outside [-1, 1], θ outside [0, π], NaN, dim < 1.
    """
    if (t is None) == (theta is None):
        raise NtkSphereError("give exactly one of t and theta")
    angles = t is None
    values = theta if angles else t
    try:
        arr = np.asarray(values, dtype=np.float64, order="C")
    except (TypeError, ValueError) as e:
        name = "theta" if angles else "t"
        raise InputError(f"{name}: not convertible to a float64 array ({e})") from None
    out = _native.kernel_values(_net(net), arr, angles, dim, kind, normalize)
    if out.ndim == 0:
        return float(out)
    return out


def gram(
    net: NetLike,
    X: Any,
    Y: Any = None,
    *,
    kind: str = "ntk",
) -> np.ndarray:
    """Gram matrix K(X, Y)_{ij} = K(x_i, y_j) of the rows of ``X`` (n, d) and ``Y`` (m, d);
    K(X, X) without ``Y``.

    For a bias-free network K(x, y) = ‖x‖‖y‖κ(cos∠(x, y)) with κ as in :func:`kernel` at
    dim = d (zero rows give 0); with biases the exact per-pair recursion is used. Entries are
    within 1e-13 (observed ≤ 2e-15) of the exact values, relative to ‖x_i‖‖y_j‖κ(1); K(X, X)
    is exactly symmetric.

    Inputs: anything convertible to a float64 2-D array; float64 arrays in C or Fortran order
    are read without conversion. Returns a new float64 (n, m) C-order array, filled in place
    by the Rust code with the GIL released (other Python threads run meanwhile; the
    computation itself is parallel over the machine's cores).

    Raises :class:`InputError` for arrays that are not 2-D, empty, have non-finite entries or
    different numbers of columns.
    """
    x = _matrix(X, "X")
    # gram(net, X, X) is K(X, X): the symmetric path (half the work, exactly symmetric)
    y = None if Y is None or Y is X else _matrix(Y, "Y")
    return _native.gram(_net(net), x, y, kind)


def _matrix(a: Any, name: str) -> np.ndarray:
    arr = _float_array(a, name)
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D array (n points, d coordinates), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"{name} must have at least one row and one column, got shape {arr.shape}")
    return arr


# ---------------------------------------------------------------------------------------------
# Spectral and smoothness analysis.


def spectrum(
    net: NetLike,
    *,
    dim: int,
    kmax: int,
    kind: str = "ntk",
    normalize: bool = False,
) -> dict[str, Any]:
    """Mercer eigenvalues μ_k, k = 0..kmax, of the kernel on S^{dim−1} (one eigenvalue per
    spherical harmonic of degree k; ``ntk spectrum``).

    μ_k = Γ(d/2)/(√π Γ((d−1)/2)) ∫_{−1}^{1} κ(t) P_k(t) (1 − t²)^{(d−3)/2} dt, with P_k the
    Legendre polynomial of degree k in d dimensions normalized by P_k(1) = 1, so that
    κ(t) = Σ_k μ_k N(d, k) P_k(t) and κ(⟨x, y⟩) = Σ_k μ_k Σ_j Y_kj(x) Y_kj(y) for spherical
    harmonics orthonormal on the uniform probability measure of S^{d−1} (on S², d = 3:
    μ_k = ½ ∫ κ(t) P_k(t) dt); with ``normalize=True`` the kernel is κ/κ(1).
    Each μ_k is computed to relative accuracy (quadrature in extended precision, endpoint
    tails, power series), including exact zeros.

    Returns a dict with the keys of the CLI: ``dim``; ``k``, ``mu``, ``log_mu`` (natural
    logarithm, NaN for an exact zero), ``multiplicity`` N(d, k), ``log_multiplicity``,
    ``rel_error`` (estimated relative error of μ_k) as numpy arrays; ``method`` (list of
    str: quadrature, quad_double_quadrature, endpoint_tail, power_series, exact_zero).
    """
    doc = _json.loads(_native.spectrum(_net(net), dim, kmax, kind, normalize))
    for key in ("k",):
        doc[key] = np.asarray(doc[key], dtype=np.int64)
    for key in ("mu", "log_mu", "multiplicity", "log_multiplicity", "rel_error"):
        doc[key] = np.array([np.nan if v is None else v for v in doc[key]], dtype=np.float64)
    return doc


def decay(
    net: NetLike,
    *,
    dim: int,
    kind: str = "ntk",
    normalize: bool = False,
) -> dict[str, Any]:
    """Decay law of the Mercer eigenvalues, μ_k ≈ constant_parity · k^exponent as k → ∞
    (``ntk decay``), from the expansions of κ at t = ±1.

    Keys: ``class`` ("polynomial": an endpoint singularity (1 ∓ t)^ν gives exponent
    −(d − 1 + 2ν); "geometric": analytic kernel, μ_k ≈ C·rate^k; "finite": polynomial kernel,
    μ_k = 0 beyond ``degree``), ``rate``, ``degree``, ``exponent``, ``constant_even``,
    ``constant_odd``, ``log_constant_even``, ``log_constant_odd``, ``nu``, ``c_plus``,
    ``c_minus`` (κ(1 − g) = κ(1) − c₊ g^ν + …, κ(−1 + g) = κ(−1) − c₋ g^ν + …) and
    ``normalized``. Unavailable values are None.
    """
    return _json.loads(_native.decay(_net(net), dim, kind, normalize))


def smoothness(net: NetLike, *, dim: int = 2, kind: str = "ntk") -> dict[str, Any]:
    """Smoothness measures of the normalized kernel κ(t)/κ(1)
    (``ntk_sphere::smoothness::kernel_smoothness``).

    Keys: ``c_plus``, ``c_minus`` (kink coefficients: κ(cos θ)/κ(1) = 1 − c₊ θ + O(θ²) at
    θ → 0, and likewise at θ → π), ``slope_at_zero`` = −c₊/√2, ``decay_exponent``,
    ``decay_constant_even``, ``decay_constant_odd``, ``decay_class``, ``decay_rate`` (of the
    normalized Mercer eigenvalues on S^{dim−1}), ``singular_plus``, ``singular_minus``
    (leading non-analytic term {"exponent", "coefficient"} at t = ±1, or None).
    """
    return _json.loads(_native.smoothness(_net(net), dim, kind))


def normalized_profile(
    net: NetLike, *, dim: int = 2, kind: str = "ntk", angles: int = 181
) -> tuple[np.ndarray, np.ndarray]:
    """The normalized kernel κ(cos θ_j)/κ(1) at θ_j = jπ/(angles − 1): (theta, value)."""
    theta, value = _native.profile(_net(net), dim, kind, angles)
    return np.asarray(theta), np.asarray(value)


def compare(
    baseline: NetLike,
    candidate: NetLike,
    *,
    dim: int = 2,
    kind: str = "ntk",
    angles: int = 181,
) -> dict[str, Any]:
    """Smoothness comparison of two networks (``ntk compare --net BASELINE --net CANDIDATE``).

    Returns {"baseline": {...}, "candidate": {...}, "interpolation": {...}, "setting": {...}}:
    per kernel ``c_plus``, ``c_minus``, ``slope_at_zero``, ``decay_exponent``,
    ``decay_constant_even``, ``decay_constant_odd`` (None where not available) and
    ``normalized_kernel`` {"theta": array, "value": array}; ``interpolation`` holds the paper's
    experiment on the circle (6 training angles 2π·linspace(0,1,6) − π, target
    0.5 cos x + sin 4x, kernel interpolation): ``derivative_jump_sum``, ``rkhs_norm``,
    ``h1_seminorm``, ``max_abs_derivative``, ``test_rmse`` per network.

    The paper's MLP-vs-ResNet comparison is ``compare(Mlp(L), ResNet(L, alpha=α))``.
    """
    doc = _json.loads(_native.compare(_net(baseline), _net(candidate), dim, kind, angles))
    for side in ("baseline", "candidate"):
        nk = doc[side]["normalized_kernel"]
        nk["theta"] = np.asarray(nk["theta"], dtype=np.float64)
        nk["value"] = np.asarray(nk["value"], dtype=np.float64)
    return doc


def series(
    net: NetLike,
    *,
    at: int,
    order: int,
    dim: int = 1,
    kind: str = "ntk",
    exact: bool = False,
    symbolic_a: bool = False,
) -> dict[str, Any]:
    """Expansion of the normalized kernel κ(t)/κ(1) at t = 1, 0 or −1 (``ntk series``).

    At t = 1: coefficients c_0..c_order of κ(1 − s²)/κ(1) = Σ c_j s^j (``variable`` "s",
    ``definition`` "s = sqrt(1 - t)"); at t = −1 the same in s = √(1 + t); at t = 0 the
    Maclaurin coefficients in t. With ``exact=True`` the coefficients are exact expressions as
    strings (integers, + - * / **, parentheses, sqrt, acos, asin, exp, pi; parsed alike by
    SymPy and Python), e.g. "-sqrt(2)/(2*pi)", and parameters are read as exact rationals;
    shared subexpressions are then named in ``definitions`` [[NAME, EXPR], ...]. With
    ``symbolic_a=True`` (ResNet preset, t = 1) the coefficients are polynomials in a.

    Returns {"variable", "definition", "normalized": True, "coefficients"[, "definitions"]};
    float coefficients as a numpy array.
    """
    if at not in (1, 0, -1) or isinstance(at, bool):
        raise NtkSphereError(f"at must be 1, 0 or -1, got {at!r}")
    doc = _json.loads(
        _native.series(_net(net), int(at), _count(order, "order"), dim, kind, exact, symbolic_a)
    )
    if not exact:
        doc["coefficients"] = np.asarray(doc["coefficients"], dtype=np.float64)
    return doc


def expr(
    net: NetLike,
    *,
    dim: int,
    kind: str = "ntk",
    normalize: bool = False,
    format: str = "text",
) -> dict[str, Any]:
    """The kernel as a closed form in t = ⟨x, y⟩ (``ntk expr``), derived by running the layer
    recursion on symbolic expressions; the same factor 1/dim as :func:`kernel`.

    Returns {"definitions": [[NAME, EXPR], ...], "expression": EXPR}: ``format="text"``
    (integers, + - * / **, sqrt, acos, asin, exp, pi, t; evaluable by Python with
    ``from math import *``) or ``"latex"``. Shared subexpressions longer than 24 characters are
    printed once as definitions u1, u2, ... Parameters are read as the simplest rational
    rounding (alpha=0.1 is 1/10).
    """
    if format not in ("text", "latex"):
        raise NtkSphereError(f"format must be 'text' or 'latex', got {format!r}")
    doc = _json.loads(_native.expr(_net(net), dim, kind, normalize, format == "latex"))
    doc["definitions"] = [tuple(d) for d in doc["definitions"]]
    return doc


from ._learning import KernelRegression, empirical_ntk, network_outputs, train  # noqa: E402
