"""Checkpoints: dumps that hold everything a run needs to continue exactly.

OUTPUT_DIR/checkpoint_<step:08d>.h5 has the layout of a dump
(parleak.io.dump: every State field, time, step, the resolved config, the
grid) plus
    /restart              attributes format = "parleak checkpoint", version,
                          and the run's output counters (dumps_written,
                          outputs_done, last_dump_step, output_interval)
    /restart/parts/KEY    one group per object with restart state (a physics
                          object, the energy budget; KEY names it stably,
                          e.g. "02_LeakageSources"): its checkpoint_scalars()
                          as attributes, its checkpoint_fields() as global
                          float64 datasets fields/NAME of shape (k, nz, ny, nx)
Every field dataset has an attribute `checksum`: the sum over its cells of
the value's 64 bits times (2 g + 1), g the global flat index, modulo 2^64;
it does not depend on the decomposition and catches damaged data that HDF5
itself reads without complaint. Like a dump, a checkpoint is written as
.tmp and renamed when complete.

Restart-state protocol of an object (parleak.physics.Physics has no-op
defaults for all three):
    checkpoint_scalars() -> {name: float | int | str | 1-D array}, the same
        on every rank
    checkpoint_fields() -> {name: array (k,) + the owned interior shape}
    restore_checkpoint(scalars, fields): the same dicts back, the fields for
        this rank's owned cells (any number of ranks)
"""

import glob
import math
import os
import re

import h5py
import numpy as np

from parleak import parallel
from parleak.config import tomllib
from parleak.io.dump import write_owned, write_state_file

FORMAT = "parleak checkpoint"
VERSION = 1
COUNTERS = ("dumps_written", "outputs_done", "last_dump_step", "output_interval")
_NAME = re.compile(r"checkpoint_(\d{8})\.h5")


class CheckpointError(Exception):
    """A checkpoint that cannot be restarted from; the message names the
    file and the problem."""


def checkpoint_path(directory, step):
    return os.path.join(directory, f"checkpoint_{step:08d}.h5")


def existing_checkpoints(directory):
    """[(step, path)] of the complete checkpoints in `directory`, oldest first."""
    found = []
    for path in glob.glob(os.path.join(glob.escape(directory), "checkpoint_*.h5")):
        match = _NAME.fullmatch(os.path.basename(path))
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_checkpoint(directory):
    """The path of the newest complete checkpoint in `directory`."""
    found = existing_checkpoints(directory)
    if not found:
        raise CheckpointError(f"--restart latest: no checkpoint_NNNNNNNN.h5 in output directory {directory!r}")
    return found[-1][1]


def remove_checkpoints(directory, after_step=-1):
    """Delete the checkpoints (and unfinished .tmp ones) of steps after
    `after_step` (all by default); rank 0 only."""
    for path in glob.glob(os.path.join(glob.escape(directory), "checkpoint_*.h5*")):
        match = re.fullmatch(r"checkpoint_(\d{8})\.h5(\.tmp)?", os.path.basename(path))
        if match and int(match.group(1)) > after_step:
            os.remove(path)


def prune_checkpoints(directory, keep):
    """Delete all but the newest `keep` checkpoints; rank 0 only."""
    for _, path in existing_checkpoints(directory)[:-keep]:
        os.remove(path)


def _checksum(block, grid):
    """The decomposition-independent checksum (module docstring) of a
    field's owned block [z, y, x] or [component, z, y, x]; collective."""
    nx, ny, nz = grid.cells
    k, j, i = (np.arange(*grid.owned[a], dtype=np.uint64) for a in (2, 1, 0))
    index = (k[:, None, None] * np.uint64(ny) + j[None, :, None]) * np.uint64(nx) + i[None, None, :]
    if block.ndim == 4:
        components = np.arange(block.shape[0], dtype=np.uint64)[:, None, None, None]
        index = components * np.uint64(nx * ny * nz) + index
    bits = np.ascontiguousarray(block, dtype=np.float64).view(np.uint64)
    local = int(np.sum(bits * (np.uint64(2) * index + np.uint64(1)), dtype=np.uint64))
    return sum(grid.comm.allgather(local)) % 2 ** 64


def _part_fields(key, part, grid):
    """The part's checkpoint_fields(), checked for shape, as float64."""
    interior = tuple(s.stop - s.start for s in grid.interior)
    fields = {}
    for name, array in part.checkpoint_fields().items():
        array = np.asarray(array, dtype=np.float64)
        if array.ndim != 4 or array.shape[1:] != interior:
            raise ValueError(f"checkpoint_fields() of {key}: {name!r} has shape {array.shape}, "
                             f"expected (k,) + {interior} (the owned cells, [z, y, x])")
        fields[name] = array
    return fields


def write_checkpoint(directory, state, time, step, config_text, counters, parts, attributes=None):
    """Write checkpoint_<step>.h5 (module docstring) of `state` and of the
    restart state of `parts` ([(key, object)]); counters: the values of
    COUNTERS; attributes: more file attributes (a dict). Collective over
    the grid's communicator; returns the path. Raises OutputError on every
    rank when it cannot be written (the earlier checkpoints stay)."""
    grid = state.grid
    owned = tuple(slice(s, e) for s, e in reversed(grid.owned))
    global_shape = tuple(reversed(grid.cells))
    checksums = {name: np.uint64(_checksum(state.interior(name), grid)) for name in state.names}
    part_data = [(key, part.checkpoint_scalars(), _part_fields(key, part, grid)) for key, part in parts]

    def write_restart_attributes(h5):
        for name, checksum in checksums.items():
            h5["fields"][name].attrs["checksum"] = checksum
        restart = h5.create_group("restart")
        restart.attrs.update({"format": FORMAT, "version": VERSION})
        restart.attrs.update({name: counters[name] for name in COUNTERS})
        for key, scalars, _ in part_data:
            h5.create_group(f"restart/parts/{key}").attrs.update(scalars)

    def part_field_writer(key, name, array):
        checksum = np.uint64(_checksum(array, grid))

        def write_part_field(h5):
            dataset = h5.create_dataset(f"restart/parts/{key}/fields/{name}", shape=array.shape[:1] + global_shape,
                                        dtype="f8")
            dataset.attrs["checksum"] = checksum
            write_owned(dataset, (slice(None),) + owned, array, grid.comm)
        return write_part_field

    steps = [write_restart_attributes]
    steps += [part_field_writer(key, name, array) for key, _, fields in part_data for name, array in fields.items()]
    path = checkpoint_path(directory, step)
    more_bytes = sum(8 * len(array) * math.prod(grid.cells) for _, _, fields in part_data for array in fields.values())
    write_state_file(path, state, time, step, config_text, attributes, more_steps=steps, more_bytes=more_bytes)
    return path


def inspect_checkpoint(path):
    """Check that `path` is a complete parleak checkpoint, reading only its
    metadata (serial: call on one rank). Returns {time, step, config (the
    resolved TOML text), cells, fields: [names], parts: {key: [field
    names]}, run_id, faces: the cell faces per axis (cm; None in a
    checkpoint written before stretched grids)} and the COUNTERS; raises
    CheckpointError naming the file."""
    if not os.path.exists(path):
        raise CheckpointError(f"checkpoint {path!r} does not exist")
    try:
        h5 = h5py.File(path, "r")
    except OSError as err:
        raise CheckpointError(f"checkpoint {path!r} cannot be read as HDF5 (truncated or damaged?): {err}") from None
    try:
        with h5:
            return _contents(path, h5)
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise CheckpointError(f"checkpoint {path!r} is damaged: {type(err).__name__}: {err}") from None


def _contents(path, h5):
    if "restart" not in h5 or h5["restart"].attrs.get("format") != FORMAT:
        if "fields" in h5 and "config" in h5.attrs:
            raise CheckpointError(f"{path!r} is a dump without restart data, not a checkpoint; restart from a "
                                  "checkpoint_NNNNNNNN.h5 (or --restart latest)")
        raise CheckpointError(f"{path!r} is not a parleak checkpoint (HDF5 without a /restart group of format "
                              f"{FORMAT!r}; it holds {', '.join(sorted(h5)) or 'nothing'})")
    restart = h5["restart"]
    if restart.attrs.get("version") != VERSION:
        raise CheckpointError(f"checkpoint {path!r} has format version {restart.attrs.get('version')!r}; "
                              f"this parleak reads version {VERSION}")
    missing = [name for name in ("time", "step", "config", "cells") if name not in h5.attrs]
    missing += [f"restart/{name}" for name in COUNTERS if name not in restart.attrs]
    if missing:
        raise CheckpointError(f"checkpoint {path!r} lacks the attribute {missing[0]!r}")
    config = str(h5.attrs["config"])
    try:
        tomllib.loads(config)
    except tomllib.TOMLDecodeError as err:
        raise CheckpointError(f"checkpoint {path!r}: its stored config is not valid TOML: {err}") from None
    cells = tuple(int(n) for n in h5.attrs["cells"])
    shape = tuple(reversed(cells))
    for name, dataset in h5["fields"].items():
        if dataset.shape != shape or "checksum" not in dataset.attrs:
            raise CheckpointError(f"checkpoint {path!r}: field {name!r} has shape {dataset.shape} (expected "
                                  f"{shape}){'' if 'checksum' in dataset.attrs else ' and no checksum'}")
    parts = {}
    for key, group in restart.get("parts", {}).items():
        parts[key] = list(group.get("fields", {}))
        for name in parts[key]:
            dataset = group["fields"][name]
            if dataset.ndim != 4 or dataset.shape[1:] != shape or "checksum" not in dataset.attrs:
                raise CheckpointError(f"checkpoint {path!r}: restart field {key}/{name} has shape {dataset.shape} "
                                      f"(expected (k,) + {shape}) or no checksum")
    run_id = h5.attrs.get("run_id")
    faces = [h5.get(f"grid/faces_{axis}") for axis in "xyz"]  # none in a checkpoint written before stretched grids
    info = {"time": float(h5.attrs["time"]), "step": int(h5.attrs["step"]), "config": config, "cells": cells,
            "fields": list(h5["fields"]), "parts": parts, "run_id": None if run_id is None else str(run_id),
            "faces": None if any(f is None for f in faces) else [f[...] for f in faces]}
    info.update({name: restart.attrs[name].item() for name in COUNTERS})
    return info


def _check_matches(path, info, state, parts):
    """The checkpoint has every field of `state`, the cell faces of its
    grid (bitwise) and restart data for exactly the `parts` of this run."""
    missing = [name for name in state.names if name not in info["fields"]]
    if missing:  # its config, checked before, is that of this run
        raise CheckpointError(f"checkpoint {path!r} lacks the field {missing[0]!r} that this run needs (it has "
                              f"{', '.join(info['fields'])}): it is damaged, or written by another parleak version")
    if tuple(info["cells"]) != state.grid.cells:
        raise CheckpointError(f"checkpoint {path!r} has {info['cells']} cells (x, y, z); the grid has "
                              f"{state.grid.cells}")
    moved = [axis for axis, stored, faces in zip("xyz", info["faces"] or (), state.grid.faces)
             if stored.tobytes() != np.asarray(faces, dtype=np.float64).tobytes()]
    if moved:
        raise CheckpointError(f"checkpoint {path!r} has other cell faces along {moved[0]} than this run's grid (the "
                              "same grid.* keys give other faces: written by another parleak version?); a restart "
                              "continues on the checkpoint's cells")
    keys = [key for key, _ in parts]
    for key in sorted(set(keys) ^ set(info["parts"])):
        has = "has" if key in info["parts"] else "has no"
        raise CheckpointError(f"checkpoint {path!r} {has} restart data for {key!r}; this run's objects with "
                              f"restart state are {', '.join(keys) or 'none'}")


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def read_checkpoint(path, state, parts):
    """Fill every field of `state` (owned cells and all ghost zones) from the
    checkpoint at `path` and hand each of `parts` ([(key, object)]) its
    restart state; any number of ranks. Collective; raises CheckpointError
    on every rank. Returns inspect_checkpoint's dict."""
    grid = state.grid
    comm = grid.comm

    def inspect_and_match():
        info = inspect_checkpoint(path)
        _check_matches(path, info, state, parts)
        return info
    info, failure = parallel.on_rank_0_shared(inspect_and_match, CheckpointError, comm)
    if failure is not None:
        raise CheckpointError(str(failure))
    owned = tuple(slice(s, e) for s, e in reversed(grid.owned))
    stored = {}  # name: (this rank's block, the stored checksum)
    restored = []
    kwargs = {"driver": "mpio", "comm": comm} if comm.Get_size() > 1 else {}
    with parallel.together(comm, CheckpointError, f"checkpoint {path!r} cannot be read"):
        with h5py.File(path, "r", **kwargs) as h5:
            for name in state.names:
                state.interior(name)[...] = h5["fields"][name][owned]
                stored[f"fields/{name}"] = (state.interior(name), int(h5["fields"][name].attrs["checksum"]))
            for key, part in parts:
                group = h5[f"restart/parts/{key}"]
                fields = {}
                for name, dataset in group.get("fields", {}).items():
                    fields[name] = dataset[(slice(None),) + owned]
                    stored[f"restart/parts/{key}/fields/{name}"] = (fields[name], int(dataset.attrs["checksum"]))
                restored.append((key, part, {name: _plain(v) for name, v in group.attrs.items()}, fields))
    damaged = [name for name, (block, checksum) in stored.items() if _checksum(block, grid) != checksum]
    if damaged:
        raise CheckpointError(f"checkpoint {path!r} is damaged: the data of {', '.join(damaged)} do not match "
                              "their checksums")
    state.exchange()
    auxiliary = state.data[state.n_evolved:]
    if len(auxiliary):  # their ghosts too: e.g. the temperature is the EOS's guess in every local cell
        halo = grid.halo(auxiliary)
        halo.exchange([(1.0, 1.0, 1.0)] * len(auxiliary))
        halo.scatter.destroy()  # now on every rank, not whenever the garbage collector runs
        halo.vec.destroy()
    for key, part, scalars, fields in restored:
        try:
            part.restore_checkpoint(scalars, fields)
        except KeyError as err:  # the same on every rank: the names are global
            raise CheckpointError(f"checkpoint {path!r} is incomplete: the restart data of {key!r} lack {err} "
                                  f"(they have {', '.join(sorted(scalars) + sorted(fields)) or 'nothing'})") from None
    parallel.say(f"restarted from {path}  t = {info['time']:.6e} s  step {info['step']}", comm=comm)
    return info
