"""Cost of the Fermi-Dirac integrals F_k(eta) on one core, in numba loops
over eta uniform in [-20, 50], for both methods (accurate, TEH fits):
ns per call of `fermi(k, eta, method)` for k = 2..5, and ns per eta of the
several-order evaluations `fermi_orders` / `fermi_orders_pm` against the
single-order calls they replace (all orders, and the leakage's uses:
F_2..F_5 at eta_nu, F_3..F_5 at +-eta_e).

    .venv/bin/python benchmarks/fermi.py [--values 1000000] [--repeats 5]
"""

import argparse
import time

import numba
import numpy as np

from parleak.microphysics.fermi import FERMI_METHODS, fermi, fermi_orders, fermi_orders_pm


@numba.njit(cache=True, error_model="numpy")
def sum_fermi(k, eta, method):
    """Sum of F_k over eta (the sums keep the calls from being optimised away)."""
    total = 0.0
    for i in range(eta.size):
        total += fermi(k, eta[i], method)
    return total


@numba.njit(cache=True, error_model="numpy")
def singles_0_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        for k in range(6):
            total += fermi(k, eta[i], method)
    return total


@numba.njit(cache=True, error_model="numpy")
def orders_0_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        f = fermi_orders(eta[i], method)
        total += f[0] + f[1] + f[2] + f[3] + f[4] + f[5]
    return total


@numba.njit(cache=True, error_model="numpy")
def singles_pm_0_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        for k in range(6):
            total += fermi(k, eta[i], method) + fermi(k, -eta[i], method)
    return total


@numba.njit(cache=True, error_model="numpy")
def orders_pm_0_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        f, g = fermi_orders_pm(eta[i], method)
        total += f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + g[0] + g[1] + g[2] + g[3] + g[4] + g[5]
    return total


@numba.njit(cache=True, error_model="numpy")
def singles_2_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        e = eta[i]
        total += fermi(2, e, method) + fermi(3, e, method) + fermi(4, e, method) + fermi(5, e, method)
    return total


@numba.njit(cache=True, error_model="numpy")
def orders_2_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        f = fermi_orders(eta[i], method)
        total += f[2] + f[3] + f[4] + f[5]
    return total


@numba.njit(cache=True, error_model="numpy")
def singles_pm_3_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        e = eta[i]
        total += fermi(3, e, method) + fermi(4, e, method) + fermi(5, e, method)
        total += fermi(3, -e, method) + fermi(4, -e, method) + fermi(5, -e, method)
    return total


@numba.njit(cache=True, error_model="numpy")
def orders_pm_3_to_5(eta, method):
    total = 0.0
    for i in range(eta.size):
        f, g = fermi_orders_pm(eta[i], method)
        total += f[3] + f[4] + f[5] + g[3] + g[4] + g[5]
    return total


def best_ns(function, args, size, repeats):
    function(*args)  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return min(times) / size * 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    eta = np.random.default_rng(1).uniform(-20.0, 50.0, args.values)
    methods = range(len(FERMI_METHODS))
    header = "".join(f"{name:>10}" for name in FERMI_METHODS)
    wide_header = "".join(f"{name:>16}" for name in FERMI_METHODS)
    print(f"fermi: {args.values} values of eta uniform in [-20, 50], best of {args.repeats}")
    print(f"ns per call of fermi(k, eta, method)\n   k  {header}")
    for k in range(2, 6):
        row = [best_ns(sum_fermi, (k, eta, method), eta.size, args.repeats) for method in methods]
        print(f"   {k}  " + "".join(f"{ns:10.1f}" for ns in row))
    print(f"ns per eta, single-order calls -> several-order evaluation\n{'':42}{wide_header}")
    cases = (("F_0..F_5: 6 -> fermi_orders", singles_0_to_5, orders_0_to_5),
             ("F_0..F_5 at +-eta: 12 -> fermi_orders_pm", singles_pm_0_to_5, orders_pm_0_to_5),
             ("F_2..F_5: 4 -> fermi_orders", singles_2_to_5, orders_2_to_5),
             ("F_3..F_5 at +-eta: 6 -> fermi_orders_pm", singles_pm_3_to_5, orders_pm_3_to_5))
    for label, singles, combined in cases:
        cells = [f"{best_ns(singles, (eta, m), eta.size, args.repeats):5.1f} ->"
                 f"{best_ns(combined, (eta, m), eta.size, args.repeats):5.1f}" for m in methods]
        print(f"  {label:40}" + "".join(f"{cell:>16}" for cell in cells))


if __name__ == "__main__":
    main()
