"""Hydrodynamics on the nuclear EOS: drivers/shocktube_nuclear.toml (the
built-in EOS through its cached stellarcollapse.org table) as real `parleak
run` MPI jobs, and the collective error for an unreadable table."""

import numpy as np
import pytest

from helpers import REPO, parleak_run
from parleak.eos import builtin
from parleak.io.dump import existing_dumps
from parleak.io.reader import read_dump
from parleak.io.scalars import read_scalars

DRIVER = REPO / "drivers" / "shocktube_nuclear.toml"
EVOLVED = ("dens", "mom_x", "mom_y", "mom_z", "etot", "dens_ye")


def test_nuclear_shock_tube_on_1_and_2_ranks(tmp_path):
    """Bitwise the same on 1 and 2 ranks (dumps and scalars.csv); mass, energy and lepton number
    conserved (no wave has reached the boundaries); the shock obeys the
    Rankine-Hugoniot conditions with the EOS's own p and eps (momentum and
    the energy Hugoniot to 1e-3; measured 9e-5 and 2.6e-4); the temperature
    reproduces the input pressures through the exact built-in EOS to the
    table's interpolation error (0.5 %)."""
    runs = {}
    for ranks in (1, 2):
        parleak_run(ranks, DRIVER, tmp_path / f"n{ranks}")
        runs[ranks] = [read_dump(path) for path in existing_dumps(tmp_path / f"n{ranks}")]
    assert len(runs[1]) == len(runs[2]) == 4
    for one, two in zip(runs[1], runs[2]):
        for name in EVOLVED + ("temp", "press"):
            assert np.array_equal(one.fields[name], two.fields[name]), name
    scalars = {ranks: (tmp_path / f"n{ranks}" / "scalars.csv").read_text() for ranks in (1, 2)}
    assert scalars[1] == scalars[2]  # every row bitwise the same on 1 and 2 ranks
    series = read_scalars(tmp_path / "n2" / "scalars.csv")
    assert series["step"] == list(range(len(series["step"]))) and series["time"][-1] == runs[2][-1].time
    assert series["time"][1] == series["dt"][1] and series["dt"][0] == 0.0
    volume = (runs[2][0].x[1] - runs[2][0].x[0])  # 1-D: the cell length
    assert series["total_mass"][0] == pytest.approx(runs[2][0].fields["dens"].sum() * volume, rel=1e-15)
    assert max(abs(m / series["total_mass"][0] - 1.0) for m in series["total_mass"]) < 1e-13
    assert series["central_density"][0] == 1e13 and abs(series["central_temp"][0] - 8.0) < 0.05
    first, last = runs[2][0], runs[2][-1]
    for name in ("dens", "etot", "dens_ye"):
        assert abs(last.fields[name].sum() / first.fields[name].sum() - 1.0) < 1e-13, name

    rho, press, eps, vel = (last.fields[name].ravel() for name in ("dens", "press", "eps", "vel_x"))
    x = np.ravel(last.x)
    shock = int(np.argmax(-np.diff(rho) * (x[1:] > 1.5e7)))
    post, pre = slice(shock - 35, shock - 4), slice(shock + 5, None)
    r2, p2, e2, u2 = (a[post].mean() for a in (rho, press, eps, vel))
    r1, p1, e1 = (a[pre].mean() for a in (rho, press, eps))
    assert np.ptp(rho[post]) / r2 < 3e-3 and vel[pre].max() == 0.0
    speed = r2 * u2 / (r2 - r1)  # mass conservation across the shock
    assert abs(r1 * speed * u2 / (p2 - p1) - 1.0) < 1e-3
    assert abs((e2 - e1) / (0.5 * (p1 + p2) * (1.0 / r1 - 1.0 / r2)) - 1.0) < 1e-3

    initial = runs[1][0]
    rho0, temp0, ye0 = (initial.fields[name].ravel() for name in ("dens", "temp", "ye"))
    exact = builtin.thermo(rho0, temp0, ye0)
    assert np.all(np.abs(exact.press / initial.fields["press"].ravel() - 1.0) < 5e-3)
    assert abs(temp0[0] - 8.0) < 0.05 and abs(temp0[-1] - 2.0) < 0.05


@pytest.mark.mpi(ranks=(2,))
def test_a_missing_table_is_a_config_error_on_every_rank(tmp_path, mpi):
    missing = tmp_path / "LS220.h5"
    result = mpi.parleak(DRIVER, tmp_path / "out", 'eos.kind="table"', f'eos.table="{missing}"', check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("parleak: config error: eos.table") == 1
    assert str(missing) in result.stderr and "input file not found" in result.stderr
    assert not existing_dumps(tmp_path / "out")
