"""Conserved <-> primitive variables, the atmosphere floors and the checks
for cells the floors cannot save.

Conserved (per unit volume): dens = rho (g/cm^3), mom = rho v (g/cm^2/s),
etot = rho (eps + v^2 / 2) (erg/cm^3), dens_ye = rho Ye (g/cm^3).
Primitive: rho, v (cm/s), eps (erg/g), ye, and from the EOS press
(erg/cm^3), gamma_c and gamma_e.
"""

import numba
import numpy as np

from parleak.hydro.layout import (C_DENS, C_DENS_YE, C_ETOT, C_MOM_X, P_GAMMA_C, P_GAMMA_E, P_PRESS, P_RHO,
                                  P_VX, P_YE)


@numba.njit(cache=True, inline="always")
def _inside(k, j, i, lo, hi):
    return lo[0] <= k < hi[0] and lo[1] <= j < hi[1] and lo[2] <= i < hi[2]


@numba.njit(cache=True, error_model="numpy")
def apply_density_floor(cons, prim, eps, lo, hi, density_floor, atmosphere_ye):
    """The density floor and the check for bad cells, after primitive_rows
    found cells that need them, on every cell of the ghosted arrays (the EOS then fills press, gamma_c,
    gamma_e).

    A cell with 0 <= dens < density_floor becomes atmosphere: dens =
    density_floor, mom = 0, ye kept (atmosphere_ye where dens was 0), and
    eps = -1 so that the pressure floor sets its energy. A cell with a
    negative density or a non-finite conserved value is bad: it gets
    atmosphere primitives with eps = NaN but keeps its conserved values
    (for the last dump; the caller stops the run).

    Returns (density floors applied in lo <= cell < hi, bad cells there,
    flat ghosted index of the first bad cell or -1, its six conserved
    values as they were).
    """
    n_floored = 0
    n_bad = 0
    first_bad = -1
    bad_values = np.full(6, np.nan)
    nz, ny, nx = cons.shape[1:]
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                d = cons[C_DENS, k, j, i]
                total = d + cons[C_MOM_X, k, j, i] + cons[C_MOM_X + 1, k, j, i] + cons[C_MOM_X + 2, k, j, i]
                total += cons[C_ETOT, k, j, i] + cons[C_DENS_YE, k, j, i]
                if not (d >= 0.0 and np.isfinite(total)):
                    if _inside(k, j, i, lo, hi):
                        n_bad += 1
                        if first_bad < 0:
                            first_bad = (k * ny + j) * nx + i
                            bad_values[:] = cons[:, k, j, i]
                    # NaN pressure: neither counted nor raised by the pressure
                    # floor, so the conserved values stay for the last dump.
                    prim[P_RHO, k, j, i] = density_floor
                    prim[P_YE, k, j, i] = atmosphere_ye
                    for a in range(3):
                        prim[P_VX + a, k, j, i] = 0.0
                    eps[k, j, i] = np.nan
                elif d < density_floor:
                    if _inside(k, j, i, lo, hi):
                        n_floored += 1
                    ye = cons[C_DENS_YE, k, j, i] / d if d > 0.0 else atmosphere_ye
                    cons[C_DENS, k, j, i] = density_floor
                    cons[C_DENS_YE, k, j, i] = density_floor * ye
                    for a in range(3):
                        cons[C_MOM_X + a, k, j, i] = 0.0
                    prim[P_RHO, k, j, i] = density_floor
                    prim[P_YE, k, j, i] = ye
                    for a in range(3):
                        prim[P_VX + a, k, j, i] = 0.0
                    eps[k, j, i] = -1.0
    return n_floored, n_bad, first_bad, bad_values


@numba.njit(cache=True, error_model="numpy")
def _primitive_row(dens, mom_x, mom_y, mom_z, etot, dens_ye, rho, vx, vy, vz, ye, eps, density_floor):
    suspects = 0
    for i in range(dens.size):
        d = dens[i]
        inv = 1.0 / d
        u, v, w = mom_x[i] * inv, mom_y[i] * inv, mom_z[i] * inv
        rho[i] = d
        vx[i] = u
        vy[i] = v
        vz[i] = w
        ye[i] = dens_ye[i] * inv
        e = etot[i] * inv - 0.5 * (u * u + v * v + w * w)
        eps[i] = e
        # NaN and inf fail both tests; counted branch-free so the loop vectorises.
        suspects += not (d >= density_floor and abs(e + ye[i]) < np.inf)
    return suspects


@numba.njit(cache=True)
def primitive_rows(cons, prim, eps, density_floor):
    """rho, v, ye and eps from the conserved variables on every cell of the
    ghosted arrays (vectorised). Returns the number of cells that need
    apply_density_floor (below the floor, negative or not finite)."""
    nz, ny = cons.shape[1:3]
    suspects = 0
    for k in range(nz):
        for j in range(ny):
            suspects += _primitive_row(
                cons[C_DENS, k, j], cons[C_MOM_X, k, j], cons[C_MOM_X + 1, k, j], cons[C_MOM_X + 2, k, j],
                cons[C_ETOT, k, j], cons[C_DENS_YE, k, j], prim[P_RHO, k, j], prim[P_VX, k, j],
                prim[P_VX + 1, k, j], prim[P_VX + 2, k, j], prim[P_YE, k, j], eps[k, j], density_floor)
    return suspects


@numba.njit(cache=True, error_model="numpy")
def _count_below_row(values, floor):
    count = 0
    for i in range(values.size):
        count += values[i] < floor
    return count


@numba.njit(cache=True)
def count_below(values, floor):
    """The number of cells of the ghosted array below `floor` (vectorised)."""
    count = 0
    for k in range(values.shape[0]):
        for j in range(values.shape[1]):
            count += _count_below_row(values[k, j], floor)
    return count


@numba.njit(cache=True)
def count_pressure_floor(press, lo, hi, pressure_floor):
    """The number of cells lo <= (z, y, x) < hi below pressure_floor."""
    n_inside = 0
    for k in range(lo[0], hi[0]):
        for j in range(lo[1], hi[1]):
            n_inside += _count_below_row(press[k, j, lo[2]:hi[2]], pressure_floor)
    return n_inside


def apply_pressure_floor(eos, cons, prim, eps, temp, pressure_floor):
    """Raise the pressure of the cells below pressure_floor to it, with eps
    and the adiabatic indices from the EOS, and their total energy to match.
    Called only when count_pressure_floor found such cells (numpy is fine
    on this rare path)."""
    cells = np.nonzero(prim[P_PRESS] < pressure_floor)
    rho = prim[P_RHO][cells]
    ye = prim[P_YE][cells]
    cell_temp = temp[cells]
    press = np.full(rho.shape, pressure_floor)
    cell_eps = eos.eps_from_rho_press(rho, press, ye, cell_temp)
    gamma_c = np.empty_like(rho)
    gamma_e = np.empty_like(rho)
    eos.from_rho_eps(rho, cell_eps, ye, cell_temp, np.empty_like(rho), gamma_c, gamma_e)
    eps[cells] = cell_eps
    temp[cells] = cell_temp
    prim[P_PRESS][cells] = press
    prim[P_GAMMA_C][cells] = gamma_c
    prim[P_GAMMA_E][cells] = gamma_e
    speed2 = sum(prim[P_VX + a][cells] ** 2 for a in range(3))
    cons[C_ETOT][cells] = rho * (cell_eps + 0.5 * speed2)


def primitive_to_conserved(rho, velocity, eps, ye):
    """The conserved variables (dens, mom_x, mom_y, mom_z, etot, dens_ye)
    of primitive arrays (initial data); velocity is a sequence of three."""
    speed2 = sum(np.asarray(v) ** 2 for v in velocity)
    return (rho, *(rho * v for v in velocity), rho * (eps + 0.5 * speed2), rho * ye)
