"""Complete Fermi-Dirac integrals of integer order k = 0..5 (seed 004, F_N),

    F_k(eta) = int_0^inf x^k / (exp(x - eta) + 1) dx,

unnormalised (without the 1 / Gamma(k + 1) of the mathematical literature),
of the dimensionless degeneracy parameter eta = mu / T; F_k is dimensionless.

Two methods, selected in kernels by an integer (`fermi(k, eta, method)`):

ACCURATE (0), `fermi_dirac`: relative error at most 1.1e-15 for k = 0..5
    and eta in [-50, 200] (measured against adaptive quadrature on ~500
    points, dense near 0 and at the piece boundaries; tests/test_fermi.py
    asserts 1e-13); about 16 ns per call on one core (benchmarks/fermi.py).
    Pieces:
    - F_0(eta) = log(1 + e^eta), exactly;
    - eta <= -2: the alternating series F_k = k! sum_{n>=1} (-1)^(n+1)
      e^(n eta) / n^(k+1), 16 terms (the first omitted term is below 1e-16
      relative); F_k -> k! e^eta as eta -> -inf, and F_k underflows only
      with e^eta;
    - -2 < eta <= 0: a degree-16 polynomial in eta, the Chebyshev
      interpolant on [-2, 0] of the Taylor series of F_k about eta = 0
      (radius of convergence pi), derived at import from
      dF_k/deta = k F_{k-1}, F_k(0) = (1 - 2^-k) k! zeta(k + 1) and the
      Taylor series of dF_0/deta = 1 / (1 + e^-eta);
    - eta > 0: the exact reflection (Sommerfeld) formula
          F_k(eta) = S_k(eta) + (-1)^k F_k(-eta),
          S_k(eta) = eta^(k+1) / (k+1) + sum_{j=1}^{floor((k+1)/2)}
                     2 (1 - 2^(1-2j)) zeta(2j) k! / (k+1-2j)! eta^(k+1-2j),
      with F_k(-eta) from the pieces above; all terms of S_k are positive
      and |F_k(-eta)| < F_k(eta), so it loses at most a factor 2 in
      relative accuracy.
TEH (1), `fermi_dirac_teh`: the fits of Takahashi, Eid & Hillebrandt (1978,
    A&A 67, 185) as seed 004 writes them. Measured maximum relative error
    against ACCURATE on [-50, 200]: k=1 3.6e-3 (at eta = -1.9), k=2 2.3e-3,
    k=3 1.4e-3, k=4 9.6e-4, k=5 5.3e-4 (the last four at eta = 1.4-1.6);
    k=0 is exact. About 14 ns per call.

Both are exact in F_0 and accept any float eta: F_k -> k! e^eta for
eta -> -inf (0 once e^eta underflows), eta^(k+1) / (k+1) for eta -> +inf.

Several orders at once, for kernels (equal to the single-order functions
bit for bit): `fermi_orders(eta, method)` -> (F_0, ..., F_5)(eta) and
`fermi_orders_pm(eta, method)` -> ((F_0..F_5)(eta), (F_0..F_5)(-eta)), as
tuples. All are built from one per-order body; inlined into the caller, the
compiler shares exp(-|eta|), the powers of the series / polynomial variable
and eta^2 among the orders (ACCURATE: one exp for all twelve values of
`fermi_orders_pm`; TEH: one exp per order, the fits need them) and drops
the values the caller does not use. Costs in benchmarks/fermi.py.

Implementation notes: the kernels are inlined by LLVM (`forceinline`), not
by numba's IR inliner, whose copies grow quadratically with nesting (over a
minute of compile time for `fermi_orders_pm`). Multiply-adds are explicit
fused `fma`s and nothing else may be contracted, so results do not depend
on how the compiler vectorises a caller.

For loops over many cells, `fermi_rows` fills (F_2, ..., F_5) at +eta and
-eta of an array of eta: the same formulas (ACCURATE), with both pieces of
F_k(-|eta|) evaluated and one selected and e^-|eta| from
`parleak.kernel_math.exponential`, so that the loop vectorises:
13.5 ns per eta for both signs against 27 ns for `fermi_orders_pm`. Its
values are those of `fermi` where |eta| < 2 and within an ulp of e^-|eta|
of them elsewhere.
"""

import math

import numba
import numpy as np

from parleak.kernel_math import exponential, fma

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
TEH_ETA_SWITCH = 1e-3  # the seed's branch switch of the TEH fits


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
# TEH (seed 004): branch eta > 1e-3 divides S_k by 1 - (-1)^k exp(-decay_k eta),
# decay_k = 2 k F_{k-1}(0) / F_k(0); branch eta <= 1e-3 is
# k! e^eta / (1 + (k! / F_k(0) - 1) exp(A)), A = slope_k eta,
# slope_k = (1 - k F_{k-1}(0) / F_k(0)) / (1 - F_k(0) / k!). Row k = 0 unused
# (F_0 is analytic).
_TEH_SIGN = np.array([(-1.0) ** k for k in range(MAX_ORDER + 1)])
_TEH_DECAY = np.array([0.0] + [2 * k * _AT_ZERO[k - 1] / _AT_ZERO[k] for k in range(1, MAX_ORDER + 1)])
_TEH_WEIGHT = _FACTORIAL / _AT_ZERO - 1.0
_TEH_SLOPE = np.array([0.0] + [(1 - k * _AT_ZERO[k - 1] / _AT_ZERO[k]) / (1 - _AT_ZERO[k] / _FACTORIAL[k])
                               for k in range(1, MAX_ORDER + 1)])


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


@numba.njit(cache=True, error_model="numpy")
def fermi_rows(eta, method, plus, minus):
    """plus[k - 2, n] = F_k(eta[n]) and minus[k - 2, n] = F_k(-eta[n]) for
    k = 2..5 (plus, minus: (4, N) float64) by `method`; ACCURATE as the
    module docstring says (vectorised), TEH by `fermi_dirac_teh_orders`."""
    if method == TEH:
        for n in range(eta.size):
            f, g = fermi_dirac_teh_orders(eta[n]), fermi_dirac_teh_orders(-eta[n])
            for k in range(4):
                plus[k, n] = f[k + 2]
                minus[k, n] = g[k + 2]
        return
    for n in range(eta.size):
        e = eta[n]
        x = abs(e)
        z = exponential(-x)
        positive = e > 0.0
        low2, high2 = _fermi_dirac_pm_branchless(2, x, z)
        low3, high3 = _fermi_dirac_pm_branchless(3, x, z)
        low4, high4 = _fermi_dirac_pm_branchless(4, x, z)
        low5, high5 = _fermi_dirac_pm_branchless(5, x, z)
        plus[0, n] = high2 if positive else low2
        plus[1, n] = high3 if positive else low3
        plus[2, n] = high4 if positive else low4
        plus[3, n] = high5 if positive else low5
        minus[0, n] = low2 if positive else high2
        minus[1, n] = low3 if positive else high3
        minus[2, n] = low4 if positive else high4
        minus[3, n] = low5 if positive else high5


@numba.njit(cache=True, error_model="numpy")
def fermi_dirac(k, eta):
    """F_k(eta), accurate to a few 1e-15 relative (module docstring).

    k: order, int 0..5; eta: degeneracy parameter mu / T (dimensionless).
    Returns the dimensionless integral."""
    _check_order(k)
    low, high = _fermi_dirac_pm(k, abs(eta))
    return high if eta > 0.0 else low


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def fermi_dirac_orders_pm(eta):
    """((F_0, ..., F_5)(eta), (F_0, ..., F_5)(-eta)), equal to `fermi_dirac`
    bit for bit. Inlined, the compiler shares one exp(-|eta|), the powers of
    e^-|eta| or eta + 1 and |eta|^2 among the orders, and drops the orders
    the caller does not use.

    eta: degeneracy parameter (dimensionless). Returns two 6-tuples of the
    dimensionless integrals."""
    x = abs(eta)
    low0, high0 = _fermi_dirac_pm(0, x)
    low1, high1 = _fermi_dirac_pm(1, x)
    low2, high2 = _fermi_dirac_pm(2, x)
    low3, high3 = _fermi_dirac_pm(3, x)
    low4, high4 = _fermi_dirac_pm(4, x)
    low5, high5 = _fermi_dirac_pm(5, x)
    low = (low0, low1, low2, low3, low4, low5)
    high = (high0, high1, high2, high3, high4, high5)
    return (high, low) if eta > 0.0 else (low, high)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def fermi_dirac_orders(eta):
    """(F_0, ..., F_5)(eta), equal to `fermi_dirac` bit for bit, sharing
    the work among the orders as `fermi_dirac_orders_pm` does. eta
    dimensionless; returns a 6-tuple of dimensionless integrals."""
    return fermi_dirac_orders_pm(eta)[0]


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def _fermi_dirac_teh(k, eta):
    """`fermi_dirac_teh` without the check of k."""
    if k == 0:
        low, high = _fermi_dirac_0_pm(abs(eta))
        return high if eta > 0.0 else low
    if eta > TEH_ETA_SWITCH:
        return _sommerfeld(k, eta) / (1.0 - _TEH_SIGN[k] * math.exp(-_TEH_DECAY[k] * eta))
    return _FACTORIAL[k] * math.exp(eta) / (1.0 + _TEH_WEIGHT[k] * math.exp(_TEH_SLOPE[k] * eta))


@numba.njit(cache=True, error_model="numpy")
def fermi_dirac_teh(k, eta):
    """F_k(eta) from the Takahashi, Eid & Hillebrandt (1978) fits (seed 004):

        eta > 1e-3:  [eta^(k+1)/(k+1) + sum_{r=1}^{(k+1)/2} 2 kC(2r-1)
                      eta^(k+1-2r) F_{2r-1}(0)]
                     / [1 - (-1)^k exp(-2 k eta F_{k-1}(0) / F_k(0))],
        eta <= 1e-3: k! e^eta / [1 + (k! / F_k(0) - 1) exp(A)],
                     A = eta (1 - k F_{k-1}(0) / F_k(0)) / (1 - F_k(0) / k!),

    kC(2r-1) = k! / ((2r-1)! (k-2r+1)!), F_0 analytic. (The seed's "<" and
    ">" leave eta = 1e-3 itself open; it goes to the second branch here.)
    Measured maximum relative error against `fermi_dirac` for eta in
    [-50, 200]: k=1 3.6e-3, k=2 2.3e-3, k=3 1.4e-3, k=4 9.6e-4, k=5 5.3e-4.

    k: order, int 0..5; eta: degeneracy parameter (dimensionless).
    Returns the dimensionless integral."""
    _check_order(k)
    return _fermi_dirac_teh(k, eta)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def fermi_dirac_teh_orders(eta):
    """(F_0, ..., F_5)(eta) of `fermi_dirac_teh`, bit for bit. Inlined, the
    orders share e^eta and eta^2 only: each TEH fit has its own exp. eta
    dimensionless; returns a 6-tuple of dimensionless integrals."""
    return (_fermi_dirac_teh(0, eta), _fermi_dirac_teh(1, eta), _fermi_dirac_teh(2, eta),
            _fermi_dirac_teh(3, eta), _fermi_dirac_teh(4, eta), _fermi_dirac_teh(5, eta))


@numba.njit(cache=True, error_model="numpy")
def fermi(k, eta, method):
    """F_k(eta) by `method` (ACCURATE = 0 or TEH = 1): the entry point for
    kernels. k: int 0..5; eta dimensionless; returns the dimensionless F_k."""
    if method == TEH:
        return fermi_dirac_teh(k, eta)
    return fermi_dirac(k, eta)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def fermi_orders(eta, method):
    """(F_0, ..., F_5)(eta) by `method` (ACCURATE or TEH), equal to `fermi`
    bit for bit: the entry point for kernels that need several orders.
    eta dimensionless; returns a 6-tuple of dimensionless integrals."""
    if method == TEH:
        return fermi_dirac_teh_orders(eta)
    return fermi_dirac_orders(eta)


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def fermi_orders_pm(eta, method):
    """((F_0, ..., F_5)(eta), (F_0, ..., F_5)(-eta)) by `method`, equal to
    `fermi` bit for bit; for ACCURATE about the cost of one `fermi_orders`.
    eta dimensionless; returns two 6-tuples of dimensionless integrals."""
    if method == TEH:
        return fermi_dirac_teh_orders(eta), fermi_dirac_teh_orders(-eta)
    return fermi_dirac_orders_pm(eta)


@numba.njit(cache=True, error_model="numpy")
def _fermi_fill(k, eta, method, out):
    for i in range(eta.size):
        out[i] = fermi(k, eta[i], method)


def fermi_dirac_array(k, eta, method="accurate"):
    """F_k at every element of `eta` (array-like, dimensionless) by `method`,
    one of FERMI_METHODS; returns a new float64 array of eta's shape."""
    if method not in FERMI_METHODS:
        raise ValueError(f"unknown Fermi-Dirac method {method!r}; choose from {FERMI_METHODS}")
    if not 0 <= k <= MAX_ORDER:
        raise ValueError("Fermi-Dirac integral order k must be 0..5")
    eta = np.asarray(eta, dtype=np.float64)
    out = np.empty(eta.shape)
    _fermi_fill(int(k), np.ascontiguousarray(eta).reshape(-1), FERMI_METHODS.index(method), out.reshape(-1))
    return out
