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

__all__ = ["asset_bytes", "asset_text", "country_outlines"]

_EURASIA = "naturalearth/ne_10m_admin_0_countries_deu_eurasia.geojson"


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
    Return Natural Earth countries clipped to ``bounds`` and simplified to about 2 km, as a GeoJSON FeatureCollection.

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
    """
    from shapely.geometry import box, mapping, shape

    window = box(*bounds)
    features = []
    for feature in json.loads(asset_text(_EURASIA))["features"]:
        geom = shape(feature["geometry"])
        if not geom.intersects(window):
            continue
        clipped = geom.intersection(window).simplify(0.02, preserve_topology=True)
        if clipped.is_empty:
            continue
        props = feature.get("properties", {})
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(clipped),
                "properties": {"name": props.get("NAME_EN") or props.get("NAME", ""), "iso": props.get("ISO_A2_EH", "")},
            }
        )
    return {"type": "FeatureCollection", "features": features}
