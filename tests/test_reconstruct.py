"""Slope limiters and upwind PLM face values, against values worked by hand."""

import pytest

from parleak.reconstruct import MC, MINMOD, VANLEER, limited_slope, upwind_face_value


@pytest.mark.parametrize("limiter, a, b, expected", [
    (MINMOD, 1.0, 3.0, 1.0), (MINMOD, -3.0, -1.0, -1.0), (MINMOD, 1.0, -1.0, 0.0), (MINMOD, 0.0, 2.0, 0.0),
    (MC, 1.0, 3.0, 2.0), (MC, 1.0, 1.5, 1.25), (MC, -0.5, -4.0, -1.0), (MC, 2.0, -1.0, 0.0),
    (VANLEER, 1.0, 3.0, 1.5), (VANLEER, -1.0, -1.0, -1.0), (VANLEER, 1.0, -3.0, 0.0),
])
def test_limited_slope(limiter, a, b, expected):
    assert limited_slope(a, b, limiter) == expected


def test_upwind_face_value_takes_the_upwind_cell():
    # cells 0, 1 | face | 3, 7 : left slope minmod(1, 2) = 1, right slope minmod(2, 4) = 2
    assert upwind_face_value(0.0, 1.0, 3.0, 7.0, 1.0, MINMOD) == 1.5
    assert upwind_face_value(0.0, 1.0, 3.0, 7.0, -1.0, MINMOD) == 2.0
    # a linear profile is reproduced exactly by every limiter
    for limiter in (MINMOD, MC, VANLEER):
        assert upwind_face_value(1.0, 2.0, 3.0, 4.0, 1.0, limiter) == 2.5
        assert upwind_face_value(1.0, 2.0, 3.0, 4.0, -1.0, limiter) == 2.5
