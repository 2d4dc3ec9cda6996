"""The physics contract (parleak.physics): the README's worked example
(drivers/cooling_example.py) runs as an extra physics module and closes its
energy budget; missing stage data is an error at start-up; PhysicsSet keeps
the roles in the integrator's order."""

import importlib.util
import pathlib

import numpy as np
import pytest

from parleak.config import ConfigError
from parleak.parallel import WORLD
from parleak.physics import Physics, PhysicsSet, StageData, check_order
from parleak.run_config import load_config
from parleak.simulation import Simulation

REPO = pathlib.Path(__file__).resolve().parents[1]


def cooling_module():
    spec = importlib.util.spec_from_file_location("cooling_example", REPO / "drivers" / "cooling_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_worked_example_closes_its_energy_budget():
    """A periodic sound wave with Lambda = 0.5 rho^2: the grid's total
    energy falls by exactly what the module says it radiated (the stage
    sums are exact and the fluxes telescope), to 1e-13 of the energy."""
    cooling = cooling_module().Cooling(0.5)
    config = load_config(REPO / "drivers" / "soundwave.toml", [("grid.cells", [32]), ("soundwave.amplitude", 1e-3)], 1)
    simulation = Simulation(config, WORLD, extra_physics=[cooling])
    simulation.initialize()
    hydro = simulation.physics_set.hydro
    assert simulation.physics == [hydro, cooling]
    energy = [hydro.scalars(simulation.state)["total_energy"]]
    time = 0.0
    for _ in range(20):
        dt = simulation.integrator.stable_dt(0.4)
        simulation.integrator.step(time, dt)
        time += dt
    energy.append(hydro.scalars(simulation.state)["total_energy"])
    assert cooling.radiated > 0.05 * energy[0]
    assert abs(energy[0] - energy[1] - cooling.radiated) < 1e-13 * energy[0]
    for module in simulation.physics:
        module.fill_diagnostics(simulation.state)
    np.testing.assert_array_equal(simulation.state.interior("cooling"), cooling.rate)
    assert cooling.scalars(simulation.state) == {
        "cooling_radiated": cooling.radiated}


class NeedsTemperature(Physics):
    needs = ("primitives", "temperature_gradient")


def test_missing_stage_data_is_a_start_up_error():
    cooling = cooling_module().Cooling(1.0)
    with pytest.raises(ConfigError, match="Cooling needs the stage data 'primitives', which no physics before it "
                                          r"provides \(before it: none\)"):
        PhysicsSet(extra=[cooling]).ordered()
    provider = Physics()
    provider.provides = ("primitives",)
    with pytest.raises(ConfigError, match="NeedsTemperature needs the stage data 'temperature_gradient'"):
        check_order([provider, NeedsTemperature()])
    check_order([provider, cooling])


def test_stage_data_names_what_was_published():
    stage = StageData(primitives=1)
    with pytest.raises(KeyError, match=r"'heating' was not published in this stage \(published: primitives\)"):
        stage["heating"]


def test_roles_keep_the_integrators_order():
    modules = {role: type(role, (Physics,), {})() for role in PhysicsSet.ORDER}
    extra = Physics()
    physics = PhysicsSet(eos="the eos", extra=[extra], **dict(reversed(list(modules.items()))))
    assert physics.ordered() == [modules[role] for role in PhysicsSet.ORDER] + [extra]
    assert physics.leakage is modules["leakage"] and physics.eos == "the eos"
    with pytest.raises(ValueError, match="unknown physics roles \\['heating'\\]"):
        PhysicsSet(heating=Physics())
