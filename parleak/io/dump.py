"""Writing dumps: one HDF5 file per output time, written collectively.

Layout of OUTPUT_DIR/dump_NNNNN.h5:
    /fields/NAME   global array [z, y, x] without ghosts (always 3-D: a 1-D
                   grid gives shape (1, 1, nx)); attribute `units`
    /grid/x, y, z  cell-centre coordinates, cm
    attributes     time (s), step, n_ranks, parleak_version, config (the
                   resolved TOML), dim, cells, lower, upper (cm), and the
                   boundary kind of each face
The file is written as dump_NNNNN.h5.tmp and renamed when complete, so an
interrupted run never leaves a truncated dump under the final name.
"""

import glob
import os
import re

import h5py
import numpy as np

import parleak
from parleak.io import xdmf


def dump_path(directory, index):
    return os.path.join(directory, f"dump_{index:05d}.h5")


def existing_dumps(directory):
    """The dumps (and unfinished .tmp dumps) in `directory`, sorted."""
    return sorted(glob.glob(os.path.join(glob.escape(directory), "dump_[0-9]*.h5*")))


def remove_dumps(directory, first_index=0):
    """Delete the dumps numbered `first_index` and later (all by default:
    those of an earlier run) and their XDMF files (rank 0 only); the time
    series dumps.xmf then describes the dumps left, if any."""
    pattern = os.path.join(glob.escape(directory), "dump_[0-9]*")
    for path in existing_dumps(directory) + glob.glob(pattern + ".xmf") + glob.glob(pattern + ".xmf.tmp"):
        if int(re.match(r"dump_(\d+)", os.path.basename(path)).group(1)) >= first_index:
            os.remove(path)
    series = os.path.join(directory, "dumps.xmf")
    if existing_dumps(directory):
        xdmf.write_series(directory)
    elif os.path.exists(series):
        os.remove(series)


def _open_for_write(path, comm):
    if comm.Get_size() == 1:
        return h5py.File(path, "w")
    if not h5py.get_config().mpi:
        raise RuntimeError(
            "this h5py is built without MPI, so a dump cannot be written by several ranks; "
            "install Debian's python3-h5py-mpi (or h5py built against parallel HDF5)")
    return h5py.File(path, "w", driver="mpio", comm=comm)


def write_owned(dataset, selection, block, comm):
    """Write this rank's `block` into `selection` of a global dataset
    (collectively when there are several ranks)."""
    if comm.Get_size() > 1:
        with dataset.collective:
            dataset[selection] = block
    else:
        dataset[selection] = block


def write_dump(directory, index, state, time, step, config_text, attributes=None):
    """Write the interior of every field of `state` to dump number `index`
    and its XDMF file, with extra file `attributes` (a dict) if given;
    collective over the grid's communicator. Returns the dump's path."""
    path = dump_path(directory, index)
    write_state_file(path, state, time, step, config_text, attributes)
    if state.grid.comm.Get_rank() == 0:
        xdmf.write_for_dump(path, state.grid, [spec.name for spec in state.specs], time)
        xdmf.write_series(directory)
    state.grid.comm.Barrier()
    return path


def write_state_file(path, state, time, step, config_text, attributes=None, add=None):
    """Write the layout of the module docstring to `path` (as path.tmp,
    renamed by rank 0 when complete); add(h5), if given, writes more into
    the open file, on every rank. Collective over the grid's communicator."""
    grid = state.grid
    comm = grid.comm
    partial = path + ".tmp"
    shape = tuple(reversed(grid.cells))
    owned = tuple(slice(s, e) for s, e in reversed(grid.owned))
    with _open_for_write(partial, comm) as h5:
        h5.attrs.update({
            "time": float(time), "step": int(step), "n_ranks": comm.Get_size(),
            "parleak_version": parleak.__version__, "config": config_text, "dim": grid.dim,
            "cells": np.array(grid.cells), "lower": np.array(grid.lower), "upper": np.array(grid.upper),
            "time_units": "s", "length_units": "cm",
        })
        h5.attrs.update(attributes or {})
        for face, kind in grid.boundaries.items():
            h5.attrs[f"boundary_{face}"] = kind
        coords = [h5.create_dataset(f"grid/{name}", shape=(grid.cells[a],), dtype="f8") for a, name in enumerate("xyz")]
        for a, dataset in enumerate(coords):
            dataset.attrs["units"] = "cm"
            if comm.Get_rank() == 0:
                dataset[...] = grid.global_centres(a)
        for spec in state.specs:
            dataset = h5.create_dataset(f"fields/{spec.name}", shape=shape, dtype="f8")
            dataset.attrs["units"] = spec.units
            if spec.description:
                dataset.attrs["description"] = spec.description
            write_owned(dataset, owned, np.ascontiguousarray(state.interior(spec.name)), comm)
        if add is not None:
            add(h5)
    if comm.Get_rank() == 0:
        os.replace(partial, path)
