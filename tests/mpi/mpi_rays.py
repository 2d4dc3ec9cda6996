"""The `rays` optical depth on every process grid of this job's ranks:
against a serial numpy reference built on every rank from the global
arrays (uniform sphere, random opacities with reflecting faces, 1-D to
3-D), against the analytic chord of the sphere, and the symmetry of
octant and half-domain runs with the full domain."""

import numpy as np
import pytest
from mpi4py import MPI
from mpitools import check_all, factorisations

from parleak.grid import AXES, Grid
from parleak.neutrino.rays import RayOpticalDepth

N_RANKS = MPI.COMM_WORLD.Get_size()
ROUND_OFF = 1e-13


def owned_block(grid, global_array):
    """The owned cells of a global (..., NZ, NY, NX) array."""
    (x0, x1), (y0, y1), (z0, z1) = grid.owned
    return global_array[..., z0:z1, y0:y1, x0:x1]


def gathered(grid, local):
    """The global (n, NZ, NY, NX) array of every rank's owned blocks, on every rank."""
    whole = np.empty(local.shape[:1] + tuple(reversed(grid.cells)))
    for owned, block in grid.comm.allgather((grid.owned, local)):
        (x0, x1), (y0, y1), (z0, z1) = owned
        whole[:, z0:z1, y0:y1, x0:x1] = block
    return whole


def reference_directions(kappa, dx, dim, reflecting):
    """Serial reference: (6, n, NZ, NY, NX) optical depths along +x, -x, +y,
    -y, +z, -z of a global kappa (n, NZ, NY, NX) [cm^-1], from cumulative
    sums; reflecting[a] = (lower, upper) reflecting."""
    taus = np.full((6,) + kappa.shape, np.inf)
    for a in range(dim):
        if all(reflecting[a]):
            continue
        axis = 3 - a
        below = np.zeros_like(kappa)
        np.cumsum(kappa, axis=axis, out=below)
        below = np.roll(below, 1, axis=axis)
        np.moveaxis(below, axis, 0)[0] = 0.0
        above = np.flip(np.roll(np.cumsum(np.flip(kappa, axis), axis=axis), 1, axis=axis), axis).copy()
        np.moveaxis(above, axis, 0)[-1] = 0.0
        whole = kappa.sum(axis=axis, keepdims=True)
        lower = whole + below if reflecting[a][0] else below
        upper = whole + above if reflecting[a][1] else above
        taus[2 * a] = dx[a] * (upper + 0.5 * kappa)
        taus[2 * a + 1] = dx[a] * (lower + 0.5 * kappa)
    return taus


def global_centres(grid):
    """Broadcastable (z, y, x) cell centres of the whole grid [cm]."""
    x, y, z = (grid.global_centres(a) for a in range(3))
    return z[:, None, None], y[None, :, None], x[None, None, :]


def assert_round_off(actual, expected, what):
    """Check on every rank: actual equals expected to ROUND_OFF relative
    (exactly where expected is 0 or infinite)."""
    finite = np.isfinite(expected)
    same_infinite = np.array_equal(np.isfinite(actual), finite)
    error = np.abs(actual[finite] - expected[finite])
    ok = same_infinite and bool(np.all(error <= ROUND_OFF * expected[finite]))
    worst = np.max(error / np.maximum(expected[finite], 1e-300), initial=0.0)
    check_all(ok, f"{what}: differs from the reference (worst relative {worst}, infinities agree: {same_infinite})")


def chord_in_sphere(points, direction, radius):
    """Length [cm] of the ray from `points` (z, y, x arrays) along the unit
    `direction` (x, y, z) that lies inside the sphere of `radius` about the origin."""
    z, y, x = points
    b = x * direction[0] + y * direction[1] + z * direction[2]
    c = x * x + y * y + z * z - radius * radius
    root = np.sqrt(np.maximum(b * b - c, 0.0))
    far, near = -b + root, np.maximum(-b - root, 0.0)
    return np.where(b * b > c, np.maximum(far - near, 0.0), 0.0)


@pytest.mark.parametrize("procs", factorisations(N_RANKS, 3), ids=lambda p: "x".join(map(str, p)))
def test_uniform_sphere(procs):
    """kappa = 3 /cm (and 0.5 /cm) inside r < 0.7 cm, 0 outside, 16^3 cells
    on [-1, 1]^3 cm: the cumulative sums of the reference to round-off, and
    within kappa dx of kappa times the analytic chord along the best axis."""
    grid = Grid([16] * 3, [-1.0] * 3, [1.0] * 3, 1, {f"{a}_{s}": "outflow" for a in AXES for s in ("lower", "upper")},
                procs)
    radius, opacities = 0.7, np.array([3.0, 0.5])
    z, y, x = global_centres(grid)
    inside = (x * x + y * y + z * z < radius * radius).astype(float)
    kappa = opacities[:, None, None, None] * inside[None]
    tau, taus = RayOpticalDepth(grid)(owned_block(grid, kappa), directions=True)

    reference = reference_directions(kappa, grid.dx, 3, [(False, False)] * 3)
    assert_round_off(taus, owned_block(grid, reference), "directional taus")
    assert_round_off(tau, owned_block(grid, reference.min(axis=0)), "tau")

    units = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]
    chord = np.min([chord_in_sphere(np.broadcast_arrays(z, y, x), u, radius) for u in units], axis=0)
    analytic = owned_block(grid, opacities[:, None, None, None] * chord[None])
    error = np.abs(tau - analytic)
    bound = opacities[:, None, None, None] * grid.dx[0]
    check_all(np.all(error <= bound), f"analytic chord: worst error {np.max(error / bound)} kappa dx")
    check_all(grid.max(analytic) > 1.0, "the sphere test has no optically thick cells")


BOUNDARIES = {
    "outflow": {"x": ("outflow", "outflow"), "y": ("outflow", "outflow"), "z": ("outflow", "outflow")},
    "reflect_lower": {"x": ("reflecting", "outflow"), "y": ("reflecting", "outflow"), "z": ("outflow", "reflecting")},
    "reflect_both_x": {"x": ("reflecting", "reflecting"), "y": ("outflow", "reflecting"), "z": ("reflecting", "outflow")},
}
CELLS = {1: [11], 2: [9, 7], 3: [9, 7, 6]}


def random_cases():
    for dim in (1, 2, 3):
        for procs in factorisations(N_RANKS, dim):
            if any(n < p for n, p in zip(CELLS[dim], procs)):
                continue
            for name in BOUNDARIES:
                if dim == 1 and name == "reflect_both_x":
                    continue  # no line of sight left
                yield pytest.param(dim, procs, name, id=f"{dim}d-p{'x'.join(map(str, procs))}-{name}")


@pytest.mark.parametrize("dim, procs, name", list(random_cases()))
def test_random_opacities_against_reference(dim, procs, name):
    """Random kappa in [0, 1e3) /cm spanning 6 decades, 3 fields, unequal
    dx per axis: every directional tau equals the reference to round-off."""
    kinds = BOUNDARIES[name]
    boundaries = {f"{a}_{s}": kinds[a][i] for a in AXES for i, s in enumerate(("lower", "upper"))}
    grid = Grid(CELLS[dim], [0.0] * dim, [1.0, 2.5, 0.7][:dim], 1, boundaries, procs)
    shape = (3,) + tuple(reversed(grid.cells))
    kappa = 10.0 ** np.random.default_rng(7).uniform(-3.0, 3.0, shape)
    tau, taus = RayOpticalDepth(grid)(owned_block(grid, kappa), directions=True)
    reflecting = [tuple(kinds[a][i] == "reflecting" for i in (0, 1)) for a in AXES]
    reference = reference_directions(kappa, grid.dx, dim, reflecting)
    assert_round_off(taus, owned_block(grid, reference), "directional taus")
    assert_round_off(tau, owned_block(grid, reference.min(axis=0)), "tau")
    check_all(np.array_equal(tau, RayOpticalDepth(grid)(owned_block(grid, kappa))),
              "tau without directions differs from the minimum of the directions")


def mirrored(octant, dim):
    """The full-domain array (n, ...) of an array on the upper half of
    each of the first `dim` axes (x, y, z) by mirroring it."""
    full = octant
    for a in range(dim):
        axis = 3 - a
        full = np.concatenate([np.flip(full, axis), full], axis=axis)
    return full


@pytest.mark.parametrize("dim, cells", [(3, [6, 5, 4]), (2, [8, 6])])
def test_symmetric_part_equals_full_domain(dim, cells):
    """A mirror-symmetric kappa: the run on x, y, z >= 0 with reflecting
    lower faces (3-D: an octant; 2-D: x >= 0 only, a half domain) gives the
    tau of the full-domain run with outflow faces on the cells it covers."""
    mirror_axes = dim if dim == 3 else 1  # which axes are halved: 3-D all, 2-D only x
    half_cells = [n if a < mirror_axes else 2 * n for a, n in enumerate(cells)]
    rng = np.random.default_rng(11)
    part = 10.0 ** rng.uniform(-2.0, 2.0, (2,) + tuple(reversed(half_cells + [1] * (3 - dim))))
    full_kappa = mirrored(part, mirror_axes)
    full_cells = [2 * n if a < mirror_axes else n for a, n in enumerate(half_cells)]
    size = 3.0
    outflow = {f"{a}_{s}": "outflow" for a in AXES for s in ("lower", "upper")}
    full_grid = Grid(full_cells, [-size] * dim, [size] * dim, 1, outflow)
    full_tau = gathered(full_grid, RayOpticalDepth(full_grid)(owned_block(full_grid, full_kappa)))

    reflecting = dict(outflow, **{f"{AXES[a]}_lower": "reflecting" for a in range(mirror_axes)})
    lower = [0.0 if a < mirror_axes else -size for a in range(dim)]
    part_grid = Grid(half_cells, lower, [size] * dim, 1, reflecting)
    part_tau = RayOpticalDepth(part_grid)(owned_block(part_grid, part))

    offset = [n if a < mirror_axes else 0 for a, n in enumerate(half_cells)] + [0] * (3 - dim)
    (x0, x1), (y0, y1), (z0, z1) = part_grid.owned
    expected = full_tau[:, z0 + offset[2]:z1 + offset[2], y0 + offset[1]:y1 + offset[1], x0 + offset[0]:x1 + offset[0]]
    assert_round_off(part_tau, expected, "symmetric part")
