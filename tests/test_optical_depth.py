"""Optical depths with the opacities iterated to consistency, and the
neutrinospheres of a proto-neutron-star profile (seeds 000, 001): the
energy sphere inside the transport sphere of every species, and
R(nu_e) > R(anti-nu_e) > R(nu_x). In-process on one rank; the methods
themselves are tested on 1 to 8 ranks in test_rays.py, test_local_tau.py
and tests/mpi/."""

import math

import numpy as np
import pytest

from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.grid import FACES, Grid
from parleak.microphysics.leakage import EOS_QUANTITIES, SPECIES, DenseCells, opacities
from parleak.neutrino.optical_depth import OpticalDepth
from parleak.parallel import WORLD

KM = 1e5


def pns_octant(cells=24, size=60 * KM):
    """An octant (reflecting lower faces) of a hot proto-neutron star:
    rho = 3e14 e^(-r / 3.5 km) + 1e8 g/cm^3, T = 4 + 26 e^(-(r / 20 km)^2)
    MeV, Ye = 0.1 + 0.3 min(r / 50 km, 1); returns (grid, rho, temp, ye)
    of the owned cells."""
    boundaries = {face: ("reflecting" if face.endswith("lower") else "outflow") for face in FACES}
    grid = Grid([cells] * 3, [0.0] * 3, [size] * 3, 1, boundaries, None, WORLD)
    z, y, x = np.meshgrid(*[(np.arange(*grid.owned[a]) + 0.5) * grid.dx[a] for a in (2, 1, 0)], indexing="ij")
    r = np.sqrt(x * x + y * y + z * z)
    rho = 3e14 * np.exp(-r / (3.5 * KM)) + 1e8
    temp = 4.0 + 26.0 * np.exp(-((r / (20 * KM)) ** 2))
    ye = 0.1 + 0.3 * np.minimum(r / (50 * KM), 1.0)
    return grid, rho, temp, ye


@pytest.fixture(scope="module")
def eos():
    return TabulatedEOS(builtin_table_path())


@pytest.mark.parametrize("method", ["rays", "local"])
def test_neutrinospheres_of_a_proto_neutron_star(eos, method):
    grid, rho, temp, ye = pns_octant()
    depth = OpticalDepth(grid, method, tolerance=1e-10)
    quantities = eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
    tau = depth.converged(rho, temp, ye, quantities)
    assert 2 <= depth.iterations < 50
    assert np.all(tau >= 0.0) and tau[:, :, 0, 0, 0].min() > 100.0
    # converged: one more (kappa, tau) round changes nothing beyond the tolerance
    again = depth.converged(rho, temp, ye, quantities, tau_start=tau)
    assert depth.iterations == 1 and np.all(np.abs(again - tau) <= 1e-9 * tau)
    thermal = depth.thermal(rho, temp, ye, quantities, tau)
    spheres = depth.spheres(tau, thermal)
    for species in SPECIES:
        transport, energy = spheres[species]
        assert 5 * KM < energy < transport < 55 * KM, (species, spheres)
    radii = [spheres[s][0] for s in SPECIES]
    assert radii[0] > radii[1] > radii[2], spheres


@pytest.mark.parametrize("method", ["rays", "local"])
def test_opacities_only_where_opaque_bitwise_the_plain_iteration(eos, method):
    """converged evaluates the opacities only at the cells with rho >=
    density_threshold (others transparent), takes the EOS quantities of all
    cells or of a DenseCells selection, and iterates nu_x (whose opacities
    do not depend on tau) once: bitwise the (kappa, tau) iteration of every
    field on every cell with kappa zeroed below the threshold."""
    grid, rho, temp, ye = pns_octant(cells=12)
    depth = OpticalDepth(grid, method, tolerance=1e-10)
    assert 0 < np.count_nonzero(rho < depth.density_threshold) < rho.size
    quantities = eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
    mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = quantities
    tau = np.zeros((3, 2) + rho.shape)
    for iteration in range(1, 100):
        kappa = opacities(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar).kappa_total
        kappa[..., rho < depth.density_threshold] = 0.0
        warm = tau.reshape((6,) + rho.shape) if method == "local" and iteration > 1 else None
        new = depth.depths(kappa.reshape((6,) + rho.shape), warm).reshape(tau.shape)
        change = np.max(np.abs(new - tau) / np.maximum(np.abs(new), 1e-300))
        tau = new
        if change < 1e-10:
            break
    np.testing.assert_array_equal(depth.converged(rho, temp, ye, quantities), tau)
    assert depth.iterations == iteration >= 3
    cells = DenseCells.of(rho, 2e8)
    selected = eos.lookup(*(cells.take(a) for a in (rho, temp, ye)), *EOS_QUANTITIES)
    np.testing.assert_array_equal(depth.converged(rho, temp, ye, selected, cells=cells), tau)


def test_sphere_radius_of_a_ball_by_volume():
    """A ball of radius R with tau = 1 inside, 0 outside, in an octant: the
    radius from the cell count times the cell volume, times 8."""
    grid, rho, temp, ye = pns_octant(cells=32, size=32.0)
    z, y, x = np.meshgrid(*[np.arange(*grid.owned[a]) + 0.5 for a in (2, 1, 0)], indexing="ij")
    inside = (x * x + y * y + z * z) < 20.0**2
    depth = OpticalDepth(grid, "rays", symmetry_factor=8)
    expected = (3.0 * 8.0 * inside.sum() / (4.0 * math.pi)) ** (1.0 / 3.0)
    assert depth.sphere_radius(np.where(inside, 1.0, 0.0)) == pytest.approx(expected, rel=1e-14)
    assert abs(expected / 20.0 - 1.0) < 0.01


def test_unknown_method():
    grid = pns_octant(cells=4, size=4.0)[0]
    with pytest.raises(ValueError, match="method = 'ray'; valid: rays, local"):
        OpticalDepth(grid, "ray")


def test_the_dumps_hold_the_optical_depths(tmp_path):
    """A 3-D shock tube on the built-in EOS with optical_depth.method =
    rays: every dump holds tau_<species>_<number|energy> and
    tau_thermal_<species>, equal to a direct evaluation on the dumped
    state."""
    from parleak.io.dump import existing_dumps
    from parleak.io.reader import read_dump
    from parleak.run_config import load_config
    from parleak.simulation import Simulation
    from helpers import REPO

    overrides = [("grid.cells", [16, 4, 4]), ("grid.lower", [0.0, 0.0, 0.0]), ("grid.upper", [2e7, 5e6, 5e6]),
                 ("optical_depth.method", "rays"), ("time.t_end", 2e-4), ("output.interval", 1e-4)]
    overrides += [(f"grid.boundary.{a}_{s}", "outflow") for a in "yz" for s in ("lower", "upper")]
    config = load_config(REPO / "drivers" / "shocktube_nuclear.toml", overrides, 1)
    sim = Simulation(config, WORLD)
    sim.initialize()
    sim.run(str(tmp_path))
    dumps = [read_dump(path) for path in existing_dumps(tmp_path)]
    assert len(dumps) == 3
    last = dumps[-1]
    names = [f"tau_{s}_{m}" for s in SPECIES for m in ("number", "energy")] + [f"tau_thermal_{s}" for s in SPECIES]
    for name in names:
        assert name in last.fields and np.all(np.isfinite(last.fields[name]))
    eos = sim.physics_set.eos
    rho, temp, ye = (np.ascontiguousarray(last.fields[n]) for n in ("dens", "temp", "ye"))
    depth = OpticalDepth(sim.grid, "rays")
    tau = depth.converged(rho, temp, ye, eos.lookup(rho, temp, ye, *EOS_QUANTITIES))
    assert np.array_equal(tau[0, 1], last.fields["tau_nu_e_energy"])
    assert tau[0, 0].max() > 1.0  # 1e13 g/cm^3 at 8 MeV over 100 km is opaque


def test_optical_depths_need_a_nuclear_eos():
    from parleak.config import ConfigError
    from parleak.run_config import load_config
    from helpers import REPO

    with pytest.raises(ConfigError, match=r"optical_depth.method = 'local' \(in .*sod.toml and --set\) needs a nuclear EOS"):
        load_config(REPO / "drivers" / "sod.toml", [("optical_depth.method", "local")], 1)  # before any grid
