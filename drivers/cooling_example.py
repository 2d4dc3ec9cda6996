"""A physics module written against parleak's physics contract (the README's
worked example): optically thin cooling at Lambda = coefficient rho^2
erg/(cm^3 s), with its radiated energy in scalars.csv and in checkpoints.

    mpirun -n 2 python drivers/cooling_example.py drivers/soundwave.toml output/cooling
"""

import math
import sys

from parleak.physics import Physics
from parleak.state import FieldSpec


class Cooling(Physics):
    needs = ("primitives",)  # published by the hydro earlier in each stage
    restart_state = True
    fields = (FieldSpec("cooling", "erg/(cm^3 s)", evolved=False, description="cooling rate Lambda"),)

    def __init__(self, coefficient):
        self.coefficient = coefficient  # erg cm^3 / (g^2 s)
        self.rate = 0.0  # erg/(cm^3 s) on the owned cells, of the last stage
        self.stage_power = []  # erg/s of each stage of this step
        self.radiated = 0.0  # erg, cumulative

    def add_rhs(self, state, rhs, time, stage):
        grid = state.grid
        rho = stage["primitives"].rho[grid.interior]
        self.rate = self.coefficient * rho * rho
        rhs[state.index["etot"]][grid.interior] -= self.rate
        self.stage_power.append(grid.sum(self.rate) * math.prod(grid.dx[:grid.dim]))  # exact on any ranks

    def end_step(self, dt, weights):
        self.radiated += dt * math.fsum(w * p for w, p in zip(weights, self.stage_power))
        self.stage_power = []

    def fill_diagnostics(self, state):
        state.interior("cooling")[...] = self.rate

    def scalars(self, state):
        return {"cooling_radiated": self.radiated}

    def checkpoint_scalars(self):
        return {"radiated": self.radiated}

    def restore_checkpoint(self, scalars, fields):
        self.radiated = float(scalars["radiated"])


def main():
    """Run CONFIG (a hydro problem) into OUTPUT with Cooling(1e-3) added."""
    from parleak.parallel import WORLD
    from parleak.run_config import load_config
    from parleak.simulation import Simulation

    config = load_config(sys.argv[1], [("output.dir", sys.argv[2])], WORLD.Get_size())
    simulation = Simulation(config, WORLD, extra_physics=[Cooling(1e-3)])
    simulation.initialize()
    simulation.run(config["output.dir"])


if __name__ == "__main__":
    main()
