"""The flux divergence of the Euler equations along one axis.

For every row of faces normal to `axis`, the primitive variables are
reconstructed to the faces (faces.py), the Riemann solver gives the fluxes
(riemann.py), and every cell gets (F_lower / dx) - F_upper / dx, in that
order for every axis, so a problem gives the same numbers whichever axis
it lies along.

Rows are always contiguous x rows of the [z, y, x] arrays; along y and z a
"row of faces" is the x row between two neighbouring rows of cells.
"""

import numba
import numpy as np

from parleak.hydro.faces import PPM, plm_faces_row, ppm_faces_row
from parleak.hydro.riemann import HLLE, hlle_row, hllc_row

# Primitive variables, in the order of the first axis of `prim`.
P_RHO, P_VX, P_VY, P_VZ, P_PRESS, P_YE, P_GAMMA_C, P_GAMMA_E = range(8)
N_PRIMITIVE = 8
# Conserved variables, in the order of the first axis of the rhs block.
C_DENS, C_MOM_X, C_MOM_Y, C_MOM_Z, C_ETOT, C_DENS_YE = range(6)
N_CONSERVED = 6


@numba.njit(cache=True, error_model="numpy")
def _add_divergence(out, flux_lower, flux_upper, inv_dx):
    """out += F at the lower face / dx, then -= F at the upper face / dx."""
    for i in range(out.size):
        out[i] = (out[i] + flux_lower[i] * inv_dx) - flux_upper[i] * inv_dx


@numba.njit(cache=True)
def _reconstruct_face_row(prim, perm, k, j, i0, nf, dk, dj, di, reconstruction, left, right):
    """Face states of the face row whose right cells start at (k, j, i0)."""
    for v in range(N_PRIMITIVE):
        q = prim[perm[v]]
        if reconstruction == PPM:
            ppm_faces_row(q[k - 3 * dk, j - 3 * dj, i0 - 3 * di:i0 - 3 * di + nf],
                          q[k - 2 * dk, j - 2 * dj, i0 - 2 * di:i0 - 2 * di + nf],
                          q[k - dk, j - dj, i0 - di:i0 - di + nf],
                          q[k, j, i0:i0 + nf],
                          q[k + dk, j + dj, i0 + di:i0 + di + nf],
                          q[k + 2 * dk, j + 2 * dj, i0 + 2 * di:i0 + 2 * di + nf],
                          left[v], right[v])
        else:
            plm_faces_row(q[k - 2 * dk, j - 2 * dj, i0 - 2 * di:i0 - 2 * di + nf],
                          q[k - dk, j - dj, i0 - di:i0 - di + nf],
                          q[k, j, i0:i0 + nf],
                          q[k + dk, j + dj, i0 + di:i0 + di + nf],
                          left[v], right[v], reconstruction)


@numba.njit(cache=True)
def add_flux_divergence(prim, rhs, axis, inv_dx, reconstruction, solver, lo, hi):
    """rhs[c] += (F[c] at the lower face - F[c] at the upper face) / dx along
    `axis`, for the cells lo <= (z, y, x) < hi.

    prim: (8, gz, gy, gx) primitives (P_* order), ghosts filled; rhs: the
    (6, gz, gy, gx) block of the conserved right-hand sides (C_* order,
    units of the conserved variable per second); inv_dx: 1/dx, 1/cm.
    """
    di = 1 if axis == 0 else 0
    dj = 1 if axis == 1 else 0
    dk = 1 if axis == 2 else 0
    t1, t2 = (1, 2) if axis == 0 else ((2, 0) if axis == 1 else (0, 1))
    perm = np.array([P_RHO, P_VX + axis, P_VX + t1, P_VX + t2, P_PRESS, P_YE, P_GAMMA_C, P_GAMMA_E])
    flux_to = np.array([C_DENS, C_MOM_X + axis, C_MOM_X + t1, C_MOM_X + t2, C_ETOT, C_DENS_YE])
    i0, n = lo[2], hi[2] - lo[2]
    nf = n + di
    left = np.empty((N_PRIMITIVE, nf))
    right = np.empty((N_PRIMITIVE, nf))
    flux = np.empty((N_CONSERVED, nf))
    flux_below = np.empty((N_CONSERVED, nf))  # y, z: the previous face row
    # Rows of faces in order along the axis (for z: j outer, k inner), so
    # that the face row just below a cell row was the previous one done.
    outer_lo, outer_hi = (lo[1], hi[1]) if dk == 1 else (lo[0], hi[0])
    inner_lo, inner_hi = (lo[0], hi[0]) if dk == 1 else (lo[1], hi[1])
    inner_hi += 1 - di
    for outer in range(outer_lo, outer_hi):
        for inner in range(inner_lo, inner_hi):
            k, j = (inner, outer) if dk == 1 else (outer, inner)
            _reconstruct_face_row(prim, perm, k, j, i0, nf, dk, dj, di, reconstruction, left, right)
            if solver == HLLE:
                hlle_row(left, right, flux)
            else:
                hllc_row(left, right, flux)
            if di == 1:
                for c in range(N_CONSERVED):
                    _add_divergence(rhs[flux_to[c], k, j, i0:i0 + n], flux[c, 0:n], flux[c, 1:n + 1], inv_dx)
            elif inner > inner_lo:  # the cell row below this face row has both its faces
                for c in range(N_CONSERVED):
                    _add_divergence(rhs[flux_to[c], k - dk, j - dj, i0:i0 + n], flux_below[c], flux[c], inv_dx)
            flux, flux_below = flux_below, flux
