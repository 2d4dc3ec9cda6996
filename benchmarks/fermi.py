"""Cost of the Fermi-Dirac integrals F_k(eta) on one core: ns per call of
`fermi(k, eta, method)` inside a numba loop over eta uniform in [-20, 50],
for k = 2..5 and both methods (accurate, TEH fits).

    .venv/bin/python benchmarks/fermi.py [--values 1000000] [--repeats 5]
"""

import argparse
import time

import numba
import numpy as np

from parleak.neutrino.fermi import FERMI_METHODS, fermi


@numba.njit(cache=True, error_model="numpy")
def sum_fermi(k, eta, method):
    """Sum of F_k over eta (the sum keeps the calls from being optimised away)."""
    total = 0.0
    for i in range(eta.size):
        total += fermi(k, eta[i], method)
    return total


def best_ns_per_call(k, eta, method, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        sum_fermi(k, eta, method)
        times.append(time.perf_counter() - start)
    return min(times) / eta.size * 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    eta = np.random.default_rng(1).uniform(-20.0, 50.0, args.values)
    sum_fermi(2, eta[:10], 0)  # compile
    print(f"fermi: ns per call, {args.values} values of eta uniform in [-20, 50], best of {args.repeats}")
    print("   k  " + "".join(f"{name:>10}" for name in FERMI_METHODS))
    for k in range(2, 6):
        row = [best_ns_per_call(k, eta, method, args.repeats) for method in range(len(FERMI_METHODS))]
        print(f"   {k}  " + "".join(f"{ns:10.1f}" for ns in row))


if __name__ == "__main__":
    main()
