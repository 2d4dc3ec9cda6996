"""Angle-averaged radial profiles of dump fields, the centre they are taken
about, and the neutrinosphere radii.

The centre, per axis: the coordinate origin 0 where the lower face is
reflecting and lies at 0 (an octant, quarter or half domain mirrored at
the origin), otherwise the middle of the domain. Axes a 1-D or 2-D grid
does not have contribute nothing to the radius.
"""

import math
from dataclasses import dataclass

import numpy as np

from parleak.neutrino.optical_depth import SPHERE_DEPTH, equivalent_radius


@dataclass
class Profile:
    """A radial profile: per bin (edges: n + 1 radii, cm) the mean radius of
    its cells r (cm), the mean value of the field over them (every cell has
    the same volume, so this is the volume average over the shell), and
    the number of cells; empty bins hold NaN."""

    edges: np.ndarray
    r: np.ndarray
    value: np.ndarray
    count: np.ndarray


def radii(x, y, z, centre):
    """Distance (cm) of every cell [z, y, x] from centre (cx, cy, cz)."""
    cx, cy, cz = centre
    return np.sqrt((z[:, None, None] - cz) ** 2 + (y[None, :, None] - cy) ** 2 + (x[None, None, :] - cx) ** 2)


def radial_profile(field, x, y, z, centre, bins):
    """Profile of `field` ([z, y, x], cells centred at x, y, z in cm) about
    `centre` (cm, per axis x, y, z); bins: the bin edges (cm), or a number
    of equal bins from 0 to the largest cell radius."""
    r = radii(x, y, z, centre).ravel()
    values = np.asarray(field, dtype=float).ravel()
    edges = np.linspace(0.0, r.max() * (1.0 + 1e-12), int(bins) + 1) if np.ndim(bins) == 0 else np.asarray(bins, float)
    which = np.digitize(r, edges) - 1
    inside = (which >= 0) & (which < edges.size - 1)
    n_bins = edges.size - 1
    count = np.bincount(which[inside], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_r = np.bincount(which[inside], r[inside], n_bins) / count
        mean = np.bincount(which[inside], values[inside], n_bins) / count
    return Profile(edges, mean_r, mean, count)


def profile_centre(dump):
    """The centre (cm, x, y, z) of a dump's radial profiles (see the module
    docstring)."""
    dim = int(dump.attrs["dim"])
    lower, upper = dump.attrs["lower"], dump.attrs["upper"]
    centre = []
    for a, axis in enumerate("xyz"):
        if a >= dim:
            centre.append(float(getattr(dump, axis)[0]))  # the single cell's centre: no offset along this axis
        elif dump.attrs[f"boundary_{axis}_lower"] == "reflecting" and lower[a] == 0.0:
            centre.append(0.0)
        else:
            centre.append(0.5 * (lower[a] + upper[a]))
    return tuple(centre)


def default_bins(dump):
    """Bin edges one cell wide (the smallest spacing of the grid's axes)
    from 0 to the largest cell radius about profile_centre."""
    dim = int(dump.attrs["dim"])
    width = min((dump.attrs["upper"][a] - dump.attrs["lower"][a]) / dump.attrs["cells"][a] for a in range(dim))
    largest = radii(dump.x, dump.y, dump.z, profile_centre(dump)).max()
    return np.arange(math.ceil(largest / width * (1.0 + 1e-12)) + 1) * width


def sphere_radius(tau, dump):
    """Angle-averaged radius (cm) of the region tau >= 2/3 (a neutrinosphere):
    the radius of the sphere (3-D; the circle in 2-D, the half-length in
    1-D) of its volume, doubled per reflecting face, the definition of
    parleak.neutrino.optical_depth.OpticalDepth.sphere_radius."""
    dim = int(dump.attrs["dim"])
    cell_volume = math.prod((dump.attrs["upper"][a] - dump.attrs["lower"][a]) / dump.attrs["cells"][a]
                            for a in range(dim))
    mirrors = sum(dump.attrs[f"boundary_{axis}_{side}"] == "reflecting" for axis in "xyz"[:dim]
                  for side in ("lower", "upper"))
    return equivalent_radius(np.count_nonzero(tau >= SPHERE_DEPTH) * cell_volume * 2.0 ** mirrors, dim)
