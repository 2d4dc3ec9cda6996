"""MPI plumbing: rank-0 output, the abort-on-exception hook, reductions
(exact sums, integer sums and maxima, values with the rank that holds
them), and the agreements that turn a failure on any rank into the same
exception on every rank (`together`, `raise_if_any`, `on_rank_0_shared`).
The package also holds the exact sums (exactsum), the communication along
process lines (process_lines), the work sharing of point-wise kernels
(work_sharing) and the per-node shared-memory arrays (shared_memory:
one copy of an EOS table per node).

Only this package imports mpi4py (tests/test_layers.py checks it). The
physics reach other ranks through the Grid's reductions, which call the
functions here; the I/O and postprocessing layers pass the communicator to
h5py's MPI-IO driver and call its collective methods for their file work.
"""

import faulthandler
import os
import sys
import traceback
from contextlib import contextmanager

import mpi4py
import numpy as np
from mpi4py import MPI

from parleak.parallel.exactsum import exact_partials, round_partials

WORLD = MPI.COMM_WORLD
MPI4PY_VERSION = mpi4py.__version__

# Exit codes of `parleak run`, the same on every rank (see parleak.cli).
EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 3
EXIT_CHECKPOINTED = 4
EXIT_OUTPUT_FAILED = 5


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


def first_failure(message, comm=WORLD):
    """The `message` (str; None: no failure) of the lowest rank that has
    one, on every rank; None when no rank has. Collective."""
    failed_rank = first_rank_with(message is not None, comm)
    return None if failed_rank < 0 else comm.bcast(message, root=failed_rank)


def raise_if_any(message, error, comm=WORLD):
    """Raise error(MESSAGE) on every rank when any rank has a `message`
    (str; None: no failure), MESSAGE that of the lowest such rank; nothing
    when none has. Collective."""
    message = first_failure(message, comm)
    if message is not None:
        raise error(message)


def on_rank_0_shared(func, errors, comm=WORLD):
    """Run func() on rank 0 only and share the outcome with every rank:
    (its result, None), or (None, the exception) when it raised one of
    `errors` (an exception class or a tuple of them; others propagate on
    rank 0 and the abort hook ends the job). Collective (one broadcast)."""
    outcome = (None, None)
    if comm.Get_rank() == 0:
        try:
            outcome = (func(), None)
        except errors as err:
            outcome = (None, err)
    return comm.bcast(outcome, root=0)


def exit_if_any_failed(message, comm=WORLD):
    """If any rank has a `message` (str; None: no failure), rank 0 prints
    the lowest such rank's "parleak: MESSAGE" to stderr and every rank
    exits with EXIT_BAD_INPUT. Collective."""
    message = first_failure(message, comm)
    if message is not None:
        if comm.Get_rank() == 0:
            sys.stderr.write(f"parleak: {message}\n")
            sys.stderr.flush()
        sys.exit(EXIT_BAD_INPUT)


# Seconds one collective I/O operation may take before a rank that is stuck
# in it exits (see `together`); PARLEAK_IO_TIMEOUT overrides.
IO_TIMEOUT_S = float(os.environ.get("PARLEAK_IO_TIMEOUT", "600"))


def describe(exc):
    """One line naming an exception's cause (for an OSError with an error
    number: what failed and the system's words for the number, without the
    diagnostics HDF5 appends in parentheses)."""
    if isinstance(exc, OSError) and exc.errno:
        what = " ".join(str(exc.strerror or "").split())
        head, _, diagnostics = what.partition(" (")
        if "errno" in diagnostics or "time =" in diagnostics:
            what = head
        cause = os.strerror(exc.errno)
        text = cause if what in ("", cause) else f"{what}: {cause}"
        return f"{text}: {exc.filename!r}" if exc.filename else text
    return " ".join(f"{type(exc).__name__}: {exc}".split())


@contextmanager
def together(comm, error, what, watch=False):
    """Run the block on every rank of comm; if it raises on any rank, raise
    error(f"{what}: CAUSE") on every rank, CAUSE from the lowest failing
    rank. Collective: one agreement (an Allreduce) after the block.

    The block may make collective calls only as its last action, so that
    a failure leaves no rank waiting in a later one. A rank whose block
    raised an exception that is neither an OSError nor a RuntimeError (what
    h5py raises for a failed flush or close) prints its traceback.

    watch: the block makes a collective call of a library that can fail on
    one rank without telling the others (HDF5 closing a file), so a rank
    may wait forever. If the block and the agreement take longer than
    IO_TIMEOUT_S, the rank prints "Timeout" and where it waits, and exits
    with code 1 (faulthandler's watchdog needs no GIL, which h5py holds);
    mpirun then ends the job."""
    watching = watch and comm.Get_size() > 1
    if watching:
        faulthandler.dump_traceback_later(IO_TIMEOUT_S, exit=True)
    try:
        message = None
        try:
            yield
        except Exception as exc:
            message = f"{what}: {describe(exc)}"
            if not isinstance(exc, (OSError, RuntimeError)):
                traceback.print_exc()
        message = first_failure(message, comm)
    finally:
        if watching:
            faulthandler.cancel_dump_traceback_later()
    if message is not None:
        raise error(message)


def exit_now(code, comm=WORLD):
    """Exit every rank of comm with `code` once all have got here, skipping
    MPI_Finalize and Python's clean-up at exit: after an HDF5 file failed
    to close, either would close it again and crash. Collective."""
    sys.stdout.flush()
    sys.stderr.flush()
    comm.Barrier()
    os._exit(code)


def exact_sum(local_values, comm=WORLD):
    """Global sum of the local arrays, correctly rounded.

    Each rank reduces its values to exact non-overlapping partials; the
    partials of all ranks are rounded once. The result is therefore
    bitwise the same for any number of ranks and any decomposition.
    """
    gathered = comm.allgather(exact_partials(local_values))
    return round_partials(np.concatenate(gathered))


def sum_counts(local_counts, comm=WORLD):
    """Element-wise global sum of integer arrays (int64), a new array."""
    total = np.array(local_counts, dtype=np.int64)
    comm.Allreduce(MPI.IN_PLACE, total, op=MPI.SUM)
    return total


def max_counts(local_counts, comm=WORLD):
    """Element-wise global maximum of integer arrays (int64), a new array."""
    largest = np.array(local_counts, dtype=np.int64)
    comm.Allreduce(MPI.IN_PLACE, largest, op=MPI.MAX)
    return largest


def max_with_rank(value, comm=WORLD):
    """(the largest `value` of any rank, the lowest rank that has it), the
    same on every rank."""
    return comm.allreduce((value, comm.Get_rank()), op=MPI.MAXLOC)


def min_with_rank(value, comm=WORLD):
    """(the smallest `value` of any rank, the lowest rank that has it)."""
    return comm.allreduce((value, comm.Get_rank()), op=MPI.MINLOC)


def from_rank(value, rank, comm=WORLD):
    """`value` of `rank` (any picklable object), on every rank."""
    return comm.bcast(value, root=rank)


def global_min(local_values, comm=WORLD):
    local = float(np.min(local_values)) if np.size(local_values) else np.inf
    return comm.allreduce(local, op=MPI.MIN)


def global_max(local_values, comm=WORLD):
    local = float(np.max(local_values)) if np.size(local_values) else -np.inf
    return comm.allreduce(local, op=MPI.MAX)


class CollectiveError(RuntimeError):
    """A failure of the run (a bad cell, a non-finite value) that every
    rank detects together and raises with the same message, so the job can
    write a last dump and exit cleanly (code 3) instead of aborting."""


class OutputError(RuntimeError):
    """A file of the run could not be written (full disk, quota, file-size
    limit, I/O error), raised on every rank together with one message
    naming the file and the cause: the run stops (code 5); the files
    written before are intact."""


def on_root_first(func, comm=WORLD):
    """Run func() on rank 0 while the other ranks wait, e.g. to build a
    cached file that every rank then reads. An exception on rank 0 is
    raised on every rank (as ValueError with rank 0's message) instead of
    leaving the others blocked. Returns rank 0's result on rank 0 and None
    elsewhere."""
    result, failure = on_rank_0_shared(func, Exception, comm)
    if failure is not None:
        if comm.Get_rank() == 0:
            raise failure
        raise ValueError(f"rank 0 failed: {type(failure).__name__}: {failure}")
    return result if comm.Get_rank() == 0 else None
