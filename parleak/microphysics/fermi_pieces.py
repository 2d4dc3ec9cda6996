"""The pieces of the accurate Fermi-Dirac integrals F_k(eta), k = 0..5
(`parleak.microphysics.fermi` documents the method and its accuracy): the
coefficient tables, computed at import in long double, and the inlined
scalar pieces (the series in e^eta, the fitted polynomial on (-2, 0], the
Sommerfeld polynomial S_k of the reflection formula). Also used by the
Takahashi, El Eid & Hillebrandt (1978) fits (`fermi_teh`), which share
S_k and F_k(0).

Layer: microphysics (numpy, numba, parleak.kernel_math).
"""

import math

import numba
import numpy as np

from parleak.kernel_math import fma

FERMI_METHODS = ("accurate", "teh")
ACCURATE = 0
TEH = 1
MAX_ORDER = 5

# Riemann zeta at 2..6 in long double (the fit below needs F_k(0) to better
# than double precision): even values from pi, odd values to 20 digits
# (Apery's constant zeta(3); zeta(5), OEIS A013663).
_PI = 4 * np.arctan(np.longdouble(1))
ZETA = {2: _PI**2 / 6, 3: np.longdouble("1.2020569031595942854"), 4: _PI**4 / 90,
        5: np.longdouble("1.0369277551433699263"), 6: _PI**6 / 945}

SERIES_ETA_MAX = -2.0  # eta <= this: alternating series in e^eta
SERIES_TERMS = 16  # even; e^(-32) / 17^2 < 1e-16: the k = 1 truncation at eta = -2
FIT_DEGREE = 16  # polynomial on (-2, 0]; interpolation error ~1e-15
TAYLOR_TERMS = 120  # Taylor series about 0 for the fit, (2 / pi)^120 < 1e-23


def fermi_at_zero(k):
    """F_k(0) = (1 - 2^-k) k! zeta(k + 1) for k >= 1, ln 2 for k = 0 (long double)."""
    return np.log(np.longdouble(2)) if k == 0 else (1.0 - 2.0**-k) * math.factorial(k) * ZETA[k + 1]


def _logistic_taylor(n_terms):
    """Taylor coefficients about 0 of dF_0/deta = s(eta) = 1 / (1 + e^-eta),
    from s' = s (1 - s): (j + 1) s_{j+1} = s_j - sum_i s_i s_{j-i}."""
    s = np.zeros(n_terms, dtype=np.longdouble)
    s[0] = 0.5
    for j in range(n_terms - 1):
        s[j + 1] = (s[j] - np.dot(s[: j + 1], s[j::-1])) / (j + 1)
    return s


def _taylor_at_zero(k):
    """Taylor coefficients of F_k about eta = 0: F_k^(m)(0) / m! with
    F_k^(m) = k! / (k - m)! F_{k-m} for m <= k and F_0' = s (longdouble)."""
    s = _logistic_taylor(TAYLOR_TERMS)
    c = np.zeros(TAYLOR_TERMS + k + 1, dtype=np.longdouble)
    for m in range(k + 1):
        c[m] = math.comb(k, m) * fermi_at_zero(k - m)
    # F_k^(k+1+j)(0) = k! j! s_j  ->  coefficient k! j! / (k+1+j)! s_j
    for j in range(TAYLOR_TERMS):
        c[k + 1 + j] = s[j] / (math.comb(k + 1 + j, j) * (k + 1))
    return c


def _fit_table():
    """Power coefficients in t = eta + 1 of the degree-FIT_DEGREE Chebyshev
    interpolant of F_k on [-2, 0], rows k = 0..MAX_ORDER (row 0 unused: F_0
    is exact), padded with a zero to an even number of columns (for
    `_polynomial`)."""
    n = FIT_DEGREE + 1
    theta = (np.arange(n, dtype=np.longdouble) + 0.5) * _PI / n
    t = np.cos(theta)
    table = np.zeros((MAX_ORDER + 1, n + n % 2))
    for k in range(MAX_ORDER + 1):
        values = np.polynomial.polynomial.polyval(t - 1, _taylor_at_zero(k))
        cheb = np.array([2 * np.sum(values * np.cos(j * theta)) / n for j in range(n)])
        cheb[0] /= 2
        table[k, :n] = np.polynomial.chebyshev.cheb2poly(cheb).astype(np.float64)
    return table


def _series_table():
    """Coefficients k! (-1)^m / (m + 1)^(k+1) of F_k = z sum_m c_m z^m, z = e^eta."""
    m = np.arange(SERIES_TERMS)
    return np.array([math.factorial(k) * (-1.0) ** m / (m + 1.0) ** (k + 1) for k in range(MAX_ORDER + 1)])


def _sommerfeld_table():
    """Coefficients of S_k(eta) (module docstring): row k, column j holds the
    coefficient of eta^(k+1-2j), j = 0..floor((k+1)/2). S_k is also the
    numerator of the TEH fit: its 2 kC(2r-1) F_{2r-1}(0) = 2 (1 - 2^(1-2r))
    zeta(2r) k! / (k+1-2r)!."""
    table = np.zeros((MAX_ORDER + 1, (MAX_ORDER + 1) // 2 + 1))
    for k in range(MAX_ORDER + 1):
        table[k, 0] = 1.0 / (k + 1)
        for j in range(1, (k + 1) // 2 + 1):
            table[k, j] = 2.0 * (1.0 - 2.0 ** (1 - 2 * j)) * ZETA[2 * j] * math.factorial(k) / math.factorial(k + 1 - 2 * j)
    return table


_FIT = _fit_table()
_SERIES = _series_table()
_SOMMERFELD = _sommerfeld_table()
_FACTORIAL = np.array([float(math.factorial(k)) for k in range(MAX_ORDER + 1)])
_AT_ZERO = np.array([fermi_at_zero(k) for k in range(MAX_ORDER + 1)], dtype=np.float64)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _fermi_dirac_0_pm(x):
    """(F_0(-x), F_0(x)) for x >= 0: ln(1 + e^-x) and, by the exact
    reflection F_0(x) = x + F_0(-x), x + ln(1 + e^-x); never overflows."""
    low = math.log1p(math.exp(-x))
    return low, x + low


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _check_order(k):
    if k < 0 or k > MAX_ORDER:
        raise ValueError("Fermi-Dirac integral order k must be 0..5")


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _polynomial(table, k, x):
    """sum_m table[k, m] x^m (table with an even number of columns) as
    E(x^2) + x O(x^2): two independent Horner chains of fused multiply-adds,
    half the latency of one."""
    x2 = x * x
    even = 0.0
    odd = 0.0
    for m in range(table.shape[1] - 2, -1, -2):
        even = fma(even, x2, table[k, m])
        odd = fma(odd, x2, table[k, m + 1])
    return fma(x, odd, even)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _sommerfeld(k, eta):
    """S_k(eta), the polynomial part of the reflection formula (dimensionless):
    Horner in eta^2 over its powers k+1, k-1, ..., times eta for even k."""
    eta2 = eta * eta
    total = _SOMMERFELD[k, 0]
    for j in range(1, (k + 1) // 2 + 1):
        total = fma(total, eta2, _SOMMERFELD[k, j])
    return total * eta if k % 2 == 0 else total


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _fermi_dirac_nonpositive(k, eta):
    """F_k(eta) for 1 <= k <= 5 and eta <= 0 (series or fitted polynomial)."""
    if eta <= SERIES_ETA_MAX:
        z = math.exp(eta)
        return z * _polynomial(_SERIES, k, z)
    return _polynomial(_FIT, k, eta + 1.0)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _fermi_dirac_pm(k, x):
    """(F_k(-x), F_k(x)) for 0 <= k <= 5 and x >= 0: the pieces at -x and the
    reflection F_k(x) = S_k(x) + (-1)^k F_k(-x) (which holds at x = 0 too,
    but not bit for bit, so F_k(-x) is returned twice there)."""
    if k == 0:
        return _fermi_dirac_0_pm(x)
    low = _fermi_dirac_nonpositive(k, -x)
    if x > 0.0:
        return low, _sommerfeld(k, x) + (low if k % 2 == 0 else -low)
    return low, low


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _fermi_dirac_pm_branchless(k, x, z):
    """`_fermi_dirac_pm` (1 <= k <= 5) with z = e^-x given and both pieces
    of F_k(-x) evaluated, one selected: no branches."""
    series = z * _polynomial(_SERIES, k, z)
    fit = _polynomial(_FIT, k, 1.0 - x)  # eta + 1 at eta = -x
    low = series if -x <= SERIES_ETA_MAX else fit
    high = _sommerfeld(k, x) + (low if k % 2 == 0 else -low)
    return low, (high if x > 0.0 else low)

