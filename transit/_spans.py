"""
The intervals a clock answered before (:class:`Spans`).

Post schedules (:mod:`transit.schedule`) and crossing clocks (:mod:`transit.clocks`) share it.
"""

from __future__ import annotations

import bisect

__all__ = ["SPAN_MEMO", "Spans"]

#: Open intervals a clock remembers (per direction, for a post), then it starts again.
SPAN_MEMO = 4096


class Spans:
    """
    The intervals a clock's ``interval_at`` answered before, each from the earliest time it answers for.

    ``interval_at`` returns the open interval containing ``t`` or the next one, merged as far as it
    goes, so it answers the same for every time from ``t`` (or the interval's start, if earlier)
    until the interval's end: :meth:`get` finds such an answer by bisection instead of
    recomputing it. The table is replaced whole, never changed in place: a reader in another
    thread sees the old table or the new one. At most :data:`SPAN_MEMO` entries; then it starts
    afresh.
    """

    __slots__ = ("table",)

    def __init__(self) -> None:
        self.table: tuple[list[float], list[tuple[float, float]]] = ([], [])

    def get(self, t: float) -> tuple[float, float] | None:
        """Return the interval remembered for ``t``, or ``None``."""
        los, found = self.table
        i = bisect.bisect_right(los, t) - 1
        if i >= 0 and t < found[i][1]:
            return found[i]
        return None

    def put(self, t: float, interval: tuple[float, float]) -> tuple[float, float]:
        """Remember that from ``t`` (or the interval's start, if earlier) until its end the answer is ``interval``; return it."""
        lo = min(interval[0], t)
        los, found = self.table
        if len(los) >= SPAN_MEMO:
            los, found = [], []
        i = bisect.bisect_right(los, lo)
        self.table = ([*los[:i], lo, *los[i:]], [*found[:i], interval, *found[i:]])
        return interval
