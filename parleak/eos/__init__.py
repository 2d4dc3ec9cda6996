"""Equations of state behind one interface, used by the hydro kernels.

Every EOS derives from parleak.eos.base.EOS, whose docstring is the whole
interface: has_temperature, is_nuclear, has_nuclei, eps_zero, ranges (None
without a table), counters/counts/out_of_range/reset_counts (the
out-of-range counters; empty without a table), from_rho_eps and
eps_from_rho_press for the hydro, and for a nuclear EOS lookup, require,
state_from, inversion_side and beta_equilibrium_ye. Callers test
`eos.is_nuclear` and `eos.ranges is not None`, never hasattr. In short,
on float64 arrays of one shape (any shape; the hydro passes ghosted
[z, y, x] blocks):

    from_rho_eps(rho, eps, ye, temp, press, gamma_c, gamma_e)
        rho g/cm^3, eps erg/g, ye 1 -> press erg/cm^3 and the two
        adiabatic indices gamma_c = rho c_s^2 / press (sound speed) and
        gamma_e = 1 + press / (rho (eps + eps_zero)) (energy, finite because
        eps + eps_zero > 0, eps_zero erg/g). temp (MeV) is read as the
        starting guess and overwritten where has_temperature, else ignored.
    eps_from_rho_press(rho, press, ye, temp) -> eps (erg/g), a new array
        (initial data and pressure floors; temp as for from_rho_eps)

The hydro reconstructs gamma_c and gamma_e to the cell faces with the other
primitives, so the Riemann solvers never call the EOS (the approach of
Colella & Glaz 1985 for general equations of state). The solvers' face
energy p / (gamma_e - 1) is then rho (eps + eps_zero); the hydro removes
eps_zero times the mass flux from the energy flux, which is exact because the
HLLE and HLLC fluxes are linear in the conserved states.
"""

import functools

from parleak.config import ConfigError, Key
from parleak.eos.base import EOS  # noqa: F401 (the interface)
from parleak.eos.ideal import IdealGas
from parleak.eos.table import EOSTableError, TabulatedEOS, in_process
from parleak.inputs import resolve

def schema(nuclear=False, gamma=5.0 / 3.0):
    """The eos.* keys: with `nuclear`, eos.kind "builtin" (the default) or
    "table"; otherwise also "ideal" (the default) and eos.gamma (default
    `gamma`; None: no eos.gamma key, the problem fixes it)."""
    if nuclear:
        keys = {"eos.kind": Key(str, default="builtin", choices=("table", "builtin"),
                                help="nuclear EOS: the built-in one or a stellarcollapse.org table (eos.table)")}
    else:
        keys = {"eos.kind": Key(str, default="ideal", choices=("ideal", "table", "builtin"),
                                help="equation of state: ideal gas, a stellarcollapse.org table (eos.table), "
                                     "or the built-in nuclear EOS")}
        if gamma is not None:
            keys["eos.gamma"] = Key(float, default=gamma, valid=(lambda g: g > 1.0, "> 1"),
                                    help="ideal gas: adiabatic index")
    keys["eos.table"] = Key(str, default="", help="table: path of a stellarcollapse.org or CompOSE HDF5 table "
                                                  "(LS220, SFHo, ...), relative to the data directory "
                                                  "($PARLEAK_DATA, default data/; else the working directory)")
    keys["eos.shared_memory"] = Key(bool, default=True,
                                    help="table or builtin under MPI: one copy of the table per node, in an MPI-3 "
                                         "shared-memory window that the node's ranks read (false: a copy per rank)")
    return keys


SCHEMA = schema()


def check(values, where):
    """ConfigError, before any collective work, when eos.kind = 'table'
    names no file (a relative eos.table: in the data directory, else the
    working directory; parleak.inputs.resolve)."""
    if values["eos.kind"] != "table":
        return
    path = values["eos.table"]
    if not path:
        raise ConfigError(f"missing key eos.table{where('eos.kind')}: eos.kind = 'table' needs the path of a "
                          "stellarcollapse.org HDF5 table")
    resolve(path, "eos.table")


def make_eos(config, needs=None, comm=None):
    """The EOS that the config's eos.* keys describe. needs: {table
    quantity (a lookup name): what needs it} of the run, checked to be in a
    table EOS with finite values (TabulatedEOS.require). ConfigError naming
    eos.table (or eos.kind = 'builtin') and the file when the table is not
    readable or lacks what the run needs. comm: the run's communicator
    (None: this process alone); with it and eos.shared_memory, the table
    lives in one shared window per node (collective on comm; a bad table
    raises on every rank)."""
    kind = config["eos.kind"]
    if kind == "ideal":
        return IdealGas(config["eos.gamma"])
    if kind == "builtin":
        from parleak.eos.table_writer import builtin_table_path
        path = str(builtin_table_path())
        setting = "eos.kind = 'builtin'"
    else:
        check(config, lambda *names: "")
        path = resolve(config["eos.table"], "eos.table")
        setting = f"eos.table = {config['eos.table']!r}"
    share = in_process
    if comm is not None and config["eos.shared_memory"]:
        # imported here: mpi4py stays out of serial imports of parleak.eos
        from parleak.parallel.shared_memory import node_shared
        share = functools.partial(node_shared, comm)
    try:
        eos = TabulatedEOS(path, share)
        eos.require(needs or {})
    except EOSTableError as err:
        raise ConfigError(f"{setting}: {err}") from None
    return eos
