"""The dask example (python/examples/dask_gram.py) at small n; skipped without dask."""

import importlib.util
import pathlib

import numpy as np
import pytest

import ntk_sphere as ns

pytest.importorskip("dask.array")


def load_example():
    path = pathlib.Path(__file__).parents[1] / "examples" / "dask_gram.py"
    spec = importlib.util.spec_from_file_location("dask_gram", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_block_gram_matches_one_call():
    example = load_example()
    X = np.random.default_rng(5).standard_normal((230, 6))
    net = ns.ResNet(4, alpha=0.1)
    K = example.block_gram(net, X, 64)
    assert K.numblocks == (4, 4)
    full = ns.gram(net, X)
    np.testing.assert_allclose(K.compute(), full, rtol=0, atol=1e-13 * np.max(np.diag(full)))
