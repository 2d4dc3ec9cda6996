"""Reconstruction of cell averages to the faces along one row.

Row functions take the rows of one variable at fixed offsets from the
faces: q_m1 is the row of cells just left of the faces, q_0 the cells just
right of them, q_m2 the cells left of q_m1, and so on, all 1-D and as long
as the face row. They write the left state (from the cell left of a face)
and the right state (from the cell right of it). A face's states depend
only on its neighbourhood, so the same code serves every axis.

References for PPM:
  CW84: P. Colella & P. R. Woodward, J. Comput. Phys. 54, 174 (1984).
  CS08: P. Colella & M. D. Sekora, J. Comput. Phys. 227, 7069 (2008), "A
        limiter for PPM that preserves accuracy at smooth extrema".
  CD11: P. Colella, M. R. Dorr, J. A. F. Hittinger & D. F. Martin,
        J. Comput. Phys. 230, 2952 (2011).
  MC11: P. McCorquodale & P. Colella, Commun. Appl. Math. Comput. Sci. 6,
        1 (2011).
"""

import math

import numba
import numpy as np
from numba.extending import overload

from parleak.reconstruct import MC, MINMOD, limited_increment, limited_slope

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


def coefficient(coef, c, o, f):
    """Coefficient c of the cell at offset o from face f's upper cell:
    coef[c, o, f] of a chunk's coefficient rows (C, 4, n), or coef[c, o]
    of a (C, 4) array where they are the same for the whole chunk (along z,
    and one x row along y): numba compiles each kind, so constant
    coefficients stay out of the loop."""
    return coef[c, o, f] if np.ndim(coef) == 3 else coef[c, o]


@overload(coefficient, inline="always")
def _coefficient(coef, c, o, f):
    if coef.ndim == 3:
        return lambda coef, c, o, f: coef[c, o, f]
    return lambda coef, c, o, f: coef[c, o]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _plm_row_stretched(q_m2, q_m1, q_0, q_p1, coef, left, right, limiter):
    for f in range(left.size):
        left[f] = q_m1[f] + limited_increment(q_m1[f] - q_m2[f], q_0[f] - q_m1[f], coefficient(coef, 0, 1, f),
                                              coefficient(coef, 1, 1, f), limiter)
    for f in range(right.size):
        right[f] = q_0[f] - limited_increment(q_0[f] - q_m1[f], q_p1[f] - q_0[f], coefficient(coef, 0, 2, f),
                                              coefficient(coef, 1, 2, f), limiter)


@numba.njit(cache=True, error_model="numpy")
def plm_faces_row_stretched(q_m2, q_m1, q_0, q_p1, coef, left, right, limiter):
    """plm_faces_row on non-uniform cells: the face values q -+ slope(a, b)
    from the half-cell increments of parleak.reconstruct. coef: the
    (2, 4, >= n) rows of reconstruct.plm_coefficients for the cells at
    offsets -2 .. +1 from each face's upper cell (FaceRows)."""
    if limiter == MINMOD:
        _plm_row_stretched(q_m2, q_m1, q_0, q_p1, coef, left, right, MINMOD)
    else:
        _plm_row_stretched(q_m2, q_m1, q_0, q_p1, coef, left, right, MC)


# CS08's constant C > 1 in the limited second differences (CS08 eq. 22,
# CD11 eq. 85), independent of the cell width.
CS_C = 1.25
# MC11 eq. (27): a parabola's second difference below this fraction of the
# largest |value| of its stencil is round-off, and a limited ratio within
# this of 1 leaves a smooth extremum as it is.
CS_ROUNDOFF = 1.0e-12


@numba.njit(cache=True, inline="always", error_model="numpy")
def _second_difference(q_l, q, q_r):
    """a_{j-1} - 2 a_j + a_{j+1}, the outer values added first so that a
    mirrored row gives the same bits."""
    return (q_l + q_r) - 2.0 * q


@numba.njit(cache=True, inline="always", error_model="numpy")
def _ppm_interface(q_a, q_b, q_c, q_d, d2_b, d2_c):
    """Value at the face between q_b and q_c (cells q_a .. q_d in order;
    d2_b, d2_c: the second differences of cells b and c).

    Fourth-order interpolation, CW84 eq. (1.6) with the unlimited central
    slopes (a_{j+1} - a_{j-1}) / 2 in place of eq. (1.8):
        a = 7/12 (q_b + q_c) - 1/12 (q_a + q_d).
    Where a is not between q_b and q_c, (a - q_b)(q_c - a) < 0 (CD11 eq.
    84), it is replaced by (CS08; CD11 eq. 85)
        a = (q_b + q_c) / 2 - D2_lim / 6,  D2 = 3 (q_b - 2 a + q_c),
        D2_lim = s min(C |d2_b|, C |d2_c|, |D2|) if D2, d2_b, d2_c all
                 have the sign s, 0 otherwise.
    At a smooth extremum |D2| is the smallest, D2_lim = D2, and a stays
    (up to round-off); at a jagged one D2_lim = 0 and a is the mean.
    """
    face = (7.0 * (q_b + q_c) - (q_a + q_d)) * (1.0 / 12.0)
    return _limit_face(face, q_b, q_c, 0.5 * (q_b + q_c), 3.0 * ((q_b + q_c) - 2.0 * face), d2_b, d2_c)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _limit_face(face, q_b, q_c, mean, d2, d2_b, d2_c):
    """The CS08 limit of `face` (see _ppm_interface): mean is the value
    that a face without curvature would have, d2 = 6 (mean - face) the
    second difference that face implies, all normalised alike."""
    magnitude = min(min(CS_C * abs(d2_b), CS_C * abs(d2_c)), abs(d2))
    magnitude = magnitude if (d2 * d2_b > 0.0) & (d2 * d2_c > 0.0) else 0.0
    limited = mean - math.copysign(magnitude, d2) * (1.0 / 6.0)
    return limited if (face - q_b) * (q_c - face) < 0.0 else face


@numba.njit(cache=True, inline="always", error_model="numpy")
def _ppm_cell(q_l, q, q_r, a_minus, a_plus, d2_l, d2, d2_r, scale):
    """The parabola of cell q (neighbours q_l, q_r; cell second differences
    d2_l, d2, d2_r; face values a_minus, a_plus) made monotone except at
    smooth extrema. Returns the new (a_minus, a_plus).

    At an extremum, of the parabola, (a_plus - q)(q - a_minus) <= 0, or of
    the cell averages, (q_r - q)(q - q_l) <= 0 (CS08; MC11 sec. 2.4.1),
    CS08 eqs. (22)-(23) with the parabola's second difference
    D2 = 6 (a_minus + a_plus - 2 q):
        D2_lim = s min(C |d2_l|, C |d2|, C |d2_r|, |D2|) if all four have
                 the sign s, 0 otherwise;
        a_+- = q + (a_+- - q) rho,  rho = D2_lim / D2.
    A smooth extremum has rho = 1 and keeps its parabola; a jagged one
    (a jump, noise) has rho = 0 and is flattened, a_+- = q, as in CW84.
    MC11 eq. (27): rho = 0 where |D2| <= 1e-12 `scale` (round-off; scale
    is the largest |value| of the stencil), and rho > 1 - 1e-12 counts as
    1. So a perturbation whose second differences are below 1e-12 of the
    background is treated as round-off and clipped like in CW84.
    Elsewhere the overshoot cases of CW84 eq. (1.10), written with the
    differences q - a_minus and a_plus - q of CS08 eq. (25):
    if |q - a_minus| >= 2 |a_plus - q|, a_minus = q - 2 (a_plus - q), and
    mirrored, so that the parabola has no extremum inside the cell.
    """
    d_minus = q - a_minus
    d_plus = a_plus - q
    curvature = 6.0 * ((a_minus + a_plus) - 2.0 * q)
    magnitude = min(min(CS_C * abs(d2_l), CS_C * abs(d2_r)), min(CS_C * abs(d2), abs(curvature)))
    same_sign = (curvature * d2_l > 0.0) & (curvature * d2 > 0.0) & (curvature * d2_r > 0.0)
    resolved = abs(curvature) > CS_ROUNDOFF * scale
    rho = magnitude / (abs(curvature) if resolved else 1.0)
    rho = rho if (same_sign & resolved) else 0.0
    # Written as selects (no early return), so that the loop vectorises.
    smooth = rho > 1.0 - CS_ROUNDOFF
    extremum = (d_minus * d_plus <= 0.0) | ((q_r - q) * (q - q_l) <= 0.0)
    at_minus = a_minus if smooth else q - rho * d_minus
    at_plus = a_plus if smooth else q + rho * d_plus
    over_minus = q - 2.0 * d_plus if abs(d_minus) >= 2.0 * abs(d_plus) else a_minus
    over_plus = q + 2.0 * d_minus if abs(d_plus) >= 2.0 * abs(d_minus) else a_plus
    new_minus = at_minus if extremum else over_minus
    new_plus = at_plus if extremum else over_plus
    return new_minus, new_plus


@numba.njit(cache=True, inline="always", error_model="numpy")
def _abs_max(a, b, c, d, e):
    return max(max(max(abs(a), abs(b)), max(abs(c), abs(d))), abs(e))


@numba.njit(cache=True, error_model="numpy")
def ppm_faces_row(q_m3, q_m2, q_m1, q_0, q_p1, q_p2, left, right):
    """Piecewise-parabolic face states for method-of-lines schemes: the
    edge values of each cell's limited parabola are the face states (no
    characteristic tracing, steepening or flattening). Five cells per
    parabola: ghost width 3.

    Face values: fourth-order interpolation, limited only where a face
    value is not between its two cells (`_ppm_interface`, CS08 and CD11
    eqs. 84-85). Parabolas: the extremum-preserving limiter of CS08 eqs.
    (22)-(23) with the round-off guards of MC11 eq. (27) (`_ppm_cell`);
    away from extrema the CW84 eq. (1.10) overshoot cases. At a jump the
    second differences change sign, the limiters return 0 and a cell at an
    extremum is flattened as in CW84, so shocks are treated as in classic
    PPM except that the face values are not MC-limited (CW84 eq. 1.8):
    Sod at 400 cells, L1(rho) 9.4e-4 (HLLC) and 9.7e-4 (HLLE) against
    7.8e-4 and 8.0e-4 for classic PPM, 1.3e-3 for PLM-MC. Not positivity-
    preserving at smooth minima (CS08): a parabola may dip below the cell
    averages there, so near-vacuum problems are safer with PLM.

    Why not classic PPM (CW84 eqs. 1.6-1.10: MC-limited slopes, a_+- = q
    at every extremum), which this replaces: on the 1-D sound wave
    (tests/test_hydro.py) with SSP-RK2 at CFL 0.4 it converges at L1
    orders 1.26 then 0.49 (64/128/256 cells), for any amplitude (1e-9 to
    1e-3: not round-off). In smooth flow the two states at a face are
    equal, so the Riemann solver adds no dissipation: the spatial operator
    is the centred fourth-order one, with imaginary eigenvalues up to
    1.21 i c / dx, and SSP-RK2 is unstable on the imaginary axis,
    |R(iy)|^2 = 1 + y^4 / 4, +0.7 % per step at y = 1.21 * 0.4. Classic
    PPM clips every smooth extremum to first order, which keeps feeding
    grid-scale noise that grows until the limiter caps it; the error is
    that noise (wavelengths of 4 to 6 cells), not the wave's. With
    SSP-RK3 (stable on the imaginary axis up to |y| = sqrt 3) or CFL 0.2
    classic PPM converges at orders 1.9 to 2.3 (64 to 512 cells). This
    limiter leaves smooth extrema alone: orders 1.99 and 2.00, L1 6.4e-5
    at 256 cells (PLM-MC: 5.2e-4).

    Caveat, shared with any PPM that is not limited in smooth flow: with
    SSP-RK2 the same modes still grow from round-off, by a factor of about
    exp(0.27 N CFL^3) per crossing of N cells (exp(0.017 N) at CFL 0.4).
    On the sound wave (amplitude 1e-6) that is invisible for one crossing
    of 256 cells but spoils 512 cells (L1 9.7e-5) and five crossings of
    256 cells (9e-3; 3.5e-4 at CFL 0.3). SSP-RK3 removes it (five
    crossings: L1 1.3e-5 at 256 and 512 cells, the O(amplitude) floor of
    the linear solution), as does CFL 0.2 (orders 1.9-2.0 up to 512 cells
    over five crossings): with PPM, use time.integrator = "ssprk3" for
    long smooth runs.
    """
    # Both cells of a face from its own rows: along y and z the rows are x
    # rows, so q_m1[f + 1] is not q_0[f] and parabolas cannot be shared.
    for f in range(left.size):
        d2_m2 = _second_difference(q_m3[f], q_m2[f], q_m1[f])
        d2_m1 = _second_difference(q_m2[f], q_m1[f], q_0[f])
        d2_0 = _second_difference(q_m1[f], q_0[f], q_p1[f])
        d2_p1 = _second_difference(q_0[f], q_p1[f], q_p2[f])
        a_lower = _ppm_interface(q_m3[f], q_m2[f], q_m1[f], q_0[f], d2_m2, d2_m1)
        a_face = _ppm_interface(q_m2[f], q_m1[f], q_0[f], q_p1[f], d2_m1, d2_0)
        a_upper = _ppm_interface(q_m1[f], q_0[f], q_p1[f], q_p2[f], d2_0, d2_p1)
        scale_left = _abs_max(q_m3[f], q_m2[f], q_m1[f], q_0[f], q_p1[f])
        scale_right = _abs_max(q_m2[f], q_m1[f], q_0[f], q_p1[f], q_p2[f])
        left[f] = _ppm_cell(q_m2[f], q_m1[f], q_0[f], a_lower, a_face, d2_m2, d2_m1, d2_0, scale_left)[1]
        right[f] = _ppm_cell(q_m1[f], q_0[f], q_p1[f], a_face, a_upper, d2_m1, d2_0, d2_p1, scale_right)[0]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _stretched_face(q_a, q_b, q_c, q_d, k_b, k_c, coef, o, f):
    """_ppm_interface on non-uniform cells: the face below offset o's cell,
    its second differences those of its parabola and of the cells'
    (second derivatives k_b, k_c, 1/cm^2 times q) times w_b w_c."""
    face = ((coefficient(coef, 0, o, f) * q_a + coefficient(coef, 1, o, f) * q_b) + coefficient(coef, 2, o, f) * q_c
            ) + coefficient(coef, 3, o, f) * q_d
    mean = q_b + coefficient(coef, 4, o, f) * (q_c - q_b)
    area = coefficient(coef, 5, o, f)
    return _limit_face(face, q_b, q_c, mean, 6.0 * (mean - face), area * k_b, area * k_c)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _curvature(q_l, q, q_r, coef, o, f):
    """The second derivative of cell o's parabola through its neighbours'
    averages (ppm_coefficients [6], [7])."""
    return coefficient(coef, 6, o, f) * (q_r - q) - coefficient(coef, 7, o, f) * (q - q_l)


@numba.njit(cache=True, error_model="numpy")
def ppm_faces_row_stretched(q_m3, q_m2, q_m1, q_0, q_p1, q_p2, coef, left, right):
    """ppm_faces_row on non-uniform cells. coef: the (9, 4, >= n) rows of
    ppm_coefficients at offsets -2 .. +1 from each face's upper cell
    (FaceRows). Face values from the fourth-order non-uniform weights,
    their CS08 limit with the second differences of the face's parabola
    and of its cells normalised to w_b w_c; each cell's parabola limited
    by _ppm_cell with the second derivatives times its own w^2."""
    for f in range(left.size):
        k_m2 = _curvature(q_m3[f], q_m2[f], q_m1[f], coef, 0, f)
        k_m1 = _curvature(q_m2[f], q_m1[f], q_0[f], coef, 1, f)
        k_0 = _curvature(q_m1[f], q_0[f], q_p1[f], coef, 2, f)
        k_p1 = _curvature(q_0[f], q_p1[f], q_p2[f], coef, 3, f)
        a_lower = _stretched_face(q_m3[f], q_m2[f], q_m1[f], q_0[f], k_m2, k_m1, coef, 1, f)
        a_face = _stretched_face(q_m2[f], q_m1[f], q_0[f], q_p1[f], k_m1, k_0, coef, 2, f)
        a_upper = _stretched_face(q_m1[f], q_0[f], q_p1[f], q_p2[f], k_0, k_p1, coef, 3, f)
        scale_left = _abs_max(q_m3[f], q_m2[f], q_m1[f], q_0[f], q_p1[f])
        scale_right = _abs_max(q_m2[f], q_m1[f], q_0[f], q_p1[f], q_p2[f])
        w2_m1, w2_0 = coefficient(coef, 8, 1, f), coefficient(coef, 8, 2, f)
        left[f] = _ppm_cell(q_m2[f], q_m1[f], q_0[f], a_lower, a_face, k_m2 * w2_m1, k_m1 * w2_m1, k_0 * w2_m1,
                            scale_left)[1]
        right[f] = _ppm_cell(q_m1[f], q_0[f], q_p1[f], a_face, a_upper, k_m1 * w2_0, k_0 * w2_0, k_p1 * w2_0,
                             scale_right)[0]


# Columns of ppm_coefficients: the face below cell i (cells i-2 .. i+1 in
# its stencil) and cell i itself.
PPM_COLUMNS = 9
PLM_COLUMNS = 2


def ppm_coefficients(widths):
    """(9, n) coefficients for PPM on the n cells of a row of `widths` (cm):
    for the face below cell i,
      [0:4] the weights of cells i-2 .. i+1 in its fourth-order value: the
            derivative there of the quartic through the cumulative integral
            of the averages at the faces i-2 .. i+2 (CW84 eqs. 1.6-1.7,
            which this equals), exact for cubic data;
      [4]   mu = w_{i-1} / (w_{i-1} + w_i), [5] w_{i-1} w_i (cm^2): the
            parabola through the two averages and the face value a has the
            second derivative 6 (mean - a) / (w_{i-1} w_i), mean =
            q_{i-1} + mu (q_i - q_{i-1});
    for cell i, the second derivative of the parabola with the averages of
    cells i-1, i, i+1 (exact for quadratic data), [6] alpha and [7] beta
    (1/cm^2) in alpha (q_{i+1} - q_i) - beta (q_i - q_{i-1}), and [8] w_i^2
    (cm^2). The end cells take missing neighbours' widths as their own."""
    w = np.asarray(widths, dtype=float)
    p = np.concatenate([w[:1], w[:1], w, w[-1:], w[-1:]])  # p[i + 2] = w_i
    table = np.empty((PPM_COLUMNS, w.size))
    # Face i at 0: nodes at the faces i-2 .. i+2; the Lagrange basis
    # derivatives L_j'(0) = prod_{m != j, 2} (0 - x_m) / prod_{m != j} (x_j - x_m).
    nodes = [-(p[:-4] + p[1:-3]), -p[1:-3], 0.0, w, w + p[3:-1]]
    slope = [np.prod([-nodes[m] for m in range(5) if m not in (j, 2)], axis=0)
             / np.prod([nodes[j] - nodes[m] for m in range(5) if m != j], axis=0) for j in (0, 1, 3, 4)]
    # q_{i-2} enters the cumulative integral at nodes 1 .. 4, and sum_j L_j' = 0.
    table[0] = -p[:-4] * slope[0]
    table[1] = -p[1:-3] * (slope[0] + slope[1])
    table[2] = w * (slope[2] + slope[3])
    table[3] = p[3:-1] * slope[3]
    table[4] = p[1:-3] / (p[1:-3] + w)
    table[5] = p[1:-3] * w
    # Cell i: averages are point values at the centres of g(x) = f(x) + f'' w^2 / 24,
    # so f'' = sum gamma_m q_m with gamma orthogonal to 1 and x, normalised on m2.
    below, above = 0.5 * (p[1:-3] + w), 0.5 * (w + p[3:-1])
    def m2(x, width):
        return 0.5 * (x * x + width * width / 12.0)
    det = above * m2(-below, p[1:-3]) - (below + above) * m2(0.0, w) + below * m2(above, p[3:-1])
    table[6] = below / det
    table[7] = above / det
    table[8] = w * w
    return table
