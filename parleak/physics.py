"""The physics contract: what a physics module provides to the integrator,
the simulation and the checkpoints, and how the modules of a run are found
by role and hand each other data.

A physics module is a subclass of `Physics`. Every hook has a no-op
default, so a module overrides only what it does; the integrator and the
simulation call every hook of every module and never ask which physics is
on. In one Runge-Kutta stage the integrator calls `add_rhs` of each module
in the order of `PhysicsSet.ORDER`; a module reads what an earlier one
published in the stage's `StageData` (the hydro's primitives, for example)
under the names it lists in `needs`, and publishes under the names it lists
in `provides`. `check_order` refuses, at start-up, a module that needs a
name no earlier module provides.

Hooks (state: the State; rhs: the right-hand side of the evolved fields,
shaped like state.evolved; stage: the StageData of this stage):
    fields                  FieldSpecs this module adds to the State
    add_rhs(state, rhs, time, stage)
                            add this stage's right-hand side (time [s]:
                            the stage's time); collective
    max_dt(state, stage)    the local step limit for a Courant number of 1,
                            s (inf: none); the stage data of the estimate
    end_step(dt, weights)   after the stages: dt [s] and the stage weights
                            (parleak.integrator.stage_weights)
    after_step(state, time) an operator-split update after end_step (time
                            [s]: the end of the step)
    fill_diagnostics(state) fill the auxiliary fields before a dump (also
                            of a state with bad cells)
    scalars(state)          {column: value} of scalars.csv (collective)
    extensive               the names among those columns that are grid
                            totals (masses, energies, luminosities...):
                            the simulation multiplies them by the run's
                            symmetry factor (parleak.whole_star)
    status()                words for the log line, "" for none
                            (collective)
    restart_state           True when the next three carry what a restart
                            needs (parleak.io.checkpoint)
    checkpoint_scalars()    {name: number, string or 1-D array}
    checkpoint_fields()     {name: array (k,) + owned interior shape}
    restore_checkpoint(scalars, fields)
"""

import math

from parleak.config import ConfigError


class StageData(dict):
    """What the physics of one stage (or of one time-step estimate) hand
    each other, by name. A name no module published is a KeyError that
    says which names there are."""

    def __missing__(self, name):
        raise KeyError(f"stage data {name!r} was not published in this stage (published: "
                       f"{', '.join(sorted(self)) or 'nothing'}); see Physics.needs")


class Physics:
    """The base of every physics module (module docstring): no-op hooks."""

    fields = ()
    needs = ()
    provides = ()
    extensive = ()
    restart_state = False

    def add_rhs(self, state, rhs, time, stage):
        pass

    def max_dt(self, state, stage):
        return math.inf

    def end_step(self, dt, weights):
        pass

    def after_step(self, state, time):
        pass

    def fill_diagnostics(self, state):
        pass

    def scalars(self, state):
        return {}

    def status(self):
        return ""

    def checkpoint_scalars(self):
        return {}

    def checkpoint_fields(self):
        return {}

    def restore_checkpoint(self, scalars, fields):
        pass


def check_order(physics):
    """ConfigError unless every module's `needs` are provided by a module
    before it in `physics` (a sequence of Physics)."""
    provided = set()
    for position, module in enumerate(physics):
        missing = [name for name in module.needs if name not in provided]
        if missing:
            before = ", ".join(type(p).__name__ for p in physics[:position]) or "none"
            raise ConfigError(f"{type(module).__name__} needs the stage data {missing[0]!r}, which no physics "
                              f"before it provides (before it: {before})")
        provided.update(module.provides)


class PhysicsSet:
    """The physics of a run by role, and the EOS they share.

    Roles, in the order the integrator calls them (ORDER): the hydro (or the
    passive advection), gravity, the leakage sources, the neutrino
    diagnostics of the dumps and the collapse phase; then `extra` modules
    (tests, user additions) in their given order. A role a run does not
    have is None. eos: the EOS object (parleak.eos), owned here and passed
    to every module that needs it, or None (advection)."""

    ORDER = ("hydro", "advection", "gravity", "leakage", "neutrino_diagnostics", "collapse_phase")

    def __init__(self, eos=None, extra=(), **roles):
        unknown = sorted(set(roles) - set(self.ORDER))
        if unknown:
            raise ValueError(f"unknown physics roles {unknown}; the roles are {', '.join(self.ORDER)}")
        self.eos = eos
        for role in self.ORDER:
            setattr(self, role, roles.get(role))
        self.extra = tuple(extra)

    @property
    def roles(self):
        """{role: module or None} in ORDER."""
        return {role: getattr(self, role) for role in self.ORDER}

    def with_extra(self, extra):
        """The same roles and EOS with `extra` modules appended."""
        present = {role: module for role, module in self.roles.items() if module is not None}
        return PhysicsSet(self.eos, self.extra + tuple(extra), **present)

    def ordered(self):
        """The modules in the order of the integrator's calls; checked by
        check_order."""
        modules = [module for module in self.roles.values() if module is not None] + list(self.extra)
        check_order(modules)
        return modules
