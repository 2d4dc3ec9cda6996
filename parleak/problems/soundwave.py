"""Problem `soundwave`: a linear sound wave in a periodic box, the smooth
problem for convergence tests.

Background rho0 (g/cm^3) and p0 = rho0 c^2 / gamma with sound speed c
(cm/s); the wave vector k = 2 pi (n_x / L_x, n_y / L_y, ...) with integer
wave numbers, direction e = k / |k|. In linear theory (relative amplitude
A, phase s = sin(k.x - |k| c t)):
    rho = rho0 (1 + A s),  v = c A s e,  p = p0 (1 + gamma A s),
so the conserved cell averages are dens = rho0 (1 + A S), mom = rho0 c A S
e, etot = p0 (1 + gamma A S) / (gamma - 1) + O(A^2), with S the exact cell
average of s. Errors of the solver beyond O(A^2) therefore show against
`solution` (A = 1e-6 keeps the O(A^2) terms below 1e-12 rho0).
"""

import math

import numpy as np

from parleak.config import ConfigError, Key, positive
from parleak.grid_keys import dim
from parleak.hydro.layout import CONSERVED
from parleak.problems import common

SCHEMA = {
    "soundwave.density": Key(float, default=1.0, valid=positive(), help="background density rho0, g/cm^3"),
    "soundwave.sound_speed": Key(float, default=1.0, valid=positive(), help="background sound speed, cm/s"),
    "soundwave.amplitude": Key(float, default=1e-6, valid=positive(), help="relative density amplitude A"),
    "soundwave.wavenumbers": Key(int, default=lambda r: [1] + [0] * (dim(r) - 1), length=dim,
                                 help="integer wave number per axis"),
}
SCHEMA.update(common.hydro_schema(gamma=5.0 / 3.0, density_floor=1e-10, pressure_floor=1e-12))

min_ghost = common.min_ghost
setup = common.setup


def check(values, where):
    """The pressure p0 (1 + gamma A s) and density rho0 (1 + A s) stay
    positive: A < 1 / gamma (< 1)."""
    common.check(values, where)
    amplitude, gamma = values["soundwave.amplitude"], values["eos.gamma"]
    if not amplitude * gamma < 1.0:
        raise ConfigError(f"soundwave.amplitude = {amplitude!r}{where('soundwave.amplitude', 'eos.gamma')}: the "
                          "pressure p0 (1 + eos.gamma A sin(...)) "
                          f"must stay > 0; with eos.gamma = {gamma!r} the amplitude must be < {1.0 / gamma:.4g}")


def solution(config, grid, time):
    """(dens, mom_x, mom_y, mom_z, etot, dens_ye) cell averages at `time`
    (s) on the local ghosted cells, to first order in A."""
    rho0, c, amplitude = config["soundwave.density"], config["soundwave.sound_speed"], config["soundwave.amplitude"]
    gamma = config["eos.gamma"]
    length = [grid.upper[a] - grid.lower[a] for a in range(grid.dim)]
    k = [2.0 * np.pi * n / L for n, L in zip(config["soundwave.wavenumbers"], length)]
    k_norm = float(np.sqrt(sum(v * v for v in k)))
    mesh = grid.local_mesh()
    phase = sum(k[a] * (mesh[2 - a] - grid.lower[a]) for a in range(grid.dim)) - k_norm * c * time
    # Cell average of sin(k.x): the centre value times prod_a sinc(k_a w_a / 2 pi),
    # w_a the cell's width (the average of exp(i k x) over [c - w/2, c + w/2]).
    if grid.uniform:
        damping = np.prod([np.sinc(k[a] * grid.dx[a] / (2.0 * np.pi)) for a in range(grid.dim)])
    else:
        damping = math.prod([np.sinc(k[a] * grid.widths(a) / (2.0 * np.pi)).reshape((-1,) + (1,) * a)
                             for a in range(grid.dim)])
    average = damping * np.sin(phase)
    average = np.broadcast_to(average, grid.local_shape)
    p0 = rho0 * c * c / gamma
    direction = [k[a] / k_norm if a < grid.dim else 0.0 for a in range(3)]
    dens = rho0 * (1.0 + amplitude * average)
    momentum = [rho0 * c * amplitude * average * e for e in direction]
    etot = p0 * (1.0 + gamma * amplitude * average) / (gamma - 1.0)
    return (dens, *momentum, etot, 0.5 * dens)


def initialize(config, state, physics):
    for name, values in zip(CONSERVED, solution(config, state.grid, 0.0)):
        state[name][...] = values
