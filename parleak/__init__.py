"""parleak: MPI-parallel neutrino leakage on a PETSc DMDA grid."""

import os

# Debian's h5py loads its MPI build only when it sees an MPI launcher's
# environment; ask for it always, so that a one-rank run and a plain Python
# session use the same build as an mpirun job.
os.environ.setdefault("H5PY_ALWAYS_USE_MPI", "1")

__version__ = "0.1.0"


def _allow_vectorised_row_kernels():
    """Let LLVM's loop vectoriser check more pairs of arrays for overlap.

    A numba row kernel reads and writes many 1-D rows that LLVM cannot
    prove distinct, so it vectorises a loop only behind run-time overlap
    checks, and by default gives up beyond 8 of them: a Riemann solver
    reading 16 face values and writing 6 fluxes then runs scalar, 3 times
    slower (benchmarks/hydro_kernels.py). The option is process-wide and
    only allows more checks; results are unchanged.
    """
    import llvmlite.binding

    llvmlite.binding.set_option("parleak", "-runtime-memory-check-threshold=1024")


_allow_vectorised_row_kernels()
