"""Timing helper shared by the benchmark scripts."""

import statistics
import time

from mpi4py import MPI


def best_of(repeats, action):
    """The shortest wall time (s) of `repeats` calls of action()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def median_time(comm, action, repeats):
    """Median over `repeats` (after one warm-up call) of the seconds
    `action()` takes on the slowest rank of `comm` (an mpi4py
    communicator), each started after a barrier."""
    action()
    times = []
    for _ in range(repeats):
        comm.Barrier()
        start = time.perf_counter()
        action()
        times.append(comm.allreduce(time.perf_counter() - start, op=MPI.MAX))
    return statistics.median(times)


def interleaved_times(comm, actions, repeats):
    """Seconds of each of `actions` on the slowest rank of `comm`, called
    in turn `repeats` times (after one warm-up round): a list per action.
    Interleaving makes a slow drift of the machine's speed (a shared host)
    hit every action alike, so their ratios stay meaningful."""
    for action in actions:
        action()
    times = [[] for _ in actions]
    for _ in range(repeats):
        for action, seconds in zip(actions, times):
            comm.Barrier()
            start = time.perf_counter()
            action()
            seconds.append(comm.allreduce(time.perf_counter() - start, op=MPI.MAX))
    return times
