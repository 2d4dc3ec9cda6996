"""Speed of the point-wise leakage evaluation on one core.

    .venv/bin/python benchmarks/leakage.py [--cells 1000000] [--repeats 5]

On random but realistic cells (rho 1e8..1e15 g/cm^3, T 0.5..50 MeV,
Ye 0.05..0.55, degenerate-electron mu_e, nucleon potentials of either sign,
optical depths 0..1e4), for both Fermi-Dirac methods, times

- `leakage_sources` (opacities + free rates + effective rates + sources,
  one numba pass) writing new output arrays ("fresh": allocation and first
  touch of the ~56 doubles per cell included) and with `out=` reusing them;
- `opacities` alone (new arrays);
- where the built-in EOS table is available
  (`parleak.eos.table_writer.builtin_table_path()`): the EOS lookup of the
  8 quantities alone, the whole chain from (rho, T, Ye) through
  `leakage_sources_from_eos` (fresh outputs), and the chain as lookup +
  `leakage_sources(out=)` (the leakage then reuses its outputs). The
  lookup is a separate pass: the chain costs the sum of the two.

Prints ns per cell and million cells per second (all numba kernels run on
one core); each figure is the best of --repeats runs.
"""

import argparse
import time

import numpy as np

from parleak.neutrino.leakage import EOS_QUANTITIES, LeakageParams, leakage_sources, leakage_sources_from_eos, opacities


def best_of(repeats, action):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


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
    }
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
    args = parser.parse_args()
    cells = random_cells(args.cells)
    eos = builtin_eos()
    rows = []
    if eos is not None:
        lookup = lambda: eos.lookup(cells["rho"], cells["temp"], cells["ye"], *EOS_QUANTITIES)  # noqa: E731
        lookup()
        rows.append(("EOS lookup alone (8 quantities)", best_of(args.repeats, lookup)))
    for method in ("accurate", "teh"):
        rows += timings(cells, eos, method, args.repeats)
    print(f"leakage on {args.cells} random cells, one core, best of {args.repeats}")
    print(f"{'evaluation':<44} {'ms':>9} {'ns/cell':>8} {'Mcells/s':>9}")
    for name, seconds in rows:
        print(f"{name:<44} {seconds * 1e3:9.1f} {seconds / args.cells * 1e9:8.1f} {args.cells / seconds / 1e6:9.2f}")
    if eos is None:
        print("(no built-in EOS table: the EOS lookup was not timed)")


if __name__ == "__main__":
    main()
