"""Lines of ranks in a grid's DMDA process grid, and prefix sums along them.

The ranks that share the process coordinates of the two other axes form
this rank's line along an axis. Along each axis with more than one rank,
two sub-communicators of the grid's communicator hold the line: one
ordered by the process coordinate along the axis (lower first), one in
reverse. An exclusive prefix scan (MPI_Exscan, SUM) over the first sums
an array over the ranks below this one, over the second over the ranks
above it: one message per rank and scan for the whole array.
"""

import numpy as np
from mpi4py import MPI


def process_coordinates(grid):
    """This rank's process coordinates (x, y, z) in the grid's process
    grid, from the DMDA ownership ranges (padded axes: 0)."""
    ranges = grid.da.getOwnershipRanges()
    coordinates = []
    for axis in range(3):
        if axis >= grid.dim:
            coordinates.append(0)
            continue
        starts = np.cumsum(ranges[axis]) - np.asarray(ranges[axis])
        coordinates.append(int(np.flatnonzero(starts == grid.owned[axis][0])[0]))
    return tuple(coordinates)


class ProcessLines:
    """The sub-communicators of this rank's lines of ranks along every
    axis of `grid` (collective on grid.comm: every rank creates it with
    the same grid, once, and reuses it)."""

    def __init__(self, grid):
        self.coordinates = process_coordinates(grid)
        self.procs = grid.procs
        self._upward, self._downward = {}, {}
        for axis in range(3):
            if self.procs[axis] == 1:
                continue
            b, c = (a for a in range(3) if a != axis)
            line = self.coordinates[b] + self.procs[b] * self.coordinates[c]
            position = self.coordinates[axis]
            self._upward[axis] = grid.comm.Split(line, position)
            self._downward[axis] = grid.comm.Split(line, self.procs[axis] - 1 - position)

    def start_exclusive_sums(self, axis, values):
        """Start summing `values` (a float64 array of the same shape on
        every rank of the line) over the ranks of this rank's line along
        `axis`. Returns a LineSums; its wait() gives (below, above): the
        sums over the ranks with lower and with higher process coordinate
        (zeros where there are none)."""
        return LineSums(self._upward.get(axis), self._downward.get(axis), values)


class LineSums:
    """Two exclusive prefix scans in flight (see ProcessLines)."""

    def __init__(self, upward, downward, values):
        values = np.ascontiguousarray(values, dtype=np.float64)
        self.below = np.zeros_like(values)
        self.above = np.zeros_like(values)
        self._scans = []
        self._requests = []
        for comm, result in ((upward, self.below), (downward, self.above)):
            if comm is None:
                continue
            self._requests.append(comm.Iexscan(values, result, op=MPI.SUM))
            self._scans.append((comm, result))
        self._values = values  # kept alive until the scans complete

    def wait(self):
        MPI.Request.Waitall(self._requests)
        for comm, result in self._scans:
            if comm.Get_rank() == 0:  # MPI leaves the first rank's result undefined
                result[...] = 0.0
        return self.below, self.above
