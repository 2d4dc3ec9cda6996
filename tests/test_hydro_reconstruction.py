"""Unit tests of the hydro's face reconstructions (in-process, one rank):
the reconstruction codes, exactness on linear data, and no new extrema
(PLM with minmod and MC, PPM). Split from tests/test_hydro_units.py.
"""

import numpy as np
import pytest

from parleak.hydro.faces import GHOST_NEEDED, PLM_MC, PLM_MINMOD, PPM, RECONSTRUCTIONS, plm_faces_row, ppm_faces_row
from parleak.reconstruct import MC, MINMOD


# -- face reconstruction -----------------------------------------------------

def test_reconstruction_codes():
    """The PLM codes double as the limiter codes of parleak.reconstruct
    (fluxes passes the reconstruction code to plm_faces_row as its limiter)."""
    assert RECONSTRUCTIONS == {"plm-minmod": PLM_MINMOD, "plm-mc": PLM_MC, "ppm": PPM}
    assert (PLM_MINMOD, PLM_MC) == (MINMOD, MC) and PPM not in (MINMOD, MC)
    assert GHOST_NEEDED == {PLM_MINMOD: 2, PLM_MC: 2, PPM: 3}


def faces(q, reconstruction):
    """(left, right, q_m1, q_0) of the faces between cells f - 1 and f of
    the 1-D array q, f = 3 .. len(q) - 3 (face f at x = f for cells
    centred at i + 1/2)."""
    nf = q.size - 5

    def row(offset):
        return np.ascontiguousarray(q[3 + offset:3 + offset + nf])

    left, right = np.full(nf, np.nan), np.full(nf, np.nan)
    code = RECONSTRUCTIONS[reconstruction]
    if code == PPM:
        ppm_faces_row(row(-3), row(-2), row(-1), row(0), row(1), row(2), left, right)
    else:
        plm_faces_row(row(-2), row(-1), row(0), row(1), left, right, code)
    return left, right, row(-1), row(0)


@pytest.mark.parametrize("reconstruction", list(RECONSTRUCTIONS))
def test_faces_exact_on_linear_data(reconstruction):
    """Linear data: both face states are the line at the face. Exactly so
    for integer data; for q = a + b x with real a, b within 2 ulp of max |q|
    (the differences and the half-slope steps are each one rounding)."""
    q = 3.0 - 2.0 * np.arange(20.0)
    left, right, q_m1, q_0 = faces(q, reconstruction)
    assert np.array_equal(left, 0.5 * (q_m1 + q_0)) and np.array_equal(right, left)
    a, b = 0.3, 1.87e-3
    q = a + b * (np.arange(30) + 0.5)
    left, right, _, _ = faces(q, reconstruction)
    exact = a + b * np.arange(3, 28)
    tolerance = 2 * np.spacing(np.max(np.abs(q)))
    assert np.max(np.abs(left - exact)) <= tolerance and np.max(np.abs(right - exact)) <= tolerance


@pytest.mark.parametrize("reconstruction", list(RECONSTRUCTIONS))
def test_faces_make_no_new_extrema(reconstruction):
    """On a step the face states stay within the values of the two cells
    either side of the face (exactly: no overshoot at all), and are the
    constant itself away from the jump. On random monotone data likewise,
    within one rounding (MC's q + (q_next - q) may land an ulp beyond
    q_next)."""
    q = np.where(np.arange(20) < 10, -3.0, 5.0)
    left, right, q_m1, q_0 = faces(q, reconstruction)
    low, high = np.minimum(q_m1, q_0), np.maximum(q_m1, q_0)
    assert np.all((left >= low) & (left <= high) & (right >= low) & (right <= high))
    smooth = q_m1 == q_0
    assert np.array_equal(left[smooth], q_0[smooth]) and np.array_equal(right[smooth], q_0[smooth])
    assert smooth.sum() == left.size - 1
    rng = np.random.default_rng(4)
    for _ in range(200):
        q = np.cumsum(np.abs(rng.normal(size=40))) * 10.0 ** rng.uniform(-3, 3) * rng.choice([-1.0, 1.0])
        assert_faces_within_neighbours(q, reconstruction)


@pytest.mark.parametrize("reconstruction", ["plm-minmod", "plm-mc"])
def test_plm_faces_make_no_new_extrema_on_any_data(reconstruction):
    """PLM face states lie between the two cells at the face on any data
    (|limited slope| <= 2 min(|a|, |b|)), within one rounding. (Not asked
    of PPM: an extremum-preserving limiter may put a face value of a smooth
    extremum beyond its neighbouring cell averages.)"""
    rng = np.random.default_rng(4)
    for _ in range(200):
        assert_faces_within_neighbours(rng.normal(size=40) * 10.0 ** rng.uniform(-3, 3), reconstruction)


def assert_faces_within_neighbours(q, reconstruction):
    left, right, q_m1, q_0 = faces(q, reconstruction)
    low, high = np.minimum(q_m1, q_0), np.maximum(q_m1, q_0)
    slack = np.spacing(np.maximum(np.abs(q_m1), np.abs(q_0)))
    for states in (left, right):
        assert np.all(states >= low - slack) and np.all(states <= high + slack), (q, states)
