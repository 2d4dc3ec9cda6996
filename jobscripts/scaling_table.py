"""Helpers of jobscripts/scaling.sh.

    python jobscripts/scaling_table.py weak-cells CONFIG N [--set key=value ...]
        prints grid.cells for the weak-scaling run on N ranks (TOML list)
    python jobscripts/scaling_table.py table SCALING_DIR RANKS...
        writes SCALING_DIR/scaling.csv and scaling.txt from the runs in
        SCALING_DIR/<series>/n<ranks>/ and their logs <series>/n<ranks>.log
        (series strong and weak, each where its directory exists)

Table columns:
    series                      strong (same grid on every rank count) or weak (same cells per rank)
    ranks                       MPI ranks
    cells                       grid, e.g. 64x64x32
    cells_per_rank              total cells / ranks
    steps                       time steps taken
    wall_s                      wall time of the time loop with its last dump (the "done:" log line)
    zone_cycles_per_s           cells * steps / wall_s
    zone_cycles_per_s_per_rank  zone_cycles_per_s / ranks
    efficiency                  zone_cycles_per_s_per_rank / that of the series' fewest ranks
                                (strong: speed-up / ideal speed-up; weak: time(fewest) / time)
"""

import csv
import math
import re
import sys
from pathlib import Path

import h5py

from parleak.config import ConfigError, parse_override
from parleak.io.dump import existing_dumps
from parleak.run_config import load_config

COLUMNS = ("series", "ranks", "cells", "cells_per_rank", "steps", "wall_s", "zone_cycles_per_s",
           "zone_cycles_per_s_per_rank", "efficiency")
DONE_LINE = re.compile(r"^done: (\d+) steps to t = \S+ s in ([0-9.eE+-]+) s wall", re.MULTILINE)


def prime_factors(n):
    """Prime factors of n, largest first."""
    factors, p = [], 2
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    if n > 1:
        factors.append(n)
    return sorted(factors, reverse=True)


def weak_cells(cells, ranks):
    """`cells` grown `ranks`-fold: each prime factor of ranks (largest
    first) multiplies the axis with the fewest cells (the lowest such
    axis on ties), keeping the cells per rank as in `cells`."""
    cells = list(cells)
    for factor in prime_factors(ranks):
        axis = cells.index(min(cells))
        cells[axis] *= factor
    return cells


def run_row(series, run_dir, log_path):
    """One table row (without efficiency) from a finished run."""
    match = DONE_LINE.search(log_path.read_text())
    if match is None:
        raise SystemExit(f"scaling_table: {log_path} has no 'done:' line: the run did not finish")
    steps, wall_s = int(match.group(1)), float(match.group(2))
    dumps = [path for path in existing_dumps(str(run_dir)) if path.endswith(".h5")]
    if not dumps:
        raise SystemExit(f"scaling_table: no dumps in {run_dir}")
    with h5py.File(dumps[-1], "r") as dump:
        cells = [int(n) for n in dump.attrs["cells"][: int(dump.attrs["dim"])]]
        ranks = int(dump.attrs["n_ranks"])
    zone_cycles_per_s = math.prod(cells) * steps / wall_s
    return {"series": series, "ranks": ranks, "cells": "x".join(map(str, cells)),
            "cells_per_rank": math.prod(cells) // ranks, "steps": steps, "wall_s": wall_s,
            "zone_cycles_per_s": zone_cycles_per_s, "zone_cycles_per_s_per_rank": zone_cycles_per_s / ranks}


def series_rows(scaling_dir, series, rank_counts):
    """The rows of one series, by rank count, with their efficiency."""
    if not (scaling_dir / series).is_dir():
        return []
    rows = [run_row(series, scaling_dir / series / f"n{n}", scaling_dir / series / f"n{n}.log")
            for n in sorted(rank_counts)]
    for row in rows:
        row["efficiency"] = row["zone_cycles_per_s_per_rank"] / rows[0]["zone_cycles_per_s_per_rank"]
    return rows


def formatted(row):
    return {"wall_s": f"{row['wall_s']:.3f}", "zone_cycles_per_s": f"{row['zone_cycles_per_s']:.4e}",
            "zone_cycles_per_s_per_rank": f"{row['zone_cycles_per_s_per_rank']:.4e}",
            "efficiency": f"{row['efficiency']:.3f}"}


def write_table(scaling_dir, rank_counts):
    """Write scaling.csv and scaling.txt; return the text table."""
    rows = [{**row, **formatted(row)} for series in ("strong", "weak")
            for row in series_rows(scaling_dir, series, rank_counts)]
    if not rows:
        raise SystemExit(f"scaling_table: no runs under {scaling_dir}/strong or {scaling_dir}/weak")
    with open(scaling_dir / "scaling.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    widths = [max(len(name), *(len(str(row[name])) for row in rows)) for name in COLUMNS]
    lines = ["  ".join(f"{name:>{w}}" for name, w in zip(COLUMNS, widths))]
    lines += ["  ".join(f"{str(row[name]):>{w}}" for name, w in zip(COLUMNS, widths)) for row in rows]
    text = "\n".join(lines) + "\n"
    (scaling_dir / "scaling.txt").write_text(text)
    return text


def main(argv):
    if len(argv) >= 3 and argv[0] == "weak-cells":
        sets = argv[3:]
        try:
            overrides = [parse_override(value) for flag, value in zip(sets, sets[1:]) if flag == "--set"]
            cells = load_config(argv[1], overrides)["grid.cells"]
        except ConfigError as err:
            raise SystemExit(f"scaling_table: config error: {err}")
        print("[" + ",".join(map(str, weak_cells(cells, int(argv[2])))) + "]")
    elif len(argv) >= 3 and argv[0] == "table":
        sys.stdout.write(write_table(Path(argv[1]), [int(n) for n in argv[2:]]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
