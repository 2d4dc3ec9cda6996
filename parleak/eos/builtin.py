"""The built-in nuclear equation of state (no download needed): point-wise
thermodynamics of free neutrons and protons, electrons and positrons, photons
and a stiff cold component above nuclear saturation density.

Every component is an ideal gas described by its free energy, so the sum is
thermodynamically consistent by construction (tests/test_builtin_eos.py):

- Neutrons, protons: non-relativistic ideal Fermi gases (g = 2) at any
  degeneracy, number densities n_n = (1 - Ye) n_B, n_p = Ye n_B with
  n_B = rho / m_u (rho the baryon mass density, m_u the atomic mass unit);
  rest energies m_n c^2, m_p c^2 (CODATA). No nuclei: at low density and
  temperature the matter is an (unphysical) free nucleon gas.
- Electrons and positrons: the exact relativistic Fermi gas with pairs, net
  density n_e- - n_e+ = Ye n_B (parleak.eos.fermi_gas).
- Photons: P = a T^4 / 3, e = a T^4, s = 4 a T^3 / 3 (T in K).
- Stiff cold component (independent of T and Ye), a polytrope in the excess
  density u = w ln(1 + exp((rho - rho_nuc) / w)) (a softplus of rho - rho_nuc):

      e_stiff(rho) = K u^(Gamma - 1) / (Gamma - 1)        [erg/g]
      P_stiff(rho) = rho^2 de_stiff/drho = K rho^2 u^(Gamma - 2) du/drho

  with Gamma = STIFF_GAMMA, rho_nuc = STIFF_RHO_NUC, w = STIFF_WIDTH and K
  fixed by P_stiff(STIFF_RHO_REF) = STIFF_PRESS_REF; P_stiff -> K rho^Gamma
  far above rho_nuc (with Gamma = 3, P_stiff = K rho^2 u du/drho: the onset
  is a smoothed kink of slope K rho_nuc^2) and is below 1e-4 of the gas
  pressure under 1e14 g/cm^3. The cold pressure (all components, T -> 0,
  Ye = 0.3) at 3e14 g/cm^3 is then about 2e34 dyn/cm^2, comparable to LS220
  there. Far above the bounce density (rho > ~1e15) the sound speed exceeds
  c (Newtonian hydro only).

Zero point of the specific internal energy: eps [erg/g] is the total energy
density, including the rest energies (m_n c^2 per neutron, m_p c^2 per
proton, m_e c^2 per electron and positron), minus n_B m_u c^2, divided by
rho. Since m_p + m_e > m_u and m_n > m_u, eps > 0 everywhere (at least
about 7.3 MeV per baryon, 7e18 erg/g).

Chemical potentials [MeV] in the stellarcollapse.org convention: mu_e
includes the electron rest mass; mu_n and mu_p are measured from the
neutron rest mass (mu_n = the kinetic neutron chemical potential, mu_p = the
kinetic proton chemical potential - Q with Q = (m_n - m_p) c^2); muhat =
mu_n - mu_p, munu = mu_e - muhat (zero in beta equilibrium).

The sound speed is the Newtonian adiabatic one, cs2 = dP/drho at fixed
entropy and Ye = dpdrhoe + dpderho P / rho^2 [cm^2/s^2]; gamma = rho cs2 / P.
"""

import collections
import math

import numba
import numpy as np

from parleak.constants import (ATOMIC_MASS_UNIT, ATOMIC_MASS_UNIT_MEV, ELECTRON_MASS_MEV, MEV, MEV_TO_KELVIN,
                               NEUTRON_MASS_MEV, PROTON_MASS_MEV, RADIATION_CONSTANT)
from parleak.eos.fermi_gas import NODES_PER_PANEL, fermion_thermo

MODEL_NAME = "parleak built-in: free n, p (non-relativistic Fermi gases) + e-/e+ (relativistic Fermi gas) + photons + stiff cold polytrope"
MODEL_VERSION = 1  # raise with any change of the physics (it enters the table cache name)

STIFF_GAMMA = 3.0  # asymptotic polytropic index of the stiff component
STIFF_RHO_NUC = 2.0e14  # g/cm^3, onset of the stiff component
STIFF_WIDTH = 2.0e13  # g/cm^3, softplus width of the onset
STIFF_RHO_REF = 3.0e14  # g/cm^3, where the stiff pressure is normalised ...
STIFF_PRESS_REF = 1.0e34  # dyn/cm^2, ... to this value

Q_MEV = NEUTRON_MASS_MEV - PROTON_MASS_MEV  # (m_n - m_p) c^2, CODATA 2018
RADIATION_MEV = RADIATION_CONSTANT * MEV_TO_KELVIN**4 / MEV  # a, MeV cm^-3 MeV^-4

QUANTITIES = ("press", "eps", "entropy", "mu_e", "mu_n", "mu_p", "muhat", "munu", "cs2", "dedt",
              "dpdrhoe", "dpderho", "gamma", "free_energy")
Thermo = collections.namedtuple("Thermo", QUANTITIES)
Thermo.__doc__ = """Point-wise EOS values: press [dyn/cm^2], eps [erg/g] (zero
point in the module docstring), entropy [k_B per baryon], mu_e, mu_n, mu_p,
muhat, munu [MeV, stellarcollapse.org convention], cs2 [cm^2/s^2], dedt
[erg/g/MeV], dpdrhoe [cm^2/s^2], dpderho [g/cm^3], gamma [1], free_energy
[MeV per baryon, same zero point as eps]."""


@numba.njit(cache=True, error_model="numpy")
def _stiff_shape(rho, k):
    """(e_stiff [erg/g], P_stiff [dyn/cm^2], dP_stiff/drho [cm^2/s^2]) of
    the stiff component (module docstring) for the constant k (cgs)."""
    z = (rho - STIFF_RHO_NUC) / STIFF_WIDTH
    u = STIFF_WIDTH * (max(z, 0.0) + math.log1p(math.exp(-abs(z))))
    du = 1.0 / (1.0 + math.exp(-z))
    d2u = du * (1.0 - du) / STIFF_WIDTH
    g = STIFF_GAMMA
    energy = k * u ** (g - 1.0) / (g - 1.0)
    press = k * rho * rho * u ** (g - 2.0) * du
    dpress = k * (2.0 * rho * u ** (g - 2.0) * du + rho * rho * ((g - 2.0) * u ** (g - 3.0) * du * du + u ** (g - 2.0) * d2u))
    return energy, press, dpress


STIFF_K = STIFF_PRESS_REF / _stiff_shape(STIFF_RHO_REF, 1.0)[1]  # cgs


@numba.njit(cache=True, error_model="numpy")
def _stiff_kernel(rho, out):
    for n in range(rho.size):
        out[0, n], out[1, n], out[2, n] = _stiff_shape(rho[n], STIFF_K)


def stiff_component(rho):
    """(e_stiff [erg/g], P_stiff [dyn/cm^2], dP_stiff/drho [cm^2/s^2]) on an
    array of rho [g/cm^3]."""
    rho = np.array(rho, dtype=float, order="C")
    out = np.empty((3, rho.size))
    _stiff_kernel(rho.reshape(-1), out)
    return tuple(a.reshape(rho.shape) for a in out)


@numba.njit(cache=True, error_model="numpy")
def _point(rho, temp, ye, out):
    """All QUANTITIES at rho [g/cm^3], temp [MeV], ye into out[:]."""
    n_b = rho / ATOMIC_MASS_UNIT
    mu_e, p_e, e_e, s_e, pt_e, pn_e, et_e, en_e = fermion_thermo(ye * n_b, temp, ELECTRON_MASS_MEV, True)
    mu_n, p_n, e_n, s_n, pt_n, pn_n, et_n, en_n = fermion_thermo((1.0 - ye) * n_b, temp, NEUTRON_MASS_MEV, False)
    mu_p, p_p, e_p, s_p, pt_p, pn_p, et_p, en_p = fermion_thermo(ye * n_b, temp, PROTON_MASS_MEV, False)
    mu_e += ELECTRON_MASS_MEV
    a_t3 = RADIATION_MEV * temp**3
    # Gas (MeV, cm^-3): energy includes rest energies minus n_B m_u c^2.
    press = p_e + p_n + p_p + a_t3 * temp / 3.0
    energy = e_e + e_n + e_p + a_t3 * temp - n_b * ATOMIC_MASS_UNIT_MEV
    entropy = s_e + s_n + s_p + 4.0 * a_t3 / 3.0
    free = (mu_e * ye * n_b - p_e + (mu_n + NEUTRON_MASS_MEV) * (1.0 - ye) * n_b - p_n
            + (mu_p + PROTON_MASS_MEV) * ye * n_b - p_p - a_t3 * temp / 3.0 - n_b * ATOMIC_MASS_UNIT_MEV)
    dpress_drho = (ye * (pn_e + pn_p) + (1.0 - ye) * pn_n) / ATOMIC_MASS_UNIT
    denergy_drho = (ye * (en_e + en_p) + (1.0 - ye) * en_n - ATOMIC_MASS_UNIT_MEV) / ATOMIC_MASS_UNIT
    dpress_dtemp = pt_e + pt_n + pt_p + 4.0 * a_t3 / 3.0
    denergy_dtemp = et_e + et_n + et_p + 4.0 * a_t3
    # cgs, with the stiff component (eps_rho = d eps / drho at fixed T, Ye).
    e_stiff, p_stiff, dp_stiff = _stiff_shape(rho, STIFF_K)
    p = press * MEV + p_stiff
    eps = energy * MEV / rho + e_stiff
    p_rho = dpress_drho * MEV + dp_stiff
    p_t = dpress_dtemp * MEV
    eps_t = denergy_dtemp * MEV / rho
    eps_rho = (denergy_drho - energy / rho) * MEV / rho + p_stiff / (rho * rho)
    dpdrhoe = p_rho - p_t * eps_rho / eps_t
    dpderho = p_t / eps_t
    cs2 = dpdrhoe + dpderho * p / (rho * rho)
    mu_p_sc = mu_p - Q_MEV
    out[0], out[1], out[2] = p, eps, entropy / n_b
    out[3], out[4], out[5], out[6], out[7] = mu_e, mu_n, mu_p_sc, mu_n - mu_p_sc, mu_e - (mu_n - mu_p_sc)
    out[8], out[9], out[10], out[11], out[12] = cs2, eps_t, dpdrhoe, dpderho, rho * cs2 / p
    out[13] = free / n_b + rho * e_stiff / (MEV * n_b)


@numba.njit(cache=True, error_model="numpy")
def thermo_kernel(rho, temp, ye, out):
    """QUANTITIES (rows of out, shape (len(QUANTITIES), n)) at the points of
    the flat arrays rho [g/cm^3], temp [MeV], ye."""
    for n in range(rho.size):
        _point(rho[n], temp[n], ye[n], out[:, n])


def thermo(rho, temp, ye):
    """The built-in EOS at rho [g/cm^3] > 0, temp [MeV] > 0, 0 < ye < 1
    (arrays, broadcast); returns a Thermo of arrays of the broadcast shape."""
    rho, temp, ye = (np.array(a, dtype=float, order="C") for a in np.broadcast_arrays(rho, temp, ye))
    if not (np.all(rho > 0.0) and np.all(temp > 0.0) and np.all((ye > 0.0) & (ye < 1.0))):
        raise ValueError("built-in EOS: needs rho > 0, temp > 0 and 0 < ye < 1")
    out = np.empty((len(QUANTITIES), rho.size))
    thermo_kernel(rho.ravel(), temp.ravel(), ye.ravel(), out)
    return Thermo(*(row.reshape(rho.shape) for row in out))


MODEL_PARAMETERS = {
    "model": MODEL_NAME, "model_version": MODEL_VERSION,
    "stiff_gamma": STIFF_GAMMA, "stiff_rho_nuc": STIFF_RHO_NUC, "stiff_width": STIFF_WIDTH,
    "stiff_rho_ref": STIFF_RHO_REF, "stiff_press_ref": STIFF_PRESS_REF, "stiff_k": STIFF_K,
    "electron_mass_mev": ELECTRON_MASS_MEV, "neutron_mass_mev": NEUTRON_MASS_MEV, "proton_mass_mev": PROTON_MASS_MEV,
    "atomic_mass_unit_mev": ATOMIC_MASS_UNIT_MEV, "quadrature_nodes_per_panel": NODES_PER_PANEL,
}
