"""Named fields over a grid.

All fields of a State live in one float64 array of shape
(n_fields, gz, gy, gx): each field is a C-contiguous ghosted [z, y, x] block
that numba kernels take directly. The whole array is also the storage of a
PETSc parallel vector, so the halo exchange writes straight into it.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FieldSpec:
    """A field a physics module needs.

    vector_axis: 0, 1 or 2 when the field is the x, y or z component of a
    vector (it changes sign at a reflecting face normal to that axis).
    """

    name: str
    units: str
    vector_axis: int | None = None
    description: str = ""


class State:
    """The fields named by `specs` over `grid`, ghost zones included."""

    def __init__(self, grid, specs):
        names = [spec.name for spec in specs]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"field {duplicated[0]!r} is declared twice")
        self.grid = grid
        self.specs = tuple(specs)
        self.index = {name: i for i, name in enumerate(names)}
        self.data = np.zeros((len(specs),) + grid.local_shape)
        self._halo = grid.halo(self.data)
        self._signs = [tuple(-1.0 if spec.vector_axis == a else 1.0 for a in range(3)) for spec in specs]

    @property
    def names(self):
        return tuple(self.index)

    def __getitem__(self, name):
        """The ghosted [z, y, x] array of field `name` (a view)."""
        return self.data[self.index[name]]

    def interior(self, name):
        """The owned cells of field `name`, without ghosts (a view)."""
        return self[name][self.grid.interior]

    def exchange(self):
        """Fill every ghost zone of every field (neighbours, periodic wrap,
        physical boundaries)."""
        self._halo.exchange(self._signs)
