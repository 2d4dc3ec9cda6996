"""Loading a run's output into numpy arrays: its dumps (fields [z, y, x],
cell centres x, y, z in cm, units per field, time in s; see
parleak.io.reader.Dump) and its scalar time series (scalars.csv, one numpy
array per column). Serial: needs no mpirun."""

import os
import tomllib
from dataclasses import dataclass

import h5py
import numpy as np

from parleak.config import ConfigError, flatten
from parleak.eos import make_eos
from parleak.io.dump import existing_dumps
from parleak.io.reader import read_dump as load_dump
from parleak.io.scalars import read_scalars, scalars_path


class PostError(ValueError):
    """Bad input to postprocessing (a directory, dump or field name)."""


def dump_paths(directory):
    """The complete dumps (dump_NNNNN.h5, no unfinished .tmp) of the run in
    `directory`, in index order. PostError if the directory does not exist
    or holds no dump."""
    if not os.path.isdir(directory):
        raise PostError(f"output directory {directory!r} does not exist" if not os.path.exists(directory)
                        else f"{directory!r} is not a directory")
    paths = [p for p in existing_dumps(directory) if p.endswith(".h5")]
    if not paths:
        raise PostError(f"output directory {directory!r} holds no dumps (dump_NNNNN.h5)")
    return paths


def dump_index(path):
    """NNNNN of dump_NNNNN.h5."""
    return int(os.path.basename(path)[len("dump_"):-len(".h5")])


def field_names(path):
    """The field names of a dump, without reading their data."""
    with h5py.File(path, "r") as h5:
        return list(h5["fields"])


def load_scalars(directory):
    """{column: numpy array} of the run's scalars.csv, or None if it has
    none."""
    path = scalars_path(directory)
    if not os.path.isfile(path):
        return None
    return {name: np.array(values) for name, values in read_scalars(path).items()}


@dataclass
class Run:
    """A run's output: dumps (Dump objects in index order), their paths,
    and scalars ({column: array}, or None without scalars.csv)."""

    directory: str
    paths: list
    dumps: list
    scalars: dict

    @property
    def times(self):
        """Dump times, s."""
        return np.array([dump.time for dump in self.dumps])


def load_run(directory, fields=None):
    """Every dump of the run in `directory` (only `fields` if given) and
    its scalar time series."""
    paths = dump_paths(directory)
    return Run(directory, paths, [load_dump(p, fields) for p in paths], load_scalars(directory))


def run_config(dump):
    """The resolved configuration stored in the dump, as a flat dict
    (dotted key -> value); PostError if it is not valid TOML."""
    try:
        return flatten(tomllib.loads(dump.attrs["config"]))
    except tomllib.TOMLDecodeError as err:
        raise PostError(f"dump {dump.path!r}: its stored config is not valid TOML: {err}") from None


def entropy(dump):
    """Entropy (k_B/baryon) of every cell from the dump's dens, temp and ye
    with the run's nuclear EOS (built from the stored eos.* keys).
    PostError saying why where that is not possible (an ideal-gas run, a
    missing field, an EOS table not found from here)."""
    config = run_config(dump)
    kind = config.get("eos.kind", "ideal")
    if kind == "ideal":
        raise PostError("the ideal-gas EOS has no entropy in k_B/baryon")
    missing = [name for name in ("dens", "temp", "ye") if name not in dump.fields]
    if missing:
        raise PostError(f"entropy needs the field {missing[0]!r}, which was not loaded")
    try:
        eos = make_eos(config)
    except ConfigError as err:
        raise PostError(f"cannot build the run's EOS: {err}") from None
    return eos.lookup(dump.fields["dens"], dump.fields["temp"], dump.fields["ye"], "entropy")[0]
