"""Leakage coupled into the hydro evolution: the source terms in the
right-hand side of every Runge-Kutta stage, the optical-depth cadence, the
source time-step limit and the stage-weighted luminosities (the leakage
of Ruffert, Janka & Schaefer 1996, A&A 311, 532, and Rosswog &
Liebendoerfer 2003, MNRAS 342, 673, as sources of the hydro equations).

Source terms, added to the owned cells of the right-hand side in every
stage from that stage's primitives (rho, Ye from the Hydro, the
temperature that the Hydro's EOS call left in the state field `temp`):

    d(etot)/dt    += -energy_loss_rate    [erg cm^-3 s^-1]
    d(dens_ye)/dt += rho dYe/dt           [g cm^-3 s^-1]

with energy_loss_rate = sum_s Q_eff(s) >= 0 (the energy leaving the matter)
and dYe/dt = (R_eff(anti-nu_e) - R_eff(nu_e)) / (N_A rho) (negative while
the matter deleptonises) of `parleak.microphysics.leakage.leakage_sources`
(computed by its lean twin `leakage_source_terms`, bitwise the same).

Density cutoff (`min_density`, key leakage.min_density, default 1e8
g cm^-3): cells with rho below it get no sources at all (R_eff = Q_eff = 0:
no emission, no cooling, no lepton change), and neither the EOS lookup nor
the leakage kernel runs there (the sources of the other cells are bitwise
those without the cutoff). In a pns atmosphere (3e7-5e7 g cm^-3, 1.4 MeV)
the emission per volume is below 1e-9 of that of hot dense matter (1e13
g cm^-3, 8 MeV; tests/test_coupling.py). The trapped-neutrino
pressure below it uses eta_nu = 0 (its threshold factor f(rho) is below
2e-9 there for the default rho_th).

Table floor: cells at the EOS table's lowest temperature or Ye (T <= T_min,
Ye <= Ye_min; the inversion clamps T there) get no sources either: the
leakage cannot drive matter off the table. Without nuclei (the built-in
EOS) cold, degenerate surface layers would otherwise keep capturing
electrons (their capture rate does not vanish as T -> 0) down to Ye and T
far below any table, and the hydro then fails there.

Load balance: the cells with sources (the dense matter) may sit on a few
ranks of the decomposition (in the pns octant on 2 ranks, 24 000 of 30 000
on one). Each evaluation shares its point-wise work evenly over the ranks
(`parleak.neutrino.evaluation.SharedEvaluation`): the inputs (rho, T, Ye)
of the cells that need opacities or sources move once to where they are
evaluated, the EOS is looked up there once (an optical-depth update and the
sources that follow it share the lookup), and only the optical depths
(there) and the opacities and sources (back) move afterwards; the stage
integrands are summed where the cells were evaluated. The kernels are
point-wise, so every value is bitwise that without sharing.

Optical depths (`tau_every`): 0 recomputes them in every stage (skipped
when rho, T, Ye of every cell are unchanged since the last computation, as
in the first stage right after `max_dt`); N >= 1 at the start of steps
0, N, 2N, ... (in `max_dt`, or in the first stage when `max_dt` was not
called). Each update makes `tau_iterations` (kappa, tau) iterations
(`OpticalDepth.converged`) from the previous tau, 1 by default: the
neutrino degeneracies in the opacities then lag by one update, which in
the pns changes tau by about 1e-7 relative (the change a second iteration
makes); 0 iterates to optical_depth.tolerance. The first update (no
previous tau) always iterates to the tolerance from tau = 0. Between
updates the sources use the last tau.

Luminosities: every stage records the volume integrals over the owned
cells of all ranks of R_eff(s), Q_eff(s), energy_loss_rate and rho dYe/dt
(exactly, parleak.budget.StageIntegrals). `end_step(dt, weights)` (called
by the integrator) forms the step's values as sum_stage w_stage x stage
value, with the weights the integrator applied, so dt x `energy_loss` is the
energy the sources removed from the grid in the step (to round-off). Each
cell counts with its volume (`Grid.volumes`; on a stretched grid the
volumes move with the cells to where they are evaluated). In 1-D (2-D)
the volume of a cell is its width (area): the integrals are per unit
area (length). They are integrals over the grid: a domain that is one
half, quarter or octant of the star gives that fraction of its luminosity.

Trapped-neutrino pressure (optional, `trapped_density` rho_th): with P_nu
of `parleak.microphysics.trapped` at the stage's T and nu_e degeneracy eta_nu
(the leakage's, blended with tau) and f(rho) its threshold factor, the
trapped-neutrino pressure sources (O'Connor & Ott 2010, CQG 27, 114103,
eq. 37; the tanh threshold f(rho) is that of the ZelmaniLeak code) add

    d(mom_a)/dt += -f(rho) dP_nu/dx_a       [g cm^-2 s^-2]
    d(etot)/dt  += -f(rho) v . grad P_nu    [erg cm^-3 s^-1]

with centred differences of P_nu over the distance between the
neighbouring cell centres, (P_(i+1) - P_(i-1)) / (x_(i+1) - x_(i-1)) (2 dx
on a uniform grid; exact for a linear P_nu on any cell widths), its ghost
cells by a halo exchange and the boundary rules (ghost centres
mirrored). The neutrino energy 3 P_nu itself is not evolved: the energy
term is the work of the neutrino pressure force on the matter.
"""

import numpy as np

from parleak.budget import StageIntegrals
from parleak.constants import AVOGADRO_NUMBER, MEV
from parleak.microphysics.leakage import SOURCE_DIMS, SPECIES, DenseCells, SourceTerms
from parleak.microphysics.trapped import neutrino_pressure, threshold_factor
from parleak.neutrino.evaluation import ENERGY, LEPTON, LOSS, N_INTEGRALS, NUMBER, SharedEvaluation
from parleak.physics import Physics
from parleak.whole_star import config_symmetry


class LeakageSources(Physics):
    """The leakage as a physics object of the integrator (module docstring).

    grid: the Grid; eos: the run's nuclear EOS (eos.is_nuclear); it reads
    the stage data "primitives" that the hydro publishes (parleak.hydro.
    solver.Primitives: rho, temp, ye, eps, velocities); depth: an OpticalDepth;
    params: the LeakageParams of the sources (normally depth.params);
    tau_every: 0 (every stage) or N >= 1 (every N steps); tau_iterations:
    (kappa, tau) iterations per update (0: to convergence); dt_factor > 0
    (see max_dt); trapped_density: rho_th [g cm^-3] of the trapped-neutrino
    pressure source, None for none; min_density [g cm^-3] >= 0: no sources
    below it (module docstring).

    After each step: `luminosity` (3,) erg/s and `number_luminosity` (3,)
    1/s per species (nu_e, anti-nu_e, nu_x), `mean_energy` (3,) MeV (their
    ratio, 0 without emission), `energy_loss` erg/s (the total of the
    energy sources; equals the sum of `luminosity` to round-off),
    `lepton_loss` 1/s (net electron lepton number leaving the matter,
    -N_A sum rho dYe/dt V, > 0 while deleptonising), and the cumulative
    `radiated_energy` erg and `radiated_leptons` (a number; N_A times the
    decrease of sum rho Ye V it caused). `tau` (3, 2, nz, ny, nx): the
    optical depths in use; `tau_updates`: how many times they were computed;
    `steps`: steps completed.
    """

    needs = ("primitives",)  # the dump fields of the optical depths come from NeutrinoDiagnostics
    restart_state = True
    extensive = (*(f"{k}_{s}" for k in ("lum", "number_lum") for s in SPECIES), "radiated_energy", "radiated_leptons")

    def __init__(self, grid, eos, depth, params, tau_every=1, dt_factor=0.25, trapped_density=None,
                 min_density=1e8, tau_iterations=1):
        if not eos.is_nuclear:
            raise ValueError("leakage sources need a nuclear EOS (eos.kind = 'table' or 'builtin')")
        if tau_every < 0 or tau_iterations < 0 or not dt_factor > 0.0 or not 0.0 <= min_density < np.inf:
            raise ValueError(f"leakage sources: tau_every = {tau_every!r} (>= 0), tau_iterations = "
                             f"{tau_iterations!r} (>= 0), dt_factor = {dt_factor!r} (> 0), "
                             f"min_density = {min_density!r} (finite, >= 0)")
        self.grid = grid
        self.eos = eos
        self.depth = depth
        self.params = params
        self.tau_every = int(tau_every)
        self.tau_iterations = int(tau_iterations)
        self.dt_factor = float(dt_factor)
        self.min_density = float(min_density)
        self._table_floor = (eos.ranges["temp"][0], eos.ranges["ye"][0])  # MeV, 1
        shape = tuple(s.stop - s.start for s in grid.interior)
        self._inputs = np.empty((3,) + shape)  # rho, temp, ye of this evaluation
        self._tau_inputs = np.full((3,) + shape, np.nan)  # ... of the last tau update (tau_every = 0)
        self._source_inputs = np.full((3,) + shape, np.nan)  # ... of the last source evaluation
        self._source_tau = -1  # tau_updates at the last source evaluation
        # The cells with sources and their values there (the others have none)
        self._cells = DenseCells(np.zeros(0, dtype=np.int64), shape)
        self._terms = SourceTerms(**{name: np.zeros(dims + (0,)) for name, dims in SOURCE_DIMS.items()})
        self._lepton = np.zeros(0)  # rho dYe/dt at those cells, g cm^-3 s^-1
        self._rho_ye = np.zeros((2, 0))  # rho [g cm^-3] and Ye there
        self._stage_integrals = StageIntegrals(grid, N_INTEGRALS)
        self._integrand_count = 0  # cells whose integrands this rank recorded in the last evaluation
        self._tau_step = -1
        self.tau = None
        self.tau_updates = 0
        self.steps = 0
        self.symmetry_factor = 1  # status() shows factor x the grid's luminosities (parleak.whole_star)
        self.luminosity = np.zeros(3)
        self.number_luminosity = np.zeros(3)
        self.mean_energy = np.zeros(3)
        self.energy_loss = 0.0
        self.lepton_loss = 0.0
        self.radiated_energy = 0.0
        self.radiated_leptons = 0.0
        self.trapped_density = trapped_density
        self.active = True  # False: no sources, no step limit (before bounce: parleak.neutrino.collapse)
        if trapped_density is not None:
            self._pressure = np.zeros((1,) + grid.local_shape)  # P_nu, erg/cm^3, ghosted
            self._pressure_halo = grid.halo(self._pressure)
            self._spans = [2.0 * grid.dx[a] if grid.uniform else centre_spans(grid, a) for a in range(grid.dim)]

    @property
    def result(self):
        """The SourceTerms of the last evaluation on every owned cell (zero
        where there are no sources), new arrays."""
        return SourceTerms(*(self._on_block(values) for values in self._terms))

    @property
    def lepton_source(self):
        """rho dYe/dt [g cm^-3 s^-1] of the last evaluation on every owned
        cell, a new array."""
        return self._on_block(self._lepton)

    def _on_block(self, values):
        """values (..., cells with sources) scattered to (..., owned shape)."""
        return self._cells.scatter(values, np.empty(values.shape[:-1] + self._cells.shape))

    # -- evaluation -------------------------------------------------------
    def _gather(self, primitives):
        """rho [g/cm^3], temp [MeV], ye of the owned cells from the stage's
        Primitives."""
        interior = self.grid.interior
        self._inputs[0] = primitives.rho[interior]
        self._inputs[1] = primitives.temp[interior]
        self._inputs[2] = primitives.ye[interior]

    def _tau_due(self, step_start):
        """Whether the optical depths are recomputed now (collective)."""
        if self.tau is None:
            return True
        if self.tau_every == 0:
            changed = not np.array_equal(self._inputs, self._tau_inputs)
            return self.grid.max(np.array([float(changed)])) > 0.0
        return step_start and self.steps % self.tau_every == 0 and self._tau_step != self.steps

    def _evaluation(self, cells):
        """The SharedEvaluation (collective) of `cells`, a DenseCells of the
        owned block, from this evaluation's inputs."""
        volumes = self._stage_integrals.volumes
        return SharedEvaluation(self.grid.comm, self.eos, self.params, cells.take(self._inputs),
                                self.depth.density_threshold, (self.min_density, *self._table_floor),
                                None if volumes is None else cells.take(volumes.reshape(cells.shape)))

    def _evaluate(self, primitives, step_start):
        """Update tau when due, then the leakage sources of the owned cells
        (`result`, `lepton_source`; skipped when neither the inputs nor tau
        changed). The EOS is looked up only where the sources or the
        opacities are evaluated, once per evaluation (module docstring:
        load balance)."""
        self._gather(primitives)
        rho = self._inputs[0]
        evaluation = None  # (DenseCells, their SharedEvaluation)
        if self._tau_due(step_start):
            cells = DenseCells.of(rho, min(self.min_density, self.depth.density_threshold))
            evaluation = (cells, self._evaluation(cells))
            iterations = self.tau_iterations if self.tau is not None and self.tau_iterations > 0 else None
            self.tau = self.depth.iterate(evaluation[1].opacities, cells, tau_start=self.tau, iterations=iterations)
            if self.tau_every == 0:  # what the next stage's _tau_due compares with
                np.copyto(self._tau_inputs, self._inputs)
            self._tau_step = self.steps
            self.tau_updates += 1
        if self._source_tau == self.tau_updates and np.array_equal(self._inputs, self._source_inputs):
            return
        if evaluation is None:
            cells = DenseCells.of(rho, self.min_density)
            evaluation = (cells, self._evaluation(cells))
        self._sources(*evaluation)
        np.copyto(self._source_inputs, self._inputs)
        self._source_tau = self.tau_updates

    def _sources(self, cells, evaluation):
        """The source terms of the cells with rho >= min_density and T, Ye
        above the EOS table's lowest values (none elsewhere), evaluated by
        `evaluation` (the SharedEvaluation of `cells`, a DenseCells that
        includes them) and kept at those cells only; the stage integrands
        are recorded where the cells were evaluated. Collective."""
        rows, self._integrand_count = evaluation.sources(cells.take(self.tau).reshape(6, -1),
                                                          self._stage_integrals)
        inputs = evaluation.inputs
        sources, positions = cells.where(evaluation.source_mask(inputs))
        if positions is not None:
            rows, inputs = rows[:, positions], inputs[:, positions]
        self._cells, self._rho_ye = sources, inputs[0::2]
        self._terms = SourceTerms(rows[0:3], rows[3:6], rows[6], rows[7], rows[8])
        self._lepton = inputs[0] * self._terms.dye_dt

    def _record_integrals(self):
        """Record this stage's integrands: R_eff(s) [1/(cm^3 s)], Q_eff(s)
        and energy_loss_rate [erg/(cm^3 s)], rho dYe/dt [g/(cm^3 s)] of the
        cells with sources evaluated on this rank, packed by the last
        evaluation (SharedEvaluation.sources; the others are 0)."""
        self._stage_integrals.add_stage(None, count=self._integrand_count)

    # -- physics interface ------------------------------------------------
    def add_rhs(self, state, rhs, time, stage):
        """Add the sources of this stage (module docstring) to the owned
        cells of rhs; collective. Nothing while not `active`."""
        if not self.active:
            return
        primitives = stage["primitives"]
        self._evaluate(primitives, step_start=len(self._stage_integrals) == 0)
        interior = self.grid.interior
        self._cells.add_to((rhs[state.index["etot"]][interior], rhs[state.index["dens_ye"]][interior]),
                           (-self._terms.energy_loss_rate, self._lepton))
        if self.trapped_density is not None:
            self._add_trapped_pressure(state, rhs, primitives)
        self._record_integrals()

    def _add_trapped_pressure(self, state, rhs, primitives):
        """The trapped-neutrino pressure sources (module docstring)."""
        grid, interior = self.grid, self.grid.interior
        rho, temp, _ = self._inputs
        self._pressure[0][interior] = neutrino_pressure(temp, self._on_block(self._terms.eta_nue),
                                                        self.params.fermi_method)
        self._pressure_halo.exchange([(1.0, 1.0, 1.0)])
        factor = threshold_factor(rho, self.trapped_density)
        velocities = (primitives.vel_x, primitives.vel_y, primitives.vel_z)
        work = np.zeros_like(rho)
        for a in range(grid.dim):
            k = 2 - a  # the array axis of grid axis a
            upper = tuple(slice(s.start + 1, s.stop + 1) if i == k else s for i, s in enumerate(interior))
            lower = tuple(slice(s.start - 1, s.stop - 1) if i == k else s for i, s in enumerate(interior))
            force = factor * (self._pressure[0][upper] - self._pressure[0][lower]) / self._spans[a]
            rhs[state.index[f"mom_{'xyz'[a]}"]][interior] -= force
            work += velocities[a][interior] * force
        rhs[state.index["etot"]][interior] -= work

    def max_dt(self, state, stage):
        """dt_factor x min over the owned cells of min(Ye / |dYe/dt|,
        (eps + eps_zero) / |deps/dt|) [s], deps/dt = energy_loss_rate / rho,
        at the current state (from the stage data "primitives" of the
        estimate; the sources are those the step's first stage then uses).
        eps + eps_zero > 0 is the EOS's positive energy scale (parleak.eos;
        for a table eps less 0.9 of its smallest value, so most of a
        rest-mass constant is left out; the cold energy of degenerate
        matter stays in, so the limit is looser than a thermal one there). The
        integrator multiplies by time.cfl: a step changes Ye and eps by at
        most about time.cfl x dt_factor of their values (0.1 with the
        defaults 0.4 and 0.25). Cells without sources (dYe/dt = 0,
        energy_loss_rate = 0: below min_density or at the table floor, where
        eps may lie below the table) do not limit the step. Infinite while
        not `active`."""
        if not self.active:
            return np.inf
        primitives = stage["primitives"]
        self._evaluate(primitives, step_start=True)
        rho, ye = self._rho_ye
        energy = self._cells.take(primitives.eps[self.grid.interior]) + self.eos.eps_zero
        dye_dt, loss = self._terms.dye_dt, self._terms.energy_loss_rate
        with np.errstate(divide="ignore", invalid="ignore"):
            ye_time = np.where(dye_dt != 0.0, ye / np.abs(dye_dt), np.inf)
            energy_time = np.where(loss > 0.0, energy * rho / loss, np.inf)
        shortest = min(np.nanmin(ye_time, initial=np.inf), np.nanmin(energy_time, initial=np.inf))
        return self.dt_factor * shortest

    def end_step(self, dt, weights):
        """The step's stage-weighted luminosities and the cumulative
        radiated energy and lepton number (class docstring); dt [s], weights:
        of the stages' right-hand sides (parleak.integrator.stage_weights)."""
        if not self.active:
            self.luminosity, self.number_luminosity, self.mean_energy = np.zeros(3), np.zeros(3), np.zeros(3)
            self.energy_loss = self.lepton_loss = 0.0
            self.steps += 1
            return
        step = self._stage_integrals.combine(weights)
        self.number_luminosity = step[NUMBER]
        self.luminosity = step[ENERGY]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.mean_energy = np.where(step[NUMBER] > 0.0, step[ENERGY] / (MEV * step[NUMBER]), 0.0)
        self.energy_loss = float(step[LOSS])
        self.lepton_loss = -AVOGADRO_NUMBER * float(step[LEPTON])
        self.radiated_energy += dt * self.energy_loss
        self.radiated_leptons += dt * self.lepton_loss
        self.steps += 1

    def scalars(self, state):
        """Columns of the scalar time series (grid totals, like the hydro's;
        the simulation multiplies the `extensive` ones by the run's symmetry
        factor): per species s lum_<s> (erg/s),
        number_lum_<s> (1/s) and mean_energy_<s> (MeV) of the last step,
        transport_radius_<s> (cm, of the current optical depths; see
        OpticalDepth.sphere_radius), and the cumulative radiated_energy
        (erg) and radiated_leptons (the net number of electron-type leptons
        carried away). Collective."""
        values = {}
        for i, species in enumerate(SPECIES):
            values[f"lum_{species}"] = float(self.luminosity[i])
            values[f"number_lum_{species}"] = float(self.number_luminosity[i])
            values[f"mean_energy_{species}"] = float(self.mean_energy[i])
        for i, species in enumerate(SPECIES):
            radius = self.depth.sphere_radius(self.tau[i, 1]) if self.tau is not None else 0.0
            values[f"transport_radius_{species}"] = radius
        values["radiated_energy"] = self.radiated_energy
        values["radiated_leptons"] = self.radiated_leptons
        return values

    def checkpoint_scalars(self):
        """What a restart needs besides tau (parleak.io.checkpoint)."""
        return {"steps": self.steps, "tau_updates": self.tau_updates, "tau_step": self._tau_step,
                "luminosity": self.luminosity, "number_luminosity": self.number_luminosity,
                "mean_energy": self.mean_energy, "energy_loss": self.energy_loss, "lepton_loss": self.lepton_loss,
                "radiated_energy": self.radiated_energy, "radiated_leptons": self.radiated_leptons,
                "has_tau": int(self.tau is not None)}

    def checkpoint_fields(self):
        """The optical depths in use, (6,) + owned shape (species x moment)."""
        if self.tau is None:
            return {}
        return {"tau": self.tau.reshape((6,) + self.tau.shape[2:])}

    def restore_checkpoint(self, scalars, fields):
        self.steps, self.tau_updates = int(scalars["steps"]), int(scalars["tau_updates"])
        self._tau_step = int(scalars["tau_step"])
        for name in ("luminosity", "number_luminosity", "mean_energy"):
            setattr(self, name, np.array(scalars[name], dtype=float))
        for name in ("energy_loss", "lepton_loss", "radiated_energy", "radiated_leptons"):
            setattr(self, name, float(scalars[name]))
        self.tau = fields["tau"].reshape((3, 2) + fields["tau"].shape[1:]).copy() if int(scalars["has_tau"]) else None

    def status(self):
        """Whole-star luminosities and mean energies of the last step, for the log line."""
        luminosity = self.symmetry_factor * self.luminosity
        parts = "  ".join(f"{s} {lum:.3e}/{e:.2f}" for s, lum, e in zip(SPECIES, luminosity, self.mean_energy))
        return f"L (erg/s)/<E> (MeV): {parts}  tau updates {self.tau_updates}"


def centre_spans(grid, axis):
    """x_(i+1) - x_(i-1) [cm] along `axis` for the owned cells of `grid`,
    broadcastable over its owned (z, y, x) block (ghost centres mirrored or
    wrapped by Grid.centres)."""
    owned = grid.interior[2 - axis]
    centres = grid.centres(axis)
    spans = centres[owned.start + 1:owned.stop + 1] - centres[owned.start - 1:owned.stop - 1]
    return spans.reshape((-1,) + (1,) * axis)


def make_leakage_sources(config, grid, eos, depth):
    """LeakageSources from the resolved leakage.* keys (tau_every,
    dt_factor, trapped_pressure, trapped_density, min_density,
    tau_iterations; the microphysics from depth.params)."""
    trapped = config["leakage.trapped_density"] if config["leakage.trapped_pressure"] else None
    sources = LeakageSources(grid, eos, depth, depth.params, config["leakage.tau_every"], config["leakage.dt_factor"],
                             trapped, config["leakage.min_density"], config["leakage.tau_iterations"])
    sources.symmetry_factor = config_symmetry(config)[0]
    return sources
