"""
Opening schedules of border posts, in each post's own time zone.

A :class:`PostSchedule` says when one post is open: weekdays, daily hours
(optionally different by direction of traffic or by season), seasonal closures
and the national public holidays that close it (from the ``holidays``
package). A crossing is passable only while *both* of its posts are open, so
:class:`transit.clocks.CrossingClock` intersects the two posts' open intervals in absolute
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

import functools
import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from . import _cache
from ._spans import Spans
from ._validate import short_repr
from .errors import InvalidArgumentError, NoRouteError

__all__ = [
    "Direction",
    "Hours",
    "PostSchedule",
    "Season",
    "holiday_name",
]

Direction = Literal["in", "out"]
MINUTES_PER_DAY = 24 * 60
#: How far ahead to look for an opening before declaring a post closed for good.
SEARCH_HORIZON_DAYS = 400
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
    _spans: dict[str, Spans] = field(init=False, repr=False, compare=False)

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
        object.__setattr__(self, "_spans", {"out": Spans(), "in": Spans()})

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
