"""The distributed Cartesian grid: a PETSc DMDA, coordinates, boundaries,
halo exchange and global reductions.

Axes are named x, y, z (index 0, 1, 2). Every local array is 3-D and indexed
[z, y, x], x fastest, also for 1-D and 2-D grids, whose missing axes have one
cell and no ghosts. Lengths are in cm.
"""

import itertools
import math

import numpy as np

from parleak import parallel
from parleak.config import ConfigError, Key, at_least, in_range
from parleak.petsc import PETSc

AXES = "xyz"
BOUNDARY_KINDS = ("outflow", "diode", "reflecting", "periodic")
FACES = tuple(f"{axis}_{side}" for axis in AXES for side in ("lower", "upper"))


# -- the grid.* configuration keys -------------------------------------------
def dim(resolved):
    """The number of axes of the resolved grid.cells."""
    return len(resolved["grid.cells"])


def box_centre(resolved):
    """The centre of the domain per axis, cm."""
    return [0.5 * (lo + hi) for lo, hi in zip(resolved["grid.lower"], resolved["grid.upper"])]


def smallest_cell(resolved):
    """The smallest cell width of any axis, cm."""
    return min((hi - lo) / n for lo, hi, n in zip(resolved["grid.lower"], resolved["grid.upper"],
                                                  resolved["grid.cells"]))


def geometry_schema():
    """grid.cells, grid.lower, grid.upper: the keys a problem's own keys
    may depend on (they come before them)."""
    return {
        "grid.cells": Key(int, length=(1, 3), valid=at_least(1), help="cells per axis, x first; 1 to 3 entries"),
        "grid.lower": Key(float, default=lambda r: [0.0] * dim(r), length=dim, help="lower domain corner, cm"),
        "grid.upper": Key(float, default=lambda r: [1.0] * dim(r), length=dim, help="upper domain corner, cm"),
    }


def layout_schema(min_ghost, n_ranks):
    """grid.ghost (default min_ghost(resolved), the problem's scheme),
    grid.procs (default choose_process_grid for n_ranks) and the
    boundaries (after the problem's keys)."""
    def procs(resolved):
        split = choose_process_grid(resolved["grid.cells"], n_ranks, resolved["grid.ghost"])
        if split is None:
            raise ConfigError(
                f"grid.cells = {resolved['grid.cells']} cannot be split over {n_ranks} ranks with at least "
                f"grid.ghost = {resolved['grid.ghost']} cells per rank along each split axis; "
                "use more cells or fewer ranks")
        return list(split)
    keys = {
        "grid.ghost": Key(int, default=min_ghost, valid=in_range(0, 8), help="ghost width, cells"),
        "grid.procs": Key(int, default=procs, length=dim, valid=at_least(1),
                          help="ranks per axis; their product must be the number of ranks"),
    }
    for face in FACES:
        keys[f"grid.boundary.{face}"] = Key(str, default="periodic", choices=BOUNDARY_KINDS)
    return keys


def check_geometry(values, raw, where):
    """ConfigError for grid keys that contradict each other: a boundary
    of an axis the grid does not have (raw: the keys given), upper <=
    lower, an unpaired periodic face; where(*names) says where the values
    of the keys came from."""
    n_axes = dim(values)
    for face in FACES[2 * n_axes:]:
        if f"grid.boundary.{face}" in raw:
            raise ConfigError(f"grid.boundary.{face} is set but the grid is {n_axes}-D (grid.cells has {n_axes} "
                              f"entries){where(f'grid.boundary.{face}', 'grid.cells')}; remove it")
    for a, axis in enumerate(AXES[:n_axes]):
        if values["grid.upper"][a] <= values["grid.lower"][a]:
            raise ConfigError(f"grid.upper[{a}] = {values['grid.upper'][a]!r}{where('grid.upper', 'grid.lower')}: "
                              f"must be > grid.lower[{a}] = {values['grid.lower'][a]!r}")
        faces = (f"grid.boundary.{axis}_lower", f"grid.boundary.{axis}_upper")
        lower, upper = (values[face] for face in faces)
        if (lower == "periodic") != (upper == "periodic"):
            raise ConfigError(f"{faces[0]} = {lower!r} and {faces[1]} = {upper!r}{where(*faces)}: periodic faces "
                              "come in pairs; make both periodic or neither")


def check_layout(values, n_ranks, where):
    """ConfigError unless grid.procs splits the cells over n_ranks ranks
    with at least grid.ghost cells per rank along every split axis."""
    procs = values["grid.procs"]
    if math.prod(procs) != n_ranks:
        raise ConfigError(f"grid.procs = {procs}{where('grid.procs')}: their product must equal the number of ranks, "
                          f"{n_ranks}")
    for a, (n, p) in enumerate(zip(values["grid.cells"], procs)):
        if p > 1 and n // p < values["grid.ghost"]:
            raise ConfigError(f"grid.procs = {procs}{where('grid.procs', 'grid.cells')}: {n} cells along {AXES[a]} "
                              f"over {p} ranks leaves fewer than grid.ghost = {values['grid.ghost']} cells on a rank")


def choose_process_grid(cells, n_ranks, ghost):
    """Process counts per axis (x, y, z) for `n_ranks` ranks.

    Among the factorisations that leave every rank at least `ghost` cells
    along each split axis, take the one with the fewest ghost cells in all
    (the least halo traffic); ties go to splitting z, then y (slabs that
    are contiguous in memory and in the dump). Returns None when no
    factorisation fits.
    """
    n_axes = len(cells)
    best = None
    for split in itertools.product(range(1, n_ranks + 1), repeat=n_axes):
        if int(np.prod(split)) != n_ranks:
            continue
        if any(n // p < ghost for n, p in zip(cells, split) if p > 1):
            continue
        halo = sum(
            2 * ghost * (p - 1) * int(np.prod([m for b, m in enumerate(cells) if b != a]))
            for a, p in enumerate(split))
        rank_key = (halo, tuple(-p for p in reversed(split)))
        if best is None or rank_key < best[0]:
            best = (rank_key, split)
    return None if best is None else best[1]


class Grid:
    """A uniform Cartesian grid distributed over the ranks of `comm`.

    cells, lower, upper: per active axis (x first); lower/upper in cm.
    ghost: ghost width in cells along every active axis.
    boundaries: face name ("x_lower", ..., "z_upper") -> one of
    BOUNDARY_KINDS; periodic faces come in pairs.
    procs: process counts per active axis, or None to choose them.
    """

    def __init__(self, cells, lower, upper, ghost, boundaries, procs=None, comm=parallel.WORLD):
        self.comm = comm
        self.dim = len(cells)
        self.ghost = ghost
        pad = 3 - self.dim
        self.cells = tuple(cells) + (1,) * pad
        self.lower = tuple(float(v) for v in lower) + (0.0,) * pad
        self.upper = tuple(float(v) for v in upper) + (1.0,) * pad
        self.dx = tuple((u - l) / n for l, u, n in zip(self.lower, self.upper, self.cells))
        self.boundaries = {face: boundaries[face] for face in FACES[: 2 * self.dim]}
        periodic = [self.boundaries[f"{a}_lower"] == "periodic" for a in AXES[: self.dim]]
        if procs is None:
            procs = choose_process_grid(cells, comm.Get_size(), ghost)
        self.procs = tuple(procs) + (1,) * pad
        kind = PETSc.DM.BoundaryType
        self.da = PETSc.DMDA().create(
            dim=self.dim, dof=1, sizes=tuple(cells), proc_sizes=tuple(procs),
            boundary_type=tuple(kind.PERIODIC if p else kind.GHOSTED for p in periodic),
            stencil_type=PETSc.DMDA.StencilType.BOX, stencil_width=ghost, comm=comm)
        self.owned = tuple(self.da.getRanges()) + ((0, 1),) * pad
        self.ghosted = tuple(self.da.getGhostRanges()) + ((0, 1),) * pad
        # Local array shape and interior slices, in [z, y, x] order.
        self.local_shape = tuple(e - s for s, e in reversed(self.ghosted))
        self.interior = tuple(
            slice(o[0] - g[0], o[1] - g[0]) for o, g in zip(reversed(self.owned), reversed(self.ghosted)))
        self.ghost_width = tuple(ghost if a < self.dim else 0 for a in range(3))
        self._physical_faces = [
            (a, side, self.boundaries[f"{AXES[a]}_{side}"])
            for a in range(self.dim) for side in ("lower", "upper")
            if not periodic[a]
            and self.owned[a][0 if side == "lower" else 1] == (0 if side == "lower" else self.cells[a])]

    # -- coordinates ------------------------------------------------------
    def centres(self, axis):
        """Cell-centre coordinates (cm) along `axis` (0, 1, 2) of the local
        ghosted range, as a 1-D array."""
        start, end = self.ghosted[axis]
        return self.lower[axis] + (np.arange(start, end) + 0.5) * self.dx[axis]

    def global_centres(self, axis):
        return self.lower[axis] + (np.arange(self.cells[axis]) + 0.5) * self.dx[axis]

    def local_mesh(self):
        """Broadcastable (z, y, x) coordinate arrays of the local ghosted
        cells, cm."""
        x, y, z = (self.centres(a) for a in range(3))
        return z[:, None, None], y[None, :, None], x[None, None, :]

    def global_index_mesh(self):
        """Broadcastable (k, j, i) global indices of the local ghosted cells;
        ghosts outside the domain get indices < 0 or >= cells."""
        k, j, i = (np.arange(*self.ghosted[a]) for a in (2, 1, 0))
        return k[:, None, None], j[None, :, None], i[None, None, :]

    # -- halo exchange ----------------------------------------------------
    def halo(self, data):
        """A Halo that fills the ghost zones of `data`, an array
        (n_fields, gz, gy, gx) of this grid's local ghosted fields."""
        return Halo(self, data)

    def fill_physical_boundaries(self, data, normal_signs):
        """Fill the ghosts beyond this rank's physical (non-periodic) faces.

        normal_signs[f][a] is -1 for a field that is the axis-a component of
        a vector (it flips sign at a reflecting face normal to a), else +1.
        Faces are filled axis by axis, each over the full ghosted extent of
        the other axes, so that edge and corner ghosts take the value of the
        cell they mirror through every face they lie beyond.
        """
        for axis, side, kind in self._physical_faces:
            for array, signs in zip(data, normal_signs):
                fill_boundary(array, axis, side, kind, self.ghost, signs[axis])


    def _owned_counts(self):
        """Owned cells per process coordinate along each axis (x, y, z)."""
        return [np.array(c) for c in self.da.getOwnershipRanges()] + [np.array([1])] * (3 - self.dim)

    def ghosted_cells_by_rank(self):
        """The number of cells in each rank's ghosted local array, by rank.
        DMDA numbers ranks with x fastest, like a [z, y, x] array."""
        width = [c + 2 * g for c, g in zip(self._owned_counts(), self.ghost_width)]
        return (width[2][:, None, None] * width[1][None, :, None] * width[0][None, None, :]).reshape(-1)

    def ghost_sources(self):
        """The ghost cells of this rank that mirror a cell of the domain
        through a rank boundary or a periodic wrap (faces, edges, corners).

        Returns (target, owner, source): each ghost's flat index in this
        rank's ghosted [z, y, x] array, the rank that owns its source cell,
        and the source's flat index in that rank's ghosted array.
        """
        counts = self._owned_counts()
        periodic = [a < self.dim and self.boundaries[f"{AXES[a]}_lower"] == "periodic" for a in range(3)]
        proc, offset, width, inside = [], [], [], []
        for a in range(3):
            index = np.arange(*self.ghosted[a])
            wrapped = index % self.cells[a] if periodic[a] else index
            inside.append((wrapped >= 0) & (wrapped < self.cells[a]))
            cell = np.clip(wrapped, 0, self.cells[a] - 1)
            starts = np.cumsum(counts[a]) - counts[a]
            p = np.searchsorted(starts, cell, side="right") - 1
            proc.append(p)
            offset.append(cell - starts[p] + self.ghost_width[a])
            width.append(counts[a][p] + 2 * self.ghost_width[a])

        def box(per_axis):  # (x, y, z) 1-D pieces -> broadcast (z, y, x) views
            return per_axis[2][:, None, None], per_axis[1][None, :, None], per_axis[0][None, None, :]

        (pz, py, px), (oz, oy, ox), (_, wy, wx) = box(proc), box(offset), box(width)
        owner = px + len(counts[0]) * (py + len(counts[1]) * pz)
        source = (oz * wy + oy) * wx + ox
        iz, iy, ix = box(inside)
        mask = iz & iy & ix
        mask[self.interior] = False
        owner, source = (np.broadcast_to(a, mask.shape)[mask] for a in (owner, source))
        return np.flatnonzero(mask), owner, source

    # -- reductions -------------------------------------------------------
    def sum(self, local_values):
        """Global sum, correctly rounded: bitwise the same on any decomposition."""
        return parallel.exact_sum(local_values, self.comm)

    def min(self, local_values):
        return parallel.global_min(local_values, self.comm)

    def max(self, local_values):
        return parallel.global_max(local_values, self.comm)

    def sum_counts(self, local_counts):
        """Element-wise global sum of integer counts (int64 array)."""
        return parallel.sum_counts(local_counts, self.comm)

    def max_with_rank(self, value):
        """(the largest `value` of any rank, the lowest rank holding it)."""
        return parallel.max_with_rank(value, self.comm)

    def from_rank(self, value, rank):
        """`value` (any picklable object) of `rank`, on every rank."""
        return parallel.from_rank(value, rank, self.comm)

    def first_marked(self, local_flat):
        """The first cell in global (z, y, x) order among those the ranks
        mark. local_flat: the flat index into this rank's ghosted local
        arrays of its first marked owned cell, or -1. Returns (the rank
        that owns it, its global (x, y, z) index) on every rank, or None
        when no rank marks one; the same on any decomposition. Collective."""
        nx, ny, nz = self.cells
        key = nx * ny * nz
        if local_flat >= 0:
            k, j, i = np.unravel_index(local_flat, self.local_shape)
            key = ((self.ghosted[2][0] + k) * ny + self.ghosted[1][0] + j) * nx + self.ghosted[0][0] + i
        first, owner = parallel.min_with_rank(int(key), self.comm)
        return None if first == nx * ny * nz else (owner, (first % nx, first // nx % ny, first // (nx * ny)))

    def describe_cell(self, index):
        """Words locating the cell of global (x, y, z) `index`."""
        position = tuple(float(f"{self.lower[a] + (index[a] + 0.5) * self.dx[a]:.6e}") for a in range(self.dim))
        return f"global index (x, y, z)[:dim] = {tuple(int(n) for n in index[:self.dim])}, position {position} cm"

    def describe(self):
        shape = " x ".join(str(n) for n in self.cells[: self.dim])
        procs = " x ".join(str(p) for p in self.procs[: self.dim])
        return f"{self.dim}-D grid {shape} cells, {self.comm.Get_size()} ranks as {procs}, ghost width {self.ghost}"


class Halo:
    """Ghost-zone exchange for all fields of one local array at once.

    The array (n_fields, gz, gy, gx) of every rank is one PETSc parallel
    vector; a single PETSc scatter, built once, copies exactly the ghost
    cells that mirror a cell of the domain (neighbours across faces, edges
    and corners, and periodic wraps, also onto the rank itself) and nothing
    else, one message per neighbour for all fields. Ghosts beyond physical
    faces are then filled by the grid's boundary rules.
    """

    def __init__(self, grid, data):
        self.grid = grid
        self.data = data
        n_fields = data.shape[0]
        comm = grid.comm
        self.vec = PETSc.Vec().createWithArray(data.reshape(-1), size=(data.size, PETSc.DECIDE), comm=comm)
        # Global vector index of (rank, field, cell): the ranks' arrays in
        # rank order, each holding its fields one after another.
        cells_of_rank = grid.ghosted_cells_by_rank()
        start_of_rank = n_fields * (np.cumsum(cells_of_rank) - cells_of_rank)
        target, owner, source = grid.ghost_sources()
        me = comm.Get_rank()
        fields = np.arange(n_fields)[:, None]
        to_index = start_of_rank[me] + fields * cells_of_rank[me] + target[None, :]
        from_index = start_of_rank[owner][None, :] + fields * cells_of_rank[owner][None, :] + source[None, :]
        from_set = PETSc.IS().createGeneral(from_index.reshape(-1).astype(PETSc.IntType), comm=PETSc.COMM_SELF)
        to_set = PETSc.IS().createGeneral(to_index.reshape(-1).astype(PETSc.IntType), comm=PETSc.COMM_SELF)
        self.scatter = PETSc.Scatter().create(self.vec, from_set, self.vec, to_set)

    def exchange(self, normal_signs):
        """Fill every ghost zone; normal_signs as for Grid.fill_physical_boundaries."""
        self.scatter.scatter(self.vec, self.vec, PETSc.InsertMode.INSERT_VALUES, PETSc.ScatterMode.FORWARD)
        self.grid.fill_physical_boundaries(self.data, normal_signs)


def fill_boundary(array, axis, side, kind, ghost, sign):
    """Fill the `ghost` layers beyond one physical face of a [z, y, x] array.

    outflow: each ghost copies the nearest interior cell (zero gradient).
    diode: as outflow, but the normal component of a vector (`sign` -1)
    never points into the domain (clipped to 0): nothing flows in. The
    ghosts' total energy is copied, so there the clipped kinetic energy
    appears as internal energy.
    reflecting: ghost layer m beyond the face mirrors interior layer m, times
    `sign` (-1 for the normal component of a vector).
    """
    a = 2 - axis
    n = array.shape[a]

    def layer(index):
        return (slice(None),) * a + (index,)

    for m in range(ghost):
        if side == "lower":
            ghost_index, mirror, nearest = ghost - 1 - m, ghost + m, ghost
        else:
            ghost_index, mirror, nearest = n - ghost + m, n - ghost - 1 - m, n - ghost - 1
        if kind == "outflow" or (kind == "diode" and sign > 0.0):
            array[layer(ghost_index)] = array[layer(nearest)]
        elif kind == "diode":
            clip = np.maximum if side == "upper" else np.minimum
            array[layer(ghost_index)] = clip(array[layer(nearest)], 0.0)
        else:
            array[layer(ghost_index)] = sign * array[layer(mirror)]
