"""The `rays` and `local` optical depths on a stretched grid, for each
process grid given, under mpirun (tests/test_stretched_neutrino.py).

Grid: 24^3 cells on [-1, 1]^2 x [-0.8, 0.8] cm, stretched about the
centre (widths 0.06 to 0.14 cm along x and y; z the same faces times 0.8),
outflow faces. Rank 0 gathers the owned blocks (here, in the test script
only) and writes OUTDIR/stretched_PXxPYxPZ.npz with

    faces_x, faces_y, faces_z   the face coordinates [cm]
    sphere_kappa                (2, 24, 24, 24): 3 and 0.5 /cm inside r < 0.7 cm
    sphere                      (7, 2, 24, 24, 24): `rays` +x, -x, +y, -y, +z, -z, tau
    mirror_kappa                (2, 24, 24, 24): random, mirror-symmetric about 0 on every axis
    full                        (2, 24, 24, 24): `rays` tau of mirror_kappa
    octant                      (2, 12, 12, 12): `rays` tau of the upper octant (reflecting lower faces)
    local_kappa                 (2, 24, 24, 24): random, 4 decades
    local                       (2, 24, 24, 24): `local` tau (x_lower and z_upper reflecting)

usage: stretched_optical_depths.py OUTDIR PXxPYxPZ [PXxPYxPZ ...]
"""

import sys
from pathlib import Path

import numpy as np

from parleak import parallel
from parleak.grid import FACES, Grid
from parleak.neutrino.local_tau import LocalOpticalDepth
from parleak.neutrino.rays import RayOpticalDepth
from parleak.spacing import stretched_faces

CELLS = 24
FACES_X = stretched_faces(-1.0, 1.0, CELLS, 0.06, 0.3, 0.0)[0]
AXIS_FACES = [FACES_X, FACES_X, 0.8 * FACES_X]
OUTFLOW = {face: "outflow" for face in FACES}


def stretched_grid(axis_faces, boundaries, procs):
    return Grid([len(f) - 1 for f in axis_faces], [f[0] for f in axis_faces], [f[-1] for f in axis_faces], 1,
                boundaries, procs, parallel.WORLD, faces=axis_faces)


def gathered(grid, local):
    """The global (..., NZ, NY, NX) array of the owned blocks, on rank 0 (None elsewhere)."""
    blocks = grid.comm.gather((grid.owned, local), root=0)
    if grid.comm.Get_rank() != 0:
        return None
    whole = np.empty(local.shape[:-3] + tuple(reversed(grid.cells)))
    for ((x0, x1), (y0, y1), (z0, z1)), block in blocks:
        whole[..., z0:z1, y0:y1, x0:x1] = block
    return whole


def owned_block(grid, array):
    (x0, x1), (y0, y1), (z0, z1) = grid.owned
    return np.ascontiguousarray(array[..., z0:z1, y0:y1, x0:x1])


def fields():
    """(sphere, mirror-symmetric, random) opacities (2, 24, 24, 24) [cm^-1]."""
    centres = [0.5 * (f[:-1] + f[1:]) for f in AXIS_FACES]
    z, y, x = centres[2][:, None, None], centres[1][None, :, None], centres[0][None, None, :]
    inside = (x * x + y * y + z * z < 0.7**2).astype(float)
    sphere = np.array([3.0, 0.5])[:, None, None, None] * inside
    rng = np.random.default_rng(20)
    octant = 10.0 ** rng.uniform(-2.0, 2.0, (2,) + (CELLS // 2,) * 3)
    mirror = octant
    for axis in (1, 2, 3):
        mirror = np.concatenate([np.flip(mirror, axis), mirror], axis=axis)
    return sphere, mirror, 10.0 ** rng.uniform(-2.0, 2.0, (2,) + (CELLS,) * 3)


def main(outdir, process_grids):
    parallel.install_abort_hook()
    sphere_kappa, mirror_kappa, local_kappa = fields()
    half = CELLS // 2
    octant_faces = [f[half:] for f in AXIS_FACES]
    octant_boundaries = dict(OUTFLOW, x_lower="reflecting", y_lower="reflecting", z_lower="reflecting")
    local_boundaries = dict(OUTFLOW, x_lower="reflecting", z_upper="reflecting")
    for label in process_grids:
        procs = [int(p) for p in label.split("x")]
        grid = stretched_grid(AXIS_FACES, OUTFLOW, procs)
        rays = RayOpticalDepth(grid)
        tau, taus = rays(owned_block(grid, sphere_kappa), directions=True)
        sphere = gathered(grid, np.concatenate([taus, tau[None]]))
        full = gathered(grid, rays(owned_block(grid, mirror_kappa)))
        octant_grid = stretched_grid(octant_faces, octant_boundaries, procs)
        octant_kappa = owned_block(octant_grid, mirror_kappa[..., half:, half:, half:])
        octant = gathered(octant_grid, RayOpticalDepth(octant_grid)(octant_kappa))
        local_grid = stretched_grid(AXIS_FACES, local_boundaries, procs)
        local = gathered(local_grid, LocalOpticalDepth(local_grid, 2)(owned_block(local_grid, local_kappa))[0])
        if parallel.WORLD.Get_rank() == 0:
            np.savez(Path(outdir) / f"stretched_{label}.npz", faces_x=AXIS_FACES[0], faces_y=AXIS_FACES[1],
                     faces_z=AXIS_FACES[2], sphere_kappa=sphere_kappa, sphere=sphere, mirror_kappa=mirror_kappa,
                     full=full, octant=octant, local_kappa=local_kappa, local=local)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
