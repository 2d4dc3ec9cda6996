"""The `local` optical depth of fixed random opacities on every process grid
of this number of ranks: rank 0 gathers the global tau of each case and
writes it to argv[1]/<case>.npy (used by tests/test_local_tau.py to check
that the result is bitwise the same on 1, 2, 4 and 8 ranks)."""

import sys
from pathlib import Path

import numpy as np

from parleak import parallel
from parleak.grid import Grid
from parleak.neutrino.local_tau import LocalOpticalDepth

CASES = {  # name -> (cells, boundaries)
    "3d": ([12, 10, 8], {"x_lower": "reflecting", "x_upper": "outflow", "y_lower": "outflow",
                         "y_upper": "outflow", "z_lower": "outflow", "z_upper": "reflecting"}),
    "2d": ([12, 10], {"x_lower": "outflow", "x_upper": "outflow", "y_lower": "reflecting", "y_upper": "outflow"}),
}
N_FIELDS = 3


def global_kappa(cells):
    """Log-normal opacities [cm^-1] spanning three decades, a fifth of the
    cells transparent; the same on every rank. Shape (3, nz, ny, nx)."""
    rng = np.random.default_rng(2014)
    shape = (N_FIELDS,) + (1,) * (3 - len(cells)) + tuple(reversed(cells))
    kappa = np.exp(rng.normal(0.0, 1.5, shape))
    kappa[rng.random(shape) < 0.2] = 0.0
    return kappa


def process_grids(n_ranks, cells):
    """Every (px, py[, pz]) with product n_ranks that leaves each rank a cell."""
    if len(cells) == 1:
        return [(n_ranks,)] if cells[0] >= n_ranks else []
    return [(p,) + rest for p in range(1, n_ranks + 1) if n_ranks % p == 0 and cells[0] >= p
            for rest in process_grids(n_ranks // p, cells[1:])]


def main():
    parallel.install_abort_hook()
    out = Path(sys.argv[1])
    comm = parallel.WORLD
    for name, (cells, boundaries) in CASES.items():
        kappa = global_kappa(cells)
        for procs in process_grids(comm.Get_size(), cells):
            grid = Grid(cells, [0.0] * len(cells), [0.1 * n for n in cells], 1, boundaries, procs, comm)
            (x0, x1), (y0, y1), (z0, z1) = grid.owned
            tau, iterations = LocalOpticalDepth(grid, N_FIELDS)(kappa[:, z0:z1, y0:y1, x0:x1].copy())
            blocks = comm.gather((grid.owned, tau), root=0)
            if comm.Get_rank() == 0:
                whole = np.full(kappa.shape, np.nan)
                for ((a0, a1), (b0, b1), (c0, c1)), block in blocks:
                    whole[:, c0:c1, b0:b1, a0:a1] = block
                np.save(out / f"{name}-p{'x'.join(map(str, procs))}.npy", whole)
                print(f"{name} procs {procs}: {iterations} iterations", flush=True)


main()
