"""
Great-circle distances (scalar and vectorised, side by side).

Examples
--------
>>> round(haversine_km(69.2949, 41.3117, 75.9699, 39.4763))  # Tashkent-Kashgar
601
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "haversine_km_to_many"]

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088


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
