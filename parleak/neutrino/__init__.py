"""Grid-level neutrino work: optical depths (rays, local paths), the
shared evaluation of the point-wise kernels over the ranks, the coupling of
the leakage sources to the hydro, the dump diagnostics and the collapse
phase. The point-wise physics lives in parleak.microphysics."""
