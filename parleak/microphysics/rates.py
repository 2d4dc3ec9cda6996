"""Free neutrino emission rates of the leakage scheme (seed 004 after
Ruffert et al. 1996 and Galeazi et al. 2013, appendix A; bremsstrahlung from
Burrows, Reddy & Thompson 2006, Nucl. Phys. A 777, 356).

Every rate here is per unit volume: number rates R [cm^-3 s^-1] and energy
rates Q [MeV cm^-3 s^-1] (the caller converts to erg). Seed 004 writes them
per baryon (a factor n_b^-1); multiplying by n_b gives these. Temperatures,
degeneracies and Fermi integrals as in `parleak.microphysics.opacity`.

Pair processes (e+ e- annihilation, plasmon decay) produce a neutrino and an
antineutrino: for the electron flavour they return the number of pairs,
which is the number of nu_e and also the number of anti-nu_e; for nu_x they
return the number of heavy-lepton particles of all four lumped species (the
seed's 1/9 = 4 x 1/36 and 4 pi^3 factors). Each emitted particle carries the
returned mean energy, half the pair energy, so Q = R <E> per species (the
seed's Q for e+ e- is per pair). All Pauli-blocking factors are
vacancy(E / T, eta_nu) = 1 / (1 + exp(eta_nu - E / T)) at the mean energy E
of the emitted particle (seed 004 and Galeazi A9, A17, A24; the seed's
printed forms drop the parentheses of -(E / T - eta) for capture, show
F_3 / F_4 for F_4 / F_3 in the pair factor, and [1 + f] for [1 - f] in the
plasmon rates). The nu_x pair and plasmon rates carry one factor for the
neutrino and one for its antineutrino (both with eta_nux = 0), like the
electron flavour.
"""

import math

import numba

from parleak.constants import (AXIAL_COUPLING, C_AXIAL, C_VECTOR, ELECTRON_MASS_MEV, FINE_STRUCTURE_LEAKAGE,
                               HC_MEV_CM, MEV, PLASMA_GAMMA_0, SIGMA_0, SPEED_OF_LIGHT)
from parleak.kernel_math import exponential, square_root
from parleak.microphysics.opacity import vacancy

# beta = pi c sigma_0 (1 + 3 alpha^2) / ((h c)^3 (m_e c^2)^2) [MeV^-5 s^-1]
# (seed 004): R_ec = beta n_b Y_pn T^5 F_4(eta_e) <1 - f> [cm^-3 s^-1].
BETA = math.pi * SPEED_OF_LIGHT * SIGMA_0 * (1.0 + 3.0 * AXIAL_COUPLING**2) / (HC_MEV_CM**3 * ELECTRON_MASS_MEV**2)
# sigma_0 c / (m_e c^2)^2 [cm^3 s^-1 MeV^-2] and 8 pi / (h c)^3 [MeV^-3 cm^-3]
# of eps_N(e-+) = 8 pi / (h c)^3 T^N F_{N-1}(+-eta_e) (Galeazi A15).
PAIR_SCALE = SIGMA_0 * SPEED_OF_LIGHT / ELECTRON_MASS_MEV**2
LEPTON_MOMENT = 8.0 * math.pi / HC_MEV_CM**3
# (C_1 + C_2) of the e+ e- rates: nu_e anti-nu_e and nu_x anti-nu_x (seed 004).
PAIR_COUPLING_E = ((C_VECTOR - C_AXIAL) ** 2 + (C_VECTOR + C_AXIAL) ** 2) / 36.0
PAIR_COUPLING_X = ((C_VECTOR - C_AXIAL) ** 2 + (C_VECTOR + C_AXIAL - 2.0) ** 2) / 9.0
# Plasmon decay (seed 004, Galeazi A21, A22): pi^3 / (3 alpha_f) sigma_0 c /
# (m_e c^2)^2 / (h c)^6 [cm^-3 s^-1 MeV^-8] times C_V^2 (nu_e) or
# 4 (C_V - 1)^2 (nu_x).
PLASMON_SCALE = math.pi**3 / (3.0 * FINE_STRUCTURE_LEAKAGE) * PAIR_SCALE / HC_MEV_CM**6
PLASMON_COUPLING_E = C_VECTOR**2
PLASMON_COUPLING_X = 4.0 * (C_VECTOR - 1.0) ** 2
PI_SQUARED = math.pi**2
# Nucleon-nucleon bremsstrahlung (Burrows, Reddy & Thompson 2006, their fit):
# Q = 2.0778e30 zeta (X_n^2 + X_p^2 + 28/3 X_n X_p) rho_14^2 T^5.5
# erg cm^-3 s^-1 for all six species together, rho_14 = rho / 1e14 g cm^-3,
# T in MeV; here in MeV cm^-3 s^-1 per unit rho^2, one sixth per species.
BREMS_PER_SPECIES = 2.0778e30 / MEV / 1e28 / 6.0
# Mean energy of a bremsstrahlung neutrino over T: the BRT06 spectral fit
# dQ/dE proportional to (E/T)^2.4 exp(-1.1 E/T) (as in NuLib) gives
# <E> = Gamma(3.4) / (1.1 Gamma(2.4)) T = (2.4 / 1.1) T.
BREMS_MEAN_ENERGY_OVER_T = 2.4 / 1.1


@numba.njit(cache=True, inline="always", error_model="numpy")
def beta_capture(target_density, temp, f4, f5, eta_nu):
    """(R, Q) of e- + p -> n + nu_e or e+ + n -> p + anti-nu_e (seed 004,
    Galeazi A2-A5 per volume): R = beta n_target T^5 F_4 <1 - f_nu>,
    Q = beta n_target T^6 F_5 <1 - f_nu>, <1 - f_nu> = vacancy(F_5 / F_4,
    eta_nu). target_density [cm^-3]: n_b Y_pn for electron capture, n_b Y_np
    for positron capture; F_4, F_5 of eta_e (electrons) or -eta_e
    (positrons); eta_nu of the emitted species. R [cm^-3 s^-1], Q [MeV
    cm^-3 s^-1]."""
    t5 = temp * temp * temp * temp * temp
    rate = BETA * target_density * t5 * vacancy(f5 / f4, eta_nu)
    return rate * f4, rate * temp * f5


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def pair_blocking(energy_over_t, eta_nue, eta_anue):
    """vacancy(E/T, eta_nue) vacancy(E/T, eta_anue): the final-state
    blocking of a nu_e anti-nu_e pair at the mean energy E of one emitted
    neutrino."""
    return vacancy(energy_over_t, eta_nue) * vacancy(energy_over_t, eta_anue)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def heavy_pair_blocking(energy_over_t):
    """vacancy(E/T, 0)^2: the final-state blocking of a nu_x pair
    (eta_nux = 0) at the mean energy E of one emitted neutrino."""
    block = vacancy(energy_over_t, 0.0)
    return block * block


@numba.njit(cache=True, inline="always", error_model="numpy")
def pair_annihilation(temp, f3_minus, f4_minus, f3_plus, f4_plus, eta_nue, eta_anue):
    """e+ e- -> nu anti-nu (seed 004, Galeazi A13-A18, per volume). F_3, F_4
    of eta_e (minus: electrons) and -eta_e (plus: positrons); eta_nue,
    eta_anue (`pair_blocking`; eta_nux = 0). Returns (R_e, R_x, E): R_e [cm^-3 s^-1] nu_e anti-nu_e
    pairs (= nu_e = anti-nu_e produced), R_x [cm^-3 s^-1] heavy-lepton
    particles of the four species, E [MeV] the mean energy of one emitted
    neutrino, T / 2 (F_4(eta_e) / F_3(eta_e) + F_4(-eta_e) / F_3(-eta_e))."""
    t4 = temp * temp * temp * temp
    moment = LEPTON_MOMENT * t4
    pairs = PAIR_SCALE * (moment * moment) * f3_minus * f3_plus
    energy_over_t = 0.5 * (f4_minus / f3_minus + f4_plus / f3_plus)
    return (PAIR_COUPLING_E * pairs * pair_blocking(energy_over_t, eta_nue, eta_anue),
            PAIR_COUPLING_X * pairs * heavy_pair_blocking(energy_over_t), energy_over_t * temp)


@numba.njit(cache=True, inline="always", error_model="numpy")
def plasmon_decay(temp, eta_e, eta_nue, eta_anue):
    """gamma -> nu anti-nu, transverse plasmons (seed 004, Galeazi A21-A25,
    per volume), gamma = f_p sqrt((pi^2 + 3 eta_e^2) / 3). Returns
    (R_e, R_x, E) as `pair_annihilation` (same arguments after eta_e),
    E = T (1 + gamma^2 / (2 (1 + gamma)))."""
    gamma = PLASMA_GAMMA_0 * square_root((PI_SQUARED + 3.0 * eta_e * eta_e) / 3.0)
    gamma2 = gamma * gamma
    t2 = temp * temp
    t8 = t2 * t2 * t2 * t2
    decays = PLASMON_SCALE * gamma2 * gamma2 * gamma2 * t8 * exponential(-gamma) * (1.0 + gamma)
    energy_over_t = 1.0 + gamma2 / (2.0 * (1.0 + gamma))
    return (PLASMON_COUPLING_E * decays * pair_blocking(energy_over_t, eta_nue, eta_anue),
            PLASMON_COUPLING_X * decays * heavy_pair_blocking(energy_over_t), energy_over_t * temp)


@numba.njit(cache=True, inline="always", error_model="numpy")
def bremsstrahlung(rho, temp, xn, xp, zeta):
    """N + N -> N + N + nu anti-nu (Burrows, Reddy & Thompson 2006): (R, Q)
    for ONE of the six species, Q = Q_BRT / 6 [MeV cm^-3 s^-1] (nu_x, four
    species, gets 4 times this), R = Q / (BREMS_MEAN_ENERGY_OVER_T T)
    [cm^-3 s^-1]. rho [g cm^-3] (Q proportional to rho^2), temp [MeV],
    X_n, X_p mass fractions, zeta the BRT06 fudge factor (about 0.5)."""
    t5 = temp * temp * temp * temp * temp
    energy = (BREMS_PER_SPECIES * zeta * (xn * xn + xp * xp + (28.0 / 3.0) * xn * xp) * rho * rho
              * t5 * square_root(temp))
    return energy / (BREMS_MEAN_ENERGY_OVER_T * temp), energy
