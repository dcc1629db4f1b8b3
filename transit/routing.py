"""
Route choice: candidate paths on static weights, then exact simulation.

Time enters a trip only at crossings (opening hours, holidays, queues) and
through the drivers' hours, so :func:`plan_trip`

1. builds a small **crossing graph** whose nodes are border posts (plus the
   origin and destination) and whose edges are the fastest domestic road
   between two nodes of one country, or a crossing link weighted by the
   regime's median queue and clearance (crossings the regime closes are left
   out);
2. enumerates paths of that graph through the ``via`` waypoints in order of
   static time, by one best-first search over (post, waypoints passed) whose
   heuristic is the exact remaining static time of the problem without loop
   rules (one reverse Dijkstra per waypoint, so the cost grows with the
   length of ``via``, not exponentially). Paths come out shortest first, like
   Yen's algorithm, at a fraction of the cost; none passes a crossing twice
   or comes back to a country it has left unless the waypoints demand it
   (both steps are in :mod:`transit._search`). Each is a distinct *sequence of crossings*;
   paths with the same crossings differ only in domestic roads, where the
   fastest is taken;
3. simulates the candidates from the departure time and keeps the earliest
   arrival. A candidate is not simulated when its lower bound (driving,
   median border delays, transshipments, and the daily rests and breaks the
   crew cannot avoid) already exceeds the best arrival, and a simulation is
   abandoned as soon as it provably cannot win;
4. tries holding the truck at the origin or lengthening a rest where the
   best trips wait at closed crossings (a truck can always wait: see
   :func:`_hold_if_better`), so that a later departure does not arrive
   earlier. The search is bounded: on multi-day trips through several
   closures it can still miss a better later start (``bench/bench_core.py``
   sweeps departures and counts such cases).

**How many candidates, and why.** The static time is a lower bound on a
candidate's simulated duration (rests, waits for opening hours and
transshipments only add to it), so enumeration stops as soon as the next
candidate's static time is no better than the best simulated trip: the
choice is then exact among crossing sequences. The search also stops after
:data:`MAX_CANDIDATES` (8) candidates. On short and medium trips the
static bound ends the search first; on multi-day trips across several
countries (Chelyabinsk-Zhengzhou, Lianyungang-St Petersburg) rests and
waits make simulated times exceed static ones by days, so the cap can end it
first (``bench/bench_core.py`` reports how often). A caller who wants a wider
search passes ``max_candidates``; every trip reports its search in
:attr:`~transit.trip.Trip.search`.

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
from typing import Any

import networkx as nx

from . import _cache
from ._cancel import check as check_cancelled
from ._rules import closed_to_freight
from ._search import Waypoint, astar_paths, crossing_graph, expand, resolve_waypoints
from ._steps import lower_bound_s, why_closed
from ._units import HOUR_S
from ._validate import check_int, check_network
from .errors import InvalidArgumentError, NoRouteError
from .geo import haversine_km
from .lookup import resolve_place, resolve_waypoint
from .model import NodeId, PlaceRef
from .question import NO_DEPARTURE, TripQuestion, resolve_trip
from .regimes import Regime
from .simulation import simulate_path
from .trip import SearchStats, Trip
from .vehicles import Vehicle

__all__ = [
    "MAX_CANDIDATES",
    "MAX_CANDIDATES_LIMIT",
    "NO_DEPARTURE",
    "TripQuestion",
    "candidate_paths",
    "plan_trip",
    "resolve_trip",
    "resolve_waypoints",
    "shortest_static_path",
]

#: Upper limit on candidates enumerated per query (see the module docstring).
MAX_CANDIDATES = 8
#: The most candidates a caller may ask for (``max_candidates``).
MAX_CANDIDATES_LIMIT = 100


@_cache.per_call
def candidate_paths(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = None,
    vehicle: Vehicle | None = None,
    via: str | Sequence[str] | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[tuple[float, list[NodeId]]]:
    """
    Return candidate paths in order of static time (seconds), best first.

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
    max_candidates: int = MAX_CANDIDATES,
) -> Trip:
    """
    Plan the earliest-arriving trip from ``origin`` to ``destination``.

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
    max_candidates
        Upper limit on candidate paths simulated (see the module docstring),
        a whole number from 1 to :data:`MAX_CANDIDATES_LIMIT`.

    Returns
    -------
    Trip
        ``trip.alternatives`` lists the candidates simulated and their totals; ``trip.snapped_km`` how far
        an origin or destination given as ``(lat, lon)`` was snapped to the road network.

    Raises
    ------
    UnknownPlaceError
        For a name not in the network, with close matches.
    NoRouteError
        If no path is allowed; the message names the crossing or rule that blocks.
    InvalidDepartureError, UnknownRegimeError, InvalidVehicleError, InvalidArgumentError
        For bad arguments (an unknown permit id, ``max_candidates="x"``...).

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
    question = resolve_trip(graph, origin, destination, via=via, vehicle=vehicle, regime=regime, departure=departure)
    trip = plan_resolved(graph, question, max_candidates=max_candidates)
    snapped = (_snapped_km(graph, origin, question.origin), _snapped_km(graph, destination, question.destination))
    return dataclasses.replace(trip, snapped_km=snapped) if any(snapped) else trip


def _snapped_km(graph: nx.MultiDiGraph, place: object, node: Any) -> float:
    """How far a place given as ``(lat, lon)`` lies from the node it snapped to, km; 0 for a name or node id."""
    if isinstance(place, tuple | list) and len(place) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in place):
        return haversine_km(float(place[1]), float(place[0]), graph.nodes[node]["x"], graph.nodes[node]["y"])
    return 0.0


def plan_resolved(graph: nx.MultiDiGraph, question: TripQuestion, *, max_candidates: int = MAX_CANDIDATES) -> Trip:
    """Plan a resolved trip question (:func:`resolve_trip`): the work of :func:`plan_trip`."""
    check_int(max_candidates, name="max_candidates", low=1, high=MAX_CANDIDATES_LIMIT, example=MAX_CANDIDATES)
    origin, destination, regime, via, vehicle = question.origin, question.destination, question.regime, question.via, question.vehicle
    depart = question.departure
    if depart is None:
        msg = "the trip question has no departure; pass departure='2017-10-30T08:00' (an ISO 8601 time or a datetime)"
        raise InvalidArgumentError(msg)
    if origin == destination and not via:
        msg = f"origin and destination are the same place ({graph.nodes[origin]['name']!r})"
        raise NoRouteError(msg)
    # Candidates that cannot pass (a crossing closed for longer than the horizon, e.g. a dated closure or a winter
    # season) are left out of the next search, so that the answer is a route that runs rather than an error.
    search_regime = regime
    pinned = {ident for kind, ident in resolve_waypoints(graph, via) if kind == "crossing"}
    excluded: set[str] = set()
    errors: list[NoRouteError] = []
    for _ in range(MAX_REROUTES + 1):
        candidates = search_candidates(graph, origin, destination, search_regime, vehicle.max_speed_kph, via, max_candidates)
        if not candidates:
            raise _explain_no_route(graph, origin, destination, regime, via) if not excluded else errors[0]
        best, annotated, trips, errors, exhausted = _simulate_candidates(graph, candidates, regime, vehicle, depart)
        blocking = {cid for exc in errors for cid in exc.blocking} - pinned - excluded
        if best is not None or not blocking:
            break
        excluded |= blocking
        search_regime = _without(regime, excluded)
    if best is None:
        raise errors[0]
    # Holding the truck or lengthening a rest can only bring a path down to its bound:
    # try it on every path that could still win, best first, within a shared budget.
    spent = 0
    for trip, bound in sorted(trips, key=lambda item: item[0].arrival):
        if trip.later_departures and depart.timestamp() + bound < best.arrival.timestamp():
            budget = [MAX_HOLD_SIMULATIONS]
            held = _hold_if_better(graph, trip, regime, vehicle, depart, best_arrival=best.arrival.timestamp(), bound_s=bound, budget=budget)
            spent += MAX_HOLD_SIMULATIONS - budget[0]
            if held.arrival < best.arrival:
                best = held
                annotated = False
    tried = tuple((trip.crossings, trip.total_h) for trip, _ in trips)
    if not annotated:
        best = simulate_path(graph, best.path, regime, vehicle, depart, extensions=best.extensions)  # with notes
    search = SearchStats(
        candidates=len(candidates),
        simulated=len(trips),
        hold_simulations=spent,
        cap_reached=exhausted and len(candidates) >= max_candidates,
    )
    reentry = () if via else _reentry_warnings(graph, best)
    return dataclasses.replace(best, alternatives=tried, search=search, warnings=best.warnings + reentry)


#: How many times route search leaves out crossings that blocked every candidate and searches again.
MAX_REROUTES = 3


def _without(regime: Regime, crossings: set[str]) -> Regime:
    """Return the regime for route search with ``crossings`` closed (the engines keep using the regime itself)."""
    rules = dict(regime.rules)
    for cid in crossings:
        rules[cid] = dataclasses.replace(rules[cid], open_to_freight=False)
    return dataclasses.replace(regime, id=f"{regime.id}+rerouted", rules=rules)


def _simulate_candidates(
    graph: nx.MultiDiGraph, candidates: Sequence[tuple[float, Sequence[NodeId]]], regime: Regime, vehicle: Vehicle, depart: datetime
) -> tuple[Trip | None, bool, list[tuple[Trip, float]], list[NoRouteError], bool]:
    """Simulate candidates in order of static time, pruning with bounds: ``(best, annotated, trips, errors, exhausted)``."""
    best: Trip | None = None
    annotated = False
    trips: list[tuple[Trip, float]] = []
    errors: list[NoRouteError] = []
    exhausted = True  # every candidate enumerated was either simulated or ruled out by a bound
    for static_s, path in candidates:
        check_cancelled()
        if best is not None and static_s >= best.total_h * HOUR_S:
            exhausted = False
            break  # static weight is a lower bound: no later candidate can win
        bound = lower_bound_s(graph, path, regime, vehicle)
        if best is not None and bound >= best.total_h * HOUR_S:
            continue
        try:
            # The first candidate is usually the answer: simulate it with the full timeline straight away.
            first = best is None
            trip = simulate_path(
                graph,
                tuple(path),
                regime,
                vehicle,
                depart,
                annotate=first,
                abort_after=None if first else best.arrival.timestamp(),  # type: ignore[union-attr]
            )
        except NoRouteError as exc:  # e.g. a crossing that never opens within the horizon
            errors.append(exc)
            continue
        if trip is None:  # given up: provably later than the best so far
            continue
        trips.append((trip, bound))
        if best is None or trip.arrival < best.arrival:
            best = trip
            annotated = first
    return best, annotated, trips, errors, exhausted


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


#: Upper limit on the extra simulations spent per candidate path looking for a better time to leave.
MAX_HOLD_SIMULATIONS = 8


def _hold_if_better(
    graph: nx.MultiDiGraph,
    trip: Trip,
    regime: Regime,
    vehicle: Vehicle,
    depart: datetime,
    *,
    best_arrival: float,
    bound_s: float,
    budget: list[int],
) -> Trip:
    """
    Hold the truck at the origin, or rest longer, when that arrives earlier (a truck can always wait).

    Waiting at a closed post and waiting in a rest (or at the origin before
    leaving) can end at the same moment, but a crew whose duty day starts
    later keeps its driving time and duty window for later, so a later start
    can arrive earlier. The candidates are the points where a wait at a
    closed crossing stops counting as a rest or break or vanishes, where
    clearance moves past a closure, and where arriving as a crossing closes
    turns the closure into the crew's rest (:attr:`Trip.later_departures`).
    Those extensions of the hold before departure, or of the last rest
    before the crossing, are tried breadth-first, spending at most
    ``budget[0]`` simulations, each skipped when its lower bound cannot beat
    the best arrival; the earliest arrival is kept. This is what keeps a
    later departure from arriving earlier (tested on toy networks and the
    main corridors; not exhaustive on multi-day trips, see the module notes).
    """
    best = trip
    target = min(best_arrival, trip.arrival.timestamp())
    start = depart.timestamp()
    seen: set[tuple[float, ...]] = {()}
    frontier: list[tuple[tuple[float, ...], Trip]] = [((), trip)]
    while frontier and budget[0] > 0:
        base, current = frontier.pop(0)
        options = sorted((delay, rest, earliest) for rest, _, delays in current.later_departures for delay, earliest in delays)
        for delay, rest, earliest in options:
            check_cancelled()
            extensions = list(base) + [0.0] * (rest + 1 - len(base))
            extensions[rest] += delay
            key = tuple(extensions)
            if key in seen or earliest >= target or start + sum(key) + bound_s >= target or budget[0] <= 0:
                continue
            seen.add(key)
            budget[0] -= 1
            candidate = simulate_path(graph, trip.path, regime, vehicle, depart, extensions=key, annotate=False, abort_after=target)
            if candidate is None:
                continue
            if candidate.arrival < best.arrival:
                best = candidate
                target = min(target, best.arrival.timestamp())
            frontier.append((key, candidate))
    return best


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
