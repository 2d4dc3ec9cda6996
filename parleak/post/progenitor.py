"""The comparison of a run started from a progenitor with the progenitor
file (layer: post; numpy and matplotlib Figure objects with the Agg
renderer, no pyplot): density, temperature, Ye and radial velocity against
radius, the file's zones as a line and the grid's radial averages as
points.

The grid's values per radial bin (`binned_grid`), over the cells whose
centres lie in the bin (distance r from `centre`, cell volumes V and
masses m = rho V from the dump's faces):

    density      sum m / sum V                 (the bin's mass over its volume)
    T, Ye, v_r   sum m f / sum m               (mass-weighted means)
    r            sum m r / sum m
    v_r          v . (x - centre) / r          (0 at r = 0)
"""

import math
import os
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from parleak.post.plots import DPI, KM
from parleak.post.profiles import radii

FIGURE_SIZE = (1200, 900)  # pixels, width x height
ORIGIN = (0.0, 0.0, 0.0)


@dataclass
class GridProfile:
    """The grid's radial averages per bin (edges: n + 1 radii, cm): r
    (cm), density (g/cm^3), temperature (MeV), ye, velocity (radial, cm/s),
    mass (g) and count (cells) per bin; NaN in an empty bin, and None for
    a quantity whose field the dump lacks (temp, vel_x/y/z)."""

    edges: np.ndarray
    r: np.ndarray
    density: np.ndarray
    temperature: np.ndarray
    ye: np.ndarray
    velocity: np.ndarray
    mass: np.ndarray
    count: np.ndarray


def default_edges(dump, centre):
    """Bin edges (cm) from 0 past the cell farthest from `centre`, as wide
    as the narrowest cell of the grid's axes."""
    dim = int(dump.attrs["dim"])
    width = min(dump.widths(a).min() for a in range(dim))
    largest = radii(dump.x, dump.y, dump.z, centre).max()
    return np.arange(math.floor(largest / width) + 2) * width


def radial_velocity(dump, centre, r):
    """v . (x - centre) / r (cm/s) of every cell [z, y, x]; 0 where r = 0."""
    cx, cy, cz = centre
    dot = (dump.fields["vel_x"] * (dump.x[None, None, :] - cx) + dump.fields["vel_y"] * (dump.y[None, :, None] - cy)
           + dump.fields["vel_z"] * (dump.z[:, None, None] - cz))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(r > 0.0, dot / r, 0.0)


def binned_grid(dump, centre=ORIGIN, edges=None):
    """The GridProfile of `dump` (fields dens and, where present, temp, ye,
    vel_x, vel_y, vel_z) about `centre` (cm, x, y, z) in bins with `edges`
    (cm; default_edges when None); see the module docstring."""
    edges = default_edges(dump, centre) if edges is None else np.asarray(edges, dtype=float)
    r = radii(dump.x, dump.y, dump.z, centre)
    volume = np.broadcast_to(dump.volumes(), r.shape)
    mass = dump.fields["dens"] * volume
    which = np.digitize(r.ravel(), edges) - 1
    inside = (which >= 0) & (which < edges.size - 1)
    n = edges.size - 1

    def total(weights):
        return np.bincount(which[inside], np.ravel(weights)[inside], n)
    bin_mass = total(mass)

    def mean(values):
        if values is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return total(mass * values) / bin_mass
    velocity = radial_velocity(dump, centre, r) if all(f"vel_{a}" in dump.fields for a in "xyz") else None
    with np.errstate(invalid="ignore", divide="ignore"):
        density = bin_mass / total(volume)
    return GridProfile(edges, mean(r), density, mean(dump.fields.get("temp")), mean(dump.fields.get("ye")),
                       mean(velocity), bin_mass, np.bincount(which[inside], minlength=n))


def _panel(axes, profile_r, file_values, grid_r, grid_values, label, log):
    axes.plot(profile_r, file_values, color="black", label="progenitor file")
    if grid_values is None:
        axes.text(0.5, 0.5, "not in this dump", transform=axes.transAxes, ha="center", va="center")
    else:
        axes.plot(grid_r, grid_values, linestyle="none", marker="o", markersize=4, color="tab:red",
                  label="grid (radial averages)")
    axes.set_xscale("log")
    if log:
        axes.set_yscale("log")
    axes.set_ylabel(label)
    axes.grid(alpha=0.3)


def plot_progenitor(profile, dump, path, centre=ORIGIN, edges=None):
    """One PNG at `path` (FIGURE_SIZE pixels): the progenitor `profile`
    (parleak.progenitor.Profile) as lines and binned_grid(dump, centre,
    edges) as points, against radius (log), over the radii the grid
    covers: density and T log-log, Ye, radial velocity. Returns [path]."""
    grid = binned_grid(dump, centre, edges)
    scale, unit = (KM, "km") if grid.edges[-1] >= KM else (1.0, "cm")
    keep = slice(0, np.searchsorted(profile.radius, grid.edges[-1], side="right") + 1)  # and the next zone out
    file_r = profile.radius[keep] / scale
    grid_r = grid.r / scale
    figure = Figure(figsize=(FIGURE_SIZE[0] / DPI, FIGURE_SIZE[1] / DPI), dpi=DPI)
    panels = figure.subplots(2, 2, sharex=True).ravel()
    _panel(panels[0], file_r, profile.density[keep], grid_r, grid.density, "density [g/cm^3]", log=True)
    _panel(panels[1], file_r, profile.temperature[keep], grid_r, grid.temperature, "temperature [MeV]", log=True)
    _panel(panels[2], file_r, profile.ye[keep], grid_r, grid.ye, "Ye (dimensionless)", log=False)
    _panel(panels[3], file_r, profile.velocity[keep], grid_r, grid.velocity, "radial velocity [cm/s]", log=False)
    panels[0].legend(fontsize="small")
    for axes in panels[2:]:
        axes.set_xlabel(f"r [{unit}]")
    centre_text = ", ".join(f"{c / scale:.4g}" for c in centre)
    figure.suptitle(f"{os.path.basename(profile.path)} ({profile.format}) and the grid at t = {dump.time:.5g} s "
                    f"(step {dump.step}); centre ({centre_text}) {unit}")
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    return [path]
