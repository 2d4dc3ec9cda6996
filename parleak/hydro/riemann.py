"""Approximate Riemann solvers for the Euler equations with a general EOS.

Face states come in (8, n) arrays, one column per face, rows in the order
RHO, VN, VT1, VT2, PRESS, YE, GAMMA_C, GAMMA_E: density (g/cm^3), the
velocity normal to the face and the two transverse components (cm/s),
pressure (erg/cm^3), electron fraction, and the adiabatic indices of the
EOS interface (sound speed c^2 = GAMMA_C p / rho; internal energy
rho eps = p / (GAMMA_E - 1)). Fluxes go to (6, n) arrays in the order
MASS, MOM_N, MOM_T1, MOM_T2, ENERGY, LEPTON (g/cm^2/s, ...).

Both solvers use the wave-speed estimates of Einfeldt (1988), eq. (5.1)
of Einfeldt et al. (1991): S_L = min(u_L - c_L, u_roe - c_roe),
S_R = max(u_R + c_R, u_roe + c_roe), with the Roe-averaged velocity and
the sound speed c_roe^2 = (sqrt(rho_L) c_L^2 + sqrt(rho_R) c_R^2) /
(sqrt(rho_L) + sqrt(rho_R)) + eta_2 (u_R - u_L)^2, eta_2 = 0.5 sqrt(rho_L
rho_R) / (sqrt(rho_L) + sqrt(rho_R))^2, which needs no EOS call. Every
branch is written as a select, so the face loops vectorise.
"""

import math

import numba

RHO, VN, VT1, VT2, PRESS, YE, GAMMA_C, GAMMA_E = range(8)
MASS, MOM_N, MOM_T1, MOM_T2, ENERGY, LEPTON = range(6)

HLLE = 0
HLLC = 1
RIEMANN_SOLVERS = {"hlle": HLLE, "hllc": HLLC}
TINY = 1e-300  # stands in for a wave-speed difference that is exactly zero


@numba.njit(cache=True, inline="always", error_model="numpy")
def _wave_speeds(rho_l, u_l, c2_l, rho_r, u_r, c2_r):
    """Einfeldt's (S_L, S_R), cm/s."""
    root_l = math.sqrt(rho_l)
    root_r = math.sqrt(rho_r)
    weight = 1.0 / (root_l + root_r)
    u_roe = (root_l * u_l + root_r * u_r) * weight
    eta_2 = 0.5 * root_l * root_r * weight * weight
    c_roe = math.sqrt((root_l * c2_l + root_r * c2_r) * weight + eta_2 * (u_r - u_l) ** 2)
    return min(u_l - math.sqrt(c2_l), u_roe - c_roe), max(u_r + math.sqrt(c2_r), u_roe + c_roe)


@numba.njit(cache=True, error_model="numpy")
def hlle_row(left, right, flux):
    """HLLE flux (Harten, Lax & van Leer 1983; Einfeldt 1988), Toro (2009)
    eq. (10.21): F = (S+ F_L - S- F_R + S+ S- (U_R - U_L)) / (S+ - S-) with
    S+ = max(S_R, 0), S- = min(S_L, 0)."""
    for f in range(flux.shape[1]):
        rho_l, u_l, p_l = left[RHO, f], left[VN, f], left[PRESS, f]
        rho_r, u_r, p_r = right[RHO, f], right[VN, f], right[PRESS, f]
        s_l, s_r = _wave_speeds(rho_l, u_l, left[GAMMA_C, f] * p_l / rho_l,
                                rho_r, u_r, right[GAMMA_C, f] * p_r / rho_r)
        s_minus = min(s_l, 0.0)
        s_plus = max(s_r, 0.0)
        width = s_plus - s_minus
        inv = 1.0 / (width if width != 0.0 else TINY)
        w_l = s_plus * inv
        w_r = -s_minus * inv
        w_jump = s_plus * s_minus * inv
        kin_l = 0.5 * rho_l * (u_l * u_l + left[VT1, f] ** 2 + left[VT2, f] ** 2)
        kin_r = 0.5 * rho_r * (u_r * u_r + right[VT1, f] ** 2 + right[VT2, f] ** 2)
        e_l = kin_l + p_l / (left[GAMMA_E, f] - 1.0)
        e_r = kin_r + p_r / (right[GAMMA_E, f] - 1.0)
        m_l = rho_l * u_l
        m_r = rho_r * u_r
        flux[MASS, f] = w_l * m_l + w_r * m_r + w_jump * (rho_r - rho_l)
        flux[MOM_N, f] = w_l * (m_l * u_l + p_l) + w_r * (m_r * u_r + p_r) + w_jump * (m_r - m_l)
        flux[MOM_T1, f] = (w_l * m_l * left[VT1, f] + w_r * m_r * right[VT1, f]
                           + w_jump * (rho_r * right[VT1, f] - rho_l * left[VT1, f]))
        flux[MOM_T2, f] = (w_l * m_l * left[VT2, f] + w_r * m_r * right[VT2, f]
                           + w_jump * (rho_r * right[VT2, f] - rho_l * left[VT2, f]))
        flux[ENERGY, f] = w_l * (e_l + p_l) * u_l + w_r * (e_r + p_r) * u_r + w_jump * (e_r - e_l)
        flux[LEPTON, f] = (w_l * m_l * left[YE, f] + w_r * m_r * right[YE, f]
                           + w_jump * (rho_r * right[YE, f] - rho_l * left[YE, f]))


@numba.njit(cache=True, error_model="numpy")
def hllc_row(left, right, flux):
    """HLLC flux (Toro, Spruce & Speares 1994), Toro (2009) eqs. (10.37)-
    (10.39) with S* of eq. (10.37) and the star states of eq. (10.39).

    The side K is L where S* >= 0, else R, and F = F_K + s_K (U*_K - U_K)
    with s_L = min(S_L, 0), s_R = max(S_R, 0): this is F_L, F*_L, F*_R or
    F_R in the four regions of eq. (10.38), selected without branches.
    """
    for f in range(flux.shape[1]):
        rho_l, u_l, p_l = left[RHO, f], left[VN, f], left[PRESS, f]
        rho_r, u_r, p_r = right[RHO, f], right[VN, f], right[PRESS, f]
        s_l, s_r = _wave_speeds(rho_l, u_l, left[GAMMA_C, f] * p_l / rho_l,
                                rho_r, u_r, right[GAMMA_C, f] * p_r / rho_r)
        mass_l = rho_l * (s_l - u_l)
        mass_r = rho_r * (s_r - u_r)
        # mass_l <= 0 <= mass_r; both vanish only where the sound speed is
        # below the round-off of the velocity (cold atmosphere): keep S* finite.
        den = mass_l - mass_r
        den = den if den != 0.0 else -TINY
        s_star = (p_r - p_l + u_l * mass_l - u_r * mass_r) / den
        vt1_l, vt1_r = left[VT1, f], right[VT1, f]  # loaded on both sides, so the
        vt2_l, vt2_r = left[VT2, f], right[VT2, f]  # choices below are selects
        ye_l, ye_r = left[YE, f], right[YE, f]
        gamma_e_l, gamma_e_r = left[GAMMA_E, f], right[GAMMA_E, f]
        take_left = s_star >= 0.0
        rho = rho_l if take_left else rho_r
        u = u_l if take_left else u_r
        p = p_l if take_left else p_r
        vt1 = vt1_l if take_left else vt1_r
        vt2 = vt2_l if take_left else vt2_r
        ye = ye_l if take_left else ye_r
        gamma_e = gamma_e_l if take_left else gamma_e_r
        s_k = s_l if take_left else s_r
        s_region = min(s_l, 0.0) if take_left else max(s_r, 0.0)
        energy = 0.5 * rho * (u * u + vt1 * vt1 + vt2 * vt2) + p / (gamma_e - 1.0)
        gap = s_k - s_star
        gap = gap if gap != 0.0 else (-TINY if take_left else TINY)
        rho_star = rho * (s_k - u) / gap
        # eq. (10.39) with rho_K (S_K - u_K) / (rho_K (S_K - u_K)) written as 1 / gap
        energy_star = rho_star * energy / rho + (s_star - u) * (rho_star * s_star + p / gap)
        m = rho * u
        flux[MASS, f] = m + s_region * (rho_star - rho)
        flux[MOM_N, f] = m * u + p + s_region * (rho_star * s_star - m)
        flux[MOM_T1, f] = m * vt1 + s_region * (rho_star - rho) * vt1
        flux[MOM_T2, f] = m * vt2 + s_region * (rho_star - rho) * vt2
        flux[ENERGY, f] = (energy + p) * u + s_region * (energy_star - energy)
        flux[LEPTON, f] = m * ye + s_region * (rho_star - rho) * ye
