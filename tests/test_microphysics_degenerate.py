"""Very degenerate and very non-degenerate matter: every opacity, rate and
source of the leakage stays finite and correct for degeneracies eta in
[-1000, 1000] and at every (rho, T, Ye) node of an EOS table.

Once exp(-|eta|) underflows (|eta| above about 707), the Fermi integrals
F_k(-|eta|) are 0, and a ratio of two of them (a mean energy, a spectral
average) must be its limit k! / j!, not 0 / 0: otherwise the pair and
positron-capture rates, and with them the whole emission of the cell (the
effective-rate guard turns NaN into 0), and the anti-nu_e opacities become
NaN. The reference values here come from mpmath quadrature of the Fermi
integrals at 40 digits, not from parleak's Fermi module.
"""

import math

import mpmath
import numpy as np
import pytest

from parleak.constants import (AVOGADRO_NUMBER, AXIAL_COUPLING, C_VECTOR, ELECTRON_MASS_MEV, HC_MEV_CM,
                               PLASMA_GAMMA_0, SIGMA_0, SPEED_OF_LIGHT, FINE_STRUCTURE_LEAKAGE)
from parleak.microphysics.leakage import LeakageParams, leakage_sources, leakage_sources_from_eos

ETAS = (-1000.0, -707.5, -707.0, -700.0, -50.0, -1.0, 0.0, 1.0, 50.0, 700.0, 707.0, 707.5, 1000.0)
TEMP = 0.1  # MeV: eta = 1000 is mu = 100 MeV
FIELDS = ("kappa_s", "kappa_a", "kappa_total", "eta_nu", "r_free", "q_free", "r_eff", "q_eff", "n_nu", "e_nu",
          "t_diff", "mean_energy", "dye_dt", "energy_loss_rate")


def fermi_mp(k, eta):
    """F_k(eta) = int_0^inf x^k / (exp(x - eta) + 1) dx at 40 digits
    (mpmath, no underflow at eta = -1000): -k! Li_{k+1}(-e^eta) for
    eta <= 0, quadrature split at x = eta above."""
    with mpmath.workdps(40):
        eta = mpmath.mpf(eta)
        if eta <= 0:
            return -mpmath.factorial(k) * mpmath.polylog(k + 1, -mpmath.exp(eta))
        return mpmath.quad(lambda x: x**k / (mpmath.exp(x - eta) + 1), [0, eta, mpmath.inf])


def cells(eta_e, eta_ceq, rho=1e11, tau=1.0):
    """Cells at T = 0.1 MeV with the electron degeneracy eta_e and the
    equilibrium nu_e degeneracy eta_ceq = (mu_e + mu_p - mu_n) / T
    (broadcast), tau for every species and moment."""
    eta_e, eta_ceq = np.broadcast_arrays(np.atleast_1d(eta_e).astype(float), np.atleast_1d(eta_ceq).astype(float))
    shape = eta_e.shape
    mu_e = eta_e * TEMP
    mu_p = np.full(shape, -5.0)
    mu_n = mu_e + mu_p - eta_ceq * TEMP
    return dict(rho=np.full(shape, rho), temp=np.full(shape, TEMP), ye=np.full(shape, 0.3), mu_e=mu_e, mu_n=mu_n,
                mu_p=mu_p, xn=np.full(shape, 0.5), xp=np.full(shape, 0.3), tau=np.full((3, 2) + shape, tau))


def assert_all_finite(result, where):
    for name in FIELDS:
        values = getattr(result, name)
        assert np.isfinite(values).all(), f"{name} not finite {where}: {values[~np.isfinite(values)][:4]}"
    assert not np.isnan(result.t_loss).any(), f"t_loss NaN {where}"


@pytest.mark.parametrize("method", ["accurate", "teh"])
@pytest.mark.parametrize("scheme", ["ruffert", "minimum"])
@pytest.mark.parametrize("tau", [0.0, 0.5, 50.0])
def test_every_output_is_finite_for_eta_in_plus_minus_1000(method, scheme, tau):
    eta_e, eta_ceq = np.meshgrid(ETAS, ETAS, indexing="ij")
    for rho in (1e11, 1e13):  # without and with nucleon final-state blocking
        result = leakage_sources(**cells(eta_e, eta_ceq, rho=rho, tau=tau),
                                 params=LeakageParams(fermi_method=method, scheme=scheme))
        assert_all_finite(result, f"({method}, {scheme}, tau = {tau}, rho = {rho})")
        assert (result.q_free >= 0.0).all() and (result.r_free >= 0.0).all()


def test_degenerate_electrons_keep_their_emission():
    """eta_e = 1000: electron capture and plasmon decay emit nu_e (the pair
    and positron rates are ~e^-1000, i.e. 0); before, 0/0 in the pair mean
    energy made the free rates NaN and the cell emitted nothing."""
    params = LeakageParams(bremsstrahlung=False)
    eta_nue = 10.0 * (1.0 - math.exp(-1.0))
    for eta_e in (707.5, 1000.0):
        result = leakage_sources(**cells(eta_e, 10.0, tau=1.0), params=params)
        n_b = AVOGADRO_NUMBER * 1e11
        f4, f5 = fermi_mp(4, eta_e), fermi_mp(5, eta_e)
        beta = (math.pi * SPEED_OF_LIGHT * SIGMA_0 * (1.0 + 3.0 * AXIAL_COUPLING**2)
                / (HC_MEV_CM**3 * ELECTRON_MASS_MEV**2))
        blocking = 1.0 / (1.0 + mpmath.exp(eta_nue - f5 / f4))
        capture = beta * n_b * 0.3 * TEMP**5 * f4 * blocking  # Y_pn = X_p below 2e12 g/cm^3
        gamma = PLASMA_GAMMA_0 * math.sqrt((math.pi**2 + 3.0 * eta_e**2) / 3.0)
        e_over_t = 1.0 + gamma**2 / (2.0 * (1.0 + gamma))
        plasmon = (math.pi**3 / (3.0 * FINE_STRUCTURE_LEAKAGE) * SIGMA_0 * SPEED_OF_LIGHT / ELECTRON_MASS_MEV**2
                   * gamma**6 * TEMP**8 / HC_MEV_CM**6 * math.exp(-gamma) * (1.0 + gamma) * C_VECTOR**2
                   / (1.0 + math.exp(eta_nue - e_over_t)) / (1.0 + math.exp(-eta_nue - e_over_t)))
        assert result.r_free[0, 0] == pytest.approx(float(capture + plasmon), rel=1e-12)
        # anti-nu_e: plasmon pairs only (positron capture and e+ e- pairs are ~e^-eta_e)
        assert result.r_free[1, 0] == pytest.approx(plasmon, rel=1e-12)
        assert result.r_eff[0, 0] > 0.0 and result.q_eff[0, 0] > 0.0
        assert result.dye_dt[0] < 0.0  # deleptonisation, not silence


@pytest.mark.parametrize("eta_ceq", [707.5, 1000.0])
def test_anti_nu_e_opacity_of_a_very_negative_degeneracy(eta_ceq):
    """eta_anue = -eta_ceq (large tau): the spectral averages of kappa are
    F_4 / F_2 and F_5 / F_3 of -1000, 12 and 20; the scattering opacity of
    anti-nu_e over that of nu_x (eta = 0) is their ratio to those at 0."""
    result = leakage_sources(**cells(10.0, eta_ceq, tau=50.0))
    eta_anue = result.eta_nu[1, 0]
    assert eta_anue == pytest.approx(-eta_ceq, rel=1e-15)
    for j in range(2):
        expected = (fermi_mp(4 + j, eta_anue) / fermi_mp(2 + j, eta_anue)) / (fermi_mp(4 + j, 0.0) / fermi_mp(2 + j, 0.0))
        assert result.kappa_s[1, j, 0] / result.kappa_s[2, j, 0] == pytest.approx(float(expected), rel=1e-12)
        assert np.isfinite(result.kappa_a[1, j, 0]) and result.kappa_a[1, j, 0] >= 0.0


def test_pair_mean_energy_near_the_underflow_matches_mpmath():
    """eta_e = 700 (F_k(-700) ~ 1e-304, still normal): pair annihilation
    alone, Q / R = T / 2 (F_4/F_3(700) + F_4/F_3(-700))."""
    params = LeakageParams(electron_capture=False, positron_capture=False, plasmon_decay=False, bremsstrahlung=False)
    result = leakage_sources(**cells(700.0, 0.0, tau=0.0), params=params)
    expected = TEMP / 2 * (fermi_mp(4, 700.0) / fermi_mp(3, 700.0) + fermi_mp(4, -700.0) / fermi_mp(3, -700.0))
    mean = result.q_free[2, 0] / result.r_free[2, 0] / 1.602176634e-6
    assert mean == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("tau", [0.0, 3.0, 1e4])
def test_every_node_of_the_builtin_table(tau):
    """The built-in table (the real tables: tests/test_eos_real_tables.py)."""
    from parleak.eos.table import TabulatedEOS
    from parleak.eos.table_writer import builtin_table_path
    eos = TabulatedEOS(builtin_table_path())
    rho, temp, ye = np.meshgrid(10.0 ** eos.logrho, 10.0 ** eos.logtemp, eos.ye, indexing="ij")
    rho, temp, ye = (a.reshape(-1) for a in (rho, temp, ye))
    for method in ("accurate", "teh"):
        result = leakage_sources_from_eos(eos, rho, temp, ye, np.full((3, 2, rho.size), tau),
                                          params=LeakageParams(fermi_method=method))
        assert_all_finite(result, f"(built-in table, {method}, tau = {tau})")
