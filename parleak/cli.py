"""The `parleak` command: run, info, post, data.

    mpirun -n N parleak run CONFIG.toml [--set section.key=value ...] [--output DIR]
                                 [--restart PATH|latest] [--walltime SECONDS|HH:MM:SS]
    parleak info
    [mpirun -n N] parleak post OUTPUT_DIR [--out DIR] [--field NAME ...] [--axis z] [--dump N ...]
    parleak data fetch [NAME ...] [--from DIR] [--data-dir DIR] [--force]
    parleak data list [NAME ...] [--data-dir DIR]

Exit codes of `run` (the same on every rank):
    0  finished (also: a restart whose checkpoint already reached the end)
    2  bad configuration, bad input, bad restart file, or an output
       directory the run may not use: one message, no traceback, nothing
       written
    3  (EXIT_RUN_FAILED) a failure every rank detects together (a bad hydro
       cell, a non-finite value): a last dump is written
    4  (EXIT_CHECKPOINTED) stopped early after writing a checkpoint: SIGTERM
       or SIGUSR1 reached a rank, or --walltime was about to run out; run
       again with --restart latest to continue
    5  (EXIT_OUTPUT_FAILED) a dump, checkpoint or scalars.csv could not be
       written (full disk, file-size limit, I/O error) on some rank: every
       rank stops, the files written before are intact
Any other exception on any rank aborts the whole MPI job (exit code 1).
"""

import argparse
import platform
import sys
import time

from parleak import __version__, inputs, parallel
from parleak.config import ConfigError, parse_override
from parleak.parallel import EXIT_CHECKPOINTED, EXIT_OUTPUT_FAILED, EXIT_RUN_FAILED
from parleak.post import command as post_command


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
                     help="delete the dumps and checkpoints already in the output directory instead of refusing "
                          "to run")
    run.add_argument("--restart", metavar="PATH|latest",
                     help="continue from a checkpoint file, or from the newest one in the output directory")
    run.add_argument("--walltime", metavar="SECONDS|HH:MM:SS", type=_walltime,
                     help="wall-clock limit of this run: stop with a checkpoint (exit code 4) before it runs out")
    commands.add_parser("info", help="print versions and the process grid for this number of ranks")
    post_command.add_arguments(commands.add_parser("post", help="plots, radial profiles and the XDMF time series of a run"))
    inputs.add_arguments(commands.add_parser("data", help="the real inputs (EOS tables, progenitors): fetch, list"))
    return parser


def _walltime(text):
    """--walltime: seconds, or [[HH:]MM:]SS -> seconds (> 0)."""
    try:
        seconds = 0.0
        for part in text.split(":") if text.count(":") <= 2 else [""]:
            seconds = 60.0 * seconds + float(part)
    except ValueError:
        seconds = -1.0
    if not seconds > 0.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds or HH:MM:SS")
    return seconds


def _config_or_exit(args, comm):
    """The validated config, on every rank (exit code 2 on every rank if
    it is bad)."""
    from parleak.run_config import load_config

    config, message = None, None
    try:
        overrides = [parse_override(text) for text in args.overrides]
        if args.output is not None:
            overrides.append(("output.dir", args.output))
        config = load_config(args.config, overrides, comm.Get_size())
        if args.restart == "latest" and args.overwrite:
            raise ConfigError("--overwrite deletes what --restart continues; pass one of them")
    except ConfigError as err:
        message = f"config error: {err}"
    parallel.exit_if_any_failed(message, comm)
    return config


def _output_or_exit(args, config, comm):
    """Rank 0 takes the output directory for this run (parleak.io.
    run_directory) and checks that the run may write there: a new run
    into a directory without another run's files (or with --overwrite,
    which deletes them), a restart from a complete checkpoint of the same
    problem into its own run's directory. Exit code 2 on every rank
    otherwise, before any work. Returns the checkpoint to restart from
    (None: a new run)."""
    from parleak.io import run_directory
    from parleak.io.checkpoint import CheckpointError, inspect_checkpoint, latest_checkpoint
    from parleak.run_config import check_restart_config

    directory = config["output.dir"]

    def prepare():
        path = None
        run_directory.claim(directory)
        if args.restart is None:
            run_directory.check_new_run(directory, args.overwrite)
        else:
            path = latest_checkpoint(directory) if args.restart == "latest" else args.restart
            info = inspect_checkpoint(path)
            check_restart_config(config, info["config"], path)
            run_directory.check_restart(directory, path, info["run_id"], args.overwrite)
        if args.overwrite:
            run_directory.remove_run(directory)
        return path
    path, failure = parallel.on_rank_0_shared(prepare, (CheckpointError, ConfigError, OSError), comm)
    message = None
    if isinstance(failure, CheckpointError):
        message = f"restart error: {failure}"
    elif isinstance(failure, ConfigError):
        message = f"config error: {failure}"
    elif failure is not None:
        message = f"output error: output directory {directory!r}: {parallel.describe(failure)}"
    parallel.exit_if_any_failed(message, comm)
    return path


def _stop(message, code):
    """Rank 0 prints "parleak: MESSAGE"; every rank exits with `code`
    (parallel.exit_now: an HDF5 file may have failed to close)."""
    if parallel.is_root():
        sys.stderr.write(f"parleak: {message}\n")
    parallel.exit_now(code)


def cmd_run(args):
    from parleak.io.checkpoint import CheckpointError
    from parleak.simulation import Simulation, StopConditions

    stop = StopConditions(args.walltime, started=time.monotonic())
    stop.install()  # before anything slow, so that an early signal is not fatal
    comm = parallel.WORLD
    config = _config_or_exit(args, comm)
    checkpoint = _output_or_exit(args, config, comm)
    message = None
    try:
        simulation = Simulation(config, comm)
        if checkpoint is None:
            simulation.initialize()
        else:
            simulation.restore(checkpoint)
    except ConfigError as err:  # raised on every rank together (e.g. an unreadable EOS table)
        message = f"config error: {err}"
    except CheckpointError as err:  # raised on every rank together
        message = f"restart error: {err}"
    parallel.exit_if_any_failed(message, comm)
    try:
        stopped = simulation.run(config["output.dir"], stop)
        stop.uninstall()
    except parallel.CollectiveError as err:
        _stop(f"run stopped: {err}", EXIT_RUN_FAILED)
    except parallel.OutputError as err:
        _stop(f"output error: {err}; the files written before are intact (continue from the last checkpoint "
              "with --restart latest once the cause is fixed)", EXIT_OUTPUT_FAILED)
    if stopped:
        parallel.say(f"parleak: stopped early ({stopped}) after writing a checkpoint; continue with "
                     "--restart latest", comm=comm)
        sys.exit(EXIT_CHECKPOINTED)


def cmd_info(args):
    import h5py
    import numba
    import numpy

    from parleak.grid_keys import choose_process_grid
    from parleak.petsc import PETSc

    comm = parallel.WORLD
    n = comm.Get_size()
    petsc = ".".join(str(v) for v in PETSc.Sys.getVersion())
    mpi_library = parallel.MPI.Get_library_version().strip().splitlines()[0]
    rows = [
        ("parleak", __version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("numpy", numpy.__version__),
        ("mpi4py", f"{parallel.MPI4PY_VERSION}, MPI library: {mpi_library}"),
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
    {"run": cmd_run, "info": cmd_info, "post": post_command.post, "data": inputs.command}[args.command](args)


if __name__ == "__main__":
    main()
