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
   (see :func:`_astar_paths`). Each is a distinct *sequence of crossings*;
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
:attr:`~transit.trip.Trip.search`).

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import networkx as nx

from . import _cache
from ._cancel import check as check_cancelled
from ._rules import closed_to_freight
from ._steps import lower_bound_s
from ._validate import check_int, check_network
from .errors import InvalidArgumentError, NoRouteError
from .geo import haversine_km
from .lookup import resolve_place, resolve_waypoint
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
        self._solved = _cache.LRU(_cache.LIMITS["dijkstra"])

    def _solve(self, source: Any) -> tuple[Any, Any]:
        found: tuple[Any, Any] | None = self._solved.get(source)
        if found is None:
            from scipy.sparse.csgraph import dijkstra

            country, i = self.where[source]
            dist, pred = dijkstra(self.matrix[country], directed=True, indices=i, return_predecessors=True)
            found = self._solved.put(source, (dist, pred))
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


def _posts_by_country(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    def build() -> dict[str, list[str]]:
        posts: dict[str, list[str]] = {}
        for node, data in graph.nodes(data=True):
            if data.get("kind") == "border_post":
                posts.setdefault(data["country"], []).append(node)
        return posts

    return _cache.memo(graph, "index", "posts_by_country", build)


def _road_time(data: dict[str, Any], cap: float | None) -> float:
    speed: float = data["speed_kph"] if cap is None else min(data["speed_kph"], cap)
    return float(data["length"]) / (speed / 3.6)


def _domestic(graph: nx.MultiDiGraph, cap: float | None) -> _Domestic:
    return _cache.memo(graph, "domestic", cap, lambda: _Domestic(graph, cap))


@dataclass
class _CrossingGraph:
    """Posts joined by domestic shortcuts and the open crossing links of one regime."""

    country: dict[str, str]
    posts_by_country: dict[str, list[str]]
    dom: _Domestic
    cross_out: dict[str, list[tuple[str, float]]]
    cross_in: dict[str, list[tuple[str, float]]]
    is_post: frozenset[Any] = frozenset()
    crossing_of: dict[tuple[Any, Any], str] = field(default_factory=dict)
    links: list[tuple[Any, Any, float]] = field(default_factory=list)
    crossing_countries: dict[str, frozenset[str]] = field(default_factory=dict)
    heuristics: dict[Any, list[Any]] = field(default_factory=dict)


def _crossing_graph(graph: nx.MultiDiGraph, regime: Regime, cap: float | None) -> _CrossingGraph:
    """Return the crossing graph for a regime (cached per network, regime content and speed cap)."""
    return _cache.memo(graph, "crossing_graph", (regime, cap), lambda: _build_crossing_graph(graph, regime, cap))


def _build_crossing_graph(graph: nx.MultiDiGraph, regime: Regime, cap: float | None) -> _CrossingGraph:
    dom = _domestic(graph, cap)
    posts_by_country = _posts_by_country(graph)
    cg = _CrossingGraph(
        country={n: d["country"] for n, d in graph.nodes(data=True)},
        posts_by_country=posts_by_country,
        dom=dom,
        cross_out={},
        cross_in={},
        is_post=frozenset(p for posts in posts_by_country.values() for p in posts),
        crossing_countries={cid: frozenset(c.countries) for cid, c in graph.graph.get("crossings", {}).items()},
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
        cg.crossing_of[(u, v)] = data["crossing_id"]
        cg.links.append((u, v, weight))
    return cg


Waypoint = tuple[str, Any]  # ("place", node) or ("crossing", crossing_id)


def resolve_waypoints(graph: nx.MultiDiGraph, via: Sequence[str]) -> tuple[Waypoint, ...]:
    """
    Resolve ``via`` names to waypoints, collapsing consecutive repeats.

    ``["Irkeshtam", "Irkeshtam"]`` asks for one pass of Irkeshtam, not three.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> resolve_waypoints(net, ["Irkeshtam", "irkeshtam"])
    (('crossing', 'irkeshtam'),)
    """
    out: list[Waypoint] = []
    for name in via:
        waypoint = resolve_waypoint(graph, name)
        if not out or out[-1] != waypoint:
            out.append(waypoint)
    return tuple(out)


def _targets(cg: _CrossingGraph, waypoint: Waypoint) -> list[tuple[str, str, float]]:
    """Return the open links ``(exit_post, entry_post, weight)`` of a crossing waypoint."""
    return [(u, v, w) for u, v, w in cg.links if cg.crossing_of[(u, v)] == waypoint[1]]


@dataclass(frozen=True)
class _Layer:
    """Remaining static time to a target: ``dist`` from posts, ``ends`` the targets that are no posts (with their end cost)."""

    dist: dict[Any, float]
    ends: dict[Any, float]


def _layered_heuristic(cg: _CrossingGraph, destination: Any, waypoints: tuple[Waypoint, ...]) -> list[_Layer]:
    """
    Exact remaining static time, ignoring the no-return rules, from every node with ``k`` waypoints passed.

    ``h[k][x]``: the fastest way from ``x`` through waypoints ``k..`` to the
    destination, one reverse Dijkstra per waypoint (so the cost grows linearly
    with the length of ``via``). An admissible and consistent A* heuristic.
    """
    key = (destination, waypoints)
    found = cg.heuristics.get(key)
    if found is not None:
        return found
    layers: list[_Layer] = [_reverse_dijkstra(cg, {destination: 0.0})]
    for k in range(len(waypoints) - 1, -1, -1):
        after = layers[0]
        kind, ident = waypoints[k]
        init: dict[Any, float] = {}
        if kind == "place":
            rest = _node_h(cg, after, ident)
            if rest is not None:
                init[ident] = rest
        else:
            for u, v, w in _targets(cg, waypoints[k]):
                rest = after.dist.get(v)
                if rest is not None and w + rest < init.get(u, math.inf):
                    init[u] = w + rest
        layers.insert(0, _reverse_dijkstra(cg, init))
    if len(cg.heuristics) > 512:
        cg.heuristics.clear()
    cg.heuristics[key] = layers
    return layers


def _reverse_dijkstra(cg: _CrossingGraph, init: dict[Any, float]) -> _Layer:
    """Shortest static time to any of ``init`` (each with its own end cost) from every post, then from non-post nodes."""
    dist: dict[Any, float] = {}
    ends: dict[Any, float] = {}
    heap: list[tuple[float, int, Any]] = []
    counter = itertools.count()
    for node, value in init.items():
        if node in cg.is_post:
            heapq.heappush(heap, (value, next(counter), node))
        else:  # a place: reached from the posts of its country
            ends[node] = value
            for post in cg.posts_by_country.get(cg.country[node], ()):
                w = cg.dom.time(post, node)
                if w is not None:
                    heapq.heappush(heap, (value + w, next(counter), post))
    done: set[Any] = set()
    while heap:
        d_x, _, x = heapq.heappop(heap)
        if x in done:
            continue
        done.add(x)
        dist[x] = min(dist.get(x, math.inf), d_x)
        for p, w in cg.cross_in.get(x, ()):
            if p not in done:
                heapq.heappush(heap, (d_x + w, next(counter), p))
        for p in cg.posts_by_country[cg.country[x]]:
            if p != x and p not in done:
                w2 = cg.dom.time(p, x)
                if w2 is not None:
                    heapq.heappush(heap, (d_x + w2, next(counter), p))
    return _Layer(dist, ends)


def _node_h(cg: _CrossingGraph, layer: _Layer, node: Any) -> float | None:
    """``layer``'s value at ``node``; for a node that is no post, straight to a target or through a post of its country."""
    if node in cg.is_post:
        return layer.dist.get(node)
    best = math.inf
    for end, value in layer.ends.items():
        w = 0.0 if end == node else cg.dom.time(node, end)
        if w is not None:
            best = min(best, w + value)
    for post in cg.posts_by_country.get(cg.country[node], ()):
        rest = layer.dist.get(post)
        if rest is not None and rest < best:
            w = cg.dom.time(node, post)
            if w is not None:
                best = min(best, w + rest)
    return None if best == math.inf else best


def _astar_paths(
    cg: _CrossingGraph,
    origin: Any,
    destination: Any,
    waypoints: tuple[Waypoint, ...] = (),
    *,
    strict: bool = True,
) -> Iterator[tuple[float, tuple[Any, ...]]]:
    """
    Yield condensed paths ``origin, post, ..., destination`` through ``waypoints``, in nondecreasing static time.

    Best-first search over partial paths with the exact remaining time (of the
    problem without the rules below) as heuristic: the first goal popped is
    the shortest path, the next one the second shortest, and so on. A path
    alternates domestic shortcuts and crossing links, so every result is a
    distinct sequence of crossings. With ``strict`` a path never passes a
    crossing twice nor re-enters a country it has left, unless the waypoints
    demand it: passing a crossing named as the next waypoint, entering the
    country of the next place waypoint (or of the destination once every
    waypoint is passed) if it was left before the previous waypoint, or
    passing again a crossing named further on.
    """
    n = len(waypoints)
    h = _layered_heuristic(cg, destination, waypoints)
    counter = itertools.count()
    # (f, tie, g, node, path, at_exit, k, (countries left before the last waypoint, since), crossings passed)
    heap: list[tuple[float, int, float, Any, tuple[Any, ...], bool, int, tuple[frozenset[str], frozenset[str]], tuple[str, ...]]] = []
    remaining_crossings = [frozenset(ident for kind, ident in waypoints[k:] if kind == "crossing") for k in range(n + 1)]

    def advance(node: Any, k: int) -> int:
        while k < n and waypoints[k] == ("place", node):
            k += 1
        return k

    def push(
        g: float, node: Any, path: tuple[Any, ...], k: int, left: tuple[frozenset[str], frozenset[str]], passed: tuple[str, ...], *, at_exit: bool
    ) -> None:
        rest = _node_h(cg, h[k], node) if not at_exit else h[k].dist.get(node)
        if rest is not None:
            heapq.heappush(heap, (g + rest, next(counter), g, node, path, at_exit, k, left, passed))

    def demanded(country: str, k: int) -> bool:
        if k == n:
            return country == cg.country[destination]
        kind, ident = waypoints[k]
        return kind == "place" and country == cg.country[ident]

    none: frozenset[str] = frozenset()
    push(0.0, origin, (origin,), advance(origin, 0), (none, none), (), at_exit=False)
    ceiling = math.inf
    for _pops in range(MAX_SEARCH_POPS):
        check_cancelled()
        if not heap:
            return
        f, _, g, node, path, at_exit, k, left, passed = heapq.heappop(heap)
        if f > ceiling:
            return
        here = cg.country[node]
        if at_exit:  # at an exit post: cross
            for target, w in cg.cross_out.get(node, ()):
                cid = cg.crossing_of[(node, target)]
                there = cg.country[target]
                is_waypoint = k < n and waypoints[k] == ("crossing", cid)
                if strict and not is_waypoint:
                    before, since = left
                    if there in since or (there in before and not demanded(there, k)):
                        continue  # a country left on the way to the next waypoint, or one no waypoint asks for
                    if there not in before and cid in passed and cid not in remaining_crossings[k]:
                        continue
                nk = advance(target, k + 1 if is_waypoint else k)
                gone = (left[0], left[1] | {here}) if nk == k else (left[0] | left[1] | {here}, none)
                push(g + w, target, (*path, target), nk, gone, (*passed, cid), at_exit=False)
            continue
        if node == destination and k == n:
            if ceiling == math.inf:
                ceiling = 2 * g + CEILING_SLACK_S
            yield (g, path)
            continue
        # free to drive within the country: to the destination, the next place waypoint, or a post to cross at
        if k == n and cg.country[destination] == here and destination != node:
            drive = cg.dom.time(node, destination)
            if drive is not None:
                push(g + drive, destination, (*path, destination), n, left, passed, at_exit=False)
        if k < n and waypoints[k][0] == "place" and cg.country[waypoints[k][1]] == here and waypoints[k][1] != node:
            target = waypoints[k][1]
            drive = cg.dom.time(node, target)
            if drive is not None:
                push(g + drive, target, (*path, target), advance(target, k), (left[0] | left[1], none), passed, at_exit=False)
        for post in cg.posts_by_country.get(here, ()):
            if post == node:
                push(g, post, path, k, left, passed, at_exit=True)  # cross right here (turning back only if a waypoint asks)
                continue
            drive = cg.dom.time(node, post)
            if drive is not None:
                push(g + drive, post, (*path, post), k, left, passed, at_exit=True)


def _expand(graph: nx.MultiDiGraph, cap: float | None, condensed: Sequence[str]) -> list[str]:
    dom = _domestic(graph, cap)
    full = [condensed[0]]
    for u, v in itertools.pairwise(condensed):
        if graph.has_edge(u, v) and graph.nodes[u]["country"] != graph.nodes[v]["country"]:
            full.append(v)  # a crossing link
        else:
            full.extend(dom.path(u, v)[1:])
    return full


@_cache.per_call
def candidate_paths(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    regime: str | Regime | None = None,
    vehicle: Vehicle | None = None,
    via: str | Sequence[str] | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[tuple[float, list[Any]]]:
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
    Return the ``limit`` best paths by static time through ``waypoints``, in one search (see :func:`_astar_paths`).

    Paths that pass a crossing twice or come back to a country they left are
    only used when no other path satisfies the waypoints (or when the roads
    demand it: a domestic trip through a neighbouring country).
    """
    cg = _crossing_graph(graph, regime, cap)
    condensed = list(itertools.islice(_astar_paths(cg, origin, destination, waypoints), limit))
    if not condensed:  # the roads themselves demand it (a domestic trip through a neighbour)
        condensed = list(itertools.islice(_astar_paths(cg, origin, destination, waypoints, strict=False), limit))
    unique: list[tuple[float, list[Any]]] = []
    seen: set[tuple[Any, ...]] = set()
    for static, nodes in condensed:
        path = _expand(graph, cap, nodes)
        if tuple(path) not in seen:
            seen.add(tuple(path))
            unique.append((static, path))
    return unique


def _explain_no_route(graph: nx.MultiDiGraph, origin: str, destination: str, regime: Regime, via: Sequence[str]) -> NoRouteError:
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
    blocking: list[str] = []
    for _, path in paths:
        for u, v in itertools.pairwise(path):
            cid = names[u].get("crossing_id")
            if cid and cid == names[v].get("crossing_id") and not regime.rule(cid).open_to_freight and cid not in blocking:
                blocking.append(cid)
    details = "; ".join(
        f"{graph.graph['crossings'][cid].name} ({cid})" + (f": {regime.rule(cid).reason}" if regime.rule(cid).reason else "") for cid in blocking
    )
    msg = f"no route {route} under regime {regime.id!r}: the road needs crossing(s) closed to international freight — {details}"
    return NoRouteError(msg, blocking=blocking)


@_cache.per_call
def plan_trip(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
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
    candidates = search_candidates(graph, origin, destination, regime, vehicle.max_speed_kph, via, max_candidates)
    if not candidates:
        raise _explain_no_route(graph, origin, destination, regime, via)
    best: Trip | None = None
    annotated = False
    trips: list[tuple[Trip, float]] = []
    errors: list[NoRouteError] = []
    exhausted = True  # every candidate enumerated was either simulated or ruled out by a bound
    for static_s, path in candidates:
        check_cancelled()
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
        best = simulate_path(graph, best.path, regime, vehicle, depart, extensions=best.extensions)  # with notes
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
    Hold the truck at the origin, or rest longer, when that arrives earlier: a truck can always wait.

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
