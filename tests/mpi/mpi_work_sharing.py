"""WorkShare: uneven item counts are evened out (total // size or one
more per rank, in global order), a point-wise function evaluated on the
shared items and moved back gives each rank exactly its own items' values,
and the leakage sources shared this way equal those each rank evaluates on
its own cells, bit for bit."""

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all

from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.neutrino.leakage import leakage_source_terms, lookup_eos_quantities
from parleak.work_sharing import WorkShare

COMM = MPI.COMM_WORLD
RANK, SIZE = COMM.Get_rank(), COMM.Get_size()


@pytest.mark.parametrize("counts", [
    lambda r, n: 1000 if r == 0 else 0,  # all on the first rank
    lambda r, n: 7 * r + 3,  # growing
    lambda r, n: 5,  # already even: nothing moves
    lambda r, n: 0,  # nothing at all
    lambda r, n: 1 if r == n - 1 else 0,  # fewer items than ranks
])
def test_items_are_shared_evenly_and_come_back_in_order(counts):
    count = counts(RANK, SIZE)
    total = sum(counts(r, SIZE) for r in range(SIZE))
    first = sum(counts(r, SIZE) for r in range(RANK))  # global index of this rank's first item
    items = np.arange(first, first + count, dtype=float)
    rows = np.stack([items, -2.0 * items])
    share = WorkShare(COMM, count)
    work = share.forward(rows)
    expected_share = total // SIZE + (1 if RANK < total % SIZE else 0)
    work_first = sum(total // SIZE + (1 if r < total % SIZE else 0) for r in range(RANK))
    check_all(share.share == expected_share and work.shape == (2, expected_share), f"share {work.shape}")
    check_all(np.array_equal(work[0], np.arange(work_first, work_first + expected_share)), "global order")
    check_all(np.array_equal(work[1], -2.0 * work[0]), "rows travel together")
    back = share.backward(np.stack([work[0] ** 2, work[1]]))
    check_all(np.array_equal(back[0], items ** 2) and np.array_equal(back[1], rows[1]), "results come back")
    uneven = any(counts(r, SIZE) != total // SIZE + (1 if r < total % SIZE else 0) for r in range(SIZE))
    check_all(share.moves == uneven, f"moves {share.moves}, uneven {uneven}")


def test_shared_leakage_sources_are_bitwise_those_of_each_rank():
    """Dense, hot cells on rank 0 only (as in a pns octant): evaluated where
    they are and shared over the ranks, the source terms are the same."""
    eos = TabulatedEOS(builtin_table_path())
    rng = np.random.default_rng(7)
    count = 3000 if RANK == 0 else 40 * RANK
    inputs = np.stack([10.0 ** rng.uniform(9, 14.5, count), rng.uniform(1.0, 30.0, count),
                       rng.uniform(0.08, 0.45, count)])
    tau = rng.uniform(0.0, 50.0, (3, 2, count))

    def terms(cells_inputs, cells_tau):
        mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = lookup_eos_quantities(eos, *cells_inputs)
        result = leakage_source_terms(*cells_inputs, mu_e, mu_n, mu_p, xn, xp, cells_tau, xh=xh, abar=abar,
                                      zbar=zbar)
        return np.concatenate([result.r_eff, result.q_eff, np.stack(result[2:])])

    share = WorkShare(COMM, count)
    work = share.forward(np.concatenate([inputs, tau.reshape(6, -1)]))
    shared = share.backward(terms(work[:3], work[3:].reshape(3, 2, -1)))
    check_all(np.array_equal(shared, terms(inputs, tau)), "shared sources differ from local ones")
    check_all(share.moves == (SIZE > 1), "3000 cells on rank 0 only: they move on several ranks")
