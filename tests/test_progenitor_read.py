"""parleak.progenitor: the real KEPLER and GR1D files (values from
/work/shared/data/README.md section 3), a MESA profile written here in
MESA's layout, detection, and the errors of malformed files (file, line
and column in the message)."""

import numpy as np
import pytest

from helpers import real_input
from parleak.constants import MEV_TO_KELVIN, SOLAR_MASS
from parleak.progenitor import ProgenitorError, read_profile

KEPLER = "progenitors/s20_W2007_KEPLER_presn.txt"
SHORT = "progenitors/s13.6_S16.short"


def shell_mass(profile):
    """Enclosed mass (g) at each shell's outer edge: 4 pi r^2 rho dr with
    the edges halfway between centres (0 inside the first, the last centre
    outside the last)."""
    r = profile.radius
    edges = np.concatenate(([0.0], 0.5 * (r[1:] + r[:-1]), [r[-1]]))
    return np.cumsum(4.0 / 3.0 * np.pi * np.diff(edges ** 3) * profile.density), edges[1:]


def test_kepler_file():
    path = real_input(KEPLER)
    profile = read_profile(path)
    assert profile.format == "kepler" and profile.path == str(path)
    assert profile.radius.size == 1124  # 1125 rows less the converter's copy at r = 1 cm
    assert profile.radius[0] == 3.1963506963771717e+06
    assert profile.density[0] == pytest.approx(3.6355e9, rel=1e-4)
    assert profile.temperature[0] == 7.7953742849345970e+09 / MEV_TO_KELVIN
    assert profile.temperature[0] == pytest.approx(0.672, abs=5e-4)
    assert profile.ye[0] == pytest.approx(0.4429, abs=5e-5)
    assert profile.velocity[0] == -2.3730345647888035e+06
    assert profile.enclosed_mass is None
    mass, edges = shell_mass(profile)
    assert mass[-1] / SOLAR_MASS == pytest.approx(15.94, abs=0.005)
    assert np.interp(1.5 * SOLAR_MASS, mass, edges) == pytest.approx(1.50e8, rel=0.005)
    for array in (profile.radius, profile.density, profile.temperature, profile.ye, profile.velocity):
        assert array.dtype == np.float64 and not array.flags.writeable


def test_short_file():
    profile = read_profile(real_input(SHORT))
    assert profile.format == "short" and profile.radius.size == 1075
    assert profile.density[0] == pytest.approx(6.30e9, rel=1e-3)
    assert profile.temperature[0] == pytest.approx(7.53e9 / MEV_TO_KELVIN, rel=1e-3)
    assert profile.ye[0] == pytest.approx(0.4389, abs=5e-5)
    assert profile.enclosed_mass[-1] == 2.340265950258838e+34  # grams: GR1D's rule, last value > 1e10
    assert profile.enclosed_mass[-1] / SOLAR_MASS == pytest.approx(11.77, abs=0.005)
    assert profile.radius[-1] == pytest.approx(5.34e13, rel=1e-3)


@pytest.mark.parametrize("name, wrong", [(KEPLER, "short"), (KEPLER, "mesa"), (SHORT, "kepler"), (SHORT, "mesa")])
def test_explicit_wrong_format(name, wrong):
    path = real_input(name)
    right = "kepler" if name == KEPLER else "short"
    assert read_profile(path, right).format == right
    with pytest.raises(ProgenitorError) as err:
        read_profile(path, wrong)
    message = str(err.value)
    assert str(path) in message and f"layout of format {wrong!r}" in message
    assert f"looks like format {right!r}" in message


def test_unknown_format_and_undetectable_file(tmp_path):
    with pytest.raises(ProgenitorError, match="'gr1d' is not one of auto, kepler, short, mesa"):
        read_profile(tmp_path / "x", "gr1d")
    path = tmp_path / "notes.txt"
    path.write_text("hello world\n1 2 3\n")
    with pytest.raises(ProgenitorError, match="tried short .*, mesa .* and kepler"):
        read_profile(path)


# --- MESA ------------------------------------------------------------------

RSUN = 6.957e10
MESA_SKIP = "the optional mesa-reader (scripts/setup.sh: pip install --no-deps mesa-reader; pandas) cannot be imported"


def write_mesa(path, columns, rows, header=None):
    """A MESA profile (profile_columns.list layout): column numbers,
    header names, header values, blank, column numbers, names, rows
    (surface first)."""
    header = header or {"model_number": 1234, "num_zones": len(rows), "star_mass": 15.0,
                        "version_number": '"r24.03.1"', "msun": SOLAR_MASS, "rsun": RSUN}

    def line(items):
        return "".join(f"{item:>40}" for item in items) + "\n"

    def number(v):
        return repr(v) if isinstance(v, int) else repr(float(v))
    text = (line(range(1, len(header) + 1)) + line(header) + line(header.values()) + "\n"
            + line(range(1, len(columns) + 1)) + line(columns) + "".join(line(map(number, r)) for r in rows))
    path.write_text(text)
    return path


MESA_COLUMNS = ("zone", "mass", "radius_cm", "rho", "temperature", "velocity", "ye")
MESA_ROWS = [  # surface first; radius, velocity and mass at each cell's outer face
    (1, 1.5, 3e8, 1e5, 2e9, -3e7, 0.5),
    (2, 1.0, 2e8, 1e7, 5e9, -2e7, 0.47),
    (3, 0.25, 1e8, 1e9, 8e9, -1e7, 0.44),
]


def test_mesa_profile(tmp_path):
    pytest.importorskip("mesa_reader", reason=MESA_SKIP)
    path = write_mesa(tmp_path / "profile1.data", MESA_COLUMNS, MESA_ROWS)
    profile = read_profile(path)
    assert profile.format == "mesa"
    # cell volume centres ((r_in^3 + r_out^3) / 2)^(1/3), faces 0, 1e8, 2e8, 3e8
    centres = np.cbrt([0.5e24, 4.5e24, 17.5e24])
    np.testing.assert_allclose(profile.radius, centres, rtol=1e-15)
    np.testing.assert_array_equal(profile.density, [1e9, 1e7, 1e5])
    np.testing.assert_array_equal(profile.temperature, np.array([8e9, 5e9, 2e9]) / MEV_TO_KELVIN)
    np.testing.assert_array_equal(profile.ye, [0.44, 0.47, 0.5])
    # linear in r between the faces' velocities (0 at the centre)
    expected = [-1e7 * centres[0] / 1e8, -1e7 - 1e7 * (centres[1] - 1e8) / 1e8, -2e7 - 1e7 * (centres[2] - 2e8) / 1e8]
    np.testing.assert_allclose(profile.velocity, expected, rtol=1e-15)
    np.testing.assert_array_equal(profile.enclosed_mass, np.array([0.25, 1.0, 1.5]) * SOLAR_MASS)


def test_mesa_logarithmic_columns_in_solar_units(tmp_path):
    pytest.importorskip("mesa_reader", reason=MESA_SKIP)
    rows = [(k, m, np.log10(r / RSUN), np.log10(t), np.log10(d), y) for k, m, r, d, t, _, y in MESA_ROWS]
    path = write_mesa(tmp_path / "profile2.data", ("zone", "mass", "logR", "logT", "logRho", "ye"), rows)
    profile = read_profile(path, "mesa")
    np.testing.assert_allclose(profile.radius, np.cbrt([0.5e24, 4.5e24, 17.5e24]), rtol=1e-13)
    np.testing.assert_allclose(profile.density, [1e9, 1e7, 1e5], rtol=1e-13)
    np.testing.assert_allclose(profile.temperature * MEV_TO_KELVIN, [8e9, 5e9, 2e9], rtol=1e-13)
    np.testing.assert_array_equal(profile.velocity, 0.0)  # no velocity column: at rest


def test_mesa_errors(tmp_path):
    pytest.importorskip("mesa_reader", reason=MESA_SKIP)
    rows = [list(r) for r in MESA_ROWS]
    rows[1][3] = -1e7
    path = write_mesa(tmp_path / "negative.data", MESA_COLUMNS, rows)
    with pytest.raises(ProgenitorError, match=rf"{path}', line 8, column 4 \(rho\): density -10000000.0 must be > 0"):
        read_profile(path)
    path = write_mesa(tmp_path / "noye.data", MESA_COLUMNS[:-1], [r[:-1] for r in MESA_ROWS])
    with pytest.raises(ProgenitorError, match="line 6: the profile has none of the columns ye"):
        read_profile(path)
    text = write_mesa(tmp_path / "short_row.data", MESA_COLUMNS, MESA_ROWS).read_text().splitlines()
    text[8] = text[8].rsplit(None, 1)[0]
    (tmp_path / "short_row.data").write_text("\n".join(text) + "\n")
    with pytest.raises(ProgenitorError, match=r"line 9, column 7 \(ye\): 6 fields where"):
        read_profile(tmp_path / "short_row.data")


def test_missing_mesa_reader_says_what_to_install(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "mesa_reader", None)  # import mesa_reader raises ImportError
    path = write_mesa(tmp_path / "profile.data", MESA_COLUMNS, MESA_ROWS)
    with pytest.raises(ProgenitorError, match=r"pip install mesa-reader \(or pip install parleak\[mesa\]\)"):
        read_profile(path)


# --- malformed copies of the real files --------------------------------------

def edited(source, tmp_path, line, edit, newline="\n"):
    """A copy of `source` with line `line` (1-based) replaced by
    edit(its fields) joined by spaces (None: removed)."""
    lines = source.read_text().splitlines()
    fields = edit(lines[line - 1].split())
    lines[line - 1:line] = [] if fields is None else [" ".join(fields)]
    path = tmp_path / ("copy" + source.suffix)
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    return path


def replace(j, value):
    return lambda fields: fields[:j] + [value] + fields[j + 1:]


@pytest.mark.parametrize("line, edit, where, what", [
    (10, replace(2, "7.7x9"), "line 10, column 3 (temperature)", "'7.7x9' is not a number"),
    (10, lambda f: f[:-1], "line 10, column 7 (omega)", "6 fields where 7 are expected"),
    (10, replace(0, "1.0e5"), "line 10, column 1 (radius)", "radius 100000.0 does not exceed"),
    (12, replace(1, "-3.0e9"), "line 12, column 2 (density)", "density -3000000000.0 must be > 0"),
    (12, replace(4, "1.2"), "line 12, column 5 (ye)", "ye 1.2 must lie in (0, 1]"),
    (12, replace(3, "nan"), "line 12, column 4 (radial velocity)", "nan is not a finite number"),
    (3, lambda f: [f[0], "[cm]", "[g/cm^3]", "[MeV]"] + f[4:], "line 3, column 3 (temperature)", "unit [MeV]"),
])
def test_malformed_kepler(tmp_path, line, edit, where, what):
    path = edited(real_input(KEPLER), tmp_path, line, edit)
    with pytest.raises(ProgenitorError) as err:
        read_profile(path)
    assert str(path) in str(err.value) and where in str(err.value) and what in str(err.value)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("line, edit, where, what", [
    (500, replace(3, "T"), "line 500, column 4 (temperature)", "'T' is not a number"),
    (500, lambda f: f[:6], "line 500, column 7 (ye)", "6 fields where 8 are expected"),
    (500, replace(2, "1e3"), "line 500, column 3 (radius)", "does not exceed"),
    (500, replace(4, "-1.0"), "line 500, column 5 (density)", "density -1.0 must be > 0"),
    (500, replace(0, "7"), "line 500, column 1 (index)", "zone index 7, expected 499"),
    (700, lambda f: None, "line 1, column 1 (zone count)", "the zone count is 1075 but 1074 zone lines follow"),
])
def test_malformed_short(tmp_path, newline, line, edit, where, what):
    path = edited(real_input(SHORT), tmp_path, line, edit, newline)
    with pytest.raises(ProgenitorError) as err:
        read_profile(path, "short")
    assert str(path) in str(err.value) and where in str(err.value) and what in str(err.value)


def test_short_file_with_lf_line_ends_reads_the_same(tmp_path):
    source = real_input(SHORT)
    assert b"\r\n" in source.read_bytes()
    copy = edited(source, tmp_path, 1, lambda f: f, "\n")
    a, b = read_profile(source), read_profile(copy)
    for name in ("radius", "density", "temperature", "ye", "velocity", "enclosed_mass"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
