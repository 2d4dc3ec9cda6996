"""Linear advection of a scalar, dq/dt + div(v q) = 0, with constant v.

Second-order finite volumes: PLM reconstruction with a limiter, the upwind
flux at each face, all directions summed into one right-hand side (unsplit).
"""

import numba
import numpy as np

from parleak.physics import Physics
from parleak.reconstruct import LIMITERS, MC, MINMOD, VANLEER, limited_slope
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

    def add_rhs(self, state, rhs, time, stage):
        q = state["q"]
        out = rhs[state.index["q"]]
        for axis in range(self.grid.dim):
            add_flux_divergence(q, out, self.velocity[axis], 1.0 / self.grid.dx[axis],
                                axis, self.limiter, self.lo, self.hi)

    def max_dt(self, state, stage):
        """The unsplit CFL limit for a Courant number of 1, s."""
        rate = sum(abs(v) / dx for v, dx in zip(self.velocity, self.grid.dx))
        return np.inf if rate == 0.0 else 1.0 / rate
