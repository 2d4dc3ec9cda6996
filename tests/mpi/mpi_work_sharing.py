"""WorkShare: uneven item counts are evened out (total // size or one
more per rank, in global order), a point-wise function evaluated on the
shared items and moved back gives each rank exactly its own items' values,
and the leakage opacities and sources shared this way (SharedEvaluation)
equal those each rank evaluates on its own cells, bit for bit."""

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all

from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.microphysics.leakage import LeakageParams, leakage_source_terms, lookup_eos_quantities, transport_opacities
from parleak.neutrino.evaluation import N_INTEGRALS, SharedEvaluation
from parleak.parallel.work_sharing import WorkShare

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


def test_shared_evaluation_is_bitwise_that_of_each_rank():
    """Dense, hot cells on rank 0 only (as in a pns octant), some below the
    opacity density, the source density or the table floor: evaluated by a
    SharedEvaluation over the ranks, the opacities and the source terms are
    exactly those each rank computes for its own cells (0 where masked),
    and the stage integrands recorded on the ranks, in global order, are
    exactly those of the cells with sources."""
    eos = TabulatedEOS(builtin_table_path())
    params = LeakageParams()
    rng = np.random.default_rng(7 + RANK)
    count = 3000 if RANK == 0 else 40 * RANK
    inputs = np.stack([10.0 ** rng.uniform(7.5, 14.5, count), rng.uniform(1.0, 30.0, count),
                       rng.uniform(0.08, 0.45, count)])
    inputs[1, ::17] = 0.5  # at an assumed table floor: no sources there
    tau = rng.uniform(0.0, 50.0, (6, count))
    floor = (1e8, 0.5, 0.05)  # min_density g/cm^3, T_min MeV, Ye_min
    quantities = lookup_eos_quantities(eos, *inputs)
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = quantities
    kappa = transport_opacities(*inputs, mu_e, mu_n, mu_p, xn, xp, tau.reshape(3, 2, -1), xh=xh, abar=abar,
                                zbar=zbar, params=params).kappa_total.reshape(6, -1)
    kappa[:, inputs[0] < 1e9] = 0.0
    with_sources = (inputs[0] >= floor[0]) & (inputs[1] > floor[1]) & (inputs[2] > floor[2])
    terms = leakage_source_terms(*inputs, mu_e, mu_n, mu_p, xn, xp, tau.reshape(3, 2, -1), xh=xh, abar=abar,
                                 zbar=zbar, params=params)
    rows = np.concatenate([terms.r_eff, terms.q_eff, np.stack(terms[2:])])
    rows[:, ~with_sources] = 0.0
    integrands = np.concatenate([rows[:6], rows[8:9], inputs[:1] * rows[7:8]])[:, with_sources]

    evaluation = SharedEvaluation(COMM, eos, params, inputs, 1e9, floor)
    check_all(np.array_equal(evaluation.opacities(tau), kappa), "shared opacities differ from local ones")
    recorder = Recorder()
    shared, recorded = evaluation.sources(tau, recorder)
    check_all(np.array_equal(shared, rows), "shared sources differ from local ones")
    check_all(np.array_equal(evaluation.source_mask(inputs), with_sources), "source mask")
    everywhere = np.concatenate(COMM.allgather(recorder.rows[:, :recorded]), axis=1)
    expected = np.concatenate(COMM.allgather(integrands), axis=1)
    check_all(np.array_equal(everywhere, expected), "recorded integrands differ from those of the cells")
    check_all(COMM.allreduce(recorded) == expected.shape[1] and recorded > 0,
              f"{recorded} integrands recorded here, of {expected.shape[1]}: every rank evaluates some")


class Recorder:
    """The packed_rows of a StageIntegrals (the part SharedEvaluation uses)."""

    def packed_rows(self, count):
        self.rows = np.empty((N_INTEGRALS, count))
        return self.rows
