"""Shared test helpers.

MPI tests run in child processes under `mpirun -n N` (N = 1, 2, 4,
oversubscribed), never inside the pytest process: the helper passes an
explicit environment so that a pytest process that has itself initialised
MPI (a singleton) still launches clean jobs. A test that runs once per rank
count takes the `mpi` fixture (an MPIRunner; tests/conftest.py):

    @pytest.mark.mpi(ranks=(1, 2, 4))
    def test_something(mpi):
        result = mpi.python("from mpi4py import MPI; print(MPI.COMM_WORLD.size)")
        assert ...
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RANK_COUNTS = (1, 2, 4)
# The start of the skip reason of a test whose real input is missing.
REAL_INPUT_SKIP = "real input missing"

MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "PYTHONUNBUFFERED": "1",
}


def real_input(name):
    """The path of the real input `name` (relative to the data directory,
    e.g. "progenitors/s13.6_S16.short") under $PARLEAK_DATA; the test
    skips with the reason where $PARLEAK_DATA is unset or lacks the file
    (tests/conftest.py turns those skips into failures where
    $PARLEAK_REQUIRE_DATA is 1, as .ci/run sets it)."""
    directory = os.environ.get("PARLEAK_DATA")
    if not directory:
        pytest.skip(f"{REAL_INPUT_SKIP}: $PARLEAK_DATA is not set (for {name})")
    path = Path(directory) / name
    if not path.is_file():
        pytest.skip(f"{REAL_INPUT_SKIP}: {path} does not exist (parleak data fetch; PARLEAK_DATA={directory})")
    return path


def mpirun(n, args, timeout=300, cwd=None, check=True):
    """Run `args` (a list; a leading "python" means this interpreter) under
    mpirun with n ranks. Returns the CompletedProcess; with check, fails the
    test with the job's output when it exits non-zero."""
    if args[0] == "python":
        args = [sys.executable] + args[1:]
    env = dict(os.environ)
    for key, value in MPI_ENV.items():
        env.setdefault(key, value)
    command = ["mpirun", "-n", str(n)] + list(args)
    result = subprocess.run(command, cwd=cwd or REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


def mpi_python(n, code, *args, timeout=300, cwd=None, check=True):
    """`python -c code args` (this interpreter) under mpirun with n ranks;
    as mpirun."""
    return mpirun(n, ["python", "-c", code] + [str(a) for a in args], timeout=timeout, cwd=cwd, check=check)


class MPIRunner:
    """Launches jobs of one rank count (`ranks`) under mpirun: the value of
    the `mpi` fixture of tests/conftest.py. run(args): `mpirun -n ranks
    args` (a leading "python" means this interpreter); python(code, *args):
    a Python snippet; parleak(config, output, *sets): `parleak run`. Each
    returns the CompletedProcess (returncode, stdout, stderr); check=True
    (the default) fails the test with the job's output when it exits
    non-zero."""

    def __init__(self, ranks):
        self.ranks = int(ranks)

    def __repr__(self):
        return f"MPIRunner(ranks={self.ranks})"

    def run(self, args, **options):
        return mpirun(self.ranks, list(args), **options)

    def python(self, code, *args, **options):
        return mpi_python(self.ranks, code, *args, **options)

    def parleak(self, config, output, *sets, **options):
        return parleak_run(self.ranks, config, output, *sets, **options)


def parleak_run(n, config, output, *sets, check=True, timeout=300):
    """`mpirun -n n parleak run config --output output --set ...`."""
    args = ["python", "-m", "parleak", "run", str(config), "--output", str(output)]
    for item in sets:
        args += ["--set", item]
    return mpirun(n, args, check=check, timeout=timeout)


def bitwise_on_1_2_and_4_ranks(config, output, *sets, timeout=300):
    """Run `config` with `sets` on 1, 2 and 4 ranks (into output/1, 2, 4)
    and assert that the runs write the same dumps, at the same steps and
    times, every field bitwise that of the 1-rank run.
    Returns (the 1-rank run's dumps, its stdout)."""
    import numpy as np

    from parleak.io.dump import existing_dumps
    from parleak.io.reader import read_dump

    runs, logs = {}, {}
    for n in (1, 2, 4):
        logs[n] = parleak_run(n, config, Path(output) / str(n), *sets, timeout=timeout).stdout
        runs[n] = [read_dump(path) for path in existing_dumps(Path(output) / str(n))]
    assert len(runs[1]) >= 2
    for n in (2, 4):
        assert len(runs[n]) == len(runs[1])
        for reference, other in zip(runs[1], runs[n]):
            assert other.attrs["step"] == reference.attrs["step"] and other.attrs["time"] == reference.attrs["time"]
            for name, values in reference.fields.items():
                assert np.array_equal(other.fields[name], values), (config, n, name, reference.path)
    return runs[1], logs[1]


def environment(**extra):
    """This environment with the MPI settings above (and `extra`)."""
    env = dict(os.environ)
    env.update({k: v for k, v in MPI_ENV.items() if k not in env})
    env.update(extra)
    return env


def singleton(args, check=True, timeout=120, env=None):
    """`python ARGS` as one MPI process without mpirun (an MPI singleton:
    one rank, quicker to start)."""
    result = subprocess.run([sys.executable] + list(args), cwd=REPO, env=env or environment(),
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


class Job:
    """`mpirun -n n ARGS` in the background (a leading "python" means this
    interpreter), its output collected line by line."""

    def __init__(self, n, args, env=None):
        if args[0] == "python":
            args = [sys.executable] + list(args[1:])
        command = ["mpirun", "-n", str(n)] + list(args)
        self.process = subprocess.Popen(command, cwd=REPO, env=env or environment(), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for_step(self, step, timeout=60):
        """Wait until the log has reached `step` (log lines "step N ...")."""
        deadline = time.monotonic() + timeout
        while not any(re.match(rf"step +{step} ", line) for line in list(self.lines)):
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.02)

    def rank_pids(self):
        """{rank: pid} of the parleak processes under mpirun."""
        children = {}
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{entry}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                continue
        ranks, todo = {}, [self.process.pid]
        while todo:
            for pid in children.get(todo.pop(), []):
                todo.append(pid)
                try:
                    with open(f"/proc/{pid}/environ", "rb") as env, open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        rank = re.search(rb"OMPI_COMM_WORLD_RANK=(\d+)", env.read())
                        if rank and b"parleak" in cmdline.read():
                            ranks[int(rank.group(1))] = pid
                except OSError:
                    continue
        return ranks

    def finish(self, timeout=120):
        """Wait for the job to end: (exit code, its whole output)."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        self.reader.join(timeout=10)
        return code, "".join(self.lines)


@contextmanager
def tmpfs(path, options):
    """A tmpfs mounted at `path` (created) with mount `options` (e.g.
    "size=400k", "ro"); skips the test where it cannot be mounted (not
    root)."""
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({options}) here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def driver_simulation(driver, **overrides):
    """An initialised in-process one-rank Simulation of drivers/`driver`
    (not run); overrides: {dotted key: value}."""
    from parleak.parallel import WORLD
    from parleak.run_config import load_config
    from parleak.simulation import Simulation

    sim = Simulation(load_config(REPO / "drivers" / driver, list(overrides.items()), 1), WORLD)
    sim.initialize()
    return sim
