"""Problem `collapse`: an iron-core-like gamma = 4/3 polytrope (n = 3,
Ye = 0.5) on a nuclear EOS with monopole self-gravity, collapsing through
the Liebendoerfer (2005) Ye(rho) deleptonisation, bouncing near nuclear
density and then cooled by leakage (parleak.neutrino.collapse).

Model: P = K rho^(4/3), rho = rho_c theta(xi)^3 with the Lane-Emden
function theta of index 3 (theta'' + 2 theta' / xi = -theta^3, theta(0) =
1, theta'(0) = 0; first zero xi_1 = 6.8968) and r = alpha xi, alpha^2 =
K / (pi G rho_c^(2/3)). K = P_EOS(rho_c, T_c, 0.5) / rho_c^(4/3) with
T_c = collapse.central_temperature: the EOS's pressure at the centre. The
mass 4 pi alpha^3 rho_c 2.01824 then depends on K only (K^(3/2)). The
temperature of each cell follows from (rho, K rho^(4/3), Ye = 0.5) through
the EOS; where K rho^(4/3) lies below the table's pressure at its lowest
temperature (cold, degenerate matter: with the defaults on the built-in
EOS between 8.3e8 and 8.1e11 g/cm^3, by at most 1.1 %), the cell takes
that lowest temperature and its pressure. Outside the first zero of
theta: collapse.atmosphere_density, at rest, with P = K rho^(4/3). The
cells then start at Ye_bar(rho) of the
parameterisation, reached from Ye = 0.5 at constant entropy (the captures
that brought the core there are not followed: applied in one step, the
parameterisation's entropy change -Delta Ye (munu - E_esc) / T would
deposit (munu - E_esc) ~ 25 MeV per capture at 1e12 g/cm^3, where the
built-in EOS, without nuclei, has munu ~ 35 MeV at Ye = 0.5, and blow
the core apart). The star is thus out of equilibrium from the start:
its pressure is that of the lower Ye.

The model must lie in the EOS table: collapse.central_density,
collapse.atmosphere_density, collapse.central_temperature and Ye = 0.5
in its ranges, and no cell may need a temperature above the table's
(for K rho^(4/3) at Ye = 0.5, or the entropy at Ye_bar); anything else is
a config error naming the keys and the table's range.

Defaults (built-in EOS): rho_c = 1e12 g/cm^3, T_c = 0.1 MeV (entropy 0.56
k_B per baryon), K = 4.96e14 cgs, M = 1.47 M_sun, R = 335 km; the domain
(an octant of 200 km with reflecting planes through the centre) holds the
inner 1.41 M_sun, and its outflow faces let the outer layers fall in. At
t = 0 the parameterisation lowers Ye (to 0.34 at the centre), the electron
pressure drops and the core collapses; the free-fall time at rho_c is
2.1 ms. The parameterisation's entropy change heats the core to about 2
k_B per baryon by 2e12 g/cm^3 (its 1/T is large in the built-in EOS,
whose free nucleons are colder than nuclei at the same entropy); the
mean-field attraction keeps the adiabatic Gamma below 4/3 up to about
5e13 g/cm^3 and its repulsion stops the core above nuclear density. On
2 km cells (50^3 cells, an octant of 100 km) the core bounces at 5.7 ms
with a maximum density of 2.3e14 g/cm^3; on 4 km cells, which average the
inner core over larger cells, the largest cell density is 1.4e14.
"""

import functools
import math

import numpy as np
from scipy.integrate import solve_ivp

from parleak import parallel
from parleak.config import ConfigError, Key, positive
from parleak.constants import GRAVITATIONAL_CONSTANT
from parleak.grid_keys import box_centre, dim
from parleak.microphysics.ye_param import G15, N13, deleptonise
from parleak.neutrino.collapse import CollapsePhase
from parleak.problems import common

YE_FITS = {"G15": G15, "N13": N13}
INITIAL_YE = 0.5

min_ghost = common.min_ghost

SCHEMA = {
    "collapse.central_density": Key(float, default=1e12, valid=positive(), help="rho_c, g/cm^3"),
    "collapse.central_temperature": Key(float, default=0.1, valid=positive(),
                                        help="T_c, MeV: sets K = P_EOS(rho_c, T_c, Ye = 0.5) / rho_c^(4/3)"),
    "collapse.atmosphere_density": Key(float, default=1e6, valid=positive(),
                                       help="density outside the polytrope's surface, g/cm^3"),
    "collapse.centre": Key(float, default=box_centre, length=dim, help="centre per axis, cm"),
    "collapse.ye_fit": Key(str, default="G15", choices=tuple(YE_FITS),
                           help="Liebendoerfer (2005) Ye(rho) fit used before bounce"),
    "collapse.bounce_density": Key(float, default=2e14, valid=positive(),
                                   help="bounce: the maximum density has passed this and starts to fall, g/cm^3"),
    "collapse.trap_density": Key(float, default=2e12, valid=positive(),
                                 help="rho_trap: no entropy change from the parameterisation above it, g/cm^3"),
    "collapse.escape_energy": Key(float, default=10.0, valid=positive(),
                                  help="E_esc of the parameterisation's entropy change, MeV"),
}
SCHEMA.update(common.nuclear_star_schema("collapse"))


def check(values, where):
    common.check(values, where)
    if len(values["grid.cells"]) != 3:
        raise ConfigError(f"grid.cells = {values['grid.cells']}{where('grid.cells')}: the collapse problem is 3-D")


def setup(config, grid):
    """The common physics, then the CollapsePhase (after the leakage)."""
    physics = common.setup(config, grid, dict.fromkeys(("entropy", "munu"), "the collapse deleptonisation"))
    physics.collapse_phase = CollapsePhase(grid, physics.eos, physics.leakage, YE_FITS[config["collapse.ye_fit"]],
                                           config["collapse.bounce_density"], config["collapse.trap_density"],
                                           config["collapse.escape_energy"])
    return physics


def lane_emden_3():
    """(theta, xi_1): theta(xi) of index 3 (a callable, dense output of a
    DOP853 integration to 1e-12 from the series theta = 1 - xi^2/6 +
    n xi^4/120 = 1 - xi^2/6 + xi^4/40 at xi = 1e-3) and its first zero
    xi_1."""
    def rhs(xi, y):
        return [y[1], -max(y[0], 0.0) ** 3 - 2.0 * y[1] / xi]

    def zero(xi, y):
        return y[0]
    zero.terminal = True
    x0 = 1e-3
    start = [1.0 - x0 ** 2 / 6.0 + x0 ** 4 / 40.0, -x0 / 3.0 + x0 ** 3 / 10.0]
    solution = solve_ivp(rhs, (x0, 10.0), start, method="DOP853", rtol=1e-12, atol=1e-14, events=zero,
                         dense_output=True)
    xi_1 = float(solution.t_events[0][0])

    def theta(xi):
        xi = np.asarray(xi, dtype=float)
        inside = np.clip(xi, x0, xi_1)
        values = solution.sol(inside.reshape(-1))[0].reshape(xi.shape)
        values = np.where(xi < x0, 1.0 - xi ** 2 / 6.0 + xi ** 4 / 40.0, values)
        return np.where(xi >= xi_1, 0.0, values)
    return theta, xi_1


def polytropic_constant(eos, central_density, central_temperature):
    """K (cgs) = P_EOS(rho_c, T_c, Ye = 0.5) / rho_c^(4/3)."""
    press = eos.lookup(central_density, central_temperature, INITIAL_YE, "press")[0]
    return float(press) / central_density ** (4.0 / 3.0)


def scale_length(k, central_density):
    """alpha = sqrt(K / (pi G rho_c^(2/3))) (cm), r = alpha xi."""
    return math.sqrt(k / (math.pi * GRAVITATIONAL_CONSTANT * central_density ** (2.0 / 3.0)))


def check_in_table(config, eos):
    """ConfigError naming the collapse.* key unless rho_c, the atmosphere
    density, T_c and Ye = 0.5 lie in the table of `eos`."""
    for axis, key, what in (("rho", "central_density", "the central density"),
                            ("rho", "atmosphere_density", "the atmosphere density"),
                            ("temp", "central_temperature", "the central temperature")):
        common.check_in_table(eos, axis, config[f"collapse.{key}"], common.settings(config, f"collapse.{key}"), what)
    common.check_in_table(eos, "ye", INITIAL_YE, "problem.name = 'collapse'", "the initial Ye")


def initialize(config, state, physics):
    """The model of the module docstring; ConfigError on every rank where
    it leaves the table (check_in_table, then per cell: a temperature above
    the table's; the Ye, density and pressure in set_primitives)."""
    grid, eos = state.grid, physics.eos
    check_in_table(config, eos)
    rho_c = config["collapse.central_density"]
    k = polytropic_constant(eos, rho_c, config["collapse.central_temperature"])
    theta, _ = lane_emden_3()
    mesh = grid.local_mesh()
    centre = config["collapse.centre"]
    r = np.broadcast_to(np.sqrt(sum((mesh[2 - a] - centre[a]) ** 2 for a in range(3))), grid.local_shape)
    rho = np.maximum(rho_c * theta(r / scale_length(k, rho_c)) ** 3, config["collapse.atmosphere_density"])
    polytrope_press = k * rho ** (4.0 / 3.0)
    temp = eos.temp_from_rho_press(rho, polytrope_press, INITIAL_YE, temp_guess=1.0)
    entropy = eos.lookup(rho, temp, INITIAL_YE, "entropy")[0]
    ye = deleptonise(rho, INITIAL_YE, YE_FITS[config["collapse.ye_fit"]])
    source = common.settings(config, "collapse.central_density", "collapse.central_temperature",
                             "collapse.atmosphere_density", "collapse.ye_fit")
    cells = grid.interior
    position = functools.partial(common.cell_position, grid)
    message = (common.inversion_outside(eos, "press", rho[cells], polytrope_press[cells], INITIAL_YE, (1,), source,
                                        "the polytrope's pressure K rho^(4/3)", position)
               or common.inversion_outside(eos, "entropy", rho[cells], entropy[cells], ye[cells], (1,), source,
                                           "the entropy at the deleptonised Ye", position))
    parallel.raise_if_any(message, ConfigError, grid.comm)
    state["temp"][...] = eos.temp_from_rho_entropy(rho, entropy, ye, temp_guess=temp)
    press = eos.lookup(rho, state["temp"], ye, "press")[0]
    common.set_primitives(state, physics.eos, rho, [0.0, 0.0, 0.0], press, ye, source)
