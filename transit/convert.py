"""
Conversions of a network to GeoDataFrames (places, crossings, segments).

``osmnx.graph_to_gdfs`` works on a transit network too (nodes and edges);
:func:`to_gdfs` gives the model's own view: one row per place, per crossing
and per road segment (not per direction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from shapely.geometry import Point

from ._units import HOUR_S
from ._validate import check_network

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["to_gdfs"]


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
    >>> import transit
    >>> places, crossings, segments = to_gdfs(transit.load_network())
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
                "travel_time_h": d["travel_time"] / HOUR_S,
                "road_class": d["road_class"],
                "terrain": d["terrain"],
                "via": "; ".join(d.get("via", ())),
                "source": d.get("source", ""),
                "geometry": d["geometry"],
            }
        )
    frames = []
    for rows in (place_rows, crossing_rows, segment_rows):
        gdf = (
            gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
            if rows
            else gpd.GeoDataFrame({"id": [], "geometry": []}, geometry="geometry", crs="EPSG:4326")
        )
        frames.append(gdf.set_index("id"))
    return frames[0], frames[1], frames[2]
