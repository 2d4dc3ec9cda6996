"""Strong-stability-preserving Runge-Kutta methods (Shu & Osher 1988),
in the Shu-Osher form: stage s sets

    u = a_s * u_n + b_s * (u + dt * L(u))

where L is the right-hand side summed over the registered physics, after
the ghost zones of u are filled.
"""

import numba
import numpy as np

# (a_s, b_s, c_s) per stage; c_s is the stage's time as a fraction of dt.
SSP_METHODS = {
    "ssprk1": ((0.0, 1.0, 0.0),),
    "ssprk2": ((0.0, 1.0, 0.0), (0.5, 0.5, 1.0)),
    "ssprk3": ((0.0, 1.0, 0.0), (0.75, 0.25, 1.0), (1.0 / 3.0, 2.0 / 3.0, 0.5)),
}


@numba.njit(cache=True)
def ssp_stage_update(u, u_n, rhs, a, b, dt):
    """u = a * u_n + b * (u + dt * rhs), element-wise over flat arrays."""
    if a == 0.0:
        for n in range(u.size):
            u[n] = b * (u[n] + dt * rhs[n])
    else:
        for n in range(u.size):
            u[n] = a * u_n[n] + b * (u[n] + dt * rhs[n])


class SSPRungeKutta:
    """Advances the evolved fields of `state` with the physics modules, each
    of which provides add_rhs(state, rhs, time) and max_dt(state) (the local
    step limit for a Courant number of 1). The physics are called in order,
    so a later one may use what an earlier one computed in the same stage
    (e.g. the hydro primitives)."""

    def __init__(self, method, state, physics):
        self.stages = SSP_METHODS[method]
        self.state = state
        self.physics = tuple(physics)
        self.u_n = np.empty_like(state.evolved)
        self.rhs = np.zeros_like(state.evolved)

    def stable_dt(self, cfl):
        """cfl times the smallest step limit of any physics on any rank, s."""
        local = min((p.max_dt(self.state) for p in self.physics), default=np.inf)
        return cfl * self.state.grid.min(np.array([local]))

    def step(self, time, dt):
        state = self.state
        np.copyto(self.u_n, state.evolved)
        u, u_n, rhs = state.evolved.reshape(-1), self.u_n.reshape(-1), self.rhs.reshape(-1)
        for a, b, c in self.stages:
            state.exchange()
            self.rhs.fill(0.0)
            for physics in self.physics:
                physics.add_rhs(state, self.rhs, time + c * dt)
            ssp_stage_update(u, u_n, rhs, a, b, dt)
