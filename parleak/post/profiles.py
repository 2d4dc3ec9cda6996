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
    its cells r (cm), the volume average of the field over them (on a
    uniform grid the plain mean: every cell has the same volume), and the
    number of cells; empty bins hold NaN."""

    edges: np.ndarray
    r: np.ndarray
    value: np.ndarray
    count: np.ndarray


def radii(x, y, z, centre):
    """Distance (cm) of every cell [z, y, x] from centre (cx, cy, cz)."""
    cx, cy, cz = centre
    return np.sqrt((z[:, None, None] - cz) ** 2 + (y[None, :, None] - cy) ** 2 + (x[None, None, :] - cx) ** 2)


def radial_profile(field, x, y, z, centre, bins, volumes=None):
    """Profile of `field` ([z, y, x], cells centred at x, y, z in cm) about
    `centre` (cm, per axis x, y, z); bins: the bin edges (cm), or a number
    of equal bins from 0 to the largest cell radius. volumes: the cells'
    volumes (broadcastable to the field) to weight r and the value by, sum
    of V f / sum of V over a bin's cells; None: equal volumes."""
    r = radii(x, y, z, centre).ravel()
    values = np.asarray(field, dtype=float).ravel()
    edges = np.linspace(0.0, r.max() * (1.0 + 1e-12), int(bins) + 1) if np.ndim(bins) == 0 else np.asarray(bins, float)
    which = np.digitize(r, edges) - 1
    inside = (which >= 0) & (which < edges.size - 1)
    n_bins = edges.size - 1
    count = np.bincount(which[inside], minlength=n_bins)
    volume = None if volumes is None else np.broadcast_to(volumes, np.shape(field)).ravel()[inside]
    total = count if volume is None else np.bincount(which[inside], volume, n_bins)

    def average(q):
        return np.bincount(which[inside], q if volume is None else q * volume, n_bins) / total
    with np.errstate(invalid="ignore", divide="ignore"):
        return Profile(edges, average(r[inside]), average(values[inside]), count)


def dump_profile(dump, values, centre, bins):
    """radial_profile of `values` ([z, y, x]) over the cells of `dump`,
    weighted by the cells' volumes where the dump's grid is stretched."""
    return radial_profile(values, dump.x, dump.y, dump.z, centre, bins, None if dump.uniform else dump.volumes())


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
    """Bin edges from 0 to the largest cell radius about profile_centre:
    one cell wide (the smallest spacing of the grid's axes) on a uniform
    grid; on a stretched one, the distances from the centre of the faces
    beyond it along the axis with the narrowest cell (bins as wide as the
    cells there), continued with the last width past the domain's edge."""
    dim = int(dump.attrs["dim"])
    centre = profile_centre(dump)
    largest = radii(dump.x, dump.y, dump.z, centre).max()
    if dump.uniform:
        width = min((dump.attrs["upper"][a] - dump.attrs["lower"][a]) / dump.attrs["cells"][a] for a in range(dim))
        return np.arange(math.ceil(largest / width * (1.0 + 1e-12)) + 1) * width
    axis = min(range(dim), key=lambda a: dump.widths(a).min())
    beyond = dump.faces[axis][dump.faces[axis] > centre[axis]] - centre[axis]
    edges = np.concatenate([[0.0], beyond])
    last = edges[-1] - edges[-2]
    extra = max(0, math.ceil((largest * (1.0 + 1e-12) - edges[-1]) / last))
    return np.concatenate([edges, edges[-1] + last * np.arange(1, extra + 1)])


def sphere_radius(tau, dump):
    """Angle-averaged radius (cm) of the region tau >= 2/3 (a neutrinosphere):
    the radius of the sphere (3-D; the circle in 2-D, the half-length in
    1-D) of its volume (the cells' volumes summed, correctly rounded, on a
    stretched grid) times the dump's symmetry_factor (parleak.whole_star;
    dumps written before it: 2 per reflecting face), the definition of
    parleak.neutrino.optical_depth.OpticalDepth.sphere_radius."""
    dim = int(dump.attrs["dim"])
    mirrors = sum(dump.attrs[f"boundary_{axis}_{side}"] == "reflecting" for axis in "xyz"[:dim]
                  for side in ("lower", "upper"))
    factor = float(dump.attrs.get("symmetry_factor", 2.0 ** mirrors))
    inside = tau >= SPHERE_DEPTH
    if dump.uniform:
        cell_volume = math.prod((dump.attrs["upper"][a] - dump.attrs["lower"][a]) / dump.attrs["cells"][a]
                                for a in range(dim))
        volume = np.count_nonzero(inside) * cell_volume
    else:
        volume = math.fsum(np.broadcast_to(dump.volumes(), inside.shape)[inside])
    return equivalent_radius(volume * factor, dim)
