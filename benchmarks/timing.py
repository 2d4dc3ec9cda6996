"""Timing helper shared by the benchmark scripts."""

import time


def best_of(repeats, action):
    """The shortest wall time (s) of `repeats` calls of action()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)
