"""Limits a worker process sets on itself for one piece of work (a web request, one report of
a batch): an address-space allowance (``RLIMIT_AS``: an allocation past it raises
``MemoryError`` there) and a time limit (``SIGALRM``: ``OverTime`` is raised in the worker's
main thread; a watchdog ends the process when the work is stuck where no signal is seen)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HARD_STOP_EXIT = 70  # the exit status of a worker its watchdog ended


class OverTime(BaseException):
    """The work went past its time limit (a BaseException, as KeyboardInterrupt: no ``except
    Exception`` of the work swallows it)."""


def limit_address_space(allowance: int) -> tuple[int, int] | None:
    """Let this process grow by ``allowance`` bytes of address space from now on (Linux); the
    limits before, to restore, or None where they cannot be set."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration, ValueError):
        return None
    before = resource.getrlimit(resource.RLIMIT_AS)
    hard = before[1]
    limit = size + allowance if hard == resource.RLIM_INFINITY else min(size + allowance, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return before


@contextmanager
def work_limits(seconds: float | None, memory_mb: int | None, grace: float = 10.0) -> Iterator[None]:
    """Run the body within ``seconds`` (``OverTime``) and ``memory_mb`` more megabytes of address
    space (``MemoryError``); either may be None. Only in a process's main thread: the time limit
    is a signal. The watchdog ends the process ``grace`` seconds after the time limit if the
    body has not stopped by then (a pool sees its worker die and names the work)."""
    before = limit_address_space(memory_mb * 1024 * 1024) if memory_mb else None
    old_handler = watchdog = None
    if seconds:
        def over(signum, frame):
            raise OverTime(seconds)

        old_handler = signal.signal(signal.SIGALRM, over)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        watchdog = threading.Timer(seconds + grace, os._exit, (HARD_STOP_EXIT,))
        watchdog.daemon = True
        watchdog.start()
    try:
        yield
    finally:
        if seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
            watchdog.cancel()
        if before is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, before)
