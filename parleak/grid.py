"""The distributed Cartesian grid: a PETSc DMDA, coordinates, boundaries,
halo exchange and global reductions. Its configuration keys are in
parleak.grid_keys.

Axes are named x, y, z (index 0, 1, 2). Every local array is 3-D and indexed
[z, y, x], x fastest, also for 1-D and 2-D grids, whose missing axes have one
cell and no ghosts. Lengths are in cm.
"""

import math

import numpy as np

from parleak import parallel, spacing
from parleak.grid_keys import AXES, FACES, choose_process_grid
from parleak.petsc import PETSc

class Grid:
    """A Cartesian tensor-product grid distributed over the ranks of `comm`.

    cells, lower, upper: per active axis (x first); lower/upper in cm.
    ghost: ghost width in cells along every active axis.
    boundaries: face name ("x_lower", ..., "z_upper") -> one of
    BOUNDARY_KINDS; periodic faces come in pairs.
    procs: process counts per active axis, or None to choose them.
    faces: None for uniform cells, or the face coordinates (cm) of each
    active axis (parleak.grid_keys.axis_faces), from lower to upper.

    Ghost cells beyond a physical face have the widths of the cells they
    mirror; across a periodic face, those of the cells they copy.
    """

    def __init__(self, cells, lower, upper, ghost, boundaries, procs=None, comm=parallel.WORLD, faces=None):
        self.comm = comm
        self.dim = len(cells)
        self.ghost = ghost
        pad = 3 - self.dim
        self.cells = tuple(cells) + (1,) * pad
        self.lower = tuple(float(v) for v in lower) + (0.0,) * pad
        self.upper = tuple(float(v) for v in upper) + (1.0,) * pad
        self.uniform = faces is None
        self._dx = tuple((hi - lo) / n for lo, hi, n in zip(self.lower, self.upper, self.cells))
        self.faces = tuple(
            np.asarray(faces[a], dtype=float) if faces is not None and a < self.dim
            else spacing.uniform_faces(self.lower[a], self.upper[a], self.cells[a]) for a in range(3))
        self.boundaries = {face: boundaries[face] for face in FACES[: 2 * self.dim]}
        periodic = [self.boundaries[f"{a}_lower"] == "periodic" for a in AXES[: self.dim]]
        self.periodic = tuple(periodic) + (False,) * pad
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
    @property
    def dx(self):
        """The cell widths per axis (x, y, z) of a uniform grid, cm."""
        if not self.uniform:
            raise ValueError("Grid.dx: the cells of a stretched grid have different widths; use Grid.widths(axis)")
        return self._dx

    def _source_cells(self, axis, index):
        """(the domain cell each global index (ghosts included) takes its
        width from, the shift of its centre: the period or a mirror)."""
        n = self.cells[axis]
        if self.periodic[axis]:
            return index % n, (index // n) * (self.upper[axis] - self.lower[axis]), 1.0
        source = np.where(index < 0, -1 - index, np.where(index >= n, 2 * n - 1 - index, index))
        mirror = np.where(index < 0, 2.0 * self.lower[axis], np.where(index >= n, 2.0 * self.upper[axis], 0.0))
        return source, mirror, np.where((index < 0) | (index >= n), -1.0, 1.0)

    def global_widths(self, axis):
        """Cell widths (cm) of all cells along `axis`."""
        if self.uniform:
            return np.full(self.cells[axis], self._dx[axis])
        return np.diff(self.faces[axis])

    def widths(self, axis):
        """Cell widths (cm) along `axis` of the local ghosted range."""
        start, end = self.ghosted[axis]
        if self.uniform:
            return np.full(end - start, self._dx[axis])
        return self.global_widths(axis)[self._source_cells(axis, np.arange(start, end))[0]]

    def global_centres(self, axis):
        """Cell-centre coordinates (cm) of all cells along `axis`."""
        if self.uniform:
            return self.lower[axis] + (np.arange(self.cells[axis]) + 0.5) * self._dx[axis]
        return 0.5 * (self.faces[axis][:-1] + self.faces[axis][1:])

    def centres(self, axis):
        """Cell-centre coordinates (cm) along `axis` (0, 1, 2) of the local
        ghosted range, as a 1-D array."""
        start, end = self.ghosted[axis]
        if self.uniform:
            return self.lower[axis] + (np.arange(start, end) + 0.5) * self._dx[axis]
        source, shift, sign = self._source_cells(axis, np.arange(start, end))
        return shift + sign * self.global_centres(axis)[source]

    def local_mesh(self):
        """Broadcastable (z, y, x) coordinate arrays of the local ghosted
        cells, cm."""
        x, y, z = (self.centres(a) for a in range(3))
        return z[:, None, None], y[None, :, None], x[None, None, :]

    def volumes(self):
        """The volumes (cm^3; cm^2 in 2-D, cm in 1-D) of the owned cells, a
        broadcastable [z, y, x] array."""
        w = [self.widths(a)[self.interior[2 - a]] if a < self.dim else np.ones(1) for a in range(3)]
        return w[2][:, None, None] * w[1][None, :, None] * w[0][None, None, :]

    def integral(self, owned_values):
        """sum over the domain of values times cell volume, correctly
        rounded (the same on any decomposition). owned_values: an array
        over the owned cells [z, y, x]. On a uniform grid the volume
        multiplies the sum (as before stretched grids)."""
        if self.uniform:
            return math.prod(self._dx[: self.dim]) * self.sum(owned_values)
        return self.sum(owned_values * self.volumes())

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
        position = tuple(float(f"{self.global_centres(a)[index[a]]:.6e}") for a in range(self.dim))
        return f"global index (x, y, z)[:dim] = {tuple(int(n) for n in index[:self.dim])}, position {position} cm"

    def describe(self):
        shape = " x ".join(str(n) for n in self.cells[: self.dim])
        procs = " x ".join(str(p) for p in self.procs[: self.dim])
        kind = "" if self.uniform else "stretched "
        return (f"{self.dim}-D {kind}grid {shape} cells, {self.comm.Get_size()} ranks as {procs}, "
                f"ghost width {self.ghost}")


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
