"""The built-in nuclear EOS: Fermi-Dirac integrals against adaptive
quadrature and closed forms, the gas limits, thermodynamic consistency from
the free energy, the nuclear mean field, and the stellarcollapse.org table."""

import math
import threading

import h5py
import numpy as np
import pytest
from scipy import integrate, special

from parleak.constants import (ATOMIC_MASS_UNIT, ATOMIC_MASS_UNIT_MEV, ELECTRON_MASS_MEV, HC_MEV_CM, MEV,
                               NEUTRON_MASS_MEV, PROTON_MASS_MEV)
from parleak.eos import builtin, table_writer
from parleak.eos.fermi_gas import fermi_integral, fermion_thermo

HBARC = HC_MEV_CM / (2.0 * math.pi)  # MeV cm


def reference_fermi_integral(k, eta, beta):
    """F_k(eta, beta) by adaptive quadrature, split around the Fermi energy."""
    def integrand(x):
        y = x - eta
        return x**k * math.sqrt(1.0 + 0.5 * beta * x) * (math.exp(-y) / (1.0 + math.exp(-y)) if y > 0 else 1.0 / (1.0 + math.exp(y)))
    edges = sorted({0.0, *(p for p in (eta - 30.0, eta - 5.0, eta, eta + 5.0, eta + 30.0) if p > 0.0), max(eta, 0.0) + 80.0})
    return sum(integrate.quad(integrand, a, b, epsabs=0.0, epsrel=1e-13, limit=200)[0] for a, b in zip(edges, edges[1:]))


@pytest.mark.parametrize("k", [-0.5, 0.5, 1.5, 2.5])
def test_fermi_integral_matches_adaptive_quadrature(k):
    for eta in (-60.0, -3.0, 0.0, 0.7, 12.0, 45.0, 900.0, 3e4):
        for beta in (0.0, 0.02, 1.0, 300.0):
            assert fermi_integral(k, eta, beta) == pytest.approx(reference_fermi_integral(k, eta, beta), rel=1e-10)


def test_fermi_integral_closed_forms():
    eta = np.array([-700.0, -40.0, -2.0, 0.0, 3.0, 41.0, 1e3, 1e5])
    # F_0(eta) = ln(1 + exp(eta)) at any degeneracy.
    np.testing.assert_allclose(fermi_integral(0.0, eta), np.logaddexp(0.0, eta), rtol=1e-13, atol=0.0)
    # F_k(eta) = Gamma(k + 1) sum_j (-1)^(j+1) exp(j eta) / j^(k+1) for eta < 0.
    for k in (0.5, 1.5, 2.5):
        for e in (-0.5, -3.0, -20.0):
            series = math.gamma(k + 1.0) * sum((-1) ** (j + 1) * math.exp(j * e) / j ** (k + 1.0) for j in range(1, 400))
            assert fermi_integral(k, e) == pytest.approx(series, rel=1e-13)


def test_electron_gas_nondegenerate_limit():
    """Classical (Juettner) gas: P = n T, energy per electron m K1/K2 + 3 T."""
    for n, temp in ((1e18, 0.01), (1e14, 0.01), (1e19, 0.012)):  # positrons, degeneracy < 1e-9
        mu_kin, press, energy, entropy = fermion_thermo(n, temp, ELECTRON_MASS_MEV, True)[:4]
        z = ELECTRON_MASS_MEV / temp
        assert press == pytest.approx(n * temp, rel=1e-8)
        assert energy / n == pytest.approx(ELECTRON_MASS_MEV * special.kve(1, z) / special.kve(2, z) + 3.0 * temp, rel=1e-9)
        # mu from n = (1 / pi^2) exp(mu / T) m^2 T K2(m / T) / (hbar c)^3 (g = 2).
        mu = temp * math.log(n * math.pi**2 * HBARC**3 / (ELECTRON_MASS_MEV**2 * temp * special.kve(2, z))) + ELECTRON_MASS_MEV
        assert mu_kin + ELECTRON_MASS_MEV == pytest.approx(mu, abs=1e-9 * temp)
        assert entropy == pytest.approx((energy + press - (mu_kin + ELECTRON_MASS_MEV) * n) / temp, rel=1e-11)


@pytest.mark.parametrize("n, temp", [(1e37, 1e-3), (1e30, 1e-5), (1e34, 0.01)])
def test_electron_gas_degenerate_limit(n, temp):
    """T -> 0: the exact relativistic Fermi gas (x = p_F / (m c)) plus the
    Sommerfeld terms in T^2, with the density of states at the Fermi
    surface g = 8 pi p_F E_F / (h c)^3: E = E_0 + pi^2 g T^2 / 6, mu = mu_0 -
    pi^2 T^2 (dg/dn) / 6, P = P_0 + pi^2 T^2 (g - n dg/dn) / 6 (positrons
    and O(T^4) terms below 1e-10)."""
    m = ELECTRON_MASS_MEV
    p_fermi = HC_MEV_CM * (3.0 * n / (8.0 * math.pi)) ** (1.0 / 3.0)
    e_fermi = math.hypot(p_fermi, m)
    x = p_fermi / m
    scale = m**4 / (8.0 * math.pi**2 * HBARC**3)  # MeV cm^-3
    press = scale * (x * (2.0 * x * x / 3.0 - 1.0) * math.sqrt(1.0 + x * x) + math.asinh(x))
    energy = scale * (x * (2.0 * x * x + 1.0) * math.sqrt(1.0 + x * x) - math.asinh(x))  # with rest mass
    g = 8.0 * math.pi * p_fermi * e_fermi / HC_MEV_CM**3
    dg_dn = (e_fermi + p_fermi**2 / e_fermi) / p_fermi**2
    sommerfeld = math.pi**2 * temp**2 / 6.0
    mu_kin, p, e = fermion_thermo(n, temp, m, True)[:3]
    assert p == pytest.approx(press, rel=1e-5)
    assert p == pytest.approx(press + sommerfeld * (g - n * dg_dn), rel=1e-10)
    assert e == pytest.approx(energy + sommerfeld * g, rel=1e-10)
    assert mu_kin + m == pytest.approx(e_fermi - sommerfeld * dg_dn, rel=1e-10)


def test_pair_plasma_at_zero_chemical_potential():
    """mu_e = 0: e-e+ is 7/4 of the photon gas, with the mass correction of
    the high-temperature expansion, P = 7 pi^2 T^4 / 180 - m^2 T^2 / 12 + O(m^4)."""
    m, temp = ELECTRON_MASS_MEV, 100.0
    mu_kin, press, energy, entropy = fermion_thermo(1.0, temp, m, True)[:4]
    radiation = builtin.RADIATION_MEV * temp**4 / 3.0
    assert press == pytest.approx(7.0 / 4.0 * radiation, rel=1e-4)
    assert press == pytest.approx(7.0 / 4.0 * radiation - m * m * temp * temp / (12.0 * HBARC**3), rel=1e-9)
    assert entropy == pytest.approx(7.0 / 4.0 * 4.0 * radiation / temp - m * m * temp / (6.0 * HBARC**3), rel=1e-9)
    assert energy == pytest.approx(7.0 / 4.0 * 3.0 * radiation - m * m * temp * temp / (12.0 * HBARC**3), rel=1e-9)
    assert abs(mu_kin + m) < 1e-30 * temp


@pytest.mark.parametrize("mass", [NEUTRON_MASS_MEV, PROTON_MASS_MEV])
def test_nucleon_boltzmann_limit(mass):
    """Classical gas with the first quantum correction (F_1/2 series), in
    y = n / (2 n_Q): eta = ln y + y / 2^(3/2), P = n T (1 + y / 2^(5/2)),
    e_kin = 3 P / 2, s = n (5/2 P / (n T) - eta); the next terms are O(y^2)."""
    for n, temp in ((1e20, 1.0), (1e26, 0.01), (1e30, 0.5), (1e33, 30.0)):
        mu_kin, press, energy, entropy = fermion_thermo(n, temp, mass, False)[:4]
        y = n / (2.0 * (mass * temp / (2.0 * math.pi * HBARC**2)) ** 1.5)
        assert y < 1e-4
        eta = math.log(y) + y / 2.0**1.5
        assert mu_kin == pytest.approx(temp * eta, abs=1e-12 * temp)
        assert press == pytest.approx(n * temp * (1.0 + y / 2.0**2.5), rel=1e-12)
        assert energy - n * mass == pytest.approx(1.5 * press, rel=1e-10)
        assert entropy == pytest.approx(n * (2.5 * press / (n * temp) - eta), rel=1e-12)


# Points across the regimes: non-degenerate, pair plasma, degenerate
# electrons and nucleons, above nuclear density, neutron-rich and not.
POINTS = np.array([(1e3, 0.01, 0.5), (1e6, 0.05, 0.3), (1e8, 0.5, 0.5), (1e10, 1.0, 0.4), (1e11, 0.02, 0.05),
                   (1e12, 0.3, 0.45), (1e13, 3.0, 0.3), (1e14, 10.0, 0.3), (3e14, 0.01, 0.3), (3e14, 10.0, 0.3),
                   (1e15, 100.0, 0.1), (1e9, 20.0, 0.2), (1e3, 158.0, 0.01), (3e15, 1.0, 0.6)])


def derivative(function, x, h):
    """Richardson-extrapolated central difference d function / dx (h: step)."""
    def central(step):
        return (function(x + step) - function(x - step)) / (2.0 * step)
    return (4.0 * central(0.5 * h) - central(h)) / 3.0


ROUND_OFF = 1e-14  # relative error of a function value, bounding the quadrature error
# A round-off e in f gives c(s) = (f(x + s) - f(x - s)) / (2 s) an error
# up to e / s, so (4 c(h/2) - c(h)) / 3 one up to (4 * 2 + 1) / 3 e / h.
RICHARDSON_ROUND_OFF = 3.0 * ROUND_OFF


def test_thermodynamic_consistency():
    """Difference quotients (noise: RICHARDSON_ROUND_OFF |f| / step) of the
    free energy and other outputs against the analytic values, to 1e-7
    relative."""
    rho, temp, ye = POINTS.T
    t = builtin.thermo(rho, temp, ye)
    h = 2e-3

    def along_rho(name):
        """(d name / d rho at fixed T, Ye by differences in ln rho, its noise)"""
        fd = derivative(lambda lr: getattr(builtin.thermo(np.exp(lr), temp, ye), name), np.log(rho), h)
        return fd / rho, RICHARDSON_ROUND_OFF * np.abs(getattr(t, name)) / (h * rho)

    def along_temp(name):
        """(d name / d T at fixed rho, Ye by differences in ln T, its noise)"""
        fd = derivative(lambda lt: getattr(builtin.thermo(rho, np.exp(lt), ye), name), np.log(temp), h)
        return fd / temp, RICHARDSON_ROUND_OFF * np.abs(getattr(t, name)) / (h * temp)

    def check(value, fd, noise, scale=None):
        """|fd - value| within 1e-7 of `scale` (default |value|: the size
        of the terms where value is a sum that cancels) plus the noise."""
        assert np.all(np.abs(fd - value) <= 1e-7 * (np.abs(value) if scale is None else scale) + noise)

    # P = n_B^2 dF/dn_B, S = -dF/dT (F per baryon in MeV, S per baryon in k_B).
    n_b = rho / ATOMIC_MASS_UNIT
    f_rho, f_rho_noise = along_rho("free_energy")
    check(t.press, MEV * n_b**2 * ATOMIC_MASS_UNIT * f_rho, MEV * n_b**2 * ATOMIC_MASS_UNIT * f_rho_noise)
    f_t, f_t_noise = along_temp("free_energy")
    check(t.entropy, -f_t, f_t_noise)
    # dF/dYe at fixed n_B, T = mu_e + mu_p - mu_n = munu (where photons do not dominate F).
    matter = np.abs(t.free_energy) < 1e4
    assert matter.sum() == len(POINTS) - 2
    step = 1e-3 * np.minimum(ye, 1.0 - ye)
    munu = derivative(lambda y: builtin.thermo(rho, temp, y).free_energy, ye, step)
    check(t.munu[matter], munu[matter], (RICHARDSON_ROUND_OFF * np.abs(t.free_energy) / step)[matter])
    # First law at fixed Ye: d eps = T ds + P / rho^2 d rho (s per mass = S / m_u).
    heat = temp * MEV / ATOMIC_MASS_UNIT
    (eps_t, eps_t_noise), (eps_rho, eps_rho_noise) = along_temp("eps"), along_rho("eps")
    (s_t, s_t_noise), (s_rho, s_rho_noise) = along_temp("entropy"), along_rho("entropy")
    check(eps_t, heat * s_t, heat * s_t_noise + eps_t_noise)
    check(eps_rho, heat * s_rho + t.press / rho**2, heat * s_rho_noise + eps_rho_noise,
          scale=np.abs(heat * s_rho) + np.abs(t.press / rho**2))  # nearly 0 where the gas is near ideal
    # The analytic derivatives against difference quotients.
    (p_t, p_t_noise), (p_rho, p_rho_noise) = along_temp("press"), along_rho("press")
    check(t.dedt, eps_t, eps_t_noise)
    check(t.dpderho, p_t / eps_t, np.abs(p_t / eps_t) * (p_t_noise / np.abs(p_t) + eps_t_noise / np.abs(eps_t)))
    correction = p_t * eps_rho / eps_t
    noise = p_t_noise / np.abs(p_t) + eps_t_noise / np.abs(eps_t) + eps_rho_noise / np.abs(eps_rho)
    check(t.dpdrhoe, p_rho - correction, p_rho_noise + np.abs(correction) * noise)
    correction = p_t * s_rho / s_t  # cs2 = dP/drho at fixed entropy
    noise = p_t_noise / np.abs(p_t) + s_t_noise / np.abs(s_t) + s_rho_noise / np.abs(s_rho)
    check(t.cs2, p_rho - correction, p_rho_noise + np.abs(correction) * noise)
    np.testing.assert_allclose(t.gamma, rho * t.cs2 / t.press, rtol=1e-14)
    np.testing.assert_array_equal(t.munu, t.mu_e - t.muhat)
    np.testing.assert_array_equal(t.muhat, t.mu_n - t.mu_p)


def test_energy_zero_point():
    """eps = (energy density of all components, with the rest energies
    m_n c^2, m_p c^2 and m_e c^2 of every lepton, - n_B m_u c^2) / rho."""
    rho, temp, ye = 1e3, 0.01, 0.5
    n_b = rho / ATOMIC_MASS_UNIT
    energy = (fermion_thermo(ye * n_b, temp, ELECTRON_MASS_MEV, True)[2] + fermion_thermo((1.0 - ye) * n_b, temp, NEUTRON_MASS_MEV, False)[2]
              + fermion_thermo(ye * n_b, temp, PROTON_MASS_MEV, False)[2] + builtin.RADIATION_MEV * temp**4)
    eps = builtin.thermo(rho, temp, ye).eps
    assert eps == pytest.approx((energy / n_b - ATOMIC_MASS_UNIT_MEV) * MEV / ATOMIC_MASS_UNIT + builtin.mean_field(rho, ye)[0] * MEV / ATOMIC_MASS_UNIT, rel=1e-14)
    # About (1 - ye) (m_n - m_u) + ye (m_p + m_e - m_u) + 3 T per baryon > 7.3 MeV.
    rest = (1.0 - ye) * (NEUTRON_MASS_MEV - ATOMIC_MASS_UNIT_MEV) + ye * (PROTON_MASS_MEV + ELECTRON_MASS_MEV - ATOMIC_MASS_UNIT_MEV)
    assert eps * ATOMIC_MASS_UNIT / MEV == pytest.approx(rest + 3.0 * temp, rel=1e-3)


def test_mean_field_derivatives():
    """P_pot = n_B^2 d(E_pot/A)/dn_B, its derivative and mu_i,pot =
    d(n_B E_pot/A)/dn_i (n_n = (1 - Ye) n_B, n_p = Ye n_B) against
    difference quotients, to 1e-8."""
    rho = np.array([1e11, 1e13, 1e14, 2.7e14, 6e14, 2e15])
    n_b = rho / ATOMIC_MASS_UNIT
    for ye in (0.05, 0.3, 0.5, 0.6):
        energy, press, dpress, mu_n, mu_p = builtin.mean_field(rho, ye)
        de = derivative(lambda lr: builtin.mean_field(np.exp(lr), ye)[0], np.log(rho), 1e-3) / n_b
        np.testing.assert_allclose(press, n_b**2 * de, rtol=1e-8)
        dp = derivative(lambda lr: builtin.mean_field(np.exp(lr), ye)[1], np.log(rho), 1e-3) / n_b
        np.testing.assert_allclose(dpress, dp, rtol=1e-8)

        def density_energy(n_n, n_p):
            return (n_n + n_p) * builtin.mean_field((n_n + n_p) * ATOMIC_MASS_UNIT, n_p / (n_n + n_p))[0]
        n_n, n_p = (1.0 - ye) * n_b, ye * n_b
        fd_n = derivative(lambda ln: density_energy(np.exp(ln), n_p), np.log(n_n), 1e-3) / n_n
        fd_p = derivative(lambda lp: density_energy(n_n, np.exp(lp)), np.log(n_p), 1e-3) / n_p
        np.testing.assert_allclose(mu_n, fd_n, rtol=1e-8, atol=1e-9 * np.abs(energy).max())
        np.testing.assert_allclose(mu_p, fd_p, rtol=1e-8, atol=1e-9 * np.abs(energy).max())


def nucleon_energy_per_baryon(n_b, ye, temp=0.01):
    """E/A [MeV] of the nucleons (kinetic Fermi gases of the built-in EOS
    plus the mean field) without their rest energies, at n_b [cm^-3]."""
    kinetic = (fermion_thermo((1.0 - ye) * n_b, temp, NEUTRON_MASS_MEV, False)[2] - (1.0 - ye) * n_b * NEUTRON_MASS_MEV
               + fermion_thermo(ye * n_b, temp, PROTON_MASS_MEV, False)[2] - ye * n_b * PROTON_MASS_MEV)
    return kinetic / n_b + builtin.mean_field(n_b * ATOMIC_MASS_UNIT, ye)[0]


def test_nuclear_saturation():
    """Cold symmetric nucleon matter (T = 0.01 MeV: thermal energy ~1e-5 MeV)
    saturates at n_0 = 0.16 fm^-3 with E/A = -16 MeV and K = 240 MeV, and
    its symmetry energy (1/2) d^2(E/A)/d delta^2 at n_0 is J = 31 MeV."""
    n0 = builtin.SATURATION_DENSITY
    assert n0 == 0.16e39
    assert nucleon_energy_per_baryon(n0, 0.5) == pytest.approx(-16.0, abs=1e-3)
    h = 1e-3
    slope = derivative(lambda lu: nucleon_energy_per_baryon(n0 * np.exp(lu), 0.5), 0.0, h)  # u dE/du at u = 1
    assert abs(slope) < 1e-3  # P = n0 slope = 0: the minimum
    curvature = (nucleon_energy_per_baryon(n0 * (1 + h), 0.5) + nucleon_energy_per_baryon(n0 * (1 - h), 0.5)
                 - 2.0 * nucleon_energy_per_baryon(n0, 0.5)) / h**2
    assert 9.0 * curvature == pytest.approx(240.0, abs=0.05)
    d = 0.01  # delta = 1 - 2 Ye
    symmetry = (nucleon_energy_per_baryon(n0, 0.5 - d / 2) + nucleon_energy_per_baryon(n0, 0.5 + d / 2)
                - 2.0 * nucleon_energy_per_baryon(n0, 0.5)) / (2.0 * d**2)
    assert symmetry == pytest.approx(31.0, abs=1e-3)


def test_soft_below_and_stiff_above_nuclear_density():
    """Gamma = dln P / dln rho (cold and hot, Ye of a collapsing core): at
    most 1.31 (below 4/3) from 1e12 to 6e13 g/cm^3 (the core keeps
    collapsing; it passes 4/3 at 0.8-1.1e14), at least 2.5 from 3e14 to
    6e14 (it bounces); P and the sound speed positive;
    the cold pressure at 3e14 g/cm^3 of order 1e34 dyn/cm^2 (LS220: 2e34)."""
    for temp in (0.1, 1.0, 5.0):
        for ye in (0.25, 0.3, 0.35):
            rho = np.geomspace(1e12, 6e14, 60)
            t = builtin.thermo(rho, temp, ye)
            assert np.all(t.press > 0.0) and np.all(t.cs2 > 0.0)
            gamma = np.gradient(np.log(t.press), np.log(rho))
            assert gamma[rho <= 6e13].max() < 1.31
            assert gamma[rho >= 3e14].min() > 2.5
    cold = builtin.thermo(3e14, 0.01, np.array([0.1, 0.3, 0.5])).press
    assert np.all((cold > 5e33) & (cold < 4e34))


SMALL_GRID = {"logrho_range": (4.0, 15.0), "logtemp_range": (-1.5, 2.0), "ye_range": (0.05, 0.55),
              "nrho": 7, "ntemp": 5, "nye": 4}


def test_table_round_trip(tmp_path):
    path = table_writer.build_table(tmp_path / "eos.h5", **SMALL_GRID)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eos.h5"]  # no temporary file left
    with h5py.File(path, "r") as f:
        assert f["pointsrho"][()].tolist() == [7] and f["pointstemp"][()].tolist() == [5] and f["pointsye"][()].tolist() == [4]
        assert f["pointsrho"].dtype.kind == "i"
        logrho, logtemp, ye = f["logrho"][()], f["logtemp"][()], f["ye"][()]
        np.testing.assert_array_equal(logrho, np.linspace(4.0, 15.0, 7))
        np.testing.assert_array_equal(logtemp, np.linspace(-1.5, 2.0, 5))
        np.testing.assert_array_equal(ye, np.linspace(0.05, 0.55, 4))
        shift = f["energy_shift"][()]
        assert shift.shape == (1,) and shift[0] >= 0.0
        table = {name: f[name][()] for name in ("logpress", "logenergy", "entropy", "munu", "cs2", "dedt", "dpdrhoe",
                                                "dpderho", "muhat", "mu_e", "mu_p", "mu_n", "Xa", "Xh", "Xn", "Xp",
                                                "Abar", "Zbar", "gamma")}
        assert f.attrs["symmetry_energy"] == builtin.SYMMETRY_ENERGY
    assert all(a.shape == (4, 5, 7) for a in table.values())
    # Exact values at the nodes, (ye, temp, rho) in C order; the nodes'
    # rho and T as the writer computes them, 10 ** array (numpy's SIMD
    # power on AVX-512 can differ from the scalar one in the last bit).
    rho_nodes, temp_nodes = 10.0 ** logrho, 10.0 ** logtemp
    for i, j, k in ((0, 0, 0), (3, 4, 6), (1, 2, 5), (2, 3, 1)):
        t = builtin.thermo(rho_nodes[k], temp_nodes[j], ye[i])
        assert table["logpress"][i, j, k] == np.log10(t.press)
        assert 10.0 ** table["logenergy"][i, j, k] - shift[0] == pytest.approx(t.eps, rel=1e-14)
        for name in ("entropy", "munu", "cs2", "dedt", "dpdrhoe", "dpderho", "muhat", "mu_e", "mu_p", "mu_n", "gamma"):
            assert table[name][i, j, k] == getattr(t, name)
        assert table["Xn"][i, j, k] == 1.0 - ye[i] and table["Xp"][i, j, k] == ye[i]
    assert np.all(10.0 ** table["logenergy"] - shift[0] > 0.0)
    np.testing.assert_array_equal(table["munu"], table["mu_e"] - table["muhat"])
    for name in ("Xa", "Xh", "Abar", "Zbar"):
        assert not table[name].any()


def test_cached_table(tmp_path, monkeypatch):
    monkeypatch.setattr(table_writer, "DEFAULT_GRID", SMALL_GRID)
    monkeypatch.setenv("PARLEAK_CACHE_DIR", str(tmp_path / "env"))
    paths = []
    threads = [threading.Thread(target=lambda: paths.append(table_writer.builtin_table_path())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(paths)) == 1 and paths[0].parent == tmp_path / "env"
    assert table_writer.model_hash() in paths[0].name
    stamp = paths[0].stat().st_mtime_ns
    assert table_writer.builtin_table_path() == paths[0] and paths[0].stat().st_mtime_ns == stamp  # not rebuilt
    with h5py.File(paths[0], "r") as f:
        assert f["logpress"].shape == (4, 5, 7)
    assert not list((tmp_path / "env").glob("*.tmp"))
    # An explicit directory wins; another model (grid) gets another file.
    monkeypatch.setattr(table_writer, "DEFAULT_GRID", SMALL_GRID | {"nrho": 6})
    other = table_writer.builtin_table_path(tmp_path / "mine")
    assert other.parent == tmp_path / "mine" and other.name != paths[0].name
