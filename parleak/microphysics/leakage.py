"""The point-wise leakage scheme (seed 004; seeds 000 and 001): opacities,
free and effective emission rates and the net source terms, vectorised over
arrays of cells. Importable without MPI or PETSc.

Species index s: 0 nu_e, 1 anti-nu_e, 2 nu_x (the four heavy-lepton
species lumped, statistical weight g = 4). Moment index j: 0 number,
1 energy. Units: cgs with temperatures, chemical potentials and mean
energies in MeV; chemical potentials in the stellarcollapse.org convention
(see `parleak.microphysics.opacity`).

Effective rates (seed 004). With n_nu = g 4 pi / (h c)^3 T^3 F_2(eta_nu)
[cm^-3] and e_nu = g 4 pi / (h c)^3 T^4 F_3(eta_nu) [erg cm^-3], the
diffusion time of moment j is

    t_diff,j = D tau_j^2 / (c kappa_total,j)   [s]

(D = `diffusion_constant`, default 3: seed 004's t_diff = 3 (s2 - s1) tau / c
with s2 - s1 = tau / kappa, and seed 001's 3 kappa L^2 / c; the seed's
D kappa^-1 tau^2 misses the 1 / c), t_diff = 0 where tau = 0, and the loss
times are t_loss,0 = n_nu / R and t_loss,1 = e_nu / Q from the species' OWN
free rates. Scheme "ruffert" (default): R_eff = R / (1 + t_diff,0 / t_loss,0),
Q_eff = Q / (1 + t_diff,1 / t_loss,1), which tends to R at tau = 0 and to
n_nu / t_diff,0 (e_nu / t_diff,1) at large tau. Scheme "minimum" (seed 001):
R_eff = min(R, n_nu / t_diff,0), Q_eff = min(Q, e_nu / t_diff,1).

Kernels: `leakage_kernel` (everything, for diagnostics) and
`source_kernel` (what every stage needs) share the per-cell helpers and
run loops over the cells: the degeneracies, the Fermi integrals
(`fermi_rows`), the opacities, the free rates, the effective rates and the
net sources. The loops of `source_kernel` (and of
`transport_opacity_kernel`, the optical depths' opacities) are written so
that the compiler vectorises them (4 cells per instruction with AVX2):
inline exp and sqrt (`parleak.kernel_math`), no branches (every
process and both schemes are evaluated and the result selected), 2-D
(6, N) rows for species x moment, helpers that return tuples inlined by
numba (inline="always"; LLVM leaves a loop scalar when such a call is left
to its own inliner, or when a tuple passes through a branch), and few
stores per loop: LLVM (numba 0.56) gives up on a loop that stores more than
about six rows ("too many SCEV assumptions") or reads the rows of all
three species while storing ("cannot prove it is safe to reorder memory
operations"), so the transport opacities, the free rates, the effective
rates of nu_e and anti-nu_e, those of nu_x and the net sources are
separate loops. `benchmarks/leakage.py --profile pns` (10^6 cells, one
core): `leakage_source_terms` 122 ns per cell, against 169 with the opacity
and effective-rate loops scalar; `transport_opacities` 59 ns against 95 for
`opacities`. Of the source kernel (on 32 768 cells, in cache) the Fermi
integrals take 45 ns, the free rates 34, the opacities 13 and the effective
rates 7. `leakage_kernel`, which stores everything, stays scalar in those
two loops.

Source terms (signs): dYe/dt = (R_eff(anti-nu_e) - R_eff(nu_e)) / n_b [s^-1]
with n_b = N_A rho, negative when nu_e emission dominates (deleptonisation);
energy_loss_rate = Q_eff(nu_e) + Q_eff(anti-nu_e) + Q_eff(nu_x)
[erg cm^-3 s^-1] >= 0 is the energy that leaves the matter, so the energy
equation gets -energy_loss_rate (seed 004's boxed Q with -Q_eff(nu_e) is a
sign slip: every species carries energy away).
"""

import dataclasses
import math
import typing

import numba
import numpy as np

from parleak.constants import AVOGADRO_NUMBER, HC_MEV_CM, MEV, SPEED_OF_LIGHT
from parleak.microphysics.fermi import FERMI_METHODS
from parleak.microphysics.opacity import (HEAVY_OFF, HEAVY_YE, HEAVY_ZBAR, cell_absorption_targets, coherent_weight_rows,
                                      degeneracies_and_fermi, fermi_at, nux_fermi, opacity_kernel, opacity_rows,
                                      transport_opacity_kernel, transport_opacity_rows)
from parleak.microphysics.rates import beta_capture, bremsstrahlung, pair_annihilation, plasmon_decay

SCHEMES = ("ruffert", "minimum")
RUFFERT, MINIMUM = 0, 1
SPECIES = ("nu_e", "anti_nu_e", "nu_x")
NUX_WEIGHT = 4.0  # g of the lumped heavy-lepton species (nu_e, anti-nu_e: 1)
# 4 pi / (h c)^3 [MeV^-3 cm^-3]: n_nu = g NEUTRINO_MOMENT T^3 F_2(eta_nu).
NEUTRINO_MOMENT = 4.0 * math.pi / HC_MEV_CM**3


@dataclasses.dataclass(frozen=True)
class LeakageParams:
    """Choices of the leakage microphysics.

    fermi_method: "accurate" (default) or "teh" (Takahashi et al. 1978 fits);
    mean_scattering_cosine: <cos theta> in [-1, 1) of the transport opacity
        kappa_a + kappa_s (1 - <cos theta>) (seed 000), 0 by default;
    diffusion_constant: D > 0 of t_diff = D tau^2 / (c kappa), default 3;
    scheme: "ruffert" (R / (1 + t_diff / t_loss), default) or "minimum"
        (min(R, n_nu / t_diff), seed 001);
    electron_capture, positron_capture, pair_annihilation, plasmon_decay,
    bremsstrahlung, coherent_scattering: process switches (all on);
    eta0: the transparent-limit neutrino degeneracy eta^0 (seed: 0);
    blocking_density: rho [g cm^-3] above which the nucleon final-state
        blocking Y_np, Y_pn applies (seed: 2e12);
    brems_zeta: the bremsstrahlung factor zeta >= 0 of Burrows et al. 2006
        (0.5).
    """

    fermi_method: str = "accurate"
    mean_scattering_cosine: float = 0.0
    diffusion_constant: float = 3.0
    scheme: str = "ruffert"
    electron_capture: bool = True
    positron_capture: bool = True
    pair_annihilation: bool = True
    plasmon_decay: bool = True
    bremsstrahlung: bool = True
    coherent_scattering: bool = True
    eta0: float = 0.0
    blocking_density: float = 2e12
    brems_zeta: float = 0.5

    def __post_init__(self):
        if self.fermi_method not in FERMI_METHODS:
            raise ValueError(f"leakage: fermi_method = {self.fermi_method!r}; valid: {FERMI_METHODS}")
        if self.scheme not in SCHEMES:
            raise ValueError(f"leakage: scheme = {self.scheme!r}; valid: {SCHEMES}")
        if not -1.0 <= self.mean_scattering_cosine < 1.0:
            raise ValueError(f"leakage: mean_scattering_cosine = {self.mean_scattering_cosine!r}; valid: -1 <= x < 1")
        if not 0.0 < self.diffusion_constant < math.inf:
            raise ValueError(f"leakage: diffusion_constant = {self.diffusion_constant!r}; valid: finite and > 0")
        if not math.isfinite(self.eta0):
            raise ValueError(f"leakage: eta0 = {self.eta0!r}; valid: a finite number")
        if not 0.0 <= self.blocking_density < math.inf:
            raise ValueError(f"leakage: blocking_density = {self.blocking_density!r}; valid: finite and >= 0 (g/cm^3)")
        if not 0.0 <= self.brems_zeta < math.inf:
            raise ValueError(f"leakage: brems_zeta = {self.brems_zeta!r}; valid: finite and >= 0")
        for name in ("electron_capture", "positron_capture", "pair_annihilation", "plasmon_decay",
                     "bremsstrahlung", "coherent_scattering"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"leakage: {name} = {getattr(self, name)!r}; valid: True or False")


class Opacities(typing.NamedTuple):
    """Opacities [cm^-1], each (3, 2, *shape): species x moment."""

    kappa_s: np.ndarray  # scattering (nucleons and nuclei)
    kappa_a: np.ndarray  # absorption
    kappa_total: np.ndarray  # kappa_a + kappa_s (1 - <cos theta>)


@dataclasses.dataclass(frozen=True)
class LeakageResult:
    """Everything `leakage_sources` computes; shapes with s = 3 species,
    j = 2 moments and the input shape (...)."""

    kappa_s: np.ndarray  # (3, 2, ...) cm^-1
    kappa_a: np.ndarray  # (3, 2, ...) cm^-1
    kappa_total: np.ndarray  # (3, 2, ...) cm^-1, the transport opacity
    eta_nu: np.ndarray  # (3, ...) neutrino degeneracies (eta_nux = 0)
    r_free: np.ndarray  # (3, ...) cm^-3 s^-1, free number emission rates
    q_free: np.ndarray  # (3, ...) erg cm^-3 s^-1, free energy emission rates
    r_eff: np.ndarray  # (3, ...) cm^-3 s^-1, effective (leaking) number rates
    q_eff: np.ndarray  # (3, ...) erg cm^-3 s^-1, effective energy rates
    n_nu: np.ndarray  # (3, ...) cm^-3, equilibrium neutrino number densities
    e_nu: np.ndarray  # (3, ...) erg cm^-3, equilibrium neutrino energy densities
    t_diff: np.ndarray  # (3, 2, ...) s, diffusion times (number, energy)
    t_loss: np.ndarray  # (3, 2, ...) s, n_nu / R and e_nu / Q (inf without emission)
    mean_energy: np.ndarray  # (3, ...) MeV, Q_eff / R_eff (0 where R_eff = 0)
    dye_dt: np.ndarray  # (...) s^-1
    energy_loss_rate: np.ndarray  # (...) erg cm^-3 s^-1, >= 0: energy leaving the matter


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def diffusion_time(tau, kappa, diffusion_constant):
    """t_diff = D tau^2 / (c kappa) [s] for tau > 0, 0 at tau = 0; kappa
    [cm^-1]. Branch-free (computed, then selected)."""
    time = diffusion_constant * tau * tau / (SPEED_OF_LIGHT * kappa)
    return 0.0 if tau == 0.0 else time


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def ruffert_rate(free, density, time):
    """R / (1 + t_diff / t_loss), t_loss = density / R (seed 004), written
    R density / (density + t_diff R) (one division): R itself where t_diff =
    0, 0 where R <= 0. free: R [cm^-3 s^-1] or Q [MeV cm^-3 s^-1]; density:
    n_nu [cm^-3] or e_nu [MeV cm^-3]; time: t_diff [s]. Branch-free."""
    leaking = free * density / (density + time * free)
    rate = free if time == 0.0 else leaking
    return rate if free > 0.0 else 0.0


@numba.njit(cache=True, inline="always", error_model="numpy")
def species_leakage(weight, temp, t3, f, rate, power, diffusion_constant, scheme, tau_number, tau_energy,
                    kappa_number, kappa_energy):
    """Equilibrium densities, time scales and effective rates of one species
    (module docstring) from its weight g, its Fermi integrals f = (F_2, ...,
    F_5)(eta), temp [MeV] and t3 = temp^3, its free rates `rate`
    [cm^-3 s^-1] and `power` [MeV cm^-3 s^-1], its optical depths and its
    transport opacities [cm^-1] (number, energy). Returns (n_nu [cm^-3],
    e_nu [MeV cm^-3], t_diff,0, t_diff,1, t_loss,0, t_loss,1 [s], R_eff
    [cm^-3 s^-1], Q_eff [MeV cm^-3 s^-1])."""
    moment = weight * NEUTRINO_MOMENT * t3
    number = moment * f[0]
    energy = moment * temp * f[1]
    time0 = diffusion_time(tau_number, kappa_number, diffusion_constant)
    time1 = diffusion_time(tau_energy, kappa_energy, diffusion_constant)
    # both schemes evaluated, one selected (scalars: a loop the compiler vectorises)
    ruffert = scheme == RUFFERT
    ruffert_number, minimum_number = ruffert_rate(rate, number, time0), min(rate, number / time0)
    ruffert_energy, minimum_energy = ruffert_rate(power, energy, time1), min(power, energy / time1)
    leak_rate = ruffert_number if ruffert else minimum_number
    leak_power = ruffert_energy if ruffert else minimum_energy
    return number, energy, time0, time1, number / rate, energy / power, leak_rate, leak_power


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def store_species_leakage(s, n, eta, rate, power, leakage, eta_nu, r_free, q_free, r_eff, q_eff, n_nu, e_nu,
                          t_diff, t_loss, mean_energy):
    """Write species s at cell n: its eta, free rates `rate` [cm^-3 s^-1]
    and `power` [MeV cm^-3 s^-1] and its `species_leakage` tuple (energies
    stored in erg); t_diff, t_loss (6, N), species x moment."""
    number, energy, time0, time1, loss0, loss1, leak_rate, leak_power = leakage
    eta_nu[s, n] = eta
    n_nu[s, n] = number
    e_nu[s, n] = energy * MEV
    t_diff[2 * s, n] = time0
    t_diff[2 * s + 1, n] = time1
    t_loss[2 * s, n] = loss0
    t_loss[2 * s + 1, n] = loss1
    r_free[s, n] = rate
    q_free[s, n] = power * MEV
    r_eff[s, n] = leak_rate
    q_eff[s, n] = leak_power * MEV
    mean_energy[s, n] = leak_power / leak_rate if leak_rate > 0.0 else 0.0


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_free_rates(n, rho, temp, mu_n, mu_p, xn, xp, eta, electrons, positrons, rho_blocking, ec_on, pc_on, pair_on,
                    plasmon_on, brems_on, zeta):
    """The free rates of flat cell n: (R(nu_e), R(anti-nu_e), R(nu_x)
    [cm^-3 s^-1], Q(nu_e), Q(anti-nu_e), Q(nu_x) [MeV cm^-3 s^-1]) summed over
    the processes that are on, from eta (3, N) and the rows of
    `parleak.microphysics.opacity.degeneracies_and_fermi` (electrons, positrons:
    (F_2, ..., F_5) at eta_e and -eta_e), with the capture targets (Y_np,
    Y_pn) of `cell_absorption_targets` (rho_blocking [g cm^-3]). Every
    process is evaluated and those that are off add 0 (branch-free)."""
    t = temp[n]
    eta_e, eta_nue, eta_anue = eta[0, n], eta[1, n], eta[2, n]
    minus, plus = fermi_at(electrons, n), fermi_at(positrons, n)  # F_2..F_5 of eta_e and -eta_e
    baryons = AVOGADRO_NUMBER * rho[n]
    y_np, y_pn = cell_absorption_targets(rho[n], t, mu_n[n], mu_p[n], xn[n], xp[n], rho_blocking)
    r_ec, q_ec = beta_capture(baryons * y_pn, t, minus[2], minus[3], eta_nue)
    r_pc, q_pc = beta_capture(baryons * y_np, t, plus[2], plus[3], eta_anue)
    r_pair, x_pair, e_pair = pair_annihilation(t, minus[1], minus[2], plus[1], plus[2], eta_nue, eta_anue)
    r_plasmon, x_plasmon, e_plasmon = plasmon_decay(t, eta_e, eta_nue, eta_anue)
    r_brems, q_brems = bremsstrahlung(rho[n], t, xn[n], xp[n], zeta)
    r_ec, q_ec = (r_ec, q_ec) if ec_on else (0.0, 0.0)
    r_pc, q_pc = (r_pc, q_pc) if pc_on else (0.0, 0.0)
    r_pair, x_pair = (r_pair, x_pair) if pair_on else (0.0, 0.0)
    r_plasmon, x_plasmon = (r_plasmon, x_plasmon) if plasmon_on else (0.0, 0.0)
    r_brems, q_brems = (r_brems, q_brems) if brems_on else (0.0, 0.0)
    # pair processes: one nu_e and one anti-nu_e per pair, each of the pair's mean energy
    rate_e = r_ec + r_pair + r_plasmon + r_brems
    rate_a = r_pc + r_pair + r_plasmon + r_brems
    rate_x = x_pair + x_plasmon + NUX_WEIGHT * r_brems
    power_e = q_ec + r_pair * e_pair + r_plasmon * e_plasmon + q_brems
    power_a = q_pc + r_pair * e_pair + r_plasmon * e_plasmon + q_brems
    power_x = x_pair * e_pair + x_plasmon * e_plasmon + NUX_WEIGHT * q_brems
    return rate_e, rate_a, rate_x, power_e, power_a, power_x


@numba.njit(cache=True, error_model="numpy")
def free_rate_rows(rho, temp, mu_n, mu_p, xn, xp, eta, fermi, rho_blocking, ec_on, pc_on, pair_on, plasmon_on,
                   brems_on, zeta, free):
    """free[:, n] = `cell_free_rates` of every flat cell; free (6, N)."""
    for n in range(rho.size):
        rates = cell_free_rates(n, rho, temp, mu_n, mu_p, xn, xp, eta, fermi[2], fermi[3], rho_blocking, ec_on, pc_on,
                                pair_on, plasmon_on, brems_on, zeta)
        for i in range(6):
            free[i, n] = rates[i]


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_electron_leakage(n, temp, tau, fermi, free, kappa_total, diffusion_constant, scheme):
    """The `species_leakage` of nu_e and anti-nu_e at flat cell n from the
    free rates (6, N) of `free_rate_rows`, tau and kappa_total (6, N)
    (species x moment) and the Fermi rows of `degeneracies_and_fermi`:
    (leak_e, leak_a)."""
    t = temp[n]
    t3 = t * t * t
    leak_e = species_leakage(1.0, t, t3, fermi_at(fermi[0], n), free[0, n], free[3, n], diffusion_constant, scheme,
                             tau[0, n], tau[1, n], kappa_total[0, n], kappa_total[1, n])
    leak_a = species_leakage(1.0, t, t3, fermi_at(fermi[1], n), free[1, n], free[4, n], diffusion_constant, scheme,
                             tau[2, n], tau[3, n], kappa_total[2, n], kappa_total[3, n])
    return leak_e, leak_a


@numba.njit(cache=True, inline="always", error_model="numpy")
def cell_heavy_leakage(n, temp, tau, nux, free, kappa_total, diffusion_constant, scheme):
    """The `species_leakage` of nu_x at flat cell n (arguments as
    `cell_electron_leakage`; nux: (F_2, ..., F_5)(0))."""
    t = temp[n]
    return species_leakage(NUX_WEIGHT, t, t * t * t, nux, free[2, n], free[5, n], diffusion_constant, scheme,
                           tau[4, n], tau[5, n], kappa_total[4, n], kappa_total[5, n])


@numba.njit(cache=True, error_model="numpy")
def net_source_rows(rho, r_eff, q_eff, dye_dt, energy_loss_rate):
    """The net sources of every flat cell from its effective rates (3, N):
    dye_dt = (R_eff(anti-nu_e) - R_eff(nu_e)) / (N_A rho) [s^-1] and
    energy_loss_rate = the sum of Q_eff [erg cm^-3 s^-1]."""
    for n in range(rho.size):
        dye_dt[n] = (r_eff[1, n] - r_eff[0, n]) / (AVOGADRO_NUMBER * rho[n])
        energy_loss_rate[n] = q_eff[0, n] + q_eff[1, n] + q_eff[2, n]


def _free_rates(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar, heavy_mode, tau, eta0, rho_blocking,
                forward, method, ec_on, pc_on, pair_on, plasmon_on, brems_on, zeta, kappa_total, kappa_s=None,
                kappa_a=None):
    """The loops the two kernels share: degeneracies, Fermi integrals,
    opacities (kappa_total, and kappa_s, kappa_a where given: (3, 2, N);
    `transport_opacity_rows` without them) and free rates; tau (6, N).
    Returns (eta (3, N), fermi (4, 4, N), nux, free (6, N))."""
    eta, fermi = degeneracies_and_fermi(temp, mu_e, mu_n, mu_p, tau, eta0, method, electrons=True)
    nux, nux_ratios = nux_fermi(method)
    heavy, free = np.empty(rho.size), np.empty((6, rho.size))
    coherent_weight_rows(heavy_mode, ye, xh, abar, zbar, heavy)
    if kappa_s is None:
        transport_opacity_rows(rho, temp, mu_n, mu_p, xn, xp, heavy, eta, fermi, rho_blocking, forward, nux_ratios,
                               kappa_total.reshape(6, -1))
    else:
        opacity_rows(rho, temp, mu_n, mu_p, xn, xp, heavy, eta, fermi, rho_blocking, forward, nux_ratios,
                     *(k.reshape(6, -1) for k in (kappa_s, kappa_a, kappa_total)))
    free_rate_rows(rho, temp, mu_n, mu_p, xn, xp, eta, fermi, rho_blocking, ec_on, pc_on, pair_on, plasmon_on,
                   brems_on, zeta, free)
    return eta, fermi, nux, free


@numba.njit(cache=True, error_model="numpy")
def _leakage_rows(rho, temp, tau, eta, fermi, nux, free, diffusion_constant, scheme, kappa_total, eta_nu, r_free,
                  q_free, r_eff, q_eff, n_nu, e_nu, t_diff, t_loss, mean_energy):
    for n in range(rho.size):
        leak_e, leak_a = cell_electron_leakage(n, temp, tau, fermi, free, kappa_total, diffusion_constant, scheme)
        leak_x = cell_heavy_leakage(n, temp, tau, nux, free, kappa_total, diffusion_constant, scheme)
        store_species_leakage(0, n, eta[1, n], free[0, n], free[3, n], leak_e, eta_nu, r_free, q_free, r_eff, q_eff,
                              n_nu, e_nu, t_diff, t_loss, mean_energy)
        store_species_leakage(1, n, eta[2, n], free[1, n], free[4, n], leak_a, eta_nu, r_free, q_free, r_eff, q_eff,
                              n_nu, e_nu, t_diff, t_loss, mean_energy)
        store_species_leakage(2, n, 0.0, free[2, n], free[5, n], leak_x, eta_nu, r_free, q_free, r_eff, q_eff,
                              n_nu, e_nu, t_diff, t_loss, mean_energy)


def leakage_kernel(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar, heavy_mode, tau, eta0, rho_blocking,
                   forward, method, diffusion_constant, scheme, ec_on, pc_on, pair_on, plasmon_on, brems_on, zeta,
                   kappa_s, kappa_a, kappa_total, eta_nu, r_free, q_free, r_eff, q_eff, n_nu, e_nu, t_diff, t_loss,
                   mean_energy, dye_dt, energy_loss_rate):
    """Opacities, free rates, effective rates and sources of the flat cells;
    arrays of species (3, N) or (3, 2, N). Loops over the cells: the
    degeneracies, the Fermi integrals (`fermi_rows`), the opacities
    (`cell_opacities`), the free rates (`cell_free_rates`), the effective
    rates (`cell_electron_leakage`, `cell_heavy_leakage`) and the net sources (`net_source_rows`);
    the opacity and effective-rate loops, which store everything, stay
    scalar."""
    tau = tau.reshape(6, -1)
    eta, fermi, nux, free = _free_rates(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar, heavy_mode, tau,
                                        eta0, rho_blocking, forward, method, ec_on, pc_on, pair_on, plasmon_on,
                                        brems_on, zeta, kappa_total, kappa_s, kappa_a)
    _leakage_rows(rho, temp, tau, eta, fermi, nux, free, diffusion_constant, scheme, kappa_total.reshape(6, -1),
                  eta_nu, r_free, q_free, r_eff, q_eff, n_nu, e_nu, t_diff.reshape(6, -1), t_loss.reshape(6, -1),
                  mean_energy)
    net_source_rows(rho, r_eff, q_eff, dye_dt, energy_loss_rate)


@numba.njit(cache=True, error_model="numpy")
def _source_rows(temp, tau, fermi, nux, free, diffusion_constant, scheme, kappa_total, r_eff, q_eff):
    """The effective rates alone, in two loops the compiler vectorises (one
    loop for all three species reads too many rows: LLVM then "cannot prove
    it is safe to reorder memory operations" and leaves it scalar)."""
    for n in range(temp.size):
        leak_e, leak_a = cell_electron_leakage(n, temp, tau, fermi, free, kappa_total, diffusion_constant, scheme)
        r_eff[0, n] = leak_e[6]
        r_eff[1, n] = leak_a[6]
        q_eff[0, n] = leak_e[7] * MEV
        q_eff[1, n] = leak_a[7] * MEV
    for n in range(temp.size):
        leak_x = cell_heavy_leakage(n, temp, tau, nux, free, kappa_total, diffusion_constant, scheme)
        r_eff[2, n] = leak_x[6]
        q_eff[2, n] = leak_x[7] * MEV


def source_kernel(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar, heavy_mode, tau, eta0, rho_blocking,
                  forward, method, diffusion_constant, scheme, ec_on, pc_on, pair_on, plasmon_on, brems_on, zeta,
                  r_eff, q_eff, eta_nue, dye_dt, energy_loss_rate):
    """`leakage_kernel` storing only what the evolution needs in every stage
    (`SourceTerms`; bitwise the same values): only the transport opacities
    are computed (into a scratch), the diagnostics are not stored, and every
    loop is vectorised."""
    kappa_total = np.empty((6, rho.size))
    tau = tau.reshape(6, -1)
    eta, fermi, nux, free = _free_rates(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar, heavy_mode, tau,
                                        eta0, rho_blocking, forward, method, ec_on, pc_on, pair_on, plasmon_on,
                                        brems_on, zeta, kappa_total)
    _source_rows(temp, tau, fermi, nux, free, diffusion_constant, scheme, kappa_total, r_eff, q_eff)
    eta_nue[:] = eta[1]
    net_source_rows(rho, r_eff, q_eff, dye_dt, energy_loss_rate)


def _kernel_array(array, shape):
    """`array` broadcast to `shape` as a flat, C-contiguous, writable
    float64 array (one numba signature): a view where it already is one,
    else a copy (broadcast views are read-only, so only broadcast arrays
    are copied)."""
    array = np.asarray(array, dtype=np.float64)
    if array.shape != shape:
        array = np.broadcast_to(array, shape)
    return np.require(array, dtype=np.float64, requirements=("C", "W")).reshape(-1)


def _flat_inputs(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar, params):
    """Broadcast the cell inputs to one shape; return (shape, flat arrays,
    the coherent-scattering mode and its arrays (xh, abar, zbar or ye),
    tau as (3, 2, N))."""
    cells = (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp)
    shape = np.broadcast_shapes(*(np.shape(a) for a in cells))
    flat = [_kernel_array(a, shape) for a in cells]
    heavy_mode, heavy = HEAVY_OFF, (flat[2], flat[2], flat[2])
    if params.coherent_scattering and xh is not None:
        if abar is None:
            raise ValueError("leakage: coherent scattering needs abar with xh (or coherent_scattering=False)")
        heavy_mode = HEAVY_ZBAR if zbar is not None else HEAVY_YE
        heavy = (_kernel_array(xh, shape), _kernel_array(abar, shape),
                 flat[2] if zbar is None else _kernel_array(zbar, shape))
    if np.shape(tau)[:2] != (3, 2):
        raise ValueError(f"leakage: tau has shape {np.shape(tau)}; valid: (3, 2, *rho.shape) (species x moment)")
    return shape, flat, heavy_mode, heavy, _kernel_array(tau, (3, 2) + shape).reshape(3, 2, -1)


def _kernel_scalars(params, sources):
    """The scalar arguments of the kernels after tau: those of
    `opacity_kernel` (and `transport_opacity_kernel`), and with `sources`
    also those of the rates."""
    p = params
    scalars = (float(p.eta0), float(p.blocking_density), 1.0 - p.mean_scattering_cosine,
               FERMI_METHODS.index(p.fermi_method))
    if not sources:
        return scalars
    switches = (p.electron_capture, p.positron_capture, p.pair_annihilation, p.plasmon_decay, p.bremsstrahlung)
    return scalars + (float(p.diffusion_constant), SCHEMES.index(p.scheme), *(bool(on) for on in switches),
                      float(p.brems_zeta))


def _buffers(kind, dims, shape, out):
    """`out` (a `kind` with the fields of `dims`, their leading dimensions)
    checked against the cell shape, or a new `kind`."""
    if out is None:
        return kind(**{name: np.empty(lead + shape) for name, lead in dims.items()})
    for name, lead in dims.items():
        array = getattr(out, name)
        if array.shape != lead + shape or array.dtype != np.float64 or not array.flags.c_contiguous:
            raise ValueError(f"leakage: out.{name} must be a C-contiguous float64 array of shape {lead + shape}")
    return out


def _run_kernel(kernel, kind, dims, sources, cell_arrays, params, out):
    """kernel(flat inputs, scalars, outputs) on the cell arrays (rho, temp,
    ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar); returns its `kind`."""
    shape, flat, heavy_mode, heavy, tau = _flat_inputs(*cell_arrays, params)
    result = _buffers(kind, dims, shape, out)
    cells = flat[0].size
    views = [getattr(result, name).reshape(lead + (cells,)) for name, lead in dims.items()]
    kernel(*flat, *heavy, heavy_mode, tau, *_kernel_scalars(params, sources), *views)
    return result


OPACITY_DIMS = {"kappa_s": (3, 2), "kappa_a": (3, 2), "kappa_total": (3, 2)}


def opacities(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=None, abar=None, zbar=None, params=LeakageParams(),
              out=None):
    """Opacities only (cheaper than `leakage_sources`; for optical depths).

    rho [g cm^-3], temp [MeV], ye, mu_e, mu_n, mu_p [MeV, stellarcollapse.org
    convention], xn, xp (free nucleon mass fractions), tau (3, 2, *shape)
    optical depths (species x moment; the number depths of nu_e and
    anti-nu_e set eta_nu), optional xh, abar (heavy nuclei: coherent
    scattering) and zbar (Z/A = zbar / abar; Ye where zbar is None); all
    broadcast to one shape; out: optionally `Opacities` of this shape to
    overwrite. Returns `Opacities` [cm^-1], each (3, 2, *shape).
    """
    return _run_kernel(opacity_kernel, Opacities, OPACITY_DIMS, False,
                       (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar), params, out)


class TransportOpacity(typing.NamedTuple):
    """kappa_total of `Opacities` alone (`transport_opacities`)."""

    kappa_total: np.ndarray  # (3, 2, *shape) cm^-1


def transport_opacities(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=None, abar=None, zbar=None,
                        params=LeakageParams(), out=None):
    """`opacities` reduced to the transport opacity kappa_total (what an
    optical depth needs; arguments the same, out optionally a
    `TransportOpacity`): bitwise the same values at about a third of the
    cost (its loops are vectorised)."""
    return _run_kernel(transport_opacity_kernel, TransportOpacity, {"kappa_total": (3, 2)}, False,
                       (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar), params, out)


# Leading dimensions of the LeakageResult fields (before the cell shape).
RESULT_DIMS = {**OPACITY_DIMS, "eta_nu": (3,), "r_free": (3,), "q_free": (3,), "r_eff": (3,), "q_eff": (3,),
               "n_nu": (3,), "e_nu": (3,), "t_diff": (3, 2), "t_loss": (3, 2), "mean_energy": (3,), "dye_dt": (),
               "energy_loss_rate": ()}


def leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=None, abar=None, zbar=None,
                    params=LeakageParams(), out=None):
    """The full leakage evaluation: opacities, free and effective rates per
    species and the net sources (module docstring for formulas and signs).

    Arguments as `opacities`: rho [g cm^-3], temp [MeV], ye, mu_e, mu_n, mu_p
    [MeV], xn, xp, tau (3, 2, *shape) [dimensionless], optional xh, abar,
    zbar; params a `LeakageParams`; out: optionally a `LeakageResult` of
    this shape whose arrays are overwritten (saves the allocation and first
    touch of ~56 doubles per cell, 15-20% of the cost on large arrays). Returns a `LeakageResult`.
    """
    return _run_kernel(leakage_kernel, LeakageResult, RESULT_DIMS, True,
                       (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar), params, out)


class SourceTerms(typing.NamedTuple):
    """What the evolution needs of the leakage in every stage
    (`leakage_source_terms`): fields of `LeakageResult`, same shapes and
    units, and eta_nue = LeakageResult.eta_nu[0]."""

    r_eff: np.ndarray  # (3, ...) cm^-3 s^-1
    q_eff: np.ndarray  # (3, ...) erg cm^-3 s^-1
    eta_nue: np.ndarray  # (...) the nu_e degeneracy (the trapped-neutrino pressure's)
    dye_dt: np.ndarray  # (...) s^-1
    energy_loss_rate: np.ndarray  # (...) erg cm^-3 s^-1


SOURCE_DIMS = {"r_eff": (3,), "q_eff": (3,), "eta_nue": (), "dye_dt": (), "energy_loss_rate": ()}


def leakage_source_terms(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=None, abar=None, zbar=None,
                         params=LeakageParams(), out=None):
    """`leakage_sources` reduced to `SourceTerms` (arguments the same; out
    optionally `SourceTerms` to overwrite): bitwise the same values, at
    about 15 % less cost (it stores 9 instead of 56 doubles per cell)."""
    return _run_kernel(source_kernel, SourceTerms, SOURCE_DIMS, True,
                       (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar), params, out)


@numba.njit(cache=True)
def _add_at(blocks, index, values):
    """blocks[b].flat[index[m]] += values[b, m] on 3-D (possibly strided)
    blocks of one shape (the cell's position is found once for all)."""
    _, ny, nx = blocks[0].shape
    for m in range(index.size):
        k, rest = divmod(index[m], ny * nx)
        j, i = divmod(rest, nx)
        for b in range(len(blocks)):
            blocks[b][k, j, i] += values[b, m]


class DenseCells:
    """The cells of a grid block (shape `shape`) at flat indices `index`
    (ascending), e.g. those dense enough to evaluate the leakage on: `take`
    gathers their values into contiguous arrays, `scatter` puts values back
    with zeros at the other cells."""

    def __init__(self, index, shape):
        self.index = index
        self.shape = tuple(shape)

    @classmethod
    def of(cls, rho, min_density):
        """The cells with rho >= min_density [g cm^-3]."""
        rho = np.asarray(rho)
        return cls(np.flatnonzero(rho >= min_density), rho.shape)

    @property
    def count(self):
        return self.index.size

    def denser(self, rho_cells, min_density):
        """(the DenseCells of these with rho >= min_density, their positions
        in this selection; None when they are all of them); rho_cells: rho at
        these cells [g cm^-3]."""
        return self.where(rho_cells >= min_density)

    def where(self, mask):
        """(the DenseCells of these where mask (count,) is true, their
        positions in this selection; None when they are all of them)."""
        positions = np.flatnonzero(mask)
        if positions.size == self.count:
            return self, None
        return DenseCells(self.index[positions], self.shape), positions

    def take(self, array):
        """The values (..., count) of array (..., *shape) at these cells."""
        lead = array.shape[: array.ndim - len(self.shape)]
        return np.take(array.reshape(lead + (-1,)), self.index, axis=-1)

    def put(self, values, out):
        """Write values (..., count) into out (..., *shape) at these cells;
        returns out."""
        out.reshape(out.shape[: out.ndim - len(self.shape)] + (-1,))[..., self.index] = values
        return out

    def scatter(self, values, out):
        """out (..., *shape) with values (..., count) at these cells and 0
        elsewhere; returns out."""
        out.fill(0.0)
        return self.put(values, out)

    def add_to(self, blocks, values):
        """blocks[b][cell] += values[b] at these cells, in place; blocks: a
        tuple of 3-D arrays of shape `shape` (views may be strided, e.g. the
        interiors of ghosted fields); values (len(blocks), count)."""
        values = np.asarray(values, dtype=np.float64)
        if any(block.shape != self.shape for block in blocks) or values.shape != (len(blocks), self.index.size):
            raise ValueError(f"DenseCells.add_to: blocks {[block.shape for block in blocks]} / values {values.shape} "
                             f"do not match the cells' shape {self.shape} and count {self.index.size}")
        _add_at(tuple(blocks), self.index, values)


EOS_QUANTITIES = ("mu_e", "mu_n", "mu_p", "Xn", "Xp", "Xh", "Abar", "Zbar")
NUCLEI = EOS_QUANTITIES[5:]  # Xh, Abar, Zbar: only for coherent scattering on nuclei


def lookup_eos_quantities(eos, rho, temp, ye):
    """The EOS_QUANTITIES at (rho [g cm^-3], temp [MeV], ye) from
    `eos.lookup`, one array each, with None for Xh, Abar and Zbar where
    `eos.has_nuclei` is False (a table without heavy nuclei, like the
    built-in EOS: coherent scattering is then off, which gives the same
    opacities as Xh = 0, and their lookup is saved)."""
    if getattr(eos, "has_nuclei", True):
        return eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
    return eos.lookup(rho, temp, ye, *EOS_QUANTITIES[:5]) + (None,) * len(NUCLEI)


def leakage_sources_from_eos(eos, rho, temp, ye, tau, params=LeakageParams()):
    """`leakage_sources` at (rho [g cm^-3], temp [MeV], ye) with mu_e, mu_n,
    mu_p, X_n, X_p, X_h, Abar and Zbar from `lookup_eos_quantities` (an EOS
    with the lookup of `parleak.eos.table.TabulatedEOS`, which returns one
    array per name); tau (3, 2, *shape)."""
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = lookup_eos_quantities(eos, rho, temp, ye)
    return leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar, params=params)
