"""Checkpoints and restarts: a run stopped at a checkpoint (by SIGTERM,
SIGUSR1 or --walltime; SIGKILL is in test_faults.py) and restarted, on the same or another
number of ranks, ends bitwise identical to an uninterrupted run; retention;
the restart-state protocol of physics objects; clear errors (exit code 2)
for bad restart files and unsafe config changes."""

import hashlib
import os
import re
import shutil
import signal
import time

import h5py
import numpy as np
import pytest

import helpers
from helpers import REPO, mpirun, parleak_run, singleton
from parleak.io.checkpoint import inspect_checkpoint

POLYTROPE = REPO / "drivers" / "polytrope.toml"
# 82 steps; dumps at t = 0, 1e-4, 2e-4 and 2.5e-4 s.
SETS = ("grid.cells=[12, 12, 12]", "time.t_end=2.5e-4", "output.interval=1e-4", "output.log_every=5",
        "output.checkpoint_every=30", "output.checkpoint_keep=2")
FINAL_STEP = 82
EXIT_CHECKPOINTED = 4


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted 2-rank run: (output directory, wall-clock s)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    start = time.monotonic()
    parleak_run(2, POLYTROPE, out, *SETS)
    return out, time.monotonic() - start


def names(directory, pattern):
    return sorted(p.name for p in directory.glob(pattern))


def snapshot(directory):
    """{file name: sha256} of everything in directory but the lock file
    (which names the process that last ran there)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())
            if p.name != ".parleak.lock"}


def assert_same_dump(mine, theirs):
    with h5py.File(mine) as a, h5py.File(theirs) as b:
        assert a.attrs["time"] == b.attrs["time"] and a.attrs["step"] == b.attrs["step"], (mine, theirs)
        assert sorted(a["fields"]) == sorted(b["fields"])
        for name in b["fields"]:
            assert a["fields"][name][...].tobytes() == b["fields"][name][...].tobytes(), (mine, name)


def assert_same_run(out, reference_dir):
    """Every dump bitwise identical, scalars.csv byte for byte."""
    assert names(out, "dump_*.h5") == names(reference_dir, "dump_*.h5")
    for path in sorted(reference_dir.glob("dump_*.h5")):
        assert_same_dump(out / path.name, path)
    assert (out / "scalars.csv").read_text() == (reference_dir / "scalars.csv").read_text()


def restart(n, out, checkpoint="latest", *sets, check=True):
    """`parleak run --restart` on n ranks (1: an MPI singleton)."""
    args = ["-m", "parleak", "run", str(POLYTROPE), "--output", str(out), "--restart", str(checkpoint)]
    args += [arg for s in SETS + sets for arg in ("--set", s)]
    return singleton(args, check) if n == 1 else mpirun(n, ["python"] + args, check=check, timeout=120)


def checkpoint_steps(directory):
    return [int(name[11:19]) for name in names(directory, "checkpoint_*.h5")]


class Job(helpers.Job):
    """`mpirun -n n parleak run POLYTROPE` with SETS in the background."""

    def __init__(self, n, out, *sets, extra=()):
        super().__init__(n, ["python", "-m", "parleak", "run", str(POLYTROPE), "--output", str(out)]
                         + [arg for s in SETS + sets for arg in ("--set", s)] + list(extra))


def test_reference_keeps_the_newest_checkpoints_and_every_dump(reference):
    out, _ = reference
    assert checkpoint_steps(out) == [60, FINAL_STEP]  # every 30 steps and at the end; keep 2
    assert names(out, "dump_*.h5") == [f"dump_0000{i}.h5" for i in range(4)]
    assert not names(out, "*.tmp")
    info = inspect_checkpoint(str(out / f"checkpoint_{FINAL_STEP:08d}.h5"))
    assert (info["step"], info["dumps_written"], info["outputs_done"], info["last_dump_step"]) == (FINAL_STEP, 4, 4, 82)
    with h5py.File(out / f"checkpoint_{FINAL_STEP:08d}.h5") as h5, h5py.File(out / "dump_00003.h5") as dump:
        assert h5.attrs["time"] == dump.attrs["time"] == 2.5e-4
        assert sorted(h5["fields"]) == sorted(dump["fields"])
        for name in dump["fields"]:
            assert np.array_equal(h5["fields"][name][...], dump["fields"][name][...])
        assert "energy_budget" in h5["restart/parts"]


def test_sigterm_to_one_rank_then_restart_on_4_ranks(reference, tmp_path):
    """SIGTERM to rank 1 only (srun signals every rank; one is the harder
    case): all ranks stop at the next step boundary with a checkpoint."""
    out = tmp_path / "out"
    job = Job(2, out)
    job.wait_for_step(10)
    os.kill(job.rank_pids()[1], signal.SIGTERM)
    code, log = job.finish()
    assert code == EXIT_CHECKPOINTED, log
    assert "received SIGTERM" in log and "--restart latest" in log
    stopped = checkpoint_steps(out)[-1]
    assert 10 <= stopped < FINAL_STEP
    restart(4, out)
    assert_same_run(out, reference[0])


def test_sigusr1_to_mpirun_then_restart(reference, tmp_path):
    """Open MPI's mpirun forwards SIGUSR1 to every rank."""
    out = tmp_path / "out"
    job = Job(2, out)
    job.wait_for_step(10)
    job.process.send_signal(signal.SIGUSR1)
    code, log = job.finish()
    assert code == EXIT_CHECKPOINTED, log
    assert "received SIGUSR1" in log
    assert 10 <= checkpoint_steps(out)[-1] < FINAL_STEP
    restart(2, out)
    assert_same_run(out, reference[0])


def test_walltime_on_4_ranks_then_restart_on_1(reference, tmp_path):
    """--walltime stops the run with a checkpoint while the limit is still
    ahead. A checkpoint every step makes the steps slow (and tests that
    checkpoints do not change the run); a limit that the start-up alone
    used up (a busy machine) is tried again, doubled, and one that the
    whole run fits in (an idle, fast machine) halved."""
    limit, left = 4.0, 0.0
    for _ in range(6):
        out = tmp_path / f"limit_{limit:g}"
        code, log = Job(4, out, "output.checkpoint_every=1", extra=["--walltime", f"{limit:g}"]).finish()
        if code == 0:  # finished before the limit came near
            limit /= 2.0
            continue
        assert code == EXIT_CHECKPOINTED, log
        left = float(re.search(r"the wall-clock limit is (\S+) s away, less than the margin of", log).group(1))
        if left > 0.0:  # rank 0's clock, from the start of `parleak run`
            break
        limit *= 2.0
    assert code == EXIT_CHECKPOINTED and left > 0.0, log  # stopped with time left, by rank 0's clock
    assert 0 <= checkpoint_steps(out)[-1] < FINAL_STEP and len(checkpoint_steps(out)) <= 2
    restart(1, out)
    assert_same_run(out, reference[0])


def test_restart_at_the_end_and_with_a_later_end(reference, tmp_path):
    out = reference[0]
    before = snapshot(out)
    result = restart(1, out, out / f"checkpoint_{FINAL_STEP:08d}.h5")
    assert "nothing to do: the checkpoint is at t = 2.500000e-04 s, step 82" in result.stdout
    assert snapshot(out) == before
    longer = tmp_path / "longer"
    shutil.copytree(out, longer)
    restart(1, longer, "latest", "time.t_end=3e-4")
    assert names(longer, "dump_*.h5")[-1] == "dump_00004.h5"
    with h5py.File(longer / "dump_00004.h5") as h5:
        assert h5.attrs["time"] == 3e-4 and h5.attrs["step"] > FINAL_STEP
    for name in names(out, "dump_*.h5"):
        assert (longer / name).read_bytes() == (out / name).read_bytes()


def _truncated(source, path):
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_data(source, path):
    shutil.copy(source, path)
    with h5py.File(path) as h5:
        offset = h5["fields/etot"].id.get_offset()
    with open(path, "r+b") as f:
        f.seek(offset + 8 * 100)
        f.write(b"\x7f\x00\x01\x02\x03\x04\x05\x06")


def _damaged_header(source, path):
    shutil.copy(source, path)
    with open(path, "r+b") as f:
        f.write(b"NOT HDF5")


def _foreign(source, path):
    with h5py.File(path, "w") as h5:
        h5["temperature"] = np.arange(10.0)


BAD_FILES = {
    "truncated": (_truncated, 1, "cannot be read as HDF5 (truncated or damaged?)"),
    "damaged_data": (_damaged_data, 2, "is damaged: the data of fields/etot do not match their checksums"),
    "damaged_header": (_damaged_header, 1, "cannot be read as HDF5 (truncated or damaged?)"),
    "foreign": (_foreign, 1, "is not a parleak checkpoint (HDF5 without a /restart group of format "
                             "'parleak checkpoint'; it holds temperature)"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_restart_file_exits_2_and_keeps_the_output(reference, tmp_path, kind):
    make, n, message = BAD_FILES[kind]
    out = tmp_path / "out"
    shutil.copytree(reference[0], out)
    bad = tmp_path / f"{kind}.h5"
    make(reference[0] / f"checkpoint_{FINAL_STEP - 22:08d}.h5", bad)
    before = snapshot(out)
    result = restart(n, out, bad, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"parleak: restart error: checkpoint {str(bad)!r}" in result.stderr or f"{str(bad)!r} is" in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("parleak: ") == 1
    assert snapshot(out) == before


def _without(checkpoint, name, attribute=None):
    """A copy of `checkpoint` (beside it) without the object `name`, or
    without its attribute `attribute`."""
    damaged = checkpoint.with_name("damaged.h5")
    shutil.copy(checkpoint, damaged)
    with h5py.File(damaged, "r+") as h5:
        if attribute is None:
            del h5[name]
        else:
            del h5[name].attrs[attribute]
    return damaged


@pytest.mark.parametrize("case", ["dump", "missing", "latest_without_checkpoint", "other_grid", "other_problem",
                                  "unsafe_key", "with_overwrite", "missing_restart_attribute", "missing_field"])
def test_unusable_restart_exits_2(reference, tmp_path, case):
    """Config-level refusals, in one process (an MPI singleton)."""
    out = tmp_path / "out"
    shutil.copytree(reference[0], out)
    checkpoint = out / "checkpoint_00000060.h5"
    if case == "missing_restart_attribute":
        checkpoint = _without(checkpoint, "restart/parts/00_Hydro", "outflow")
    elif case == "missing_field":
        checkpoint = _without(checkpoint, "fields/etot")
    args = ["-m", "parleak", "run", str(POLYTROPE), "--output", str(out), "--restart", str(checkpoint)]
    args += [arg for s in SETS for arg in ("--set", s)]
    expected = {
        "dump": (["--restart", str(out / "dump_00002.h5")], "is a dump without restart data, not a checkpoint"),
        "missing": (["--restart", str(out / "checkpoint_00000061.h5")], "checkpoint_00000061.h5' does not exist"),
        "latest_without_checkpoint": (["--restart", "latest", "--output", str(tmp_path / "empty")],
                                      "--restart latest: no checkpoint_NNNNNNNN.h5 in output directory"),
        "other_grid": (["--set", "grid.cells=[12, 12, 16]"], "grid.cells = [12, 12, 16] (from the config file and "
                                                             "--set) differs from grid.cells = [12, 12, 12] in "
                                                             f"checkpoint {str(checkpoint)!r}"),
        "other_problem": ([], "problem.name = 'sod' (from the config file and --set) differs from "
                              "problem.name = 'polytrope'"),
        "unsafe_key": (["--set", "time.cfl=0.3"], "time.cfl = 0.3 (from the config file and --set) differs from "
                                                  "time.cfl = 0.4"),
        "with_overwrite": (["--overwrite"], "--overwrite deletes what --restart continues"),
        "missing_restart_attribute": ([], f"checkpoint {str(checkpoint)!r} is incomplete: the restart data of "
                                          "'00_Hydro' lack 'outflow' (they have nothing)"),
        "missing_field": ([], f"checkpoint {str(checkpoint)!r} lacks the field 'etot' that this run needs (it has "
                              "dens, dens_ye, eps, mom_x, mom_y, mom_z, press, vel_x, vel_y, vel_z, ye): it is damaged, "
                              "or written by another parleak version"),
    }[case]
    if case == "other_problem":
        args = ["-m", "parleak", "run", str(REPO / "drivers" / "sod.toml"), "--output", str(out), "--restart",
                str(checkpoint)]
    before = snapshot(out)
    result = singleton(args + expected[0], check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected[1] in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before


def test_physics_restart_state_2_to_1_ranks(tmp_path):
    """An extra physics object with restart state (scalars of every kind
    and a per-cell field), stopped after 25 steps on 2 ranks and continued
    on 1: scalars.csv and the final fields as without the stop (1 rank)."""
    script = str(REPO / "tests" / "scripts" / "restart_with_physics.py")
    config = tmp_path / "sod.toml"
    config.write_text((REPO / "drivers" / "sod_2d.toml").read_text().replace("cells = [16, 200]", "cells = [8, 64]"))
    singleton([script, str(config), str(tmp_path / "whole")])
    mpirun(2, ["python", script, str(config), str(tmp_path / "parts"), "--max-steps", "25"], timeout=120)
    assert checkpoint_steps(tmp_path / "parts") == [25]
    result = singleton([script, str(config), str(tmp_path / "parts"), "--restart",
                        str(tmp_path / "parts" / "checkpoint_00000025.h5")])
    assert "restarted from" in result.stdout
    whole = (tmp_path / "whole" / "scalars.csv").read_text()
    assert "tally_dens_dt" in whole.splitlines()[0] and len(whole.splitlines()) > 40
    assert (tmp_path / "parts" / "scalars.csv").read_text() == whole
    assert_same_dump(sorted((tmp_path / "parts").glob("dump_*.h5"))[-1], sorted((tmp_path / "whole").glob("dump_*.h5"))[-1])
