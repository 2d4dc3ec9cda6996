"""The flux divergence of the Euler equations along one axis.

The primitive variables are reconstructed to the faces (faces.py), the
Riemann solver gives the fluxes (riemann.py), and every cell gets
(F_lower / dx) - F_upper / dx, in that order for every axis, so a problem
gives the same numbers whichever axis it lies along.

The kernels see the ghosted [z, y, x] arrays flattened: the neighbour of
a cell along an axis is `stride` = 1, gx or gx * gy entries away, so a
contiguous run of several x rows is one "face row" for every axis. Faces
are done in chunks of about CHUNK_FACES such runs (a few x rows, ghost
columns included), which keeps the per-call overhead small and the work
arrays in the L2 cache. Along y and z the faces of the previous chunk
serve the cells between the two chunks.

Non-uniform cells (a stretched grid): the reconstruction reads per-face
rows of coefficients that depend on the cells' widths along the axis
(faces.ppm_coefficients, reconstruct.plm_coefficients: one table over the
ghosted cells of the axis, computed once). For a chunk, `_fill_rows`
spreads the table over its faces: along x every chunk has the same
pattern (one x row after another, filled once), along y each x row of the
chunk has one value, along z the whole chunk. Each cell's divergence uses
its own width. The uniform path calls the kernels it always did.
"""

import numba
import numpy as np

from parleak.hydro.faces import PPM, plm_faces_row, plm_faces_row_stretched, ppm_faces_row, ppm_faces_row_stretched
from parleak.hydro.layout import (C_DENS, C_DENS_YE, C_ETOT, C_MOM_X, N_CONSERVED, N_PRIMITIVE, P_GAMMA_C, P_GAMMA_E,
                                  P_PRESS, P_RHO, P_VX, P_YE)
from parleak.hydro.riemann import HLLE, hlle_row, hllc_row
CHUNK_FACES = 1024


@numba.njit(cache=True)
def _fill_rows(coef, table, n_faces, first, offset, period, modulo, offsets):
    """coef[c, o, f] = table[c, i(f) + o - 2] for the faces f < n_faces of a
    chunk whose upper cells have the axis index i(f) = first + ((offset +
    f) // period) % modulo (clamped to the table: those faces' fluxes are
    not used), for the offsets offsets[0] <= o < offsets[1] that the
    reconstruction reads; filled in runs of constant i."""
    last = table.shape[1] - 1
    f = 0
    while f < n_faces:
        run = (offset + f) // period
        i = first + run % modulo
        end = min(n_faces, (run + 1) * period - offset)
        for o in range(offsets[0], offsets[1]):
            j = min(max(i + o - 2, 0), last)
            for c in range(table.shape[0]):
                row = coef[c, o]
                value = table[c, j]
                for g in range(f, end):
                    row[g] = value
        f = end


@numba.njit(cache=True)
def _chunk_fluxes(prim, perm, start, n_faces, stride, reconstruction, solver, work, coef, stretched):
    """Fluxes (MASS ... LEPTON order) through the n_faces faces whose upper
    cells are the flat positions start, start + 1, ..., as a C-contiguous
    (6, n_faces) view of the flat buffer work[2] (work[0], work[1] hold
    the left and right face states). With `stretched`, coef holds the
    chunk's coefficient rows (_fill_rows), or one (C, 4) set for the whole
    chunk (faces.coefficient)."""
    left = work[0][:N_PRIMITIVE * n_faces].reshape((N_PRIMITIVE, n_faces))
    right = work[1][:N_PRIMITIVE * n_faces].reshape((N_PRIMITIVE, n_faces))
    flux = work[2][:N_CONSERVED * n_faces].reshape((N_CONSERVED, n_faces))
    for v in range(N_PRIMITIVE):
        q = prim[perm[v]]
        q_m2 = q[start - 2 * stride:start - 2 * stride + n_faces]
        q_m1 = q[start - stride:start - stride + n_faces]
        q_0 = q[start:start + n_faces]
        q_p1 = q[start + stride:start + stride + n_faces]
        if reconstruction == PPM:
            q_m3 = q[start - 3 * stride:start - 3 * stride + n_faces]
            q_p2 = q[start + 2 * stride:start + 2 * stride + n_faces]
            if stretched:
                ppm_faces_row_stretched(q_m3, q_m2, q_m1, q_0, q_p1, q_p2, coef, left[v], right[v])
            else:
                ppm_faces_row(q_m3, q_m2, q_m1, q_0, q_p1, q_p2, left[v], right[v])
        elif stretched:
            plm_faces_row_stretched(q_m2, q_m1, q_0, q_p1, coef, left[v], right[v], reconstruction)
        else:
            plm_faces_row(q_m2, q_m1, q_0, q_p1, left[v], right[v], reconstruction)
    if solver == HLLE:
        hlle_row(left, right, flux)
    else:
        hllc_row(left, right, flux)
    return flux


@numba.njit(cache=True, error_model="numpy")
def _add_divergence(rhs, flux_to, lower, lower_at, upper, upper_at, cell_at, n_rows, row_step, n_cells, inv_dx):
    """For n_rows rows of n_cells cells, row r starting at the flat position
    cell_at + r * row_step: rhs += F_lower / dx, then -= F_upper / dx, with
    F_lower from `lower` at lower_at + r * row_step + i and F_upper from
    `upper` at upper_at + r * row_step + i."""
    for c in range(N_CONSERVED):
        for r in range(n_rows):
            # Row views, so that the inner loop indexes with its counter only
            # (no negative-index checks) and vectorises.
            p = cell_at + r * row_step
            out = rhs[flux_to[c], p:p + n_cells]
            f_lower = lower[c, lower_at + r * row_step:lower_at + r * row_step + n_cells]
            f_upper = upper[c, upper_at + r * row_step:upper_at + r * row_step + n_cells]
            for i in range(n_cells):
                out[i] = (out[i] + f_lower[i] * inv_dx) - f_upper[i] * inv_dx


@numba.njit(cache=True, error_model="numpy")
def _add_divergence_cells(rhs, flux_to, flux, cell_at, n_rows, row_step, n_cells, inv_widths):
    """_add_divergence along x with each cell's own 1/width (inv_widths,
    1/cm, one per cell of a row); F_lower at flux[c, p], F_upper at
    flux[c, p + 1] for the cell at offset p from the chunk's start."""
    for c in range(N_CONSERVED):
        for r in range(n_rows):
            p = cell_at + r * row_step
            out = rhs[flux_to[c], p:p + n_cells]
            f_lower = flux[c, r * row_step:r * row_step + n_cells]
            f_upper = flux[c, r * row_step + 1:r * row_step + 1 + n_cells]
            for i in range(n_cells):
                out[i] = (out[i] + f_lower[i] * inv_widths[i]) - f_upper[i] * inv_widths[i]


@numba.njit(cache=True)
def _flux_divergence(prim, rhs, shape, axis, inv_dx, reconstruction, solver, lo, hi, table, inv_widths):
    gy, gx = shape[1], shape[2]
    t1, t2 = (1, 2) if axis == 0 else ((2, 0) if axis == 1 else (0, 1))
    perm = np.array([P_RHO, P_VX + axis, P_VX + t1, P_VX + t2, P_PRESS, P_YE, P_GAMMA_C, P_GAMMA_E])
    flux_to = np.array([C_DENS, C_MOM_X + axis, C_MOM_X + t1, C_MOM_X + t2, C_ETOT, C_DENS_YE])
    rows = max(1, CHUNK_FACES // gx)  # x rows per chunk
    size = rows * gx + 1
    work = (np.empty(N_PRIMITIVE * size), np.empty(N_PRIMITIVE * size), np.empty(N_CONSERVED * size))
    spare = np.empty(N_CONSERVED * size)  # the previous chunk's fluxes along z
    carry = np.empty((N_CONSERVED, gx))  # the previous chunk's last face row along y
    stretched = table.shape[0] > 0
    offsets = (0, 4) if reconstruction == PPM else (1, 3)  # PLM reads the cells at offsets -1 and 0 only
    coef = np.empty((table.shape[0], 4, size))
    n_x = hi[2] - lo[2]
    if axis == 0:
        if stretched:
            _fill_rows(coef, table, size, 0, lo[2], 1, gx, offsets)
        for k in range(lo[0], hi[0]):
            for j0 in range(lo[1], hi[1], rows):
                n_rows = min(rows, hi[1] - j0)
                start = (k * gy + j0) * gx + lo[2]
                flux = _chunk_fluxes(prim, perm, start, (n_rows - 1) * gx + n_x + 1, 1, reconstruction, solver, work,
                                     coef, stretched)
                if stretched:
                    _add_divergence_cells(rhs, flux_to, flux, start, n_rows, gx, n_x, inv_widths[lo[2]:hi[2]])
                else:
                    _add_divergence(rhs, flux_to, flux, 0, flux, 1, start, n_rows, gx, n_x, inv_dx)
    elif axis == 1:
        # Chunks of face rows j0 .. j0 + n_rows - 1 (from lo to hi, the
        # upper face of the last cell row included).
        # The coefficient rows of a chunk depend on j0 only: filled once per j0.
        starts = np.arange(lo[1], hi[1] + 1, rows)
        chunk_coef = np.empty((starts.size if stretched else 0, table.shape[0], 4, size))
        for c in range(chunk_coef.shape[0]):
            j0 = starts[c]
            _fill_rows(chunk_coef[c], table, (min(rows, hi[1] + 1 - j0) - 1) * gx + n_x, j0, lo[2], gx, gy, offsets)
        for k in range(lo[0], hi[0]):
            for c, j0 in enumerate(starts):
                n_rows = min(rows, hi[1] + 1 - j0)
                start = (k * gy + j0) * gx + lo[2]
                n_faces = (n_rows - 1) * gx + n_x
                flux = _chunk_fluxes(prim, perm, start, n_faces, gx, reconstruction, solver, work,
                                     chunk_coef[c] if stretched else coef, stretched)
                if j0 > lo[1]:  # the cell row between the previous chunk and this one
                    _add_divergence(rhs, flux_to, carry, 0, flux, 0, start - gx, 1, gx, n_x,
                                    inv_widths[j0 - 1] if stretched else inv_dx)
                inner = min(n_rows - 1, hi[1] - j0)
                if stretched:
                    for r in range(inner):
                        _add_divergence(rhs, flux_to, flux, r * gx, flux, (r + 1) * gx, start + r * gx, 1, gx, n_x,
                                        inv_widths[j0 + r])
                else:
                    _add_divergence(rhs, flux_to, flux, 0, flux, gx, start, inner, gx, n_x, inv_dx)
                carry[:, :n_x] = flux[:, (n_rows - 1) * gx:(n_rows - 1) * gx + n_x]
    else:
        # Chunks of x rows stacked along z: the previous chunk holds the
        # same rows' faces one plane lower.
        plane = gx * gy
        plane_coef = np.zeros((table.shape[0], 4))
        for j0 in range(lo[1], hi[1], rows):
            n_rows = min(rows, hi[1] - j0)
            n_faces = (n_rows - 1) * gx + n_x
            for k in range(lo[0], hi[0] + 1):
                start = (k * gy + j0) * gx + lo[2]
                if stretched:  # one coefficient per (column, offset) for the whole plane
                    for o in range(4):
                        plane_coef[:, o] = table[:, min(max(k + o - 2, 0), table.shape[1] - 1)]
                flux = _chunk_fluxes(prim, perm, start, n_faces, plane, reconstruction, solver, work, plane_coef,
                                     stretched)
                if k > lo[0]:
                    below = spare[:N_CONSERVED * n_faces].reshape((N_CONSERVED, n_faces))
                    _add_divergence(rhs, flux_to, below, 0, flux, 0, start - plane, n_rows, gx, n_x,
                                    inv_widths[k - 1] if stretched else inv_dx)
                work, spare = (work[0], work[1], spare), work[2]


NO_TABLE = np.empty((0, 0))


def add_flux_divergence(prim, rhs, axis, inv_dx, reconstruction, solver, lo, hi, table=NO_TABLE, inv_widths=None):
    """rhs[c] += (F[c] at the lower face - F[c] at the upper face) / dx along
    `axis`, for the cells lo <= (z, y, x) < hi.

    prim: (8, gz, gy, gx) primitives (P_* order), ghosts filled; rhs: the
    (6, gz, gy, gx) block of the conserved right-hand sides (C_* order,
    units of the conserved variable per second), both C-contiguous; inv_dx:
    1/dx, 1/cm. Non-uniform cells: table, the reconstruction's coefficient
    table over the ghosted cells of the axis (faces.ppm_coefficients or
    reconstruct.plm_coefficients of grid.widths(axis)), and inv_widths,
    1/width of those cells, 1/cm (inv_dx is then not used).
    """
    if not (prim.flags.c_contiguous and rhs.flags.c_contiguous):
        raise ValueError("add_flux_divergence needs C-contiguous prim and rhs (a reshaped copy would lose the update)")
    shape = np.array(prim.shape[1:])
    _flux_divergence(prim.reshape(N_PRIMITIVE, -1), rhs.reshape(N_CONSERVED, -1), shape, axis, inv_dx,
                     reconstruction, solver, np.asarray(lo), np.asarray(hi), table,
                     np.empty(0) if inv_widths is None else inv_widths)
