"""The parameters of the point-wise leakage microphysics: the physical
constants that differ between codes (`Couplings`), the choices of the
scheme (`LeakageParams`), and the one record of scalars that every kernel
takes at run time (`KernelParams`, built by `kernel_params`).

Layer: microphysics (numpy only; imports parleak.constants and
parleak.microphysics.fermi).

Nothing here is baked into a compiled kernel: the kernels read the
couplings from their `KernelParams` argument, so a changed coupling needs
no recompilation and the numba cache never holds a stale value. The
derived constants are computed here, in Python, with the expressions (and
the floating-point order) the kernels used when they were module constants,
so that the defaults give bitwise the results of those kernels.
"""

import dataclasses
import math
import typing

import numpy as np

from parleak.constants import (AVOGADRO_NUMBER, AXIAL_COUPLING, C_AXIAL, C_VECTOR, ELECTRON_MASS_MEV,
                               FINE_STRUCTURE_LEAKAGE, HC_MEV_CM, MEV, NEUTRON_PROTON_MASS_DIFFERENCE_MEV,
                               PLASMA_GAMMA_0, SIGMA_0, SPEED_OF_LIGHT)
from parleak.microphysics.fermi import FERMI_METHODS

SCHEMES = ("ruffert", "minimum")
RUFFERT, MINIMUM = 0, 1
SPECIES = ("nu_e", "anti_nu_e", "nu_x")
NUX_WEIGHT = 4.0  # g of the lumped heavy-lepton species (nu_e, anti-nu_e: 1)
HEAVY_OFF, HEAVY_ZBAR, HEAVY_YE = 0, 1, 2  # coherent scattering: off, Z/A = Zbar/Abar, Z/A = Ye
# Burrows, Reddy & Thompson (2006, Nucl. Phys. A 777, 356), eq. 143: the
# nucleon-nucleon bremsstrahlung energy emission rate
# Q = 2.0778e30 zeta (X_n^2 + X_p^2 + 28/3 X_n X_p) rho_14^2 T_MeV^5.5 erg cm^-3 s^-1.
BRT06_BREMSSTRAHLUNG = 2.0778e30


@dataclasses.dataclass(frozen=True)
class Couplings:
    """The constants of the rates and opacities that differ between leakage
    codes, passed to the kernels at run time. Defaults: those of Ruffert,
    Janka & Schaefer 1996 (RJS96; A&A 311, 532, appendix A) unless said
    otherwise in the field's docstring."""

    c_vector: float = C_VECTOR
    """C_V = 1/2 + 2 sin^2(theta_W) = 0.962 (sin^2 theta_W = 0.231; GRHayL's
    NRPyLeakage takes sin^2 theta_W = 0.23, C_V = 0.96). It enters the
    nucleon scattering (RJS96 eq. A1), the pair and plasmon rates and,
    through sin^2 theta_W = (C_V - 1/2) / 2, the coherent scattering on
    nuclei."""
    c_axial: float = C_AXIAL
    """C_A = 1/2, the electron axial coupling of the pair rates."""
    axial_coupling: float = AXIAL_COUPLING
    """alpha = g_A = 1.25, the nucleon axial-vector coupling (RJS96 eq. A1;
    the measured value is 1.27)."""
    q_np: float = NEUTRON_PROTON_MASS_DIFFERENCE_MEV
    """Q = (m_n - m_p) c^2 [MeV], CODATA 2018 (1.29333 MeV;
    parleak.constants.NEUTRON_PROTON_MASS_DIFFERENCE_MEV, the value of the
    built-in EOS too). RJS96 and GRHayL round it to 1.2935 MeV; Q must be
    the value of the EOS whose chemical potentials are used."""
    sigma_0: float = SIGMA_0
    """1.76e-44 cm^2, the weak cross-section unit 4 G_F^2 (m_e c^2)^2 /
    (pi (hbar c)^4)."""
    brems_normalisation: float = BRT06_BREMSSTRAHLUNG
    """2.0778e30 erg cm^-3 s^-1, the coefficient of the nucleon-nucleon
    bremsstrahlung fit of Burrows, Reddy & Thompson (2006, Nucl. Phys. A
    777, 356), eq. 143, read as the TOTAL energy rate of the six species
    (each species gets 1/6 of it, times LeakageParams.brems_zeta = 0.5).
    Other codes read it otherwise: NuLib (O'Connor 2015, ApJS 219, 24;
    src/emissivities.F90) multiplies the total by 0.5 ("total emission
    rate, with fix") and gives each of the six species about half of that
    (its spectrum normalisation 0.234); GRHayL's NRPyLeakage takes the
    NuLib per-species value (Brems_C2 = 6.5428e7 MeV, zeta = 0.5), 3.03
    times parleak's per species. To reproduce those, set
    brems_normalisation = 6 x 0.5045 x 2.0778e30 = 6.29e30 with brems_zeta
    = 0.5."""
    plasma_gamma_0: float = PLASMA_GAMMA_0
    """gamma_0 = 5.565e-2 of the plasmon energy (Galeazzi et al. 2013, PRD
    88, 064009, eq. A21)."""
    fine_structure: float = FINE_STRUCTURE_LEAKAGE
    """alpha_f = 1 / 137.036 of the plasmon rates."""

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, (int, float, np.floating)) or not math.isfinite(value):
                raise ValueError(f"couplings: {field.name} = {value!r}; valid: a finite number")
        for name in ("sigma_0", "fine_structure"):
            if getattr(self, name) <= 0.0:
                raise ValueError(f"couplings: {name} = {getattr(self, name)!r}; valid: > 0")
        if self.brems_normalisation < 0.0:
            raise ValueError(f"couplings: brems_normalisation = {self.brems_normalisation!r}; valid: >= 0")


# The valid values of LeakageParams' numbers: (test, words). The only
# definition of these rules: the leakage.* keys of the config use them too.
RULES = {
    "mean_scattering_cosine": (lambda v: -1.0 <= v < 1.0, "in [-1, 1)"),
    "diffusion_constant": (lambda v: 0.0 < v < math.inf, "finite and > 0"),
    "eta0": (math.isfinite, "finite"),
    "blocking_density": (lambda v: 0.0 <= v < math.inf, "finite and >= 0"),
    "brems_zeta": (lambda v: 0.0 <= v < math.inf, "finite and >= 0"),
}


@dataclasses.dataclass(frozen=True)
class LeakageParams:
    """Choices of the leakage microphysics.

    fermi_method: "accurate" (default) or "teh" (Takahashi, El Eid &
        Hillebrandt 1978 fits);
    mean_scattering_cosine: <cos theta> in [-1, 1) of the transport opacity
        kappa_a + kappa_s (1 - <cos theta>), 0 by default;
    diffusion_constant: D > 0 of the diffusion time t_diff = D tau^2 /
        (c kappa) [s]. Default 3: the time L^2 / D_diff to diffuse over
        L = tau / kappa with the diffusion coefficient D_diff = c / (3 kappa)
        of Fick's law for radiation (Eddington approximation), the value
        parleak has used from the start. Rosswog & Liebendoerfer (2003,
        MNRAS 342, 673) take D = 6, calibrated on transport
        calculations, and so does GRHayL's NRPyLeakage
        (NRPyLeakage_rate_helpers.h: 6 tau^2 / (c kappa)); set 6 to compare
        with those codes;
    scheme: "ruffert" (R_eff = R / (1 + t_diff / t_loss), the interpolation
        of Ruffert et al. 1996, appendix B, and Rosswog & Liebendoerfer
        2003; default) or "minimum" (min(R, n_nu / t_diff));
    electron_capture, positron_capture, pair_annihilation, plasmon_decay,
    bremsstrahlung, coherent_scattering: process switches (all on);
    eta0: the transparent-limit neutrino degeneracy eta^0 (0);
    blocking_density: rho [g cm^-3] above which the nucleon final-state
        blocking Y_np, Y_pn applies (2e12, Ruffert et al. 1996);
    brems_zeta: the bremsstrahlung factor zeta >= 0 of Burrows et al. 2006,
        eq. 143 (0.5);
    couplings: the `Couplings` (constants that differ between codes).
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
    couplings: Couplings = Couplings()

    def __post_init__(self):
        if self.fermi_method not in FERMI_METHODS:
            raise ValueError(f"leakage: fermi_method = {self.fermi_method!r}; valid: {FERMI_METHODS}")
        if self.scheme not in SCHEMES:
            raise ValueError(f"leakage: scheme = {self.scheme!r}; valid: {SCHEMES}")
        for name, (valid, words) in RULES.items():
            if not valid(getattr(self, name)):
                raise ValueError(f"leakage: {name} = {getattr(self, name)!r}; valid: {words}")
        if not isinstance(self.couplings, Couplings):
            raise ValueError(f"leakage: couplings = {self.couplings!r}; valid: a Couplings")
        for name in ("electron_capture", "positron_capture", "pair_annihilation", "plasmon_decay",
                     "bremsstrahlung", "coherent_scattering"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"leakage: {name} = {getattr(self, name)!r}; valid: True or False")


class CellArrays(typing.NamedTuple):
    """The inputs of the kernels at N cells, each a flat C-contiguous
    float64 array (N,): rho [g cm^-3], temp [MeV], ye, mu_e, mu_n, mu_p
    [MeV, stellarcollapse.org convention: mu_e with the electron rest mass,
    mu_n and mu_p from the neutron rest mass], xn, xp (free nucleon mass
    fractions), xh, abar, zbar (heavy nuclei, read only where
    KernelParams.heavy_mode asks for them; any (N,) array otherwise)."""

    rho: np.ndarray
    temp: np.ndarray
    ye: np.ndarray
    mu_e: np.ndarray
    mu_n: np.ndarray
    mu_p: np.ndarray
    xn: np.ndarray
    xp: np.ndarray
    xh: np.ndarray
    abar: np.ndarray
    zbar: np.ndarray


class KernelParams(typing.NamedTuple):
    """Every scalar a kernel needs, one record (numba passes it by value):
    the choices of `LeakageParams` as numbers and the constants derived
    from its `Couplings`. Built by `kernel_params`; units in the comments."""

    eta0: float
    rho_blocking: float  # g cm^-3
    forward: float  # 1 - <cos theta>
    method: int  # parleak.microphysics.fermi.ACCURATE or TEH
    heavy_mode: int  # HEAVY_OFF, HEAVY_ZBAR or HEAVY_YE
    diffusion_constant: float
    scheme: int  # RUFFERT or MINIMUM
    ec_on: bool
    pc_on: bool
    pair_on: bool
    plasmon_on: bool
    brems_on: bool
    zeta: float
    q_np: float  # MeV
    # opacities (Ruffert et al. 1996, eqs. A1, A6, A9, A10)
    c_scatter_neutron: float  # (1 + 5 alpha^2) / 24
    c_scatter_proton: float  # (4 (C_V - 1)^2 + 5 alpha^2) / 24
    c_absorption: float  # (1 + 3 alpha^2) / 4
    nuclear_charge: float  # 4 sin^2(theta_W) - 1, sin^2 = (C_V - 1/2) / 2
    opacity_scale: float  # sigma_0 N_A / (m_e c^2)^2, cm^2 mol^-1 MeV^-2
    # rates (Galeazzi et al. 2013, appendix A, per volume)
    beta: float  # pi c sigma_0 (1 + 3 alpha^2) / ((h c)^3 (m_e c^2)^2), MeV^-5 s^-1
    pair_scale: float  # sigma_0 c / (m_e c^2)^2, cm^3 s^-1 MeV^-2
    pair_coupling_e: float  # ((C_V - C_A)^2 + (C_V + C_A)^2) / 36
    pair_coupling_x: float  # ((C_V - C_A)^2 + (C_V + C_A - 2)^2) / 9
    plasma_gamma_0: float
    plasmon_scale: float  # pi^3 / (3 alpha_f) pair_scale / (h c)^6, cm^-3 s^-1 MeV^-8
    plasmon_coupling_e: float  # C_V^2
    plasmon_coupling_x: float  # 4 (C_V - 1)^2
    brems_per_species: float  # brems_normalisation / 6 in MeV cm^-3 s^-1 per (g cm^-3)^2 MeV^5.5


def coupling_constants(couplings):
    """The derived constants of `KernelParams` from `Couplings` (a dict),
    with the expressions the kernels had as module constants."""
    c = couplings
    alpha, c_v, c_a, sigma_0 = c.axial_coupling, c.c_vector, c.c_axial, c.sigma_0
    pair_scale = sigma_0 * SPEED_OF_LIGHT / ELECTRON_MASS_MEV**2
    return dict(
        q_np=float(c.q_np),
        c_scatter_neutron=(1.0 + 5.0 * alpha**2) / 24.0,
        c_scatter_proton=(4.0 * (c_v - 1.0) ** 2 + 5.0 * alpha**2) / 24.0,
        c_absorption=(1.0 + 3.0 * alpha**2) / 4.0,
        nuclear_charge=4.0 * ((c_v - 0.5) / 2.0) - 1.0,
        opacity_scale=sigma_0 * AVOGADRO_NUMBER / ELECTRON_MASS_MEV**2,
        beta=math.pi * SPEED_OF_LIGHT * sigma_0 * (1.0 + 3.0 * alpha**2) / (HC_MEV_CM**3 * ELECTRON_MASS_MEV**2),
        pair_scale=pair_scale,
        pair_coupling_e=((c_v - c_a) ** 2 + (c_v + c_a) ** 2) / 36.0,
        pair_coupling_x=((c_v - c_a) ** 2 + (c_v + c_a - 2.0) ** 2) / 9.0,
        plasma_gamma_0=float(c.plasma_gamma_0),
        plasmon_scale=math.pi**3 / (3.0 * c.fine_structure) * pair_scale / HC_MEV_CM**6,
        plasmon_coupling_e=c_v**2,
        plasmon_coupling_x=4.0 * (c_v - 1.0) ** 2,
        brems_per_species=c.brems_normalisation / MEV / 1e28 / 6.0,
    )


def kernel_params(params=LeakageParams(), heavy_mode=HEAVY_OFF):
    """The `KernelParams` of a `LeakageParams` (and the coherent-scattering
    mode of the cells at hand)."""
    p = params
    constants = {name: float(value) for name, value in coupling_constants(p.couplings).items()}
    return KernelParams(eta0=float(p.eta0), rho_blocking=float(p.blocking_density),
                        forward=1.0 - p.mean_scattering_cosine, method=FERMI_METHODS.index(p.fermi_method),
                        heavy_mode=int(heavy_mode), diffusion_constant=float(p.diffusion_constant),
                        scheme=SCHEMES.index(p.scheme), ec_on=bool(p.electron_capture),
                        pc_on=bool(p.positron_capture), pair_on=bool(p.pair_annihilation),
                        plasmon_on=bool(p.plasmon_decay), brems_on=bool(p.bremsstrahlung),
                        zeta=float(p.brems_zeta), **constants)
