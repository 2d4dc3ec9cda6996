"""Cell widths along the axes of a tensor-product grid: uniform, stretched
geometrically away from a centre, or given face by face. Pure numpy, no
MPI: every rank computes the same widths from the same config.

Stretched spacing (grid.spacing = "stretched"), per axis: cells of width
h = grid.min_width cover grid.uniform_extent on each side of the stretch
centre c (rounded up to whole cells); beyond that the widths grow by a
constant ratio r per cell, h r, h r^2, ..., h r^m, with r solved so that
the m cells of a side end exactly on its domain face,

    h r (r^m - 1) / (r - 1) = D   (D: the side's length beyond the
                                   uniform part).

A side shorter than the uniform extent is uniform, its length split
into whole cells. When both sides stretch, the cells beyond the uniform
part are split between them so that their ratios are as close as
possible (equal for a centre in the middle of the axis); rank 0 logs the
larger. Faces are summed outward from c, so a grid symmetric about
c = 0 has mirrored faces bitwise.
"""

import math

import numpy as np

from parleak.config import ConfigError
SPACINGS = ("uniform", "stretched", "faces")
MAX_RATIO = 1.15


def _side_length(h, ratio, m):
    """Length of m cells h r, h r^2, ..., h r^m, cm."""
    if m == 0:
        return 0.0
    if ratio == 1.0:
        return h * m
    if m * math.log(ratio) > 700.0:
        return math.inf
    return h * ratio * (ratio ** m - 1.0) / (ratio - 1.0)


def solve_ratio(h, length, m):
    """The ratio r with h r (r^m - 1) / (r - 1) = length (m >= 1 cells),
    by bisection to round-off; below 1 when m cells of width h are
    already longer than `length`."""
    lo, hi = 1e-3, 2.0
    while _side_length(h, hi, m) < length:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if _side_length(h, mid, m) < length else (lo, mid)
    return 0.5 * (lo + hi)


def _side_cells(side_length, h, extent):
    """(uniform cells, their width, the length left to stretch) of one side."""
    if side_length <= 0.0:
        return 0, h, 0.0
    if side_length <= extent * (1.0 + 1e-12) or side_length <= h * (1.0 + 1e-12):
        n = max(1, round(side_length / h))
        return n, side_length / n, 0.0
    n = math.ceil(extent / h - 1e-9)
    return n, h, max(0.0, side_length - n * h)


def _cells_for_ratio(h, length, ratio):
    """The fewest cells with ratio <= `ratio` that span `length`."""
    if length <= 0.0:
        return 0
    return math.ceil(math.log(1.0 + length * (ratio - 1.0) / (h * ratio)) / math.log(ratio) - 1e-9)


def stretched_faces(lower, upper, cells, min_width, extent, centre, axis="x"):
    """(face coordinates from lower to upper, cm; the larger ratio) for one
    axis; see the module docstring. ConfigError when the combination
    cannot be met."""
    keys = "grid.cells, grid.min_width, grid.uniform_extent and grid.stretch_center"
    if not lower <= centre <= upper:
        raise ConfigError(f"grid.stretch_center along {axis} = {centre!r} lies outside the domain "
                          f"[{lower!r}, {upper!r}]; give a point inside it")
    sides = [_side_cells(centre - lower, min_width, extent), _side_cells(upper - centre, min_width, extent)]
    n_uniform = sides[0][0] + sides[1][0]
    stretched = [rest > 0.0 for _, _, rest in sides]
    n_stretched = cells - n_uniform
    fewest = n_uniform + sum(_cells_for_ratio(min_width, rest, MAX_RATIO) for _, _, rest in sides)
    if not any(stretched) and n_stretched != 0:
        raise ConfigError(f"{keys} along {axis}: grid.uniform_extent covers the whole axis, in {n_uniform} cells "
                          f"of about {min_width!r} cm, but grid.cells gives {cells}; use {n_uniform} cells or a "
                          "smaller grid.uniform_extent")
    if n_stretched < sum(stretched):
        raise ConfigError(f"{keys} along {axis}: the uniform part alone needs {n_uniform} cells of "
                          f"{min_width!r} cm, but grid.cells gives {cells}; use at least {fewest} cells (a width "
                          "ratio of at most 1.15 beyond it), a larger grid.min_width or a smaller "
                          "grid.uniform_extent")
    counts = _split(min_width, [rest for _, _, rest in sides], n_stretched, stretched)
    ratios = [solve_ratio(min_width, rest, m) if m else 1.0 for (_, _, rest), m in zip(sides, counts)]
    bad = [r for r, m in zip(ratios, counts) if m and not 1.0 - 1e-12 <= r <= MAX_RATIO]
    ratio = bad[0] if bad else max(ratios)
    if bad:
        most = n_uniform + sum(math.floor(rest / min_width) for _, _, rest in sides)
        raise ConfigError(f"{keys} along {axis}: {cells} cells need a width ratio of {ratio:.6g} per cell (at most "
                          f"{MAX_RATIO} and at least 1 can be met); with grid.min_width = {min_width!r} cm use "
                          f"{fewest} to {most} cells along {axis}, or change grid.min_width")
    lower_side, upper_side = (
        np.cumsum([width] * n_u + [min_width * r ** k for k in range(1, m + 1)])
        for (n_u, width, _), m, r in zip(sides, counts, ratios))
    faces = np.concatenate([centre - lower_side[::-1], [centre], centre + upper_side])
    faces[0], faces[-1] = lower, upper
    return faces, ratio


def _split(h, rests, n_stretched, stretched):
    """Stretched cells per side: all to the one side that stretches, or
    the split between two sides whose ratios are closest."""
    if not any(stretched):
        return [0, 0]
    if not all(stretched):
        return [n_stretched, 0] if stretched[0] else [0, n_stretched]
    lo, hi = 1, n_stretched - 1  # bisect on the lower side's count: its ratio falls as it grows
    while lo < hi:
        mid = (lo + hi) // 2
        if solve_ratio(h, rests[0], mid) > solve_ratio(h, rests[1], n_stretched - mid):
            lo = mid + 1
        else:
            hi = mid
    best = min((m for m in (lo - 1, lo) if 1 <= m <= n_stretched - 1),
               key=lambda m: max(solve_ratio(h, rests[0], m), solve_ratio(h, rests[1], n_stretched - m)))
    return [best, n_stretched - best]


def uniform_faces(lower, upper, cells):
    """Faces of n cells of width (upper - lower) / n, cm."""
    return lower + np.arange(cells + 1) * ((upper - lower) / cells)


def describe(faces, axes="xyz"):
    """Words for rank 0's log: per axis the narrowest and widest cell and
    the largest ratio of neighbouring widths."""
    parts = []
    for axis, f in zip(axes, faces):
        widths = np.diff(f)
        ratio = float(np.max(np.maximum(widths[1:] / widths[:-1], widths[:-1] / widths[1:]), initial=1.0))
        parts.append(f"{axis}: widths {widths.min():.4g} to {widths.max():.4g} cm, ratio {ratio:.4f}")
    return "stretched grid, " + "; ".join(parts)
