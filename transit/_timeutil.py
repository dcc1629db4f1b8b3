"""Parsing and formatting of times at the boundary (private)."""

from __future__ import annotations

from datetime import date, datetime, time

from .errors import InvalidDepartureError
from .schedule import zone

__all__ = ["parse_departure"]


def parse_departure(value: object, tz: str, *, what: str = "departure") -> datetime:
    """
    Return ``value`` as an aware datetime.

    Parameters
    ----------
    value
        A :class:`~datetime.datetime` (naive means local time at ``tz``), a
        :class:`~datetime.date` (midnight local), or an ISO 8601 string with or
        without an offset (``"2017-10-30T08:00"``, ``"2017-10-30T08:00+08:00"``,
        ``"2017-10-30T03:00Z"``).
    tz
        IANA zone used for naive values (the origin's).
    what
        Argument name for the error message.

    Raises
    ------
    InvalidDepartureError
        Naming the value and showing accepted forms.

    Examples
    --------
    >>> parse_departure("2017-10-30T08:00", "Asia/Tashkent").isoformat()
    '2017-10-30T08:00:00+05:00'
    >>> parse_departure("30/10/2017", "Asia/Tashkent")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    transit.errors.InvalidDepartureError: departure '30/10/2017' is not an ISO 8601 date-time; expected e.g. '2017-10-30T08:00'
    (local time at the origin) or '2017-10-30T08:00+05:00'
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            msg = (
                f"{what} {value!r} is not an ISO 8601 date-time; expected e.g. '2017-10-30T08:00' "
                "(local time at the origin) or '2017-10-30T08:00+05:00'"
            )
            raise InvalidDepartureError(msg, field=what) from None
    elif isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0))
    else:
        msg = f"{what}={value!r} has type {type(value).__name__}; expected a datetime or an ISO 8601 string such as '2017-10-30T08:00'"
        raise InvalidDepartureError(msg, field=what)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    if not (1990 <= parsed.year <= 2100):
        msg = f"{what} {parsed.isoformat()} is outside the years the holiday calendars cover (1990-2100)"
        raise InvalidDepartureError(msg, field=what)
    return parsed
