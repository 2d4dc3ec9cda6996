"""Leakage in a hydro run (leakage.evolve): the budgets in scalars.csv close,
and the keys are checked."""

import numpy as np
import pytest

from helpers import REPO
from parleak.config import ConfigError
from parleak.io.scalars import read_scalars
from parleak.microphysics.leakage import lookup_eos_quantities
from parleak.neutrino.optical_depth import TAU_FIELDS
from parleak.parallel import WORLD
from parleak.run_config import load_config
from parleak.simulation import Simulation

DRIVER = REPO / "drivers" / "shocktube_nuclear.toml"


def test_budgets_of_a_leaking_shock_tube(tmp_path):
    """The nuclear shock tube with leakage (rays, tau every step) between
    reflecting walls (a 100 x 1 grid: the lines of sight leave through the
    outflow y faces, through which nothing flows net): the energy lost from
    the grid equals the radiated energy, and the lepton number lost the
    radiated lepton number, to 1e-10 (both are the stage-weighted sources
    the integrator applied); luminosities positive, nu_e the brightest
    (deleptonisation). (With outflow x faces the cooled edges flow out, and
    a budget must count what crosses the boundary.)"""
    config = load_config(DRIVER, [("grid.cells", [100, 1]), ("grid.lower", [0.0, 0.0]),
                                  ("grid.upper", [2e7, 2e5]), ("grid.boundary.x_lower", "reflecting"),
                                  ("grid.boundary.x_upper", "reflecting"), ("grid.boundary.y_lower", "outflow"),
                                  ("grid.boundary.y_upper", "outflow"), ("optical_depth.method", "rays"),
                                  ("leakage.evolve", True), ("time.t_end", 3e-4), ("output.interval", 0.0)], 1)
    sim = Simulation(config, WORLD)
    sim.initialize()
    sim.run(str(tmp_path))
    series = read_scalars(tmp_path / "scalars.csv")
    lost_energy = series["total_energy"][0] - series["total_energy"][-1]
    lost_leptons = series["total_leptons"][0] - series["total_leptons"][-1]
    assert lost_energy > 0.0 and lost_leptons > 0.0
    assert abs(series["radiated_energy"][-1] / lost_energy - 1.0) < 1e-10
    assert abs(series["radiated_leptons"][-1] / lost_leptons - 1.0) < 1e-10
    assert abs(series["total_mass"][-1] / series["total_mass"][0] - 1.0) < 1e-14
    last = {name: values[-1] for name, values in series.items()}
    assert last["lum_nu_e"] > last["lum_anti_nu_e"] > 0.0 and last["lum_nu_x"] > 0.0


def test_leakage_needs_optical_depths():
    with pytest.raises(ConfigError, match=r"leakage.evolve = true \(.*--set\) needs optical depths"):
        load_config(DRIVER, [("leakage.evolve", True)], 1)  # before any grid


def test_dumps_hold_the_optical_depths_the_sources_used():
    """With evolved leakage updating tau every 2 steps by one (kappa, tau)
    iteration, a dump's tau fields are exactly the depths of the last
    update (what the sources used), not a fresh convergence, which
    differs."""
    config = load_config(DRIVER, [("grid.cells", [64, 1]), ("grid.lower", [0.0, 0.0]), ("grid.upper", [2e7, 2e5]),
                                  ("grid.boundary.y_lower", "outflow"), ("grid.boundary.y_upper", "outflow"),
                                  ("optical_depth.method", "rays"), ("leakage.evolve", True),
                                  ("leakage.tau_every", 2), ("time.t_end", 1.0)], 1)
    sim = Simulation(config, WORLD)
    sim.initialize()
    for n in range(5):
        sim.integrator.step(0.0, 0.5 * sim.integrator.stable_dt(0.4))
    leakage, diagnostics = sim.physics_set.leakage, sim.physics_set.neutrino_diagnostics
    for module in sim.physics:
        module.fill_diagnostics(sim.state)
    dumped = np.array([sim.state.interior(name) for name in TAU_FIELDS]).reshape(leakage.tau.shape)
    np.testing.assert_array_equal(dumped, leakage.tau)
    rho, temp, ye = (np.ascontiguousarray(sim.state.interior(name)) for name in ("dens", "temp", "ye"))
    converged = diagnostics.depth.converged(rho, temp, ye, lookup_eos_quantities(diagnostics.eos, rho, temp, ye))
    assert not np.array_equal(converged, leakage.tau)
