"""Free neutrino emission rates of the leakage scheme (Ruffert, Janka &
Schaefer 1996, A&A 311, 532, appendix B; Rosswog & Liebendoerfer 2003,
MNRAS 342, 673; Galeazzi et al. 2013, PRD 88, 064009, appendix A;
bremsstrahlung from Burrows, Reddy & Thompson 2006, Nucl. Phys. A 777, 356,
eq. 143), one function per process, and the per-cell sum over processes.

Every rate here is per unit volume: number rates R [cm^-3 s^-1] and energy
rates Q [MeV cm^-3 s^-1] (the caller converts to erg). Galeazzi et al. write
them per baryon (a factor n_b^-1); multiplying by n_b gives these.
Temperatures, degeneracies and Fermi integrals as in
`parleak.microphysics.opacity`; the couplings come from the `KernelParams`
argument p (`parleak.microphysics.parameters`).

Pair processes (e+ e- annihilation, plasmon decay) produce a neutrino and an
antineutrino: for the electron flavour they return the number of pairs,
which is the number of nu_e and also the number of anti-nu_e; for nu_x they
return the number of heavy-lepton particles of all four lumped species (the
1/9 = 4 x 1/36 and 4 pi^3 factors of Galeazzi et al.). Each emitted
particle carries the returned mean energy, half the pair energy, so
Q = R <E> per species (Galeazzi's Q for e+ e- is per pair). All
Pauli-blocking factors are vacancy(E / T, eta_nu) = 1 / (1 + exp(eta_nu -
E / T)) at the mean energy E of the emitted particle (Galeazzi et al. 2013,
eqs. A9, A17, A24: their printed forms drop the parentheses of
-(E / T - eta) for capture and show F_3 / F_4 for F_4 / F_3 in the pair
factor). The nu_x pair and plasmon rates carry one factor for the neutrino
and one for its antineutrino (both with eta_nux = 0), like the electron
flavour.

Ratios of Fermi integrals (mean energies) go through
`parleak.microphysics.fermi.fermi_ratio`, finite for any degeneracy.

Layer: microphysics (numba, parleak.constants, parleak.kernel_math).
"""

import math

import numba

from parleak.constants import AVOGADRO_NUMBER, HC_MEV_CM
from parleak.kernel_math import exponential, square_root
from parleak.microphysics.fermi import fermi_ratio
from parleak.microphysics.opacity import cell_absorption_targets, fermi_at, vacancy
from parleak.microphysics.parameters import NUX_WEIGHT

# sigma_0 c / (m_e c^2)^2 [cm^3 s^-1 MeV^-2] (KernelParams.pair_scale) and
# 8 pi / (h c)^3 [MeV^-3 cm^-3] of eps_N(e-+) = 8 pi / (h c)^3 T^N F_{N-1}(+-eta_e)
# (Galeazzi et al. 2013, eq. A15).
LEPTON_MOMENT = 8.0 * math.pi / HC_MEV_CM**3
PI_SQUARED = math.pi**2
# Mean energy of a bremsstrahlung neutrino over T: the BRT06 spectral fit
# dQ/dE proportional to (E/T)^2.4 exp(-1.1 E/T) (as in NuLib) gives
# <E> = Gamma(3.4) / (1.1 Gamma(2.4)) T = (2.4 / 1.1) T.
BREMS_MEAN_ENERGY_OVER_T = 2.4 / 1.1


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def capture_blocking(f4, f5, eta_nu):
    """<1 - f_nu> = vacancy(F_5 / F_4, eta_nu): the blocking of the neutrino
    emitted by electron (positron) capture at its mean energy T F_5 / F_4 of
    eta_e (-eta_e); eta_nu of the emitted species (Galeazzi et al. 2013,
    eq. A9)."""
    return vacancy(fermi_ratio(f5, f4, 5.0), eta_nu)


@numba.njit(cache=True, inline="always", error_model="numpy")
def beta_capture(p, target_density, temp, f4, f5, eta_nu):
    """(R, Q) of e- + p -> n + nu_e or e+ + n -> p + anti-nu_e (Galeazzi et
    al. 2013, eqs. A2-A5, per volume): R = beta n_target T^5 F_4 <1 - f_nu>,
    Q = beta n_target T^6 F_5 <1 - f_nu>, <1 - f_nu> = vacancy(F_5 / F_4,
    eta_nu), beta = p.beta. target_density [cm^-3]: n_b Y_pn for electron
    capture, n_b Y_np for positron capture; F_4, F_5 of eta_e (electrons) or
    -eta_e (positrons); eta_nu of the emitted species. R [cm^-3 s^-1], Q
    [MeV cm^-3 s^-1]."""
    t5 = temp * temp * temp * temp * temp
    rate = p.beta * target_density * t5 * capture_blocking(f4, f5, eta_nu)
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


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def pair_energy_over_t(f3_minus, f4_minus, f3_plus, f4_plus):
    """E / T of one neutrino of e+ e- annihilation, (F_4 / F_3(eta_e) +
    F_4 / F_3(-eta_e)) / 2 (Galeazzi et al. 2013, appendix A; minus: F of
    eta_e, plus: of -eta_e)."""
    return 0.5 * (fermi_ratio(f4_minus, f3_minus, 4.0) + fermi_ratio(f4_plus, f3_plus, 4.0))


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def plasmon_energy_over_t(p, eta_e):
    """(gamma, E / T) of plasmon decay: gamma = gamma_0 sqrt((pi^2 + 3
    eta_e^2) / 3) and the mean energy of one neutrino E / T = 1 + gamma^2 /
    (2 (1 + gamma)) (Galeazzi et al. 2013, eqs. A21-A25)."""
    gamma = p.plasma_gamma_0 * square_root((PI_SQUARED + 3.0 * eta_e * eta_e) / 3.0)
    return gamma, 1.0 + gamma * gamma / (2.0 * (1.0 + gamma))


@numba.njit(cache=True, inline="always", error_model="numpy")
def pair_annihilation(p, temp, f3_minus, f4_minus, f3_plus, f4_plus, eta_nue, eta_anue):
    """e+ e- -> nu anti-nu (Galeazzi et al. 2013, eqs. A13-A18, per volume).
    F_3, F_4 of eta_e (minus: electrons) and -eta_e (plus: positrons);
    eta_nue, eta_anue (`pair_blocking`; eta_nux = 0). Returns (R_e, R_x, E):
    R_e [cm^-3 s^-1] nu_e anti-nu_e pairs (= nu_e = anti-nu_e produced), R_x
    [cm^-3 s^-1] heavy-lepton particles of the four species, E [MeV] the
    mean energy of one emitted neutrino, T / 2 (F_4(eta_e) / F_3(eta_e) +
    F_4(-eta_e) / F_3(-eta_e))."""
    t4 = temp * temp * temp * temp
    moment = LEPTON_MOMENT * t4
    pairs = p.pair_scale * (moment * moment) * f3_minus * f3_plus
    energy_over_t = pair_energy_over_t(f3_minus, f4_minus, f3_plus, f4_plus)
    return (p.pair_coupling_e * pairs * pair_blocking(energy_over_t, eta_nue, eta_anue),
            p.pair_coupling_x * pairs * heavy_pair_blocking(energy_over_t), energy_over_t * temp)


@numba.njit(cache=True, inline="always", error_model="numpy")
def plasmon_decay(p, temp, eta_e, eta_nue, eta_anue):
    """gamma -> nu anti-nu, transverse plasmons (Galeazzi et al. 2013, eqs.
    A21-A25, per volume), gamma = gamma_0 sqrt((pi^2 + 3 eta_e^2) / 3).
    Returns (R_e, R_x, E) as `pair_annihilation` (same arguments after
    eta_e), E = T (1 + gamma^2 / (2 (1 + gamma)))."""
    gamma, energy_over_t = plasmon_energy_over_t(p, eta_e)
    gamma2 = gamma * gamma
    t2 = temp * temp
    t8 = t2 * t2 * t2 * t2
    decays = p.plasmon_scale * gamma2 * gamma2 * gamma2 * t8 * exponential(-gamma) * (1.0 + gamma)
    return (p.plasmon_coupling_e * decays * pair_blocking(energy_over_t, eta_nue, eta_anue),
            p.plasmon_coupling_x * decays * heavy_pair_blocking(energy_over_t), energy_over_t * temp)


@numba.njit(cache=True, inline="always", error_model="numpy")
def bremsstrahlung(p, rho, temp, xn, xp, zeta):
    """N + N -> N + N + nu anti-nu (Burrows, Reddy & Thompson 2006, eq. 143):
    (R, Q) for ONE of the six species, Q = Q_BRT / 6 [MeV cm^-3 s^-1] with
    Q_BRT = Couplings.brems_normalisation zeta (X_n^2 + X_p^2 + 28/3 X_n X_p)
    rho_14^2 T^5.5 the total of all six (nu_x, four species, gets 4 times
    this; `Couplings` says how other codes read the normalisation),
    R = Q / (BREMS_MEAN_ENERGY_OVER_T T) [cm^-3 s^-1]. rho [g cm^-3] (Q
    proportional to rho^2), temp [MeV], X_n, X_p mass fractions, zeta the
    BRT06 factor (0.5)."""
    t5 = temp * temp * temp * temp * temp
    energy = (p.brems_per_species * zeta * (xn * xn + xp * xp + (28.0 / 3.0) * xn * xp) * rho * rho
              * t5 * square_root(temp))
    return energy / (BREMS_MEAN_ENERGY_OVER_T * temp), energy


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_processes(n, cells, eta, electrons, positrons, p):
    """The free rates of each process at flat cell n, switches ignored:
    ((R, Q) of electron capture (nu_e), (R, Q) of positron capture
    (anti-nu_e), (R_e, R_x, E) of pair annihilation and of plasmon decay,
    (R, Q) of bremsstrahlung per species), units as the process functions,
    from `cells` (CellArrays), eta (3, N) and the rows of
    `parleak.microphysics.opacity.degeneracies_and_fermi` (electrons,
    positrons: (F_2, ..., F_5) at eta_e and -eta_e), with the capture
    targets (Y_np, Y_pn) of `cell_absorption_targets`."""
    t, r = cells.temp[n], cells.rho[n]
    eta_e, eta_nue, eta_anue = eta[0, n], eta[1, n], eta[2, n]
    minus, plus = fermi_at(electrons, n), fermi_at(positrons, n)  # F_2..F_5 of eta_e and -eta_e
    baryons = AVOGADRO_NUMBER * r
    y_np, y_pn = cell_absorption_targets(r, t, cells.mu_n[n], cells.mu_p[n], cells.xn[n], cells.xp[n],
                                         p.rho_blocking, p.q_np)
    return (beta_capture(p, baryons * y_pn, t, minus[2], minus[3], eta_nue),
            beta_capture(p, baryons * y_np, t, plus[2], plus[3], eta_anue),
            pair_annihilation(p, t, minus[1], minus[2], plus[1], plus[2], eta_nue, eta_anue),
            plasmon_decay(p, t, eta_e, eta_nue, eta_anue),
            bremsstrahlung(p, r, t, cells.xn[n], cells.xp[n], p.zeta))


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_free_rates(n, cells, eta, electrons, positrons, p):
    """The free rates of flat cell n: (R(nu_e), R(anti-nu_e), R(nu_x)
    [cm^-3 s^-1], Q(nu_e), Q(anti-nu_e), Q(nu_x) [MeV cm^-3 s^-1]), the
    `cell_processes` summed over the processes that are on (p.ec_on, ...).
    Every process is evaluated and those that are off add 0
    (branch-free)."""
    capture, positron, pair, plasmon, brems = cell_processes(n, cells, eta, electrons, positrons, p)
    r_ec, q_ec = capture if p.ec_on else (0.0, 0.0)
    r_pc, q_pc = positron if p.pc_on else (0.0, 0.0)
    r_pair, x_pair = (pair[0], pair[1]) if p.pair_on else (0.0, 0.0)
    r_plasmon, x_plasmon = (plasmon[0], plasmon[1]) if p.plasmon_on else (0.0, 0.0)
    r_brems, q_brems = brems if p.brems_on else (0.0, 0.0)
    e_pair, e_plasmon = pair[2], plasmon[2]
    # pair processes: one nu_e and one anti-nu_e per pair, each of the pair's mean energy
    rate_e = r_ec + r_pair + r_plasmon + r_brems
    rate_a = r_pc + r_pair + r_plasmon + r_brems
    rate_x = x_pair + x_plasmon + NUX_WEIGHT * r_brems
    power_e = q_ec + r_pair * e_pair + r_plasmon * e_plasmon + q_brems
    power_a = q_pc + r_pair * e_pair + r_plasmon * e_plasmon + q_brems
    power_x = x_pair * e_pair + x_plasmon * e_plasmon + NUX_WEIGHT * q_brems
    return rate_e, rate_a, rate_x, power_e, power_a, power_x


@numba.njit(cache=True, error_model="numpy")
def free_rate_rows(cells, eta, fermi, p, free):
    """free[:, n] = `cell_free_rates` of every flat cell; free (6, N)."""
    for n in range(cells.rho.size):
        rates = cell_free_rates(n, cells, eta, fermi[2], fermi[3], p)
        for i in range(6):
            free[i, n] = rates[i]
