"""
Road networks from OpenStreetMap files, with borders, crossings and truck speeds.

:func:`graph_from_osm` turns an OSM extract (``.osm``, ``.osm.bz2`` or ``.osm.pbf``, offline) into a network that
follows the same conventions as the embedded one (:mod:`transit.network`), so :func:`transit.plan_trip`,
:func:`transit.compare`, :func:`transit.reliability` and the charts work on it unchanged:

1. **Read.** pyosmium reads the file once (any of the three formats) and keeps the ways a truck uses
   (:data:`TRUCK_HIGHWAYS` by default, less those closed to trucks: ``hgv=no``, ``access=no`` and the like), the
   nodes they pass through, border posts (``barrier=border_control``),
   named places (``place=city|town|village``) and national boundaries (``boundary=administrative``,
   ``admin_level=2``, assembled into polygons where the file holds them whole). The roads are streamed into
   numpy arrays (node ids, coordinates, way offsets, one copy of each distinct set of tags; other ways and areas
   are filtered out in C++), and the unsimplified graph is arrays too: the edges osmnx's
   ``graph_from_xml(bidirectional=False)`` would make (its one-way rules, great-circle ``length``), in its order.
   No intermediate file; osmnx's settings are not touched. Memory: about 4-8 MB per MB of PBF above an idle
   process on 10-200 MB files (``bench/bench_osm_scale.py``).
2. **Countries.** Each node gets the country of the boundary polygon it lies in; where the file holds no whole
   boundary, Natural Earth's countries shipped with transit (1:10m for Eurasia, 1:50m elsewhere; public domain)
   decide, never naming a country whose own boundary the file holds (a node outside the file's Liechtenstein is
   not in Liechtenstein, whatever a coarser polygon says). Each node's time zone is its country's (Chinese nodes
   keep Beijing time); countries with several zones take the nearest zone of ``zone.tab``.
3. **Truck speeds** (:func:`truck_speed_kph`): ``maxspeed:hgv``, else ``maxspeed``, else the road class's
   default (:data:`TRUCK_SPEED_KPH`, ESTIMATE), never above the class default for a truck; times a terrain factor
   (:data:`TERRAIN_FACTOR`). The vehicle's own cap applies at simulation time.
4. **Routable.** Only the largest strongly connected component of the roads is kept (as
   ``osmnx.truncate.largest_component(strongly=True)``), so every node reaches every other and places and
   ``(lat, lon)`` points snap to routable nodes. Border posts and crossings left out with a small component (a
   one-way piece cut by the edge of the extract) are named in an :class:`UnreachablePostWarning`.
5. **Simplify** by osmnx's rules (``simplify_graph(node_attrs_include=...)``: its endpoints, paths, summed
   ``length`` and ``travel_time``, merged attributes and ``geometry``), applied to the arrays, keeping as nodes
   the border posts, both ends of every road where the country changes, and the road nodes that named places snap
   to; only the simplified graph becomes networkx objects. The result is the graph the osmnx pipeline built
   (same nodes, edges, keys, attributes and order; checked against it in the tests) but for
   ``graph.graph["created_with"]``, which names transit.
6. **Crossings.** Every edge whose ends lie in different countries is a crossing link. Links of the same pair of
   countries within :data:`CLUSTER_KM` of each other (two carriageways, a post on each side) form one crossing with
   two posts. A crossing with ``barrier=border_control`` nodes within that distance is *controlled*; one without is
   an *open* border (the Schengen area, a customs union). Given the curated network (``crossings=``), a crossing
   within ``match_km`` of a curated crossing between the same two countries takes its id, name, schedules and the
   regimes' rules; any other crossing gets the documented default model (:data:`DEFAULT_CONTROLLED`,
   :data:`DEFAULT_OPEN`) and, if controlled, a warning naming it.

The driver rules, the cost model and the regimes' names come from the embedded dataset, so ``regime="sco-2017"``
works on any graph.

Examples
--------
>>> import transit
>>> import warnings
>>> from transit.datasets import sample_osm
>>> warnings.simplefilter("ignore", UnmatchedCrossingWarning)  # the hand-made file's other posts get the default model
>>> net = transit.graph_from_osm(sample_osm("corridor_kashgar_tashkent_with_admin.osm"),
...                              crossings=transit.load_network(), match_km=25)  # hand-made: approximate coordinates
>>> sorted(c for c in net.graph["crossings"])
['dostuk', 'irkeshtam', 'kara-suu', 'osm-kg-uz-1', 'osm-kg-uz-2']
>>> trip = transit.plan_trip(net, "Kashgar", "Osh", regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.crossings
('irkeshtam',)
"""

from __future__ import annotations

import bz2
import dataclasses
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from . import _cache
from ._extras import missing_extra
from ._osm_graph import Roads, largest_component, road_arrays, simplified_graph
from ._osm_read import PLACE_KINDS, Extract, countries_at, read_extract, tz_of
from ._timeline_files import timeline_from_text
from ._units import KPH_PER_MPS
from .crossings import Crossing, Post
from .errors import DataError, InvalidArgumentError
from .geo import haversine_km, haversine_km_to_many
from .regimes import CrossingRule, Delay
from .schedule import PostSchedule
from .timeline import Timeline

__all__ = [
    "CLUSTER_KM",
    "DEFAULT_CONTROLLED",
    "DEFAULT_OPEN",
    "MATCH_KM",
    "MIN_MAXSPEED_KPH",
    "TERRAIN_FACTOR",
    "TRUCK_HIGHWAYS",
    "TRUCK_SPEED_KPH",
    "ImplausibleMaxspeedWarning",
    "UnmatchedCrossingWarning",
    "UnreachablePostWarning",
    "graph_from_osm",
    "truck_speed_kph",
]

#: Road classes a truck uses, kept by default (``highway=unclassified`` keeps rural networks connected).
TRUCK_HIGHWAYS = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
)
#: Default truck speed by road class, km/h. ESTIMATE: the common legal limits for heavy goods vehicles in Europe and
#: Central Asia are 80 km/h on motorways and 60-70 km/h outside towns; lower classes are taken 10 km/h apart, links
#: at the speed of a ramp. Also the cap for a signed limit (a car's 120 km/h is not a truck's).
TRUCK_SPEED_KPH = {
    "motorway": 80.0,
    "trunk": 70.0,
    "primary": 60.0,
    "secondary": 50.0,
    "tertiary": 45.0,
    "unclassified": 35.0,
    "motorway_link": 50.0,
    "trunk_link": 45.0,
    "primary_link": 40.0,
    "secondary_link": 35.0,
    "tertiary_link": 30.0,
}
#: Speed factor by terrain. ESTIMATE, as in the curated dataset (``routes/speeds.csv``: plain and mountain 10% above
#: and below hill speeds, here relative to plain). OSM holds no terrain; every road is ``plain`` unless a way is
#: tagged ``incline`` (``hill``) or named a pass (``mountain``).
TERRAIN_FACTOR = {"plain": 1.0, "hill": 0.9, "mountain": 0.8}
#: Links of the same pair of countries closer than this form one crossing, and border posts closer than this belong to it.
CLUSTER_KM = 1.5
#: A found crossing takes the curated model of a crossing of the same two countries within this distance.
MATCH_KM = 10.0
#: Default model of a controlled crossing that matches no curated one. ESTIMATE: a quiet post, open 24/7, with the
#: formalities of a bilateral road permit; no transshipment.
DEFAULT_CONTROLLED = {"queue_median_h": 0.5, "queue_p90_h": 2.0, "clearance_median_h": 0.5, "clearance_p90_h": 1.0}
#: Default model of an open border (no border post in the file): no stop.
DEFAULT_OPEN = {"queue_median_h": 0.0, "queue_p90_h": 0.0, "clearance_median_h": 0.0, "clearance_p90_h": 0.0}
_ESTIMATE_SOURCE = "ESTIMATE: transit.osm default model for a crossing found in OpenStreetMap data with no curated match"
_PLACE_SNAP_KM = 2.0
_OSM_SOURCE = "© OpenStreetMap contributors (ODbL)"


#: A signed ``maxspeed`` below this is taken for a tagging error (``maxspeed=1`` made a 443 h trip) and ignored: the
#: road gets its class's default speed and the build warns (:class:`ImplausibleMaxspeedWarning`). ESTIMATE: the lowest
#: limits signed on roads of the kept classes (ports, works, border approaches) are 10 km/h.
MIN_MAXSPEED_KPH = 10.0


class UnmatchedCrossingWarning(UserWarning):
    """A controlled border crossing found in OSM data matched no curated crossing and got the default model."""


class ImplausibleMaxspeedWarning(UserWarning):
    """Roads whose ``maxspeed`` tag is implausibly low were given their class's default speed instead."""


class UnreachablePostWarning(UserWarning):
    """A border post or crossing in the file lies off the routable network (outside its largest strongly connected component) and was left out."""


# -- speeds ----------------------------------------------------------------------------------------

_MPH = 1.609344


def _parse_speed(value: object) -> float | None:
    """Return a ``maxspeed`` value in km/h (``"60"``, ``"40 mph"``, ``"60;80"`` takes the lower), or ``None``."""
    if isinstance(value, list):
        parsed = [s for s in (_parse_speed(v) for v in value) if s is not None]
        return min(parsed) if parsed else None
    if not isinstance(value, str):
        return None
    speeds = []
    for part in value.split(";"):
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$", part)
        if match:
            speed = float(match.group(1)) * (_MPH if match.group(2) == "mph" else 1.0)
            if speed >= MIN_MAXSPEED_KPH:  # below: a tagging error, treated as missing (see MIN_MAXSPEED_KPH)
                speeds.append(speed)
    return min(speeds) if speeds else None


def truck_speed_kph(tags: dict[str, Any], *, terrain: str = "plain") -> float:
    """
    Truck speed on a road, km/h.

    ``maxspeed:hgv`` if tagged, else ``maxspeed``, capped by the road class's truck speed
    (:data:`TRUCK_SPEED_KPH`), else that class speed; times :data:`TERRAIN_FACTOR`. A signed limit below
    :data:`MIN_MAXSPEED_KPH` (``maxspeed=1``) is taken for a tagging error and treated as missing
    (:func:`graph_from_osm` warns about such roads).

    Examples
    --------
    >>> truck_speed_kph({"highway": "primary", "maxspeed": "1"})  # implausible: the class default
    60.0
    >>> truck_speed_kph({"highway": "motorway", "maxspeed": "120"})
    80.0
    >>> truck_speed_kph({"highway": "primary", "maxspeed": "50", "maxspeed:hgv": "40"})
    40.0
    >>> truck_speed_kph({"highway": "secondary"}, terrain="mountain")
    40.0
    """
    highway = tags.get("highway")
    if isinstance(highway, list):
        highway = highway[0]
    default = TRUCK_SPEED_KPH.get(str(highway), TRUCK_SPEED_KPH["unclassified"])
    signed = _parse_speed(tags.get("maxspeed:hgv")) or _parse_speed(tags.get("maxspeed"))
    speed = min(signed, default) if signed else default
    return speed * TERRAIN_FACTOR.get(terrain, 1.0)


def _implausible_maxspeed(tags: dict[str, Any]) -> str | None:
    """Return the ``maxspeed``/``maxspeed:hgv`` value of a road that :func:`truck_speed_kph` ignores as implausible, if any."""
    for key in ("maxspeed:hgv", "maxspeed"):
        value = tags.get(key)
        for part in value if isinstance(value, list) else [value]:
            if not isinstance(part, str):
                continue
            for piece in part.split(";"):
                match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$", piece)
                if match and float(match.group(1)) * (_MPH if match.group(2) == "mph" else 1.0) < MIN_MAXSPEED_KPH:
                    return f"{key}={part!r}"
    return None


def _terrain(tags: dict[str, Any], *, u_pass: bool, v_pass: bool) -> str:
    if u_pass or v_pass:
        return "mountain"
    if tags.get("incline") not in (None, "0", "0%"):
        return "hill"
    return "plain"


# -- the graph -------------------------------------------------------------------------------------


def _check_path(path: str | Path) -> Path:
    if not isinstance(path, str | Path) or not str(path):
        msg = (
            f"path={path!r} is not a file path; expected a str or pathlib.Path of an .osm, .osm.bz2 or .osm.pbf file, "
            "e.g. 'liechtenstein-latest.osm.pbf'"
        )
        raise InvalidArgumentError(msg)
    p = Path(path)
    name = p.name.lower()
    if not name.endswith((".osm", ".osm.bz2", ".pbf", ".xml", ".osm.xml")):
        msg = f"{str(path)!r} is not an OpenStreetMap file name; expected .osm, .osm.bz2 or .osm.pbf (e.g. a Geofabrik extract)"
        raise InvalidArgumentError(msg)
    if not p.is_file():
        msg = f"no OpenStreetMap file at {str(path)!r}; check the path (osm data is read offline, never downloaded)"
        raise InvalidArgumentError(msg)
    if p.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes); expected OpenStreetMap data: download or export it again", file=str(p))
    if name.endswith(".bz2"):
        try:
            with bz2.open(p, "rb") as f:  # a clear error now rather than deep inside the reader
                while f.read(1 << 20):
                    pass
        except (EOFError, OSError) as exc:
            msg = f"not a whole bzip2 stream ({exc}); the file is cut short or not bzip2: download it again (`bzip2 -t` checks it)"
            raise DataError(msg, file=str(p)) from None
    return p


def _check_options(crossings: object, match_km: object) -> None:
    if crossings is not None and not (isinstance(crossings, nx.MultiDiGraph) and isinstance(crossings.graph.get("crossings"), dict)):
        msg = (
            f"crossings={crossings!r} is not a transit network; expected None or a network holding curated crossings, "
            "e.g. crossings=transit.load_network()"
        )
        raise InvalidArgumentError(msg)
    if isinstance(match_km, bool) or not isinstance(match_km, int | float) or not math.isfinite(match_km) or match_km < 0:
        msg = f"match_km={match_km!r} is not a distance; expected a finite number of km >= 0, e.g. match_km={MATCH_KM:g} (the default)"
        raise InvalidArgumentError(msg)


def graph_from_osm(
    path: str | Path,
    *,
    crossings: nx.MultiDiGraph | None = None,
    highways: Iterable[str] = TRUCK_HIGHWAYS,
    match_km: float = MATCH_KM,
    name: str | None = None,
) -> nx.MultiDiGraph:
    """
    Build a transit network from an OpenStreetMap file, offline.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` (a Geofabrik extract, say).
    crossings
        A network whose curated crossings (schedules, regime rules) the crossings found in the file take on when
        they lie within ``match_km`` of one between the same two countries: usually
        :func:`transit.load_network`. Default: none, every crossing gets the default model.
    highways
        OSM ``highway`` classes to keep (default :data:`TRUCK_HIGHWAYS`).
    match_km
        Matching distance for curated crossings.
    name
        Graph name; default the file name.

    Returns
    -------
    networkx.MultiDiGraph
        Node ids are OSM node ids; nodes carry ``x``, ``y``, ``country``, ``tz``, ``kind`` (``junction``, ``city``,
        ``town`` or ``border_post``) and ``name`` where known; edges ``length`` (m), ``speed_kph``, ``travel_time``
        (s), ``geometry``, ``road_class``, ``terrain``, ``country``, ``segment_id`` and ``source``, and crossing
        links ``kind="crossing"`` and ``crossing_id``. ``graph.graph["osm_crossings"]`` describes each crossing
        found (controlled or open, matched or default). Frozen: edit a copy from :func:`transit.editable`.

        ``graph.graph["osm_components"]`` says how many strongly connected components the roads formed and what
        was left out: only the largest is kept, so every node reaches every other.

        The graph is the one reading the roads with osmnx (``graph_from_xml``) and simplifying with
        ``osmnx.simplify_graph`` gave, built in arrays instead (country-size extracts fit in memory): the same nodes,
        edges, keys, attributes and iteration order; only ``graph.graph["created_with"]`` and ``["created_date"]``
        differ. An attribute whose merged segments differ (``highway``, ``osmid``...) holds the list of its values, as
        in osmnx, but sorted (osmnx's ``list(set(values))`` changes order from one process to the next); a merged
        edge's ``road_class`` is its most important class (:data:`TRUCK_HIGHWAYS` order) and its ``terrain`` the
        steepest, so the same file gives the same graph in every process.

    Raises
    ------
    MissingExtraError
        When pyosmium is not installed: ``pip install 'sco-transit[osm]'``.
    InvalidArgumentError
        For a path that is not an OSM file (or not a path at all), ``crossings`` that is not a network, or a
        ``match_km`` that is negative or not finite.
    DataError
        For a file that cannot be read (empty, a cut-short ``.osm.bz2``, a node whose latitude or longitude is not
        a number of degrees in range: the node id is named), or that holds no road of the kept classes.

    Warns
    -----
    UnmatchedCrossingWarning
        For each controlled crossing that got the default model, naming it.
    ImplausibleMaxspeedWarning
        For roads whose ``maxspeed`` is below :data:`MIN_MAXSPEED_KPH`, which get their class's default speed.
    UnreachablePostWarning
        For border posts or crossing roads left out with the small strongly connected components.

    Examples
    --------
    >>> import networkx as nx
    >>> import warnings
    >>> from transit.datasets import sample_osm
    >>> with warnings.catch_warnings():  # the hand-made posts match no curated crossing: default model, with a warning
    ...     warnings.simplefilter("ignore", UnmatchedCrossingWarning)
    ...     net = graph_from_osm(sample_osm("corridor_kashgar_tashkent.osm"))
    >>> nx.is_strongly_connected(net)
    True
    >>> graph_from_osm(sample_osm(), match_km=-1)
    Traceback (most recent call last):
    ...
    transit.errors.InvalidArgumentError: match_km=-1 is not a distance; expected a finite number of km >= 0, e.g. match_km=10 (the default)
    """
    from .network import load_network

    try:
        import osmium  # noqa: F401  (used by read_extract; checked first for a clear error)
    except ModuleNotFoundError as exc:
        raise missing_extra("osm", exc) from None
    source = _check_path(path)
    _check_options(crossings, match_km)
    keep = frozenset(highways)
    unknown = keep - set(TRUCK_SPEED_KPH) - {"residential", "living_street", "service", "road", "track"}
    if not keep or unknown:
        msg = f"highways={sorted(keep)!r} holds classes transit has no truck speed for: {sorted(unknown)}; use some of {', '.join(TRUCK_HIGHWAYS)}"
        raise InvalidArgumentError(msg)
    extract = read_extract(source, keep)
    if not extract.road_count():
        raise DataError(f"holds no road of the classes {', '.join(sorted(keep))}", file=source.name)
    roads = road_arrays(extract)
    extract.release_nodes()  # the graph's arrays hold what is needed of them now
    country = _countries(roads.lon, roads.lat, extract.boundaries)
    keep_node = np.isin(roads.ids, np.fromiter(extract.posts, dtype=np.int64, count=len(extract.posts)))
    changes = country[roads.src] != country[roads.dst]
    keep_node[roads.src[changes]] = True
    keep_node[roads.dst[changes]] = True
    terrain, speed, seconds = _edge_speeds(roads, extract, source=source)
    kept, count = largest_component(roads)
    components = _component_summary(roads, kept, count, extract.posts, country, source=source)
    routable, edges = roads.take_nodes(kept)
    del roads
    keep_node, country = keep_node[kept], country[kept]
    snapped, at = _snap_places(routable.ids, routable.lon, routable.lat, extract.places)
    keep_node[at] = True
    graph = simplified_graph(
        routable,
        extract,
        keep=keep_node,
        country=country,
        terrain=terrain[edges],
        speed_kph=speed[edges],
        travel_time_s=seconds[edges],
        terrain_names=_TERRAINS,
    )
    del routable
    graph = _finish(graph, extract.posts, snapped, source=source, curated=crossings, match_km=match_km, name=name, embedded=load_network())
    graph.graph["osm_components"] = components
    return _cache.freeze(graph)


_TERRAINS = ("plain", "hill", "mountain")
#: Places x nodes up to which places snap by measuring every node (above: through a k-d tree).
_SNAP_BRUTE_FORCE = 20_000_000
#: Points whose country is looked up at a time (shapely points are about 100 bytes each).
_COUNTRY_CHUNK = 100_000


def _countries(lon: np.ndarray, lat: np.ndarray, boundaries: dict[str, Any]) -> np.ndarray:
    """Country code of every node (:func:`countries_at` in chunks, so its shapely points stay few)."""
    out = np.empty(len(lon), dtype=object)
    for lo in range(0, len(lon), _COUNTRY_CHUNK):
        hi = lo + _COUNTRY_CHUNK
        out[lo:hi] = countries_at(lon[lo:hi], lat[lo:hi], boundaries)
    return out


def _edge_speeds(roads: Roads, extract: Extract, *, source: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """
    Each edge's terrain (an index into ``_TERRAINS``), truck speed (km/h) and travel time (s).

    The speed depends only on a way's tags and the terrain, so it is worked out once per distinct set of tags.
    Warns (:class:`ImplausibleMaxspeedWarning`) about the roads whose ``maxspeed`` is ignored, in edge order.
    """
    passes = np.isin(roads.ids, np.fromiter(extract.passes, dtype=np.int64, count=len(extract.passes)))
    tags = extract.tag_sets
    hill = np.array([_terrain(t, u_pass=False, v_pass=False) == "hill" for t in tags], dtype=bool)
    table = np.array([[truck_speed_kph(t, terrain=name) for name in _TERRAINS] for t in tags], dtype=float).reshape(len(tags), len(_TERRAINS))
    bad = [_implausible_maxspeed(t) for t in tags]
    tag_of_edge = extract.way_tags[roads.way]
    terrain = np.where(passes[roads.src] | passes[roads.dst], 2, np.where(hill[tag_of_edge], 1, 0)).astype(np.int8)
    speed = table[tag_of_edge, terrain]
    seconds = roads.length_m / (speed / KPH_PER_MPS)  # travel_time_s, element by element
    flagged = np.array([b is not None for b in bad], dtype=bool)
    if flagged.any():
        ways = roads.way[flagged[tag_of_edge]]
        _, first = np.unique(ways, return_index=True)
        ordered = ways[np.sort(first)]
        shown = list(dict.fromkeys(f"way {int(extract.way_ids[w])} {bad[int(extract.way_tags[w])]}" for w in ordered))
        warnings.warn(
            f"{source.name}: {len(shown)} road(s) with a maxspeed below {MIN_MAXSPEED_KPH:g} km/h, taken for a tagging error and given "
            f"their road class's default truck speed (TRUCK_SPEED_KPH) instead: {'; '.join(shown[:5])}{' ...' if len(shown) > 5 else ''}. "
            "Fix the tag in the file if the limit is real.",
            ImplausibleMaxspeedWarning,
            stacklevel=3,
        )
    return terrain, speed, seconds


def _component_summary(
    roads: Roads, kept: np.ndarray, count: int, posts: dict[int, tuple[float, float, str]], country: np.ndarray, *, source: Path
) -> dict[str, Any]:
    """
    Say what keeping only the largest strongly connected component of the roads leaves out, so every node reaches every other.

    As ``osmnx.truncate.largest_component(strongly=True)``, on the unsimplified roads (places then snap to kept
    nodes only). The pieces left out are one-way stubs and loops that a truck can enter but not leave, or leave but
    not enter: mostly roads cut by the edge of the extract. A border post (``barrier=border_control``) or a change of
    country on such a piece cannot be part of a route both ways, so it is left out too: never kept as a trap that
    routes only one way. Each is named in an :class:`UnreachablePostWarning` and listed in the summary returned
    (``graph.graph["osm_components"]``); the fix is an extract that reaches further beyond the border.
    """
    on_roads = np.isin(roads.ids, np.fromiter(posts, dtype=np.int64, count=len(posts)))
    dropped_posts = sorted(int(n) for n in roads.ids[on_roads & ~kept])
    cut = (country[roads.src] != country[roads.dst]) & ~(kept[roads.src] & kept[roads.dst])
    pairs = {(int(roads.ids[u]), int(roads.ids[v])): (country[u], country[v]) for u, v in zip(roads.src[cut], roads.dst[cut], strict=True)}
    dropped_links = sorted(pairs)
    summary = {
        "components": count,
        "kept_nodes": int(kept.sum()),
        "dropped_nodes": len(kept) - int(kept.sum()),
        "dropped_posts": tuple(dropped_posts),
        "dropped_crossing_links": tuple(dropped_links),
    }
    if dropped_posts or dropped_links:
        names = [f"post {posts[n][2] or 'unnamed'} (node {n})" for n in dropped_posts]
        names += [f"{pairs[u, v][0]}-{pairs[u, v][1]} road between nodes {u} and {v}" for u, v in dropped_links]
        warnings.warn(
            f"{source.name}: left out {len(names)} border post(s) or crossing road(s) that lie off the routable network "
            f"(a one-way piece a truck could enter but not leave, usually cut by the edge of the extract): {'; '.join(names[:5])}"
            f"{' ...' if len(names) > 5 else ''}. Use an extract that reaches further beyond the border to keep them.",
            UnreachablePostWarning,
            stacklevel=3,
        )
    return summary


def _snap_places(
    nodes: np.ndarray, lon: np.ndarray, lat: np.ndarray, places: list[tuple[str, str, float, float, tuple[str, ...]]]
) -> tuple[dict[Any, tuple[str, str, tuple[str, ...]]], list[int]]:
    """
    Named places -> the nearest road node (within 2 km), which simplification then keeps; and those nodes' positions.

    The nearest by :func:`transit.geo.haversine_km_to_many` over all nodes, ties to the first node; a k-d tree on
    the unit sphere finds the few candidates (the chord orders points as the great circle does), so a country's
    thousands of places do not each measure every node.
    """

    def unit(lon_deg: Any, lat_deg: Any) -> np.ndarray:
        lo, la = np.radians(lon_deg), np.radians(lat_deg)
        return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))

    def candidates(plon: float, plat: float) -> np.ndarray:
        if tree is None:  # a small file: every node (no k-d tree to build, no scipy.spatial to import)
            return everything
        point = unit(plon, plat)[0]
        chord, _ = tree.query(point)
        return np.sort(np.asarray(tree.query_ball_point(point, float(chord) * (1 + 1e-6) + 1e-9), dtype=np.int64))

    tree = None
    everything = np.arange(len(lon))
    if len(places) * len(lon) > _SNAP_BRUTE_FORCE:
        from scipy.spatial import KDTree

        tree = KDTree(unit(lon, lat))
    rank = {"city": 0, "town": 1, "village": 2}
    out: dict[Any, tuple[str, str, tuple[str, ...]]] = {}
    at: list[int] = []
    for place_name, place, plon, plat, aliases in sorted(places, key=lambda p: rank[p[1]]):
        near = candidates(plon, plat)
        d = haversine_km_to_many(plon, plat, lon[near], lat[near])
        j = int(np.argmin(d))
        i = int(near[j])
        if d[j] > _PLACE_SNAP_KM:
            continue
        node = int(nodes[i])
        if node in out:
            kept = out[node]
            out[node] = (kept[0], kept[1], (*kept[2], place_name, *aliases))
            continue
        out[node] = (place_name, PLACE_KINDS[place], aliases)
        at.append(i)
    return out, at


def _finish(
    graph: nx.MultiDiGraph,
    posts: dict[int, tuple[float, float, str]],
    snapped: dict[Any, tuple[str, str, tuple[str, ...]]],
    *,
    source: Path,
    curated: nx.MultiDiGraph | None,
    match_km: float,
    name: str | None,
    embedded: nx.MultiDiGraph,
) -> nx.MultiDiGraph:
    from shapely.geometry import LineString

    graph.graph.update(crs="EPSG:4326", name=name or source.name, dataset_version=f"osm:{source.name}")
    for node, data in graph.nodes(data=True):
        data.pop("_keep", None)
        data.pop("street_count", None)
        data["tz"] = tz_of(data["country"], data["x"], data["y"])
        data["kind"] = "junction"
        data["ref"] = f"osm:{node}"
        if node in snapped:
            place_name, kind, aliases = snapped[node]
            data.update(name=place_name, kind=kind, aliases=tuple(dict.fromkeys(a for a in aliases if a != place_name)))
        elif data.get("barrier") != "border_control":
            data.pop("name", None)
        data.setdefault("name", f"node {node}")
    for u, v, k, data in graph.edges(keys=True, data=True):
        highway = data.get("highway")
        data["road_class"] = _main(highway, _CLASS_RANK) if isinstance(highway, list) else highway
        terrain = data.get("terrain", "plain")
        data["terrain"] = _main(terrain, _TERRAIN_RANK) if isinstance(terrain, list) else terrain
        data["speed_kph"] = data["length"] / data["travel_time"] * KPH_PER_MPS if data["travel_time"] > 0 else TRUCK_SPEED_KPH["unclassified"]
        data["country"] = graph.nodes[u]["country"]
        data["segment_id"] = f"osm:{u}-{v}-{k}"
        data["source"] = _OSM_SOURCE
        if "geometry" not in data:
            data["geometry"] = LineString([(graph.nodes[u]["x"], graph.nodes[u]["y"]), (graph.nodes[v]["x"], graph.nodes[v]["y"])])
    found = _find_crossings(graph, posts)
    _attach(graph, found, curated=curated, match_km=match_km, embedded=embedded)
    return graph


#: A merged edge's class is its most important one (the order of TRUCK_HIGHWAYS), its terrain the steepest.
_CLASS_RANK = {name: rank for rank, name in enumerate(TRUCK_HIGHWAYS)}
_TERRAIN_RANK = {"mountain": 0, "hill": 1, "plain": 2}


def _main(values: list[Any], rank: dict[str, int]) -> Any:
    """Return the first of ``values`` by ``rank`` (unranked ones last, then by name): the same in every process."""
    return min(values, key=lambda v: (rank.get(v, len(rank)), str(v)))


def _find_crossings(graph: nx.MultiDiGraph, posts: dict[int, tuple[float, float, str]]) -> list[dict[str, Any]]:
    """Cluster the country-change edges of each pair of countries into crossings."""
    links = [(u, v, k) for u, v, k in graph.edges(keys=True) if graph.nodes[u]["country"] != graph.nodes[v]["country"]]
    clusters: list[dict[str, Any]] = []
    for u, v, k in links:
        pair = frozenset((graph.nodes[u]["country"], graph.nodes[v]["country"]))
        mid = ((graph.nodes[u]["x"] + graph.nodes[v]["x"]) / 2, (graph.nodes[u]["y"] + graph.nodes[v]["y"]) / 2)
        home = next((c for c in clusters if c["pair"] == pair and min(haversine_km(*mid, *m) for m in c["mids"]) <= CLUSTER_KM), None)
        if home is None:
            home = {"pair": pair, "mids": [], "links": []}
            clusters.append(home)
        home["mids"].append(mid)
        home["links"].append((u, v, k))
    for cluster in clusters:
        lon = sum(m[0] for m in cluster["mids"]) / len(cluster["mids"])
        lat = sum(m[1] for m in cluster["mids"]) / len(cluster["mids"])
        cluster["lon"], cluster["lat"] = lon, lat
        ends = [(graph.nodes[n]["x"], graph.nodes[n]["y"]) for u, v, _ in cluster["links"] for n in (u, v)] + cluster["mids"]
        near = [(n, p) for n, p in posts.items() if min(haversine_km(p[0], p[1], *e) for e in ends) <= CLUSTER_KM]
        cluster["posts"] = near
        cluster["controlled"] = bool(near)
        names = list(dict.fromkeys(p[2] for _, p in near if p[2]))
        cluster["name"] = " / ".join(names)
    return clusters


def _attach(
    graph: nx.MultiDiGraph, clusters: list[dict[str, Any]], *, curated: nx.MultiDiGraph | None, match_km: float, embedded: nx.MultiDiGraph
) -> None:
    """Give every crossing an id, a Crossing object, regime rules and link and post attributes."""
    crossings: dict[str, Crossing] = {}
    rules: dict[str, CrossingRule] = {}
    matched_from: dict[str, str] = {}
    described = []
    curated_crossings = list(curated.graph["crossings"].values()) if curated is not None else []
    templates = curated.graph["regimes"] if curated is not None else embedded.graph["regimes"]
    counter: dict[str, int] = {}
    refs: set[str] = set()
    # Each curated crossing goes to the nearest found crossing of the same two countries within match_km, nearest
    # pairs first: a second road across the same border nearby is another crossing, not the same one twice.
    pairs = []
    for i, cluster in enumerate(clusters):
        for candidate in curated_crossings:
            if set(candidate.countries) == set(cluster["pair"]):
                pa, pb = candidate.posts
                d = haversine_km(cluster["lon"], cluster["lat"], (pa.lon + pb.lon) / 2, (pa.lat + pb.lat) / 2)
                if d <= match_km:
                    pairs.append((d, i, candidate))
    assigned: dict[int, Crossing] = {}
    taken: set[str] = set()
    for _, i, candidate in sorted(pairs, key=lambda item: item[0]):
        if i not in assigned and candidate.id not in taken:
            assigned[i] = candidate
            taken.add(candidate.id)
    for i, cluster in enumerate(clusters):
        a, b = sorted(cluster["pair"])
        match = assigned.get(i)
        u0, v0, _ = cluster["links"][0]
        if match is not None:
            cid = match.id
            crossings[cid] = match
            matched_from[cid] = match.id
            model = "curated"
        else:
            counter[f"{a}-{b}"] = counter.get(f"{a}-{b}", 0) + 1
            cid = f"osm-{a.lower()}-{b.lower()}-{counter[f'{a}-{b}']}"
            label = cluster["name"] or f"{a}-{b} border at {cluster['lat']:.4f}, {cluster['lon']:.4f}"
            ends = {graph.nodes[u0]["country"]: u0, graph.nodes[v0]["country"]: v0}
            posts = tuple(
                Post(
                    id=f"{cid}-{c.lower()}",
                    name=f"{label} ({c})",
                    country=c,
                    lon=graph.nodes[ends[c]]["x"],
                    lat=graph.nodes[ends[c]]["y"],
                    schedule=PostSchedule.build(tz=graph.nodes[ends[c]]["tz"]),
                    source=_OSM_SOURCE,
                )
                for c in (a, b)
            )
            link_km = graph.edges[u0, v0, cluster["links"][0][2]]["length"] / 1000
            crossings[cid] = Crossing(id=cid, name=label, posts=posts, link_km=link_km)  # type: ignore[arg-type]
            spec = DEFAULT_CONTROLLED if cluster["controlled"] else DEFAULT_OPEN
            rules[cid] = _default_rule(cid, (a, b), spec)
            model = "default"
            if cluster["controlled"]:
                warnings.warn(
                    f"border crossing {label!r} ({a}-{b} at {cluster['lat']:.4f}, {cluster['lon']:.4f}) matches no curated crossing "
                    f"within {match_km:g} km; it gets the default model (open 24/7, queue {spec['queue_median_h']} h, clearance "
                    f"{spec['clearance_median_h']} h; ESTIMATE). Pass crossings=transit.load_network() or a network that holds it.",
                    UnmatchedCrossingWarning,
                    stacklevel=4,
                )
        crossing = crossings[cid]
        for u, v, k in cluster["links"]:
            data = graph.edges[u, v, k]
            data["kind"] = "crossing"
            data["crossing_id"] = cid
            for node in (u, v):
                nd = graph.nodes[node]
                post = crossing.post(nd["country"])
                if nd["ref"].startswith("osm:") and post.id not in refs:  # the first link end of a post answers to its id
                    nd["ref"] = post.id
                    refs.add(post.id)
                nd.update(kind="border_post", crossing_id=cid, name=post.name)
        for node, (_, _, post_name) in cluster["posts"]:  # the mapped posts themselves, kept by simplification
            if node in graph and graph.nodes[node].get("kind") != "border_post":
                nd = graph.nodes[node]
                nd.update(kind="border_post", crossing_id=cid, name=post_name or crossing.post(nd["country"]).name)
        described.append(
            {
                "crossing_id": cid,
                "name": crossing.name,
                "countries": f"{a}-{b}",
                "controlled": cluster["controlled"],
                "model": model,
                "links": len(cluster["links"]),
                "lon": cluster["lon"],
                "lat": cluster["lat"],
                "posts_in_osm": [p[2] or str(n) for n, p in cluster["posts"]],
            }
        )
    regimes = {}
    for rid, template in templates.items():
        merged = {cid: (template.rule(cid) if cid in matched_from else rules[cid]) for cid in crossings}
        regimes[rid] = dataclasses.replace(template, rules=merged)
    template = curated if curated is not None else embedded
    timeline: Timeline | None = template.graph.get("timeline")
    if timeline is not None:
        # The curated history, for the crossings this extract has (matched crossings keep their curated ids).
        graph.graph["timeline"] = timeline_from_text(timeline.raw, file=timeline.source_file, crossings=crossings, regimes=regimes, only_known=True)
    graph.graph.update(
        crossings=crossings,
        regimes=regimes,
        default_regime=template.graph.get("default_regime"),
        driver_rules=embedded.graph["driver_rules"],
        cost_model=embedded.graph["cost_model"],
        routes={},
        osm_crossings=tuple(described),
    )


def _default_rule(cid: str, countries: Sequence[str], spec: dict[str, float]) -> CrossingRule:
    a, b = countries
    directions = (f"{a}>{b}", f"{b}>{a}")
    queue = Delay(median_h=spec["queue_median_h"], p90_h=spec["queue_p90_h"], source=_ESTIMATE_SOURCE)
    clearance = Delay(median_h=spec["clearance_median_h"], p90_h=spec["clearance_p90_h"], source=_ESTIMATE_SOURCE)
    return CrossingRule(
        crossing_id=cid,
        through={"*": "none"},
        queue=dict.fromkeys(directions, queue),
        clearance=dict.fromkeys(directions, clearance),
        source=_ESTIMATE_SOURCE,
    )
