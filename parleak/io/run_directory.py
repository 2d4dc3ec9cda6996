"""The output directory of a run: which run it belongs to, who uses it,
and what may be written into it. Rank 0 only (plain file operations).

A run has an identity, `run_id` (random hex), made when a new run starts
and kept by its restarts: it is an attribute of every dump and checkpoint
and the content of OUTPUT_DIR/run_id.txt, written with the first dump. A
run holds OUTPUT_DIR/.parleak.lock (a POSIX lock, released by the
operating system when the process ends, also when it is killed) for as
long as it runs, so a second run into the same directory is refused.
"""

import errno
import fcntl
import glob
import os
import socket
import uuid

from parleak.config import ConfigError
from parleak.io.checkpoint import existing_checkpoints, remove_checkpoints
from parleak.io.dump import existing_dumps, remove_dumps
from parleak.io.scalars import scalars_path
from parleak.parallel import describe

RUN_ID_FILE = "run_id.txt"
LOCK_FILE = ".parleak.lock"
_held_locks = []  # open lock files of this process (closing one would release its lock)


def new_run_id():
    return uuid.uuid4().hex


def run_id_of(directory):
    """The run identity written in `directory`, or None."""
    try:
        with open(os.path.join(directory, RUN_ID_FILE), encoding="utf-8") as f:
            return f.read().strip() or None
    except FileNotFoundError:
        return None


def write_run_id(directory, run_id):
    path = os.path.join(directory, RUN_ID_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(run_id + "\n")
    os.replace(path + ".tmp", path)


def run_files(directory):
    """The names of a run's files in `directory` (dumps, checkpoints,
    unfinished .tmp files, scalars.csv, the run identity), sorted."""
    paths = existing_dumps(directory) + [p for _, p in existing_checkpoints(directory)]
    paths += glob.glob(os.path.join(glob.escape(directory), "checkpoint_*.h5.tmp"))
    paths += [p for p in (scalars_path(directory), os.path.join(directory, RUN_ID_FILE)) if os.path.exists(p)]
    return sorted(os.path.basename(p) for p in paths)


def remove_run(directory):
    """Delete a run's files (run_files, and the XDMF files of its dumps)."""
    remove_dumps(directory)
    remove_checkpoints(directory)
    for name in (os.path.basename(scalars_path(directory)), RUN_ID_FILE):
        if os.path.exists(os.path.join(directory, name)):
            os.remove(os.path.join(directory, name))


def claim(directory):
    """Create `directory` if needed and take its lock for the life of this
    process. ConfigError naming the directory when it cannot be created
    or written, or when another run holds it."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"output directory {directory!r} cannot be created: {describe(err)}") from None
    path = os.path.join(directory, LOCK_FILE)
    try:
        lock = open(path, "a+", encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"output directory {directory!r} is not writable: {describe(err)}") from None
    try:
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):  # a file system without locks
            print(f"parleak: note: output directory {directory!r} cannot be locked ({describe(err)}): a second "
                  "run into it would not be refused", flush=True)
        else:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise ConfigError(f"output directory {directory!r} is in use by another parleak run ({holder}); "
                              "wait for it to end or choose another --output") from None
    lock.truncate(0)
    lock.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    lock.flush()
    _held_locks.append(lock)


def check_new_run(directory, overwrite):
    """ConfigError when `directory` holds a run's files and not overwrite."""
    found = run_files(directory)
    if found and not overwrite:
        raise ConfigError(
            f"output directory {directory!r} already holds the files of a run ({_listed(found)}); choose another "
            "--output, move them away, pass --overwrite to delete them, or --restart latest to continue that run")


def check_restart(directory, checkpoint, checkpoint_run_id, overwrite):
    """ConfigError unless restarting from `checkpoint` (of run
    `checkpoint_run_id`, None for a checkpoint of an older parleak) may
    write into `directory`: it holds no run's files, or those of the
    checkpoint's run (or the checkpoint itself, for an older parleak's
    run without an identity). With overwrite, another run's files are
    deleted first (but not the checkpoint itself)."""
    found = run_files(directory)
    inside = os.path.samefile(os.path.dirname(os.path.abspath(checkpoint)), directory)
    directory_run = run_id_of(directory)
    same_run = directory_run == checkpoint_run_id if directory_run is not None else inside
    if overwrite and (inside or (found and same_run)):
        raise ConfigError("--overwrite deletes what --restart continues; pass one of them")
    if not found or same_run or overwrite:
        return
    whose = f"run {directory_run}" if directory_run else "a run without an identity"
    raise ConfigError(
        f"output directory {directory!r} holds the files of another run ({whose}: {_listed(found)}), not of the "
        f"run of checkpoint {checkpoint!r} (run {checkpoint_run_id or 'without an identity'}); restart into "
        "another --output, or pass --overwrite to delete that run's files first")


def _listed(names):
    """"6 dumps (dump_00000.h5 ...), 2 checkpoints (...), 1 unfinished
    file (...), scalars.csv" for run_files names."""
    groups = {"dump": [n for n in names if n.startswith("dump_") and not n.endswith(".tmp")],
              "checkpoint": [n for n in names if n.startswith("checkpoint_") and not n.endswith(".tmp")],
              "unfinished file": [n for n in names if n.endswith(".tmp")]}
    words = [f"{len(found)} {kind}{'s' if len(found) > 1 else ''} ({found[0]}{' ...' if len(found) > 1 else ''})"
             for kind, found in groups.items() if found]
    return ", ".join(words + [n for n in names if not n.startswith(("dump_", "checkpoint_"))])
