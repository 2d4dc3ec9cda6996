"""Reading dumps back: into numpy arrays in any Python session (serial, no
mpirun needed), or into the distributed fields of a State on any number of
ranks. A dump that cannot be read (missing, truncated, not HDF5, or
lacking part of the layout parleak.io.dump writes) raises DumpError naming
the file and why; check_dump decides that from the metadata alone."""

import os
from contextlib import contextmanager
from dataclasses import dataclass

import h5py
import numpy as np

from parleak.spacing import uniform_faces

# the file attributes every reader of a dump relies on (see parleak.io.dump)
REQUIRED_ATTRS = ("time", "step", "dim", "cells", "lower", "upper", "config")


class DumpError(OSError):
    """A dump that cannot be read. path: the file; reason: why (without the
    file's name, for messages that name it their own way)."""

    def __init__(self, path, reason):
        self.path, self.reason = os.fspath(path), reason
        super().__init__(f"dump {self.path!r}: {reason}")


@dataclass
class Dump:
    """A dump in memory. fields: name -> global [z, y, x] array;
    x, y, z: cell centres (cm); units: name -> units; attrs: the file's
    attributes (time, step, config, ...); faces: the cell faces (cm) per
    axis x, y, z (n + 1 each; a dump written before stretched grids has
    none stored and uniform faces from cells, lower and upper)."""

    path: str
    fields: dict
    units: dict
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    attrs: dict
    faces: tuple

    @property
    def time(self):
        return float(self.attrs["time"])

    @property
    def step(self):
        return int(self.attrs["step"])

    @property
    def uniform(self):
        """Whether the cells are equally spaced (every dump written before
        stretched grids is)."""
        return self.attrs.get("spacing", "uniform") == "uniform"

    def widths(self, axis):
        """Cell widths (cm) along `axis` (0, 1, 2 for x, y, z)."""
        return np.diff(self.faces[axis])

    def volumes(self):
        """Cell volumes (cm^3; cm^2 in 2-D, cm in 1-D), a broadcastable
        [z, y, x] array: the product of the widths of the grid's axes, in
        the order of parleak.grid.Grid.volumes (bitwise its values)."""
        dim = int(self.attrs["dim"])
        w = [self.widths(a) if a < dim else np.ones(1) for a in range(3)]
        return w[2][:, None, None] * w[1][None, :, None] * w[0][None, None, :]


def _open(path, **kwargs):
    """The HDF5 file at `path`, open for reading; DumpError if it cannot be."""
    try:
        return h5py.File(path, "r", **kwargs)
    except FileNotFoundError:
        raise DumpError(path, "does not exist") from None
    except OSError as err:
        raise DumpError(path, f"truncated or not HDF5 ({err})") from None


def _layout_problem(h5):
    """What the open dump `h5` lacks of the layout parleak.io.dump writes
    (the first thing found), or None. Reads every attribute but no field
    data."""
    attrs = dict(h5.attrs)
    dim = int(attrs.get("dim", 3))
    faces = [f"boundary_{axis}_{side}" for axis in "xyz"[:dim] for side in ("lower", "upper")]
    missing = [name for name in REQUIRED_ATTRS + tuple(faces) if name not in attrs]
    if missing:
        return f"no attribute {missing[0]!r}"
    cells = tuple(int(n) for n in np.ravel(attrs["cells"]))
    if len(cells) != 3 or np.size(attrs["lower"]) != 3 or np.size(attrs["upper"]) != 3:
        return "attributes cells, lower and upper do not hold 3 values each"
    for a, axis in enumerate("xyz"):
        centres = h5.get(f"grid/{axis}")
        if not isinstance(centres, h5py.Dataset):
            return f"no dataset /grid/{axis}"
        if centres.shape != (cells[a],):
            return f"/grid/{axis} has shape {centres.shape}, not ({cells[a]},)"
        faces = h5.get(f"grid/faces_{axis}")  # none in a dump written before stretched grids
        if faces is not None and (not isinstance(faces, h5py.Dataset) or faces.shape != (cells[a] + 1,)):
            return f"/grid/faces_{axis} is not an array of shape ({cells[a] + 1},)"
    if not isinstance(h5.get("fields"), h5py.Group):
        return "no group /fields"
    if not len(h5["fields"]):
        return "no field in /fields"
    for name, item in h5["fields"].items():
        if not isinstance(item, h5py.Dataset) or item.shape != cells[::-1]:
            return f"/fields/{name} is not an array of shape {cells[::-1]} (z, y, x)"
        if "units" not in item.attrs:
            return f"no attribute 'units' on /fields/{name}"
    return None


@contextmanager
def _open_dump(path):
    """The dump at `path`, open for reading with its layout checked;
    DumpError naming the file otherwise."""
    with _open(path) as h5:
        try:
            problem = _layout_problem(h5)
        except (OSError, KeyError, ValueError, TypeError) as err:
            problem = f"its metadata cannot be read ({err})"
        if problem:
            raise DumpError(path, problem)
        yield h5


def check_dump(path):
    """The field names of the dump at `path`, reading only its metadata;
    DumpError naming the file if it cannot be read (see _layout_problem)."""
    with _open_dump(path) as h5:
        return list(h5["fields"])


def read_dump(path, names=None):
    """Load a whole dump (or only the fields in `names`) into numpy arrays.
    DumpError naming the file if it cannot be read; KeyError if it has not
    every field in `names`."""
    with _open_dump(path) as h5:
        names = list(h5["fields"]) if names is None else list(names)
        missing = [n for n in names if n not in h5["fields"]]
        if missing:
            raise KeyError(f"dump {os.fspath(path)!r} has no field {missing[0]!r}; it has {', '.join(h5['fields'])}")
        try:
            return Dump(
                path=path,
                fields={n: h5["fields"][n][...] for n in names},
                units={n: h5["fields"][n].attrs["units"] for n in names},
                x=h5["grid/x"][...], y=h5["grid/y"][...], z=h5["grid/z"][...],
                attrs=dict(h5.attrs), faces=_faces(h5),
            )
        except OSError as err:
            raise DumpError(path, f"its data cannot be read ({err})") from None


def _faces(h5):
    """The faces (cm) per axis of the open dump `h5`: its faces datasets,
    or uniform faces from cells, lower and upper where it has none."""
    return tuple(
        h5[f"grid/faces_{axis}"][...] if f"grid/faces_{axis}" in h5
        else uniform_faces(float(h5.attrs["lower"][a]), float(h5.attrs["upper"][a]), int(h5.attrs["cells"][a]))
        for a, axis in enumerate("xyz"))


def read_into_state(path, state):
    """Fill the owned cells of every field of `state` from the dump at
    `path`, then its ghost zones; collective. The dump's grid must have the
    same cells (and the same faces, where either is stretched); the number
    of ranks may differ. Returns the dump's
    attributes."""
    grid = state.grid
    comm = grid.comm
    kwargs = {"driver": "mpio", "comm": comm} if comm.Get_size() > 1 and h5py.get_config().mpi else {}
    owned = tuple(slice(s, e) for s, e in reversed(grid.owned))
    with _open(path, **kwargs) as h5:
        cells = tuple(int(n) for n in h5.attrs["cells"])
        if cells != grid.cells:
            raise ValueError(f"dump {path!r} has {cells} cells (x, y, z) but the grid has {grid.cells}")
        moved = [axis for a, axis in enumerate("xyz") if not np.array_equal(_faces(h5)[a], grid.faces[a])]
        if moved and not (h5.attrs.get("spacing", "uniform") == "uniform" and grid.uniform):
            raise ValueError(f"dump {path!r} has other cell faces along {moved[0]} than the grid")
        for name in state.names:
            if name not in h5["fields"]:
                raise KeyError(f"dump {path!r} has no field {name!r}; it has {', '.join(h5['fields'])}")
            state.interior(name)[...] = h5["fields"][name][owned]
        attrs = dict(h5.attrs)
    state.exchange()
    return attrs
