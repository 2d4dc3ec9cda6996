"""The flux divergence of the Euler equations along one axis.

For every row of faces normal to `axis`, the primitive variables are
reconstructed to the faces (faces.py), the Riemann solver gives the fluxes
(riemann.py), and each face's flux times 1/dx is added to the cell on its
right and subtracted from the cell on its left: first the lower face of a
cell, then its upper face, in the same order for every axis, so a problem
gives the same numbers whichever axis it lies along.

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
def _add_scaled(out, values, factor):
    for i in range(out.size):
        out[i] += factor * values[i]


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
    for k in range(lo[0], hi[0] + dk):
        for j in range(lo[1], hi[1] + dj):
            _reconstruct_face_row(prim, perm, k, j, i0, nf, dk, dj, di, reconstruction, left, right)
            if solver == HLLE:
                hlle_row(left, right, flux)
            else:
                hllc_row(left, right, flux)
            for c in range(N_CONSERVED):
                r = rhs[flux_to[c]]
                if di == 1:
                    _add_scaled(r[k, j, i0:i0 + n], flux[c, 0:n], inv_dx)
                    _add_scaled(r[k, j, i0:i0 + n], flux[c, 1:n + 1], -inv_dx)
                else:
                    if k < hi[0] and j < hi[1]:
                        _add_scaled(r[k, j, i0:i0 + n], flux[c], inv_dx)
                    if k - dk >= lo[0] and j - dj >= lo[1]:
                        _add_scaled(r[k - dk, j - dj, i0:i0 + n], flux[c], -inv_dx)
