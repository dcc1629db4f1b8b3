"""
Errors raised by ``transit``.

Every error derives from :class:`TransitError` and also from the builtin
category it belongs to, so ``except KeyError`` and ``except TransitError`` both
work. Messages name the value received, what was expected and a fix.

Examples
--------
>>> from transit.errors import UnknownPlaceError
>>> err = UnknownPlaceError("Tashkentt", suggestions=["Tashkent"])
>>> str(err)
"unknown place 'Tashkentt'; did you mean 'Tashkent'? (see `transit places` for all names)"
>>> isinstance(err, KeyError)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

__all__ = [
    "ArgumentTypeError",
    "ComputeCancelled",
    "DataError",
    "InvalidArgumentError",
    "InvalidDepartureError",
    "InvalidNetworkError",
    "InvalidVehicleError",
    "MissingExtraError",
    "NoRouteError",
    "ReadOnlyNetworkError",
    "TransitError",
    "UnknownIdError",
    "UnknownPlaceError",
    "UnknownRegimeError",
]


def short_repr(value: object, *, limit: int = 60) -> str:
    """
    Return ``repr(value)``, shortened to about ``limit`` characters for messages (a megabyte of name is not echoed).

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


class TransitError(Exception):
    """Root of every error raised by ``transit``."""

    def __str__(self) -> str:
        # KeyError.__str__ would wrap the message in quotes; keep it readable.
        return str(self.args[0]) if self.args else self.__class__.__name__


class UnknownPlaceError(TransitError, KeyError):
    """A place or crossing name that is not in the network.

    Parameters
    ----------
    name
        The name as the user gave it.
    suggestions
        Close matches, best first.
    """

    def __init__(self, name: object, *, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = "did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?" if self.suggestions else "no close match"
        super().__init__(f"unknown place {short_repr(name)}; {hint} (see `transit places` for all names)")


class NoRouteError(TransitError, LookupError):
    """No path exists that the regime allows.

    Parameters
    ----------
    message
        Explanation naming the crossing or rule that blocks the route.
    blocking
        Crossing ids (or rule names) that block the route, if known.
    """

    def __init__(self, message: str, *, blocking: Sequence[str] = ()) -> None:
        self.blocking = tuple(blocking)
        super().__init__(message)


class DataError(TransitError, ValueError):
    """A malformed dataset file.

    Parameters
    ----------
    message
        What is wrong and how to fix it.
    file
        The file name.
    row
        Row number (1-based, header is row 1) or table index, if known.
    column
        Column or key name, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | str | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class InvalidDepartureError(TransitError, ValueError):
    """A date-time that cannot be read (a departure, a deadline, the start of a window).

    Parameters
    ----------
    message
        The value, what was expected and an example.
    field
        The argument it was given as (``"departure"``, ``"deadline"``, ``"start"``).
    """

    def __init__(self, message: str, *, field: str = "departure") -> None:
        self.field = field
        super().__init__(message)


class UnknownRegimeError(TransitError, ValueError):
    """A regime id that the network does not hold.

    Parameters
    ----------
    message
        What was asked and what is valid.
    valid
        The regime ids the network holds.
    """

    def __init__(self, message: str, *, valid: Sequence[str] = ()) -> None:
        self.valid = tuple(valid)
        super().__init__(message)


class InvalidVehicleError(TransitError, ValueError):
    """A vehicle description that is not valid (registration, crew, speed)."""


class InvalidArgumentError(TransitError, ValueError):
    """An option outside its allowed values (a sample count, a route rule, a window length), naming the value and the range."""


class ComputeCancelled(TransitError, RuntimeError):
    """A computation stopped early because its caller gave up on it (a time limit, a client that went away).

    Raised only inside :func:`transit._cancel.cancellable` blocks (the HTTP API runs every computation in one); the
    message says why. The fix is on the caller's side: ask for less work (fewer samples, pairs or ``via`` items) or
    allow more time.
    """


class MissingExtraError(TransitError, ModuleNotFoundError):
    """A feature's optional dependency is not installed; the message names the extra that brings it.

    Also a :class:`ModuleNotFoundError`, so ``except ImportError`` around an optional feature keeps working.

    Parameters
    ----------
    message
        The feature, the missing module and the ``pip install 'sco-transit[...]'`` command that fixes it.
    extra
        The extra of the ``sco-transit`` distribution (``"api"``, ``"plot"``, ``"osm"``).
    module
        The module that could not be imported.
    """

    def __init__(self, message: str, *, extra: str, module: str | None = None) -> None:
        self.extra = extra
        super().__init__(message, name=module)


class ArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type (a string for a number, ``"no"`` for ``False``); also a ``TypeError``."""


class UnknownIdError(TransitError, KeyError):
    """An id that a crossing or a regime does not hold (a crossing id, a country's post).

    Parameters
    ----------
    message
        The id, the valid ones and a fix.
    suggestions
        Close matches, best first.
    """

    def __init__(self, message: str, *, suggestions: Sequence[str] = ()) -> None:
        self.suggestions = tuple(suggestions)
        super().__init__(message)


class InvalidNetworkError(TransitError, ValueError):
    """A graph that is not a usable transit network (read with ``osmnx.load_graphml``, a plain osmnx graph, an edge without ``length``...).

    Parameters
    ----------
    message
        What is missing or wrong where, and how to get a network that has it.
    problems
        Each finding, one sentence per kind of problem.
    """

    def __init__(self, message: str, *, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(message)


class ReadOnlyNetworkError(TransitError, nx.NetworkXError, TypeError):  # type: ignore[misc]  # networkx ships no type information
    """An edit of a network the library returned (they are frozen); the message says how to edit a copy.

    Like :func:`networkx.freeze`'s error it is a :class:`networkx.NetworkXError`;
    changing an attribute dict in place raises it too.
    """
