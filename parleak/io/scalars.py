"""The scalar time series OUTPUT_DIR/scalars.csv: one row per step (or
every output.scalars_every steps), written by rank 0 and flushed row by
row, so a killed run keeps every row it wrote.

Columns: time (s), step, dt (s), then what each physics object's
`scalars(state)` returns (name -> number; collective), in physics order.
Numbers are written with repr(), which round-trips float64 exactly. A
restarted run continues the file after the checkpoint's step."""

import os
import reprlib

from parleak import parallel
from parleak.parallel import OutputError


class ScalarSeries:
    """Rows of named numbers appended to a CSV file by rank 0 of comm."""

    def __init__(self, path, comm, after_step=None):
        """after_step: continue the file of a restarted run, dropping its
        rows of later steps (written after the checkpoint at that step)."""
        self.path = path
        self.comm = comm
        self.columns = None
        self._file = None
        if after_step is not None:
            with parallel.together(comm, OutputError, f"continuing {path}"):
                if comm.Get_rank() == 0 and os.path.exists(path):
                    self.columns = _keep_rows_until(path, after_step)
                    self._file = open(path, "a", encoding="utf-8")

    def write(self, row):
        """Append one row (a dict); the first row fixes the columns.
        Collective: a failure on rank 0 (a full disk) raises OutputError
        on every rank."""
        with parallel.together(self.comm, OutputError, f"writing {self.path}"):
            if self.comm.Get_rank() == 0:
                self._write(row)

    def _write(self, row):
        if self.columns is None:
            self.columns = list(row)
            self._file = open(self.path, "w", encoding="utf-8")
            self._file.write(",".join(self.columns) + "\n")
        elif list(row) != self.columns:
            raise ValueError(f"{self.path}: row columns {list(row)} differ from {self.columns}")
        self._file.write(",".join(repr(float(row[name])) if not isinstance(row[name], int) else str(row[name])
                                  for name in self.columns) + "\n")
        self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None


def _keep_rows_until(path, step):
    """Rewrite the CSV file `path` (atomically) with its header and the
    rows up to `step`; a row cut short by a killed run ends the file too.
    Returns the columns."""
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        columns = header.strip().split(",")
        column = columns.index("step")
        kept = [header]
        for line in f:
            values = line.strip().split(",")
            if not line.endswith("\n") or len(values) != len(columns) or int(values[column]) > step:
                break
            kept.append(line)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.writelines(kept)
    os.replace(path + ".tmp", path)
    return columns


def read_scalars(path, skipped=None):
    """{column: list of floats} of a scalars.csv file, {} where it has no
    complete header line. A row that cannot be read is left out: cut short
    by a killed run (no newline at its end, fewer values than the header
    names), with more values, or with a value that is not a number; for
    each (and for a header cut short), (line number, reason) is appended to
    the list `skipped` if given (line 1 is the header)."""

    def parse(line, count):
        """(floats, None) of one line of `count` values, or (None, why not)."""
        texts = line.strip().split(",")
        if not line.endswith("\n"):
            return None, "cut short (no newline at its end)"
        if len(texts) != count:
            return None, (f"cut short ({len(texts)} of {count} values)" if len(texts) < count
                          else f"{len(texts)} values where the header names {count}")
        values = []
        for text in texts:
            try:
                values.append(float(text))
            except ValueError:
                return None, f"not a number: {reprlib.repr(text)}"
        return values, None

    reasons = [] if skipped is None else skipped
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline()
        if not header.endswith("\n"):
            if header:
                reasons.append((1, "cut short (no newline at its end)"))
            return {}
        names = header.strip().split(",")
        columns = {name: [] for name in names}
        for number, line in enumerate(f, start=2):
            values, reason = parse(line, len(names))
            if reason:
                reasons.append((number, reason))
                continue
            for name, value in zip(names, values):
                columns[name].append(value)
    return columns


def scalars_path(output_dir):
    return os.path.join(output_dir, "scalars.csv")
