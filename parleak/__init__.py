"""parleak: MPI-parallel neutrino leakage on a PETSc DMDA grid."""

__version__ = "0.1.0"
