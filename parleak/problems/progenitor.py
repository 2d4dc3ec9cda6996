"""Problem `progenitor`: a pre-supernova star from a profile file (KEPLER,
GR1D .short or MESA; parleak.progenitor) on a nuclear EOS, with monopole
self-gravity and, where optical_depth.* and leakage.* ask for them, the
neutrino leakage.

progenitor.file names the profile relative to the data directory
(parleak.inputs: $PARLEAK_DATA, default data/ at the repository root;
`parleak data fetch` puts the manifest's files there); a missing file stops
the run at start-up with the command that fetches it. The profile is mapped
onto the cells (uniform or stretched) by parleak.progenitor_map: each cell
holds the profile's mass in its volume, with the mass-weighted T, Ye and
radial velocity; eps and the pressure follow from the EOS at (rho, T, Ye).
The star's centre, progenitor.centre, defaults to the origin (the
corner of an octant whose reflecting faces pass through it, or the middle
of a full domain from -L to L).

The whole domain must lie inside the profile (its farthest corner within
the last zone's radius), and the mapped density, temperature and Ye inside
the EOS table: anything else is a config error naming the key and the
value, on every rank, before the first step.

The domain's outer faces: the drivers use "outflow" (zero-gradient) faces
far enough out that the signal they send inwards does not reach the region
of interest during the run (README, "Progenitors"): the envelope beyond
the domain keeps falling in through them at the velocity of the outermost
cells.
"""

import functools
import math

import numpy as np

from parleak import parallel
from parleak.config import ConfigError, Key
from parleak.inputs import resolve
from parleak.progenitor import FORMATS, ProgenitorError, read_profile
from parleak.progenitor_map import DEFAULT_POINTS, map_profile
from parleak.problems import common
from parleak.whole_star import config_symmetry

min_ghost = common.min_ghost

SCHEMA = {
    "progenitor.file": Key(str, help="the profile, relative to the data directory ($PARLEAK_DATA, default data/)"),
    "progenitor.format": Key(str, default="auto", choices=FORMATS,
                             help="kepler, short (GR1D), mesa, or auto: detected from the file"),
    "progenitor.centre": Key(float, default=[0.0, 0.0, 0.0], length=3,
                             help="the star's centre per axis, cm (an octant's reflecting faces pass through it)"),
    "progenitor.quadrature_points": Key(int, default=DEFAULT_POINTS, valid=(lambda n: 1 <= n <= 8, "1 to 8"),
                                        help="Gauss-Legendre nodes per axis and cell of the mass-conserving mapping"),
}
SCHEMA.update(common.nuclear_star_schema("progenitor"))


@functools.lru_cache(maxsize=4)
def _profile(path, kind):
    return read_profile(path, kind)


def profile(values):
    """The Profile of the config's progenitor.file and progenitor.format;
    ConfigError naming the key when the file is missing or malformed."""
    path = resolve(values["progenitor.file"], "progenitor.file")
    try:
        return _profile(path, values["progenitor.format"])
    except ProgenitorError as err:
        raise ConfigError(f"progenitor.file = {values['progenitor.file']!r}: {err}") from None


def _farthest_corner(values):
    """The largest distance (cm) of a domain corner from the centre."""
    centre = values["progenitor.centre"]
    return math.sqrt(sum(max(abs(lo - c), abs(hi - c)) ** 2
                         for lo, hi, c in zip(values["grid.lower"], values["grid.upper"], centre)))


def check(values, where):
    common.check(values, where)
    if len(values["grid.cells"]) != 3:
        raise ConfigError(f"grid.cells = {values['grid.cells']}{where('grid.cells')}: the progenitor problem is 3-D")
    check_mass_factor(values, where)
    star = profile(values)
    corner = _farthest_corner(values)
    if corner > star.radius[-1]:
        raise ConfigError(f"grid.lower = {values['grid.lower']}, grid.upper = {values['grid.upper']}"
                          f"{where('grid.lower', 'grid.upper')}: the domain reaches {corner:.4g} cm from "
                          f"progenitor.centre, beyond the last zone of {star.path!r} at {star.radius[-1]:.4g} cm")


def check_mass_factor(values, where):
    """ConfigError unless the monopole's gravity.mass_factor is the
    domain's symmetry factor (8 on an octant: the mirror images' mass pulls
    too; parleak.whole_star)."""
    factor, mirrors = config_symmetry(values)
    if values["gravity.kind"] == "monopole" and values["gravity.mass_factor"] != factor:
        shape = f"reflecting faces {', '.join(mirrors)} through the centre" if mirrors else "no mirror planes"
        raise ConfigError(f"gravity.mass_factor = {values['gravity.mass_factor']}{where('gravity.mass_factor')}: "
                          f"the domain has {shape}, so the monopole needs gravity.mass_factor = {float(factor)}")


def setup(config, grid):
    return common.setup(config, grid)


def _first_outside(eos, grid, temp):
    """The message for the first interior cell whose temperature lies
    outside the table, or None."""
    lo, hi = eos.ranges["temp"]
    outside = (temp < lo) | (temp > hi)
    if not np.any(outside):
        return None
    cell = tuple(np.argwhere(outside)[0])
    return common.outside_table(eos, "temp", temp[cell], "progenitor.file", "the mapped temperature",
                                common.cell_position(grid, cell))


def initialize(config, state, physics):
    """Map the profile onto every cell of the local block (ghosts
    included; progenitor_map), then set the conserved fields."""
    grid, eos = state.grid, physics.eos
    star = profile(config)
    faces = []
    for a in range(3):
        centres, half = grid.centres(a), 0.5 * grid.widths(a)
        faces.append((centres - half, centres + half))
    rho, temp, ye, velocity = map_profile(star.radius, star.density, star.temperature, star.ye, star.velocity,
                                          faces, config["progenitor.centre"], config["progenitor.quadrature_points"])
    source = common.settings(config, "progenitor.file", "progenitor.format")
    parallel.raise_if_any(_first_outside(eos, grid, temp[grid.interior]), ConfigError, grid.comm)
    state["temp"][...] = temp
    press = eos.lookup(rho, temp, ye, "press")[0]
    common.set_primitives(state, eos, rho, velocity, press, ye, source)
