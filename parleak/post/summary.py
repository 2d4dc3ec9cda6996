"""The short table `parleak post` prints: per neutrino species the
luminosity (erg/s), the mean energy (MeV) and the transport-sphere radius
(the neutrinosphere, km) at the last row of scalars.csv, whose luminosities
are the whole star's (parleak.whole_star: symmetry_factor x the grid's
totals; the factor is read from the run's last dump). Serial; no MPI."""

import h5py

from parleak.microphysics.leakage import SPECIES

KM = 1e5  # cm
LABELS = {"nu_e": "nu_e", "anti_nu_e": "anti-nu_e", "nu_x": "nu_x"}


def symmetry_factor_of(dump_path):
    """The dump's symmetry_factor attribute, or None (a dump of an older
    parleak, whose scalars.csv held the grid's totals)."""
    with h5py.File(dump_path, "r") as h5:
        factor = h5.attrs.get("symmetry_factor")
    return None if factor is None else int(factor)


def last_values(scalars):
    """{species: (luminosity erg/s, mean energy MeV, radius km)} and the
    time (s) of the last row of `scalars` ({column: array}, as
    parleak.post.load.load_scalars); None without neutrino columns or rows."""
    if not scalars or not len(scalars.get("time", ())) or f"lum_{SPECIES[0]}" not in scalars:
        return None
    rows = {s: (float(scalars[f"lum_{s}"][-1]), float(scalars[f"mean_energy_{s}"][-1]),
                float(scalars[f"transport_radius_{s}"][-1]) / KM) for s in SPECIES}
    return rows, float(scalars["time"][-1])


def summary_table(scalars, factor):
    """The table's lines (list of str), or [] when the run has no neutrino
    columns; factor: the dump's symmetry_factor (None: unknown)."""
    found = last_values(scalars)
    if found is None:
        return []
    rows, time = found
    whole = ("whole star" if factor is None or factor == 1
             else f"whole star: {factor} x the grid's")
    lines = [f"neutrinos at t = {time * 1e3:.4f} ms (last row of scalars.csv; luminosities of the {whole})",
             f"  {'species':<10} {'L [erg/s]':>11} {'<E> [MeV]':>10} {'R_nu [km]':>10}"]
    lines += [f"  {LABELS[s]:<10} {lum:11.3e} {energy:10.2f} {radius:10.2f}"
              for s, (lum, energy, radius) in rows.items()]
    lines.append("  (R_nu: the transport sphere, where the energy-weighted optical depth reaches 2/3)")
    return lines
