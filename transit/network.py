"""
The network: places and border posts as nodes, roads and crossing links as edges.

:func:`load_network` reads the embedded SCO dataset (``routes/``) into an
osmnx-compatible :class:`networkx.MultiDiGraph`; :func:`build_network` makes
the same kind of graph from Python objects (tests and what-if networks use
it). Graph conventions (see ``docs/design.md``):

* graph: ``crs="EPSG:4326"``, ``name``, ``dataset_version``,
  ``default_regime`` (the regime id that ``regime=None`` means); plus the
  model objects ``crossings``, ``regimes``, ``driver_rules``, ``cost_model``,
  ``routes`` and ``sources`` that the simulation reads;
* node ids are integers, as in osmnx (:func:`node_id` of the dataset id);
  node attributes: ``ref`` (the dataset id, ``"kashgar"``), ``x`` (lon),
  ``y`` (lat), ``name``, ``country``, ``kind``
  (``city|town|port|junction|border_post``), ``tz``, and ``crossing_id`` on posts;
* edge: ``length`` (m), ``speed_kph``, ``travel_time`` (s), ``geometry``,
  ``road_class``, ``terrain``, ``segment_id``, ``source``, ``country``;
  crossing links carry ``kind="crossing"`` and ``crossing_id``.

Networks are read-only: :func:`build_network`, :func:`load_network` and
:func:`transit.graph_from_osm` return frozen graphs (structure *and* attribute
dicts), because the library caches work per network (see
:mod:`transit._cache`). An edit raises
:class:`~transit.errors.ReadOnlyNetworkError`. Scenarios change regimes, not
the graph; to change the graph, edit a copy from :func:`editable` and, if it
will be queried often, :func:`freeze` it again. An unfrozen graph is never
cached across calls, so an edit between two calls always shows.

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

from . import _cache
from ._regime_files import load_country_clearance, load_regime
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
from .lookup import fold
from .model import DesignatedRoute, Place, Segment, Source, node_id
from .rail import RailNetwork, read_rail
from .regimes import Regime
from .timeline import HISTORY, Timeline, read_timeline

__all__ = ["DEFAULT_LINK_SPEED_KPH", "LINK_SPEED_RANGE_KPH", "build_network", "editable", "freeze", "load_network"]

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
    default_regime: str | None = None,
    timeline: Timeline | None = None,
    rail: RailNetwork | None = None,
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
    default_regime
        Id of the regime that ``regime=None`` means in :func:`transit.plan_trip`
        and the other public functions (``graph.graph["default_regime"]``).
        Default: the first regime given, or ``None`` if there are none.
        ``"history"`` needs a ``timeline``.
    timeline
        The corridor's dated history (:func:`transit.timeline.read_timeline`), which
        ``regime="history"`` and :func:`transit.regime_on` follow; ``None`` for none.
    rail
        The rail layer (:func:`transit.rail.read_rail`), stored as ``graph.graph["rail"]`` for
        :func:`transit.plan_multimodal`; ``None`` for none (road only).

    Returns
    -------
    networkx.MultiDiGraph
        Follows the conventions in the module docstring; frozen (edit a copy
        from :func:`editable`).

    Raises
    ------
    DataError
        If a segment refers to an unknown node or joins two countries, or
        ``default_regime`` is not among ``regimes``.
    InvalidArgumentError
        For a ``link_speed_kph`` outside :data:`LINK_SPEED_RANGE_KPH`.
    """
    regimes = list(regimes)
    if default_regime is None and regimes:
        default_regime = regimes[0].id
    if default_regime is not None and default_regime not in {r.id for r in regimes} and not (default_regime == HISTORY and timeline is not None):
        valid = ", ".join(repr(r.id) for r in regimes) or "none"
        raise DataError(
            f"default_regime {default_regime!r} is not among the regimes given ({valid}); pass one of them or add its regime", column="default_regime"
        )
    link_speed_kph = check_number(
        link_speed_kph, name="link_speed_kph", low=LINK_SPEED_RANGE_KPH[0], high=LINK_SPEED_RANGE_KPH[1], unit=" km/h", example=20
    )
    graph = nx.MultiDiGraph(crs="EPSG:4326", name=name, dataset_version=dataset_version)
    refs: dict[str, int] = {}

    def add(ref: str) -> int:
        node = node_id(ref)
        if ref in refs or node in graph:
            msg = f"node id {ref!r} is used twice (or collides with another id's number {node}); rename one"
            raise DataError(msg, row=ref)
        refs[ref] = node
        return node

    places = list(places)
    _check_labels(places)
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
        for src, dst, coords in ((u, v, segment.geometry), (v, u, segment.geometry[::-1])):
            graph.add_edge(
                src,
                dst,
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
                name=f"{name_u} – {name_v}" if src == u else f"{name_v} – {name_u}",
            )
    if driver_rules is None or cost_model is None:
        base = routes_dir()
        driver_rules = driver_rules or load_driver_rules(base / "drivers.toml")
        cost_model = cost_model or load_cost_model(base / "costs.toml")
    graph.graph.update(
        crossings=crossing_map,
        regimes={r.id: r for r in regimes},
        default_regime=default_regime,
        driver_rules=driver_rules,
        cost_model=cost_model,
        routes={r.id: r for r in routes},
        sources={s.id: s for s in sources},
    )
    if timeline is not None:
        graph.graph["timeline"] = timeline
    if rail is not None:
        for station in rail.stations.values():
            if station.road_place is not None and station.road_place not in refs:
                msg = f"rail station {station.id!r} serves road place {station.road_place!r}, which is not in the network"
                raise DataError(msg, file="rail/stations.csv", row=station.id, column="road_place")
        graph.graph["rail"] = rail
    return _cache.freeze(graph)


def load_network(path: str | Path | None = None) -> nx.MultiDiGraph:
    """
    Load a dataset directory (by default the embedded SCO dataset), or a saved network, as a network.

    Parameters
    ----------
    path
        A directory laid out like ``routes/`` (see its README), or a ``.graphml``
        file written by :func:`transit.save_network` (:mod:`transit.io`). ``None``
        loads the dataset shipped with the package; no network access is needed.

    Returns
    -------
    networkx.MultiDiGraph
        osmnx-compatible; ``osmnx.graph_to_gdfs(net)`` works on it. Frozen,
        and shared between calls with the same unchanged dataset: edit a copy
        from :func:`editable`.

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
    if base.is_file():
        from .io import load_saved_network

        return load_saved_network(base)
    if not base.is_dir():
        raise DataError(
            f"dataset directory {str(base)!r} does not exist; pass a folder laid out like routes/ or a .graphml file written by transit.save_network"
        )
    key = (str(base.resolve()), _mtime(base))
    cached: nx.MultiDiGraph | None = _cache.datasets().get(key)
    if cached is not None:
        return cached
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
    timeline = None
    if (base / "timeline.toml").exists():
        timeline = read_timeline(base / "timeline.toml", crossings=crossing_map, regimes={r.id: r for r in regimes}, sources=sources)
    rail = None
    if (base / "rail").is_dir():
        rail = read_rail(base / "rail", sources=sources, places={p.id: p.country for p in places})
    meta = read_toml(base / "dataset.toml")
    default_regime = meta.get("default_regime")
    if default_regime is not None and default_regime not in {r.id for r in regimes} and not (default_regime == HISTORY and timeline is not None):
        valid = ", ".join(repr(r.id) for r in regimes) + (", 'history'" if timeline is not None else "")
        raise DataError(f"got {default_regime!r}; expected the id of a regime in regimes/ ({valid})", file="dataset.toml", column="default_regime")
    link_speed = DEFAULT_LINK_SPEED_KPH
    if "crossing_link_speed_kph" in meta:
        link_speed = toml_number(
            meta, "crossing_link_speed_kph", file="dataset.toml", where="top level", minimum=LINK_SPEED_RANGE_KPH[0], maximum=LINK_SPEED_RANGE_KPH[1]
        )
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
        default_regime=default_regime,
        timeline=timeline,
        rail=rail,
    )
    return _cache.datasets().put(key, graph)


def _check_labels(places: list[Place]) -> None:
    """Refuse two places that share a name, alias or id once folded as lookups fold them (Artux aliased 'Tashkent')."""
    owners: dict[str, str] = {}
    for place in places:
        for label in {fold(label) for label in (place.id, place.name, *place.aliases)}:
            other = owners.setdefault(label, place.id)
            if other != place.id:
                msg = f"place {place.id!r} has the name or alias {label!r}, as place {other!r} does; lookups would find only one of them: rename one"
                raise DataError(msg, row=place.id, column="aliases")


def _mtime(base: Path) -> float:
    return max((p.stat().st_mtime for p in base.rglob("*") if p.is_file()), default=0.0)


def freeze(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """
    Make a network read-only in place, so that the library may cache work on it.

    Structure edits and changes to node, edge or graph attribute dicts then
    raise :class:`~transit.errors.ReadOnlyNetworkError`. The library's own
    networks come frozen; freeze one you built or edited by hand when you
    will query it more than once.

    Parameters
    ----------
    graph
        A network (``networkx.MultiDiGraph``) following the conventions above.

    Returns
    -------
    networkx.MultiDiGraph
        ``graph`` itself, frozen (:func:`networkx.is_frozen` is true).

    Examples
    --------
    >>> import transit
    >>> net = transit.freeze(transit.editable(transit.load_network()))
    >>> net.remove_edge(1, 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    transit.errors.ReadOnlyNetworkError: this network is read-only ...
    """
    return _cache.freeze(graph)


def editable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """
    Return an unfrozen copy of a network to edit.

    Node, edge and graph attribute dicts are copied (and the graph's
    dicts of crossings, regimes, routes and sources); the immutable model
    objects and geometries in them are shared. The copy is never cached
    across calls, so every edit shows in the next answer.

    Parameters
    ----------
    graph
        Any network, frozen or not.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; editing it leaves ``graph`` unchanged.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> g = transit.editable(net)
    >>> g.remove_edges_from([(u, v) for u, v, d in net.edges(data=True) if d.get("crossing_id") == "irkeshtam"])
    >>> transit.plan_trip(g, "Kashgar", "Osh", departure="2017-10-30T08:00").crossings
    ('kulma', 'kyzyl-art')
    """
    return _cache.editable(graph)
