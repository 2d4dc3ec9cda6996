"""Run every driver of drivers/ for a few steps with two checkouts of
parleak and compare their dumps bitwise: the check that a refactoring
changed no result.

    python scripts/compare_driver_dumps.py BASELINE_CHECKOUT [--steps N] [--ranks R] [--work DIR]
        [--driver NAME ...]

Both runs use this interpreter, with PYTHONPATH set to each checkout
(this one and BASELINE_CHECKOUT, e.g. a `git worktree add` of an older
commit), under mpirun with R ranks (default 2). For every dump both runs
wrote, every dataset must be bitwise equal; an optional dataset (a field)
that only one run has is reported. Prints one line per driver and exits 1
when any differs.
"""

import argparse
import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parents[1]


def run(checkout, driver, output, steps, ranks):
    """Run drivers/DRIVER.toml for `steps` steps with the parleak of
    `checkout`, from a directory outside both checkouts (python -m puts
    the working directory first on sys.path)."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    output = pathlib.Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    command = ["mpirun", "-x", "PYTHONPATH", "-n", str(ranks), sys.executable, "-m", "parleak", "run",
               str(HERE / "drivers" / f"{driver}.toml"), "--output", str(output), "--overwrite",
               "--set", f"time.max_steps={steps}"]
    done = subprocess.run(command, env=env, cwd=output.parent, capture_output=True, text=True)
    imported = subprocess.run([sys.executable, "-c", "import parleak; print(parleak.__file__)"], env=env,
                              cwd=output.parent, capture_output=True, text=True).stdout.strip()
    if not imported.startswith(str(pathlib.Path(checkout).resolve())):
        raise SystemExit(f"{checkout}: the run would import parleak from {imported}")
    if done.returncode != 0:
        raise SystemExit(f"{driver} with {checkout}: exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def datasets(path):
    """{name: array} of every dataset in the HDF5 file."""
    found = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda name, item: found.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    return found


def _size(new, old):
    """Words on how much two float arrays differ: the largest difference
    relative to the largest finite value, and the NaN cells."""
    if new.dtype.kind != "f":
        return "values differ"
    both = np.isfinite(new) & np.isfinite(old)
    scale = np.max(np.abs(old[both]), initial=0.0) or 1.0
    words = f"largest difference {np.max(np.abs(new - old)[both], initial=0.0) / scale:.2e} of the largest value"
    nans = (int(np.isnan(new).sum()), int(np.isnan(old).sum()))
    return words + (f"; NaN in {nans[0]} cells, {nans[1]} in the baseline" if any(nans) else "")


def compare(new_dir, old_dir):
    """Lines naming what differs between the dumps of two run directories."""
    differences = []
    dumps = sorted(p.name for p in pathlib.Path(new_dir).glob("dump_*.h5"))
    if dumps != sorted(p.name for p in pathlib.Path(old_dir).glob("dump_*.h5")):
        return [f"different dumps: {dumps}"]
    for name in dumps:
        new, old = datasets(pathlib.Path(new_dir) / name), datasets(pathlib.Path(old_dir) / name)
        for key in sorted(set(new) | set(old)):
            if key not in new or key not in old:
                differences.append(f"{name}: {key} only in the {'new' if key in new else 'baseline'} run")
            elif new[key].dtype != old[key].dtype or new[key].shape != old[key].shape:
                differences.append(f"{name}: {key} differs in shape or type")
            elif not np.array_equal(new[key], old[key], equal_nan=new[key].dtype.kind == "f"):
                differences.append(f"{name}: {key} differs ({_size(new[key], old[key])})")
    return differences


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=pathlib.Path)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("output/compare"))
    parser.add_argument("--driver", action="append", help="a driver name (default: every drivers/*.toml)")
    args = parser.parse_args()
    drivers = args.driver or sorted(p.stem for p in (HERE / "drivers").glob("*.toml"))
    failed = False
    for driver in drivers:
        new_dir, old_dir = args.work / "new" / driver, args.work / "baseline" / driver
        run(HERE, driver, new_dir, args.steps, args.ranks)
        run(args.baseline.resolve(), driver, old_dir, args.steps, args.ranks)
        differences = compare(new_dir, old_dir)
        failed |= bool(differences)
        print(f"{driver}: {'bitwise the same' if not differences else 'DIFFERS'}", flush=True)
        for line in differences:
            print(f"    {line}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
