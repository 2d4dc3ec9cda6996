"""Loading a run's output into numpy arrays: its dumps (fields [z, y, x],
cell centres x, y, z and faces in cm, cell volumes, units per field, time
in s; see parleak.io.reader.Dump) and its scalar time series (scalars.csv, one numpy
array per column). Serial: needs no mpirun.

What a killed or failed run leaves is skipped, each item with a reason
(survey, load_scalars): dumps that cannot be read (parleak.io.reader
decides, from their metadata), unfinished dump_NNNNN.h5.tmp files, XDMF
files without their dump, scalars.csv rows cut short or holding junk."""

import glob
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from parleak.config import ConfigError, flatten, tomllib  # tomli before Python 3.11
from parleak.eos import make_eos
from parleak.io.dump import existing_dumps
from parleak.io.reader import DumpError, check_dump as field_names, read_dump as load_dump
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


@dataclass
class Survey:
    """The dumps of a run directory: paths (every dump_NNNNN.h5, in index
    order), fields ({path: field names} of the readable ones, in index
    order) and skipped ([(file name, reason)] of each dump that cannot be
    read, unfinished dump_NNNNN.h5.tmp and XDMF file without its dump)."""

    directory: str
    paths: list
    fields: dict
    skipped: list

    def readable(self, paths=None):
        """The readable ones of `paths` (default: every dump), in order;
        PostError naming the directory if there are none."""
        chosen = [p for p in (self.paths if paths is None else paths) if p in self.fields]
        if not chosen:
            among = "" if paths is None else " among those selected with --dump"
            raise PostError(f"output directory {self.directory!r} holds no readable dump{among}")
        return chosen


def survey(directory):
    """The Survey of the run in `directory` (reads the dumps' metadata
    only); PostError as dump_paths."""
    paths = dump_paths(directory)
    fields, skipped = {}, []
    for path in paths:
        try:
            fields[path] = field_names(path)
        except DumpError as err:
            skipped.append((os.path.basename(path), err.reason))
    skipped += [(os.path.basename(p), "unfinished (the run stopped while writing it)")
                for p in existing_dumps(directory) if p.endswith(".tmp")]
    for xmf in glob.glob(os.path.join(glob.escape(directory), "dump_[0-9]*.xmf")):
        dump = os.path.basename(os.path.splitext(xmf)[0] + ".h5")
        if not os.path.exists(os.path.join(directory, dump)):
            skipped.append((os.path.basename(xmf), f"its dump {dump} is missing"))
    return Survey(directory, paths, fields, sorted(skipped))


def load_scalars(directory, skipped=None):
    """{column: numpy array} of the run's scalars.csv, or None if it has
    none; rows that cannot be read are left out (parleak.io.scalars.
    read_scalars), and ("scalars.csv line N", reason) of each is appended
    to the list `skipped` if given."""
    path = scalars_path(directory)
    if not os.path.isfile(path):
        return None
    rows = []
    columns = read_scalars(path, rows)
    if skipped is not None:
        skipped += [(f"scalars.csv line {number}", reason) for number, reason in rows]
    return {name: np.array(values) for name, values in columns.items()}


@dataclass
class Run:
    """A run's output: dumps (Dump objects in index order), their paths,
    scalars ({column: array}, or None without scalars.csv) and skipped
    ([(item, reason)]: the dumps, leftovers and scalars rows left out)."""

    directory: str
    paths: list
    dumps: list
    scalars: dict
    skipped: list = field(default_factory=list)

    @property
    def times(self):
        """Dump times, s."""
        return np.array([dump.time for dump in self.dumps])


def load_run(directory, fields=None):
    """Every readable dump of the run in `directory` (only `fields` if
    given) and its scalar time series; a warning for each item skipped.
    PostError if no dump is readable."""
    found = survey(directory)
    skipped = list(found.skipped)
    scalars = load_scalars(directory, skipped)
    for item, reason in skipped:
        warnings.warn(f"load_run: skipping {item}: {reason}", stacklevel=2)
    paths = found.readable()
    return Run(directory, paths, [load_dump(p, fields) for p in paths], scalars, skipped)


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
