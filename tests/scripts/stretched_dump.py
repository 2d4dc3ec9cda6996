"""Write dump_00000.h5 (and its XDMF files) of a DIM-axis grid with
SPACING "stretched" or "uniform" into OUT on this number of ranks, read it
back into a State with read_into_state and check every rank's owned cells
against the fields it wrote. Fields: dens = 1 + x + 2 y + 3 z (cell
centres, cm) and index = the global flat cell index.

    mpirun -n N python tests/scripts/stretched_dump.py OUT DIM SPACING
"""

import sys


from parleak import parallel
from parleak.grid import Grid
from parleak.io.dump import write_dump
from parleak.io.reader import read_into_state
from parleak.spacing import stretched_faces
from parleak.state import FieldSpec, State

CELLS = (40, 24, 24)
UPPER = (1.0, 2.0, 1.5)
CENTRE = (0.0, 1.0, 0.3)  # the stretch centre: x from its reflecting lower face
MIN_WIDTH, EXTENT = (0.02, 0.05, 0.04), 0.1  # cm
BOUNDARIES = {"x_lower": "reflecting", "x_upper": "outflow", "y_lower": "periodic", "y_upper": "periodic",
              "z_lower": "outflow", "z_upper": "outflow"}
CONFIG = 'problem.name = "sod"\n[eos]\nkind = "ideal"\n'


def grid(dim, spacing, comm=parallel.WORLD):
    """The test grid of `dim` axes."""
    faces = None
    if spacing == "stretched":
        faces = [stretched_faces(0.0, UPPER[a], CELLS[a], MIN_WIDTH[a], EXTENT, CENTRE[a], "xyz"[a])[0]
                 for a in range(dim)]
    return Grid(CELLS[:dim], (0.0,) * dim, UPPER[:dim], 2, BOUNDARIES, comm=comm, faces=faces)


def state(dim, spacing, comm=parallel.WORLD):
    """A State over grid(dim, spacing) with dens and index filled."""
    result = State(grid(dim, spacing, comm), [FieldSpec("dens", "g/cm^3"), FieldSpec("index", "1")])
    fill(result)
    return result


def fill(result):
    g = result.grid
    z, y, x = g.local_mesh()
    result["dens"][...] = 1.0 + x + 2.0 * y + 3.0 * z
    k, j, i = g.global_index_mesh()
    result["index"][...] = (k * g.cells[1] + j) * g.cells[0] + i


def main():
    parallel.install_abort_hook()
    out, dim, spacing = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    written = state(dim, spacing)
    path = write_dump(out, 0, written, 0.25, 3, CONFIG)
    back = State(written.grid, written.specs)
    read_into_state(path, back)
    for name in written.names:
        if written.interior(name).tobytes() != back.interior(name).tobytes():
            raise SystemExit(f"rank {written.grid.comm.Get_rank()}: {name} differs after read_into_state")
    parallel.say(f"wrote and read back {path}: {written.grid.describe()}")


if __name__ == "__main__":
    main()
