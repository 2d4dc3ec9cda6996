"""Whole-star values (parleak.whole_star): the symmetry factor of a domain,
the same star on an octant and on the full domain, the table of
`parleak post` (parleak.post.summary) and `make demo`."""

import subprocess

import numpy as np
import pytest

from helpers import REPO, parleak_run, singleton
from parleak.io.dump import existing_dumps
from parleak.io.reader import read_dump
from parleak.io.scalars import read_scalars, scalars_path
from parleak.parallel import WORLD
from parleak.post.load import load_scalars
from parleak.post.summary import last_values, summary_table
from parleak.run_config import load_config
from parleak.simulation import Simulation
from parleak.whole_star import config_symmetry, describe, symmetry_factor

DRIVERS = REPO / "drivers"
OCTANT_FACES = {"x_lower": "reflecting", "x_upper": "outflow", "y_lower": "reflecting", "y_upper": "outflow",
                "z_lower": "reflecting", "z_upper": "outflow"}
L = 2.88e6  # cm: the pns driver's octant; 8^3 cells of 3.6 km (its 16^3 mirror image on [-L, L]^3)
SMALL = [("grid.cells", [8, 8, 8]), ("time.max_steps", 3), ("output.interval", 0.0), ("output.log_every", 100)]
FULL = [("grid.cells", [16, 16, 16]), ("grid.lower", [-L] * 3), ("grid.upper", [L] * 3),
        ("pns.centre", [0.0] * 3), ("gravity.mass_factor", 1.0),
        *((f"grid.boundary.{a}_{side}", "outflow") for a in "xyz" for side in ("lower", "upper"))]
EXTENSIVE = ("total_mass", "total_energy", "total_leptons", "outflow_mass", "outflow_energy", "outflow_leptons",
             "gravity_work", "gravitational_energy", "radiated_energy", "radiated_leptons", "energy",
             *(f"{k}_{s}" for k in ("lum", "number_lum") for s in ("nu_e", "anti_nu_e", "nu_x")))
INTENSIVE = ("max_density", "central_ye", "central_temp", "energy_drift",
             *(f"{k}_{s}" for k in ("mean_energy", "transport_radius") for s in ("nu_e", "anti_nu_e", "nu_x")))


def test_symmetry_factor_counts_reflecting_faces_through_the_centre():
    """2 per axis with a reflecting face at the centre's coordinate (lower or
    upper), 1 without a centre, whatever the faces."""
    assert symmetry_factor(OCTANT_FACES, [0.0] * 3, [L] * 3, [0.0] * 3) == (8, ("x", "y", "z"))
    assert symmetry_factor(OCTANT_FACES, [0.0] * 3, [L] * 3, None) == (1, ())
    walls = dict.fromkeys(OCTANT_FACES, "reflecting")  # a centred star in a closed box: the whole star
    assert symmetry_factor(walls, [-L] * 3, [L] * 3, [0.0] * 3) == (1, ())
    half = dict(walls, z_lower="outflow")  # the reflecting upper z face through the centre
    assert symmetry_factor(half, [-L, -L, -2 * L], [L, L, 0.0], [0.0] * 3) == (2, ("z",))
    assert symmetry_factor(OCTANT_FACES, [0.0] * 3, [L] * 3, [0.0, 1e5, 0.0]) == (4, ("x", "z"))
    assert symmetry_factor({"x_lower": "reflecting", "x_upper": "outflow", "y_lower": "periodic",
                            "y_upper": "periodic"}, [0.0, 0.0], [1.0, 1.0], [1e-12, 0.0]) == (2, ("x",))
    assert describe(8, ("x", "y", "z")) == \
        "whole-star values: 8 x the domain's (reflecting faces x, y, z through the centre)"


@pytest.mark.parametrize("driver, factor", [("pns.toml", 8), ("collapse.toml", 8), ("collapse_stretched.toml", 8),
                                            ("polytrope.toml", 1), ("sedov_3d.toml", 1), ("sod.toml", 1),
                                            ("shocktube_nuclear.toml", 1)])
def test_drivers_symmetry_factor(driver, factor):
    """The octant drivers give 8; a centred star in a box, and problems
    without a star (no central gravity), 1."""
    assert config_symmetry(load_config(DRIVERS / driver))[0] == factor


def test_the_polytrope_octant_and_runs_without_central_gravity():
    """The polytrope fixes its monopole (no gravity.kind key): its octant
    gives 8; constant gravity, or no gravity keys, give 1."""
    octant = [("grid.lower", [0.0] * 3), ("polytrope.centre", [0.0] * 3), ("gravity.mass_factor", 8.0)]
    octant += [(f"grid.boundary.{axis}_lower", "reflecting") for axis in "xyz"]
    assert config_symmetry(load_config(DRIVERS / "polytrope.toml", octant)) == (8, ("x", "y", "z"))
    values = {"grid.lower": [0.0] * 3, "grid.upper": [1.0] * 3, "gravity.centre": [0.0] * 3,
              **{f"grid.boundary.{axis}_{side}": "reflecting" for axis in "xyz" for side in ("lower", "upper")}}
    assert config_symmetry(dict(values, **{"gravity.kind": "constant"})) == (1, ())
    assert config_symmetry({"leakage.tau_every": 1}) == (1, ())


def _run(tmp_path, overrides):
    """An in-process 1-rank run of the pns driver: (Simulation, scalars)."""
    sim = Simulation(load_config(DRIVERS / "pns.toml", SMALL + overrides), WORLD)
    sim.initialize()
    sim.run(str(tmp_path))
    return sim, {k: np.array(v) for k, v in read_scalars(scalars_path(tmp_path)).items()}


def test_octant_and_full_domain_give_the_same_star(tmp_path):
    """The pns on its octant and on the full domain (its mirror images,
    the same 3.6 km cells) for 3 steps: every whole-star column of
    scalars.csv agrees to 1e-11 relative (measured: masses, energies and
    lepton numbers bitwise, luminosities and number rates 2e-16 to 5e-16,
    the gravity's work and the radiated leptons 2e-15, the energy drift
    4e-14; the outflows 4e-9 of themselves: a net of in- and outflow
    through the faces, so compared with their totals, 2e-18), and the octant's are exactly 8 x its
    grid totals (the leakage's luminosities, the hydro's and gravity's
    scalars); the dumps' symmetry_factor is 8 and 1."""
    octant, o = _run(tmp_path / "octant", [])
    full, f = _run(tmp_path / "full", FULL)
    assert (octant.symmetry_factor, full.symmetry_factor) == (8, 1)
    assert len(o["time"]) == 4 and np.array_equal(o["step"], f["step"])
    assert np.all(o["lum_nu_e"][1:] > 1e51)
    for name in EXTENSIVE + INTENSIVE:
        total = name.replace("outflow", "total")  # the outflow, a net of in- and outflow, against its total
        scale = np.max(np.abs(f[total]))
        assert np.max(np.abs(o[name] - f[name])) <= 1e-11 * scale, (name, o[name], f[name])
    leakage = octant.physics_set.leakage
    assert np.array_equal(o["lum_nu_x"][-1], 8.0 * leakage.luminosity[2])
    assert o["radiated_energy"][-1] == 8.0 * leakage.radiated_energy
    raw = octant.physics_set.hydro.scalars(octant.state) | octant.physics_set.gravity.scalars(octant.state)
    for name in ("total_mass", "total_energy", "total_leptons", "gravitational_energy", "gravity_work"):
        assert o[name][-1] == 8.0 * raw[name], name
    assert o["central_ye"][-1] == raw["central_ye"]
    assert [read_dump(p).attrs["symmetry_factor"] for p in existing_dumps(tmp_path / "octant")] == [8, 8]
    assert read_dump(existing_dumps(tmp_path / "full")[0]).attrs["symmetry_factor"] == 1


def test_octant_on_1_and_4_ranks_and_the_post_table(tmp_path):
    """The octant run writes scalars.csv bitwise the same on 1 and 4 ranks
    and states its factor once in the log; `parleak post` then prints the
    table of the last row: the luminosities, mean energies and radii of
    scalars.csv (the whole star's) at its time."""
    sets = ["grid.cells=[8,8,8]", "time.max_steps=3", "output.interval=0.0", "output.log_every=100"]
    logs = {n: parleak_run(n, DRIVERS / "pns.toml", tmp_path / str(n), *sets, timeout=200).stdout for n in (1, 4)}
    texts = {n: scalars_path(tmp_path / str(n)) for n in (1, 4)}
    assert open(texts[1], "rb").read() == open(texts[4], "rb").read()
    line = "parleak: whole-star values: 8 x the domain's (reflecting faces x, y, z through the centre)"
    assert all(log.count(line) == 1 for log in logs.values())
    output = singleton(["-m", "parleak", "post", str(tmp_path / "1")]).stdout
    table = output[output.index("neutrinos at t = "):].splitlines()
    scalars = load_scalars(str(tmp_path / "1"))
    rows, time = last_values(scalars)
    assert time == scalars["time"][-1] and rows["nu_e"] == (scalars["lum_nu_e"][-1], scalars["mean_energy_nu_e"][-1],
                                                            scalars["transport_radius_nu_e"][-1] / 1e5)
    assert table == summary_table(scalars, 8)
    assert f"t = {time * 1e3:.4f} ms" in table[0] and "whole star: 8 x the grid's" in table[0]
    for text, species in zip(table[2:5], ("nu_e", "anti_nu_e", "nu_x")):
        lum, energy, radius = (float(v) for v in text.split()[1:])
        assert lum == pytest.approx(scalars[f"lum_{species}"][-1], rel=5e-4)
        assert energy == pytest.approx(scalars[f"mean_energy_{species}"][-1], abs=0.005)
        assert radius == pytest.approx(scalars[f"transport_radius_{species}"][-1] / 1e5, abs=0.005)
    assert summary_table({"time": np.array([0.0]), "total_mass": np.array([1.0])}, 1) == []


def test_make_demo_runs_the_pns_driver_then_post():
    """`make -n demo`: the pns driver on 2 ranks, then parleak post on its
    output; `make -n demo-advection`: the advection demo."""
    demo = subprocess.run(["make", "-n", "demo"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    run = next(line for line in demo.splitlines() if " run drivers/" in line)
    assert "-n 2 " in run and "run drivers/pns.toml" in run and "--output output/pns" in run
    assert any("parleak post output/pns" in line for line in demo.splitlines()[demo.splitlines().index(run):])
    advection = subprocess.run(["make", "-n", "demo-advection"], cwd=REPO, capture_output=True, text=True,
                               check=True).stdout
    assert "run drivers/advection_2d.toml" in advection
