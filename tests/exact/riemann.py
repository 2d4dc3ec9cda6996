"""Exact solution of the Riemann problem for the 1-D Euler equations of an
ideal gas, p = (gamma - 1) rho e.  Test-only reference code.

The method is the one of E. F. Toro, "Riemann Solvers and Numerical Methods
for Fluid Dynamics" (Springer, 3rd ed. 2009), chapter 4; equation numbers
below refer to that chapter:

* the star pressure p* is the root of f(p) = f_L(p) + f_R(p) + (u_R - u_L)
  (4.5), with the wave functions f_K for a shock (p > p_K) or a rarefaction
  (p <= p_K) of (4.6)-(4.8) and their derivatives (4.37); the root is unique
  when the pressure positivity condition (4.40) holds, otherwise the two
  rarefactions leave a vacuum between them;
* the Newton iteration (4.44) starts from Toro's adaptive guess (the
  two-rarefaction, linearised PVRS or two-shock estimate of section 4.3.2,
  (4.46)-(4.48), chosen as in his program) and stops on the
  relative change (4.45); here it is also kept inside a bracket [lo, hi] on
  which f changes sign, so it cannot leave the physical range;
* the star velocity is (4.9);
* the solution is sampled along rays x/t (section 4.5): star densities behind
  a shock (4.50) / (4.57) or a rarefaction (4.53) / (4.60), shock speeds
  (4.52) / (4.59), rarefaction head and tail speeds (4.55) / (4.62) and the
  states inside the fans (4.56) / (4.63).

States are (rho, u, p) tuples.  Everything is plain numpy.
"""

from dataclasses import dataclass
import math

import numpy as np

__all__ = [
    "VacuumError",
    "Wave",
    "RiemannSolution",
    "star_state",
    "solve",
    "sample",
    "cell_average",
]

REL_TOL = 1e-14
MAX_ITER = 100


class VacuumError(ValueError):
    """The data violate the pressure positivity condition (Toro 4.40): the
    two rarefactions generate a vacuum and there is no star region."""


def _check_state(name, rho, u, p):
    for label, value in (("rho", rho), ("u", u), ("p", p)):
        if not math.isfinite(value):
            raise ValueError(f"{name} state: {label} = {value!r} is not finite")
    if rho <= 0.0 or p <= 0.0:
        raise ValueError(
            f"{name} state must have rho > 0 and p > 0, got rho={rho}, p={p}"
        )


def _wave_function(p, rho_k, p_k, a_k, gamma):
    """f_K(p) and f_K'(p) of Toro (4.6)/(4.7) with derivatives (4.37).

    Shock branch (p > p_K): f = (p - p_K) sqrt(A_K / (p + B_K)) with
    A_K = 2 / ((gamma + 1) rho_K), B_K = (gamma - 1)/(gamma + 1) p_K (4.8).
    Rarefaction branch (p <= p_K):
    f = 2 a_K / (gamma - 1) [(p / p_K)^((gamma - 1)/(2 gamma)) - 1].
    """
    if p > p_k:
        a_coef = 2.0 / ((gamma + 1.0) * rho_k)
        b_coef = (gamma - 1.0) / (gamma + 1.0) * p_k
        root = math.sqrt(a_coef / (p + b_coef))
        f = (p - p_k) * root
        df = root * (1.0 - 0.5 * (p - p_k) / (p + b_coef))
    else:
        ratio = p / p_k
        f = 2.0 * a_k / (gamma - 1.0) * (ratio ** ((gamma - 1.0) / (2.0 * gamma)) - 1.0)
        if ratio > 0.0:
            df = ratio ** (-(gamma + 1.0) / (2.0 * gamma)) / (rho_k * a_k)
        else:
            df = math.inf
    return f, df


def _pressure_function(p, left, right, gamma, a_l, a_r):
    f_l, df_l = _wave_function(p, left[0], left[2], a_l, gamma)
    f_r, df_r = _wave_function(p, right[0], right[2], a_r, gamma)
    return f_l + f_r + (right[1] - left[1]), df_l + df_r, f_l, f_r


def _initial_guess(left, right, gamma, a_l, a_r):
    """Toro's adaptive starting value (section 4.3.2, (4.46)-(4.48)): the
    linearised (PVRS) pressure when the data are mild and it lies between
    p_L and p_R, else the two-rarefaction or the two-shock estimate."""
    rho_l, u_l, p_l = left
    rho_r, u_r, p_r = right
    p_min, p_max = min(p_l, p_r), max(p_l, p_r)
    # primitive-variable (linearised) estimate
    p_pv = 0.5 * (p_l + p_r) - 0.125 * (u_r - u_l) * (rho_l + rho_r) * (a_l + a_r)
    p_pv = max(p_pv, 0.0)
    if p_max / p_min <= 2.0 and p_min <= p_pv <= p_max:
        guess = p_pv
    elif p_pv < p_min:
        # two-rarefaction estimate (exact when both waves are rarefactions)
        z = (gamma - 1.0) / (2.0 * gamma)
        num = a_l + a_r - 0.5 * (gamma - 1.0) * (u_r - u_l)
        den = a_l / p_l**z + a_r / p_r**z
        guess = (num / den) ** (1.0 / z)
    else:
        # two-shock estimate, its coefficients evaluated at the PVRS pressure
        g_l = math.sqrt(2.0 / ((gamma + 1.0) * rho_l) / (p_pv + (gamma - 1.0) / (gamma + 1.0) * p_l))
        g_r = math.sqrt(2.0 / ((gamma + 1.0) * rho_r) / (p_pv + (gamma - 1.0) / (gamma + 1.0) * p_r))
        guess = (g_l * p_l + g_r * p_r - (u_r - u_l)) / (g_l + g_r)
    if not (guess > 0.0 and math.isfinite(guess)):
        guess = 0.5 * (p_l + p_r)
    return guess


def _star_pressure(left, right, gamma, a_l, a_r):
    """Root of Toro's (4.5): safeguarded Newton iteration, returns
    (p_star, f_L(p_star), f_R(p_star))."""
    # Pressure positivity (4.40): f(0) < 0 is needed for a root p* > 0.
    du_crit = 2.0 * (a_l + a_r) / (gamma - 1.0)
    if right[1] - left[1] >= du_crit:
        raise VacuumError(
            "vacuum generated: u_R - u_L = %.17g >= 2 (a_L + a_R)/(gamma - 1) = %.17g"
            % (right[1] - left[1], du_crit)
        )
    f = lambda p: _pressure_function(p, left, right, gamma, a_l, a_r)  # noqa: E731

    # bracket: f is increasing and concave (Toro 4.3.1), f(0) < 0
    lo, hi = 0.0, max(left[2], right[2])
    while f(hi)[0] <= 0.0:
        lo, hi = hi, 2.0 * hi
        if not math.isfinite(hi):  # pragma: no cover - impossible with finite data
            raise RuntimeError("could not bracket the star pressure")

    p = min(max(_initial_guess(left, right, gamma, a_l, a_r), lo), hi)
    if not p > 0.0:
        p = 0.5 * (lo + hi)
    for _ in range(MAX_ITER):
        val, dval, f_l, f_r = f(p)
        if val == 0.0:
            return p, f_l, f_r
        if val < 0.0:
            lo = max(lo, p)
        else:
            hi = min(hi, p)
        p_new = p - val / dval
        if not (lo < p_new < hi):
            p_new = 0.5 * (lo + hi)  # Newton left the bracket: bisect instead
        change = 2.0 * abs(p_new - p) / (p_new + p)  # Toro (4.45)
        p = p_new
        if change < REL_TOL or hi - lo <= 4.0 * np.finfo(float).eps * hi:
            _, _, f_l, f_r = f(p)
            return p, f_l, f_r
    raise RuntimeError(
        "star pressure did not converge to %g in %d iterations" % (REL_TOL, MAX_ITER)
    )


def star_state(rho_l, u_l, p_l, rho_r, u_r, p_r, gamma):
    """Star-region pressure and velocity (p_star, u_star) of the Riemann
    problem with left state (rho_l, u_l, p_l) and right state (rho_r, u_r, p_r).

    p_star solves Toro (4.5) with the pressure functions (4.6)-(4.8) by Newton
    iteration (4.44) to a relative change (4.45) below 1e-14; u_star is (4.9),
    u* = (u_L + u_R)/2 + (f_R(p*) - f_L(p*))/2.

    Raises VacuumError (a ValueError) when the pressure positivity condition
    (4.40), u_R - u_L < 2 (a_L + a_R)/(gamma - 1), fails, i.e. when the
    solution contains a vacuum.
    """
    left = (float(rho_l), float(u_l), float(p_l))
    right = (float(rho_r), float(u_r), float(p_r))
    gamma = float(gamma)
    if not gamma > 1.0:
        raise ValueError(f"gamma must be > 1, got {gamma}")
    _check_state("left", *left)
    _check_state("right", *right)
    a_l = math.sqrt(gamma * left[2] / left[0])
    a_r = math.sqrt(gamma * right[2] / right[0])
    p_star, f_l, f_r = _star_pressure(left, right, gamma, a_l, a_r)
    u_star = 0.5 * (left[1] + right[1]) + 0.5 * (f_r - f_l)
    return p_star, u_star


@dataclass(frozen=True)
class Wave:
    """One non-linear wave.  kind is "shock" or "rarefaction"; head and tail
    are its speeds (equal for a shock).  For a left wave the head is the
    slower edge (it meets the left state), for a right wave the faster."""

    kind: str
    head: float
    tail: float


@dataclass(frozen=True)
class RiemannSolution:
    """Star state and wave pattern of one Riemann problem."""

    gamma: float
    left_state: tuple
    right_state: tuple
    p_star: float
    u_star: float
    rho_star_l: float
    rho_star_r: float
    left: Wave
    right: Wave

    def discontinuities(self):
        """Speeds of all points where the solution or its slope jumps,
        sorted: left-wave edge(s), contact (u*), right-wave edge(s)."""
        speeds = {self.left.head, self.left.tail, self.u_star,
                  self.right.tail, self.right.head}
        return sorted(speeds)


def solve(left, right, gamma):
    """Full wave pattern of the Riemann problem (left, right are (rho, u, p))."""
    rho_l, u_l, p_l = map(float, left)
    rho_r, u_r, p_r = map(float, right)
    gamma = float(gamma)
    p_s, u_s = star_state(rho_l, u_l, p_l, rho_r, u_r, p_r, gamma)
    a_l = math.sqrt(gamma * p_l / rho_l)
    a_r = math.sqrt(gamma * p_r / rho_r)
    g6 = (gamma - 1.0) / (gamma + 1.0)
    g1 = (gamma - 1.0) / (2.0 * gamma)
    g2 = (gamma + 1.0) / (2.0 * gamma)

    if p_s > p_l:  # left shock: (4.50), (4.52)
        ratio = p_s / p_l
        rho_sl = rho_l * (ratio + g6) / (g6 * ratio + 1.0)
        s = u_l - a_l * math.sqrt(g2 * ratio + g1)
        wave_l = Wave("shock", s, s)
    else:  # left rarefaction: (4.53)-(4.55)
        rho_sl = rho_l * (p_s / p_l) ** (1.0 / gamma)
        a_sl = a_l * (p_s / p_l) ** g1
        wave_l = Wave("rarefaction", u_l - a_l, u_s - a_sl)

    if p_s > p_r:  # right shock: (4.57), (4.59)
        ratio = p_s / p_r
        rho_sr = rho_r * (ratio + g6) / (g6 * ratio + 1.0)
        s = u_r + a_r * math.sqrt(g2 * ratio + g1)
        wave_r = Wave("shock", s, s)
    else:  # right rarefaction: (4.60)-(4.62)
        rho_sr = rho_r * (p_s / p_r) ** (1.0 / gamma)
        a_sr = a_r * (p_s / p_r) ** g1
        wave_r = Wave("rarefaction", u_r + a_r, u_s + a_sr)

    return RiemannSolution(gamma, (rho_l, u_l, p_l), (rho_r, u_r, p_r),
                           p_s, u_s, rho_sl, rho_sr, wave_l, wave_r)


def _sample_speeds(sol, xi):
    """(rho, u, p) on the rays x/t = xi (numpy array), Toro section 4.5."""
    gamma = sol.gamma
    rho_l, u_l, p_l = sol.left_state
    rho_r, u_r, p_r = sol.right_state
    a_l = math.sqrt(gamma * p_l / rho_l)
    a_r = math.sqrt(gamma * p_r / rho_r)
    gp1, gm1 = gamma + 1.0, gamma - 1.0

    rho = np.empty_like(xi)
    u = np.empty_like(xi)
    p = np.empty_like(xi)

    left_side = xi <= sol.u_star
    # left of the contact: unperturbed left state, left fan or left star state
    in_l = left_side & (xi < sol.left.head)
    in_sl = left_side & (xi >= sol.left.tail)
    fan_l = left_side & ~in_l & ~in_sl
    # right of the contact
    right_side = ~left_side
    in_r = right_side & (xi > sol.right.head)
    in_sr = right_side & (xi <= sol.right.tail)
    fan_r = right_side & ~in_r & ~in_sr

    rho[in_l], u[in_l], p[in_l] = rho_l, u_l, p_l
    rho[in_sl], u[in_sl], p[in_sl] = sol.rho_star_l, sol.u_star, sol.p_star
    rho[in_r], u[in_r], p[in_r] = rho_r, u_r, p_r
    rho[in_sr], u[in_sr], p[in_sr] = sol.rho_star_r, sol.u_star, sol.p_star

    if fan_l.any():  # (4.56)
        x = xi[fan_l]
        c = 2.0 / gp1 + gm1 / (gp1 * a_l) * (u_l - x)
        rho[fan_l] = rho_l * c ** (2.0 / gm1)
        u[fan_l] = 2.0 / gp1 * (a_l + 0.5 * gm1 * u_l + x)
        p[fan_l] = p_l * c ** (2.0 * gamma / gm1)
    if fan_r.any():  # (4.63)
        x = xi[fan_r]
        c = 2.0 / gp1 - gm1 / (gp1 * a_r) * (u_r - x)
        rho[fan_r] = rho_r * c ** (2.0 / gm1)
        u[fan_r] = 2.0 / gp1 * (-a_r + 0.5 * gm1 * u_r + x)
        p[fan_r] = p_r * c ** (2.0 * gamma / gm1)
    return rho, u, p


def sample(x, t, x0, left, right, gamma):
    """Exact solution (rho, u, p) at positions x (array) and time t > 0 of
    the Riemann problem with the discontinuity at x0 at t = 0.

    Left and right are (rho, u, p) tuples.  Sampling follows Toro section 4.5
    ((4.50)-(4.63)).  A point exactly on a shock gets the shocked (star)
    state, one exactly on the contact the left star state -- a set of
    measure zero.
    """
    t = float(t)
    if not t > 0.0:
        raise ValueError(f"t must be > 0, got {t}")
    x = np.asarray(x, dtype=float)
    sol = solve(left, right, gamma)
    xi = (x - float(x0)) / t
    rho, u, p = _sample_speeds(sol, xi.ravel())
    return rho.reshape(x.shape), u.reshape(x.shape), p.reshape(x.shape)


def cell_average(x_faces, t, x0, left, right, gamma, samples=64, average="conserved"):
    """Cell averages of the exact solution over the cells
    [x_faces[i], x_faces[i+1]] at time t > 0; returns arrays (rho, u, p) of
    length len(x_faces) - 1.

    Each cell is first cut at the wave positions x0 + S t (shocks, contact,
    rarefaction head and tail), then every piece is sub-sampled with
    `samples` midpoints.  Constant pieces are therefore integrated exactly and
    the smooth fans to O((dx/samples)^2), so e.g. total mass is conserved to
    rounding, whatever the cell size.

    average="conserved" (default) averages mass, momentum and total energy
    and returns the primitive variables of those averages -- what a
    finite-volume cell holds; average="primitive" averages rho, u and p
    themselves.
    """
    if average not in ("conserved", "primitive"):
        raise ValueError(f"average must be 'conserved' or 'primitive', got {average!r}")
    samples = int(samples)
    if samples < 1:
        raise ValueError("samples must be >= 1")
    t = float(t)
    if not t > 0.0:
        raise ValueError(f"t must be > 0, got {t}")
    faces = np.asarray(x_faces, dtype=float)
    if faces.ndim != 1 or faces.size < 2 or not np.all(np.diff(faces) > 0.0):
        raise ValueError("x_faces must be a strictly increasing 1-D array of >= 2 points")
    sol = solve(left, right, gamma)
    gamma = sol.gamma

    cuts = float(x0) + t * np.asarray(sol.discontinuities())
    cuts = cuts[(cuts > faces[0]) & (cuts < faces[-1])]
    pts = np.union1d(faces, cuts)
    a, b = pts[:-1], pts[1:]
    length = b - a
    keep = length > 0.0
    a, length = a[keep], length[keep]
    cell = np.searchsorted(faces, a, side="right") - 1

    frac = (np.arange(samples) + 0.5) / samples
    xs = a[:, None] + length[:, None] * frac[None, :]
    rho, u, p = _sample_speeds(sol, ((xs - float(x0)) / t).ravel())
    rho, u, p = (q.reshape(xs.shape) for q in (rho, u, p))

    ncell = faces.size - 1
    width = np.diff(faces)

    def integrate(q):
        return np.bincount(cell, weights=q.mean(axis=1) * length, minlength=ncell) / width

    if average == "primitive":
        return integrate(rho), integrate(u), integrate(p)
    mass = integrate(rho)
    mom = integrate(rho * u)
    energy = integrate(p / (gamma - 1.0) + 0.5 * rho * u * u)
    vel = mom / mass
    pres = (gamma - 1.0) * (energy - 0.5 * mom * vel)
    return mass, vel, pres
