"""Mapping progenitor profiles onto the grid (parleak.progenitor_map and the
`progenitor` problem): exact cases of the quadrature, then both real
progenitors on a uniform octant, the full domain and the stretched
collapse domain, mass-conserving and the same on 1 and 4 ranks."""

import numpy as np
import pytest
from scipy.integrate import quad

from helpers import parleak_run, real_input, singleton
from parleak.progenitor_map import enclosed_mass, map_profile

MSUN = 1.98841e33  # g (only to print)
PROFILES = {"s20": ("progenitors/s20_W2007_KEPLER_presn.txt", "kepler"),
            "s13.6": ("progenitors/s13.6_S16.short", "short")}


def _faces(lower, upper, cells):
    f = np.linspace(lower, upper, cells + 1)
    return f[:-1], f[1:]


def test_enclosed_mass_is_the_integral_of_the_piecewise_linear_density():
    radius = np.array([1.0, 2.0, 4.0, 7.0])
    density = np.array([5.0, 3.0, 2.5, 0.5])
    for r in (0.5, 1.0, 1.7, 4.0, 6.2, 9.0):
        expected = quad(lambda s: 4 * np.pi * s * s * np.interp(s, radius, density), 0.0, r,
                        points=[p for p in radius if p < r], epsabs=0.0, epsrel=1e-13)[0]
        assert enclosed_mass(radius, density, r) == pytest.approx(expected, rel=1e-12)


def test_constant_density_and_homologous_velocity_are_mapped_exactly():
    """rho = 7 inside, v = 3 r (Gauss-Legendre integrates the linear
    momentum exactly): every cell holds rho = 7 and v = 3 x_centre."""
    radius = np.array([1e-9, 50.0, 100.0])
    faces = [_faces(-5.0, 9.0, 7), _faces(0.0, 4.0, 3), _faces(-2.0, 2.5, 4)]
    centre = [0.5, -0.25, 0.125]
    rho, temp, ye, vel = map_profile(radius, np.full(3, 7.0), np.array([1.0, 2.0, 3.0]), np.full(3, 0.4),
                                     3.0 * radius, faces, centre)
    assert np.allclose(rho, 7.0, rtol=1e-14, atol=0.0) and np.allclose(ye, 0.4, rtol=1e-14, atol=0.0)
    for a in range(3):
        mid = 0.5 * (faces[a][0] + faces[a][1]) - centre[a]
        expected = np.broadcast_to(3.0 * mid.reshape([-1 if b == a else 1 for b in (2, 1, 0)]), rho.shape)
        assert np.allclose(vel[a], expected, rtol=1e-13, atol=1e-13)
    assert np.all((temp > 1.0) & (temp < 3.0))


def _reference_masses(profile, faces, centre, sub=6):
    """Cell masses (g, [z, y, x]) by the midpoint rule on sub^3 points per
    cell: independent of the Gauss-Legendre kernel."""
    def points(lo, hi):
        t = (np.arange(sub) + 0.5) / sub
        return lo[:, None] + (hi - lo)[:, None] * t[None, :]
    px, py, pz = (points(*faces[a]) - centre[a] for a in range(3))
    masses = np.empty((pz.shape[0], py.shape[0], px.shape[0]))
    for k in range(pz.shape[0]):   # r on (sub_z, y cell, sub_y, x cell, sub_x)
        r = np.sqrt(pz[k][:, None, None, None, None] ** 2 + py[None, :, :, None, None] ** 2
                    + px[None, None, None, :, :] ** 2)
        masses[k] = np.interp(r, profile.radius, profile.density).sum(axis=(0, 2, 4)) / sub ** 3
    widths = [hi - lo for lo, hi in faces]
    return masses * widths[2][:, None, None] * widths[1][None, :, None] * widths[0][None, None, :]


def _config(name, kind, case):
    """The TOML text of a one-step progenitor run on the built-in EOS:
    an octant or the full domain of 2000 km (20^3 cells), or the stretched
    collapse domain of 5000 km (32^3)."""
    lower = "-2.0e8" if case == "full" else "0.0"
    upper = "5.0e8" if case == "stretched" else "2.0e8"
    cells = 32 if case == "stretched" else 20
    spacing = 'spacing = "stretched"\nmin_width = 2.0e6\nuniform_extent = 8.0e6' if case == "stretched" else ""
    inner = "outflow" if case == "full" else "reflecting"
    faces = "\n".join(f'{a}_lower = "{inner}"\n{a}_upper = "outflow"' for a in "xyz")
    return f"""[problem]
name = "progenitor"
[progenitor]
file = "{name}"
format = "{kind}"
[grid]
cells = [{cells}, {cells}, {cells}]
lower = [{lower}, {lower}, {lower}]
upper = [{upper}, {upper}, {upper}]
{spacing}
[grid.boundary]
{faces}
[eos]
kind = "builtin"
[gravity]
kind = "monopole"
mass_factor = {1.0 if case == "full" else 8.0}
[time]
t_end = 1.0e-6
[output]
interval = 1.0e-6
"""


# case: (symmetry factor, the radius the grid covers completely, cm)
CASES = {"octant": (8, 2.0e8), "full": (1, 2.0e8), "stretched": (8, 5.0e8)}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("star", list(PROFILES))
def test_real_progenitors_keep_their_mass_on_1_and_4_ranks(tmp_path, star, case):
    from parleak.io.dump import existing_dumps
    from parleak.io.reader import read_dump
    from parleak.progenitor import read_profile

    name, kind = PROFILES[star]
    path = real_input(name)
    factor, covered = CASES[case]
    config = tmp_path / "progenitor.toml"
    config.write_text(_config(name, kind, case))
    dumps = {}
    for n in (1, 4):
        parleak_run(n, config, tmp_path / str(n), timeout=300)
        dumps[n] = read_dump(existing_dumps(tmp_path / str(n))[0])
    for field, values in dumps[1].fields.items():
        assert np.array_equal(dumps[4].fields[field], values), field
    dump = dumps[1]
    profile = read_profile(path, kind)
    faces = [(np.asarray(f[:-1]), np.asarray(f[1:])) for f in dump.faces]
    volumes = dump.volumes()
    mass = dump.fields["dens"] * volumes
    reference = _reference_masses(profile, faces, [0.0, 0.0, 0.0])
    assert mass.sum() == pytest.approx(reference.sum(), rel=1e-3)
    centres = [0.5 * (lo + hi) for lo, hi in faces]
    r = np.sqrt(centres[2][:, None, None] ** 2 + centres[1][None, :, None] ** 2 + centres[0][None, None, :] ** 2)
    smallest = min(np.min(hi - lo) for lo, hi in faces)
    for radius in np.geomspace(max(8.0 * smallest, 3e7), covered, 7):
        inside = factor * mass[r <= radius].sum()
        assert inside == pytest.approx(float(enclosed_mass(profile.radius, profile.density, radius)), rel=1e-2)
        if profile.enclosed_mass is not None:
            assert inside == pytest.approx(float(np.interp(radius, profile.radius, profile.enclosed_mass)), rel=1e-2)
    if case == "octant":  # parleak post draws the mapped profiles against the file's
        result = singleton(["-m", "parleak", "post", str(tmp_path / "1")])
        assert (tmp_path / "1" / "post" / "progenitor_00000.png").is_file(), result.stdout


def test_a_missing_input_stops_the_run_naming_the_file_and_the_fetch_command(tmp_path, monkeypatch):
    """An empty data directory: exit 2 on both ranks, one message naming
    the progenitor file and `parleak data fetch s20_W2007`, no output."""
    from helpers import REPO

    monkeypatch.setenv("PARLEAK_DATA", str(tmp_path / "data"))
    driver = REPO / "drivers" / "progenitor_s20.toml"
    result = parleak_run(2, driver, tmp_path / "out", check=False, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("parleak: config error: eos.table") == 1
    assert str(tmp_path / "data" / "eos" / "SRO_LS220star_NSE837_rho126_temp61_ye31.h5") in result.stderr
    assert "parleak data fetch SRO_LS220star --from DIR" in result.stderr
    result = parleak_run(2, driver, tmp_path / "out", "eos.kind='builtin'", check=False, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("parleak: config error: progenitor.file") == 1
    assert str(tmp_path / "data" / "progenitors" / "s20_W2007_KEPLER_presn.txt") in result.stderr
    assert "parleak data fetch s20_W2007" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_monopole_must_count_the_mirror_images():
    """On an octant the monopole's gravity.mass_factor must be 8 (checked
    before the profile is read)."""
    from helpers import REPO
    from parleak.config import ConfigError
    from parleak.run_config import load_config

    with pytest.raises(ConfigError, match=r"gravity.mass_factor = 1.0 \(from --set\): the domain has reflecting "
                                          r"faces x, y, z through the centre, so the monopole needs "
                                          r"gravity.mass_factor = 8.0"):
        load_config(REPO / "drivers" / "progenitor_s20.toml", [("gravity.mass_factor", 1.0), ("eos.kind", "builtin")])
