"""The `local` optical depth (path of least resistance) on every process
grid of this number of ranks: the exact least optical depth over grid
paths (against an independent serial Dijkstra on the global array, built
on every rank), the analytic depth of a uniform sphere on its axes, and an
octant with reflecting faces against the full domain, bitwise."""

import heapq

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all, factorisations

from parleak.grid import AXES, Grid
from parleak.neutrino.local_tau import LocalOpticalDepth

COMM = MPI.COMM_WORLD
N_RANKS = COMM.Get_size()


def splits(cells):
    """The process grids of N_RANKS ranks that leave every rank a cell."""
    return [p for p in factorisations(N_RANKS, len(cells)) if all(n // q >= 1 for n, q in zip(cells, p))]


def owned(grid, global_array):
    """This rank's owned block of a global (n, nz, ny, nx) array."""
    (x0, x1), (y0, y1), (z0, z1) = grid.owned
    return np.ascontiguousarray(global_array[:, z0:z1, y0:y1, x0:x1])


def gathered(grid, local):
    """The global (n, nz, ny, nx) array of every rank's owned blocks."""
    whole = np.full((local.shape[0],) + tuple(reversed(grid.cells)), np.nan)
    for ranges, block in COMM.allgather((grid.owned, local)):
        (x0, x1), (y0, y1), (z0, z1) = ranges
        whole[:, z0:z1, y0:y1, x0:x1] = block
    return whole


def dijkstra(kappa, dx, boundaries):
    """Least optical depth over grid paths from each cell centre to an
    outflow face, for one global opacity field kappa (nz, ny, nx) [cm^-1]:
    edges (kappa_i + kappa_n) * (dx / 2) between face neighbours along the
    axes with more than one cell, kappa_i * (dx / 2) from a cell to the
    outside beyond an outflow face."""
    shape = kappa.shape
    depth = np.full(shape, np.inf)
    heap = []
    for cell in np.ndindex(shape):
        for a in range(3):
            n = shape[2 - a]
            for side, edge in (("lower", 0), ("upper", n - 1)):
                if n > 1 and cell[2 - a] == edge and boundaries[f"{AXES[a]}_{side}"] == "outflow":
                    heapq.heappush(heap, (kappa[cell] * (0.5 * dx[a]), cell))
    while heap:
        d, cell = heapq.heappop(heap)
        if d >= depth[cell]:
            continue
        depth[cell] = d
        for a in range(3):
            for step in (-1, 1):
                other = list(cell)
                other[2 - a] += step
                other = tuple(other)
                if 0 <= other[2 - a] < shape[2 - a]:
                    candidate = d + (kappa[other] + kappa[cell]) * (0.5 * dx[a])
                    if candidate < depth[other]:
                        heapq.heappush(heap, (candidate, other))
    return depth


# -- a uniform sphere -----------------------------------------------------

SPHERE_CELLS = {1: [15], 2: [15, 13], 3: [15, 13, 11]}
SPHERE_DX = 0.1  # cm
SPHERE_RADIUS = 0.52  # cm
SPHERE_KAPPA = (2.0, 7.5)  # cm^-1, two fields


def sphere_cases():
    for dim, cells in SPHERE_CELLS.items():
        for procs in splits(cells):
            yield pytest.param(dim, procs, id=f"{dim}d-p{'x'.join(map(str, procs))}")


@pytest.mark.parametrize("dim, procs", list(sphere_cases()))
def test_sphere_is_the_least_path_and_analytic_on_the_axes(dim, procs):
    cells = SPHERE_CELLS[dim]
    half = [0.5 * n * SPHERE_DX for n in cells]
    boundaries = {f"{a}_{s}": "outflow" for a in AXES for s in ("lower", "upper")}
    grid = Grid(cells, [-h for h in half], half, 2, boundaries, procs)
    z, y, x = np.meshgrid(*[grid.global_centres(a) if a < dim else [0.0] for a in (2, 1, 0)], indexing="ij")
    radius = np.sqrt(x * x + y * y + z * z)
    kappa = np.array([np.where(radius < SPHERE_RADIUS, k, 0.0) for k in SPHERE_KAPPA])

    tau, iterations = LocalOpticalDepth(grid, 2)(owned(grid, kappa))
    whole = gathered(grid, tau)

    for f, k in enumerate(SPHERE_KAPPA):
        exact = dijkstra(kappa[f], grid.dx, boundaries)
        check_all(np.array_equal(whole[f], exact), f"field {f}: max |local - Dijkstra| = "
                  f"{np.max(np.abs(whole[f] - exact))}")
        check_all(np.all(whole[f][kappa[f] == 0.0] == 0.0), "transparent cells with tau != 0")
        # On the axes through the centre cell: kappa (R - r) to within half
        # a cell's optical path (the straight path is the least one).
        centre = tuple(n // 2 for n in reversed(grid.cells))
        for a in range(dim):
            line = list(centre)
            line[2 - a] = slice(None)
            r = np.abs(grid.global_centres(a))
            inside = r < SPHERE_RADIUS
            error = np.abs(whole[f][tuple(line)] - k * (SPHERE_RADIUS - r))[inside]
            check_all(np.all(error <= 0.5 * k * grid.dx[a] * (1 + 1e-12)), f"axis {a}: error {error.max()}")
    # One iteration resolves every monotone path within a rank; the seeds
    # cross at most one rank boundary per iteration; one more confirms.
    check_all(2 <= iterations <= 1 + sum(procs), f"{iterations} iterations")


# -- an octant with reflecting faces against the full domain ----------------

OCTANT_CELLS = {2: [6, 5], 3: [6, 5, 4]}


def octant_kappa(m):
    """Opacities [cm^-1] of two fields from the (mz, my, mx) distances of
    the cells from the symmetry planes in cells, with transparent pockets."""
    mz, my, mx = m
    base = 1.0 + 0.37 * ((7 * mx + 3 * my * my + 5 * mz) % 11) + (mx * my % 3)
    pocket = (mx + 2 * my + mz) % 5 == 2
    return np.array([np.where(pocket, 0.0, base), 3.0 * base * (1 + mx)])


def octant_cases():
    for dim, cells in OCTANT_CELLS.items():
        full = [2 * n for n in cells]
        for procs in splits(cells):
            for full_procs in splits(full):
                yield pytest.param(dim, procs, full_procs,
                                   id=f"{dim}d-p{'x'.join(map(str, procs))}-{'x'.join(map(str, full_procs))}")


@pytest.mark.parametrize("dim, procs, full_procs", list(octant_cases()))
def test_octant_equals_full_domain(dim, procs, full_procs):
    cells = OCTANT_CELLS[dim]
    width = [0.3 * n for n in cells]
    full_faces = {f"{a}_{s}": "outflow" for a in AXES for s in ("lower", "upper")}
    octant_faces = {f"{a}_{s}": ("reflecting" if s == "lower" else "outflow") for a in AXES for s in ("lower", "upper")}
    full = Grid([2 * n for n in cells], [-w for w in width], width, 1, full_faces, full_procs)
    octant = Grid(cells, [0.0] * dim, width, 1, octant_faces, procs)
    assert full.dx == octant.dx

    # Distances from the symmetry planes: cell 2n-1-i mirrors cell i.
    full_m = np.meshgrid(*[np.abs(np.arange(n) - (n - 1) / 2) - (n - 1) % 2 / 2 for n in reversed(full.cells)],
                         indexing="ij")
    octant_m = np.meshgrid(*[np.arange(n) for n in reversed(octant.cells)], indexing="ij")
    full_tau, _ = LocalOpticalDepth(full, 2)(owned(full, octant_kappa(full_m)))
    octant_tau, _ = LocalOpticalDepth(octant, 2)(owned(octant, octant_kappa(octant_m)))

    whole = gathered(full, full_tau)
    upper = (slice(None),) + tuple(slice(n // 2, None) for n in reversed(full.cells))
    check_all(np.array_equal(whole[upper], gathered(octant, octant_tau)), "octant differs from the full domain")
    for axis in range(1, 4 if dim == 3 else 3):
        check_all(np.array_equal(whole, np.flip(whole, axis)), f"full domain not symmetric along array axis {axis}")
    check_all(np.all(np.isfinite(whole)) and np.all(whole >= 0.0), "tau not finite or negative")
