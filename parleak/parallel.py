"""MPI plumbing: rank-0 output, the abort-on-exception hook, reductions.

Everything that talks to MPI directly (apart from PETSc's own DMDA and
h5py's MPI-IO driver) lives here.
"""

import sys
import traceback

import numpy as np
from mpi4py import MPI

from parleak.exactsum import exact_partials, round_partials

WORLD = MPI.COMM_WORLD


def is_root(comm=WORLD):
    return comm.Get_rank() == 0


def say(*args, comm=WORLD, **kwargs):
    """Print from rank 0 only, flushed so that logs interleave sensibly."""
    if comm.Get_rank() == 0:
        print(*args, **kwargs, flush=True)


def _abort_on_exception(exc_type, exc, tb):
    """sys.excepthook: print this rank's traceback once, then abort the job.

    Without this, an exception on one rank leaves the others blocked in
    their next collective call until the scheduler kills the job.
    """
    rank = WORLD.Get_rank()
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write(f"[parleak rank {rank}/{WORLD.Get_size()}] uncaught exception, aborting the job:\n{text}")
    sys.stderr.flush()
    sys.stdout.flush()
    if WORLD.Get_size() > 1:
        WORLD.Abort(1)
    sys.exit(1)


def install_abort_hook():
    sys.excepthook = _abort_on_exception


def first_rank_with(flag, comm=WORLD):
    """The lowest rank whose `flag` is true, or -1; the same on every rank."""
    size = comm.Get_size()
    lowest = comm.allreduce(comm.Get_rank() if flag else size, op=MPI.MIN)
    return -1 if lowest == size else lowest


def exit_if_any_failed(message, comm=WORLD):
    """If any rank has a `message` (str; None: no failure), the lowest such
    rank prints "parleak: MESSAGE" to stderr and every rank exits with code
    2 (bad input). Collective."""
    failed_rank = first_rank_with(message is not None, comm)
    if failed_rank >= 0:
        if comm.Get_rank() == failed_rank:
            sys.stderr.write(f"parleak: {message}\n")
            sys.stderr.flush()
        sys.exit(2)


def exact_sum(local_values, comm=WORLD):
    """Global sum of the local arrays, correctly rounded.

    Each rank reduces its values to exact non-overlapping partials; the
    partials of all ranks are rounded once. The result is therefore
    bitwise the same for any number of ranks and any decomposition.
    """
    gathered = comm.allgather(exact_partials(local_values))
    return round_partials(np.concatenate(gathered))


def global_min(local_values, comm=WORLD):
    local = float(np.min(local_values)) if np.size(local_values) else np.inf
    return comm.allreduce(local, op=MPI.MIN)


def global_max(local_values, comm=WORLD):
    local = float(np.max(local_values)) if np.size(local_values) else -np.inf
    return comm.allreduce(local, op=MPI.MAX)


class CollectiveError(RuntimeError):
    """A failure that every rank detects together and raises with the same
    message, so the job can write a last dump and exit cleanly instead of
    aborting."""


def on_root_first(func, comm=WORLD):
    """Run func() on rank 0 while the other ranks wait, e.g. to build a
    cached file that every rank then reads. An exception on rank 0 is
    raised on every rank (as ValueError with rank 0's message) instead of
    leaving the others blocked. Returns rank 0's result on rank 0 and None
    elsewhere."""
    result, message = None, None
    if comm.Get_rank() == 0:
        try:
            result = func()
        except Exception as exc:  # shared below, then re-raised on rank 0
            message = f"{type(exc).__name__}: {exc}"
            if comm.Get_size() == 1:
                raise
            failure = exc
    message = comm.bcast(message, root=0)
    if message is not None:
        if comm.Get_rank() == 0:
            raise failure
        raise ValueError(f"rank 0 failed: {message}")
    return result
