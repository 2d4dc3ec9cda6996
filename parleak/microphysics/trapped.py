"""Pressure and energy of trapped neutrinos (O'Connor & Ott 2010, CQG 27,
114103, eqs. 36-38), switched on smoothly above a threshold density.

    P_nu = 4 pi / (3 (h c)^3) T^4 [F_3(eta_nu) + F_3(-eta_nu)],
    eps_nu = 3 P_nu / rho,
    f(rho) = [tanh((rho - rho_th) / (rho_th / 10)) + 1] / 2.

P_nu is the radiation pressure (one third of the energy density) of nu_e
with degeneracy eta_nu and anti-nu_e with -eta_nu, each with g = 1. A
pressure needs (h c)^3 in the denominator (the formulation parleak started
from printed (h c)^2): T^4 / (h c)^3 is MeV^4 / (MeV cm)^3 = MeV cm^-3,
which is what is implemented (times MEV for erg cm^-3). The hydro sources (-grad P_nu terms) are multiplied by
f(rho), which is 1/2 at rho_th.

Layer: microphysics (numpy, parleak.constants, parleak.microphysics.fermi).
"""

import math

import numpy as np

from parleak.constants import HC_MEV_CM, MEV
from parleak.microphysics.fermi import fermi_dirac_array

# 4 pi / (3 (h c)^3) in erg MeV^-4 cm^-3.
PRESSURE_SCALE = 4.0 * math.pi / (3.0 * HC_MEV_CM**3) * MEV


def threshold_factor(rho, rho_threshold):
    """f(rho) = [tanh(10 (rho - rho_th) / rho_th) + 1] / 2 (0 well below,
    1/2 at, 1 well above rho_th); rho, rho_threshold in g cm^-3."""
    return 0.5 * (np.tanh((np.asarray(rho, dtype=np.float64) - rho_threshold) / (0.1 * rho_threshold)) + 1.0)


def neutrino_pressure(temp, eta_nu, method="accurate"):
    """P_nu [erg cm^-3] of nu_e and anti-nu_e at temp [MeV] and nu_e
    degeneracy eta_nu (arrays); method: the Fermi-Dirac method."""
    temp = np.asarray(temp, dtype=np.float64)
    eta_nu = np.asarray(eta_nu, dtype=np.float64)
    return PRESSURE_SCALE * temp**4 * (fermi_dirac_array(3, eta_nu, method) + fermi_dirac_array(3, -eta_nu, method))


def trapped_neutrino_pressure(rho, temp, eta_nu, rho_threshold, method="accurate"):
    """f(rho) P_nu [erg cm^-3]: the neutrino pressure switched on above
    rho_threshold [g cm^-3] (rho [g cm^-3], temp [MeV], eta_nu)."""
    return threshold_factor(rho, rho_threshold) * neutrino_pressure(temp, eta_nu, method)


def neutrino_specific_energy(rho, pressure):
    """eps_nu = 3 P_nu / rho [erg g^-1] from rho [g cm^-3] and P_nu
    [erg cm^-3]."""
    return 3.0 * np.asarray(pressure, dtype=np.float64) / np.asarray(rho, dtype=np.float64)
