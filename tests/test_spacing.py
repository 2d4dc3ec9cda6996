"""Stretched and explicit cell spacings: the faces solved from the grid.*
keys, their errors, the Grid's widths, centres, volumes and integrals, and
the monopole's radial bins on a stretched grid (one process)."""

import math

import numpy as np
import pytest

from parleak.config import ConfigError
from parleak.grid import Grid
from parleak.grid_keys import FACES
from parleak.run_config import load_config
from parleak.spacing import MAX_RATIO, stretched_faces

from helpers import REPO

KM = 1.0e5


def test_collapse_domain_faces_span_the_octant_with_one_km_cells_in_the_centre():
    """128 cells from 0 to 5000 km, 1 km cells within 25 km: the widths
    are 1 km for 25 cells, then grow by one ratio, which the faces meet
    exactly at 5000 km: h r (r^m - 1) / (r - 1) = 4975 km with m = 103."""
    faces, ratio = stretched_faces(0.0, 5000 * KM, 128, 1 * KM, 25 * KM, 0.0)
    widths = np.diff(faces)
    assert faces.size == 129 and faces[0] == 0.0 and faces[-1] == 5000 * KM
    assert np.allclose(widths[:25], KM, rtol=1e-12, atol=0)
    assert np.allclose(widths[25:] / widths[24:-1], ratio, rtol=1e-9)
    assert KM * ratio * (ratio ** 103 - 1.0) / (ratio - 1.0) == pytest.approx(4975 * KM, rel=1e-12)
    assert 1.0 < ratio < MAX_RATIO
    assert widths.max() == pytest.approx(KM * ratio ** 103, rel=1e-9)


def test_faces_about_zero_are_mirrored_bitwise_and_both_sides_share_the_ratio():
    faces, ratio = stretched_faces(-1.0, 1.0, 96, 0.01, 0.2, 0.0)
    assert np.array_equal(faces, -faces[::-1])
    widths = np.diff(faces)
    assert np.allclose(widths[28:68], 0.01, rtol=1e-12, atol=0)
    outer = widths[67:]
    assert np.allclose(outer[1:] / outer[:-1], ratio, rtol=1e-9)
    # Asymmetric sides: the cells are split so that the two ratios are as close as possible.
    faces, ratio = stretched_faces(0.0, 3.0, 90, 0.01, 0.1, 1.0)
    widths = np.diff(faces)
    centre = int(np.argmin(np.abs(faces - 1.0)))
    assert faces[centre] == 1.0
    lower, upper = widths[:centre][::-1], widths[centre:]
    lower_ratio, upper_ratio = lower[-1] / lower[-2], upper[-1] / upper[-2]
    assert max(lower_ratio, upper_ratio) == pytest.approx(ratio, rel=1e-9)
    assert abs(lower_ratio - upper_ratio) < 0.02


def test_a_uniform_part_covering_the_axis_must_have_its_cells():
    faces, ratio = stretched_faces(0.0, 1.0, 10, 0.1, 2.0, 0.0)
    assert np.allclose(np.diff(faces), 0.1, rtol=1e-12) and ratio == 1.0
    with pytest.raises(ConfigError, match="covers the whole axis, in 10 cells of about 0.1 cm, but grid.cells gives 12"):
        stretched_faces(0.0, 1.0, 12, 0.1, 2.0, 0.0)


@pytest.mark.parametrize("cells, message", [
    (20, "the uniform part alone needs 25 cells of 100000.0 cm, but grid.cells gives 20; use at least 72 cells"),
    (60, "60 cells need a width ratio of 1.21"),
    (6000, "need a width ratio of 0.999"),
])
def test_combinations_that_cannot_be_met_say_what_would_work(cells, message):
    with pytest.raises(ConfigError) as err:
        stretched_faces(0.0, 5000 * KM, cells, 1 * KM, 25 * KM, 0.0)
    text = str(err.value)
    assert message in text and "grid.min_width" in text and "grid.cells" in text
    if cells == 60:
        assert "use 72 to 5000 cells along x" in text
        assert stretched_faces(0.0, 5000 * KM, 72, 1 * KM, 25 * KM, 0.0)[1] <= MAX_RATIO
        with pytest.raises(ConfigError):
            stretched_faces(0.0, 5000 * KM, 71, 1 * KM, 25 * KM, 0.0)


def write_config(tmp_path, grid_lines, cells="[40]"):
    path = tmp_path / "run.toml"
    path.write_text(f'[problem]\nname = "sod"\n[grid]\ncells = {cells}\n{grid_lines}\n'
                    '[grid.boundary]\nx_lower = "outflow"\nx_upper = "outflow"\n[time]\nt_end = 0.1\n')
    return str(path)


@pytest.mark.parametrize("grid_lines, message", [
    ('spacing = "stretched"', "grid.spacing = 'stretched' (in"),
    ('min_width = 0.01', "grid.min_width is set (in"),
    ('spacing = "faces"', "needs grid.faces.x"),
    ('spacing = "stretched"\nmin_width = 0.01\nfaces.x = [0.0, 1.0]', "grid.faces.x = [0.0, 1.0] (in"),
    ('spacing = "faces"\nfaces.x = "missing.txt"', "missing.txt' (in"),
    ('spacing = "stretched"\nmin_width = 0.01\nuniform_extent = 0.3', "the uniform part alone needs 60 cells"),
    ('spacing = "stretched"\nmin_width = 0.01\nstretch_center = [2.0]', "lies outside the domain"),
])
def test_spacing_errors_name_the_keys(tmp_path, grid_lines, message):
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, grid_lines))
    assert message in str(err.value)


def test_faces_from_a_list_or_a_file_and_their_errors(tmp_path):
    faces = np.concatenate([np.linspace(0.0, 0.5, 21), 0.5 + 0.5 * np.linspace(0.0, 1.0, 21)[1:] ** 1.5])
    listed = load_config(write_config(tmp_path, f'spacing = "faces"\nfaces.x = {list(faces)}'))
    column = tmp_path / "faces.txt"
    column.write_text("# x faces, cm\n" + "\n".join(repr(f) for f in faces) + "\n\n")
    filed = load_config(write_config(tmp_path, f'spacing = "faces"\nfaces.x = "{column}"'))
    assert listed["grid.faces.x"] == filed["grid.faces.x"] == list(faces)
    relative = load_config(write_config(tmp_path, 'spacing = "faces"\nfaces.x = "faces.txt"'))  # beside the config
    assert relative["grid.faces.x"] == list(faces)
    column.write_text("0.0\n0.5 0.6\n1.0\n")
    with pytest.raises(ConfigError, match="line 2 of the file, '0.5 0.6', is not one number"):
        load_config(write_config(tmp_path, f'spacing = "faces"\nfaces.x = "{column}"', cells="[2]"))
    with pytest.raises(ConfigError, match="must increase strictly"):
        load_config(write_config(tmp_path, 'spacing = "faces"\nfaces.x = [0.0, 0.6, 0.5, 1.0]', cells="[3]"))
    with pytest.raises(ConfigError, match=r"runs from 0.0 to 2.0 but the domain along x is grid.lower\[0\] = 0.0"):
        load_config(write_config(tmp_path, 'spacing = "faces"\nfaces.x = [0.0, 1.0, 2.0]', cells="[2]"))


def test_a_uniform_config_reads_as_before_stretched_grids():
    config = load_config(str(REPO / "drivers" / "sod.toml"))
    assert not any(name.startswith(("grid.spacing", "grid.min_width", "grid.uniform_extent", "grid.faces",
                                    "grid.stretch_center")) for name in config.values)
    stretched = load_config(str(REPO / "drivers" / "sod.toml"),
                            [("grid.spacing", "stretched"), ("grid.min_width", 0.001), ("grid.uniform_extent", 0.1)])
    assert stretched["grid.stretch_center"] == [0.5]
    assert not any(name.startswith("grid.faces") for name in stretched.values)


def stretched_grid(boundary="reflecting"):
    faces = [stretched_faces(0.0, 1.0, n, 0.02, 0.1, 0.0)[0] for n in (20, 22, 24)]
    kinds = {face: boundary for face in FACES}
    return Grid([20, 22, 24], [0.0] * 3, [1.0] * 3, 2, kinds, faces=faces), faces


def test_grid_ghost_widths_and_centres_mirror_the_cells_beyond_a_face():
    grid, faces = stretched_grid()
    widths, centres = grid.widths(0), grid.centres(0)
    inner = np.diff(faces[0])
    assert np.array_equal(widths[2:-2], inner)
    assert np.array_equal(widths[:2], inner[1::-1]) and np.array_equal(widths[-2:], inner[:-3:-1])
    assert np.array_equal(centres[:2], -centres[3:1:-1])
    assert np.allclose(centres[-2:], 2.0 - centres[-3:-5:-1], rtol=0, atol=1e-15)
    assert np.allclose(np.diff(centres), 0.5 * (widths[1:] + widths[:-1]), rtol=1e-13)
    with pytest.raises(ValueError, match="use Grid.widths"):
        grid.dx
    periodic, _ = stretched_grid("periodic")
    assert np.array_equal(periodic.widths(0)[:2], inner[-2:])
    assert np.allclose(periodic.centres(0)[:2], 0.5 * (faces[0][-3:-1] + faces[0][-2:]) - 1.0, rtol=0, atol=1e-15)


def test_volumes_fill_the_domain_and_the_integral_is_exact():
    grid, _ = stretched_grid()
    volumes = np.broadcast_to(grid.volumes(), (24, 22, 20))
    assert math.fsum(volumes.ravel()) == pytest.approx(1.0, rel=1e-14)
    rho = np.random.default_rng(2).uniform(1.0, 2.0, (24, 22, 20))
    assert grid.integral(rho) == math.fsum((rho * volumes).ravel())
    uniform = Grid([8, 8], [0.0, 0.0], [1.0, 3.0], 2, {face: "outflow" for face in FACES})
    values = np.random.default_rng(3).uniform(size=(1, 8, 8))
    assert uniform.integral(values) == (0.125 * 0.375) * uniform.sum(values)


def test_monopole_bins_widen_with_the_cells_and_hold_the_mass():
    """On the 128-cell collapse octant the bins are 0.5 km in the centre
    and follow half the cell width outward: a few hundred bins instead of
    17000; the enclosed mass of the last bin is the grid's mass."""
    from parleak.gravity import MonopoleGravity, radial_bin_edges
    faces = [stretched_faces(0.0, 5000 * KM, 32, 20 * KM, 100 * KM, 0.0)[0]] * 3
    kinds = {face: ("reflecting" if face.endswith("lower") else "outflow") for face in FACES}
    grid = Grid([32, 32, 32], [0.0] * 3, [5000 * KM] * 3, 2, kinds, faces=faces)
    edges = radial_bin_edges(grid, [0.0] * 3, 10 * KM, math.sqrt(3) * 5000 * KM)
    widths = np.diff(edges)
    assert np.all(widths[:10] == 10 * KM) and widths.max() > 20 * widths.min()
    assert edges[-2] > math.sqrt(3) * 5000 * KM and edges.size < 200

    class Density:
        def interior(self, name):
            return np.full((32, 32, 32), 2.0)

    gravity = MonopoleGravity(grid, [0.0] * 3, 10 * KM, mass_factor=8.0)
    mass_in, mass_out = gravity.enclosed_mass(Density())
    assert mass_out[-1] == pytest.approx(8 * 2.0 * (5000 * KM) ** 3, rel=1e-14)
    inside = (edges[1:] > 200 * KM) & (edges[1:] < 4000 * KM)
    assert np.allclose(mass_out[inside], 2.0 * 4.0 / 3.0 * math.pi * edges[1:][inside] ** 3, rtol=0.05)
