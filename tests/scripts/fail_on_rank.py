"""A run whose physics raises on one rank at step 3 (the rank is argv[1]);
the abort hook must take the whole job down with that rank's traceback."""

import sys

from parleak import parallel
from parleak.physics import Physics
from parleak.run_config import load_config
from parleak.simulation import Simulation


class FailingPhysics(Physics):
    def __init__(self, rank_to_fail):
        self.rank_to_fail = rank_to_fail
        self.calls = 0

    def add_rhs(self, state, rhs, time, stage):
        self.calls += 1
        if self.calls == 3 and parallel.WORLD.Get_rank() == self.rank_to_fail:
            raise RuntimeError(f"deliberate failure on rank {self.rank_to_fail}")

    def max_dt(self, state, stage):
        return 1.0


def main():
    parallel.install_abort_hook()
    config_path, rank_to_fail, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    config = load_config(config_path, [("time.t_end", 1e6)], parallel.WORLD.Get_size())
    simulation = Simulation(config, extra_physics=[FailingPhysics(rank_to_fail)])
    simulation.initialize()
    simulation.run(output)


main()
