"""Run the parleak benchmarks and print one combined table.

Runs benchmarks/halo_and_io.py under `mpirun -n 1` and `mpirun -n 2` (see
--ranks) with this same python, echoes each run's own table, collects the
"RESULT {json}" lines and prints:

    ranks | exchange ms | copy ms | exchange/copy | dump GB/s | raw disk GB/s

(exchange and copy: medians over the repeats, slowest rank; dump and raw
disk: best of 3, fsync included). Scratch files go under --dir, by default
output/bench in the repository (the same filesystem as the repo), and are
removed by halo_and_io.py afterwards.

    .venv/bin/python benchmarks/run_all.py [--ranks 1,2] [--dir DIR]
        [--cells 128] [--fields 6] [--ghost 2] [--repeats 20]
        [--boundary periodic|outflow]

`make bench` runs this script. MPIRUN in the environment overrides the
mpirun command.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Open MPI settings so that mpirun works as root, oversubscribed and in
# containers (as in the Makefile); values already set take precedence.
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
}


def run_one(ranks, args):
    env = dict(os.environ)
    for key, value in MPI_ENV.items():
        env.setdefault(key, value)
    command = [os.environ.get("MPIRUN", "mpirun"), "-n", str(ranks), sys.executable,
               os.path.join(HERE, "halo_and_io.py"), "--dir", args.dir,
               "--cells", str(args.cells), "--fields", str(args.fields), "--ghost", str(args.ghost),
               "--repeats", str(args.repeats), "--boundary", args.boundary]
    print("$ " + " ".join(command), flush=True)
    proc = subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    results = [json.loads(line[len("RESULT "):]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    print("\n".join(line for line in proc.stdout.splitlines() if not line.startswith("RESULT ")), flush=True)
    if proc.returncode != 0 or len(results) != 1:
        sys.exit(f"run_all: mpirun -n {ranks} failed (exit {proc.returncode}, {len(results)} RESULT lines)")
    return results[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", default="1,2", help="comma-separated rank counts (default 1,2)")
    parser.add_argument("--dir", default=os.path.join(REPO, "output", "bench"))
    parser.add_argument("--cells", type=int, default=128)
    parser.add_argument("--fields", type=int, default=6)
    parser.add_argument("--ghost", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--boundary", choices=("periodic", "outflow"), default="periodic")
    args = parser.parse_args()
    args.dir = os.path.abspath(args.dir)

    results = [run_one(int(n), args) for n in args.ranks.split(",")]

    print(f"\nhalo_and_io: {args.cells}^3 cells, {args.fields} fields, ghost {args.ghost}, "
          f"{args.boundary} boundaries, dir {args.dir}")
    header = ("ranks", "exchange ms", "copy ms", "exchange/copy", "dump GB/s", "raw disk GB/s")
    print(" | ".join(f"{h:>13}" for h in header))
    print("-+-".join("-" * 13 for _ in header))
    for r in results:
        row = (f"{r['ranks']}", f"{r['exchange_ms_median']:.2f}", f"{r['copy_ms_median']:.2f}",
               f"{r['exchange_over_copy']:.2f}", f"{r['dump_gbps_best']:.3f}", f"{r['raw_gbps_best']:.3f}")
        print(" | ".join(f"{v:>13}" for v in row))


if __name__ == "__main__":
    main()
