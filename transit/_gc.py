"""
Pausing Python's cyclic garbage collector while a route search runs.

The search (:mod:`transit._labels`) allocates hundreds of thousands of small objects (labels, runs, crews'
clocks) and frees them by reference counting: it makes no reference cycles that outlive it, so the cyclic
collector, which the allocations keep triggering, finds nothing and only walks the heap. That walk cost a
tenth of the 14-item ``via`` search in a fresh process, and more in a process holding a big heap (after a
sweep of all pairs). :func:`paused` turns the collector off for the duration and back on after, also when
the search raises. It is process-wide, so searches in several threads share one pause: the collector
comes back on when the last of them ends, and only if it was on when the first began.

Examples
--------
>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]

_LOCK = threading.Lock()
_depth = 0  # searches running with the collector paused
_restore = False  # whether the collector was on when the first of them began


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the ``with`` block (nested and threaded uses share one pause)."""
    global _depth, _restore  # noqa: PLW0603 - one process-wide pause, as the collector is process-wide
    with _LOCK:
        if _depth == 0:
            _restore = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0 and _restore:
                gc.enable()
