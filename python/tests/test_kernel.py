"""Kernel values against closed forms and the `ntk` CLI; dtype, shape and error handling."""

import math

import numpy as np
import pytest

import ntk_sphere as ns

RELU_RESNET_SPEC = {
    "layers": [
        {"dense": {}},
        {"residual": {"alpha": 0.1, "branch": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}},
        {"dense": {}},
    ]
}


def one_layer_ntk(t):
    """d·Θ(t) of the one-hidden-layer ReLU network, σ_w² = 1 (arc-cosine kernels)."""
    a = np.pi - np.arccos(t)
    return ((t * a + np.sqrt(1 - t * t)) / np.pi + t * a / np.pi) / 2


def one_layer_nngp(t):
    """d·Σ(t) of the one-hidden-layer ReLU network: E[relu(u) relu(v)] for unit variances."""
    return (np.sqrt(1 - t * t) + (np.pi - np.arccos(t)) * t) / (2 * np.pi)


def test_one_hidden_layer_closed_forms():
    t = np.linspace(-1, 1, 201)
    for d in (1, 3, 16):
        ntk = ns.kernel(ns.Mlp(1), t, dim=d)
        np.testing.assert_allclose(d * ntk, one_layer_ntk(t), rtol=0, atol=2e-16 * 4)
        nngp = ns.kernel(ns.Mlp(1), t, dim=d, kind="nngp")
        np.testing.assert_allclose(d * nngp, one_layer_nngp(t), rtol=0, atol=2e-16 * 4)


@pytest.mark.parametrize("depth", range(0, 8))
def test_mlp_diagonal(depth):
    d = 5
    assert d * ns.kernel(ns.Mlp(depth), 1.0, dim=d) == pytest.approx((depth + 1) / 2**depth, rel=1e-15)


def test_sigma_w2_rescales_bias_free_ntk():
    t = np.array([-0.5, 0.2, 0.9])
    base = ns.kernel(ns.Mlp(3), t, dim=4)
    scaled = ns.kernel(ns.Mlp(3, sigma_w2=2.0), t, dim=4)
    np.testing.assert_allclose(scaled, 2.0**3 * base, rtol=1e-14)


def test_against_cli_resnet(cli):
    doc = cli("kernel_resnet.json")
    v = ns.kernel(ns.ResNet(10, alpha=0.1), np.array(doc["u"]), dim=16)
    np.testing.assert_allclose(v, doc["value"], rtol=2e-16, atol=0)


def test_against_cli_theta_normalized_nngp(cli):
    doc = cli("kernel_mlp_nngp.json")
    v = ns.kernel(ns.Mlp(3, sigma_b2=0.5), theta=doc["theta"], dim=4, kind="nngp", normalize=True)
    np.testing.assert_allclose(v, doc["value"], rtol=2e-16, atol=0)


def test_against_cli_composed_net(cli):
    doc = cli("kernel_net.json")
    net = [
        {"dense": {}},
        {"activation": {"erf": {"a": 2}}},
        {"dense": {}},
        {"residual": {"alpha": 0.5, "branch": [{"dense": {}}, {"activation": {"gelu": {}}}, {"dense": {}}]}},
        {"dense": {}},
    ]
    for spec in (net, {"layers": net}, ns.Network(net)):
        np.testing.assert_allclose(ns.kernel(spec, doc["u"], dim=5), doc["value"], rtol=2e-16, atol=0)


def test_theta_and_normalize():
    net = ns.ResNet(4, alpha=0.5)
    theta = np.linspace(0, np.pi, 9)
    a = ns.kernel(net, theta=theta, dim=3)
    b = ns.kernel(net, np.cos(theta), dim=3)
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-17)
    n = ns.kernel(net, theta=theta, dim=3, normalize=True)
    np.testing.assert_allclose(n, a / ns.kernel(net, 1.0, dim=3), rtol=1e-15)
    assert n[0] == 1.0


def test_spec_and_preset_agree():
    t = np.linspace(-1, 1, 11)
    np.testing.assert_array_equal(
        ns.kernel(RELU_RESNET_SPEC, t, dim=3), ns.kernel(ns.ResNet(1, alpha=0.1), t, dim=3)
    )


def test_shapes_dtypes_orders():
    net = ns.Mlp(2)
    assert isinstance(ns.kernel(net, 0.5, dim=3), float)
    assert isinstance(ns.kernel(net, np.float32(0.5), dim=3), float)
    t = np.linspace(-1, 1, 12).reshape(3, 4)
    ref = ns.kernel(net, t.ravel(), dim=3).reshape(3, 4)
    t32 = t.astype(np.float32)
    np.testing.assert_array_equal(ns.kernel(net, t32, dim=3), ns.kernel(net, t32.astype(np.float64), dim=3))
    for arr in (t, np.asfortranarray(t), t.tolist()):
        out = ns.kernel(net, arr, dim=3)
        assert out.shape == (3, 4) and out.dtype == np.float64 and out.flags.c_contiguous
        np.testing.assert_array_equal(out, ref)
    strided = np.linspace(-1, 1, 24)[::2]
    np.testing.assert_array_equal(ns.kernel(net, strided, dim=3), ns.kernel(net, strided.copy(), dim=3))
    ints = ns.kernel(net, np.array([-1, 0, 1]), dim=3)
    np.testing.assert_array_equal(ints, ns.kernel(net, [-1.0, 0.0, 1.0], dim=3))
    assert ns.kernel(net, np.zeros((0,)), dim=3).shape == (0,)
    assert ns.kernel(net, np.zeros((2, 0, 3)), dim=3).shape == (2, 0, 3)


def test_rounding_beyond_one_is_accepted():
    net = ns.Mlp(2)
    assert ns.kernel(net, 1 + 2**-52, dim=3) == ns.kernel(net, 1.0, dim=3)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"t": 1.5}, "inner product t = 1.5 is outside [-1, 1]"),
        ({"t": [0.0, np.nan]}, "t = NaN"),
        ({"t": np.inf}, "outside [-1, 1]"),
        ({"theta": 4.0}, "angle theta must lie in [0, pi], got 4"),
        ({"theta": -0.1}, "angle theta"),
        ({"t": 0.5, "theta": 0.5}, "exactly one of t and theta"),
        ({}, "exactly one of t and theta"),
        ({"t": 0.5, "dim": 0}, "dimension must be >= 1, got 0"),
        ({"t": 0.5, "kind": "gp"}, "kind"),
        ({"t": "x"}, "t"),
    ],
)
def test_errors(kwargs, needle):
    kwargs.setdefault("dim", 3)
    with pytest.raises(ns.NtkSphereError) as e:
        ns.kernel(ns.Mlp(2), **kwargs)
    assert isinstance(e.value, ValueError)
    assert needle in str(e.value)


def test_network_errors_name_the_parameter():
    with pytest.raises(ns.NtkSphereError, match="sigma_w2 must be finite and > 0, got -1"):
        ns.Mlp(2, sigma_w2=-1)
    with pytest.raises(ns.NtkSphereError, match="alpha"):
        ns.ResNet(2, alpha=math.nan)
    with pytest.raises(ns.NtkSphereError, match="depth must be a non-negative integer"):
        ns.Mlp(-1)
    with pytest.raises(ns.NtkSphereError, match="depth"):
        ns.ResNet(1.5)


def test_net_spec_errors():
    with pytest.raises(ns.NetSpecError) as e:
        ns.kernel([{"dense": {"w_var": -1}}], 0.5, dim=3)
    assert str(e.value) == "net /layers/0/dense/w_var: w_var must be > 0, got -1"
    with pytest.raises(ns.NetSpecError, match='unknown activation "tanh"'):
        ns.Network([{"activation": {"tanh": {}}}])
    with pytest.raises(ns.NetSpecError, match="missing required key"):
        ns.Network({})
    with pytest.raises(ns.NetSpecError, match="not JSON-serializable"):
        ns.Network([{"dense": {"w_var": math.nan}}])
    with pytest.raises(ns.NetSpecError, match="invalid JSON"):
        ns.Network('{"layers": [')
    with pytest.raises(ns.NtkSphereError, match="net: expected"):
        ns.kernel(42, 0.5, dim=3)
    assert issubclass(ns.NetSpecError, ns.NtkSphereError)
    assert issubclass(ns.InputError, ValueError)


def test_networks_pickle_and_compare():
    import pickle

    for net in (ns.Mlp(2, sigma_b2=0.1), ns.ResNet(3, alpha=0.5), ns.Network(RELU_RESNET_SPEC)):
        again = pickle.loads(pickle.dumps(net))
        assert again == net and hash(again) == hash(net) and type(again) is type(net)
        assert ns.kernel(again, 0.3, dim=3) == ns.kernel(net, 0.3, dim=3)
    assert ns.Mlp(2) != ns.Mlp(3) and ns.Mlp(1) != ns.ResNet(1)
    assert ns.Network(RELU_RESNET_SPEC).spec == RELU_RESNET_SPEC


def test_repr_and_properties():
    assert repr(ns.Mlp(2)) == "Mlp(depth=2, sigma_w2=1.0, sigma_b2=0.0)"
    assert ns.ResNet(3, alpha=0.5).depth == 3
    assert ns.Mlp(2).is_homogeneous and not ns.Mlp(2, sigma_b2=0.1).is_homogeneous
