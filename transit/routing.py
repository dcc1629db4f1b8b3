"""
Route choice: candidate paths on static weights, then exact simulation.

Time enters a trip only at crossings (opening hours, holidays, queues) and
through the drivers' hours, so :func:`plan_trip`

1. builds a small **crossing graph** whose nodes are border posts (plus the
   origin and destination) and whose edges are the fastest domestic road
   between two nodes of one country, or a crossing link weighted by the
   regime's median queue and clearance (crossings the regime closes are left
   out);
2. enumerates loopless paths of that graph in order of static time, by a
   best-first search whose heuristic is the exact remaining static time
   (so paths come out shortest first, like Yen's algorithm, at a fraction of
   the cost). Each is a distinct *sequence of crossings*; paths with the same
   crossings differ only in domestic roads, where the fastest is taken;
3. simulates the candidates from the departure time and keeps the earliest
   arrival. A candidate is not simulated when its lower bound (driving,
   median border delays, transshipments, and the daily rests and breaks the
   crew cannot avoid) already exceeds the best arrival, and a simulation is
   abandoned as soon as it provably cannot win;
4. tries holding the truck at the origin or lengthening a rest where the
   best trips wait at closed crossings (a truck can always wait: see
   :func:`_hold_if_better`), so that a later departure does not arrive
   earlier. The search is bounded: on multi-day trips through several
   closures it can still miss a better later start (a random sweep of 92,160
   departures found 26 such cases, at most 0.75 h; see the README).

**How many candidates, and why.** The static time is a lower bound on a
candidate's simulated duration (rests, waits for opening hours and
transshipments only add to it), so enumeration stops as soon as the next
candidate's static time is no better than the best simulated trip: the
choice is then exact among crossing sequences. The search also stops after
:data:`MAX_CANDIDATES` (8) candidates. On short and medium trips the
static bound ends the search first; on multi-day trips across several
countries (Chelyabinsk-Zhengzhou, Lianyungang-St Petersburg) rests and
waits make simulated times exceed static ones by days, so the cap ends it
in about two thirds of all city pairs of the SCO dataset
(``bench/bench_core.py`` reports the share). Eight is where the run time of
the all-pairs benchmark stays within its target; a caller who wants a wider
search passes ``max_candidates`` (every trip reports its search in
:attr:`~transit.simulate.Trip.search`).

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
import heapq
import itertools
import math
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import networkx as nx

from ._steps import lower_bound_s
from ._timeutil import parse_departure
from ._validate import check_int
from .errors import NoRouteError
from .lookup import get_regime, node_of, resolve_place, resolve_waypoint
from .regimes import Regime
from .simulation import simulate_path
from .trip import SearchStats, Trip
from .vehicles import Vehicle, check_permits

__all__ = ["MAX_CANDIDATES", "MAX_CANDIDATES_LIMIT", "candidate_paths", "plan_trip", "shortest_static_path"]

#: Upper limit on candidates enumerated per query (see the module docstring).
MAX_CANDIDATES = 8
#: The most candidates a caller may ask for (``max_candidates``).
MAX_CANDIDATES_LIMIT = 100
#: Candidates kept per leg when ``via`` splits a trip into legs.
MAX_CANDIDATES_PER_LEG = 4
#: The path search stops after this many expansions, or beyond twice the best static time plus
#: :data:`CEILING_SLACK_S` (such detours can never win: waits are rarely that long).
MAX_SEARCH_POPS = 20000
CEILING_SLACK_S = 72 * 3600.0


class _Domestic:
    """
    Fastest domestic roads within each country, for one vehicle speed cap.

    One sparse matrix of road times per country; shortest paths are computed
    on demand from each source that the search asks about (the origin and the
    border posts), with scipy's compiled Dijkstra, and kept. So the cost grows
    with the number of posts, not with the square of the road graph: a whole
    OpenStreetMap country works as well as the curated network.
    """

    def __init__(self, graph: nx.MultiDiGraph, cap: float | None) -> None:
        from scipy.sparse import csr_matrix

        self.where: dict[Any, tuple[str, int]] = {}
        self.nodes: dict[str, list[Any]] = {}
        for node, data in graph.nodes(data=True):
            members = self.nodes.setdefault(data["country"], [])
            self.where[node] = (data["country"], len(members))
            members.append(node)
        best: dict[str, dict[tuple[int, int], float]] = {c: {} for c in self.nodes}
        for u, v, data in graph.edges(data=True):
            if data.get("kind") == "crossing":
                continue
            (cu, i), (cv, j) = self.where[u], self.where[v]
            if cu != cv:
                continue
            weight = max(_road_time(data, cap), 1e-9)  # an explicit zero would read as "no edge"
            edges = best[cu]
            if weight < edges.get((i, j), math.inf):
                edges[(i, j)] = weight
        self.matrix = {}
        for country, edges in best.items():
            n = len(self.nodes[country])
            rows = [i for i, _ in edges]
            cols = [j for _, j in edges]
            self.matrix[country] = csr_matrix((list(edges.values()), (rows, cols)), shape=(n, n))
        self._solved: dict[Any, tuple[Any, Any]] = {}

    def _solve(self, source: Any) -> tuple[Any, Any]:
        found = self._solved.get(source)
        if found is None:
            from scipy.sparse.csgraph import dijkstra

            country, i = self.where[source]
            dist, pred = dijkstra(self.matrix[country], directed=True, indices=i, return_predecessors=True)
            if len(self._solved) > 4096:
                self._solved.clear()
            found = self._solved[source] = (dist, pred)
        return found

    def time(self, source: Any, target: Any) -> float | None:
        """Fastest domestic road time in seconds, or ``None`` if ``target`` is abroad or unreachable."""
        (cs, _), (ct, j) = self.where[source], self.where[target]
        if cs != ct:
            return None
        value = self._solve(source)[0][j]
        return None if value == math.inf else float(value)

    def path(self, source: Any, target: Any) -> list[Any]:
        """Nodes of the fastest domestic road from ``source`` to ``target`` (both included)."""
        country, i = self.where[source]
        j = self.where[target][1]
        pred = self._solve(source)[1]
        nodes = self.nodes[country]
        out = [target]
        while j != i:
            j = int(pred[j])
            if j < 0:
                msg = f"no domestic road from {source!r} to {target!r}"
                raise NoRouteError(msg)
            out.append(nodes[j])
        return out[::-1]


@dataclass
class _Index:
    domestic: dict[float | None, _Domestic] = field(default_factory=dict)
    crossing_graphs: dict[tuple[int, float | None], Any] = field(default_factory=dict)
    posts_by_country: dict[str, list[str]] = field(default_factory=dict)
    regimes: dict[int, Regime] = field(default_factory=dict)
    candidates: dict[tuple[Any, ...], list[tuple[float, list[Any]]]] = field(default_factory=dict)


_INDEXES: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Index] = weakref.WeakKeyDictionary()


def _index(graph: nx.MultiDiGraph) -> _Index:
    index = _INDEXES.get(graph)
    if index is None:
        index = _Index()
        for node, data in graph.nodes(data=True):
            if data.get("kind") == "border_post":
                index.posts_by_country.setdefault(data["country"], []).append(node)
        _INDEXES[graph] = index
    return index


def _road_time(data: dict[str, Any], cap: float | None) -> float:
    speed = data["speed_kph"] if cap is None else min(data["speed_kph"], cap)
    return float(data["length"]) / (speed / 3.6)


def _domestic(graph: nx.MultiDiGraph, cap: float | None) -> _Domestic:
    index = _index(graph)
    found = index.domestic.get(cap)
    if found is None:
        found = index.domestic[cap] = _Domestic(graph, cap)
    return found


@dataclass
class _CrossingGraph:
    """Posts joined by domestic shortcuts and the open crossing links of one regime."""

    country: dict[str, str]
    posts_by_country: dict[str, list[str]]
    dom: _Domestic
    cross_out: dict[str, list[tuple[str, float]]]
    cross_in: dict[str, list[tuple[str, float]]]
    heuristics: dict[str, dict[str, float]] = field(default_factory=dict)


def _crossing_graph(graph: nx.MultiDiGraph, regime: Regime, cap: float | None) -> _CrossingGraph:
    """The crossing graph for a regime (cached per network, regime object and speed cap)."""
    index = _index(graph)
    key = (id(regime), cap)
    found = index.crossing_graphs.get(key)
    if found is not None and index.regimes.get(id(regime)) is regime:
        return found
    dom = _domestic(graph, cap)
    cg = _CrossingGraph(
        country={n: d["country"] for n, d in graph.nodes(data=True)},
        posts_by_country=index.posts_by_country,
        dom=dom,
        cross_out={},
        cross_in={},
    )
    for u, v, data in graph.edges(data=True):
        if data.get("kind") != "crossing":
            continue
        rule = regime.rule(data["crossing_id"])
        if not rule.open_to_freight:
            continue
        weight = _road_time(data, cap) + rule.expected_delay_h(f"{cg.country[u]}>{cg.country[v]}") * 3600
        cg.cross_out.setdefault(u, []).append((v, weight))
        cg.cross_in.setdefault(v, []).append((u, weight))
    if len(index.crossing_graphs) > 64:  # many what-if regimes: start afresh
        index.crossing_graphs.clear()
        index.regimes.clear()
    index.crossing_graphs[key] = cg  # type: ignore[assignment]
    index.regimes[id(regime)] = regime
    return cg


def _heuristic(cg: _CrossingGraph, destination: str) -> dict[str, float]:
    """Exact remaining static time from every post to ``destination`` (reverse Dijkstra)."""
    found = cg.heuristics.get(destination)
    if found is not None:
        return found
    dist: dict[str, float] = {destination: 0.0}
    heap: list[tuple[float, str]] = [(0.0, destination)]
    done: set[str] = set()
    while heap:
        d_x, x = heapq.heappop(heap)
        if x in done:
            continue
        done.add(x)
        if x == destination:
            preds = [(p, cg.dom.time(p, x)) for p in cg.posts_by_country.get(cg.country[x], ())]
        else:
            same = [(p, cg.dom.time(p, x)) for p in cg.posts_by_country[cg.country[x]] if p != x]
            preds = cg.cross_in.get(x, []) + same  # type: ignore[operator]
        for p, w in preds:
            if w is None:
                continue
            candidate = d_x + w
            if candidate < dist.get(p, math.inf):
                dist[p] = candidate
                heapq.heappush(heap, (candidate, p))
    if len(cg.heuristics) > 512:
        cg.heuristics.clear()
    cg.heuristics[destination] = dist
    return dist


def _astar_paths(cg: _CrossingGraph, origin: str, destination: str) -> Iterator[tuple[float, tuple[str, ...]]]:
    """
    Yield loopless condensed paths ``origin, post, ..., destination`` in nondecreasing static time.

    Best-first search over partial paths with the exact remaining time as
    heuristic (so the first goal popped is the shortest path, the next one the
    second shortest, and so on). A path alternates a domestic shortcut and a
    crossing link, so every result is a distinct sequence of crossings.
    """
    h = _heuristic(cg, destination)
    dest_country = cg.country[destination]
    counter = itertools.count()
    heap: list[tuple[float, int, float, str, tuple[str, ...], bool]] = []

    def push(g: float, node: str, path: tuple[str, ...], crossed: bool) -> None:
        rest = h.get(node)
        if rest is not None:
            heapq.heappush(heap, (g + rest, next(counter), g, node, path, crossed))

    o_country = cg.country[origin]
    direct = cg.dom.time(origin, destination) if o_country == dest_country else None
    if direct is not None:
        heapq.heappush(heap, (direct, next(counter), direct, destination, (origin, destination), False))
    for post in cg.posts_by_country.get(o_country, ()):
        w = cg.dom.time(origin, post)
        if w is not None:
            push(w, post, (origin, post), False)
    ceiling = math.inf
    for _pops in range(MAX_SEARCH_POPS):
        if not heap:
            return
        f, _, g, node, path, crossed = heapq.heappop(heap)
        if f > ceiling:
            return
        if node == destination:
            if ceiling == math.inf:
                ceiling = 2 * g + CEILING_SLACK_S
            yield (g, path)
            continue
        if not crossed:  # at an exit post: cross
            for target, w in cg.cross_out.get(node, ()):
                if target not in path:
                    push(g + w, target, (*path, target), True)
            continue
        country = cg.country[node]  # at an entry post: drive on within the country
        if country == dest_country:
            w = cg.dom.time(node, destination)
            if w is not None:
                heapq.heappush(heap, (g + w, next(counter), g + w, destination, (*path, destination), False))
        for post in cg.posts_by_country[country]:
            if post != node and post not in path:
                w = cg.dom.time(node, post)
                if w is not None:
                    push(g + w, post, (*path, post), False)


def _expand(graph: nx.MultiDiGraph, cap: float | None, condensed: Sequence[str]) -> list[str]:
    dom = _domestic(graph, cap)
    full = [condensed[0]]
    for u, v in zip(condensed, condensed[1:], strict=False):
        if graph.has_edge(u, v) and graph.nodes[u]["country"] != graph.nodes[v]["country"]:
            full.append(v)  # a crossing link
        else:
            full.extend(dom.path(u, v)[1:])
    return full


def _leg_candidates(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    regime: Regime,
    cap: float | None,
    *,
    limit: int,
) -> Iterator[tuple[float, list[str]]]:
    """Yield ``(static_s, full_path)`` in nondecreasing static time, at most ``limit``."""
    if origin == destination:
        yield (0.0, [origin])
        return
    cg = _crossing_graph(graph, regime, cap)
    for static, condensed in itertools.islice(_astar_paths(cg, origin, destination), limit):
        yield (static, _expand(graph, cap, condensed))


def _combine(legs: list[list[tuple[float, list[str]]]], *, limit: int) -> list[tuple[float, list[str]]]:
    """
    The ``limit`` best concatenations of one candidate per leg, by total static time.

    Keeping the ``limit`` best partial sums after each leg is exact: a
    concatenation among the overall best has a prefix among the best prefixes
    (otherwise ``limit`` better prefixes with the same suffix would beat it).
    """
    partial: list[tuple[float, list[str]]] = [(0.0, [])]
    for leg in legs:
        merged = [(s1 + s2, path + (p2 if not path else p2[1:])) for s1, path in partial for s2, p2 in leg]
        merged.sort(key=lambda item: item[0])
        partial = merged[:limit]
    return partial


def _waypoint_plans(graph: nx.MultiDiGraph, origin: str, destination: str, via: Sequence[str]) -> list[list[str]]:
    """Turn ``via`` names into node sequences; a crossing expands into its two posts (both orientations)."""
    options: list[list[tuple[str, ...]]] = []
    for name in via:
        kind, ident = resolve_waypoint(graph, name)
        if kind == "place":
            options.append([(ident,)])
        else:
            a, b = graph.graph["crossings"][ident].posts
            pa, pb = node_of(graph, a.id), node_of(graph, b.id)
            options.append([(pa, pb), (pb, pa)])
    plans = []
    for choice in itertools.product(*options):
        plan = [origin]
        for group in choice:
            plan.extend(group)
        plan.append(destination)
        plans.append(plan)
    return plans


def candidate_paths(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    regime: str | Regime,
    vehicle: Vehicle | None = None,
    via: Sequence[str] = (),
    limit: int = MAX_CANDIDATES,
) -> list[tuple[float, list[str]]]:
    """
    Return candidate paths in order of static time (seconds), best first.

    Parameters
    ----------
    graph
        A network.
    origin, destination
        Place names or ids.
    regime
        Regime id or object; crossings it closes are not used.
    vehicle
        Its speed cap changes driving times; default no cap.
    via
        Places or crossings to pass, in order.
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
    regime_obj = get_regime(graph, regime)
    o, d = resolve_place(graph, origin), resolve_place(graph, destination)
    cap = vehicle.max_speed_kph if vehicle is not None else None
    return [(static, list(path)) for static, path in search_candidates(graph, o, d, regime_obj, cap, via, limit)]


def search_candidates(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    regime: Regime,
    cap: float | None,
    via: Sequence[str],
    limit: int,
) -> list[tuple[float, list[str]]]:
    """Candidate paths for a question; static, so cached per network (the regime object is part of the key)."""
    cache = _index(graph).candidates
    key = (origin, destination, regime, cap, tuple(via), limit)
    found = cache.get(key)
    if found is None:
        if len(cache) > 100_000:
            cache.clear()
        found = cache[key] = _find_candidates(graph, origin, destination, regime, cap, via, limit)
    return found


def _find_candidates(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    regime: Regime,
    cap: float | None,
    via: Sequence[str],
    limit: int,
) -> list[tuple[float, list[str]]]:
    plans = _waypoint_plans(graph, origin, destination, via)
    found: list[tuple[float, list[str]]] = []
    per_leg = limit if not via else MAX_CANDIDATES_PER_LEG
    for plan in plans:
        legs = []
        for u, v in zip(plan, plan[1:], strict=False):
            if graph.has_edge(u, v) and graph.nodes[u].get("crossing_id") and graph.nodes[u].get("crossing_id") == graph.nodes[v].get("crossing_id"):
                cid = graph.nodes[u]["crossing_id"]
                if not regime.rule(cid).open_to_freight:
                    legs = []
                    break
                cg = _crossing_graph(graph, regime, cap)
                legs.append([(next(w for t, w in cg.cross_out[u] if t == v), [u, v])])
                continue
            leg = list(_leg_candidates(graph, u, v, regime, cap, limit=per_leg))
            if not leg:
                legs = []
                break
            legs.append(leg)
        if legs:
            found.extend(_combine(legs, limit=limit))
    found.sort(key=lambda item: item[0])
    unique: list[tuple[float, list[str]]] = []
    seen: set[tuple[str, ...]] = set()
    for static, path in found:
        key = tuple(path)
        if key not in seen:
            seen.add(key)
            unique.append((static, path))
    return unique[:limit]


def _explain_no_route(graph: nx.MultiDiGraph, origin: str, destination: str, regime: Regime, via: Sequence[str]) -> NoRouteError:
    """Find what blocks: the crossings a regime closes on the paths that exist without it."""
    names = graph.nodes
    for name in via:
        kind, ident = resolve_waypoint(graph, name)
        if kind == "crossing" and not regime.rule(ident).open_to_freight:
            rule = regime.rule(ident)
            crossing = graph.graph["crossings"][ident]
            why = f": {rule.reason}" if rule.reason else ""
            msg = f"crossing {crossing.name!r} ({ident}), given in via, is closed to international freight under regime {regime.id!r}{why}"
            return NoRouteError(msg, blocking=[ident])
    open_rules = {cid: type(rule)(crossing_id=cid, open_to_freight=True, queue=rule.queue, clearance=rule.clearance) for cid, rule in regime.rules.items()}
    everything_open = Regime(id=f"{regime.id}+all-open", name="all open", rules=open_rules)
    paths = _find_candidates(graph, origin, destination, everything_open, None, via, 3)
    route = f"from {names[origin]['name']!r} to {names[destination]['name']!r}" + (f" via {list(via)}" if via else "")
    if not paths:
        return NoRouteError(f"no road in the dataset connects {names[origin]['name']!r} and {names[destination]['name']!r}" + (f" via {list(via)}" if via else ""))
    blocking: list[str] = []
    for _, path in paths:
        for u, v in zip(path, path[1:], strict=False):
            cid = names[u].get("crossing_id")
            if cid and cid == names[v].get("crossing_id") and not regime.rule(cid).open_to_freight and cid not in blocking:
                blocking.append(cid)
    details = "; ".join(
        f"{graph.graph['crossings'][cid].name} ({cid})" + (f": {regime.rule(cid).reason}" if regime.rule(cid).reason else "") for cid in blocking
    )
    msg = f"no route {route} under regime {regime.id!r}: the road needs crossing(s) closed to international freight — {details}"
    return NoRouteError(msg, blocking=blocking)


def resolve_trip(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    via: str | Sequence[str],
    vehicle: Vehicle | dict[str, Any] | str | None,
    regimes: Iterable[Regime] = (),
) -> tuple[Any, Any, list[str], Vehicle]:
    """
    Check a trip question's places, waypoints and vehicle once, before any work.

    The vehicle's permits must be ones that the network's regimes, or the
    ``regimes`` asked about, define.

    Returns
    -------
    (origin, destination, via, vehicle)
        Node ids, the waypoint names as a list, and the vehicle (default: one
        driver, registered in the origin's country).

    Raises
    ------
    UnknownPlaceError, InvalidVehicleError
        For a name not in the network (with close matches) or a bad vehicle
        (an unknown permit id among them).
    """
    o, d = resolve_place(graph, origin), resolve_place(graph, destination)
    via_list = [via] if isinstance(via, str) else list(via)
    for name in via_list:
        resolve_waypoint(graph, name)  # unknown names fail before any work
    veh = Vehicle.coerce(vehicle, default_registration=graph.nodes[o]["country"])
    check_permits(veh, {p for r in (*graph.graph.get("regimes", {}).values(), *regimes) for p in r.permits})
    return o, d, via_list, veh


def plan_trip(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    regime: str | Regime = "sco-2017",
    departure: datetime | str,
    via: str | Sequence[str] = (),
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
        Regime id (``"pre-2017"``, ``"sco-2017"``) or a :class:`~transit.regimes.Regime`.
    departure
        Aware datetime, naive datetime (local time at the origin) or ISO 8601
        string with or without offset.
    via
        Place or crossing names to pass, in order (``["Irkeshtam"]``).
    vehicle
        :class:`~transit.vehicles.Vehicle`, a dict of its fields, or a
        registration code. Default: one driver, registered in the origin's country.
    max_candidates
        Upper limit on candidate paths simulated (see the module docstring),
        a whole number from 1 to :data:`MAX_CANDIDATES_LIMIT`.

    Returns
    -------
    Trip
        ``trip.alternatives`` lists the candidates simulated and their totals.

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
    >>> trip = plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017",
    ...                  departure="2017-10-30T08:00", via=["Irkeshtam"],
    ...                  vehicle=transit.Vehicle(registration="CN", drivers=1))
    >>> trip.crossings
    ('irkeshtam', 'dostuk')
    >>> plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017", departure="2017-10-30T08:00", via=["Kara-Suu"])
    Traceback (most recent call last):
    ...
    transit.errors.NoRouteError: crossing 'Kara-Suu' (kara-suu), given in via, is closed to international freight under regime 'sco-2017': ...
    """
    regime_obj = get_regime(graph, regime)
    o, d, via_list, veh = resolve_trip(graph, origin, destination, via=via, vehicle=vehicle, regimes=[regime_obj])
    depart = parse_departure(departure, graph.nodes[o]["tz"])
    return plan_resolved(graph, o, d, regime_obj, depart, via_list, veh, max_candidates)


def plan_resolved(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    regime: Regime,
    depart: datetime,
    via: Sequence[str],
    vehicle: Vehicle,
    max_candidates: int,
) -> Trip:
    check_int(max_candidates, name="max_candidates", low=1, high=MAX_CANDIDATES_LIMIT, example=MAX_CANDIDATES)
    if origin == destination and not via:
        msg = f"origin and destination are the same place ({graph.nodes[origin]['name']!r})"
        raise NoRouteError(msg)
    candidates = search_candidates(graph, origin, destination, regime, vehicle.max_speed_kph, via, max_candidates)
    if not candidates:
        raise _explain_no_route(graph, origin, destination, regime, via)
    best: Trip | None = None
    annotated = False
    trips: list[tuple[Trip, float]] = []
    errors: list[NoRouteError] = []
    exhausted = True  # every candidate enumerated was either simulated or ruled out by a bound
    for static_s, path in candidates:
        if best is not None and static_s >= best.total_h * 3600:
            exhausted = False
            break  # static weight is a lower bound: no later candidate can win
        bound = lower_bound_s(graph, path, regime, vehicle)
        if best is not None and bound >= best.total_h * 3600:
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
        final = simulate_path(graph, best.path, regime, vehicle, depart, extensions=best.extensions)  # with notes
        assert final is not None
        best = final
    search = SearchStats(
        candidates=len(candidates),
        simulated=len(trips),
        hold_simulations=spent,
        cap_reached=exhausted and len(candidates) >= max_candidates,
    )
    return dataclasses.replace(best, alternatives=tried, search=search)


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
    A truck can always wait: hold it at the origin, or rest longer, when that arrives earlier.

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


def shortest_static_path(graph: nx.MultiDiGraph, origin: str, destination: str, *, weight: str = "travel_time") -> list[str]:
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


