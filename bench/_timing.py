"""Shared helper of the benchmark scripts (they run as scripts, so this folder is on ``sys.path``)."""

from __future__ import annotations

import time
from collections.abc import Callable


def timed(func: Callable[[], object], *, repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``func``."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out
