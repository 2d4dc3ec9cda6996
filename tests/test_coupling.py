"""Leakage coupled into the Runge-Kutta stages (parleak.neutrino.coupling):
a frozen uniform box (velocity zero, no flux divergence) evolves Ye and eps
exactly as the ODE of the point-wise rates integrated with the same SSP-RK
method; stage weights; luminosity budget; tau cadence; source dt limit."""

import math

import numpy as np
import pytest

from parleak.config import ConfigError, validate
from parleak.constants import AVOGADRO_NUMBER, MEV
from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.grid import FACES, Grid
from parleak.hydro.solver import Hydro
from parleak.integrator import SSP_METHODS, SSPRungeKutta, stage_weights
from parleak.microphysics.leakage import EOS_QUANTITIES, LeakageParams, leakage_sources
from parleak.microphysics.trapped import neutrino_pressure, threshold_factor
from parleak.neutrino.coupling import LeakageSources, make_leakage_sources
from parleak.neutrino.optical_depth import OpticalDepth
from parleak.neutrino.settings import SCHEMA
from parleak.parallel import WORLD
from parleak.physics import Physics, StageData
from parleak.state import FieldSpec, State

RHO, TEMP, YE = 1e13, 8.0, 0.3  # hot, neutron-rich, out of beta equilibrium: deleptonises
# A 2-D box one cell wide between outflow faces along x (tau = kappa WIDTH / 2
# in every cell: about 3.6, 1.5 and 0.8 for the energy moment of nu_e,
# anti-nu_e, nu_x) and CELLS cells along y between reflecting faces: uniform,
# so the flux divergence is exactly zero and the hydro stays frozen.
CELLS, WIDTH, HEIGHT = 8, 8e3, 4e4  # cm
BOUNDARIES = {"x_lower": "outflow", "x_upper": "outflow", "y_lower": "reflecting", "y_upper": "reflecting"}
CFL = 0.4


@pytest.fixture(scope="module")
def eos():
    return TabulatedEOS(builtin_table_path())


def frozen_box(eos, method, tau_every, dt_factor=0.25, tau_iterations=1):
    """The uniform box of hot matter at rest with the Hydro and the leakage
    sources; returns (state, hydro, leakage, integrator)."""
    grid = box_grid()
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    leakage = LeakageSources(grid, eos, OpticalDepth(grid, "rays"), LeakageParams(), tau_every, dt_factor,
                             tau_iterations=tau_iterations)
    state = State(grid, hydro.fields + leakage.fields)
    (eps,) = eos.lookup(RHO, TEMP, YE, "eps")
    state["dens"][...] = RHO
    state["etot"][...] = RHO * eps
    state["dens_ye"][...] = RHO * YE
    state["temp"][...] = TEMP
    state.exchange()
    return state, hydro, leakage, SSPRungeKutta(method, state, [hydro, leakage])


def box_grid():
    return Grid([1, CELLS], [0.0, 0.0], [WIDTH, HEIGHT], 2, BOUNDARIES, None, WORLD)


def run(box, steps):
    """`steps` steps as Simulation.run takes them; returns the dts."""
    state, _, _, integrator = box
    dts = []
    for _ in range(steps):
        dts.append(integrator.stable_dt(CFL))
        integrator.step(sum(dts[:-1]), dts[-1])
    return dts


def owned(state, name):
    return state.interior(name).copy()


def ode(eos, method, dts, tau_every, tau_iterations):
    """rho Ye and rho eps of the box integrated as the point-wise ODE
    d(rho Ye)/dt = rho dYe/dt, d(rho eps)/dt = -Q with the SSP-RK
    coefficients, T from the table's inversion, tau by its own OpticalDepth
    (every stage when tau_every = 0, else only at step 0: tau_every is then
    larger than the number of steps; converged from 0 the first time, then
    tau_iterations iterations from the previous tau, 0: converged)."""
    depth = OpticalDepth(box_grid(), "rays")
    shape = (1, CELLS, 1)
    rho = np.full(shape, RHO)
    (eps0,) = eos.lookup(RHO, TEMP, YE, "eps")
    dens_ye, etot, temp = np.full(shape, RHO * YE), np.full(shape, RHO * eps0), np.full(shape, TEMP)
    tau = None
    for dt in dts:
        start = (dens_ye.copy(), etot.copy())
        for a, b, _ in SSP_METHODS[method]:
            ye = dens_ye / rho
            temp = eos.temp_from_rho_eps(rho, etot / rho, ye, temp_guess=temp)
            quantities = eos.lookup(rho, temp, ye, *EOS_QUANTITIES)
            if tau is None or tau_every == 0:
                iterations = tau_iterations if tau is not None and tau_iterations > 0 else None
                tau = depth.converged(rho, temp, ye, quantities, tau_start=tau, iterations=iterations)
            mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = quantities
            sources = leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar)
            dens_ye = a * start[0] + b * (dens_ye + dt * rho * sources.dye_dt)
            etot = a * start[1] + b * (etot - dt * sources.energy_loss_rate)
    return dens_ye, etot


@pytest.mark.parametrize("method", list(SSP_METHODS))
@pytest.mark.parametrize("tau_every, tau_iterations", [(0, 1), (0, 0), (1000, 1)])
def test_frozen_box_follows_the_point_wise_ode(eos, method, tau_every, tau_iterations):
    box = frozen_box(eos, method, tau_every, tau_iterations=tau_iterations)
    state = box[0]
    dts = run(box, 12)
    dens_ye, etot = ode(eos, method, dts, tau_every, tau_iterations)
    assert np.all(state.interior("dens") == RHO) and np.all(state.interior("mom_x") == 0.0)
    for name, expected in (("dens_ye", dens_ye), ("etot", etot)):
        assert np.max(np.abs(owned(state, name) / expected - 1.0)) < 1e-13, name
    # a real evolution, not a trivial one: Ye and eps change by percents
    (eps0,) = eos.lookup(RHO, TEMP, YE, "eps")
    assert np.max(dens_ye) < 0.97 * RHO * YE and np.max(etot) < 0.99 * RHO * eps0


def test_signs_hot_neutron_rich_matter_deleptonises_and_cools(eos):
    box = frozen_box(eos, "ssprk2", 1)
    state, _, leakage, _ = box
    ye_before, etot_before = owned(state, "dens_ye"), owned(state, "etot")
    for _ in range(3):
        run(box, 1)
        ye_after, etot_after = owned(state, "dens_ye"), owned(state, "etot")
        assert np.all(ye_after < ye_before) and np.all(etot_after < etot_before)
        ye_before, etot_before = ye_after, etot_after
        assert np.all(leakage.luminosity > 0.0) and np.all(leakage.number_luminosity > 0.0)
        assert leakage.lepton_loss > 0.0 and leakage.energy_loss > 0.0
    assert np.all(leakage.result.dye_dt < 0.0) and np.all(leakage.result.energy_loss_rate > 0.0)
    # mean energies in MeV, the ratio of the stage-weighted luminosities
    assert np.allclose(leakage.mean_energy * MEV * leakage.number_luminosity, leakage.luminosity,
                       rtol=1e-15, atol=0.0)
    assert np.all((leakage.mean_energy > 1.0) & (leakage.mean_energy < 100.0))


def test_source_time_step_limit(eos):
    limits = {}
    for factor in (0.25, 0.125):
        state, hydro, leakage, _ = frozen_box(eos, "ssprk2", 1, dt_factor=factor)
        estimate = StageData()
        assert hydro.max_dt(state, estimate) > 0.0
        limits[factor] = leakage.max_dt(state, estimate)
    assert limits[0.125] == 0.5 * limits[0.25]
    # by hand: min over cells of Ye / |dYe/dt| and (eps + eps_zero) / (Q / rho)
    primitives = hydro.primitives(state)
    ye, eps = primitives.ye[state.grid.interior], primitives.eps[state.grid.interior]
    result = leakage.result
    energy = eps + hydro.eos.eps_zero
    by_hand = min(np.min(ye / np.abs(result.dye_dt)), np.min(energy * RHO / result.energy_loss_rate))
    assert hydro.eos.eps_zero < 0.0 < energy.min()  # the built-in EOS: most of its rest-mass constant removed
    assert limits[0.125] == 0.125 * by_hand


@pytest.mark.parametrize("method", list(SSP_METHODS))
def test_stage_weights_are_the_butcher_weights_the_integrator_applies(method):
    butcher_b = {"ssprk1": (1.0,), "ssprk2": (0.5, 0.5), "ssprk3": (1 / 6, 1 / 6, 2 / 3)}[method]
    weights = stage_weights(method)
    assert weights == pytest.approx(butcher_b, rel=1e-16, abs=0.0)
    assert math.fsum(weights) == 1.0

    class StageConstant(Physics):
        """Adds a distinct constant in each stage; records end_step."""

        fields = (FieldSpec("u", "1"),)

        def __init__(self):
            self.calls, self.ended = 0, []

        def add_rhs(self, state, rhs, time, stage):
            rhs[0] += 10.0 ** self.calls
            self.calls += 1

        def end_step(self, dt, weights):
            self.ended.append((dt, weights, self.calls))

    grid = Grid([4], [0.0], [1.0], 1, {face: "periodic" for face in FACES}, None, WORLD)
    physics = StageConstant()
    state = State(grid, physics.fields)
    state["u"][...] = 1.0
    SSPRungeKutta(method, state, [physics]).step(0.0, 0.5)
    expected = 1.0 + 0.5 * sum(w * 10.0**s for s, w in enumerate(weights))
    assert np.all(np.abs(state.interior("u") - expected) <= 1e-15 * expected)
    assert physics.ended == [(0.5, weights, len(weights))]


@pytest.mark.parametrize("method", ["ssprk2", "ssprk3"])
def test_luminosity_integral_equals_the_energy_and_leptons_removed(eos, method):
    box = frozen_box(eos, method, 1)
    state, _, leakage, _ = box
    volume = WIDTH * HEIGHT / CELLS
    energy0, leptons0 = (math.fsum(owned(state, name).ravel()) * volume for name in ("etot", "dens_ye"))
    history = []
    for _ in range(15):
        dt = run(box, 1)[0]
        history.append((dt, leakage.luminosity.copy(), leakage.energy_loss, leakage.lepton_loss))
    energy1, leptons1 = (math.fsum(owned(state, name).ravel()) * volume for name in ("etot", "dens_ye"))
    removed = energy0 - energy1
    assert removed > 0.05 * energy0  # so that round-off in etot is far below the tolerance
    assert abs(leakage.radiated_energy / removed - 1.0) < 1e-12
    assert abs(math.fsum(dt * loss for dt, _, loss, _ in history) / leakage.radiated_energy - 1.0) < 1e-15
    # the species' luminosities add up to the energy loss
    for _, luminosity, loss, _ in history:
        assert abs(math.fsum(luminosity) / loss - 1.0) < 1e-14
    lost_leptons = (leptons0 - leptons1) * AVOGADRO_NUMBER
    assert abs(leakage.radiated_leptons / lost_leptons - 1.0) < 1e-12


@pytest.mark.parametrize("tau_every, method, expected", [
    (0, "ssprk1", 7), (0, "ssprk2", 14), (0, "ssprk3", 21),  # every stage
    (1, "ssprk2", 7), (1, "ssprk3", 7),  # every step
    (3, "ssprk2", 3),  # steps 0, 3, 6
    (10, "ssprk3", 1),  # step 0 only
])
def test_tau_cadence_counts(eos, tau_every, method, expected):
    box = frozen_box(eos, method, tau_every)
    leakage = box[2]
    run(box, 7)
    assert leakage.tau_updates == expected and leakage.steps == 7


def test_tau_cadence_without_max_dt(eos):
    """Driven with a fixed dt (no max_dt call), the step's update happens in
    its first stage."""
    state, _, leakage, integrator = frozen_box(eos, "ssprk2", 2)
    for n in range(5):
        integrator.step(n * 1e-6, 1e-6)
    assert leakage.tau_updates == 3  # steps 0, 2, 4


def test_trapped_neutrino_pressure_sources(eos):
    """-f(rho) dP_nu/dx on the momentum and -f v dP_nu/dx on the energy,
    P_nu from the stage's T and eta_nu(nu_e), centred differences with the
    outflow ghosts (copies of the edge cells), across the threshold."""
    cells, length, rho_th = 16, 1.6e5, 1e12
    grid = Grid([cells], [0.0], [length], 2, {"x_lower": "reflecting", "x_upper": "outflow"}, None, WORLD)
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    depth = OpticalDepth(grid, "rays")
    plain = LeakageSources(grid, eos, depth, LeakageParams())
    trapped = LeakageSources(grid, eos, depth, LeakageParams(), trapped_density=rho_th)
    state = State(grid, hydro.fields)
    x = grid.centres(0)
    rho, temp, vel = 2e12 * np.exp(-x / 4e4), 5.0 + 10.0 * np.exp(-x / 5e4), 1e8 * np.sin(x / 3e4)
    (eps,) = eos.lookup(rho, temp, 0.3, "eps")
    for name, values in (("dens", rho), ("mom_x", rho * vel), ("etot", rho * (eps + 0.5 * vel**2)),
                         ("dens_ye", 0.3 * rho), ("temp", temp)):
        state[name][...] = values
    state.exchange()
    rhs = {}
    for leakage in (plain, trapped):
        rhs[leakage] = np.zeros_like(state.evolved)
        stage = StageData()
        hydro.add_rhs(state, rhs[leakage], 0.0, stage)
        leakage.add_rhs(state, rhs[leakage], 0.0, stage)
    source = rhs[trapped] - rhs[plain]
    stage_temp = state.interior("temp")[0, 0]
    pressure = neutrino_pressure(stage_temp, trapped.result.eta_nue[0, 0])
    assert np.all(pressure > 0.0)
    ghosted = np.concatenate([[pressure[0]], pressure, [pressure[-1]]])  # reflecting and outflow: both copies
    force = threshold_factor(state.interior("dens")[0, 0], rho_th) * (ghosted[2:] - ghosted[:-2]) / (2 * grid.dx[0])
    assert np.any(force != 0.0) and np.ptp(threshold_factor(state.interior("dens")[0, 0], rho_th)) > 0.5
    owned_source = {name: source[state.index[name]][grid.interior][0, 0] for name in ("mom_x", "etot", "dens")}
    assert np.allclose(owned_source["mom_x"], -force, rtol=1e-13, atol=1e-13 * np.abs(force).max())
    velocity = hydro.primitives(state).vel_x[grid.interior][0, 0]
    work = velocity * force
    assert np.allclose(owned_source["etot"], -work, rtol=1e-13, atol=1e-13 * np.abs(work).max())
    assert np.all(owned_source["dens"] == 0.0)


def test_density_cutoff_removes_only_the_atmosphere(eos):
    """leakage.min_density: cells below it (here a pns-like atmosphere,
    5e7 g/cm^3 at 1.4 MeV, above hot dense matter) get exactly zero
    sources; the others are bitwise those without the cutoff; the
    luminosities differ by the atmosphere's emission only. Its rate per
    volume is < 1e-9 of the dense matter's (pairs scale as T^9, captures
    need free nucleons), so the total loss moves by < 1e-9 relative; the
    weakest species (anti-nu_e, blocked by degeneracy in the dense matter)
    by < 1e-5 (6e-7 with the built-in EOS)."""
    grid = Grid([1, CELLS], [0.0, 0.0], [WIDTH, HEIGHT], 2, dict(BOUNDARIES, y_upper="outflow"), None, WORLD)
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    state = State(grid, hydro.fields)
    atmosphere = (np.arange(CELLS) >= CELLS // 2)[None, :, None] & np.ones((1, CELLS, 1), dtype=bool)
    rho, temp, ye = np.where(atmosphere, 5e7, RHO), np.where(atmosphere, 1.4, TEMP), np.where(atmosphere, 0.45, YE)
    (eps,) = eos.lookup(rho, temp, ye, "eps")
    for name, values in (("dens", rho), ("etot", rho * eps), ("dens_ye", rho * ye), ("temp", temp)):
        state.interior(name)[...] = values
    state.exchange()
    runs = {}
    for min_density in (0.0, 1e8):
        leakage = LeakageSources(grid, eos, OpticalDepth(grid, "rays"), LeakageParams(), min_density=min_density)
        estimate, stage = StageData(), StageData()
        hydro.max_dt(state, estimate)
        leakage.max_dt(state, estimate)
        rhs = np.zeros_like(state.evolved)
        hydro.add_rhs(state, rhs, 0.0, stage)
        leakage.add_rhs(state, rhs, 0.0, stage)
        leakage.end_step(0.0, (1.0,))
        runs[min_density] = leakage
    full, cut = runs[0.0].result, runs[1e8].result
    for name in ("r_eff", "q_eff", "eta_nue", "dye_dt", "energy_loss_rate"):
        assert np.all(getattr(cut, name)[..., atmosphere] == 0.0), name
        np.testing.assert_array_equal(getattr(cut, name)[..., ~atmosphere], getattr(full, name)[..., ~atmosphere])
    assert np.all(runs[1e8].lepton_source[atmosphere] == 0.0)
    assert 0.0 < full.energy_loss_rate[atmosphere].max() < 1e-9 * full.energy_loss_rate[~atmosphere].min()
    change = 1.0 - runs[1e8].luminosity / runs[0.0].luminosity
    assert np.all((change > 0.0) & (change < 1e-5))
    assert 0.0 < 1.0 - runs[1e8].energy_loss / runs[0.0].energy_loss < 1e-9


def test_no_sources_at_the_table_floor(eos):
    """Cells whose Ye is at or below the table's lowest Ye, or whose eps
    lies below the table (the inversion clamps T to the lowest T), get no
    sources, and the source time-step limit ignores them: an over-cooled
    cell with eps + eps_zero < 0 would otherwise give a negative limit."""
    grid = box_grid()
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    state = State(grid, hydro.fields)
    ye = np.full((1, CELLS, 1), YE)
    ye[0, -2, 0] = 0.5 * eos.ranges["ye"][0]
    (eps,) = eos.lookup(RHO, TEMP, ye, "eps")
    eps[0, -1, 0] = -2.0 * eos.eps_zero - 1e19  # eps + eps_zero < 0: far below the table
    for name, values in (("dens", RHO), ("etot", RHO * eps), ("dens_ye", RHO * ye), ("temp", TEMP)):
        state.interior(name)[...] = values
    state.exchange()
    leakage = LeakageSources(grid, eos, OpticalDepth(grid, "rays"), LeakageParams())
    estimate = StageData()
    hydro.max_dt(state, estimate)
    assert state.interior("temp")[0, -1, 0] == eos.ranges["temp"][0]
    limit = leakage.max_dt(state, estimate)
    off = np.zeros((1, CELLS, 1), dtype=bool)
    off[0, -2:, 0] = True
    for name in ("r_eff", "q_eff", "eta_nue", "dye_dt", "energy_loss_rate"):
        assert np.all(getattr(leakage.result, name)[..., off] == 0.0), name
    assert np.all(leakage.result.energy_loss_rate[~off] > 0.0)
    (eps_on,) = eos.lookup(RHO, TEMP, YE, "eps")
    on = leakage.result
    expected = leakage.dt_factor * min(YE / np.abs(on.dye_dt[~off]).max(),
                                       (eps_on + eos.eps_zero) * RHO / on.energy_loss_rate[~off].max())
    assert limit == pytest.approx(expected, rel=1e-12)


def test_keys_build_the_sources(eos):
    grid = box_grid()
    depth = OpticalDepth(grid, "rays")
    defaults = make_leakage_sources(validate({}, SCHEMA, "run.toml"), grid, eos, depth)
    assert (defaults.tau_every, defaults.dt_factor, defaults.trapped_density, defaults.min_density,
            defaults.tau_iterations) == (1, 0.25, None, 1e8, 1)
    assert defaults.params is depth.params
    raw = {"leakage.tau_every": 0, "leakage.dt_factor": 0.5, "leakage.trapped_pressure": True,
           "leakage.trapped_density": 3e12, "leakage.min_density": 0.0, "leakage.tau_iterations": 0}
    chosen = make_leakage_sources(validate(raw, SCHEMA, "run.toml"), grid, eos, depth)
    assert (chosen.tau_every, chosen.dt_factor, chosen.trapped_density, chosen.min_density,
            chosen.tau_iterations) == (0, 0.5, 3e12, 0.0, 0)
    with pytest.raises(ConfigError, match="leakage.tau_every"):
        validate({"leakage.tau_every": -1}, SCHEMA, "run.toml")
    with pytest.raises(ConfigError, match=r"leakage.min_density = -1.0 \(in run.toml\): must be finite and >= 0"):
        validate({"leakage.min_density": -1.0}, SCHEMA, "run.toml")
    with pytest.raises(ValueError, match="min_density = nan"):
        LeakageSources(grid, eos, depth, LeakageParams(), min_density=math.nan)
