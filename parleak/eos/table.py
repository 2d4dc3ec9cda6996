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

Memory: the variables are held once, interleaved per table point in one
read-only (nye, ntemp, nrho, nvar) array of records (`tables` are views of
it); the kernels get it with the record columns of the names looked up.
The hydro's from_rho_eps reads a second, 3-variable array (HYDRO), whose
records fill fewer cache lines. Nothing is stacked per call or per
combination of names. Where the arrays live is the caller's choice
(`share`): in this process, or, with parleak.parallel.shared_memory's
node_shared, in one MPI-3 shared window per node (eos.shared_memory).

The module is in three parts (layer: eos): table_read.py reads and checks
the file, table_kernels.py holds the numba kernels, and this module the
TabulatedEOS class; the names of the other two are re-exported here.
"""

import os

import numpy as np

from parleak.eos.base import EOS
from parleak.eos.table_kernels import COUNTERS, POW10, STORED, _from_rho_eps_kernel, _invert_kernel, _lookup_kernel
from parleak.eos.table_read import (AXES, OPTIONAL_VARIABLES, POINTS, REQUIRED_DATASETS,  # noqa: F401
                                    REQUIRED_VARIABLES, EOSTableError, _fail, read_table)

__all__ = ["AXES", "COUNTERS", "OPTIONAL_VARIABLES", "POINTS", "REQUIRED_DATASETS", "REQUIRED_VARIABLES", "UNITS",
           "EOSTableError", "TabulatedEOS", "read_table"]

# Units of what lookup returns, by name (stored variables not listed here are
# returned as stored).
UNITS = {
    "press": "erg/cm^3", "eps": "erg/g (energy_shift removed)", "logpress": "log10 erg/cm^3",
    "logenergy": "log10(erg/g)", "entropy": "k_B/baryon", "cs2": "cm^2/s^2", "mu_e": "MeV", "mu_n": "MeV",
    "mu_p": "MeV", "muhat": "MeV", "munu": "MeV", "Xa": "1", "Xh": "1", "Xn": "1", "Xp": "1", "Abar": "1",
    "Zbar": "1",
}


# The records of _from_rho_eps_kernel, in its order.
HYDRO = ("logenergy", "logpress", "cs2")


# ---------------------------------------------------------------- storage

def _variables(data):
    """The table variables of read_table's data, in the file's order."""
    return tuple(name for name in data if name not in AXES + ("energy_shift",))


def _layout(data):
    """(header, shapes) of read_table's data: header {"axes": (logrho,
    logtemp, ye), "energy_shift": erg/g, "variables": names in record
    order}; the shapes of "records" (nye, ntemp, nrho, nvar) and "hydro"
    (nye, ntemp, nrho, 3)."""
    points = data["ye"].size, data["logtemp"].size, data["logrho"].size
    header = {"axes": tuple(data[name] for name in AXES), "variables": _variables(data),
              "energy_shift": float(data["energy_shift"].reshape(-1)[0])}
    return header, {"records": points + (len(header["variables"]),), "hydro": points + (len(HYDRO),)}


def _fill(data, arrays):
    """Interleave read_table's variables into the arrays of _layout."""
    for column, name in enumerate(_variables(data)):
        arrays["records"][..., column] = data[name]
    for column, name in enumerate(HYDRO):
        arrays["hydro"][..., column] = data[name]


def in_process(read, layout, fill):
    """The `share` of a table that this process holds alone: data =
    read(), (header, shapes) = layout(data), fill(data, arrays) into new
    float64 arrays of those shapes, made read-only. Returns (header,
    arrays), as parleak.parallel.shared_memory.node_shared does per node."""
    data = read()
    header, shapes = layout(data)
    arrays = {name: np.empty(shape) for name, shape in shapes.items()}
    fill(data, arrays)
    for array in arrays.values():
        array.flags.writeable = False
    return header, arrays


# ---------------------------------------------------------------- the EOS

def _flat(*arrays):
    """The broadcast shape and flat, C-contiguous, writeable float64 arrays
    of the inputs (views of arrays that already are, copies otherwise)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return shape, [a.reshape(-1) if a.shape == shape and a.flags.c_contiguous and a.flags.writeable
                   else np.array(np.broadcast_to(a, shape), order="C").reshape(-1) for a in arrays]


class TabulatedEOS(EOS):
    """A stellarcollapse.org table, all in memory as float64.

    share: where the arrays live: in_process (the default), or
    parleak.parallel.shared_memory.node_shared bound to a communicator (the
    construction is then collective on it).

    Attributes: path; logrho (log10 g/cm^3), logtemp (log10 MeV), ye (the
    axes); energy_shift (erg/g); tables {name: (nye, ntemp, nrho)
    read-only view} as stored; nbytes (bytes of the table's arrays);
    ranges {"rho": (min, max) g/cm^3, "temp": MeV, "ye": 1};
    eps_zero (erg/g, see below); has_nuclei (False where Xh is missing or
    0 on the whole table); counts (int64, COUNTERS order), counters (=
    COUNTERS) and out_of_range (the same as a dict); is_nuclear (True).
    The interface is parleak.eos.base.EOS.

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
    is_nuclear = True
    counters = COUNTERS

    def __init__(self, path, share=in_process):
        self.path = os.fspath(path)
        header, arrays = share(lambda: read_table(self.path), _layout, _fill)
        self.logrho, self.logtemp, self.ye = header["axes"]
        self.energy_shift = header["energy_shift"]
        self._columns = {name: column for column, name in enumerate(header["variables"])}
        self.tables = data = {name: arrays["records"][..., column] for name, column in self._columns.items()}
        self._records, self._hydro = arrays["records"].reshape(-1), arrays["hydro"].reshape(-1)
        # (records, {stored variable: column}), the narrowest first
        self._groups = ((self._hydro, {name: column for column, name in enumerate(HYDRO)}),
                        (self._records, self._columns))
        self.nbytes = sum(array.nbytes for array in arrays.values())
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
        self._specs = {}
        self._monotone = {}

    # out_of_range ({counter: number of points}) comes from EOS

    def reset_counts(self):
        """Zero the out-of-range counters."""
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

    def _spec(self, names):
        """(flat records, columns, kinds, offsets) of the names' stored
        variables: the hydro's records where they hold all of them (fewer
        cache lines per point), else the table's; cached per names (three
        small arrays, no table data)."""
        if names not in self._specs:
            specs = [self._quantity(name) for name in names]
            records, columns = next((records, columns) for records, columns in self._groups
                                    if all(stored in columns for stored, _, _ in specs))
            self._specs[names] = (records, np.array([columns[stored] for stored, _, _ in specs], dtype=np.int64),
                                  np.array([kind for _, kind, _ in specs], dtype=np.int64),
                                  np.array([offset for _, _, offset in specs]))
        return self._specs[names]

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
        records, cols, kinds, offsets = self._spec(names)
        shape, (rho, temp, ye) = _flat(rho, temp, ye)
        out = np.empty((len(names), rho.size))
        _lookup_kernel(rho, temp, ye, records, cols, kinds, offsets, self._axes, self._inv_steps, self.counts, out)
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
        records, cols, kinds, offsets = self._spec((quantity,) + names)
        monotone = self._monotone_cells(quantity)
        shape, (rho, value, ye, guess) = _flat(rho, value, ye, guess)
        temp = np.empty(rho.size)
        out = np.empty((len(names) + 1, rho.size))
        _invert_kernel(rho, value, ye, guess, records, cols, kinds, offsets, self._axes, self._inv_steps, monotone,
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
        stacked = self._hydro
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
