"""Sedov-Taylor point blast in a uniform, cold ideal gas.  Test-only
reference code (numpy only).

An energy E released at t = 0 at a point (geometry=3, spherical), on a line
(geometry=2, cylindrical) or on a plane (geometry=1, planar) of a gas of
uniform density rho0 and zero pressure drives a strong shock at

    R(t) = xi0 * (E t^2 / rho0)^(1/(j+2)),      j = geometry,

equivalently E = alpha rho0 R^(j+2) / t^2 with alpha = xi0^-(j+2) (Sedov,
"Similarity and Dimensional Methods in Mechanics", 1959; Kamm &
Timmes, "On efficient generation of numerically robust Sedov solutions",
LA-UR-07-2849, 2007).

Energy convention: E is the energy of the whole blast -- per unit length of
the line for j = 2, per unit area of the plane for j = 1, where the planar
blast fills BOTH sides, -R < x < R.  The planar alpha of Kamm & Timmes
(their Table 4) counts only the half x >= 0, as does a code that runs the
planar case on x >= 0 against a reflecting wall: that alpha is half of
energy_constant(gamma, 1), and such a code must use xi0 for 2 E.

Method (our own derivation).  With eta = r/R, Rdot = delta R/t,
delta = 2/(j+2), write

    rho = rho0 g(eta),  u = Rdot eta V(eta),  p = rho0 Rdot^2 h(eta).

Continuity, momentum and entropy conservation become, with s = ln eta and
Z = gamma h / (g eta^2) (the squared sound speed in units of (delta r/t)^2),

    dV/ds      = W - V,
    d ln g/ds  = -(W + (j-1) V) / (V - 1),
    W          = (Z/gamma (gamma (j-1) V - j) + j/2 V (V - 1)) / ((V - 1)^2 - Z),

where W = d(eta V)/d eta.  Sedov's energy integral for a uniform medium,

    Z = gamma (gamma - 1) (1 - V) V^2 / (2 (gamma V - 1)),

closes the system.  Writing eps = gamma V - 1 (which falls from
(gamma-1)/(gamma+1) at the shock to 0 at the centre) and eliminating Z
exactly, so that no cancellation is left near the centre,

    d ln eps/ds = gamma V (j eps/2 + (1 - j/2) V - 1) / (eps (1 - V) - gamma (gamma-1) V^2/2),

an autonomous scalar ODE; g follows by a quadrature and h = g eta^2 Z/gamma.
Integrated inward from the shock (V = 2/(gamma+1), g = (gamma+1)/(gamma-1):
strong-shock jump conditions) this is stable: ln eps tends to a straight
line of slope 2 + j/(gamma-1), i.e. V -> 1/gamma, h -> const and
g ~ eta^(j/(gamma-1)) at the centre.  (The unreduced 3-equation system is
unstable inward, with a spurious mode ~ eta^-j.)  Energy conservation gives

    alpha = c_j delta^2 int_0^1 (g eta^2 V^2 / 2 + h/(gamma-1)) eta^(j-1) d eta,

c_j = 2, 2 pi, 4 pi for j = 1, 2, 3 (c_1 = 2: both sides of the plane).  The
integral is carried alongside the ODE by an adaptive Dormand-Prince 5(4)
scheme (written here) at a relative tolerance of 1e-12 down to
eta^j = 1e-14; the remainder inside is added from the centre power law.
"""

import functools
import math

import numpy as np

__all__ = [
    "energy_constant",
    "xi0",
    "shock_radius",
    "similarity_profile",
    "profile",
]

_GEOMETRY_FACTOR = {1: 2.0, 2: 2.0 * math.pi, 3: 4.0 * math.pi}

# Dormand-Prince 5(4) tableau (Dormand & Prince 1980).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_B5 = _A[6] + (0.0,)
_B4 = (5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40)
_E = tuple(b5 - b4 for b5, b4 in zip(_B5, _B4))

_RTOL = 1e-12
_ATOL = 1e-15
_ETA_J_STOP = 1e-14  # integrate inward until eta^j falls below this


def _check(gamma, geometry):
    gamma = float(gamma)
    if not gamma > 1.0:
        raise ValueError(f"gamma must be > 1, got {gamma}")
    if geometry not in (1, 2, 3):
        raise ValueError(
            f"geometry must be 1 (planar), 2 (cylindrical) or 3 (spherical), got {geometry!r}"
        )
    return gamma, int(geometry)


class _Similarity:
    """The similarity ODE for one (gamma, j) and its integration.

    State y = (ln eps, ln g, I): eps = gamma V - 1, g = rho/rho0 and I the
    energy integral accumulated from the shock inward (so I < 0)."""

    def __init__(self, gamma, j):
        self.gamma = gamma
        self.j = j
        self.s_stop = math.log(_ETA_J_STOP) / j

    def vz(self, lneps):
        """V and Z/(gamma (gamma-1)) = (1 - V) V^2 / (2 eps) from ln eps."""
        eps = math.exp(lneps)
        v = (1.0 + eps) / self.gamma
        return v, eps, (1.0 - v) * v * v / (2.0 * eps)

    def h_of(self, s, y):
        """p/(rho0 Rdot^2) = g eta^2 Z / gamma."""
        v, eps, zq = self.vz(y[0])
        return math.exp(y[1] + 2.0 * s) * (self.gamma - 1.0) * zq

    def rhs(self, s, y):
        g_, j = self.gamma, self.j
        v, eps, zq = self.vz(y[0])
        # d(ln eps)/ds: W - V with the factor eps of Z cancelled analytically
        dlneps = g_ * v * (0.5 * j * eps + (1.0 - 0.5 * j) * v - 1.0) / (
            eps * (1.0 - v) - 0.5 * g_ * (g_ - 1.0) * v * v
        )
        w = v + eps * dlneps / g_  # W = d(eta V)/d eta
        dlng = -(w + (j - 1) * v) / (v - 1.0)
        # energy integrand g eta^(j+2) (V^2/2 + Z/(gamma (gamma-1))), in logs
        # so that it may underflow gracefully near the centre
        ge = math.exp(y[1] + (j + 2) * s)
        di = ge * (0.5 * v * v + zq)
        return (dlneps, dlng, di)

    def shock_state(self):
        g_ = self.gamma
        return (math.log((g_ - 1.0) / (g_ + 1.0)), math.log((g_ + 1.0) / (g_ - 1.0)), 0.0)

    def _step(self, s, y, k1, hs):
        ks = [k1]
        for i in range(1, 7):
            yi = tuple(y[n] + hs * sum(a * k[n] for a, k in zip(_A[i], ks)) for n in range(3))
            ks.append(self.rhs(s + _C[i] * hs, yi))
        # the 7th stage is evaluated at the 5th-order solution (FSAL)
        err = tuple(hs * sum(e * k[n] for e, k in zip(_E, ks)) for n in range(3))
        return yi, err, ks[6]

    def integrate(self, s_out=()):
        """Integrate inward from s = 0 to s_stop.  s_out: descending targets
        in [s_stop, 0] at which the state is recorded.
        Returns (y at s_stop, list of (s, y))."""
        s, y = 0.0, self.shock_state()
        k1 = self.rhs(s, y)
        hs = -1e-3
        out = []
        targets = [t for t in s_out]
        while targets and targets[0] >= 0.0:
            out.append((targets.pop(0), y))
        targets.append(self.s_stop)
        for _ in range(100000):
            target = targets[0]
            step = hs
            if s + step <= target:
                step = target - s
            y_new, err, k_new = self._step(s, y, k1, step)
            ratio = max(
                abs(e) / (_ATOL + _RTOL * max(abs(a), abs(b)))
                for e, a, b in zip(err, y, y_new)
            )
            if ratio <= 1.0:
                s, y, k1 = s + step, y_new, k_new
                if s == target:
                    targets.pop(0)
                    if not targets:
                        return y, out
                    out.append((target, y))
                fac = 5.0 if ratio == 0.0 else min(5.0, 0.9 * ratio ** -0.2)
                if step == hs or fac < 1.0:
                    # a step shortened to land on a target does not grow hs
                    hs = hs * fac
            else:
                hs = step * max(0.2, 0.9 * ratio ** -0.2)
            if abs(hs) < 1e-14:  # pragma: no cover
                raise RuntimeError("Sedov integration: step size underflow")
        raise RuntimeError("Sedov integration: too many steps")  # pragma: no cover

    @functools.cached_property
    def stop(self):
        """State at s_stop and its derivative there."""
        y = self.integrate()[0]
        return y, self.rhs(self.s_stop, y)

    @functools.cached_property
    def alpha(self):
        (y, dy) = self.stop
        g_, j, s = self.gamma, self.j, self.s_stop
        v, _, _ = self.vz(y[0])
        # inside eta_stop: h ~ const, g ~ eta^(d ln g/ds), V ~ 1/gamma
        h_eta_j = self.h_of(s, y) * math.exp(j * s)
        kin = 0.5 * v * v * math.exp(y[1] + (j + 2) * s) / (j + 2 + dy[1])
        integral = -y[2] + h_eta_j / (j * (g_ - 1.0)) + kin
        delta = 2.0 / (j + 2.0)
        return _GEOMETRY_FACTOR[j] * delta * delta * integral


@functools.lru_cache(maxsize=None)
def _similarity(gamma, geometry):
    return _Similarity(gamma, geometry)


def energy_constant(gamma, geometry=3):
    """alpha with E = alpha * rho0 * R^(geometry+2) / t^2 (E the energy of the
    whole blast; for geometry=1 both sides of the plane -- see the module
    docstring).  gamma = 1.4: 0.851072 spherical, 0.984074 cylindrical,
    1.077486 planar (twice the half-space value 0.538743)."""
    gamma, geometry = _check(gamma, geometry)
    return _similarity(gamma, geometry).alpha


def xi0(gamma, geometry=3):
    """xi0 with R(t) = xi0 * (E t^2 / rho0)^(1/(geometry+2)); uniform ambient
    density, strong shock.  gamma = 1.4, spherical: 1.032777; gamma = 5/3,
    spherical: 1.151666."""
    gamma, geometry = _check(gamma, geometry)
    return energy_constant(gamma, geometry) ** (-1.0 / (geometry + 2.0))


def shock_radius(E, rho0, t, gamma, geometry=3):
    """Shock radius R(t) = xi0 (E t^2 / rho0)^(1/(geometry+2))."""
    gamma, geometry = _check(gamma, geometry)
    return xi0(gamma, geometry) * (float(E) * float(t) ** 2 / float(rho0)) ** (
        1.0 / (geometry + 2.0)
    )


def similarity_profile(eta, gamma, geometry=3):
    """Dimensionless profiles behind the shock at eta = r/R (array, each in
    [0, 1]): returns (g, f, h) = (rho/rho0, u/Rdot, p/(rho0 Rdot^2)), Rdot
    the shock speed.  At eta = 1 they take the strong-shock values
    ((gamma+1)/(gamma-1), 2/(gamma+1), 2/(gamma+1))."""
    gamma, geometry = _check(gamma, geometry)
    sim = _similarity(gamma, geometry)
    eta = np.asarray(eta, dtype=float)
    flat = eta.ravel()
    if np.any(~(flat >= 0.0)) or np.any(flat > 1.0):
        raise ValueError("similarity_profile needs 0 <= eta <= 1")
    g = np.zeros_like(flat)
    f = np.zeros_like(flat)
    h = np.zeros_like(flat)

    positive = flat > 0.0
    s_all = np.log(flat[positive])
    s_vals = np.unique(s_all)[::-1]  # descending
    y_stop, dy_stop = sim.stop
    h_stop = sim.h_of(sim.s_stop, y_stop)
    _, out = sim.integrate(s_vals[s_vals > sim.s_stop])
    table = {s: y for s, y in out}
    for s in s_vals[s_vals <= sim.s_stop]:
        # centre power law (straight lines in s for ln eps and ln g)
        ds = s - sim.s_stop
        table[s] = (y_stop[0] + dy_stop[0] * ds, y_stop[1] + dy_stop[1] * ds, None)
    vals = np.empty((s_all.size, 3))
    for i, s in enumerate(s_all):
        y = table[s]
        v, _, _ = sim.vz(y[0])
        hh = h_stop if y[2] is None else sim.h_of(s, y)
        vals[i] = (math.exp(y[1]), v * math.exp(s), hh)
    g[positive], f[positive], h[positive] = vals[:, 0], vals[:, 1], vals[:, 2]
    h[~positive] = h_stop
    return g.reshape(eta.shape), f.reshape(eta.shape), h.reshape(eta.shape)


def profile(r, t, E, rho0, gamma, geometry=3, p0=0.0):
    """Density, velocity and pressure (arrays) of the blast at radii r >= 0
    (for geometry=1, r = |x|) and time t > 0.  Outside the shock the gas is at
    rest with density rho0 and pressure p0 (the solution assumes p0 is
    negligible; p0 is only added to the ambient region)."""
    gamma, geometry = _check(gamma, geometry)
    r = np.asarray(r, dtype=float)
    t = float(t)
    if not t > 0.0:
        raise ValueError(f"t must be > 0, got {t}")
    if np.any(r < 0.0):
        raise ValueError("r must be >= 0")
    radius = shock_radius(E, rho0, t, gamma, geometry)
    rdot = 2.0 / (geometry + 2.0) * radius / t
    eta = r / radius
    inside = eta <= 1.0
    rho = np.full(r.shape, float(rho0))
    u = np.zeros(r.shape)
    p = np.full(r.shape, float(p0))
    if inside.any():
        g, f, h = similarity_profile(eta[inside], gamma, geometry)
        rho[inside] = rho0 * g
        u[inside] = rdot * f
        p[inside] = rho0 * rdot * rdot * h
    return rho, u, p
