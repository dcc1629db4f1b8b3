"""
Route choice: the earliest arrival under the rules, found by an exact label-setting search.

:func:`plan_trip` searches over (place, time, drivers' hours, plan): every route of the
network, every wait that can pay (holding the truck before it leaves, lengthening a rest,
staying at a crossing until the wait counts as a rest) and every extended driving day the week
allows, with the simulator's own rules (opening hours, holidays, dated rules, median queues and
clearance, transshipment, drivers' hours). Labels that another label dominates (no later, and no
worse off in drivers' hours) are dropped, and the queue is ordered by time plus a static lower
bound, so the first label to reach the destination is the earliest arrival; there is no cap on
routes (:mod:`transit._labels` states the assumptions). The chosen plan is then replayed by
:func:`transit.simulate` to give the trip's timeline.

**What is guaranteed.**

* The answer arrives no later than any route of the network under the modelled rules, with the
  waits and extended days above.
* A later departure never arrives earlier (FIFO): it can only do what an earlier truck could have
  done by waiting, and waiting is part of the search.
* ``via`` costs labels in proportion to its length, not exponentially.

The static crossing graph (:mod:`transit._search`) gives the search its moves and its lower
bound; :func:`candidate_paths` lists its paths by static time for inspection.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> trip = plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.destination_name
'Tashkent'
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

import networkx as nx

from . import _cache
from ._labels import search
from ._rules import closed_to_freight
from ._search import Waypoint, astar_paths, crossing_graph, expand, resolve_waypoints
from ._steps import why_closed
from ._units import DAY_S, HOUR_S
from ._validate import check_network
from .errors import InvalidArgumentError, NoRouteError
from .geo import haversine_km
from .lookup import resolve_place, resolve_waypoint
from .model import NodeId, PlaceRef
from .question import NO_DEPARTURE, TripQuestion, resolve_trip
from .regimes import Regime
from .simulation import simulate_path
from .trip import SearchStats, Trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    from .multimodal import MultimodalTrip

__all__ = [
    "NO_DEPARTURE",
    "TripQuestion",
    "candidate_paths",
    "plan_trip",
    "resolve_trip",
    "resolve_waypoints",
    "route_alternatives",
    "shortest_static_path",
]


@_cache.per_call
def candidate_paths(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = None,
    vehicle: Vehicle | None = None,
    via: str | Sequence[str] | None = None,
    limit: int = 8,
) -> list[tuple[float, list[NodeId]]]:
    """
    Return paths of the static crossing graph in order of static time (seconds), best first.

    Static time is driving plus median border delays, with no clock: what a general router would
    rank by. :func:`plan_trip` does not use this list (it searches every route with the clock).

    Parameters
    ----------
    graph
        A network.
    origin, destination
        Place names or ids.
    regime
        Regime id or object; crossings it closes are not used. ``None``: the network's default.
    vehicle
        Its speed cap changes driving times; default no cap.
    via
        Places or crossings to pass, in order; ``None`` for none.
    limit
        Maximum number of paths.

    Returns
    -------
    list of (static_s, path)
        ``path`` is a list of node ids.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> paths = candidate_paths(net, "Kashgar", "Bishkek", regime="sco-2017", limit=2)
    >>> [p[0] < q[0] for p, q in zip(paths, paths[1:])]
    [True]
    """
    q = resolve_trip(graph, origin, destination, via=via, regime=regime)
    cap = vehicle.max_speed_kph if vehicle is not None else None
    return [(static, list(path)) for static, path in search_candidates(graph, q.origin, q.destination, q.regime, cap, q.via, limit)]


def search_candidates(
    graph: nx.MultiDiGraph,
    origin: Any,
    destination: Any,
    regime: Regime,
    cap: float | None,
    via: Sequence[str],
    limit: int,
) -> list[tuple[float, list[Any]]]:
    """Candidate paths for a question; static, so cached per network (the regime object is part of the key)."""
    waypoints = resolve_waypoints(graph, via)
    key = (origin, destination, regime, cap, waypoints, limit)
    return _cache.memo(graph, "candidates", key, lambda: _find_candidates(graph, origin, destination, regime, cap, waypoints, limit))


def _find_candidates(
    graph: nx.MultiDiGraph,
    origin: Any,
    destination: Any,
    regime: Regime,
    cap: float | None,
    waypoints: tuple[Waypoint, ...],
    limit: int,
) -> list[tuple[float, list[Any]]]:
    """
    Return the ``limit`` best paths by static time through ``waypoints``, in one search (see :func:`astar_paths`).

    Paths that pass a crossing twice or come back to a country they left are
    only used when no other path satisfies the waypoints (or when the roads
    demand it: a domestic trip through a neighbouring country).
    """
    cg = crossing_graph(graph, regime, cap)
    condensed = list(itertools.islice(astar_paths(cg, origin, destination, waypoints), limit))
    if not condensed:  # the roads themselves demand it (a domestic trip through a neighbour)
        condensed = list(itertools.islice(astar_paths(cg, origin, destination, waypoints, strict=False), limit))
    unique: list[tuple[float, list[Any]]] = []
    seen: set[tuple[Any, ...]] = set()
    for static, nodes in condensed:
        path = expand(graph, cap, nodes)
        if tuple(path) not in seen:
            seen.add(tuple(path))
            unique.append((static, path))
    return unique


def _explain_no_route(graph: nx.MultiDiGraph, origin: NodeId, destination: NodeId, regime: Regime, via: Sequence[str]) -> NoRouteError:
    """Find what blocks: the crossings a regime closes on the paths that exist without it."""
    names = graph.nodes
    for name in via:
        kind, ident = resolve_waypoint(graph, name)
        if kind == "crossing" and not regime.rule(ident).open_to_freight:
            rule = regime.rule(ident)
            crossing = graph.graph["crossings"][ident]
            return NoRouteError(closed_to_freight(crossing.name, ident, regime.id, rule.reason, in_via=True), blocking=[ident])
    open_rules = {
        cid: type(rule)(crossing_id=cid, open_to_freight=True, queue=rule.queue, clearance=rule.clearance) for cid, rule in regime.rules.items()
    }
    everything_open = Regime(id=f"{regime.id}+all-open", name="all open", rules=open_rules)
    paths = _find_candidates(graph, origin, destination, everything_open, None, resolve_waypoints(graph, via), 3)
    route = f"from {names[origin]['name']!r} to {names[destination]['name']!r}" + (f" via {list(via)}" if via else "")
    if not paths:
        return NoRouteError(
            f"no road in the dataset connects {names[origin]['name']!r} and {names[destination]['name']!r}" + (f" via {list(via)}" if via else "")
        )
    blocking: dict[str, str] = {}
    for _, path in paths:
        for u, v in itertools.pairwise(path):
            cid = names[u].get("crossing_id")
            direction = f"{names[u]['country']}>{names[v]['country']}"
            if cid and cid == names[v].get("crossing_id") and not regime.rule(cid).open_in(direction) and cid not in blocking:
                blocking[cid] = why_closed(regime.rule(cid), direction)
    details = "; ".join(f"{graph.graph['crossings'][cid].name} ({cid})" + (f": {why}" if why else "") for cid, why in blocking.items())
    msg = f"no route {route} under regime {regime.id!r}: the road needs crossing(s) closed to international freight — {details}"
    return NoRouteError(msg, blocking=list(blocking))


@overload
def plan_trip(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = ...,
    departure: datetime | str,
    via: str | Sequence[str] | None = ...,
    vehicle: Vehicle | dict[str, Any] | str | None = ...,
    modes: tuple[Literal["road"]] = ...,
) -> Trip: ...


@overload
def plan_trip(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = ...,
    departure: datetime | str,
    via: str | Sequence[str] | None = ...,
    vehicle: Vehicle | dict[str, Any] | str | None = ...,
    modes: Sequence[str],
) -> Trip | MultimodalTrip: ...


@_cache.per_call
def plan_trip(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = None,
    departure: datetime | str,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    modes: Sequence[str] = ("road",),
) -> Trip | MultimodalTrip:
    """
    Plan the earliest-arriving trip from ``origin`` to ``destination`` (exact; see the module docstring).

    Parameters
    ----------
    graph
        A network from :func:`transit.load_network`.
    origin, destination
        Place names, aliases or ids (``"Kashgar"``, ``"Kashi"``).
    regime
        Regime id (``"pre-2017"``, ``"sco-2017"``) or a :class:`~transit.regimes.Regime`;
        ``None`` (default) for the network's default regime (``net.graph["default_regime"]``).
    departure
        Aware datetime, naive datetime (local time at the origin) or ISO 8601
        string with or without offset.
    via
        Place or crossing names to pass, in order (``["Irkeshtam"]``); ``None``
        for none. The route passes no crossing twice and comes back to no
        country it has left unless the waypoints ask for it (or no other road
        exists); consecutive repeats collapse into one.
    vehicle
        :class:`~transit.vehicles.Vehicle`, a dict of its fields, or a
        registration code. Default: one driver, registered in the origin's country.
    modes
        ``("road",)`` (default): by truck, this function's own answer. ``("road", "rail")`` or
        ``("rail",)``: door to door by any mix, or with the main haul by train, through
        :func:`transit.plan_multimodal`, which returns a :class:`~transit.multimodal.MultimodalTrip`.

    Returns
    -------
    Trip
        ``trip.plan`` holds the waits and extended days chosen, ``trip.search`` the search's counts,
        ``trip.alternatives`` other crossing sequences reached and their totals; ``trip.snapped_km`` how far
        an origin or destination given as ``(lat, lon)`` was snapped to the road network. A
        :class:`~transit.multimodal.MultimodalTrip` instead when ``modes`` allows rail.

    Raises
    ------
    UnknownPlaceError
        For a name not in the network, with close matches.
    NoRouteError
        If no path is allowed; the message names the crossing or rule that blocks.
    InvalidDepartureError, UnknownRegimeError, InvalidVehicleError, InvalidArgumentError
        For bad arguments (an unknown permit id...).

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> trip = plan_trip(net, "Kashgar", "Tashkent", regime="history",
    ...                  departure="2017-10-30T08:00", via=["Irkeshtam"],
    ...                  vehicle=transit.Vehicle(registration="CN", drivers=1))
    >>> trip.crossings
    ('irkeshtam', 'dostuk')
    >>> plan_trip(net, "Kashgar", "Tashkent", regime="history", departure="2017-10-30T08:00", via=["Kara-Suu"])
    Traceback (most recent call last):
    ...
    transit.errors.NoRouteError: crossing 'Kara-Suu' (kara-suu), given in via, is closed to international freight under regime 'history': ...
    """
    check_network(graph)
    if isinstance(modes, str) or tuple(modes) != ("road",):
        from .multimodal import plan_multimodal

        if via:
            msg = f"via={via!r} is for road trips; with modes={modes!r} leave via out (or use modes=('road',))"
            raise InvalidArgumentError(msg)
        return plan_multimodal(graph, origin, destination, modes=modes, regime=regime, departure=departure, vehicle=vehicle)
    question = resolve_trip(graph, origin, destination, via=via, vehicle=vehicle, regime=regime, departure=departure)
    trip = plan_resolved(graph, question)
    snapped = (_snapped_km(graph, origin, question.origin), _snapped_km(graph, destination, question.destination))
    return dataclasses.replace(trip, snapped_km=snapped) if any(snapped) else trip


def _snapped_km(graph: nx.MultiDiGraph, place: object, node: Any) -> float:
    """How far a place given as ``(lat, lon)`` lies from the node it snapped to, km; 0 for a name or node id."""
    if isinstance(place, tuple | list) and len(place) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in place):
        return haversine_km(float(place[1]), float(place[0]), graph.nodes[node]["x"], graph.nodes[node]["y"])
    return 0.0


def plan_resolved(graph: nx.MultiDiGraph, question: TripQuestion, *, avoid: frozenset[str] = frozenset()) -> Trip:
    """Plan a resolved trip question (:func:`resolve_trip`): the work of :func:`plan_trip`; ``avoid``: crossing ids not to use."""
    origin, destination, regime, via, vehicle = question.origin, question.destination, question.regime, question.via, question.vehicle
    depart = question.departure
    if depart is None:
        msg = "the trip question has no departure; pass departure='2017-10-30T08:00' (an ISO 8601 time or a datetime)"
        raise InvalidArgumentError(msg)
    if origin == destination and not via:
        msg = f"origin and destination are the same place ({graph.nodes[origin]['name']!r})"
        raise NoRouteError(msg)
    waypoints = resolve_waypoints(graph, via)
    found = search(graph, origin, destination, regime=regime, vehicle=vehicle, departure_s=depart.timestamp(), waypoints=waypoints, avoid=avoid)
    if found.best is None:
        if found.errors:  # every route meets a crossing that does not take the truck within the horizon
            pinned = {ident for kind, ident in waypoints if kind == "crossing"}
            raise next((exc for exc in found.errors if pinned & set(exc.blocking)), found.errors[0])
        if found.gave_up:
            msg = f"no route found from {graph.nodes[origin]['name']!r} to {graph.nodes[destination]['name']!r} within the search's limit"
            raise NoRouteError(msg + (f" via {list(via)}" if via else "") + "; try fewer via items, or another departure")
        if found.beyond:  # routes exist, but none arrives within the horizon
            msg = f"no route from {graph.nodes[origin]['name']!r} to {graph.nodes[destination]['name']!r}" + (f" via {list(via)}" if via else "")
            days = (found.horizon - depart.timestamp()) / DAY_S
            raise NoRouteError(msg + f" arrives within {days:.0f} days of the departure (the search's horizon); depart later")
        raise _explain_no_route(graph, origin, destination, regime, via)
    best = found.best
    run = best.run
    trip = simulate_path(
        graph,
        tuple(expand(graph, vehicle.max_speed_kph, best.nodes)),
        regime,
        vehicle,
        depart,
        extensions=run.extensions,
        waits=run.waits,
        extended_days=run.extended_days,
        rest_at_breaks=run.rest_at_breaks,
    )
    t0 = float(round(depart.timestamp()))
    others = sorted((t, crossings) for crossings, t in found.arrivals.items() if crossings != trip.crossings)
    alternatives = ((trip.crossings, trip.total_h), *((crossings, (t - t0) / HOUR_S) for t, crossings in others))
    stats = SearchStats(labels=found.labels, expanded=found.expanded, dominated=found.dominated, holds=found.holds)
    reentry = () if via else _reentry_warnings(graph, trip)
    return dataclasses.replace(trip, alternatives=alternatives, search=stats, warnings=trip.warnings + reentry)


def route_alternatives(graph: nx.MultiDiGraph, question: TripQuestion, planned: Trip, *, limit: int = 6) -> list[Trip]:
    """
    Return the planned trip and the best trips that avoid one of its crossings each, for route choice under uncertainty.

    The same search as :func:`plan_trip`, run again with one crossing of the planned route left out
    (a crossing named in ``via`` stays): the fastest way round each border, which is what a
    planner weighing reliability compares. At most ``limit`` trips, the planned one first.
    """
    pinned = {ident for kind, ident in resolve_waypoints(graph, question.via) if kind == "crossing"}
    out = [planned]
    seen = {planned.crossings}
    for cid in planned.crossings:
        if cid in pinned or len(out) >= limit:
            continue
        try:
            trip = plan_resolved(graph, question, avoid=frozenset({cid}))
        except NoRouteError:
            continue
        if trip.crossings not in seen:
            seen.add(trip.crossings)
            out.append(trip)
    return out


def _reentry_warnings(graph: nx.MultiDiGraph, trip: Trip) -> tuple[str, ...]:
    """Say so when a route leaves a country and comes back: only when the network has no road that stays inside."""
    crossings = graph.graph["crossings"]
    left: dict[str, str] = {}  # country -> crossing where the route left it
    out = []
    country = graph.nodes[trip.origin]["country"]
    for cid in trip.crossings:
        exit_country, entry_country = country, next(c for c in crossings[cid].countries if c != country)
        left.setdefault(exit_country, cid)
        if entry_country in left:
            out.append(
                f"the route leaves {entry_country} at {crossings[left[entry_country]].name} and enters it again at "
                f"{crossings[cid].name}: this network has no road between these places that stays in {entry_country}"
            )
        country = entry_country
    return tuple(out)


def shortest_static_path(graph: nx.MultiDiGraph, origin: PlaceRef, destination: PlaceRef, *, weight: str = "travel_time") -> list[NodeId]:
    """
    Return the node path minimising a static edge attribute (no regime, no time).

    This is what a general router does; the benchmark uses it as the baseline.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> path = shortest_static_path(net, "Kashgar", "Osh")
    >>> net.nodes[path[0]]["name"], net.nodes[path[-1]]["name"]
    ('Kashgar', 'Osh')
    """
    o, d = resolve_place(graph, origin), resolve_place(graph, destination)
    try:
        return list(nx.shortest_path(graph, o, d, weight=weight))
    except nx.NetworkXNoPath:
        msg = f"no road in the dataset connects {graph.nodes[o]['name']!r} and {graph.nodes[d]['name']!r}"
        raise NoRouteError(msg) from None
