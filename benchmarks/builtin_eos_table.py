"""Time to build the default built-in EOS table (parleak.eos.table_writer)
on one core, its size, and the error of trilinear interpolation in
(log rho, log T, Ye) at the centres of a random sample of table cells
(log10 P and log10 eps against the exact point-wise EOS).

    .venv/bin/python benchmarks/builtin_eos_table.py [--cells 4000]
"""

import argparse
import os
import tempfile
import time

import h5py
import numpy as np

from parleak.eos import builtin, table_writer


def trilinear(table, axes, point):
    """Trilinear interpolation of table (ye, temp, rho) at the cell-centre
    points (n, 3) of the (ye, logtemp, logrho) axes (equally spaced)."""
    index, weight = [], []
    for axis, x in zip(axes, point.T):
        i = np.clip(((x - axis[0]) / (axis[1] - axis[0])).astype(int), 0, len(axis) - 2)
        index.append(i)
        weight.append((x - axis[i]) / (axis[i + 1] - axis[i]))
    result = 0.0
    for corner in np.ndindex(2, 2, 2):
        w = np.prod([wt if c else 1.0 - wt for c, wt in zip(corner, weight)], axis=0)
        result = result + w * table[index[0] + corner[0], index[1] + corner[1], index[2] + corner[2]]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=4000, help="cells sampled for the interpolation error")
    args = parser.parse_args()
    builtin.thermo(1e10, 1.0, 0.3)  # compile (or load the numba cache) outside the timing
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "builtin.h5")
        start = time.perf_counter()
        table_writer.build_table(path, **table_writer.DEFAULT_GRID)
        seconds = time.perf_counter() - start
        size = os.path.getsize(path)
        with h5py.File(path, "r") as f:
            axes = [f["ye"][()], f["logtemp"][()], f["logrho"][()]]
            logpress, logenergy = f["logpress"][()], f["logenergy"][()]
            shift = f["energy_shift"][0]
    grid = table_writer.DEFAULT_GRID
    print(f"default table {grid['nrho']} x {grid['ntemp']} x {grid['nye']} (rho x T x Ye): "
          f"built in {seconds:.1f} s, {size / 1e6:.1f} MB")
    rng = np.random.default_rng(1)
    cells = [rng.integers(0, len(a) - 1, args.cells) for a in axes]
    centre = np.stack([0.5 * (a[c] + a[c + 1]) for a, c in zip(axes, cells)], axis=1)
    exact = builtin.thermo(10.0 ** centre[:, 2], 10.0 ** centre[:, 1], centre[:, 0])
    for name, table, values in (("P", logpress, exact.press), ("eps", logenergy, exact.eps + shift)):
        error = np.abs(10.0 ** (trilinear(table, axes, centre) - np.log10(values)) - 1.0)
        print(f"trilinear {name} at {args.cells} cell centres: median {np.median(error):.1e}, "
              f"99th percentile {np.percentile(error, 99):.1e}, max {error.max():.1e} (relative)")


if __name__ == "__main__":
    main()
