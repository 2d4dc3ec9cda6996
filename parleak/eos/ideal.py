"""The ideal gas (gamma-law) EOS: press = (gamma - 1) rho eps."""

import numpy as np


class IdealGas:
    """press = (gamma - 1) rho eps (cgs); no temperature, ye is ignored."""

    has_temperature = False

    def __init__(self, gamma):
        if not gamma > 1.0:
            raise ValueError(f"ideal gas: gamma = {gamma!r} must be > 1")
        self.gamma = float(gamma)

    def from_rho_eps(self, rho, eps, ye, temp, press, gamma_c, gamma_e):
        np.multiply(self.gamma - 1.0, rho, out=press)
        press *= eps
        gamma_c[...] = self.gamma
        gamma_e[...] = self.gamma

    def eps_from_rho_press(self, rho, press, ye, temp):
        return np.asarray(press) / ((self.gamma - 1.0) * np.asarray(rho))
