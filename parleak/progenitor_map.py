"""Mapping a spherical progenitor profile onto Cartesian cells without
losing mass (layer: numerics; numpy and numba only).

The profile's fields between its zone centres r_i are linear in r (and
constant inside r_0 and beyond the last zone):

    f(r) = f_i + (f_{i+1} - f_i) (r - r_i) / (r_{i+1} - r_i)

for f = rho, T, Ye and the radial velocity v. Its enclosed mass is the
exact integral of that density, M(r) = integral_0^r 4 pi s^2 rho(s) ds
(`enclosed_mass`), so the mass the grid should hold is the volume integral
of rho(|x - centre|) over each cell, not rho at the cell's centre (point
sampling loses or adds a percent of the core's mass on coarse cells where
rho falls steeply).

Each cell (faces x0 < x1, y0 < y1, z0 < z1; any widths, so uniform and
stretched grids alike) gets, by Gauss-Legendre quadrature with n nodes per
axis (n^3 per cell, weights w):

    m    = sum w rho(r)                      rho_cell = m / V
    T    = sum w rho T(r)  / m               (mass-weighted means)
    Ye   = sum w rho Ye(r) / m
    v    = sum w rho v(r) (x - c) / r / m    (momentum per mass, a vector)

The quadrature is exact for polynomials of degree 2n - 1 per axis; rho(r)
is smooth inside each cell except at the kinks of the profile, where the
error falls as the cells shrink. Every cell's values depend on its faces
only, so they are the same on any decomposition.
"""

import numba
import numpy as np

DEFAULT_POINTS = 4


def enclosed_mass(radius, density, r):
    """M(r) (g) of the profile (zone centres `radius` cm, `density`
    g/cm^3), linear in r between centres and constant inside the first:
    exact integrals of 4 pi s^2 (a + b s) over each piece. r: cm (array)."""
    radius = np.asarray(radius, dtype=float)
    density = np.asarray(density, dtype=float)
    r = np.asarray(r, dtype=float)
    slope = np.diff(density) / np.diff(radius)
    start = density[:-1] - slope * radius[:-1]                 # rho = start + slope s on a piece

    def piece(a, b, lo, hi):                                   # integral_lo^hi 4 pi s^2 (a + b s) ds
        return 4.0 * np.pi * (a * (hi ** 3 - lo ** 3) / 3.0 + b * (hi ** 4 - lo ** 4) / 4.0)
    at_nodes = np.concatenate(([4.0 * np.pi / 3.0 * density[0] * radius[0] ** 3],
                               piece(start, slope, radius[:-1], radius[1:])))
    cumulative = np.cumsum(at_nodes)
    index = np.clip(np.searchsorted(radius, r, side="right") - 1, -1, radius.size - 1)
    inner = index < 0
    last = index == radius.size - 1
    i = np.clip(index, 0, radius.size - 2)
    partial = piece(start[i], slope[i], radius[i], np.minimum(r, radius[i + 1]))
    mass = cumulative[i] + partial
    mass = np.where(last, cumulative[-1] + 4.0 * np.pi / 3.0 * density[-1] * (r ** 3 - radius[-1] ** 3), mass)
    return np.where(inner, 4.0 * np.pi / 3.0 * density[0] * r ** 3, mass)


def axis_nodes(lower_faces, upper_faces, points=DEFAULT_POINTS):
    """Gauss-Legendre nodes (cm) and weights (cm) of each cell along one
    axis: two (cells, points) arrays."""
    xi, weight = np.polynomial.legendre.leggauss(points)
    lower = np.asarray(lower_faces, dtype=float)[:, None]
    upper = np.asarray(upper_faces, dtype=float)[:, None]
    half = 0.5 * (upper - lower)
    return 0.5 * (lower + upper) + half * xi[None, :], half * weight[None, :]


@numba.njit(cache=True, inline="always")
def _interpolate(radius, values, index, t):
    return values[index] + t * (values[index + 1] - values[index])


@numba.njit(cache=True)
def _map_cells(radius, rho, temp, ye, vel, xn, xw, yn, yw, zn, zw, volume, out_rho, out_temp, out_ye, out_vel):
    """The module docstring's sums for every cell [k, j, i] (nodes and
    weights per axis relative to the centre; volume [k, j, i] cm^3)."""
    last = radius.size - 1
    for k in range(zn.shape[0]):
        for j in range(yn.shape[0]):
            for i in range(xn.shape[0]):
                mass = 0.0
                heat = 0.0
                lepton = 0.0
                px = 0.0
                py = 0.0
                pz = 0.0
                for c in range(zn.shape[1]):
                    z = zn[k, c]
                    for b in range(yn.shape[1]):
                        y = yn[j, b]
                        wzy = zw[k, c] * yw[j, b]
                        for a in range(xn.shape[1]):
                            x = xn[i, a]
                            r = np.sqrt(x * x + y * y + z * z)
                            index = np.searchsorted(radius, r) - 1
                            if index < 0:
                                index, t = 0, 0.0
                            elif index >= last:
                                index, t = last - 1, 1.0
                            else:
                                t = (r - radius[index]) / (radius[index + 1] - radius[index])
                            w = wzy * xw[i, a] * _interpolate(radius, rho, index, t)
                            mass += w
                            heat += w * _interpolate(radius, temp, index, t)
                            lepton += w * _interpolate(radius, ye, index, t)
                            wv = w * _interpolate(radius, vel, index, t) / r if r > 0.0 else 0.0
                            px += wv * x
                            py += wv * y
                            pz += wv * z
                out_rho[k, j, i] = mass / volume[k, j, i]
                out_temp[k, j, i] = heat / mass
                out_ye[k, j, i] = lepton / mass
                out_vel[0, k, j, i] = px / mass
                out_vel[1, k, j, i] = py / mass
                out_vel[2, k, j, i] = pz / mass


def map_profile(radius, density, temperature, ye, velocity, faces, centre, points=DEFAULT_POINTS):
    """Cell values of a spherical profile on a block of cells.

    radius (cm, increasing zone centres), density (g/cm^3), temperature
    (MeV), ye, velocity (radial, cm/s): the profile. faces: per axis x, y,
    z the (lower, upper) face coordinates (cm) of the block's cells along
    that axis (two 1-D arrays). centre: the star's centre (cm, 3 values).
    Returns (rho g/cm^3, temp MeV, ye, velocity (3, ...) cm/s), arrays
    [z, y, x]: the mass-weighted cell means of the module docstring."""
    profile = [np.ascontiguousarray(a, dtype=float) for a in (radius, density, temperature, ye, velocity)]
    nodes = [axis_nodes(lo - c, hi - c, points) for (lo, hi), c in zip(faces, centre)]
    widths = [np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float) for lo, hi in faces]
    volume = widths[2][:, None, None] * widths[1][None, :, None] * widths[0][None, None, :]
    shape = volume.shape
    rho, temp, ye_out = (np.empty(shape) for _ in range(3))
    vel = np.empty((3,) + shape)
    _map_cells(*profile, *nodes[0], *nodes[1], *nodes[2], volume, rho, temp, ye_out, vel)
    return rho, temp, ye_out, vel
