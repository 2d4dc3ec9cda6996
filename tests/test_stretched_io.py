"""Output on stretched grids: dumps hold the cell faces and centres, the
XDMF files describe a rectilinear mesh on the faces datasets (checked
against the XDMF2 model's names and the HDF5 file), dumps read back on any
number of ranks, checkpoints refuse other faces, a stretched run restarted
on another number of ranks ends bitwise as the uninterrupted run, and
`parleak post` uses the true coordinates and cell volumes (profiles and
neutrinosphere radii against hand sums, slices spanning the domain); dumps
written before stretched grids (no faces) still read as uniform."""

import importlib.util
import math
import shutil
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pytest

from helpers import REPO, mpirun, parleak_run, singleton
from parleak.io.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from parleak.io.reader import read_dump
from parleak.io.xdmf import write_series_of
from parleak.neutrino.optical_depth import equivalent_radius
from parleak.post import default_bins, dump_profile, profile_centre, radial_profile, sphere_radius, yt_arguments
from parleak.spacing import stretched_faces, uniform_faces
from parleak.state import State

SCRIPT = REPO / "tests" / "scripts" / "stretched_dump.py"
_spec = importlib.util.spec_from_file_location("stretched_dump", SCRIPT)
stretched_dump = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stretched_dump)

CASES = {"1d": (1, "stretched"), "2d": (2, "stretched"), "3d": (3, "stretched"), "uniform": (3, "uniform")}

# The XDMF2 model (https://www.xdmf.org/index.php/XDMF_Model_and_Format):
# the elements parleak writes, each with the attributes it may carry.
XDMF_MODEL = {
    "Xdmf": {"Version"},
    "Domain": {"Name"},
    "Grid": {"Name", "GridType", "CollectionType"},
    "Time": {"Value", "TimeType"},
    "Topology": {"TopologyType", "Dimensions", "NumberOfElements"},
    "Geometry": {"GeometryType"},
    "DataItem": {"Name", "ItemType", "Dimensions", "NumberType", "Precision", "Format"},
    "Attribute": {"Name", "AttributeType", "Center"},
}
TOPOLOGIES = {"2DRectMesh", "3DRectMesh", "2DCoRectMesh", "3DCoRectMesh"}
GEOMETRIES = {"VXVY", "VXVYVZ", "ORIGIN_DXDY", "ORIGIN_DXDYDZ"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """{case: dump path}: the dumps of CASES written by 2 ranks."""
    base = tmp_path_factory.mktemp("stretched")
    paths = {}
    for case, (dim, spacing) in CASES.items():
        (base / case).mkdir()
        mpirun(2, ["python", str(SCRIPT), str(base / case), str(dim), spacing], timeout=120)
        paths[case] = base / case / "dump_00000.h5"
    return paths


def expected_faces(dim, spacing):
    """The faces (x, y, z) of the script's grid, built here in one process."""
    return [np.asarray(f) for f in stretched_dump.grid(dim, spacing).faces]


@pytest.mark.parametrize("case", sorted(CASES))
def test_dump_holds_faces_and_centres(written, case):
    dim, spacing = CASES[case]
    faces = expected_faces(dim, spacing)
    with h5py.File(written[case]) as h5:
        assert h5.attrs["spacing"] == spacing
        for a, axis in enumerate("xyz"):
            assert h5[f"grid/faces_{axis}"][...].tobytes() == faces[a].tobytes()
            assert h5[f"grid/faces_{axis}"].attrs["units"] == "cm"
            centres = h5[f"grid/{axis}"][...]
            if spacing == "uniform":  # bitwise the coordinates of dumps before stretched grids
                dx = (h5.attrs["upper"][a] - h5.attrs["lower"][a]) / h5.attrs["cells"][a]
                assert centres.tobytes() == (h5.attrs["lower"][a] + (np.arange(centres.size) + 0.5) * dx).tobytes()
            else:
                assert centres.tobytes() == (0.5 * (faces[a][:-1] + faces[a][1:])).tobytes()
        if spacing == "stretched":
            widths = np.diff(faces[0])
            assert widths[0] == pytest.approx(0.02, rel=1e-12) and widths[-1] > 1.4 * widths[0]  # really stretched
            assert faces[0][0] == 0.0 and faces[0][-1] == 1.0


def check_xdmf_grid(grid, h5_dir):
    """One Grid element: names of the XDMF2 model, DataItem dimensions equal
    to the shapes of the datasets they reference (which exist), node counts
    cells + 1. Returns (topology type, geometry type, the referenced faces)."""
    for element in grid.iter():
        assert element.tag in XDMF_MODEL, element.tag
        assert set(element.attrib) <= XDMF_MODEL[element.tag], (element.tag, element.attrib)
    topology, geometry = grid.find("Topology"), grid.find("Geometry")
    assert topology.get("TopologyType") in TOPOLOGIES and geometry.get("GeometryType") in GEOMETRIES
    h5_name = grid.find("Attribute/DataItem").text.split(":")[0]
    with h5py.File(h5_dir / h5_name) as h5:
        assert float(grid.find("Time").get("Value")) == h5.attrs["time"]
        cells = [int(n) for n in h5.attrs["cells"]]
        for item in grid.iter("DataItem"):
            assert item.get("NumberType") == "Float" and item.get("Precision") == "8"
            dims = [int(n) for n in item.get("Dimensions").split()]
            if item.get("Format") == "XML":
                assert len(item.text.split()) == math.prod(dims)
                continue
            assert item.get("Format") == "HDF"
            file_name, dataset = item.text.split(":")
            assert file_name == h5_name and isinstance(h5.get(dataset), h5py.Dataset), item.text
            assert dims == list(h5[dataset].shape), item.text
        nodes = [int(n) for n in topology.get("Dimensions").split()]
        assert nodes == [n + 1 for n in reversed(cells)][3 - len(nodes):]
        assert sorted(a.get("Name") for a in grid.findall("Attribute")) == sorted(h5["fields"])
        for attribute in grid.findall("Attribute"):
            assert attribute.get("Center") == "Cell" and attribute.get("AttributeType") == "Scalar"
    return topology.get("TopologyType"), geometry.get("GeometryType"), [i.text for i in geometry.findall("DataItem")]


@pytest.mark.parametrize("case", sorted(CASES))
def test_xdmf_describes_the_mesh(written, case, tmp_path):
    """The dump's .xmf, the run's dumps.xmf and post's series (written
    elsewhere, referencing the dump relatively)."""
    dim, spacing = CASES[case]
    path = written[case]
    post_series = tmp_path / "series.xmf"
    write_series_of([path], post_series)
    grids = [(ET.parse(path.with_suffix(".xmf")).getroot(), "Domain/Grid", path.parent),
             (ET.parse(path.parent / "dumps.xmf").getroot(), "Domain/Grid/Grid", path.parent),
             (ET.parse(post_series).getroot(), "Domain/Grid/Grid", tmp_path)]
    for root, where, directory in grids:
        assert root.tag == "Xdmf" and root.find("Domain") is not None
        found = root.findall(where)
        assert len(found) == 1
        topology, geometry, items = check_xdmf_grid(found[0], directory)
        if spacing == "uniform":
            assert (topology, geometry) == ("3DCoRectMesh", "ORIGIN_DXDYDZ")
            assert [float(v) for v in items[1].split()] == [1.5 / 24, 2.0 / 24, 1.0 / 40]  # dz dy dx
        else:
            axes = "xyz"[: max(dim, 2)]
            assert (topology, geometry) == (f"{len(axes)}DRectMesh", "V" + "V".join(axes.upper()))
            assert [item.split(":")[1] for item in items] == [f"/grid/faces_{axis}" for axis in axes]
    shutil.copy(path, tmp_path / "a.h5")
    with h5py.File(tmp_path / "a.h5", "a") as h5:  # written before stretched grids: uniform
        del h5.attrs["spacing"]
    write_series_of([tmp_path / "a.h5"], post_series)
    assert ET.parse(post_series).getroot().find("Domain/Grid/Grid/Geometry").get("GeometryType") == "ORIGIN_DXDYDZ"


@pytest.mark.mpi(ranks=(1, 4))
def test_dumps_bitwise_on_any_rank_count(written, mpi, tmp_path):
    """The 3-D stretched dump written (and read back, in the script) on 1
    and 4 ranks holds bitwise the data of the 2-rank one."""
    mpi.run(["python", str(SCRIPT), str(tmp_path), "3", "stretched"], timeout=120)
    with h5py.File(tmp_path / "dump_00000.h5") as mine, h5py.File(written["3d"]) as theirs:
        assert mine.attrs["n_ranks"] == mpi.ranks
        for name in ("fields/dens", "fields/index", "grid/x", "grid/faces_x", "grid/faces_y", "grid/faces_z"):
            assert mine[name][...].tobytes() == theirs[name][...].tobytes(), name


def test_dump_without_faces_reads_as_uniform(written, tmp_path):
    """A dump written before stretched grids (no faces datasets, no spacing
    attribute) reads with uniform faces from cells, lower and upper, and
    post gives the same profile and radius numbers as from today's dump."""
    old = tmp_path / "dump_00000.h5"
    shutil.copy(written["uniform"], old)
    with h5py.File(old, "a") as h5:
        for axis in "xyz":
            del h5[f"grid/faces_{axis}"]
        del h5.attrs["spacing"]
    new, before = read_dump(written["uniform"]), read_dump(old)
    assert before.uniform and new.uniform
    for a in range(3):
        assert before.faces[a].tobytes() == uniform_faces(0.0, (1.0, 2.0, 1.5)[a], (40, 24, 24)[a]).tobytes()
    centre = profile_centre(new)
    for dump in (new, before):
        bins = default_bins(dump)
        profile = dump_profile(dump, dump.fields["dens"], centre, bins)
        plain = radial_profile(dump.fields["dens"], dump.x, dump.y, dump.z, centre, bins)  # equal volumes
        assert profile.value.tobytes() == plain.value.tobytes() and profile.r.tobytes() == plain.r.tobytes()
        tau = 3.0 - dump.fields["dens"]
        assert sphere_radius(tau, dump) == equivalent_radius(
            np.count_nonzero(tau >= 2.0 / 3.0) * (1.0 / 40 * (2.0 / 24) * (1.5 / 24)) * 2.0, 3)
    assert default_bins(before).tobytes() == default_bins(new).tobytes()


def test_profile_and_sphere_radius_use_cell_volumes(written):
    """On the 2-D stretched dump: a bin's value is sum(V f) / sum(V) over
    its cells, summed here cell by cell; the neutrinosphere radius is that
    of the summed volumes of the cells with tau >= 2/3, mirrored at the
    reflecting x_lower face. Volumes differ by more than 2 times, so an
    unweighted mean would fail."""
    dump = read_dump(written["2d"])
    assert not dump.uniform
    wx, wy = np.diff(dump.faces[0]), np.diff(dump.faces[1])
    assert wx.max() * wy.max() / (wx.min() * wy.min()) > 4.0
    centre = profile_centre(dump)
    assert centre[:2] == (0.0, 1.0)
    bins = np.array([0.0, 0.15, 0.4, 0.9])
    field = dump.fields["dens"] ** 2  # not linear: the weighting shows
    profile = dump_profile(dump, field, centre, bins)
    for b in range(3):
        total = weighted = weighted_r = 0.0
        for j in range(dump.y.size):
            for i in range(dump.x.size):
                r = math.hypot(dump.x[i] - centre[0], dump.y[j] - centre[1])
                if bins[b] <= r < bins[b + 1]:
                    total += wx[i] * wy[j]
                    weighted += wx[i] * wy[j] * field[0, j, i]
                    weighted_r += wx[i] * wy[j] * r
        assert profile.value[b] == pytest.approx(weighted / total, rel=1e-13, abs=0.0)
        assert profile.r[b] == pytest.approx(weighted_r / total, rel=1e-13, abs=0.0)
        unweighted = radial_profile(field, dump.x, dump.y, dump.z, centre, bins).value[b]
        assert abs(unweighted - weighted / total) > 1e-6 * abs(weighted / total)
    tau = 4.0 - dump.fields["dens"]  # >= 2/3 where x + 2 y <= 7/3 - 1
    area = math.fsum(wx[i] * wy[j] for j in range(dump.y.size) for i in range(dump.x.size) if tau[0, j, i] >= 2 / 3)
    assert 0.1 < area < 1.9
    assert sphere_radius(tau, dump) == pytest.approx(math.sqrt(2.0 * area / math.pi), rel=1e-15, abs=0.0)
    bins = default_bins(dump)  # the faces beyond the centre along x (the narrowest cells), then the last width
    assert bins[: dump.faces[0].size].tobytes() == dump.faces[0].tobytes()
    assert bins[-1] >= math.hypot(dump.x[-1], max(dump.y[-1] - 1.0, 1.0 - dump.y[0])) > bins[-2]
    assert dump_profile(dump, field, centre, bins).count.sum() == field.size


def test_slice_spans_the_true_domain(written):
    """The slice of a stretched dump is drawn on the cells' faces: its axes
    run from the lower to the upper face, each quadrilateral where its cell
    is; the 1-D line runs over the true centres."""
    from parleak.post.plots import slice_figure

    dump = read_dump(written["3d"])
    figure = slice_figure(dump, "dens", "z")
    axes = figure.axes[0]
    assert axes.get_xlim() == (0.0, 1.0) and axes.get_ylim() == (0.0, 2.0)
    mesh = axes.collections[0]
    corners = mesh.get_coordinates()  # (ny + 1, nx + 1, 2)
    assert np.array_equal(corners[0, :, 0], dump.faces[0]) and np.array_equal(corners[:, 0, 1], dump.faces[1])
    index = int(np.argmin(np.abs(dump.z - profile_centre(dump)[2])))
    assert np.array_equal(mesh.get_array().reshape(24, 40), dump.fields["dens"][index])
    line = slice_figure(read_dump(written["1d"]), "dens", "z").axes[0].lines[0]
    assert np.array_equal(line.get_xdata(), read_dump(written["1d"]).x)


def test_post_command_and_yt_arguments(written, tmp_path):
    """`parleak post` on a stretched run writes its slices, profiles and
    XDMF series; yt gets the cell widths."""
    run = tmp_path / "run"
    shutil.copytree(written["3d"].parent, run)
    result = singleton(["-m", "parleak", "post", str(run), "--out", str(tmp_path / "post")])
    assert "wrote 3 files" in result.stdout, result.stdout
    for name in ("slice_dens_z_00000.png", "profiles_00000.png", "dumps.xmf"):
        assert (tmp_path / "post" / name).stat().st_size > 0
    dump = read_dump(written["3d"])
    widths = yt_arguments(dump)[2]["cell_widths"]
    assert all(np.array_equal(widths[a], np.diff(dump.faces[a])) for a in range(3))
    assert "cell_widths" not in yt_arguments(read_dump(written["uniform"]))[2]


def test_checkpoint_refuses_other_faces(tmp_path, monkeypatch):
    """A checkpoint of a stretched grid restores its fields onto the same
    grid and refuses a grid whose faces differ (here: another min_width)."""
    state = stretched_dump.state(1, "stretched")
    counters = {"dumps_written": 1, "outputs_done": 1, "last_dump_step": 0, "output_interval": 0.1}
    path = write_checkpoint(str(tmp_path), state, 0.5, 7, stretched_dump.CONFIG, counters, [])
    back = State(state.grid, state.specs)
    assert read_checkpoint(path, back, [])["step"] == 7
    assert all(back.interior(n).tobytes() == state.interior(n).tobytes() for n in state.names)
    monkeypatch.setattr(stretched_dump, "MIN_WIDTH", (0.021,) + stretched_dump.MIN_WIDTH[1:])
    other = State(stretched_dump.grid(1, "stretched"), state.specs)
    with pytest.raises(CheckpointError, match="other cell faces along x"):
        read_checkpoint(path, other, [])


def sod_case(case):
    """(config, --set values) of a short Sod run on a stretched grid: 1-D
    (grid.spacing = "stretched"), or 2-D along y with explicit faces
    (uniform along the periodic x, stretched about the middle along y)."""
    common = ("time.t_end=0.05", "output.interval=0.025", "output.checkpoint_every=10", "output.checkpoint_keep=1")
    if case == "1d":
        return REPO / "drivers" / "sod.toml", ("grid.cells=[100]", "grid.spacing=stretched", "grid.min_width=0.005",
                                               "grid.uniform_extent=0.1") + common
    faces_y = stretched_faces(0.0, 1.0, 64, 0.008, 0.1, 0.5, "y")[0]
    return REPO / "drivers" / "sod_2d.toml", (
        "grid.cells=[16, 64]", "grid.spacing=faces", f"grid.faces.x={uniform_faces(0.0, 1.0, 16).tolist()}",
        f"grid.faces.y={faces_y.tolist()}") + common


@pytest.mark.parametrize("case", ["1d", "2d"])
def test_stretched_restart_on_other_rank_counts(tmp_path, case):
    """Sod on a stretched grid: stopped after 20 steps on 2 ranks,
    continued on 1 and on 4 ranks; the final dump is bitwise that of the
    uninterrupted 2-rank run."""
    config, sets = sod_case(case)
    parleak_run(2, config, tmp_path / "whole", *sets, timeout=120)
    parleak_run(2, config, tmp_path / "part", *sets, "time.max_steps=20", timeout=120)
    checkpoint = tmp_path / "part" / "checkpoint_00000020.h5"
    assert checkpoint.exists()
    final = sorted((tmp_path / "whole").glob("dump_*.h5"))[-1]
    for n in (1, 4):
        out = tmp_path / f"on_{n}"
        shutil.copytree(tmp_path / "part", out)
        args = ["python", "-m", "parleak", "run", str(config), "--output", str(out),
                "--restart", str(out / checkpoint.name)]
        mpirun(n, args + [arg for s in sets for arg in ("--set", s)], timeout=120)
        with h5py.File(out / final.name) as mine, h5py.File(final) as theirs:
            assert mine.attrs["spacing"] == "stretched" and mine.attrs["n_ranks"] == n
            assert mine.attrs["time"] == theirs.attrs["time"] and mine.attrs["step"] > 20
            assert mine.attrs["step"] == theirs.attrs["step"]
            for name in theirs["fields"]:
                assert mine["fields"][name][...].tobytes() == theirs["fields"][name][...].tobytes(), (n, name)
