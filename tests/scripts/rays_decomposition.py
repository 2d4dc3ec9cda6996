"""The `rays` optical depths of one seeded random opacity field on a
16 x 12 x 10 grid (x_lower and z_upper reflecting, the other faces
outflow), for each process grid given, under mpirun. Rank 0 gathers the
owned blocks (here, in the test script only) and writes, per process grid
PXxPYxPZ, OUTDIR/rays_PXxPYxPZ.npy: an array (7, 3, 10, 12, 16) holding
the directional taus +x, -x, +y, -y, +z, -z and then tau.

usage: rays_decomposition.py OUTDIR PXxPYxPZ [PXxPYxPZ ...]
"""

import sys
from pathlib import Path

import numpy as np

from parleak import parallel
from parleak.grid import Grid
from parleak.neutrino.rays import RayOpticalDepth

CELLS = (16, 12, 10)
BOUNDARIES = {"x_lower": "reflecting", "x_upper": "outflow", "y_lower": "outflow", "y_upper": "outflow",
              "z_lower": "outflow", "z_upper": "reflecting"}


def main(outdir, process_grids):
    parallel.install_abort_hook()
    comm = parallel.WORLD
    kappa = 10.0 ** np.random.default_rng(2024).uniform(-3.0, 3.0, (3,) + tuple(reversed(CELLS)))
    for label in process_grids:
        procs = [int(p) for p in label.split("x")]
        grid = Grid(CELLS, [0.0, -1.0, 2.0], [1.6, 0.5, 3.0], 1, BOUNDARIES, procs, comm)
        (x0, x1), (y0, y1), (z0, z1) = grid.owned
        tau, taus = RayOpticalDepth(grid)(kappa[:, z0:z1, y0:y1, x0:x1], directions=True)
        blocks = comm.gather((grid.owned, np.concatenate([taus, tau[None]])), root=0)
        if comm.Get_rank() == 0:
            whole = np.empty((7,) + kappa.shape)
            for ((x0, x1), (y0, y1), (z0, z1)), block in blocks:
                whole[..., z0:z1, y0:y1, x0:x1] = block
            np.save(Path(outdir) / f"rays_{label}.npy", whole)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
