"""One copy of read-only data per node: arrays in an MPI-3 shared-memory
window (MPI 3.1 standard, section 11.2.3, MPI_Win_allocate_shared) of the
node communicator (MPI_Comm_split_type with MPI_COMM_TYPE_SHARED), which
every rank of the node reads in place (layer: parallel; imports mpi4py).

node_shared reads the data on each node's rank 0 only, allocates the
window there (size 0 on the other ranks, which find rank 0's segment with
MPI_Win_shared_query), fills it on node rank 0 and fences, after which
every rank of the node holds read-only numpy views of the same memory.

Lifetime: each window is kept (module list WINDOWS) until Python exits,
so the views never outlive their memory, and is freed then by an atexit
hook, which runs before mpi4py finalises MPI. MPI_Win_free is collective
on the node, and every rank made the same windows in the same order, so
the frees match; freeing on garbage collection would not (ranks collect at
different times). A job that ends by os._exit (parallel.exit_now) or
MPI_Abort skips the frees; MPI_Finalize with windows still allocated also
exits cleanly (checked with Open MPI 4.1).
"""

import atexit
import math

import numpy as np
from mpi4py import MPI

from parleak.parallel import first_rank_with

# Every window made by node_shared, freed at exit (see the module docstring).
WINDOWS = []


@atexit.register
def _free_windows():
    if not MPI.Is_finalized():
        while WINDOWS:
            WINDOWS.pop(0).Free()


def node_shared(comm, read, layout, fill, errors=(OSError, ValueError)):
    """(header, {name: read-only float64 array}) on every rank of comm, the
    arrays in one shared window per node (collective on comm).

    On each node's rank 0 only: data = read(); (header, shapes) =
    layout(data), header any small picklable object, shapes {name: shape};
    after the window is made, fill(data, arrays) writes the arrays. If
    read or layout raises one of `errors` on any node, the exception of the
    lowest such rank of comm is raised on every rank (other exceptions end
    the job through the abort hook). fill must not fail."""
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    leader = node.Get_rank() == 0
    data, outcome = None, (None, None)
    if leader:
        try:
            data = read()
            outcome = (layout(data), None)
        except errors as err:
            outcome = (None, err)
    arranged, failure = node.bcast(outcome, root=0)
    failed = first_rank_with(failure is not None, comm)
    if failed >= 0:
        node.Free()
        raise comm.bcast(failure, root=failed)
    header, shapes = arranged
    sizes = {name: math.prod(shape) for name, shape in shapes.items()}
    total = sum(sizes.values())
    window = MPI.Win.Allocate_shared(8 * total if leader else 0, 8, comm=node)
    WINDOWS.append(window)
    node.Free()
    memory, _ = window.Shared_query(0)
    flat = np.frombuffer(memory, dtype=np.float64, count=total)
    arrays, start = {}, 0
    for name, shape in shapes.items():
        arrays[name] = flat[start:start + sizes[name]].reshape(shape)
        start += sizes[name]
    window.Fence()
    if leader:
        fill(data, arrays)
    window.Fence()  # node rank 0's stores are visible to every rank of the node
    for array in arrays.values():
        array.flags.writeable = False
    return header, arrays
