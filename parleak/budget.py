"""Budgets: stage-weighted volume integrals of source terms and fluxes, and
the total-energy drift of the scalar time series.

A Runge-Kutta step is u_(n+1) = u_n + dt sum_s w_s L_s (parleak.integrator),
so a quantity a physics object adds to the right-hand side changes the
grid total by dt sum_s w_s integral(L_s dV). `StageIntegrals` collects
those integrals exactly (correctly rounded, the same on any decomposition)
with one Allreduce per step.
"""

import math

import numpy as np

from parleak.parallel import CollectiveError
from parleak.parallel.exactsum import N_WORDS, finite_binned_words, words_to_float


class StageIntegrals:
    """Volume integrals over the grid's owned cells of `n_rows` arrays, one
    set per stage (`add_stage`), combined with the stage weights at the end
    of the step (`combine`). In 1-D (2-D) the cell volume is dx (dx dy).
    On a uniform grid the volume multiplies the combined sums; on a
    stretched grid each value is multiplied by its cell's volume
    (`volumes`, flat over the owned cells, None on a uniform grid) before
    the exact sum; a caller of packed_rows multiplies its packed values."""

    def __init__(self, grid, n_rows):
        self.grid = grid
        cells = math.prod(s.stop - s.start for s in grid.interior)
        self.rows = np.empty((n_rows, cells))
        self._bins = np.repeat(np.arange(n_rows, dtype=np.int64), cells)
        self._packed = np.empty(0)  # the storage of packed_rows
        self._packed_bins = {}  # count: the bins of packed_rows(count)
        self._stages = []
        self.cell_volume = math.prod(grid.dx[: grid.dim]) if grid.uniform else 1.0
        self.volumes = None if grid.uniform else np.broadcast_to(
            grid.volumes(), tuple(s.stop - s.start for s in grid.interior)).reshape(-1)

    def __len__(self):
        """The number of stages recorded since the last combine."""
        return len(self._stages)

    def packed_rows(self, count):
        """A contiguous (n_rows, count) array, for a caller that packs the
        nonzero values of its rows (count of them, any number) and then
        calls add_stage(None, count)."""
        n_rows = self.rows.shape[0]
        if self._packed.size < n_rows * count:
            self._packed = np.empty(n_rows * count)
        return self._packed[: n_rows * count].reshape(n_rows, count)

    def add_stage(self, arrays, count=None):
        """Record this stage's owned-cell values of the rows (`arrays`: one
        array of the interior shape per row, or None to use self.rows as
        filled by the caller). count: sum packed_rows(count) instead (the
        exact sums do not depend on the order of the values)."""
        if arrays is not None:
            for row, values in zip(self.rows, arrays):
                row[...] = values.reshape(-1)
                if self.volumes is not None:
                    row *= self.volumes
        n_rows = self.rows.shape[0]
        if count is None:
            words, n_bad = finite_binned_words(self.rows, self._bins, n_rows)
        else:
            if count not in self._packed_bins:
                self._packed_bins = {count: np.repeat(np.arange(n_rows, dtype=np.int64), count)}
            words, n_bad = finite_binned_words(self.packed_rows(count), self._packed_bins[count], n_rows)
        non_finite = np.zeros((1, N_WORDS), dtype=np.int64)
        non_finite[0, 0] = n_bad  # summed with the words; a non-finite value stops the run in combine
        self._stages.append(np.concatenate([words, non_finite]))

    def combine(self, weights):
        """sum_s weights[s] x integral of row over the grid, (n_rows,) (units
        of the rows times cm^3); collective; forgets the stages. A
        non-finite value in any stage on any rank raises CollectiveError on
        every rank (the integrator's check of the state normally stops the
        run before)."""
        if len(weights) != len(self._stages):
            raise RuntimeError(f"{len(self._stages)} stages recorded, {len(weights)} weights")
        words = self.grid.sum_counts(np.stack(self._stages))
        self._stages = []
        n_bad = int(words[:, -1, 0].sum())
        if n_bad:
            raise CollectiveError(f"{n_bad} non-finite value(s) among the budget integrands of the step")
        words = words[:, :-1]
        stages = words_to_float(words.reshape(-1, words.shape[-1])).reshape(len(weights), -1)
        return self.cell_volume * sum(w * stage for w, stage in zip(weights, stages))


class EnergyBudget:
    """Adds the columns `energy` (erg) = total_energy (kinetic + internal) +
    gravitational_energy + radiated_energy + outflow_energy, and
    `energy_drift` = (energy - energy at the first row) / |gravitational
    energy at the first row| to rows of the scalar time series that have
    total_energy and gravitational_energy (the terms a row lacks count 0).
    The energy is conserved by the equations, not exactly by the scheme:
    the monopole gravity source rho v . g is not the change of the
    discrete potential energy."""

    TERMS = ("total_energy", "gravitational_energy", "radiated_energy", "outflow_energy")

    def __init__(self):
        self.reference = None  # (energy erg, |gravitational energy| erg) of the first row

    def add_columns(self, row):
        if "total_energy" not in row or "gravitational_energy" not in row:
            return
        energy = math.fsum(row.get(term, 0.0) for term in self.TERMS)
        if self.reference is None:
            self.reference = (energy, abs(row["gravitational_energy"]))
        row["energy"] = energy
        row["energy_drift"] = (energy - self.reference[0]) / self.reference[1]

    def checkpoint_fields(self):
        return {}

    def checkpoint_scalars(self):
        return {} if self.reference is None else {"energy": self.reference[0], "binding": self.reference[1]}

    def restore_checkpoint(self, scalars, fields):
        if scalars:
            self.reference = (float(scalars["energy"]), float(scalars["binding"]))
