"""The built-in nuclear equation of state (no download needed): point-wise
thermodynamics of free neutrons and protons in a nuclear mean field,
electrons and positrons, and photons.

Every component is described by its free energy, so the sum is
thermodynamically consistent by construction (tests/test_builtin_eos.py):

- Neutrons, protons: non-relativistic ideal Fermi gases (g = 2) at any
  degeneracy, number densities n_n = (1 - Ye) n_B, n_p = Ye n_B with
  n_B = rho / m_u (rho the baryon mass density, m_u the atomic mass unit);
  rest energies m_n c^2, m_p c^2 (CODATA). No nuclei: at low density and
  temperature the matter is an (unphysical) free nucleon gas.
- Nuclear mean field: a Skyrme-like potential energy per baryon, independent
  of T (u = n_B / n_0, delta = 1 - 2 Ye):

      E_pot/A = a u + b u^sigma + S_pot u^gamma delta^2              [MeV]
      P_pot   = n_B^2 d(E_pot/A)/dn_B
              = n_B (a u + sigma b u^sigma + gamma S_pot u^gamma delta^2)
      mu_n,pot, mu_p,pot = 2 a u + (1 + sigma) b u^sigma
                           + S_pot u^gamma ((gamma - 1) delta^2 +- 2 delta)

  (mu_i,pot = d(n_B E_pot/A)/dn_i, so muhat gains 4 S_pot u^gamma delta).
  a, b and sigma are fixed so that cold symmetric matter, with the kinetic
  energy T0 = (3/5) E_F of the nucleon gas at n_0 (T0 = 22.1 MeV, mass
  (m_n + m_p)/2), saturates at n_0 = SATURATION_DENSITY (0.16 fm^-3) with
  E/A = SATURATION_ENERGY (-16 MeV) and incompressibility K =
  INCOMPRESSIBILITY (240 MeV): sigma = (K + 2 T0) / (3 T0 - 9 E0), b =
  (T0/3 - E0) / (sigma - 1), a = E0 - T0 - b (a = -104.6 MeV, b = 66.5 MeV,
  sigma = 1.351). S_pot = J - 5 T0 / 9 makes the symmetry energy at n_0
  (kinetic 5 T0 / 9 plus potential) J = SYMMETRY_ENERGY (31 MeV); with
  gamma = SYMMETRY_EXPONENT (0.6) its slope is L = 58 MeV. The attraction
  softens the matter below n_0 (Gamma = dln P/dln rho about 1.0-1.3 from
  1e12 to 1e14 g/cm^3, so a collapsing core keeps collapsing) and the
  repulsion stiffens it above (Gamma 2-3 at 2-6e14 g/cm^3: the core
  bounces), like the nuclear EOSs of supernova codes; the symmetry energy
  gives a realistic beta-equilibrium Ye. P and the sound speed stay
  positive over the whole default table (T >= 0.01 MeV, Ye 0.01-0.6).
  Far above the bounce density the sound speed reaches c (at about 1e15
  g/cm^3; Newtonian hydro only).
- Electrons and positrons: the exact relativistic Fermi gas with pairs, net
  density n_e- - n_e+ = Ye n_B (parleak.eos.fermi_gas).
- Photons: P = a T^4 / 3, e = a T^4, s = 4 a T^3 / 3 (T in K).

Zero point of the specific internal energy: eps [erg/g] is the total energy
density, including the rest energies (m_n c^2 per neutron, m_p c^2 per
proton, m_e c^2 per electron and positron), minus n_B m_u c^2, divided by
rho, plus E_pot/A. Since m_p + m_e > m_u and m_n > m_u, the rest energies
give about 7.3 MeV per baryon (7e18 erg/g); the mean field's binding does
not make eps negative anywhere on the default table (the electrons' Fermi
energy outweighs it).

Chemical potentials [MeV] in the stellarcollapse.org convention: mu_e
includes the electron rest mass; mu_n and mu_p are measured from the
neutron rest mass (mu_n = the neutron's kinetic plus mean-field chemical
potential, mu_p = the proton's - Q with Q = (m_n - m_p) c^2); muhat =
mu_n - mu_p, munu = mu_e - muhat (zero in beta equilibrium).

The sound speed is the Newtonian adiabatic one, cs2 = dP/drho at fixed
entropy and Ye = dpdrhoe + dpderho P / rho^2 [cm^2/s^2]; gamma = rho cs2 / P.
"""

import collections
import math

import numba
import numpy as np

from parleak.constants import (ATOMIC_MASS_UNIT, ATOMIC_MASS_UNIT_MEV, ELECTRON_MASS_MEV, HC_MEV_CM, MEV,
                               MEV_TO_KELVIN, NEUTRON_MASS_MEV, NEUTRON_PROTON_MASS_DIFFERENCE_MEV, PROTON_MASS_MEV,
                               RADIATION_CONSTANT)
from parleak.eos.fermi_gas import NODES_PER_PANEL, fermion_thermo

MODEL_NAME = ("parleak built-in: free n, p (non-relativistic Fermi gases) with a Skyrme-like mean field + e-/e+ "
              "(relativistic Fermi gas) + photons")
MODEL_VERSION = 2  # raise with any change of the physics (it enters the table cache name)

# Nuclear matter properties the mean field reproduces (module docstring).
SATURATION_DENSITY = 0.16e39  # n_0, baryons/cm^3 (0.16 fm^-3)
SATURATION_ENERGY = -16.0  # E/A of cold symmetric nuclear matter at n_0, MeV
INCOMPRESSIBILITY = 240.0  # K = 9 n_0^2 d^2(E/A)/dn^2 at n_0, MeV
SYMMETRY_ENERGY = 31.0  # J: (1/2) d^2(E/A)/d delta^2 at n_0, delta = 0 (kinetic + potential), MeV
SYMMETRY_EXPONENT = 0.6  # gamma of the potential symmetry energy S_pot u^gamma

Q_MEV = NEUTRON_PROTON_MASS_DIFFERENCE_MEV  # (m_n - m_p) c^2, CODATA 2018 (the leakage's Couplings.q_np too)
RADIATION_MEV = RADIATION_CONSTANT * MEV_TO_KELVIN**4 / MEV  # a, MeV cm^-3 MeV^-4
HBARC_MEV_CM = HC_MEV_CM / (2.0 * math.pi)


def _mean_field_constants():
    """(a, b, sigma, S_pot) [MeV, MeV, 1, MeV] of the mean field from the
    saturation properties (module docstring), with T0 = (3/5) E_F the kinetic
    energy per nucleon of cold symmetric matter at n_0 (mass (m_n + m_p)/2)."""
    mass = 0.5 * (NEUTRON_MASS_MEV + PROTON_MASS_MEV)
    fermi_momentum = HBARC_MEV_CM * (1.5 * math.pi**2 * SATURATION_DENSITY) ** (1.0 / 3.0)  # MeV
    kinetic = 0.6 * fermi_momentum**2 / (2.0 * mass)
    sigma = (INCOMPRESSIBILITY + 2.0 * kinetic) / (3.0 * kinetic - 9.0 * SATURATION_ENERGY)
    b = (kinetic / 3.0 - SATURATION_ENERGY) / (sigma - 1.0)
    a = SATURATION_ENERGY - kinetic - b
    return a, b, sigma, SYMMETRY_ENERGY - 5.0 * kinetic / 9.0


MEAN_FIELD_A, MEAN_FIELD_B, MEAN_FIELD_SIGMA, SYMMETRY_POTENTIAL = _mean_field_constants()

QUANTITIES = ("press", "eps", "entropy", "mu_e", "mu_n", "mu_p", "muhat", "munu", "cs2", "dedt",
              "dpdrhoe", "dpderho", "gamma", "free_energy")
Thermo = collections.namedtuple("Thermo", QUANTITIES)
Thermo.__doc__ = """Point-wise EOS values: press [dyn/cm^2], eps [erg/g] (zero
point in the module docstring), entropy [k_B per baryon], mu_e, mu_n, mu_p,
muhat, munu [MeV, stellarcollapse.org convention], cs2 [cm^2/s^2], dedt
[erg/g/MeV], dpdrhoe [cm^2/s^2], dpderho [g/cm^3], gamma [1], free_energy
[MeV per baryon, same zero point as eps]."""


@numba.njit(cache=True, error_model="numpy")
def _mean_field(n_b, ye):
    """The nuclear mean field (module docstring) at n_b [cm^-3], ye:
    (E_pot/A [MeV], P_pot [MeV/cm^3], dP_pot/dn_B [MeV], mu_n,pot,
    mu_p,pot [MeV])."""
    u = n_b / SATURATION_DENSITY
    delta = 1.0 - 2.0 * ye
    a, b, sigma, s, g = MEAN_FIELD_A, MEAN_FIELD_B, MEAN_FIELD_SIGMA, SYMMETRY_POTENTIAL, SYMMETRY_EXPONENT
    b_u = b * u**sigma
    s_u = s * u**g
    energy = a * u + b_u + s_u * delta * delta
    press = n_b * (a * u + sigma * b_u + g * s_u * delta * delta)
    dpress = 2.0 * a * u + sigma * (sigma + 1.0) * b_u + g * (g + 1.0) * s_u * delta * delta
    symmetric = 2.0 * a * u + (1.0 + sigma) * b_u
    mu_n = symmetric + s_u * ((g - 1.0) * delta * delta + 2.0 * delta)
    mu_p = symmetric + s_u * ((g - 1.0) * delta * delta - 2.0 * delta)
    return energy, press, dpress, mu_n, mu_p


@numba.njit(cache=True, error_model="numpy")
def _mean_field_kernel(n_b, ye, out):
    for n in range(n_b.size):
        out[0, n], out[1, n], out[2, n], out[3, n], out[4, n] = _mean_field(n_b[n], ye[n])


def mean_field(rho, ye):
    """(E_pot/A [MeV], P_pot [MeV/cm^3], dP_pot/dn_B [MeV], mu_n,pot,
    mu_p,pot [MeV]) of the mean field (module docstring) at rho [g/cm^3]
    and ye (arrays, broadcast)."""
    rho, ye = (np.array(a, dtype=float, order="C") for a in np.broadcast_arrays(rho, ye))
    out = np.empty((5, rho.size))
    _mean_field_kernel((rho / ATOMIC_MASS_UNIT).ravel(), ye.ravel(), out)
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
    # With the nuclear mean field (T-independent), then cgs (eps_rho = d eps / drho at fixed T, Ye).
    e_pot, p_pot, dp_pot, mu_n_pot, mu_p_pot = _mean_field(n_b, ye)
    press += p_pot
    mu_n += mu_n_pot
    mu_p += mu_p_pot
    p = press * MEV
    eps = (energy / n_b + e_pot) * MEV / ATOMIC_MASS_UNIT
    p_rho = (dpress_drho + dp_pot / ATOMIC_MASS_UNIT) * MEV
    p_t = dpress_dtemp * MEV
    eps_t = denergy_dtemp * MEV / rho
    eps_rho = (denergy_drho - energy / rho) * MEV / rho + p_pot * MEV / (rho * rho)
    dpdrhoe = p_rho - p_t * eps_rho / eps_t
    dpderho = p_t / eps_t
    cs2 = dpdrhoe + dpderho * p / (rho * rho)
    mu_p_sc = mu_p - Q_MEV
    out[0], out[1], out[2] = p, eps, entropy / n_b
    out[3], out[4], out[5], out[6], out[7] = mu_e, mu_n, mu_p_sc, mu_n - mu_p_sc, mu_e - (mu_n - mu_p_sc)
    out[8], out[9], out[10], out[11], out[12] = cs2, eps_t, dpdrhoe, dpderho, rho * cs2 / p
    out[13] = free / n_b + e_pot


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
    "saturation_density": SATURATION_DENSITY, "saturation_energy": SATURATION_ENERGY,
    "incompressibility": INCOMPRESSIBILITY, "symmetry_energy": SYMMETRY_ENERGY, "symmetry_exponent": SYMMETRY_EXPONENT,
    "mean_field_a": MEAN_FIELD_A, "mean_field_b": MEAN_FIELD_B, "mean_field_sigma": MEAN_FIELD_SIGMA,
    "symmetry_potential": SYMMETRY_POTENTIAL,
    "electron_mass_mev": ELECTRON_MASS_MEV, "neutron_mass_mev": NEUTRON_MASS_MEV, "proton_mass_mev": PROTON_MASS_MEV,
    "atomic_mass_unit_mev": ATOMIC_MASS_UNIT_MEV, "quadrature_nodes_per_panel": NODES_PER_PANEL,
}
