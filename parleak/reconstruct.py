"""Slope limiters for piecewise-linear (PLM) reconstruction (van Leer 1979).

Limiters are selected by an integer so that kernels stay plain numba code.
With a, b the left and right differences of a cell, and zero slope where
they differ in sign (a * b <= 0):
  MINMOD:  min(|a|, |b|) with the common sign (the most diffusive)
  MC:      min(2|a|, 2|b|, |a + b| / 2) with the common sign, the
           monotonised-central limiter (van Leer 1977)
  VANLEER: 2 a b / (a + b), the harmonic mean (van Leer 1974); it clips
           smooth extrema least, so smooth solutions reach second order
           at lower resolution
"""

import math

import numba

MINMOD = 0
MC = 1
VANLEER = 2
LIMITERS = {"minmod": MINMOD, "mc": MC, "vanleer": VANLEER}


@numba.njit(cache=True, inline="always", error_model="numpy")
def limited_slope(left_diff, right_diff, limiter):
    """Limited cell slope (per cell) from the one-sided differences.

    Every limiter here is symmetric, slope(a, b) = slope(b, a), and odd,
    slope(-a, -b) = -slope(a, b). Call it with a constant `limiter` inside
    a loop so that the branch folds away and the loop vectorises.
    """
    if limiter == VANLEER:
        magnitude = abs(2.0 * left_diff * right_diff / (left_diff + right_diff))
    elif limiter == MINMOD:
        magnitude = min(abs(left_diff), abs(right_diff))
    else:
        magnitude = min(min(2.0 * abs(left_diff), 2.0 * abs(right_diff)), 0.5 * abs(left_diff + right_diff))
    # Written as selects (no early return), so that loops over it vectorise.
    magnitude = magnitude if left_diff * right_diff > 0.0 else 0.0
    return math.copysign(magnitude, left_diff)
