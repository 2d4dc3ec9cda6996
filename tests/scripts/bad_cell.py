"""`parleak run` (the real CLI) with one corrupted cell: at the third
right-hand-side evaluation, rank argv[1] writes NaN into the density
tendency of its first owned cell, so the stage update leaves a NaN density
there. The hydro must stop the whole job (exit 3) naming that cell.

usage: bad_cell.py RANK CONFIG [parleak run arguments ...]
"""

import sys

import numpy as np

import parleak.simulation
from parleak import cli, parallel


class NaNInjector:
    fields = ()

    def __init__(self, rank_to_corrupt):
        self.rank_to_corrupt = rank_to_corrupt
        self.calls = 0

    def add_rhs(self, state, rhs, time):
        self.calls += 1
        if self.calls == 3 and parallel.WORLD.Get_rank() == self.rank_to_corrupt:
            first_owned = tuple(s.start for s in state.grid.interior)
            rhs[(state.index["dens"],) + first_owned] = np.nan

    def max_dt(self, state):
        return np.inf


class CorruptedSimulation(parleak.simulation.Simulation):
    def __init__(self, config, comm=parallel.WORLD):
        super().__init__(config, comm, extra_physics=[NaNInjector(int(sys.argv[1]))])


parleak.simulation.Simulation = CorruptedSimulation
cli.main(["run"] + sys.argv[2:])
