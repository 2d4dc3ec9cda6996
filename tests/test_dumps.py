"""Parallel HDF5 dumps: layout and attributes, bitwise identity of the
fields written by 1, 2 and 4 ranks, reading back on other rank counts, the
XDMF description, and no truncated dump after a killed run."""

import os
import signal
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pytest

from helpers import MPI_ENV, REPO, mpirun, parleak_run

DRIVERS = REPO / "drivers"
CASES = {
    "1d": ("advection_1d.toml", ["grid.cells=[96]"], {2: "[2]", 4: "[4]"}),
    "2d": ("advection_2d.toml", ["grid.cells=[40, 36]", "time.t_end=0.25"], {2: "[2, 1]", 4: "[2, 2]"}),
    "3d": ("advection_3d.toml", ["grid.cells=[16, 20, 24]", "time.t_end=0.25"], {2: "[1, 2, 1]", 4: "[1, 2, 2]"}),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def runs(request, tmp_path_factory):
    """The same run on 1, 2 and 4 ranks: {n: output directory}."""
    driver, sets, procs = CASES[request.param]
    base = tmp_path_factory.mktemp(request.param)
    outputs = {}
    for n in (1, 2, 4):
        extra = [f"grid.procs={procs[n]}"] if n > 1 else []
        parleak_run(n, DRIVERS / driver, base / f"n{n}", *sets, *extra, "output.interval=0.125")
        outputs[n] = base / f"n{n}"
    return outputs


def dumps(directory):
    return sorted(directory.glob("dump_*.h5"))


def test_fields_bitwise_identical_on_1_2_4_ranks(runs):
    reference = dumps(runs[1])
    assert len(reference) >= 3
    for n in (2, 4):
        assert [p.name for p in dumps(runs[n])] == [p.name for p in reference]
        for mine, theirs in zip(dumps(runs[n]), reference):
            with h5py.File(mine) as a, h5py.File(theirs) as b:
                assert a.attrs["n_ranks"] == n and b.attrs["n_ranks"] == 1
                assert a.attrs["time"] == b.attrs["time"] and a.attrs["step"] == b.attrs["step"]
                for name in b["fields"]:
                    assert np.array_equal(a["fields"][name][...], b["fields"][name][...]), (mine, name)
                    assert a["fields"][name][...].tobytes() == b["fields"][name][...].tobytes()


def test_final_field_has_moved_and_conserves_the_integral(runs):
    first, last = dumps(runs[4])[0], dumps(runs[4])[-1]
    with h5py.File(first) as a, h5py.File(last) as b:
        q0, q1 = a["fields/q"][...], b["fields/q"][...]
    assert not np.array_equal(q0, q1)
    assert abs(q1.sum() - q0.sum()) <= 1e-12 * abs(q0.sum())  # periodic: finite volumes conserve q


def test_dump_layout_and_attributes(runs):
    path = dumps(runs[2])[-1]
    with h5py.File(path) as h5:
        config = tomllib.loads(h5.attrs["config"])
        cells = config["grid"]["cells"] + [1] * (3 - len(config["grid"]["cells"]))
        assert h5["fields/q"].shape == tuple(reversed(cells))
        assert h5["fields/q"].attrs["units"] == "1"
        assert h5.attrs["parleak_version"] and h5.attrs["n_ranks"] == 2
        assert h5.attrs["time"] > 0 and h5.attrs["step"] > 0
        lower, upper = config["grid"]["lower"], config["grid"]["upper"]
        x = h5["grid/x"][...]
        dx = (upper[0] - lower[0]) / cells[0]
        assert np.allclose(x, lower[0] + (np.arange(cells[0]) + 0.5) * dx, rtol=0, atol=1e-15)
        assert h5["grid/x"].attrs["units"] == "cm"
    assert not list(runs[2].glob("*.tmp"))


def test_xdmf_is_valid_and_references_the_datasets(runs):
    for path in dumps(runs[4]):
        root = ET.parse(path.with_suffix(".xmf")).getroot()
        grid = root.find("Domain/Grid")
        with h5py.File(path) as h5:
            cells = [int(n) for n in h5.attrs["cells"]]
            assert float(grid.find("Time").get("Value")) == h5.attrs["time"]
            topology = [int(v) for v in grid.find("Topology").get("Dimensions").split()]
            assert topology == [n + 1 for n in reversed(cells)]
            attributes = grid.findall("Attribute")
            assert sorted(a.get("Name") for a in attributes) == sorted(h5["fields"])
            for attribute in attributes:
                item = attribute.find("DataItem")
                file_name, dataset = item.text.split(":")
                assert file_name == path.name
                assert [int(v) for v in item.get("Dimensions").split()] == list(h5[dataset].shape)
    series = ET.parse(runs[4] / "dumps.xmf").getroot().findall("Domain/Grid/Grid")
    assert len(series) == len(dumps(runs[4]))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_read_back_on_other_rank_counts(runs, n):
    """Dumps written by 4 ranks, read on 1, 2 and 3 ranks."""
    mpirun(n, ["python", str(REPO / "tests" / "scripts" / "check_read_back.py"), str(dumps(runs[4])[-1])])


def test_killed_run_leaves_no_truncated_dump(tmp_path):
    """SIGKILL a run that dumps often; every dump_NNNNN.h5 left is complete."""
    env = dict(os.environ)
    env.update({k: v for k, v in MPI_ENV.items() if k not in env})
    command = ["mpirun", "-n", "2", sys.executable, "-m", "parleak", "run", str(DRIVERS / "advection_3d.toml"),
               "--output", str(tmp_path), "--set", "grid.cells=[64, 64, 64]", "--set", "output.interval=0.002"]
    job = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(dumps(tmp_path)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)
    job.wait(timeout=30)
    left = dumps(tmp_path)
    assert len(left) >= 3
    for path in left:
        with h5py.File(path) as h5:
            assert h5["fields/q"].shape == (64, 64, 64)
            assert np.all(h5["fields/q"][...] >= 1.0)  # written: the square profile is 1 or 2 everywhere
