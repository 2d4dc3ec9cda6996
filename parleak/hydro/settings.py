"""The hydro.* configuration keys and the ghost width the scheme needs."""

from parleak.config import Key, positive
from parleak.hydro.faces import GHOST_NEEDED, RECONSTRUCTIONS
from parleak.hydro.riemann import RIEMANN_SOLVERS


def schema(density_floor, pressure_floor, atmosphere_ye=0.5, atmosphere_ye_help="Ye of atmosphere made from an "
           "empty cell"):
    """The hydro.* keys with a problem's defaults: density_floor g/cm^3,
    pressure_floor erg/cm^3, atmosphere_ye (a number or a function of the
    resolved keys) and its help text."""
    return {
        "hydro.reconstruction": Key(str, default="plm-mc", choices=tuple(RECONSTRUCTIONS),
                                    help="face reconstruction of the primitive variables"),
        "hydro.riemann": Key(str, default="hllc", choices=tuple(RIEMANN_SOLVERS), help="approximate Riemann solver"),
        "hydro.density_floor": Key(float, default=density_floor, valid=positive(),
                                   help="atmosphere density, g/cm^3"),
        "hydro.pressure_floor": Key(float, default=pressure_floor, valid=positive(),
                                    help="smallest pressure, erg/cm^3"),
        "hydro.atmosphere_ye": Key(float, default=atmosphere_ye, valid=(lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
                                   help=atmosphere_ye_help),
    }


def min_ghost(config):
    """The ghost width that hydro.reconstruction needs."""
    return GHOST_NEEDED[RECONSTRUCTIONS[config["hydro.reconstruction"]]]
