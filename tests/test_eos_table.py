"""The stellarcollapse.org table reader (parleak.eos.table) on synthetic
tables written here: exact interpolation of trilinear data, the error bound
of a smooth table, exact temperature inversion, clamping and its counts,
the hydro interface, file errors and the eos.* config keys."""

import math

import h5py
import numpy as np
import pytest

from parleak.config import ConfigError, validate
from parleak.constants import ATOMIC_MASS_UNIT, MEV, MEV_TO_KELVIN, RADIATION_CONSTANT
from parleak.eos import EOS, SCHEMA, IdealGas, make_eos
from parleak.eos.table import COUNTERS, OPTIONAL_VARIABLES, REQUIRED_VARIABLES, EOSTableError, TabulatedEOS

from helpers import REPO

DRIVERS = REPO / "drivers"
LN10 = math.log(10.0)
VARIABLES = REQUIRED_VARIABLES + OPTIONAL_VARIABLES


def write_table(path, logrho, logtemp, ye, functions, energy_shift=0.0, skip=()):
    """A stellarcollapse.org-format table of functions(u = log10 rho,
    v = log10 T, w = ye) on the given axes (variables without a function:
    a fixed trilinear form); datasets in `skip` left out."""
    w, v, u = np.meshgrid(ye, logtemp, logrho, indexing="ij")  # (nye, ntemp, nrho)
    datasets = {"pointsrho": [logrho.size], "pointstemp": [logtemp.size], "pointsye": [ye.size],
                "logrho": logrho, "logtemp": logtemp, "ye": ye, "energy_shift": [energy_shift]}
    for number, name in enumerate(VARIABLES):
        datasets[name] = functions.get(name, trilinear_form(np.arange(8) * 0.1 + number))(u, v, w)
    with h5py.File(path, "w") as stream:
        for name, values in datasets.items():
            if name not in skip:
                stream[name] = values
    return str(path)


def trilinear_form(c):
    return lambda u, v, w: (c[0] + c[1] * u + c[2] * v + c[3] * w + c[4] * u * v + c[5] * u * w + c[6] * v * w
                            + c[7] * u * v * w)


# stored variables exactly trilinear in (log10 rho, log10 T, ye); logenergy
# and entropy increase with T; eps = 10**logenergy - SHIFT < 0 in part
TRILINEAR = {
    "logpress": trilinear_form([20.0, 0.9, 0.6, 2.0, 0.05, 0.1, -0.3, 0.02]),
    "logenergy": trilinear_form([19.3, 0.05, 0.4, 0.2, 0.01, -0.02, 0.05, 0.003]),
    "entropy": trilinear_form([5.0, -0.3, 2.0, 1.0, 0.1, 0.2, 0.1, 0.01]),
    "cs2": trilinear_form([1e19, 1e17, 3e18, 2e18, 1e16, 1e16, 1e17, 1e15]),
}
SHIFT = 2.0e19


def trilinear_axes():
    logtemp = np.linspace(-1.5, 2.0, 30)
    logtemp[1:-1] += 0.03 * np.sin(np.arange(1, 29))  # non-uniform
    return np.linspace(3.0, 15.0, 25), logtemp, np.linspace(0.05, 0.6, 12)


@pytest.fixture(scope="module")
def trilinear_eos(tmp_path_factory):
    path = tmp_path_factory.mktemp("eos") / "trilinear.h5"
    return TabulatedEOS(write_table(path, *trilinear_axes(), TRILINEAR, energy_shift=SHIFT))


def random_points(eos, n, seed=1):
    """(rho g/cm^3, T MeV, ye) uniform in the table's log rho, log T, ye."""
    rng = np.random.default_rng(seed)
    return (10.0 ** rng.uniform(eos.logrho[0], eos.logrho[-1], n),
            10.0 ** rng.uniform(eos.logtemp[0], eos.logtemp[-1], n), rng.uniform(eos.ye[0], eos.ye[-1], n))


def test_trilinear_data_is_interpolated_exactly(trilinear_eos):
    eos = trilinear_eos
    rho, temp, ye = random_points(eos, 2000)
    u, v = np.log10(rho), np.log10(temp)
    names = ("press", "eps", "entropy", "cs2", "mu_e", "Xh", "Abar", "logenergy")
    values = dict(zip(names, eos.lookup(rho, temp, ye, *names)))
    exact = {name: TRILINEAR.get(name, trilinear_form(np.arange(8) * 0.1 + VARIABLES.index(name)))(u, v, ye)
             for name in ("logpress", "logenergy", "entropy", "cs2", "mu_e", "Xh", "Abar")}
    assert np.max(np.abs(values["press"] / 10.0 ** exact["logpress"] - 1.0)) < 1e-13
    # eps crosses zero: compare eps + energy_shift
    assert np.max(np.abs((values["eps"] + SHIFT) / 10.0 ** exact["logenergy"] - 1.0)) < 1e-13
    assert np.min(values["eps"]) < 0.0 < np.max(values["eps"])
    for name in ("logenergy", "entropy", "cs2", "mu_e", "Xh", "Abar"):  # some cross zero
        assert np.max(np.abs(values[name] - exact[name])) < 1e-13 * np.max(np.abs(exact[name])), name
    assert eos.out_of_range == dict.fromkeys(COUNTERS, 0)


def test_node_values_ranges_and_shapes(trilinear_eos):
    eos = trilinear_eos
    k, j, i = 5, 17, 9
    rho, temp = 10.0 ** eos.logrho[i], 10.0 ** eos.logtemp[j]
    (entropy,) = eos.lookup(rho, temp, eos.ye[k], "entropy")
    assert entropy.shape == () and entropy == eos.tables["entropy"][k, j, i]
    assert eos.ranges == {"rho": (1e3, 1e15), "temp": (10.0 ** -1.5, 100.0), "ye": (0.05, 0.6)}
    press, mu_n = eos.lookup(np.full((2, 3), rho), temp, np.full(3, eos.ye[k]), "press", "mu_n")
    assert press.shape == mu_n.shape == (2, 3)
    assert np.all(np.abs(press / 10.0 ** eos.tables["logpress"][k, j, i] - 1.0) < 2e-14)  # 10**x = exp(x ln10)
    with pytest.raises(ValueError, match="'mu_x' is not a quantity of the EOS table .*available: press, eps"):
        eos.lookup(rho, temp, 0.3, "mu_x")


def test_clamping_to_the_edges_is_counted(trilinear_eos):
    eos = trilinear_eos
    eos.reset_counts()
    rho_lo, rho_hi = eos.ranges["rho"]
    temp_lo, temp_hi = eos.ranges["temp"]
    rho = np.array([1e2, 1e16, 1e8, 1e8, 1e8, 1e8, 1e16, -1.0, 1e8, np.nan])
    temp = np.array([1.0, 1.0, 1e-3, 1e3, 1.0, 1.0, 1e3, 1.0, 0.0, 1.0])
    ye = np.array([0.3, 0.3, 0.3, 0.3, 0.0, 0.7, 0.7, 0.3, 0.3, 0.3])
    clamped_rho = np.clip(rho, rho_lo, rho_hi)
    clamped_rho[7] = rho_lo
    clamped_temp = np.clip(temp, temp_lo, temp_hi)
    clamped_temp[8] = temp_lo
    press, mu_p = eos.lookup(rho, temp, ye, "press", "mu_p")
    assert eos.out_of_range == {"rho_low": 2, "rho_high": 2, "temp_low": 2, "temp_high": 2, "ye_low": 1,
                                "ye_high": 2, "inversion_low": 0, "inversion_high": 0}
    edge_press, edge_mu_p = eos.lookup(clamped_rho, clamped_temp, np.clip(ye, 0.05, 0.6), "press", "mu_p")
    assert np.allclose(press[:9], edge_press[:9], rtol=1e-14, atol=0)
    assert np.allclose(mu_p[:9], edge_mu_p[:9], rtol=1e-14, atol=0)
    assert np.isnan(press[9]) and np.isnan(mu_p[9])
    eos.reset_counts()
    assert eos.counts.tolist() == [0] * 8


# -- the EOS interface (parleak.eos.base.EOS) ---------------------------------

INTERFACE = ("has_temperature", "is_nuclear", "has_nuclei", "eps_zero", "ranges", "counters", "counts",
             "out_of_range", "reset_counts", "from_rho_eps", "eps_from_rho_press")
NUCLEAR = ("lookup", "require", "state_from", "inversion_side", "beta_equilibrium_ye", "temp_from_rho_eps",
           "temp_from_rho_press", "temp_from_rho_entropy")


def test_both_eos_classes_expose_the_interface(trilinear_eos):
    ideal = IdealGas(1.4)
    for eos in (ideal, trilinear_eos):
        assert isinstance(eos, EOS)
        for name in INTERFACE:
            assert hasattr(eos, name), (type(eos).__name__, name)
        assert eos.counts.dtype == np.int64 and eos.counts.shape == (len(eos.counters),)
        assert list(zip(eos.out_of_range, eos.counts.tolist())) == list(zip(eos.counters, eos.counts.tolist()))
    assert ideal.has_temperature is False and ideal.is_nuclear is False and ideal.has_nuclei is False
    assert ideal.eps_zero == 0.0 and ideal.ranges is None
    assert ideal.counters == () and ideal.counts.size == 0 and ideal.out_of_range == {}
    ideal.reset_counts()  # a no-op
    assert ideal.counts.size == 0
    for name in NUCLEAR:
        assert not hasattr(ideal, name), name
        assert callable(getattr(trilinear_eos, name)), name
    eos = trilinear_eos
    assert eos.has_temperature is True and eos.is_nuclear is True and eos.counters == COUNTERS
    assert set(eos.ranges) == {"rho", "temp", "ye"} and eos.has_nuclei is True
    assert eos.eps_zero > 0.0  # eps < 0 in part of this table


def test_status_line_pairs_counter_names_with_counts(trilinear_eos):
    """What the hydro's status line does: zip(eos.out_of_range, counts)."""
    eos = trilinear_eos
    eos.reset_counts()
    eos.lookup(np.array([1e2, 1e16]), 1.0, 0.3, "press")
    total = eos.counts.copy()
    assert [f"{name} {n}" for name, n in zip(eos.out_of_range, total) if n] == ["rho_low 1", "rho_high 1"]
    eos.reset_counts()
    assert not eos.counts.any()
    assert [name for name, n in zip(IdealGas(1.4).out_of_range, IdealGas(1.4).counts) if n] == []


@pytest.mark.parametrize("quantity", ["eps", "press", "entropy"])
def test_inversion_on_trilinear_data_is_exact(trilinear_eos, quantity):
    eos = trilinear_eos
    rho, temp, ye = random_points(eos, 3000, seed=2)
    (value,) = eos.lookup(rho, temp, ye, quantity)
    guesses = (None, np.full(rho.shape, 3.0), temp * 1.001, np.zeros(rho.shape), np.full(rho.shape, 1e6))
    for guess in guesses:
        found = eos.state_from(quantity, rho, value, ye, temp_guess=guess)[0]
        assert np.max(np.abs(found / temp - 1.0)) < 1e-12
    assert eos.out_of_range == dict.fromkeys(COUNTERS, 0)


def test_inversion_outside_the_column_clamps_and_counts(trilinear_eos):
    eos = trilinear_eos
    eos.reset_counts()
    rho, ye = np.array([1e5, 1e12, 1e9]), np.array([0.1, 0.45, 0.3])
    temp_lo, temp_hi = eos.ranges["temp"]
    eps_lo, press_lo = eos.lookup(rho, temp_lo, ye, "eps", "press")
    eps_hi, press_hi = eos.lookup(rho, temp_hi, ye, "eps", "press")
    eos.reset_counts()
    eps = np.concatenate([eps_lo - 1e17, [-3 * SHIFT], eps_hi * 1.5])  # -3 SHIFT: eps + shift < 0
    rho3, ye3 = np.concatenate([rho, rho[:1], rho]), np.concatenate([ye, ye[:1], ye])
    temp, eps_table, press = eos.state_from("eps", rho3, eps, ye3, "eps", "press", temp_guess=np.full(7, 1.0))
    assert temp.tolist() == [temp_lo] * 4 + [temp_hi] * 3
    assert np.allclose(eps_table, np.concatenate([eps_lo, eps_lo[:1], eps_hi]), rtol=1e-14, atol=0)
    assert np.allclose(press, np.concatenate([press_lo, press_lo[:1], press_hi]), rtol=1e-14, atol=0)
    assert eos.out_of_range["inversion_low"] == 4 and eos.out_of_range["inversion_high"] == 3
    assert eos.temp_from_rho_press(1e9, 1e50, 0.3).tolist() == temp_hi
    assert eos.temp_from_rho_entropy(1e9, -1e3, 0.3).tolist() == temp_lo
    assert eos.out_of_range["inversion_low"] == 5 and eos.out_of_range["inversion_high"] == 4
    assert sum(eos.counts[:6]) == 0  # the temperature is not "clamped": it is the answer
    assert np.isnan(eos.temp_from_rho_eps(np.nan, 1e18, 0.3)) and np.isnan(eos.temp_from_rho_eps(1e9, np.nan, 0.3))


def test_non_monotonic_column_root_nearest_the_guess(tmp_path):
    """entropy = (log10 T - 0.4)^2 has two roots for 0 < s < max: the one
    nearest the guess, the lowest without a guess; outside: the node of the
    smallest (largest) value, counted."""
    logtemp = np.linspace(-1.0, 2.0, 16)
    functions = dict(TRILINEAR, entropy=lambda u, v, w: (v - 0.4) ** 2 + 0 * u)
    eos = TabulatedEOS(write_table(tmp_path / "bump.h5", np.linspace(3, 15, 7), logtemp, np.linspace(0.1, 0.5, 3),
                                   functions, energy_shift=SHIFT))
    nodes = (logtemp - 0.4) ** 2
    target = 0.3
    roots = []  # of the piecewise-linear interpolant through the nodes
    for j in range(logtemp.size - 1):
        if min(nodes[j], nodes[j + 1]) <= target <= max(nodes[j], nodes[j + 1]):
            t = (target - nodes[j]) / (nodes[j + 1] - nodes[j])
            roots.append(10.0 ** ((1 - t) * logtemp[j] + t * logtemp[j + 1]))
    assert len(roots) == 2
    rho, ye = np.full(4, 3e7), np.full(4, 0.27)
    found = eos.temp_from_rho_entropy(rho, target, ye, temp_guess=np.array([0.3, roots[0], roots[1], 40.0]))
    assert np.allclose(found, [roots[0], roots[0], roots[1], roots[1]], rtol=1e-13, atol=0)
    assert abs(eos.temp_from_rho_entropy(3e7, target, 0.27) / roots[0] - 1) < 1e-13
    j_min, j_max = np.argmin(nodes), np.argmax(nodes)
    assert eos.temp_from_rho_entropy(3e7, -1.0, 0.27, temp_guess=50.0) == 10.0 ** logtemp[j_min]
    assert eos.temp_from_rho_entropy(3e7, 9.0, 0.27, temp_guess=0.2) == 10.0 ** logtemp[j_max]
    assert eos.out_of_range["inversion_low"] == 1 and eos.out_of_range["inversion_high"] == 1


# ------------------------------------------------ a smooth nonlinear table

def ideal_gas_and_radiation(u, v, w):
    """(press erg/cm^3, eps erg/g, entropy k_B/baryon) of nucleons and
    electrons as a classical ideal gas (n = (1 + Ye) rho / m_u) plus
    photons (the Sackur-Tetrode constant replaced by 20)."""
    rho, kt = 10.0 ** u, 10.0 ** v * MEV
    radiation = RADIATION_CONSTANT * (10.0 ** v * MEV_TO_KELVIN) ** 4
    particles = (1.0 + w) / ATOMIC_MASS_UNIT
    press = particles * rho * kt + radiation / 3.0
    eps = 1.5 * particles * kt + radiation / rho
    entropy = (1.0 + w) * (1.5 * np.log(kt / MEV) - np.log(rho) + 20.0) + (4.0 / 3.0) * radiation / (
        rho / ATOMIC_MASS_UNIT * kt)
    return press, eps, entropy


SMOOTH = {
    "logpress": lambda u, v, w: np.log10(ideal_gas_and_radiation(u, v, w)[0]),
    "logenergy": lambda u, v, w: np.log10(ideal_gas_and_radiation(u, v, w)[1]),
    "entropy": lambda u, v, w: ideal_gas_and_radiation(u, v, w)[2],
    "cs2": lambda u, v, w: 5.0 / 3.0 * ideal_gas_and_radiation(u, v, w)[0] / 10.0 ** u,
}
# steps in log10 rho, log10 T, ye
STEPS = (0.25, 0.1, 0.05)


@pytest.fixture(scope="module")
def smooth_eos(tmp_path_factory):
    path = tmp_path_factory.mktemp("eos") / "smooth.h5"
    axes = (np.arange(4.0, 14.0 + 1e-9, STEPS[0]), np.arange(-1.0, 1.5 + 1e-9, STEPS[1]),
            np.arange(0.05, 0.55 + 1e-9, STEPS[2]))
    return TabulatedEOS(write_table(path, *axes, SMOOTH))


def test_smooth_table_error_below_the_interpolation_bound(smooth_eos):
    """|error of log10 P| <= sum_d h_d^2 / 8 max |d^2 log10 P / dx_d^2|
    (tensor-product linear interpolation). With P = P_gas + P_rad, x the gas
    fraction: d2/du2 = ln10 x (1 - x) <= ln10 / 4, d2/dv2 = 9 ln10 x (1 - x)
    <= 9 ln10 / 4, |d2/dw2| = x^2 / (ln10 (1 + w)^2) <= 1 / ln10; the same
    for log10 eps. Here: 0.0111 in log10, 2.6 % in P and eps."""
    eos = smooth_eos
    bound = STEPS[0] ** 2 / 8 * LN10 / 4 + STEPS[1] ** 2 / 8 * 9 * LN10 / 4 + STEPS[2] ** 2 / 8 / LN10
    assert abs(bound - 0.0111) < 1e-4
    rho, temp, ye = random_points(eos, 20000, seed=3)
    press, eps = eos.lookup(rho, temp, ye, "press", "eps")
    exact_press, exact_eps, _ = ideal_gas_and_radiation(np.log10(rho), np.log10(temp), ye)
    error_press = np.max(np.abs(np.log10(press / exact_press)))
    error_eps = np.max(np.abs(np.log10(eps / exact_eps)))
    assert 0.5 * bound < error_press <= bound and 0.5 * bound < error_eps <= bound  # measured: 0.0107


@pytest.mark.parametrize("quantity", ["eps", "press", "entropy"])
def test_inversion_round_trip_on_smooth_table(smooth_eos, quantity):
    eos = smooth_eos
    eos.reset_counts()
    rho, temp, ye = random_points(eos, 5000, seed=4)
    (value,) = eos.lookup(rho, temp, ye, quantity)
    for guess in (None, 10.0 ** np.random.default_rng(5).uniform(-1, 1.5, rho.size), temp):
        found = eos.state_from(quantity, rho, value, ye, temp_guess=guess)[0]
        assert np.max(np.abs(found / temp - 1.0)) < 1e-12
    assert eos.out_of_range == dict.fromkeys(COUNTERS, 0)


# ------------------------------------------------ the hydro interface

def test_from_rho_eps_matches_lookup_on_arrays_and_views(trilinear_eos):
    eos = trilinear_eos
    rho, temp, ye = (a.reshape(4, 5, 6) for a in random_points(eos, 120, seed=6))
    eps, press_exact, cs2 = eos.lookup(rho, temp, ye, "eps", "press", "cs2")
    eos_temp = np.full(rho.shape, 1.0)  # a guess
    press, gamma_c, gamma_e = (np.empty(rho.shape) for _ in range(3))
    eos.from_rho_eps(rho, eps, ye, eos_temp, press, gamma_c, gamma_e)
    assert np.max(np.abs(eos_temp / temp - 1.0)) < 1e-12
    assert np.max(np.abs(press / press_exact - 1.0)) < 1e-12
    assert np.max(np.abs(gamma_c / (rho * cs2 / press) - 1.0)) < 1e-12
    eps_min = 10.0 ** eos.tables["logenergy"].min() - SHIFT
    assert eps_min < 0.0 and eos.eps_zero == 0.1 * abs(eps_min) - eps_min
    assert np.max(np.abs(gamma_e / (1.0 + press / (rho * (eps + eos.eps_zero))) - 1.0)) < 1e-12
    assert np.all(gamma_e > 1.0) and np.min(eps) < 0.0
    # views (every other x cell of larger arrays) give the same numbers
    views = [np.zeros((4, 5, 12))[..., ::2] for _ in range(7)]
    for view, values in zip(views, (rho, eps, ye, np.full(rho.shape, 1.0))):
        view[...] = values
    eos.from_rho_eps(*views)
    for view, values in zip(views[3:], (eos_temp, press, gamma_c, gamma_e)):
        assert np.array_equal(view, values)
    # NaN energy (the hydro's bad cells) gives NaN pressure
    eps[0, 0, 0] = np.nan
    eos.from_rho_eps(rho, eps, ye, eos_temp, press, gamma_c, gamma_e)
    assert np.isnan(press[0, 0, 0]) and np.isnan(gamma_e[0, 0, 0]) and np.all(np.isfinite(press.flat[1:]))


def test_eps_from_rho_press_on_broadcast_inputs(trilinear_eos):
    eos = trilinear_eos
    rho = np.broadcast_to(1e10, (3, 4))  # read-only, zero strides
    ye = np.broadcast_to(0.35, (3, 4))
    temp = 10.0 ** np.linspace(-1.0, 1.5, 12).reshape(3, 4)
    press, eps = eos.lookup(rho, temp, ye, "press", "eps")
    state_temp = np.zeros((3, 4))  # no guess
    found = eos.eps_from_rho_press(rho, press, ye, state_temp)
    assert np.max(np.abs((found - eps) / (np.abs(eps) + SHIFT))) < 1e-13
    assert np.max(np.abs(state_temp / temp - 1.0)) < 1e-12
    assert np.array_equal(eos.eps_from_rho_press(rho, press, ye, None), found)
    assert eos.has_temperature is True


# ------------------------------------------------ file errors and config

@pytest.fixture
def good_table(tmp_path):
    return write_table(tmp_path / "good.h5", *trilinear_axes(), TRILINEAR, energy_shift=SHIFT)


def test_file_errors_name_the_file_and_the_problem(tmp_path, good_table):
    missing = str(tmp_path / "nothere.h5")
    with pytest.raises(FileNotFoundError, match="nothere.h5"):
        TabulatedEOS(missing)
    text = tmp_path / "table.txt"
    text.write_text("logrho logtemp\n")
    with pytest.raises(EOSTableError, match=r"table.txt'?: not a readable HDF5 file"):
        TabulatedEOS(text)
    path = write_table(tmp_path / "lacking.h5", *trilinear_axes(), TRILINEAR, skip=("Xh", "Abar"))
    with pytest.raises(EOSTableError, match=r"lacking.h5'?: missing dataset\(s\) Xh, Abar; .* needs logrho, "):
        TabulatedEOS(path)
    with h5py.File(good_table, "a") as stream:
        stream["Zbar"][...] = np.nan
    with pytest.raises(EOSTableError, match=r"dataset Zbar has 9000 non-finite values"):
        TabulatedEOS(good_table)


@pytest.mark.parametrize("name, value, message", [
    ("logpress", np.zeros((12, 25, 30)),
     r"dataset logpress has shape \(12, 25, 30\), expected \(nye, ntemp, nrho\) = \(12, 30, 25\)"),
    ("logtemp", np.r_[np.linspace(-1.5, 2.0, 29), 1.0], r"axis logtemp is not strictly increasing \(at index 29\)"),
    ("pointsye", [13], r"pointsye = \[13\] does not match the 12 points of ye"),
    ("energy_shift", [1.0, 2.0], r"energy_shift must be one finite number"),
])
def test_wrong_shapes_and_axes(good_table, name, value, message):
    with h5py.File(good_table, "a") as stream:
        del stream[name]
        stream[name] = value
    with pytest.raises(EOSTableError, match=message):
        TabulatedEOS(good_table)


def test_optional_datasets_may_be_missing(tmp_path):
    path = write_table(tmp_path / "lean.h5", *trilinear_axes(), TRILINEAR, skip=OPTIONAL_VARIABLES + (
        "pointsrho", "pointstemp", "pointsye"))
    eos = TabulatedEOS(path)
    assert eos.quantities == ("press", "eps") + REQUIRED_VARIABLES
    with pytest.raises(ValueError, match="'gamma' is not a quantity"):
        eos.lookup(1e9, 1.0, 0.3, "gamma")


def test_make_eos_table_kind(tmp_path, good_table):
    eos = make_eos(validate({"eos.kind": "table", "eos.table": good_table}, SCHEMA))
    assert isinstance(eos, TabulatedEOS) and eos.path == good_table and eos.energy_shift == SHIFT
    missing = str(tmp_path / "LS220.h5")
    with pytest.raises(ConfigError, match=f"eos.table = '{missing}': input file not found at {missing}"):
        make_eos(validate({"eos.kind": "table", "eos.table": missing}, SCHEMA))
    with pytest.raises(ConfigError, match="missing key eos.table: eos.kind = 'table' needs the path"):
        make_eos(validate({"eos.kind": "table"}, SCHEMA))
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(ConfigError, match="eos.table = .*notes.h5': EOS table .*not a readable HDF5 file"):
        make_eos(validate({"eos.kind": "table", "eos.table": str(text)}, SCHEMA))


def test_hydro_runs_on_a_table(smooth_eos):
    """A shock tube in the ideal gas + radiation table (eos.kind = "table"):
    initial temperatures from the pressures, 30 steps conserving mass and
    energy exactly, pressures staying within the initial ones, no clamps."""
    from parleak.parallel import WORLD
    from parleak.run_config import load_config
    from parleak.simulation import Simulation
    config = load_config(DRIVERS / "sod.toml", [
        ("eos.kind", "table"), ("eos.table", smooth_eos.path), ("grid.cells", [64]),
        ("sod.left", [1e10, 0.0, 1e29]), ("sod.right", [1.25e9, 0.0, 1e28])], 1)
    sim = Simulation(config, WORLD)
    sim.initialize()
    hydro, state = sim.physics_set.hydro, sim.state
    eos = hydro.eos
    eps_min = (10.0 ** eos.tables["logenergy"].min() - eos.energy_shift)
    assert isinstance(eos, TabulatedEOS) and eps_min > 0.0 and eos.eps_zero == 0.1 * eps_min - eps_min
    temp = state.interior("temp")
    left, right = eos.temp_from_rho_press([1e10, 1.25e9], [1e29, 1e28], 0.5)
    assert np.all(temp[..., :32] == left) and np.all(temp[..., 32:] == right)
    mass, energy = state.interior("dens").sum(), state.interior("etot").sum()
    time = 0.0
    for _ in range(30):
        dt = sim.integrator.stable_dt(0.4)
        sim.integrator.step(time, dt)
        time += dt
    assert state.interior("dens").sum() == pytest.approx(mass, rel=1e-14)
    assert state.interior("etot").sum() == pytest.approx(energy, rel=1e-14)
    press = hydro.primitives(sim.state).press[0, 0, 2:-2]
    assert np.all(press >= 1e28 * (1 - 1e-12)) and np.all(press <= 1e29 * (1 + 1e-12))
    assert 1e28 * 1.5 < press[32] < 1e29 / 1.5  # the wave passed the middle
    assert np.all(np.isfinite(state.interior("temp")))
    assert eos.out_of_range == dict.fromkeys(COUNTERS, 0)
