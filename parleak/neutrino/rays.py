"""Optical depth along the six axis-aligned lines of sight (Ruffert, Janka
& Schaefer 1996, A&A 311, 532, sect. 2.4.2), on the distributed grid.

For every owned cell and every field of the opacities kappa [cm^-1], the
optical depth from the cell centre to the outer boundary along +x, -x, +y,
-y, +z and -z, with w_j the width [cm] of cell j along the line,

    tau_{+x}(i) = kappa_i w_i / 2 + sum_{j > i} kappa_j w_j,
    tau_{-x}(i) = kappa_i w_i / 2 + sum_{j < i} kappa_j w_j

(the half cell of the cell itself: a cell next to an outflow face has
kappa w / 2 towards it), and tau = the minimum over the six directions.
On a uniform grid (w_j = dx) it is evaluated as dx (kappa_i / 2 + sum
kappa_j); on a stretched grid the products kappa_j w_j are summed.

Reflecting (symmetry) faces: the line of sight continues through the
mirror image of the domain, so the ray that hits a reflecting face adds
the whole line's sum, sum_j kappa_j w_j, and leaves through the opposite
face; an octant or half-domain run gives the tau of the full domain. An
axis reflecting at both ends has no outer boundary along it: its two
directions are infinite (np.inf) and never win the minimum; a domain
reflecting at both ends of every axis is an error, and so is a periodic
face. Axes that a 1-D or 2-D grid pads with one cell are not lines of
sight (infinite too).

Exact and without iteration: each rank sums its own cells of each line
(`line_totals`), an exclusive prefix scan over the ranks of the line in
each direction (`parleak.parallel.process_lines`, all fields and lines of an axis
in one message) gives the sums of the ranks further along, and one sweep
over the block from its lower faces (`sweep`) accumulates the sums cell by
cell: towards the lower faces the sums beyond plus the cells passed,
towards the upper faces the sums beyond plus the block's total minus the
cells passed. Nothing is gathered.

Bitwise the same on any decomposition. A floating-point sum depends on
its order, and a split line is summed in another order (the ranks'
totals, the scan, the running sums from a block's end). So every term (an
opacity, or on a stretched grid kappa_j w_j, one set per axis) is split
into PARTS fixed-point parts (`split`; the method of
reproducible summation, Demmel & Nguyen 2015, IEEE Trans. Comput. 64,
2060): part b is a multiple of 2^(E_b - 52), with E_0 = e + g set by the
largest term of the call on the whole grid (< 2^e, one MAX reduction of
kappa times the largest width of the axis) and g guard bits for the
longest sum (2^g >= twice the longest line: a ray
mirrored at a reflecting face), and E_(b+1) = E_b - 52 + g. Every sum and
difference of the parts of one kind stays below 2^(E_b + 1), so it is
exact in any order, and a depth is d ((s_0 + s_1) + s_2 + t_i / 2) of
the part sums s_b and the cell's term t_i (d = dx on a uniform grid, 1 on
a stretched one): a function of the opacities alone. The parts keep each
term to 2^(3g - 157) of the largest (2^-136 for 48 cells; what lies
below is dropped, everywhere alike), so a depth is the exact sum to a
few ulp (the plain running sums lost up to one ulp per cell). The
opacities are >= 0; a non-finite one makes the depths of its lines
non-finite (the parts are then the plain values).
"""

import math

import numba
import numpy as np

from parleak.grid_keys import AXES, FACES
from parleak.parallel.process_lines import ProcessLines

DIRECTIONS = ("+x", "-x", "+y", "-y", "+z", "-z")
PARTS = 3  # fixed-point parts of each opacity (module docstring)
MANTISSA_BITS = 52
LOWEST_TOP = -1022 + (PARTS - 1) * MANTISSA_BITS  # smallest E_0: every anchor stays a normal number
HIGHEST_TOP = 1023  # largest E_0: 1.5 x 2^1023 is finite


def split_anchors(largest, terms):
    """The anchors (PARTS,) 1.5 x 2^E_b of `split` for sums of at most
    `terms` terms (opacities or kappa w) no larger than `largest` (the same on every
    rank): E_0 = e + g with largest < 2^e and 2^g >= terms (the sums of
    part 0 stay below 2^E_0), E_(b+1) = E_b - 52 + g (part b + 1 holds
    the remainders of part b, each at most 2^(E_b - 53)); zeros (the
    parts are the plain values) where largest is not finite or E_0 would
    exceed the float64 range."""
    if not math.isfinite(largest):
        return np.zeros(PARTS)
    guard = max(1, (terms - 1).bit_length())
    top = max(math.frexp(largest)[1] + guard, LOWEST_TOP)
    if top > HIGHEST_TOP:
        return np.zeros(PARTS)
    return np.array([math.ldexp(1.5, top - b * (MANTISSA_BITS - guard)) for b in range(PARTS)])


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def split(values, anchors, parts):
    """parts (PARTS, n) = the parts of values (n,) >= 0 for the
    anchors (PARTS,) of `split_anchors`: (value + a) - a rounds the value
    to a multiple of the anchor's ulp without error (both operations are
    exact), and so is the remainder value - part."""
    a0, a1, a2 = anchors[0], anchors[1], anchors[2]
    p0, p1, p2 = parts[0], parts[1], parts[2]
    for i in range(values.size):
        value = values[i]
        first = (value + a0) - a0
        rest = value - first
        second = (rest + a1) - a1
        p0[i] = first
        p1[i] = second
        p2[i] = ((rest - second) + a2) - a2


@numba.njit(cache=True, forceinline=True, error_model="numpy", fastmath={"reassoc"})
def exact_sum(parts):
    """The sum of parts (n,) of one kind (`split`): exact, so the order
    does not matter and the compiler may reassociate it (vectorise)."""
    total = 0.0
    for i in range(parts.size):
        total += parts[i]
    return total


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def add_to(sums, values):
    """sums (n,) += values (n,), in place."""
    for i in range(sums.size):
        sums[i] += values[i]


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def subtract_from(sums, values):
    """sums (n,) -= values (n,), in place."""
    for i in range(sums.size):
        sums[i] -= values[i]


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def depths_across(lower, upper, parts, cells, d, out, first):
    """The depths of the terms cells (n,) (`row_terms`) along an axis of
    step d (`sweep`) in both directions, d ((s_0 + s_1) + s_2 + t / 2) of the part sums
    lower (PARTS, n) of the cells before them and upper - parts of those
    after them; out (n,) = their minimum (first) or min(out, it). Then
    moves the sums past the cells: lower += parts, upper -= parts."""
    l0, l1, l2 = lower[0], lower[1], lower[2]
    u0, u1, u2 = upper[0], upper[1], upper[2]
    q0, q1, q2 = parts[0], parts[1], parts[2]
    for i in range(cells.size):
        half = 0.5 * cells[i]
        towards_lower = d * (((l0[i] + l1[i]) + l2[i]) + half)
        towards_upper = d * ((((u0[i] - q0[i]) + (u1[i] - q1[i])) + (u2[i] - q2[i])) + half)
        depth = towards_lower if towards_lower < towards_upper else towards_upper
        out[i] = depth if first or depth < out[i] else out[i]
    for b in range(PARTS):
        add_to(lower[b], parts[b])
        subtract_from(upper[b], parts[b])


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def depths_along(cells, parts, lower, upper, d, out):
    """The depths of the row of terms cells (n,) along the row itself
    (step d) in both directions, as `depths_across`: the part
    sums lower (PARTS,) of the cells before the row, upper (PARTS,) of
    those from its first cell on, parts (PARTS, n) of its cells; out (n,)
    = min(out, their minimum)."""
    l0, l1, l2 = lower[0], lower[1], lower[2]
    u0, u1, u2 = upper[0], upper[1], upper[2]
    p0, p1, p2 = parts[0], parts[1], parts[2]
    for i in range(cells.size):
        half = 0.5 * cells[i]
        towards_lower = d * (((l0 + l1) + l2) + half)
        l0 += p0[i]
        l1 += p1[i]
        l2 += p2[i]
        u0 -= p0[i]
        u1 -= p1[i]
        u2 -= p2[i]
        towards_upper = d * (((u0 + u1) + u2) + half)
        depth = towards_lower if towards_lower < towards_upper else towards_upper
        out[i] = depth if depth < out[i] else out[i]


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def row_terms(cells, k, j, widths, anchors, rows, parts):
    """The terms and their parts of the row `cells` (n,) [cm^-1] at (k, j)
    for the lines along (x, y, z): (x terms, x parts, y terms, ...). A
    uniform grid (widths None): the opacities themselves for all three,
    split with anchors[0] into parts[0]. A stretched grid (widths: the
    owned cells' widths (x, y, z) [cm]): kappa times the cell's width
    along each axis in rows (3, n), split with anchors (3, PARTS) into
    parts (3, PARTS, n)."""
    if widths is None:
        split(cells, anchors[0], parts[0])
        return cells, parts[0], cells, parts[0], cells, parts[0]
    np.multiply(cells, widths[0], rows[0])
    np.multiply(cells, widths[1][j], rows[1])
    np.multiply(cells, widths[2][k], rows[2])
    for a in range(3):
        split(rows[a], anchors[a], parts[a])
    return rows[0], parts[0], rows[1], parts[1], rows[2], parts[2]


@numba.njit(cache=True, error_model="numpy")
def line_totals(kappa, anchors, widths):
    """The parts (`split`) of the terms (`row_terms`) of the opacities
    kappa (n, nz, ny, nx) [cm^-1] summed over the block's cells along each
    axis (exact): (along x (n, nz, ny, PARTS), along y (n, nz, PARTS, nx),
    along z (n, ny, PARTS, nx)), laid out for `sweep`."""
    n, nz, ny, nx = kappa.shape
    along_x = np.zeros((n, nz, ny, PARTS))
    along_y = np.zeros((n, nz, PARTS, nx))
    along_z = np.zeros((n, ny, PARTS, nx))
    rows, parts = np.empty((3, nx)), np.empty((3, PARTS, nx))
    for f in range(n):
        for k in range(nz):
            for j in range(ny):
                _, x_parts, _, y_parts, _, z_parts = row_terms(kappa[f, k, j], k, j, widths, anchors, rows, parts)
                for b in range(PARTS):
                    add_to(along_y[f, k, b], y_parts[b])
                    add_to(along_z[f, j, b], z_parts[b])
                    along_x[f, k, j, b] = exact_sum(x_parts[b])
    return along_x, along_y, along_z


@numba.njit(cache=True, error_model="numpy")
def sweep(kappa, anchors, lower_x, lower_y, lower_z, upper_x, upper_y, upper_z, dx, dy, dz, widths, tau):
    """tau (n, nz, ny, nx): the optical depth from each cell centre, the
    minimum over the six directions, of the block's opacities kappa (n, nz,
    ny, nx) [cm^-1], in one pass from the lower faces.

    anchors, widths: of `row_terms` (uniform: widths None and cell widths
    dx, dy, dz [cm]; stretched: dx = dy = dz = 1). lower_x, lower_y,
    lower_z (laid out as the `line_totals`): the part sums of the cells
    beyond the block towards the lower faces along each line; upper_*:
    those towards the upper faces from the block's first cell (the cells
    beyond and the block's own); np.inf for a direction that is not a line
    of sight. A depth is d ((s_0 + s_1) + s_2 + t_i / 2): s_b = lower + the
    parts of the cells before, or upper - those up to the cell itself
    (exact sums). The z and y depths and sums run over rows (loops the
    compiler vectorises), the x ones along each row.
    """
    n, nz, ny, nx = kappa.shape
    rows, parts = np.empty((3, nx)), np.empty((3, PARTS, nx))
    for f in range(n):
        plane_lower, plane_upper = lower_z[f].copy(), upper_z[f].copy()
        for k in range(nz):
            column_lower, column_upper = lower_y[f, k].copy(), upper_y[f, k].copy()
            for j in range(ny):
                out = tau[f, k, j]
                x_terms, x_parts, y_terms, y_parts, z_terms, z_parts = row_terms(
                    kappa[f, k, j], k, j, widths, anchors, rows, parts)
                depths_across(plane_lower[j], plane_upper[j], z_parts, z_terms, dz, out, True)
                depths_across(column_lower, column_upper, y_parts, y_terms, dy, out, False)
                depths_along(x_terms, x_parts, lower_x[f, k, j], upper_x[f, k, j], dx, out)


def only(starts, axis):
    """The start sums `starts` (one array per axis) with np.inf for every
    axis but `axis` (None: for all)."""
    return [values if b == axis else np.full_like(values, np.inf) for b, values in enumerate(starts)]


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
        self.terms = 2 * max(grid.cells[a] for a in self.lines_of_sight)  # the longest sum: a mirrored ray
        # uniform: the steps dx, dy, dz and no widths; stretched: steps 1 and the owned cells' widths [cm]
        self.steps = grid.dx if grid.uniform else (1.0, 1.0, 1.0)
        self.widths = None if grid.uniform else tuple(
            np.ascontiguousarray(grid.global_widths(a)[s:e]) for a, (s, e) in enumerate(grid.owned))
        self.largest_widths = [1.0 if grid.uniform else float(grid.global_widths(a).max()) for a in range(3)]

    def _starts(self, axis, total, scan):
        """The part sums (lower, upper) of `sweep` along `axis` (np.inf if it
        is no line of sight), from the block's totals `total` and the
        LineSums `scan` of the line (None if it is no line of sight)."""
        if scan is None:
            return np.full_like(total, np.inf), np.full_like(total, np.inf)
        lower, upper = scan.wait()
        upper += total
        whole = lower + upper  # a reflected ray crosses the whole line, then comes back
        if self.reflecting[axis][0]:
            lower += whole
        if self.reflecting[axis][1]:
            upper += whole
        return lower, upper

    def __call__(self, kappa, directions=False):
        """tau (n, nz, ny, nx), the minimum over the six lines of sight, of
        the opacities kappa (n, nz, ny, nx) >= 0 [cm^-1] of the owned cells
        (bitwise the same on any decomposition; collective); with
        directions, (tau, taus), taus (6, n, nz, ny, nx) the optical depth
        along +x, -x, +y, -y, +z, -z (np.inf where that is no line of sight)."""
        kappa = np.ascontiguousarray(kappa, dtype=np.float64)
        if kappa.ndim != 4 or kappa.shape[1:] != self.owned_shape:
            raise ValueError(f"optical depth: kappa has shape {kappa.shape}; expected (n_fields,) + {self.owned_shape}")
        largest = self.grid.max(kappa)
        anchors = np.array([split_anchors(largest * w, self.terms) for w in self.largest_widths])
        totals = line_totals(kappa, anchors, self.widths)
        scans = {a: self.process_lines.start_exclusive_sums(a, totals[a]) for a in self.lines_of_sight}
        lower, upper = zip(*(self._starts(a, totals[a], scans.get(a)) for a in range(3)))
        if not directions:
            tau = np.empty_like(kappa)
            sweep(kappa, anchors, *lower, *upper, *self.steps, self.widths, tau)
            return tau
        taus = np.empty((6,) + kappa.shape)
        for d in range(6):  # +x, -x, ...: the sums of one direction, np.inf for the others
            a, towards_upper = d // 2, d % 2 == 0
            sweep(kappa, anchors, *only(lower, None if towards_upper else a), *only(upper, a if towards_upper else None),
                  *self.steps, self.widths, taus[d])
        return taus.min(axis=0), taus


def ray_optical_depths(grid, kappa, directions=False):
    """RayOpticalDepth(grid)(kappa, directions): for a single evaluation;
    keep a RayOpticalDepth to evaluate repeatedly (it holds the
    sub-communicators of the process grid)."""
    return RayOpticalDepth(grid)(kappa, directions)
