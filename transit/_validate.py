"""
Checks shared by the public entry points, raising errors that name the value, what was expected and a fix.

Examples
--------
>>> check_number(80, name="max_speed_kph", low=5, high=150)
80.0
>>> check_number("80", name="max_speed_kph", low=5, high=150, example=80)
Traceback (most recent call last):
...
transit.errors.ArgumentTypeError: max_speed_kph='80' is not a number; expected a number from 5 to 150, e.g. max_speed_kph=80
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable

from .errors import ArgumentTypeError, InvalidArgumentError

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_SAMPLES",
    "check_bool",
    "check_int",
    "check_number",
    "check_samples",
    "check_str",
    "close_match",
    "close_match_hint",
    "short_repr",
]

# -- arguments -------------------------------------------------------------------------------------

#: Upper limit on Monte Carlo samples per call (memory: about 100 bytes per sample per crossing).
MAX_SAMPLES = 2_000_000
#: Longest name (of a place, a crossing, a permit) worth comparing with the known ones.
MAX_NAME_CHARS = 200


def short_repr(value: object, *, limit: int = 60) -> str:
    """
    ``repr(value)``, shortened to about ``limit`` characters for messages.

    Examples
    --------
    >>> short_repr("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (1,000 characters)"
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value):,} characters)" if isinstance(value, str) else ""
    return f"{text[: limit - 1]}…{size}"


def close_match(value: object, choices: Iterable[str]) -> str | None:
    """
    The closest of ``choices`` to ``value`` (ignoring case), or ``None``.

    Values longer than :data:`MAX_NAME_CHARS` are not compared (the comparison is quadratic).

    Examples
    --------
    >>> close_match("SCO", ["sco", "bilateral"])
    'sco'
    """
    text = str(value)
    if len(text) > MAX_NAME_CHARS:
        return None
    by_lower = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None


def close_match_hint(value: object, choices: Iterable[str]) -> str:
    """
    ``"; did you mean 'x'?"`` for the closest of ``choices`` (see :func:`close_match`), or ``""``.

    Examples
    --------
    >>> close_match_hint("SCO", ["sco", "bilateral"])
    "; did you mean 'sco'?"
    """
    found = close_match(value, choices)
    return f"; did you mean {found!r}?" if found else ""


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"a number from {low:g} to {high:g}"
    if low is not None:
        return f"a number >= {low:g}"
    if high is not None:
        return f"a number <= {high:g}"
    return "a finite number"


def check_number(
    value: object,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    error: type[InvalidArgumentError] = InvalidArgumentError,
    unit: str = "",
    example: float | None = None,
) -> float:
    """
    Return ``value`` as a float if it is a finite real number within ``[low, high]``.

    Parameters
    ----------
    value
        What the caller passed.
    name
        The argument's name, for the message.
    low, high
        Inclusive bounds; ``None`` for none.
    error
        The error class for a value out of range (a wrong type raises
        :class:`~transit.errors.ArgumentTypeError` when ``error`` is the default).
    unit
        Appended to the bounds in the message (``" h"``).
    example
        A good value, shown in the message (default: ``low``).

    Raises
    ------
    InvalidArgumentError
        For a bool, a string, NaN, an infinity or a value out of range.
    """
    expected = _range_text(low, high) + unit
    if example is None:
        example = low if low is not None else (high if high is not None else 1)
    if not _is_number(value):
        kind = ArgumentTypeError if error is InvalidArgumentError else error
        msg = f"{name}={short_repr(value)} is not a number; expected {expected}, e.g. {name}={example:g}"
        raise kind(msg)
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or (low is not None and number < low) or (high is not None and number > high):
        msg = f"{name}={number!r} is out of range; expected {expected}, e.g. {name}={example:g}"
        raise error(msg)
    return number


def check_int(
    value: object,
    *,
    name: str,
    low: int | None = None,
    high: int | None = None,
    error: type[InvalidArgumentError] = InvalidArgumentError,
    example: int | None = None,
) -> int:
    """
    Return ``value`` if it is a whole number (not a bool, not a float) within ``[low, high]``.

    Raises
    ------
    InvalidArgumentError
        For anything else, naming the value and the range.
    """
    expected = _range_text(low, high).replace("a number", "a whole number")
    if example is None:
        example = low if low is not None else (high if high is not None else 1)
    if not _is_int(value):
        kind = ArgumentTypeError if error is InvalidArgumentError else error
        msg = f"{name}={short_repr(value)} is not a whole number; expected {expected}, e.g. {name}={example}"
        raise kind(msg)
    number = int(value)  # type: ignore[call-overload]
    if (low is not None and number < low) or (high is not None and number > high):
        msg = f"{name}={number!r} is out of range; expected {expected}, e.g. {name}={example}"
        raise error(msg)
    return number


def check_bool(value: object, *, name: str, error: type[InvalidArgumentError] = InvalidArgumentError) -> bool:
    """
    Return ``value`` if it is ``True`` or ``False`` (not ``"no"``, not ``0``).

    Examples
    --------
    >>> check_bool("no", name="open_to_freight")
    Traceback (most recent call last):
    ...
    transit.errors.ArgumentTypeError: open_to_freight='no' is not a boolean; expected True or False, e.g. open_to_freight=False
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy.bool_ too
        return bool(value)
    kind = ArgumentTypeError if error is InvalidArgumentError else error
    msg = f"{name}={short_repr(value)} is not a boolean; expected True or False, e.g. {name}=False"
    raise kind(msg)


def check_str(value: object, *, name: str, max_chars: int = MAX_NAME_CHARS, error: type[InvalidArgumentError] = InvalidArgumentError) -> str:
    """
    Return ``value`` if it is a string of at most ``max_chars`` characters.

    Raises
    ------
    InvalidArgumentError
        For another type, or a longer string (its length named).
    """
    if not isinstance(value, str):
        kind = ArgumentTypeError if error is InvalidArgumentError else error
        msg = f"{name}={short_repr(value)} is not a string; expected text of at most {max_chars:,} characters"
        raise kind(msg)
    if len(value) > max_chars:
        msg = f"{name}={short_repr(value)} is too long; expected at most {max_chars:,} characters"
        raise error(msg)
    return value


def check_samples(samples: object) -> int:
    """
    Return a Monte Carlo sample count if it is a whole number from 1 to :data:`MAX_SAMPLES`.

    Raises
    ------
    InvalidArgumentError
        Otherwise, with an example.
    """
    if not _is_int(samples) or not 1 <= samples <= MAX_SAMPLES:  # type: ignore[operator]
        msg = f"samples={short_repr(samples)} must be a whole number from 1 to {MAX_SAMPLES:,}; e.g. samples=10_000"
        raise InvalidArgumentError(msg)
    return int(samples)  # type: ignore[call-overload]
