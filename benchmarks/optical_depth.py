"""Optical-depth benchmark for parleak: the cost of one evaluation of each
optical-depth method, as a multiple of one halo exchange of the hydro state.

On a cells^3 grid per rank (default 128^3; the process grid chosen as in a
run) with outflow faces and random positive opacities for `--fields`
fields (default 6 = 3 species x 2 moments), it times:

  exchange   State.exchange() of a State with 6 evolved fields, ghost 2
             (the hydro state's halo exchange)
  rays       one `rays` evaluation (parleak.neutrino.rays.RayOpticalDepth)
             of all fields, sub-communicators built beforehand
  local      `local` (parleak.neutrino.local_tau.LocalOpticalDepth) to
             exact convergence from a cold start (no previous tau), all
             fields; its iteration count (halo exchanges) is printed too.
             On random opacities spanning 6 decades this takes about 11
             iterations at 128^3: use few --repeats

each the median over --repeats after a warm-up, the slowest rank counting
per repeat. Rank 0 prints a table and one line "RESULT {json}".
Methods are registered in METHODS: name -> function(grid) returning the
callable to time, which takes the opacities (n, nz, ny, nx) [cm^-1].

    mpirun -n 2 .venv/bin/python benchmarks/optical_depth.py \
        [--cells 128] [--fields 6] [--repeats 10] [--methods rays,local]
"""

import argparse
import json
import sys

import numpy as np
from timing import median_time

from parleak import parallel
from parleak.grid import FACES, Grid, choose_process_grid
from parleak.neutrino.local_tau import LocalOpticalDepth
from parleak.neutrino.rays import RayOpticalDepth
from parleak.state import FieldSpec, State

HYDRO_FIELDS = 6
HYDRO_GHOST = 2


def rays(grid):
    return RayOpticalDepth(grid)


def local(grid):
    solvers = {}

    def evaluate(kappa):
        if kappa.shape[0] not in solvers:
            solvers[kappa.shape[0]] = LocalOpticalDepth(grid, kappa.shape[0])
        evaluate.iterations = solvers[kappa.shape[0]](kappa)[1]
    return evaluate


METHODS = {"rays": rays, "local": local}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=128, help="cells per axis per rank")
    parser.add_argument("--fields", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated, from: " + ", ".join(METHODS))
    args = parser.parse_args()
    parallel.install_abort_hook()
    comm = parallel.WORLD
    size = comm.Get_size()

    procs = choose_process_grid([args.cells * size, args.cells, args.cells], size, HYDRO_GHOST)
    cells = [args.cells * p for p in procs]
    grid = Grid(cells, [0.0] * 3, [1.0] * 3, HYDRO_GHOST, {face: "outflow" for face in FACES}, procs, comm)
    state = State(grid, [FieldSpec(f"hydro{i}", "1") for i in range(HYDRO_FIELDS)])
    state.data[...] = np.random.default_rng(comm.Get_rank()).random(state.data.shape)
    kappa = 10.0 ** np.random.default_rng(comm.Get_rank() + 100).uniform(
        -3.0, 3.0, (args.fields,) + tuple(e - s for s, e in reversed(grid.owned)))

    ms = 1e3
    result = {"ranks": size, "procs": list(grid.procs), "cells_per_rank": args.cells, "fields": args.fields,
              "repeats": args.repeats, "exchange_ms": median_time(comm, state.exchange, args.repeats) * ms}
    for name in args.methods.split(","):
        if name not in METHODS:
            sys.exit(f"optical_depth.py: unknown method {name!r}; known: {', '.join(METHODS)}")
        evaluate = METHODS[name](grid)
        result[f"{name}_ms"] = median_time(comm, lambda: evaluate(kappa), args.repeats) * ms
        result[f"{name}_over_exchange"] = result[f"{name}_ms"] / result["exchange_ms"]
        if hasattr(evaluate, "iterations"):
            result[f"{name}_iterations"] = evaluate.iterations

    parallel.say(f"{grid.describe()} ({args.cells}^3 per rank), outflow faces, {args.fields} opacity fields; "
                 f"median of {args.repeats} (slowest rank)")
    parallel.say(f"{'measurement':<34} {'ms':>9} {'exchanges':>10}")
    parallel.say(f"{'halo exchange (6 fields, ghost 2)':<34} {result['exchange_ms']:>9.2f} {1.0:>10.2f}")
    for name in args.methods.split(","):
        iterations = f"  ({result[f'{name}_iterations']} iterations)" if f"{name}_iterations" in result else ""
        parallel.say(f"{name:<34} {result[f'{name}_ms']:>9.2f} {result[f'{name}_over_exchange']:>10.2f}{iterations}")
    parallel.say("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
