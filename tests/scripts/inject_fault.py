"""`parleak run` (the real CLI) with a fault injected on purpose.

usage: inject_fault.py FAULT ARGS... [FAULT ARGS...] -- run CONFIG [parleak run arguments ...]

faults (several may be given):
    nan RANK CALL        at its CALL-th right-hand-side evaluation, rank RANK
                         writes NaN into the density tendency of the middle
                         cell of its interior (the integrator's check)
    negative RANK CALL   the same with -1e300: a finite negative density,
                         which the hydro's bad-cell check stops at the
                         next stage
    file-size-limit N    every rank gets a file-size limit of N bytes
                         (RLIMIT_FSIZE, `ulimit -f`) once MPI has started:
                         set before mpirun, the limit breaks its start-up
    skip-space-check     no check of the space before a file is written, as
                         if the space had gone while it was written
"""

import resource
import sys

import numpy as np

from parleak import cli, parallel
from parleak.physics import Physics
import parleak.io.dump
import parleak.simulation

TENDENCIES = {"nan": np.nan, "negative": -1e300}


class TendencyInjector(Physics):
    """A physics object that spoils one density tendency once."""

    def __init__(self, value, rank, call):
        self.value, self.rank, self.call = value, rank, call
        self.calls = 0

    def add_rhs(self, state, rhs, time, stage):
        self.calls += 1
        if self.calls == self.call and parallel.WORLD.Get_rank() == self.rank:
            middle = tuple((s.start + s.stop) // 2 for s in state.grid.interior)
            rhs[(state.index["dens"],) + middle] = self.value


def main():
    split = sys.argv.index("--")
    faults, run_args = sys.argv[1:split], sys.argv[split + 1:]
    while faults:
        fault = faults.pop(0)
        if fault in TENDENCIES:
            injector = TendencyInjector(TENDENCIES[fault], int(faults.pop(0)), int(faults.pop(0)))
            parleak.simulation.Simulation = injected(parleak.simulation.Simulation, injector)
        elif fault == "file-size-limit":
            limit = int(faults.pop(0))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        elif fault == "skip-space-check":
            parleak.io.dump.check_space = lambda directory, size, comm: None
        else:
            raise SystemExit(f"inject_fault.py: unknown fault {fault!r}")
    cli.main(run_args)


def injected(simulation_class, injector):
    """simulation_class with `injector` as extra physics."""
    class InjectedSimulation(simulation_class):
        def __init__(self, config, comm=parallel.WORLD):
            super().__init__(config, comm, extra_physics=[injector])
    return InjectedSimulation


main()
