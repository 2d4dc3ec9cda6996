"""TOML configuration: parsing, --set overrides, validation against a schema.

A schema maps dotted keys ("grid.cells") to `Key` objects. Validation runs
on every rank before any collective work and raises `ConfigError`, whose
message names the key, the value given and what would be valid.
"""

import math
import sys
from dataclasses import dataclass
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration that cannot run; the message says why and what is valid."""


REQUIRED = object()

_TYPE_NAMES = {float: "a number", int: "an integer", str: "a string", bool: "true or false"}
_PLURAL_NAMES = {float: "numbers", int: "integers", str: "strings", bool: "booleans"}


@dataclass(frozen=True)
class Key:
    """One configuration key.

    kind: float, int, str or bool; `length` makes it a list of that kind
    (an int, a (min, max) pair, or a callable of the partly resolved config
    giving the length).
    default: a value, REQUIRED, or a callable of the resolved config.
    choices: the valid strings, for str keys.
    valid: (predicate, description) checked on the value (on each element of
    a list).
    from_file: a list key that also takes the path of a text file with one
    value per line (blank lines and # comments skipped); the resolved value
    is the list read.
    """

    kind: type
    default: Any = REQUIRED
    help: str = ""
    choices: tuple = ()
    valid: tuple = ()
    length: Any = None
    from_file: bool = False


def positive():
    return (lambda v: v > 0, "> 0")


def at_least(bound):
    return (lambda v: v >= bound, f">= {bound}")


def in_range(lo, hi):
    return (lambda v: lo < v <= hi, f"> {lo} and <= {hi}")


def _convert_scalar(name, kind, value, where):
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"{name} = {value!r}{where}: must be a finite number")
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in (str, bool) and isinstance(value, kind):
        return value
    raise ConfigError(f"{name} = {value!r}{where}: must be {_TYPE_NAMES[kind]}")


def _check_scalar(name, key, value, where):
    value = _convert_scalar(name, key.kind, value, where)
    if key.choices and value not in key.choices:
        valid = ", ".join(repr(c) for c in key.choices)
        raise ConfigError(f"{name} = {value!r}{where}: must be one of {valid}")
    if key.valid and not key.valid[0](value):
        raise ConfigError(f"{name} = {value!r}{where}: must be {key.valid[1]}")
    return value


def _read_column(name, path, where):
    """The values of a one-column text file, as TOML would give them."""
    try:
        with open(path, encoding="utf-8") as stream:
            lines = [line.split("#")[0].strip() for line in stream]
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{name} = {path!r}{where}: cannot read the file ({err}); give a list or the path of "
                          "a text file with one number per line") from None
    values = []
    for number, text in enumerate(lines, 1):
        if text:
            try:
                values.append(float(text))
            except ValueError:
                raise ConfigError(f"{name} = {path!r}{where}: line {number} of the file, {text!r}, is not one "
                                  "number; the file must hold one number per line") from None
    return values


def _check_value(name, key, value, resolved, where):
    if key.length is None:
        return _check_scalar(name, key, value, where)
    if key.from_file and isinstance(value, str):
        value = _read_column(name, value, where)
    length = key.length(resolved) if callable(key.length) else key.length
    lo, hi = length if isinstance(length, tuple) else (length, length)
    if not isinstance(value, list) or not lo <= len(value) <= hi:
        count = f"{lo} to {hi}" if lo != hi else f"{lo}"
        raise ConfigError(
            f"{name} = {value!r}{where}: must be a list of {count} {_PLURAL_NAMES[key.kind]}")
    return [_check_scalar(f"{name}[{i}]", key, v, where) for i, v in enumerate(value)]


def flatten(table, prefix=""):
    """{'grid': {'cells': [8]}} -> {'grid.cells': [8]}."""
    flat = {}
    for name, value in table.items():
        dotted = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def parse_override(text):
    """'section.key=value' -> (dotted key, value); the value is read as TOML,
    or taken as a plain string when it is not valid TOML (so name=sedov works)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ConfigError(f"--set {text!r}: must have the form section.key=value")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return name, value


def load_toml(path):
    try:
        with open(path, "rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        raise ConfigError(f"config file {path!r} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path!r} is a directory, not a TOML file") from None
    except PermissionError:
        raise ConfigError(f"config file {path!r} cannot be read (permission denied)") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path!r} is not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path!r} is not UTF-8 text") from None


def origin(names, source, overridden):
    """Where the values of the keys `names` (a dotted name, or several)
    came from, for error messages: " (from --set)", " (in SOURCE)" or
    " (in SOURCE and --set)"."""
    from_set = [name in overridden for name in ([names] if isinstance(names, str) else names)]
    if all(from_set):
        return " (from --set)"
    if not source:
        return ""
    return f" (in {source} and --set)" if any(from_set) else f" (in {source})"


def validate(raw, schema, source="", overridden=()):
    """Check the flat dict `raw` against `schema` (dotted key -> Key).

    Keys are resolved in schema order, so a default or a list length may
    depend on keys listed earlier. `overridden` names the keys set on the
    command line. Returns the flat dict of resolved values.
    """
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        name = unknown[0]
        where = origin(name, source, overridden)
        section = name.rpartition(".")[0]
        siblings = sorted(k for k in schema if k.rpartition(".")[0] == section)
        hint = (f"valid keys in [{section}]: {', '.join(siblings)}" if siblings else
                f"valid sections: {', '.join(sorted({k.rpartition('.')[0] for k in schema}))}")
        raise ConfigError(f"unknown key {name}{where}; {hint}")
    resolved = {}
    for name, key in schema.items():
        where = origin(name, source, overridden)
        if name in raw:
            resolved[name] = _check_value(name, key, raw[name], resolved, where)
        elif key.default is REQUIRED:
            help_text = f": {key.help}" if key.help else ""
            raise ConfigError(f"missing required key {name} (in {source}){help_text}")
        else:
            resolved[name] = key.default(resolved) if callable(key.default) else key.default
    return resolved


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def to_toml(flat):
    """The resolved flat config as TOML text that `parleak run` accepts back."""
    sections = {}
    for name, value in flat.items():
        section, _, key = name.rpartition(".")
        sections.setdefault(section, []).append(f"{key} = {_toml_value(value)}")
    return "\n".join(f"[{section}]\n" + "\n".join(lines) + "\n" for section, lines in sections.items())


@dataclass
class Config:
    """A validated configuration: resolved values by dotted key."""

    values: dict

    def __getitem__(self, name):
        return self.values[name]

    def section(self, prefix):
        """The keys under `prefix.` with the prefix stripped."""
        return {k[len(prefix) + 1:]: v for k, v in self.values.items() if k.startswith(prefix + ".")}

    def to_toml(self):
        return to_toml(self.values)
