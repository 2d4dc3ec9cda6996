"""Exactly rounded summation (Shewchuk 1997, the algorithm behind math.fsum).

`exact_partials` turns an array into a short list of non-overlapping floats
whose exact sum equals the exact sum of the array. Partials from any number
of pieces can be concatenated and rounded once with `math.fsum`, so a global
sum is the correctly rounded exact sum, whatever the decomposition.
"""

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _grow(partials, n_partials, x):
    """Add x to the non-overlapping expansion partials[:n_partials] in place.

    Returns the new length; the caller ensures len(partials) > n_partials.
    """
    i = 0
    for j in range(n_partials):
        y = partials[j]
        if abs(x) < abs(y):
            x, y = y, x
        hi = x + y
        lo = y - (hi - x)
        if lo != 0.0:
            partials[i] = lo
            i += 1
        x = hi
    partials[i] = x
    return i + 1


@numba.njit(cache=True)
def _exact_partials_finite(values):
    partials = np.zeros(16)
    n_partials = 0
    for x in values:
        if n_partials + 1 >= partials.size:
            grown = np.zeros(2 * partials.size)
            grown[:n_partials] = partials[:n_partials]
            partials = grown
        n_partials = _grow(partials, n_partials, x)
    return partials[:n_partials].copy()


def exact_partials(values):
    """Non-overlapping partial sums of `values` (any shape, float64).

    Non-finite input (inf, nan) is returned as its plain sum, which carries
    the inf or nan on. Partial sums beyond the float64 range (|sum| > 1.8e308)
    turn into inf or nan, which `round_partials` passes on.
    """
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        return np.array([flat.sum()])
    return _exact_partials_finite(flat)


def round_partials(partials):
    """Correctly rounded sum of the partials of several pieces."""
    try:
        return math.fsum(partials)
    except (OverflowError, ValueError):
        return float(np.sum(partials))


# ---------------------------------------------------------------------------
# Exact binned sums with a fixed-point "long accumulator".
#
# Every finite float64 is x = m * 2**e with an integer 0 <= m < 2**53 and
# e >= E_MIN = -1074 (the exponent of the smallest subnormal). A sum is kept
# as N_WORDS int64 words; word w counts units of 2**(WORD_BITS * w + E_MIN).
# Adding x adds (or subtracts) three chunks, each < 2**WORD_BITS, to three
# consecutive words. Word arithmetic is plain int64 addition, so the words
# of several pieces (or of several MPI ranks, with one Allreduce(op=SUM) on
# int64) add up to the words of the whole, whatever the split or the order:
# the sum is exact and its rounding is done once, at the end.
#
# Limit: a word absorbs 2**33 chunks before int64 can overflow; allowing for
# the carries of `normalise_words`, at most 2**32 values per bin, in total
# over all pieces and ranks, may go into one set of words.
# ---------------------------------------------------------------------------

WORD_BITS = 30
E_MIN = -1074
# The largest finite double has bits up to 2**1023 (offset 1023 - E_MIN =
# 2097 bits, word 69); 2**32 of them sum to < 2**1056 (offset 2130, word
# 71). 72 words hold that, so the top word never has to absorb more than a
# small carry.
N_WORDS = 72
MAX_VALUES_PER_BIN = 2 ** 32

_MASK = (1 << WORD_BITS) - 1
_MANTISSA = (1 << 52) - 1


@numba.njit(cache=True)
def _binned_words_kernel(bits, bins, n_bins):
    """Words of the values whose IEEE bit patterns are `bits` (int64), per
    bin. Returns (words, number of non-finite values in valid bins); the
    non-finite ones are left out of the words."""
    words = np.zeros((n_bins, N_WORDS), dtype=np.int64)
    n_bad = 0
    for i in range(bits.size):
        b = bins[i]
        if b < 0 or b >= n_bins:
            continue
        u = bits[i]
        biased = (u >> 52) & 0x7FF
        m = u & _MANTISSA
        if biased == 0x7FF:
            n_bad += 1
            continue
        if biased == 0:  # zero or subnormal: m * 2**-1074
            if m == 0:
                continue
            p = 0
        else:  # normal: (2**52 + m) * 2**(biased - 1075)
            m |= 1 << 52
            p = biased - 1
        # x = m * 2**(p + E_MIN): bit 0 of m sits at bit p of the accumulator.
        w = p // WORD_BITS
        s = p - WORD_BITS * w
        lo = (m & (_MASK >> s)) << s
        rest = m >> (WORD_BITS - s)
        mid = rest & _MASK
        hi = rest >> WORD_BITS
        if u < 0:
            words[b, w] -= lo
            words[b, w + 1] -= mid
            words[b, w + 2] -= hi
        else:
            words[b, w] += lo
            words[b, w + 1] += mid
            words[b, w + 2] += hi
    return words, n_bad


def binned_words(values, bins, n_bins):
    """Exact per-bin sums of `values` as accumulator words.

    values: float64 (any shape, flattened); bins: integer bin index of each
    value (same size); values whose bin is < 0 or >= n_bins are ignored.
    Returns int64 words, shape (n_bins, N_WORDS). Words of different pieces
    of data add exactly (numpy +, or MPI Allreduce with op=SUM); round them
    with `words_to_float`. At most MAX_VALUES_PER_BIN (2**32) values per bin
    in total over all pieces.

    A non-finite value (inf or nan) in a valid bin raises ValueError: the
    words hold finite numbers only. Zeros (+0.0 and -0.0) add nothing.
    """
    words, n_bad = finite_binned_words(values, bins, n_bins)
    if n_bad:
        raise ValueError(f"binned_words: {n_bad} non-finite value(s) (inf or nan) in valid bins; "
                         "an exact sum needs finite values")
    return words


def finite_binned_words(values, bins, n_bins):
    """binned_words of the finite values, and the number of non-finite
    values in valid bins (left out of the words) instead of an error."""
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    index = np.ascontiguousarray(bins, dtype=np.int64).ravel()
    if flat.size != index.size:
        raise ValueError(f"binned_words: {flat.size} values but {index.size} bin indices")
    if n_bins < 0:
        raise ValueError(f"binned_words: n_bins must be >= 0, got {n_bins}")
    return _binned_words_kernel(flat.view(np.int64), index, int(n_bins))


@numba.njit(cache=True)
def _normalise_row(row):
    """Carry in place so that row[:-1] lie in [0, 2**WORD_BITS); the top word
    keeps the rest, with the sign of the whole. The value is unchanged."""
    carry = 0
    for w in range(row.size - 1):
        t = row[w] + carry
        carry = t >> WORD_BITS  # arithmetic shift: floor division
        row[w] = t & _MASK
    row[row.size - 1] += carry


@numba.njit(cache=True)
def _normalise_kernel(words):
    for b in range(words.shape[0]):
        _normalise_row(words[b])


@numba.njit(cache=True)
def _round_row(row):
    """Correctly rounded (nearest, ties to even) float64 of a row of words;
    the row is used as scratch."""
    _normalise_row(row)
    n = row.size
    negative = row[n - 1] < 0
    if negative:
        for w in range(n):
            row[w] = -row[w]
        _normalise_row(row)
    h = n - 1
    while h >= 0 and row[h] == 0:
        h -= 1
    if h < 0:
        return 0.0
    if WORD_BITS * h + E_MIN >= 1024:  # |sum| >= 2**1024: beyond float64
        return -np.inf if negative else np.inf
    # Gather the leading bits into acc (at most 62 bits); the value is
    # acc * 2**(shift + E_MIN) plus whatever lies in row[:w + 1].
    acc = row[h]
    w = h - 1
    while w >= 0 and acc < (1 << 32):
        acc = (acc << WORD_BITS) | row[w]
        w -= 1
    shift = WORD_BITS * (w + 1)
    if w >= 0:
        # Inexact so far: round to odd on >= 55 bits (the lowest bit of acc
        # becomes sticky), after which the conversion to 53 bits below
        # rounds correctly. The result is >= 2**(60 + E_MIN): normal.
        nb = 0
        t = acc
        while t:
            t >>= 1
            nb += 1
        sticky = False
        if nb < 55:
            k = 62 - nb  # 8 <= k <= 29: take the top k bits of row[w]
            acc = (acc << k) | (row[w] >> (WORD_BITS - k))
            sticky = (row[w] & ((1 << (WORD_BITS - k)) - 1)) != 0
            shift = WORD_BITS * w + WORD_BITS - k
            w -= 1
        while w >= 0 and not sticky:
            sticky = row[w] != 0
            w -= 1
        if sticky:
            acc |= 1
    # Exact case (w < 0, shift == 0): acc * 2**E_MIN is representable as it
    # stands when acc < 2**53, and normal when acc >= 2**53, so rounding acc
    # to 53 bits is the correct rounding. int64 -> float64 rounds to
    # nearest even; the scaling by a power of two is exact or overflows.
    value = math.ldexp(float(acc), shift + E_MIN)
    return -value if negative else value


@numba.njit(cache=True)
def _round_kernel(words):
    out = np.empty(words.shape[0])
    row = np.empty(words.shape[1], dtype=np.int64)
    for b in range(words.shape[0]):
        row[:] = words[b]
        out[b] = _round_row(row)
    return out


def _as_rows(words, name):
    words = np.asarray(words)
    if words.ndim < 1 or words.shape[-1] != N_WORDS:
        raise ValueError(f"{name}: expected words of shape (..., {N_WORDS}), got {words.shape}")
    if words.dtype != np.int64:
        raise ValueError(f"{name}: expected int64 words, got {words.dtype}")
    return np.ascontiguousarray(words).reshape(-1, N_WORDS)


def normalise_words(words):
    """A normalised copy of `words` (..., N_WORDS): the same value per bin,
    with every word but the top in [0, 2**WORD_BITS)."""
    rows = _as_rows(words, "normalise_words").copy()
    _normalise_kernel(rows)
    return rows.reshape(np.shape(words))


def words_to_float(words):
    """Correctly rounded float64 sums (nearest, ties to even) of words of
    shape (n_bins, N_WORDS), e.g. after comm.Allreduce(MPI.IN_PLACE, words,
    op=MPI.SUM): returns float64 (n_bins,); for a single row (N_WORDS,) a
    float. An exact sum of 0 gives +0.0; |sum| beyond the float64 range
    gives +-inf. The input is not modified."""
    shape = np.shape(words)
    out = _round_kernel(_as_rows(words, "words_to_float"))
    if len(shape) == 1:
        return float(out[0])
    return out.reshape(shape[:-1])


def cumulative_words(words):
    """Exact prefix sums along the bins: row b of the result holds the words
    of bins 0..b (e.g. the enclosed mass M(< r_b)). The rows are normalised
    before the int64 cumsum, so the prefix sums cannot overflow (for fewer
    than 2**33 bins), however the values are spread over the bins. Commutes
    with the Allreduce (apply it before or after, the rounded result is the
    same); round with `words_to_float`."""
    rows = normalise_words(_as_rows(words, "cumulative_words"))
    return np.cumsum(rows, axis=0).reshape(np.shape(words))


def binned_sum(values, bins, n_bins):
    """Correctly rounded per-bin sums of one piece of data (serial use)."""
    return words_to_float(binned_words(values, bins, n_bins))
