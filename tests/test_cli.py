"""The command line: config errors exit 2 on every rank with one clear
message; an exception on one rank aborts the whole job; `parleak info`."""

import xml.etree.ElementTree as ET

import pytest

from helpers import REPO, mpirun, parleak_run

DRIVER = REPO / "drivers" / "advection_1d.toml"


@pytest.mark.parametrize("sets, expected", [
    (["grid.colls=[8]"], "unknown key grid.colls"),
    (["time.cfl=1.5"], "time.cfl = 1.5"),
    (["time.cfl=\"fast\""], "time.cfl = 'fast'"),
    (["grid.cells=[8, 8, 8, 8]"], "grid.cells"),
    (["grid.ghost=0"], "grid.ghost = 0 (from --set)"),
    (["advection.limiter=superbee"], "advection.limiter = 'superbee' (from --set): must be one of 'minmod', 'mc', 'vanleer'"),
    (["grid.boundary.x_lower=outflow"], f"x_upper = 'periodic' (in {DRIVER} and --set): periodic faces come in pairs"),
    (["grid.boundary.y_lower=outflow"], f"grid.boundary.y_lower is set but the grid is 1-D (grid.cells has 1 entries) "
                                        f"(in {DRIVER} and --set); remove it"),
    (["grid.procs=[3]"], "grid.procs = [3] (from --set): their product must equal the number of ranks, 2"),
    (["grid.upper=[-1.0]"], f"grid.upper[0] = -1.0 (in {DRIVER} and --set): must be > grid.lower[0] = 0.0"),
    (["grid.upper=[-3.0]", "grid.lower=[-2.0]"], "grid.upper[0] = -3.0 (from --set): must be > grid.lower[0] = -2.0"),
    (["problem.name=sedovv"], "problem.name = 'sedovv'"),
    (["oops"], "--set 'oops': must have the form section.key=value"),
])
def test_config_error_exits_2_with_one_message(tmp_path, sets, expected):
    result = parleak_run(2, DRIVER, tmp_path / "out", *sets, check=False, timeout=60)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert result.stderr.count("config error") == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_missing_required_key_and_missing_file(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[problem]\nname = "advection"\n[grid]\ncells = [16]\n')
    result = parleak_run(2, config, tmp_path / "out", check=False, timeout=60)
    assert result.returncode == 2
    assert "missing required key time.t_end" in result.stderr
    result = parleak_run(2, tmp_path / "absent.toml", tmp_path / "out", check=False, timeout=60)
    assert result.returncode == 2
    assert "absent.toml' does not exist" in result.stderr


def test_invalid_toml_names_the_file(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[problem\nname = 1\n")
    result = parleak_run(1, config, tmp_path / "out", check=False, timeout=60)
    assert result.returncode == 2
    assert "broken.toml' is not valid TOML" in result.stderr


def test_existing_dumps_are_kept_unless_overwrite(tmp_path):
    out = tmp_path / "out"
    parleak_run(2, DRIVER, out, "time.t_end=0.5", "output.interval=0.1")
    first = sorted(p.name for p in out.iterdir())
    assert "dump_00005.h5" in first
    before = (out / "dump_00005.h5").read_bytes()
    result = parleak_run(2, DRIVER, out, "time.t_end=0.2", check=False, timeout=60)
    assert result.returncode == 2
    assert "already holds the files of a run (6 dumps (dump_00000.h5 ...), 1 checkpoint (checkpoint_00000080.h5), " \
           "run_id.txt, scalars.csv)" in result.stderr and "--overwrite" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == first
    assert (out / "dump_00005.h5").read_bytes() == before
    result = mpirun(2, ["python", "-m", "parleak", "run", str(DRIVER), "--output", str(out), "--overwrite",
                        "--set", "time.t_end=0.2"], timeout=60)
    assert sorted(p.name for p in out.glob("dump_*.h5")) == ["dump_00000.h5", "dump_00001.h5"]
    assert len(ET.parse(out / "dumps.xmf").getroot().findall("Domain/Grid/Grid")) == 2


def test_exception_on_rank_1_of_2_aborts_the_job(tmp_path):
    """The abort hook ends the job (a hang would run into the timeout)."""
    result = mpirun(2, ["python", str(REPO / "tests" / "scripts" / "fail_on_rank.py"), str(DRIVER), "1",
                        str(tmp_path / "out")], check=False, timeout=60)
    assert result.returncode != 0
    assert result.stderr.count("deliberate failure on rank 1") >= 1
    assert result.stderr.count("[parleak rank 1/2] uncaught exception") == 1, result.stderr
    assert "[parleak rank 0/2]" not in result.stderr


def test_only_rank_0_prints(tmp_path):
    result = parleak_run(2, DRIVER, tmp_path / "out", "time.t_end=0.1", "output.log_every=1")
    steps = [line for line in result.stdout.splitlines() if line.startswith("step ")]
    assert len(steps) == len({line.split()[1] for line in steps}) > 0, result.stdout
    assert "wall/step" in steps[0] and "eta" in steps[0]
    assert result.stdout.count("done:") == 1


def test_info_prints_versions_and_process_grid():
    result = mpirun(4, ["python", "-m", "parleak", "info"], timeout=60)
    for word in ("python", "numpy", "mpi4py", "Open MPI", "petsc4py", "PETSc 3.", "h5py", "numba",
                 "built with MPI (parallel HDF5)"):
        assert word in result.stdout, word
    assert "ranks             4" in result.stdout
    assert "process grid 3-D  1 x 2 x 2" in result.stdout
    assert result.stdout.count("numba") == 1
