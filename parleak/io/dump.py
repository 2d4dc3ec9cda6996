"""Writing dumps: one HDF5 file per output time, written collectively.

Layout of OUTPUT_DIR/dump_NNNNN.h5:
    /fields/NAME   global array [z, y, x] without ghosts (always 3-D: a 1-D
                   grid gives shape (1, 1, nx)); attribute `units`
    /grid/x, y, z  cell-centre coordinates (Grid.global_centres), cm
    /grid/faces_x, faces_y, faces_z
                   the cells' faces (Grid.faces: n + 1 per axis, [0, 1]
                   along an axis a 1-D or 2-D grid lacks), cm
    attributes     time (s), step, n_ranks, parleak_version, config (the
                   resolved TOML), dim, cells, lower, upper (cm), spacing
                   ("uniform" or "stretched": faces that are not equally
                   spaced), and the boundary kind of each face; a
                   simulation's dumps add run_id, symmetry_factor (the
                   whole star's extensive values are this times the
                   grid's: parleak.whole_star) and, after an error, failure
The file is written as dump_NNNNN.h5.tmp and renamed when complete, so an
interrupted run never leaves a truncated dump under the final name; a
write that fails on any rank stops every rank together (OutputError) and
removes the .tmp.
"""

import errno
import glob
import math
import os
import re
import resource

import h5py
import numpy as np

from parleak import parallel
from parleak.io import xdmf
from parleak.parallel import OutputError
import parleak


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
    """A new HDF5 file at `path` for every rank of comm. Serially, data go
    straight to the file (no sieve buffer) and closing the file closes its
    objects (strong close), so that a failed write raises where it is made
    or in close(), never later when h5py frees an object."""
    if comm.Get_size() == 1:
        access = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
        access.set_fclose_degree(h5py.h5f.CLOSE_STRONG)
        access.set_sieve_buf_size(0)
        return h5py.File(h5py.h5f.create(os.fsencode(path), h5py.h5f.ACC_TRUNC, fapl=access))
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


def on_rank_0(comm, what, action):
    """Run action() on rank 0 of comm while the others wait; an exception
    there stops every rank with OutputError("WHAT: cause"). Collective."""
    with parallel.together(comm, OutputError, what):
        if comm.Get_rank() == 0:
            action()


def write_dump(directory, index, state, time, step, config_text, attributes=None):
    """Write the interior of every field of `state` to dump number `index`
    and its XDMF file, with extra file `attributes` (a dict) if given;
    collective over the grid's communicator. Returns the dump's path.
    Raises OutputError on every rank when a file cannot be written."""
    path = dump_path(directory, index)
    write_state_file(path, state, time, step, config_text, attributes)
    names = [spec.name for spec in state.specs]
    on_rank_0(state.grid.comm, f"writing the XDMF files of {path}", lambda: (
        xdmf.write_for_dump(path, state.grid, names, time), xdmf.write_series(directory)))
    return path


def write_state_file(path, state, time, step, config_text, attributes=None, more_steps=(), more_bytes=0):
    """Write the layout of the module docstring to `path` (see
    write_collectively), then each of `more_steps` (callables h5 -> None,
    on every rank, each ending with at most one collective operation;
    more_bytes: the size of the data they add). Collective over the grid's
    communicator."""
    grid = state.grid
    comm = grid.comm
    attrs = {
        "time": float(time), "step": int(step), "n_ranks": comm.Get_size(),
        "parleak_version": parleak.__version__, "config": config_text, "dim": grid.dim,
        "cells": np.array(grid.cells), "lower": np.array(grid.lower), "upper": np.array(grid.upper),
        "time_units": "s", "length_units": "cm", "spacing": "uniform" if grid.uniform else "stretched",
    }
    attrs.update({f"boundary_{face}": kind for face, kind in grid.boundaries.items()})
    attrs.update(attributes or {})
    owned = tuple(slice(s, e) for s, e in reversed(grid.owned))

    def write_grid(h5):
        h5.attrs.update(attrs)
        for a, name in enumerate("xyz"):
            dataset = h5.create_dataset(f"grid/{name}", shape=(grid.cells[a],), dtype="f8")
            dataset.attrs["units"] = "cm"
            faces = h5.create_dataset(f"grid/faces_{name}", shape=(grid.cells[a] + 1,), dtype="f8")
            faces.attrs["units"] = "cm"
            if comm.Get_rank() == 0:
                dataset[...] = grid.global_centres(a)
                faces[...] = grid.faces[a]

    def field_writer(spec):
        def write_field(h5):
            block = np.ascontiguousarray(state.interior(spec.name))
            dataset = h5.create_dataset(f"fields/{spec.name}", shape=tuple(reversed(grid.cells)), dtype="f8")
            dataset.attrs["units"] = spec.units
            if spec.description:
                dataset.attrs["description"] = spec.description
            write_owned(dataset, owned, block, comm)
        return write_field

    steps = [write_grid] + [field_writer(spec) for spec in state.specs] + list(more_steps)
    data_bytes = 8 * (len(state.specs) * math.prod(grid.cells) + 2 * sum(grid.cells) + 3) + more_bytes
    write_collectively(path, comm, steps, estimated_size(len(steps) + 6, data_bytes, attrs))


def estimated_size(n_objects, data_bytes, attrs):
    """An upper estimate of the size (bytes) of an HDF5 file holding
    `n_objects` datasets and groups with `data_bytes` of data and the file
    attributes `attrs`: HDF5 adds well under 2 KiB per object."""
    return data_bytes + 2048 * n_objects + sum(len(str(value)) for value in attrs.values()) + 16384


def write_collectively(path, comm, steps, size):
    """Write the HDF5 file `path` on every rank of comm: opened as
    path.tmp, each of `steps` (callables h5 -> None) run on every rank and
    agreed on (parallel.together), closed, renamed to `path` by rank 0.

    First the file's estimated `size` (bytes) is checked against the file
    system's free space and the file-size limit (ulimit -f) of every rank.
    A failure on any rank (not enough space, a full disk, an I/O error)
    stops the writing on every rank together: the file is closed, the .tmp
    removed and OutputError raised on every rank, naming the file, the
    cause and the space left; no other file is touched. A rank stuck in
    HDF5 exits after parallel.IO_TIMEOUT_S (see together). A failed close
    leaves the HDF5 library unusable: the caller must then exit with
    parallel.exit_now."""
    partial = path + ".tmp"
    what = f"writing {path}"
    with parallel.together(comm, OutputError, what):
        check_space(os.path.dirname(path) or ".", size, comm)
    try:
        with parallel.together(comm, OutputError, what, watch=True):
            h5 = _open_for_write(partial, comm)
    except OutputError as err:  # some ranks may hold the file open: no collective close
        _give_up(partial, err, comm)
    failure = None
    try:
        for step in steps:
            with parallel.together(comm, OutputError, what, watch=True):
                step(h5)
    except OutputError as err:
        failure = err
    try:
        with parallel.together(comm, OutputError, what, watch=True):
            h5.close()
    except OutputError as err:
        failure = failure or err
    if failure is not None:
        _give_up(partial, failure, comm)
    on_rank_0(comm, what, lambda: os.replace(partial, path))


def check_space(directory, size, comm):
    """OSError unless a file of `size` bytes fits under this rank's
    file-size limit and (rank 0) in the free space of `directory`'s file
    system."""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit != resource.RLIM_INFINITY and size > limit:
        raise OSError(errno.EFBIG, f"it needs about {size} bytes, more than the file-size limit (ulimit -f) of "
                                   f"{limit} bytes")
    if comm.Get_rank() == 0:
        stat = os.statvfs(directory)
        if size > stat.f_bavail * stat.f_frsize:
            raise OSError(errno.ENOSPC, f"it needs about {size} bytes and {stat.f_bavail * stat.f_frsize} bytes are "
                                        f"free on the file system of {directory!r}")


def _give_up(partial, failure, comm):
    """Remove the unfinished file (rank 0) and raise OutputError with the
    space left beside it, on every rank."""
    if comm.Get_rank() == 0 and os.path.exists(partial):
        os.remove(partial)
    raise OutputError(f"{failure}{space_note(os.path.dirname(partial) or '.')}") from None


def space_note(directory):
    """"; N bytes free on the file system of DIRECTORY" and the file-size
    limit (ulimit -f) if there is one: what a failed write most often ran
    into."""
    try:
        stat = os.statvfs(directory)
    except OSError:
        return ""
    note = f"; {stat.f_bavail * stat.f_frsize} bytes free on the file system of {directory!r}"
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return note if limit == resource.RLIM_INFINITY else f"{note}, file-size limit (ulimit -f) {limit} bytes"
