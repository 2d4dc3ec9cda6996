"""The layering the README's Design section describes, checked on the
source: only parleak/parallel imports mpi4py, only the grid and the PETSc
start-up import petsc4py, the physics modules make no MPI calls of their
own, and no module discovers physics hooks or EOS abilities by hasattr."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "parleak"
MODULES = sorted(PACKAGE.rglob("*.py"))
# The physics and numerics: MPI only through the Grid's and parallel's reductions.
PHYSICS = ("hydro", "gravity.py", "budget.py", "integrator.py", "advection.py", "physics.py", "neutrino",
           "microphysics", "eos", "problems", "state.py")


def imported(path):
    """The names of the modules `path` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def relative(path):
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("library, allowed", [("mpi4py", ("parallel/",)),
                                              ("petsc4py", ("grid.py", "petsc.py", "cli.py"))])
def test_only_the_plumbing_imports_mpi_and_petsc(library, allowed):
    offenders = [relative(path) for path in MODULES if not relative(path).startswith(allowed)
                 and any(name.split(".")[0] == library for name in imported(path))]
    assert offenders == [], f"{library} imported outside {allowed}: {offenders}"


def test_physics_makes_no_mpi_calls():
    """Communicator methods appear only in the plumbing, I/O, driver and
    post layers; physics reaches MPI through Grid reductions."""
    calls = ("allreduce", "Allreduce", "bcast", "Bcast", "Barrier", "gather", "allgather", "Alltoallv", "Isend",
             "Irecv", "Send", "Recv")
    offenders = []
    for path in MODULES:
        if not relative(path).startswith(PHYSICS):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in calls:
                offenders.append(f"{relative(path)}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_no_hasattr_discovery():
    offenders = [f"{relative(path)}:{node.lineno}" for path in MODULES for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr"]
    assert offenders == []


def test_package_modules_stay_small():
    """No module of parleak over about 400 lines (the README's promise of a
    house one can read in an afternoon)."""
    long = {relative(path): n for path in MODULES if (n := len(path.read_text().splitlines())) > 420}
    assert long == {}
