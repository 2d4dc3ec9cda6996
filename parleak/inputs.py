"""Real inputs (EOS tables, progenitors): the manifest, the data directory,
`resolve` for config values and `parleak data fetch|list`.

Layer: file plumbing, stdlib only (plus parleak.config for ConfigError);
no MPI, no numpy, no h5py, so it runs on a login node or in a plain shell.

The manifest (parleak/inputs_manifest.toml) lists each input once: a short
name, its path relative to the data directory, a public URL of the exact
bytes, its sha256 and size, licence and citation. The data directory is
$PARLEAK_DATA, else `data/` at the repository root (ignored by git).

`fetch` writes each file to a temporary file beside its target, checks size
and sha256 (FIPS 180-4, hashlib) and only then renames it into place
(os.replace, atomic on POSIX): a failed or interrupted download or copy, or
one that does not match, leaves nothing behind. A file already present with
the manifest's sha256 is left alone ("ok"); one present with another sha256
is reported and kept unless `force` (it may be someone's own table).
"""

import argparse
import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from parleak.config import ConfigError, load_toml

MANIFEST = Path(__file__).with_name("inputs_manifest.toml")
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"
FROM_EXAMPLE = "../shared/data"
_CHUNK = 1 << 20
_TIMEOUT = 60.0  # seconds without data before a download fails
_FIELDS = ("name", "path", "url", "sha256", "size", "licence", "citation")


@dataclass(frozen=True)
class Entry:
    """One manifest entry (size in bytes, path relative to the data directory)."""
    name: str
    path: str
    url: str
    sha256: str
    size: int
    licence: str
    citation: str
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """What fetch/check found for one entry: status is "ok" (present and
    verified), "downloaded", "copied", "missing" or "failed"; detail says
    why (empty when ok)."""
    entry: Entry
    path: Path
    status: str
    detail: str = ""

    @property
    def good(self):
        return self.status in ("ok", "downloaded", "copied")


def data_dir():
    """The data directory: $PARLEAK_DATA, else data/ at the repository root."""
    value = os.environ.get("PARLEAK_DATA")
    return Path(value).expanduser().absolute() if value else DEFAULT_DATA


def _data_dir_origin():
    value = os.environ.get("PARLEAK_DATA")
    return f"from $PARLEAK_DATA={value}" if value else "the default data/ at the repository root; $PARLEAK_DATA unset"


def manifest(path=None):
    """{name: Entry} of the manifest TOML file `path` (default the packaged
    one); ConfigError naming the file and entry if it is malformed."""
    path = Path(path) if path is not None else MANIFEST
    entries = {}
    for i, raw in enumerate(load_toml(str(path)).get("input", [])):
        missing = [field for field in _FIELDS if field not in raw]
        unknown = sorted(set(raw) - set(_FIELDS) - {"note"})
        where = f"manifest {str(path)!r}, input {i + 1} ({raw.get('name', '?')})"
        if missing or unknown:
            raise ConfigError(f"{where}: missing {missing}, unknown {unknown}; the fields are {list(_FIELDS)} and note")
        entry = Entry(**raw)
        if Path(entry.path).is_absolute() or ".." in Path(entry.path).parts:
            raise ConfigError(f"{where}: path {entry.path!r} must be relative to the data directory, without '..'")
        if entry.name in entries:
            raise ConfigError(f"{where}: the name {entry.name!r} appears twice")
        entries[entry.name] = entry
    return entries


def _entry_for(path, entries):
    """The entry whose file is `path` (relative to the data directory), or None."""
    wanted = Path(os.path.normpath(path)).as_posix()
    return next((e for e in entries.values() if e.path == wanted), None)


def fetch_hint(entry):
    """The commands that put `entry`'s file into the data directory."""
    if entry is None:
        return ("it is not in parleak's manifest of real inputs (`parleak data list`): put the file there, or set "
                "$PARLEAK_DATA to a directory that holds it")
    download = "" if not entry.url else f"`parleak data fetch {entry.name}` (download), or "
    return (f"fetch it with {download}`parleak data fetch {entry.name} --from DIR` (copy from a local directory "
            f"holding the same layout, e.g. --from {FROM_EXAMPLE})")


def resolve(value, key):
    """The absolute path (str) of the input file named by config value
    `value` of key `key`: an absolute path as it is; a relative one in the
    data directory, else (older configs) in the working directory.
    ConfigError naming the key, the value, the paths looked at, where the
    data directory came from and the command that fetches the file."""
    given = Path(value).expanduser()
    directory = data_dir()
    looked = [given] if given.is_absolute() else [directory / given, Path.cwd() / given]
    for path in looked:
        if path.is_file():
            return os.path.abspath(path)
    entry = _entry_for(os.path.relpath(given, directory) if given.is_absolute() else given, manifest())
    raise ConfigError(f"{key} = {value!r}: input file not found at {' or '.join(str(p) for p in looked)} "
                      f"(data directory {directory}, {_data_dir_origin()}); {fetch_hint(entry)}")


_manifest, _data_dir = manifest, data_dir  # for fetch, whose arguments share their names


def _select(names, entries):
    """The entries named (all when `names` is empty); ConfigError listing
    the valid names on an unknown one."""
    unknown = [name for name in names if name not in entries]
    if unknown:
        raise ConfigError(f"unknown input name(s) {unknown}: the manifest has {sorted(entries)}")
    return [entries[name] for name in names] if names else list(entries.values())


def _digest(path):
    """(sha256 hex, size in bytes) of the file `path`."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _mismatch(entry, where, sha, size):
    """Why (sha, size) of `where` is not `entry`'s file, or "" if it is."""
    if sha == entry.sha256 and size == entry.size:
        return ""
    return (f"{where} does not match the manifest: sha256 {sha} ({size} bytes), expected sha256 {entry.sha256} "
            f"({entry.size} bytes)")


def check(entry, directory):
    """The Outcome of `entry`'s file as it is in `directory` (ok, missing,
    or failed with both sha256 values)."""
    path = Path(directory) / entry.path
    if not path.is_file():
        return Outcome(entry, path, "missing", fetch_hint(entry))
    problem = _mismatch(entry, path, *_digest(path))
    return Outcome(entry, path, "failed" if problem else "ok", problem)


class _Refused(Exception):
    """A source that cannot give `entry`'s file (message says why)."""


def _open_source(entry, source_dir):
    """(readable binary stream, description, verb) of `entry`'s file in
    source_dir (a copy) or at its URL (a download); _Refused if there is none."""
    if source_dir is not None:
        source = Path(source_dir) / entry.path
        if not source.is_file():
            raise _Refused(f"{source} does not exist (--from {source_dir})")
        try:
            return open(source, "rb"), str(source), "copied"
        except OSError as err:
            raise _Refused(f"cannot read {source}: {err}") from None
    if not entry.url:
        raise _Refused(f"no public URL for {entry.name}: {entry.note}")
    instead = f"; without internet, copy it with `parleak data fetch {entry.name} --from DIR`"
    try:
        return urllib.request.urlopen(entry.url, timeout=_TIMEOUT), entry.url, "downloaded"
    except urllib.error.HTTPError as err:
        raise _Refused(f"download of {entry.url} failed: HTTP {err.code} {err.reason}{instead}") from None
    except urllib.error.URLError as err:
        raise _Refused(f"download of {entry.url} failed: {err.reason}{instead}") from None
    except (OSError, http.client.HTTPException) as err:
        raise _Refused(f"download of {entry.url} failed: {err!r}{instead}") from None


def _transfer(entry, target, source_dir):
    """Write `entry`'s file to `target` through a verified temporary file
    beside it; returns the verb ("copied"/"downloaded"). _Refused (with
    nothing left behind) when the source fails or the bytes differ; any
    other exception, KeyboardInterrupt included, also removes the
    temporary file before it propagates."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stream, where, verb = _open_source(entry, source_dir)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except BaseException:
        stream.close()
        raise
    try:
        sha, size = hashlib.sha256(), 0
        with stream, os.fdopen(fd, "wb") as out:
            try:
                while chunk := stream.read(_CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            except (OSError, http.client.HTTPException) as err:
                raise _Refused(f"reading {where} failed after {size} bytes: {err!r}") from None
        problem = _mismatch(entry, where, sha.hexdigest(), size)
        if problem:
            raise _Refused(f"refused: {problem}")
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return verb


def fetch(names=(), source_dir=None, data_dir=None, manifest=None, force=False, report=None):
    """Put the named inputs (all when `names` is empty) into `data_dir`
    (default: the data directory) from their URLs, or copied from
    `source_dir` (same layout), verified by size and sha256. `manifest` is
    a manifest file (default: the packaged one). Returns one Outcome per
    input, and passes each to `report` as it is done. ConfigError (before
    anything is written) on an unknown name."""
    entries = _select(list(names), _manifest(manifest))
    directory = Path(data_dir) if data_dir is not None else _data_dir()
    outcomes = []
    for entry in entries:
        outcome = check(entry, directory)
        if outcome.status == "failed" and not force:
            outcome = Outcome(entry, outcome.path, "failed", f"{outcome.detail}; kept: --force replaces it")
        elif outcome.status != "ok":
            try:
                outcome = Outcome(entry, outcome.path, _transfer(entry, outcome.path, source_dir))
            except _Refused as err:
                outcome = Outcome(entry, outcome.path, "failed", str(err))
            except OSError as err:  # the data directory cannot be written
                outcome = Outcome(entry, outcome.path, "failed", f"cannot write {outcome.path}: {err}")
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def add_arguments(parser):
    """The `parleak data fetch|list` subcommands on an argparse (sub)parser."""
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    for action, text in (("fetch", "download (or copy with --from) the named inputs and verify their sha256"),
                         ("list", "the inputs of the manifest and whether each is in the data directory")):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("names", nargs="*", metavar="NAME", help="manifest names (default: all)")
        sub.add_argument("--data-dir", metavar="DIR", help="the data directory (default $PARLEAK_DATA, else data/)")
        sub.add_argument("--manifest", metavar="FILE", help=argparse.SUPPRESS)  # a test manifest
        if action == "fetch":
            sub.add_argument("--from", dest="source_dir", metavar="DIR",
                             help=f"copy from this directory (same layout, e.g. {FROM_EXAMPLE}) instead of "
                                  "downloading")
            sub.add_argument("--force", action="store_true",
                             help="replace a present file whose sha256 differs from the manifest")


def _line(outcome):
    """One line of output: name, status, path (and why, when not ok)."""
    detail = f": {outcome.detail}" if outcome.detail else ""
    return f"{outcome.entry.name:<14} {outcome.status:<10} {outcome.path}{detail}"


def command(args):
    """`parleak data fetch|list`: one line per input; exit 0 when every
    requested input is present and verified, 1 when some is not (the lines
    say which), 2 on an unknown name or a bad manifest, 130 on Ctrl-C."""
    directory = Path(args.data_dir).absolute() if args.data_dir else data_dir()
    try:
        if args.action == "fetch":
            outcomes = fetch(args.names, args.source_dir, directory, args.manifest, args.force,
                             report=lambda outcome: print(_line(outcome), flush=True))
        else:
            outcomes = [check(entry, directory) for entry in _select(args.names, manifest(args.manifest))]
            for outcome in outcomes:
                entry = outcome.entry
                print(f"{_line(outcome)}  [{entry.size} bytes; {entry.licence}; cite {entry.citation}]")
    except ConfigError as err:
        sys.stderr.write(f"parleak: data error: {err}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("parleak: data: interrupted; no partial file left behind\n")
        sys.exit(130)
    bad = [outcome.entry.name for outcome in outcomes if not outcome.good]
    if bad:
        sys.stderr.write(f"parleak: {len(bad)} of {len(outcomes)} inputs not present and verified in {directory}: "
                         f"{' '.join(bad)}\n")
        sys.exit(1)
