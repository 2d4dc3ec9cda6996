"""Unit tests of the hydro building blocks against values worked by hand or
analytic results (in-process, one rank): the ideal-gas EOS, the conserved
<-> primitive conversion and the floors, the gravity sources (constant,
point mass, monopole), the face reconstructions, and gravity inside a run.

Tolerances are stated where they are not exact: u = 2**-53 is the unit
round-off of float64.
"""

import math

import numpy as np
import pytest

from parleak.config import ConfigError
from parleak.constants import GRAVITATIONAL_CONSTANT as G
from parleak.eos import make_eos
from parleak.eos.ideal import IdealGas
from parleak.gravity import ConstantGravity, MonopoleGravity, PointMassGravity
from parleak.grid import FACES, Grid
from parleak.hydro.faces import GHOST_NEEDED, PLM_MC, PLM_MINMOD, PPM, RECONSTRUCTIONS, plm_faces_row, ppm_faces_row
from parleak.hydro.fluxes import (C_DENS, C_DENS_YE, C_ETOT, C_MOM_X, P_GAMMA_C, P_GAMMA_E, P_PRESS, P_RHO, P_VX,
                                  P_YE)
from parleak.hydro.primitives import (apply_density_floor, apply_pressure_floor, count_below, count_pressure_floor,
                                      primitive_rows, primitive_to_conserved)
from parleak.hydro.solver import CONSERVED
from parleak.parallel import WORLD, CollectiveError
from parleak.problems import common
from parleak.reconstruct import MC, MINMOD
from parleak.simulation import Simulation, load_config
from parleak.state import FieldSpec, State
from helpers import REPO

DRIVERS = REPO / "drivers"
U = 2.0 ** -53  # unit round-off


def simulation(driver, **overrides):
    """An initialised in-process Simulation of drivers/`driver` (not run)."""
    config = load_config(DRIVERS / driver, list(overrides.items()), 1)
    sim = Simulation(config, WORLD)
    sim.initialize()
    return sim


def conserved_grid(cells, lower, upper, ghost=2, boundary="outflow"):
    """A grid and a State holding just the six conserved hydro fields."""
    grid = Grid(cells, lower, upper, ghost, {face: boundary for face in FACES}, None, WORLD)
    return grid, State(grid, [FieldSpec(name, "") for name in CONSERVED])


def blocks(nx, nz=1, ny=1):
    """Empty (cons, prim, eps) blocks of nz x ny x nx cells."""
    return np.zeros((6, nz, ny, nx)), np.zeros((8, nz, ny, nx)), np.zeros((nz, ny, nx))


# -- ideal gas EOS -----------------------------------------------------------

def test_ideal_gas_by_hand():
    eos = IdealGas(1.5)
    rho, eps = np.array([2.0, 0.5, 8.0]), np.array([3.0, 4.0, 0.25])
    press, gamma_c, gamma_e = np.empty(3), np.empty(3), np.empty(3)
    eos.from_rho_eps(rho, eps, None, None, press, gamma_c, gamma_e)
    assert press.tolist() == [3.0, 1.0, 1.0]
    assert gamma_c.tolist() == gamma_e.tolist() == [1.5] * 3
    assert eos.eps_from_rho_press(rho, press, None, None).tolist() == [3.0, 4.0, 0.25]
    assert eos.has_temperature is False


def test_ideal_gas_pressure_and_round_trip():
    """p = (gamma - 1) rho eps bitwise (the same single expression), on a
    3-D block spanning 25 decades; eps -> p -> eps comes back within 1 ulp
    (fl(fl(a eps) / a) with a = fl((gamma - 1) rho) is within one rounding
    of eps); gamma_e = 1 + p / (rho eps) within 2 ulp."""
    gamma = 5.0 / 3.0
    eos = IdealGas(gamma)
    rng = np.random.default_rng(7)
    rho = 10.0 ** rng.uniform(-10, 15, (3, 4, 5))
    eps = 10.0 ** rng.uniform(-5, 20, (3, 4, 5))
    press, gamma_c, gamma_e = (np.empty_like(rho) for _ in range(3))
    eos.from_rho_eps(rho, eps, 0.5 * np.ones_like(rho), np.zeros_like(rho), press, gamma_c, gamma_e)
    assert np.array_equal(press, (gamma - 1.0) * rho * eps)
    assert np.all(gamma_c == gamma) and np.all(gamma_e == gamma)
    assert np.all(np.abs(eos.eps_from_rho_press(rho, press, None, None) - eps) <= np.spacing(eps))
    assert np.all(np.abs(1.0 + press / (rho * eps) - gamma_e) <= 2 * np.spacing(gamma))


def test_ideal_gas_writes_into_non_contiguous_outputs():
    eos = IdealGas(1.5)
    rho, eps = np.full((2, 3), 2.0), np.full((2, 3), 5.0)
    press = np.zeros((2, 5))[:, 1:4]  # a block of a bigger array, like state.interior(...)
    eos.from_rho_eps(rho, eps, None, None, press, np.empty((2, 3)), np.empty((2, 3)))
    assert np.all(press == 5.0)


@pytest.mark.parametrize("gamma", [1.0, 0.5, -2.0, float("nan")])
def test_ideal_gas_rejects_gamma_not_above_one(gamma):
    with pytest.raises(ValueError, match="must be > 1"):
        IdealGas(gamma)


def test_make_eos_and_the_eos_keys():
    config = load_config(DRIVERS / "sod.toml", [("eos.gamma", 1.25)], 1)
    eos = make_eos(config)
    assert isinstance(eos, IdealGas) and eos.gamma == 1.25
    # eos.kind is checked by the schema (make_eos itself does not look at it)
    with pytest.raises(ConfigError) as err:
        load_config(DRIVERS / "sod.toml", [("eos.kind", "helmholtz")], 1)
    assert str(err.value) == "eos.kind = 'helmholtz' (from --set): must be one of 'ideal', 'table', 'builtin'"
    with pytest.raises(ConfigError, match=r"eos.gamma = 1.0 \(from --set\): must be > 1"):
        load_config(DRIVERS / "sod.toml", [("eos.gamma", 1.0)], 1)


class ShiftedIdealGas(IdealGas):
    """The ideal gas with its energy zero moved: eps = eps_ideal - shift, so
    eps < 0 in places, and eps_zero = shift (as a nuclear table)."""

    def __init__(self, gamma, shift):
        super().__init__(gamma)
        self.eps_zero = shift

    def from_rho_eps(self, rho, eps, ye, temp, press, gamma_c, gamma_e):
        super().from_rho_eps(rho, eps + self.eps_zero, ye, temp, press, gamma_c, gamma_e)

    def eps_from_rho_press(self, rho, press, ye, temp):
        return super().eps_from_rho_press(rho, press, ye, temp) - self.eps_zero


@pytest.mark.parametrize("riemann", ["hlle", "hllc"])
def test_an_energy_zero_point_changes_nothing_but_eps(riemann):
    """Sod with eps shifted by -7 (eps < 0 everywhere, gamma_e of eps alone
    would be singular) gives the same density and momentum as the plain
    ideal gas, and etot less 7 dens, to round-off: the face energies are
    rho (eps + eps_zero) and the hydro removes eps_zero times the mass flux."""
    shift = 7.0
    runs = []
    for eos in (IdealGas(1.4), ShiftedIdealGas(1.4, shift)):
        config = load_config(DRIVERS / "sod.toml", [("grid.cells", [100]), ("hydro.riemann", riemann)], 1)
        sim = Simulation(config, WORLD)
        sim.physics[0].eos = eos
        sim.initialize()
        for n in range(40):
            sim.integrator.step(n * 1e-3, 1e-3)
        runs.append({name: sim.state.interior(name).copy() for name in ("dens", "mom_x", "etot")})
    plain, shifted = runs
    assert np.abs(shifted["dens"] - plain["dens"]).max() < 1e-13
    assert np.abs(shifted["mom_x"] - plain["mom_x"]).max() < 1e-13
    assert np.abs(shifted["etot"] + shift * shifted["dens"] - plain["etot"]).max() < 1e-12
    assert shifted["etot"].max() < 0.0


# -- conserved <-> primitive ---------------------------------------------------

def test_primitive_to_conserved_by_hand():
    dens, mom_x, mom_y, mom_z, etot, dens_ye = primitive_to_conserved(2.0, (1.0, -2.0, 3.0), 1.0, 0.5)
    assert (dens, mom_x, mom_y, mom_z, etot, dens_ye) == (2.0, 2.0, -4.0, 6.0, 2.0 * (1.0 + 7.0), 1.0)


def test_primitive_rows_by_hand():
    """Dyadic values, so every operation is exact: v = mom / dens, ye =
    dens_ye / dens, eps = etot / dens - v^2 / 2."""
    cons, prim, eps = blocks(4)
    cons[:, 0, 0, 0] = 2.0, 4.0, -2.0, 6.0, 2.0 * (1.5 + 7.0), 1.0  # v = (2, -1, 3), eps 1.5, ye 0.5
    cons[:, 0, 0, 1] = 0.25, 0.5, 0.0, 0.0, 0.25 * (4.0 + 2.0), 0.0625  # v = (2, 0, 0), eps 4, ye 0.25
    cons[:, 0, 0, 2] = 8.0, -8.0, 16.0, 0.0, 8.0 * (0.125 + 2.5), 3.0  # v = (-1, 2, 0), eps 0.125, ye 0.375
    cons[:, 0, 0, 3] = 1e-12, 0.0, 0.0, 0.0, 1e-12, 5e-13  # below the floor: one suspect
    assert primitive_rows(cons, prim, eps, 1e-10) == 1
    assert prim[P_RHO, 0, 0].tolist() == [2.0, 0.25, 8.0, 1e-12]
    assert prim[P_VX:P_VX + 3, 0, 0, :3].T.tolist() == [[2.0, -1.0, 3.0], [2.0, 0.0, 0.0], [-1.0, 2.0, 0.0]]
    assert prim[P_YE, 0, 0, :3].tolist() == [0.5, 0.25, 0.375]
    assert eps[0, 0, :3].tolist() == [1.5, 4.0, 0.125]


def test_primitive_rows_counts_the_suspect_cells():
    """Suspects: below the floor, zero, negative, NaN, or infinite values
    (a cell exactly at the floor is fine)."""
    floor = 1e-10
    cons, prim, eps = blocks(9)
    cons[:, 0, 0, :] = np.array([1.0, 0.1, 0.2, 0.3, 2.0, 0.5])[:, None]
    cons[C_DENS, 0, 0, 1] = 0.5 * floor
    cons[:, 0, 0, 2] = 0.0
    cons[C_DENS, 0, 0, 3] = -1.0
    cons[C_DENS, 0, 0, 4] = np.nan
    cons[C_ETOT, 0, 0, 5] = np.inf
    cons[C_DENS_YE, 0, 0, 6] = np.nan
    cons[C_MOM_X + 1, 0, 0, 7] = -np.inf
    cons[C_DENS, 0, 0, 8] = floor
    assert primitive_rows(cons, prim, eps, floor) == 7


def test_primitive_round_trip():
    """primitive -> conserved -> primitive on random data over 10 decades:
    rho comes back bitwise, v and ye within 4 u (one rounding each way and
    the reciprocal), eps within 16 u (eps + v^2/2) (it is the difference
    etot/rho - v^2/2, each term a few roundings off)."""
    rng = np.random.default_rng(11)
    n = 1000
    rho = 10.0 ** rng.uniform(-5, 5, n)
    velocity = [rng.normal(size=n) * 10.0 ** rng.uniform(-3, 3, n) for _ in range(3)]
    eps_in = 10.0 ** rng.uniform(-2, 2, n)
    ye = rng.uniform(0.05, 0.6, n)
    cons, prim, eps = blocks(n)
    for c, values in enumerate(primitive_to_conserved(rho, velocity, eps_in, ye)):
        cons[c, 0, 0] = values
    assert primitive_rows(cons, prim, eps, 1e-10) == 0
    assert np.array_equal(prim[P_RHO, 0, 0], rho)
    for a in range(3):
        assert np.all(np.abs(prim[P_VX + a, 0, 0] - velocity[a]) <= 4 * U * np.abs(velocity[a]))
    assert np.all(np.abs(prim[P_YE, 0, 0] - ye) <= 4 * U * ye)
    kinetic = 0.5 * sum(v ** 2 for v in velocity)
    assert np.all(np.abs(eps[0, 0] - eps_in) <= 16 * U * (eps_in + kinetic))


def test_apply_density_floor_by_hand():
    """One row: cells 1-4 are owned (lo..hi), 0 and 5 are ghosts."""
    floor, atmosphere_ye = 1e-10, 0.3
    cons, prim, eps = blocks(6)
    cons[:, 0, 0, 0] = 5e-11, 1e-11, 0.0, 0.0, 1e-11, 2.5e-11  # ghost below the floor: floored, not counted
    cons[:, 0, 0, 1] = 2.0, 1.0, 0.0, 0.0, 3.0, 1.0  # fine: untouched
    cons[:, 0, 0, 2] = 5e-11, 1e-11, 2e-11, -3e-11, 7e-11, 1e-11  # below the floor, ye = 0.2
    cons[:, 0, 0, 3] = -1.0, 2.0, 3.0, 4.0, 5.0, 6.0  # negative density: bad
    cons[:, 0, 0, 4] = 0.0  # empty: floored with atmosphere_ye
    cons[:, 0, 0, 5] = 1.0, 0.0, 0.0, 0.0, np.nan, 0.5  # ghost with NaN: bad, not counted
    before = cons.copy()
    primitive_rows(cons, prim, eps, floor)
    prim[:, 0, 0, 1] = 42.0  # sentinels: a fine cell's primitives are not touched
    eps[0, 0, 1] = 42.0
    lo, hi = np.array([0, 0, 1]), np.array([1, 1, 5])
    n_floored, n_bad, first_bad, bad_values = apply_density_floor(cons, prim, eps, lo, hi, floor, atmosphere_ye)
    assert (n_floored, n_bad, first_bad) == (2, 1, 3)
    assert bad_values.tolist() == [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    ye = {0: 2.5e-11 / 5e-11, 2: 1e-11 / 5e-11, 4: atmosphere_ye}
    for i in (0, 2, 4):  # floored: dens = floor, mom = 0, ye kept, etot left for the pressure floor
        assert cons[:, 0, 0, i].tolist() == [floor, 0.0, 0.0, 0.0, before[C_ETOT, 0, 0, i], floor * ye[i]]
        assert prim[[P_RHO, P_VX, P_VX + 1, P_VX + 2, P_YE], 0, 0, i].tolist() == [floor, 0.0, 0.0, 0.0, ye[i]]
        assert eps[0, 0, i] == -1.0
    for i in (3, 5):  # bad: conserved kept, atmosphere primitives
        np.testing.assert_array_equal(cons[:, 0, 0, i], before[:, 0, 0, i])
        assert prim[[P_RHO, P_VX, P_VX + 1, P_VX + 2, P_YE], 0, 0, i].tolist() == [floor, 0, 0, 0, atmosphere_ye]
        assert np.isnan(eps[0, 0, i])  # so the pressure floor leaves them alone
    assert np.array_equal(cons[:, 0, 0, 1], before[:, 0, 0, 1])
    assert np.all(prim[:, 0, 0, 1] == 42.0) and eps[0, 0, 1] == 42.0


def test_apply_density_floor_first_bad_index_in_3d():
    """first_bad is the flat ghosted index of the first owned bad cell in
    [z, y, x] scan order; bad ghosts are neither counted nor first."""
    cons, prim, eps = blocks(5, nz=3, ny=4)
    cons[:] = np.array([1.0, 0.1, 0.2, 0.3, 2.0, 0.5])[:, None, None, None]
    lo, hi = np.array([1, 1, 1]), np.array([2, 3, 4])
    cons[C_DENS, 0, 0, 0] = np.nan  # ghost, earlier in scan order
    cons[C_DENS, 1, 2, 3] = -2.0  # owned
    cons[C_MOM_X, 1, 1, 2] = np.inf  # owned, first in scan order
    cons[C_DENS, 1, 1, 4] = -3.0  # i = 4 = hi: a ghost
    expected_values = cons[:, 1, 1, 2].copy()
    primitive_rows(cons, prim, eps, 1e-10)
    n_floored, n_bad, first_bad, bad_values = apply_density_floor(cons, prim, eps, lo, hi, 1e-10, 0.5)
    assert (n_floored, n_bad, first_bad) == (0, 2, (1 * 4 + 1) * 5 + 2)
    assert np.unravel_index(first_bad, (3, 4, 5)) == (1, 1, 2)
    np.testing.assert_array_equal(bad_values, expected_values)


def test_count_below_and_count_pressure_floor():
    press = np.ones((3, 4, 5))
    press[0, 0, 0] = 0.5  # ghost
    press[1, 1, 1] = 0.25  # owned
    press[1, 2, 3] = -1.0  # owned
    press[1, 2, 2] = 1.0 - 2.0 ** -52  # owned, just below
    press[2, 3, 4] = 0.0  # ghost
    press[1, 1, 2] = np.nan  # not below anything
    lo, hi = np.array([1, 1, 1]), np.array([2, 3, 4])
    assert count_below(press, 1.0) == 5
    assert count_pressure_floor(press, lo, hi, 1.0) == 3
    assert count_below(press, 0.25) == 2 and count_pressure_floor(press, lo, hi, 0.25) == 1


def test_apply_pressure_floor():
    """Cells with p < floor get p = floor, eps = floor / ((gamma - 1) rho)
    and etot = rho (eps + v^2/2), within 4 u; the rest stays bitwise."""
    gamma, floor = 5.0 / 3.0, 1e-6
    eos = IdealGas(gamma)
    cons, prim, eps = blocks(3, ny=2)
    temp = np.zeros_like(eps)
    rng = np.random.default_rng(5)
    prim[P_RHO] = rng.uniform(0.5, 2.0, eps.shape)
    prim[P_VX:P_VX + 3] = rng.normal(size=(3,) + eps.shape)
    prim[P_YE] = 0.4
    prim[P_PRESS] = [[[1.0, 2e-7, floor], [-3.0, 5e-6, 0.0]]]  # 2e-7, -3 and 0 are below the floor
    prim[P_GAMMA_C] = prim[P_GAMMA_E] = gamma
    eps[...] = prim[P_PRESS] / ((gamma - 1.0) * prim[P_RHO])
    cons[:] = rng.uniform(1.0, 2.0, cons.shape)
    cons0, prim0, eps0 = cons.copy(), prim.copy(), eps.copy()
    apply_pressure_floor(eos, cons, prim, eps, temp, floor)
    low = prim0[P_PRESS] < floor
    assert low.sum() == 3
    assert np.all(prim[P_PRESS][low] == floor)
    rho = prim[P_RHO][low]
    np.testing.assert_allclose(eps[low], floor / ((gamma - 1.0) * rho), rtol=4 * U, atol=0)
    speed2 = sum(prim[P_VX + a][low] ** 2 for a in range(3))
    np.testing.assert_allclose(cons[C_ETOT][low], rho * (eps[low] + 0.5 * speed2), rtol=4 * U, atol=0)
    assert np.all(prim[[P_GAMMA_C, P_GAMMA_E]][:, low] == gamma)
    # everything else is untouched
    assert np.array_equal(np.delete(cons, C_ETOT, axis=0), np.delete(cons0, C_ETOT, axis=0))
    assert np.array_equal(cons[C_ETOT][~low], cons0[C_ETOT][~low])
    assert np.array_equal(prim[:, ~low], prim0[:, ~low]) and np.array_equal(eps[~low], eps0[~low])
    kept = [P_RHO, P_VX, P_VX + 1, P_VX + 2, P_YE]
    assert np.array_equal(prim[kept][:, low], prim0[kept][:, low])


def test_hydro_update_primitives_applies_and_counts_the_floors():
    """Sod on 16 cells: three owned cells below the density floor (one of
    them empty) and one with a low pressure; a ghost below the floor is
    floored but not counted. The floored cells end as atmosphere at rest
    with p = pressure floor, etot = p_floor / (gamma - 1)."""
    sim = simulation("sod.toml", **{"grid.cells": [16], "hydro.atmosphere_ye": 0.25})
    hydro, state = sim.physics[0], sim.state
    rho_floor, p_floor, gamma = hydro.density_floor, hydro.pressure_floor, sim.config["eos.gamma"]
    assert (rho_floor, p_floor) == (1e-10, 1e-12)
    state.data[:6, 0, 0, 4] = 1e-12, 3e-12, 0.0, 0.0, 1e-12, 0.4e-12  # local cells 2..17 are owned
    state.data[:6, 0, 0, 5] = 2e-11, -1e-11, 0.0, 1e-11, 1e-11, 1e-11
    state.data[:6, 0, 0, 6] = 0.0
    state.data[:6, 0, 0, 10] = 1.0, 0.0, 0.0, 0.0, 1e-13, 0.5  # p = 0.4e-13 < p_floor
    state.data[:6, 0, 0, 0] = 1e-11, 0.0, 0.0, 0.0, 1e-11, 5e-12  # a ghost
    before = state.data[:6].copy()
    hydro.update_primitives(state)
    assert hydro.floors_applied.tolist() == [3, 4]
    assert hydro.status() == "floors rho 3 p 4"
    eps_floor = p_floor / ((gamma - 1.0) * rho_floor)
    for i, ye in ((4, 0.4), (5, 0.5), (6, 0.25), (0, 0.5)):
        np.testing.assert_allclose(state.data[:6, 0, 0, i],
                                   [rho_floor, 0.0, 0.0, 0.0, rho_floor * eps_floor, rho_floor * ye],
                                   rtol=4 * U, atol=0)
        assert hydro.primitive("press")[0, 0, i] == p_floor and hydro.primitive("vel_x")[0, 0, i] == 0.0
    np.testing.assert_allclose(state.data[:6, 0, 0, 10], [1.0, 0.0, 0.0, 0.0, p_floor / (gamma - 1.0), 0.5],
                               rtol=4 * U, atol=0)
    untouched = [i for i in range(20) if i not in (0, 4, 5, 6, 10)]
    assert np.array_equal(state.data[:6, 0, 0, untouched], before[:, 0, 0, untouched])
    hydro.update_primitives(state)  # already atmosphere: the densities stay; the pressures sit at the floor
    assert hydro.floors_applied.tolist() == [3, 4]


def test_hydro_stops_on_a_bad_cell_and_names_it():
    sim = simulation("sod.toml", **{"grid.cells": [16]})
    hydro, state = sim.physics[0], sim.state
    state.data[:6, 0, 0, 5] = -1.0, 0.0, 0.0, 0.0, 7.0, 0.5  # global index 3, centre 3.5 / 16 cm
    with pytest.raises(CollectiveError) as err:
        hydro.update_primitives(state)
    message = str(err.value)
    for part in ("1 cell(s) with negative density or non-finite values", "rank 0",
                 "global index (x, y, z)[:dim] = (3,)", "position (0.21875,) cm", "dens = -1.000000e+00",
                 "mom_x = 0.000000e+00", "etot = 7.000000e+00", "dens_ye = 5.000000e-01"):
        assert part in message, (part, message)
    hydro.update_primitives(state, check=False)  # for the last dump: no error


def test_hydro_bad_cell_keeps_its_conserved_values():
    sim = simulation("sod.toml", **{"grid.cells": [16]})
    hydro, state = sim.physics[0], sim.state
    state.data[:6, 0, 0, 5] = -1.0, 0.0, 0.0, 0.0, 7.0, 0.5
    state["etot"][0, 0, 9] = np.nan
    before = state.data[:6].copy()
    hydro.update_primitives(state, check=False)
    np.testing.assert_array_equal(state.data[:6, 0, 0, [5, 9]], before[:, 0, 0, [5, 9]])
    assert hydro.floors_applied.tolist() == [0, 0]  # bad cells are not floors


# -- gravity -----------------------------------------------------------------

def test_constant_gravity_sources_are_exact():
    """rhs(mom) += rho g and rhs(etot) += mom . g on the owned cells only,
    added to what rhs held; integer data and dyadic g, so exact."""
    grid, state = conserved_grid([4, 4, 4], [0.0] * 3, [1.0] * 3)
    rng = np.random.default_rng(3)
    for name in CONSERVED:
        state[name][...] = rng.integers(-9, 10, grid.local_shape)
    state["dens"][...] = rng.integers(1, 10, grid.local_shape)
    g = (-2.0, 0.5, 3.0)
    gravity = ConstantGravity(grid, g)
    rhs = np.full_like(state.data, 0.5)
    gravity.add_rhs(state, rhs, 0.0)
    assert gravity.max_dt(state) == np.inf
    inside = np.zeros(grid.local_shape, dtype=bool)
    inside[grid.interior] = True
    dens = state["dens"]
    for a, name in enumerate(("mom_x", "mom_y", "mom_z")):
        assert np.array_equal(rhs[state.index[name]], np.where(inside, 0.5 + dens * g[a], 0.5))
    power = state["mom_x"] * g[0] + state["mom_y"] * g[1] + state["mom_z"] * g[2]
    assert np.array_equal(rhs[state.index["etot"]], np.where(inside, 0.5 + power, 0.5))
    assert np.all(rhs[state.index["dens"]] == 0.5) and np.all(rhs[state.index["dens_ye"]] == 0.5)


def test_point_mass_gravity_by_hand():
    """g = -G M d / (|d|^2 + s^2)^(3/2) at cells worked by hand (ghosts
    included), 0 at the centre; within 4 u (a sqrt and a few products)."""
    grid, _ = conserved_grid([4, 4, 4], [0.0] * 3, [4.0] * 3)  # centres at 0.5, 1.5, ...; local = global + 2
    mass = 1e30
    gm = G * mass
    cases = {  # local (k, j, i): (offset d, |d|^2)
        (3, 3, 5): ((2.0, 0.0, 0.0), 4.0),
        (3, 4, 4): ((1.0, 1.0, 0.0), 2.0),
        (2, 2, 2): ((-1.0, -1.0, -1.0), 3.0),
        (0, 0, 0): ((-3.0, -3.0, -3.0), 27.0),  # a ghost corner: centre at -1.5
    }
    for softening in (0.0, 2.0):
        g = PointMassGravity(grid, mass, (1.5, 1.5, 1.5), softening).g
        assert g[:, 3, 3, 3].tolist() == [0.0, 0.0, 0.0]
        for (k, j, i), (d, r2) in cases.items():
            expected = [-gm * d[a] / (r2 + softening ** 2) ** 1.5 for a in range(3)]
            np.testing.assert_allclose(g[:, k, j, i], expected, rtol=4 * U, atol=0)
    # the inverse-square law along x, far from the centre
    g = PointMassGravity(grid, mass, (-100.0, 2.5, 2.5)).g  # on the row y = z = 2.5
    x = grid.centres(0)
    np.testing.assert_allclose(g[0, 4, 4, :], -gm / (x + 100.0) ** 2, rtol=4 * U)


SPHERE_CELLS, SPHERE_R, SPHERE_RHO, SPHERE_OUTSIDE = 32, 0.7, 1.0, 1e-14


@pytest.fixture(scope="module")
def sphere():
    """A uniform sphere (rho 1 within R = 0.7 = 11.2 cells of the centre,
    1e-14 outside) on 32^3 cells of [-1, 1]^3, centre on the middle vertex,
    bins of dx / 2 (the default). With that choice r / bin_width =
    sqrt(odd^2 + odd^2 + odd^2) and a sum of three odd squares (3 mod 8) is
    never a square, so no cell sits within round-off of a bin edge and an
    independent numpy binning must agree exactly."""
    n = SPHERE_CELLS
    grid, state = conserved_grid([n] * 3, [-1.0] * 3, [1.0] * 3)
    z, y, x = (np.broadcast_to(c, grid.local_shape) for c in grid.local_mesh())
    r = np.sqrt(x * x + y * y + z * z)
    state["dens"][...] = np.where(r < SPHERE_R, SPHERE_RHO, SPHERE_OUTSIDE)
    gravity = MonopoleGravity(grid, [0.0] * 3, 1.0 / n)
    assert gravity.bin_width == 0.5 * grid.dx[0]
    gravity.update(state)
    inside = grid.interior
    offsets = [c[inside].reshape(-1) for c in (x, y, z)]
    radius = r[inside].reshape(-1)
    bins = np.floor(radius / gravity.bin_width).astype(int)
    masses = state.interior("dens").reshape(-1) * grid.dx[0] ** 3
    mass_out = np.array([math.fsum(masses[bins <= b]) for b in range(gravity.n_bins)])
    mass_in = np.concatenate(([0.0], mass_out[:-1]))
    return dict(grid=grid, state=state, gravity=gravity, offsets=offsets, radius=radius, bins=bins, masses=masses,
                mass_in=mass_in, mass_out=mass_out)


def test_monopole_enclosed_mass_is_the_binned_grid_mass(sphere):
    """M at the bin edges bitwise equal to math.fsum of the cell masses of
    the bins below (the binning is exact, hence correctly rounded), and the
    total bitwise equal to grid.sum(rho dV)."""
    gravity, state, grid = sphere["gravity"], sphere["state"], sphere["grid"]
    assert np.array_equal(gravity.owned_bins, sphere["bins"])
    mass_in, mass_out = gravity.enclosed_mass(state)
    assert np.array_equal(mass_out, sphere["mass_out"]) and np.array_equal(mass_in, sphere["mass_in"])
    assert mass_out[-1] == grid.sum(state.interior("dens") * grid.dx[0] ** 3)


def test_monopole_enclosed_mass_total_is_exact_for_random_density():
    grid, state = conserved_grid([12, 10, 8], [-1.0, -2.0, 0.0], [2.0, 1.0, 1.0])
    rng = np.random.default_rng(2)
    state["dens"][...] = 10.0 ** rng.uniform(-8, 8, grid.local_shape)
    gravity = MonopoleGravity(grid, [0.3, -0.2, 0.6], 0.05, mass_factor=3.0)
    mass_in, mass_out = gravity.enclosed_mass(state)
    cell_masses = state.interior("dens") * (0.25 * 0.3 * 0.125 * 3.0)
    assert mass_out[-1] == grid.sum(cell_masses) == math.fsum(cell_masses.reshape(-1))
    assert np.all(np.diff(mass_out) >= 0.0) and np.array_equal(mass_in[1:], mass_out[:-1]) and mass_in[0] == 0.0


def test_monopole_acceleration_follows_the_binned_mass(sphere):
    """g = -G M(<r) d / r^3 with M(<r) interpolated linearly in r^3
    between the bin's edge masses: M recovered from g within 1e-13
    relative (a few roundings in g and r^3), so it lies between the
    independently binned M at the bin's inner and outer edges."""
    gravity, radius, bins = sphere["gravity"], sphere["radius"], sphere["bins"]
    g = [gravity.g[a][sphere["grid"].interior].reshape(-1) for a in range(3)]
    for a in range(3):
        np.testing.assert_allclose(g[a] / sphere["offsets"][a], g[0] / sphere["offsets"][0], rtol=1e-15)
    mass = -g[0] / sphere["offsets"][0] * radius ** 3 / G
    width = gravity.bin_width
    m_in, m_out = sphere["mass_in"][bins], sphere["mass_out"][bins]
    fraction = (radius ** 3 - (bins * width) ** 3) / (((bins + 1) * width) ** 3 - (bins * width) ** 3)
    np.testing.assert_allclose(mass, m_in + (m_out - m_in) * fraction, rtol=1e-13, atol=0)
    assert np.all(mass >= m_in * (1 - 1e-13)) and np.all(mass <= m_out * (1 + 1e-13))


def test_monopole_acceleration_of_a_uniform_sphere(sphere):
    """g against -G M(<r) / r^2 of the continuous sphere. Beyond R + one bin
    every sphere cell is enclosed: M is the grid's sphere mass (N cells
    with centre inside R times dV, counted here with numpy) plus at most the
    1e-14 atmosphere, and that voxelised mass is within 0.5% of 4/3 pi R^3
    rho (it is 0.32% high). Inside, M(<r) counts cells by their centres: the
    lattice-point discrepancy of a ball of 8-11 cells radius makes it a few
    % off (2.2% at most measured for 0.5 <= r < 0.8): bound 3%."""
    gravity, radius = sphere["gravity"], sphere["radius"]
    g_radial = sum(gravity.g[a][sphere["grid"].interior].reshape(-1) * sphere["offsets"][a] for a in range(3)) / radius
    mass = -g_radial * radius ** 2 / G
    dv = sphere["grid"].dx[0] ** 3
    sphere_mass = np.count_nonzero(radius < SPHERE_R) * dv * SPHERE_RHO
    analytic_total = 4.0 / 3.0 * math.pi * SPHERE_R ** 3 * SPHERE_RHO
    assert abs(sphere_mass / analytic_total - 1.0) < 5e-3
    outside = radius >= SPHERE_R + gravity.bin_width
    assert outside.sum() > 10000
    assert np.all(np.abs(mass[outside] - sphere_mass) <= 8.0 * SPHERE_OUTSIDE + 1e-13 * sphere_mass)
    shell = (radius >= 0.5) & (radius < 0.8)
    analytic = 4.0 / 3.0 * math.pi * np.minimum(radius[shell], SPHERE_R) ** 3 * SPHERE_RHO
    assert np.max(np.abs(mass[shell] / analytic - 1.0)) < 0.03


def test_monopole_potential_of_a_uniform_sphere(sphere):
    """Outside the sphere the potential is -G M / r with M the grid's total
    mass (what the atmosphere beyond r adds is < 1e-13 of it): within 1e-12.
    Everywhere it is within 0.5% of the analytic potential of the uniform
    sphere, -G M (3 R^2 - r^2) / (2 R^3) inside, -G M / r outside (M of the
    continuous sphere): the voxelised mass is 0.32% high and the potential,
    an integral over the mass, is no further off than that (0.32% measured)."""
    gravity, state, radius = sphere["gravity"], sphere["state"], sphere["radius"]
    phi = gravity.potential(state)[sphere["grid"].interior].reshape(-1)
    total = sphere["mass_out"][-1]
    outside = radius >= SPHERE_R + gravity.bin_width
    np.testing.assert_allclose(phi[outside], -G * total / radius[outside], rtol=1e-12)
    mass = 4.0 / 3.0 * math.pi * SPHERE_R ** 3 * SPHERE_RHO
    r, big_r = radius, SPHERE_R
    analytic = np.where(r < big_r, -G * mass * (3 * big_r ** 2 - r ** 2) / (2 * big_r ** 3), -G * mass / r)
    assert np.max(np.abs(phi / analytic - 1.0)) < 5e-3


# -- face reconstruction -----------------------------------------------------

def test_reconstruction_codes():
    """The PLM codes double as the limiter codes of parleak.reconstruct
    (fluxes passes the reconstruction code to plm_faces_row as its limiter)."""
    assert RECONSTRUCTIONS == {"plm-minmod": PLM_MINMOD, "plm-mc": PLM_MC, "ppm": PPM}
    assert (PLM_MINMOD, PLM_MC) == (MINMOD, MC) and PPM not in (MINMOD, MC)
    assert GHOST_NEEDED == {PLM_MINMOD: 2, PLM_MC: 2, PPM: 3}


def faces(q, reconstruction):
    """(left, right, q_m1, q_0) of the faces between cells f - 1 and f of
    the 1-D array q, f = 3 .. len(q) - 3 (face f at x = f for cells
    centred at i + 1/2)."""
    nf = q.size - 5

    def row(offset):
        return np.ascontiguousarray(q[3 + offset:3 + offset + nf])

    left, right = np.full(nf, np.nan), np.full(nf, np.nan)
    code = RECONSTRUCTIONS[reconstruction]
    if code == PPM:
        ppm_faces_row(row(-3), row(-2), row(-1), row(0), row(1), row(2), left, right)
    else:
        plm_faces_row(row(-2), row(-1), row(0), row(1), left, right, code)
    return left, right, row(-1), row(0)


@pytest.mark.parametrize("reconstruction", list(RECONSTRUCTIONS))
def test_faces_exact_on_linear_data(reconstruction):
    """Linear data: both face states are the line at the face. Exactly so
    for integer data; for q = a + b x with real a, b within 2 ulp of max |q|
    (the differences and the half-slope steps are each one rounding)."""
    q = 3.0 - 2.0 * np.arange(20.0)
    left, right, q_m1, q_0 = faces(q, reconstruction)
    assert np.array_equal(left, 0.5 * (q_m1 + q_0)) and np.array_equal(right, left)
    a, b = 0.3, 1.87e-3
    q = a + b * (np.arange(30) + 0.5)
    left, right, _, _ = faces(q, reconstruction)
    exact = a + b * np.arange(3, 28)
    tolerance = 2 * np.spacing(np.max(np.abs(q)))
    assert np.max(np.abs(left - exact)) <= tolerance and np.max(np.abs(right - exact)) <= tolerance


@pytest.mark.parametrize("reconstruction", list(RECONSTRUCTIONS))
def test_faces_make_no_new_extrema(reconstruction):
    """On a step the face states stay within the values of the two cells
    either side of the face (exactly: no overshoot at all), and are the
    constant itself away from the jump. On random monotone data likewise,
    within one rounding (MC's q + (q_next - q) may land an ulp beyond
    q_next)."""
    q = np.where(np.arange(20) < 10, -3.0, 5.0)
    left, right, q_m1, q_0 = faces(q, reconstruction)
    low, high = np.minimum(q_m1, q_0), np.maximum(q_m1, q_0)
    assert np.all((left >= low) & (left <= high) & (right >= low) & (right <= high))
    smooth = q_m1 == q_0
    assert np.array_equal(left[smooth], q_0[smooth]) and np.array_equal(right[smooth], q_0[smooth])
    assert smooth.sum() == left.size - 1
    rng = np.random.default_rng(4)
    for _ in range(200):
        q = np.cumsum(np.abs(rng.normal(size=40))) * 10.0 ** rng.uniform(-3, 3) * rng.choice([-1.0, 1.0])
        assert_faces_within_neighbours(q, reconstruction)


@pytest.mark.parametrize("reconstruction", ["plm-minmod", "plm-mc"])
def test_plm_faces_make_no_new_extrema_on_any_data(reconstruction):
    """PLM face states lie between the two cells at the face on any data
    (|limited slope| <= 2 min(|a|, |b|)), within one rounding. (Not asked
    of PPM: an extremum-preserving limiter may put a face value of a smooth
    extremum beyond its neighbouring cell averages.)"""
    rng = np.random.default_rng(4)
    for _ in range(200):
        assert_faces_within_neighbours(rng.normal(size=40) * 10.0 ** rng.uniform(-3, 3), reconstruction)


def assert_faces_within_neighbours(q, reconstruction):
    left, right, q_m1, q_0 = faces(q, reconstruction)
    low, high = np.minimum(q_m1, q_0), np.maximum(q_m1, q_0)
    slack = np.spacing(np.maximum(np.abs(q_m1), np.abs(q_0)))
    for states in (left, right):
        assert np.all(states >= low - slack) and np.all(states <= high + slack), (q, states)


# -- gravity in a run ----------------------------------------------------------

def test_uniform_box_falls_freely_and_exactly():
    """A uniform periodic 3-D box in constant gravity: the flux divergence
    is exactly zero, so mom = rho g t and etot = rho (eps + |g t|^2 / 2),
    which SSP-RK2 integrates exactly (a linear system with a quadratic
    solution); with dyadic rho, p/(gamma - 1), g and dt every operation is
    exact: bitwise."""
    g = [-2.0, 1.0, 0.5]
    sim = simulation("sod.toml", **{
        "grid.cells": [8, 8, 8], "grid.lower": [0.0] * 3, "grid.upper": [1.0] * 3, "sod.left": [1.0, 0.0, 1.0],
        "sod.right": [1.0, 0.0, 1.0], "eos.gamma": 1.5, "gravity.kind": "constant", "gravity.acceleration": g,
        **{f"grid.boundary.{a}_{s}": "periodic" for a in "xyz" for s in ("lower", "upper")}})
    assert isinstance(sim.physics[1], ConstantGravity)
    state = sim.state
    assert np.all(state.interior("etot") == 2.0)
    dt, steps = 1.0 / 64.0, 32
    for n in range(steps):
        sim.integrator.step(n * dt, dt)
    t = steps * dt
    assert np.all(state.interior("dens") == 1.0) and np.all(state.interior("dens_ye") == 0.5)
    for a, name in enumerate(("mom_x", "mom_y", "mom_z")):
        assert np.all(state.interior(name) == g[a] * t)
    assert np.all(state.interior("etot") == 2.0 + 0.5 * sum(v * v for v in g) * t * t)


def hydrostatic_velocity(cells, reconstruction):
    """(max |v| / c_s over 0.35 < x < 0.65, over all cells) at t = 0.25 of
    an atmosphere rho = p = e^-x (cell averages) on [0, 1] in g = -1
    (dp/dx = -rho g) between reflecting walls, HLLC."""
    sim = simulation("sod.toml", **{
        "grid.cells": [cells], "gravity.kind": "constant", "gravity.acceleration": [-1.0],
        "hydro.reconstruction": reconstruction,
        "grid.boundary.x_lower": "reflecting", "grid.boundary.x_upper": "reflecting"})
    x, dx = sim.grid.centres(0), sim.grid.dx[0]
    average = (np.exp(-(x - 0.5 * dx)) - np.exp(-(x + 0.5 * dx))) / dx
    common.set_primitives(sim.state, sim.physics[0], average, [0.0, 0.0, 0.0], average)
    time, t_end = 0.0, 0.25
    while time < t_end:
        dt = min(sim.integrator.stable_dt(0.4), t_end - time)
        sim.integrator.step(time, dt)
        time += dt
    hydro = sim.physics[0]
    hydro.update_primitives(sim.state)
    mach = np.abs(hydro.primitive("vel_x")) / np.sqrt(1.4 * hydro.primitive("press") / hydro.primitive("rho"))
    mach = mach[0, 0, 2:2 + cells]
    middle = (x[2:2 + cells] > 0.35) & (x[2:2 + cells] < 0.65)
    return np.max(mach[middle]), np.max(mach)


@pytest.mark.parametrize("reconstruction", ["plm-mc", "ppm"])
def test_hydrostatic_atmosphere_in_constant_gravity(reconstruction):
    """The pressure gradient balances gravity up to the truncation error.
    In the middle, which the walls cannot reach by t = 0.25 (c_s <= 1.19,
    so their signals get 0.3 in), the spurious velocities are small and fall
    at least at second order (measured 64 -> 128 cells: PLM-MC 2.3e-4 ->
    2.2e-5 of c_s, PPM 9.1e-5 -> 1.3e-6). At the walls the mirrored ghosts
    are not in equilibrium and the error is first order (2.8e-3 of c_s at
    128 cells for both): bound 6e-3. A wrong sign or a missing source
    gives velocities of order c_s."""
    (coarse, _), (fine, walls) = hydrostatic_velocity(64, reconstruction), hydrostatic_velocity(128, reconstruction)
    assert fine < 1e-4 and walls < 6e-3, (fine, walls)
    assert math.log2(coarse / fine) > 1.8, (coarse, fine)


def test_monopole_gravitational_energy_of_a_uniform_sphere(sphere):
    """W = 1/2 sum rho Phi V is -3/5 G M^2 / R of the uniform sphere within
    1 % (the voxelised sphere's mass is 0.32 % high, W goes as M^2)."""
    gravity, state = sphere["gravity"], sphere["state"]
    mass = 4.0 / 3.0 * math.pi * SPHERE_R ** 3 * SPHERE_RHO
    energy = gravity.scalars(state)["gravitational_energy"]
    assert abs(energy / (-0.6 * G * mass**2 / SPHERE_R) - 1.0) < 1e-2  # measured +0.46 %
