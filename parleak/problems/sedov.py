"""Problem `sedov`: the Sedov-Taylor point blast.

Energy sedov.energy (erg) is put as thermal energy, uniformly, into the
cells whose centre lies within sedov.radius of sedov.centre, in a uniform
medium of density sedov.density and pressure sedov.pressure (small enough
that the blast is strong). The shock then runs out as R(t) = xi_0 (E t^2 /
rho)^(1/5) (Sedov 1959; xi_0 = 1.0328 for gamma = 1.4 in 3-D).
"""

import numpy as np

from parleak.config import ConfigError, Key, positive
from parleak.grid_keys import box_centre, dim, smallest_cell
from parleak.problems import common

SCHEMA = {
    "sedov.energy": Key(float, default=1.0, valid=positive(), help="blast energy, erg"),
    "sedov.density": Key(float, default=1.0, valid=positive(), help="ambient density, g/cm^3"),
    "sedov.pressure": Key(float, default=1e-5, valid=positive(), help="ambient pressure, erg/cm^3"),
    "sedov.radius": Key(float, default=lambda r: 3.5 * smallest_cell(r), valid=positive(),
                        help="radius of the initial hot region, cm (default 3.5 cells)"),
    "sedov.centre": Key(float, default=box_centre, length=dim, help="blast centre per axis, cm"),
}
SCHEMA.update(common.hydro_schema(gamma=1.4, density_floor=1e-10, pressure_floor=1e-12))

min_ghost = common.min_ghost
setup = common.setup
check = common.check


def initialize(config, state, physics):
    grid = state.grid
    mesh = grid.local_mesh()
    centre = config["sedov.centre"]
    r2 = sum((mesh[2 - a] - centre[a]) ** 2 for a in range(grid.dim))
    hot = np.broadcast_to(r2 < config["sedov.radius"] ** 2, grid.local_shape)
    hot_cells = grid.sum(hot[grid.interior].astype(float))
    if hot_cells == 0:
        raise ConfigError(f"sedov.radius = {config['sedov.radius']!r} cm holds no cell centre; make it larger "
                          f"than the distance from sedov.centre to the nearest one")
    volume = grid.integral(hot[grid.interior].astype(float))  # the hot cells' volume, cm^3
    gamma = config["eos.gamma"]
    press = np.where(hot, (gamma - 1.0) * config["sedov.energy"] / volume, config["sedov.pressure"])
    source = common.settings(config, "sedov.energy", "sedov.density", "sedov.pressure", "sedov.radius")
    common.set_primitives(state, physics.eos, config["sedov.density"], [0.0, 0.0, 0.0], press, source=source)
