"""Exactly rounded summation (Shewchuk 1997, the algorithm behind math.fsum).

`exact_partials` turns an array into a short list of non-overlapping floats
whose exact sum equals the exact sum of the array. Partials from any number
of pieces can be concatenated and rounded once with `math.fsum`, so a global
sum is the correctly rounded exact sum, whatever the decomposition.
"""

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _grow(partials, n_partials, x):
    """Add x to the non-overlapping expansion partials[:n_partials] in place.

    Returns the new length; the caller ensures len(partials) > n_partials.
    """
    i = 0
    for j in range(n_partials):
        y = partials[j]
        if abs(x) < abs(y):
            x, y = y, x
        hi = x + y
        lo = y - (hi - x)
        if lo != 0.0:
            partials[i] = lo
            i += 1
        x = hi
    partials[i] = x
    return i + 1


@numba.njit(cache=True)
def _exact_partials_finite(values):
    partials = np.zeros(16)
    n_partials = 0
    for x in values:
        if n_partials + 1 >= partials.size:
            grown = np.zeros(2 * partials.size)
            grown[:n_partials] = partials[:n_partials]
            partials = grown
        n_partials = _grow(partials, n_partials, x)
    return partials[:n_partials].copy()


def exact_partials(values):
    """Non-overlapping partial sums of `values` (any shape, float64).

    Non-finite input (inf, nan) is returned as its plain sum, which carries
    the inf or nan on. Partial sums beyond the float64 range (|sum| > 1.8e308)
    turn into inf or nan, which `round_partials` passes on.
    """
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        return np.array([flat.sum()])
    return _exact_partials_finite(flat)


def round_partials(partials):
    """Correctly rounded sum of the partials of several pieces."""
    try:
        return math.fsum(partials)
    except (OverflowError, ValueError):
        return float(np.sum(partials))
