"""Postprocessing (parleak.post, `parleak post`): the plots of a small real
run (the pns problem with leakage on 12^3 cells, 2 ranks) are PNGs of the
documented sizes, the XDMF time series references every dump, the radial
profile of a polytrope matches its analytic density, the neutrinosphere
radii match the run's own log, the yt arguments, and the errors; what a
killed or failed run leaves (damaged dumps, cut scalars rows, leftovers) is
skipped with one message naming it and the rest is plotted."""

import math
import re
import shutil
import struct
import xml.etree.ElementTree as ET
from argparse import Namespace
from pathlib import Path
from types import SimpleNamespace

import h5py
import matplotlib.image
import numpy as np
import pytest

from helpers import REPO, mpirun, parleak_run
from parleak.io.xdmf import write_series_of
from parleak.microphysics.leakage import SPECIES
from parleak.parallel import WORLD
from parleak.post import (PostError, default_bins, entropy, load_dump, load_run, profile_centre, radial_profile,
                          run_config, sphere_radius, to_yt, yt_arguments)
from parleak.post import command, plots
from parleak.post.yt_bridge import YT_MISSING
from parleak.problems.polytrope import density
from parleak.run_config import load_config
from parleak.simulation import Simulation

PNS = REPO / "drivers" / "pns.toml"
POLYTROPE = REPO / "drivers" / "polytrope.toml"
SLICED = ("dens", "ye")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(output directory, the run's stdout): 6 steps with dumps every 5e-6 s
    (t = 0, 5e-6, 1e-5 and 1.5e-5 s, which step 6 lands on)."""
    out = tmp_path_factory.mktemp("pns")
    result = parleak_run(2, PNS, out, "grid.cells=[12,12,12]", "time.max_steps=6", "output.interval=5e-6",
                         "output.log_every=6", timeout=120)
    return out, result.stdout


@pytest.fixture(scope="module")
def posted(run):
    """`mpirun -n 2 parleak post` of the run: (its --out directory, stdout)."""
    out = run[0] / "figures"
    args = ["python", "-m", "parleak", "post", str(run[0]), "--out", str(out)]
    result = mpirun(2, args + [a for name in SLICED for a in ("--field", name)], timeout=120)
    return out, result.stdout


def dump_files(directory):
    return sorted(Path(directory).glob("dump_*.h5"))


def png_size(path):
    """(width, height) from the PNG signature and IHDR chunk."""
    head = Path(path).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def test_every_plot_is_a_png_of_its_size(run, posted):
    """Exactly the documented files, listed by rank 0; each PNG has its
    figure's pixel size in the header and in the decoded image, and is not
    blank (at least 2 % of its pixels differ from the white background)."""
    out, stdout = posted
    indices = range(len(dump_files(run[0])))
    assert len(indices) == 4
    sizes = {"neutrino_time_series.png": plots.TIME_SERIES_SIZE}
    sizes.update({f"slice_{name}_z_{i:05d}.png": plots.SLICE_SIZE for name in SLICED for i in indices})
    sizes.update({f"profiles_{i:05d}.png": plots.PROFILES_SIZE for i in indices})
    assert sorted(p.name for p in out.iterdir()) == sorted(list(sizes) + ["dumps.xmf"])
    assert f"wrote {len(sizes) + 1} files to {out}" in stdout
    for name, (width, height) in sizes.items():
        assert png_size(out / name) == (width, height), name
        pixels = matplotlib.image.imread(out / name)
        assert pixels.shape[:2] == (height, width), name
        assert np.mean(np.any(pixels[..., :3] < 1.0, axis=-1)) > 0.02, name


def _series_references(xmf):
    """[(HDF5 file resolved from the XDMF file's directory, time, grid element)]."""
    grids = ET.parse(xmf).getroot().findall("Domain/Grid[@CollectionType='Temporal']/Grid")
    refs = []
    for grid in grids:
        files = {item.text.split(":")[0] for item in grid.findall("Attribute/DataItem")}
        assert len(files) == 1
        refs.append(((xmf.parent / files.pop()).resolve(), float(grid.find("Time").get("Value")), grid))
    return refs


@pytest.mark.parametrize("which", ["post", "run"])
def test_xdmf_time_series_references_every_dump(run, posted, which):
    """`parleak post`'s dumps.xmf (in --out, paths relative to it) and the
    run's own dumps.xmf: one grid per dump in order, with the dump's time,
    every field with its shape, origin and spacing from its attributes."""
    xmf = posted[0] / "dumps.xmf" if which == "post" else run[0] / "dumps.xmf"
    refs = _series_references(xmf)
    assert [path for path, _, _ in refs] == [p.resolve() for p in dump_files(run[0])]
    for path, time, grid in refs:
        with h5py.File(path) as h5:
            assert time == h5.attrs["time"]
            assert sorted(a.get("Name") for a in grid.findall("Attribute")) == sorted(h5["fields"])
            for item in grid.findall("Attribute/DataItem"):
                assert [int(v) for v in item.get("Dimensions").split()] == list(h5[item.text.split(":")[1]].shape)
            origin, spacing = ([float(v) for v in item.text.split()] for item in grid.findall("Geometry/DataItem"))
            assert origin == [0.0, 0.0, 0.0] and spacing == [2.4e5, 2.4e5, 2.4e5]


def test_series_after_removed_and_appended_dumps(tmp_path):
    """Dumps 0, 1, 2 written, dump_00001.h5 removed (as checkpoint retention
    would), dump 3 appended later (as a continued run does): the run's
    dumps.xmf and post's series reference exactly dumps 0, 2 and 3."""
    sim = polytrope_simulation(tmp_path, octant=False)
    for _ in range(3):
        sim.dump(str(tmp_path))
        sim.time += 1e-6
    (tmp_path / "dump_00001.h5").unlink()
    sim.dump(str(tmp_path))
    write_series_of([str(p) for p in dump_files(tmp_path)], str(tmp_path / "post.xmf"))
    expected = [(tmp_path / f"dump_{i:05d}.h5").resolve() for i in (0, 2, 3)]
    for name in ("dumps.xmf", "post.xmf"):
        refs = _series_references(tmp_path / name)
        assert [path for path, _, _ in refs] == expected
        assert [time for _, time, _ in refs] == [0.0, 2e-6, 3e-6]


def test_neutrinosphere_radii_match_the_run_log(run):
    """sphere_radius of each dump's tau fields (the radii the profiles
    mark) prints as the run logged them at that dump, to 0.01 km."""
    out, stdout = run
    logged = re.findall(r"neutrinospheres \(transport/energy, km\): (.*?)  \(", stdout)
    assert len(logged) == 4
    for path, line in zip(dump_files(out), logged):
        dump = load_dump(path)
        ours = "  ".join(f"{s} {sphere_radius(dump.fields[f'tau_{s}_energy'], dump) / 1e5:.2f}/"
                         f"{sphere_radius(dump.fields[f'tau_thermal_{s}'], dump) / 1e5:.2f}" for s in SPECIES)
        assert ours == line


def test_load_run_and_entropy(run):
    """load_run: every dump in order (fields, units, cell centres in cm) and
    scalars.csv as arrays; the stored config parses; the entropy is the
    built-in EOS's at each cell."""
    out, _ = run
    loaded = load_run(out, ["dens", "temp", "ye"])
    assert loaded.paths == [str(p) for p in dump_files(out)]
    assert np.all(np.diff(loaded.times) > 0.0) and loaded.times[0] == 0.0
    dump = loaded.dumps[-1]
    assert sorted(dump.fields) == ["dens", "temp", "ye"] and dump.units["dens"] == "g/cm^3"
    assert dump.fields["dens"].shape == (12, 12, 12)
    assert np.array_equal(dump.x, (np.arange(12) + 0.5) * 2.4e5)
    assert list(loaded.scalars["step"]) == list(range(7))
    assert len(loaded.scalars["lum_nu_e"]) == 7 and loaded.scalars["lum_nu_e"][-1] > 0.0
    config = run_config(dump)
    assert config["eos.kind"] == "builtin" and config["grid.cells"] == [12, 12, 12]
    from parleak.eos import make_eos
    expected = make_eos(config).lookup(dump.fields["dens"], dump.fields["temp"], dump.fields["ye"], "entropy")[0]
    assert np.array_equal(entropy(dump), expected)
    assert np.all((expected > 0.5) & (expected < 100.0))


def test_log_scale_choice(run):
    """The PNS density (1e7 to 2e14 g/cm^3) gets a log scale, Ye (0.1 to
    0.3) and a field with a zero do not."""
    dump = load_dump(dump_files(run[0])[-1], ["dens", "ye", "vel_x"])
    assert plots.log_scale_fits(dump.fields["dens"])
    assert not plots.log_scale_fits(dump.fields["ye"])
    assert not plots.log_scale_fits(np.array([0.0, 1.0, 1e5]))


def polytrope_dump(tmp_path, octant):
    """The initial dump of the polytrope (R = 10 km, rho_c = 1e15 g/cm^3)
    on 24^3 cells: the whole star in a centred box, or an octant at the
    origin with reflecting lower faces."""
    polytrope_simulation(tmp_path, octant).dump(str(tmp_path))
    return load_dump(dump_files(tmp_path)[0])


def polytrope_simulation(tmp_path, octant):
    sets = [("grid.cells", [24, 24, 24])]
    if octant:
        sets += [("grid.lower", [0.0] * 3), ("grid.upper", [1.25e6] * 3), ("polytrope.centre", [0.0] * 3),
                 ("gravity.mass_factor", 8.0)]
        sets += [(f"grid.boundary.{a}_upper", "outflow") for a in "xyz"]
    sim = Simulation(load_config(POLYTROPE, sets, 1), WORLD)
    sim.initialize()
    return sim


@pytest.mark.parametrize("octant", [False, True])
def test_radial_profile_of_a_polytrope(tmp_path, octant):
    """The profile about profile_centre (the origin of the octant, the
    middle of the box) of the cells' point values rho(r_i), in bins one
    cell wide (w), against the analytic rho at each bin's mean radius r_b:
    mean f(r_i) - f(r_b) = mean f''(xi_i) (r_i - r_b)^2 / 2, bounded by
    max|f''| w^2 / 8 (the variance of radii in an interval of width w is at
    most w^2/4) with max|f''| = rho_c (pi/R)^2 / 3 for rho_c sin(x)/x; bins
    reaching past R (the atmosphere's kink) are left out. Measured: 0.30
    (box, 9 bins) and 0.36 (octant, 19 bins) of the bound, 1.3e-3 and
    4.0e-4 of rho_c. Every cell is in one bin."""
    dump = polytrope_dump(tmp_path, octant)
    centre = (0.0, 0.0, 0.0)  # the octant's origin; the middle of the box [-12.5, 12.5] km
    assert profile_centre(dump) == centre
    bins = default_bins(dump)
    width = 1.25e6 / 24 if octant else 2.5e6 / 24
    assert np.allclose(np.diff(bins), width, rtol=1e-12, atol=0.0)
    profile = radial_profile(dump.fields["dens"], dump.x, dump.y, dump.z, centre, bins)
    assert profile.count.sum() == 24 ** 3
    inside = profile.edges[1:] <= 1e6
    assert inside.sum() >= 9
    bound = 1e15 * (math.pi / 1e6) ** 2 / 3.0 * width ** 2 / 8.0
    error = np.abs(profile.value[inside] - density(profile.r[inside], 1e15, 1e6))
    assert np.max(error) < bound
    assert np.max(error) > 0.1 * bound  # the bound is not loose: the curvature shows


def test_radial_profile_is_exact_for_a_linear_field():
    """A field a + b r averages over a bin to a + b (mean radius) exactly
    (to rounding); the counts add up to the cells; empty bins hold NaN."""
    x, y, z = (np.linspace(-1.0, 1.0, n) for n in (9, 8, 7))
    centre = (0.1, -0.2, 0.05)
    r = np.sqrt((z[:, None, None] - centre[2]) ** 2 + (y[None, :, None] - centre[1]) ** 2
                + (x[None, None, :] - centre[0]) ** 2)
    profile = radial_profile(3.0 + 2.0 * r, x, y, z, centre, 10)
    assert profile.count.sum() == r.size
    assert np.allclose(profile.value, 3.0 + 2.0 * profile.r, rtol=1e-14, atol=0.0)
    sparse = radial_profile(r, x, y, z, centre, np.array([0.0, 0.01, 5.0]))
    assert sparse.count[0] == 0 and np.isnan(sparse.value[0]) and sparse.count[1] == r.size


def test_yt_arguments_and_missing_yt(run):
    """The arrays handed to yt are the fields transposed to [x, y, z], in
    yt's unit spelling; the bbox is the domain in cm; the octant's faces are
    not periodic. Without yt, to_yt says how to get it."""
    dump = load_dump(dump_files(run[0])[-1], ["dens", "ye"])
    data, cells, options = yt_arguments(dump)
    assert cells == (12, 12, 12)
    assert data["dens"][1] == "g/cm**3" and data["ye"][1] == "dimensionless"
    assert data["dens"][0][3, 5, 7] == dump.fields["dens"][7, 5, 3]
    assert np.array_equal(options["bbox"], [[0.0, 2.88e6]] * 3)
    assert options["periodicity"] == (False, False, False) and options["sim_time"] == dump.time
    try:
        import yt  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError) as raised:
            to_yt(dump)
        assert str(raised.value) == YT_MISSING
    else:
        assert float(to_yt(dump).current_time.to("s")) == dump.time


def test_time_series_without_neutrinos_is_a_note(tmp_path, capsys):
    """A run without leakage columns (or without scalars.csv) gets a note
    instead of the time series; plot_time_series says why."""
    with pytest.raises(PostError, match="scalars.csv has no neutrino columns"):
        plots.plot_time_series({"time": np.zeros(2), "dt": np.zeros(2)}, tmp_path / "t.png")
    polytrope_dump(tmp_path, octant=False)
    command.post(Namespace(output_dir=str(tmp_path), out=None, fields=None, axis="y", dumps=[0]))
    stdout = capsys.readouterr().out
    assert f"no scalars.csv in {str(tmp_path)!r}: no neutrino time series" in stdout
    assert sorted(p.name for p in (tmp_path / "post").iterdir()) == ["dumps.xmf", "profiles_00000.png",
                                                                      "slice_dens_y_00000.png"]


def test_unknown_field_exits_2_on_every_rank(run):
    """Under mpirun: one message naming the field, the dump and the fields
    it has; exit code 2; no traceback."""
    result = mpirun(2, ["python", "-m", "parleak", "post", str(run[0]), "--field", "densty"], check=False, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("parleak: post error: ") == 1, result.stderr
    assert f"--field 'densty': dump '{run[0]}/dump_00000.h5' has no such field; it has dens, dens_ye, " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("case, expected", [
    ("missing", "output directory '{missing}' does not exist"),
    ("empty", "output directory '{empty}' holds no dumps (dump_NNNNN.h5)"),
    ("dump", "--dump 9: '{run}' has no dump_00009.h5; its dumps are 0 to 3"),
])
def test_bad_directory_or_dump_exits_2(run, tmp_path, capsys, case, expected):
    places = {"missing": tmp_path / "absent", "empty": tmp_path, "run": run[0]}
    target = {"missing": places["missing"], "empty": tmp_path, "dump": run[0]}[case]
    with pytest.raises(SystemExit) as raised:
        command.post(Namespace(output_dir=str(target), out=None, fields=None, axis="z",
                               dumps=[9] if case == "dump" else None))
    assert raised.value.code == 2
    assert capsys.readouterr().err == f"parleak: post error: {expected.format(**places)}\n"


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _edit_dump(path, edit):
    with h5py.File(path, "a") as h5:
        edit(h5)


def _edit_scalars(directory, edit):
    path = directory / "scalars.csv"
    path.write_bytes(edit(path.read_bytes()))


def _junk_value(data):
    """scalars.csv with its third value on line 4 (1: the header) replaced by bytes that are not UTF-8."""
    lines = data.splitlines(keepends=True)
    values = lines[3].split(b",")
    values[2] = b"\x00\xff\xfe1.5"
    lines[3] = b",".join(values)
    return b"".join(lines)


def _failure_dump(h5):
    h5.attrs["failure"] = "non-finite dens in cell (5, 5, 5) at step 6"
    for dataset in h5["fields"].values():
        values = dataset[...]
        values[4:8, 4:8, 4:8] = np.nan
        values[0, 0, :3] = np.inf
        dataset[...] = values


# name: (damage of a copy of the run's directory, messages printed once each,
#        dumps left out, whether the neutrino time series is drawn)
DAMAGE = {
    "truncated_dump": (lambda d: _truncate(d / "dump_00003.h5"),
                       ["skipping dump_00003.h5: truncated or not HDF5 ("], {3}, True),
    "dump_without_fields": (lambda d: _edit_dump(d / "dump_00002.h5", lambda h5: h5.__delitem__("fields")),
                            ["skipping dump_00002.h5: no group /fields"], {2}, True),
    "dump_without_grid": (lambda d: _edit_dump(d / "dump_00001.h5", lambda h5: h5.__delitem__("grid")),
                          ["skipping dump_00001.h5: no dataset /grid/x"], {1}, True),
    "dump_without_time": (lambda d: _edit_dump(d / "dump_00002.h5", lambda h5: h5.attrs.__delitem__("time")),
                          ["skipping dump_00002.h5: no attribute 'time'"], {2}, True),
    "field_without_units": (lambda d: _edit_dump(d / "dump_00000.h5",
                                                 lambda h5: h5["fields/dens"].attrs.__delitem__("units")),
                            ["skipping dump_00000.h5: no attribute 'units' on /fields/dens"], {0}, True),
    "leftover_tmp": (lambda d: shutil.copy(d / "dump_00003.h5", d / "dump_00004.h5.tmp"),
                     ["skipping dump_00004.h5.tmp: unfinished (the run stopped while writing it)"], set(), True),
    "xdmf_without_dump": (lambda d: (d / "dump_00003.h5").unlink(),
                          ["skipping dump_00003.xmf: its dump dump_00003.h5 is missing"], {3}, True),
    "failure_dump": (lambda d: _edit_dump(d / "dump_00003.h5", _failure_dump),
                     ["dump_00003.h5 is the last dump of a run that stopped on an error: non-finite dens in cell "
                      "(5, 5, 5) at step 6"], set(), True),
    "empty_scalars": (lambda d: _edit_scalars(d, lambda data: b""),
                      ["no neutrino time series: scalars.csv has no header line"], set(), False),
    "header_only_scalars": (lambda d: _edit_scalars(d, lambda data: data.splitlines(keepends=True)[0]),
                            ["no neutrino time series: scalars.csv has no complete row"], set(), False),
    "scalars_row_fewer_values": (lambda d: _edit_scalars(d, lambda data: data.rstrip(b"\n").rsplit(b",", 5)[0] + b"\n"),
                                 ["skipping scalars.csv line 8: cut short (26 of 31 values)"], set(), True),
    "scalars_half_written_number": (lambda d: _edit_scalars(d, lambda data: data.rstrip(b"\n")[:-3] + b"e+"),
                                    ["skipping scalars.csv line 8: cut short (no newline at its end)"], set(), True),
    "scalars_no_final_newline": (lambda d: _edit_scalars(d, lambda data: data.rstrip(b"\n")),
                                 ["skipping scalars.csv line 8: cut short (no newline at its end)"], set(), True),
    "scalars_junk_value": (lambda d: _edit_scalars(d, _junk_value),
                           ["skipping scalars.csv line 4: not a number: "], set(), True),
}


def damaged_copy(run, tmp_path, *damages):
    """A copy of the run's directory (dumps, XDMF files, scalars.csv) with `damages` (DAMAGE names) done to it."""
    directory = tmp_path / "damaged"
    shutil.copytree(run[0], directory, ignore=shutil.ignore_patterns("figures", "post", "checkpoint_*"))
    for name in damages:
        DAMAGE[name][0](directory)
    return directory


def post_process(directory, capsys=None, ranks=None):
    """`parleak post directory` under mpirun with `ranks`, or in this process
    (its output from capsys): returncode, stdout, stderr."""
    if ranks:
        return mpirun(ranks, ["python", "-m", "parleak", "post", str(directory)], check=False, timeout=120)
    code = 0
    try:
        command.post(Namespace(output_dir=str(directory), out=None, fields=None, axis="z", dumps=None))
    except SystemExit as stop:
        code = stop.code
    output = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=output.out, stderr=output.err)


def assert_posted(directory, result, messages, gone, series):
    """Exit 0, each message once on stdout, no traceback, the plots of every
    dump but `gone` (and the time series if `series`), post's dumps.xmf
    referencing exactly those dumps."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    for message in messages:
        assert result.stdout.count(f"parleak post: {message}") == 1, (message, output)
    kept = [i for i in range(4) if i not in gone]
    expected = {f"slice_dens_z_{i:05d}.png" for i in kept} | {f"profiles_{i:05d}.png" for i in kept} | {"dumps.xmf"}
    expected |= {"neutrino_time_series.png"} if series else set()
    out = directory / "post"
    assert {p.name for p in out.iterdir()} == expected
    assert f"wrote {len(expected)} files to {out}" in result.stdout
    refs = [path for path, _, _ in _series_references(out / "dumps.xmf")]
    assert refs == [(directory / f"dump_{i:05d}.h5").resolve() for i in kept]


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_post_skips_what_a_killed_run_leaves(run, tmp_path, capsys, damage):
    """Each kind of damage a killed or failed run can leave: the damaged item
    is reported once naming the file (and the line) and why; everything else
    is plotted; exit 0; no exception."""
    directory = damaged_copy(run, tmp_path, damage)
    _, messages, gone, series = DAMAGE[damage]
    assert_posted(directory, post_process(directory, capsys), messages, gone, series)


def test_post_skips_on_two_ranks(run, tmp_path):
    """Under mpirun -n 2 (the readable dumps dealt out, the time series on
    the last rank): every skipped item reported once, by rank 0."""
    damages = ("truncated_dump", "dump_without_fields", "leftover_tmp", "scalars_junk_value",
               "scalars_half_written_number")
    directory = damaged_copy(run, tmp_path, *damages)
    assert_posted(directory, post_process(directory, ranks=2), [m for d in damages for m in DAMAGE[d][1]], {2, 3},
                  True)


def test_post_without_a_readable_dump_exits_2(run, tmp_path, capsys):
    """Every dump truncated: each reported, then one message naming the
    directory, exit 2, no traceback, nothing written."""
    directory = damaged_copy(run, tmp_path)
    for path in dump_files(directory):
        _truncate(path)
    result = post_process(directory, capsys)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    for path in dump_files(directory):
        assert result.stdout.count(f"parleak post: skipping {path.name}: truncated or not HDF5 (") == 1
    assert result.stderr == f"parleak: post error: output directory {str(directory)!r} holds no readable dump\n"
    assert not (directory / "post").exists()


@pytest.mark.parametrize("damage, name, reason", [
    ("truncated_dump", "dump_00003.h5", "truncated or not HDF5 ("),
    ("dump_without_fields", "dump_00002.h5", "no group /fields"),
    ("dump_without_grid", "dump_00001.h5", "no dataset /grid/x"),
])
def test_read_dump_errors_name_the_file(run, tmp_path, damage, name, reason):
    """read_dump of a damaged dump raises an OSError naming the file and why."""
    directory = damaged_copy(run, tmp_path, damage)
    path = directory / name
    with pytest.raises(OSError) as raised:
        load_dump(path)
    assert str(raised.value).startswith(f"dump {str(path)!r}: {reason}")
