"""Helpers for the collective tests in tests/mpi: every rank runs the same
tests in the same order. Assertions use `check_all` so that a failure on one
rank fails the test on every rank instead of leaving the others waiting in a
collective."""

from mpi4py import MPI


def check_all(ok, message, comm=MPI.COMM_WORLD):
    """Assert on every rank that `ok` holds on every rank."""
    failures = comm.allgather(None if ok else f"rank {comm.Get_rank()}: {message}")
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


def factorisations(n, dim):
    """All (px, py, pz)[:dim] with product n."""
    if dim == 1:
        return [(n,)]
    return [(p,) + rest for p in range(1, n + 1) if n % p == 0 for rest in factorisations(n // p, dim - 1)]

