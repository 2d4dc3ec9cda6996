"""Optical depth along the six axis-aligned lines of sight (Ruffert, Janka
& Schaefer 1996, A&A 311, 532, sect. 2.4.2), on the distributed grid.

For every owned cell and every field of the opacities kappa [cm^-1], the
optical depth from the cell centre to the outer boundary along +x, -x, +y,
-y, +z and -z,

    tau_{+x}(i) = dx (kappa_i / 2 + sum_{j > i} kappa_j),
    tau_{-x}(i) = dx (kappa_i / 2 + sum_{j < i} kappa_j)

(the half cell of the cell itself: a cell next to an outflow face has
kappa dx / 2 towards it), and tau = the minimum over the six directions.

Reflecting (symmetry) faces: the line of sight continues through the
mirror image of the domain, so the ray that hits a reflecting face adds
the whole line's sum, sum_j kappa_j dx, and leaves through the opposite
face; an octant or half-domain run gives the tau of the full domain. An
axis reflecting at both ends has no outer boundary along it: its two
directions are infinite (np.inf) and never win the minimum; a domain
reflecting at both ends of every axis is an error, and so is a periodic
face. Axes that a 1-D or 2-D grid pads with one cell are not lines of
sight (infinite too).

Exact and without iteration: each rank sums its own cells of each line
(`line_totals`), an exclusive prefix scan over the ranks of the line in
each direction (`parleak.process_lines`, all fields and lines of an axis
in one message) gives the sums of the ranks further along, and two sweeps
over the block (towards the lower faces, then towards the upper ones)
accumulate the sums cell by cell, starting from those of the ranks beyond.
Nothing is gathered.
"""

import numba
import numpy as np

from parleak.grid import AXES, FACES
from parleak.process_lines import ProcessLines

DIRECTIONS = ("+x", "-x", "+y", "-y", "+z", "-z")


@numba.njit(cache=True, error_model="numpy")
def line_totals(kappa):
    """Sums of kappa (n, nz, ny, nx) [cm^-1] over the block's cells along
    each axis: (along x (n, nz, ny), along y (n, nz, nx), along z (n, ny, nx))."""
    n, nz, ny, nx = kappa.shape
    along_x = np.zeros((n, nz, ny))
    along_y = np.zeros((n, nz, nx))
    along_z = np.zeros((n, ny, nx))
    for f in range(n):
        for k in range(nz):
            column = along_y[f, k]
            for j in range(ny):
                cells = kappa[f, k, j]
                plane = along_z[f, j]
                row = 0.0
                for i in range(nx):
                    row += cells[i]
                    column[i] += cells[i]
                    plane[i] += cells[i]
                along_x[f, k, j] = row
    return along_x, along_y, along_z


@numba.njit(cache=True, error_model="numpy")
def sweep(kappa, start_x, start_y, start_z, dx, dy, dz, towards_upper, store, tau):
    """The optical depth from each cell centre towards the lower faces
    (towards_upper False) or the upper faces of the block, minimised over
    the three axes, written to tau (n, nz, ny, nx) (store) or minimised with
    it.

    kappa (n, nz, ny, nx) [cm^-1]; dx, dy, dz [cm]; start_x (n, nz, ny),
    start_y (n, nz, nx), start_z (n, ny, nx): the sums of kappa [cm^-1] of
    the cells beyond the block along each line in the sweep's direction
    (np.inf for an axis that is not swept). Each direction's tau is
    d (s + kappa_i / 2), with s the running sum from the far end.
    """
    n, nz, ny, nx = kappa.shape
    for f in range(n):
        plane = start_z[f].copy()
        for kk in range(nz):
            k = nz - 1 - kk if towards_upper else kk
            column = start_y[f, k].copy()
            for jj in range(ny):
                j = ny - 1 - jj if towards_upper else jj
                cells, sums_z, out = kappa[f, k, j], plane[j], tau[f, k, j]
                row = start_x[f, k, j]
                for ii in range(nx):
                    i = nx - 1 - ii if towards_upper else ii
                    value = cells[i]
                    half = 0.5 * value
                    depth = min(dx * (row + half), dy * (column[i] + half), dz * (sums_z[i] + half))
                    row += value
                    column[i] += value
                    sums_z[i] += value
                    out[i] = depth if store else min(depth, out[i])


def check_boundaries(grid):
    """Raise ValueError for a periodic face or a grid reflecting at both ends
    of every axis; returns the axes that are lines of sight."""
    for face in FACES[: 2 * grid.dim]:
        if grid.boundaries[face] == "periodic":
            raise ValueError(f"optical depth: {face} is periodic; the optical depth needs outflow or reflecting faces")
    lines = [a for a in range(grid.dim)
             if not (grid.boundaries[f"{AXES[a]}_lower"] == grid.boundaries[f"{AXES[a]}_upper"] == "reflecting")]
    if not lines:
        raise ValueError("optical depth: every face is reflecting; no line of sight reaches an outer boundary")
    return lines


class RayOpticalDepth:
    """The `rays` optical depth of the owned cells of `grid` (collective:
    every rank creates it once for its grid and calls it together)."""

    def __init__(self, grid):
        self.lines_of_sight = check_boundaries(grid)
        self.grid = grid
        self.process_lines = ProcessLines(grid)
        self.reflecting = [(grid.boundaries.get(f"{AXES[a]}_lower") == "reflecting",
                            grid.boundaries.get(f"{AXES[a]}_upper") == "reflecting") for a in range(3)]
        self.owned_shape = tuple(e - s for s, e in reversed(grid.owned))

    def __call__(self, kappa, directions=False):
        """tau (n, nz, ny, nx), the minimum over the six lines of sight, of
        the opacities kappa (n, nz, ny, nx) [cm^-1] of the owned cells; with
        directions, (tau, taus), taus (6, n, nz, ny, nx) the optical depth
        along +x, -x, +y, -y, +z, -z (np.inf where that is no line of sight)."""
        kappa = np.ascontiguousarray(kappa, dtype=np.float64)
        if kappa.ndim != 4 or kappa.shape[1:] != self.owned_shape:
            raise ValueError(f"optical depth: kappa has shape {kappa.shape}; expected (n_fields,) + {self.owned_shape}")
        totals = line_totals(kappa)
        scans = {a: self.process_lines.start_exclusive_sums(a, totals[a]) for a in self.lines_of_sight}
        lower = [np.full_like(t, np.inf) for t in totals]  # start sums towards the lower faces
        upper = [np.full_like(t, np.inf) for t in totals]
        for a in self.lines_of_sight:
            below, above = scans[a].wait()
            whole = below + totals[a] + above
            lower[a] = whole + below if self.reflecting[a][0] else below
            upper[a] = whole + above if self.reflecting[a][1] else above
        dx, dy, dz = self.grid.dx
        if not directions:
            tau = np.empty_like(kappa)
            sweep(kappa, *lower, dx, dy, dz, False, True, tau)
            sweep(kappa, *upper, dx, dy, dz, True, False, tau)
            return tau
        taus = np.full((6,) + kappa.shape, np.inf)
        unswept = [np.full_like(t, np.inf) for t in totals]
        for a in self.lines_of_sight:
            for towards_upper, starts in ((True, upper), (False, lower)):
                only_a = [starts[b] if b == a else unswept[b] for b in range(3)]
                sweep(kappa, *only_a, dx, dy, dz, towards_upper, True, taus[2 * a + (0 if towards_upper else 1)])
        return taus.min(axis=0), taus


def ray_optical_depths(grid, kappa, directions=False):
    """RayOpticalDepth(grid)(kappa, directions): for a single evaluation;
    keep a RayOpticalDepth to evaluate repeatedly (it holds the
    sub-communicators of the process grid)."""
    return RayOpticalDepth(grid)(kappa, directions)
