"""The hydrodynamics physics module: Euler fluxes for the integrator.

Each right-hand side evaluation (every Runge-Kutta stage) converts the
conserved state to primitives on all cells (ghosts included, so no second
halo exchange is needed), applies the floors, calls the EOS, and adds the
flux divergence of every axis into one right-hand side (unsplit). It
publishes the primitives as the stage data "primitives" (a Primitives),
which later physics of the stage (the leakage) declare in their `needs`;
they add their sources to the conserved fields, e.g.
rhs[state.index["dens_ye"]] (g/cm^3/s) and rhs[state.index["etot"]]
(erg/cm^3/s).
"""

import typing

import numba
import numpy as np

from parleak.budget import StageIntegrals
from parleak.constants import AVOGADRO_NUMBER
from parleak.hydro.faces import GHOST_NEEDED, PPM, RECONSTRUCTIONS, ppm_coefficients
from parleak.hydro.fluxes import NO_TABLE, add_flux_divergence
from parleak.hydro.layout import (C_DENS, C_DENS_YE, C_ETOT, CONSERVED, N_CONSERVED, N_PRIMITIVE, P_GAMMA_C, P_PRESS,
                                  P_RHO, P_VX, P_YE)
from parleak.hydro.primitives import (apply_density_floor, apply_pressure_floor, count_below, count_pressure_floor,
                                      primitive_rows)
from parleak.hydro.riemann import RIEMANN_SOLVERS
from parleak.parallel import CollectiveError
from parleak.physics import Physics
from parleak.reconstruct import plm_coefficients
from parleak.state import FieldSpec

BUDGET_ROWS = (C_DENS, C_ETOT, C_DENS_YE)  # the conserved fields whose boundary fluxes are accumulated


@numba.njit(cache=True, error_model="numpy")
def _signal_rate_row(rho, vx, vy, vz, press, gamma_c, inv_dx, inv_dy, inv_dz):
    rate = 0.0
    for i in range(rho.size):
        c = np.sqrt(gamma_c[i] * press[i] / rho[i])
        rate = max(rate, (abs(vx[i]) + c) * inv_dx[i] + (abs(vy[i]) + c) * inv_dy + (abs(vz[i]) + c) * inv_dz)
    return rate


@numba.njit(cache=True)
def max_signal_rate(prim, inv_x, inv_y, inv_z, lo, hi):
    """max over lo <= cell < hi of sum_a (|v_a| + c_s) / w_a, 1/s, with
    inv_x, inv_y, inv_z the 1/width (1/cm) of the ghosted cells along each
    axis (0 along an axis the grid does not have)."""
    rate = 0.0
    i0, i1 = lo[2], hi[2]
    for k in range(lo[0], hi[0]):
        for j in range(lo[1], hi[1]):
            rate = max(rate, _signal_rate_row(
                prim[P_RHO, k, j, i0:i1], prim[P_VX, k, j, i0:i1], prim[P_VX + 1, k, j, i0:i1],
                prim[P_VX + 2, k, j, i0:i1], prim[P_PRESS, k, j, i0:i1], prim[P_GAMMA_C, k, j, i0:i1],
                inv_x[i0:i1], inv_y[j], inv_z[k]))
    return rate


class Primitives(typing.NamedTuple):
    """The primitives of one stage on the ghosted local grid ([z, y, x]
    arrays, views of the Hydro's): rho g/cm^3, vel_x, vel_y, vel_z cm/s,
    press erg/cm^3, eps erg/g, ye 1, temp MeV (the State's temp field;
    None for an EOS without temperature)."""

    rho: np.ndarray
    vel_x: np.ndarray
    vel_y: np.ndarray
    vel_z: np.ndarray
    press: np.ndarray
    eps: np.ndarray
    ye: np.ndarray
    temp: typing.Optional[np.ndarray]


class Hydro(Physics):
    """Newtonian hydrodynamics of an EOS on `grid`.

    reconstruction: a key of faces.RECONSTRUCTIONS; riemann: a key of
    riemann.RIEMANN_SOLVERS; density_floor (g/cm^3) and pressure_floor
    (erg/cm^3), both > 0, make the atmosphere; atmosphere_ye is the Ye of
    atmosphere made from a cell of zero density.
    """

    def __init__(self, grid, eos, reconstruction, riemann, density_floor, pressure_floor, atmosphere_ye=0.5):
        self.grid = grid
        self.eos = eos
        self.reconstruction = RECONSTRUCTIONS[reconstruction]
        self.riemann = RIEMANN_SOLVERS[riemann]
        self.ghost_needed = GHOST_NEEDED[self.reconstruction]
        if grid.ghost < self.ghost_needed:
            raise ValueError(f"reconstruction {reconstruction!r} needs {self.ghost_needed} ghost cells, "
                             f"the grid has {grid.ghost}")
        self.density_floor = float(density_floor)
        self.pressure_floor = float(pressure_floor)
        self.atmosphere_ye = float(atmosphere_ye)
        self.fields = (
            FieldSpec("dens", "g/cm^3", description="mass density rho"),
            FieldSpec("mom_x", "g/(cm^2 s)", vector_axis=0, description="momentum density rho v_x"),
            FieldSpec("mom_y", "g/(cm^2 s)", vector_axis=1, description="momentum density rho v_y"),
            FieldSpec("mom_z", "g/(cm^2 s)", vector_axis=2, description="momentum density rho v_z"),
            FieldSpec("etot", "erg/cm^3", description="total energy density rho (eps + v^2/2)"),
            FieldSpec("dens_ye", "g/cm^3", description="electron fraction density rho Ye"),
            FieldSpec("vel_x", "cm/s", evolved=False, description="velocity v_x"),
            FieldSpec("vel_y", "cm/s", evolved=False, description="velocity v_y"),
            FieldSpec("vel_z", "cm/s", evolved=False, description="velocity v_z"),
            FieldSpec("press", "erg/cm^3", evolved=False, description="pressure"),
            FieldSpec("eps", "erg/g", evolved=False, description="specific internal energy"),
            FieldSpec("ye", "1", evolved=False, description="electron fraction"),
        ) + ((FieldSpec("temp", "MeV", evolved=False, description="temperature"),) if eos.has_temperature else ())
        self.prim = np.zeros((N_PRIMITIVE,) + grid.local_shape)
        self.eps = np.zeros(grid.local_shape)
        self._no_temperature = np.zeros(grid.local_shape)
        self.lo = np.array([s.start for s in grid.interior], dtype=np.int64)
        self.hi = np.array([s.stop for s in grid.interior], dtype=np.int64)
        # 1/width of the ghosted cells per axis, 1/cm (0 on a missing axis),
        # and on a non-uniform grid the reconstruction's coefficient tables.
        self.inv_widths = [1.0 / grid.widths(a) if a < grid.dim else np.zeros(1) for a in range(3)]
        self.inv_dx = [1.0 / grid.dx[a] for a in range(grid.dim)] if grid.uniform else [0.0] * grid.dim
        coefficients = ppm_coefficients if self.reconstruction == PPM else plm_coefficients
        self.tables = [NO_TABLE if grid.uniform else coefficients(grid.widths(a)) for a in range(grid.dim)]
        self.floors_applied = np.zeros(2, dtype=np.int64)  # density, pressure; summed over ranks
        self._divergence = StageIntegrals(grid, len(BUDGET_ROWS))
        self.outflow = np.zeros(len(BUDGET_ROWS))  # cumulative, through the domain boundary: g, erg, g (rho Ye)

    def _conserved(self, state):
        first = state.index["dens"]
        if [state.index[name] - first for name in CONSERVED] != list(range(N_CONSERVED)):
            raise ValueError(f"the hydro fields must be consecutive in the order {CONSERVED}")
        return state.data[first:first + N_CONSERVED]

    def _temperature(self, state):
        return state["temp"] if self.eos.has_temperature else self._no_temperature

    def primitives(self, state):
        """The Primitives last computed from `state` (views of the Hydro's
        arrays and of the state's temp)."""
        prim = self.prim
        temp = state["temp"] if self.eos.has_temperature else None
        return Primitives(prim[P_RHO], prim[P_VX], prim[P_VX + 1], prim[P_VX + 2], prim[P_PRESS], self.eps, prim[P_YE],
                          temp)

    def update_primitives(self, state, check=True):
        """Primitives on every local cell, with the floors applied (and
        written back to the conserved state). Collective: with `check`, it
        stops the run on every rank, with a CollectiveError naming the cell,
        when any rank has a cell with negative density or non-finite
        values."""
        cons, prim, eps, temp = self._conserved(state), self.prim, self.eps, self._temperature(state)
        n_density = n_pressure = n_bad = 0
        first_bad, bad_values = -1, None
        if primitive_rows(cons, prim, eps, self.density_floor):
            n_density, n_bad, first_bad, bad_values = apply_density_floor(
                cons, prim, eps, self.lo, self.hi, self.density_floor, self.atmosphere_ye)
        self.eos.from_rho_eps(prim[P_RHO], eps, prim[P_YE], temp, prim[P_PRESS], prim[P_GAMMA_C], prim[P_GAMMA_C + 1])
        if count_below(prim[P_PRESS], self.pressure_floor):
            n_pressure = count_pressure_floor(prim[P_PRESS], self.lo, self.hi, self.pressure_floor)
            apply_pressure_floor(self.eos, cons, prim, eps, temp, self.pressure_floor)
        counts = self.grid.sum_counts([n_density, n_pressure, n_bad])
        self.floors_applied += counts[:2]
        if counts[2] and check:
            self._stop_on_bad_cell(first_bad, bad_values, counts[2])

    def _stop_on_bad_cell(self, first_bad, bad_values, total_bad):
        """Raise CollectiveError on every rank naming the globally first bad
        cell (the same on any decomposition); collective."""
        grid = self.grid
        owner, index = grid.first_marked(first_bad)
        values = grid.from_rank(bad_values, owner)
        raise CollectiveError(
            f"hydro: {total_bad} cell(s) with negative density or non-finite values; the first is at "
            f"{grid.describe_cell(index)} (on rank {owner}), with "
            f"{', '.join(f'{name} = {value:.6e}' for name, value in zip(CONSERVED, values))}")

    provides = ("primitives",)
    restart_state = True
    extensive = ("total_mass", "total_energy", "total_leptons", "outflow_mass", "outflow_energy",
                 "outflow_leptons")

    def add_rhs(self, state, rhs, time, stage):
        self.update_primitives(state)
        stage["primitives"] = self.primitives(state)
        first = state.index["dens"]
        block = rhs[first:first + N_CONSERVED]
        eps_zero = self.eos.eps_zero
        if eps_zero:  # the face energies are rho (eps + eps_zero): see parleak.eos
            mass_rhs_before = block[C_DENS].copy()
        for axis in range(self.grid.dim):
            add_flux_divergence(self.prim, block, axis, self.inv_dx[axis], self.reconstruction, self.riemann,
                                self.lo, self.hi, self.tables[axis], self.inv_widths[axis])
        if eps_zero:
            block[C_ETOT] -= eps_zero * (block[C_DENS] - mass_rhs_before)
        self._divergence.add_stage([block[field][self.grid.interior] for field in BUDGET_ROWS])

    def end_step(self, dt, weights):
        """Accumulate what the step's fluxes carried out through the domain
        boundary into `outflow` (mass g, energy erg, rho Ye g): the flux
        divergence summed exactly over all cells telescopes to the boundary
        fluxes, so minus its stage-weighted (`weights`) volume integral
        times dt [s] is the outflow of the step (parleak.budget)."""
        self.outflow -= dt * self._divergence.combine(weights)

    def checkpoint_scalars(self):
        """The cumulative outflow, for a restart (parleak.io.checkpoint)."""
        return {"outflow": self.outflow.copy()}

    def restore_checkpoint(self, scalars, fields):
        self.outflow[...] = scalars["outflow"]

    def max_dt(self, state, stage):
        """The unsplit CFL limit for a Courant number of 1, s, from the
        current state (whose primitives it publishes)."""
        self.update_primitives(state)
        stage["primitives"] = self.primitives(state)
        rate = max_signal_rate(self.prim, *self.inv_widths, self.lo, self.hi)
        return np.inf if rate == 0.0 else 1.0 / rate

    def fill_diagnostics(self, state):
        """Fill the auxiliary fields (velocity, press, eps, ye) from the
        current state, for a dump (also of a state with bad cells)."""
        self.update_primitives(state, check=False)
        for a, name in enumerate(("vel_x", "vel_y", "vel_z")):
            state[name][...] = self.prim[P_VX + a]
        state["press"][...] = self.prim[P_PRESS]
        state["eps"][...] = self.eps
        state["ye"][...] = self.prim[P_YE]

    def scalars(self, state):
        """Grid totals for the scalar time series (collective): total_mass
        (g), total_energy (erg, kinetic + internal: the sum of etot V),
        total_leptons (N_A times the sum of rho Ye V: the baryon number
        N_A rho of the leakage), max_density (g/cm^3), and
        central_density, central_ye (and central_temp, MeV, with a
        temperature) at the cell of largest density (the lowest rank's
        first such cell on ties), and the cumulative outflow through the
        domain boundary (see end_step) outflow_mass (g), outflow_energy
        (erg) and outflow_leptons (N_A times outflow of rho Ye)."""
        grid = self.grid
        dens = state.interior("dens")
        values = {"total_mass": grid.integral(dens),
                  "total_energy": grid.integral(state.interior("etot")),
                  "total_leptons": grid.integral(state.interior("dens_ye")) * AVOGADRO_NUMBER,
                  "outflow_mass": float(self.outflow[0]), "outflow_energy": float(self.outflow[1]),
                  "outflow_leptons": float(self.outflow[2]) * AVOGADRO_NUMBER}
        cell = np.unravel_index(int(np.argmax(dens)), dens.shape)
        largest, owner = grid.max_with_rank(float(dens[cell]))
        centre = [float(state.interior("dens_ye")[cell] / dens[cell])]
        if self.eos.has_temperature:
            centre.append(float(state.interior("temp")[cell]))
        centre = grid.from_rank(centre, owner)
        values.update({"max_density": largest, "central_density": largest, "central_ye": centre[0]})
        if self.eos.has_temperature:
            values["central_temp"] = centre[1]
        return values

    def status(self):
        """A few words for the log line (collective: call on every rank).
        With a tabulated EOS, also the EOS evaluations since the last
        line that fell outside the table (clamped to its edge; summed over
        the ranks, ghost cells included), by kind."""
        text = f"floors rho {self.floors_applied[0]} p {self.floors_applied[1]}"
        if len(self.eos.counts):
            total = self.grid.sum_counts(self.eos.counts)
            self.eos.reset_counts()
            outside = [f"{name} {n}" for name, n in zip(self.eos.out_of_range, total) if n]
            text += f"  eos off-table: {', '.join(outside) if outside else 'none'}"
        return text
