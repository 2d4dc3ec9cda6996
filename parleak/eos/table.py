"""Tabulated nuclear EOS in the stellarcollapse.org HDF5 format (O'Connor &
Ott 2010, CQG 27, 114103: tables such as LS220 and SFHo): point-wise
lookups, temperature inversion and the hydro EOS interface of parleak.eos.

The file holds the axes logrho (log10 g/cm^3), logtemp (log10 MeV) and ye,
energy_shift (erg/g), and 3-D datasets shaped (nye, ntemp, nrho) (C order,
rho fastest): logpress (log10 erg/cm^3), logenergy (log10(eps +
energy_shift), eps in erg/g), entropy (k_B/baryon), cs2 (cm^2/s^2), the
chemical potentials mu_e, mu_n, mu_p, muhat (= mu_n - mu_p) (MeV, with
the rest-mass conventions of the table's maker), the mass fractions Xa, Xh,
Xn, Xp, the heavy-nucleus Abar and Zbar, and optional ones: munu (MeV),
gamma, dedt, dpdrhoe, dpderho (in the units the table stores them).
read_table checks the required ones (present, finite);
`TabulatedEOS.require` checks those a run will look up.

Interpolation is trilinear in (log10 rho, log10 T, Ye) of the stored
variables: logpress and logenergy in their log form, every other variable
as stored. `lookup` takes the logarithms in a vectorised pass
(`parleak.kernel_math.log10_positive`: libm's value where |log10| >= 1,
within 1.2e-16 below); the inversions use libm's log10. The axes may be non-uniform; the cell is found from a uniform
first guess and a short walk.

Outside the table each of log rho, log T, Ye is clamped to the table's edge
and the point is counted per direction and side (`out_of_range`).

Temperature inversion from eps, press or entropy at given (rho, Ye): at
fixed (rho, Ye) the interpolant is piecewise linear in log T (linear between
temperature nodes), so the inversion is exact: find a temperature cell whose
end values bracket the target, then solve the linear equation there. See
`TabulatedEOS.state_from` for the search order, non-monotonic columns and
targets outside the table.
"""

import math
import os

import h5py
import numba
import numpy as np

from parleak.kernel_math import log10_positive

AXES = ("logrho", "logtemp", "ye")
REQUIRED_VARIABLES = ("logpress", "logenergy", "entropy", "cs2", "mu_e", "mu_n", "mu_p", "muhat",
                      "Xa", "Xh", "Xn", "Xp", "Abar", "Zbar")
OPTIONAL_VARIABLES = ("munu", "gamma", "dedt", "dpdrhoe", "dpderho")
REQUIRED_DATASETS = AXES + ("energy_shift",) + REQUIRED_VARIABLES
POINTS = {"logrho": "pointsrho", "logtemp": "pointstemp", "ye": "pointsye"}

# Units of what lookup returns, by name (stored variables not listed here are
# returned as stored).
UNITS = {
    "press": "erg/cm^3", "eps": "erg/g (energy_shift removed)", "logpress": "log10 erg/cm^3",
    "logenergy": "log10(erg/g)", "entropy": "k_B/baryon", "cs2": "cm^2/s^2", "mu_e": "MeV", "mu_n": "MeV",
    "mu_p": "MeV", "muhat": "MeV", "munu": "MeV", "Xa": "1", "Xh": "1", "Xn": "1", "Xp": "1", "Abar": "1",
    "Zbar": "1",
}

# The out-of-range counters, in the order of TabulatedEOS.counts.
COUNTERS = ("rho_low", "rho_high", "temp_low", "temp_high", "ye_low", "ye_high", "inversion_low", "inversion_high")

LN10 = math.log(10.0)
STORED = 0  # a variable used as stored
POW10 = 1   # a variable stored as log10(value + offset)


class EOSTableError(ValueError):
    """A file that is not a usable stellarcollapse.org table; the message
    names the file and what is wrong."""


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
def _search_outward(s, b0, sr, st, sy, wr, wy, y, j_start, nt, counts):
    """(j, wt) solving column(log T) = y on any column: the cell j_start,
    then cells outward from it, alternately below and above, the first that
    brackets y. With no root (y below or above every node) the node of the
    smallest (largest) value, counted as inversion_low (high)."""
    down, up = j_start, j_start + 1
    f_down = _bilinear(s, b0 + down * st, sr, sy, wr, wy)
    f_up = _bilinear(s, b0 + up * st, sr, sy, wr, wy)
    if min(f_down, f_up) <= y <= max(f_down, f_up):
        return down, _fraction(y, f_down, f_up)
    node_min, f_min = (down, f_down) if f_down <= f_up else (up, f_up)
    node_max, f_max = (down, f_down) if f_down >= f_up else (up, f_up)
    while down > 0 or up < nt - 1:
        if down > 0:
            f_new = _bilinear(s, b0 + (down - 1) * st, sr, sy, wr, wy)
            if min(f_new, f_down) <= y <= max(f_new, f_down):
                return down - 1, _fraction(y, f_new, f_down)
            down, f_down = down - 1, f_new
            if f_new < f_min:
                node_min, f_min = down, f_new
            if f_new > f_max:
                node_max, f_max = down, f_new
        if up < nt - 1:
            f_new = _bilinear(s, b0 + (up + 1) * st, sr, sy, wr, wy)
            if min(f_up, f_new) <= y <= max(f_up, f_new):
                return up, _fraction(y, f_up, f_new)
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
def _lookup_kernel(rho, temp, ye, s, kinds, offsets, axes, inv_steps, counts, out):
    """out[v, n] = variable v at (rho[n], temp[n], ye[n]) (flat arrays)."""
    logrho, inv_w_rho, logtemp, inv_w_temp, ye_axis, inv_w_ye = axes
    nvar = kinds.size
    nr, nt = logrho.size, logtemp.size
    sr, st, sy = nvar, nr * nvar, nt * nr * nvar
    logs = np.empty((2, rho.size))
    _log10_rows(rho, temp, logs)
    for n in range(rho.size):
        r, t, y = rho[n], temp[n], ye[n]
        if r != r or t != t or y != y:
            for v in range(nvar):
                out[v, n] = np.nan
            continue
        i, wr, side = _cell(logs[0, n], logrho, inv_w_rho, inv_steps[0])
        _count_side(counts, 0, side)
        j, wt, side = _cell(logs[1, n], logtemp, inv_w_temp, inv_steps[1])
        _count_side(counts, 2, side)
        k, wy, side = _cell(y, ye_axis, inv_w_ye, inv_steps[2])
        _count_side(counts, 4, side)
        b = ((k * nt + j) * nr + i) * nvar
        for v in range(nvar):
            out[v, n] = _from_stored(_trilinear(s, b + v, sr, st, sy, wr, wt, wy), kinds[v], offsets[v])


@numba.njit(cache=True, error_model="numpy")
def _invert_kernel(rho, value, ye, temp_guess, s, kinds, offsets, axes, inv_steps, monotone, counts, temp, out):
    """temp[n] where variable 0 equals value[n] at (rho[n], ye[n]), and
    out[v, n] = variable v there (flat arrays; temp may be temp_guess)."""
    nvar = kinds.size
    nr, nt = axes[0].size, axes[2].size
    sr, st, sy = nvar, nr * nvar, nt * nr * nvar
    for n in range(rho.size):
        r, x, y = rho[n], value[n], ye[n]
        if r != r or x != x or y != y:
            temp[n] = np.nan
            for v in range(nvar):
                out[v, n] = np.nan
            continue
        b, wr, wt, wy, t = _solve_point(r, x, y, temp_guess[n], s, nvar, kinds[0], offsets[0], axes, inv_steps,
                                        monotone, counts)
        temp[n] = t
        for v in range(nvar):
            out[v, n] = _from_stored(_trilinear(s, b + v, sr, st, sy, wr, wt, wy), kinds[v], offsets[v])


@numba.njit(cache=True, error_model="numpy")
def _from_rho_eps_kernel(rho, eps, ye, temp, s, energy_shift, eps_zero, axes, inv_steps, monotone, counts,
                         press, gamma_c, gamma_e):
    """The hydro's from_rho_eps on flat arrays; s stacks (logenergy,
    logpress, cs2)."""
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
        gamma_c[n] = r * _trilinear(s, b + 2, sr, st, sy, wr, wt, wy) / p
        gamma_e[n] = 1.0 + p / (r * (eps_table + eps_zero))


# ---------------------------------------------------------------- reading

def _fail(path, message):
    raise EOSTableError(f"EOS table {path!r}: {message}")


def _check_axis(path, name, axis, points):
    if axis.ndim != 1 or axis.size < 2:
        _fail(path, f"dataset {name} has shape {axis.shape}, expected a 1-D axis of at least 2 points")
    if not np.all(np.isfinite(axis)):
        _fail(path, f"axis {name} has non-finite values")
    steps = np.diff(axis)
    if not np.all(steps > 0.0):
        _fail(path, f"axis {name} is not strictly increasing (at index {int(np.argmin(steps > 0.0)) + 1})")
    if points is not None and (points.size != 1 or int(points.reshape(-1)[0]) != axis.size):
        _fail(path, f"{POINTS[name]} = {points.astype(np.int64).tolist()} does not match the {axis.size} points of {name}")


def read_table(path):
    """{dataset name: float64 array} of the stellarcollapse.org table at
    `path` (required datasets and the optional variables present), checked.
    FileNotFoundError for a missing file, EOSTableError for anything else
    that is wrong, naming the file and the dataset."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"EOS table {path!r} does not exist (or is not a file)")
    try:
        stream = h5py.File(path, "r")
    except OSError as err:
        _fail(path, f"not a readable HDF5 file (corrupt or another format): {err}")
    with stream:
        missing = [name for name in REQUIRED_DATASETS if not isinstance(stream.get(name), h5py.Dataset)]
        if missing:
            _fail(path, f"missing dataset(s) {', '.join(missing)}; a stellarcollapse.org table needs "
                        f"{', '.join(REQUIRED_DATASETS)} (optional: {', '.join(OPTIONAL_VARIABLES)})")
        names = REQUIRED_DATASETS + tuple(n for n in OPTIONAL_VARIABLES + tuple(POINTS.values())
                                          if isinstance(stream.get(n), h5py.Dataset))
        data = {}
        for name in names:
            try:
                data[name] = np.asarray(stream[name][()], dtype=np.float64)
            except (OSError, ValueError, TypeError) as err:
                _fail(path, f"dataset {name} cannot be read as numbers: {err}")
    for name in AXES:
        _check_axis(path, name, data[name], data.pop(POINTS[name], None))
    if data["energy_shift"].size != 1 or not np.isfinite(data["energy_shift"]).all():
        _fail(path, f"energy_shift must be one finite number, got {data['energy_shift'].tolist()}")
    shape = (data["ye"].size, data["logtemp"].size, data["logrho"].size)
    for name in REQUIRED_VARIABLES + OPTIONAL_VARIABLES:
        if name not in data:
            continue
        if data[name].shape != shape:
            _fail(path, f"dataset {name} has shape {data[name].shape}, expected (nye, ntemp, nrho) = {shape} "
                        "from the axes ye, logtemp, logrho")
        if name in REQUIRED_VARIABLES and not np.all(np.isfinite(data[name])):
            _fail(path, f"dataset {name} has {int(np.sum(~np.isfinite(data[name])))} non-finite values")
    return data


# ---------------------------------------------------------------- the EOS

def _flat(*arrays):
    """The broadcast shape and flat, C-contiguous, writeable float64 arrays
    of the inputs (views of arrays that already are, copies otherwise)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return shape, [a.reshape(-1) if a.shape == shape and a.flags.c_contiguous and a.flags.writeable
                   else np.array(np.broadcast_to(a, shape), order="C").reshape(-1) for a in arrays]


class TabulatedEOS:
    """A stellarcollapse.org table, all in memory as float64.

    Attributes: path; logrho (log10 g/cm^3), logtemp (log10 MeV), ye (the
    axes); energy_shift (erg/g); tables {name: (nye, ntemp, nrho) array} as
    stored; ranges {"rho": (min, max) g/cm^3, "temp": MeV, "ye": 1};
    eps_zero (erg/g, see below); has_nuclei (False where Xh is missing or
    0 on the whole table); counts (int64, COUNTERS order) and out_of_range
    (the same as a dict).

    Counting: lookups count the points clamped in rho, T and Ye
    (rho_low ... ye_high); inversions count clamps in rho and Ye and the
    targets outside the table's range at that (rho, Ye)
    (inversion_low/high), never their temperature guesses. reset_counts()
    zeroes them. NaN inputs give NaN results and are not counted.

    eps_zero = 0.1 |eps_min| - eps_min with eps_min the table's smallest eps:
    eps + eps_zero >= 0.1 |eps_min| > 0 on the whole table (and on any
    interpolated state), so gamma_e = 1 + press / (rho (eps + eps_zero)) is
    finite and > 1. Where eps > 0 everywhere (the built-in EOS, whose eps
    holds about 7 MeV per baryon of rest-mass energy) eps_zero is negative:
    it removes most of that constant, so that the energy the hydro
    reconstructs, rho (eps + eps_zero), is not a small thermal part on top
    of a large constant (a cold stellar surface would otherwise lose its
    thermal energy to reconstruction errors). energy_shift would also keep
    eps + eps_zero positive, but it can be far larger than needed (gamma_e
    then squeezed towards 1) or barely larger.
    """

    has_temperature = True

    def __init__(self, path):
        self.path = os.fspath(path)
        data = read_table(self.path)
        self.logrho, self.logtemp, self.ye = (data.pop(name) for name in AXES)
        self.energy_shift = float(data.pop("energy_shift").reshape(-1)[0])
        self.tables = data
        self.ranges = {"rho": (float(10.0 ** self.logrho[0]), float(10.0 ** self.logrho[-1])),
                       "temp": (float(10.0 ** self.logtemp[0]), float(10.0 ** self.logtemp[-1])),
                       "ye": (float(self.ye[0]), float(self.ye[-1]))}
        eps_min = 10.0 ** data["logenergy"].min() - self.energy_shift
        self.eps_zero = 0.1 * abs(eps_min) - eps_min
        # heavy nuclei anywhere in the table (the built-in EOS has none)
        self.has_nuclei = "Xh" in data and bool(np.any(data["Xh"] > 0.0))
        self._axes = tuple(np.ascontiguousarray(a) for axis in (self.logrho, self.logtemp, self.ye)
                           for a in (axis, 1.0 / np.diff(axis)))
        self._inv_steps = np.array([(a.size - 1) / (a[-1] - a[0]) for a in (self.logrho, self.logtemp, self.ye)])
        self.counts = np.zeros(len(COUNTERS), dtype=np.int64)
        self._stacks = {}
        self._monotone = {}

    @property
    def out_of_range(self):
        """{counter: number of points} since construction or reset_counts()."""
        return dict(zip(COUNTERS, self.counts.tolist()))

    def reset_counts(self):
        self.counts[:] = 0

    @property
    def quantities(self):
        """The names lookup accepts."""
        return ("press", "eps") + tuple(self.tables)

    def _quantity(self, name):
        """(stored variable, kind, offset) of a lookup name."""
        if name == "press":
            return "logpress", POW10, 0.0
        if name == "eps":
            return "logenergy", POW10, self.energy_shift
        if name in self.tables:
            return name, STORED, 0.0
        raise ValueError(f"{name!r} is not a quantity of the EOS table {self.path!r}; "
                         f"available: {', '.join(self.quantities)}")

    def require(self, needs):
        """Check the quantities a run looks up, `needs` ({lookup name: what
        needs it}), beyond the datasets read_table checks: each must be in
        the table (optional datasets may be missing) with finite values.
        EOSTableError naming the dataset, the file and what needs it."""
        for name, user in needs.items():
            try:
                stored = self._quantity(name)[0]
            except ValueError:
                _fail(self.path, f"no dataset {name}, which {user} needs")
            bad = ~np.isfinite(self.tables[stored])
            if np.any(bad):
                k, j, i = np.argwhere(bad)[0]
                _fail(self.path, f"dataset {stored}, which {user} needs, has {int(np.sum(bad))} non-finite values "
                                 f"(the first at rho = {10.0 ** self.logrho[i]:.4g} g/cm^3, T = "
                                 f"{10.0 ** self.logtemp[j]:.4g} MeV, Ye = {self.ye[k]:.4g})")

    def _stack(self, names):
        """(flat (nye, ntemp, nrho, nvar) table of the names' stored
        variables, kinds, offsets), cached per names (each combination
        costs nvar times one table's memory)."""
        if names not in self._stacks:
            specs = [self._quantity(name) for name in names]
            stacked = np.stack([self.tables[stored] for stored, _, _ in specs], axis=-1).reshape(-1)
            self._stacks[names] = (stacked, np.array([kind for _, kind, _ in specs], dtype=np.int64),
                                   np.array([offset for _, _, offset in specs]))
        return self._stacks[names]

    def _monotone_cells(self, name):
        """Per (Ye, rho) cell (flat, (nye - 1) x (nrho - 1)): 1 where the
        stored variable of `name` is nondecreasing in T at all four corners
        (then every interpolated column is too)."""
        stored = self._quantity(name)[0]
        if stored not in self._monotone:
            column = np.all(np.diff(self.tables[stored], axis=1) >= 0.0, axis=1)
            cells = column[:-1, :-1] & column[1:, :-1] & column[:-1, 1:] & column[1:, 1:]
            self._monotone[stored] = cells.astype(np.uint8).reshape(-1)
        return self._monotone[stored]

    def lookup(self, rho, temp, ye, *names):
        """The quantities `names` at (rho g/cm^3, temp MeV, ye), arrays or
        numbers broadcast together: a tuple of arrays in the order of
        names. Units: press erg/cm^3, eps erg/g (energy_shift removed),
        entropy k_B/baryon, cs2 cm^2/s^2, mu_e, mu_n, mu_p, muhat, munu MeV,
        Xa, Xh, Xn, Xp, Abar, Zbar 1; any other dataset as stored (UNITS).
        Points outside the table are clamped to its edge and counted."""
        if not names:
            raise ValueError("lookup needs at least one quantity name")
        stacked, kinds, offsets = self._stack(names)
        shape, (rho, temp, ye) = _flat(rho, temp, ye)
        out = np.empty((len(names), rho.size))
        _lookup_kernel(rho, temp, ye, stacked, kinds, offsets, self._axes, self._inv_steps, self.counts, out)
        return tuple(row.reshape(shape) for row in out)

    def beta_equilibrium_ye(self, rho, temp):
        """Ye where munu = mu_e - muhat = 0 (neutrinoless beta equilibrium)
        at (rho g/cm^3, temp MeV), by bisection on the table's Ye axis to
        1e-14 (munu rises with Ye). Raises ValueError where munu has one
        sign over the whole axis."""
        ye_axis = self.ye
        rho, temp = (np.array(a, dtype=float) for a in np.broadcast_arrays(rho, temp))
        low, high = np.full(rho.shape, ye_axis[0]), np.full(rho.shape, ye_axis[-1])
        bad = (self.lookup(rho, temp, low, "munu")[0] > 0.0) | (self.lookup(rho, temp, high, "munu")[0] < 0.0)
        if np.any(bad):
            first = np.argwhere(bad)[0]
            raise ValueError(f"EOS table {self.path!r}: no beta equilibrium inside ye = [{ye_axis[0]}, {ye_axis[-1]}] "
                             f"at rho = {rho[tuple(first)]:.4g} g/cm^3, temp = {temp[tuple(first)]:.4g} MeV")
        while np.max(high - low) > 1e-14:
            middle = 0.5 * (low + high)
            above = self.lookup(rho, temp, middle, "munu")[0] > 0.0
            high, low = np.where(above, middle, high), np.where(above, low, middle)
        return 0.5 * (low + high)

    def state_from(self, quantity, rho, value, ye, *names, temp_guess=None):
        """(temp MeV, *names) at (rho g/cm^3, ye) where `quantity` ("eps"
        erg/g, "press" erg/cm^3, "entropy" k_B/baryon, or any lookup name)
        equals `value`. Exact for the interpolant: relative error of T
        ~1e-14.

        Search, per point, in the piecewise-linear column quantity(log T):
        where the column is nondecreasing in T (checked per table cell):
        the guess's temperature cell, then bisection; elsewhere: the
        guess's cell and then cells outward from it, alternately below and
        above (the root nearest the guess; without a guess the lowest
        root). temp_guess (MeV, broadcast; None, NaN or <= 0: no guess).
        A value below (above) the column at every temperature gives the
        temperature where the column is smallest (largest), Tmin (Tmax)
        for a nondecreasing column, counted as inversion_low (high); the
        returned quantities are then the table's there, not `value`."""
        guess = np.nan if temp_guess is None else temp_guess
        stacked, kinds, offsets = self._stack((quantity,) + names)
        monotone = self._monotone_cells(quantity)
        shape, (rho, value, ye, guess) = _flat(rho, value, ye, guess)
        temp = np.empty(rho.size)
        out = np.empty((len(names) + 1, rho.size))
        _invert_kernel(rho, value, ye, guess, stacked, kinds, offsets, self._axes, self._inv_steps, monotone,
                       self.counts, temp, out)
        return (temp.reshape(shape),) + tuple(row.reshape(shape) for row in out[1:])

    def inversion_side(self, quantity, rho, value, ye):
        """Per point (int8, broadcast shape): 0 where `quantity` equals
        `value` at some temperature of the table at (rho g/cm^3, ye), -1
        where `value` lies below it at every temperature (colder than the
        table), +1 above (hotter). By state_from, then a lookup at the
        temperature found (equal to 1e-9 relative where the table holds
        `value`: state_from is exact to ~1e-14); rho and ye clamped as in
        lookup. The counters are left as they were."""
        saved = self.counts.copy()
        temp = self.state_from(quantity, rho, value, ye)[0]
        found = self.lookup(rho, temp, ye, quantity)[0]
        self.counts[:] = saved
        value = np.broadcast_to(np.asarray(value, dtype=np.float64), found.shape)
        side = np.where(found > value, -1, 1)
        return np.where(np.abs(found - value) <= 1e-9 * np.abs(value), 0, side).astype(np.int8)

    def temp_from_rho_eps(self, rho, eps, ye, temp_guess=None):
        """Temperature (MeV) at (rho g/cm^3, eps erg/g, ye); see state_from."""
        return self.state_from("eps", rho, eps, ye, temp_guess=temp_guess)[0]

    def temp_from_rho_press(self, rho, press, ye, temp_guess=None):
        """Temperature (MeV) at (rho g/cm^3, press erg/cm^3, ye); see state_from."""
        return self.state_from("press", rho, press, ye, temp_guess=temp_guess)[0]

    def temp_from_rho_entropy(self, rho, entropy, ye, temp_guess=None):
        """Temperature (MeV) at (rho g/cm^3, entropy k_B/baryon, ye); see state_from."""
        return self.state_from("entropy", rho, entropy, ye, temp_guess=temp_guess)[0]

    def from_rho_eps(self, rho, eps, ye, temp, press, gamma_c, gamma_e):
        """The hydro interface (parleak.eos): temp (MeV, the guess on
        input) from (rho g/cm^3, eps erg/g, ye) by state_from("eps"), then
        press (erg/cm^3), gamma_c = rho cs2 / press and gamma_e = 1 + press
        / (rho (eps_table + eps_zero)) filled in place. eps_table is the
        table's eps at the returned temperature: eps itself where it lies
        in the table's range, the edge value where it does not (counted as
        inversion_low/high), so the three always describe one table state."""
        stacked = self._stack(("eps", "press", "cs2"))[0]
        monotone = self._monotone_cells("eps")
        arrays = (rho, eps, ye, temp, press, gamma_c, gamma_e)
        if all(isinstance(a, np.ndarray) and a.flags.c_contiguous and a.dtype == np.float64
               and a.shape == rho.shape for a in arrays):
            _from_rho_eps_kernel(*(a.reshape(-1) for a in arrays[:4]), stacked, self.energy_shift, self.eps_zero,
                                 self._axes, self._inv_steps, monotone, self.counts,
                                 *(a.reshape(-1) for a in arrays[4:]))
            return
        shape, flat = _flat(rho, eps, ye, temp)
        flat[3] = flat[3].copy()  # the guess, overwritten
        outputs = [np.empty(flat[0].size) for _ in range(3)]
        _from_rho_eps_kernel(*flat, stacked, self.energy_shift, self.eps_zero, self._axes, self._inv_steps,
                             monotone, self.counts, *outputs)
        for target, values in zip((temp, press, gamma_c, gamma_e), [flat[3]] + outputs):
            target[...] = values.reshape(shape)

    def eps_from_rho_press(self, rho, press, ye, temp):
        """eps (erg/g, a new array) at (rho g/cm^3, press erg/cm^3, ye) by
        state_from("press"); temp (MeV) is the guess and receives the
        temperature where it is an array (None: no guess)."""
        temp_out, eps = self.state_from("press", rho, press, ye, "eps", temp_guess=temp)
        if isinstance(temp, np.ndarray):
            temp[...] = temp_out
        return eps
