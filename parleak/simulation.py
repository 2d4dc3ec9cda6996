"""A simulation: the validated configuration, the grid, the fields, the
physics, the integrator and the output schedule, and the time loop."""

import math
import os
import time as wallclock

from parleak import parallel
from parleak.parallel import CollectiveError
from parleak.config import REQUIRED, ConfigError, Config, Key, at_least, flatten, in_range, load_toml, positive, validate
from parleak.grid import AXES, BOUNDARY_KINDS, FACES, Grid, choose_process_grid
from parleak.integrator import SSP_METHODS, SSPRungeKutta
from parleak.io.dump import write_dump
from parleak.io.scalars import ScalarSeries, scalars_path
from parleak.problems import PROBLEMS
from parleak.state import State


def _dim(resolved):
    return len(resolved["grid.cells"])


def _default_procs(n_ranks):
    def procs(resolved):
        split = choose_process_grid(resolved["grid.cells"], n_ranks, resolved["grid.ghost"])
        if split is None:
            raise ConfigError(
                f"grid.cells = {resolved['grid.cells']} cannot be split over {n_ranks} ranks with at least "
                f"grid.ghost = {resolved['grid.ghost']} cells per rank along each split axis; "
                "use more cells or fewer ranks")
        return list(split)
    return procs


def schema(problem, n_ranks):
    """The configuration keys for `problem` (a module of parleak.problems)."""
    keys = {
        "problem.name": Key(str, choices=tuple(PROBLEMS), help="which initial-value problem to run"),
        "grid.cells": Key(int, length=(1, 3), valid=at_least(1), help="cells per axis, x first; 1 to 3 entries"),
        "grid.lower": Key(float, default=lambda r: [0.0] * _dim(r), length=_dim, help="lower domain corner, cm"),
        "grid.upper": Key(float, default=lambda r: [1.0] * _dim(r), length=_dim, help="upper domain corner, cm"),
    }
    keys.update(problem.SCHEMA)  # after the geometry, before the ghost width that the scheme sets
    keys.update({
        "grid.ghost": Key(int, default=problem.min_ghost, valid=in_range(0, 8), help="ghost width, cells"),
        "grid.procs": Key(int, default=_default_procs(n_ranks), length=_dim, valid=at_least(1),
                          help="ranks per axis; their product must be the number of ranks"),
    })
    for face in FACES:
        keys[f"grid.boundary.{face}"] = Key(str, default="periodic", choices=BOUNDARY_KINDS)
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
    })
    return keys


def _check_consistency(values, raw, problem, n_ranks, where):
    dim = len(values["grid.cells"])
    for face in FACES[2 * dim:]:
        if f"grid.boundary.{face}" in raw:
            raise ConfigError(f"grid.boundary.{face} is set but the grid is {dim}-D "
                              f"(grid.cells has {dim} entries){where}; remove it")
    for a, axis in enumerate(AXES[:dim]):
        if values["grid.upper"][a] <= values["grid.lower"][a]:
            raise ConfigError(f"grid.upper[{a}] = {values['grid.upper'][a]!r}{where}: must be > "
                              f"grid.lower[{a}] = {values['grid.lower'][a]!r}")
        lower, upper = values[f"grid.boundary.{axis}_lower"], values[f"grid.boundary.{axis}_upper"]
        if (lower == "periodic") != (upper == "periodic"):
            raise ConfigError(f"grid.boundary.{axis}_lower = {lower!r} and grid.boundary.{axis}_upper = "
                              f"{upper!r}{where}: periodic faces come in pairs; make both periodic or neither")
    if values["grid.ghost"] < problem.min_ghost(values):
        raise ConfigError(f"grid.ghost = {values['grid.ghost']}{where}: problem "
                          f"{values['problem.name']!r} needs at least {problem.min_ghost(values)} with this scheme")
    if hasattr(problem, "check"):
        problem.check(values, where)
    procs = values["grid.procs"]
    if math.prod(procs) != n_ranks:
        raise ConfigError(f"grid.procs = {procs}{where}: their product must equal the number of ranks, {n_ranks}")
    for a, (n, p) in enumerate(zip(values["grid.cells"], procs)):
        if p > 1 and n // p < values["grid.ghost"]:
            raise ConfigError(f"grid.procs = {procs}{where}: {n} cells along {AXES[a]} over {p} ranks leaves "
                              f"fewer than grid.ghost = {values['grid.ghost']} cells on a rank")


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
    values = validate(raw, schema(problem, n_ranks), source=path, overridden=set(overrides))
    _check_consistency(values, raw, problem, n_ranks, f" (in {path})")
    for face in FACES[2 * len(values["grid.cells"]):]:
        del values[f"grid.boundary.{face}"]  # axes the grid does not have
    return Config(values)


class Simulation:
    """Everything a run needs, built from a validated Config.

    extra_physics: physics objects added after the problem's own (their
    fields join the State, their right-hand sides the integrator).
    """

    def __init__(self, config, comm=parallel.WORLD, extra_physics=()):
        self.config = config
        self.problem = PROBLEMS[config["problem.name"]]
        grid_keys = config.section("grid")
        self.grid = Grid(grid_keys["cells"], grid_keys["lower"], grid_keys["upper"], grid_keys["ghost"],
                         config.section("grid.boundary"), grid_keys["procs"], comm)
        self.physics = list(self.problem.setup(config, self.grid)) + list(extra_physics)
        self.state = State(self.grid, [spec for p in self.physics for spec in p.fields])
        self.integrator = SSPRungeKutta(config["time.integrator"], self.state, self.physics)
        self.time = 0.0
        self.step = 0
        self.dumps_written = 0

    def initialize(self):
        self.problem.initialize(self.config, self.state, self.physics)
        self.state.exchange()

    def dump(self, directory, failure=None):
        """Write the next dump; `failure` (a message) marks the last dump of
        a run that stopped on an error."""
        for physics in self.physics:
            if hasattr(physics, "fill_diagnostics"):
                physics.fill_diagnostics(self.state)
        path = write_dump(directory, self.dumps_written, self.state, self.time, self.step, self.config.to_toml(),
                          None if failure is None else {"failure": failure})
        self.dumps_written += 1
        parallel.say(f"dump {path}  t = {self.time:.6e} s  step {self.step}", comm=self.grid.comm)

    def write_scalars(self, series, dt):
        """One row of the scalar time series (collective)."""
        row = {"time": self.time, "step": self.step, "dt": dt}
        for physics in self.physics:
            if hasattr(physics, "scalars"):
                row.update(physics.scalars(self.state))
        series.write(row)

    def run(self, output_dir):
        """Evolve to time.t_end (or time.max_steps), writing dumps to
        output_dir at t = 0, every output.interval and at the end."""
        cfg = self.config
        comm = self.grid.comm
        t_end, interval, log_every = cfg["time.t_end"], cfg["output.interval"], cfg["output.log_every"]
        if comm.Get_rank() == 0:
            os.makedirs(output_dir, exist_ok=True)
        comm.Barrier()
        parallel.say(f"parleak: problem {cfg['problem.name']!r}, {self.grid.describe()}, "
                     f"{cfg['time.integrator']}, t_end = {t_end:g} s", comm=comm)
        self.dump(output_dir)
        scalars_every = cfg["output.scalars_every"]
        series = ScalarSeries(scalars_path(output_dir), comm) if scalars_every else None
        if series:
            self.write_scalars(series, 0.0)
        outputs_done = 1
        next_output = min(interval, t_end) if interval > 0 else t_end
        last_dump_step = self.step
        start = last_log = wallclock.perf_counter()
        steps_since_log = 0
        try:
            while self.time < t_end and self.step < cfg["time.max_steps"]:
                dt = self.integrator.stable_dt(cfg["time.cfl"])
                lands = self.time + dt >= next_output * (1.0 - 1e-12)
                if lands:
                    dt = next_output - self.time
                self.integrator.step(self.time, dt)
                self.time = next_output if lands else self.time + dt
                self.step += 1
                steps_since_log += 1
                if series and (self.step % scalars_every == 0 or self.time >= t_end):
                    self.write_scalars(series, dt)
                if self.step % log_every == 0 or self.time >= t_end:
                    now = wallclock.perf_counter()
                    per_step = (now - last_log) / steps_since_log
                    remaining = min((t_end - self.time) / dt if dt > 0 else 0.0, cfg["time.max_steps"] - self.step)
                    status = "".join(f"  {p.status()}" for p in self.physics if hasattr(p, "status"))
                    parallel.say(f"step {self.step:7d}  t = {self.time:.6e} s  dt = {dt:.3e} s  "
                                 f"wall/step = {per_step * 1e3:.3f} ms  eta = {remaining * per_step:.1f} s"
                                 f"{status}", comm=comm)
                    last_log, steps_since_log = now, 0
                if lands:
                    self.dump(output_dir)
                    last_dump_step = self.step
                    outputs_done += 1
                    next_output = min(outputs_done * interval, t_end) if interval > 0 else t_end
        except CollectiveError as err:
            parallel.say(f"stopping at step {self.step}, t = {self.time:.6e} s: {err}", comm=comm)
            self.dump(output_dir, failure=str(err))
            raise
        finally:
            if series:
                series.close()
        if last_dump_step != self.step:
            self.dump(output_dir)
        parallel.say(f"done: {self.step} steps to t = {self.time:.6e} s in "
                     f"{wallclock.perf_counter() - start:.2f} s wall", comm=comm)
