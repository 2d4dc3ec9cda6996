"""pytest plumbing shared by the tests (also loaded by the pytest sessions
that tests/test_mpi_suites.py runs on every rank under mpirun: keep it
free of MPI and of parleak imports).

MPI tests: the marker `@pytest.mark.mpi(ranks=(1, 2, 4))` runs a test once
per rank count, and its `mpi` fixture (helpers.MPIRunner) launches jobs
with that many ranks under mpirun:

    @pytest.mark.mpi(ranks=(1, 2, 4))
    def test_halo(mpi, tmp_path):
        result = mpi.run(["python", "tests/scripts/some_script.py", str(tmp_path)])
        snippet = mpi.python("from mpi4py import MPI; print(MPI.COMM_WORLD.size)")
        run = mpi.parleak("drivers/sod.toml", tmp_path / "out", "time.end=0.01")

Without ranks (or without the marker) a test that takes `mpi` runs on
helpers.RANK_COUNTS = (1, 2, 4). The test ids end in [n1], [n2], [n4].
Real inputs (helpers.real_input): a test whose file is not under
$PARLEAK_DATA skips; where $PARLEAK_REQUIRE_DATA is 1 (.ci/run sets it
when ../shared/data exists) that skip is a failure.

The marker is registered in pyproject.toml ([tool.pytest.ini_options]);
select or deselect these tests with `-m mpi` / `-m "not mpi"`.
"""

import os

import pytest

from helpers import RANK_COUNTS, REAL_INPUT_SKIP, MPIRunner


def pytest_generate_tests(metafunc):
    """Parametrise the `mpi` fixture by the marker's rank counts."""
    if "mpi" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("mpi")
    ranks = tuple(marker.kwargs.get("ranks", RANK_COUNTS)) if marker is not None else RANK_COUNTS
    if not ranks or not all(isinstance(n, int) and n > 0 for n in ranks):
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: mpi(ranks={ranks!r}) needs positive rank counts")
    metafunc.parametrize("mpi", ranks, indirect=True, ids=[f"n{n}" for n in ranks])


def pytest_collection_modifyitems(items):
    """A test that takes `mpi` is an MPI test (`-m mpi` selects it) even
    without the marker."""
    for item in items:
        if "mpi" in getattr(item, "fixturenames", ()) and item.get_closest_marker("mpi") is None:
            item.add_marker("mpi")


@pytest.fixture
def mpi(request):
    """An MPIRunner (helpers.py) for one of the test's rank counts."""
    return MPIRunner(request.param)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With PARLEAK_REQUIRE_DATA=1, a skip for a missing real input fails."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("PARLEAK_REQUIRE_DATA") == "1" and report.skipped and call.excinfo is not None:
        reason = str(call.excinfo.value)
        if REAL_INPUT_SKIP in reason:
            report.outcome = "failed"
            report.longrepr = f"PARLEAK_REQUIRE_DATA=1 but {reason}"
