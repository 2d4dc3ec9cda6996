"""The one place that initialises petsc4py.

PETSc would otherwise parse parleak's own command line (`--set`, `--output`)
as PETSc options. PETSc options still reach it through PETSC_OPTIONS.
"""

import sys

import petsc4py

petsc4py.init(sys.argv[:1])

from petsc4py import PETSc  # noqa: E402

__all__ = ["PETSc"]
