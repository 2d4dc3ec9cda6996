"""Exactly rounded summation: equal to math.fsum for any split of the data."""

import math

import numpy as np
import pytest

from parleak.parallel.exactsum import exact_partials, round_partials


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


# --- exact binned sums: fixed-point accumulator words ------------------------

from fractions import Fraction  # noqa: E402

from parleak.parallel.exactsum import (  # noqa: E402
    E_MIN,
    N_WORDS,
    WORD_BITS,
    binned_sum,
    binned_words,
    cumulative_words,
    normalise_words,
    words_to_float,
)


def exact_float(fraction):
    """Correctly rounded float of an exact rational (CPython's int true
    division rounds correctly, subnormals included); +-inf beyond range."""
    try:
        return float(fraction)
    except OverflowError:
        return math.inf if fraction > 0 else -math.inf


def words_value(row):
    """The exact value of one row of words."""
    return Fraction(sum(int(w) << (WORD_BITS * i) for i, w in enumerate(row))) * Fraction(2) ** E_MIN


def words_of_integer(n):
    """Normalised words of the value n * 2**E_MIN (n a Python int)."""
    row = np.zeros(N_WORDS, dtype=np.int64)
    for i in range(N_WORDS - 1):
        row[i] = n & ((1 << WORD_BITS) - 1)
        n >>= WORD_BITS
    row[-1] = n
    return row


def wide_values(n, seed):
    """Mixed signs, magnitudes 1e-300..1e300, subnormals, large cancelling
    pairs and exact zeros."""
    rng = np.random.default_rng(seed)
    values = rng.choice([-1.0, 1.0], n) * rng.random(n) * 10.0 ** rng.integers(-300, 300, n)
    values[::11] = rng.integers(-2 ** 52, 2 ** 52, values[::11].size) * 5e-324  # subnormals
    values[1::13] = rng.choice([-1.0, 1.0], values[1::13].size) * 1e300
    values[2::17] = 0.0
    values[3::19] = -0.0
    return values


def same_bits(a, b):
    return np.array_equal(np.asarray(a, dtype=np.float64).view(np.int64), np.asarray(b, dtype=np.float64).view(np.int64))


@pytest.mark.parametrize("seed", range(4))
def test_binned_matches_fsum_and_fraction(seed):
    n_bins = 40
    values = wide_values(6000, seed)
    bins = np.random.default_rng(seed + 7).integers(-3, n_bins + 3, values.size)
    result = binned_sum(values, bins, n_bins)
    for b in range(n_bins):
        chosen = values[bins == b]
        assert result[b] == math.fsum(chosen), b
        assert result[b] == exact_float(sum(map(Fraction, chosen.tolist()), Fraction(0))), b


@pytest.mark.parametrize("seed", range(3))
def test_words_add_exactly_for_any_split(seed):
    n_bins = 200
    values = wide_values(20_000, seed)
    rng = np.random.default_rng(seed + 50)
    bins = rng.integers(0, n_bins, values.size)
    whole = binned_words(values, bins, n_bins)
    order = rng.permutation(values.size)
    cuts = np.sort(rng.choice(values.size, size=9, replace=False))
    summed = np.zeros_like(whole)
    for part in np.split(order, cuts):
        summed += binned_words(values[part], bins[part], n_bins)
    assert np.array_equal(summed, whole)  # identical words, not only values
    assert same_bits(words_to_float(summed), words_to_float(whole))
    naive = np.bincount(bins, weights=values, minlength=n_bins)
    assert not np.array_equal(naive, words_to_float(whole))  # the data defeats a naive sum


def test_cumulative_words_are_prefix_sums():
    n_bins = 60
    values = wide_values(5000, 11)
    bins = np.random.default_rng(12).integers(0, n_bins, values.size)
    words = binned_words(values, bins, n_bins)
    prefix = words_to_float(cumulative_words(words))
    for b in range(n_bins):
        assert prefix[b] == math.fsum(values[bins <= b]), b
    # Applying it per piece and adding (as before an Allreduce) gives the same.
    half = values.size // 2
    pieces = cumulative_words(binned_words(values[:half], bins[:half], n_bins)) + cumulative_words(
        binned_words(values[half:], bins[half:], n_bins))
    assert same_bits(words_to_float(pieces), prefix)


def test_empty_and_out_of_range_bins():
    values = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    bins = np.array([1, -1, 3, 5, 1])
    words = binned_words(values, bins, 4)
    assert words.shape == (4, N_WORDS) and words.dtype == np.int64
    assert same_bits(words_to_float(words), [0.0, 17.0, 0.0, 4.0])
    assert words_to_float(binned_words(np.array([]), np.array([], dtype=np.int64), 3)).tolist() == [0.0] * 3
    assert binned_words(values, bins, 0).shape == (0, N_WORDS)
    # inf and nan are refused in valid bins, ignored in ignored ones.
    with pytest.raises(ValueError, match="non-finite"):
        binned_words(np.array([1.0, np.nan]), np.array([0, 1]), 2)
    with pytest.raises(ValueError, match="non-finite"):
        binned_words(np.array([-np.inf]), np.array([0]), 1)
    assert binned_sum(np.array([1.0, np.nan, np.inf]), np.array([0, 2, -1]), 2).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="bin indices"):
        binned_words(values, bins[:3], 4)


def test_hand_values_and_rounding_edges():
    big = np.finfo(np.float64).max
    tiny = 5e-324
    cases = [
        [1e16, 1.0, -1e16],
        [0.1] * 10,
        [2.0 ** 53, 1.0],  # tie: to even (down)
        [2.0 ** 53, 1.0, 2.0 ** -1000],  # just above the tie: up
        [2.0 ** 53 + 2, 1.0],  # tie: to even (up)
        [1.0, 2.0 ** -53],  # tie at 1
        [1.0, -(2.0 ** -54)],
        [tiny] * 7,
        [2.0 ** -1022, -tiny],  # normal minus subnormal: largest subnormal
        [2.0 ** -1022 - tiny, tiny],
        [big, -big, tiny],
        [big, 2.0 ** 969],  # below the overflow tie: stays at max
        [1.0, -1.0],
        [-0.0, -0.0],
        [-3.5, 1e-300],
    ]
    for case in cases:
        case = np.array(case)
        assert binned_sum(case, np.zeros(case.size, dtype=np.int64), 1)[0] == math.fsum(case), case
    one = np.zeros(1, dtype=np.int64)
    assert binned_sum(np.array([big, big]), np.zeros(2, dtype=np.int64), 1)[0] == np.inf
    assert binned_sum(np.array([-big, -(2.0 ** 970)]), np.zeros(2, dtype=np.int64), 1)[0] == -np.inf  # tie: to even is 2**1024
    assert binned_sum(np.array([-big, -big, big]), np.zeros(3, dtype=np.int64), 1)[0] == -big  # intermediate overflow is harmless
    assert same_bits(binned_sum(np.array([-0.0]), one, 1), [0.0])


def test_words_to_float_on_arbitrary_words():
    """Rounding of word patterns straight from the words: random signed
    (unnormalised) words, and exact ties and near-ties at every scale."""
    rng = np.random.default_rng(3)
    for trial in range(300):
        row = np.zeros(N_WORDS, dtype=np.int64)
        top = int(rng.integers(1, 70))
        used = rng.choice(top + 1, size=int(rng.integers(1, top + 2)), replace=False)
        row[used] = rng.integers(-(2 ** 40), 2 ** 40, used.size)
        assert words_to_float(row) == exact_float(words_value(row)), (trial, row)
    shifts = list(range(70)) + rng.integers(0, 2045, 400).tolist()  # small ones: subnormal/exact path
    for trial, k in enumerate(shifts):
        mantissa = int(rng.integers(2 ** 52, 2 ** 53))
        tie = (2 * mantissa + 1) << k
        for n in (tie - 1, tie, tie + 1):
            for sign in (1, -1):
                row = words_of_integer(sign * n)
                expected = exact_float(sign * Fraction(n) * Fraction(2) ** E_MIN)
                assert words_to_float(row) == expected, (trial, n, sign)
    # The overflow boundary: max + half an ulp ties to even, i.e. to 2**1024.
    half_ulp_above_max = (2 ** 54 - 1) << (970 - E_MIN)
    assert words_to_float(words_of_integer(half_ulp_above_max - 1)) == np.finfo(np.float64).max
    assert words_to_float(words_of_integer(half_ulp_above_max)) == np.inf
    assert words_to_float(words_of_integer(-half_ulp_above_max)) == -np.inf


def test_word_helpers_keep_values_and_inputs():
    values = wide_values(3000, 21)
    bins = np.random.default_rng(22).integers(0, 5, values.size)
    words = binned_words(values, bins, 5)
    kept = words.copy()
    normal = normalise_words(words)
    assert np.all((normal[:, :-1] >= 0) & (normal[:, :-1] < 2 ** WORD_BITS))
    for b in range(5):
        assert words_value(normal[b]) == words_value(words[b])
    assert same_bits(words_to_float(normal), words_to_float(words))
    assert np.array_equal(words, kept)  # inputs untouched
    assert isinstance(words_to_float(words[0]), float)
    with pytest.raises(ValueError):
        words_to_float(np.zeros((2, N_WORDS - 1), dtype=np.int64))
    with pytest.raises(ValueError):
        words_to_float(np.zeros((2, N_WORDS)))  # float words: refused
