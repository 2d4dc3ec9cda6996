"""Point-wise neutrino microphysics for any code: plain functions of numpy
arrays, no MPI, PETSc, grid, files or configuration.

    import numpy as np
    from parleak import microphysics as mp

    cell = dict(rho=np.array([1e13, 1e11]), temp=np.array([8.0, 2.0]),      # g cm^-3, MeV
                ye=np.array([0.25, 0.4]), mu_e=np.array([40.0, 6.0]),        # MeV
                mu_n=np.array([2.0, -10.0]), mu_p=np.array([-25.0, -14.0]),  # MeV
                xn=np.array([0.7, 0.5]), xp=np.array([0.2, 0.3]))
    tau = np.full((3, 2, 2), 1.0)                        # species x moment x cells
    eta = mp.degeneracies(**cell, tau=tau)               # eta_e, eta_nue, eta_n, ...
    block = mp.blocking_factors(**cell, tau=tau)         # Y_np, Y_pn, <1 - f>, ...
    rates = mp.free_rates(**cell, tau=tau)               # per process and per species
    kappa = mp.opacities(**cell, tau=tau)                # cm^-1, (3, 2, cells)
    leak = mp.effective_rates(**cell, tau=tau)           # R_eff, Q_eff, dYe/dt, ...
    # other constants: params=mp.LeakageParams(couplings=mp.Couplings(q_np=1.2935))

Every function takes the same arguments, broadcast to one shape (...):

    rho [g cm^-3], temp [MeV], ye, mu_e, mu_n, mu_p [MeV, stellarcollapse.org
    convention: mu_e with the electron rest mass, mu_n and mu_p measured from
    the neutron rest mass], xn, xp (free nucleon mass fractions),
    tau (3, 2, ...) optical depths [dimensionless] (species nu_e, anti-nu_e,
    nu_x x moment number, energy; None: 0, transparent matter; the number
    depths of nu_e and anti-nu_e set their degeneracies), xh, abar, zbar
    (heavy nuclei, for coherent scattering in the opacities; optional),
    params (`LeakageParams`: the scheme's choices and its `Couplings`).

Results are NamedTuples (or the records of `parleak.microphysics.leakage`)
of float64 arrays of that shape, or (3, ...) per species, (3, 2, ...) per
species and moment. Number rates R in cm^-3 s^-1, energy rates Q in
erg cm^-3 s^-1, mean energies in MeV, opacities in cm^-1.

The values come from the same numba helpers as the leakage kernels
(`rates.cell_processes`, `opacity.cell_absorption_targets`, ...): an
evaluation here is bitwise that inside `leakage_sources`. Formulas and
sources: `parleak.microphysics.opacity` (Ruffert, Janka & Schaefer 1996,
appendix A), `rates` (Galeazzi et al. 2013, appendix A; Burrows, Reddy &
Thompson 2006, eq. 143), `effective` (Ruffert et al. 1996, appendix B;
Rosswog & Liebendoerfer 2003), `fermi` (Fermi-Dirac integrals), and the
constants in `parameters.Couplings`.

Layer: microphysics (numpy, numba and parleak.microphysics).
"""

import typing

import numba
import numpy as np

from parleak.constants import MEV
from parleak.microphysics import leakage
from parleak.microphysics.leakage import LeakageParams, _flat_inputs
from parleak.microphysics.opacity import (blocking_degeneracy, cell_absorption_targets, degeneracies_and_fermi,
                                          degeneracy_rows, fermi_at, final_lepton_blocking, nucleon_degeneracies,
                                          scattering_target)
from parleak.microphysics.parameters import kernel_params
from parleak.microphysics.rates import (capture_blocking, cell_processes, free_rate_rows, heavy_pair_blocking,
                                        pair_blocking, pair_energy_over_t, plasmon_energy_over_t)

__all__ = ["BlockingFactors", "Degeneracies", "ProcessRates", "blocking_factors", "degeneracies", "effective_rates",
           "free_rates", "opacities", "source_terms", "transport_opacities"]


class Degeneracies(typing.NamedTuple):
    """Degeneracy parameters (dimensionless), each of the input shape."""

    eta_e: np.ndarray  # mu_e / T (electrons; positrons have -eta_e)
    eta_nue: np.ndarray  # nu_e: eta_nue_equilibrium (1 - e^-tau) + eta0 e^-tau
    eta_anue: np.ndarray  # anti-nu_e: -eta_nue_equilibrium (1 - e^-tau) + eta0 e^-tau
    eta_nue_equilibrium: np.ndarray  # (mu_e + mu_p - mu_n) / T, beta equilibrium
    eta_n: np.ndarray  # mu_n / T, kinetic neutron degeneracy
    eta_p: np.ndarray  # (mu_p + Q) / T, kinetic proton degeneracy
    eta_hat: np.ndarray  # (mu_n - mu_p - Q) / T, of the nucleon blocking


class BlockingFactors(typing.NamedTuple):
    """Targets with final-state blocking and Pauli-blocking factors
    (dimensionless), each of the input shape."""

    y_np: np.ndarray  # neutron targets of nu_e absorption and e+ capture (Ruffert A13)
    y_pn: np.ndarray  # proton targets of anti-nu_e absorption and e- capture (Ruffert A14)
    y_nn: np.ndarray  # neutron scattering targets (Ruffert A8)
    y_pp: np.ndarray  # proton scattering targets (Ruffert A8)
    electron_absorption: np.ndarray  # <1 - f_e-> of nu_e + n -> e- + p (Ruffert A9)
    positron_absorption: np.ndarray  # <1 - f_e+> of anti-nu_e + p -> e+ + n (Ruffert A10)
    electron_capture: np.ndarray  # <1 - f_nue> of e- + p -> n + nu_e
    positron_capture: np.ndarray  # <1 - f_anue> of e+ + n -> p + anti-nu_e
    pair: np.ndarray  # <1 - f_nue><1 - f_anue> of e+ e- -> nu_e anti-nu_e
    pair_heavy: np.ndarray  # <1 - f_nux>^2 of e+ e- -> nu_x anti-nu_x
    plasmon: np.ndarray  # the same for plasmon decay
    plasmon_heavy: np.ndarray


class ProcessRates(typing.NamedTuple):
    """Free (optically thin) emission rates per process, switches of
    `LeakageParams` ignored, and their sum per species with the switches.
    R [cm^-3 s^-1], Q [erg cm^-3 s^-1], E [MeV]; each of the input shape,
    r_free and q_free (3, ...) (nu_e, anti-nu_e, nu_x)."""

    electron_capture_r: np.ndarray  # e- + p -> n + nu_e
    electron_capture_q: np.ndarray
    positron_capture_r: np.ndarray  # e+ + n -> p + anti-nu_e
    positron_capture_q: np.ndarray
    pair_r: np.ndarray  # e+ e- -> nu_e anti-nu_e: pairs (= nu_e = anti-nu_e emitted)
    pair_heavy_r: np.ndarray  # e+ e- -> nu_x anti-nu_x: particles of the four heavy species
    pair_energy: np.ndarray  # mean energy of one pair neutrino, MeV
    plasmon_r: np.ndarray  # gamma -> nu_e anti-nu_e
    plasmon_heavy_r: np.ndarray
    plasmon_energy: np.ndarray  # MeV
    bremsstrahlung_r: np.ndarray  # N N -> N N nu anti-nu, per species (nu_x: 4 times)
    bremsstrahlung_q: np.ndarray
    r_free: np.ndarray  # (3, ...) the sums the leakage uses
    q_free: np.ndarray  # (3, ...)


N_ROWS = 28  # rows of point_rows


@numba.njit(cache=True, error_model="numpy")
def point_rows(cells, eta, fermi, p, out):
    """Per flat cell, into out (N_ROWS, N): the process rates (0-11, Q in
    MeV cm^-3 s^-1), the blocking factors (12-23) and the nucleon
    degeneracies (24-26) of `ProcessRates`, `BlockingFactors`,
    `Degeneracies` (row 27 unused)."""
    for n in range(cells.rho.size):
        capture, positron, pair, plasmon, brems = cell_processes(n, cells, eta, fermi[2], fermi[3], p)
        out[0, n], out[1, n] = capture
        out[2, n], out[3, n] = positron
        out[4, n], out[5, n], out[6, n] = pair
        out[7, n], out[8, n], out[9, n] = plasmon
        out[10, n], out[11, n] = brems
        t, mu_n, mu_p, xn, xp = cells.temp[n], cells.mu_n[n], cells.mu_p[n], cells.xn[n], cells.xp[n]
        eta_e, eta_nue, eta_anue = eta[0, n], eta[1, n], eta[2, n]
        out[12, n], out[13, n] = cell_absorption_targets(cells.rho[n], t, mu_n, mu_p, xn, xp, p.rho_blocking, p.q_np)
        eta_n, eta_p = nucleon_degeneracies(1.0 / t, mu_n, mu_p, p.q_np)
        out[14, n], out[15, n] = scattering_target(xn, eta_n), scattering_target(xp, eta_p)
        nue, anue = fermi_at(fermi[0], n), fermi_at(fermi[1], n)
        minus, plus = fermi_at(fermi[2], n), fermi_at(fermi[3], n)
        out[16, n] = final_lepton_blocking(eta_e, nue[2], nue[3])
        out[17, n] = final_lepton_blocking(-eta_e, anue[2], anue[3])
        out[18, n] = capture_blocking(minus[2], minus[3], eta_nue)
        out[19, n] = capture_blocking(plus[2], plus[3], eta_anue)
        pair_e = pair_energy_over_t(minus[1], minus[2], plus[1], plus[2])
        out[20, n], out[21, n] = pair_blocking(pair_e, eta_nue, eta_anue), heavy_pair_blocking(pair_e)
        plasmon_e = plasmon_energy_over_t(p, eta_e)[1]
        out[22, n], out[23, n] = pair_blocking(plasmon_e, eta_nue, eta_anue), heavy_pair_blocking(plasmon_e)
        out[24, n], out[25, n], out[26, n] = eta_n, eta_p, blocking_degeneracy(t, mu_n, mu_p, p.q_np)
        out[27, n] = 0.0


def _depths(tau, *cell):
    """tau, or zeros (3, 2, *shape) for None (transparent matter)."""
    if tau is not None:
        return tau
    return np.zeros((3, 2) + np.broadcast_shapes(*(np.shape(a) for a in cell)))


def _evaluate(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, params):
    """(shape, eta (3, N), eta at tau = inf (3, N), rows (N_ROWS, N), free
    (6, N)) of the broadcast inputs."""
    tau = _depths(tau, rho, temp, ye, mu_e, mu_n, mu_p, xn, xp)
    shape, cells, heavy_mode, tau = _flat_inputs(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, None, None, None,
                                                 params)
    p = kernel_params(params, heavy_mode)
    size = cells.rho.size
    eta, fermi = degeneracies_and_fermi(cells, tau.reshape(6, -1), p, electrons=True)
    equilibrium = np.empty((3, size))
    degeneracy_rows(cells, np.full((6, size), np.inf), p, equilibrium)
    rows, free = np.empty((N_ROWS, size)), np.empty((6, size))
    point_rows(cells, eta, fermi, p, rows)
    free_rate_rows(cells, eta, fermi, p, free)
    return shape, eta, equilibrium, rows, free


def degeneracies(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
                 params=LeakageParams()):
    """The degeneracy parameters (module docstring for the arguments):
    `Degeneracies`, dimensionless, each of the input shape. eta_nue and
    eta_anue interpolate between eta0 (LeakageParams.eta0) at tau = 0 and
    +-eta_nue_equilibrium at large number optical depth."""
    shape, eta, equilibrium, rows, _ = _evaluate(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, params)
    return Degeneracies(*(a.reshape(shape) for a in (eta[0], eta[1], eta[2], equilibrium[1], rows[24], rows[25],
                                                     rows[26])))


def blocking_factors(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
                     params=LeakageParams()):
    """The nucleon targets and the Pauli-blocking factors (module docstring
    for the arguments): `BlockingFactors`, dimensionless, each of the input
    shape; the mean energies at which they are taken are those of the
    rates (`free_rates`) and of the absorption (T F_5 / F_4 of the
    neutrino)."""
    shape, _, _, rows, _ = _evaluate(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, params)
    return BlockingFactors(*(rows[i].reshape(shape) for i in range(12, 24)))


def free_rates(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
               params=LeakageParams()):
    """The free emission rates per process and their sums per species
    (module docstring for the arguments): `ProcessRates`; r_free and q_free
    are bitwise those of `leakage_sources`."""
    shape, _, _, rows, free = _evaluate(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, params)
    energy_rows = (1, 3, 11)  # Q rows in MeV cm^-3 s^-1 -> erg
    values = [(rows[i] * MEV if i in energy_rows else rows[i]).reshape(shape) for i in range(12)]
    return ProcessRates(*values, free[:3].reshape((3,) + shape), (free[3:] * MEV).reshape((3,) + shape))


def opacities(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
              params=LeakageParams()):
    """Scattering, absorption and transport opacities [cm^-1] per species
    and moment (module docstring for the arguments; with xh and abar,
    coherent scattering on nuclei): `parleak.microphysics.leakage.Opacities`
    of (3, 2, ...) arrays."""
    cell = (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp)
    return leakage.opacities(*cell, _depths(tau, *cell), xh=xh, abar=abar, zbar=zbar, params=params)


def effective_rates(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
                    params=LeakageParams()):
    """Everything of the leakage at these cells (module docstring for the
    arguments): a `parleak.microphysics.leakage.LeakageResult` with the
    opacities, eta_nu, the free and effective rates R [cm^-3 s^-1], Q [erg
    cm^-3 s^-1], n_nu [cm^-3], e_nu [erg cm^-3], t_diff and t_loss [s],
    mean energies [MeV], dye_dt [s^-1] and energy_loss_rate [erg cm^-3
    s^-1, >= 0, leaving the matter]."""
    cell = (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp)
    return leakage.leakage_sources(*cell, _depths(tau, *cell), xh=xh, abar=abar, zbar=zbar, params=params)


def source_terms(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
                 params=LeakageParams()):
    """What a hydrodynamics code needs of the leakage at these cells:
    `parleak.microphysics.leakage.SourceTerms` (r_eff, q_eff per species,
    eta_nue, dye_dt [s^-1], energy_loss_rate [erg cm^-3 s^-1]), bitwise
    those of `effective_rates`."""
    cell = (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp)
    return leakage.leakage_source_terms(*cell, _depths(tau, *cell), xh=xh, abar=abar, zbar=zbar, params=params)


def transport_opacities(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau=None, xh=None, abar=None, zbar=None,
                        params=LeakageParams()):
    """kappa_total [cm^-1] alone (3, 2, ...), bitwise that of `opacities`
    and faster (for optical depths)."""
    cell = (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp)
    return leakage.transport_opacities(*cell, _depths(tau, *cell), xh=xh, abar=abar, zbar=zbar, params=params)
