"""The inline arithmetic of the leakage kernels (parleak.kernel_math)
against libm, and the vectorised Fermi rows against the scalar Fermi
integrals."""

import math

import numba
import numpy as np

from parleak.kernel_math import exponential, log10_positive, square_root
from parleak.microphysics.fermi import ACCURATE, TEH, fermi_dirac_array, fermi_rows


@numba.njit
def _exponentials(x, out):
    for i in range(x.size):
        out[i] = exponential(x[i])


def test_exponential_within_one_ulp_of_libm():
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(-700.0, 700.0, 1_000_000), rng.uniform(-5.0, 5.0, 500_000),
                        [0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, -706.9, 709.0, 709.78]])
    ours = np.empty_like(x)
    _exponentials(x, ours)
    libm = np.array([math.exp(v) for v in x])
    ulps = np.abs(ours - libm) / np.spacing(libm)
    assert ulps.max() <= 1.0
    assert np.mean(ours == libm) > 0.9  # mostly the same double
    assert ours[x == 0.0].tolist() == [1.0, 1.0]


def test_exponential_limits():
    x = np.array([-707.5, -800.0, -1e10, -np.inf, 709.8, 800.0, np.inf, np.nan])
    ours = np.empty_like(x)
    _exponentials(x, ours)
    assert ours[:4].tolist() == [0.0, 0.0, 0.0, 0.0]  # below e^-707: 0 (no subnormals)
    assert ours[4:7].tolist() == [math.inf] * 3
    assert math.isnan(ours[7])


@numba.njit
def _logs(x, out):
    for i in range(x.size):
        out[i] = log10_positive(x[i])


def test_log10_matches_libm():
    """The same double as libm where |log10 x| >= 1; within 1.2e-16 where
    it is smaller (a few ulp of a small number: nothing for an
    interpolation in log space)."""
    rng = np.random.default_rng(5)
    x = np.concatenate([10.0 ** rng.uniform(-300.0, 300.0, 1_000_000), 10.0 ** rng.uniform(-1.0, 1.0, 1_000_000),
                        [1.0, 10.0, 1e10, 1e-300, 1e300, math.sqrt(2.0), 1.0 + 2.0**-52, 1.0 - 2.0**-53]])
    ours = np.empty_like(x)
    _logs(x, ours)
    libm = np.array([math.log10(v) for v in x])
    large = np.abs(libm) >= 1.0
    np.testing.assert_array_equal(ours[large], libm[large])
    assert np.abs(ours - libm)[~large].max() <= 1.2e-16
    assert ours[-8:-4].tolist() == [0.0, 1.0, 10.0, -300.0]


def test_log10_limits_and_subnormals():
    x = np.array([5e-324, 1e-310, 2.2250738585072014e-308, np.inf, 0.0, -0.0, -1.0])
    ours = np.empty_like(x)
    _logs(x, ours)
    np.testing.assert_allclose(ours[:3], [math.log10(v) for v in x[:3]], rtol=1e-15)
    assert ours[3:].tolist() == [math.inf, -math.inf, -math.inf, -math.inf]


@numba.njit
def _roots(x, out):
    for i in range(x.size):
        out[i] = square_root(x[i])


def test_square_root_is_correctly_rounded():
    x = np.concatenate([np.random.default_rng(3).uniform(0.0, 1e6, 10_000), [0.0, 2.0, 1e-300, 1e300]])
    out = np.empty_like(x)
    _roots(x, out)
    assert np.array_equal(out, np.sqrt(x))
    _roots(np.array([-1.0]), out[:1])
    assert math.isnan(out[0])


def test_fermi_rows_match_the_scalar_integrals():
    """F_2..F_5 at +eta and -eta: equal to fermi_dirac where |eta| < 2 (no
    exponential involved), within 1e-15 relative elsewhere; TEH equal."""
    eta = np.concatenate([np.linspace(-60.0, 200.0, 5001), np.linspace(-3.0, 3.0, 601), [0.0, -0.0, 2.0, -2.0]])
    plus, minus = np.empty((4, eta.size)), np.empty((4, eta.size))
    for method, name in ((ACCURATE, "accurate"), (TEH, "teh")):
        fermi_rows(eta, method, plus, minus)
        expected_plus = np.array([fermi_dirac_array(k, eta, name) for k in range(2, 6)])
        expected_minus = np.array([fermi_dirac_array(k, -eta, name) for k in range(2, 6)])
        np.testing.assert_allclose(plus, expected_plus, rtol=1e-15, atol=0.0)
        np.testing.assert_allclose(minus, expected_minus, rtol=1e-15, atol=0.0)
        near = np.abs(eta) < 2.0
        assert np.array_equal(plus[:, near], expected_plus[:, near])
        if method == TEH:
            assert np.array_equal(plus, expected_plus) and np.array_equal(minus, expected_minus)
