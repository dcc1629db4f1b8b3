"""
The network: places and border posts as nodes, roads and crossing links as edges.

:func:`load_network` reads the embedded SCO dataset (``routes/``) into an
osmnx-compatible :class:`networkx.MultiDiGraph`; :func:`build_network` makes
the same kind of graph from Python objects (tests and what-if networks use
it). Graph conventions (see ``DESIGN.md``):

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

import difflib
import math
import unicodedata
import weakref
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from shapely.geometry import LineString, Point

from ._validate import check_network
from .cost import CostModel, load_cost_model
from .crossings import Crossing, Post
from .datasets import read_csv, read_toml, routes_dir
from .drivers import DriverRules, load_driver_rules
from .errors import DataError, UnknownPlaceError, UnknownRegimeError
from .regimes import Regime, load_country_clearance, load_regime
from .schedule import PostSchedule, zone

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "DesignatedRoute",
    "Place",
    "Segment",
    "Source",
    "build_network",
    "get_regime",
    "load_network",
    "resolve_place",
    "to_gdfs",
]

NODE_KINDS = ("city", "town", "port", "junction", "border_post")
ROAD_CLASSES = ("expressway", "trunk", "primary", "secondary")
TERRAINS = ("plain", "hill", "mountain")
EARTH_RADIUS_KM = 6371.0088
#: A road is never shorter than the straight line; allow for coordinate error.
MIN_CIRCUITY = 0.97
#: Longer than this many times the straight line is almost certainly a typo.
MAX_CIRCUITY = 3.5
DEFAULT_LINK_SPEED_KPH = 20.0


@dataclass(frozen=True, kw_only=True)
class Place:
    """A city, town, port or junction."""

    id: str
    name: str
    country: str
    kind: str
    lon: float
    lat: float
    tz: str
    aliases: tuple[str, ...] = ()
    elevation_m: float | None = None
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A road link between two nodes (both in one country), driven both ways.

    Parameters
    ----------
    id
        Segment id.
    u, v
        Node ids of the ends.
    distance_km
        Road length.
    road_class, terrain
        See :data:`ROAD_CLASSES` and :data:`TERRAINS`.
    speed_kph
        Truck speed without delay.
    geometry
        ``(lon, lat)`` points from ``u`` to ``v`` through intermediate towns or passes.
    source
        Sources of the distance (ids or ``ESTIMATE: ...``).
    speed_source
        Sources of the speed.
    via
        Names of the intermediate points, for display.
    """

    id: str
    u: str
    v: str
    distance_km: float
    road_class: str
    terrain: str
    speed_kph: float
    geometry: tuple[tuple[float, float], ...]
    source: str = ""
    speed_source: str = ""
    via: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DesignatedRoute:
    """A designated permit route or a documented alternative (``routes.toml``)."""

    id: str
    name: str
    kind: str
    status: str
    countries: tuple[str, ...]
    sequence: tuple[str, ...]
    source: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Source:
    """One entry of ``sources.csv``."""

    id: str
    title: str
    url: str = ""
    year: str = ""
    note: str = ""


# -- building --------------------------------------------------------------------------------------


def node_id(ref: str) -> int:
    """
    The integer node id of a dataset id (osmnx graphs have integer node ids).

    Stable across releases: a negative number derived from the id text, so it
    never collides with OpenStreetMap's positive node ids.

    Examples
    --------
    >>> node_id("kashgar") < 0
    True
    """
    return -(zlib.crc32(ref.encode("utf-8")) + 1)


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """
    Great-circle distance in km.

    Examples
    --------
    >>> round(haversine_km(69.2949, 41.3117, 75.9699, 39.4763))  # Tashkent-Kashgar
    601
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def haversine_km_to_many(lon: float, lat: float, lons: Any, lats: Any) -> Any:
    """
    Great-circle distances in km from one point to arrays of points (numpy), as :func:`haversine_km`.

    Examples
    --------
    >>> import numpy as np
    >>> [round(float(d)) for d in haversine_km_to_many(69.2949, 41.3117, np.array([75.9699, 69.2949]), np.array([39.4763, 41.3117]))]
    [601, 0]
    """
    import numpy as np

    p1, p2 = math.radians(lat), np.radians(lats)
    dl = np.radians(np.asarray(lons) - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


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
        Speed across the neutral zone between the two posts of a crossing.

    Returns
    -------
    networkx.MultiDiGraph
        Follows the conventions in the module docstring.

    Raises
    ------
    DataError
        If a segment refers to an unknown node or joins two countries.
    """
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
                travel_time=length_m / (link_speed_kph / 3.6),
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
        travel_time = length_m / (segment.speed_kph / 3.6)
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


# -- reading routes/ -------------------------------------------------------------------------------


def read_sources(path: Path) -> dict[str, Source]:
    """Read ``sources.csv`` into a dict of :class:`Source` by id."""
    sources: dict[str, Source] = {}
    for row in read_csv(path, required=("id", "title", "url", "year", "note")):
        sid = row.str("id")
        if sid in sources:
            raise row.error("id", f"{sid!r} appears twice")
        if sid.upper().startswith("ESTIMATE"):
            raise row.error("id", "ESTIMATE is reserved for derived figures")
        sources[sid] = Source(id=sid, title=row.str("title"), url=row.str("url", required=False), year=row.str("year", required=False), note=row.str("note", required=False))
    return sources


def check_source(text: str, sources: Mapping[str, Source], *, file: str, row: object, column: str) -> str:
    """
    Check a ``source`` cell: ``;``-separated source ids, or ``ESTIMATE: <method>``.

    An ``ESTIMATE`` part must say how the figure was derived (at least a few
    words). Returns the text unchanged.

    Raises
    ------
    DataError
        If the cell is empty, names an unknown source, or has a bare ESTIMATE.
    """
    text = text.strip()
    if not text:
        raise DataError("is empty; give source ids from sources.csv or 'ESTIMATE: <method>'", file=file, row=row, column=column)  # type: ignore[arg-type]
    head, sep, method = text.partition("ESTIMATE")
    if sep and len(method.strip(" :-").split()) < 3:
        raise DataError("says ESTIMATE without the method; write 'ESTIMATE: <how it was derived>'", file=file, row=row, column=column)  # type: ignore[arg-type]
    for token in head.replace(",", ";").split(";"):
        token = token.strip()
        if token and token not in sources:
            close = difflib.get_close_matches(token, list(sources), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError(f"names unknown source {token!r}{hint}", file=file, row=row, column=column)  # type: ignore[arg-type]
    return text


def _check_coords(row: Any, lon: float, lat: float) -> None:
    if not (-180 <= lon <= 180):
        raise row.error("lon", f"got {lon}; expected a longitude in degrees (-180..180)")
    if not (-90 <= lat <= 90):
        raise row.error("lat", f"got {lat}; expected a latitude in degrees (-90..90)")


def _read_places(path: Path, sources: Mapping[str, Source]) -> list[Place]:
    places: list[Place] = []
    seen: set[str] = set()
    for row in read_csv(path, required=("id", "name", "aliases", "country", "kind", "lon", "lat", "tz", "elevation_m", "source")):
        pid = row.str("id")
        if pid in seen:
            raise row.error("id", f"{pid!r} appears twice")
        seen.add(pid)
        kind = row.str("kind")
        if kind not in NODE_KINDS[:-1]:
            raise row.error("kind", f"got {kind!r}; expected one of {NODE_KINDS[:-1]}")
        lon, lat = row.float("lon"), row.float("lat")
        _check_coords(row, lon, lat)
        tz = row.str("tz")
        try:
            zone(tz)
        except ValueError as exc:
            raise row.error("tz", str(exc)) from None
        places.append(
            Place(
                id=pid,
                name=row.str("name"),
                country=_country(row, "country"),
                kind=kind,
                lon=lon,
                lat=lat,
                tz=tz,
                aliases=tuple(a.strip() for a in row.str("aliases", required=False).split("|") if a.strip()),
                elevation_m=row.optional_float("elevation_m"),
                source=check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"),
            )
        )
    return places


def _country(row: Any, column: str) -> str:
    code = row.str(column)
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        raise row.error(column, f"got {code!r}; expected an ISO 3166-1 alpha-2 code such as 'KG'")
    return str(code)


def _read_waypoints(path: Path, sources: Mapping[str, Source]) -> dict[str, tuple[str, float, float]]:
    points: dict[str, tuple[str, float, float]] = {}
    for row in read_csv(path, required=("id", "name", "country", "kind", "lon", "lat", "elevation_m", "source")):
        wid = row.str("id")
        if wid in points:
            raise row.error("id", f"{wid!r} appears twice")
        lon, lat = row.float("lon"), row.float("lat")
        _check_coords(row, lon, lat)
        row.optional_float("elevation_m")
        _country(row, "country")
        check_source(row.str("source"), sources, file=row.file, row=row.line, column="source")
        points[wid] = (row.str("name"), lon, lat)
    return points


def _read_crossings(path: Path, sources: Mapping[str, Source]) -> list[Crossing]:
    file = path.name
    doc = read_toml(path)
    out: list[Crossing] = []
    seen: set[str] = set()
    for index, spec in enumerate(doc.get("crossing", []), start=1):
        where = f"crossing {spec.get('id', index)}"
        for key in ("id", "name", "link_km", "source", "post"):
            if key not in spec:
                raise DataError(f"lacks key {key!r}", file=file, row=where, column=key)
        cid = str(spec["id"])
        if cid in seen:
            raise DataError(f"crossing id {cid!r} appears twice", file=file, row=where, column="id")
        seen.add(cid)
        link_km = spec["link_km"]
        if not isinstance(link_km, int | float) or isinstance(link_km, bool) or not (0 < link_km < 200):
            raise DataError(f"got {link_km!r}; expected a distance in km (0-200)", file=file, row=where, column="link_km")
        if len(spec["post"]) != 2:
            raise DataError(f"has {len(spec['post'])} posts; expected exactly 2 [[crossing.post]] tables", file=file, row=where, column="post")
        posts = []
        for pspec in spec["post"]:
            pwhere = f"{where} post {pspec.get('id', '?')}"
            for key in ("id", "name", "country", "lon", "lat", "tz", "source", "schedule", "schedule_source"):
                if key not in pspec:
                    raise DataError(f"lacks key {key!r}", file=file, row=pwhere, column=key)
            try:
                schedule = PostSchedule.build(tz=str(pspec["tz"]), **pspec["schedule"])
            except (TypeError, ValueError) as exc:
                raise DataError(str(exc), file=file, row=pwhere, column="schedule") from None
            for key in ("source", "schedule_source"):
                check_source(str(pspec[key]), sources, file=file, row=pwhere, column=key)
            lon, lat = pspec["lon"], pspec["lat"]
            if not all(isinstance(v, int | float) for v in (lon, lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise DataError(f"got lon={lon!r}, lat={lat!r}; expected WGS84 degrees", file=file, row=pwhere, column="lon")
            posts.append(
                Post(
                    id=str(pspec["id"]),
                    name=str(pspec["name"]),
                    country=str(pspec["country"]),
                    lon=float(lon),
                    lat=float(lat),
                    schedule=schedule,
                    elevation_m=pspec.get("elevation_m"),
                    source=str(pspec["source"]),
                )
            )
        if posts[0].country == posts[1].country:
            raise DataError("has two posts in the same country", file=file, row=where, column="post")
        out.append(
            Crossing(
                id=cid,
                name=str(spec["name"]),
                posts=(posts[0], posts[1]),
                link_km=float(link_km),
                aliases=tuple(spec.get("aliases", ())),
                notes=str(spec.get("notes", "")).strip(),
                source=check_source(str(spec["source"]), sources, file=file, row=where, column="source"),
            )
        )
    if not out:
        raise DataError("defines no [[crossing]] tables", file=file)
    return out


def _read_speeds(path: Path, sources: Mapping[str, Source]) -> dict[tuple[str, str, str], tuple[float, str]]:
    table: dict[tuple[str, str, str], tuple[float, str]] = {}
    for row in read_csv(path, required=("country", "road_class", "terrain", "speed_kph", "source")):
        key = (row.str("country"), row.str("road_class"), row.str("terrain"))
        if key[1] not in (*ROAD_CLASSES, "*"):
            raise row.error("road_class", f"got {key[1]!r}; expected one of {ROAD_CLASSES} or '*'")
        if key[2] not in (*TERRAINS, "*"):
            raise row.error("terrain", f"got {key[2]!r}; expected one of {TERRAINS} or '*'")
        speed = row.float("speed_kph", minimum=5)
        if key in table:
            raise row.error("country", f"the row {key} appears twice")
        table[key] = (speed, check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"))
    return table


def speed_for(table: Mapping[tuple[str, str, str], tuple[float, str]], country: str, road_class: str, terrain: str) -> tuple[float, str] | None:
    """Return the most specific ``(speed_kph, source)`` for a road, or ``None``."""
    for key in (
        (country, road_class, terrain),
        (country, road_class, "*"),
        (country, "*", terrain),
        (country, "*", "*"),
        ("*", road_class, terrain),
        ("*", road_class, "*"),
        ("*", "*", terrain),
        ("*", "*", "*"),
    ):
        if key in table:
            return table[key]
    return None


def _read_segments(
    path: Path,
    *,
    nodes: Mapping[str, tuple[str, float, float, str]],
    waypoints: Mapping[str, tuple[str, float, float]],
    speeds: Mapping[tuple[str, str, str], tuple[float, str]],
    sources: Mapping[str, Source],
) -> list[Segment]:
    segments: list[Segment] = []
    seen: set[str] = set()
    pairs: set[frozenset[str]] = set()
    for row in read_csv(path, required=("id", "from", "to", "distance_km", "road_class", "terrain", "via", "source", "note")):
        sid = row.str("id")
        if sid in seen:
            raise row.error("id", f"{sid!r} appears twice")
        seen.add(sid)
        ends = []
        for column in ("from", "to"):
            node = row.str(column)
            if node not in nodes:
                close = difflib.get_close_matches(node, list(nodes), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else "; add it to places.csv or crossings.toml"
                raise row.error(column, f"names unknown node {node!r}{hint}")
            ends.append(node)
        u, v = ends
        if u == v or frozenset(ends) in pairs:
            raise row.error("to", f"duplicates or loops the link {u}–{v}")
        pairs.add(frozenset(ends))
        road_class, terrain = row.str("road_class"), row.str("terrain")
        if road_class not in ROAD_CLASSES:
            raise row.error("road_class", f"got {road_class!r}; expected one of {ROAD_CLASSES}")
        if terrain not in TERRAINS:
            raise row.error("terrain", f"got {terrain!r}; expected one of {TERRAINS}")
        coords = [nodes[u][1:3]]
        via_names = []
        for wid in (w.strip() for w in row.str("via", required=False).split(";")):
            if not wid:
                continue
            if wid not in waypoints:
                close = difflib.get_close_matches(wid, list(waypoints), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else "; add it to waypoints.csv"
                raise row.error("via", f"names unknown waypoint {wid!r}{hint}")
            name, lon, lat = waypoints[wid]
            coords.append((lon, lat))
            via_names.append(name)
        coords.append(nodes[v][1:3])
        distance = row.float("distance_km", minimum=0.1)
        straight = haversine_km(*coords[0], *coords[-1])
        if distance < straight * MIN_CIRCUITY or distance > max(straight * MAX_CIRCUITY, 15):
            msg = f"{distance} km is implausible for ends {straight:.1f} km apart; expected {straight * MIN_CIRCUITY:.0f}-{straight * MAX_CIRCUITY:.0f} km"
            raise row.error("distance_km", msg)
        country = nodes[u][3]
        found = speed_for(speeds, country, road_class, terrain)
        if found is None:
            raise row.error("road_class", f"speeds.csv has no speed for {country}/{road_class}/{terrain}")
        segments.append(
            Segment(
                id=sid,
                u=u,
                v=v,
                distance_km=distance,
                road_class=road_class,
                terrain=terrain,
                speed_kph=found[0],
                geometry=tuple(coords),
                source=check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"),
                speed_source=found[1],
                via=tuple(via_names),
            )
        )
    return segments


def _read_routes(path: Path, sources: Mapping[str, Source]) -> list[DesignatedRoute]:
    file = path.name
    doc = read_toml(path)
    routes = []
    for index, spec in enumerate(doc.get("route", []), start=1):
        where = f"route {spec.get('id', index)}"
        for key in ("id", "name", "kind", "status", "countries", "sequence", "source"):
            if key not in spec:
                raise DataError(f"lacks key {key!r}", file=file, row=where, column=key)
        if spec["status"] not in ("confirmed", "reconstruction", "documented"):
            raise DataError(f"got {spec['status']!r}; expected confirmed, reconstruction or documented", file=file, row=where, column="status")
        routes.append(
            DesignatedRoute(
                id=str(spec["id"]),
                name=str(spec["name"]),
                kind=str(spec["kind"]),
                status=str(spec["status"]),
                countries=tuple(spec["countries"]),
                sequence=tuple(spec["sequence"]),
                source=check_source(str(spec["source"]), sources, file=file, row=where, column="source"),
                note=str(spec.get("note", "")).strip(),
            )
        )
    return routes


#: Public names of the ``crossings.toml`` and ``routes.toml`` readers (:mod:`transit.io` reads saved networks with them).
read_crossings = _read_crossings
read_routes = _read_routes


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
        osmnx-compatible; ``osmnx.graph_to_gdfs(net)`` works on it.

    Raises
    ------
    DataError
        If a file is malformed (names the file, row and column).

    Examples
    --------
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
        raise DataError(f"dataset directory {str(base)!r} does not exist; pass a folder laid out like routes/ or a .graphml file written by transit.save_network")
    key = (str(base.resolve()), _mtime(base))
    cached = _LOADED.get(key)
    if cached is not None:
        return _fresh_copy(cached)
    sources = read_sources(base / "sources.csv")
    places = _read_places(base / "places.csv", sources)
    crossings = _read_crossings(base / "crossings.toml", sources)
    node_index: dict[str, tuple[str, float, float, str]] = {p.id: (p.name, p.lon, p.lat, p.country) for p in places}
    for crossing in crossings:
        for post in crossing.posts:
            if post.id in node_index:
                raise DataError(f"post id {post.id!r} is also a place id", file="crossings.toml", row=crossing.id)
            node_index[post.id] = (post.name, post.lon, post.lat, post.country)
    segments = _read_segments(
        base / "segments.csv",
        nodes=node_index,
        waypoints=_read_waypoints(base / "waypoints.csv", sources),
        speeds=_read_speeds(base / "speeds.csv", sources),
        sources=sources,
    )
    crossing_map = {c.id: c for c in crossings}
    clearance = load_country_clearance(base / "clearance.csv")
    regimes = [load_regime(p, crossings=crossing_map, country_clearance=clearance) for p in sorted((base / "regimes").glob("*.toml"))]
    if not regimes:
        raise DataError("holds no regime files", file="regimes/")
    meta = read_toml(base / "dataset.toml")
    graph = build_network(
        places,
        crossings,
        segments,
        regimes=regimes,
        driver_rules=load_driver_rules(base / "drivers.toml"),
        cost_model=load_cost_model(base / "costs.toml"),
        routes=_read_routes(base / "routes.toml", sources),
        sources=sources.values(),
        name=str(meta.get("name", base.name)),
        dataset_version=str(meta.get("version", "unversioned")),
        link_speed_kph=float(meta.get("crossing_link_speed_kph", DEFAULT_LINK_SPEED_KPH)),
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


# -- lookups ---------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key (``Ürümqi`` -> ``urumqi``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if c.isalnum()).casefold()


@dataclass
class _Index:
    names: dict[str, int] = field(default_factory=dict)
    refs: dict[str, int] = field(default_factory=dict)
    crossings: dict[str, str] = field(default_factory=dict)
    display: list[str] = field(default_factory=list)
    coords: Any = None


_INDEXES: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Index] = weakref.WeakKeyDictionary()


def _index(graph: nx.MultiDiGraph) -> _Index:
    found = _INDEXES.get(graph)
    if found is not None:
        return found
    index = _Index()
    for node, data in graph.nodes(data=True):
        index.refs[str(data.get("ref", node))] = node
        if data.get("kind") == "border_post":
            continue
        for label in (str(data.get("ref", node)), data.get("name", ""), *data.get("aliases", ())):
            if label:
                index.names.setdefault(_fold(label), node)
        index.display.append(data.get("name", node))
    for crossing in graph.graph.get("crossings", {}).values():
        for label in (crossing.id, crossing.name, *crossing.aliases, *(p.name for p in crossing.posts)):
            index.crossings.setdefault(_fold(label), crossing.id)
        index.display.append(crossing.name)
    _INDEXES[graph] = index
    return index


def node_of(graph: nx.MultiDiGraph, ref: object) -> int:
    """Return the node for a dataset id (``"irkeshtam-kg"``) or a node id, posts included."""
    if ref in graph:
        return ref  # type: ignore[return-value]
    node = _index(graph).refs.get(ref) if isinstance(ref, str) else None
    if node is None:
        raise UnknownPlaceError(ref, suggestions=suggest(graph, ref))
    return node


def resolve_place(graph: nx.MultiDiGraph, name: str | int) -> int:
    """
    Return the node id of a place given by dataset id, name, alias, node id or ``(lat, lon)``.

    Matching ignores case, accents, spaces and punctuation. A ``(lat, lon)``
    pair snaps to the nearest node that is not a border post (:func:`snap`).

    Parameters
    ----------
    graph
        A network.
    name
        ``"Kashgar"``, ``"kashi"``, ``"Ürümqi"``... or ``(39.47, 75.99)``.

    Returns
    -------
    int
        Node id (see :func:`node_id`).

    Raises
    ------
    UnknownPlaceError
        With close matches, e.g. ``'Tashkentt'`` -> ``'Tashkent'``.

    Examples
    --------
    >>> net = load_network()
    >>> resolve_place(net, "Tashkentt")
    Traceback (most recent call last):
    ...
    transit.errors.UnknownPlaceError: unknown place 'Tashkentt'; did you mean 'Tashkent'? (see `transit places` for all names)
    """
    check_network(graph)
    if isinstance(name, tuple | list) and len(name) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in name):
        return snap(graph, float(name[0]), float(name[1]))
    if not isinstance(name, str) and name in graph and graph.nodes[name].get("kind") != "border_post":
        return name  # type: ignore[return-value]
    index = _index(graph)
    node = index.names.get(_fold(name)) if isinstance(name, str) else None
    if node is None:
        raise UnknownPlaceError(name, suggestions=suggest(graph, name))
    return node


#: A point farther than this from every node is refused by :func:`snap`, km.
SNAP_KM = 5.0


def snap(graph: nx.MultiDiGraph, lat: float, lon: float, *, max_km: float = SNAP_KM) -> int:
    """
    Return the node nearest to a point (border posts excluded), by great-circle distance.

    Parameters
    ----------
    graph
        A network.
    lat, lon
        WGS84 degrees.
    max_km
        Refuse points farther than this from every node.

    Raises
    ------
    UnknownPlaceError
        For a point more than ``max_km`` from any node, or outside -90..90 / -180..180, giving the distance.

    Examples
    --------
    >>> net = load_network()
    >>> net.nodes[snap(net, 39.47, 75.99)]["name"]
    'Kashgar'
    """
    import numpy as np

    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        error = UnknownPlaceError((lat, lon))
        error.args = (f"point ({lat}, {lon}) is not a (lat, lon) pair in degrees; expected -90..90 and -180..180, e.g. (39.47, 75.99)",)
        raise error
    index = _index(graph)
    if index.coords is None:
        ids = [n for n, d in graph.nodes(data=True) if d.get("kind") != "border_post"]
        index.coords = (ids, np.array([graph.nodes[n]["x"] for n in ids]), np.array([graph.nodes[n]["y"] for n in ids]))
    ids, lons, lats = index.coords
    km = haversine_km_to_many(lon, lat, lons, lats)
    best = int(np.argmin(km))
    if km[best] > max_km:
        msg = (
            f"point ({lat}, {lon}) is {km[best]:.1f} km from the nearest road node of this network "
            f"({graph.nodes[ids[best]].get('name', ids[best])}); the limit is {max_km:g} km: check the order (lat, lon) or use a place name"
        )
        error = UnknownPlaceError((lat, lon))
        error.args = (msg,)
        raise error
    return ids[best]


def resolve_waypoint(graph: nx.MultiDiGraph, name: str) -> tuple[str, Any]:
    """
    Resolve a ``via`` name to ``("place", node_id)`` or ``("crossing", crossing_id)``.

    Crossing names win over places of the same name (``"Irkeshtam"`` is the crossing).

    Raises
    ------
    UnknownPlaceError
        With close matches among places and crossings.
    """
    index = _index(graph)
    key = _fold(name) if isinstance(name, str) else ""
    if key in index.crossings:
        return ("crossing", index.crossings[key])
    return ("place", resolve_place(graph, name))


def suggest(graph: nx.MultiDiGraph, name: object, *, n: int = 3) -> list[str]:
    """Return up to ``n`` display names close to ``name``: the best match and any nearly as good."""
    index = _index(graph)
    key = _fold(str(name))
    by_fold = {_fold(d): d for d in index.display}
    scored = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in by_fold), reverse=True)
    if not scored or scored[0][0] < 0.6:
        return []
    best = scored[0][0]
    return [by_fold[k] for ratio, k in scored[:n] if ratio >= max(0.6, best - 0.1)]


def get_regime(graph: nx.MultiDiGraph, regime: str | Regime) -> Regime:
    """
    Return the :class:`~transit.regimes.Regime` for an id, or pass a Regime through.

    Raises
    ------
    UnknownRegimeError
        Listing the valid ids.

    Examples
    --------
    >>> get_regime(load_network(), "sco2017")
    Traceback (most recent call last):
    ...
    transit.errors.UnknownRegimeError: unknown regime 'sco2017'; expected one of 'pre-2017', 'sco-2017' (did you mean 'sco-2017'?)
    """
    check_network(graph)
    if isinstance(regime, Regime):
        return regime
    regimes: Mapping[str, Regime] = graph.graph.get("regimes", {})
    if isinstance(regime, str) and regime in regimes:
        return regimes[regime]
    valid = ", ".join(repr(r) for r in sorted(regimes))
    close = difflib.get_close_matches(str(regime), list(regimes), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    msg = f"unknown regime {regime!r}; expected one of {valid}{hint}"
    raise UnknownRegimeError(msg, valid=sorted(regimes))


# -- GeoDataFrames ---------------------------------------------------------------------------------


def to_gdfs(graph: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """
    Return places, crossings and segments as GeoDataFrames in EPSG:4326.

    Parameters
    ----------
    graph
        A network.

    Returns
    -------
    places, crossings, segments : geopandas.GeoDataFrame
        ``places`` indexed by node id (points); ``crossings`` by crossing id
        (point midway between the posts, with each post's schedule);
        ``segments`` by segment id (one row per road, not per direction).

    Examples
    --------
    >>> places, crossings, segments = to_gdfs(load_network())
    >>> places.crs.to_string(), crossings.loc["irkeshtam", "countries"]
    ('EPSG:4326', 'KG-CN')
    """
    import geopandas as gpd

    check_network(graph)
    place_rows = [
        {
            "id": d.get("ref", n),
            "node": n,
            "name": d["name"],
            "country": d["country"],
            "kind": d["kind"],
            "tz": d["tz"],
            "elevation_m": d.get("elevation_m"),
            "aliases": "|".join(d.get("aliases", ())),
            "source": d.get("source", ""),
            "geometry": Point(d["x"], d["y"]),
        }
        for n, d in graph.nodes(data=True)
        if d["kind"] != "border_post"
    ]
    crossing_rows = []
    for c in graph.graph.get("crossings", {}).values():
        a, b = c.posts
        crossing_rows.append(
            {
                "id": c.id,
                "name": c.name,
                "countries": f"{a.country}-{b.country}",
                "posts": f"{a.name} / {b.name}",
                "link_km": c.link_km,
                "elevation_m": max((p.elevation_m for p in c.posts if p.elevation_m is not None), default=None),
                f"schedule_{a.country}": a.schedule.describe(),
                f"schedule_{b.country}": b.schedule.describe(),
                "notes": c.notes,
                "source": c.source,
                "geometry": Point((a.lon + b.lon) / 2, (a.lat + b.lat) / 2),
            }
        )
    segment_rows = []
    seen: set[str] = set()
    for u, v, d in graph.edges(data=True):
        if d.get("kind") != "road" or d["segment_id"] in seen:
            continue
        seen.add(d["segment_id"])
        segment_rows.append(
            {
                "id": d["segment_id"],
                "from": graph.nodes[u].get("ref", u),
                "to": graph.nodes[v].get("ref", v),
                "u": u,
                "v": v,
                "country": d["country"],
                "distance_km": d["length"] / 1000,
                "speed_kph": d["speed_kph"],
                "travel_time_h": d["travel_time"] / 3600,
                "road_class": d["road_class"],
                "terrain": d["terrain"],
                "via": "; ".join(d.get("via", ())),
                "source": d.get("source", ""),
                "geometry": d["geometry"],
            }
        )
    frames = []
    for rows in (place_rows, crossing_rows, segment_rows):
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326") if rows else gpd.GeoDataFrame({"id": [], "geometry": []}, geometry="geometry", crs="EPSG:4326")
        frames.append(gdf.set_index("id"))
    return frames[0], frames[1], frames[2]
