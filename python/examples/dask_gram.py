"""A Gram matrix too large for one machine's memory, built block by block with dask.array.

The n × n NTK Gram matrix of n = 10⁵ points is 80 GB of float64. Cut the points into row
blocks X_0, X_1, …; block (i, j) of K is exactly ``ntk_sphere.gram(net, X_i, X_j)`` (the kernel
of a pair depends only on the pair), so K is a dask array whose every chunk is one such call.
dask schedules the chunks on the threads of one machine (``gram`` releases the GIL and is
itself parallel) or, with ``dask.distributed``, on the workers of a cluster; the matrix is never
held whole unless you ask for it. Reductions (``K.sum()``, ``K @ v``, ``K.diagonal()``) and
writes (``K.to_zarr(...)``, ``da.to_npy_stack``) then stream through the chunks.

This is the way to scale past one machine's memory: no cluster code of this package, dask's
own schedulers do the distribution.

Run (``pip install "dask[array]"`` first)::

    python examples/dask_gram.py                 # n = 100_000: K @ v streamed, never stored
    python examples/dask_gram.py --n 4000 --check  # small n: compares with one gram call
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ntk_sphere as ns


def block_gram(net: ns.NetLike, X: np.ndarray, block: int, *, kind: str = "ntk"):
    """K(X, X) as a lazy dask array of (block × block) chunks, chunk (i, j) computed by
    ``ns.gram(net, X_i, X_j)``."""
    import dask.array as da

    n = X.shape[0]
    starts = list(range(0, n, block))
    rows = []
    for i in starts:
        Xi = X[i : i + block]
        row = []
        for j in starts:
            Xj = X[j : j + block]
            shape = (Xi.shape[0], Xj.shape[0])
            chunk = da.from_delayed(_delayed_gram(net, Xi, Xj, kind), shape=shape, dtype=np.float64)
            row.append(chunk)
        rows.append(row)
    return da.block(rows)


def _delayed_gram(net, Xi, Xj, kind):
    import dask

    # The network goes to the workers by pickle: specs (dicts) and Mlp/ResNet/Network objects pickle.
    return dask.delayed(ns.gram, pure=True)(net, Xi, Xj, kind=kind)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="number of points")
    p.add_argument("--dim", type=int, default=16, help="dimension d of the points")
    p.add_argument("--block", type=int, default=5_000, help="rows (and columns) per chunk")
    p.add_argument("--check", action="store_true", help="compare with one ns.gram call (small n only)")
    args = p.parse_args()

    # A spec dict is plain data: it pickles to any dask worker.
    net = {"layers": [{"dense": {}}]
           + [{"residual": {"alpha": 0.1, "branch": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}}] * 10
           + [{"dense": {}}]}
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n, args.dim))
    K = block_gram(net, X, args.block)
    print(f"K: {K.shape}, {K.nbytes / 1e9:.1f} GB as float64, {K.numblocks[0] * K.numblocks[1]} chunks")

    v = rng.standard_normal(args.n)
    t = time.perf_counter()
    Kv = (K @ v).compute()  # streamed: each chunk is computed, multiplied and dropped
    print(f"K @ v in {time.perf_counter() - t:.1f} s; |K @ v| = {np.linalg.norm(Kv):.6g}")

    if args.check:
        full = ns.gram(net, X)
        scale = np.max(np.abs(np.diag(full)))
        err = np.max(np.abs(K.compute() - full)) / scale
        print(f"max |K_dask - K| / max K_ii = {err:.3g}")
        assert err < 1e-13, "chunk (i, j) is gram(X_i, X_j), within the Gram path's accuracy"
        assert np.allclose(Kv, full @ v, rtol=1e-10, atol=1e-10 * scale * args.n)


if __name__ == "__main__":
    main()
