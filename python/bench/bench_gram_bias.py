"""The fast Gram path with biases against neural-tangents (not run in CI).

n = 4000 normalized Gaussian points in d = 16 (points on the sphere), the NTK of the ReLU MLP
with L = 5 hidden layers, σ_w² = 1, σ_b² = 0.1: ``ntk_sphere.gram`` (best of two calls, the
tables built inside each) against neural-tangents' jitted ``kernel_fn`` of the same network
(stax ``Dense(W_std=1, b_std=√σ_b², parameterization="ntk")`` and ``Relu`` layers), and the
largest entry difference relative to √(K(x,x)K(y,y)).

With ``--raw`` the points are not normalized (raw Gaussian data: all norms distinct, no table;
the bounded double path, ``scalar::BoundedLanes``); ``--depth L`` changes the depth.

Run (neural-tangents as in bench_gram.py)::

    python python/bench/bench_gram_bias.py [--raw] [--depth L]
"""

import sys
import time

import jax
import numpy as np
from neural_tangents import stax

import ntk_sphere as ns

jax.config.update("jax_enable_x64", True)

n, d, b2 = 4000, 16, 0.1
depth = int(sys.argv[sys.argv.index("--depth") + 1]) if "--depth" in sys.argv else 5
rng = np.random.default_rng(20210301)
X = rng.standard_normal((n, d))
if "--raw" not in sys.argv:
    X /= np.linalg.norm(X, axis=1, keepdims=True)
net = ns.Mlp(depth, sigma_b2=b2)


def best(f, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


t_ns, K = best(lambda: ns.gram(net, X))
layers = []
for _ in range(depth):
    layers += [stax.Dense(512, W_std=1.0, b_std=np.sqrt(b2), parameterization="ntk"), stax.Relu()]
layers += [stax.Dense(1, W_std=1.0, b_std=np.sqrt(b2), parameterization="ntk")]
_, _, kernel_fn = stax.serial(*layers)
kf = jax.jit(kernel_fn, static_argnames="get")
t_nt, K_nt = best(lambda: np.asarray(kf(X, None, get="ntk")))
scale = np.sqrt(np.outer(np.diag(K), np.diag(K)))
print(f"ntk_sphere.gram {t_ns * 1e3:.0f} ms, neural-tangents (jitted) {t_nt * 1e3:.0f} ms: "
      f"{t_nt / t_ns:.1f}x; max |K_nt - K| / sqrt(K(x,x)K(y,y)) = {np.max(np.abs(K_nt - K) / scale):.2e}")
