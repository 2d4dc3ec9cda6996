"""eos.shared_memory: a table EOS in one MPI-3 shared window per node
(parleak.parallel.shared_memory) gives bitwise the results of a copy per
rank, holds one copy per node (the ranks' PSS), and a run with it writes
the same dumps and exits cleanly; a bad table exits 2 on every rank."""

import h5py
import numpy as np
import pytest

from helpers import real_input

SRO = "eos/SRO_LS220star_NSE837_rho126_temp61_ye31.h5"

# Per rank: lookups and inversions with the window on and off (bitwise),
# and the PSS that making each table added (kB), gathered on rank 0.
COMPARE = """
import sys
import numpy as np
from mpi4py import MPI
from parleak.config import validate
from parleak.eos import SCHEMA, make_eos
from parleak.microphysics.leakage import EOS_QUANTITIES

def pss():
    with open("/proc/self/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))

comm = MPI.COMM_WORLD
eoses, growth = {}, {}
for shared in (True, False):
    before = pss()
    eoses[shared] = make_eos(validate({"eos.kind": "table", "eos.table": sys.argv[1], "eos.shared_memory": shared},
                                      SCHEMA), {"munu": "the test"}, comm)
    eoses[shared].tables["logpress"].sum()  # touch every page of the records
    eoses[shared]._hydro.sum()
    growth[shared] = pss() - before
rng = np.random.default_rng(comm.Get_rank())
n = 4000
lo, hi = eoses[False].ranges["rho"]
rho = 10.0 ** rng.uniform(np.log10(lo) - 0.2, np.log10(hi) + 0.2, n)
temp = 10.0 ** rng.uniform(-2.2, 2.4, n)
ye = rng.uniform(0.0, 0.6, n)
results = {}
for shared, eos in eoses.items():
    looked_up = eos.lookup(rho, temp, ye, *EOS_QUANTITIES, "eps", "press", "entropy")
    eps, press, entropy = looked_up[-3:]
    out = list(looked_up) + list(eos.state_from("entropy", rho, entropy * 1.1, ye, "Xn", "press", temp_guess=temp))
    out += list(eos.state_from("eps", rho, eps, ye))
    hydro = [np.empty(n) for _ in range(3)]
    t = temp * 0.7
    eos.from_rho_eps(rho, eps, ye, t, *hydro)
    out += [t] + hydro + [eos.eps_from_rho_press(rho, press, ye, None), eos.counts.astype(float)]
    results[shared] = out
same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(results[True], results[False]))
writeable = any(a.flags.writeable for a in eoses[True].tables.values())
rows = comm.gather((same, writeable, growth[True], growth[False], eoses[True].nbytes), root=0)
if comm.Get_rank() == 0:
    print("ROWS", rows)
"""


@pytest.mark.mpi(ranks=(1, 2, 4))
def test_shared_table_is_bitwise_and_one_copy_per_node(mpi):
    table = real_input(SRO)
    output = mpi.python(COMPARE, table, timeout=600).stdout
    rows = eval(output.split("ROWS", 1)[1].strip())
    assert len(rows) == mpi.ranks
    nbytes = rows[0][4]
    assert nbytes == 8 * 31 * 61 * 126 * (19 + 3)  # the records of 19 variables and the hydro's 3
    for same, writeable, shared_kb, own_kb, _ in rows:
        assert same and not writeable
        assert own_kb > 0.9 * nbytes / 1024  # a copy per rank
    # PSS splits the window's pages among the node's ranks: each rank but
    # node rank 0 (which also read the file) adds its share of one copy
    for row in rows[1:]:
        assert row[2] * 1024 < 1.2 * nbytes / mpi.ranks + 2e6

def _fields(path):
    """{dataset path: values} of every dataset in an HDF5 file."""
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, item: found.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    return found


@pytest.mark.mpi(ranks=(1, 2, 4))
def test_run_with_and_without_the_window_writes_the_same_dumps(mpi, tmp_path):
    runs = {}
    for shared in ("true", "false"):
        result = mpi.parleak("drivers/shocktube_nuclear.toml", tmp_path / shared, "time.max_steps=6",
                             "grid.cells=[64]", f"eos.shared_memory={shared}")
        assert result.returncode == 0
        runs[shared] = sorted((tmp_path / shared).glob("dump_*.h5"))
    assert len(runs["true"]) == len(runs["false"]) >= 2
    for on, off in zip(runs["true"], runs["false"]):
        fields_on, fields_off = _fields(on), _fields(off)
        assert fields_on.keys() == fields_off.keys()
        assert all(np.array_equal(fields_on[name], fields_off[name]) for name in fields_on)


@pytest.mark.mpi(ranks=(2, 4))
def test_a_bad_table_exits_2_on_every_rank(mpi, tmp_path):
    """A file that is not a table: node rank 0 reads it, every rank exits
    2 with the message (no rank left waiting for the window)."""
    bad = tmp_path / "bad.h5"
    bad.write_text("not an HDF5 file\n")
    result = mpi.parleak("drivers/shocktube_nuclear.toml", tmp_path / "out", "eos.kind=table", f"eos.table={bad}",
                         "time.max_steps=2", check=False, timeout=120)
    assert result.returncode == 2
    assert "not a readable HDF5 file" in result.stderr and str(bad) in result.stderr
