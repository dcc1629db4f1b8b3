"""
Reading the filters of the timeline listings (private).

``transit timeline``, ``GET /timeline`` and :func:`transit.plot.corridor_status` check their crossing, country and
dates here, so the three say the same thing about the same mistake.

Examples
--------
>>> as_day("2017-10-30", "from")
datetime.date(2017, 10, 30)
>>> as_day(None, "from") is None
True
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import networkx as nx

from ._validate import MAX_NAME_CHARS
from .crossings import Crossing
from .errors import InvalidArgumentError, InvalidDepartureError, UnknownIdError, short_repr
from .lookup import fold
from .model import Source
from .timeline import Timeline, TimelineEvent

__all__ = [
    "Selection",
    "as_day",
    "check_range",
    "no_timeline_message",
    "resolve_country",
    "resolve_crossing",
    "select_events",
    "source_refs",
    "timeline_of",
]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def no_timeline_message(graph: nx.MultiDiGraph) -> str:
    """Return why a network without a timeline has no history to list, and what to do."""
    name = graph.graph.get("name", "this network")
    return (
        f"network {name!r} has no dated timeline (no timeline.toml in its dataset folder; see routes/README.md, section timeline.toml), "
        "so it has no history to list or draw; use a dataset that has one"
    )


def timeline_of(graph: nx.MultiDiGraph) -> Timeline:
    """Return the network's :class:`~transit.timeline.Timeline`, or raise :class:`InvalidArgumentError` saying it has none."""
    timeline: Timeline | None = graph.graph.get("timeline")
    if timeline is None:
        raise InvalidArgumentError(no_timeline_message(graph))
    return timeline


def _close(value: str, labels: Mapping[str, str], *, cutoff: float = 0.6) -> list[str]:
    """Return the values of ``labels`` (folded label -> id) whose labels are close to ``value``, best first, each once."""
    if len(value) > MAX_NAME_CHARS:
        return []
    found = difflib.get_close_matches(fold(value), list(labels), n=6, cutoff=cutoff)
    return list(dict.fromkeys(labels[k] for k in found))[:3]


def resolve_crossing(graph: nx.MultiDiGraph, value: object, *, name: str = "crossing") -> str:
    """
    Return the id of a crossing given by id, name, alias or post name (ignoring case and punctuation).

    Raises
    ------
    UnknownIdError
        With the closest crossing ids as suggestions.
    """
    crossings: Mapping[str, Crossing] = graph.graph.get("crossings", {})
    if isinstance(value, str) and value in crossings:
        return value
    labels: dict[str, str] = {}
    for crossing in crossings.values():
        for label in (crossing.id, crossing.name, *crossing.aliases, *(p.name for p in crossing.posts)):
            labels.setdefault(fold(label), crossing.id)
    text = str(value)
    if isinstance(value, str) and fold(text) in labels:
        return labels[fold(text)]
    suggestions = _close(text, labels)
    hint = f"did you mean {' or '.join(map(repr, suggestions))}?" if suggestions else "no close match"
    msg = f"unknown {name} {short_repr(value)}; {hint} (crossing ids: {', '.join(crossings)})"
    raise UnknownIdError(msg, suggestions=suggestions)


def resolve_country(graph: nx.MultiDiGraph, value: object, *, name: str = "country") -> str:
    """
    Return the ISO-2 code (upper case) of a country that has a crossing in the network.

    Raises
    ------
    UnknownIdError
        With the closest codes as suggestions.
    """
    crossings: Mapping[str, Crossing] = graph.graph.get("crossings", {})
    known = sorted({c for crossing in crossings.values() for c in crossing.countries})
    code = str(value).strip().upper()
    if isinstance(value, str) and code in known:
        return code
    suggestions = _close(code, {fold(k): k for k in known}, cutoff=0.5)
    hint = f"did you mean {' or '.join(map(repr, suggestions))}?" if suggestions else "no close match"
    msg = f"unknown {name} {short_repr(value)}; {hint} (countries with crossings: {', '.join(known)}; ISO 3166-1 alpha-2 codes)"
    raise UnknownIdError(msg, suggestions=suggestions)


def source_refs(text: str, sources: Mapping[str, Source]) -> dict[str, Any]:
    """
    Read a ``source`` cell: ``source`` (as written), ``sources`` (each id as ``{id, title, url}``) and ``estimate``.

    ``url`` is ``None`` where the source has none, and ``title`` empty for an id the mapping lacks; ``estimate`` is
    the ``ESTIMATE: <method>`` text, or ``None``.

    Examples
    --------
    >>> from transit.model import Source
    >>> source_refs("fpri-2020; ESTIMATE: 24 h x trucks waiting / trucks a day", {"fpri-2020": Source(id="fpri-2020", title="FPRI")})["sources"]
    [{'id': 'fpri-2020', 'title': 'FPRI', 'url': None}]
    """
    head, sep, method = text.partition("ESTIMATE")
    ids = [token.strip() for token in head.replace(",", ";").split(";") if token.strip()]
    resolved = []
    for sid in dict.fromkeys(ids):
        found = sources.get(sid)
        resolved.append({"id": sid, "title": found.title if found else "", "url": (found.url or None) if found else None})
    return {"source": text, "sources": resolved, "estimate": f"{sep}{method}".strip() or None}


def as_day(value: date | str | None, name: str) -> date | None:
    """
    Return ``value`` as a date (``None`` stays ``None``).

    Raises
    ------
    InvalidDepartureError
        For something that is not an ISO date (``field`` is ``name``).
    """
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    msg = f"{name}={short_repr(value)} is not a date; expected an ISO date such as 2017-10-30"
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise InvalidDepartureError(msg, field=name)
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2017-02-30
        raise InvalidDepartureError(msg, field=name) from None


def check_range(start: date | None, end: date | None, names: tuple[str, str] = ("from", "to")) -> None:
    """Raise :class:`InvalidArgumentError` if ``end`` is before ``start``."""
    if start is not None and end is not None and end < start:
        msg = f"{names[1]}={end.isoformat()} is before {names[0]}={start.isoformat()}; give an end on or after the start"
        raise InvalidArgumentError(msg)


@dataclass(frozen=True)
class Selection:
    """The events of a timeline chosen by the filters, and the filters as read."""

    timeline: Timeline
    events: list[TimelineEvent]
    crossing: str | None
    country: str | None
    start: date | None
    end: date | None

    def describe(self) -> str:
        """Return the filters in words, e.g. ``"at irkeshtam from 2020-01-01"`` (empty for none)."""
        parts = [
            f"at {self.crossing}" if self.crossing else "",
            f"in {self.country}" if self.country else "",
            f"from {self.start}" if self.start else "",
            f"to {self.end}" if self.end else "",
        ]
        return " ".join(p for p in parts if p)


def select_events(
    graph: nx.MultiDiGraph,
    *,
    crossing: str | None = None,
    country: str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    names: tuple[str, str, str, str] = ("crossing", "country", "from", "to"),
) -> Selection:
    """
    Return the timeline events touching a crossing or a country at some time from ``start`` to ``end`` (inclusive).

    Parameters
    ----------
    graph
        A network with a timeline.
    crossing, country, start, end
        The filters, ``None`` for none; checked as by :func:`resolve_crossing`, :func:`resolve_country`,
        :func:`as_day` and :func:`check_range`.
    names
        How the caller calls the four filters (``--from`` on the command line), for the messages.
    """
    timeline = timeline_of(graph)
    cid = resolve_crossing(graph, crossing, name=names[0]) if crossing is not None else None
    code = resolve_country(graph, country, name=names[1]) if country is not None else None
    first, last = as_day(start, names[2]), as_day(end, names[3])
    check_range(first, last, (names[2], names[3]))
    events = timeline.events_between(crossing=cid, country=code, start=first, end=last, crossings=graph.graph.get("crossings", {}))
    return Selection(timeline=timeline, events=events, crossing=cid, country=code, start=first, end=last)
