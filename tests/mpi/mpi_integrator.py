"""SSP Runge-Kutta: one step of du/dt = lambda u multiplies u by the
method's stability polynomial, 1 + z (+ z^2/2 (+ z^3/6)), z = lambda dt;
the time step comes from the CFL limit reduced over all ranks; stage times
reach the physics."""

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all

from parleak.grid import FACES, Grid
from parleak.integrator import SSPRungeKutta
from parleak.physics import Physics
from parleak.state import FieldSpec, State


class Decay(Physics):
    """du/dt = rate * u, with a step limit that differs from rank to rank."""

    fields = (FieldSpec("u", "1"),)

    def __init__(self, rate):
        self.rate = rate
        self.stage_times = []

    def add_rhs(self, state, rhs, time, stage):
        self.stage_times.append(time)
        rhs[state.index["u"]] += self.rate * state["u"]

    def max_dt(self, state, stage):
        return 1.0 + MPI.COMM_WORLD.Get_rank()


POLYNOMIALS = {
    "ssprk1": lambda z: 1 + z,
    "ssprk2": lambda z: 1 + z + z * z / 2,
    "ssprk3": lambda z: 1 + z + z * z / 2 + z ** 3 / 6,
}
STAGE_TIMES = {"ssprk1": [0.0], "ssprk2": [0.0, 1.0], "ssprk3": [0.0, 1.0, 0.5]}


@pytest.mark.parametrize("method", sorted(POLYNOMIALS))
def test_one_step_is_the_stability_polynomial(method):
    grid = Grid([16, 8], [0.0, 0.0], [1.0, 1.0], 1, {f: "periodic" for f in FACES})
    physics = Decay(rate=-0.8)
    state = State(grid, physics.fields)
    state["u"][...] = 2.0
    integrator = SSPRungeKutta(method, state, [physics])
    dt = integrator.stable_dt(0.5)
    check_all(dt == 0.5, f"dt {dt}: the minimum over ranks of 0.5 * (1 + rank) is 0.5")
    integrator.step(10.0, dt)
    expected = 2.0 * POLYNOMIALS[method](-0.8 * dt)
    check_all(np.allclose(state.interior("u"), expected, rtol=1e-15, atol=0), f"{state.interior('u').flat[0]} != {expected}")
    check_all(physics.stage_times == [10.0 + c * dt for c in STAGE_TIMES[method]], f"stage times {physics.stage_times}")


@pytest.mark.parametrize("method, order", [("ssprk2", 2), ("ssprk3", 3)])
def test_order_of_accuracy_on_decay(method, order):
    grid = Grid([4], [0.0], [1.0], 1, {f: "periodic" for f in FACES})
    errors = []
    for steps in (10, 20):
        physics = Decay(rate=-1.0)
        state = State(grid, physics.fields)
        state["u"][...] = 1.0
        integrator = SSPRungeKutta(method, state, [physics])
        for n in range(steps):
            integrator.step(n / steps, 1.0 / steps)
        errors.append(abs(state.interior("u")[0, 0, 0] - np.exp(-1.0)))
    measured = np.log2(errors[0] / errors[1])
    check_all(abs(measured - order) < 0.1, f"{method}: order {measured}")
