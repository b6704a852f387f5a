"""Benchmarks of the Python package (not run in CI; the numbers are recorded in
python/bench/RESULTS.md).

1. Per-call overhead of ``ntk_sphere.kernel`` on a 1-element array (timeit, best of 7).
2. ``ntk_sphere.gram`` in-process, n = 4000, d = 16, ResNet L = 10, α = 0.1 (best of 5).
3. If neural-tangents and JAX are installed: the same Gram matrix from neural-tangents' jitted
   ``kernel_fn`` of the same network (stax, NTK parametrization, no biases), its time, and the
   entry errors of both relative to ‖x‖‖y‖κ(1).

Run::

    pip install ./python
    python python/bench/bench_gram.py                    # 1 and 2
    pip install neural-tangents "jax[cpu]"               # in the same venv, for 3
    python python/bench/bench_gram.py --n 4000

The network of ``ResNet(L, alpha=α)`` (docs/conventions.md §4.3) in stax:
g₀ = A x/√d: ``Dense(m, W_std=1)``; each block g ↦ g + α(σ_v/√m)V relu((σ_w/√m)W g):
``serial(FanOut(2), parallel(Identity(), serial(Dense(m, W_std=σ_w), Relu(),
Dense(m, W_std=α σ_v))), FanInSum())``; f = vᵀg_L/√m: ``Dense(1, W_std=1)``; all with
``parameterization="ntk"`` and ``b_std=None``.
"""

from __future__ import annotations

import argparse
import time
import timeit

import numpy as np

import ntk_sphere as ns


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def overhead() -> None:
    """Time of ``kernel`` on a 1-element array, and its fixed part: t(1 value) minus the
    marginal cost of one value, t(2 values) − t(1 value)."""
    one, two = np.array([0.3]), np.array([0.3, 0.4])
    number = 20000
    for label, net in [("Mlp(0)", ns.Mlp(0)), ("Mlp(1)", ns.Mlp(1)), ("ResNet(10, alpha=0.1)", ns.ResNet(10, alpha=0.1))]:
        t1 = min(timeit.repeat(lambda: ns.kernel(net, one, dim=16), number=number, repeat=7)) / number
        t2 = min(timeit.repeat(lambda: ns.kernel(net, two, dim=16), number=number, repeat=7)) / number
        print(f"kernel({label}, 1-element array, dim=16): {t1 * 1e6:6.2f} us per call; "
              f"one more value {(t2 - t1) * 1e6:6.2f} us; fixed overhead {(2 * t1 - t2) * 1e6:5.2f} us")
    spec = {"layers": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}
    t = min(timeit.repeat(lambda: ns.kernel(spec, one, dim=16), number=number, repeat=7)) / number
    print(f"kernel(spec dict of Mlp(1), 1-element array): {t * 1e6:6.2f} us per call (spec parsed per call; "
          "build ns.Network(spec) once to avoid it)")
    big = np.linspace(-1, 1, 100_000)
    net = ns.ResNet(10, alpha=0.1)
    t = best(lambda: ns.kernel(net, big, dim=16), 5)
    print(f"kernel(ResNet(10), 1e5 values): {t / big.size * 1e9:8.1f} ns per value (parallel, GIL released)")


def gram_bench(n: int, d: int, depth: int, alpha: float, repeat: int):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    net = ns.ResNet(depth, alpha=alpha)
    ns.gram(net, X[:10])  # warm-up (thread pool)
    t = best(lambda: ns.gram(net, X), repeat)
    print(f"ntk_sphere.gram   n={n} d={d} ResNet L={depth} alpha={alpha}: {t * 1e3:9.1f} ms "
          f"({n * n / t / 1e6:.0f} M entries/s)")
    return X, net, t


def neural_tangents_bench(X, depth: int, alpha: float, ours: float, repeat: int) -> None:
    try:
        import jax
        from jax import config
        from neural_tangents import stax
    except Exception as e:  # pragma: no cover - optional
        print(f"neural-tangents not available ({type(e).__name__}: {e}); skipped")
        return
    config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def block():
        return stax.serial(
            stax.FanOut(2),
            stax.parallel(
                stax.Identity(),
                stax.serial(
                    stax.Dense(512, W_std=1.0, b_std=None, parameterization="ntk"),
                    stax.Relu(),
                    stax.Dense(512, W_std=alpha, b_std=None, parameterization="ntk"),
                ),
            ),
            stax.FanInSum(),
        )

    layers = [stax.Dense(512, W_std=1.0, b_std=None, parameterization="ntk")]
    layers += [block() for _ in range(depth)]
    layers += [stax.Dense(1, W_std=1.0, b_std=None, parameterization="ntk")]
    _, _, kernel_fn = stax.serial(*layers)
    kfn = jax.jit(kernel_fn, static_argnames="get")
    x = jnp.asarray(X)
    kfn(x[:10], None, get="ntk").block_until_ready()
    kfn(x, None, get="ntk").block_until_ready()  # compile for the full shape
    t = best(lambda: kfn(x, None, get="ntk").block_until_ready(), repeat)
    nt = np.asarray(kfn(x, None, get="ntk"))
    print(f"neural-tangents   jitted kernel_fn(get='ntk'), same n, d, net: {t * 1e3:9.1f} ms "
          f"-> speed-up of ntk_sphere: {t / ours:.1f}x")
    # Entry errors relative to ‖x‖‖y‖κ(1), against the exact per-pair recursion of the library
    # (ntk_sphere.kernel on the exactly rounded cosines, double-double inside), on a sample.
    net = ns.ResNet(depth, alpha=alpha)
    ours_k = ns.gram(net, X)
    k1 = ns.kernel(net, 1.0, dim=X.shape[1])
    rng = np.random.default_rng(1)
    idx = rng.choice(X.shape[0], size=min(300, X.shape[0]), replace=False)
    Xs = X[idx]
    norms = np.linalg.norm(Xs, axis=1)
    U = Xs / norms[:, None]
    c = np.clip(U @ U.T, -1, 1)
    np.fill_diagonal(c, 1.0)
    exact = ns.kernel(net, c, dim=X.shape[1]) * np.outer(norms, norms)
    scale = np.outer(norms, norms) * k1
    e_ours = np.max(np.abs(ours_k[np.ix_(idx, idx)] - exact) / scale)
    e_nt = np.max(np.abs(nt[np.ix_(idx, idx)] - exact) / scale)
    e_cross = np.max(np.abs(ours_k - nt) / (np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(X, axis=1)) * k1))
    print(f"entry error / (|x||y|k(1)) on {len(idx)}^2 entries vs the per-pair recursion: "
          f"ntk_sphere {e_ours:.2e}, neural-tangents {e_nt:.2e}; all entries ntk_sphere vs NT {e_cross:.2e}")
    print("  (the reference uses the rounded cosines of the normalized rows; its own error is")
    print("   ~1e-16 relative except near t = +-1, where acos amplifies rounding)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--dim", type=int, default=16)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--alpha", type=float, default=0.1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--skip-overhead", action="store_true")
    args = p.parse_args()
    if not args.skip_overhead:
        overhead()
    X, _, ours = gram_bench(args.n, args.dim, args.depth, args.alpha, args.repeat)
    neural_tangents_bench(X, args.depth, args.alpha, ours, max(1, args.repeat // 2))


if __name__ == "__main__":
    main()
