"""Effective (leaking) rates of the leakage scheme and the net sources,
per cell: the diffusion and loss times of each species and moment, the
interpolation between free emission and diffusion, and the lepton and
energy sources of the matter.

With n_nu = g 4 pi / (h c)^3 T^3 F_2(eta_nu) [cm^-3] and e_nu = g 4 pi /
(h c)^3 T^4 F_3(eta_nu) [erg cm^-3] (Rosswog & Liebendoerfer 2003, MNRAS 342,
673; Galeazzi et al. 2013, PRD 88, 064009, appendix A), the diffusion time
of moment j is

    t_diff,j = D tau_j^2 / (c kappa_total,j)   [s]

(D = LeakageParams.diffusion_constant, default 3; see its docstring for
the source and the values other codes take), t_diff = 0 where tau = 0, and
the loss times are t_loss,0 = n_nu / R and t_loss,1 = e_nu / Q from the
species' OWN free rates (inf where it has none). Scheme "ruffert"
(default): R_eff = R / (1 + t_diff,0 / t_loss,0), Q_eff = Q / (1 + t_diff,1
/ t_loss,1) (Ruffert et al. 1996, A&A 311, 532, appendix B; Rosswog &
Liebendoerfer 2003), which tends to R at tau = 0 and to n_nu / t_diff,0
(e_nu / t_diff,1) at large tau. Scheme "minimum": R_eff = min(R, n_nu /
t_diff,0), Q_eff = min(Q, e_nu / t_diff,1).

Source terms (signs): dYe/dt = (R_eff(anti-nu_e) - R_eff(nu_e)) / n_b
[s^-1] with n_b = N_A rho, negative when nu_e emission dominates
(deleptonisation); energy_loss_rate = Q_eff(nu_e) + Q_eff(anti-nu_e) +
Q_eff(nu_x) [erg cm^-3 s^-1] >= 0 is the energy that leaves the matter, so
the energy equation gets -energy_loss_rate (every species carries energy
away).

Layer: microphysics (numba, parleak.constants).
"""

import math

import numba

from parleak.constants import AVOGADRO_NUMBER, HC_MEV_CM, MEV, SPEED_OF_LIGHT
from parleak.microphysics.opacity import fermi_at
from parleak.microphysics.parameters import NUX_WEIGHT, RUFFERT

# 4 pi / (h c)^3 [MeV^-3 cm^-3]: n_nu = g NEUTRINO_MOMENT T^3 F_2(eta_nu).
NEUTRINO_MOMENT = 4.0 * math.pi / HC_MEV_CM**3


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def diffusion_time(tau, kappa, diffusion_constant):
    """t_diff = D tau^2 / (c kappa) [s] for tau > 0, 0 at tau = 0; kappa
    [cm^-1]. Branch-free (computed, then selected)."""
    time = diffusion_constant * tau * tau / (SPEED_OF_LIGHT * kappa)
    return 0.0 if tau == 0.0 else time


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def ruffert_rate(free, density, time):
    """R / (1 + t_diff / t_loss), t_loss = density / R, written
    R density / (density + t_diff R) (one division): R itself where t_diff =
    0, 0 where R <= 0. free: R [cm^-3 s^-1] or Q [MeV cm^-3 s^-1]; density:
    n_nu [cm^-3] or e_nu [MeV cm^-3]; time: t_diff [s]. Branch-free."""
    leaking = free * density / (density + time * free)
    rate = free if time == 0.0 else leaking
    return rate if free > 0.0 else 0.0


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def loss_time(density, free):
    """t_loss = density / free [s] (n_nu / R or e_nu / Q), inf where the
    species has no free emission (free <= 0; also where the equilibrium
    density has underflowed to 0 with it, which would give 0 / 0)."""
    time = density / free
    return time if free > 0.0 else math.inf


@numba.njit(cache=True, inline="always", error_model="numpy")
def species_leakage(weight, temp, t3, f, rate, power, p, tau_number, tau_energy, kappa_number, kappa_energy):
    """Equilibrium densities, time scales and effective rates of one species
    (module docstring) from its weight g, its Fermi integrals f = (F_2, ...,
    F_5)(eta), temp [MeV] and t3 = temp^3, its free rates `rate`
    [cm^-3 s^-1] and `power` [MeV cm^-3 s^-1], p (KernelParams: the
    diffusion constant and the scheme), its optical depths and its
    transport opacities [cm^-1] (number, energy). Returns (n_nu [cm^-3],
    e_nu [MeV cm^-3], t_diff,0, t_diff,1, t_loss,0, t_loss,1 [s], R_eff
    [cm^-3 s^-1], Q_eff [MeV cm^-3 s^-1])."""
    moment = weight * NEUTRINO_MOMENT * t3
    number = moment * f[0]
    energy = moment * temp * f[1]
    time0 = diffusion_time(tau_number, kappa_number, p.diffusion_constant)
    time1 = diffusion_time(tau_energy, kappa_energy, p.diffusion_constant)
    # both schemes evaluated, one selected (scalars: a loop the compiler vectorises)
    ruffert = p.scheme == RUFFERT
    ruffert_number, minimum_number = ruffert_rate(rate, number, time0), min(rate, number / time0)
    ruffert_energy, minimum_energy = ruffert_rate(power, energy, time1), min(power, energy / time1)
    leak_rate = ruffert_number if ruffert else minimum_number
    leak_power = ruffert_energy if ruffert else minimum_energy
    return number, energy, time0, time1, loss_time(number, rate), loss_time(energy, power), leak_rate, leak_power


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_electron_leakage(n, temp, tau, fermi, free, kappa_total, p):
    """The `species_leakage` of nu_e and anti-nu_e at flat cell n from the
    free rates (6, N) of `free_rate_rows`, tau and kappa_total (6, N)
    (species x moment) and the Fermi rows of `degeneracies_and_fermi`:
    (leak_e, leak_a)."""
    t = temp[n]
    t3 = t * t * t
    leak_e = species_leakage(1.0, t, t3, fermi_at(fermi[0], n), free[0, n], free[3, n], p, tau[0, n], tau[1, n],
                             kappa_total[0, n], kappa_total[1, n])
    leak_a = species_leakage(1.0, t, t3, fermi_at(fermi[1], n), free[1, n], free[4, n], p, tau[2, n], tau[3, n],
                             kappa_total[2, n], kappa_total[3, n])
    return leak_e, leak_a


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_heavy_leakage(n, temp, tau, nux, free, kappa_total, p):
    """The `species_leakage` of nu_x at flat cell n (arguments as
    `cell_electron_leakage`; nux: (F_2, ..., F_5)(0))."""
    t = temp[n]
    return species_leakage(NUX_WEIGHT, t, t * t * t, nux, free[2, n], free[5, n], p, tau[4, n], tau[5, n],
                           kappa_total[4, n], kappa_total[5, n])


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def store_species_leakage(s, n, eta, rate, power, leakage, out):
    """Write species s at cell n: its eta, free rates `rate` [cm^-3 s^-1]
    and `power` [MeV cm^-3 s^-1] and its `species_leakage` tuple (energies
    stored in erg) into out (the rows of a LeakageResult: (3, N) and, for
    t_diff and t_loss, (6, N) species x moment)."""
    number, energy, time0, time1, loss0, loss1, leak_rate, leak_power = leakage
    out.eta_nu[s, n] = eta
    out.n_nu[s, n] = number
    out.e_nu[s, n] = energy * MEV
    out.t_diff[2 * s, n] = time0
    out.t_diff[2 * s + 1, n] = time1
    out.t_loss[2 * s, n] = loss0
    out.t_loss[2 * s + 1, n] = loss1
    out.r_free[s, n] = rate
    out.q_free[s, n] = power * MEV
    out.r_eff[s, n] = leak_rate
    out.q_eff[s, n] = leak_power * MEV
    out.mean_energy[s, n] = leak_power / leak_rate if leak_rate > 0.0 else 0.0


@numba.njit(cache=True, error_model="numpy")
def leakage_rows(temp, tau, eta, fermi, nux, free, p, kappa_total, out):
    """Every per-species quantity of `store_species_leakage` for the flat
    cells (one loop; it stores too much to be vectorised)."""
    for n in range(temp.size):
        leak_e, leak_a = cell_electron_leakage(n, temp, tau, fermi, free, kappa_total, p)
        leak_x = cell_heavy_leakage(n, temp, tau, nux, free, kappa_total, p)
        store_species_leakage(0, n, eta[1, n], free[0, n], free[3, n], leak_e, out)
        store_species_leakage(1, n, eta[2, n], free[1, n], free[4, n], leak_a, out)
        store_species_leakage(2, n, 0.0, free[2, n], free[5, n], leak_x, out)


@numba.njit(cache=True, error_model="numpy")
def source_rows(temp, tau, fermi, nux, free, p, kappa_total, r_eff, q_eff):
    """The effective rates alone, in two loops the compiler vectorises (one
    loop for all three species reads too many rows: LLVM then "cannot prove
    it is safe to reorder memory operations" and leaves it scalar)."""
    for n in range(temp.size):
        leak_e, leak_a = cell_electron_leakage(n, temp, tau, fermi, free, kappa_total, p)
        r_eff[0, n] = leak_e[6]
        r_eff[1, n] = leak_a[6]
        q_eff[0, n] = leak_e[7] * MEV
        q_eff[1, n] = leak_a[7] * MEV
    for n in range(temp.size):
        leak_x = cell_heavy_leakage(n, temp, tau, nux, free, kappa_total, p)
        r_eff[2, n] = leak_x[6]
        q_eff[2, n] = leak_x[7] * MEV


@numba.njit(cache=True, error_model="numpy")
def net_source_rows(rho, r_eff, q_eff, dye_dt, energy_loss_rate):
    """The net sources of every flat cell from its effective rates (3, N):
    dye_dt = (R_eff(anti-nu_e) - R_eff(nu_e)) / (N_A rho) [s^-1] and
    energy_loss_rate = the sum of Q_eff [erg cm^-3 s^-1]."""
    for n in range(rho.size):
        dye_dt[n] = (r_eff[1, n] - r_eff[0, n]) / (AVOGADRO_NUMBER * rho[n])
        energy_loss_rate[n] = q_eff[0, n] + q_eff[1, n] + q_eff[2, n]
