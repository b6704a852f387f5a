"""Spectrum, decay, smoothness, comparison, series and closed forms: against the `ntk` CLI and
independent closed forms."""

import math

import numpy as np
import pytest

import ntk_sphere as ns

from test_kernel import one_layer_ntk

NETS = {
    "mlp2": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}],
    "res1": [
        {"dense": {}},
        {"residual": {"alpha": 0.5, "branch": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}},
        {"dense": {}},
    ],
}


def _close(a, b, rtol):
    a = np.array([np.nan if v is None else v for v in a], dtype=float)
    b = np.array([np.nan if v is None else v for v in b], dtype=float)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=0, equal_nan=True)


def test_spectrum_against_cli(cli):
    doc = cli("spectrum_mlp.json")
    sp = ns.spectrum(ns.Mlp(2), dim=3, kmax=8)
    assert sp["dim"] == 3 and sp["method"] == doc["method"]
    np.testing.assert_array_equal(sp["k"], doc["k"])
    for key in ("mu", "log_mu", "multiplicity", "log_multiplicity"):
        assert isinstance(sp[key], np.ndarray) and sp[key].dtype == np.float64
        _close(sp[key], doc[key], 1e-15)
    doc = cli("spectrum_resnet.json")
    sp = ns.spectrum(ns.ResNet(5, alpha=0.5), dim=10, kmax=6, normalize=True)
    _close(sp["mu"], doc["mu"], 1e-15)


def test_spectrum_closed_forms():
    # Funk–Hecke on S^2 (d = 3): μ_k = ½ ∫ κ(t) P_k(t) dt (Legendre), by Gauss–Legendre
    # quadrature of the closed form of the one-hidden-layer NTK (a kink at t = ±1 only, so a
    # high-order rule on the whole interval converges to ~1e-9).
    x, w = np.polynomial.legendre.leggauss(4000)
    kappa = one_layer_ntk(x) / 3
    sp = ns.spectrum(ns.Mlp(1), dim=3, kmax=6)
    for k in range(7):
        pk = np.polynomial.legendre.Legendre.basis(k)(x)
        mu = 0.5 * np.sum(w * kappa * pk)
        assert sp["mu"][k] == pytest.approx(mu, rel=1e-6, abs=1e-12)
    # multiplicities N(3, k) = 2k + 1
    np.testing.assert_array_equal(sp["multiplicity"], 2 * np.arange(7) + 1)


def test_spectrum_overflow_names_the_parameter():
    with pytest.raises(ns.NtkSphereError, match="kmax"):
        ns.spectrum(ns.Mlp(1), dim=3, kmax=10**9)


def test_decay_against_cli(cli):
    doc = cli("decay_resnet.json")
    d = ns.decay(ns.ResNet(3, alpha=1.0), dim=4)
    assert d["class"] == doc["class"] and d["normalized"] == doc["normalized"]
    for key in ("exponent", "nu", "c_plus", "c_minus", "constant_even", "constant_odd"):
        assert d[key] == pytest.approx(doc[key], rel=1e-14)


def test_decay_closed_form():
    # ReLU networks: a (1 - t)^(1/2) singularity at t = 1, so μ_k ~ k^-(d-1+1) = k^-d.
    for dim in (2, 3, 7):
        d = ns.decay(ns.Mlp(2), dim=dim)
        assert d["class"] == "polynomial" and d["nu"] == 0.5 and d["exponent"] == -dim


def test_smoothness_and_compare_against_cli(cli):
    doc = cli("compare_nets.json")
    c = ns.compare(NETS["mlp2"], NETS["res1"], dim=3, angles=7)
    assert c["setting"]["dim"] == 3 and c["setting"]["kind"] == "ntk"
    for side in ("baseline", "candidate"):
        for key in ("c_plus", "c_minus", "slope_at_zero", "decay_exponent", "decay_constant_even"):
            assert c[side][key] == pytest.approx(doc[side][key], rel=1e-14)
        np.testing.assert_allclose(c[side]["normalized_kernel"]["value"], doc[side]["normalized_kernel"]["value"], rtol=1e-15)
        for key, v in doc["interpolation"][side].items():
            assert c["interpolation"][side][key] == pytest.approx(v, rel=1e-12)
    s = ns.smoothness(ns.Mlp(2), dim=3)
    assert s["c_plus"] == pytest.approx(doc["baseline"]["c_plus"], rel=1e-14)
    assert s["slope_at_zero"] == pytest.approx(-s["c_plus"] / math.sqrt(2), rel=1e-15)
    assert s["singular_plus"]["exponent"] == 0.5


def test_kink_coefficient_closed_form():
    # One hidden layer, from the closed form d·κ(cos θ) = [(cos θ (π - θ) + sin θ)/π
    # + cos θ (π - θ)/π]/2 = 1 - θ/(2π) + O(θ²), and d·κ(1) = 1: with g = 1 - t, θ = √(2g) + …,
    # κ(1 - g)/κ(1) = 1 - c₊ √g + … with c₊ = √2/(2π); the slope in θ is -1/(2π).
    s = ns.smoothness(ns.Mlp(1))
    assert s["c_plus"] == pytest.approx(math.sqrt(2) / (2 * math.pi), rel=1e-14)
    assert s["slope_at_zero"] == pytest.approx(-1 / (2 * math.pi), rel=1e-14)
    theta, value = ns.normalized_profile(ns.Mlp(1), angles=5)
    np.testing.assert_allclose(value, one_layer_ntk(np.cos(theta)), rtol=1e-15, atol=1e-16)


def test_series_exact_against_cli(cli):
    doc = cli("series_mlp_exact.json")
    s = ns.series(ns.Mlp(2), at=1, order=4, exact=True)
    assert s == doc
    # the strings are Python expressions; they agree with the float series
    f = ns.series(ns.Mlp(2), at=1, order=4)
    vals = [eval(c, {"sqrt": math.sqrt, "pi": math.pi, "acos": math.acos}) for c in s["coefficients"]]
    np.testing.assert_allclose(vals, f["coefficients"], rtol=1e-13, atol=1e-16)


def test_series_float_against_cli(cli):
    doc = cli("series_resnet_t0.json")
    s = ns.series(ns.ResNet(2, alpha=0.5), at=0, order=5)
    assert s["variable"] == doc["variable"] and s["definition"] == doc["definition"]
    np.testing.assert_allclose(s["coefficients"], doc["coefficients"], rtol=1e-14, atol=1e-17)


def test_series_closed_form_one_layer():
    # κ(1 - s²)/κ(1) = 1 - s·√2/(2π) + …  (θ = acos(1 - s²) = √2 s + O(s³), see above)
    s = ns.series(ns.Mlp(1), at=1, order=3, exact=True)
    assert s["coefficients"][:2] == ["1", "-sqrt(2)/(2*pi)"]


def test_series_errors():
    with pytest.raises(ns.NtkSphereError, match="at must be 1, 0 or -1"):
        ns.series(ns.Mlp(1), at=2, order=3)
    with pytest.raises(ns.NtkSphereError, match="order=20000 exceeds"):
        ns.series(ns.Mlp(1), at=1, order=20000)
    with pytest.raises(ns.NtkSphereError, match=r"symbolic_a=True needs the ResNet preset"):
        ns.series(ns.Mlp(1), at=1, order=3, exact=True, symbolic_a=True)


def test_expr_against_cli_and_closed_form(cli):
    doc = cli("expr_resnet.json")
    e = ns.expr(ns.ResNet(1, alpha=0.5), dim=3)
    assert e["expression"] == doc["expression"]
    assert [list(d) for d in e["definitions"]] == doc["definitions"]
    one = ns.expr(ns.Mlp(1), dim=1)
    for t in (-0.9, -0.2, 0.0, 0.5, 0.99):
        env = {"sqrt": math.sqrt, "pi": math.pi, "acos": math.acos, "asin": math.asin, "t": t}
        for name, d in one["definitions"]:
            env[name] = eval(d, env)
        assert eval(one["expression"], env) == pytest.approx(float(one_layer_ntk(t)), rel=1e-14)
    assert "\\" in ns.expr(ns.Mlp(1), dim=1, format="latex")["expression"]
