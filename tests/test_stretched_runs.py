"""Every problem on a stretched grid as real `parleak run` MPI jobs: the
dumps bitwise the same on 1, 2 and 4 ranks, and the self-gravitating
polytrope on a stretched octant in equilibrium with fewer cells than a
uniform grid of the same central resolution."""

import numpy as np
import pytest

from helpers import REPO, bitwise_on_1_2_and_4_ranks, parleak_run
from parleak.io.dump import existing_dumps
from parleak.io.reader import read_dump
from parleak.io.scalars import read_scalars, scalars_path
from parleak.problems import polytrope

DRIVERS = REPO / "drivers"


def dumps(directory, names=None):
    return [read_dump(path, names) for path in existing_dumps(directory)]


# 80 cells on [0, 1]: 40 uniform, then widths growing as a power law.
FACES_80 = np.concatenate([np.linspace(0.0, 0.5, 41), 0.5 + 0.5 * np.linspace(0.0, 1.0, 41)[1:] ** 1.3])


def stretched(min_width, extent, *more):
    return ["grid.spacing=stretched", f"grid.min_width={min_width!r}", f"grid.uniform_extent={extent!r}", *more]


STRETCHED_CASES = {
    "advection_2d": ("advection_2d.toml", stretched(0.02, 0.15, "grid.cells=[40,40]", "time.t_end=0.05")),
    "sod": ("sod.toml", stretched(0.002, 0.05, "grid.cells=[128]", "time.t_end=0.05")),
    "shocktube_nuclear": ("shocktube_nuclear.toml", ["time.max_steps=10", "grid.cells=[80]", "grid.spacing=faces",
                                                     "grid.faces.x=" + repr(list(2e7 * FACES_80))]),
    "soundwave": ("soundwave.toml", stretched(0.01, 0.2, "grid.cells=[64]", "time.t_end=0.1",
                                              "hydro.reconstruction=ppm")),
    "polytrope": ("polytrope.toml", stretched(2e5, 4e5, "grid.cells=[12,12,12]", "time.t_end=4e-5",
                                              "output.interval=2e-5")),
    "pns": ("pns.toml", stretched(6e4, 6e5, "grid.cells=[24,24,24]", "time.max_steps=3", "output.interval=0.0")),
    "collapse": ("collapse_stretched.toml", stretched(1e6, 5e6, "grid.cells=[20,20,20]", "grid.upper=[5e7,5e7,5e7]",
                                                      "time.max_steps=3", "output.interval=0.0")),
}


def grid_of(dump):
    return [dump.attrs[key] for key in ("cells", "lower", "upper")]


@pytest.mark.parametrize("case", STRETCHED_CASES)
def test_every_dump_on_a_stretched_grid_is_bitwise_identical_on_1_2_and_4_ranks(tmp_path, case):
    """(sod_2d and sedov_3d: tests/test_stretched_hydro.py.)"""
    driver, sets = STRETCHED_CASES[case]
    dumps, log = bitwise_on_1_2_and_4_ranks(DRIVERS / driver, tmp_path, *sets, timeout=400)
    assert "widths" in log and not dumps[-1].uniform  # rank 0 logs the stretched cells
    assert dumps[-1].attrs["step"] > 0


def test_polytrope_on_a_stretched_octant_stays_in_equilibrium(tmp_path):
    """The n = 1 polytrope of drivers/polytrope.toml (R = 10 km) on an
    octant of 12.5 km with reflecting planes through the centre: 24^3
    cells, 0.39 km wide within 5 km of the centre (the width of the
    uniform driver's 64^3 cells), growing by about 1.09 per cell beyond.
    A uniform octant of that central width needs 32^3 cells (2.4 times
    more; the driver's full box 64^3, 19 times). Over 5 sound-crossing
    times the central density stays within 5 % of its initial value and
    the mass changes only by round-off."""
    width = 2.5e6 / 64
    crossing_time = polytrope.crossing_time(1e15, 1e6)
    octant = [f"grid.boundary.{axis}_lower=reflecting" for axis in "xyz"]
    sets = stretched(width, 5e5, "grid.cells=[24,24,24]", "grid.lower=[0.0,0.0,0.0]",
                     "grid.upper=[1.25e6,1.25e6,1.25e6]", "polytrope.centre=[0.0,0.0,0.0]",
                     "gravity.mass_factor=8.0", f"time.t_end={5.0 * crossing_time!r}",
                     f"output.interval={crossing_time!r}", "output.log_every=10000", *octant)
    result = parleak_run(2, DRIVERS / "polytrope.toml", tmp_path, *sets, timeout=900)
    series = dumps(tmp_path, ["dens"])
    assert len(series) == 6
    assert series[-1].attrs["time"] == pytest.approx(5.0 * crossing_time, rel=1e-3)
    central = np.array([d.fields["dens"][0, 0, 0] for d in series])
    assert central[0] == pytest.approx(1e15 * np.sinc(0.5 * width / 1e6 * np.sqrt(3.0)), rel=0.01)
    assert np.max(np.abs(central / central[0] - 1.0)) < 0.05
    mass = np.array(read_scalars(scalars_path(tmp_path))["total_mass"])
    assert series[0].attrs["symmetry_factor"] == 8  # scalars.csv: the whole star, 8 x the octant's totals
    assert mass[0] == pytest.approx(4e15 * 1e18 / np.pi, rel=0.02)  # M = 4 rho_c R^3 / pi
    assert np.max(np.abs(mass / mass[0] - 1.0)) < 1e-13
    log_lines = [line for line in result.stdout.splitlines() if "floors" in line]
    assert log_lines and log_lines[-1].endswith("floors rho 0 p 0")
