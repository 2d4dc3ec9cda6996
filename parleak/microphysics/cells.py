"""Grid-free packing of a block's cells: `DenseCells` gathers the cells of
an array block at given flat indices (e.g. those dense enough for the
leakage) into contiguous arrays for the point-wise kernels and scatters or
adds the results back. It knows nothing of MPI or of the grid's layout
beyond the block's shape.

Layer: microphysics (numpy, numba).
"""

import numba
import numpy as np

@numba.njit(cache=True)
def _add_at(blocks, index, values):
    """blocks[b].flat[index[m]] += values[b, m] on 3-D (possibly strided)
    blocks of one shape (the cell's position is found once for all)."""
    _, ny, nx = blocks[0].shape
    for m in range(index.size):
        k, rest = divmod(index[m], ny * nx)
        j, i = divmod(rest, nx)
        for b in range(len(blocks)):
            blocks[b][k, j, i] += values[b, m]


class DenseCells:
    """The cells of a grid block (shape `shape`) at flat indices `index`
    (ascending), e.g. those dense enough to evaluate the leakage on: `take`
    gathers their values into contiguous arrays, `scatter` puts values back
    with zeros at the other cells."""

    def __init__(self, index, shape):
        self.index = index
        self.shape = tuple(shape)

    @classmethod
    def of(cls, rho, min_density):
        """The cells with rho >= min_density [g cm^-3]."""
        rho = np.asarray(rho)
        return cls(np.flatnonzero(rho >= min_density), rho.shape)

    @property
    def count(self):
        return self.index.size

    def denser(self, rho_cells, min_density):
        """(the DenseCells of these with rho >= min_density, their positions
        in this selection; None when they are all of them); rho_cells: rho at
        these cells [g cm^-3]."""
        return self.where(rho_cells >= min_density)

    def where(self, mask):
        """(the DenseCells of these where mask (count,) is true, their
        positions in this selection; None when they are all of them)."""
        positions = np.flatnonzero(mask)
        if positions.size == self.count:
            return self, None
        return DenseCells(self.index[positions], self.shape), positions

    def take(self, array):
        """The values (..., count) of array (..., *shape) at these cells."""
        lead = array.shape[: array.ndim - len(self.shape)]
        return np.take(array.reshape(lead + (-1,)), self.index, axis=-1)

    def put(self, values, out):
        """Write values (..., count) into out (..., *shape) at these cells;
        returns out."""
        out.reshape(out.shape[: out.ndim - len(self.shape)] + (-1,))[..., self.index] = values
        return out

    def scatter(self, values, out):
        """out (..., *shape) with values (..., count) at these cells and 0
        elsewhere; returns out."""
        out.fill(0.0)
        return self.put(values, out)

    def add_to(self, blocks, values):
        """blocks[b][cell] += values[b] at these cells, in place; blocks: a
        tuple of 3-D arrays of shape `shape` (views may be strided, e.g. the
        interiors of ghosted fields); values (len(blocks), count)."""
        values = np.asarray(values, dtype=np.float64)
        if any(block.shape != self.shape for block in blocks) or values.shape != (len(blocks), self.index.size):
            raise ValueError(f"DenseCells.add_to: blocks {[block.shape for block in blocks]} / values {values.shape} "
                             f"do not match the cells' shape {self.shape} and count {self.index.size}")
        _add_at(tuple(blocks), self.index, values)
