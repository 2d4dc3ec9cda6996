"""Point-wise work shared evenly over the ranks.

The leakage sources of a cell depend on that cell alone, but the cells
that have them (the dense matter) sit on a few ranks of a domain
decomposition: in the pns octant on 2 ranks, 24 000 of 30 000 on one.
`WorkShare` moves the inputs of such items to the ranks with fewer, so that
every rank evaluates total // size of them (or one more), and moves the
results back to the ranks that hold the cells. Items keep their global
order (rank by rank, then in each rank's order), so each rank sends one
contiguous piece to each other rank (a block of columns of the rows it
sends: one message per peer and direction). A point-wise
function gives the same values wherever it runs, so results do not depend
on the decomposition.
"""

import numpy as np
from mpi4py import MPI


def _overlaps(start, stop, starts):
    """Number of integers of [start, stop) in each [starts[d], starts[d+1])."""
    return np.maximum(0, np.minimum(stop, starts[1:]) - np.maximum(start, starts[:-1]))


class WorkShare:
    """The even redistribution of `count` items of this rank (collective
    over `comm`; every rank passes its own count). `share`: the items this
    rank works on; `moves`: whether any item changes rank (the same on
    every rank; False on one rank or when the counts are already even)."""

    def __init__(self, comm, count):
        self.comm = comm
        rank, size = comm.Get_rank(), comm.Get_size()
        counts = np.array(comm.allgather(int(count)), dtype=np.int64)
        shares = np.full(size, counts.sum() // size, dtype=np.int64)
        shares[: counts.sum() % size] += 1
        held = np.concatenate(([0], np.cumsum(counts)))  # global item ranges held by each rank
        worked = np.concatenate(([0], np.cumsum(shares)))  # ... and worked on by each rank
        self.count, self.share = int(counts[rank]), int(shares[rank])
        self.moves = bool(np.any(counts != shares))
        self._send = _overlaps(held[rank], held[rank + 1], worked)  # items to each rank
        self._receive = _overlaps(worked[rank], worked[rank + 1], held)  # items from each rank

    def _exchange(self, rows, send, receive, size):
        """rows (k, sum(send)) -> (k, size): each peer's items are a block of
        columns, sent and received in place through an MPI vector datatype
        (k rows of n items, the rows' stride apart): no transposed copies,
        which cost 20 times the message itself for 9 rows of 9 000 items."""
        rows = np.ascontiguousarray(rows, dtype=np.float64)
        k, count = rows.shape
        out = np.empty((k, size))
        send_starts, receive_starts = np.cumsum(send) - send, np.cumsum(receive) - receive
        rank = self.comm.Get_rank()
        requests, datatypes = [], []
        for peer in range(self.comm.Get_size()):
            if peer == rank:
                start, stop = receive_starts[rank], receive_starts[rank] + receive[rank]
                out[:, start:stop] = rows[:, send_starts[rank]:send_starts[rank] + send[rank]]
                continue
            for items, start, array, width, post in ((receive[peer], receive_starts[peer], out, size, self.comm.Irecv),
                                                     (send[peer], send_starts[peer], rows, count, self.comm.Isend)):
                if items:
                    datatype = MPI.DOUBLE.Create_vector(k, int(items), width).Commit()
                    datatypes.append(datatype)
                    requests.append(post([array.reshape(-1)[start:], 1, datatype], peer, 0))
        MPI.Request.Waitall(requests)
        for datatype in datatypes:
            datatype.Free()
        return out

    def forward(self, rows):
        """The items' values rows (k, count) of this rank -> (k, share), the
        items this rank works on (a copy when nothing moves)."""
        if not self.moves:
            return np.array(rows, dtype=np.float64)
        return self._exchange(rows, self._send, self._receive, self.share)

    def backward(self, rows):
        """Results rows (k, share) of the items worked on here -> (k, count)
        of the items this rank holds, in their order."""
        if not self.moves:
            return np.array(rows, dtype=np.float64)
        return self._exchange(rows, self._receive, self._send, self.count)
