"""Unit tests of the conserved <-> primitive conversion of the hydro and
its floors (in-process, one rank), against values worked by hand: the
primitive rows and the suspect cells they count, the density and pressure
floors, and the hydro stopping on a bad cell (and keeping its conserved
values). Split from tests/test_hydro_units.py.

Tolerances are stated where they are not exact: u = 2**-53 is the unit
round-off of float64.
"""

import numpy as np
import pytest

from parleak.eos.ideal import IdealGas
from parleak.hydro.layout import (C_DENS, C_DENS_YE, C_ETOT, C_MOM_X, P_GAMMA_C, P_GAMMA_E, P_PRESS, P_RHO, P_VX,
                                  P_YE)
from parleak.hydro.primitives import (apply_density_floor, apply_pressure_floor, count_below, count_pressure_floor,
                                      primitive_rows, primitive_to_conserved)
from parleak.parallel import CollectiveError
from helpers import driver_simulation

U = 2.0 ** -53  # unit round-off


def blocks(nx, nz=1, ny=1):
    """Empty (cons, prim, eps) blocks of nz x ny x nx cells."""
    return np.zeros((6, nz, ny, nx)), np.zeros((8, nz, ny, nx)), np.zeros((nz, ny, nx))


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
    sim = driver_simulation("sod.toml", **{"grid.cells": [16], "hydro.atmosphere_ye": 0.25})
    hydro, state = sim.physics_set.hydro, sim.state
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
        assert hydro.primitives(state).press[0, 0, i] == p_floor and hydro.primitives(state).vel_x[0, 0, i] == 0.0
    np.testing.assert_allclose(state.data[:6, 0, 0, 10], [1.0, 0.0, 0.0, 0.0, p_floor / (gamma - 1.0), 0.5],
                               rtol=4 * U, atol=0)
    untouched = [i for i in range(20) if i not in (0, 4, 5, 6, 10)]
    assert np.array_equal(state.data[:6, 0, 0, untouched], before[:, 0, 0, untouched])
    hydro.update_primitives(state)  # already atmosphere: the densities stay; the pressures sit at the floor
    assert hydro.floors_applied.tolist() == [3, 4]


def test_hydro_stops_on_a_bad_cell_and_names_it():
    sim = driver_simulation("sod.toml", **{"grid.cells": [16]})
    hydro, state = sim.physics_set.hydro, sim.state
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
    sim = driver_simulation("sod.toml", **{"grid.cells": [16]})
    hydro, state = sim.physics_set.hydro, sim.state
    state.data[:6, 0, 0, 5] = -1.0, 0.0, 0.0, 0.0, 7.0, 0.5
    state["etot"][0, 0, 9] = np.nan
    before = state.data[:6].copy()
    hydro.update_primitives(state, check=False)
    np.testing.assert_array_equal(state.data[:6, 0, 0, [5, 9]], before[:, 0, 0, [5, 9]])
    assert hydro.floors_applied.tolist() == [0, 0]  # bad cells are not floors
