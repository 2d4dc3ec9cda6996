"""The `collapse` problem: the n = 3 polytrope, the Ye(rho)
parameterisation before bounce, bounce detection and the switch to
leakage, on a small octant (25^3 cells of 4 km) on 2 ranks.

On these 4 km cells the largest cell density at bounce is 1.4e14 g/cm^3
(the inner core is averaged over a few cells; on 2 km cells it is 2.3e14,
module docstring of parleak/problems/collapse.py), so the run here sets
collapse.bounce_density = 1e14, still well above where the core would
rebound without the nuclear mean field (2-4e13 g/cm^3)."""

import numpy as np
import pytest

from helpers import REPO, parleak_run
from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.io.dump import existing_dumps
from parleak.io.reader import read_dump
from parleak.io.scalars import read_scalars, scalars_path
from parleak.microphysics.ye_param import G15, ye_of_rho
from parleak.problems.collapse import lane_emden_3

DRIVER = REPO / "drivers" / "collapse.toml"


def test_lane_emden_index_3():
    """theta(xi_1) = 0 at xi_1 = 6.89685 and -xi^2 theta'(xi_1) = 2.01824
    (Chandrasekhar 1939, table 4), theta(0.1) the series 1 - xi^2/6 +
    xi^4/40 (next term -0.0038 xi^6 = 4e-9)."""
    theta, xi_1 = lane_emden_3()
    assert xi_1 == pytest.approx(6.89685, abs=1e-5)
    h = 1e-5
    assert -xi_1 ** 2 * (theta(xi_1 - h) - theta(xi_1 - 2 * h)) / h == pytest.approx(2.01824, abs=1e-4)
    assert theta(0.1) == pytest.approx(1.0 - 0.01 / 6.0 + 1e-4 / 40.0, abs=1e-8)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    output = tmp_path_factory.mktemp("collapse")
    result = parleak_run(2, DRIVER, output, "grid.cells=[25,25,25]", "grid.upper=[1e7,1e7,1e7]",
                         "collapse.bounce_density=1e14", "time.t_end=0.006",
                         "output.interval=0.0", "output.log_every=1000", "output.checkpoint_interval=0.0",
                         timeout=600)
    dumps = [read_dump(path) for path in existing_dumps(output)]
    scalars = {k: np.array(v) for k, v in read_scalars(scalars_path(output)).items()}
    return result.stdout, dumps, scalars


def test_initial_state_on_the_parameterisation(run):
    """Every cell starts at Ye_bar(rho) of the G15 fit (to round-off) and
    at rest; the centre at rho_c = 1e12 g/cm^3."""
    first = run[1][0]
    rho = first.fields["dens"]
    assert np.allclose(first.fields["ye"], ye_of_rho(rho, G15), rtol=1e-13, atol=0.0)
    assert np.max(np.abs(first.fields["mom_x"])) == 0.0
    assert rho[0, 0, 0] == pytest.approx(1e12, rel=0.02)


def test_collapse_bounce_and_switch_to_leakage(run):
    """The core collapses (max density up 100 x, past 1e14 g/cm^3);
    bounce is logged once, at the time in scalars.csv, after which (and
    only after which) the leakage radiates, starting with a nu_e burst:
    the largest nu_e luminosity of the first 20 steps after bounce exceeds
    the anti-nu_e luminosity then."""
    stdout, dumps, s = run
    bounce_lines = [line for line in stdout.splitlines() if line.startswith("bounce at t = ")]
    assert len(bounce_lines) == 1
    after = ~np.isnan(s["bounce_time"])
    assert np.any(after) and np.all(s["bounce_time"][after] == s["bounce_time"][after][0])
    bounce_time = s["bounce_time"][after][0]
    assert float(bounce_lines[0].split()[4]) == pytest.approx(bounce_time, rel=1e-6)
    assert np.max(s["max_density"]) > 100.0 * s["max_density"][0] and np.max(s["max_density"]) > 1e14
    before = s["time"] <= bounce_time
    for species in ("nu_e", "anti_nu_e", "nu_x"):
        assert np.all(s[f"lum_{species}"][before] == 0.0)
    first_steps = np.flatnonzero(after)[1:21]
    burst = first_steps[np.argmax(s["lum_nu_e"][first_steps])]
    assert s["lum_nu_e"][burst] > s["lum_anti_nu_e"][burst] > 0.0


def test_lepton_budget_before_bounce(run):
    """Until bounce the lepton number on the grid changes only by what the
    parameterisation removed and what left through the diode faces: their
    sum is constant to 1e-10 relative (exact grid sums)."""
    s = run[2]
    before = np.isnan(s["bounce_time"])
    total = (s["total_leptons"] + s["parameterised_leptons"] + s["outflow_leptons"])[before]
    assert np.max(np.abs(total / total[0] - 1.0)) < 1e-10
    assert s["parameterised_leptons"][before][-1] > 0.0


@pytest.mark.parametrize("escape_above_munu", [False, True])
def test_entropy_change_of_the_parameterisation(escape_above_munu):
    """Liebendoerfer's Delta s = -Delta Ye (munu - E_esc) / T where munu >
    E_esc (else 0), computed by hand from the EOS for one cell, is what
    CollapsePhase applies: the new state has that entropy at the new Ye
    (through the EOS inversion); with E_esc above munu the entropy is kept."""
    from parleak.grid import Grid
    from parleak.hydro.solver import Hydro
    from parleak.neutrino.collapse import CollapsePhase
    from parleak.state import State

    eos = TabulatedEOS(builtin_table_path())
    grid = Grid((1, 1, 1), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), 2, {f"{a}_{s}": "outflow" for a in "xyz"
                                                                 for s in ("lower", "upper")}, (1, 1, 1))
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e3, 1e20)
    state = State(grid, list(hydro.fields))
    rho, temp, ye = 1e11, 1.5, 0.45
    eps = eos.lookup(rho, temp, ye, "eps")[0]
    state.interior("dens")[...] = rho
    state.interior("dens_ye")[...] = rho * ye
    state.interior("etot")[...] = rho * eps
    state.interior("temp")[...] = temp
    entropy, munu = (float(v) for v in eos.lookup(rho, temp, ye, "entropy", "munu"))
    assert munu > 10.0
    escape = munu + 1.0 if escape_above_munu else 10.0
    phase = CollapsePhase(grid, eos, None, G15, trap_density=2e12, escape_energy=escape)
    phase.after_step(state, 0.0)
    new_ye = float(ye_of_rho(rho, G15))
    expected_entropy = entropy if escape_above_munu else entropy - (new_ye - ye) * (munu - escape) / temp
    new_eps = state.interior("etot")[0, 0, 0] / rho
    assert state.interior("dens_ye")[0, 0, 0] / rho == pytest.approx(new_ye, rel=1e-14)
    new_temp = eos.temp_from_rho_eps(rho, new_eps, new_ye)
    assert eos.lookup(rho, new_temp, new_ye, "entropy")[0] == pytest.approx(expected_entropy, rel=1e-9)
    assert phase.removed_leptons > 0.0
