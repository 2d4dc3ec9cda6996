"""Numba kernels of the stellarcollapse.org table EOS (layer: eos; imports
numba, numpy and parleak.kernel_math only): cell search on (possibly
non-uniform) axes, trilinear interpolation in (log10 rho, log10 T, Ye),
the exact temperature inversion and the hydro's from_rho_eps, on flat
arrays. parleak.eos.table.TabulatedEOS calls them; see its module for the
interpolation and the inversion.
"""

import math

import numba
import numpy as np

from parleak.kernel_math import log10_positive

# The out-of-range counters, in the order of TabulatedEOS.counts (the
# kernels count into these indices).
COUNTERS = ("rho_low", "rho_high", "temp_low", "temp_high", "ye_low", "ye_high", "inversion_low", "inversion_high")

LN10 = math.log(10.0)
# The smallest gamma_c = rho cs2 / P that from_rho_eps returns: a floor, not
# physics, for the states where a table's cs2 is <= 0 (thermodynamically
# unstable nodes, e.g. 58 of the SRO LS220* table in its NSE/SNA merge window
# and at the transition to uniform matter); below every positive gamma_c of
# the tables parleak ships or reads (the smallest, 6.5e-13, in the SFHo
# sample), so only those states change. The hydro's sound speed there is
# then ~0 and its signal speed |v| (sqrt of a negative would be NaN).
GAMMA_C_FLOOR = 1e-15
# The relative slack of a bracket in the search of non-monotonic columns
# (_brackets): 50 times the round-off of a stored value through lookup.
BRACKET_ROUNDOFF = 1e-14
STORED = 0  # a variable used as stored
POW10 = 1   # a variable stored as log10(value + offset)


# ---------------------------------------------------------------- kernels
# Scalar helpers are plain njit functions: LLVM inlines them (numba's
# inline="always" gave the same speed and minutes of compile time).

@numba.njit(cache=True)
def _log10_or_minus_inf(x):
    return math.log10(x) if x > 0.0 else -math.inf


@numba.njit(cache=True)
def _cell(x, axis, inv_width, inv_step):
    """(i, w, side): axis[i] <= x <= axis[i + 1] with weight w = (x -
    axis[i]) / (axis[i + 1] - axis[i]); x outside the axis is clamped to
    its edge, side -1 below, +1 above, 0 inside. x must not be NaN."""
    n = axis.size
    if x < axis[0]:
        return 0, 0.0, -1
    if x > axis[n - 1]:
        return n - 2, 1.0, 1
    i = min(int((x - axis[0]) * inv_step), n - 2)  # exact on a uniform axis, a guess otherwise
    while x < axis[i]:
        i -= 1
    while x > axis[i + 1]:
        i += 1
    return i, (x - axis[i]) * inv_width[i], 0


@numba.njit(cache=True)
def _count_side(counts, first, side):
    if side < 0:
        counts[first] += 1
    elif side > 0:
        counts[first + 1] += 1


@numba.njit(cache=True)
def _bilinear(s, b, sr, sy, wr, wy):
    """Linear in rho (stride sr) and Ye (stride sy) from the corner at flat index b."""
    lo = (1.0 - wr) * s[b] + wr * s[b + sr]
    hi = (1.0 - wr) * s[b + sy] + wr * s[b + sy + sr]
    return (1.0 - wy) * lo + wy * hi


@numba.njit(cache=True)
def _trilinear(s, b, sr, st, sy, wr, wt, wy):
    """Linear in rho and Ye at the two temperature nodes, then linear in
    log T between them (the order the inversion relies on)."""
    return (1.0 - wt) * _bilinear(s, b, sr, sy, wr, wy) + wt * _bilinear(s, b + st, sr, sy, wr, wy)


@numba.njit(cache=True)
def _pow10(x):
    """10**x as exp(x ln 10): 3 times faster than pow, relative error
    below 2e-14 for |x| < 40."""
    return math.exp(x * LN10)


@numba.njit(cache=True)
def _from_stored(stored, kind, offset):
    return _pow10(stored) - offset if kind == POW10 else stored


@numba.njit(cache=True)
def _to_stored(value, kind, offset):
    return _log10_or_minus_inf(value + offset) if kind == POW10 else value


@numba.njit(cache=True)
def _fraction(y, a, c):
    """t with (1 - t) a + t c = y (0 on a flat segment)."""
    return (y - a) / (c - a) if c != a else 0.0


@numba.njit(cache=True)
def _node_cell(node, nt):
    """(j, wt) of the temperature node `node`."""
    return (node, 0.0) if node < nt - 1 else (nt - 2, 1.0)


@numba.njit(cache=True)
def _search_nondecreasing(s, b0, sr, st, sy, wr, wy, y, j_guess, nt, counts):
    """(j, wt) solving column(log T) = y on a column that is nondecreasing
    in T: the guess's cell (j_guess, or -1 for none), then bisection on the
    side where the root lies. Below the column: Tmin; above: Tmax
    (counted)."""
    lo, hi = 0, nt - 1
    if j_guess >= 0:
        a = _bilinear(s, b0 + j_guess * st, sr, sy, wr, wy)
        c = _bilinear(s, b0 + (j_guess + 1) * st, sr, sy, wr, wy)
        if a <= y <= c:
            return j_guess, _fraction(y, a, c)
        if y > c:
            lo, f_lo = j_guess + 1, c
            f_hi = _bilinear(s, b0 + hi * st, sr, sy, wr, wy)
        else:
            hi, f_hi = j_guess, a
            f_lo = _bilinear(s, b0, sr, sy, wr, wy)
    else:
        f_lo = _bilinear(s, b0, sr, sy, wr, wy)
        f_hi = _bilinear(s, b0 + hi * st, sr, sy, wr, wy)
    if y < f_lo:
        counts[6] += 1  # inversion_low
        return 0, 0.0
    if y > f_hi:
        counts[7] += 1  # inversion_high
        return nt - 2, 1.0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        f_mid = _bilinear(s, b0 + mid * st, sr, sy, wr, wy)
        if f_mid <= y:
            lo, f_lo = mid, f_mid
        else:
            hi, f_hi = mid, f_mid
    return lo, _fraction(y, f_lo, f_hi)


@numba.njit(cache=True)
def _brackets(y, a, c):
    """Whether y lies between a and c, or beyond them by at most
    BRACKET_ROUNDOFF relative: a node value that went through 10**x and
    log10 (or any lookup) and comes back 1e-16 above a local maximum of a
    non-monotonic column still finds that node, not another root far away
    (37 times hotter in the SRO table's pressure at T = 0.01 MeV)."""
    slack = BRACKET_ROUNDOFF * max(abs(a), abs(c))
    return min(a, c) - slack <= y <= max(a, c) + slack


@numba.njit(cache=True)
def _clipped_fraction(y, a, c):
    return min(max(_fraction(y, a, c), 0.0), 1.0)


@numba.njit(cache=True)
def _search_outward(s, b0, sr, st, sy, wr, wy, y, j_start, nt, counts):
    """(j, wt) solving column(log T) = y on any column: the cell j_start,
    then cells outward from it, alternately below and above, the first that
    brackets y (to round-off, _brackets). With no root (y below or above every node) the node of the
    smallest (largest) value, counted as inversion_low (high)."""
    down, up = j_start, j_start + 1
    f_down = _bilinear(s, b0 + down * st, sr, sy, wr, wy)
    f_up = _bilinear(s, b0 + up * st, sr, sy, wr, wy)
    if _brackets(y, f_down, f_up):
        return down, _clipped_fraction(y, f_down, f_up)
    node_min, f_min = (down, f_down) if f_down <= f_up else (up, f_up)
    node_max, f_max = (down, f_down) if f_down >= f_up else (up, f_up)
    while down > 0 or up < nt - 1:
        if down > 0:
            f_new = _bilinear(s, b0 + (down - 1) * st, sr, sy, wr, wy)
            if _brackets(y, f_new, f_down):
                return down - 1, _clipped_fraction(y, f_new, f_down)
            down, f_down = down - 1, f_new
            if f_new < f_min:
                node_min, f_min = down, f_new
            if f_new > f_max:
                node_max, f_max = down, f_new
        if up < nt - 1:
            f_new = _bilinear(s, b0 + (up + 1) * st, sr, sy, wr, wy)
            if _brackets(y, f_up, f_new):
                return up, _clipped_fraction(y, f_up, f_new)
            up, f_up = up + 1, f_new
            if f_new < f_min:
                node_min, f_min = up, f_new
            if f_new > f_max:
                node_max, f_max = up, f_new
    if y < f_min:
        counts[6] += 1  # inversion_low
        return _node_cell(node_min, nt)
    counts[7] += 1  # inversion_high
    return _node_cell(node_max, nt)


@numba.njit(cache=True)
def _solve_point(rho, value, ye, temp_guess, s, nvar, kind, offset, axes, inv_steps, monotone, counts):
    """(flat index of the cell's first corner, wr, wt, wy, T in MeV) where
    variable 0 of the stacked table s equals `value` at (rho, ye)."""
    logrho, inv_w_rho, logtemp, inv_w_temp, ye_axis, inv_w_ye = axes
    nr, nt = logrho.size, logtemp.size
    sr, st, sy = nvar, nr * nvar, nt * nr * nvar
    i, wr, side = _cell(_log10_or_minus_inf(rho), logrho, inv_w_rho, inv_steps[0])
    _count_side(counts, 0, side)  # rho_low, rho_high
    k, wy, side = _cell(ye, ye_axis, inv_w_ye, inv_steps[2])
    _count_side(counts, 4, side)  # ye_low, ye_high
    b0 = (k * nt * nr + i) * nvar
    y = _to_stored(value, kind, offset)
    guess_valid = 0.0 < temp_guess < math.inf
    j_guess = _cell(math.log10(temp_guess), logtemp, inv_w_temp, inv_steps[1])[0] if guess_valid else -1
    if monotone[k * (nr - 1) + i]:
        j, wt = _search_nondecreasing(s, b0, sr, st, sy, wr, wy, y, j_guess, nt, counts)
    else:
        j, wt = _search_outward(s, b0, sr, st, sy, wr, wy, y, max(j_guess, 0), nt, counts)
    temp = 10.0 ** ((1.0 - wt) * logtemp[j] + wt * logtemp[j + 1])
    return b0 + j * st, wr, wt, wy, temp


@numba.njit(cache=True, error_model="numpy")
def _log10_rows(rho, temp, logs):
    """logs[0], logs[1] = log10 of rho, temp (-inf where <= 0): a loop the
    compiler vectorises (`log10_positive`), 4 times faster than libm's
    log10 one value at a time."""
    for n in range(rho.size):
        logs[0, n] = log10_positive(rho[n])
        logs[1, n] = log10_positive(temp[n])


@numba.njit(cache=True, error_model="numpy")
def _lookup_kernel(rho, temp, ye, s, cols, kinds, offsets, axes, inv_steps, counts, out):
    """out[v, n] = variable cols[v] of s at (rho[n], temp[n], ye[n])
    (flat arrays; s: records of nvar variables per table point)."""
    logrho, inv_w_rho, logtemp, inv_w_temp, ye_axis, inv_w_ye = axes
    nvar = s.size // (logrho.size * logtemp.size * ye_axis.size)
    nr, nt = logrho.size, logtemp.size
    sr, st, sy = nvar, nr * nvar, nt * nr * nvar
    logs = np.empty((2, rho.size))
    _log10_rows(rho, temp, logs)
    for n in range(rho.size):
        r, t, y = rho[n], temp[n], ye[n]
        if r != r or t != t or y != y:
            for v in range(cols.size):
                out[v, n] = np.nan
            continue
        i, wr, side = _cell(logs[0, n], logrho, inv_w_rho, inv_steps[0])
        _count_side(counts, 0, side)
        j, wt, side = _cell(logs[1, n], logtemp, inv_w_temp, inv_steps[1])
        _count_side(counts, 2, side)
        k, wy, side = _cell(y, ye_axis, inv_w_ye, inv_steps[2])
        _count_side(counts, 4, side)
        b = ((k * nt + j) * nr + i) * nvar
        for v in range(cols.size):
            out[v, n] = _from_stored(_trilinear(s, b + cols[v], sr, st, sy, wr, wt, wy), kinds[v], offsets[v])


@numba.njit(cache=True, error_model="numpy")
def _invert_kernel(rho, value, ye, temp_guess, s, cols, kinds, offsets, axes, inv_steps, monotone, counts, temp,
                   out):
    """temp[n] where variable cols[0] of s equals value[n] at (rho[n],
    ye[n]), and out[v, n] = variable cols[v] there (flat arrays; s as in
    _lookup_kernel; temp may be temp_guess)."""
    nr, nt = axes[0].size, axes[2].size
    nvar = s.size // (nr * nt * axes[4].size)
    solved = s[cols[0]:]  # variable cols[0] at the corner index of a cell
    sr, st, sy = nvar, nr * nvar, nt * nr * nvar
    for n in range(rho.size):
        r, x, y = rho[n], value[n], ye[n]
        if r != r or x != x or y != y:
            temp[n] = np.nan
            for v in range(cols.size):
                out[v, n] = np.nan
            continue
        b, wr, wt, wy, t = _solve_point(r, x, y, temp_guess[n], solved, nvar, kinds[0], offsets[0], axes,
                                        inv_steps, monotone, counts)
        temp[n] = t
        for v in range(cols.size):
            out[v, n] = _from_stored(_trilinear(s, b + cols[v], sr, st, sy, wr, wt, wy), kinds[v], offsets[v])


@numba.njit(cache=True, error_model="numpy")
def _from_rho_eps_kernel(rho, eps, ye, temp, s, energy_shift, eps_zero, axes, inv_steps, monotone, counts,
                         press, gamma_c, gamma_e):
    """The hydro's from_rho_eps on flat arrays; s stacks (logenergy,
    logpress, cs2); gamma_c floored at GAMMA_C_FLOOR."""
    nr, nt = axes[0].size, axes[2].size
    sr, st, sy = 3, nr * 3, nt * nr * 3
    for n in range(rho.size):
        r, e, y = rho[n], eps[n], ye[n]
        if r != r or e != e or y != y:
            temp[n] = np.nan
            press[n] = np.nan
            gamma_c[n] = np.nan
            gamma_e[n] = np.nan
            continue
        b, wr, wt, wy, t = _solve_point(r, e, y, temp[n], s, 3, POW10, energy_shift, axes, inv_steps, monotone,
                                        counts)
        temp[n] = t
        eps_table = _pow10(_trilinear(s, b, sr, st, sy, wr, wt, wy)) - energy_shift
        p = _pow10(_trilinear(s, b + 1, sr, st, sy, wr, wt, wy))
        press[n] = p
        gamma_c[n] = max(r * _trilinear(s, b + 2, sr, st, sy, wr, wt, wy) / p, GAMMA_C_FLOOR)
        gamma_e[n] = 1.0 + p / (r * (eps_table + eps_zero))
