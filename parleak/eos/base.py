"""The interface every equation of state of parleak.eos provides (layer:
eos; imports numpy only). Callers ask an EOS what it is through the class
attributes below, never by probing for methods (hasattr/getattr).

Every EOS (IdealGas, TabulatedEOS) provides, on float64 arrays of one shape
(any shape; the hydro passes ghosted [z, y, x] blocks):

    has_temperature: whether it uses and returns a temperature (MeV)
    is_nuclear: whether it is a nuclear EOS with composition and chemical
        potentials, i.e. has the nuclear methods below (lookup, require,
        state_from, inversion_side, beta_equilibrium_ye, ...) and ranges
    has_nuclei: a nuclear EOS with heavy nuclei somewhere (Xh > 0); False
        where it has none (coherent scattering is then off)
    eps_zero: a constant (erg/g) with eps + eps_zero > 0 for every state of
        the EOS (0 for the ideal gas; a nuclear table's eps can be negative)
    ranges: {"rho": (min, max) g/cm^3, "temp": (min, max) MeV, "ye":
        (min, max)} of a table, or None (no range: the ideal gas)
    counters: the names of the out-of-range counters, in the order of
        counts (empty without a table)
    counts: int64 array, one entry per counter: points clamped to the
        table's edge since construction or reset_counts() (empty without a
        table; summed over ranks by the hydro's status line)
    out_of_range: {counter: count} (a dict in counters order, so
        zip(eos.out_of_range, counts) pairs the names with counts;
        empty without a table)
    reset_counts(): zeroes counts (nothing to do without a table)
    from_rho_eps(rho, eps, ye, temp, press, gamma_c, gamma_e)
        rho g/cm^3, eps erg/g, ye 1 -> press erg/cm^3 and the two
        adiabatic indices gamma_c = rho c_s^2 / press (sound speed) and
        gamma_e = 1 + press / (rho (eps + eps_zero)) (energy, finite because
        eps + eps_zero > 0). temp (MeV) is read as the starting guess and
        overwritten where has_temperature, else ignored.
    eps_from_rho_press(rho, press, ye, temp) -> eps (erg/g), a new array
        (initial data and pressure floors; temp as for from_rho_eps)

A nuclear EOS (is_nuclear True; parleak.eos.table.TabulatedEOS) adds:

    lookup(rho, temp, ye, *names) -> one array per name (units in
        parleak.eos.table.UNITS); clamped to the table and counted
    require(needs): checks that the quantities {name: what needs it} are
        in the table and finite (EOSTableError otherwise)
    state_from(quantity, rho, value, ye, *names, temp_guess=None),
        temp_from_rho_eps, temp_from_rho_press, temp_from_rho_entropy:
        temperature inversions
    inversion_side(quantity, rho, value, ye) -> -1, 0, +1 per point
    beta_equilibrium_ye(rho, temp) -> Ye where munu = 0

These nuclear methods are not defined on the base class, so that calling
one on a non-nuclear EOS is an AttributeError naming it.
"""

import numpy as np


class EOS:
    """Base class of the equations of state: the class attributes of the
    interface above with the values of an EOS without a table (no
    temperature, not nuclear, no ranges, no counters). Subclasses set what
    differs and implement from_rho_eps and eps_from_rho_press."""

    has_temperature = False
    is_nuclear = False
    has_nuclei = False
    eps_zero = 0.0
    ranges = None
    counters = ()
    counts = np.zeros(0, dtype=np.int64)  # empty: nothing is ever counted

    @property
    def out_of_range(self):
        """{counter: number of points} since construction or reset_counts()
        (in counters order; empty without counters)."""
        return dict(zip(self.counters, self.counts.tolist()))

    def reset_counts(self):
        """Zero the out-of-range counters (no-op without counters)."""

    def from_rho_eps(self, rho, eps, ye, temp, press, gamma_c, gamma_e):
        raise NotImplementedError(f"{type(self).__name__}.from_rho_eps")

    def eps_from_rho_press(self, rho, press, ye, temp):
        raise NotImplementedError(f"{type(self).__name__}.eps_from_rho_press")
