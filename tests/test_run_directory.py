"""The output directory: a run refuses (exit 2, before any work, one
message naming the path and the cause) a location it cannot write, a
directory another run is using, and a directory of another run's files,
unless --overwrite; a restart is refused into another run's directory."""

import hashlib
import shutil
import signal
import subprocess

import h5py
import pytest

from helpers import REPO, Job, mpirun, singleton, tmpfs

SOD = REPO / "drivers" / "sod_2d.toml"
ADVECTION = REPO / "drivers" / "advection_1d.toml"
SOD_SETS = ("grid.cells=[8, 64]", "output.checkpoint_every=10")


def run(config, out, *sets, extra=(), check=True):
    """`parleak run` as an MPI singleton."""
    args = ["-m", "parleak", "run", str(config), "--output", str(out)] + [a for s in sets for a in ("--set", s)]
    return singleton(args + list(extra), check=check)


def snapshot(directory):
    """{file name: sha256} of the directory's files (the lock file aside)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())
            if p.name != ".parleak.lock"}


def refused(result, *words):
    """Exit 2 with one message holding `words`, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("parleak: ")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run A (Sod, stopped at step 30 of 75 with checkpoints at 10, 20,
    30) and run B (advection, finished), in their own directories."""
    base = tmp_path_factory.mktemp("runs")
    run(SOD, base / "a", *SOD_SETS, "time.max_steps=30")
    run(ADVECTION, base / "b", "time.t_end=0.25")
    return base / "a", base / "b"


def test_every_file_carries_the_run_identity(runs):
    a, b = runs
    identity = (a / "run_id.txt").read_text().strip()
    assert len(identity) == 32 and identity != (b / "run_id.txt").read_text().strip()
    for path in sorted(a.glob("*.h5")):
        with h5py.File(path) as h5:
            assert h5.attrs["run_id"] == identity, path


def test_restart_into_another_runs_directory_is_refused(runs, tmp_path):
    """Continuing A into B's directory would replace B's dumps, delete its
    checkpoints and splice the two scalars.csv files: refused, B untouched;
    with --overwrite, B's files are deleted first and A continues there."""
    a, b = runs
    target = tmp_path / "b"
    shutil.copytree(b, target)
    before = snapshot(target)
    checkpoint = a / "checkpoint_00000030.h5"
    result = run(SOD, target, *SOD_SETS, extra=["--restart", str(checkpoint)], check=False)
    refused(result, f"output directory {str(target)!r} holds the files of another run (run ",
            "1 checkpoint (checkpoint_00000040.h5)", f"not of the run of checkpoint {str(checkpoint)!r}",
            "--overwrite")
    assert snapshot(target) == before
    run(SOD, target, *SOD_SETS, extra=["--restart", str(checkpoint), "--overwrite"])
    assert (target / "run_id.txt").read_text() == (a / "run_id.txt").read_text()
    steps = sorted(int(p.name[11:19]) for p in target.glob("checkpoint_*.h5"))
    assert len(steps) == 3 and steps[0] > 30
    rows = (target / "scalars.csv").read_text().splitlines()
    assert rows[0].startswith("time,step,dt,total_mass")
    assert [int(row.split(",")[1]) for row in rows[1:]] == list(range(31, steps[-1] + 1))


def test_restart_into_a_copy_of_its_own_directory(runs, tmp_path):
    """A copy of A's directory is A's run: the restart continues there."""
    a, _ = runs
    copy = tmp_path / "a"
    shutil.copytree(a, copy)
    result = run(SOD, copy, *SOD_SETS, extra=["--restart", str(a / "checkpoint_00000020.h5")])
    assert "restarted from" in result.stdout
    assert "checkpoint_00000074.h5" in {p.name for p in copy.iterdir()}


def test_overwrite_with_a_restart_from_the_same_directory_is_refused(runs, tmp_path):
    a, _ = runs
    copy = tmp_path / "a"
    shutil.copytree(a, copy)
    before = snapshot(copy)
    result = run(SOD, copy, *SOD_SETS, extra=["--restart", str(copy / "checkpoint_00000020.h5"), "--overwrite"],
                 check=False)
    refused(result, "--overwrite deletes what --restart continues")
    assert snapshot(copy) == before


def test_new_run_refuses_a_directory_with_only_scalars(runs, tmp_path):
    """A directory holding only another run's scalars.csv is a run's
    directory too."""
    _, b = runs
    target = tmp_path / "out"
    target.mkdir()
    shutil.copy(b / "scalars.csv", target)
    before = snapshot(target)
    refused(run(SOD, target, *SOD_SETS, check=False), "already holds the files of a run (scalars.csv)")
    assert snapshot(target) == before


def test_second_run_into_a_directory_in_use_is_refused(tmp_path):
    """A second run into the directory of a running one (even with
    --overwrite, which would delete its files) is refused naming the
    process that holds it; the first run goes on (then SIGUSR1 stops it
    with a checkpoint)."""
    out = tmp_path / "out"
    first = Job(2, ["python", "-m", "parleak", "run", str(SOD), "--output", str(out), "--set", "time.t_end=1e3",
                    "--set", "output.log_every=1"])
    first.wait_for_step(3)
    second = run(SOD, out, extra=["--overwrite"], check=False)
    refused(second, f"output directory {str(out)!r} is in use by another parleak run (pid ",
            "wait for it to end or choose another --output")
    assert first.process.poll() is None, "".join(first.lines)
    first.process.send_signal(signal.SIGUSR1)
    code, log = first.finish()
    assert code == 4, log
    assert (out / "dump_00000.h5").exists() and list(out.glob("checkpoint_*.h5"))


@pytest.fixture
def read_only_location(tmp_path):
    """A read-only tmpfs (root only)."""
    with tmpfs(tmp_path / "ro", "ro,size=64k") as mount:
        yield mount


@pytest.mark.parametrize("n", [1, 2])
def test_output_under_a_regular_file_exits_2(tmp_path, n):
    (tmp_path / "file").write_text("not a directory")
    out = tmp_path / "file" / "out"
    result = mpirun(n, ["python", "-m", "parleak", "run", str(SOD), "--output", str(out)], check=False, timeout=60)
    refused(result, f"output directory {str(out)!r} cannot be created: Not a directory")


@pytest.mark.parametrize("n", [1, 2])
def test_read_only_output_exits_2(read_only_location, n):
    out = read_only_location / "out"
    result = mpirun(n, ["python", "-m", "parleak", "run", str(SOD), "--output", str(out)], check=False, timeout=60)
    refused(result, f"output directory {str(out)!r} cannot be created: Read-only file system: {str(out)!r}")


def test_read_only_existing_directory_exits_2(tmp_path, read_only_location):
    """The directory exists, but nothing can be written in it."""
    subprocess.run(["mount", "-o", "remount,rw", str(read_only_location)], check=True)
    (read_only_location / "out").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_location)], check=True)
    out = read_only_location / "out"
    refused(run(SOD, out, check=False), f"output directory {str(out)!r} is not writable: Read-only file system")
