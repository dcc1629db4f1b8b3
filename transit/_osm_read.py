"""
Read OpenStreetMap files for :func:`transit.graph_from_osm`.

pyosmium passes over the file
(roads a truck may use, border posts, named places, country boundaries), the osmnx graph made
from them, and the country and time zone of every point. Internal; plain names, used by
:mod:`transit.osm` only.
"""

from __future__ import annotations

import bz2
import contextlib
import dataclasses
import functools
import json
import math
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np

from .errors import DataError
from .geo import haversine_km

__all__ = [
    "FIXED_TZ",
    "PLACE_KINDS",
    "Extract",
    "closed_to_trucks",
    "countries_at",
    "nearest_country",
    "osmnx_graph",
    "read_extract",
    "tz_of",
    "write_xml",
]

PLACE_KINDS = {"city": "city", "town": "town", "village": "town"}
OSMNX_LOCK = threading.Lock()


# -- reading ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Extract:
    nodes: dict[int, tuple[float, float]] = dataclasses.field(default_factory=dict)
    ways: list[tuple[int, list[int], dict[str, str]]] = dataclasses.field(default_factory=list)
    posts: dict[int, tuple[float, float, str]] = dataclasses.field(default_factory=dict)
    places: list[tuple[str, str, float, float, tuple[str, ...]]] = dataclasses.field(default_factory=list)
    passes: set[int] = dataclasses.field(default_factory=set)
    boundaries: dict[str, Any] = dataclasses.field(default_factory=dict)


WAY_TAGS = ("highway", "oneway", "name", "ref", "maxspeed", "maxspeed:hgv", "junction", "incline", "bridge", "tunnel", "lanes")


def read_extract(path: Path, highways: frozenset[str]) -> Extract:
    import osmium
    import shapely

    out = Extract()
    factory = osmium.geom.WKBFactory()

    bad: list[tuple[int, float, float]] = []

    class Handler(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
            if not n.location.valid() and not bad:
                bad.append((n.id, n.location.lat_without_check(), n.location.lon_without_check()))
            tags = n.tags
            if tags.get("barrier") == "border_control":
                out.posts[n.id] = (n.location.lon, n.location.lat, tags.get("name", ""))
            place = tags.get("place")
            if place in PLACE_KINDS and tags.get("name"):
                aliases = tuple(tags[k] for k in ("name:en", "int_name", "alt_name") if k in tags)
                out.places.append((tags["name"], place, n.location.lon, n.location.lat, aliases))
            if tags.get("mountain_pass") == "yes":
                out.passes.add(n.id)

        def way(self, w: Any) -> None:
            tags = w.tags
            if tags.get("highway") not in highways or tags.get("area") == "yes" or len(w.nodes) < 2 or closed_to_trucks(tags):
                return
            refs = []
            for nd in w.nodes:
                if nd.location.valid():
                    out.nodes[nd.ref] = (nd.location.lon, nd.location.lat)
                    refs.append(nd.ref)
            if len(refs) >= 2:
                out.ways.append((w.id, refs, {k: tags[k] for k in WAY_TAGS if k in tags}))

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

    try:
        Handler().apply_file(str(path), locations=True)
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
    return out


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


def write_xml(extract: Extract, target: Path) -> None:
    """Write the kept roads as OSM XML for osmnx (nodes with the tags transit reads, then ways)."""
    with target.open("w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"transit\">\n")
        for node, (lon, lat) in extract.nodes.items():
            post = extract.posts.get(node)
            if post is None:
                f.write(f'<node id="{node}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
            else:
                name = f'<tag k="name" v={quoteattr(post[2])}/>' if post[2] else ""
                f.write(f'<node id="{node}" lat="{lat:.7f}" lon="{lon:.7f}"><tag k="barrier" v="border_control"/>{name}</node>\n')
        for way, refs, tags in extract.ways:
            f.write(f'<way id="{way}">')
            f.write("".join(f'<nd ref="{r}"/>' for r in refs))
            f.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            f.write("</way>\n")
        f.write("</osm>\n")


def osmnx_graph(xml: Path) -> nx.MultiDiGraph:
    """Osmnx reads the roads; its global settings are changed for this call only."""
    import osmnx as ox

    with OSMNX_LOCK:
        saved = (ox.settings.useful_tags_node, ox.settings.useful_tags_way, ox.settings.log_console)
        try:
            ox.settings.useful_tags_node = ["highway", "barrier", "name", "ref", "junction"]
            ox.settings.useful_tags_way = list(WAY_TAGS)
            ox.settings.log_console = False
            return ox.graph_from_xml(xml, bidirectional=False, simplify=False, retain_all=True)
        finally:
            ox.settings.useful_tags_node, ox.settings.useful_tags_way, ox.settings.log_console = saved


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
