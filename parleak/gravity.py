"""Gravity as a source term of the hydro equations, added in every
Runge-Kutta stage:

    d(rho v)/dt += rho g,    d(etot)/dt += rho v . g

with g (cm/s^2) one of: a constant vector; a point mass M at a centre,
g = -G M d / (|d|^2 + s^2)^(3/2) with d the offset from the centre and s a
softening length; or the monopole of the matter on the grid, g = -G M(<r)
d / r^3, with the enclosed mass M(<r) from the density binned in radius
about a centre.

The monopole binning is exact: every rank accumulates its cell masses per
radial bin in fixed-point words (parleak.parallel.exactsum), one Allreduce adds
them, and the enclosed masses are rounded once, so g is bitwise the same on
any number of ranks. Within a bin, M(<r) is interpolated linearly in r^3
(uniform density in the shell).

On a stretched grid the bins widen with the cells (the cell masses use
each cell's volume): a bin starting at radius r is max(gravity.bin_width,
half the narrowest width of the cells at distance r from the centre
along the axes) wide, so that a domain of thousands of km in cells that
grow to hundreds of km needs hundreds of bins, not tens of thousands.
"""

import math

import numba
import numpy as np

from parleak.budget import StageIntegrals
from parleak.config import Key, at_least, positive
from parleak.constants import GRAVITATIONAL_CONSTANT
from parleak.grid_keys import box_centre, dim, smallest_cell
from parleak.hydro.layout import C_DENS, C_ETOT, C_MOM_X, N_CONSERVED
from parleak.parallel.exactsum import binned_words, cumulative_words, words_to_float
from parleak.physics import Physics


KINDS = ("none", "constant", "point_mass", "monopole")


def schema(kind="none", centre=box_centre, centre_help="point_mass and monopole: the centre per grid axis, cm"):
    """The gravity.* keys: gravity.kind with default `kind` (None: no
    gravity.kind key, the problem fixes it), gravity.centre with default
    `centre` (a function of the resolved keys) and its help text."""
    keys = {} if kind is None else {"gravity.kind": Key(str, default=kind, choices=KINDS)}
    keys.update({
        "gravity.acceleration": Key(float, default=lambda r: [0.0] * dim(r), length=dim,
                                    help="constant: acceleration per grid axis, cm/s^2"),
        "gravity.mass": Key(float, default=0.0, valid=at_least(0.0), help="point_mass: the mass, g"),
        "gravity.centre": Key(float, default=centre, length=dim, help=centre_help),
        "gravity.softening": Key(float, default=0.0, valid=at_least(0.0), help="point_mass: softening length, cm"),
        "gravity.bin_width": Key(float, default=lambda r: 0.5 * smallest_cell(r), valid=positive(),
                                 help="monopole: width of the radial bins, cm (default half the smallest cell)"),
        "gravity.mass_factor": Key(float, default=1.0, valid=positive(),
                                   help="monopole: cells' mass multiplier (8 for an octant, 2 for a half domain)"),
    })
    return keys


@numba.njit(cache=True, error_model="numpy")
def _gravity_row(dens, mom_x, mom_y, mom_z, gx, gy, gz, rhs_mom_x, rhs_mom_y, rhs_mom_z, rhs_etot):
    for i in range(dens.size):
        rhs_mom_x[i] += dens[i] * gx[i]
        rhs_mom_y[i] += dens[i] * gy[i]
        rhs_mom_z[i] += dens[i] * gz[i]
        rhs_etot[i] += mom_x[i] * gx[i] + mom_y[i] * gy[i] + mom_z[i] * gz[i]


@numba.njit(cache=True)
def add_gravity_source(cons, rhs, g, lo, hi):
    """rhs += the gravity sources for the cells lo <= (z, y, x) < hi.

    cons, rhs: the (6, gz, gy, gx) hydro blocks (C_* order); g: (3, gz, gy,
    gx) acceleration, cm/s^2.
    """
    i0, i1 = lo[2], hi[2]
    for k in range(lo[0], hi[0]):
        for j in range(lo[1], hi[1]):
            _gravity_row(cons[C_DENS, k, j, i0:i1], cons[C_MOM_X, k, j, i0:i1], cons[C_MOM_X + 1, k, j, i0:i1],
                         cons[C_MOM_X + 2, k, j, i0:i1], g[0, k, j, i0:i1], g[1, k, j, i0:i1], g[2, k, j, i0:i1],
                         rhs[C_MOM_X, k, j, i0:i1], rhs[C_MOM_X + 1, k, j, i0:i1], rhs[C_MOM_X + 2, k, j, i0:i1],
                         rhs[C_ETOT, k, j, i0:i1])


class _GravitySource(Physics):
    """The parts shared by every kind: the hydro blocks and the source."""

    restart_state = True
    extensive = ("gravity_work", "gravitational_energy")

    def __init__(self, grid):
        self.grid = grid
        self.g = np.zeros((3,) + grid.local_shape)
        self.lo = np.array([s.start for s in grid.interior], dtype=np.int64)
        self.hi = np.array([s.stop for s in grid.interior], dtype=np.int64)
        mesh = grid.local_mesh()  # (z, y, x), broadcastable
        self.position = [np.broadcast_to(mesh[2 - a], grid.local_shape) for a in range(3)]
        self._power = StageIntegrals(grid, 1)
        self.work = 0.0  # erg, cumulative energy the source rho v . g gave the matter

    def update(self, state):
        """Refresh self.g for the current state (nothing for a fixed field)."""

    def add_rhs(self, state, rhs, time, stage):
        self.update(state)
        first = state.index["dens"]
        add_gravity_source(state.data[first:first + N_CONSERVED], rhs[first:first + N_CONSERVED], self.g,
                           self.lo, self.hi)
        interior = self.grid.interior
        power = self._power.rows[0].reshape(state.interior("dens").shape)
        power[...] = 0.0
        for a, name in enumerate(("mom_x", "mom_y", "mom_z")):
            power += state.interior(name) * self.g[a][interior]
        self._power.add_stage(None)

    def end_step(self, dt, weights):
        """Accumulate the step's stage-weighted work of the gravity source
        (parleak.budget) into `work` [erg]; dt [s]."""
        self.work += dt * float(self._power.combine(weights)[0])

    def checkpoint_scalars(self):
        """The cumulative work, for a restart (parleak.io.checkpoint)."""
        return {"work": self.work}

    def restore_checkpoint(self, scalars, fields):
        self.work = float(scalars["work"])

    def scalars(self, state):
        """{"gravity_work": the cumulative energy (erg) the source
        rho v . g has given the matter} for the scalar time series."""
        return {"gravity_work": self.work}


class ConstantGravity(_GravitySource):
    """g = acceleration (three components, cm/s^2)."""

    def __init__(self, grid, acceleration):
        super().__init__(grid)
        for a in range(3):
            self.g[a] = acceleration[a]


class PointMassGravity(_GravitySource):
    """A point mass `mass` (g) at `centre` (3 components, cm), softened
    over `softening` (cm); g = 0 at the centre itself."""

    def __init__(self, grid, mass, centre, softening=0.0):
        super().__init__(grid)
        offset = [self.position[a] - centre[a] for a in range(3)]
        r2 = sum(d * d for d in offset) + softening ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(r2 > 0.0, -GRAVITATIONAL_CONSTANT * mass / (r2 * np.sqrt(r2)), 0.0)
        for a in range(3):
            self.g[a] = factor * offset[a]


def radial_bin_edges(grid, centre, bin_width, r_max):
    """Edges (cm) of the monopole's radial bins from 0 past r_max: every
    bin_width on a uniform grid; on a stretched grid each bin max(bin_width,
    half the narrowest cell width at its inner edge's distance from the
    centre along the axes)."""
    if grid.uniform:
        return bin_width * np.arange(int(r_max / bin_width) + 3)

    def narrowest(radius):  # of the cells at `radius` along the axes inside the domain (else the edge cells)
        widths = []
        for a in range(grid.dim):
            faces, cell_widths = grid.faces[a], grid.global_widths(a)
            inside = [p for p in (centre[a] - radius, centre[a] + radius) if faces[0] <= p < faces[-1]]
            cells = np.searchsorted(faces, inside, side="right") - 1 if inside else [0, -1]
            widths.append(min(cell_widths[c] for c in cells) if inside else max(cell_widths[c] for c in cells))
        return min(widths)

    edges = [0.0]
    while edges[-1] <= r_max or len(edges) < 3:
        edges.append(edges[-1] + max(bin_width, 0.5 * narrowest(edges[-1])))
    edges.append(edges[-1] + (edges[-1] - edges[-2]))
    return np.array(edges)


@numba.njit(cache=True)
def _monopole_acceleration(r, offset_x, offset_y, offset_z, bins, mass_in, mass_out, edges, g):
    """g = -G M(<r) d / r^3 per local cell, M interpolated linearly in r^3
    inside each bin (M at its inner and outer edge: mass_in, mass_out;
    edges: the bins' edges, cm)."""
    nz, ny, nx = r.shape
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                radius = r[k, j, i]
                if radius == 0.0:
                    g[0, k, j, i] = g[1, k, j, i] = g[2, k, j, i] = 0.0
                    continue
                b = bins[k, j, i]
                inner3 = edges[b] ** 3
                outer3 = edges[b + 1] ** 3
                mass = mass_in[b] + (mass_out[b] - mass_in[b]) * (radius ** 3 - inner3) / (outer3 - inner3)
                factor = -GRAVITATIONAL_CONSTANT * mass / radius ** 3
                g[0, k, j, i] = factor * offset_x[k, j, i]
                g[1, k, j, i] = factor * offset_y[k, j, i]
                g[2, k, j, i] = factor * offset_z[k, j, i]


class MonopoleGravity(_GravitySource):
    """Self-gravity of the matter on the grid in the monopole approximation
    about `centre` (3 components, cm), with radial bins of `bin_width` (cm;
    wider where a stretched grid's cells are, radial_bin_edges).

    mass_factor multiplies every cell's mass: 8 for an octant run with
    reflecting planes through the centre, 2 for a half domain, 1 otherwise.
    """

    def __init__(self, grid, centre, bin_width, mass_factor=1.0):
        super().__init__(grid)
        self.bin_width = float(bin_width)
        self.mass_factor = float(mass_factor)
        self.offset = np.array([self.position[a] - centre[a] for a in range(3)])
        self.r = np.sqrt(np.sum(self.offset ** 2, axis=0))
        corners = np.array([[grid.lower[a], grid.upper[a]] for a in range(3)])
        r_max = max(math.dist(centre, [corners[a][c >> a & 1] for a in range(3)]) for c in range(8))
        self.edges = radial_bin_edges(grid, centre, self.bin_width, r_max)
        self.n_bins = self.edges.size - 1
        if grid.uniform:
            self.bins = np.minimum((self.r / self.bin_width).astype(np.int64), self.n_bins - 1)
        else:
            self.bins = np.minimum(np.searchsorted(self.edges, self.r, side="right") - 1, self.n_bins - 1)
        self.owned_bins = np.ascontiguousarray(self.bins[grid.interior]).reshape(-1)
        shape = tuple(s.stop - s.start for s in grid.interior)
        self.cell_volume = (math.prod(grid.dx[:grid.dim]) if grid.uniform else
                            np.broadcast_to(grid.volumes(), shape).reshape(-1)) * self.mass_factor
        self.mass_in = np.zeros(self.n_bins)
        self.mass_out = np.zeros(self.n_bins)

    def enclosed_mass(self, state):
        """(M at the inner edge, M at the outer edge) of every bin, g;
        collective (one Allreduce)."""
        masses = np.ascontiguousarray(state.interior("dens")).reshape(-1) * self.cell_volume
        words = self.grid.sum_counts(binned_words(masses, self.owned_bins, self.n_bins))
        mass_out = words_to_float(cumulative_words(words))
        return np.concatenate(([0.0], mass_out[:-1])), mass_out

    def update(self, state):
        self.mass_in, self.mass_out = self.enclosed_mass(state)
        _monopole_acceleration(self.r, self.offset[0], self.offset[1], self.offset[2], self.bins, self.mass_in,
                               self.mass_out, self.edges, self.g)

    def scalars(self, state):
        """gravity_work (see _GravitySource) and "gravitational_energy": W (erg):
        W = 1/2 sum over the grid's cells of rho Phi V with Phi the monopole
        `potential` (for a uniform sphere -3/5 G M^2 / R as the bins shrink),
        a grid total like the hydro's totals (an octant holds 1/8 of the
        star's W; scalars.csv has the star's, parleak.whole_star). Collective."""
        phi = self.potential(state)[self.grid.interior]
        return super().scalars(state) | {"gravitational_energy": 0.5 * self.grid.integral(state.interior("dens") * phi)}

    def potential(self, state):
        """The gravitational potential (erg/g) on the local ghosted cells,
        from the enclosed mass of the current state: -G M / r outside the
        outermost bin, and inside the integral of G M(<r) / r^2 with M
        linear in r^3 within each bin (exact for that M). Collective."""
        mass_in, mass_out = self.enclosed_mass(state)
        edges = self.edges
        span3 = edges[1:] ** 3 - edges[:-1] ** 3
        slope = (mass_out - mass_in) / span3  # B: M = A + B r^3 in each bin
        const = mass_in - slope * edges[:-1] ** 3  # A

        def rise(b, r_lo, r_hi):  # integral of G M / r^2 dr over [r_lo, r_hi] inside bin b
            inverse = np.where(r_lo > 0.0, 1.0 / np.where(r_lo > 0.0, r_lo, 1.0) - 1.0 / r_hi, 0.0)
            return GRAVITATIONAL_CONSTANT * (const[b] * inverse + slope[b] * (r_hi ** 2 - r_lo ** 2) / 2.0)

        bins = np.arange(self.n_bins)
        phi_outer = np.empty(self.n_bins)  # potential at the outer edge of each bin
        phi_outer[-1] = -GRAVITATIONAL_CONSTANT * mass_out[-1] / edges[-1]
        steps = rise(bins, edges[:-1], edges[1:])
        phi_outer[:-1] = phi_outer[-1] - np.cumsum(steps[::-1])[:-1][::-1]
        return phi_outer[self.bins] - rise(self.bins, self.r, edges[self.bins + 1])
