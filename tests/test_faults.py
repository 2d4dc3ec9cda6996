"""Fault injection: every way a run can stop early, on 1 and 2 ranks.

For each stop path (a bad cell, an overflow, an output that cannot be
written, a signal, the wall-clock limit, a killed rank) the job is run as
a user runs it, under mpirun, and the test checks the exit code, that
one message on stderr names the cause, that no rank is left running, and
that every dump and checkpoint written before the stop is complete and
bitwise what an uninterrupted run wrote. Where the stop leaves a
checkpoint, `--restart latest` then ends bitwise equal to the
uninterrupted run. A seeded loop kills random ranks at random steps and
restarts on random rank counts until the run is done.

The runs are Sod's shock tube on 8 x 64 cells: 75 steps, dumps every
0.05 s, checkpoints every 10 steps (all kept)."""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid

import h5py
import numpy as np
import pytest

from helpers import REPO, Job, environment, singleton, tmpfs
from parleak.io.checkpoint import inspect_checkpoint
from parleak.io.reader import read_dump

DRIVER = REPO / "drivers" / "sod_2d.toml"
SETS = ("grid.cells=[8, 64]", "output.interval=0.05", "output.checkpoint_every=10", "output.checkpoint_keep=10",
        "output.log_every=1")
CELLS_Y = 64
FINAL_STEP = 75
INJECT = ["python", str(REPO / "tests" / "scripts" / "inject_fault.py")]
SEED = int(os.environ.get("PARLEAK_FAULT_SEED", "20261207"))


def run_args(out, *sets, extra=()):
    """`parleak run` arguments of the Sod run into `out`."""
    return ["run", str(DRIVER), "--output", str(out)] + [a for s in SETS + sets for a in ("--set", s)] + list(extra)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run (one rank; Sod is bitwise the same on any)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    singleton(["-m", "parleak"] + run_args(out))
    return out


class Tagged:
    """An environment that marks every process of one job, so that the test
    can tell whether any of them is still running."""

    def __init__(self, **extra):
        self.tag = f"PARLEAK_FAULT_TAG={uuid.uuid4().hex}"
        self.env = environment(PARLEAK_FAULT_TAG=self.tag.split("=")[1], **extra)

    def running(self):
        """pids of the job's processes still alive (after a grace period)."""
        deadline = time.monotonic() + 5.0
        while True:
            alive = []
            for entry in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open(f"/proc/{entry}/environ", "rb") as f:
                        if self.tag.encode() in f.read().split(b"\0"):
                            alive.append(int(entry))
                except OSError:
                    continue
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)


def run_job(n, args, timeout=180, **env):
    """`mpirun -n n ARGS` (with more environment variables `env`) to its
    end: (exit code, stdout, stderr); fails the test if any of its
    processes outlives mpirun."""
    tagged = Tagged(**env)
    if args[0] == "python":
        args = [sys.executable] + args[1:]
    result = subprocess.run(["mpirun", "-n", str(n)] + args, cwd=REPO, env=tagged.env, capture_output=True, text=True,
                            timeout=timeout)
    assert not tagged.running(), f"processes left running after mpirun ended:\n{result.stdout}\n{result.stderr}"
    return result.returncode, result.stdout, result.stderr


def signalled_job(n, out, step, number, rank, extra=()):
    """The Sod run on n ranks, `rank` sent signal `number` once the log
    reaches `step`: (exit code, the whole output); fails the test if a
    process of the job remains."""
    tagged = Tagged()
    job = Job(n, ["python", "-m", "parleak"] + run_args(out, extra=extra), env=tagged.env)
    job.wait_for_step(step)
    os.kill(job.rank_pids()[rank], number)
    code, log = job.finish(timeout=60)  # a job that does not end fails the test
    assert not tagged.running(), log
    return code, log


def parleak_lines(text):
    return [line for line in text.splitlines() if line.startswith("parleak: ") and "problem" not in line]


def the_message(stderr):
    """The one message of a stopped run: exactly one "parleak: " line on
    stderr, no traceback."""
    lines = parleak_lines(stderr)
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


def same_fields(path, reference_path):
    with h5py.File(path) as a, h5py.File(reference_path) as b:
        assert (a.attrs["time"], a.attrs["step"]) == (b.attrs["time"], b.attrs["step"]), path
        assert sorted(a["fields"]) == sorted(b["fields"]), path
        return all(a["fields"][name][...].tobytes() == b["fields"][name][...].tobytes() for name in b["fields"])


def assert_intact(out, reference):
    """Every complete dump (but a failure dump) and checkpoint in `out` is
    readable and bitwise the reference's file of the same name (a
    checkpoint that a stop wrote between the regular ones is checked for
    completeness only). Returns the names of the dumps and of the
    checkpoints."""
    dumps = sorted(p.name for p in out.glob("dump_*.h5"))
    checkpoints = sorted(p.name for p in out.glob("checkpoint_*.h5"))
    for name in dumps:
        if "failure" not in read_dump(out / name).attrs:
            assert same_fields(out / name, reference / name), name
    for name in checkpoints:
        assert inspect_checkpoint(str(out / name))["step"] == int(name[11:19])
        assert not (reference / name).exists() or same_fields(out / name, reference / name), name
    return dumps, checkpoints


def assert_same_run(out, reference):
    """The finished run in `out` is the reference: every dump bitwise, the
    final checkpoint, scalars.csv byte for byte, nothing unfinished."""
    dumps, checkpoints = assert_intact(out, reference)
    assert dumps == sorted(p.name for p in reference.glob("dump_*.h5"))
    assert checkpoints[-1] == f"checkpoint_{FINAL_STEP:08d}.h5"
    assert (out / "scalars.csv").read_text() == (reference / "scalars.csv").read_text()
    assert not list(out.glob("*.tmp"))


def restart(n, out):
    code, stdout, stderr = run_job(n, ["python", "-m", "parleak"] + run_args(out, extra=["--restart", "latest"]))
    assert code == 0, stdout + stderr


# -- a bad cell, an overflow: exit 3 with a failure dump ----------------------------

@pytest.mark.parametrize("n,rank,kind", [(1, 0, "negative"), (2, 0, "negative"), (2, 1, "negative"),
                                         (4, 3, "negative"), (2, 1, "nan")])
def test_bad_cell_inside_a_rank_stops_every_rank(reference, tmp_path, n, rank, kind):
    """In step 46 (after three dumps and four checkpoints) rank `rank`
    spoils the density of the middle cell of its interior: a negative
    density (the hydro's check, which crashed on ranks without a bad cell)
    or NaN (the integrator's check). Exit 3 on every rank, one message
    naming the cell and the step, a failure dump holding it, the earlier
    files intact. The y axis is split: rank r owns y in [r L, (r + 1) L)."""
    out = tmp_path / "out"
    code, stdout, stderr = run_job(n, INJECT + [kind, str(rank), str(2 * 45 + 1), "--"] + run_args(out))
    assert code == 3, stdout + stderr
    length = CELLS_Y // n
    cell = (4, rank * length + length // 2)
    message = the_message(stderr)
    assert message.startswith("parleak: run stopped: in step 46 (from t = ")
    assert f"the first is at global index (x, y, z)[:dim] = {cell}" in message and f"(on rank {rank})" in message
    cause = "hydro: 1 cell(s) with negative density" if kind == "negative" else "stage 1 of 2: non-finite dens in 1"
    assert cause in message
    dumps, checkpoints = assert_intact(out, reference)
    assert dumps == [f"dump_0000{i}.h5" for i in range(4)] and len(checkpoints) == 4
    failure = read_dump(out / dumps[-1])
    assert failure.attrs["failure"] == message.split("run stopped: ", 1)[1]
    bad = np.isnan(failure.fields["dens"]) if kind == "nan" else failure.fields["dens"] < 0
    assert bad.sum() == 1 and bad[0, cell[1], cell[0]]


@pytest.mark.parametrize("n", [1, 2])
def test_overflow_stops_with_a_failure_dump(tmp_path, n):
    """drivers/sedov_3d.toml with sedov.energy = 1e300: the fluxes of the
    first stage overflow. The budget no longer raises ValueError first:
    the integrator's check stops the run (exit 3) naming etot, the cell
    and the step, with a failure dump."""
    out = tmp_path / "out"
    code, stdout, stderr = run_job(n, ["python", "-m", "parleak", "run", str(REPO / "drivers" / "sedov_3d.toml"),
                                       "--output", str(out), "--set", "sedov.energy=1e300", "--set",
                                       "grid.cells=[16, 16, 16]"])
    assert code == 3, stdout + stderr
    message = the_message(stderr)
    assert message.startswith("parleak: run stopped: in step 1 (from t = 0.000000e+00 s): stage 1 of 2: "
                              "non-finite etot")
    assert "global index (x, y, z)[:dim] = (" in message
    first, failure = (read_dump(out / name) for name in ("dump_00000.h5", "dump_00001.h5"))
    assert "failure" not in first.attrs and all(np.isfinite(v).all() for v in first.fields.values())
    assert "non-finite etot" in failure.attrs["failure"] and not np.isfinite(failure.fields["etot"]).all()


# -- an output that cannot be written: exit 5, earlier files intact ------------------

@pytest.fixture
def small_filesystem(tmp_path):
    """A 400 KiB tmpfs (root only): a few dumps and checkpoints fit."""
    with tmpfs(tmp_path / "small", "size=400k") as mount:
        yield mount


def assert_output_error(code, stdout, stderr, out, cause):
    """Exit 5 with one message naming a dump or checkpoint in `out` and the
    cause, nothing unfinished left."""
    assert code == 5, stdout + stderr
    message = the_message(stderr)
    assert re.match(rf"parleak: output error: writing {re.escape(str(out))}/(dump|checkpoint)_\d+\.h5: ", message)
    assert cause in message and "the files written before are intact" in message
    assert not list(out.glob("*.tmp"))
    return message


@pytest.mark.parametrize("n", [1, 2])
def test_full_disk_stops_every_rank_and_the_restart_loses_nothing(reference, tmp_path, small_filesystem, n):
    """The file that does not fit is refused before it is opened: exit 5,
    one message naming it, the space it needs and the space left; the
    earlier files intact; continued elsewhere, the run ends as if it had
    never stopped."""
    out = small_filesystem / "out"
    code, stdout, stderr = run_job(n, ["python", "-m", "parleak"] + run_args(out))
    message = assert_output_error(code, stdout, stderr, out, "No space left on device")
    assert re.search(r"it needs about \d+ bytes and \d+ bytes are free on the file system of", message)
    dumps, checkpoints = assert_intact(out, reference)
    assert len(dumps) >= 2 and len(checkpoints) >= 2
    moved = tmp_path / "moved"
    shutil.copytree(out, moved)
    restart(2, moved)
    assert_same_run(moved, reference)


@pytest.mark.parametrize("n", [1, 2])
def test_disk_full_during_a_collective_write_stops_every_rank(reference, tmp_path, small_filesystem, n):
    """Without the check before (as if the space went while the file was
    written), a write fails on one rank inside a collective HDF5 write (it
    hung the other rank): every rank stops together with exit 5."""
    out = small_filesystem / "out"
    code, stdout, stderr = run_job(n, INJECT + ["skip-space-check", "--"] + run_args(out))
    assert_output_error(code, stdout, stderr, out, "bytes free on the file system of")
    dumps, checkpoints = assert_intact(out, reference)
    assert len(dumps) >= 2 and len(checkpoints) >= 2


@pytest.mark.parametrize("n", [1, 2])
def test_file_size_limit_stops_every_rank(tmp_path, n):
    """`ulimit -f` below the size of a dump: refused before it is written."""
    out = tmp_path / "out"
    code, stdout, stderr = run_job(n, INJECT + ["file-size-limit", "60000", "--"] + run_args(out))
    message = assert_output_error(code, stdout, stderr, out, "File too large")
    assert f"writing {out}/dump_00000.h5: it needs about" in message
    assert "more than the file-size limit (ulimit -f) of 60000 bytes" in message
    assert not list(out.glob("*.h5"))


def test_rank_stuck_in_hdf5_ends_the_job(reference, tmp_path):
    """A file-size limit that the data fit but the metadata written when
    the file is closed do not (the check before disabled): one rank fails
    inside HDF5's collective close and the other waits there forever. After
    PARLEAK_IO_TIMEOUT seconds the stuck ranks exit and mpirun ends."""
    out = tmp_path / "out"
    code, stdout, stderr = run_job(2, INJECT + ["file-size-limit", "68000", "skip-space-check", "--"] + run_args(out),
                                   PARLEAK_IO_TIMEOUT="5")
    assert code != 0 and "Timeout (0:00:05)!" in stderr, stdout + stderr
    assert "write_collectively" in stderr
    assert assert_intact(out, reference) == (["dump_00000.h5"], [])


# -- a signal, the wall-clock limit: exit 4 with a checkpoint -----------------------

@pytest.mark.parametrize("n", [1, 2])
def test_sigterm_to_one_rank_checkpoints_and_the_restart_loses_nothing(reference, tmp_path, n):
    out = tmp_path / "out"
    code, log = signalled_job(n, out, 25, signal.SIGTERM, n - 1)
    assert code == 4, log
    assert "received SIGTERM" in log and "--restart latest" in log and "Traceback" not in log
    dumps, checkpoints = assert_intact(out, reference)
    assert 25 <= int(checkpoints[-1][11:19]) < FINAL_STEP
    restart(3 - n, out)
    assert_same_run(out, reference)


@pytest.mark.parametrize("n", [1, 2])
def test_walltime_checkpoints_and_the_restart_loses_nothing(reference, tmp_path, n):
    """--walltime 0.01: the limit is past at the first step boundary."""
    out = tmp_path / "out"
    code, stdout, stderr = run_job(n, ["python", "-m", "parleak"] + run_args(out, extra=["--walltime", "0.01"]))
    assert code == 4, stdout + stderr
    assert "stopping at step 0" in stdout and "the wall-clock limit is" in stdout
    assert "Traceback" not in stderr and not parleak_lines(stderr)
    assert assert_intact(out, reference) == (["dump_00000.h5"], ["checkpoint_00000000.h5"])
    restart(n, out)
    assert_same_run(out, reference)


# -- a killed rank: the job ends, the files are complete -----------------------------

@pytest.mark.parametrize("n", [1, 2])
def test_killed_rank_ends_the_job_and_the_restart_loses_nothing(reference, tmp_path, n):
    out = tmp_path / "out"
    code, log = signalled_job(n, out, 32, signal.SIGKILL, n - 1)
    assert code != 0, log
    dumps, checkpoints = assert_intact(out, reference)
    assert len(dumps) >= 2 and len(checkpoints) >= 3
    restart(n, out)
    assert_same_run(out, reference)


def test_random_kills_and_restarts_end_as_the_uninterrupted_run(reference, tmp_path):
    """Seeded (PARLEAK_FAULT_SEED): three times, continue the run from its
    latest checkpoint (or start it again with --overwrite while it has
    none) on 1 or 2 ranks and kill a random rank with SIGKILL at a random
    step; then continue to the end."""
    rng = random.Random(SEED)
    out = tmp_path / "out"
    for _ in range(3):
        n = rng.choice([1, 2])
        steps = [int(p.name[11:19]) for p in out.glob("checkpoint_*.h5")]
        start = max(steps, default=0)
        step = min(start + rng.randint(4, 24), FINAL_STEP - 1)
        code, log = signalled_job(n, out, step, signal.SIGKILL, rng.randrange(n),
                                     extra=["--restart", "latest"] if steps else ["--overwrite"])
        assert code != 0, log
        assert_intact(out, reference)
    restart(rng.choice([1, 2]), out)
    assert_same_run(out, reference)
