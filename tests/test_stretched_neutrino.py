"""The neutrino layer on stretched grids: `rays` against exact line sums of
kappa times each cell's width, bitwise the same on 1, 2 and 4 ranks, the
octant equal to the full domain; `local` against hand values and rank
independence; the trapped-neutrino pressure gradient over the true centre
distances; neutrinosphere radii and luminosity budgets with cell volumes."""

import math

import numpy as np
import pytest

from helpers import mpirun
from parleak.constants import AVOGADRO_NUMBER
from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.grid import FACES, Grid
from parleak.hydro.solver import Hydro
from parleak.integrator import SSPRungeKutta
from parleak.microphysics.leakage import LeakageParams
from parleak.microphysics.trapped import threshold_factor
from parleak.neutrino import coupling
from parleak.neutrino.coupling import LeakageSources
from parleak.neutrino.local_tau import LocalOpticalDepth
from parleak.neutrino.optical_depth import OpticalDepth, equivalent_radius
from parleak.neutrino.rays import RayOpticalDepth
from parleak.parallel import WORLD
from parleak.physics import StageData
from parleak.spacing import stretched_faces
from parleak.state import State

OUTFLOW = {face: "outflow" for face in FACES}
ULP = 2.0**-52
PROCESS_GRIDS = {1: ["1x1x1"], 2: ["2x1x1", "1x1x2"], 4: ["2x2x1", "1x2x2", "4x1x1"]}
# 1-D hand case: widths 0.25, 0.5, 0.25, 1, 0.5, 1.5 cm, centres 0.125, 0.5, 0.875, 1.5, 2.25, 3.25 cm
LINE_FACES = [0.0, 0.25, 0.75, 1.0, 2.0, 2.5, 4.0]
LINE_KAPPA = np.array([4.0, 2.0, 1.0, 1.0, 2.0, 4.0]).reshape(1, 1, 1, -1)


def line_grid(**kinds):
    return Grid([6], [0.0], [4.0], 1, dict(OUTFLOW, **kinds), None, WORLD, faces=[LINE_FACES])


@pytest.fixture(scope="module")
def decompositions(tmp_path_factory):
    """{process grid: the arrays of tests/scripts/stretched_optical_depths.py}."""
    outdir = tmp_path_factory.mktemp("stretched_depths")
    for n, grids in PROCESS_GRIDS.items():
        mpirun(n, ["python", "tests/scripts/stretched_optical_depths.py", str(outdir)] + grids)
    return {label: dict(np.load(outdir / f"stretched_{label}.npz")) for label in sum(PROCESS_GRIDS.values(), [])}


def exact_directions(kappa, faces):
    """(6, n, NZ, NY, NX): kappa_i w_i / 2 + the exact sum (math.fsum) of
    kappa_j w_j beyond cell i along +x, -x, +y, -y, +z, -z, outflow faces."""
    taus = np.empty((6,) + kappa.shape)
    for a in range(3):
        axis = 3 - a
        shape = [1, 1, 1, 1]
        shape[axis] = -1
        terms = np.moveaxis(kappa * np.diff(faces[a]).reshape(shape), axis, -1)
        plus, minus = (np.moveaxis(taus[2 * a + s], axis, -1) for s in (0, 1))
        for line in np.ndindex(terms.shape[:-1]):
            t = list(terms[line])
            for i in range(len(t)):
                plus[line + (i,)] = math.fsum(t[i + 1:] + [0.5 * t[i]])
                minus[line + (i,)] = math.fsum(t[:i] + [0.5 * t[i]])
    return taus


@pytest.mark.mpi
def test_rays_sphere_equals_exact_line_sums(decompositions):
    """kappa = 3 and 0.5 /cm inside r < 0.7 cm on 24^3 stretched cells
    (widths differ 2.3 times): every directional tau is the exact sum of
    kappa times each cell's own width to 2 ulp, tau their minimum."""
    result = decompositions["1x1x1"]
    faces = [result[f"faces_{a}"] for a in "xyz"]
    widths = np.diff(faces[0])
    assert widths.max() / widths.min() > 2.0
    expected = exact_directions(result["sphere_kappa"], faces)
    taus, tau = result["sphere"][:6], result["sphere"][6]
    assert np.all(np.abs(taus - expected) <= 2 * ULP * expected)
    assert np.array_equal(tau, taus.min(axis=0)) and tau.max() > 1.5


@pytest.mark.mpi
def test_stretched_depths_bitwise_on_1_2_4_ranks(decompositions):
    """`rays` (sphere, mirror-symmetric, octant) and `local` on 1, 2 and 4
    ranks split along every axis: bitwise those of one rank."""
    serial = decompositions["1x1x1"]
    assert np.all(np.isfinite(serial["local"])) and np.all(serial["local"] > 0.0)
    for label, result in decompositions.items():
        for name in ("sphere", "full", "octant", "local"):
            assert np.array_equal(result[name], serial[name]), f"{label} {name}"


@pytest.mark.mpi
def test_octant_equals_full_domain(decompositions):
    """A mirror-symmetric random kappa: the octant with reflecting lower
    faces on the upper halves of the stretched faces gives the tau of the
    full domain on its cells (to 2 ulp; here bitwise)."""
    for result in decompositions.values():
        full = result["full"][:, 12:, 12:, 12:]
        assert np.all(np.abs(result["octant"] - full) <= 2 * ULP * full)


@pytest.mark.parametrize("kinds, expected_tau", [
    # products kappa w = 1, 1, 0.25, 1, 1, 6: +x = kw_i / 2 + sum beyond, -x likewise
    ({}, [0.5, 1.5, 2.125, 2.75, 3.75, 3.0]),
    ({"x_lower": "reflecting"}, [9.75, 8.75, 8.125, 7.5, 6.5, 3.0]),
])
def test_rays_hand_values(kinds, expected_tau):
    tau, taus = RayOpticalDepth(line_grid(**kinds))(LINE_KAPPA, directions=True)
    assert np.array_equal(taus[0, 0, 0, 0], [9.75, 8.75, 8.125, 7.5, 6.5, 3.0])
    reflected = 10.25 if kinds else 0.0  # the whole line, sum kappa w
    assert np.array_equal(taus[1, 0, 0, 0], reflected + np.array([0.5, 1.5, 2.125, 2.75, 3.75, 7.25]))
    assert np.array_equal(tau[0, 0, 0], expected_tau)


@pytest.mark.parametrize("kinds, expected", [
    # from x_lower: 0.5 = 4 x 0.125, then + (kappa_i + kappa_n) x half the centre distance
    # (0.1875, 0.1875, 0.3125, 0.375, 0.5 cm); from x_upper: 3 = 4 x 0.75, ...
    ({}, [0.5, 1.625, 2.1875, 2.8125, 3.9375, 3.0]),
    ({"x_lower": "reflecting"}, [9.4375, 8.3125, 7.75, 7.125, 6.0, 3.0]),
])
def test_local_hand_values(kinds, expected):
    tau, _ = LocalOpticalDepth(line_grid(**kinds), 1)(LINE_KAPPA)
    assert np.array_equal(tau[0, 0, 0], expected)


def test_local_halo_grid_keeps_the_faces():
    """A ghost-2 stretched grid: `local` builds its one-ghost grid with the
    same faces (the values equal those on a ghost-1 grid)."""
    faces = stretched_faces(0.0, 1.0, 30, 0.02, 0.2, 0.0)[0]
    kappa = 10.0 ** np.random.default_rng(4).uniform(-1.0, 1.0, (1, 1, 1, 30))
    taus = [LocalOpticalDepth(Grid([30], [0.0], [1.0], g, OUTFLOW, None, WORLD, faces=[faces]), 1)(kappa)[0]
            for g in (1, 2)]
    assert np.array_equal(taus[0], taus[1])


@pytest.fixture(scope="module")
def eos():
    return TabulatedEOS(builtin_table_path())


def test_trapped_pressure_gradient_exact_for_linear_pressure(eos, monkeypatch):
    """P_nu = 1e30 T (T linear in x, so P_nu linear) on 16 stretched cells
    (widths 5e3 to 2.1e4 cm): -f(rho) dP/dx on the momentum is exactly
    the slope (to round-off) at every cell with both neighbours inside."""
    faces = stretched_faces(0.0, 1.6e5, 16, 5e3, 2e4, 0.0)[0]
    grid = Grid([16], [0.0], [1.6e5], 2, {"x_lower": "outflow", "x_upper": "outflow"}, None, WORLD, faces=[faces])
    assert np.ptp(np.diff(faces)) > 5e3
    monkeypatch.setattr(coupling, "neutrino_pressure", lambda temp, eta, method: 1e30 * temp)
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    depth = OpticalDepth(grid, "rays")
    plain = LeakageSources(grid, eos, depth, LeakageParams())
    trapped = LeakageSources(grid, eos, depth, LeakageParams(), trapped_density=1e12)
    state = State(grid, hydro.fields)
    x = grid.centres(0)
    rho, temp, slope = 5e12 * np.exp(-x / 8e4), 5.0 + 6e-5 * x, 1e30 * 6e-5  # MeV, erg cm^-4
    (eps,) = eos.lookup(rho, temp, 0.3, "eps")
    for name, values in (("dens", rho), ("etot", rho * eps), ("dens_ye", 0.3 * rho), ("temp", temp)):
        state[name][...] = values
    state.exchange()
    rhs = {}
    for leakage in (plain, trapped):
        rhs[leakage] = np.zeros_like(state.evolved)
        stage = StageData()
        hydro.add_rhs(state, rhs[leakage], 0.0, stage)
        leakage.add_rhs(state, rhs[leakage], 0.0, stage)
    source = (rhs[trapped] - rhs[plain])[state.index["mom_x"]][grid.interior][0, 0]
    expected = -threshold_factor(state.interior("dens")[0, 0], 1e12) * slope
    assert np.allclose(source[1:-1], expected[1:-1], rtol=1e-12, atol=0.0)
    assert not np.allclose(source[:1], expected[:1], rtol=1e-3)  # the outflow ghosts copy the edge


def test_sphere_radius_sums_cell_volumes():
    """tau >= 2/3 inside r < 0.6 cm on a stretched octant (reflecting lower
    faces): the radius of 8 x the exact sum of those cells' volumes."""
    faces = stretched_faces(0.0, 1.0, 20, 0.03, 0.3, 0.0)[0]
    boundaries = dict(OUTFLOW, x_lower="reflecting", y_lower="reflecting", z_lower="reflecting")
    grid = Grid([20] * 3, [0.0] * 3, [1.0] * 3, 1, boundaries, None, WORLD, faces=[faces] * 3)
    x, y, z = (0.5 * (faces[:-1] + faces[1:]),) * 3
    inside = x[None, None, :] ** 2 + y[None, :, None] ** 2 + z[:, None, None] ** 2 < 0.36
    volumes = np.diff(faces)[:, None, None] * np.diff(faces)[None, :, None] * np.diff(faces)[None, None, :]
    radius = OpticalDepth(grid, "rays", symmetry_factor=8).sphere_radius(np.where(inside, 1.0, 0.0))
    assert radius == equivalent_radius(8.0 * math.fsum(volumes[inside]), 3)
    assert abs(radius - 0.6) < 0.5 * np.diff(faces).max()
    assert abs(equivalent_radius(8.0 * np.count_nonzero(inside) * (1.0 / 20) ** 3, 3) - radius) > 0.01


def test_luminosity_integral_weighs_cell_volumes(eos):
    """Hot matter at rest on 12 stretched cells (widths 3.5e3 to 7.6e3 cm)
    from a reflecting face to an outflow face; tau and the rates vary per
    cell. One forward-Euler step (the uniform state has no flux
    divergence): the energy and lepton losses are the exact sums of the
    cells' sources times their volumes, and the radiated energy and
    leptons the decrease of sum(etot V) and N_A sum(dens_ye V)."""
    faces = stretched_faces(0.0, 6e4, 12, 3.5e3, 1e4, 0.0)[0]
    grid = Grid([12], [0.0], [6e4], 2, {"x_lower": "reflecting", "x_upper": "outflow"}, None, WORLD, faces=[faces])
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    leakage = LeakageSources(grid, eos, OpticalDepth(grid, "rays"), LeakageParams())
    state = State(grid, hydro.fields + leakage.fields)
    rho, temp, ye = 1e13, 8.0, 0.3
    (eps,) = eos.lookup(rho, temp, ye, "eps")
    for name, value in (("dens", rho), ("etot", rho * eps), ("dens_ye", ye * rho), ("temp", temp)):
        state[name][...] = value
    state.exchange()
    volumes = grid.volumes()
    names = ("etot", "dens_ye")
    before = [math.fsum((state.interior(name) * volumes).ravel()) for name in names]
    integrator = SSPRungeKutta("ssprk1", state, [hydro, leakage])
    integrator.step(0.0, integrator.stable_dt(0.4))
    rate, lepton = leakage.result.energy_loss_rate, leakage.lepton_source
    assert np.ptp(rate) > 0.1 * rate.max()
    assert leakage.energy_loss == math.fsum((rate * volumes).ravel())
    assert leakage.lepton_loss == -AVOGADRO_NUMBER * math.fsum((lepton * volumes).ravel())
    removed = [b - math.fsum((state.interior(name) * volumes).ravel()) for b, name in zip(before, names)]
    assert removed[0] > 1e-3 * before[0]
    assert abs(leakage.radiated_energy / removed[0] - 1.0) < 1e-12
    assert abs(leakage.radiated_leptons / (AVOGADRO_NUMBER * removed[1]) - 1.0) < 1e-12


@pytest.mark.mpi
def test_shared_evaluation_carries_the_volumes(tmp_path):
    """Sources in 10 of 24 stretched cells (all on the first rank): on 2 and
    4 ranks the work sharing moves them with their volumes, and the energy
    and lepton losses are bitwise those of one rank, the exact sums of the
    sources times the cell widths."""
    for n in (1, 2, 4):
        mpirun(n, ["python", "tests/scripts/stretched_luminosity.py", str(tmp_path)])
    results = [np.load(tmp_path / f"luminosity_{n}.npz") for n in (1, 2, 4)]
    serial = results[0]
    assert np.count_nonzero(serial["rate"]) == 10 and np.ptp(serial["widths"]) > 5e3
    assert float(serial["energy_loss"]) == math.fsum(serial["rate"] * serial["widths"])
    assert float(serial["lepton_loss"]) == -AVOGADRO_NUMBER * math.fsum(serial["lepton"] * serial["widths"])
    for result in results[1:]:
        for name in ("energy_loss", "lepton_loss", "luminosity", "rate"):
            assert np.array_equal(result[name], serial[name]), name
