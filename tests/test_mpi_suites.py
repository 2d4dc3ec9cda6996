"""Runs the collective test modules tests/mpi/mpi_*.py under mpirun with
1, 2 and 4 ranks; each rank runs the same pytest session."""

import pytest

from helpers import RANK_COUNTS, REPO, mpirun

MODULES = sorted(p.name for p in (REPO / "tests" / "mpi").glob("mpi_*.py"))


@pytest.mark.parametrize("n", RANK_COUNTS)
@pytest.mark.parametrize("module", MODULES)
def test_mpi_module(module, n):
    result = mpirun(n, ["python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                        f"tests/mpi/{module}"], check=False, timeout=600)
    assert result.returncode == 0, f"{module} on {n} ranks failed:\n{result.stdout}\n{result.stderr}"
    assert " passed" in result.stdout


def test_modules_found():
    assert len(MODULES) >= 3, MODULES
