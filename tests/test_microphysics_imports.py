"""parleak.microphysics is point-wise physics: its modules import numpy,
numba, the standard library's math, typing and dataclasses, scipy,
parleak.constants, parleak.kernel_math and each other, nothing of MPI,
PETSc, HDF5, the grid, the state, the configuration, I/O or the grid-level
neutrino package (DESIGN.md, "The layers")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "parleak" / "microphysics"
ALLOWED = ("numpy", "numba", "math", "typing", "dataclasses", "scipy", "parleak.constants", "parleak.kernel_math",
           "parleak.microphysics")
FORBIDDEN = ("mpi4py", "petsc4py", "h5py", "parleak.grid", "parleak.parallel", "parleak.state", "parleak.config",
             "parleak.io", "parleak.neutrino")


def imported_modules(path):
    """Every module a file imports (absolute names; `from . import x`
    resolved against parleak.microphysics), with its line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = "parleak.microphysics" if node.level == 1 else "parleak"
                yield (f"{base}.{node.module}" if node.module else base), node.lineno
            else:
                yield node.module, node.lineno


def within(name, prefixes):
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


MODULES = sorted(PACKAGE.glob("*.py"))


def test_the_package_has_modules():
    assert {path.stem for path in MODULES} >= {"__init__", "api", "fermi", "leakage", "opacity", "rates"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_imports_of_each_module(path):
    for name, line in imported_modules(path):
        assert not within(name, FORBIDDEN), f"{path.name}:{line} imports {name} (not allowed in microphysics)"
        assert within(name, ALLOWED), f"{path.name}:{line} imports {name}; allowed: {', '.join(ALLOWED)}"


def test_the_scan_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom mpi4py import MPI\nif True:\n    import parleak.grid as g\n")
    names = [name for name, _ in imported_modules(bad)]
    assert names == ["numpy", "mpi4py", "parleak.grid"]
    assert [name for name in names if within(name, FORBIDDEN)] == ["mpi4py", "parleak.grid"]


def test_a_plain_session_loads_none_of_them():
    """`import parleak.microphysics` (and a call) in a fresh interpreter
    loads no MPI, PETSc, HDF5 or grid-level module, transitively."""
    code = ("import sys, numpy as np, parleak.microphysics as mp\n"
            "mp.free_rates(1e12, 5.0, 0.3, 20.0, 0.0, -10.0, 0.5, 0.3)\n"
            f"print(sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in {FORBIDDEN!r})))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                            cwd=PACKAGE.parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
