"""Exact binned sums with one Allreduce: each rank bins its share of a
fixed global array; after Allreduce(op=SUM) of the int64 words, every rank
holds per-bin sums bitwise equal to math.fsum of the whole bin, for any
number of ranks and any split of the values."""

import math

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all

from parleak.parallel.exactsum import N_WORDS, binned_words, cumulative_words, words_to_float

COMM = MPI.COMM_WORLD
RANK = COMM.Get_rank()
N_RANKS = COMM.Get_size()
N_BINS = 50
N_VALUES = 40_000


def global_data():
    """The same on every rank: values over 1e-300..1e300 with both signs,
    subnormals and large cancelling values; bins including out-of-range
    ones, which are ignored."""
    rng = np.random.default_rng(4242)
    values = rng.choice([-1.0, 1.0], N_VALUES) * rng.random(N_VALUES) * 10.0 ** rng.integers(-300, 300, N_VALUES)
    values[::11] = rng.integers(-2 ** 52, 2 ** 52, values[::11].size) * 5e-324
    values[1::7] = 1e17 * rng.choice([-1.0, 1.0], values[1::7].size)
    bins = rng.integers(-2, N_BINS + 2, N_VALUES)
    return values, bins


def expected_sums(values, bins):
    per_bin = np.array([math.fsum(values[bins == b]) for b in range(N_BINS)])
    prefix = np.array([math.fsum(values[(bins >= 0) & (bins <= b)]) for b in range(N_BINS)])
    return per_bin, prefix


def reduced(values, bins):
    words = binned_words(values, bins, N_BINS)
    COMM.Allreduce(MPI.IN_PLACE, words, op=MPI.SUM)
    return words


def same_everywhere(array):
    return len({a.tobytes() for a in COMM.allgather(np.ascontiguousarray(array))}) == 1


@pytest.mark.parametrize("split", ["contiguous", "shuffled", "lopsided"])
def test_binned_sum_equals_serial_fsum(split):
    values, bins = global_data()
    per_bin, prefix = expected_sums(values, bins)
    order = np.arange(N_VALUES)
    if split == "shuffled":
        order = np.random.default_rng(N_RANKS).permutation(N_VALUES)
    if split == "lopsided":  # rank 0 gets nothing, the last rank most
        weights = np.arange(N_RANKS, dtype=float) ** 2
        cuts = (np.cumsum(weights)[:-1] / max(weights.sum(), 1.0) * N_VALUES).astype(int)
        mine = np.split(order, cuts)[RANK]
    else:
        mine = np.array_split(order, N_RANKS)[RANK]
    words = reduced(values[mine], bins[mine])
    check_all(words.shape == (N_BINS, N_WORDS), f"shape {words.shape}")
    check_all(np.array_equal(words, binned_words(values, bins, N_BINS)), f"{split}: words differ from the serial words")
    sums = words_to_float(words)
    check_all(np.array_equal(sums.view(np.int64), per_bin.view(np.int64)), f"{split}: per-bin sums differ from fsum")
    enclosed = words_to_float(cumulative_words(words))
    check_all(np.array_equal(enclosed.view(np.int64), prefix.view(np.int64)), f"{split}: prefix sums differ from fsum")
    check_all(same_everywhere(sums) and same_everywhere(enclosed), f"{split}: ranks disagree")
    valid = mine[(bins[mine] >= 0) & (bins[mine] < N_BINS)]
    naive = COMM.allreduce(np.bincount(bins[valid], weights=values[valid], minlength=N_BINS), op=MPI.SUM)
    check_all(not np.array_equal(naive, per_bin), "test data too benign: the naive sum is exact")


def test_cumulative_before_allreduce_gives_the_same():
    values, bins = global_data()
    _, prefix = expected_sums(values, bins)
    mine = np.array_split(np.arange(N_VALUES), N_RANKS)[RANK]
    words = cumulative_words(binned_words(values[mine], bins[mine], N_BINS))
    COMM.Allreduce(MPI.IN_PLACE, words, op=MPI.SUM)
    enclosed = words_to_float(words)
    check_all(np.array_equal(enclosed.view(np.int64), prefix.view(np.int64)), "prefix sums differ from fsum")


if __name__ == "__main__":  # mpirun -n N python tests/mpi/mpi_binned_sum.py
    import sys

    sys.exit(pytest.main(["-q", "-x", "-p", "no:cacheprovider", __file__]))
