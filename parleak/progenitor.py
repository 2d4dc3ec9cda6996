"""Reading pre-supernova progenitor profiles (layer: io; numpy only, no
MPI, grid or config). `read_profile(path, format)` returns a Profile with
zone-centre radius (cm), density (g/cm^3), temperature (MeV), Ye,
radial velocity (cm/s) and, where the file has one, its enclosed-mass
column (g), ordered centre to surface.

Formats (`format="auto"` detects them from the file, in this order):

- "short": GR1D's `.short` profile (O'Connor & Ott 2010, CQG 27, 114103;
  GR1D's `read_profile` / `map_profile`): line 1 the zone count, then one
  line per zone of 8 fields: index, enclosed mass, radius (cm, zone
  centre), T (K), rho, v (cm/s), Ye, omega. The mass is in grams if its
  last value exceeds 1e10 (GR1D's rule), else in solar masses. CRLF or LF.
- "mesa": a MESA profile (Paxton et al. 2011, ApJS 192, 3; the layout of
  `star/defaults/profile_columns.list`): line 1 column numbers, line 2
  header names, line 3 header values, a blank line, column numbers,
  column names, then one line per zone from the SURFACE (zone 1) to the
  centre. Read with the `mesa-reader` package (`mesa_reader.MesaData`,
  the optional extra parleak[mesa]); columns by name (see _read_mesa).
- "kepler": a KEPLER presupernova profile as the GAMER code's converter
  writes it: '#' header lines (one names the columns, one gives units in
  brackets), then 7 columns radius (cm, zone centre), rho, T (K), v
  (cm/s), Ye, P, omega. The columns are found by the header's names where
  it has them. The converter prepends a copy of the innermost zone at
  r = 1 cm: a first row equal to the second in every column but the radius
  is dropped, so that zone's mass is not counted twice.

Temperatures in kelvin become MeV with parleak.constants.MEV_TO_KELVIN.
Every malformed file raises ProgenitorError naming the file, the line and
the column (field number and name).
"""

import os
import re
from dataclasses import dataclass

import numpy as np

from parleak.constants import MEV_TO_KELVIN, SOLAR_MASS

FORMATS = ("auto", "kepler", "short", "mesa")
MESA_MISSING = ("reading MESA profiles needs the optional package mesa-reader: "
                "pip install mesa-reader (or pip install parleak[mesa])")
SHORT_COLUMNS = ("index", "mass", "radius", "temperature", "density", "velocity", "ye", "omega")
KEPLER_COLUMNS = ("radius", "density", "temperature", "radial velocity", "ye", "pressure", "omega")
KEPLER_UNITS = {"radius": "[cm]", "density": "[g/cm^3]", "temperature": "[K]", "radial velocity": "[cm/s]", "ye": "[1]"}
GR1D_GRAMS = 1e10  # GR1D: a last mass value above this means grams, else solar masses


class ProgenitorError(ValueError):
    """A progenitor file that cannot be read; the message names the file
    and, where one is at fault, the line and the column."""


@dataclass(frozen=True)
class Profile:
    """A progenitor, centre to surface, one entry per zone: radius (cm,
    zone centres, strictly increasing, > 0), density (g/cm^3, > 0),
    temperature (MeV, > 0), ye (in (0, 1]), velocity (radial, cm/s),
    enclosed_mass (g, the file's own mass column, or None where it has
    none); float64 read-only arrays. format: the format it was read as."""

    path: str
    format: str
    radius: np.ndarray
    density: np.ndarray
    temperature: np.ndarray
    ye: np.ndarray
    velocity: np.ndarray
    enclosed_mass: np.ndarray = None


def _where(path, line=None, field=None, name=None):
    text = f"progenitor file {os.fspath(path)!r}"
    if line is not None:
        text += f", line {line}"
    if field is not None:
        text += f", column {field} ({name})"
    return text


def _error(path, message, line=None, field=None, name=None):
    return ProgenitorError(f"{_where(path, line, field, name)}: {message}")


def _lines(path):
    """[(line number, text)] of the file's lines (any line ends)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return list(enumerate(handle.read().splitlines(), start=1))
    except OSError as err:
        raise _error(path, f"cannot be read ({err.strerror or err})") from None


def _content(lines):
    return [(n, text) for n, text in lines if text.strip()]


def _table(path, rows, names):
    """The numbers of `rows` ([(line number, text)]), one column per name
    in `names`: array (rows, columns); ProgenitorError at the first field
    that is missing, extra or not a number."""
    values = np.empty((len(rows), len(names)))
    for i, (number, text) in enumerate(rows):
        fields = text.split()
        if len(fields) != len(names):
            j = min(len(fields), len(names))
            name = names[j] if j < len(names) else "beyond the last column"
            what = "missing" if len(fields) < len(names) else "extra"
            raise _error(path, f"{len(fields)} fields where {len(names)} are expected ({' '.join(names)}): "
                         f"field {j + 1} is {what}", number, j + 1, name)
        for j, field in enumerate(fields):
            try:
                values[i, j] = float(field)
            except ValueError:
                raise _error(path, f"{field!r} is not a number", number, j + 1, names[j]) from None
    return values


def _checked(path, numbers, columns):
    """Check the file's columns ({quantity: (values centre first, field
    number, column name)}) row by row (line numbers `numbers`): every value
    finite, radius > 0 and strictly increasing, density and temperature
    > 0, Ye in (0, 1]. ProgenitorError at the first failure."""
    for quantity, (values, field, name) in columns.items():
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise _error(path, f"{values[bad[0]]} is not a finite number", numbers[bad[0]], field, name)
    tests = {"radius": (lambda r: r > 0.0, "must be > 0"),
             "density": (lambda d: d > 0.0, "must be > 0"),
             "temperature": (lambda t: t > 0.0, "must be > 0"),
             "ye": (lambda y: (y > 0.0) & (y <= 1.0), "must lie in (0, 1]")}
    for quantity, (test, rule) in tests.items():
        values, field, name = columns[quantity]
        bad = np.flatnonzero(~test(values))
        if bad.size:
            raise _error(path, f"{quantity} {values[bad[0]]!r} {rule}", numbers[bad[0]], field, name)
    radius, field, name = columns["radius"]
    bad = np.flatnonzero(np.diff(radius) <= 0.0)
    if bad.size:
        i = bad[0] + 1
        raise _error(path, f"radius {radius[i]!r} does not exceed the previous zone's {radius[i - 1]!r} (line "
                     f"{numbers[i - 1]}): radii must increase strictly from the centre", numbers[i], field, name)


def _frozen(array):
    array = np.array(array, dtype=np.float64)
    array.setflags(write=False)
    return array


def _profile(path, fmt, radius, density, temperature_k, ye, velocity, mass):
    return Profile(os.fspath(path), fmt, _frozen(radius), _frozen(density), _frozen(temperature_k / MEV_TO_KELVIN),
                   _frozen(ye), _frozen(velocity), None if mass is None else _frozen(mass))


def _is_int(text):
    return re.fullmatch(r"[+-]?\d+", text) is not None


def _looks_short(lines):
    content = _content(lines)
    return bool(content) and len(content[0][1].split()) == 1 and _is_int(content[0][1].strip())


def _looks_mesa(lines):
    """MESA's layout: column numbers 1..n, n names, n values, a blank line,
    column numbers 1..m, m names."""
    if len(lines) < 7:
        return False
    row = [lines[i][1].split() for i in range(6)]

    def numbered(fields):
        return bool(fields) and fields == [str(k) for k in range(1, len(fields) + 1)]
    return (numbered(row[0]) and len(row[1]) == len(row[2]) == len(row[0]) and not row[3]
            and numbered(row[4]) and len(row[5]) == len(row[4]))


def _looks_kepler(lines):
    content = _content(lines)
    header = [t for _, t in content if t.lstrip().startswith("#")]
    data = [t for _, t in content if not t.lstrip().startswith("#")]
    if not header or not data or not content[0][1].lstrip().startswith("#"):
        return False
    return len(data[0].split()) == len(KEPLER_COLUMNS)


def _read_short(path, lines):
    content = _content(lines)
    if not _looks_short(lines):
        raise _wrong_layout(path, lines, "short", "the first line the zone count (one integer)")
    (count_line, count_text), rows = content[0], content[1:]
    count = int(count_text)
    if count != len(rows):
        raise _error(path, f"the zone count is {count} but {len(rows)} zone lines follow", count_line, 1, "zone count")
    values = _table(path, rows, SHORT_COLUMNS)
    numbers = [n for n, _ in rows]
    wrong = np.flatnonzero(values[:, 0] != np.arange(1, count + 1))
    if wrong.size:
        raise _error(path, f"zone index {values[wrong[0], 0]:g}, expected {wrong[0] + 1}", numbers[wrong[0]], 1,
                     "index")
    col = {name: values[:, j] for j, name in enumerate(SHORT_COLUMNS)}
    _checked(path, numbers, {q: (col[q], SHORT_COLUMNS.index(q) + 1, q)
                             for q in ("radius", "density", "temperature", "ye", "velocity", "mass")})
    mass = col["mass"] if col["mass"][-1] > GR1D_GRAMS else col["mass"] * SOLAR_MASS
    return _profile(path, "short", col["radius"], col["density"], col["temperature"], col["ye"], col["velocity"], mass)


def _kepler_names(path, header):
    """The column names from the '#' header lines ([(line number, text)]):
    the line whose fields (separated by 2 or more spaces) include radius,
    checked against the units line (fields in brackets); the GAMER
    converter's order where no line names them."""
    names = list(KEPLER_COLUMNS)
    for _, text in header:
        fields = [f.lower() for f in re.split(r"\s{2,}", text.lstrip("#").strip())]
        if "radius" in fields:
            names = fields
    for number, text in header:
        units = text.lstrip("#").split()
        if len(units) == len(names) and all(u.startswith("[") for u in units):
            for j, (name, unit) in enumerate(zip(names, units)):
                if name in KEPLER_UNITS and unit != KEPLER_UNITS[name]:
                    raise _error(path, f"unit {unit}, expected {KEPLER_UNITS[name]}", number, j + 1, name)
    missing = [name for name in KEPLER_UNITS if name not in names]
    if missing:
        raise _error(path, f"the header names no column {missing[0]!r} (it names {', '.join(names)})",
                     header[-1][0])
    return names


def _read_kepler(path, lines):
    content = _content(lines)
    header = [(n, t) for n, t in content if t.lstrip().startswith("#")]
    rows = [(n, t) for n, t in content if not t.lstrip().startswith("#")]
    if not header or header[0] != content[0] or not rows:
        raise _wrong_layout(path, lines, "kepler", "'#' header lines, then lines of 7 columns")
    names = _kepler_names(path, header)
    values = _table(path, rows, names)
    if len(values) > 1 and np.array_equal(np.delete(values[0], names.index("radius")),
                                          np.delete(values[1], names.index("radius"))):
        values, rows = values[1:], rows[1:]  # the converter's copy of the innermost zone at r = 1 cm
    col = {name: values[:, j] for j, name in enumerate(names)}
    quantities = {"radius": "radius", "density": "density", "temperature": "temperature", "ye": "ye",
                  "velocity": "radial velocity"}
    _checked(path, [n for n, _ in rows], {q: (col[c], names.index(c) + 1, c) for q, c in quantities.items()})
    return _profile(path, "kepler", col["radius"], col["density"], col["temperature"], col["ye"],
                    col["radial velocity"], None)


def _mesa_column(path, data, numbers, choices, required=True):
    """(values centre first, field number, name) of the first of the
    column names `choices` the MESA profile has, 10**values for a name
    starting with "log"; None if it has none and not required."""
    names = list(data.bulk_names)
    present = [name for name in choices if name in names]
    if not present:
        if required:
            raise _error(path, f"the profile has none of the columns {', '.join(choices)}", 6)
        return None
    name = present[0]
    raw = np.asarray(data.data(name))
    try:
        values = raw.astype(np.float64)[::-1]
    except ValueError:
        bad = next(i for i, v in enumerate(raw) if not _is_float(v))
        raise _error(path, f"{raw[bad]!r} is not a number", numbers[::-1][bad], names.index(name) + 1, name) from None
    return (10.0 ** values if name.startswith("log") else values), names.index(name) + 1, name


def _is_float(value):
    try:
        float(value)
        return True
    except ValueError:
        return False


def _read_mesa(path, lines):
    """A MESA profile through mesa_reader.MesaData. Columns by name:
    radius from radius_cm (cm), radius or logR (R_sun, times the header's
    rsun); density from rho, density or logRho; temperature from
    temperature or logT (K); ye (required); velocity (cm/s; zero where the
    profile has none); mass (M_sun, times the header's msun, else
    parleak.constants.SOLAR_MASS) into enclosed_mass. MESA gives radius,
    velocity and mass at each cell's OUTER face (profile_columns.list):
    the radius becomes the cell's volume centre
    r_c = ((r_in^3 + r_out^3) / 2)^(1/3) (r_in: the face below, 0 at the
    centre), the velocity is interpolated linearly in r between the faces
    (0 at r = 0) to r_c, and enclosed_mass stays the mass inside the outer
    face, as the file has it."""
    if not _looks_mesa(lines):
        raise _wrong_layout(path, lines, "mesa", "line 1 column numbers, line 2 header names, line 3 header "
                            "values, a blank line, column numbers, column names, data")
    try:
        import mesa_reader
    except ImportError as err:  # mesa_reader itself, or its pandas
        raise _error(path, f"{MESA_MISSING} ({err})") from None
    names = lines[5][1].split()
    rows = _content(lines[6:])
    for number, text in rows:
        if len(text.split()) != len(names):
            j = min(len(text.split()), len(names))
            raise _error(path, f"{len(text.split())} fields where the column names line (6) has {len(names)}",
                         number, j + 1, names[j] if j < len(names) else "beyond the last column")
    try:
        data = mesa_reader.MesaData(os.fspath(path), file_type="log")
    except Exception as err:  # mesa_reader and pandas raise many kinds; the message says what failed
        raise _error(path, f"mesa_reader cannot read it: {err}") from None
    numbers = [n for n, _ in rows][::-1]
    columns = {
        "radius": _mesa_column(path, data, numbers, ("radius_cm", "radius", "logR")),
        "density": _mesa_column(path, data, numbers, ("rho", "density", "logRho")),
        "temperature": _mesa_column(path, data, numbers, ("temperature", "logT")),
        "ye": _mesa_column(path, data, numbers, ("ye",)),
        "velocity": _mesa_column(path, data, numbers, ("velocity",), required=False),
        "mass": _mesa_column(path, data, numbers, ("mass",), required=False),
    }
    if columns["radius"][2] != "radius_cm":
        if "rsun" not in data.header_data:
            raise _error(path, "radii in solar radii need the header value rsun (cm); add it, or the column "
                         "radius_cm, to the profile", 2)
        values, field, name = columns["radius"]
        columns["radius"] = (values * float(data.header_data["rsun"]), field, name)
    _checked(path, numbers, {q: c for q, c in columns.items() if c is not None})
    outer = columns["radius"][0]
    inner = np.concatenate(([0.0], outer[:-1]))
    centre = np.cbrt(0.5 * (inner ** 3 + outer ** 3))
    if columns["velocity"] is None:
        velocity = np.zeros_like(outer)
    else:
        v_out = columns["velocity"][0]
        v_in = np.concatenate(([0.0], v_out[:-1]))
        velocity = v_in + (v_out - v_in) * (centre - inner) / (outer - inner)
    msun = float(data.header_data.get("msun", SOLAR_MASS))
    mass = None if columns["mass"] is None else columns["mass"][0] * msun
    return _profile(path, "mesa", centre, columns["density"][0], columns["temperature"][0], columns["ye"][0],
                    velocity, mass)


def _wrong_layout(path, lines, fmt, layout):
    """ProgenitorError: the file lacks the layout of format `fmt`, with the
    format it looks like where one fits."""
    found = [name for name, (looks, _) in READERS.items() if looks(lines)]
    hint = f"; it looks like format {found[0]!r}" if found else ""
    return _error(path, f"does not have the layout of format {fmt!r} ({layout}){hint}")


READERS = {"short": (_looks_short, _read_short), "mesa": (_looks_mesa, _read_mesa),
           "kepler": (_looks_kepler, _read_kepler)}


def detect_format(path, lines=None):
    """The format of the file at `path` ("short", "mesa" or "kepler", tried
    in that order); ProgenitorError saying which were tried."""
    lines = _lines(path) if lines is None else lines
    for name, (looks, _) in READERS.items():
        if looks(lines):
            return name
    raise _error(path, "not a recognised progenitor format; tried short (a zone-count line, then 8 columns), "
                 "mesa (MESA's profile header layout) and kepler ('#' header lines, then 7 numeric columns)")


def read_profile(path, format="auto"):
    """The Profile in the file at `path`; format: one of FORMATS ("auto"
    detects it). ProgenitorError naming the file, line and column where
    the file is malformed (see the module docstring)."""
    if format not in FORMATS:
        raise ProgenitorError(f"progenitor format {format!r} is not one of {', '.join(FORMATS)}")
    lines = _lines(path)
    return READERS[detect_format(path, lines) if format == "auto" else format][1](path, lines)
