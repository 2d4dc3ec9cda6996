"""Global reductions: the sum is the correctly rounded exact sum (equal to
math.fsum of the whole global array), hence bitwise the same on every
decomposition; min and max are exact."""

import math

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all, factorisations

from parleak.grid import FACES, Grid

N_RANKS = MPI.COMM_WORLD.Get_size()
CELLS = [16, 12, 8]


def global_values(cells):
    """Values over a wide range of magnitudes and both signs, the same on
    every rank: a naive sum of them depends on the order of addition."""
    rng = np.random.default_rng(2026)
    flat = rng.standard_normal(int(np.prod(cells))) * 10.0 ** rng.integers(-8, 8, size=int(np.prod(cells)))
    flat[::7] = 1e17 * np.where(np.arange(flat[::7].size) % 2, 1.0, -1.0)  # large, cancelling
    return flat.reshape(tuple(reversed(cells)))


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_sum_min_max_on_every_decomposition(dim):
    cells = CELLS[:dim]
    values = global_values(cells)
    expected = math.fsum(values.ravel())
    naive = [float(sum(np.random.default_rng(seed).permutation(values.ravel()).tolist())) for seed in range(4)]
    assert len(set(naive) | {expected}) > 1, "test data too benign: every order gives the same sum"
    for procs in factorisations(N_RANKS, dim):
        grid = Grid(cells, [0.0] * dim, [1.0] * dim, 2, {f: "outflow" for f in FACES}, procs)
        owned = tuple(slice(s, e) for s, e in reversed(grid.owned[:dim]))
        local = np.ascontiguousarray(values[owned])
        total = grid.sum(local)
        check_all(total == expected, f"procs {procs}: sum {total!r} != fsum {expected!r}")
        check_all(grid.min(local) == values.min() and grid.max(local) == values.max(), f"procs {procs}: min/max")


def test_sum_of_exactly_cancelling_values():
    grid = Grid([8], [0.0], [1.0], 1, {f: "periodic" for f in FACES})
    start, end = grid.owned[0]
    values = np.array([1e16, 1.0, -1e16, 1e-16, 3.0, -1.0, 2.0 ** -60, -3.0])[start:end]
    check_all(grid.sum(values) == 1e-16 + 2.0 ** -60, "cancellation lost low bits")
