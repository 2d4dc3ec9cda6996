"""Neutrino diagnostics of a hydro run on a nuclear EOS: the optical depths
and the neutrinospheres, computed for every dump (not evolved)."""

import numpy as np

from parleak import parallel
from parleak.microphysics.leakage import SPECIES, lookup_eos_quantities
from parleak.neutrino.optical_depth import MOMENTS, TAU_FIELDS, THERMAL_FIELDS
from parleak.state import FieldSpec


class NeutrinoDiagnostics:
    """A physics object without right-hand side: at each dump it fills the
    fields tau_<species>_<number|energy> (the optical depths, iterated with
    the opacities) and tau_thermal_<species> (see
    parleak.neutrino.optical_depth) from the hydro's rho, temp and ye, and
    logs the transport- and energy-sphere radii."""

    def __init__(self, grid, eos, depth):
        self.grid = grid
        self.eos = eos
        self.depth = depth
        self.fields = tuple(
            FieldSpec(name, "1", evolved=False, description=f"optical depth of {s} ({m} transport opacity)")
            for name, (s, m) in zip(TAU_FIELDS, [(s, m) for s in SPECIES for m in MOMENTS])
        ) + tuple(FieldSpec(name, "1", evolved=False, description=f"thermal optical depth sqrt(tau_a tau) of {s}")
                  for name, s in zip(THERMAL_FIELDS, SPECIES))
        self.spheres = {}

    def add_rhs(self, state, rhs, time):
        pass

    def max_dt(self, state):
        return np.inf

    def fill_diagnostics(self, state):
        """After the hydro's fill_diagnostics (which sets temp and ye)."""
        rho, temp, ye = (np.ascontiguousarray(state.interior(name)) for name in ("dens", "temp", "ye"))
        quantities = lookup_eos_quantities(self.eos, rho, temp, ye)
        tau = self.depth.converged(rho, temp, ye, quantities)
        thermal = self.depth.thermal(rho, temp, ye, quantities, tau)
        for name, values in zip(TAU_FIELDS + THERMAL_FIELDS, list(tau.reshape((6,) + rho.shape)) + list(thermal)):
            state.interior(name)[...] = values
        self.spheres = self.depth.spheres(tau, thermal)
        radii = "  ".join(f"{s} {r_tr / 1e5:.2f}/{r_e / 1e5:.2f}" for s, (r_tr, r_e) in self.spheres.items())
        sweeps = f", {self.depth.sweeps} local iterations" if self.depth.method == "local" else ""
        parallel.say(f"neutrinospheres (transport/energy, km): {radii}  ({self.depth.method}, "
                     f"{self.depth.iterations} kappa-tau iterations{sweeps})", comm=self.grid.comm)
