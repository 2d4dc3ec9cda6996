"""Runs the collective test modules tests/mpi/mpi_*.py under mpirun with
1, 2 and 4 ranks; each rank runs the same pytest session."""

import pytest

from helpers import REPO

MODULES = sorted(p.name for p in (REPO / "tests" / "mpi").glob("mpi_*.py"))


@pytest.mark.mpi(ranks=(1, 2, 4))
@pytest.mark.parametrize("module", MODULES)
def test_mpi_module(module, mpi):
    result = mpi.run(["python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", f"tests/mpi/{module}"],
                     check=False, timeout=600)
    assert result.returncode == 0, f"{module} on {mpi.ranks} ranks failed:\n{result.stdout}\n{result.stderr}"
    assert " passed" in result.stdout


def test_modules_found():
    assert len(MODULES) >= 3, MODULES


@pytest.mark.mpi(ranks=(1, 2, 4))
def test_the_mpi_fixture_runs_every_rank(mpi):
    """The helper itself: a snippet runs on mpi.ranks ranks, each seeing
    the whole world; arguments reach it; check=False returns the failure."""
    code = ("import sys; from mpi4py import MPI; w = MPI.COMM_WORLD; "
            "rows = w.gather(f'{w.rank} {w.size} {sys.argv[1]}'); w.rank == 0 and print(';'.join(rows))")
    result = mpi.python(code, "marker")  # one print: the ranks' own lines would interleave
    assert result.stdout.strip() == ";".join(f"{rank} {mpi.ranks} marker" for rank in range(mpi.ranks)), result.stdout
    failed = mpi.python("import sys; sys.exit(3)", check=False)
    assert failed.returncode != 0
