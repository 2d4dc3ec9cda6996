"""A run with an extra physics object that has restart state (the protocol
of parleak.io.checkpoint):

    restart_with_physics.py CONFIG OUTPUT [--max-steps N] [--restart CHECKPOINT]

Tally's scalars join scalars.csv, so a restart that lost or garbled its
state changes the rows after the checkpoint."""

import argparse

import numpy as np

from parleak import parallel
from parleak.physics import Physics
from parleak.run_config import load_config
from parleak.simulation import Simulation


class Tally(Physics):
    """Counts steps and accumulates dt x (dens, etot) per owned cell; its
    restart state has every kind of scalar (int, float, str, 1-D array) and
    a per-cell field of two components."""

    restart_state = True

    def __init__(self):
        self.state = None
        self.sums = None
        self.steps = 0
        self.elapsed = 0.0  # s
        self.last_dts = np.zeros(3)  # s, newest first

    def bind(self, state):
        self.state = state
        self.sums = np.zeros((2,) + state.interior("dens").shape)

    def end_step(self, dt, weights):
        self.sums[0] += dt * self.state.interior("dens")
        self.sums[1] += dt * self.state.interior("etot")
        self.steps += 1
        self.elapsed += dt
        self.last_dts = np.concatenate(([dt], self.last_dts[:-1]))

    def scalars(self, state):
        grid = state.grid
        return {"tally_steps": self.steps, "tally_elapsed": self.elapsed, "tally_oldest_dt": float(self.last_dts[-1]),
                "tally_dens_dt": grid.sum(self.sums[0]), "tally_etot_dt": grid.sum(self.sums[1])}

    def checkpoint_scalars(self):
        return {"steps": self.steps, "elapsed": self.elapsed, "label": "tally v1", "last_dts": self.last_dts}

    def checkpoint_fields(self):
        return {"sums": self.sums}

    def restore_checkpoint(self, scalars, fields):
        kinds = {name: type(value).__name__ for name, value in scalars.items()}
        expected = {"steps": "int", "elapsed": "float", "label": "str", "last_dts": "ndarray"}
        if kinds != expected or scalars["label"] != "tally v1" or fields["sums"].shape != self.sums.shape:
            raise RuntimeError(f"Tally restored from {kinds}, label {scalars.get('label')!r}, sums "
                               f"{fields['sums'].shape}; expected {expected}, 'tally v1', {self.sums.shape}")
        self.steps, self.elapsed, self.last_dts = scalars["steps"], scalars["elapsed"], scalars["last_dts"]
        self.sums[...] = fields["sums"]


def main():
    parallel.install_abort_hook()
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("output")
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--restart")
    args = parser.parse_args()
    overrides = [] if args.max_steps is None else [("time.max_steps", args.max_steps)]
    config = load_config(args.config, overrides, parallel.WORLD.Get_size())
    tally = Tally()
    simulation = Simulation(config, extra_physics=[tally])
    tally.bind(simulation.state)
    if args.restart:
        simulation.restore(args.restart)
    else:
        simulation.initialize()
    simulation.run(args.output)


main()
