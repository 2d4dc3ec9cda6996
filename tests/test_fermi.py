"""Fermi-Dirac integrals F_k(eta), k = 0..5 (parleak.microphysics.fermi): the
accurate evaluation against adaptive quadrature and exact identities, the
Takahashi, El Eid & Hillebrandt (1978) fits against hand-computed
values and the accurate ones, the array wrapper, and the several-order
evaluations against the single-order ones (bit for bit)."""

import math

import numba
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import expit, spence, zeta

from parleak.microphysics.fermi import (ACCURATE, FERMI_METHODS, TEH, fermi, fermi_dirac, fermi_dirac_array,
                                    fermi_dirac_orders, fermi_dirac_orders_pm, fermi_dirac_teh,
                                    fermi_dirac_teh_orders, fermi_orders, fermi_orders_pm)

ORDERS = range(6)
# [-50, 200] with dense points near 0 and on both sides of the switches of
# both methods (-2, 0, 1e-3, 2).
EDGES = [s * 1e-12 + e for e in (-2.0, 0.0, 1e-3, 2.0) for s in (-1, 0, 1)]
ETA_GRID = np.unique(np.concatenate([np.linspace(-50.0, 200.0, 101), np.linspace(-3.0, 3.0, 61),
                                     np.linspace(-0.05, 0.05, 11), EDGES]))


def quadrature(k, eta):
    """F_k(eta) by adaptive quadrature, split at max(eta, 0), cut at +60."""
    def integrand(x):
        return x**k * expit(eta - x)
    split = max(eta, 0.0)
    options = dict(epsabs=0.0, epsrel=1e-13, limit=200)
    total = quad(integrand, split, split + 60.0, **options)[0]
    if split > 0.0:
        total += quad(integrand, 0.0, split, **options)[0]
    return total


def at_zero(k):
    return math.log(2.0) if k == 0 else (1.0 - 2.0**-k) * math.factorial(k) * zeta(k + 1)


@pytest.mark.parametrize("k", ORDERS)
def test_accurate_matches_quadrature(k):
    errors = [abs(fermi_dirac(k, eta) / quadrature(k, eta) - 1.0) for eta in ETA_GRID]
    assert max(errors) < 1e-13  # measured 1.1e-15


@pytest.mark.parametrize("k", ORDERS)
def test_value_at_zero(k):
    assert fermi_dirac(k, 0.0) == pytest.approx(at_zero(k), rel=1e-15, abs=0.0)


@pytest.mark.parametrize("k", range(1, 6))
def test_derivative_is_k_times_lower_order(k):
    # central differences, also straddling the piece boundaries -2 and 0
    for eta in (-30.0, -5.0, -2.0, -1.3, -1e-6, 0.0, 0.7, 2.0, 4.5, 30.0, 150.0):
        h = 1e-5 * max(1.0, abs(eta))
        slope = (fermi_dirac(k, eta + h) - fermi_dirac(k, eta - h)) / (2.0 * h)
        assert slope == pytest.approx(k * fermi_dirac(k - 1, eta), rel=1e-8)


def test_order_zero_closed_form():
    for eta in (-700.0, -30.0, -1.0, 0.3, 20.0, 700.0):
        expected = eta + math.log1p(math.exp(-eta)) if eta > 0 else math.log1p(math.exp(eta))
        assert fermi_dirac(0, eta) == expected
    assert fermi_dirac(0, 1e3) == 1e3


def test_order_one_is_a_dilogarithm():
    # F_1(eta) = -Li_2(-e^eta), and scipy's spence(1 - x) = Li_2(x)
    for eta in (-40.0, -5.0, -2.5, -2.0, -1.0, -0.2, 0.0, 0.2, 1.0, 2.0, 3.0, 10.0, 30.0):
        assert fermi_dirac(1, eta) == pytest.approx(-spence(1.0 + math.exp(eta)), rel=1e-14)
    # reflection: F_1(eta) = eta^2 / 2 + pi^2 / 6 - F_1(-eta)
    for eta in (0.1, 1.0, 1.9, 2.1, 7.0):
        assert fermi_dirac(1, eta) == pytest.approx(eta**2 / 2 + math.pi**2 / 6 - fermi_dirac(1, -eta), rel=1e-15)


@pytest.mark.parametrize("k", ORDERS)
def test_nondegenerate_limit(k):
    for eta in (-40.0, -200.0, -700.0):
        assert fermi_dirac(k, eta) == pytest.approx(math.factorial(k) * math.exp(eta), rel=1e-15)
    # next terms of the series: k! e^eta (1 - e^eta / 2^(k+1) + e^(2 eta) / 3^(k+1))
    z = math.exp(-12.0)
    assert fermi_dirac(k, -12.0) == pytest.approx(math.factorial(k) * z * (1 - z / 2 ** (k + 1) + z**2 / 3 ** (k + 1)),
                                                  rel=2e-15)
    assert fermi_dirac(k, -800.0) == 0.0


def test_degenerate_limit_sommerfeld_polynomials():
    # eta = 50: F_k(-eta) < 120 e^-50 is negligible, F_k is its polynomial
    eta = 50.0
    pi2 = math.pi**2
    expected = {
        1: eta**2 / 2 + pi2 / 6,
        2: eta**3 / 3 + pi2 / 3 * eta,
        3: eta**4 / 4 + pi2 / 2 * eta**2 + 7 * pi2**2 / 60,
        4: eta**5 / 5 + 2 * pi2 / 3 * eta**3 + 7 * pi2**2 / 15 * eta,
        5: eta**6 / 6 + 5 * pi2 / 6 * eta**4 + 7 * pi2**2 / 6 * eta**2 + 31 * pi2**3 / 126,
    }
    for k, value in expected.items():
        assert fermi_dirac(k, eta) == pytest.approx(value, rel=1e-15)
        assert fermi_dirac(k, 1e10) == pytest.approx(1e10 ** (k + 1) / (k + 1), rel=1e-15)


def test_non_finite_and_bad_order():
    assert math.isnan(fermi_dirac(3, math.nan))
    assert fermi_dirac(3, math.inf) == math.inf
    with pytest.raises(ValueError):
        fermi_dirac(6, 1.0)
    with pytest.raises(ValueError):
        fermi_dirac_teh(-1, 1.0)


def teh_by_hand(n, eta):
    """The Takahashi, El Eid & Hillebrandt (1978) fit, written out step by step."""
    f0 = [at_zero(j) for j in range(6)]
    if eta > 1e-3:
        numerator = eta ** (n + 1) / (n + 1)
        for r in range(1, (n + 1) // 2 + 1):
            binomial = math.factorial(n) / (math.factorial(2 * r - 1) * math.factorial(n - 2 * r + 1))
            numerator += 2 * binomial * eta ** (n + 1 - 2 * r) * f0[2 * r - 1]
        return numerator / (1 - (-1) ** n * math.exp(-2 * n * eta * f0[n - 1] / f0[n]))
    a = (1 - n * f0[n - 1] / f0[n]) / (1 - f0[n] / math.factorial(n)) * eta
    return math.factorial(n) * math.exp(eta) / (1 + (math.factorial(n) / f0[n] - 1) * math.exp(a))


@pytest.mark.parametrize("k", range(1, 6))
def test_teh_matches_the_published_formula(k):
    for eta in (-7.5, -1.5, 0.0, 1e-3, 1.0001e-3, 2.5, 40.0):
        assert fermi_dirac_teh(k, eta) == pytest.approx(teh_by_hand(k, eta), rel=1e-14)


def test_teh_branch_values_by_hand():
    # k = 2 at eta = 2.5 (first branch): F_1(0) = pi^2/12, F_2(0) = 3 zeta(3) / 2
    f1, f2 = math.pi**2 / 12, 1.5 * 1.2020569031595942854
    numerator = 2.5**3 / 3 + 2 * 2 * 2.5 * f1  # 2C1 = 2
    assert fermi_dirac_teh(2, 2.5) == pytest.approx(numerator / (1 - math.exp(-2 * 2 * 2.5 * f1 / f2)), rel=1e-14)
    # k = 3 at eta = -1.5 (second branch): F_3(0) = 7 pi^4 / 120
    f3 = 7 * math.pi**4 / 120
    a = (1 - 3 * f2 / f3) / (1 - f3 / 6) * -1.5
    assert fermi_dirac_teh(3, -1.5) == pytest.approx(6 * math.exp(-1.5) / (1 + (6 / f3 - 1) * math.exp(a)), rel=1e-14)


def test_teh_fit_accuracy():
    eta = np.linspace(-50.0, 200.0, 25001)
    measured = [0.0, 3.6e-3, 2.3e-3, 1.4e-3, 9.6e-4, 5.3e-4]
    for k in ORDERS:
        error = np.abs(fermi_dirac_array(k, eta, "teh") / fermi_dirac_array(k, eta) - 1.0)
        assert error.max() <= 1.1 * measured[k] + 1e-15
        assert error.max() >= 0.8 * measured[k]
        assert error[(eta < -20.0) | (eta > 60.0)].max() < 1e-4  # exact limits on both sides


def test_array_wrapper_and_dispatch_equal_the_scalar_functions():
    eta = np.linspace(-60.0, 220.0, 77).reshape(7, 11)
    for k in ORDERS:
        for name, method, scalar in (("accurate", ACCURATE, fermi_dirac), ("teh", TEH, fermi_dirac_teh)):
            values = fermi_dirac_array(k, eta, name)
            assert values.shape == eta.shape
            expected = np.array([scalar(k, x) for x in eta.ravel()]).reshape(eta.shape)
            assert np.array_equal(values, expected)
            assert np.array_equal(expected, [[fermi(k, x, method) for x in row] for row in eta])
    assert FERMI_METHODS == ("accurate", "teh")
    assert fermi_dirac_array(2, 0.5).shape == ()
    with pytest.raises(ValueError):
        fermi_dirac_array(2, eta, "exact")
    with pytest.raises(ValueError):
        fermi_dirac_array(6, eta)


SPECIAL_ETAS = [0.0, -0.0, 1e-3, -1e-3, 2.0, -2.0, 1e-300, -1e-300, 700.0, -700.0, 800.0, -800.0, 1e300, -1e300,
                math.inf, -math.inf]


def same(a, b):
    """Bitwise-equal floats (NaN equals NaN)."""
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@numba.njit(error_model="numpy")
def leakage_like_orders(eta, method):
    """The leakage's uses, inlined into one loop: F_3..F_5 at +-eta and
    F_2..F_5 at eta (where the compiler shares and vectorises), next to the
    single-order calls; rows of (combined, single)."""
    out = np.empty((eta.size, 2, 10))
    for i in range(eta.size):
        plus, minus = fermi_orders_pm(eta[i], method)
        f = fermi_orders(eta[i], method)
        out[i, 0, :] = (plus[3], plus[4], plus[5], minus[3], minus[4], minus[5], f[2], f[3], f[4], f[5])
        out[i, 1, :] = (fermi(3, eta[i], method), fermi(4, eta[i], method), fermi(5, eta[i], method),
                        fermi(3, -eta[i], method), fermi(4, -eta[i], method), fermi(5, -eta[i], method),
                        fermi(2, eta[i], method), fermi(3, eta[i], method), fermi(4, eta[i], method),
                        fermi(5, eta[i], method))
    return out


@pytest.mark.parametrize("method", [ACCURATE, TEH])
def test_orders_equal_the_single_order_functions_bit_for_bit(method):
    etas = np.concatenate([ETA_GRID, -ETA_GRID, SPECIAL_ETAS, [math.nan],
                           np.random.default_rng(4).uniform(-60.0, 220.0, 2000)])
    direct = (fermi_dirac_orders, fermi_dirac_orders_pm) if method == ACCURATE else (fermi_dirac_teh_orders, None)
    for eta in etas:
        plus, minus = fermi_orders_pm(eta, method)
        assert same(fermi_orders(eta, method), [fermi(k, eta, method) for k in ORDERS])
        assert same(plus, [fermi(k, eta, method) for k in ORDERS])
        assert same(minus, [fermi(k, -eta, method) for k in ORDERS])
        assert same(direct[0](eta), plus)
        if direct[1] is not None:
            assert same(direct[1](eta), (plus, minus))
    table = leakage_like_orders(etas, method)
    assert same(table[:, 0], table[:, 1])


def test_orders_pm_reflection_and_limits():
    # F_k(eta) - (-1)^k F_k(-eta) = S_k(eta), by hand for k = 1, 2, 3
    pi2 = math.pi**2
    for eta in (0.5, 1.5, 2.5, 10.0, -0.5, -2.5, -10.0):
        plus, minus = fermi_orders_pm(eta, ACCURATE)
        assert plus[0] - minus[0] == pytest.approx(eta, rel=1e-15)
        assert plus[1] + minus[1] == pytest.approx(eta**2 / 2 + pi2 / 6, rel=1e-15)
        assert plus[2] - minus[2] == pytest.approx(eta**3 / 3 + pi2 / 3 * eta, rel=1e-14)
        assert plus[3] + minus[3] == pytest.approx(eta**4 / 4 + pi2 / 2 * eta**2 + 7 * pi2**2 / 60, rel=1e-15)
    plus, minus = fermi_orders_pm(-40.0, ACCURATE)
    assert same(minus[5], fermi_dirac(5, 40.0))
    assert plus == pytest.approx([math.factorial(k) * math.exp(-40.0) for k in ORDERS], rel=1e-15)
    assert fermi_orders(0.0, ACCURATE) == pytest.approx([at_zero(k) for k in ORDERS], rel=1e-15)
