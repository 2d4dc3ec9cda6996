"""The job scripts of jobscripts/ submitted with sbatch to a real
single-node SLURM (tests/slurm_cluster.py starts it on this host and stops
it afterwards; skipped where the Debian packages are missing or we are not
root): a run finishes with its dumps, a chain of jobs continues from the
checkpoint written on SIGUSR1, a job stopped before its time limit is
continued by the next, the scaling script writes its table. Launchers:
mpirun in the first test, srun --mpi=pmix in the others."""

import csv
import os
import re
import subprocess
import time

import numpy as np
import pytest

from helpers import MPI_ENV, REPO, parleak_run
from parleak.io.reader import read_dump
from slurm_cluster import SlurmCluster, Unavailable

JOBSCRIPTS = REPO / "jobscripts"
ADVECTION_3D = REPO / "drivers" / "advection_3d.toml"
STEP_LINE = re.compile(r"^step +(\d+) ", re.MULTILINE)
STOPPED_LINE = re.compile(r"^stopping at step (\d+), t = \S+ s: (.*)$", re.MULTILINE)
DONE_LINE = re.compile(r"^done: (\d+) steps to t = (\S+) s", re.MULTILINE)


@pytest.fixture(scope="module")
def cluster():
    env = dict(os.environ, **MPI_ENV, PARLEAK_VENV=str(REPO / ".venv"))
    try:
        slurm = SlurmCluster(env)
        slurm.start()
    except Unavailable as err:
        pytest.skip(f"no SLURM cluster on this host: {err}")
    yield slurm
    slurm.stop()


def job_log(run_dir, job_id, restart=0):
    return (run_dir / "logs" / f"job-{job_id}.{restart}.log").read_text()


def finished(cluster, job_id, timeout):
    """Wait for the job; fail with its log and the daemons' logs unless it
    completed with exit code 0."""
    info = cluster.wait(job_id, timeout)
    if (info["JobState"], info["ExitCode"]) != ("COMPLETED", "0:0"):
        out = open(info["StdOut"]).read() if os.path.exists(info["StdOut"]) else "(no output)"
        pytest.fail(f"job {job_id}: {info['JobState']} {info['ExitCode']}\n{out}\n{cluster.logs()}")
    return info


def submit_env(cluster, **variables):
    return dict(cluster.env, **{k: str(v) for k, v in variables.items()})


@pytest.mark.timeout(300)
def test_run_slurm_finishes_with_the_dumps_of_a_direct_run(cluster, tmp_path):
    """run.slurm with mpirun inside the allocation: the job's output, its
    log in the run directory, --walltime from the 10-minute limit, the
    dumps bitwise those of the same run under mpirun outside SLURM."""
    run_dir = tmp_path / "run"
    sets = ["grid.cells=[16,16,16]", "time.t_end=0.5", "output.interval=0.25"]
    options = [arg for item in sets for arg in ("--set", item)]
    job = cluster.sbatch("--job-name=adv", "--ntasks=2", "--time=10", JOBSCRIPTS / "run.slurm", ADVECTION_3D,
                         *options, env=submit_env(cluster, RUN_DIR=run_dir, PARLEAK_LAUNCH="mpirun"), cwd=tmp_path)
    info = finished(cluster, job, 120)
    assert info["StdOut"] == str(tmp_path / f"adv-{job}.out")
    log = job_log(run_dir, job)
    assert f"run.slurm: job {job} (restart 0)" in log and "2 ranks: starting in" in log
    assert "run.slurm: the run is finished" in log
    assert 530 <= int(re.search(r"--walltime (\d+)", log)[1]) <= 540
    assert "run.slurm: the run is finished" in (tmp_path / f"adv-{job}.out").read_text()

    dumps = sorted(p.name for p in run_dir.glob("dump_*.h5"))
    assert dumps == ["dump_00000.h5", "dump_00001.h5", "dump_00002.h5"]
    last = read_dump(run_dir / "dump_00002.h5")
    assert last.time == 0.5 and last.attrs["n_ranks"] == 2
    parleak_run(2, ADVECTION_3D, tmp_path / "direct", *sets)
    direct = read_dump(tmp_path / "direct" / "dump_00002.h5")
    assert last.step == direct.step == int(DONE_LINE.search(log)[1])
    assert np.array_equal(last.fields["q"], direct.fields["q"])


# A run of about 4 s of computing on 2 idle cores (several times that on a busy machine).
LONG_RUN = ["grid.cells=[64,64,64]", "time.t_end=2.0", "output.interval=1.0", "output.checkpoint_every=20"]


def long_run_options():
    return [arg for item in LONG_RUN for arg in ("--set", item)]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The last dump of LONG_RUN run directly under mpirun, never stopped."""
    output = tmp_path_factory.mktemp("uninterrupted")
    parleak_run(2, ADVECTION_3D, output, *LONG_RUN)
    return read_dump(output / "dump_00002.h5")


def check_continued(run_dir, before, after):
    """`after` (a job's log) continued from the checkpoint that `before`
    wrote when it stopped early."""
    stopped = STOPPED_LINE.search(before)
    assert stopped and "run.slurm: stopped early after writing a checkpoint" in before, before[-2000:]
    step, checkpoint = int(stopped[1]), run_dir / f"checkpoint_{int(stopped[1]):08d}.h5"
    assert re.search(rf"^checkpoint {checkpoint}  t = \S+ s  step {step}$", before, re.MULTILINE)
    assert "2 ranks: continuing from the newest checkpoint" in after
    assert re.search(rf"^restarted from {checkpoint}  t = \S+ s  step {step}$", after, re.MULTILINE)
    continued = [int(n) for n in STEP_LINE.findall(after)]
    assert continued and step < continued[0] <= step + 10, (step, continued[:3])


def check_finished(run_dir, log, uninterrupted):
    """The job of `log` finished the run: the last dump is that of the
    uninterrupted run."""
    assert "run.slurm: the run is finished" in log
    last = read_dump(run_dir / "dump_00002.h5")
    assert last.time == 2.0 and last.step == uninterrupted.step == int(DONE_LINE.search(log)[1])
    assert np.array_equal(last.fields["q"], uninterrupted.fields["q"])
    assert sorted(p.name for p in run_dir.glob("dump_*.h5")) == [f"dump_{i:05d}.h5" for i in range(3)]


@pytest.mark.timeout(600)
def test_chain_continues_from_the_checkpoint_of_the_job_before(cluster, tmp_path, uninterrupted):
    """Three chained jobs: the test stops the first with SIGUSR1 to its
    batch shell (what --signal=B:USR1@... does at the time limit); the
    second continues from its checkpoint and finishes the run; the third
    ends at once."""
    run_dir = tmp_path / "run"
    result = subprocess.run([JOBSCRIPTS / "chain.sh", "3", "--job-name=chain", "--ntasks=2", "--time=10", "--",
                             ADVECTION_3D] + long_run_options(),
                            env=submit_env(cluster, RUN_DIR=run_dir), cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    jobs = result.stdout.split()
    assert len(jobs) == 3
    deps = [cluster.job(job)["Dependency"] for job in jobs]
    assert deps[0] == "(null)" and all(d.startswith(f"afterok:{p}") for d, p in zip(deps[1:], jobs))

    first_log = run_dir / "logs" / f"job-{jobs[0]}.0.log"
    deadline = time.monotonic() + 120
    while not (first_log.exists() and STEP_LINE.search(first_log.read_text())):
        assert time.monotonic() < deadline, "the first job never logged a step"
        time.sleep(0.2)
    cluster.command("scancel", "--signal=USR1", "--batch", jobs[0])
    for job in jobs:
        finished(cluster, job, 240)
    logs = [job_log(run_dir, job) for job in jobs]

    assert "2 ranks: starting in" in logs[0] and "run.slurm: got SIGUSR1" in logs[0]
    assert STOPPED_LINE.search(logs[0])[2] == "received SIGUSR1"
    check_continued(run_dir, logs[0], logs[1])
    check_finished(run_dir, logs[1], uninterrupted)
    assert "2 ranks: continuing from the newest checkpoint" in logs[2]
    assert "nothing to do: the checkpoint is at t = 2.000000e+00 s" in logs[2]
    assert "run.slurm: the run is finished" in logs[2]


@pytest.mark.timeout(600)
def test_job_stops_before_its_time_limit_and_the_next_continues(cluster, tmp_path, uninterrupted):
    """A 1-minute job stops itself through --walltime (time left at its
    start - PARLEAK_WALLTIME_MARGIN = 2 or 3 s) with a checkpoint and ends
    successfully; the same job submitted again continues and finishes.
    (SLURM's warning signal comes up to about 30 s before its lead time, so
    this job's lead is 5 s, and the other jobs' time limits are far longer
    than run.slurm's default lead of 300 s.)"""
    run_dir = tmp_path / "run"
    options = ["--job-name=limited", "--ntasks=2", JOBSCRIPTS / "run.slurm", ADVECTION_3D, *long_run_options()]
    # A checkpoint every step (it does not change the solution) makes the
    # first job's steps slow enough that its 1 to 3 s do not reach t_end.
    first = cluster.sbatch("--time=1", "--signal=B:USR1@5", *options, "--set", "output.checkpoint_every=1",
                           cwd=tmp_path, env=submit_env(cluster, RUN_DIR=run_dir, PARLEAK_WALLTIME_MARGIN=57))
    info = finished(cluster, first, 120)
    log = job_log(run_dir, first)
    assert info["TimeLimit"] == "00:01:00"
    assert 1 <= int(re.search(r"--walltime (\d+)", log)[1]) <= 3, log
    stopped = STOPPED_LINE.search(log)
    assert "got SIG" not in log and stopped and "wall-clock limit" in stopped[2], log

    second = cluster.sbatch("--time=10", *options, env=submit_env(cluster, RUN_DIR=run_dir), cwd=tmp_path)
    finished(cluster, second, 240)
    check_continued(run_dir, log, job_log(run_dir, second))
    check_finished(run_dir, job_log(run_dir, second), uninterrupted)


@pytest.mark.timeout(300)
def test_scaling_script_writes_the_table(cluster, tmp_path):
    scaling_dir = tmp_path / "scaling"
    env = submit_env(cluster, SCALING_DIR=scaling_dir, SCALING_STEPS=5)
    job = cluster.sbatch("--ntasks=2", "--time=5", JOBSCRIPTS / "scaling.sh", ADVECTION_3D, 1, 2, "--",
                         "--set", "grid.cells=[16,16,16]", env=env, cwd=tmp_path)
    finished(cluster, job, 240)
    with open(scaling_dir / "scaling.csv") as table:
        rows = list(csv.DictReader(table))
    assert [(r["series"], r["ranks"], r["cells"], r["cells_per_rank"], r["steps"]) for r in rows] == [
        ("strong", "1", "16x16x16", "4096", "5"), ("strong", "2", "16x16x16", "2048", "5"),
        ("weak", "1", "16x16x16", "4096", "5"), ("weak", "2", "32x16x16", "4096", "5")]
    for row in rows:
        log = (scaling_dir / row["series"] / f"n{row['ranks']}.log").read_text()
        wall_s = float(re.search(r"^done: 5 steps to t = \S+ s in (\S+) s wall", log, re.MULTILINE)[1])
        cells = np.prod([int(n) for n in row["cells"].split("x")])
        assert float(row["wall_s"]) == wall_s
        assert float(row["zone_cycles_per_s"]) == pytest.approx(cells * 5 / wall_s, rel=1e-4)
        assert float(row["zone_cycles_per_s_per_rank"]) == pytest.approx(cells * 5 / wall_s / int(row["ranks"]), rel=1e-4)
    for first, second in (rows[:2], rows[2:]):
        assert first["efficiency"] == "1.000"
        expected = float(second["zone_cycles_per_s_per_rank"]) / float(first["zone_cycles_per_s_per_rank"])
        assert float(second["efficiency"]) == pytest.approx(expected, abs=1e-3)
    text = (scaling_dir / "scaling.txt").read_text().splitlines()
    assert text[0].split() == list(rows[0]) and len(text) == 5
