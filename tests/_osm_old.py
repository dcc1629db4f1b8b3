"""
The OLD ``graph_from_osm`` pipeline (before the array builder), kept here only as the reference of the parity test.

pyosmium reads the file into Python dicts and lists, the roads are written to an intermediate OSM XML file that
osmnx reads (``graph_from_xml``), and osmnx simplifies the graph. Copied verbatim from transit 96ff1cd
(``transit/_osm_read.py``: ``read_extract``, ``write_xml``, ``osmnx_graph``; ``transit/osm.py``: the body of
``graph_from_osm``, ``_keep_largest_component``, ``_snap_places``); the steps both pipelines share (truck speeds,
terrain, countries, time zones, crossings: ``_finish``) are imported from the package.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np

from transit import _cache
from transit._osm_read import PLACE_KINDS, WAY_TAGS, closed_to_trucks, countries_at
from transit._units import travel_time_s
from transit.errors import DataError
from transit.geo import haversine_km_to_many
from transit.osm import (
    MIN_MAXSPEED_KPH,
    TRUCK_HIGHWAYS,
    ImplausibleMaxspeedWarning,
    UnreachablePostWarning,
    _check_path,
    _finish,
    _implausible_maxspeed,
    _terrain,
    truck_speed_kph,
)

OSMNX_LOCK = threading.Lock()
_PLACE_SNAP_KM = 2.0


@dataclasses.dataclass
class OldExtract:
    nodes: dict[int, tuple[float, float]] = dataclasses.field(default_factory=dict)
    ways: list[tuple[int, list[int], dict[str, str]]] = dataclasses.field(default_factory=list)
    posts: dict[int, tuple[float, float, str]] = dataclasses.field(default_factory=dict)
    places: list[tuple[str, str, float, float, tuple[str, ...]]] = dataclasses.field(default_factory=list)
    passes: set[int] = dataclasses.field(default_factory=set)
    boundaries: dict[str, Any] = dataclasses.field(default_factory=dict)


def old_read_extract(path: Path, highways: frozenset[str]) -> OldExtract:
    import osmium
    import shapely

    out = OldExtract()
    factory = osmium.geom.WKBFactory()

    class Handler(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
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
            except Exception:  # noqa: BLE001
                return
            if geometry.is_valid and not geometry.is_empty:
                previous = out.boundaries.get(iso.upper())
                out.boundaries[iso.upper()] = geometry if previous is None else previous.union(geometry)

    Handler().apply_file(str(path), locations=True)
    return out


def write_xml(extract: OldExtract, target: Path) -> None:
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


def _keep_largest_component(raw: nx.MultiDiGraph, extract: OldExtract, country: dict[Any, str], *, source: Path) -> dict[str, Any]:
    sccs = list(nx.strongly_connected_components(raw))
    kept = max(sccs, key=lambda c: (len(c), -min(c)))
    dropped_posts = sorted(n for n in extract.posts if n in raw and n not in kept)
    dropped_links = sorted({(u, v) for u, v in raw.edges() if country[u] != country[v] and not (u in kept and v in kept)})
    summary = {
        "components": len(sccs),
        "kept_nodes": len(kept),
        "dropped_nodes": raw.number_of_nodes() - len(kept),
        "dropped_posts": tuple(dropped_posts),
        "dropped_crossing_links": tuple(dropped_links),
    }
    if dropped_posts or dropped_links:
        names = [f"post {extract.posts[n][2] or 'unnamed'} (node {n})" for n in dropped_posts]
        names += [f"{country[u]}-{country[v]} road between nodes {u} and {v}" for u, v in dropped_links]
        warnings.warn(
            f"{source.name}: left out {len(names)} border post(s) or crossing road(s) that lie off the routable network "
            f"(a one-way piece a truck could enter but not leave, usually cut by the edge of the extract): {'; '.join(names[:5])}"
            f"{' ...' if len(names) > 5 else ''}. Use an extract that reaches further beyond the border to keep them.",
            UnreachablePostWarning,
            stacklevel=3,
        )
    raw.remove_nodes_from([n for n in list(raw.nodes) if n not in kept])
    return summary


def _snap_places(
    raw: nx.MultiDiGraph, nodes: list[Any], lon: np.ndarray, lat: np.ndarray, places: list[tuple[str, str, float, float, tuple[str, ...]]]
) -> dict[Any, tuple[str, str, tuple[str, ...]]]:
    rank = {"city": 0, "town": 1, "village": 2}
    out: dict[Any, tuple[str, str, tuple[str, ...]]] = {}
    for place_name, place, plon, plat, aliases in sorted(places, key=lambda p: rank[p[1]]):
        d = haversine_km_to_many(plon, plat, lon, lat)
        i = int(np.argmin(d))
        if d[i] > _PLACE_SNAP_KM:
            continue
        node = nodes[i]
        if node in out:
            kept = out[node]
            out[node] = (kept[0], kept[1], (*kept[2], place_name, *aliases))
            continue
        out[node] = (place_name, PLACE_KINDS[place], aliases)
        raw.nodes[node]["_keep"] = True
    return out


def old_graph_from_osm(
    path: str | Path, *, crossings: nx.MultiDiGraph | None = None, highways: Any = TRUCK_HIGHWAYS, match_km: float = 10.0, name: str | None = None
) -> nx.MultiDiGraph:
    """The old pipeline: dicts, an intermediate XML file, osmnx's reader and ``ox.simplify_graph``."""
    import osmnx as ox

    from transit.network import load_network

    source = _check_path(path)
    keep = frozenset(highways)
    extract = old_read_extract(source, keep)
    if not extract.ways:
        raise DataError(f"holds no road of the classes {', '.join(sorted(keep))}", file=source.name)
    with tempfile.TemporaryDirectory(prefix="transit-osm-") as tmp:
        xml = Path(tmp) / "roads.osm"
        write_xml(extract, xml)
        raw = osmnx_graph(xml)

    nodes = list(raw.nodes)
    lon = np.array([raw.nodes[n]["x"] for n in nodes])
    lat = np.array([raw.nodes[n]["y"] for n in nodes])
    country = dict(zip(nodes, countries_at(lon, lat, extract.boundaries), strict=True))
    for n in nodes:
        data = raw.nodes[n]
        data["country"] = country[n]
        if data.get("barrier") == "border_control":
            data["_keep"] = True
    implausible: list[str] = []
    for u, v, _k, data in raw.edges(keys=True, data=True):
        if country[u] != country[v]:
            raw.nodes[u]["_keep"] = raw.nodes[v]["_keep"] = True
        terrain = _terrain(data, u_pass=u in extract.passes, v_pass=v in extract.passes)
        speed = truck_speed_kph(data, terrain=terrain)
        data["terrain"] = terrain
        data["speed_kph"] = speed
        data["travel_time"] = travel_time_s(data["length"], speed)
        bad_tag = _implausible_maxspeed(data)
        if bad_tag is not None:
            implausible.append(f"way {data.get('osmid')} {bad_tag}")
    if implausible:
        shown = list(dict.fromkeys(implausible))
        warnings.warn(
            f"{source.name}: {len(shown)} road(s) with a maxspeed below {MIN_MAXSPEED_KPH:g} km/h, taken for a tagging error and given "
            f"their road class's default truck speed (TRUCK_SPEED_KPH) instead: {'; '.join(shown[:5])}{' ...' if len(shown) > 5 else ''}. "
            "Fix the tag in the file if the limit is real.",
            ImplausibleMaxspeedWarning,
            stacklevel=2,
        )
    components = _keep_largest_component(raw, extract, country, source=source)
    nodes = list(raw.nodes)
    lon = np.array([raw.nodes[n]["x"] for n in nodes])
    lat = np.array([raw.nodes[n]["y"] for n in nodes])
    snapped = _snap_places(raw, nodes, lon, lat, extract.places)
    graph = ox.simplify_graph(raw, node_attrs_include=["_keep"], edge_attr_aggs={"length": sum, "travel_time": sum})
    graph = _finish(graph, extract.posts, snapped, source=source, curated=crossings, match_km=match_km, name=name, embedded=load_network())  # type: ignore[arg-type]
    graph.graph["osm_components"] = components
    return _cache.freeze(graph)
