"""Point-wise neutrino physics of the leakage scheme: Fermi-Dirac integrals,
opacities, emission rates, effective (leakage) rates and source terms, the
Ye(rho) parameterisation and the trapped-neutrino pressure. Vectorised numba
functions of arrays, independent of the grid and of MPI."""
