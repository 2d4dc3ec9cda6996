"""Point-wise neutrino physics of the leakage scheme: Fermi-Dirac integrals,
opacities, emission rates, effective (leakage) rates and source terms, the
Ye(rho) parameterisation and the trapped-neutrino pressure. Vectorised numba
functions of numpy arrays, independent of the grid, of MPI and of files:
usable from a plain Python session or another code (`api` documents the
point-wise functions re-exported here).

Layer: microphysics. Its modules import only numpy, numba, math, typing,
dataclasses, scipy, parleak.constants, parleak.kernel_math and each other
(tests/test_microphysics_imports.py checks it).
"""

from parleak.microphysics.api import (BlockingFactors, Degeneracies, ProcessRates, blocking_factors, degeneracies,
                                      effective_rates, free_rates, opacities, source_terms, transport_opacities)
from parleak.microphysics.fermi import FERMI_METHODS, fermi_dirac_array
from parleak.microphysics.leakage import LeakageResult, Opacities, SourceTerms
from parleak.microphysics.parameters import SPECIES, Couplings, LeakageParams

__all__ = ["FERMI_METHODS", "SPECIES", "BlockingFactors", "Couplings", "Degeneracies", "LeakageParams",
           "LeakageResult", "Opacities", "ProcessRates", "SourceTerms", "blocking_factors", "degeneracies",
           "effective_rates", "fermi_dirac_array", "free_rates", "opacities", "source_terms",
           "transport_opacities"]
