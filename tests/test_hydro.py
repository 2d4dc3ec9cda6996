"""Hydrodynamics verified against exact solutions (in-process, one rank)."""

import numpy as np
import pytest

from exact.riemann import cell_average
from parleak.hydro.riemann import HLLC, HLLE, hllc_row, hlle_row
from parleak.parallel import WORLD
from parleak.problems import soundwave
from parleak.run_config import load_config
from parleak.simulation import Simulation
from helpers import REPO

DRIVERS = REPO / "drivers"


def run(driver, tmp_path, **overrides):
    config = load_config(DRIVERS / driver, list(overrides.items()), 1)
    simulation = Simulation(config, WORLD)
    simulation.initialize()
    simulation.run(str(tmp_path))
    return simulation


def sod_l1(tmp_path, cells, reconstruction="plm-mc", riemann="hllc"):
    sim = run("sod.toml", tmp_path / f"{cells}{reconstruction}{riemann}", **{
        "grid.cells": [cells], "hydro.reconstruction": reconstruction, "hydro.riemann": riemann})
    rho = sim.state.interior("dens")[0, 0]
    exact = cell_average(np.linspace(0.0, 1.0, cells + 1), 0.2, 0.5, (1.0, 0.0, 1.0), (0.125, 0.0, 0.1), 1.4)[0]
    return np.mean(np.abs(rho - exact))


def test_sod_plm_mc_hllc_error_and_convergence(tmp_path):
    errors = [sod_l1(tmp_path, n) for n in (200, 400, 800)]
    assert errors[1] < 3e-3
    assert errors[0] > errors[1] > errors[2]


@pytest.mark.parametrize("reconstruction,riemann,bound", [
    ("ppm", "hllc", 1.0e-3), ("ppm", "hlle", 1.0e-3), ("plm-mc", "hlle", 1.5e-3), ("plm-minmod", "hllc", 2.5e-3)])
def test_sod_other_schemes(tmp_path, reconstruction, riemann, bound):
    assert sod_l1(tmp_path, 400, reconstruction, riemann) < bound


def test_sod_same_along_every_axis(tmp_path):
    profiles = []
    for axis in "xyz":
        cells = [4, 4, 4]
        cells["xyz".index(axis)] = 200
        upper = [0.02, 0.02, 0.02]
        upper["xyz".index(axis)] = 1.0
        boundary = {f"grid.boundary.{a}_{s}": ("outflow" if a == axis else "periodic")
                    for a in "xyz" for s in ("lower", "upper")}
        sim = run("sod.toml", tmp_path / axis, **{"grid.cells": cells, "grid.lower": [0.0] * 3,
                                                  "grid.upper": upper, "sod.axis": axis}, **boundary)
        rho = sim.state.interior("dens")
        line = {"x": rho[0, 0, :], "y": rho[0, :, 0], "z": rho[:, 0, 0]}[axis]
        assert np.all(rho == np.expand_dims(line, [a for a in range(3) if a != 2 - "xyz".index(axis)]))
        profiles.append(line)
    assert np.max(np.abs(profiles[1] - profiles[0])) < 1e-13
    assert np.max(np.abs(profiles[2] - profiles[0])) < 1e-13


def soundwave_error(tmp_path, cells, reconstruction, dim=1):
    sim = run("soundwave.toml", tmp_path / f"{reconstruction}{cells}{dim}", **{
        "grid.cells": [cells] * dim, "soundwave.wavenumbers": [1] * dim, "hydro.reconstruction": reconstruction,
        "time.t_end": 1.0 / np.sqrt(dim)})
    exact = soundwave.solution(sim.config, sim.grid, sim.time)[0][sim.grid.interior]
    return np.mean(np.abs(sim.state.interior("dens") - exact)) / sim.config["soundwave.amplitude"]


@pytest.mark.parametrize("reconstruction", ["plm-mc", "ppm"])
def test_soundwave_second_order(tmp_path, reconstruction):
    """With SSP-RK2 at CFL 0.4. PPM's extremum-preserving limiter keeps the
    smooth extrema (orders 1.99, 2.00); classic PPM, which clipped them,
    gave 1.26 and 0.49 (see parleak.hydro.faces.ppm_faces_row)."""
    errors = [soundwave_error(tmp_path, n, reconstruction) for n in (64, 128, 256)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders >= 1.8), orders


@pytest.mark.parametrize("reconstruction", ["plm-mc", "ppm"])
def test_soundwave_second_order_diagonal_2d(tmp_path, reconstruction):
    errors = [soundwave_error(tmp_path, n, reconstruction, dim=2) for n in (64, 128)]
    assert np.log2(errors[0] / errors[1]) >= 1.8


def test_periodic_box_conserves_mass_momentum_energy(tmp_path):
    """A 3-D periodic box with a blast and a shear flow: totals change only
    by round-off over 100 steps."""
    config = load_config(DRIVERS / "sedov_3d.toml", [
        ("grid.cells", [16, 16, 16]), ("time.max_steps", 100), ("time.t_end", 1.0), ("sedov.pressure", 0.1),
        *[(f"grid.boundary.{a}_{s}", "periodic") for a in "xyz" for s in ("lower", "upper")]], 1)
    sim = Simulation(config, WORLD)
    sim.initialize()
    z = sim.grid.local_mesh()[0]
    sim.state["mom_x"][...] = 0.3 * np.sin(2 * np.pi * z)
    sim.state["etot"][...] += 0.5 * sim.state["mom_x"] ** 2 / sim.state["dens"]
    names = ("dens", "mom_x", "mom_y", "mom_z", "etot", "dens_ye")
    before = [sim.grid.sum(sim.state.interior(n)) for n in names]
    sim.run(str(tmp_path))
    assert sim.step == 100
    assert list(sim.physics_set.hydro.floors_applied) == [0, 0]  # floors would change the totals
    after = [sim.grid.sum(sim.state.interior(n)) for n in names]
    for name, b, a in zip(names, before, after):
        scale = max(abs(b), sim.grid.sum(np.abs(sim.state.interior("etot"))))
        assert abs(a - b) <= 1e-13 * scale, (name, b, a)


def face_states(rho, u, p, vt1=0.0, vt2=0.0, gamma=1.4):
    state = np.empty((8, np.size(rho)))
    for row, value in enumerate((rho, u, vt1, vt2, p, 0.5, gamma, gamma)):
        state[row] = value
    return state


def euler_flux(rho, u, p, gamma=1.4):
    energy = p / (gamma - 1.0) + 0.5 * rho * u * u
    return np.array([rho * u, rho * u * u + p, 0 * u, 0 * u, (energy + p) * u, rho * u * 0.5])


@pytest.mark.parametrize("solver", [hllc_row, hlle_row])
def test_riemann_solvers_are_consistent_and_upwind(solver):
    rng = np.random.default_rng(1)
    rho, u, p = rng.uniform(0.1, 2, 50), rng.uniform(-1, 1, 50), rng.uniform(0.1, 2, 50)
    flux = np.empty((6, 50))
    solver(face_states(rho, u, p), face_states(rho, u, p), flux)
    assert np.allclose(flux, euler_flux(rho, u, p), rtol=1e-13, atol=1e-14)
    # supersonic to the right: the flux is the left state's
    fast = u + 5.0
    solver(face_states(rho, fast, p), face_states(rho[::-1], fast[::-1], p[::-1]), flux)
    assert np.allclose(flux, euler_flux(rho, fast, p), rtol=1e-13)


def test_hllc_keeps_a_contact_sharp_hlle_does_not():
    left, right = face_states(np.array([1.0]), 0.0, 1.0), face_states(np.array([0.1]), 0.0, 1.0)
    flux = np.empty((6, 1))
    hllc_row(left, right, flux)
    assert flux[0, 0] == 0.0 and flux[4, 0] == 0.0 and flux[1, 0] == pytest.approx(1.0, rel=1e-15)
    hlle_row(left, right, flux)
    assert flux[0, 0] > 1e-3
    assert HLLC != HLLE
