"""The leakage stage integrals on a stretched 1-D grid under mpirun
(tests/test_stretched_neutrino.py): 24 cells (widths 2.5e3 to 1e4 cm),
hot dense matter at rest in x < 3e4 cm and a thin atmosphere (no sources)
beyond, so that the work sharing moves cells (and their volumes) between
ranks. One right-hand side evaluation, recorded as a step of weight 1.
Rank 0 writes OUTDIR/luminosity_N.npz: energy_loss [erg/s], lepton_loss
[1/s], luminosity (3,) [erg/s], the energy_loss_rate [erg cm^-3 s^-1] and
rho dYe/dt [g cm^-3 s^-1] of every cell and the cell widths [cm].

usage: stretched_luminosity.py OUTDIR
"""

import sys
from pathlib import Path

import numpy as np

from parleak import parallel
from parleak.eos.table import TabulatedEOS
from parleak.eos.table_writer import builtin_table_path
from parleak.grid import Grid
from parleak.hydro.solver import Hydro
from parleak.microphysics.leakage import LeakageParams
from parleak.neutrino.coupling import LeakageSources
from parleak.neutrino.optical_depth import OpticalDepth
from parleak.physics import StageData
from parleak.spacing import stretched_faces
from parleak.state import State


def main(outdir):
    parallel.install_abort_hook()
    comm = parallel.WORLD
    faces = stretched_faces(0.0, 1.2e5, 24, 2.5e3, 1e4, 0.0)[0]
    grid = Grid([24], [0.0], [1.2e5], 2, {"x_lower": "reflecting", "x_upper": "outflow"}, None, comm, faces=[faces])
    eos = TabulatedEOS(builtin_table_path())
    hydro = Hydro(grid, eos, "plm-mc", "hllc", 1e-10, 1e-12)
    leakage = LeakageSources(grid, eos, OpticalDepth(grid, "rays"), LeakageParams())
    state = State(grid, hydro.fields + leakage.fields)
    x = grid.centres(0)[None, None, :]
    rho = np.where(x < 3e4, 1e13 * (1.0 - x / 1e5), 1e6)
    temp = np.where(x < 3e4, 8.0, 0.5)
    (eps,) = eos.lookup(rho, temp, 0.3, "eps")
    for name, values in (("dens", rho), ("etot", rho * eps), ("dens_ye", 0.3 * rho), ("temp", temp)):
        state[name][...] = values
    state.exchange()
    rhs, stage = np.zeros_like(state.evolved), StageData()
    hydro.add_rhs(state, rhs, 0.0, stage)
    leakage.add_rhs(state, rhs, 0.0, stage)
    leakage.end_step(1.0, [1.0])
    blocks = comm.gather((grid.owned[0], leakage.result.energy_loss_rate[0, 0], leakage.lepton_source[0, 0]), root=0)
    if comm.Get_rank() == 0:
        rate, lepton = np.empty(24), np.empty(24)
        for (start, end), block_rate, block_lepton in blocks:
            rate[start:end], lepton[start:end] = block_rate, block_lepton
        np.savez(Path(outdir) / f"luminosity_{comm.Get_size()}.npz", energy_loss=leakage.energy_loss,
                 lepton_loss=leakage.lepton_loss, luminosity=leakage.luminosity, rate=rate, lepton=lepton,
                 widths=np.diff(faces))


if __name__ == "__main__":
    main(sys.argv[1])
