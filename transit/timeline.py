"""
The corridor's dated history: which crossing was open to whom, when, and the regime that follows it.

A :class:`Timeline` (``routes/timeline.toml``) is a sequence of base :class:`Period` s (which regime file gives the
rules) and dated :class:`TimelineEvent` s layered on top, each written in the vocabulary of regime rules (open or
closed, one-way, who drives through, trailer swap or cargo transfer, opening hours, queue and clearance) with its
sources. From it:

* :class:`History` (``regime="history"``) applies, at each crossing, the rules in force when the truck reaches it
  (or, if the crossing is closed to freight then, when it reopens): an event that begins while the truck is on its
  way applies. Closures and schedule changes are waits like any other (:class:`~transit.clocks.SplicedClock`).
* :func:`regime_on` freezes the rules of one date into an ordinary :class:`~transit.regimes.Regime` for what-ifs.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> timeline = net.graph["timeline"]
>>> timeline.starts.isoformat()
'2010-01-01'
>>> on = transit.regime_on(net, "2016-10-31")
>>> on.id, on.rule("dostuk").open_to_freight
('history@2016-10-31', False)
>>> transit.regime_on(net, "2018-03-05").rule("dostuk").open_to_freight
True
>>> trip = transit.plan_trip(net, "Tashkent", "Kashgar", regime="history", departure="2018-03-05T08:00")
>>> trip.crossings
('dostuk', 'irkeshtam')
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from . import _cache
from ._pickle import reduce_frozen
from ._steps import why_closed
from ._timeutil import parse_departure
from ._validate import check_network, short_repr
from .clocks import CrossingClock, SplicedClock
from .crossings import Crossing
from .errors import InvalidArgumentError, UnknownRegimeError
from .model import Source
from .regimes import NO_PERMIT, NOT_ADMITTED, CrossingRule, Delay, Permit, Regime
from .schedule import PostSchedule, zone

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HISTORY", "STATUSES", "History", "Period", "Timeline", "TimelineEvent", "read_timeline", "regime_on"]

#: The regime id that follows the timeline.
HISTORY = "history"
#: How :func:`transit.plot.corridor_status` draws an event.
STATUSES = ("open", "closed", "one-way", "restricted", "delays")
#: How far after the departure a trip's rules are looked at for route search (closed waits are capped at 30 days).
WINDOW_DAYS = 90
#: How many narrowed histories one history keeps (one per distinct set of dated rules in a window).
AROUND_CACHE = 256

Moment = date | datetime


@dataclass(frozen=True, kw_only=True)
class Period:
    """A stretch of time whose base rules come from one regime file.

    Parameters
    ----------
    regime
        Regime id (a file of ``regimes/``).
    start, end
        First day, and the first day no longer covered (``None``: open-ended).
    source
        Source ids for the switch.
    """

    regime: str
    start: date
    end: date | None = None
    source: str = ""


@dataclass(frozen=True)
class Patch:
    """What one event changes in one crossing's rule (parsed and checked at load)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    fields: Mapping[str, Any]
    through: Mapping[str, str]
    queue: Mapping[str, Delay]
    clearance: Mapping[str, Delay]
    sides: Mapping[str, tuple[Delay | None, Delay | None]]
    schedules: Mapping[str, PostSchedule]


@dataclass(frozen=True, kw_only=True)
class TimelineEvent:
    """One dated change at one or more crossings.

    Attributes
    ----------
    id, title
        Identifier and one-line description.
    start, end
        When it is in force: a date (from local midnight at each crossing) or an aware datetime; ``end`` is
        exclusive, ``None`` for still in force.
    crossings
        The crossings it applies to (``pairs`` resolved).
    directions
        The directions its delays apply to (empty: both).
    status
        ``open``, ``closed``, ``one-way``, ``restricted`` or ``delays`` (for the corridor-status chart).
    changes
        The keys of the event that change rules, as written.
    source, note, disagreement
        Sources (ids or ESTIMATE), context, and where sources disagree.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    id: str
    title: str
    start: Moment
    end: Moment | None
    crossings: tuple[str, ...]
    directions: tuple[str, ...] = ()
    status: str = "delays"
    changes: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    note: str = ""
    disagreement: str = ""
    patches: Mapping[str, Patch] = field(default_factory=dict, repr=False, compare=False)

    def __hash__(self) -> int:
        return hash((self.id, self.start, self.end, self.crossings))

    def start_s(self, tz: str) -> float:
        """Start as POSIX seconds (a date means local midnight in ``tz``)."""
        return posix(self.start, tz)

    def end_s(self, tz: str) -> float:
        """End as POSIX seconds (``inf`` if open-ended)."""
        return math.inf if self.end is None else posix(self.end, tz)


def posix(moment: Moment, tz: str) -> float:
    if isinstance(moment, datetime):
        return moment.timestamp()
    return datetime.combine(moment, time(0), tzinfo=zone(tz)).timestamp()


def day_of(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


@dataclass(frozen=True, kw_only=True)
class Timeline:
    """The dated history of the corridor: base periods and events (``routes/timeline.toml``).

    Use :meth:`events_between` (or :meth:`to_frame`) to list events, ``regime="history"`` to plan under them, and
    :func:`regime_on` to freeze one date.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    periods: tuple[Period, ...]
    events: tuple[TimelineEvent, ...]
    source_file: str = "timeline.toml"
    raw: str = field(default="", repr=False, compare=False)

    def __hash__(self) -> int:
        return hash((self.periods, self.events))

    def __repr__(self) -> str:
        last = max((day_of(e.start) for e in self.events), default=self.starts)
        periods = ", ".join(p.regime for p in self.periods)
        return f"<Timeline: {len(self.periods)} periods ({periods}), {len(self.events)} events from {self.starts} to {last}>"

    @property
    def starts(self) -> date:
        """First day the timeline covers."""
        return self.periods[0].start

    def period_on(self, day: date) -> Period:
        """Return the period in force on ``day`` (the first one before the timeline starts)."""
        for period in self.periods:
            if period.start <= day and (period.end is None or day < period.end):
                return period
        return self.periods[0] if day < self.starts else self.periods[-1]

    def events_between(
        self,
        *,
        crossing: str | None = None,
        country: str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        crossings: Mapping[str, Crossing] | None = None,
    ) -> list[TimelineEvent]:
        """
        Return the events in force at some time in ``[start, end]`` touching a crossing or a country.

        Parameters
        ----------
        crossing
            A crossing id; ``None`` for any.
        country
            ISO code; events at any crossing of that country (needs ``crossings``).
        start, end
            Dates (ISO strings accepted); ``None`` for open-ended.
        crossings
            Crossing id mapped to :class:`~transit.crossings.Crossing` (the network's), for ``country``.

        Examples
        --------
        >>> import transit
        >>> tl = transit.load_network().graph["timeline"]
        >>> [e.id for e in tl.events_between(crossing="dostuk", start="2017-09-01", end="2017-12-31")][:2]
        ['kg-uz-closure-2010', 'dostuk-daytime-2011']
        """
        lo = _as_date(start, "start") if start is not None else date.min
        hi = _as_date(end, "end") if end is not None else date.max
        found = []
        for event in self.events:
            if crossing is not None and crossing not in event.crossings:
                continue
            if country is not None and not any(country in (crossings or {})[c].countries for c in event.crossings if c in (crossings or {})):
                continue
            first = day_of(event.start)
            last = day_of(event.end) if event.end is not None else date.max
            if first <= hi and last > lo:
                found.append(event)
        return found

    def to_frame(self, events: Sequence[TimelineEvent] | None = None) -> pd.DataFrame:
        """Return events as a table: one row per event with its dates, crossings, status, changes and sources."""
        import pandas as pd

        rows = [
            {
                "id": e.id,
                "from": e.start.isoformat(),
                "to": e.end.isoformat() if e.end is not None else "",
                "crossings": ", ".join(e.crossings),
                "status": e.status,
                "title": e.title,
                "changes": "; ".join(f"{k}={_show(v)}" for k, v in e.changes.items()),
                "source": e.source,
                "note": e.note,
                "disagreement": e.disagreement,
            }
            for e in (self.events if events is None else events)
        ]
        columns = ["id", "from", "to", "crossings", "status", "title", "changes", "source", "note", "disagreement"]
        return pd.DataFrame(rows, columns=columns).set_index("id")


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _as_date(value: date | str, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        msg = f"{name}={short_repr(value)} is not a date; expected an ISO date such as {name}='2017-10-30'"
        raise InvalidArgumentError(msg) from None


def apply_patch(rule: CrossingRule, patch: Patch) -> CrossingRule:
    """Return ``rule`` with one event's changes (sides recompute the queue as the regime files do)."""
    changes: dict[str, Any] = dict(patch.fields)
    if patch.through:
        changes["through"] = {**rule.through, **patch.through}
    queue, clearance = dict(rule.queue), dict(rule.clearance)
    sides = dict(rule.sides)
    for direction, (exit_side, entry_side) in patch.sides.items():
        old_exit, old_entry = rule.sides.get(direction, (None, None))
        new_exit, new_entry = exit_side or old_exit, entry_side or old_entry
        if new_exit is None or new_entry is None:
            continue
        sides[direction] = (new_exit, new_entry)
        total = new_exit + new_entry
        current = patch.clearance.get(direction, clearance[direction])
        capped = (
            current
            if current.median_h <= total.median_h and current.p90_h <= total.p90_h
            else Delay(median_h=min(current.median_h, total.median_h), p90_h=min(current.p90_h, total.p90_h), source=current.source)
        )
        clearance[direction] = capped
        if direction not in patch.queue:
            median = max(total.median_h - capped.median_h, 0.0)
            queue[direction] = Delay(median_h=median, p90_h=max(total.p90_h - capped.p90_h, median), source=f"{total.source} (less the clearance)")
    queue.update(patch.queue)
    clearance.update(patch.clearance)
    if patch.queue or patch.sides:
        changes["queue"] = queue
    if patch.clearance or patch.sides:
        changes["clearance"] = clearance
    if patch.sides:
        changes["sides"] = sides
    if patch.schedules:
        changes["schedules"] = {**rule.schedules, **patch.schedules}
    return dataclasses.replace(rule, **changes) if changes else rule


def read_timeline(
    path: Path,
    *,
    crossings: Mapping[str, Crossing],
    regimes: Mapping[str, Regime],
    sources: Mapping[str, Source] | None = None,
    only_known: bool = False,
) -> Timeline:
    """
    Read ``timeline.toml`` and check every reference in it (the work is in :mod:`transit._timeline_files`).

    Parameters
    ----------
    path
        The file.
    crossings
        The network's crossings by id.
    regimes
        The network's regimes by id (the periods name them; permits in ``through`` must be theirs).
    sources
        The dataset's sources by id; when given, every ``source`` must cite them or say ESTIMATE.
    only_known
        Leave out crossings the network does not have (and events left with none) instead of refusing them.

    Returns
    -------
    Timeline

    Raises
    ------
    DataError
        Naming the file, the event and the key at fault.
    """
    from ._timeline_files import load_timeline

    return load_timeline(path, crossings=crossings, regimes=regimes, sources=sources, only_known=only_known)


# -- the regime that follows the timeline ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pieces:
    """One crossing's rules over time: ``rules[i]`` from ``starts[i]`` (``-inf`` first) on, set by ``events[i]``."""

    starts: tuple[float, ...]
    rules: tuple[CrossingRule, ...]
    events: tuple[tuple[str, ...], ...]

    def at(self, t: float) -> int:
        return max(bisect.bisect_right(self.starts, t) - 1, 0)


def _pieces(crossing: Crossing, timeline: Timeline, regimes: Mapping[str, Regime]) -> _Pieces:
    tz = crossing.posts[0].tz
    events = [e for e in timeline.events if crossing.id in e.crossings]
    bounds = {posix(p.start, tz) for p in timeline.periods} | {posix(p.end, tz) for p in timeline.periods if p.end is not None}
    bounds |= {e.start_s(tz) for e in events} | {e.end_s(tz) for e in events if e.end is not None}
    starts = [-math.inf, *sorted(bounds)]
    out_starts: list[float] = []
    out_rules: list[CrossingRule] = []
    out_events: list[tuple[str, ...]] = []
    for s in starts:
        probe = s if s > -math.inf else starts[1] - 1 if len(starts) > 1 else 0.0
        day = datetime.fromtimestamp(probe, zone(tz)).date()
        rule = regimes[timeline.period_on(day).regime].rule(crossing.id)
        active = tuple(e for e in events if e.start_s(tz) <= probe < e.end_s(tz))
        for event in active:
            rule = apply_patch(rule, event.patches[crossing.id])
        ids = tuple(e.id for e in active)
        if out_rules and out_rules[-1] == rule and out_events[-1] == ids:
            continue
        out_starts.append(s)
        out_rules.append(rule)
        out_events.append(ids)
    return _Pieces(tuple(out_starts), tuple(out_rules), tuple(out_events))


def _envelope(crossing_id: str, rules: Sequence[CrossingRule]) -> CrossingRule:
    """Return the most favourable of several rules, field by field: a lower bound for route search over a stretch of time."""
    if len(rules) == 1:
        return rules[0]
    open_rules = [r for r in rules if r.open_to_freight] or list(rules)
    directions = {d for r in rules for d in r.queue}
    closed = frozenset.intersection(*(r.closed_directions for r in open_rules))
    through: dict[str, str] = {}
    for r in open_rules:
        for registration, permit in r.through.items():
            if permit == NOT_ADMITTED:
                continue
            if through.get(registration) != NO_PERMIT:
                through[registration] = permit if registration not in through or permit == NO_PERMIT else through[registration]

    def least(delays: Iterable[Delay]) -> Delay:
        items = list(delays)
        return Delay(
            median_h=min(d.median_h for d in items), p90_h=min(d.p90_h for d in items), source="; ".join(dict.fromkeys(d.source for d in items))
        )

    return CrossingRule(
        crossing_id=crossing_id,
        open_to_freight=any(r.open_to_freight for r in rules),
        through=through,
        queue={d: least(r.queue[d] for r in open_rules if d in r.queue) for d in directions},
        clearance={d: least(r.clearance[d] for r in open_rules if d in r.clearance) for d in directions},
        transshipment=least(r.transshipment for r in open_rules),
        closed_directions=closed,
        transfer=open_rules[0].transfer,
        schedules=open_rules[0].schedules,
        sides=open_rules[0].sides,
        reason=open_rules[0].reason,
        source=open_rules[0].source,
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class History(Regime):
    """The regime that follows the timeline: at each crossing, the rules in force when the truck gets there.

    Get it with ``transit.get_regime(net, "history")`` or pass ``regime="history"``. Its :attr:`rules` are, per
    crossing, the most favourable of the rules in force during :attr:`window` (all time when ``None``): route
    search orders and prunes candidates with them; the engines use :meth:`rule_at` and :meth:`clock`. Not
    editable: freeze a date with :func:`regime_on` and edit that.

    Attributes
    ----------
    timeline
        The :class:`Timeline`.
    window
        POSIX ``(start, end)`` the envelope rules cover, or ``None``.
    """

    timeline: Timeline
    pieces: Mapping[str, _Pieces] = field(default_factory=dict, repr=False)
    window: tuple[float, float] | None = None

    def __hash__(self) -> int:
        found = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.id, self.window, self.timeline, frozenset(self.rules.items())))
            object.__setattr__(self, "_hash", found)
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return (self.id, self.window, self.timeline, dict(self.rules), dict(self.pieces)) == (
            other.id,
            other.window,
            other.timeline,
            dict(other.rules),
            dict(other.pieces),
        )

    def __repr__(self) -> str:
        span = "all dates" if self.window is None else " to ".join(datetime.fromtimestamp(t, zone("UTC")).strftime("%Y-%m-%d") for t in self.window)
        return f"<History {self.id!r}: {self.timeline!r}; search envelope over {span}>"

    @property
    def dated(self) -> bool:
        """True: the rules change with the date."""
        return True

    def rule_at(self, crossing_id: str, t: float) -> CrossingRule:
        """Return the rule for ``crossing_id`` in force at POSIX time ``t``."""
        self.rule(crossing_id)  # the error for an unknown id
        pieces = self.pieces[crossing_id]
        return pieces.rules[pieces.at(t)]

    def segment_at(self, crossing_id: str, t: float) -> int:
        """Return the index of the crossing's dated rule in force at ``t``."""
        return self.pieces[crossing_id].at(t)

    def segment_rule(self, crossing_id: str, segment: int) -> CrossingRule:
        """Return the crossing's dated rule number ``segment``."""
        return self.pieces[crossing_id].rules[segment]

    def segment_starts(self, crossing_id: str) -> tuple[float, ...]:
        """Return when each of the crossing's dated rules comes into force (POSIX seconds; the first is ``-inf``)."""
        return self.pieces[crossing_id].starts

    def segments_between(self, crossing_id: str, lo: float, hi: float) -> tuple[int, ...]:
        """Return the indexes of the crossing's dated rules in force at some time in ``[lo, hi]``."""
        pieces = self.pieces[crossing_id]
        return tuple(range(pieces.at(lo), pieces.at(hi) + 1))

    def events_at(self, crossing_id: str, t: float) -> tuple[str, ...]:
        """Return the ids of the timeline events shaping the crossing's rule at ``t``."""
        pieces = self.pieces[crossing_id]
        return pieces.events[pieces.at(t)]

    def _build_clock(self, crossing: Crossing, direction: str) -> CrossingClock | SplicedClock:
        """Return the crossing's clock in ``direction``: each dated rule's schedules, closed while it closes the crossing."""
        pieces = self.pieces[crossing.id]
        clocks = tuple(crossing.clock(direction, schedules=dict(r.schedules)) if r.open_in(direction) else None for r in pieces.rules)
        if len(clocks) == 1 and clocks[0] is not None:
            return clocks[0]
        reasons = tuple(_closed_reason(r, direction, ids) for r, ids in zip(pieces.rules, pieces.events, strict=True))
        return SplicedClock(pieces.starts, clocks, reasons)

    def around(self, t: float) -> History:
        """
        Return this history with its search envelope narrowed to the :data:`WINDOW_DAYS` after ``t``.

        Departures whose windows hold the same dated rules share one object (and so the route-search caches).
        """
        lo, hi = t, t + WINDOW_DAYS * 86_400.0
        spans = tuple((cid, p.at(lo), p.at(hi)) for cid, p in self.pieces.items())
        memo: dict[tuple[Any, ...], History] = self.__dict__.setdefault("_around", {})
        found = memo.get(spans)
        if found is None:
            rules = {cid: _envelope(cid, self.pieces[cid].rules[a : b + 1]) for cid, a, b in spans}
            found = dataclasses.replace(self, rules=rules, window=(lo, hi))
            if len(memo) < AROUND_CACHE:
                memo[spans] = found
        return found

    def with_rule(self, crossing_id: str, **changes: Any) -> Regime:  # noqa: ARG002 - refused
        """Refused: a history follows its timeline. Freeze a date with :func:`transit.regime_on` and edit that regime."""
        msg = (
            f"regime {self.id!r} follows the dated timeline and cannot be edited rule by rule; "
            f"freeze one date and edit that: transit.regime_on(net, '2017-10-30').with_rule({crossing_id!r}, ...)"
        )
        raise InvalidArgumentError(msg)


def _closed_reason(rule: CrossingRule, direction: str, events: tuple[str, ...]) -> str:
    why = why_closed(rule, direction) or "closed to freight"
    return f"{why} [timeline: {', '.join(events)}]" if events else why


def build_history(crossings: Mapping[str, Crossing], regimes: Mapping[str, Regime], timeline: Timeline) -> History:
    """Return the :class:`History` of a network's crossings, regimes and timeline (window: all dates)."""
    pieces = {cid: _pieces(crossing, timeline, regimes) for cid, crossing in crossings.items()}
    permits: dict[str, Permit] = {}
    for period in timeline.periods:
        permits.update(regimes[period.regime].permits)
    rules = {cid: _envelope(cid, p.rules) for cid, p in pieces.items()}
    return History(
        id=HISTORY,
        name="The corridor's dated history (rules in force on each day)",
        description="The rules in force when the truck reaches each crossing, from timeline.toml: base periods "
        + ", ".join(f"{p.regime} from {p.start}" for p in timeline.periods)
        + f", and {len(timeline.events)} dated events.",
        rules=rules,
        permits=permits,
        in_force_from=timeline.starts,
        source="; ".join(dict.fromkeys(e.source for e in timeline.events)),
        timeline=timeline,
        pieces=pieces,
    )


def history_of(graph: nx.MultiDiGraph) -> History:
    """Return the network's :class:`History` (cached per network), or raise if it has no timeline."""
    timeline: Timeline | None = graph.graph.get("timeline")
    if timeline is None:
        valid = ", ".join(repr(r) for r in sorted(graph.graph.get("regimes", {})))
        msg = f"regime 'history' needs a dated timeline (timeline.toml in the dataset), which this network has none of; pass one of {valid}"
        raise UnknownRegimeError(msg, valid=sorted(graph.graph.get("regimes", {})))
    return _cache.memo(graph, "dataset", ("history", timeline), lambda: build_history(graph.graph["crossings"], graph.graph["regimes"], timeline))


def regime_on(graph: nx.MultiDiGraph, when: date | datetime | str) -> Regime:
    """
    Freeze the rules in force at one moment into an ordinary regime, for what-ifs.

    Parameters
    ----------
    graph
        A network with a timeline (the embedded dataset has one).
    when
        A date (the rules at local midnight at each crossing), an ISO string, or an aware datetime.

    Returns
    -------
    Regime
        Id ``"history@<date>"``; edit it with :meth:`~transit.regimes.Regime.with_rule`.

    Raises
    ------
    UnknownRegimeError
        For a network without a timeline.
    InvalidArgumentError
        For something that is not a date.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> r = transit.regime_on(net, "2020-06-01")
    >>> r.rule("irkeshtam").open_in("CN>KG")
    True
    >>> r.with_rule("irkeshtam", open_to_freight=False).id
    'history@2020-06-01+what-if'
    """
    check_network(graph)
    history = history_of(graph)
    moment: Moment
    if isinstance(when, datetime) or (isinstance(when, str) and len(when.strip()) != len("2017-10-30")):
        moment = parse_departure(when, tz="UTC", what="when")
        label = moment.isoformat(timespec="minutes")
    else:
        moment = _as_date(when, "when")
        label = moment.isoformat()
    crossings: Mapping[str, Crossing] = graph.graph["crossings"]
    rules = {}
    ids: dict[str, None] = {}
    for cid, crossing in crossings.items():
        t = posix(moment, crossing.posts[0].tz)
        rules[cid] = history.rule_at(cid, t)
        ids.update(dict.fromkeys(history.events_at(cid, t)))
    day = day_of(moment)
    period = history.timeline.period_on(day)
    return Regime(
        id=f"{HISTORY}@{label}",
        name=f"Rules in force on {label} (timeline)",
        description=f"Base regime {period.regime!r} with the timeline events in force then: {', '.join(ids) or 'none'}.",
        rules=rules,
        permits=history.permits,
        in_force_from=day,
        source="; ".join([period.source, *(e.source for e in history.timeline.events if e.id in ids)]).strip("; "),
    )
