"""The configuration of a run: the keys of every section in the order they
resolve, the checks of combinations of keys (all before any grid or
collective work), and the rules of a restart's config. Each section's
keys are defined next to the code that owns them: grid.* in parleak.grid,
hydro.* in parleak.hydro.settings, eos.* in parleak.eos, gravity.* in
parleak.gravity, optical_depth.* and leakage.* in parleak.neutrino.settings,
a problem's own in its module; time.* and output.* here."""

import os

from parleak.config import (REQUIRED, ConfigError, Config, Key, at_least, flatten, in_range, load_toml, origin,
                            positive, tomllib, validate)
from parleak.grid_keys import (FACES, check_geometry, check_layout, geometry_schema, layout_schema,
                               unused_keys)
from parleak.integrator import SSP_METHODS
from parleak.problems import PROBLEMS


def schema(problem, n_ranks):
    """The configuration keys for `problem` (a module of parleak.problems),
    in the order they resolve: the problem's name, the grid's geometry
    (parleak.grid), the problem's own keys (with those of the physics it
    sets up), the grid's layout, the time integration and the output."""
    keys = {"problem.name": Key(str, choices=tuple(PROBLEMS), help="which initial-value problem to run")}
    keys.update(geometry_schema())
    keys.update(problem.SCHEMA)  # after the geometry, before the ghost width that the scheme sets
    keys.update(layout_schema(problem.min_ghost, n_ranks))
    keys.update({
        "time.integrator": Key(str, default="ssprk2", choices=tuple(SSP_METHODS)),
        "time.cfl": Key(float, default=0.4, valid=in_range(0.0, 1.0), help="Courant number"),
        "time.t_end": Key(float, valid=positive(), help="end time, s"),
        "time.max_steps": Key(int, default=1_000_000_000, valid=at_least(1)),
        "output.dir": Key(str, default="output"),
        "output.interval": Key(float, default=0.0, valid=at_least(0.0),
                               help="simulated time between dumps, s; 0: only the first and the last"),
        "output.log_every": Key(int, default=10, valid=at_least(1), help="steps between log lines"),
        "output.scalars_every": Key(int, default=1, valid=at_least(0),
                                    help="steps between rows of OUTPUT_DIR/scalars.csv (0: no scalars.csv)"),
        "output.checkpoint_every": Key(int, default=1000, valid=at_least(0),
                                       help="steps between checkpoints (0: none by step count)"),
        "output.checkpoint_interval": Key(float, default=0.0, valid=at_least(0.0),
                                          help="simulated time between checkpoints, s (0: none by time)"),
        "output.checkpoint_keep": Key(int, default=3, valid=at_least(1),
                                      help="how many of the newest checkpoints to keep (older ones are deleted; "
                                           "dumps never)"),
    })
    return keys


def _check_consistency(values, raw, problem, n_ranks, where):
    """ConfigError for combinations of keys that cannot run; where(*names)
    says where the values of the keys `names` came from."""
    check_geometry(values, raw, where)
    if values["grid.ghost"] < problem.min_ghost(values):
        raise ConfigError(f"grid.ghost = {values['grid.ghost']}{where('grid.ghost')}: problem "
                          f"{values['problem.name']!r} needs at least {problem.min_ghost(values)} with this scheme")
    problem.check(values, where)
    check_layout(values, n_ranks, where)


# Keys a restart may change (besides output.*): they do not change the solution.
RESTART_SAFE_KEYS = ("time.t_end", "time.max_steps", "grid.procs")


def check_restart_config(config, checkpoint_config, checkpoint):
    """Raise ConfigError when the validated `config` differs from the
    resolved TOML text `checkpoint_config` stored in the file `checkpoint`
    in any key but RESTART_SAFE_KEYS and output.*."""
    stored = flatten(tomllib.loads(checkpoint_config))
    given_values = flatten(tomllib.loads(config.to_toml()))  # as stored: lists, not tuples
    for name in list(given_values) + [name for name in stored if name not in given_values]:  # problem, grid first
        if name in RESTART_SAFE_KEYS or name.startswith("output."):
            continue
        given, saved = (f"{name} = {values[name]!r}" if name in values else f"{name} not set"
                        for values in (given_values, stored))
        if given != saved:
            raise ConfigError(
                f"{given} (from the config file and --set) differs from {saved} in checkpoint {checkpoint!r}; "
                f"a restart continues the checkpoint's run and may change only {', '.join(RESTART_SAFE_KEYS)} "
                "and output.*")


def load_config(path, overrides=(), n_ranks=1):
    """Read the TOML file, apply `overrides` ((dotted key, value) pairs),
    validate. Raises ConfigError naming the key, value and what is valid."""
    raw = flatten(load_toml(path))
    overrides = dict(overrides)
    raw.update(overrides)
    name = raw.get("problem.name", REQUIRED)
    if name not in PROBLEMS:
        shown = "is missing" if name is REQUIRED else f"= {name!r}"
        raise ConfigError(f"problem.name {shown} (in {path}): must be one of {', '.join(map(repr, PROBLEMS))}")
    problem = PROBLEMS[name]
    keys = schema(problem, n_ranks)
    for key_name, value in raw.items():  # a file named in the config file: relative to its directory
        if key_name in keys and keys[key_name].from_file and isinstance(value, str) and key_name not in overrides:
            raw[key_name] = os.path.join(os.path.dirname(path), value)
    values = validate(raw, keys, source=path, overridden=set(overrides))
    _check_consistency(values, raw, problem, n_ranks, lambda *names: origin(names, path, overrides))
    for face in FACES[2 * len(values["grid.cells"]):]:
        del values[f"grid.boundary.{face}"]  # axes the grid does not have
    for name in unused_keys(values):
        del values[name]
    return Config(values)


