"""The point-wise leakage scheme, vectorised over arrays of cells: the
entry points `opacities`, `transport_opacities`, `leakage_sources` and
`leakage_source_terms` (and `leakage_sources_from_eos`), their result
records, and the EOS quantities they need. Importable without MPI, PETSc or
a grid.

Species index s: 0 nu_e, 1 anti-nu_e, 2 nu_x (the four heavy-lepton
species lumped, statistical weight g = 4). Moment index j: 0 number,
1 energy. Units: cgs with temperatures, chemical potentials and mean
energies in MeV; chemical potentials in the stellarcollapse.org convention
(see `parleak.microphysics.opacity`).

The physics lives in the modules these call: `opacity` (Ruffert, Janka &
Schaefer 1996, appendix A), `rates` (free emission: Galeazzi et al. 2013,
appendix A; Burrows, Reddy & Thompson 2006), `effective` (diffusion and
loss times, effective rates, net sources: Ruffert et al. 1996, appendix B;
Rosswog & Liebendoerfer 2003), `kernels` (the loops over the cells),
`parameters` (`LeakageParams`, `Couplings`, `KernelParams`), `cells`
(`DenseCells`). `parleak.microphysics.api` adds per-process rates,
degeneracies and blocking factors for single points.

Speed (`benchmarks/leakage.py --profile pns`, 10^6 cells, one core):
`leakage_source_terms` 122 ns per cell, against 169 with the opacity and
effective-rate loops scalar; `transport_opacities` 59 ns against 95 for
`opacities`. Of the source kernel (on 32 768 cells, in cache) the Fermi
integrals take 45 ns, the free rates 34, the opacities 13 and the effective
rates 7.

Layer: microphysics (numpy and the modules of parleak.microphysics).
"""

import dataclasses
import typing

import numpy as np

from parleak.microphysics.cells import DenseCells  # noqa: F401 (public name)
from parleak.microphysics.effective import NEUTRINO_MOMENT  # noqa: F401 (public name)
from parleak.microphysics.kernels import leakage_kernel, source_kernel
from parleak.microphysics.opacity import opacity_kernel, transport_opacity_kernel
from parleak.microphysics.parameters import (HEAVY_OFF, HEAVY_YE, HEAVY_ZBAR, MINIMUM, NUX_WEIGHT,  # noqa: F401
                                             RUFFERT, SCHEMES, SPECIES, CellArrays, Couplings, LeakageParams,
                                             kernel_params)


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
    """Broadcast the cell inputs to one shape; return (shape, CellArrays of
    flat arrays, the coherent-scattering mode, tau as (3, 2, N))."""
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
    return shape, CellArrays(*flat, *heavy), heavy_mode, _kernel_array(tau, (3, 2) + shape).reshape(3, 2, -1)


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


def _run_kernel(kernel, kind, dims, cell_arrays, params, out):
    """kernel(CellArrays, tau, KernelParams, outputs) on the cell arrays
    (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar), the
    outputs a record of flat views of the `kind` buffers; returns its
    `kind`."""
    shape, cells, heavy_mode, tau = _flat_inputs(*cell_arrays, params)
    result = _buffers(kind, dims, shape, out)
    size = cells.rho.size
    views = {name: getattr(result, name).reshape(lead + (size,)) for name, lead in dims.items()}
    kernel(cells, tau, kernel_params(params, heavy_mode), _Views(views))
    return result


class _Views:
    """Attribute access to a dict of output views (the `out` of a kernel)."""

    def __init__(self, views):
        self.__dict__.update(views)


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
    return _run_kernel(opacity_kernel, Opacities, OPACITY_DIMS,
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
    return _run_kernel(transport_opacity_kernel, TransportOpacity, {"kappa_total": (3, 2)},
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
    return _run_kernel(leakage_kernel, LeakageResult, RESULT_DIMS,
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
    return _run_kernel(source_kernel, SourceTerms, SOURCE_DIMS,
                       (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh, abar, zbar), params, out)


EOS_QUANTITIES = ("mu_e", "mu_n", "mu_p", "Xn", "Xp", "Xh", "Abar", "Zbar")
NUCLEI = EOS_QUANTITIES[5:]  # Xh, Abar, Zbar: only for coherent scattering on nuclei


def lookup_eos_quantities(eos, rho, temp, ye):
    """The EOS_QUANTITIES at (rho [g cm^-3], temp [MeV], ye) from
    `eos.lookup` (a parleak.eos.base.EOS with is_nuclear, or any object with
    that lookup and has_nuclei), one array each, with None for Xh, Abar and Zbar where
    `eos.has_nuclei` is False (a table without heavy nuclei, like the
    built-in EOS: coherent scattering is then off, which gives the same
    opacities as Xh = 0, and their lookup is saved)."""
    if eos.has_nuclei:
        return eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
    return eos.lookup(rho, temp, ye, *EOS_QUANTITIES[:5]) + (None,) * len(NUCLEI)


def leakage_sources_from_eos(eos, rho, temp, ye, tau, params=LeakageParams()):
    """`leakage_sources` at (rho [g cm^-3], temp [MeV], ye) with mu_e, mu_n,
    mu_p, X_n, X_p, X_h, Abar and Zbar from `lookup_eos_quantities` (an EOS
    with the lookup of `parleak.eos.table.TabulatedEOS`, which returns one
    array per name); tau (3, 2, *shape)."""
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = lookup_eos_quantities(eos, rho, temp, ye)
    return leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar, params=params)
