"""Speed of the point-wise leakage evaluation on one core.

    .venv/bin/python benchmarks/leakage.py [--cells 1000000] [--repeats 5]

On random but realistic cells (rho 1e8..1e15 g/cm^3, T 0.5..50 MeV,
Ye 0.05..0.55, degenerate-electron mu_e, nucleon potentials of either sign,
optical depths 0..1e4), for both Fermi-Dirac methods, times

- `leakage_sources` (opacities + free rates + effective rates + sources,
  one numba pass) writing new output arrays ("fresh": allocation and first
  touch of the ~56 doubles per cell included) and with `out=` reusing them;
- `opacities` alone (new arrays), and `transport_opacities` (kappa_total
  alone, what the optical depths use; its loops vectorise);
- `leakage_source_terms` (what every Runge-Kutta stage evaluates) with
  `out=`;
- where the built-in EOS table is available
  (`parleak.eos.table_writer.builtin_table_path()`): the EOS lookup of the
  8 quantities alone, the whole chain from (rho, T, Ye) through
  `leakage_sources_from_eos` (fresh outputs), and the chain as lookup +
  `leakage_sources(out=)` (the leakage then reuses its outputs). The
  lookup is a separate pass: the chain costs the sum of the two.

Prints ns per cell and million cells per second (all numba kernels run on
one core); each figure is the best of --repeats runs. `--profile pns` uses
the cells of a cube through a proto-neutron-star-like profile instead of
random ones (table lookups then hit neighbouring table cells, as in a run).
"""

import argparse

import numpy as np
from timing import best_of

from parleak.microphysics.leakage import (EOS_QUANTITIES, LeakageParams, leakage_source_terms, leakage_sources,
                                      leakage_sources_from_eos, opacities, transport_opacities)



def random_cells(cells, seed=1):
    """Random cell inputs as keyword arguments of `leakage_sources`."""
    rng = np.random.default_rng(seed)
    rho = 10.0 ** rng.uniform(8.0, 15.0, cells)
    temp = 10.0 ** rng.uniform(np.log10(0.5), np.log10(50.0), cells)
    ye = rng.uniform(0.05, 0.55, cells)
    xn = rng.uniform(0.0, 0.8, cells)
    xp = rng.uniform(0.0, 1.0 - xn)
    xh = 1.0 - xn - xp
    tau = 10.0 ** rng.uniform(-3.0, 4.0, (3, 2, cells))
    tau[:, :, rng.random(cells) < 0.1] = 0.0
    return dict(rho=rho, temp=temp, ye=ye, mu_e=11.1 * np.cbrt(rho * ye / 1e10) + temp,
                mu_n=rng.uniform(-20.0, 60.0, cells), mu_p=rng.uniform(-60.0, 10.0, cells), xn=xn, xp=xp, tau=tau,
                xh=xh, abar=rng.uniform(20.0, 120.0, cells), zbar=rng.uniform(10.0, 40.0, cells))


def pns_cells(cells, eos):
    """The cells of a cube (about `cells` of them, C order) through a hot
    proto-neutron-star-like profile, rho 3e14 g/cm^3 falling to ~1e9 at
    60 km, T 30 -> 5 MeV, Ye 0.15 -> 0.4, tau 1e4 e^(-r / 5 km), with the
    EOS quantities looked up: neighbouring cells are neighbours in the
    table too, as in a simulation."""
    n = round(cells ** (1.0 / 3.0))
    axis = np.linspace(-6e6, 6e6, n)
    z, y, x = np.meshgrid(axis, axis, axis, indexing="ij")
    r = np.sqrt(x * x + y * y + z * z).ravel()
    rho = 3e14 / (1.0 + (r / 8e5) ** 4) + 1e9
    temp = 5.0 + 25.0 * np.exp(-((r / 1.5e6) ** 2))
    ye = 0.15 + 0.25 * np.minimum(r / 6e6, 1.0)
    tau = np.broadcast_to(1e4 * np.exp(-r / 5e5), (3, 2, r.size)).copy()
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
    return dict(rho=rho, temp=temp, ye=ye, mu_e=mu_e, mu_n=mu_n, mu_p=mu_p, xn=xn, xp=xp, tau=tau, xh=xh,
                abar=abar, zbar=zbar)


def builtin_eos():
    """The built-in tabulated EOS, or None where it is not available."""
    try:
        from parleak.eos.table import TabulatedEOS
        from parleak.eos.table_writer import builtin_table_path
    except ImportError:
        return None
    return TabulatedEOS(builtin_table_path())


def timings(cells, eos, method, repeats):
    """(name, seconds) rows for one Fermi method (see the module docstring)."""
    params = LeakageParams(fermi_method=method)
    rho, temp, ye, tau = cells["rho"], cells["temp"], cells["ye"], cells["tau"]
    result = leakage_sources(**cells, params=params)  # compiles or loads the cache
    actions = {
        "leakage_sources, fresh outputs": lambda: leakage_sources(**cells, params=params),
        "leakage_sources, out= reused": lambda: leakage_sources(**cells, params=params, out=result),
        "opacities only": lambda: opacities(**cells, params=params),
        "transport_opacities": lambda: transport_opacities(**cells, params=params),
    }
    terms = leakage_source_terms(**cells, params=params)
    actions["leakage_source_terms, out= reused"] = lambda: leakage_source_terms(**cells, params=params, out=terms)
    if eos is not None:
        def lookup_then_leakage():
            mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
            leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar,
                            params=params, out=result)
        actions["EOS + leakage: _from_eos, fresh"] = lambda: leakage_sources_from_eos(eos, rho, temp, ye, tau, params)
        actions["EOS + leakage: lookup, out="] = lookup_then_leakage
    rows = []
    for name, action in actions.items():
        action()
        rows.append((f"{name} ({method})", best_of(repeats, action)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", choices=("random", "pns"), default="random",
                        help="random cells, or a PNS-like profile on a cube (needs the built-in EOS table)")
    args = parser.parse_args()
    eos = builtin_eos()
    if args.profile == "pns" and eos is None:
        parser.error("--profile pns needs the built-in EOS table")
    cells = random_cells(args.cells) if args.profile == "random" else pns_cells(args.cells, eos)
    args.cells = cells["rho"].size
    rows = []
    if eos is not None:
        lookup = lambda: eos.lookup(cells["rho"], cells["temp"], cells["ye"], *EOS_QUANTITIES)  # noqa: E731
        lookup()
        rows.append(("EOS lookup alone (8 quantities)", best_of(args.repeats, lookup)))
    for method in ("accurate", "teh"):
        rows += timings(cells, eos, method, args.repeats)
    print(f"leakage on {args.cells} cells ({args.profile}), one core, best of {args.repeats}")
    print(f"{'evaluation':<44} {'ms':>9} {'ns/cell':>8} {'Mcells/s':>9}")
    for name, seconds in rows:
        print(f"{name:<44} {seconds * 1e3:9.1f} {seconds / args.cells * 1e9:8.1f} {args.cells / seconds / 1e6:9.2f}")
    if eos is None:
        print("(no built-in EOS table: the EOS lookup was not timed)")


if __name__ == "__main__":
    main()
