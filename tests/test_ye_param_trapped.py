"""Liebendoerfer (2005) Ye(rho) with the N13 and G15 fits, and the trapped
neutrino pressure with its density threshold: values by hand."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import expit

from parleak.constants import MEV, PLANCK_CONSTANT
from parleak.microphysics.trapped import (neutrino_pressure, neutrino_specific_energy, threshold_factor,
                                      trapped_neutrino_pressure)
from parleak.microphysics.ye_param import G15, N13, deleptonise, delta_ye, ye_of_rho

HC = PLANCK_CONSTANT * 2.99792458e10 / MEV  # h c, MeV cm


@pytest.mark.parametrize("params, y_1, y_2, rho_1", [(N13, 0.5, 0.285, 2e7), (G15, 0.5, 0.278, 3e7)])
def test_ye_of_rho_by_hand(params, y_1, y_2, rho_1):
    rho_2, y_c = 2e13, 0.035
    mid = math.sqrt(rho_1 * rho_2)  # x = 0
    quarter = 10 ** (0.75 * math.log10(rho_2) + 0.25 * math.log10(rho_1))  # x = 1/2
    rho = np.array([rho_1, rho_2, mid, quarter, 1e3, 1e15])
    want = [y_1, y_2, (y_1 + y_2) / 2 + y_c, (y_1 + y_2) / 2 + (y_2 - y_1) / 4 + y_c / 2, y_1, y_2]
    np.testing.assert_allclose(ye_of_rho(rho, params), want, rtol=1e-14)


def test_delta_ye_is_never_positive():
    rho = np.geomspace(1e6, 1e15, 200)[:, None]
    ye = np.linspace(0.05, 0.6, 50)[None, :]
    change = delta_ye(rho, ye, N13)
    assert np.all(change <= 0.0)
    bar = ye_of_rho(rho, N13)
    np.testing.assert_array_equal(change, np.where(ye > bar, bar - ye, 0.0))
    np.testing.assert_array_equal(deleptonise(rho, ye, N13), np.minimum(ye, bar))


def fermi3(eta):
    return quad(lambda x: x**3 * expit(eta - x), 0.0, math.inf, epsabs=0.0, epsrel=1e-13, limit=200)[0]


@pytest.mark.parametrize("temp, eta", [(10.0, 0.0), (20.0, 5.0), (5.0, -3.0)])
def test_neutrino_pressure_by_hand(temp, eta):
    want = 4.0 * math.pi / (3.0 * HC**3) * temp**4 * (fermi3(eta) + fermi3(-eta)) * MEV
    np.testing.assert_allclose(neutrino_pressure(temp, eta), want, rtol=1e-12)
    if eta == 0.0:  # F_3(0) = 7 pi^4 / 120
        np.testing.assert_allclose(want, 4 * math.pi / (3 * HC**3) * temp**4 * 7 * math.pi**4 / 60 * MEV, rtol=1e-12)
    np.testing.assert_allclose(neutrino_specific_energy(2e14, want), 3.0 * want / 2e14, rtol=1e-15)


def test_threshold_factor():
    rho_th = 2e12
    assert threshold_factor(rho_th, rho_th) == 0.5
    np.testing.assert_allclose(threshold_factor(1.1 * rho_th, rho_th), 0.5 * (math.tanh(1.0) + 1.0), rtol=1e-15)
    assert threshold_factor(0.5 * rho_th, rho_th) < 1e-4 and threshold_factor(2 * rho_th, rho_th) > 1 - 1e-8
    p = neutrino_pressure(15.0, 2.0)
    np.testing.assert_allclose(trapped_neutrino_pressure(rho_th, 15.0, 2.0, rho_th), 0.5 * p, rtol=1e-15)
