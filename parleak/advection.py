"""Linear advection of a scalar, dq/dt + div(v q) = 0, with constant v.

Second-order finite volumes: PLM reconstruction with a limiter, the upwind
flux at each face, all directions summed into one right-hand side (unsplit).
"""

import numba
import numpy as np

from parleak.reconstruct import LIMITERS, upwind_face_value
from parleak.state import FieldSpec

GHOST_NEEDED = 2


@numba.njit(cache=True)
def add_flux_divergence(q, rhs, velocity, inv_dx, axis, limiter, lo, hi):
    """rhs[cell] -= (F[right face] - F[left face]) / dx along `axis`.

    q, rhs: ghosted [z, y, x] arrays; lo, hi: (z, y, x) bounds of the cells
    to update; velocity in cm/s, inv_dx in 1/cm. Needs two ghost layers.
    Inner loops run over contiguous x rows for every axis.
    """
    dk = 1 if axis == 2 else 0
    dj = 1 if axis == 1 else 0
    di = 1 if axis == 0 else 0
    factor = velocity * inv_dx
    for k in range(lo[0], hi[0]):
        for j in range(lo[1], hi[1]):
            q_m2 = q[k - 2 * dk, j - 2 * dj]
            q_m1 = q[k - dk, j - dj]
            q_0 = q[k, j]
            q_p1 = q[k + dk, j + dj]
            q_p2 = q[k + 2 * dk, j + 2 * dj]
            out = rhs[k, j]
            for i in range(lo[2], hi[2]):
                left = upwind_face_value(
                    q_m2[i - 2 * di], q_m1[i - di], q_0[i], q_p1[i + di], velocity, limiter)
                right = upwind_face_value(
                    q_m1[i - di], q_0[i], q_p1[i + di], q_p2[i + 2 * di], velocity, limiter)
                out[i] -= factor * (right - left)


class ScalarAdvection:
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

    def add_rhs(self, state, rhs, time):
        q = state["q"]
        out = rhs[state.index["q"]]
        for axis in range(self.grid.dim):
            add_flux_divergence(q, out, self.velocity[axis], 1.0 / self.grid.dx[axis],
                                axis, self.limiter, self.lo, self.hi)

    def max_dt(self, state):
        """The unsplit CFL limit for a Courant number of 1, s."""
        rate = sum(abs(v) / dx for v, dx in zip(self.velocity, self.grid.dx))
        return np.inf if rate == 0.0 else 1.0 / rate
