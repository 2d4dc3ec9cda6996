"""Speed of the advection hot kernels on one core, next to a memory copy.

    .venv/bin/python benchmarks/advection_kernels.py [--cells 128]

Prints, for a cells^3 grid with ghost width 2: the flux-divergence kernel
per axis (ns per cell and the equivalent memory traffic in GB/s, counting
one read of q and one read-modify-write of the rhs), the SSP stage update,
and np.copyto of the same array for reference.
"""

import argparse

import numpy as np
from timing import best_of

from parleak.advection import add_flux_divergence
from parleak.integrator import ssp_stage_update
from parleak.reconstruct import LIMITERS



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    n, g = args.cells, 2
    shape = (n + 2 * g,) * 3
    rng = np.random.default_rng(1)
    q = rng.random(shape)
    rhs = np.zeros(shape)
    lo = np.array([g, g, g], dtype=np.int64)
    hi = lo + n
    cells = n ** 3
    rows = []
    for name, limiter in LIMITERS.items():
        for axis in range(3):
            def kernel():
                add_flux_divergence(q, rhs, 1.0, float(n), axis, limiter, lo, hi)
            kernel()
            seconds = best_of(args.repeats, kernel)
            rows.append((f"flux divergence {name:<7} axis {'xyz'[axis]}", seconds, 3 * 8 * cells))
    u, u_n, r = q.reshape(-1).copy(), q.reshape(-1).copy(), rhs.reshape(-1)
    ssp_stage_update(u, u_n, r, 0.5, 0.5, 1e-3)
    rows.append(("ssp stage update", best_of(args.repeats, lambda: ssp_stage_update(u, u_n, r, 0.5, 0.5, 1e-3)),
                 4 * 8 * u.size))
    target = np.empty_like(q)
    rows.append(("np.copyto (reference)", best_of(args.repeats, lambda: np.copyto(target, q)), 2 * 8 * q.size))
    print(f"advection kernels on {n}^3 cells (ghost {g}), one core, best of {args.repeats}")
    print(f"{'kernel':<34} {'ms':>8} {'ns/cell':>8} {'GB/s':>7}")
    for name, seconds, nbytes in rows:
        print(f"{name:<34} {seconds * 1e3:8.2f} {seconds / cells * 1e9:8.2f} {nbytes / seconds / 1e9:7.1f}")


main()
