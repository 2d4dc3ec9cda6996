"""Whole-star values of a run on a symmetric part of a star.

A star on an octant (reflecting planes through its centre at the lower x, y
and z faces) holds 1/8 of the star: its mirror images across the reflecting
planes fill the rest. Every extensive value (luminosities, number rates,
masses, energies, lepton numbers, the budgets' terms) of the whole star is
then `factor` times the grid total, with

    factor = 2 ** (the number of reflecting faces through the centre),

8 for an octant, 2 for a half domain, 1 for a full domain and for a run
without a star (no central gravity, hence no centre). Intensive values
(mean energies, radii, central values, Ye) are unchanged. The factor is a
power of two, so multiplying by it is exact in floating point: a budget
that closes on the grid's totals closes on the whole star's to the same
bits. Pure Python: no MPI, grid or files.
"""

from parleak.config import Config
from parleak.grid_keys import AXES

CENTRAL_GRAVITY = ("point_mass", "monopole")  # gravity.kind values with a centre (gravity.centre)
FACE_TOLERANCE = 1e-9  # a reflecting face passes through the centre within this fraction of the domain's width


def symmetry_factor(boundaries, lower, upper, centre):
    """(factor, the names of the mirror axes) of a domain [lower, upper]
    (cm, per active axis x, y, z) with face kinds `boundaries`
    ("x_lower" ... -> kind) about `centre` (cm per active axis, or None: no
    star, factor 1). An axis counts when its lower or upper face is
    reflecting and lies at the centre's coordinate (within FACE_TOLERANCE
    of the axis' width)."""
    if centre is None:
        return 1, ()
    mirrors = []
    for a, (lo, hi, c) in enumerate(zip(lower, upper, centre)):
        close = FACE_TOLERANCE * (hi - lo)
        if any(boundaries[f"{AXES[a]}_{side}"] == "reflecting" and abs(face - c) <= close
               for side, face in (("lower", lo), ("upper", hi))):
            mirrors.append(AXES[a])
    return 2 ** len(mirrors), tuple(mirrors)


def config_symmetry(values):
    """symmetry_factor of a run's validated keys (a Config, or its dict of
    values): its grid.* keys and the centre of its gravity, gravity.centre
    where gravity.kind is point_mass or monopole or where the problem fixes
    its gravity (no gravity.kind key: the polytrope's monopole); no centre,
    factor 1, otherwise."""
    if isinstance(values, Config):
        values = values.values
    kind = values.get("gravity.kind", "monopole" if "gravity.centre" in values else None)
    if kind not in CENTRAL_GRAVITY:
        return 1, ()
    boundaries = {key[len("grid.boundary."):]: kind for key, kind in values.items()
                  if key.startswith("grid.boundary.")}
    return symmetry_factor(boundaries, values["grid.lower"], values["grid.upper"], values["gravity.centre"])


def describe(factor, mirrors):
    """The log line's words for the factor."""
    if factor == 1:
        return "whole-star values: 1 x the domain's (no reflecting face through a star's centre)"
    faces = ", ".join(mirrors)
    return f"whole-star values: {factor} x the domain's (reflecting faces {faces} through the centre)"


def scale_row(row, columns, factor):
    """Multiply the `columns` of the dict `row` (those it has) by factor,
    in place; returns row."""
    for name in columns:
        if name in row:
            row[name] = factor * row[name]
    return row
