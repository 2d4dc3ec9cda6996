"""The built-in EOS (parleak.eos.builtin) as a table in the stellarcollapse.org
HDF5 format (O'Connor & Ott 2010), built once and cached.

Datasets: pointsrho, pointstemp, pointsye (int, shape (1,)); logrho
[log10 g/cm^3], logtemp [log10 MeV], ye; energy_shift (shape (1,), erg/g);
and, of shape (nye, ntemp, nrho) (ye slowest, rho fastest): logpress
[log10 dyn/cm^2], logenergy [log10(eps + energy_shift), erg/g], entropy
[k_B/baryon], munu, muhat, mu_e, mu_p, mu_n [MeV], cs2 [cm^2/s^2], dedt
[erg/g/MeV], dpdrhoe [cm^2/s^2], dpderho [g/cm^3], gamma, Xa, Xh, Xn, Xp,
Abar, Zbar. Composition: free nucleons only, Xn = 1 - Ye, Xp = Ye,
Xa = Xh = 0 and Abar = Zbar = 0 (no nuclei).

energy_shift = ENERGY_SHIFT = 0: eps itself is positive everywhere (its zero
point, builtin's docstring, puts it at least about 7e18 erg/g).
"""

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from pathlib import Path

import h5py
import numpy as np

from parleak.eos import builtin

ENERGY_SHIFT = 0.0  # erg/g
DEFAULT_GRID = {"logrho_range": (3.0, 15.5), "logtemp_range": (-2.0, 2.2), "ye_range": (0.01, 0.6),
                "nrho": 120, "ntemp": 80, "nye": 40}
CACHE_ENV = "PARLEAK_CACHE_DIR"


def table_values(logrho, logtemp, ye):
    """The EOS on the grid of the 1-D arrays logrho [log10 g/cm^3], logtemp
    [log10 MeV], ye: a builtin.Thermo of arrays of shape (nye, ntemp, nrho)."""
    ye3, logtemp3, logrho3 = np.meshgrid(ye, logtemp, logrho, indexing="ij")
    return builtin.thermo(10.0**logrho3, 10.0**logtemp3, ye3)


def build_table(path, logrho_range=DEFAULT_GRID["logrho_range"], logtemp_range=DEFAULT_GRID["logtemp_range"],
                ye_range=DEFAULT_GRID["ye_range"], nrho=DEFAULT_GRID["nrho"], ntemp=DEFAULT_GRID["ntemp"],
                nye=DEFAULT_GRID["nye"]):
    """Write the built-in EOS table to path (stellarcollapse.org format, the
    module docstring) on uniform grids in log10 rho [g/cm^3], log10 T [MeV]
    and Ye, ends included; atomically (a temporary file in the same
    directory, then os.replace). Returns the path."""
    path = Path(path)
    logrho = np.linspace(*logrho_range, nrho)
    logtemp = np.linspace(*logtemp_range, ntemp)
    ye = np.linspace(*ye_range, nye)
    t = table_values(logrho, logtemp, ye)
    shape = t.press.shape
    ones = np.ones(shape)
    arrays = {
        "logpress": np.log10(t.press), "logenergy": np.log10(t.eps + ENERGY_SHIFT), "entropy": t.entropy,
        "munu": t.munu, "cs2": t.cs2, "dedt": t.dedt, "dpdrhoe": t.dpdrhoe, "dpderho": t.dpderho,
        "muhat": t.muhat, "mu_e": t.mu_e, "mu_p": t.mu_p, "mu_n": t.mu_n, "gamma": t.gamma,
        "Xa": 0.0 * ones, "Xh": 0.0 * ones, "Xn": (1.0 - ye)[:, None, None] * ones, "Xp": ye[:, None, None] * ones,
        "Abar": 0.0 * ones, "Zbar": 0.0 * ones,
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with h5py.File(tmp, "w") as f:
            for name, n in (("pointsrho", nrho), ("pointstemp", ntemp), ("pointsye", nye)):
                f.create_dataset(name, data=np.array([n], dtype=np.int32))
            f.create_dataset("logrho", data=logrho)
            f.create_dataset("logtemp", data=logtemp)
            f.create_dataset("ye", data=ye)
            f.create_dataset("energy_shift", data=np.array([ENERGY_SHIFT]))
            for name, data in arrays.items():
                f.create_dataset(name, data=data)
            for key, value in builtin.MODEL_PARAMETERS.items():
                f.attrs[key] = value
            f.attrs["energy_zero_point"] = "eps = (energy density incl. rest masses - n_B m_u c^2) / rho"
            f.attrs["cs2"] = "Newtonian adiabatic sound speed squared dP/drho|_s,Ye"
            f.attrs["composition"] = "free nucleons only: Xn = 1 - Ye, Xp = Ye, Xa = Xh = Abar = Zbar = 0"
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    return path


def model_hash():
    """16 hex digits identifying the model parameters and the default grid."""
    text = json.dumps({"model": builtin.MODEL_PARAMETERS, "grid": DEFAULT_GRID, "energy_shift": ENERGY_SHIFT},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@contextlib.contextmanager
def _exclusive(lock_path):
    """Hold an exclusive lock on lock_path where the file system has them
    (else nothing: the atomic rename alone keeps the table whole)."""
    with open(lock_path, "a") as handle:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def builtin_table_path(cache_dir=None):
    """Path of the default built-in EOS table, built on first use (about
    15 s) in cache_dir, else $PARLEAK_CACHE_DIR, else ~/.cache/parleak. The
    file name holds model_hash(), so a changed model builds a new table.
    Safe for concurrent callers (MPI ranks): one builds under a file lock,
    the others then find the table."""
    directory = Path(cache_dir or os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "parleak")
    path = directory / f"builtin_eos_{model_hash()}.h5"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory / (path.name + ".lock")):
        if not path.exists():
            build_table(path, **DEFAULT_GRID)
    return path
