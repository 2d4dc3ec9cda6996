"""The point-wise leakage work of one evaluation of the coupling
(`parleak.neutrino.coupling`), shared evenly over the ranks.

The cells that need the opacities and the sources (the dense matter) sit
on a few ranks of a domain decomposition: in the pns octant on 2 ranks,
24 000 of 30 000 on one. A `SharedEvaluation` moves the inputs (rho, T,
Ye) of such cells once to the ranks with fewer (`parleak.parallel.work_sharing`),
looks the EOS up once where each cell is evaluated, and then serves the
opacities (for every (kappa, tau) iteration of the optical depths) and the
sources of the same cells, moving only the optical depths there and the
results back. The kernels are point-wise: every value is bitwise that of an
evaluation on the rank that holds the cell, on any number of ranks.
"""

import numpy as np

from parleak.microphysics.leakage import SourceTerms, leakage_source_terms, lookup_eos_quantities, transport_opacities
from parleak.parallel.work_sharing import WorkShare

# Rows of the stage integrands that `SharedEvaluation.sources` records:
# number (3 species), energy (3 species), total energy loss, lepton source.
NUMBER, ENERGY, LOSS, LEPTON = slice(0, 3), slice(3, 6), 6, 7
N_INTEGRALS = 8


class SharedEvaluation:
    """The opacities and the sources of this rank's cells `inputs` (3, n):
    rho [g cm^-3], temp [MeV], ye (a selection of its owned cells, in their
    order; kept as `inputs`), evaluated where the work is shared out.

    eos: a nuclear EOS (`lookup`); params: LeakageParams; opacity_density
    [g cm^-3]: the opacities are evaluated where rho >= it (0 elsewhere);
    source_floor (min_density [g cm^-3], temp_min [MeV], ye_min): the
    sources where rho >= min_density, temp > temp_min and ye > ye_min (0
    elsewhere); volumes: the cells' volumes (n,) [cm^3] on a stretched
    grid (they move with the inputs and weigh the stage integrands), None
    on a uniform one (StageIntegrals multiplies its sums by the cell
    volume). The constructor, `opacities` and `sources` are collective."""

    def __init__(self, comm, eos, params, inputs, opacity_density, source_floor, volumes=None):
        self.params = params
        self.opacity_density = opacity_density
        self.source_floor = source_floor
        self.inputs = inputs
        self._share = WorkShare(comm, inputs.shape[1])
        if volumes is None:
            self._work, self._volumes = self._forward(inputs), None  # rho, temp, ye of the cells worked on here
        else:
            moved = self._forward(np.vstack([inputs, volumes[None]]))
            self._work, self._volumes = moved[:3], moved[3]
        self._quantities = lookup_eos_quantities(eos, *self._work)

    def _forward(self, rows):
        return self._share.forward(rows) if self._share.moves else rows

    def _backward(self, rows):
        return self._share.backward(rows) if self._share.moves else rows

    def source_mask(self, inputs):
        """Where the cells of inputs (3, n) (rho, temp, ye) have sources."""
        min_density, temp_min, ye_min = self.source_floor
        return (inputs[0] >= min_density) & (inputs[1] > temp_min) & (inputs[2] > ye_min)

    def _worked(self, mask):
        """(positions of the worked cells where mask (None: all of them),
        their inputs (3, m), their EOS quantities (None where the EOS has
        none))."""
        positions = np.flatnonzero(mask)
        if positions.size == mask.size:
            return None, self._work, self._quantities
        return positions, self._work[:, positions], [None if q is None else q[positions] for q in self._quantities]

    def _on_worked(self, values, positions):
        """values (k, m) of the worked cells at positions (None: all) as
        (k, worked cells), 0 elsewhere."""
        if positions is None:
            return values
        rows = np.zeros((values.shape[0], self._work.shape[1]))
        rows[:, positions] = values
        return rows

    def opacities(self, tau):
        """kappa_total (6, n) [cm^-1] of this rank's cells at the optical
        depths tau (6, n) (species x moment): `transport_opacities` where
        rho >= opacity_density, 0 elsewhere."""
        mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = self._quantities
        kappa = transport_opacities(*self._work, mu_e, mu_n, mu_p, xn, xp, self._forward(tau).reshape(3, 2, -1),
                                    xh=xh, abar=abar, zbar=zbar, params=self.params).kappa_total.reshape(6, -1)
        kappa[:, self._work[0] < self.opacity_density] = 0.0  # evaluated everywhere: cheaper than selecting
        return self._backward(kappa)

    def sources(self, tau, integrals):
        """The `leakage_source_terms` of this rank's cells at the optical
        depths tau (6, n) as rows (9, n): r_eff (3), q_eff (3), eta_nue,
        dye_dt, energy_loss_rate (0 where `source_mask` is false). Records
        the stage integrands of the cells worked on here in
        integrals.packed_rows (a StageIntegrals of N_INTEGRALS rows: R_eff,
        Q_eff, energy_loss_rate, rho dYe/dt; times the cells' volumes on a
        stretched grid) and returns their count, for
        integrals.add_stage(None, count): the exact sums do not depend on
        where a cell was evaluated. Returns (rows, count)."""
        tau = self._forward(tau)
        positions, inputs, (mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar) = self._worked(self.source_mask(self._work))
        tau = tau if positions is None else tau[:, positions]
        count = inputs.shape[1]
        rows = np.empty((9, count))
        terms = SourceTerms(rows[0:3], rows[3:6], rows[6], rows[7], rows[8])
        leakage_source_terms(*inputs, mu_e, mu_n, mu_p, xn, xp, tau.reshape(3, 2, -1), xh=xh, abar=abar, zbar=zbar,
                             params=self.params, out=terms)
        integrands = integrals.packed_rows(count)
        integrands[NUMBER] = terms.r_eff
        integrands[ENERGY] = terms.q_eff
        integrands[LOSS] = terms.energy_loss_rate
        integrands[LEPTON] = inputs[0] * terms.dye_dt
        if self._volumes is not None:
            integrands *= self._volumes if positions is None else self._volumes[positions]
        return self._backward(self._on_worked(rows, positions)), count
