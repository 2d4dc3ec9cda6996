"""Every real nuclear EOS table of the data directory (shared/data/eos:
README sections 1, 2 and 4, eos/SRO_TABLE.md) and the built-in table:
they load in both layouts (stellarcollapse.org and CompOSE), their
conversions hold values computed by hand, corrupted copies are refused
naming the file and the dataset, and the leakage, the temperature
inversions and the hydro interface are finite and physically signed at
every node and every cell midpoint of each table's whole grid.
"""

import math

import h5py
import numpy as np
import pytest
from helpers import real_input
from test_microphysics_degenerate import assert_all_finite

from parleak.constants import ELECTRON_MASS_MEV, HC_MEV_CM, MEV, SPEED_OF_LIGHT
from parleak.eos.table import EOSTableError, TabulatedEOS, read_table
from parleak.eos.table_writer import builtin_table_path
from parleak.microphysics.leakage import LeakageParams, leakage_sources_from_eos

SFHO = "eos/Hempel_SFHoEOS_rho222_temp180_ye60_version_1.1_20120817_simple.h5"
OMNI = "eos/TEST_TABLEEOS_rho4_temp4_ye4_version1.0_20120514.h5"
SRO = "eos/SRO_LS220star_NSE837_rho126_temp61_ye31.h5"
COMPOSE = "eos/compose/SFHo.h5"
REAL = (SFHO, OMNI, SRO, COMPOSE)
STELLARCOLLAPSE = (SFHO, OMNI, SRO)
# What to break in a copy, per layout: (deleted, wrong 3-D shape, non-monotone axis, NaN in a variable)
BREAK = {"stellarcollapse": ("logpress", "entropy", "logtemp", "mu_e"), "compose": ("Q1", "Q2", "t", "Q3")}
# Round-off of a stored value through lookup and back (pow10 then log10, 2e-14
# relative; values up to ~40 in log10): 1e-12 in the stored units is 50 times that.
STORED_TOL = 1e-12

_cache = {}


def table(name):
    """The TabulatedEOS of the real table `name` (or "builtin"), read once."""
    if name not in _cache:
        _cache[name] = TabulatedEOS(builtin_table_path() if name == "builtin" else real_input(name))
    return _cache[name]


# ---------------------------------------------------------------- loading and conversions

@pytest.mark.parametrize("name, shape, shift", [(SFHO, (7, 11, 13), 7.0), (OMNI, (4, 4, 4), -0.0),
                                                (SRO, (31, 61, 126), 1.91313e19),
                                                (COMPOSE, (3, 10, 5), 20.0 / 939.56535 * SPEED_OF_LIGHT**2)])
def test_every_table_loads(name, shape, shift):
    eos = table(name)
    assert eos.tables["logpress"].shape == shape and eos.tables["logpress"].dtype == np.float64
    assert eos.energy_shift == pytest.approx(shift, rel=1e-5) and math.copysign(1.0, eos.energy_shift) == \
        math.copysign(1.0, shift)
    assert all(np.isfinite(eos.tables[n]).all() for n in ("logpress", "logenergy", "entropy", "cs2", "mu_e"))


def test_compose_conversion_by_hand():
    """Nodes of eos/compose/SFHo.h5 converted by hand (README section 2):
    rho = nb m_n, P = Q1 nb MeV/fm^3, eps = Q7 c^2, mu_e of the cold
    degenerate electrons at nb = 1 fm^-3, Ye = 0.6, and munu = mu_e - mu_n + mu_p."""
    eos = table(COMPOSE)
    with h5py.File(real_input(COMPOSE), "r") as f:
        raw = {name: f[name][()] for name in ("nb", "t", "yq", "mn", "Q1", "Q3", "Q4", "Q5", "Q7", "cs2", "Y[He4]")}
    mn = float(raw["mn"])
    assert 10.0 ** eos.logrho[0] == pytest.approx(1e-5 * 1e39 * mn * MEV / SPEED_OF_LIGHT**2, rel=1e-14)
    assert 10.0 ** eos.logrho[-1] == pytest.approx(1.6749e15, rel=1e-4)  # 1 fm^-3 of neutron masses
    i, k, j = 3, 1, 7  # nb, yq, t of the CompOSE arrays
    rho, temp, ye = 10.0 ** eos.logrho[i], raw["t"][j], raw["yq"][k]
    press, eps, mu_e, mu_n, mu_p, munu, xa = eos.lookup(rho, temp, ye, "press", "eps", "mu_e", "mu_n", "mu_p",
                                                        "munu", "Xa")
    assert press == pytest.approx(raw["Q1"][i, k, j] * raw["nb"][i] * 1.602176634e33, rel=1e-13)
    assert eps == pytest.approx(raw["Q7"][i, k, j] * SPEED_OF_LIGHT**2, rel=1e-12)
    assert mu_n == pytest.approx(mn * raw["Q3"][i, k, j], rel=1e-14)
    assert mu_p - mu_n == pytest.approx(mn * raw["Q4"][i, k, j], rel=1e-12)
    assert munu == pytest.approx(mn * raw["Q5"][i, k, j], rel=1e-14)
    assert xa == 4.0 * raw["Y[He4]"][i, k, j]
    # munu = mu_e - mu_n + mu_p on the whole table (to round-off of ~1e3 MeV values)
    t = eos.tables
    assert np.max(np.abs(t["munu"] - (t["mu_e"] - t["mu_n"] + t["mu_p"]))) < 1e-11
    assert np.max(np.abs(t["muhat"] - (t["mu_n"] - t["mu_p"]))) < 1e-11
    # nb = 1 fm^-3, Ye = 0.6, T = 0.1 MeV: ideal degenerate electrons, mu_e = sqrt(p_F^2 + m_e^2)
    p_fermi = HC_MEV_CM / (2.0 * math.pi) * (3.0 * math.pi**2 * 0.6 * 1e39) ** (1.0 / 3.0)
    assert t["mu_e"][2, 0, 4] == pytest.approx(math.hypot(p_fermi, ELECTRON_MASS_MEV), rel=1e-4)
    # cs2 made Newtonian: hot dilute corner (nb = 1e-5, T = 100 MeV), radiation: Gamma = rho cs2 / P = 4/3
    gamma = eos.tables["cs2"][1, -1, 0] * 10.0 ** eos.logrho[0] / 10.0 ** eos.tables["logpress"][1, -1, 0]
    assert gamma == pytest.approx(4.0 / 3.0, rel=2e-2)


def test_sro_relativistic_cs2_is_made_newtonian():
    """have_rel_cs2 = 1: read_table returns Gamma P / rho, equal to the
    table's own gamma * P / rho (SRO_TABLE.md section 2) wherever gamma > 0."""
    data = read_table(real_input(SRO))
    newtonian = data["gamma"] * 10.0 ** data["logpress"] / 10.0 ** data["logrho"]
    positive = data["gamma"] > 0.0
    assert np.sum(~positive) == 58
    assert np.max(np.abs(data["cs2"][positive] / newtonian[positive] - 1.0)) < 1e-10
    with h5py.File(real_input(SRO), "r") as f:
        raw = f["cs2"][()]
    assert np.max(raw / SPEED_OF_LIGHT**2) < 1.06 and np.max(data["cs2"] / SPEED_OF_LIGHT**2) > 1e9


# ---------------------------------------------------------------- refusals

def copy_table(source, target, edit):
    """Copy the HDF5 file `source` to `target` (raw chunks, no recompression)
    and apply edit(h5py File) to the copy."""
    with h5py.File(source, "r") as src, h5py.File(target, "w") as dst:
        for name in src:
            src.copy(name, dst)
        edit(dst)
    return target


def replace(f, name, values):
    del f[name]
    f.create_dataset(name, data=values)


def corruptions(layout):
    deleted, reshaped, axis, holed = BREAK[layout]

    def swap(f):
        values = f[axis][()]
        values[[1, 2]] = values[[2, 1]]
        replace(f, axis, values)

    def nan(f):
        values = f[holed][()]
        values.flat[values.size // 2] = np.nan
        replace(f, holed, values)

    return [(f"missing dataset\\(s\\) {deleted}\\b", lambda f: f.__delitem__(deleted)),
            (f"dataset {reshaped} has shape \\(2, 3, 2\\)", lambda f: replace(f, reshaped, np.ones((2, 3, 2)))),
            (f"axis {axis} is not strictly increasing", swap),
            (f"dataset {holed} has 1 non-finite values", nan)]


@pytest.mark.parametrize("name", REAL)
def test_corrupted_copies_are_refused_naming_file_and_dataset(tmp_path, name):
    layout = "compose" if name == COMPOSE else "stellarcollapse"
    for n, (message, edit) in enumerate(corruptions(layout)):
        path = copy_table(real_input(name), tmp_path / f"broken{n}.h5", edit)
        for reader in (read_table, TabulatedEOS):
            with pytest.raises(EOSTableError, match=f"broken{n}.h5'?: .*{message}"):
                reader(path)


def test_a_file_in_neither_layout_names_both(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["density"] = np.arange(3.0)
    with pytest.raises(EOSTableError, match=r"other.h5'?: holds datasets density, in neither layout .*"
                                            r"stellarcollapse.org table needs logrho, .*CompOSE .* needs nb, t, yq"):
        TabulatedEOS(path)


@pytest.mark.parametrize("name", STELLARCOLLAPSE)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_energy_shift_of_any_number_type(tmp_path, name, dtype):
    """energy_shift stored as int32/int64/float32/float64 is read as the
    number the file holds: eps = 10**logenergy - that number (SRO's 1.9e19
    fits no integer type: the largest of the type instead)."""
    original = table(name).energy_shift
    if np.issubdtype(dtype, np.integer) and abs(original) > np.iinfo(dtype).max:
        original = np.iinfo(dtype).max
    stored = np.array([original]).astype(dtype)
    path = copy_table(real_input(name), tmp_path / "shift.h5", lambda f: replace(f, "energy_shift", stored))
    eos = TabulatedEOS(path)
    assert eos.energy_shift == float(stored[0])
    eps = eos.lookup(10.0 ** eos.logrho[1], 10.0 ** eos.logtemp[1], eos.ye[1], "eps")[0]
    assert eps == pytest.approx(10.0 ** eos.tables["logenergy"][1, 1, 1] - float(stored[0]), rel=1e-13, abs=1e5)


# ---------------------------------------------------------------- whole-grid robustness

def grid_points(eos):
    """(rho g/cm^3, temp MeV, ye) flat: every node, then every cell midpoint."""
    axes = (eos.ye, eos.logtemp, eos.logrho)
    nodes = np.meshgrid(*axes, indexing="ij")
    middles = np.meshgrid(*(0.5 * (a[1:] + a[:-1]) for a in axes), indexing="ij")
    ye, logtemp, logrho = (np.concatenate([n.ravel(), m.ravel()]) for n, m in zip(nodes, middles))
    return 10.0 ** logrho, 10.0 ** logtemp, ye


def column_slopes(eos, stored):
    """Per grid point (grid_points order): the smallest slope d stored /
    d log10 T of the interpolated column over the temperature cells that
    touch the point (two at a node, one at a midpoint); <= 0 where that
    column is not strictly increasing anywhere along T."""
    column = eos.tables[stored]
    slope = np.diff(column, axis=1) / np.diff(eos.logtemp)[None, :, None]  # (nye, ntemp - 1, nrho)
    increasing = np.all(slope > 0.0, axis=1, keepdims=True)
    padded = np.pad(slope, ((0, 0), (1, 1), (0, 0)), constant_values=np.inf)
    at_nodes = np.where(increasing, np.minimum(padded[:, :-1], padded[:, 1:]), 0.0)
    corners = np.where(increasing, slope, 0.0)
    mid = 0.25 * (corners[:-1, :, :-1] + corners[1:, :, :-1] + corners[:-1, :, 1:] + corners[1:, :, 1:])
    all_up = increasing[:-1, :, :-1] & increasing[1:, :, :-1] & increasing[:-1, :, 1:] & increasing[1:, :, 1:]
    return np.concatenate([at_nodes.ravel(), np.where(all_up, mid, 0.0).ravel()])


TABLES = ("builtin",) + REAL


@pytest.mark.parametrize("name", TABLES)
def test_leakage_at_every_node_and_midpoint(name):
    eos = table(name)
    rho, temp, ye = grid_points(eos)
    for tau in (0.0, 3.0, 1e4):
        result = leakage_sources_from_eos(eos, rho, temp, ye, np.full((3, 2, rho.size), tau), params=LeakageParams())
        assert_all_finite(result, f"({name}, tau = {tau})")
        for field in ("kappa_s", "kappa_a", "kappa_total", "r_free", "q_free", "r_eff", "q_eff", "t_diff",
                      "energy_loss_rate"):
            assert (getattr(result, field) >= 0.0).all(), (name, tau, field)


@pytest.mark.parametrize("quantity, stored", [("eps", "logenergy"), ("press", "logpress"), ("entropy", "entropy")])
@pytest.mark.parametrize("name", TABLES)
def test_temperature_inversion_over_the_whole_grid(name, quantity, stored):
    """From each point's own value: T finite and in the table's range, the
    column there equal to the value (a root: to STORED_TOL in the stored
    units); where the column is strictly increasing in T, T is the point's
    own to STORED_TOL / slope in log10 T (the inversion's condition number);
    elsewhere (SRO at very low T) the lowest root without a guess (not
    above the point's T) and, with the point's T as guess, a root at least
    as near it (TabulatedEOS.state_from)."""
    eos = table(name)
    rho, temp, ye = grid_points(eos)
    value = eos.lookup(rho, temp, ye, quantity)[0]
    to_stored = np.log10 if stored != "entropy" else (lambda x: x)
    offset = eos.energy_shift if quantity == "eps" else 0.0
    slope = column_slopes(eos, stored)
    low, high = eos.ranges["temp"]
    found = {}
    for guess in (None, temp):
        t = eos.state_from(quantity, rho, value, ye, temp_guess=guess)[0]
        assert np.isfinite(t).all() and (t >= low * (1 - 1e-14)).all() and (t <= high * (1 + 1e-14)).all()
        back = eos.lookup(rho, t, ye, quantity)[0]
        miss = np.abs(to_stored(back + offset) - to_stored(value + offset))
        scale = np.maximum(1.0, np.abs(to_stored(value + offset)))
        assert np.max(miss / scale) < STORED_TOL, (name, quantity)
        error = np.abs(np.log10(t / temp))
        monotone = slope > 0.0
        assert np.max(error[monotone] * slope[monotone] / scale[monotone]) < STORED_TOL, (name, quantity, guess)
        found[guess is None] = error
    others = slope <= 0.0
    lowest = eos.state_from(quantity, rho[others], value[others], ye[others])[0]
    # 1e-7: round-off (1e-14) over the flattest segments of these columns;
    # before the round-off slack of the kernels' bracket search: 37 times hotter
    assert (lowest <= temp[others] * (1 + 1e-7)).all()
    assert (found[False][others] <= found[True][others] + 1e-7).all()
    if name == SRO and quantity != "entropy":  # SRO_TABLE.md section 4.4
        assert np.sum(others) > 0


@pytest.mark.parametrize("name", TABLES)
def test_hydro_interface_over_the_whole_grid(name):
    """from_rho_eps at each point's eps and at eps below the table's
    lowest (clamped to Tmin, every point counted): finite T in range,
    press > 0, gamma_c > 0, gamma_e > 1; eps_from_rho_press from each
    point's press gives a finite eps whose state has that press."""
    eos = table(name)
    rho, temp, ye = grid_points(eos)
    eps, press = eos.lookup(rho, temp, ye, "eps", "press")
    lowest = 10.0 ** eos.tables["logenergy"].min() - eos.energy_shift
    for energy, clamped in ((eps, False), (np.full_like(eps, lowest - abs(lowest) - 1e17), True)):
        eos.reset_counts()
        t, p, gamma_c, gamma_e = temp.copy(), np.empty_like(rho), np.empty_like(rho), np.empty_like(rho)
        eos.from_rho_eps(rho, energy, ye, t, p, gamma_c, gamma_e)
        for values in (t, p, gamma_c, gamma_e):
            assert np.isfinite(values).all(), name
        assert (p > 0.0).all() and (gamma_c > 0.0).all() and (gamma_e > 1.0).all(), name
        low, high = eos.ranges["temp"]
        assert (t >= low * (1 - 1e-14)).all() and (t <= high * (1 + 1e-14)).all()
        if clamped:
            assert eos.out_of_range["inversion_low"] == rho.size
    t = temp * 1.01
    new_eps = eos.eps_from_rho_press(rho, press, ye, t)
    assert np.isfinite(new_eps).all()
    back = eos.lookup(rho, t, ye, "press")[0]
    assert np.max(np.abs(np.log10(back / press)) / np.maximum(1.0, np.log10(press))) < STORED_TOL
