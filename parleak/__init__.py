"""parleak: MPI-parallel neutrino leakage on a PETSc DMDA grid."""

import os

# Debian's h5py loads its MPI build only when it sees an MPI launcher's
# environment; ask for it always, so that a one-rank run and a plain Python
# session use the same build as an mpirun job.
os.environ.setdefault("H5PY_ALWAYS_USE_MPI", "1")

__version__ = "0.1.0"
