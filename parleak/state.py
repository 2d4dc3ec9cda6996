"""Named fields over a grid.

All fields of a State live in one float64 array of shape
(n_fields, gz, gy, gx): each field is a C-contiguous ghosted [z, y, x] block
that numba kernels take directly. Evolved fields (those the integrator
advances) come first; their block `evolved` is also the storage of a PETSc
parallel vector, so the halo exchange writes straight into it. Auxiliary
fields (primitive variables, temperature) follow: they are written to dumps
but neither evolved nor exchanged.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FieldSpec:
    """A field a physics module needs.

    vector_axis: 0, 1 or 2 when the field is the x, y or z component of a
    vector (it changes sign at a reflecting face normal to that axis).
    evolved: False for an auxiliary field that a physics module fills
    itself (it gets no right-hand side and no halo exchange).
    """

    name: str
    units: str
    vector_axis: int | None = None
    description: str = ""
    evolved: bool = True


class State:
    """The fields named by `specs` over `grid`, ghost zones included."""

    def __init__(self, grid, specs):
        names = [spec.name for spec in specs]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"field {duplicated[0]!r} is declared twice")
        self.grid = grid
        self.specs = tuple(s for s in specs if s.evolved) + tuple(s for s in specs if not s.evolved)
        self.n_evolved = sum(1 for s in specs if s.evolved)
        self.index = {spec.name: i for i, spec in enumerate(self.specs)}
        self.data = np.zeros((len(specs),) + grid.local_shape)
        self.evolved = self.data[:self.n_evolved]
        self._halo = grid.halo(self.evolved)
        self._signs = [tuple(-1.0 if spec.vector_axis == a else 1.0 for a in range(3))
                       for spec in self.specs[:self.n_evolved]]

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
        """Fill every ghost zone of every evolved field (neighbours,
        periodic wrap, physical boundaries)."""
        self._halo.exchange(self._signs)
