"""The grid.* configuration keys: the geometry and spacing of the cells
(they come before a problem's keys, which may depend on them), the layout
over the ranks and the boundaries (after them), and the checks of their
combinations. No MPI, no PETSc: parleak.grid builds the grid from them."""

import itertools
import math

import numpy as np

from parleak.config import ConfigError, Key, at_least, in_range, positive
from parleak.spacing import SPACINGS, stretched_faces

AXES = "xyz"
BOUNDARY_KINDS = ("outflow", "diode", "reflecting", "periodic")
FACES = tuple(f"{axis}_{side}" for axis in AXES for side in ("lower", "upper"))


# -- the grid.* configuration keys -------------------------------------------
def dim(resolved):
    """The number of axes of the resolved grid.cells."""
    return len(resolved["grid.cells"])


def box_centre(resolved):
    """The centre of the domain per axis, cm."""
    return [0.5 * (lo + hi) for lo, hi in zip(resolved["grid.lower"], resolved["grid.upper"])]


def smallest_cell(resolved):
    """The smallest cell width of any axis, cm (grid.min_width on a
    stretched grid)."""
    kind = resolved.get("grid.spacing", "uniform")
    if kind == "stretched":
        return resolved["grid.min_width"]
    faces = [resolved[f"grid.faces.{axis}"] for axis in AXES[:dim(resolved)]] if kind == "faces" else []
    if all(len(f) > 1 for f in faces) and faces:
        return min(float(np.min(np.diff(f))) for f in faces)
    return min((hi - lo) / n for lo, hi, n in zip(resolved["grid.lower"], resolved["grid.upper"],
                                                  resolved["grid.cells"]))


def geometry_schema():
    """grid.cells, grid.lower, grid.upper and the spacing (parleak.spacing):
    the keys a problem's own keys may depend on (they come before them)."""
    return {
        "grid.cells": Key(int, length=(1, 3), valid=at_least(1), help="cells per axis, x first; 1 to 3 entries"),
        "grid.lower": Key(float, default=lambda r: [0.0] * dim(r), length=dim, help="lower domain corner, cm"),
        "grid.upper": Key(float, default=lambda r: [1.0] * dim(r), length=dim, help="upper domain corner, cm"),
        **spacing_keys(),
    }


def layout_schema(min_ghost, n_ranks):
    """grid.ghost (default min_ghost(resolved), the problem's scheme),
    grid.procs (default choose_process_grid for n_ranks) and the
    boundaries (after the problem's keys)."""
    def procs(resolved):
        split = choose_process_grid(resolved["grid.cells"], n_ranks, resolved["grid.ghost"])
        if split is None:
            raise ConfigError(
                f"grid.cells = {resolved['grid.cells']} cannot be split over {n_ranks} ranks with at least "
                f"grid.ghost = {resolved['grid.ghost']} cells per rank along each split axis; "
                "use more cells or fewer ranks")
        return list(split)
    keys = {
        "grid.ghost": Key(int, default=min_ghost, valid=in_range(0, 8), help="ghost width, cells"),
        "grid.procs": Key(int, default=procs, length=dim, valid=at_least(1),
                          help="ranks per axis; their product must be the number of ranks"),
    }
    for face in FACES:
        keys[f"grid.boundary.{face}"] = Key(str, default="periodic", choices=BOUNDARY_KINDS)
    keys.update(centre_key())
    return keys


def check_geometry(values, raw, where):
    """ConfigError for grid keys that contradict each other: a boundary
    of an axis the grid does not have (raw: the keys given), upper <=
    lower, an unpaired periodic face; where(*names) says where the values
    of the keys came from."""
    n_axes = dim(values)
    for face in FACES[2 * n_axes:]:
        if f"grid.boundary.{face}" in raw:
            raise ConfigError(f"grid.boundary.{face} is set but the grid is {n_axes}-D (grid.cells has {n_axes} "
                              f"entries){where(f'grid.boundary.{face}', 'grid.cells')}; remove it")
    for a, axis in enumerate(AXES[:n_axes]):
        if values["grid.upper"][a] <= values["grid.lower"][a]:
            raise ConfigError(f"grid.upper[{a}] = {values['grid.upper'][a]!r}{where('grid.upper', 'grid.lower')}: "
                              f"must be > grid.lower[{a}] = {values['grid.lower'][a]!r}")
        faces = (f"grid.boundary.{axis}_lower", f"grid.boundary.{axis}_upper")
        lower, upper = (values[face] for face in faces)
        if (lower == "periodic") != (upper == "periodic"):
            raise ConfigError(f"{faces[0]} = {lower!r} and {faces[1]} = {upper!r}{where(*faces)}: periodic faces "
                              "come in pairs; make both periodic or neither")
    check_spacing(values, raw, where)


def check_layout(values, n_ranks, where):
    """ConfigError unless grid.procs splits the cells over n_ranks ranks
    with at least grid.ghost cells per rank along every split axis."""
    procs = values["grid.procs"]
    if math.prod(procs) != n_ranks:
        raise ConfigError(f"grid.procs = {procs}{where('grid.procs')}: their product must equal the number of ranks, "
                          f"{n_ranks}")
    for a, (n, p) in enumerate(zip(values["grid.cells"], procs)):
        if p > 1 and n // p < values["grid.ghost"]:
            raise ConfigError(f"grid.procs = {procs}{where('grid.procs', 'grid.cells')}: {n} cells along {AXES[a]} "
                              f"over {p} ranks leaves fewer than grid.ghost = {values['grid.ghost']} cells on a rank")


def choose_process_grid(cells, n_ranks, ghost):
    """Process counts per axis (x, y, z) for `n_ranks` ranks.

    Among the factorisations that leave every rank at least `ghost` cells
    along each split axis, take the one with the fewest ghost cells in all
    (the least halo traffic); ties go to splitting z, then y (slabs that
    are contiguous in memory and in the dump). Returns None when no
    factorisation fits.
    """
    n_axes = len(cells)
    best = None
    for split in itertools.product(range(1, n_ranks + 1), repeat=n_axes):
        if int(np.prod(split)) != n_ranks:
            continue
        if any(n // p < ghost for n, p in zip(cells, split) if p > 1):
            continue
        halo = sum(
            2 * ghost * (p - 1) * int(np.prod([m for b, m in enumerate(cells) if b != a]))
            for a, p in enumerate(split))
        rank_key = (halo, tuple(-p for p in reversed(split)))
        if best is None or rank_key < best[0]:
            best = (rank_key, split)
    return None if best is None else best[1]


# -- the grid.* keys of the spacing ------------------------------------------
def _uniform_width(resolved):
    return min((hi - lo) / n for lo, hi, n in zip(resolved["grid.lower"], resolved["grid.upper"],
                                                  resolved["grid.cells"]))


def spacing_keys():
    """grid.spacing and the keys of the stretched and explicit spacings
    (after grid.cells, grid.lower, grid.upper)."""
    keys = {
        "grid.spacing": Key(str, default="uniform", choices=SPACINGS,
                            help="uniform cells, cells stretched geometrically away from grid.stretch_center, or "
                                 "the faces of grid.faces.x/y/z"),
        "grid.min_width": Key(float, default=_uniform_width, valid=positive(),
                              help="stretched: the cell width within grid.uniform_extent of the centre, cm"),
        "grid.uniform_extent": Key(float, default=0.0, valid=at_least(0.0),
                                   help="stretched: the distance from the centre covered by cells of "
                                        "grid.min_width, cm"),
    }
    for a, axis in enumerate(AXES):
        keys[f"grid.faces.{axis}"] = Key(
            float, default=[], from_file=True,
            length=lambda r, a=a: r["grid.cells"][a] + 1 if a < len(r["grid.cells"]) else 0,
            help=f"faces: the grid.cells[{a}] + 1 face coordinates along {axis}, cm, increasing from grid.lower "
                 "to grid.upper: a list or the path of a one-column text file (relative to the config file's "
                 "directory; to the working directory with --set)")
    return keys


def centre_key():
    """grid.stretch_center (after the boundaries, which set its default:
    the lower face on axes whose lower face is reflecting, else the
    domain's centre)."""
    def default(r):
        return [lo if r[f"grid.boundary.{AXES[a]}_lower"] == "reflecting" else 0.5 * (lo + hi)
                for a, (lo, hi) in enumerate(zip(r["grid.lower"], r["grid.upper"]))]
    return {"grid.stretch_center": Key(float, default=default, length=lambda r: len(r["grid.cells"]),
                                       help="stretched: the point the widths grow away from, cm per axis")}


SPACING_KEYS = ("grid.spacing", "grid.min_width", "grid.uniform_extent", "grid.stretch_center",
                *(f"grid.faces.{axis}" for axis in AXES))


def unused_keys(values):
    """The spacing keys that do not apply to the resolved `values` (left
    out of the resolved config, so that a uniform grid's config reads as
    before stretched grids existed)."""
    spacing, n_axes = values["grid.spacing"], len(values["grid.cells"])
    used = {"uniform": (), "stretched": SPACING_KEYS[:4],
            "faces": ("grid.spacing", *SPACING_KEYS[4:4 + n_axes])}[spacing]
    return [name for name in SPACING_KEYS if name not in used and name in values]


def check_spacing(values, raw, where):
    """ConfigError for spacing keys that do not apply or cannot be met."""
    spacing, n_axes = values["grid.spacing"], len(values["grid.cells"])
    wanted = {"uniform": (), "stretched": SPACING_KEYS[1:4], "faces": SPACING_KEYS[4:4 + n_axes]}[spacing]
    for name in SPACING_KEYS[1:]:
        if name in raw and name not in wanted:
            use = "stretched" if name in SPACING_KEYS[1:4] else "faces"
            extra = f" (the grid is {n_axes}-D)" if name in SPACING_KEYS[4 + n_axes:] else ""
            raise ConfigError(f"{name} is set{where(name, 'grid.spacing')} but grid.spacing = {spacing!r}{extra}; "
                              f"remove it or set grid.spacing = {use!r}")
    if spacing == "stretched" and "grid.min_width" not in raw:
        raise ConfigError(f"grid.spacing = 'stretched'{where('grid.spacing')} needs grid.min_width, the width of the "
                          "central cells in cm")
    for name in wanted if spacing == "faces" else ():
        if name not in raw:
            raise ConfigError(f"grid.spacing = 'faces'{where('grid.spacing')} needs {name}: the face coordinates "
                              "along that axis, a list or the path of a one-column text file")
    axis_faces(values, where)


def axis_faces(values, where=lambda *names: ""):
    """The face coordinates of each axis (a list of 1-D arrays, x first),
    or None for a uniform grid. ConfigError when they cannot be met."""
    spacing = values.get("grid.spacing", "uniform")
    if spacing == "uniform":
        return None
    faces = []
    for a, (n, lo, hi) in enumerate(zip(values["grid.cells"], values["grid.lower"], values["grid.upper"])):
        axis = AXES[a]
        if spacing == "stretched":
            try:
                faces.append(stretched_faces(lo, hi, n, values["grid.min_width"], values["grid.uniform_extent"],
                                             values["grid.stretch_center"][a], axis)[0])
            except ConfigError as err:
                names = ("grid.cells", "grid.min_width", "grid.uniform_extent", "grid.stretch_center")
                raise ConfigError(f"{err}{where(*names)}") from None
            continue
        given = np.array(values[f"grid.faces.{axis}"])
        name = f"grid.faces.{axis}"
        if np.any(np.diff(given) <= 0.0):
            raise ConfigError(f"{name}{where(name)}: the faces must increase strictly")
        if given[0] != lo or given[-1] != hi:
            raise ConfigError(f"{name}{where(name, 'grid.lower', 'grid.upper')}: runs from {given[0]!r} to "
                              f"{given[-1]!r} but the domain along {axis} is grid.lower[{a}] = {lo!r} to "
                              f"grid.upper[{a}] = {hi!r}; make them agree")
        faces.append(given)
    return faces
