"""Neutrino diagnostics of a hydro run on a nuclear EOS: the optical depths
and the neutrinospheres in every dump (not evolved)."""

import numpy as np

from parleak import parallel
from parleak.microphysics.leakage import SPECIES, lookup_eos_quantities
from parleak.neutrino.optical_depth import MOMENTS, TAU_FIELDS, THERMAL_FIELDS
from parleak.physics import Physics
from parleak.state import FieldSpec


class NeutrinoDiagnostics(Physics):
    """A physics object without right-hand side: at each dump it fills the
    fields tau_<species>_<number|energy> and tau_thermal_<species> (see
    parleak.neutrino.optical_depth) and logs the transport- and
    energy-sphere radii. The optical depths are those the leakage sources
    used in the last step (`leakage`, a LeakageSources, once it has
    computed them); without them (no leakage, before its first step, or
    before bounce in a collapse) they are iterated with the opacities from
    the dump's rho, temp and ye."""

    def __init__(self, grid, eos, depth, leakage=None):
        self.grid = grid
        self.eos = eos
        self.depth = depth
        self.leakage = leakage
        self.fields = tuple(
            FieldSpec(name, "1", evolved=False, description=f"optical depth of {s} ({m} transport opacity)")
            for name, (s, m) in zip(TAU_FIELDS, [(s, m) for s in SPECIES for m in MOMENTS])
        ) + tuple(FieldSpec(name, "1", evolved=False, description=f"thermal optical depth sqrt(tau_a tau) of {s}")
                  for name, s in zip(THERMAL_FIELDS, SPECIES))
        self.spheres = {}

    def fill_diagnostics(self, state):
        """After the hydro's fill_diagnostics (which sets temp and ye)."""
        rho, temp, ye = (np.ascontiguousarray(state.interior(name)) for name in ("dens", "temp", "ye"))
        quantities = lookup_eos_quantities(self.eos, rho, temp, ye)
        used = self.leakage.tau if self.leakage is not None and self.leakage.active else None
        tau = self.depth.converged(rho, temp, ye, quantities) if used is None else used
        thermal = self.depth.thermal(rho, temp, ye, quantities, tau)
        for name, values in zip(TAU_FIELDS + THERMAL_FIELDS, list(tau.reshape((6,) + rho.shape)) + list(thermal)):
            state.interior(name)[...] = values
        self.spheres = self.depth.spheres(tau, thermal)
        radii = "  ".join(f"{s} {r_tr / 1e5:.2f}/{r_e / 1e5:.2f}" for s, (r_tr, r_e) in self.spheres.items())
        sweeps = f", {self.depth.sweeps} local iterations" if self.depth.method == "local" else ""
        parallel.say(f"neutrinospheres (transport/energy, km): {radii}  ({self.depth.method}, "
                     f"{self.depth.iterations} kappa-tau iterations{sweeps})", comm=self.grid.comm)
