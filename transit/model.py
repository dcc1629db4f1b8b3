"""
The model objects a network is built from: places, road segments, designated routes and sources.

Crossings and their posts are in :mod:`transit.crossings`. Build a network by hand with :func:`transit.build_network` from these.

Examples
--------
>>> from transit.model import Place
>>> Place(id="osh", name="Osh", country="KG", kind="city", lon=72.8, lat=40.53, tz="Asia/Bishkek").name
'Osh'
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

__all__ = ["NODE_KINDS", "ROAD_CLASSES", "TERRAINS", "DesignatedRoute", "NodeId", "Place", "PlaceRef", "Segment", "Source", "node_id"]

#: A node id: an int, as in osmnx (negative for curated places and posts, see :func:`node_id`).
NodeId = int
#: How a public function takes a place: a name, alias or dataset id, a node id, or a ``(lat, lon)`` point to snap.
PlaceRef = str | int | tuple[float, float]

NODE_KINDS = ("city", "town", "port", "junction", "border_post")
ROAD_CLASSES = ("expressway", "trunk", "primary", "secondary")
TERRAINS = ("plain", "hill", "mountain")


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


def node_id(ref: str) -> int:
    """
    Return the integer node id of a dataset id (osmnx graphs have integer node ids).

    Stable across releases: a negative number derived from the id text, so it
    never collides with OpenStreetMap's positive node ids.

    Examples
    --------
    >>> node_id("kashgar") < 0
    True
    """
    return -(zlib.crc32(ref.encode("utf-8")) + 1)
