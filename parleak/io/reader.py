"""Reading dumps back: into numpy arrays in any Python session (serial, no
mpirun needed), or into the distributed fields of a State on any number of
ranks."""

from dataclasses import dataclass

import h5py
import numpy as np


@dataclass
class Dump:
    """A dump in memory. fields: name -> global [z, y, x] array;
    x, y, z: cell centres (cm); units: name -> units; attrs: the file's
    attributes (time, step, config, ...)."""

    path: str
    fields: dict
    units: dict
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    attrs: dict

    @property
    def time(self):
        return float(self.attrs["time"])

    @property
    def step(self):
        return int(self.attrs["step"])


def _open(path, **kwargs):
    try:
        return h5py.File(path, "r", **kwargs)
    except FileNotFoundError:
        raise FileNotFoundError(f"dump {path!r} does not exist") from None
    except OSError as err:
        raise OSError(f"dump {path!r} cannot be read as HDF5: {err}") from None


def read_dump(path, names=None):
    """Load a whole dump (or only the fields in `names`) into numpy arrays."""
    with _open(path) as h5:
        names = list(h5["fields"]) if names is None else list(names)
        missing = [n for n in names if n not in h5["fields"]]
        if missing:
            raise KeyError(f"dump {path!r} has no field {missing[0]!r}; it has {', '.join(h5['fields'])}")
        return Dump(
            path=path,
            fields={n: h5["fields"][n][...] for n in names},
            units={n: h5["fields"][n].attrs["units"] for n in names},
            x=h5["grid/x"][...], y=h5["grid/y"][...], z=h5["grid/z"][...],
            attrs=dict(h5.attrs),
        )


def read_into_state(path, state):
    """Fill the owned cells of every field of `state` from the dump at
    `path`, then its ghost zones; collective. The dump's grid must have the
    same cells; the number of ranks may differ. Returns the dump's
    attributes."""
    grid = state.grid
    comm = grid.comm
    kwargs = {"driver": "mpio", "comm": comm} if comm.Get_size() > 1 and h5py.get_config().mpi else {}
    owned = tuple(slice(s, e) for s, e in reversed(grid.owned))
    with _open(path, **kwargs) as h5:
        cells = tuple(int(n) for n in h5.attrs["cells"])
        if cells != grid.cells:
            raise ValueError(f"dump {path!r} has {cells} cells (x, y, z) but the grid has {grid.cells}")
        for name in state.names:
            if name not in h5["fields"]:
                raise KeyError(f"dump {path!r} has no field {name!r}; it has {', '.join(h5['fields'])}")
            state.interior(name)[...] = h5["fields"][name][owned]
        attrs = dict(h5.attrs)
    state.exchange()
    return attrs
