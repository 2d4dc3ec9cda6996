"""Linear advection of a scalar, dq/dt + div(v q) = 0, with constant v.

Second-order finite volumes: PLM reconstruction with a limiter, the upwind
flux at each face, all directions summed into one right-hand side (unsplit).
On non-uniform cells the slopes come from the half-cell increments of
parleak.reconstruct and each cell divides by its own width.
"""

import numba
import numpy as np

from parleak.physics import Physics
from parleak.reconstruct import LIMITERS, MC, MINMOD, VANLEER, limited_increment, limited_slope, plm_coefficients
from parleak.state import FieldSpec

GHOST_NEEDED = 2


@numba.njit(cache=True, inline="always", error_model="numpy")
def _upwind_row(q_m2, q_m1, q_0, q_p1, out, factor, limiter):
    for i in range(out.size):
        right_face = q_0[i] + 0.5 * limited_slope(q_0[i] - q_m1[i], q_p1[i] - q_0[i], limiter)
        left_face = q_m1[i] + 0.5 * limited_slope(q_m1[i] - q_m2[i], q_0[i] - q_m1[i], limiter)
        out[i] -= factor * (right_face - left_face)


@numba.njit(cache=True, error_model="numpy")
def upwind_divergence_row(q_m2, q_m1, q_0, q_p1, out, factor, limiter):
    """out[i] -= factor * (q_face[i + 1/2] - q_face[i - 1/2]) for a flow in
    the direction m -> p, with PLM face values from the upwind cell.

    q_m2 .. q_p1: the rows of q two cells upwind to one cell downwind of
    the cells of `out` (all 1-D, the length of `out`); factor = |v| / dx.
    One loop per limiter, so that each loop vectorises.
    """
    if limiter == MINMOD:
        _upwind_row(q_m2, q_m1, q_0, q_p1, out, factor, MINMOD)
    elif limiter == MC:
        _upwind_row(q_m2, q_m1, q_0, q_p1, out, factor, MC)
    else:
        _upwind_row(q_m2, q_m1, q_0, q_p1, out, factor, VANLEER)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _upwind_row_stretched(q_m2, q_m1, q_0, q_p1, out, factor, back_m1, fwd_m1, back_0, fwd_0, limiter):
    for i in range(out.size):
        right_face = q_0[i] + limited_increment(q_0[i] - q_m1[i], q_p1[i] - q_0[i], back_0[i], fwd_0[i], limiter)
        left_face = q_m1[i] + limited_increment(q_m1[i] - q_m2[i], q_0[i] - q_m1[i], back_m1[i], fwd_m1[i], limiter)
        out[i] -= factor[i] * (right_face - left_face)


@numba.njit(cache=True, error_model="numpy")
def upwind_divergence_row_stretched(q_m2, q_m1, q_0, q_p1, out, factor, back_m1, fwd_m1, back_0, fwd_0, limiter):
    """upwind_divergence_row on non-uniform cells: factor[i] = |v| / w_i,
    and the half-cell increment coefficients (reconstruct.plm_coefficients)
    of the cells m1 and 0 towards the upwind (back) and downwind (fwd)
    neighbour, all rows the length of `out`."""
    if limiter == MINMOD:
        _upwind_row_stretched(q_m2, q_m1, q_0, q_p1, out, factor, back_m1, fwd_m1, back_0, fwd_0, MINMOD)
    elif limiter == MC:
        _upwind_row_stretched(q_m2, q_m1, q_0, q_p1, out, factor, back_m1, fwd_m1, back_0, fwd_0, MC)
    else:
        _upwind_row_stretched(q_m2, q_m1, q_0, q_p1, out, factor, back_m1, fwd_m1, back_0, fwd_0, VANLEER)


@numba.njit(cache=True)
def add_flux_divergence_stretched(q, rhs, velocity, inv_widths, coefficients, axis, limiter, lo, hi):
    """add_flux_divergence on non-uniform cells: inv_widths (1/cm) and
    coefficients (reconstruct.plm_coefficients) of the ghosted cells along
    `axis`. Along y and z, where a row has one width, the per-cell rows
    are filled per row."""
    dk, dj, di = (1 if axis == 2 else 0), (1 if axis == 1 else 0), (1 if axis == 0 else 0)
    s = 1 if velocity >= 0.0 else -1
    back, fwd = (0, 1) if s == 1 else (1, 0)
    i0, i1 = lo[2], hi[2]
    n = i1 - i0
    rows = np.empty((5, n))
    for k in range(lo[0], hi[0]):
        for j in range(lo[1], hi[1]):
            if axis == 0:
                rows[0] = abs(velocity) * inv_widths[i0:i1]
                for r, (cell, side) in enumerate(((-s, back), (-s, fwd), (0, back), (0, fwd))):
                    rows[r + 1] = coefficients[side, i0 + cell:i1 + cell]
            else:
                c = j if axis == 1 else k
                rows[0] = abs(velocity) * inv_widths[c]
                for r, (cell, side) in enumerate(((-s, back), (-s, fwd), (0, back), (0, fwd))):
                    rows[r + 1] = coefficients[side, c + cell]
            upwind_divergence_row_stretched(
                q[k - 2 * s * dk, j - 2 * s * dj, i0 - 2 * s * di:i1 - 2 * s * di],
                q[k - s * dk, j - s * dj, i0 - s * di:i1 - s * di],
                q[k, j, i0:i1],
                q[k + s * dk, j + s * dj, i0 + s * di:i1 + s * di],
                rhs[k, j, i0:i1], rows[0], rows[1], rows[2], rows[3], rows[4], limiter)


@numba.njit(cache=True)
def add_flux_divergence(q, rhs, velocity, inv_dx, axis, limiter, lo, hi):
    """rhs[cell] -= v (q_face[right] - q_face[left]) / dx along `axis`.

    q, rhs: ghosted [z, y, x] arrays; lo, hi: (z, y, x) bounds of the cells
    to update; velocity in cm/s, inv_dx in 1/cm. Needs two ghost layers.
    Works on contiguous x rows for every axis. A flow towards -axis is the
    same scheme with the stencil rows in reverse order (the limiters are
    symmetric and odd), which keeps the row kernel free of branches.
    """
    dk = 1 if axis == 2 else 0
    dj = 1 if axis == 1 else 0
    di = 1 if axis == 0 else 0
    s = 1 if velocity >= 0.0 else -1  # the upwind direction is -s
    factor = abs(velocity) * inv_dx
    i0, i1 = lo[2], hi[2]
    for k in range(lo[0], hi[0]):
        for j in range(lo[1], hi[1]):
            upwind_divergence_row(
                q[k - 2 * s * dk, j - 2 * s * dj, i0 - 2 * s * di:i1 - 2 * s * di],
                q[k - s * dk, j - s * dj, i0 - s * di:i1 - s * di],
                q[k, j, i0:i1],
                q[k + s * dk, j + s * dj, i0 + s * di:i1 + s * di],
                rhs[k, j, i0:i1], factor, limiter)


class ScalarAdvection(Physics):
    """Right-hand side of the advection of field `q` (dimensionless) with the
    constant velocity `velocity` (cm/s, one entry per grid axis)."""

    fields = (FieldSpec("q", "1", description="advected scalar"),)

    def __init__(self, grid, velocity, limiter):
        self.grid = grid
        self.velocity = tuple(float(v) for v in velocity) + (0.0,) * (3 - grid.dim)
        self.limiter = LIMITERS[limiter]
        interior = grid.interior
        self.lo = np.array([s.start for s in interior], dtype=np.int64)
        self.hi = np.array([s.stop for s in interior], dtype=np.int64)
        self.inv_widths = [1.0 / grid.widths(a) for a in range(grid.dim)]
        self.coefficients = [plm_coefficients(grid.widths(a)) for a in range(grid.dim)]

    def add_rhs(self, state, rhs, time, stage):
        q = state["q"]
        out = rhs[state.index["q"]]
        for axis in range(self.grid.dim):
            if self.grid.uniform:
                add_flux_divergence(q, out, self.velocity[axis], 1.0 / self.grid.dx[axis],
                                    axis, self.limiter, self.lo, self.hi)
            else:
                add_flux_divergence_stretched(q, out, self.velocity[axis], self.inv_widths[axis],
                                              self.coefficients[axis], axis, self.limiter, self.lo, self.hi)

    def max_dt(self, state, stage):
        """The unsplit CFL limit for a Courant number of 1, s: the largest
        sum_a |v_a| / w_a of any cell (the narrowest cell of each axis)."""
        if self.grid.uniform:
            rate = sum(abs(v) / dx for v, dx in zip(self.velocity, self.grid.dx))
        else:
            rate = sum(abs(v) / float(np.min(self.grid.global_widths(a)))
                       for a, v in enumerate(self.velocity[:self.grid.dim]))
        return np.inf if rate == 0.0 else 1.0 / rate
