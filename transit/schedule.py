"""
Opening schedules of border posts, in each post's own time zone.

A :class:`PostSchedule` says when one post is open: weekdays, daily hours
(optionally different by direction of traffic or by season), seasonal closures
and the national public holidays that close it (from the ``holidays``
package). A crossing is passable only while *both* of its posts are open, so
:class:`CrossingClock` intersects the two posts' open intervals in absolute
time. That is what makes a Chinese post on Beijing time and a Kyrgyz post two
hours behind it line up correctly.

Times inside the simulation are POSIX seconds (floats, UTC); this module
converts to and from local wall-clock time with :mod:`zoneinfo`.

Examples
--------
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> sched = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-18:00")
>>> friday_evening = datetime(2017, 11, 3, 19, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
>>> start, end = sched.interval_at(friday_evening, "in")
>>> datetime.fromtimestamp(start, ZoneInfo("Asia/Shanghai")).strftime("%a %H:%M")
'Mon 10:00'
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from . import _cache
from ._units import DAY_S
from ._validate import short_repr
from .errors import InvalidArgumentError, NoRouteError

__all__ = [
    "Clock",
    "CrossingClock",
    "Direction",
    "Hours",
    "PostSchedule",
    "Season",
    "SplicedClock",
    "holiday_name",
]

Direction = Literal["in", "out"]
MINUTES_PER_DAY = 24 * 60
#: How far ahead to look for an opening before declaring a post closed for good.
SEARCH_HORIZON_DAYS = 400
#: Open intervals a post remembers per direction (:meth:`PostSchedule.interval_at`), then it starts again.
SPAN_MEMO = 4096


class _Spans:
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


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})-(\d{1,2})\s*$")


@functools.cache
def zone(name: str) -> ZoneInfo:
    """Return the :class:`~zoneinfo.ZoneInfo` for an IANA name, or raise :class:`~transit.errors.InvalidArgumentError` (a ``ValueError``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        msg = f"unknown IANA time zone {name!r}; expected a name such as 'Asia/Bishkek'"
        raise InvalidArgumentError(msg) from None


@functools.cache
def _holiday_table(country: str, year: int) -> dict[date, str]:
    try:
        table = holidays_lib.country_holidays(country, years=year)
    except NotImplementedError:
        msg = f"the holidays package has no calendar for country {country!r}"
        raise InvalidArgumentError(msg) from None
    return dict(table.items())


def holiday_name(countries: tuple[str, ...], day: date) -> str | None:
    """
    Return the name of a public holiday on ``day`` in any of ``countries``.

    Parameters
    ----------
    countries
        ISO 3166-1 alpha-2 codes.
    day
        A calendar date (local to the post).

    Returns
    -------
    str or None
        ``"CN: National Day"`` style label, or ``None`` on a working day.

    Examples
    --------
    >>> holiday_name(("CN",), date(2017, 10, 2))
    'CN: National Day'
    >>> holiday_name(("CN",), date(2017, 10, 9)) is None
    True
    """
    for country in countries:
        name = _holiday_table(country, day.year).get(day)
        if name is not None:
            return f"{country}: {name}"
    return None


@dataclass(frozen=True, slots=True)
class Hours:
    """Daily opening windows as ``(start_min, end_min)`` from local midnight.

    ``end_min`` may be 1440 (midnight at the end of the day).
    """

    windows: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, spec: str | list[str] | tuple[str, ...]) -> Hours:
        """
        Parse ``"09:00-13:00"``, ``["10:00-13:30", "16:30-20:00"]`` or ``"24h"``.

        Examples
        --------
        >>> Hours.parse(["10:00-13:30", "16:30-20:00"]).windows
        ((600, 810), (990, 1200))
        >>> Hours.parse("24h").windows
        ((0, 1440),)
        """
        items = [spec] if isinstance(spec, str) else list(spec) if isinstance(spec, list | tuple) else []
        if not items or not all(isinstance(item, str) for item in items):
            msg = (
                f"opening hours {short_repr(spec)} are not understood; expected 'HH:MM-HH:MM', '24h' or a list such as ['09:00-13:00', '14:00-18:00']"
            )
            raise InvalidArgumentError(msg)
        windows: list[tuple[int, int]] = []
        for item in items:
            if item.strip().lower() in {"24h", "00:00-24:00"}:
                windows.append((0, MINUTES_PER_DAY))
                continue
            match = _TIME_RANGE.match(item)
            if not match:
                msg = f"opening hours {item!r} are not of the form 'HH:MM-HH:MM' or '24h'"
                raise InvalidArgumentError(msg)
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if not (0 <= start < end <= MINUTES_PER_DAY) or m1 > 59 or m2 > 59:
                msg = f"opening hours {item!r} must run forward within one day (00:00-24:00)"
                raise InvalidArgumentError(msg)
            windows.append((start, end))
        windows.sort()
        for (_, end1), (start2, _) in itertools.pairwise(windows):
            if start2 < end1:
                msg = f"opening hours {items!r} overlap"
                raise InvalidArgumentError(msg)
        return cls(tuple(windows))

    @property
    def open_h(self) -> float:
        """Hours open per day."""
        return sum(end - start for start, end in self.windows) / 60

    def __str__(self) -> str:
        return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in self.windows)


@dataclass(frozen=True, slots=True)
class Season:
    """An inclusive, yearly-recurring range of dates, ``(month, day)`` to ``(month, day)``.

    The range may wrap the year end (``12-01`` to ``04-30``).
    """

    start: tuple[int, int]
    end: tuple[int, int]

    @classmethod
    def parse(cls, start: str, end: str) -> Season:
        """
        Parse ``"MM-DD"`` bounds.

        Examples
        --------
        >>> Season.parse("12-01", "04-30").contains(date(2018, 1, 15))
        True
        """
        bounds = []
        for text in (start, end):
            match = _MONTH_DAY.match(text)
            if not match:
                msg = f"season bound {text!r} is not of the form 'MM-DD'"
                raise InvalidArgumentError(msg)
            month, day = int(match[1]), int(match[2])
            try:
                date(2000, month, day)  # leap year: accepts 02-29
            except ValueError:
                msg = f"season bound {text!r} is not a calendar day"
                raise InvalidArgumentError(msg) from None
            bounds.append((month, day))
        return cls(bounds[0], bounds[1])

    def contains(self, day: date) -> bool:
        """Return whether ``day`` falls in the season."""
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end

    def __str__(self) -> str:
        return f"{self.start[0]:02d}-{self.start[1]:02d}..{self.end[0]:02d}-{self.end[1]:02d}"


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_FORMS = "'daily', a range such as 'Mon-Fri', or a list such as ['Mon', 'Wed'] (English names or their three-letter abbreviations)"


def _weekday(item: str, spec: object) -> int:
    """Return the index of one English weekday name or abbreviation; anything else is refused."""
    word = item.strip().lower()
    for index, (short, full) in enumerate(zip(_WEEKDAYS, _DAY_NAMES, strict=True)):
        if word in (short, full):
            return index
    msg = f"weekdays {short_repr(spec)}: {short_repr(item.strip())} is not a weekday; expected {WEEKDAY_FORMS}"
    raise InvalidArgumentError(msg)


def _parse_weekdays(spec: str | list[str] | tuple[str, ...]) -> frozenset[int]:
    """
    Parse ``"daily"``, ``"Mon-Fri"``, ``"Sat-Mon"``, ``"Mon, Wed"`` or ``["Mon", "Wednesday"]`` strictly.

    Examples
    --------
    >>> sorted(_parse_weekdays("Fri-Mon"))
    [0, 4, 5, 6]
    >>> _parse_weekdays("Mon-Funday")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    transit.errors.InvalidArgumentError: weekdays 'Mon-Funday': 'Funday' is not a weekday; expected 'daily', a range such as 'Mon-Fri',
    or a list such as ['Mon', 'Wed'] (English names or their three-letter abbreviations)
    """
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text in {"daily", "all"}:
            return frozenset(range(7))
        if "-" in text and "," not in text:
            first, _, last = spec.strip().partition("-")
            i, j = _weekday(first, spec), _weekday(last, spec)
            return frozenset(range(i, j + 1)) if i <= j else frozenset([*range(i, 7), *range(j + 1)])
        items = spec.split(",")
    elif isinstance(spec, list | tuple) and all(isinstance(item, str) for item in spec):
        items = list(spec)
    else:
        msg = f"weekdays {short_repr(spec)} is not understood; expected {WEEKDAY_FORMS}"
        raise InvalidArgumentError(msg)
    if not items or not any(item.strip() for item in items):
        msg = f"weekdays {short_repr(spec)} names no day; expected {WEEKDAY_FORMS}"
        raise InvalidArgumentError(msg)
    return frozenset(_weekday(item, spec) for item in items)


@dataclass(frozen=True, kw_only=True)
class PostSchedule:
    """When one border post is open, in its own time zone.

    Build one with :meth:`build`. Precedence for a given local day: a seasonal
    closure or a listed holiday closes the whole day; a weekday not in
    ``weekdays`` is closed; otherwise the hours are ``hours_out`` / ``hours_in``
    for that direction if given, else the first matching ``seasonal_hours``,
    else ``hours``.

    Parameters
    ----------
    tz
        IANA time zone of the post (Chinese posts keep ``Asia/Shanghai``).
    weekdays
        Open weekdays, 0 = Monday.
    hours
        Daily hours.
    hours_out, hours_in
        Hours for traffic leaving / entering the post's country, if different.
    seasonal_hours
        ``(Season, Hours)`` pairs that replace ``hours`` within the season.
    closures
        Seasons in which the post is closed.
    holidays
        Countries whose public holidays close the post.
    """

    tz: str
    weekdays: frozenset[int] = frozenset(range(7))
    hours: Hours = Hours(((0, MINUTES_PER_DAY),))
    hours_out: Hours | None = None
    hours_in: Hours | None = None
    seasonal_hours: tuple[tuple[Season, Hours], ...] = ()
    closures: tuple[Season, ...] = ()
    holidays: tuple[str, ...] = ()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _always: bool = field(init=False, repr=False, compare=False)
    _days: _cache.LRU = field(init=False, repr=False, compare=False)
    _spans: dict[str, _Spans] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", zone(self.tz))
        for country in self.holidays:
            _holiday_table(country, 2017)  # fail early on unknown calendars
        full = ((0, MINUTES_PER_DAY),)
        always = (
            len(self.weekdays) == 7
            and self.hours.windows == full
            and all(h is None or h.windows == full for h in (self.hours_out, self.hours_in))
            and all(h.windows == full for _, h in self.seasonal_hours)
            and not self.closures
            and not self.holidays
        )
        object.__setattr__(self, "_always", always)
        object.__setattr__(self, "_days", _cache.LRU(_cache.LIMITS["schedule_day"]))
        object.__setattr__(self, "_spans", {"out": _Spans(), "in": _Spans()})

    def __hash__(self) -> int:
        return hash((self.tz, self.weekdays, self.hours, self.hours_out, self.hours_in, self.seasonal_hours, self.closures, self.holidays))

    @classmethod
    def build(
        cls,
        *,
        tz: str,
        weekdays: str | list[str] = "daily",
        hours: str | list[str] = "24h",
        hours_out: str | list[str] | None = None,
        hours_in: str | list[str] | None = None,
        seasonal_hours: list[dict[str, object]] | None = None,
        closures: list[dict[str, object]] | None = None,
        holidays: list[str] | tuple[str, ...] = (),
    ) -> PostSchedule:
        """
        Build a schedule from plain values (as stored in ``crossings.toml``).

        Parameters
        ----------
        tz
            IANA time zone.
        weekdays
            ``"Mon-Fri"``, ``"daily"`` or a list such as ``["Mon", "Wed"]``.
        hours, hours_out, hours_in
            ``"HH:MM-HH:MM"``, a list of those, or ``"24h"``.
        seasonal_hours
            Items ``{"from": "MM-DD", "to": "MM-DD", "hours": ...}``.
        closures
            Items ``{"from": "MM-DD", "to": "MM-DD"}``.
        holidays
            ISO-2 codes of countries whose public holidays close the post.

        Returns
        -------
        PostSchedule

        Raises
        ------
        InvalidArgumentError
            With the offending value named (a ``ValueError``).
        """
        for name, value in (("seasonal_hours", seasonal_hours), ("closures", closures)):
            if value is not None and not (
                isinstance(value, list | tuple) and all(isinstance(item, dict) and {"from", "to"} <= set(item) for item in value)
            ):
                msg = (
                    f"{name}={short_repr(value)} is not understood; "
                    f"expected a list of {{'from': 'MM-DD', 'to': 'MM-DD'{', ' + repr('hours') + ': ...' if name == 'seasonal_hours' else ''}}} items"
                )
                raise InvalidArgumentError(msg)
        if not isinstance(holidays, list | tuple) or not all(isinstance(c, str) for c in holidays):
            msg = f"holidays={short_repr(holidays)} is not understood; expected a list of ISO-2 country codes such as ['CN']"
            raise InvalidArgumentError(msg)
        seasonal = tuple(
            (Season.parse(str(item["from"]), str(item["to"])), Hours.parse(item["hours"]))  # type: ignore[arg-type]
            for item in (seasonal_hours or [])
        )
        closed = tuple(Season.parse(str(item["from"]), str(item["to"])) for item in (closures or []))
        return cls(
            tz=tz,
            weekdays=_parse_weekdays(weekdays),
            hours=Hours.parse(hours),
            hours_out=Hours.parse(hours_out) if hours_out is not None else None,
            hours_in=Hours.parse(hours_in) if hours_in is not None else None,
            seasonal_hours=seasonal,
            closures=closed,
            holidays=tuple(holidays),
        )

    @property
    def always_open(self) -> bool:
        """True for a 24/7 post with no holiday or seasonal closure."""
        return self._always

    def closed_reason(self, day: date) -> str | None:
        """
        Return why the post is closed all day on local ``day``, or ``None``.

        Examples
        --------
        >>> s = PostSchedule.build(tz="Asia/Bishkek", weekdays="Mon-Fri", holidays=["CN"])
        >>> s.closed_reason(date(2017, 10, 2))
        'CN: National Day'
        >>> s.closed_reason(date(2017, 10, 7))
        'weekend (open Mon-Fri)'
        """
        for season in self.closures:
            if season.contains(day):
                return f"seasonal closure {season}"
        if self.holidays:
            name = holiday_name(self.holidays, day)
            if name is not None:
                return name
        if day.weekday() not in self.weekdays:
            return f"weekend (open {self.weekday_text})" if day.weekday() >= 5 else f"closed on {_WEEKDAYS[day.weekday()].title()}"
        return None

    @property
    def weekday_text(self) -> str:
        """The open weekdays as text (``Mon-Fri``, ``daily``)."""
        days = sorted(self.weekdays)
        if len(days) == 7:
            return "daily"
        if days == list(range(days[0], days[-1] + 1)):
            return f"{_WEEKDAYS[days[0]].title()}-{_WEEKDAYS[days[-1]].title()}"
        return ",".join(_WEEKDAYS[d].title() for d in days)

    def hours_on(self, day: date, direction: Direction) -> Hours | None:
        """Return the opening hours on local ``day`` for ``direction``, or ``None`` if closed."""
        if self.closed_reason(day) is not None:
            return None
        directional = self.hours_out if direction == "out" else self.hours_in
        if directional is not None:
            return directional
        for season, hours in self.seasonal_hours:
            if season.contains(day):
                return hours
        return self.hours

    def interval_at(self, t: float, direction: Direction) -> tuple[float, float]:
        """
        Return the open interval ``(start, end)`` containing ``t`` or the next one.

        Adjacent windows (open until midnight, open again at midnight) are
        merged. ``start`` may be earlier than ``t``; ``end`` is always after it.

        Parameters
        ----------
        t
            POSIX seconds.
        direction
            ``"out"`` for traffic leaving the post's country, ``"in"`` entering.

        Returns
        -------
        tuple of float
            POSIX seconds; ``(-inf, inf)`` for a post that never closes.

        Raises
        ------
        NoRouteError
            If the post does not open within :data:`SEARCH_HORIZON_DAYS` (a ``LookupError``).
        """
        if self._always:
            return (-math.inf, math.inf)
        spans = self._spans[direction]
        known = spans.get(t)  # an interval found before, from a time no later than t: the same answer
        if known is not None:
            return known
        start, end, whole = self._find(t, direction)
        if whole:  # (one cut short by the search horizon may go on: not the answer for later times)
            spans.put(t, (start, end))
        return (start, end)

    def _find(self, t: float, direction: Direction) -> tuple[float, float, bool]:
        """:meth:`interval_at` day by day; the flag says whether the interval ended within the horizon (not cut short)."""
        day = datetime.fromtimestamp(t, self._zone).date()
        start: float | None = None
        end = t
        for offset in range(SEARCH_HORIZON_DAYS):
            current = day + timedelta(days=offset)
            windows, next_midnight = self._day(current, direction)
            for w_start, w_end in windows:
                if start is None:
                    if w_end > t:
                        start, end = w_start, w_end
                elif w_start <= end:  # contiguous with the interval found so far
                    end = max(end, w_end)
                else:
                    return (start, end, True)
            if start is not None and end < next_midnight:
                return (start, end, True)
        if start is not None:
            return (start, end, False)
        msg = f"post does not open within {SEARCH_HORIZON_DAYS} days after {datetime.fromtimestamp(t, self._zone):%Y-%m-%d}"
        raise NoRouteError(msg)

    def _day(self, day: date, direction: Direction) -> tuple[tuple[tuple[float, float], ...], float]:
        """Open windows of one local day as POSIX seconds, and the next midnight (cached)."""
        key = (day, direction)
        found: tuple[tuple[tuple[float, float], ...], float] | None = self._days.get(key)
        if found is None:
            found = self._days.put(key, (_day_windows(self, self._zone, day, direction), _midnight(self._zone, day + timedelta(days=1))))
        return found

    def describe(self) -> str:
        """
        One-line human summary.

        Examples
        --------
        >>> PostSchedule.build(tz="Asia/Bishkek", weekdays="Mon-Fri", hours="09:00-18:00", holidays=["KG"]).describe()
        'Mon-Fri 09:00-18:00 (Asia/Bishkek); closed on KG holidays'
        """
        if self.always_open:
            return "24/7"
        parts = [f"{self.weekday_text} {self.hours}"]
        if self.hours_out is not None:
            parts.append(f"outbound {self.hours_out}")
        if self.hours_in is not None:
            parts.append(f"inbound {self.hours_in}")
        parts.extend(f"{season}: {hours}" for season, hours in self.seasonal_hours)
        text = "; ".join(parts) + f" ({self.tz})"
        if self.holidays:
            text += f"; closed on {'/'.join(self.holidays)} holidays"
        if self.closures:
            text += "; closed " + ", ".join(str(s) for s in self.closures)
        return text


def _midnight(tz: ZoneInfo, day: date) -> float:
    return datetime.combine(day, time(0), tzinfo=tz).timestamp()


def _day_windows(schedule: PostSchedule, tz: ZoneInfo, day: date, direction: Direction) -> tuple[tuple[float, float], ...]:
    hours = schedule.hours_on(day, direction)
    if hours is None:
        return ()
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    out = []
    for start_min, end_min in hours.windows:
        # Build wall-clock times and let zoneinfo resolve the offset (DST-safe).
        start = (midnight + timedelta(minutes=start_min)).replace(tzinfo=None)
        end = (midnight + timedelta(minutes=end_min)).replace(tzinfo=None)
        out.append((start.replace(tzinfo=tz).timestamp(), end.replace(tzinfo=tz).timestamp()))
    return tuple(out)


class _OpenTime:
    """Waiting and working against a clock's open intervals: shared by :class:`CrossingClock` and :class:`SplicedClock`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _spans: _Spans

        def _interval_at(self, t: float) -> tuple[float, float]: ...

    def interval_at(self, t: float) -> tuple[float, float]:
        """
        Return the open interval containing ``t`` or the next one (``start`` may be earlier than ``t``; ``end`` is after it).

        Remembered (:class:`_Spans`): the route search asks about the same few intervals
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
    _spans: _Spans = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spans", _Spans())

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
    _spans: _Spans = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spans", _Spans())

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
