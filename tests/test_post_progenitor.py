"""parleak.post.progenitor: the grid's radial averages of a 2 x 2 x 2 dump
written here (read back through parleak.post.load_dump) against values
worked out by hand, and the comparison figure."""

import math

import h5py
import matplotlib.image
import numpy as np
import pytest

from parleak.post import load_dump
from parleak.post.progenitor import FIGURE_SIZE, binned_grid, plot_progenitor
from parleak.progenitor import Profile

# Cells of width 1 cm on [0, 2]^3, centres 0.5 and 1.5: the class of a cell
# is how many of its coordinates are 1.5 (A 0, B 1, C 2, D 3), at the
# distances sqrt(0.75), sqrt(2.75), sqrt(4.75), sqrt(6.75) from the origin.
DENSITY = (8e9, 4e9, 2e9, 1e9)
TEMPERATURE = (1.0, 0.8, 0.6, 0.5)
YE = (0.44, 0.45, 0.46, 0.5)
SPEED = (-1e7, -2e7, -3e7, -4e7)  # radial about the origin


def write_dump(path, with_temperature=True):
    """A dump in the layout parleak.io.dump writes, 2 x 2 x 2 cells."""
    centres = np.array([0.5, 1.5])
    z, y, x = np.meshgrid(centres, centres, centres, indexing="ij")
    kind = (z > 1).astype(int) + (y > 1) + (x > 1)
    r = np.sqrt(x * x + y * y + z * z)
    speed = np.take(SPEED, kind)
    fields = {"dens": (np.take(DENSITY, kind), "g/cm^3"), "ye": (np.take(YE, kind), "1"),
              "vel_x": (speed * x / r, "cm/s"), "vel_y": (speed * y / r, "cm/s"), "vel_z": (speed * z / r, "cm/s")}
    if with_temperature:
        fields["temp"] = (np.take(TEMPERATURE, kind), "MeV")
    with h5py.File(path, "w") as h5:
        h5.attrs.update({"time": 0.25, "step": 7, "dim": 3, "cells": [2, 2, 2], "lower": [0.0] * 3,
                         "upper": [2.0] * 3, "config": "[problem]\nname = 'progenitor'\n"})
        for axis in "xyz":
            h5.attrs[f"boundary_{axis}_lower"] = "reflecting"
            h5.attrs[f"boundary_{axis}_upper"] = "outflow"
            h5[f"grid/{axis}"] = centres
        for name, (values, units) in fields.items():
            h5[f"fields/{name}"] = values
            h5[f"fields/{name}"].attrs["units"] = units
    return path


def test_binned_grid_by_hand(tmp_path):
    grid = binned_grid(load_dump(write_dump(tmp_path / "dump_00000.h5")))
    np.testing.assert_array_equal(grid.edges, [0.0, 1.0, 2.0, 3.0])  # 1 cm bins past sqrt(6.75)
    np.testing.assert_array_equal(grid.count, [1, 3, 4])
    np.testing.assert_array_equal(grid.mass, [8e9, 12e9, 7e9])  # cells of 1 cm^3; bin 2: 3 C cells and D
    expected = {
        "r": [math.sqrt(0.75), math.sqrt(2.75), (6 * math.sqrt(4.75) + math.sqrt(6.75)) / 7],
        "density": [8e9, 4e9, 7e9 / 4],
        "temperature": [1.0, 0.8, (6 * 0.6 + 0.5) / 7],
        "ye": [0.44, 0.45, (6 * 0.46 + 0.5) / 7],
        "velocity": [-1e7, -2e7, (6 * -3e7 - 4e7) / 7],
    }
    for name, values in expected.items():
        assert getattr(grid, name) == pytest.approx(values, rel=1e-14), name


def test_binned_grid_about_another_centre(tmp_path):
    dump = load_dump(write_dump(tmp_path / "dump_00000.h5"))
    grid = binned_grid(dump, centre=(1.0, 1.0, 1.0))    # every cell at sqrt(0.75): one bin [0, 1)
    np.testing.assert_array_equal(grid.count, [8])
    assert grid.density == pytest.approx([27e9 / 8], rel=1e-15)
    assert grid.temperature == pytest.approx([(8 * 1.0 + 12 * 0.8 + 6 * 0.6 + 0.5) / 27], rel=1e-14)
    assert grid.r == pytest.approx([math.sqrt(0.75)], rel=1e-15)
    grid = binned_grid(dump, edges=[0.0, 2.0, 2.5])  # explicit edges; D (2.598) lies outside
    np.testing.assert_array_equal(grid.count, [4, 3])
    assert grid.velocity == pytest.approx([(8 * -1e7 + 12 * -2e7) / 20, -3e7], rel=1e-14)


def progenitor():
    radius = np.array([0.3, 1.0, 2.0, 3.0, 10.0, 100.0])
    return Profile("s_test.short", "short", radius, 1e10 / (1.0 + radius) ** 2, np.full(6, 0.7),
                   np.linspace(0.44, 0.5, 6), -1e7 * radius, None)


@pytest.mark.parametrize("with_temperature", [True, False])
def test_plot_progenitor_writes_the_figure(tmp_path, with_temperature):
    dump = load_dump(write_dump(tmp_path / "dump_00000.h5", with_temperature))
    out = tmp_path / "progenitor_00000.png"
    assert plot_progenitor(progenitor(), dump, str(out)) == [str(out)]
    assert matplotlib.image.imread(out).shape[:2] == FIGURE_SIZE[::-1]
    assert (binned_grid(dump).temperature is None) is not with_temperature
