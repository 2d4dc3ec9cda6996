"""The point-wise microphysics API (parleak.microphysics.api, re-exported by
parleak.microphysics): what another code calls from a plain Python session."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import expit

from parleak.constants import MEV
from parleak.microphysics import leakage
import parleak.microphysics as mp


def fermi_quad(k, eta):
    edges = [0.0, max(eta, 0.0) + 1e-300, math.inf] if eta > 0 else [0.0, math.inf]
    return sum(quad(lambda x: x**k * expit(eta - x), a, b, epsabs=0.0, epsrel=1e-13, limit=400)[0]
               for a, b in zip(edges, edges[1:]))


CELL = dict(rho=np.array([1e13, 1e11, 3e14]), temp=np.array([8.0, 2.0, 20.0]), ye=np.array([0.25, 0.4, 0.2]),
            mu_e=np.array([40.0, 6.0, 150.0]), mu_n=np.array([2.0, -10.0, 60.0]),
            mu_p=np.array([-25.0, -14.0, -40.0]), xn=np.array([0.7, 0.5, 0.8]), xp=np.array([0.2, 0.3, 0.15]))
TAU = np.stack([np.full((2, 3), v) for v in (1.0, 0.3, 5.0)])


def test_free_rates_are_those_of_the_leakage_and_sum_by_process():
    rates = mp.free_rates(**CELL, tau=TAU)
    full = mp.effective_rates(**CELL, tau=TAU)
    assert np.array_equal(rates.r_free, full.r_free) and np.array_equal(rates.q_free, full.q_free)
    assert np.array_equal(rates.r_free[0], rates.electron_capture_r + rates.pair_r + rates.plasmon_r
                          + rates.bremsstrahlung_r)
    assert np.array_equal(rates.r_free[2], rates.pair_heavy_r + rates.plasmon_heavy_r + 4.0 * rates.bremsstrahlung_r)
    np.testing.assert_allclose(rates.q_free[1], rates.positron_capture_q + (rates.pair_r * rates.pair_energy
                               + rates.plasmon_r * rates.plasmon_energy) * MEV + rates.bremsstrahlung_q, rtol=1e-14)


def test_process_rates_by_hand():
    """Bremsstrahlung (Burrows et al. 2006, eq. 143, one sixth per species)
    and the capture mean energy T F_5 / F_4 (in MeV), from the formulas."""
    rates = mp.free_rates(**CELL, tau=TAU)
    rho, t, xn, xp = CELL["rho"], CELL["temp"], CELL["xn"], CELL["xp"]
    q_brems = 2.0778e30 * 0.5 * (xn**2 + xp**2 + 28 / 3 * xn * xp) * (rho / 1e14) ** 2 * t**5.5 / 6
    np.testing.assert_allclose(rates.bremsstrahlung_q, q_brems, rtol=1e-13)
    np.testing.assert_allclose(rates.bremsstrahlung_q / rates.bremsstrahlung_r / MEV, 2.4 / 1.1 * t, rtol=1e-14)
    eta_e = CELL["mu_e"] / t
    mean = [t[i] * fermi_quad(5, eta_e[i]) / fermi_quad(4, eta_e[i]) for i in range(3)]
    np.testing.assert_allclose(rates.electron_capture_q / rates.electron_capture_r / MEV, mean, rtol=1e-12)
    pair = [t[i] / 2 * (fermi_quad(4, eta_e[i]) / fermi_quad(3, eta_e[i])
                        + fermi_quad(4, -eta_e[i]) / fermi_quad(3, -eta_e[i])) for i in range(3)]
    np.testing.assert_allclose(rates.pair_energy, pair, rtol=1e-12)


def test_degeneracies_and_blocking_factors():
    eta = mp.degeneracies(**CELL, tau=TAU)
    t = CELL["temp"]
    np.testing.assert_allclose(eta.eta_e, CELL["mu_e"] / t, rtol=1e-15)
    equilibrium = (CELL["mu_e"] + CELL["mu_p"] - CELL["mu_n"]) / t
    np.testing.assert_allclose(eta.eta_nue_equilibrium, equilibrium, rtol=1e-15)
    np.testing.assert_allclose(eta.eta_nue, equilibrium * (1 - np.exp(-TAU[0, 0])), rtol=1e-14)
    np.testing.assert_allclose(eta.eta_anue, -equilibrium * (1 - np.exp(-TAU[1, 0])), rtol=1e-14)
    q = mp.Couplings().q_np
    np.testing.assert_allclose(eta.eta_p, (CELL["mu_p"] + q) / t, rtol=1e-15)
    np.testing.assert_allclose(eta.eta_hat, eta.eta_n - eta.eta_p, rtol=1e-13)
    block = mp.blocking_factors(**CELL, tau=TAU)
    for name in block._fields[4:]:
        value = getattr(block, name)
        assert ((value >= 0.0) & (value <= 1.0)).all(), name
    assert block.y_np[1] == CELL["xn"][1] and block.y_pn[1] == CELL["xp"][1]  # below 2e12 g/cm^3: no blocking
    np.testing.assert_allclose(block.y_nn, CELL["xn"] / (1 + 2 / 3 * np.maximum(eta.eta_n, 0)), rtol=1e-15)
    # without optical depth the neutrinos have eta0 = 0
    transparent = mp.degeneracies(**CELL)
    assert (transparent.eta_nue == 0.0).all() and (transparent.eta_anue == 0.0).all()


def test_opacities_and_sources_are_the_leakage_ones():
    kappa = mp.opacities(**CELL, tau=TAU)
    assert np.array_equal(kappa.kappa_total, leakage.opacities(**CELL, tau=TAU).kappa_total)
    assert np.array_equal(mp.transport_opacities(**CELL, tau=TAU).kappa_total, kappa.kappa_total)
    full, terms = mp.effective_rates(**CELL, tau=TAU), mp.source_terms(**CELL, tau=TAU)
    assert np.array_equal(full.dye_dt, terms.dye_dt) and np.array_equal(full.q_eff, terms.q_eff)
    assert np.array_equal(mp.effective_rates(**CELL).r_eff, mp.effective_rates(**CELL, tau=np.zeros((3, 2, 3))).r_eff)


def test_scalars_and_broadcasting():
    one = {k: v[0] for k, v in CELL.items()}
    rates = mp.free_rates(**one)
    assert rates.electron_capture_r.shape == () and rates.r_free.shape == (3,)
    assert rates.r_free[0] == mp.free_rates(**CELL).r_free[0, 0]


def test_couplings_reach_the_point_functions():
    params = mp.LeakageParams(couplings=mp.Couplings(q_np=1.2935))
    old, new = mp.degeneracies(**CELL, params=params), mp.degeneracies(**CELL)
    np.testing.assert_allclose(old.eta_p - new.eta_p, (1.2935 - mp.Couplings().q_np) / CELL["temp"], rtol=1e-9)
    with pytest.raises(ValueError):
        mp.LeakageParams(fermi_method="exact")
