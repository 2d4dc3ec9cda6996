"""The drivers of the leakage evaluation over flat arrays of cells: each
runs the loops of the per-cell helpers in order (degeneracies, Fermi
integrals, opacities, free rates, effective rates, net sources) on grouped
arguments: the inputs as `CellArrays`, the optical depths tau (3, 2, N),
the scalars as one `KernelParams`, the outputs as a record of arrays.

The loops of `source_kernel` (and of `transport_opacity_kernel`, the
optical depths' opacities) are written so that the compiler vectorises them
(4 cells per instruction with AVX2): inline exp and sqrt
(`parleak.kernel_math`), no branches (every process and both schemes are
evaluated and the result selected), 2-D (6, N) rows for species x moment,
helpers that return tuples inlined by numba (inline="always"; LLVM leaves a
loop scalar when such a call is left to its own inliner, or when a tuple
passes through a branch), and few stores per loop: LLVM (numba 0.56) gives
up on a loop that stores more than about six rows ("too many SCEV
assumptions") or reads the rows of all three species while storing
("cannot prove it is safe to reorder memory operations"), so the transport
opacities, the free rates, the effective rates of nu_e and anti-nu_e, those
of nu_x and the net sources are separate loops. `leakage_kernel`, which
stores everything, stays scalar in its opacity and effective-rate loops.

Layer: microphysics (numpy, numba).
"""

import typing

import numpy as np

from parleak.microphysics.effective import leakage_rows, net_source_rows, source_rows
from parleak.microphysics.opacity import (coherent_weight_rows, degeneracies_and_fermi, nux_fermi, opacity_rows,
                                          transport_opacity_rows)
from parleak.microphysics.rates import free_rate_rows


class LeakageRows(typing.NamedTuple):
    """The per-species outputs of `leakage_rows` as 2-D rows: (3, N), and
    (6, N) (species x moment) for t_diff and t_loss; units of
    `parleak.microphysics.leakage.LeakageResult`."""

    eta_nu: np.ndarray
    n_nu: np.ndarray
    e_nu: np.ndarray
    t_diff: np.ndarray
    t_loss: np.ndarray
    r_free: np.ndarray
    q_free: np.ndarray
    r_eff: np.ndarray
    q_eff: np.ndarray
    mean_energy: np.ndarray


def free_rates(cells, tau, p, kappa_total, kappa_s=None, kappa_a=None):
    """The loops the kernels share: degeneracies, Fermi integrals, opacities
    (kappa_total, and kappa_s, kappa_a where given: (3, 2, N) or (6, N);
    `transport_opacity_rows` without them) and free rates; tau (6, N).
    Returns (eta (3, N), fermi (4, 4, N), nux, free (6, N): R of nu_e,
    anti-nu_e, nu_x [cm^-3 s^-1], then Q [MeV cm^-3 s^-1])."""
    size = cells.rho.size
    eta, fermi = degeneracies_and_fermi(cells, tau, p, electrons=True)
    nux, nux_ratios = nux_fermi(p.method)
    heavy, free = np.empty(size), np.empty((6, size))
    coherent_weight_rows(cells, p, heavy)
    if kappa_s is None:
        transport_opacity_rows(cells, heavy, eta, fermi, p, nux_ratios, kappa_total.reshape(6, -1))
    else:
        opacity_rows(cells, heavy, eta, fermi, p, nux_ratios,
                     *(k.reshape(6, -1) for k in (kappa_s, kappa_a, kappa_total)))
    free_rate_rows(cells, eta, fermi, p, free)
    return eta, fermi, nux, free


def leakage_kernel(cells, tau, p, out):
    """Opacities, free rates, effective rates and sources of the flat cells
    into out (a LeakageResult-shaped record with a trailing cell dimension
    N: (3, 2, N), (3, N) or (N,) arrays); tau (3, 2, N)."""
    tau = tau.reshape(6, -1)
    eta, fermi, nux, free = free_rates(cells, tau, p, out.kappa_total, out.kappa_s, out.kappa_a)
    rows = LeakageRows(out.eta_nu, out.n_nu, out.e_nu, out.t_diff.reshape(6, -1), out.t_loss.reshape(6, -1),
                       out.r_free, out.q_free, out.r_eff, out.q_eff, out.mean_energy)
    leakage_rows(cells.temp, tau, eta, fermi, nux, free, p, out.kappa_total.reshape(6, -1), rows)
    net_source_rows(cells.rho, out.r_eff, out.q_eff, out.dye_dt, out.energy_loss_rate)


def source_kernel(cells, tau, p, out):
    """`leakage_kernel` storing only what the evolution needs in every stage
    (out: a `SourceTerms`-shaped record, bitwise the same values): only the
    transport opacities are computed (into a scratch), the diagnostics are
    not stored, and every loop is vectorised."""
    kappa_total = np.empty((6, cells.rho.size))
    tau = tau.reshape(6, -1)
    eta, fermi, nux, free = free_rates(cells, tau, p, kappa_total)
    source_rows(cells.temp, tau, fermi, nux, free, p, kappa_total, out.r_eff, out.q_eff)
    out.eta_nue[:] = eta[1]
    net_source_rows(cells.rho, out.r_eff, out.q_eff, out.dye_dt, out.energy_loss_rate)
