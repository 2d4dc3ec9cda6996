"""Speed of the point-wise leakage evaluation on one core.

    .venv/bin/python benchmarks/leakage.py [--cells 1000000] [--repeats 3]

Times `leakage_sources` (opacities + free rates + effective rates + sources,
one numba pass; with new output arrays and with `out=` reusing them) and
`opacities` alone on random but realistic cells
(rho 1e8..1e15 g/cm^3, T 0.5..50 MeV, Ye 0.05..0.55, degenerate-electron
mu_e, nucleon potentials of either sign, optical depths 0..1e4), for both
Fermi-Dirac methods; and, where the built-in EOS table is available
(`parleak.eos.table_writer.builtin_table_path()`), the same through
`leakage_sources_from_eos` including the table lookup. Prints cells per
second (all numba kernels run on one core).
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cells = random_cells(args.cells)
    eos = builtin_eos()
    rows = []
    for method in ("accurate", "teh"):
        params = LeakageParams(fermi_method=method)
        full = lambda: leakage_sources(**cells, params=params)  # noqa: E731
        only_kappa = lambda: opacities(**cells, params=params)  # noqa: E731
        result = full()  # compile or load the cache
        only_kappa()
        reuse = lambda: leakage_sources(**cells, params=params, out=result)  # noqa: E731
        rows.append((f"leakage_sources   ({method})", best_of(args.repeats, full)))
        rows.append((f"  with out= reused ({method})", best_of(args.repeats, reuse)))
        rows.append((f"opacities         ({method})", best_of(args.repeats, only_kappa)))
        if eos is not None:
            with_eos = lambda: leakage_sources_from_eos(eos, cells["rho"], cells["temp"], cells["ye"],  # noqa: E731
                                                       cells["tau"], params)
            with_eos()
            rows.append((f"EOS lookup + leakage ({method})", best_of(args.repeats, with_eos)))
    if eos is not None:
        lookup = lambda: eos.lookup(cells["rho"], cells["temp"], cells["ye"], *EOS_QUANTITIES)  # noqa: E731
        rows.append(("EOS lookup alone (8 quantities)", best_of(args.repeats, lookup)))
    print(f"leakage on {args.cells} random cells, one core, best of {args.repeats}")
    print(f"{'evaluation':<32} {'ms':>9} {'ns/cell':>8} {'Mcells/s':>9}")
    for name, seconds in rows:
        print(f"{name:<32} {seconds * 1e3:9.1f} {seconds / args.cells * 1e9:8.1f} {args.cells / seconds / 1e6:9.2f}")
    if eos is None:
        print("(no built-in EOS table: the EOS lookup was not timed)")


if __name__ == "__main__":
    main()
