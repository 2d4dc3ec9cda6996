"""The `rays` optical depth: hand values in 1-D and 2-D, errors, properties
of random fields (hypothesis), in-process on one rank; the agreement of
1, 2, 4 and 8 ranks on process grids split along every axis under mpirun.
The sphere, reference and symmetry tests on 1, 2 and 4 ranks are in
tests/mpi/mpi_rays.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import mpirun
from parleak.grid import AXES, FACES, Grid
from parleak.neutrino.rays import RayOpticalDepth, ray_optical_depths
from parleak.parallel import WORLD

OUTFLOW = {face: "outflow" for face in FACES}


def grid_of(cells, upper, **kinds):
    """A one-rank grid on [0, upper] with outflow faces except `kinds`."""
    return Grid(cells, [0.0] * len(cells), upper, 1, dict(OUTFLOW, **kinds), None, WORLD)


def line(values):
    return np.array(values, dtype=float).reshape(1, 1, 1, -1)


@pytest.mark.parametrize("kinds, plus_x, minus_x", [
    # dx = 0.5 cm, kappa = 1, 2, 3, 4 /cm; +x: dx (kappa_i / 2 + sum_{j > i} kappa_j)
    ({}, [4.75, 4.0, 2.75, 1.0], [0.25, 1.0, 2.25, 4.0]),
    # reflecting x_lower: -x adds the whole line, dx * 10 = 5
    ({"x_lower": "reflecting"}, [4.75, 4.0, 2.75, 1.0], [5.25, 6.0, 7.25, 9.0]),
    ({"x_upper": "reflecting"}, [9.75, 9.0, 7.75, 6.0], [0.25, 1.0, 2.25, 4.0]),
])
def test_1d_hand_values(kinds, plus_x, minus_x):
    tau, taus = RayOpticalDepth(grid_of([4], [2.0], **kinds))(line([1, 2, 3, 4]), directions=True)
    assert np.array_equal(taus[0], line(plus_x))
    assert np.array_equal(taus[1], line(minus_x))
    assert np.all(taus[2:] == np.inf)  # y and z are no lines of sight in 1-D
    assert np.array_equal(tau, np.minimum(line(plus_x), line(minus_x)))


def test_2d_hand_values():
    """3 x 2 cells, dx = 1 cm, dy = 2 cm, y_lower reflecting, kappa rows
    (y = 0) 1, 2, 3 and (y = 1) 4, 5, 6 /cm; column sums 5, 7, 9."""
    grid = grid_of([3, 2], [3.0, 4.0], y_lower="reflecting")
    kappa = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).reshape(1, 1, 2, 3)
    tau, taus = RayOpticalDepth(grid)(kappa, directions=True)
    expected = {
        "+x": [[0.5 + 5, 1 + 3, 1.5], [2 + 11, 2.5 + 6, 3]],
        "-x": [[0.5, 1 + 1, 1.5 + 3], [2, 2.5 + 4, 3 + 9]],
        "+y": [[2 * (0.5 + 4), 2 * (1 + 5), 2 * (1.5 + 6)], [2 * 2, 2 * 2.5, 2 * 3]],
        "-y": [[2 * (5 + 0.5), 2 * (7 + 1), 2 * (9 + 1.5)], [2 * (5 + 1 + 2), 2 * (7 + 2 + 2.5), 2 * (9 + 3 + 3)]],
    }
    for n, values in enumerate(expected.values()):
        assert np.array_equal(taus[n, 0, 0], np.array(values)), list(expected)[n]
    assert np.all(taus[4:] == np.inf)
    assert np.array_equal(tau[0, 0], np.array([[0.5, 2.0, 1.5], [2.0, 5.0, 3.0]]))


def test_module_function_equals_class():
    grid = grid_of([5, 4, 3], [1.0, 2.0, 3.0], z_upper="reflecting")
    kappa = np.random.default_rng(3).random((2, 3, 4, 5))
    assert np.array_equal(ray_optical_depths(grid, kappa), RayOpticalDepth(grid)(kappa))


@pytest.mark.parametrize("axis", AXES)
def test_periodic_face_is_an_error_naming_it(axis):
    grid = grid_of([4, 4, 4], [1.0] * 3, **{f"{axis}_lower": "periodic", f"{axis}_upper": "periodic"})
    with pytest.raises(ValueError, match=f"optical depth: {axis}_lower is periodic"):
        RayOpticalDepth(grid)


@pytest.mark.parametrize("cells", [[4], [4, 4], [4, 4, 4]])
def test_reflecting_everywhere_is_an_error(cells):
    grid = grid_of(cells, [1.0] * len(cells), **{face: "reflecting" for face in FACES})
    with pytest.raises(ValueError, match="every face is reflecting"):
        RayOpticalDepth(grid)


def test_axis_reflecting_at_both_ends_is_infinite():
    grid = grid_of([3, 4], [1.0, 1.0], x_lower="reflecting", x_upper="reflecting")
    kappa = np.random.default_rng(5).random((1, 1, 4, 3))
    tau, taus = RayOpticalDepth(grid)(kappa, directions=True)
    assert np.all(taus[:2] == np.inf) and np.all(np.isfinite(taus[2:4]))
    assert np.array_equal(tau, np.minimum(taus[2], taus[3]))


def test_wrong_kappa_shape_is_an_error():
    with pytest.raises(ValueError, match=r"expected \(n_fields,\) \+ \(1, 1, 4\)"):
        RayOpticalDepth(grid_of([4], [1.0]))(np.ones((2, 4)))


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.integers(1, 6), min_size=3, max_size=3),
       exponents=st.lists(st.floats(-4.0, 4.0), min_size=1, max_size=216), seed=st.integers(0, 2**32 - 1))
def test_random_fields_properties(cells, exponents, seed):
    """Outflow faces, positive random kappa [cm^-1]: every directional tau
    is >= 0; it does not increase towards the face it looks at; the step
    between neighbours is (kappa_i + kappa_n) d / 2; the cell next to the
    face has kappa d / 2; tau is the minimum of the six."""
    size = int(np.prod(cells))
    chosen = np.random.default_rng(seed).choice(np.array(exponents), size=2 * size)
    kappa = (10.0 ** chosen).reshape((2,) + tuple(reversed(cells)))
    grid = grid_of(cells, [0.3, 1.0, 2.0])
    tau, taus = RayOpticalDepth(grid)(kappa, directions=True)
    assert np.all(taus >= 0.0) and np.all(np.isfinite(taus))
    assert np.array_equal(tau, taus.min(axis=0))
    for a in range(3):
        axis, d = 3 - a, grid.dx[a]
        plus, minus = np.moveaxis(taus[2 * a], axis, -1), np.moveaxis(taus[2 * a + 1], axis, -1)
        k = np.moveaxis(kappa, axis, -1)
        assert np.all(plus[..., :-1] >= plus[..., 1:]) and np.all(minus[..., 1:] >= minus[..., :-1])
        step = 0.5 * d * (k[..., :-1] + k[..., 1:])
        assert np.allclose(plus[..., :-1] - plus[..., 1:], step, rtol=0.0, atol=1e-14 * plus[..., :-1].max(initial=0))
        assert np.allclose(minus[..., 1:] - minus[..., :-1], step, rtol=0.0, atol=1e-14 * minus.max())
        assert np.array_equal(plus[..., -1], 0.5 * d * k[..., -1])
        assert np.array_equal(minus[..., 0], 0.5 * d * k[..., 0])


PROCESS_GRIDS = {
    1: ["1x1x1"],
    2: ["2x1x1", "1x2x1", "1x1x2"],
    4: ["4x1x1", "1x4x1", "1x1x4", "2x2x1", "1x2x2"],
    8: ["8x1x1", "1x8x1", "1x1x8", "2x2x2", "4x2x1", "1x2x4"],
}


def test_decomposition(tmp_path):
    """The same random field (6 decades) on 1, 2, 4 and 8 ranks, split
    along every axis, with reflecting faces: every directional tau and tau
    are bitwise those of one rank (before the opacities were split into
    exact parts, 900 to 4100 of the 34 560 directional values and up to
    130 of the 5760 values of tau differed in the last bits)."""
    for n, grids in PROCESS_GRIDS.items():
        mpirun(n, ["python", "tests/scripts/rays_decomposition.py", str(tmp_path)] + grids)
    serial = np.load(tmp_path / "rays_1x1x1.npy")
    assert serial.shape == (7, 3, 10, 12, 16) and np.all(np.isfinite(serial)) and np.all(serial > 0)
    for label in sum(PROCESS_GRIDS.values(), [])[1:]:
        parallel = np.load(tmp_path / f"rays_{label}.npy")
        assert np.array_equal(parallel, serial), f"{label}: {np.count_nonzero(parallel != serial)} values differ"


def test_exact_line_sums():
    """The depths are the exact sums, rounded: 16 opacities of 2^-56 /cm
    after one of 1 /cm add 2^-52 (a running sum from the face rounds each
    to nothing), and an opacity 2^-100 of the largest still counts."""
    tiny = 2.0 ** -56
    taus = RayOpticalDepth(grid_of([18], [18.0]))(line([1.0] + [tiny] * 16 + [1.0]), directions=True)[1]
    assert taus[0, 0, 0, 0, 0] == taus[1, 0, 0, 0, -1] == 1.5 + 2.0 ** -52
    small = RayOpticalDepth(grid_of([3], [3.0]))(line([2.0 ** -100, 2.0 ** -100, 1.0]), directions=True)[1]
    assert small[1, 0, 0, 0, 1] == 1.5 * 2.0 ** -100
