"""The `parleak` command: run, info.

    mpirun -n N parleak run CONFIG.toml [--set section.key=value ...] [--output DIR]
    parleak info

Configuration errors exit with code 2 on every rank, with one message and no
traceback. A run that stops on a failure every rank detects together (a bad
hydro cell) writes a last dump and exits with code 3. Any other exception
on any rank aborts the whole MPI job.
"""

import argparse
import os
import platform
import sys

from parleak import __version__, parallel
from parleak.config import ConfigError, parse_override

EXIT_RUN_FAILED = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        if parallel.is_root():
            self.print_usage(sys.stderr)
            sys.stderr.write(f"parleak: error: {message}\n")
        sys.exit(2)


def _parser():
    parser = _Parser(prog="parleak", description="MPI-parallel neutrino leakage on a PETSc DMDA grid")
    parser.add_argument("--version", action="version", version=f"parleak {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run a simulation from a TOML config")
    run.add_argument("config", help="TOML configuration file")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                     help="override a config key (value read as TOML, e.g. --set time.t_end=0.5); repeatable")
    run.add_argument("--output", metavar="DIR", help="output directory (overrides output.dir)")
    run.add_argument("--overwrite", action="store_true",
                     help="delete the dumps already in the output directory instead of refusing to run")
    commands.add_parser("info", help="print versions and the process grid for this number of ranks")
    return parser


def _config_or_exit(args, comm):
    """Validate on every rank; if any rank fails, the lowest failing rank
    prints its message and every rank exits with code 2."""
    from parleak.io.dump import existing_dumps
    from parleak.simulation import load_config

    config, message = None, None
    try:
        overrides = [parse_override(text) for text in args.overrides]
        if args.output is not None:
            overrides.append(("output.dir", args.output))
        config = load_config(args.config, overrides, comm.Get_size())
        existing = existing_dumps(config["output.dir"])
        if existing and not args.overwrite:
            raise ConfigError(
                f"output directory {config['output.dir']!r} already holds {len(existing)} dumps "
                f"({os.path.basename(existing[0])} ...); choose another --output, move them away, "
                "or pass --overwrite to delete them")
    except ConfigError as err:
        message = str(err)
    failed_rank = parallel.first_rank_with(message is not None, comm)
    if failed_rank >= 0:
        if comm.Get_rank() == failed_rank:
            sys.stderr.write(f"parleak: config error: {message}\n")
            sys.stderr.flush()
        sys.exit(2)
    return config


def cmd_run(args):
    from parleak.io.dump import remove_dumps
    from parleak.simulation import Simulation

    comm = parallel.WORLD
    config = _config_or_exit(args, comm)
    if comm.Get_rank() == 0:
        remove_dumps(config["output.dir"])
    try:
        simulation = Simulation(config, comm)
    except ConfigError as err:  # raised on every rank together (e.g. an unreadable EOS table)
        if comm.Get_rank() == 0:
            sys.stderr.write(f"parleak: config error: {err}\n")
            sys.stderr.flush()
        sys.exit(2)
    simulation.initialize()
    try:
        simulation.run(config["output.dir"])
    except parallel.CollectiveError as err:
        if comm.Get_rank() == 0:
            sys.stderr.write(f"parleak: run stopped: {err}\n")
            sys.stderr.flush()
        sys.exit(EXIT_RUN_FAILED)


def cmd_info(args):
    import h5py
    import mpi4py
    import numba
    import numpy

    from parleak.grid import choose_process_grid
    from parleak.petsc import PETSc

    comm = parallel.WORLD
    n = comm.Get_size()
    petsc = ".".join(str(v) for v in PETSc.Sys.getVersion())
    mpi_library = parallel.MPI.Get_library_version().strip().splitlines()[0]
    rows = [
        ("parleak", __version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("numpy", numpy.__version__),
        ("mpi4py", f"{mpi4py.__version__}, MPI library: {mpi_library}"),
        ("petsc4py", f"{__import__('petsc4py').__version__}, PETSc {petsc}"),
        ("h5py", f"{h5py.__version__}, HDF5 {h5py.version.hdf5_version}, "
                 f"{'built with MPI (parallel HDF5)' if h5py.get_config().mpi else 'serial build (no MPI)'}"),
        ("numba", numba.__version__),
        ("ranks", str(n)),
    ]
    for dim, cells in ((1, [1024]), (2, [256, 256]), (3, [128, 128, 128])):
        split = choose_process_grid(cells, n, 2)
        shown = " x ".join(map(str, split)) if split else "does not fit"
        rows.append((f"process grid {dim}-D", f"{shown}  (for {' x '.join(map(str, cells))} cells, ghost 2)"))
    width = max(len(name) for name, _ in rows)
    parallel.say("\n".join(f"{name:<{width}}  {value}" for name, value in rows))


def main(argv=None):
    parallel.install_abort_hook()
    args = _parser().parse_args(argv)
    {"run": cmd_run, "info": cmd_info}[args.command](args)


if __name__ == "__main__":
    main()
