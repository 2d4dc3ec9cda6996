"""Strong-stability-preserving Runge-Kutta methods (Shu & Osher 1988),
in the Shu-Osher form: stage s sets

    u = a_s * u_n + b_s * (u + dt * L(u))

where L is the right-hand side summed over the registered physics, after
the ghost zones of u are filled. Unrolled, the step is u_n + dt sum_s w_s L_s
with L_s the right-hand side of stage s and w_s its weight
(`stage_weights`: the Butcher b of the method).
"""

import numba
import numpy as np

from parleak.parallel import CollectiveError
from parleak.physics import StageData

# (a_s, b_s, c_s) per stage; c_s is the stage's time as a fraction of dt.
SSP_METHODS = {
    "ssprk1": ((0.0, 1.0, 0.0),),
    "ssprk2": ((0.0, 1.0, 0.0), (0.5, 0.5, 1.0)),
    "ssprk3": ((0.0, 1.0, 0.0), (0.75, 0.25, 1.0), (1.0 / 3.0, 2.0 / 3.0, 0.5)),
}


def stage_weights(method):
    """The weights w_s of the stages' right-hand sides L_s in the step,
    u_(n+1) = u_n + dt sum_s w_s L_s (exact arithmetic), from the Shu-Osher
    coefficients of SSP_METHODS[method]: with u^(s) = u_n + dt sum_k
    W_(s,k) L_k, stage s (a_s + b_s = 1) gives W_s = b_s (W_(s-1) + e_(s-1)).
    ssprk1: (1,); ssprk2: (1/2, 1/2); ssprk3: (1/6, 1/6, 2/3)."""
    weights = []
    for a, b, _ in SSP_METHODS[method]:
        weights = [b * w for w in weights + [1.0]]
    return tuple(weights)


@numba.njit(cache=True)
def ssp_stage_update(u, u_n, rhs, a, b, dt):
    """u = a * u_n + b * (u + dt * rhs), element-wise over flat arrays.
    Returns the number of non-finite results (counted branch-free, so the
    loop still vectorises)."""
    bad = 0
    if a == 0.0:
        for n in range(u.size):
            x = b * (u[n] + dt * rhs[n])
            u[n] = x
            bad += not abs(x) < np.inf
    else:
        for n in range(u.size):
            x = a * u_n[n] + b * (u[n] + dt * rhs[n])
            u[n] = x
            bad += not abs(x) < np.inf
    return bad


class SSPRungeKutta:
    """Advances the evolved fields of `state` with `physics`, a sequence of
    parleak.physics.Physics called in its order (PhysicsSet.ordered). Each
    stage fills the ghost zones, then calls every module's add_rhs with a
    new StageData, in which a module reads what an earlier one published
    (the hydro's primitives); a time-step estimate calls max_dt the same
    way. After the stages of a step, every module's end_step(dt, weights)
    gets the step dt [s] and the stage weights (`stage_weights`); then
    every module's after_step(state, time) may change the state (an
    operator-split update; time [s] is the end of the step).

    A stage that leaves a non-finite value in any evolved field stops the
    step on every rank with a CollectiveError naming the fields, the first
    such cell and the stage, whichever physics produced it."""

    def __init__(self, method, state, physics):
        self.stages = SSP_METHODS[method]
        self.weights = stage_weights(method)
        self.state = state
        self.physics = tuple(physics)
        self.u_n = np.empty_like(state.evolved)
        self.rhs = np.zeros_like(state.evolved)

    def stable_dt(self, cfl):
        """cfl times the smallest step limit of any physics on any rank, s."""
        stage = StageData()
        local = min((p.max_dt(self.state, stage) for p in self.physics), default=np.inf)
        return cfl * self.state.grid.min(np.array([local]))

    def step(self, time, dt):
        state = self.state
        np.copyto(self.u_n, state.evolved)
        u, u_n, rhs = state.evolved.reshape(-1), self.u_n.reshape(-1), self.rhs.reshape(-1)
        for stage, (a, b, c) in enumerate(self.stages, start=1):
            state.exchange()
            self.rhs.fill(0.0)
            data = StageData()
            for physics in self.physics:
                physics.add_rhs(state, self.rhs, time + c * dt, data)
            if state.grid.sum_counts([ssp_stage_update(u, u_n, rhs, a, b, dt)])[0]:
                raise CollectiveError(f"stage {stage} of {len(self.stages)}: {self._non_finite_cells()}")
        for physics in self.physics:
            physics.end_step(dt, self.weights)
        for physics in self.physics:
            physics.after_step(state, time + dt)

    def _non_finite_cells(self):
        """Words naming the non-finite evolved values: how many cells, and
        the fields and values at the globally first one. Collective."""
        state, grid = self.state, self.state.grid
        interior = state.evolved[(slice(None),) + grid.interior]
        bad = ~np.isfinite(interior)
        cells = bad.any(axis=0)
        first, described = -1, None
        if cells.any():
            kji = np.unravel_index(int(np.argmax(cells)), cells.shape)
            first = int(np.ravel_multi_index([s.start + n for s, n in zip(grid.interior, kji)], grid.local_shape))
            names = [spec.name for spec, flagged in zip(state.specs, bad[(slice(None),) + kji]) if flagged]
            values = ", ".join(f"{spec.name} = {value:.6e}"
                               for spec, value in zip(state.specs, interior[(slice(None),) + kji]))
            described = (names, values)
        total = int(grid.sum_counts([cells.sum()])[0])
        found = grid.first_marked(first)
        if found is None:
            return "non-finite values in ghost cells only"
        owner, index = found
        names, values = grid.from_rank(described, owner)
        return (f"non-finite {', '.join(names)} in {total} cell(s); the first is at {grid.describe_cell(index)} "
                f"(on rank {owner}), with {values}")
