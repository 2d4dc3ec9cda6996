"""After exchange, every ghost cell holds exactly the value of the cell it
mirrors: neighbours (faces, edges, corners), periodic wraps, outflow and
reflecting faces (with the sign flip of the normal vector component), on
every process grid that splits the ranks over the axes."""

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all, factorisations

from parleak.grid import AXES, FACES, Grid
from parleak.state import FieldSpec, State

N_RANKS = MPI.COMM_WORLD.Get_size()
CELLS = {1: [13], 2: [10, 9], 3: [10, 9, 8]}
BOUNDARY_SETS = {
    "periodic": {"x": ("periodic", "periodic"), "y": ("periodic", "periodic"), "z": ("periodic", "periodic")},
    "outflow": {"x": ("outflow", "outflow"), "y": ("outflow", "outflow"), "z": ("outflow", "outflow")},
    "reflecting": {"x": ("reflecting", "reflecting"), "y": ("reflecting", "reflecting"),
                   "z": ("reflecting", "reflecting")},
    "mixed": {"x": ("reflecting", "outflow"), "y": ("periodic", "periodic"), "z": ("outflow", "reflecting")},
    "mixed2": {"x": ("periodic", "periodic"), "y": ("outflow", "reflecting"), "z": ("reflecting", "outflow")},
}


def cases():
    for dim in (1, 2, 3):
        for ghost in (1, 2, 3):
            for procs in factorisations(N_RANKS, dim):
                if any(p > 1 and n // p < ghost for n, p in zip(CELLS[dim], procs)):
                    continue
                for name in BOUNDARY_SETS:
                    if dim == 1 and name == "mixed2":
                        continue  # same as "periodic" in 1-D
                    yield pytest.param(dim, ghost, procs, name, id=f"{dim}d-g{ghost}-p{'x'.join(map(str, procs))}-{name}")


def mirror(index, n, lower, upper):
    """Global index of the cell that ghost `index` mirrors along one axis,
    and whether a reflecting face flips the normal component."""
    if 0 <= index < n:
        return index, False
    kind = lower if index < 0 else upper
    if kind == "periodic":
        return index % n, False
    if kind == "outflow":
        return (0 if index < 0 else n - 1), False
    return (-1 - index if index < 0 else 2 * n - 1 - index), True


def tagged(k, j, i):
    """A value unique to each global cell, exact in float64."""
    return 1.0 + i + 100.0 * j + 10000.0 * k


@pytest.mark.parametrize("dim, ghost, procs, name", list(cases()))
def test_every_ghost_mirrors_its_cell(dim, ghost, procs, name):
    kinds = BOUNDARY_SETS[name]
    boundaries = {f"{a}_{s}": kinds[a][0 if s == "lower" else 1] for a in AXES for s in ("lower", "upper")}
    grid = Grid(CELLS[dim], [0.0] * dim, [1.0] * dim, ghost, boundaries, procs)
    specs = [FieldSpec("scalar", "1")] + [FieldSpec(f"v{a}", "cm/s", vector_axis=n) for n, a in enumerate(AXES[:dim])]
    state = State(grid, specs)
    k, j, i = grid.global_index_mesh()
    inside = (i >= 0) & (i < grid.cells[0]) & (j >= 0) & (j < grid.cells[1]) & (k >= 0) & (k < grid.cells[2])
    owned = np.zeros(grid.local_shape, dtype=bool)
    owned[grid.interior] = True
    for n, name_ in enumerate(state.names):
        state.data[n] = np.where(owned & inside, (n + 1) * tagged(k, j, i), np.nan)
    state.exchange()

    # The expected value of every local cell, from the per-axis mirror maps.
    shape = grid.local_shape
    expected = np.empty((len(specs),) + shape)
    ranges = [np.arange(*grid.ghosted[a]) for a in range(3)]
    for kk, gk in enumerate(ranges[2]):
        mk, fk = mirror(gk, grid.cells[2], *kinds["z"]) if dim == 3 else (gk, False)
        for jj, gj in enumerate(ranges[1]):
            mj, fj = mirror(gj, grid.cells[1], *kinds["y"]) if dim >= 2 else (gj, False)
            for ii, gi in enumerate(ranges[0]):
                mi, fi = mirror(gi, grid.cells[0], *kinds["x"])
                value = tagged(mk, mj, mi)
                flips = (fi, fj, fk)
                for n, spec in enumerate(specs):
                    sign = -1.0 if spec.vector_axis is not None and flips[spec.vector_axis] else 1.0
                    expected[n, kk, jj, ii] = sign * (n + 1) * value
    wrong = np.argwhere(state.data != expected)
    detail = ""
    if wrong.size:
        n, kk, jj, ii = wrong[0]
        detail = (f"field {state.names[n]} at global (i, j, k) = ({ranges[0][ii]}, {ranges[1][jj]}, {ranges[2][kk]}): "
                  f"{state.data[n, kk, jj, ii]} != {expected[n, kk, jj, ii]} ({len(wrong)} cells wrong)")
    check_all(wrong.size == 0, detail)


def test_interior_untouched_and_corners_filled():
    """3-D, outflow everywhere: a corner ghost holds the corner cell."""
    grid = Grid([8, 8, 8], [0.0] * 3, [1.0] * 3, 2, {f: "outflow" for f in FACES})
    state = State(grid, [FieldSpec("q", "1")])
    k, j, i = grid.global_index_mesh()
    state["q"][...] = np.nan
    state.interior("q")[...] = tagged(k, j, i)[grid.interior]
    before = state.interior("q").copy()
    state.exchange()
    check_all(np.array_equal(state.interior("q"), before), "interior changed by exchange")
    corner = (k < 0) & (j < 0) & (i < 0)
    check_all(np.all(state["q"][np.broadcast_to(corner, grid.local_shape)] == tagged(0, 0, 0)),
              "corner ghosts do not hold cell (0, 0, 0)")
