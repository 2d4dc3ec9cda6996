"""Core collapse before and after bounce: the Ye(rho) parameterisation of
Liebendoerfer (2005) until bounce, then the leakage source terms
(parleak.neutrino.coupling).

Before bounce, after every step (operator split, as O'Connor & Ott 2010,
CQG 27, 114103, apply it), each owned cell gets

    Delta Ye = min(0, Ye_bar(rho) - Ye)   (Liebendoerfer 2005; O'Connor & Ott 2010)
    Delta s  = -Delta Ye (munu - E_esc) / T   where rho < rho_trap and
                                              munu > E_esc, else 0

(Liebendoerfer 2005, ApJ 633, 1042, eq. 2: the entropy the captures leave
behind when the neutrinos escape with E_esc; munu = mu_e - mu_n + mu_p
[MeV], T [MeV], s [k_B per baryon]; never negative: where munu <= E_esc
the captures leave no heat). The cell's new temperature follows
from (rho, s + Delta s, Ye + Delta Ye) through the EOS, its new eps from
that, and etot and dens_ye change by rho Delta eps and rho Delta Ye; the
velocity and the density are kept. The leakage (a LeakageSources) is
switched off (`active = False`) until bounce.

Bounce: the first step at whose end the maximum density over the grid,
having reached `bounce_density`, is lower than at the end of the step
before (the core has stopped at its largest compression and rebounds).
The bounce time logged and kept (`bounce_time`, s) is the end of the step
with the largest density. From then on the parameterisation stops and the
leakage is on.
"""

import numpy as np

from parleak import parallel
from parleak.constants import AVOGADRO_NUMBER
from parleak.microphysics.ye_param import delta_ye
from parleak.physics import Physics


class CollapsePhase(Physics):
    """The pre-bounce deleptonisation and bounce detection (module
    docstring) as a physics object: it adds nothing to the right-hand side
    and acts in `after_step`.

    eos: the run's nuclear EOS (lookup and state_from); leakage:
    the LeakageSources to switch on at bounce, or None; params: the
    YeParameters (ye_param.G15 or N13); bounce_density, trap_density
    [g/cm^3]; escape_energy E_esc [MeV]."""

    restart_state = True
    extensive = ("parameterised_leptons", "parameterised_energy")

    def __init__(self, grid, eos, leakage, params, bounce_density=2e14, trap_density=2e12, escape_energy=10.0):
        self.grid, self.eos, self.leakage, self.params = grid, eos, leakage, params
        self.bounce_density = float(bounce_density)
        self.trap_density = float(trap_density)
        self.escape_energy = float(escape_energy)
        self.bounce_time = None
        self.removed_leptons = 0.0  # cumulative N_A sum(-rho Delta Ye V) of the parameterisation
        self.added_energy = 0.0  # cumulative sum(rho Delta eps V), erg
        self.previous_max_density = 0.0
        self.previous_time = 0.0
        if leakage is not None:
            leakage.active = False

    @property
    def bounced(self):
        return self.bounce_time is not None

    def after_step(self, state, time):
        """Deleptonise (before bounce), then look for bounce; `time` [s] is
        the time at the end of the step. Collective."""
        if self.bounced:
            return
        self._deleptonise(state)
        max_density = self.grid.max(np.array([np.max(state.interior("dens"))]))
        if max_density >= self.bounce_density and max_density < self.previous_max_density:
            self.bounce_time = self.previous_time
            parallel.say(f"bounce at t = {self.bounce_time:.6e} s (maximum density "
                         f"{self.previous_max_density:.4e} g/cm^3); leakage on from now", comm=self.grid.comm)
            if self.leakage is not None:
                self.leakage.active = True
        self.previous_max_density, self.previous_time = max_density, time

    def _deleptonise(self, state):
        eos = self.eos
        dens = state.interior("dens")
        ye = state.interior("dens_ye") / dens
        change = delta_ye(dens, ye, self.params)
        cells = change < 0.0
        rho, ye, change = dens[cells], ye[cells], change[cells]
        self.removed_leptons -= AVOGADRO_NUMBER * self._integral(cells, rho * change)
        kinetic = 0.5 * sum(state.interior(f"mom_{a}")[cells] ** 2 for a in "xyz") / rho
        eps = (state.interior("etot")[cells] - kinetic) / rho
        temp = eos.temp_from_rho_eps(rho, eps, ye, temp_guess=state.interior("temp")[cells])
        entropy, munu = eos.lookup(rho, temp, ye, "entropy", "munu")
        heated = (rho < self.trap_density) & (munu > self.escape_energy)
        entropy_change = np.where(heated, -change * (munu - self.escape_energy) / temp, 0.0)
        new_temp, new_eps = eos.state_from("entropy", rho, entropy + entropy_change, ye + change, "eps",
                                           temp_guess=temp)
        state.interior("dens_ye")[cells] = rho * (ye + change)
        state.interior("etot")[cells] += rho * (new_eps - eps)
        state.interior("temp")[cells] = new_temp
        self.added_energy += self._integral(cells, rho * (new_eps - eps))

    def _integral(self, cells, values):
        """The volume integral (grid.integral, exact) of values at the owned
        cells where `cells` is true (0 elsewhere)."""
        owned = np.zeros(cells.shape)
        owned[cells] = values
        return self.grid.integral(owned)

    def status(self):
        return f"bounce at {self.bounce_time:.6e} s" if self.bounced else "before bounce"

    def scalars(self, state):
        """bounce_time (s, NaN before bounce), and the cumulative
        parameterised_leptons (the electron lepton number the
        parameterisation removed, N_A sum -rho Delta Ye V) and
        parameterised_energy (erg, sum rho Delta eps V it added)."""
        return {"bounce_time": self.bounce_time if self.bounced else float("nan"),
                "parameterised_leptons": self.removed_leptons, "parameterised_energy": self.added_energy}

    def checkpoint_scalars(self):
        return {"bounce_time": self.bounce_time if self.bounced else float("nan"),
                "previous_max_density": self.previous_max_density, "previous_time": self.previous_time,
                "removed_leptons": self.removed_leptons, "added_energy": self.added_energy}

    def restore_checkpoint(self, scalars, fields):
        bounce_time = float(scalars["bounce_time"])
        self.bounce_time = None if np.isnan(bounce_time) else bounce_time
        self.previous_max_density = float(scalars["previous_max_density"])
        self.previous_time = float(scalars["previous_time"])
        self.removed_leptons = float(scalars["removed_leptons"])
        self.added_energy = float(scalars["added_energy"])
        if self.leakage is not None:
            self.leakage.active = self.bounced
