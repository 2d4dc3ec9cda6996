"""Read a dump (argv[1]) into the distributed fields on this number of
ranks and check every rank's owned cells and
ghosts against the whole arrays read serially with numpy. Exits non-zero on
any mismatch."""

import sys

import numpy as np

from parleak import parallel
from parleak.grid import Grid
from parleak.io.reader import read_dump, read_into_state
from parleak.state import FieldSpec, State


def main():
    parallel.install_abort_hook()
    path = sys.argv[1]
    whole = read_dump(path)
    dim = int(whole.attrs["dim"])
    cells = [int(n) for n in whole.attrs["cells"][:dim]]
    boundaries = {face: str(whole.attrs[f"boundary_{face}"]) for face in
                  [f"{a}_{s}" for a in "xyz"[:dim] for s in ("lower", "upper")]}
    grid = Grid(cells, whole.attrs["lower"][:dim], whole.attrs["upper"][:dim], 2, boundaries)
    state = State(grid, [FieldSpec(name, str(whole.units[name])) for name in whole.fields])
    attrs = read_into_state(path, state)
    assert attrs["time"] == whole.time
    k, j, i = (np.arange(*grid.ghosted[a]) % grid.cells[a] for a in (2, 1, 0))  # periodic grid
    for name, array in whole.fields.items():
        expected = array[np.ix_(k, j, i)]
        if not np.array_equal(state[name], expected):
            raise SystemExit(f"rank {grid.comm.Get_rank()}: field {name} differs after read_into_state")
    parallel.say(f"read back OK: {grid.describe()}")


main()
