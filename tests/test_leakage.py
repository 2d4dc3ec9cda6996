"""Leakage microphysics (parleak.microphysics.opacity, rates, leakage): values
computed by hand from the published formulas (Ruffert et al. 1996, Galeazzi
et al. 2013, Burrows et al. 2006; Fermi integrals by adaptive
quadrature, not parleak's fermi module), limits, signs, scalings, switches
and the API."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import expit

from parleak.constants import (AVOGADRO_NUMBER, AXIAL_COUPLING, C_AXIAL, C_VECTOR, ELECTRON_MASS_MEV,
                               FINE_STRUCTURE_LEAKAGE, MEV, PLANCK_CONSTANT, PLASMA_GAMMA_0, SIGMA_0)
from parleak.microphysics.leakage import (DenseCells, LeakageParams, LeakageResult, SourceTerms, leakage_source_terms,
                                      leakage_sources, leakage_sources_from_eos, lookup_eos_quantities, opacities,
                                      transport_opacities)

C_CM_S = 2.99792458e10  # the speed of light, written out: t_diff must divide by it
HC = PLANCK_CONSTANT * C_CM_S / MEV  # h c, MeV cm
ME = ELECTRON_MASS_MEV
ALPHA = AXIAL_COUPLING


def fermi_quad(k, eta):
    """F_k(eta) = int_0^inf x^k / (exp(x - eta) + 1) dx by adaptive quadrature."""
    def integrand(x):
        return x**k * expit(eta - x)
    edges = [0.0, max(eta, 0.0) + 1e-300, math.inf] if eta > 0 else [0.0, math.inf]
    return sum(quad(integrand, a, b, epsabs=0.0, epsrel=2e-14, limit=400)[0] for a, b in zip(edges, edges[1:]))


def vacancy(energy_over_t, eta):
    return 1.0 / (1.0 + math.exp(eta - energy_over_t))


def by_hand(point, params=LeakageParams()):
    """Every output of leakage_sources at one cell, step by step from the
    published formulas as documented in parleak.microphysics (per volume)."""
    rho, t, ye, mu_e, mu_n, mu_p, xn, xp, tau = (point[k] for k in ("rho", "temp", "ye", "mu_e", "mu_n", "mu_p",
                                                                    "xn", "xp", "tau"))
    xh, abar, zbar = point.get("xh"), point.get("abar"), point.get("zbar")
    tau = np.asarray(tau, dtype=float)
    # degeneracies (stellarcollapse convention: mu_n, mu_p from the neutron rest mass)
    eta_e = mu_e / t
    eta_ceq = (mu_e + mu_p - mu_n) / t
    q_np = params.couplings.q_np
    eta_hat = (mu_n - mu_p - q_np) / t
    eta_n_kin, eta_p_kin = mu_n / t, (mu_p + q_np) / t
    eta0 = params.eta0
    eta = [eta_ceq * (1 - math.exp(-tau[0, 0])) + eta0 * math.exp(-tau[0, 0]),
           -eta_ceq * (1 - math.exp(-tau[1, 0])) + eta0 * math.exp(-tau[1, 0]), 0.0]
    F = [{k: fermi_quad(k, e) for k in (2, 3, 4, 5)} for e in eta]
    # targets (Ruffert A8; A13/A14 with X_p - X_n; fallback below 2e12 g/cm^3)
    y_nn = xn / (1 + 2 / 3 * max(eta_n_kin, 0))
    y_pp = xp / (1 + 2 / 3 * max(eta_p_kin, 0))
    if rho >= params.blocking_density:
        y_np = (xp - xn) / (math.exp(-eta_hat) - 1)
        y_pn = math.exp(-eta_hat) * y_np
    else:
        y_np, y_pn = xn, xp
    # opacities (Ruffert A1, A6, A9, A10; coherent transport cross section)
    c_sn = (1 + 5 * ALPHA**2) / 24
    c_sp = (4 * (C_VECTOR - 1) ** 2 + 5 * ALPHA**2) / 24
    c_coh = 0.0
    if params.coherent_scattering and xh is not None and xh > 0:
        z_over_a = zbar / abar if zbar is not None else ye
        sin2 = (C_VECTOR - 0.5) / 2
        c_coh = xh * abar * (1 - z_over_a + (4 * sin2 - 1) * z_over_a) ** 2 / 24
    block_abs = [vacancy(F[0][5] / F[0][4], eta_e), vacancy(F[1][5] / F[1][4], -eta_e), 0.0]
    c_abs = [(1 + 3 * ALPHA**2) / 4 * y for y in (y_np, y_pn, 0.0)]
    kappa_s, kappa_a, kappa_t = (np.zeros((3, 2)) for _ in range(3))
    for s in range(3):
        for j in range(2):
            spectral = SIGMA_0 * AVOGADRO_NUMBER * rho * (t / ME) ** 2 * F[s][4 + j] / F[s][2 + j]
            kappa_s[s, j] = (c_sn * y_nn + c_sp * y_pp + c_coh) * spectral
            kappa_a[s, j] = c_abs[s] * block_abs[s] * spectral
            kappa_t[s, j] = kappa_a[s, j] + (1 - params.mean_scattering_cosine) * kappa_s[s, j]
    # free rates per volume [cm^-3 s^-1] and [MeV cm^-3 s^-1]
    n_b = AVOGADRO_NUMBER * rho
    r, q = np.zeros(3), np.zeros(3)
    fe = {k: fermi_quad(k, eta_e) for k in (3, 4, 5)}
    fp = {k: fermi_quad(k, -eta_e) for k in (3, 4, 5)}
    beta = math.pi * C_CM_S * SIGMA_0 * (1 + 3 * ALPHA**2) / (HC**3 * ME**2)
    if params.electron_capture:
        block = vacancy(fe[5] / fe[4], eta[0])
        r[0] += beta * n_b * y_pn * t**5 * fe[4] * block
        q[0] += beta * n_b * y_pn * t**6 * fe[5] * block
    if params.positron_capture:
        block = vacancy(fp[5] / fp[4], eta[1])
        r[1] += beta * n_b * y_np * t**5 * fp[4] * block
        q[1] += beta * n_b * y_np * t**6 * fp[5] * block
    if params.pair_annihilation:
        eps4_m = 8 * math.pi / HC**3 * t**4 * fe[3]
        eps4_p = 8 * math.pi / HC**3 * t**4 * fp[3]
        eps5_m = 8 * math.pi / HC**3 * t**5 * fe[4]
        eps5_p = 8 * math.pi / HC**3 * t**5 * fp[4]
        e_over_t = 0.5 * (fe[4] / fe[3] + fp[4] / fp[3])
        pair_energy = (eps5_m * eps4_p + eps4_m * eps5_p) / (eps4_m * eps4_p)  # MeV per pair
        base = SIGMA_0 * C_CM_S / ME**2 * eps4_m * eps4_p
        r_e = ((C_VECTOR - C_AXIAL) ** 2 + (C_VECTOR + C_AXIAL) ** 2) / 36 * base \
            * vacancy(e_over_t, eta[0]) * vacancy(e_over_t, eta[1])
        r_x = ((C_VECTOR - C_AXIAL) ** 2 + (C_VECTOR + C_AXIAL - 2) ** 2) / 9 * base * vacancy(e_over_t, 0.0) ** 2
        r += [r_e, r_e, r_x]
        q += np.array([r_e, r_e, r_x]) * pair_energy / 2
    if params.plasmon_decay:
        gamma = PLASMA_GAMMA_0 * math.sqrt((math.pi**2 + 3 * eta_e**2) / 3)
        e_over_t = 1 + gamma**2 / (2 * (1 + gamma))
        base = (math.pi**3 / (3 * FINE_STRUCTURE_LEAKAGE) * SIGMA_0 * C_CM_S / ME**2 * gamma**6 * t**8 / HC**6
                * math.exp(-gamma) * (1 + gamma))
        r_e = C_VECTOR**2 * base * vacancy(e_over_t, eta[0]) * vacancy(e_over_t, eta[1])
        r_x = 4 * (C_VECTOR - 1) ** 2 * base * vacancy(e_over_t, 0.0) ** 2
        r += [r_e, r_e, r_x]
        q += np.array([r_e, r_e, r_x]) * t * e_over_t
    if params.bremsstrahlung:
        q_all = 2.0778e30 * params.brems_zeta * (xn**2 + xp**2 + 28 / 3 * xn * xp) * (rho / 1e14) ** 2 * t**5.5
        q_one = q_all / 6 / MEV
        r_one = q_one / (2.4 / 1.1 * t)
        r += [r_one, r_one, 4 * r_one]
        q += [q_one, q_one, 4 * q_one]
    # effective rates
    g = [1.0, 1.0, 4.0]
    n_nu = np.array([g[s] * 4 * math.pi / HC**3 * t**3 * F[s][2] for s in range(3)])
    e_nu = np.array([g[s] * 4 * math.pi / HC**3 * t**4 * F[s][3] for s in range(3)])  # MeV cm^-3
    t_diff = np.where(tau > 0, params.diffusion_constant * tau**2 / (C_CM_S * np.where(kappa_t > 0, kappa_t, 1)), 0.0)
    with np.errstate(divide="ignore"):
        t_loss = np.stack([n_nu / r, e_nu / q], axis=1)
    if params.scheme == "ruffert":
        r_eff = r / (1 + t_diff[:, 0] / t_loss[:, 0])
        q_eff = q / (1 + t_diff[:, 1] / t_loss[:, 1])
    else:
        with np.errstate(divide="ignore"):
            r_eff = np.minimum(r, n_nu / t_diff[:, 0])
            q_eff = np.minimum(q, e_nu / t_diff[:, 1])
    return dict(kappa_s=kappa_s, kappa_a=kappa_a, kappa_total=kappa_t, eta_nu=np.array(eta), r_free=r,
                q_free=q * MEV, r_eff=r_eff, q_eff=q_eff * MEV, n_nu=n_nu, e_nu=e_nu * MEV, t_diff=t_diff,
                t_loss=t_loss, mean_energy=q_eff / r_eff, dye_dt=np.array((r_eff[1] - r_eff[0]) / n_b),
                energy_loss_rate=np.array(q_eff.sum() * MEV))


# Cells: hot out of beta equilibrium below the blocking density; a hot dense
# PNS cell with large optical depths; a cell with heavy nuclei (Zbar given);
# a cool low-density cell with nuclei and no Zbar (Z/A = Ye).
POINTS = {
    "rho1e12": dict(rho=1e12, temp=5.0, ye=0.45, mu_e=39.5, mu_n=-10.0, mu_p=-14.0, xn=0.5, xp=0.45,
                    tau=[[0.5, 0.8], [0.3, 0.6], [0.1, 0.2]]),
    "pns": dict(rho=1e14, temp=20.0, ye=0.3, mu_e=160.0, mu_n=40.0, mu_p=-80.0, xn=0.7, xp=0.25,
                tau=[[300.0, 500.0], [200.0, 350.0], [100.0, 180.0]]),
    "nuclei": dict(rho=3e13, temp=8.0, ye=0.35, mu_e=85.0, mu_n=5.0, mu_p=-30.0, xn=0.5, xp=0.05, xh=0.3,
                   abar=80.0, zbar=28.0, tau=[[2.0, 3.0], [1.5, 2.5], [0.5, 1.0]]),
    "lowdensity": dict(rho=1e9, temp=1.5, ye=0.49, mu_e=4.0, mu_n=-25.0, mu_p=-27.0, xn=0.05, xp=0.1, xh=0.8,
                       abar=56.0, tau=[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]),
}


def run(point, params=LeakageParams(), **changes):
    args = dict(point, **changes)
    return leakage_sources(params=params, **args)


@pytest.mark.parametrize("name", sorted(POINTS))
@pytest.mark.parametrize("method", ["accurate"])
def test_values_by_hand(name, method):
    params = LeakageParams(fermi_method=method)
    got = run(POINTS[name], params)
    want = by_hand(POINTS[name], params)
    for field, value in want.items():
        np.testing.assert_allclose(getattr(got, field), value, rtol=1e-12, atol=0, err_msg=f"{name}: {field}")


def test_values_by_hand_minimum_scheme_and_options():
    params = LeakageParams(scheme="minimum", mean_scattering_cosine=0.3, diffusion_constant=2.0, eta0=0.5,
                           blocking_density=1e11, brems_zeta=0.7)
    for name in ("rho1e12", "nuclei"):
        got = run(POINTS[name], params)
        for field, value in by_hand(POINTS[name], params).items():
            np.testing.assert_allclose(getattr(got, field), value, rtol=1e-12, atol=0, err_msg=f"{name}: {field}")


def test_blocking_threshold_and_fallback():
    """Above 2e12 g/cm^3 the degenerate Y_np is used (kappa_a of nu_e differs
    from the X_n value), below it Y_np = X_n; a non-positive Y_np (mu's
    inconsistent with X_n > X_p) falls back to X_n, X_p."""
    point = POINTS["pns"]
    above = run(point).kappa_a
    fallback = run(point, LeakageParams(blocking_density=1e15)).kappa_a
    assert not np.allclose(above[0], fallback[0], rtol=1e-3)
    # eta_hat < 0 with X_p < X_n makes Y_np negative: the X_n, X_p fallback
    inconsistent = run(point, mu_n=-50.0, mu_p=-20.0).kappa_a
    reference = run(point, LeakageParams(blocking_density=1e15), mu_n=-50.0, mu_p=-20.0).kappa_a
    np.testing.assert_array_equal(inconsistent, reference)


def test_zero_optical_depth_gives_free_rates_exactly():
    for point in POINTS.values():
        result = run(point, tau=np.zeros((3, 2)))
        np.testing.assert_array_equal(result.r_eff, result.r_free)
        np.testing.assert_array_equal(result.q_eff, result.q_free)
        np.testing.assert_array_equal(result.t_diff, 0.0)


@pytest.mark.parametrize("scheme", ["ruffert", "minimum"])
def test_large_optical_depth_diffusion_limit(scheme):
    """tau -> large: R_eff -> n_nu / t_diff,0 and Q_eff -> e_nu / t_diff,1
    with t_diff = D tau^2 / (c kappa_total)."""
    point = POINTS["pns"]
    params = LeakageParams(scheme=scheme, diffusion_constant=3.0)
    tau = np.array([[1e5, 2e5], [8e4, 1.5e5], [5e4, 9e4]])
    result = run(point, params, tau=tau)
    t_diff = 3.0 * tau**2 / (C_CM_S * result.kappa_total)
    np.testing.assert_allclose(result.t_diff, t_diff, rtol=1e-14)
    np.testing.assert_allclose(result.r_eff, result.n_nu / t_diff[:, 0], rtol=1e-6)
    np.testing.assert_allclose(result.q_eff, result.e_nu / t_diff[:, 1], rtol=1e-6)


def test_diffusion_time_is_in_seconds():
    """t_diff = D tau^2 / (c kappa): in a PNS cell at tau ~ 1000 it is
    milliseconds, and it would be 3e10 times larger without c."""
    point = POINTS["pns"]
    tau = np.full((3, 2), 1000.0)
    result = run(point, tau=tau)
    np.testing.assert_allclose(result.t_diff, 3.0 * tau**2 / (C_CM_S * result.kappa_total), rtol=1e-14)
    assert np.all((result.t_diff > 1e-4) & (result.t_diff < 1.0))
    tau100 = run(point, tau=np.full((3, 2), 100.0)).t_diff
    np.testing.assert_allclose(result.t_diff / tau100, 100.0, rtol=1e-12)  # tau^2 at fixed eta_nu (tau >> 1)


def test_deleptonisation_out_of_equilibrium():
    """Hot neutron-rich matter with eta^ceq > 0 (mu_e + mu_p - mu_n = 35.5
    MeV) loses lepton number: dYe/dt < 0 and nu_e dominate."""
    result = run(POINTS["rho1e12"])
    assert result.dye_dt < 0.0
    assert result.r_eff[0] > 10.0 * result.r_eff[1]
    assert result.energy_loss_rate > 0.0


def test_beta_equilibrium_with_trapped_neutrinos_has_small_dye_dt():
    """mu_e + mu_p - mu_n = 0 and large tau: the net lepton loss is a tiny
    fraction of the free capture rate."""
    point = dict(POINTS["pns"], mu_e=120.0)  # 120 - 80 - 40 = 0
    result = run(point, tau=np.full((3, 2), 3000.0))
    n_b = AVOGADRO_NUMBER * point["rho"]
    assert abs(result.dye_dt) * n_b < 1e-6 * result.r_free[0]
    np.testing.assert_allclose(result.eta_nu, 0.0, atol=1e-14)


def test_bremsstrahlung_scales_with_density_squared():
    only = LeakageParams(electron_capture=False, positron_capture=False, pair_annihilation=False,
                         plasmon_decay=False)
    point = POINTS["pns"]
    single = run(point, only)
    double = run(point, only, rho=2.0 * point["rho"])
    np.testing.assert_allclose(double.q_free, 4.0 * single.q_free, rtol=1e-14)
    np.testing.assert_allclose(double.r_free, 4.0 * single.r_free, rtol=1e-14)
    np.testing.assert_allclose(single.q_free / single.r_free, 2.4 / 1.1 * point["temp"] * MEV, rtol=1e-14)
    np.testing.assert_allclose(single.q_free[2], 4.0 * single.q_free[0], rtol=1e-14)


SWITCHES = ("electron_capture", "positron_capture", "pair_annihilation", "plasmon_decay", "bremsstrahlung")


@pytest.mark.parametrize("name", ["rho1e12", "nuclei"])
def test_each_switch_removes_exactly_its_contribution(name):
    point = POINTS[name]
    all_on = run(point)
    none = run(point, LeakageParams(**{s: False for s in SWITCHES}))
    np.testing.assert_array_equal(none.r_free, 0.0)
    total_r, total_q = np.zeros(3), np.zeros(3)
    for switch in SWITCHES:
        alone = run(point, LeakageParams(**{s: s == switch for s in SWITCHES}))
        without = run(point, LeakageParams(**{switch: False}))
        assert np.any(alone.r_free > 0.0), switch
        np.testing.assert_allclose(without.r_free + alone.r_free, all_on.r_free, rtol=1e-13, err_msg=switch)
        np.testing.assert_allclose(without.q_free + alone.q_free, all_on.q_free, rtol=1e-13, err_msg=switch)
        total_r += alone.r_free
        total_q += alone.q_free
    np.testing.assert_allclose(total_r, all_on.r_free, rtol=1e-13)
    np.testing.assert_allclose(total_q, all_on.q_free, rtol=1e-13)
    # capture processes touch only their species
    ec = run(point, LeakageParams(**{s: s == "electron_capture" for s in SWITCHES}))
    assert ec.r_free[0] > 0.0 and ec.r_free[1] == 0.0 and ec.r_free[2] == 0.0


def test_coherent_scattering_switch_and_formula():
    point = POINTS["nuclei"]
    on = run(point)
    off = run(point, LeakageParams(coherent_scattering=False))
    no_nuclei = run(point, xh=None)
    np.testing.assert_array_equal(off.kappa_s, no_nuclei.kappa_s)
    np.testing.assert_array_equal(on.kappa_a, off.kappa_a)
    sin2 = (C_VECTOR - 0.5) / 2
    z_a = point["zbar"] / point["abar"]
    weight = point["xh"] * point["abar"] * (1 - z_a + (4 * sin2 - 1) * z_a) ** 2 / 24
    t, rho = point["temp"], point["rho"]
    eta_x = fermi_quad(2, 0.0), fermi_quad(4, 0.0)
    expected = weight * SIGMA_0 * AVOGADRO_NUMBER * rho * (t / ME) ** 2 * eta_x[1] / eta_x[0]
    np.testing.assert_allclose(on.kappa_s[2, 0] - off.kappa_s[2, 0], expected, rtol=1e-12)
    with pytest.raises(ValueError, match="abar"):
        run(point, abar=None)


def test_species_weights_and_own_loss_times():
    result = run(POINTS["nuclei"])
    t = POINTS["nuclei"]["temp"]
    f2_zero = 1.5 * 1.2020569031595942854  # F_2(0) = (3/4) 2! zeta(3)
    np.testing.assert_allclose(result.n_nu[2], 4.0 * 4 * math.pi / HC**3 * t**3 * f2_zero, rtol=1e-14)
    np.testing.assert_allclose(result.t_loss[:, 0], result.n_nu / result.r_free, rtol=1e-15)
    np.testing.assert_allclose(result.t_loss[:, 1], result.e_nu / result.q_free, rtol=1e-15)
    assert len(set(result.t_loss[:, 0].tolist())) == 3
    np.testing.assert_allclose(result.mean_energy, result.q_eff / result.r_eff / MEV, rtol=1e-14)
    np.testing.assert_allclose(result.dye_dt, (result.r_eff[1] - result.r_eff[0]) / (AVOGADRO_NUMBER * 3e13),
                               rtol=1e-14)
    np.testing.assert_allclose(result.energy_loss_rate, result.q_eff.sum(), rtol=1e-14)


def test_arrays_shapes_opacities_and_out():
    """Array inputs of shape (2, 3) give the cell-by-cell scalar results;
    opacities() equals the kappa of leakage_sources; out= reuses buffers."""
    names = sorted(POINTS)[:3]
    keys = ("rho", "temp", "ye", "mu_e", "mu_n", "mu_p", "xn", "xp")
    cells = [POINTS[n] for n in names] * 2
    arrays = {k: np.array([c[k] for c in cells]).reshape(2, 3) for k in keys}
    tau = np.moveaxis(np.array([c["tau"] for c in cells]), 0, -1).reshape(3, 2, 2, 3)
    result = leakage_sources(**arrays, tau=tau)
    assert result.kappa_total.shape == (3, 2, 2, 3) and result.r_eff.shape == (3, 2, 3)
    assert result.dye_dt.shape == (2, 3)
    for i, c in enumerate(cells):
        single = run(c, xh=None)
        np.testing.assert_array_equal(result.r_eff.reshape(3, 6)[:, i], single.r_eff)
        np.testing.assert_array_equal(result.dye_dt.reshape(6)[i], single.dye_dt)
    kappa = opacities(**arrays, tau=tau)
    np.testing.assert_array_equal(kappa.kappa_total, result.kappa_total)
    np.testing.assert_array_equal(kappa.kappa_s, result.kappa_s)
    buffers = LeakageResult(**{f: np.full_like(getattr(result, f), np.nan) for f in LeakageResult.__dataclass_fields__})
    again = leakage_sources(**arrays, tau=tau, out=buffers)
    assert again is buffers
    np.testing.assert_array_equal(again.q_eff, result.q_eff)
    with pytest.raises(ValueError, match="out.kappa_s"):
        leakage_sources(**arrays, tau=tau, out=run(POINTS["pns"]))
    with pytest.raises(ValueError, match="tau"):
        leakage_sources(**arrays, tau=np.zeros((3, 2 * 2 * 3)))


def random_cells(count, seed):
    """Cells spanning the regimes the kernels branch on: rho 1e6-3e14,
    T 0.5-40 MeV, degenerate and not, nuclei and not, tau 0 (every 5th
    cell) to 1e3 (both schemes' limits)."""
    rng = np.random.default_rng(seed)
    cells = dict(rho=10 ** rng.uniform(6.0, 14.5, count), temp=rng.uniform(0.5, 40.0, count),
                 ye=rng.uniform(0.05, 0.5, count), mu_e=rng.uniform(0.5, 200.0, count),
                 mu_n=rng.uniform(-20.0, 80.0, count), mu_p=rng.uniform(-60.0, 20.0, count),
                 xn=rng.uniform(0.0, 1.0, count), xp=rng.uniform(0.0, 1.0, count), xh=rng.uniform(0.0, 1.0, count),
                 abar=rng.uniform(1.0, 200.0, count))
    cells["zbar"] = cells["abar"] * rng.uniform(0.2, 0.5, count)
    tau = 10 ** rng.uniform(-3.0, 3.0, (3, 2, count))
    tau[..., ::5] = 0.0
    return cells, tau


@pytest.mark.parametrize("params", [LeakageParams(), LeakageParams(scheme="minimum", fermi_method="teh"),
                                    LeakageParams(pair_annihilation=False, electron_capture=False, eta0=0.5)])
def test_source_terms_are_bitwise_the_full_kernels(params):
    """leakage_source_terms (the evolution's lean kernel) gives exactly the
    full kernel's r_eff, q_eff, dye_dt, energy_loss_rate and eta_nu[0], and
    transport_opacities (the optical depths' lean kernel) its kappa_total,
    with nuclei (Z/A from Zbar or from Ye) and without."""
    cells, tau = random_cells(4000, 7)
    full = leakage_sources(**cells, tau=tau, params=params)
    lean = leakage_source_terms(**cells, tau=tau, params=params)
    for name in ("r_eff", "q_eff", "dye_dt", "energy_loss_rate"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(full, name), err_msg=name)
    np.testing.assert_array_equal(lean.eta_nue, full.eta_nu[0])
    np.testing.assert_array_equal(transport_opacities(**cells, tau=tau, params=params).kappa_total, full.kappa_total)
    for nuclei in ({"zbar": None}, {"xh": None, "abar": None, "zbar": None}):
        full = leakage_sources(**{**cells, **nuclei}, tau=tau, params=params)
        np.testing.assert_array_equal(transport_opacities(**{**cells, **nuclei}, tau=tau, params=params).kappa_total,
                                      full.kappa_total)
        np.testing.assert_array_equal(leakage_source_terms(**{**cells, **nuclei}, tau=tau, params=params).q_eff,
                                      full.q_eff)
    assert np.all(full.q_eff.sum(axis=0) > 0.0) and np.ptp(full.dye_dt) > 0.0  # not trivially zero
    buffers = SourceTerms(*(np.full_like(a, np.nan) for a in lean))
    assert leakage_source_terms(**cells, tau=tau, params=params, out=buffers) is buffers
    np.testing.assert_array_equal(buffers.q_eff, lean.q_eff)
    with pytest.raises(ValueError, match="out.r_eff"):
        leakage_source_terms(**cells, tau=tau, out=SourceTerms(*(a[..., :-1] for a in lean)))


def test_dense_cells_take_scatter_and_denser():
    rho = np.array([[1e7, 1e9, 1e8], [1e10, 5e7, 1e8]])
    dense = DenseCells.of(rho, 1e8)
    assert dense.count == 4 and list(dense.index) == [1, 2, 3, 5]
    values = np.arange(36.0).reshape(2, 3, 2, 3)
    taken = dense.take(values)
    assert taken.shape == (2, 3, 4) and taken.flags.c_contiguous
    np.testing.assert_array_equal(taken[1, 2], [values[1, 2, 0, 1], values[1, 2, 0, 2], values[1, 2, 1, 0],
                                                values[1, 2, 1, 2]])
    out = np.full((2, 3, 2, 3), np.nan)
    dense.scatter(taken, out)
    np.testing.assert_array_equal(out, np.where(rho >= 1e8, values, 0.0))
    denser, positions = dense.denser(dense.take(rho), 1e9)
    assert list(positions) == [0, 2] and list(denser.index) == [1, 3]
    assert dense.denser(dense.take(rho), 0.0) == (dense, None)
    assert DenseCells.of(rho, 1e11).count == 0 and DenseCells.of(rho, 1e11).take(values).shape == (2, 3, 0)


def test_dense_cells_add_to_strided_blocks():
    """add_to adds each row of values at the cells of each block, also on
    strided views (the interiors of ghosted fields), and nowhere else."""
    rng = np.random.default_rng(3)
    ghosted = rng.random((2, 6, 7, 8))
    before = ghosted.copy()
    interior = (slice(1, 5), slice(2, 6), slice(2, 7))  # shape (4, 4, 5)
    dense = DenseCells(np.array([0, 7, 19, 40, 79]), (4, 4, 5))
    values = rng.random((2, 5))
    dense.add_to((ghosted[0][interior], ghosted[1][interior]), values)
    expected = before.copy()
    for b in range(2):
        flat = expected[b][interior].reshape(-1)  # a copy: write back below
        flat[dense.index] += values[b]
        expected[b][interior] = flat.reshape(4, 4, 5)
    np.testing.assert_array_equal(ghosted, expected)
    with pytest.raises(ValueError, match="do not match"):
        dense.add_to((ghosted[0][interior],), values)


def test_teh_fermi_method_is_close():
    for point in POINTS.values():
        accurate = run(point)
        teh = run(point, LeakageParams(fermi_method="teh"))
        np.testing.assert_allclose(teh.kappa_total, accurate.kappa_total, rtol=2e-2)
        np.testing.assert_allclose(teh.q_free, accurate.q_free, rtol=5e-2)


@pytest.mark.parametrize("energy_over_t, eta_nue, eta_anue", [
    (3.7, 2.5, -2.5), (0.4, -30.0, 12.0), (15.0, 40.0, -40.0),
    (100.0, 750.0, -3.0), (760.0, 20.0, -20.0), (800.0, 790.0, 5.0),  # exp(eta) or exp(-E/T) alone would overflow / underflow
])
def test_pair_blocking_hand_values(energy_over_t, eta_nue, eta_anue):
    """The pair-process blocking: 1 / (1 + exp(eta_nu - E/T)) for the
    neutrino and for the antineutrino (eta_nux = 0 for both of a nu_x
    pair), computed here with math.exp; also where exp(eta_nu) or exp(-E/T)
    alone would overflow or underflow."""
    from parleak.microphysics.rates import heavy_pair_blocking, pair_blocking

    def hand(eta):
        exponent = eta - energy_over_t
        return 1.0 / (1.0 + math.exp(exponent)) if exponent < 709.0 else 0.0
    block_e = pair_blocking(energy_over_t, eta_nue, eta_anue)
    assert block_e > 0.0
    assert block_e == pytest.approx(hand(eta_nue) * hand(eta_anue), rel=1e-15, abs=0.0)
    assert heavy_pair_blocking(energy_over_t) == pytest.approx(hand(0.0) ** 2, rel=1e-15, abs=0.0)


class FakeEOS:
    """An EOS object with the TabulatedEOS lookup interface and fixed values."""

    has_nuclei = True
    values = dict(mu_e=85.0, mu_n=5.0, mu_p=-30.0, Xn=0.5, Xp=0.05, Xh=0.3, Abar=80.0, Zbar=28.0)

    def __init__(self):
        self.calls = []

    def lookup(self, rho, temp, ye, *names):
        self.calls.append(names)
        shape = np.broadcast(rho, temp, ye).shape
        return tuple(np.full(shape, self.values[name]) for name in names)


def test_from_eos_matches_direct_call():
    eos = FakeEOS()
    point = POINTS["nuclei"]
    rho, temp, ye = np.full(4, point["rho"]), np.full(4, point["temp"]), np.full(4, point["ye"])
    tau = np.broadcast_to(np.array(point["tau"])[:, :, None], (3, 2, 4))
    result = leakage_sources_from_eos(eos, rho, temp, ye, tau)
    assert eos.calls == [("mu_e", "mu_n", "mu_p", "Xn", "Xp", "Xh", "Abar", "Zbar")]
    direct = run(point)
    for field in ("kappa_total", "r_eff", "q_eff", "dye_dt", "energy_loss_rate"):
        np.testing.assert_array_equal(getattr(result, field)[..., 2], getattr(direct, field))


def test_an_eos_without_nuclei_skips_their_lookup():
    """Where eos.has_nuclei is False only the first five quantities are
    looked up and coherent scattering is off; with Xh = 0 from the table
    the opacities and sources are the same, bit for bit (the built-in EOS
    table has no nuclei)."""
    from parleak.eos.table import TabulatedEOS
    from parleak.eos.table_writer import builtin_table_path
    eos = TabulatedEOS(builtin_table_path())
    assert not eos.has_nuclei
    rho, temp, ye = np.array([1e11, 3e13, 2e14]), np.array([2.0, 8.0, 20.0]), np.array([0.35, 0.25, 0.1])
    tau = np.full((3, 2, 3), 2.0)
    looked_up = lookup_eos_quantities(eos, rho, temp, ye)
    assert looked_up[5:] == (None, None, None)
    full = eos.lookup(rho, temp, ye, "mu_e", "mu_n", "mu_p", "Xn", "Xp", "Xh", "Abar", "Zbar")
    assert np.all(full[5] == 0.0)
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = full
    with_zero_nuclei = leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar)
    without = leakage_sources_from_eos(eos, rho, temp, ye, tau)
    for field in ("kappa_total", "r_eff", "q_eff", "dye_dt", "energy_loss_rate"):
        np.testing.assert_array_equal(getattr(without, field), getattr(with_zero_nuclei, field))


@pytest.mark.parametrize("bad, word", [
    (dict(fermi_method="exact"), "fermi_method"), (dict(scheme="rosswog"), "scheme"),
    (dict(mean_scattering_cosine=1.0), "mean_scattering_cosine"), (dict(diffusion_constant=0.0), "diffusion_constant"),
    (dict(eta0=math.nan), "eta0"), (dict(blocking_density=-1.0), "blocking_density"),
    (dict(brems_zeta=-0.5), "brems_zeta"), (dict(plasmon_decay="yes"), "plasmon_decay"),
])
def test_params_validation(bad, word):
    with pytest.raises(ValueError, match=word):
        LeakageParams(**bad)
