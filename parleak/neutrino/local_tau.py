"""The `local` optical depth: the path-of-least-resistance relaxation of
Neilsen et al. (2014, Phys. Rev. D 89, 104029, sec. II.C) on the
distributed grid.

Every cell i takes the least optical depth over its face neighbours n,

    tau_i = min_n (tau_n + (kappa_i + kappa_n) |x_n - x_i| / 2),

the Bellman equation of the shortest path to the outside over the graph of
the cell centres x (the optical path between two centres is the trapezoid
of their opacities; on a uniform grid |x_n - x_i| = dx_axis). Towards an
outflow face the neighbour is the outside, tau = 0 at the face: the
candidate kappa_i w_i / 2 (measured from the cell centre, w_i its width).
Across a reflecting face the neighbour is the cell's mirror image,
whose candidate tau_i + kappa_i w_i never lowers tau: it is left out.
Periodic faces have no outside (ValueError). Axes with one cell (1-D and
2-D grids) are not lines of sight.

Solution: Gauss-Seidel sweeps of the Bellman equation in the 2^dim
alternating orders of the axes (fast sweeping: within one rank, every path
that is monotone along each axis is resolved in one iteration), with a
halo exchange of tau (one ghost layer) before each iteration. The update
forgets the cell's own old value, so a warm start whose values are too
high or too low (kappa changed) relaxes to the solution too.

Cold start: tau = +inf everywhere; the boundary seeds spread inwards and
every value only decreases. The values then stay above every fixed point,
and when an iteration changes nothing on any rank they are the greatest
fixed point of the floating-point Bellman equation: the least over all
grid paths of the path sums accumulated from the outside, each step
tau_n + (kappa_i + kappa_n) * (|x_n - x_i| / 2) rounded the same way
everywhere (the centre distances come from the global face coordinates).
It depends neither on the sweep order nor on the decomposition, so with
tolerance 0 (exact convergence, the default) the result is bitwise the
same on any number of ranks. A warm start converges to the same values
unless a start value is too low inside a transparent region (kappa = 0)
enclosed by opaque cells, where zero-cost paths cannot lift it.
"""

import numba
import numpy as np

from parleak.grid import AXES, Grid

TINY = np.finfo(np.float64).tiny  # floor of the denominator of the relative change


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def half_steps(gaps, axis, index, half_width, active):
    """(half the distance [cm] from the centre of ghosted cell `index` to
    the lower neighbour's, to the upper one's) along array axis `axis`:
    half_width on a uniform grid (gaps None) or an inactive axis, else
    gaps[axis][index - 1], gaps[axis][index]."""
    if gaps is None or not active:
        return half_width, half_width
    return gaps[axis][index - 1], gaps[axis][index]


@numba.njit(cache=True, error_model="numpy")
def relax(tau, kappa, half_dx, gaps, lo, hi, active):
    """One iteration of Gauss-Seidel sweeps of the Bellman equation, in place.

    tau: (n_fields, gz, gy, gx) ghosted optical depths, ghosts filled (0
    beyond outflow faces, +inf beyond reflecting faces); kappa: the same
    shape, opacities in cm^-1 (0 beyond physical faces); uniform grid:
    half_dx (z, y, x) half cell widths in cm, gaps None; stretched grid:
    half_dx None, gaps (z, y, x) arrays of half the distances [cm] between
    consecutive ghosted cell centres (ghosts beyond a face mirrored, so
    the outside of an outflow face is a half width away); lo, hi: (z, y, x) bounds of the owned cells;
    active: (z, y, x) 1 for an axis with neighbours. Sweeps every field in
    the 2^dim orders of the active axes. Returns the largest relative
    change |tau_new - tau_old| / max(tau_new, TINY) of any update (+inf
    where a value leaves or reaches +inf).
    """
    change = 0.0
    hz, hy, hx = (0.0, 0.0, 0.0) if half_dx is None else (half_dx[0], half_dx[1], half_dx[2])
    az, ay = active[0] == 1, active[1] == 1
    for f in range(tau.shape[0]):
        t = tau[f]
        kap = kappa[f]
        for order in range(8):
            fz, fy, fx = (order >> 2) & 1, (order >> 1) & 1, order & 1
            if (fz and not az) or (fy and not ay):
                continue
            k0, k1, dk = (hi[0] - 1, lo[0] - 1, -1) if fz else (lo[0], hi[0], 1)
            j0, j1, dj = (hi[1] - 1, lo[1] - 1, -1) if fy else (lo[1], hi[1], 1)
            i0, i1, di = (hi[2] - 1, lo[2] - 1, -1) if fx else (lo[2], hi[2], 1)
            for k in range(k0, k1, dk):
                lz, uz = half_steps(gaps, 0, k, hz, az)
                for j in range(j0, j1, dj):
                    ly, uy = half_steps(gaps, 1, j, hy, ay)
                    for i in range(i0, i1, di):
                        lx, ux = half_steps(gaps, 2, i, hx, True)
                        kc = kap[k, j, i]
                        new = min(t[k, j, i - 1] + (kc + kap[k, j, i - 1]) * lx,
                                  t[k, j, i + 1] + (kc + kap[k, j, i + 1]) * ux)
                        if ay:
                            new = min(new, t[k, j - 1, i] + (kc + kap[k, j - 1, i]) * ly,
                                      t[k, j + 1, i] + (kc + kap[k, j + 1, i]) * uy)
                        if az:
                            new = min(new, t[k - 1, j, i] + (kc + kap[k - 1, j, i]) * lz,
                                      t[k + 1, j, i] + (kc + kap[k + 1, j, i]) * uz)
                        old = t[k, j, i]
                        if new != old:
                            if new == np.inf or old == np.inf:
                                change = np.inf
                            else:
                                change = max(change, abs(new - old) / max(new, TINY))
                            t[k, j, i] = new
    return change


class LocalOpticalDepth:
    """The `local` optical depths of `n_fields` opacity fields on `grid`.

    Keeps ghosted tau and kappa arrays (one ghost layer, on a grid with the
    decomposition of `grid`) and their halo exchanges, built once.
    """

    def __init__(self, grid, n_fields):
        for face, kind in grid.boundaries.items():
            if kind == "periodic":
                raise ValueError(f"optical depth: {face} is periodic; the optical depth needs outflow or "
                                 "reflecting faces")
        if all(kind == "reflecting" for kind in grid.boundaries.values()):
            raise ValueError("optical depth: every face is reflecting; no path reaches an outer boundary")
        dim = grid.dim
        halo_grid = grid if grid.ghost == 1 else Grid(
            grid.cells[:dim], grid.lower[:dim], grid.upper[:dim], 1, grid.boundaries, grid.procs[:dim], grid.comm,
            faces=None if grid.uniform else grid.faces[:dim])
        if halo_grid.owned != grid.owned:
            raise RuntimeError("optical depth: the one-ghost grid is decomposed differently")
        self.grid = halo_grid
        self.n_fields = n_fields
        self.shape = (n_fields,) + tuple(e - s for s, e in reversed(grid.owned))
        self._tau = np.zeros((n_fields,) + halo_grid.local_shape)
        self._kappa = np.zeros_like(self._tau)
        self._tau_halo = halo_grid.halo(self._tau)
        self._kappa_halo = halo_grid.halo(self._kappa)
        self._signs = [(1.0, 1.0, 1.0)] * n_fields
        interior = halo_grid.interior
        self._interior = (slice(None),) + interior
        self._lo = np.array([s.start for s in interior], dtype=np.int64)
        self._hi = np.array([s.stop for s in interior], dtype=np.int64)
        self._half_dx = np.array([0.5 * halo_grid.dx[a] for a in (2, 1, 0)]) if grid.uniform else None
        self._gaps = None if grid.uniform else tuple(0.5 * np.diff(halo_grid.centres(a)) for a in (2, 1, 0))
        self._active = np.array([1 if a < dim else 0 for a in (2, 1, 0)], dtype=np.int64)
        # The ghost layers beyond this rank's physical faces: (index, kind).
        self._faces = []
        for a in range(dim):
            for side, edge, layer in (("lower", 0, 0), ("upper", grid.cells[a], -1)):
                if grid.owned[a][0 if side == "lower" else 1] == edge:
                    index = (slice(None),) * (3 - a) + (layer,)
                    self._faces.append((index, grid.boundaries[f"{AXES[a]}_{side}"]))
        self.last_change = np.inf  # largest relative change of the last iteration
        self.cold_iterations = None  # iterations of the last cold start

    def _check(self, name, array):
        if array.shape != self.shape:
            raise ValueError(f"optical depth: {name} has shape {array.shape}; expected {self.shape} "
                             "(n_fields, nz, ny, nx) of the owned cells")

    def _load(self, kappa, tau_start):
        """Copy kappa [cm^-1] and the start tau (None: +inf) into the ghosted
        arrays and exchange kappa's halo."""
        self._check("kappa", kappa)
        self._kappa[self._interior] = kappa
        self._kappa_halo.exchange(self._signs)
        for index, _ in self._faces:
            self._kappa[index] = 0.0
        if tau_start is None:
            self._tau[self._interior] = np.inf
        else:
            self._check("tau_start", tau_start)
            self._tau[self._interior] = tau_start

    def _iterate(self):
        """Exchange tau's halo, sweep, and return the largest relative change
        on any rank."""
        self._tau_halo.exchange(self._signs)
        for index, kind in self._faces:
            self._tau[index] = np.inf if kind == "reflecting" else 0.0  # outflow or diode: open
        change = relax(self._tau, self._kappa, self._half_dx, self._gaps, self._lo, self._hi, self._active)
        self.last_change = self.grid.max(change)
        return self.last_change

    def __call__(self, kappa, tau_start=None, tolerance=0.0, max_iterations=1000):
        """Relax to convergence: the largest relative change of an iteration
        on any rank <= `tolerance` (0: exact, bitwise the same on any
        decomposition), or `max_iterations` iterations.

        kappa: (n_fields, nz, ny, nx) opacities [cm^-1] >= 0 of the owned
        cells; tau_start: the same shape, a warm start (None: cold, +inf).
        A warm start that lies below the answer somewhere can need very many
        iterations (two neighbours of small opacity raise each other by
        their short path per iteration, Bellman-Ford's count to infinity):
        after twice the iterations of the last cold start (10 before any)
        without convergence, the relaxation starts again cold, which
        converges from above in about as many iterations as ranks lie
        along a path. Returns (tau, iterations): the optical depths
        (dimensionless) of the owned cells and the number of iterations in
        all (each one halo exchange and 2^dim sweeps); `last_change` keeps
        the final change.
        """
        done = 0
        if tau_start is not None:
            limit = min(max_iterations, 2 * (self.cold_iterations or 10))
            tau, done = self._relax(kappa, tau_start, tolerance, limit)
            if self.last_change <= tolerance:
                return tau, done
        tau, iterations = self._relax(kappa, None, tolerance, max_iterations - done)
        self.cold_iterations = iterations
        return tau, done + iterations

    def _relax(self, kappa, tau_start, tolerance, max_iterations):
        self._load(kappa, tau_start)
        iteration = 0
        for iteration in range(1, max_iterations + 1):
            if self._iterate() <= tolerance:
                break
        return self._tau[self._interior].copy(), iteration

    def sweep(self, kappa, tau):
        """One iteration from `tau` (one evolution step's update).

        kappa, tau: (n_fields, nz, ny, nx) of the owned cells [cm^-1, 1].
        Returns (new tau, the largest relative change on any rank).
        """
        self._load(kappa, tau)
        change = self._iterate()
        return self._tau[self._interior].copy(), change
