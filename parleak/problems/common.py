"""Configuration keys and set-up shared by the hydrodynamics problems:
the hydro scheme (hydro.*), the EOS (eos.*), gravity (gravity.*), and the
neutrino optical depths (optical_depth.*, leakage.*); the checks of initial
data against the EOS.

Initial data that a table EOS does not cover is a config error, raised on
every rank before any step: the quantities a run looks up in the table are
checked when the EOS is made (eos_needs: the hydro's, the neutrino
opacities' and the problem's own), a problem's initial model against the
table's ranges (check_in_table, alike on every rank), and every interior
cell in set_primitives (collective).
"""

import numpy as np

from parleak import eos as eos_config
from parleak import parallel
from parleak.config import ConfigError
from parleak.eos import make_eos
from parleak.eos import schema as eos_schema
from parleak.eos.table import UNITS
from parleak.gravity import ConstantGravity, MonopoleGravity, PointMassGravity
from parleak.gravity import schema as gravity_schema
from parleak.grid_keys import box_centre
from parleak.hydro import settings as hydro_settings
from parleak.hydro.layout import CONSERVED
from parleak.hydro.primitives import primitive_to_conserved
from parleak.hydro.solver import Hydro
from parleak.microphysics.leakage import EOS_QUANTITIES as LEAKAGE_QUANTITIES
from parleak.neutrino import settings as neutrino_settings
from parleak.neutrino.coupling import make_leakage_sources
from parleak.neutrino.diagnostics import NeutrinoDiagnostics
from parleak.neutrino.optical_depth import OpticalDepth
from parleak.neutrino.settings import leakage_params
from parleak.physics import PhysicsSet
from parleak.whole_star import config_symmetry

# What the hydro looks up in a table EOS (from_rho_eps, eps_from_rho_press).
HYDRO_QUANTITIES = ("eps", "press", "cs2")
# The table's axes: (name in messages, unit).
TABLE_AXES = {"rho": ("density", "g/cm^3"), "temp": ("temperature", "MeV"), "ye": ("Ye", "")}


def hydro_schema(gamma=5.0 / 3.0, density_floor=1e-10, pressure_floor=1e-12, gravity="none", nuclear=False,
                 centre=box_centre, centre_help="point_mass and monopole: the centre per grid axis, cm",
                 atmosphere_ye=0.5, atmosphere_ye_help="Ye of atmosphere made from an empty cell"):
    """The keys of the physics a hydro problem sets up, each section from
    the module that owns it, with the problem's defaults: hydro.*
    (parleak.hydro.settings), eos.* (parleak.eos; nuclear: table or
    built-in; gamma None: the problem fixes eos.gamma), leakage.* and
    optical_depth.* (parleak.neutrino.settings), gravity.*
    (parleak.gravity; gravity None: the problem fixes gravity.kind)."""
    schema = hydro_settings.schema(density_floor, pressure_floor, atmosphere_ye, atmosphere_ye_help)
    schema.update(eos_schema(nuclear, gamma))
    schema.update(neutrino_settings.SCHEMA)
    schema.update(neutrino_settings.OPTICAL_DEPTH_SCHEMA)
    schema.update(gravity_schema(gravity, centre, centre_help))
    return schema


def nuclear_star_schema(section, **defaults):
    """hydro_schema of a self-gravitating star on a nuclear EOS: monopole
    gravity about `section`.centre, eos.kind "builtin" or "table";
    defaults: more hydro_schema arguments."""
    return hydro_schema(density_floor=1e3, pressure_floor=1e20, gravity="monopole", nuclear=True,
                        centre=lambda r: r[f"{section}.centre"],
                        centre_help=f"the centre of the monopole, cm (default {section}.centre)", **defaults)


min_ghost = hydro_settings.min_ghost


def _padded(grid, values):
    """Per-axis values of the grid's axes padded to 3 with the cell centre
    of each missing axis."""
    return list(values) + [0.5 * (grid.lower[a] + grid.upper[a]) for a in range(grid.dim, 3)]


def collective_eos(config, comm, needs=None):
    """make_eos(config, needs, comm) on every rank (with eos.shared_memory,
    one copy of the table per node); a ConfigError on any rank is raised
    on all of them with its message. The built-in table is built (once,
    cached) on rank 0 while the others wait."""
    if config["eos.kind"] == "builtin":
        from parleak.eos.table_writer import builtin_table_path
        parallel.on_root_first(builtin_table_path, comm)
    eos, message = None, None
    try:
        eos = make_eos(config, needs, comm)
    except ConfigError as err:
        message = str(err)
    parallel.raise_if_any(message, ConfigError, comm)
    return eos


def eos_needs(config, problem_needs=None):
    """{table quantity: what needs it} of a run: the hydro's, the neutrino
    opacities' (optical_depth.method other than "none"), and the problem's
    own (its initial model and extra physics)."""
    needs = dict.fromkeys(HYDRO_QUANTITIES, "the hydro")
    method = config["optical_depth.method"]
    if method != "none":
        user = f"the neutrino opacities (optical_depth.method = {method!r})"
        needs.update(dict.fromkeys(LEAKAGE_QUANTITIES, user))
    needs.update(problem_needs or {})
    return needs


def check(values, where):
    """ConfigError for combinations of the EOS, optical-depth and leakage
    keys that cannot run (before any grid or collective work); where(*names)
    says where the values of the keys `names` came from."""
    eos_config.check(values, where)
    neutrino_settings.check(values, where)


def make_gravity(config, grid):
    """The gravity of the config's gravity.* keys, or None."""
    kind = config["gravity.kind"]
    if kind == "constant":
        return ConstantGravity(grid, list(config["gravity.acceleration"]) + [0.0] * (3 - grid.dim))
    if kind == "point_mass":
        return PointMassGravity(grid, config["gravity.mass"], _padded(grid, config["gravity.centre"]),
                                config["gravity.softening"])
    if kind == "monopole":
        return MonopoleGravity(grid, _padded(grid, config["gravity.centre"]), config["gravity.bin_width"],
                               config["gravity.mass_factor"])
    return None


def setup(config, grid, problem_needs=None):
    """The PhysicsSet of the config's hydro.*, eos.*, gravity.*,
    optical_depth.* and leakage.* keys: the EOS, the hydro, gravity (if
    any), and with optical depths the neutrino diagnostics and (with
    leakage.evolve) the leakage sources. problem_needs: {table quantity:
    what needs it} that the problem looks up itself (eos_needs)."""
    eos = collective_eos(config, grid.comm, eos_needs(config, problem_needs))
    hydro = Hydro(grid, eos, config["hydro.reconstruction"], config["hydro.riemann"],
                  config["hydro.density_floor"], config["hydro.pressure_floor"], config["hydro.atmosphere_ye"])
    roles = {"hydro": hydro, "gravity": make_gravity(config, grid)}
    if config["optical_depth.method"] != "none":
        depth = OpticalDepth(grid, config["optical_depth.method"], config["optical_depth.tolerance"],
                             config["optical_depth.max_iterations"], config["optical_depth.density_threshold"],
                             leakage_params(config), config_symmetry(config)[0])
        leakage = make_leakage_sources(config, grid, eos, depth) if config["leakage.evolve"] else None
        roles.update(leakage=leakage, neutrino_diagnostics=NeutrinoDiagnostics(grid, eos, depth, leakage))
    return PhysicsSet(eos, **roles)


def settings(config, *names):
    """The text "name = value, ..." of config keys, for messages."""
    return ", ".join(f"{name} = {config[name]!r}" for name in names)


def outside_table(eos, axis, value, setting, what, where=""):
    """None if `value` (axis "rho" g/cm^3, "temp" MeV or "ye") lies in the
    range of the table EOS `eos`, else the message "SETTING: WHAT VALUE
    WHERE lies outside the EOS table PATH, which covers ..."; setting: the
    keys (with their values) that set it."""
    lo, hi = eos.ranges[axis]
    if lo <= value <= hi:
        return None
    name, unit = TABLE_AXES[axis]
    unit = f" {unit}" if unit else ""
    return (f"{setting}: {what} {value:.4g}{unit}{where} lies outside the EOS table {eos.path!r}, which covers "
            f"{name} {lo:.4g} to {hi:.4g}{unit}")


def check_in_table(eos, axis, value, setting, what):
    """ConfigError with the message of outside_table, if any (for initial
    models: call it alike on every rank)."""
    message = outside_table(eos, axis, value, setting, what)
    if message:
        raise ConfigError(message)


def inversion_outside(eos, quantity, rho, value, ye, sides, setting, what, positions=None):
    """None, or the message for the first point where `value` of
    `quantity` (a lookup name of the table EOS `eos`) at (rho g/cm^3, ye)
    needs a temperature outside the table on one of `sides` (-1: below
    its lowest, +1: above its highest; TabulatedEOS.inversion_side),
    naming the values the table holds there. rho, value, ye: broadcast
    together, rho and ye inside the table. positions: a function of the
    point's index giving " at x = ... cm" for the message."""
    rho, value, ye = (np.array(a, dtype=float) for a in np.broadcast_arrays(rho, value, ye))
    side = eos.inversion_side(quantity, rho, value, ye)
    bad = np.isin(side, sides)
    if not np.any(bad):
        return None
    point = tuple(np.argwhere(bad)[0])
    column = eos.lookup(rho[point], 10.0 ** eos.logtemp, ye[point], quantity)[0]
    unit = UNITS.get(quantity, "")
    lo, hi = eos.ranges["temp"]
    where = positions(point) if positions else ""
    return (f"{setting}: {what} {value[point]:.4g} {unit} at rho = {rho[point]:.4g} g/cm^3, Ye = {ye[point]:.4g}"
            f"{where} needs a temperature {'below' if side[point] < 0 else 'above'} the EOS table {eos.path!r}, "
            f"which holds {column.min():.4g} to {column.max():.4g} {unit} there (T = {lo:.4g} to {hi:.4g} MeV)")


def cell_position(grid, cell):
    """The text " at x = ..., y = ... cm" for `cell` ((k, j, i) in the
    local interior block): its centre."""
    index = [s.start + c for s, c in zip(grid.interior, cell)]  # z, y, x in the ghosted block
    return " at " + ", ".join(f"{'xyz'[a]} = {grid.centres(a)[index[2 - a]]:.4g}" for a in range(grid.dim)) + " cm"


def _invalid_cell(grid, eos, rho, press, ye, source):
    """The message for the first interior cell (arrays of the interior
    block) whose density or pressure is not finite and > 0 or, with a table
    EOS, whose density, Ye or pressure lies outside the table; None if none."""
    for name, unit, values in (("density", "g/cm^3", rho), ("pressure", "erg/cm^3", press)):
        bad = ~((values > 0.0) & (values < np.inf))
        if np.any(bad):
            cell = tuple(np.argwhere(bad)[0])
            return (f"{source}: the initial {name} {values[cell]:.4g} {unit}{cell_position(grid, cell)} must be finite "
                    "and > 0")
    if not eos.is_nuclear:
        return None
    for axis, values in (("rho", rho), ("ye", ye)):
        lo, hi = eos.ranges[axis]
        outside = (values < lo) | (values > hi)
        if np.any(outside):
            cell = tuple(np.argwhere(outside)[0])
            return outside_table(eos, axis, values[cell], source, f"the initial {TABLE_AXES[axis][0]}",
                                 cell_position(grid, cell))
    return inversion_outside(eos, "press", rho, press, ye, (-1, 1), source, "the initial pressure",
                             lambda cell: cell_position(grid, cell))


def set_primitives(state, eos, rho, velocity, press, ye=0.5, source="the initial data"):
    """Fill the conserved fields from primitives (arrays broadcastable to
    the local ghosted shape; velocity: three components), eps from `eos`.
    Collective: a ConfigError on every rank, naming `source` (the keys
    that set the data, with their values), where an interior cell of any
    rank has a density or pressure that is not finite and > 0 or, with a
    table EOS, a density, Ye or pressure outside the table (a pressure
    below or above it at every temperature of the table)."""
    grid = state.grid
    shape = grid.local_shape
    rho, press, ye = (np.broadcast_to(np.asarray(a, dtype=float), shape) for a in (rho, press, ye))
    velocity = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in velocity]
    interior = [a[grid.interior] for a in (rho, press, ye)]
    parallel.raise_if_any(_invalid_cell(grid, eos, *interior, source), ConfigError, grid.comm)
    temp = state["temp"] if "temp" in state.index else np.zeros(shape)
    eps = eos.eps_from_rho_press(rho, press, ye, temp)
    for name, values in zip(CONSERVED, primitive_to_conserved(rho, velocity, eps, ye)):
        state[name][...] = values
