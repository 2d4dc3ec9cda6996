"""A simulation: the validated configuration, the grid, the fields, the
physics, the integrator and the output schedule, and the time loop, with
checkpoints, restarts and early stops (signals, wall-clock limit)."""

import math
import os
import signal
import time as wallclock
from collections import deque


from parleak import parallel
from parleak.budget import EnergyBudget
from parleak.grid import Grid
from parleak.grid_keys import axis_faces
from parleak.integrator import SSPRungeKutta
from parleak.io.checkpoint import prune_checkpoints, read_checkpoint, remove_checkpoints, write_checkpoint
from parleak.io.dump import on_rank_0, remove_dumps, write_dump
from parleak.io.run_directory import new_run_id, write_run_id
from parleak.io.scalars import ScalarSeries, scalars_path
from parleak.parallel import CollectiveError, OutputError
from parleak.problems import PROBLEMS
from parleak.spacing import describe as describe_spacing
from parleak.state import State
from parleak.whole_star import config_symmetry, describe as describe_symmetry, scale_row


class Simulation:
    """Everything a run needs, built from a validated Config.

    physics_set: the PhysicsSet of the problem's set-up (its roles and
    EOS); physics: its modules in the integrator's order. extra_physics:
    parleak.physics.Physics objects added after the problem's own (their
    fields join the State, their right-hand sides the integrator).
    """

    def __init__(self, config, comm=parallel.WORLD, extra_physics=()):
        self.config = config
        self.problem = PROBLEMS[config["problem.name"]]
        grid_keys = config.section("grid")
        self.grid = Grid(grid_keys["cells"], grid_keys["lower"], grid_keys["upper"], grid_keys["ghost"],
                         config.section("grid.boundary"), grid_keys["procs"], comm, axis_faces(config.values))
        self.physics_set = self.problem.setup(config, self.grid).with_extra(extra_physics)
        self.physics = self.physics_set.ordered()
        self.state = State(self.grid, [spec for p in self.physics for spec in p.fields])
        self.integrator = SSPRungeKutta(config["time.integrator"], self.state, self.physics)
        self.time = 0.0
        self.step = 0
        self.dumps_written = 0
        self.outputs_done = 0  # output times passed (the first dump is the first)
        self.last_dump_step = self.last_checkpoint_step = None
        self.restarted = False
        self.run_id = None  # the identity of the run (parleak.io.run_directory), kept by its restarts
        self.recent_step_s = deque([0.0], maxlen=10)  # wall-clock s of the last steps, for the --walltime margin
        self.longest_io_s = 0.0  # wall-clock s of the slowest dump, checkpoint or restart read
        self.energy_budget = EnergyBudget()
        self.symmetry_factor, self.mirror_axes = config_symmetry(config)
        self.extensive = tuple(name for p in self.physics for name in p.extensive) + ("energy",)

    def initialize(self):
        self.problem.initialize(self.config, self.state, self.physics_set)
        self.state.exchange()
        self.run_id = self._new_run_id()

    def _new_run_id(self):
        comm = self.grid.comm
        return parallel.from_rank(new_run_id() if comm.Get_rank() == 0 else None, 0, comm)

    def restart_parts(self):
        """[(key, object)]: the objects with restart state
        (parleak.io.checkpoint), physics keyed by position and class."""
        parts = [(f"{i:02d}_{type(p).__name__}", p) for i, p in enumerate(self.physics) if p.restart_state]
        return parts + [("energy_budget", self.energy_budget)]

    def restore(self, path):
        """Continue from the checkpoint at `path` instead of initialize():
        fields, time, step, output counters and the restart state of the
        parts. Collective; raises CheckpointError on every rank."""
        start = wallclock.perf_counter()
        info = read_checkpoint(path, self.state, self.restart_parts())
        self.time, self.step = info["time"], info["step"]
        self.dumps_written, self.outputs_done = info["dumps_written"], info["outputs_done"]
        self.last_dump_step, self.last_checkpoint_step = info["last_dump_step"], self.step
        self.run_id = info["run_id"] or self._new_run_id()  # a checkpoint of an older parleak has none
        interval = self.config["output.interval"]
        if interval > 0 and interval != info["output_interval"]:  # a new dump cadence, counted from t = 0
            self.outputs_done = math.floor(self.time / interval) + 1
            if self.outputs_done * interval <= self.time:
                self.outputs_done += 1
        self.restarted = True
        self.longest_io_s = wallclock.perf_counter() - start

    def checkpoint(self, directory):
        """Write a checkpoint of this step and delete all but the newest
        output.checkpoint_keep (collective)."""
        start = wallclock.perf_counter()
        counters = {"dumps_written": self.dumps_written, "outputs_done": self.outputs_done,
                    "last_dump_step": self.last_dump_step, "output_interval": self.config["output.interval"]}
        path = write_checkpoint(directory, self.state, self.time, self.step, self.config.to_toml(), counters,
                                self.restart_parts(), {"run_id": self.run_id})
        on_rank_0(self.grid.comm, f"removing old checkpoints in {directory}",
                  lambda: prune_checkpoints(directory, self.config["output.checkpoint_keep"]))
        self.last_checkpoint_step = self.step
        self.longest_io_s = max(self.longest_io_s, wallclock.perf_counter() - start)
        parallel.say(f"checkpoint {path}  t = {self.time:.6e} s  step {self.step}", comm=self.grid.comm)

    def _next_output_time(self):
        t_end, interval = self.config["time.t_end"], self.config["output.interval"]
        return min(self.outputs_done * interval, t_end) if interval > 0 else t_end

    def _next_checkpoint_time(self):
        """The first multiple of output.checkpoint_interval after now, s."""
        interval = self.config["output.checkpoint_interval"]
        return (math.floor(self.time / interval) + 1) * interval if interval > 0 else math.inf

    def dump(self, directory, failure=None):
        """Write the next dump; `failure` (a message) marks the last dump of
        a run that stopped on an error."""
        start = wallclock.perf_counter()
        for physics in self.physics:
            physics.fill_diagnostics(self.state)
        attributes = {"run_id": self.run_id, "symmetry_factor": self.symmetry_factor}
        attributes |= {} if failure is None else {"failure": failure}
        path = write_dump(directory, self.dumps_written, self.state, self.time, self.step, self.config.to_toml(),
                          attributes)
        self.dumps_written += 1
        self.last_dump_step = self.step
        self.longest_io_s = max(self.longest_io_s, wallclock.perf_counter() - start)
        parallel.say(f"dump {path}  t = {self.time:.6e} s  step {self.step}", comm=self.grid.comm)

    def write_scalars(self, series, dt):
        """One row of the scalar time series (collective): the extensive
        columns (the physics' `extensive` and the budget's energy) of the
        whole star, symmetry_factor x the grid's (parleak.whole_star; the
        budget's reference stays the grid's, as in older checkpoints)."""
        row = {"time": self.time, "step": self.step, "dt": dt}
        for physics in self.physics:
            row.update(physics.scalars(self.state))
        self.energy_budget.add_columns(row)
        series.write(scale_row(row, self.extensive, self.symmetry_factor))

    def _start(self, output_dir):
        """Create output_dir; a new run writes its first dump and scalars
        row, a restarted one removes the dumps and checkpoints written after
        its checkpoint (they are written again) and continues scalars.csv.
        Returns the ScalarSeries (None without one)."""
        comm = self.grid.comm

        def prepare():
            os.makedirs(output_dir, exist_ok=True)
            if self.restarted:
                remove_dumps(output_dir, first_index=self.dumps_written)
                remove_checkpoints(output_dir, after_step=self.step)
            write_run_id(output_dir, self.run_id)
        on_rank_0(comm, f"preparing the output directory {output_dir}", prepare)
        cfg = self.config
        parallel.say(f"parleak: problem {cfg['problem.name']!r}, {self.grid.describe()}, "
                     f"{cfg['time.integrator']}, t_end = {cfg['time.t_end']:g} s", comm=comm)
        parallel.say(f"parleak: {describe_symmetry(self.symmetry_factor, self.mirror_axes)}", comm=comm)
        if not self.grid.uniform:
            parallel.say(f"parleak: {describe_spacing(self.grid.faces[:self.grid.dim])}", comm=comm)
        path = scalars_path(output_dir)
        if self.restarted:
            return ScalarSeries(path, comm, after_step=self.step) if cfg["output.scalars_every"] else None
        self.dump(output_dir)
        self.outputs_done = 1
        series = ScalarSeries(path, comm) if cfg["output.scalars_every"] else None
        if series:
            self.write_scalars(series, 0.0)
        return series

    def run(self, output_dir, stop=None):
        """Evolve to time.t_end (or time.max_steps), writing dumps to
        output_dir at t = 0 (not after a restart), every output.interval and
        at the end, and checkpoints every output.checkpoint_every steps, at
        the first step boundary past every multiple of
        output.checkpoint_interval, and at the end. stop (StopConditions):
        checked at every step boundary; when it asks, write a checkpoint
        and return its reason. Returns None when the run is complete."""
        cfg = self.config
        comm = self.grid.comm
        t_end, max_steps, log_every = cfg["time.t_end"], cfg["time.max_steps"], cfg["output.log_every"]
        if self.restarted and (self.time >= t_end or self.step >= max_steps):
            parallel.say(f"nothing to do: the checkpoint is at t = {self.time:.6e} s, step {self.step}, which "
                         f"reaches time.t_end = {t_end:g} s or time.max_steps = {max_steps}", comm=comm)
            return None
        series = self._start(output_dir)
        every = cfg["output.checkpoint_every"]
        next_output, next_checkpoint = self._next_output_time(), self._next_checkpoint_time()
        start = last_log = wallclock.perf_counter()
        steps_since_log = 0
        try:
            while self.time < t_end and self.step < max_steps:
                reason = stop.reason(comm, 2.0 * (max(self.recent_step_s) + self.longest_io_s)) if stop else None
                if reason:
                    parallel.say(f"stopping at step {self.step}, t = {self.time:.6e} s: {reason}", comm=comm)
                    self.checkpoint(output_dir)
                    return reason
                step_start = wallclock.perf_counter()
                dt = self.integrator.stable_dt(cfg["time.cfl"])
                lands = self.time + dt >= next_output * (1.0 - 1e-12)
                if lands:
                    dt = next_output - self.time
                self.integrator.step(self.time, dt)
                self.time = next_output if lands else self.time + dt
                self.step += 1
                steps_since_log += 1
                if series and (self.step % cfg["output.scalars_every"] == 0 or self.time >= t_end):
                    self.write_scalars(series, dt)
                if self.step % log_every == 0 or self.time >= t_end:
                    now = wallclock.perf_counter()
                    per_step = (now - last_log) / steps_since_log
                    remaining = min((t_end - self.time) / dt if dt > 0 else 0.0, max_steps - self.step)
                    status = "".join(f"  {text}" for text in (p.status() for p in self.physics) if text)
                    parallel.say(f"step {self.step:7d}  t = {self.time:.6e} s  dt = {dt:.3e} s  "
                                 f"wall/step = {per_step * 1e3:.3f} ms  eta = {remaining * per_step:.1f} s"
                                 f"{status}", comm=comm)
                    last_log, steps_since_log = now, 0
                if lands:
                    self.dump(output_dir)
                    self.outputs_done += 1
                    next_output = self._next_output_time()
                self.recent_step_s.append(wallclock.perf_counter() - step_start)
                if (every and self.step % every == 0) or self.time >= next_checkpoint:
                    self.checkpoint(output_dir)
                    next_checkpoint = self._next_checkpoint_time()
        except CollectiveError as err:
            when = f"in step {self.step + 1} (from t = {self.time:.6e} s)"
            parallel.say(f"stopping {when}: writing a last dump", comm=comm)
            failure = f"{when}: {err}"
            try:
                self.dump(output_dir, failure=failure)
            except OutputError as io_error:
                raise CollectiveError(f"{failure}; the last dump could not be written: {io_error}") from None
            raise CollectiveError(failure) from None
        finally:
            if series:
                series.close()
        if self.last_dump_step != self.step:
            self.dump(output_dir)
        if self.last_checkpoint_step != self.step:
            self.checkpoint(output_dir)
        parallel.say(f"done: {self.step} steps to t = {self.time:.6e} s in "
                     f"{wallclock.perf_counter() - start:.2f} s wall", comm=comm)
        return None


class StopConditions:
    """When a run stops early with a checkpoint: a SIGTERM or SIGUSR1 that
    any rank received (once `install`ed), or the wall-clock limit
    `walltime_s` after `started` (time.monotonic() of rank 0) coming
    closer than the margin the run asks for."""

    SIGNALS = (signal.SIGTERM, signal.SIGUSR1)

    def __init__(self, walltime_s=None, started=None):
        self.deadline = None if walltime_s is None else started + walltime_s
        self.received = 0  # the last signal's number

    def install(self):
        for number in self.SIGNALS:
            signal.signal(number, self._on_signal)

    def _on_signal(self, number, frame):
        self.received = number

    def uninstall(self):
        """Ignore the signals from now on: a run that has ended exits 0 or
        4 even if one arrives while Python shuts down (which would restore
        the default action, termination, for a Python handler)."""
        for number in self.SIGNALS:
            signal.signal(number, signal.SIG_IGN)

    def reason(self, comm, margin_s):
        """Why to stop now, or None; the same on every rank (one Allreduce).
        margin_s: the wall-clock seconds to leave before the limit."""
        left_s = math.inf if self.deadline is None else self.deadline - wallclock.monotonic()
        near_limit = comm.Get_rank() == 0 and left_s < margin_s
        flags = parallel.max_counts([self.received, int(near_limit)], comm)
        if flags[0]:
            return f"received {signal.Signals(int(flags[0])).name}"
        if flags[1]:  # the numbers of rank 0, which prints them
            return f"the wall-clock limit is {left_s:.1f} s away, less than the margin of {margin_s:.1f} s"
        return None
