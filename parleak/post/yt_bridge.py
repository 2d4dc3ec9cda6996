"""Handing a dump to yt (https://yt-project.org) as a uniform grid, or a
stretched one through load_uniform_grid's cell_widths (yt 4.2 or later)."""

import numpy as np

YT_MISSING = ("parleak.post.to_yt needs yt, which is not installed (pip install yt); "
              "parleak.post.yt_arguments(dump) gives the arguments for yt.load_uniform_grid without it")


def yt_units(units):
    """A dump's units string in yt's (unyt's) spelling: ^ -> **, "1" ->
    "dimensionless"."""
    return "dimensionless" if units in ("", "1") else units.replace("^", "**")


def yt_arguments(dump):
    """(data, domain_dimensions, keyword arguments) for
    yt.load_uniform_grid: data maps each field to (array [x, y, z], units),
    the domain has the grid's cells per axis (1 along the axes a 1-D or 2-D
    grid lacks), bbox holds the lower and upper faces in cm, and
    periodicity is true on the axes whose faces are periodic; code units
    are cgs and sim_time is the dump's time in s. A stretched dump adds
    cell_widths: the cell widths per axis x, y, z, cm."""
    data = {name: (np.ascontiguousarray(values.T), yt_units(dump.units[name])) for name, values in dump.fields.items()}
    cells = tuple(int(n) for n in dump.attrs["cells"])
    bbox = np.array([dump.attrs["lower"], dump.attrs["upper"]], dtype=float).T
    dim = int(dump.attrs["dim"])
    periodicity = tuple(a < dim and dump.attrs[f"boundary_{axis}_lower"] == "periodic" for a, axis in enumerate("xyz"))
    options = {"bbox": bbox, "length_unit": "cm", "mass_unit": "g", "time_unit": "s", "velocity_unit": "cm/s",
               "sim_time": dump.time, "periodicity": periodicity, "unit_system": "cgs"}
    if not dump.uniform:
        options["cell_widths"] = [dump.widths(a) for a in range(3)]
    return data, cells, options


def to_yt(dump):
    """The dump as a yt dataset (yt.load_uniform_grid); ImportError with
    YT_MISSING where yt is not installed."""
    try:
        import yt
    except ImportError:
        raise ImportError(YT_MISSING) from None
    data, cells, options = yt_arguments(dump)
    return yt.load_uniform_grid(data, cells, **options)
