"""3-D hydro throughput, comparable to Athena++'s standard performance test:
a 3-D Sod-type problem (a dense, high-pressure sphere in a periodic box),
PLM (MC limiter) + HLLC, SSP-RK2 (two stages per step), CELLS^3 cells per
rank. Prints zone-cycles per second per core (cells x steps / wall time /
ranks) and the time split into reconstruction + Riemann, halo exchange
and the rest (primitives and floors, EOS, time step, RK update).

    mpirun -n 1 python benchmarks/hydro3d.py [--cells 128] [--steps 10]
    mpirun -n 2 python benchmarks/hydro3d.py      (2 x 128^3, split along z)
    python benchmarks/hydro3d.py --cells 64 --stretched   (the same cell count,
        widths 0.75 / CELLS within 0.2 of each axis's centre, growing
        outwards: the non-uniform reconstruction and divergence)
"""

import argparse
import time

import numpy as np

from parleak import parallel
from parleak.config import Config, validate
from parleak.hydro import solver
from parleak.problems.common import set_primitives
from parleak.run_config import schema
from parleak.simulation import Simulation
import parleak.problems.sod as sod


def build(cells_per_rank, comm, stretched=False):
    n = comm.Get_size()
    values = {
        "problem.name": "sod", "grid.cells": [cells_per_rank, cells_per_rank, cells_per_rank * n],
        "grid.lower": [0.0, 0.0, 0.0], "grid.upper": [1.0, 1.0, float(n)],
    }
    if stretched:
        values |= {"grid.spacing": "stretched", "grid.min_width": 0.75 / cells_per_rank, "grid.uniform_extent": 0.2}
    values = validate(values | {"time.t_end": 1.0, "grid.procs": [1, 1, n]}, schema(sod, n), "benchmark")
    simulation = Simulation(Config(values), comm)
    simulation.initialize()
    state, eos = simulation.state, simulation.physics_set.eos
    mesh = simulation.grid.local_mesh()
    r = np.sqrt(sum((mesh[2 - a] - 0.5) ** 2 for a in range(2)) + (np.mod(mesh[0], 1.0) - 0.5) ** 2)
    set_primitives(state, eos, np.where(r < 0.25, 1.0, 0.125), [0.0, 0.0, 0.0], np.where(r < 0.25, 1.0, 0.1))
    return simulation


class Timer:
    """Accumulates the wall time of the wrapped calls."""

    def __init__(self, function):
        self.function, self.seconds = function, 0.0

    def __call__(self, *args):
        start = time.perf_counter()
        result = self.function(*args)
        self.seconds += time.perf_counter() - start
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=128, help="cells per axis per rank")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--stretched", action="store_true", help="a smoothly stretched grid, the same cell count")
    args = parser.parse_args()
    comm = parallel.WORLD
    simulation = build(args.cells, comm, args.stretched)
    state, integrator = simulation.state, simulation.integrator
    simulation.integrator.step(0.0, 1e-4)  # compile everything
    fluxes = Timer(solver.add_flux_divergence)
    solver.add_flux_divergence = fluxes
    exchange = Timer(state.exchange)
    state.exchange = exchange
    comm.Barrier()
    start = time.perf_counter()
    t = 0.0
    for _ in range(args.steps):
        dt = integrator.stable_dt(0.4)
        integrator.step(t, dt)
        t += dt
    comm.Barrier()
    wall = time.perf_counter() - start
    cells = np.prod(simulation.grid.cells)
    rate = cells * args.steps / wall / comm.Get_size()
    parts = np.array([fluxes.seconds, exchange.seconds])
    parts = comm.allreduce(parts) / comm.Get_size()
    parallel.say(f"hydro3d: {comm.Get_size()} rank(s), {args.cells}^3 {'stretched ' if args.stretched else ''}cells "
                 f"per rank, PLM-MC + HLLC, SSP-RK2, "
                 f"{args.steps} steps in {wall:.2f} s")
    parallel.say(f"  {rate / 1e6:.2f} million zone-cycles per second per core")
    parallel.say(f"  reconstruction + Riemann {parts[0] / wall:6.1%}   halo exchange {parts[1] / wall:6.1%}   "
                 f"rest {1 - parts.sum() / wall:6.1%}")


if __name__ == "__main__":
    main()
