"""Configuration keys and set-up shared by the hydrodynamics problems:
the hydro scheme (hydro.*), the EOS (eos.*), gravity (gravity.*), and the
neutrino optical depths (optical_depth.*, leakage.*)."""

import numpy as np

from parleak import parallel
from parleak.config import ConfigError, Key, at_least, positive
from parleak.eos import SCHEMA as EOS_SCHEMA
from parleak.eos import make_eos
from parleak.gravity import ConstantGravity, MonopoleGravity, PointMassGravity
from parleak.hydro.faces import GHOST_NEEDED, RECONSTRUCTIONS
from parleak.hydro.primitives import primitive_to_conserved
from parleak.hydro.riemann import RIEMANN_SOLVERS
from parleak.hydro.solver import CONSERVED, Hydro
from parleak.neutrino.coupling import make_leakage_sources
from parleak.neutrino.diagnostics import NeutrinoDiagnostics
from parleak.neutrino.optical_depth import METHODS, OpticalDepth
from parleak.neutrino.settings import SCHEMA as LEAKAGE_SCHEMA
from parleak.neutrino.settings import leakage_params


def dim(resolved):
    return len(resolved["grid.cells"])


def box_centre(resolved):
    return [0.5 * (lo + hi) for lo, hi in zip(resolved["grid.lower"], resolved["grid.upper"])]


def smallest_cell(resolved):
    return min((hi - lo) / n for lo, hi, n in zip(resolved["grid.lower"], resolved["grid.upper"],
                                                  resolved["grid.cells"]))


def hydro_schema(gamma=5.0 / 3.0, density_floor=1e-10, pressure_floor=1e-12, gravity="none"):
    """The hydro, EOS and gravity keys, with problem-specific defaults."""
    schema = {
        "hydro.reconstruction": Key(str, default="plm-mc", choices=tuple(RECONSTRUCTIONS),
                                    help="face reconstruction of the primitive variables"),
        "hydro.riemann": Key(str, default="hllc", choices=tuple(RIEMANN_SOLVERS), help="approximate Riemann solver"),
        "hydro.density_floor": Key(float, default=density_floor, valid=positive(),
                                   help="atmosphere density, g/cm^3"),
        "hydro.pressure_floor": Key(float, default=pressure_floor, valid=positive(),
                                    help="smallest pressure, erg/cm^3"),
        "hydro.atmosphere_ye": Key(float, default=0.5, valid=(lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
                                   help="Ye of atmosphere made from an empty cell"),
    }
    schema.update(EOS_SCHEMA)
    schema.update(LEAKAGE_SCHEMA)
    schema.update({
        "optical_depth.method": Key(str, default="none", choices=("none",) + METHODS,
                                    help="neutrino optical depths and neutrinospheres in the dumps (nuclear EOS): "
                                         "rays (six lines of sight) or local (least-resistance paths)"),
        "optical_depth.density_threshold": Key(float, default=1e9, valid=at_least(0.0),
                                               help="g/cm^3 below which a cell is transparent"),
        "optical_depth.tolerance": Key(float, default=1e-10, valid=positive(),
                                       help="largest relative change that ends the (kappa, tau) iteration"),
        "optical_depth.max_iterations": Key(int, default=100, valid=positive(),
                                            help="limit of the (kappa, tau) iteration"),
    })
    schema["eos.gamma"] = Key(float, default=gamma, valid=EOS_SCHEMA["eos.gamma"].valid, help=EOS_SCHEMA["eos.gamma"].help)
    schema.update({
        "gravity.kind": Key(str, default=gravity, choices=("none", "constant", "point_mass", "monopole")),
        "gravity.acceleration": Key(float, default=lambda r: [0.0] * dim(r), length=dim,
                                    help="constant: acceleration per grid axis, cm/s^2"),
        "gravity.mass": Key(float, default=0.0, valid=at_least(0.0), help="point_mass: the mass, g"),
        "gravity.centre": Key(float, default=box_centre, length=dim,
                              help="point_mass and monopole: the centre per grid axis, cm"),
        "gravity.softening": Key(float, default=0.0, valid=at_least(0.0), help="point_mass: softening length, cm"),
        "gravity.bin_width": Key(float, default=lambda r: 0.5 * smallest_cell(r), valid=positive(),
                                 help="monopole: width of the radial bins, cm (default half the smallest cell)"),
        "gravity.mass_factor": Key(float, default=1.0, valid=positive(),
                                   help="monopole: cells' mass multiplier (8 for an octant, 2 for a half domain)"),
    })
    return schema


def nuclear_star_schema(section):
    """hydro_schema of a self-gravitating star on a nuclear EOS: monopole
    gravity about `section`.centre, eos.kind "builtin" or "table"."""
    schema = hydro_schema(density_floor=1e3, pressure_floor=1e20, gravity="monopole")
    del schema["eos.gamma"]
    schema["eos.kind"] = Key(str, default="builtin", choices=("table", "builtin"),
                             help="nuclear EOS: the built-in one or a stellarcollapse.org table (eos.table)")
    schema["gravity.centre"] = Key(float, default=lambda r: r[f"{section}.centre"], length=dim,
                                   help=f"the centre of the monopole, cm (default {section}.centre)")
    return schema


def min_ghost(config):
    return GHOST_NEEDED[RECONSTRUCTIONS[config["hydro.reconstruction"]]]


def _padded(grid, values):
    """Per-axis values of the grid's axes padded to 3 with the cell centre
    of each missing axis."""
    return list(values) + [0.5 * (grid.lower[a] + grid.upper[a]) for a in range(grid.dim, 3)]


def collective_eos(config, comm):
    """make_eos on every rank; a ConfigError on any rank is raised on all
    of them with its message. The built-in table is built (once, cached) on
    rank 0 while the others wait."""
    if config["eos.kind"] == "builtin":
        from parleak.eos.table_writer import builtin_table_path
        parallel.on_root_first(builtin_table_path, comm)
    eos, message = None, None
    try:
        eos = make_eos(config)
    except ConfigError as err:
        message = str(err)
    failed_rank = parallel.first_rank_with(message is not None, comm)
    if failed_rank >= 0:
        raise ConfigError(comm.bcast(message, root=failed_rank))
    return eos


def setup(config, grid):
    """[Hydro, gravity if any, neutrino diagnostics if any] for the config's
    hydro.*, eos.*, gravity.*, optical_depth.* and leakage.* keys."""
    hydro = Hydro(grid, collective_eos(config, grid.comm), config["hydro.reconstruction"], config["hydro.riemann"],
                  config["hydro.density_floor"], config["hydro.pressure_floor"], config["hydro.atmosphere_ye"])
    extra = []
    if config["optical_depth.method"] != "none":
        if not hasattr(hydro.eos, "lookup"):
            raise ConfigError(f"optical_depth.method = {config['optical_depth.method']!r} needs a nuclear EOS "
                              f"(eos.kind = 'table' or 'builtin'), not eos.kind = {config['eos.kind']!r}")
        depth = OpticalDepth(grid, config["optical_depth.method"], config["optical_depth.tolerance"],
                             config["optical_depth.max_iterations"], config["optical_depth.density_threshold"],
                             leakage_params(config))
        if config["leakage.evolve"]:
            extra.append(make_leakage_sources(config, grid, hydro, depth))
        extra.append(NeutrinoDiagnostics(grid, hydro.eos, depth))
    elif config["leakage.evolve"]:
        raise ConfigError("leakage.evolve = true needs optical depths: set optical_depth.method to 'rays' or 'local'")
    kind = config["gravity.kind"]
    if kind == "none":
        return [hydro] + extra
    if kind == "constant":
        gravity = ConstantGravity(grid, list(config["gravity.acceleration"]) + [0.0] * (3 - grid.dim))
    elif kind == "point_mass":
        gravity = PointMassGravity(grid, config["gravity.mass"], _padded(grid, config["gravity.centre"]),
                                   config["gravity.softening"])
    else:
        gravity = MonopoleGravity(grid, _padded(grid, config["gravity.centre"]), config["gravity.bin_width"],
                                  config["gravity.mass_factor"])
    return [hydro, gravity] + extra


def set_primitives(state, hydro, rho, velocity, press, ye=0.5):
    """Fill the conserved fields from primitives (arrays broadcastable to
    the local ghosted shape; velocity: three components), eps from the
    EOS."""
    shape = state.grid.local_shape
    rho = np.broadcast_to(np.asarray(rho, dtype=float), shape)
    press = np.broadcast_to(np.asarray(press, dtype=float), shape)
    ye = np.broadcast_to(np.asarray(ye, dtype=float), shape)
    velocity = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in velocity]
    temp = state["temp"] if "temp" in state.index else np.zeros(shape)
    eps = hydro.eos.eps_from_rho_press(rho, press, ye, temp)
    for name, values in zip(CONSERVED, primitive_to_conserved(rho, velocity, eps, ye)):
        state[name][...] = values
