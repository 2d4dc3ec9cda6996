"""Reading and checking a stellarcollapse.org HDF5 table (O'Connor & Ott
2010; layer: eos; imports h5py and numpy only): the datasets it must and
may hold, and read_table, which returns them as float64 arrays or raises
EOSTableError naming the file and the dataset. The format is described in
parleak.eos.table.
"""

import os

import h5py
import numpy as np

AXES = ("logrho", "logtemp", "ye")
REQUIRED_VARIABLES = ("logpress", "logenergy", "entropy", "cs2", "mu_e", "mu_n", "mu_p", "muhat",
                      "Xa", "Xh", "Xn", "Xp", "Abar", "Zbar")
OPTIONAL_VARIABLES = ("munu", "gamma", "dedt", "dpdrhoe", "dpderho")
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
        _fail(path, f"{POINTS[name]} = {points.astype(np.int64).tolist()} does not match the {axis.size} points of {name}")


def read_table(path):
    """{dataset name: float64 array} of the stellarcollapse.org table at
    `path` (required datasets and the optional variables present), checked.
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
    return data
