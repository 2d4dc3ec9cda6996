"""Problem `advection`: a scalar profile carried with a constant velocity
across a (usually periodic) box; after one crossing time it must return
to where it started.

Profiles (q is dimensionless, positions relative to grid.lower, box
lengths L per axis):
  sine:     q = 1 + 0.5 sin(2 pi sum_a n_a x_a / L_a), integer wave numbers
            n_a, set and compared as exact cell averages
  gaussian: q = 1 + exp(-r^2 / w^2) about the box centre, w = width * L_x
            (periodic images included), sampled at cell centres
  square:   q = 2 inside |x_a - centre_a| < width * L_a / 2, else 1
"""

import math

import numpy as np

from parleak.advection import GHOST_NEEDED, ScalarAdvection
from parleak.config import Key, positive
from parleak.physics import PhysicsSet
from parleak.reconstruct import LIMITERS


def _dim(resolved):
    return len(resolved["grid.cells"])


SCHEMA = {
    "advection.velocity": Key(float, default=lambda r: [1.0] + [0.0] * (_dim(r) - 1), length=_dim,
                              help="advection velocity per grid axis, cm/s"),
    "advection.limiter": Key(str, default="vanleer", choices=tuple(LIMITERS), help="PLM slope limiter"),
    "advection.profile": Key(str, default="sine", choices=("sine", "gaussian", "square")),
    "advection.wavenumbers": Key(int, default=lambda r: [1] * _dim(r), length=_dim,
                                 help="sine profile: integer wave number per axis"),
    "advection.width": Key(float, default=0.1, valid=positive(),
                           help="gaussian 1/e width or square side, as a fraction of the box"),
}

def min_ghost(config):
    return GHOST_NEEDED


def check(values, where):
    """Every combination of the advection keys can run."""


def setup(config, grid):
    return PhysicsSet(advection=ScalarAdvection(grid, config["advection.velocity"], config["advection.limiter"]))


def initialize(config, state, physics):
    state["q"][...] = solution(config, state.grid, 0.0)


def solution(config, grid, time):
    """The exact q at `time` (s) on the local ghosted cells of `grid`."""
    profile = config["advection.profile"]
    velocity = list(config["advection.velocity"]) + [0.0] * (3 - grid.dim)
    mesh = grid.local_mesh()  # (z, y, x)
    length = [u - l for l, u in zip(grid.lower, grid.upper)]
    # Position of each cell's origin at t = 0, in units of the box length, in [0, 1).
    phase = [np.mod((mesh[2 - a] - grid.lower[a] - velocity[a] * time) / length[a], 1.0) for a in range(grid.dim)]
    if profile == "sine":
        # Cell average of sin(2 pi sum n phase): the point value times the
        # product of sinc factors sin(pi h) / (pi h), h = n_a w_a / L_a (w_a
        # the cell's width, per cell on a non-uniform grid).
        waves = config["advection.wavenumbers"]
        if grid.uniform:
            damping = np.prod([np.sinc(waves[a] * grid.dx[a] / length[a]) for a in range(grid.dim)])
        else:
            damping = math.prod([np.sinc(waves[a] * grid.widths(a) / length[a]).reshape((-1,) + (1,) * a)
                                 for a in range(grid.dim)])
        return 1.0 + 0.5 * damping * np.sin(2.0 * np.pi * sum(n * p for n, p in zip(waves, phase)))
    width = config["advection.width"]
    offset = [np.abs(p - 0.5) for p in phase]  # distance from the centre, periodic
    if profile == "gaussian":
        r2 = sum((o * length[a]) ** 2 for a, o in enumerate(offset))
        return 1.0 + np.exp(-r2 / (width * length[0]) ** 2)
    inside = np.all(np.broadcast_arrays(*[o < 0.5 * width for o in offset]), axis=0)
    return np.where(inside, 2.0, 1.0)
