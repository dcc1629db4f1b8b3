"""
Find crossing sequences in order of static time: the search behind route choice.

A small **crossing graph** per regime and speed cap (border posts joined by the fastest domestic road, plus the crossing links the regime keeps
open, weighted by their median delays) and one best-first (A*) search over (post, waypoints
passed) that yields crossing sequences in order of static time. Internal; plain names, used by
:mod:`transit.routing`.

The heuristic (:func:`entry_layers`, shared with the label search of :mod:`transit._labels`) is
the exact remaining static time under a relaxation of the loop rules (no turning straight back),
one reverse Dijkstra per waypoint, so the cost grows with the length of ``via``, not
exponentially. No path passes a crossing twice or comes back to a country it has left unless
the waypoints demand it (see :func:`astar_paths`).
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import _cache
from ._cancel import check as check_cancelled
from ._units import HOUR_S, travel_time_s
from .errors import NoRouteError
from .lookup import resolve_waypoint
from .regimes import Regime

__all__ = [
    "CEILING_SLACK_S",
    "MAX_SEARCH_POPS",
    "CrossingGraph",
    "Entry",
    "EntryLayer",
    "Waypoint",
    "astar_paths",
    "crossing_graph",
    "domestic",
    "driving_graph",
    "entry_h",
    "entry_layers",
    "expand",
    "resolve_waypoints",
]

#: The path search stops after this many expansions, or beyond twice the best static time plus
#: :data:`CEILING_SLACK_S` (such detours can never win: waits are rarely that long).
MAX_SEARCH_POPS = 20000
CEILING_SLACK_S = 72 * HOUR_S


class Domestic:
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
            weight = road_time(data, cap)
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


def posts_by_country(graph: nx.MultiDiGraph) -> dict[str, list[Any]]:
    def build() -> dict[str, list[Any]]:
        posts: dict[str, list[Any]] = {}
        for node, data in graph.nodes(data=True):
            if data.get("kind") == "border_post":
                posts.setdefault(data["country"], []).append(node)
        return posts

    return _cache.memo(graph, "index", "posts_by_country", build)


def road_time(data: dict[str, Any], cap: float | None) -> float:
    """Seconds to drive an edge, rounded as the simulator rounds them (whole seconds, at least one)."""
    speed = data["speed_kph"] if cap is None else min(data["speed_kph"], cap)
    return float(max(round(travel_time_s(float(data["length"]), speed)), 1))


def domestic(graph: nx.MultiDiGraph, cap: float | None) -> Domestic:
    return _cache.memo(graph, "domestic", cap, lambda: Domestic(graph, cap))


@dataclass
class CrossingGraph:
    """Posts joined by domestic shortcuts and the open crossing links of one regime."""

    country: dict[Any, str]
    posts_by_country: dict[str, list[Any]]
    dom: Domestic
    cross_out: dict[Any, list[tuple[Any, float]]]
    cross_in: dict[Any, list[tuple[Any, float]]]
    is_post: frozenset[Any] = frozenset()
    crossing_of: dict[tuple[Any, Any], str] = field(default_factory=dict)
    links: list[tuple[Any, Any, float]] = field(default_factory=list)
    crossing_countries: dict[str, frozenset[str]] = field(default_factory=dict)
    heuristics: _cache.LRU = field(default_factory=lambda: _cache.LRU(_cache.LIMITS["heuristic"]))
    delay_s: dict[tuple[Any, Any], float] = field(default_factory=dict)


def driving_graph(cg: CrossingGraph) -> CrossingGraph:
    """Return the same crossing graph weighted by driving alone (no border delays): for a bound on the driving left."""
    cross_out = {u: [(v, w - cg.delay_s[(u, v)]) for v, w in targets] for u, targets in cg.cross_out.items()}
    cross_in = {v: [(u, w - cg.delay_s[(u, v)]) for u, w in sources] for v, sources in cg.cross_in.items()}
    links = [(u, v, w - cg.delay_s[(u, v)]) for u, v, w in cg.links]
    return dataclasses.replace(cg, cross_out=cross_out, cross_in=cross_in, links=links, heuristics=_cache.LRU(_cache.LIMITS["heuristic"]), delay_s={})


def crossing_graph(graph: nx.MultiDiGraph, regime: Regime, cap: float | None) -> CrossingGraph:
    """Return the crossing graph for a regime (cached per network, regime content and speed cap)."""
    return _cache.memo(graph, "crossing_graph", (regime, cap), lambda: build_crossing_graph(graph, regime, cap))


def build_crossing_graph(graph: nx.MultiDiGraph, regime: Regime, cap: float | None) -> CrossingGraph:
    dom = domestic(graph, cap)
    posts = posts_by_country(graph)
    cg = CrossingGraph(
        country={n: d["country"] for n, d in graph.nodes(data=True)},
        posts_by_country=posts,
        dom=dom,
        cross_out={},
        cross_in={},
        is_post=frozenset(p for country_posts in posts.values() for p in country_posts),
        crossing_countries={cid: frozenset(c.countries) for cid, c in graph.graph.get("crossings", {}).items()},
    )
    for u, v, data in graph.edges(data=True):
        if data.get("kind") != "crossing":
            continue
        rule = regime.rule(data["crossing_id"])
        direction = f"{cg.country[u]}>{cg.country[v]}"
        if not rule.open_in(direction):
            continue
        delay = rule.expected_delay_h(direction) * HOUR_S
        weight = road_time(data, cap) + delay
        cg.delay_s[(u, v)] = delay
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


def targets(cg: CrossingGraph, waypoint: Waypoint) -> list[tuple[str, str, float]]:
    """Return the open links ``(exit_post, entry_post, weight)`` of a crossing waypoint."""
    return [(u, v, w) for u, v, w in cg.links if cg.crossing_of[(u, v)] == waypoint[1]]


Entry = tuple[str, str] | None
"""How a truck entered its current country: ``(crossing id, country left)``, or ``None`` (it started there)."""


@dataclass(frozen=True)
class EntryLayer:
    """
    Remaining static time to a target by (node, entry): ``dist`` from posts, ``ends`` from the targets that are no posts.

    The value at ``(post, entry)`` is the fastest way on from a truck at ``post`` that entered the
    post's country by ``entry``, under a relaxation of the strict route rules (see :func:`entry_layers`).
    """

    dist: dict[tuple[Any, Entry], float]
    ends: dict[Entry, list[tuple[Any, float]]]


def entries_by_country(cg: CrossingGraph) -> dict[str, list[Entry]]:
    """Return, per country, every way into it: ``None`` (starting there) and ``(crossing id, country left)`` per open link (cached)."""
    found: dict[str, list[Entry]] | None = cg.heuristics.get(("entries",))
    if found is not None:
        return found
    out: dict[str, list[Entry]] = {country: [None] for country in {*cg.country.values(), *cg.posts_by_country}}
    for u, v, _ in cg.links:
        entry = (cg.crossing_of[(u, v)], cg.country[u])
        into = out.setdefault(cg.country[v], [None])
        if entry not in into:
            into.append(entry)
    cg.heuristics.put(("entries",), out)
    return out


def entry_layers(cg: CrossingGraph, destination: Any, waypoints: tuple[Waypoint, ...], *, strict: bool) -> list[EntryLayer]:
    """
    Exact remaining static time from every (node, entry) with ``k`` waypoints passed: an admissible, consistent A* bound.

    With ``strict``, a route may not turn straight back: it may not leave a country for the one it
    came from unless the next waypoint (or, with every waypoint passed, the destination) lies there
    or the crossing is the next waypoint, nor pass again the crossing it came by unless a later
    waypoint names it. The strict route rules (:func:`astar_paths`, the label search) forbid both
    and more (no country left is entered again), so this is a relaxation of them, and a much
    tighter bound than one per node for ``via`` questions, whose waypoints such a bound passes by
    crossing and turning straight back. Passing the next waypoint's crossing always counts it (as
    both searches do). One reverse Dijkstra per waypoint over (post, entry), cached.
    """
    key = ("entry", destination, waypoints, strict)
    found: list[EntryLayer] | None = cg.heuristics.get(key)
    if found is not None:
        return found
    entries = entries_by_country(cg)
    n = len(waypoints)
    layers: list[EntryLayer] = [
        _entry_dijkstra(cg, {(destination, e): 0.0 for e in entries[cg.country[destination]]}, entries, destination, waypoints, n, strict=strict)
    ]
    for k in range(n - 1, -1, -1):
        after = layers[0]
        kind, ident = waypoints[k]
        init: dict[tuple[Any, Entry], float] = {}
        if kind == "place":
            for e in entries[cg.country[ident]]:
                rest = entry_h(cg, after, ident, e)
                if rest is not None:
                    init[(ident, e)] = rest
        else:
            for u, v, w in targets(cg, waypoints[k]):
                rest = after.dist.get((v, (ident, cg.country[u])))
                if rest is None:
                    continue
                for e in entries[cg.country[u]]:
                    if w + rest < init.get((u, e), math.inf):
                        init[(u, e)] = w + rest
        layers.insert(0, _entry_dijkstra(cg, init, entries, destination, waypoints, k, strict=strict))
    cg.heuristics.put(key, layers)
    return layers


def _entry_dijkstra(
    cg: CrossingGraph,
    init: dict[tuple[Any, Entry], float],
    entries: dict[str, list[Entry]],
    destination: Any,
    waypoints: tuple[Waypoint, ...],
    k: int,
    *,
    strict: bool,
) -> EntryLayer:
    """Shortest static time to any of ``init`` from every (post, entry), with ``k`` waypoints passed (see :func:`entry_layers`)."""
    n = len(waypoints)
    later = {ident for kind, ident in waypoints[k:] if kind == "crossing"}
    next_crossing = waypoints[k][1] if k < n and waypoints[k][0] == "crossing" else None
    wanted = cg.country[destination] if k == n else (cg.country[waypoints[k][1]] if waypoints[k][0] == "place" else None)

    def allowed(entry: Entry, cid: str, there: str) -> bool:
        if not strict or entry is None or cid == next_crossing:
            return True
        came_by, came_from = entry
        if there == came_from and there != wanted:
            return False
        return cid != came_by or cid in later

    dist: dict[tuple[Any, Entry], float] = {}
    best: dict[tuple[Any, Entry], float] = {}  # the shortest found so far (a longer one is not queued)
    ends: dict[Entry, dict[Any, float]] = {}
    heap: list[tuple[float, int, Any, Entry]] = []
    counter = itertools.count()

    def reach(d: float, node: Any, entry: Entry) -> None:
        key = (node, entry)
        if d < best.get(key, math.inf):
            best[key] = d
            heapq.heappush(heap, (d, next(counter), node, entry))

    for (node, entry), value in init.items():
        if node in cg.is_post:
            reach(value, node, entry)
        else:  # a place: reached from the posts of its country
            at = ends.setdefault(entry, {})
            at[node] = min(at.get(node, math.inf), value)
            for post in cg.posts_by_country.get(cg.country[node], ()):
                w = cg.dom.time(post, node)
                if w is not None:
                    reach(value + w, post, entry)
    into = _posts_into(cg)
    while heap:
        d_x, _, x, entry = heapq.heappop(heap)
        if (x, entry) in dist:
            continue
        dist[(x, entry)] = d_x
        here = cg.country[x]
        for p, w2 in into[x]:
            if (p, entry) not in dist:
                reach(d_x + w2, p, entry)
        if entry is None or entry[0] == next_crossing:  # passing the next waypoint counts it: that is the next layer's init
            continue
        came_by, came_from = entry
        for p, w in cg.cross_in.get(x, ()):
            if cg.crossing_of[(p, x)] != came_by or cg.country[p] != came_from:
                continue
            for before in entries[came_from]:
                if (p, before) not in dist and allowed(before, came_by, here):
                    reach(d_x + w, p, before)
    return EntryLayer(dist, {entry: list(at.items()) for entry, at in ends.items()})


def _posts_into(cg: CrossingGraph) -> dict[Any, list[tuple[Any, float]]]:
    """Return, per post, the other posts of its country that reach it by road and their times (cached on the graph)."""
    found: dict[Any, list[tuple[Any, float]]] | None = cg.heuristics.get(("posts-into",))
    if found is None:
        found = {}
        for posts in cg.posts_by_country.values():
            for x in posts:
                found[x] = [(p, w) for p in posts if p != x and (w := cg.dom.time(p, x)) is not None]
        cg.heuristics.put(("posts-into",), found)
    return found


def entry_h(cg: CrossingGraph, layer: EntryLayer, node: Any, entry: Entry) -> float | None:
    """``layer``'s value at ``(node, entry)``; for a node that is no post, straight to a target or through a post of its country."""
    if node in cg.is_post:
        return layer.dist.get((node, entry))
    best = math.inf
    for end, value in layer.ends.get(entry, ()):
        w = 0.0 if end == node else cg.dom.time(node, end)
        if w is not None and w + value < best:
            best = w + value
    for post in cg.posts_by_country.get(cg.country[node], ()):
        rest = layer.dist.get((post, entry))
        if rest is not None and rest < best:
            w = cg.dom.time(node, post)
            if w is not None and w + rest < best:
                best = w + rest
    return None if best == math.inf else best


def astar_paths(
    cg: CrossingGraph,
    origin: Any,
    destination: Any,
    waypoints: tuple[Waypoint, ...] = (),
    *,
    strict: bool = True,
    avoid: frozenset[str] = frozenset(),
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
    passing again a crossing named further on. No path passes a crossing in ``avoid``.
    """
    n = len(waypoints)
    h = entry_layers(cg, destination, waypoints, strict=strict)
    counter = itertools.count()
    # (f, tie, g, node, path, at_exit, k, (countries left before the last waypoint, since), crossings passed)
    heap: list[tuple[float, int, float, Any, tuple[Any, ...], bool, int, tuple[frozenset[str], frozenset[str]], tuple[str, ...]]] = []
    remaining_crossings = [frozenset(ident for kind, ident in waypoints[k:] if kind == "crossing") for k in range(n + 1)]

    def advance(node: Any, k: int) -> int:
        while k < n and waypoints[k] == ("place", node):
            k += 1
        return k

    def came_by(path: tuple[Any, ...], passed: tuple[str, ...]) -> Entry:
        for before, after in zip(reversed(path[:-1]), reversed(path[1:]), strict=True):
            if cg.country[before] != cg.country[after]:
                return (passed[-1], cg.country[before])
        return None

    def push(
        g: float, node: Any, path: tuple[Any, ...], k: int, left: tuple[frozenset[str], frozenset[str]], passed: tuple[str, ...], *, at_exit: bool
    ) -> None:
        entry = came_by(path, passed)
        rest = entry_h(cg, h[k], node, entry) if not at_exit else h[k].dist.get((node, entry))
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
                if cid in avoid:
                    continue
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
            to_destination = cg.dom.time(node, destination)
            if to_destination is not None:
                push(g + to_destination, destination, (*path, destination), n, left, passed, at_exit=False)
        if k < n and waypoints[k][0] == "place" and cg.country[waypoints[k][1]] == here and waypoints[k][1] != node:
            target = waypoints[k][1]
            to_place = cg.dom.time(node, target)
            if to_place is not None:
                push(g + to_place, target, (*path, target), advance(target, k), (left[0] | left[1], none), passed, at_exit=False)
        for post in cg.posts_by_country.get(here, ()):
            if post == node:
                push(g, post, path, k, left, passed, at_exit=True)  # cross right here (turning back only if a waypoint asks)
                continue
            to_post = cg.dom.time(node, post)
            if to_post is not None:
                push(g + to_post, post, (*path, post), k, left, passed, at_exit=True)


def expand(graph: nx.MultiDiGraph, cap: float | None, condensed: Sequence[Any]) -> list[Any]:
    dom = domestic(graph, cap)
    full = [condensed[0]]
    for u, v in itertools.pairwise(condensed):
        if graph.has_edge(u, v) and graph.nodes[u]["country"] != graph.nodes[v]["country"]:
            full.append(v)  # a crossing link
        else:
            full.extend(dom.path(u, v)[1:])
    return full
