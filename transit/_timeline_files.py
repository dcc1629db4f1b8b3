"""
Read the dataset's ``timeline.toml`` into a :class:`~transit.timeline.Timeline`.

Every bad value is a :class:`~transit.errors.DataError` naming the file, the event and the key; the schema is in
``routes/README.md``. Each event's changes are parsed once per crossing it applies to into a
:class:`~transit.timeline.Patch`, in the vocabulary of regime rules (:mod:`transit._regime_files` reads the same
delay keys).
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._regime_files import NEIGHBOURS, delay_keys, read_delay, read_direction_delays
from ._validate import close_match_hint, short_repr
from .crossings import Crossing
from .datasets import check_source, read_text
from .errors import DataError
from .model import Source
from .regimes import MAX_DELAY_H, NO_PERMIT, NOT_ADMITTED, TRANSFERS, Delay, Regime
from .schedule import PostSchedule
from .timeline import STATUSES, Moment, Patch, Period, Timeline, TimelineEvent, day_of, posix

__all__ = ["load_timeline", "timeline_from_text"]

_TARGET_KEYS = {"crossings", "pairs", "directions"}
_CHANGE_KEYS = {
    "open_to_freight",
    "reason",
    "one_way",
    "through",
    "transfer",
    "queue_trucks",
    "capacity_trucks_per_day",
    "delays",
    "schedules",
    *delay_keys("queue", "clearance", "transshipment"),
}
_EVENT_KEYS = {"id", "title", "from", "to", "source", "status", "note", "disagreement", *_TARGET_KEYS, *_CHANGE_KEYS}


def load_timeline(
    path: Path,
    *,
    crossings: Mapping[str, Crossing],
    regimes: Mapping[str, Regime],
    sources: Mapping[str, Source] | None = None,
    only_known: bool = False,
) -> Timeline:
    """:func:`transit.timeline.read_timeline`: read ``timeline.toml`` and check every reference in it."""
    return timeline_from_text(read_text(path), file=path.name, crossings=crossings, regimes=regimes, sources=sources, only_known=only_known)


def timeline_from_text(
    text: str,
    *,
    file: str = "timeline.toml",
    crossings: Mapping[str, Crossing],
    regimes: Mapping[str, Regime],
    sources: Mapping[str, Source] | None = None,
    only_known: bool = False,
) -> Timeline:
    """:func:`load_timeline` for the text of a ``timeline.toml`` (as a saved network or an OSM network carries it)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"is not valid TOML: {exc}", file=file) from None
    unknown = set(doc) - {"period", "event"}
    if unknown:
        raise DataError(f"unknown top-level key(s) {sorted(unknown)}; expected [[period]] and [[event]] tables", file=file)
    periods = []
    for index, spec in enumerate(doc.get("period", [])):
        where = f"period {index + 1}"
        regime = spec.get("regime")
        if regime not in regimes:
            raise DataError(
                f"names regime {regime!r}{close_match_hint(str(regime), regimes)}; expected one of {sorted(regimes)}",
                file=file,
                row=where,
                column="regime",
            )
        start = _read_moment(spec.get("from"), file=file, where=where, key="from", dates_only=True)
        end = _read_moment(spec["to"], file=file, where=where, key="to", dates_only=True) if "to" in spec else None
        last = day_of(end) if end is not None else None
        periods.append(Period(regime=str(regime), start=day_of(start), end=last, source=str(spec.get("source", ""))))
    if not periods:
        raise DataError("has no [[period]]: give at least one (regime and from)", file=file)
    for a, b in itertools.pairwise(periods):
        if a.end is None or a.end > b.start or b.start < a.start:
            raise DataError(f"periods overlap or are out of order: {a.regime} ({a.start} to {a.end}) and {b.regime} (from {b.start})", file=file)
    permits = {p for r in regimes.values() for p in r.permits}
    events = []
    seen: set[str] = set()
    for index, spec in enumerate(doc.get("event", [])):
        event = _read_event(spec, index, file=file, crossings=crossings, permits=permits, seen=seen, only_known=only_known)
        if event is None:
            continue
        if sources is not None:
            check_source(event.source, sources, file=file, row=f"event {event.id!r}", column="source")
        events.append(event)
    order = sorted(range(len(events)), key=lambda i: (posix(events[i].start, "UTC"), i))  # then file order
    return Timeline(periods=tuple(periods), events=tuple(events[i] for i in order), source_file=file, raw=text)


def _read_moment(value: object, *, file: str, where: str, key: str, dates_only: bool = False) -> Moment:
    if isinstance(value, datetime):
        if dates_only or value.tzinfo is None:
            expected = (
                "a TOML date such as 2017-01-20" if dates_only else "a date (2020-06-17) or a date-time with its offset (2020-06-17T18:00:00+08:00)"
            )
            raise DataError(f"got {value.isoformat()}; expected {expected}", file=file, row=where, column=key)
        return value
    if isinstance(value, date):
        return value
    raise DataError(f"got {short_repr(value)}; expected a TOML date such as 2017-01-20 (no quotes)", file=file, row=where, column=key)


def _read_event(
    spec: Mapping[str, Any], index: int, *, file: str, crossings: Mapping[str, Crossing], permits: set[str], seen: set[str], only_known: bool
) -> TimelineEvent | None:
    where = f"event {index + 1}"
    event_id = spec.get("id")
    if not isinstance(event_id, str) or not event_id or event_id != event_id.lower() or " " in event_id:
        raise DataError(
            f"got id {short_repr(event_id)}; expected a lowercase id with hyphens such as 'dostuk-reopens-2017'", file=file, row=where, column="id"
        )
    where = f"event {event_id!r}"
    if event_id in seen:
        raise DataError("appears twice; event ids are unique", file=file, row=where, column="id")
    seen.add(event_id)
    unknown = set(spec) - _EVENT_KEYS
    if unknown:
        raise DataError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_EVENT_KEYS)}", file=file, row=where)
    for key in ("title", "source"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise DataError(
                f"lacks {key!r}: every event has a title and a source (ids of sources.csv or 'ESTIMATE: <method>')", file=file, row=where, column=key
            )
    start = _read_moment(spec.get("from"), file=file, where=where, key="from")
    end = _read_moment(spec["to"], file=file, where=where, key="to") if "to" in spec else None
    if end is not None and _compare_key(end) <= _compare_key(start):
        raise DataError(f"ends ({end}) no later than it starts ({start})", file=file, row=where, column="to")
    targets = _targets(spec, file=file, where=where, crossings=crossings, only_known=only_known)
    if not targets and only_known:
        return None
    if not targets:
        raise DataError("applies to no crossing: give crossings = [ids] or pairs = [['UZ', 'KG']]", file=file, row=where, column="crossings")
    directions = tuple(str(d) for d in spec.get("directions", ()))
    changes = {k: v for k, v in spec.items() if k in _CHANGE_KEYS}
    if not changes:
        raise DataError(f"changes nothing; give one or more of {sorted(_CHANGE_KEYS)}", file=file, row=where)
    source = str(spec["source"])
    patches = {cid: _patch(spec, crossings[cid], directions, file=file, where=where, permits=permits, source=source) for cid in targets}
    status = spec.get("status") or _status(changes)
    if status not in STATUSES:
        raise DataError(f"got status {status!r}; expected one of {STATUSES}", file=file, row=where, column="status")
    return TimelineEvent(
        id=event_id,
        title=str(spec["title"]).strip(),
        start=start,
        end=end,
        crossings=tuple(targets),
        directions=directions,
        status=status,
        changes=MappingProxyType(changes),
        source=source,
        note=str(spec.get("note", "")).strip(),
        disagreement=str(spec.get("disagreement", "")).strip(),
        patches=MappingProxyType(patches),
    )


def _compare_key(moment: Moment) -> float:
    return posix(moment, "UTC")


def _targets(spec: Mapping[str, Any], *, file: str, where: str, crossings: Mapping[str, Crossing], only_known: bool) -> list[str]:
    found: list[str] = []
    for cid in spec.get("crossings", ()):
        if cid not in crossings and only_known:
            continue
        if cid not in crossings:
            raise DataError(f"names unknown crossing {cid!r}{close_match_hint(str(cid), crossings)}", file=file, row=where, column="crossings")
        found.append(cid)
    countries = {c for crossing in crossings.values() for c in crossing.countries}
    for pair in spec.get("pairs", ()):
        if only_known and isinstance(pair, list) and len(pair) == 2 and not all(c in countries for c in pair):
            continue
        if not (isinstance(pair, list) and len(pair) == 2 and all(c in countries for c in pair)):
            raise DataError(f"pairs entry {pair!r} is not two country codes of crossings such as ['KZ', 'KG']", file=file, row=where, column="pairs")
        matched = [cid for cid, crossing in crossings.items() if set(crossing.countries) == set(pair)]
        if not matched and not only_known:
            raise DataError(f"pairs entry {pair!r} matches no crossing", file=file, row=where, column="pairs")
        found.extend(cid for cid in matched if cid not in found)
    return found


def _status(changes: Mapping[str, Any]) -> str:
    if changes.get("open_to_freight") is False:
        return "closed"
    if "one_way" in changes:
        return "one-way"
    if "transfer" in changes or "through" in changes:
        return "restricted"
    if changes.get("open_to_freight") is True:
        return "open"
    return "delays"


def _patch(spec: Mapping[str, Any], crossing: Crossing, directions: Sequence[str], *, file: str, where: str, permits: set[str], source: str) -> Patch:
    for d in directions:
        if d not in crossing.directions:
            raise DataError(
                f"direction {d!r} does not fit crossing {crossing.id!r}; expected some of {crossing.directions}",
                file=file,
                row=where,
                column="directions",
            )
    wanted = tuple(directions) or crossing.directions
    fields: dict[str, Any] = {}
    if "open_to_freight" in spec:
        if not isinstance(spec["open_to_freight"], bool):
            raise DataError(f"got {spec['open_to_freight']!r}; expected true or false (no quotes)", file=file, row=where, column="open_to_freight")
        fields["open_to_freight"] = spec["open_to_freight"]
    if "reason" in spec:
        fields["reason"] = str(spec["reason"])
    if "one_way" in spec:
        if spec["one_way"] not in crossing.directions:
            raise DataError(
                f"one_way {spec['one_way']!r} is not a direction of {crossing.id!r}; expected one of {crossing.directions}",
                file=file,
                row=where,
                column="one_way",
            )
        fields["closed_directions"] = frozenset(d for d in crossing.directions if d != spec["one_way"])
    through: dict[str, str] = {}
    for key, permit in dict(spec.get("through", {})).items():
        if permit not in permits and permit not in (NO_PERMIT, NOT_ADMITTED):
            hint = close_match_hint(str(permit), [*permits, NO_PERMIT, NOT_ADMITTED])
            msg = f"names permit {permit!r}{hint}; expected one of {sorted(permits)}, {NO_PERMIT!r} or {NOT_ADMITTED!r}"
            raise DataError(msg, file=file, row=where, column="through")
        for registration in crossing.countries if key == NEIGHBOURS else (key,):
            through[str(registration)] = str(permit)
    if "transfer" in spec:
        if spec["transfer"] not in TRANSFERS:
            raise DataError(f"got {spec['transfer']!r}; expected one of {TRANSFERS}", file=file, row=where, column="transfer")
        fields["transfer"] = spec["transfer"]
        fields["through"] = {}
    transshipment = read_delay(spec, "transshipment", file=file, where=where, source=source)
    if transshipment is not None:
        fields["transshipment"] = transshipment
    queue: dict[str, Delay] = {}
    clearance: dict[str, Delay] = {}
    if "queue_trucks" in spec or "capacity_trucks_per_day" in spec:
        if "queue_median_h" in spec:
            msg = "give either queue_median_h or queue_trucks with capacity_trucks_per_day (from which the median is derived), not both"
            raise DataError(msg, file=file, row=where, column="queue_median_h")
        both_queue: Delay | None = _queue_from_counts(spec, file=file, where=where, source=source)
    else:
        both_queue = read_delay(spec, "queue", file=file, where=where, source=source)
    both_clearance = read_delay(spec, "clearance", file=file, where=where, source=source)
    for d in wanted:
        if both_queue is not None:
            queue[d] = both_queue
        if both_clearance is not None:
            clearance[d] = both_clearance
    sides: dict[str, tuple[Delay | None, Delay | None]] = {}
    for direction, per in dict(spec.get("delays", {})).items():
        dwhere = f"{where} delays.{direction}"
        if direction not in crossing.directions:
            if "crossings" in spec and crossing.id in spec["crossings"]:
                raise DataError(
                    f"direction {direction!r} does not fit crossing {crossing.id!r}; expected one of {crossing.directions}",
                    file=file,
                    row=where,
                    column="delays",
                )
            continue
        found = read_direction_delays(per, file=file, where=dwhere, source=source)
        for name, target in (("queue", queue), ("clearance", clearance)):
            if name in found:
                target[direction] = found[name]
        if "exit_side" in found or "entry_side" in found:
            sides[direction] = (found.get("exit_side"), found.get("entry_side"))
    schedules: dict[str, PostSchedule] = {}
    for country, sched in dict(spec.get("schedules", {})).items():
        if country not in crossing.countries:
            if "crossings" in spec and crossing.id in spec["crossings"]:
                raise DataError(
                    f"schedules names {country!r}, not a country of {crossing.id!r} {crossing.countries}", file=file, row=where, column="schedules"
                )
            continue
        try:
            schedules[country] = PostSchedule.build(tz=crossing.post(country).tz, **sched)
        except (TypeError, ValueError) as exc:
            raise DataError(str(exc), file=file, row=where, column=f"schedules.{country}") from None
    return Patch(
        fields=MappingProxyType(fields),
        through=MappingProxyType(through),
        queue=MappingProxyType(queue),
        clearance=MappingProxyType(clearance),
        sides=MappingProxyType(sides),
        schedules=MappingProxyType(schedules),
    )


def _queue_from_counts(spec: Mapping[str, Any], *, file: str, where: str, source: str) -> Delay:
    values = {}
    for key in ("queue_trucks", "capacity_trucks_per_day"):
        value = spec.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
            raise DataError(
                f"got {short_repr(value)}; give both queue_trucks and capacity_trucks_per_day as positive numbers", file=file, row=where, column=key
            )
        values[key] = float(value)
    median = min(24.0 * values["queue_trucks"] / values["capacity_trucks_per_day"], MAX_DELAY_H)
    p90 = spec.get("queue_p90_h", min(2 * median, MAX_DELAY_H))
    if not isinstance(p90, int | float) or isinstance(p90, bool) or not median <= p90 <= MAX_DELAY_H:
        raise DataError(
            f"got {p90!r}; expected hours from the derived median {median:.1f} to {MAX_DELAY_H:g}", file=file, row=where, column="queue_p90_h"
        )
    method = (
        f"ESTIMATE: queue = 24 h x {values['queue_trucks']:g} trucks waiting / {values['capacity_trucks_per_day']:g} let through a day"
        f" = {median:.1f} h{'' if 'queue_p90_h' in spec else ', P90 twice that'}"
    )
    return Delay(median_h=median, p90_h=float(p90), source=f"{source}; {method}")
