"""What makes a run bitwise the same on any decomposition, in one process:
the point-wise kernels give a cell the same value wherever it sits in the
array they are given. The work sharing (parleak.parallel.work_sharing) hands each
rank a chunk of cells whose length and start depend on the number of
ranks, so a cell is computed in a vectorised loop's body on one
decomposition and in its remainder on another; the two must not differ
(no contraction to FMA or reassociation in one of them). The runs
themselves are compared in tests/test_pns.py; the rays' line sums in
tests/test_rays.py."""

import numpy as np
import pytest

from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.microphysics.leakage import leakage_source_terms, leakage_sources, lookup_eos_quantities, transport_opacities


@pytest.fixture(scope="module")
def eos():
    return TabulatedEOS(builtin_table_path())


def kernel_values(eos, rho, temp, ye, tau):
    """Every point-wise result the evolution and the dumps use, as rows
    (k, n): the EOS quantities, kappa_total, the source terms and the full
    kernel's t_loss (the thermal depths' absorption opacity)."""
    quantities = lookup_eos_quantities(eos, rho, temp, ye)
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = quantities
    cell_inputs = (rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau)
    nuclei = dict(xh=xh, abar=abar, zbar=zbar)
    kappa = transport_opacities(*cell_inputs, **nuclei).kappa_total.reshape(6, -1)
    terms = leakage_source_terms(*cell_inputs, **nuclei)
    full = leakage_sources(*cell_inputs, **nuclei)
    rows = [np.array([q for q in quantities if q is not None]), kappa, terms.r_eff, terms.q_eff,
            terms.eta_nue[None], terms.dye_dt[None], terms.energy_loss_rate[None], full.t_loss.reshape(6, -1)]
    return np.concatenate(rows)


def test_point_wise_kernels_do_not_depend_on_where_a_cell_sits(eos):
    """500 cells over the pns range (rho 1e8-4.5e14 g/cm^3, T 0.5-40 MeV,
    Ye 0.05-0.5, tau 0 to 1e4): every chunk of every start 0-8 and length
    1-19, and ten long chunks, gives each of its cells the bits of the
    whole array's evaluation."""
    rng = np.random.default_rng(18)
    count = 500
    rho, temp, ye = 10 ** rng.uniform(8.0, 14.65, count), rng.uniform(0.5, 40.0, count), rng.uniform(0.05, 0.5, count)
    tau = 10 ** rng.uniform(-4.0, 4.0, (3, 2, count))
    tau[..., ::7] = 0.0
    whole = kernel_values(eos, rho, temp, ye, tau)
    assert np.all(np.isfinite(whole)) and np.ptp(whole[-1]) > 0.0
    chunks = [(start, start + length) for start in range(9) for length in range(1, 20)]
    chunks += [(int(a), int(a) + int(n)) for a, n in zip(rng.integers(0, 100, 10), rng.integers(200, 400, 10))]
    for start, stop in chunks:
        part = kernel_values(eos, rho[start:stop].copy(), temp[start:stop].copy(), ye[start:stop].copy(),
                             tau[..., start:stop].copy())
        assert np.array_equal(part, whole[:, start:stop]), (start, stop)
