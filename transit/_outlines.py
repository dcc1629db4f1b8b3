"""
Files shipped in ``transit/_data`` (Leaflet, Natural Earth outlines), and the country outlines of the offline maps.

Offline maps draw outlines instead of web tiles: :func:`transit.plot.map` with ``offline=True``, and the planner's
page of :mod:`transit.api`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

__all__ = ["EURASIA_BOUNDS", "asset_bytes", "asset_text", "country_outlines"]

_EURASIA = "naturalearth/ne_10m_admin_0_countries_deu_eurasia.geojson"
#: ``(west, south, east, north)`` of the 1:10m outlines shipped for the SCO region (transit/_data/README.md).
EURASIA_BOUNDS = (25.0, 25.0, 125.0, 65.0)
_WORLD = "naturalearth/ne_50m_admin_0_countries.geojson"


@functools.cache
def asset_text(name: str) -> str:
    """Return the text of the shipped file ``transit/_data/<name>``."""
    return (resources.files("transit") / "_data" / name).read_text(encoding="utf-8")


@functools.cache
def asset_bytes(name: str) -> bytes:
    """Return the bytes of the shipped file ``transit/_data/<name>``."""
    return (resources.files("transit") / "_data" / name).read_bytes()


@functools.cache
def country_outlines(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    """
    Return Natural Earth countries clipped to ``bounds`` and simplified (about 2 km at most), as GeoJSON.

    Parameters
    ----------
    bounds
        ``(west, south, east, north)`` in degrees; cached, so pass rounded values.

    Returns
    -------
    dict
        Features with ``name`` (English) and ``iso`` (ISO 3166-1 alpha-2) properties.

    Examples
    --------
    >>> fc = country_outlines((69.0, 38.0, 76.0, 42.0))
    >>> sorted(f["properties"]["iso"] for f in fc["features"])
    ['AF', 'CN', 'KG', 'KZ', 'TJ', 'UZ']
    >>> sorted(f["properties"]["iso"] for f in country_outlines((9.0, 46.8, 10.0, 47.5))["features"])  # outside Eurasia's clip
    ['AT', 'CH', 'DE', 'LI']
    """
    from shapely.geometry import box, mapping, shape

    window = box(*bounds)
    # 1:10m inside the Eurasia clip the package ships; the 1:50m world elsewhere (e.g. an OSM extract of the Alps)
    tolerance = min(0.02, max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / 1000)  # about 2 km, finer for small windows
    source = _EURASIA if box(*EURASIA_BOUNDS).contains(window) else _WORLD
    features = []
    for feature in json.loads(asset_text(source))["features"]:
        geom = shape(feature["geometry"])
        if not geom.intersects(window):
            continue
        clipped = geom.intersection(window).simplify(tolerance, preserve_topology=True)
        if clipped.is_empty:
            continue
        props = feature.get("properties", {})
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(clipped),
                "properties": {"name": props.get("NAME_EN") or props.get("NAME", ""), "iso": props.get("ISO_A2_EH") or props.get("ISO_A2", "")},
            }
        )
    return {"type": "FeatureCollection", "features": features}
