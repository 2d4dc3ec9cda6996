"""Reconstruction of cell averages to the faces along one row.

Row functions take the rows of one variable at fixed offsets from the
faces: q_m1 is the row of cells just left of the faces, q_0 the cells just
right of them, q_m2 the cells left of q_m1, and so on, all 1-D and as long
as the face row. They write the left state (from the cell left of a face)
and the right state (from the cell right of it). A face's states depend
only on its neighbourhood, so the same code serves every axis.
"""

import numba

from parleak.reconstruct import MC, MINMOD, limited_slope

PLM_MINMOD = 0
PLM_MC = 1
PPM = 2
RECONSTRUCTIONS = {"plm-minmod": PLM_MINMOD, "plm-mc": PLM_MC, "ppm": PPM}
GHOST_NEEDED = {PLM_MINMOD: 2, PLM_MC: 2, PPM: 3}


@numba.njit(cache=True, inline="always", error_model="numpy")
def _plm_row(q_m2, q_m1, q_0, q_p1, left, right, limiter):
    # Two loops, each with one output row: fewer overlap checks to vectorise.
    for f in range(left.size):
        left[f] = q_m1[f] + 0.5 * limited_slope(q_m1[f] - q_m2[f], q_0[f] - q_m1[f], limiter)
    for f in range(right.size):
        right[f] = q_0[f] - 0.5 * limited_slope(q_0[f] - q_m1[f], q_p1[f] - q_0[f], limiter)


@numba.njit(cache=True, error_model="numpy")
def plm_faces_row(q_m2, q_m1, q_0, q_p1, left, right, limiter):
    """Piecewise-linear face states (van Leer 1979) with the MINMOD or MC
    limiter of parleak.reconstruct: q_face = q +- slope / 2."""
    if limiter == MINMOD:
        _plm_row(q_m2, q_m1, q_0, q_p1, left, right, MINMOD)
    else:
        _plm_row(q_m2, q_m1, q_0, q_p1, left, right, MC)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _ppm_interface(q_a, q_b, q_c, q_d):
    """Value at the face between q_b and q_c, Colella & Woodward (1984)
    eq. (1.6) with the limited slopes of eq. (1.8) (the MC limiter)."""
    slope_b = limited_slope(q_b - q_a, q_c - q_b, MC)
    slope_c = limited_slope(q_c - q_b, q_d - q_c, MC)
    return q_b + 0.5 * (q_c - q_b) - (slope_c - slope_b) / 6.0


@numba.njit(cache=True, inline="always", error_model="numpy")
def _ppm_monotone(q, a_minus, a_plus):
    """Colella & Woodward (1984) eq. (1.10): a cell's face values made
    monotone. Returns (a_minus, a_plus), the values at its left and right
    faces."""
    if (a_plus - q) * (q - a_minus) <= 0.0:
        return q, q
    jump = a_plus - a_minus
    curvature = jump * (q - 0.5 * (a_minus + a_plus))
    if curvature > jump * jump / 6.0:
        return 3.0 * q - 2.0 * a_plus, a_plus
    if curvature < -jump * jump / 6.0:
        return a_minus, 3.0 * q - 2.0 * a_minus
    return a_minus, a_plus


@numba.njit(cache=True, error_model="numpy")
def ppm_faces_row(q_m3, q_m2, q_m1, q_0, q_p1, q_p2, left, right):
    """Piecewise-parabolic face states (Colella & Woodward 1984, eqs.
    1.6-1.10, without steepening or flattening), as used in method-of-lines
    schemes: the parabola's edge values are the face states."""
    for f in range(left.size):
        a_lower = _ppm_interface(q_m3[f], q_m2[f], q_m1[f], q_0[f])
        a_face = _ppm_interface(q_m2[f], q_m1[f], q_0[f], q_p1[f])
        a_upper = _ppm_interface(q_m1[f], q_0[f], q_p1[f], q_p2[f])
        left[f] = _ppm_monotone(q_m1[f], a_lower, a_face)[1]
        right[f] = _ppm_monotone(q_0[f], a_face, a_upper)[0]
