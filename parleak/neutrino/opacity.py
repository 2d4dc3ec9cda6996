"""Neutrino opacities of the leakage scheme (seed 004; Ruffert, Janka &
Schaefer 1996, A&A 311, 532, appendix A) for three species: 0 nu_e,
1 anti-nu_e, 2 nu_x (the four heavy-lepton species lumped), and two
spectral moments: j = 0 (number transport) and j = 1 (energy transport).

Conventions (stellarcollapse.org chemical potentials, all in MeV):
- mu_e includes the electron rest mass, eta_e = mu_e / T;
- mu_n, mu_p are measured from the neutron rest mass, so the kinetic nucleon
  degeneracies are eta_n = mu_n / T and eta_p = (mu_p + Q) / T with
  Q = Q_NP_MEV, and the kinetic difference in the Pauli-blocking factors is
  eta_hat = eta_n - eta_p = (mu_n - mu_p - Q) / T;
- the nu_e degeneracy at chemical equilibrium is
  eta_nue^ceq = eta_e + eta_p - eta_n - Q / T = (mu_e + mu_p - mu_n) / T.

Spectral averaging (Ruffert A6) turns every sigma = C sigma_0 (E / m_e c^2)^2
into kappa_j = C sigma_0 n (T / m_e c^2)^2 F_{4+j}(eta_nu) / F_{2+j}(eta_nu)
for a target density n. All scattering cross sections here are transport
cross sections (Ruffert A1 for nucleons; for nuclei see COHERENT below), so
the transport opacity kappa_total = kappa_a + kappa_s (1 - <cos theta>)
(seed 000) uses <cos theta> = 0 by default.

The scalar helpers are numba functions for the leakage kernels; the
vectorised entry points are `parleak.neutrino.leakage.opacities` and
`leakage_sources`.
"""

import math

import numba

from parleak.constants import (AVOGADRO_NUMBER, AXIAL_COUPLING, C_VECTOR, ELECTRON_MASS_MEV, Q_NP_MEV,
                               SIGMA_0)
from parleak.neutrino.fermi import fermi_orders

# Ruffert A1: transport cross-section coefficients C_{s,N} for nucleons.
C_SCATTER_NEUTRON = (1.0 + 5.0 * AXIAL_COUPLING**2) / 24.0
C_SCATTER_PROTON = (4.0 * (C_VECTOR - 1.0) ** 2 + 5.0 * AXIAL_COUPLING**2) / 24.0
# Ruffert A9, A10: charged-current absorption coefficient (1 + 3 alpha^2) / 4.
C_ABSORPTION = (1.0 + 3.0 * AXIAL_COUPLING**2) / 4.0
# Weak mixing angle from the seed's C_V = 1/2 + 2 sin^2(theta_W), so that the
# nucleus and nucleon neutral currents use one coupling (sin^2 = 0.231).
SIN2_THETA_WEAK = (C_VECTOR - 0.5) / 2.0
# Coherent scattering on a nucleus (A, Z) (Bruenn 1985, ApJS 58, 771; Burrows,
# Reddy & Thompson 2006, NPA 777, 356): total cross section
# sigma_0 / 16 (E / m_e c^2)^2 A^2 [1 - Z/A + (4 sin^2 theta_W - 1) Z/A]^2 with
# dsigma/dOmega proportional to 1 + cos(theta); its transport cross section
# is 2/3 of that, hence 1/24 (the vector-only neutron value of A1 for A = 1,
# Z = 0). Nuclear form factor and ion-ion correlations are neglected.
C_COHERENT = 1.0 / 24.0
# sigma_0 N_A / (m_e c^2)^2 [cm^2 mol^-1 MeV^-2]: kappa_j = OPACITY_SCALE rho
# T^2 (sum of C Y) F_{4+j} / F_{2+j} with rho in g cm^-3, T in MeV.
OPACITY_SCALE = SIGMA_0 * AVOGADRO_NUMBER / ELECTRON_MASS_MEV**2


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def neutrino_degeneracies(eta_ceq, tau_nue, tau_anue, eta0):
    """(eta_nue, eta_anue) interpolated with the number optical depths (seed
    004): eta_nue = eta^ceq (1 - e^-tau_nue) + eta0 e^-tau_nue and
    eta_anue = -eta^ceq (1 - e^-tau_anue) + eta0 e^-tau_anue; eta_nux = 0."""
    e_nue = math.exp(-tau_nue)
    e_anue = math.exp(-tau_anue)
    return eta_ceq * (1.0 - e_nue) + eta0 * e_nue, -eta_ceq * (1.0 - e_anue) + eta0 * e_anue


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def scattering_target(x_nucleon, eta_nucleon):
    """Y_NN = Y_N / (1 + 2/3 max(eta_N, 0)) (seed 004, Ruffert A8) with
    Y_N = X_N the EOS mass fraction and eta_N the kinetic degeneracy."""
    return x_nucleon / (1.0 + (2.0 / 3.0) * max(eta_nucleon, 0.0))


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def absorption_targets(rho, xn, xp, eta_hat, rho_blocking):
    """(Y_np, Y_pn): nucleons per baryon available as targets of the
    charged-current processes with Pauli blocking of the final nucleon
    (seed 004; Ruffert A13, A14; Bruenn 1985):

        Y_np = (X_p - X_n) / (exp(-eta_hat) - 1),  Y_pn = exp(-eta_hat) Y_np.

    Y_np (neutron targets, proton final state) serves nu_e + n -> e- + p and
    e+ + n -> p + anti-nu_e; Y_pn (proton targets, neutron final state)
    serves anti-nu_e + p -> e+ + n and e- + p -> n + nu_e. The seed's
    2 Ye - 1 is Y_p - Y_n of pure nucleon matter; the EOS mass fractions
    X_p - X_n are used instead (DESIGN trap) so that the non-degenerate limit
    is exactly Y_np = X_n, Y_pn = X_p also where nuclei are present. Below
    rho_blocking [g cm^-3] (seed: 2e12), and wherever either value is not
    finite or not positive (eta_hat -> 0, inconsistent inputs), the
    non-degenerate values X_n, X_p are used."""
    if rho >= rho_blocking:
        boltzmann = math.exp(-eta_hat)
        y_np = (xp - xn) / (boltzmann - 1.0)
        y_pn = boltzmann * y_np
        if y_np > 0.0 and y_pn > 0.0 and y_np < math.inf and y_pn < math.inf:
            return y_np, y_pn
    return xn, xp


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def coherent_weight(xh, abar, z_over_a):
    """C_COHERENT X_h A W^2 with W = 1 - Z/A + (4 sin^2 theta_W - 1) Z/A: the
    coherent nuclear scattering of nuclei n_h = N_A rho X_h / A in the units
    of C_{s,N} Y_N (kappa proportional to rho X_h A E^2, seed 001)."""
    weak_charge = 1.0 - z_over_a + (4.0 * SIN2_THETA_WEAK - 1.0) * z_over_a
    return C_COHERENT * xh * abar * weak_charge * weak_charge


HEAVY_OFF, HEAVY_ZBAR, HEAVY_YE = 0, 1, 2  # coherent scattering: off, Z/A = Zbar/Abar, Z/A = Ye


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def cell_coherent_weight(n, heavy_mode, ye, xh, abar, zbar):
    """coherent_weight at cell n, or 0 for HEAVY_OFF; Z/A from Zbar/Abar
    (HEAVY_ZBAR) or, where no Zbar is given, from Ye (HEAVY_YE)."""
    if heavy_mode == HEAVY_OFF or not xh[n] > 0.0:
        return 0.0
    z_over_a = zbar[n] / abar[n] if heavy_mode == HEAVY_ZBAR else ye[n]
    return coherent_weight(xh[n], abar[n], z_over_a)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def vacancy(energy_over_t, eta):
    """1 - f = 1 / (1 + exp(eta - E / T)): the Pauli-blocking factor of a
    fermion state of energy E in a Fermi-Dirac gas of degeneracy eta."""
    return 1.0 / (1.0 + math.exp(eta - energy_over_t))


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def final_lepton_blocking(eta_lepton, f4_nu, f5_nu):
    """<1 - f_l> = vacancy(F_5(eta_nu) / F_4(eta_nu), eta_l): Pauli blocking
    of the final-state electron (eta_l = eta_e) or positron (eta_l = -eta_e)
    of nu_e / anti-nu_e absorption at the mean absorbed neutrino energy
    T F_5 / F_4 (Ruffert A9, A10; seed 004 prints the neutrino factor
    [1 - f_nu]_ec there, which belongs to the emission)."""
    return vacancy(f5_nu / f4_nu, eta_lepton)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def spectral_ratios(f):
    """(F_4 / F_2, F_5 / F_3) of the Fermi integrals f = (F_0, ..., F_5) of a
    neutrino degeneracy: the spectral averages <E^2> / T^2 of kappa_0 and
    kappa_1 (Ruffert A6), dimensionless."""
    return f[4] / f[2], f[5] / f[3]


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def store_species_opacities(kappa_s, kappa_a, kappa_total, species, n, scale, c_scatter, c_absorb, ratios, forward):
    """Write kappa_{s,j}, kappa_{a,j} and kappa_total,j = kappa_a + kappa_s
    (1 - <cos theta>) [cm^-1] of one species at cell n for j = 0, 1, from
    scale = OPACITY_SCALE rho T^2, the summed target coefficients c_scatter
    and c_absorb (blocking included) and the species' `spectral_ratios`;
    forward = 1 - <cos theta>."""
    ratio0 = scale * ratios[0]
    ratio1 = scale * ratios[1]
    transport = c_absorb + forward * c_scatter
    kappa_s[species, 0, n] = c_scatter * ratio0
    kappa_s[species, 1, n] = c_scatter * ratio1
    kappa_a[species, 0, n] = c_absorb * ratio0
    kappa_a[species, 1, n] = c_absorb * ratio1
    kappa_total[species, 0, n] = transport * ratio0
    kappa_total[species, 1, n] = transport * ratio1


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def cell_opacities(n, rho, temp, mu_e, mu_n, mu_p, xn, xp, heavy, tau_nue, tau_anue, eta0, rho_blocking,
                   forward, method, nux_ratios, kappa_s, kappa_a, kappa_total):
    """Opacities of the three species at cell n (written into the (3, 2, N)
    arrays) from rho [g cm^-3], temp [MeV], mu_e, mu_n, mu_p [MeV], X_n, X_p,
    heavy = coherent_weight(...) or 0, the number optical depths of nu_e and
    anti-nu_e, eta0, rho_blocking [g cm^-3], forward = 1 - <cos theta>, the
    Fermi method and nux_ratios = spectral_ratios at eta_nux = 0.

    Returns what the rates need: eta_e, eta_nue, eta_anue, Y_np, Y_pn and
    the Fermi integrals (F_0, ..., F_5) of nu_e and of anti-nu_e."""
    inv_t = 1.0 / temp
    eta_e = mu_e * inv_t
    eta_ceq = (mu_e + mu_p - mu_n) * inv_t
    eta_hat = (mu_n - mu_p - Q_NP_MEV) * inv_t
    eta_nue, eta_anue = neutrino_degeneracies(eta_ceq, tau_nue, tau_anue, eta0)
    y_np, y_pn = absorption_targets(rho, xn, xp, eta_hat, rho_blocking)
    c_scatter = (C_SCATTER_NEUTRON * scattering_target(xn, mu_n * inv_t)
                 + C_SCATTER_PROTON * scattering_target(xp, (mu_p + Q_NP_MEV) * inv_t) + heavy)
    scale = OPACITY_SCALE * rho * temp * temp
    nue = fermi_orders(eta_nue, method)
    anue = fermi_orders(eta_anue, method)
    store_species_opacities(kappa_s, kappa_a, kappa_total, 0, n, scale, c_scatter,
                            C_ABSORPTION * y_np * final_lepton_blocking(eta_e, nue[4], nue[5]),
                            spectral_ratios(nue), forward)
    store_species_opacities(kappa_s, kappa_a, kappa_total, 1, n, scale, c_scatter,
                            C_ABSORPTION * y_pn * final_lepton_blocking(-eta_e, anue[4], anue[5]),
                            spectral_ratios(anue), forward)
    store_species_opacities(kappa_s, kappa_a, kappa_total, 2, n, scale, c_scatter, 0.0, nux_ratios, forward)
    return eta_e, eta_nue, eta_anue, y_np, y_pn, nue, anue


@numba.njit(cache=True, error_model="numpy")
def opacity_kernel(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar, heavy_mode, tau, eta0, rho_blocking,
                   forward, method, kappa_s, kappa_a, kappa_total):
    """Opacities of every cell of the flat inputs (see `cell_opacities` and
    `cell_coherent_weight`); tau, kappa_*: (3, 2, N)."""
    nux_ratios = spectral_ratios(fermi_orders(0.0, method))
    for n in range(rho.size):
        heavy = cell_coherent_weight(n, heavy_mode, ye, xh, abar, zbar)
        cell_opacities(n, rho[n], temp[n], mu_e[n], mu_n[n], mu_p[n], xn[n], xp[n], heavy, tau[0, 0, n],
                       tau[1, 0, n], eta0, rho_blocking, forward, method, nux_ratios, kappa_s, kappa_a, kappa_total)
