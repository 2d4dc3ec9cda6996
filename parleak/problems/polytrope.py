"""Problem `polytrope`: a self-gravitating n = 1 polytrope (P = K rho^2, an
ideal gas with gamma = 2) in hydrostatic equilibrium, with monopole gravity.

The Lane-Emden solution for n = 1 is analytic (Chandrasekhar 1939, ch. IV):
rho(r) = rho_c sin(xi) / xi with xi = pi r / R, R the radius, and
K = 2 G R^2 / pi. Its mass is M = 4 rho_c R^3 / pi. Outside R the grid
holds a hot hydrostatic atmosphere (see `atmosphere`) starting at
polytrope.atmosphere times rho_c. The sound crossing time (the time a sound
wave needs from the centre to the surface) is
    t_sc = integral_0^R dr / c_s = (R / (pi c_c)) integral_0^pi sqrt(xi / sin xi) dxi
with the central sound speed c_c = sqrt(2 K rho_c); `crossing_time`
evaluates it.
"""

import math

import numpy as np

from parleak.config import Key, positive
from parleak.constants import GRAVITATIONAL_CONSTANT
from parleak.grid_keys import box_centre, dim
from parleak.problems import common

SCHEMA = {
    "polytrope.central_density": Key(float, default=1e15, valid=positive(), help="rho_c, g/cm^3"),
    "polytrope.radius": Key(float, default=1e6, valid=positive(), help="stellar radius R, cm"),
    "polytrope.atmosphere": Key(float, default=1e-6, valid=positive(),
                                help="atmosphere density at R as a fraction of rho_c"),
    "polytrope.centre": Key(float, default=box_centre, length=dim, help="centre per axis, cm"),
}
# eos.gamma = 2 and gravity.kind = "monopole" are fixed (setup): no keys for them
SCHEMA.update(common.hydro_schema(gamma=None, density_floor=1e2, pressure_floor=1e20, gravity=None,
                                  centre=lambda r: r["polytrope.centre"],
                                  centre_help="the centre of the monopole, cm (default polytrope.centre)"))

min_ghost = common.min_ghost
check = common.check


def setup(config, grid):
    return common.setup({**config.values, "eos.gamma": 2.0, "gravity.kind": "monopole"}, grid)


def polytropic_constant(radius):
    """K (cgs) of the n = 1 polytrope of radius `radius` (cm)."""
    return 2.0 * GRAVITATIONAL_CONSTANT * radius ** 2 / math.pi


def density(r, central_density, radius):
    """rho(r) (g/cm^3) inside the star (0 outside)."""
    xi = np.pi * np.asarray(r) / radius
    return np.where(xi < np.pi, central_density * np.sinc(xi / np.pi), 0.0)


def crossing_time(central_density, radius, samples=200001):
    """The sound crossing time t_sc, s (midpoint rule after the change of
    variable xi = pi (1 - u^2), which removes the end-point singularity)."""
    u = (np.arange(samples) + 0.5) / samples
    xi = np.pi * (1.0 - u * u)
    integral = np.sum(np.sqrt(xi / np.sin(xi)) * 2.0 * np.pi * u) / samples
    c_centre = math.sqrt(2.0 * polytropic_constant(radius) * central_density)
    return radius / (math.pi * c_centre) * integral


def atmosphere(r, central_density, radius, fraction):
    """(rho, press) of the atmosphere: rho = fraction rho_c (R / r)^3 and
    press = rho G M / (4 r), in hydrostatic equilibrium in the field of the
    star's mass M (dp/dr = -rho G M / r^2); constant inside r = R. It is
    hot (c_s^2 = G M / 2 r), so it neither falls in nor limits the step."""
    r = np.maximum(r, radius)
    rho = fraction * central_density * (radius / r) ** 3
    mass = 4.0 * central_density * radius ** 3 / math.pi
    return rho, rho * GRAVITATIONAL_CONSTANT * mass / (4.0 * r)


def initialize(config, state, physics):
    grid = state.grid
    rho_c, radius = config["polytrope.central_density"], config["polytrope.radius"]
    mesh = grid.local_mesh()
    centre = config["polytrope.centre"]
    r = np.sqrt(sum((mesh[2 - a] - centre[a]) ** 2 for a in range(grid.dim)))
    star = density(r, rho_c, radius)
    rho_atmosphere, press_atmosphere = atmosphere(r, rho_c, radius, config["polytrope.atmosphere"])
    rho = np.maximum(star, rho_atmosphere)
    press = np.maximum(polytropic_constant(radius) * star ** 2, press_atmosphere)
    source = common.settings(config, "polytrope.central_density", "polytrope.radius", "polytrope.atmosphere")
    common.set_primitives(state, physics.eos, rho, [0.0, 0.0, 0.0], press, source=source)
