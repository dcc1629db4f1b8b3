"""
Results as JSON-ready dicts: one shape per result type, shared by the HTTP API and the command line.

``transit plan --format json`` and ``POST /trips`` print :func:`trip_to_dict`; ``transit compare --format json`` and
``POST /compare`` print :func:`comparison_to_dict`; ``transit reliability --format json`` and ``POST /reliability``
print :func:`reliability_to_dict`; ``transit timeline --format json`` and ``GET /timeline`` print
:func:`timeline_to_dict`. Every value is a ``str``, ``int``, ``float``, ``bool``, ``None``, list or dict
(``json.dumps`` takes it as is), times are ISO 8601 strings with the local offset of their place, and key names
carry their units (``_h``, ``_km``, ``_usd``). A number that does not exist (a regime with no route) is ``None``.

Examples
--------
>>> import json, transit
>>> from transit.serialize import trip_to_dict
>>> trip = transit.plan_trip(transit.load_network(), "Kashgar", "Osh", departure="2017-10-30T08:00")
>>> body = trip_to_dict(trip)
>>> body["departure"], body["crossings"]
('2017-10-30T08:00:00+08:00', ['irkeshtam'])
>>> _ = json.dumps(body)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ._history_query import source_refs
from .comparison import TABLE_COLUMNS
from .schedule import zone

if TYPE_CHECKING:
    from .comparison import Comparison
    from .model import Source
    from .timeline import Timeline, TimelineEvent
    from .trip import Trip
    from .uncertainty import Reliability

__all__ = ["comparison_to_dict", "reliability_to_dict", "timeline_to_dict", "trip_to_dict"]

#: The totals of a comparison row, in hours, kilometres and US dollars: :data:`~transit.comparison.TABLE_COLUMNS`
#: less ``saving_days`` (``saving_h`` says it).
_ROW_NUMBERS = tuple(c for c in TABLE_COLUMNS if c != "saving_days")
_PERCENTILE_COLUMNS = ("p50_h", "p90_h", "p95_h")


def _num(value: Any) -> float | None:
    """Return a plain float, or ``None`` for a missing value (``None`` or NaN)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _local(t: float, tz: str) -> str:
    return datetime.fromtimestamp(t, zone(tz)).isoformat()


def trip_to_dict(trip: Trip) -> dict[str, Any]:
    """
    One planned trip: totals, breakdown, cost, the timeline and the path as a GeoJSON Feature.

    Parameters
    ----------
    trip
        A result of :func:`transit.plan_trip`.

    Returns
    -------
    dict
        The keys of :meth:`transit.trip.Trip.summary` (``origin`` ... ``transshipments``, ``warnings``,
        ``snapped_km``), then
        ``breakdown_h`` (hours by activity), ``cost`` (``distance_usd`` ... ``total_usd``), ``timeline`` (one dict
        per step: ``activity, place, country, start, end, duration_h, distance_km, note, source, crossing_id,
        segment_id``; times local to the step's place) and ``geometry`` (a GeoJSON Feature, ``[lon, lat]``,
        EPSG:4326).
    """
    summary = trip.summary()
    timeline = [
        {
            "activity": e.activity,
            "place": e.place,
            "country": e.country,
            "start": _local(e.start, e.tz),
            "end": _local(e.end, e.tz),
            "duration_h": float(e.duration_h),
            "distance_km": float(e.distance_km),
            "note": e.note,
            "source": e.source,
            "crossing_id": e.crossing_id,
            "segment_id": e.segment_id,
        }
        for e in trip.events
    ]
    properties = {
        "origin": trip.origin_name,
        "destination": trip.destination_name,
        "regime": trip.regime,
        "crossings": list(trip.crossings),
        "distance_km": trip.distance_km,
    }
    geometry = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in trip.geometry_coords]},
        "properties": properties,
    }
    return {
        **summary,
        "breakdown_h": {k: float(v) for k, v in trip.breakdown_h.items()},
        "cost": {k: float(v) for k, v in trip.cost.as_dict().items()},
        "timeline": timeline,
        "geometry": geometry,
    }


def comparison_to_dict(comparison: Comparison, *, seed: int | None = None) -> dict[str, Any]:
    """
    Return the same trip under several regimes or at several departures: the question and one row per scenario.

    Parameters
    ----------
    comparison
        A result of :func:`transit.compare`.
    seed
        The seed the samples were drawn with, echoed back (``None``: fresh entropy, or no samples).

    Returns
    -------
    dict
        ``origin, destination, departure, departures, via, baseline, samples, seed`` and ``rows``: per scenario,
        ``row`` (its label), ``regime``, ``departure``, ``status`` (``"ok"`` or why there is no route), the totals
        (``total_h`` ... ``cost_usd``, ``None`` without a route), ``saving_h`` and ``saving_usd`` against the
        baseline, ``saving_vs_previous_h`` against the row before, ``arrival``, ``crossings``,
        ``transshipments``, ``warnings`` (the regime's trip's :attr:`~transit.trip.Trip.warnings`; none without a
        route) and ``p50_h, p90_h, p95_h`` (``None`` without samples).
    """
    table = comparison.table
    samples = next(iter(comparison.reliability.values())).samples if comparison.reliability else 0
    rows = []
    for label, row in table.iterrows():
        trip = comparison.trips.get(str(label))
        out: dict[str, Any] = {"row": str(label), "regime": str(row["regime"]), "departure": str(row["departure"]), "status": str(row["status"])}
        out.update({k: _num(row[k]) for k in _ROW_NUMBERS})
        out["arrival"] = trip.arrival.isoformat() if trip else None
        out["crossings"] = list(trip.crossings) if trip else []
        out["transshipments"] = list(trip.transshipments) if trip else []
        out["warnings"] = list(trip.warnings) if trip else []
        out.update({k: _num(row[k]) if samples else None for k in _PERCENTILE_COLUMNS})
        rows.append(out)
    return {
        "origin": comparison.origin,
        "destination": comparison.destination,
        "departure": comparison.departure.isoformat(),
        "departures": [d.isoformat() for d in comparison.departures],
        "via": list(comparison.via),
        "baseline": comparison.baseline,
        "samples": samples,
        "seed": seed,
        "rows": rows,
    }


def reliability_to_dict(reliability: Reliability, *, seed: int | None = None, deadline: str | datetime | None = None) -> dict[str, Any]:
    """
    Percentiles and on-time probability of one trip under uncertain border delays.

    Parameters
    ----------
    reliability
        A result of :func:`transit.reliability`.
    seed
        The seed the samples were drawn with, echoed back.
    deadline
        Also report the probability of arriving by this time (ISO 8601, naive is local at the destination).

    Returns
    -------
    dict
        ``origin, destination, regime, departure, route`` (crossing ids), ``route_choice``, ``samples``, ``seed``,
        ``deterministic_h``, ``mean_h``, ``percentiles_h`` and ``arrivals`` (keyed by percentage as a string),
        ``breakdown_mean_h``, ``crossings`` (per crossing: ``crossing_id, p50_h, p90_h, mean_h``), ``warnings`` (the
        deterministic trip's :attr:`~transit.trip.Trip.warnings`), ``deadline`` and ``on_time_probability`` (``None``
        without a deadline), and ``candidates`` (for a best-route choice; ``None`` for the planned route).
    """
    rel = reliability
    out: dict[str, Any] = {
        "origin": rel.trip.origin_name,
        "destination": rel.trip.destination_name,
        "regime": rel.trip.regime,
        "departure": rel.trip.departure.isoformat(),
        "route": list(rel.trip.crossings),
        "route_choice": rel.route,
        "samples": int(rel.samples),
        "seed": seed,
        "deterministic_h": float(rel.trip.total_h),
        "mean_h": float(rel.mean_h),
        "percentiles_h": {str(q): float(v) for q, v in rel.percentiles_h.items()},
        "arrivals": {str(q): rel.arrival_at(q).isoformat() for q in rel.percentiles_h},
        "breakdown_mean_h": {k: float(v) for k, v in rel.breakdown_h.items()},
        "crossings": [
            {k: (float(v) if k != "crossing_id" else str(v)) for k, v in row.items()}
            for row in rel.crossings_h.reset_index().to_dict(orient="records")
        ],
        "warnings": list(rel.warnings),
    }
    out["deadline"] = out["on_time_probability"] = out["candidates"] = None
    if deadline is not None:
        out["deadline"] = deadline if isinstance(deadline, str) else deadline.isoformat()
        out["on_time_probability"] = float(rel.on_time_probability(deadline))
    if rel.route_choice is not None:
        out["candidates"] = [
            {k: (bool(v) if k == "chosen" else str(v) if k == "route" else float(v)) for k, v in row.items()}
            for row in rel.route_choice.drop(columns=["score_h"]).to_dict(orient="records")
        ]
    return out


def _plain(value: Any) -> Any:
    """Return a value read from TOML as JSON: tables as dicts, arrays as lists, dates as ISO strings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def timeline_to_dict(timeline: Timeline, events: Iterable[TimelineEvent], sources: Mapping[str, Source]) -> dict[str, Any]:
    """
    Return a network's dated history: its base periods and the events asked for, with their sources.

    Parameters
    ----------
    timeline
        The network's :class:`~transit.timeline.Timeline` (``net.graph["timeline"]``).
    events
        The events to list, e.g. ``timeline.events_between(crossing="irkeshtam")`` (``timeline.events`` for all).
    sources
        The dataset's sources by id (``net.graph["sources"]``), to resolve each source id.

    Returns
    -------
    dict
        ``source_file``, ``starts`` (the first day the timeline covers), ``periods`` (every base period: ``regime``,
        ``from``, ``to``, ``source``, ``sources``, ``estimate``) and ``events``, one dict each: ``id``, ``title``,
        ``from`` and ``to`` (ISO dates, or date-times with their offset; ``to`` is exclusive, ``None`` while still
        in force), ``crossings``, ``directions``, ``status``, ``changes`` (the keys that change rules, as written in
        ``timeline.toml``), ``source`` (as written), ``sources`` (each id as ``{id, title, url}``, ``url`` ``None``
        where the source has none), ``estimate`` (the ESTIMATE text and its method, or ``None``), ``note`` and
        ``disagreement``.

    Examples
    --------
    >>> from datetime import date
    >>> from transit.model import Source
    >>> from transit.timeline import Period, Timeline, TimelineEvent
    >>> closed = TimelineEvent(id="irkeshtam-shut", title="Irkeshtam closed", start=date(2020, 2, 2), end=date(2020, 4, 15),
    ...                        crossings=("irkeshtam",), status="closed", changes={"open_to_freight": False},
    ...                        source="fpri-2020; ESTIMATE: the reopening day taken from the first convoy reported")
    >>> tl = Timeline(periods=(Period(regime="sco-2017", start=date(2017, 1, 20)),), events=(closed,))
    >>> body = timeline_to_dict(tl, tl.events, {"fpri-2020": Source(id="fpri-2020", title="FPRI (2020)")})
    >>> event = body["events"][0]
    >>> event["from"], event["to"], event["changes"]
    ('2020-02-02', '2020-04-15', {'open_to_freight': False})
    >>> event["sources"], event["estimate"]
    ([{'id': 'fpri-2020', 'title': 'FPRI (2020)', 'url': None}], 'ESTIMATE: the reopening day taken from the first convoy reported')
    """
    periods = [
        {"regime": p.regime, "from": p.start.isoformat(), "to": p.end.isoformat() if p.end else None, **source_refs(p.source, sources)}
        for p in timeline.periods
    ]
    out_events = [
        {
            "id": e.id,
            "title": e.title,
            "from": e.start.isoformat(),
            "to": e.end.isoformat() if e.end is not None else None,
            "crossings": list(e.crossings),
            "directions": list(e.directions),
            "status": e.status,
            "changes": _plain(e.changes),
            **source_refs(e.source, sources),
            "note": e.note,
            "disagreement": e.disagreement,
        }
        for e in events
    ]
    return {"source_file": timeline.source_file, "starts": timeline.starts.isoformat(), "periods": periods, "events": out_events}
