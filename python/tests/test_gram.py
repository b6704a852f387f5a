"""Gram matrices: closed forms, the CLI, array handling, errors, and the GIL release."""

import threading
import time

import numpy as np
import pytest

import ntk_sphere as ns

from test_kernel import one_layer_ntk


def reference_one_layer(X, Y):
    """K(x, y) = ‖x‖‖y‖κ(cos∠(x, y)) with the closed form of the one-hidden-layer NTK."""
    nx = np.linalg.norm(X, axis=1)
    ny = np.linalg.norm(Y, axis=1)
    c = np.clip((X @ Y.T) / np.outer(nx, ny), -1, 1)
    if X is Y:
        np.fill_diagonal(c, 1.0)  # the rounded c_ii, fed to acos, would lose half the digits
    return np.outer(nx, ny) * one_layer_ntk(c) / X.shape[1]


def test_closed_form_and_symmetry():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 6))
    Y = rng.standard_normal((7, 6)) * 3
    K = ns.gram(ns.Mlp(1), X)
    scale = np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(X, axis=1)) / 6
    np.testing.assert_array_less(np.abs(K - reference_one_layer(X, X)), 1e-13 * scale + 1e-300)
    np.testing.assert_array_equal(K, K.T)
    KY = ns.gram(ns.Mlp(1), X, Y)
    assert KY.shape == (40, 7)
    scale = np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(Y, axis=1)) / 6
    np.testing.assert_array_less(np.abs(KY - reference_one_layer(X, Y)), 1e-13 * scale)


def test_same_array_twice_is_the_symmetric_gram():
    X = np.random.default_rng(6).standard_normal((50, 4))
    net = ns.ResNet(3, alpha=0.5)
    K = ns.gram(net, X, X)
    np.testing.assert_array_equal(K, ns.gram(net, X))
    np.testing.assert_array_equal(K, K.T)
    # a copy is another array: the general path, equal within the Gram accuracy
    np.testing.assert_allclose(ns.gram(net, X, X.copy()), K, rtol=0, atol=1e-13 * np.max(np.diag(K)))


def test_homogeneity_and_diagonal():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((9, 4))
    X[3] = 0.0
    net = ns.ResNet(6, alpha=0.3)
    K = ns.gram(net, X)
    k1 = ns.kernel(net, 1.0, dim=4)
    np.testing.assert_allclose(np.diag(K), np.sum(X * X, axis=1) * k1, rtol=1e-15)
    assert np.all(K[3] == 0.0) and np.all(K[:, 3] == 0.0)
    U = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-300)
    c = np.clip(U @ U.T, -1, 1)
    np.fill_diagonal(c, 1.0)
    off = ns.kernel(net, c, dim=4) * np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(X, axis=1))
    scale = np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(X, axis=1)) * k1
    assert np.all(np.abs(K - off) <= 1e-13 * scale)


def test_against_cli(cli):
    X = np.loadtxt(ns_data("points.csv"), delimiter=",")
    Y = np.loadtxt(ns_data("points2.csv"), delimiter=",")
    # Within the Gram path's accuracy, 1e-13 of √(K(x,x)K(y,y)) (equal when the fixtures come
    # from the same library version).
    for name, net, Ys in [
        ("gram_resnet.json", ns.ResNet(4, alpha=0.5), None),
        ("gram_mlp_bias.json", ns.Mlp(2, sigma_b2=0.3), Y),
    ]:
        doc = cli(name)
        K = ns.gram(net, X, Ys)
        assert list(K.shape) == doc["shape"]
        dx = np.diag(ns.gram(net, X))
        dy = dx if Ys is None else np.diag(ns.gram(net, Ys))
        scale = np.sqrt(np.outer(dx, dy)) + 1e-300
        assert np.all(np.abs(K - np.array(doc["data"])) <= 1e-13 * scale)


def ns_data(name):
    import pathlib

    return pathlib.Path(__file__).parent / "data" / name


def test_orders_and_dtypes():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((13, 5))
    Y = rng.standard_normal((4, 5))
    net = ns.ResNet(3, alpha=0.5)
    ref = ns.gram(net, X, Y)
    assert ref.dtype == np.float64 and ref.flags.c_contiguous and ref.shape == (13, 4)
    for x in (np.asfortranarray(X), X.tolist(), np.ascontiguousarray(X)):
        np.testing.assert_array_equal(ns.gram(net, x, Y), ref)
    np.testing.assert_array_equal(ns.gram(net, X, np.asfortranarray(Y)), ref)
    # strided views (every other row of a bigger array) and transposed views
    big = np.zeros((26, 5))
    big[::2] = X
    np.testing.assert_array_equal(ns.gram(net, big[::2], Y), ref)
    np.testing.assert_array_equal(ns.gram(net, np.ascontiguousarray(X.T).T, Y), ref)
    x32 = X.astype(np.float32)
    np.testing.assert_array_equal(ns.gram(net, x32, Y), ns.gram(net, x32.astype(np.float64), Y))
    xi = np.arange(15).reshape(5, 3) - 7
    np.testing.assert_array_equal(ns.gram(net, xi), ns.gram(net, xi.astype(np.float64)))
    # the input is not modified
    X0 = X.copy()
    ns.gram(net, X)
    np.testing.assert_array_equal(X, X0)


@pytest.mark.parametrize(
    "X, Y, needle",
    [
        (np.array([[0.0, np.nan]]), None, "X: input point 0 has a non-finite coordinate NaN at column 1"),
        (np.array([[0.0, 1.0], [np.inf, 0.0]]), None, "X: input point 1 has a non-finite coordinate"),
        (np.ones((2, 2)), np.array([[1.0, -np.inf]]), "Y: input point 0"),
        (np.ones(3), None, "X must be a 2-D array"),
        (np.ones((2, 2, 2)), None, "X must be a 2-D array"),
        (np.ones((2, 3)), np.ones((2, 2)), "dimension mismatch: Y has 2 coordinates per point, X has 3"),
        (np.ones((0, 3)), None, "at least one row"),
        (np.ones((2, 0)), None, "at least one row and one column"),
        ([["a", "b"]], None, "X: not convertible"),
    ],
)
def test_bad_arrays_raise(X, Y, needle):
    with pytest.raises(ns.InputError) as e:
        ns.gram(ns.Mlp(2), X, Y)
    assert needle in str(e.value)
    assert isinstance(e.value, ValueError)


def test_gil_is_released_during_gram():
    """A Python thread keeps counting while a long gram call runs in another thread."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((4000, 16))
    net = ns.ResNet(10, alpha=0.1)
    stamps = []
    stop = threading.Event()

    def count():
        n = 0
        while not stop.is_set():
            n += 1
            if n % 200 == 0:
                stamps.append(time.perf_counter())

    window = {}

    def work():
        window["start"] = time.perf_counter()
        ns.gram(net, X)
        window["end"] = time.perf_counter()

    counter = threading.Thread(target=count)
    counter.start()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    stop.set()
    counter.join()
    start, end = window["start"], window["end"]
    span = end - start
    inside = [s for s in stamps if start + 0.25 * span < s < end - 0.25 * span]
    # With the GIL held by the native call, the counter could not run at all in the middle of
    # the window (the interpreter only switches threads between bytecodes).
    assert len(inside) >= 10, (span, len(stamps), len(inside))
