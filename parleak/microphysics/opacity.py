"""Neutrino opacities of the leakage scheme (Ruffert, Janka & Schaefer 1996,
A&A 311, 532, appendix A; Rosswog & Liebendoerfer 2003, MNRAS 342, 673;
Galeazzi et al. 2013, PRD 88, 064009, appendix A) for three species: 0 nu_e,
1 anti-nu_e, 2 nu_x (the four heavy-lepton species lumped), and two
spectral moments: j = 0 (number transport) and j = 1 (energy transport).

Conventions (stellarcollapse.org chemical potentials, all in MeV):
- mu_e includes the electron rest mass, eta_e = mu_e / T;
- mu_n, mu_p are measured from the neutron rest mass, so the kinetic nucleon
  degeneracies are eta_n = mu_n / T and eta_p = (mu_p + Q) / T with
  Q = Couplings.q_np (m_n - m_p, CODATA), and the kinetic difference in the Pauli-blocking factors is
  eta_hat = eta_n - eta_p = (mu_n - mu_p - Q) / T;
- the nu_e degeneracy at chemical equilibrium is
  eta_nue^ceq = eta_e + eta_p - eta_n - Q / T = (mu_e + mu_p - mu_n) / T.

Spectral averaging (Ruffert A6) turns every sigma = C sigma_0 (E / m_e c^2)^2
into kappa_j = C sigma_0 n (T / m_e c^2)^2 F_{4+j}(eta_nu) / F_{2+j}(eta_nu)
for a target density n. All scattering cross sections here are transport
cross sections (Ruffert A1 for nucleons; for nuclei see COHERENT below), so
the transport opacity kappa_total = kappa_a + kappa_s (1 - <cos theta>)
uses <cos theta> = 0 by default.

The scalar helpers are numba functions for the leakage kernels; the
constants (couplings, Q) come from their `KernelParams` argument p. The
vectorised entry points are `parleak.microphysics.leakage.opacities` and
`leakage_sources`. Layer: microphysics (numpy, numba, parleak.constants,
parleak.kernel_math).
"""

import math

import numba
import numpy as np

from parleak.kernel_math import exponential
from parleak.microphysics.fermi import fermi_orders, fermi_ratio, fermi_rows
from parleak.microphysics.parameters import HEAVY_OFF, HEAVY_YE, HEAVY_ZBAR  # noqa: F401 (re-exported)

# Coherent scattering on a nucleus (A, Z) (Bruenn 1985, ApJS 58, 771; Burrows,
# Reddy & Thompson 2006, NPA 777, 356): total cross section
# sigma_0 / 16 (E / m_e c^2)^2 A^2 [1 - Z/A + (4 sin^2 theta_W - 1) Z/A]^2 with
# dsigma/dOmega proportional to 1 + cos(theta); its transport cross section
# is 2/3 of that, hence 1/24 (the vector-only neutron value of Ruffert A1
# for A = 1, Z = 0). Nuclear form factor and ion-ion correlations are
# neglected. The weak mixing angle is that of C_V = 1/2 + 2 sin^2(theta_W)
# (KernelParams.nuclear_charge = 4 sin^2 theta_W - 1), so that nucleus and
# nucleon neutral currents use one coupling.
C_COHERENT = 1.0 / 24.0


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def blended_degeneracy(eta_trapped, tau, eta0):
    """eta_trapped (1 - e^-tau) + eta0 e^-tau: a neutrino degeneracy
    interpolated with its number optical depth (Rosswog & Liebendoerfer 2003;
    Galeazzi et al. 2013, appendix A)."""
    transparency = exponential(-tau)
    return eta_trapped * (1.0 - transparency) + eta0 * transparency


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def neutrino_degeneracies(eta_ceq, tau_nue, tau_anue, eta0):
    """(eta_nue, eta_anue) interpolated with the number optical depths
    (`blended_degeneracy`): eta_nue = eta^ceq (1 - e^-tau_nue) + eta0 e^-tau_nue and
    eta_anue = -eta^ceq (1 - e^-tau_anue) + eta0 e^-tau_anue; eta_nux = 0."""
    return blended_degeneracy(eta_ceq, tau_nue, eta0), blended_degeneracy(-eta_ceq, tau_anue, eta0)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def scattering_target(x_nucleon, eta_nucleon):
    """Y_NN = Y_N / (1 + 2/3 max(eta_N, 0)) (Ruffert et al. 1996, eq. A8) with
    Y_N = X_N the EOS mass fraction and eta_N the kinetic degeneracy."""
    return x_nucleon / (1.0 + (2.0 / 3.0) * max(eta_nucleon, 0.0))


@numba.njit(cache=True, inline="always", error_model="numpy")
def absorption_targets(rho, xn, xp, eta_hat, rho_blocking):
    """(Y_np, Y_pn): nucleons per baryon available as targets of the
    charged-current processes with Pauli blocking of the final nucleon
    (Ruffert et al. 1996, eqs. A13, A14; Bruenn 1985):

        Y_np = (X_p - X_n) / (exp(-eta_hat) - 1),  Y_pn = exp(-eta_hat) Y_np.

    Y_np (neutron targets, proton final state) serves nu_e + n -> e- + p and
    e+ + n -> p + anti-nu_e; Y_pn (proton targets, neutron final state)
    serves anti-nu_e + p -> e+ + n and e- + p -> n + nu_e. Ruffert's
    2 Ye - 1 is Y_p - Y_n of pure nucleon matter; the EOS mass fractions
    X_p - X_n are used instead (DESIGN trap) so that the non-degenerate limit
    is exactly Y_np = X_n, Y_pn = X_p also where nuclei are present. Below
    rho_blocking [g cm^-3] (Ruffert et al.: 2e12), and wherever either value is not
    finite or not positive (eta_hat -> 0, inconsistent inputs), the
    non-degenerate values X_n, X_p are used. Branch-free (the blocked values
    are computed everywhere and selected)."""
    boltzmann = exponential(-eta_hat)
    y_np = (xp - xn) / (boltzmann - 1.0)
    y_pn = boltzmann * y_np
    blocked = rho >= rho_blocking and y_np > 0.0 and y_pn > 0.0 and y_np < math.inf and y_pn < math.inf
    return (y_np if blocked else xn), (y_pn if blocked else xp)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def blocking_degeneracy(temp, mu_n, mu_p, q_np):
    """eta_hat = eta_n - eta_p = (mu_n - mu_p - Q) / T, the kinetic
    degeneracy difference of the nucleon blocking factors (temp, mu_n, mu_p,
    q_np = Q in MeV)."""
    return (mu_n - mu_p - q_np) * (1.0 / temp)


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_absorption_targets(rho, temp, mu_n, mu_p, xn, xp, rho_blocking, q_np):
    """`absorption_targets` (Y_np, Y_pn) of a cell from rho [g cm^-3], temp,
    mu_n, mu_p [MeV] and X_n, X_p, with eta_hat = (mu_n - mu_p - Q) / T,
    q_np = Q [MeV]."""
    return absorption_targets(rho, xn, xp, blocking_degeneracy(temp, mu_n, mu_p, q_np), rho_blocking)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def nucleon_degeneracies(inv_t, mu_n, mu_p, q_np):
    """(eta_n, eta_p): the kinetic degeneracies of free neutrons and protons,
    mu_n / T and (mu_p + Q) / T, from inv_t = 1 / T [MeV^-1] and mu_n, mu_p
    [MeV, from the neutron rest mass], q_np = Q [MeV]."""
    return mu_n * inv_t, (mu_p + q_np) * inv_t


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def coherent_weight(xh, abar, z_over_a, nuclear_charge):
    """C_COHERENT X_h A W^2 with W = 1 - Z/A + (4 sin^2 theta_W - 1) Z/A
    (nuclear_charge = 4 sin^2 theta_W - 1): the coherent nuclear scattering
    of nuclei n_h = N_A rho X_h / A in the units of C_{s,N} Y_N (kappa
    proportional to rho X_h A E^2; Bruenn 1985)."""
    weak_charge = 1.0 - z_over_a + nuclear_charge * z_over_a
    return C_COHERENT * xh * abar * weak_charge * weak_charge


@numba.njit(cache=True, error_model="numpy")
def coherent_weight_rows(cells, p, heavy):
    """heavy[n] = coherent_weight of every flat cell of `cells`
    (CellArrays), or 0 for p.heavy_mode = HEAVY_OFF and where X_h <= 0; Z/A
    from Zbar/Abar (HEAVY_ZBAR) or, where no Zbar is given, from Ye
    (HEAVY_YE). A loop of its own: four more input arrays in the opacity
    loop would keep the compiler from vectorising it."""
    heavy_mode = p.heavy_mode
    if heavy_mode == HEAVY_OFF:
        heavy[:] = 0.0
        return
    xh, abar, zbar, ye, charge = cells.xh, cells.abar, cells.zbar, cells.ye, p.nuclear_charge
    for n in range(heavy.size):
        x, a = xh[n], abar[n]
        weight = coherent_weight(x, a, zbar[n] / a if heavy_mode == HEAVY_ZBAR else ye[n], charge)
        heavy[n] = weight if x > 0.0 else 0.0


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def vacancy(energy_over_t, eta):
    """1 - f = 1 / (1 + exp(eta - E / T)): the Pauli-blocking factor of a
    fermion state of energy E in a Fermi-Dirac gas of degeneracy eta."""
    return 1.0 / (1.0 + exponential(eta - energy_over_t))


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def final_lepton_blocking(eta_lepton, f4_nu, f5_nu):
    """<1 - f_l> = vacancy(F_5(eta_nu) / F_4(eta_nu), eta_l): Pauli blocking
    of the final-state electron (eta_l = eta_e) or positron (eta_l = -eta_e)
    of nu_e / anti-nu_e absorption at the mean absorbed neutrino energy
    T F_5 / F_4 (Ruffert et al. 1996, eqs. A9, A10; the factor
    [1 - f_nu] that some write there belongs to the emission)."""
    return vacancy(fermi_ratio(f5_nu, f4_nu, 5.0), eta_lepton)


@numba.njit(cache=True, inline="always", error_model="numpy")
def spectral_ratios(f):
    """(F_4 / F_2, F_5 / F_3) of the Fermi integrals f = (F_2, F_3, F_4, F_5)
    of a neutrino degeneracy: the spectral averages <E^2> / T^2 of kappa_0
    and kappa_1 (Ruffert et al. 1996, eq. A6), dimensionless; finite for
    any eta (`fermi_ratio`: 12 and 20 where the integrals underflow)."""
    return fermi_ratio(f[2], f[0], 12.0), fermi_ratio(f[3], f[1], 20.0)


@numba.njit(cache=True, inline="always", error_model="numpy")
def species_opacities(scale, c_scatter, c_absorb, ratios, forward):
    """(kappa_s,0, kappa_s,1, kappa_a,0, kappa_a,1, kappa_total,0,
    kappa_total,1) [cm^-1] of one species, kappa_total,j = kappa_a,j +
    kappa_s,j (1 - <cos theta>), from scale = p.opacity_scale rho T^2, the
    summed target coefficients c_scatter and c_absorb (blocking included),
    the species' `spectral_ratios` and forward = 1 - <cos theta>."""
    ratio0 = scale * ratios[0]
    ratio1 = scale * ratios[1]
    transport = c_absorb + forward * c_scatter
    return (c_scatter * ratio0, c_scatter * ratio1, c_absorb * ratio0, c_absorb * ratio1, transport * ratio0,
            transport * ratio1)


@numba.njit(cache=True, error_model="numpy")
def degeneracy_rows(cells, tau, p, eta):
    """The degeneracies of flat cells: eta[0] = eta_e = mu_e / T, eta[1],
    eta[2] = eta_nue, eta_anue (`neutrino_degeneracies` with the number
    optical depths tau[0], tau[2] of tau (6, N), species x moment, and
    p.eta0); eta (3, N)."""
    temp, mu_e, mu_n, mu_p, eta0 = cells.temp, cells.mu_e, cells.mu_n, cells.mu_p, p.eta0
    for n in range(temp.size):
        inv_t = 1.0 / temp[n]
        eta_ceq = (mu_e[n] + mu_p[n] - mu_n[n]) * inv_t
        eta[0, n] = mu_e[n] * inv_t
        eta[1, n] = blended_degeneracy(eta_ceq, tau[0, n], eta0)
        eta[2, n] = blended_degeneracy(-eta_ceq, tau[2, n], eta0)


def degeneracies_and_fermi(cells, tau, p, electrons=False):
    """The first loops of the kernels over the flat cells: (eta (3, N) of
    `degeneracy_rows`, fermi (k, 4, N): (F_2, ..., F_5) at eta_nue, eta_anue
    and, with electrons, also at eta_e and -eta_e (k = 4, else 3))."""
    size = cells.temp.size
    eta = np.empty((3, size))
    degeneracy_rows(cells, tau, p, eta)
    fermi = np.empty((4 if electrons else 3, 4, size))
    fermi_rows(eta[1], p.method, fermi[0], fermi[2])
    fermi_rows(eta[2], p.method, fermi[1], fermi[2])
    if electrons:
        fermi_rows(eta[0], p.method, fermi[2], fermi[3])
    return eta, fermi


@numba.njit(cache=True, inline="always", error_model="numpy")
def fermi_at(rows, n):
    """(F_2, ..., F_5) of cell n from rows (4, N) of `fermi_rows`."""
    return rows[0, n], rows[1, n], rows[2, n], rows[3, n]


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_opacities(n, cells, heavy, eta, fermi, p, nux_ratios):
    """`species_opacities` of nu_e, anti-nu_e and nu_x at flat cell n (three
    6-tuples) from `cells` (CellArrays: rho [g cm^-3], temp [MeV], mu_n, mu_p
    [MeV], X_n, X_p), heavy (`coherent_weight_rows`), the rows of
    `degeneracies_and_fermi` (eta: eta_e in row 0; fermi: (F_2, ..., F_5)
    at eta_nue and eta_anue in fermi[0], fermi[1]), p (KernelParams:
    rho_blocking [g cm^-3], forward = 1 - <cos theta>, the couplings) and
    nux_ratios = spectral_ratios at eta_nux = 0."""
    r, t, m_n, m_p, x_n, x_p = cells.rho[n], cells.temp[n], cells.mu_n[n], cells.mu_p[n], cells.xn[n], cells.xp[n]
    nue, anue = fermi_at(fermi[0], n), fermi_at(fermi[1], n)
    inv_t = 1.0 / t
    y_np, y_pn = cell_absorption_targets(r, t, m_n, m_p, x_n, x_p, p.rho_blocking, p.q_np)
    eta_n, eta_p = nucleon_degeneracies(inv_t, m_n, m_p, p.q_np)
    c_scatter = (p.c_scatter_neutron * scattering_target(x_n, eta_n)
                 + p.c_scatter_proton * scattering_target(x_p, eta_p)
                 + heavy[n])
    scale = p.opacity_scale * r * t * t
    eta_e = eta[0, n]
    forward = p.forward
    return (species_opacities(scale, c_scatter, p.c_absorption * y_np * final_lepton_blocking(eta_e, nue[2], nue[3]),
                              spectral_ratios(nue), forward),
            species_opacities(scale, c_scatter,
                              p.c_absorption * y_pn * final_lepton_blocking(-eta_e, anue[2], anue[3]),
                              spectral_ratios(anue), forward),
            species_opacities(scale, c_scatter, 0.0, nux_ratios, forward))


@numba.njit(cache=True, error_model="numpy")
def opacity_rows(cells, heavy, eta, fermi, p, nux_ratios, kappa_s, kappa_a, kappa_total):
    """kappa_s, kappa_a, kappa_total (6, N) (species x moment) of every flat
    cell (`cell_opacities`). Its 18 stores per cell leave the loop scalar;
    `transport_opacity_rows` is the vectorised loop for kappa_total alone."""
    for n in range(cells.rho.size):
        nue, anue, nux = cell_opacities(n, cells, heavy, eta, fermi, p, nux_ratios)
        kappa_s[0, n], kappa_s[1, n], kappa_s[2, n] = nue[0], nue[1], anue[0]
        kappa_s[3, n], kappa_s[4, n], kappa_s[5, n] = anue[1], nux[0], nux[1]
        kappa_a[0, n], kappa_a[1, n], kappa_a[2, n] = nue[2], nue[3], anue[2]
        kappa_a[3, n], kappa_a[4, n], kappa_a[5, n] = anue[3], nux[2], nux[3]
        kappa_total[0, n], kappa_total[1, n], kappa_total[2, n] = nue[4], nue[5], anue[4]
        kappa_total[3, n], kappa_total[4, n], kappa_total[5, n] = anue[5], nux[4], nux[5]


@numba.njit(cache=True, error_model="numpy")
def transport_opacity_rows(cells, heavy, eta, fermi, p, nux_ratios, kappa_total):
    """kappa_total (6, N) of every flat cell, bitwise that of `opacity_rows`:
    the loop the compiler vectorises (LLVM gives up on a loop with more
    than about 6 stores to 2-D rows: "too many SCEV assumptions")."""
    for n in range(cells.rho.size):
        nue, anue, nux = cell_opacities(n, cells, heavy, eta, fermi, p, nux_ratios)
        kappa_total[0, n], kappa_total[1, n] = nue[4], nue[5]
        kappa_total[2, n], kappa_total[3, n] = anue[4], anue[5]
        kappa_total[4, n], kappa_total[5, n] = nux[4], nux[5]


def nux_fermi(method):
    """(F_2, ..., F_5)(0), the Fermi integrals of nu_x, and their
    spectral_ratios."""
    nux = fermi_orders(0.0, method)[2:]
    return nux, spectral_ratios(nux)


def opacity_kernel(cells, tau, p, out):
    """Opacities of every cell of `cells` (CellArrays, N cells) with
    `KernelParams` p into out (kappa_s, kappa_a, kappa_total), each
    (3, 2, N); tau (3, 2, N). Loops over the cells: degeneracies, Fermi
    integrals (vectorised), coherent weights, opacities."""
    eta, fermi = degeneracies_and_fermi(cells, tau.reshape(6, -1), p)
    heavy = np.empty(cells.rho.size)
    coherent_weight_rows(cells, p, heavy)
    opacity_rows(cells, heavy, eta, fermi, p, nux_fermi(p.method)[1],
                 *(k.reshape(6, -1) for k in (out.kappa_s, out.kappa_a, out.kappa_total)))


def transport_opacity_kernel(cells, tau, p, out):
    """`opacity_kernel` for out.kappa_total (3, 2, N) alone (bitwise the
    same values), with every loop vectorised."""
    eta, fermi = degeneracies_and_fermi(cells, tau.reshape(6, -1), p)
    heavy = np.empty(cells.rho.size)
    coherent_weight_rows(cells, p, heavy)
    transport_opacity_rows(cells, heavy, eta, fermi, p, nux_fermi(p.method)[1], out.kappa_total.reshape(6, -1))
