"""Exactly rounded summation: equal to math.fsum for any split of the data."""

import math

import numpy as np
import pytest

from parleak.exactsum import exact_partials, round_partials


def hostile(n, seed):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-20, 20, size=n)
    values[::5] = 1e30 * np.where(np.arange(values[::5].size) % 2, 1.0, -1.0)
    return values


@pytest.mark.parametrize("seed", range(5))
def test_matches_fsum_for_any_split(seed):
    values = hostile(10_000, seed)
    expected = math.fsum(values)
    assert round_partials(exact_partials(values)) == expected
    rng = np.random.default_rng(seed + 100)
    cuts = np.sort(rng.choice(values.size, size=7, replace=False))
    pieces = [exact_partials(piece) for piece in np.split(rng.permutation(values), cuts)]
    assert round_partials(np.concatenate(pieces)) == expected
    assert float(np.sum(values)) != expected  # the data defeats a naive sum


def test_hand_values():
    assert round_partials(exact_partials(np.array([1e16, 1.0, -1e16]))) == 1.0
    assert round_partials(exact_partials(np.array([0.1] * 10))) == 1.0
    assert round_partials(exact_partials(np.array([]))) == 0.0
    assert round_partials(exact_partials(np.zeros((3, 4)))) == 0.0


def test_non_finite_values_propagate():
    assert math.isnan(round_partials(exact_partials(np.array([1.0, np.nan]))))
    assert round_partials(exact_partials(np.array([1.0, np.inf]))) == np.inf


def test_many_partials_grow_the_buffer():
    # Two-bit values 54 binary orders apart never merge: 39 partials, more
    # than the initial buffer holds.
    values = (1.0 + 2.0 ** -52) * 2.0 ** np.arange(1000, -1070, -54, dtype=float)
    partials = exact_partials(values)
    assert len(partials) == values.size == 39
    assert round_partials(partials) == math.fsum(values)
