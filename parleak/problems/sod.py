"""Problem `sod`: a shock tube (a Riemann problem) along one grid axis.

The left state fills the cells whose centre lies below sod.position along
sod.axis, the right state the others; each state is (rho g/cm^3, u cm/s
along the axis, p erg/cm^3). The defaults are Sod's problem as Toro's test 1
(Toro 2009, table 4.1): (1, 0, 1) | (0.125, 0, 0.1), gamma 1.4, x0 = 0.5,
to t = 0.2 on [0, 1].
"""

from parleak.config import ConfigError, Key
from parleak.problems import common

SCHEMA = {
    "sod.axis": Key(str, default="x", choices=("x", "y", "z"), help="the axis along which the tube lies"),
    "sod.left": Key(float, default=[1.0, 0.0, 1.0], length=3, help="left state: rho g/cm^3, u cm/s, p erg/cm^3"),
    "sod.right": Key(float, default=[0.125, 0.0, 0.1], length=3, help="right state: rho, u, p"),
    "sod.position": Key(float, default=0.5, help="initial discontinuity along sod.axis, cm"),
}
SCHEMA.update(common.hydro_schema(gamma=1.4))

min_ghost = common.min_ghost
setup = common.setup


def check(values, where):
    common.check(values, where)
    dim = len(values["grid.cells"])
    if "xyz".index(values["sod.axis"]) >= dim:
        raise ConfigError(f"sod.axis = {values['sod.axis']!r}{where('sod.axis', 'grid.cells')}: the grid is {dim}-D; "
                          f"use one of {', '.join(repr(a) for a in 'xyz'[:dim])}")
    for key in ("sod.left", "sod.right"):
        for index, name in ((0, "density"), (2, "pressure")):
            if not values[key][index] > 0.0:
                raise ConfigError(f"{key} = {values[key]!r}{where(key)}: the {name} ({key}[{index}]) must be > 0")


def initialize(config, state, physics):
    axis = "xyz".index(config["sod.axis"])
    grid = state.grid
    mesh = grid.local_mesh()
    left = mesh[2 - axis] < config["sod.position"]
    rho_l, u_l, p_l = config["sod.left"]
    rho_r, u_r, p_r = config["sod.right"]
    velocity = [0.0, 0.0, 0.0]
    velocity[axis] = (left * u_l + ~left * u_r)
    common.set_primitives(state, physics.eos, left * rho_l + ~left * rho_r, velocity, left * p_l + ~left * p_r,
                          source=common.settings(config, "sod.left", "sod.right"))
