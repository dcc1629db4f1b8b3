"""
Time-true simulation of one truck along one path.

:func:`simulate` walks a path from a departure time and returns a
:class:`Trip`: every stretch of driving, every break and rest, and at each
crossing the queue, the wait for opening hours, the clearance and any
transshipment, each with tz-aware start and end. Deterministic: delays are the
regime's medians.

At a crossing, in order:

1. **queue** (wall-clock, from arrival): processing can start at the first
   moment both posts are open after ``arrival + queue``; time in that span when
   the crossing is closed is reported as ``closed_wait``, the rest as
   ``queue`` (an overnight closure and a queue overlap, they do not add);
2. **clearance**: only while both posts are open, and only begun in an
   opening long enough to finish it (formalities are not started just before
   a post closes); the wait for that opening is ``closed_wait``;
3. the **link** between the posts is driven, in one go: breaks and rests
   are taken before the crossing (in the queue or at the closed post) or
   after it (at the entry post), never between the posts;
4. **transshipment** if the regime does not admit the vehicle: the cargo
   continues on a truck of the entered country with a rested crew.

Drivers rest in queues and at closed posts: a stationary span long enough
counts as a break, a daily rest or a weekly rest (the timeline's ``note``
says so). Clearance and transshipment are work and end a rest.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> path = transit.routing.shortest_static_path(net, "kashgar", "osh")
>>> trip = transit.simulate(net, path, regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.crossings
('irkeshtam',)
>>> bool(abs(trip.total_h - trip.timeline["duration_h"].sum()) < 1e-9)
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import networkx as nx

from . import _cache
from ._cancel import check as check_cancelled
from ._run import LONG_WAIT_H, MAX_CLOSED_WAIT_DAYS, Run
from ._steps import Road, compile_path, crossing_point, remaining_driving, road_coords
from ._units import HOUR_S
from ._validate import check_network
from .errors import NoRouteError
from .lookup import node_of
from .model import NodeId
from .question import resolve_trip
from .regimes import Regime
from .schedule import zone
from .trip import Trip
from .vehicles import Vehicle

__all__ = ["LONG_WAIT_H", "MAX_CLOSED_WAIT_DAYS", "simulate", "simulate_path"]


@_cache.per_call
def simulate(
    graph: nx.MultiDiGraph,
    path: Sequence[NodeId | str],
    *,
    regime: str | Regime | None = None,
    departure: datetime | str,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
) -> Trip:
    """
    Simulate a truck along a fixed path.

    Parameters
    ----------
    graph
        A network from :func:`transit.load_network`.
    path
        Nodes from origin to destination, as node ids or dataset ids
        (``"kashgar"``); consecutive nodes must be joined by an edge.
    regime
        Regime id or :class:`~transit.regimes.Regime`; ``None`` for the network's default.
    departure
        Aware datetime, naive datetime (local time at the origin) or ISO 8601 string.
    vehicle
        :class:`~transit.vehicles.Vehicle`; default a one-driver truck of the origin's country.

    Returns
    -------
    Trip

    Raises
    ------
    NoRouteError
        If the path uses a crossing the regime closes, or a missing edge.
    InvalidDepartureError, UnknownRegimeError, InvalidVehicleError
        For bad arguments.
    """
    check_network(graph)
    if len(path) < 2:
        msg = f"a path needs at least two nodes; got {list(path)!r}"
        raise NoRouteError(msg)
    nodes = [node_of(graph, node) for node in path]
    question = resolve_trip(graph, nodes[0], nodes[-1], vehicle=vehicle, regime=regime, departure=departure)
    return simulate_path(graph, tuple(nodes), question.regime, question.vehicle, question.departure_time)


def simulate_path(
    graph: nx.MultiDiGraph,
    path: tuple[NodeId, ...],
    regime: Regime,
    vehicle: Vehicle,
    depart: datetime,
    *,
    extensions: tuple[float, ...] = (),
    waits: Mapping[int, float] | None = None,
    extended_days: frozenset[int] | None = None,
    rest_at_breaks: frozenset[int] = frozenset(),
    annotate: bool = True,
    draws: Mapping[Any, tuple[float, float, float]] | None = None,
) -> Trip:
    """
    Simulate ``path`` (node ids) following a plan (see :mod:`transit._run`). Internal: arguments are trusted.

    ``extensions``, ``waits``, ``extended_days`` and ``rest_at_breaks`` are the plan (a planned trip's :attr:`Trip.plan
    <transit.trip.Trip.plan>`); ``draws`` maps a step index (a crossing) to the ``(queue_h,
    clearance_h, transshipment_h)`` to use there instead of the regime's medians: one Monte Carlo
    sample.
    """
    steps = compile_path(graph, path)
    nodes = graph.nodes
    t0 = float(round(depart.timestamp()))
    run = Run(
        t=t0,
        vehicle=vehicle,
        regime=regime,
        rules=graph.graph["driver_rules"],
        extensions=extensions,
        waits=waits,
        extended_days=extended_days,
        rest_at_breaks=rest_at_breaks,
        annotate=annotate,
        draws=draws,
    )
    origin_data = nodes[path[0]]
    run.hold_at_origin(origin_data["name"], origin_data["country"], origin_data["tz"])
    remaining = remaining_driving(graph, path, steps, vehicle.max_speed_kph)
    for index, (step, rest_after) in enumerate(zip(steps, remaining, strict=True)):
        check_cancelled()
        if isinstance(step, Road):
            run.drive(step, rest_after)
        else:
            run.cross(step, remaining_after_s=rest_after, index=index)
    origin, destination = path[0], path[-1]
    posts_passed = [c for cid in run.crossed for c in graph.graph["crossings"][cid].countries]
    events = tuple(run.events)
    total_h = (run.t - depart.timestamp()) / HOUR_S
    km_by_country: dict[str, float] = {}
    for e in events:
        if e.distance_km:
            km_by_country[e.country] = km_by_country.get(e.country, 0.0) + e.distance_km
    model = graph.graph["cost_model"]
    cost = model.cost(
        km_by_country=km_by_country,
        total_h=total_h,
        posts_passed=posts_passed,
        transshipments=len(run.transshipped),
    )
    by_crossing = tuple((cid, sum(model.border_payment(c) for c in graph.graph["crossings"][cid].countries)) for cid in run.crossed)
    cost = dataclasses.replace(cost, border_by_crossing=by_crossing)
    coords = road_coords(graph, path) if annotate else ()
    points = tuple(crossing_point(graph.graph["crossings"][cid]) for cid in run.crossed) if annotate else ()
    return Trip(
        origin=origin,
        destination=destination,
        origin_name=nodes[origin]["name"],
        destination_name=nodes[destination]["name"],
        regime=regime.id,
        vehicle=vehicle,
        path=path,
        events=events,
        departure=depart.astimezone(zone(nodes[origin]["tz"])),
        arrival=datetime.fromtimestamp(run.t, zone(nodes[destination]["tz"])),
        cost=cost,
        crossings=tuple(run.crossed),
        transshipments=tuple(run.transshipped),
        geometry_coords=coords,
        crossing_points=points,
        extensions=extensions,
        waits=tuple(sorted((int(c), float(s)) for c, s in (waits or {}).items())),
        extended_days=extended_days,
        rest_at_breaks=rest_at_breaks,
        warnings=(*_regime_warnings(regime, depart), *run.warnings) if annotate else (),
    )


def _regime_warnings(regime: Regime, depart: datetime) -> tuple[str, ...]:
    """Return a warning when the trip departs outside the dates ``regime`` describes, naming the regime to use."""
    day = depart.date()
    if regime.dated:
        if regime.in_force_from is not None and day < regime.in_force_from:
            return (
                (
                    f"departure {day:%Y-%m-%d} is before the corridor's dated history starts ({regime.in_force_from:%Y-%m-%d}); "
                    f"the trip follows the rules of {regime.in_force_from:%Y-%m-%d}"
                ),
            )
        return ()
    if regime.in_force_from is not None and day < regime.in_force_from:
        return (
            (
                f"departure {day:%Y-%m-%d} is before regime {regime.id!r} came into force ({regime.in_force_from:%Y-%m-%d}); "
                "the trip follows its rules anyway: use regime='history' for the rules in force on that date"
            ),
        )
    if regime.valid_until is not None and day >= regime.valid_until:
        return (
            (
                f"regime {regime.id!r} holds the rules as they were when it came into force; the corridor's dated history changes them "
                f"from {regime.valid_until:%Y-%m-%d}: use regime='history' for the rules in force on {day:%Y-%m-%d}"
            ),
        )
    return ()
