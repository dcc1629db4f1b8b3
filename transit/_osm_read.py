"""
Read OpenStreetMap files for :func:`transit.graph_from_osm`.

pyosmium streams the file into compact arrays
(roads a truck may use, border posts, named places, country boundaries), and the country and time
zone of every point. Internal; plain names, used by
:mod:`transit.osm` only.
"""

from __future__ import annotations

import array
import bz2
import contextlib
import dataclasses
import functools
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError
from .geo import haversine_km

__all__ = [
    "FIXED_TZ",
    "LOCATION_INDEX",
    "PLACE_KINDS",
    "WAY_TAGS",
    "Extract",
    "closed_to_trucks",
    "countries_at",
    "nearest_country",
    "read_extract",
    "tz_of",
]

PLACE_KINDS = {"city": "city", "town": "town", "village": "town"}


# -- reading ---------------------------------------------------------------------------------------

#: The way tags transit keeps on road edges (as osmnx's ``useful_tags_way`` did).
WAY_TAGS = ("highway", "oneway", "name", "ref", "maxspeed", "maxspeed:hgv", "junction", "incline", "bridge", "tunnel", "lanes")
#: pyosmium's node location index: sparse arrays of (id, location) pairs, 16 bytes a node of the file, sorted
#: once (``flex_mem`` picks a dense array of 8 bytes times the largest node id when ids are dense).
LOCATION_INDEX = "flex_mem"


@dataclasses.dataclass
class Extract:
    """
    What :func:`read_extract` keeps of a file, in compact arrays.

    The kept roads are ``way_ids[i]`` with node ids ``refs[way_offsets[i]:way_offsets[i + 1]]`` (those with a valid
    location, in way order) and their coordinates in 1e-7 degrees (``x7``, ``y7``, as stored in the file) at the same
    positions; ``way_tags[i]`` indexes ``tag_sets`` (each distinct set of kept tags once).
    """

    way_ids: np.ndarray
    way_offsets: np.ndarray
    way_tags: np.ndarray
    tag_sets: list[dict[str, str]]
    refs: np.ndarray
    x7: np.ndarray
    y7: np.ndarray
    posts: dict[int, tuple[float, float, str]] = dataclasses.field(default_factory=dict)
    places: list[tuple[str, str, float, float, tuple[str, ...]]] = dataclasses.field(default_factory=list)
    passes: set[int] = dataclasses.field(default_factory=set)
    boundaries: dict[str, Any] = dataclasses.field(default_factory=dict)

    def road_count(self) -> int:
        """Count the kept roads with at least two located nodes."""
        return int(np.count_nonzero(np.diff(self.way_offsets) >= 2))

    def release_nodes(self) -> None:
        """Drop the per-node columns (``refs``, ``x7``, ``y7``) once the graph's arrays hold them."""
        self.refs = np.zeros(0, np.int64)
        self.x7 = self.y7 = np.zeros(0, np.int32)

    def road_nodes(self) -> np.ndarray:
        """Sorted distinct ids of the nodes on the kept roads."""
        return np.unique(self.refs)


class _Collector:
    """Append-only compact columns filled while pyosmium streams the file."""

    def __init__(self) -> None:
        self.way_ids = array.array("q")
        self.way_offsets = array.array("q", [0])
        self.way_tags = array.array("i")
        self.tag_index: dict[tuple[tuple[str, str], ...], int] = {}
        self.refs = array.array("q")
        self.x7 = array.array("i")
        self.y7 = array.array("i")
        self.posts: dict[int, tuple[float, float, str]] = {}
        self.places: list[tuple[str, str, float, float, tuple[str, ...]]] = []
        self.passes: set[int] = set()
        self.boundaries: dict[str, Any] = {}

    def add_way(self, way_id: int, nodes: Any, tags: Any) -> None:
        refs, x7, y7 = self.refs, self.x7, self.y7
        start = len(refs)
        for nd in nodes:
            location = nd.location
            if location.valid():
                refs.append(nd.ref)
                x7.append(location.x)
                y7.append(location.y)
        if len(refs) == start:
            return
        key = tuple((k, tags[k]) for k in WAY_TAGS if k in tags)
        index = self.tag_index.setdefault(key, len(self.tag_index))
        self.way_ids.append(way_id)
        self.way_offsets.append(len(refs))
        self.way_tags.append(index)

    def extract(self) -> Extract:
        def column(values: array.array[int], dtype: Any) -> np.ndarray:
            return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)

        return Extract(
            way_ids=column(self.way_ids, np.int64),
            way_offsets=column(self.way_offsets, np.int64),
            way_tags=column(self.way_tags, np.int32),
            tag_sets=[dict(key) for key in self.tag_index],
            refs=column(self.refs, np.int64),
            x7=column(self.x7, np.int32),
            y7=column(self.y7, np.int32),
            posts=self.posts,
            places=self.places,
            passes=self.passes,
            boundaries=self.boundaries,
        )


def read_extract(path: Path, highways: frozenset[str]) -> Extract:
    """
    Stream ``path`` once (after a first pass over its relations for the national boundaries) into an :class:`Extract`.

    pyosmium's location index (:data:`LOCATION_INDEX`) gives each way its node coordinates, so no node is held in
    Python: only the kept roads' node ids and coordinates, in arrays, and the few tagged nodes transit reads (border
    posts, named places, mountain passes). Ways without a ``highway`` tag are filtered out in C++, and so are the
    areas other than boundaries.
    """
    import osmium
    import shapely

    out = _Collector()
    factory = osmium.geom.WKBFactory()
    bad: list[tuple[int, float, float]] = []

    class Handler:
        def node(self, n: Any) -> None:
            location = n.location
            if not location.valid() and not bad:
                bad.append((n.id, location.lat_without_check(), location.lon_without_check()))
            tags = n.tags
            if not tags:
                return
            if tags.get("barrier") == "border_control":
                out.posts[n.id] = (location.lon, location.lat, tags.get("name", ""))
            place = tags.get("place")
            if place in PLACE_KINDS and tags.get("name"):
                aliases = tuple(tags[k] for k in ("name:en", "int_name", "alt_name") if k in tags)
                out.places.append((tags["name"], place, location.lon, location.lat, aliases))
            if tags.get("mountain_pass") == "yes":
                out.passes.add(n.id)

        def way(self, w: Any) -> None:
            tags = w.tags
            if tags.get("highway") not in highways or tags.get("area") == "yes" or len(w.nodes) < 2 or closed_to_trucks(tags):
                return
            out.add_way(w.id, w.nodes, tags)

        def area(self, a: Any) -> None:
            tags = a.tags
            if tags.get("boundary") != "administrative" or tags.get("admin_level") != "2":
                return
            iso = tags.get("ISO3166-1:alpha2") or tags.get("ISO3166-1")
            if not iso or len(iso) != 2:
                return
            try:
                geometry = shapely.from_wkb(factory.create_multipolygon(a))
            except Exception:  # noqa: BLE001 - an incomplete boundary in an extract: use Natural Earth there
                return
            if geometry.is_valid and not geometry.is_empty:
                previous = out.boundaries.get(iso.upper())
                out.boundaries[iso.upper()] = geometry if previous is None else previous.union(geometry)

    handler = Handler()
    boundary = ("boundary", "administrative")
    try:
        areas = osmium.area.AreaManager()
        with osmium.io.Reader(str(path), osmium.osm.RELATION) as reader:
            osmium.apply(reader, osmium.filter.TagFilter(boundary), areas.first_pass_handler())
        locations = osmium.NodeLocationsForWays(osmium.index.create_map(LOCATION_INDEX))
        locations.ignore_errors()
        boundaries_only = osmium.filter.TagFilter(boundary)
        boundaries_only.enable_for(osmium.osm.AREA)  # other areas (buildings, land use) never reach Python
        roads_only = osmium.filter.KeyFilter("highway")
        roads_only.enable_for(osmium.osm.WAY)  # nor do ways without a highway tag; nodes all pass
        with osmium.io.Reader(str(path), osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION) as reader:
            osmium.apply(reader, locations, areas.second_pass_handler(boundaries_only, handler), roads_only, handler)
    except osmium.InvalidLocationError as exc:  # a coordinate that is not a number (1e30, nan): find the node
        found = node_with_bad_coordinate(path)
        where = f"node {found[0]} has {found[1]}={found[2]!r}" if found else str(exc)
        msg = f"{where}; expected decimal degrees (lat -90..90, lon -180..180). Fix or delete that node, or export the extract again"
        raise DataError(msg, file=str(path), row=f"node {found[0]}" if found else None) from None
    except RuntimeError as exc:
        hint = "; the bzip2 stream is empty or cut short: download the file again (`bzip2 -t` checks it)" if str(path).endswith(".bz2") else ""
        raise DataError(f"cannot read it as OpenStreetMap data: {exc}{hint}", file=str(path)) from None
    if bad:
        node, lat, lon = bad[0]
        msg = (
            f"node {node} has lat={lat:g}, lon={lon:g}: expected lat -90..90 and lon -180..180 degrees. "
            "Fix or delete that node, or export the extract again"
        )
        raise DataError(msg, file=str(path), row=f"node {node}")
    return out.extract()


NODE_RE = re.compile(rb"<node\b[^>]*>")
ATTR_RE = re.compile(rb"""\b(id|lat|lon)\s*=\s*["']([^"']*)["']""")


def node_with_bad_coordinate(path: Path) -> tuple[str, str, str] | None:
    """Return the first node whose ``lat``/``lon`` is out of range (any format) or not a number (XML, plain or bz2)."""
    import osmium

    found: list[tuple[str, str, str]] = []

    class Nodes(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
            lat, lon = n.location.lat_without_check(), n.location.lon_without_check()
            if not found and not n.location.valid():
                key, value = ("lat", lat) if not -90 <= lat <= 90 else ("lon", lon)
                found.append((str(n.id), key, f"{value:g}"))

    with contextlib.suppress(Exception):  # a value osmium cannot parse at all: look for it in the XML text below
        Nodes().apply_file(str(path))
    if found:
        return found[0]
    opener = bz2.open if str(path).endswith(".bz2") else open
    try:
        with opener(path, "rb") as f:
            for line in f:
                for element in NODE_RE.findall(line):
                    attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in ATTR_RE.findall(element)}
                    for key, limit in (("lat", 90.0), ("lon", 180.0)):
                        try:
                            value = float(attrs.get(key, "0"))
                        except ValueError:
                            return attrs.get("id", "?"), key, attrs[key]
                        if not (math.isfinite(value) and -limit <= value <= limit):
                            return attrs.get("id", "?"), key, attrs[key]
    except (OSError, EOFError):
        return None
    return None


def closed_to_trucks(tags: Any) -> bool:
    """Tell whether a truck may not use a way: ``hgv=no`` (or ``goods``), or ``access``/``motor_vehicle`` ``no``/``private`` without ``hgv=yes``."""
    hgv = tags.get("hgv") or tags.get("goods")
    if hgv in ("no", "private"):
        return True
    if hgv in ("yes", "designated", "delivery", "destination"):
        return False
    return any(tags.get(key) in ("no", "private") for key in ("motor_vehicle", "access", "vehicle"))


# -- countries and time zones ----------------------------------------------------------------------


@functools.cache
def natural_earth(name: str) -> tuple[list[str], Any]:
    """ISO codes and an STRtree of a shipped Natural Earth file."""
    import shapely

    doc = json.loads((resources.files("transit") / "_data" / "naturalearth" / name).read_text(encoding="utf-8"))
    isos, geoms = [], []
    for feature in doc["features"]:
        props = feature["properties"]
        iso = props.get("ISO_A2_EH") if props.get("ISO_A2_EH") not in (None, "-99") else props.get("ISO_A2")
        if not iso or iso == "-99":
            continue
        isos.append(str(iso))
        geoms.append(shapely.geometry.shape(feature["geometry"]))
    return isos, shapely.STRtree(geoms)


EURASIA_BOX = (25.0, 25.0, 125.0, 65.0)  # the 1:10m clip's extent


def countries_at(lon: np.ndarray, lat: np.ndarray, boundaries: dict[str, Any]) -> np.ndarray:
    """Country code per point: the file's boundaries first, then Natural Earth, excluding the file's countries."""
    import shapely

    points = shapely.points(lon, lat)
    out = np.full(len(points), "", dtype=object)
    if boundaries:
        isos = list(boundaries)
        tree = shapely.STRtree([boundaries[i] for i in isos])
        p_idx, g_idx = tree.query(points, predicate="intersects")
        for p, g in zip(p_idx, g_idx, strict=True):
            out[p] = isos[g]
    left = np.flatnonzero(out == "")
    if len(left):
        west, south, east, north = EURASIA_BOX
        inside = (lon[left] >= west) & (lon[left] <= east) & (lat[left] >= south) & (lat[left] <= north)
        for rows, name in ((left[inside], "ne_10m_admin_0_countries_deu_eurasia.geojson"), (left[~inside], "ne_50m_admin_0_countries.geojson")):
            if len(rows):
                out[rows] = nearest_country(points[rows], name, exclude=set(boundaries))
    return out


def nearest_country(points: Any, name: str, *, exclude: set[str]) -> list[str]:
    """Natural Earth country of each point: the polygon it lies in, else the nearest one (never one of ``exclude``)."""
    isos, tree = natural_earth(name)
    geoms = tree.geometries
    out: list[str | None] = [None] * len(points)
    p_idx, g_idx = tree.query(points, predicate="intersects")  # all points at once
    for p, g in zip(p_idx, g_idx, strict=True):
        if out[p] is None and isos[g] not in exclude:
            out[p] = isos[g]
    allowed = [i for i in range(len(isos)) if isos[i] not in exclude]
    for p, found in enumerate(out):  # at sea, or inside a country the file's own boundary rules out: the nearest
        if found is None:
            point = points[p]
            nearby = [i for i in tree.query(point.buffer(0.5)) if isos[i] not in exclude] or allowed
            out[p] = isos[min(nearby, key=lambda i: geoms[i].distance(point))]
    return out  # type: ignore[return-value]


#: The zone transit uses for a country, where that is a choice (Chinese posts keep Beijing time).
FIXED_TZ = {"CN": "Asia/Shanghai"}


@functools.cache
def country_zones() -> dict[str, list[tuple[str, float, float]]]:
    """zone.tab: country code -> [(zone, lon, lat)] from the tzdata package."""
    text = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, float, float]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, coords, zone = line.split("\t")[:3]
        match = re.match(r"([+-]\d+)([+-]\d+)", coords)
        if match is None:
            continue
        lat_s, lon_s = match.groups()

        def degrees(text: str, width: int) -> float:
            sign = -1 if text[0] == "-" else 1
            digits = text[1:]
            d, m, s = int(digits[:width]), int(digits[width : width + 2]), int(digits[width + 2 : width + 4] or 0)
            return sign * (d + m / 60 + s / 3600)

        out.setdefault(code, []).append((zone, degrees(lon_s, 3), degrees(lat_s, 2)))
    return out


def tz_of(country: str, lon: float, lat: float) -> str:
    if country in FIXED_TZ:
        return FIXED_TZ[country]
    zones = country_zones().get(country)
    if not zones:
        return "UTC"
    if len(zones) == 1:
        return zones[0][0]
    return min(zones, key=lambda z: haversine_km(lon, lat, z[1], z[2]))[0]
