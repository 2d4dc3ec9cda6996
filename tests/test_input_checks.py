"""Input checks at start-up (issue 18, defects 5, 6 and the negative
pressures of 10): the EOS datasets a run looks up are present and finite,
initial models lie inside the EOS table, initial pressures are positive.
Each failure is a config error: exit 2 on every rank, one message naming the
key, its value and what would be valid, no traceback. End to end under
mpirun on 1 and 2 ranks; the checks themselves in this process."""

import re
import shutil

import h5py
import numpy as np
import pytest

from helpers import REPO, parleak_run
from parleak.config import ConfigError, validate
from parleak.eos import SCHEMA as EOS_SCHEMA
from parleak.eos import make_eos
from parleak.eos.table import EOSTableError, TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.problems import collapse, common, pns
from parleak.run_config import load_config
from parleak.simulation import Simulation

DRIVERS = REPO / "drivers"
SHORT = ("grid.cells=[12,12,12]", "time.max_steps=1", "output.interval=0.0", "output.checkpoint_interval=0.0")
RHO_RANGE = "1000 to 3.162e+15 g/cm^3"  # the built-in table's
TEMP_RANGE = "0.01 to 158.5 MeV"


def config_error(result, *fragments):
    """The one "parleak: config error" line of a run that exited 2 without
    a traceback, checked to contain `fragments`."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.startswith("parleak: config error")]
    assert len(lines) == 1, output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def eos():
    return TabulatedEOS(builtin_table_path())


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """Copies of the built-in table: {"no_munu": without munu, "nan_munu":
    munu all NaN}."""
    directory = tmp_path_factory.mktemp("tables")
    paths = {name: directory / f"{name}.h5" for name in ("no_munu", "nan_munu")}
    for path in paths.values():
        shutil.copyfile(builtin_table_path(), path)
    with h5py.File(paths["no_munu"], "a") as stream:
        del stream["munu"]
    with h5py.File(paths["nan_munu"], "a") as stream:
        stream["munu"][...] = np.nan
    return {name: str(path) for name, path in paths.items()}


# ------------------------------------------------ defect 5: table datasets

@pytest.mark.parametrize("ranks, driver, table", [(1, "pns", "no_munu"), (2, "pns", "nan_munu"),
                                                  (2, "collapse", "no_munu"), (1, "collapse", "nan_munu")])
def test_run_needing_a_missing_or_nan_dataset_is_a_config_error(tmp_path, tables, ranks, driver, table):
    """pns (beta-equilibrium Ye) and collapse (the deleptonisation's
    entropy change) look up munu: a table without it, or with it NaN, stops
    the run at start-up naming munu, the file and eos.table."""
    result = parleak_run(ranks, DRIVERS / f"{driver}.toml", tmp_path / "out", *SHORT, 'eos.kind="table"',
                         f'eos.table="{tables[table]}"', check=False, timeout=120)
    line = config_error(result, "eos.table", tables[table], "munu")
    assert ("no dataset munu" if table == "no_munu" else "non-finite") in line


def test_require_names_the_dataset_and_what_needs_it(tables, eos):
    for table, problem in (("no_munu", "no dataset munu"), ("nan_munu", "dataset munu, which")):
        lacking = TabulatedEOS(tables[table])
        with pytest.raises(EOSTableError, match=f"{table}.h5'?: {problem}.*the ye test needs"):
            lacking.require({"munu": "the ye test", "entropy": "the entropy test"})
        lacking.require({"entropy": "the entropy test", "press": "the hydro"})  # present and finite
    eos.require({"munu": "the ye test"})


def test_make_eos_checks_what_the_run_needs(tables):
    config = validate({"eos.kind": "table", "eos.table": tables["no_munu"]}, EOS_SCHEMA)
    assert make_eos(config).path == tables["no_munu"]  # nothing needed, nothing checked
    with pytest.raises(ConfigError, match=r"eos.table = '.*no_munu.h5': .*no dataset munu, which the ye test needs"):
        make_eos(config, {"munu": "the ye test"})


def test_power_ye_profile_does_not_need_munu(tmp_path, tables):
    """Without beta equilibrium the pns run does not look up munu: it
    starts on the table without munu, with Ye between pns.surface_ye and
    pns.central_ye."""
    config = load_config(DRIVERS / "pns.toml", [("eos.kind", "table"), ("eos.table", tables["no_munu"]),
                                                ("pns.ye_profile", "power"), ("grid.cells", [12, 12, 12])])
    simulation = Simulation(config)
    simulation.initialize()
    ye = simulation.state.interior("dens_ye") / simulation.state.interior("dens")
    assert np.all((ye >= config["pns.surface_ye"] - 1e-12) & (ye <= config["pns.central_ye"] + 1e-12))


# ------------------------------------------------ defect 6: initial models off the table

@pytest.mark.parametrize("ranks, setting, fragments", [
    (1, "pns.central_density=1e20", ("pns.central_density = 1e+20", RHO_RANGE)),
    (2, "pns.central_density=1e16", ("pns.central_density = 1e+16", RHO_RANGE)),
    (1, "pns.surface_density=1e2", ("pns.surface_density = 100.0", RHO_RANGE)),
    (2, "pns.central_temperature=1e-4", ("pns.central_temperature = 0.0001", TEMP_RANGE)),
    (1, "pns.central_temperature=500", ("pns.central_temperature = 500.0", TEMP_RANGE)),
    (2, "grid.upper=[1e8,1e8,1e8]", ("pns.surface_density = 1000000000.0", "grid.upper", RHO_RANGE)),
    (1, "collapse.central_temperature=500", ("collapse.central_temperature = 500.0", TEMP_RANGE)),
    (2, "collapse.atmosphere_density=1.0", ("collapse.atmosphere_density = 1.0", RHO_RANGE)),
])
def test_initial_model_outside_the_table_is_a_config_error(tmp_path, ranks, setting, fragments):
    driver = setting.split(".")[0] if setting.startswith("collapse") else "pns"
    result = parleak_run(ranks, DRIVERS / f"{driver}.toml", tmp_path / "out", *SHORT, setting, check=False,
                         timeout=120)
    config_error(result, "builtin_eos_", *fragments)


def test_pns_profiles_are_checked_before_the_star_is_built(eos):
    """The ends of T(rho) = T_c (rho / rho_c)^a and the power-law Ye lie in
    the table; beta equilibrium must exist inside the table's Ye range."""
    with pytest.raises(ConfigError, match=r"pns.central_temperature = 25.0, pns.temperature_exponent = 1.0, "
                                          r"pns.surface_density = 1000000000.0: the surface temperature 5.556e-05 MeV"):
        pns.Star(eos, pns.Model(temperature_exponent=1.0))
    with pytest.raises(ConfigError, match=r"pns.central_ye = 0.7: the central Ye 0.7 lies outside .* 0.01 to 0.6"):
        pns.Star(eos, pns.Model(ye_profile="power", central_ye=0.7))


def test_pns_without_beta_equilibrium_in_the_table(tmp_path, eos):
    path = tmp_path / "positive_munu.h5"
    shutil.copyfile(eos.path, path)
    with h5py.File(path, "a") as stream:
        stream["munu"][...] = 1.0
    with pytest.raises(ConfigError, match=r"pns.ye_profile = 'beta': .*no beta equilibrium inside ye = \[0.01, 0.6\]"
                                          r".*pns.ye_profile = 'power'"):
        pns.Model().ye(TabulatedEOS(path), np.array([1e12]))


def test_inversion_side(eos):
    """-1 / 0 / +1: below / inside / above the table's column at (rho, Ye),
    without touching the counters."""
    eos.reset_counts()
    rho, ye = np.full(3, 1e12), np.full(3, 0.3)
    press = eos.lookup(rho, np.array([0.01, 1.0, 158.48931924611142]), ye, "press")[0] * np.array([0.5, 1.0, 2.0])
    assert eos.inversion_side("press", rho, press, ye).tolist() == [-1, 0, 1]
    assert not any(eos.counts)


def test_collapse_model_cold_floor_and_hot_side(eos):
    """The default collapse polytrope lies below the table's coldest
    pressure between 8.3e8 and 8.1e11 g/cm^3: it takes the table's lowest
    temperature there, within 1.1 % of its pressure (module docstring). A
    pressure above the table's hottest is refused."""
    rho = np.logspace(6.0, 12.0, 241)
    press = collapse.polytropic_constant(eos, 1e12, 0.1) * rho ** (4.0 / 3.0)
    cold = eos.inversion_side("press", rho, press, 0.5) < 0
    assert np.any(cold) and np.all((rho[cold] > 8.2e8) & (rho[cold] < 8.2e11))
    temp = eos.temp_from_rho_press(rho, press, 0.5)
    assert np.all(temp[cold] == eos.ranges["temp"][0])
    ratio = eos.lookup(rho, temp, 0.5, "press")[0] / press
    assert np.all(ratio > 1.0 - 1e-12) and np.all(ratio < 1.011)
    assert common.inversion_outside(eos, "press", rho, press, 0.5, (1,), "the test", "the pressure") is None
    message = common.inversion_outside(eos, "press", rho[-1:], 1e6 * press[-1:], 0.5, (1,), "the test", "the pressure")
    assert re.fullmatch(r"the test: the pressure 4.961e\+36 erg/cm\^3 at rho = 1e\+12 g/cm\^3, Ye = 0.5 needs a "
                        r"temperature above the EOS table '.*', which holds 4.943e\+30 to 7.951e\+34 erg/cm\^3 there "
                        r"\(T = 0.01 to 158.5 MeV\)", message), message


# ------------------------------------------------ defect 10: non-positive initial pressures

@pytest.mark.parametrize("ranks, driver, sets, fragments", [
    (1, "sod", ("sod.left=[1.0,0.0,-1.0]",), ("sod.left = [1.0, 0.0, -1.0]", "pressure", "> 0")),
    (2, "sod", ("sod.right=[0.0,0.0,0.1]",), ("sod.right = [0.0, 0.0, 0.1]", "density", "> 0")),
    (1, "soundwave", ("soundwave.amplitude=0.7",), ("soundwave.amplitude = 0.7", "eos.gamma", "< 0.6")),
    (2, "sod", ('eos.kind="builtin"',), ("sod.left = [1.0, 0.0, 1.0]", RHO_RANGE)),
    (1, "sedov_3d", ("grid.cells=[12,12,12]", "sedov.radius=0.01"), ("sedov.radius = 0.01", "no cell centre")),
])
def test_impossible_initial_data_is_a_config_error(tmp_path, ranks, driver, sets, fragments):
    result = parleak_run(ranks, DRIVERS / f"{driver}.toml", tmp_path / "out", "time.max_steps=1", *sets,
                         check=False, timeout=120)
    config_error(result, *fragments)


def test_pressures_from_the_table_are_checked_per_cell(tmp_path):
    """A shock tube on the built-in EOS whose right pressure is below the
    table's coldest state at its density (1e20 < P(1e12 g/cm^3, 0.01 MeV)):
    the message names sod.right and the pressures the table holds there."""
    config = load_config(DRIVERS / "shocktube_nuclear.toml", [("sod.right", [1e12, 0.0, 1e20]),
                                                             ("grid.cells", [40])])
    simulation = Simulation(config)
    with pytest.raises(ConfigError, match=r"sod.left = .*, sod.right = \[1000000000000.0, 0.0, 1e\+20\]: the "
                                          r"initial pressure 1e\+20 erg/cm\^3 at rho = 1e\+12 g/cm\^3, Ye = 0.5 "
                                          r"at x = .* cm needs a temperature below the EOS table .*, which holds .* "
                                          r"to .* erg/cm\^3 there"):
        simulation.initialize()
