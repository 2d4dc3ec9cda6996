"""The `local` optical depth (parleak/neutrino/local_tau.py): values worked
by hand, the errors, property-based tests on random opacities (in-process,
one rank), and bitwise agreement on 1, 2, 4 and 8 ranks for every process
grid (tests/scripts/local_tau_decomposition.py under mpirun). The sphere,
the least-path check against Dijkstra and the octant run on 1, 2 and 4
ranks in tests/mpi/mpi_local_tau.py."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from parleak.grid import AXES, FACES, Grid
from parleak.neutrino.local_tau import LocalOpticalDepth
from parleak.neutrino.rays import ray_optical_depths
from parleak.parallel import WORLD
from helpers import REPO, mpirun


def line_grid(cells, dx, lower="outflow", upper="outflow"):
    return Grid([cells], [0.0], [cells * dx], 1, {"x_lower": lower, "x_upper": upper}, None, WORLD)


def column(values):
    """A 1-D field (1, 1, 1, n) of the values."""
    return np.array(values, dtype=float).reshape(1, 1, 1, -1)


# -- by hand ------------------------------------------------------------------

def test_uniform_line_by_hand():
    # tau = kappa dx / 2 next to an outflow face, + kappa dx per cell further in.
    tau, iterations = LocalOpticalDepth(line_grid(4, 1.0), 1)(column([1.0, 1.0, 1.0, 1.0]))
    assert tau.ravel().tolist() == [0.5, 1.5, 1.5, 0.5]
    assert iterations == 2  # one to relax, one that changes nothing


def test_reflecting_face_is_no_outside():
    # dx = 0.5: tau_2 = 3 * 0.25, tau_1 = tau_2 + (2 + 3) * 0.25, tau_0 = tau_1 + (1 + 2) * 0.25.
    tau, _ = LocalOpticalDepth(line_grid(3, 0.5, lower="reflecting"), 1)(column([1.0, 2.0, 3.0]))
    assert tau.ravel().tolist() == [2.75, 2.0, 0.75]


def test_one_sweep_follows_a_rising_opacity():
    # kappa doubles: the warm start is too low, and one sweep (the 1-D
    # orders +x then -x) lifts every cell to the new solution; the largest
    # relative change is (3 - 1.5) / 3 = (1 - 0.5) / 1 = 0.5.
    local = LocalOpticalDepth(line_grid(4, 1.0), 1)
    tau, change = local.sweep(column([2.0] * 4), column([0.5, 1.5, 1.5, 0.5]))
    assert tau.ravel().tolist() == [1.0, 3.0, 3.0, 1.0]
    assert change == 0.5
    again, change = local.sweep(column([2.0] * 4), tau)
    assert np.array_equal(again, tau) and change == 0.0


def test_max_iterations_stops_early():
    # From a cold start the first iteration's change is +inf (cells leave
    # +inf); max_iterations = 1 stops there.
    grid = Grid([6, 6], [0.0, 0.0], [1.0, 1.0], 1, {f: "outflow" for f in FACES}, None, WORLD)
    local = LocalOpticalDepth(grid, 1)
    tau, iterations = local(np.ones((1, 1, 6, 6)), max_iterations=1)
    assert iterations == 1 and local.last_change == np.inf
    assert np.all(np.isfinite(tau))


@pytest.mark.parametrize("dim, face", [(1, "x_lower"), (2, "y_lower"), (3, "z_lower")])
def test_periodic_face_is_an_error(dim, face):
    boundaries = {f: "outflow" for f in FACES}
    axis = face[0]
    boundaries[f"{axis}_lower"] = boundaries[f"{axis}_upper"] = "periodic"
    grid = Grid([4] * dim, [0.0] * dim, [1.0] * dim, 1, boundaries, None, WORLD)
    with pytest.raises(ValueError, match=f"optical depth: {face} is periodic; the optical depth needs outflow or "
                                         "reflecting faces"):
        LocalOpticalDepth(grid, 1)


def test_all_reflecting_is_an_error():
    grid = Grid([4, 4], [0.0, 0.0], [1.0, 1.0], 1, {f: "reflecting" for f in FACES}, None, WORLD)
    with pytest.raises(ValueError, match="every face is reflecting"):
        LocalOpticalDepth(grid, 1)


def test_wrong_shapes_are_errors():
    local = LocalOpticalDepth(line_grid(4, 1.0), 2)
    kappa = np.ones((2, 1, 1, 4))
    with pytest.raises(ValueError, match=r"tau_start has shape \(1, 1, 1, 4\); expected \(2, 1, 1, 4\)"):
        local(kappa, tau_start=np.ones((1, 1, 1, 4)))
    with pytest.raises(ValueError, match=r"kappa has shape \(2, 1, 1, 5\)"):
        local(np.ones((2, 1, 1, 5)))
    with pytest.raises(ValueError, match="tau_start has shape"):
        local.sweep(kappa, np.ones((2, 1, 4, 1)))


# -- properties on random opacities -------------------------------------------

@st.composite
def problems(draw, least_opacity=0.0):
    """(grid, kappa): 1-D to 3-D, 2 to 6 cells per axis, outflow or
    reflecting faces (one outflow at least), 1 or 2 fields of opacities in
    [least_opacity, 1e3] cm^-1 (zeros too when least_opacity is 0)."""
    dim = draw(st.integers(1, 3))
    cells = draw(st.lists(st.integers(2, 6), min_size=dim, max_size=dim))
    kinds = draw(st.lists(st.sampled_from(["outflow", "reflecting"]), min_size=2 * dim, max_size=2 * dim)
                 .filter(lambda k: "outflow" in k))
    widths = draw(st.lists(st.floats(0.1, 10.0), min_size=dim, max_size=dim))
    grid = Grid(cells, [0.0] * dim, widths, 1, dict(zip(FACES, kinds)), None, WORLD)
    values = st.floats(max(least_opacity, 1e-3), 1e3)
    if least_opacity == 0.0:
        values = st.one_of(st.just(0.0), values)
    shape = (draw(st.integers(1, 2)),) + tuple(reversed(grid.cells))
    return grid, draw(arrays(np.float64, shape, elements=values))


def neighbour_candidates(grid, tau, kappa):
    """For each active axis: (candidate from the lower side, from the upper
    side) of every cell, tau_n + (kappa_i + kappa_n) * (dx / 2), with the
    outside (tau 0, kappa 0) beyond outflow faces and no candidate (+inf)
    beyond reflecting faces."""
    result = []
    for a in range(grid.dim):
        axis = 3 - a
        h = 0.5 * grid.dx[a]
        edge = {"outflow": 0.0, "reflecting": np.inf}
        lower_tau, upper_tau = (
            np.concatenate(pair, axis) for pair in (
                [np.full_like(np.take(tau, [0], axis), edge[grid.boundaries[f"{AXES[a]}_lower"]]), tau],
                [tau, np.full_like(np.take(tau, [0], axis), edge[grid.boundaries[f"{AXES[a]}_upper"]])]))
        zero = np.zeros_like(np.take(kappa, [0], axis))
        padded = np.concatenate([zero, kappa, zero], axis)
        n = tau.shape[axis]
        below = np.take(lower_tau, range(n), axis) + (kappa + np.take(padded, range(n), axis)) * h
        above = np.take(upper_tau, range(1, n + 1), axis) + (kappa + np.take(padded, range(2, n + 2), axis)) * h
        result.append((below, above))
    return result


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_properties_on_random_opacities(problem):
    grid, kappa = problem
    local = LocalOpticalDepth(grid, kappa.shape[0])
    tau, iterations = local(kappa)
    # Converged exactly; at least one iteration to relax and one to confirm,
    # at most one per edge of the longest least path (Bellman-Ford) + 1.
    assert local.last_change == 0.0 and 2 <= iterations <= kappa[0].size + 1
    assert np.all(tau >= 0.0) and np.all(np.isfinite(tau))

    # The Bellman equation holds exactly: tau is the least candidate; in
    # particular the triangle property tau_i <= tau_n + path(i, n) in
    # floating point along every face, between cells and towards outflow faces.
    candidates = neighbour_candidates(grid, tau, kappa)
    least = np.minimum.reduce([c for pair in candidates for c in pair])
    assert np.array_equal(tau, least)
    for below, above in candidates:
        assert np.all(tau <= below) and np.all(tau <= above)

    # No more than the least of the six straight lines of sight (`rays`,
    # the same sums in another order).
    assert np.all(tau <= ray_optical_depths(grid, kappa) * (1 + 1e-14))

    # A warm start from the answer changes nothing in one iteration.
    warm, iterations = local(kappa, tau_start=tau)
    assert iterations == 1 and np.array_equal(warm, tau)


@SETTINGS
@given(problems(least_opacity=0.5), st.data())
def test_warm_start_from_anywhere_converges_to_the_cold_start(problem, data):
    # With opacities > 0 the solution is unique: a start too high or too low
    # relaxes to the cold start's answer bitwise.
    grid, kappa = problem
    start = data.draw(arrays(np.float64, kappa.shape, elements=st.floats(0.0, 1e4)))
    local = LocalOpticalDepth(grid, kappa.shape[0])
    cold, _ = local(kappa)
    # From below, two neighbours of small opacity raise each other by their
    # small path length per iteration (Bellman-Ford's count to infinity):
    # the warm start then falls back to a cold one after 2 x its iterations.
    cold_iterations = local.cold_iterations
    warm, iterations = local(kappa, tau_start=start)
    assert local.last_change == 0.0 and iterations <= 3 * cold_iterations
    assert np.array_equal(warm, cold)


# -- decomposition: bitwise on 1, 2, 4 and 8 ranks ----------------------------

def test_bitwise_on_every_process_grid(tmp_path):
    for n in (1, 2, 4, 8):
        (tmp_path / str(n)).mkdir()
        mpirun(n, ["python", str(REPO / "tests" / "scripts" / "local_tau_decomposition.py"), str(tmp_path / str(n))],
               timeout=120)
    on_8 = sorted(p.stem for p in (tmp_path / "8").glob("*.npy"))
    assert {"3d-p8x1x1", "3d-p1x8x1", "3d-p1x1x8", "3d-p2x2x2", "2d-p8x1", "2d-p1x8", "2d-p2x4"} <= set(on_8)
    for case, process_grids in (("3d-p1x1x1", 1 + 3 + 6 + 10), ("2d-p1x1", 1 + 2 + 3 + 4)):
        reference = np.load(tmp_path / "1" / f"{case}.npy")
        assert np.all(np.isfinite(reference)) and np.any(reference > 0.0)
        results = sorted(tmp_path.glob(f"*/{case[:2]}-*.npy"))
        assert len(results) == process_grids
        for path in results:
            assert np.array_equal(np.load(path), reference), path
