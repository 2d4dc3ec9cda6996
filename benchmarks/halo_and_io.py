"""Halo exchange and dump I/O benchmark for parleak.

Measures, on a cells^3 grid with `--fields` float64 fields and ghost width
`--ghost` (default 128^3, 6 fields, ghost 2):

  1. exchange   State.exchange() of all fields (the real code path: DMDA
                localToLocal per field, then the physical-boundary fill);
                median and min over --repeats, after a warm-up; per repeat
                the slowest rank counts.
  2. copy       np.copyto(dst, state.data) of the whole ghosted local array
                (n_fields, gz, gy, gx); median over repeats, slowest rank.
                The exchange is also given as a multiple of this copy.
  3. dump       parleak.io.dump.write_dump() of all fields (global interior
                bytes = fields * cells^3 * 8), timed until rank 0 has fsynced
                the final file and all ranks passed a barrier; 3 repeats,
                best and median GB/s.
  4. raw disk   each rank writes its interior data (one contiguous buffer,
                the same global byte count) to its own file with
                open(..., "wb").write + os.fsync, timed between barriers;
                best of 3. A new file each time, as every dump is a new
                file; "raw disk rewrite" overwrites one file instead, which
                reuses page-cache pages and can be much faster (in VMs that
                hand freed memory back to the host, first-touch of fresh
                page-cache pages dominates).

Rank 0 prints a table and one line "RESULT {json}" for benchmarks/run_all.py.
Files go to a fresh subdirectory of --dir and are removed afterwards.

    mpirun -n 2 .venv/bin/python benchmarks/halo_and_io.py \
        [--cells 128] [--fields 6] [--ghost 2] [--repeats 20] \
        [--boundary periodic|outflow] [--dir output/bench]
"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time

import numpy as np
from mpi4py import MPI

from parleak import parallel
from parleak.grid import FACES, Grid, choose_process_grid
from parleak.io.dump import write_dump
from parleak.state import FieldSpec, State

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(comm, action):
    """Seconds `action()` takes on the slowest rank, started after a barrier."""
    comm.Barrier()
    start = time.perf_counter()
    action()
    return comm.allreduce(time.perf_counter() - start, op=MPI.MAX)


def timed_collective(comm, action):
    """Seconds from a barrier before `action()` to a barrier after it."""
    comm.Barrier()
    start = time.perf_counter()
    action()
    comm.Barrier()
    return comm.bcast(time.perf_counter() - start, root=0)


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=128)
    parser.add_argument("--fields", type=int, default=6)
    parser.add_argument("--ghost", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--boundary", choices=("periodic", "outflow"), default="periodic")
    parser.add_argument("--dir", default=os.path.join(REPO, "output", "bench"))
    args = parser.parse_args()
    parallel.install_abort_hook()

    comm = parallel.WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    cells = [args.cells] * 3
    procs = choose_process_grid(cells, size, args.ghost)
    grid = Grid(cells, [0.0] * 3, [1.0] * 3, args.ghost, {f: args.boundary for f in FACES}, procs, comm)
    state = State(grid, [FieldSpec(f"f{i}", "1") for i in range(args.fields)])
    state.data[...] = np.random.default_rng(rank).random(state.data.shape)  # touch every page
    dst = np.empty_like(state.data)
    dst[...] = 0.0
    global_bytes = args.fields * args.cells ** 3 * 8

    # 1. halo exchange and 2. local copy, after a warm-up; interleaved so
    # that both see the same machine conditions.
    for _ in range(3):
        state.exchange()
        np.copyto(dst, state.data)
    exchange, copy = [], []
    for _ in range(args.repeats):
        exchange.append(timed(comm, state.exchange))
        copy.append(timed(comm, lambda target=dst: np.copyto(target, state.data)))
    del dst

    # 3. dump and 4. raw disk writes, in a fresh directory on the target filesystem.
    if rank == 0:
        os.makedirs(args.dir, exist_ok=True)
        workdir = tempfile.mkdtemp(prefix=f"halo_and_io_n{size}_", dir=args.dir)
    workdir = comm.bcast(workdir if rank == 0 else None, root=0)

    def dump(index):
        path = write_dump(workdir, index, state, 0.0, 0, "# benchmarks/halo_and_io.py\n")
        if rank == 0:
            fsync_path(path)

    dump_times = [timed_collective(comm, lambda: dump(i)) for i in range(3)]

    block = np.ascontiguousarray(state.data[(slice(None),) + grid.interior])

    def raw_write(name):
        with open(os.path.join(workdir, f"{name}_rank{rank:04d}.bin"), "wb") as stream:
            stream.write(block)
            stream.flush()
            os.fsync(stream.fileno())

    assert comm.allreduce(block.nbytes) == global_bytes
    raw_times = [timed_collective(comm, lambda: raw_write(f"raw{i}")) for i in range(3)]
    rewrite_times = [timed_collective(comm, lambda: raw_write("rewrite")) for _ in range(3)]
    comm.Barrier()
    if rank == 0:
        shutil.rmtree(workdir)

    # Report.
    ms = 1e3
    result = {
        "ranks": size, "procs": list(grid.procs), "cells": args.cells, "fields": args.fields,
        "ghost": args.ghost, "boundary": args.boundary, "repeats": args.repeats,
        "local_mbytes": state.data.nbytes / 1e6, "dump_gbytes": global_bytes / 1e9,
        "exchange_ms_median": statistics.median(exchange) * ms, "exchange_ms_min": min(exchange) * ms,
        "copy_ms_median": statistics.median(copy) * ms,
        "exchange_over_copy": statistics.median(exchange) / statistics.median(copy),
        "dump_gbps_best": global_bytes / min(dump_times) / 1e9,
        "dump_gbps_median": global_bytes / statistics.median(dump_times) / 1e9,
        "raw_gbps_best": global_bytes / min(raw_times) / 1e9,
        "raw_rewrite_gbps_best": global_bytes / min(rewrite_times) / 1e9,
        "dir": args.dir,
    }
    r = result
    rows = [
        ("halo exchange, median", f"{r['exchange_ms_median']:.2f}", "ms"),
        ("halo exchange, min", f"{r['exchange_ms_min']:.2f}", "ms"),
        ("local array copy, median", f"{r['copy_ms_median']:.2f}", "ms"),
        ("copy rate (bytes copied)", f"{r['local_mbytes'] / r['copy_ms_median']:.1f}", "GB/s"),
        ("exchange / copy", f"{r['exchange_over_copy']:.2f}", "x"),
        ("dump write, best", f"{r['dump_gbps_best']:.3f}", "GB/s"),
        ("dump write, median", f"{r['dump_gbps_median']:.3f}", "GB/s"),
        ("raw disk write, best", f"{r['raw_gbps_best']:.3f}", "GB/s"),
        ("raw disk rewrite, best", f"{r['raw_rewrite_gbps_best']:.3f}", "GB/s"),
    ]
    parallel.say(f"{grid.describe()}, {args.fields} fields, {args.boundary} boundaries; "
                 f"local array {r['local_mbytes']:.1f} MB per rank, dump {r['dump_gbytes']:.3f} GB, "
                 f"{args.repeats} repeats (slowest rank)")
    parallel.say(f"{'measurement':<30} {'value':>10}  unit")
    for name, value, unit in rows:
        parallel.say(f"{name:<30} {value:>10}  {unit}")
    parallel.say("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
