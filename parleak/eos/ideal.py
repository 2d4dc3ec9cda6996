"""The ideal gas (gamma-law) EOS: press = (gamma - 1) rho eps."""

import numba
import numpy as np

from parleak.eos.base import EOS


@numba.njit(cache=True, error_model="numpy")
def _ideal_from_rho_eps(rho, eps, press, gamma_c, gamma_e, gamma):
    for n in range(rho.size):
        press[n] = (gamma - 1.0) * rho[n] * eps[n]
        gamma_c[n] = gamma
        gamma_e[n] = gamma


class IdealGas(EOS):
    """press = (gamma - 1) rho eps (cgs); no temperature, ye is ignored.
    Not nuclear, no table: ranges None, no counters (the defaults of
    parleak.eos.base.EOS)."""

    has_temperature = False
    eps_zero = 0.0

    def __init__(self, gamma):
        if not gamma > 1.0:
            raise ValueError(f"ideal gas: gamma = {gamma!r} must be > 1")
        self.gamma = float(gamma)

    def from_rho_eps(self, rho, eps, ye, temp, press, gamma_c, gamma_e):
        arrays = (rho, eps, press, gamma_c, gamma_e)
        if all(a.flags.c_contiguous for a in arrays):  # one pass; reshape gives views
            _ideal_from_rho_eps(*(a.reshape(-1) for a in arrays), self.gamma)
        else:  # any views (the same arithmetic)
            np.multiply(self.gamma - 1.0, rho, out=press)
            press *= eps
            gamma_c[...] = self.gamma
            gamma_e[...] = self.gamma

    def eps_from_rho_press(self, rho, press, ye, temp):
        return np.asarray(press) / ((self.gamma - 1.0) * np.asarray(rho))
