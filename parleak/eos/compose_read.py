"""Reading an EOS table in the CompOSE layout written by PyCompOSE (layer:
eos; imports h5py, numpy and parleak.constants only) and converting it to
the {dataset: float64 array} of the stellarcollapse.org layout that
parleak.eos.table_read.read_table returns (O'Connor & Ott 2010), so that
TabulatedEOS uses either file the same way.

The CompOSE layout (Typel et al., CompOSE reference manual, arXiv:1307.5715,
sections on eos.thermo and eos.compo; PyCompOSE's HDF5 writer, as read by
the PrimitiveSolver library's EOSCompOSE): axes nb (baryon number density,
fm^-3), t (T, MeV), yq (charge fraction); scalars mn, mp (MeV); 3-D datasets
indexed [i_nb, i_yq, i_t] (C order, T fastest):
    Q1 = P / nb [MeV], Q2 = s / nb [k_B], Q3 = mu_b / m_n - 1,
    Q4 = mu_q / m_n, Q5 = mu_l / m_n, Q7 = e / (nb m_n) - 1 (e the energy
    density with the rest masses), cs2 (relativistic, in c^2),
    Y[n], Y[p], Y[He4], Y[N] (number fractions per baryon), A[N], Z[N]
    (the average heavy nucleus; NaN where Y[N] = 0).

Conversion (m_n = mn, the mass unit of CompOSE; c the speed of light):
    rho = nb m_n (1e39 cm^-3 per fm^-3)                 -> logrho
    ye = yq (no muons), logtemp = log10 t
    P = Q1 nb (1.602176634e33 erg/cm^3 per MeV/fm^3)    -> logpress
    eps = Q7 c^2 [erg/g], zero at the neutron rest mass per baryon;
        energy_shift = ENERGY_SHIFT_MEV / m_n c^2 (20 MeV per baryon, as the
        SRO tables), logenergy = log10(eps + energy_shift); a table with
        eps + energy_shift <= 0 (bound by more than 20 MeV per baryon) is refused
    entropy = Q2
    cs2 = Gamma P / rho, the Newtonian adiabatic sound speed squared of the
        stellarcollapse tables [cm^2/s^2]: the relativistic c_s^2 = Gamma P /
        (e + P) times (e + P) / rho = c^2 (1 + Q7 + Q1 / m_n)
    chemical potentials, from mu_i = B_i mu_b + Q_i mu_q + L_i mu_l
        (CompOSE manual), in the stellarcollapse convention of
        parleak.microphysics (mu_n, mu_p from the neutron rest mass, mu_e
        with the electron rest mass), MeV:
        mu_n = mu_b - m_n = m_n Q3, mu_p = mu_b + mu_q - m_n = m_n (Q3 + Q4),
        mu_e = mu_l - mu_q = m_n (Q5 - Q4), muhat = mu_n - mu_p = -m_n Q4,
        munu = mu_l = m_n Q5 (= mu_e - mu_n + mu_p)
    Xa = 4 Y[He4], Xh = A[N] Y[N], Xn = Y[n], Xp = Y[p] (mass fractions; the
        light clusters Y[H2], Y[H3], Y[He3] are in none of the four, as in
        the stellarcollapse SFHo table), Abar = A[N], Zbar = Z[N] where
        Y[N] > 0, 1 and 1 elsewhere (the stellarcollapse SFHo table's values
        without nuclei)
and every 3-D array transposed from (nb, yq, t) to (yq, t, nb).
"""

import h5py
import numpy as np

from parleak.constants import MEV, SPEED_OF_LIGHT

AXES = ("nb", "t", "yq")
SCALARS = ("mn",)
VARIABLES = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q7", "cs2", "Y[n]", "Y[p]", "Y[He4]", "Y[N]", "A[N]", "Z[N]")
REQUIRED_DATASETS = AXES + SCALARS + VARIABLES
ENERGY_SHIFT_MEV = 20.0  # MeV per baryon, the energy_shift of the SRO tables
MEV_FM3 = MEV * 1e39  # erg/cm^3 per MeV/fm^3
FM3 = 1e39  # cm^-3 per fm^-3


def is_compose(stream):
    """Whether the open h5py File holds the CompOSE axes nb, t and yq."""
    return all(isinstance(stream.get(name), h5py.Dataset) for name in AXES)


def _check_axis(fail, name, axis, positive):
    if axis.ndim != 1 or axis.size < 2:
        fail(f"dataset {name} has shape {axis.shape}, expected a 1-D axis of at least 2 points")
    if not np.all(np.isfinite(axis)) or (positive and not np.all(axis > 0.0)):
        fail(f"axis {name} has {'non-positive or ' if positive else ''}non-finite values")
    steps = np.diff(axis)
    if not np.all(steps > 0.0):
        fail(f"axis {name} is not strictly increasing (at index {int(np.argmin(steps > 0.0)) + 1})")


def read_compose(stream, fail):
    """The stellarcollapse.org datasets (module docstring) of the CompOSE
    table in the open h5py File `stream`; fail(message) raises the
    caller's error naming the file."""
    missing = [name for name in REQUIRED_DATASETS if not isinstance(stream.get(name), h5py.Dataset)]
    if missing:
        fail(f"missing dataset(s) {', '.join(missing)}; a CompOSE (PyCompOSE) table needs "
             f"{', '.join(REQUIRED_DATASETS)}")
    raw = {}
    for name in REQUIRED_DATASETS:
        try:
            raw[name] = np.asarray(stream[name][()], dtype=np.float64)
        except (OSError, ValueError, TypeError) as err:
            fail(f"dataset {name} cannot be read as numbers: {err}")
    for name in AXES:
        _check_axis(fail, name, raw[name], positive=name != "yq")
    if raw["mn"].size != 1 or not 0.0 < float(raw["mn"].reshape(-1)[0]) < np.inf:
        fail(f"dataset mn must be one positive number (MeV), got {raw['mn'].tolist()}")
    shape = (raw["nb"].size, raw["yq"].size, raw["t"].size)
    nuclei = raw["Y[N]"] > 0.0
    for name in VARIABLES:
        if raw[name].shape != shape:
            fail(f"dataset {name} has shape {raw[name].shape}, expected (n_nb, n_yq, n_t) = {shape} "
                 "from the axes nb, yq, t")
        nucleus = name in ("A[N]", "Z[N]")  # NaN where there is no nucleus
        bad = int(np.sum(~np.isfinite(raw[name][nuclei] if nucleus else raw[name])))
        if bad:
            fail(f"dataset {name} has {bad} non-finite values" + (" where Y[N] > 0" if nucleus else ""))
    if not np.all(raw["Q1"] > 0.0):
        fail(f"dataset Q1 (P / nb) has {int(np.sum(~(raw['Q1'] > 0.0)))} values <= 0 (log10 P needs P > 0)")
    return _convert(raw, nuclei, fail)


def _convert(raw, nuclei, fail):
    """The stellarcollapse datasets of the checked CompOSE arrays `raw`."""
    mn = float(raw["mn"].reshape(-1)[0])
    c2 = SPEED_OF_LIGHT**2
    nb = raw["nb"]
    energy_shift = ENERGY_SHIFT_MEV / mn * c2
    eps = raw["Q7"] * c2
    if not np.all(eps + energy_shift > 0.0):
        fail(f"dataset Q7: eps = Q7 c^2 reaches {eps.min():.6g} erg/g, below -energy_shift = {-energy_shift:.6g} "
             f"erg/g ({ENERGY_SHIFT_MEV} MeV per baryon)")
    nb3 = nb[:, None, None]
    q = {name: raw[name] for name in VARIABLES}
    fields = {
        "logpress": np.log10(q["Q1"] * nb3 * MEV_FM3),
        "logenergy": np.log10(eps + energy_shift),
        "entropy": q["Q2"],
        "cs2": q["cs2"] * c2 * (1.0 + q["Q7"] + q["Q1"] / mn),
        "mu_n": mn * q["Q3"],
        "mu_p": mn * (q["Q3"] + q["Q4"]),
        "mu_e": mn * (q["Q5"] - q["Q4"]),
        "muhat": -mn * q["Q4"],
        "munu": mn * q["Q5"],
        "Xa": 4.0 * q["Y[He4]"],
        "Xh": np.where(nuclei, q["A[N]"] * q["Y[N]"], 0.0),
        "Xn": q["Y[n]"],
        "Xp": q["Y[p]"],
        "Abar": np.where(nuclei, q["A[N]"], 1.0),
        "Zbar": np.where(nuclei, q["Z[N]"], 1.0),
    }
    data = {"logrho": np.log10(nb * FM3 * mn * MEV / c2), "logtemp": np.log10(raw["t"]), "ye": raw["yq"].copy(),
            "energy_shift": np.array([energy_shift])}
    data.update({name: np.ascontiguousarray(values.transpose(1, 2, 0)) for name, values in fields.items()})
    return data
