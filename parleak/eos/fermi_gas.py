"""The ideal Fermi gas of spin-1/2 particles (g = 2) at any degeneracy and
temperature, by Gauss-Legendre quadrature of the generalised Fermi-Dirac
integrals (Cox & Giuli 1968, ch. 24; Timmes & Arnett 1999, ApJS 125, 277).

Variables (energies in MeV): x = E_kin / T, the degeneracy parameter
eta = (mu - m c^2) / T (mu including the rest mass) and the relativity
parameter beta = T / (m c^2). The generalised Fermi-Dirac integral is

    F_k(eta, beta) = int_0^inf x^k sqrt(1 + beta x / 2) / (exp(x - eta) + 1) dx.

The gas is described through its pressure P(mu, T) (the grand potential per
volume, with sign reversed): n = dP/dmu, s = dP/dT, and the second
derivatives dn/dmu, dn/dT = ds/dmu, ds/dT are integrals over the same
quadrature nodes, so every quantity is consistent to the quadrature error
(about 1e-14 relative). Relativistic species (electrons) include their
antiparticles (positrons, chemical potential -mu, so eta_anti = -eta - 2 / beta);
non-relativistic species (nucleons) use the kinematics beta -> 0 and no
antiparticles.

Quadrature: the integrals are taken in t = sqrt(x) (smooth at x = 0) on
panels of NODES_PER_PANEL Gauss-Legendre points: panels whose widths double
with the distance from the Fermi energy (FERMI_OFFSETS, where the integrand
varies on the scale T), and below them panels whose t-width doubles from
t = min(1, sqrt(1 / (2 beta))) (resolving the branch point of
sqrt(1 + beta x / 2) at x = -2 / beta). Every panel then has its nearest
singularity at least about 5 half-widths away, so 10 points give about
1e-15 relative per panel. The occupation vanishes below double precision
beyond max(eta, 0) + 60.
"""

import math

import numba
import numpy as np

from parleak.constants import HC_MEV_CM

NODES_PER_PANEL = 10
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(NODES_PER_PANEL)
# Panel edges in x relative to the Fermi energy max(eta, 0) (units of T).
FERMI_OFFSETS = np.array([-40.0, -20.0, -10.0, -5.0, -2.5, 0.0, 2.5, 5.0, 10.0, 20.0, 40.0, 60.0])
_MAX_EDGES = 256
_NEWTON_TOLERANCE = 1e-10  # last Newton step, relative to |psi|
# Antiparticles are left out where psi = mu / T exceeds this: their share is below exp(-2 psi).
_NO_ANTIPARTICLES_PSI = 350.0
# Prefactor of the number density: n = DENSITY_PREFACTOR (m T)^(3/2) / (h c)^3 * integral
# (8 pi / h^3 p^2 dp with p c = sqrt(E_kin^2 + 2 E_kin m c^2)), cm^-3 for m, T in MeV.
DENSITY_PREFACTOR = 8.0 * math.pi * math.sqrt(2.0) / HC_MEV_CM**3


@numba.njit(cache=True)
def _panel_edges(eta, beta, edges):
    """Fill edges (t = sqrt(x)) of the quadrature panels for the degeneracy
    eta and relativity beta (see the module docstring); returns their number."""
    x_fermi = max(eta, 0.0)
    t_first = 1.0 if beta <= 0.5 else math.sqrt(0.5 / beta)
    edges[0] = 0.0
    count = 1
    t_prev = 0.0
    for offset in FERMI_OFFSETS:
        x = x_fermi + offset
        if x <= 0.0:
            continue
        t = math.sqrt(x)
        while count < _MAX_EDGES - 2:  # geometric panels towards t = 0
            t_mid = 2.0 * t_prev if t_prev > 0.0 else t_first
            if t_mid >= t:
                break
            edges[count] = t_mid
            count += 1
            t_prev = t_mid
        edges[count] = t
        count += 1
        t_prev = t
    return count


@numba.njit(cache=True, inline="always")
def _occupation(y):
    """Fermi function f(y) = 1 / (exp(y) + 1), 1 - f, f (1 - f) and
    exp(-|y|), without overflow for any real y."""
    e = math.exp(-abs(y))
    inv = 1.0 / (1.0 + e)
    if y < 0.0:
        f, fbar = inv, e * inv
    else:
        f, fbar = e * inv, inv
    return f, fbar, f * fbar, e


@numba.njit(cache=True, inline="always")
def _state_entropy(y, e):
    """-f ln f - (1 - f) ln(1 - f) for f = f(y), e = exp(-|y|)."""
    return math.log1p(e) + abs(y) * e / (1.0 + e)


@numba.njit(cache=True, error_model="numpy")
def fermi_integral_scalar(k, eta, beta):
    """F_k(eta, beta) (module docstring) for k > -1, eta any real, beta >= 0."""
    edges = np.empty(_MAX_EDGES)
    count = _panel_edges(eta, beta, edges)
    total = 0.0
    for p in range(count - 1):
        mid, half = 0.5 * (edges[p + 1] + edges[p]), 0.5 * (edges[p + 1] - edges[p])
        for i in range(NODES_PER_PANEL):
            t = mid + half * _GL_NODES[i]
            x = t * t
            f = _occupation(x - eta)[0]
            # x^k dx = 2 t^(2k + 1) dt
            total += half * _GL_WEIGHTS[i] * 2.0 * t ** (2.0 * k + 1.0) * math.sqrt(1.0 + 0.5 * beta * x) * f
    return total


@numba.njit(cache=True, error_model="numpy")
def _fermi_integral_kernel(k, eta, beta, out):
    for n in range(eta.size):
        out[n] = fermi_integral_scalar(k, eta[n], beta[n])


def fermi_integral(k, eta, beta=0.0):
    """The generalised Fermi-Dirac integral F_k(eta, beta) on arrays
    (broadcast); k > -1, beta = T / (m c^2) >= 0 (beta = 0: the complete
    integral F_k(eta) = int_0^inf x^k / (exp(x - eta) + 1) dx)."""
    eta, beta = (np.array(a, dtype=float, order="C") for a in np.broadcast_arrays(eta, beta))
    out = np.empty(eta.shape)
    _fermi_integral_kernel(float(k), eta.reshape(-1), beta.reshape(-1), out.reshape(-1))
    return out


@numba.njit(cache=True, error_model="numpy")
def gas_integrals(psi, beta, relativistic, full):
    """The dimensionless integrals of the gas over x (module docstring) at
    psi = mu / T (relativistic: mu includes the rest mass, eta = psi - 1 / beta,
    antiparticles with eta_anti = -psi - 1 / beta) or psi = eta (non-relativistic:
    kinematics beta -> 0, no antiparticles),
    with D(x) = x^(1/2) (1 + beta x) sqrt(1 + beta x / 2) (density of
    states), Pw(x) = (2/3) x^(3/2) (1 + beta x / 2)^(3/2) (pressure weight,
    Pw' = D), f = f(x - eta), fa = f(x - eta_anti) for the antiparticles
    (zero if none), g = f (1 - f), sigma the entropy of one state:

        net = int D (f - fa)          (stable as f (1 - fa) (1 - exp(-2 psi)))
        d_net = int D (g + ga)        (d net / d psi)
    and, if full:
        both = int D (f + fa),  kin = int D x (f + fa),  press = int Pw (f + fa),
        ent = int D (sigma + sigma_a),
        d_net_t = int D (g (x - eta) - ga (x - eta_anti)),
        d_ent_t = int D (g (x - eta)^2 + ga (x - eta_anti)^2).
    Returns (net, d_net, both, kin, press, ent, d_net_t, d_ent_t), zeros
    for the last six if not full."""
    if relativistic:
        eta, eta_anti, q = psi - 1.0 / beta, -psi - 1.0 / beta, -math.expm1(-2.0 * psi)
    else:
        eta, eta_anti, q, beta = psi, -np.inf, 1.0, 0.0
    anti = relativistic and psi < _NO_ANTIPARTICLES_PSI
    edges = np.empty(_MAX_EDGES)
    count = _panel_edges(eta, beta, edges)
    net = d_net = both = kin = press = ent = d_net_t = d_ent_t = 0.0
    for p in range(count - 1):
        mid, half = 0.5 * (edges[p + 1] + edges[p]), 0.5 * (edges[p + 1] - edges[p])
        for i in range(NODES_PER_PANEL):
            t = mid + half * _GL_NODES[i]
            x = t * t
            w = 2.0 * t * half * _GL_WEIGHTS[i]  # dx = 2 t dt
            r = beta * x
            root = math.sqrt(1.0 + 0.5 * r)
            dos = w * t * (1.0 + r) * root
            y = x - eta
            f, fbar, g, e = _occupation(y)
            if anti:
                ya = x - eta_anti
                fa, fabar, ga, ea = _occupation(ya)
            else:
                ya, fa, fabar, ga, ea = 0.0, 0.0, 1.0, 0.0, 0.0
            net += dos * f * fabar * q
            d_net += dos * (g + ga)
            if full:
                both += dos * (f + fa)
                kin += dos * x * (f + fa)
                press += w * (2.0 / 3.0) * x * t * (1.0 + 0.5 * r) * root * (f + fa)
                ent += dos * (_state_entropy(y, e) + (_state_entropy(ya, ea) if anti else 0.0))
                d_net_t += dos * (g * y - ga * ya)
                d_ent_t += dos * (g * y * y + ga * ya * ya)
    return net, d_net, both, kin, press, ent, d_net_t, d_ent_t


@numba.njit(cache=True, error_model="numpy")
def solve_psi(density, temp, mass, relativistic):
    """The solve variable psi of gas_integrals (mu / T if relativistic, else
    eta = (mu - m c^2) / T) at which the net number density (particles minus
    antiparticles) is density [cm^-3] > 0, at temperature temp [MeV], for
    particles of rest energy mass [MeV].

    Safeguarded Newton iteration: Newton on ln(net) (exact in the
    non-degenerate limit, good when degenerate), else Newton on net (which is
    convex, so it never overshoots from above), else bisection of the
    bracket."""
    beta = temp / mass
    target = density / (DENSITY_PREFACTOR * (mass * temp) ** 1.5)
    # Start: degenerate, the T = 0 Fermi energy; non-degenerate, the Boltzmann
    # gas, net = d_net(0) sinh(psi) with pairs (exact for psi -> 0 too), else
    # net = Gamma(3/2) exp(eta).
    p_fermi = HC_MEV_CM * (3.0 * density / (8.0 * math.pi)) ** (1.0 / 3.0)
    if relativistic:
        e_fermi = p_fermi * p_fermi / (math.sqrt(p_fermi * p_fermi + mass * mass) + mass)
        if e_fermi > temp:
            psi = (e_fermi + mass) / temp
        else:
            psi = math.asinh(target / gas_integrals(0.0, beta, True, False)[1])
        lo = 0.0  # mu = 0: zero net density
    else:
        e_fermi = p_fermi * p_fermi / (2.0 * mass)
        psi = e_fermi / temp if e_fermi > temp else math.log(target / (0.5 * math.sqrt(math.pi)))
        lo = -np.inf
    hi = np.inf
    for _ in range(400):
        net, d_net = gas_integrals(psi, beta, relativistic, False)[:2]
        if net > target:
            hi = psi
        elif net < target:
            lo = psi
        else:
            return psi
        step = net * math.log(net / target) / d_net if net > 0.0 else np.inf
        if not lo <= psi - step <= hi:
            step = (net - target) / d_net
        if abs(step) <= _NEWTON_TOLERANCE * (abs(psi) if relativistic else max(1.0, abs(psi))):
            return psi - step  # Newton converges quadratically: the error is ~ step^2
        if not lo < psi - step < hi:
            if hi == np.inf:
                step = -max(1.0, abs(psi))
            elif lo == -np.inf:
                step = max(1.0, abs(psi))
            else:
                step = psi - 0.5 * (lo + hi)
        psi -= step
        if hi - lo <= 4e-16 * abs(psi):
            return psi
    return psi


@numba.njit(cache=True, error_model="numpy")
def fermion_thermo(density, temp, mass, relativistic):
    """Thermodynamics of the gas of net number density density [cm^-3] at
    temperature temp [MeV], rest energy mass [MeV] (module docstring).

    Returns (mu_kin, press, energy, entropy, dpress_dtemp, dpress_dn,
    denergy_dtemp, denergy_dn): mu_kin = mu - m c^2 [MeV]; press [MeV cm^-3];
    energy [MeV cm^-3], including the rest energy of particles and
    antiparticles; entropy [k_B cm^-3]; derivatives at fixed n (d/dtemp, per
    MeV) and at fixed T (d/dn, in MeV)."""
    psi = solve_psi(density, temp, mass, relativistic)
    prefactor = DENSITY_PREFACTOR * (mass * temp) ** 1.5
    net, d_net, both, kin, press, ent, d_net_t, d_ent_t = gas_integrals(psi, temp / mass, relativistic, True)
    mu_kin = psi * temp - mass if relativistic else psi * temp
    n = prefactor * net
    entropy = prefactor * ent
    # Second derivatives of P(mu, T): dn/dmu, dn/dT = ds/dmu, ds/dT.
    n_mu, n_t, s_t = prefactor * d_net / temp, prefactor * d_net_t / temp, prefactor * d_ent_t / temp
    mu_t = -n_t / n_mu  # d mu / dT at fixed n
    return (mu_kin, prefactor * temp * press, prefactor * (temp * kin + mass * both), entropy,
            entropy + n * mu_t, n / n_mu, temp * (s_t + n_t * mu_t), mass + mu_kin - temp * mu_t)
