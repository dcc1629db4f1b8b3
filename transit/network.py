"""
The network: places and border posts as nodes, roads and crossing links as edges.

:func:`load_network` reads the embedded SCO dataset (``routes/``) into an
osmnx-compatible :class:`networkx.MultiDiGraph`; :func:`build_network` makes
the same kind of graph from Python objects (tests and what-if networks use
it). Graph conventions (see ``docs/design.md``):

* graph: ``crs="EPSG:4326"``, ``name``, ``dataset_version``; plus the model
  objects ``crossings``, ``regimes``, ``driver_rules``, ``cost_model``,
  ``routes`` and ``sources`` that the simulation reads;
* node ids are integers, as in osmnx (:func:`node_id` of the dataset id);
  node attributes: ``ref`` (the dataset id, ``"kashgar"``), ``x`` (lon),
  ``y`` (lat), ``name``, ``country``, ``kind``
  (``city|town|port|junction|border_post``), ``tz``, and ``crossing_id`` on posts;
* edge: ``length`` (m), ``speed_kph``, ``travel_time`` (s), ``geometry``,
  ``road_class``, ``terrain``, ``segment_id``, ``source``, ``country``;
  crossing links carry ``kind="crossing"`` and ``crossing_id``.

Treat a loaded network as read-only: scenarios change regimes, not the graph.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> net.graph["crs"]
'EPSG:4326'
>>> net.nodes[transit.resolve_place(net, "kashi")]["ref"]
'kashgar'
"""


from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from shapely.geometry import LineString

from ._units import travel_time_s
from ._validate import check_number
from .cost import CostModel, load_cost_model
from .crossings import Crossing
from .datasets import (
    read_crossings,
    read_places,
    read_routes,
    read_segments,
    read_sources,
    read_speeds,
    read_toml,
    read_waypoints,
    routes_dir,
    toml_number,
)
from .drivers import DriverRules, load_driver_rules
from .errors import DataError
from .model import DesignatedRoute, Place, Segment, Source, node_id
from .regimes import Regime, load_country_clearance, load_regime

__all__ = ["DEFAULT_LINK_SPEED_KPH", "LINK_SPEED_RANGE_KPH", "build_network", "load_network"]

DEFAULT_LINK_SPEED_KPH = 20.0
#: Plausible speeds across the neutral zone of a crossing (a walking-pace convoy to an open road), km/h.
LINK_SPEED_RANGE_KPH = (1.0, 120.0)


def build_network(
    places: Iterable[Place],
    crossings: Iterable[Crossing],
    segments: Iterable[Segment],
    *,
    regimes: Iterable[Regime] = (),
    driver_rules: DriverRules | None = None,
    cost_model: CostModel | None = None,
    routes: Iterable[DesignatedRoute] = (),
    sources: Iterable[Source] = (),
    name: str = "transit network",
    dataset_version: str = "custom",
    link_speed_kph: float = DEFAULT_LINK_SPEED_KPH,
) -> nx.MultiDiGraph:
    """
    Assemble a network graph from model objects.

    Parameters
    ----------
    places, crossings, segments
        Nodes and edges. Every segment end must be a place or a post id.
    regimes, driver_rules, cost_model, routes, sources
        Model objects stored on the graph for :func:`transit.plan_trip`.
        ``driver_rules`` and ``cost_model`` default to the embedded dataset's.
    name, dataset_version
        Graph attributes.
    link_speed_kph
        Speed across the neutral zone between the two posts of a crossing,
        within :data:`LINK_SPEED_RANGE_KPH`.

    Returns
    -------
    networkx.MultiDiGraph
        Follows the conventions in the module docstring.

    Raises
    ------
    DataError
        If a segment refers to an unknown node or joins two countries.
    InvalidArgumentError
        For a ``link_speed_kph`` outside :data:`LINK_SPEED_RANGE_KPH`.
    """
    link_speed_kph = check_number(link_speed_kph, name="link_speed_kph", low=LINK_SPEED_RANGE_KPH[0], high=LINK_SPEED_RANGE_KPH[1], unit=" km/h", example=20)
    graph = nx.MultiDiGraph(crs="EPSG:4326", name=name, dataset_version=dataset_version)
    refs: dict[str, int] = {}

    def add(ref: str) -> int:
        node = node_id(ref)
        if ref in refs or node in graph:
            msg = f"node id {ref!r} is used twice (or collides with another id's number {node}); rename one"
            raise DataError(msg, row=ref)
        refs[ref] = node
        return node

    for place in places:
        graph.add_node(
            add(place.id),
            ref=place.id,
            x=place.lon,
            y=place.lat,
            name=place.name,
            country=place.country,
            kind=place.kind,
            tz=place.tz,
            elevation_m=place.elevation_m,
            aliases=place.aliases,
            source=place.source,
        )
    crossing_map: dict[str, Crossing] = {}
    for crossing in crossings:
        crossing_map[crossing.id] = crossing
        for post in crossing.posts:
            graph.add_node(
                add(post.id),
                ref=post.id,
                x=post.lon,
                y=post.lat,
                name=post.name,
                country=post.country,
                kind="border_post",
                tz=post.tz,
                elevation_m=post.elevation_m,
                crossing_id=crossing.id,
                aliases=(),
                source=post.source,
            )
        a, b = crossing.posts
        for p, q in ((a, b), (b, a)):
            length_m = crossing.link_km * 1000
            graph.add_edge(
                refs[p.id],
                refs[q.id],
                key=0,
                kind="crossing",
                crossing_id=crossing.id,
                length=length_m,
                speed_kph=link_speed_kph,
                travel_time=travel_time_s(length_m, link_speed_kph),
                geometry=LineString([(p.lon, p.lat), (q.lon, q.lat)]),
                road_class="border",
                terrain="plain",
                country=p.country,
                segment_id=f"{crossing.id}:link",
                source=crossing.source,
                name=f"{crossing.name} border crossing",
            )
    for segment in segments:
        for end in (segment.u, segment.v):
            if end not in refs:
                msg = f"segment {segment.id!r} refers to unknown node {end!r}"
                raise DataError(msg, file="segments.csv", row=segment.id)
        u, v = refs[segment.u], refs[segment.v]
        cu, cv = graph.nodes[u]["country"], graph.nodes[v]["country"]
        if cu != cv:
            msg = f"segment {segment.id!r} joins {cu} and {cv}; split it at a crossing's posts"
            raise DataError(msg, file="segments.csv", row=segment.id)
        length_m = segment.distance_km * 1000
        travel_time = travel_time_s(length_m, segment.speed_kph)
        name_u, name_v = graph.nodes[u]["name"], graph.nodes[v]["name"]
        for p, q, coords in ((u, v, segment.geometry), (v, u, segment.geometry[::-1])):
            graph.add_edge(
                p,
                q,
                key=0,
                kind="road",
                segment_id=segment.id,
                length=length_m,
                speed_kph=segment.speed_kph,
                travel_time=travel_time,
                geometry=LineString(coords),
                road_class=segment.road_class,
                terrain=segment.terrain,
                country=cu,
                source=segment.source,
                speed_source=segment.speed_source,
                via=segment.via,
                name=f"{name_u} – {name_v}" if p == u else f"{name_v} – {name_u}",
            )
    if driver_rules is None or cost_model is None:
        base = routes_dir()
        driver_rules = driver_rules or load_driver_rules(base / "drivers.toml")
        cost_model = cost_model or load_cost_model(base / "costs.toml")
    graph.graph.update(
        crossings=crossing_map,
        regimes={r.id: r for r in regimes},
        driver_rules=driver_rules,
        cost_model=cost_model,
        routes={r.id: r for r in routes},
        sources={s.id: s for s in sources},
    )
    return graph


def load_network(path: str | Path | None = None) -> nx.MultiDiGraph:
    """
    Load a dataset directory (by default the embedded SCO dataset) as a network.

    Parameters
    ----------
    path
        A directory laid out like ``routes/`` (see its README). ``None`` loads
        the dataset shipped with the package; no network access is needed.

    Returns
    -------
    networkx.MultiDiGraph
        osmnx-compatible; ``osmnx.graph_to_gdfs(net)`` works on it.

    Raises
    ------
    DataError
        If a file is malformed (names the file, row and column).

    Examples
    --------
    >>> from transit import resolve_place
    >>> net = load_network()
    >>> kashgar = resolve_place(net, "Kashgar")
    >>> net.nodes[kashgar]["tz"], net.nodes[kashgar]["ref"]
    ('Asia/Shanghai', 'kashgar')
    """
    base = Path(path) if path is not None else routes_dir()
    if not base.is_dir():
        raise DataError(f"dataset directory {str(base)!r} does not exist; pass a folder laid out like routes/")
    key = (str(base.resolve()), _mtime(base))
    cached = _LOADED.get(key)
    if cached is not None:
        return _fresh_copy(cached)
    sources = read_sources(base / "sources.csv")
    places = read_places(base / "places.csv", sources)
    crossings = read_crossings(base / "crossings.toml", sources)
    node_index: dict[str, tuple[str, float, float, str]] = {p.id: (p.name, p.lon, p.lat, p.country) for p in places}
    for crossing in crossings:
        for post in crossing.posts:
            if post.id in node_index:
                raise DataError(f"post id {post.id!r} is also a place id", file="crossings.toml", row=crossing.id)
            node_index[post.id] = (post.name, post.lon, post.lat, post.country)
    segments = read_segments(
        base / "segments.csv",
        nodes=node_index,
        waypoints=read_waypoints(base / "waypoints.csv", sources),
        speeds=read_speeds(base / "speeds.csv", sources),
        sources=sources,
    )
    crossing_map = {c.id: c for c in crossings}
    clearance = load_country_clearance(base / "clearance.csv")
    regimes = [load_regime(p, crossings=crossing_map, country_clearance=clearance) for p in sorted((base / "regimes").glob("*.toml"))]
    if not regimes:
        raise DataError("holds no regime files", file="regimes/")
    meta = read_toml(base / "dataset.toml")
    link_speed = DEFAULT_LINK_SPEED_KPH
    if "crossing_link_speed_kph" in meta:
        link_speed = toml_number(meta, "crossing_link_speed_kph", file="dataset.toml", where="top level", minimum=LINK_SPEED_RANGE_KPH[0], maximum=LINK_SPEED_RANGE_KPH[1])
    from .lookup import fold

    names = {fold(label): str(label) for p in places for label in (p.id, p.name, *p.aliases)}
    names.update((fold(label), str(label)) for c in crossings for label in (c.id, c.name, *c.aliases, *(post.name for post in c.posts)))
    graph = build_network(
        places,
        crossings,
        segments,
        regimes=regimes,
        driver_rules=load_driver_rules(base / "drivers.toml"),
        cost_model=load_cost_model(base / "costs.toml"),
        routes=read_routes(base / "routes.toml", sources, names=names),
        sources=sources.values(),
        name=str(meta.get("name", base.name)),
        dataset_version=str(meta.get("version", "unversioned")),
        link_speed_kph=link_speed,
    )
    _LOADED[key] = graph
    return _fresh_copy(graph)


_LOADED: dict[tuple[str, float], nx.MultiDiGraph] = {}


def _mtime(base: Path) -> float:
    return max((p.stat().st_mtime for p in base.rglob("*") if p.is_file()), default=0.0)


def _fresh_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose structure the caller may change without touching the cache.

    Attribute dicts of nodes and edges are copied; immutable values
    (geometries, model objects) are shared.
    """
    copy = graph.copy()
    copy.graph = dict(graph.graph)
    return copy
