"""PNG figures of a run: the neutrino time series from scalars.csv, a
slice of a field through the centre, and the radial profiles. Drawn on
matplotlib Figure objects with the Agg renderer (no pyplot, no display);
every figure has a fixed size in pixels (the *_SIZE constants)."""

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from parleak.microphysics.leakage import SPECIES
from parleak.neutrino.optical_depth import SPHERE_DEPTH
from parleak.post.load import PostError, entropy
from parleak.post.profiles import default_bins, dump_profile, profile_centre, sphere_radius

DPI = 100
TIME_SERIES_SIZE = (1000, 800)  # pixels, width x height
SLICE_SIZE = (800, 700)
PROFILES_SIZE = (1500, 900)
LOG_DECADES = 2.0  # a positive field spanning at least this many decades gets a log colour scale
KM = 1e5
TRANSPORT_TAU = tuple(f"tau_{s}_energy" for s in SPECIES)
THERMAL_TAU = tuple(f"tau_thermal_{s}" for s in SPECIES)
PROFILE_FIELDS = ("dens", "temp", "ye") + TRANSPORT_TAU + THERMAL_TAU
COLOURS = dict(zip(SPECIES, ("tab:blue", "tab:red", "tab:green")))


def _figure(size):
    return Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)


def _save(figure, path):
    figure.savefig(path, dpi=DPI)
    return path


def _label(name, units):
    return f"{name} [{units}]" if units not in ("", "1") else f"{name} (dimensionless)"


def _length_unit(dump):
    """(cm per unit, unit name): km for domains of 1 km or more, else cm."""
    dim = int(dump.attrs["dim"])
    extent = max(dump.attrs["upper"][a] - dump.attrs["lower"][a] for a in range(dim))
    return (KM, "km") if extent >= KM else (1.0, "cm")


def log_scale_fits(values):
    """Whether `values` are positive (where finite) and span LOG_DECADES
    decades or more."""
    finite = values[np.isfinite(values)]
    return finite.size > 0 and finite.min() > 0.0 and np.log10(finite.max() / finite.min()) >= LOG_DECADES


def neutrino_species(scalars):
    """The species with luminosity columns (lum_<species>) in the scalars."""
    return [name[len("lum_"):] for name in scalars if name.startswith("lum_")]


def plot_time_series(scalars, path):
    """Luminosity (erg/s, log; the whole star's, as scalars.csv holds it:
    parleak.whole_star) and mean energy (MeV) of every species
    against time (ms); rows where a species emits nothing are left out.
    PostError if the scalars have no columns, no luminosity columns or no
    row."""
    if not scalars:
        raise PostError("scalars.csv has no header line")
    species = neutrino_species(scalars)
    if not species:
        raise PostError("scalars.csv has no neutrino columns (lum_<species>): the run had no leakage "
                        "(leakage.evolve = false)")
    if not len(scalars["time"]):
        raise PostError("scalars.csv has no complete row")
    figure = _figure(TIME_SERIES_SIZE)
    lum_axes, energy_axes = figure.subplots(2, 1, sharex=True)
    t_ms = scalars["time"] * 1e3
    for s in species:
        emits = scalars[f"lum_{s}"] > 0.0
        colour = COLOURS.get(s)
        lum_axes.plot(t_ms[emits], scalars[f"lum_{s}"][emits], color=colour, label=s)
        energy_axes.plot(t_ms[emits], scalars[f"mean_energy_{s}"][emits], color=colour, label=s)
    lum_axes.set_yscale("log")
    lum_axes.set_ylabel("luminosity of the whole star [erg/s]")
    lum_axes.set_title("neutrino luminosity (whole star) and mean energy")
    lum_axes.legend()
    energy_axes.set_ylabel("mean energy [MeV]")
    energy_axes.set_xlabel("t [ms]")
    for axes in (lum_axes, energy_axes):
        axes.grid(alpha=0.3)
    return _save(figure, path)


def slice_axes(dump, axis):
    """The two in-plane axes (indices 0, 1, 2 for x, y, z) of a slice
    across `axis` ("x", "y" or "z") that have more than one cell; PostError
    where none has."""
    cut = "xyz".index(axis)
    shown = [a for a in range(3) if a != cut and int(dump.attrs["cells"][a]) > 1]
    if not shown:
        raise PostError(f"a slice across {axis} of this {int(dump.attrs['dim'])}-D dump holds one cell; "
                        f"choose another --axis")
    return shown


def plot_slice(dump, name, axis, path):
    """slice_figure(dump, name, axis) saved as the PNG `path`."""
    return _save(slice_figure(dump, name, axis), path)


def slice_figure(dump, name, axis):
    """The field `name` on the plane across `axis` through the cells
    nearest to profile_centre, drawn at the cells' true positions (their
    faces, cm or km): a colour map with a colour bar (a log scale where the
    field is positive and spans LOG_DECADES decades), or a line over the
    cell centres where the plane has one row of cells."""
    cut = "xyz".index(axis)
    shown = slice_axes(dump, axis)
    coords = (dump.x, dump.y, dump.z)
    centre = profile_centre(dump)
    index = int(np.argmin(np.abs(coords[cut] - centre[cut])))
    take = [slice(None)] * 3
    take[2 - cut] = index  # arrays are [z, y, x]
    plane = dump.fields[name][tuple(take)]  # [second in-plane axis, first]
    scale, unit = _length_unit(dump)
    figure = _figure(SLICE_SIZE)
    axes = figure.subplots()
    value_label = _label(name, dump.units[name])
    log = log_scale_fits(plane)
    if len(shown) == 1:
        a = shown[0]
        axes.plot(coords[a] / scale, plane.reshape(-1), marker=".")
        axes.set_xlabel(f"{'xyz'[a]} [{unit}]")
        axes.set_ylabel(value_label)
        if log:
            axes.set_yscale("log")
    else:
        first, second = shown
        edges = [dump.faces[a] / scale for a in shown]
        mesh = axes.pcolormesh(edges[0], edges[1], plane, norm=LogNorm() if log else None, shading="flat")
        axes.set_aspect("equal")
        axes.set_xlabel(f"{'xyz'[first]} [{unit}]")
        axes.set_ylabel(f"{'xyz'[second]} [{unit}]")
        figure.colorbar(mesh, ax=axes, label=value_label)
    where = f", {axis} = {coords[cut][index] / scale:.4g} {unit}" if int(dump.attrs["cells"][cut]) > 1 else ""
    axes.set_title(f"{name} at t = {dump.time:.5g} s (step {dump.step}){where}")
    return figure


def _note(axes, text):
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", wrap=True)


def _profile_panel(axes, dump, name, bins, centre, scale, log=False):
    if name not in dump.fields:
        _note(axes, f"no field {name!r} in this dump")
        return
    profile = dump_profile(dump, dump.fields[name], centre, bins)
    axes.plot(profile.r / scale, profile.value, marker=".")
    axes.set_ylabel(_label(name, dump.units[name]))
    if log and log_scale_fits(profile.value):
        axes.set_yscale("log")
    else:
        axes.ticklabel_format(axis="y", useOffset=False)


def _tau_panel(axes, dump, names, bins, centre, scale, unit, sphere):
    present = [(s, n) for s, n in zip(SPECIES, names) if n in dump.fields]
    if not present:
        _note(axes, "no optical depths in this dump\n(optical_depth.method = 'none')")
        return
    for s, name in present:
        profile = dump_profile(dump, dump.fields[name], centre, bins)
        radius = sphere_radius(dump.fields[name], dump)
        axes.plot(profile.r / scale, profile.value, color=COLOURS[s],
                  label=f"{s}: {sphere} {radius / scale:.4g} {unit}")
        axes.axvline(radius / scale, color=COLOURS[s], linestyle="--")
    axes.axhline(SPHERE_DEPTH, color="grey", linestyle=":")
    axes.set_yscale("log")
    axes.set_ylabel(f"{names[0].replace(SPECIES[0], '<s>')} (dimensionless)")
    axes.legend(fontsize="small", title="dashed: sphere radius (tau = 2/3)", title_fontsize="small")


def plot_profiles(dump, path):
    """Angle-averaged radial profiles (bins one cell wide, about
    profile_centre) of density, temperature, Ye, entropy (from the run's
    EOS), the transport optical depths tau_<s>_energy with the transport
    spheres and the thermal ones tau_thermal_<s> with the energy spheres
    marked; a panel whose quantity the dump lacks says so."""
    centre, bins = profile_centre(dump), default_bins(dump)
    scale, unit = _length_unit(dump)
    figure = _figure(PROFILES_SIZE)
    panels = figure.subplots(2, 3, sharex=True).ravel()
    _profile_panel(panels[0], dump, "dens", bins, centre, scale, log=True)
    _profile_panel(panels[1], dump, "temp", bins, centre, scale)
    _profile_panel(panels[2], dump, "ye", bins, centre, scale)
    try:
        profile = dump_profile(dump, entropy(dump), centre, bins)
        panels[3].plot(profile.r / scale, profile.value, marker=".")
        panels[3].set_ylabel("entropy [k_B/baryon]")
    except PostError as err:
        _note(panels[3], f"no entropy:\n{err}")
    _tau_panel(panels[4], dump, TRANSPORT_TAU, bins, centre, scale, unit, "transport sphere")
    _tau_panel(panels[5], dump, THERMAL_TAU, bins, centre, scale, unit, "energy sphere")
    for axes in panels[3:]:
        axes.set_xlabel(f"r [{unit}]")
    for axes in panels:
        axes.grid(alpha=0.3)
    centre_text = ", ".join(f"{c / scale:.4g}" for c in centre[: int(dump.attrs["dim"])])
    figure.suptitle(f"angle-averaged profiles at t = {dump.time:.5g} s (step {dump.step}), "
                    f"centre ({centre_text}) {unit}")
    figure.tight_layout()
    return _save(figure, path)
