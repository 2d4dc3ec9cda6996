"""Shared test helpers.

MPI tests run in child processes under `mpirun -n N` (N = 1, 2, 4,
oversubscribed), never inside the pytest process: the helper passes an
explicit environment so that a pytest process that has itself initialised
MPI (a singleton) still launches clean jobs.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RANK_COUNTS = (1, 2, 4)

MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "PYTHONUNBUFFERED": "1",
}


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


def parleak_run(n, config, output, *sets, check=True, timeout=300):
    """`mpirun -n n parleak run config --output output --set ...`."""
    args = ["python", "-m", "parleak", "run", str(config), "--output", str(output)]
    for item in sets:
        args += ["--set", item]
    return mpirun(n, args, check=check, timeout=timeout)
