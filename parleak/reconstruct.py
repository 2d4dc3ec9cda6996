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

Non-uniform cells: the limiters are homogeneous, slope(c a, c b) =
c slope(a, b), so with the half-cell increments of cell i (width w_i)
    a = (q_i - q_{i-1}) w_i / (w_{i-1} + w_i),
    b = (q_{i+1} - q_i) w_i / (w_i + w_{i+1})
(the one-sided gradients between the cell centres times w_i / 2) the face
values are q_i -+ slope(a, b), the slope capped by min(|q_i - q_{i-1}|,
|q_{i+1} - q_i|) (`limited_increment`): on uniform cells MC and van Leer
never exceed 2 min(|a|, |b|), which is that bound, but where w_i is wider
than a neighbour 2 |a| exceeds |q_i - q_{i-1}|, and the face value would
pass the neighbour's average (a negative pressure at a star's surface).
On equal widths the coefficients are exactly 1/2 and the result is
bitwise that of q_i -+ slope(dq_l, dq_r) / 2; on any widths the faces of
linear data are exact.
"""

import math

import numba
import numpy as np

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


@numba.njit(cache=True, inline="always", error_model="numpy")
def limited_increment(left_diff, right_diff, left_coef, right_coef, limiter):
    """The limited half-cell increment of a non-uniform cell from its
    differences to the left and right neighbours' averages and the
    coefficients of plm_coefficients (module docstring)."""
    slope = limited_slope(left_diff * left_coef, right_diff * right_coef, limiter)
    return math.copysign(min(abs(slope), min(abs(left_diff), abs(right_diff))), slope)


def plm_coefficients(widths):
    """(2, n) coefficients of the n cells of a row of `widths` (cm, n >= 2):
    [0] w_i / (w_{i-1} + w_i) and [1] w_i / (w_i + w_{i+1}), the end cells
    taking their missing neighbour's width as their own."""
    w = np.asarray(widths, dtype=float)
    padded = np.concatenate([w[:1], w, w[-1:]])
    return np.stack([w / (padded[:-2] + w), w / (w + padded[2:])])
