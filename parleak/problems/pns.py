"""Problem `pns`: a hot proto-neutron star (about 1.4 solar masses, about
1 s after bounce) in Newtonian hydrostatic equilibrium with a nuclear EOS
(eos.kind = "builtin" or "table") and monopole self-gravity, in a hot
hydrostatic atmosphere.

Model (x = rho / rho_c, rho_c = pns.central_density):

    T(rho)  = T_c x^a                      T_c = pns.central_temperature (MeV),
                                           a = pns.temperature_exponent

and, with pns.ye_profile = "beta" (the default), Ye(rho) of neutrinoless
beta equilibrium at (rho, T(rho)): the EOS's munu = mu_e + mu_p - mu_n = 0,
a star that has lost its trapped lepton excess. Leakage then starts from
equilibrium (no electron-capture burst) and the luminosities are the
star's thermal cooling. With pns.ye_profile = "power", a lepton-rich core
out of beta equilibrium (it starts with a nu_e burst):

    Ye(rho) = Ye_s + (Ye_c - Ye_s) x^b     Ye_c = pns.central_ye, Ye_s =
                                           pns.surface_ye, b = pns.ye_exponent

The defaults (rho_c = 4.5e14 g/cm^3, T_c = 25 MeV, a = 0.3, beta
equilibrium) on the built-in EOS give, at rho = 4.5e14 / 1e14 / 1e13 /
1e12 / 1e11 / 1e9 g/cm^3: T = 25.0 / 15.9 / 8.0 / 4.0 / 2.0 / 0.50 MeV,
Ye = 0.097 / 0.067 / 0.050 / 0.048 / 0.055 / 0.125 and entropy 1.7 / 2.3
/ 3.4 / 4.7 / 6.0 / 8.8 k_B per baryon; 1e14, 1e13, 1e12 and 1e11 g/cm^3
lie at r = 13.3, 16.4, 19.2 and 21.3 km.

The star is barotropic, P(rho) = P_EOS(rho, T(rho), Ye(rho)), and obeys

    dP/dr = -G m rho / r^2,    dm/dr = 4 pi r^2 rho

integrated outward from the centre (series start P = P_c - 2 pi G rho_c^2
r^2 / 3, m = 4 pi rho_c r^3 / 3) by the 8th-order Dormand-Prince method
(relative tolerance 1e-10, steps of at most 100 m) with rho(P) linear in
(log P, log rho) between BAROTROPE_SAMPLES EOS lookups, up to the surface R
where rho falls to pns.surface_density. With the built-in EOS the defaults
give M = 1.398 M_sun, R = 23.1 km and a sound crossing time integral_0^R
dr / c_s = 0.54 ms. The mass is set by the nuclear repulsion in the core
and the thermal pressure of the mantle: at rho_c = 4.5e14 g/cm^3 with
a = 0.3, T_c = 15 / 25 / 35 MeV give 1.10 / 1.40 / 1.85 M_sun; with
T_c = 10 MeV and a = 0.2, 1.00 M_sun (beta equilibrium) or 1.07 M_sun
(the lepton-rich "power" Ye profile: Ye 0.3 -> 0.1, b = 0.5).

Outside R the grid holds an atmosphere in hydrostatic equilibrium in the
field of the star's mass M: rho = rho_a (R / r)^3, P = rho G M / (4 r),
with rho_a = 4 R P_s / (G M) so that the pressure is continuous at R (P_s
the star's surface pressure; rho_a = 2.9e7 g/cm^3 and T = 1.4 MeV for the
defaults), Ye = Ye(surface) and T from the EOS: hot (c_s^2 of order
G M / r), so it does not limit the step. The cells get the profile at
their centres; the temperature follows from (rho, P, Ye) through the EOS
(an exact inversion of the table's interpolant, so T = T(rho) in the
star).

The model must lie in the EOS table: pns.central_density and
pns.surface_density in its density range, T(rho) at both in its
temperature range, the "power" Ye at both in its Ye range, beta
equilibrium inside its Ye range, and every cell of the atmosphere in the
table (common.set_primitives); anything else is a config error naming the
keys and the table's range.
"""

import dataclasses
import math

import numpy as np
from scipy.integrate import solve_ivp

from parleak.config import ConfigError, Key, positive
from parleak.constants import GRAVITATIONAL_CONSTANT
from parleak.grid_keys import box_centre, dim
from parleak.problems import common

BAROTROPE_SAMPLES = 50000  # EOS lookups of P(rho) between the surface and the centre
START_RADIUS = 100.0  # cm, where the outward integration starts from the series
TOLERANCE = 1e-10  # relative tolerance of the integration
MAX_STEP = 1e4  # cm: the largest step, so that the dense output follows rho(P) (linear between samples)

min_ghost = common.min_ghost


def setup(config, grid):
    """The common physics; a table EOS must have munu for the "beta" Ye."""
    beta = config["pns.ye_profile"] == "beta"
    user = "the beta-equilibrium Ye of pns.ye_profile = 'beta' (the 'power' profile does not)"
    return common.setup(config, grid, {"munu": user} if beta else {})


def check(values, where):
    common.check(values, where)
    if len(values["grid.cells"]) != 3:
        raise ConfigError(f"grid.cells = {values['grid.cells']}{where('grid.cells')}: the pns problem is 3-D")
    if values["pns.surface_density"] >= values["pns.central_density"]:
        raise ConfigError(f"pns.surface_density = {values['pns.surface_density']}"
                          f"{where('pns.surface_density', 'pns.central_density')} must be below "
                          f"pns.central_density = {values['pns.central_density']}")


@dataclasses.dataclass(frozen=True)
class Model:
    """The documented profiles: central_density, surface_density g/cm^3;
    central_temperature MeV; temperature_exponent, central_ye, surface_ye,
    ye_exponent 1."""

    central_density: float = 4.5e14
    central_temperature: float = 25.0
    temperature_exponent: float = 0.3
    ye_profile: str = "beta"
    central_ye: float = 0.3
    surface_ye: float = 0.1
    ye_exponent: float = 0.5
    surface_density: float = 1e9

    @classmethod
    def from_config(cls, config):
        return cls(**{f.name: config[f"pns.{f.name}"] for f in dataclasses.fields(cls)})

    def temperature(self, rho):
        """T (MeV) at rho (g/cm^3): T_c (rho / rho_c)^a."""
        return self.central_temperature * (np.asarray(rho) / self.central_density) ** self.temperature_exponent

    def ye(self, eos, rho):
        """Ye at rho (g/cm^3): beta equilibrium of `eos` at (rho, T(rho)),
        or Ye_s + (Ye_c - Ye_s) (rho / rho_c)^b (module docstring)."""
        if self.ye_profile == "beta":
            try:
                return eos.beta_equilibrium_ye(rho, self.temperature(rho))
            except ValueError as err:  # munu of one sign over the table's Ye axis
                raise ConfigError(f"pns.ye_profile = 'beta': {err}; choose pns.central_density, "
                                  "pns.central_temperature and pns.temperature_exponent where the table has one, "
                                  "or pns.ye_profile = 'power'") from None
        x = np.asarray(rho) / self.central_density
        return self.surface_ye + (self.central_ye - self.surface_ye) * x ** self.ye_exponent

    def pressure(self, eos, rho):
        """P (erg/cm^3) of the barotrope at rho (g/cm^3): the EOS at (rho,
        T(rho), Ye(rho))."""
        return eos.lookup(rho, self.temperature(rho), self.ye(eos, rho), "press")[0]

    def check_in_table(self, eos):
        """ConfigError naming the pns.* keys unless the profiles lie in the
        table of `eos` from the surface to the centre: rho_s and rho_c, T at
        both (T(rho) is monotonic) and the power-law Ye at both (beta
        equilibrium is checked where ye solves it)."""
        def keys(*names):
            return ", ".join(f"pns.{name} = {getattr(self, name)!r}" for name in names)
        common.check_in_table(eos, "rho", self.central_density, keys("central_density"), "the central density")
        common.check_in_table(eos, "rho", self.surface_density, keys("surface_density"), "the surface density")
        common.check_in_table(eos, "temp", self.central_temperature, keys("central_temperature"),
                              "the central temperature")
        common.check_in_table(eos, "temp", float(self.temperature(self.surface_density)),
                              keys("central_temperature", "temperature_exponent", "surface_density"),
                              "the surface temperature")
        if self.ye_profile == "power":
            common.check_in_table(eos, "ye", self.central_ye, keys("central_ye"), "the central Ye")
            common.check_in_table(eos, "ye", self.surface_ye, keys("surface_ye"), "the surface Ye")


_fraction = (lambda v: 0.0 < v < 1.0, "in (0, 1)")

SCHEMA = {
    "pns.central_density": Key(float, default=Model.central_density, valid=positive(), help="rho_c, g/cm^3"),
    "pns.central_temperature": Key(float, default=Model.central_temperature, valid=positive(), help="T_c, MeV"),
    "pns.temperature_exponent": Key(float, default=Model.temperature_exponent, valid=positive(), help="a of T = T_c (rho/rho_c)^a"),
    "pns.ye_profile": Key(str, default=Model.ye_profile, choices=("beta", "power"),
                          help="Ye(rho): neutrinoless beta equilibrium at T(rho), or the power law of pns.*_ye"),
    "pns.central_ye": Key(float, default=Model.central_ye, valid=_fraction, help="Ye_c, Ye at the centre"),
    "pns.surface_ye": Key(float, default=Model.surface_ye, valid=_fraction, help="Ye_s, Ye as rho -> 0"),
    "pns.ye_exponent": Key(float, default=Model.ye_exponent, valid=positive(),
                           help="b of Ye = Ye_s + (Ye_c - Ye_s) (rho/rho_c)^b"),
    "pns.surface_density": Key(float, default=Model.surface_density, valid=positive(),
                               help="density at the stellar surface R, where the atmosphere begins, g/cm^3"),
    "pns.centre": Key(float, default=box_centre, length=dim, help="centre per axis, cm"),
}
SCHEMA.update(common.nuclear_star_schema(
    "pns", atmosphere_ye=lambda r: r["pns.surface_ye"],
    atmosphere_ye_help="Ye of atmosphere made from an empty cell (default pns.surface_ye)"))


class Star:
    """The hydrostatic star of `model` with `eos` (a nuclear EOS with
    lookup). Attributes: radius R (cm), mass M (g), surface_pressure P_s
    (erg/cm^3), atmosphere_density rho_a (g/cm^3, at R)."""

    def __init__(self, eos, model):
        model.check_in_table(eos)
        self.eos, self.model = eos, model
        rho_c, rho_s = model.central_density, model.surface_density
        # the barotrope from just below the surface density to rho_c
        self._log_rho = np.linspace(math.log(rho_s) - 0.01, math.log(rho_c), BAROTROPE_SAMPLES)
        self._log_press = np.log(model.pressure(eos, np.exp(self._log_rho)))
        if not np.all(np.diff(self._log_press) > 0.0):
            raise ConfigError("pns: the pressure P(rho, T(rho), Ye(rho)) of the pns.* profiles does not rise "
                              "with density between pns.surface_density and pns.central_density")
        self.central_pressure = float(np.exp(self._log_press[-1]))
        self.surface_pressure = float(model.pressure(eos, rho_s))
        self._solution, self.radius, self.mass = self._integrate()
        self.atmosphere_density = 4.0 * self.radius * self.surface_pressure / (GRAVITATIONAL_CONSTANT * self.mass)

    def density_at_pressure(self, press):
        """rho (g/cm^3) of the barotrope at press (erg/cm^3)."""
        return np.exp(np.interp(np.log(press), self._log_press, self._log_rho))

    def _integrate(self):
        rho_c, g = self.model.central_density, GRAVITATIONAL_CONSTANT
        p_floor = float(np.exp(self._log_press[0]))

        def rhs(r, y):
            press, mass = y
            rho = math.exp(np.interp(math.log(max(press, p_floor)), self._log_press, self._log_rho))
            return [-g * mass * rho / (r * r), 4.0 * math.pi * r * r * rho]

        def surface(r, y):
            return y[0] - self.surface_pressure
        surface.terminal = True

        r0 = START_RADIUS
        start = [self.central_pressure - 2.0 * math.pi / 3.0 * g * rho_c ** 2 * r0 ** 2,
                 4.0 * math.pi / 3.0 * rho_c * r0 ** 3]
        solution = solve_ivp(rhs, (r0, 1e9), start, method="DOP853", rtol=TOLERANCE, atol=[0.0, 0.0], max_step=MAX_STEP,
                             events=surface, dense_output=True)
        if solution.status != 1:
            raise ConfigError("pns: the star does not reach pns.surface_density within 1e9 cm")
        return solution.sol, float(solution.t_events[0][0]), float(solution.y_events[0][0][1])

    def interior(self, r):
        """(P erg/cm^3, m g, rho g/cm^3) of the star at radii r (cm,
        START_RADIUS <= r <= R)."""
        press, mass = self._solution(np.asarray(r, dtype=float))
        return press, mass, self.density_at_pressure(press)

    def profile(self, r):
        """(rho g/cm^3, P erg/cm^3, Ye) at radii r (cm, any shape >= 0):
        the star inside R, the atmosphere outside; the series expansion
        below START_RADIUS."""
        r = np.asarray(r, dtype=float)
        inside = np.clip(r, START_RADIUS, self.radius)
        press, _, rho = self.interior(inside.reshape(-1))
        press, rho = press.reshape(r.shape), rho.reshape(r.shape)
        core = r < START_RADIUS
        rho_c = self.model.central_density
        press = np.where(core, self.central_pressure - 2.0 * math.pi / 3.0 * GRAVITATIONAL_CONSTANT * rho_c ** 2 * r ** 2,
                         press)
        rho = np.where(core, self.density_at_pressure(press), rho)
        outside = r > self.radius
        outer = np.maximum(r, self.radius)
        rho_atmosphere = self.atmosphere_density * (self.radius / outer) ** 3
        rho = np.where(outside, rho_atmosphere, rho)
        press = np.where(outside, rho_atmosphere * GRAVITATIONAL_CONSTANT * self.mass / (4.0 * outer), press)
        ye = self.model.ye(self.eos, np.where(outside, self.model.surface_density, rho))
        return rho, press, ye

    def crossing_time(self, samples=20000):
        """Sound crossing time of the star, integral_0^R dr / c_s (s), by
        the midpoint rule with c_s from the EOS's cs2."""
        r = (np.arange(samples) + 0.5) * self.radius / samples
        rho, _, ye = self.profile(r)
        cs2 = self.eos.lookup(rho, self.model.temperature(rho), ye, "cs2")[0]
        return float(np.sum(1.0 / np.sqrt(cs2)) * self.radius / samples)


def initialize(config, state, physics):
    grid = state.grid
    star = Star(physics.eos, Model.from_config(config))
    mesh = grid.local_mesh()
    centre = config["pns.centre"]
    r = np.sqrt(sum((mesh[2 - a] - centre[a]) ** 2 for a in range(3)))
    rho, press, ye = star.profile(np.broadcast_to(r, grid.local_shape))
    state["temp"][...] = star.model.temperature(rho)  # the guess of the EOS inversion
    source = (f"{common.settings(config, 'pns.surface_density', 'grid.lower', 'grid.upper')} (the star of radius "
              f"{star.radius / 1e5:.4g} km, its atmosphere out to the box's corners)")
    common.set_primitives(state, physics.eos, rho, [0.0, 0.0, 0.0], press, ye, source)
