"""Parallel HDF5 dumps, XDMF descriptions and the dump reader."""
