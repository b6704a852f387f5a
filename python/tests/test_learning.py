"""Kernel regression, the empirical NTK and training."""

import numpy as np
import pytest

import ntk_sphere as ns


def circle(n, offset=0.0):
    th = np.linspace(-np.pi, np.pi, n, endpoint=False) + offset
    return th, np.c_[np.cos(th), np.sin(th)]


def test_regression_is_the_kernel_solve():
    th, X = circle(12)
    y = 0.5 * np.cos(th) + np.sin(4 * th)
    net = ns.ResNet(3, alpha=0.5)
    for ridge in (0.0, 0.01):
        model = ns.KernelRegression(net, ridge=ridge).fit(X, y)
        _, Z = circle(7, 0.1)
        K = ns.gram(net, X)
        c = np.linalg.solve(K + ridge * np.eye(len(y)), y)
        np.testing.assert_allclose(model.coef_, c, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(model.predict(Z), ns.gram(net, Z, X) @ c, rtol=1e-9, atol=1e-12)
        assert model.rkhs_norm_ == pytest.approx(np.sqrt(c @ K @ c), rel=1e-9)
    assert ns.KernelRegression(net).fit(X, y).score(X, y) == pytest.approx(1.0)
    assert model.get_params()["ridge"] == 0.01


def test_regression_errors():
    th, X = circle(6)
    with pytest.raises(ns.NtkSphereError, match="not fitted"):
        ns.KernelRegression(ns.Mlp(1)).predict(X)
    with pytest.raises(ns.NtkSphereError, match="6 points but 5 targets"):
        ns.KernelRegression(ns.Mlp(1)).fit(X, np.ones(5))
    with pytest.raises(ns.NtkSphereError, match="ridge must be finite and >= 0"):
        ns.KernelRegression(ns.Mlp(1), ridge=-1).fit(X, np.ones(6))
    with pytest.raises(ns.InputError, match=r"y\[2\] is not finite"):
        ns.KernelRegression(ns.Mlp(1)).fit(X, [0, 1, np.nan, 0, 0, 0])
    with pytest.raises(ns.InputError, match="y must be a 1-D array"):
        ns.KernelRegression(ns.Mlp(1)).fit(X, np.ones((6, 1)))


def test_empirical_ntk_converges():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    for net in (ns.Mlp(2), ns.ResNet(2, alpha=0.5)):
        exact = ns.gram(net, X)
        emp = ns.empirical_ntk(net, X, width=3000, seed=1)
        assert emp.shape == (5, 5)
        np.testing.assert_allclose(emp, emp.T, rtol=1e-12, atol=1e-15)
        assert np.max(np.abs(emp - exact)) < 0.15 * np.max(np.abs(exact))
    same = ns.empirical_ntk(ns.Mlp(2), X, X[:2], width=50, seed=7)
    np.testing.assert_allclose(same, ns.empirical_ntk(ns.Mlp(2), X, width=50, seed=7)[:, :2], rtol=1e-12)
    out = ns.network_outputs(ns.Mlp(2), X, width=50, seed=7)
    assert out.shape == (5,) and np.all(np.isfinite(out))
    with pytest.raises(ns.NtkSphereError, match="width must be a positive integer"):
        ns.empirical_ntk(ns.Mlp(2), X, width=0)


def test_train_reaches_the_kernel_regime():
    th, X = circle(6)
    y = np.sin(th)
    r = ns.train(ns.Mlp(1), X, y, width=512, steps=200, seed=3)
    assert r["loss"][-1] < 1e-3 * r["loss"][0]
    assert r["ntk_drift"][-1] < 0.1
    assert r["test_prediction"].shape == (6,)
    assert r["lr"] == pytest.approx(1 / r["lambda_max"])
    assert set(r["derivative_jumps"]) == {"network", "kernel", "network_sum", "kernel_sum"}
    with pytest.raises(ns.NtkSphereError, match="init"):
        ns.train(ns.Mlp(1), X, y, width=8, steps=2, init="zero")
