"""Unit tests of the ideal-gas EOS in the hydro (in-process, one rank):
values worked by hand, the round trip, non-contiguous outputs, the eos.*
keys, and an energy zero point (eps_zero) that changes nothing but eps.
Split from tests/test_hydro_units.py.
"""

import numpy as np
import pytest

from parleak.config import ConfigError
from parleak.eos import make_eos
from parleak.eos.ideal import IdealGas
from parleak.parallel import WORLD
from parleak.run_config import load_config
from parleak.simulation import Simulation
from helpers import REPO

DRIVERS = REPO / "drivers"


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
        sim.physics_set.hydro.eos = sim.physics_set.eos = eos
        sim.initialize()
        for n in range(40):
            sim.integrator.step(n * 1e-3, 1e-3)
        runs.append({name: sim.state.interior(name).copy() for name in ("dens", "mom_x", "etot")})
    plain, shifted = runs
    assert np.abs(shifted["dens"] - plain["dens"]).max() < 1e-13
    assert np.abs(shifted["mom_x"] - plain["mom_x"]).max() < 1e-13
    assert np.abs(shifted["etot"] + shift * shifted["dens"] - plain["etot"]).max() < 1e-12
    assert shifted["etot"].max() < 0.0
