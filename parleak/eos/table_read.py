"""Reading and checking a nuclear EOS table (layer: eos; imports h5py,
numpy and parleak.constants, parleak.eos.compose_read): read_table returns
the datasets of the stellarcollapse.org layout (O'Connor & Ott 2010; the
format is described in parleak.eos.table) as float64 arrays, or raises
EOSTableError naming the file and the dataset.

Two layouts are read, told apart by the datasets present (the layout with
the larger share of its required datasets in the file): the
stellarcollapse.org layout, and the CompOSE layout written by PyCompOSE,
converted on read by parleak.eos.compose_read. A file with none of either
is refused with the datasets each layout needs.

energy_shift is read whatever integer or float type the file stores it in
(int32 7 in GRHayL's SFHo sample, float64 -0.0 in EOS_Omni's test table).

cs2 is returned as the Newtonian adiabatic sound speed squared Gamma P /
rho (cm^2/s^2), what the hydro's gamma_c = rho cs2 / P needs. Tables made
by the SRO code (Schneider, Roberts & Ott 2017, PRC 96, 065802) store the
relativistic cs2 = Gamma P / (rho h) c^2, h = c^2 + eps + P / rho, and say
so with have_rel_cs2 = 1; read_table multiplies it by h / c^2 = 1 + (eps +
P / rho) / c^2 (eps from the free-neutron rest mass with rho = n m_n, the
SRO convention). Without that factor gamma_c would be Gamma / h: 1e-4 of
Gamma in the hot, dilute corner (eps >> c^2) and 1 % low in bound matter.

Round-off negatives of the mass fractions Xa, Xh, Xn, Xp (above
-ROUNDOFF_NEGATIVE) are set to 0: the SRO table holds them down to -9e-15
(SRO_TABLE.md section 4.6), and they made the leakage's absorption
opacities (proportional to Xn, Xp) negative. Other values are kept.
"""

import os

import h5py
import numpy as np

from parleak.constants import SPEED_OF_LIGHT
from parleak.eos import compose_read

AXES = ("logrho", "logtemp", "ye")
REQUIRED_VARIABLES = ("logpress", "logenergy", "entropy", "cs2", "mu_e", "mu_n", "mu_p", "muhat",
                      "Xa", "Xh", "Xn", "Xp", "Abar", "Zbar")
OPTIONAL_VARIABLES = ("munu", "gamma", "dedt", "dpdrhoe", "dpderho")
MASS_FRACTIONS = ("Xa", "Xh", "Xn", "Xp")
ROUNDOFF_NEGATIVE = 1e-10  # mass fractions in (-1e-10, 0) are round-off, read as 0
REQUIRED_DATASETS = AXES + ("energy_shift",) + REQUIRED_VARIABLES
POINTS = {"logrho": "pointsrho", "logtemp": "pointstemp", "ye": "pointsye"}


class EOSTableError(ValueError):
    """A file that is not a usable stellarcollapse.org table; the message
    names the file and what is wrong."""


# ---------------------------------------------------------------- reading

def _fail(path, message):
    raise EOSTableError(f"EOS table {path!r}: {message}")


def _check_axis(path, name, axis, points):
    if axis.ndim != 1 or axis.size < 2:
        _fail(path, f"dataset {name} has shape {axis.shape}, expected a 1-D axis of at least 2 points")
    if not np.all(np.isfinite(axis)):
        _fail(path, f"axis {name} has non-finite values")
    steps = np.diff(axis)
    if not np.all(steps > 0.0):
        _fail(path, f"axis {name} is not strictly increasing (at index {int(np.argmin(steps > 0.0)) + 1})")
    if points is not None and (points.size != 1 or int(points.reshape(-1)[0]) != axis.size):
        _fail(path, f"{POINTS[name]} = {points.astype(np.int64).tolist()} does not match the {axis.size} points "
                    f"of {name}")


def _share_present(stream, names):
    return sum(isinstance(stream.get(name), h5py.Dataset) for name in names) / len(names)


def read_table(path):
    """{dataset name: float64 array} of the stellarcollapse.org layout of
    the table at `path` (required datasets and the optional variables
    present), checked; a CompOSE-layout file converted (module docstring).
    FileNotFoundError for a missing file, EOSTableError for anything else
    that is wrong, naming the file and the dataset."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"EOS table {path!r} does not exist (or is not a file)")
    try:
        stream = h5py.File(path, "r")
    except OSError as err:
        _fail(path, f"not a readable HDF5 file (corrupt or another format): {err}")
    with stream:
        stellarcollapse = _share_present(stream, REQUIRED_DATASETS)
        compose = _share_present(stream, compose_read.REQUIRED_DATASETS)
        if stellarcollapse == compose == 0.0:
            _fail(path, f"holds datasets {', '.join(list(stream)[:20]) or '(none)'}, in neither layout parleak "
                        f"reads: a stellarcollapse.org table needs {', '.join(REQUIRED_DATASETS)}; a CompOSE "
                        f"(PyCompOSE) table needs {', '.join(compose_read.REQUIRED_DATASETS)}")
        if compose > stellarcollapse:
            return compose_read.read_compose(stream, lambda message: _fail(path, message))
        relativistic_cs2 = isinstance(stream.get("have_rel_cs2"), h5py.Dataset) and bool(stream["have_rel_cs2"][()])
        missing = [name for name in REQUIRED_DATASETS if not isinstance(stream.get(name), h5py.Dataset)]
        if missing:
            _fail(path, f"missing dataset(s) {', '.join(missing)}; a stellarcollapse.org table needs "
                        f"{', '.join(REQUIRED_DATASETS)} (optional: {', '.join(OPTIONAL_VARIABLES)})")
        names = REQUIRED_DATASETS + tuple(n for n in OPTIONAL_VARIABLES + tuple(POINTS.values())
                                          if isinstance(stream.get(n), h5py.Dataset))
        data = {}
        for name in names:
            try:
                data[name] = np.asarray(stream[name][()], dtype=np.float64)
            except (OSError, ValueError, TypeError) as err:
                _fail(path, f"dataset {name} cannot be read as numbers: {err}")
    for name in AXES:
        _check_axis(path, name, data[name], data.pop(POINTS[name], None))
    if data["energy_shift"].size != 1 or not np.isfinite(data["energy_shift"]).all():
        _fail(path, f"energy_shift must be one finite number, got {data['energy_shift'].tolist()}")
    shape = (data["ye"].size, data["logtemp"].size, data["logrho"].size)
    for name in REQUIRED_VARIABLES + OPTIONAL_VARIABLES:
        if name not in data:
            continue
        if data[name].shape != shape:
            _fail(path, f"dataset {name} has shape {data[name].shape}, expected (nye, ntemp, nrho) = {shape} "
                        "from the axes ye, logtemp, logrho")
        if name in REQUIRED_VARIABLES and not np.all(np.isfinite(data[name])):
            _fail(path, f"dataset {name} has {int(np.sum(~np.isfinite(data[name])))} non-finite values")
    for name in MASS_FRACTIONS:
        data[name] = np.where((data[name] < 0.0) & (data[name] > -ROUNDOFF_NEGATIVE), 0.0, data[name])
    if relativistic_cs2:
        c2 = SPEED_OF_LIGHT**2
        rho = 10.0 ** data["logrho"]
        data["cs2"] = data["cs2"] * (1.0 + (10.0 ** data["logenergy"] - data["energy_shift"].reshape(-1)[0]
                                            + 10.0 ** data["logpress"] / rho) / c2)
    return data
