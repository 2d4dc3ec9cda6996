"""Cost of one step of the `pns` problem (drivers/pns.toml), split into its
parts, in zone-cycles per second per core.

Builds the pns Simulation (on --cells^3 of the driver's cell size, default its 48^3) twice,
with the leakage on (as the driver) and off (leakage.evolve = false,
optical_depth.method = "none"), and times after --warmup steps:

  step          one full step (SSP-RK2: two stages) with the leakage
  step_hydro    one full step without it (hydro + monopole gravity)
  hydro         Hydro.add_rhs: primitives, EOS inversion, fluxes (per stage)
  eos           of which the EOS inversion from (rho, eps, Ye) (per stage)
  gravity       MonopoleGravity.add_rhs (per stage)
  optical_depth one optical-depth update as the leakage makes it: the EOS
                lookup on the cells it needs and the (kappa, tau)
                iterations (leakage.tau_iterations, default 1),
                OpticalDepth.converged from the previous tau (once per
                step with leakage.tau_every = 1)
  sources       the leakage sources on the owned cells (per stage): the
                EOS lookup and the source kernel on the cells with rho >=
                leakage.min_density
  dump          one HDF5 dump of all fields (not per step: a run writes
                one every output.interval)

each the median over --repeats (after a warm-up call) of the slowest rank.
The steps with and without the leakage are timed alternately (a step of
one, then of the other, --repeats times), so that a drift of the machine's
speed hits both alike. Rank 0 prints a table (ms and zone-cycles/s/core =
cells / (time x ranks)), the leakage's share of the step, the median over
the pairs of step / step_hydro - 1 (with its quartiles), and "RESULT
{json}".

    mpirun -n 2 .venv/bin/python benchmarks/pns_step.py [--cells 48] [--repeats 11]
        [--method rays|local] [--tau-every 1] [--min-density 1e8]
"""

import argparse
import json
import os
import statistics
import tempfile

import numpy as np

from timing import interleaved_times, median_time

from parleak import parallel
from parleak.io.dump import write_dump
from parleak.microphysics.leakage import DenseCells
from parleak.physics import StageData
from parleak.run_config import load_config
from parleak.simulation import Simulation

DRIVER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "drivers", "pns.toml")


def build(args, comm, leakage):
    driver = load_config(DRIVER, [], comm.Get_size())
    cell_size = driver["grid.upper"][0] / driver["grid.cells"][0]  # cm: the driver's resolution
    overrides = [("grid.cells", [args.cells] * 3), ("grid.upper", [args.cells * cell_size] * 3),
                 ("optical_depth.method", args.method if leakage else "none"), ("leakage.evolve", leakage),
                 ("leakage.tau_every", args.tau_every), ("leakage.min_density", args.min_density)]
    simulation = Simulation(load_config(DRIVER, overrides, comm.Get_size()), comm)
    simulation.initialize()
    for _ in range(args.warmup):
        dt = simulation.integrator.stable_dt(0.4)
        simulation.integrator.step(simulation.time, dt)
        simulation.time += dt
    return simulation


def stepper(simulation):
    """A function that advances `simulation` by one CFL step."""
    def step():
        dt = simulation.integrator.stable_dt(0.4)
        simulation.integrator.step(simulation.time, dt)
        simulation.time += dt
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--method", default="rays", choices=("rays", "local"))
    parser.add_argument("--tau-every", type=int, default=1)
    parser.add_argument("--min-density", type=float, default=1e8)
    args = parser.parse_args()
    comm = parallel.WORLD
    ranks = comm.Get_size()

    with_leakage = build(args, comm, True)
    roles = with_leakage.physics_set
    hydro, gravity, leakage = roles.hydro, roles.gravity, roles.leakage
    stage = StageData()
    state = with_leakage.state
    rhs = with_leakage.integrator.rhs
    steps, steps_hydro = interleaved_times(comm, [stepper(with_leakage), stepper(build(args, comm, False))],
                                           args.repeats)
    shares = np.array(steps) / np.array(steps_hydro) - 1.0
    results = {"step": statistics.median(steps)}
    results["hydro"] = median_time(comm, lambda: hydro.add_rhs(state, rhs, 0.0, stage), args.repeats)
    prim = hydro.prim
    eps, temp = hydro.eps.copy(), state["temp"].copy()
    outputs = [prim[4].copy(), prim[6].copy(), prim[7].copy()]
    results["eos"] = median_time(comm, lambda: roles.eos.from_rho_eps(
        prim[0], eps, prim[5], temp, *outputs), args.repeats)
    results["gravity"] = median_time(comm, lambda: gravity.add_rhs(state, rhs, 0.0, stage), args.repeats)
    leakage._gather(stage["primitives"])
    rho = leakage._inputs[0]
    depth, tau = leakage.depth, leakage.tau.copy()

    def tau_update():
        cells = DenseCells.of(rho, min(leakage.min_density, depth.density_threshold))
        depth.iterate(leakage._evaluation(cells).opacities, cells, tau_start=tau,
                      iterations=leakage.tau_iterations or None)
    results["optical_depth"] = median_time(comm, tau_update, args.repeats)
    dense = comm.allreduce(DenseCells.of(rho, leakage.min_density).count)

    def sources():
        leakage._source_tau = -1  # force the evaluation
        leakage._evaluate(stage["primitives"], step_start=False)
    results["sources"] = median_time(comm, sources, args.repeats)
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as scratch:
        directory = comm.bcast(scratch if comm.Get_rank() == 0 else None)
        results["dump"] = median_time(comm, lambda: write_dump(
            directory, 0, state, 0.0, 0, "", None), min(args.repeats, 3))
        comm.Barrier()
    results["step_hydro"] = statistics.median(steps_hydro)

    cells = args.cells ** 3
    if comm.Get_rank() == 0:
        print(f"pns step, {args.cells}^3 cells, {ranks} rank(s), optical depth {args.method} every "
              f"{args.tau_every} step(s) ({depth.iterations} kappa-tau iterations); sources on {dense} cells "
              f"(rho >= {args.min_density:g} g/cm^3)")
        print(f"{'part':<14} {'ms':>10} {'zone-cycles/s/core':>20}")
        for name, seconds in results.items():
            print(f"{name:<14} {seconds * 1e3:10.2f} {cells / (seconds * ranks):20.3e}")
        share, low, high = np.percentile(shares, [50, 25, 75])
        print(f"leakage adds {100.0 * share:.1f} % to the step without it (quartiles {100.0 * low:.1f}-"
              f"{100.0 * high:.1f} %; target: <= 30 %)")
        print("RESULT " + json.dumps({"ranks": ranks, "cells": cells, "method": args.method,
                                      "tau_every": args.tau_every, "leakage_share": share,
                                      "min_density": args.min_density, "source_cells": dense,
                                      "tau_iterations": depth.iterations,
                                      **{f"{k}_s": v for k, v in results.items()}}))


if __name__ == "__main__":
    main()
