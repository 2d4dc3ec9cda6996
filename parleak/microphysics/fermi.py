"""Complete Fermi-Dirac integrals of integer order k = 0..5,

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
TEH (1), `fermi_dirac_teh`: the fits of Takahashi, El Eid & Hillebrandt
    (1978, A&A 67, 185), the form leakage codes use (e.g. GRHayL's
    NRPyLeakage; module `fermi_teh`). Measured maximum relative error
    against ACCURATE on [-50, 200]: k=1 3.6e-3 (at eta = -1.9), k=2 2.3e-3,
    k=3 1.4e-3, k=4 9.6e-4, k=5 5.3e-4 (the last four at eta = 1.4-1.6);
    k=0 is exact. About 14 ns per call.

Both are exact in F_0 and accept any float eta: F_k -> k! e^eta for
eta -> -inf (0 once e^eta underflows), eta^(k+1) / (k+1) for eta -> +inf.
Ratios F_a / F_b of one eta (mean energies, spectral averages) go through
`fermi_ratio`, which is finite for every eta: below eta ~ -707 both
integrals are 0 and the ratio is its limit a! / b!.

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

Modules: `fermi_pieces` (tables and the scalar pieces of ACCURATE),
`fermi_teh` (TEH), this one (entry points, rows, ratios). Layer:
microphysics (numpy, numba, parleak.kernel_math).
"""

import numba
import numpy as np

from parleak.kernel_math import exponential
from parleak.microphysics.fermi_pieces import (ACCURATE, FERMI_METHODS, MAX_ORDER, TEH, _check_order,
                                               _fermi_dirac_pm, _fermi_dirac_pm_branchless, fermi_at_zero)
from parleak.microphysics.fermi_teh import fermi_dirac_teh, fermi_dirac_teh_orders

__all__ = ["ACCURATE", "FERMI_METHODS", "MAX_ORDER", "TEH", "fermi", "fermi_at_zero", "fermi_dirac",
           "fermi_dirac_array", "fermi_dirac_orders", "fermi_dirac_orders_pm", "fermi_dirac_teh",
           "fermi_dirac_teh_orders", "fermi_orders", "fermi_orders_pm", "fermi_ratio", "fermi_rows"]


# F_a(eta) / F_b(eta) as eta -> -inf, a!/b!: F_k(eta) ~ Gamma(k + 1) e^eta.
RATIO_LIMITS = {(4, 2): 12.0, (5, 3): 20.0, (4, 3): 4.0, (5, 4): 5.0}
SMALLEST_NORMAL = 2.2250738585072014e-308


@numba.njit(cache=True, forceinline=True, error_model="numpy")
def fermi_ratio(numerator, denominator, limit):
    """F_a(eta) / F_b(eta) (a > b) from numerator = F_a(eta) and
    denominator = F_b(eta), finite for every eta: where F_b(eta) has
    underflowed (below the smallest normal double: eta below about -707
    for the accurate method, whose values are 0 or normal; the TEH fits
    pass through subnormals first) the quotient of the two underflowed
    numbers is not used and the ratio is its limit a!/b! (`RATIO_LIMITS`,
    F_k(eta) ~ k! e^eta as eta -> -inf), which it equals to double
    precision already at eta = -40. Elsewhere the plain quotient, bit for
    bit. Branch-free (both computed, one selected)."""
    ratio = numerator / denominator
    return ratio if denominator >= SMALLEST_NORMAL else limit


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
