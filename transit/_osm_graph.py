"""
The road graph of :func:`transit.graph_from_osm`, built in arrays from :func:`transit._osm_read.read_extract`.

The kept roads become directed edges in numpy arrays, in the order osmnx's ``graph_from_xml(bidirectional=False,
simplify=False, retain_all=True)`` adds them (each way's segments forward, then backward unless one-way; a one-way
``oneway=-1|reverse|T`` way reversed; consecutive repeated nodes dropped; great-circle ``length``); the largest
strongly connected component is found with scipy; the interstitial nodes are collapsed by the rules of osmnx's
``simplify_graph`` (the same endpoints, paths and merged attributes); and only the simplified graph is made into
networkx objects. Internal; used by :mod:`transit.osm` only.
"""

from __future__ import annotations

import array
import dataclasses
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np

from ._osm_read import WAY_TAGS, Extract
from .errors import DataError

__all__ = ["EARTH_RADIUS_M", "Roads", "largest_component", "road_arrays", "simplified_graph", "way_flags"]

#: Earth radius of osmnx's great-circle lengths, m (``osmnx.distance.EARTH_RADIUS_M``).
EARTH_RADIUS_M = 6_371_009.0
#: osmnx's ``oneway`` values that make a way one-way, and those that also reverse its node order.
ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
REVERSED_VALUES = frozenset({"-1", "reverse", "T"})
#: Paths made into shapely lines at a time.
_CHUNK = 200_000


@dataclasses.dataclass
class Roads:
    """
    The unsimplified road graph as arrays: nodes in osmnx's order, directed edges in networkx's iteration order.

    ``src``/``dst`` index ``ids``; ``way`` indexes the extract's ways, ``back`` is osmnx's ``reversed`` (the edge
    added for the way's other direction), ``key`` the edge's networkx key; ``length_m`` is osmnx's.
    """

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    way: np.ndarray
    back: np.ndarray
    key: np.ndarray
    length_m: np.ndarray

    def take_nodes(self, kept: np.ndarray) -> tuple[Roads, np.ndarray]:
        """Return the subgraph on the nodes where ``kept`` is true (orders kept, edges between kept nodes only), and which edges it keeps."""
        index = np.cumsum(kept) - 1
        edges = kept[self.src] & kept[self.dst]
        return Roads(
            ids=self.ids[kept],
            lon=self.lon[kept],
            lat=self.lat[kept],
            src=index[self.src[edges]],
            dst=index[self.dst[edges]],
            way=self.way[edges],
            back=self.back[edges],
            key=self.key[edges],
            length_m=self.length_m[edges],
        ), edges


def way_flags(extract: Extract) -> tuple[np.ndarray, np.ndarray]:
    """Per way: one-way (osmnx's rules: ``oneway`` in its true values, or ``junction=roundabout``), and reversed."""
    one = np.array([t.get("oneway") in ONEWAY_VALUES or t.get("junction") == "roundabout" for t in extract.tag_sets], dtype=bool)
    rev = np.array([t.get("oneway") in REVERSED_VALUES for t in extract.tag_sets], dtype=bool) & one
    return one[extract.way_tags] if len(one) else np.zeros(0, bool), rev[extract.way_tags] if len(rev) else np.zeros(0, bool)


def _great_circle_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """``osmnx.distance.great_circle``, operation for operation (the same floats)."""
    y1 = np.deg2rad(lat1)
    y2 = np.deg2rad(lat2)
    delta_y = y2 - y1
    x1 = np.deg2rad(lon1)
    x2 = np.deg2rad(lon2)
    delta_x = x2 - x1
    h = np.sin(delta_y / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin(delta_x / 2) ** 2
    h = np.minimum(1, h)
    dist: np.ndarray = 2 * np.arcsin(np.sqrt(h)) * EARTH_RADIUS_M
    dist[np.isnan(dist)] = 0
    return dist


def _cumcount(groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal values (``groups`` sorted into runs)."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    run = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run


def road_arrays(extract: Extract) -> Roads:
    """
    Return the roads of ``extract`` as osmnx's unsimplified graph would hold them, in arrays.

    Nodes in the order they first appear on the kept ways (the order of the XML file osmnx used to read); edges in
    the order networkx iterates them (by node, then by neighbour in the order first reached, then by key).
    """
    refs = extract.refs
    uniq, first, inverse = np.unique(refs, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(uniq), np.int64)
    rank[order] = np.arange(len(uniq))
    node_of_ref = rank[inverse]
    ids = uniq[order]
    lon = extract.x7[first[order]] / 1e7  # pyosmium's Location.lon: the stored integer / 1e7
    lat = extract.y7[first[order]] / 1e7
    del uniq, first, inverse, order, rank

    # osmnx keeps one way per id (the last read, at the place of the first) with at least two located nodes
    sizes = np.diff(extract.way_offsets)
    candidates = np.flatnonzero(sizes >= 2)
    way_ids = extract.way_ids[candidates]
    uw, first_w, inv_w = np.unique(way_ids, return_index=True, return_inverse=True)
    last_w = np.zeros(len(uw), np.int64)
    np.maximum.at(last_w, inv_w, np.arange(len(way_ids)))
    chosen = candidates[last_w]  # way index, by way id
    way_rank = np.full(len(sizes), -1, np.int64)
    way_rank[chosen] = np.argsort(np.argsort(first_w, kind="stable"), kind="stable")

    way_of_ref = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    p = np.flatnonzero((way_of_ref[:-1] == way_of_ref[1:]) & (node_of_ref[:-1] != node_of_ref[1:]))
    p = p[way_rank[way_of_ref[p]] >= 0]
    w = way_of_ref[p]
    u, v = node_of_ref[p], node_of_ref[p + 1]
    del way_of_ref, node_of_ref
    i = _cumcount(w)
    n_w = np.bincount(w, minlength=len(sizes))[w]
    one, rev = way_flags(extract)
    r = rev[w]
    two = ~one[w]
    # forward edges (a reversed one-way way runs from its last node), then the way's other direction
    src = np.concatenate([np.where(r, v, u), v[two]])
    dst = np.concatenate([np.where(r, u, v), u[two]])
    seq = np.concatenate([np.where(r, n_w - 1 - i, i), i[two]])
    phase = np.concatenate([np.zeros(len(p), np.int8), np.ones(int(two.sum()), np.int8)])
    way = np.concatenate([w, w[two]])
    added = np.lexsort((seq, phase, way_rank[way]))  # the order osmnx adds the edges
    src, dst, way, back = src[added], dst[added], way[added], phase[added] == 1
    del seq, phase, added, u, v, w, i, n_w, r, two
    n = len(ids)
    pair = src * n + dst
    _, pair_first, pair_inv = np.unique(pair, return_index=True, return_inverse=True)
    adjacency = np.lexsort((np.arange(len(src)), pair_first[pair_inv], src))
    src, dst, way, back, pair = src[adjacency], dst[adjacency], way[adjacency], back[adjacency], pair[adjacency]
    key = _cumcount(pair)
    del pair, pair_first, pair_inv, adjacency
    length = _great_circle_m(lat[src], lon[src], lat[dst], lon[dst])
    small = np.int32 if n < 2**31 else np.int64
    return Roads(
        ids=ids,
        lon=lon,
        lat=lat,
        src=src.astype(small),
        dst=dst.astype(small),
        way=way.astype(np.int32),
        back=back,
        key=key.astype(np.int32),
        length_m=length,
    )


def largest_component(roads: Roads) -> tuple[np.ndarray, int]:
    """Return the nodes of the largest strongly connected component (ties: the smallest node id) and the number of components."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(roads.ids)
    matrix = csr_matrix((np.ones(len(roads.src), np.int8), (roads.src, roads.dst)), shape=(n, n))
    count, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    smallest = np.full(count, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(smallest, labels, roads.ids)
    best = np.lexsort((smallest, -sizes))[0]  # the largest, then the smallest id (as max by (size, -min id))
    return labels == best, int(count)


# -- simplification (osmnx.simplify_graph's rules) -------------------------------------------------


def _endpoints(roads: Roads, keep: np.ndarray) -> np.ndarray:
    """Apply osmnx's ``_is_endpoint`` to every node: self-loop, no way in or out, not a plain chain node, or kept."""
    n = len(roads.ids)
    src, dst = roads.src.astype(np.int64), roads.dst.astype(np.int64)
    out_degree = np.bincount(src, minlength=n)
    in_degree = np.bincount(dst, minlength=n)
    degree = out_degree + in_degree
    loops = np.zeros(n, bool)
    loops[src[src == dst]] = True
    both = np.unique(np.concatenate([src * n + dst, dst * n + src]))
    neighbours = np.bincount(both // n, minlength=n)
    chain = (neighbours == 2) & ((degree == 2) | (degree == 4))
    result: np.ndarray = loops | (out_degree == 0) | (in_degree == 0) | ~chain | keep
    return result


@dataclasses.dataclass
class _Paths:
    """The paths osmnx simplifies, in the order it adds them: nodes (ends included) and first edges between them."""

    nodes: array.array[int] = dataclasses.field(default_factory=lambda: array.array("q"))
    node_ptr: array.array[int] = dataclasses.field(default_factory=lambda: array.array("q", [0]))
    edges: array.array[int] = dataclasses.field(default_factory=lambda: array.array("q"))
    edge_ptr: array.array[int] = dataclasses.field(default_factory=lambda: array.array("q", [0]))


def _paths(roads: Roads, endpoint: np.ndarray) -> _Paths:
    """
    Find the paths osmnx's ``_get_paths_to_simplify`` and ``_build_path`` find, step for step, on the arrays.

    From every endpoint (in the order of osmnx's set of endpoint ids) through every successor that is not one (in
    adjacency order), on to the next endpoint: including osmnx's handling of self-looping paths and of a path that
    stops at a node it cannot leave (an OSM digitisation quirk).
    """
    n = len(roads.ids)
    first = roads.key == 0  # the first edge of each (u, v): the one osmnx takes between interstitial nodes
    succ_node = roads.dst[first].tolist()
    succ_edge = np.flatnonzero(first).tolist()
    succ_ptr = np.r_[0, np.cumsum(np.bincount(roads.src[first], minlength=n))].tolist()
    is_end = endpoint.tolist()
    ids = roads.ids
    sorter = np.argsort(ids)
    set_order = np.fromiter(set(ids[endpoint].tolist()), dtype=np.int64, count=int(endpoint.sum()))
    out = _Paths()
    for start in sorter[np.searchsorted(ids, set_order, sorter=sorter)].tolist():
        for j in range(succ_ptr[start], succ_ptr[start + 1]):
            if is_end[succ_node[j]]:
                continue
            path, edges = _build_path(start, j, succ_node, succ_edge, succ_ptr, is_end)
            out.nodes.extend(path)
            out.node_ptr.append(len(out.nodes))
            out.edges.extend(edges)
            out.edge_ptr.append(len(out.edges))
    return out


def _build_path(
    start: int, j: int, succ_node: list[int], succ_edge: list[int], succ_ptr: list[int], is_end: list[bool]
) -> tuple[list[int], list[int]]:
    second = succ_node[j]
    path, edges = [start, second], [succ_edge[j]]
    seen = {start, second}
    for k in range(succ_ptr[second], succ_ptr[second + 1]):
        node = succ_node[k]
        if node in seen:
            continue
        path.append(node)
        edges.append(succ_edge[k])
        seen.add(node)
        while not is_end[node]:
            onward = [m for m in range(succ_ptr[node], succ_ptr[node + 1]) if succ_node[m] not in seen]
            if len(onward) == 1:
                m = onward[0]
                node = succ_node[m]
                path.append(node)
                edges.append(succ_edge[m])
                seen.add(node)
                continue
            if not onward:
                back = [m for m in range(succ_ptr[node], succ_ptr[node + 1]) if succ_node[m] == start]
                if back:  # the end of a self-looping path: close it
                    return [*path, start], [*edges, succ_edge[back[0]]]
                return path, edges  # a one-way turning two-way with duplicate ways (osmnx logs and stops here)
            msg = f"impossible road pattern at node index {path[-1]}: a chain node with two ways on (osmnx raises GraphSimplificationError)"
            raise DataError(msg)
        return path, edges
    return path, edges


def simplified_graph(
    roads: Roads,
    extract: Extract,
    *,
    keep: np.ndarray,
    country: np.ndarray,
    terrain: np.ndarray,
    speed_kph: np.ndarray,
    travel_time_s: np.ndarray,
    terrain_names: tuple[str, ...],
) -> nx.MultiDiGraph:
    """
    Make the graph ``osmnx.simplify_graph(G, node_attrs_include=["_keep"], edge_attr_aggs={"length": sum, "travel_time": sum})`` returns.

    ``roads`` is the routable component; ``keep`` marks the nodes osmnx was told to keep (``_keep``), ``country``
    holds each node's country, ``terrain`` (an index into ``terrain_names``), ``speed_kph`` and ``travel_time_s``
    each edge's. Merged edges carry summed ``length`` and ``travel_time``, a ``geometry`` through the merged nodes,
    and for every other attribute its one value or, where the merged segments differ, ``list(set(values))`` as
    osmnx makes it (the same insertion order, so the same list in the same process).
    """
    import shapely

    endpoint = _endpoints(roads, keep)
    paths = _paths(roads, endpoint)
    node_ptr = np.frombuffer(paths.node_ptr, dtype=np.int64)
    path_nodes = np.frombuffer(paths.nodes, dtype=np.int64) if len(paths.nodes) else np.zeros(0, np.int64)
    edge_ptr = np.frombuffer(paths.edge_ptr, dtype=np.int64)
    path_edges = np.frombuffer(paths.edges, dtype=np.int64) if len(paths.edges) else np.zeros(0, np.int64)
    n_paths = len(node_ptr) - 1
    interior = np.ones(len(path_nodes), bool)
    interior[node_ptr[:-1]] = False
    interior[node_ptr[1:] - 1] = False
    alive = np.ones(len(roads.ids), bool)
    alive[path_nodes[interior]] = False

    graph = nx.MultiDiGraph(created_date=time.strftime("%Y-%m-%d %H:%M:%S"), created_with="transit.osm (arrays, osmnx rules)", crs="epsg:4326")
    ids = roads.ids.tolist()
    for i in np.flatnonzero(alive).tolist():
        node = ids[i]
        data: dict[str, Any] = {"y": float(roads.lat[i]), "x": float(roads.lon[i])}
        post = extract.posts.get(node)
        if post is not None:
            data["barrier"] = "border_control"
            if post[2]:
                data["name"] = post[2]
        data["country"] = country[i]
        if keep[i]:
            data["_keep"] = True
        graph.add_node(node, **data)

    bases = _way_bases(extract)
    names = terrain_names

    def segment(e: int) -> dict[str, Any]:
        w = int(roads.way[e])
        return {
            **bases(w),
            "reversed": bool(roads.back[e]),
            "length": float(roads.length_m[e]),
            "terrain": names[terrain[e]],
            "speed_kph": float(speed_kph[e]),
            "travel_time": float(travel_time_s[e]),
        }

    src, dst, key = roads.src, roads.dst, roads.key
    for e in np.flatnonzero(alive[src] & alive[dst]).tolist():
        graph.add_edge(ids[src[e]], ids[dst[e]], key=int(key[e]), **segment(e))

    if n_paths:
        starts = edge_ptr[:-1]
        length = np.add.reduceat(roads.length_m[path_edges], starts)
        seconds = np.add.reduceat(travel_time_s[path_edges], starts)
        uniform = np.ones(n_paths, bool)
        for column in (roads.way, roads.back, terrain):
            values = column[path_edges].astype(np.int64)
            uniform &= np.minimum.reduceat(values, starts) == np.maximum.reduceat(values, starts)
        origin = path_nodes[node_ptr[:-1]]
        destination = path_nodes[node_ptr[1:] - 1]
        for lo in range(0, n_paths, _CHUNK):
            hi = min(lo + _CHUNK, n_paths)
            a, b = node_ptr[lo], node_ptr[hi]
            which = np.repeat(np.arange(hi - lo), np.diff(node_ptr[lo : hi + 1]))
            members = path_nodes[a:b]
            lines = shapely.linestrings(roads.lon[members], roads.lat[members], indices=which)
            for j in range(lo, hi):
                u, v = int(origin[j]), int(destination[j])
                first_edge = int(path_edges[starts[j]])
                if uniform[j]:
                    attrs = segment(first_edge)
                else:
                    attrs = _merged([segment(int(e)) for e in _runs(path_edges[starts[j] : edge_ptr[j + 1]], roads, terrain)])
                attrs["length"] = float(length[j])
                attrs["travel_time"] = float(seconds[j])
                attrs["geometry"] = lines[j - lo]
                if alive[u] and alive[v]:
                    graph.add_edge(ids[u], ids[v], **attrs)
    graph.remove_nodes_from(_rings(graph))
    graph.graph["simplified"] = True
    return graph


def _way_bases(extract: Extract) -> Callable[[int], dict[str, Any]]:
    """Per way, the attributes osmnx gives each of its edges before ``reversed`` and ``length``: ``osmid``, the kept tags, ``oneway``."""
    one, _ = way_flags(extract)
    cache: dict[int, dict[str, Any]] = {}

    def base(w: int) -> dict[str, Any]:
        found = cache.get(w)
        if found is None:
            tags = extract.tag_sets[int(extract.way_tags[w])]
            found = {"osmid": int(extract.way_ids[w]), **{k: tags[k] for k in WAY_TAGS if k in tags}, "oneway": bool(one[w])}
            if len(cache) < 100_000:
                cache[w] = found
        return found

    return base


def _runs(edges: np.ndarray, roads: Roads, terrain: np.ndarray) -> list[int]:
    """Return the first edge of each run of segments with the same way, direction and terrain (repeats change no set)."""
    way, back, ter = roads.way[edges], roads.back[edges], terrain[edges]
    change = np.r_[True, (way[1:] != way[:-1]) | (back[1:] != back[:-1]) | (ter[1:] != ter[:-1])]
    return edges[change].tolist()  # type: ignore[no-any-return]


def _merged(segments: list[dict[str, Any]]) -> dict[str, Any]:
    """
    Consolidate a path's attributes as osmnx does: one value if all agree, else the distinct values as a list.

    osmnx lists them as ``list(set(values))``, whose order of texts changes from one Python process to the next
    (string hashing is salted); here they are sorted, so that the same file gives the same graph in every process
    (and a sweep's fingerprint of it is stable). The values are the same as osmnx's.
    """
    values: dict[str, list[Any]] = {}
    for data in segments:
        for name, value in data.items():
            values.setdefault(name, []).append(value)
    out: dict[str, Any] = {}
    for name, seen in values.items():
        distinct = set(seen)
        out[name] = seen[0] if len(distinct) == 1 else sorted(distinct, key=lambda v: (type(v).__name__, str(v)))
    return out


def _rings(graph: nx.MultiDiGraph) -> set[Any]:
    """Return the nodes of components with no endpoint at all (isolated rings), which osmnx's ``remove_rings`` drops."""
    drop: set[Any] = set()
    for component in nx.weakly_connected_components(graph):
        if not any(_is_endpoint(graph, n) for n in component):
            drop.update(component)
    return drop


def _is_endpoint(graph: nx.MultiDiGraph, node: Any) -> bool:
    neighbours = set(graph.predecessors(node)) | set(graph.successors(node))
    if node in neighbours or graph.out_degree(node) == 0 or graph.in_degree(node) == 0:
        return True
    if not (len(neighbours) == 2 and graph.degree(node) in {2, 4}):
        return True
    return "_keep" in graph.nodes[node]
