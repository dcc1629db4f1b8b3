"""
Crossing clocks: when a crossing is passable, in absolute time.

A crossing is passable only while *both* of its posts are open (:class:`transit.schedule.PostSchedule`,
each in its own time zone): a :class:`CrossingClock` intersects the two posts' open intervals for one
direction, and a :class:`SplicedClock` follows the clocks of a dated history one after another. Both
remember the intervals they found (:class:`transit._spans.Spans`): the route search asks about the
same few tens of thousands of times.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ._spans import Spans
from ._units import DAY_S
from .errors import NoRouteError
from .schedule import SEARCH_HORIZON_DAYS, PostSchedule

__all__ = ["Clock", "CrossingClock", "SplicedClock"]


class _OpenTime:
    """Waiting and working against a clock's open intervals: shared by :class:`CrossingClock` and :class:`SplicedClock`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _spans: Spans

        def _interval_at(self, t: float) -> tuple[float, float]: ...

    def interval_at(self, t: float) -> tuple[float, float]:
        """
        Return the open interval containing ``t`` or the next one (``start`` may be earlier than ``t``; ``end`` is after it).

        Remembered (:class:`Spans`): the route search asks about the same few intervals
        tens of thousands of times.

        Raises
        ------
        NoRouteError
            If the crossing does not open within :data:`SEARCH_HORIZON_DAYS` (a ``LookupError``).
        """
        known = self._spans.get(t)
        if known is not None:
            return known
        found = self._interval_at(t)
        if found[1] - t < (SEARCH_HORIZON_DAYS - 2) * DAY_S or found[1] == math.inf:  # (not one the horizon may have cut short)
            self._spans.put(t, found)
        return found

    def closed_by(self, t: float) -> str | None:  # noqa: ARG002 - a dated clock uses t
        """Return why the crossing is closed to freight at ``t`` by a dated event (never, for opening hours alone)."""
        return None

    def next_open(self, t: float) -> float:
        """Return the earliest time ``>= t`` at which both posts are open."""
        start, _ = self.interval_at(t)
        return max(start, t)

    def work_in_one_go(self, t: float, duration_s: float) -> list[tuple[str, float, float]]:
        """
        Like :meth:`work`, but processing only starts in an open interval long enough to finish it.

        Formalities are not begun just before a post closes: the truck waits for
        the next opening that fits them. Falls back to :meth:`work` (processing
        split across closures) if no interval within a fortnight is long enough.

        Returns
        -------
        list of (kind, start, end)
            At most a ``"closed"`` wait followed by one ``"open"`` piece.
        """
        probe = t
        for _ in range(60):
            start, end = self.interval_at(probe)
            begin = max(start, t)
            if end - begin >= duration_s:
                pieces = [("closed", t, begin)] if begin > t else []
                return [*pieces, ("open", begin, begin + duration_s)]
            if end - t > 14 * DAY_S:
                break
            probe = end
        return self.work(t, duration_s)

    def work(self, t: float, duration_s: float) -> list[tuple[str, float, float]]:
        """
        Spend ``duration_s`` of open time from ``t`` on, waiting out closures.

        Parameters
        ----------
        t
            Start, POSIX seconds.
        duration_s
            Processing time that can only happen while both posts are open.

        Returns
        -------
        list of (kind, start, end)
            Alternating ``"open"`` and ``"closed"`` pieces covering the wait.
        """
        pieces: list[tuple[str, float, float]] = []
        remaining = duration_s
        while True:
            start, end = self.interval_at(t)
            if start > t:
                pieces.append(("closed", t, start))
                t = start
            if remaining <= 0:
                return pieces
            if end - t >= remaining:
                pieces.append(("open", t, t + remaining))
                return pieces
            pieces.append(("open", t, end))
            remaining -= end - t
            t = end


@dataclass(frozen=True, slots=True)
class CrossingClock(_OpenTime):
    """The joint open intervals of a crossing's two posts for one direction.

    Twin of ``montecarlo._Openings``, which lays these intervals out as arrays
    for many samples at once (see :mod:`transit._rules`); the parity tests in
    ``tests/test_reliability.py`` and ``tests/test_twins.py`` hold them equal.

    Parameters
    ----------
    exit
        Schedule of the post the truck leaves through (its direction is ``"out"``).
    entry
        Schedule of the post the truck enters through (``"in"``).
    """

    exit: PostSchedule
    entry: PostSchedule
    _spans: Spans = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spans", Spans())

    @property
    def always_open(self) -> bool:
        """True if both posts never close."""
        return self.exit.always_open and self.entry.always_open

    def _interval_at(self, t: float) -> tuple[float, float]:
        """
        Return the joint open interval containing ``t`` or the next one.

        Examples
        --------
        A Chinese post open 10:00-20:00 Beijing time and a Kyrgyz post open
        09:00-18:00 Bishkek time (two hours behind) are both open from
        11:00 to 18:00 Bishkek time:

        >>> cn = PostSchedule.build(tz="Asia/Shanghai", hours="10:00-20:00")
        >>> kg = PostSchedule.build(tz="Asia/Bishkek", hours="09:00-18:00")
        >>> t = datetime(2017, 10, 30, 6, 0, tzinfo=ZoneInfo("Asia/Bishkek")).timestamp()
        >>> s, e = CrossingClock(kg, cn).interval_at(t)
        >>> [datetime.fromtimestamp(x, ZoneInfo("Asia/Bishkek")).strftime("%H:%M") for x in (s, e)]
        ['09:00', '18:00']
        """
        probe = t
        for _ in range(4 * SEARCH_HORIZON_DAYS):
            s1, e1 = self.exit.interval_at(probe, "out")
            s2, e2 = self.entry.interval_at(probe, "in")
            start, end = max(s1, s2), min(e1, e2)
            if start < end:
                return (start, end)
            probe = start
        msg = "the two posts are never open at the same time"
        raise NoRouteError(msg)


@dataclass(frozen=True, slots=True)
class SplicedClock(_OpenTime):
    """Crossing clocks that follow one another in time: the opening hours of a crossing under a dated history.

    ``clocks[i]`` is in force from ``starts[i]`` until ``starts[i + 1]`` (the
    last one for ever); ``None`` means the crossing is closed to freight in
    this direction then, for ``reasons[i]``. Built by
    :class:`transit.timeline.History`; has the interface of
    :class:`CrossingClock` that both engines use (:meth:`interval_at`,
    :meth:`next_open`, :meth:`work_in_one_go`, :meth:`work`), so waits for a
    dated closure are waits like any other (and count towards the closed-wait
    horizon).

    Examples
    --------
    A post open 09:00-18:00, closed from 1 Feb until 15 Apr:

    >>> tz = ZoneInfo("Asia/Bishkek")
    >>> kg = PostSchedule.build(tz="Asia/Bishkek", hours="09:00-18:00")
    >>> day = CrossingClock(kg, kg)
    >>> closed, reopened = (datetime(2020, m, d, tzinfo=tz).timestamp() for m, d in ((2, 1), (4, 15)))
    >>> clock = SplicedClock((-math.inf, closed, reopened), (day, None, day), ("", "COVID closure", ""))
    >>> datetime.fromtimestamp(clock.next_open(closed - 3600), tz).isoformat()
    '2020-04-15T09:00:00+06:00'
    >>> clock.closed_by(closed + 1)
    'COVID closure'
    """

    starts: tuple[float, ...]
    clocks: tuple[CrossingClock | None, ...]
    reasons: tuple[str, ...]
    _spans: Spans = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spans", Spans())

    @property
    def always_open(self) -> bool:
        """True if the crossing never closes."""
        return len(self.clocks) == 1 and self.clocks[0] is not None and self.clocks[0].always_open

    def _end(self, i: int) -> float:
        return self.starts[i + 1] if i + 1 < len(self.starts) else math.inf

    def closed_by(self, t: float) -> str | None:
        """Return why the crossing is closed to freight at ``t`` by a dated event, or ``None``."""
        i = bisect.bisect_right(self.starts, t) - 1
        return self.reasons[max(i, 0)] if self.clocks[max(i, 0)] is None else None

    def _interval_at(self, t: float) -> tuple[float, float]:
        """
        Return the open interval containing ``t`` or the next one, across the pieces.

        Raises
        ------
        NoRouteError
            If the crossing does not open again within :data:`SEARCH_HORIZON_DAYS` (a ``LookupError``).
        """
        i = max(bisect.bisect_right(self.starts, t) - 1, 0)
        probe = t
        while True:
            end = self._end(i)
            clock = self.clocks[i]
            if clock is not None:
                try:
                    s, e = clock.interval_at(max(probe, self.starts[i]))
                except LookupError:
                    s, e = math.inf, math.inf
                if s < end:
                    return (max(s, self.starts[i]), self._extend(i, min(e, end)))
            if end == math.inf or end - t > SEARCH_HORIZON_DAYS * DAY_S:
                why = self.reasons[i] if clock is None else "no opening hours"
                msg = (
                    f"closed to freight ({why}) for more than {SEARCH_HORIZON_DAYS} days after {datetime.fromtimestamp(t, ZoneInfo('UTC')):%Y-%m-%d}"
                )
                raise NoRouteError(msg)
            probe = end
            i += 1

    def _extend(self, i: int, e: float) -> float:
        """Continue an interval ending at a piece boundary into the next piece when that one is open then."""
        while i + 1 < len(self.starts) and e == self.starts[i + 1] and (clock := self.clocks[i + 1]) is not None:
            try:
                s2, e2 = clock.interval_at(e)
            except LookupError:
                return e
            if s2 > e:
                return e
            i += 1
            e = min(e2, self._end(i))
        return e


#: Either clock: what the engines wait against.
Clock = CrossingClock | SplicedClock
