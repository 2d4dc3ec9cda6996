"""The constants of the microphysics: one neutron-proton mass difference
for the EOS and the rates, the couplings as runtime parameters, and the
documented normalisations."""

import dataclasses

import numpy as np
import pytest

from parleak.constants import AVOGADRO_NUMBER, ELECTRON_MASS_MEV, NEUTRON_MASS_MEV, PROTON_MASS_MEV, SIGMA_0
from parleak.eos import builtin
from parleak.microphysics.fermi import fermi_dirac
from parleak.microphysics.leakage import LeakageParams, leakage_sources, opacities


def proton_matter(mu_p, temp=0.5, rho=1e12):
    """Pure free protons (X_p = 1) at mu_p [MeV, measured from the neutron
    rest mass, as the EOS tables store it]."""
    one = np.ones(1)
    return dict(rho=rho * one, temp=temp * one, ye=one, mu_e=10.0 * one, mu_n=0.0 * one, mu_p=mu_p * one,
                xn=0.0 * one, xp=one, tau=np.zeros((3, 2, 1)))


def test_the_rates_use_the_mass_difference_of_the_eos():
    """The built-in EOS stores mu_p - Q (Q = m_n - m_p, CODATA 2018); the
    leakage must add back the same Q. At mu_p = -Q the protons' kinetic
    degeneracy is 0, so the scattering target Y_pp = X_p / (1 + 2/3 max(eta_p,
    0)) is X_p exactly and kappa_s of nu_x (eta = 0) is analytic. With
    Q = 1.2935 MeV in the rates (and 1.29333 in the EOS), eta_p was
    1.7e-4 / T > 0 and kappa_s 2.2e-2 % low at T = 0.5 MeV."""
    q_np = NEUTRON_MASS_MEV - PROTON_MASS_MEV
    assert builtin.Q_MEV == q_np
    temp, rho = 0.5, 1e12
    kappa = opacities(**proton_matter(-q_np, temp, rho)).kappa_s
    c_sp = (4.0 * (0.962 - 1.0) ** 2 + 5.0 * 1.25**2) / 24.0
    expected = SIGMA_0 * AVOGADRO_NUMBER / ELECTRON_MASS_MEV**2 * rho * temp**2 * c_sp
    for j in range(2):
        assert kappa[2, j, 0] == pytest.approx(expected * fermi_dirac(4 + j, 0.0) / fermi_dirac(2 + j, 0.0),
                                               rel=1e-14)


def test_couplings_are_runtime_parameters():
    """A changed coupling reaches the kernels without recompilation and
    scales what it should: sigma_0 every opacity and rate linearly, the
    bremsstrahlung normalisation only the bremsstrahlung."""
    from parleak.microphysics.parameters import Couplings
    cell = dict(rho=np.array([1e13]), temp=np.array([8.0]), ye=np.array([0.3]), mu_e=np.array([30.0]),
                mu_n=np.array([5.0]), mu_p=np.array([-20.0]), xn=np.array([0.6]), xp=np.array([0.3]),
                tau=np.full((3, 2, 1), 2.0))
    base = LeakageParams()
    doubled = dataclasses.replace(base, couplings=Couplings(sigma_0=2.0 * base.couplings.sigma_0))
    one, two = leakage_sources(**cell, params=base), leakage_sources(**cell, params=doubled)
    np.testing.assert_allclose(two.kappa_total, 2.0 * one.kappa_total, rtol=1e-14)
    brems_only = dataclasses.replace(base, electron_capture=False, positron_capture=False, pair_annihilation=False,
                                     plasmon_decay=False)
    louder = dataclasses.replace(brems_only, couplings=Couplings(brems_normalisation=3.0 * 2.0778e30))
    np.testing.assert_allclose(leakage_sources(**cell, params=louder).q_free,
                               3.0 * leakage_sources(**cell, params=brems_only).q_free, rtol=1e-14)
    with pytest.raises(ValueError, match="sigma_0"):
        Couplings(sigma_0=-1.0)
    with pytest.raises(ValueError, match="couplings"):
        LeakageParams(couplings=1.0)


def test_documented_defaults():
    from parleak.microphysics.parameters import Couplings
    c = Couplings()
    assert (c.c_vector, c.c_axial, c.axial_coupling, c.sigma_0) == (0.962, 0.5, 1.25, 1.76e-44)
    assert c.q_np == NEUTRON_MASS_MEV - PROTON_MASS_MEV == pytest.approx(1.29333236, abs=1e-8)
    assert c.brems_normalisation == 2.0778e30
    assert LeakageParams().diffusion_constant == 3.0 and LeakageParams().brems_zeta == 0.5
