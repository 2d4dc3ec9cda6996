"""Memory per rank of a table EOS with and without the per-node shared
window (eos.shared_memory): RSS, PSS and USS of each rank (kB, from
/proc/self/smaps_rollup; PSS splits a shared page among the processes
that map it, so it is what shows one copy per node) before the table is
made, after, and after looking up everything a run does (the hydro's
from_rho_eps and eps_from_rho_press, the leakage quantities), and the
table's bytes.

    mpirun -n 4 .venv/bin/python benchmarks/table_memory.py --shared true
    mpirun -n 4 .venv/bin/python benchmarks/table_memory.py --shared false [--table PATH]

The default table is $PARLEAK_DATA/eos/SRO_LS220star_NSE837_rho126_temp61_ye31.h5
(PARLEAK_DATA default /work/shared/data). --synthetic MB writes (once, rank
0) a table of about MB megabytes of float64 variables into /tmp
(h5py, smooth made-up values) and loads
that instead.
"""

import argparse
import os

import h5py
import numpy as np
from mpi4py import MPI

from parleak.eos import SCHEMA, make_eos
from parleak.microphysics.leakage import EOS_QUANTITIES
from parleak.config import validate

DATA = os.environ.get("PARLEAK_DATA", "/work/shared/data")
SRO = os.path.join(DATA, "eos", "SRO_LS220star_NSE837_rho126_temp61_ye31.h5")


def memory_kb():
    """(Rss, Pss, USS = Private_Clean + Private_Dirty) of this process, kB."""
    fields = {}
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return fields["Rss"], fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


def synthetic_table(megabytes):
    """Path of a stellarcollapse.org-layout table of about `megabytes` MB
    (the 19 variables on a cube of points, smooth made-up values), written
    with h5py by rank 0 if absent."""
    from parleak.eos.table_read import OPTIONAL_VARIABLES, REQUIRED_VARIABLES
    names = REQUIRED_VARIABLES + OPTIONAL_VARIABLES
    n = int(round((megabytes * 1e6 / 8 / len(names)) ** (1.0 / 3.0)))
    path = f"/tmp/parleak_synthetic_table_{n}.h5"
    if MPI.COMM_WORLD.Get_rank() == 0 and not os.path.exists(path):
        axes = {"logrho": np.linspace(3.0, 15.5, n), "logtemp": np.linspace(-2.0, 2.2, n),
                "ye": np.linspace(0.01, 0.6, n)}
        y3, t3, r3 = np.meshgrid(axes["ye"], axes["logtemp"], axes["logrho"], indexing="ij")
        values = {name: 0.1 * r3 + t3 + y3 + k for k, name in enumerate(names)}
        values.update(logpress=20.0 + r3 + t3, logenergy=19.0 + 0.1 * r3 + t3, cs2=1e18 * (1.0 + y3))
        with h5py.File(path + ".tmp", "w") as f:
            for name, array in {**axes, **values, "energy_shift": np.zeros(1)}.items():
                f[name] = array
            for name, axis in (("pointsrho", "logrho"), ("pointstemp", "logtemp"), ("pointsye", "ye")):
                f[name] = np.array([n], dtype=np.int32)
        os.replace(path + ".tmp", path)
    MPI.COMM_WORLD.Barrier()
    return path


def touch(eos):
    """Look up what a run looks up, over points spread across the table."""
    rng = np.random.default_rng(MPI.COMM_WORLD.Get_rank())
    (rho_lo, rho_hi), (t_lo, t_hi), (ye_lo, ye_hi) = (eos.ranges[a] for a in ("rho", "temp", "ye"))
    n = 50_000
    rho = 10.0 ** rng.uniform(np.log10(rho_lo), np.log10(rho_hi), n)
    temp = 10.0 ** rng.uniform(np.log10(t_lo), np.log10(t_hi), n)
    ye = rng.uniform(ye_lo, ye_hi, n)
    eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
    eps, press = eos.lookup(rho, temp, ye, "eps", "press")
    outputs = [np.empty(n) for _ in range(3)]
    eos.from_rho_eps(rho, eps, ye, temp.copy(), *outputs)
    eos.eps_from_rho_press(rho, press, ye, temp.copy())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", choices=("true", "false"), default="true", help="eos.shared_memory")
    parser.add_argument("--table", default=SRO, help="stellarcollapse.org table (default: the SRO LS220* table)")
    parser.add_argument("--synthetic", type=float, default=0.0, help="MB: load a synthetic table of this size")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    path = synthetic_table(args.synthetic) if args.synthetic else args.table
    config = validate({"eos.kind": "table", "eos.table": path, "eos.shared_memory": args.shared == "true"}, SCHEMA)
    before = memory_kb()
    eos = make_eos(config, comm=comm)
    loaded = memory_kb()
    touch(eos)
    touched = memory_kb()
    rows = comm.gather((comm.Get_rank(), before, loaded, touched), root=0)
    if comm.Get_rank() == 0:
        print(f"{os.path.basename(path)}: table arrays {eos.nbytes / 1e6:.1f} MB, {comm.Get_size()} ranks, "
              f"eos.shared_memory = {args.shared}")
        print("rank  RSS/PSS/USS kB: before loading  after loading       after lookups        PSS growth MB: "
              "loading, all")
        for rank, first, made, used in rows:
            print(f"{rank:4d}  {first[0]:7d} {first[1]:7d} {first[2]:7d}  {made[0]:7d} {made[1]:7d} {made[2]:7d}  "
                  f"{used[0]:7d} {used[1]:7d} {used[2]:7d}  {(made[1] - first[1]) / 1e3:6.1f} "
                  f"{(used[1] - first[1]) / 1e3:6.1f}")
        growth = np.mean([(made[1] - first[1]) / 1e3 for _, first, made, _ in rows])
        print(f"mean PSS growth per rank from loading the table: {growth:.1f} MB")

if __name__ == "__main__":
    main()
